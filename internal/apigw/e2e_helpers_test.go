package apigw_test

// End-to-end test harness: a real Portico (server.Start) on a real listener
// and a real SQLite file, driven by the real AWS SDK for Go v2 client or by
// raw net/http requests. Nothing is mocked. With PORTICO_TEST_STORE=postgres
// every Portico runs on a fresh PostgreSQL database instead (pgtest).

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/gobwas/ws"

	"github.com/portico-dev/portico/internal/store"
	"github.com/portico-dev/portico/internal/store/postgres"
	"github.com/portico-dev/portico/internal/store/postgres/pgtest"
	"github.com/portico-dev/portico/internal/store/sqlite"
	"github.com/portico-dev/portico/server"
)

// defaultAccount is the account of requests whose credential scope carries
// no 12-digit access key id (the SDK client below signs as AKIDEXAMPLE).
const defaultAccount = "000000000000"

var (
	apiIDPattern           = regexp.MustCompile(`^[a-z0-9]{10}$`)
	routeIDPattern         = regexp.MustCompile(`^[a-z0-9]{7}$`)
	routeResponseIDPattern = regexp.MustCompile(`^[a-z0-9]{6}$`)
	isoSecondsPattern      = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`)
)

// env is one Portico on its own SQLite file, with an SDK client for it.
type env struct {
	srv *server.Server
	// store is the server's Config.Store: "" for the SQLite file in
	// dataDir.
	store string
	c     *apigatewayv2.Client
	// hc is the HTTP client of both the SDK client and the raw requests.
	hc      *http.Client
	tr      *http.Transport
	ctx     context.Context
	dataDir string
	closed  bool
}

func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{dataDir: t.TempDir(), ctx: t.Context()}
	switch kind := os.Getenv("PORTICO_TEST_STORE"); kind {
	case "", "sqlite":
	case "postgres":
		e.store = sharedDatabase(t)
	default:
		t.Fatalf("PORTICO_TEST_STORE=%q: want sqlite or postgres", kind)
	}
	e.start(t)
	t.Cleanup(func() {
		if !e.closed {
			e.close(t)
		}
	})
	return e
}

// start starts Portico on the env's data directory, with a fresh client.
func (e *env) start(t *testing.T) {
	t.Helper()
	srv, err := server.Start(server.Config{Listen: "127.0.0.1:0", DataDir: e.dataDir, Store: e.store})
	if err != nil {
		t.Fatal(err)
	}
	e.srv, e.closed = srv, false
	e.tr = http.DefaultTransport.(*http.Transport).Clone()
	e.hc = &http.Client{Transport: e.tr}
	e.c = newClient(srv.URL, e.hc)
}

// close stops Portico. The client's idle connections are closed first: a
// connection the transport dialed during a burst but never used is "new"
// to the server, and http.Server.Shutdown waits 5 s for those, as long as
// srv.Close's whole grace period.
func (e *env) close(t *testing.T) {
	t.Helper()
	e.tr.CloseIdleConnections()
	e.closed = true
	if err := e.srv.Close(); err != nil {
		t.Errorf("closing the server: %v", err)
	}
}

// shared is the PostgreSQL database the envs share, made by TestMain with
// PORTICO_TEST_STORE=postgres. A database of its own for every test
// would cost about a second each (creating it, and dropping it, which
// waits for a checkpoint): two thirds of the suite's time. The tests run
// one after the other, so emptying the database when an env starts
// isolates them as well; an env started while another is still open (a
// test in parallel, or two servers in one test) gets a database of its
// own.
var shared struct {
	sync.Mutex
	url   string
	store store.Store // to Reset it
	inUse bool
}

func sharedDatabase(t *testing.T) string {
	t.Helper()
	shared.Lock()
	defer shared.Unlock()
	if shared.url == "" {
		t.Fatalf("PORTICO_TEST_STORE=postgres needs %s", pgtest.Env)
	}
	if shared.inUse {
		return pgtest.URL(t)
	}
	if err := shared.store.Reset(t.Context()); err != nil {
		t.Fatal(err)
	}
	shared.inUse = true
	// Registered before the env's own cleanup, so it runs after the
	// server has stopped.
	t.Cleanup(func() {
		shared.Lock()
		shared.inUse = false
		shared.Unlock()
	})
	return shared.url
}

func TestMain(m *testing.M) { os.Exit(runTests(m)) }

func runTests(m *testing.M) int {
	if os.Getenv("PORTICO_TEST_STORE") == "postgres" && pgtest.Enabled() {
		url, drop, err := pgtest.Create()
		if err != nil {
			fmt.Fprintln(os.Stderr, "pgtest:", err)
			return 1
		}
		defer drop()
		st, err := postgres.Open(context.Background(), url)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer st.Close()
		shared.url, shared.store = url, st
	}
	return m.Run()
}

// restart stops Portico and starts it again on the same SQLite file.
func (e *env) restart(t *testing.T) {
	t.Helper()
	e.close(t)
	e.start(t)
}

// openStore opens the stopped server's store, to look at what it wrote.
func (e *env) openStore(t *testing.T) store.Store {
	t.Helper()
	var st store.Store
	var err error
	if e.store != "" {
		st, err = postgres.Open(e.ctx, e.store)
	} else {
		st, err = sqlite.Open(filepath.Join(e.dataDir, server.DatabaseFile))
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func newClient(url string, hc *http.Client) *apigatewayv2.Client {
	return apigatewayv2.New(apigatewayv2.Options{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(url),
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
		RetryMaxAttempts: 1,
		HTTPClient:       hc,
	})
}

// wantAPIError checks that err is an API error with the HTTP status, the
// error code and the exact message.
func wantAPIError(t *testing.T, err error, status int, code, message string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error; want %d %s %q", status, code, message)
	}
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("error %v (%T) is not a smithy.APIError; want %d %s %q", err, err, status, code, message)
	}
	if apiErr.ErrorCode() != code {
		t.Errorf("error code %q, want %q (error: %v)", apiErr.ErrorCode(), code, err)
	}
	if apiErr.ErrorMessage() != message {
		t.Errorf("error message\n got %q\nwant %q", apiErr.ErrorMessage(), message)
	}
	var respErr *awshttp.ResponseError
	if !errors.As(err, &respErr) {
		t.Fatalf("error %v has no HTTP response", err)
	}
	if respErr.HTTPStatusCode() != status {
		t.Errorf("HTTP status %d, want %d (error: %v)", respErr.HTTPStatusCode(), status, err)
	}
}

// statusOf is the HTTP status of a successful SDK call.
func statusOf(t *testing.T, md middleware.Metadata) int {
	t.Helper()
	raw, ok := awsmiddleware.GetRawResponse(md).(*smithyhttp.Response)
	if !ok || raw == nil {
		t.Fatalf("no raw HTTP response in the output metadata")
	}
	return raw.StatusCode
}

func wantStatus(t *testing.T, md middleware.Metadata, want int) {
	t.Helper()
	if got := statusOf(t, md); got != want {
		t.Errorf("HTTP status %d, want %d", got, want)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// createWebSocketAPI creates a WebSocket API and returns its id.
func (e *env) createWebSocketAPI(t *testing.T, name string) string {
	t.Helper()
	out, err := e.c.CreateApi(e.ctx, &apigatewayv2.CreateApiInput{
		Name: aws.String(name), ProtocolType: types.ProtocolTypeWebsocket,
		RouteSelectionExpression: aws.String("$request.body.action"),
	})
	must(t, err)
	return *out.ApiId
}

// createHTTPAPI creates an HTTP API and returns its id.
func (e *env) createHTTPAPI(t *testing.T, name string) string {
	t.Helper()
	out, err := e.c.CreateApi(e.ctx, &apigatewayv2.CreateApiInput{
		Name: aws.String(name), ProtocolType: types.ProtocolTypeHttp,
	})
	must(t, err)
	return *out.ApiId
}

// createRoute creates a route with only its key and returns its id.
func (e *env) createRoute(t *testing.T, apiID, key string) string {
	t.Helper()
	out, err := e.c.CreateRoute(e.ctx, &apigatewayv2.CreateRouteInput{ApiId: aws.String(apiID), RouteKey: aws.String(key)})
	must(t, err)
	return *out.RouteId
}

// createRouteResponse creates the $default route response of a route and
// returns its id.
func (e *env) createRouteResponse(t *testing.T, apiID, routeID string) string {
	t.Helper()
	out, err := e.c.CreateRouteResponse(e.ctx, &apigatewayv2.CreateRouteResponseInput{
		ApiId: aws.String(apiID), RouteId: aws.String(routeID), RouteResponseKey: aws.String("$default"),
	})
	must(t, err)
	return *out.RouteResponseId
}

// rawResponse is what a raw HTTP request got back.
type rawResponse struct {
	status int
	header http.Header
	body   string
}

// raw sends one request with net/http; header values are set verbatim.
func (e *env) raw(t *testing.T, method, path, body string, header map[string]string) rawResponse {
	t.Helper()
	return e.rawBody(t, method, path, strings.NewReader(body), header)
}

func (e *env) rawBody(t *testing.T, method, path string, body io.Reader, header map[string]string) rawResponse {
	url := e.srv.URL + path
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	if method == http.MethodPost || method == http.MethodPatch || method == http.MethodPut {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := e.hc.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading the body: %v", method, url, err)
	}
	return rawResponse{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

// wsRoundTrip connects to a deployed stage of a WebSocket API, sends one
// text message and returns the first text message it gets back. The
// deadline only keeps a broken server from hanging the test.
func (e *env) wsRoundTrip(t *testing.T, apiID, stage, msg string) string {
	t.Helper()
	url := "ws" + strings.TrimPrefix(e.srv.URL, "http") + "/_aws/execute-api/" + apiID + "/" + stage
	conn, br, _, err := ws.Dialer{Timeout: 10 * time.Second}.Dial(e.ctx, url)
	if err != nil {
		t.Fatalf("connecting to %s: %v", url, err)
	}
	defer conn.Close()
	var r io.Reader = conn
	if br != nil {
		r = io.MultiReader(br, conn)
	}
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	must(t, ws.WriteFrame(conn, ws.MaskFrame(ws.NewTextFrame([]byte(msg)))))
	for {
		f, err := ws.ReadFrame(r)
		if err != nil {
			t.Fatalf("reading from %s: %v", url, err)
		}
		switch f.Header.OpCode {
		case ws.OpText:
			return string(f.Payload)
		case ws.OpClose:
			t.Fatalf("%s closed the connection: %q", url, f.Payload)
		}
	}
}
