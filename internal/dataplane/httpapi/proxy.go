package httpapi

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/portico-dev/portico/internal/dataplane/gateway"
	"github.com/portico-dev/portico/internal/dataplane/httpapi/mapping"
	"github.com/portico-dev/portico/internal/dataplane/httpapi/route"
)

// proxy runs an HTTP_PROXY integration: the request goes to the backend
// with its method, path variables and stage variables put into the URI,
// its query string, headers and body, and the backend's answer comes back
// (docs/aws-behaviours.md#http-proxy). Bodies are streamed both ways,
// except when a mapping reads the request body.
func (x *exchange) proxy(in *compiledIntegration) {
	r := x.r
	ctx, cancel := context.WithTimeout(r.Context(), in.timeout)
	defer cancel()

	target := in.uri.expand(x.match.Params, x.s.stageVars)
	if in.uri.pathless && x.match.Key == route.DefaultKey {
		// $default with a path-less URI: the request's path is appended
		// [V]. [I]: without the stage segment, as the routes see it.
		target = strings.TrimSuffix(target, "/") + x.req.MatchPath
	}
	u, err := url.Parse(target)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		x.integrationErr = errInvalidURI(target)
		x.fail(gateway.ErrInternal)
		return
	}
	// The query string is always forwarded [V], after the URI's own.
	if q := r.URL.RawQuery; q != "" {
		if u.RawQuery != "" {
			u.RawQuery += "&" + q
		} else {
			u.RawQuery = q
		}
	}
	method := in.method
	if method == "" || method == "ANY" {
		method = r.Method
	}
	var body io.Reader = http.MaxBytesReader(x.w, r.Body, MaxBody)
	var bodyBytes []byte
	if x.bodyRead || !in.request.Empty() && in.request.ReadsBody() {
		if bodyBytes, err = x.readBody(); err != nil {
			x.fail(gateway.ErrTooLarge)
			return
		}
		body = nil
	}
	if r.ContentLength == 0 || r.Body == http.NoBody {
		body = nil
	}
	out, err := http.NewRequestWithContext(ctx, method, u.String(), nil)
	if err != nil {
		x.integrationErr = err
		x.fail(gateway.ErrInternal)
		return
	}
	switch {
	case bodyBytes != nil:
		out.Body = io.NopCloser(strings.NewReader(string(bodyBytes)))
		out.ContentLength = int64(len(bodyBytes))
	case body != nil:
		out.Body = io.NopCloser(body)
		out.ContentLength = r.ContentLength
	}
	for k, vs := range r.Header {
		if !hopByHop(k) && k != "Content-Length" {
			out.Header[k] = vs
		}
	}
	for _, name := range r.Header.Values("Connection") {
		for _, h := range strings.Split(name, ",") {
			out.Header.Del(strings.TrimSpace(h))
		}
	}
	// What API Gateway adds [V: a backend's view of an HTTP API request].
	// The Host is the backend's (net/http sets it from the URL).
	out.Header.Set("Forwarded", "by="+localIP(r)+";for="+clientIP(r)+";host="+r.Host+";proto="+proto(r))
	out.Header.Set("X-Amzn-Trace-Id", traceID(x.start))
	if !in.request.Empty() {
		x.applyRequestMapping(in, out, bodyBytes)
	}
	x.recordProxyRequest(in, out, bodyBytes)
	// The transport, not the client: a backend's redirect is its answer,
	// and a proxy needs none of the client's header copying.
	called := time.Now()
	resp, err := x.e.transport.RoundTrip(out)
	x.integrationLatency = time.Since(called)
	if err != nil {
		x.failIntegration(ctx, err)
		return
	}
	defer resp.Body.Close()
	x.integrationStatus = resp.StatusCode
	x.recordProxyResponse(resp)
	x.respond(in, resp.StatusCode, resp.Header, resp.Body, nil)
}

// applyRequestMapping makes an integration's request parameter changes to
// the upstream request (docs/aws-behaviours.md#parameter-mapping-http).
func (x *exchange) applyRequestMapping(in *compiledIntegration, out *http.Request, body []byte) {
	var ch mapping.Changes
	in.request.Apply(&mapping.Request{
		Header: x.r.Header, Query: x.r.URL.Query(), Path: x.decodedMatchPath(), PathParams: x.match.Params.Map(),
		Body: body, Context: x.contextValue, StageVariables: x.s.stageVars,
	}, &ch)
	ch.ApplyHeader(out.Header)
	if h := out.Header.Get("Host"); h != "" {
		// net/http sends Request.Host, not a Host header.
		out.Host = h
		out.Header.Del("Host")
	}
	if len(ch.Query) > 0 {
		q := out.URL.Query()
		ch.ApplyQuery(q)
		out.URL.RawQuery = q.Encode()
	}
	if ch.SetPath {
		out.URL.Path, out.URL.RawPath = ch.Path, ""
	}
}

func (x *exchange) decodedMatchPath() string {
	p, err := url.PathUnescape(x.req.MatchPath)
	if err != nil {
		return x.req.MatchPath
	}
	return p
}

func proto(r *http.Request) string {
	if r.TLS != nil {
		return "https"
	}
	return "http"
}

// localIP is the address the request reached Portico on.
func localIP(r *http.Request) string {
	if a, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
		if host, _, err := net.SplitHostPort(a.String()); err == nil {
			return host
		}
	}
	return "unknown"
}

// traceID is an X-Ray trace header in AWS's form: Root=1-{time}-{random}.
func traceID(t time.Time) string {
	var b [12]byte
	rand.Read(b[:])
	return "Root=1-" + strconv.FormatInt(t.Unix(), 16) + "-" + hex.EncodeToString(b[:])
}

type errInvalidURI string

func (e errInvalidURI) Error() string {
	return "the integration URI is not an http or https URL: " + string(e)
}
