// Package payload builds the Lambda proxy (AWS_PROXY) request events of HTTP
// APIs and parses the Lambda's answers, for both payload format versions,
// "1.0" and "2.0". It is a pure building block of the HTTP API engine: it
// knows nothing of the store, of listeners or of routing. The engine fills a
// Request and gets the event's JSON bytes; it hands the function's result to
// ParseResult and writes the Response it gets back, or answers 500
// {"message":"Internal Server Error"} on an error.
//
// # Where the rules come from
//
// docs/aws-behaviours.md#lambda-proxy, and the AWS developer guide page
// "Create AWS Lambda proxy integrations for HTTP APIs"
// (http-api-develop-integrations-lambda). Member names, nesting, presence and
// JSON types follow captures of real events: the aws-lambda-go test events
// kept in testdata/reference (see its README), and the real HTTP API events
// quoted in public projects (cited where used). Tags as in the spec: [V] AWS
// documentation, [O] a real capture, [R] reported by a third party, [I]
// chosen here without evidence (each [I] rule has a test).
//
// # Payload 2.0 event (B.4)
//
//   - Members in AWS's order: version, routeKey, rawPath, rawQueryString,
//     cookies, headers, queryStringParameters, requestContext, body,
//     pathParameters, isBase64Encoded, stageVariables [V doc example];
//     requestContext members in alphabetical order, as in the captures [O].
//   - Header names lowercased; repeated headers joined with "," [V].
//   - cookies: every Cookie header split at ";" and trimmed; the cookie
//     header is then left out of headers [O awsdocs nodejs-apig event-v2.json,
//     mangum #153]. Splitting at a bare ";" (not only "; ") is [I].
//   - rawQueryString as sent, "" when there is none [O];
//     queryStringParameters decoded ("+" is a space), repeated keys joined
//     with ",", absent when there is no parameter [O]. A pair whose escapes do
//     not decode keeps its raw text [I].
//   - body absent and isBase64Encoded false for a bodiless request [O
//     aws-lambda-go no-authorizer capture, 2022 POST capture quoted below].
//   - The body is text only for text/*, application/json, application/xml and
//     application/javascript [R ministack #766, measured]; everything else
//     (no Content-Type, form posts, images, and also +json/+xml suffixes such
//     as application/vnd.api+json) is base64 with isBase64Encoded true. Media
//     type parameters (charset=...) and case are ignored [I]; the suffix rule
//     follows the measured whitelist literally, so that a function that works
//     here does not break on AWS [I].
//   - pathParameters and stageVariables absent when empty [O].
//   - requestContext.authorizer only when an authorizer ran: {"jwt":{claims,
//     scopes}}, {"lambda":{...}} or {"iam":{...}} [O aws-lambda-go captures].
//
// # Payload 1.0 event (B.4)
//
// The REST-compatible shape, as HTTP APIs send it [O: 2021-2024 captures of
// HTTP API 1.0 events quoted in spring-cloud-function's tests and in public
// READMEs]: version "1.0"; resource and requestContext.resourcePath are the
// route's path ("/pets/{id}", "$default" for the $default route);
// requestContext.resourceId is the route key; headers keep their names (Go's
// canonical form here) with the last value, multiValueHeaders all values;
// the Cookie header stays; queryStringParameters the last value and
// multiValueQueryStringParameters all values, both null without a query;
// pathParameters, stageVariables and body null when empty;
// requestContext.identity lists the thirteen members of the captures, null
// unless known; requestContext.authorizer is absent without an authorizer [O]
// and {claims, scopes} with a JWT one [O awsdocs issue #113].
//
// # Results (B.5)
//
// 2.0: a JSON object with a statusCode member is a structured answer
// (statusCode, headers, cookies, body, isBase64Encoded; multiValueHeaders is
// ignored [R powertools-lambda-python #2464]); any other valid JSON is a 200
// with content-type application/json whose body is the JSON text, except a
// JSON string, whose body is the string itself [V doc table; AWS SAM CLI
// does the same]. 1.0: an object with statusCode, headers and
// multiValueHeaders merged as REST merges them (both lists, a pair present in
// both only once [V REST proxy docs]). Member values are coerced the way a
// default Jackson mapper does (a number where a string is expected becomes
// its text, "200" is a status code, null is absent) [I]. A structured
// answer without Content-Type is sent as text/plain [R, see result.go]. A
// header name that is not an HTTP token or a value with a control character
// is an error, not a header dropped [I]. Results are bounded: over Lambda's
// 6 MB, or nested deeper than encoding/json's 10000 levels, they are errors;
// members nobody reads are skipped, never decoded. Anything else invalid is
// an error too, wrapping ErrInvalidResult; the engine answers 500.
//
// # Cost
//
// Events are appended to a caller's buffer with no allocation once that
// buffer has grown (pooled scratch space sorts the maps); see bench_test.go.
package payload
