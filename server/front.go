package server

import (
	"net/http"
	"strings"

	"github.com/portico-dev/portico/internal/awsproto"
	"github.com/portico-dev/portico/internal/cluster"
	"github.com/portico-dev/portico/internal/console"
	"github.com/portico-dev/portico/internal/dataplane"
	"github.com/portico-dev/portico/internal/dataplane/gateway"
)

// front is the listener's one handler: it picks each request's surface
// (docs/architecture.md#surfaces). It is not an http.ServeMux on purpose: a ServeMux
// cleans paths and answers "/v2/apis/x/routes/.." with a redirect to
// "/v2/apis/x", which the AWS SDKs follow with the same method, so
// DeleteRoute(RouteId: "..") deleted the API. Here no path is ever
// cleaned or redirected: every segment reaches the surface that owns it as
// it was sent.
type front struct {
	plane   *dataplane.Plane
	node    *cluster.Node // nil: one node
	control http.Handler
	// invoke is the Lambda Invoke API of the functions Portico runs.
	invoke http.Handler
	guard  *guard
	// ops are the operations endpoints by "METHOD /path".
	ops map[string]http.HandlerFunc
	// console is the web console, /_portico/ and /_portico/console/...
	console http.Handler
}

const (
	executeAPIPrefix   = "/_aws/execute-api/"
	lambdaInvokePrefix = "/2015-03-31/functions/"
)

func (f *front) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if len(r.TransferEncoding) > 0 {
		// RFC 9112 section 6.3: a request with both Transfer-Encoding and
		// Content-Length may be an attempt at request smuggling, and the
		// server must close the connection after answering it. net/http
		// deletes the Content-Length header before a handler can see it,
		// so every request with a Transfer-Encoding closes its connection:
		// always allowed, and it costs a client one reconnect.
		w.Header().Set("Connection", "close")
	}
	if apiID, ok := executeAPIHost(r.Host); ok {
		f.servePlane(w, r, apiID, strings.TrimPrefix(r.URL.EscapedPath(), "/"))
		return
	}
	path := r.URL.EscapedPath()
	if rest, ok := strings.CutPrefix(path, executeAPIPrefix); ok {
		// /_aws/execute-api/{apiId}/{stage}/{rest...}: the path form,
		// which needs no DNS.
		apiID, rest, _ := strings.Cut(rest, "/")
		f.servePlane(w, r, apiID, rest)
		return
	}
	if f.plane.ServeDomain(w, r) {
		return // a custom domain name's API (docs/aws-behaviours.md#custom-domains)
	}
	if f.plane.ServeRootConnections(w, r, strings.TrimPrefix(path, "/")) {
		return // @connections by connection id alone (docs/aws-behaviours.md#connections-api)
	}
	if f.serveCluster(w, r, path) {
		return // another node's forwarded @connections call (cluster.go)
	}
	if err := f.guard.check(r); err != nil {
		awsproto.WriteError(w, err)
		return
	}
	if f.guard.cors(w, r) {
		return
	}
	if strings.HasPrefix(path, lambdaInvokePrefix) {
		f.invoke.ServeHTTP(w, r)
		return
	}
	if strings.HasPrefix(path, "/_portico/") || strings.HasPrefix(path, "/_localstack/") {
		f.serveOps(w, r, path)
		return
	}
	f.control.ServeHTTP(w, r)
}

func (f *front) serveOps(w http.ResponseWriter, r *http.Request, path string) {
	if f.console != nil && console.Handles(path) {
		f.console.ServeHTTP(w, r)
		return
	}
	if h := f.ops[r.Method+" "+path]; h != nil {
		h(w, r)
		return
	}
	if h := f.ops["* "+path]; h != nil {
		h(w, r)
		return
	}
	if strings.HasPrefix(path, logsPrefix) && r.Method == http.MethodGet {
		f.ops["GET "+logsPrefix](w, r)
		return
	}
	if strings.HasPrefix(path, inspectPrefix) {
		f.ops["* "+inspectPrefix](w, r)
		return
	}
	if strings.HasPrefix(path, pprofPrefix) && f.ops["* "+pprofPrefix] != nil {
		f.ops["* "+pprofPrefix](w, r)
		return
	}
	for k := range f.ops {
		if _, p, _ := strings.Cut(k, " "); p == path {
			awsproto.WriteError(w, &awsproto.Error{Type: "MethodNotAllowedException", Code: http.StatusMethodNotAllowed,
				Message: "The " + r.Method + " method is not allowed on " + path})
			return
		}
	}
	awsproto.WriteError(w, awsproto.NotFound("No operations endpoint at %s", path))
}

// servePlane hands an execute-api request to the data plane: path is the
// escaped path after the API id, without its leading "/".
func (f *front) servePlane(w http.ResponseWriter, r *http.Request, apiID, path string) {
	if apiID == "" {
		gateway.Write(w, &gateway.Error{Status: http.StatusForbidden, Message: "Forbidden", Type: "ForbiddenException"})
		return
	}
	f.plane.Serve(w, r, apiID, path)
}

// executeAPIHost matches {apiId}.execute-api.<anything>, the AWS and
// LocalStack host forms of the data plane.
func executeAPIHost(host string) (string, bool) {
	first, rest, ok := strings.Cut(host, ".")
	return first, ok && first != "" && strings.HasPrefix(rest, "execute-api.")
}
