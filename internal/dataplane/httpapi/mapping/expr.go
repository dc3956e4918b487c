package mapping

import (
	"net/http"
	"net/textproto"
	"strings"
)

// A value expression ("$request.header.a and ${context.requestId}") is a
// list of parts: static text, or one source read from the request or the
// response.
type source uint8

const (
	srcText      source = iota
	srcHeader           // $request.header.NAME / $response.header.NAME
	srcQuery            // $request.querystring.NAME
	srcBody             // $request.body / $response.body
	srcBodyPath         // $request.body.PATH / $response.body.PATH
	srcPath             // $request.path
	srcPathParam        // $request.path.NAME
	srcContext          // $context.NAME
	srcStageVar         // $stageVariables.NAME
)

type part struct {
	src  source
	text string // static text, or the source's name (canonical for headers)
	path []step // for srcBodyPath
}

type expr struct {
	parts []part
}

// side says which sources a value may read.
type side uint8

const (
	requestSide side = iota
	responseSide
)

const (
	requestSources = "Request parameter values can be $request.header.{name}, $request.querystring.{name}, " +
		"$request.body, $request.body.{JSONPath}, $request.path, $request.path.{name}, $context.{name}, " +
		"$stageVariables.{name} or static text"
	responseSources = "Response parameter values can be $response.header.{name}, $response.body, " +
		"$response.body.{JSONPath}, $context.{name}, $stageVariables.{name} or static text"
)

func (s side) sources() string {
	if s == responseSide {
		return responseSources
	}
	return requestSources
}

