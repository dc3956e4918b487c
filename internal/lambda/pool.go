package lambda

import (
	"context"
	"sync"
	"time"

	"github.com/portico-dev/portico/internal/metrics"
)

// function is a configured function and its processes. The execution
// model is Lambda's: a process serves one invocation at a time; an
// invocation takes an idle warm process (the one used last, so that the
// others age out), else starts a new one while fewer than MaxConcurrency
// exist (a cold start: that invocation waits for that process's init,
// as on Lambda), else waits in a bounded queue for the first process to
// come free; past the bound it is TooManyRequestsException.
//
// One mutex guards the pool and every process's state; the order is
// fn.mu, then a process output's mutex.
type function struct {
	m     *Manager
	cfg   Function
	group string // /aws/lambda/NAME

	mu      sync.Mutex
	procs   map[*process]struct{} // alive: starting, idle, busy or stopping
	idle    []*process            // LIFO
	queue   []*invocation
	gen     int // Restart's generation
	closed  bool
	peak    int
	started int
}

// submit places an invocation: on an idle process, a new process (which
// the caller starts, outside the lock), or the queue. Event invocations
// pass bounded=false: they wait for capacity however long the queue.
func (fn *function) submit(inv *invocation, bounded bool) (*process, error) {
	fn.mu.Lock()
	defer fn.mu.Unlock()
	return fn.submitLocked(inv, bounded)
}

func (fn *function) submitLocked(inv *invocation, bounded bool) (*process, error) {
	if fn.closed {
		return nil, errShuttingDown
	}
	if n := len(fn.idle); n > 0 {
		p := fn.idle[n-1]
		fn.idle = fn.idle[:n-1]
		fn.assignLocked(p, inv)
		return nil, nil
	}
	if len(fn.procs) < fn.cfg.MaxConcurrency {
		return fn.newProcessLocked(inv), nil
	}
	if bounded && len(fn.queue) >= fn.m.queueLimit {
		return nil, throttled()
	}
	inv.queued = true
	fn.queue = append(fn.queue, inv)
	return nil, nil
}

// run submits a synchronous invocation and waits for its outcome. A
// caller that goes away leaves the queue if it is still there; an
// invocation already given to a process runs on (a Lambda function does
// not stop when its caller hangs up).
func (fn *function) run(ctx context.Context, inv *invocation, bounded bool) (outcome, error) {
	start := time.Now()
	o, err := fn.runInvocation(ctx, inv, bounded)
	fn.m.cfg.Metrics.Lambda(fn.cfg.Name, metrics.ViaPortico, time.Since(start), err != nil || o.functionError)
	return o, err
}

func (fn *function) runInvocation(ctx context.Context, inv *invocation, bounded bool) (outcome, error) {
	p, err := fn.submit(inv, bounded)
	if err != nil {
		return outcome{}, err
	}
	if p != nil {
		p.start()
	}
	select {
	case <-inv.done:
		return inv.result, inv.result.err
	case <-ctx.Done():
		fn.mu.Lock()
		if inv.queued {
			fn.removeQueuedLocked(inv)
		}
		fn.mu.Unlock()
		return outcome{}, ctx.Err()
	}
}

func (fn *function) removeQueuedLocked(inv *invocation) {
	for i, q := range fn.queue {
		if q == inv {
			fn.queue = append(fn.queue[:i], fn.queue[i+1:]...)
			break
		}
	}
	inv.queued = false
}

// resubmit places again an invocation whose process died before taking
// it.
func (fn *function) resubmit(inv *invocation) {
	p, err := fn.submit(inv, false)
	if err != nil {
		inv.fail(err)
		return
	}
	if p != nil {
		p.start()
	}
}

// newProcessLocked makes a process for inv; the caller starts it.
func (fn *function) newProcessLocked(inv *invocation) *process {
	p := &process{
		fn:        fn,
		gen:       fn.gen,
		logStream: logStreamName(time.Now()),
		startAt:   time.Now(),
		deliver:   make(chan *invocation, 1),
		exited:    make(chan struct{}),
		state:     stateStarting,
	}
	p.out = newOutput(fn)
	fn.procs[p] = struct{}{}
	fn.started++
	if len(fn.procs) > fn.peak {
		fn.peak = len(fn.procs)
	}
	fn.m.procs.Add(1)
	fn.assignLocked(p, inv)
	return p
}

// assignLocked gives inv to p; p's runtime takes it with its next `next`.
func (fn *function) assignLocked(p *process, inv *invocation) {
	inv.queued = false
	p.cur = inv
	if p.initDone {
		p.state = stateBusy
		// Its runtime should be waiting in `next`; one that never asks
		// again must not hold the invocation longer than the function's
		// timeout (begin restarts the clock when it is taken).
		inv.timer = time.AfterFunc(fn.cfg.Timeout, func() { p.timedOut(inv) })
	}
	p.out.setInv(inv)
	select { // a stale one, never taken by a process that is gone
	case <-p.deliver:
	default:
	}
	p.deliver <- inv
}

