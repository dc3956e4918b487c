package vtl

import (
	"regexp"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Java strings are UTF-16: length(), indexOf() and substring() count UTF-16
// code units. These helpers give the same answers for any text, with a fast
// path for ASCII, where bytes and code units coincide.

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func toU16(s string) []uint16 { return utf16.Encode([]rune(s)) }

func fromU16(u []uint16) string { return string(utf16.Decode(u)) }

func u16len(s string) int {
	if isASCII(s) {
		return len(s)
	}
	n := 0
	for _, r := range s {
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

func charAt(s string, i int) (any, error) {
	if isASCII(s) {
		if i < 0 || i >= len(s) {
			return nil, rtErrorf("string index %d out of bounds for length %d", i, len(s))
		}
		return s[i : i+1], nil
	}
	u := toU16(s)
	if i < 0 || i >= len(u) {
		return nil, rtErrorf("string index %d out of bounds for length %d", i, len(u))
	}
	return string(rune(u[i])), nil // a lone surrogate half prints as U+FFFD
}

// substring is String.substring(begin[, end]); end < 0 means "to the end".
func substring(s string, begin, end int) (any, error) {
	ascii := isASCII(s)
	var u []uint16
	n := len(s)
	if !ascii {
		u = toU16(s)
		n = len(u)
	}
	if end < 0 {
		end = n
	}
	if begin < 0 || end > n || begin > end {
		return nil, rtErrorf("begin %d, end %d, length %d", begin, end, n)
	}
	if ascii {
		return s[begin:end], nil
	}
	return fromU16(u[begin:end]), nil
}

func indexOf(s, sub string, from int) int {
	if from < 0 {
		from = 0
	}
	if isASCII(s) && isASCII(sub) {
		if from > len(s) {
			return -1
		}
		i := strings.Index(s[from:], sub)
		if i < 0 {
			return -1
		}
		return i + from
	}
	u, w := toU16(s), toU16(sub)
	for i := from; i+len(w) <= len(u); i++ {
		if u16eq(u[i:i+len(w)], w) {
			return i
		}
	}
	return -1
}

func lastIndexOf(s, sub string, from int) int {
	if from < 0 {
		return -1
	}
	if isASCII(s) && isASCII(sub) {
		end := min(len(s), from+len(sub))
		if end < 0 {
			return -1
		}
		return strings.LastIndex(s[:end], sub)
	}
	u, w := toU16(s), toU16(sub)
	start := min(from, len(u)-len(w))
	for i := start; i >= 0; i-- {
		if u16eq(u[i:i+len(w)], w) {
			return i
		}
	}
	return -1
}

func u16eq(a, b []uint16) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func startsWithAt(s, pre string, off int) bool {
	u, p := toU16(s), toU16(pre)
	if off < 0 || off > len(u)-len(p) {
		return false
	}
	return u16eq(u[off:off+len(p)], p)
}

// regexp compiles a Java regular expression with Go's RE2 engine, which
// runs in linear time (no catastrophic backtracking on hostile input) and
// supports the syntax templates use: classes, groups, quantifiers, \d \w \s,
// \Q..\E, (?i). Backreferences, lookaround and possessive quantifiers are
// not available and are reported as errors. whole anchors the pattern for
// String.matches.
func (e *exec) regexp(pat string, whole bool) (*regexp.Regexp, error) {
	key := pat
	if whole {
		key = "\x00" + pat
	}
	if re, ok := e.t.regexps.Load(key); ok {
		return re.(*regexp.Regexp), nil
	}
	if err := e.charge(len(pat) * 16); err != nil {
		return nil, err
	}
	src := pat
	if whole {
		src = `\A(?:` + pat + `)\z`
	}
	re, err := regexp.Compile(src)
	if err != nil {
		msg := err.Error()
		if i := strings.Index(msg, ": "); i >= 0 && strings.HasPrefix(msg, "error parsing regexp") {
			msg = msg[i+2:]
		}
		return nil, rtErrorf("unsupported regular expression %q: %s", pat, msg)
	}
	if e.t.cached.Add(1) <= maxCached {
		e.t.regexps.Store(key, re)
	}
	return re, nil
}

// javaReplace is String.replaceAll/replaceFirst: in the replacement, $n and
// ${name} insert groups and a backslash quotes the next character, with
// Java's errors for malformed references.
func javaReplace(re *regexp.Regexp, s, repl string, all bool, maxLen int) (string, error) {
	n := 1
	if all {
		n = -1
	}
	matches := re.FindAllStringSubmatchIndex(s, n)
	if len(matches) == 0 {
		return s, nil
	}
	var b strings.Builder
	last := 0
	for _, m := range matches {
		b.WriteString(s[last:m[0]])
		if err := expandJava(&b, re, s, repl, m); err != nil {
			return "", err
		}
		last = m[1]
		if b.Len() > maxLen {
			return "", errTooLong
		}
	}
	b.WriteString(s[last:])
	if b.Len() > maxLen {
		return "", errTooLong
	}
	return b.String(), nil
}

func expandJava(b *strings.Builder, re *regexp.Regexp, s, repl string, m []int) error {
	groups := re.NumSubexp()
	for i := 0; i < len(repl); i++ {
		c := repl[i]
		switch c {
		case '\\':
			i++
			if i >= len(repl) {
				return rtErrorf("character to be escaped is missing in replacement %q", repl)
			}
			b.WriteByte(repl[i])
		case '$':
			i++
			if i >= len(repl) {
				return rtErrorf("illegal group reference: group index is missing in replacement %q", repl)
			}
			var g int
			if repl[i] == '{' {
				end := strings.IndexByte(repl[i:], '}')
				if end < 0 {
					return rtErrorf("named capturing group is missing trailing '}' in replacement %q", repl)
				}
				name := repl[i+1 : i+end]
				g = re.SubexpIndex(name)
				if g < 0 {
					return rtErrorf("no group with name {%s}", name)
				}
				i += end
			} else {
				if !isDigit(repl[i]) {
					return rtErrorf("illegal group reference in replacement %q", repl)
				}
				g = int(repl[i] - '0')
				if g > groups {
					return rtErrorf("no group %d", g)
				}
				// Java takes further digits while they still name a group.
				for i+1 < len(repl) && isDigit(repl[i+1]) {
					ng := g*10 + int(repl[i+1]-'0')
					if ng > groups {
						break
					}
					g = ng
					i++
				}
			}
			if m[2*g] >= 0 {
				b.WriteString(s[m[2*g]:m[2*g+1]])
			}
		default:
			b.WriteByte(c)
		}
	}
	return nil
}

// javaSplit is String.split(regex, limit): limit > 0 caps the number of
// parts, 0 drops trailing empty strings, < 0 keeps them; a zero-width match
// at the start never makes a leading empty string.
func javaSplit(re *regexp.Regexp, s string, limit int) []string {
	var parts []string
	index := 0
	matched := false
	for _, m := range re.FindAllStringIndex(s, -1) {
		if limit > 0 && len(parts) >= limit-1 {
			break
		}
		if m[0] == 0 && m[1] == 0 {
			continue
		}
		matched = true
		parts = append(parts, s[index:m[0]])
		index = m[1]
	}
	if !matched {
		return []string{s}
	}
	parts = append(parts, s[index:])
	if limit == 0 {
		for len(parts) > 0 && parts[len(parts)-1] == "" {
			parts = parts[:len(parts)-1]
		}
	}
	return parts
}
