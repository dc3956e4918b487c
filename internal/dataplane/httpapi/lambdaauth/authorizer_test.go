package lambdaauth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/portico-dev/portico/internal/dataplane/gateway"
	"github.com/portico-dev/portico/internal/dataplane/httpapi/payload"
	"github.com/portico-dev/portico/internal/dataplane/integration"
)

const (
	allow = `{"isAuthorized":true,"context":{"user":"u1"}}`
	deny  = `{"isAuthorized":false}`
)

// policy is an IAM-policy answer allowing (or denying) resources.
func policy(effect string, resources ...string) string {
	b, _ := json.Marshal(map[string]any{
		"principalId": "user-1",
		"policyDocument": map[string]any{"Version": "2012-10-17", "Statement": []any{
			map[string]any{"Action": "execute-api:Invoke", "Effect": effect, "Resource": resources}}},
		"context": map[string]any{"tier": "gold"},
	})
	return string(b)
}

const arnPrefix = "arn:aws:execute-api:us-east-1:111122223333:abcdef1234/$default/"

func wantRefusal(t *testing.T, res Result, want *gateway.Error, cause error) {
	t.Helper()
	if res.Refusal != want {
		t.Fatalf("refusal %v (%v), want %v", res.Refusal, res.Err, want)
	}
	if cause != nil && !errors.Is(res.Err, cause) {
		t.Fatalf("cause %v, want %v", res.Err, cause)
	}
}

// TestMissingIdentity: a missing or empty identity source is 401 and the
// function is not called [V].
func TestMissingIdentity(t *testing.T) {
	ctx := func(vals map[string]string) func(string) (string, bool) {
		return func(n string) (string, bool) { v, ok := vals[n]; return v, ok }
	}
	sources := []string{"$request.header.Authorization", "$request.querystring.key", "$context.routeKey", "$stageVariables.tenant"}
	full := func() *Request {
		r := request("GET", "/pets", "key=k1", http.Header{"Authorization": {"t"}})
		r.Event.StageVariables = map[string]string{"tenant": "acme"}
		r.Context = ctx(map[string]string{"routeKey": "GET /pets"})
		return r
	}
	for _, c := range []struct {
		name    string
		missing string
		change  func(*Request)
	}{
		{"no header", "$request.header.Authorization", func(r *Request) { r.Event.Header.Del("Authorization") }},
		{"empty header", "$request.header.Authorization", func(r *Request) { r.Event.Header.Set("Authorization", "") }},
		{"no query parameter", "$request.querystring.key", func(r *Request) { r.Event.RawQuery = "other=1" }},
		{"query names are case-sensitive", "$request.querystring.key", func(r *Request) { r.Event.RawQuery = "Key=k1" }},
		{"empty query parameter", "$request.querystring.key", func(r *Request) { r.Event.RawQuery = "key=" }},
		{"no context lookup", "$context.routeKey", func(r *Request) { r.Context = nil }},
		{"empty context value", "$context.routeKey", func(r *Request) { r.Context = ctx(map[string]string{"routeKey": ""}) }},
		{"unknown context value", "$context.routeKey", func(r *Request) { r.Context = ctx(nil) }},
		{"no stage variable", "$stageVariables.tenant", func(r *Request) { r.Event.StageVariables = nil }},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newFn(t, answer(allow))
			a := compile(t, spec{simple: true, ttl: 300, sources: sources}, f, newClock())
			r := full()
			c.change(r)
			res := authorize(t, a, r)
			wantRefusal(t, res, gateway.ErrUnauthorized, ErrIdentityMissing)
			if !strings.Contains(res.Err.Error(), c.missing) {
				t.Errorf("the cause %q does not name %s", res.Err, c.missing)
			}
			if n := f.calls(); n != 0 {
				t.Errorf("the function was called %d times", n)
			}
		})
	}
	t.Run("all present", func(t *testing.T) {
		f := newFn(t, answer(allow))
		a := compile(t, spec{simple: true, sources: sources}, f, nil)
		r := full()
		r.Event.Header.Set("authorization", "t") // header names have no case
		if res := authorize(t, a, r); res.Refusal != nil {
			t.Fatalf("refused: %v", res.Err)
		}
		if got := f.lastEvent(t)["identitySource"]; !reflect.DeepEqual(got, []any{"t", "k1", "GET /pets", "acme"}) {
			t.Errorf("identitySource = %v", got)
		}
	})
}

