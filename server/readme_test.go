package server_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestReadmeEmbeddingSnippet: the README's Go snippet for embedding
// Portico in a test compiles and passes as written, in a module of its own
// that depends on this one the way the README says (a replace directive
// pointing at a clone).
func TestReadmeEmbeddingSnippet(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a module of its own")
	}
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	section := regexp.MustCompile("(?s)## Embedding in Go tests\n.*?```go\n(.*?)```").FindSubmatch(readme)
	if section == nil {
		t.Fatal("README.md has no ```go block under \"## Embedding in Go tests\"")
	}
	root, _ := filepath.Abs("..")
	mod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	// The user's module: the README's require and replace lines, and this
	// module's own requirements (what go mod tidy would add).
	requires := regexp.MustCompile(`(?s)require \((.*?)\)`).FindAllSubmatch(mod, -1)
	var gomod strings.Builder
	gomod.WriteString("module example.com/myservice\n\ngo 1.26\n\nrequire github.com/portico-dev/portico v0.0.0\n\n")
	gomod.WriteString("replace github.com/portico-dev/portico => " + root + "\n")
	for _, r := range requires {
		gomod.WriteString("\nrequire (" + string(r[1]) + ")\n")
	}
	dir := t.TempDir()
	sum, _ := os.ReadFile(filepath.Join(root, "go.sum"))
	for name, data := range map[string][]byte{"go.mod": []byte(gomod.String()), "go.sum": sum, "orders_test.go": section[1]} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command("go", "test", "-count=1", ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("the README's snippet does not pass:\n%s\n%s", out, section[1])
	}
}
