package bootstrap

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
)

const nodeDir = "testdata/node"

// Node's error document, member by member, is AWS's: errorType,
// errorMessage, trace (docs.aws.amazon.com/lambda/latest/dg/nodejs-exceptions.html).
var nodeErrorMembers = []string{"errorType", "errorMessage", "trace"}

func TestNodeHandlerForms(t *testing.T) {
	for _, tc := range []struct {
		name, spec, kind string
	}{
		{"async ES module (.mjs)", "node:./module.handler", "esm"},
		{"function returning a promise (CommonJS .js)", "node:handlers.promise", "promise"},
		{"callback (CommonJS .js)", "node:handlers.callback", "callback"},
		{"CommonJS .cjs", "node:common.handler", "cjs"},
		{".js made an ES module by package.json", "node:esm/index.handler", "esm-js"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := startRuntime(t, tc.spec, nodeDir)
			// Two invocations on one process: it stays up and takes the next.
			for i, event := range []string{`{"n":1}`, `{"n":2,"s":"é"}`} {
				var got struct {
					Kind string          `json:"kind"`
					Echo json.RawMessage `json:"echo"`
				}
				decodeResult(t, p.invoke(event, nil), &got)
				if got.Kind != tc.kind || string(got.Echo) != event {
					t.Errorf("invocation %d: kind %q echo %s, want %q %s", i, got.Kind, got.Echo, tc.kind, event)
				}
			}
		})
	}
}

func TestEmptyPayloadIsEmptyObject(t *testing.T) {
	for _, tc := range []struct{ spec, dir, want string }{
		{"node:handlers.promise", nodeDir, `{"kind":"promise","echo":{}}`},
		{"python:app.handler", pythonDir, `{"kind": "python", "echo": {}, "requestId": "`},
	} {
		t.Run(tc.spec, func(t *testing.T) {
			t.Parallel()
			p := startRuntime(t, tc.spec, tc.dir)
			if got := p.invoke("", nil); got.kind != "response" || !strings.HasPrefix(string(got.body), tc.want) {
				t.Errorf("posted %s %s, want %s", got.kind, got.body, tc.want)
			}
		})
	}
}

func TestNodeNestedExport(t *testing.T) {
	t.Parallel()
	p := startRuntime(t, "node:handlers.nested.get", nodeDir)
	var got string
	decodeResult(t, p.invoke(`{}`, nil), &got)
	if got != "nested get" {
		t.Errorf("got %q", got)
	}
}

func TestNodeHandlerThrows(t *testing.T) {
	t.Parallel()
	p := startRuntime(t, "node:module.throws", nodeDir)
	got := p.invoke(`{}`, nil)
	doc := decodeError(t, got, "error", nodeErrorMembers...)
	if doc.ErrorType != "Error" || doc.ErrorMessage != "boom" {
		t.Errorf("errorType %q errorMessage %q, want Error boom", doc.ErrorType, doc.ErrorMessage)
	}
	// trace is the stack, line by line: the error, then its frames, the
	// first in the handler's own file.
	if len(doc.Trace) < 2 || doc.Trace[0] != "Error: boom" ||
		!strings.HasPrefix(doc.Trace[1], "    at ") || !strings.Contains(doc.Trace[1], "module.mjs:") {
		t.Errorf("trace %q", doc.Trace)
	}
	// Lambda's Node.js runtime logs the failure as "Invoke Error".
	if !p.waitOutput(`\tERROR\tInvoke Error \t\{"errorType":"Error","errorMessage":"boom","stack":\["Error: boom"`) {
		t.Errorf("no Invoke Error line in the log:\n%s", p.stdout.String())
	}
	// A handler's failure is not the process's: the next invocation runs.
	got = p.invoke(`{}`, nil)
	decodeError(t, got, "error", nodeErrorMembers...)
}

func TestNodeErrorsOfOtherShapes(t *testing.T) {
	for _, tc := range []struct {
		name, spec, errorType, errorMessage string
		trace                               bool
	}{
		{"a string thrown", "node:handlers.throwString", "string", "boom", false},
		{"an Error subclass", "node:handlers.custom", "NotFound", "no such order", true},
		{"an error passed to the callback", "node:handlers.callbackError", "Error", "callback failed", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := startRuntime(t, tc.spec, nodeDir)
			doc := decodeError(t, p.invoke(`{}`, nil), "error", nodeErrorMembers...)
			if doc.ErrorType != tc.errorType || doc.ErrorMessage != tc.errorMessage {
				t.Errorf("errorType %q errorMessage %q, want %q %q", doc.ErrorType, doc.ErrorMessage, tc.errorType, tc.errorMessage)
			}
			if tc.trace != (len(doc.Trace) > 0) || doc.Trace == nil {
				t.Errorf("trace %q (want it empty: %v; never absent)", doc.Trace, !tc.trace)
			}
		})
	}
}

