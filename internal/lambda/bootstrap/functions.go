package bootstrap

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v4"
)

// Defaults and bounds of a function's settings, as on AWS (Lambda's
// CreateFunction: Timeout 1-900 seconds, default 3; MemorySize 128-10240
// MB, default 128).
const (
	DefaultTimeout    = 3 * time.Second
	DefaultMemorySize = 128
	maxTimeoutSeconds = 900
	minMemorySize     = 128
	maxMemorySize     = 10240
	// [I] A bound on a function's maxConcurrency: AWS's default account
	// concurrency.
	maxConcurrency = 1000
	// [I] A functions file larger than this is refused unread.
	maxFunctionsFile = 1 << 20
	// [I] At most this many YAML nodes are visited (aliases count each
	// time they are followed), so a file of nested aliases cannot make
	// reading it expensive.
	maxNodeVisits = 100_000
)

// Spec is one function as the user configured it, from --function or a
// functions file. The lead maps it onto internal/lambda's Function;
// Runtimes.For turns it into the command to run.
type Spec struct {
	Name string
	// Command is as --function takes it: "node:src/index.handler",
	// "python:app.handler", or a custom runtime's command line (see
	// parseCommand).
	Command string
	// Handler is _HANDLER for a custom runtime ("" if not given); the
	// built-in runtimes take theirs from Command.
	Handler     string
	Dir         string            // absolute: the function's working directory and LAMBDA_TASK_ROOT
	Environment map[string]string // the function's own variables (nil if none)
	Timeout     time.Duration
	MemorySize  int // MB
	// MaxConcurrency is the most processes the function runs at once; 0
	// when not set (the lambda package's default applies).
	MaxConcurrency int
}

