package websocket_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"
	"github.com/gobwas/ws"
)

// echoBackend answers every POST with "got: " and the body it received.
func echoBackend(t *testing.T) *httptest.Server {
	b := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		fmt.Fprintf(w, "got: %s", body)
	}))
	t.Cleanup(b.Close)
	return b
}

// TestHTTPProxyTwoWayAndOneWay: a route with a $default route response
// sends the backend's answer back; a route without one does not.
func TestHTTPProxyTwoWayAndOneWay(t *testing.T) {
	e := newEnv(t, nil)
	backend := echoBackend(t)
	api := e.wsAPI(t)
	in := e.httpProxy(t, api, backend.URL)
	e.route(t, api, "echo", in, true)
	e.route(t, api, "quiet", in, false)
	e.deploy(t, api, "prod")

	c := e.mustDial(t, e.wsURL(api, "prod"))
	c.send(`{"action":"echo","n":1}`)
	if got := c.mustRead(); got != `got: {"action":"echo","n":1}` {
		t.Fatalf("two-way: %q", got)
	}
	c.send(`{"action":"quiet"}`)
	if msg, _, err := c.read(300 * time.Millisecond); !errors.Is(err, errNothing) {
		t.Fatalf("one-way route answered: %q %v", msg, err)
	}
}

var errorFrame = regexp.MustCompile(`^\{"message": "([^"]+)", "connectionId":"([A-Za-z0-9_=-]{16})", "requestId":"([A-Za-z0-9_=-]{16})"\}$`)

// TestRouteSelection: the expression picks the route; a missing key, a
// non-JSON message and an unknown action fall back to $default; without a
// $default the Forbidden frame comes back, byte for byte.
func TestRouteSelection(t *testing.T) {
	e := newEnv(t, nil)
	api := e.wsAPI(t)
	e.route(t, api, "hello", e.lambdaProxy(t, api, "hello"), true)
	e.deploy(t, api, "prod")
	c := e.mustDial(t, e.wsURL(api, "prod"))
	c.send(`{"action":"hello"}`)
	if got := c.mustRead(); got != "lambda:arn:aws:lambda:us-east-1:000000000000:function:hello" {
		t.Fatalf("hello: %q", got)
	}
	for _, msg := range []string{`{"action":"other"}`, `not json`, `{"noaction":1}`, `{"action":"$connect"}`} {
		c.send(msg)
		got := c.mustRead()
		m := errorFrame.FindStringSubmatch(got)
		if m == nil || m[1] != "Forbidden" {
			t.Errorf("%s: %q, want the Forbidden frame", msg, got)
		}
	}
	// With a $default route, the same messages go there.
	e.route(t, api, "$default", e.lambdaProxy(t, api, "fallback"), true)
	e.deploy(t, api, "prod")
	for _, msg := range []string{`{"action":"other"}`, `not json`, `{"noaction":1}`, `{"action":"$connect"}`} {
		c.send(msg)
		if got := c.mustRead(); got != "lambda:arn:aws:lambda:us-east-1:000000000000:function:fallback" {
			t.Errorf("%s: %q, want the $default route", msg, got)
		}
	}
}

