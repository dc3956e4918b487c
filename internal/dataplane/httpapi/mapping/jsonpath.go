package mapping

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
)

// $request.body.PATH and $response.body.PATH: a JSONPath (Jayway's dotted
// form, as API Gateway writes it, without the "$") of member names and
// array indexes: .a.b, .a[0], [-1], ['a b'], ["a.b"]. The developer guide
// refuses recursive descent ("..") and filters ("?(...)"); wildcards and
// slices select lists of values, which a header cannot hold, so they are
// refused too [I refusal].
//
// Evaluation walks the raw body: no JSON tree is built, so a lookup costs
// one pass over the body at most and allocates nothing but the result.

// step is a member name, or an index when isIndex.
type step struct {
	name    string
	index   int
	isIndex bool
}

// maxBodyJSON: "API Gateway truncates the request body at 100 KB and then
// applies the selection expression" (developer guide). 100 KB is taken as
// 102,400 bytes [I].
const maxBodyJSON = 100 * 1024

// maxIndex bounds an index so that it fits any int.
const maxIndex = 1 << 30

// parseBodyPath reads a path at the start of s (what follows "body"). It
// returns the steps and how many bytes they used; unbraced, it stops at the
// first byte that cannot continue a path (a trailing "." is text).
func parseBodyPath(s string, braced bool) ([]step, int, string) {
	var steps []step
	i := 0
	for i < len(s) {
		switch s[i] {
		case '.':
			if i+1 < len(s) && s[i+1] == '.' {
				return nil, 0, "Recursive descent ($request.body..name) is not supported"
			}
			j := i + 1
			for j < len(s) && isMemberChar(s[j]) {
				j++
			}
			if j == i+1 {
				if j < len(s) && s[j] == '*' {
					return nil, 0, "Wildcards are not supported in a JSONPath: a parameter holds one value"
				}
				if braced {
					return nil, 0, "The JSONPath has an empty member name at character " + strconv.Itoa(i+1)
				}
				return steps, i, ""
			}
			steps = append(steps, step{name: s[i+1 : j]})
			i = j
		case '[':
			st, n, reason := parseBracket(s[i:])
			if reason != "" {
				return nil, 0, reason
			}
			steps = append(steps, st)
			i += n
		default:
			if braced {
				return nil, 0, "The JSONPath cannot hold " + quoteByte(s[i]) + " at character " + strconv.Itoa(i+1) +
					"; quote such member names: ['a b']"
			}
			return steps, i, ""
		}
	}
	return steps, i, ""
}

// isMemberChar: what a dotted member name may hold; other names go in
// brackets and quotes.
func isMemberChar(c byte) bool { return isAlnum(c) || c == '_' || c == '-' || c >= 0x80 }

// parseBracket reads "[0]", "[-1]", "['a']" or "[\"a\"]" at the start of s.
func parseBracket(s string) (step, int, string) {
	if len(s) < 2 {
		return step{}, 0, "The JSONPath has an unclosed ["
	}
	switch c := s[1]; {
	case c == '\'' || c == '"':
		var b strings.Builder
		for i := 2; i < len(s); i++ {
			switch s[i] {
			case '\\':
				if i+1 == len(s) {
					return step{}, 0, "The JSONPath has an unclosed ["
				}
				i++
				b.WriteByte(s[i])
			case c:
				if i+1 >= len(s) || s[i+1] != ']' {
					return step{}, 0, "The JSONPath has a quoted name not followed by ]"
				}
				return step{name: b.String()}, i + 2, ""
			default:
				b.WriteByte(s[i])
			}
		}
		return step{}, 0, "The JSONPath has an unclosed ["
	case c == '-' || c >= '0' && c <= '9':
		end := strings.IndexByte(s, ']')
		if end < 0 {
			return step{}, 0, "The JSONPath has an unclosed ["
		}
		n, err := strconv.Atoi(s[1:end])
		if err != nil || n >= maxIndex || n <= -maxIndex {
			if strings.ContainsRune(s[1:end], ':') {
				return step{}, 0, "Slices are not supported in a JSONPath: a parameter holds one value"
			}
			return step{}, 0, "The JSONPath has an invalid index [" + s[1:end] + "]"
		}
		return step{index: n, isIndex: true}, end + 1, ""
	case c == '?' || c == '(':
		return step{}, 0, "Filter expressions (?(expression)) are not supported"
	case c == '*':
		return step{}, 0, "Wildcards are not supported in a JSONPath: a parameter holds one value"
	case c == ':':
		return step{}, 0, "Slices are not supported in a JSONPath: a parameter holds one value"
	}
	return step{}, 0, "The JSONPath has an invalid [ ]: use [index] or ['name']"
}

