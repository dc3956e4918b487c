package vtl

import (
	"encoding/base64"
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// This file is API Gateway's layer over the language: $input, $util,
// $context and $stageVariables (docs/aws-behaviours.md#templates, from the
// developer guide's "mapping template reference").

type inputObj struct{}
type utilObj struct{}

var (
	theInput = &inputObj{}
	theUtil  = &utilObj{}
)

func (e *exec) builtin(slot int) any {
	switch slot {
	case slotInput:
		return theInput
	case slotUtil:
		return theUtil
	case slotContext:
		m := newMap(len(e.in.Context))
		for _, k := range sortedKeys(e.in.Context) {
			v := e.in.Context[k]
			if k == "authorizer" {
				m.put(k, stringifyMap(v))
			} else {
				m.put(k, fromGo(v, 0))
			}
		}
		return m
	case slotStageVariables:
		m := newMap(len(e.in.StageVariables))
		for _, k := range sortedKeys(e.in.StageVariables) {
			m.put(k, e.in.StageVariables[k])
		}
		return m
	}
	return nil
}

// Go maps have no order; templates that walk $context or $stageVariables
// with keySet() see names in sorted order, which at least is stable.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// fromGo converts the caller's JSON-like Go values into template values.
// It handles the types encoding/json produces and the obvious Go ones; a
// float64 that holds an integer becomes an integer, so epoch milliseconds
// such as connectedAt print as 1705751697419, not 1.705751697419E12.
func fromGo(v any, depth int) any {
	if depth > maxJSONDepth {
		return nil
	}
	switch v := v.(type) {
	case nil, string, bool, int64:
		return v
	case int:
		return int64(v)
	case int32:
		return int64(v)
	case uint32:
		return int64(v)
	case float32:
		return fromGo(float64(v), depth)
	case float64:
		if v == math.Trunc(v) && math.Abs(v) < 1<<53 {
			return int64(v)
		}
		return v
	case map[string]any:
		m := newMap(len(v))
		for _, k := range sortedKeys(v) {
			m.put(k, fromGo(v[k], depth+1))
		}
		return m
	case map[string]string:
		m := newMap(len(v))
		for _, k := range sortedKeys(v) {
			m.put(k, v[k])
		}
		return m
	case []any:
		l := &vlist{items: make([]any, len(v))}
		for i, x := range v {
			l.items[i] = fromGo(x, depth+1)
		}
		return l
	case []string:
		l := &vlist{items: make([]any, len(v))}
		for i, x := range v {
			l.items[i] = x
		}
		return l
	case interface{ String() string }:
		return v.String()
	}
	return nil
}

// stringifyMap gives $context.authorizer: "The stringified value of the
// specified key-value pair of the context map returned from an API Gateway
// Lambda authorizer function" (1 -> "1", true -> "true").
func stringifyMap(v any) any {
	src, ok := v.(map[string]any)
	if !ok {
		return fromGo(v, 0)
	}
	m := newMap(len(src))
	e := &exec{lim: DefaultLimits}
	for _, k := range sortedKeys(src) {
		x := fromGo(src[k], 1)
		switch x.(type) {
		case nil, string:
		case *omap, *vlist:
			t := &textBuf{max: DefaultLimits.MaxOutput}
			if e.writeJSON(t, x, 0) == nil {
				x = string(t.b)
			}
		default:
			x, _ = e.toString(x)
		}
		m.put(k, x)
	}
	return m
}

// body is $input.body. An empty body reads as "{}": API Gateway does this
// for REST APIs (LocalStack checked it on AWS, localstack#12413; an AWS
// engineer's 2015 example shows "body-json":"{}" for a bodiless request).
func (e *exec) body() string {
	if e.in.Body == "" {
		return "{}"
	}
	return e.in.Body
}

// document parses the body as JSON once per execution. A body that is not
// JSON gives ok == false, and every path then reads as not found.
func (e *exec) document() (any, bool, error) {
	if !e.docParsed {
		e.docParsed = true
		b := e.body()
		if err := e.charge(len(b)); err != nil {
			return nil, false, err
		}
		v, err := parseJSON(b)
		e.doc, e.docOK = v, err == nil
	}
	return e.doc, e.docOK, nil
}

func (e *exec) inputMethod(name string, args []any) (any, error) {
	switch name {
	case "json", "path":
		if err := wantArgs(theInput, name, args, 1); err != nil {
			return nil, err
		}
		path := "$"
		if args[0] != nil {
			s, err := e.keyString(args[0])
			if err != nil {
				return nil, err
			}
			path = s
		}
		v, err := e.inputPath(path)
		if err != nil {
			return nil, err
		}
		if name == "path" {
			return v, nil
		}
		t := &textBuf{max: e.lim.MaxOutput}
		if err := e.writeJSON(t, v, 0); err != nil {
			return nil, err
		}
		if err := e.charge(len(t.b)); err != nil {
			return nil, err
		}
		return string(t.b), nil
	case "params":
		if err := wantArgs(theInput, name, args, 0, 1); err != nil {
			return nil, err
		}
		if len(args) == 0 {
			return e.allParams(), nil
		}
		if args[0] == nil {
			return "", nil
		}
		key, err := e.keyString(args[0])
		if err != nil {
			return nil, err
		}
		return e.param(key), nil
	}
	return nil, unknownMethod(theInput, name, args)
}

// inputPath evaluates a JSONPath against the body. A definite path yields
// the value; an indefinite one (wildcard, filter, slice, ..) the list of
// matches, as Jayway JsonPath does. A path that matches nothing, or a body
// that is not JSON, yields "" (so $input.json gives "\"\""), which is what
// LocalStack recorded from the AWS console (localstack#12774).
func (e *exec) inputPath(path string) (any, error) {
	cp, err := e.compilePath(path)
	if err != nil {
		return nil, err
	}
	doc, ok, err := e.document()
	if err != nil {
		return nil, err
	}
	if !ok {
		return "", nil
	}
	nodes, err := e.selectPath(cp, doc)
	if err != nil {
		return nil, err
	}
	if cp.singular {
		if len(nodes) == 0 {
			return "", nil
		}
		return nodes[0], nil
	}
	return &vlist{items: nodes, json: true}, nil
}

var paramKinds = [...]string{"path", "querystring", "header"}

// allParams is $input.params(): the three maps in the order an AWS engineer
// showed them (path, querystring, header), names sorted within each.
func (e *exec) allParams() *omap {
	if e.params == nil {
		e.params = newMap(3)
		for _, kind := range paramKinds {
			src := e.in.Params[kind]
			m := newMap(len(src))
			for _, k := range sortedKeys(src) {
				m.put(k, src[k])
			}
			e.params.put(kind, m)
		}
	}
	return e.params
}

// param is $input.params(x): path, then query string, then header, "" when
// absent. Header names also match case-insensitively (HTTP header names are
// case-insensitive; AWS does not document this).
func (e *exec) param(name string) string {
	for _, kind := range paramKinds {
		if v, ok := e.in.Params[kind][name]; ok {
			return v
		}
	}
	for k, v := range e.in.Params["header"] {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}

func (e *exec) utilMethod(name string, args []any) (any, error) {
	switch name {
	case "escapeJavaScript", "urlEncode", "urlDecode", "base64Encode", "base64Decode", "parseJson":
	default:
		return nil, unknownMethod(theUtil, name, args)
	}
	if err := wantArgs(theUtil, name, args, 1); err != nil {
		return nil, err
	}
	if args[0] == nil {
		// The Java helpers return null for null, and Velocity then prints
		// the reference as written.
		return nil, nil
	}
	s, err := e.toString(args[0])
	if err != nil {
		return nil, err
	}
	if err := e.charge(len(s) * 2); err != nil {
		return nil, err
	}
	var out string
	switch name {
	case "escapeJavaScript":
		out = escapeJavaScript(s)
	case "urlEncode":
		out = urlEncode(s)
	case "urlDecode":
		if out, err = urlDecode(s); err != nil {
			return nil, err
		}
	case "base64Encode":
		out = base64.StdEncoding.EncodeToString([]byte(s))
	case "base64Decode":
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			if b, err = base64.RawStdEncoding.DecodeString(s); err != nil {
				return nil, rtErrorf("base64Decode: input is not valid base64")
			}
		}
		out = strings.ToValidUTF8(string(b), "\uFFFD")
	case "parseJson":
		v, err := parseJSON(s)
		if err != nil {
			return nil, rtErrorf("parseJson: %v", err)
		}
		return v, nil
	}
	if len(out) > e.lim.MaxOutput {
		return nil, errTooLong
	}
	return out, nil
}

// escapeJavaScript is Apache Commons Lang's StringEscapeUtils.escapeJavaScript,
// whose Javadoc the AWS reference quotes ("Escapes the characters in a
// String using JavaScript String rules"): ' " \ and / get a backslash,
// control characters their short or \u00XX form, and every character above
// U+007F a \uXXXX escape (uppercase hex, UTF-16 units).
func escapeJavaScript(s string) string {
	if !needsJSEscape(s) {
		return s
	}
	t := &textBuf{b: make([]byte, 0, len(s)+len(s)/4+8), max: int(^uint(0) >> 1)}
	_ = escapeJavaScriptTo(t, s)
	return string(t.b)
}

func needsJSEscape(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c > 0x7f || c == '\'' || c == '"' || c == '\\' || c == '/' {
			return true
		}
	}
	return false
}

