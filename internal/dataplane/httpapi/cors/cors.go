// Package cors answers CORS for HTTP APIs from the API's corsConfiguration
// (docs/aws-behaviours.md#cors-http; AWS
// developer guide, "Configure CORS for HTTP APIs in API Gateway"). A
// configuration is compiled once per deployment (New); per request,
// Preflight answers OPTIONS preflights and Apply puts the CORS headers on
// integration responses.
//
// The rules, with their trust labels ([V] documented or verified against
// AWS, [O] observed in a peer's AWS-validated tests, [I] chosen here):
//
//   - An API without corsConfiguration has no Policy: its OPTIONS requests
//     go to its routes like any other (LocalStack's AWS-validated
//     no-CORS-config test gets 404 for a preflight to a path with no
//     OPTIONS route [O]).
//   - API Gateway answers preflights itself, even with no OPTIONS route; a
//     preflight is an OPTIONS request with Origin and
//     Access-Control-Request-Method [V]. The answer is 204 with no body,
//     and a preflight that does not match gets no Access-Control-* headers
//     [I] (docs/aws-behaviours.md#cors-http).
//   - A preflight matches when its origin is allowed, its method is in
//     allowMethods (or allowMethods holds "*") and every header it asks for
//     is in allowHeaders (or "*") [O]: LocalStack's AWS-validated
//     "partial CORS config never matches" test notes that with neither
//     methods nor headers configured no request matches. Methods and
//     header names compare without regard to case [I].
//   - Origins: "*" allows any; "https://*" and "http://*" any origin that
//     begins with that scheme [V]; any other entry is one origin, compared
//     without regard to case as scheme and host are [I] (an entry without a
//     scheme, which the control plane stores, matches no browser's Origin
//     [I]). Partial wildcards ("https://*.example.com") are refused, as
//     AWS refuses them when the API is saved [O] (LocalStack
//     no-partial-wildcard).
//   - Access-Control-Allow-Origin is "*" when "*" is configured, else the
//     request's own origin [I]: a browser needs its exact origin back, and
//     a pattern such as "https://*" is no value for the header.
//   - Access-Control-Allow-Methods is the configured list; with "*" it is
//     the method asked for, which also works with credentials, where
//     browsers read "*" as a method name [I]. Access-Control-Allow-Headers
//     is the configured list, or with "*" the headers asked for [I]; it is
//     sent even empty, as AWS does [O] (LocalStack records that AWS returns
//     an empty access-control-allow-headers). Access-Control-Max-Age when
//     maxAge is set, Access-Control-Allow-Credentials: true when
//     allowCredentials [V] (the guide's table of fields and headers).
//   - Responses to requests with an allowed Origin get Allow-Origin,
//     Allow-Credentials and Access-Control-Expose-Headers [V]; "If you
//     configure CORS for an API, API Gateway ignores CORS headers returned
//     from your backend integration" [V], so the backend's Access-Control-*
//     headers are removed from every response, whatever its origin [V].
//     The method of an actual request is not checked [I]: CORS leaves that
//     to the preflight.
//   - Vary: Origin is added to every answer that depends on the origin,
//     that is unless "*" is configured [I]: caches must not serve one
//     origin's answer to another.
package cors

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// Config is an API's corsConfiguration.
type Config struct {
	AllowOrigins     []string
	AllowMethods     []string
	AllowHeaders     []string
	ExposeHeaders    []string
	MaxAge           *int // nil: not configured; -1 to 86400
	AllowCredentials bool
}

// Policy is a compiled Config. Its methods are safe for concurrent use.
type Policy struct {
	anyOrigin bool
	origins   []string // exact origins
	schemes   []string // "http://", "https://": any origin with that scheme

	anyMethod bool
	methods   []string // upper case
	anyHeader bool
	headers   []string // as configured; compared without regard to case

	// Header values computed once. They are shared by every answer: they
	// have len == cap, so appending to them copies, but they must not be
	// written in place.
	allowMethods  []string
	allowHeaders  []string
	exposeHeaders []string
	maxAge        []string
	credentials   []string
	star          []string
	vary          []string
}

