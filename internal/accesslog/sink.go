package accesslog

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
)

// Defaults of Config, all Portico's own [I]: CloudWatch keeps everything,
// a developer's disk should not have to.
const (
	DefaultMaxFileBytes = 10 << 20 // a group's file is rotated before it passes this
	DefaultMaxBackups   = 3        // rotated files kept per group: name.log.1 (newest) to .3
	DefaultMemoryLines  = 1000     // memory mode: entries kept per group
	DefaultMemoryBytes  = 1 << 20  // memory mode: bytes kept per group
	DefaultMaxGroups    = 256      // memory mode: groups kept (the least recently written goes)
	DefaultMaxOpenFiles = 64       // file mode: files held open (the least recently written is closed)
)

// MaxEntryBytes bounds one entry; a longer one is cut. It is CloudWatch
// Logs' largest event, 256 KB [D CloudWatch Logs quotas]; what API Gateway
// does with a longer access log line is not known [I].
const MaxEntryBytes = 256 << 10

// MaxTail is the most entries Tail returns, and maxTailRead the most bytes
// it reads to find them [I].
const (
	MaxTail     = 1000
	maxTailRead = 16 << 20
)

// ErrGroup is Tail's answer to a name that cannot be a log group's: empty
// or over MaxGroupBytes.
var ErrGroup = errors.New("accesslog: invalid log group name")

var errSinkClosed = errors.New("accesslog: sink closed")

// Config says where a Sink keeps entries.
type Config struct {
	// Dir holds one file per log group (see fileName), appended to and
	// rotated by size. Empty: entries are kept in memory, a bounded ring per
	// group.
	Dir          string
	MaxFileBytes int64 // default DefaultMaxFileBytes
	MaxBackups   int   // default DefaultMaxBackups; negative: none kept
	MaxOpenFiles int   // default DefaultMaxOpenFiles
	MemoryLines  int   // default DefaultMemoryLines
	MemoryBytes  int   // default DefaultMemoryBytes
	MaxGroups    int   // default DefaultMaxGroups

	// Mirror, when set, gets every entry too, as "{log group} {entry}\n"
	// (standard output, for docker logs and CI).
	Mirror io.Writer
	// Logger gets the first failed write (the others are only counted).
	// Nil: slog.Default().
	Logger *slog.Logger
}

// Sink is where access log entries go: one log per CloudWatch log group.
// It is safe for concurrent use. Writing never fails the request that
// produced the entry: a failure is counted (Stats) and the first one
// logged.
type Sink struct {
	cfg Config

	mu     sync.Mutex // guards groups
	groups map[string]*group
	tick   atomic.Uint64 // orders writes for least-recently-written choices
	open   atomic.Int64  // files open
	closed atomic.Bool

	mirrorMu  sync.Mutex
	mirrorBuf []byte

	entries, failures atomic.Uint64
	logOnce           sync.Once
}

type group struct {
	name string
	path string // file mode: the current file
	used atomic.Uint64

	mu      sync.Mutex
	f       *os.File // nil until the first write, and after a failure or an eviction
	size    int64
	buf     []byte
	ring    *ring // memory mode
	evicted bool  // memory mode: dropped from the Sink; writers look again
}

// Stats counts the entries written and the writes that failed.
type Stats struct {
	Entries, Failures uint64
}

