package httpapi

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/portico-dev/portico/internal/apigw"
	"github.com/portico-dev/portico/internal/dataplane/gateway"
)

// FuzzServe sends random requests to a compiled stage whose routes all
// reach a backend that answers 200: whatever the method, path, headers and
// body, the engine answers without panicking, and only with the backend's
// answer, its own 4xx, or a CORS preflight's 204: never a 5xx of its own.
func FuzzServe(f *testing.F) {
	be := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Write([]byte("ok"))
	}))
	defer be.Close()
	str := func(s string) *string { return &s }
	in := apigw.SnapshotIntegration{Integration: apigw.Integration{IntegrationId: str("i1"), IntegrationType: str("HTTP_PROXY"),
		IntegrationMethod: str("ANY"), IntegrationUri: str(be.URL + "/{proxy}"), PayloadFormatVersion: str("1.0"),
		RequestParameters:  map[string]string{"append:header.x-q": "$request.querystring.q", "overwrite:querystring.p": "$request.path.proxy"},
		ResponseParameters: map[string]map[string]string{"200": {"append:header.x-r": "$context.requestId"}}}}
	snap := &apigw.Snapshot{
		Api:          apigw.Api{ProtocolType: str("HTTP"), CorsConfiguration: &apigw.Cors{AllowOrigins: []string{"*"}, AllowMethods: []string{"*"}}},
		Integrations: []apigw.SnapshotIntegration{in},
		Routes: []apigw.SnapshotRoute{
			{Route: apigw.Route{RouteId: str("r1"), RouteKey: str("ANY /{proxy+}"), Target: str("integrations/i1")}},
			{Route: apigw.Route{RouteId: str("r2"), RouteKey: str("GET /pets/{proxy}"), Target: str("integrations/i1")}},
		},
	}
	e := New(Config{})
	st, err := e.Compile(gateway.StageKey{APIID: "api", Stage: "$default"}, &apigw.Stage{StageName: str("$default")}, snap)
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range []struct{ method, path, header, body string }{
		{"GET", "/pets/1", "", ""}, {"POST", "/a/b/c?q=1", "Content-Type: application/json", `{"a":1}`},
		{"OPTIONS", "/x", "Origin: https://a.example", ""}, {"GET", "/%zz", "", ""}, {"GET", "//", "", ""},
		{"DELETE", "/a%2Fb/../c", "X: " + strings.Repeat("y", 11000), ""}, {"get", "", "", ""},
	} {
		f.Add(seed.method, seed.path, seed.header, seed.body)
	}
	f.Fuzz(func(t *testing.T, method, path, header, body string) {
		if !token(method) || len(method) > 16 {
			return // net/http's server refuses such a method itself
		}
		r := httptest.NewRequest("GET", "http://api.execute-api.localhost/", strings.NewReader(body))
		r.Method = method
		// net/http's server refuses control characters in headers before
		// any handler sees them: the harness does the same.
		if name, value, ok := strings.Cut(header, ":"); ok && token(strings.TrimSpace(name)) && printable(header) {
			r.Header.Set(strings.TrimSpace(name), strings.TrimSpace(value))
		}
		if strings.Contains(header, "Origin") {
			r.Header.Set("Access-Control-Request-Method", "GET")
		}
		w := httptest.NewRecorder()
		e.Serve(w, r, st, Request{RawPath: path, MatchPath: path, Stage: "$default"})
		switch w.Code {
		case 200, 204, 400, 404, 413, 431:
		default:
			t.Errorf("%s %q: %d %s", method, path, w.Code, w.Body.String())
		}
		if w.Code >= 400 && !strings.HasPrefix(w.Body.String(), `{"message":"`) {
			t.Errorf("%s %q: %d without a message body: %q", method, path, w.Code, w.Body.String())
		}
	})
}

func printable(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}

// token: RFC 9110's tchar+.
func token(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0) {
			return false
		}
	}
	return true
}
