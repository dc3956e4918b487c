package payload

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The event is written by hand, member by member, in AWS's order: faster
// than reflection, and the order is the captures' (encoding/json would sort
// nothing and take the struct's order, which is the same, but every map
// would cost a sort and an allocation per key anyway).
//
// Strings are escaped as a Jackson writer escapes them (API Gateway is a Java
// service): '"', '\\' and the C0 controls, with the short forms \b \f \n \r
// \t; nothing else ('<', '>', '&', U+2028 are written as they are, unlike
// encoding/json's default). Invalid UTF-8 becomes U+FFFD [I].

const hexDigits = "0123456789abcdef"

// appendQuoted appends s as a JSON string.
func appendQuoted(dst []byte, s string) []byte {
	dst = append(dst, '"')
	dst = appendInner(dst, s)
	return append(dst, '"')
}

// appendQuotedBytes appends b as a JSON string.
func appendQuotedBytes(dst []byte, b []byte) []byte {
	dst = append(dst, '"')
	dst = appendInnerBytes(dst, b)
	return append(dst, '"')
}

// appendInner appends s escaped, without the quotes around it.
func appendInner(dst []byte, s string) []byte {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	return appendEscaped(dst, s)
}

// appendInnerBytes appends b escaped, without the quotes around it.
func appendInnerBytes(dst []byte, b []byte) []byte {
	if !utf8.Valid(b) {
		b = bytes.ToValidUTF8(b, []byte("\uFFFD"))
	}
	return appendEscaped(dst, b)
}

// appendEscaped appends valid UTF-8 text escaped, copying the runs that
// need no escape in one piece.
func appendEscaped[T string | []byte](dst []byte, s T) []byte {
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		dst = append(dst, s[start:i]...)
		switch c {
		case '"', '\\':
			dst = append(dst, '\\', c)
		case '\b':
			dst = append(dst, '\\', 'b')
		case '\f':
			dst = append(dst, '\\', 'f')
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		default:
			dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		}
		start = i + 1
	}
	return append(dst, s[start:]...)
}

func appendInt(dst []byte, n int64) []byte { return strconv.AppendInt(dst, n, 10) }

func appendBool(dst []byte, b bool) []byte {
	if b {
		return append(dst, "true"...)
	}
	return append(dst, "false"...)
}

// appendStringOrNull appends s, or null when s is "".
func appendStringOrNull(dst []byte, s string) []byte {
	if s == "" {
		return append(dst, "null"...)
	}
	return appendQuoted(dst, s)
}

// appendStringList appends ["a","b"], or null for a nil list.
func appendStringList(dst []byte, list []string) []byte {
	if list == nil {
		return append(dst, "null"...)
	}
	dst = append(dst, '[')
	for i, s := range list {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendQuoted(dst, s)
	}
	return append(dst, ']')
}

// appendStringMap appends m as an object with its keys sorted (the
// captures' order), using keys as scratch space; it returns keys for reuse.
func appendStringMap(dst []byte, m map[string]string, keys []string) ([]byte, []string) {
	keys = sortedKeys(m, keys)
	dst = append(dst, '{')
	for i, k := range keys {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendQuoted(dst, k)
		dst = append(dst, ':')
		dst = appendQuoted(dst, m[k])
	}
	return append(dst, '}'), keys
}

// appendAnyValue appends an authorizer context value with encoding/json,
// without its HTML escaping (see above). Such values come from the
// authorizer's own JSON answer, so they always encode; a value that does not
// (a channel put there by a bug) is written as null rather than breaking the
// event.
func appendAnyValue(dst []byte, v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return append(dst, "null"...)
	}
	return append(dst, bytes.TrimRight(buf.Bytes(), "\n")...)
}
