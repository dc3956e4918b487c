package jwtauth

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/golang-jwt/jwt/v5"
)

// BenchmarkAuthorizeCached is the per-request cost with the keys cached:
// an RS256 (2048-bit) or ES256 token through the whole path, claims
// checked and stringified.
func BenchmarkAuthorizeCached(b *testing.B) {
	p := newIDP(b)
	a, _ := newAuth(b, p, KeysConfig{}, func(c *Config) { c.Algorithms = []string{"RS256", "ES256"} })
	route := a.ForRoute([]string{"pets/read"})
	for _, bc := range []struct {
		name string
		m    jwt.SigningMethod
		key  any
		kid  string
	}{
		{"RS256", jwt.SigningMethodRS256, rsa1, "rsa1"},
		{"ES256", jwt.SigningMethodES256, ec1, "ec1"},
	} {
		c := claims(p.issuer())
		c["scope"] = "openid pets/read"
		c["cognito:groups"] = []string{"admin", "users"}
		l := header("Bearer " + sign(b, bc.m, bc.key, bc.kid, c))
		if res := route.Authorize(b.Context(), l); !res.Allowed() {
			b.Fatal(res.Description)
		}
		// The signature check alone, as a baseline: on a loaded machine
		// the absolute numbers say little, their difference more.
		tok, _ := l(a.source)
		dot := strings.LastIndexByte(tok, '.')
		sig, err := base64.RawURLEncoding.DecodeString(tok[dot+1:])
		if err != nil {
			b.Fatal(err)
		}
		b.Run(bc.name+"/signature-only", func(b *testing.B) {
			b.ReportAllocs()
			pub := map[string]any{"RS256": &rsa1.PublicKey, "ES256": &ec1.PublicKey}[bc.name]
			for b.Loop() {
				if err := bc.m.Verify(tok[len("Bearer "):dot], sig, pub); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if res := route.Authorize(b.Context(), l); !res.Allowed() {
					b.Fatal(res.Description)
				}
			}
		})
	}
}
