package websocket

import (
	"context"
	"errors"
	"net/http"
	"time"
	"unicode/utf8"

	"github.com/portico-dev/portico/internal/dataplane/integration"
	"github.com/portico-dev/portico/internal/inspect"
	"github.com/portico-dev/portico/internal/vtl"
)

// What the engine leaves in the inspector (docs/inspector.md): an entry
// per connect, message, disconnect and @connections POST or DELETE, with
// the frames in and out, what the integration received and answered, the
// $connect authorizer's decision and the templates' output.

// startEntry begins an entry for an event of connection c (nil when the
// engine records nothing).
func (p *Engine) startEntry(ctx context.Context, kind inspect.Kind, c *conn, routeKey, requestID string, start time.Time) *inspect.Entry {
	ent := p.cfg.Recorder.Start(ctx, kind, start)
	if ent == nil {
		return nil
	}
	ent.Account, ent.Region, ent.APIID, ent.Stage = c.key.Scope.Account, c.key.Scope.Region, c.key.APIID, c.key.Stage
	ent.ConnectionID, ent.RouteKey, ent.RequestID = c.id, routeKey, requestID
	return ent
}

// startConnect begins the entry of a $connect, with the upgrade request.
func (p *Engine) startConnect(c *conn, r *http.Request, requestID string) *inspect.Entry {
	ent := p.startEntry(r.Context(), inspect.KindConnect, c, "$connect", requestID, c.connectedAt)
	if ent == nil {
		return nil
	}
	ent.Method, ent.Path = r.Method, r.URL.EscapedPath()
	if ent.Capturing() {
		h := ent.HeaderClone(r.Header)
		h.Set("Host", r.Host)
		ent.Request = &inspect.Message{Method: r.Method, Path: ent.Path, Query: r.URL.RawQuery, Headers: h}
	}
	return ent
}

// finishEntry hands an entry over with its status.
func (p *Engine) finishEntry(ent *inspect.Entry, status int) {
	if ent == nil {
		return
	}
	ent.Status = status
	ent.Latency = time.Since(ent.Time)
	if ent.Capturing() && ent.Kind == inspect.KindConnect {
		ent.Response = &inspect.Message{Status: status}
	}
	p.cfg.Recorder.Finish(ent)
}

func recordHTTPRequest(ent *inspect.Entry, hr *http.Request, body string) {
	if !ent.Capturing() || ent.Integration == nil {
		return
	}
	m := &inspect.Message{Method: hr.Method, URI: hr.URL.String(), Headers: hr.Header.Clone()}
	if hr.Body != nil && hr.Body != http.NoBody {
		m.Body, m.Truncated = ent.CutString(body)
	}
	ent.Integration.Request = m
}

func recordHTTPResponse(ent *inspect.Entry, resp *http.Response, body []byte) {
	if !ent.Capturing() || ent.Integration == nil {
		return
	}
	m := &inspect.Message{Status: resp.StatusCode, Headers: resp.Header.Clone()}
	ent.SetBody(m, body)
	ent.Integration.Response = m
}

// recordLambda records a Lambda proxy call: the event and the result, a
// function's error payload included.
func recordLambda(ent *inspect.Entry, event, out []byte, err error) {
	if !ent.Capturing() || ent.Integration == nil {
		return
	}
	ent.Integration.Request = &inspect.Message{Method: http.MethodPost}
	ent.SetBody(ent.Integration.Request, event)
	var fe *integration.FunctionError
	switch {
	case err == nil:
		ent.Integration.Response = &inspect.Message{Status: http.StatusOK}
		ent.SetBody(ent.Integration.Response, out)
	case errors.As(err, &fe):
		ent.Integration.Response = &inspect.Message{Status: http.StatusOK,
			Headers: http.Header{"X-Amz-Function-Error": {fe.Kind}}}
		ent.SetBody(ent.Integration.Response, fe.Payload)
	}
}

// recordPayload records what a MOCK or AWS integration was given (the
// rendered request) and answered.
func recordPayload(ent *inspect.Entry, payload string, status int, out string) {
	if !ent.Capturing() || ent.Integration == nil {
		return
	}
	in := ent.Integration
	in.Request = &inspect.Message{}
	in.Request.Body, in.Request.Truncated = ent.CutString(payload)
	in.Response = &inspect.Message{Status: status}
	in.Response.Body, in.Response.Truncated = ent.CutString(out)
}

// templateKey is the key a template was chosen by.
func templateKey(tpls map[string]*vtl.Template, t *vtl.Template) string {
	for k, v := range tpls {
		if v == t {
			return k
		}
	}
	return ""
}

// statusWriter remembers the status of a management call's answer.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// ErrNoConnection: a replay's connection is not open on this node.
var ErrNoConnection = errors.New("the connection is not open on this node")

// ErrBadMessage: a replayed message is not one a client could send.
var ErrBadMessage = errors.New("a message must be UTF-8 text of at most 128 KB")

// Deliver handles data on connection id as if its client had sent it (the
// inspector's replay), answering on the caller's goroutine; ctx carries
// the replay's slot.
func (p *Engine) Deliver(ctx context.Context, id, data string) error {
	if len(data) > maxMessage || !utf8.ValidString(data) {
		return ErrBadMessage
	}
	p.conns.mu.RLock()
	c := p.conns.conns[id]
	p.conns.mu.RUnlock()
	if c == nil || c.isClosing() {
		return ErrNoConnection
	}
	c.touch()
	p.handleMessageWith(ctx, c, data, true)
	return nil
}
