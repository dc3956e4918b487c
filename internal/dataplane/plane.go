// Package dataplane serves the APIs Portico manages (the execute-api
// surface). It finds the API and stage of a request (from the execute-api
// host or path, or a custom domain's mappings), keeps each stage's
// compiled deployment, and hands the request to the engine of the API's
// protocol: websocket or httpapi. It knows the control plane only through
// Source (docs/architecture.md#data-plane); no request reads the store
// once its stage is compiled.
package dataplane

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/portico-dev/portico/internal/accesslog"
	"github.com/portico-dev/portico/internal/apigw"
	"github.com/portico-dev/portico/internal/awsproto"
	"github.com/portico-dev/portico/internal/dataplane/gateway"
	"github.com/portico-dev/portico/internal/dataplane/httpapi"
	"github.com/portico-dev/portico/internal/dataplane/httpapi/jwtauth"
	"github.com/portico-dev/portico/internal/dataplane/integration"
	"github.com/portico-dev/portico/internal/dataplane/websocket"
	"github.com/portico-dev/portico/internal/inspect"
	"github.com/portico-dev/portico/internal/metrics"
	"github.com/portico-dev/portico/internal/sigv4"
	"github.com/portico-dev/portico/internal/store"
)

// Source is all the data plane needs of the control plane; apigw.Server
// implements it.
type Source interface {
	// LocateAPI returns the scope an API id lives in (prefer when it is in
	// several) and its protocol, or store.ErrNotFound.
	LocateAPI(ctx context.Context, apiID string, prefer store.Scope) (apigw.APILocation, error)
	// LoadStage returns a stage and the snapshot of its deployment (nil
	// when it has none), or store.ErrNotFound.
	LoadStage(ctx context.Context, sc store.Scope, apiID, stage string) (*apigw.Stage, *apigw.Snapshot, error)
	// LoadDomain returns a custom domain name with its API mappings, or
	// store.ErrNotFound.
	LoadDomain(ctx context.Context, name string, prefer store.Scope) (*apigw.Domain, error)
	// Watch calls fn after every committed change to an API or a domain.
	Watch(fn func(apigw.Change)) (cancel func())
}

// Config is what the data plane needs.
type Config struct {
	Source Source
	// Defaults picks the scope when an API id or a domain name exists in
	// several accounts or regions.
	Defaults awsproto.Identity
	// LambdaEndpoint is the base URL of a Lambda Invoke API (real AWS,
	// LocalStack, sam local start-lambda, the runtime interface emulator).
	// Empty: AWS and AWS_PROXY integrations fail as integration errors.
	LambdaEndpoint string
	// HTTPClient makes integration calls (default: integration.NewHTTPClient).
	HTTPClient *http.Client
	// IdleTimeout and MaxDuration bound WebSocket connections (AWS: 10
	// minutes without messages, 2 hours in all).
	IdleTimeout time.Duration
	MaxDuration time.Duration
	// SigV4 verifies the signatures of HTTP API routes with AWS_IAM
	// authorization (nil: form, scope and time only).
	SigV4 *sigv4.Verifier
	// AccessLog receives the stages' access log lines (nil: none kept).
	AccessLog *accesslog.Sink
	// PublicEgress restricts JWT authorizers' key fetches to https on
	// public addresses (--authorizer-egress public); by default they may
	// go to any http or https URL (local issuers).
	PublicEgress bool
	// LocalFunctions, when set, are the functions Lambda integrations and
	// authorizers call in process (Portico's own, --function) instead of
	// the Invoke API at LambdaEndpoint.
	LocalFunctions integration.LocalFunctions
	// Directory finds WebSocket connections other nodes hold (nil: one
	// node; internal/cluster).
	Directory websocket.Directory
	// Recorder receives the engines' inspector entries (nil: none).
	Recorder *inspect.Recorder
	// Metrics counts what the entries do not say: throttling, authorizer
	// caches, Lambda Invoke calls (nil: none).
	Metrics *metrics.Metrics
	Logger  *slog.Logger
}

// Plane is the data plane. It is safe for concurrent use.
type Plane struct {
	cfg     Config
	prefer  store.Scope
	cache   *cache
	ws      *websocket.Engine
	http    *httpapi.Engine
	stop    func() // ends the Watch
	domains domains
}

