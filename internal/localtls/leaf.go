package localtls

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"sync"
	"time"
)

// defaultHosts are the names every server certificate holds: what a
// client on this machine dials Portico by (requestContext.domainName, the
// execute-api host form).
var defaultHosts = []string{"localhost", "127.0.0.1", "::1", "*.execute-api.localhost"}

const (
	// leafValidity is a server certificate's lifetime. Leaves live in
	// memory only (a new key every run), so a short one costs nothing;
	// it is well under what clients accept (Apple: 398 days).
	leafValidity = 30 * 24 * time.Hour
	// renewBefore: a leaf with less left than this is replaced at the
	// next handshake, long before a client could see it expire.
	renewBefore = 10 * 24 * time.Hour
	// maxLeaves bounds the certificates issued on the fly for names a
	// client asks for (any *.localhost): a client cycling through names
	// costs a signature each, not memory.
	maxLeaves = 256
)

// ServerConfig is the TLS configuration for Portico's listener: a
// certificate for localhost, 127.0.0.1, ::1 and *.execute-api.localhost,
// and for hosts (the listen host, the
// --allowed-hosts names; "host:port", "*.name" and IP literals are
// accepted), issued by the CA when first needed, kept in memory and
// renewed before it expires.
//
// A client that asks by SNI for a name under localhost that this
// certificate does not hold (a.b.execute-api.localhost: a wildcard covers
// one label) gets one issued for that name. A client that asks for a name
// the CA does not cover, or for none (a client dialing an IP address
// sends no SNI), gets the default certificate. Hosts the CA does not
// cover (see Covers) are left out: one name outside the CA's constraints
// would make clients refuse the whole certificate.
//
// TLS 1.2 and 1.3. ALPN offers http/1.1 only: the WebSocket engine takes
// over connections with http.Hijacker, which HTTP/2 does not offer
// (WebSockets over HTTP/2 need RFC 8441, which neither net/http's server
// nor the engine speaks), and the rest of the front end is written and
// tested against HTTP/1.1 (its Connection: close rules, half-closed
// clients). One protocol on both kinds of connection keeps them alike.
func (ca *CA) ServerConfig(hosts []string) *tls.Config {
	cfg, _ := ca.serverConfig(hosts)
	return cfg
}

func (ca *CA) serverConfig(hosts []string) (*tls.Config, *issuer) {
	is := &issuer{ca: ca, leaves: map[string]*tls.Certificate{}}
	seen := map[string]bool{}
	for _, h := range append(append([]string(nil), defaultHosts...), hosts...) {
		h = trimPort(h)
		if ip, err := netip.ParseAddr(h); err == nil {
			ip = ip.Unmap()
			if !ip.IsUnspecified() && ca.coversIP(ip) && !seen[ip.String()] {
				seen[ip.String()] = true
				is.ips = append(is.ips, net.IP(ip.AsSlice()))
			}
			continue
		}
		if name, ok := dnsName(h, true); ok && ca.Covers(name) && !seen[name] {
			seen[name] = true
			is.names = append(is.names, name)
		}
	}
	return &tls.Config{
		MinVersion:     tls.VersionTLS12,
		NextProtos:     []string{"http/1.1"},
		GetCertificate: is.certificate,
	}, is
}

// issuer issues and keeps one ServerConfig's certificates.
type issuer struct {
	ca    *CA
	names []string // the default certificate's DNS names
	ips   []net.IP // and IP addresses

	mu sync.Mutex
	// leaves by SNI name; "" is the default certificate.
	leaves map[string]*tls.Certificate
}

func (is *issuer) certificate(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
	is.mu.Lock()
	defer is.mu.Unlock()
	def, err := is.current("", is.names, is.ips)
	if err != nil {
		return nil, err
	}
	sni := strings.TrimSuffix(strings.ToLower(hello.ServerName), ".")
	if sni == "" || def.Leaf.VerifyHostname(sni) == nil {
		return def, nil
	}
	if ip, err := netip.ParseAddr(sni); err == nil {
		// RFC 6066 forbids IP literals in SNI; some clients send them.
		if !is.ca.coversIP(ip) {
			return def, nil
		}
		return is.current(sni, nil, []net.IP{net.IP(ip.Unmap().AsSlice())})
	}
	name, ok := dnsName(sni, false)
	if !ok || !is.ca.Covers(name) {
		return def, nil
	}
	return is.current(name, []string{name}, nil)
}

// current is the cached certificate under key, issued anew when there is
// none or it is due for renewal. is.mu is held.
func (is *issuer) current(key string, names []string, ips []net.IP) (*tls.Certificate, error) {
	now := is.ca.now()
	if c := is.leaves[key]; c != nil && !now.Before(c.Leaf.NotBefore) && now.Before(c.Leaf.NotAfter) {
		// Due for renewal, unless it ends with the CA already: no new
		// one would last longer.
		if now.Before(c.Leaf.NotAfter.Add(-renewBefore)) || !c.Leaf.NotAfter.Before(is.ca.cert.NotAfter) {
			return c, nil
		}
	}
	c, err := is.ca.issue(names, ips, now)
	if err != nil {
		return nil, err
	}
	if _, ok := is.leaves[key]; !ok && len(is.leaves) >= maxLeaves {
		for k := range is.leaves { // any one but the default
			if k != "" {
				delete(is.leaves, k)
				break
			}
		}
	}
	is.leaves[key] = c
	return c, nil
}

// issue signs a server certificate for names and ips, valid from now
// (an hour back, for a client whose clock is behind) for leafValidity,
// never past the CA's own expiry.
func (ca *CA) issue(names []string, ips []net.IP, now time.Time) (*tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("local CA: %w", err)
	}
	serial, err := randomSerial()
	if err != nil {
		return nil, err
	}
	notBefore, notAfter := now.Add(-time.Hour), now.Add(leafValidity)
	if notBefore.Before(ca.cert.NotBefore) {
		notBefore = ca.cert.NotBefore
	}
	if notAfter.After(ca.cert.NotAfter) {
		notAfter = ca.cert.NotAfter
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		// Not a host name (it has spaces), so no verifier takes it for
		// one: OpenSSL checks a host-like common name against the name
		// constraints.
		Subject:               pkix.Name{CommonName: "Portico local server", Organization: []string{"Portico"}},
		NotBefore:             notBefore,
		NotAfter:              notAfter,
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		DNSNames:              names,
		IPAddresses:           ips,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		return nil, fmt.Errorf("local CA: %w", err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("local CA: %w", err)
	}
	return &tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, nil
}

// trimPort takes "host:port" and "[::1]:port" to the host, and "[::1]" to
// "::1"; anything else is returned as it is.
func trimPort(h string) string {
	if host, _, err := net.SplitHostPort(h); err == nil {
		return host
	}
	return strings.TrimSuffix(strings.TrimPrefix(h, "["), "]")
}

// dnsName is s as a lower-case DNS name fit for a certificate, without a
// trailing dot; with wildcard, "*.name" too. Labels are letters, digits,
// '-' and '_' (Docker and SRV-style names), at most 63 bytes each, 253 in
// all.
func dnsName(s string, wildcard bool) (string, bool) {
	s = strings.TrimSuffix(strings.ToLower(s), ".")
	rest := s
	if wildcard {
		rest = strings.TrimPrefix(s, "*.")
	}
	if rest == "" || len(s) > 253 {
		return "", false
	}
	for _, label := range strings.Split(rest, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return "", false
		}
		for _, r := range label {
			if !('a' <= r && r <= 'z' || '0' <= r && r <= '9' || r == '-' || r == '_') {
				return "", false
			}
		}
	}
	return s, true
}
