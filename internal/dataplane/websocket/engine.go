// Package websocket is the engine of WebSocket APIs: $connect before the
// upgrade is answered, route selection, integrations with their mapping
// templates, route responses, $disconnect, and the @connections
// management API (docs/architecture.md#websocket).
package websocket

import (
	"context"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/portico-dev/portico/internal/accesslog"
	"github.com/portico-dev/portico/internal/dataplane/gateway"
	"github.com/portico-dev/portico/internal/dataplane/integration"
	"github.com/portico-dev/portico/internal/inspect"
	"github.com/portico-dev/portico/internal/metrics"
)

// Config is what the engine needs.
type Config struct {
	// Stage returns the compiled stage a connection serves: the one the
	// data plane's cache holds now, so that a redeploy reaches live
	// connections on their next message.
	Stage  func(ctx context.Context, k gateway.StageKey) (*Stage, error)
	Lambda *integration.Lambda
	// HTTPClient calls HTTP and HTTP_PROXY backends.
	HTTPClient *http.Client
	// IdleTimeout and MaxDuration bound connections (AWS: 10 minutes
	// without messages, 2 hours in all).
	IdleTimeout time.Duration
	MaxDuration time.Duration
	// AccessLog receives the stages' access log lines (nil: none kept).
	AccessLog *accesslog.Sink
	// Directory finds connections that other nodes hold (nil: this node
	// is the only one).
	Directory Directory
	// Recorder receives an entry per connect, message, disconnect and
	// @connections call (nil: none; the inspector and the metrics).
	Recorder *inspect.Recorder
	// Metrics counts throttled connects and messages (nil: none).
	Metrics *metrics.Metrics
	Logger  *slog.Logger
}

// Directory is where the nodes of a cluster record which of them holds
// each connection (internal/cluster implements it).
type Directory interface {
	// Claim records that this node holds connection id of stage k;
	// store.ErrConflict if the id is taken (on any node).
	Claim(ctx context.Context, id string, k gateway.StageKey) error
	// Release forgets a connection of this node that closed.
	Release(id string)
	// Locate returns the stage of a connection another live node holds.
	Locate(ctx context.Context, id string) (gateway.StageKey, bool)
	// Forward serves a management call for connection id of stage k on
	// the live node that holds it, and reports whether one does.
	Forward(w http.ResponseWriter, r *http.Request, k gateway.StageKey, id string, body []byte) bool
}

// Engine serves the WebSocket stages. It is safe for concurrent use.
type Engine struct {
	cfg    Config
	lambda *integration.Lambda
	conns  *registry
	// stopping refuses new connections once Shutdown has begun.
	stopping atomic.Bool
}

// New returns an engine.
func New(cfg Config) *Engine {
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = 10 * time.Minute
	}
	if cfg.MaxDuration <= 0 {
		cfg.MaxDuration = 2 * time.Hour
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Engine{cfg: cfg, lambda: cfg.Lambda, conns: newRegistry()}
}

func (p *Engine) stage(ctx context.Context, k gateway.StageKey) (*Stage, error) {
	return p.cfg.Stage(ctx, k)
}

// Serve answers a request for a stage's WebSocket URL: rest is the path
// after the stage, which must be empty.
func (p *Engine) Serve(w http.ResponseWriter, r *http.Request, stage *Stage, rest string) {
	if rest != "" {
		refuse(w, http.StatusForbidden, "Forbidden")
		return
	}
	p.serveWebSocket(w, r, stage)
}

// ServeConnections serves the @connections management API of a stage.
func (p *Engine) ServeConnections(w http.ResponseWriter, r *http.Request, k gateway.StageKey, id string) {
	p.serveConnections(w, r, k, id, true)
}

// ServeForwarded serves a management call another node forwarded here
// (it checked the caller): only this node's own connections answer.
func (p *Engine) ServeForwarded(w http.ResponseWriter, r *http.Request, k gateway.StageKey, id string) {
	p.serveConnections(w, r, k, id, false)
}

// Open lists the open connections, for the cluster directory.
func (p *Engine) Open() []OpenConn {
	p.conns.mu.RLock()
	defer p.conns.mu.RUnlock()
	out := make([]OpenConn, 0, len(p.conns.conns))
	for id, c := range p.conns.conns {
		if !c.isClosing() {
			out = append(out, OpenConn{ID: id, Key: c.key, ConnectedAt: c.connectedAt, LastActiveAt: c.lastActive(),
				SourceIP: c.identity.SourceIP, UserAgent: c.identity.UserAgent})
		}
	}
	return out
}

// OpenConn is an open connection and its stage.
type OpenConn struct {
	ID                        string
	Key                       gateway.StageKey
	ConnectedAt, LastActiveAt time.Time
	SourceIP, UserAgent       string
}

// ServeConnectionByID serves the @connections management API addressed by
// connection id alone, on Portico's own address: an id is unique, so it
// names the API and stage (AWS's samples build the endpoint from the
// event's domainName and stage, which may be Portico's own address). stage,
// when the path gives one, must be the connection's [I]; an unknown id is
// 410 as on the API's own URLs.
func (p *Engine) ServeConnectionByID(w http.ResponseWriter, r *http.Request, stage, id string) {
	k, ok := p.conns.keyOf(id)
	if !ok && p.cfg.Directory != nil {
		k, ok = p.cfg.Directory.Locate(r.Context(), id)
	}
	if !ok || stage != "" && stage != k.Stage {
		k = gateway.StageKey{APIID: "-", Stage: stage}
	}
	p.serveConnections(w, r, k, id, true)
}

// ConnectionsPath matches "@connections/{id}" (the rest of a path after the
// stage) and decodes the id.
func ConnectionsPath(rest string) (string, bool) { return connectionsPath(rest) }

// Reset closes every connection: the state they were served from is gone.
func (p *Engine) Reset(ctx context.Context) {
	p.conns.closeAll(ctx, closeGoingAway, "")
}

// Shutdown closes every connection with 1001 (going away) and runs their
// $disconnect routes, waiting for them until ctx ends; no new connection
// is accepted after it begins.
func (p *Engine) Shutdown(ctx context.Context) {
	p.stopping.Store(true)
	p.conns.closeAll(ctx, closeGoingAway, "")
}

// Connections is how many connections are open.
func (p *Engine) Connections() int {
	p.conns.mu.RLock()
	defer p.conns.mu.RUnlock()
	return len(p.conns.conns)
}

// refuse answers an upgrade API Gateway turns away, with its
// {"message": ...} body and error type.
func refuse(w http.ResponseWriter, status int, msg string) {
	gateway.Write(w, &gateway.Error{Status: status, Message: msg, Type: ErrorType(status)})
}

// ErrorType is the x-amzn-ErrorType of a refused upgrade.
func ErrorType(status int) string {
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
