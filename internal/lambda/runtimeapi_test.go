package lambda

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestBootstrapScript runs a custom runtime that is a shell script
// speaking the Runtime API with curl.
func TestBootstrapScript(t *testing.T) {
	requireUnix(t)
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("no curl")
	}
	dir := t.TempDir()
	script, err := os.ReadFile("testdata/shfunc/bootstrap")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "bootstrap"), script, 0o755); err != nil {
		t.Fatal(err)
	}
	m, _ := testManager(t, Config{Functions: []Function{{Name: "sh", Command: []string{"./bootstrap"}, Dir: dir, Handler: "function.handler"}}})
	res := invoke(t, m, "sh", map[string]any{"hello": "world"}, InvokeOptions{LogTail: true})
	var r struct {
		ID, ARN string
		Event   map[string]string
	}
	if err := json.Unmarshal(res.Payload, &r); err != nil {
		t.Fatalf("%s: %v", res.Payload, err)
	}
	if res.FunctionError != "" || r.ID != res.RequestID || r.ARN != "arn:aws:lambda:us-east-1:000000000000:function:sh" || r.Event["hello"] != "world" {
		t.Errorf("answer %+v %s", res, res.Payload)
	}
	tail, _ := base64.StdEncoding.DecodeString(res.LogTail)
	if !strings.Contains(string(tail), "bootstrap: handler function.handler in "+dir+"\n") || !strings.Contains(string(tail), "handling "+res.RequestID+"\n") {
		t.Errorf("tail:\n%s", tail)
	}
	res = invoke(t, m, "sh", map[string]any{"please": "fail"}, InvokeOptions{})
	if res.FunctionError != "Unhandled" || string(res.Payload) != `{"errorMessage":"asked to fail","errorType":"AskedToFail"}` {
		t.Errorf("error: %+v %s", res, res.Payload)
	}
	// No payload: the function gets {} [O].
	res, err = m.Invoke(context.Background(), "sh", nil, InvokeOptions{})
	if err != nil || !strings.HasSuffix(string(res.Payload), `"event":{}}`) {
		t.Errorf("no payload: %s %v", res.Payload, err)
	}
	if s := stats(t, m, "sh"); s.Started != 1 {
		t.Errorf("the script did not stay warm: %+v", s)
	}
}

