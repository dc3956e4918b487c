package route

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// compileKeys compiles keys with IDs "id0", "id1", ... in that order.
func compileKeys(t testing.TB, keys ...string) *Table {
	t.Helper()
	routes := make([]Route, len(keys))
	for i, k := range keys {
		routes[i] = Route{Key: k, ID: fmt.Sprintf("id%d", i)}
	}
	tab, err := Compile(routes)
	if err != nil {
		t.Fatalf("Compile(%q): %v", keys, err)
	}
	return tab
}

// ps builds Params from name, value pairs.
func ps(kv ...string) Params {
	var p Params
	for i := 0; i < len(kv); i += 2 {
		p = append(p, Param{Name: kv[i], Value: kv[i+1]})
	}
	return p
}

const (
	notFound = "404"
	badPath  = "400"
)

type request struct {
	method, path string
	want         string // the selected key, or notFound, or badPath
	params       Params
	why          string
}

// check runs the requests against a table and, for each, the reference
// matcher of reference_test.go, so that the table also pins the reference.
func check(t *testing.T, keys []string, reqs []request) {
	t.Helper()
	tab := compileKeys(t, keys...)
	ref := mustRef(t, keys)
	for _, rq := range reqs {
		name := rq.method + " " + rq.path
		m, err := tab.Match(rq.method, rq.path, nil)
		got := m.Key
		switch {
		case errors.Is(err, ErrNotFound):
			got = notFound
		case errors.Is(err, ErrBadPath):
			got = badPath
		case err != nil:
			t.Errorf("%s: unexpected error %v", name, err)
			continue
		}
		if got != rq.want {
			t.Errorf("%s: selected %q, want %q (%s)", name, got, rq.want, rq.why)
			continue
		}
		if err == nil {
			if !reflect.DeepEqual(m.Params, rq.params) {
				t.Errorf("%s -> %s: params %q, want %q", name, got, m.Params, rq.params)
			}
			if keys[m.Index] != m.Key || m.ID != fmt.Sprintf("id%d", m.Index) {
				t.Errorf("%s: Match{Key %q, Index %d, ID %q} is not one route", name, m.Key, m.Index, m.ID)
			}
		}
		if diff := ref.diff(m, err, rq.method, rq.path); diff != "" {
			t.Errorf("%s: the reference matcher disagrees: %s", name, diff)
		}
	}
}

// TestAWSExample is the routing example of the AWS developer guide
// ("Routing API requests", http-api-develop-routes), plus the static route
// of the current docs (docs/aws-behaviours.md#http-routing, [V]).
func TestAWSExample(t *testing.T) {
	keys := []string{"GET /pets/dog/1", "GET /pets/dog/{id}", "GET /pets/{proxy+}", "ANY /{proxy+}", "$default"}
	check(t, keys, []request{
		{"GET", "/pets/dog/1", "GET /pets/dog/1", nil, "[V] a static segment beats a variable"},
		{"GET", "/pets/dog/2", "GET /pets/dog/{id}", ps("id", "2"), "[V] full match"},
		{"GET", "/pets/cat/1", "GET /pets/{proxy+}", ps("proxy", "cat/1"), "[V] greedy, value keeps its slash"},
		{"POST", "/test/5", "ANY /{proxy+}", ps("proxy", "test/5"), "[V] ANY catches undefined methods"},
		{"POST", "/pets/dog/1", "ANY /{proxy+}", ps("proxy", "pets/dog/1"), "[V] no POST route: ANY greedy"},
		{"GET", "/pets/dog/1/x", "GET /pets/{proxy+}", ps("proxy", "dog/1/x"), "greedy: longer prefix wins"},
		{"GET", "/", "$default", nil, "[I] {proxy+} needs a segment"},
		{"GET", "", "$default", nil, "[I] empty path is /"},
		{"GET", "/pets", "ANY /{proxy+}", ps("proxy", "pets"), "[I] /pets/{proxy+} needs a segment after /pets"},
		{"GET", "/pets/", "ANY /{proxy+}", ps("proxy", "pets/"), "[I] ... and the segment must not be empty"},
		{"HEAD", "/pets/dog/1", "ANY /{proxy+}", ps("proxy", "pets/dog/1"), "[I] HEAD is not GET"},
		{"GET", "/%zz", badPath, nil, "[I] invalid escape beats even $default"},
	})
}

