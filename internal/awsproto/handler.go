package awsproto

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/portico-dev/portico/internal/metrics"
)

// DefaultMaxBody bounds control-plane request bodies. The largest legitimate
// body is an OpenAPI document for ImportApi; AWS caps those well below this.
const DefaultMaxBody = 8 << 20

// Bodies over largeBody are admitted against a budget of bodyBudget bytes
// in flight (see budget); those of the operations in Handler.Heavy weigh
// heavyFactor times their size, since what they build from a body (an
// OpenAPI document's model) is many times larger than it.
const (
	largeBody   = 1 << 20
	bodyBudget  = 32 << 20
	heavyFactor = 4
)

// callTimeout bounds one operation once its request is read. The client's
// going away does not cancel it: a half-closed connection still reads the
// answer, and a write that has started is finished, never abandoned
// half-way through as a 500.
const callTimeout = 30 * time.Second

// Handler serves a rest-json operation table: it finds the operation from
// the method and URI template, binds and validates the input, runs it, and
// writes the output or the typed error. Every response carries
// x-amzn-RequestId; every error carries x-amzn-ErrorType and a message.
type Handler struct {
	byMethod map[string][]route
	defaults Identity
	log      *slog.Logger
	// MaxBody bounds request bodies (DefaultMaxBody when zero).
	MaxBody int64
	// Heavy names the operations whose bodies cost many times their size
	// to process (ImportApi, ReimportApi).
	Heavy map[string]bool
	// Metrics counts the calls by operation and status (nil: none).
	Metrics *metrics.Metrics

	budget *budget
}

type route struct {
	op       *Operation
	segments []string // literal segments, or "{name}" labels
	literals int
}

// NewHandler builds the router for ops. Requests without a SigV4 scope act
// as defaults.
func NewHandler(ops []Operation, defaults Identity, log *slog.Logger) *Handler {
	h := &Handler{byMethod: map[string][]route{}, defaults: defaults, log: log, budget: newBudget(bodyBudget)}
	for i := range ops {
		op := &ops[i]
		segs := strings.Split(strings.TrimPrefix(op.Path, "/"), "/")
		rt := route{op: op, segments: segs}
		for _, s := range segs {
			if !isLabel(s) {
				rt.literals++
			}
		}
		h.byMethod[op.Method] = append(h.byMethod[op.Method], rt)
	}
	return h
}

