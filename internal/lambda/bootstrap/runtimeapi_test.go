package bootstrap

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// This file is the tests' stand-in for the AWS side of the Lambda Runtime
// API: a plain HTTP server that hands out queued invocations on
// /invocation/next and records what the runtime posts back, so that each
// bootstrap can be run for real (node, python3) and what it sends checked.

// post is one thing a runtime sent.
type post struct {
	kind   string // "response", "error" or "init"
	id     string // the invocation ("" for init)
	header http.Header
	body   []byte
}

type invocation struct {
	id     string
	body   string
	header map[string]string // more headers than the request id and deadline
}

type fakeRuntimeAPI struct {
	srv   *httptest.Server
	queue chan invocation
	posts chan post
	done  chan struct{}

	// dropNext, if set, is the number (from 1) of the /invocation/next
	// request whose connection is closed without an answer, as a server
	// closing a kept-open connection just as it is reused does.
	dropNext  int64
	nextCalls atomic.Int64
}

func newFakeRuntimeAPI(t testing.TB) *fakeRuntimeAPI {
	a := &fakeRuntimeAPI{queue: make(chan invocation, 16), posts: make(chan post, 16), done: make(chan struct{})}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /2018-06-01/runtime/invocation/next", func(w http.ResponseWriter, r *http.Request) {
		if a.nextCalls.Add(1) == a.dropNext {
			conn, _, err := http.NewResponseController(w).Hijack()
			if err == nil {
				conn.Close()
			}
			return
		}
		select {
		case inv := <-a.queue:
			h := w.Header()
			h.Set("Lambda-Runtime-Aws-Request-Id", inv.id)
			h.Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(time.Now().Add(time.Hour).UnixMilli(), 10))
			h.Set("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:000000000000:function:fn")
			for k, v := range inv.header {
				h.Set(k, v)
			}
			h.Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusOK)
			w.Write([]byte(inv.body))
		case <-r.Context().Done():
		case <-a.done:
		}
	})
	record := func(kind string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			var body bytes.Buffer
			body.ReadFrom(r.Body)
			w.WriteHeader(http.StatusAccepted)
			a.posts <- post{kind: kind, id: r.PathValue("id"), header: r.Header.Clone(), body: body.Bytes()}
		}
	}
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/response", record("response"))
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/error", record("error"))
	mux.HandleFunc("POST /2018-06-01/runtime/init/error", record("init"))
	a.srv = httptest.NewServer(mux)
	t.Cleanup(func() {
		close(a.done)
		a.srv.Close()
	})
	return a
}

// syncBuffer collects a process's output.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// runtimeProcess is one started runtime.
type runtimeProcess struct {
	t      testing.TB
	api    *fakeRuntimeAPI
	cmd    *exec.Cmd
	stdout syncBuffer
	stderr syncBuffer
	exited chan struct{}
	err    error // the exit, once exited is closed
}

// requireRuntime skips the test when the interpreter is missing, unless
// PORTICO_REQUIRE_RUNTIMES is set (CI sets it).
func requireRuntime(t testing.TB, program string) {
	t.Helper()
	if _, err := exec.LookPath(program); err != nil {
		if os.Getenv("PORTICO_REQUIRE_RUNTIMES") != "" {
			t.Fatalf("%s is not on PATH, and PORTICO_REQUIRE_RUNTIMES is set", program)
		}
		t.Skipf("%s is not on PATH: the built-in %s runtime cannot be tested here (set PORTICO_REQUIRE_RUNTIMES to make this a failure)", program, program)
	}
}

// startRuntime starts the built-in runtime spec ("node:handlers.promise")
// in dir, with the environment Lambda gives a function and then env.
func startRuntime(t testing.TB, spec, dir string, env ...string) *runtimeProcess {
	t.Helper()
	return startRuntimeOn(t, newFakeRuntimeAPI(t), spec, dir, env...)
}

// startRuntimeOn is startRuntime on a given fake.
func startRuntimeOn(t testing.TB, api *fakeRuntimeAPI, spec, dir string, env ...string) *runtimeProcess {
	t.Helper()
	rt := NewRuntimes(t.TempDir())
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	proc, err := rt.Command(spec, abs)
	if err != nil {
		t.Fatal(err)
	}
	requireRuntime(t, proc.Argv[0])
	return startProcess(t, api, proc, abs, env...)
}

// startProcess starts proc in dir against api.
func startProcess(t testing.TB, api *fakeRuntimeAPI, proc Process, abs string, env ...string) *runtimeProcess {
	t.Helper()
	p := &runtimeProcess{t: t, api: api, exited: make(chan struct{})}
	p.cmd = exec.Command(proc.Argv[0], proc.Argv[1:]...)
	p.cmd.Dir = abs
	p.cmd.Env = append([]string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + os.Getenv("HOME"),
		"PYTHONDONTWRITEBYTECODE=1", // keep testdata free of __pycache__
		"AWS_LAMBDA_RUNTIME_API=" + strings.TrimPrefix(api.srv.URL, "http://"),
		"_HANDLER=" + proc.Handler,
		"LAMBDA_TASK_ROOT=" + abs,
		"AWS_LAMBDA_FUNCTION_NAME=fn",
		"AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=256",
		"AWS_LAMBDA_LOG_GROUP_NAME=/aws/lambda/fn",
		"AWS_LAMBDA_LOG_STREAM_NAME=2026/12/01/[$LATEST]0123456789abcdef",
	}, proc.Env...)
	p.cmd.Env = append(p.cmd.Env, env...)
	p.cmd.Stdout = &p.stdout
	p.cmd.Stderr = &p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.exited)
	}()
	// Registered after the server's cleanup, so run before it: the process
	// goes first, and with it its waiting /next request.
	t.Cleanup(func() {
		p.cmd.Process.Kill()
		<-p.exited
	})
	return p
}

