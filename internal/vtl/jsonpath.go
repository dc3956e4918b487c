package vtl

import (
	"strings"

	"github.com/theory/jsonpath"
	"github.com/theory/jsonpath/spec"
)

// JSONPath for $input.json and $input.path. API Gateway evaluates paths
// with Jayway JsonPath; we parse them with github.com/theory/jsonpath
// (RFC 9535) after a small shim for the Jayway spellings templates use, and
// walk our ordered values ourselves so results keep document order (the
// library's own walk over Go maps would not).

type compiledPath struct {
	q         *spec.PathQuery
	singular  bool // a definite path: one value, not a list of matches
	hasFilter bool // filters need Go-native values for the library to test
}

func (e *exec) compilePath(path string) (*compiledPath, error) {
	if cp, ok := e.t.paths.Load(path); ok {
		return cp.(*compiledPath), nil
	}
	if err := e.charge(len(path) * 16); err != nil {
		return nil, err
	}
	p, err := jsonpath.Parse(jaywayToRFC(path))
	if err != nil {
		msg := err.Error()
		msg = strings.TrimPrefix(msg, "jsonpath: ")
		return nil, rtErrorf("invalid JSONPath %q: %s", path, msg)
	}
	q := p.Query()
	cp := &compiledPath{q: q, singular: q.Singular() != nil, hasFilter: hasFilter(q)}
	if e.t.cached.Add(1) <= maxCached {
		e.t.paths.Store(path, cp)
	}
	return cp, nil
}

func hasFilter(q *spec.PathQuery) bool {
	for _, seg := range q.Segments() {
		for _, sel := range seg.Selectors() {
			if _, ok := sel.(*spec.FilterSelector); ok {
				return true
			}
		}
	}
	return false
}

