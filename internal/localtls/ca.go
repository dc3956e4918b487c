// Package localtls lets Portico's one listener speak TLS as well as plain
// HTTP, with certificates from a local certificate authority that Portico
// keeps in its data directory.
//
// Why: AWS's WebSocket samples build the management API endpoint as
// https://{requestContext.domainName}/{stage} and post to it with an AWS
// SDK, and the SDKs refuse a certificate they do not trust. The processes
// Portico starts are told to trust the local CA (Env); so can any other
// client (CertFile, printed by `portico ca`).
//
//	ca, err := localtls.LoadOrCreate(dir)   // or localtls.Ephemeral() in memory
//	ln = localtls.Sniff(ln, ca.ServerConfig([]string{listenHost}))
//	http.Serve(ln, h)                        // r.TLS is set on TLS connections
//
// The CA is limited by name constraints (RFC 5280 section 4.2.1.10) to
// localhost, its subdomains and the loopback addresses, and by its extended
// key usage to TLS servers: a copy of its key that leaks cannot be used to
// impersonate any other site to a machine that trusts it.
package localtls

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// File names inside the CA's directory.
const (
	// CertFileName is the CA certificate: what clients are told to trust.
	CertFileName = "ca.pem"
	// KeyFileName is the CA's private key (mode 0600).
	KeyFileName = "ca-key.pem"
	// BundleFileName is the CA certificate followed by the system's root
	// certificates: see BundleFile.
	BundleFileName = "ca-bundle.pem"
)

const (
	caName     = "Portico local CA"
	caValidity = 10 * 365 * 24 * time.Hour
)

// createWait is how long a load waits for another process that is
// creating the CA in the same directory to finish (see create).
var createWait = 3 * time.Second

// CA is a local certificate authority that issues Portico's server
// certificates.
type CA struct {
	dir     string // holds CertFileName and BundleFileName
	cert    *x509.Certificate
	certPEM []byte
	key     crypto.Signer
	// temp: dir is Ephemeral's, removed by Close.
	temp bool
	// now is the clock leaves are issued and renewed by (tests move it).
	now func() time.Time
}

// LoadOrCreate loads the CA kept in dir, creating dir and the CA when they
// do not exist yet. The same CA is loaded by every later call, so a client
// that trusted it once keeps trusting Portico. A damaged or mismatched
// file is an error that says which file and how to start over; it is
// never replaced silently, since clients may trust the CA it holds.
//
// A CA certificate and key placed in dir by the user (an existing
// development CA, say) are used as they are, name constraints or not.
// [I] AWS has nothing like it; this is what mkcert users would expect.
func LoadOrCreate(dir string) (*CA, error) {
	return loadOrCreate(dir, time.Now)
}

func loadOrCreate(dir string, now func() time.Time) (*CA, error) {
	// Absolute: the processes Portico starts read the files from their
	// own working directories.
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("local CA: %w", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("local CA: %w", err)
	}
	ca, err := load(dir, now)
	if errors.Is(err, fs.ErrNotExist) {
		ca, err = create(dir, now)
	}
	if err != nil {
		return nil, err
	}
	if err := ca.writeBundle(); err != nil {
		return nil, err
	}
	return ca, nil
}

// Ephemeral makes a CA that lives in memory, for Portico's --in-memory
// mode: a new one every run. Its certificate (and bundle) are written to a
// temporary directory, for the processes Portico starts to read; its key
// is never written. Close removes the directory.
func Ephemeral() (*CA, error) {
	dir, err := os.MkdirTemp("", "portico-ca-")
	if err != nil {
		return nil, fmt.Errorf("local CA: %w", err)
	}
	ca, err := newCA(time.Now)
	if err == nil {
		ca.dir, ca.temp = dir, true
		err = writeFileAtomic(ca.CertFile(), ca.certPEM, 0o644)
	}
	if err == nil {
		err = ca.writeBundle()
	}
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return ca, nil
}

// Close removes an Ephemeral CA's files; for a CA kept in a directory it
// does nothing.
func (ca *CA) Close() error {
	if !ca.temp {
		return nil
	}
	return os.RemoveAll(ca.dir)
}

// CertFile is the path of the CA certificate, ca.pem: what `portico ca`
// prints, what a user adds to a trust store or passes to `curl --cacert`,
// and what NODE_EXTRA_CA_CERTS names (Node adds it to its own roots).
func (ca *CA) CertFile() string { return filepath.Join(ca.dir, CertFileName) }

