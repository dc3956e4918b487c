// Package bootstrap turns what a user writes for a function (--function
// NAME=COMMAND, or an entry of a functions file) into the process to start,
// and ships Portico's own runtime loops for Node.js and Python handlers:
// small programs, embedded in the binary, that speak the Lambda Runtime API
// at $AWS_LAMBDA_RUNTIME_API as Lambda's managed runtimes do, so a handler
// written for Lambda runs unchanged. A custom runtime (a Go binary built
// with aws-lambda-go, a Rust lambda_runtime binary, a bootstrap script)
// needs none of this: it is started as it is.
//
// The runtime loops are written here, from the Runtime API's documentation
// and the behaviour of Lambda's runtimes as AWS documents it
// (docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html, nodejs-handler,
// nodejs-exceptions, python-handler, python-exceptions); they are not
// copies of AWS's runtime interface clients.
package bootstrap

import (
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"sync"
)

//go:embed runtime/node.mjs
var nodeRuntime []byte

//go:embed runtime/python.py
var pythonRuntime []byte

// Interpreters the built-in runtimes run under, looked up on PATH when a
// process starts.
const (
	nodeProgram   = "node"
	pythonProgram = "python3"
)

// Runtimes writes the embedded runtime loops to a directory, once, and
// builds the commands that run them.
type Runtimes struct {
	dir     string // "" until the first use when a temporary directory is wanted
	tempDir bool   // dir is ours: Close removes it

	once  sync.Once
	err   error
	node  string // path of the written Node.js runtime
	pyRun string // path of the written Python runtime
}

// NewRuntimes returns Runtimes that write their files into dir (created if
// missing; Portico passes {data-dir}/runtimes), or into a temporary
// directory of their own when dir is "".
func NewRuntimes(dir string) *Runtimes {
	return &Runtimes{dir: dir, tempDir: dir == ""}
}

var defaultRuntimes = NewRuntimes("")

// Command is (*Runtimes).Command on Runtimes that use a temporary directory.
func Command(spec, dir string) (Process, error) { return defaultRuntimes.Command(spec, dir) }

// Command turns a --function COMMAND into what to run; dir is the
// function's directory (LAMBDA_TASK_ROOT, made absolute). See parseCommand
// for the forms.
func (r *Runtimes) Command(spec, dir string) (Process, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return Process{}, err
	}
	p, err := parseCommand(spec, dir)
	if err != nil {
		return Process{}, err
	}
	return r.command(p)
}

// For is the command of a function from a functions file or a flag.
func (r *Runtimes) For(s Spec) (Process, error) {
	c, err := r.Command(s.Command, s.Dir)
	if err != nil {
		return Process{}, err
	}
	if c.Runtime == RuntimeProvided {
		c.Handler = s.Handler
	}
	return c, nil
}

func (r *Runtimes) command(p parsed) (Process, error) {
	switch p.runtime {
	case RuntimeProvided:
		return Process{Argv: p.argv, Env: p.env, Runtime: RuntimeProvided}, nil
	}
	if err := r.write(); err != nil {
		return Process{}, err
	}
	if p.runtime == RuntimeNode {
		return Process{Argv: []string{nodeProgram, r.node}, Handler: p.handler, Runtime: RuntimeNode,
			Env: []string{"LAMBDA_RUNTIME_DIR=" + r.dir}}, nil
	}
	// -u: print() reaches the log as it is called, not when a buffer fills.
	return Process{Argv: []string{pythonProgram, "-u", r.pyRun}, Handler: p.handler, Runtime: RuntimePython,
		Env: []string{"LAMBDA_RUNTIME_DIR=" + r.dir, "PYTHONUNBUFFERED=1"}}, nil
}

// Dir writes the runtime files if they are not yet written, and says where.
func (r *Runtimes) Dir() (string, error) {
	err := r.write()
	return r.dir, err
}

// Close removes the temporary directory Runtimes made, if they made one.
func (r *Runtimes) Close() error {
	if r.tempDir && r.dir != "" {
		return os.RemoveAll(r.dir)
	}
	return nil
}

// write puts the runtime files in place, once per process. Their names
// carry a hash of their content, so a file left by another version of
// Portico is never run in place of this one's; a file of the right name
// is still compared byte for byte, and rewritten if it differs (a damaged
// or edited copy).
func (r *Runtimes) write() error {
	r.once.Do(func() {
		if r.dir == "" {
			d, err := os.MkdirTemp("", "portico-runtimes-")
			if err != nil {
				r.err = fmt.Errorf("runtimes directory: %w", err)
				return
			}
			r.dir = d
		} else {
			d, err := filepath.Abs(r.dir)
			if err != nil {
				r.err = err
				return
			}
			r.dir = d
			if err := os.MkdirAll(r.dir, 0o700); err != nil {
				r.err = fmt.Errorf("runtimes directory: %w", err)
				return
			}
		}
		if r.node, r.err = writeAddressed(r.dir, "node", ".mjs", nodeRuntime); r.err != nil {
			return
		}
		r.pyRun, r.err = writeAddressed(r.dir, "python", ".py", pythonRuntime)
	})
	return r.err
}

// writeAddressed writes content to dir/{stem}-{hash}{ext}, readable and
// executable by the owner only (0o500), through a temporary file and a
// rename so that a process starting meanwhile never sees half a file.
func writeAddressed(dir, stem, ext string, content []byte) (string, error) {
	sum := sha256.Sum256(content)
	path := filepath.Join(dir, stem+"-"+hex.EncodeToString(sum[:8])+ext)
	if old, err := os.ReadFile(path); err == nil && string(old) == string(content) {
		return path, nil
	}
	f, err := os.CreateTemp(dir, "."+stem+"-*")
	if err != nil {
		return "", fmt.Errorf("writing the %s runtime: %w", stem, err)
	}
	tmp := f.Name()
	_, err = f.Write(content)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp, 0o500)
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return "", fmt.Errorf("writing the %s runtime: %w", stem, err)
	}
	return path, nil
}