// bodyValue finds path in the body. The body is checked once per request
// for being JSON (after the 100 KB cut); a body that is not gives no value.
func (in *input) bodyValue(path []step) (string, bool) {
	if in.docState == 0 {
		in.doc = in.body[:min(len(in.body), maxBodyJSON)]
		if json.Valid(in.doc) {
			in.docState = 1
		} else {
			in.docState = -1
		}
	}
	if in.docState < 0 {
		return "", false
	}
	raw, ok := lookup(in.doc, path)
	if !ok {
		return "", false
	}
	return render(raw)
}

// lookup walks a valid JSON document and returns the raw text of the value
// at path.
func lookup(doc []byte, path []step) ([]byte, bool) {
	v := skipSpace(doc, 0)
	for _, st := range path {
		if v >= len(doc) {
			return nil, false
		}
		var ok bool
		if st.isIndex {
			v, ok = element(doc, v, st.index)
		} else {
			v, ok = member(doc, v, st.name)
		}
		if !ok {
			return nil, false
		}
	}
	end := skipValue(doc, v)
	return doc[v:end], true
}

// member returns where the value of the last member called name starts,
// in the object at doc[i].
func member(doc []byte, i int, name string) (int, bool) {
	if doc[i] != '{' {
		return 0, false
	}
	found, at := false, 0
	i = skipSpace(doc, i+1)
	for doc[i] != '}' {
		kEnd := skipString(doc, i)
		k := doc[i+1 : kEnd-1]
		v := skipSpace(doc, skipSpace(doc, kEnd)+1) // past ':'
		if keyEquals(k, name) {
			found, at = true, v
		}
		i = skipSpace(doc, skipValue(doc, v))
		if doc[i] == ',' {
			i = skipSpace(doc, i+1)
		}
	}
	return at, found
}

// element returns where element n starts in the array at doc[i]; a negative
// n counts from the end (Jayway's [-1]).
func element(doc []byte, i, n int) (int, bool) {
	if doc[i] != '[' {
		return 0, false
	}
	if n < 0 {
		count := 0
		for j := skipSpace(doc, i+1); doc[j] != ']'; count++ {
			j = skipSpace(doc, skipValue(doc, j))
			if doc[j] == ',' {
				j = skipSpace(doc, j+1)
			}
		}
		if n += count; n < 0 {
			return 0, false
		}
	}
	j := skipSpace(doc, i+1)
	for k := 0; doc[j] != ']'; k++ {
		if k == n {
			return j, true
		}
		j = skipSpace(doc, skipValue(doc, j))
		if doc[j] == ',' {
			j = skipSpace(doc, j+1)
		}
	}
	return 0, false
}

// keyEquals compares a raw JSON key (between its quotes) with a name,
// decoding escapes only when the key has any.
func keyEquals(raw []byte, name string) bool {
	if bytes.IndexByte(raw, '\\') < 0 {
		return string(raw) == name
	}
	var k string
	if json.Unmarshal(append(append([]byte{'"'}, raw...), '"'), &k) != nil {
		return false
	}
	return k == name
}

// render: a string's value, null as no value, anything else as its JSON
// text in the body.
func render(raw []byte) (string, bool) {
	switch raw[0] {
	case '"':
		s := raw[1 : len(raw)-1]
		if bytes.IndexByte(s, '\\') < 0 {
			return string(s), true
		}
		var v string
		if json.Unmarshal(raw, &v) != nil {
			return "", false
		}
		return v, true
	case 'n':
		return "", false
	}
	return string(raw), true
}

// The skip functions move over valid JSON (json.Valid was true), so they
// need not check what they skip.

func skipSpace(doc []byte, i int) int {
	for i < len(doc) {
		switch doc[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// skipValue returns the end of the value starting at doc[i].
func skipValue(doc []byte, i int) int {
	switch doc[i] {
	case '"':
		return skipString(doc, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(doc); j++ {
			switch doc[j] {
			case '"':
				j = skipString(doc, j) - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return j + 1
				}
			}
		}
		return len(doc)
	}
	j := i
	for j < len(doc) {
		switch doc[j] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			return j
		}
		j++
	}
	return j
}

// skipString returns the end of the string starting at doc[i] (past its
// closing quote).
func skipString(doc []byte, i int) int {
	for j := i + 1; j < len(doc); j++ {
		switch doc[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return len(doc)
}
