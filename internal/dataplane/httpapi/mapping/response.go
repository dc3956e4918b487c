package mapping

import (
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// Response is what a response mapping reads: the integration's answer.
type Response struct {
	Status         int
	Header         http.Header
	Body           []byte
	Context        func(name string) (string, bool)
	StageVariables map[string]string
}

// ResponseChanges are what a response mapping does to the answer: a new
// status when Status is not 0, and header ops in the order they apply.
type ResponseChanges struct {
	Status int
	Header []Op
}

// Reset empties c and keeps its storage.
func (c *ResponseChanges) Reset() {
	c.Status, c.Header = 0, c.Header[:0]
}

// ApplyHeader makes the header changes to h.
func (c *ResponseChanges) ApplyHeader(h http.Header) { applyHeader(c.Header, h) }

// ResponseRules is a compiled responseParameters map: rules per backend
// status code.
type ResponseRules struct {
	byStatus map[int][]rule
}

// CompileResponse compiles an integration's responseParameters. Errors are
// *Error.
func CompileResponse(params map[string]map[string]string) (*ResponseRules, error) {
	m := &ResponseRules{byStatus: make(map[int][]rule, len(params))}
	for _, code := range slices.Sorted(maps.Keys(params)) {
		n, err := strconv.Atoi(code)
		if err != nil || n < 200 || n > 599 || strconv.Itoa(n) != code {
			return nil, invalidStatusCodeKey(code)
		}
		entries := params[code]
		rules := make([]rule, 0, len(entries))
		for _, k := range slices.Sorted(maps.Keys(entries)) {
			r, err := compileRule(k, entries[k], responseSide)
			if err != nil {
				return nil, err
			}
			rules = append(rules, r)
		}
		if len(rules) > 0 {
			sortRules(rules)
			m.byStatus[n] = rules
		}
	}
	return m, nil
}

// CheckResponse refuses the responseParameters of an HTTP API integration
// that CompileResponse would refuse, with the message the control plane
// answers; nil when they compile.
func CheckResponse(params map[string]map[string]string) error {
	_, err := CompileResponse(params)
	return err
}

// Empty reports whether the rules change nothing.
func (m *ResponseRules) Empty() bool { return m == nil || len(m.byStatus) == 0 }

// Apply evaluates the rules of r.Status on r and appends the changes to c.
// Values are read from the integration's answer before any change.
func (m *ResponseRules) Apply(r *Response, c *ResponseChanges) {
	if m == nil {
		return
	}
	rules := m.byStatus[r.Status]
	if len(rules) == 0 {
		return
	}
	in := input{header: r.Header, body: r.Body, context: r.Context, stageVars: r.StageVariables}
	for i := range rules {
		ru := &rules[i]
		if ru.action == Remove {
			c.Header = append(c.Header, Op{Action: Remove, Name: ru.name})
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
		case targetStatus:
			if n := statusCode(v); n != 0 {
				c.Status = n
			}
		}
	}
}

// statusCode reads a status for overwrite:statuscode: 200 to 599, the
// range of the response keys [I]; 0 when v is not one.
func statusCode(v string) int {
	v = strings.TrimSpace(v)
	if len(v) != 3 {
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 200 || n > 599 {
		return 0
	}
	return n
}

// ReadsBody reports whether a rule of the status reads $response.body:
// only then must the engine read the answer before passing it on.
func (m *ResponseRules) ReadsBody(status int) bool {
	return m != nil && rulesReadBody(m.byStatus[status])
}

// Has reports whether the rules map the status at all.
func (m *ResponseRules) Has(status int) bool { return m != nil && len(m.byStatus[status]) > 0 }
