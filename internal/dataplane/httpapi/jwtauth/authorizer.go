package jwtauth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/golang-jwt/jwt/v5"
)

// Config is a JWT authorizer as the control plane stores it.
type Config struct {
	// Issuer is jwtConfiguration.issuer: the URL the keys are discovered
	// from, and the value the token's iss must equal.
	Issuer string
	// Audiences is jwtConfiguration.audience: 1 to 50 values, one of which
	// the token's aud (or client_id) must be.
	Audiences []string
	// IdentitySource is the authorizer's one identity source; "" is
	// DefaultIdentitySource.
	IdentitySource string
	// Algorithms are the signing algorithms accepted; nil is
	// DefaultAlgorithms. Any of RS256, RS384, RS512, PS256, PS384, PS512,
	// ES256, ES384, ES512; HMAC algorithms and "none" are refused.
	Algorithms []string
}

// DefaultAlgorithms are the algorithms HTTP APIs' JWT authorizers accept:
// "Currently, only RSA-based algorithms are supported" (developer guide,
// "Control access to HTTP APIs with JWT authorizers", current and 2020
// versions) [D]. The RSASSA-PSS ones are RSA-based too; whether AWS takes
// them is not documented [I]. ECDSA can be enabled with Config.Algorithms:
// API Gateway's REST JWT authorizers take ES256/384/512 (API reference,
// JwtConfigurationInput), HTTP APIs' are documented without.
var DefaultAlgorithms = []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"}

// supportedAlg are the algorithms this package can verify. Each needs a
// public key of its kind (key.fits), so none of them can be confused with
// another; HS256/384/512 and "none" are not among them.
var supportedAlg = map[string]bool{"RS256": true, "RS384": true, "RS512": true,
	"PS256": true, "PS384": true, "PS512": true, "ES256": true, "ES384": true, "ES512": true}

// maxAudiences is the quota on a JWT authorizer's audiences (developer
// guide, quotas page; internal/apigw/authorizers.go refuses more).
const maxAudiences = 50

// maxToken bounds the token read from the request [I]: HTTP APIs bound the
// request line and headers together to 10,240 bytes
// (docs/aws-behaviours.md#http-limits), so no header token is longer.
const maxToken = 10240

// Authorizer is a compiled JWT authorizer. A stage compiles one per
// authorizer and one RouteAuthorizer per route that uses it; they are
// read-only afterwards and safe for concurrent use.
type Authorizer struct {
	issuer    string
	audiences []string
	source    Source
	algs      []string
	keys      *issuerKeys
	parser    *jwt.Parser
	verified  verified
}

// New compiles a JWT authorizer whose keys come from keys, the process's
// cache. The control plane has validated what it stored; New refuses it
// again for configurations that did not come through it.
func New(c Config, keys *Keys) (*Authorizer, error) {
	if keys == nil {
		return nil, errors.New("jwtauth: no Keys cache")
	}
	if u, err := url.Parse(c.Issuer); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("jwtauth: issuer %q is not an http or https URL", c.Issuer)
	}
	if len(c.Audiences) == 0 || len(c.Audiences) > maxAudiences {
		return nil, fmt.Errorf("jwtauth: %d audiences (want 1 to %d)", len(c.Audiences), maxAudiences)
	}
	if slices.Contains(c.Audiences, "") {
		return nil, errors.New("jwtauth: an empty audience")
	}
	src, err := ParseSource(c.IdentitySource)
	if err != nil {
		return nil, err
	}
	algs := c.Algorithms
	if algs == nil {
		algs = DefaultAlgorithms
	}
	for _, alg := range algs {
		if !supportedAlg[alg] {
			return nil, fmt.Errorf("jwtauth: algorithm %q is not supported", alg)
		}
	}
	return &Authorizer{
		issuer:    c.Issuer,
		audiences: slices.Clone(c.Audiences),
		source:    src,
		algs:      slices.Clone(algs),
		keys:      keys.issuer(c.Issuer),
		// The parser checks that alg is one of algs before anything else
		// touches the signature; claims are checked here, in AWS's order,
		// with AWS's descriptions.
		parser: jwt.NewParser(jwt.WithValidMethods(slices.Clone(algs)), jwt.WithJSONNumber(),
			jwt.WithoutClaimsValidation()),
	}, nil
}

// Source is where the authorizer reads the token.
func (a *Authorizer) Source() Source { return a.source }

// RouteAuthorizer is an Authorizer as one route uses it: with the route's
// authorizationScopes.
type RouteAuthorizer struct {
	a      *Authorizer
	scopes []string
}

// ForRoute is the authorizer for a route with these authorizationScopes
// (none: any valid token passes).
func (a *Authorizer) ForRoute(scopes []string) *RouteAuthorizer {
	if len(scopes) == 0 {
		scopes = nil
	}
	return &RouteAuthorizer{a: a, scopes: slices.Clone(scopes)}
}

