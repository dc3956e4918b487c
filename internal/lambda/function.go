package lambda

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Function is one function Portico runs: a command speaking the Lambda
// Runtime API (a custom runtime's bootstrap, a Go binary built with
// aws-lambda-go, or one of the built-in Node.js and Python bootstraps).
type Function struct {
	// Name is the function's name, as in its ARN: 1 to 64 of
	// a-z A-Z 0-9 - _ (Lambda's rule for function names).
	Name string
	// Command is the process to start (argv); Command[0] is looked up in
	// PATH when it has no slash, and is relative to Dir otherwise.
	Command []string
	// Dir is the working directory and LAMBDA_TASK_ROOT; empty: the
	// current directory. It is made absolute.
	Dir string
	// Env is the function's own environment; it wins over everything
	// else except AWS_LAMBDA_RUNTIME_API.
	Env map[string]string
	// Handler is the _HANDLER value ("index.handler").
	Handler string
	// Timeout of one invocation: default 3 s, at most 900 s (AWS's).
	Timeout time.Duration
	// MemoryMB is reported to the function and in REPORT lines (default
	// 128, AWS's range 128 to 10240). Portico does not enforce it.
	MemoryMB int
	// MaxConcurrency bounds the function's processes (default 10 [I]: AWS
	// scales to the account's 1,000, which a laptop would not survive).
	MaxConcurrency int
	// Runtime is the Lambda runtime identifier ("nodejs20.x",
	// "python3.11", "provided.al2023"); informational, it only sets
	// AWS_EXECUTION_ENV as Lambda does.
	Runtime string
}

const (
	defaultTimeout        = 3 * time.Second
	maxTimeout            = 900 * time.Second
	defaultMemoryMB       = 128
	minMemoryMB           = 128
	maxMemoryMB           = 10240
	defaultMaxConcurrency = 10
)

