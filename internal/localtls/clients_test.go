package localtls

import (
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gobwas/ws"
	"github.com/gobwas/ws/wsutil"
)

// The clients the user's handlers are written with, each run as a real
// process with only Env() to tell it about the CA: what OpenSSL (Node,
// Python, curl) and Go's crypto/x509 make of the CA's name constraints
// and of the bundle.

// clientServer answers whoAmI, echoes WebSocket messages on /chat, and
// records the @connections posts it gets (the management API's
// PostToConnection: 200, empty body).
type clientServer struct {
	*testServer
	mu    sync.Mutex
	posts []string
}

func startClientServer(t *testing.T) *clientServer {
	cs := &clientServer{}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/chat":
			conn, _, _, err := ws.UpgradeHTTP(r, w)
			if err != nil {
				return
			}
			defer conn.Close()
			for {
				msg, op, err := wsutil.ReadClientData(conn)
				if err != nil {
					return
				}
				wsutil.WriteServerMessage(conn, op, append([]byte("echo "), msg...))
			}
		case strings.Contains(r.URL.Path, "/@connections/"):
			b, _ := io.ReadAll(r.Body)
			cs.mu.Lock()
			cs.posts = append(cs.posts, fmt.Sprintf("%s %s tls=%v %s", r.Method, r.URL.Path, r.TLS != nil, b))
			cs.mu.Unlock()
		default:
			whoAmI(w, r)
		}
	})
	cs.testServer = startServer(t, newTestCA(t), h, 0)
	return cs
}

// run runs a client process with the CA's environment.
func (cs *clientServer) run(t *testing.T, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	var env []string
	for _, kv := range os.Environ() {
		switch strings.SplitN(kv, "=", 2)[0] {
		case "AWS_CA_BUNDLE", "NODE_EXTRA_CA_CERTS", "SSL_CERT_FILE", "SSL_CERT_DIR", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE",
			"AWS_PROFILE", "AWS_ENDPOINT_URL", "HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy":
			continue
		}
		env = append(env, kv)
	}
	cmd.Env = append(env, cs.ca.Env()...)
	cmd.Env = append(cmd.Env, "AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test", "AWS_DEFAULT_REGION=us-east-1",
		"AWS_CONFIG_FILE=/nonexistent", "AWS_SHARED_CREDENTIALS_FILE=/nonexistent", "NO_PROXY=*")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

func (cs *clientServer) wantOutput(t *testing.T, got string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("output lacks %q:\n%s", w, got)
		}
	}
}

func TestNodeClient(t *testing.T) {
	node := needTool(t, "node")
	cs := startClientServer(t)
	script := `
const https = require("https"), http = require("http");
const port = process.argv[1];
const get = (mod, url) => new Promise((resolve, reject) =>
  mod.get(url, r => { let b = ""; r.on("data", d => b += d); r.on("end", () => resolve(r.statusCode + " " + b)); }).on("error", reject));
(async () => {
  console.log("A", await get(https, "https://localhost:" + port + "/"));
  console.log("B", await get(https, "https://127.0.0.1:" + port + "/"));
  console.log("C", await get(https, "https://abc.execute-api.localhost:" + port + "/"));
  console.log("D", await get(http, "http://127.0.0.1:" + port + "/"));
  // Node 20's WebSocket (undici), as a browser-style client would use it.
  await new Promise((resolve, reject) => {
    const ws = new WebSocket("wss://localhost:" + port + "/chat");
    ws.onopen = () => ws.send("hi");
    ws.onmessage = e => { console.log("E", e.data); ws.close(); resolve(); };
    ws.onerror = e => reject(new Error("websocket: " + (e.message || e.type)));
  });
})().catch(e => { console.error("FAILED", e); process.exit(1); });
`
	// abc.execute-api.localhost is not in /etc/hosts: resolve every name
	// to loopback the way a resolver that knows *.localhost does.
	preload := `const dns = require("dns"); const orig = dns.lookup;
dns.lookup = (h, o, cb) => orig(h.endsWith(".localhost") ? "127.0.0.1" : h, o, cb);`
	out := cs.run(t, node, "--experimental-websocket", "--no-warnings", "-e", preload+script, cs.port)
	cs.wantOutput(t, out,
		// Node's https offers no ALPN.
		`A 200 tls HTTP/1.1 localhost:`+cs.port+` alpn="" sni="localhost"`,
		`B 200 tls HTTP/1.1 127.0.0.1:`+cs.port+` alpn="" sni=""`,
		`C 200 tls HTTP/1.1 abc.execute-api.localhost:`+cs.port,
		`D 200 plain HTTP/1.1 127.0.0.1:`+cs.port,
		`E echo hi`)
}

