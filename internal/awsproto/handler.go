package awsproto

import (
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
)

// DefaultMaxBody bounds control-plane request bodies. The largest legitimate
// body is an OpenAPI document for ImportApi; AWS caps those well below this.
const DefaultMaxBody = 8 << 20

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
}

type route struct {
	op       *Operation
	segments []string // literal segments, or "{name}" labels
	literals int
}

// NewHandler builds the router for ops. Requests without a SigV4 scope act
// as defaults.
func NewHandler(ops []Operation, defaults Identity, log *slog.Logger) *Handler {
	h := &Handler{byMethod: map[string][]route{}, defaults: defaults, log: log}
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
		// collection, GetApis (getmoto/moto #7974: docs/aws-behaviours.md).
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
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return writeError(w, TooLarge(limit)), op.Name
		}
		return writeError(w, BadRequest("Could not read the request body: %v", err)), op.Name
	}
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return writeError(w, BadRequest("Invalid query string: %v", err)), op.Name
	}
	ctx := WithIdentity(r.Context(), IdentityOf(r, h.defaults))
	out, err := op.Call(ctx, &Request{HTTP: r, labels: labels, query: q, body: body})
	if err != nil {
		return writeError(w, err), op.Name
	}
	return writeOutput(w, op.Status, out), op.Name
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

func writeError(w http.ResponseWriter, err error) int {
	e := AsError(err)
	b, _ := json.Marshal(errorBody{Message: e.Message, ResourceType: e.ResourceType})
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
