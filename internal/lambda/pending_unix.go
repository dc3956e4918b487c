//go:build linux || darwin

package lambda

import (
	"os"

	"golang.org/x/sys/unix"
)

// pendingBytes is how many bytes wait unread in a pipe (FIONREAD).
func pendingBytes(f *os.File) (int, bool) {
	rc, err := f.SyscallConn()
	if err != nil {
		return 0, false
	}
	n, ioErr := 0, error(nil)
	if err := rc.Control(func(fd uintptr) { n, ioErr = unix.IoctlGetInt(int(fd), fionread) }); err != nil || ioErr != nil {
		return 0, false
	}
	return n, true
}
