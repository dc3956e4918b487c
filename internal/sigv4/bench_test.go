package sigv4_test

import (
	"bytes"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/portico-dev/portico/internal/sigv4"
)

// BenchmarkVerifyStrict: a header-signed POST with a query, a session
// token and a 1 KB body, verified against its secret.
func BenchmarkVerifyStrict(b *testing.B) {
	v := strictVerifier(b)
	body := bytes.Repeat([]byte("x"), 1024)
	r := httptest.NewRequest("POST", "http://abc123.execute-api.us-east-1.amazonaws.com/dev/pets/a%20b?q=x%2Fy&limit=10", bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	sign(b, r, bob, body, sigv4.Service, region, time.Now())
	r.RequestURI = r.URL.RequestURI() // as a server has it
	if _, err := v.Verify(r, region, body); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Verify(r, region, body); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyDefault: the same request, form and scope only.
func BenchmarkVerifyDefault(b *testing.B) {
	v := sigv4.New(sigv4.Config{})
	r := httptest.NewRequest("GET", "http://abc123.execute-api.us-east-1.amazonaws.com/dev/pets?q=1", nil)
	sign(b, r, bob, nil, sigv4.Service, region, time.Now())
	r.RequestURI = r.URL.RequestURI()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Verify(r, region, nil); err != nil {
			b.Fatal(err)
		}
	}
}
