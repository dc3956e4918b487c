package cors

import (
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
)

func intp(n int) *int { return &n }

// full is the configuration of LocalStack's AWS-validated CORS tests.
var full = Config{
	AllowOrigins:     []string{"http://localhost:4000"},
	AllowMethods:     []string{"POST", "GET"},
	AllowHeaders:     []string{"testHeader"},
	AllowCredentials: true,
	ExposeHeaders:    []string{"exposedHeader"},
	MaxAge:           intp(10),
}

func preflight(origin, method string, headers ...string) *http.Request {
	r := httptest.NewRequest(http.MethodOptions, "/cors", nil)
	if origin != "" {
		r.Header.Set("Origin", origin)
	}
	if method != "" {
		r.Header.Set("Access-Control-Request-Method", method)
	}
	for _, h := range headers {
		r.Header.Add("Access-Control-Request-Headers", h)
	}
	return r
}

func TestPreflight(t *testing.T) {
	vary := http.Header{"Vary": {"Origin"}}
	for _, tc := range []struct {
		name string
		cfg  Config
		r    *http.Request
		ok   bool
		want http.Header
	}{
		{"full match", full, preflight("http://localhost:4000", "GET", "testheader"), true, http.Header{
			"Access-Control-Allow-Origin":      {"http://localhost:4000"},
			"Access-Control-Allow-Credentials": {"true"},
			"Access-Control-Allow-Methods":     {"POST,GET"},
			"Access-Control-Allow-Headers":     {"testHeader"},
			"Access-Control-Max-Age":           {"10"},
			"Vary":                             {"Origin"},
		}},
		{"origin not allowed", full, preflight("http://localhost:3000", "GET"), true, vary},
		{"method not allowed", full, preflight("http://localhost:4000", "DELETE"), true, vary},
		{"method compared without case", full, preflight("http://localhost:4000", "get"), true, http.Header{
			"Access-Control-Allow-Origin":      {"http://localhost:4000"},
			"Access-Control-Allow-Credentials": {"true"},
			"Access-Control-Allow-Methods":     {"POST,GET"},
			"Access-Control-Allow-Headers":     {"testHeader"},
			"Access-Control-Max-Age":           {"10"},
			"Vary":                             {"Origin"},
		}},
		{"a header not allowed", full, preflight("http://localhost:4000", "GET", "testHeader, other"), true, vary},
		{"origin only: nothing matches", Config{AllowOrigins: []string{"http://localhost:4000"}},
			preflight("http://localhost:4000", "GET"), true, vary},
		// AWS sends access-control-allow-headers empty here (LocalStack's
		// AWS snapshot).
		{"methods *, no headers configured or asked", Config{AllowOrigins: []string{"http://localhost:4000"}, AllowMethods: []string{"*"}},
			preflight("http://localhost:4000", "GET"), true, http.Header{
				"Access-Control-Allow-Origin":  {"http://localhost:4000"},
				"Access-Control-Allow-Methods": {"GET"},
				"Access-Control-Allow-Headers": {""},
				"Vary":                         {"Origin"},
			}},
		{"methods *, headers asked but none allowed", Config{AllowOrigins: []string{"http://localhost:4000"}, AllowMethods: []string{"*"}},
			preflight("http://localhost:4000", "GET", "test,test2"), true, vary},
		{"methods and headers *: the asked ones echoed", Config{AllowOrigins: []string{"http://localhost:4000"}, AllowMethods: []string{"*"}, AllowHeaders: []string{"*"}},
			preflight("http://localhost:4000", "PATCH", "test, test2", "x-three"), true, http.Header{
				"Access-Control-Allow-Origin":  {"http://localhost:4000"},
				"Access-Control-Allow-Methods": {"PATCH"},
				"Access-Control-Allow-Headers": {"test,test2,x-three"},
				"Vary":                         {"Origin"},
			}},
		{"http://* allows http", Config{AllowOrigins: []string{"http://*"}, AllowMethods: []string{"*"}},
			preflight("http://localhost:4000", "GET"), true, http.Header{
				"Access-Control-Allow-Origin":  {"http://localhost:4000"},
				"Access-Control-Allow-Methods": {"GET"},
				"Access-Control-Allow-Headers": {""},
				"Vary":                         {"Origin"},
			}},
		{"https://* refuses http", Config{AllowOrigins: []string{"https://*"}, AllowMethods: []string{"*"}},
			preflight("http://localhost:4000", "GET"), true, vary},
		{"* allows any, answers *", Config{AllowOrigins: []string{"*"}, AllowMethods: []string{"GET"}},
			preflight("http://localhost:4000", "GET"), true, http.Header{
				"Access-Control-Allow-Origin":  {"*"},
				"Access-Control-Allow-Methods": {"GET"},
				"Access-Control-Allow-Headers": {""},
			}},
		{"origin case", Config{AllowOrigins: []string{"http://MyORIGIN.com"}, AllowMethods: []string{"*"}},
			preflight("http://myorigin.com", "GET"), true, http.Header{
				"Access-Control-Allow-Origin":  {"http://myorigin.com"},
				"Access-Control-Allow-Methods": {"GET"},
				"Access-Control-Allow-Headers": {""},
				"Vary":                         {"Origin"},
			}},
		{"max age 0 is sent", Config{AllowOrigins: []string{"*"}, AllowMethods: []string{"GET"}, MaxAge: intp(0)},
			preflight("https://a.example", "GET"), true, http.Header{
				"Access-Control-Allow-Origin":  {"*"},
				"Access-Control-Allow-Methods": {"GET"},
				"Access-Control-Allow-Headers": {""},
				"Access-Control-Max-Age":       {"0"},
			}},
		{"no Access-Control-Request-Method: not a preflight", full, preflight("http://localhost:4000", ""), false, nil},
		{"no Origin: not a preflight", full, preflight("", "GET"), false, nil},
		{"not OPTIONS: not a preflight", full, func() *http.Request {
			r := preflight("http://localhost:4000", "GET")
			r.Method = http.MethodGet
			return r
		}(), false, nil},
	} {
		p, err := New(tc.cfg)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		h, ok := p.Preflight(tc.r)
		if ok != tc.ok || !reflect.DeepEqual(h, tc.want) {
			t.Errorf("%s: %v %v\nwant %v %v", tc.name, ok, h, tc.ok, tc.want)
		}
	}
}

