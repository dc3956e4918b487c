package lambda

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// maxLine bounds one log line (CloudWatch's event limit is 256 KB): a
// longer run without a newline is cut into lines of this size.
const maxLine = 256 << 10

// drainLimit bounds the wait for output a process wrote before it
// answered (see drain).
const drainLimit = 50 * time.Millisecond

// output is one process's stdout and stderr (one pipe, so that their
// lines keep their order) turned into log lines: each goes to the
// function's log group and the logger, with the request id of the
// invocation it belongs to, and to that invocation's tail.
type output struct {
	fn   *function
	file *os.File // read end; nil until the process starts
	eof  chan struct{}

	mu      sync.Mutex
	inv     *invocation // whose tail gets the lines; nil between invocations
	id      string      // the request id on the lines: inv's once it started
	partial []byte

	// For drain: waiting is true while the reader is blocked in Read
	// with everything it read before handled; reads counts the reads.
	waiting atomic.Bool
	reads   atomic.Uint64
}

func newOutput(fn *function) *output {
	return &output{fn: fn, eof: make(chan struct{})}
}

// run reads the pipe until every writer (the process and anything it
// started) is gone.
func (o *output) run(f *os.File) {
	defer close(o.eof)
	buf := make([]byte, 32<<10)
	for {
		o.waiting.Store(true)
		n, err := f.Read(buf)
		o.waiting.Store(false)
		if n > 0 {
			o.write(buf[:n])
		}
		o.reads.Add(1)
		if err != nil {
			o.mu.Lock()
			o.flushLocked()
			o.mu.Unlock()
			return
		}
	}
}

func (o *output) write(b []byte) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			o.partial = append(o.partial, b...)
			for len(o.partial) >= maxLine {
				o.lineLocked(string(o.partial[:maxLine]))
				o.partial = append(o.partial[:0], o.partial[maxLine:]...)
			}
			return
		}
		line := b[:i]
		if len(o.partial) > 0 {
			line = append(o.partial, line...)
			o.partial = o.partial[:0]
		}
		o.lineLocked(string(bytes.TrimSuffix(line, []byte{'\r'})))
		b = b[i+1:]
	}
}

// flushLocked ends a line the process left without its newline.
func (o *output) flushLocked() {
	if len(o.partial) > 0 {
		o.lineLocked(string(o.partial))
		o.partial = o.partial[:0]
	}
}

// lineLocked emits one of the process's own lines. Lines written while
// no invocation runs (during init, between invocations) carry no request
// id, as on Lambda; a cold start's init lines still go to the tail of
// the invocation that waits for it.
func (o *output) lineLocked(line string) {
	if o.inv != nil {
		o.inv.tail.add(line)
	}
	o.fn.m.emit(o.fn, o.id, line)
}

// setInv attributes the lines from now on. Called with the function's
// mutex held.
func (o *output) setInv(inv *invocation) {
	o.mu.Lock()
	o.flushLocked()
	o.inv, o.id = inv, ""
	o.mu.Unlock()
}

// begin logs an invocation's START line; the lines that follow carry its
// request id.
func (o *output) begin(inv *invocation) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.flushLocked()
	o.inv, o.id = inv, inv.id
	inv.tail.add(startLine(inv))
	o.fn.m.emit(o.fn, inv.id, startLine(inv))
}

// system emits Lambda's own lines about an invocation (START, END,
// REPORT, ...) in order with the process's lines.
func (o *output) system(inv *invocation, lines ...string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.inv == inv {
		o.flushLocked()
	}
	for _, l := range lines {
		inv.tail.add(l)
		o.fn.m.emit(o.fn, inv.id, l)
	}
}

// detach stops attributing lines to inv.
func (o *output) detach(inv *invocation) {
	o.mu.Lock()
	if o.inv == inv {
		o.flushLocked()
		o.inv, o.id = nil, ""
	}
	o.mu.Unlock()
}

// drain waits until the lines the process wrote before now are handled,
// so that an invocation's END line and tail follow what its handler
// printed. A runtime prints before it posts its answer, so by the time
// the answer is read the bytes are in the pipe: drain waits for the pipe
// to be empty with the reader back in Read. (A read that has just
// returned but not yet been marked can slip through; the reads counter
// and a second look narrow that to a few instructions.) Without a way
// to see the pipe's fill (Windows) it does not wait.
func (o *output) drain() {
	if o.file == nil {
		return
	}
	deadline := time.Now().Add(drainLimit)
	for i := 0; ; i++ {
		select {
		case <-o.eof:
			return
		default:
		}
		seen := o.reads.Load()
		n, ok := pendingBytes(o.file)
		if !ok {
			return
		}
		if n == 0 && o.waiting.Load() {
			runtime.Gosched()
			if o.waiting.Load() && o.reads.Load() == seen {
				return
			}
		}
		if time.Now().After(deadline) {
			return
		}
		if i < 10 {
			runtime.Gosched()
		} else {
			time.Sleep(100 * time.Microsecond)
		}
	}
}

// The lines Lambda writes around each invocation, in its formats [O:
// CloudWatch captures: "START RequestId: <id> Version: $LATEST", "END
// RequestId: <id>", "REPORT RequestId: <id>\tDuration: 3071.27 ms\t
// Billed Duration: 3000 ms\tMemory Size: 128 MB\tMax Memory Used: 21
// MB\t", with "Init Duration: 11.10 ms\t" on a cold start].

func startLine(inv *invocation) string {
	return "START RequestId: " + inv.id + " Version: " + latest
}

func endLine(inv *invocation) string { return "END RequestId: " + inv.id }

// reportLine: status is "" for an invocation that ran to its answer,
// else "timeout" or "error" with the error type (Lambda's newer REPORT
// lines add "Status: timeout" / "Status: error\tError Type: ..." for the
// failures it detects itself [O]).
func reportLine(id string, d, initDur time.Duration, memoryMB, maxUsedMB int, status, errType string) string {
	ms := float64(d) / float64(time.Millisecond)
	billed := int(math.Ceil(ms))
	if billed < 1 {
		billed = 1
	}
	s := fmt.Sprintf("REPORT RequestId: %s\tDuration: %.2f ms\tBilled Duration: %d ms\tMemory Size: %d MB\tMax Memory Used: %d MB\t",
		id, ms, billed, memoryMB, maxUsedMB)
	if initDur > 0 {
		s += fmt.Sprintf("Init Duration: %.2f ms\t", float64(initDur)/float64(time.Millisecond))
	}
	if status != "" {
		s += "Status: " + status + "\t"
		if errType != "" {
			s += "Error Type: " + errType + "\t"
		}
	}
	return s
}

// initReportLine reports a failed init phase, as Lambda's INIT_REPORT.
func initReportLine(d time.Duration, status, errType string) string {
	s := fmt.Sprintf("INIT_REPORT Init Duration: %.2f ms\tPhase: init\tStatus: %s\t", float64(d)/float64(time.Millisecond), status)
	if errType != "" {
		s += "Error Type: " + errType + "\t"
	}
	return s
}

// timeoutLine is the line Lambda logs when it stops a task [O:
// "2020-11-10T05:46:57.874Z 160788cd-... Task timed out after 3.07
// seconds"].
func timeoutLine(inv *invocation, elapsed time.Duration) string {
	return time.Now().UTC().Format("2006-01-02T15:04:05.000Z") + " " + inv.id + " Task timed out after " + seconds(elapsed) + " seconds"
}
