package lambda

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestInvokeGoFunction(t *testing.T) {
	dir := t.TempDir()
	m, _ := testManager(t, Config{
		Region: "eu-west-1", Account: "123456789012",
		Env: []string{"AWS_ENDPOINT_URL=http://127.0.0.1:4800", "SHARED=config"},
		Functions: []Function{{
			Name: "orders", Dir: dir, Handler: "bootstrap", Runtime: "provided.al2023",
			Env: map[string]string{"TABLE": "orders", "SHARED": "function", "AWS_REGION": "mars-1"},
		}, {Name: "managed", Runtime: "nodejs20.x", MemoryMB: 512}},
	})
	before := time.Now()
	res := invoke(t, m, "orders", map[string]any{"action": "env"}, InvokeOptions{})
	if res.Status != http.StatusOK || res.FunctionError != "" || res.ExecutedVersion != "$LATEST" {
		t.Fatalf("result %+v", res)
	}
	r := decode(t, res)
	if r.RequestID != res.RequestID || r.RequestID == "" {
		t.Errorf("the handler saw request id %q, the caller %q", r.RequestID, res.RequestID)
	}
	if r.FunctionARN != "arn:aws:lambda:eu-west-1:123456789012:function:orders" {
		t.Errorf("invoked ARN %q", r.FunctionARN)
	}
	if d := time.UnixMilli(r.DeadlineMs); d.Before(before.Add(3*time.Second-time.Second)) || d.After(time.Now().Add(3*time.Second)) {
		t.Errorf("deadline %v is not the default 3 s timeout after the start", d)
	}
	if !strings.HasPrefix(r.TraceID, "Root=1-") {
		t.Errorf("trace id %q", r.TraceID)
	}
	want := map[string]string{
		"AWS_LAMBDA_FUNCTION_NAME":        "orders",
		"AWS_LAMBDA_FUNCTION_VERSION":     "$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128",
		"AWS_LAMBDA_LOG_GROUP_NAME":       "/aws/lambda/orders",
		"AWS_DEFAULT_REGION":              "eu-west-1",
		"AWS_REGION":                      "mars-1", // the function's own variable wins
		"_HANDLER":                        "bootstrap",
		"LAMBDA_TASK_ROOT":                dir,
		"TZ":                              ":UTC",
		"AWS_ACCESS_KEY_ID":               "123456789012",
		"AWS_SECRET_ACCESS_KEY":           localSecret,
		"AWS_SESSION_TOKEN":               localSecret,
		"AWS_ENDPOINT_URL":                "http://127.0.0.1:4800",
		"SHARED":                          "function",
		"TABLE":                           "orders",
		"PATH":                            os.Getenv("PATH"),
	}
	for k, v := range want {
		if r.Env[k] != v {
			t.Errorf("%s=%q, want %q", k, r.Env[k], v)
		}
	}
	for _, k := range []string{"AWS_EXECUTION_ENV", "AWS_PROFILE", "_LAMBDA_SERVER_PORT"} {
		if v, ok := r.Env[k]; ok {
			t.Errorf("%s=%q should not be set", k, v)
		}
	}
	if d := r.Env["LAMBDA_RUNTIME_DIR"]; d != filepath.Dir(gofunc(t)) {
		t.Errorf("LAMBDA_RUNTIME_DIR=%q", d)
	}
	if env := decode(t, invoke(t, m, "managed", map[string]any{"action": "env"}, InvokeOptions{})).Env; env["AWS_EXECUTION_ENV"] != "AWS_Lambda_nodejs20.x" ||
		env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] != "512" {
		t.Errorf("a managed runtime's AWS_EXECUTION_ENV=%q, memory %q", env["AWS_EXECUTION_ENV"], env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"])
	}
	if api := r.Env["AWS_LAMBDA_RUNTIME_API"]; !strings.HasPrefix(api, "127.0.0.1:") {
		t.Errorf("AWS_LAMBDA_RUNTIME_API=%q", api)
	}
	if s := r.Env["AWS_LAMBDA_LOG_STREAM_NAME"]; !strings.Contains(s, "/[$LATEST]") || len(s) != len("2026/12/01/[$LATEST]")+32 {
		t.Errorf("log stream %q", s)
	}

	// The same warm process serves the next invocations, by every name.
	for _, name := range []string{
		"orders:$LATEST",
		"orders:live",
		"arn:aws:lambda:eu-west-1:123456789012:function:orders",
		"arn:aws:lambda:eu-west-1:123456789012:function:orders:$LATEST",
		"123456789012:function:orders",
		"arn:aws:lambda:us-west-2:999999999999:function:orders", // [I] found by name whatever the ARN's account
		"arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:orders/invocations",
	} {
		r2 := decode(t, invoke(t, m, name, map[string]any{"action": "echo"}, InvokeOptions{}))
		if r2.PID != r.PID {
			t.Errorf("%s ran in process %d, not the warm %d", name, r2.PID, r.PID)
		}
		if !strings.HasSuffix(name, "/invocations") && !strings.HasSuffix(r2.FunctionARN, strings.TrimPrefix(name, "123456789012:function:")) {
			t.Errorf("%s: invoked ARN %q", name, r2.FunctionARN)
		}
	}
	if s := stats(t, m, "orders"); s.Started != 1 || s.Processes != 1 || s.Idle != 1 {
		t.Errorf("stats %+v", s)
	}

	// A client context reaches the handler decoded.
	cc := base64.StdEncoding.EncodeToString([]byte(`{"custom":{"tenant":"acme"}}`))
	r3 := decode(t, invoke(t, m, "orders", map[string]any{}, InvokeOptions{ClientContext: cc, TraceID: "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1"}))
	if r3.ClientContext["tenant"] != "acme" || r3.TraceID != "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1" {
		t.Errorf("client context %v, trace %q", r3.ClientContext, r3.TraceID)
	}
}