func TestApply(t *testing.T) {
	backend := func() http.Header {
		// What LocalStack's CORS integration returns: its own CORS headers.
		return http.Header{
			"Access-Control-Allow-Origin":      {"https://localhost:3000"},
			"Access-Control-Allow-Credentials": {"true"},
			"Access-Control-Expose-Headers":    {"X-My-Custom-Header, X-Another-Custom-Header"},
			"access-control-max-age":           {"5"}, // not canonical: set by hand
			"Content-Type":                     {"application/json"},
		}
	}
	for _, tc := range []struct {
		name   string
		cfg    Config
		origin string
		h      http.Header
		want   http.Header
	}{
		{"allowed origin", full, "http://localhost:4000", backend(), http.Header{
			"Access-Control-Allow-Origin":      {"http://localhost:4000"},
			"Access-Control-Allow-Credentials": {"true"},
			"Access-Control-Expose-Headers":    {"exposedHeader"},
			"Content-Type":                     {"application/json"},
			"Vary":                             {"Origin"},
		}},
		{"origin not allowed: the backend's are removed still", full, "http://localhost:3000", backend(), http.Header{
			"Content-Type": {"application/json"},
			"Vary":         {"Origin"},
		}},
		{"no origin", full, "", backend(), http.Header{
			"Content-Type": {"application/json"},
			"Vary":         {"Origin"},
		}},
		{"* without credentials or expose", Config{AllowOrigins: []string{"*"}}, "https://x.example", backend(), http.Header{
			"Access-Control-Allow-Origin": {"*"},
			"Content-Type":                {"application/json"},
		}},
		{"the backend's Vary is kept", full, "http://localhost:4000", http.Header{"Vary": {"Accept-Encoding"}}, http.Header{
			"Access-Control-Allow-Origin":      {"http://localhost:4000"},
			"Access-Control-Allow-Credentials": {"true"},
			"Access-Control-Expose-Headers":    {"exposedHeader"},
			"Vary":                             {"Accept-Encoding", "Origin"},
		}},
		{"... and not repeated", full, "http://localhost:3000", http.Header{"Vary": {"accept-encoding, origin"}}, http.Header{
			"Vary": {"accept-encoding, origin"},
		}},
	} {
		p, err := New(tc.cfg)
		if err != nil {
			t.Fatal(err)
		}
		p.Apply(tc.origin, tc.h)
		if !reflect.DeepEqual(tc.h, tc.want) {
			t.Errorf("%s:\n got %v\nwant %v", tc.name, tc.h, tc.want)
		}
	}
}

