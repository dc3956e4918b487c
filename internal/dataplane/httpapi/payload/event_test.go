package payload

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"
)

// baseRequest is a GET on the $default stage with nothing optional set.
func baseRequest() *Request {
	return &Request{
		Method:     "GET",
		RawPath:    "/pets",
		Path:       "/pets",
		Header:     http.Header{"Host": {"abc123.execute-api.us-east-1.amazonaws.com"}, "User-Agent": {"curl/8.5.0"}},
		SourceIP:   "192.0.2.10",
		Protocol:   "HTTP/1.1",
		UserAgent:  "curl/8.5.0",
		RouteKey:   "GET /pets",
		Stage:      "$default",
		AccountID:  "123456789012",
		APIID:      "abc123",
		DomainName: "abc123.execute-api.us-east-1.amazonaws.com",
		RequestID:  "Mc7UVioPPHcEKPA=",
		Time:       time.Date(2020, 3, 12, 19, 3, 58, 390e6, time.UTC),
	}
}

// decode renders r in version v, checks that the event is valid JSON, and
// decodes it.
func decode(t testing.TB, v Version, r *Request) map[string]any {
	t.Helper()
	b := v.AppendEvent(nil, r)
	if !json.Valid(b) {
		t.Fatalf("%v event is not valid JSON:\n%s", v, b)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// at walks a decoded event along a path of member names.
func at(m map[string]any, path ...string) (any, bool) {
	var cur any = m
	for _, p := range path {
		obj, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = obj[p]; !ok {
			return nil, false
		}
	}
	return cur, true
}

func mustAt(t testing.TB, m map[string]any, path ...string) any {
	t.Helper()
	v, ok := at(m, path...)
	if !ok {
		t.Fatalf("%s is absent", strings.Join(path, "."))
	}
	return v
}

func absent(t testing.TB, m map[string]any, path ...string) {
	t.Helper()
	if v, ok := at(m, path...); ok {
		t.Errorf("%s = %#v, want it absent", strings.Join(path, "."), v)
	}
}

func equal(t testing.TB, got, want any, what string) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s = %#v, want %#v", what, got, want)
	}
}

func TestParseVersion(t *testing.T) {
	for s, want := range map[string]Version{"1.0": V1, "2.0": V2} {
		v, err := ParseVersion(s)
		if err != nil || v != want || v.String() != s {
			t.Errorf("ParseVersion(%q) = %v, %v", s, v, err)
		}
	}
	for _, s := range []string{"", "1", "2", "3.0", "2.0 "} {
		if _, err := ParseVersion(s); err == nil {
			t.Errorf("ParseVersion(%q) accepted", s)
		}
	}
}

func TestHeadersV2(t *testing.T) {
	r := baseRequest()
	r.Header = http.Header{
		"Host":         {"h.example"},
		"X-Multi":      {"a", "b, c"},
		"Accept":       {"*/*"},
		"x-odd-Case":   {"1"}, // not canonical: a Header not built by net/http
		"X-Odd-Case":   {"2"},
		"Cookie":       {"a=1; b=2", "c=3;d=4 ;; "},
		"Content-Type": {"text/plain"},
		"X-Empty":      {},
	}
	m := decode(t, V2, r)
	h := mustAt(t, m, "headers").(map[string]any)
	equal(t, h["host"], "h.example", "headers.host")
	// Repeated headers joined with "," and no space [V doc example].
	equal(t, h["x-multi"], "a,b, c", "headers.x-multi")
	// Names differing in case are one header; the order of their values
	// follows the map's and is not asserted.
	if v := h["x-odd-case"]; v != "1,2" && v != "2,1" {
		t.Errorf("headers.x-odd-case = %v", v)
	}
	for name := range h {
		if strings.ToLower(name) != name {
			t.Errorf("header name %q not lowercased", name)
		}
	}
	// The cookie header moves to cookies [O] ...
	if _, ok := h["cookie"]; ok {
		t.Error("the cookie header is still in headers")
	}
	// ... split at ";" and trimmed, empty pieces dropped [I].
	equal(t, mustAt(t, m, "cookies"), []any{"a=1", "b=2", "c=3", "d=4"}, "cookies")
	if _, ok := h["x-empty"]; ok {
		t.Error("a header without values is shown")
	}
	// Sorted, as in the captures.
	b := V2.AppendEvent(nil, r)
	if i, j := bytes.Index(b, []byte(`"accept"`)), bytes.Index(b, []byte(`"host"`)); i < 0 || j < i {
		t.Errorf("headers not sorted: %s", b)
	}

	r.Header.Del("Cookie")
	absent(t, decode(t, V2, r), "cookies")
	r.Header.Set("Cookie", " ; ")
	absent(t, decode(t, V2, r), "cookies")
	// No header at all is an empty object (2.0 always has headers).
	r.Header = nil
	equal(t, mustAt(t, decode(t, V2, r), "headers"), map[string]any{}, "headers")
}

