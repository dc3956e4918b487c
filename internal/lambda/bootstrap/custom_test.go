package bootstrap

import (
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// A Go function built with aws-lambda-go, run from a --function command
// line against the tests' Runtime API fake: the command comes out right,
// and the fake speaks the protocol as the real runtime client expects it.
func TestCustomRuntimeGo(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a Go program")
	}
	dir := t.TempDir()
	build := exec.Command("go", "build", "-o", filepath.Join(dir, "bootstrap"), "./testdata/gofunc")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	spec, err := ParseFlag("go=MODE=custom ./bootstrap")
	if err != nil {
		t.Fatal(err)
	}
	spec.Dir, spec.Handler = dir, "bootstrap.handler"
	proc, err := NewRuntimes(t.TempDir()).For(spec)
	if err != nil {
		t.Fatal(err)
	}
	if proc.Runtime != RuntimeProvided || proc.Argv[0] != filepath.Join(dir, "bootstrap") {
		t.Fatalf("%+v", proc)
	}
	p := startProcess(t, newFakeRuntimeAPI(t), proc, dir)
	got := p.invoke(`{}`, nil)
	var res map[string]string
	decodeResult(t, got, &res)
	if res["requestId"] != got.id || res["handler"] != "bootstrap.handler" || res["mode"] != "custom" {
		t.Errorf("result %v", res)
	}
	// aws-lambda-go's error document is errorMessage and errorType, and
	// it sends no Lambda-Runtime-Function-Error-Type header (only a
	// trailer, when reading the response fails): the Runtime API must
	// not need one.
	got = p.invoke(`{"fail":true}`, nil)
	var doc errorDoc
	if err := json.Unmarshal(got.body, &doc); err != nil || got.kind != "error" ||
		doc.ErrorMessage != "asked to fail" || doc.ErrorType != "errorString" ||
		strings.Join(jsonKeys(t, got.body), ",") != "errorMessage,errorType" {
		t.Errorf("posted %s %s", got.kind, got.body)
	}
}