// TestResources: REST-style resources, methods and ANY.
func TestResources(t *testing.T) {
	keys := []string{"GET /pets", "POST /pets", "GET /pets/{id}", "ANY /pets/{id}", "DELETE /pets/{id}",
		"ANY /pets/dog", "GET /", "HEAD /toys", "GET /toys", "GET /100%", "GET /a%20b", "GET /sl%2Fash"}
	check(t, keys, []request{
		{"GET", "/pets", "GET /pets", nil, "static"},
		{"POST", "/pets", "POST /pets", nil, "static, other method"},
		{"PUT", "/pets", notFound, nil, "no PUT or ANY route for /pets, no $default"},
		{"GET", "/pets/7", "GET /pets/{id}", ps("id", "7"), "[V] exact method beats ANY"},
		{"DELETE", "/pets/7", "DELETE /pets/{id}", ps("id", "7"), "exact method beats ANY"},
		{"PATCH", "/pets/7", "ANY /pets/{id}", ps("id", "7"), "[V] ANY catches undefined methods"},
		{"GET", "/pets/dog", "ANY /pets/dog", nil, "[I] path specificity before method"},
		{"HEAD", "/pets", notFound, nil, "[I] a GET route does not answer HEAD"},
		{"HEAD", "/toys", "HEAD /toys", nil, "an explicit HEAD route"},
		{"GET", "/toys", "GET /toys", nil, "GET next to HEAD"},
		{"get", "/pets", notFound, nil, "[I] methods are case-sensitive"},
		{"get", "/pets/7", "ANY /pets/{id}", ps("id", "7"), "[I] ANY matches any method token"},
		{"PROPFIND", "/pets/7", "ANY /pets/{id}", ps("id", "7"), "[I] ANY matches any method token"},
		{"ANY", "/pets/7", "ANY /pets/{id}", ps("id", "7"), "a request method ANY is just a method"},
		{"ANY", "/pets", notFound, nil, "ANY is not a wildcard on the request side"},
		{"GET", "/", "GET /", nil, "root"},
		{"GET", "", "GET /", nil, "[I] empty path is the root"},
		{"POST", "/", notFound, nil, "root, other method"},
		{"GET", "/Pets", notFound, nil, "literals are case-sensitive"},
		{"GET", "/pets/", notFound, nil, "[I] trailing slash significant; a variable needs a non-empty segment"},
		{"GET", "/pets/7/", notFound, nil, "[I] trailing slash significant"},
		{"GET", "//pets", notFound, nil, "[I] empty segment"},
		{"GET", "/pets//", notFound, nil, "[I] empty segments"},
		{"GET", "/pets/a%20b", "GET /pets/{id}", ps("id", "a b"), "[V] decoded value"},
		{"GET", "/pets/a%2Fb", "GET /pets/{id}", ps("id", "a/b"), "[I] %2F stays inside its segment"},
		{"GET", "/pets/a%2fb", "GET /pets/{id}", ps("id", "a/b"), "lower-case hex"},
		{"GET", "/pets/a+b", "GET /pets/{id}", ps("id", "a+b"), "+ is not a space in a path"},
		{"GET", "/pets/%E2%82%AC", "GET /pets/{id}", ps("id", "€"), "UTF-8"},
		{"GET", "/pets/d%6Fg", "ANY /pets/dog", nil, "segments are compared decoded"},
		{"GET", "/pets/%zz", badPath, nil, "[I] invalid escape"},
		{"GET", "/pets/%", badPath, nil, "[I] truncated escape"},
		{"GET", "/pets/%4", badPath, nil, "[I] truncated escape"},
		{"GET", "/pets/%4g", badPath, nil, "[I] not hex"},
		{"GET", "pets", badPath, nil, "[I] not an origin-form path"},
		{"OPTIONS", "*", badPath, nil, "[I] asterisk-form"},
		{"GET", "/100%25", "GET /100%", nil, "[I] an undecodable literal is compared as written"},
		{"GET", "/100%", badPath, nil, "[I] invalid escape"},
		{"GET", "/a%20b", "GET /a%20b", nil, "[I] literals are decoded"},
		{"GET", "/a b", "GET /a%20b", nil, "a raw space is the same decoded segment"},
		{"GET", "/sl%2Fash", "GET /sl%2Fash", nil, "[I] an encoded slash in a literal"},
		{"GET", "/sl/ash", notFound, nil, "[I] ... is not a segment boundary"},
	})
}