// TestSimpleResponses: isAuthorized decides; the context reaches the
// integration's identity.
func TestSimpleResponses(t *testing.T) {
	f := newFn(t, answer(`{"isAuthorized":true,"context":{"s":"v","n":12345678901234567890,"b":true,"o":{"k":[1,"x"]},"z":null}}`))
	a := compile(t, spec{simple: true}, f, nil)
	res := authorize(t, a, withToken("GET", "/pets", "t1"))
	if res.Refusal != nil || res.Err != nil || res.Cached {
		t.Fatalf("%+v", res)
	}
	id := res.Identity
	if id.Kind != payload.AuthLambda || id.PrincipalID != "" {
		t.Errorf("identity %+v", id)
	}
	for k, want := range map[string]string{"s": "v", "n": "12345678901234567890", "b": "true", "o": `{"k":[1,"x"]}`} {
		if got, ok := res.Value(k); !ok || got != want {
			t.Errorf("$context.authorizer.%s = %q %v, want %q", k, got, ok, want)
		}
	}
	for _, k := range []string{"z", "absent", "principalId", "error"} {
		if got, ok := res.Value(k); ok {
			t.Errorf("$context.authorizer.%s = %q, want none", k, got)
		}
	}
	// The integration event carries the context with its JSON types.
	ev := payload.AppendEventV2(nil, &payload.Request{Method: "GET", RouteKey: "$default", Authorizer: id})
	var m map[string]any
	if err := json.Unmarshal(ev, &m); err != nil {
		t.Fatalf("%v\n%s", err, ev)
	}
	lambda := m["requestContext"].(map[string]any)["authorizer"].(map[string]any)["lambda"].(map[string]any)
	if lambda["s"] != "v" || lambda["b"] != true || lambda["n"] != 12345678901234567890.0 || lambda["z"] != nil {
		t.Errorf("authorizer.lambda = %v", lambda)
	}
	if !strings.Contains(string(ev), `"n":12345678901234567890`) {
		t.Errorf("the number lost its digits: %s", ev)
	}

	f.srv.SetHandler(answer(deny))
	res = authorize(t, a, withToken("GET", "/pets", "t1"))
	wantRefusal(t, res, gateway.ErrForbidden, ErrDenied)
	if res.Identity == nil {
		t.Error("a valid denial has no identity")
	}
	if v, ok := res.Value("error"); !ok || v != ErrDenied.Error() {
		t.Errorf("$context.authorizer.error = %q %v", v, ok)
	}
}

