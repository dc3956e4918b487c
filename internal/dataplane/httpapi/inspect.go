package httpapi

import (
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/portico-dev/portico/internal/dataplane/integration"
	"github.com/portico-dev/portico/internal/inspect"
)

// What a request leaves in its inspector entry (docs/inspector.md): the
// summary always (it feeds the metrics too); with the ring on, the
// client's request and answer, what the integration received and
// answered, and the authorizer's decision. Bodies are tapped as they
// stream, up to the inspector's limit: nothing is read or copied that the
// request would not have read anyway.

// captureRequest starts the entry's request and taps both bodies.
func (x *exchange) captureRequest(cw *countingWriter) {
	ent := x.ent
	if !ent.Capturing() {
		return
	}
	r := x.r
	// The headers are shared, not copied: neither the engine nor net/http
	// changes a request's headers.
	ent.Request = &inspect.Message{Method: r.Method, Path: r.URL.EscapedPath(), Query: r.URL.RawQuery, Headers: r.Header, Host: r.Host}
	ent.Response = &inspect.Message{}
	if r.Body != nil && r.Body != http.NoBody {
		r.Body = &tapReader{ReadCloser: r.Body, tap: ent.TapBody(ent.Request)}
	}
	cw.tap = ent.TapBody(ent.Response)
}

// record fills the entry's summary, and the answer's status and headers.
func (x *exchange) record() {
	ent := x.ent
	k := x.s.key
	ent.Account, ent.Region, ent.APIID, ent.Stage = k.Scope.Account, k.Scope.Region, k.APIID, k.Stage
	ent.RouteKey, ent.RequestID = x.routeKey(), x.id
	ent.Method, ent.Path = x.r.Method, x.r.URL.EscapedPath()
	ent.Status = x.status
	ent.Latency, ent.IntegrationLatency = time.Since(x.start), x.integrationLatency
	ent.RawPath, ent.MatchPath, ent.BasePath = x.req.RawPath, x.req.MatchPath, x.req.BasePath
	if !ent.Capturing() {
		return
	}
	ent.Response.Status = x.status
	// Shared too: the answer is out, and its headers change no more.
	ent.Response.Headers = x.w.Header()
	if x.integrationErr != nil {
		ent.IntegrationError(x.integrationErr)
	}
}

// recordLambda records an AWS_PROXY call: the event and the result (a
// function's error payload included).
func (x *exchange) recordLambda(in *compiledIntegration, event, out []byte, err error) {
	ent := x.ent
	if !ent.Capturing() {
		return
	}
	rec := ent.SetIntegration(in.typ, in.rawURI)
	rec.Request = &inspect.Message{Method: http.MethodPost}
	ent.SetBody(rec.Request, event)
	var fe *integration.FunctionError
	switch {
	case err == nil:
		rec.Response = &inspect.Message{Status: http.StatusOK}
		ent.SetBody(rec.Response, out)
	case errors.As(err, &fe):
		rec.Response = &inspect.Message{Status: http.StatusOK,
			Headers: http.Header{"X-Amz-Function-Error": {fe.Kind}}}
		ent.SetBody(rec.Response, fe.Payload)
	}
}

// recordProxyRequest records the request an HTTP_PROXY sends: its body is
// the client's, passed through (or bodyBytes, when it was read whole).
func (x *exchange) recordProxyRequest(in *compiledIntegration, out *http.Request, bodyBytes []byte) {
	ent := x.ent
	if !ent.Capturing() {
		return
	}
	rec := ent.SetIntegration(in.typ, in.rawURI)
	// The upstream request is the engine's own, unchanged once sent.
	rec.Request = &inspect.Message{Method: out.Method, URI: out.URL.String(), Headers: out.Header, Host: out.Host}
	if bodyBytes != nil {
		ent.SetBody(rec.Request, bodyBytes)
	} else if out.Body != nil {
		inspect.ShareBody(rec.Request, ent.Request)
	}
}

// recordProxyResponse records the backend's answer; its body is the one
// the client gets.
func (x *exchange) recordProxyResponse(resp *http.Response) {
	ent := x.ent
	if !ent.Capturing() || ent.Integration == nil {
		return
	}
	ent.Integration.Response = &inspect.Message{Status: resp.StatusCode, Headers: resp.Header}
	inspect.ShareBody(ent.Integration.Response, ent.Response)
}

// recordAuthorizer records the route authorizer's decision.
func (x *exchange) recordAuthorizer(typ string, allowed bool, context map[string]any, cached bool, err error) {
	ent := x.ent
	if !ent.Capturing() {
		return
	}
	a := &inspect.Authorizer{Type: typ, Name: x.rt.auth.name, Allowed: allowed, Context: context, Cached: cached}
	if err != nil {
		a.Error = err.Error()
	}
	ent.Authorizer = a
}

// tapReader copies what is read of a body into a tap.
type tapReader struct {
	io.ReadCloser
	tap *inspect.Tap
}

func (t *tapReader) Read(p []byte) (int, error) {
	n, err := t.ReadCloser.Read(p)
	t.tap.Write(p[:n])
	return n, err
}
