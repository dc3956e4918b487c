// Package datadir keeps two Porticos off one data directory.
//
// Two processes on one SQLite file both start, and the second then serves
// what the first wrote only as far as its own caches let it: stale stages,
// compiled deployments that never see the other's changes. SQLite's own
// locks only serialize the writes. Lock takes an exclusive lock on a file
// in the directory for as long as the process runs:
//
//	lock, err := datadir.Lock(dir) // after os.MkdirAll(dir), before opening the store
//	if err != nil {
//		return err // "data directory /x/.portico is in use by another Portico (pid 1234); ..."
//	}
//	defer lock.Close() // after closing the store
//
// The lock belongs to the operating system, not to the file's contents: it
// ends when the process ends, however it ends (kill -9 included), so a
// crash never leaves a directory that needs cleaning up by hand. The file
// holds the holder's pid only to name it in the error.
package datadir

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// FileName is the lock file's name inside the directory. The file is left
// in place after Close: removing it while another process is about to
// lock it would let the two lock different files.
const FileName = "portico.lock"

// Held is a lock Lock took. (Go does not let the type share the
// function's name.)
type Held struct {
	f   *os.File
	dir string
}

// InUseError is Lock's error when the directory is locked already, by
// another process or by another Lock of this one.
type InUseError struct {
	Dir string // absolute
	// PID is the holder's process id, as it wrote it in the lock file; 0
	// if it could not be read (the holder may be between taking the lock
	// and writing it).
	PID int
}

func (e *InUseError) Error() string {
	holder := "another Portico"
	if e.PID > 0 {
		holder = fmt.Sprintf("another Portico (pid %d)", e.PID)
	}
	return fmt.Sprintf("data directory %s is in use by %s; stop it or choose another --data-dir", e.Dir, holder)
}

// errLocked is what the platform's tryLock returns when the lock is held.
var errLocked = errors.New("locked")

// Lock takes an exclusive lock on dir, which must exist, without waiting:
// if it is held already it fails at once with an *InUseError. It writes
// this process's pid into the lock file.
func Lock(dir string) (*Held, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("data directory %s: %w", dir, err)
	}
	path := filepath.Join(abs, FileName)
	// Not O_TRUNC: the file may hold the pid of a live holder, to be read
	// below if the lock is taken.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("data directory %s: %w", abs, err)
	}
	if err := tryLock(f); err != nil {
		f.Close()
		if errors.Is(err, errLocked) {
			return nil, &InUseError{Dir: abs, PID: readPID(path)}
		}
		return nil, fmt.Errorf("data directory %s: lock %s: %w", abs, path, err)
	}
	if err := writePID(f, os.Getpid()); err != nil {
		unlock(f)
		f.Close()
		return nil, fmt.Errorf("data directory %s: write %s: %w", abs, path, err)
	}
	return &Held{f: f, dir: abs}, nil
}

// Dir is the absolute path of the locked directory.
func (l *Held) Dir() string { return l.dir }

// Close releases the lock. It empties the file first, so that nobody
// reads a pid that no longer holds it. Calling Close again, or on a nil
// Held, does nothing.
func (l *Held) Close() error {
	if l == nil || l.f == nil {
		return nil
	}
	f := l.f
	l.f = nil
	truncErr := f.Truncate(0)
	return errors.Join(truncErr, unlock(f), f.Close())
}

func writePID(f *os.File, pid int) error {
	if err := f.Truncate(0); err != nil {
		return err
	}
	_, err := f.WriteAt([]byte(strconv.Itoa(pid)+"\n"), 0)
	return err
}

// readPID returns the pid in the lock file at path, or 0.
func readPID(path string) int {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 0 {
		return 0
	}
	return pid
}
