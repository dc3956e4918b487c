// Package mapping implements the parameter mapping of HTTP API integrations
// (docs/aws-behaviours.md#parameter-mapping-http; AWS developer
// guide, "Transform API requests and responses for HTTP APIs in API
// Gateway"): an integration's requestParameters change the request sent
// upstream, its responseParameters change the integration's answer before
// it reaches the client.
//
// A mapping is compiled once per deployment (CompileRequest,
// CompileResponse) and applied per request (RequestRules.Apply,
// ResponseRules.Apply), which reads a small model of the request or
// response and reports the changes to make; it never touches the network,
// the store or the rest of the data plane. CheckRequest and CheckResponse
// are the same compilers, for the control plane to refuse a mapping when an
// integration is saved.
//
// The rules it implements, with their trust labels ([V] documented or
// verified, [O] observed in a peer's tests, [I] chosen here):
//
//   - Request keys: append|overwrite|remove:header.NAME,
//     append|overwrite|remove:querystring.NAME, overwrite:path. Response
//     keys, per backend status code "200".."599": append|overwrite|
//     remove:header.NAME, overwrite:statuscode [V]. The reserved headers of
//     the guide's "Reserved headers" list (docs/aws-behaviours.md#reserved-headers) cannot be mapped, on
//     either side [V]; header names must be HTTP tokens [I refusal].
//   - Values: $request.header.NAME and $response.header.NAME (case-
//     insensitive, repeated values comma-joined), $request.querystring.NAME
//     (case-sensitive, comma-joined), $request.body / $response.body (the
//     whole body) and $request.body.PATH / $response.body.PATH (a JSONPath
//     without ".." or filters, applied to the body cut at 100 KB) [V];
//     $request.path (without the stage) and $request.path.NAME [V];
//     $context.NAME (letters, digits, "." and "_") and
//     $stageVariables.NAME [V]; static text; several values in one string,
//     braced ("${request.path.name} ${request.path.id}") or not [V].
//     $request.* is refused on the response side and $response.* on the
//     request side [I refusal]: the guide lists neither.
//   - An unbraced variable ends where its name's characters end: header
//     names run over token characters except "$", query names over
//     letters, digits and "-._~", path parameters over the route syntax's
//     letters, digits and "._-", context names over letters, digits, "."
//     and "_", stage variables over letters, digits and "_"; a trailing "."
//     is text ("id is $context.requestId.") [I]. A "$" that does not start
//     $request., $response., $context. or $stageVariables. is text, so
//     "$5" and "$default" stay as written [I] (LocalStack's parser treats
//     "$1" the same way [O]).
//   - A value that is missing (no such header, parameter, variable, body
//     member, a JSON null, a body that is not JSON within 100 KB) drops the
//     whole mapping: the parameter is not sent, not sent empty; a present
//     empty value is sent empty [O] (LocalStack's next-gen mapper tests:
//     missing first or last value of a composite drops it, an empty body is
//     mapped as ""). remove: ignores its value [I]; the guide's examples
//     give "”".
//   - Body values: strings unescaped, other JSON values as their text in
//     the body ("1.0", "true", {"a":1} as sent) [I]; duplicate keys: the
//     last one [I] (encoding/json and Jackson both keep the last).
//   - Header values are trimmed of surrounding spaces and tabs, and a value
//     holding a control character (from a body or header) drops the mapping
//     rather than fail the upstream request [I]; static text with a control
//     character is refused at save [I refusal] (LocalStack notes AWS refuses
//     a value ending in "\n" [O]).
//   - All values are read from the request as the client sent it, then the
//     changes apply in order: removes, then overwrites, then appends, each
//     group in key order [I]; so "remove:header.a" with
//     "append:header.b": "$request.header.a" renames a header (the guide's
//     example).
//   - overwrite:statuscode takes effect when its value is a status code
//     between 200 and 599, the range of the response keys; other values are
//     ignored at run time and refused at save when static [I].
package mapping