// TestPolicyResponses: an IAM policy is evaluated against the route ARN.
func TestPolicyResponses(t *testing.T) {
	for _, c := range []struct {
		name, answer, method, path string
		want                       *gateway.Error
	}{
		{"exact allow", policy("Allow", arnPrefix+"GET/pets"), "GET", "/pets", nil},
		{"other method", policy("Allow", arnPrefix+"GET/pets"), "POST", "/pets", gateway.ErrForbidden},
		{"other path", policy("Allow", arnPrefix+"GET/pets"), "GET", "/pets/1", gateway.ErrForbidden},
		{"wildcards", policy("Allow", "arn:aws:execute-api:us-east-1:*:abcdef1234/*/GET/*"), "GET", "/pets/1/toys", nil},
		{"root path", policy("Allow", arnPrefix+"GET/"), "GET", "/", nil},
		{"explicit deny", policy("Deny", arnPrefix+"GET/pets"), "GET", "/pets", gateway.ErrForbidden},
		{"deny wins", `{"principalId":"u","policyDocument":{"Statement":[
			{"Effect":"Allow","Action":"execute-api:*","Resource":"*"},
			{"Effect":"Deny","Action":["execute-api:Invoke"],"Resource":["` + arnPrefix + `DELETE/*"]}]}}`, "DELETE", "/pets/1", gateway.ErrForbidden},
		{"one statement alone", `{"principalId":"u","policyDocument":{"Version":"2012-10-17","Statement":
			{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"*"}}}`, "PUT", "/x", nil},
		{"other action", `{"principalId":"u","policyDocument":{"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}}`, "GET", "/pets", gateway.ErrForbidden},
		{"no statement matches", `{"principalId":"u","policyDocument":{"Statement":[]}}`, "GET", "/pets", gateway.ErrForbidden},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, v := range []string{"1.0", "2.0"} {
				f := newFn(t, answer(c.answer))
				res := authorize(t, compile(t, spec{version: v}, f, nil), withToken(c.method, c.path, "t"))
				if res.Refusal != c.want {
					t.Fatalf("%s: refusal %v (%v), want %v", v, res.Refusal, res.Err, c.want)
				}
				if res.Identity == nil || res.Identity.Kind != payload.AuthLambda {
					t.Fatalf("%s: identity %+v", v, res.Identity)
				}
			}
		})
	}
	f := newFn(t, answer(policy("Allow", "*")))
	res := authorize(t, compile(t, spec{}, f, nil), withToken("GET", "/pets", "t"))
	if res.Identity.PrincipalID != "user-1" || res.Identity.LambdaContext["tier"] != "gold" {
		t.Errorf("identity %+v", res.Identity)
	}
	if v, _ := res.Value("principalId"); v != "user-1" {
		t.Errorf("$context.authorizer.principalId = %q", v)
	}
	if v, _ := res.Value("tier"); v != "gold" {
		t.Errorf("$context.authorizer.tier = %q", v)
	}
	// A numeric principalId is its text [I].
	f.srv.SetHandler(answer(`{"principalId":42,"policyDocument":{"Statement":[{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"*"}]}}`))
	if res := authorize(t, compile(t, spec{}, f, nil), withToken("GET", "/pets", "t")); res.Identity.PrincipalID != "42" {
		t.Errorf("principalId %q", res.Identity.PrincipalID)
	}
}

// TestCache: one call per identity within the TTL, shared by the routes;
// policies evaluated per route from the cache; expiry; Reset.
func TestCache(t *testing.T) {
	c := newClock()
	f := newFn(t, answer(policy("Allow", arnPrefix+"GET/pets")))
	a := compile(t, spec{ttl: 300}, f, c)

	if res := authorize(t, a, withToken("GET", "/pets", "t1")); res.Refusal != nil || res.Cached {
		t.Fatalf("first: %+v", res)
	}
	res := authorize(t, a, withToken("GET", "/pets", "t1"))
	if res.Refusal != nil || !res.Cached || f.calls() != 1 {
		t.Fatalf("cache hit: %+v, %d calls", res, f.calls())
	}
	// The cached policy allows only GET /pets: POST /pets is denied from the
	// cache, without a call.
	res = authorize(t, a, withToken("POST", "/pets", "t1"))
	wantRefusal(t, res, gateway.ErrForbidden, ErrDenied)
	if !res.Cached || f.calls() != 1 {
		t.Fatalf("per-route evaluation: cached %v, %d calls", res.Cached, f.calls())
	}
	// Another token is another key.
	authorize(t, a, withToken("GET", "/pets", "t2"))
	if f.calls() != 2 {
		t.Fatalf("%d calls", f.calls())
	}
	// Just before the TTL the answer is still cached; at the TTL it is not.
	c.advance(300*time.Second - time.Nanosecond)
	if res := authorize(t, a, withToken("GET", "/pets", "t1")); !res.Cached || f.calls() != 2 {
		t.Fatalf("before expiry: cached %v, %d calls", res.Cached, f.calls())
	}
	c.advance(time.Nanosecond)
	if res := authorize(t, a, withToken("GET", "/pets", "t1")); res.Cached || f.calls() != 3 {
		t.Fatalf("after expiry: cached %v, %d calls", res.Cached, f.calls())
	}
	// Reset (ResetAuthorizersCache) empties it.
	a.Reset()
	if res := authorize(t, a, withToken("GET", "/pets", "t1")); res.Cached || f.calls() != 4 {
		t.Fatalf("after Reset: cached %v, %d calls", res.Cached, f.calls())
	}
}

