package payload

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/textproto"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
)

// FuzzParseResult feeds both parsers arbitrary payloads. Whatever comes in,
// the answer is a clean ErrInvalidResult or a response that can be written
// as it is: a status between 100 and 599, a Content-Type, and only headers
// net/http can send.
func FuzzParseResult(f *testing.F) {
	for _, s := range []string{
		`{"statusCode":200,"headers":{"Content-Type":"text/html"},"body":"<p>x</p>"}`,
		`{"statusCode":"201","cookies":["a=1","b=2"],"body":"aGk=","isBase64Encoded":true}`,
		`{"statusCode":200,"multiValueHeaders":{"X":["1","2"]},"headers":{"X":"2"}}`,
		`{"message":"no statusCode"}`, `"a string"`, `42`, `[1,2]`, `null`, `true`,
		`{"statusCode":200,"body":{"nested":[[[]]]}}`, `{"statusCode":1e400}`,
		`{"status\u0043ode":204}`, ``, `{`, `{"statusCode":200,"headers":{"X Y":"1"}}`,
	} {
		f.Add(uint8(1), []byte(s))
		f.Add(uint8(2), []byte(s))
	}
	f.Fuzz(func(t *testing.T, version uint8, payload []byte) {
		v := V2
		if version%2 == 1 {
			v = V1
		}
		resp, err := v.ParseResult(payload)
		if err != nil {
			if !errors.Is(err, ErrInvalidResult) {
				t.Fatalf("error %v does not wrap ErrInvalidResult", err)
			}
			return
		}
		if !json.Valid(bytes.TrimSpace(payload)) {
			t.Fatalf("accepted invalid JSON %q", payload)
		}
		if resp.StatusCode < 100 || resp.StatusCode > 599 {
			t.Fatalf("status %d", resp.StatusCode)
		}
		if len(resp.Header["Content-Type"]) == 0 {
			t.Fatal("no Content-Type")
		}
		for name, vals := range resp.Header {
			if !validHeaderName(name) || name != textproto.CanonicalMIMEHeaderKey(name) {
				t.Fatalf("header name %q", name)
			}
			for _, val := range vals {
				if !validHeaderValue(val) {
					t.Fatalf("header %s value %q", name, val)
				}
			}
		}
		// A 2.0 answer without statusCode is the JSON itself.
		if p := bytes.TrimSpace(payload); v == V2 && p[0] != '{' && p[0] != '"' && !bytes.Equal(resp.Body, p) {
			t.Fatalf("body %q, want %q", resp.Body, p)
		}
	})
}

// FuzzEvent builds events from arbitrary requests: every event is valid
// JSON, decodes with aws-lambda-go's types, and gives back what the
// request held.
func FuzzEvent(f *testing.F) {
	f.Add("GET", "/pets/a%20b", "a=1&a=2&b=%zz", "Accept: */*\nCookie: a=1; b=2\nX-Multi: 1\nX-Multi: 2", "", []byte(nil))
	f.Add("POST", "/dev/x", "", "Content-Type: application/json", "application/json", []byte(`{"a":"\u2028<&>"}`))
	f.Add("PUT", "/", "q=%E2%82%AC+x", "User-Agent: \x01\xff", "image/png", []byte{0, 0xff, '"', '\\'})
	f.Add("POST", "/\"quoted\"", "k=\"v\"&&=x&flag", "x-lower: v\nX-Lower: w", "text/plain; charset=latin1", []byte("caf\xe9"))
	f.Fuzz(func(t *testing.T, method, path, rawQuery, headerText, contentType string, body []byte) {
		r := baseRequest()
		r.Method, r.RawPath, r.Path, r.RawQuery, r.Body = method, path, path, rawQuery, body
		r.Header = http.Header{}
		for _, line := range strings.Split(headerText, "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && k != "" {
				r.Header[k] = append(r.Header[k], strings.TrimSpace(v)) // not canonicalised on purpose
			}
		}
		if contentType != "" {
			r.Header.Set("Content-Type", contentType)
		}
		r.PathParameters = map[string]string{"p": path}
		r.StageVariables = map[string]string{rawQuery: method}

		b2 := AppendEventV2(nil, r)
		var ev2 events.APIGatewayV2HTTPRequest
		if err := decodeStrict(b2, &ev2); err != nil {
			t.Fatalf("2.0 event does not decode: %v\n%s", err, b2)
		}
		if utf8.ValidString(rawQuery) && ev2.RawQueryString != rawQuery {
			t.Fatalf("rawQueryString %q, want %q", ev2.RawQueryString, rawQuery)
		}
		if utf8.ValidString(method) && ev2.RequestContext.HTTP.Method != method {
			t.Fatalf("method %q, want %q", ev2.RequestContext.HTTP.Method, method)
		}
		got2 := requestBody(t, ev2.Body, ev2.IsBase64Encoded)
		if ev2.IsBase64Encoded || utf8.Valid(body) {
			if !bytes.Equal(got2, body) && !(len(body) == 0 && len(got2) == 0) {
				t.Fatalf("2.0 body %q, want %q", got2, body)
			}
		}
		for name := range r.Header {
			if !strings.EqualFold(name, "Cookie") && utf8.ValidString(name) {
				if _, ok := ev2.Headers[strings.ToLower(name)]; !ok {
					t.Fatalf("header %q missing from %v", name, ev2.Headers)
				}
			}
		}

		b1 := AppendEventV1(nil, r)
		var ev1 events.APIGatewayProxyRequest
		if err := json.Unmarshal(b1, &ev1); err != nil {
			t.Fatalf("1.0 event does not decode: %v\n%s", err, b1)
		}
		got1 := requestBody(t, ev1.Body, ev1.IsBase64Encoded)
		if (ev1.IsBase64Encoded || utf8.Valid(body)) && !bytes.Equal(got1, body) && !(len(body) == 0 && len(got1) == 0) {
			t.Fatalf("1.0 body %q, want %q", got1, body)
		}
		if ev1.IsBase64Encoded != ev2.IsBase64Encoded {
			t.Fatal("the versions disagree on isBase64Encoded")
		}
	})
}

// FuzzUnquote checks the hand-written JSON string decoder against
// encoding/json on every valid JSON string of valid UTF-8.
func FuzzUnquote(f *testing.F) {
	for _, s := range []string{`""`, `"plain"`, `"a\"b\\c\/d"`, `"\b\f\n\r\t"`, `"\u00e9\u00C9"`,
		`"\ud83d\ude00"`, `"\ud800"`, `"\ud800\u0041"`, `"\udc00\ud800x"`, `"\ud83d\ud83d\ude00"`, `"é€😀"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		// The decoder is handed exactly one string token, as the walker
		// finds it.
		raw = bytes.TrimSpace(raw)
		if len(raw) < 2 || raw[0] != '"' || !json.Valid(raw) || !utf8.Valid(raw) {
			return
		}
		var want string
		if err := json.Unmarshal(raw, &want); err != nil {
			t.Fatal(err)
		}
		if got := appendUnquoted(nil, raw); string(got) != want {
			t.Fatalf("appendUnquoted(%s) = %q, want %q", raw, got, want)
		}
		if got := unquote(raw); got != want {
			t.Fatalf("unquote(%s) = %q, want %q", raw, got, want)
		}
	})
}