func isLabel(seg string) bool { return strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") }

// match finds the operation for a path. Labels are matched on the escaped
// path and decoded one segment at a time, so an encoded "/" (%2F) in an ARN
// or a route key stays inside its label. Literal segments beat labels.
func (h *Handler) match(method, escapedPath string) (*Operation, map[string]string, error) {
	raw := strings.Split(strings.TrimPrefix(escapedPath, "/"), "/")
	var best *route
	var bestLabels map[string]string
	rts := h.byMethod[method]
	for i := range rts {
		rt := &rts[i]
		if best != nil && rt.literals <= best.literals {
			continue
		}
		if labels, ok := rt.bind(raw); ok {
			best, bestLabels = rt, labels
		}
	}
	if best != nil {
		return best.op, bestLabels, nil
	}
	if method == http.MethodGet && len(escapedPath) > 1 && strings.HasSuffix(escapedPath, "/") {
		// GetApi(ApiId: "") sends GET /v2/apis/, which AWS answers as the
		// collection, GetApis (getmoto/moto #7974:
		// docs/aws-behaviours.md#apis).
		// Only a collection's own GET is found this way: an empty label
		// never names a resource to change or delete.
		if op, labels, err := h.match(method, strings.TrimSuffix(escapedPath, "/")); err == nil && !strings.HasSuffix(op.Path, "}") {
			return op, labels, nil
		}
	}
	for m, rts := range h.byMethod {
		for i := range rts {
			if _, ok := rts[i].bind(raw); ok && m != method {
				return nil, nil, &Error{Type: "MethodNotAllowedException", Code: http.StatusMethodNotAllowed,
					Message: fmt.Sprintf("The %s method is not allowed on %s", method, escapedPath)}
			}
		}
	}
	return nil, nil, NotFound("No ApiGatewayV2 operation matches %s %s", method, escapedPath)
}

func (rt *route) bind(raw []string) (map[string]string, bool) {
	if len(raw) != len(rt.segments) {
		return nil, false
	}
	var labels map[string]string
	for i, seg := range rt.segments {
		if !isLabel(seg) {
			if raw[i] != seg {
				return nil, false
			}
			continue
		}
		v, err := url.PathUnescape(raw[i])
		if err != nil || v == "" {
			return nil, false
		}
		if labels == nil {
			labels = make(map[string]string, 4)
		}
		labels[seg[1:len(seg)-1]] = v
	}
	return labels, true
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	reqID := newRequestID()
	// Set directly, not through Set: AWS spells these headers this way.
	w.Header()["x-amzn-RequestId"] = []string{reqID}
	status, opName := h.serve(w, r)
	h.Metrics.ControlPlane(opName, status, time.Since(start))
	if h.log != nil && h.log.Enabled(r.Context(), slog.LevelDebug) {
		h.log.Debug("control plane", "op", opName, "method", r.Method, "path", r.URL.EscapedPath(),
			"status", status, "duration", time.Since(start), "requestId", reqID)
	}
}

func (h *Handler) serve(w http.ResponseWriter, r *http.Request) (int, string) {
	op, labels, err := h.match(r.Method, r.URL.EscapedPath())
	if err != nil {
		return writeError(w, err), ""
	}
	limit := h.MaxBody
	if limit <= 0 {
		limit = DefaultMaxBody
	}
	if r.ContentLength > limit {
		return writeError(w, TooLarge(limit)), op.Name
	}
	if weight := r.ContentLength; weight > largeBody || weight < 0 {
		// A body of unknown length (chunked) weighs as much as it may.
		if weight < 0 {
			weight = limit
		}
		if h.Heavy[op.Name] {
			weight *= heavyFactor
		}
		// As the call, the wait does not end when the client half-closes
		// its connection (it is still reading); it is bounded in time.
		wait, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), callTimeout)
		release, err := h.budget.acquire(wait, weight)
		cancel()
		if err != nil {
			return writeError(w, &Error{Type: "TooManyRequestsException", Code: http.StatusTooManyRequests,
				Message: "Too many large requests in flight; try again"}), op.Name
		}
		defer release()
	}
	body, err := readBody(w, r, limit)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return writeError(w, TooLarge(limit)), op.Name
		}
		// Also what a client that left half-way through its body gets
		// (it will not read it): a 4xx, never a 5xx.
		return writeError(w, BadRequest("Could not read the request body: %v", err)), op.Name
	}
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return writeError(w, BadRequest("Invalid query string: %v", err)), op.Name
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), callTimeout)
	defer cancel()
	ctx = WithIdentity(ctx, IdentityOf(r, h.defaults))
	out, err := op.Call(ctx, &Request{HTTP: r, labels: labels, query: q, body: body})
	if err != nil {
		return writeError(w, err), op.Name
	}
	return writeOutput(w, op.Status, out), op.Name
}

// readBody reads the whole body into one buffer of its declared size
// (io.ReadAll's doubling would hold up to twice the body, and copy it
// several times on the way).
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	body := http.MaxBytesReader(w, r.Body, limit)
	if n := r.ContentLength; n >= 0 {
		buf := make([]byte, n)
		if _, err := io.ReadFull(body, buf); err != nil {
			return nil, err
		}
		return buf, nil
	}
	return io.ReadAll(body)
}

func writeOutput(w http.ResponseWriter, status int, out any) int {
	if out == nil || status == http.StatusNoContent {
		w.WriteHeader(status)
		return status
	}
	if p, ok := out.(interface{ RawPayload() []byte }); ok {
		w.Header().Set("Content-Type", "application/octet-stream")
		w.WriteHeader(status)
		w.Write(p.RawPayload())
		return status
	}
	b, err := json.Marshal(out)
	if err != nil {
		return writeError(w, Internal(err))
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(b)
	return status
}

type errorBody struct {
	Message      string `json:"message"`
	ResourceType string `json:"resourceType,omitempty"`
}

// WriteError is the one place errors are encoded.
func WriteError(w http.ResponseWriter, err error) { writeError(w, err) }

// maxMessage bounds an error message: the messages that echo input cut
// what they echo (Echo), and this is the net under them.
const maxMessage = 4 << 10

func writeError(w http.ResponseWriter, err error) int {
	e := AsError(err)
	msg := e.Message
	if len(msg) > maxMessage {
		msg = strings.ToValidUTF8(msg[:maxMessage], "") + "..."
	}
	b, _ := json.Marshal(errorBody{Message: msg, ResourceType: e.ResourceType})
	w.Header().Set("Content-Type", "application/json")
	w.Header()["x-amzn-ErrorType"] = []string{e.Type}
	w.WriteHeader(e.Code)
	w.Write(b)
	return e.Code
}

// newRequestID is a random UUID (version 4), like AWS request ids.
func newRequestID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