// TestCacheSimple: a simple answer, allow or deny, applies to every route.
func TestCacheSimple(t *testing.T) {
	f := newFn(t, answer(deny))
	a := compile(t, spec{simple: true, ttl: 60}, f, newClock())
	wantRefusal(t, authorize(t, a, withToken("GET", "/a", "t")), gateway.ErrForbidden, ErrDenied)
	f.srv.SetHandler(answer(allow))
	res := authorize(t, a, withToken("POST", "/b", "t"))
	wantRefusal(t, res, gateway.ErrForbidden, ErrDenied) // the cached denial
	if !res.Cached || f.calls() != 1 {
		t.Fatalf("cached %v, %d calls", res.Cached, f.calls())
	}
	if res := authorize(t, a, withToken("GET", "/a", "other")); res.Refusal != nil {
		t.Fatalf("another token: %v", res.Err)
	}
	if res := authorize(t, a, withToken("DELETE", "/c", "other")); res.Refusal != nil || !res.Cached {
		t.Fatalf("cached allow on another route: %+v", res)
	}
}

// TestNoCache: TTL 0 calls the function every time; failures are never
// cached.
func TestNoCache(t *testing.T) {
	f := newFn(t, answer(allow))
	a := compile(t, spec{simple: true}, f, newClock())
	authorize(t, a, withToken("GET", "/a", "t"))
	authorize(t, a, withToken("GET", "/a", "t"))
	if f.calls() != 2 {
		t.Fatalf("TTL 0: %d calls", f.calls())
	}

	f = newFn(t, answer(`{"nope":1}`))
	a = compile(t, spec{simple: true, ttl: 60}, f, newClock())
	wantRefusal(t, authorize(t, a, withToken("GET", "/a", "t")), gateway.ErrInternal, ErrFailed)
	f.srv.SetHandler(answer(allow))
	if res := authorize(t, a, withToken("GET", "/a", "t")); res.Refusal != nil || res.Cached || f.calls() != 2 {
		t.Fatalf("after a failure: %+v, %d calls", res, f.calls())
	}
}

// TestCacheKey: the key holds every identity value, so that values that
// would join into the same text are still different keys.
func TestCacheKey(t *testing.T) {
	f := newFn(t, answer(allow))
	a := compile(t, spec{simple: true, ttl: 60, sources: []string{"$request.header.A", "$request.header.B"}}, f, newClock())
	for _, h := range []http.Header{
		{"A": {"x,y"}, "B": {"z"}},
		{"A": {"x"}, "B": {"y,z"}},
		{"A": {"x"}, "B": {"y", "z"}}, // a repeated header: "y,z", as the previous one
	} {
		authorize(t, a, request("GET", "/", "", h))
	}
	if f.calls() != 2 {
		t.Fatalf("%d calls, want 2", f.calls())
	}
}