// TestPythonClient: Python's ssl with X.509 strict checks (the default
// from Python 3.13 on), requests through REQUESTS_CA_BUNDLE, and boto3
// through AWS_CA_BUNDLE posting to a connection as AWS's Python samples
// do.
func TestPythonClient(t *testing.T) {
	python := needTool(t, "python3")
	cs := startClientServer(t)
	script := `
import ssl, sys, urllib.request
port = sys.argv[1]
ctx = ssl.create_default_context()
ctx.verify_flags |= ssl.VERIFY_X509_STRICT
print("A", urllib.request.urlopen("https://localhost:%s/" % port, context=ctx).read().decode())
print("B", urllib.request.urlopen("https://127.0.0.1:%s/" % port, context=ctx).read().decode())
try:
    import requests
except ImportError:
    print("C skipped: no requests")
else:
    print("C", requests.get("https://localhost:%s/" % port).text)
try:
    import boto3
except ImportError:
    print("D skipped: no boto3")
else:
    c = boto3.client("apigatewaymanagementapi", endpoint_url="https://localhost:%s/prod" % port)
    c.post_to_connection(ConnectionId="abc123", Data=b"from boto3")
    print("D posted")
`
	out := cs.run(t, python, "-c", script, cs.port)
	cs.wantOutput(t, out,
		`A tls HTTP/1.1 localhost:`+cs.port+` alpn="" sni="localhost"`,
		`B tls HTTP/1.1 127.0.0.1:`+cs.port)
	if os.Getenv("PORTICO_REQUIRE_RUNTIMES") != "" || !strings.Contains(out, "skipped") {
		cs.wantOutput(t, out, `C tls HTTP/1.1 localhost:`+cs.port, "D posted")
		cs.mu.Lock()
		defer cs.mu.Unlock()
		if len(cs.posts) != 1 || cs.posts[0] != "POST /prod/@connections/abc123 tls=true from boto3" {
			t.Errorf("posts %q", cs.posts)
		}
	}
}

func TestCurlClient(t *testing.T) {
	curl := needTool(t, "curl")
	cs := startClientServer(t)
	// What the README tells users: curl --cacert "$(portico ca)".
	out := cs.run(t, curl, "-sS", "--cacert", cs.ca.CertFile(), "https://localhost:"+cs.port+"/")
	cs.wantOutput(t, out, `tls HTTP/1.1 localhost:`+cs.port+` alpn="http/1.1" sni="localhost"`)
	out = cs.run(t, curl, "-sS", "--cacert", cs.ca.CertFile(), "--resolve", "abc.execute-api.localhost:"+cs.port+":127.0.0.1",
		"https://abc.execute-api.localhost:"+cs.port+"/")
	cs.wantOutput(t, out, `tls HTTP/1.1 abc.execute-api.localhost:`+cs.port)
	out = cs.run(t, curl, "-sS", "http://localhost:"+cs.port+"/")
	cs.wantOutput(t, out, `plain HTTP/1.1 localhost:`+cs.port)
}

// TestGoClient: a Go program (a handler built with aws-lambda-go, say)
// trusts the CA through SSL_CERT_FILE with http.DefaultClient. The
// program is this test binary run again.
func TestGoClient(t *testing.T) {
	if url := os.Getenv("LOCALTLS_GO_CLIENT_URL"); url != "" {
		resp, err := http.Get(url)
		if err != nil {
			fmt.Println("FAILED", err)
			os.Exit(1)
		}
		b, _ := io.ReadAll(resp.Body)
		fmt.Println("A", string(b))
		os.Exit(0)
	}
	cs := startClientServer(t)
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("LOCALTLS_GO_CLIENT_URL", "https://localhost:"+cs.port+"/")
	out := cs.run(t, exe, "-test.run=^TestGoClient$")
	cs.wantOutput(t, out, `A tls HTTP/1.1 localhost:`+cs.port)
}

// TestOpenSSLEnforcesTheConstraints: a certificate for another name signed
// with the CA's key (what a leaked ca-key.pem allows) is refused by
// OpenSSL, through Python, as it is by Go (TestNameConstraints).
func TestOpenSSLEnforcesTheConstraints(t *testing.T) {
	python := needTool(t, "python3")
	ca := newTestCA(t)
	forged, err := ca.issue([]string{"example.com"}, nil, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{*forged}})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				c.(*tls.Conn).Handshake()
				c.Close()
			}()
		}
	}()
	cs := &clientServer{testServer: &testServer{ca: ca}}
	script := `
import socket, ssl, sys
ctx = ssl.create_default_context()
try:
    with socket.create_connection(("127.0.0.1", int(sys.argv[1]))) as s:
        with ctx.wrap_socket(s, server_hostname="example.com"):
            print("ACCEPTED")
except ssl.SSLCertVerificationError as e:
    print("REFUSED", e.verify_message)
`
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	out := cs.run(t, python, "-c", script, port)
	cs.wantOutput(t, out, "REFUSED permitted subtree violation")
}
