// Package httpapi is the engine of HTTP APIs: per request, the CORS
// preflight the gateway answers itself, the route match, the integration
// (HTTP_PROXY to a backend, AWS_PROXY to a Lambda function with a payload
// 1.0 or 2.0 event), parameter mapping both ways, and CORS on the answer
// (docs/architecture.md#http-api-engine, docs/aws-behaviours.md#http-apis).
// Everything a request needs was compiled with its stage (Compile).
package httpapi

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/portico-dev/portico/internal/accesslog"
	"github.com/portico-dev/portico/internal/dataplane/gateway"
	"github.com/portico-dev/portico/internal/dataplane/httpapi/cors"
	"github.com/portico-dev/portico/internal/dataplane/httpapi/jwtauth"
	"github.com/portico-dev/portico/internal/dataplane/httpapi/mapping"
	"github.com/portico-dev/portico/internal/dataplane/httpapi/payload"
	"github.com/portico-dev/portico/internal/dataplane/httpapi/route"
	"github.com/portico-dev/portico/internal/dataplane/integration"
	"github.com/portico-dev/portico/internal/dataplane/throttle"
	"github.com/portico-dev/portico/internal/inspect"
	"github.com/portico-dev/portico/internal/metrics"
	"github.com/portico-dev/portico/internal/sigv4"
	"github.com/portico-dev/portico/internal/store"
)

// HTTP APIs' request limits (docs/aws-behaviours.md#http-limits).
const (
	// MaxBody is the payload quota: 10 MB.
	MaxBody = 10 << 20
	// MaxHeader bounds the request line and headers together.
	MaxHeader = 10240
)

// Config is what the engine needs.
type Config struct {
	Lambda     *integration.Lambda
	HTTPClient *http.Client
	// SigV4 verifies AWS_IAM routes' signatures (nil: their form, scope
	// and time only, as sigv4's default mode).
	SigV4 *sigv4.Verifier
	// AccessLog receives the stages' access log lines (nil: none kept).
	AccessLog *accesslog.Sink
	// JWTKeys caches the JWT authorizers' issuers' keys for every stage
	// (nil: a cache that may fetch from any http or https URL).
	JWTKeys *jwtauth.Keys
	// Recorder receives an entry per request (nil: none; the inspector
	// and the metrics).
	Recorder *inspect.Recorder
	// Metrics counts throttled requests and authorizer cache lookups
	// (nil: none; the rest comes from the Recorder's entries).
	Metrics *metrics.Metrics
	Logger  *slog.Logger
}

// Engine serves HTTP API stages. It is safe for concurrent use.
type Engine struct {
	cfg       Config
	transport http.RoundTripper
	// accounts throttle each account and region over all its stages.
	accounts throttle.Accounts[store.Scope]
}

// New returns an engine.
func New(cfg Config) *Engine {
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = integration.NewHTTPClient()
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Lambda == nil {
		cfg.Lambda = &integration.Lambda{} // every call fails: no endpoint
	}
	if cfg.SigV4 == nil {
		cfg.SigV4 = defaultVerifier
	}
	if cfg.JWTKeys == nil {
		cfg.JWTKeys = jwtauth.NewKeys(jwtauth.KeysConfig{Logger: cfg.Logger})
	}
	tr := cfg.HTTPClient.Transport
	if tr == nil {
		tr = http.DefaultTransport
	}
	return &Engine{cfg: cfg, transport: tr}
}

// Request is what the data plane resolved of a request before its stage.
type Request struct {
	// RawPath is the path as the client sent it, escaped, as the Lambda
	// event shows it: a named stage's segment included ("/dev/pets/1"),
	// and on a custom domain the mapping's base path too.
	RawPath string
	// MatchPath is the escaped path the routes are matched on: RawPath
	// without the stage segment or the base path ("/pets/1").
	MatchPath string
	// BasePath is the API mapping's base path that starts RawPath on a
	// custom domain ("/orders"), else "".
	BasePath string
	// Stage is the stage's name ("$default" or "dev").
	Stage string
}

// exchange is one request as it goes through the engine.
type exchange struct {
	e     *Engine
	w     http.ResponseWriter
	r     *http.Request
	s     *Stage
	req   Request
	id    string
	start time.Time
	match route.Match
	rt    *compiledRoute
	// params is the buffer of the match's path parameters.
	params [4]route.Param
	status int
	// integrationErr is what went wrong with the integration, for the log
	// ($context.integrationErrorMessage).
	integrationErr error
	// The integration's call, for $context.integrationLatency and
	// .integrationStatus: its duration, and the status it answered.
	integrationLatency time.Duration
	integrationStatus  int
	// gatewayError is the message of an answer the gateway gave itself
	// ($context.error.message).
	gatewayError string
	// ev is the request as Lambda events show it (event).
	ev *payload.Request
	// What the route's authorizer established (authorize): the identity
	// for the integration event, the $context.authorizer.* values, and
	// why it refused the request.
	authIdentity *payload.Authorizer
	authValue    func(name string) (string, bool)
	authErr      error
	iamValue     func(name string) (string, bool) // $context.identity.* of an IAM caller
	// body is the request's body once read (readBody).
	body     []byte
	bodyRead bool
	// ent is the request's inspector entry (nil: none).
	ent *inspect.Entry
}

