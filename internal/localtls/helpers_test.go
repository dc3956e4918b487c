package localtls

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"
)

// testServer is a real http.Server on a Sniff listener on loopback, with
// the settings Portico's own has that matter here.
type testServer struct {
	ca   *CA
	addr string // 127.0.0.1:port
	port string
	srv  *http.Server
	ln   *sniffListener

	mu     sync.Mutex
	states map[net.Conn][]http.ConnState
	errlog bytes.Buffer // what the server logged
}

func (ts *testServer) Write(p []byte) (int, error) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return ts.errlog.Write(p)
}

func (ts *testServer) logged() string {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return ts.errlog.String()
}

func newTestCA(t testing.TB) *CA {
	t.Helper()
	ca, err := LoadOrCreate(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return ca
}

// startServer serves h on a Sniff listener; timeout is the first-byte
// wait (0: the package's).
func startServer(t testing.TB, ca *CA, h http.Handler, timeout time.Duration) *testServer {
	t.Helper()
	if timeout == 0 {
		timeout = sniffTimeout
	}
	raw, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ts := &testServer{ca: ca, addr: raw.Addr().String(), states: map[net.Conn][]http.ConnState{}}
	_, ts.port, _ = net.SplitHostPort(ts.addr)
	ts.ln = sniff(raw, ca.ServerConfig(nil), timeout)
	ts.srv = &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ConnState: func(c net.Conn, s http.ConnState) {
			ts.mu.Lock()
			ts.states[c] = append(ts.states[c], s)
			ts.mu.Unlock()
		},
		ErrorLog: log.New(ts, "", 0),
	}
	done := make(chan error, 1)
	go func() { done <- ts.srv.Serve(ts.ln) }()
	t.Cleanup(func() {
		ts.srv.Close()
		if err := <-done; err != http.ErrServerClosed {
			t.Errorf("Serve: %v", err)
		}
	})
	return ts
}

// client is an HTTP client that trusts ca and dials addr whatever the
// URL's host, so that https://localhost/ and https://x.execute-api.localhost/
// reach the test server without DNS.
func (ts *testServer) client(keepAlive bool) *http.Client {
	d := &net.Dialer{Timeout: 5 * time.Second}
	return &http.Client{
		Timeout: 10 * time.Second,
		Transport: &http.Transport{
			TLSClientConfig: &tls.Config{RootCAs: ts.ca.Pool()},
			DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
				return d.DialContext(ctx, network, ts.addr)
			},
			DisableKeepAlives: !keepAlive,
			ForceAttemptHTTP2: true, // offers h2: the server must pick http/1.1
		},
	}
}

// connStates is what ConnState reported, by the kind of connection.
func (ts *testServer) connStates() (tlsConns, plainConns [][]http.ConnState) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	for c, s := range ts.states {
		switch c.(type) {
		case *tls.Conn:
			tlsConns = append(tlsConns, s)
		case *peekedConn:
			plainConns = append(plainConns, s)
		default:
			panic(fmt.Sprintf("ConnState got a %T", c))
		}
	}
	return
}

// needTool finds a program the test runs, or skips the test (fails it
// when PORTICO_REQUIRE_RUNTIMES is set, as in CI).
func needTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("PORTICO_REQUIRE_RUNTIMES") != "" {
			t.Fatalf("%s is required (PORTICO_REQUIRE_RUNTIMES is set): %v", name, err)
		}
		t.Skipf("%s not installed: %v", name, err)
	}
	return p
}
