// Package server wires Portico together: the store, the ApiGatewayV2
// control plane and the operations endpoints, on one listener. It is the
// package the portico command runs, and the one Go programs use to start
// Portico inside their own tests:
//
//	srv, err := server.Start(server.Config{Listen: "127.0.0.1:0", InMemory: true})
//	...
//	defer srv.Close()
//	client := apigatewayv2.New(apigatewayv2.Options{BaseEndpoint: aws.String(srv.URL), ...})
package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/portico-dev/portico/internal/apigw"
	"github.com/portico-dev/portico/internal/awsproto"
	"github.com/portico-dev/portico/internal/dataplane"
	"github.com/portico-dev/portico/internal/store"
	"github.com/portico-dev/portico/internal/store/memory"
	"github.com/portico-dev/portico/internal/store/sqlite"
)

// Config is every setting; the zero value plus a Listen address works.
type Config struct {
	// Listen is the address to listen on (default 127.0.0.1:4800; port 0
	// picks a free port).
	Listen string
	// DataDir holds the SQLite database (default ./.portico).
	DataDir string
	// InMemory keeps nothing on disk.
	InMemory bool
	// Region and Account apply to requests without a SigV4 credential scope
	// (defaults us-east-1 and 000000000000).
	Region  string
	Account string
	// EndpointStyle is "local" (default: apiEndpoint is this server's
	// path-style execute-api URL, which works without DNS) or "aws"
	// (https://{apiId}.execute-api.{region}.amazonaws.com, wss:// for
	// WebSocket APIs, exactly as AWS returns it).
	EndpointStyle string
	// Logger receives one line per request at debug level (default: discard).
	Logger *slog.Logger
	// LambdaEndpoint is the Lambda Invoke API that AWS and AWS_PROXY
	// integrations call (real AWS, LocalStack, sam local start-lambda, the
	// runtime interface emulator). Empty: those integrations fail.
	LambdaEndpoint string
	// WebSocketIdleTimeout and WebSocketMaxDuration bound connections
	// (defaults: AWS's 10 minutes and 2 hours).
	WebSocketIdleTimeout time.Duration
	WebSocketMaxDuration time.Duration
	// Pprof serves Go's profiler under /_portico/debug/pprof/ (off by
	// default: it is for measuring Portico, not for its users).
	Pprof bool
}

// DatabaseFile is the SQLite file's name inside DataDir.
const DatabaseFile = "portico.db"

// Server is a running Portico.
type Server struct {
	// URL is the base URL clients use, e.g. http://127.0.0.1:4800.
	URL string

	cfg   Config
	store store.Store
	plane *dataplane.Plane
	http  *http.Server
	ln    net.Listener
	done  chan error

	stopOnce sync.Once
	stopErr  error
}

func (c *Config) setDefaults() {
	if c.Listen == "" {
		c.Listen = "127.0.0.1:4800"
	}
	if c.DataDir == "" {
		c.DataDir = ".portico"
	}
	if c.Region == "" {
		c.Region = "us-east-1"
	}
	if c.Account == "" {
		c.Account = "000000000000"
	}
	if c.EndpointStyle == "" {
		c.EndpointStyle = "local"
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
}

// Start opens the store, listens and serves in the background.
func Start(cfg Config) (*Server, error) {
	cfg.setDefaults()
	if cfg.EndpointStyle != "local" && cfg.EndpointStyle != "aws" {
		return nil, fmt.Errorf("endpoint style %q: want local or aws", cfg.EndpointStyle)
	}
	st, err := openStore(cfg)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		st.Close()
		return nil, err
	}
	s := &Server{cfg: cfg, store: st, ln: ln, done: make(chan error, 1), URL: "http://" + clientAddr(ln.Addr())}
	s.http = &http.Server{
		Handler: s.handler(),
		// Bounds on what a client can hold: headers, a whole request,
		// writing the answer, and an idle keep-alive connection.
		// WebSockets clear these deadlines once upgraded.
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(cfg.Logger.Handler(), slog.LevelWarn),
	}
	go func() { s.done <- s.http.Serve(ln) }()
	return s, nil
}

func openStore(cfg Config) (store.Store, error) {
	if cfg.InMemory {
		return memory.New(), nil
	}
	if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
		return nil, err
	}
	return sqlite.Open(filepath.Join(cfg.DataDir, DatabaseFile))
}

// clientAddr is the address clients dial: a wildcard listen address is
// reached on loopback.
func clientAddr(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok || !tcp.IP.IsUnspecified() {
		return a.String()
	}
	return net.JoinHostPort("127.0.0.1", fmt.Sprint(tcp.Port))
}