func TestInvokeErrors(t *testing.T) {
	m, _ := testManager(t, Config{Functions: []Function{{Name: "f"}}})
	ctx := context.Background()
	cases := []struct {
		name, ref string
		payload   []byte
		opts      InvokeOptions
		status    int
		code, msg string
	}{
		{"unknown", "nope", nil, InvokeOptions{}, 404, "ResourceNotFoundException",
			"Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope"},
		{"unknown qualified", "arn:aws:lambda:eu-west-1:123456789012:function:nope:live", nil, InvokeOptions{}, 404,
			"ResourceNotFoundException", "Function not found: arn:aws:lambda:eu-west-1:123456789012:function:nope:live"},
		{"bad name", "not a name", nil, InvokeOptions{}, 400, "ValidationException", "1 validation error detected: Value 'not a name' at 'functionName'"},
		{"not json", "f", []byte("{nope"), InvokeOptions{}, 400, "InvalidRequestContentException",
			"Could not parse request body into json: Could not parse payload into json: "},
		{"too large", "f", []byte(`"` + strings.Repeat("x", 6<<20) + `"`), InvokeOptions{}, 413, "RequestTooLargeException",
			"Request must be smaller than 6291456 bytes for the InvokeFunction operation"},
		{"event too large", "f", []byte(`"` + strings.Repeat("x", 1<<20) + `"`), InvokeOptions{Type: Event}, 413,
			"RequestTooLargeException", "Request must be smaller than 1048576 bytes for the InvokeFunction operation"},
		{"bad type", "f", nil, InvokeOptions{Type: "Later"}, 400, "ValidationException", "Value 'Later' at 'invocationType'"},
		{"qualifiers differ", "f:one", nil, InvokeOptions{Qualifier: "two"}, 400, "InvalidParameterValueException",
			"The derived qualifier from the function name does not match the specified qualifier."},
		{"bad client context", "f", nil, InvokeOptions{ClientContext: "%%%"}, 400, "InvalidRequestContentException",
			"Client context must be a valid Base64-encoded JSON object."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := m.Invoke(ctx, c.ref, c.payload, c.opts)
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("err %v", err)
			}
			if e.Status != c.status || e.Code != c.code || !strings.Contains(e.Message, c.msg) || e.Type != "User" {
				t.Errorf("got %d %s %q (Type %q)", e.Status, e.Code, e.Message, e.Type)
			}
		})
	}
	if s := stats(t, m, "f"); s.Started != 0 {
		t.Errorf("a refused invocation started a process: %+v", s)
	}
}

