// Package dataplane serves the APIs Portico manages (the execute-api
// surface): WebSocket APIs with route selection, integrations, route
// responses and the @connections management API. A stage serves its
// compiled deployment: built from the deployment's snapshot the first time
// it is needed, kept in memory, and dropped when the control plane
// announces a change to the API, so no request reads the database once
// its stage is compiled.
package dataplane

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/portico-dev/portico/internal/apigw"
	"github.com/portico-dev/portico/internal/awsproto"
	"github.com/portico-dev/portico/internal/store"
)

// Config is what the data plane needs.
type Config struct {
	Store   store.Store
	Service *apigw.Server
	// Defaults picks the scope when an API id exists in several accounts
	// or regions (ids are random, so only by accident).
	Defaults awsproto.Identity
	// LambdaEndpoint is the base URL of a Lambda Invoke API (real AWS,
	// LocalStack, sam local start-lambda, the runtime interface emulator).
	// Empty: AWS and AWS_PROXY integrations fail as integration errors.
	LambdaEndpoint string
	// HTTPClient makes integration calls (default: a client with no
	// overall timeout; each call has the integration's own).
	HTTPClient *http.Client
	// IdleTimeout and MaxDuration bound WebSocket connections (AWS: 10
	// minutes without messages, 2 hours in all).
	IdleTimeout time.Duration
	MaxDuration time.Duration
	Logger      *slog.Logger
}

// Plane is the data plane. It is safe for concurrent use.
type Plane struct {
	cfg    Config
	lambda *lambdaClient

	mu     sync.Mutex
	stages map[stageKey]*compiled
	scopes map[string]store.Scope // apiID -> its scope

	conns *registry
	// stopping refuses new WebSockets once Shutdown has begun.
	stopping atomic.Bool
}

// stageKey names a stage of an API in a scope.
type stageKey struct {
	scope store.Scope
	apiID string
	stage string
}

// New returns a data plane.
func New(cfg Config) *Plane {
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = 10 * time.Minute
	}
	if cfg.MaxDuration <= 0 {
		cfg.MaxDuration = 2 * time.Hour
	}
	if cfg.HTTPClient == nil {
		// Integrations call few hosts very often: keep many idle
		// connections per host (the default keeps 2, which turns a busy
		// route into a new TCP connection per message).
		cfg.HTTPClient = &http.Client{Transport: &http.Transport{
			Proxy:               http.ProxyFromEnvironment,
			MaxIdleConns:        4096,
			MaxIdleConnsPerHost: 1024,
			IdleConnTimeout:     90 * time.Second,
		}}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Plane{
		cfg:    cfg,
		lambda: &lambdaClient{endpoint: cfg.LambdaEndpoint, client: cfg.HTTPClient},
		stages: map[stageKey]*compiled{},
		scopes: map[string]store.Scope{},
		conns:  newRegistry(),
	}
}

// Invalidate drops what was compiled for an API; the control plane calls
// it after every committed change that can alter what the API serves.
// Live connections keep going: their next message uses the new deployment.
func (p *Plane) Invalidate(scope store.Scope, apiID string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.scopes, apiID)
	for k := range p.stages {
		if k.apiID == apiID && k.scope == scope {
			delete(p.stages, k)
		}
	}
}

// Reset forgets everything compiled and closes every connection: the
// state they were served from is gone (POST /_portico/reset).
func (p *Plane) Reset(ctx context.Context) {
	p.mu.Lock()
	p.stages = map[stageKey]*compiled{}
	p.scopes = map[string]store.Scope{}
	p.mu.Unlock()
	p.conns.closeAll(ctx, closeGoingAway, "")
}

var errNoStage = errors.New("dataplane: no such stage, or no deployment on it")

