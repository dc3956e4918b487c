// Package server wires Portico together: the store, the ApiGatewayV2
// control plane and the operations endpoints, on one listener. It is the
// package the portico command runs, and the one Go programs use to start
// Portico inside their own tests:
//
//	srv, err := server.Start(server.Config{Listen: "127.0.0.1:0", InMemory: true})
//	...
//	defer srv.Close()
//	client := srv.Client() // the AWS SDK's ApiGatewayV2 client, aimed at srv
package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"

	"github.com/portico-dev/portico/internal/accesslog"
	"github.com/portico-dev/portico/internal/apigw"
	"github.com/portico-dev/portico/internal/cluster"
	"github.com/portico-dev/portico/internal/datadir"
	"github.com/portico-dev/portico/internal/dataplane"
	"github.com/portico-dev/portico/internal/inspect"
	"github.com/portico-dev/portico/internal/lambda"
	"github.com/portico-dev/portico/internal/lambda/bootstrap"
	"github.com/portico-dev/portico/internal/localtls"
	"github.com/portico-dev/portico/internal/metrics"
	"github.com/portico-dev/portico/internal/sigv4"
	"github.com/portico-dev/portico/internal/store"
)

// Config is every setting; the zero value plus a Listen address works.
type Config struct {
	// Listen is the address to listen on (default 127.0.0.1:4800; port 0
	// picks a free port).
	Listen string
	// DataDir holds the SQLite database (default ./.portico), unless
	// Store says otherwise, and this node's own files: the local CA and
	// the access logs.
	DataDir string
	// InMemory keeps nothing on disk.
	InMemory bool
	// Store, when set, says where the state lives: "memory:" (as
	// InMemory), "sqlite:///abs/path/portico.db" (that SQLite file; its
	// directory is locked), or a "postgres://" or "postgresql://" URL,
	// given to pgx as it is (so sslmode and pgx's other parameters work),
	// for several Portico nodes sharing one state.
	Store string
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
	// AllowedHosts are Host names the control plane and the operations
	// endpoints answer besides IP addresses, localhost, the listen address
	// and configured custom domain names ("*.example.com" for a domain and
	// its subdomains, "*" for any host). See guard.go.
	AllowedHosts []string
	// AllowedOrigins are the web origins ("https://app.example.com", or
	// "*") whose pages may call the control plane; Portico's own origin
	// always may.
	AllowedOrigins []string
	// InitDir, when set, holds scripts run once Portico is ready, in name
	// order, with AWS_ENDPOINT_URL pointing at it (see initdir.go).
	InitDir string
	// Credentials, when set, is a shared-credentials file (the format of
	// ~/.aws/credentials): the signatures of HTTP API routes with AWS_IAM
	// authorization are then verified against its keys. Without it a
	// well-formed, current signature for the right region is enough.
	Credentials string
	// Functions are the user's Lambda functions Portico runs itself, as
	// --function takes them: "NAME=COMMAND" with COMMAND a command line
	// speaking the Lambda Runtime API, "node:path/file.export" or
	// "python:module.function" (README, "Your Lambda code, locally").
	// When there are some and LambdaEndpoint is empty, integrations and
	// authorizers call them.
	Functions []string
	// FunctionsFile is a JSON or YAML file of functions (name, command or
	// runtime and handler, dir, environment, timeout, memorySize,
	// maxConcurrency).
	FunctionsFile string
	// Watch restarts a function's processes when files under its
	// directory change.
	Watch bool
	// AuthorizerEgress says where JWT authorizers may fetch their issuers'
	// keys from: "any" (default: any http or https URL, for local OIDC
	// servers) or "public" (https on public addresses only, for a shared
	// gateway: loopback, private, link-local and metadata addresses are
	// refused, through redirects and DNS answers too).
	AuthorizerEgress string
	// AccessLogStdout also prints every access log line on standard
	// output, as "{log group} {line}" (the lines are kept in the data
	// directory's logs/, or in memory with InMemory).
	AccessLogStdout bool
	// NoQuotas turns off AWS's default quotas (routes per API, stages
	// per API, APIs per account and region, ...), for test suites that
	// need more.
	NoQuotas bool
	// AdvertiseURL, when set, makes this process a node of a cluster on a
	// shared store: the URL the other nodes reach it on, for the
	// @connections calls they forward (docs/cluster.md).
	AdvertiseURL string
	// ClusterSecret authenticates node-to-node requests; the same on
	// every node.
	ClusterSecret string
	// ClusterLease is how long a node that stops renewing keeps its
	// connections in the directory (default cluster.DefaultLease).
	ClusterLease time.Duration
	// InspectEntries is how many data-plane exchanges the inspector keeps
	// (docs/inspector.md); 0 is the default, 2000, and a negative number
	// turns recording off.
	InspectEntries int
	// InspectBodyBytes is how much of each body the inspector keeps
	// (default 64 KiB); the rest is cut, with the entry marked truncated.
	InspectBodyBytes int
}

