package payload

import (
	"bytes"
	"encoding/base64"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
)

// clfTime is the Common Log Format of requestContext.time (2.0) and
// requestTime (1.0): "12/Mar/2020:19:03:58 +0000" [V].
const clfTime = "02/Jan/2006:15:04:05 -0700"

// scratch is the per-call working space, pooled so that a request costs no
// allocation beyond the output buffer's growth.
type scratch struct {
	keys    []string
	names   []byte // lowercased header names, back to back (2.0)
	hdrs    []hdr
	cookies []string
	query   []qpair
}

// hdr is one header: its name (names[start:end] for 2.0, name for 1.0) and
// its values.
type hdr struct {
	start, end int
	name       string
	vals       []string
}

type qpair struct{ k, v string }

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

func getScratch() *scratch { return scratchPool.Get().(*scratch) }

func putScratch(s *scratch) {
	// Drop references into the request so that the pool keeps nothing alive.
	clear(s.keys[:cap(s.keys)])
	clear(s.hdrs[:cap(s.hdrs)])
	clear(s.cookies[:cap(s.cookies)])
	clear(s.query[:cap(s.query)])
	s.keys, s.names, s.hdrs, s.cookies, s.query = s.keys[:0], s.names[:0], s.hdrs[:0], s.cookies[:0], s.query[:0]
	scratchPool.Put(s)
}

// AppendEventV2 appends the payload 2.0 event of r to dst.
func AppendEventV2(dst []byte, r *Request) []byte {
	s := getScratch()
	defer putScratch(s)

	dst = append(dst, `{"version":"2.0","routeKey":`...)
	dst = appendQuoted(dst, r.RouteKey)
	dst = append(dst, `,"rawPath":`...)
	dst = appendQuoted(dst, stripBasePath(r.RawPath, r.BasePath))
	dst = append(dst, `,"rawQueryString":`...)
	dst = appendQuoted(dst, r.RawQuery)

	s.headersV2(r.Header)
	if len(s.cookies) > 0 {
		dst = append(dst, `,"cookies":`...)
		dst = appendStringList(dst, s.cookies)
	}
	dst = append(dst, `,"headers":{`...)
	for i := 0; i < len(s.hdrs); {
		name := s.names[s.hdrs[i].start:s.hdrs[i].end]
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendQuotedBytes(dst, name)
		dst = append(dst, ':', '"')
		// Repeated headers are joined with "," [V]; so are names that
		// differ only in case (a Header not built by net/http), which are
		// one header once lowercased.
		first := true
		for ; i < len(s.hdrs) && bytes.Equal(s.names[s.hdrs[i].start:s.hdrs[i].end], name); i++ {
			for _, v := range s.hdrs[i].vals {
				if !first {
					dst = append(dst, ',')
				}
				dst = appendInner(dst, v)
				first = false
			}
		}
		dst = append(dst, '"')
	}
	dst = append(dst, '}')

	s.query = parseQuery(r.RawQuery, s.query)
	if len(s.query) > 0 {
		dst = append(dst, `,"queryStringParameters":{`...)
		for i := 0; i < len(s.query); i++ {
			if i > 0 {
				if s.query[i].k == s.query[i-1].k {
					// Repeated keys: "a=1&a=2" is "1,2" [V]. Reopen the
					// previous value's string.
					dst = dst[:len(dst)-1]
					dst = append(dst, ',')
					dst = appendInner(dst, s.query[i].v)
					dst = append(dst, '"')
					continue
				}
				dst = append(dst, ',')
			}
			dst = appendQuoted(dst, s.query[i].k)
			dst = append(dst, ':')
			dst = appendQuoted(dst, s.query[i].v)
		}
		dst = append(dst, '}')
	}

	dst = append(dst, `,"requestContext":{"accountId":`...)
	dst = appendQuoted(dst, r.AccountID)
	dst = append(dst, `,"apiId":`...)
	dst = appendQuoted(dst, r.APIID)
	if r.Authorizer != nil {
		dst = append(dst, `,"authorizer":`...)
		dst = s.authorizerV2(dst, r.Authorizer)
	}
	dst = append(dst, `,"domainName":`...)
	dst = appendQuoted(dst, r.DomainName)
	dst = append(dst, `,"domainPrefix":`...)
	dst = appendQuoted(dst, domainPrefix(r.DomainName))
	dst = append(dst, `,"http":{"method":`...)
	dst = appendQuoted(dst, r.Method)
	dst = append(dst, `,"path":`...)
	dst = appendQuoted(dst, stripBasePath(r.Path, decodedBasePath(r.BasePath)))
	dst = append(dst, `,"protocol":`...)
	dst = appendQuoted(dst, r.Protocol)
	dst = append(dst, `,"sourceIp":`...)
	dst = appendQuoted(dst, r.SourceIP)
	dst = append(dst, `,"userAgent":`...)
	dst = appendQuoted(dst, r.UserAgent)
	dst = append(dst, `},"requestId":`...)
	dst = appendQuoted(dst, r.RequestID)
	dst = append(dst, `,"routeKey":`...)
	dst = appendQuoted(dst, r.RouteKey)
	dst = append(dst, `,"stage":`...)
	dst = appendQuoted(dst, r.Stage)
	dst = append(dst, `,"time":"`...)
	dst = r.Time.UTC().AppendFormat(dst, clfTime)
	dst = append(dst, `","timeEpoch":`...)
	dst = appendInt(dst, r.Time.UnixMilli())
	dst = append(dst, '}')

	b64 := false
	if len(r.Body) > 0 {
		dst = append(dst, `,"body":`...)
		dst, b64 = appendBody(dst, r)
	}
	if len(r.PathParameters) > 0 {
		dst = append(dst, `,"pathParameters":`...)
		dst, s.keys = appendStringMap(dst, r.PathParameters, s.keys)
	}
	dst = append(dst, `,"isBase64Encoded":`...)
	dst = appendBool(dst, b64)
	if len(r.StageVariables) > 0 {
		dst = append(dst, `,"stageVariables":`...)
		dst, s.keys = appendStringMap(dst, r.StageVariables, s.keys)
	}
	return append(dst, '}')
}