// Authorize checks the request's token, following the developer guide's
// workflow ("Control access to HTTP APIs with JWT authorizers"): the token
// from the identity source, its algorithm and signature with a key of the
// issuer's jwks_uri named by its kid, then iss, aud (or client_id), exp,
// nbf, iat and the route's scopes. The first failure decides the answer.
// ctx bounds the wait for a key fetch; the fetch itself has its own
// bounds.
func (r *RouteAuthorizer) Authorize(ctx context.Context, lookup Lookup) Result {
	a := r.a
	v, ok := lookup(a.source)
	token := tokenOf(v)
	if !ok || token == "" {
		return deny(descMissing)
	}
	if len(token) > maxToken {
		return deny(descMalformed)
	}
	now := a.keys.keys.now()
	vt := a.verified.get(token, now)
	if vt != nil && !a.keys.current(vt.set, now) {
		vt = nil
	}
	if vt == nil {
		var fetchErr error
		tok, err := a.parser.Parse(token, func(t *jwt.Token) (any, error) {
			if _, crit := t.Header["crit"]; crit {
				// RFC 7515 4.1.11: a recipient that does not understand the
				// critical extensions must refuse the token. Portico knows none.
				return nil, errCrit
			}
			kid, ok := t.Header["kid"].(string)
			if !ok || kid == "" {
				return nil, errNoKID
			}
			k, err := a.keys.find(ctx, kid, t.Method.Alg())
			if err != nil {
				fetchErr = err
				return nil, err
			}
			return k.pub, nil
		})
		if err != nil {
			return deny(a.describe(tok, err, fetchErr))
		}
		claims := tok.Claims.(jwt.MapClaims)
		if iss, ok := claims["iss"].(string); !ok || iss != a.issuer {
			return deny(descIssuer)
		}
		if !a.audienceOK(claims) {
			return deny(descAudience)
		}
		vt = &verifiedToken{claims: claims, strings: stringClaims(claims), scopes: tokenScopes(claims),
			until: now.Add(verifiedTTL), set: a.keys.set.Load()}
		a.verified.put(token, vt)
	}
	claims := vt.claims
	nowSec := float64(now.UnixNano()) / 1e9

	exp, ok := numericDate(claims, "exp")
	switch {
	case !ok:
		return deny(descExpInvalid)
	case !(nowSec < exp):
		return deny(descExpired)
	}
	if nbf, ok := numericDate(claims, "nbf"); !ok {
		return deny(descNbfInvalid)
	} else if nbf > nowSec {
		return deny(descNotYet)
	}
	if iat, ok := numericDate(claims, "iat"); !ok {
		return deny(descIatInvalid)
	} else if iat > nowSec {
		return deny(descIatFuture)
	}

	res := Result{Status: StatusAllowed, Claims: vt.strings}
	if r.scopes != nil {
		have := vt.scopes
		if !slices.ContainsFunc(r.scopes, func(s string) bool { return slices.Contains(have, s) }) {
			return Result{Status: StatusForbidden, Description: descScope}
		}
		// A scoped route gets the token's whole scope list, not only the
		// scopes it asked for; an unscoped route gets null [V: floci-io/floci
		// PR #2011, measured on a Cognito-backed HTTP API; KensioSoftware/yulin
		// issue #302].
		res.Scopes = have
	}
	return res
}

// Errors of the key function, read back by parseDescription.
var (
	errCrit  = errors.New("crit header")
	errNoKID = errors.New("no kid")
)

// describe is the description of a Parse failure.
func (a *Authorizer) describe(tok *jwt.Token, err, fetchErr error) string {
	switch {
	case errors.Is(err, jwt.ErrTokenMalformed):
		return descMalformed
	case tok == nil || tok.Method == nil || !slices.Contains(a.algs, tok.Method.Alg()):
		// No alg, one golang-jwt does not know, or one outside a.algs
		// ("none", HS256...): refused before any key is looked at.
		return descAlgorithm
	case errors.Is(err, errCrit):
		return descCrit
	case errors.Is(err, errNoKID):
		return descNoKID
	case errors.Is(fetchErr, errUnknownKID):
		return descUnknownKID
	case fetchErr != nil:
		// The fetch failed, or the request's context ended while it
		// waited for it.
		return descFetch
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		return descSignature
	}
	return descMalformed
}

// audienceOK applies AWS's audience rule: "API Gateway validates client_id
// only if aud is not present. When both aud and client_id are present, API
// Gateway evaluates aud" (developer guide, "Troubleshooting issues with
// HTTP API JWT authorizers") [D]. aud is a string or an array of strings
// (RFC 7519 4.1.3); another type matches nothing [I].
func (a *Authorizer) audienceOK(claims jwt.MapClaims) bool {
	aud, has := claims["aud"]
	if !has {
		id, ok := claims["client_id"].(string)
		return ok && slices.Contains(a.audiences, id)
	}
	switch v := aud.(type) {
	case string:
		return slices.Contains(a.audiences, v)
	case []any:
		for _, x := range v {
			if s, ok := x.(string); ok && slices.Contains(a.audiences, s) {
				return true
			}
		}
	}
	return false
}

// numericDate reads a NumericDate claim (RFC 7519 2: seconds since the
// epoch, possibly fractional). ok is false for a value that is not a
// finite number, and for a missing exp: Portico requires exp [I: AWS's
// answer to a token without one is not documented; refusing it is the
// safe side]. A missing nbf or iat is -Inf, which passes.
func numericDate(claims jwt.MapClaims, name string) (float64, bool) {
	v, has := claims[name]
	if !has {
		if name == "exp" {
			return 0, false
		}
		return math.Inf(-1), true
	}
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	f, err := strconv.ParseFloat(string(n), 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, false
	}
	return f, true
}

// tokenScopes are the token's scopes: scp if the token has it (an array,
// or a space-separated string), else scope (a space-separated string, or
// an array) [V: floci-io/floci PR #2011 reads scp first, measured; the
// developer guide names "scope or scp"]. nil when it has neither.
func tokenScopes(claims jwt.MapClaims) []string {
	for _, name := range [...]string{"scp", "scope"} {
		switch v := claims[name].(type) {
		case string:
			if f := strings.Fields(v); len(f) > 0 {
				return f
			}
		case []any:
			var out []string
			for _, x := range v {
				if s, ok := x.(string); ok {
					out = append(out, s)
				}
			}
			if len(out) > 0 {
				return out
			}
		}
	}
	return nil
}