// jaywayToRFC rewrites the Jayway forms RFC 9535 lacks: a path without "$"
// is relative to the root ("a.b" means "$.a.b"), and dot names may hold
// characters such as "-" or start with a digit ("$.a-b", "$.1"), which RFC
// 9535 only accepts in brackets.
func jaywayToRFC(path string) string {
	p := strings.TrimSpace(path)
	switch {
	case p == "":
		return "$"
	case p[0] == '$' || p[0] == '@':
	case p[0] == '[':
		p = "$" + p
	default:
		p = "$." + p
	}
	var b strings.Builder
	for i := 0; i < len(p); {
		c := p[i]
		switch {
		case c == '\'' || c == '"':
			j := i + 1
			for j < len(p) && p[j] != c {
				if p[j] == '\\' {
					j++
				}
				j++
			}
			j = min(j+1, len(p))
			b.WriteString(p[i:j])
			i = j
		case c == '.':
			j := i + 1
			if j < len(p) && p[j] == '.' {
				j++
			}
			b.WriteString(p[i:j])
			k := j
			for k < len(p) && !strings.ContainsRune(".[]()=<>!,&|? ~", rune(p[k])) {
				k++
			}
			name := p[j:k]
			if name == "" || name == "*" || validShorthand(name) || (k < len(p) && p[k] == '(') {
				b.WriteString(name)
			} else {
				// "$.a-b" -> "$['a-b']" (a single dot goes: "$.['a']" is not
				// RFC 9535, while "$..['a']" is).
				if j == i+1 {
					s := b.String()
					b.Reset()
					b.WriteString(s[:len(s)-1])
				}
				b.WriteString("['")
				b.WriteString(strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(name))
				b.WriteString("']")
			}
			i = k
		case isDigit(c) || c == '-':
			// A number (an index or a filter operand): copy it whole so its
			// decimal point is not taken for a member access.
			j := i + 1
			for j < len(p) && (isDigit(p[j]) || p[j] == '.' || p[j] == 'e' || p[j] == 'E' ||
				((p[j] == '+' || p[j] == '-') && (p[j-1] == 'e' || p[j-1] == 'E'))) {
				j++
			}
			b.WriteString(p[i:j])
			i = j
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String()
}

func validShorthand(name string) bool {
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c >= 0x80 || isAlpha(c) || c == '_' || (i > 0 && isDigit(c)) {
			continue
		}
		return false
	}
	return true
}

// jpNode pairs a value with its Go-native mirror (only when filters need it).
type jpNode struct {
	v, n any
}

func (e *exec) selectPath(cp *compiledPath, root any) ([]any, error) {
	var nroot any
	if cp.hasFilter {
		var err error
		if nroot, err = e.toNative(root, 0); err != nil {
			return nil, err
		}
	}
	nodes := []jpNode{{root, nroot}}
	for _, seg := range cp.q.Segments() {
		var next []jpNode
		for _, nd := range nodes {
			var err error
			if seg.IsDescendant() {
				next, err = e.descend(nd, seg.Selectors(), nroot, next, 0)
			} else {
				next, err = e.applySelectors(nd, seg.Selectors(), nroot, next)
			}
			if err != nil {
				return nil, err
			}
		}
		nodes = next
	}
	out := make([]any, len(nodes))
	for i, nd := range nodes {
		out[i] = nd.v
	}
	return out, nil
}

// children lists a node's children in document order.
func children(nd jpNode) []jpNode {
	switch v := nd.v.(type) {
	case *omap:
		nm, _ := nd.n.(map[string]any)
		out := make([]jpNode, len(v.keys))
		for i, k := range v.keys {
			out[i] = jpNode{v.vals[i], nm[k]}
		}
		return out
	case *vlist:
		nl, _ := nd.n.([]any)
		out := make([]jpNode, len(v.items))
		for i, x := range v.items {
			var n any
			if i < len(nl) {
				n = nl[i]
			}
			out[i] = jpNode{x, n}
		}
		return out
	}
	return nil
}

func (e *exec) applySelectors(nd jpNode, sels []spec.Selector, nroot any, out []jpNode) ([]jpNode, error) {
	for _, sel := range sels {
		if err := e.step(); err != nil {
			return nil, err
		}
		switch sel := sel.(type) {
		case spec.Name:
			if m, ok := nd.v.(*omap); ok {
				if v, ok := m.get(string(sel)); ok {
					nm, _ := nd.n.(map[string]any)
					out = append(out, jpNode{v, nm[string(sel)]})
				}
			}
		case spec.Index:
			if l, ok := nd.v.(*vlist); ok {
				i := int(sel)
				if i < 0 {
					i += len(l.items)
				}
				if i >= 0 && i < len(l.items) {
					var n any
					if nl, ok := nd.n.([]any); ok && i < len(nl) {
						n = nl[i]
					}
					out = append(out, jpNode{l.items[i], n})
				}
			}
		case spec.SliceSelector:
			if _, ok := nd.v.(*vlist); ok {
				kids := children(nd)
				lower, upper := sel.Bounds(len(kids))
				switch step := sel.Step(); {
				case step > 0:
					for i := lower; i < upper; i += step {
						out = append(out, kids[i])
					}
				case step < 0:
					for i := upper; lower < i; i += step {
						out = append(out, kids[i])
					}
				}
			}
		case spec.WildcardSelector:
			out = append(out, children(nd)...)
		case *spec.FilterSelector:
			for _, kid := range children(nd) {
				if err := e.step(); err != nil {
					return nil, err
				}
				if sel.Eval(kid.n, nroot) {
					out = append(out, kid)
				}
			}
		}
	}
	return out, nil
}

// descend applies selectors to a node and then to all its descendants, in
// document order (the node before its children).
func (e *exec) descend(nd jpNode, sels []spec.Selector, nroot any, out []jpNode, depth int) ([]jpNode, error) {
	if depth > maxValueDepth {
		return nil, errTooDeep
	}
	out, err := e.applySelectors(nd, sels, nroot, out)
	if err != nil {
		return nil, err
	}
	for _, kid := range children(nd) {
		if out, err = e.descend(kid, sels, nroot, out, depth+1); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// toNative mirrors a value as map[string]any / []any for filter tests.
func (e *exec) toNative(v any, depth int) (any, error) {
	if depth > maxValueDepth {
		return nil, errTooDeep
	}
	if err := e.step(); err != nil {
		return nil, err
	}
	switch v := v.(type) {
	case *omap:
		m := make(map[string]any, len(v.keys))
		for i, k := range v.keys {
			x, err := e.toNative(v.vals[i], depth+1)
			if err != nil {
				return nil, err
			}
			m[k] = x
		}
		return m, nil
	case *vlist:
		l := make([]any, len(v.items))
		for i, x := range v.items {
			n, err := e.toNative(x, depth+1)
			if err != nil {
				return nil, err
			}
			l[i] = n
		}
		return l, nil
	case nil, bool, int64, float64, string:
		return v, nil
	}
	return nil, nil
}
