package localtls

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"io/fs"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestLoadOrCreateKeepsOneCA(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data", "tls") // created as needed
	first, err := LoadOrCreate(dir)
	if err != nil {
		t.Fatal(err)
	}
	second, err := LoadOrCreate(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !first.Certificate().Equal(second.Certificate()) {
		t.Error("a second LoadOrCreate made a new CA")
	}
	if !publicKeysEqual(first.key.Public(), second.key.Public()) {
		t.Error("a second LoadOrCreate loaded another key")
	}
	if got, want := first.CertFile(), filepath.Join(dir, "ca.pem"); got != want {
		t.Errorf("CertFile = %s, want %s", got, want)
	}
	onDisk, err := os.ReadFile(first.CertFile())
	if err != nil {
		t.Fatal(err)
	}
	if c, err := parseCert(onDisk); err != nil || !c.Equal(first.Certificate()) {
		t.Errorf("ca.pem does not hold the CA: %v", err)
	}
	if runtime.GOOS == "windows" {
		return
	}
	for name, want := range map[string]fs.FileMode{KeyFileName: 0o600, CertFileName: 0o644, BundleFileName: 0o644} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != want {
			t.Errorf("%s mode %v, want %v", name, got, want)
		}
	}
	// Nothing else is left in the directory (no temporary files).
	entries, _ := os.ReadDir(dir)
	if len(entries) != 3 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("directory holds %v, want the three files", names)
	}
}

func TestTheCACertificate(t *testing.T) {
	ca := newTestCA(t)
	c := ca.Certificate()
	if c.Subject.CommonName != "Portico local CA" {
		t.Errorf("CN %q", c.Subject.CommonName)
	}
	if !c.IsCA || !c.BasicConstraintsValid || c.MaxPathLen != 0 || !c.MaxPathLenZero {
		t.Errorf("IsCA %v, MaxPathLen %d (zero %v): want a CA with pathlen 0", c.IsCA, c.MaxPathLen, c.MaxPathLenZero)
	}
	if k, ok := c.PublicKey.(*ecdsa.PublicKey); !ok || k.Curve != elliptic.P256() {
		t.Errorf("key %T, want ECDSA P-256", c.PublicKey)
	}
	if years := c.NotAfter.Sub(c.NotBefore).Hours() / 24 / 365; years < 9.99 || years > 10.01 {
		t.Errorf("valid for %.2f years, want 10", years)
	}
	if len(c.ExtKeyUsage) != 1 || c.ExtKeyUsage[0] != x509.ExtKeyUsageServerAuth {
		t.Errorf("extended key usage %v, want server auth only", c.ExtKeyUsage)
	}
	if got := strings.Join(c.PermittedDNSDomains, ","); got != "localhost" {
		t.Errorf("permitted DNS names %q", got)
	}
	var ranges []string
	for _, r := range c.PermittedIPRanges {
		ranges = append(ranges, r.String())
	}
	if got := strings.Join(ranges, ","); got != "127.0.0.0/8,::1/128" {
		t.Errorf("permitted IP ranges %s", got)
	}
	nameConstraints := asn1.ObjectIdentifier{2, 5, 29, 30}
	found := false
	for _, e := range c.Extensions {
		if e.Id.Equal(nameConstraints) {
			found = true
			if !e.Critical {
				t.Error("name constraints are not critical (RFC 5280 section 4.2.1.10 requires it)")
			}
		}
	}
	if !found {
		t.Error("no name constraints extension")
	}
}