// TestCacheBounded: hostile distinct tokens never grow the cache past its
// bound; the oldest go first.
func TestCacheBounded(t *testing.T) {
	f := newFn(t, answer(allow))
	a := compile(t, spec{simple: true, ttl: 3600}, f, newClock(), func(c *Config) { c.MaxEntries = 3 })
	for i := range 10 {
		authorize(t, a, withToken("GET", "/", fmt.Sprint("token-", i)))
		if n := a.cache.len(); n > 3 {
			t.Fatalf("%d entries", n)
		}
	}
	if res := authorize(t, a, withToken("GET", "/", "token-9")); !res.Cached {
		t.Error("the newest entry was evicted")
	}
	if res := authorize(t, a, withToken("GET", "/", "token-0")); res.Cached {
		t.Error("the oldest entry was kept")
	}

	// The byte budget: entries of about 1 KB in a 4 KB budget.
	f = newFn(t, answer(`{"isAuthorized":true,"context":{"pad":"`+strings.Repeat("p", 700)+`"}}`))
	a = compile(t, spec{simple: true, ttl: 3600}, f, newClock(), func(c *Config) { c.MaxBytes = 4096 })
	for i := range 20 {
		authorize(t, a, withToken("GET", "/", fmt.Sprint("token-", i)))
		if a.cache.bytes > 4096 {
			t.Fatalf("%d bytes cached", a.cache.bytes)
		}
	}
	if n := a.cache.len(); n == 0 || n > 4 {
		t.Fatalf("%d entries", n)
	}
	// An answer larger than the whole budget is not cached.
	f.srv.SetHandler(answer(`{"isAuthorized":true,"context":{"pad":"` + strings.Repeat("p", 5000) + `"}}`))
	a.Reset()
	authorize(t, a, withToken("GET", "/", "big"))
	if n := a.cache.len(); n != 0 {
		t.Fatalf("%d entries", n)
	}
}

// TestFailures: what is not a valid answer is 500, never a panic; the
// cause says what was wrong.
func TestFailures(t *testing.T) {
	p := func(st string) string { return `{"principalId":"u","policyDocument":{"Statement":[` + st + `]}}` }
	for _, c := range []struct {
		name   string
		simple bool
		answer string
		cause  string
	}{
		{"not JSON", true, `{"isAuthorized":tru`, "JSON object"},
		{"an array", true, `[true]`, "JSON object"},
		{"null", true, `null`, "JSON object"},
		{"a string", false, `"Allow"`, "JSON object"},
		{"simple: no isAuthorized", true, `{"context":{}}`, "isAuthorized is missing"},
		{"simple: a policy instead", true, policy("Allow", "*"), "isAuthorized is missing"},
		{"simple: isAuthorized a string", true, `{"isAuthorized":"true"}`, "true or false"},
		{"simple: isAuthorized null", true, `{"isAuthorized":null}`, "true or false"},
		{"simple: member names are exact", true, `{"IsAuthorized":true}`, "isAuthorized is missing"},
		{"context not an object", true, `{"isAuthorized":true,"context":[1]}`, "context must be a JSON object"},
		{"context a string", false, `{"principalId":"u","policyDocument":{"Statement":[]},"context":"x"}`, "context"},
		{"policy: simple answer instead", false, allow, "principalId is missing"},
		{"policy: no principalId", false, `{"policyDocument":{"Statement":[]}}`, "principalId is missing"},
		{"policy: principalId an object", false, `{"principalId":{},"policyDocument":{"Statement":[]}}`, "principalId must be a string"},
		{"policy: no document", false, `{"principalId":"u"}`, "policyDocument is missing"},
		{"policy: document a list", false, `{"principalId":"u","policyDocument":[]}`, "policyDocument must be a JSON object"},
		{"policy: no Statement", false, `{"principalId":"u","policyDocument":{"Version":"2012-10-17"}}`, "no Statement"},
		{"policy: Statement a string", false, `{"principalId":"u","policyDocument":{"Statement":"x"}}`, "list of statements"},
		{"policy: statement a number", false, p(`1`), "not an object"},
		{"policy: bad effect", false, p(`{"Effect":"allow","Action":"*","Resource":"*"}`), "Effect"},
		{"policy: no effect", false, p(`{"Action":"*","Resource":"*"}`), "Effect"},
		{"policy: Action a number", false, p(`{"Effect":"Allow","Action":1,"Resource":"*"}`), "Action must be"},
		{"policy: Resource list of numbers", false, p(`{"Effect":"Allow","Action":"*","Resource":[1]}`), "Resource must be"},
		{"policy: Condition", false, p(`{"Effect":"Allow","Action":"*","Resource":"*","Condition":{}}`), "Condition is not supported"},
		{"policy: NotResource", false, p(`{"Effect":"Deny","Action":"*","NotResource":"x"}`), "NotResource is not supported"},
		{"policy: a second effect in another case", false, p(`{"Effect":"Deny","effect":"Allow","Action":"*","Resource":"*"}`), "unknown element"},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newFn(t, answer(c.answer))
			res := authorize(t, compile(t, spec{simple: c.simple}, f, nil), withToken("GET", "/", "t"))
			wantRefusal(t, res, gateway.ErrInternal, ErrInvalidResponse)
			if !errors.Is(res.Err, ErrFailed) || !strings.Contains(res.Err.Error(), c.cause) {
				t.Errorf("cause %q, want it to say %q", res.Err, c.cause)
			}
			if res.Identity != nil {
				t.Errorf("identity %+v", res.Identity)
			}
		})
	}
}