// parseExpr compiles a value; the reason is "" on success.
func parseExpr(s string, sd side) (expr, string) {
	var e expr
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			e.parts = append(e.parts, part{src: srcText, text: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c != '$' {
			if c < ' ' && c != '\t' || c == 0x7f {
				return expr{}, "Values cannot hold control characters"
			}
			lit.WriteByte(c)
			i++
			continue
		}
		if i+1 < len(s) && s[i+1] == '{' {
			end := strings.IndexByte(s[i+2:], '}')
			if end < 0 {
				return expr{}, "${ is not closed by }"
			}
			p, n, reason := parseVariable(s[i+2:i+2+end], sd, true)
			if reason != "" {
				return expr{}, reason
			}
			if n != end {
				return expr{}, "${" + s[i+2:i+2+end] + "} is not a variable. " + sd.sources()
			}
			flush()
			e.parts = append(e.parts, p)
			i += end + 3
			continue
		}
		if !startsVariable(s[i+1:]) {
			// "$5", "$default", a lone "$": text.
			lit.WriteByte('$')
			i++
			continue
		}
		p, n, reason := parseVariable(s[i+1:], sd, false)
		if reason != "" {
			return expr{}, reason
		}
		flush()
		e.parts = append(e.parts, p)
		i += 1 + n
	}
	flush()
	return e, ""
}

// startsVariable: after a "$", the roots that make it a variable.
func startsVariable(s string) bool {
	for _, root := range []string{"request.", "response.", "context.", "stageVariables."} {
		if strings.HasPrefix(s, root) {
			return true
		}
	}
	return false
}

// parseVariable reads one variable at the start of s ("request.header.a"
// with no "$"); braced says s is the whole inside of ${...}, where names
// may hold any character their source allows. It returns the part and how
// many bytes it used.
func parseVariable(s string, sd side, braced bool) (part, int, string) {
	root, rest, _ := strings.Cut(s, ".")
	off := len(root) + 1
	switch root {
	case "request", "response":
		if (root == "request") != (sd == requestSide) {
			return part{}, 0, "$" + root + " values cannot be used in " + sd.name() + " parameters. " + sd.sources()
		}
		return parseMessageSource(rest, off, sd, braced)
	case "context":
		return named(srcContext, rest, off, isContextChar, "$context.", "a context variable name", braced)
	case "stageVariables":
		return named(srcStageVar, rest, off, isStageVarChar, "$stageVariables.", "a stage variable name", braced)
	}
	return part{}, 0, "${" + s + "} is not a variable. " + sd.sources()
}

func (s side) name() string {
	if s == responseSide {
		return "response"
	}
	return "request"
}

// parseMessageSource reads what follows "$request." or "$response.".
func parseMessageSource(s string, off int, sd side, braced bool) (part, int, string) {
	prefix := "$" + sd.name() + "."
	switch {
	case strings.HasPrefix(s, "header."):
		p, n, reason := named(srcHeader, s[len("header."):], off+len("header."), isHeaderNameChar,
			prefix+"header.", "a header name", braced)
		if reason == "" {
			p.text = textproto.CanonicalMIMEHeaderKey(p.text)
		}
		return p, n, reason
	case sd == requestSide && strings.HasPrefix(s, "querystring."):
		return named(srcQuery, s[len("querystring."):], off+len("querystring."), isQueryNameChar,
			prefix+"querystring.", "a query string parameter name", braced)
	case strings.HasPrefix(s, "body") && (len(s) == 4 || s[4] == '.' || s[4] == '['):
		steps, n, reason := parseBodyPath(s[4:], braced)
		if reason != "" {
			return part{}, 0, reason
		}
		if n == 0 {
			return part{src: srcBody}, off + 4, ""
		}
		return part{src: srcBodyPath, path: steps}, off + 4 + n, ""
	case sd == requestSide && strings.HasPrefix(s, "path") && (len(s) == 4 || s[4] == '.'):
		if len(s) > 5 {
			if p, n, reason := named(srcPathParam, s[5:], off+5, isPathParamChar, prefix+"path.",
				"a path parameter name", braced); reason == "" || braced {
				return p, n, reason
			}
		}
		if braced && len(s) > 4 {
			return part{}, 0, prefix + "path. needs a path parameter name"
		}
		return part{src: srcPath}, off + 4, ""
	}
	end := strings.IndexAny(s, ".[ ${}")
	if end < 0 {
		end = len(s)
	}
	return part{}, 0, prefix + s[:end] + " is not a value. " + sd.sources()
}

// named reads the name of a named source: the run of chars that ok
// accepts (without a trailing "."), or, braced, all of s.
func named(src source, s string, off int, ok func(byte) bool, what, kind string, braced bool) (part, int, string) {
	n := 0
	if braced {
		n = len(s)
		for i := 0; i < n; i++ {
			if !ok(s[i]) {
				return part{}, 0, what + s + " is not valid: " + kind + " cannot hold " + quoteByte(s[i])
			}
		}
	} else {
		for n < len(s) && ok(s[n]) {
			n++
		}
		for n > 0 && s[n-1] == '.' {
			n--
		}
	}
	if n == 0 {
		return part{}, 0, what + " needs " + kind
	}
	return part{src: src, text: s[:n]}, off + n, ""
}

func quoteByte(c byte) string {
	if c < ' ' || c >= 0x7f {
		return "a control or non-ASCII character"
	}
	return "\"" + string(c) + "\""
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// The developer guide: "Only the special characters . and _ are
// supported" in context variable names.
func isContextChar(c byte) bool { return isAlnum(c) || c == '.' || c == '_' }

// Stage variable names: A-Z, a-z, 0-9 and _ (internal/apigw, stages.go).
func isStageVarChar(c byte) bool { return isAlnum(c) || c == '_' }

// Route path variables: {name} with letters, digits, ".", "_" and "-"
// (internal/apigw, routes.go).
func isPathParamChar(c byte) bool { return isAlnum(c) || c == '.' || c == '_' || c == '-' }

// A header name is a token; "$" ends it so that "$request.header.a$request.header.b"
// reads two headers.
func isHeaderNameChar(c byte) bool { return c != '$' && isTokenChar(c) }

// Query names unbraced: unreserved characters (RFC 3986); anything else
// goes in braces, "${request.querystring.a b}".
func isQueryNameChar(c byte) bool {
	if c == '$' || c == '{' || c == '}' {
		return false
	}
	return isAlnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c >= 0x80
}

// static reports whether the expression reads nothing, and its text.
func (e *expr) static() (string, bool) {
	switch len(e.parts) {
	case 0:
		return "", true
	case 1:
		return e.parts[0].text, e.parts[0].src == srcText
	}
	for _, p := range e.parts {
		if p.src != srcText {
			return "", false
		}
	}
	var b strings.Builder
	for _, p := range e.parts {
		b.WriteString(p.text)
	}
	return b.String(), true
}

// input is what values are read from: a request or a response.
type input struct {
	header     http.Header
	query      map[string][]string
	path       string
	pathParams map[string]string
	body       []byte
	context    func(name string) (string, bool)
	stageVars  map[string]string

	doc      []byte // body cut at maxBodyJSON, once checked
	docState int8   // 0 not checked, 1 valid JSON, -1 not
}

// eval renders the expression; ok is false when a value it reads is
// missing (the mapping is then not applied).
func (e *expr) eval(in *input) (string, bool) {
	if len(e.parts) == 1 {
		return in.value(&e.parts[0])
	}
	var b strings.Builder
	for i := range e.parts {
		v, ok := in.value(&e.parts[i])
		if !ok {
			return "", false
		}
		b.WriteString(v)
	}
	return b.String(), true
}

func (in *input) value(p *part) (string, bool) {
	switch p.src {
	case srcText:
		return p.text, true
	case srcHeader:
		return joined(headerValues(in.header, p.text))
	case srcQuery:
		return joined(in.query[p.text])
	case srcBody:
		return string(in.body), true
	case srcBodyPath:
		return in.bodyValue(p.path)
	case srcPath:
		return in.path, true
	case srcPathParam:
		v, ok := in.pathParams[p.text]
		return v, ok
	case srcContext:
		if in.context == nil {
			return "", false
		}
		return in.context(p.text)
	case srcStageVar:
		v, ok := in.stageVars[p.text]
		return v, ok
	}
	return "", false
}

// headerValues finds a header by its canonical name, then without regard
// to case (a header built by hand may hold other spellings).
func headerValues(h http.Header, canonical string) []string {
	if v, ok := h[canonical]; ok {
		return v
	}
	var out []string
	for k, v := range h {
		if strings.EqualFold(k, canonical) {
			out = append(out, v...)
		}
	}
	return out
}

// joined: API Gateway "combines multiple values with commas" (developer
// guide); no value is a missing value.
func joined(vs []string) (string, bool) {
	switch len(vs) {
	case 0:
		return "", false
	case 1:
		return vs[0], true
	}
	return strings.Join(vs, ","), true
}

// readsBody reports whether the expression reads the body.
func (e *expr) readsBody() bool {
	for _, p := range e.parts {
		if p.src == srcBody || p.src == srcBodyPath {
			return true
		}
	}
	return false
}

func rulesReadBody(rules []rule) bool {
	for i := range rules {
		if rules[i].value.readsBody() {
			return true
		}
	}
	return false
}
