package jwtauth

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// knownDescriptions are every description a refusal may carry.
var knownDescriptions = map[string]bool{descMissing: true, descMalformed: true, descAlgorithm: true,
	descCrit: true, descNoKID: true, descUnknownKID: true, descFetch: true, descSignature: true,
	descIssuer: true, descAudience: true, descExpInvalid: true, descExpired: true, descNbfInvalid: true,
	descNotYet: true, descIatInvalid: true, descIatFuture: true, descScope: true}

// FuzzParse sends random identity-source values through the whole token
// path against a provider whose keys are cached: none may panic, and none
// may verify, since the fuzzer holds no private key. The seeds are near
// misses: a token of the issuer signed by another key, alg none, HS256
// with the public key, a header-only token, JSON oddities.
func FuzzParse(f *testing.F) {
	p := newIDP(f)
	a, _ := newAuth(f, p, KeysConfig{})
	route := a.ForRoute([]string{"pets/read"})
	c := claims(p.issuer())
	c["exp"] = time.Now().Add(24 * 365 * time.Hour).Unix()
	c["scope"] = "pets/read"
	forged := sign(f, jwt.SigningMethodRS256, rsa2, "rsa1", c)
	// Warm the cache: the fuzzed requests then never wait on a fetch.
	if res := route.Authorize(f.Context(), header("Bearer "+forged)); res.Description != descSignature {
		f.Fatalf("warm-up: %q", res.Description)
	}
	enc := base64.RawURLEncoding.EncodeToString
	parts := strings.Split(forged, ".")
	for _, seed := range []string{
		"Bearer " + forged,
		forged,
		"bearer " + sign(f, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, "rsa1", c),
		"Bearer " + sign(f, jwt.SigningMethodHS256, rsa1.N.Bytes(), "rsa1", c),
		"Bearer " + sign(f, jwt.SigningMethodPS256, rsa2, "rsa1", c),
		"Bearer " + parts[0] + "." + parts[1] + ".",
		"Bearer " + enc([]byte(`{"alg":"RS256","kid":"rsa1","crit":["b64"]}`)) + "." + parts[1] + "." + parts[2],
		"Bearer " + enc([]byte(`{"alg":"RS256","kid":["rsa1"]}`)) + "." + parts[1] + "." + parts[2],
		"Bearer " + enc([]byte(`{"alg":"RS256","kid":"rsa1"}`)) + "." + enc([]byte(`{"exp":1e999,"iss":null}`)) + "." + parts[2],
		"Bearer " + enc([]byte(`{"alg":"RS256","kid":"rsa1"}`)) + "." + enc([]byte(`[1,2,3]`)) + "." + parts[2],
		"Bearer ..",
		"Bearer",
		"",
		"a.b.c.d.e",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, v string) {
		res := route.Authorize(t.Context(), header(v))
		if res.Allowed() || res.Claims != nil || res.Scopes != nil {
			t.Fatalf("%q verified: %+v", v, res)
		}
		if (res.Status != StatusUnauthorized && res.Status != StatusForbidden) || !knownDescriptions[res.Description] {
			t.Fatalf("%q: %d %q", v, res.Status, res.Description)
		}
	})
}

// FuzzJWKS parses random JWK Sets: no panic, and every key kept is usable.
func FuzzJWKS(f *testing.F) {
	testKeys(f)
	f.Add(jwksOf(rsaJWK(rsa1, "rsa1", "RS256"), ecJWK(ec1, "ec1"), ecJWK(ec384, "ec384")))
	f.Add([]byte(`{"keys":[{"kty":"oct","kid":"a","k":"AAAA"},{"kty":"RSA","kid":"b","n":"AQAB","e":"AQAB"}]}`))
	f.Add([]byte(`{"keys":[{"kty":"EC","kid":"c","crv":"P-521","x":"","y":""}]}`))
	f.Add([]byte(`{"keys":null}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		set, err := parseJWKS(data, time.Now())
		if err != nil {
			return
		}
		for kid, keys := range set.byKID {
			for _, k := range keys {
				if kid == "" || k.kid != kid || k.pub == nil {
					t.Fatalf("unusable key kept: %+v", k)
				}
			}
		}
	})
}

// FuzzSource parses random identity sources and token values: no panic,
// and a parsed source reads back as itself.
func FuzzSource(f *testing.F) {
	f.Add("$request.header.Authorization", "Bearer a.b.c")
	f.Add("$request.querystring.t", "bearer\t\tx")
	f.Add("$request.header.", "Bearer")
	f.Fuzz(func(t *testing.T, expr, value string) {
		if src, err := ParseSource(expr); err == nil {
			if back, err := ParseSource(src.String()); err != nil || back != src {
				t.Fatalf("%q: %+v does not round-trip", expr, src)
			}
		}
		if tok := tokenOf(value); len(tok) > len(value) {
			t.Fatalf("tokenOf(%q) = %q", value, tok)
		}
	})
}
