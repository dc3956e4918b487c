package cors

import (
	"net/http"
	"strings"
	"testing"
)

func list(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "|")
}

// FuzzCORS: any configuration compiles or is refused with a message; what
// compiles answers any request without a panic, allows only the origins a
// plain reading of the rules allows, never pairs credentials with "*", and
// leaves no backend Access-Control-* header behind.
func FuzzCORS(f *testing.F) {
	f.Add("http://localhost:4000", "POST|GET", "testHeader", "exposedHeader", true, 10, "http://localhost:4000", "GET", "testheader")
	f.Add("*", "*", "*", "", false, -1, "null", "PATCH", "a, b,,c")
	f.Add("https://*|http://a.example", "get", "", "", true, 0, "HTTPS://X", "OPTIONS", "")
	f.Add("https://*.example.com", "GET", "", "", false, 0, "https://a.example.com", "GET", "")
	f.Add("*", "BAD", "a b", "", true, 100000, "", "", "")
	f.Fuzz(func(t *testing.T, origins, methods, headers, expose string, creds bool, maxAge int,
		reqOrigin, reqMethod, reqHeaders string) {
		cfg := Config{AllowOrigins: list(origins), AllowMethods: list(methods), AllowHeaders: list(headers),
			ExposeHeaders: list(expose), AllowCredentials: creds}
		if maxAge != 0 {
			cfg.MaxAge = &maxAge
		}
		p, err := New(cfg)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("a refusal without a message")
			}
			return
		}
		r := &http.Request{Method: http.MethodOptions, Header: http.Header{
			"Origin": {reqOrigin}, "Access-Control-Request-Method": {reqMethod}, "Access-Control-Request-Headers": {reqHeaders}}}
		allowed := reference(cfg, reqOrigin)
		h, ok := p.Preflight(r)
		if ok != (reqOrigin != "" && reqMethod != "") {
			t.Fatalf("preflight %v", ok)
		}
		if got := h.Get("Access-Control-Allow-Origin"); got != "" {
			if !allowed {
				t.Fatalf("preflight allowed origin %q", reqOrigin)
			}
			if creds && got == "*" {
				t.Fatal("credentials with *")
			}
		}
		resp := http.Header{"Access-Control-Allow-Origin": {"https://backend"}, "ACCESS-CONTROL-X": {"1"}, "X": {"y"}}
		p.Apply(reqOrigin, resp)
		for k := range resp {
			switch k {
			case "Access-Control-Allow-Origin", "Access-Control-Allow-Credentials", "Access-Control-Expose-Headers":
				if !allowed {
					t.Fatalf("%s on a response to %q", k, reqOrigin)
				}
			case "X", "Vary":
			default:
				t.Fatalf("header %s left", k)
			}
		}
		if allowed && resp.Get("Access-Control-Allow-Origin") == "" {
			t.Fatalf("origin %q allowed but not answered", reqOrigin)
		}
	})
}

// reference: is origin allowed, read straight from the rules.
func reference(cfg Config, origin string) bool {
	if origin == "" {
		return false
	}
	o := strings.ToLower(origin)
	for _, a := range cfg.AllowOrigins {
		a = strings.ToLower(a)
		switch {
		case a == "*", a == o:
			return true
		case (a == "http://*" || a == "https://*") && strings.HasPrefix(o, a[:len(a)-1]) && len(o) > len(a)-1:
			return true
		}
	}
	return false
}
