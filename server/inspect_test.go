package server_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"

	"github.com/portico-dev/portico/internal/lambdatest"
	"github.com/portico-dev/portico/server"
)

// The inspector end to end (docs/inspector.md): a real Portico on a real
// listener, APIs made with the AWS SDK, the Lambda Invoke fake as the
// functions, real WebSocket clients, and the inspector's JSON read over
// HTTP as the console reads it.

type inspectEnv struct {
	srv    *server.Server
	c      *apigatewayv2.Client
	lambda *lambdatest.Server
}

// echoLambda answers HTTP events with "lambda:{fn}" and WebSocket events
// with "echo:{body}".
func echoLambda(fn string, event []byte) (any, string) {
	var ev struct {
		Body           string `json:"body"`
		RequestContext struct {
			ConnectionID string `json:"connectionId"`
		} `json:"requestContext"`
	}
	json.Unmarshal(event, &ev)
	if ev.RequestContext.ConnectionID != "" {
		return map[string]any{"statusCode": 200, "body": "echo:" + ev.Body}, ""
	}
	return map[string]any{"statusCode": 200, "body": "lambda:" + fn}, ""
}

func newInspectEnv(t *testing.T, tweak func(*server.Config)) *inspectEnv {
	t.Helper()
	e := &inspectEnv{lambda: lambdatest.New(echoLambda)}
	t.Cleanup(e.lambda.Close)
	cfg := server.Config{InMemory: true, LambdaEndpoint: e.lambda.URL}
	if tweak != nil {
		tweak(&cfg)
	}
	e.srv = start(t, cfg)
	e.c = e.srv.Client()
	return e
}

func lambdaArn(fn string) string {
	return "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:" + fn + "/invocations"
}

// httpLambdaAPI is an HTTP API with POST /orders/{id} on a Lambda proxy
// integration (payload 2.0) and an autoDeploy $default stage.
func (e *inspectEnv) httpLambdaAPI(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	api, err := e.c.CreateApi(ctx, &apigatewayv2.CreateApiInput{Name: aws.String("orders"), ProtocolType: types.ProtocolTypeHttp})
	must(t, err)
	in, err := e.c.CreateIntegration(ctx, &apigatewayv2.CreateIntegrationInput{ApiId: api.ApiId,
		IntegrationType: types.IntegrationTypeAwsProxy, IntegrationUri: aws.String(lambdaArn("orders")),
		PayloadFormatVersion: aws.String("2.0")})
	must(t, err)
	_, err = e.c.CreateRoute(ctx, &apigatewayv2.CreateRouteInput{ApiId: api.ApiId, RouteKey: aws.String("POST /orders/{id}"),
		Target: aws.String("integrations/" + *in.IntegrationId)})
	must(t, err)
	_, err = e.c.CreateStage(ctx, &apigatewayv2.CreateStageInput{ApiId: api.ApiId, StageName: aws.String("$default"),
		AutoDeploy: aws.Bool(true)})
	must(t, err)
	return *api.ApiId
}

