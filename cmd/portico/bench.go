package main

import (
	"context"
	"flag"
	"os"
	"os/signal"
	"time"

	"github.com/portico-dev/portico/internal/bench"
)

// benchWebSocket runs `portico bench websocket` against a running Portico.
func benchWebSocket(args []string) error {
	fs := flag.NewFlagSet("portico bench websocket", flag.ContinueOnError)
	o := bench.Options{Out: os.Stdout}
	fs.StringVar(&o.URL, "url", "http://127.0.0.1:4800", "Portico's base URL")
	fs.IntVar(&o.Connections, "connections", 1000, "connections to open and hold")
	fs.IntVar(&o.DialRate, "dial-rate", 0, "new connections per second while opening (0: as fast as they open)")
	fs.IntVar(&o.Rate, "rate", 0, "messages per second over all connections (0: closed loop, each connection sends when answered)")
	fs.DurationVar(&o.Duration, "duration", 10*time.Second, "how long to send messages")
	fs.StringVar(&o.Route, "route", "mock", `the two-way route to drive: "mock" or "http-proxy"`)
	if err := fs.Parse(args); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	rep, err := bench.RunWebSocket(ctx, o)
	if rep != nil {
		rep.Print(os.Stdout)
	}
	return err
}

// benchHTTP runs `portico bench http`.
func benchHTTP(args []string) error {
	fs := flag.NewFlagSet("portico bench http", flag.ContinueOnError)
	var o bench.HTTPOptions
	fs.StringVar(&o.URL, "url", "", "a running Portico's base URL (default: start one in this process, in memory)")
	fs.StringVar(&o.LambdaListen, "lambda-listen", "", "address of the Lambda fake, for a Portico started with --lambda-endpoint http://ADDR")
	fs.IntVar(&o.Connections, "connections", 50, "concurrent keep-alive connections")
	fs.IntVar(&o.Rate, "rate", 0, "also run at this many requests per second (0: closed loop only)")
	fs.DurationVar(&o.Duration, "duration", 5*time.Second, "how long each target is driven in each mode")
	fs.IntVar(&o.Routes, "routes", 0, "extra routes in the API (the route table's size)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	rep, err := bench.RunHTTP(ctx, o)
	if rep != nil {
		rep.Print(os.Stdout)
	}
	return err
}
