package bootstrap

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestCommandBuiltins(t *testing.T) {
	dir := t.TempDir()
	rt := NewRuntimes(filepath.Join(t.TempDir(), "runtimes"))
	for _, tc := range []struct{ spec, runtime, handler, program string }{
		{"node:./src/index.handler", RuntimeNode, "src/index.handler", "node"},
		{"node:index.handler", RuntimeNode, "index.handler", "node"},
		{"nodejs:index.handlers.get", RuntimeNode, "index.handlers.get", "node"},
		{"node:" + dir + "/src/index.handler", RuntimeNode, "src/index.handler", "node"},
		{"python:app.handler", RuntimePython, "app.handler", "python3"},
		{"python3:pkg.mod.fn", RuntimePython, "pkg.mod.fn", "python3"},
		{"python:./pkg/mod.fn", RuntimePython, "pkg/mod.fn", "python3"},
	} {
		p, err := rt.Command(tc.spec, dir)
		if err != nil {
			t.Errorf("%s: %v", tc.spec, err)
			continue
		}
		if p.Runtime != tc.runtime || p.Handler != tc.handler || p.Argv[0] != tc.program {
			t.Errorf("%s: %+v", tc.spec, p)
		}
		script := p.Argv[len(p.Argv)-1]
		if !strings.HasPrefix(script, rt.dir+string(filepath.Separator)) {
			t.Errorf("%s: the runtime %s is not in %s", tc.spec, script, rt.dir)
		}
		if tc.runtime == RuntimePython && !slices.Contains(p.Argv, "-u") {
			t.Errorf("%s: python runs buffered: %q", tc.spec, p.Argv)
		}
	}
}

func TestCommandBuiltinErrors(t *testing.T) {
	for _, spec := range []string{
		"node:index",               // no export
		"node:index.",              // empty export
		"node:.handler",            // no file
		"node:",                    // nothing
		"python:app",               // no function
		"node:../up/index.handler", // refused by Lambda's runtime too
		"python:../app.handler",
	} {
		if p, err := Command(spec, t.TempDir()); err == nil {
			t.Errorf("%q: accepted, %+v", spec, p)
		}
	}
}

func TestCommandCustomRuntime(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"bootstrap", "with space"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("#!/bin/sh\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	os.Mkdir(filepath.Join(dir, "bin"), 0o755)
	for _, tc := range []struct {
		spec string
		argv []string
		env  []string
	}{
		// An existing file is run as it is, spaces and all.
		{"bootstrap", []string{dir + "/bootstrap"}, nil},
		{"./with space", []string{dir + "/with space"}, nil},
		{dir + "/bootstrap", []string{dir + "/bootstrap"}, nil},
		// A bare name: the function's directory first, then PATH.
		{"bootstrap --port 1", []string{dir + "/bootstrap", "--port", "1"}, nil},
		{"go run .", []string{"go", "run", "."}, nil},
		// A path with a slash is relative to the function's directory.
		{"./bin/handler -v", []string{dir + "/bin/handler", "-v"}, nil},
		{"/usr/bin/env python3 x.py", []string{"/usr/bin/env", "python3", "x.py"}, nil},
		// Simple shell quoting.
		{`sh -c 'exec ./bootstrap "$@"' x`, []string{"sh", "-c", `exec ./bootstrap "$@"`, "x"}, nil},
		{`prog "a \"b\" \$c" d\ e ''`, []string{"prog", `a "b" $c`, "d e", ""}, nil},
		{`prog a"b"'c'`, []string{"prog", "abc"}, nil},
		{`prog x#y`, []string{"prog", "x#y"}, nil},
		// Leading assignments set the environment, as a shell's do.
		{"DEBUG=1 RUST_LOG=info ./bootstrap", []string{dir + "/bootstrap"}, []string{"DEBUG=1", "RUST_LOG=info"}},
	} {
		p, err := Command(tc.spec, dir)
		if err != nil {
			t.Errorf("%q: %v", tc.spec, err)
			continue
		}
		if p.Runtime != RuntimeProvided || !slices.Equal(p.Argv, tc.argv) || !slices.Equal(p.Env, tc.env) || p.Handler != "" {
			t.Errorf("%q: argv %q env %q, want %q %q", tc.spec, p.Argv, p.Env, tc.argv, tc.env)
		}
	}
}

func TestCommandShellSyntaxRefused(t *testing.T) {
	for _, spec := range []string{
		"./a | ./b", "./a && ./b", "./a; ./b", "./a > log", "./a < in", "./a $HOME", "./a `id`",
		"./a *.js", "./a ?", "~/bin/handler", "./a # comment", "(./a)",
		`./a 'open`, `./a "open`, `./a \`, "", "   ", "X=1",
	} {
		if p, err := Command(spec, t.TempDir()); err == nil {
			t.Errorf("%q: accepted, %+v", spec, p)
		}
	}
}

func TestRuntimesWriteFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data", "runtimes")
	rt := NewRuntimes(dir)
	p, err := rt.Command("node:index.handler", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	q, err := rt.Command("python:app.handler", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	node, py := p.Argv[1], q.Argv[2]
	for _, f := range []struct {
		path    string
		content []byte
	}{{node, nodeRuntime}, {py, pythonRuntime}} {
		fi, err := os.Stat(f.path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o500 {
			t.Errorf("%s: mode %v, want 0500", f.path, fi.Mode().Perm())
		}
		if got, _ := os.ReadFile(f.path); !bytes.Equal(got, f.content) {
			t.Errorf("%s: not the embedded runtime", f.path)
		}
	}
	// Content-addressed: the name changes with the content.
	if !strings.HasSuffix(node, ".mjs") || !strings.HasSuffix(py, ".py") ||
		filepath.Base(node) == "node.mjs" || filepath.Base(node) == filepath.Base(py) {
		t.Errorf("names %s %s", node, py)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("the directory holds %d files, want the 2 runtimes", len(entries))
	}

	// A copy of the right name but other content (damaged, edited) is
	// replaced by the next process that writes the runtimes.
	os.Chmod(node, 0o600)
	os.WriteFile(node, []byte("console.log('stale')"), 0o600)
	again, err := NewRuntimes(dir).Command("node:index.handler", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(again.Argv[1]); !bytes.Equal(got, nodeRuntime) {
		t.Error("a damaged runtime file was kept")
	}
}

func TestRuntimesTempDir(t *testing.T) {
	rt := NewRuntimes("")
	p, err := rt.Command("python:app.handler", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	dir, _ := rt.Dir()
	if _, err := os.Stat(p.Argv[2]); err != nil || filepath.Dir(p.Argv[2]) != dir {
		t.Fatalf("runtime %s in %s: %v", p.Argv[2], dir, err)
	}
	if err := rt.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("the temporary directory %s is still there", dir)
	}
}

func TestSpecForCustomRuntime(t *testing.T) {
	dir := t.TempDir()
	p, err := NewRuntimes(t.TempDir()).For(Spec{Name: "f", Command: "./bootstrap", Handler: "function.handler", Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if p.Handler != "function.handler" || p.Argv[0] != dir+"/bootstrap" {
		t.Errorf("%+v", p)
	}
}
