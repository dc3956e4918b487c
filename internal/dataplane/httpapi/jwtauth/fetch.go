package jwtauth

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// Policy says where the discovery and JWKS fetches may go.
type Policy uint8

const (
	// PolicyAny lets fetches go to any http or https URL. It is the
	// default: local development points issuers at an OIDC server on
	// localhost (docs/aws-behaviours.md#authorizers takes http:// issuers).
	PolicyAny Policy = iota
	// PolicyPublic lets fetches go to https URLs on public addresses only,
	// for a gateway that others configure: an issuer must not be a way to
	// reach the host's loopback, its network or a cloud metadata service.
	// The address is checked when each connection is dialled, after DNS,
	// so a name that resolves (or is rebound) to such an address and a
	// redirect to one are refused too.
	PolicyPublic
)

// ErrEgress is the error of a fetch the Policy refused.
var ErrEgress = errors.New("jwtauth: the egress policy refuses this destination")

// AWS's bounds on the key fetches (developer guide, "Control access to
// HTTP APIs with JWT authorizers" and the quotas page): 1,500 ms for each
// fetch and a JWKS of at most 150,000 bytes.
const (
	DefaultFetchTimeout = 1500 * time.Millisecond
	MaxJWKSBytes        = 150000
	// MaxDiscoveryBytes bounds the discovery document the same way [I]:
	// real ones are a few kilobytes.
	MaxDiscoveryBytes = 150000
	// maxRedirects bounds the redirects one fetch follows [I].
	maxRedirects = 5
	// maxHeaderBytes bounds a response's headers [I].
	maxHeaderBytes = 64 << 10
)

// fetcher makes the discovery and JWKS requests under a Policy.
type fetcher struct {
	client  *http.Client
	policy  Policy
	timeout time.Duration
	// public reports whether an address counts as public; publicAddr
	// except in this package's tests.
	public func(netip.Addr) bool
}

func newFetcher(policy Policy, timeout time.Duration, roots *x509.CertPool, public func(netip.Addr) bool) *fetcher {
	if public == nil {
		public = publicAddr
	}
	f := &fetcher{policy: policy, timeout: timeout, public: public}
	dialer := &net.Dialer{Timeout: timeout}
	tr := &http.Transport{
		DialContext:            dialer.DialContext,
		TLSClientConfig:        &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:    timeout,
		MaxIdleConnsPerHost:    2,
		IdleConnTimeout:        90 * time.Second,
		MaxResponseHeaderBytes: maxHeaderBytes,
		ForceAttemptHTTP2:      true,
	}
	if policy == PolicyPublic {
		// The check runs on the address being connected to, once DNS has
		// answered: the only place that sees every address a name, a
		// rebinding or a redirect leads to. A proxy would dial on our
		// behalf, past the check, so none is used.
		dialer.Control = f.control
	} else {
		tr.Proxy = http.ProxyFromEnvironment
	}
	f.client = &http.Client{
		Transport: tr,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) > maxRedirects {
				return fmt.Errorf("more than %d redirects", maxRedirects)
			}
			return f.checkURL(req.URL)
		},
	}
	return f
}

// control refuses a connection to an address that is not public.
func (f *fetcher) control(network, address string, _ syscall.RawConn) error {
	if network != "tcp4" && network != "tcp6" {
		return fmt.Errorf("%w: network %s", ErrEgress, network)
	}
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: address %s", ErrEgress, address)
	}
	if !f.public(ap.Addr()) {
		return fmt.Errorf("%w: %s is not a public address", ErrEgress, ap.Addr())
	}
	return nil
}

// checkURL refuses a URL the policy does not allow before any connection
// is made: a scheme other than http or https (https only under
// PolicyPublic), no host, or under PolicyPublic an address literal that is
// not public (the dialer would refuse it too; this says so sooner).
func (f *fetcher) checkURL(u *url.URL) error {
	switch {
	case f.policy == PolicyPublic && u.Scheme != "https":
		return fmt.Errorf("%w: %q is not https", ErrEgress, u.Redacted())
	case u.Scheme != "https" && u.Scheme != "http":
		return fmt.Errorf("%w: %q is not http or https", ErrEgress, u.Redacted())
	case u.Host == "":
		return fmt.Errorf("%w: %q has no host", ErrEgress, u.Redacted())
	}
	if f.policy == PolicyPublic {
		if ip, err := netip.ParseAddr(strings.Trim(u.Hostname(), "[]")); err == nil && !f.public(ip) {
			return fmt.Errorf("%w: %s is not a public address", ErrEgress, ip)
		}
	}
	return nil
}

