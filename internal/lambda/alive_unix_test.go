//go:build unix

package lambda

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"syscall"
)

// alive says whether a process exists (and is not a zombie).
func alive(pid int) bool {
	if syscall.Kill(pid, 0) != nil {
		return false
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return !os.IsNotExist(err) && runtime.GOOS != "linux"
	}
	// the state is the field after the parenthesized command name
	s := string(b)
	if i := strings.LastIndexByte(s, ')'); i >= 0 && i+2 < len(s) {
		return s[i+2] != 'Z'
	}
	return true
}
