package jwtauth

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

func TestPublicAddr(t *testing.T) {
	for addr, want := range map[string]bool{
		"8.8.8.8":                true,
		"172.32.0.1":             true, // just past 172.16/12
		"100.128.0.1":            true, // just past 100.64/10
		"192.0.2.1":              true, // documentation: harmless to reach
		"2606:4700:4700::1111":   true,
		"::ffff:8.8.8.8":         true,
		"64:ff9b::808:808":       true, // NAT64 of 8.8.8.8
		"2002:808:808::1":        true, // 6to4 of 8.8.8.8
		"127.0.0.1":              false,
		"127.8.9.10":             false,
		"::1":                    false,
		"10.1.2.3":               false,
		"172.16.0.1":             false,
		"172.31.255.255":         false,
		"192.168.1.1":            false,
		"fc00::1":                false,
		"fd12:3456::1":           false,
		"169.254.169.254":        false, // the metadata service
		"169.254.0.1":            false,
		"fe80::1":                false,
		"fe80::1%eth0":           false,
		"0.0.0.0":                false,
		"0.1.2.3":                false,
		"::":                     false,
		"100.64.0.1":             false,
		"100.127.255.255":        false,
		"224.0.0.1":              false,
		"239.255.255.250":        false,
		"ff02::1":                false,
		"ff05::2":                false,
		"255.255.255.255":        false,
		"240.0.0.1":              false,
		"198.18.0.1":             false,
		"192.0.0.8":              false,
		"::ffff:127.0.0.1":       false, // IPv4-mapped forms
		"::ffff:169.254.169.254": false,
		"::ffff:10.0.0.1":        false,
		"::ffff:100.64.0.1":      false,
		"::ffff:0.0.0.0":         false,
		"::127.0.0.1":            false, // IPv4-compatible
		"64:ff9b::a9fe:a9fe":     false, // NAT64 of 169.254.169.254
		"64:ff9b::7f00:1":        false, // NAT64 of 127.0.0.1
		"64:ff9b:1::1":           false,
		"2002:7f00:1::1":         false, // 6to4 of 127.0.0.1
		"2002:c0a8:101::1":       false, // 6to4 of 192.168.1.1
	} {
		if got := publicAddr(netip.MustParseAddr(addr)); got != want {
			t.Errorf("publicAddr(%s) = %v, want %v", addr, got, want)
		}
	}
}

// TestPolicyPublicRefusesLocalIssuers: under PolicyPublic an http issuer,
// an IP literal on loopback, and a DNS name that resolves to loopback are
// all refused, and the last before any connection reaches the server.
func TestPolicyPublicRefusesLocalIssuers(t *testing.T) {
	testKeys(t)
	srv, conns := tlsIDP(t)
	roots := x509.NewCertPool()
	roots.AddCert(srv.Certificate())
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	for _, issuer := range []string{
		"http://127.0.0.1:" + port,
		"https://127.0.0.1:" + port,
		"https://localhost:" + port, // a name: refused at the dial, after DNS
		"https://[::1]:" + port,
		"https://[::ffff:127.0.0.1]:" + port,
	} {
		t.Run(issuer, func(t *testing.T) {
			keys := NewKeys(KeysConfig{Policy: PolicyPublic, roots: roots})
			a, err := New(Config{Issuer: issuer, Audiences: []string{"portico-app"}}, keys)
			if err != nil {
				t.Fatal(err)
			}
			res := authorize(a, nil, header("Bearer "+sign(t, jwt.SigningMethodRS256, rsa1, "rsa1", claims(issuer))))
			if res.Description != descFetch {
				t.Fatalf("got %d %q", res.Status, res.Description)
			}
			if err := keys.issuer(issuer).lastErr(); !errors.Is(err, ErrEgress) {
				t.Fatalf("fetch error %v is not the policy's", err)
			}
		})
	}
	if n := conns.Load(); n != 0 {
		t.Fatalf("%d connections reached the server", n)
	}
	// The same issuer under PolicyAny works: the refusals above are the
	// policy's, not a broken server.
	a, err := New(Config{Issuer: srv.URL, Audiences: []string{"portico-app"}}, NewKeys(KeysConfig{roots: roots}))
	if err != nil {
		t.Fatal(err)
	}
	if res := authorize(a, nil, header("Bearer "+sign(t, jwt.SigningMethodRS256, rsa1, "rsa1", claims(srv.URL)))); !res.Allowed() {
		t.Fatalf("PolicyAny: %q", res.Description)
	}
}

