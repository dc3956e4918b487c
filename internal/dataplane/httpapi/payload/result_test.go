package payload

import (
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

type resultCase struct {
	name    string
	payload string
	status  int
	header  http.Header
	body    string
	err     string // a part of the error; "" for none
}

func checkResults(t *testing.T, v Version, tests []resultCase) {
	t.Helper()
	for _, tt := range tests {
		resp, err := v.ParseResult([]byte(tt.payload))
		if tt.err != "" {
			if err == nil || !errors.Is(err, ErrInvalidResult) || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%v %s: err = %v, want one saying %q", v, tt.name, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%v %s: %v", v, tt.name, err)
			continue
		}
		if resp.StatusCode != tt.status || string(resp.Body) != tt.body || !reflect.DeepEqual(resp.Header, tt.header) {
			t.Errorf("%v %s:\n got %d %v %q\nwant %d %v %q", v, tt.name,
				resp.StatusCode, resp.Header, resp.Body, tt.status, tt.header, tt.body)
		}
	}
}

func ct(v string, more ...string) http.Header {
	h := http.Header{"Content-Type": {v}}
	for i := 0; i+1 < len(more); i += 2 {
		h.Add(more[i], more[i+1])
	}
	return h
}

func TestParseResultV2(t *testing.T) {
	json := "application/json"
	checkResults(t, V2, []resultCase{
		// Inferred answers [V doc table].
		{"object without statusCode", `{ "message": "Hello from Lambda!" }`, 200, ct(json), `{ "message": "Hello from Lambda!" }`, ""},
		{"string", `"Hello from Lambda!"`, 200, ct(json), "Hello from Lambda!", ""},
		{"escaped string", `"a\"b\u00e9\n"`, 200, ct(json), "a\"bé\n", ""},
		{"number", ` 42 `, 200, ct(json), "42", ""},
		{"array", `[1,{"statusCode":500}]`, 200, ct(json), `[1,{"statusCode":500}]`, ""},
		{"null", `null`, 200, ct(json), "null", ""},
		{"true", `true`, 200, ct(json), "true", ""},
		{"statusCode in another case", `{"StatusCode":404}`, 200, ct(json), `{"StatusCode":404}`, ""},
		{"statusCode nested", `{"x":{"statusCode":404}}`, 200, ct(json), `{"x":{"statusCode":404}}`, ""},

		// Structured answers.
		{"minimal", `{"statusCode":201}`, 201, ct("text/plain"), "", ""},
		{"full", `{"statusCode":200,"headers":{"content-type":"text/html","X-A":"1"},"body":"<p>hi</p>","isBase64Encoded":false}`,
			200, ct("text/html", "X-A", "1"), "<p>hi</p>", ""},
		{"base64", `{"statusCode":200,"headers":{"Content-Type":"image/png"},"body":"iVBORw0=","isBase64Encoded":true}`,
			200, ct("image/png"), "\x89PNG\r", ""},
		{"base64 without padding", `{"statusCode":200,"body":"aGk","isBase64Encoded":true}`, 200, ct("text/plain"), "hi", ""},
		{"cookies", `{"statusCode":200,"cookies":["a=1; Path=/","b=2"],"headers":{"Set-Cookie":"c=3"}}`,
			200, ct("text/plain", "Set-Cookie", "c=3", "Set-Cookie", "a=1; Path=/", "Set-Cookie", "b=2"), "", ""},
		// multiValueHeaders is not part of 2.0 [R powertools #2464].
		{"multiValueHeaders ignored", `{"statusCode":200,"multiValueHeaders":{"Content-Type":["application/json"]},"body":"{}"}`,
			200, ct("text/plain"), "{}", ""},
		{"malformed multiValueHeaders ignored", `{"statusCode":200,"multiValueHeaders":7}`, 200, ct("text/plain"), "", ""},
		// Jackson-style coercions [I].
		{"string status", `{"statusCode":"404"}`, 404, ct("text/plain"), "", ""},
		{"float status", `{"statusCode":404.0}`, 404, ct("text/plain"), "", ""},
		{"number header", `{"statusCode":200,"headers":{"X-Count":5,"X-Ok":true,"X-None":null}}`,
			200, ct("text/plain", "X-Count", "5", "X-Ok", "true"), "", ""},
		{"number body", `{"statusCode":200,"body":12.5}`, 200, ct("text/plain"), "12.5", ""},
		{"null members", `{"statusCode":204,"headers":null,"body":null,"cookies":null,"isBase64Encoded":null}`, 204, ct("text/plain"), "", ""},
		{"string boolean", `{"statusCode":200,"body":"aGk=","isBase64Encoded":"true"}`, 200, ct("text/plain"), "hi", ""},
		{"last duplicate wins", `{"statusCode":500,"statusCode":200}`, 200, ct("text/plain"), "", ""},
		{"unknown members", `{"statusCode":200,"extra":{"deep":[[[]]]}}`, 200, ct("text/plain"), "", ""},
		{"escaped member name", `{"status\u0043ode":202}`, 202, ct("text/plain"), "", ""},
		{"empty content type kept", `{"statusCode":200,"headers":{"Content-Type":""}}`, 200, ct(""), "", ""},

		// Errors: the engine answers 500.
		{"empty", ``, 0, nil, "", "not valid JSON"},
		{"blank", " \n", 0, nil, "", "not valid JSON"},
		{"invalid JSON", `{"statusCode":200`, 0, nil, "", "not valid JSON"},
		{"bare text", `Hello`, 0, nil, "", "not valid JSON"},
		{"two values", `{} {}`, 0, nil, "", "not valid JSON"},
		{"status text", `{"statusCode":"OK"}`, 0, nil, "", "statusCode"},
		{"status null", `{"statusCode":null}`, 0, nil, "", "statusCode"},
		{"status too small", `{"statusCode":99}`, 0, nil, "", "statusCode"},
		{"status too big", `{"statusCode":600}`, 0, nil, "", "statusCode"},
		{"status fraction", `{"statusCode":200.5}`, 0, nil, "", "statusCode"},
		{"status huge", `{"statusCode":1e400}`, 0, nil, "", "statusCode"},
		{"body object", `{"statusCode":200,"body":{"a":1}}`, 0, nil, "", "body must be a string"},
		{"headers array", `{"statusCode":200,"headers":["a"]}`, 0, nil, "", "headers must be an object"},
		{"header object", `{"statusCode":200,"headers":{"X":{}}}`, 0, nil, "", `header "X" must be a string`},
		{"header name", `{"statusCode":200,"headers":{"X Y":"1"}}`, 0, nil, "", "not a valid header name"},
		{"empty header name", `{"statusCode":200,"headers":{"":"1"}}`, 0, nil, "", "not a valid header name"},
		{"header injection", `{"statusCode":200,"headers":{"X":"1\r\nSet-Cookie: a=1"}}`, 0, nil, "", "control character"},
		{"cookies string", `{"statusCode":200,"cookies":"a=1"}`, 0, nil, "", "cookies must be an array"},
		{"cookie object", `{"statusCode":200,"cookies":[{}]}`, 0, nil, "", "cookies must be an array"},
		{"cookie injection", `{"statusCode":200,"cookies":["a=1\nb"]}`, 0, nil, "", "not a valid header value"},
		{"bad base64", `{"statusCode":200,"body":"!!","isBase64Encoded":true}`, 0, nil, "", "not base64"},
		{"bad boolean", `{"statusCode":200,"isBase64Encoded":1}`, 0, nil, "", "isBase64Encoded"},
	})
}