// TestLambdaProxyEvents: the events the function receives have the
// members of the real captures (docs/aws-behaviours.md#events), and
// $disconnect runs once, after the client closed, with its close code.
func TestLambdaProxyEvents(t *testing.T) {
	e := newEnv(t, nil)
	api := e.wsAPI(t)
	fn := e.lambdaProxy(t, api, "chat")
	e.route(t, api, "$connect", fn, false)
	e.route(t, api, "$disconnect", fn, false)
	e.route(t, api, "send", fn, true)
	e.deploy(t, api, "prod")

	c, err := e.dial(t, e.wsURL(api, "prod")+"?room=a&room=b", http.Header{"X-Custom": {"1"}})
	must(t, err)
	c.send(`{"action":"send","text":"hi"}`)
	c.mustRead()
	c.sendFrame(ws.NewCloseFrame(ws.NewCloseFrameBody(ws.StatusGoingAway, "bye")))
	c.read(2 * time.Second) // the server's echo of the close
	waitCalls(t, e, 3)
	calls := e.lambda.Calls()
	var events []map[string]any
	for _, call := range calls {
		var ev map[string]any
		must(t, json.Unmarshal(call.Event, &ev))
		events = append(events, ev)
	}
	connect, message, disconnect := events[0], events[1], events[2]
	ctxOf := func(ev map[string]any) map[string]any { return ev["requestContext"].(map[string]any) }

	wantKeys(t, "CONNECT", connect, "headers", "multiValueHeaders", "queryStringParameters", "multiValueQueryStringParameters", "requestContext", "isBase64Encoded")
	wantKeys(t, "MESSAGE", message, "requestContext", "body", "isBase64Encoded")
	wantKeys(t, "DISCONNECT", disconnect, "headers", "multiValueHeaders", "requestContext", "isBase64Encoded")
	common := []string{"routeKey", "eventType", "extendedRequestId", "requestTime", "messageDirection", "stage",
		"connectedAt", "requestTimeEpoch", "identity", "requestId", "domainName", "connectionId", "apiId"}
	wantKeys(t, "CONNECT context", ctxOf(connect), common...)
	wantKeys(t, "MESSAGE context", ctxOf(message), append(common, "messageId")...)
	wantKeys(t, "DISCONNECT context", ctxOf(disconnect), append(common, "disconnectStatusCode", "disconnectReason")...)

	if ctxOf(connect)["eventType"] != "CONNECT" || ctxOf(connect)["routeKey"] != "$connect" ||
		ctxOf(message)["routeKey"] != "send" || message["body"] != `{"action":"send","text":"hi"}` ||
		ctxOf(disconnect)["disconnectStatusCode"] != float64(1001) || ctxOf(disconnect)["disconnectReason"] != "bye" {
		t.Errorf("event values: %v\n%v\n%v", connect, message, disconnect)
	}
	if connect["headers"].(map[string]any)["X-Custom"] != "1" ||
		fmt.Sprint(connect["multiValueQueryStringParameters"].(map[string]any)["room"]) != "[a b]" {
		t.Errorf("connect headers and query: %v", connect)
	}
	id := ctxOf(connect)["connectionId"]
	if ctxOf(message)["connectionId"] != id || ctxOf(disconnect)["connectionId"] != id || ctxOf(message)["apiId"] != api ||
		ctxOf(message)["stage"] != "prod" {
		t.Errorf("ids differ across events")
	}
	if !regexp.MustCompile(`^\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d \+0000$`).MatchString(ctxOf(message)["requestTime"].(string)) {
		t.Errorf("requestTime %v", ctxOf(message)["requestTime"])
	}
	time.Sleep(100 * time.Millisecond)
	if n := len(e.lambda.Calls()); n != 3 {
		t.Errorf("%d invocations, want 3 ($disconnect exactly once)", n)
	}
}

func wantKeys(t *testing.T, what string, m map[string]any, keys ...string) {
	t.Helper()
	want := map[string]bool{}
	for _, k := range keys {
		want[k] = true
		if _, ok := m[k]; !ok {
			t.Errorf("%s: no %q in %v", what, k, m)
		}
	}
	for k := range m {
		if !want[k] {
			t.Errorf("%s: unexpected member %q", what, k)
		}
	}
}

func waitCalls(t *testing.T, e *env, n int) {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for len(e.lambda.Calls()) < n {
		select {
		case <-e.lambda.Notify():
		case <-deadline:
			t.Fatalf("%d invocations, want %d", len(e.lambda.Calls()), n)
		}
	}
}

