// Command portico runs Portico, a local and self-hosted AWS API Gateway V2.
//
//	portico serve [flags]
//	portico backup --to FILE [--data-dir DIR]
//	portico version
//
// Every flag of serve has an environment twin: --data-dir is
// PORTICO_DATA_DIR. The defaults are server.Defaults().
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/portico-dev/portico/internal/gctune"
	"github.com/portico-dev/portico/internal/version"
	"github.com/portico-dev/portico/server"
)

const usage = `Portico: AWS API Gateway V2 on your own machine.

usage:
  portico serve [flags]             run Portico (portico serve --help lists the flags)
  portico version                   print the version (also: portico --version)
  portico health [--listen ADDR]    ask a running Portico whether it is healthy (exit 0 if so)
  portico ca [--data-dir DIR]       print the path of the local CA certificate (trust it for https:// and wss://)
  portico backup --to FILE [--force] [--data-dir DIR | --store sqlite:///FILE]
                                    copy the database consistently, also while Portico runs on it
                                    (to restore: portico backup --help)
  portico bench websocket [flags]   load-test a running Portico's WebSocket data plane
  portico bench http [flags]        load-test HTTP APIs against a bare reverse proxy, in one run
`

func main() {
	// A server's heap is small next to its memory: letting a small heap
	// grow 4x between collections instead of 2x halves how often the
	// collector takes one of the CPUs, which is what the latency tail is
	// made of; gctune falls back to 2x as the heap grows. GOGC, when set,
	// still decides.
	if _, ok := os.LookupEnv("GOGC"); !ok {
		gctune.Start()
	}
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is the command without the process around it: its exit status.
func run(args []string, stdout, stderr io.Writer) int {
	var err error
	switch {
	case len(args) == 0:
		fmt.Fprint(stderr, usage)
		return 2
	case args[0] == "help" || args[0] == "-h" || args[0] == "-help" || args[0] == "--help":
		fmt.Fprint(stdout, usage)
		return 0
	case args[0] == "version" || args[0] == "-version" || args[0] == "--version":
		fmt.Fprintln(stdout, version.Get())
		return 0
	case args[0] == "serve":
		err = serve(args[1:], stdout, stderr)
	case args[0] == "health":
		err = health(args[1:], stdout)
	case args[0] == "ca":
		err = printCA(args[1:], stdout)
	case args[0] == "backup":
		err = backup(args[1:], stdout, stderr)
	case args[0] == "bench" && len(args) >= 2 && args[1] == "websocket":
		err = benchWebSocket(args[2:])
	case args[0] == "bench" && len(args) >= 2 && args[1] == "http":
		err = benchHTTP(args[2:])
	default:
		fmt.Fprintf(stderr, "portico: unknown command %q\n\n%s", strings.Join(args, " "), usage)
		return 2
	}
	switch {
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		return 2
	case err != nil:
		fmt.Fprintln(stderr, "portico:", err)
		return 1
	}
	return 0
}

// errUsage: the flag package has already said what is wrong.
var errUsage = errors.New("usage")

func serve(args []string, stdout, stderr io.Writer) error {
	cfg := server.Defaults()
	var (
		logLevel  = "info"
		showVer   bool
		quotasOff bool
	)
	f := newEnvFlags("portico serve", stderr)
	f.str(&cfg.Listen, "listen", "`address` to listen on (port 0 picks a free port)")
	f.str(&cfg.DataDir, "data-dir", "`directory` of the SQLite database and the local CA (locked while Portico runs)")
	f.boolean(&cfg.InMemory, "in-memory", "keep nothing on disk (for test suites)")
	f.str(&cfg.Store, "store", "`URL` of the store, instead of the SQLite file in --data-dir: memory: (as --in-memory), sqlite:///abs/path/portico.db, or postgres://user:password@host:5432/db?sslmode=disable for nodes sharing one state (--data-dir then keeps each node's CA and access logs)")
	f.str(&cfg.Region, "region", "`region` of requests that carry no SigV4 credential scope")
	f.str(&cfg.Account, "account", "`account` of requests whose access key id is not a 12-digit account")
	f.str(&cfg.EndpointStyle, "endpoint-style", "`style` of apiEndpoint: \"local\" (path-style URL on this server, no DNS needed) or \"aws\" (https://{apiId}.execute-api.{region}.amazonaws.com)")
	f.str(&cfg.LambdaEndpoint, "lambda-endpoint", "base `URL` of the Lambda Invoke API that AWS and AWS_PROXY integrations call (e.g. http://127.0.0.1:3001 for sam local start-lambda)")
	f.duration(&cfg.WebSocketIdleTimeout, "ws-idle-timeout", "close WebSocket connections idle this `long` (AWS: 10m)")
	f.duration(&cfg.WebSocketMaxDuration, "ws-max-duration", "close WebSocket connections open this `long` (AWS: 2h)")
	f.list(&cfg.AllowedHosts, "allowed-hosts", "more `hosts` the control plane answers, comma-separated (\"portico\", \"*.corp.example\", \"*\" for any)")
	f.list(&cfg.AllowedOrigins, "allowed-origins", "web `origins` whose pages may call the control plane, comma-separated (\"https://app.example\", \"*\" for any)")
	f.str(&cfg.AuthorizerEgress, "authorizer-egress", "`where` JWT authorizers may fetch keys: \"any\" http(s) URL, or \"public\" (https on public addresses only)")
	f.str(&cfg.Credentials, "credentials", "shared-credentials `file` (~/.aws/credentials format): verify the signatures of AWS_IAM routes against its keys")
	f.repeated(&cfg.Functions, "function", "a Lambda function Portico runs: `NAME=COMMAND`, COMMAND a program speaking the Lambda Runtime API, node:path/file.export or python:module.function (repeatable; the env twin holds one per line)")
	f.str(&cfg.FunctionsFile, "functions", "JSON or YAML `file` of functions (name, command or runtime+handler, dir, environment, timeout, memorySize, maxConcurrency)")
	f.boolean(&cfg.Watch, "watch", "restart a function's processes when files under its directory change")
	f.str(&cfg.InitDir, "init-dir", "`directory` of scripts to run once Portico is ready (AWS_ENDPOINT_URL points at it)")
	f.boolean(&cfg.AccessLogStdout, "access-log-stdout", "also print the stages' access log lines on standard output")
	f.boolean(&quotasOff, "no-quotas", "do not enforce AWS's default quotas (300 routes per API, 10 stages, ...)")
	f.str(&cfg.AdvertiseURL, "advertise-url", "`URL` the other nodes of a cluster on one shared store reach this node on (http://host:port); turns on @connections across nodes")
	f.str(&cfg.ClusterSecret, "cluster-secret", "shared `secret` (16+ characters, the same on every node) that authenticates node-to-node requests")
	f.duration(&cfg.ClusterLease, "cluster-lease", "how `long` a node that stops renewing keeps its WebSocket connections in the cluster's directory")
	f.integer(&cfg.InspectEntries, 0, "inspect-entries", "`number` of recent data-plane exchanges the inspector keeps (/_portico/inspect/, docs/inspector.md); 0 turns recording off")
	f.integer(&cfg.InspectBodyBytes, 1, "inspect-body-bytes", "how many `bytes` of each body the inspector keeps; longer bodies are cut and marked truncated")
	f.boolean(&cfg.Pprof, "pprof", "serve Go's profiler under /_portico/debug/pprof/")
	f.str(&logLevel, "log-level", "`level`: \"debug\" logs one line per request; \"info\" start, stop and warnings; \"warn\"; \"error\"")
	f.fs.BoolVar(&showVer, "version", false, "print the version and exit")
	if err := f.parse(args); err != nil {
		return err
	}
	cfg.NoQuotas = quotasOff
	if cfg.InspectEntries == 0 {
		cfg.InspectEntries = -1 // server.Config's "off"
	}
	if showVer {
		fmt.Fprintln(stdout, version.Get())
		return nil
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(logLevel)); err != nil {
		return fmt.Errorf("--log-level %q: want debug, info, warn or error", logLevel)
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	cfg.Logger = log

	// Catch the signals before anything can announce that Portico is up:
	// a signal sent right after the "listening" line must stop it cleanly.
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGINT, syscall.SIGTERM)
	srv, err := server.Start(cfg)
	if err != nil {
		return err
	}
	log.Info("portico listening", "url", srv.URL, "store", srv.StoreKind, "state", srv.StoreWhere, "version", version.Get().Version)

	sig := <-stop
	log.Info("portico stopping", "signal", sig.String())
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return srv.Shutdown(ctx)
}
