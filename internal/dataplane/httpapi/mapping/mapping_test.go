package mapping

import (
	"errors"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
)

const sampleBody = `{"user":{"id":42,"name":"Ann","tags":["x","y"],"nick":null,"a b":"sp","a.b":"dot",` +
	`"esc\"k":"v\n","uni\u00e9":"e","dup":1,"dup":2,"obj":{ "k" : [ true ] }},"list":[1,2,3],"f":1.0,"t":true}`

var sampleContext = map[string]string{"requestId": "req-1", "authorizer.claims.sub": "u-1", "apiId": "api", "empty": ""}

func sampleRequest() *Request {
	return &Request{
		Header: http.Header{"X-Version": {"2"}, "Multi": {"a", "b"}, "Empty": {""}, "Newline": {"a\nb"}},
		Query:  url.Values{"q": {"1"}, "m": {"x", "y"}, "Case": {"C"}, "e": {""}},
		Path:   "/pets/7",
		PathParams: map[string]string{
			"id": "7", "proxy": "a/b", "file.ext": "f",
		},
		Body: []byte(sampleBody),
		Context: func(name string) (string, bool) {
			v, ok := sampleContext[name]
			return v, ok
		},
		StageVariables: map[string]string{"env": "dev"},
	}
}

func hdr(a Action, name, value string) Op { return Op{Action: a, Name: name, Value: value} }

