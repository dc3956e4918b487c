// Package route is the route table of an HTTP API: compiled once per
// deployment from the API's route keys, matched on every request.
//
// It implements the route selection of AWS HTTP APIs
// (docs/aws-behaviours.md#http-routing; the errors are those of
// #http-errors), compiled once per deployment (docs/architecture.md#http-api-engine):
//
//   - A route key is "$default" or "METHOD /path" with METHOD one of GET, POST,
//     PUT, PATCH, DELETE, HEAD, OPTIONS or ANY. Path segments are literals or
//     whole-segment variables {name}; a greedy variable {name+} may only be
//     the last segment; "/" is a path [V].
//   - A full match (every segment matched, variables included) beats a
//     greedy match, which beats $default; no match is 404 Not Found [V].
//   - Among full matches a literal segment beats a variable at the same
//     position, decided from the left: GET /pets/dog/1 beats GET
//     /pets/dog/{id} [V]. Among greedy matches the same order holds, and a
//     greedy variable ranks below both at its position, so the longer prefix
//     wins (a tie-break the spec marks [I]): GET /pets/{proxy+} beats ANY
//     /{proxy+} [V]; GET /a/{x}/{p+} beats GET /a/{p+} [I].
//   - At equal path specificity an exact method beats ANY: ANY only catches
//     the methods that path does not define itself [V]. Path specificity
//     comes first: ANY /pets/dog beats GET /pets/{id} for GET /pets/dog [I].
//   - Request segments are compared after percent-decoding, one segment at a
//     time, so an encoded slash (%2F) stays inside its segment and its
//     parameter [V: AWS decodes before the integration; per segment: I].
//
// Choices made without AWS evidence, each pinned by a test ([I]):
//
//   - A greedy variable needs a non-empty remainder: /pets/{proxy+} matches
//     neither /pets nor /pets/ (as REST APIs, where {proxy+} does not match
//     "/", as the maintainer of logandk/serverless-wsgi reports in issue #20).
//   - A trailing slash is significant: /pets/ does not match GET /pets, and
//     a variable never matches an empty segment, so /pets/ does not match
//     GET /pets/{id} and /a//b matches no non-greedy route with three
//     segments. A greedy value keeps empty segments and trailing slashes.
//   - Methods are case-sensitive, as in HTTP: "get" is not GET. ANY matches
//     every method, including ones a route key cannot name ("get", PROPFIND).
//   - HEAD is not answered by a GET route: it needs a HEAD or ANY route (or
//     $default), like any other method.
//   - An empty path is the root "/" (https://host/stage and .../stage/ both
//     reach GET /). A path that does not start with "/", or that holds a "%"
//     not followed by two hex digits, is ErrBadPath, checked before any
//     route, $default included: the engine answers 400 Bad Request, as Go's
//     own server does for such request lines.
//   - A literal segment in a key is percent-decoded too, so GET /a%20b
//     matches /a%20b; a literal that is not valid percent-encoding (GET
//     /100%) is compared as written (it matches /100%25).
//   - Two keys of the same method and shape that differ only by variable
//     names (GET /pets/{id}, GET /pets/{name}) cannot both win: the smaller
//     key in byte order does; the other is never selected.
//
// Compile does all parsing and validation; Match does not allocate unless
// the matched route has parameters whose values are percent-encoded, or the
// caller gives no buffer for the parameters.
package route

import (
	"fmt"
	"net/url"
	"strings"
)

// Route is one route of a deployment: its key and its RouteId, passed through
// to the Match that selects it.
type Route struct {
	Key string
	ID  string
}

// DefaultKey is the catch-all route key.
const DefaultKey = "$default"

// KeyError is a route key that Compile refuses. The control plane validates
// keys when they are saved (internal/apigw checkHTTPRouteKey); Compile accepts
// everything that check accepts and refuses what it cannot match.
type KeyError struct {
	Index  int // position of the route in the slice given to Compile
	Key    string
	Reason string
}

func (e *KeyError) Error() string {
	return fmt.Sprintf("route: invalid route key %q (route %d): %s", e.Key, e.Index, e.Reason)
}

// Table is a compiled route table. It is immutable and safe for concurrent use.
type Table struct {
	routes []compiled
	root   node
	deflt  int32 // index of $default, or -1
}

// compiled is one route with what Match needs to return its parameters.
type compiled struct {
	Route
	params []param
}

// param is a variable of a route key: its name and the index of its segment.
type param struct {
	name   string
	seg    int
	greedy bool
}

// node is one position of the segment trie. Routes sharing a prefix share
// nodes; the path of nodes from the root spells the route's path.
type node struct {
	static   map[string]*node // decoded literal segment -> child
	variable *node            // the {name} child; names live on the routes
	end      slots            // routes whose path ends here
	greedy   slots            // routes whose {name+} follows this node
}

// Method slots: the seven methods a key can name, then ANY.
const (
	mGET = iota
	mPOST
	mPUT
	mPATCH
	mDELETE
	mHEAD
	mOPTIONS
	mANY
	numMethods
)