// AppendEventV1 appends the payload 1.0 event of r to dst.
func AppendEventV1(dst []byte, r *Request) []byte {
	s := getScratch()
	defer putScratch(s)

	resource := resourcePath(r.RouteKey)
	dst = append(dst, `{"version":"1.0","resource":`...)
	dst = appendQuoted(dst, resource)
	dst = append(dst, `,"path":`...)
	dst = appendQuoted(dst, r.Path)
	dst = append(dst, `,"httpMethod":`...)
	dst = appendQuoted(dst, r.Method)

	s.headersV1(r.Header)
	dst = append(dst, `,"headers":`...)
	if len(s.hdrs) == 0 {
		dst = append(dst, "null"...)
	} else {
		dst = append(dst, '{')
		for i, h := range s.hdrs {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendQuoted(dst, h.name)
			dst = append(dst, ':')
			dst = appendQuoted(dst, h.vals[len(h.vals)-1]) // the last value, as REST [V REST docs; I for HTTP APIs]
		}
		dst = append(dst, '}')
	}
	dst = append(dst, `,"multiValueHeaders":`...)
	if len(s.hdrs) == 0 {
		dst = append(dst, "null"...)
	} else {
		dst = append(dst, '{')
		for i, h := range s.hdrs {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendQuoted(dst, h.name)
			dst = append(dst, ':')
			dst = appendStringList(dst, h.vals)
		}
		dst = append(dst, '}')
	}

	s.query = parseQuery(r.RawQuery, s.query)
	dst = append(dst, `,"queryStringParameters":`...)
	if len(s.query) == 0 {
		dst = append(dst, "null"...)
	} else {
		dst = append(dst, '{')
		for i, q := range s.query {
			if i+1 < len(s.query) && s.query[i+1].k == q.k {
				continue // the last value wins, as in REST [O floci #3548; I for HTTP APIs]
			}
			if dst[len(dst)-1] != '{' {
				dst = append(dst, ',')
			}
			dst = appendQuoted(dst, q.k)
			dst = append(dst, ':')
			dst = appendQuoted(dst, q.v)
		}
		dst = append(dst, '}')
	}
	dst = append(dst, `,"multiValueQueryStringParameters":`...)
	if len(s.query) == 0 {
		dst = append(dst, "null"...)
	} else {
		dst = append(dst, '{')
		for i, q := range s.query {
			if i > 0 && s.query[i-1].k == q.k {
				dst = dst[:len(dst)-1] // reopen the list
				dst = append(dst, ',')
				dst = appendQuoted(dst, q.v)
				dst = append(dst, ']')
				continue
			}
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendQuoted(dst, q.k)
			dst = append(dst, ":["...)
			dst = appendQuoted(dst, q.v)
			dst = append(dst, ']')
		}
		dst = append(dst, '}')
	}

	dst = append(dst, `,"requestContext":{"accountId":`...)
	dst = appendQuoted(dst, r.AccountID)
	dst = append(dst, `,"apiId":`...)
	dst = appendQuoted(dst, r.APIID)
	if a := r.Authorizer; a != nil && a.Kind != AuthIAM {
		dst = append(dst, `,"authorizer":`...)
		dst = s.authorizerV1(dst, a)
	}
	dst = append(dst, `,"domainName":`...)
	dst = appendQuoted(dst, r.DomainName)
	dst = append(dst, `,"domainPrefix":`...)
	dst = appendQuoted(dst, domainPrefix(r.DomainName))
	dst = append(dst, `,"extendedRequestId":`...)
	dst = appendQuoted(dst, r.RequestID) // the same id in every capture [O]
	dst = append(dst, `,"httpMethod":`...)
	dst = appendQuoted(dst, r.Method)
	dst = append(dst, `,"identity":`...)
	dst = appendIdentityV1(dst, r)
	dst = append(dst, `,"path":`...)
	dst = appendQuoted(dst, r.Path)
	dst = append(dst, `,"protocol":`...)
	dst = appendQuoted(dst, r.Protocol)
	dst = append(dst, `,"requestId":`...)
	dst = appendQuoted(dst, r.RequestID)
	dst = append(dst, `,"requestTime":"`...)
	dst = r.Time.UTC().AppendFormat(dst, clfTime)
	dst = append(dst, `","requestTimeEpoch":`...)
	dst = appendInt(dst, r.Time.UnixMilli())
	dst = append(dst, `,"resourceId":`...)
	dst = appendQuoted(dst, r.RouteKey)
	dst = append(dst, `,"resourcePath":`...)
	dst = appendQuoted(dst, resource)
	dst = append(dst, `,"stage":`...)
	dst = appendQuoted(dst, r.Stage)
	dst = append(dst, '}')

	dst = append(dst, `,"pathParameters":`...)
	if len(r.PathParameters) == 0 {
		dst = append(dst, "null"...)
	} else {
		dst, s.keys = appendStringMap(dst, r.PathParameters, s.keys)
	}
	dst = append(dst, `,"stageVariables":`...)
	if len(r.StageVariables) == 0 {
		dst = append(dst, "null"...)
	} else {
		dst, s.keys = appendStringMap(dst, r.StageVariables, s.keys)
	}
	b64 := false
	dst = append(dst, `,"body":`...)
	if len(r.Body) == 0 {
		dst = append(dst, "null"...)
	} else {
		dst, b64 = appendBody(dst, r)
	}
	dst = append(dst, `,"isBase64Encoded":`...)
	dst = appendBool(dst, b64)
	return append(dst, '}')
}

