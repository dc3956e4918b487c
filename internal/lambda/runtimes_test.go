package lambda

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// needRuntime finds an interpreter, or skips the test (fails instead when
// PORTICO_REQUIRE_RUNTIMES is set, as in CI).
func needRuntime(t *testing.T, name string) string {
	path, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("PORTICO_REQUIRE_RUNTIMES") != "" {
			t.Fatalf("%s is required (PORTICO_REQUIRE_RUNTIMES) and missing", name)
		}
		t.Skipf("no %s", name)
	}
	return path
}

// TestOtherRuntimeClients runs custom runtimes written on Python's urllib
// and Node's fetch: other HTTP clients than Go's (no keep-alive, undici's
// pooling) against the same Runtime API.
func TestOtherRuntimeClients(t *testing.T) {
	for _, c := range []struct{ name, interp, script string }{
		{"python", "python3", "testdata/pyrt/runtime.py"},
		{"node", "node", "testdata/nodert/runtime.mjs"},
	} {
		t.Run(c.name, func(t *testing.T) {
			interp := needRuntime(t, c.interp)
			script, _ := filepath.Abs(c.script)
			m, _ := testManager(t, Config{Functions: []Function{{Name: c.name, Command: []string{interp, script}}}})
			for i := 0; i < 3; i++ {
				res := invoke(t, m, c.name, map[string]any{"n": i}, InvokeOptions{LogTail: true})
				var r struct {
					Runtime, ID string
					Event       map[string]int
				}
				if err := json.Unmarshal(res.Payload, &r); err != nil || r.Runtime != c.name || r.ID != res.RequestID || r.Event["n"] != i {
					t.Fatalf("answer %s: %v", res.Payload, err)
				}
				tail, _ := base64.StdEncoding.DecodeString(res.LogTail)
				if !strings.Contains(string(tail), c.name+" handling "+res.RequestID+"\n") {
					t.Errorf("tail:\n%s", tail)
				}
			}
			res := invoke(t, m, c.name, map[string]any{"fail": true}, InvokeOptions{})
			var e result
			json.Unmarshal(res.Payload, &e)
			if res.FunctionError != "Unhandled" || e.ErrorMessage != "failed in "+c.name {
				t.Errorf("error: %+v %s", res, res.Payload)
			}
			if s := stats(t, m, c.name); s.Started != 1 {
				t.Errorf("the runtime did not stay warm: %+v", s)
			}
			// The interpreter's script is LAMBDA_RUNTIME_DIR's.
			if d := runtimeDir(Function{Command: []string{interp, script}}); d != filepath.Dir(script) {
				t.Errorf("LAMBDA_RUNTIME_DIR %s", d)
			}
		})
	}
}
