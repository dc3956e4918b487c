package localtls

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

func getCert(t *testing.T, cfg *tls.Config, sni string) *x509.Certificate {
	t.Helper()
	c, err := cfg.GetCertificate(&tls.ClientHelloInfo{ServerName: sni})
	if err != nil {
		t.Fatalf("GetCertificate(%q): %v", sni, err)
	}
	return c.Leaf
}

func TestServerConfig(t *testing.T) {
	ca := newTestCA(t)
	cfg := ca.ServerConfig(nil)
	if cfg.MinVersion != tls.VersionTLS12 {
		t.Errorf("MinVersion %x, want TLS 1.2", cfg.MinVersion)
	}
	if !slices.Equal(cfg.NextProtos, []string{"http/1.1"}) {
		t.Errorf("NextProtos %v, want http/1.1 only", cfg.NextProtos)
	}
	leaf := getCert(t, cfg, "")
	if got := strings.Join(leaf.DNSNames, ","); got != "localhost,*.execute-api.localhost" {
		t.Errorf("DNS names %s", got)
	}
	if got := fmt.Sprint(leaf.IPAddresses); got != "[127.0.0.1 ::1]" {
		t.Errorf("IP addresses %s", got)
	}
	for _, name := range []string{"localhost", "127.0.0.1", "::1", "abc123.execute-api.localhost"} {
		if _, err := leaf.Verify(x509.VerifyOptions{Roots: ca.Pool(), DNSName: name}); err != nil {
			t.Errorf("default certificate for %s: %v", name, err)
		}
	}
	if d := leaf.NotAfter.Sub(leaf.NotBefore); d > 365*24*time.Hour {
		t.Errorf("valid for %v, more than a year", d)
	}
	if len(leaf.ExtKeyUsage) != 1 || leaf.ExtKeyUsage[0] != x509.ExtKeyUsageServerAuth || leaf.IsCA {
		t.Errorf("not a server certificate: EKU %v, CA %v", leaf.ExtKeyUsage, leaf.IsCA)
	}
}

// TestServerConfigHosts: the hosts given join the default certificate when
// the CA covers them; the others are left out, since one name outside the
// constraints would make clients refuse the certificate for every name.
func TestServerConfigHosts(t *testing.T) {
	ca := newTestCA(t)
	cfg := ca.ServerConfig([]string{"127.0.0.1:4800", "0.0.0.0", "[::]:4800", "portico.localhost", "*.dev.localhost",
		"LOCALHOST", "myhost.example.com", "*.example.com", "*", "192.168.1.5", "127.0.0.2", "bad name"})
	leaf := getCert(t, cfg, "")
	if got := strings.Join(leaf.DNSNames, ","); got != "localhost,*.execute-api.localhost,portico.localhost,*.dev.localhost" {
		t.Errorf("DNS names %s", got)
	}
	if got := fmt.Sprint(leaf.IPAddresses); got != "[127.0.0.1 ::1 127.0.0.2]" {
		t.Errorf("IP addresses %s", got)
	}
	for _, name := range []string{"portico.localhost", "x.dev.localhost", "127.0.0.2"} {
		if _, err := leaf.Verify(x509.VerifyOptions{Roots: ca.Pool(), DNSName: name}); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestSNI: a name under localhost the default certificate lacks gets its
// own, issued once; a name outside, or none, gets the default.
func TestSNI(t *testing.T) {
	ca := newTestCA(t)
	cfg := ca.ServerConfig(nil)
	def := getCert(t, cfg, "")
	for _, sni := range []string{"localhost", "LOCALHOST.", "abc.execute-api.localhost", "example.com", "bad_name-.localhost", "127.0.0.1", "10.0.0.1"} {
		if got := getCert(t, cfg, sni); got != def {
			t.Errorf("SNI %q got %v, want the default certificate", sni, got.DNSNames)
		}
	}
	for _, sni := range []string{"a.b.execute-api.localhost", "app.localhost", "API.Localhost"} {
		leaf := getCert(t, cfg, sni)
		if leaf == def {
			t.Errorf("SNI %q got the default certificate", sni)
			continue
		}
		want := strings.ToLower(sni)
		if !slices.Equal(leaf.DNSNames, []string{want}) {
			t.Errorf("SNI %q: names %v", sni, leaf.DNSNames)
		}
		if _, err := leaf.Verify(x509.VerifyOptions{Roots: ca.Pool(), DNSName: want}); err != nil {
			t.Errorf("SNI %q: %v", sni, err)
		}
		if again := getCert(t, cfg, sni); again != leaf {
			t.Errorf("SNI %q: a second certificate issued", sni)
		}
	}
	// An IP literal in SNI (RFC 6066 forbids it; some clients send it).
	leaf := getCert(t, cfg, "127.0.0.9")
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: ca.Pool(), DNSName: "127.0.0.9"}); err != nil {
		t.Errorf("SNI 127.0.0.9: %v", err)
	}
}

