//go:build !unix && !windows

package datadir

import (
	"errors"
	"os"
)

// tryLock: no file locks here (wasip1, js, plan9); Portico does not run
// on those anyway (its SQLite driver does not build there).
func tryLock(f *os.File) error { return errors.ErrUnsupported }

func unlock(f *os.File) error { return nil }
