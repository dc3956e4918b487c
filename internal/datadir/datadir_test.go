package datadir

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// holdEnv, when set to a directory, makes the test binary a child that
// locks it, says so on stdout, and holds the lock until stdin closes.
const holdEnv = "PORTICO_DATADIR_TEST_HOLD"

func TestMain(m *testing.M) {
	if dir := os.Getenv(holdEnv); dir != "" {
		os.Exit(hold(dir))
	}
	os.Exit(m.Run())
}

func hold(dir string) int {
	l, err := Lock(dir)
	if err != nil {
		fmt.Println("error:", err)
		return 1
	}
	fmt.Println("locked")
	io.Copy(io.Discard, os.Stdin) // until the parent closes it, or kills us
	if err := l.Close(); err != nil {
		fmt.Println("error:", err)
		return 1
	}
	return 0
}

// child is another process holding dir's lock.
type child struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
}

func startHolder(t *testing.T, dir string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), holdEnv+"="+dir)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &child{cmd: cmd, stdin: stdin}
	t.Cleanup(func() {
		c.stdin.Close()
		c.cmd.Process.Kill()
		c.cmd.Wait()
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if line != "locked\n" {
		t.Fatalf("child: %q, %v", line, err)
	}
	return c
}

// wantInUse checks that Lock(dir) fails at once naming the directory and
// the holder's pid.
func wantInUse(t *testing.T, dir string, pid int) {
	t.Helper()
	l, err := Lock(dir)
	if err == nil {
		l.Close()
		t.Fatal("second Lock succeeded")
	}
	var inUse *InUseError
	if !errors.As(err, &inUse) {
		t.Fatalf("error is not an *InUseError: %v", err)
	}
	want := fmt.Sprintf("data directory %s is in use by another Portico (pid %d); stop it or choose another --data-dir", dir, pid)
	if err.Error() != want || inUse.PID != pid || inUse.Dir != dir {
		t.Errorf("got  %q (%+v)\nwant %q", err, inUse, want)
	}
}

func TestLockInThisProcess(t *testing.T) {
	dir := t.TempDir()
	l, err := Lock(dir)
	if err != nil {
		t.Fatal(err)
	}
	if l.Dir() != dir {
		t.Errorf("Dir() = %q, want %q", l.Dir(), dir)
	}
	if b, err := os.ReadFile(filepath.Join(dir, FileName)); err != nil || string(b) != fmt.Sprintf("%d\n", os.Getpid()) {
		t.Errorf("lock file holds %q (%v), want this pid", b, err)
	}
	// A second Lock in the same process is refused too: the store would
	// be opened twice just the same.
	wantInUse(t, dir, os.Getpid())
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	// Released: the next Lock takes it.
	l, err = Lock(dir)
	if err != nil {
		t.Fatalf("Lock after Close: %v", err)
	}
	l.Close()
}

func TestLockAcrossProcesses(t *testing.T) {
	dir := t.TempDir()
	c := startHolder(t, dir)
	wantInUse(t, dir, c.cmd.Process.Pid)
	// The child lets go when it stops normally.
	c.stdin.Close()
	if err := c.cmd.Wait(); err != nil {
		t.Fatalf("child: %v", err)
	}
	l, err := Lock(dir)
	if err != nil {
		t.Fatalf("Lock after the holder stopped: %v", err)
	}
	l.Close()
}

// TestKilledHolder: a holder killed with SIGKILL closes nothing itself;
// the kernel drops its lock, and the next start takes the directory even
// though the file still names the dead pid.
func TestKilledHolder(t *testing.T) {
	dir := t.TempDir()
	c := startHolder(t, dir)
	pid := c.cmd.Process.Pid
	wantInUse(t, dir, pid)
	if err := c.cmd.Process.Kill(); err != nil { // SIGKILL on unix
		t.Fatal(err)
	}
	c.cmd.Wait()
	if b, _ := os.ReadFile(filepath.Join(dir, FileName)); strings.TrimSpace(string(b)) != fmt.Sprint(pid) {
		t.Fatalf("lock file after the kill holds %q, want the dead pid %d", b, pid)
	}
	l, err := Lock(dir)
	if err != nil {
		t.Fatalf("Lock after the holder was killed: %v", err)
	}
	defer l.Close()
	if b, _ := os.ReadFile(filepath.Join(dir, FileName)); string(b) != fmt.Sprintf("%d\n", os.Getpid()) {
		t.Errorf("lock file holds %q, want this pid", b)
	}
	// And this process holds it now, for others.
	wantInUse(t, dir, os.Getpid())
}

func TestLockErrors(t *testing.T) {
	// The directory must exist: Lock does not create it.
	missing := filepath.Join(t.TempDir(), "missing")
	l, err := Lock(missing)
	if err == nil {
		l.Close()
		t.Fatal("Lock of a missing directory succeeded")
	}
	var inUse *InUseError
	if errors.As(err, &inUse) || !strings.Contains(err.Error(), missing) {
		t.Errorf("Lock of a missing directory: %v", err)
	}

	// A relative path is reported absolute.
	dir := t.TempDir()
	t.Chdir(dir)
	l, err = Lock(".")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	wantInUse(t, dir, os.Getpid())
	if _, err := Lock("."); err == nil || !strings.Contains(err.Error(), dir) {
		t.Errorf("Lock(\".\") while held: %v", err)
	}
}

// TestUnreadablePID: a lock file whose pid cannot be read (a holder that
// has not written it yet) still refuses, without a pid.
func TestUnreadablePID(t *testing.T) {
	dir := t.TempDir()
	l, err := Lock(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if err := os.WriteFile(filepath.Join(dir, FileName), []byte("garbage"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = Lock(dir)
	want := fmt.Sprintf("data directory %s is in use by another Portico; stop it or choose another --data-dir", dir)
	if err == nil || err.Error() != want {
		t.Errorf("got %v, want %q", err, want)
	}
}
