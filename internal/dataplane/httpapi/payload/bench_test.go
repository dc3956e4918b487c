package payload

import (
	"encoding/json"
	"strings"
	"testing"
)

// The engine keeps a buffer per request (or a pool of them) and appends the
// event to it, so the benchmarks reuse dst as it would.

func benchGET() *Request {
	r := gold("GET", "GET /pets/{id}", "/pets/42", "/pets/42")
	r.RawQuery = "limit=10&tag=a&tag=b"
	r.Header.Set("Cookie", "session=abc123; theme=dark")
	r.Header.Set("Accept-Encoding", "gzip, deflate, br")
	r.Header.Set("Accept-Language", "en-US,en;q=0.9")
	r.PathParameters = map[string]string{"id": "42"}
	return r
}

func benchPOST() *Request {
	var sb strings.Builder
	sb.WriteString(`{"items":[`)
	for i := 0; sb.Len() < 4000; i++ {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString(`{"id":12345,"name":"item \"quoted\"","tags":["a","b"],"price":19.99}`)
	}
	sb.WriteString(`]}`)
	return withBody(gold("POST", "POST /orders", "/orders", "/orders"), "application/json", []byte(sb.String()))
}

func benchEvent(b *testing.B, v Version, r *Request) {
	dst := v.AppendEvent(nil, r)
	b.SetBytes(int64(len(r.Body)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		dst = v.AppendEvent(dst[:0], r)
	}
}

func BenchmarkEventV2GET(b *testing.B)     { benchEvent(b, V2, benchGET()) }
func BenchmarkEventV2POST4KB(b *testing.B) { benchEvent(b, V2, benchPOST()) }
func BenchmarkEventV1GET(b *testing.B)     { benchEvent(b, V1, benchGET()) }
func BenchmarkEventV1POST4KB(b *testing.B) { benchEvent(b, V1, benchPOST()) }

// BenchmarkEventV2GETNoReuse is the cost when the caller does not keep a
// buffer.
func BenchmarkEventV2GETNoReuse(b *testing.B) {
	r := benchGET()
	b.ReportAllocs()
	for b.Loop() {
		AppendEventV2(nil, r)
	}
}

// BenchmarkEventV2GETEncodingJSON is the same event built with
// encoding/json and aws-lambda-go's struct, for comparison.
func BenchmarkEventV2GETEncodingJSON(b *testing.B) {
	var ev map[string]any
	json.Unmarshal(AppendEventV2(nil, benchGET()), &ev)
	b.ReportAllocs()
	for b.Loop() {
		json.Marshal(ev)
	}
}

func benchResult(b *testing.B, v Version, payload []byte) {
	b.SetBytes(int64(len(payload)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.ParseResult(payload); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseResultV2(b *testing.B) {
	body, _ := json.Marshal(string(benchPOST().Body))
	benchResult(b, V2, []byte(`{"statusCode":200,"headers":{"Content-Type":"application/json","X-Request-Id":"abc"},"cookies":["a=1; Path=/"],"body":`+string(body)+`}`))
}

func BenchmarkParseResultV2Inferred(b *testing.B) {
	benchResult(b, V2, benchPOST().Body)
}

func BenchmarkParseResultV1(b *testing.B) {
	body, _ := json.Marshal(string(benchPOST().Body))
	benchResult(b, V1, []byte(`{"statusCode":200,"headers":{"Content-Type":"application/json"},"multiValueHeaders":{"Set-Cookie":["a=1","b=2"]},"body":`+string(body)+`}`))
}