// TestNameConstraints: what the CA signs is accepted by Go's verifier for
// localhost names and loopback addresses only, and for TLS servers only.
// This is what makes a leaked ca-key.pem harmless.
func TestNameConstraints(t *testing.T) {
	ca := newTestCA(t)
	leaf := func(names []string, ips []net.IP, eku x509.ExtKeyUsage) *x509.Certificate {
		t.Helper()
		key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "test"},
			NotBefore: time.Now().Add(-time.Minute), NotAfter: time.Now().Add(time.Hour),
			KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{eku},
			DNSNames: names, IPAddresses: ips,
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
		if err != nil {
			t.Fatal(err)
		}
		c, _ := x509.ParseCertificate(der)
		return c
	}
	verify := func(c *x509.Certificate, name string, usage x509.ExtKeyUsage) error {
		_, err := c.Verify(x509.VerifyOptions{Roots: ca.Pool(), DNSName: name, KeyUsages: []x509.ExtKeyUsage{usage}})
		return err
	}
	server := x509.ExtKeyUsageServerAuth
	for _, name := range []string{"localhost", "app.localhost", "abc123.execute-api.localhost", "a.b.c.localhost"} {
		if err := verify(leaf([]string{name}, nil, server), name, server); err != nil {
			t.Errorf("%s refused: %v", name, err)
		}
	}
	for _, ip := range []string{"127.0.0.1", "127.1.2.3", "::1"} {
		if err := verify(leaf(nil, []net.IP{net.ParseIP(ip)}, server), ip, server); err != nil {
			t.Errorf("%s refused: %v", ip, err)
		}
	}
	if err := verify(leaf([]string{"*.execute-api.localhost"}, nil, server), "x.execute-api.localhost", server); err != nil {
		t.Errorf("wildcard under localhost refused: %v", err)
	}

	var invalid x509.CertificateInvalidError
	for _, name := range []string{"example.com", "localhost.example.com", "notlocalhost", "www.google.com"} {
		err := verify(leaf([]string{name}, nil, server), name, server)
		if !errors.As(err, &invalid) || invalid.Reason != x509.CANotAuthorizedForThisName {
			t.Errorf("%s: %v, want the CA refused for this name", name, err)
		}
	}
	for _, ip := range []string{"10.0.0.1", "192.168.1.10", "8.8.8.8", "::2"} {
		err := verify(leaf(nil, []net.IP{net.ParseIP(ip)}, server), ip, server)
		if !errors.As(err, &invalid) || invalid.Reason != x509.CANotAuthorizedForThisName {
			t.Errorf("%s: %v, want the CA refused for this address", ip, err)
		}
	}
	// One name outside spoils a certificate for names inside: why
	// ServerConfig leaves uncovered hosts out.
	mixed := leaf([]string{"localhost", "example.com"}, nil, server)
	if err := verify(mixed, "localhost", server); err == nil {
		t.Error("a certificate naming localhost and example.com was accepted for localhost")
	}
	// Not for client certificates, code signing...
	if err := verify(leaf([]string{"localhost"}, nil, x509.ExtKeyUsageClientAuth), "localhost", x509.ExtKeyUsageClientAuth); err == nil {
		t.Error("a client certificate from the CA was accepted")
	}
	if err := verify(leaf([]string{"localhost"}, nil, x509.ExtKeyUsageCodeSigning), "localhost", x509.ExtKeyUsageCodeSigning); err == nil {
		t.Error("a code-signing certificate from the CA was accepted")
	}
}

func TestCovers(t *testing.T) {
	ca := newTestCA(t)
	for host, want := range map[string]bool{
		"localhost": true, "LocalHost.": true, "api.localhost": true, "*.dev.localhost": true,
		"localhost:4800": true, "127.0.0.1": true, "127.0.0.1:4800": true, "[::1]:4800": true, "::1": true,
		"127.9.9.9": true, "::ffff:127.0.0.1": true,
		"example.com": false, "*.example.com": false, "*": false, "notlocalhost": false,
		"192.168.1.5": false, "0.0.0.0": false, "": false, "bad host": false,
	} {
		if got := ca.Covers(host); got != want {
			t.Errorf("Covers(%q) = %v, want %v", host, got, want)
		}
	}
}

// TestConcurrentCreate: processes that create the CA in one directory at
// once (portico serve and portico ca started together) end up with one CA.
func TestConcurrentCreate(t *testing.T) {
	dir := t.TempDir()
	const n = 8
	cas := make([]*CA, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { cas[i], errs[i] = LoadOrCreate(dir) })
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("LoadOrCreate %d: %v", i, errs[i])
		}
		if !cas[i].Certificate().Equal(cas[0].Certificate()) || !publicKeysEqual(cas[i].key.Public(), cas[0].key.Public()) {
			t.Fatalf("LoadOrCreate %d has another CA", i)
		}
	}
	again, err := LoadOrCreate(dir)
	if err != nil || !again.Certificate().Equal(cas[0].Certificate()) {
		t.Fatalf("the CA on disk is not the one returned: %v", err)
	}
}