// BundleFile is the path of ca-bundle.pem: the CA certificate followed by
// the system's root certificates, as read when the CA was loaded.
//
// SSL_CERT_FILE (OpenSSL, Go, Ruby...), REQUESTS_CA_BUNDLE (Python
// requests) and AWS_CA_BUNDLE (botocore; the Go SDK v2 too, which builds
// a new pool from it) each replace a client's roots rather than add to
// them. Naming ca.pem alone there would make every other HTTPS site fail
// for the user's handlers (a third-party API, real AWS); the bundle keeps
// them working. Where no system roots file is found (Windows), the bundle
// holds the CA alone.
func (ca *CA) BundleFile() string { return filepath.Join(ca.dir, BundleFileName) }

// Env is what a process Portico starts needs in its environment to trust
// the CA.
func (ca *CA) Env() []string {
	bundle := ca.BundleFile()
	return []string{
		"AWS_CA_BUNDLE=" + bundle,
		"NODE_EXTRA_CA_CERTS=" + ca.CertFile(),
		"SSL_CERT_FILE=" + bundle,
		"REQUESTS_CA_BUNDLE=" + bundle,
	}
}

// Certificate is the CA certificate.
func (ca *CA) Certificate() *x509.Certificate { return ca.cert }

// Pool is a pool holding the CA certificate alone, for Go clients
// (tls.Config.RootCAs).
func (ca *CA) Pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(ca.cert)
	return p
}

// Covers reports whether a certificate for host ("name", "*.name", an IP
// address; a port is ignored) that the CA issues would be accepted by a
// client that trusts it: whether the CA's name constraints allow it. The
// caller can warn about listen hosts and --allowed-hosts names it does not
// cover, for which ServerConfig leaves them out of its certificates.
func (ca *CA) Covers(host string) bool {
	host = trimPort(host)
	if ip, err := netip.ParseAddr(host); err == nil {
		return ca.coversIP(ip)
	}
	name, ok := dnsName(host, true)
	if !ok {
		return false
	}
	return ca.coversDNS(strings.TrimPrefix(name, "*."))
}

// coversDNS applies the DNS name constraints the way RFC 5280 and Go's
// verifier read them: "localhost" permits localhost and every name under
// it; ".localhost" only the names under it.
func (ca *CA) coversDNS(name string) bool {
	match := func(c string) bool {
		c = strings.ToLower(c)
		if strings.HasPrefix(c, ".") {
			return strings.HasSuffix(name, c)
		}
		return name == c || strings.HasSuffix(name, "."+c)
	}
	for _, c := range ca.cert.ExcludedDNSDomains {
		if match(c) {
			return false
		}
	}
	if len(ca.cert.PermittedDNSDomains) == 0 {
		return true
	}
	for _, c := range ca.cert.PermittedDNSDomains {
		if match(c) {
			return true
		}
	}
	return false
}

func (ca *CA) coversIP(ip netip.Addr) bool {
	nip := net.IP(ip.Unmap().AsSlice())
	for _, r := range ca.cert.ExcludedIPRanges {
		if r.Contains(nip) {
			return false
		}
	}
	if len(ca.cert.PermittedIPRanges) == 0 {
		return true
	}
	for _, r := range ca.cert.PermittedIPRanges {
		if r.Contains(nip) {
			return true
		}
	}
	return false
}

// newCA makes a new CA: an ECDSA P-256 key (fast handshakes, small
// certificates, accepted by every TLS client in use) and a self-signed
// certificate.
func newCA(now func() time.Time) (*CA, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("local CA: %w", err)
	}
	serial, err := randomSerial()
	if err != nil {
		return nil, err
	}
	t := now()
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: caName, Organization: []string{"Portico"}},
		// An hour back: a client whose clock is a little behind.
		NotBefore:             t.Add(-time.Hour),
		NotAfter:              t.Add(caValidity),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		// Leaves only, no intermediate CAs.
		MaxPathLen:     0,
		MaxPathLenZero: true,
		// TLS servers only (clients that check extended key usage through
		// the chain, as Go, OpenSSL and Windows do, refuse anything else
		// it would sign: code signing, S/MIME, client certificates).
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		// Critical, as RFC 5280 requires of name constraints: a client
		// that cannot check them must refuse the certificate.
		PermittedDNSDomainsCritical: true,
		PermittedDNSDomains:         []string{"localhost"},
		PermittedIPRanges: []*net.IPNet{
			{IP: net.IPv4(127, 0, 0, 0).To4(), Mask: net.CIDRMask(8, 32)},
			{IP: net.IPv6loopback, Mask: net.CIDRMask(128, 128)},
		},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("local CA: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("local CA: %w", err)
	}
	return &CA{
		cert:    cert,
		certPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		key:     key,
		now:     now,
	}, nil
}

