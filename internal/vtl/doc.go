// Package vtl runs API Gateway mapping templates: Apache Velocity 1.7 (VTL)
// with API Gateway's $input, $util, $context and $stageVariables.
//
// A template is parsed once, when an integration is created or deployed
// (Parse; errors carry line and column), and executed per message
// (Template.Execute), safely from many goroutines. The package knows nothing
// of HTTP or storage: the caller hands it the body, parameters, context and
// stage variables in an Input.
//
// # Safety
//
// Values are JSON-like only (map, list, string, number, boolean, null) and
// belong to this package; nothing wraps a Go value of the caller. Every
// method call goes through a fixed whitelist (methods.go): getClass, .class
// and any unknown method are errors with a position, never a call into the
// host. Limits bound steps (and with them memory), output and string size,
// call nesting and wall-clock time. Regular expressions run on RE2, in
// linear time.
//
// # Language
//
// References ($a, ${a}, $!a, $a.b, $a["b"], $a[0], $a.m(x)), #set, #if /
// #elseif / #else / #end, #foreach ($foreach.count/index/hasNext/first/last/
// parent, $velocityCount, $velocityHasNext), #break, #stop, #define, #macro,
// ## and #* *# comments, #[[ ]]#, \$ and \# escapes, interpolated "..." and
// literal '...' strings, integer and double arithmetic, ranges, list and map
// literals, and both operator spellings. Text and whitespace come out as
// Velocity 1.7 renders them, quirks included (a directive's ")" and #else /
// #end eat a trailing newline; #set eats blanks before it when they start a
// token; identifiers may contain "-"); undefined references print as
// written. The golden files in testdata show each rule, with its source.
//
// # Left out, on purpose
//
//   - #include and #parse (there are no template files) and #evaluate (it
//     would run request data as a template): refused at parse time.
//   - #literal (deprecated in 1.7; #[[ ]]# does the same) and block macro
//     calls (#@name ... #end): refused at parse time.
//   - Velocity's reflective method lookup: replaced by the whitelist, and
//     an unknown method is an error where Velocity would log and print the
//     reference as written.
//   - Call-by-name macro arguments: arguments are evaluated once, at the
//     call; a null argument still prints as the caller wrote it. Only a
//     side-effecting argument used twice would tell the difference.
//   - BigInteger/BigDecimal: integer overflow past 64 bits is an error, and
//     JSON integers past 64 bits become doubles.
//   - Java-only regular expression features (backreferences, lookaround,
//     possessive quantifiers): reported as errors.
//   - Arrays print like lists ("[a, b]" for split()), not as Java's
//     "[Ljava.lang.String;@1b6d3586".
package vtl
