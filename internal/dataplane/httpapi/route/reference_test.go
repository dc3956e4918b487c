package route

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

// The reference matcher: the rules of the package comment written the
// simplest way, with no trie. It parses every key with the control plane's
// regular expression, and scores every route against every request.

type refRoute struct {
	key, method string
	segs        []refSeg
	greedy      bool // the last segment is {name+}
}

type refSeg struct {
	lit  string // decoded literal, when name == ""
	name string
}

type refTable struct {
	routes []refRoute // index = the route's index in Compile's input
	deflt  int
}

// refParam is the control plane's pattern of a path variable
// (internal/apigw/routes.go).
var refParam = regexp.MustCompile(`^\{[A-Za-z0-9._-]+\+?\}$`)

func parseRef(keys []string) (*refTable, error) {
	rt := &refTable{deflt: -1}
	seen := map[string]bool{}
	for i, key := range keys {
		if seen[key] {
			return nil, fmt.Errorf("duplicate %q", key)
		}
		seen[key] = true
		rt.routes = append(rt.routes, refRoute{key: key})
		if key == "$default" {
			rt.deflt = i
			continue
		}
		method, path, ok := strings.Cut(key, " ")
		switch method {
		case "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY":
		default:
			ok = false
		}
		if !ok || !strings.HasPrefix(path, "/") {
			return nil, fmt.Errorf("bad key %q", key)
		}
		r := &rt.routes[i]
		r.method = method
		if path == "/" {
			continue
		}
		parts := strings.Split(path[1:], "/")
		for j, p := range parts {
			switch {
			case p == "":
				return nil, fmt.Errorf("empty segment in %q", key)
			case strings.ContainsAny(p, "{}"):
				if !refParam.MatchString(p) {
					return nil, fmt.Errorf("bad variable in %q", key)
				}
				name := strings.Trim(p, "{}")
				if strings.HasSuffix(name, "+") {
					if j != len(parts)-1 {
						return nil, fmt.Errorf("greedy not last in %q", key)
					}
					r.greedy = true
					name = strings.TrimSuffix(name, "+")
				}
				r.segs = append(r.segs, refSeg{name: name})
			default:
				lit, err := url.PathUnescape(p)
				if err != nil {
					lit = p
				}
				r.segs = append(r.segs, refSeg{lit: lit})
			}
		}
	}
	return rt, nil
}

func mustRef(t testing.TB, keys []string) *refTable {
	t.Helper()
	rt, err := parseRef(keys)
	if err != nil {
		t.Fatalf("reference: %v", err)
	}
	return rt
}

// candidate is a route that matches a request, with what ranks it.
type candidate struct {
	index  int
	full   bool
	ranks  []int // per segment: 2 literal, 1 variable, 0 greedy
	exact  bool  // the method is the request's, not ANY
	params Params
}

// better: full before greedy, then segment ranks from the left, then exact
// method before ANY, then the smaller key.
func (rt *refTable) better(a, b *candidate) bool {
	if a.full != b.full {
		return a.full
	}
	for i := 0; i < len(a.ranks) && i < len(b.ranks); i++ {
		if a.ranks[i] != b.ranks[i] {
			return a.ranks[i] > b.ranks[i]
		}
	}
	if a.exact != b.exact {
		return a.exact
	}
	return rt.routes[a.index].key < rt.routes[b.index].key
}

// match returns the index of the selected route and its parameters.
func (rt *refTable) match(method, rawPath string) (int, Params, error) {
	if rawPath == "" {
		rawPath = "/"
	}
	if !strings.HasPrefix(rawPath, "/") {
		return 0, nil, ErrBadPath
	}
	if _, err := url.PathUnescape(rawPath); err != nil {
		return 0, nil, ErrBadPath
	}
	var raw []string
	if rawPath != "/" {
		raw = strings.Split(rawPath[1:], "/")
	}
	dec := make([]string, len(raw))
	for i, s := range raw {
		dec[i], _ = url.PathUnescape(s)
	}
	var best *candidate
	for i, r := range rt.routes {
		if i == rt.deflt || (r.method != method && r.method != "ANY") {
			continue
		}
		c := &candidate{index: i, exact: r.method == method}
		n := len(r.segs) // segments before the remainder
		if r.greedy {
			n--
			if len(raw) <= n || strings.Join(raw[n:], "/") == "" {
				continue
			}
		} else if len(raw) != n {
			continue
		}
		ok := true
		for j := 0; j < n && ok; j++ {
			switch s := r.segs[j]; {
			case s.name != "" && dec[j] != "":
				c.ranks = append(c.ranks, 1)
				c.params = append(c.params, Param{s.name, dec[j]})
			case s.name == "" && s.lit == dec[j]:
				c.ranks = append(c.ranks, 2)
			default:
				ok = false
			}
		}
		if !ok {
			continue
		}
		c.full = !r.greedy
		if r.greedy {
			v, _ := url.PathUnescape(strings.Join(raw[n:], "/"))
			c.ranks = append(c.ranks, 0)
			c.params = append(c.params, Param{r.segs[n].name, v})
		}
		if best == nil || rt.better(c, best) {
			best = c
		}
	}
	switch {
	case best != nil:
		return best.index, best.params, nil
	case rt.deflt >= 0:
		return rt.deflt, nil, nil
	}
	return 0, nil, ErrNotFound
}