// create makes a new CA in dir. Two processes may race to create it (a
// `portico serve` and a `portico ca` started together): the key file is
// created with O_EXCL, which fails when the name exists, so exactly one
// of them wins; it writes the key, then renames the certificate into
// place, and the others load what it wrote (load waits for the
// certificate, and reads the key after it).
func create(dir string, now func() time.Time) (*CA, error) {
	ca, err := newCA(now)
	if err != nil {
		return nil, err
	}
	ca.dir = dir
	keyDER, err := x509.MarshalPKCS8PrivateKey(ca.key)
	if err != nil {
		return nil, fmt.Errorf("local CA: %w", err)
	}
	keyFile := filepath.Join(dir, KeyFileName)
	f, err := os.OpenFile(keyFile, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return load(dir, now) // another process is creating it
	}
	if err != nil {
		return nil, fmt.Errorf("local CA: %w", err)
	}
	err = pem.Encode(f, &pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = writeFileAtomic(ca.CertFile(), ca.certPEM, 0o644)
	}
	if err != nil {
		os.Remove(keyFile)
		return nil, fmt.Errorf("local CA: %w", err)
	}
	return ca, nil
}

// load reads the CA in dir. Neither file there: an error that is
// fs.ErrNotExist, for LoadOrCreate to create it.
func load(dir string, now func() time.Time) (*CA, error) {
	certFile := filepath.Join(dir, CertFileName)
	keyFile := filepath.Join(dir, KeyFileName)
	startOver := fmt.Sprintf("remove %s and %s to create a new CA (clients that trusted the old one must then be given the new %s)", certFile, keyFile, CertFileName)

	certPEM, certErr := os.ReadFile(certFile)
	// The key is written first (create): a key without its certificate
	// may be a creation in progress.
	for deadline := time.Now().Add(createWait); errors.Is(certErr, fs.ErrNotExist) && exists(keyFile) && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
		certPEM, certErr = os.ReadFile(certFile)
	}
	keyPEM, keyErr := os.ReadFile(keyFile)
	switch {
	case errors.Is(keyErr, fs.ErrNotExist) && errors.Is(certErr, fs.ErrNotExist):
		return nil, fmt.Errorf("local CA in %s: %w", dir, fs.ErrNotExist)
	case errors.Is(keyErr, fs.ErrNotExist) && certErr == nil:
		return nil, fmt.Errorf("local CA: %s has no key (%s is missing); %s", certFile, KeyFileName, startOver)
	case keyErr != nil:
		return nil, fmt.Errorf("local CA: %w", keyErr)
	case errors.Is(certErr, fs.ErrNotExist):
		return nil, fmt.Errorf("local CA: %s has no certificate (%s is missing); %s", keyFile, CertFileName, startOver)
	case certErr != nil:
		return nil, fmt.Errorf("local CA: %w", certErr)
	}

	cert, err := parseCert(certPEM)
	if err != nil {
		return nil, fmt.Errorf("local CA: %s: %v; %s", certFile, err, startOver)
	}
	key, err := parseKey(keyPEM)
	if err != nil {
		return nil, fmt.Errorf("local CA: %s: %v; %s", keyFile, err, startOver)
	}
	if !publicKeysEqual(cert.PublicKey, key.Public()) {
		return nil, fmt.Errorf("local CA: %s is not the key of %s; %s", keyFile, certFile, startOver)
	}
	if t := now(); t.After(cert.NotAfter) {
		return nil, fmt.Errorf("local CA: %s expired on %s; %s", certFile, cert.NotAfter.UTC().Format(time.DateOnly), startOver)
	} else if t.Before(cert.NotBefore) {
		return nil, fmt.Errorf("local CA: %s is not valid before %s (is the clock right?)", certFile, cert.NotBefore.UTC().Format(time.RFC3339))
	}
	return &CA{dir: dir, cert: cert, certPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}), key: key, now: now}, nil
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

func parseCert(b []byte) (*x509.Certificate, error) {
	block, _ := pem.Decode(b)
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, errors.New("not a PEM certificate")
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, err
	}
	if !cert.BasicConstraintsValid || !cert.IsCA {
		return nil, errors.New("not a CA certificate")
	}
	if cert.KeyUsage != 0 && cert.KeyUsage&x509.KeyUsageCertSign == 0 {
		return nil, errors.New("a CA certificate that may not sign certificates")
	}
	return cert, nil
}

