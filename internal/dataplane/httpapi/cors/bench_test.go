package cors

import (
	"net/http"
	"testing"
)

func benchPolicy(b *testing.B) *Policy {
	p, err := New(Config{
		AllowOrigins:     []string{"https://app.example.com", "https://admin.example.com", "http://localhost:3000"},
		AllowMethods:     []string{"GET", "POST", "PUT", "DELETE"},
		AllowHeaders:     []string{"content-type", "authorization", "x-request-id"},
		ExposeHeaders:    []string{"x-request-id"},
		MaxAge:           intp(300),
		AllowCredentials: true,
	})
	if err != nil {
		b.Fatal(err)
	}
	return p
}

// BenchmarkApply: an integration response to an allowed origin, with one
// backend CORS header to remove; the header map is reused.
func BenchmarkApply(b *testing.B) {
	p := benchPolicy(b)
	h := http.Header{"Content-Type": {"application/json"}, "Content-Length": {"42"}}
	b.ReportAllocs()
	for b.Loop() {
		h["Access-Control-Allow-Origin"] = nil
		p.Apply("http://localhost:3000", h)
	}
	if h.Get("Access-Control-Allow-Origin") != "http://localhost:3000" {
		b.Fatal(h)
	}
}

// BenchmarkPreflight: a matching preflight, answered in a new header map.
func BenchmarkPreflight(b *testing.B) {
	p := benchPolicy(b)
	r := &http.Request{Method: http.MethodOptions, Header: http.Header{
		"Origin":                         {"http://localhost:3000"},
		"Access-Control-Request-Method":  {"PUT"},
		"Access-Control-Request-Headers": {"content-type,authorization"},
	}}
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := p.Preflight(r); !ok {
			b.Fatal("not a preflight")
		}
	}
}

// BenchmarkWritePreflight: the same written into a reused header map.
func BenchmarkWritePreflight(b *testing.B) {
	p := benchPolicy(b)
	r := &http.Request{Method: http.MethodOptions, Header: http.Header{
		"Origin":                         {"http://localhost:3000"},
		"Access-Control-Request-Method":  {"PUT"},
		"Access-Control-Request-Headers": {"content-type,authorization"},
	}}
	h := make(http.Header, 8)
	b.ReportAllocs()
	for b.Loop() {
		if !p.WritePreflight(h, r) {
			b.Fatal("no match")
		}
	}
}