// escapeJavaScriptTo writes the escaped form of s to t; rendering
// "$util.escapeJavaScript($x)" uses it to skip an intermediate string.
func escapeJavaScriptTo(t *textBuf, s string) error {
	const hex = "0123456789ABCDEF"
	start := 0
	var esc [12]byte
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c < 0x7f && c != '\'' && c != '"' && c != '\\' && c != '/' {
			i++
			continue
		}
		if err := t.writeString(s[start:i]); err != nil {
			return err
		}
		e := esc[:0]
		r, size := rune(c), 1
		if c >= 0x80 {
			r, size = utf8.DecodeRuneInString(s[i:])
		}
		u4 := func(u uint16) {
			e = append(e, '\\', 'u', hex[u>>12], hex[u>>8&15], hex[u>>4&15], hex[u&15])
		}
		switch {
		case r > 0xffff:
			r1, r2 := utf16EncodeRune(r)
			u4(r1)
			u4(r2)
		case r >= 0x7f:
			if r == 0x7f {
				e = append(e, 0x7f)
			} else {
				u4(uint16(r))
			}
		case r == '\b':
			e = append(e, '\\', 'b')
		case r == '\n':
			e = append(e, '\\', 'n')
		case r == '\t':
			e = append(e, '\\', 't')
		case r == '\f':
			e = append(e, '\\', 'f')
		case r == '\r':
			e = append(e, '\\', 'r')
		case r < 0x20:
			u4(uint16(r))
		default: // ' " \ /
			e = append(e, '\\', byte(r))
		}
		if err := t.writeString(string(e)); err != nil {
			return err
		}
		i += size
		start = i
	}
	return t.writeString(s[start:])
}