func TestLeavesBounded(t *testing.T) {
	ca := newTestCA(t)
	cfg, is := ca.serverConfig(nil)
	def := getCert(t, cfg, "")
	for i := range maxLeaves + 50 {
		getCert(t, cfg, fmt.Sprintf("n%d.localhost", i))
	}
	if n := len(is.leaves); n > maxLeaves {
		t.Errorf("%d certificates kept, want at most %d", n, maxLeaves)
	}
	if getCert(t, cfg, "") != def {
		t.Error("the default certificate was dropped")
	}
}

// TestRenewal: a certificate is replaced before it expires, and the new one
// is valid then; none outlives the CA.
func TestRenewal(t *testing.T) {
	ca := newTestCA(t)
	now := time.Now()
	ca.now = func() time.Time { return now }
	cfg := ca.ServerConfig(nil)
	first := getCert(t, cfg, "")
	sub := getCert(t, cfg, "app.localhost")

	now = now.Add(leafValidity - renewBefore - time.Hour)
	if getCert(t, cfg, "") != first || getCert(t, cfg, "app.localhost") != sub {
		t.Fatal("renewed before it was due")
	}

	now = now.Add(2 * time.Hour)
	second := getCert(t, cfg, "")
	if second == first || second.SerialNumber.Cmp(first.SerialNumber) == 0 {
		t.Fatal("not renewed with less than renewBefore left")
	}
	if getCert(t, cfg, "app.localhost") == sub {
		t.Error("an SNI certificate was not renewed")
	}
	for _, c := range []*x509.Certificate{second, getCert(t, cfg, "app.localhost")} {
		// Valid now, and still when the old one has expired.
		for _, at := range []time.Time{now, first.NotAfter.Add(time.Minute)} {
			if _, err := c.Verify(x509.VerifyOptions{Roots: ca.Pool(), DNSName: c.DNSNames[0], CurrentTime: at}); err != nil {
				t.Errorf("renewed certificate for %s at %v: %v", c.DNSNames[0], at, err)
			}
		}
	}

	// A clock set back before the certificate's start: a new one.
	now = first.NotBefore.Add(-time.Hour)
	if getCert(t, cfg, "") == second {
		t.Error("a certificate not valid yet was served")
	}

	// Near the CA's end, a leaf ends with it.
	now = ca.cert.NotAfter.Add(-24 * time.Hour)
	last := getCert(t, cfg, "")
	if !last.NotAfter.Equal(ca.cert.NotAfter) {
		t.Errorf("leaf ends %v, after the CA's %v", last.NotAfter, ca.cert.NotAfter)
	}
	// ...and is kept: a new one would not last longer.
	now = now.Add(time.Hour)
	if getCert(t, cfg, "") != last {
		t.Error("a leaf that ends with the CA was issued anew")
	}
}