// TestPolicyPublicRedirects: with 127.0.0.1 counted as public for the
// test, a fetch from it succeeds, and a redirect or a jwks_uri leading to
// another loopback address, or to http, is refused.
func TestPolicyPublicRedirects(t *testing.T) {
	testKeys(t)
	var jwksURI atomic.Value
	var redirect atomic.Value
	redirect.Store("")
	mux := http.NewServeMux()
	var srv *httptest.Server
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"jwks_uri":%q}`, jwksURI.Load().(string))
	})
	mux.HandleFunc("GET /jwks", func(w http.ResponseWriter, r *http.Request) {
		if to := redirect.Load().(string); to != "" {
			http.Redirect(w, r, to, http.StatusFound)
			return
		}
		w.Write(jwksOf(rsaJWK(rsa1, "rsa1", "")))
	})
	srv = httptest.NewTLSServer(mux)
	t.Cleanup(srv.Close)
	roots := x509.NewCertPool()
	roots.AddCert(srv.Certificate())
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	only127001 := func(ip netip.Addr) bool { return ip == netip.MustParseAddr("127.0.0.1") || publicAddr(ip) }

	for _, tc := range []struct {
		name, jwksURI, redirect string
		ok                      bool
	}{
		{"allowed address", srv.URL + "/jwks", "", true},
		{"redirect to another loopback address", srv.URL + "/jwks", "https://127.0.0.2:" + port + "/jwks", false},
		{"redirect to the metadata service", srv.URL + "/jwks", "http://169.254.169.254/latest/meta-data/", false},
		{"redirect to http", srv.URL + "/jwks", "http://127.0.0.1:" + port + "/jwks", false},
		{"jwks_uri on a private address", "https://10.0.0.1/jwks", "", false},
		{"jwks_uri on http", "http://127.0.0.1:" + port + "/jwks", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			jwksURI.Store(tc.jwksURI)
			redirect.Store(tc.redirect)
			keys := NewKeys(KeysConfig{Policy: PolicyPublic, roots: roots, public: only127001, FetchTimeout: 5 * time.Second})
			a, err := New(Config{Issuer: srv.URL, Audiences: []string{"portico-app"}}, keys)
			if err != nil {
				t.Fatal(err)
			}
			res := authorize(a, nil, header("Bearer "+sign(t, jwt.SigningMethodRS256, rsa1, "rsa1", claims(srv.URL))))
			if res.Allowed() != tc.ok {
				t.Fatalf("got %d %q", res.Status, res.Description)
			}
			if !tc.ok {
				if err := keys.issuer(srv.URL).lastErr(); !errors.Is(err, ErrEgress) {
					t.Fatalf("fetch error %v is not the policy's", err)
				}
			}
		})
	}
}

// TestControlRefusesOtherNetworks: the dial check takes TCP only.
func TestControlRefusesOtherNetworks(t *testing.T) {
	f := newFetcher(PolicyPublic, time.Second, nil, nil)
	if err := f.control("udp4", "8.8.8.8:53", nil); !errors.Is(err, ErrEgress) {
		t.Fatalf("udp: %v", err)
	}
	if err := f.control("tcp4", "8.8.8.8:443", nil); err != nil {
		t.Fatalf("public tcp: %v", err)
	}
	if err := f.control("tcp6", "[fe80::1%lo]:443", nil); !errors.Is(err, ErrEgress) {
		t.Fatalf("link-local with a zone: %v", err)
	}
	if err := f.control("tcp4", "nonsense", nil); !errors.Is(err, ErrEgress) {
		t.Fatalf("unparsable address: %v", err)
	}
	_, err := f.get(context.Background(), "file:///etc/passwd", 100)
	if !errors.Is(err, ErrEgress) || !strings.Contains(err.Error(), "https") {
		t.Fatalf("file URL: %v", err)
	}
	any := newFetcher(PolicyAny, time.Second, nil, nil)
	if _, err := any.get(context.Background(), "file:///etc/passwd", 100); !errors.Is(err, ErrEgress) {
		t.Fatalf("file URL under PolicyAny: %v", err)
	}
}

// tlsIDP is an OIDC provider over TLS on 127.0.0.1, counting connections.
func tlsIDP(t *testing.T) (*httptest.Server, *atomic.Int64) {
	var conns atomic.Int64
	var srv *httptest.Server
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"jwks_uri":%q}`, srv.URL+"/jwks")
	})
	mux.HandleFunc("GET /jwks", func(w http.ResponseWriter, r *http.Request) {
		w.Write(jwksOf(rsaJWK(rsa1, "rsa1", "")))
	})
	srv = httptest.NewUnstartedServer(mux)
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	// PolicyAny's positive control above connects once; count from here.
	return srv, &conns
}
