package localtls

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gobwas/ws"
	"github.com/gobwas/ws/wsutil"
)

// whoAmI answers with what the handler saw of the connection.
var whoAmI = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	if r.TLS == nil {
		fmt.Fprintf(w, "plain %s %s", r.Proto, r.Host)
		return
	}
	fmt.Fprintf(w, "tls %s %s alpn=%q sni=%q", r.Proto, r.Host, r.TLS.NegotiatedProtocol, r.TLS.ServerName)
})

func get(t *testing.T, c *http.Client, url string) string {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %s", url, resp.StatusCode, b)
	}
	return string(b)
}

// TestPlainAndTLSOnOnePort: an https client that trusts the CA and a plain
// http client share the port, each over kept-alive connections; net/http
// sets r.TLS for the first only, and its ConnState hook sees both kinds.
func TestPlainAndTLSOnOnePort(t *testing.T) {
	ts := startServer(t, newTestCA(t), whoAmI, 0)
	c := ts.client(true)
	for range 3 {
		if got, want := get(t, c, "https://localhost:"+ts.port+"/"), `tls HTTP/1.1 localhost:`+ts.port+` alpn="http/1.1" sni="localhost"`; got != want {
			t.Errorf("https: %s, want %s", got, want)
		}
		if got, want := get(t, c, "http://localhost:"+ts.port+"/"), "plain HTTP/1.1 localhost:"+ts.port; got != want {
			t.Errorf("http: %s, want %s", got, want)
		}
		if got := get(t, c, "https://abc.execute-api.localhost:"+ts.port+"/"); !strings.HasPrefix(got, "tls ") {
			t.Errorf("https execute-api host: %s", got)
		}
		// An IP literal: no SNI; the default certificate holds the address.
		if got := get(t, c, "https://127.0.0.1:"+ts.port+"/"); !strings.HasSuffix(got, `sni=""`) {
			t.Errorf("https 127.0.0.1: %s", got)
		}
	}
	c.CloseIdleConnections()
	tlsConns, plainConns := ts.connStates()
	// One connection per host and scheme: kept alive between requests.
	if len(tlsConns) != 3 || len(plainConns) != 1 {
		t.Fatalf("%d TLS and %d plain connections, want 3 and 1", len(tlsConns), len(plainConns))
	}
	for _, states := range append(tlsConns, plainConns...) {
		if states[0] != http.StateNew || states[1] != http.StateActive || states[2] != http.StateIdle {
			t.Errorf("ConnState sequence %v", states)
		}
	}
}

// TestUntrustingClient: a client that does not trust the CA is told so by
// its own verifier, and the server goes on.
func TestUntrustingClient(t *testing.T) {
	ts := startServer(t, newTestCA(t), whoAmI, 0)
	c := ts.client(false)
	c.Transport.(*http.Transport).TLSClientConfig.RootCAs = x509.NewCertPool()
	_, err := c.Get("https://localhost:" + ts.port + "/")
	var unknown x509.UnknownAuthorityError
	if !errors.As(err, &unknown) {
		t.Fatalf("err = %v, want an unknown authority", err)
	}
	if got := get(t, ts.client(false), "https://localhost:"+ts.port+"/"); !strings.HasPrefix(got, "tls ") {
		t.Errorf("after: %s", got)
	}
}

// TestTLSVersions: TLS 1.0 and 1.1 are refused; 1.2 and 1.3 work.
func TestTLSVersions(t *testing.T) {
	ts := startServer(t, newTestCA(t), whoAmI, 0)
	for _, v := range []uint16{tls.VersionTLS10, tls.VersionTLS11, tls.VersionTLS12, tls.VersionTLS13} {
		conn, err := tls.Dial("tcp", ts.addr, &tls.Config{RootCAs: ts.ca.Pool(), ServerName: "localhost", MinVersion: v, MaxVersion: v})
		if v < tls.VersionTLS12 {
			if err == nil {
				conn.Close()
				t.Errorf("%s accepted", tls.VersionName(v))
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tls.VersionName(v), err)
			continue
		}
		conn.Close()
	}
}

