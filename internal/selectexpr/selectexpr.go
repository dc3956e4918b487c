// Package selectexpr evaluates API Gateway selection expressions: the
// route selection expression of a WebSocket API ($request.body.action),
// template and integration-response selection expressions, and any mix of
// literals and ${...} variables (${request.body.service}/${request.body.action}).
// An expression is parsed once, at deploy time, and evaluated per message.
package selectexpr

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Expr is a parsed selection expression.
type Expr struct {
	src   string
	parts []part
}

// part is either literal text or a variable such as "request.body.action".
type part struct {
	literal  string
	variable string
}

// MaxLength bounds an expression: selection expressions are short.
const MaxLength = 1024

// Error is a parse error at a byte offset of the expression.
type Error struct {
	Offset int
	Msg    string
}

func (e *Error) Error() string { return fmt.Sprintf("at character %d: %s", e.Offset+1, e.Msg) }

// Parse reads an expression: "\$" is a literal dollar; "${name}" and
// "$name" are variables, where an unbraced name runs over letters, digits,
// '_', '-', '.' and brackets ($request.body.items[0]).
func Parse(src string) (*Expr, error) {
	if len(src) > MaxLength {
		return nil, &Error{MaxLength, fmt.Sprintf("expression longer than %d characters", MaxLength)}
	}
	e := &Expr{src: src}
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			e.parts = append(e.parts, part{literal: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == '\\' && i+1 < len(src) && src[i+1] == '$':
			lit.WriteByte('$')
			i += 2
		case c == '$' && i+1 < len(src) && src[i+1] == '{':
			end := strings.IndexByte(src[i+2:], '}')
			if end < 0 {
				return nil, &Error{i, "unclosed ${"}
			}
			name := src[i+2 : i+2+end]
			if !validName(name) {
				return nil, &Error{i, fmt.Sprintf("invalid variable %q", name)}
			}
			flush()
			e.parts = append(e.parts, part{variable: name})
			i += end + 3
		case c == '$':
			j := i + 1
			for j < len(src) && nameChar(src[j]) {
				j++
			}
			name := src[i+1 : j]
			if !validName(name) {
				// A lone "$" or "$default": literal text, as API Gateway
				// keys such as $default are written.
				lit.WriteString(src[i:j])
				i = j
				continue
			}
			flush()
			e.parts = append(e.parts, part{variable: name})
			i = j
		default:
			lit.WriteByte(c)
			i++
		}
	}
	flush()
	return e, nil
}

func nameChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.' || c == '[' || c == ']'
}

// validName: a variable has a known root and a path below it.
func validName(name string) bool {
	root, rest, ok := strings.Cut(name, ".")
	if !ok || rest == "" {
		return false
	}
	switch root {
	case "request", "integration", "context", "stageVariables", "response":
		return true
	}
	return false
}

// String returns the source text.
func (e *Expr) String() string { return e.src }

// Static reports whether the expression has no variables, and its text.
func (e *Expr) Static() (string, bool) {
	var b strings.Builder
	for _, p := range e.parts {
		if p.variable != "" {
			return "", false
		}
		b.WriteString(p.literal)
	}
	return b.String(), true
}

// Variables lists the variables the expression reads.
func (e *Expr) Variables() []string {
	var vs []string
	for _, p := range e.parts {
		if p.variable != "" {
			vs = append(vs, p.variable)
		}
	}
	return vs
}

// Eval renders the expression; lookup resolves each variable. A variable
// that lookup cannot resolve is "" (API Gateway's missing-path rule); an
// error from lookup stops the evaluation.
func (e *Expr) Eval(lookup func(variable string) (string, error)) (string, error) {
	if len(e.parts) == 1 && e.parts[0].variable == "" {
		return e.parts[0].literal, nil
	}
	var b strings.Builder
	for _, p := range e.parts {
		if p.variable == "" {
			b.WriteString(p.literal)
			continue
		}
		v, err := lookup(p.variable)
		if err != nil {
			return "", err
		}
		b.WriteString(v)
	}
	return b.String(), nil
}

// JSONPath finds path (".a.b[0]['c d']", the part after request.body) in a
// parsed JSON document and renders it as a selection key: strings as they
// are, other scalars as JSON, lists and objects in Java's toString form, a
// missing path as "".
func JSONPath(doc any, path string) string {
	v, ok := walk(doc, path)
	if !ok {
		return ""
	}
	return render(v)
}

func walk(v any, path string) (any, bool) {
	for path != "" {
		switch {
		case path[0] == '.':
			path = path[1:]
			j := 0
			for j < len(path) && path[j] != '.' && path[j] != '[' {
				j++
			}
			m, ok := v.(map[string]any)
			if !ok || j == 0 {
				return nil, false
			}
			if v, ok = m[path[:j]]; !ok {
				return nil, false
			}
			path = path[j:]
		case path[0] == '[':
			end := strings.IndexByte(path, ']')
			if end < 0 {
				return nil, false
			}
			key := path[1:end]
			path = path[end+1:]
			if len(key) >= 2 && (key[0] == '\'' || key[0] == '"') && key[len(key)-1] == key[0] {
				m, ok := v.(map[string]any)
				if !ok {
					return nil, false
				}
				if v, ok = m[key[1:len(key)-1]]; !ok {
					return nil, false
				}
				continue
			}
			i, err := strconv.Atoi(key)
			l, ok := v.([]any)
			if err != nil || !ok || i < 0 || i >= len(l) {
				return nil, false
			}
			v = l[i]
		default:
			return nil, false
		}
	}
	return v, true
}

func render(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case json.Number:
		return x.String()
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = render(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case map[string]any:
		// Java's map toString: {k=v, k2=v2}. Key order is the decoder's.
		parts := make([]string, 0, len(x))
		for k, e := range x {
			parts = append(parts, k+"="+render(e))
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	return fmt.Sprint(v)
}
