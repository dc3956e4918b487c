package httpapi_test

import (
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"

	"github.com/portico-dev/portico/server"
)

// TestHTTPProxyURLFormsAndStages: an HTTP API built through the SDK answers
// on the path form and the host form, on the $default stage at the root
// and on a named stage under its segment, and the backend gets the
// request with the route's variables in the URI.
func TestHTTPProxyURLFormsAndStages(t *testing.T) {
	e := newEnv(t)
	be := newBackend(t)
	api := e.httpAPI(t, nil)
	e.stage(t, api, "dev")
	pets := e.proxyIntegration(t, api, "GET", be.URL+"/backend/pets/{id}", nil)
	e.route(t, api, "GET /pets/{id}", pets)

	for _, c := range []struct{ name, url, host string }{
		{"path form, $default", e.url(api, "/pets/7?color=red&n=1"), ""},
		{"path form, dev", e.url(api, "/dev/pets/7?color=red&n=1"), ""},
		{"host form, $default", e.srv.URL + "/pets/7?color=red&n=1", api + ".execute-api.localhost"},
		{"host form, dev", e.srv.URL + "/dev/pets/7?color=red&n=1", api + ".execute-api.us-east-1.amazonaws.com"},
	} {
		resp, body := call(t, "GET", c.url, c.host, "", http.Header{"X-Client": {"a"}, "Connection": {"keep-alive, X-Hop"}, "X-Hop": {"h"}})
		if resp.StatusCode != 200 || resp.Header.Get("X-Backend") != "yes" || resp.Header.Get("Apigw-Requestid") == "" {
			t.Fatalf("%s: %d %v %s", c.name, resp.StatusCode, resp.Header, body)
		}
		s := decodeSeen(t, body)
		if s.Method != "GET" || s.Path != "/backend/pets/7" || s.RawQuery != "color=red&n=1" {
			t.Errorf("%s: the backend got %s %s?%s", c.name, s.Method, s.Path, s.RawQuery)
		}
		if s.Host != strings.TrimPrefix(be.URL, "http://") {
			t.Errorf("%s: Host %q, want the backend's", c.name, s.Host)
		}
		if s.Header.Get("X-Client") != "a" || s.Header.Get("X-Hop") != "" || s.Header.Get("Forwarded") == "" ||
			!strings.HasPrefix(s.Header.Get("X-Amzn-Trace-Id"), "Root=1-") {
			t.Errorf("%s: headers at the backend: %v", c.name, s.Header)
		}
	}
	// An unknown stage is the $default stage's path: no route, 404.
	resp, body := call(t, "GET", e.url(api, "/prod/pets/7"), "", "", nil)
	if resp.StatusCode != 404 || body != `{"message":"Not Found"}` {
		t.Errorf("unknown path: %d %s", resp.StatusCode, body)
	}
}

// TestHTTPProxyDefaultRoute: $default with a path-less URI gets the whole
// path appended; ANY passes the client's method; body and status pass.
func TestHTTPProxyDefaultRoute(t *testing.T) {
	e := newEnv(t)
	be := newBackend(t)
	api := e.httpAPI(t, nil)
	e.route(t, api, "$default", e.proxyIntegration(t, api, "ANY", be.URL, nil))
	resp, body := call(t, "PUT", e.url(api, "/store/check%20out"), "", `{"items":3}`,
		http.Header{"Content-Type": {"application/json"}, "X-Answer-Status": {"201"}})
	if resp.StatusCode != 201 {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	s := decodeSeen(t, body)
	if s.Method != "PUT" || s.Path != "/store/check%20out" || s.Body != `{"items":3}` {
		t.Errorf("the backend got %+v", s)
	}
	// Backend redirects are answers too: passed on, not followed.
	resp, _ = call(t, "GET", e.url(api, "/x"), "", "", http.Header{"X-Answer-Status": {"302"}})
	if resp.StatusCode != 302 {
		t.Errorf("redirect: %d", resp.StatusCode)
	}
}

// TestHTTPProxyFailures: a backend that takes longer than timeoutInMillis
// is 503 Service Unavailable; one that cannot be reached is 500; both with
// AWS's exact bodies.
func TestHTTPProxyFailures(t *testing.T) {
	e := newEnv(t)
	slow := newBackend(t)
	slow.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(2 * time.Second)
	})
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	closed := "http://" + ln.Addr().String()
	ln.Close()
	api := e.httpAPI(t, nil)
	e.route(t, api, "GET /slow", e.proxyIntegration(t, api, "GET", slow.URL, func(in *apigatewayv2.CreateIntegrationInput) {
		in.TimeoutInMillis = aws.Int32(100)
	}))
	e.route(t, api, "GET /gone", e.proxyIntegration(t, api, "GET", closed, nil))
	e.route(t, api, "GET /nothing", "")
	for path, want := range map[string]struct {
		status int
		body   string
	}{
		"/slow":    {503, `{"message":"Service Unavailable"}`},
		"/gone":    {500, `{"message":"Internal Server Error"}`},
		"/nothing": {500, `{"message":"Internal Server Error"}`},
	} {
		resp, body := call(t, "GET", e.url(api, path), "", "", nil)
		if resp.StatusCode != want.status || body != want.body || resp.Header.Get("Apigw-Requestid") == "" {
			t.Errorf("%s: %d %s", path, resp.StatusCode, body)
		}
	}
}

