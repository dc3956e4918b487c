package watch

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// recorder counts onChange calls per directory.
type recorder struct {
	mu    sync.Mutex
	calls []string
	ch    chan string
}

func newRecorder() *recorder { return &recorder{ch: make(chan string, 100)} }

func (r *recorder) onChange(dir string) {
	r.mu.Lock()
	r.calls = append(r.calls, dir)
	r.mu.Unlock()
	r.ch <- dir
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.calls)
}

// A real Watch over a real directory: one edit, one callback, and no
// other callback in the scans that follow.
func TestWatchOneChangeOneCallback(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "index.js"), "exports.handler = 1")
	w := New([]string{dir}, Options{Interval: 10 * time.Millisecond, Debounce: 30 * time.Millisecond})
	scans := make(chan struct{}, 1000)
	w.afterScan = func() { scans <- struct{}{} }
	rec := newRecorder()
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() {
		w.Run(ctx, rec.onChange)
		close(stopped)
	}()

	write(t, filepath.Join(dir, "index.js"), "exports.handler = 22")
	select {
	case got := <-rec.ch:
		if got != dir {
			t.Errorf("onChange(%q), want %q", got, dir)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no callback after a change")
	}
	// Drain the scans so far, then let ten more happen: none may call back.
	for len(scans) > 0 {
		<-scans
	}
	for range 10 {
		<-scans
	}
	if n := rec.count(); n != 1 {
		t.Errorf("%d callbacks for one change", n)
	}
	cancel()
	<-stopped
}

// The scans below are driven by hand, with the clock the test chooses, so
// that what counts as a burst does not depend on the machine's speed.

func TestWatchBurstIsOneCallback(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "app.py")
	write(t, file, "v = 0")
	w := New([]string{dir}, Options{Debounce: 200 * time.Millisecond})
	rec := newRecorder()
	t0 := time.Now()
	// Ten saves, 50 ms apart by the clock: each scan sees a change.
	for i := range 10 {
		write(t, file, "v = "+strings.Repeat("1", i+1))
		w.tick(t0.Add(time.Duration(i)*50*time.Millisecond), rec.onChange)
	}
	if rec.count() != 0 {
		t.Fatalf("called back during the burst: %v", rec.calls)
	}
	last := t0.Add(9 * 50 * time.Millisecond)
	w.tick(last.Add(100*time.Millisecond), rec.onChange) // quiet, but not for long enough
	if rec.count() != 0 {
		t.Fatalf("called back before the debounce time: %v", rec.calls)
	}
	w.tick(last.Add(200*time.Millisecond), rec.onChange)
	w.tick(last.Add(400*time.Millisecond), rec.onChange)
	w.tick(last.Add(time.Second), rec.onChange)
	if rec.count() != 1 {
		t.Errorf("%d callbacks for one burst, want 1", rec.count())
	}
}

func TestWatchWhatCounts(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(dir string)
		want   bool
	}{
		{"an edit", func(d string) { write(t, filepath.Join(d, "src", "index.js"), "changed!") }, true},
		{"a new file", func(d string) { write(t, filepath.Join(d, "src", "new.js"), "") }, true},
		{"a removed file", func(d string) { os.Remove(filepath.Join(d, "src", "index.js")) }, true},
		{"a rename", func(d string) { os.Rename(filepath.Join(d, "src", "index.js"), filepath.Join(d, "src", "other.js")) }, true},
		{"node_modules", func(d string) { write(t, filepath.Join(d, "node_modules", "dep", "index.js"), "x") }, false},
		{".git", func(d string) { write(t, filepath.Join(d, ".git", "HEAD"), "ref: refs/heads/other") }, false},
		{"__pycache__", func(d string) { write(t, filepath.Join(d, "__pycache__", "app.cpython-311.pyc"), "x") }, false},
		{"Portico's data directory", func(d string) { write(t, filepath.Join(d, ".portico", "portico.db-wal"), "x") }, false},
		{"a directory in Skip", func(d string) { write(t, filepath.Join(d, "data", "portico.db"), "x") }, false},
		{"an editor's swap file", func(d string) { write(t, filepath.Join(d, "src", ".index.js.swp"), "x") }, false},
		{"an empty directory", func(d string) { os.Mkdir(filepath.Join(d, "empty"), 0o755) }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			write(t, filepath.Join(dir, "src", "index.js"), "exports.handler = 1")
			for _, d := range []string{"node_modules", ".git", "__pycache__", ".portico", "data"} {
				os.Mkdir(filepath.Join(dir, d), 0o755)
			}
			w := New([]string{dir}, Options{Debounce: time.Millisecond, Skip: []string{filepath.Join(dir, "data")}})
			rec := newRecorder()
			t0 := time.Now()
			tc.change(dir)
			w.tick(t0, rec.onChange)
			w.tick(t0.Add(time.Second), rec.onChange)
			if got := rec.count() == 1; got != tc.want {
				t.Errorf("callbacks %d, want a callback: %v", rec.count(), tc.want)
			}
		})
	}
}

func TestWatchSeveralDirs(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	missing := filepath.Join(t.TempDir(), "later")
	w := New([]string{a, b, a, missing}, Options{Debounce: time.Millisecond})
	if len(w.dirs) != 3 {
		t.Fatalf("watching %d directories, want 3 (a named twice is watched once)", len(w.dirs))
	}
	rec := newRecorder()
	t0 := time.Now()
	write(t, filepath.Join(b, "f"), "x")
	write(t, filepath.Join(missing, "bootstrap"), "x") // the directory appears
	w.tick(t0, rec.onChange)
	w.tick(t0.Add(time.Second), rec.onChange)
	if strings.Join(rec.calls, ",") != b+","+missing {
		t.Errorf("callbacks %v, want %s and %s", rec.calls, b, missing)
	}
}

// Past MaxFiles the rest of a directory is not watched, and the caller is
// told so once.
func TestWatchBound(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"a", "b", "c", "d", "e"} {
		write(t, filepath.Join(dir, f), "1")
	}
	var told []string
	w := New([]string{dir}, Options{Debounce: time.Millisecond, MaxFiles: 3,
		OnTruncated: func(d string, limit int) { told = append(told, d) }})
	rec := newRecorder()
	t0 := time.Now()
	write(t, filepath.Join(dir, "e"), "22") // past the bound (the walk is in name order)
	w.tick(t0, rec.onChange)
	w.tick(t0.Add(time.Second), rec.onChange)
	if rec.count() != 0 {
		t.Errorf("a change past the bound called back")
	}
	write(t, filepath.Join(dir, "a"), "22")
	w.tick(t0.Add(2*time.Second), rec.onChange)
	w.tick(t0.Add(3*time.Second), rec.onChange)
	if rec.count() != 1 {
		t.Errorf("a change within the bound: %d callbacks", rec.count())
	}
	if len(told) != 1 || told[0] != dir {
		t.Errorf("OnTruncated calls %v, want one for %s", told, dir)
	}
}

func TestWatchStopsWithContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		Watch(ctx, []string{t.TempDir()}, func(string) {})
		close(done)
	}()
	cancel()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Watch did not return when its context ended")
	}
}