// The values Apply shares between responses are not changed by a caller
// that adds to them.
func TestSharedValues(t *testing.T) {
	p, err := New(full)
	if err != nil {
		t.Fatal(err)
	}
	h := http.Header{}
	p.Apply("http://localhost:4000", h)
	h.Add("Access-Control-Expose-Headers", "more")
	h.Add("Vary", "Accept")
	h2 := http.Header{}
	p.Apply("http://localhost:4000", h2)
	if got := h2.Values("Access-Control-Expose-Headers"); !reflect.DeepEqual(got, []string{"exposedHeader"}) {
		t.Errorf("expose headers %q", got)
	}
	if got := h2.Values("Vary"); !reflect.DeepEqual(got, []string{"Origin"}) {
		t.Errorf("vary %q", got)
	}
}

func TestNewRefuses(t *testing.T) {
	for _, tc := range []struct {
		cfg  Config
		want string
	}{
		{Config{AllowOrigins: []string{"*"}, AllowCredentials: true}, "allow-credentials is not supported if 'allow-origin' is *"},
		{Config{AllowOrigins: []string{"https://*.example.com"}}, `invalid allowOrigins entry "https://*.example.com"`},
		{Config{AllowOrigins: []string{""}}, `invalid allowOrigins entry ""`},
		{Config{AllowOrigins: []string{"https://a.example\n"}}, `invalid allowOrigins entry`},
		{Config{AllowMethods: []string{"BAD"}}, `invalid allowMethods entry "BAD"`},
		{Config{AllowHeaders: []string{"a b"}}, `invalid allowHeaders entry "a b"`},
		{Config{ExposeHeaders: []string{""}}, `invalid exposeHeaders entry ""`},
		{Config{MaxAge: intp(86401)}, "invalid maxAge 86401: -1 to 86400"},
		{Config{MaxAge: intp(-2)}, "invalid maxAge -2: -1 to 86400"},
	} {
		_, err := New(tc.cfg)
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%+v: %v, want %s", tc.cfg, err, tc.want)
		}
	}
	// What Terraform's and LocalStack's AWS runs save is accepted.
	for _, cfg := range []Config{
		{AllowOrigins: []string{"HTTP://WWW.EXAMPLE.ORG", "https://www.example.com"}, AllowMethods: []string{"put", "*"},
			AllowHeaders: []string{"Authorization", "*"}, ExposeHeaders: []string{"X-Api-Id", "*"}, MaxAge: intp(-1), AllowCredentials: true},
		{AllowOrigins: []string{"http://*", "https://*"}},
		{},
	} {
		if _, err := New(cfg); err != nil {
			t.Errorf("%+v: %v", cfg, err)
		}
	}
}
