package selectexpr

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func body(t testing.TB, s string) any {
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// evalBody evaluates an expression against a message body the way route
// selection does.
func evalBody(t testing.TB, expr string, doc any) string {
	e, err := Parse(expr)
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	out, err := e.Eval(func(v string) (string, error) {
		if p, ok := strings.CutPrefix(v, "request.body"); ok {
			return JSONPath(doc, p), nil
		}
		return "", errors.New("unknown " + v)
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// The cases of the developer guide's selection-expression page [D]
// (docs/aws-behaviours.md#route-selection).
func TestRouteSelection(t *testing.T) {
	doc := body(t, `{"service":"chat","action":"join","n":3,"ok":true,"list":["item1","item2"],"deep":{"a":{"b":"x"}},"sp ace":"y"}`)
	cases := map[string]string{
		"$request.body.action":                               "join",
		"${request.body.action}":                             "join",
		"${request.body.service}/${request.body.action}":     "chat/join",
		"${request.body.action}-${request.body.invalidPath}": "join-",
		"$request.body.missing":                              "",
		"\\$default":                                         "$default",
		"$default":                                           "$default",
		"$request.body.n":                                    "3",
		"$request.body.ok":                                   "true",
		"$request.body.list":                                 "[item1, item2]",
		"$request.body.list[1]":                              "item2",
		"${request.body.deep.a.b}":                           "x",
		"${request.body['sp ace']}":                          "y",
		"static":                                             "static",
		"a\\$b":                                              "a$b",
	}
	for expr, want := range cases {
		if got := evalBody(t, expr, doc); got != want {
			t.Errorf("%s: got %q, want %q", expr, got, want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, bad := range []string{"${request.body.action", "${nope}", "${request}", strings.Repeat("a", MaxLength+1)} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

func TestStaticAndVariables(t *testing.T) {
	e, _ := Parse("$default")
	if s, ok := e.Static(); !ok || s != "$default" {
		t.Errorf("static: %q %v", s, ok)
	}
	e, _ = Parse("${integration.response.statuscode}")
	if _, ok := e.Static(); ok {
		t.Error("not static")
	}
	if vs := e.Variables(); len(vs) != 1 || vs[0] != "integration.response.statuscode" {
		t.Errorf("variables: %v", vs)
	}
}

func FuzzSelectExpr(f *testing.F) {
	for _, s := range []string{"$request.body.action", "${request.body.a}/${request.body.b}", "\\$x", "$", "${", "$request.body[0]['x']"} {
		f.Add(s, `{"action":"a","b":[1,{"x":2}]}`)
	}
	f.Fuzz(func(t *testing.T, expr, js string) {
		e, err := Parse(expr)
		if err != nil {
			return
		}
		var doc any
		json.Unmarshal([]byte(js), &doc)
		e.Eval(func(v string) (string, error) {
			p, _ := strings.CutPrefix(v, "request.body")
			return JSONPath(doc, p), nil
		})
	})
}