// parseKey reads PKCS#8 (what Portico and mkcert write) and, for a key
// made with openssl, SEC 1 and PKCS#1.
func parseKey(b []byte) (crypto.Signer, error) {
	block, _ := pem.Decode(b)
	if block == nil {
		return nil, errors.New("not a PEM private key")
	}
	var key any
	var err error
	switch block.Type {
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	case "EC PRIVATE KEY":
		key, err = x509.ParseECPrivateKey(block.Bytes)
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	default:
		return nil, fmt.Errorf("a PEM %q block, not a private key", block.Type)
	}
	if err != nil {
		return nil, err
	}
	signer, ok := key.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("unsupported key type %T", key)
	}
	return signer, nil
}

func publicKeysEqual(a, b crypto.PublicKey) bool {
	ea, ok := a.(interface{ Equal(crypto.PublicKey) bool })
	return ok && ea.Equal(b)
}

func randomSerial() (*big.Int, error) {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		return nil, fmt.Errorf("local CA: %w", err)
	}
	return n.Add(n, big.NewInt(1)), nil // positive, as RFC 5280 requires
}

// writeBundle writes BundleFile when its content changed: the CA, then
// the system roots. It is rewritten on every load, so that a roots update
// of the system reaches the processes of the next run.
func (ca *CA) writeBundle() error {
	var b bytes.Buffer
	b.Write(ca.certPEM)
	rest := systemRoots()
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		// The CA itself may be there already: Portico started with
		// SSL_CERT_FILE naming a bundle of a previous run.
		if block.Type != "CERTIFICATE" || bytes.Equal(block.Bytes, ca.cert.Raw) {
			continue
		}
		pem.Encode(&b, &pem.Block{Type: "CERTIFICATE", Bytes: block.Bytes})
	}
	if old, err := os.ReadFile(ca.BundleFile()); err == nil && bytes.Equal(old, b.Bytes()) {
		return nil
	}
	return writeFileAtomic(ca.BundleFile(), b.Bytes(), 0o644)
}

// rootFiles are where systems keep their root certificates in one PEM
// file: Go's crypto/x509 list for Linux and the BSDs, and macOS's
// /etc/ssl/cert.pem. The first that exists is read.
var rootFiles = []string{
	"/etc/ssl/certs/ca-certificates.crt",                // Debian, Ubuntu, Gentoo, Arch
	"/etc/pki/tls/certs/ca-bundle.crt",                  // Fedora, RHEL 6
	"/etc/ssl/ca-bundle.pem",                            // openSUSE
	"/etc/pki/tls/cacert.pem",                           // OpenELEC
	"/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem", // CentOS, RHEL 7
	"/etc/ssl/cert.pem",                                 // Alpine, macOS, OpenBSD
	"/usr/local/etc/ssl/cert.pem",                       // FreeBSD
	"/usr/local/share/certs/ca-root-nss.crt",            // DragonFly
	"/etc/openssl/certs/ca-certificates.crt",            // NetBSD
}

// systemRoots is the PEM of the system's root certificates, or nothing.
// SSL_CERT_FILE, when Portico itself runs with it, is the system's roots
// as Go and OpenSSL see them.
func systemRoots() []byte {
	files := rootFiles
	if f := os.Getenv("SSL_CERT_FILE"); f != "" {
		files = []string{f}
	}
	for _, f := range files {
		if b, err := os.ReadFile(f); err == nil {
			return b
		}
	}
	return nil
}

// writeTemp writes b to a new file in dir and syncs it.
func writeTemp(dir string, b []byte, perm os.FileMode) (string, error) {
	f, err := os.CreateTemp(dir, ".tmp-")
	if err != nil {
		return "", fmt.Errorf("local CA: %w", err)
	}
	name := f.Name()
	err = f.Chmod(perm)
	if err == nil {
		_, err = f.Write(b)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(name)
		return "", fmt.Errorf("local CA: %w", err)
	}
	return name, nil
}

// writeFileAtomic replaces path with b: a process reading it sees the old
// content or the new, never part of it.
func writeFileAtomic(path string, b []byte, perm os.FileMode) error {
	tmp, err := writeTemp(filepath.Dir(path), b, perm)
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("local CA: %w", err)
	}
	return nil
}