// TestWebSocketOverTLS: the WebSocket engine's way (gobwas/ws upgrading
// through http.Hijacker) works on TLS connections (wss://) and plain ones.
func TestWebSocketOverTLS(t *testing.T) {
	echo := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, _, _, err := ws.UpgradeHTTP(r, w)
		if err != nil {
			return
		}
		defer conn.Close()
		_, isTLS := conn.(*tls.Conn)
		for {
			msg, op, err := wsutil.ReadClientData(conn)
			if err != nil {
				return
			}
			wsutil.WriteServerMessage(conn, op, fmt.Appendf(nil, "%s tls=%v", msg, isTLS))
		}
	})
	ts := startServer(t, newTestCA(t), echo, 0)
	for _, url := range []string{"wss://localhost:" + ts.port + "/chat", "ws://localhost:" + ts.port + "/chat"} {
		d := ws.Dialer{
			TLSConfig: &tls.Config{RootCAs: ts.ca.Pool()},
			NetDial: func(ctx context.Context, network, _ string) (net.Conn, error) {
				return (&net.Dialer{}).DialContext(ctx, network, ts.addr)
			},
			Timeout: 5 * time.Second,
		}
		conn, _, _, err := d.Dial(context.Background(), url)
		if err != nil {
			t.Fatalf("%s: %v", url, err)
		}
		for i := range 3 {
			if err := wsutil.WriteClientText(conn, fmt.Appendf(nil, "hello %d", i)); err != nil {
				t.Fatal(err)
			}
			got, err := wsutil.ReadServerText(conn)
			if err != nil {
				t.Fatal(err)
			}
			want := fmt.Sprintf("hello %d tls=%v", i, strings.HasPrefix(url, "wss:"))
			if string(got) != want {
				t.Errorf("%s: %q, want %q", url, got, want)
			}
		}
		conn.Close()
	}
}

