package jwtauth

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// farClaims expire far enough ahead for a clock moved by hours.
func farClaims(issuer string) jwt.MapClaims {
	c := claims(issuer)
	c["exp"] = time.Now().Add(72 * time.Hour).Unix()
	return c
}

// TestUnknownKIDRefresh: a kid the cache lacks makes it fetch the keys
// again, at most once per MinRefresh per issuer, however many tokens ask.
func TestUnknownKIDRefresh(t *testing.T) {
	p := newIDP(t)
	clk := newClock()
	a, _ := newAuth(t, p, KeysConfig{Now: clk.Now})
	tok := func(kid string) Lookup {
		return header("Bearer " + sign(t, jwt.SigningMethodRS256, rsa1, kid, farClaims(p.issuer())))
	}
	check := func(step string, l Lookup, desc string, fetches int64) {
		t.Helper()
		res := authorize(a, nil, l)
		if res.Description != desc {
			t.Fatalf("%s: got %q, want %q", step, res.Description, desc)
		}
		if got := p.jwksHits.Load(); got != fetches || p.discovery.Load() != fetches {
			t.Fatalf("%s: %d JWKS and %d discovery fetches, want %d", step, got, p.discovery.Load(), fetches)
		}
	}
	check("first token", tok("rsa1"), "", 1)
	check("cached", tok("rsa1"), "", 1)

	// The provider rotates in a new key under kid "new".
	p.setJWKS(jwksOf(rsaJWK(rsa1, "rsa1", ""), rsaJWK(rsa1, "new", "")))
	check("new kid within MinRefresh of the first fetch", tok("new"), descUnknownKID, 1)
	clk.advance(10 * time.Second)
	check("new kid after MinRefresh", tok("new"), "", 2)
	for i := range 20 {
		check(fmt.Sprint("unknown kid ", i), tok(fmt.Sprint("nope", i)), descUnknownKID, 2)
	}
	clk.advance(9 * time.Second)
	check("still within MinRefresh", tok("nope"), descUnknownKID, 2)
	clk.advance(time.Second)
	check("MinRefresh later", tok("nope"), descUnknownKID, 3)
	check("known kids are not held up", tok("rsa1"), "", 3)
}

// TestKeysTTL: keys older than the TTL are fetched again; a key removed
// from the JWKS is then refused.
func TestKeysTTL(t *testing.T) {
	p := newIDP(t)
	clk := newClock()
	a, _ := newAuth(t, p, KeysConfig{Now: clk.Now})
	l := header("Bearer " + sign(t, jwt.SigningMethodRS256, rsa1, "rsa1", farClaims(p.issuer())))
	if res := authorize(a, nil, l); !res.Allowed() {
		t.Fatal(res.Description)
	}
	p.setJWKS(jwksOf(rsaJWK(rsa2, "rsa2", "")))
	clk.advance(2*time.Hour - time.Second)
	if res := authorize(a, nil, l); !res.Allowed() || p.jwksHits.Load() != 1 {
		t.Fatalf("within the TTL: %q, %d fetches", res.Description, p.jwksHits.Load())
	}
	clk.advance(time.Second)
	if res := authorize(a, nil, l); res.Description != descUnknownKID || p.jwksHits.Load() != 2 {
		t.Fatalf("after the TTL: %q, %d fetches", res.Description, p.jwksHits.Load())
	}
}

// TestStaleKeysWhenRefreshFails: after the TTL, keys still verify while
// the provider is down; a new kid is refused as a fetch failure.
func TestStaleKeysWhenRefreshFails(t *testing.T) {
	p := newIDP(t)
	clk := newClock()
	a, _ := newAuth(t, p, KeysConfig{Now: clk.Now})
	l := header("Bearer " + sign(t, jwt.SigningMethodRS256, rsa1, "rsa1", farClaims(p.issuer())))
	if res := authorize(a, nil, l); !res.Allowed() {
		t.Fatal(res.Description)
	}
	p.serveJWKS(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusBadGateway) })
	clk.advance(3 * time.Hour)
	if res := authorize(a, nil, l); !res.Allowed() || p.jwksHits.Load() != 2 {
		t.Fatalf("stale key: %q, %d fetches", res.Description, p.jwksHits.Load())
	}
	other := header("Bearer " + sign(t, jwt.SigningMethodRS256, rsa1, "other", farClaims(p.issuer())))
	if res := authorize(a, nil, other); res.Description != descFetch {
		t.Fatalf("new kid while failing: %q", res.Description)
	}
}