// TestConnectRefusal: a non-2xx $connect result refuses the upgrade with
// that status; a Sec-WebSocket-Protocol header it returns reaches the
// client.
func TestConnectRefusal(t *testing.T) {
	e := newEnv(t, nil)
	api := e.wsAPI(t)
	e.route(t, api, "$connect", e.lambdaProxy(t, api, "gate"), false)
	e.route(t, api, "$default", e.lambdaProxy(t, api, "gate"), false)
	e.deploy(t, api, "prod")
	e.lambda.SetHandler(func(fn string, event []byte) (any, string) {
		if strings.Contains(string(event), `"token":"ok"`) || strings.Contains(string(event), `"token":["ok"]`) {
			return map[string]any{"statusCode": 200, "headers": map[string]string{"Sec-WebSocket-Protocol": "chat.v1"}}, ""
		}
		return map[string]any{"statusCode": 401}, ""
	})
	_, err := e.dial(t, e.wsURL(api, "prod"), nil)
	var se ws.StatusError
	if !errors.As(err, &se) || int(se) != 401 {
		t.Fatalf("refused upgrade: %v", err)
	}
	d := ws.Dialer{Protocols: []string{"chat.v1"}}
	conn, _, hs, err := d.Dial(e.ctx, e.wsURL(api, "prod")+"?token=ok")
	must(t, err)
	conn.Close()
	if hs.Protocol != "chat.v1" {
		t.Errorf("subprotocol %q", hs.Protocol)
	}
	// A function error refuses the upgrade with 500.
	e.lambda.SetHandler(func(string, []byte) (any, string) { return nil, "boom" })
	_, err = e.dial(t, e.wsURL(api, "prod"), nil)
	if !errors.As(err, &se) || int(se) != 500 {
		t.Fatalf("failed $connect: %v", err)
	}
}

// TestIntegrationFailureFrames: a failing function sends the Internal
// server error frame, on one-way routes too; a slow one the time-out frame.
func TestIntegrationFailureFrames(t *testing.T) {
	e := newEnv(t, nil)
	api := e.wsAPI(t)
	e.route(t, api, "oneway", e.lambdaProxy(t, api, "f"), false)
	slow, err := e.c.CreateIntegration(e.ctx, &apigatewayv2.CreateIntegrationInput{ApiId: &api,
		IntegrationType: types.IntegrationTypeAwsProxy, IntegrationUri: aws.String(lambdaURI("slow")), TimeoutInMillis: aws.Int32(100)})
	must(t, err)
	e.route(t, api, "slow", *slow.IntegrationId, true)
	e.deploy(t, api, "prod")
	e.lambda.SetHandler(func(fn string, _ []byte) (any, string) {
		if strings.HasSuffix(fn, "slow") {
			time.Sleep(500 * time.Millisecond)
			return map[string]any{"statusCode": 200, "body": "late"}, ""
		}
		return nil, "boom"
	})
	c := e.mustDial(t, e.wsURL(api, "prod"))
	c.send(`{"action":"oneway"}`)
	if m := errorFrame.FindStringSubmatch(c.mustRead()); m == nil || m[1] != "Internal server error" {
		t.Errorf("failure frame: %v", m)
	}
	c.send(`{"action":"slow"}`)
	if m := errorFrame.FindStringSubmatch(c.mustRead()); m == nil || m[1] != "Endpoint request timed out" {
		t.Errorf("time-out frame: %v", m)
	}
	// The socket stays open after an error frame.
	c.send(`{"action":"oneway"}`)
	if _, _, err := c.read(2 * time.Second); err != nil {
		t.Errorf("after an error frame: %v", err)
	}
}

// TestUpgradeRefusals: an unknown stage, a stage with nothing deployed and
// an unknown API are refused; a plain GET is 426.
func TestUpgradeRefusals(t *testing.T) {
	e := newEnv(t, nil)
	api := e.wsAPI(t)
	e.route(t, api, "$default", e.lambdaProxy(t, api, "f"), false)
	_, err := e.c.CreateStage(e.ctx, &apigatewayv2.CreateStageInput{ApiId: &api, StageName: aws.String("empty")})
	must(t, err)
	e.deploy(t, api, "prod")
	var se ws.StatusError
	for url, status := range map[string]int{
		e.wsURL(api, "nostage"):       403,
		e.wsURL(api, "empty"):         403,
		e.wsURL("nosuchapi1", "prod"): 404,
	} {
		_, err := e.dial(t, url, nil)
		if !errors.As(err, &se) || int(se) != status {
			t.Errorf("%s: %v, want %d", url, err, status)
		}
	}
	resp, err := http.Get(strings.Replace(e.wsURL(api, "prod"), "ws://", "http://", 1))
	must(t, err)
	resp.Body.Close()
	if resp.StatusCode != 426 {
		t.Errorf("plain GET: %d", resp.StatusCode)
	}
}