// TestFunctionErrors: a function error is 500, except "Unauthorized",
// which is 401 as on REST APIs [I]; so is a Lambda service that cannot be
// reached.
func TestFunctionErrors(t *testing.T) {
	for _, c := range []struct {
		msg  string
		want *gateway.Error
	}{
		{"Unauthorized", gateway.ErrUnauthorized},
		{"boom", gateway.ErrInternal},
		{"Unauthorized: expired", gateway.ErrInternal},
	} {
		f := newFn(t, func(string, []byte) (any, string) { return nil, c.msg })
		res := authorize(t, compile(t, spec{simple: true, ttl: 60}, f, newClock()), withToken("GET", "/", "t"))
		wantRefusal(t, res, c.want, nil)
		if res.Err == nil || res.Identity != nil {
			t.Errorf("%q: %+v", c.msg, res)
		}
	}
	a, err := Compile(spec{simple: true}.authorizer(), Config{Invoker: &integration.Lambda{Endpoint: "", Client: &http.Client{}}, Stage: testStage})
	if err != nil {
		t.Fatal(err)
	}
	res := authorize(t, a, withToken("GET", "/", "t"))
	wantRefusal(t, res, gateway.ErrInternal, integration.ErrNoLambdaEndpoint)
}

// TestTimeout: a function that does not answer in time is 500.
func TestTimeout(t *testing.T) {
	release := make(chan struct{})
	f := newFn(t, func(string, []byte) (any, string) { <-release; return json.RawMessage(allow), "" })
	t.Cleanup(func() { close(release) }) // before the server's Close, which waits for the handler
	a := compile(t, spec{simple: true}, f, nil, func(c *Config) { c.Timeout = 20 * time.Millisecond })
	res := authorize(t, a, withToken("GET", "/", "t"))
	wantRefusal(t, res, gateway.ErrInternal, ErrFailed)
	if !errors.Is(res.Err, context.DeadlineExceeded) && !strings.Contains(res.Err.Error(), "no answer within") {
		t.Errorf("cause %v", res.Err)
	}
}

// TestCompile: what Compile takes and refuses.
func TestCompile(t *testing.T) {
	f := newFn(t, answer(allow))
	good := spec{simple: true, ttl: 3600, sources: []string{"$request.header.Authorization", "$request.querystring.q", "$context.routeKey", "$stageVariables.s"}}
	if _, err := Compile(good.authorizer(), Config{Invoker: f.lambda, Stage: testStage}); err != nil {
		t.Fatal(err)
	}
	for name, change := range map[string]func(s *spec){
		"TTL over 3600":           func(s *spec) { s.ttl = 3601 },
		"negative TTL":            func(s *spec) { s.ttl = -1 },
		"simple responses on 1.0": func(s *spec) { s.version = "1.0" },
		"unknown version":         func(s *spec) { s.version = "3.0" },
		"unknown identity source": func(s *spec) { s.sources = []string{"$request.body.token"} },
		"empty header name":       func(s *spec) { s.sources = []string{"$request.header."} },
		"WebSocket-style source":  func(s *spec) { s.sources = []string{"route.request.header.Auth"} },
	} {
		s := good
		change(&s)
		if _, err := Compile(s.authorizer(), Config{Invoker: f.lambda, Stage: testStage}); err == nil {
			t.Errorf("%s: compiled", name)
		}
	}
	jwt := good.authorizer()
	jwt.AuthorizerType = ptr("JWT")
	if _, err := Compile(jwt, Config{Invoker: f.lambda, Stage: testStage}); err == nil {
		t.Error("a JWT authorizer compiled")
	}
	if _, err := Compile(good.authorizer(), Config{Stage: testStage}); err == nil {
		t.Error("compiled without an Invoker")
	}
	// A TTL without identity sources (refused by the control plane) caches
	// nothing: there is no key.
	a := compile(t, spec{simple: true, ttl: 60, sources: []string{"-"}}, f, newClock())
	authorize(t, a, request("GET", "/", "", nil))
	authorize(t, a, request("GET", "/", "", nil))
	if f.calls() != 2 {
		t.Errorf("%d calls", f.calls())
	}
	if got := f.lastEvent(t)["identitySource"]; !reflect.DeepEqual(got, []any{}) {
		t.Errorf("identitySource without sources = %#v, want []", got)
	}
}

