package bootstrap

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// The runtimes a function can have.
const (
	RuntimeNode     = "nodejs"   // the built-in Node.js bootstrap
	RuntimePython   = "python"   // the built-in Python bootstrap
	RuntimeProvided = "provided" // a custom runtime: the user's own program speaks the Runtime API
)

// Process is what to run for one function: start Argv in the function's
// directory with Env added to the function's environment; Handler is the
// value of _HANDLER ("" when a custom runtime has none).
type Process struct {
	Argv    []string
	Env     []string // KEY=VALUE pairs the command line itself sets ("DEBUG=1 ./bootstrap"), or the runtime needs
	Handler string
	Runtime string
}

// parsed is a --function COMMAND understood but not yet tied to the files
// of a bootstrap: the built-in runtimes are given their script's path only
// when one is written (Runtimes.Command).
type parsed struct {
	runtime string
	handler string   // built-in runtimes
	argv    []string // custom runtimes
	env     []string // custom runtimes
}

// runtimePrefixes are the "runtime:" forms of a command. The aliases are
// there because users type either [I].
var runtimePrefixes = map[string]string{
	"node":    RuntimeNode,
	"nodejs":  RuntimeNode,
	"python":  RuntimePython,
	"python3": RuntimePython,
}

// parseCommand reads a --function COMMAND, with dir the function's
// directory (absolute). The forms:
//
//   - "node:./src/index.handler": the built-in Node.js bootstrap, handler
//     "src/index.handler" (the file src/index.js, .mjs or .cjs, its export
//     handler), relative to dir.
//   - "python:app.handler" (or "python:pkg/mod.fn", "python:pkg.mod.fn"):
//     the built-in Python bootstrap, module app found from dir.
//   - the path of an existing file (relative to dir, or absolute) is run as
//     it is, spaces and all: a custom runtime's bootstrap.
//   - anything else is a command line, split into words as a POSIX shell
//     splits simple ones: blanks separate words, '...' quotes literally,
//     "..." quotes with \" \\ \$ \` escapes, a backslash escapes the next
//     character, and leading NAME=value words set environment variables. No
//     shell runs: characters a shell would interpret (| & ; < > ( ) $ ` * ?,
//     a word starting with ~ or #) are refused unless quoted, so a command
//     never means something other than what it says; for pipes or
//     expansions, write "sh -c '...'" [I]. The program: a name with a slash
//     is a path relative to dir; a bare name is a file in dir if there is
//     one (Lambda's "bootstrap" convention), else looked up on PATH when it
//     starts.
func parseCommand(spec, dir string) (parsed, error) {
	spec = strings.TrimSpace(spec)
	if spec == "" {
		return parsed{}, errors.New("the command is empty")
	}
	if prefix, rest, ok := strings.Cut(spec, ":"); ok {
		if runtime, known := runtimePrefixes[prefix]; known {
			handler, err := builtinHandler(runtime, rest, dir)
			if err != nil {
				return parsed{}, err
			}
			return parsed{runtime: runtime, handler: handler}, nil
		}
	}
	if p := absIn(dir, spec); isRegularFile(p) {
		return parsed{runtime: RuntimeProvided, argv: []string{p}}, nil
	}
	words, err := splitWords(spec)
	if err != nil {
		return parsed{}, err
	}
	var env []string
	for len(words) > 0 && envAssignment.MatchString(words[0]) {
		env = append(env, words[0])
		words = words[1:]
	}
	if len(words) == 0 {
		return parsed{}, fmt.Errorf("%q sets variables but names no program to run", spec)
	}
	prog := words[0]
	switch {
	case strings.Contains(prog, "/"):
		prog = absIn(dir, prog)
	case isRegularFile(filepath.Join(dir, prog)):
		prog = filepath.Join(dir, prog)
	}
	words[0] = prog
	return parsed{runtime: RuntimeProvided, argv: words, env: env}, nil
}

var envAssignment = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*=`)

// builtinHandler checks and normalizes the handler of a "node:" or
// "python:" command. The handler is relative to the function's directory,
// which is LAMBDA_TASK_ROOT: "./src/index.handler" is "src/index.handler",
// as Lambda's console writes it.
func builtinHandler(runtime, handler, dir string) (string, error) {
	handler = strings.TrimSpace(handler)
	if filepath.IsAbs(handler) && dir != "" {
		if rel, err := filepath.Rel(dir, handler); err == nil && !strings.HasPrefix(rel, "..") {
			handler = filepath.ToSlash(rel)
		}
	}
	for strings.HasPrefix(handler, "./") {
		handler = handler[2:]
	}
	name := "node"
	example := "node:./src/index.handler (the file src/index.js, .mjs or .cjs, and its export handler)"
	if runtime == RuntimePython {
		name = "python"
		example = "python:app.handler (the module app.py and its function handler)"
	}
	base := handler[strings.LastIndex(handler, "/")+1:]
	dot := strings.LastIndex(base, ".")
	if runtime == RuntimeNode {
		dot = strings.Index(base, ".") // Node handlers may name a nested export: index.handlers.get
	}
	if handler == "" || dot <= 0 || dot == len(base)-1 {
		return "", fmt.Errorf("%s handler %q is not FILE.EXPORT: write %s", name, handler, example)
	}
	// Lambda's Node.js runtime refuses ".." in a handler; a Python handler
	// is a module name, where ".." means nothing either.
	if strings.Contains(handler, "..") {
		return "", fmt.Errorf("%s handler %q: '..' is not allowed in a handler (as on AWS); set the function's directory instead", name, handler)
	}
	return handler, nil
}

// splitWords splits a command line as a POSIX shell splits simple ones
// (see parseCommand).
func splitWords(s string) ([]string, error) {
	var (
		words  []string
		cur    strings.Builder
		inWord bool // a word is open, even if empty so far ('' is a word)
	)
	flush := func() {
		if inWord {
			words = append(words, cur.String())
			cur.Reset()
			inWord = false
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n':
			flush()
		case c == '\'':
			end := strings.IndexByte(s[i+1:], '\'')
			if end < 0 {
				return nil, fmt.Errorf("command %q: a ' quote is not closed", s)
			}
			cur.WriteString(s[i+1 : i+1+end])
			inWord = true
			i += end + 1
		case c == '"':
			inWord = true
			closed := false
			for i++; i < len(s); i++ {
				if s[i] == '"' {
					closed = true
					break
				}
				if s[i] == '\\' && i+1 < len(s) && strings.IndexByte("\"\\$`", s[i+1]) >= 0 {
					i++
				}
				cur.WriteByte(s[i])
			}
			if !closed {
				return nil, fmt.Errorf(`command %q: a " quote is not closed`, s)
			}
		case c == '\\':
			if i+1 == len(s) {
				return nil, fmt.Errorf("command %q ends with a lone backslash", s)
			}
			i++
			cur.WriteByte(s[i])
			inWord = true
		case strings.IndexByte("|&;<>()$`*?", c) >= 0, (c == '~' || c == '#') && !inWord:
			return nil, fmt.Errorf("command %q: %q would mean something to a shell, and no shell runs here: quote it, or write sh -c '...'", s, string(c))
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	flush()
	if len(words) == 0 {
		return nil, errors.New("the command is empty")
	}
	return words, nil
}

// absIn makes p absolute, relative to dir.
func absIn(dir, p string) string {
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(dir, p)
}

func isRegularFile(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular()
}
