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

func quote(s string) string { return "'" + s + "'" }

// Required reports a missing required member.
func Required(path string) error {
	return constraint(path, "null", "Member must not be null")
}

// javaLen counts as AWS does: UTF-16 code units.
func javaLen(s string) int { return len(utf16.Encode([]rune(s))) }

func MinLength(path string, min int, s string) error {
	if javaLen(s) < min {
		return constraint(path, quote(s), fmt.Sprintf("Member must have length greater than or equal to %d", min))
	}
	return nil
}

func MaxLength(path string, max int, s string) error {
	if javaLen(s) > max {
		// Long values are not echoed back in full.
		v := s
		if r := []rune(v); len(r) > 64 {
			v = string(r[:64]) + "..."
		}
		return constraint(path, quote(v), fmt.Sprintf("Member must have length less than or equal to %d", max))
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
