// Command portico runs Portico, a local and self-hosted AWS API Gateway V2.
//
//	portico serve [flags]
//
// Every flag has an environment twin: --data-dir is PORTICO_DATA_DIR.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/portico-dev/portico/server"
)

const usage = `usage:
  portico serve [flags]             run Portico (portico serve -h lists the flags)
  portico bench websocket [flags]   load-test a running Portico's WebSocket data plane`

func main() {
	// A server's heap is small next to its memory (10,000 idle WebSockets
	// hold ~145 MB resident, most of it not heap): collecting when the heap
	// has grown 4x instead of 2x halves how often the collector takes one
	// of the CPUs, which is what the latency tail is made of. GOGC, when
	// set, still decides.
	if _, ok := os.LookupEnv("GOGC"); !ok {
		debug.SetGCPercent(400)
	}
	var err error
	switch {
	case len(os.Args) >= 2 && os.Args[1] == "serve":
		err = serve(os.Args[2:])
	case len(os.Args) >= 3 && os.Args[1] == "bench" && os.Args[2] == "websocket":
		err = benchWebSocket(os.Args[3:])
	default:
		fmt.Fprintln(os.Stderr, usage)
		os.Exit(2)
	}
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	} else if err != nil {
		fmt.Fprintln(os.Stderr, "portico:", err)
		os.Exit(1)
	}
}

// env returns the environment twin of a flag, or def.
func env(flagName, def string) string {
	name := "PORTICO_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	return def
}

func serve(args []string) error {
	fs := flag.NewFlagSet("portico serve", flag.ContinueOnError)
	var cfg server.Config
	str := func(p *string, name, def, usage string) {
		fs.StringVar(p, name, env(name, def), usage+" (env PORTICO_"+strings.ToUpper(strings.ReplaceAll(name, "-", "_"))+")")
	}
	str(&cfg.Listen, "listen", "127.0.0.1:4800", "address to listen on")
	str(&cfg.DataDir, "data-dir", ".portico", "directory of the SQLite database")
	str(&cfg.Region, "region", "us-east-1", "region of requests that carry no SigV4 credential scope")
	str(&cfg.Account, "account", "000000000000", "account of requests whose access key id is not a 12-digit account")
	str(&cfg.EndpointStyle, "endpoint-style", "local", `apiEndpoint form: "local" (path-style URL on this server, no DNS needed) or "aws" (https://{apiId}.execute-api.{region}.amazonaws.com)`)
	str(&cfg.LambdaEndpoint, "lambda-endpoint", "", "base URL of the Lambda Invoke API that AWS and AWS_PROXY integrations call (e.g. http://127.0.0.1:3001 for sam local start-lambda)")
	dur := func(p *time.Duration, name string, def time.Duration, usage string) {
		d, err := time.ParseDuration(env(name, def.String()))
		if err != nil {
			d = def
		}
		fs.DurationVar(p, name, d, usage+" (env PORTICO_"+strings.ToUpper(strings.ReplaceAll(name, "-", "_"))+")")
	}
	dur(&cfg.WebSocketIdleTimeout, "ws-idle-timeout", 10*time.Minute, "close WebSocket connections idle this long (AWS: 10m)")
	dur(&cfg.WebSocketMaxDuration, "ws-max-duration", 2*time.Hour, "close WebSocket connections open this long (AWS: 2h)")
	pprofOn, _ := strconv.ParseBool(env("pprof", "false"))
	fs.BoolVar(&cfg.Pprof, "pprof", pprofOn, "serve Go's profiler under /_portico/debug/pprof/ (env PORTICO_PPROF)")
	var logLevel string
	str(&logLevel, "log-level", "info", `"debug" logs one line per request; "info" only start and stop`)
	inMemory, _ := strconv.ParseBool(env("in-memory", "false"))
	fs.BoolVar(&cfg.InMemory, "in-memory", inMemory, "keep nothing on disk (env PORTICO_IN_MEMORY)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(logLevel)); err != nil {
		return fmt.Errorf("--log-level: %v", err)
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	cfg.Logger = log

	// Catch the signals before anything can announce that Portico is up:
	// a signal sent right after the "listening" line must stop it cleanly.
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGINT, syscall.SIGTERM)
	srv, err := server.Start(cfg)
	if err != nil {
		return err
	}
	where := "in memory"
	if !cfg.InMemory {
		where = cfg.DataDir
	}
	log.Info("portico listening", "url", srv.URL, "state", where)

	sig := <-stop
	log.Info("portico stopping", "signal", sig.String())
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return srv.Shutdown(ctx)
}