// countingWriter counts what the answer's body holds
// ($context.responseLength).
type countingWriter struct {
	http.ResponseWriter
	n int64
	// tap keeps the first bytes of the answer for the inspector.
	tap *inspect.Tap
}

func (c *countingWriter) Write(b []byte) (int, error) {
	n, err := c.ResponseWriter.Write(b)
	c.n += int64(n)
	if c.tap != nil {
		c.tap.Write(b[:n])
	}
	return n, err
}

// Flush passes streaming answers on as they come.
func (c *countingWriter) Flush() {
	if f, ok := c.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Serve answers one request for an HTTP API stage.
func (e *Engine) Serve(w http.ResponseWriter, r *http.Request, s *Stage, req Request) {
	cw := &countingWriter{ResponseWriter: w}
	x := &exchange{e: e, w: cw, r: r, s: s, req: req, id: gateway.RequestID(), start: time.Now()}
	// AWS's header for $context.requestId, on every answer.
	w.Header().Set("Apigw-Requestid", x.id)
	if rec := e.cfg.Recorder; rec != nil {
		x.ent = rec.Start(r.Context(), inspect.KindHTTP, x.start)
		x.captureRequest(cw)
	}
	x.serve()
	e.log(x)
	if x.ent != nil {
		x.record()
		e.cfg.Recorder.Finish(x.ent)
	}
}

func (x *exchange) serve() {
	r := x.r
	if headerSize(r) > MaxHeader {
		// [I]: AWS's answer to a request over its header quota is not
		// documented; 431 says what is wrong.
		x.fail(&gateway.Error{Status: http.StatusRequestHeaderFieldsTooLarge, Message: "Request Header Fields Too Large"})
		return
	}
	if r.ContentLength > MaxBody {
		x.fail(gateway.ErrTooLarge)
		return
	}
	m, err := x.s.routes.Match(r.Method, x.req.MatchPath, x.params[:0])
	if x.s.cors != nil && cors.IsPreflight(r) && (err != nil || !strings.HasPrefix(m.Key, "OPTIONS ")) {
		// The gateway answers CORS preflights itself, even with no
		// OPTIONS route (docs/aws-behaviours.md#cors-http); [I] also when only
		// $default or an ANY route would take the request (an explicit
		// OPTIONS route still gets it).
		x.s.cors.WritePreflight(x.w.Header(), r)
		x.status = http.StatusNoContent
		x.w.WriteHeader(http.StatusNoContent)
		return
	}
	switch {
	case errors.Is(err, route.ErrBadPath):
		x.fail(gateway.ErrBadRequest)
		return
	case err != nil:
		x.fail(gateway.ErrNotFound)
		return
	}
	x.match = m
	x.rt = x.s.byIndex[m.Index]
	if !x.authorize() {
		return
	}
	if !x.e.accounts.Allow(x.s.key.Scope, x.start) {
		x.e.cfg.Metrics.Throttled(x.s.key.APIID, x.s.key.Stage, x.rt.key, "account")
		x.fail(gateway.ErrTooManyRequests)
		return
	}
	if !x.rt.bucket.Allow(x.start) {
		x.e.cfg.Metrics.Throttled(x.s.key.APIID, x.s.key.Stage, x.rt.key, "route")
		x.fail(gateway.ErrTooManyRequests)
		return
	}
	in := x.rt.integration
	switch {
	case in == nil:
		// [I]: a route with no integration cannot answer; AWS's status
		// for it is not documented.
		x.integrationErr = errors.New("the route has no integration")
		x.fail(gateway.ErrInternal)
	case in.typ == "HTTP_PROXY" && in.private:
		x.integrationErr = errors.New("private integrations (VPC links) are not served by Portico")
		x.fail(gateway.ErrInternal)
	case in.typ == "HTTP_PROXY":
		x.proxy(in)
	case in.typ == "AWS_PROXY" && in.subtype != "":
		x.integrationErr = errors.New("AWS service integrations (" + in.subtype + ") are not served by Portico")
		x.fail(gateway.ErrInternal)
	case in.typ == "AWS_PROXY":
		x.lambda(in)
	default:
		x.integrationErr = errors.New("integration type " + in.typ + " is not one HTTP APIs serve")
		x.fail(gateway.ErrInternal)
	}
}

// fail answers with the gateway's own error, CORS headers included.
func (x *exchange) fail(e *gateway.Error) {
	x.status = e.Status
	x.gatewayError = e.Message
	if x.s.cors != nil {
		x.s.cors.Apply(x.r.Header.Get("Origin"), x.w.Header())
	}
	gateway.Write(x.w, e)
}

// failIntegration answers an integration that failed: 503 when it ran out
// of time, else 500 (docs/aws-behaviours.md#http-errors).
func (x *exchange) failIntegration(ctx context.Context, err error) {
	x.integrationErr = err
	if errors.Is(ctx.Err(), context.DeadlineExceeded) || errors.Is(err, context.DeadlineExceeded) {
		x.fail(gateway.ErrServiceUnavailable)
		return
	}
	x.fail(gateway.ErrInternal)
}

// respond writes an integration's answer: the response mapping of its
// status, then CORS, then the status and the body (streamed from body
// when it is not nil, else bodyBytes).
func (x *exchange) respond(in *compiledIntegration, status int, header http.Header, body io.Reader, bodyBytes []byte) {
	h := x.w.Header()
	for k, vs := range header {
		if !hopByHop(k) && k != "Apigw-Requestid" {
			h[k] = vs
		}
	}
	if in.response.Has(status) {
		if body != nil && in.response.ReadsBody(status) {
			// A mapping may read $response.body: the body is read, bounded.
			b, err := integration.ReadAll(body, MaxBody, "the backend's answer")
			if err != nil {
				x.integrationErr = err
				for k := range h {
					delete(h, k)
				}
				h.Set("Apigw-Requestid", x.id)
				x.fail(gateway.ErrInternal)
				return
			}
			body, bodyBytes = nil, b
		}
		var ch mapping.ResponseChanges
		in.response.Apply(&mapping.Response{Status: status, Header: h, Body: bodyBytes,
			Context: x.contextValue, StageVariables: x.s.stageVars}, &ch)
		ch.ApplyHeader(h)
		if ch.Status != 0 {
			status = ch.Status
		}
	}
	if x.s.cors != nil {
		x.s.cors.Apply(x.r.Header.Get("Origin"), h)
	}
	if body == nil {
		h.Set("Content-Length", strconv.Itoa(len(bodyBytes)))
	}
	x.status = status
	x.w.WriteHeader(status)
	if body != nil {
		// io.Copy would allocate 32 KB per answer: the writer here is
		// wrapped (status, inspector), so net/http's pooled ReadFrom is
		// not reached.
		buf := copyBufs.Get().(*[]byte)
		io.CopyBuffer(x.w, body, *buf)
		copyBufs.Put(buf)
		return
	}
	x.w.Write(bodyBytes)
}

// copyBufs are the buffers answers are streamed through.
var copyBufs = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}