func TestRequestApply(t *testing.T) {
	for _, tc := range []struct {
		name   string
		params map[string]string
		header []Op
		query  []Op
		path   *string
	}{
		{"context", map[string]string{"append:header.x-req": "$context.requestId"},
			[]Op{hdr(Append, "X-Req", "req-1")}, nil, nil},
		{"braced", map[string]string{"append:header.x-req": "${context.requestId}"},
			[]Op{hdr(Append, "X-Req", "req-1")}, nil, nil},
		{"dotted context name", map[string]string{"overwrite:header.sub": "$context.authorizer.claims.sub"},
			[]Op{hdr(Overwrite, "Sub", "u-1")}, nil, nil},
		{"missing context variable: not sent", map[string]string{"append:header.x": "$context.nope"}, nil, nil, nil},
		{"empty context variable: sent empty", map[string]string{"append:header.x": "$context.empty"},
			[]Op{hdr(Append, "X", "")}, nil, nil},
		{"repeated header comma-joined", map[string]string{"append:querystring.h": "$request.header.multi"},
			nil, []Op{hdr(Append, "h", "a,b")}, nil},
		{"header names without regard to case", map[string]string{"append:header.v": "$request.header.x-VERSION"},
			[]Op{hdr(Append, "V", "2")}, nil, nil},
		{"missing header: not sent", map[string]string{"append:header.v": "$request.header.nope"}, nil, nil, nil},
		{"empty header: sent empty", map[string]string{"append:header.v": "$request.header.empty"},
			[]Op{hdr(Append, "V", "")}, nil, nil},
		{"header with a newline: not sent as a header", map[string]string{"append:header.v": "$request.header.newline"},
			nil, nil, nil},
		{"... but as a query value", map[string]string{"append:querystring.v": "$request.header.newline"},
			nil, []Op{hdr(Append, "v", "a\nb")}, nil},
		{"query names are case-sensitive", map[string]string{"append:header.c": "$request.querystring.case"}, nil, nil, nil},
		{"query value", map[string]string{"append:header.c": "$request.querystring.Case"},
			[]Op{hdr(Append, "C", "C")}, nil, nil},
		{"repeated query comma-joined", map[string]string{"overwrite:querystring.m": "$request.querystring.m"},
			nil, []Op{hdr(Overwrite, "m", "x,y")}, nil},
		{"empty query value", map[string]string{"overwrite:querystring.e2": "$request.querystring.e"},
			nil, []Op{hdr(Overwrite, "e2", "")}, nil},
		{"body member", map[string]string{"append:header.n": "$request.body.user.name"},
			[]Op{hdr(Append, "N", "Ann")}, nil, nil},
		{"body number as written", map[string]string{"append:header.n": "$request.body.f"},
			[]Op{hdr(Append, "N", "1.0")}, nil, nil},
		{"body array as its JSON text", map[string]string{"append:header.n": "$request.body.user.tags"},
			[]Op{hdr(Append, "N", `["x","y"]`)}, nil, nil},
		{"body object as its JSON text", map[string]string{"append:header.n": "$request.body.user.obj"},
			[]Op{hdr(Append, "N", `{ "k" : [ true ] }`)}, nil, nil},
		{"body index", map[string]string{"append:header.n": "$request.body.user.tags[1]"},
			[]Op{hdr(Append, "N", "y")}, nil, nil},
		{"body negative index", map[string]string{"append:header.n": "$request.body.list[-1]"},
			[]Op{hdr(Append, "N", "3")}, nil, nil},
		{"body quoted name", map[string]string{"append:header.n": "$request.body.user['a b']"},
			[]Op{hdr(Append, "N", "sp")}, nil, nil},
		{"body quoted name with a dot", map[string]string{"append:header.n": `$request.body.user["a.b"]`},
			[]Op{hdr(Append, "N", "dot")}, nil, nil},
		{"body key with an escape", map[string]string{"append:querystring.n": `$request.body.user['esc"k']`},
			nil, []Op{hdr(Append, "n", "v\n")}, nil},
		{"body key written with \\u", map[string]string{"append:header.n": "$request.body.user.unié"},
			[]Op{hdr(Append, "N", "e")}, nil, nil},
		{"body duplicate key: the last", map[string]string{"append:header.n": "$request.body.user.dup"},
			[]Op{hdr(Append, "N", "2")}, nil, nil},
		{"body null: not sent", map[string]string{"append:header.n": "$request.body.user.nick"}, nil, nil, nil},
		{"body missing member: not sent", map[string]string{"append:header.n": "$request.body.user.nope"}, nil, nil, nil},
		{"body index out of range", map[string]string{"append:header.n": "$request.body.list[3]"}, nil, nil, nil},
		{"body member of an array", map[string]string{"append:header.n": "$request.body.list.a"}, nil, nil, nil},
		{"whole body", map[string]string{"overwrite:querystring.b": "$request.body"},
			nil, []Op{hdr(Overwrite, "b", sampleBody)}, nil},
		{"request path", map[string]string{"overwrite:path": "$request.path"}, nil, nil, ptr("/pets/7")},
		{"path with static text", map[string]string{"overwrite:path": "/v2$request.path"}, nil, nil, ptr("/v2/pets/7")},
		{"greedy path parameter", map[string]string{"overwrite:path": "/files/$request.path.proxy"}, nil, nil, ptr("/files/a/b")},
		{"path parameter with a dot", map[string]string{"overwrite:path": "$request.path.file.ext"}, nil, nil, ptr("f")},
		{"missing path parameter", map[string]string{"overwrite:path": "/x/$request.path.nope"}, nil, nil, nil},
		{"stage variable", map[string]string{"append:header.e": "$stageVariables.env"},
			[]Op{hdr(Append, "E", "dev")}, nil, nil},
		{"missing stage variable", map[string]string{"append:header.e": "$stageVariables.nope"}, nil, nil, nil},
		{"composite", map[string]string{"append:header.c": "${request.header.x-version}-${context.requestId}"},
			[]Op{hdr(Append, "C", "2-req-1")}, nil, nil},
		{"composite with a missing value: not sent", map[string]string{"append:header.c": "${request.header.x-version} $context.nope"},
			nil, nil, nil},
		{"two unbraced values side by side", map[string]string{"append:header.c": "$request.querystring.q$request.header.x-version"},
			[]Op{hdr(Append, "C", "12")}, nil, nil},
		{"a header name ends at a non-token", map[string]string{"append:header.c": "$request.header.x-version/v"},
			[]Op{hdr(Append, "C", "2/v")}, nil, nil},
		{"a trailing dot is text", map[string]string{"append:header.c": "id $context.requestId."},
			[]Op{hdr(Append, "C", "id req-1.")}, nil, nil},
		{"static text with dollars", map[string]string{"append:header.c": "$5 for $default $"},
			[]Op{hdr(Append, "C", "$5 for $default $")}, nil, nil},
		{"static text is literal", map[string]string{"overwrite:header.c": "''"},
			[]Op{hdr(Overwrite, "C", "''")}, nil, nil},
		{"header values are trimmed", map[string]string{"append:header.c": "  $context.requestId\t"},
			[]Op{hdr(Append, "C", "req-1")}, nil, nil},
		{"query values are not", map[string]string{"append:querystring.c": "  $context.requestId "},
			nil, []Op{hdr(Append, "c", "  req-1 ")}, nil},
		{"remove ignores its value", map[string]string{"remove:header.Cookie": "''", "remove:querystring.q": "${"},
			[]Op{hdr(Remove, "Cookie", "")}, []Op{hdr(Remove, "q", "")}, nil},
		{"removes, then overwrites, then appends; values read before", map[string]string{
			"append:header.b": "$request.header.a-old", "remove:header.a-old": "''", "overwrite:header.c": "x",
			"append:header.a": "1", "remove:header.b": "''",
		}, []Op{hdr(Remove, "A-Old", ""), hdr(Remove, "B", ""), hdr(Overwrite, "C", "x"), hdr(Append, "A", "1")}, nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := CompileRequest(tc.params)
			if err != nil {
				t.Fatal(err)
			}
			var c Changes
			m.Apply(sampleRequest(), &c)
			if !reflect.DeepEqual(c.Header, tc.header) {
				t.Errorf("header ops %q, want %q", c.Header, tc.header)
			}
			if !reflect.DeepEqual(c.Query, tc.query) {
				t.Errorf("query ops %q, want %q", c.Query, tc.query)
			}
			switch {
			case tc.path == nil && c.SetPath:
				t.Errorf("path set to %q, want unchanged", c.Path)
			case tc.path != nil && (!c.SetPath || c.Path != *tc.path):
				t.Errorf("path %q (set %v), want %q", c.Path, c.SetPath, *tc.path)
			}
		})
	}
}

