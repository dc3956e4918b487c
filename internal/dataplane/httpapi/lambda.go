package httpapi

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/portico-dev/portico/internal/dataplane/gateway"
	"github.com/portico-dev/portico/internal/dataplane/httpapi/payload"
	"github.com/portico-dev/portico/internal/dataplane/integration"
)

// lambda runs an AWS_PROXY integration: the request becomes a payload 1.0
// or 2.0 event, the function's result the answer
// (docs/aws-behaviours.md#lambda-proxy).
func (x *exchange) lambda(in *compiledIntegration) {
	r := x.r
	body, err := x.readBody()
	if err != nil {
		x.fail(gateway.ErrTooLarge)
		return
	}
	ev := x.event()
	ev.Body = body
	ev.Authorizer = x.authIdentity
	buf := eventBuffers.Get().(*[]byte)
	defer eventBuffers.Put(buf)
	*buf = in.version.AppendEvent((*buf)[:0], ev)
	if len(*buf) > payload.MaxResultSize {
		// Lambda refuses a synchronous payload over 6 MB.
		x.integrationErr = &integration.TooLargeError{What: "the Lambda event", Limit: payload.MaxResultSize}
		x.fail(gateway.ErrTooLarge)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), in.timeout)
	defer cancel()
	called := time.Now()
	out, err := x.e.cfg.Lambda.Invoke(ctx, in.rawURI, *buf)
	x.integrationLatency = time.Since(called)
	x.recordLambda(in, *buf, out, err)
	if err != nil {
		x.failIntegration(ctx, err)
		return
	}
	x.integrationStatus = http.StatusOK // the Invoke API's
	resp, err := in.version.ParseResult(out)
	if err != nil {
		x.integrationErr = err
		x.fail(gateway.ErrInternal)
		return
	}
	x.respond(in, resp.StatusCode, resp.Header, nil, resp.Body)
}

// event is the request as a Lambda (the integration, or an authorizer)
// sees it, without its body. It is built once per request.
func (x *exchange) event() *payload.Request {
	if x.ev != nil {
		return x.ev
	}
	r := x.r
	// The headers API Gateway adds to what the function sees
	// (docs/aws-behaviours.md#lambda-proxy).
	header := r.Header.Clone()
	header.Set("X-Amzn-Trace-Id", traceID(x.start))
	header.Set("X-Forwarded-For", clientIP(r))
	header.Set("X-Forwarded-Proto", proto(r))
	if header.Get("X-Forwarded-Port") == "" {
		header.Set("X-Forwarded-Port", localPort(r))
	}
	if r.ContentLength > 0 {
		header.Set("Content-Length", itoa(int(r.ContentLength)))
	}
	if header.Get("Host") == "" {
		header.Set("Host", r.Host)
	}
	x.ev = &payload.Request{
		Method: r.Method, RawPath: x.req.RawPath, Path: decodePath(x.req.RawPath), BasePath: x.req.BasePath,
		RawQuery: r.URL.RawQuery, Header: header, SourceIP: clientIP(r), Protocol: r.Proto,
		UserAgent: r.UserAgent(), RouteKey: x.rt.key, PathParameters: x.match.Params.Map(),
		StageVariables: x.s.stageVars, Stage: x.req.Stage, AccountID: x.s.key.Scope.Account, APIID: x.s.key.APIID,
		// domainName is a host that reaches Portico, with its port, so
		// that handler code can build URLs from it [I].
		DomainName: r.Host, RequestID: x.id, Time: x.start,
	}
	return x.ev
}

// eventBuffers keep event buffers between requests.
var eventBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

func hostOnly(hostport string) string {
	if i := strings.LastIndexByte(hostport, ':'); i >= 0 && !strings.Contains(hostport[i:], "]") {
		return hostport[:i]
	}
	return hostport
}
