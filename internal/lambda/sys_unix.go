//go:build unix

package lambda

import (
	"os"
	"runtime"
	"syscall"
)

// Every process leads its own process group (setProcAttr), so that
// stopping it stops whatever it started too.

// terminateGroup asks the process group to end (SIGTERM).
func terminateGroup(pid int) bool {
	return syscall.Kill(-pid, syscall.SIGTERM) == nil
}

// killGroup kills the process group (SIGKILL).
func killGroup(pid int) {
	syscall.Kill(-pid, syscall.SIGKILL)
}

// maxRSSKB is the peak resident memory of an exited process, in KB.
func maxRSSKB(ps *os.ProcessState) int64 {
	ru, ok := ps.SysUsage().(*syscall.Rusage)
	if !ok {
		return 0
	}
	if runtime.GOOS == "darwin" {
		return int64(ru.Maxrss) / 1024 // bytes there
	}
	return int64(ru.Maxrss)
}