func ptr(s string) *string { return &s }

// The rename example of the developer guide, applied to a real header.
func TestRenameHeader(t *testing.T) {
	m, err := CompileRequest(map[string]string{
		"append:header.header2": "$request.header.header1",
		"remove:header.header1": "''",
	})
	if err != nil {
		t.Fatal(err)
	}
	r := sampleRequest()
	r.Header = http.Header{"Header1": {"v1"}, "Keep": {"k"}}
	var c Changes
	m.Apply(r, &c)
	up := r.Header.Clone()
	c.ApplyHeader(up)
	want := http.Header{"Header2": {"v1"}, "Keep": {"k"}}
	if !reflect.DeepEqual(up, want) {
		t.Errorf("upstream header %v, want %v", up, want)
	}

	q := url.Values{"a": {"1", "2"}, "b": {"x"}}
	(&Changes{Query: []Op{hdr(Overwrite, "a", "3"), hdr(Append, "b", "y"), hdr(Remove, "c", ""), hdr(Append, "d", "")}}).ApplyQuery(q)
	if want := (url.Values{"a": {"3"}, "b": {"x", "y"}, "d": {""}}); !reflect.DeepEqual(q, want) {
		t.Errorf("query %v, want %v", q, want)
	}
}

func TestBodyLimits(t *testing.T) {
	m, err := CompileRequest(map[string]string{"append:header.a": "$request.body.a", "overwrite:querystring.all": "$request.body"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		body string
		a    bool // the JSONPath gives a value
	}{
		{"JSON", `{"a":"1"}`, true},
		{"JSON padded to 100 KB", `{"a":"1"}` + strings.Repeat(" ", maxBodyJSON-9), true},
		// Cut at 100 KB, the document no longer parses: AWS's rule
		// makes large bodies unreadable by path, while $request.body
		// still sends all of it.
		{"JSON over 100 KB", `{"a":"1","b":"` + strings.Repeat("x", maxBodyJSON) + `"}`, false},
		{"not JSON", `{"a":"1"`, false},
		{"empty", ``, false},
	} {
		r := sampleRequest()
		r.Body = []byte(tc.body)
		var c Changes
		m.Apply(r, &c)
		if got := len(c.Header) == 1; got != tc.a {
			t.Errorf("%s: path value %v, want %v", tc.name, got, tc.a)
		}
		if len(c.Query) != 1 || c.Query[0].Value != tc.body {
			t.Errorf("%s: the whole body was not mapped (%d ops)", tc.name, len(c.Query))
		}
	}
}

func TestResponseApply(t *testing.T) {
	m, err := CompileResponse(map[string]map[string]string{
		"500": {"overwrite:statuscode": "403", "append:header.header1": "$context.requestId"},
		"404": {"append:header.error": "$stageVariables.environmentId"},
		"201": {"overwrite:statuscode": "$response.header.X-Status", "overwrite:header.code": "$response.body.error.code",
			"remove:header.x-powered-by": "''", "append:header.all": "$response.body"},
	})
	if err != nil {
		t.Fatal(err)
	}
	resp := func(status int, h http.Header, body string) *Response {
		return &Response{Status: status, Header: h, Body: []byte(body),
			Context:        func(n string) (string, bool) { v, ok := sampleContext[n]; return v, ok },
			StageVariables: map[string]string{"environmentId": "prod"}}
	}
	for _, tc := range []struct {
		name   string
		r      *Response
		status int
		header []Op
	}{
		{"500 becomes 403", resp(500, http.Header{}, ""), 403, []Op{hdr(Append, "Header1", "req-1")}},
		{"404", resp(404, http.Header{}, ""), 0, []Op{hdr(Append, "Error", "prod")}},
		{"no rules for 200", resp(200, http.Header{}, ""), 0, nil},
		{"status and header from the answer", resp(201, http.Header{"X-Status": {"202"}}, `{"error":{"code":7}}`), 202,
			[]Op{hdr(Remove, "X-Powered-By", ""), hdr(Overwrite, "Code", "7"), hdr(Append, "All", `{"error":{"code":7}}`)}},
		{"a status that is not one is ignored", resp(201, http.Header{"X-Status": {"abc"}}, `{}`), 0,
			[]Op{hdr(Remove, "X-Powered-By", ""), hdr(Append, "All", `{}`)}},
		{"a status out of range is ignored", resp(201, http.Header{"X-Status": {"199"}}, `{}`), 0,
			[]Op{hdr(Remove, "X-Powered-By", ""), hdr(Append, "All", `{}`)}},
	} {
		var c ResponseChanges
		m.Apply(tc.r, &c)
		if c.Status != tc.status || !reflect.DeepEqual(c.Header, tc.header) {
			t.Errorf("%s: status %d, ops %q; want %d, %q", tc.name, c.Status, c.Header, tc.status, tc.header)
		}
	}
	h := http.Header{"X-Powered-By": {"php"}, "All": {"0"}}
	(&ResponseChanges{Header: []Op{hdr(Remove, "X-Powered-By", ""), hdr(Append, "All", "1")}}).ApplyHeader(h)
	if want := (http.Header{"All": {"0", "1"}}); !reflect.DeepEqual(h, want) {
		t.Errorf("header %v, want %v", h, want)
	}
}

func TestRefusals(t *testing.T) {
	const requestKeys = ". Request parameter keys must be append|overwrite|remove:header.{name}, " +
		"append|overwrite|remove:querystring.{name} or overwrite:path"
	for _, tc := range []struct {
		params map[string]string
		want   string // the whole message, or its start when it ends in "..."
	}{
		// The key texts are internal/apigw's (integrations_e2e_test.go).
		{map[string]string{"header.x": "v"}, "Invalid mapping expression specified: header.x" + requestKeys},
		{map[string]string{"append:path": "/x"}, "Invalid mapping expression specified: append:path" + requestKeys},
		{map[string]string{"overwrite:statuscode": "200"}, "Invalid mapping expression specified: overwrite:statuscode" + requestKeys},
		{map[string]string{"append:header. x": "v"}, "Invalid mapping expression specified: append:header. x" + requestKeys},
		{map[string]string{"overwrite:header.X-Amzn-Trace-Id": "x"},
			"Invalid mapping expression specified: overwrite:header.X-Amzn-Trace-Id. The header is reserved and cannot be mapped"},
		{map[string]string{"overwrite:header.authorization": "x"},
			"Invalid mapping expression specified: overwrite:header.authorization. The header is reserved and cannot be mapped"},
		{map[string]string{"remove:header.Content-Length": "''"},
			"Invalid mapping expression specified: remove:header.Content-Length. The header is reserved and cannot be mapped"},
		{map[string]string{"append:header.a:b": "v"},
			"Invalid mapping expression specified: append:header.a:b. A header name must be an HTTP token (letters, digits and !#$%&'*+-.^_`|~)"},
		{map[string]string{"append:header.ok": "v", "append:header.a": "$request.body..a"},
			"Invalid mapping expression specified: $request.body..a for append:header.a. Recursive descent ($request.body..name) is not supported"},
		{map[string]string{"append:header.a": "$request.body.a[?(@.b)]"}, "...Filter expressions (?(expression)) are not supported"},
		{map[string]string{"append:header.a": "$request.body.a[*]"}, "...Wildcards are not supported in a JSONPath: a parameter holds one value"},
		{map[string]string{"append:header.a": "$request.body.a.*"}, "...Wildcards are not supported in a JSONPath: a parameter holds one value"},
		{map[string]string{"append:header.a": "$request.body.a[0:2]"}, "...Slices are not supported in a JSONPath: a parameter holds one value"},
		{map[string]string{"append:header.a": "$request.body.a['b"}, "...The JSONPath has an unclosed ["},
		{map[string]string{"append:header.a": "${request.body.a b}"}, "...The JSONPath cannot hold \" \" at character 3; quote such member names: ['a b']"},
		{map[string]string{"append:header.a": "${request.header.a"},
			"Invalid mapping expression specified: ${request.header.a for append:header.a. ${ is not closed by }"},
		{map[string]string{"append:header.a": "${}"}, "...${} is not a variable. Request parameter values can be"},
		{map[string]string{"append:header.a": "${foo.bar}"}, "...${foo.bar} is not a variable."},
		{map[string]string{"append:header.a": "$request.foo"}, "...$request.foo is not a value."},
		{map[string]string{"append:header.a": "$request.header."}, "...$request.header. needs a header name"},
		{map[string]string{"append:header.a": "${request.header.a b}"}, "...$request.header.a b is not valid: a header name cannot hold \" \""},
		{map[string]string{"append:header.a": "${context.a-b}"}, "...$context.a-b is not valid: a context variable name cannot hold \"-\""},
		{map[string]string{"append:header.a": "$stageVariables.-"}, "...$stageVariables. needs a stage variable name"},
		{map[string]string{"append:header.a": "${request.path.}"}, "...$request.path. needs a path parameter name"},
		{map[string]string{"append:header.a": "$response.header.a"},
			"...$response values cannot be used in request parameters. Request parameter values can be"},
		{map[string]string{"append:header.a": "a\nb"}, "...Values cannot hold control characters"},
	} {
		err := CheckRequest(tc.params)
		checkMessage(t, tc.params, err, tc.want)
	}

	for _, tc := range []struct {
		params map[string]map[string]string
		want   string
	}{
		{map[string]map[string]string{"100": {"overwrite:statuscode": "200"}},
			"Invalid response parameters status code specified: 100. It must be an HTTP status code between 200 and 599"},
		{map[string]map[string]string{"2xx": {"overwrite:statuscode": "200"}},
			"Invalid response parameters status code specified: 2xx. It must be an HTTP status code between 200 and 599"},
		{map[string]map[string]string{"0500": {"overwrite:statuscode": "200"}}, "Invalid response parameters status code specified: 0500..."},
		{map[string]map[string]string{"500": {"overwrite:body": "x"}},
			"Invalid mapping expression specified: overwrite:body. Response parameter keys must be append|overwrite|remove:header.{name} or overwrite:statuscode"},
		{map[string]map[string]string{"500": {"append:querystring.a": "x"}}, "Invalid mapping expression specified: append:querystring.a. Response parameter keys..."},
		{map[string]map[string]string{"500": {"overwrite:path": "x"}}, "Invalid mapping expression specified: overwrite:path. Response parameter keys..."},
		{map[string]map[string]string{"500": {"overwrite:header.Access-Control-Allow-Origin": "*"}},
			"Invalid mapping expression specified: overwrite:header.Access-Control-Allow-Origin. The header is reserved and cannot be mapped"},
		{map[string]map[string]string{"500": {"overwrite:statuscode": "4O4"}},
			"Invalid mapping expression specified: 4O4 for overwrite:statuscode. A status code must be a number between 200 and 599"},
		{map[string]map[string]string{"500": {"append:header.a": "$request.header.a"}},
			"...$request values cannot be used in response parameters. Response parameter values can be"},
		{map[string]map[string]string{"500": {"append:header.a": "$response.querystring.a"}}, "...$response.querystring is not a value."},
		{map[string]map[string]string{"500": {"append:header.a": "$response.path"}}, "...$response.path is not a value."},
	} {
		err := CheckResponse(tc.params)
		checkMessage(t, tc.params, err, tc.want)
	}

	// What AWS's examples and Terraform's tests save is accepted.
	for _, ok := range []map[string]string{
		{"append:header.header1": "$context.requestId", "remove:querystring.qs1": "''", "overwrite:path": "/x"},
		{"append:header.header2": "$request.header.header1", "remove:header.header1": "''"},
		{"overwrite:header.Host": "svc.internal", "overwrite:path": "/api/${request.path.proxy}"},
		nil,
	} {
		if err := CheckRequest(ok); err != nil {
			t.Errorf("%v: %v", ok, err)
		}
	}
	if err := CheckResponse(map[string]map[string]string{
		"500": {"append:header.header1": "$context.requestId", "overwrite:statuscode": "403"},
		"404": {"append:header.error": "$stageVariables.environmentId"},
		"200": {"remove:header.x-powered-by": "''"},
	}); err != nil {
		t.Error(err)
	}
}

func checkMessage(t *testing.T, params any, err error, want string) {
	t.Helper()
	var me *Error
	if !errors.As(err, &me) {
		t.Errorf("%v: error %v, want an *Error", params, err)
		return
	}
	got := me.Message
	switch {
	case strings.HasPrefix(want, "..."):
		if !strings.Contains(got, want[3:]) {
			t.Errorf("%v:\n got %s\nwant it to hold %s", params, got, want[3:])
		}
	case strings.HasSuffix(want, "..."):
		if !strings.HasPrefix(got, want[:len(want)-3]) {
			t.Errorf("%v:\n got %s\nwant it to start %s", params, got, want[:len(want)-3])
		}
	case got != want:
		t.Errorf("%v:\n got %s\nwant %s", params, got, want)
	}
}

func TestEchoCuts(t *testing.T) {
	long := strings.Repeat("é", 300)
	err := CheckRequest(map[string]string{"append:" + long: "v"})
	if err == nil || !strings.Contains(err.Error(), strings.Repeat("é", 256-len("append:"))+"...") ||
		strings.Contains(err.Error(), strings.Repeat("é", 256)) {
		t.Errorf("the key is not cut to 256 runes: %v", err)
	}
}

func TestEmpty(t *testing.T) {
	if m, _ := CompileRequest(nil); !m.Empty() {
		t.Error("nil request parameters are not empty")
	}
	if m, _ := CompileRequest(map[string]string{"remove:header.a": "''"}); m.Empty() {
		t.Error("a remove is empty")
	}
	if m, _ := CompileResponse(map[string]map[string]string{"200": {}}); !m.Empty() {
		t.Error(`{"200":{}} is not empty`)
	}
	var nilRules *ResponseRules
	var c ResponseChanges
	nilRules.Apply(&Response{Status: 200}, &c)
	c.Reset()
	var rc Changes
	rc.Header = append(rc.Header, Op{})
	rc.Path, rc.SetPath = "/x", true
	rc.Reset()
	if len(rc.Header) != 0 || rc.SetPath || rc.Path != "" {
		t.Errorf("Reset left %+v", rc)
	}
}
