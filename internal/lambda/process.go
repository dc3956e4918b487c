package lambda

import (
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"sync/atomic"
	"time"
)

// procState is where a process is in its life.
type procState int

const (
	stateStarting procState = iota // started, has not called `next` yet
	stateIdle                      // blocked in `next`, waiting for work
	stateBusy                      // holds an invocation
	stateStopping                  // told to stop, not yet reaped
)

func (s procState) String() string {
	return [...]string{"starting", "idle", "busy", "stopping"}[s]
}

// process is one running instance of a function: Lambda's execution
// environment. It serves one invocation at a time.
//
// Each process gets its own Runtime API, an HTTP server on its own
// loopback port (AWS_LAMBDA_RUNTIME_API=127.0.0.1:{port}): whoever calls
// `next` on that port is that process, so the manager always knows which
// process asks for work and which invocation it holds, without trusting
// anything the process says. (Any local program could call that port
// too; it is as open as the emulators' Runtime API, and only reaches a
// function's own invocations.)
type process struct {
	fn        *function
	gen       int // the function's restart generation it was started in
	out       *output
	logStream string
	startAt   time.Time

	// deliver holds the invocation `next` hands the runtime; at most one
	// is ever assigned at a time.
	deliver chan *invocation
	exited  chan struct{} // closed once the process is reaped

	// Written before the process is shared (start) or after it is gone.
	cmd        *exec.Cmd
	pid        int
	srv        *http.Server
	exitPeakKB atomic.Int64 // peak RSS from the exit status, where the OS gives it

	// Guarded by fn.mu.
	state      procState
	cur        *invocation
	initDone   bool // it called `next` once
	initFailed bool // it posted /init/error
	initDur    time.Duration
	reportInit bool // the next invocation's REPORT carries the init duration
	stopping   bool
	signalled  bool // stop was asked before the command had started
	dead       bool
	idleAt     time.Time
	idleTimer  *time.Timer
	initTimer  *time.Timer
}

// start starts the command with its Runtime API; a failure to start is
// the waiting invocation's Runtime.InvalidEntrypoint, as on Lambda.
func (p *process) start() {
	fn := p.fn
	pr, pw, err := os.Pipe()
	if err != nil {
		p.startFailed(err)
		return
	}
	// Set before the Runtime API serves anything (the server's
	// goroutines read it).
	p.out.file = pr
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		pr.Close()
		pw.Close()
		p.startFailed(err)
		return
	}
	p.srv = &http.Server{Handler: p, ErrorLog: log.New(io.Discard, "", 0)}
	go p.srv.Serve(ln)

	argv := fn.cfg.Command
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = fn.cfg.Dir
	cmd.Env = fn.environ(ln.Addr().String(), p.logStream)
	cmd.Stdout, cmd.Stderr = pw, pw
	setProcAttr(cmd)
	err = startCommand(cmd)
	pw.Close()
	if err != nil {
		pr.Close()
		p.srv.Close()
		p.startFailed(err)
		return
	}
	go p.out.run(pr)

	fn.mu.Lock()
	p.cmd, p.pid = cmd, cmd.Process.Pid
	// Lambda's init phase has 10 s; when it runs over, Lambda runs init
	// again inside the invocation, bounded by the function's timeout. So
	// a process that never becomes ready is given both, and the waiting
	// invocation ends as a timeout of the function's own length.
	p.initTimer = time.AfterFunc(fn.m.initTimeout+fn.cfg.Timeout, p.initTimedOut)
	stop := p.signalled
	fn.mu.Unlock()
	go p.wait()
	fn.m.log.Debug("function process started", "function", fn.cfg.Name, "pid", p.pid)
	if stop {
		p.stop()
	}
}

func (p *process) startFailed(err error) {
	fn := p.fn
	fn.m.log.Warn("function process did not start", "function", fn.cfg.Name, "err", err)
	fn.mu.Lock()
	inv := p.cur
	p.cur = nil
	starts := fn.goneLocked(p)
	fn.mu.Unlock()
	close(p.exited)
	if inv != nil && inv.claim() {
		p.finish(inv, outcome{payload: entrypointPayload(inv.id, err), functionError: true},
			ending{status: "error", errType: "Runtime.InvalidEntrypoint"})
	}
	fn.startAll(starts)
	fn.m.procs.Done()
}

// wait reaps the process and settles what it held.
func (p *process) wait() {
	fn := p.fn
	p.cmd.Wait()
	ps := p.cmd.ProcessState
	// Whatever the process left running in its group (a script's
	// background jobs) goes with it, as a Lambda sandbox does.
	killGroup(p.pid)
	p.exitPeakKB.Store(maxRSSKB(ps))
	close(p.exited)
	p.srv.Close()
	select {
	case <-p.out.eof:
	case <-time.After(250 * time.Millisecond):
		// A child that left the group still holds the pipe.
	}
	p.out.file.Close()

	fn.mu.Lock()
	inv := p.cur
	p.cur = nil
	if inv != nil && inv.timer != nil {
		inv.timer.Stop()
	}
	initDone, expected := p.initDone, p.stopping
	starts := fn.goneLocked(p)
	fn.mu.Unlock()

	status := ps.String()
	if ps.Success() {
		status = ""
	}
	if !expected {
		fn.m.log.Warn("function process exited", "function", fn.cfg.Name, "pid", p.pid, "status", ps.String())
	} else {
		fn.m.log.Debug("function process stopped", "function", fn.cfg.Name, "pid", p.pid)
	}
	if inv != nil {
		switch {
		case inv.started || !initDone:
			// It died with the invocation in hand, or while starting
			// for it: Lambda's Runtime.ExitError.
			if inv.claim() {
				p.finish(inv, outcome{payload: exitPayload(inv.id, status), functionError: true}, ending{
					status: "error", errType: "Runtime.ExitError", memMB: p.maxMemoryMB(),
					extra: []string{exitMessage(inv.id, status), "Runtime.ExitError"},
				})
			}
		default:
			// Assigned to a warm process that died before taking it: the
			// invocation never ran, another process takes it.
			fn.resubmit(inv)
		}
	}
	fn.startAll(starts)
	fn.m.procs.Done()
}

