package jwtauth

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// TestAuthorizeRules drives every rule of the token and its claims
// through a real OIDC provider on loopback and real signatures.
func TestAuthorizeRules(t *testing.T) {
	p := newIDP(t)
	a, _ := newAuth(t, p, KeysConfig{})
	iss := p.issuer()
	rs := func(mod func(jwt.MapClaims)) string {
		c := claims(iss)
		if mod != nil {
			mod(c)
		}
		return sign(t, jwt.SigningMethodRS256, rsa1, "rsa1", c)
	}
	valid := rs(nil)
	pubDER, err := x509.MarshalPKIXPublicKey(&rsa1.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})
	parts := strings.Split(valid, ".")
	// The payload of another token under valid's header and signature.
	forged := parts[0] + "." + strings.Split(rs(func(c jwt.MapClaims) { c["sub"] = "admin" }), ".")[1] + "." + parts[2]
	noneTok := sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, "rsa1", claims(iss))
	hsHeader := func(key []byte) string { return sign(t, jwt.SigningMethodHS256, key, "rsa1", claims(iss)) }
	crit := func() string {
		tok := jwt.NewWithClaims(jwt.SigningMethodRS256, claims(iss))
		tok.Header["kid"] = "rsa1"
		tok.Header["crit"] = []string{"exp"}
		s, err := tok.SignedString(rsa1)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}()
	now := time.Now()

	cases := []struct {
		name  string
		value string // the Authorization header; "\x00" for none
		desc  string // "" for allowed
	}{
		{"valid with Bearer", "Bearer " + valid, ""},
		{"valid raw token", valid, ""},
		{"valid bearer in lower case", "bearer " + valid, ""},
		{"valid BEARER and spaces", "  BEARER   " + valid + " ", ""},
		{"aud list with one audience", "Bearer " + rs(func(c jwt.MapClaims) { c["aud"] = []string{"x", "portico-app"} }), ""},
		{"client_id when no aud", "Bearer " + rs(func(c jwt.MapClaims) { delete(c, "aud"); c["client_id"] = "portico-app" }), ""},
		{"nbf and iat in the past", "Bearer " + rs(func(c jwt.MapClaims) { c["nbf"] = now.Add(-time.Minute).Unix() }), ""},
		{"no iat", "Bearer " + rs(func(c jwt.MapClaims) { delete(c, "iat") }), ""},
		{"fractional exp in the future", "Bearer " + rs(func(c jwt.MapClaims) { c["exp"] = float64(now.Unix()) + 60.5 }), ""},
		{"PS256", "Bearer " + sign(t, jwt.SigningMethodPS256, rsa1, "rsa1", claims(iss)), ""},
		{"RS512 with a key of no alg", "Bearer " + sign(t, jwt.SigningMethodRS512, rsa1, "rsa1", claims(iss)), ""},

		{"no header", "\x00", descMissing},
		{"empty header", "", descMissing},
		{"Bearer and nothing", "Bearer ", descMissing},
		{"two segments", "Bearer " + parts[0] + "." + parts[1], descMalformed},
		{"garbage", "Bearer not-a-token", descMalformed},
		{"bad base64 header", "Bearer !!." + parts[1] + "." + parts[2], descMalformed},
		{"JWE-shaped", "Bearer a.b.c.d.e", descMalformed},
		{"over 10240 bytes", "Bearer " + strings.Repeat("a", maxToken+1), descMalformed},
		{"forged payload", "Bearer " + forged, descSignature},
		{"signed by another key under its kid", "Bearer " + sign(t, jwt.SigningMethodRS256, rsa2, "rsa1", claims(iss)), descSignature},
		{"signature cut", "Bearer " + parts[0] + "." + parts[1] + "." + parts[2][:20], descSignature},
		{"alg none", "Bearer " + noneTok, descAlgorithm},
		{"HS256 with the public key PEM as secret", "Bearer " + hsHeader(pubPEM), descAlgorithm},
		{"HS256 with the modulus as secret", "Bearer " + hsHeader(rsa1.N.Bytes()), descAlgorithm},
		{"ES256 is not accepted by default", "Bearer " + sign(t, jwt.SigningMethodES256, ec1, "ec1", claims(iss)), descAlgorithm},
		{"an alg golang-jwt does not know", "Bearer " + base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"XX1","kid":"rsa1"}`)) + "." + parts[1] + "." + parts[2], descAlgorithm},
		{"crit header", "Bearer " + crit, descCrit},
		{"no kid", "Bearer " + sign(t, jwt.SigningMethodRS256, rsa1, "", claims(iss)), descNoKID},
		{"unknown kid", "Bearer " + sign(t, jwt.SigningMethodRS256, rsa1, "nope", claims(iss)), descUnknownKID},
		{"kid of a key with another alg", "Bearer " + sign(t, jwt.SigningMethodRS512, rsa2, "rsa2", claims(iss)), descUnknownKID},
		{"RS256 naming the EC key", "Bearer " + sign(t, jwt.SigningMethodRS256, rsa1, "ec1", claims(iss)), descUnknownKID},
		{"wrong issuer", "Bearer " + rs(func(c jwt.MapClaims) { c["iss"] = "https://evil.example" }), descIssuer},
		{"issuer with a trailing slash", "Bearer " + rs(func(c jwt.MapClaims) { c["iss"] = iss + "/" }), descIssuer},
		{"no issuer", "Bearer " + rs(func(c jwt.MapClaims) { delete(c, "iss") }), descIssuer},
		{"wrong audience", "Bearer " + rs(func(c jwt.MapClaims) { c["aud"] = "someone-else" }), descAudience},
		{"aud wins over client_id", "Bearer " + rs(func(c jwt.MapClaims) { c["aud"] = "x"; c["client_id"] = "portico-app" }), descAudience},
		{"neither aud nor client_id", "Bearer " + rs(func(c jwt.MapClaims) { delete(c, "aud") }), descAudience},
		{"aud of the wrong type", "Bearer " + rs(func(c jwt.MapClaims) { c["aud"] = 7 }), descAudience},
		{"expired", "Bearer " + rs(func(c jwt.MapClaims) { c["exp"] = now.Add(-time.Second).Unix() }), descExpired},
		{"no exp", "Bearer " + rs(func(c jwt.MapClaims) { delete(c, "exp") }), descExpInvalid},
		{"exp as a string", "Bearer " + rs(func(c jwt.MapClaims) { c["exp"] = "tomorrow" }), descExpInvalid},
		{"not yet valid", "Bearer " + rs(func(c jwt.MapClaims) { c["nbf"] = now.Add(time.Minute).Unix() }), descNotYet},
		{"nbf as a string", "Bearer " + rs(func(c jwt.MapClaims) { c["nbf"] = "x" }), descNbfInvalid},
		{"issued in the future", "Bearer " + rs(func(c jwt.MapClaims) { c["iat"] = now.Add(time.Minute).Unix() }), descIatFuture},
		{"iat as a bool", "Bearer " + rs(func(c jwt.MapClaims) { c["iat"] = true }), descIatInvalid},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			l := header(tc.value)
			if tc.value == "\x00" {
				l = noToken
			}
			res := authorize(a, nil, l)
			if tc.desc == "" {
				if !res.Allowed() || res.Description != "" || res.Claims["sub"] == "" {
					t.Fatalf("got %+v, want allowed with claims", res)
				}
				return
			}
			if res.Status != StatusUnauthorized || res.Description != tc.desc || res.Claims != nil {
				t.Fatalf("got %d %q, want 401 %q", res.Status, res.Description, tc.desc)
			}
		})
	}
}

// TestAuthorizeScopes: a scoped route needs one of its scopes in scp or
// scope, answers 403 otherwise, and hands the token's whole scope list on;
// an unscoped route hands on none.
func TestAuthorizeScopes(t *testing.T) {
	p := newIDP(t)
	a, _ := newAuth(t, p, KeysConfig{})
	tok := func(mod func(jwt.MapClaims)) Lookup {
		c := claims(p.issuer())
		mod(c)
		return header("Bearer " + sign(t, jwt.SigningMethodRS256, rsa1, "rsa1", c))
	}
	route := []string{"pets/read", "pets/write"}
	cases := []struct {
		name   string
		scopes []string
		token  Lookup
		status int
		want   []string
	}{
		{"scope string with one of them", route, tok(func(c jwt.MapClaims) { c["scope"] = "openid pets/write" }), 200, []string{"openid", "pets/write"}},
		{"scp list", route, tok(func(c jwt.MapClaims) { c["scp"] = []string{"pets/read"} }), 200, []string{"pets/read"}},
		{"scp string", route, tok(func(c jwt.MapClaims) { c["scp"] = "a pets/read" }), 200, []string{"a", "pets/read"}},
		{"scope list", route, tok(func(c jwt.MapClaims) { c["scope"] = []string{"pets/read"} }), 200, []string{"pets/read"}},
		{"scp read before scope", route, tok(func(c jwt.MapClaims) { c["scp"] = "x"; c["scope"] = "pets/read" }), 403, nil},
		{"none of them", route, tok(func(c jwt.MapClaims) { c["scope"] = "openid email" }), 403, nil},
		{"no scope claim", route, tok(func(jwt.MapClaims) {}), 403, nil},
		{"scopes compare exactly", route, tok(func(c jwt.MapClaims) { c["scope"] = "PETS/READ" }), 403, nil},
		{"unscoped route with a scoped token", nil, tok(func(c jwt.MapClaims) { c["scope"] = "openid" }), 200, nil},
		{"empty scope list is unscoped", []string{}, tok(func(jwt.MapClaims) {}), 200, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := authorize(a, tc.scopes, tc.token)
			if res.Status != tc.status || !slices.Equal(res.Scopes, tc.want) || (tc.want == nil) != (res.Scopes == nil) {
				t.Fatalf("got %d %q %q, want %d %q", res.Status, res.Scopes, res.Description, tc.status, tc.want)
			}
			if tc.status == 403 {
				if res.Description != descScope || res.Claims != nil ||
					res.WWWAuthenticate() != `Bearer scope="" error="insufficient_scope" error_description="`+descScope+`"` {
					t.Fatalf("403 answer %+v %q", res, res.WWWAuthenticate())
				}
				if e := res.Error(); e == nil || e.Status != 403 || e.Message != "Forbidden" {
					t.Fatalf("Error() = %v", e)
				}
			}
		})
	}
}

// TestAuthorizeClaimsStrings: the claims the event and $context get, as
// strings in AWS's forms.
func TestAuthorizeClaimsStrings(t *testing.T) {
	p := newIDP(t)
	a, _ := newAuth(t, p, KeysConfig{})
	c := claims(p.issuer())
	c["exp"] = 1 << 40 // year 36812: far, and an integer beyond float32
	c["cognito:groups"] = []string{"admin", "poweruser"}
	c["email_verified"] = true
	c["nothing"] = nil
	c["ratio"] = 1.5
	c["nested"] = map[string]any{"a": 1, "b": []int{2}}
	c["mixed"] = []any{"x", 2, false, nil, []string{"y"}}
	res := authorize(a, nil, header("Bearer "+sign(t, jwt.SigningMethodRS256, rsa1, "rsa1", c)))
	if !res.Allowed() {
		t.Fatalf("refused: %s", res.Description)
	}
	want := map[string]string{
		"iss": p.issuer(), "aud": "portico-app", "sub": "user-1",
		"iat": strconv.FormatInt(c["iat"].(int64), 10), "exp": "1099511627776",
		"cognito:groups": "[admin poweruser]", "email_verified": "true", "ratio": "1.5",
		"nested": `{"a":1,"b":[2]}`, "mixed": "[x 2 false null [y]]",
	}
	if !maps.Equal(res.Claims, want) {
		t.Fatalf("claims\n got %q\nwant %q", res.Claims, want)
	}
	for name, want := range map[string]string{"authorizer.claims.cognito:groups": "[admin poweruser]",
		"authorizer.claims.sub": "user-1", "authorizer.error": ""} {
		if v, ok := res.ContextValue(name); !ok || v != want {
			t.Errorf("$context.%s = %q %v, want %q", name, v, ok, want)
		}
	}
	for _, name := range []string{"authorizer.claims.nothing", "authorizer.claims.missing", "authorizer.principalId"} {
		if v, ok := res.ContextValue(name); ok {
			t.Errorf("$context.%s = %q, want none", name, v)
		}
	}
	az := res.Authorizer()
	if az == nil || az.JWTScopes != nil || !maps.Equal(az.JWTClaims, want) || res.WWWAuthenticate() != "" || res.Error() != nil {
		t.Fatalf("Authorizer() = %+v", az)
	}
}

// TestRefusalAnswer: the 401 in AWS's form, with the one description AWS
// published, and $context.authorizer.error.
func TestRefusalAnswer(t *testing.T) {
	p := newIDP(t)
	a, _ := newAuth(t, p, KeysConfig{})
	c := claims(p.issuer())
	c["aud"] = "nobody"
	res := authorize(a, nil, header("Bearer "+sign(t, jwt.SigningMethodRS256, rsa1, "rsa1", c)))
	const want = `Bearer scope="" error="invalid_token" error_description="the token does not have a valid audience"`
	if got := res.WWWAuthenticate(); got != want {
		t.Fatalf("www-authenticate %q, want %q", got, want)
	}
	if e := res.Error(); e == nil || e.Status != 401 || e.Message != "Unauthorized" {
		t.Fatalf("Error() = %v", e)
	}
	if v, ok := res.ContextValue("authorizer.error"); !ok || v != descAudience {
		t.Fatalf("$context.authorizer.error = %q", v)
	}
	if res.Authorizer() != nil {
		t.Fatal("a refusal has an identity")
	}
}

// TestQueryStringSource reads the token from a query parameter, through
// the RequestLookup the engine may use.
func TestQueryStringSource(t *testing.T) {
	p := newIDP(t)
	a, _ := newAuth(t, p, KeysConfig{}, func(c *Config) { c.IdentitySource = "$request.querystring.access_token" })
	tok := sign(t, jwt.SigningMethodRS256, rsa1, "rsa1", claims(p.issuer()))
	r := newRequest(t, "/pets?access_token="+url.QueryEscape(tok))
	if res := a.ForRoute(nil).Authorize(t.Context(), RequestLookup(r)); !res.Allowed() {
		t.Fatalf("refused: %s", res.Description)
	}
	r = newRequest(t, "/pets")
	r.Header.Set("Authorization", "Bearer "+tok) // not the source
	if res := a.ForRoute(nil).Authorize(t.Context(), RequestLookup(r)); res.Description != descMissing {
		t.Fatalf("got %q", res.Description)
	}
}

// TestHeaderSourceCase: the configured header name matches in any case.
func TestHeaderSourceCase(t *testing.T) {
	p := newIDP(t)
	a, _ := newAuth(t, p, KeysConfig{}, func(c *Config) { c.IdentitySource = "$request.header.x-api-token" })
	r := newRequest(t, "/")
	r.Header.Set("X-API-TOKEN", sign(t, jwt.SigningMethodRS256, rsa1, "rsa1", claims(p.issuer())))
	if res := a.ForRoute(nil).Authorize(t.Context(), RequestLookup(r)); !res.Allowed() {
		t.Fatalf("refused: %s", res.Description)
	}
}

// TestECDSAWhenEnabled: ES256 verifies once enabled, with the EC key and
// only with it.
func TestECDSAWhenEnabled(t *testing.T) {
	p := newIDP(t)
	p.setJWKS(jwksOf(rsaJWK(rsa1, "rsa1", ""), ecJWK(ec1, "ec1"), ecJWK(ec384, "ec384")))
	a, _ := newAuth(t, p, KeysConfig{}, func(c *Config) { c.Algorithms = []string{"ES256", "ES384", "RS256"} })
	iss := p.issuer()
	for _, tc := range []struct {
		name string
		tok  string
		desc string
	}{
		{"ES256", sign(t, jwt.SigningMethodES256, ec1, "ec1", claims(iss)), ""},
		{"ES384", sign(t, jwt.SigningMethodES384, ec384, "ec384", claims(iss)), ""},
		{"ES256 naming the P-384 key", sign(t, jwt.SigningMethodES256, ec1, "ec384", claims(iss)), descUnknownKID},
		{"ES256 naming the RSA key", sign(t, jwt.SigningMethodES256, ec1, "rsa1", claims(iss)), descUnknownKID},
		{"ES256 by another key", sign(t, jwt.SigningMethodES256, otherP256(t), "ec1", claims(iss)), descSignature},
		{"RS512 is not enabled", sign(t, jwt.SigningMethodRS512, rsa1, "rsa1", claims(iss)), descAlgorithm},
	} {
		res := authorize(a, nil, header("Bearer "+tc.tok))
		if res.Description != tc.desc || res.Allowed() != (tc.desc == "") {
			t.Errorf("%s: got %d %q, want %q", tc.name, res.Status, res.Description, tc.desc)
		}
	}
}

func TestNewRefuses(t *testing.T) {
	keys := NewKeys(KeysConfig{})
	ok := Config{Issuer: "https://idp.example", Audiences: []string{"a"}}
	if _, err := New(ok, keys); err != nil {
		t.Fatal(err)
	}
	if _, err := New(ok, nil); err == nil {
		t.Error("no Keys accepted")
	}
	many := make([]string, 51)
	for i := range many {
		many[i] = "a" + strings.Repeat("x", i)
	}
	for name, mod := range map[string]func(*Config){
		"issuer without scheme": func(c *Config) { c.Issuer = "idp.example" },
		"ftp issuer":            func(c *Config) { c.Issuer = "ftp://idp.example" },
		"no audience":           func(c *Config) { c.Audiences = nil },
		"51 audiences":          func(c *Config) { c.Audiences = many },
		"empty audience":        func(c *Config) { c.Audiences = []string{"a", ""} },
		"bad source":            func(c *Config) { c.IdentitySource = "$context.authorizer" },
		"HS256":                 func(c *Config) { c.Algorithms = []string{"RS256", "HS256"} },
		"none":                  func(c *Config) { c.Algorithms = []string{"none"} },
	} {
		c := ok
		mod(&c)
		if _, err := New(c, keys); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func otherP256(t *testing.T) *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func newRequest(t *testing.T, target string) *http.Request {
	return httptest.NewRequest(http.MethodGet, target, nil)
}
