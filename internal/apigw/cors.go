package apigw

import (
	"context"
	"strings"

	"github.com/portico-dev/portico/internal/awsproto"
	"github.com/portico-dev/portico/internal/store"
)

// CORS configuration of HTTP APIs (corsConfiguration on CreateApi and
// UpdateApi, DeleteCorsConfiguration). The rules come from the developer
// guide's "Configure CORS for HTTP APIs" and from two suites that run
// against AWS: LocalStack's aws-validated test_apigwv2_cors_crud_* and
// Terraform's TestAccAPIGatewayV2API_cors. What AWS refuses is known; its
// words are known only for credentials with a wildcard origin ([V]), the
// other texts are Portico's ([I], in messages_tags_cors_vpclinks.go).

var _ interface {
	deleteCorsConfigurationHandler
} = (*Server)(nil)

// corsMethods are what allowMethods may hold, compared without regard to
// case: Terraform's test stores "put" on AWS and reads it back as given.
var corsMethods = map[string]bool{"GET": true, "POST": true, "PUT": true, "PATCH": true,
	"DELETE": true, "HEAD": true, "OPTIONS": true, "*": true}

// checkCors holds the rules on a CORS configuration as a whole, after
// create or after an update merged into the stored one. nil is no CORS.
func checkCors(c *Cors) error {
	if c == nil {
		return nil
	}
	if c.MaxAge != nil {
		// The model's range, checked here too for configurations that did
		// not come through the generated validators.
		if err := awsproto.MinValue("corsConfiguration.maxAge", -1, int64(*c.MaxAge)); err != nil {
			return err
		}
		if err := awsproto.MaxValue("corsConfiguration.maxAge", 86400, int64(*c.MaxAge)); err != nil {
			return err
		}
	}
	for _, o := range c.AllowOrigins {
		if !validCorsOrigin(o) {
			return invalidCorsOrigin(o)
		}
	}
	for _, m := range c.AllowMethods {
		if !corsMethods[strings.ToUpper(m)] {
			return invalidCorsMethod(m)
		}
	}
	for _, h := range c.AllowHeaders {
		if !validCorsHeader(h) {
			return invalidCorsHeader("allowHeaders", h)
		}
	}
	for _, h := range c.ExposeHeaders {
		if !validCorsHeader(h) {
			return invalidCorsHeader("exposeHeaders", h)
		}
	}
	// [V] (aws-cdk #9076; LocalStack no-credentials-with-wildcard, also
	// with "*" among other origins, and update-credentials-with-wildcard).
	// Wildcard methods or headers with credentials are accepted: Terraform's
	// test sets allow_credentials with allow_methods ["*"] on AWS.
	if deref(c.AllowCredentials) {
		for _, o := range c.AllowOrigins {
			if o == "*" {
				return corsCredentialsWithWildcardOrigin
			}
		}
	}
	return nil
}

// validCorsOrigin: "*", "http://*", "https://*" (developer guide),
// scheme://host[:port] with no path, or host[:port] without a scheme
// ("example.com", stored as given [I]: nothing shows AWS refusing it). A
// wildcard anywhere else ("https://*.example.com") and a partial origin
// ("https:/", a host "https" with an empty port here) are refused
// (LocalStack no-partial-wildcard, no-partial-origin, AWS-validated).
// Case is kept as given: Terraform reads "HTTP://WWW.EXAMPLE.ORG" back from
// AWS. A path, even "/", is refused [I].
func validCorsOrigin(o string) bool {
	switch o {
	case "*", "http://*", "https://*":
		return true
	}
	rest := o
	if scheme, afterScheme, ok := strings.Cut(o, "://"); ok {
		if !validScheme(scheme) {
			return false
		}
		rest = afterScheme
	}
	if rest == "" || strings.ContainsAny(rest, "*/?#@ \t") {
		return false
	}
	host, port, hasPort := strings.Cut(rest, ":")
	if strings.HasPrefix(rest, "[") {
		// An IPv6 literal: [::1]:3000.
		end := strings.IndexByte(rest, ']')
		if end < 0 {
			return false
		}
		host, port = rest[:end+1], rest[end+1:]
		if hasPort = port != ""; hasPort {
			if port[0] != ':' {
				return false
			}
			port = port[1:]
		}
	}
	if host == "" || host == "[]" {
		return false
	}
	if hasPort {
		if port == "" || len(port) > 5 {
			return false
		}
		for _, r := range port {
			if r < '0' || r > '9' {
				return false
			}
		}
	}
	return true
}

// validScheme: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) (RFC 3986).
func validScheme(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
		case i > 0 && (r >= '0' && r <= '9' || r == '+' || r == '-' || r == '.'):
		default:
			return false
		}
	}
	return true
}

// validCorsHeader: "*" or a header name (an RFC 9110 token) [I]: a list
// item holding "a, b" is one invalid name, not two.
func validCorsHeader(h string) bool {
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

// mergeCors applies the corsConfiguration of an UpdateApi to the stored
// one member by member: a member given replaces the stored one, a member
// absent keeps it, and an empty list clears a list. That is what AWS does:
// LocalStack's AWS-validated update-credentials-with-wildcard test sends
// only {"AllowCredentials": true} to an API whose stored allowOrigins is
// ["*"], and AWS refuses it, so the stored origins were kept. Terraform
// sends every member of its block ([] for an empty set, false, 0), which
// this merge turns into a whole replacement. With stored nil it normalizes
// a CreateApi configuration; given nil leaves stored as is.
func mergeCors(stored, given *Cors) *Cors {
	if given == nil {
		return stored
	}
	out := Cors{}
	if stored != nil {
		out = *stored
	}
	if given.AllowCredentials != nil {
		out.AllowCredentials = given.AllowCredentials
	}
	if given.MaxAge != nil {
		out.MaxAge = given.MaxAge
	}
	for _, m := range []struct{ dst, src *[]string }{
		{&out.AllowHeaders, &given.AllowHeaders},
		{&out.AllowMethods, &given.AllowMethods},
		{&out.AllowOrigins, &given.AllowOrigins},
		{&out.ExposeHeaders, &given.ExposeHeaders},
	} {
		if *m.src != nil {
			*m.dst = nilIfEmpty(append([]string(nil), *m.src...))
		}
	}
	return &out
}

// DeleteCorsConfiguration removes an HTTP API's CORS configuration. It is a
// change to the API's configuration (autoDeploy stages redeploy). Deleting
// when there is none succeeds [I]; on a WebSocket API it is a 400 [I], as
// corsConfiguration on CreateApi and UpdateApi is.
func (s *Server) DeleteCorsConfiguration(ctx context.Context, in *DeleteCorsConfigurationRequest) error {
	return s.changeAPI(ctx, *in.ApiId, func(tx store.Tx) error {
		api, err := loadAPI(ctx, tx, *in.ApiId)
		if err != nil {
			return err
		}
		if *api.ProtocolType != protocolHTTP {
			return httpOnly("corsConfiguration is")
		}
		api.CorsConfiguration = nil
		return tx.Replace(store.Record{Kind: kindAPI, ID: *api.ApiId, Data: encode(api)})
	})
}