// DatabaseFile is the SQLite file's name inside DataDir.
const DatabaseFile = "portico.db"

// Server is a running Portico.
type Server struct {
	// URL is the base URL clients use, e.g. http://127.0.0.1:4800.
	URL string
	// TLSURL is the same listener's https URL: it serves TLS with a
	// certificate of the local CA (CAFile) on the same port.
	TLSURL string

	// StoreKind is the kind of store: StoreMemory, StoreSQLite or
	// StorePostgres; StoreWhere says where it is (the SQLite file, the
	// PostgreSQL URL without its password, "in memory").
	StoreKind, StoreWhere string

	cfg   Config
	store store.Store
	lock  *datadir.Held // the data directory's; nil in memory
	// storeLock is the directory of an SQLite database outside the data
	// directory; nil otherwise.
	storeLock *datadir.Held
	// verifier checks AWS_IAM routes' signatures.
	verifier *sigv4.Verifier
	// accessLogs keeps the stages' access log lines.
	accessLogs *accesslog.Sink
	ca         *localtls.CA
	// functions runs the user's Lambda functions; runtimes holds the
	// built-in bootstraps' files; stopWatch ends --watch.
	functions *lambda.Manager
	runtimes  *bootstrap.Runtimes
	stopWatch func()
	plane     *dataplane.Plane
	// livePlane is plane, for the cluster's renewal goroutine.
	livePlane atomic.Pointer[dataplane.Plane]
	node      *cluster.Node // nil without Config.AdvertiseURL
	http      *http.Server
	ln        net.Listener
	done      chan error
	init      *initRunner // nil without Config.InitDir
	// inspect keeps the data plane's recent traffic; it also feeds the
	// data plane's metrics.
	inspect *inspect.Recorder
	metrics *metrics.Metrics

	stopOnce sync.Once
	stopErr  error
}

// Defaults is the configuration Start fills unset fields from, and the
// portico command's flag defaults: the one place they are written.
func Defaults() Config {
	return Config{
		Listen:               "127.0.0.1:4800",
		DataDir:              ".portico",
		Region:               "us-east-1",
		Account:              "000000000000",
		EndpointStyle:        "local",
		AuthorizerEgress:     "any",
		WebSocketIdleTimeout: 10 * time.Minute,
		WebSocketMaxDuration: 2 * time.Hour,
		ClusterLease:         cluster.DefaultLease,
		InspectEntries:       inspect.DefaultEntries,
		InspectBodyBytes:     inspect.DefaultBodyBytes,
	}
}

