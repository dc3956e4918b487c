package mapping

import (
	"cmp"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// Request is what a request mapping reads: the client's request as the
// engine has matched it.
type Request struct {
	Header http.Header
	Query  url.Values // decoded (docs/aws-behaviours.md#http-routing)
	// Path is the request path without the stage: "/pets/1" for
	// /dev/pets/1 on the dev stage.
	Path       string
	PathParams map[string]string // the route's variables: {"id": "1"}, {"proxy": "a/b"}
	Body       []byte
	// Context resolves $context.NAME ("requestId", "authorizer.claims.sub").
	Context        func(name string) (string, bool)
	StageVariables map[string]string
}

// Op is one change to a header or query string parameter.
type Op struct {
	Action Action
	Name   string // canonical for headers; as written for query parameters
	Value  string // "" for Remove
}

// Changes are what a request mapping does to the upstream request: ops in
// the order they apply, and a new path when SetPath.
type Changes struct {
	Header  []Op
	Query   []Op
	Path    string
	SetPath bool
}

// Reset empties c and keeps its storage, so that one Changes can serve
// request after request.
func (c *Changes) Reset() {
	c.Header, c.Query = c.Header[:0], c.Query[:0]
	c.Path, c.SetPath = "", false
}

// ApplyHeader makes the header changes to h.
func (c *Changes) ApplyHeader(h http.Header) { applyHeader(c.Header, h) }

// ApplyQuery makes the query string changes to q.
func (c *Changes) ApplyQuery(q url.Values) {
	for _, op := range c.Query {
		switch op.Action {
		case Remove:
			q.Del(op.Name)
		case Overwrite:
			q.Set(op.Name, op.Value)
		case Append:
			q.Add(op.Name, op.Value)
		}
	}
}

func applyHeader(ops []Op, h http.Header) {
	for _, op := range ops {
		switch op.Action {
		case Remove:
			h.Del(op.Name)
		case Overwrite:
			h[op.Name] = []string{op.Value}
		case Append:
			h[op.Name] = append(h[op.Name], op.Value)
		}
	}
}

// rule is one compiled mapping.
type rule struct {
	key    string // as written, for order and messages
	action Action
	target target
	name   string
	value  expr
}

// RequestRules is a compiled requestParameters map.
type RequestRules struct {
	rules []rule
}

// CompileRequest compiles an integration's requestParameters. A nil or
// empty map compiles to rules that change nothing. Errors are *Error.
func CompileRequest(params map[string]string) (*RequestRules, error) {
	rules := make([]rule, 0, len(params))
	for _, k := range slices.Sorted(maps.Keys(params)) {
		r, err := compileRule(k, params[k], requestSide)
		if err != nil {
			return nil, err
		}
		rules = append(rules, r)
	}
	sortRules(rules)
	return &RequestRules{rules: rules}, nil
}

// CheckRequest refuses the requestParameters of an HTTP API integration
// (without an integration subtype: a subtype's parameters are the AWS
// action's) that CompileRequest would refuse, with the message the control
// plane answers; nil when they compile.
func CheckRequest(params map[string]string) error {
	_, err := CompileRequest(params)
	return err
}

func compileRule(k, v string, sd side) (rule, error) {
	pk, ok := parseKey(k)
	switch {
	case !ok, sd == requestSide && pk.target == targetStatus, sd == responseSide && (pk.target == targetQuery || pk.target == targetPath):
		if sd == responseSide {
			return rule{}, invalidResponseKey(k)
		}
		return rule{}, invalidRequestKey(k)
	}
	if pk.target == targetHeader {
		name, err := checkHeaderName(k, pk.name)
		if err != nil {
			return rule{}, err
		}
		pk.name = name
	}
	r := rule{key: k, action: pk.action, target: pk.target, name: pk.name}
	if pk.action == Remove {
		return r, nil
	}
	e, reason := parseExpr(v, sd)
	if reason != "" {
		return rule{}, invalidValue(v, k, reason)
	}
	if text, ok := e.static(); ok && pk.target == targetStatus && statusCode(text) == 0 {
		return rule{}, invalidValue(v, k, "A status code must be a number between 200 and 599")
	}
	r.value = e
	return r, nil
}

// sortRules puts rules in the order they apply: removes, overwrites,
// appends; by key within each.
func sortRules(rules []rule) {
	slices.SortStableFunc(rules, func(a, b rule) int {
		return cmp.Or(cmp.Compare(a.action, b.action), strings.Compare(a.key, b.key))
	})
}

// Apply evaluates the mapping on r and appends the changes to c (call
// c.Reset first to reuse it). A rule whose value is missing changes
// nothing.
func (m *RequestRules) Apply(r *Request, c *Changes) {
	if len(m.rules) == 0 {
		return
	}
	in := input{header: r.Header, query: r.Query, path: r.Path, pathParams: r.PathParams, body: r.Body,
		context: r.Context, stageVars: r.StageVariables}
	for i := range m.rules {
		ru := &m.rules[i]
		if ru.action == Remove {
			op := Op{Action: Remove, Name: ru.name}
			if ru.target == targetHeader {
				c.Header = append(c.Header, op)
			} else {
				c.Query = append(c.Query, op)
			}
			continue
		}
		v, ok := ru.value.eval(&in)
		if !ok {
			continue
		}
		switch ru.target {
		case targetHeader:
			if v, ok = headerValue(v); ok {
				c.Header = append(c.Header, Op{Action: ru.action, Name: ru.name, Value: v})
			}
		case targetQuery:
			c.Query = append(c.Query, Op{Action: ru.action, Name: ru.name, Value: v})
		case targetPath:
			c.Path, c.SetPath = v, true
		}
	}
}

// Empty reports whether the rules change nothing, so that the engine can
// skip them.
func (m *RequestRules) Empty() bool { return m == nil || len(m.rules) == 0 }

// headerValue trims a value for a header; ok is false when it cannot be
// sent.
func headerValue(v string) (string, bool) {
	v = strings.Trim(v, " \t")
	return v, validHeaderValue(v)
}

// ReadsBody reports whether a rule reads $request.body: only then must the
// engine read the body before the request goes on (else it streams it).
func (m *RequestRules) ReadsBody() bool { return m != nil && rulesReadBody(m.rules) }