// locate finds the scope of an API by its id alone.
func (p *Plane) locate(ctx context.Context, apiID string) (store.Scope, error) {
	p.mu.Lock()
	sc, ok := p.scopes[apiID]
	p.mu.Unlock()
	if ok {
		return sc, nil
	}
	scopes, err := p.cfg.Store.Locate(ctx, "api", apiID)
	if err != nil {
		return sc, err
	}
	if len(scopes) == 0 {
		return sc, errNoStage
	}
	sc = scopes[0]
	for _, s := range scopes {
		if s.Account == p.cfg.Defaults.Account && s.Region == p.cfg.Defaults.Region {
			sc = s
		}
	}
	p.mu.Lock()
	p.scopes[apiID] = sc
	p.mu.Unlock()
	return sc, nil
}

// stage returns the compiled deployment of a stage, compiling it on first
// use. Two requests racing on a cold stage may both compile it; the result
// is the same.
func (p *Plane) stage(ctx context.Context, k stageKey) (*compiled, error) {
	p.mu.Lock()
	c, ok := p.stages[k]
	p.mu.Unlock()
	if ok {
		return c, nil
	}
	st, snap, err := p.cfg.Service.LoadStage(ctx, k.scope, k.apiID, k.stage)
	if errors.Is(err, store.ErrNotFound) || err == nil && snap == nil {
		return nil, errNoStage
	}
	if err != nil {
		return nil, err
	}
	c, err = compile(k, st, snap)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	p.stages[k] = c
	p.mu.Unlock()
	return c, nil
}

// ServeHTTP serves one execute-api request for apiID and stage; rest is
// the path after the stage ("" for the stage root).
func (p *Plane) Serve(w http.ResponseWriter, r *http.Request, apiID, stageName, rest string) {
	sc, err := p.locate(r.Context(), apiID)
	if err != nil {
		p.refuse(w, err, http.StatusNotFound, "Not Found")
		return
	}
	k := stageKey{scope: sc, apiID: apiID, stage: stageName}
	if conn, ok := connectionsPath(rest); ok {
		p.serveConnections(w, r, k, conn)
		return
	}
	c, err := p.stage(r.Context(), k)
	if err != nil {
		// A stage that does not exist, or has nothing deployed, is
		// refused as AWS refuses an unknown stage.
		p.refuse(w, err, http.StatusForbidden, "Forbidden")
		return
	}
	if c.protocol != "WEBSOCKET" {
		e := awsproto.NotImplemented("execute-api")
		e.Message = "Portico does not serve HTTP APIs yet"
		awsproto.WriteError(w, e)
		return
	}
	if rest != "" {
		p.refuse(w, nil, http.StatusForbidden, "Forbidden")
		return
	}
	p.serveWebSocket(w, r, c)
}

// refuse answers a data-plane request API Gateway turns away, with its
// {"message": ...} body.
func (p *Plane) refuse(w http.ResponseWriter, err error, status int, msg string) {
	if err != nil && !errors.Is(err, errNoStage) {
		p.cfg.Logger.Warn("data plane", "error", err)
		status, msg = http.StatusInternalServerError, "Internal server error"
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header()["x-amzn-ErrorType"] = []string{errorTypeFor(status)}
	w.WriteHeader(status)
	w.Write([]byte(`{"message":"` + msg + `"}`))
}

func errorTypeFor(status int) string {
	switch status {
	case http.StatusForbidden:
		return "ForbiddenException"
	case http.StatusUnauthorized:
		return "UnauthorizedException"
	case http.StatusServiceUnavailable:
		return "ServiceUnavailableException"
	case http.StatusNotFound:
		return "NotFoundException"
	}
	return "InternalServerErrorException"
}

// Shutdown closes every WebSocket with 1001 (going away) and runs their
// $disconnect routes, waiting for them until ctx ends.
func (p *Plane) Shutdown(ctx context.Context) {
	p.stopping.Store(true)
	p.conns.closeAll(ctx, closeGoingAway, "")
}

// Connections is how many WebSocket connections are open.
func (p *Plane) Connections() int {
	p.conns.mu.RLock()
	defer p.conns.mu.RUnlock()
	return len(p.conns.conns)
}