// Failures to load go to /init/error, named as Lambda's Node.js runtime
// names them, and end the process.
func TestNodeInitErrors(t *testing.T) {
	for _, tc := range []struct {
		name, spec, errorType, message string
		prefix                         bool // message is a prefix of errorMessage
	}{
		{"missing module", "node:nope.handler", "Runtime.ImportModuleError", "Error: Cannot find module 'nope'\nRequire stack:\n- ", true},
		{"missing dependency", "node:missingdep.handler", "Runtime.ImportModuleError", "Error: Cannot find module 'does-not-exist'\nRequire stack:\n- ", true},
		{"missing export", "node:handlers.nope", "Runtime.HandlerNotFound", "handlers.nope is undefined or not exported", false},
		{"export not a function", "node:handlers.notAFunction", "Runtime.HandlerNotFound", "handlers.notAFunction is not a function", false},
		{"syntax error", "node:syntax.handler", "Runtime.UserCodeSyntaxError", "SyntaxError: ", true},
		{"a throw while loading", "node:loadthrow.handler", "TypeError", "the configuration is missing", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := startRuntime(t, tc.spec, nodeDir)
			doc := decodeError(t, p.waitPost(), "init", nodeErrorMembers...)
			if doc.ErrorType != tc.errorType {
				t.Errorf("errorType %q, want %q", doc.ErrorType, tc.errorType)
			}
			if tc.prefix && !strings.HasPrefix(doc.ErrorMessage, tc.message) || !tc.prefix && doc.ErrorMessage != tc.message {
				t.Errorf("errorMessage %q, want %q", doc.ErrorMessage, tc.message)
			}
			// The trace starts with the error's own line, as AWS shows it:
			// "Runtime.ImportModuleError: Error: Cannot find module 'nope'".
			if len(doc.Trace) == 0 || !strings.HasPrefix(doc.Trace[0], doc.ErrorType+": ") {
				t.Errorf("trace %q", doc.Trace)
			}
			if code := p.waitExit(); code == 0 {
				t.Errorf("exit code 0 after an init error")
			}
			if !p.waitOutput(regexp.QuoteMeta("\tundefined\tERROR\tUncaught Exception \t{\"errorType\":\"" + tc.errorType)) {
				t.Errorf("the log does not show the failure:\n%s", p.stdout.String())
			}
		})
	}
}

func TestNodeMalformedHandler(t *testing.T) {
	// Command refuses this before any process starts; the runtime, given
	// it anyway through _HANDLER, reports it as Lambda does.
	if _, err := Command("node:index", t.TempDir()); err == nil {
		t.Error("Command accepted a handler with no export")
	}
	t.Parallel()
	p := startRuntime(t, "node:handlers.promise", nodeDir, "_HANDLER=index")
	doc := decodeError(t, p.waitPost(), "init", nodeErrorMembers...)
	if doc.ErrorType != "Runtime.MalformedHandlerName" || doc.ErrorMessage != "Bad handler" {
		t.Errorf("errorType %q errorMessage %q", doc.ErrorType, doc.ErrorMessage)
	}
}

func TestNodeContext(t *testing.T) {
	t.Parallel()
	p := startRuntime(t, "node:handlers.context", nodeDir)
	got := p.invoke(`{}`, map[string]string{
		"Lambda-Runtime-Trace-Id":         "Root=1-5e1b4151-5ac6c58f5b5d4a6d8e0f1a2b;Parent=1;Sampled=0",
		"Lambda-Runtime-Client-Context":   `{"custom":{"k":"v"},"env":{"platform":"test"}}`,
		"Lambda-Runtime-Cognito-Identity": `{"cognitoIdentityId":"id-1","cognitoIdentityPoolId":"pool-1"}`,
	})
	var ctx struct {
		AWSRequestID       string `json:"awsRequestId"`
		InvokedFunctionArn string `json:"invokedFunctionArn"`
		FunctionName       string `json:"functionName"`
		FunctionVersion    string `json:"functionVersion"`
		MemoryLimitInMB    string `json:"memoryLimitInMB"`
		LogGroupName       string `json:"logGroupName"`
		LogStreamName      string `json:"logStreamName"`
		Waits              bool   `json:"callbackWaitsForEmptyEventLoop"`
		ClientContext      struct {
			Custom map[string]string `json:"custom"`
		} `json:"clientContext"`
		Identity struct {
			ID   string `json:"cognitoIdentityId"`
			Pool string `json:"cognitoIdentityPoolId"`
		} `json:"identity"`
		Remaining    int64  `json:"remaining"`
		TraceID      string `json:"traceId"`
		ExecutionEnv string `json:"executionEnv"`
	}
	decodeResult(t, got, &ctx)
	if ctx.AWSRequestID != got.id || ctx.InvokedFunctionArn != "arn:aws:lambda:us-east-1:000000000000:function:fn" ||
		ctx.FunctionName != "fn" || ctx.FunctionVersion != "$LATEST" || ctx.MemoryLimitInMB != "256" ||
		ctx.LogGroupName != "/aws/lambda/fn" || ctx.LogStreamName != "2026/12/01/[$LATEST]0123456789abcdef" || !ctx.Waits {
		t.Errorf("context %+v", ctx)
	}
	if ctx.ClientContext.Custom["k"] != "v" || ctx.Identity.ID != "id-1" || ctx.Identity.Pool != "pool-1" {
		t.Errorf("clientContext %+v identity %+v", ctx.ClientContext, ctx.Identity)
	}
	if ctx.TraceID != "Root=1-5e1b4151-5ac6c58f5b5d4a6d8e0f1a2b;Parent=1;Sampled=0" {
		t.Errorf("_X_AMZN_TRACE_ID %q", ctx.TraceID)
	}
	if !regexp.MustCompile(`^AWS_Lambda_nodejs\d+\.x$`).MatchString(ctx.ExecutionEnv) {
		t.Errorf("AWS_EXECUTION_ENV %q", ctx.ExecutionEnv)
	}
	// The fake gives a deadline an hour ahead: what remains comes from it.
	if ctx.Remaining <= 0 || ctx.Remaining > 3_600_000 || ctx.Remaining < 3_000_000 {
		t.Errorf("getRemainingTimeInMillis() = %d, want just under an hour", ctx.Remaining)
	}
}