// TestGreedy: every rule between greedy routes and full matches.
func TestGreedy(t *testing.T) {
	keys := []string{"GET /a/{p+}", "GET /a/b/{p+}", "GET /a/{x}/{p+}", "ANY /{p+}", "GET /{x}/{y}", "ANY /a/{p+}"}
	check(t, keys, []request{
		{"GET", "/a/b/c", "GET /a/b/{p+}", ps("p", "c"), "longest static prefix"},
		{"GET", "/a/c/d", "GET /a/{x}/{p+}", ps("x", "c", "p", "d"), "[I] a variable before the greedy beats a shorter prefix"},
		{"GET", "/a/c", "GET /{x}/{y}", ps("x", "a", "y", "c"), "[V] a full match beats any greedy match"},
		{"GET", "/a/b", "GET /{x}/{y}", ps("x", "a", "y", "b"), "[V] ... even with more literals in the greedy route"},
		{"POST", "/a/c", "ANY /a/{p+}", ps("p", "c"), "longer prefix among ANY"},
		{"GET", "/a", "ANY /{p+}", ps("p", "a"), "[I] /a/{p+} needs a segment after /a"},
		{"GET", "/b/c/d", "ANY /{p+}", ps("p", "b/c/d"), "only the root greedy"},
		{"POST", "/a/b/c", "ANY /a/{p+}", ps("p", "b/c"), "method filters greedy routes"},
		{"GET", "/a/b/", "GET /a/{p+}", ps("p", "b/"), "[I] an empty remainder does not match, a trailing slash is kept"},
		{"GET", "/a//b", "GET /a/{p+}", ps("p", "/b"), "[I] empty segments stay in a greedy value"},
		{"GET", "/a/b%2Fc/d", "GET /a/{x}/{p+}", ps("x", "b/c", "p", "d"), "%2F is not a separator"},
		{"GET", "/a/x%2Fy", "GET /{x}/{y}", ps("x", "a", "y", "x/y"), "%2F is not a separator"},
		{"GET", "/a/b/c%20d/e", "GET /a/b/{p+}", ps("p", "c d/e"), "greedy values are decoded"},
		{"GET", "/q/a%2Fb/c", "ANY /{p+}", ps("p", "q/a/b/c"), "a decoded greedy value cannot tell %2F from /"},
		{"GET", "/", notFound, nil, "[I] /{p+} does not match /"},
	})
}

// TestGreedyMethods: GET /pets/{proxy+} beats ANY /{proxy+} [V]; at the same
// prefix an exact method beats ANY; path before method.
func TestGreedyMethods(t *testing.T) {
	keys := []string{"GET /pets/{proxy+}", "ANY /{proxy+}", "ANY /pets/{proxy+}", "GET /{proxy+}", "OPTIONS /{proxy+}", "$default"}
	check(t, keys, []request{
		{"GET", "/pets/1", "GET /pets/{proxy+}", ps("proxy", "1"), "exact method, longer prefix"},
		{"POST", "/pets/1", "ANY /pets/{proxy+}", ps("proxy", "1"), "longer prefix among ANY routes"},
		{"GET", "/toys/1", "GET /{proxy+}", ps("proxy", "toys/1"), "exact method beats ANY at the same prefix"},
		{"OPTIONS", "/toys/1", "OPTIONS /{proxy+}", ps("proxy", "toys/1"), "[V] OPTIONS /{proxy+} outranks $default (spec B.7)"},
		{"OPTIONS", "/pets/1", "ANY /pets/{proxy+}", ps("proxy", "1"), "[I] path before method: ANY /pets/{proxy+} beats OPTIONS /{proxy+}"},
		{"PUT", "/toys", "ANY /{proxy+}", ps("proxy", "toys"), "ANY at the root"},
		{"GET", "/", "$default", nil, "$default last"},
	})
}

// TestRootGreedy: "/" and the root greedy route.
func TestRootGreedy(t *testing.T) {
	check(t, []string{"GET /", "ANY /{proxy+}"}, []request{
		{"GET", "/", "GET /", nil, "root"},
		{"POST", "/", notFound, nil, "[I] /{proxy+} does not match / "},
		{"GET", "", "GET /", nil, "[I] empty is /"},
		{"GET", "//", "ANY /{proxy+}", ps("proxy", "/"), "[I] a non-empty remainder, even of empty segments"},
		{"GET", "/x", "ANY /{proxy+}", ps("proxy", "x"), "greedy at the root"},
	})
}

