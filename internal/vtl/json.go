package vtl

import (
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// parseJSON turns JSON text into template values: objects become ordered
// maps (Jayway/json-smart build LinkedHashMaps), arrays become JSON-flagged
// lists, integers that fit become int64 and other numbers float64. Strings
// without escapes share the input's memory, so parsing a body allocates
// little beyond the containers themselves.
func parseJSON(s string) (any, error) {
	// Chunks grow with the document: a 40-byte message should not pay for
	// storage sized for a 4 KB one.
	p := jsonParser{s: s, chunk: min(maxChunk, max(4, len(s)/16))}
	p.skipSpace()
	v, err := p.value(0)
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.i != len(p.s) {
		return nil, p.fail("unexpected data after the JSON value")
	}
	return v, nil
}

type jsonParser struct {
	s string
	i int

	// Containers are carved out of shared chunks (capacity-capped, so a
	// later append copies instead of overwriting a neighbour): a document
	// costs a few allocations per chunk instead of three per object.
	maps  []omap
	keys  []string
	vals  []any
	stack []any // values of the containers being parsed
	kstk  []string
	chunk int // size of the next chunk of keys and values
}

const maxChunk = 128

func (p *jsonParser) newMap() *omap {
	if len(p.maps) == cap(p.maps) {
		p.maps = make([]omap, 0, max(1, p.chunk/4))
	}
	p.maps = p.maps[:len(p.maps)+1]
	return &p.maps[len(p.maps)-1]
}

// carveKeys copies ks into pooled storage.
func (p *jsonParser) carveKeys(ks []string) []string {
	if len(ks) > cap(p.keys)-len(p.keys) {
		p.keys = make([]string, 0, max(p.grow(), len(ks)))
	}
	n := len(p.keys)
	p.keys = append(p.keys, ks...)
	return p.keys[n : n+len(ks) : n+len(ks)]
}

func (p *jsonParser) carveVals(vs []any) []any {
	if len(vs) > cap(p.vals)-len(p.vals) {
		p.vals = make([]any, 0, max(p.grow(), len(vs)))
	}
	n := len(p.vals)
	p.vals = append(p.vals, vs...)
	return p.vals[n : n+len(vs) : n+len(vs)]
}

// grow returns the next chunk size, doubling up to maxChunk.
func (p *jsonParser) grow() int {
	n := p.chunk
	p.chunk = min(maxChunk, p.chunk*2)
	return n
}

func (p *jsonParser) fail(msg string) error {
	return rtErrorf("invalid JSON at offset %d: %s", p.i, msg)
}

func (p *jsonParser) skipSpace() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *jsonParser) value(depth int) (any, error) {
	if depth > maxJSONDepth {
		return nil, p.fail("nested too deeply")
	}
	if p.i >= len(p.s) {
		return nil, p.fail("unexpected end of input")
	}
	switch c := p.s[p.i]; {
	case c == '{':
		return p.object(depth)
	case c == '[':
		return p.array(depth)
	case c == '"':
		return p.str()
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	case p.lit("true"):
		return true, nil
	case p.lit("false"):
		return false, nil
	case p.lit("null"):
		return nil, nil
	}
	return nil, p.fail("unexpected character")
}

func (p *jsonParser) lit(word string) bool {
	if len(p.s)-p.i >= len(word) && p.s[p.i:p.i+len(word)] == word {
		p.i += len(word)
		return true
	}
	return false
}

func (p *jsonParser) object(depth int) (any, error) {
	p.i++ // {
	m := p.newMap()
	p.skipSpace()
	if p.i < len(p.s) && p.s[p.i] == '}' {
		p.i++
		return m, nil
	}
	base, kbase := len(p.stack), len(p.kstk)
	finish := func() *omap {
		ks, vs := p.kstk[kbase:], p.stack[base:]
		m.keys, m.vals = p.carveKeys(ks), p.carveVals(vs)
		if len(ks) > smallMap {
			m.reindex()
		}
		clear(p.stack[base:])
		p.stack, p.kstk = p.stack[:base], p.kstk[:kbase]
		return m
	}
	for {
		p.skipSpace()
		if p.i >= len(p.s) || p.s[p.i] != '"' {
			return nil, p.fail("expected a string key")
		}
		k, err := p.rawStr()
		if err != nil {
			return nil, err
		}
		p.skipSpace()
		if p.i >= len(p.s) || p.s[p.i] != ':' {
			return nil, p.fail("expected ':'")
		}
		p.i++
		p.skipSpace()
		v, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		// A repeated key keeps its first position and takes the last value,
		// as LinkedHashMap.put does.
		dup := false
		for j := kbase; j < len(p.kstk); j++ {
			if p.kstk[j] == k {
				p.stack[base+j-kbase] = v
				dup = true
				break
			}
		}
		if !dup {
			p.kstk = append(p.kstk, k)
			p.stack = append(p.stack, v)
		}
		p.skipSpace()
		if p.i >= len(p.s) {
			return nil, p.fail("unexpected end of input in object")
		}
		if p.s[p.i] == ',' {
			p.i++
			continue
		}
		if p.s[p.i] == '}' {
			p.i++
			return finish(), nil
		}
		return nil, p.fail("expected ',' or '}'")
	}
}