// TestFetchFailureLoggedOnce: an issuer that cannot be reached refuses
// every token with 401, is fetched at most once per MinRefresh, and is
// logged when it fails and when it recovers, not per request.
func TestFetchFailureLoggedOnce(t *testing.T) {
	p := newIDP(t)
	var mu sync.Mutex
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(lockedWriter{&mu, &logs}, nil))
	clk := newClock()
	a, _ := newAuth(t, p, KeysConfig{Now: clk.Now, Logger: log})
	p.serveJWKS(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusInternalServerError) })
	l := header("Bearer " + sign(t, jwt.SigningMethodRS256, rsa1, "rsa1", farClaims(p.issuer())))
	for i := range 50 {
		if i%10 == 9 {
			clk.advance(10 * time.Second) // 6 fetches in all
		}
		res := authorize(a, nil, l)
		if res.Status != StatusUnauthorized || res.Description != descFetch {
			t.Fatalf("request %d: %d %q", i, res.Status, res.Description)
		}
	}
	if n := p.jwksHits.Load(); n != 6 {
		t.Fatalf("%d fetches, want 6", n)
	}
	mu.Lock()
	got := logs.String()
	mu.Unlock()
	if n := strings.Count(got, "could not be fetched"); n != 1 || !strings.Contains(got, "status 500") || !strings.Contains(got, p.issuer()) {
		t.Fatalf("%d failure records:\n%s", n, got)
	}
	p.handler.Store(nil)
	clk.advance(10 * time.Second)
	if res := authorize(a, nil, l); !res.Allowed() {
		t.Fatalf("after recovery: %q", res.Description)
	}
	mu.Lock()
	got = logs.String()
	mu.Unlock()
	if strings.Count(got, "fetched again") != 1 || strings.Count(got, "could not be fetched") != 1 {
		t.Fatalf("logs after recovery:\n%s", got)
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	b  *bytes.Buffer
}

func (w lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

// TestConcurrentColdStart: requests that arrive together on an empty
// cache share one fetch and all pass.
func TestConcurrentColdStart(t *testing.T) {
	p := newIDP(t)
	release := make(chan struct{})
	p.serveJWKS(func(w http.ResponseWriter, r *http.Request) {
		<-release
		w.Write(*p.jwks.Load())
	})
	a, _ := newAuth(t, p, KeysConfig{})
	l := header("Bearer " + sign(t, jwt.SigningMethodRS256, rsa1, "rsa1", claims(p.issuer())))
	var wg sync.WaitGroup
	results := make([]Result, 32)
	for i := range results {
		wg.Go(func() { results[i] = authorize(a, nil, l) })
	}
	for p.jwksHits.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	close(release)
	wg.Wait()
	for i, res := range results {
		if !res.Allowed() {
			t.Fatalf("request %d: %q", i, res.Description)
		}
	}
	if n := p.jwksHits.Load(); n != 1 {
		t.Fatalf("%d fetches, want 1", n)
	}
}

// TestWaitEndsWithTheRequest: a request whose context ends while the keys
// are being fetched is refused; the fetch goes on for the others.
func TestWaitEndsWithTheRequest(t *testing.T) {
	p := newIDP(t)
	release := make(chan struct{})
	p.serveJWKS(func(w http.ResponseWriter, r *http.Request) {
		<-release
		w.Write(*p.jwks.Load())
	})
	a, _ := newAuth(t, p, KeysConfig{FetchTimeout: time.Minute})
	l := header("Bearer " + sign(t, jwt.SigningMethodRS256, rsa1, "rsa1", claims(p.issuer())))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan Result)
	go func() { done <- a.ForRoute(nil).Authorize(ctx, l) }()
	for p.jwksHits.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	cancel()
	if res := <-done; res.Description != descFetch {
		t.Fatalf("cancelled request: %q", res.Description)
	}
	close(release)
	if res := authorize(a, nil, l); !res.Allowed() || p.jwksHits.Load() != 1 {
		t.Fatalf("next request: %q after %d fetches", res.Description, p.jwksHits.Load())
	}
}

// TestSharedKeys: authorizers of one issuer on one Keys share its fetch,
// as the stages of a process do.
func TestSharedKeys(t *testing.T) {
	p := newIDP(t)
	keys := NewKeys(KeysConfig{})
	l := header("Bearer " + sign(t, jwt.SigningMethodRS256, rsa1, "rsa1", claims(p.issuer())))
	for i := range 3 {
		a, err := New(Config{Issuer: p.issuer(), Audiences: []string{"portico-app"}}, keys)
		if err != nil {
			t.Fatal(err)
		}
		if res := authorize(a, []string(nil), l); !res.Allowed() {
			t.Fatalf("stage %d: %q", i, res.Description)
		}
	}
	if n := p.jwksHits.Load(); n != 1 {
		t.Fatalf("%d fetches for 3 stages, want 1", n)
	}
}

