package payload

import (
	"bytes"
	"encoding/json"
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
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		// Cannot happen on text json.Valid accepted; keep the raw text.
		return string(inner)
	}
	return s
}