func TestDamagedFiles(t *testing.T) {
	old := createWait
	createWait = 100 * time.Millisecond
	t.Cleanup(func() { createWait = old })

	other := newTestCA(t)
	otherKey, _ := os.ReadFile(filepath.Join(other.dir, KeyFileName))
	notCA := func() []byte {
		c, err := other.issue([]string{"localhost"}, nil, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Certificate[0]})
	}()
	cases := []struct {
		name   string
		damage func(dir string)
		want   string
	}{
		{"certificate not PEM", func(dir string) { write(t, dir, CertFileName, []byte("garbage")) }, "ca.pem: not a PEM certificate"},
		{"certificate truncated", func(dir string) {
			b, _ := os.ReadFile(filepath.Join(dir, CertFileName))
			write(t, dir, CertFileName, append(b[:40:40], "\n-----END CERTIFICATE-----\n"...))
		}, "ca.pem: x509: malformed certificate"},
		{"certificate of a server", func(dir string) { write(t, dir, CertFileName, notCA) }, "ca.pem: not a CA certificate"},
		{"key not PEM", func(dir string) { write(t, dir, KeyFileName, []byte("garbage")) }, "ca-key.pem: not a PEM private key"},
		{"key of another CA", func(dir string) { write(t, dir, KeyFileName, otherKey) }, "ca-key.pem is not the key of"},
		{"key missing", func(dir string) { os.Remove(filepath.Join(dir, KeyFileName)) }, "has no key (ca-key.pem is missing)"},
		{"certificate missing", func(dir string) { os.Remove(filepath.Join(dir, CertFileName)) }, "has no certificate (ca.pem is missing)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			if _, err := LoadOrCreate(dir); err != nil {
				t.Fatal(err)
			}
			c.damage(dir)
			before, _ := os.ReadFile(filepath.Join(dir, CertFileName))
			_, err := LoadOrCreate(dir)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want one saying %q", err, c.want)
			}
			if !strings.Contains(err.Error(), "to create a new CA") {
				t.Errorf("the error does not say how to start over: %v", err)
			}
			after, _ := os.ReadFile(filepath.Join(dir, CertFileName))
			if !bytes.Equal(before, after) {
				t.Error("a damaged CA was replaced")
			}
		})
	}

	t.Run("expired", func(t *testing.T) {
		dir := t.TempDir()
		longAgo := func() time.Time { return time.Now().AddDate(-11, 0, 0) }
		if _, err := loadOrCreate(dir, longAgo); err != nil {
			t.Fatal(err)
		}
		_, err := LoadOrCreate(dir)
		if err == nil || !strings.Contains(err.Error(), "expired on") {
			t.Fatalf("err = %v, want expired", err)
		}
	})
}