func TestFunctionErrors(t *testing.T) {
	m, _ := testManager(t, Config{Functions: []Function{{Name: "f"}}})
	res := invoke(t, m, "f", map[string]any{"action": "error", "message": "bad input"}, InvokeOptions{})
	r := decode(t, res)
	if res.Status != 200 || res.FunctionError != "Unhandled" || r.ErrorMessage != "bad input" || r.ErrorType != "errorString" {
		t.Fatalf("handler error: %+v %s", res, res.Payload)
	}
	// The process survives its handler's error.
	pid := decode(t, invoke(t, m, "f", map[string]any{}, InvokeOptions{})).PID

	// A panic is reported by aws-lambda-go, which then exits: the next
	// invocation gets a fresh process.
	res = invoke(t, m, "f", map[string]any{"action": "panic", "message": "boom"}, InvokeOptions{})
	r = decode(t, res)
	if res.FunctionError != "Unhandled" || r.ErrorMessage != "boom" || r.ErrorType != "string" || len(r.StackTrace) == 0 {
		t.Fatalf("panic: %s", res.Payload)
	}
	waitFor(t, "the panicked process to exit", func() bool { return !alive(pid) })
	if pid2 := decode(t, invoke(t, m, "f", map[string]any{}, InvokeOptions{})).PID; pid2 == pid {
		t.Errorf("the process that panicked (%d) served again", pid)
	}
}

func TestCrash(t *testing.T) {
	m, sink := testManager(t, Config{Functions: []Function{{Name: "f"}}})
	pid := decode(t, invoke(t, m, "f", map[string]any{}, InvokeOptions{})).PID
	res := invoke(t, m, "f", map[string]any{"action": "exit", "code": 3}, InvokeOptions{LogTail: true})
	r := decode(t, res)
	want := "RequestId: " + res.RequestID + " Error: Runtime exited with error: exit status 3"
	if res.FunctionError != "Unhandled" || r.ErrorType != "Runtime.ExitError" || r.ErrorMessage != want {
		t.Fatalf("crash: %+v %s", res, res.Payload)
	}
	if !strings.HasPrefix(string(res.Payload), `{"errorType":"Runtime.ExitError","errorMessage":`) {
		t.Errorf("member order: %s", res.Payload)
	}
	tail, _ := base64.StdEncoding.DecodeString(res.LogTail)
	if !strings.Contains(string(tail), "Status: error\tError Type: Runtime.ExitError") || !strings.Contains(string(tail), want+"\nRuntime.ExitError\n") {
		t.Errorf("tail:\n%s", tail)
	}
	if alive(pid) {
		t.Errorf("process %d still alive", pid)
	}
	if pid2 := decode(t, invoke(t, m, "f", map[string]any{}, InvokeOptions{})).PID; pid2 == pid {
		t.Error("the crashed process served again")
	}
	found := false
	for _, l := range sink.all() {
		found = found || l == "/aws/lambda/f|"+want
	}
	if !found {
		t.Error("no exit line in the log")
	}
}

func TestTimeout(t *testing.T) {
	m, _ := testManager(t, Config{Functions: []Function{{Name: "slow", Timeout: 300 * time.Millisecond}}})
	res := invoke(t, m, "slow", map[string]any{"action": "sleep", "ms": 60000}, InvokeOptions{LogTail: true})
	r := decode(t, res)
	want := "RequestId: " + res.RequestID + " Error: Task timed out after 0.30 seconds"
	if res.FunctionError != "Unhandled" || r.ErrorType != "Sandbox.Timedout" || r.ErrorMessage != want {
		t.Fatalf("timeout: %+v %s", res, res.Payload)
	}
	tail, _ := base64.StdEncoding.DecodeString(res.LogTail)
	if !strings.Contains(string(tail), "Status: timeout") || !strings.Contains(string(tail), " "+res.RequestID+" Task timed out after ") {
		t.Errorf("tail:\n%s", tail)
	}
	s := stats(t, m, "slow")
	waitFor(t, "the timed-out process to be gone", func() bool { return stats(t, m, "slow").Processes == 0 })
	for _, pid := range s.PIDs {
		if alive(pid) {
			t.Errorf("process %d survived its timeout", pid)
		}
	}
	// The next invocation starts a fresh process and works.
	if res := invoke(t, m, "slow", map[string]any{}, InvokeOptions{}); res.FunctionError != "" {
		t.Errorf("after the timeout: %s", res.Payload)
	}
	if s := stats(t, m, "slow"); s.Started != 2 {
		t.Errorf("stats %+v", s)
	}
}

