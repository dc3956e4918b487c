package lambdaauth

import (
	"context"
	"net/http"
	"testing"

	"github.com/portico-dev/portico/internal/dataplane/integration"
	"github.com/portico-dev/portico/internal/lambdatest"
)

// invokerFunc answers in process, for the cost of a miss without the
// network; the tests use the real Invoke client and fake Lambda service.
type invokerFunc func(ctx context.Context, uri string, payload []byte) ([]byte, error)

func (f invokerFunc) Invoke(ctx context.Context, uri string, payload []byte) ([]byte, error) {
	return f(ctx, uri, payload)
}

func benchAuthorizer(b *testing.B, s spec, answer string) *Authorizer {
	a, err := Compile(s.authorizer(), Config{Stage: testStage,
		Invoker: invokerFunc(func(context.Context, string, []byte) ([]byte, error) { return []byte(answer), nil })})
	if err != nil {
		b.Fatal(err)
	}
	return a
}

func benchRequest() *Request {
	r := request("GET", "/pets/42", "limit=10", http.Header{
		"Authorization":   {"Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyLTEifQ.c2lnbmF0dXJl"},
		"Accept":          {"*/*"},
		"User-Agent":      {"curl/8.5.0"},
		"X-Forwarded-For": {"198.51.100.7"},
	})
	r.Event.RouteKey = "GET /pets/{id}"
	r.Event.PathParameters = map[string]string{"id": "42"}
	return r
}

func benchAuthorize(b *testing.B, a *Authorizer, wantCached bool) {
	r := benchRequest()
	ctx := context.Background()
	if res := a.Authorize(ctx, r); res.Refusal != nil {
		b.Fatal(res.Err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if res := a.Authorize(ctx, r); res.Refusal != nil || res.Cached != wantCached {
			b.Fatal(res.Err, res.Cached)
		}
	}
}

// BenchmarkCacheHitSimple: a simple answer from the cache.
func BenchmarkCacheHitSimple(b *testing.B) {
	benchAuthorize(b, benchAuthorizer(b, spec{simple: true, ttl: 300}, allow), true)
}

// BenchmarkCacheHitPolicy: a policy from the cache, evaluated for the
// request's route ARN (integration.Policy.Allows).
func BenchmarkCacheHitPolicy(b *testing.B) {
	benchAuthorize(b, benchAuthorizer(b, spec{ttl: 300}, policy("Allow", arnPrefix+"GET/pets/*")), true)
}

// BenchmarkMissSimpleV2: no cache: the 2.0 event, the call (in process)
// and the parse of a simple answer.
func BenchmarkMissSimpleV2(b *testing.B) {
	benchAuthorize(b, benchAuthorizer(b, spec{simple: true}, allow), false)
}

// BenchmarkMissPolicyV1: no cache, payload 1.0 and a policy answer.
func BenchmarkMissPolicyV1(b *testing.B) {
	benchAuthorize(b, benchAuthorizer(b, spec{version: "1.0"}, policy("Allow", arnPrefix+"GET/pets/*")), false)
}

// BenchmarkMissLoopback: no cache, through the real Invoke client and the
// fake Lambda service on loopback.
func BenchmarkMissLoopback(b *testing.B) {
	srv := lambdatest.NewQuiet(answer(allow), "") // records nothing
	b.Cleanup(srv.Close)
	lambda := &integration.Lambda{Endpoint: srv.URL, Client: &http.Client{}}
	a, err := Compile(spec{simple: true}.authorizer(), Config{Invoker: lambda, Stage: testStage})
	if err != nil {
		b.Fatal(err)
	}
	benchAuthorize(b, a, false)
}
