package localtls

import (
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
)

// BenchmarkRequest: one GET through the Sniff listener, plain and TLS, on
// a new connection each time (the handshake's cost) and on a kept-alive
// one (what TLS adds per request once connected). no-sniff is plain HTTP on
// the listener itself, without Sniff. tls-resumed reconnects
// with a session ticket, as clients that keep a session cache do.
//
//	go test -run '^$' -bench Request ./internal/localtls
func BenchmarkRequest(b *testing.B) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })
	ts := startServer(b, newTestCA(b), ok, 0)
	// The same server without Sniff: what sorting costs plain HTTP.
	raw, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	bare := &http.Server{Handler: ok}
	go bare.Serve(raw)
	defer bare.Close()
	_, rawPort, _ := net.SplitHostPort(raw.Addr().String())
	for _, bc := range []struct {
		name, url string
		keepAlive bool
		resume    bool
	}{
		{"no-sniff/new-connection", "http://127.0.0.1:" + rawPort + "/", false, false},
		{"plain/new-connection", "http://localhost:" + ts.port + "/", false, false},
		{"tls/new-connection", "https://localhost:" + ts.port + "/", false, false},
		{"tls-resumed/new-connection", "https://localhost:" + ts.port + "/", false, true},
		{"no-sniff/keep-alive", "http://127.0.0.1:" + rawPort + "/", true, false},
		{"plain/keep-alive", "http://localhost:" + ts.port + "/", true, false},
		{"tls/keep-alive", "https://localhost:" + ts.port + "/", true, false},
	} {
		b.Run(bc.name, func(b *testing.B) {
			c := ts.client(bc.keepAlive)
			if strings.HasPrefix(bc.name, "no-sniff") {
				c = &http.Client{Transport: &http.Transport{DisableKeepAlives: !bc.keepAlive}}
			}
			if bc.resume {
				c.Transport.(*http.Transport).TLSClientConfig.ClientSessionCache = tls.NewLRUClientSessionCache(8)
			}
			defer c.CloseIdleConnections()
			for b.Loop() {
				resp, err := c.Get(bc.url)
				if err != nil {
					b.Fatal(err)
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		})
	}
}
