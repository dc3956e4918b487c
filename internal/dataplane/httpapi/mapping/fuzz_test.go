package mapping

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzCompileMapping: any key and value either compiles or is refused with
// an *Error worded like the control plane's, and what compiles applies
// without a panic and only produces sendable headers.
func FuzzCompileMapping(f *testing.F) {
	for _, s := range []struct{ k, v string }{
		{"append:header.x-req", "$context.requestId"},
		{"overwrite:querystring.v", "${request.header.x-version}-${context.requestId}"},
		{"overwrite:path", "/v2$request.path.proxy"},
		{"append:header.n", "$request.body.user['a b'][0].c"},
		{"append:header.n", "$request.body.list[-1]"},
		{"append:header.n", "$request.body..a"},
		{"append:header.n", "${request.body.a"},
		{"append:header.n", "$5 $request $request.path."},
		{"remove:header.Cookie", "''"},
		{"overwrite:statuscode", "$response.header.X-Status"},
		{"append:header.e", "$response.body.error[\"k\\\"\"]"},
		{"overwrite:header.Via", "x"},
		{"append:header.a:b", "v"},
		{"header.x", "v"},
	} {
		f.Add(s.k, s.v, false)
		f.Add(s.k, s.v, true)
	}
	f.Fuzz(func(t *testing.T, k, v string, response bool) {
		var err error
		var req *RequestRules
		var resp *ResponseRules
		if response {
			resp, err = CompileResponse(map[string]map[string]string{"200": {k: v}})
		} else {
			req, err = CompileRequest(map[string]string{k: v})
		}
		if err != nil {
			var me *Error
			if !errors.As(err, &me) || !strings.HasPrefix(me.Message, "Invalid mapping expression specified: ") {
				t.Fatalf("%q: %q: refusal %v is not a mapping error", k, v, err)
			}
			return
		}
		var ops []Op
		if response {
			var c ResponseChanges
			r := &Response{Status: 200, Header: http.Header{"X-Status": {"201"}}, Body: []byte(sampleBody),
				Context: sampleRequest().Context, StageVariables: map[string]string{"env": "dev"}}
			resp.Apply(r, &c)
			ops = c.Header
			if c.Status != 0 && (c.Status < 200 || c.Status > 599) {
				t.Fatalf("status %d", c.Status)
			}
		} else {
			var c Changes
			req.Apply(sampleRequest(), &c)
			ops = c.Header
		}
		for _, op := range ops {
			if !isToken(op.Name) || !validHeaderValue(op.Value) || isReservedHeader(op.Name) {
				t.Fatalf("%q: %q: unsendable header op %q", k, v, op)
			}
		}
	})
}

// FuzzBodyPath checks the raw-JSON walk against encoding/json: for a valid
// document and a path that compiles, both find the same value.
func FuzzBodyPath(f *testing.F) {
	for _, s := range []struct{ body, path string }{
		{sampleBody, ".user.name"},
		{sampleBody, ".user.tags[1]"},
		{sampleBody, ".user['a b']"},
		{sampleBody, `.user['esc"k']`},
		{sampleBody, ".user.dup"},
		{sampleBody, ".list[-1]"},
		{sampleBody, ".user.obj.k[0]"},
		{`[{"a":[1,{"b":"\u00e9\n"}]}]`, "[0].a[1].b"},
		{`{"a":{"a":{"a":1},"a":{"b":2}}}`, ".a.a.b"},
		{` { "a" : [ ] , "b" : { } } `, ".b"},
		{`"just a string"`, ""},
	} {
		f.Add(s.body, s.path)
	}
	f.Fuzz(func(t *testing.T, body, path string) {
		steps, n, reason := parseBodyPath(path, true)
		if reason != "" || n != len(path) {
			return
		}
		doc := []byte(body)
		if !json.Valid(doc) || !utf8.Valid(doc) {
			return
		}
		got, gotOK := lookup(doc, steps)
		var tree any
		d := json.NewDecoder(bytes.NewReader(doc))
		d.UseNumber()
		if err := d.Decode(&tree); err != nil {
			t.Fatalf("encoding/json cannot decode a valid document: %v", err)
		}
		want, wantOK := walkTree(tree, steps)
		if gotOK != wantOK {
			t.Fatalf("%s %s: found %v (%s), encoding/json %v", body, path, gotOK, got, wantOK)
		}
		if !gotOK {
			return
		}
		var gotTree any
		d = json.NewDecoder(bytes.NewReader(got))
		d.UseNumber()
		if err := d.Decode(&gotTree); err != nil {
			t.Fatalf("%s %s: the value found, %q, is not JSON: %v", body, path, got, err)
		}
		if !reflect.DeepEqual(gotTree, want) {
			t.Fatalf("%s %s: found %s, encoding/json %v", body, path, got, want)
		}
		if s, ok := want.(string); ok {
			if r, _ := render(got); r != s {
				t.Fatalf("%s %s: rendered %q, want %q", body, path, r, s)
			}
		}
	})
}

func walkTree(v any, steps []step) (any, bool) {
	for _, st := range steps {
		if st.isIndex {
			l, ok := v.([]any)
			i := st.index
			if i < 0 {
				i += len(l)
			}
			if !ok || i < 0 || i >= len(l) {
				return nil, false
			}
			v = l[i]
			continue
		}
		m, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = m[st.name]; !ok {
			return nil, false
		}
	}
	return v, true
}
