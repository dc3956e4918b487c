package accesslog

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
)

func newSink(t *testing.T, cfg Config) *Sink {
	t.Helper()
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func readLines(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(data) == 0 {
		return nil
	}
	if data[len(data)-1] != '\n' {
		t.Fatalf("%s does not end with a line break", path)
	}
	return strings.Split(string(data[:len(data)-1]), "\n")
}

func entries(from, to int) []string {
	var out []string
	for i := from; i < to; i++ {
		out = append(out, fmt.Sprintf("entry %04d %s", i, strings.Repeat("z", 40)))
	}
	return out
}

// lockedBuffer is a Mirror that fails the test if two writes overlap.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	if !b.mu.TryLock() {
		panic("concurrent writes to the mirror")
	}
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func TestSinkConcurrentWriters(t *testing.T) {
	for _, mode := range []string{"files", "memory"} {
		t.Run(mode, func(t *testing.T) {
			dir := ""
			if mode == "files" {
				dir = t.TempDir()
			}
			mirror := &lockedBuffer{}
			s := newSink(t, Config{Dir: dir, Mirror: mirror, MemoryLines: MaxTail})
			const writers, each = 8, 120
			groups := []string{"/aws/apigateway/a", "/aws/apigateway/b", "c"}
			var wg sync.WaitGroup
			for w := range writers {
				wg.Go(func() {
					buf := make([]byte, 0, 256) // one reused buffer per writer, as the engines do
					for i := range each {
						g := groups[(w+i)%len(groups)]
						buf = fmt.Appendf(buf[:0], `{"writer":%d,"i":%d,"pad":"%s"}`, w, i, strings.Repeat("p", 100))
						s.Write(g, buf)
					}
				})
			}
			wg.Wait()
			if st := s.Stats(); st.Entries != writers*each || st.Failures != 0 {
				t.Fatalf("stats %+v", st)
			}
			// Every entry whole, once, in its group, each writer's in order.
			seen := map[string]bool{}
			for _, g := range groups {
				lines, err := s.Tail(g, MaxTail)
				if err != nil {
					t.Fatal(err)
				}
				last := map[int]int{}
				for _, l := range lines {
					var w, i int
					var pad string
					if _, err := fmt.Sscanf(l, `{"writer":%d,"i":%d,"pad":%q}`, &w, &i, &pad); err != nil || len(pad) != 100 {
						t.Fatalf("a broken entry in %s: %q", g, l)
					}
					if groups[(w+i)%len(groups)] != g || seen[l] {
						t.Fatalf("entry %q in the wrong group or twice", l)
					}
					if prev, ok := last[w]; ok && prev >= i {
						t.Fatalf("writer %d's entries out of order in %s", w, g)
					}
					last[w] = i
					seen[l] = true
				}
			}
			if len(seen) != writers*each {
				t.Errorf("%d entries read back, %d written", len(seen), writers*each)
			}
			// The mirror has them all, each prefixed with its group.
			n := 0
			sc := bufio.NewScanner(&mirror.buf)
			for sc.Scan() {
				g, e, _ := strings.Cut(sc.Text(), " ")
				if !seen[e] || groups[indexOf(groups, g)] != g {
					t.Fatalf("mirror line %q", sc.Text())
				}
				n++
			}
			if n != writers*each {
				t.Errorf("%d mirror lines, want %d", n, writers*each)
			}
		})
	}
}

func indexOf(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return 0
}

func TestSinkRotation(t *testing.T) {
	dir := t.TempDir()
	const maxBytes = 1000 // about 17 entries a file
	s := newSink(t, Config{Dir: dir, MaxFileBytes: maxBytes, MaxBackups: 2})
	all := entries(0, 100)
	for _, e := range all {
		s.Write("g", []byte(e))
	}
	path := filepath.Join(dir, fileName("g"))
	var kept []string
	for _, p := range []string{path + ".2", path + ".1", path} {
		info, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if info.Size() > maxBytes {
			t.Errorf("%s is %d bytes, over %d", p, info.Size(), maxBytes)
		}
		kept = append(kept, readLines(t, p)...)
	}
	if _, err := os.Stat(path + ".3"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a third backup was kept: %v", err)
	}
	// What is kept is the newest entries, whole and in order.
	if want := all[len(all)-len(kept):]; !reflect.DeepEqual(kept, want) {
		t.Errorf("kept %q..., want the last %d entries", kept[:2], len(want))
	}
	if len(kept) < 2*maxBytes/60 {
		t.Errorf("only %d entries kept in 3 files", len(kept))
	}

	// Tail reads across the rotated files, newest last.
	for _, n := range []int{1, 5, 20, 40, len(kept), len(kept) + 10} {
		got, err := s.Tail("g", n)
		if err != nil {
			t.Fatal(err)
		}
		want := all[len(all)-min(n, len(kept)):]
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Tail(g, %d) = %d entries %.2q..., want %d %.2q...", n, len(got), got, len(want), want)
		}
	}
}