// TestSameShape: keys that differ only by variable names select the smaller
// key, whatever their order ([I]).
func TestSameShape(t *testing.T) {
	for _, keys := range [][]string{
		{"GET /pets/{name}", "GET /pets/{id}", "ANY /{rest+}", "ANY /{proxy+}"},
		{"ANY /{proxy+}", "GET /pets/{id}", "ANY /{rest+}", "GET /pets/{name}"},
	} {
		check(t, keys, []request{
			{"GET", "/pets/1", "GET /pets/{id}", ps("id", "1"), "[I] smaller key"},
			{"POST", "/pets/1", "ANY /{proxy+}", ps("proxy", "pets/1"), "[I] smaller key"},
		})
	}
}

// TestRepeatedName: a key that names a variable twice returns both; Get and
// Map keep the last ([I]; the control plane does not refuse such keys).
func TestRepeatedName(t *testing.T) {
	check(t, []string{"GET /{id}/{id}"}, []request{
		{"GET", "/a/b", "GET /{id}/{id}", ps("id", "a", "id", "b"), "both, in order"},
	})
	m, err := compileKeys(t, "GET /{id}/{id}").Match("GET", "/a/b", nil)
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := m.Params.Get("id"); v != "b" {
		t.Errorf("Get(id) = %q, want b", v)
	}
	if got := m.Params.Map(); !reflect.DeepEqual(got, map[string]string{"id": "b"}) {
		t.Errorf("Map() = %v", got)
	}
}

func TestParamsHelpers(t *testing.T) {
	tab := compileKeys(t, "GET /pets/{id}/{rest+}", "GET /pets")
	m, err := tab.Match("GET", "/pets/7/a/b", nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := m.Params.Map(); !reflect.DeepEqual(got, map[string]string{"id": "7", "rest": "a/b"}) {
		t.Errorf("Map() = %v", got)
	}
	if v, ok := m.Params.Get("rest"); !ok || v != "a/b" {
		t.Errorf("Get(rest) = %q, %v", v, ok)
	}
	if _, ok := m.Params.Get("nope"); ok {
		t.Error("Get(nope) found a value")
	}
	m, err = tab.Match("GET", "/pets", nil)
	if err != nil {
		t.Fatal(err)
	}
	if m.Params != nil || m.Params.Map() != nil {
		t.Errorf("a route without variables has Params %v, Map %v; want nil, nil (pathParameters absent)", m.Params, m.Params.Map())
	}
}

// TestParamsBuffer: the parameters land in the caller's buffer.
func TestParamsBuffer(t *testing.T) {
	tab := compileKeys(t, "GET /pets/{id}")
	var buf [4]Param
	m, err := tab.Match("GET", "/pets/7", buf[:0])
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Params) != 1 || &m.Params[0] != &buf[0] || buf[0] != (Param{"id", "7"}) {
		t.Errorf("Params %v do not use the buffer %v", m.Params, buf)
	}
	// A buffer with old content is reused from its start.
	m, _ = tab.Match("GET", "/pets/8", m.Params)
	if len(m.Params) != 1 || m.Params[0].Value != "8" {
		t.Errorf("reused buffer: %v", m.Params)
	}
}

func TestEmptyTable(t *testing.T) {
	for _, routes := range [][]Route{nil, {}} {
		tab, err := Compile(routes)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tab.Match("GET", "/", nil); !errors.Is(err, ErrNotFound) {
			t.Errorf("empty table: %v, want ErrNotFound", err)
		}
		if tab.Len() != 0 {
			t.Errorf("Len = %d", tab.Len())
		}
	}
}

func TestDefaultOnly(t *testing.T) {
	check(t, []string{"$default"}, []request{
		{"GET", "/", "$default", nil, "everything"},
		{"DELETE", "/a/b/c/", "$default", nil, "everything"},
		{"get", "//", "$default", nil, "everything"},
		{"GET", "/a%zz", badPath, nil, "[I] a bad path is 400 even with $default"},
	})
}

