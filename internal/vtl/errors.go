package vtl

import (
	"errors"
	"fmt"
	"unicode/utf8"
)

// Error is a parse or evaluation failure located in the template source.
// Line and Column are 1-based; Column counts characters (runes), not bytes.
type Error struct {
	Line, Column int
	Msg          string

	kind error // ErrLimit or ErrTimeout, for errors.Is; nil for template faults
}

func (e *Error) Error() string {
	return fmt.Sprintf("line %d, column %d: %s", e.Line, e.Column, e.Msg)
}

// Unwrap lets errors.Is tell a limit apart from a template fault.
func (e *Error) Unwrap() error { return e.kind }

// Causes reported through errors.Is on an *Error returned by Execute.
var (
	ErrLimit   = errors.New("vtl: limit exceeded")
	ErrTimeout = errors.New("vtl: deadline exceeded")
)

// source maps byte offsets to line and column. It is built once per parsed
// template and shared by every execution, so runtime errors cost nothing
// until one actually happens.
type source struct {
	text       string
	lineStarts []int
}

func newSource(text string) *source {
	s := &source{text: text, lineStarts: []int{0}}
	for i := 0; i < len(text); i++ {
		switch text[i] {
		case '\n':
			s.lineStarts = append(s.lineStarts, i+1)
		case '\r':
			// A lone CR ends a line for Velocity as well; CRLF counts once.
			if i+1 < len(text) && text[i+1] == '\n' {
				continue
			}
			s.lineStarts = append(s.lineStarts, i+1)
		}
	}
	return s
}

// position returns the 1-based line and column of byte offset off.
func (s *source) position(off int) (int, int) {
	if off < 0 {
		off = 0
	}
	if off > len(s.text) {
		off = len(s.text)
	}
	lo, hi := 0, len(s.lineStarts)-1
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if s.lineStarts[mid] <= off {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	col := utf8.RuneCountInString(s.text[s.lineStarts[lo]:off]) + 1
	return lo + 1, col
}

func (s *source) errorf(off int, format string, args ...any) *Error {
	line, col := s.position(off)
	return &Error{Line: line, Column: col, Msg: fmt.Sprintf(format, args...)}
}