// headersV2 collects r's headers lowercased and sorted, the Cookie headers
// apart, split into cookies.
func (s *scratch) headersV2(h http.Header) {
	for name, vals := range h {
		if len(vals) == 0 {
			continue
		}
		if strings.EqualFold(name, "Cookie") {
			for _, v := range vals {
				s.cookies = splitCookies(v, s.cookies)
			}
			continue
		}
		start := len(s.names)
		for i := 0; i < len(name); i++ {
			c := name[i]
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			s.names = append(s.names, c)
		}
		s.hdrs = append(s.hdrs, hdr{start: start, end: len(s.names), vals: vals})
	}
	slices.SortStableFunc(s.hdrs, func(a, b hdr) int {
		return bytes.Compare(s.names[a.start:a.end], s.names[b.start:b.end])
	})
}

// headersV1 collects r's headers as named, sorted bytewise (so "Host"
// before "accept", as in the captures).
func (s *scratch) headersV1(h http.Header) {
	for name, vals := range h {
		if len(vals) > 0 {
			s.hdrs = append(s.hdrs, hdr{name: name, vals: vals})
		}
	}
	slices.SortFunc(s.hdrs, func(a, b hdr) int { return strings.Compare(a.name, b.name) })
}

// splitCookies appends the cookies of one Cookie header value.
func splitCookies(v string, dst []string) []string {
	for v != "" {
		var c string
		c, v, _ = strings.Cut(v, ";")
		if c = strings.Trim(c, " \t"); c != "" {
			dst = append(dst, c)
		}
	}
	return dst
}

