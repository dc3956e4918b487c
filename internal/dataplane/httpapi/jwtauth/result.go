package jwtauth

import (
	"net/http"
	"strings"

	"github.com/portico-dev/portico/internal/dataplane/gateway"
	"github.com/portico-dev/portico/internal/dataplane/httpapi/payload"
)

// The outcomes of Authorize.
const (
	StatusAllowed      = http.StatusOK
	StatusUnauthorized = http.StatusUnauthorized
	StatusForbidden    = http.StatusForbidden
)

// HeaderWWWAuthenticate is the header a refusal carries.
const HeaderWWWAuthenticate = "Www-Authenticate"

// Result is what Authorize decided for one request.
type Result struct {
	// Status is StatusAllowed, StatusUnauthorized (the token is missing
	// or invalid) or StatusForbidden (valid, without a scope the route
	// asks for).
	Status int
	// Claims are the token's claims as the Lambda event carries them, all
	// values strings (see stringClaim); nil unless allowed.
	Claims map[string]string
	// Scopes are the token's scopes when the route has
	// authorizationScopes; nil otherwise, which the event sends as null.
	Scopes []string
	// Description says why the token was refused: the www-authenticate
	// header's error_description and $context.authorizer.error. "" when
	// allowed.
	Description string
}

// The descriptions of refusals. AWS's wording is known for one of them
// only [V: developer guide, "Troubleshooting issues with HTTP API JWT
// authorizers", a curl dump]; the others are written in its style [I].
// Every one is a constant: nothing a client sent goes into the header.
const (
	descAudience   = "the token does not have a valid audience"
	descMissing    = "the token is missing from the identity source"
	descMalformed  = "the token is malformed"
	descAlgorithm  = "the token's signing algorithm is not supported"
	descCrit       = "the token has critical header parameters that are not supported"
	descNoKID      = "the token does not have a kid header"
	descUnknownKID = "no key of the issuer's jwks_uri matches the token's kid"
	descFetch      = "the issuer's signing keys could not be fetched"
	descSignature  = "the token's signature is invalid"
	descIssuer     = "the token does not have a valid issuer"
	descExpInvalid = "the token does not have a valid expiration time"
	descExpired    = "the token has expired"
	descNbfInvalid = "the token does not have a valid not-before time"
	descNotYet     = "the token is not valid yet"
	descIatInvalid = "the token does not have a valid issued-at time"
	descIatFuture  = "the token was issued in the future"
	descScope      = "the token does not have any of the route's scopes"
)

func deny(desc string) Result { return Result{Status: StatusUnauthorized, Description: desc} }

// Allowed reports whether the request may go on to the integration.
func (r *Result) Allowed() bool { return r.Status == StatusAllowed }

// Error is the gateway's answer to a refused request: 401
// {"message":"Unauthorized"} [V: the curl dump above], or 403
// {"message":"Forbidden"} for a missing scope [V: floci-io/floci PR #2011
// and KensioSoftware/yulin issue #302, both measured]. nil when allowed.
func (r *Result) Error() *gateway.Error {
	switch r.Status {
	case StatusAllowed:
		return nil
	case StatusForbidden:
		return gateway.ErrForbidden
	}
	return gateway.ErrUnauthorized
}

// WWWAuthenticate is the value of the www-authenticate header of a
// refusal, in AWS's form: `Bearer scope="" error="invalid_token"
// error_description="..."` [V: the curl dump above]. A missing scope gets
// error="insufficient_scope", RFC 6750's code for it, with scope="" as
// well [I: AWS's 403 headers are not published]. "" when allowed.
func (r *Result) WWWAuthenticate() string {
	if r.Status == StatusAllowed {
		return ""
	}
	code := "invalid_token"
	if r.Status == StatusForbidden {
		code = "insufficient_scope"
	}
	return `Bearer scope="" error="` + code + `" error_description="` + r.Description + `"`
}

// Authorizer is the identity for the Lambda event's
// requestContext.authorizer (payload package): jwt.claims and jwt.scopes
// in 2.0, claims and scopes in 1.0. nil unless allowed.
func (r *Result) Authorizer() *payload.Authorizer {
	if r.Status != StatusAllowed {
		return nil
	}
	return &payload.Authorizer{Kind: payload.AuthJWT, JWTClaims: r.Claims, JWTScopes: r.Scopes}
}

// ContextValue is $context.NAME for parameter mappings and access logs:
// authorizer.claims.{claim} (developer guide: "if the JWT included an
// identity claim emailID, it's available in
// $context.authorizer.claims.emailID") and authorizer.error (access
// logs: the refusal's description, "" when allowed [I]). ok is false for
// any other name, and for a claim the token does not have.
func (r *Result) ContextValue(name string) (string, bool) {
	if name == "authorizer.error" {
		return r.Description, true
	}
	if claim, ok := strings.CutPrefix(name, "authorizer.claims."); ok {
		v, ok := r.Claims[claim]
		return v, ok
	}
	return "", false
}
