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