// New makes a Sink. In file mode it creates Dir.
func New(cfg Config) (*Sink, error) {
	if cfg.MaxFileBytes <= 0 {
		cfg.MaxFileBytes = DefaultMaxFileBytes
	}
	if cfg.MaxBackups == 0 {
		cfg.MaxBackups = DefaultMaxBackups
	}
	if cfg.MaxBackups < 0 {
		cfg.MaxBackups = 0
	}
	if cfg.MaxOpenFiles <= 0 {
		cfg.MaxOpenFiles = DefaultMaxOpenFiles
	}
	if cfg.MemoryLines <= 0 {
		cfg.MemoryLines = DefaultMemoryLines
	}
	if cfg.MemoryBytes <= 0 {
		cfg.MemoryBytes = DefaultMemoryBytes
	}
	if cfg.MaxGroups <= 0 {
		cfg.MaxGroups = DefaultMaxGroups
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Dir != "" {
		if err := os.MkdirAll(cfg.Dir, 0o755); err != nil {
			return nil, fmt.Errorf("access logs: %w", err)
		}
	}
	return &Sink{cfg: cfg, groups: map[string]*group{}}, nil
}

// Write adds one entry to the log group's log. The entry is copied; a line
// break in it is written as the two characters \n (or \r), so that an entry
// stays one line [I]; an entry over MaxEntryBytes (after that) is cut.
func (s *Sink) Write(groupName string, entry []byte) {
	if s.closed.Load() {
		s.fail(groupName, errSinkClosed)
		return
	}
	if groupName == "" || len(groupName) > MaxGroupBytes {
		s.fail(groupName, ErrGroup)
		return
	}
	if len(entry) > MaxEntryBytes {
		entry = entry[:MaxEntryBytes]
	}
	if s.cfg.Mirror != nil {
		s.mirror(groupName, entry)
	}
	var err error
	if s.cfg.Dir == "" {
		s.writeRing(groupName, entry)
	} else {
		err = s.writeFile(groupName, entry)
	}
	if err != nil {
		s.fail(groupName, err)
		return
	}
	s.entries.Add(1)
}

func (s *Sink) writeRing(name string, entry []byte) {
	for {
		g := s.group(name)
		g.mu.Lock()
		if g.evicted {
			g.mu.Unlock()
			continue
		}
		line := appendLine(g.buf[:0], entry)
		g.ring.add(string(line))
		g.keep(line)
		g.mu.Unlock()
		return
	}
}

func (s *Sink) writeFile(name string, entry []byte) error {
	g := s.group(name)
	g.mu.Lock()
	err := g.appendFile(s, entry)
	g.mu.Unlock()
	if s.open.Load() > int64(s.cfg.MaxOpenFiles) {
		s.closeIdle()
	}
	return err
}

// appendFile writes one line to the group's file, opening it and rotating
// it as needed. Called with g.mu held.
func (g *group) appendFile(s *Sink, entry []byte) error {
	line := append(appendLine(g.buf[:0], entry), '\n')
	defer g.keep(line)
	if g.f == nil {
		if err := g.openFile(s); err != nil {
			return err
		}
	}
	if g.size > 0 && g.size+int64(len(line)) > s.cfg.MaxFileBytes {
		if err := g.rotate(s); err != nil {
			return err
		}
		if err := g.openFile(s); err != nil {
			return err
		}
	}
	n, err := g.f.Write(line)
	g.size += int64(n)
	if err != nil {
		g.closeFile(s) // reopened, and measured again, on the next write
		return err
	}
	return nil
}

// keep keeps line's array for the group's next entry, unless it is large:
// an occasional big entry does not stay allocated in every group.
func (g *group) keep(line []byte) {
	if cap(line) <= 16<<10 {
		g.buf = line
	} else {
		g.buf = nil
	}
}

func (g *group) openFile(s *Sink) error {
	if s.closed.Load() {
		return errSinkClosed
	}
	if err := os.MkdirAll(s.cfg.Dir, 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(g.path, os.O_RDWR|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return err
	}
	g.f, g.size = f, info.Size()
	s.open.Add(1)
	// A previous run may have stopped in the middle of a line: end it, so
	// that the next entry starts a line of its own.
	if g.size > 0 {
		last := []byte{0}
		if _, err := f.ReadAt(last, g.size-1); err == nil && last[0] != '\n' {
			n, _ := f.Write([]byte{'\n'})
			g.size += int64(n)
		}
	}
	return nil
}

func (g *group) closeFile(s *Sink) {
	if g.f != nil {
		g.f.Close()
		g.f = nil
		s.open.Add(-1)
	}
}

// rotate shifts name.log.i to name.log.i+1 (the oldest falls off), moves
// the current file to name.log.1 and leaves the next write to open a new
// one. Called with g.mu held.
func (g *group) rotate(s *Sink) error {
	g.closeFile(s)
	if s.cfg.MaxBackups == 0 {
		if err := os.Remove(g.path); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
		return nil
	}
	for i := s.cfg.MaxBackups - 1; i >= 1; i-- {
		err := os.Rename(backup(g.path, i), backup(g.path, i+1))
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	return os.Rename(g.path, backup(g.path, 1))
}

func backup(path string, i int) string { return path + "." + strconv.Itoa(i) }

// appendLine appends entry with its line breaks escaped, at most
// MaxEntryBytes of it.
func appendLine(dst, entry []byte) []byte {
	if bytes.IndexAny(entry, "\r\n") < 0 {
		return append(dst, entry...)
	}
	start := len(dst)
	for _, c := range entry {
		switch c {
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		default:
			dst = append(dst, c)
		}
	}
	return dst[:min(len(dst), start+MaxEntryBytes)]
}

// group is the named group, made on first use. In memory mode a new group
// past MaxGroups evicts the least recently written one.
func (s *Sink) group(name string) *group {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.groups[name]
	if g == nil {
		g = &group{name: name}
		if s.cfg.Dir == "" {
			if len(s.groups) >= s.cfg.MaxGroups {
				s.evictLocked()
			}
			g.ring = &ring{maxLines: s.cfg.MemoryLines, maxBytes: s.cfg.MemoryBytes}
		} else {
			g.path = filepath.Join(s.cfg.Dir, fileName(name))
		}
		s.groups[name] = g
	}
	g.used.Store(s.tick.Add(1))
	return g
}

// evictLocked drops the least recently written memory-mode group. Called
// with s.mu held; takes the group's lock after it, never the other way.
func (s *Sink) evictLocked() {
	var oldest *group
	for _, g := range s.groups {
		if oldest == nil || g.used.Load() < oldest.used.Load() {
			oldest = g
		}
	}
	if oldest == nil {
		return
	}
	delete(s.groups, oldest.name)
	oldest.mu.Lock()
	oldest.evicted = true
	oldest.mu.Unlock()
}

// closeIdle closes the files of the least recently written groups until
// MaxOpenFiles are open. Group locks are taken one at a time, after s.mu is
// released: a writer holds its group's lock only.
func (s *Sink) closeIdle() {
	for s.open.Load() > int64(s.cfg.MaxOpenFiles) {
		s.mu.Lock()
		var oldest *group
		for _, g := range s.groups {
			if oldest == nil || g.used.Load() < oldest.used.Load() {
				// An unlocked look at f: a wrong guess closes nothing.
				if g.mu.TryLock() {
					open := g.f != nil
					g.mu.Unlock()
					if open {
						oldest = g
					}
				}
			}
		}
		s.mu.Unlock()
		if oldest == nil {
			return
		}
		oldest.mu.Lock()
		oldest.closeFile(s)
		oldest.mu.Unlock()
	}
}

func (s *Sink) mirror(name string, entry []byte) {
	s.mirrorMu.Lock()
	defer s.mirrorMu.Unlock()
	b := append(s.mirrorBuf[:0], name...)
	b = append(b, ' ')
	b = appendLine(b, entry)
	b = append(b, '\n')
	s.mirrorBuf = b
	if _, err := s.cfg.Mirror.Write(b); err != nil {
		s.fail(name, err)
	}
}

func (s *Sink) fail(name string, err error) {
	s.failures.Add(1)
	s.logOnce.Do(func() {
		s.cfg.Logger.Warn("access log entry lost; later losses are only counted", "logGroup", name, "err", err)
	})
}

// Stats counts what was written and lost so far.
func (s *Sink) Stats() Stats {
	return Stats{Entries: s.entries.Load(), Failures: s.failures.Load()}
}

// Tail is the group's newest n entries (at most MaxTail), oldest first,
// read from the end of its files, across rotations, or from its ring. A
// group with no entries has none: (nil, nil).
func (s *Sink) Tail(groupName string, n int) ([]string, error) {
	if groupName == "" || len(groupName) > MaxGroupBytes {
		return nil, ErrGroup
	}
	n = min(n, MaxTail)
	if n <= 0 {
		return nil, nil
	}
	if s.cfg.Dir == "" {
		s.mu.Lock()
		g := s.groups[groupName]
		s.mu.Unlock()
		if g == nil {
			return nil, nil
		}
		g.mu.Lock()
		defer g.mu.Unlock()
		return g.ring.last(n), nil
	}
	return s.tailFiles(groupName, n)
}

func (s *Sink) tailFiles(name string, n int) ([]string, error) {
	// Open the current file and the backups under the group's lock, with
	// the current file's size as written so far: a rotation or a write
	// after that changes neither what the open files hold nor how much of
	// the current one is read.
	var files []snapshot
	s.mu.Lock()
	g := s.groups[name]
	s.mu.Unlock()
	if g == nil {
		// Not written since this Sink started: it has an entry (and a lock
		// that rotations take) only if a previous run left files. Asking
		// for other names costs no memory.
		path := filepath.Join(s.cfg.Dir, fileName(name))
		if !exists(path) && !exists(backup(path, 1)) {
			return nil, nil
		}
		g = s.group(name)
	}
	g.mu.Lock()
	for i := 0; i <= s.cfg.MaxBackups; i++ {
		path := g.path
		if i > 0 {
			path = backup(g.path, i)
		}
		f, err := os.Open(path)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			g.mu.Unlock()
			closeAll(files)
			return nil, err
		}
		info, err := f.Stat()
		if err != nil {
			f.Close()
			g.mu.Unlock()
			closeAll(files)
			return nil, err
		}
		size := info.Size()
		if i == 0 && g.f != nil {
			size = g.size
		}
		files = append(files, snapshot{f, size})
	}
	g.mu.Unlock()
	defer closeAll(files)

	var newest []string // newest first, across files
	budget := int64(maxTailRead)
	for _, sf := range files {
		lines, read, err := lastLines(sf.f, sf.size, n-len(newest), budget)
		newest = append(newest, lines...)
		budget -= read
		if err != nil {
			return nil, err
		}
		if len(newest) >= n || budget <= 0 {
			break
		}
	}
	for i, j := 0, len(newest)-1; i < j; i, j = i+1, j-1 {
		newest[i], newest[j] = newest[j], newest[i]
	}
	return newest, nil
}

func exists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}

// snapshot is a file Tail reads, and how much of it.
type snapshot struct {
	f    *os.File
	size int64
}

func closeAll(files []snapshot) {
	for _, sf := range files {
		sf.f.Close()
	}
}

// Close closes the files. Entries written after Close are counted as lost.
func (s *Sink) Close() error {
	s.closed.Store(true)
	s.mu.Lock()
	groups := make([]*group, 0, len(s.groups))
	for _, g := range s.groups {
		groups = append(groups, g)
	}
	s.mu.Unlock()
	var errs []error
	for _, g := range groups {
		g.mu.Lock()
		if g.f != nil {
			errs = append(errs, g.f.Close())
			g.f = nil
			s.open.Add(-1)
		}
		g.mu.Unlock()
	}
	return errors.Join(errs...)
}