// functionName is Lambda's rule for a function's name
// (CreateFunction's FunctionName, when given as a bare name).
var functionName = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,64}$`)

// normalize checks f and fills in AWS's defaults.
func (f Function) normalize() (Function, error) {
	if !functionName.MatchString(f.Name) {
		return f, fmt.Errorf("function name %q: 1 to 64 letters, digits, hyphens or underscores", f.Name)
	}
	if len(f.Command) == 0 || f.Command[0] == "" {
		return f, fmt.Errorf("function %s: no command", f.Name)
	}
	switch {
	case f.Timeout == 0:
		f.Timeout = defaultTimeout
	case f.Timeout < 0 || f.Timeout > maxTimeout:
		return f, fmt.Errorf("function %s: timeout %v is not between 1s and 900s", f.Name, f.Timeout)
	}
	switch {
	case f.MemoryMB == 0:
		f.MemoryMB = defaultMemoryMB
	case f.MemoryMB < minMemoryMB || f.MemoryMB > maxMemoryMB:
		return f, fmt.Errorf("function %s: memory size %d MB is not between 128 and 10240", f.Name, f.MemoryMB)
	}
	switch {
	case f.MaxConcurrency == 0:
		f.MaxConcurrency = defaultMaxConcurrency
	case f.MaxConcurrency < 0:
		return f, fmt.Errorf("function %s: maximum concurrency %d is negative", f.Name, f.MaxConcurrency)
	}
	dir := f.Dir
	if dir == "" {
		dir = "."
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return f, fmt.Errorf("function %s: %w", f.Name, err)
	}
	if st, err := os.Stat(abs); err != nil {
		return f, fmt.Errorf("function %s: working directory: %w", f.Name, err)
	} else if !st.IsDir() {
		return f, fmt.Errorf("function %s: working directory %s is not a directory", f.Name, abs)
	}
	f.Dir = abs
	f.Command = append([]string(nil), f.Command...)
	env := make(map[string]string, len(f.Env))
	for k, v := range f.Env {
		if k == "" || strings.ContainsAny(k, "=\x00") {
			return f, fmt.Errorf("function %s: environment variable name %q", f.Name, k)
		}
		env[k] = v
	}
	f.Env = env
	return f, nil
}

// passedEnv is what a process inherits from Portico's own environment.
// Lambda's environment is clean; a local tool still needs PATH (to find
// node, python3, a shell), HOME and the locale. Credentials, AWS_PROFILE
// and the like do not pass: a function gets local credentials instead.
var passedEnv = []string{
	"PATH", "HOME", "USER", "LOGNAME", "LANG", "LC_ALL", "LC_CTYPE", "TMPDIR",
	// Windows cannot start most programs without these.
	"SystemRoot", "SYSTEMROOT", "COMSPEC", "PATHEXT", "TEMP", "TMP", "USERPROFILE",
	"APPDATA", "LOCALAPPDATA", "ProgramData", "ProgramFiles",
}

// localSecret is the secret key and session token of the local
// credentials a function gets by default [I]: Portico reads the account
// from a 12-digit access key id and does not check signatures.
const localSecret = "portico-local"

// environ is the environment of one process, in Lambda's terms ("Defined
// runtime environment variables" in the Lambda developer guide): the
// passed parent variables, then Lambda's own, then Config.Env, then the
// function's Env; AWS_LAMBDA_RUNTIME_API always names the process's own
// Runtime API.
func (fn *function) environ(runtimeAPI, logStream string) []string {
	f := fn.cfg
	env := map[string]string{}
	for _, k := range passedEnv {
		if v, ok := os.LookupEnv(k); ok {
			env[k] = v
		}
	}
	region := fn.m.region
	defined := map[string]string{
		"AWS_LAMBDA_FUNCTION_NAME":        f.Name,
		"AWS_LAMBDA_FUNCTION_VERSION":     latest,
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": strconv.Itoa(f.MemoryMB),
		"AWS_LAMBDA_LOG_GROUP_NAME":       fn.group,
		"AWS_LAMBDA_LOG_STREAM_NAME":      logStream,
		"AWS_LAMBDA_INITIALIZATION_TYPE":  "on-demand",
		"AWS_REGION":                      region,
		"AWS_DEFAULT_REGION":              region,
		"AWS_XRAY_CONTEXT_MISSING":        "LOG_ERROR",
		"_HANDLER":                        f.Handler,
		"LAMBDA_TASK_ROOT":                f.Dir,
		"LAMBDA_RUNTIME_DIR":              runtimeDir(f),
		"TZ":                              ":UTC",
		"AWS_ACCESS_KEY_ID":               fn.m.account,
		"AWS_SECRET_ACCESS_KEY":           localSecret,
		"AWS_SESSION_TOKEN":               localSecret,
	}
	// Lambda sets AWS_EXECUTION_ENV for managed runtimes only, not for
	// the OS-only ones (provided, provided.al2, provided.al2023).
	if f.Runtime != "" && !strings.HasPrefix(f.Runtime, "provided") {
		defined["AWS_EXECUTION_ENV"] = "AWS_Lambda_" + f.Runtime
	}
	for k, v := range defined {
		env[k] = v
	}
	for _, kv := range fn.m.cfg.Env {
		if k, v, ok := strings.Cut(kv, "="); ok && k != "" {
			env[k] = v
		}
	}
	for k, v := range f.Env {
		env[k] = v
	}
	env["AWS_LAMBDA_RUNTIME_API"] = runtimeAPI
	out := make([]string, 0, len(env))
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}

// runtimeDir is LAMBDA_RUNTIME_DIR: on Lambda, where the runtime lives
// (/var/runtime). Here [I]: the directory of the script an interpreter
// runs (node bootstrap.mjs, python3 bootstrap.py), else that of the
// executable itself.
func runtimeDir(f Function) string {
	if len(f.Command) > 1 {
		if st, err := os.Stat(f.Command[1]); err == nil && !st.IsDir() {
			if abs, err := filepath.Abs(f.Command[1]); err == nil {
				return filepath.Dir(abs)
			}
		}
	}
	exe := f.Command[0]
	if !strings.ContainsRune(exe, '/') && !(runtime.GOOS == "windows" && strings.ContainsRune(exe, '\\')) {
		return f.Dir
	}
	if !filepath.IsAbs(exe) {
		exe = filepath.Join(f.Dir, exe)
	}
	return filepath.Dir(exe)
}

// logStreamName is a new stream name in Lambda's form:
// 2026/12/01/[$LATEST]0123456789abcdef0123456789abcdef, one per process
// (one per execution environment on Lambda).
func logStreamName(now time.Time) string {
	var b [16]byte
	rand.Read(b[:])
	return now.UTC().Format("2006/01/02") + "/[" + latest + "]" + hex.EncodeToString(b[:])
}
