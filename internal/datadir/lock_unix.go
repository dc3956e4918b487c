//go:build unix

package datadir

import (
	"errors"
	"os"
	"syscall"
)

// tryLock takes flock(2)'s exclusive lock without blocking. flock locks
// belong to the open file description, so a second open of the file, in
// this process or another, conflicts with it, and the kernel drops the
// lock when the last descriptor closes, which process exit does (Go opens
// files close-on-exec, so children do not inherit it). On Linux NFS
// mounts flock is emulated with fcntl locks, which do not conflict within
// one process; across processes it still holds.
func tryLock(f *os.File) error {
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		switch {
		case errors.Is(err, syscall.EINTR):
			continue
		case errors.Is(err, syscall.EWOULDBLOCK):
			return errLocked
		}
		return err
	}
}

func unlock(f *os.File) error {
	return syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
}
