package vtl

import (
	"math"
	"strconv"
	"strings"
)

// A template only ever sees JSON-like values, as these Go types:
//
//	nil      Java null
//	bool     java.lang.Boolean
//	int64    java.lang.Integer / Long (Velocity widens on overflow; so do we)
//	float64  java.lang.Double
//	string   java.lang.String
//	*omap    java.util.LinkedHashMap (insertion-ordered, string keys)
//	*vlist   java.util.ArrayList, or json-smart's JSONArray when json is set
//	*entry   java.util.Map.Entry (from entrySet)
//
// plus the few objects API Gateway and Velocity expose ($input, $util,
// $foreach, #define blocks), which have no methods beyond a fixed whitelist.
// Nothing here wraps a Go value the caller owns, so no template can reach
// the host: every method call goes through the switch in methods.go.

// omap is an insertion-ordered map with string keys. Velocity map literals
// and parsed JSON objects both keep insertion order (Java LinkedHashMap).
// Keys are strings because values are JSON-like; a non-string key given to
// put or get is converted with its Java string form.
type omap struct {
	keys  []string
	vals  []any
	index map[string]int // built once the map outgrows a linear scan
}

const smallMap = 8

func newMap(capacity int) *omap {
	return &omap{keys: make([]string, 0, capacity), vals: make([]any, 0, capacity)}
}

func (m *omap) len() int { return len(m.keys) }

func (m *omap) find(k string) int {
	if m.index != nil {
		if i, ok := m.index[k]; ok {
			return i
		}
		return -1
	}
	for i, kk := range m.keys {
		if kk == k {
			return i
		}
	}
	return -1
}

func (m *omap) get(k string) (any, bool) {
	if i := m.find(k); i >= 0 {
		return m.vals[i], true
	}
	return nil, false
}

// put stores v under k and returns the previous value (Java Map.put).
func (m *omap) put(k string, v any) any {
	if i := m.find(k); i >= 0 {
		old := m.vals[i]
		m.vals[i] = v
		return old
	}
	m.keys = append(m.keys, k)
	m.vals = append(m.vals, v)
	if m.index != nil {
		m.index[k] = len(m.keys) - 1
	} else if len(m.keys) > smallMap {
		m.reindex()
	}
	return nil
}

func (m *omap) remove(k string) (any, bool) {
	i := m.find(k)
	if i < 0 {
		return nil, false
	}
	old := m.vals[i]
	m.keys = append(m.keys[:i], m.keys[i+1:]...)
	m.vals = append(m.vals[:i], m.vals[i+1:]...)
	if m.index != nil {
		m.reindex()
	}
	return old, true
}

func (m *omap) reindex() {
	m.index = make(map[string]int, len(m.keys))
	for i, k := range m.keys {
		m.index[k] = i
	}
}

// vlist is a Java List. json marks the lists Jayway JsonPath returns from
// $input.path (json-smart's JSONArray), whose toString is compact JSON
// rather than ArrayList's "[a, b]"; LocalStack confirmed this on AWS
// (localstack#12379: "$input.path('$') ... a list returns a valid json string").
type vlist struct {
	items []any
	json  bool
}

// entry is a Map.Entry from entrySet(); $e.key and $e.value read it.
type entry struct {
	key string
	val any
}

// truthy is Velocity 1.7's #if rule: null and false are false, anything
// else (including "" and empty collections) is true.
func truthy(v any) bool {
	switch v := v.(type) {
	case nil:
		return false
	case bool:
		return v
	}
	return true
}

// typeName names a value's Java-ish type in error messages.
func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case int64:
		return "integer"
	case float64:
		return "double"
	case string:
		return "string"
	case *omap:
		return "map"
	case *vlist:
		return "list"
	case *entry:
		return "map entry"
	case *inputObj:
		return "$input"
	case *utilObj:
		return "$util"
	case *foreachObj:
		return "$foreach"
	case *blockRef:
		return "#define block"
	}
	return "value"
}

// javaDouble formats f as Java's Double.toString does: plain notation with
// at least one fractional digit for 1e-3 <= |f| < 1e7, else computerized
// scientific notation ("1.0E10", "1.5E-5"), with the shortest digits that
// round-trip (what Java 19+ prints; older JDKs agree on all but rare cases).
func javaDouble(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case f == 0:
		if math.Signbit(f) {
			return "-0.0"
		}
		return "0.0"
	}
	var b strings.Builder
	if f < 0 {
		b.WriteByte('-')
		f = -f
	}
	s := strconv.FormatFloat(f, 'e', -1, 64) // d.ddde±XX
	e := strings.IndexByte(s, 'e')
	digits := s[:1]
	if e > 1 {
		digits += s[2:e]
	}
	exp, _ := strconv.Atoi(s[e+1:])
	if len(digits) == 1 {
		// Java (JDK 19+ spec): when one digit suffices, print the two-digit
		// decimal closest to the exact value, e.g. 4.9E-324 for MIN_VALUE.
		s2 := strconv.FormatFloat(f, 'e', 1, 64)
		if back, err := strconv.ParseFloat(s2, 64); err == nil && back == f && s2[2] != '0' {
			digits = s2[:1] + s2[2:3]
			exp, _ = strconv.Atoi(s2[4:])
		}
	}
	if f >= 1e-3 && f < 1e7 {
		if exp >= 0 {
			if len(digits) <= exp+1 {
				b.WriteString(digits)
				b.WriteString(strings.Repeat("0", exp+1-len(digits)))
				b.WriteString(".0")
			} else {
				b.WriteString(digits[:exp+1])
				b.WriteByte('.')
				b.WriteString(digits[exp+1:])
			}
		} else {
			b.WriteString("0.")
			b.WriteString(strings.Repeat("0", -exp-1))
			b.WriteString(digits)
		}
		return b.String()
	}
	b.WriteByte(digits[0])
	b.WriteByte('.')
	if len(digits) > 1 {
		b.WriteString(digits[1:])
	} else {
		b.WriteByte('0')
	}
	b.WriteByte('E')
	b.WriteString(strconv.Itoa(exp))
	return b.String()
}

// textBuf accumulates rendered text under a byte limit. Every string the
// engine builds goes through one, which is how Limits.MaxOutput also caps
// the size of any single string.
type textBuf struct {
	b   []byte
	max int
}

func (t *textBuf) writeString(s string) error {
	if len(t.b)+len(s) > t.max {
		return errTooLong
	}
	t.b = append(t.b, s...)
	return nil
}

func (t *textBuf) writeByte(c byte) error {
	if len(t.b)+1 > t.max {
		return errTooLong
	}
	t.b = append(t.b, c)
	return nil
}

// writeJSONString writes s as a JSON string literal: quote, backslash and
// control characters escaped, everything else (including non-ASCII) as is.
func writeJSONString(t *textBuf, s string) error {
	if err := t.writeByte('"'); err != nil {
		return err
	}
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		if err := t.writeString(s[start:i]); err != nil {
			return err
		}
		var esc string
		switch c {
		case '"':
			esc = `\"`
		case '\\':
			esc = `\\`
		case '\n':
			esc = `\n`
		case '\r':
			esc = `\r`
		case '\t':
			esc = `\t`
		case '\b':
			esc = `\b`
		case '\f':
			esc = `\f`
		default:
			const hex = "0123456789ABCDEF"
			esc = string([]byte{'\\', 'u', '0', '0', hex[c>>4], hex[c&15]})
		}
		if err := t.writeString(esc); err != nil {
			return err
		}
		start = i + 1
	}
	if err := t.writeString(s[start:]); err != nil {
		return err
	}
	return t.writeByte('"')
}
