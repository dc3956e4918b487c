package payload

import (
	"bytes"
	"slices"
	"unicode/utf16"
	"unicode/utf8"
)

// A walker over JSON already checked by json.Valid. It only finds where
// members and elements start and end, so that a result is decoded no deeper
// than the parser needs: a 6 MB result nested a thousand levels deep under a
// member nobody reads costs one validating pass and one skipping pass, and
// no allocation. json.Valid itself refuses nesting deeper than 10000 levels;
// such a result is "not JSON" here [I].

type walker struct {
	b []byte
	i int
}

func (w *walker) ws() {
	for w.i < len(w.b) {
		switch w.b[w.i] {
		case ' ', '\t', '\r', '\n':
			w.i++
		default:
			return
		}
	}
}

// str skips the string at w.i and returns it with its quotes.
func (w *walker) str() []byte {
	start := w.i
	w.i++
	for w.b[w.i] != '"' {
		if w.b[w.i] == '\\' {
			w.i++
		}
		w.i++
	}
	w.i++
	return w.b[start:w.i]
}

// value skips the value at w.i and returns its text.
func (w *walker) value() []byte {
	start := w.i
	switch w.b[w.i] {
	case '"':
		return w.str()
	case '{', '[':
		depth := 0
		for {
			switch w.b[w.i] {
			case '"':
				w.str()
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
			}
			w.i++
			if depth == 0 {
				return w.b[start:w.i]
			}
		}
	}
	for w.i < len(w.b) {
		switch w.b[w.i] {
		case ',', '}', ']', ' ', '\t', '\r', '\n':
			return w.b[start:w.i]
		}
		w.i++
	}
	return w.b[start:w.i]
}

// eachMember calls fn with the raw key (quotes included) and raw value of
// each member of the object obj, in order, stopping at fn's first error.
func eachMember(obj []byte, fn func(key, val []byte) error) error {
	w := walker{b: obj, i: 1}
	for {
		w.ws()
		switch w.b[w.i] {
		case '}':
			return nil
		case ',':
			w.i++
			w.ws()
		}
		key := w.str()
		w.ws()
		w.i++ // ':'
		w.ws()
		if err := fn(key, w.value()); err != nil {
			return err
		}
	}
}

// eachElement calls fn with each raw element of the array arr.
func eachElement(arr []byte, fn func(val []byte) error) error {
	w := walker{b: arr, i: 1}
	for {
		w.ws()
		switch w.b[w.i] {
		case ']':
			return nil
		case ',':
			w.i++
			w.ws()
		}
		if err := fn(w.value()); err != nil {
			return err
		}
	}
}

// keyIs reports whether the raw key is name, compared exactly: member names
// are case-sensitive ("StatusCode" is not statusCode) [I, as Jackson].
func keyIs(raw []byte, name string) bool {
	inner := raw[1 : len(raw)-1]
	if bytes.IndexByte(inner, '\\') < 0 {
		return string(inner) == name
	}
	return unquote(raw) == name
}

// unquote decodes a raw JSON string (valid, quotes included).
func unquote(raw []byte) string {
	inner := raw[1 : len(raw)-1]
	if bytes.IndexByte(inner, '\\') < 0 {
		return string(inner)
	}
	return string(appendUnquoted(nil, raw))
}

// appendUnquoted appends the decoded raw JSON string (valid, quotes
// included) to dst. It decodes as encoding/json does (a lone surrogate is
// U+FFFD) but leaves bytes that are not UTF-8 as they are, a quarter of the
// cost of json.Unmarshal.
func appendUnquoted(dst, raw []byte) []byte {
	s := raw[1 : len(raw)-1]
	dst = slices.Grow(dst, len(s)) // never longer than its escaped form
	for {
		i := bytes.IndexByte(s, '\\')
		if i < 0 {
			return append(dst, s...)
		}
		dst = append(dst, s[:i]...)
		c := s[i+1]
		s = s[i+2:]
		switch c {
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'u':
			r := hex4(s)
			s = s[4:]
			if utf16.IsSurrogate(r) {
				r2 := rune(-1)
				if len(s) >= 6 && s[0] == '\\' && s[1] == 'u' {
					r2 = hex4(s[2:])
				}
				if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
					r, s = d, s[6:]
				} else {
					r = utf8.RuneError // the next escape is read on its own
				}
			}
			dst = utf8.AppendRune(dst, r)
		default: // '"', '\\', '/'
			dst = append(dst, c)
		}
	}
}

// hex4 reads the four hex digits json.Valid has checked.
func hex4(s []byte) rune {
	var r rune
	for _, c := range s[:4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		default:
			c -= 'A' - 10
		}
		r = r<<4 | rune(c)
	}
	return r
}
