package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
)

// An init directory holds scripts that set up APIs once Portico is ready,
// as LocalStack's ready.d hooks do: each file that is executable, or ends
// in .sh, runs in name order with AWS_ENDPOINT_URL set to Portico's URL
// (the AWS CLI v2, CLI v1 from 1.29 and every current SDK read it), and
// AWS_DEFAULT_REGION and dummy credentials set when the environment has
// none. Output goes to the log line by line; the outcome of each script is
// in /_portico/health. A failing script does not stop the next one, nor
// Portico.

// initScriptTimeout bounds one script: an init script that hangs must not
// hold a CI job forever.
const initScriptTimeout = 10 * time.Minute

type initRunner struct {
	dir  string
	url  string
	env  []string
	log  *slog.Logger
	stop context.CancelFunc
	ctx  context.Context
	done chan struct{}

	mu      sync.Mutex
	status  string // running, done or failed
	scripts []initScript
}

type initScript struct {
	Name     string `json:"name"`
	Status   string `json:"status"` // pending, running, ok, failed
	ExitCode *int   `json:"exitCode,omitempty"`
	Error    string `json:"error,omitempty"`
}

func newInitRunner(dir, url string, cfg Config) (*initRunner, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("--init-dir: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &initRunner{dir: dir, url: url, log: cfg.Logger, ctx: ctx, stop: cancel, done: make(chan struct{}), status: "running"}
	for _, e := range entries {
		info, err := e.Info()
		if err != nil || !info.Mode().IsRegular() {
			continue
		}
		if info.Mode()&0o111 == 0 && !strings.HasSuffix(e.Name(), ".sh") {
			r.log.Warn("init script skipped: neither executable nor a .sh file", "file", filepath.Join(dir, e.Name()))
			continue
		}
		r.scripts = append(r.scripts, initScript{Name: e.Name(), Status: "pending"})
	}
	sort.Slice(r.scripts, func(i, j int) bool { return r.scripts[i].Name < r.scripts[j].Name })
	r.env = append(os.Environ(), "AWS_ENDPOINT_URL="+url)
	for k, v := range map[string]string{"AWS_DEFAULT_REGION": cfg.Region, "AWS_REGION": cfg.Region,
		"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"} {
		if _, ok := os.LookupEnv(k); !ok {
			r.env = append(r.env, k+"="+v)
		}
	}
	return r, nil
}

// run runs every script once; it is started when the listener serves.
func (r *initRunner) run() {
	defer close(r.done)
	failed := false
	for i := range r.scripts {
		r.set(i, func(s *initScript) { s.Status = "running" })
		code, err := r.runOne(r.scripts[i].Name)
		r.set(i, func(s *initScript) {
			s.Status = "ok"
			if code >= 0 {
				s.ExitCode = &code
			}
			if err != nil {
				s.Status, s.Error, failed = "failed", err.Error(), true
			}
		})
		if err != nil {
			r.log.Error("init script failed", "script", r.scripts[i].Name, "error", err)
		} else {
			r.log.Info("init script done", "script", r.scripts[i].Name)
		}
		if r.ctx.Err() != nil {
			break
		}
	}
	r.mu.Lock()
	r.status = "done"
	if failed {
		r.status = "failed"
	}
	r.mu.Unlock()
}

func (r *initRunner) runOne(name string) (int, error) {
	ctx, cancel := context.WithTimeout(r.ctx, initScriptTimeout)
	defer cancel()
	path := filepath.Join(r.dir, name)
	cmd := exec.CommandContext(ctx, path)
	if info, err := os.Stat(path); err == nil && info.Mode()&0o111 == 0 {
		cmd = exec.CommandContext(ctx, "/bin/sh", path)
	}
	cmd.Dir = r.dir
	cmd.Env = r.env
	cmd.WaitDelay = 5 * time.Second
	// One stream in the order written. A writer that is not an *os.File
	// makes exec copy through a pipe of its own, which WaitDelay closes
	// if a background child of the script holds it open.
	lines := &lineLogger{log: r.log, script: name}
	cmd.Stdout, cmd.Stderr = lines, lines
	err := cmd.Run()
	lines.flush()
	code := cmd.ProcessState.ExitCode()
	var exit *exec.ExitError
	switch {
	case ctx.Err() == context.DeadlineExceeded:
		return code, fmt.Errorf("did not finish within %s", initScriptTimeout)
	case r.ctx.Err() != nil:
		return code, errors.New("stopped: Portico is shutting down")
	case errors.As(err, &exit):
		return code, fmt.Errorf("exit status %d", code)
	}
	return code, err
}

func (r *initRunner) set(i int, fn func(*initScript)) {
	r.mu.Lock()
	fn(&r.scripts[i])
	r.mu.Unlock()
}

// report is the init part of /_portico/health.
func (r *initRunner) report() any {
	r.mu.Lock()
	defer r.mu.Unlock()
	return struct {
		Status  string       `json:"status"`
		Scripts []initScript `json:"scripts"`
	}{r.status, append([]initScript{}, r.scripts...)}
}

// close stops a script still running and waits for the runner.
func (r *initRunner) close() {
	r.stop()
	<-r.done
}

// lineLogger logs what a script writes, a line at a time (lines over 64 KB
// are logged in pieces).
type lineLogger struct {
	log    *slog.Logger
	script string
	mu     sync.Mutex
	buf    []byte
}

func (l *lineLogger) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf = append(l.buf, p...)
	for {
		i := bytes.IndexByte(l.buf, '\n')
		if i < 0 {
			if len(l.buf) > 64<<10 {
				l.emit(len(l.buf))
			}
			return len(p), nil
		}
		l.emit(i)
		l.buf = l.buf[1:]
	}
}

// emit logs buf[:n] and drops it.
func (l *lineLogger) emit(n int) {
	l.log.Info("init script output", "script", l.script, "line", string(bytes.TrimSuffix(l.buf[:n], []byte("\r"))))
	l.buf = l.buf[n:]
}

func (l *lineLogger) flush() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.buf) > 0 {
		l.emit(len(l.buf))
	}
}