// stop asks the process group to end (SIGTERM), and kills it after the
// grace period (SIGKILL). Windows has no SIGTERM: it kills at once.
func (p *process) stop() {
	fn := p.fn
	fn.mu.Lock()
	p.stopping = true
	if p.state != stateStopping {
		p.state = stateStopping
	}
	started, pid := p.cmd != nil, p.pid
	if !started {
		p.signalled = true
	}
	fn.mu.Unlock()
	if !started {
		return
	}
	if !terminateGroup(pid) {
		killGroup(pid)
		return
	}
	go func() {
		t := time.NewTimer(fn.m.stopGrace)
		defer t.Stop()
		select {
		case <-p.exited:
		case <-t.C:
			killGroup(pid)
		}
	}()
}

// kill ends the process group at once (a timeout: Lambda stops the
// sandbox, it does not ask).
func (p *process) kill() {
	p.fn.mu.Lock()
	pid := p.pid
	p.fn.mu.Unlock()
	if pid != 0 {
		killGroup(pid)
	}
}

// ending says how an invocation ended, for its log lines.
type ending struct {
	status, errType string   // REPORT's Status and Error Type; "" for an answer
	memMB           int      // Max Memory Used
	extra           []string // lines after REPORT
	// release: the process is free again. It is released before the
	// caller learns the outcome, so that a caller invoking again at once
	// finds it idle rather than starting a second process.
	release bool
}

// finish ends an invocation the caller has claimed: END, REPORT and any
// extra lines after what the process printed, then the outcome.
func (p *process) finish(inv *invocation, o outcome, e ending) {
	p.out.drain()
	fn := p.fn
	fn.mu.Lock()
	started, startAt, initDur, reported, initDone := inv.started, inv.startAt, p.initDur, inv.initDur, p.initDone
	fn.mu.Unlock()
	var lines []string
	d := time.Duration(0)
	switch {
	case started:
		d = time.Since(startAt)
	case !initDone:
		// It never reached the handler: an init failure. Lambda still
		// logs the invocation's START after the INIT_REPORT.
		if initDur == 0 {
			initDur = time.Since(p.startAt)
		}
		initStatus := e.status
		if initStatus == "" {
			initStatus = "error"
		}
		lines = append(lines, initReportLine(initDur, initStatus, e.errType), startLine(inv))
	default:
		// A warm runtime that never took it.
		lines = append(lines, startLine(inv))
		d = time.Since(inv.submitted)
	}
	lines = append(lines, endLine(inv), reportLine(inv.id, d, reported, fn.cfg.MemoryMB, e.memMB, e.status, e.errType))
	lines = append(lines, e.extra...)
	p.out.system(inv, lines...)
	p.out.detach(inv)
	o.tail = inv.tail.bytes()
	if e.release {
		fn.release(p)
	}
	inv.complete(o)
}

// maxMemoryMB is the peak resident memory of the process so far (Max
// Memory Used), in MB, rounded up; 0 where the OS does not tell.
func (p *process) maxMemoryMB() int {
	p.fn.mu.Lock()
	pid := p.pid
	p.fn.mu.Unlock()
	kb := peakRSSKB(pid)
	if kb <= 0 {
		kb = p.exitPeakKB.Load()
	}
	return int((kb + 1023) / 1024)
}

// initTimedOut: the process never called `next`.
func (p *process) initTimedOut() {
	fn := p.fn
	fn.mu.Lock()
	if p.initDone || p.dead {
		fn.mu.Unlock()
		return
	}
	inv := p.cur
	p.cur = nil
	p.stopping, p.state = true, stateStopping
	fn.mu.Unlock()
	mem := p.maxMemoryMB()
	p.kill()
	if inv != nil && inv.claim() {
		p.finish(inv, outcome{payload: timeoutPayload(inv.id, fn.cfg.Timeout), functionError: true},
			ending{status: "timeout", memMB: mem, extra: []string{timeoutLine(inv, fn.cfg.Timeout)}})
	}
}

// timedOut: the invocation ran past its deadline. The process is killed
// (its group) and the next invocation gets a fresh one.
func (p *process) timedOut(inv *invocation) {
	fn := p.fn
	fn.mu.Lock()
	if p.cur != inv || !inv.claim() {
		fn.mu.Unlock()
		return
	}
	p.cur = nil
	p.stopping, p.state = true, stateStopping
	elapsed := time.Since(inv.startAt)
	if !inv.started {
		elapsed = time.Since(inv.submitted)
	}
	fn.mu.Unlock()
	mem := p.maxMemoryMB()
	p.kill()
	p.finish(inv, outcome{payload: timeoutPayload(inv.id, fn.cfg.Timeout), functionError: true},
		ending{status: "timeout", memMB: mem, extra: []string{timeoutLine(inv, elapsed)}})
}