func TestNodeDeadlinePassed(t *testing.T) {
	t.Parallel()
	p := startRuntime(t, "node:handlers.context", nodeDir)
	var ctx struct {
		Remaining int64 `json:"remaining"`
	}
	decodeResult(t, p.invoke(`{}`, map[string]string{"Lambda-Runtime-Deadline-Ms": "1000"}), &ctx)
	if ctx.Remaining != 0 {
		t.Errorf("getRemainingTimeInMillis() = %d past the deadline, want 0", ctx.Remaining)
	}
}

func TestNodeConsoleLog(t *testing.T) {
	t.Parallel()
	p := startRuntime(t, "node:handlers.log", nodeDir)
	got := p.invoke(`{"name":"world"}`, nil)
	var s string
	decodeResult(t, got, &s)
	id := regexp.QuoteMeta(got.id)
	ts := `\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z`
	for _, want := range []string{
		// Logged while loading, before any invocation.
		`(?m)^` + ts + `\tundefined\tINFO\tloading handlers.js$`,
		`(?m)^` + ts + `\t` + id + `\tINFO\thello world$`,
		// One call, one line: the message's newline is a carriage return.
		`(?m)^` + ts + `\t` + id + `\tERROR\ttwo\rlines$`,
		`(?m)^` + ts + `\t` + id + `\tWARN\t\{ a: 1 \}$`,
		`(?m)^raw stdout$`,
	} {
		if !p.waitOutput(want) {
			t.Errorf("stdout does not match %s:\n%q", want, p.stdout.String())
		}
	}
}

func TestNodeCallbackWaitsForEmptyEventLoop(t *testing.T) {
	for _, tc := range []struct{ spec, want string }{
		{"node:handlers.waits", "late"},   // the default: answer once the timer has run
		{"node:handlers.noWait", "early"}, // false: answer at once
	} {
		t.Run(tc.spec, func(t *testing.T) {
			t.Parallel()
			p := startRuntime(t, tc.spec, nodeDir)
			for range 2 {
				var got struct{ V string }
				decodeResult(t, p.invoke(`{}`, nil), &got)
				if got.V != tc.want {
					t.Errorf("answer %q, want %q", got.V, tc.want)
				}
			}
		})
	}
}

func TestNodeHandlerThatNeverAnswers(t *testing.T) {
	t.Parallel()
	p := startRuntime(t, "node:handlers.noAnswer", nodeDir)
	got := p.invoke(`{}`, nil)
	if got.kind != "response" || string(got.body) != "null" {
		t.Errorf("posted %s %s, want the response null", got.kind, got.body)
	}
}

func TestNodeCrashes(t *testing.T) {
	for _, tc := range []struct{ name, spec, errorType, errorMessage string }{
		{"uncaught exception", "node:handlers.uncaught", "Error", "thrown from a timer"},
		{"unhandled rejection", "node:handlers.unhandled", "Runtime.UnhandledPromiseRejection", "Error: nobody waits for me"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := startRuntime(t, tc.spec, nodeDir)
			doc := decodeError(t, p.invoke(`{}`, nil), "error", nodeErrorMembers...)
			if doc.ErrorType != tc.errorType || doc.ErrorMessage != tc.errorMessage {
				t.Errorf("errorType %q errorMessage %q, want %q %q", doc.ErrorType, doc.ErrorMessage, tc.errorType, tc.errorMessage)
			}
			// The process does not carry on in an unknown state.
			if code := p.waitExit(); code == 0 {
				t.Error("exit code 0 after a crash")
			}
		})
	}
}
