package websocket_test

import (
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/portico-dev/portico/server"
)

// TestTrafficLog: at debug level every connect, message and disconnect is
// one structured line with the request id, API, stage, route and latency.
func TestTrafficLog(t *testing.T) {
	logs := &lockedBuffer{}
	e := newEnv(t, func(c *server.Config) {
		c.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	backend := echoBackend(t)
	api := e.wsAPI(t)
	e.route(t, api, "echo", e.httpProxy(t, api, backend.URL), true)
	e.deploy(t, api, "prod")
	c := e.mustDial(t, e.wsURL(api, "prod"))
	c.send(`{"action":"echo"}`)
	c.mustRead()
	c.conn.Close()
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(logs.String(), "event=DISCONNECT") && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	for _, want := range []string{"event=CONNECT", "event=MESSAGE", "event=DISCONNECT"} {
		line := ""
		for _, l := range strings.Split(logs.String(), "\n") {
			if strings.Contains(l, want) {
				line = l
			}
		}
		for _, part := range []string{"msg=websocket", "api=" + api, "stage=prod", "requestId=", "latency=", "connectionId="} {
			if !strings.Contains(line, part) {
				t.Errorf("%s line %q lacks %s", want, line, part)
			}
		}
	}
	if !strings.Contains(logs.String(), "route=echo") {
		t.Errorf("the message line names no route:\n%s", logs.String())
	}
}