// headerSize is the size of the request line and headers as sent (close
// enough: the header lines are rebuilt from what net/http parsed).
func headerSize(r *http.Request) int {
	n := len(r.Method) + 1 + len(r.RequestURI) + 1 + len(r.Proto) + 2
	n += len("Host: ") + len(r.Host) + 2
	for k, vs := range r.Header {
		for _, v := range vs {
			n += len(k) + 2 + len(v) + 2
		}
	}
	return n
}

// hopByHop headers belong to one connection, not to the request or the
// answer passing through (RFC 9110 section 7.6.1).
func hopByHop(h string) bool {
	switch h {
	case "Connection", "Keep-Alive", "Proxy-Connection", "Proxy-Authenticate", "Proxy-Authorization",
		"Te", "Trailer", "Transfer-Encoding", "Upgrade":
		return true
	}
	return false
}

// clientIP is the client's address without the port.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func (e *Engine) log(x *exchange) {
	if l := x.s.accessLog; l != nil {
		buf := lineBuffers.Get().(*[]byte)
		*buf = l.format.Render((*buf)[:0], x.logValue)
		e.cfg.AccessLog.Write(l.group, *buf)
		lineBuffers.Put(buf)
	}
	if x.integrationErr != nil {
		e.cfg.Logger.Warn("integration failed", "requestId", x.id, "api", x.s.key.APIID, "stage", x.s.key.Stage,
			"route", x.routeKey(), "status", x.status, "error", x.integrationErr)
	}
	if e.cfg.Logger.Enabled(x.r.Context(), slog.LevelDebug) {
		e.cfg.Logger.Debug("http api", "requestId", x.id, "api", x.s.key.APIID, "stage", x.s.key.Stage,
			"method", x.r.Method, "path", x.req.RawPath, "route", x.routeKey(), "status", x.status,
			"latency", time.Since(x.start))
	}
}

// lineBuffers keep access log lines' buffers between requests.
var lineBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

func (x *exchange) routeKey() string {
	if x.rt == nil {
		return ""
	}
	return x.rt.key
}