// TestSilentClientsDoNotStallTheListener: clients that connect and send
// nothing do not hold up the others; each is closed after the wait.
func TestSilentClientsDoNotStallTheListener(t *testing.T) {
	ts := startServer(t, newTestCA(t), whoAmI, time.Hour) // they would wait for ever
	var silent []net.Conn
	for range 20 {
		conn, err := net.Dial("tcp", ts.addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		silent = append(silent, conn)
	}
	c := ts.client(false)
	if got := get(t, c, "https://localhost:"+ts.port+"/"); !strings.HasPrefix(got, "tls ") {
		t.Errorf("https behind silent clients: %s", got)
	}
	if got := get(t, c, "http://localhost:"+ts.port+"/"); !strings.HasPrefix(got, "plain ") {
		t.Errorf("http behind silent clients: %s", got)
	}
	// A silent client that speaks late is served.
	fmt.Fprintf(silent[0], "GET / HTTP/1.1\r\nHost: late\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(silent[0]), nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 100))
	resp.Body.Close()
	if string(b) != "plain HTTP/1.1 late" {
		t.Errorf("late client: %q", b)
	}
}

func TestSilentClientIsClosed(t *testing.T) {
	ts := startServer(t, newTestCA(t), whoAmI, 50*time.Millisecond)
	conn, err := net.Dial("tcp", ts.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	if n, err := conn.Read(make([]byte, 1)); err != io.EOF {
		t.Fatalf("silent client read %d bytes, %v; want the server to close it", n, err)
	}
}

// TestGarbage: a client that sends garbage gets net/http's 400; one that
// starts like TLS and goes on with garbage is dropped by the handshake;
// a client that hangs up at once is forgotten. None stops the server.
func TestGarbage(t *testing.T) {
	ts := startServer(t, newTestCA(t), whoAmI, 0)
	conn, err := net.Dial("tcp", ts.addr)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(conn, "\x00\x01\xffgarbage\r\n\r\n")
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	b, _ := io.ReadAll(conn)
	conn.Close()
	if !strings.HasPrefix(string(b), "HTTP/1.1 400 Bad Request") {
		t.Errorf("garbage got %q, want a 400", b)
	}

	conn, err = net.Dial("tcp", ts.addr)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(conn, "\x16\x03\x01\x00\x05hello and more garbage")
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	b, err = io.ReadAll(conn)
	conn.Close()
	// Closed (a reset if the server left bytes unread): not left open.
	if err != nil && !errors.Is(err, syscall.ECONNRESET) {
		t.Errorf("TLS garbage: %v (the server should close the connection)", err)
	}
	if len(b) > 0 && b[0] != 0x15 { // an alert record, if anything
		t.Errorf("TLS garbage got %q", b)
	}

	// Plain HTTP sent by a client that meant TLS is plain HTTP here: fine.
	// A client that connects and closes at once:
	conn, err = net.Dial("tcp", ts.addr)
	if err != nil {
		t.Fatal(err)
	}
	conn.Close()

	c := ts.client(false)
	if got := get(t, c, "https://localhost:"+ts.port+"/"); !strings.HasPrefix(got, "tls ") {
		t.Errorf("https after garbage: %s", got)
	}
	if got := get(t, c, "http://localhost:"+ts.port+"/"); !strings.HasPrefix(got, "plain ") {
		t.Errorf("http after garbage: %s", got)
	}
	if !strings.Contains(ts.logged(), "TLS handshake error") {
		t.Errorf("server log %q: want the TLS handshake error", ts.logged())
	}
}

// TestHalfClose: a plain connection can still be half-closed (net/http's
// CloseWrite), and a client that half-closes after its request gets its
// answer over both kinds of connection.
func TestHalfClose(t *testing.T) {
	ts := startServer(t, newTestCA(t), whoAmI, 0)
	raw, err := net.Dial("tcp", ts.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	fmt.Fprintf(raw, "GET / HTTP/1.1\r\nHost: h\r\n\r\n")
	raw.(*net.TCPConn).CloseWrite()
	raw.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(raw), nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	if string(b) != "plain HTTP/1.1 h" {
		t.Errorf("half-closed plain client: %q", b)
	}

	tc, err := tls.Dial("tcp", ts.addr, &tls.Config{RootCAs: ts.ca.Pool(), ServerName: "localhost"})
	if err != nil {
		t.Fatal(err)
	}
	defer tc.Close()
	fmt.Fprintf(tc, "GET / HTTP/1.1\r\nHost: h\r\n\r\n")
	if err := tc.CloseWrite(); err != nil {
		t.Fatal(err)
	}
	tc.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err = http.ReadResponse(bufio.NewReader(tc), nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(resp.Body)
	if !strings.HasPrefix(string(b), "tls HTTP/1.1 h") {
		t.Errorf("half-closed TLS client: %q", b)
	}

	var pc net.Conn = &peekedConn{Conn: raw}
	if _, ok := pc.(interface{ CloseWrite() error }); !ok {
		t.Error("a plain connection cannot be half-closed")
	}
}

// TestCloseClosesWaitingConnections: Close ends Accept and the connections
// that have not sent their first byte yet.
func TestCloseClosesWaitingConnections(t *testing.T) {
	raw, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := Sniff(raw, newTestCA(t).ServerConfig(nil))
	accepted := make(chan error, 1)
	go func() {
		_, err := ln.Accept()
		accepted <- err
	}()
	conn, err := net.Dial("tcp", raw.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// Give the listener the connection before closing it.
	time.Sleep(50 * time.Millisecond)
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-accepted; !errors.Is(err, net.ErrClosed) {
		t.Errorf("Accept after Close: %v, want net.ErrClosed", err)
	}
	if _, err := ln.Accept(); !errors.Is(err, net.ErrClosed) {
		t.Errorf("a second Accept after Close: %v", err)
	}
	// Well before the listener's own 10 s wait for a first byte.
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := conn.Read(make([]byte, 1)); err == nil || errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("waiting connection after Close: %v, want it closed", err)
	}
}

// TestShutdown: http.Server.Shutdown on a Sniff listener returns, and
// Serve reports ErrServerClosed (startServer's cleanup checks it).
func TestShutdown(t *testing.T) {
	ts := startServer(t, newTestCA(t), whoAmI, 0)
	get(t, ts.client(true), "https://localhost:"+ts.port+"/")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := ts.srv.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
}