// New returns a data plane.
func New(cfg Config) *Plane {
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = integration.NewHTTPClient()
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	p := &Plane{cfg: cfg, prefer: store.Scope{Account: cfg.Defaults.Account, Region: cfg.Defaults.Region}}
	p.cache = newCache(p.compile)
	lambda := &integration.Lambda{Endpoint: cfg.LambdaEndpoint, Client: cfg.HTTPClient, Local: cfg.LocalFunctions,
		Metrics: cfg.Metrics}
	p.ws = websocket.New(websocket.Config{
		Stage: func(ctx context.Context, k gateway.StageKey) (*websocket.Stage, error) {
			c, err := p.cache.stage(ctx, k)
			if err != nil {
				return nil, err
			}
			if c.ws == nil {
				return nil, errNoStage
			}
			return c.ws, nil
		},
		Lambda:      lambda,
		HTTPClient:  cfg.HTTPClient,
		IdleTimeout: cfg.IdleTimeout,
		MaxDuration: cfg.MaxDuration,
		AccessLog:   cfg.AccessLog,
		Directory:   cfg.Directory,
		Recorder:    cfg.Recorder,
		Metrics:     cfg.Metrics,
		Logger:      cfg.Logger,
	})
	egress := jwtauth.PolicyAny
	if cfg.PublicEgress {
		egress = jwtauth.PolicyPublic
	}
	p.http = httpapi.New(httpapi.Config{Lambda: lambda, HTTPClient: cfg.HTTPClient, SigV4: cfg.SigV4,
		AccessLog: cfg.AccessLog, JWTKeys: jwtauth.NewKeys(jwtauth.KeysConfig{Policy: egress, Logger: cfg.Logger}),
		Recorder: cfg.Recorder, Metrics: cfg.Metrics, Logger: cfg.Logger})
	p.resetDomains()
	p.stop = cfg.Source.Watch(func(ch apigw.Change) {
		if ch.All {
			p.cache.reset()
			p.resetDomains()
			return
		}
		p.cache.invalidate(ch)
		p.forgetDomain(ch)
	})
	return p
}

var errNoStage = errors.New("dataplane: no such stage, or no deployment on it")

// compiled is one stage's deployment in the form of its protocol's engine.
type compiled struct {
	protocol string
	// disableExecuteAPI: the API is served only through custom domains.
	disableExecuteAPI bool
	ws                *websocket.Stage
	http              *httpapi.Stage
}

// compile loads a stage and compiles its deployment; errNoStage when
// there is none to serve.
func (p *Plane) compile(ctx context.Context, k gateway.StageKey) (*compiled, error) {
	st, snap, err := p.cfg.Source.LoadStage(ctx, k.Scope, k.APIID, k.Stage)
	if errors.Is(err, store.ErrNotFound) || err == nil && snap == nil {
		return nil, errNoStage
	}
	if err != nil {
		return nil, err
	}
	c := &compiled{protocol: deref(snap.Api.ProtocolType), disableExecuteAPI: deref(snap.Api.DisableExecuteApiEndpoint)}
	switch c.protocol {
	case "WEBSOCKET":
		c.ws, err = websocket.Compile(k, st, snap)
	case "HTTP":
		c.http, err = p.http.Compile(k, st, snap)
	}
	if err != nil {
		return nil, err
	}
	return c, nil
}

// Reset forgets everything compiled and closes every connection: the
// state they were served from is gone (POST /_portico/reset).
func (p *Plane) Reset(ctx context.Context) {
	p.cache.reset()
	p.resetDomains()
	p.ws.Reset(ctx)
}

// Shutdown closes every WebSocket with 1001 (going away) and runs their
// $disconnect routes, waiting for them until ctx ends.
func (p *Plane) Shutdown(ctx context.Context) {
	p.stop()
	p.ws.Shutdown(ctx)
}

// ServeRootConnections serves /@connections/{id} and
// /{stage}/@connections/{id} on Portico's own address (path: the escaped
// path without its leading "/"), and reports whether path was one.
func (p *Plane) ServeRootConnections(w http.ResponseWriter, r *http.Request, path string) bool {
	stage, rest, found := strings.Cut(path, "/")
	if id, ok := websocket.ConnectionsPath(path); ok {
		p.ws.ServeConnectionByID(w, r, "", id)
		return true
	}
	if !found {
		return false
	}
	id, ok := websocket.ConnectionsPath(rest)
	if !ok {
		return false
	}
	name, err := unescapeSegment(stage)
	if err != nil || name == "" {
		return false
	}
	p.ws.ServeConnectionByID(w, r, name, id)
	return true
}

// ServeForwarded serves a management call that another node forwarded
// for a connection of this one.
func (p *Plane) ServeForwarded(w http.ResponseWriter, r *http.Request, k gateway.StageKey, id string) {
	p.ws.ServeForwarded(w, r, k, id)
}

// OpenConnections lists the open WebSocket connections.
func (p *Plane) OpenConnections() []websocket.OpenConn { return p.ws.Open() }

// ServeStage serves a request on the HTTP API stage k with the paths the
// engine sees given (the inspector's replay: it reaches only this data
// plane, on the API and stage of the entry it replays). An unknown stage
// is the usual 404.
func (p *Plane) ServeStage(w http.ResponseWriter, r *http.Request, k gateway.StageKey, req httpapi.Request) {
	c, err := p.cache.stage(r.Context(), k)
	if err != nil {
		p.fail(w, err, nil, "HTTP")
		return
	}
	if c.protocol != "HTTP" {
		p.fail(w, nil, gateway.ErrNotFound, "HTTP")
		return
	}
	p.http.Serve(w, r, c.http, req)
}