func (p *jsonParser) array(depth int) (any, error) {
	p.i++ // [
	l := &vlist{json: true}
	p.skipSpace()
	if p.i < len(p.s) && p.s[p.i] == ']' {
		p.i++
		return l, nil
	}
	base := len(p.stack)
	for {
		p.skipSpace()
		v, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		p.stack = append(p.stack, v)
		p.skipSpace()
		if p.i >= len(p.s) {
			return nil, p.fail("unexpected end of input in array")
		}
		if p.s[p.i] == ',' {
			p.i++
			continue
		}
		if p.s[p.i] == ']' {
			p.i++
			l.items = p.carveVals(p.stack[base:])
			clear(p.stack[base:])
			p.stack = p.stack[:base]
			return l, nil
		}
		return nil, p.fail("expected ',' or ']'")
	}
}

func (p *jsonParser) str() (any, error) {
	s, err := p.rawStr()
	if err != nil {
		return nil, err
	}
	return s, nil
}

func (p *jsonParser) rawStr() (string, error) {
	p.i++ // opening quote
	start := p.i
	for p.i < len(p.s) {
		c := p.s[p.i]
		if c == '"' {
			v := p.s[start:p.i]
			p.i++
			return v, nil
		}
		if c == '\\' {
			return p.strSlow(start)
		}
		if c < 0x20 {
			return "", p.fail("control character in string")
		}
		p.i++
	}
	return "", p.fail("unterminated string")
}

// strSlow decodes a string that contains escapes.
func (p *jsonParser) strSlow(start int) (string, error) {
	b := []byte(p.s[start:p.i])
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == '"':
			p.i++
			return string(b), nil
		case c < 0x20:
			return "", p.fail("control character in string")
		case c != '\\':
			b = append(b, c)
			p.i++
			continue
		}
		p.i++
		if p.i >= len(p.s) {
			break
		}
		e := p.s[p.i]
		p.i++
		switch e {
		case '"', '\\', '/':
			b = append(b, e)
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			r, ok := p.hex4()
			if !ok {
				return "", p.fail("invalid \\u escape")
			}
			if utf16.IsSurrogate(r) {
				// A surrogate pair spells one character; a lone half becomes U+FFFD.
				if p.i+1 < len(p.s) && p.s[p.i] == '\\' && p.s[p.i+1] == 'u' {
					save := p.i
					p.i += 2
					if r2, ok := p.hex4(); ok {
						if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
							b = utf8.AppendRune(b, d)
							continue
						}
					}
					p.i = save
				}
				r = utf8.RuneError
			}
			b = utf8.AppendRune(b, r)
		default:
			return "", p.fail("invalid escape")
		}
	}
	return "", p.fail("unterminated string")
}

func (p *jsonParser) hex4() (rune, bool) {
	if len(p.s)-p.i < 4 {
		return 0, false
	}
	n, err := strconv.ParseUint(p.s[p.i:p.i+4], 16, 32)
	if err != nil {
		return 0, false
	}
	p.i += 4
	return rune(n), true
}

func (p *jsonParser) number() (any, error) {
	start := p.i
	if p.s[p.i] == '-' {
		p.i++
	}
	digits := p.i
	for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
		p.i++
	}
	if p.i == digits {
		return nil, p.fail("invalid number")
	}
	if p.s[digits] == '0' && p.i-digits > 1 {
		return nil, p.fail("leading zero in number")
	}
	isFloat := false
	if p.i < len(p.s) && p.s[p.i] == '.' {
		isFloat = true
		p.i++
		f := p.i
		for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
			p.i++
		}
		if p.i == f {
			return nil, p.fail("invalid number")
		}
	}
	if p.i < len(p.s) && (p.s[p.i] == 'e' || p.s[p.i] == 'E') {
		isFloat = true
		p.i++
		if p.i < len(p.s) && (p.s[p.i] == '+' || p.s[p.i] == '-') {
			p.i++
		}
		f := p.i
		for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
			p.i++
		}
		if p.i == f {
			return nil, p.fail("invalid number")
		}
	}
	text := p.s[start:p.i]
	if !isFloat {
		if n, err := strconv.ParseInt(text, 10, 64); err == nil {
			return n, nil
		}
		// Beyond int64 json-smart makes a BigInteger; we keep a double.
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil && f == 0 {
		return nil, p.fail("invalid number")
	}
	return f, nil
}
