package jwtauth

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Real keys, made once per test binary: RSA generation takes a while.
var (
	keysOnce sync.Once
	rsa1     *rsa.PrivateKey // published as kid "rsa1"
	rsa2     *rsa.PrivateKey // published as kid "rsa2"; also the forger's key
	ec1      *ecdsa.PrivateKey
	ec384    *ecdsa.PrivateKey
)

func testKeys(t testing.TB) {
	t.Helper()
	keysOnce.Do(func() {
		var err error
		if rsa1, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic(err)
		}
		if rsa2, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic(err)
		}
		if ec1, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
			panic(err)
		}
		if ec384, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader); err != nil {
			panic(err)
		}
	})
}

func b64u(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// rsaJWK is the public JWK of k.
func rsaJWK(k *rsa.PrivateKey, kid, alg string) map[string]any {
	m := map[string]any{"kty": "RSA", "kid": kid, "use": "sig",
		"n": b64u(k.N.Bytes()), "e": b64u(big.NewInt(int64(k.E)).Bytes())}
	if alg != "" {
		m["alg"] = alg
	}
	return m
}

// ecJWK is the public JWK of k, coordinates at the curve's full size.
func ecJWK(k *ecdsa.PrivateKey, kid string) map[string]any {
	size := (k.Curve.Params().BitSize + 7) / 8
	pt, err := k.PublicKey.Bytes() // 0x04 || x || y
	if err != nil {
		panic(err)
	}
	return map[string]any{"kty": "EC", "kid": kid, "use": "sig", "crv": k.Curve.Params().Name,
		"x": b64u(pt[1 : 1+size]), "y": b64u(pt[1+size:])}
}

func jwksOf(keys ...map[string]any) []byte {
	b, err := json.Marshal(map[string]any{"keys": keys})
	if err != nil {
		panic(err)
	}
	return b
}

// idp is a real OIDC provider on loopback: a discovery document and a
// JWKS, counting the requests each gets.
type idp struct {
	srv       *httptest.Server
	jwks      atomic.Pointer[[]byte]
	discovery atomic.Int64
	jwksHits  atomic.Int64
	// handler, when set, answers the JWKS requests instead.
	handler atomic.Pointer[http.HandlerFunc]
}

func newIDP(t testing.TB) *idp {
	t.Helper()
	testKeys(t)
	p := &idp{}
	p.setJWKS(jwksOf(rsaJWK(rsa1, "rsa1", ""), rsaJWK(rsa2, "rsa2", "RS256"), ecJWK(ec1, "ec1")))
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		p.discovery.Add(1)
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]string{"issuer": p.issuer(), "jwks_uri": p.issuer() + "/jwks"})
	})
	mux.HandleFunc("GET /jwks", func(w http.ResponseWriter, r *http.Request) {
		p.jwksHits.Add(1)
		if h := p.handler.Load(); h != nil {
			(*h)(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(*p.jwks.Load())
	})
	p.srv = httptest.NewServer(mux)
	t.Cleanup(p.srv.Close)
	return p
}

func (p *idp) issuer() string               { return p.srv.URL }
func (p *idp) setJWKS(b []byte)             { p.jwks.Store(&b) }
func (p *idp) serveJWKS(h http.HandlerFunc) { p.handler.Store(&h) }

// claims are a valid token's claims for issuer, audience "portico-app".
// iat is a minute back: a test clock read a moment before, in the second
// before, would otherwise see a token issued in the future.
func claims(issuer string) jwt.MapClaims {
	now := time.Now()
	return jwt.MapClaims{"iss": issuer, "aud": "portico-app", "sub": "user-1",
		"iat": now.Add(-time.Minute).Unix(), "exp": now.Add(time.Hour).Unix()}
}

// sign signs c with method m and key, naming kid in the header ("" for
// none).
func sign(t testing.TB, m jwt.SigningMethod, key any, kid string, c jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(m, c)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// header is a Lookup with one Authorization header value.
func header(v string) Lookup {
	return func(src Source) (string, bool) {
		if src.Query || src.Name != "Authorization" {
			return "", false
		}
		return v, true
	}
}

func noToken(Source) (string, bool) { return "", false }

// newAuth compiles an authorizer of p's issuer with the audience
// "portico-app" on a fresh Keys.
func newAuth(t testing.TB, p *idp, cfg KeysConfig, mod ...func(*Config)) (*Authorizer, *Keys) {
	t.Helper()
	keys := NewKeys(cfg)
	c := Config{Issuer: p.issuer(), Audiences: []string{"other", "portico-app"}}
	for _, m := range mod {
		m(&c)
	}
	a, err := New(c, keys)
	if err != nil {
		t.Fatal(err)
	}
	return a, keys
}

func authorize(a *Authorizer, scopes []string, l Lookup) Result {
	return a.ForRoute(scopes).Authorize(context.Background(), l)
}

// clock is a settable clock for Keys.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.Now()} }
func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}
func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func newServer(t testing.TB, h http.Handler) *httptest.Server {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}