// wsEchoAPI is a WebSocket API whose $default route answers through the
// Lambda fake (two-way), deployed on stage prod.
func (e *inspectEnv) wsEchoAPI(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	api, err := e.c.CreateApi(ctx, &apigatewayv2.CreateApiInput{Name: aws.String("ws"), ProtocolType: types.ProtocolTypeWebsocket,
		RouteSelectionExpression: aws.String("$request.body.action")})
	must(t, err)
	in, err := e.c.CreateIntegration(ctx, &apigatewayv2.CreateIntegrationInput{ApiId: api.ApiId,
		IntegrationType: types.IntegrationTypeAwsProxy, IntegrationUri: aws.String(lambdaArn("echo"))})
	must(t, err)
	rt, err := e.c.CreateRoute(ctx, &apigatewayv2.CreateRouteInput{ApiId: api.ApiId, RouteKey: aws.String("$default"),
		Target: aws.String("integrations/" + *in.IntegrationId), RouteResponseSelectionExpression: aws.String("$default")})
	must(t, err)
	_, err = e.c.CreateRouteResponse(ctx, &apigatewayv2.CreateRouteResponseInput{ApiId: api.ApiId, RouteId: rt.RouteId,
		RouteResponseKey: aws.String("$default")})
	must(t, err)
	_, err = e.c.CreateStage(ctx, &apigatewayv2.CreateStageInput{ApiId: api.ApiId, StageName: aws.String("prod"),
		AutoDeploy: aws.Bool(true)})
	must(t, err)
	return *api.ApiId
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// getJSON reads an inspector endpoint into v and returns the status.
func (e *inspectEnv) getJSON(t *testing.T, path string, v any) int {
	t.Helper()
	resp, body := do(t, "GET", e.srv.URL+path, "")
	if err := json.Unmarshal([]byte(body), v); err != nil {
		t.Fatalf("GET %s: %d, not JSON: %v: %q", path, resp.StatusCode, err, body)
	}
	return resp.StatusCode
}

type summary struct {
	ID                   string  `json:"id"`
	Time                 string  `json:"time"`
	Kind                 string  `json:"kind"`
	Account              string  `json:"account"`
	Region               string  `json:"region"`
	APIID                string  `json:"apiId"`
	Stage                string  `json:"stage"`
	RouteKey             string  `json:"routeKey"`
	ConnectionID         string  `json:"connectionId"`
	RequestID            string  `json:"requestId"`
	Method               string  `json:"method"`
	Path                 string  `json:"path"`
	Status               int     `json:"status"`
	LatencyMs            float64 `json:"latencyMs"`
	IntegrationLatencyMs float64 `json:"integrationLatencyMs"`
}

type message struct {
	Method     string              `json:"method"`
	Path       string              `json:"path"`
	Query      string              `json:"query"`
	URI        string              `json:"uri"`
	Status     int                 `json:"status"`
	Headers    map[string][]string `json:"headers"`
	Body       string              `json:"body"`
	BodyBase64 bool                `json:"bodyBase64"`
	Truncated  bool                `json:"truncated"`
}

type detail struct {
	summary
	Request     *message `json:"request"`
	Response    *message `json:"response"`
	Integration *struct {
		Type     string   `json:"type"`
		URI      string   `json:"uri"`
		Request  *message `json:"request"`
		Response *message `json:"response"`
		Error    string   `json:"error"`
	} `json:"integration"`
	Authorizer *struct {
		Type    string         `json:"type"`
		Name    string         `json:"name"`
		Allowed bool           `json:"allowed"`
		Context map[string]any `json:"context"`
	} `json:"authorizer"`
	Frames []struct {
		Direction string `json:"direction"`
		Body      string `json:"body"`
		Time      string `json:"time"`
	} `json:"frames"`
	ReplayOf  string `json:"replayOf"`
	CloseCode int    `json:"closeCode"`
}

func (e *inspectEnv) traffic(t *testing.T, query string) []summary {
	t.Helper()
	var out struct{ Entries []summary }
	if st := e.getJSON(t, "/_portico/inspect/traffic?"+query, &out); st != 200 {
		t.Fatalf("traffic?%s: %d", query, st)
	}
	return out.Entries
}

// waitTraffic is traffic once it holds n entries: an entry is handed over
// just after its answer has gone out.
func (e *inspectEnv) waitTraffic(t *testing.T, query string, n int) []summary {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		l := e.traffic(t, query)
		if len(l) >= n || time.Now().After(deadline) {
			return l
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (e *inspectEnv) entry(t *testing.T, id string) detail {
	t.Helper()
	var d detail
	if st := e.getJSON(t, "/_portico/inspect/traffic/"+id, &d); st != 200 {
		t.Fatalf("entry %s: %d", id, st)
	}
	return d
}

func (e *inspectEnv) orderURL(api, rest string) string {
	return e.srv.URL + "/_aws/execute-api/" + api + rest
}

// TestInspectHTTPLambda: a request through an HTTP API's Lambda proxy
// route shows up in the traffic with its route, status and latency, and
// its entry holds the client's request and answer and, as the
// integration's request, the very event the function received.
func TestInspectHTTPLambda(t *testing.T) {
	e := newInspectEnv(t, nil)
	api := e.httpLambdaAPI(t)
	resp, body := send(t, "POST", e.orderURL(api, "/orders/42?x=1"), `{"qty":3}`, map[string]string{"Content-Type": "application/json"})
	if resp.StatusCode != 200 || body != "lambda:arn:aws:lambda:us-east-1:000000000000:function:orders" {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	do(t, "GET", e.orderURL(api, "/nowhere"), "") // 404: no route
	list := e.waitTraffic(t, "api="+api, 2)
	if len(list) != 2 || list[0].Status != 404 || list[0].RouteKey != "" || list[1].Status != 200 {
		t.Fatalf("traffic: %+v", list)
	}
	s := list[1]
	if s.Kind != "http" || s.RouteKey != "POST /orders/{id}" || s.Method != "POST" || s.Path != "/_aws/execute-api/"+api+"/orders/42" ||
		s.Stage != "$default" || s.Account != "000000000000" || s.Region != "us-east-1" || s.RequestID != resp.Header.Get("Apigw-Requestid") ||
		s.LatencyMs <= 0 || s.IntegrationLatencyMs <= 0 || s.LatencyMs < s.IntegrationLatencyMs {
		t.Errorf("summary: %+v", s)
	}
	d := e.entry(t, s.ID)
	if d.Request == nil || d.Request.Body != `{"qty":3}` || d.Request.Query != "x=1" || d.Request.Headers["Content-Type"][0] != "application/json" {
		t.Errorf("request: %+v", d.Request)
	}
	if d.Response == nil || d.Response.Status != 200 || d.Response.Body != body || d.Response.Headers["Apigw-Requestid"] == nil {
		t.Errorf("response: %+v", d.Response)
	}
	calls := e.lambda.Calls()
	if d.Integration == nil || d.Integration.Type != "AWS_PROXY" || d.Integration.URI != lambdaArn("orders") || len(calls) != 1 {
		t.Fatalf("integration: %+v, %d calls", d.Integration, len(calls))
	}
	var got, sent map[string]any
	must(t, json.Unmarshal([]byte(d.Integration.Request.Body), &got))
	must(t, json.Unmarshal(calls[0].Event, &sent))
	if !reflect.DeepEqual(got, sent) || got["routeKey"] != "POST /orders/{id}" {
		t.Errorf("recorded event %v\nthe function received %v", got, sent)
	}
	if !strings.Contains(d.Integration.Response.Body, `"statusCode":200`) {
		t.Errorf("integration response: %+v", d.Integration.Response)
	}
	// An unknown id is a 404 in the one error form.
	var msg struct{ Message string }
	if st := e.getJSON(t, "/_portico/inspect/traffic/999999", &msg); st != 404 || msg.Message == "" {
		t.Errorf("unknown id: %d %+v", st, msg)
	}
}

// TestInspectFilters: each filter keeps only what it names.
func TestInspectFilters(t *testing.T) {
	e := newInspectEnv(t, nil)
	a, b := e.httpLambdaAPI(t), e.httpLambdaAPI(t)
	send(t, "POST", e.orderURL(a, "/orders/1"), "", nil)
	send(t, "POST", e.orderURL(a, "/orders/2"), "", nil)
	do(t, "GET", e.orderURL(a, "/missing"), "")
	send(t, "POST", e.orderURL(b, "/orders/3"), "", nil)
	all := e.waitTraffic(t, "", 4)
	for q, want := range map[string]int{
		"":                                 4,
		"api=" + a:                         3,
		"api=" + b:                         1,
		"status=404":                       1,
		"status=2xx&api=" + a:              2,
		"route=POST+%2Forders%2F%7Bid%7D":  3,
		"kind=http":                        4,
		"kind=message":                     0,
		"stage=%24default":                 4,
		"stage=prod":                       0,
		"limit=2":                          2,
		"since=" + all[2].ID:               2,
		"since=" + all[0].ID:               0,
		"connection=nope":                  0,
		"api=" + a + "&route=GET+%2Fother": 0,
	} {
		if got := e.traffic(t, q); len(got) != want {
			t.Errorf("%q: %d entries, want %d", q, len(got), want)
		}
	}
	if got := e.traffic(t, "since="+all[1].Time); len(got) != 1 || got[0].ID != all[0].ID {
		t.Errorf("since a time: %+v", got)
	}
	var msg struct{ Message string }
	if st := e.getJSON(t, "/_portico/inspect/traffic?status=teapot", &msg); st != 400 || msg.Message == "" {
		t.Errorf("bad filter: %d %+v", st, msg)
	}
	// A reset forgets the traffic with the rest of the state.
	if resp, _ := do(t, "POST", e.srv.URL+"/_portico/reset", ""); resp.StatusCode != 204 {
		t.Fatalf("reset: %d", resp.StatusCode)
	}
	if got := e.traffic(t, ""); len(got) != 0 {
		t.Errorf("after a reset: %+v", got)
	}
}

// TestInspectWebSocket: a connect, a message with the frames in and out,
// an @connections post with its frame, and the disconnect show up; the
// connection is listed while it is open.
func TestInspectWebSocket(t *testing.T) {
	e := newInspectEnv(t, nil)
	api := e.wsEchoAPI(t)
	c, err := wsDial(t, e.srv, api)
	must(t, err)
	c.send(t, "hello")
	if got := c.read(t); got != "echo:hello" {
		t.Fatalf("answer %q", got)
	}
	var conns struct {
		Connections []struct {
			ConnectionID, APIID, Stage, Account, Region, ConnectedAt, LastActiveAt, SourceIP string
		}
	}
	e.getJSON(t, "/_portico/inspect/connections?api="+api, &conns)
	if len(conns.Connections) != 1 || conns.Connections[0].Stage != "prod" || conns.Connections[0].SourceIP != "127.0.0.1" {
		t.Fatalf("connections: %+v", conns)
	}
	id := conns.Connections[0].ConnectionID
	resp, _ := do(t, "POST", e.srv.URL+"/_aws/execute-api/"+api+"/prod/@connections/"+id, "pushed")
	if resp.StatusCode != 200 {
		t.Fatalf("post: %d", resp.StatusCode)
	}
	if got := c.read(t); got != "pushed" {
		t.Fatalf("post delivered %q", got)
	}
	list := e.waitTraffic(t, "connection="+id, 3)
	kinds := []string{}
	for _, s := range list {
		kinds = append(kinds, s.Kind)
	}
	if !reflect.DeepEqual(kinds, []string{"post", "message", "connect"}) {
		t.Fatalf("kinds %v", kinds)
	}
	msg := e.entry(t, list[1].ID)
	if msg.RouteKey != "$default" || msg.Status != 200 || len(msg.Frames) != 2 ||
		msg.Frames[0].Direction != "in" || msg.Frames[0].Body != "hello" || msg.Frames[1].Direction != "out" || msg.Frames[1].Body != "echo:hello" {
		t.Errorf("message: %+v", msg)
	}
	if msg.Integration == nil || !strings.Contains(msg.Integration.Request.Body, `"eventType":"MESSAGE"`) ||
		!strings.Contains(msg.Integration.Response.Body, "echo:hello") {
		t.Errorf("message integration: %+v", msg.Integration)
	}
	post := e.entry(t, list[0].ID)
	if post.Status != 200 || post.Method != "POST" || len(post.Frames) != 1 || post.Frames[0].Body != "pushed" || post.Request.Body != "pushed" {
		t.Errorf("post: %+v", post)
	}
	if connect := e.entry(t, list[2].ID); connect.Status != 101 || connect.RouteKey != "$connect" || connect.Request == nil {
		t.Errorf("connect: %+v", connect)
	}
	resp, _ = do(t, "DELETE", e.srv.URL+"/_aws/execute-api/"+api+"/prod/@connections/"+id, "")
	if resp.StatusCode != 204 {
		t.Fatalf("delete: %d", resp.StatusCode)
	}
	if l := e.waitTraffic(t, "connection="+id+"&kind=disconnect", 1); len(l) != 1 {
		t.Errorf("no disconnect entry")
	} else if d := e.entry(t, l[0].ID); d.RouteKey != "$disconnect" || d.CloseCode != 1000 {
		t.Errorf("disconnect: %+v", d)
	}
	if l := e.waitTraffic(t, "connection="+id+"&kind=delete", 1); len(l) != 1 || l[0].Status != 204 {
		t.Errorf("delete entries: %+v", l)
	}
	e.getJSON(t, "/_portico/inspect/connections?api="+api, &conns)
	if len(conns.Connections) != 0 {
		t.Errorf("closed connection still listed: %+v", conns)
	}
}

// sseReader reads a Server-Sent Events stream.
type sseReader struct {
	resp *http.Response
	br   *bufio.Reader
}

func (e *inspectEnv) stream(t *testing.T, query string) *sseReader {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, "GET", e.srv.URL+"/_portico/inspect/stream?"+query, nil)
	resp, err := http.DefaultClient.Do(req)
	must(t, err)
	t.Cleanup(func() { resp.Body.Close() })
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("stream: %d %v", resp.StatusCode, resp.Header)
	}
	return &sseReader{resp: resp, br: bufio.NewReader(resp.Body)}
}

// next returns the next event's name and data ("" and the comment for a
// comment).
func (s *sseReader) next(t *testing.T) (event, data string) {
	t.Helper()
	done := make(chan struct{})
	defer close(done)
	go func() {
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			s.resp.Body.Close()
		}
	}()
	for {
		line, err := s.br.ReadString('\n')
		if err != nil {
			t.Fatalf("stream ended: %v", err)
		}
		line = strings.TrimSuffix(line, "\n")
		switch {
		case line == "" && (event != "" || data != ""):
			return event, data
		case strings.HasPrefix(line, ":"):
			if event == "" && data == "" {
				return "", strings.TrimSpace(line[1:])
			}
		case strings.HasPrefix(line, "event: "):
			event = line[len("event: "):]
		case strings.HasPrefix(line, "data: "):
			data = line[len("data: "):]
		}
	}
}

// TestInspectStream: a new entry reaches a stream that asked for its API
// and not one that asked for another; a quiet stream gets heartbeats.
func TestInspectStream(t *testing.T) {
	// Put back after the server's cleanup (cleanups run last first).
	was := *server.HeartbeatEvery
	t.Cleanup(func() { *server.HeartbeatEvery = was })
	*server.HeartbeatEvery = 50 * time.Millisecond
	e := newInspectEnv(t, nil)
	api := e.httpLambdaAPI(t)
	mine, other := e.stream(t, "api="+api), e.stream(t, "api=someother")
	if ev, data := mine.next(t); ev != "" || data != "portico inspector" {
		t.Fatalf("first: %q %q", ev, data)
	}
	resp, _ := send(t, "POST", e.orderURL(api, "/orders/9"), "", nil)
	for {
		ev, data := mine.next(t)
		if ev == "" {
			continue // a heartbeat
		}
		var s summary
		must(t, json.Unmarshal([]byte(data), &s))
		if ev != "entry" || s.APIID != api || s.RouteKey != "POST /orders/{id}" || s.RequestID != resp.Header.Get("Apigw-Requestid") {
			t.Fatalf("%s %s", ev, data)
		}
		break
	}
	other.next(t) // the opening comment
	if ev, data := other.next(t); ev != "" || data != "heartbeat" {
		t.Errorf("the other stream got %q %q, want a heartbeat", ev, data)
	}
	// since: a stream opened later catches up from the ring first.
	first := e.waitTraffic(t, "", 1)[0]
	send(t, "POST", e.orderURL(api, "/orders/10"), "", nil)
	late := e.stream(t, "since="+first.ID)
	late.next(t)
	if ev, data := late.next(t); ev != "entry" || !strings.Contains(data, `"path":"/_aws/execute-api/`+api+`/orders/10"`) {
		t.Errorf("backlog: %q %q", ev, data)
	}
	// since=0, as a page that listed nothing asks: every entry the ring
	// holds comes first, the oldest first.
	all := e.stream(t, "since=0")
	all.next(t)
	if ev, data := all.next(t); ev != "entry" || !strings.Contains(data, `"path":"/_aws/execute-api/`+api+`/orders/9"`) {
		t.Errorf("backlog since 0: %q %q", ev, data)
	}
}

// TestInspectReplayHTTP: a replay goes through the data plane again: a new
// entry on the same route, marked as the replay, and the function called
// again; an edited replay changes what the function gets, and cannot
// leave the entry's API and stage.
func TestInspectReplayHTTP(t *testing.T) {
	e := newInspectEnv(t, nil)
	api, otherAPI := e.httpLambdaAPI(t), e.httpLambdaAPI(t)
	send(t, "POST", e.orderURL(api, "/orders/42?x=1"), `{"qty":3}`, map[string]string{"X-Mine": "yes", "Content-Type": "application/json"})
	orig := e.waitTraffic(t, "", 1)[0]
	var out struct {
		Entry  string `json:"entry"`
		Status int    `json:"status"`
	}
	resp, body := do(t, "POST", e.srv.URL+"/_portico/inspect/traffic/"+orig.ID+"/replay", "")
	must(t, json.Unmarshal([]byte(body), &out))
	if resp.StatusCode != 200 || out.Status != 200 || out.Entry == "" || out.Entry == orig.ID {
		t.Fatalf("replay: %d %s", resp.StatusCode, body)
	}
	d := e.entry(t, out.Entry)
	if d.RouteKey != orig.RouteKey || d.ReplayOf != orig.ID || d.Path != orig.Path || d.Request.Body != `{"qty":3}` ||
		d.Request.Query != "x=1" || d.Request.Headers["X-Mine"][0] != "yes" {
		t.Errorf("replayed entry: %+v", d)
	}
	calls := e.lambda.Calls()
	var first, again map[string]any
	must(t, json.Unmarshal(calls[0].Event, &first))
	must(t, json.Unmarshal(calls[len(calls)-1].Event, &again))
	if len(calls) != 2 || first["body"] != again["body"] || first["rawPath"] != again["rawPath"] || first["routeKey"] != again["routeKey"] {
		t.Fatalf("the function got %d calls: %s", len(calls), calls[len(calls)-1].Event)
	}
	// Edited: another id, body and query.
	edit := fmt.Sprintf(`{"path":"/_aws/execute-api/%s/orders/7","query":"y=2","body":"{\"qty\":5}","headers":{"X-Other":"1","Content-Type":["application/json"]}}`, api)
	resp, body = do(t, "POST", e.srv.URL+"/_portico/inspect/traffic/"+orig.ID+"/replay", edit)
	must(t, json.Unmarshal([]byte(body), &out))
	if resp.StatusCode != 200 || out.Status != 200 {
		t.Fatalf("edited replay: %d %s", resp.StatusCode, body)
	}
	var ev struct {
		PathParameters map[string]string `json:"pathParameters"`
		RawQueryString string            `json:"rawQueryString"`
		Body           string            `json:"body"`
		Headers        map[string]string `json:"headers"`
	}
	calls = e.lambda.Calls()
	must(t, json.Unmarshal(calls[len(calls)-1].Event, &ev))
	if ev.PathParameters["id"] != "7" || ev.RawQueryString != "y=2" || ev.Body != `{"qty":5}` || ev.Headers["x-other"] != "1" || ev.Headers["x-mine"] != "" {
		t.Errorf("edited event: %+v", ev)
	}
	// A replay stays on its API and stage, and on this Portico.
	for _, path := range []string{"/_aws/execute-api/" + otherAPI + "/orders/7", "//evil.example/orders/7", "/_portico/reset", "/v2/apis"} {
		resp, body = do(t, "POST", e.srv.URL+"/_portico/inspect/traffic/"+orig.ID+"/replay", `{"path":"`+path+`"}`)
		if resp.StatusCode != 400 || !strings.Contains(body, "stays on the entry's API and stage") {
			t.Errorf("path %s: %d %s", path, resp.StatusCode, body)
		}
	}
	if n := len(e.lambda.Calls()); n != 3 {
		t.Errorf("%d calls after refused replays", n)
	}
	if apis, err := e.c.GetApis(context.Background(), &apigatewayv2.GetApisInput{}); err != nil || len(apis.Items) != 2 {
		t.Errorf("the APIs are not intact: %v", err)
	}
	if resp, _ := do(t, "POST", e.srv.URL+"/_portico/inspect/traffic/424242/replay", ""); resp.StatusCode != 404 {
		t.Errorf("replay of an unknown entry: %d", resp.StatusCode)
	}
	if resp, _ := do(t, "GET", e.srv.URL+"/_portico/inspect/traffic/"+orig.ID+"/replay", ""); resp.StatusCode != 405 {
		t.Errorf("GET replay: %d", resp.StatusCode)
	}
}

// TestInspectReplayMessage: a replayed message reaches the real client as
// if it had sent it again; once the connection is gone, 409.
func TestInspectReplayMessage(t *testing.T) {
	e := newInspectEnv(t, nil)
	api := e.wsEchoAPI(t)
	c, err := wsDial(t, e.srv, api)
	must(t, err)
	c.send(t, "hello")
	c.read(t)
	orig := e.waitTraffic(t, "kind=message", 1)[0]
	var out struct {
		Entry  string `json:"entry"`
		Status int    `json:"status"`
	}
	resp, body := do(t, "POST", e.srv.URL+"/_portico/inspect/traffic/"+orig.ID+"/replay", "")
	must(t, json.Unmarshal([]byte(body), &out))
	if resp.StatusCode != 200 || out.Status != 200 || out.Entry == "" {
		t.Fatalf("replay: %d %s", resp.StatusCode, body)
	}
	if got := c.read(t); got != "echo:hello" {
		t.Errorf("the client got %q", got)
	}
	if d := e.entry(t, out.Entry); d.ReplayOf != orig.ID || d.ConnectionID != orig.ConnectionID || len(d.Frames) != 2 {
		t.Errorf("replayed entry: %+v", d)
	}
	do(t, "POST", e.srv.URL+"/_portico/inspect/traffic/"+orig.ID+"/replay", `{"body":"edited"}`)
	if got := c.read(t); got != "echo:edited" {
		t.Errorf("the client got %q", got)
	}
	resp, _ = do(t, "DELETE", e.srv.URL+"/_aws/execute-api/"+api+"/prod/@connections/"+orig.ConnectionID, "")
	if resp.StatusCode != 204 {
		t.Fatalf("delete: %d", resp.StatusCode)
	}
	resp, body = do(t, "POST", e.srv.URL+"/_portico/inspect/traffic/"+orig.ID+"/replay", "")
	if resp.StatusCode != 409 || !strings.Contains(body, "gone") {
		t.Errorf("replay on a closed connection: %d %s", resp.StatusCode, body)
	}
}

// TestInspectLimits: the ring keeps its size, bodies are cut at the limit
// and marked, a cut body is not replayed as if whole, and hostile bodies
// (binary, huge) leave the JSON intact.
func TestInspectLimits(t *testing.T) {
	e := newInspectEnv(t, func(c *server.Config) { c.InspectEntries = 3; c.InspectBodyBytes = 16 })
	api := e.httpLambdaAPI(t)
	for i := range 5 {
		send(t, "POST", e.orderURL(api, fmt.Sprintf("/orders/%d", i)), strings.Repeat("x", 100), nil)
	}
	list := e.waitTraffic(t, "limit=100", 3)
	if len(list) != 3 || !strings.HasSuffix(list[2].Path, "/orders/2") {
		t.Fatalf("ring: %+v", list)
	}
	var msg struct{ Message string }
	if st := e.getJSON(t, fmt.Sprintf("/_portico/inspect/traffic/%d", mustAtoi(t, list[2].ID)-1), &msg); st != 404 {
		t.Errorf("an evicted entry: %d", st)
	}
	d := e.entry(t, list[0].ID)
	if d.Request.Body != strings.Repeat("x", 16) || !d.Request.Truncated || !d.Integration.Request.Truncated || len(d.Integration.Request.Body) != 16 {
		t.Errorf("cut: %+v %+v", d.Request, d.Integration.Request)
	}
	resp, body := do(t, "POST", e.srv.URL+"/_portico/inspect/traffic/"+list[0].ID+"/replay", "")
	if resp.StatusCode != 409 || !strings.Contains(body, "cut at 16 bytes") {
		t.Errorf("replay of a cut body: %d %s", resp.StatusCode, body)
	}

	// Binary and huge, at the default limit.
	e = newInspectEnv(t, nil)
	api = e.httpLambdaAPI(t)
	bin := []byte{0xff, 0xfe, 0x00, '"', '\\', '\n', 0xc3}
	send(t, "POST", e.orderURL(api, "/orders/1"), string(bin), map[string]string{"X-Odd": "a\tb"})
	huge := bytes.Repeat([]byte("é\x00\""), 1<<20)
	send(t, "POST", e.orderURL(api, "/orders/2"), string(huge), nil)
	list = e.waitTraffic(t, "", 2)
	for _, s := range list {
		resp, raw := do(t, "GET", e.srv.URL+"/_portico/inspect/traffic/"+s.ID, "")
		if resp.StatusCode != 200 || !json.Valid([]byte(raw)) || len(raw) > 1<<20 {
			t.Fatalf("entry %s: %d, %d bytes, valid %v", s.ID, resp.StatusCode, len(raw), json.Valid([]byte(raw)))
		}
	}
	d = e.entry(t, list[1].ID)
	got, err := base64.StdEncoding.DecodeString(d.Request.Body)
	if err != nil || !d.Request.BodyBase64 || !bytes.Equal(got, bin) || d.Request.Truncated {
		t.Errorf("binary body: %+v", d.Request)
	}
	d = e.entry(t, list[0].ID)
	if !d.Request.Truncated || d.Request.BodyBase64 || len(d.Request.Body) > 64<<10 || len(d.Request.Body) < 64<<10-4 ||
		!strings.HasPrefix(d.Request.Body, "é\x00\"é") || !d.Integration.Request.Truncated {
		t.Errorf("huge body: %d bytes, truncated %v, base64 %v", len(d.Request.Body), d.Request.Truncated, d.Request.BodyBase64)
	}
}

func mustAtoi(t *testing.T, s string) int {
	var n int
	if _, err := fmt.Sscan(s, &n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestInspectOffAndGuarded: with recording off the data plane serves as
// before and the traffic endpoints say the inspector is off; the
// endpoints refuse other sites' pages, as every /_portico/ endpoint does.
func TestInspectOffAndGuarded(t *testing.T) {
	e := newInspectEnv(t, func(c *server.Config) { c.InspectEntries = -1 })
	api := e.httpLambdaAPI(t)
	if resp, _ := send(t, "POST", e.orderURL(api, "/orders/1"), "", nil); resp.StatusCode != 200 {
		t.Fatalf("%d", resp.StatusCode)
	}
	var msg struct{ Message string }
	if st := e.getJSON(t, "/_portico/inspect/traffic", &msg); st != 404 || !strings.Contains(msg.Message, "--inspect-entries 0") {
		t.Errorf("off: %d %+v", st, msg)
	}
	var conns struct{ Connections []any }
	if st := e.getJSON(t, "/_portico/inspect/connections", &conns); st != 200 || conns.Connections == nil {
		t.Errorf("connections with recording off: %d", st)
	}
	e = newInspectEnv(t, nil)
	resp, body := send(t, "GET", e.srv.URL+"/_portico/inspect/traffic", "", map[string]string{"Origin": "https://evil.example"})
	if resp.StatusCode != 403 || !strings.Contains(body, "refused") {
		t.Errorf("cross-site: %d %s", resp.StatusCode, body)
	}
	resp, _ = send(t, "GET", e.srv.URL+"/_portico/inspect/traffic", "", map[string]string{"Host": "evil.example"})
	if resp.StatusCode != 403 {
		t.Errorf("rebound host: %d", resp.StatusCode)
	}
	if resp, _ := do(t, "GET", e.srv.URL+"/_portico/inspect/nothing", ""); resp.StatusCode != 404 {
		t.Errorf("unknown endpoint: %d", resp.StatusCode)
	}
	_ = io.Discard
}

// TestInspectTemplates: a MOCK route's entry holds its request and
// response templates' output, and what the mock was given and answered.
func TestInspectTemplates(t *testing.T) {
	e := newInspectEnv(t, nil)
	ctx := context.Background()
	api, err := e.c.CreateApi(ctx, &apigatewayv2.CreateApiInput{Name: aws.String("mock"), ProtocolType: types.ProtocolTypeWebsocket,
		RouteSelectionExpression: aws.String("$request.body.action")})
	must(t, err)
	in, err := e.c.CreateIntegration(ctx, &apigatewayv2.CreateIntegrationInput{ApiId: api.ApiId, IntegrationType: types.IntegrationTypeMock,
		RequestTemplates:            map[string]string{"$default": `{"statusCode": 200, "echo": $input.json('$.text')}`},
		TemplateSelectionExpression: aws.String(`\$default`)})
	must(t, err)
	_, err = e.c.CreateIntegrationResponse(ctx, &apigatewayv2.CreateIntegrationResponseInput{ApiId: api.ApiId, IntegrationId: in.IntegrationId,
		IntegrationResponseKey: aws.String("$default"), TemplateSelectionExpression: aws.String(`\$default`),
		ResponseTemplates: map[string]string{"$default": `you said $input.path('$.echo')`}})
	must(t, err)
	rt, err := e.c.CreateRoute(ctx, &apigatewayv2.CreateRouteInput{ApiId: api.ApiId, RouteKey: aws.String("$default"),
		Target: aws.String("integrations/" + *in.IntegrationId), RouteResponseSelectionExpression: aws.String("$default")})
	must(t, err)
	_, err = e.c.CreateRouteResponse(ctx, &apigatewayv2.CreateRouteResponseInput{ApiId: api.ApiId, RouteId: rt.RouteId,
		RouteResponseKey: aws.String("$default")})
	must(t, err)
	_, err = e.c.CreateStage(ctx, &apigatewayv2.CreateStageInput{ApiId: api.ApiId, StageName: aws.String("prod"), AutoDeploy: aws.Bool(true)})
	must(t, err)
	c, err := wsDial(t, e.srv, *api.ApiId)
	must(t, err)
	c.send(t, `{"text":"hi"}`)
	if got := c.read(t); got != "you said hi" {
		t.Fatalf("answer %q", got)
	}
	var d struct {
		Templates []struct {
			Name, Output string
		}
		Integration struct {
			Type              string
			Request, Response message
		}
	}
	l := e.waitTraffic(t, "kind=message", 1)
	e.getJSON(t, "/_portico/inspect/traffic/"+l[0].ID, &d)
	want := []struct{ Name, Output string }{{"request:$default", `{"statusCode": 200, "echo": "hi"}`}, {"response:$default", "you said hi"}}
	if len(d.Templates) != 2 || d.Templates[0] != want[0] || d.Templates[1] != want[1] {
		t.Errorf("templates: %+v", d.Templates)
	}
	if d.Integration.Type != "MOCK" || d.Integration.Request.Body != want[0].Output || d.Integration.Response.Status != 200 {
		t.Errorf("integration: %+v", d.Integration)
	}
}