// parseQuery splits a raw query into decoded pairs sorted by key, the values
// of a key in the order sent. Empty segments ("a=1&&b=2") are skipped; a key
// without "=" has the value "" [I]; a key or value whose escapes do not
// decode is kept as sent [I].
func parseQuery(raw string, dst []qpair) []qpair {
	dst = dst[:0]
	for raw != "" {
		var seg string
		seg, raw, _ = strings.Cut(raw, "&")
		if seg == "" {
			continue
		}
		k, v, _ := strings.Cut(seg, "=")
		dst = append(dst, qpair{queryUnescape(k), queryUnescape(v)})
	}
	slices.SortStableFunc(dst, func(a, b qpair) int { return strings.Compare(a.k, b.k) })
	return dst
}

func queryUnescape(s string) string {
	if strings.IndexByte(s, '%') < 0 && strings.IndexByte(s, '+') < 0 {
		return s
	}
	u, err := url.QueryUnescape(s)
	if err != nil {
		return s
	}
	return u
}

// appendBody appends the body as text or as base64 (docs/aws-behaviours.md#lambda-proxy) and says
// which.
func appendBody(dst []byte, r *Request) ([]byte, bool) {
	if isText(r.Header.Get("Content-Type")) {
		return appendQuotedBytes(dst, r.Body), false
	}
	dst = append(dst, '"')
	dst = base64.StdEncoding.AppendEncode(dst, r.Body)
	return append(dst, '"'), true
}

// isText reports whether a request body of this Content-Type reaches the
// function as text: text/*, application/json, application/xml and
// application/javascript only [R ministack #766, measured on AWS]. The
// type is compared without its parameters and case [I]; +json and +xml
// suffixes are not text [I], see the package doc.
func isText(contentType string) bool {
	mt, _, _ := strings.Cut(contentType, ";")
	mt = strings.TrimSpace(mt)
	if len(mt) >= 5 && strings.EqualFold(mt[:5], "text/") {
		return len(mt) > 5
	}
	return strings.EqualFold(mt, "application/json") ||
		strings.EqualFold(mt, "application/xml") ||
		strings.EqualFold(mt, "application/javascript")
}

// domainPrefix is the first label of the domain name [V].
func domainPrefix(domain string) string {
	p, _, _ := strings.Cut(domain, ".")
	return p
}

// resourcePath is the path of a route key: "GET /pets/{id}" -> "/pets/{id}",
// "$default" -> "$default" [O 1.0 captures].
func resourcePath(routeKey string) string {
	if _, p, ok := strings.Cut(routeKey, " "); ok {
		return p
	}
	return routeKey
}

// stripBasePath removes a custom domain's API mapping base path from the
// front of p; what is left of "/orders" alone is "/" [I].
func stripBasePath(p, base string) string {
	if base == "" || base == "/" || !strings.HasPrefix(p, base) {
		return p
	}
	rest := p[len(base):]
	if rest == "" {
		return "/"
	}
	if rest[0] != '/' {
		return p // "/orders2" does not start with the base path "/orders"
	}
	return rest
}

func decodedBasePath(base string) string {
	if strings.IndexByte(base, '%') < 0 {
		return base
	}
	if d, err := url.PathUnescape(base); err == nil {
		return d
	}
	return base
}

// authorizerV2 appends requestContext.authorizer of 2.0 [O aws-lambda-go
// apigw-v2-request-{jwt-authorizer,lambda-authorizer,iam}.json].
func (s *scratch) authorizerV2(dst []byte, a *Authorizer) []byte {
	switch a.Kind {
	case AuthJWT:
		dst = append(dst, `{"jwt":{"claims":`...)
		dst, s.keys = appendStringMap(dst, a.JWTClaims, s.keys)
		dst = append(dst, `,"scopes":`...)
		dst = appendStringList(dst, a.JWTScopes)
		return append(dst, "}}"...)
	case AuthLambda:
		dst = append(dst, `{"lambda":`...)
		dst = s.appendContext(dst, a.LambdaContext, "")
		return append(dst, '}')
	case AuthIAM:
		id := a.IAM
		if id == nil {
			id = &IAMIdentity{}
		}
		dst = append(dst, `{"iam":{"accessKey":`...)
		dst = appendStringOrNull(dst, id.AccessKey)
		dst = append(dst, `,"accountId":`...)
		dst = appendStringOrNull(dst, id.AccountID)
		dst = append(dst, `,"callerId":`...)
		dst = appendStringOrNull(dst, id.CallerID)
		dst = append(dst, `,"cognitoIdentity":`...)
		if c := id.CognitoIdentity; c == nil {
			dst = append(dst, "null"...)
		} else {
			dst = append(dst, `{"amr":`...)
			dst = appendStringList(dst, c.AMR)
			dst = append(dst, `,"identityId":`...)
			dst = appendStringOrNull(dst, c.IdentityID)
			dst = append(dst, `,"identityPoolId":`...)
			dst = appendStringOrNull(dst, c.IdentityPoolID)
			dst = append(dst, '}')
		}
		dst = append(dst, `,"principalOrgId":`...)
		dst = appendStringOrNull(dst, id.PrincipalOrgID)
		dst = append(dst, `,"userArn":`...)
		dst = appendStringOrNull(dst, id.UserARN)
		dst = append(dst, `,"userId":`...)
		dst = appendStringOrNull(dst, id.UserID)
		return append(dst, "}}"...)
	}
	return append(dst, "{}"...)
}

