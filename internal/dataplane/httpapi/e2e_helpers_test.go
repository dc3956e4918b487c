package httpapi_test

// End-to-end harness for HTTP APIs: a real Portico on a real listener and
// SQLite file, APIs built only through the real AWS SDK client, a real
// backend (httptest) and the in-process Lambda Invoke fake, and plain
// net/http clients.

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"

	"github.com/portico-dev/portico/internal/lambdatest"
	"github.com/portico-dev/portico/server"
)

type env struct {
	srv    *server.Server
	c      *apigatewayv2.Client
	ctx    context.Context
	lambda *lambdatest.Server
}

func newEnv(t testing.TB) *env { return newEnvWith(t, nil) }

func newEnvWith(t testing.TB, tweak func(*server.Config)) *env {
	t.Helper()
	e := &env{ctx: context.Background()}
	e.lambda = lambdatest.New(func(fn string, event []byte) (any, string) {
		return map[string]any{"statusCode": 200, "body": "lambda:" + fn}, ""
	})
	t.Cleanup(e.lambda.Close)
	cfg := server.Config{Listen: "127.0.0.1:0", DataDir: t.TempDir(), LambdaEndpoint: e.lambda.URL}
	if tweak != nil {
		tweak(&cfg)
	}
	srv, err := server.Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	e.srv = srv
	e.c = srv.Client()
	return e
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// httpAPI creates an HTTP API with an autoDeploy $default stage.
func (e *env) httpAPI(t testing.TB, tweak func(*apigatewayv2.CreateApiInput)) string {
	t.Helper()
	in := &apigatewayv2.CreateApiInput{Name: aws.String("http"), ProtocolType: types.ProtocolTypeHttp}
	if tweak != nil {
		tweak(in)
	}
	out, err := e.c.CreateApi(e.ctx, in)
	must(t, err)
	e.stage(t, *out.ApiId, "$default")
	return *out.ApiId
}

func (e *env) stage(t testing.TB, apiID, name string) {
	t.Helper()
	_, err := e.c.CreateStage(e.ctx, &apigatewayv2.CreateStageInput{ApiId: &apiID, StageName: aws.String(name),
		AutoDeploy: aws.Bool(true)})
	must(t, err)
}

func (e *env) proxyIntegration(t testing.TB, apiID, method, uri string, tweak func(*apigatewayv2.CreateIntegrationInput)) string {
	t.Helper()
	in := &apigatewayv2.CreateIntegrationInput{ApiId: &apiID, IntegrationType: types.IntegrationTypeHttpProxy,
		IntegrationMethod: aws.String(method), IntegrationUri: aws.String(uri), PayloadFormatVersion: aws.String("1.0")}
	if tweak != nil {
		tweak(in)
	}
	out, err := e.c.CreateIntegration(e.ctx, in)
	must(t, err)
	return *out.IntegrationId
}

func lambdaURI(fn string) string {
	return "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:" + fn + "/invocations"
}

func (e *env) lambdaIntegration(t testing.TB, apiID, fn, version string) string {
	t.Helper()
	out, err := e.c.CreateIntegration(e.ctx, &apigatewayv2.CreateIntegrationInput{ApiId: &apiID,
		IntegrationType: types.IntegrationTypeAwsProxy, IntegrationUri: aws.String(lambdaURI(fn)),
		PayloadFormatVersion: aws.String(version)})
	must(t, err)
	return *out.IntegrationId
}

func (e *env) route(t testing.TB, apiID, key, integrationID string) string {
	t.Helper()
	in := &apigatewayv2.CreateRouteInput{ApiId: &apiID, RouteKey: aws.String(key)}
	if integrationID != "" {
		in.Target = aws.String("integrations/" + integrationID)
	}
	out, err := e.c.CreateRoute(e.ctx, in)
	must(t, err)
	return *out.RouteId
}

// url is the path-style URL of a path of an API (path starts with "/").
func (e *env) url(apiID, path string) string {
	return e.srv.URL + "/_aws/execute-api/" + apiID + path
}

// call sends one request; host, when set, is the Host header.
func call(t testing.TB, method, url, host, body string, header http.Header) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body == "" {
		req.Body = http.NoBody
		req.ContentLength = 0
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	if host != "" {
		req.Host = host
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// backend is a real HTTP server that records what it receives and answers
// with a JSON description of it.
type backend struct {
	*httptest.Server
	mu   sync.Mutex
	last *http.Request
	body string
}

type seen struct {
	Method, Path, RawQuery, Host, Body string
	Header                             http.Header
}

func newBackend(t testing.TB) *backend {
	b := &backend{}
	b.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		b.mu.Lock()
		b.last, b.body = r, string(body)
		b.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Backend", "yes")
		w.Header().Set("Access-Control-Allow-Origin", "https://backend-says.example")
		status := http.StatusOK
		if s := r.Header.Get("X-Answer-Status"); s != "" {
			json.Unmarshal([]byte(s), &status)
		}
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(seen{Method: r.Method, Path: r.URL.EscapedPath(), RawQuery: r.URL.RawQuery,
			Host: r.Host, Body: string(body), Header: r.Header})
	}))
	t.Cleanup(b.Close)
	return b
}

func decodeSeen(t testing.TB, body string) seen {
	t.Helper()
	var s seen
	if err := json.Unmarshal([]byte(body), &s); err != nil {
		t.Fatalf("the backend's answer is not what it sent: %v: %q", err, body)
	}
	return s
}

// events returns the recorded Lambda events, decoded.
func (e *env) events(t testing.TB) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, c := range e.lambda.Calls() {
		var ev map[string]any
		if err := json.Unmarshal(c.Event, &ev); err != nil {
			t.Fatalf("event is not JSON: %v: %s", err, c.Event)
		}
		out = append(out, ev)
	}
	return out
}

type nopCloser struct{ io.Reader }

func (nopCloser) Close() error { return nil }

func ioNop(r io.Reader) io.ReadCloser { return nopCloser{r} }