// TestHostStyleURL: {apiId}.execute-api.<anything> reaches the same API,
// with the stage as the first path segment.
func TestHostStyleURL(t *testing.T) {
	e := newEnv(t, nil)
	backend := echoBackend(t)
	api := e.wsAPI(t)
	e.route(t, api, "$default", e.httpProxy(t, api, backend.URL), true)
	e.deploy(t, api, "prod")
	addr := strings.TrimPrefix(e.srv.URL, "http://")
	_, port, _ := net.SplitHostPort(addr)
	d := ws.Dialer{NetDial: func(ctx context.Context, network, _ string) (net.Conn, error) {
		// What DNS would do for the API's host name.
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}}
	conn, br, _, err := d.Dial(e.ctx, "ws://"+api+".execute-api.localhost:"+port+"/prod")
	must(t, err)
	defer conn.Close()
	c := &client{t: t, conn: conn, r: conn}
	if br != nil {
		c.r = io.MultiReader(br, conn)
	}
	c.send("hi")
	if got := c.mustRead(); got != "got: hi" {
		t.Fatalf("host style: %q", got)
	}
}

// TestRedeployKeepsConnections: a new deployment takes effect for the
// next message on a live connection.
func TestRedeployKeepsConnections(t *testing.T) {
	e := newEnv(t, nil)
	api := e.wsAPI(t)
	e.route(t, api, "$default", e.lambdaProxy(t, api, "v1"), true)
	e.deploy(t, api, "prod")
	c := e.mustDial(t, e.wsURL(api, "prod"))
	c.send(`hello`)
	if got := c.mustRead(); !strings.HasSuffix(got, "function:v1") {
		t.Fatalf("before: %q", got)
	}
	routes, err := e.c.GetRoutes(e.ctx, &apigatewayv2.GetRoutesInput{ApiId: &api})
	must(t, err)
	v2 := e.lambdaProxy(t, api, "v2")
	_, err = e.c.UpdateRoute(e.ctx, &apigatewayv2.UpdateRouteInput{ApiId: &api, RouteId: routes.Items[0].RouteId, Target: aws.String("integrations/" + v2)})
	must(t, err)
	c.send(`hello`)
	if got := c.mustRead(); !strings.HasSuffix(got, "function:v1") {
		t.Fatalf("an undeployed change was served: %q", got)
	}
	e.deploy(t, api, "prod")
	c.send(`hello`)
	if got := c.mustRead(); !strings.HasSuffix(got, "function:v2") {
		t.Fatalf("after redeploy: %q", got)
	}
}