// TestAutoDeployFollowsChanges: what a stage serves is its deployment; an
// autoDeploy stage follows every change at once, a manual stage only when
// deployed.
func TestAutoDeployFollowsChanges(t *testing.T) {
	e := newEnv(t)
	be := newBackend(t)
	api := e.httpAPI(t, nil)
	_, err := e.c.CreateStage(e.ctx, &apigatewayv2.CreateStageInput{ApiId: &api, StageName: aws.String("manual")})
	must(t, err)
	in := e.proxyIntegration(t, api, "GET", be.URL+"/a", nil)
	if resp, _ := call(t, "GET", e.url(api, "/a"), "", "", nil); resp.StatusCode != 404 {
		t.Fatalf("before the route: %d", resp.StatusCode)
	}
	e.route(t, api, "GET /a", in)
	if resp, body := call(t, "GET", e.url(api, "/a"), "", "", nil); resp.StatusCode != 200 {
		t.Errorf("autoDeploy stage after CreateRoute: %d %s", resp.StatusCode, body)
	}
	if resp, _ := call(t, "GET", e.url(api, "/manual/a"), "", "", nil); resp.StatusCode != 404 {
		t.Errorf("manual stage before a deployment: %d", resp.StatusCode)
	}
	_, err = e.c.CreateDeployment(e.ctx, &apigatewayv2.CreateDeploymentInput{ApiId: &api, StageName: aws.String("manual")})
	must(t, err)
	if resp, body := call(t, "GET", e.url(api, "/manual/a"), "", "", nil); resp.StatusCode != 200 {
		t.Errorf("manual stage after its deployment: %d %s", resp.StatusCode, body)
	}
}

// TestRequestLimits: over 10 MB of body is 413, over 10,240 bytes of
// request line and headers 431, a malformed path 400; each with a
// {"message"} body and never a 5xx.
func TestRequestLimits(t *testing.T) {
	e := newEnv(t)
	be := newBackend(t)
	api := e.httpAPI(t, nil)
	e.route(t, api, "$default", e.proxyIntegration(t, api, "ANY", be.URL, nil))
	resp, body := call(t, "POST", e.url(api, "/big"), "", strings.Repeat("x", 10<<20+1), nil)
	if resp.StatusCode != 413 || !strings.HasPrefix(body, `{"message":`) {
		t.Errorf("big body: %d %.100s", resp.StatusCode, body)
	}
	resp, body = call(t, "GET", e.url(api, "/h"), "", "", http.Header{"X-Big": {strings.Repeat("h", 10300)}})
	if resp.StatusCode != 431 || !strings.HasPrefix(body, `{"message":`) {
		t.Errorf("big headers: %d %.100s", resp.StatusCode, body)
	}
	resp, body = call(t, "GET", e.url(api, "/ok"), "", "", http.Header{"X-Big": {strings.Repeat("h", 9000)}})
	if resp.StatusCode != 200 {
		t.Errorf("headers within the limit: %d %.100s", resp.StatusCode, body)
	}
}

// TestTrafficLog: at debug level each request is one line with the request
// id, API, stage, route, status and latency; an integration failure is a
// warning at every level.
func TestTrafficLog(t *testing.T) {
	logs := &lockedBuffer{}
	e := newEnvWith(t, func(c *server.Config) {
		c.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	be := newBackend(t)
	api := e.httpAPI(t, nil)
	e.route(t, api, "GET /ok", e.proxyIntegration(t, api, "GET", be.URL, nil))
	e.route(t, api, "GET /broken", "")
	resp, _ := call(t, "GET", e.url(api, "/ok"), "", "", nil)
	call(t, "GET", e.url(api, "/broken"), "", "", nil)
	out := logs.String()
	for _, want := range []string{"msg=\"http api\"", "requestId=\"" + resp.Header.Get("Apigw-Requestid") + "\"", "api=" + api,
		"stage=$default", "route=\"GET /ok\"", "status=200", "latency=", "level=WARN msg=\"integration failed\""} {
		if !strings.Contains(out, want) {
			t.Errorf("the log lacks %s:\n%s", want, out)
		}
	}
}

// lockedBuffer collects log lines written from many goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
