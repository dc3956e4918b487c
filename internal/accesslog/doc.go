// Package accesslog writes a stage's access log as AWS does for HTTP and
// WebSocket APIs: one entry per request (or WebSocket event) in the format
// of the stage's accessLogSettings, to the log group its destinationArn
// names. It is a pure building block of the engines: it knows nothing of
// the store or of requests.
//
// Once per compiled stage:
//
//	format, err := accesslog.Compile(*settings.Format)          // at most 3 KB
//	group, err := accesslog.LogGroup(*settings.DestinationArn)  // the log group's name
//
// Per request, after the answer is written, into a buffer the caller
// reuses:
//
//	buf = format.Render(buf[:0], lookup) // lookup("status") -> ("200", true)
//	sink.Write(group, buf)               // never fails the request
//
// and for GET /_portico/logs/{log-group}?limit=N, sink.Tail(group, N).
//
// # The format
//
// Literal text and $context.NAME variables (NAME without "$context."
// reaches lookup). Where a name ends, what a missing value prints ("-")
// and why values are not escaped: see nextVariable, Missing and Render.
// The names the engines answer are spec/data-plane.md B.11 (HTTP APIs,
// docs/aws-behaviours.md#http-context) and A.10 (WebSocket APIs:
// connectionId, connectedAt, eventType, messageId...). The rules the
// control plane applies when a format is saved are in
// internal/apigw/accesslogformat.go; HTTPVariable is their list of HTTP
// API names.
//
// # The sink
//
// With a directory: one file per log group (a name that cannot leave the
// directory, see fileName), appended with O_APPEND, rotated by size
// (DefaultMaxFileBytes, DefaultMaxBackups kept), every entry one line.
// Without one (--in-memory): a bounded ring of entries per group. Either
// way an optional Mirror writer (standard output) gets "{log group}
// {entry}" lines. CloudWatch Logs itself is not called: Portico is local,
// and its log groups are these files [I].
//
// Tags as in docs/aws-behaviours.md#trust-tags: [V] real AWS output quoted
// in public, [D] documented by AWS, [I] chosen here (each with a test).
package accesslog