// TestCompileErrors: Compile refuses, with a *KeyError and never a panic,
// what it cannot match.
func TestCompileErrors(t *testing.T) {
	for _, tc := range []struct {
		keys []string
		bad  int // index of the refused key
		why  string
	}{
		{[]string{""}, 0, "not $default or a method"},
		{[]string{"GET"}, 0, "not $default or a method"},
		{[]string{"$connect"}, 0, "not $default or a method"},
		{[]string{"get /pets"}, 0, "not $default or a method"},
		{[]string{"FOO /x"}, 0, "not $default or a method"},
		{[]string{"GET\t/x"}, 0, "not $default or a method"},
		{[]string{"GET pets"}, 0, "does not start with /"},
		{[]string{"GET  /x"}, 0, "does not start with /"},
		{[]string{"GET "}, 0, "does not start with /"},
		{[]string{"GET /pets/"}, 0, "empty segment"},
		{[]string{"GET //pets"}, 0, "empty segment"},
		{[]string{"GET /a//b"}, 0, "empty segment"},
		{[]string{"GET /{proxy+}/x"}, 0, "is not the last segment"},
		{[]string{"GET /a{b}"}, 0, "whole segment"},
		{[]string{"GET /{b}a"}, 0, "whole segment"},
		{[]string{"GET /}"}, 0, "whole segment"},
		{[]string{"GET /{"}, 0, "whole segment"},
		{[]string{"GET /{}"}, 0, "no name"},
		{[]string{"GET /{+}"}, 0, "no name"},
		{[]string{"GET /{a b}"}, 0, "characters other than"},
		{[]string{"GET /{a{b}"}, 0, "characters other than"},
		{[]string{"GET /{a++}"}, 0, "characters other than"},
		{[]string{"GET /x", "POST /x", "GET /x"}, 2, "the same key as route 0"},
		{[]string{"$default", "$default"}, 1, "the same key as route 0"},
	} {
		routes := make([]Route, len(tc.keys))
		for i, k := range tc.keys {
			routes[i] = Route{Key: k}
		}
		tab, err := Compile(routes)
		var ke *KeyError
		if !errors.As(err, &ke) {
			t.Errorf("Compile(%q) = %v, %v; want a *KeyError", tc.keys, tab, err)
			continue
		}
		if tab != nil || ke.Index != tc.bad || ke.Key != tc.keys[tc.bad] || !strings.Contains(ke.Reason, tc.why) {
			t.Errorf("Compile(%q): %v; want route %d refused for %q", tc.keys, err, tc.bad, tc.why)
		}
		if _, refErr := parseRef(tc.keys); refErr == nil {
			t.Errorf("the reference parser accepts %q", tc.keys)
		}
	}
}

// TestCompileAccepts: keys the control plane saves (internal/apigw
// checkHTTPRouteKey) compile.
func TestCompileAccepts(t *testing.T) {
	keys := []string{"$default", "GET /", "ANY /{proxy+}", "POST /{proxy+}", "PUT /a/{b}/c/{d+}", "PATCH /a.b-c_d~!$&'()*,;=:@",
		"DELETE /{a.b-c_d}", "HEAD /a%20b", "OPTIONS /100%", "GET /{a}/{a}", "GET /{A9}/x"}
	compileKeys(t, keys...)
	if _, err := parseRef(keys); err != nil {
		t.Errorf("the reference parser refuses: %v", err)
	}
}

// TestNoAllocs: a match allocates nothing when the caller gives a buffer and
// no parameter needs decoding, whatever the size of the table.
func TestNoAllocs(t *testing.T) {
	tab := compileKeys(t, benchKeys(300)...)
	var buf [4]Param
	for _, rq := range []struct{ method, path string }{
		{"GET", "/r7/items"},         // static
		{"GET", "/r7/items/42"},      // variable
		{"DELETE", "/r7/items/42"},   // ANY
		{"GET", "/r7/fi%6Ces/a/b/c"}, // encoded literal, greedy
		{"GET", "/nothing/here"},     // $default
	} {
		if _, err := tab.Match(rq.method, rq.path, buf[:0]); err != nil {
			t.Fatalf("%s %s: %v", rq.method, rq.path, err)
		}
		if n := testing.AllocsPerRun(100, func() { _, _ = tab.Match(rq.method, rq.path, buf[:0]) }); n != 0 {
			t.Errorf("%s %s: %v allocations per match, want 0", rq.method, rq.path, n)
		}
	}
}
