package jwtauth

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"time"
)

// key is one verification key of a JWKS (RFC 7517), checked when the set
// was parsed.
type key struct {
	kid string
	// alg is the JWK's "alg", "" when it names none: a key that names an
	// algorithm verifies only tokens of that algorithm (RFC 7517 4.4).
	alg string
	// pub is an *rsa.PublicKey or an *ecdsa.PublicKey.
	pub crypto.PublicKey
	// crv is the curve of an EC key ("P-256"), "" for RSA.
	crv string
}

// keySet is an issuer's keys as one fetch found them. It is never written
// after it is built, so requests read it without a lock.
type keySet struct {
	byKID   map[string][]*key
	fetched time.Time
}

// find is the key for a token's kid and alg: the first key with that kid
// that fits the algorithm, nil when none does. kty, crv and the JWK's own
// alg must all fit: an RS256 token is never checked with an EC key, nor an
// ES256 token with a P-384 key.
func (s *keySet) find(kid, alg string) *key {
	if s == nil {
		return nil
	}
	for _, k := range s.byKID[kid] {
		if k.fits(alg) {
			return k
		}
	}
	return nil
}

func (k *key) fits(alg string) bool {
	if k.alg != "" && k.alg != alg {
		return false
	}
	switch alg {
	case "RS256", "RS384", "RS512", "PS256", "PS384", "PS512":
		_, ok := k.pub.(*rsa.PublicKey)
		return ok
	case "ES256", "ES384", "ES512":
		_, ok := k.pub.(*ecdsa.PublicKey)
		return ok && k.crv == curveOf[alg]
	}
	return false
}

// curveOf is the curve each ECDSA algorithm signs with (RFC 7518 3.4).
var curveOf = map[string]string{"ES256": "P-256", "ES384": "P-384", "ES512": "P-521"}

// RSA modulus bounds. Go refuses keys under 1024 bits (crypto/rsa); the
// upper bound keeps a hostile JWKS from making each verification slow [I].
const (
	minRSABits = 1024
	maxRSABits = 16384
)

// jwk is a JSON Web Key as a JWKS carries it (RFC 7517 4, RFC 7518 6).
type jwk struct {
	Kty    string   `json:"kty"`
	Kid    string   `json:"kid"`
	Use    string   `json:"use"`
	Alg    string   `json:"alg"`
	KeyOps []string `json:"key_ops"`
	N      string   `json:"n"`
	E      string   `json:"e"`
	Crv    string   `json:"crv"`
	X      string   `json:"x"`
	Y      string   `json:"y"`
}

// errNoKeys is a JWKS with no key Portico can verify with.
var errNoKeys = errors.New("the JWKS has no RSA or EC signing key with a kid")

// parseJWKS parses a JWK Set. The document must be an object with a
// "keys" array; a member of it Portico cannot use (another kty such as
// "oct", a "use" other than "sig", key_ops without "verify", no kid, an
// alg that contradicts the kty, a malformed or out-of-bounds key) is left
// out, so that one odd key does not take the issuer's other keys down
// [I]. Symmetric keys are never kept: an HMAC token can never be checked
// against anything a JWKS holds.
func parseJWKS(data []byte, fetched time.Time) (*keySet, error) {
	var doc struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("the JWKS is not a JSON object with a keys array: %w", err)
	}
	if doc.Keys == nil {
		return nil, errors.New(`the JWKS has no "keys" array`)
	}
	s := &keySet{byKID: make(map[string][]*key, len(doc.Keys)), fetched: fetched}
	n := 0
	for _, raw := range doc.Keys {
		var j jwk
		if json.Unmarshal(raw, &j) != nil {
			continue
		}
		k, err := j.key()
		if err != nil {
			continue
		}
		s.byKID[k.kid] = append(s.byKID[k.kid], k)
		n++
	}
	if n == 0 {
		return nil, errNoKeys
	}
	return s, nil
}

// key checks a JWK and builds its public key.
func (j *jwk) key() (*key, error) {
	if j.Kid == "" {
		return nil, errors.New("no kid")
	}
	if j.Use != "" && j.Use != "sig" {
		return nil, errors.New("not a signing key")
	}
	if j.KeyOps != nil && !slices.Contains(j.KeyOps, "verify") {
		return nil, errors.New("key_ops without verify")
	}
	k := &key{kid: j.Kid, alg: j.Alg}
	switch j.Kty {
	case "RSA":
		if j.Alg != "" && !strings.HasPrefix(j.Alg, "RS") && !strings.HasPrefix(j.Alg, "PS") {
			return nil, errors.New("alg does not fit kty RSA")
		}
		pub, err := rsaKey(j.N, j.E)
		if err != nil {
			return nil, err
		}
		k.pub = pub
	case "EC":
		if j.Alg != "" && curveOf[j.Alg] != j.Crv {
			return nil, errors.New("alg does not fit the curve")
		}
		pub, err := ecKey(j.Crv, j.X, j.Y)
		if err != nil {
			return nil, err
		}
		k.pub, k.crv = pub, j.Crv
	default:
		return nil, errors.New("unsupported kty")
	}
	if j.Alg != "" && !supportedAlg[j.Alg] {
		return nil, errors.New("unsupported alg")
	}
	return k, nil
}

// b64 decodes a base64url member. RFC 7518 writes them without padding;
// a padded one is taken too [I].
func b64(s string) ([]byte, error) {
	return base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
}

func rsaKey(n64, e64 string) (*rsa.PublicKey, error) {
	nb, err := b64(n64)
	if err != nil {
		return nil, errors.New("n is not base64url")
	}
	eb, err := b64(e64)
	if err != nil || len(eb) == 0 || len(eb) > 4 {
		return nil, errors.New("e is not a base64url exponent")
	}
	n := new(big.Int).SetBytes(nb)
	if bits := n.BitLen(); bits < minRSABits || bits > maxRSABits {
		return nil, fmt.Errorf("a %d-bit RSA modulus", bits)
	}
	var e int64
	for _, b := range eb {
		e = e<<8 | int64(b)
	}
	// crypto/rsa takes odd exponents from 3 to 2^31-1.
	if e < 3 || e > 1<<31-1 || e%2 == 0 {
		return nil, errors.New("an unusable RSA exponent")
	}
	return &rsa.PublicKey{N: n, E: int(e)}, nil
}

func ecKey(crv, x64, y64 string) (*ecdsa.PublicKey, error) {
	var c elliptic.Curve
	switch crv {
	case "P-256":
		c = elliptic.P256()
	case "P-384":
		c = elliptic.P384()
	case "P-521":
		c = elliptic.P521()
	default:
		return nil, errors.New("unsupported crv")
	}
	size := (c.Params().BitSize + 7) / 8
	x, err := b64(x64)
	if err != nil {
		return nil, errors.New("x is not base64url")
	}
	y, err := b64(y64)
	if err != nil {
		return nil, errors.New("y is not base64url")
	}
	// RFC 7518 6.2.1.2: the coordinates are the curve's full size.
	if len(x) != size || len(y) != size {
		return nil, errors.New("coordinates of the wrong size")
	}
	point := make([]byte, 0, 1+2*size)
	point = append(append(append(point, 4), x...), y...)
	// ParseUncompressedPublicKey refuses a point that is not on the curve.
	return ecdsa.ParseUncompressedPublicKey(c, point)
}
