package bootstrap

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLoadFunctionsJSONList(t *testing.T) {
	path := writeFile(t, "functions.json", `[
  {"name": "hello", "command": "node:./src/index.handler", "dir": "app",
   "environment": {"TABLE": "orders", "DEBUG": "1"}, "timeout": 10, "memorySize": 256, "maxConcurrency": 2},
  {"name": "py", "runtime": "python3.12", "handler": "app.handler"},
  {"name": "go", "command": "./bootstrap", "handler": "ignored.by.go", "runtime": "provided.al2023"}
]`)
	base := filepath.Dir(path)
	got, err := LoadFunctions(path)
	if err != nil {
		t.Fatal(err)
	}
	want := []Spec{
		{Name: "hello", Command: "node:./src/index.handler", Dir: filepath.Join(base, "app"),
			Environment: map[string]string{"TABLE": "orders", "DEBUG": "1"}, Timeout: 10 * time.Second, MemorySize: 256, MaxConcurrency: 2},
		{Name: "py", Command: "python:app.handler", Dir: base, Timeout: DefaultTimeout, MemorySize: DefaultMemorySize},
		{Name: "go", Command: "./bootstrap", Handler: "ignored.by.go", Dir: base, Timeout: DefaultTimeout, MemorySize: DefaultMemorySize},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
}

func TestLoadFunctionsYAMLMap(t *testing.T) {
	path := writeFile(t, "functions.yaml", `
x-defaults: &defaults
  timeout: 30
  environment:
    STAGE: dev
    PORT: 8080
    VERBOSE: true

hello: node:./index.handler
chat:
  <<: *defaults
  runtime: nodejs20.x
  handler: chat.handler
  dir: /srv/chat
  memorySize: 512
`)
	// x-defaults is a function too, in a map; a file that wants a place
	// for anchors uses the list form. Here it must fail: it has no command.
	if _, err := LoadFunctions(path); err == nil || !strings.Contains(err.Error(), "x-defaults") {
		t.Fatalf("err = %v", err)
	}
	path = writeFile(t, "functions.yaml", `
- &defaults
  name: hello
  command: node:./index.handler
  timeout: 30
  environment:
    STAGE: dev
    PORT: 8080
    VERBOSE: true
- <<: *defaults
  name: chat
  command: python:chat.handler
  dir: /srv/chat
  memorySize: 512
`)
	got, err := LoadFunctions(path)
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"STAGE": "dev", "PORT": "8080", "VERBOSE": "true"}
	want := []Spec{
		{Name: "hello", Command: "node:./index.handler", Dir: filepath.Dir(path), Environment: env, Timeout: 30 * time.Second, MemorySize: 128},
		{Name: "chat", Command: "python:chat.handler", Dir: "/srv/chat", Environment: env, Timeout: 30 * time.Second, MemorySize: 512},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}

	path = writeFile(t, "functions.yml", "hello: node:./index.handler\nworld:\n  command: ./bootstrap\n")
	got, err = LoadFunctions(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Name != "hello" || got[0].Command != "node:./index.handler" || got[1].Name != "world" {
		t.Errorf("%+v", got)
	}
}

// Every error names the file, the line and the field.
func TestLoadFunctionsErrors(t *testing.T) {
	for _, tc := range []struct{ content, want string }{
		{`[{"name": "a", "command": "./b", "timeout": 0}]`, `:1: functions[0].timeout: want whole seconds from 1 to 900, got "0"`},
		{"- name: a\n  command: ./b\n  timeout: 901\n", `:3: functions[0].timeout: want whole seconds from 1 to 900, got "901"`},
		{"- name: a\n  command: ./b\n  timeout: 2.5\n", `:3: functions[0].timeout: want whole seconds`},
		{"- name: a\n  command: ./b\n  timeout: \"30\"\n", `:3: functions[0].timeout: want whole seconds`},
		{"- name: a\n  command: ./b\n  memorySize: 64\n", `:3: functions[0].memorySize: want MB from 128 to 10240, got "64"`},
		{"- name: a\n  command: ./b\n  maxConcurrency: 0\n", `:3: functions[0].maxConcurrency: want processes from 1 to 1000`},
		{"- name: a\n  command: ./b\n  memory_size: 256\n", `:3: functions[0]: unknown field "memory_size" (the fields: name, command,`},
		{"- name: a b\n  command: ./b\n", `:1: functions[0].name: "a b" is not a function name`},
		{"- command: ./b\n", `:1: functions[0]: the function has no name`},
		{"- name: a\n", `:1: functions[0]: the function has no command (or runtime and handler)`},
		{"- name: a\n  command: node:index\n", `:2: functions[0].command: node handler "index" is not FILE.EXPORT`},
		{"- name: a\n  command: ./b | ./c\n", `:2: functions[0].command: command "./b | ./c": "|" would mean something to a shell`},
		{"- name: a\n  runtime: ruby3.3\n  handler: x.y\n", `:2: functions[0].runtime: "ruby3.3" is not a runtime Portico runs`},
		{"- name: a\n  runtime: nodejs\n", `functions[0]: runtime nodejs needs a handler (src/index.handler)`},
		{"- name: a\n  runtime: python\n  handler: app.h\n  command: ./b\n", `functions[0]: runtime python runs a handler: give handler, not command`},
		{"- name: a\n  command: node:index.handler\n  handler: other.handler\n", `:3: functions[0].handler: the command "node:index.handler" names its handler already`},
		{"- name: a\n  command: ./b\n  environment:\n    X: 1\n", `:4: functions[0].environment: "X" is not a variable name Lambda accepts`},
		{"- name: a\n  command: ./b\n  environment:\n    AWS_LAMBDA_RUNTIME_API: x\n", `:4: functions[0].environment: AWS_LAMBDA_RUNTIME_API is set by Portico`},
		{"- name: a\n  command: ./b\n  environment:\n    LIST: [1]\n", `:4: functions[0].environment.LIST: want a string`},
		{"- name: a\n  command: ./b\n  environment: [A]\n", `:3: functions[0].environment: want a map of NAME: value`},
		{"- name: a\n  command: ./b\n- name: a\n  command: ./c\n", `the function "a" is defined twice`},
		{"- name: a\n  command: ./b\n  command: ./c\n", `:3: functions[0]: "command" is given twice`},
		{"hello:\n  name: other\n  command: ./b\n", `:2: hello.name: "other" differs from the function's key "hello"`},
		{"hello: [1]\n", `:1: hello: want a map of the function's settings`},
		{"42\n", `want a list of functions, or a map from name to function`},
		{"", `no functions in the file`},
		{"[]", `no functions in the file`},
		{"- name: a\n  command: [\n", `functions.yaml: yaml:`},
	} {
		path := writeFile(t, "functions.yaml", tc.content)
		_, err := LoadFunctions(path)
		if err == nil || !strings.HasPrefix(err.Error(), path) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q:\n got  %v\n want %s...%s", tc.content, err, path, tc.want)
		}
	}
}

