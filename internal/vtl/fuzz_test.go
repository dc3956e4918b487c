package vtl

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// FuzzTemplate parses and runs arbitrary templates on arbitrary bodies. It
// checks that nothing panics (Execute turns a panic into an "internal
// error", which fails here), that every error is positioned, and that the
// limits hold. `go test` runs the seeds; `go test -fuzz=FuzzTemplate` explores.
func FuzzTemplate(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.vtltest")
	for _, file := range files {
		c := readGolden(f, file)
		body := `{"a": [1, {"b": "x"}], "s": "it's"}`
		if i := strings.Index(c.input, `"body": "`); i >= 0 {
			body = "not json"
		}
		f.Add(c.template, body)
	}
	f.Add("#foreach($i in [1..9])#foreach($j in $input.path('$..*'))$j#end#end", `{"a":{"b":[1,2,{"c":3}]}}`)
	f.Add("#macro(m $x)#m($x$x)#end#m('a')", "")
	f.Add(`#set($s = "ab")#foreach($i in [1..30])#set($s = "$s$s")#end`, "")
	f.Add("$input.json('$..[?(@.a == 1)]')", `[{"a":1},{"a":[{"a":1}]}]`)
	f.Add("${a.b(${c}[", "")
	f.Add(`"\u`, "")
	f.Fuzz(func(t *testing.T, tpl, body string) {
		lim := Limits{MaxSteps: 20000, MaxOutput: 1 << 16, MaxDepth: 32, Timeout: 5 * time.Second}
		tp, err := Parse(tpl)
		if err != nil {
			var pe *Error
			if !errors.As(err, &pe) || pe.Line < 1 || pe.Column < 1 {
				t.Fatalf("parse error without position: %v", err)
			}
			return
		}
		start := time.Now()
		out, err := tp.Execute(context.Background(), &Input{
			Body:           body,
			Params:         map[string]map[string]string{"path": {"id": "1"}, "header": {"H": "v"}},
			Context:        map[string]any{"requestId": "r", "authorizer": map[string]any{"n": 1.0}},
			StageVariables: map[string]string{"env": "dev"},
		}, lim)
		if time.Since(start) > 4*time.Second {
			t.Fatalf("execution took %v", time.Since(start))
		}
		if err != nil {
			var pe *Error
			if !errors.As(err, &pe) || pe.Line < 1 || pe.Column < 1 {
				t.Fatalf("runtime error without position: %v", err)
			}
			if strings.Contains(pe.Msg, "internal error") {
				t.Fatalf("panic: %v\ntemplate: %q", err, tpl)
			}
			return
		}
		if len(out) > lim.MaxOutput {
			t.Fatalf("output %d bytes exceeds MaxOutput %d", len(out), lim.MaxOutput)
		}
	})
}