// functionName is what Lambda accepts as a function's name (not an ARN).
var functionName = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// envKey is Lambda's rule for environment variable names.
var envKey = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9_]+$`)

// reservedEnv are variables Portico sets from the function's own settings
// and the Runtime API contract; a function may not set them (AWS refuses
// these too). AWS_REGION, AWS_DEFAULT_REGION and the credentials are
// reserved on AWS but may be set here: pointing one local function at
// other credentials or another region is useful [I].
var reservedEnv = []string{
	"_HANDLER", "_X_AMZN_TRACE_ID", "AWS_EXECUTION_ENV", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
	"AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_VERSION", "AWS_LAMBDA_INITIALIZATION_TYPE",
	"AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME", "AWS_LAMBDA_RUNTIME_API",
	"LAMBDA_RUNTIME_DIR", "LAMBDA_TASK_ROOT",
}

// ParseFlag reads one --function NAME=COMMAND. The function's directory
// is the current working directory.
func ParseFlag(s string) (Spec, error) {
	name, command, ok := strings.Cut(s, "=")
	name, command = strings.TrimSpace(name), strings.TrimSpace(command)
	if !ok || name == "" || command == "" {
		return Spec{}, fmt.Errorf("--function %q: want NAME=COMMAND (hello=node:./index.handler, hello=python:app.handler, hello=./bootstrap)", s)
	}
	if !functionName.MatchString(name) {
		return Spec{}, fmt.Errorf("--function %q: the name %q is not a function name (1 to 64 of A-Z a-z 0-9 - _)", s, name)
	}
	dir, err := os.Getwd()
	if err != nil {
		return Spec{}, err
	}
	if _, err := parseCommand(command, dir); err != nil {
		return Spec{}, fmt.Errorf("--function %q: %w", s, err)
	}
	return Spec{Name: name, Command: command, Dir: dir, Timeout: DefaultTimeout, MemorySize: DefaultMemorySize}, nil
}

// LoadFunctions reads a functions file: JSON or YAML (JSON is read as the
// YAML it also is), either a list of functions with a name each, or a map
// from name to function (whose value may be just the command). Each
// function has:
//
//	name            the function's name (list form)
//	command         as --function COMMAND takes it, or:
//	runtime         nodejs | python | provided (AWS's identifiers too:
//	                nodejs20.x, python3.12, provided.al2023), with
//	handler         the handler (nodejs, python), or a custom runtime's
//	                _HANDLER alongside its command
//	dir             working directory and LAMBDA_TASK_ROOT, relative to the
//	                file (default: the file's directory)
//	environment     a map of variables (scalar values, written as strings)
//	timeout         whole seconds, 1 to 900 (default 3)
//	memorySize      MB, 128 to 10240 (default 128)
//	maxConcurrency  processes at most, 1 to 1000 (default: the lambda
//	                package's)
//
// Errors name the file, line and field.
func LoadFunctions(path string) ([]Spec, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFunctionsFile+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxFunctionsFile {
		return nil, fmt.Errorf("%s: larger than %d bytes", path, maxFunctionsFile)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	l := &loader{file: path, base: filepath.Dir(abs)}
	specs, err := l.load(data)
	if err != nil {
		return nil, err
	}
	return specs, nil
}

type loader struct {
	file   string
	base   string // directory relative dirs are taken from
	visits int
}

// fail is an error at a node: "file:line: where: message".
func (l *loader) fail(n *yaml.Node, where, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if where != "" {
		msg = where + ": " + msg
	}
	if n != nil && n.Line > 0 {
		return fmt.Errorf("%s:%d: %s", l.file, n.Line, msg)
	}
	return fmt.Errorf("%s: %s", l.file, msg)
}

// resolve follows aliases, counting visits.
func (l *loader) resolve(n *yaml.Node) (*yaml.Node, error) {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
		l.visits++
	}
	l.visits++
	if l.visits > maxNodeVisits {
		return nil, fmt.Errorf("%s: more than %d values (aliases counted each time they are used)", l.file, maxNodeVisits)
	}
	return n, nil
}

// pair is one key and value of a mapping.
type pair struct{ key, value *yaml.Node }

// pairs lists a mapping's entries, with YAML merge keys (<<: *defaults)
// applied: an entry written in the mapping wins over a merged one.
func (l *loader) pairs(n *yaml.Node, where string) ([]pair, error) {
	var own, merged []pair
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, err := l.resolve(n.Content[i])
		if err != nil {
			return nil, err
		}
		v, err := l.resolve(n.Content[i+1])
		if err != nil {
			return nil, err
		}
		if k.Kind == yaml.ScalarNode && k.Value == "<<" && k.Tag == "!!merge" {
			sources := []*yaml.Node{v}
			if v.Kind == yaml.SequenceNode {
				sources = v.Content
			}
			for _, s := range sources {
				s, err := l.resolve(s)
				if err != nil {
					return nil, err
				}
				if s.Kind != yaml.MappingNode {
					return nil, l.fail(s, where, "<< merges a mapping only")
				}
				ps, err := l.pairs(s, where)
				if err != nil {
					return nil, err
				}
				merged = append(merged, ps...)
			}
			continue
		}
		if k.Kind != yaml.ScalarNode {
			return nil, l.fail(k, where, "a key must be a plain name")
		}
		for _, p := range own {
			if p.key.Value == k.Value {
				return nil, l.fail(k, where, "%q is given twice", k.Value)
			}
		}
		own = append(own, pair{k, v})
	}
	out := own
	for _, m := range merged {
		if !slices.ContainsFunc(out, func(p pair) bool { return p.key.Value == m.key.Value }) {
			out = append(out, m)
		}
	}
	return out, nil
}

func (l *loader) load(data []byte) ([]Spec, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", l.file, err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil, fmt.Errorf("%s: no functions in the file", l.file)
	}
	root, err := l.resolve(doc.Content[0])
	if err != nil {
		return nil, err
	}
	var specs []Spec
	switch root.Kind {
	case yaml.SequenceNode:
		for i, item := range root.Content {
			item, err := l.resolve(item)
			if err != nil {
				return nil, err
			}
			s, err := l.function(item, "", fmt.Sprintf("functions[%d]", i))
			if err != nil {
				return nil, err
			}
			specs = append(specs, s)
		}
	case yaml.MappingNode:
		ps, err := l.pairs(root, "")
		if err != nil {
			return nil, err
		}
		for _, p := range ps {
			s, err := l.function(p.value, p.key.Value, p.key.Value)
			if err != nil {
				return nil, err
			}
			specs = append(specs, s)
		}
	default:
		return nil, l.fail(root, "", "want a list of functions, or a map from name to function")
	}
	if len(specs) == 0 {
		return nil, fmt.Errorf("%s: no functions in the file", l.file)
	}
	seen := map[string]bool{}
	for _, s := range specs {
		if seen[s.Name] {
			return nil, fmt.Errorf("%s: the function %q is defined twice", l.file, s.Name)
		}
		seen[s.Name] = true
	}
	return specs, nil
}

// fields a function may have, for the error that names a misspelt one.
var fields = []string{"name", "command", "runtime", "handler", "dir", "environment", "timeout", "memorySize", "maxConcurrency"}

// function reads one function; name is its map key ("" in the list form).
func (l *loader) function(n *yaml.Node, name, where string) (Spec, error) {
	s := Spec{Name: name, Dir: l.base, Timeout: DefaultTimeout, MemorySize: DefaultMemorySize}
	if n.Kind == yaml.ScalarNode && name != "" {
		// hello: node:./index.handler
		s.Command = n.Value
		return s, l.checkCommand(&s, "", n, where, nil)
	}
	if n.Kind != yaml.MappingNode {
		return Spec{}, l.fail(n, where, "want a map of the function's settings (%s)", strings.Join(fields, ", "))
	}
	ps, err := l.pairs(n, where)
	if err != nil {
		return Spec{}, err
	}
	var runtime string
	var at = map[string]*yaml.Node{}
	for _, p := range ps {
		key, v := p.key.Value, p.value
		at[key] = v
		field := where + "." + key
		switch key {
		case "name":
			str, err := l.str(v, field)
			if err != nil {
				return Spec{}, err
			}
			if name != "" && str != name {
				return Spec{}, l.fail(v, field, "%q differs from the function's key %q", str, name)
			}
			s.Name = str
		case "command":
			if s.Command, err = l.str(v, field); err != nil {
				return Spec{}, err
			}
		case "runtime":
			if runtime, err = l.str(v, field); err != nil {
				return Spec{}, err
			}
		case "handler":
			if s.Handler, err = l.str(v, field); err != nil {
				return Spec{}, err
			}
		case "dir":
			d, err := l.str(v, field)
			if err != nil {
				return Spec{}, err
			}
			s.Dir = absIn(l.base, d)
		case "environment":
			if s.Environment, err = l.environment(v, field); err != nil {
				return Spec{}, err
			}
		case "timeout":
			secs, err := l.integer(v, field, 1, maxTimeoutSeconds, "whole seconds")
			if err != nil {
				return Spec{}, err
			}
			s.Timeout = time.Duration(secs) * time.Second
		case "memorySize":
			if s.MemorySize, err = l.integer(v, field, minMemorySize, maxMemorySize, "MB"); err != nil {
				return Spec{}, err
			}
		case "maxConcurrency":
			if s.MaxConcurrency, err = l.integer(v, field, 1, maxConcurrency, "processes"); err != nil {
				return Spec{}, err
			}
		default:
			return Spec{}, l.fail(p.key, where, "unknown field %q (the fields: %s)", key, strings.Join(fields, ", "))
		}
	}
	if s.Name == "" {
		return Spec{}, l.fail(n, where, "the function has no name")
	}
	if !functionName.MatchString(s.Name) {
		return Spec{}, l.fail(at["name"], where+".name", "%q is not a function name (1 to 64 of A-Z a-z 0-9 - _)", s.Name)
	}
	return s, l.checkCommand(&s, runtime, n, where, at)
}

// checkCommand settles Command from command, runtime and handler, and
// checks that it parses; at holds the function's fields' nodes, for the
// line an error points at.
func (l *loader) checkCommand(s *Spec, runtime string, n *yaml.Node, where string, at map[string]*yaml.Node) error {
	node := func(field string) *yaml.Node {
		if v := at[field]; v != nil {
			return v
		}
		return n
	}
	kind := ""
	if runtime != "" {
		switch r := strings.ToLower(runtime); {
		case r == "node" || strings.HasPrefix(r, "nodejs"):
			kind = RuntimeNode
		case strings.HasPrefix(r, "python"):
			kind = RuntimePython
		case strings.HasPrefix(r, "provided"):
			kind = RuntimeProvided
		default:
			return l.fail(node("runtime"), where+".runtime", "%q is not a runtime Portico runs: nodejs, python or provided (with a command)", runtime)
		}
	}
	switch {
	case kind == RuntimeNode || kind == RuntimePython:
		if s.Command != "" {
			return l.fail(n, where, "runtime %s runs a handler: give handler, not command", runtime)
		}
		if s.Handler == "" {
			return l.fail(n, where, "runtime %s needs a handler (%s)", runtime, map[string]string{
				RuntimeNode: "src/index.handler", RuntimePython: "app.handler"}[kind])
		}
		prefix := map[string]string{RuntimeNode: "node:", RuntimePython: "python:"}[kind]
		s.Command, s.Handler = prefix+s.Handler, ""
	case s.Command == "":
		return l.fail(n, where, "the function has no command (or runtime and handler)")
	}
	p, err := parseCommand(s.Command, s.Dir)
	if err != nil {
		return l.fail(node("command"), where+".command", "%v", err)
	}
	if p.runtime != RuntimeProvided && s.Handler != "" {
		return l.fail(node("handler"), where+".handler", "the command %q names its handler already", s.Command)
	}
	return nil
}

func (l *loader) str(v *yaml.Node, field string) (string, error) {
	if v.Kind != yaml.ScalarNode || v.Tag == "!!null" {
		return "", l.fail(v, field, "want a string")
	}
	if strings.TrimSpace(v.Value) == "" {
		return "", l.fail(v, field, "is empty")
	}
	return v.Value, nil
}

func (l *loader) integer(v *yaml.Node, field string, lo, hi int, unit string) (int, error) {
	if v.Kind == yaml.ScalarNode && (v.Tag == "!!int" || v.Tag == "!!float") {
		if f, err := strconv.ParseFloat(v.Value, 64); err == nil && f == float64(int(f)) && int(f) >= lo && int(f) <= hi {
			return int(f), nil
		}
	}
	return 0, l.fail(v, field, "want %s from %d to %d, got %q", unit, lo, hi, v.Value)
}

func (l *loader) environment(v *yaml.Node, field string) (map[string]string, error) {
	if v.Kind != yaml.MappingNode {
		return nil, l.fail(v, field, "want a map of NAME: value")
	}
	ps, err := l.pairs(v, field)
	if err != nil {
		return nil, err
	}
	env := make(map[string]string, len(ps))
	for _, p := range ps {
		k := p.key.Value
		if !envKey.MatchString(k) {
			return nil, l.fail(p.key, field, "%q is not a variable name Lambda accepts (a letter, then letters, digits or _; two characters at least)", k)
		}
		if slices.Contains(reservedEnv, k) {
			return nil, l.fail(p.key, field, "%s is set by Portico from the function's settings and cannot be given", k)
		}
		if p.value.Kind != yaml.ScalarNode {
			return nil, l.fail(p.value, field+"."+k, "want a string (or a number or true/false, written as a string)")
		}
		if p.value.Tag == "!!null" {
			env[k] = ""
		} else {
			env[k] = p.value.Value
		}
	}
	return env, nil
}