// TestRouteARN: the ARN's parts: partition, region, account, API, stage,
// method and the path routes are matched on.
func TestRouteARN(t *testing.T) {
	f := newFn(t, answer(allow))
	for _, c := range []struct {
		stage gateway.StageKey
		path  string
		want  string
	}{
		{testStage, "/pets/1", arnPrefix + "GET/pets/1"},
		{testStage, "/", arnPrefix + "GET/"},
		{testStage, "", arnPrefix + "GET/"},
		{testStage, "/a%20b", arnPrefix + "GET/a%20b"},
		{gateway.StageKey{Scope: testStage.Scope, APIID: "abcdef1234", Stage: "dev"}, "/pets", "arn:aws:execute-api:us-east-1:111122223333:abcdef1234/dev/GET/pets"},
		{gateway.StageKey{Scope: struct{ Account, Region string }{"111122223333", "cn-north-1"}, APIID: "x", Stage: "s"}, "/p", "arn:aws-cn:execute-api:cn-north-1:111122223333:x/s/GET/p"},
	} {
		a := compile(t, spec{simple: true}, f, nil, func(cfg *Config) { cfg.Stage = c.stage })
		r := withToken("GET", "/ignored/for/the/arn", "t")
		r.Path = c.path
		authorize(t, a, r)
		if got := f.lastEvent(t)["routeArn"]; got != c.want {
			t.Errorf("routeArn = %v, want %s", got, c.want)
		}
	}
}

// TestQueryValue: query identity sources read as the events read queries.
func TestQueryValue(t *testing.T) {
	for _, c := range []struct{ raw, key, want string }{
		{"a=1", "a", "1"},
		{"a=1&a=2&b=3", "a", "1,2"},
		{"x=1&a=&a=2", "a", ",2"},
		{"a%20b=c+d", "a b", "c d"},
		{"a=%ZZ", "a", "%ZZ"},
		{"a", "a", ""},
		{"&&a=1&&", "a", "1"},
		{"A=1", "a", ""},
		{"", "a", ""},
	} {
		if got := queryValue(c.raw, c.key); got != c.want {
			t.Errorf("queryValue(%q, %q) = %q, want %q", c.raw, c.key, got, c.want)
		}
	}
}

// TestConcurrent: many requests at once on a small cache (run with -race):
// every answer is right whatever the evictions.
func TestConcurrent(t *testing.T) {
	f := newFn(t, answer(policy("Allow", arnPrefix+"GET/*")))
	a := compile(t, spec{ttl: 60}, f, newClock(), func(c *Config) { c.MaxEntries = 3 })
	errs := make(chan error, 8)
	for g := range 8 {
		go func() {
			for i := range 40 {
				method := []string{"GET", "POST"}[i%2]
				res := a.Authorize(context.Background(), withToken(method, "/pets", fmt.Sprint("t", (g+i)%5)))
				if (method == "GET") != (res.Refusal == nil) {
					errs <- fmt.Errorf("%s: refusal %v (%v)", method, res.Refusal, res.Err)
					return
				}
			}
			errs <- nil
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if n := a.cache.len(); n > 3 {
		t.Fatalf("%d entries", n)
	}
}
