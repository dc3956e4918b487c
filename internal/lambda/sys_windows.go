package lambda

import (
	"os"
	"os/exec"
	"syscall"
)

// Windows has neither process groups to signal nor SIGTERM: a process is
// killed, alone. (A job object would take its children with it; not
// done.)

func setProcAttr(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{CreationFlags: syscall.CREATE_NEW_PROCESS_GROUP}
}

func startCommand(cmd *exec.Cmd) error { return cmd.Start() }

func terminateGroup(pid int) bool { return false }

func killGroup(pid int) {
	if p, err := os.FindProcess(pid); err == nil {
		p.Kill()
	}
}

func maxRSSKB(ps *os.ProcessState) int64 { return 0 }

func peakRSSKB(pid int) int64 { return 0 }