// Deliver handles data on a WebSocket connection of this node as if its
// client had sent it (the inspector's replay); websocket.ErrNoConnection
// when it is not open here.
func (p *Plane) Deliver(ctx context.Context, connectionID, data string) error {
	return p.ws.Deliver(ctx, connectionID, data)
}

// Connections is how many WebSocket connections are open.
func (p *Plane) Connections() int { return p.ws.Connections() }

// Serve serves one execute-api request for apiID; path is the request's
// escaped path after the API ("{stage}/{rest}" for the path form, the
// whole path for the host form), without its leading "/".
func (p *Plane) Serve(w http.ResponseWriter, r *http.Request, apiID, path string) {
	ctx := r.Context()
	loc, err := p.cache.locate(ctx, apiID, func() (apigw.APILocation, error) {
		return p.cfg.Source.LocateAPI(ctx, apiID, p.prefer)
	})
	if err != nil {
		p.fail(w, err, gateway.ErrNotFound, loc.Protocol)
		return
	}
	first, rest, _ := strings.Cut(path, "/")
	stageName, err := unescapeSegment(first)
	if err != nil {
		stageName = ""
	}
	k := gateway.StageKey{Scope: loc.Scope, APIID: apiID, Stage: stageName}
	if loc.Protocol == "WEBSOCKET" {
		if stageName == "" {
			refuseUpgrade(w, http.StatusForbidden)
			return
		}
		if id, ok := websocket.ConnectionsPath(rest); ok {
			p.ws.ServeConnections(w, r, k, id)
			return
		}
	}
	var c *compiled
	if stageName != "" {
		c, err = p.cache.stage(ctx, k)
	}
	req := httpapi.Request{RawPath: "/" + path, MatchPath: "/" + rest, Stage: stageName}
	if loc.Protocol == "HTTP" && (stageName == "" || errors.Is(err, errNoStage)) {
		// No stage of that name: the $default stage, served at the root,
		// takes the whole path (docs/aws-behaviours.md#http-stages).
		k.Stage = "$default"
		c, err = p.cache.stage(ctx, k)
		req.MatchPath, req.Stage = "/"+path, "$default"
	}
	if err != nil {
		p.fail(w, err, nil, loc.Protocol)
		return
	}
	if c.disableExecuteAPI {
		// disableExecuteApiEndpoint: only custom domains serve the API
		// (docs/aws-behaviours.md#http-stages).
		p.fail(w, nil, &gateway.Error{Status: http.StatusForbidden, Message: "Forbidden", Type: webSocketType(c.protocol, http.StatusForbidden)}, c.protocol)
		return
	}
	p.dispatch(w, r, c, req, rest)
}

// dispatch hands a request to its stage's engine; rest is the path after
// the stage (or base path) for WebSocket stages.
func (p *Plane) dispatch(w http.ResponseWriter, r *http.Request, c *compiled, req httpapi.Request, rest string) {
	switch c.protocol {
	case "WEBSOCKET":
		p.ws.Serve(w, r, c.ws, rest)
	case "HTTP":
		p.http.Serve(w, r, c.http, req)
	default:
		p.fail(w, nil, gateway.ErrNotFound, c.protocol)
	}
}

// fail answers a request the data plane cannot route: with refusal (nil:
// the protocol's answer to an unknown stage) when err is nil or says there
// is nothing to serve, else (the store failed) with a 500 and a log line.
// HTTP APIs' answers carry no error type; WebSocket upgrades' do.
func (p *Plane) fail(w http.ResponseWriter, err error, refusal *gateway.Error, protocol string) {
	if refusal == nil {
		// An unknown stage: HTTP APIs answer 404, WebSocket APIs 403
		// (docs/aws-behaviours.md#http-stages, #websocket-connect).
		refusal = &gateway.Error{Status: http.StatusForbidden, Message: "Forbidden"}
		if protocol == "HTTP" {
			refusal = gateway.ErrNotFound
		}
	}
	if err != nil && !errors.Is(err, errNoStage) && !errors.Is(err, store.ErrNotFound) {
		p.cfg.Logger.Warn("data plane", "error", err)
		refusal = &gateway.Error{Status: http.StatusInternalServerError, Message: "Internal Server Error"}
		if protocol != "HTTP" {
			refusal.Message = "Internal server error"
		}
	}
	if refusal.Type == "" && protocol != "HTTP" {
		refusal = &gateway.Error{Status: refusal.Status, Message: refusal.Message, Type: websocket.ErrorType(refusal.Status)}
	}
	gateway.Write(w, refusal)
}

func webSocketType(protocol string, status int) string {
	if protocol == "HTTP" {
		return ""
	}
	return websocket.ErrorType(status)
}

func refuseUpgrade(w http.ResponseWriter, status int) {
	gateway.Write(w, &gateway.Error{Status: status, Message: http.StatusText(status), Type: websocket.ErrorType(status)})
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
