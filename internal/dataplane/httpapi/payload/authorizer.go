package payload

import "bytes"

// Lambda REQUEST authorizer events of HTTP APIs (developer guide,
// "Control access to HTTP APIs with AWS Lambda authorizers", payload format
// examples; package lambdaauth runs the authorizer). Each is the request
// event of the same version with the authorizer's own members after
// "version" and without the request body:
//
//   - 2.0: type "REQUEST", routeArn, identitySource (the values, in the
//     authorizer's order), then the 2.0 request event without body and
//     isBase64Encoded, as the docs' example shows it [V shape].
//   - 1.0: type "REQUEST", methodArn, identitySource and authorizationToken
//     (both the values joined with ",", as in the docs' example), then the
//     1.0 request event without body and isBase64Encoded [V shape]. It keeps
//     multiValueHeaders and multiValueQueryStringParameters, which REST's
//     REQUEST authorizer events carry and the docs' (abridged) example leaves
//     out [I].
//
// Written from the request events' writers (event.go), so that an authorizer
// and its route's integration see the same headers, query and context.

// v2Head and v1Head open every request event (event.go).
const (
	v2Head = `{"version":"2.0"`
	v1Head = `{"version":"1.0"`
)

// AppendAuthorizerEventV2 appends the payload 2.0 authorizer event of r to
// dst. r.Body and r.Authorizer are not used. An empty identitySource is sent
// as [] [I].
func AppendAuthorizerEventV2(dst []byte, r *Request, routeArn string, identitySource []string) []byte {
	dst = append(dst, v2Head...)
	dst = append(dst, `,"type":"REQUEST","routeArn":`...)
	dst = appendQuoted(dst, routeArn)
	dst = append(dst, `,"identitySource":`...)
	if identitySource == nil {
		identitySource = []string{}
	}
	dst = appendStringList(dst, identitySource)
	return appendRequestTail(dst, V2, r)
}

// AppendAuthorizerEventV1 appends the payload 1.0 authorizer event of r to
// dst. r.Body and r.Authorizer are not used. With no identity source both
// identitySource and authorizationToken are "" [I].
func AppendAuthorizerEventV1(dst []byte, r *Request, methodArn string, identitySource []string) []byte {
	dst = append(dst, v1Head...)
	dst = append(dst, `,"type":"REQUEST","methodArn":`...)
	dst = appendQuoted(dst, methodArn)
	dst = append(dst, `,"identitySource":`...)
	start := len(dst)
	dst = append(dst, '"')
	for i, v := range identitySource {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendInner(dst, v)
	}
	dst = append(dst, '"')
	end := len(dst)
	// authorizationToken is the same string [V docs' example].
	dst = append(dst, `,"authorizationToken":`...)
	dst = append(dst, dst[start:end]...)
	return appendRequestTail(dst, V1, r)
}

// appendRequestTail appends the request event of version v for r, bodiless
// and without authorizer, minus its opening head (dst already holds it) and
// minus isBase64Encoded (and 1.0's body: null).
func appendRequestTail(dst []byte, v Version, r *Request) []byte {
	rr := *r
	rr.Body, rr.Authorizer = nil, nil
	mark := len(dst)
	dst = v.AppendEvent(dst, &rr)
	head, tail := v2Head, `,"isBase64Encoded":false`
	if v == V1 {
		head, tail = v1Head, `,"body":null,"isBase64Encoded":false`
	}
	// Drop the event's own head, so that its next member follows ours.
	dst = append(dst[:mark], dst[mark+len(head):]...)
	// The member to drop is written structurally by the writer: inside a
	// JSON string every quote is escaped, and no data map (headers, query,
	// path parameters, stage variables) has an unquoted false value, so the
	// last occurrence is that member. 1.0 writes it last, 2.0 before
	// stageVariables.
	// (TestAuthorizerEvent* in package lambdaauth would see it missing.)
	if i := bytes.LastIndex(dst[mark:], []byte(tail)); i >= 0 {
		i += mark
		dst = append(dst[:i], dst[i+len(tail):]...)
	}
	return dst
}
