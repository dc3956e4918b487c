package server

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/pprof"
	"net/url"
	"os"
	"runtime"
	"strconv"
	"strings"

	"github.com/portico-dev/portico/internal/apigw"
	"github.com/portico-dev/portico/internal/awsproto"
	"github.com/portico-dev/portico/internal/dataplane"
	"github.com/portico-dev/portico/internal/dataplane/integration"
	"github.com/portico-dev/portico/internal/version"
)

const (
	pprofPrefix = "/_portico/debug/pprof/"
	logsPrefix  = "/_portico/logs/"
)

// handler builds the listener's surfaces (docs/architecture.md#surfaces).
func (s *Server) handler() http.Handler {
	defaults := awsproto.Identity{Account: s.cfg.Account, Region: s.cfg.Region}
	var quotas *apigw.Quotas // nil: AWS's defaults
	if s.cfg.NoQuotas {
		quotas = &apigw.Quotas{}
	}
	service := apigw.New(s.store, apigw.Config{
		Endpoint: s.endpoint,
		Quotas:   quotas,
	})
	plane := dataplane.New(dataplane.Config{
		Source:         service,
		SigV4:          s.verifier,
		AccessLog:      s.accessLogs,
		PublicEgress:   s.cfg.AuthorizerEgress == "public",
		LocalFunctions: s.localFunctions(),
		Defaults:       defaults,
		LambdaEndpoint: s.cfg.LambdaEndpoint,
		IdleTimeout:    s.cfg.WebSocketIdleTimeout,
		MaxDuration:    s.cfg.WebSocketMaxDuration,
		Directory:      s.directory(),
		Recorder:       s.inspect,
		Metrics:        s.metrics,
		Logger:         s.cfg.Logger,
	})
	s.plane = plane
	s.livePlane.Store(plane)
	control := awsproto.NewHandler(apigw.Operations(service), defaults, s.cfg.Logger)
	control.Heavy = map[string]bool{"ImportApi": true, "ReimportApi": true}
	control.Metrics = s.metrics
	s.metrics.Gauge("portico_websocket_connections", "Open WebSocket connections on this node.",
		func() float64 { return float64(plane.Connections()) })
	f := &front{
		plane:   plane,
		node:    s.node,
		invoke:  s.functions.InvokeHandler(),
		control: control,
		guard:   newGuard(s.cfg.Listen, s.cfg.AllowedHosts, s.cfg.AllowedOrigins),
		ops:     map[string]http.HandlerFunc{},
		console: s.console(service, defaults),
	}
	reset := func(w http.ResponseWriter, r *http.Request) {
		if err := s.store.Reset(r.Context()); err != nil {
			awsproto.WriteError(w, err)
			return
		}
		plane.Reset(r.Context())
		s.inspect.Reset()
		w.WriteHeader(http.StatusNoContent)
	}
	f.ops["GET /_portico/health"] = s.health
	f.ops["HEAD /_portico/health"] = s.health
	f.ops["GET /_portico/stats"] = func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"rssBytes": residentBytes(),
			"goroutines": runtime.NumGoroutine(), "webSocketConnections": plane.Connections()})
	}
	f.ops["POST /_portico/reset"] = reset
	f.ops["GET "+logsPrefix] = s.logs
	f.ops["* "+inspectPrefix] = s.serveInspect
	f.ops["GET /_portico/metrics"] = s.metrics.Handler().ServeHTTP
	// The names LocalStack users' scripts and test containers already
	// call (docs/compatibility.md).
	f.ops["GET /_localstack/health"] = s.localstackHealth
	f.ops["HEAD /_localstack/health"] = s.localstackHealth
	f.ops["POST /_localstack/state/reset"] = reset
	if s.cfg.Pprof {
		f.ops["* "+pprofPrefix] = func(w http.ResponseWriter, r *http.Request) {
			name := strings.TrimPrefix(r.URL.Path, pprofPrefix)
			r.URL.Path = "/debug/pprof/" + name
			switch name {
			case "profile":
				pprof.Profile(w, r)
			case "trace":
				pprof.Trace(w, r)
			case "":
				pprof.Index(w, r)
			default:
				pprof.Handler(name).ServeHTTP(w, r)
			}
		}
	}
	return f
}

// health answers 200 while Portico can serve, 503 with the reason when its
// store cannot.
func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	body := map[string]any{"status": "ok", "version": version.Get().Version, "store": s.StoreKind}
	if c := version.Get().Commit; c != "" {
		body["commit"] = c
	}
	status := http.StatusOK
	if err := s.storeHealth(r.Context()); err != nil {
		status = http.StatusServiceUnavailable
		body["status"] = "unavailable"
		body["reason"] = err.Error()
	}
	if s.init != nil {
		body["init"] = s.init.report()
	}
	writeJSON(w, status, body)
}

// localstackHealth is /_localstack/health in LocalStack's shape, for the
// tools that wait on it: each service "running", or "error" when the store
// is failing.
func (s *Server) localstackHealth(w http.ResponseWriter, r *http.Request) {
	state, status := "running", http.StatusOK
	if s.storeHealth(r.Context()) != nil {
		state, status = "error", http.StatusServiceUnavailable
	}
	writeJSON(w, status, map[string]any{
		"services": map[string]string{"apigateway": state, "apigatewayv2": state, "apigatewaymanagementapi": state},
		"edition":  "portico", "version": version.Get().Version,
	})
}

func (s *Server) storeHealth(ctx context.Context) error {
	return s.store.Health(ctx)
}

// logs answers GET /_portico/logs/{log group}?limit=N: the group's latest
// access log lines, oldest first (N: 100 by default, at most 1000).
func (s *Server) logs(w http.ResponseWriter, r *http.Request) {
	group, err := url.PathUnescape(strings.TrimPrefix(r.URL.EscapedPath(), logsPrefix))
	if err != nil || group == "" {
		awsproto.WriteError(w, awsproto.BadRequest("A log group name is required: GET /_portico/logs/{log group}"))
		return
	}
	limit := 100
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			awsproto.WriteError(w, awsproto.BadRequest("Invalid limit %q: a positive integer", awsproto.Echo(v)))
			return
		}
		limit = n
	}
	lines, err := s.accessLogs.Tail(group, limit)
	if err != nil {
		awsproto.WriteError(w, awsproto.BadRequest("%s", err.Error()))
		return
	}
	if lines == nil {
		lines = []string{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"logGroup": group, "lines": lines})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(b)
}

// residentBytes is the process's resident memory (Linux; 0 elsewhere).
func residentBytes() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// localFunctions are the functions integrations call in process: Portico's
// own, unless --lambda-endpoint names another Invoke API.
func (s *Server) localFunctions() integration.LocalFunctions {
	if s.cfg.LambdaEndpoint != "" || len(s.functions.Names()) == 0 {
		return nil
	}
	return s.functions
}