// TestFetchBounds: AWS's size bounds, the fetch timeout, redirects and
// the documents' shapes.
func TestFetchBounds(t *testing.T) {
	p := newIDP(t)
	// A JWKS of exactly n bytes: the keys, then spaces.
	jwksOfSize := func(n int) []byte {
		b := jwksOf(rsaJWK(rsa1, "rsa1", ""))
		return append(b, bytes.Repeat([]byte(" "), n-len(b))...)
	}
	serve := func(body []byte) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) { w.Write(body) }
	}
	hang := make(chan struct{})
	t.Cleanup(func() { close(hang) })
	cases := []struct {
		name    string
		handler http.HandlerFunc
		ok      bool
		logged  string
	}{
		{"JWKS of 150000 bytes", serve(jwksOfSize(MaxJWKSBytes)), true, ""},
		{"JWKS of 150001 bytes", serve(jwksOfSize(MaxJWKSBytes + 1)), false, "over 150000 bytes"},
		{"JWKS of 150001 bytes without Content-Length", func(w http.ResponseWriter, r *http.Request) {
			b := jwksOfSize(MaxJWKSBytes + 1)
			w.Write(b[:1000])
			w.(http.Flusher).Flush() // chunked: the length is not announced
			w.Write(b[1000:])
		}, false, "over 150000 bytes"},
		{"slow JWKS", func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-hang:
			case <-r.Context().Done():
			}
		}, false, "deadline exceeded"},
		{"5 redirects", redirects(5, p), true, ""},
		{"6 redirects", redirects(6, p), false, "more than 5 redirects"},
		{"not JSON", serve([]byte("<html>")), false, "not a JSON object"},
		{"no keys array", serve([]byte(`{"kes":[]}`)), false, `no \"keys\" array`},
		{"only unusable keys", serve([]byte(`{"keys":[{"kty":"oct","kid":"rsa1","k":"c2VjcmV0"}]}`)), false, "no RSA or EC signing key"},
		{"404", func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) }, false, "status 404"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p.serveJWKS(tc.handler)
			var logs bytes.Buffer
			var mu sync.Mutex
			timeout := time.Duration(0) // AWS's 1,500 ms
			if tc.name == "slow JWKS" {
				timeout = 100 * time.Millisecond
			}
			a, _ := newAuth(t, p, KeysConfig{FetchTimeout: timeout,
				Logger: slog.New(slog.NewTextHandler(lockedWriter{&mu, &logs}, nil))})
			res := authorize(a, nil, header("Bearer "+sign(t, jwt.SigningMethodRS256, rsa1, "rsa1", claims(p.issuer()))))
			if res.Allowed() != tc.ok || (!tc.ok && res.Description != descFetch) {
				t.Fatalf("got %d %q", res.Status, res.Description)
			}
			mu.Lock()
			defer mu.Unlock()
			if !strings.Contains(logs.String(), tc.logged) {
				t.Fatalf("log %q lacks %q", logs.String(), tc.logged)
			}
		})
	}
}

// redirects answers the JWKS after n redirects.
func redirects(n int, p *idp) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var hop int
		fmt.Sscan(r.URL.Query().Get("hop"), &hop)
		if hop < n {
			http.Redirect(w, r, fmt.Sprintf("/jwks?hop=%d", hop+1), http.StatusFound)
			return
		}
		w.Write(*p.jwks.Load())
	}
}

// TestDiscoveryBounds: the discovery document is bounded and must name
// an absolute jwks_uri.
func TestDiscoveryBounds(t *testing.T) {
	testKeys(t)
	jwks := jwksOf(rsaJWK(rsa1, "rsa1", ""))
	var srvURL string
	for _, tc := range []struct {
		name string
		doc  func() string
		ok   bool
	}{
		{"jwks_uri elsewhere on the server", func() string { return `{"jwks_uri":"` + srvURL + `/keys/v1"}` }, true},
		{"trailing slash issuer", nil, true},
		{"relative jwks_uri", func() string { return `{"jwks_uri":"/keys/v1"}` }, false},
		{"no jwks_uri", func() string { return `{"issuer":"x"}` }, false},
		{"over the bound", func() string {
			return `{"jwks_uri":"` + srvURL + `/keys/v1","pad":"` + strings.Repeat("x", MaxDiscoveryBytes) + `"}`
		}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mux := http.NewServeMux()
			mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
				if tc.doc == nil {
					fmt.Fprintf(w, `{"jwks_uri":%q}`, srvURL+"/keys/v1")
					return
				}
				w.Write([]byte(tc.doc()))
			})
			mux.HandleFunc("GET /keys/v1", func(w http.ResponseWriter, r *http.Request) { w.Write(jwks) })
			srv := newServer(t, mux)
			srvURL = srv.URL
			issuer := srv.URL
			if tc.doc == nil {
				issuer += "/"
			}
			a, err := New(Config{Issuer: issuer, Audiences: []string{"portico-app"}}, NewKeys(KeysConfig{}))
			if err != nil {
				t.Fatal(err)
			}
			res := authorize(a, nil, header("Bearer "+sign(t, jwt.SigningMethodRS256, rsa1, "rsa1", claims(issuer))))
			if res.Allowed() != tc.ok || (!tc.ok && res.Description != descFetch) {
				t.Fatalf("got %d %q", res.Status, res.Description)
			}
		})
	}
}