// get fetches rawURL within the fetch timeout and returns its body, which
// must be a 200 of at most limit bytes.
func (f *fetcher) get(ctx context.Context, rawURL string, limit int) ([]byte, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("%q is not a URL", rawURL)
	}
	if err := f.checkURL(u); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "Portico")
	resp, err := f.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: status %d", u.Redacted(), resp.StatusCode)
	}
	if resp.ContentLength > int64(limit) {
		return nil, fmt.Errorf("GET %s: the body is over %d bytes", u.Redacted(), limit)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, int64(limit)+1))
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", u.Redacted(), err)
	}
	if len(body) > limit {
		return nil, fmt.Errorf("GET %s: the body is over %d bytes", u.Redacted(), limit)
	}
	return body, nil
}

// discoveryURL is where an issuer publishes its OpenID Provider metadata
// (OpenID Connect Discovery 1.0, 4: the issuer without a trailing "/",
// then "/.well-known/openid-configuration").
func discoveryURL(issuer string) string {
	return strings.TrimSuffix(issuer, "/") + "/.well-known/openid-configuration"
}

// fetchKeys runs one refresh of an issuer's keys: the discovery document,
// its jwks_uri, the JWKS.
func (f *fetcher) fetchKeys(ctx context.Context, issuer string, now time.Time) (*keySet, error) {
	doc, err := f.get(ctx, discoveryURL(issuer), MaxDiscoveryBytes)
	if err != nil {
		return nil, fmt.Errorf("discovery: %w", err)
	}
	var meta struct {
		JWKSURI string `json:"jwks_uri"`
	}
	if err := json.Unmarshal(doc, &meta); err != nil {
		return nil, fmt.Errorf("discovery: the document is not a JSON object: %w", err)
	}
	// OpenID Connect Discovery 1.0, 3: jwks_uri is an absolute URL.
	if u, err := url.Parse(meta.JWKSURI); err != nil || !u.IsAbs() {
		return nil, fmt.Errorf("discovery: jwks_uri %q is not an absolute URL", meta.JWKSURI)
	}
	body, err := f.get(ctx, meta.JWKSURI, MaxJWKSBytes)
	if err != nil {
		return nil, fmt.Errorf("JWKS: %w", err)
	}
	set, err := parseJWKS(body, now)
	if err != nil {
		return nil, fmt.Errorf("JWKS %s: %w", meta.JWKSURI, err)
	}
	return set, nil
}

// Addresses PolicyPublic refuses besides those netip classifies.
var (
	cgnat      = netip.MustParsePrefix("100.64.0.0/10")  // RFC 6598 shared address space
	thisNet    = netip.MustParsePrefix("0.0.0.0/8")      // RFC 791 "this network"
	ietf       = netip.MustParsePrefix("192.0.0.0/24")   // RFC 6890 protocol assignments
	benchmark  = netip.MustParsePrefix("198.18.0.0/15")  // RFC 2544 benchmarking
	reserved   = netip.MustParsePrefix("240.0.0.0/4")    // RFC 1112 reserved, broadcast
	compatible = netip.MustParsePrefix("::/96")          // RFC 4291 IPv4-compatible (deprecated)
	nat64      = netip.MustParsePrefix("64:ff9b::/96")   // RFC 6052 well-known NAT64 prefix
	nat64Local = netip.MustParsePrefix("64:ff9b:1::/48") // RFC 8215 local-use NAT64
	sixToFour  = netip.MustParsePrefix("2002::/16")      // RFC 3056 6to4
)

// publicAddr reports whether PolicyPublic lets a connection go to ip: not
// loopback, private (RFC 1918, fc00::/7), link-local (169.254/16 with the
// 169.254.169.254 metadata service, fe80::/10), unspecified, multicast,
// CGNAT, 0.0.0.0/8 or the other special-purpose IPv4 blocks above; an
// IPv4 address written as IPv6 (mapped, compatible, NAT64, 6to4) is judged
// as the IPv4 address it carries.
func publicAddr(ip netip.Addr) bool {
	ip = ip.Unmap()
	if ip.Is6() {
		b := ip.As16()
		switch {
		case ip == netip.IPv6Unspecified() || ip == netip.IPv6Loopback():
			return false
		case compatible.Contains(ip), nat64.Contains(ip):
			return publicAddr(netip.AddrFrom4([4]byte(b[12:16])))
		case nat64Local.Contains(ip):
			// RFC 8215 leaves the embedding to the operator: refuse.
			return false
		case sixToFour.Contains(ip):
			return publicAddr(netip.AddrFrom4([4]byte(b[2:6])))
		}
	}
	switch {
	case !ip.IsValid(), ip.IsLoopback(), ip.IsPrivate(), ip.IsUnspecified(),
		ip.IsLinkLocalUnicast(), ip.IsLinkLocalMulticast(), ip.IsInterfaceLocalMulticast(), ip.IsMulticast():
		return false
	case ip.Is4() && (cgnat.Contains(ip) || thisNet.Contains(ip) || ietf.Contains(ip) ||
		benchmark.Contains(ip) || reserved.Contains(ip)):
		return false
	}
	return true
}
