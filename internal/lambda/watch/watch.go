// Package watch tells when files under a directory change, for --watch:
// Portico restarts a function's processes when its code is edited, the
// edit-and-retry loop serverless-offline and SAM users know.
//
// It polls: every Interval it walks each directory and fingerprints what
// it finds (paths, sizes, modification times). Polling needs no new
// dependency and behaves the same on every OS and file system (network
// mounts and containers' bind mounts included, where change notifications
// are unreliable); its cost is bounded by MaxFiles per directory per scan.
package watch

import (
	"context"
	"encoding/binary"
	"hash/fnv"
	"io/fs"
	"path/filepath"
	"strings"
	"time"
)

// Defaults [I]: a change is acted on within about half a second, and a
// project of a few thousand files costs a few thousand lstat calls a scan.
const (
	DefaultInterval = 300 * time.Millisecond
	DefaultDebounce = 200 * time.Millisecond
	DefaultMaxFiles = 5000
)

// ignoredDirs are never walked: dependencies, version control, caches a
// runtime writes itself (a restart would write them again), and Portico's
// own data directory, which sits in the working directory by default.
var ignoredDirs = map[string]bool{
	"node_modules": true,
	".git":         true,
	".hg":          true,
	".svn":         true,
	"__pycache__":  true,
	".venv":        true,
	".portico":     true,
}

// ignoredFile says whether a file's change is noise: compiled Python and
// editors' swap, lock and backup files, which change while a file is
// being edited, before it is saved [I].
func ignoredFile(name string) bool {
	return strings.HasSuffix(name, ".pyc") || strings.HasSuffix(name, ".swp") ||
		strings.HasSuffix(name, ".swx") || strings.HasSuffix(name, "~") ||
		strings.HasPrefix(name, ".#")
}

// Options tune a Watcher; zero values take the defaults.
type Options struct {
	Interval time.Duration // between scans
	Debounce time.Duration // quiet time after the last change seen before onChange runs
	MaxFiles int           // files looked at per directory per scan; the rest are not watched
	// Skip lists more directories not to walk (absolute paths), such as a
	// data directory given with --data-dir.
	Skip []string
	// OnTruncated, if set, is told once per directory that it holds more
	// than MaxFiles files and that those past the bound are not watched.
	OnTruncated func(dir string, limit int)
}

// Watcher polls a set of directories.
type Watcher struct {
	opts Options
	dirs []*dirState
	skip map[string]bool

	afterScan func() // tests: called after each scan
}

type dirState struct {
	path      string // as given
	abs       string
	print     uint64 // fingerprint of the last scan
	pending   bool   // changed, onChange not yet run
	lastSeen  time.Time
	truncated bool // OnTruncated has been told
}

// Watch polls dirs until ctx is done, calling onChange(dir) once per burst
// of changes under dir (the dir as given), with the default Options.
func Watch(ctx context.Context, dirs []string, onChange func(dir string)) {
	New(dirs, Options{}).Run(ctx, onChange)
}

// New returns a Watcher over dirs, having taken their first scan: changes
// from here on are reported. A directory named twice is watched once; one
// that does not exist (yet) is watched for its appearance.
func New(dirs []string, opts Options) *Watcher {
	if opts.Interval <= 0 {
		opts.Interval = DefaultInterval
	}
	if opts.Debounce <= 0 {
		opts.Debounce = DefaultDebounce
	}
	if opts.MaxFiles <= 0 {
		opts.MaxFiles = DefaultMaxFiles
	}
	w := &Watcher{opts: opts, skip: map[string]bool{}}
	for _, s := range opts.Skip {
		if abs, err := filepath.Abs(s); err == nil {
			w.skip[abs] = true
		}
	}
	seen := map[string]bool{}
	for _, d := range dirs {
		abs, err := filepath.Abs(d)
		if err != nil || seen[abs] {
			continue
		}
		seen[abs] = true
		st := &dirState{path: d, abs: abs}
		st.print = w.scan(st)
		w.dirs = append(w.dirs, st)
	}
	return w
}

// Run polls until ctx is done. onChange runs on Run's goroutine, one call
// at a time; scanning waits while it runs.
func (w *Watcher) Run(ctx context.Context, onChange func(dir string)) {
	t := time.NewTicker(w.opts.Interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			w.tick(now, onChange)
		}
	}
}

// tick scans every directory once and runs onChange for those whose
// changes have settled: seen changed, then unchanged for Debounce.
func (w *Watcher) tick(now time.Time, onChange func(dir string)) {
	for _, d := range w.dirs {
		if p := w.scan(d); p != d.print {
			d.print = p
			d.pending = true
			d.lastSeen = now
			continue
		}
		if d.pending && now.Sub(d.lastSeen) >= w.opts.Debounce {
			d.pending = false
			onChange(d.path)
		}
	}
	if w.afterScan != nil {
		w.afterScan()
	}
}

// scan fingerprints what is under d: each file's path, size, mode and
// modification time, in the walk's (lexical) order. A directory that
// cannot be read, or is missing, prints as what could be read.
func (w *Watcher) scan(d *dirState) uint64 {
	h := fnv.New64a()
	var buf [8]byte
	files := 0
	filepath.WalkDir(d.abs, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			if e != nil && e.IsDir() && p != d.abs {
				return fs.SkipDir
			}
			return nil
		}
		if e.IsDir() {
			if p != d.abs && (ignoredDirs[e.Name()] || w.skip[p]) {
				return fs.SkipDir
			}
			return nil
		}
		if ignoredFile(e.Name()) {
			return nil
		}
		if files == w.opts.MaxFiles {
			if !d.truncated && w.opts.OnTruncated != nil {
				w.opts.OnTruncated(d.path, w.opts.MaxFiles)
			}
			d.truncated = true
			return fs.SkipAll
		}
		files++
		info, err := e.Info()
		if err != nil {
			return nil // gone since the directory was read
		}
		h.Write([]byte(p))
		h.Write([]byte{0})
		binary.LittleEndian.PutUint64(buf[:], uint64(info.Size()))
		h.Write(buf[:])
		binary.LittleEndian.PutUint64(buf[:], uint64(info.ModTime().UnixNano()))
		h.Write(buf[:])
		binary.LittleEndian.PutUint64(buf[:], uint64(info.Mode()))
		h.Write(buf[:])
		return nil
	})
	return h.Sum64()
}