func (c *Config) setDefaults() {
	d := Defaults()
	if c.Listen == "" {
		c.Listen = d.Listen
	}
	if c.DataDir == "" {
		c.DataDir = d.DataDir
	}
	if c.Region == "" {
		c.Region = d.Region
	}
	if c.Account == "" {
		c.Account = d.Account
	}
	if c.EndpointStyle == "" {
		c.EndpointStyle = d.EndpointStyle
	}
	if c.AuthorizerEgress == "" {
		c.AuthorizerEgress = d.AuthorizerEgress
	}
	if c.WebSocketIdleTimeout <= 0 {
		c.WebSocketIdleTimeout = d.WebSocketIdleTimeout
	}
	if c.WebSocketMaxDuration <= 0 {
		c.WebSocketMaxDuration = d.WebSocketMaxDuration
	}
	if c.InspectEntries == 0 {
		c.InspectEntries = d.InspectEntries
	}
	if c.InspectBodyBytes <= 0 {
		c.InspectBodyBytes = d.InspectBodyBytes
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
}

// Start opens the store, listens and serves in the background.
func Start(cfg Config) (_ *Server, err error) {
	cfg.setDefaults()
	if cfg.EndpointStyle != "local" && cfg.EndpointStyle != "aws" {
		return nil, fmt.Errorf("endpoint style %q: want local or aws", cfg.EndpointStyle)
	}
	if cfg.AuthorizerEgress != "any" && cfg.AuthorizerEgress != "public" {
		return nil, fmt.Errorf("authorizer egress %q: want any or public", cfg.AuthorizerEgress)
	}
	specs, err := functionSpecs(cfg)
	if err != nil {
		return nil, err
	}
	verifier := sigv4.New(sigv4.Config{DefaultAccount: cfg.Account})
	if cfg.Credentials != "" {
		creds, err := sigv4.LoadCredentials(cfg.Credentials)
		if err != nil {
			return nil, fmt.Errorf("--credentials: %w", err)
		}
		verifier = sigv4.New(sigv4.Config{Credentials: creds, DefaultAccount: cfg.Account})
	}
	// What is opened is closed again, in reverse order, if a later step
	// fails.
	var undo []func()
	defer func() {
		if err != nil {
			for i := len(undo) - 1; i >= 0; i-- {
				undo[i]()
			}
		}
	}()
	spec, err := parseStore(cfg)
	if err != nil {
		return nil, err
	}
	if spec.kind == StoreMemory {
		cfg.InMemory = true // nothing on disk: no CA, no log files either
	}
	lock, err := lockDataDir(cfg)
	if err != nil {
		return nil, err
	}
	undo = append(undo, func() { lock.Close() })
	st, storeLock, err := openStore(cfg, spec)
	if err != nil {
		return nil, err
	}
	undo = append(undo, func() { st.Close(); storeLock.Close() })
	logCfg := accesslog.Config{Logger: cfg.Logger}
	if !cfg.InMemory {
		logCfg.Dir = filepath.Join(cfg.DataDir, "logs")
	}
	if cfg.AccessLogStdout {
		logCfg.Mirror = os.Stdout
	}
	accessLogs, err := accesslog.New(logCfg)
	if err != nil {
		return nil, err
	}
	undo = append(undo, func() { accessLogs.Close() })
	// The listener also speaks TLS (told apart by each connection's first
	// byte), with a certificate from a local CA the user's processes
	// trust: AWS's samples post to https://{domainName}/{stage}.
	var ca *localtls.CA
	if cfg.InMemory {
		ca, err = localtls.Ephemeral()
	} else {
		ca, err = localtls.LoadOrCreate(filepath.Join(cfg.DataDir, CADir))
	}
	if err != nil {
		return nil, err
	}
	undo = append(undo, func() { ca.Close() })
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return nil, err
	}
	undo = append(undo, func() { ln.Close() })
	hosts := append([]string{hostOf(cfg.Listen)}, cfg.AllowedHosts...)
	for _, h := range hosts {
		if ip := net.ParseIP(h); h != "" && h != "*" && (ip == nil || !ip.IsUnspecified()) && !ca.Covers(h) {
			cfg.Logger.Warn("the local CA's certificate cannot name this host: https:// to it will not be trusted", "host", h)
		}
	}
	addr := clientAddr(ln.Addr())
	s := &Server{StoreKind: spec.kind, StoreWhere: spec.where(), cfg: cfg, store: st, lock: lock, storeLock: storeLock, verifier: verifier, accessLogs: accessLogs, ca: ca,
		ln: localtls.Sniff(ln, ca.ServerConfig(hosts)), done: make(chan error, 1), URL: "http://" + addr, TLSURL: "https://" + addr}
	s.metrics = metrics.New()
	s.store = &meteredStore{Store: st, m: s.metrics}
	if !cfg.InMemory {
		s.metrics.Gauge("portico_store_database_bytes", "Size of the SQLite database's files (the database, its WAL and shared memory).",
			func() float64 { return float64(databaseBytes(cfg.DataDir)) })
	}
	s.inspect = inspect.New(inspect.Config{Entries: max(cfg.InspectEntries, 0), BodyBytes: cfg.InspectBodyBytes,
		Observe: s.metrics.Observe})
	if err := s.startFunctions(specs); err != nil {
		return nil, err
	}
	undo = append(undo, s.functionsClose)
	if err := s.joinCluster(); err != nil {
		return nil, err
	}
	if s.node != nil {
		undo = append(undo, func() { s.node.Close() })
	}
	if cfg.InitDir != "" {
		if s.init, err = newInitRunner(cfg.InitDir, s.URL, cfg); err != nil {
			return nil, err
		}
	}
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
	go func() { s.done <- s.http.Serve(s.ln) }()
	if s.init != nil {
		// The listener is open, so the scripts' first calls are answered.
		go s.init.run()
	}
	return s, nil
}

