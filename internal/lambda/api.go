package lambda

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
)

// InvokeHandler serves the Lambda Invoke API,
// POST /2015-03-31/functions/{FunctionName}/invocations, with the real
// API's headers, statuses and errors [D: Invoke API reference], for the
// AWS SDKs' Lambda clients and `aws lambda invoke`. Signatures are not
// checked.
func (m *Manager) InvokeHandler() http.Handler { return http.HandlerFunc(m.serveInvoke) }

const invokePrefix = "/2015-03-31/functions/"

func (m *Manager) serveInvoke(w http.ResponseWriter, r *http.Request) {
	requestID := newRequestID()
	name, ok := invokePath(r.URL.EscapedPath())
	if !ok || r.Method != http.MethodPost {
		// What AWS's front end answers for a request that is no
		// operation [I: the shape; the type is the one AWS JSON
		// services use].
		writeError(w, userError(http.StatusNotFound, "UnknownOperationException", "Unknown operation %s %s", r.Method, r.URL.Path), requestID)
		return
	}
	opts := InvokeOptions{
		Type:          r.Header.Get("X-Amz-Invocation-Type"),
		ClientContext: r.Header.Get("X-Amz-Client-Context"),
		Qualifier:     r.URL.Query().Get("Qualifier"),
		TraceID:       r.Header.Get("X-Amzn-Trace-Id"),
	}
	switch logType := r.Header.Get("X-Amz-Log-Type"); logType {
	case "", "None":
	case "Tail":
		opts.LogTail = opts.Type == "" || opts.Type == RequestResponse
	default:
		writeError(w, validation("logType", logType, "Member must satisfy enum value set: [None, Tail]"), requestID)
		return
	}
	limit := maxSyncPayload
	if opts.Type == Event {
		limit = maxAsyncPayload
	}
	payload, err := readLimited(r.Body, int64(limit))
	if errors.Is(err, errBodyTooLarge) {
		writeError(w, tooLarge(limit), requestID)
		return
	}
	if err != nil {
		return // the client went away
	}
	res, err := m.Invoke(r.Context(), name, payload, opts)
	if err != nil {
		if r.Context().Err() != nil {
			return
		}
		writeError(w, err, requestID)
		return
	}
	h := w.Header()
	h["x-amzn-RequestId"] = []string{res.RequestID}
	switch res.Status {
	case http.StatusOK:
		h.Set("Content-Type", "application/json")
		h.Set("X-Amz-Executed-Version", res.ExecutedVersion)
		if res.FunctionError != "" {
			h.Set("X-Amz-Function-Error", res.FunctionError)
		}
		if opts.LogTail {
			h.Set("X-Amz-Log-Result", res.LogTail)
		}
		w.WriteHeader(http.StatusOK)
		w.Write(res.Payload)
	default:
		w.WriteHeader(res.Status)
	}
}

// invokePath extracts the function name from
// /2015-03-31/functions/{FunctionName}/invocations.
func invokePath(escaped string) (string, bool) {
	rest, ok := strings.CutPrefix(escaped, invokePrefix)
	if !ok {
		return "", false
	}
	name, ok := strings.CutSuffix(rest, "/invocations")
	if !ok || name == "" || strings.Contains(name, "/") {
		return "", false
	}
	name, err := url.PathUnescape(name)
	return name, err == nil
}