// diff compares a Match result with the reference's answer; "" when equal.
func (rt *refTable) diff(m Match, err error, method, path string) string {
	ri, rp, rerr := rt.match(method, path)
	switch {
	case rerr != nil || err != nil:
		if !errors.Is(err, rerr) {
			return fmt.Sprintf("Match: %v, %v; reference: %v", m.Key, err, rerr)
		}
	case m.Index != ri || m.Key != rt.routes[ri].key:
		return fmt.Sprintf("Match selected %d %q, reference %d %q", m.Index, m.Key, ri, rt.routes[ri].key)
	case !reflect.DeepEqual(m.Params, rp):
		return fmt.Sprintf("%q: params %q, reference %q", m.Key, m.Params, rp)
	}
	return ""
}

// TestAgainstReference: random route sets and random requests over a small
// alphabet, so that routes collide and every rule is exercised.
func TestAgainstReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	keySegs := []string{"a", "b", "c", "{x}", "{y}", "a%20b", "%61", "x%2Fy", "100%"}
	pathSegs := []string{"a", "b", "c", "", "a%20b", "a b", "%61", "x%2Fy", "x", "100%25", "%zz", "%", "a%4"}
	methods := []string{"GET", "POST", "HEAD", "ANY"}
	reqMethods := []string{"GET", "POST", "HEAD", "PUT", "get", "ANY"}
	pick := func(s []string) string { return s[rng.IntN(len(s))] }
	sets, requests := 3000, 40
	if testing.Short() {
		sets = 300
	}
	checked := map[string]int{}
	for range sets {
		var keys []string
		seen := map[string]bool{}
		for range rng.IntN(12) + 1 {
			var key string
			if rng.IntN(15) == 0 {
				key = "$default"
			} else {
				var b strings.Builder
				b.WriteString(pick(methods) + " ")
				depth := rng.IntN(4)
				for d := range depth {
					b.WriteString("/")
					if d == depth-1 && rng.IntN(3) == 0 {
						b.WriteString(pick([]string{"{p+}", "{q+}"}))
					} else {
						b.WriteString(pick(keySegs))
					}
				}
				if depth == 0 {
					b.WriteString("/")
					if rng.IntN(2) == 0 {
						b.WriteString(pick([]string{"{p+}", "{q+}"}))
					}
				}
				key = b.String()
			}
			if !seen[key] {
				seen[key] = true
				keys = append(keys, key)
			}
		}
		tab := compileKeys(t, keys...)
		ref := mustRef(t, keys)
		for range requests {
			var b strings.Builder
			depth := rng.IntN(5)
			for range depth {
				b.WriteString("/" + pick(pathSegs))
			}
			method, path := pick(reqMethods), b.String()
			m, err := tab.Match(method, path, nil)
			switch {
			case errors.Is(err, ErrNotFound):
				checked["not found"]++
			case err != nil:
				checked["bad path"]++
			case m.Key == "$default":
				checked["$default"]++
			case strings.HasSuffix(m.Key, "+}"):
				checked["greedy"]++
			default:
				checked["full"]++
			}
			if d := ref.diff(m, err, method, path); d != "" {
				t.Fatalf("routes %q, request %s %q: %s", keys, method, path, d)
			}
		}
	}
	// The generator must reach every outcome, or the test proves little.
	for _, k := range []string{"not found", "bad path", "$default", "greedy", "full"} {
		if checked[k] < 50 {
			t.Errorf("only %d requests ended %s: %v", checked[k], k, checked)
		}
	}
}

// FuzzMatch: any keys, method and path. Compile never panics and refuses
// exactly what the reference parser refuses; Match never panics and agrees
// with the reference matcher.
func FuzzMatch(f *testing.F) {
	for _, s := range [][3]string{
		{"GET /pets/dog/1\nGET /pets/dog/{id}\nGET /pets/{proxy+}\nANY /{proxy+}\n$default", "GET", "/pets/dog/2"},
		{"GET /pets/{proxy+}\nANY /{proxy+}", "GET", "/pets/"},
		{"GET /a/{x}/{p+}\nGET /a/b/{p+}\nGET /{x}/{y}", "GET", "/a/b%2Fc/d"},
		{"ANY /a%20b\nGET /{id}", "GET", "/a b"},
		{"GET /100%\nGET /{id}/{id}", "get", "/100%25"},
		{"GET /\nANY /{proxy+}", "POST", "//"},
		{"GET /{a}\nGET /{b}", "GET", "/%zz"},
		{"GET /{proxy+}/x\nGET /{}", "GET", "/x"},
		{"$default\n$default", "GET", ""},
		{"GET /a\nHEAD /a", "HEAD", "a"},
	} {
		f.Add(s[0], s[1], s[2])
	}
	f.Fuzz(func(t *testing.T, keyList, method, path string) {
		keys := strings.Split(keyList, "\n")
		if len(keys) > 64 {
			keys = keys[:64]
		}
		routes := make([]Route, len(keys))
		for i, k := range keys {
			routes[i] = Route{Key: k, ID: fmt.Sprint(i)}
		}
		tab, err := Compile(routes)
		ref, refErr := parseRef(keys)
		if (err == nil) != (refErr == nil) {
			t.Fatalf("Compile(%q): %v; reference parser: %v", keys, err, refErr)
		}
		if err != nil {
			var ke *KeyError
			if !errors.As(err, &ke) {
				t.Fatalf("Compile(%q): %T %v, want a *KeyError", keys, err, err)
			}
			return
		}
		m, err := tab.Match(method, path, nil)
		if d := ref.diff(m, err, method, path); d != "" {
			t.Fatalf("routes %q, request %q %q: %s", keys, method, path, d)
		}
		if err == nil && m.ID != fmt.Sprint(m.Index) {
			t.Fatalf("ID %q for index %d", m.ID, m.Index)
		}
	})
}