// TestRuntimeAPIProtocol talks to a process's Runtime API as a second
// client while the real runtime holds an invocation: the state checks,
// the repeated `next`, and an answer from whoever holds the request id.
func TestRuntimeAPIProtocol(t *testing.T) {
	m, _ := testManager(t, Config{Functions: []Function{{Name: "f", Timeout: time.Minute}}})
	api := "http://" + decode(t, invoke(t, m, "f", map[string]any{"action": "env"}, InvokeOptions{})).Env["AWS_LAMBDA_RUNTIME_API"] + "/2018-06-01/runtime"
	do := func(method, path, body string, h map[string]string) (*http.Response, string) {
		t.Helper()
		req, _ := http.NewRequest(method, api+path, strings.NewReader(body))
		for k, v := range h {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp, string(b)
	}

	path, open := gate(t)
	held := goInvoke(m, "f", map[string]any{"action": "wait", "path": path})
	waitFor(t, "the runtime to hold the invocation", func() bool { return stats(t, m, "f").Busy == 1 })

	resp, body := do("POST", "/init/error", `{}`, nil)
	if resp.StatusCode != 403 || body != `{"errorMessage":"State transition from Ready to InitError failed for runtime. Error: State transition is not allowed","errorType":"InvalidStateTransition"}`+"\n" {
		t.Errorf("init error after init: %d %s", resp.StatusCode, body)
	}
	resp, body = do("POST", "/invocation/not-the-id/response", `{}`, nil)
	if resp.StatusCode != 400 || body != `{"errorMessage":"Invalid request ID","errorType":"InvalidRequestID"}`+"\n" {
		t.Errorf("wrong request id: %d %s", resp.StatusCode, body)
	}
	resp, body = do("GET", "/nope", "", nil)
	if resp.StatusCode != 404 {
		t.Errorf("unknown path: %d %s", resp.StatusCode, body)
	}
	resp, _ = do("POST", "/invocation/next", "", nil)
	if resp.StatusCode != 405 || resp.Header.Get("Allow") != "GET" {
		t.Errorf("POST next: %d", resp.StatusCode)
	}

	// A second `next` gets the invocation in hand again.
	resp, body = do("GET", "/invocation/next", "", nil)
	id := resp.Header.Get("Lambda-Runtime-Aws-Request-Id")
	deadline, _ := strconv.ParseInt(resp.Header.Get("Lambda-Runtime-Deadline-Ms"), 10, 64)
	if resp.StatusCode != 200 || id == "" || !strings.Contains(body, `"action":"wait"`) ||
		resp.Header.Get("Lambda-Runtime-Invoked-Function-Arn") != "arn:aws:lambda:us-east-1:000000000000:function:f" ||
		!strings.HasPrefix(resp.Header.Get("Lambda-Runtime-Trace-Id"), "Root=1-") ||
		time.UnixMilli(deadline).Before(time.Now()) || resp.Header.Get("Lambda-Runtime-Client-Context") != "" {
		t.Fatalf("next: %d %v %s", resp.StatusCode, resp.Header, body)
	}
	resp, body = do("POST", "/invocation/"+id+"/response", `{"answered":"by the test"}`, nil)
	if resp.StatusCode != 202 || body != `{"status":"OK"}`+"\n" {
		t.Errorf("response: %d %s", resp.StatusCode, body)
	}
	if res := held.wait(t); string(res.Payload) != `{"answered":"by the test"}` || res.RequestID != id {
		t.Errorf("the held invocation got %+v %s", res, res.Payload)
	}
	resp, body = do("POST", "/invocation/"+id+"/response", `{}`, nil)
	if resp.StatusCode != 403 || !strings.Contains(body, "InvalidStateTransition") {
		t.Errorf("a second answer: %d %s", resp.StatusCode, body)
	}
	// The real runtime's answer now finds no invocation: aws-lambda-go
	// gives up and exits; the next invocation gets a new process.
	open()
	if res := invoke(t, m, "f", map[string]any{}, InvokeOptions{}); res.FunctionError != "" {
		t.Errorf("after: %s", res.Payload)
	}
}

// TestStreamedErrorTrailers: aws-lambda-go reports a failure while its
// answer streams in HTTP trailers.
func TestStreamedErrorTrailers(t *testing.T) {
	m, _ := testManager(t, Config{Functions: []Function{{Name: "f", Timeout: time.Minute}}})
	api := "http://" + decode(t, invoke(t, m, "f", map[string]any{"action": "env"}, InvokeOptions{})).Env["AWS_LAMBDA_RUNTIME_API"] + "/2018-06-01/runtime"
	path, open := gate(t)
	defer open()
	held := goInvoke(m, "f", map[string]any{"action": "wait", "path": path})
	waitFor(t, "the runtime to hold the invocation", func() bool { return stats(t, m, "f").Busy == 1 })
	resp, err := http.Get(api + "/invocation/next")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	id := resp.Header.Get("Lambda-Runtime-Aws-Request-Id")

	errBody := `{"errorMessage":"stream broke","errorType":"StreamError"}`
	req, _ := http.NewRequest(http.MethodPost, api+"/invocation/"+id+"/response", io.NopCloser(strings.NewReader("partial answer")))
	req.ContentLength = -1
	req.Trailer = http.Header{
		"Lambda-Runtime-Function-Error-Type": {"Runtime.StreamError"},
		"Lambda-Runtime-Function-Error-Body": {base64.StdEncoding.EncodeToString([]byte(errBody))},
	}
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 202 {
		t.Errorf("status %d", resp.StatusCode)
	}
	if res := held.wait(t); res.FunctionError != "Unhandled" || string(res.Payload) != errBody {
		t.Errorf("got %+v %s", res, res.Payload)
	}
}

// TestRuntimeThatStopsAsking: a runtime that answers once and never asks
// for the next invocation must not hold the next caller forever: the
// function's timeout still applies.
func TestRuntimeThatStopsAsking(t *testing.T) {
	requireUnix(t)
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("no curl")
	}
	dir := t.TempDir()
	script := `#!/bin/sh
api="http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime"
id=$(curl -sS -D - -o /dev/null "$api/invocation/next" | tr -d '\r' | grep -i '^lambda-runtime-aws-request-id:' | sed 's/^[^:]*: *//')
curl -sS -o /dev/null -X POST -d '"once"' "$api/invocation/$id/response"
exec sleep 300
`
	if err := os.WriteFile(filepath.Join(dir, "bootstrap"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	m, _ := testManager(t, Config{Functions: []Function{{Name: "once", Command: []string{"./bootstrap"}, Dir: dir, Timeout: 300 * time.Millisecond}}})
	if res := invoke(t, m, "once", map[string]any{}, InvokeOptions{}); string(res.Payload) != `"once"` {
		t.Fatalf("first: %s", res.Payload)
	}
	res := invoke(t, m, "once", map[string]any{}, InvokeOptions{})
	if r := decode(t, res); r.ErrorType != "Sandbox.Timedout" {
		t.Errorf("second: %s", res.Payload)
	}
}