// release is called when p has answered its invocation: p takes the
// first queued invocation, or waits idle (and is stopped after the idle
// timeout), or stops if it was told to.
func (fn *function) release(p *process) {
	fn.mu.Lock()
	if p.dead {
		fn.mu.Unlock()
		return
	}
	if p.stopping || p.gen != fn.gen || fn.closed {
		fn.mu.Unlock()
		p.stop()
		return
	}
	if len(fn.queue) > 0 {
		inv := fn.queue[0]
		fn.queue = fn.queue[1:]
		fn.assignLocked(p, inv)
		fn.mu.Unlock()
		return
	}
	p.state = stateIdle
	p.idleAt = time.Now()
	fn.idle = append(fn.idle, p)
	if p.idleTimer == nil {
		p.idleTimer = time.AfterFunc(fn.m.idleTimeout, p.idleCheck)
	} else {
		p.idleTimer.Reset(fn.m.idleTimeout)
	}
	fn.mu.Unlock()
}

// idleCheck stops a process idle for the idle timeout.
func (p *process) idleCheck() {
	fn := p.fn
	fn.mu.Lock()
	if p.dead || p.state != stateIdle {
		fn.mu.Unlock()
		return
	}
	if rest := fn.m.idleTimeout - time.Since(p.idleAt); rest > 0 {
		p.idleTimer.Reset(rest)
		fn.mu.Unlock()
		return
	}
	fn.removeIdleLocked(p)
	fn.mu.Unlock()
	p.stop()
}

func (fn *function) removeIdleLocked(p *process) {
	for i, q := range fn.idle {
		if q == p {
			fn.idle = append(fn.idle[:i], fn.idle[i+1:]...)
			return
		}
	}
}

// goneLocked forgets a dead process and makes processes for the queued
// invocations it leaves room for; the caller starts them.
func (fn *function) goneLocked(p *process) []*process {
	p.dead = true
	p.state = stateStopping
	delete(fn.procs, p)
	fn.removeIdleLocked(p)
	for _, t := range []*time.Timer{p.idleTimer, p.initTimer} {
		if t != nil {
			t.Stop()
		}
	}
	var starts []*process
	for len(fn.queue) > 0 && len(fn.procs) < fn.cfg.MaxConcurrency && !fn.closed {
		inv := fn.queue[0]
		fn.queue = fn.queue[1:]
		starts = append(starts, fn.newProcessLocked(inv))
	}
	return starts
}

func (fn *function) startAll(ps []*process) {
	for _, p := range ps {
		p.start()
	}
}

// restart stops the idle processes and retires the others after their
// invocation: the next invocations get processes started now.
func (fn *function) restart() {
	fn.mu.Lock()
	fn.gen++ // the others retire when they release (release checks gen)
	idle := fn.idle
	fn.idle = nil
	fn.mu.Unlock()
	for _, p := range idle {
		p.stop()
	}
}

// close fails the queued invocations and stops every process.
func (fn *function) close() {
	fn.mu.Lock()
	fn.closed = true
	queue := fn.queue
	fn.queue = nil
	for _, inv := range queue {
		inv.queued = false
	}
	procs := make([]*process, 0, len(fn.procs))
	for p := range fn.procs {
		procs = append(procs, p)
	}
	fn.idle = nil
	fn.mu.Unlock()
	for _, inv := range queue {
		inv.fail(errShuttingDown)
	}
	for _, p := range procs {
		p.stop()
	}
}

// Stats is a function's processes and queue at one moment.
type Stats struct {
	Processes int   // alive: starting, idle, busy or stopping
	Starting  int   // not yet ready
	Idle      int   // warm, waiting for work
	Busy      int   // holding an invocation
	Queued    int   // invocations waiting for a process
	Peak      int   // the most processes alive at once
	Started   int   // processes started so far
	PIDs      []int // of the processes alive
}

func (fn *function) stats() Stats {
	fn.mu.Lock()
	defer fn.mu.Unlock()
	s := Stats{Processes: len(fn.procs), Queued: len(fn.queue), Peak: fn.peak, Started: fn.started}
	for p := range fn.procs {
		switch p.state {
		case stateStarting:
			s.Starting++
		case stateIdle:
			s.Idle++
		case stateBusy:
			s.Busy++
		}
		if p.pid != 0 {
			s.PIDs = append(s.PIDs, p.pid)
		}
	}
	return s
}
