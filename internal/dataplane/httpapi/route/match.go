package route

import (
	"errors"
	"net/url"
	"strings"
)

// Param is one path parameter of a match: the variable's name and its
// percent-decoded value. A greedy value keeps its slashes ("cat/1").
type Param struct {
	Name, Value string
}

// Params are the path parameters of a match, in the order of the route key.
type Params []Param

// Get is the value of the named parameter. A key may name a variable twice
// (the control plane does not refuse it); the last one counts, as in Map.
func (p Params) Get(name string) (string, bool) {
	for i := len(p) - 1; i >= 0; i-- {
		if p[i].Name == name {
			return p[i].Value, true
		}
	}
	return "", false
}

// Map is the parameters as a map (pathParameters of the Lambda event), or nil
// when there are none, so that the caller can leave the member out.
func (p Params) Map() map[string]string {
	if len(p) == 0 {
		return nil
	}
	m := make(map[string]string, len(p))
	for _, kv := range p {
		m[kv.Name] = kv.Value
	}
	return m
}

// Match is the route selected for a request.
type Match struct {
	Route         // the selected route's key and ID
	Index  int    // its position in the slice given to Compile
	Params Params // its path parameters; nil for a route without variables
}

// The two ways a request can fail to select a route. The engine answers
// ErrNotFound with 404 {"message":"Not Found"} (docs/aws-behaviours.md#http-routing, #http-errors) and
// ErrBadPath with 400 {"message":"Bad Request"} ([I]).
var (
	ErrNotFound = errors.New("route: no route matches the request")
	ErrBadPath  = errors.New("route: the request path is not a valid percent-encoded path")
)

// Match selects the route for a request. rawPath is the path after the stage
// segment, still percent-encoded ("" is "/"); method is case-sensitive.
//
// The parameters are appended to params[:0] and returned in the Match: a
// caller that keeps a buffer (a [4]Param in its per-request state) makes
// Match allocation-free; with a nil buffer Match allocates one slice when the
// route has variables. Values that hold percent-escapes are decoded into new
// strings; the others are substrings of rawPath.
func (t *Table) Match(method, rawPath string, params Params) (Match, error) {
	if rawPath == "" {
		rawPath = "/"
	}
	if !validPath(rawPath) {
		return Match{}, ErrBadPath
	}
	s := search{path: rawPath, method: methodIndex(method), greedy: -1}
	start := 1 // offset of the first segment
	if rawPath == "/" {
		start = len(rawPath) + 1 // no segments at all
	}
	i := s.walk(&t.root, start)
	if i < 0 {
		i = s.greedy
	}
	if i < 0 {
		i = t.deflt
	}
	if i < 0 {
		return Match{}, ErrNotFound
	}
	r := &t.routes[i]
	m := Match{Route: r.Route, Index: int(i)}
	if len(r.params) > 0 {
		m.Params = r.appendParams(params[:0], rawPath)
	}
	return m, nil
}

// search is the state of one Match. Segments are not split up front: pos is
// the offset in path where the current segment starts, and pos > len(path)
// means that no segment is left (path "/a/" has the segments "a" and "").
type search struct {
	path   string
	method int
	// greedy is the best greedy route met so far, or -1. The walk visits
	// literal children, then the variable child, then the node's own greedy
	// routes, so the first greedy route it meets is the best one.
	greedy int32
}

// walk returns the best full match under n for the segments from pos, or -1.
// It records the best greedy match on the way. Each trie node is visited at
// most once, and only nodes that match the request's segments so far, so the
// cost follows the depth of the path, not the number of routes.
func (s *search) walk(n *node, pos int) int32 {
	if pos > len(s.path) {
		return n.end.pick(s.method)
	}
	end := len(s.path)
	if i := strings.IndexByte(s.path[pos:], '/'); i >= 0 {
		end = pos + i
	}
	seg := s.path[pos:end]
	if n.static != nil && seg != "" {
		if c := lookup(n.static, seg); c != nil {
			if r := s.walk(c, end+1); r >= 0 {
				return r
			}
		}
	}
	if n.variable != nil && seg != "" {
		if r := s.walk(n.variable, end+1); r >= 0 {
			return r
		}
	}
	// A greedy variable takes the rest of the path, which must not be empty
	// ([I]: /pets/{proxy+} does not match /pets/).
	if s.greedy < 0 && pos < len(s.path) {
		s.greedy = n.greedy.pick(s.method)
	}
	return -1
}

// lookup finds the child for a raw segment, comparing decoded values. A
// segment with escapes is decoded into a stack buffer: the map lookup with
// string(b) does not allocate.
func lookup(m map[string]*node, seg string) *node {
	if strings.IndexByte(seg, '%') < 0 {
		return m[seg]
	}
	var buf [64]byte
	b := buf[:0]
	for i := 0; i < len(seg); i++ {
		if seg[i] == '%' { // validPath checked the two hex digits
			b = append(b, unhex(seg[i+1])<<4|unhex(seg[i+2]))
			i += 2
			continue
		}
		b = append(b, seg[i])
	}
	return m[string(b)]
}

// appendParams appends the route's parameters, read from the request path
// that it matched.
func (r *compiled) appendParams(dst Params, path string) Params {
	pos, seg := 1, 0
	for _, p := range r.params {
		for ; seg < p.seg; seg++ {
			pos += strings.IndexByte(path[pos:], '/') + 1
		}
		end := len(path)
		if !p.greedy {
			if i := strings.IndexByte(path[pos:], '/'); i >= 0 {
				end = pos + i
			}
		}
		dst = append(dst, Param{Name: p.name, Value: decode(path[pos:end])})
	}
	return dst
}

// decode percent-decodes a validated piece of path ("+" stays "+").
func decode(s string) string {
	if strings.IndexByte(s, '%') < 0 {
		return s
	}
	d, err := url.PathUnescape(s)
	if err != nil { // unreachable: validPath ran first
		return s
	}
	return d
}

// validPath: an origin-form path whose every "%" starts an escape.
func validPath(p string) bool {
	if p == "" || p[0] != '/' {
		return false
	}
	for i := strings.IndexByte(p, '%'); i >= 0; {
		if i+2 >= len(p) || !ishex(p[i+1]) || !ishex(p[i+2]) {
			return false
		}
		j := strings.IndexByte(p[i+3:], '%')
		if j < 0 {
			break
		}
		i += 3 + j
	}
	return true
}

func ishex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}
