package awsproto

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf16"
)

// The generated validators call these. Messages follow the AWS (Coral)
// validation format that AWS services send as BadRequestException.

func constraint(path, value, rule string) *Error {
	return BadRequest("1 validation error detected: Value %s at '%s' failed to satisfy constraint: %s", value, path, rule)
}

// quote is a value as a validation message shows it, cut (Echo).
func quote(s string) string { return "'" + Echo(s) + "'" }

// echoRunes is how much of a request's value a message repeats.
const echoRunes = 256

// Echo is s cut to its first 256 characters, with "..." when cut: a
// message that repeats a client's value repeats a bounded part of it (a 7
// MB tag key once gave a 7 MB error body).
func Echo(s string) string { return cut(s, echoRunes) }

func cut(s string, runes int) string {
	if len(s) <= runes {
		return s
	}
	n := 0
	for i := range s {
		if n == runes {
			return s[:i] + "..."
		}
		n++
	}
	return s
}

// Required reports a missing required member.
func Required(path string) error {
	return constraint(path, "null", "Member must not be null")
}

// javaLen counts as AWS does: UTF-16 code units. It counts in place: the
// conversion to []rune and []uint16 it once made cost 6 bytes of memory
// per byte of the string.
func javaLen(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r) // 2 beyond the BMP; an invalid byte is U+FFFD, 1
	}
	return n
}

func MinLength(path string, min int, s string) error {
	if javaLen(s) < min {
		return constraint(path, quote(s), fmt.Sprintf("Member must have length greater than or equal to %d", min))
	}
	return nil
}

func MaxLength(path string, max int, s string) error {
	// A string has at least as many bytes as UTF-16 units: most values
	// need no counting.
	if len(s) > max && javaLen(s) > max {
		// A value too long is shown by its first 64 characters.
		return constraint(path, "'"+cut(s, 64)+"'", fmt.Sprintf("Member must have length less than or equal to %d", max))
	}
	return nil
}

func Pattern(path string, re *regexp.Regexp, s string) error {
	if !re.MatchString(s) {
		return constraint(path, quote(s), "Member must satisfy regular expression pattern: "+re.String())
	}
	return nil
}

func Enum(path string, s string, values []string) error {
	for _, v := range values {
		if s == v {
			return nil
		}
	}
	return constraint(path, quote(s), "Member must satisfy enum value set: ["+strings.Join(values, ", ")+"]")
}

func MinValue(path string, min, v int64) error {
	if v < min {
		return constraint(path, strconv.FormatInt(v, 10), fmt.Sprintf("Member must have value greater than or equal to %d", min))
	}
	return nil
}

func MaxValue(path string, max, v int64) error {
	if v > max {
		return constraint(path, strconv.FormatInt(v, 10), fmt.Sprintf("Member must have value less than or equal to %d", max))
	}
	return nil
}

// Index names a list element in a validation path.
func Index(path string, i int) string { return path + "." + strconv.Itoa(i+1) }
