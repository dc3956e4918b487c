package bootstrap

import (
	"encoding/json"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

const pythonDir = "testdata/python"

// Python's error document, member by member, is AWS's: errorMessage,
// errorType, requestId, stackTrace
// (docs.aws.amazon.com/lambda/latest/dg/python-exceptions.html).
var pythonErrorMembers = []string{"errorMessage", "errorType", "requestId", "stackTrace"}

func TestPythonReturnValues(t *testing.T) {
	t.Parallel()
	p := startRuntime(t, "python:app.handler", pythonDir)
	for _, event := range []string{`{"n": 1}`, `{"s": "é", "list": [1, 2]}`} {
		got := p.invoke(event, nil)
		var res struct {
			Kind      string          `json:"kind"`
			Echo      json.RawMessage `json:"echo"`
			RequestID string          `json:"requestId"`
		}
		decodeResult(t, got, &res)
		var want, echo any
		json.Unmarshal([]byte(event), &want)
		json.Unmarshal(res.Echo, &echo)
		if res.Kind != "python" || res.RequestID != got.id || !jsonEqual(want, echo) {
			t.Errorf("result %s for %s", got.body, event)
		}
	}
	// Written as Python's json.dumps writes it, as on Lambda.
	got := p.invoke(`{"a": 1}`, nil)
	if !strings.HasPrefix(string(got.body), `{"kind": "python", "echo": {"a": 1}, "requestId": "`) {
		t.Errorf("result %s", got.body)
	}
}

func TestPythonOtherResults(t *testing.T) {
	for _, tc := range []struct{ spec, want string }{
		{"python:app.nothing", `null`},
		{"python:app.decimals", `{"whole": 3, "part": 2.5}`},
		{"python:pkg.mod.fn", `"pkg.mod.fn"`},
		{"python:pkg/mod.fn", `"pkg.mod.fn"`},
	} {
		t.Run(tc.spec, func(t *testing.T) {
			t.Parallel()
			p := startRuntime(t, tc.spec, pythonDir)
			if got := p.invoke(`{}`, nil); got.kind != "response" || string(got.body) != tc.want {
				t.Errorf("posted %s %s, want the response %s", got.kind, got.body, tc.want)
			}
		})
	}
}

func TestPythonExceptions(t *testing.T) {
	for _, tc := range []struct {
		name, spec, event, errorType, errorMessage string
		frames                                     []string // functions of the stack trace's entries, in order
	}{
		{"ValueError", "python:app.fail", `{"n": 7}`, "ValueError", "bad value: 7", []string{"fail"}},
		{"KeyError", "python:app.key_error", `{}`, "KeyError", "'action'", []string{"key_error"}},
		{"two frames deep", "python:app.nested", `{}`, "RuntimeError", "deep down", []string{"nested", "helper"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := startRuntime(t, tc.spec, pythonDir)
			got := p.invoke(tc.event, nil)
			doc := decodeError(t, got, "error", pythonErrorMembers...)
			if doc.ErrorType != tc.errorType || doc.ErrorMessage != tc.errorMessage || *doc.RequestID != got.id {
				t.Errorf("errorType %q errorMessage %q requestId %q", doc.ErrorType, doc.ErrorMessage, *doc.RequestID)
			}
			// Each entry as Python's traceback module formats a frame, the
			// runtime's own frames left out:
			//   File "/path/app.py", line 15, in fail\n    raise ValueError(...)\n
			abs, _ := filepath.Abs(filepath.Join(pythonDir, "app.py"))
			frame := regexp.MustCompile(`^  File "` + regexp.QuoteMeta(abs) + `", line \d+, in (\w+)\n    \S.*\n`)
			trace := *doc.StackTrace
			if len(trace) != len(tc.frames) {
				t.Fatalf("stackTrace %q, want %d frames", trace, len(tc.frames))
			}
			for i, entry := range trace {
				m := frame.FindStringSubmatch(entry)
				if m == nil || m[1] != tc.frames[i] {
					t.Errorf("stackTrace[%d] = %q, want a frame of %s in %s", i, entry, tc.frames[i], abs)
				}
			}
			// The function's log shows it as Lambda's does: one line.
			if !p.waitOutput(regexp.QuoteMeta("[ERROR] " + tc.errorType + ": " + tc.errorMessage + "\rTraceback (most recent call last):\r  File ")) {
				t.Errorf("log:\n%q", p.stdout.String())
			}
			// The process carries on.
			doc = decodeError(t, p.invoke(tc.event, nil), "error", pythonErrorMembers...)
		})
	}
}

func TestPythonInitErrors(t *testing.T) {
	for _, tc := range []struct {
		name, spec, errorType, errorMessage string
		trace                               bool
	}{
		{"missing module", "python:nope.handler", "Runtime.ImportModuleError", "Unable to import module 'nope': No module named 'nope'", false},
		{"missing dependency", "python:needsdep.handler", "Runtime.ImportModuleError", "Unable to import module 'needsdep': No module named 'does_not_exist'", false},
		{"syntax error", "python:syntaxerr.handler", "Runtime.UserCodeSyntaxError", "Syntax error in module 'syntaxerr': expected ':' (syntaxerr.py, line 1)", true},
		{"an exception while importing", "python:loadfail.handler", "KeyError", "'CONFIG'", true},
		{"built-in module", "python:sys.handler", "Runtime.BuiltInModuleConflict", "Cannot use built-in module sys as a handler module", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := startRuntime(t, tc.spec, pythonDir)
			doc := decodeError(t, p.waitPost(), "init", pythonErrorMembers...)
			if doc.ErrorType != tc.errorType || doc.ErrorMessage != tc.errorMessage {
				t.Errorf("errorType %q errorMessage %q, want %q %q", doc.ErrorType, doc.ErrorMessage, tc.errorType, tc.errorMessage)
			}
			// No invocation yet: requestId is empty, and stackTrace a list.
			if *doc.RequestID != "" || doc.StackTrace == nil || tc.trace != (len(*doc.StackTrace) > 0) {
				t.Errorf("requestId %q stackTrace %q", *doc.RequestID, *doc.StackTrace)
			}
			if code := p.waitExit(); code == 0 {
				t.Error("exit code 0 after an init error")
			}
			if !p.waitOutput(regexp.QuoteMeta("[ERROR] " + tc.errorType + ": ")) {
				t.Errorf("log:\n%q", p.stdout.String())
			}
		})
	}
}

