package apigw

import (
	"strings"
	"testing"
)

func TestEcho(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"", ""},
		{"short", "short"},
		{strings.Repeat("a", 256), strings.Repeat("a", 256)},
		{strings.Repeat("a", 257), strings.Repeat("a", 256) + "..."},
		// Runes, not bytes: 256 two-byte runes are kept whole.
		{strings.Repeat("é", 256), strings.Repeat("é", 256)},
		{strings.Repeat("é", 300), strings.Repeat("é", 256) + "..."},
		{strings.Repeat("a", 255) + "日本", strings.Repeat("a", 255) + "日..."},
	} {
		if got := echo(c.in); got != c.want {
			t.Errorf("echo(%d bytes) = %q (%d bytes), want %q", len(c.in), got, len(got), c.want)
		}
	}
}
