package lambda

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// helperEnv makes the test binary a stand-in for Portico: it runs a
// manager with one function process busy in a long invocation (so that
// the process does not notice its Runtime API going away), prints that
// process's pid and waits to be killed.
const helperEnv = "PORTICO_LAMBDA_TEST_HELPER"

func runHelper() {
	m, err := New(Config{Functions: []Function{{Name: "f", Command: []string{os.Getenv(helperEnv)}}}})
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	res, err := m.Invoke(context.Background(), "f", []byte(`{}`), InvokeOptions{})
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	if _, err := m.Invoke(context.Background(), "f", []byte(`{"action":"sleep","ms":600000}`), InvokeOptions{Type: Event}); err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	for s, _ := m.Stats("f"); s.Busy != 1; s, _ = m.Stats("f") {
		time.Sleep(time.Millisecond)
	}
	fmt.Printf("%s\n", res.Payload)
	time.Sleep(time.Hour)
}

// TestNoProcessOutlivesAKilledPortico: kill -9 of Portico takes its
// function processes with it (Pdeathsig).
func TestNoProcessOutlivesAKilledPortico(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"="+gofunc(t))
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "{") {
		t.Fatalf("helper said %q: %v", line, err)
	}
	var pid int
	fmt.Sscanf(line[strings.Index(line, `"pid":`)+6:], "%d", &pid)
	if pid == 0 || !alive(pid) {
		t.Fatalf("no function process in %q", line)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	waitFor(t, "the function process to die with its parent", func() bool { return !alive(pid) })
}