// lockDataDir creates and locks the data directory, unless nothing goes
// on disk: it holds the default SQLite database, which two Porticos must
// not share (see openStore), and this node's CA and access logs, which
// two nodes of a shared store must not share either.
func lockDataDir(cfg Config) (*datadir.Held, error) {
	if cfg.InMemory {
		return nil, nil
	}
	if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
		return nil, err
	}
	return datadir.Lock(cfg.DataDir)
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
		if s.init != nil {
			s.init.close()
		}
		// WebSockets are hijacked connections that http.Server no longer
		// tracks: close them first, with 1001, and run their $disconnect.
		s.plane.Shutdown(ctx)
		// Inspector streams never end by themselves.
		s.inspect.Close()
		if s.node != nil {
			// The connections are closed: the node leaves the directory.
			s.node.Close()
		}
		if err := s.http.Shutdown(ctx); err != nil {
			// Out of patience: clients that keep connections open
			// without sending anything must not hold the process.
			s.http.Close()
		}
		if err := <-s.done; !errors.Is(err, http.ErrServerClosed) {
			s.stopErr = err
		}
		s.functionsClose()
		if err := s.store.Close(); s.stopErr == nil {
			s.stopErr = err
		}
		s.accessLogs.Close()
		s.ca.Close()
		// Released last: the database is closed and synced.
		if err := errors.Join(s.storeLock.Close(), s.lock.Close()); s.stopErr == nil {
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

// CADir is the directory of the local CA inside DataDir.
const CADir = "ca"

// CAFile is the local CA's certificate (PEM): what a client trusts to
// reach TLSURL.
func (s *Server) CAFile() string { return s.ca.CertFile() }

// CAEnv is the environment a process needs to trust the local CA.
func (s *Server) CAEnv() []string { return s.ca.Env() }

// hostOf is the host of a listen address ("" for ":4800").
func hostOf(listen string) string {
	h, _, err := net.SplitHostPort(listen)
	if err != nil {
		return ""
	}
	return h
}

// Client returns the AWS SDK's ApiGatewayV2 client aimed at this server,
// in its default account and region, with retries off so a test sees each
// first answer. optFns adjust it as apigatewayv2.New's do.
func (s *Server) Client(optFns ...func(*apigatewayv2.Options)) *apigatewayv2.Client {
	return apigatewayv2.New(apigatewayv2.Options{
		Region:           s.cfg.Region,
		BaseEndpoint:     aws.String(s.URL),
		RetryMaxAttempts: 1,
		// A 12-digit access key id is the account (README, "Settings").
		Credentials: credentials.NewStaticCredentialsProvider(s.cfg.Account, "portico", ""),
	}, optFns...)
}
