package lambda

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// The Lambda Runtime API (version 2018-06-01) that each process reaches
// at AWS_LAMBDA_RUNTIME_API [D: "Using the Lambda runtime API for custom
// runtimes"]. Status codes and error bodies are the runtime interface
// emulator's, which is Lambda's own runtime API server (RAPID) open-
// sourced: 202 {"status":"OK"} for an accepted answer, 400
// InvalidRequestID, 403 InvalidStateTransition, 413 RequestEntityTooLarge.

const runtimePrefix = "/2018-06-01/runtime/"

// maxResponse is the most a function may answer: 6 MB, exactly 6 MiB +
// 100 bytes as the runtime interface emulator counts it.
const maxResponse = 6<<20 + 100

// maxErrorBody bounds what /error and /init/error read.
const maxErrorBody = 1 << 20

// ServeHTTP serves the process's Runtime API.
func (p *process) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path, ok := strings.CutPrefix(r.URL.Path, runtimePrefix)
	if !ok {
		runtimeError(w, http.StatusNotFound, "NotFound", "Not found")
		return
	}
	switch {
	case path == "invocation/next":
		if r.Method != http.MethodGet {
			methodNotAllowed(w, http.MethodGet)
			return
		}
		p.next(w, r)
	case path == "init/error":
		if r.Method != http.MethodPost {
			methodNotAllowed(w, http.MethodPost)
			return
		}
		p.initError(w, r)
	case strings.HasPrefix(path, "invocation/"):
		id, kind, ok := strings.Cut(strings.TrimPrefix(path, "invocation/"), "/")
		if !ok || id == "" || (kind != "response" && kind != "error") {
			runtimeError(w, http.StatusNotFound, "NotFound", "Not found")
			return
		}
		if r.Method != http.MethodPost {
			methodNotAllowed(w, http.MethodPost)
			return
		}
		p.answer(w, r, id, kind == "error")
	default:
		runtimeError(w, http.StatusNotFound, "NotFound", "Not found")
	}
}

// next blocks until the process has an invocation, and hands it over.
func (p *process) next(w http.ResponseWriter, r *http.Request) {
	fn := p.fn
	fn.mu.Lock()
	if inv := p.cur; inv != nil && inv.started {
		// A runtime asking again before answering gets the same event
		// again, as from Lambda's runtime API (a retried `next`).
		fn.mu.Unlock()
		render(w, inv)
		return
	}
	if !p.initDone {
		p.initDone = true
		p.initDur = time.Since(p.startAt)
		p.reportInit = true
		if p.initTimer != nil {
			p.initTimer.Stop()
		}
		if p.cur != nil {
			p.state = stateBusy
		}
	}
	fn.mu.Unlock()
	for {
		select {
		case inv := <-p.deliver:
			if !p.begin(inv) {
				continue
			}
			p.out.drain() // what it printed before asking belongs before START
			p.out.begin(inv)
			render(w, inv)
			return
		case <-r.Context().Done():
			return
		case <-p.exited:
			return
		}
	}
}

// begin starts the invocation's clock: its deadline and timeout.
func (p *process) begin(inv *invocation) bool {
	fn := p.fn
	fn.mu.Lock()
	defer fn.mu.Unlock()
	if p.cur != inv || inv.claimed.Load() {
		return false
	}
	now := time.Now()
	inv.started = true
	inv.startAt = now
	inv.deadline = now.Add(fn.cfg.Timeout)
	if p.reportInit {
		inv.initDur = p.initDur
		p.reportInit = false
	}
	p.state = stateBusy
	if inv.timer != nil {
		inv.timer.Stop()
	}
	inv.timer = time.AfterFunc(fn.cfg.Timeout, func() { p.timedOut(inv) })
	return true
}

// render writes an invocation as `next` returns it [D: the response
// headers of "Next invocation"].
func render(w http.ResponseWriter, inv *invocation) {
	h := w.Header()
	h.Set("Lambda-Runtime-Aws-Request-Id", inv.id)
	h.Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(inv.deadline.UnixMilli(), 10))
	h.Set("Lambda-Runtime-Invoked-Function-Arn", inv.arn)
	h.Set("Lambda-Runtime-Trace-Id", inv.traceID)
	if inv.clientContext != "" {
		h.Set("Lambda-Runtime-Client-Context", inv.clientContext)
	}
	if inv.cognito != "" {
		h.Set("Lambda-Runtime-Cognito-Identity", inv.cognito)
	}
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(inv.payload)))
	w.WriteHeader(http.StatusOK)
	w.Write(inv.payload)
}

var errBodyTooLarge = errors.New("body too large")

func readLimited(r io.Reader, limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return b[:limit], errBodyTooLarge
	}
	return b, nil
}