// authorizerV1 appends requestContext.authorizer of 1.0: {claims, scopes}
// for JWT [O awsdocs issue #113], the Lambda context flat with principalId
// as REST sends it [I].
func (s *scratch) authorizerV1(dst []byte, a *Authorizer) []byte {
	if a.Kind == AuthJWT {
		dst = append(dst, `{"claims":`...)
		if a.JWTClaims == nil {
			dst = append(dst, "null"...)
		} else {
			dst, s.keys = appendStringMap(dst, a.JWTClaims, s.keys)
		}
		dst = append(dst, `,"scopes":`...)
		dst = appendStringList(dst, a.JWTScopes)
		return append(dst, '}')
	}
	return s.appendContext(dst, a.LambdaContext, a.PrincipalID)
}

// appendContext appends a Lambda authorizer's context as an object with
// sorted keys; a non-empty principalID is one more member, over any
// "principalId" of the context.
func (s *scratch) appendContext(dst []byte, ctx map[string]any, principalID string) []byte {
	s.keys = sortedKeys(ctx, s.keys)
	if principalID != "" {
		if _, dup := ctx["principalId"]; !dup {
			s.keys = append(s.keys, "principalId")
			slices.Sort(s.keys)
		}
	}
	dst = append(dst, '{')
	for i, k := range s.keys {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendQuoted(dst, k)
		dst = append(dst, ':')
		if k == "principalId" && principalID != "" {
			dst = appendQuoted(dst, principalID)
			continue
		}
		switch v := ctx[k].(type) {
		case string:
			dst = appendQuoted(dst, v)
		case bool:
			dst = appendBool(dst, v)
		case nil:
			dst = append(dst, "null"...)
		default:
			dst = appendAnyValue(dst, v)
		}
	}
	return append(dst, '}')
}

// appendIdentityV1 appends requestContext.identity of 1.0: the thirteen
// members of the captures, in their order, null unless known [O]. An IAM
// caller fills the members REST fills for IAM [I].
func appendIdentityV1(dst []byte, r *Request) []byte {
	var id IAMIdentity
	if a := r.Authorizer; a != nil && a.Kind == AuthIAM && a.IAM != nil {
		id = *a.IAM
	}
	var cog CognitoIdentity
	cogAMR := []string(nil)
	if id.CognitoIdentity != nil {
		cog = *id.CognitoIdentity
		cogAMR = cog.AMR
	}
	dst = append(dst, `{"accessKey":`...)
	dst = appendStringOrNull(dst, id.AccessKey)
	dst = append(dst, `,"accountId":`...)
	dst = appendStringOrNull(dst, id.AccountID)
	dst = append(dst, `,"caller":`...)
	dst = appendStringOrNull(dst, id.CallerID)
	dst = append(dst, `,"cognitoAmr":`...)
	dst = appendStringList(dst, cogAMR)
	dst = append(dst, `,"cognitoAuthenticationProvider":null,"cognitoAuthenticationType":null,"cognitoIdentityId":`...)
	dst = appendStringOrNull(dst, cog.IdentityID)
	dst = append(dst, `,"cognitoIdentityPoolId":`...)
	dst = appendStringOrNull(dst, cog.IdentityPoolID)
	dst = append(dst, `,"principalOrgId":`...)
	dst = appendStringOrNull(dst, id.PrincipalOrgID)
	dst = append(dst, `,"sourceIp":`...)
	dst = appendQuoted(dst, r.SourceIP)
	dst = append(dst, `,"user":`...)
	dst = appendStringOrNull(dst, id.UserID)
	dst = append(dst, `,"userAgent":`...)
	dst = appendQuoted(dst, r.UserAgent) // "" when none, not null [O]
	dst = append(dst, `,"userArn":`...)
	dst = appendStringOrNull(dst, id.UserARN)
	return append(dst, '}')
}

func sortedKeys[V any](m map[string]V, keys []string) []string {
	keys = keys[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