func TestParseResultV1(t *testing.T) {
	checkResults(t, V1, []resultCase{
		{"minimal", `{"statusCode":200}`, 200, ct("text/plain"), "", ""},
		{"full", `{"isBase64Encoded":false,"statusCode":404,"headers":{"Content-Type":"application/json"},"body":"{\"m\":1}"}`,
			404, ct("application/json"), `{"m":1}`, ""},
		// headers and multiValueHeaders merge; a pair in both appears once
		// [V REST docs].
		{"merge", `{"statusCode":200,"headers":{"X-A":"1","x-b":"only"},"multiValueHeaders":{"X-A":["0","1"],"Set-Cookie":["a=1","b=2"]}}`,
			200, ct("text/plain", "X-A", "0", "X-A", "1", "Set-Cookie", "a=1", "Set-Cookie", "b=2", "X-B", "only"), "", ""},
		{"multi duplicates once", `{"statusCode":200,"multiValueHeaders":{"X":["1","1"],"x":["1","2"]}}`,
			200, ct("text/plain", "X", "1", "X", "2"), "", ""},
		{"multi null entries", `{"statusCode":200,"multiValueHeaders":{"X":null,"Y":[null,"1"]}}`, 200, ct("text/plain", "Y", "1"), "", ""},
		{"base64", `{"statusCode":200,"body":"aGk=","isBase64Encoded":true}`, 200, ct("text/plain"), "hi", ""},
		{"cookies ignored", `{"statusCode":200,"cookies":["a=1"]}`, 200, ct("text/plain"), "", ""},

		{"no statusCode", `{"body":"x"}`, 0, nil, "", "no statusCode"},
		{"string", `"hello"`, 0, nil, "", "must be a JSON object"},
		{"array", `[]`, 0, nil, "", "must be a JSON object"},
		{"invalid", `{`, 0, nil, "", "not valid JSON"},
		{"multi not an array", `{"statusCode":200,"multiValueHeaders":{"X":"1"}}`, 0, nil, "", "array of strings"},
		{"multi not an object", `{"statusCode":200,"multiValueHeaders":[]}`, 0, nil, "", "object of string arrays"},
		{"multi element object", `{"statusCode":200,"multiValueHeaders":{"X":[{}]}}`, 0, nil, "", "array of strings"},
		{"multi bad value", `{"statusCode":200,"multiValueHeaders":{"X":["a\rb"]}}`, 0, nil, "", "control character"},
	})
}

func TestParseResultLimits(t *testing.T) {
	// Over Lambda's 6 MB: an error, never a truncated answer.
	big := make([]byte, MaxResultSize+1)
	for i := range big {
		big[i] = ' '
	}
	big[0], big[len(big)-1] = '"', '"'
	for _, v := range []Version{V1, V2} {
		if _, err := v.ParseResult(big); err == nil || !strings.Contains(err.Error(), "limit") {
			t.Errorf("%v: %d bytes: err = %v", v, len(big), err)
		}
	}
	// Exactly at the limit: fine.
	ok := big[:MaxResultSize]
	ok[len(ok)-1] = '"'
	if resp, err := ParseResultV2(ok); err != nil || len(resp.Body) != MaxResultSize-2 {
		t.Errorf("at the limit: %v", err)
	}

	// Deep nesting under a member nobody reads is skipped, not decoded.
	deep := `{"statusCode":200,"x":` + strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + `,"body":"ok"}`
	if resp, err := ParseResultV2([]byte(deep)); err != nil || string(resp.Body) != "ok" {
		t.Errorf("deep member: %v", err)
	}
	// Deeper than encoding/json's 10000 levels: not JSON here [I].
	deeper := strings.Repeat("[", 10001) + strings.Repeat("]", 10001)
	if _, err := ParseResultV2([]byte(deeper)); err == nil {
		t.Error("10001 levels accepted")
	}
}
