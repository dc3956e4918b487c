package jwtauth

import (
	"crypto/rsa"
	"encoding/json"
	"maps"
	"math/big"
	"testing"
	"time"
)

// TestParseJWKS: which members of a JWKS become keys, and with what they
// may be used.
func TestParseJWKS(t *testing.T) {
	testKeys(t)
	// Moduli out of bounds (crypto/rsa will not make such keys; the
	// parser only looks at the size).
	modulus := func(bits int) string {
		n := new(big.Int).Lsh(big.NewInt(1), uint(bits-1))
		return b64u(n.Add(n, big.NewInt(1)).Bytes())
	}
	with := func(m map[string]any, kv ...any) map[string]any {
		m = maps.Clone(m)
		for i := 0; i < len(kv); i += 2 {
			if kv[i+1] == nil {
				delete(m, kv[i].(string))
			} else {
				m[kv[i].(string)] = kv[i+1]
			}
		}
		return m
	}
	rsaAlgs := []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"}
	r := rsaJWK(rsa1, "k", "")
	e := ecJWK(ec1, "k")
	cases := []struct {
		name string
		jwk  map[string]any
		fits []string // algorithms the key verifies; nil: the key is left out
	}{
		{"RSA without alg", r, rsaAlgs},
		{"RSA with alg", with(r, "alg", "RS256"), []string{"RS256"}},
		{"RSA without use", with(r, "use", nil), rsaAlgs},
		{"RSA with key_ops verify", with(r, "key_ops", []string{"verify"}), rsaAlgs},
		{"padded base64", with(r, "e", "AQAB"), rsaAlgs},
		{"EC P-256", e, []string{"ES256"}},
		{"EC P-384", ecJWK(ec384, "k"), []string{"ES384"}},
		{"EC with its alg", with(e, "alg", "ES256"), []string{"ES256"}},

		{"use enc", with(r, "use", "enc"), nil},
		{"key_ops without verify", with(r, "key_ops", []string{"encrypt"}), nil},
		{"no kid", with(r, "kid", nil), nil},
		{"oct key", map[string]any{"kty": "oct", "kid": "k", "k": "c2VjcmV0"}, nil},
		{"OKP key", map[string]any{"kty": "OKP", "kid": "k", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}, nil},
		{"RSA with an HMAC alg", with(r, "alg", "HS256"), nil},
		{"RSA with an EC alg", with(r, "alg", "ES256"), nil},
		{"RSA with an unknown RS alg", with(r, "alg", "RS1"), nil},
		{"EC with an RSA alg", with(e, "alg", "RS256"), nil},
		{"EC with another curve's alg", with(e, "alg", "ES384"), nil},
		{"1024-bit RSA", with(r, "n", modulus(1024)), rsaAlgs},
		{"16384-bit RSA", with(r, "n", modulus(16384)), rsaAlgs},
		{"1023-bit RSA", with(r, "n", modulus(1023)), nil},
		{"16385-bit RSA", with(r, "n", modulus(16385)), nil},
		{"even exponent", with(r, "e", b64u(big.NewInt(65536).Bytes())), nil},
		{"exponent 1", with(r, "e", "AQ"), nil},
		{"exponent of 5 bytes", with(r, "e", b64u([]byte{1, 0, 0, 0, 1})), nil},
		{"n not base64", with(r, "n", "***"), nil},
		{"n missing", with(r, "n", nil), nil},
		{"unknown curve", with(e, "crv", "P-224"), nil},
		{"x too short", with(e, "x", b64u(make([]byte, 31))), nil},
		{"point off the curve", with(e, "y", b64u(make([]byte, 32))), nil},
		{"n of the wrong type", with(r, "n", 5), nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			raw, _ := json.Marshal(map[string]any{"keys": []any{tc.jwk, rsaJWK(rsa2, "other", "")}})
			set, err := parseJWKS(raw, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			if set.find("other", "RS256") == nil {
				t.Fatal("the good key next to it was lost")
			}
			var fits []string
			for _, alg := range []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "HS256", "none"} {
				if set.find("k", alg) != nil {
					fits = append(fits, alg)
				}
			}
			if len(fits) != len(tc.fits) || (len(fits) > 0 && !equal(fits, tc.fits)) {
				t.Fatalf("key fits %q, want %q", fits, tc.fits)
			}
		})
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestJWKSDuplicateKIDs: two keys under one kid are both kept; the one
// that fits the token's algorithm is used.
func TestJWKSDuplicateKIDs(t *testing.T) {
	testKeys(t)
	set, err := parseJWKS(jwksOf(ecJWK(ec1, "k"), rsaJWK(rsa1, "k", "")), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if k := set.find("k", "RS256"); k == nil || k.pub.(*rsa.PublicKey).N.Cmp(rsa1.N) != 0 {
		t.Fatal("RS256 did not find the RSA key")
	}
	if k := set.find("k", "ES256"); k == nil || k.crv != "P-256" {
		t.Fatal("ES256 did not find the EC key")
	}
}
