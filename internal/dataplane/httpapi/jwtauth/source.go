package jwtauth

import (
	"fmt"
	"net/http"
	"net/textproto"
	"strings"
)

// DefaultIdentitySource is where a JWT authorizer reads the token when its
// configuration names none (developer guide, "Control access to HTTP APIs
// with JWT authorizers").
const DefaultIdentitySource = "$request.header.Authorization"

// Source is where a request carries its token: one header or one
// query-string parameter, parsed from the authorizer's identity source.
type Source struct {
	// Query is true for $request.querystring.{Name}, false for
	// $request.header.{Name}.
	Query bool
	// Name is the header's name in canonical form ("Authorization") or the
	// parameter's name as written.
	Name string
}

// Lookup returns the value of src in the request being authorized, and
// whether the request has it. The engine gives one per request; for a
// header it is the first value, for a query parameter the first
// occurrence, decoded [I].
type Lookup func(src Source) (string, bool)

// RequestLookup is a Lookup on r. It parses r's query string at each call
// for a query source; an engine that has parsed it already can give its own.
func RequestLookup(r *http.Request) Lookup {
	return func(src Source) (string, bool) {
		if src.Query {
			vs, ok := r.URL.Query()[src.Name]
			if !ok || len(vs) == 0 {
				return "", false
			}
			return vs[0], true
		}
		vs := r.Header[src.Name]
		if len(vs) == 0 {
			return "", false
		}
		return vs[0], true
	}
}

// ParseSource parses an identity source of a JWT authorizer. The control
// plane accepts exactly these two forms for JWT authorizers
// (internal/apigw/authorizers.go, jwtIdentitySource).
func ParseSource(expr string) (Source, error) {
	if expr == "" {
		expr = DefaultIdentitySource
	}
	switch {
	case strings.HasPrefix(expr, "$request.header."):
		name := expr[len("$request.header."):]
		if name == "" || !validHeaderName(name) {
			break
		}
		return Source{Name: textproto.CanonicalMIMEHeaderKey(name)}, nil
	case strings.HasPrefix(expr, "$request.querystring."):
		name := expr[len("$request.querystring."):]
		if name == "" {
			break
		}
		return Source{Query: true, Name: name}, nil
	}
	return Source{}, fmt.Errorf("jwtauth: identity source %q is not $request.header.{name} or $request.querystring.{name}", expr)
}

// String is the source as an identity-source expression.
func (s Source) String() string {
	if s.Query {
		return "$request.querystring." + s.Name
	}
	return "$request.header." + s.Name
}

// validHeaderName reports whether name is an HTTP token (RFC 9110 5.1).
func validHeaderName(name string) bool {
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// tokenOf takes the token out of an identity source's value: the value
// itself, or what follows "Bearer " (developer guide: "The identitySource
// can include only the token, or the token prefixed with Bearer"). The
// scheme is matched without regard to case, as HTTP authentication schemes
// are (RFC 9110 11.1), and any run of spaces may follow it [I: AWS's
// handling of "bearer" is not documented]. Surrounding spaces are dropped.
func tokenOf(v string) string {
	v = strings.Trim(v, " \t")
	if strings.EqualFold(v, "Bearer") {
		return "" // the scheme and no token
	}
	if len(v) > len("Bearer") && strings.EqualFold(v[:len("Bearer")], "Bearer") && (v[len("Bearer")] == ' ' || v[len("Bearer")] == '\t') {
		v = strings.TrimLeft(v[len("Bearer"):], " \t")
	}
	return v
}