// The headers, canonical.
const (
	allowOrigin      = "Access-Control-Allow-Origin"
	allowCredentials = "Access-Control-Allow-Credentials"
	allowMethods     = "Access-Control-Allow-Methods"
	allowHeaders     = "Access-Control-Allow-Headers"
	exposeHeaders    = "Access-Control-Expose-Headers"
	maxAge           = "Access-Control-Max-Age"
	requestMethod    = "Access-Control-Request-Method"
	requestHeaders   = "Access-Control-Request-Headers"
)

// methods are those allowMethods may hold (internal/apigw, cors.go).
var methods = map[string]bool{"GET": true, "POST": true, "PUT": true, "PATCH": true, "DELETE": true,
	"HEAD": true, "OPTIONS": true, "*": true}

// New compiles a configuration. The control plane refuses the same
// configurations when the API is saved; New refuses them again for
// configurations that did not come through it.
func New(c Config) (*Policy, error) {
	p := &Policy{star: one("*"), vary: one("Origin")}
	for _, o := range c.AllowOrigins {
		switch {
		case o == "*":
			p.anyOrigin = true
		case strings.EqualFold(o, "http://*") || strings.EqualFold(o, "https://*"):
			p.schemes = append(p.schemes, o[:len(o)-1])
		case o == "" || strings.ContainsAny(o, "* \t\r\n") || !printable(o):
			return nil, fmt.Errorf("invalid allowOrigins entry %q: an origin, \"*\", \"http://*\" or \"https://*\"", o)
		default:
			p.origins = append(p.origins, o)
		}
	}
	if c.AllowCredentials && p.anyOrigin {
		// [V] the control plane's text (aws-cdk #9076).
		return nil, fmt.Errorf("allow-credentials is not supported if 'allow-origin' is *")
	}
	for _, m := range c.AllowMethods {
		u := strings.ToUpper(m)
		if !methods[u] {
			return nil, fmt.Errorf("invalid allowMethods entry %q", m)
		}
		if u == "*" {
			p.anyMethod = true
		}
		p.methods = append(p.methods, u)
	}
	for _, h := range c.AllowHeaders {
		if !validHeader(h) {
			return nil, fmt.Errorf("invalid allowHeaders entry %q: a header name or \"*\"", h)
		}
		if h == "*" {
			p.anyHeader = true
		}
		p.headers = append(p.headers, h)
	}
	for _, h := range c.ExposeHeaders {
		if !validHeader(h) {
			return nil, fmt.Errorf("invalid exposeHeaders entry %q: a header name or \"*\"", h)
		}
	}
	if c.MaxAge != nil {
		if *c.MaxAge < -1 || *c.MaxAge > 86400 {
			return nil, fmt.Errorf("invalid maxAge %d: -1 to 86400", *c.MaxAge)
		}
		p.maxAge = one(strconv.Itoa(*c.MaxAge))
	}
	if c.AllowCredentials {
		p.credentials = one("true")
	}
	p.allowMethods = one(strings.Join(p.methods, ","))
	p.allowHeaders = one(strings.Join(p.headers, ","))
	if len(c.ExposeHeaders) > 0 {
		p.exposeHeaders = one(strings.Join(c.ExposeHeaders, ","))
	}
	return p, nil
}

// one is a header value; a composite literal has len == cap.
func one(v string) []string { return []string{v} }

func printable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < ' ' || s[i] == 0x7f {
			return false
		}
	}
	return true
}