func TestSinkNoBackups(t *testing.T) {
	dir := t.TempDir()
	s := newSink(t, Config{Dir: dir, MaxFileBytes: 500, MaxBackups: -1})
	all := entries(0, 50)
	for _, e := range all {
		s.Write("g", []byte(e))
	}
	files, _ := os.ReadDir(dir)
	if len(files) != 1 {
		t.Errorf("files %v, want the current one only", files)
	}
	got, _ := s.Tail("g", 100)
	if len(got) == 0 || len(got) > 500/50 || !reflect.DeepEqual(got, all[len(all)-len(got):]) {
		t.Errorf("Tail = %q", got)
	}
}

// A Sink on a directory a previous run wrote reads its entries, and ends a
// line the previous run left unfinished before adding its own.
func TestSinkReopen(t *testing.T) {
	dir := t.TempDir()
	s := newSink(t, Config{Dir: dir})
	s.Write("g", []byte("one"))
	s.Close()
	path := filepath.Join(dir, fileName("g"))
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("torn") // a crash in the middle of a write
	f.Close()

	s2 := newSink(t, Config{Dir: dir})
	if got, _ := s2.Tail("g", 10); !reflect.DeepEqual(got, []string{"one", "torn"}) {
		t.Errorf("Tail before a write = %q", got)
	}
	s2.Write("g", []byte("three"))
	if got := readLines(t, path); !reflect.DeepEqual(got, []string{"one", "torn", "three"}) {
		t.Errorf("file = %q", got)
	}
}

func TestSinkEntryShape(t *testing.T) {
	for _, mode := range []string{"files", "memory"} {
		t.Run(mode, func(t *testing.T) {
			dir := ""
			if mode == "files" {
				dir = t.TempDir()
			}
			s := newSink(t, Config{Dir: dir, MemoryBytes: 2 * MaxEntryBytes})
			s.Write("g", []byte("a\nb\r\nc"))
			s.Write("g", bytes.Repeat([]byte("x"), MaxEntryBytes+100))
			s.Write("g", nil)
			got, err := s.Tail("g", 10)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 3 || got[0] != `a\nb\r\nc` || got[1] != strings.Repeat("x", MaxEntryBytes) || got[2] != "" {
				t.Errorf("Tail = %d entries: %.20q", len(got), got)
			}
		})
	}
}

func TestSinkTailArguments(t *testing.T) {
	for _, mode := range []string{"files", "memory"} {
		t.Run(mode, func(t *testing.T) {
			dir := ""
			if mode == "files" {
				dir = t.TempDir()
			}
			s := newSink(t, Config{Dir: dir, MemoryLines: 2 * MaxTail, MemoryBytes: 1 << 30})
			for _, e := range entries(0, MaxTail+50) {
				s.Write("g", []byte(e))
			}
			if got, err := s.Tail("g", MaxTail+50); err != nil || len(got) != MaxTail {
				t.Errorf("Tail(g, MaxTail+50) = %d entries, %v; want MaxTail", len(got), err)
			}
			for _, n := range []int{0, -1} {
				if got, err := s.Tail("g", n); err != nil || got != nil {
					t.Errorf("Tail(g, %d) = %q, %v", n, got, err)
				}
			}
			if got, err := s.Tail("never-written", 10); err != nil || len(got) != 0 {
				t.Errorf("Tail of an unknown group = %q, %v", got, err)
			}
			for _, g := range []string{"", strings.Repeat("g", MaxGroupBytes+1)} {
				if _, err := s.Tail(g, 10); !errors.Is(err, ErrGroup) {
					t.Errorf("Tail(%.10q...) = %v, want ErrGroup", g, err)
				}
			}
		})
	}
}

func TestSinkMemoryBounds(t *testing.T) {
	s := newSink(t, Config{MemoryLines: 5, MemoryBytes: 1000, MaxGroups: 2})
	all := entries(0, 20)
	for _, e := range all {
		s.Write("lines", []byte(e))
	}
	if got, _ := s.Tail("lines", 100); !reflect.DeepEqual(got, all[15:]) {
		t.Errorf("5-line ring holds %q", got)
	}
	big := strings.Repeat("b", 400)
	for range 5 {
		s.Write("bytes", []byte(big))
	}
	if got, _ := s.Tail("bytes", 100); len(got) != 2 {
		t.Errorf("a 1000-byte ring holds %d 400-byte entries, want 2", len(got))
	}
	// A third group evicts the least recently written one.
	s.Write("lines", []byte("again"))
	s.Write("third", []byte("x"))
	if got, _ := s.Tail("bytes", 10); len(got) != 0 {
		t.Errorf("the least recently written group was kept: %q", got)
	}
	if got, _ := s.Tail("lines", 1); !reflect.DeepEqual(got, []string{"again"}) {
		t.Errorf("a recently written group was evicted: %q", got)
	}
}