func TestInitFailures(t *testing.T) {
	m, _ := testManager(t, Config{
		InitTimeout: 100 * time.Millisecond,
		Functions: []Function{
			{Name: "initerror", Env: map[string]string{"GOFUNC_INIT": "error"}},
			{Name: "initexit", Env: map[string]string{"GOFUNC_INIT": "exit"}},
			{Name: "inithang", Env: map[string]string{"GOFUNC_INIT": "hang"}, Timeout: 200 * time.Millisecond},
			{Name: "missing", Command: []string{"./no-such-bootstrap"}},
		},
	})
	// The runtime's /init/error report is the invocation's answer.
	res := invoke(t, m, "initerror", map[string]any{}, InvokeOptions{LogTail: true})
	if res.FunctionError != "Unhandled" || string(res.Payload) != `{"errorMessage":"configuration missing","errorType":"ConfigError"}` {
		t.Errorf("init error: %+v %s", res, res.Payload)
	}
	tail, _ := base64.StdEncoding.DecodeString(res.LogTail)
	for _, want := range []string{"init: configuration missing, reporting it", "INIT_REPORT Init Duration: ", "Phase: init\tStatus: error\tError Type: Runtime.ConfigError", "START RequestId: " + res.RequestID, "END RequestId: " + res.RequestID} {
		if !strings.Contains(string(tail), want) {
			t.Errorf("tail lacks %q:\n%s", want, tail)
		}
	}
	// The failed process is stopped; the next invocation tries afresh.
	invoke(t, m, "initerror", map[string]any{}, InvokeOptions{})
	if s := stats(t, m, "initerror"); s.Started != 2 {
		t.Errorf("stats %+v", s)
	}

	res = invoke(t, m, "initexit", map[string]any{}, InvokeOptions{LogTail: true})
	r := decode(t, res)
	if r.ErrorType != "Runtime.ExitError" || r.ErrorMessage != "RequestId: "+res.RequestID+" Error: Runtime exited with error: exit status 2" {
		t.Errorf("init exit: %s", res.Payload)
	}
	if tail, _ := base64.StdEncoding.DecodeString(res.LogTail); !strings.Contains(string(tail), "init: configuration missing") {
		t.Errorf("the init output is not in the tail:\n%s", tail)
	}

	res = invoke(t, m, "inithang", map[string]any{}, InvokeOptions{})
	r = decode(t, res)
	if r.ErrorType != "Sandbox.Timedout" || r.ErrorMessage != "RequestId: "+res.RequestID+" Error: Task timed out after 0.20 seconds" {
		t.Errorf("init hang: %s", res.Payload)
	}

	res = invoke(t, m, "missing", map[string]any{}, InvokeOptions{})
	r = decode(t, res)
	if res.FunctionError != "Unhandled" || r.ErrorType != "Runtime.InvalidEntrypoint" ||
		!strings.HasPrefix(r.ErrorMessage, "RequestId: "+res.RequestID+" Error: fork/exec ./no-such-bootstrap: no such file or directory") {
		t.Errorf("missing command: %s", res.Payload)
	}
}

