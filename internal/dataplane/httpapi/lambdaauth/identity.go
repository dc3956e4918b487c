package lambdaauth

import (
	"fmt"
	"net/textproto"
	"net/url"
	"strings"
)

// Identity sources of HTTP API Lambda authorizers (developer guide,
// "Identity sources"): $request.header.NAME (names without case),
// $request.querystring.NAME (case-sensitive), $context.NAME and
// $stageVariables.NAME. If any is missing or empty the function is not
// called and the client gets 401 [V].

type sourceKind uint8

const (
	fromHeader sourceKind = iota + 1
	fromQuery
	fromContext
	fromStageVariable
)

// source is one compiled identity source.
type source struct {
	kind sourceKind
	// name is what to look up: the header name in net/http's canonical
	// form, the query parameter, the $context variable or the stage variable.
	name string
	expr string // as configured, for messages
}

var sourcePrefixes = []struct {
	prefix string
	kind   sourceKind
}{
	{"$request.header.", fromHeader},
	{"$request.querystring.", fromQuery},
	{"$context.", fromContext},
	{"$stageVariables.", fromStageVariable},
}

func parseSource(expr string) (source, error) {
	for _, p := range sourcePrefixes {
		name, ok := strings.CutPrefix(expr, p.prefix)
		if !ok {
			continue
		}
		if name == "" {
			break
		}
		if p.kind == fromHeader {
			name = textproto.CanonicalMIMEHeaderKey(name)
		}
		return source{kind: p.kind, name: name, expr: expr}, nil
	}
	return source{}, fmt.Errorf("lambdaauth: identity source %q is not $request.header.X, $request.querystring.X, $context.X or $stageVariables.X", expr)
}

// value reads the source from the request; "" means missing.
func (s *source) value(req *Request) string {
	ev := req.Event
	switch s.kind {
	case fromHeader:
		return joined(ev.Header[s.name])
	case fromQuery:
		return queryValue(ev.RawQuery, s.name)
	case fromContext:
		if req.Context == nil {
			return ""
		}
		v, _ := req.Context(s.name)
		return v
	case fromStageVariable:
		return ev.StageVariables[s.name]
	}
	return ""
}

// joined is a header's values as one: a repeated header's values joined
// with "," as the 2.0 event joins them [I].
func joined(vals []string) string {
	switch len(vals) {
	case 0:
		return ""
	case 1:
		return vals[0]
	}
	return strings.Join(vals, ",")
}

// queryValue is the decoded value of key in a raw query: "" when absent; a
// repeated key's values joined with "," as in the 2.0 event's
// queryStringParameters [I]. Keys and values decode as the events decode
// them ("+" is a space; an escape that does not decode is kept as sent).
func queryValue(raw, key string) string {
	var first string
	var more []string
	found := false
	for raw != "" {
		var seg string
		seg, raw, _ = strings.Cut(raw, "&")
		k, v, _ := strings.Cut(seg, "=")
		if k != key && unescape(k) != key {
			continue
		}
		v = unescape(v)
		if !found {
			first, found = v, true
			continue
		}
		more = append(more, v)
	}
	if more == nil {
		return first
	}
	return first + "," + strings.Join(more, ",")
}

func unescape(s string) string {
	if strings.IndexByte(s, '%') < 0 && strings.IndexByte(s, '+') < 0 {
		return s
	}
	if u, err := url.QueryUnescape(s); err == nil {
		return u
	}
	return s
}
