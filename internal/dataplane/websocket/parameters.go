package websocket

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/portico-dev/portico/internal/selectexpr"
)

// Request parameter mapping for WebSocket HTTP and HTTP_PROXY integrations
// (docs/aws-behaviours.md#parameter-mapping): each
// integration.request.{header|querystring|path}.NAME is set from 'static'
// text, route.request.{header|querystring|multivalueheader|
// multivaluequerystring}.NAME (on $connect, the only request with
// headers), route.request.body.PATH, context.NAME or stageVariables.NAME.
// This is how a backend learns the connectionId:
// integration.request.header.connectionId = context.connectionId.

// parameterValue resolves one mapping source; "" when it has no value.
func parameterValue(src string, stage *Stage, req *request) string {
	if len(src) >= 2 && src[0] == '\'' && src[len(src)-1] == '\'' {
		return src[1 : len(src)-1]
	}
	var r *http.Request
	if req.eventType == "CONNECT" {
		r = req.http
	}
	switch {
	case strings.HasPrefix(src, "route.request.header."):
		if r != nil {
			return r.Header.Get(strings.TrimPrefix(src, "route.request.header."))
		}
	case strings.HasPrefix(src, "route.request.multivalueheader."):
		if r != nil {
			return strings.Join(r.Header.Values(strings.TrimPrefix(src, "route.request.multivalueheader.")), ",")
		}
	case strings.HasPrefix(src, "route.request.querystring."):
		if r != nil {
			return r.URL.Query().Get(strings.TrimPrefix(src, "route.request.querystring."))
		}
	case strings.HasPrefix(src, "route.request.multivaluequerystring."):
		if r != nil {
			return strings.Join(r.URL.Query()[strings.TrimPrefix(src, "route.request.multivaluequerystring.")], ",")
		}
	case strings.HasPrefix(src, "route.request.body"):
		if req.eventType == "MESSAGE" && req.docErr == nil {
			return selectexpr.JSONPath(req.doc, strings.TrimPrefix(src, "route.request.body"))
		}
	case strings.HasPrefix(src, "context."):
		if v, ok := templateContext(stage, req)[strings.TrimPrefix(src, "context.")]; ok {
			return fmt.Sprint(v)
		}
	case strings.HasPrefix(src, "stageVariables."):
		return stage.stageVars[strings.TrimPrefix(src, "stageVariables.")]
	}
	return ""
}

// applyParameters sets the mapped headers, query string parameters and
// path parameters on a backend request.
func applyParameters(hr *http.Request, params map[string]string, stage *Stage, req *request) {
	if len(params) == 0 {
		return
	}
	q := hr.URL.Query()
	for dest, src := range params {
		v := parameterValue(src, stage, req)
		if v == "" {
			continue
		}
		switch {
		case strings.HasPrefix(dest, "integration.request.header."):
			hr.Header.Set(strings.TrimPrefix(dest, "integration.request.header."), v)
		case strings.HasPrefix(dest, "integration.request.querystring."):
			q.Set(strings.TrimPrefix(dest, "integration.request.querystring."), v)
		case strings.HasPrefix(dest, "integration.request.path."):
			name := strings.TrimPrefix(dest, "integration.request.path.")
			hr.URL.Path = strings.ReplaceAll(hr.URL.Path, "{"+name+"}", v)
			hr.URL.RawPath = strings.ReplaceAll(hr.URL.EscapedPath(), url.PathEscape("{"+name+"}"), url.PathEscape(v))
		}
	}
	hr.URL.RawQuery = q.Encode()
}
