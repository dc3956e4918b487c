package lambdaauth

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/portico-dev/portico/internal/apigw"
	"github.com/portico-dev/portico/internal/dataplane/gateway"
	"github.com/portico-dev/portico/internal/dataplane/httpapi/payload"
	"github.com/portico-dev/portico/internal/dataplane/integration"
	"github.com/portico-dev/portico/internal/lambdatest"
	"github.com/portico-dev/portico/internal/store"
)

// The tests call the function through the real Lambda Invoke client
// (integration.Lambda) against the real fake Lambda service
// (internal/lambdatest) on loopback, and count its invocations.

const authorizerURI = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:111122223333:function:auth/invocations"

var testStage = gateway.StageKey{Scope: store.Scope{Account: "111122223333", Region: "us-east-1"}, APIID: "abcdef1234", Stage: "$default"}

// fn is a fake Lambda service whose answers a test sets.
type fn struct {
	srv    *lambdatest.Server
	lambda *integration.Lambda
}

// answer returns a handler that answers v: a string is sent as raw JSON.
func answer(v any) lambdatest.Handler {
	return func(string, []byte) (any, string) {
		if s, ok := v.(string); ok {
			return json.RawMessage(s), ""
		}
		return v, ""
	}
}

func newFn(t testing.TB, h lambdatest.Handler) *fn {
	t.Helper()
	srv := lambdatest.New(h)
	t.Cleanup(srv.Close)
	return &fn{srv: srv, lambda: &integration.Lambda{Endpoint: srv.URL, Client: &http.Client{}}}
}

func (f *fn) calls() int { return len(f.srv.Calls()) }

// lastEvent is the last event the function received, decoded.
func (f *fn) lastEvent(t testing.TB) map[string]any {
	t.Helper()
	calls := f.srv.Calls()
	if len(calls) == 0 {
		t.Fatal("the function was not called")
	}
	var m map[string]any
	if err := json.Unmarshal(calls[len(calls)-1].Event, &m); err != nil {
		t.Fatalf("the event is not JSON: %v\n%s", err, calls[len(calls)-1].Event)
	}
	return m
}

// clock is a settable clock for the cache.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// spec is an authorizer's configuration, as the control plane stores it.
type spec struct {
	version string // "2.0" unless set
	simple  bool
	ttl     int32
	sources []string // $request.header.Authorization unless set; "-" for none
}

func (s spec) authorizer() *apigw.Authorizer {
	v := s.version
	if v == "" {
		v = "2.0"
	}
	sources := s.sources
	switch {
	case sources == nil:
		sources = []string{"$request.header.Authorization"}
	case len(sources) == 1 && sources[0] == "-":
		sources = nil
	}
	return &apigw.Authorizer{
		AuthorizerId: ptr("auth01"), AuthorizerType: ptr("REQUEST"), Name: ptr("auth"),
		AuthorizerUri: ptr(authorizerURI), AuthorizerPayloadFormatVersion: ptr(v),
		EnableSimpleResponses: ptr(s.simple), AuthorizerResultTtlInSeconds: ptr(s.ttl), IdentitySource: sources,
	}
}

func ptr[T any](v T) *T { return &v }

// compile compiles s against f with clock c (nil: the real one).
func compile(t testing.TB, s spec, f *fn, c *clock, tweak ...func(*Config)) *Authorizer {
	t.Helper()
	cfg := Config{Invoker: f.lambda, Stage: testStage}
	if c != nil {
		cfg.Now = c.Now
	}
	for _, tw := range tweak {
		tw(&cfg)
	}
	a, err := Compile(s.authorizer(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// request is a GET of path on the $default stage with the given headers
// ("Name: value" pairs already canonical) and raw query.
func request(method, path, rawQuery string, header http.Header) *Request {
	if header == nil {
		header = http.Header{}
	}
	header.Set("Host", "abcdef1234.execute-api.us-east-1.amazonaws.com")
	return &Request{
		Event: &payload.Request{
			Method: method, RawPath: path, Path: path, RawQuery: rawQuery, Header: header,
			SourceIP: "198.51.100.7", Protocol: "HTTP/1.1", UserAgent: "curl/8.5.0",
			RouteKey: method + " " + path, Stage: "$default", AccountID: "111122223333", APIID: "abcdef1234",
			DomainName: "abcdef1234.execute-api.us-east-1.amazonaws.com", RequestID: "AbCdEfGhIjKlMnO=",
			Time: time.Date(2024, 5, 6, 7, 8, 9, 123e6, time.UTC),
		},
		Path: path,
	}
}

// withToken is request with an Authorization header.
func withToken(method, path, token string) *Request {
	return request(method, path, "", http.Header{"Authorization": {token}})
}

func authorize(t testing.TB, a *Authorizer, r *Request) Result {
	t.Helper()
	return a.Authorize(context.Background(), r)
}
