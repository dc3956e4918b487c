package server

import (
	"net"
	"net/http"
	"slices"
	"strings"

	"github.com/portico-dev/portico/internal/awsproto"
)

// guard keeps web pages in the user's browser away from the control plane
// and the operations endpoints. A page on any site can send a "simple"
// cross-origin POST (text/plain, no preflight) to 127.0.0.1:4800, and a
// page on a site whose DNS name it rebinds to 127.0.0.1 can even read the
// answers. Two checks stop both (docs/security.md):
//
//   - Host: only names that cannot be rebound by an attacker's DNS are
//     answered: IP literals, localhost, the listen address and the hosts
//     of --allowed-hosts. (A custom domain name configured in Portico is
//     served by the data plane, which front.go asks first.)
//   - Origin: browsers send it on every cross-origin request and on
//     same-origin requests that change state; SDKs, the AWS CLI and curl
//     never do. A request with an Origin other than Portico's own or one of
//     --allowed-origins is refused; so is one a browser marks cross-site
//     (Sec-Fetch-Site) without an Origin.
//
// The data plane (execute-api) is not guarded: an API's exposure to
// browsers is its own CORS configuration's business, as on AWS.
type guard struct {
	listenHost string
	hosts      []string // exact names, or "*.suffix", or "*"
	origins    []string // exact origins, or "*"
}

func newGuard(listen string, hosts, origins []string) *guard {
	g := &guard{}
	if h, _, err := net.SplitHostPort(listen); err == nil {
		g.listenHost = strings.ToLower(h)
	}
	for _, h := range hosts {
		if h = strings.ToLower(strings.TrimSpace(h)); h != "" {
			g.hosts = append(g.hosts, h)
		}
	}
	for _, o := range origins {
		if o = strings.TrimSpace(o); o != "" {
			g.origins = append(g.origins, strings.TrimSuffix(o, "/"))
		}
	}
	return g
}

// check returns the error a guarded request is refused with, or nil.
func (g *guard) check(r *http.Request) error {
	if host := hostOnly(r.Host); !g.hostAllowed(host) {
		return &awsproto.Error{Type: "ForbiddenException", Code: http.StatusForbidden,
			Message: "Host " + quoteHeader(r.Host) + " is not allowed: Portico's control plane answers IP addresses, localhost, " +
				"its listen address and the hosts named by --allowed-hosts (this refuses DNS rebinding)"}
	}
	origin := r.Header.Get("Origin")
	if origin == "" {
		// No Origin: not a browser, or a same-origin GET or HEAD. A
		// browser that says the request comes from another site is
		// refused all the same.
		if site := r.Header.Get("Sec-Fetch-Site"); site == "cross-site" || site == "same-site" {
			return originRefused("a " + site + " page")
		}
		return nil
	}
	if g.originAllowed(r, origin) {
		return nil
	}
	return originRefused(quoteHeader(origin))
}

func originRefused(who string) error {
	return &awsproto.Error{Type: "ForbiddenException", Code: http.StatusForbidden,
		Message: "Request from " + who + " refused: Portico's control plane answers web pages only from its own origin " +
			"and the origins named by --allowed-origins"}
}

// hostAllowed: see guard. An empty Host (HTTP/1.0) comes from no browser.
func (g *guard) hostAllowed(host string) bool {
	switch {
	case host == "" || host == "localhost" || strings.HasSuffix(host, ".localhost"):
		// Browsers resolve *.localhost to loopback themselves (RFC 6761).
		return true
	case net.ParseIP(strings.Trim(host, "[]")) != nil:
		return true
	case host == g.listenHost:
		return true
	}
	for _, h := range g.hosts {
		if h == "*" || h == host || strings.HasPrefix(h, "*.") && strings.HasSuffix(host, h[1:]) {
			return true
		}
	}
	return false
}

// originAllowed: the console's own pages (served by Portico at the Host
// the request names, which passed the Host check) and --allowed-origins.
func (g *guard) originAllowed(r *http.Request, origin string) bool {
	if origin == "http://"+r.Host || origin == "https://"+r.Host {
		return true
	}
	return g.listedOrigin(origin)
}

func (g *guard) listedOrigin(origin string) bool {
	return slices.Contains(g.origins, "*") || slices.Contains(g.origins, origin)
}

// cors lets the pages of --allowed-origins use the control plane: it
// answers their preflight requests and marks the answers readable. It
// reports whether the request has been answered (a preflight).
func (g *guard) cors(w http.ResponseWriter, r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" || !g.listedOrigin(origin) {
		return false
	}
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", origin)
	h.Add("Vary", "Origin")
	h.Set("Access-Control-Expose-Headers", "x-amzn-RequestId, x-amzn-ErrorType, Content-Type")
	if r.Method != http.MethodOptions || r.Header.Get("Access-Control-Request-Method") == "" {
		return false
	}
	h.Set("Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE, HEAD")
	if req := r.Header.Get("Access-Control-Request-Headers"); req != "" {
		h.Set("Access-Control-Allow-Headers", req)
	}
	h.Set("Access-Control-Max-Age", "600")
	w.WriteHeader(http.StatusNoContent)
	return true
}

// hostOnly is the lower-cased host of a Host header, without the port.
func hostOnly(hostport string) string {
	h := hostport
	if host, _, err := net.SplitHostPort(hostport); err == nil {
		h = host
	}
	return strings.TrimSuffix(strings.ToLower(h), ".")
}

// quoteHeader quotes a header value for a message, cut to a readable length.
func quoteHeader(v string) string {
	if len(v) > 128 {
		v = v[:128] + "..."
	}
	return `"` + strings.ToValidUTF8(v, "?") + `"`
}