// As on Lambda, a module that imports but lacks the function fails each
// invocation (the module's code has run), and a handler that is not
// module.function fails to load.
func TestPythonHandlerNotFound(t *testing.T) {
	t.Parallel()
	p := startRuntime(t, "python:app.nope", pythonDir)
	for range 2 {
		got := p.invoke(`{}`, nil)
		doc := decodeError(t, got, "error", pythonErrorMembers...)
		if doc.ErrorType != "Runtime.HandlerNotFound" || doc.ErrorMessage != "Handler 'nope' missing on module 'app'" || *doc.RequestID != got.id {
			t.Errorf("%+v", doc)
		}
	}

	bad := startRuntime(t, "python:app.handler", pythonDir, "_HANDLER=app")
	doc := decodeError(t, bad.waitPost(), "init", pythonErrorMembers...)
	if doc.ErrorType != "Runtime.MalformedHandlerName" || doc.ErrorMessage != "Bad handler 'app': not enough values to unpack (expected 2, got 1)" {
		t.Errorf("%+v", doc)
	}
}

func TestPythonMarshalError(t *testing.T) {
	t.Parallel()
	p := startRuntime(t, "python:app.unserializable", pythonDir)
	doc := decodeError(t, p.invoke(`{}`, nil), "error", pythonErrorMembers...)
	if doc.ErrorType != "Runtime.MarshalError" || doc.ErrorMessage != "Unable to marshal response: Object of type set is not JSON serializable" {
		t.Errorf("%+v", doc)
	}
}

func TestPythonContext(t *testing.T) {
	t.Parallel()
	p := startRuntime(t, "python:app.context_fields", pythonDir)
	got := p.invoke(`{}`, map[string]string{
		"Lambda-Runtime-Trace-Id":         "Root=1-5e1b4151-5ac6c58f5b5d4a6d8e0f1a2b;Parent=1;Sampled=0",
		"Lambda-Runtime-Client-Context":   `{"custom":{"k":"v"},"env":{"platform":"test"}}`,
		"Lambda-Runtime-Cognito-Identity": `{"cognitoIdentityId":"id-1","cognitoIdentityPoolId":"pool-1"}`,
	})
	var ctx map[string]any
	decodeResult(t, got, &ctx)
	want := map[string]any{
		"aws_request_id":       got.id,
		"invoked_function_arn": "arn:aws:lambda:us-east-1:000000000000:function:fn",
		"function_name":        "fn",
		"function_version":     "$LATEST",
		"memory_limit_in_mb":   "256",
		"log_group_name":       "/aws/lambda/fn",
		"log_stream_name":      "2026/12/01/[$LATEST]0123456789abcdef",
		"cognito_identity_id":  "id-1",
		"client_custom":        map[string]any{"k": "v"},
		"trace_id":             "Root=1-5e1b4151-5ac6c58f5b5d4a6d8e0f1a2b;Parent=1;Sampled=0",
	}
	for k, v := range want {
		if !jsonEqual(ctx[k], v) {
			t.Errorf("context %s = %v, want %v", k, ctx[k], v)
		}
	}
	if env, _ := ctx["execution_env"].(string); !regexp.MustCompile(`^AWS_Lambda_python3\.\d+$`).MatchString(env) {
		t.Errorf("AWS_EXECUTION_ENV %q", env)
	}
	// The fake gives a deadline an hour ahead: what remains comes from it.
	if r, _ := ctx["remaining"].(float64); r <= 0 || r > 3_600_000 || r < 3_000_000 {
		t.Errorf("get_remaining_time_in_millis() = %v, want just under an hour", ctx["remaining"])
	}
	var past map[string]any
	decodeResult(t, p.invoke(`{}`, map[string]string{"Lambda-Runtime-Deadline-Ms": "1000"}), &past)
	if past["remaining"] != 0.0 {
		t.Errorf("get_remaining_time_in_millis() = %v past the deadline, want 0", past["remaining"])
	}
	// Without the headers: no trace id left over from the last invocation,
	// no client context, an identity with nothing in it.
	var bare map[string]any
	decodeResult(t, p.invoke(`{}`, nil), &bare)
	if bare["trace_id"] != nil || bare["client_custom"] != nil || bare["cognito_identity_id"] != nil {
		t.Errorf("context without the headers %v", bare)
	}
}

func TestPythonLog(t *testing.T) {
	t.Parallel()
	p := startRuntime(t, "python:app.log", pythonDir)
	got := p.invoke(`{"name": "world"}`, nil)
	var s string
	decodeResult(t, got, &s)
	for _, want := range []string{
		`(?m)^loading app.py$`,
		`(?m)^hello world$`,
		`(?m)^\[WARNING\]\t\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\t` + regexp.QuoteMeta(got.id) + `\tcareful now$`,
	} {
		if !p.waitOutput(want) {
			t.Errorf("stdout does not match %s:\n%q", want, p.stdout.String())
		}
	}
	if out := p.stdout.String(); strings.Contains(out, "not shown") {
		t.Errorf("an INFO record was logged at the default level:\n%s", out)
	}
}

func jsonEqual(a, b any) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}
