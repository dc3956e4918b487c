package mapping

import (
	"net/http"
	"net/url"
	"testing"
)

// BenchmarkRequestApply: a 3-entry request mapping (a context value, a
// header into the query string, a remove), its Changes reused.
func BenchmarkRequestApply(b *testing.B) {
	m, err := CompileRequest(map[string]string{
		"append:header.x-request-id":    "$context.requestId",
		"overwrite:querystring.version": "$request.header.x-version",
		"remove:header.cookie":          "''",
	})
	if err != nil {
		b.Fatal(err)
	}
	ctx := map[string]string{"requestId": "Mc7UVioPPHcEKPA="}
	r := &Request{
		Header:  http.Header{"X-Version": {"2"}, "Cookie": {"a=b"}, "User-Agent": {"bench"}},
		Query:   url.Values{"q": {"1"}},
		Path:    "/pets/7",
		Context: func(n string) (string, bool) { v, ok := ctx[n]; return v, ok },
	}
	var c Changes
	b.ReportAllocs()
	for b.Loop() {
		c.Reset()
		m.Apply(r, &c)
	}
	if len(c.Header) != 2 || len(c.Query) != 1 {
		b.Fatalf("changes %+v", c)
	}
}

// BenchmarkRequestApplyBody: the same with a JSONPath into a 1 KB body.
func BenchmarkRequestApplyBody(b *testing.B) {
	m, err := CompileRequest(map[string]string{
		"append:header.x-request-id":    "$context.requestId",
		"overwrite:querystring.version": "$request.header.x-version",
		"append:header.x-user":          "$request.body.user.name",
	})
	if err != nil {
		b.Fatal(err)
	}
	body := []byte(`{"items":[` + repeat(`{"id":1,"name":"item","tags":["a","b"]},`, 20) + `{}],"user":{"name":"Ann"}}`)
	ctx := map[string]string{"requestId": "Mc7UVioPPHcEKPA="}
	r := &Request{Header: http.Header{"X-Version": {"2"}}, Body: body,
		Context: func(n string) (string, bool) { v, ok := ctx[n]; return v, ok }}
	var c Changes
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		c.Reset()
		m.Apply(r, &c)
	}
	if len(c.Header) != 2 || c.Header[1].Value != "Ann" {
		b.Fatalf("changes %+v", c)
	}
}

func repeat(s string, n int) string {
	out := ""
	for range n {
		out += s
	}
	return out
}