// validHeader: "*" or an RFC 9110 token (internal/apigw, cors.go).
func validHeader(h string) bool {
	if h == "*" {
		return true
	}
	if h == "" {
		return false
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// allowedOrigin returns the Access-Control-Allow-Origin value for a
// request's Origin, or nil when the origin is not allowed.
func (p *Policy) allowedOrigin(origin string) []string {
	if origin == "" {
		return nil
	}
	if p.anyOrigin {
		return p.star
	}
	for _, o := range p.origins {
		if strings.EqualFold(o, origin) {
			return []string{origin}
		}
	}
	for _, s := range p.schemes {
		if len(origin) > len(s) && strings.EqualFold(origin[:len(s)], s) {
			return []string{origin}
		}
	}
	return nil
}

// Preflight answers a CORS preflight. ok reports whether r is one (OPTIONS
// with Origin and Access-Control-Request-Method), which the gateway
// answers itself with 204 and the headers returned; they are empty (but
// for Vary) when the preflight does not match the configuration. When ok
// is false, r is an ordinary request for the routes.
func (p *Policy) Preflight(r *http.Request) (http.Header, bool) {
	if !IsPreflight(r) {
		return nil, false
	}
	h := make(http.Header, 7)
	p.WritePreflight(h, r)
	return h, true
}

// IsPreflight reports whether r is a CORS preflight.
func IsPreflight(r *http.Request) bool {
	return r.Method == http.MethodOptions && r.Header.Get("Origin") != "" && r.Header.Get(requestMethod) != ""
}

// WritePreflight writes the answer to the preflight r into h (a
// ResponseWriter's header, to spare a map); it reports whether the
// preflight matched. Values may be shared between answers: replace them,
// do not write into them.
func (p *Policy) WritePreflight(h http.Header, r *http.Request) bool {
	if !p.anyOrigin {
		h["Vary"] = p.vary
	}
	origin := p.allowedOrigin(r.Header.Get("Origin"))
	if origin == nil {
		return false
	}
	method := r.Header.Get(requestMethod)
	if !p.methodAllowed(method) {
		return false
	}
	asked := r.Header.Values(requestHeaders)
	if !p.headersAllowed(asked) {
		return false
	}
	h[allowOrigin] = origin
	if p.credentials != nil {
		h[allowCredentials] = p.credentials
	}
	if p.anyMethod {
		h[allowMethods] = []string{method}
	} else {
		h[allowMethods] = p.allowMethods
	}
	if p.anyHeader {
		h[allowHeaders] = []string{joinHeaders(asked)}
	} else {
		h[allowHeaders] = p.allowHeaders
	}
	if p.maxAge != nil {
		h[maxAge] = p.maxAge
	}
	return true
}

func (p *Policy) methodAllowed(m string) bool {
	if p.anyMethod {
		return true
	}
	for _, a := range p.methods {
		if strings.EqualFold(a, m) {
			return true
		}
	}
	return false
}

// headersAllowed: every name in the Access-Control-Request-Headers lines
// (comma-separated lists) is allowed.
func (p *Policy) headersAllowed(lines []string) bool {
	if p.anyHeader {
		return true
	}
	for _, line := range lines {
		for line != "" {
			var name string
			name, line, _ = strings.Cut(line, ",")
			if name = strings.Trim(name, " \t"); name != "" && !p.headerAllowed(name) {
				return false
			}
		}
	}
	return true
}

func (p *Policy) headerAllowed(name string) bool {
	for _, a := range p.headers {
		if strings.EqualFold(a, name) {
			return true
		}
	}
	return false
}

// joinHeaders: the names asked for, as one list without empty items.
func joinHeaders(lines []string) string {
	var b strings.Builder
	for _, line := range lines {
		for line != "" {
			var name string
			name, line, _ = strings.Cut(line, ",")
			if name = strings.Trim(name, " \t"); name != "" {
				if b.Len() > 0 {
					b.WriteByte(',')
				}
				b.WriteString(name)
			}
		}
	}
	return b.String()
}

// Apply puts CORS on the response h to a request whose Origin header was
// reqOrigin ("" for none): it removes the backend's Access-Control-*
// headers, and when the origin is allowed adds Allow-Origin,
// Allow-Credentials and Expose-Headers. Values may be shared between
// responses: replace them, do not write into them.
func (p *Policy) Apply(reqOrigin string, h http.Header) {
	for k := range h {
		if len(k) > len("Access-Control-") && strings.EqualFold(k[:len("Access-Control-")], "Access-Control-") {
			delete(h, k)
		}
	}
	if !p.anyOrigin {
		addVary(h, p.vary)
	}
	origin := p.allowedOrigin(reqOrigin)
	if origin == nil {
		return
	}
	h[allowOrigin] = origin
	if p.credentials != nil {
		h[allowCredentials] = p.credentials
	}
	if p.exposeHeaders != nil {
		h[exposeHeaders] = p.exposeHeaders
	}
}

// addVary adds Origin to the response's Vary unless it is there (or "*").
func addVary(h http.Header, vary []string) {
	old, ok := h["Vary"]
	if !ok {
		h["Vary"] = vary
		return
	}
	for _, line := range old {
		for line != "" {
			var v string
			v, line, _ = strings.Cut(line, ",")
			if v = strings.Trim(v, " \t"); strings.EqualFold(v, "Origin") || v == "*" {
				return
			}
		}
	}
	h["Vary"] = append(old, "Origin")
}