// answer takes the runtime's response or error for invocation id.
func (p *process) answer(w http.ResponseWriter, r *http.Request, id string, isError bool) {
	fn := p.fn
	limit := int64(maxResponse)
	if isError {
		limit = maxErrorBody
	}
	body, err := readLimited(r.Body, limit)
	tooLarge := errors.Is(err, errBodyTooLarge)
	if err != nil && !tooLarge {
		// The runtime's request broke off; the invocation stays open
		// (its timeout or the process's exit settles it).
		runtimeError(w, http.StatusBadRequest, "TruncatedHTTPRequest", "HTTP request detected as truncated")
		return
	}
	to := "InvocationResponse"
	if isError {
		to = "InvocationErrorResponse"
	}
	fn.mu.Lock()
	inv := p.cur
	switch {
	case inv == nil || !inv.started:
		from := "Ready"
		if !p.initDone {
			from = "Started"
		}
		fn.mu.Unlock()
		stateError(w, from, to)
		return
	case inv.id != id || !inv.claim():
		fn.mu.Unlock()
		runtimeError(w, http.StatusBadRequest, "InvalidRequestID", "Invalid request ID")
		return
	}
	p.cur = nil
	inv.timer.Stop()
	fn.mu.Unlock()

	// The runtime hears back first, so that its next `next` is on its way
	// while the caller is answered: in a closed loop that round trip
	// overlaps the caller's, instead of following it.
	if tooLarge && !isError {
		runtimeError(w, http.StatusRequestEntityTooLarge, "RequestEntityTooLarge",
			fmt.Sprintf("Exceeded maximum allowed payload size (%d bytes).", maxResponse))
	} else {
		accepted(w)
	}
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}

	var o outcome
	switch {
	case tooLarge && !isError:
		// Lambda refuses the answer and fails the invocation with a
		// function error of its own.
		p.finish(inv, outcome{payload: oversizedPayload(), functionError: true},
			ending{status: "error", errType: "Function.ResponseSizeTooLarge", memMB: p.maxMemoryMB(), release: true})
		return
	case isError:
		o = outcome{payload: errorPayload(body, r.Header.Get("Lambda-Runtime-Function-Error-Type")), functionError: true}
	case r.Trailer.Get("Lambda-Runtime-Function-Error-Type") != "":
		// aws-lambda-go reports a handler's failure while its answer
		// streams in these trailers (lambda/runtime_api_client.go).
		typ := r.Trailer.Get("Lambda-Runtime-Function-Error-Type")
		b, err := base64.StdEncoding.DecodeString(r.Trailer.Get("Lambda-Runtime-Function-Error-Body"))
		if err != nil {
			b = nil
		}
		o = outcome{payload: errorPayload(b, typ), functionError: true}
	default:
		o = outcome{payload: body}
	}
	p.finish(inv, o, ending{memMB: p.maxMemoryMB(), release: true})
}

// errorPayload is what the caller gets for a reported error: the body as
// the runtime posted it (Lambda passes it on unread), or, when it posted
// nothing, the error type it named [I].
func errorPayload(body []byte, typ string) []byte {
	if len(strings.TrimSpace(string(body))) > 0 {
		return body
	}
	return typeFirst(validErrorType(typ), "")
}

// errorTypePattern: Lambda keeps a runtime's error type only in this
// form, else it says Runtime.Unknown (the runtime interface emulator's
// fatalerror.GetValidRuntimeOrFunctionErrorType).
var errorTypePattern = regexp.MustCompile(`(Runtime|Function)\.[A-Z][a-zA-Z]+`)

func validErrorType(t string) string {
	if errorTypePattern.MatchString(t) {
		return t
	}
	if strings.HasPrefix(t, "Function.") {
		return "Function.Unknown"
	}
	return "Runtime.Unknown"
}

// initError takes the runtime's report that it could not initialize: the
// invocation waiting for this process gets it as its function error,
// and the process is stopped; the next invocation starts a new one.
func (p *process) initError(w http.ResponseWriter, r *http.Request) {
	fn := p.fn
	body, err := readLimited(r.Body, maxErrorBody)
	if err != nil && !errors.Is(err, errBodyTooLarge) {
		runtimeError(w, http.StatusBadRequest, "TruncatedHTTPRequest", "HTTP request detected as truncated")
		return
	}
	fn.mu.Lock()
	if p.initDone || p.initFailed {
		fn.mu.Unlock()
		stateError(w, "Ready", "InitError")
		return
	}
	p.initFailed = true
	inv := p.cur
	p.cur = nil
	fn.mu.Unlock()
	typ := validErrorType(r.Header.Get("Lambda-Runtime-Function-Error-Type"))
	if inv != nil && inv.claim() {
		p.finish(inv, outcome{payload: errorPayload(body, typ), functionError: true},
			ending{status: "error", errType: typ, memMB: p.maxMemoryMB()})
	}
	accepted(w)
	p.stop()
}

// acceptedBody is Lambda's answer to an accepted response or error.
const acceptedBody = `{"status":"OK"}` + "\n"

func accepted(w http.ResponseWriter) {
	// A length, so that the answer is whole once flushed (answer
	// flushes it before its own work is done).
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(acceptedBody)))
	w.WriteHeader(http.StatusAccepted)
	io.WriteString(w, acceptedBody)
}

func stateError(w http.ResponseWriter, from, to string) {
	runtimeError(w, http.StatusForbidden, "InvalidStateTransition",
		fmt.Sprintf("State transition from %s to %s failed for runtime. Error: State transition is not allowed", from, to))
}

func runtimeError(w http.ResponseWriter, status int, typ, msg string) {
	b, _ := json.Marshal(struct {
		ErrorMessage string `json:"errorMessage"`
		ErrorType    string `json:"errorType"`
	}{msg, typ})
	b = append(b, '\n')
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	w.Write(b)
}

func methodNotAllowed(w http.ResponseWriter, allow string) {
	w.Header().Set("Allow", allow)
	runtimeError(w, http.StatusMethodNotAllowed, "MethodNotAllowed", "Method not allowed")
}
