package websocket_test

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"

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

// TestAccessLog: a WebSocket stage with accessLogSettings writes one line
// per connect, message and disconnect in its format.
func TestAccessLog(t *testing.T) {
	e := newEnv(t, nil)
	backend := echoBackend(t)
	api := e.wsAPI(t)
	e.route(t, api, "echo", e.httpProxy(t, api, backend.URL), true)
	_, err := e.c.CreateStage(e.ctx, &apigatewayv2.CreateStageInput{ApiId: &api, StageName: aws.String("prod"),
		AccessLogSettings: &types.AccessLogSettings{Format: aws.String("$context.eventType $context.routeKey $context.status $context.connectionId $context.requestId"),
			DestinationArn: aws.String("arn:aws:logs:us-east-1:000000000000:log-group:ws-access:*")}})
	must(t, err)
	_, err = e.c.CreateDeployment(e.ctx, &apigatewayv2.CreateDeploymentInput{ApiId: &api, StageName: aws.String("prod")})
	must(t, err)
	c := e.mustDial(t, e.wsURL(api, "prod"))
	c.send(`{"action":"echo"}`)
	c.mustRead()
	c.conn.Close()
	var lines []string
	deadline := time.Now().Add(5 * time.Second)
	for len(lines) < 3 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
		resp, err := http.Get(e.srv.URL + "/_portico/logs/ws-access")
		must(t, err)
		var out struct{ Lines []string }
		json.NewDecoder(resp.Body).Decode(&out)
		resp.Body.Close()
		lines = out.Lines
	}
	if len(lines) != 3 {
		t.Fatalf("lines: %q", lines)
	}
	for i, prefix := range []string{"CONNECT $connect 200 ", "MESSAGE echo 200 ", "DISCONNECT $disconnect 200 "} {
		if !strings.HasPrefix(lines[i], prefix) || strings.Contains(lines[i], " - ") {
			t.Errorf("line %d: %q, want %q...", i, lines[i], prefix)
		}
	}
}