func TestHeadersV1(t *testing.T) {
	r := baseRequest()
	r.Header = http.Header{
		"Host":    {"h.example"},
		"X-Multi": {"a", "b"},
		"Cookie":  {"a=1; b=2"},
	}
	m := decode(t, V1, r)
	// Names as given, the last value in headers, all in multiValueHeaders
	// [O 1.0 captures; "last" is I].
	equal(t, mustAt(t, m, "headers"), map[string]any{"Host": "h.example", "X-Multi": "b", "Cookie": "a=1; b=2"}, "headers")
	equal(t, mustAt(t, m, "multiValueHeaders"), map[string]any{
		"Host": []any{"h.example"}, "X-Multi": []any{"a", "b"}, "Cookie": []any{"a=1; b=2"},
	}, "multiValueHeaders")
	absent(t, m, "cookies")

	r.Header = http.Header{}
	m = decode(t, V1, r)
	equal(t, mustAt(t, m, "headers"), nil, "headers")
	equal(t, mustAt(t, m, "multiValueHeaders"), nil, "multiValueHeaders")
}

func TestQuery(t *testing.T) {
	tests := []struct {
		raw    string
		v2     any // queryStringParameters of 2.0; nil: absent
		single any // 1.0
		multi  any // 1.0
	}{
		{"", nil, nil, nil},
		{"a=1", map[string]any{"a": "1"}, map[string]any{"a": "1"}, map[string]any{"a": []any{"1"}}},
		{"a=1&a=2&b=3", map[string]any{"a": "1,2", "b": "3"},
			map[string]any{"a": "2", "b": "3"}, map[string]any{"a": []any{"1", "2"}, "b": []any{"3"}}},
		// Decoded; "+" is a space.
		{"q=a%20b+c&%C3%A9=%E2%82%AC", map[string]any{"q": "a b c", "é": "€"},
			map[string]any{"q": "a b c", "é": "€"}, map[string]any{"q": []any{"a b c"}, "é": []any{"€"}}},
		// A key without "=", empty segments, and an escape that does not
		// decode (kept as sent) [I].
		{"flag&&x=%zz&y=", map[string]any{"flag": "", "x": "%zz", "y": ""},
			map[string]any{"flag": "", "x": "%zz", "y": ""}, map[string]any{"flag": []any{""}, "x": []any{"%zz"}, "y": []any{""}}},
		// Only separators: no parameter, but rawQueryString keeps the text.
		{"&&", nil, nil, nil},
		// Values keep their order, keys come out sorted.
		{"z=1&a=2&z=0", map[string]any{"a": "2", "z": "1,0"},
			map[string]any{"a": "2", "z": "0"}, map[string]any{"a": []any{"2"}, "z": []any{"1", "0"}}},
		// Escapes in what is joined.
		{`a="&a=\`, map[string]any{"a": `",\`}, map[string]any{"a": `\`}, map[string]any{"a": []any{`"`, `\`}}},
	}
	for _, tt := range tests {
		r := baseRequest()
		r.RawQuery = tt.raw
		m := decode(t, V2, r)
		equal(t, mustAt(t, m, "rawQueryString"), tt.raw, "rawQueryString of "+tt.raw)
		if tt.v2 == nil {
			absent(t, m, "queryStringParameters")
		} else {
			equal(t, mustAt(t, m, "queryStringParameters"), tt.v2, "queryStringParameters of "+tt.raw)
		}
		m = decode(t, V1, r)
		equal(t, mustAt(t, m, "queryStringParameters"), tt.single, "1.0 queryStringParameters of "+tt.raw)
		equal(t, mustAt(t, m, "multiValueQueryStringParameters"), tt.multi, "1.0 multiValueQueryStringParameters of "+tt.raw)
	}
}

func TestIsText(t *testing.T) {
	text := []string{
		"text/plain", "text/html; charset=utf-8", "TEXT/CSV", "text/x-anything",
		"application/json", "application/json; charset=UTF-8", "Application/JSON",
		"application/xml", "application/javascript", " application/json ",
	}
	binary := []string{
		"", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
		"application/octet-stream", "image/png", "application/pdf",
		"application/vnd.api+json", "application/problem+json", "application/atom+xml", // [I] see doc
		"text/", "text", "application/jsonx", "application/json5", "textplain",
	}
	for _, ct := range text {
		if !isText(ct) {
			t.Errorf("isText(%q) = false", ct)
		}
	}
	for _, ct := range binary {
		if isText(ct) {
			t.Errorf("isText(%q) = true", ct)
		}
	}
}

func TestBody(t *testing.T) {
	bin := []byte{0x89, 'P', 'N', 'G', 0, 0xff}
	tests := []struct {
		name, contentType string
		body              []byte
		want              any // body member; nil: absent (2.0) / null (1.0)
		b64               bool
	}{
		{"bodiless", "", nil, nil, false},
		{"empty JSON body", "application/json", []byte{}, nil, false},
		{"json", "application/json", []byte(`{"a":"<b>&"}`), `{"a":"<b>&"}`, false},
		{"text with charset", "text/plain; charset=utf-8", []byte("héllo\n"), "héllo\n", false},
		{"form", "application/x-www-form-urlencoded", []byte("a=1&b=2"), base64.StdEncoding.EncodeToString([]byte("a=1&b=2")), true},
		{"no content type", "", []byte("hello"), base64.StdEncoding.EncodeToString([]byte("hello")), true},
		{"png", "image/png", bin, base64.StdEncoding.EncodeToString(bin), true},
		// Text that is not UTF-8: U+FFFD in place of the bad bytes [I].
		{"bad utf-8", "text/plain", []byte("a\xffb"), "a\uFFFDb", false},
	}
	for _, tt := range tests {
		r := baseRequest()
		r.Method = "POST"
		if tt.contentType != "" {
			r.Header.Set("Content-Type", tt.contentType)
		}
		r.Body = tt.body
		m := decode(t, V2, r)
		if tt.want == nil {
			absent(t, m, "body")
		} else {
			equal(t, mustAt(t, m, "body"), tt.want, tt.name+": body")
		}
		equal(t, mustAt(t, m, "isBase64Encoded"), tt.b64, tt.name+": isBase64Encoded")

		m = decode(t, V1, r)
		equal(t, mustAt(t, m, "body"), tt.want, tt.name+": 1.0 body")
		equal(t, mustAt(t, m, "isBase64Encoded"), tt.b64, tt.name+": 1.0 isBase64Encoded")
	}
}

func TestEscaping(t *testing.T) {
	r := baseRequest()
	r.Header.Set("Content-Type", "text/plain")
	r.Body = []byte("q\"b\\s/\b\f\n\r\t\x01\x1f<>&\u2028é")
	b := V2.AppendEvent(nil, r)
	// Jackson's escapes: short forms, \u00XX for other controls, and
	// nothing else escaped [I: what a Java service writes].
	want := `"body":"q\"b\\s/\b\f\n\r\t\u0001\u001f<>&` + "\u2028é" + `"`
	if !bytes.Contains(b, []byte(want)) {
		t.Errorf("body written as\n%s\nwant %s", b, want)
	}
	var ev struct{ Body string }
	if err := json.Unmarshal(b, &ev); err != nil || ev.Body != string(r.Body) {
		t.Errorf("body decodes to %q, %v", ev.Body, err)
	}
}

func TestPathsAndStage(t *testing.T) {
	r := baseRequest()
	r.RawPath, r.Path, r.Stage = "/dev/pets/a%20b", "/dev/pets/a b", "dev"
	r.RouteKey = "GET /pets/{name}"
	r.PathParameters = map[string]string{"name": "a b"}
	m := decode(t, V2, r)
	equal(t, mustAt(t, m, "rawPath"), "/dev/pets/a%20b", "rawPath")
	equal(t, mustAt(t, m, "requestContext", "http", "path"), "/dev/pets/a b", "http.path")
	equal(t, mustAt(t, m, "requestContext", "stage"), "dev", "stage")
	equal(t, mustAt(t, m, "pathParameters"), map[string]any{"name": "a b"}, "pathParameters")
	m = decode(t, V1, r)
	equal(t, mustAt(t, m, "path"), "/dev/pets/a b", "path")
	equal(t, mustAt(t, m, "requestContext", "path"), "/dev/pets/a b", "requestContext.path")
	equal(t, mustAt(t, m, "resource"), "/pets/{name}", "resource")
	equal(t, mustAt(t, m, "requestContext", "resourcePath"), "/pets/{name}", "resourcePath")
	equal(t, mustAt(t, m, "requestContext", "resourceId"), "GET /pets/{name}", "resourceId")

	r.RouteKey = "$default"
	m = decode(t, V1, r)
	equal(t, mustAt(t, m, "resource"), "$default", "resource of $default")
	equal(t, mustAt(t, m, "requestContext", "resourcePath"), "$default", "resourcePath of $default")
}

func TestBasePath(t *testing.T) {
	tests := []struct{ base, raw, path, wantRaw, wantPath string }{
		{"", "/orders/pets", "/orders/pets", "/orders/pets", "/orders/pets"},
		{"/orders", "/orders/pets/a%20b", "/orders/pets/a b", "/pets/a%20b", "/pets/a b"},
		{"/orders", "/orders", "/orders", "/", "/"},
		{"/orders", "/orders2/x", "/orders2/x", "/orders2/x", "/orders2/x"},
		{"/my%20api", "/my%20api/x", "/my api/x", "/x", "/x"},
	}
	for _, tt := range tests {
		r := baseRequest()
		r.DomainName = "api.example.com"
		r.BasePath, r.RawPath, r.Path = tt.base, tt.raw, tt.path
		m := decode(t, V2, r)
		equal(t, mustAt(t, m, "rawPath"), tt.wantRaw, "rawPath under "+tt.base)
		equal(t, mustAt(t, m, "requestContext", "http", "path"), tt.wantPath, "http.path under "+tt.base)
		equal(t, mustAt(t, m, "requestContext", "domainPrefix"), "api", "domainPrefix")
		// 1.0's path keeps the base path [V].
		equal(t, mustAt(t, decode(t, V1, r), "path"), tt.path, "1.0 path under "+tt.base)
	}
}

func TestDomainPrefix(t *testing.T) {
	for in, want := range map[string]string{
		"abc.execute-api.us-east-1.amazonaws.com": "abc",
		"localhost": "localhost", "": "", "127.0.0.1:4800": "127",
	} {
		if got := domainPrefix(in); got != want {
			t.Errorf("domainPrefix(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestEmptyMapsAndTime(t *testing.T) {
	r := baseRequest()
	r.PathParameters, r.StageVariables = map[string]string{}, map[string]string{}
	r.Time = time.Date(2020, 3, 12, 21, 3, 58, 390e6, time.FixedZone("CET", 2*3600))
	m := decode(t, V2, r)
	absent(t, m, "pathParameters")
	absent(t, m, "stageVariables")
	absent(t, m, "requestContext", "authorizer")
	absent(t, m, "requestContext", "authentication")
	// Always UTC in the log format [V].
	equal(t, mustAt(t, m, "requestContext", "time"), "12/Mar/2020:19:03:58 +0000", "time")
	equal(t, mustAt(t, m, "requestContext", "timeEpoch"), float64(1584039838390), "timeEpoch")
	m = decode(t, V1, r)
	equal(t, mustAt(t, m, "pathParameters"), nil, "pathParameters")
	equal(t, mustAt(t, m, "stageVariables"), nil, "stageVariables")
	absent(t, m, "requestContext", "authorizer")
	equal(t, mustAt(t, m, "requestContext", "requestTime"), "12/Mar/2020:19:03:58 +0000", "requestTime")
	equal(t, mustAt(t, m, "requestContext", "identity", "userArn"), nil, "identity.userArn")

	r.StageVariables = map[string]string{"b": "2", "a": "1"}
	equal(t, mustAt(t, decode(t, V2, r), "stageVariables"), map[string]any{"a": "1", "b": "2"}, "stageVariables")
	equal(t, mustAt(t, decode(t, V1, r), "stageVariables"), map[string]any{"a": "1", "b": "2"}, "1.0 stageVariables")
}

func TestAuthorizer(t *testing.T) {
	jwt := &Authorizer{Kind: AuthJWT, JWTClaims: map[string]string{"sub": "u1", "iss": "https://issuer"}, JWTScopes: []string{"read"}}
	lambda := &Authorizer{Kind: AuthLambda, LambdaContext: map[string]any{"user": "u1", "n": 3.5, "ok": true, "none": nil, "list": []any{"x"}}, PrincipalID: "p1"}
	iam := &Authorizer{Kind: AuthIAM, IAM: &IAMIdentity{
		AccessKey: "AKIDEXAMPLE", AccountID: "111122223333", CallerID: "AIDAEXAMPLE", UserARN: "arn:aws:iam::111122223333:user/u", UserID: "AIDAEXAMPLE",
		CognitoIdentity: &CognitoIdentity{AMR: []string{"authenticated"}, IdentityID: "us-east-1:id", IdentityPoolID: "us-east-1:pool"},
	}}
	tests := []struct {
		name   string
		a      *Authorizer
		v2, v1 any // requestContext.authorizer; nil v1: absent
	}{
		{"jwt", jwt,
			map[string]any{"jwt": map[string]any{"claims": map[string]any{"sub": "u1", "iss": "https://issuer"}, "scopes": []any{"read"}}},
			map[string]any{"claims": map[string]any{"sub": "u1", "iss": "https://issuer"}, "scopes": []any{"read"}}},
		{"jwt without scopes", &Authorizer{Kind: AuthJWT, JWTClaims: map[string]string{"sub": "u1"}},
			map[string]any{"jwt": map[string]any{"claims": map[string]any{"sub": "u1"}, "scopes": nil}},
			map[string]any{"claims": map[string]any{"sub": "u1"}, "scopes": nil}},
		{"lambda", lambda,
			map[string]any{"lambda": map[string]any{"user": "u1", "n": 3.5, "ok": true, "none": nil, "list": []any{"x"}}},
			map[string]any{"user": "u1", "n": 3.5, "ok": true, "none": nil, "list": []any{"x"}, "principalId": "p1"}},
		{"lambda without context", &Authorizer{Kind: AuthLambda},
			map[string]any{"lambda": map[string]any{}}, map[string]any{}},
		{"iam", iam,
			map[string]any{"iam": map[string]any{
				"accessKey": "AKIDEXAMPLE", "accountId": "111122223333", "callerId": "AIDAEXAMPLE",
				"cognitoIdentity": map[string]any{"amr": []any{"authenticated"}, "identityId": "us-east-1:id", "identityPoolId": "us-east-1:pool"},
				"principalOrgId":  nil, "userArn": "arn:aws:iam::111122223333:user/u", "userId": "AIDAEXAMPLE"}},
			nil},
	}
	for _, tt := range tests {
		r := baseRequest()
		r.Authorizer = tt.a
		equal(t, mustAt(t, decode(t, V2, r), "requestContext", "authorizer"), tt.v2, tt.name+": 2.0 authorizer")
		m := decode(t, V1, r)
		if tt.v1 == nil {
			absent(t, m, "requestContext", "authorizer")
		} else {
			equal(t, mustAt(t, m, "requestContext", "authorizer"), tt.v1, tt.name+": 1.0 authorizer")
		}
	}

	// An IAM caller fills 1.0's identity [I].
	r := baseRequest()
	r.Authorizer = iam
	id := mustAt(t, decode(t, V1, r), "requestContext", "identity")
	equal(t, id, map[string]any{
		"accessKey": "AKIDEXAMPLE", "accountId": "111122223333", "caller": "AIDAEXAMPLE",
		"cognitoAmr": []any{"authenticated"}, "cognitoAuthenticationProvider": nil, "cognitoAuthenticationType": nil,
		"cognitoIdentityId": "us-east-1:id", "cognitoIdentityPoolId": "us-east-1:pool", "principalOrgId": nil,
		"sourceIp": "192.0.2.10", "user": "AIDAEXAMPLE", "userAgent": "curl/8.5.0", "userArn": "arn:aws:iam::111122223333:user/u",
	}, "1.0 identity of an IAM caller")
}

// TestMemberOrder pins AWS's member order, which a decode-and-compare test
// cannot see.
func TestMemberOrder(t *testing.T) {
	r := baseRequest()
	r.RawQuery = "a=1"
	r.Header.Set("Cookie", "c=1")
	r.Header.Set("Content-Type", "application/json")
	r.Body = []byte("{}")
	r.PathParameters = map[string]string{"p": "1"}
	r.StageVariables = map[string]string{"s": "1"}
	r.Authorizer = &Authorizer{Kind: AuthLambda}
	check := func(v Version, names []string) {
		t.Helper()
		b := v.AppendEvent(nil, r)
		// Each name must come after the one before it; a name used twice
		// (routeKey, path, httpMethod) is looked for after its predecessor.
		pos := 0
		for _, n := range names {
			i := bytes.Index(b[pos:], []byte(`"`+n+`":`))
			if i < 0 {
				t.Fatalf("%v: %q missing or out of order in\n%s", v, n, b)
			}
			pos += i + 1
		}
	}
	check(V2, []string{"version", "routeKey", "rawPath", "rawQueryString", "cookies", "headers", "queryStringParameters",
		"requestContext", "accountId", "apiId", "authorizer", "domainName", "domainPrefix", "http", "method", "path", "protocol",
		"sourceIp", "userAgent", "requestId", "routeKey", "stage", "time", "timeEpoch", "body", "pathParameters", "isBase64Encoded", "stageVariables"})
	check(V1, []string{"version", "resource", "path", "httpMethod", "headers", "multiValueHeaders", "queryStringParameters",
		"multiValueQueryStringParameters", "requestContext", "accountId", "apiId", "authorizer", "domainName", "domainPrefix",
		"extendedRequestId", "httpMethod", "identity", "path", "protocol", "requestId", "requestTime", "requestTimeEpoch",
		"resourceId", "resourcePath", "stage", "pathParameters", "stageVariables", "body", "isBase64Encoded"})
}

// TestAppendReusesBuffer checks that the event is appended to what dst
// holds and that a pooled scratch from an earlier call leaks nothing into
// the next event.
func TestAppendReusesBuffer(t *testing.T) {
	big := baseRequest()
	big.RawQuery = "x=1&y=2"
	big.Header.Set("Cookie", "a=1")
	big.Header.Set("X-Big", "1")
	small := baseRequest()
	for _, v := range []Version{V1, V2} {
		want := v.AppendEvent(nil, small)
		v.AppendEvent(nil, big)
		got := v.AppendEvent([]byte("prefix"), small)
		if !bytes.Equal(got, append([]byte("prefix"), want...)) {
			t.Errorf("%v: got\n%s\nwant prefix+\n%s", v, got, want)
		}
	}
}