// waitPost waits for the runtime's next post; a process that exits
// without one, or takes far longer than any runtime should, fails the test.
func (p *runtimeProcess) waitPost() post {
	p.t.Helper()
	select {
	case got := <-p.api.posts:
		return got
	case <-p.exited:
		// It may have posted just before exiting.
		select {
		case got := <-p.api.posts:
			return got
		default:
		}
		p.t.Fatalf("the runtime exited (%v) without posting\nstdout:\n%s\nstderr:\n%s", p.err, p.stdout.String(), p.stderr.String())
	case <-time.After(30 * time.Second):
		p.t.Fatalf("no post from the runtime\nstdout:\n%s\nstderr:\n%s", p.stdout.String(), p.stderr.String())
	}
	return post{}
}

var invocationCount struct {
	sync.Mutex
	n int
}

// invoke queues an event and returns what the runtime posted for it.
func (p *runtimeProcess) invoke(event string, headers map[string]string) post {
	p.t.Helper()
	invocationCount.Lock()
	invocationCount.n++
	id := fmt.Sprintf("8f5a1d6e-0000-4000-8000-%012d", invocationCount.n)
	invocationCount.Unlock()
	p.api.queue <- invocation{id: id, body: event, header: headers}
	got := p.waitPost()
	if got.id != id {
		p.t.Fatalf("posted %s for invocation %q, want %q; body %s", got.kind, got.id, id, got.body)
	}
	return got
}

// waitExit waits for the process to end and returns its exit code.
func (p *runtimeProcess) waitExit() int {
	p.t.Helper()
	select {
	case <-p.exited:
	case <-time.After(30 * time.Second):
		p.t.Fatalf("the runtime did not exit\nstdout:\n%s\nstderr:\n%s", p.stdout.String(), p.stderr.String())
	}
	return p.cmd.ProcessState.ExitCode()
}

// jsonKeys lists an object's members in the order they were written.
func jsonKeys(t *testing.T, body []byte) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(body))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("not a JSON object: %s", body)
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

// errorDoc is an error document as the runtimes post it: Node's has trace,
// Python's requestId and stackTrace.
type errorDoc struct {
	ErrorType    string    `json:"errorType"`
	ErrorMessage string    `json:"errorMessage"`
	Trace        []string  `json:"trace"`
	RequestID    *string   `json:"requestId"`
	StackTrace   *[]string `json:"stackTrace"`
}

// decodeError checks the post is an error of the given kind, with the
// members given in that order and nothing else, and the
// Lambda-Runtime-Function-Error-Type header naming its type.
func decodeError(t *testing.T, got post, kind string, members ...string) errorDoc {
	t.Helper()
	if got.kind != kind {
		t.Fatalf("posted a %s, want an %s: %s", got.kind, kind, got.body)
	}
	if ct := got.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q, want application/json", ct)
	}
	if keys := jsonKeys(t, got.body); strings.Join(keys, ",") != strings.Join(members, ",") {
		t.Errorf("error document members %v, want %v: %s", keys, members, got.body)
	}
	var doc errorDoc
	if err := json.Unmarshal(got.body, &doc); err != nil {
		t.Fatal(err)
	}
	if h := got.header.Get("Lambda-Runtime-Function-Error-Type"); h != doc.ErrorType {
		t.Errorf("Lambda-Runtime-Function-Error-Type %q, want the errorType %q", h, doc.ErrorType)
	}
	return doc
}

// decodeResult checks the post is a response and decodes it.
func decodeResult(t *testing.T, got post, v any) {
	t.Helper()
	if got.kind != "response" {
		t.Fatalf("posted a %s, want a response: %s", got.kind, got.body)
	}
	if err := json.Unmarshal(got.body, v); err != nil {
		t.Fatalf("result %s: %v", got.body, err)
	}
}

// waitOutput waits for the process's stdout to match re: what a runtime
// writes before it posts can reach the test after the post does.
func (p *runtimeProcess) waitOutput(re string) bool {
	p.t.Helper()
	r := regexp.MustCompile(re)
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if r.MatchString(p.stdout.String()) {
			return true
		}
	}
	return false
}

// A kept-open connection the Runtime API closes just as the runtime reuses
// it costs nothing: the runtime asks again on a new one.
func TestRuntimesReconnect(t *testing.T) {
	for _, tc := range []struct{ spec, dir string }{
		{"node:handlers.promise", nodeDir},
		{"python:app.handler", pythonDir},
	} {
		t.Run(tc.spec, func(t *testing.T) {
			t.Parallel()
			api := newFakeRuntimeAPI(t)
			api.dropNext = 2 // the first on a reused connection
			p := startRuntimeOn(t, api, tc.spec, tc.dir)
			for range 2 {
				if got := p.invoke(`{}`, nil); got.kind != "response" {
					t.Fatalf("posted %s %s", got.kind, got.body)
				}
			}
			if n := api.nextCalls.Load(); n < 3 {
				t.Errorf("%d requests for the next invocation, want the dropped one and its retry", n)
			}
		})
	}
}