func TestLoadFunctionsBounds(t *testing.T) {
	big := writeFile(t, "functions.json", "["+strings.Repeat(" ", maxFunctionsFile)+"]")
	if _, err := LoadFunctions(big); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("a file over the bound: %v", err)
	}
	// Nested aliases that would expand to 10^9 values: refused once the
	// visits pass the bound, without expanding them.
	var b strings.Builder
	b.WriteString("a0: &a0 {command: ./b}\n")
	for i := 1; i <= 9; i++ {
		b.WriteString("a" + string(rune('0'+i)) + ": &a" + string(rune('0'+i)) + " [")
		for j := range 10 {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString("*a" + string(rune('0'+i-1)))
		}
		b.WriteString("]\n")
	}
	bomb := writeFile(t, "functions.yaml", b.String())
	if _, err := LoadFunctions(bomb); err == nil {
		t.Error("an alias bomb was accepted")
	}
	if _, err := LoadFunctions(filepath.Join(t.TempDir(), "missing.yaml")); err == nil {
		t.Error("a missing file gave no error")
	}
}

func TestParseFlag(t *testing.T) {
	cwd, _ := os.Getwd()
	s, err := ParseFlag("hello=node:./src/index.handler")
	if err != nil {
		t.Fatal(err)
	}
	want := Spec{Name: "hello", Command: "node:./src/index.handler", Dir: cwd, Timeout: 3 * time.Second, MemorySize: 128}
	if !reflect.DeepEqual(s, want) {
		t.Errorf("got %+v, want %+v", s, want)
	}
	// The command may hold '=' itself.
	if s, err := ParseFlag("go=LOG=debug ./bootstrap"); err != nil || s.Name != "go" || s.Command != "LOG=debug ./bootstrap" {
		t.Errorf("%+v %v", s, err)
	}
	for _, bad := range []string{"hello", "=node:index.handler", "hello=", "a b=./x", "hello=node:index", "x=./a | ./b"} {
		if _, err := ParseFlag(bad); err == nil || !strings.Contains(err.Error(), "--function") {
			t.Errorf("%q: %v", bad, err)
		}
	}
}