func TestSinkOpenFilesBounded(t *testing.T) {
	dir := t.TempDir()
	s := newSink(t, Config{Dir: dir, MaxOpenFiles: 2})
	for round := range 3 {
		for g := range 6 {
			s.Write(fmt.Sprint("g", g), []byte(fmt.Sprint("round ", round)))
			if n := s.open.Load(); n > 2 {
				t.Fatalf("%d files open, MaxOpenFiles 2", n)
			}
		}
	}
	for g := range 6 {
		got, _ := s.Tail(fmt.Sprint("g", g), 10)
		if !reflect.DeepEqual(got, []string{"round 0", "round 1", "round 2"}) {
			t.Errorf("g%d: %q", g, got)
		}
	}
}

// A write that fails does not fail the caller: it is counted, and only the
// first is logged.
func TestSinkWriteFailure(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "logs")
	var logged bytes.Buffer
	s := newSink(t, Config{Dir: dir, Logger: slog.New(slog.NewTextHandler(&logged, nil))})
	s.Write("g", []byte("ok"))
	// The directory is replaced by a file: the group's file cannot be
	// created any more.
	s.Close()
	s = newSink(t, Config{Dir: dir, Logger: slog.New(slog.NewTextHandler(&logged, nil))})
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dir, []byte("not a directory"), 0o644); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		s.Write("g", []byte("lost"))
	}
	if st := s.Stats(); st.Entries != 0 || st.Failures != 3 {
		t.Errorf("stats %+v, want 3 failures", st)
	}
	if n := strings.Count(logged.String(), "access log entry lost"); n != 1 {
		t.Errorf("%d log lines for 3 failures:\n%s", n, logged.String())
	}
	// Once the directory is back, writing resumes.
	os.Remove(dir)
	s.Write("g", []byte("back"))
	if got, _ := s.Tail("g", 10); !reflect.DeepEqual(got, []string{"back"}) {
		t.Errorf("after the directory came back: %q", got)
	}
	if st := s.Stats(); st.Entries != 1 {
		t.Errorf("stats %+v", st)
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("stdout closed") }

func TestSinkMirrorFailureCounted(t *testing.T) {
	s := newSink(t, Config{Mirror: failingWriter{}, Logger: slog.New(slog.DiscardHandler)})
	s.Write("g", []byte("e"))
	if st := s.Stats(); st.Failures != 1 || st.Entries != 1 {
		t.Errorf("stats %+v", st)
	}
	if got, _ := s.Tail("g", 1); !reflect.DeepEqual(got, []string{"e"}) {
		t.Errorf("the entry was lost with the mirror: %q", got)
	}
}

func TestSinkInvalidGroupAndClose(t *testing.T) {
	s := newSink(t, Config{Dir: t.TempDir(), Logger: slog.New(slog.DiscardHandler)})
	s.Write("", []byte("x"))
	s.Write(strings.Repeat("g", MaxGroupBytes+1), []byte("x"))
	s.Close()
	s.Write("g", []byte("after close"))
	if st := s.Stats(); st.Failures != 3 || st.Entries != 0 {
		t.Errorf("stats %+v", st)
	}
}

func TestNewDirError(t *testing.T) {
	file := filepath.Join(t.TempDir(), "f")
	os.WriteFile(file, nil, 0o644)
	if _, err := New(Config{Dir: filepath.Join(file, "logs")}); err == nil {
		t.Error("New with a directory under a file succeeded")
	}
}

// A file a previous run (or a closed idle file) left near the size limit
// is rotated before the first new entry takes it past the limit.
func TestSinkRotationAfterReopen(t *testing.T) {
	dir := t.TempDir()
	cfg := Config{Dir: dir, MaxFileBytes: 100, MaxBackups: 1}
	s := newSink(t, cfg)
	s.Write("g", bytes.Repeat([]byte("a"), 80))
	s.Close()
	s2 := newSink(t, cfg)
	s2.Write("g", bytes.Repeat([]byte("b"), 50))
	path := filepath.Join(dir, fileName("g"))
	if info, err := os.Stat(path); err != nil || info.Size() > 100 {
		t.Fatalf("the file grew past the limit: %v %v", info.Size(), err)
	}
	if got, _ := s2.Tail("g", 5); len(got) != 2 || got[0] != strings.Repeat("a", 80) || got[1] != strings.Repeat("b", 50) {
		t.Errorf("Tail = %.12q", got)
	}
}

// Asking for the tail of names never written keeps nothing.
func TestSinkTailUnknownCostsNothing(t *testing.T) {
	for _, dir := range []string{t.TempDir(), ""} {
		s := newSink(t, Config{Dir: dir})
		for i := range 1000 {
			if got, err := s.Tail(fmt.Sprint("nobody-", i), 10); err != nil || len(got) != 0 {
				t.Fatalf("Tail = %q, %v", got, err)
			}
		}
		if n := len(s.groups); n != 0 {
			t.Errorf("dir %q: %d groups kept after reading unknown ones", dir, n)
		}
	}
}
