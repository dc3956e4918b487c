package lambda

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// invocation is one call of a function, from the caller's submission to
// its outcome.
type invocation struct {
	id            string
	payload       []byte
	arn           string // invoked function ARN (Lambda-Runtime-Invoked-Function-Arn)
	traceID       string
	clientContext string // decoded JSON
	cognito       string // JSON
	submitted     time.Time

	// Guarded by the function's mutex.
	queued   bool
	started  bool // delivered to the runtime by `next`
	startAt  time.Time
	deadline time.Time
	timer    *time.Timer
	initDur  time.Duration // the cold start's, reported once

	// claimed decides, once, who answers: the runtime's response or
	// error, the timeout, the process's exit, an init failure.
	claimed atomic.Bool
	done    chan struct{}
	result  outcome

	tail tailBuffer
}

// outcome is what an invocation ends with.
type outcome struct {
	payload       []byte
	functionError bool  // X-Amz-Function-Error: Unhandled
	err           error // an API error instead of a result
	tail          []byte
}

func newInvocation(payload []byte, arn, traceID, clientContext, cognito string) *invocation {
	if traceID == "" {
		traceID = newTraceID()
	}
	return &invocation{
		id:            newRequestID(),
		payload:       payload,
		arn:           arn,
		traceID:       traceID,
		clientContext: clientContext,
		cognito:       cognito,
		submitted:     time.Now(),
		done:          make(chan struct{}),
	}
}

func (inv *invocation) claim() bool { return inv.claimed.CompareAndSwap(false, true) }

// complete publishes the outcome; only the claimer calls it.
func (inv *invocation) complete(o outcome) {
	inv.result = o
	close(inv.done)
}

// fail ends an invocation that never ran with an API error.
func (inv *invocation) fail(err error) {
	if inv.claim() {
		inv.complete(outcome{err: err})
	}
}

// Function errors that Lambda itself reports, in Lambda's shapes. The
// member order is the one of the captures each cites.

// exitPayload: the runtime exited with the invocation in hand, or during
// init [O: real answers quoted in public issues, {"errorType":
// "Runtime.ExitError","errorMessage":"RequestId: ... Error: Runtime
// exited with error: exit status 101"}]. The status is Go's ProcessState
// text, as Lambda's own Go supervisor prints it.
func exitPayload(id, status string) []byte {
	return typeFirst("Runtime.ExitError", exitMessage(id, status))
}

// exitMessage: status is the exit status ("exit status 1", "signal:
// killed"), empty for a clean exit.
func exitMessage(id, status string) string {
	if status == "" {
		return "RequestId: " + id + " Error: Runtime exited without providing a reason"
	}
	return "RequestId: " + id + " Error: Runtime exited with error: " + status
}

// timeoutPayload: the invocation ran out of time [O: the current answer,
// {"errorMessage":"RequestId: ... Error: Task timed out after 1.00
// seconds","errorType":"Sandbox.Timedout"}, quoted from a real Lambda
// answer in seek-oss/aws-codedeploy-hooks's changelog; older Lambda
// answered {"errorMessage":"<time> <id> Task timed out after 3.07
// seconds"}, which Portico keeps as the log line].
func timeoutPayload(id string, timeout time.Duration) []byte {
	b, _ := json.Marshal(struct {
		ErrorMessage string `json:"errorMessage"`
		ErrorType    string `json:"errorType"`
	}{"RequestId: " + id + " Error: Task timed out after " + seconds(timeout) + " seconds", "Sandbox.Timedout"})
	return b
}

// entrypointPayload: the command could not be started [O: Lambda's
// answer for a missing bootstrap, Runtime.InvalidEntrypoint with the
// fork/exec error].
func entrypointPayload(id string, err error) []byte {
	return typeFirst("Runtime.InvalidEntrypoint", "RequestId: "+id+" Error: "+err.Error())
}

// oversizedPayload: the function answered more than 6 MB [O: Lambda's
// message; the limit is 6 MiB plus 100 bytes as in the runtime interface
// emulator's MaxPayloadSize].
func oversizedPayload() []byte {
	b, _ := json.Marshal(struct {
		ErrorMessage string `json:"errorMessage"`
		ErrorType    string `json:"errorType"`
	}{fmt.Sprintf("Response payload size exceeded maximum allowed payload size (%d bytes).", maxResponse),
		"Function.ResponseSizeTooLarge"})
	return b
}

func typeFirst(typ, msg string) []byte {
	b, _ := json.Marshal(struct {
		ErrorType    string `json:"errorType"`
		ErrorMessage string `json:"errorMessage"`
	}{typ, msg})
	return b
}

// seconds formats a duration as Lambda's timeout messages do: "3.00".
func seconds(d time.Duration) string { return fmt.Sprintf("%.2f", d.Seconds()) }

// newRequestID is a random UUID (version 4), the form of Lambda's request
// ids.
func newRequestID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// newTraceID is an X-Ray trace header, as Lambda passes one to every
// invocation: Root=1-{8 hex of epoch seconds}-{24 hex};Parent=...;Sampled=0.
func newTraceID() string {
	var b [20]byte
	rand.Read(b[:])
	return fmt.Sprintf("Root=1-%08x-%x;Parent=%x;Sampled=0", time.Now().Unix(), b[:12], b[12:])
}

// tailMax is what X-Amz-Log-Type: Tail returns: the last 4 KB of the
// invocation's log [D: Invoke API reference].
const tailMax = 4 << 10

// tailBuffer keeps the last tailMax bytes of an invocation's log lines.
type tailBuffer struct {
	mu  sync.Mutex
	buf []byte
}

func (t *tailBuffer) add(line string) {
	t.mu.Lock()
	t.buf = append(append(t.buf, line...), '\n')
	if len(t.buf) > 2*tailMax {
		t.buf = append(t.buf[:0], t.buf[len(t.buf)-tailMax:]...)
	}
	t.mu.Unlock()
}

func (t *tailBuffer) bytes() []byte {
	t.mu.Lock()
	defer t.mu.Unlock()
	b := t.buf
	if len(b) > tailMax {
		b = b[len(b)-tailMax:]
	}
	return append([]byte(nil), b...)
}