// TestRequestModelValidation: a message that does not match the route's
// request model gets the Bad request body frame and never reaches the
// integration; one that matches goes through.
func TestRequestModelValidation(t *testing.T) {
	e := newEnv(t, nil)
	api := e.wsAPI(t)
	_, err := e.c.CreateModel(e.ctx, &apigatewayv2.CreateModelInput{ApiId: &api, Name: aws.String("Send"), ContentType: aws.String("application/json"),
		Schema: aws.String(`{"type":"object","required":["action","text"],"properties":{"text":{"type":"string","maxLength":5}}}`)})
	must(t, err)
	fn := e.lambdaProxy(t, api, "send")
	r, err := e.c.CreateRoute(e.ctx, &apigatewayv2.CreateRouteInput{ApiId: &api, RouteKey: aws.String("send"),
		Target: aws.String("integrations/" + fn), RouteResponseSelectionExpression: aws.String("$default"),
		ModelSelectionExpression: aws.String("$request.body.action"), RequestModels: map[string]string{"send": "Send"}})
	must(t, err)
	_, err = e.c.CreateRouteResponse(e.ctx, &apigatewayv2.CreateRouteResponseInput{ApiId: &api, RouteId: r.RouteId, RouteResponseKey: aws.String("$default")})
	must(t, err)
	e.deploy(t, api, "prod")
	c := e.mustDial(t, e.wsURL(api, "prod"))
	bad := regexp.MustCompile(`^\{"message" : "Bad request body", "connectionId": "[A-Za-z0-9_=-]{16}", "messageId": "[A-Za-z0-9_=-]{16}"\}$`)
	for _, msg := range []string{`{"action":"send"}`, `{"action":"send","text":"too long"}`, `{"action":"send","text":5}`} {
		c.send(msg)
		if got := c.mustRead(); !bad.MatchString(got) {
			t.Errorf("%s: %q, want the Bad request body frame", msg, got)
		}
	}
	if n := len(e.lambda.Calls()); n != 0 {
		t.Errorf("invalid messages reached the integration %d times", n)
	}
	c.send(`{"action":"send","text":"ok"}`)
	if got := c.mustRead(); !strings.HasSuffix(got, "function:send") {
		t.Errorf("valid message: %q", got)
	}
}

// TestLambdaProxyBase64Body: a proxy result with isBase64Encoded sends the
// decoded body.
func TestLambdaProxyBase64Body(t *testing.T) {
	e := newEnv(t, nil)
	e.lambda.SetHandler(func(string, []byte) (any, string) {
		return map[string]any{"statusCode": 200, "body": "aGVsbG8=", "isBase64Encoded": true}, ""
	})
	api := e.wsAPI(t)
	e.route(t, api, "$default", e.lambdaProxy(t, api, "b64"), true)
	e.deploy(t, api, "prod")
	c := e.mustDial(t, e.wsURL(api, "prod"))
	c.send("x")
	if got := c.mustRead(); got != "hello" {
		t.Errorf("got %q", got)
	}
}

// TestMessageThrottling: a WebSocket route's settings throttle its
// messages; a throttled message gets the error frame with "Too Many
// Requests" [I] and the connection stays.
func TestMessageThrottling(t *testing.T) {
	e := newEnv(t, nil)
	backend := echoBackend(t)
	api := e.wsAPI(t)
	e.route(t, api, "echo", e.httpProxy(t, api, backend.URL), true)
	_, err := e.c.CreateStage(e.ctx, &apigatewayv2.CreateStageInput{ApiId: &api, StageName: aws.String("prod"),
		RouteSettings: map[string]types.RouteSettings{"echo": {ThrottlingBurstLimit: aws.Int32(2), ThrottlingRateLimit: aws.Float64(0.001)}}})
	must(t, err)
	_, err = e.c.CreateDeployment(e.ctx, &apigatewayv2.CreateDeploymentInput{ApiId: &api, StageName: aws.String("prod")})
	must(t, err)
	c := e.mustDial(t, e.wsURL(api, "prod"))
	answers := map[string]int{}
	for range 4 {
		c.send(`{"action":"echo"}`)
		msg := c.mustRead()
		if m := errorFrame.FindStringSubmatch(msg); m != nil {
			answers[m[1]]++
		} else {
			answers["echo"]++
		}
	}
	if answers["echo"] != 2 || answers["Too Many Requests"] != 2 {
		t.Errorf("answers: %v", answers)
	}
}

// TestWSS: a wss:// client that trusts the local CA talks to a stage on
// the same port as ws:// clients.
func TestWSS(t *testing.T) {
	e := newEnv(t, nil)
	backend := echoBackend(t)
	api := e.wsAPI(t)
	e.route(t, api, "echo", e.httpProxy(t, api, backend.URL), true)
	e.deploy(t, api, "prod")
	url := "wss" + strings.TrimPrefix(e.srv.TLSURL, "https") + "/_aws/execute-api/" + api + "/prod"
	c := e.mustDial(t, url)
	c.send(`{"action":"echo"}`)
	if got := c.mustRead(); got != `got: {"action":"echo"}` {
		t.Errorf("over wss: %q", got)
	}
}
