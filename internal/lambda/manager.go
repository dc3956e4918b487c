// Package lambda runs the user's Lambda functions on this machine, with no
// Docker: it starts each function's processes itself, serves them the
// Lambda Runtime API (so any custom runtime works unchanged: a Go binary
// built with aws-lambda-go, a Rust lambda_runtime binary, a bootstrap
// script, Portico's own Node.js and Python bootstraps), and serves
// callers the Lambda Invoke API, in process (Manager.Invoke, for the data
// plane) and over HTTP (Manager.InvokeHandler, for the SDKs and the CLI).
//
// The execution model is Lambda's (see function): one invocation at a
// time per process, more processes up to the function's maximum
// concurrency, warm processes reused and stopped when idle, timeouts and
// crashes ending the process. Every process runs in its own process
// group, killed as a whole; no process outlives the manager.
package lambda

import (
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/portico-dev/portico/internal/metrics"
)

// Config configures a Manager.
type Config struct {
	Functions []Function
	// Region and Account name the functions' ARNs (default us-east-1 and
	// 000000000000). Account is also the processes' default access key
	// id, so that their calls to Portico land in that account.
	Region, Account string
	// Env is added to every process's environment (after Lambda's own
	// variables, before the function's): AWS_ENDPOINT_URL, CA bundles...
	Env []string
	// IdleTimeout stops a process that has had no invocation for this
	// long (default 5 minutes [I]: Lambda keeps idle environments for an
	// unpublished while, commonly 5 to 15 minutes).
	IdleTimeout time.Duration
	// QueueLimit bounds, per function, the invocations waiting for a
	// process once MaxConcurrency are busy (default 100 [I]); past it an
	// invocation is TooManyRequestsException. Negative: no queue, as on
	// Lambda itself.
	QueueLimit int
	// InitTimeout is the init phase's limit (default 10 s, Lambda's).
	InitTimeout time.Duration
	// StopGrace is how long a stopped process has between SIGTERM and
	// SIGKILL (default 2 s [I]).
	StopGrace time.Duration
	// MaxEvents bounds the Event invocations waiting or running (default
	// 1,000 [I]); past it, Event invocations are TooManyRequestsException.
	MaxEvents int
	Logger    *slog.Logger
	// Logs receives every log line of the functions (the process's
	// output and Lambda's START, END and REPORT lines), with its log
	// group (/aws/lambda/NAME). It is called from many goroutines, in
	// each process's order, and must not call the Manager.
	Logs func(group, line string)
	// Metrics counts the invocations (nil: none).
	Metrics *metrics.Metrics
}

// Manager runs the configured functions.
type Manager struct {
	cfg             Config
	region, account string
	log             *slog.Logger
	functions       map[string]*function
	names           []string
	idleTimeout     time.Duration
	initTimeout     time.Duration
	stopGrace       time.Duration
	queueLimit      int

	events chan struct{} // Event invocations in flight
	procs  sync.WaitGroup
	closed atomic.Bool
	once   sync.Once
}

// New checks the functions and returns a manager; it starts nothing: a
// function's first process starts with its first invocation.
func New(cfg Config) (*Manager, error) {
	m := &Manager{
		cfg:         cfg,
		region:      cfg.Region,
		account:     cfg.Account,
		log:         cfg.Logger,
		functions:   map[string]*function{},
		idleTimeout: cfg.IdleTimeout,
		initTimeout: cfg.InitTimeout,
		stopGrace:   cfg.StopGrace,
		queueLimit:  cfg.QueueLimit,
	}
	if m.region == "" {
		m.region = "us-east-1"
	}
	if m.account == "" {
		m.account = "000000000000"
	}
	if m.log == nil {
		m.log = slog.New(slog.DiscardHandler)
	}
	if m.idleTimeout <= 0 {
		m.idleTimeout = 5 * time.Minute
	}
	if m.initTimeout <= 0 {
		m.initTimeout = 10 * time.Second
	}
	if m.stopGrace <= 0 {
		m.stopGrace = 2 * time.Second
	}
	switch {
	case m.queueLimit == 0:
		m.queueLimit = 100
	case m.queueLimit < 0:
		m.queueLimit = 0
	}
	maxEvents := cfg.MaxEvents
	if maxEvents <= 0 {
		maxEvents = 1000
	}
	m.events = make(chan struct{}, maxEvents)
	for _, f := range cfg.Functions {
		f, err := f.normalize()
		if err != nil {
			return nil, err
		}
		if m.functions[f.Name] != nil {
			return nil, fmt.Errorf("function %s is configured twice", f.Name)
		}
		m.functions[f.Name] = &function{m: m, cfg: f, group: "/aws/lambda/" + f.Name, procs: map[*process]struct{}{}}
		m.names = append(m.names, f.Name)
	}
	sort.Strings(m.names)
	return m, nil
}

// Names lists the configured functions.
func (m *Manager) Names() []string { return append([]string(nil), m.names...) }

// Function returns a configured function, with its defaults filled in.
func (m *Manager) Function(name string) (Function, bool) {
	f := m.functions[name]
	if f == nil {
		return Function{}, false
	}
	return f.cfg, true
}

// Stats reports a function's processes and queue.
func (m *Manager) Stats(name string) (Stats, bool) {
	f := m.functions[name]
	if f == nil {
		return Stats{}, false
	}
	return f.stats(), true
}

// Restart stops a function's idle processes and has its busy ones stop
// after their invocation, so that the next invocations run new code (for
// --watch).
func (m *Manager) Restart(name string) error {
	f := m.functions[name]
	if f == nil {
		return fmt.Errorf("no function %s", name)
	}
	f.restart()
	return nil
}

// Close stops every process (SIGTERM to its group, SIGKILL after the
// grace period) and waits for them; waiting invocations fail. It is safe
// to call more than once.
func (m *Manager) Close() error {
	var err error
	m.once.Do(func() {
		m.closed.Store(true)
		for _, f := range m.functions {
			f.close()
		}
		done := make(chan struct{})
		go func() { m.procs.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(m.stopGrace + 5*time.Second):
			err = errors.New("lambda: some function processes did not exit")
		}
	})
	return err
}

// emit sends one log line of a function to the configured sink and the
// logger.
func (m *Manager) emit(f *function, requestID, line string) {
	if m.cfg.Logs != nil {
		m.cfg.Logs(f.group, line)
	}
	m.log.Debug(line, "function", f.cfg.Name, "requestId", requestID)
}
