package accesslog

import (
	"errors"
	"fmt"
	"strings"
)

// MaxFormatBytes is the size of the largest format: the access log
// template quota of HTTP and WebSocket APIs is 3 KB [D developer guide,
// quotas], read here as 3072 bytes [I].
const MaxFormatBytes = 3 << 10

// ErrFormatTooLong is Compile's answer to a format over MaxFormatBytes.
var ErrFormatTooLong = errors.New("accesslog: format longer than 3 KB")

// prefix opens a variable. Only $context variables exist in access logs
// [D "Only $context variables are supported, not $input"].
const prefix = "$context."

// Format is a stage's accessLogSettings.format compiled once: the literal
// text between variables, and the variables. It is immutable and safe for
// concurrent use.
type Format struct {
	parts []part
	tail  string   // literal text after the last variable
	names []string // distinct variable names, in order of first use
}

type part struct {
	lit  string // literal text before the variable
	name string // the variable without "$context."
}

// Compile parses a format. Every string of at most MaxFormatBytes
// compiles: text that is not a variable is literal text, as "$" and
// "$context" alone are. One line break at the very end is dropped, because
// each entry ends its own line (see Check for the formats the control plane
// refuses).
func Compile(format string) (*Format, error) {
	if len(format) > MaxFormatBytes {
		return nil, fmt.Errorf("%w: %d bytes", ErrFormatTooLong, len(format))
	}
	format = trimLineEnd(format)
	f := &Format{}
	seen := map[string]bool{}
	lit := 0 // start of the pending literal text
	for i := 0; i < len(format); {
		start, end, name := nextVariable(format, i)
		if start < 0 {
			break
		}
		f.parts = append(f.parts, part{lit: format[lit:start], name: name})
		if !seen[name] {
			seen[name] = true
			f.names = append(f.names, name)
		}
		lit, i = end, end
	}
	f.tail = format[lit:]
	return f, nil
}

// trimLineEnd drops one trailing "\n" or "\r\n".
func trimLineEnd(s string) string {
	if n := len(s); n > 0 && s[n-1] == '\n' {
		s = s[:n-1]
		if n := len(s); n > 0 && s[n-1] == '\r' {
			s = s[:n-1]
		}
	}
	return s
}

// nextVariable finds the first variable at or after from: its bounds in s
// and its name, or start -1.
//
// How AWS delimits a name is not documented. A name here is the longest run
// of letters, digits, "_", "." and "-" after "$context.", starting with a
// letter, digit or "_", less any "." it ends with: so "$context.status,"
// (CSV), "$context.requestId\"" (JSON), "[$context.requestTime]" (CLF) and
// "$context.status</status>" (XML) end where a reader expects, and "Request
// $context.requestId." keeps its full stop, as a Velocity reference would
// [I]. The "-" is AWS's: it refused an HTTP API format naming
// "$context.request.header.mcp-method" as one variable [V, a public CDK
// project's runbook quoting the stage's CloudFormation failure; repository
// not recorded]. Names are case-sensitive [I].
func nextVariable(s string, from int) (start, end int, name string) {
	for from < len(s) {
		i := strings.Index(s[from:], prefix)
		if i < 0 {
			return -1, -1, ""
		}
		start = from + i
		begin := start + len(prefix)
		end = begin
		for end < len(s) && nameByte(s[end]) {
			end++
		}
		for end > begin && s[end-1] == '.' {
			end--
		}
		if end > begin && firstNameByte(s[begin]) {
			return start, end, s[begin:end]
		}
		from = begin
	}
	return -1, -1, ""
}

func nameByte(c byte) bool {
	return firstNameByte(c) || c == '.' || c == '-'
}

func firstNameByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_'
}

// Names are the format's variables without "$context.", each once, in the
// order they first appear. The slice is the Format's: do not change it.
func (f *Format) Names() []string { return f.names }

// Uses reports whether the format has the variable $context.name.
func (f *Format) Uses(name string) bool {
	for _, n := range f.names {
		if n == name {
			return true
		}
	}
	return false
}

// Missing is what a variable with no value renders as: AWS writes "-"
// [V: REST API access log lines with "caller": "-" and "user": "-",
// ministryofjustice/modernisation-platform-environments #3807; many "-"
// values in DataBiosphere/azul #4348]. An empty value renders as "-" too,
// as in the Common Log Format [I].
const Missing = "-"

// Render appends one entry to dst and returns it: the literal text as it
// is, and for each variable the value lookup gives for its name (without
// "$context."), or Missing. Values are written as they are, not escaped
// for the JSON, XML or CSV the format may look like: users quote
// "$context.x" themselves, and a value with a quote in it breaks such a line
// on AWS too [V DataBiosphere/azul #4348, #4009: "Quotes or backslashes in
// fields break API Gateway logs JSON"]. The entry is at most the format's
// size plus the sizes of the values; with a dst of enough capacity Render
// does not allocate.
func (f *Format) Render(dst []byte, lookup func(name string) (string, bool)) []byte {
	for i := range f.parts {
		p := &f.parts[i]
		dst = append(dst, p.lit...)
		if v, ok := lookup(p.name); ok && v != "" {
			dst = append(dst, v...)
		} else {
			dst = append(dst, Missing...)
		}
	}
	return append(dst, f.tail...)
}
