//go:build unix && !linux

package lambda

import (
	"os/exec"
	"syscall"
)

// setProcAttr puts the process in its own group. Without Pdeathsig, a
// Portico killed with SIGKILL leaves its processes to find their Runtime
// API gone.
func setProcAttr(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

func startCommand(cmd *exec.Cmd) error { return cmd.Start() }

// peakRSSKB: not known for a live process here.
func peakRSSKB(pid int) int64 { return 0 }