func TestLogs(t *testing.T) {
	m, sink := testManager(t, Config{Functions: []Function{{Name: "printer", Env: map[string]string{"GOFUNC_INIT": "print"}}}})
	res := invoke(t, m, "printer", map[string]any{"action": "print", "message": "hello from the handler"}, InvokeOptions{LogTail: true})
	id := res.RequestID
	var got []string
	for _, l := range sink.all() {
		group, line, _ := strings.Cut(l, "|")
		if group != "/aws/lambda/printer" {
			t.Errorf("group %q", group)
		}
		got = append(got, line)
	}
	want := []string{
		"init: loading configuration",
		"START RequestId: " + id + " Version: $LATEST",
		"hello from the handler",
		"* to stderr: hello from the handler",
		"no newline at the end",
		"END RequestId: " + id,
		"REPORT RequestId: " + id + "\tDuration: ",
	}
	if len(got) != len(want) {
		t.Fatalf("log lines:\n%s", strings.Join(got, "\n"))
	}
	for i, w := range want {
		ok := got[i] == w
		if strings.HasPrefix(w, "* ") {
			ok = strings.HasSuffix(got[i], w[2:]) // log.Printf's timestamp first
		} else if strings.HasSuffix(w, ": ") {
			ok = strings.HasPrefix(got[i], w)
		}
		if !ok {
			t.Errorf("line %d: %q, want %q", i, got[i], w)
		}
	}
	report := got[len(got)-1]
	for _, part := range []string{"\tBilled Duration: ", " ms\tMemory Size: 128 MB\tMax Memory Used: ", " MB\tInit Duration: "} {
		if !strings.Contains(report, part) {
			t.Errorf("REPORT line lacks %q: %q", part, report)
		}
	}
	if strings.Contains(report, "Max Memory Used: 0 MB") && fileExists("/proc/self/status") {
		t.Errorf("no peak memory: %q", report)
	}
	tail, err := base64.StdEncoding.DecodeString(res.LogTail)
	if err != nil {
		t.Fatal(err)
	}
	if string(tail) != strings.Join(got, "\n")+"\n" {
		t.Errorf("tail:\n%s\nlog:\n%s", tail, strings.Join(got, "\n"))
	}

	// A warm invocation's REPORT has no init duration, and its tail only
	// its own lines; the tail is the last 4 KB.
	res = invoke(t, m, "printer", map[string]any{"action": "print", "message": strings.Repeat("y", 5000)}, InvokeOptions{LogTail: true})
	tail, _ = base64.StdEncoding.DecodeString(res.LogTail)
	if len(tail) != 4096 || !strings.HasSuffix(string(tail), "\t\n") || strings.Contains(string(tail), "Init Duration") || strings.Contains(string(tail), id) {
		t.Errorf("warm tail (%d bytes):\n%s", len(tail), tail)
	}
	if res := invoke(t, m, "printer", map[string]any{}, InvokeOptions{}); res.LogTail != "" {
		t.Error("a tail nobody asked for")
	}
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

func TestConcurrency(t *testing.T) {
	const max = 3
	m, _ := testManager(t, Config{Functions: []Function{{Name: "f", MaxConcurrency: max, Timeout: time.Minute}}})
	path, open := gate(t)
	// Twice as many parallel invocations as processes allowed: max
	// processes start, the others wait in the queue.
	var calls []*call
	for i := 0; i < 2*max; i++ {
		calls = append(calls, goInvoke(m, "f", map[string]any{"action": "wait", "path": path}))
	}
	waitFor(t, "max busy processes and a full queue", func() bool {
		s := stats(t, m, "f")
		return s.Busy == max && s.Queued == max
	})
	open()
	seen := map[int]int{}
	for _, c := range calls {
		seen[decode(t, c.wait(t)).PID]++
	}
	s := stats(t, m, "f")
	if len(seen) != max || s.Peak != max || s.Started != max {
		t.Errorf("%d invocations ran in %d processes %v; stats %+v", 2*max, len(seen), seen, s)
	}
}

func TestParallelStartsOneProcessEach(t *testing.T) {
	m, _ := testManager(t, Config{Functions: []Function{{Name: "f", MaxConcurrency: 4, Timeout: time.Minute}}})
	path, open := gate(t)
	var calls []*call
	for i := 0; i < 4; i++ {
		calls = append(calls, goInvoke(m, "f", map[string]any{"action": "wait", "path": path}))
	}
	waitFor(t, "4 busy processes", func() bool { return stats(t, m, "f").Busy == 4 })
	open()
	seen := map[int]bool{}
	for _, c := range calls {
		seen[decode(t, c.wait(t)).PID] = true
	}
	if len(seen) != 4 {
		t.Errorf("4 parallel invocations ran in %d processes", len(seen))
	}
}

func TestQueueBound(t *testing.T) {
	m, _ := testManager(t, Config{QueueLimit: 1, Functions: []Function{{Name: "f", MaxConcurrency: 1, Timeout: time.Minute}}})
	path, open := gate(t)
	var calls []*call
	for i := 0; i < 2; i++ {
		calls = append(calls, goInvoke(m, "f", map[string]any{"action": "wait", "path": path}))
		waitFor(t, "the invocation to be placed", func() bool { s := stats(t, m, "f"); return s.Busy+s.Queued+s.Starting == i+1 })
	}
	_, err := m.Invoke(context.Background(), "f", []byte(`{}`), InvokeOptions{})
	var e *Error
	if !errors.As(err, &e) || e.Status != 429 || e.Code != "TooManyRequestsException" ||
		e.Reason != "ReservedFunctionConcurrentInvocationLimitExceeded" || e.Message != "Rate Exceeded." {
		t.Fatalf("past the queue bound: %v", err)
	}
	open()
	for _, c := range calls {
		if res := c.wait(t); res.FunctionError != "" {
			t.Errorf("queued invocation: %s", res.Payload)
		}
	}

	// A caller that gives up leaves the queue.
	path2, open2 := gate(t)
	held := goInvoke(m, "f", map[string]any{"action": "wait", "path": path2})
	waitFor(t, "a busy process", func() bool { return stats(t, m, "f").Busy == 1 })
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error)
	go func() { _, err := m.Invoke(ctx, "f", []byte(`{}`), InvokeOptions{}); errc <- err }()
	waitFor(t, "a queued invocation", func() bool { return stats(t, m, "f").Queued == 1 })
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled while queued: %v", err)
	}
	if s := stats(t, m, "f"); s.Queued != 0 {
		t.Errorf("the cancelled invocation is still queued: %+v", s)
	}
	open2()
	held.wait(t)
}

