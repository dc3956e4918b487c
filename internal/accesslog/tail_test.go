package accesslog

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// referenceLast is lastLines the slow way: the file's lines, newest first.
func referenceLast(content string, need int) []string {
	if content == "" {
		return nil
	}
	lines := strings.Split(strings.TrimSuffix(content, "\n"), "\n")
	var out []string
	for i := len(lines) - 1; i >= 0 && len(out) < need; i-- {
		out = append(out, lines[i])
	}
	return out
}

func TestLastLines(t *testing.T) {
	long := strings.Repeat("x", 3*tailChunk+17) // crosses chunk boundaries
	for _, tc := range []struct {
		content string
		need    int
	}{
		{"", 5}, {"\n", 5}, {"a", 5}, {"a\n", 5}, {"a\nb\n", 5}, {"a\nb", 5}, {"\nb\n", 5}, {"a\n\nb\n", 5},
		{"a\nb\nc\n", 2}, {"a\nb\nc\n", 0}, {"a\nb\nc\n", 1},
		{long + "\n", 3}, {"a\n" + long + "\nb\n", 3}, {"a\n" + long + "\nb\n", 2}, {long, 1},
		{strings.Repeat("0123456789abcde\n", 2*tailChunk/16+3), 10000},
	} {
		r := strings.NewReader(tc.content)
		got, read, err := lastLines(r, int64(len(tc.content)), tc.need, 1<<30)
		if err != nil {
			t.Fatal(err)
		}
		if want := referenceLast(tc.content, tc.need); !reflect.DeepEqual(got, want) {
			t.Errorf("lastLines(%.40q..., %d) = %.3q (%d), want %.3q (%d)", tc.content, tc.need, got, len(got), want, len(want))
		}
		if read > int64(len(tc.content)) {
			t.Errorf("read %d of %d bytes", read, len(tc.content))
		}
	}
}

// Random files against the reference, lines of every length around the
// chunk size.
func TestLastLinesRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 60 {
		var b strings.Builder
		for range rng.IntN(12) {
			n := rng.IntN(3)
			switch n {
			case 0:
				n = rng.IntN(5)
			case 1:
				n = rng.IntN(tailChunk + tailChunk/2)
			case 2:
				n = tailChunk - 2 + rng.IntN(4)
			}
			fmt.Fprintf(&b, "%s\n", strings.Repeat(string(rune('a'+rng.IntN(26))), n))
		}
		content := b.String()
		if rng.IntN(4) == 0 && len(content) > 0 {
			content = content[:len(content)-1] // a torn last line
		}
		need := rng.IntN(25)
		got, _, err := lastLines(strings.NewReader(content), int64(len(content)), need, 1<<30)
		if err != nil {
			t.Fatal(err)
		}
		if want := referenceLast(content, need); !reflect.DeepEqual(got, want) {
			t.Fatalf("%d bytes, need %d: got %d lines, want %d", len(content), need, len(got), len(want))
		}
	}
}

// The budget bounds what is read, whatever the file holds.
func TestLastLinesBudget(t *testing.T) {
	content := strings.Repeat(strings.Repeat("y", 1000)+"\n", 1000)
	got, read, err := lastLines(strings.NewReader(content), int64(len(content)), 1000, 10_000)
	if err != nil {
		t.Fatal(err)
	}
	if read > 10_000 {
		t.Errorf("read %d bytes with a budget of 10000", read)
	}
	if len(got) < 9 || len(got) > 10 {
		t.Errorf("%d lines from 10000 bytes of 1001-byte lines", len(got))
	}
	for _, l := range got {
		if len(l) != 1000 {
			t.Errorf("a line of %d bytes: a cut line was returned", len(l))
		}
	}
}

// A line longer than any entry ends the read of its file, in linear time.
func TestLastLinesLongLine(t *testing.T) {
	content := "old\n" + strings.Repeat("L", 3*maxTailLine) + "\nnew1\nnew2\n"
	got, read, err := lastLines(strings.NewReader(content), int64(len(content)), 10, 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, []string{"new2", "new1"}) {
		t.Errorf("got %.3q", got)
	}
	if read > maxTailLine+2*tailChunk {
		t.Errorf("read %d bytes past a long line", read)
	}
}