func utf16EncodeRune(r rune) (uint16, uint16) {
	r -= 0x10000
	return uint16(0xd800 + (r>>10)&0x3ff), uint16(0xdc00 + r&0x3ff)
}

// urlEncode is java.net.URLEncoder.encode(s, "UTF-8"): letters, digits and
// ".-*_" stay, space becomes "+", every other byte %XX (uppercase).
func urlEncode(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case isAlpha(c) || isDigit(c) || c == '.' || c == '-' || c == '*' || c == '_':
			b.WriteByte(c)
		case c == ' ':
			b.WriteByte('+')
		default:
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
	return b.String()
}

// urlDecode is java.net.URLDecoder.decode(s, "UTF-8"): "+" is a space and
// %XX a byte; a malformed escape is an error, as Java throws one.
func urlDecode(s string) (string, error) {
	if !strings.ContainsAny(s, "+%") {
		return s, nil
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '+':
			b = append(b, ' ')
		case '%':
			if i+2 >= len(s) {
				return "", rtErrorf("urlDecode: incomplete trailing escape (%%) pattern")
			}
			n, err := strconv.ParseUint(s[i+1:i+3], 16, 8)
			if err != nil {
				return "", rtErrorf("urlDecode: illegal hex characters in escape (%%) pattern")
			}
			b = append(b, byte(n))
			i += 2
		default:
			b = append(b, c)
		}
	}
	if !utf8.Valid(b) {
		return strings.ToValidUTF8(string(b), "\uFFFD"), nil
	}
	return string(b), nil
}