// handler routes the listener's surfaces (DESIGN.md section 1).
func (s *Server) handler() http.Handler {
	defaults := awsproto.Identity{Account: s.cfg.Account, Region: s.cfg.Region}
	var plane *dataplane.Plane
	service := apigw.New(s.store, apigw.Config{
		Endpoint: s.endpoint,
		// The data plane drops what it compiled for an API when the
		// API changes; it is set just below, before any request.
		OnChange: func(sc store.Scope, apiID string) { plane.Invalidate(sc, apiID) },
	})
	plane = dataplane.New(dataplane.Config{
		Store:          s.store,
		Service:        service,
		Defaults:       defaults,
		LambdaEndpoint: s.cfg.LambdaEndpoint,
		IdleTimeout:    s.cfg.WebSocketIdleTimeout,
		MaxDuration:    s.cfg.WebSocketMaxDuration,
		Logger:         s.cfg.Logger,
	})
	s.plane = plane
	control := awsproto.NewHandler(apigw.Operations(service), defaults, s.cfg.Logger)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /_portico/health", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"status":"ok"}`))
	})
	mux.HandleFunc("GET /_portico/stats", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"rssBytes":%d,"goroutines":%d,"webSocketConnections":%d}`,
			residentBytes(), runtime.NumGoroutine(), plane.Connections())
	})
	if s.cfg.Pprof {
		mux.HandleFunc("/_portico/debug/pprof/", func(w http.ResponseWriter, r *http.Request) {
			r.URL.Path = strings.Replace(r.URL.Path, "/_portico/debug/pprof/", "/debug/pprof/", 1)
			switch name := strings.TrimPrefix(r.URL.Path, "/debug/pprof/"); name {
			case "profile":
				pprof.Profile(w, r)
			case "trace":
				pprof.Trace(w, r)
			case "":
				pprof.Index(w, r)
			default:
				pprof.Handler(name).ServeHTTP(w, r)
			}
		})
	}
	mux.HandleFunc("POST /_portico/reset", func(w http.ResponseWriter, r *http.Request) {
		if err := s.store.Reset(r.Context()); err != nil {
			awsproto.WriteError(w, err)
			return
		}
		plane.Reset(r.Context())
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("/_aws/execute-api/", func(w http.ResponseWriter, r *http.Request) {
		// /_aws/execute-api/{apiId}/{stage}/{rest...}: the path form,
		// which needs no DNS.
		rest := strings.TrimPrefix(r.URL.EscapedPath(), "/_aws/execute-api/")
		apiID, rest, _ := strings.Cut(rest, "/")
		servePlane(plane, w, r, apiID, rest)
	})
	mux.Handle("/", control)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if apiID, ok := executeAPIHost(r.Host); ok {
			servePlane(plane, w, r, apiID, strings.TrimPrefix(r.URL.EscapedPath(), "/"))
			return
		}
		mux.ServeHTTP(w, r)
	})
}

// servePlane splits "{stage}/{rest}" and hands the request to the data
// plane. The stage is a path segment; a percent-encoded $default is
// decoded.
func servePlane(plane *dataplane.Plane, w http.ResponseWriter, r *http.Request, apiID, path string) {
	stage, rest, _ := strings.Cut(path, "/")
	stage, err := url.PathUnescape(stage)
	if err != nil || apiID == "" || stage == "" {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusForbidden)
		w.Write([]byte(`{"message":"Forbidden"}`))
		return
	}
	plane.Serve(w, r, apiID, stage, rest)
}

// executeAPIHost matches {apiId}.execute-api.<anything>, the AWS and
// LocalStack host forms of the data plane.
func executeAPIHost(host string) (string, bool) {
	first, rest, ok := strings.Cut(host, ".")
	return first, ok && first != "" && strings.HasPrefix(rest, "execute-api.")
}

func (s *Server) endpoint(apiID, protocol, region string) string {
	if s.cfg.EndpointStyle == "aws" {
		return apigw.AWSEndpoint(apiID, protocol, region)
	}
	base := s.URL
	if protocol == "WEBSOCKET" {
		base = "ws" + strings.TrimPrefix(base, "http")
	}
	return base + "/_aws/execute-api/" + apiID
}

// Shutdown stops accepting requests and waits for those in flight until ctx
// ends; connections still open then are closed. The store is closed last,
// so every acknowledged write is committed. Calling it again is a no-op.
func (s *Server) Shutdown(ctx context.Context) error {
	s.stopOnce.Do(func() {
		// WebSockets are hijacked connections that http.Server no longer
		// tracks: close them first, with 1001, and run their $disconnect.
		s.plane.Shutdown(ctx)
		if err := s.http.Shutdown(ctx); err != nil {
			// Out of patience: clients that keep connections open
			// without sending anything must not hold the process.
			s.http.Close()
		}
		if err := <-s.done; !errors.Is(err, http.ErrServerClosed) {
			s.stopErr = err
		}
		if err := s.store.Close(); s.stopErr == nil {
			s.stopErr = err
		}
	})
	return s.stopErr
}

// Close shuts down with a short grace period.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	return s.Shutdown(ctx)
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
