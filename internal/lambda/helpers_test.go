package lambda

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"
)

// The tests run real processes: the function in testdata/gofunc, built
// here with the real aws-lambda-go runtime client, and shell scripts.

var (
	buildOnce sync.Once
	buildDir  string
	goFunc    string // path of the built test function
	buildErr  error
)

func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) != "" {
		runHelper() // the kill -9 test's stand-in for Portico
		return
	}
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// gofunc builds testdata/gofunc once per test binary.
func gofunc(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		buildDir, buildErr = os.MkdirTemp("", "portico-lambda-test")
		if buildErr != nil {
			return
		}
		goFunc = filepath.Join(buildDir, "gofunc")
		if runtime.GOOS == "windows" {
			goFunc += ".exe"
		}
		gobin := filepath.Join(runtime.GOROOT(), "bin", "go")
		if _, err := os.Stat(gobin); err != nil {
			gobin = "go"
		}
		out, err := exec.Command(gobin, "build", "-o", goFunc, "./testdata/gofunc").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build ./testdata/gofunc: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return goFunc
}

// logSink records the lines the manager sends to Config.Logs.
type logSink struct {
	mu    sync.Mutex
	lines []string // "group|line"
}

func (s *logSink) add(group, line string) {
	s.mu.Lock()
	s.lines = append(s.lines, group+"|"+line)
	s.mu.Unlock()
}

func (s *logSink) all() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.lines...)
}

// testManager starts a manager whose functions run the test function
// unless they say otherwise.
func testManager(t testing.TB, cfg Config) (*Manager, *logSink) {
	t.Helper()
	sink := &logSink{}
	for i := range cfg.Functions {
		if cfg.Functions[i].Command == nil {
			cfg.Functions[i].Command = []string{gofunc(t)}
		}
	}
	if cfg.Logs == nil {
		cfg.Logs = sink.add
	}
	if cfg.StopGrace == 0 {
		cfg.StopGrace = 500 * time.Millisecond
	}
	m, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := m.Close(); err != nil {
			t.Error(err)
		}
	})
	return m, sink
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// invoke calls a function synchronously and fails the test on an API
// error.
func invoke(t testing.TB, m *Manager, name string, ev any, opts InvokeOptions) InvokeResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	res, err := m.Invoke(ctx, name, mustJSON(ev), opts)
	if err != nil {
		t.Fatalf("Invoke %s: %v", name, err)
	}
	return res
}

// call is an invocation run on its own goroutine; wait reports it to the
// test's goroutine.
type call struct {
	done chan struct{}
	res  InvokeResult
	err  error
}

func goInvoke(m *Manager, name string, ev any) *call {
	c := &call{done: make(chan struct{})}
	go func() {
		defer close(c.done)
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		c.res, c.err = m.Invoke(ctx, name, mustJSON(ev), InvokeOptions{})
	}()
	return c
}

func (c *call) wait(t testing.TB) InvokeResult {
	t.Helper()
	<-c.done
	if c.err != nil {
		t.Fatal(c.err)
	}
	return c.res
}

type result struct {
	Action        string            `json:"action"`
	Message       string            `json:"message"`
	RequestID     string            `json:"requestId"`
	FunctionARN   string            `json:"functionArn"`
	DeadlineMs    int64             `json:"deadlineMs"`
	TraceID       string            `json:"traceId"`
	ClientContext map[string]string `json:"clientContext"`
	PID           int               `json:"pid"`
	Env           map[string]string `json:"env"`

	// function errors
	ErrorType    string   `json:"errorType"`
	ErrorMessage string   `json:"errorMessage"`
	StackTrace   []any    `json:"stackTrace"`
	Trace        []string `json:"trace"`
}

func decode(t testing.TB, res InvokeResult) result {
	t.Helper()
	var r result
	if err := json.Unmarshal(res.Payload, &r); err != nil {
		t.Fatalf("payload %q: %v", res.Payload, err)
	}
	return r
}

// waitFor polls cond; the bound is a guard against a hang, not a
// measurement.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting: %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// gate is a file a "wait" invocation blocks on until the test opens it.
func gate(t testing.TB) (path string, open func()) {
	path = filepath.Join(t.TempDir(), "gate")
	return path, func() {
		if err := os.WriteFile(path, nil, 0o600); err != nil {
			t.Error(err)
		}
	}
}

func stats(t testing.TB, m *Manager, name string) Stats {
	t.Helper()
	s, ok := m.Stats(name)
	if !ok {
		t.Fatalf("no function %s", name)
	}
	return s
}

func requireUnix(t testing.TB) {
	if runtime.GOOS == "windows" {
		t.Skip("process groups and shell scripts: Unix only")
	}
}