func TestIdleStop(t *testing.T) {
	m, _ := testManager(t, Config{IdleTimeout: 50 * time.Millisecond, Functions: []Function{{Name: "f"}}})
	pid := decode(t, invoke(t, m, "f", map[string]any{}, InvokeOptions{})).PID
	waitFor(t, "the idle process to stop", func() bool { return stats(t, m, "f").Processes == 0 })
	waitFor(t, "the idle process to be gone", func() bool { return !alive(pid) })
	if pid2 := decode(t, invoke(t, m, "f", map[string]any{}, InvokeOptions{})).PID; pid2 == pid {
		t.Error("a stopped process served")
	}
}

func TestRestart(t *testing.T) {
	// A long timeout: a process that is not stopped must show as a hang,
	// not end by timing out.
	m, _ := testManager(t, Config{Functions: []Function{{Name: "f", MaxConcurrency: 2, Timeout: 60 * time.Second}}})
	path, open := gate(t)
	busy := goInvoke(m, "f", map[string]any{"action": "wait", "path": path})
	waitFor(t, "a busy process", func() bool { return stats(t, m, "f").Busy == 1 })
	idlePID := decode(t, invoke(t, m, "f", map[string]any{}, InvokeOptions{})).PID
	if s := stats(t, m, "f"); s.Busy != 1 || s.Idle != 1 {
		t.Fatalf("stats %+v", s)
	}
	if err := m.Restart("f"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the idle process to stop", func() bool { return !alive(idlePID) })
	open()
	res := busy.wait(t)
	if res.FunctionError != "" {
		t.Fatalf("the busy process's invocation: %s", res.Payload)
	}
	busyPID := decode(t, res).PID
	waitFor(t, "the busy process to stop after its invocation", func() bool { return !alive(busyPID) })
	pid := decode(t, invoke(t, m, "f", map[string]any{}, InvokeOptions{})).PID
	if pid == idlePID || pid == busyPID {
		t.Error("an old process served after Restart")
	}
	if err := m.Restart("nope"); err == nil {
		t.Error("Restart of an unknown function")
	}
}

func TestEventAndDryRun(t *testing.T) {
	m, _ := testManager(t, Config{Functions: []Function{{Name: "f"}}})
	res, err := m.Invoke(context.Background(), "f", []byte(`{"action":"echo"}`), InvokeOptions{Type: DryRun})
	if err != nil || res.Status != http.StatusNoContent || len(res.Payload) != 0 {
		t.Fatalf("DryRun: %+v %v", res, err)
	}
	if s := stats(t, m, "f"); s.Started != 0 {
		t.Error("DryRun started a process")
	}
	marker := filepath.Join(t.TempDir(), "ran")
	res, err = m.Invoke(context.Background(), "f", mustJSON(map[string]any{"action": "write", "path": marker, "message": "event"}), InvokeOptions{Type: Event})
	if err != nil || res.Status != http.StatusAccepted || len(res.Payload) != 0 || res.RequestID == "" {
		t.Fatalf("Event: %+v %v", res, err)
	}
	waitFor(t, "the event to run", func() bool { b, _ := os.ReadFile(marker); return string(b) == "event" })
}

func TestResponseTooLarge(t *testing.T) {
	m, _ := testManager(t, Config{Functions: []Function{{Name: "f"}}})
	res := invoke(t, m, "f", map[string]any{"action": "big", "size": 7 << 20}, InvokeOptions{})
	if res.FunctionError != "Unhandled" || string(res.Payload) != `{"errorMessage":"Response payload size exceeded maximum allowed payload size (6291556 bytes).","errorType":"Function.ResponseSizeTooLarge"}` {
		t.Errorf("7 MB answer: %s", res.Payload[:min(len(res.Payload), 300)])
	}
	// Just under the limit passes.
	res = invoke(t, m, "f", map[string]any{"action": "big", "size": 6<<20 - 1000}, InvokeOptions{})
	if res.FunctionError != "" || len(res.Payload) < 6<<20-1000 {
		t.Errorf("6 MB answer: %d bytes, %q", len(res.Payload), res.FunctionError)
	}
}

func TestCloseStopsProcessGroups(t *testing.T) {
	requireUnix(t)
	m, _ := testManager(t, Config{Functions: []Function{{Name: "f"}}})
	pidFile := filepath.Join(t.TempDir(), "child")
	pid := decode(t, invoke(t, m, "f", map[string]any{"action": "spawn", "path": pidFile}, InvokeOptions{})).PID
	b, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	var child int
	fmt.Sscan(string(b), &child)
	if !alive(pid) || !alive(child) {
		t.Fatal("the processes are not running")
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the function's process and its child to be gone", func() bool { return !alive(pid) && !alive(child) })
	if _, err := m.Invoke(context.Background(), "f", nil, InvokeOptions{}); err == nil || !strings.Contains(err.Error(), "shutting down") {
		t.Errorf("after Close: %v", err)
	}
}

func TestNewRefusesBadFunctions(t *testing.T) {
	for _, f := range []Function{
		{Name: "", Command: []string{"x"}},
		{Name: "has space", Command: []string{"x"}},
		{Name: strings.Repeat("a", 65), Command: []string{"x"}},
		{Name: "f"},
		{Name: "f", Command: []string{"x"}, Timeout: 901 * time.Second},
		{Name: "f", Command: []string{"x"}, MemoryMB: 64},
		{Name: "f", Command: []string{"x"}, MaxConcurrency: -1},
		{Name: "f", Command: []string{"x"}, Dir: "/no/such/dir"},
	} {
		if _, err := New(Config{Functions: []Function{f}}); err == nil {
			t.Errorf("%+v accepted", f)
		}
	}
	if _, err := New(Config{Functions: []Function{{Name: "f", Command: []string{"x"}}, {Name: "f", Command: []string{"y"}}}}); err == nil {
		t.Error("a name twice")
	}
	m, err := New(Config{Functions: []Function{{Name: "f", Command: []string{"x"}}}})
	if err != nil {
		t.Fatal(err)
	}
	f, _ := m.Function("f")
	if f.Timeout != 3*time.Second || f.MemoryMB != 128 || f.MaxConcurrency != 10 || !filepath.IsAbs(f.Dir) {
		t.Errorf("defaults: %+v", f)
	}
	m.Close()
}

// TestSequentialInvocationsReuseOneProcess: a caller that invokes again
// as soon as it has its answer finds the process free; it must not start
// a second one.
func TestSequentialInvocationsReuseOneProcess(t *testing.T) {
	m, _ := testManager(t, Config{Functions: []Function{{Name: "f"}}})
	for i := 0; i < 200; i++ {
		invoke(t, m, "f", map[string]any{}, InvokeOptions{})
	}
	if s := stats(t, m, "f"); s.Started != 1 {
		t.Errorf("200 invocations one after the other started %d processes", s.Started)
	}
}

// TestMixedLoad: many callers, few processes, and invocations that
// succeed, fail, crash their process or time out, all at once. Every
// caller gets its own answer, and no process is left over.
func TestMixedLoad(t *testing.T) {
	m, _ := testManager(t, Config{QueueLimit: 1000, Functions: []Function{{Name: "f", MaxConcurrency: 4, Timeout: 250 * time.Millisecond}}})
	actions := []map[string]any{
		{"action": "echo"}, {"action": "echo"}, {"action": "echo"}, {"action": "echo"},
		{"action": "error", "message": "e"},
		{"action": "exit", "code": 1},
		{"action": "sleep", "ms": 5},
		{"action": "sleep", "ms": 60000}, // times out
	}
	want := []string{"", "", "", "", "errorString", "Runtime.ExitError", "", "Sandbox.Timedout"}
	var calls []*call
	for i := 0; i < 96; i++ {
		ev := map[string]any{"message": fmt.Sprint(i)}
		for k, v := range actions[i%len(actions)] {
			ev[k] = v
		}
		calls = append(calls, goInvoke(m, "f", ev))
	}
	for i, c := range calls {
		res := c.wait(t)
		r := decode(t, res)
		if r.ErrorType != want[i%len(want)] {
			t.Errorf("invocation %d (%v): %s", i, actions[i%len(actions)], res.Payload)
		} else if r.ErrorType == "" && r.Message != fmt.Sprint(i) {
			t.Errorf("invocation %d got another's answer: %s", i, res.Payload)
		}
	}
	s := stats(t, m, "f")
	if s.Peak > 4 || s.Queued != 0 {
		t.Errorf("stats %+v", s)
	}
	pids := s.PIDs
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	for _, pid := range pids {
		if alive(pid) {
			t.Errorf("process %d outlived Close", pid)
		}
	}
}

// TestDefaultBounds pins the bounds chosen without AWS evidence [I]: 100
// invocations may queue per function, 1,000 Event invocations may be in
// flight.
func TestDefaultBounds(t *testing.T) {
	m, _ := testManager(t, Config{Functions: []Function{{Name: "f", MaxConcurrency: 1, Timeout: time.Minute}}})
	path, open := gate(t)
	var calls []*call
	calls = append(calls, goInvoke(m, "f", map[string]any{"action": "wait", "path": path}))
	waitFor(t, "a busy process", func() bool { return stats(t, m, "f").Busy == 1 })
	for i := 0; i < 100; i++ {
		calls = append(calls, goInvoke(m, "f", map[string]any{}))
	}
	waitFor(t, "100 queued", func() bool { return stats(t, m, "f").Queued == 100 })
	var e *Error
	if _, err := m.Invoke(context.Background(), "f", nil, InvokeOptions{}); !errors.As(err, &e) || e.Code != "TooManyRequestsException" {
		t.Errorf("the 101st waiting invocation: %v", err)
	}
	// Event invocations are not bound by the queue, only by their own
	// bound.
	if res, err := m.Invoke(context.Background(), "f", nil, InvokeOptions{Type: Event}); err != nil || res.Status != 202 {
		t.Errorf("an Event past the queue bound: %v", err)
	}
	open()
	for _, c := range calls {
		c.wait(t)
	}

	m2, _ := testManager(t, Config{MaxEvents: 1, Functions: []Function{{Name: "f", Timeout: time.Minute}}})
	path2, open2 := gate(t)
	defer open2()
	if _, err := m2.Invoke(context.Background(), "f", mustJSON(map[string]any{"action": "wait", "path": path2}), InvokeOptions{Type: Event}); err != nil {
		t.Fatal(err)
	}
	if _, err := m2.Invoke(context.Background(), "f", nil, InvokeOptions{Type: Event}); !errors.As(err, &e) || e.Code != "TooManyRequestsException" {
		t.Errorf("an Event past MaxEvents: %v", err)
	}
	m3, _ := New(Config{})
	defer m3.Close()
	if m3.queueLimit != 100 || cap(m3.events) != 1000 || m3.idleTimeout != 5*time.Minute || m3.initTimeout != 10*time.Second {
		t.Errorf("defaults: queue %d, events %d, idle %v, init %v", m3.queueLimit, cap(m3.events), m3.idleTimeout, m3.initTimeout)
	}
}