// methodIndex maps a request method to its slot, or -1 for a method no key
// can name (it can still match ANY). Case-sensitive: "get" is -1.
func methodIndex(m string) int {
	switch m {
	case "GET":
		return mGET
	case "POST":
		return mPOST
	case "PUT":
		return mPUT
	case "PATCH":
		return mPATCH
	case "DELETE":
		return mDELETE
	case "HEAD":
		return mHEAD
	case "OPTIONS":
		return mOPTIONS
	case "ANY":
		return mANY
	}
	return -1
}

// slots holds, per method slot, the index of the route there, or -1.
type slots [numMethods]int32

func emptySlots() slots {
	var s slots
	for i := range s {
		s[i] = -1
	}
	return s
}

// pick is the route for method slot m: the exact method, else ANY.
// A request whose method is "ANY" is not special: it is an unknown method.
func (s *slots) pick(m int) int32 {
	if m >= 0 && m < mANY && s[m] >= 0 {
		return s[m]
	}
	return s[mANY]
}

// Compile builds the table of an HTTP API's routes. The Index of a Match is
// the position of its route in routes. A key Compile cannot handle is a
// *KeyError; two routes with the same key are an error too.
func Compile(routes []Route) (*Table, error) {
	t := &Table{routes: make([]compiled, len(routes)), deflt: -1}
	t.root = newNode()
	seen := make(map[string]int, len(routes))
	for i, r := range routes {
		if j, dup := seen[r.Key]; dup {
			return nil, &KeyError{Index: i, Key: r.Key, Reason: fmt.Sprintf("the same key as route %d", j)}
		}
		seen[r.Key] = i
		t.routes[i].Route = r
		if r.Key == DefaultKey {
			t.deflt = int32(i)
			continue
		}
		if err := t.add(i, r.Key); err != nil {
			return nil, err
		}
	}
	return t, nil
}

func newNode() node {
	return node{end: emptySlots(), greedy: emptySlots()}
}

// add parses "METHOD /path" and inserts route i into the trie.
func (t *Table) add(i int, key string) error {
	bad := func(why string) error { return &KeyError{Index: i, Key: key, Reason: why} }
	method, path, ok := strings.Cut(key, " ")
	m := methodIndex(method)
	if !ok || m < 0 {
		return bad("not $default or a method (ANY, GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS), a space and a path")
	}
	if !strings.HasPrefix(path, "/") {
		return bad("the path does not start with /")
	}
	n := &t.root
	var params []param
	if path != "/" {
		segs := strings.Split(path[1:], "/")
		for s, seg := range segs {
			name, greedy, isVar, err := parseSegment(seg)
			if err != "" {
				return bad(err)
			}
			switch {
			case greedy:
				if s != len(segs)-1 {
					return bad("a greedy variable {name+} is not the last segment")
				}
				params = append(params, param{name: name, seg: s, greedy: true})
				t.routes[i].params = params
				t.place(&n.greedy, m, i)
				return nil
			case isVar:
				params = append(params, param{name: name, seg: s})
				if n.variable == nil {
					c := newNode()
					n.variable = &c
				}
				n = n.variable
			default:
				lit := decodeLiteral(seg)
				if n.static == nil {
					n.static = make(map[string]*node)
				}
				c := n.static[lit]
				if c == nil {
					nn := newNode()
					c = &nn
					n.static[lit] = c
				}
				n = c
			}
		}
	}
	t.routes[i].params = params
	t.place(&n.end, m, i)
	return nil
}

// place puts route i in slot m. Two different keys land in the same slot only
// when they differ by variable names alone; the smaller key wins ([I], see
// the package comment), so the table does not depend on the order of routes.
func (t *Table) place(s *slots, m, i int) {
	if j := s[m]; j < 0 || t.routes[i].Key < t.routes[j].Key {
		s[m] = int32(i)
	}
}

// parseSegment classifies one segment of a key's path. It refuses what the
// control plane refuses about braces and empty segments; other characters of
// a literal are kept as they are (a literal no request can produce simply
// never matches).
func parseSegment(seg string) (name string, greedy, isVar bool, err string) {
	if seg == "" {
		return "", false, false, "the path has an empty segment"
	}
	if !strings.ContainsAny(seg, "{}") {
		return "", false, false, ""
	}
	if len(seg) < 2 || seg[0] != '{' || seg[len(seg)-1] != '}' {
		return "", false, false, "a path variable is not a whole segment {name} or {name+}"
	}
	name = seg[1 : len(seg)-1]
	if strings.HasSuffix(name, "+") {
		name, greedy = name[:len(name)-1], true
	}
	if name == "" {
		return "", false, false, "a path variable has no name"
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return "", false, false, "a path variable name has characters other than A-Z a-z 0-9 . _ -"
		}
	}
	return name, greedy, true, ""
}

// decodeLiteral percent-decodes a literal segment of a key, so that it is
// compared with decoded request segments; a literal that is not valid
// percent-encoding is compared as written ([I]).
func decodeLiteral(seg string) string {
	if strings.IndexByte(seg, '%') < 0 {
		return seg
	}
	if d, err := url.PathUnescape(seg); err == nil {
		return d
	}
	return seg
}

// Len is the number of routes in the table, $default included.
func (t *Table) Len() int { return len(t.routes) }