func write(t *testing.T, dir, name string, b []byte) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestUserCA: a CA the user already has (no name constraints, a SEC 1 key
// as openssl writes it) placed in the directory is used, and covers every
// name.
func TestUserCA(t *testing.T) {
	dir := t.TempDir()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "my dev CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().AddDate(1, 0, 0),
		KeyUsage: x509.KeyUsageCertSign, BasicConstraintsValid: true, IsCA: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	sec1, _ := x509.MarshalECPrivateKey(key)
	write(t, dir, CertFileName, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	write(t, dir, KeyFileName, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: sec1}))
	ca, err := LoadOrCreate(dir)
	if err != nil {
		t.Fatal(err)
	}
	if ca.Certificate().Subject.CommonName != "my dev CA" {
		t.Fatal("the user's CA was not loaded")
	}
	if !ca.Covers("myhost.lan") || !ca.Covers("192.168.1.5") {
		t.Error("an unconstrained CA does not cover every name")
	}
	cert, err := ca.ServerConfig([]string{"myhost.lan"}).GetCertificate(&tls.ClientHelloInfo{ServerName: "myhost.lan"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cert.Leaf.Verify(x509.VerifyOptions{Roots: ca.Pool(), DNSName: "myhost.lan"}); err != nil {
		t.Errorf("the user's CA's certificate for myhost.lan: %v", err)
	}
}

func TestEphemeral(t *testing.T) {
	ca, err := Ephemeral()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Dir(ca.CertFile())
	b, err := os.ReadFile(ca.CertFile())
	if err != nil {
		t.Fatal(err)
	}
	if c, err := parseCert(b); err != nil || !c.Equal(ca.Certificate()) {
		t.Errorf("ca.pem: %v", err)
	}
	if _, err := os.Stat(ca.BundleFile()); err != nil {
		t.Error(err)
	}
	if _, err := os.Stat(filepath.Join(dir, KeyFileName)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("an ephemeral CA's key is on disk: %v", err)
	}
	other, err := Ephemeral()
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if other.Certificate().Equal(ca.Certificate()) || other.CertFile() == ca.CertFile() {
		t.Error("two ephemeral CAs are one")
	}
	if err := ca.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Close left %s: %v", dir, err)
	}
	// A kept CA's Close leaves its files.
	kept := newTestCA(t)
	kept.Close()
	if _, err := os.Stat(kept.CertFile()); err != nil {
		t.Errorf("Close removed a kept CA: %v", err)
	}
}

// TestBundle: the bundle is the CA then the system roots, each once.
func TestBundle(t *testing.T) {
	roots := t.TempDir()
	rootA, rootB := newTestCA(t), newTestCA(t)
	systemFile := filepath.Join(roots, "system.pem")
	write(t, roots, "system.pem", append(append([]byte("# a comment\n"), rootA.certPEM...), rootB.certPEM...))
	t.Setenv("SSL_CERT_FILE", systemFile)

	dir := t.TempDir()
	ca, err := LoadOrCreate(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]byte{ca.cert.Raw, rootA.cert.Raw, rootB.cert.Raw}
	if got := bundleCerts(t, ca.BundleFile()); !equalDERs(got, want) {
		t.Errorf("bundle holds %d certificates, not the CA then the two roots", len(got))
	}

	// Portico started with SSL_CERT_FILE naming a previous run's bundle:
	// the CA is not repeated.
	t.Setenv("SSL_CERT_FILE", ca.BundleFile())
	if _, err := LoadOrCreate(dir); err != nil {
		t.Fatal(err)
	}
	if got := bundleCerts(t, ca.BundleFile()); !equalDERs(got, want) {
		t.Errorf("bundle rebuilt from itself holds %d certificates, want 3", len(got))
	}

	// No roots found: the CA alone.
	t.Setenv("SSL_CERT_FILE", filepath.Join(roots, "missing.pem"))
	if _, err := LoadOrCreate(dir); err != nil {
		t.Fatal(err)
	}
	if got := bundleCerts(t, ca.BundleFile()); !equalDERs(got, want[:1]) {
		t.Errorf("bundle without system roots holds %d certificates, want 1", len(got))
	}

	env := strings.Join(ca.Env(), "\n")
	for _, v := range []string{
		"AWS_CA_BUNDLE=" + ca.BundleFile(),
		"NODE_EXTRA_CA_CERTS=" + ca.CertFile(),
		"SSL_CERT_FILE=" + ca.BundleFile(),
		"REQUESTS_CA_BUNDLE=" + ca.BundleFile(),
	} {
		if !strings.Contains(env, v) {
			t.Errorf("Env lacks %s", v)
		}
	}
}

// TestBundleHasTheSystemRoots on this machine's own roots file.
func TestBundleHasTheSystemRoots(t *testing.T) {
	t.Setenv("SSL_CERT_FILE", "")
	sys := systemRoots()
	if len(sys) == 0 {
		t.Skip("no system roots file on this machine")
	}
	ca := newTestCA(t)
	got := bundleCerts(t, ca.BundleFile())
	var n int
	for rest := sys; ; {
		var b *pem.Block
		if b, rest = pem.Decode(rest); b == nil {
			break
		}
		n++
	}
	if len(got) != n+1 || !bytes.Equal(got[0], ca.cert.Raw) {
		t.Errorf("bundle holds %d certificates, want the CA and the system's %d", len(got), n)
	}
}

func bundleCerts(t *testing.T, path string) [][]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var ders [][]byte
	for {
		var block *pem.Block
		if block, b = pem.Decode(b); block == nil {
			return ders
		}
		ders = append(ders, block.Bytes)
	}
}

func equalDERs(a, b [][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !bytes.Equal(a[i], b[i]) {
			return false
		}
	}
	return true
}

// TestPathsAreAbsolute: the processes Portico starts run in their own
// working directories; a relative --data-dir must still name the files.
func TestPathsAreAbsolute(t *testing.T) {
	t.Chdir(t.TempDir())
	ca, err := LoadOrCreate(".portico")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{ca.CertFile(), ca.BundleFile()} {
		if !filepath.IsAbs(p) {
			t.Errorf("%s is relative", p)
		}
	}
	for _, kv := range ca.Env() {
		if !filepath.IsAbs(strings.SplitN(kv, "=", 2)[1]) {
			t.Errorf("Env %s is relative", kv)
		}
	}
}
