package server_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"
	lambdasdk "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/gobwas/ws"
	"github.com/gobwas/ws/wsutil"

	"github.com/portico-dev/portico/server"
)

// needRuntime skips a test without a language runtime on the machine, or
// fails it where CI has said the runtimes must be there.
func needRuntime(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("PORTICO_REQUIRE_RUNTIMES") != "" {
			t.Fatalf("PORTICO_REQUIRE_RUNTIMES is set but %s is not on PATH", name)
		}
		t.Skipf("skipped: needs %s on PATH", name)
	}
	return p
}

var (
	goAppOnce sync.Once
	goAppPath string
	goAppErr  error
)

// goApp builds the aws-lambda-go handler of testdata/functions/goapp once.
func goApp(t *testing.T) string {
	goAppOnce.Do(func() {
		dir, err := os.MkdirTemp("", "portico-goapp")
		if err != nil {
			goAppErr = err
			return
		}
		goAppPath = filepath.Join(dir, "bootstrap")
		out, err := exec.Command("go", "build", "-o", goAppPath, "./testdata/functions/goapp").CombinedOutput()
		if err != nil {
			goAppErr = err
			t.Log(string(out))
		}
	})
	if goAppErr != nil {
		t.Fatal(goAppErr)
	}
	return goAppPath
}

// lambdaHTTPAPI routes every request of a new HTTP API to function fn.
func lambdaHTTPAPI(t *testing.T, c *apigatewayv2.Client, fn string) string {
	t.Helper()
	ctx := context.Background()
	api, err := c.CreateApi(ctx, &apigatewayv2.CreateApiInput{Name: aws.String(fn), ProtocolType: types.ProtocolTypeHttp,
		Target: aws.String("arn:aws:lambda:us-east-1:000000000000:function:" + fn)})
	if err != nil {
		t.Fatal(err)
	}
	return *api.ApiId
}

// TestGoFunctionBehindHTTPAPI: a Go handler built with aws-lambda-go, run
// by Portico itself (--function NAME=COMMAND), answers an HTTP API route
// with no other tool running; the Invoke API on Portico's listener serves
// the real Go SDK Lambda client.
func TestGoFunctionBehindHTTPAPI(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a Go handler")
	}
	srv := start(t, server.Config{InMemory: true, Functions: []string{"hello=" + goApp(t)}})
	api := lambdaHTTPAPI(t, srv.Client(), "hello")
	resp, body := do(t, "GET", srv.URL+"/_aws/execute-api/"+api+"/greet/ann", "")
	if resp.StatusCode != 200 || body != "go:/greet/ann:hello" {
		t.Errorf("through the API: %d %q", resp.StatusCode, body)
	}
	lc := lambdasdk.New(lambdasdk.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})
	out, err := lc.Invoke(context.Background(), &lambdasdk.InvokeInput{FunctionName: aws.String("hello"),
		Payload: []byte(`{"rawPath":"/direct"}`)})
	if err != nil || out.FunctionError != nil || !strings.Contains(string(out.Payload), "go:/direct:hello") {
		t.Errorf("the SDK's Invoke: %v %+v %s", err, out, out.Payload)
	}
	_, err = lc.Invoke(context.Background(), &lambdasdk.InvokeInput{FunctionName: aws.String("nope")})
	if err == nil || !strings.Contains(err.Error(), "ResourceNotFoundException") {
		t.Errorf("an unknown function: %v", err)
	}
}

// TestPythonFunctionBehindHTTPAPI: python:module.function runs through the
// built-in Python runtime.
func TestPythonFunctionBehindHTTPAPI(t *testing.T) {
	needRuntime(t, "python3")
	dir, _ := filepath.Abs("testdata/functions/py")
	srv := start(t, server.Config{InMemory: true, FunctionsFile: writeFunctionsFile(t,
		`[{"name": "pyapp", "command": "python:app.handler", "dir": "`+dir+`"}]`)})
	api := lambdaHTTPAPI(t, srv.Client(), "pyapp")
	resp, body := do(t, "GET", srv.URL+"/_aws/execute-api/"+api+"/x", "")
	var got struct{ Path, Function, RequestID string }
	if resp.StatusCode != 200 || json.Unmarshal([]byte(body), &got) != nil || got.Path != "/x" || got.Function != "pyapp" {
		t.Errorf("%d %s", resp.StatusCode, body)
	}
}

func writeFunctionsFile(t *testing.T, content string) string {
	p := filepath.Join(t.TempDir(), "functions.json")
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// wsRouteAPI makes a WebSocket API whose $connect, $disconnect and every
// message go to function fn, deployed on stage prod.
func wsRouteAPI(t *testing.T, c *apigatewayv2.Client, fn string, keys ...string) string {
	t.Helper()
	ctx := context.Background()
	api, err := c.CreateApi(ctx, &apigatewayv2.CreateApiInput{Name: aws.String(fn), ProtocolType: types.ProtocolTypeWebsocket,
		RouteSelectionExpression: aws.String("$request.body.action")})
	if err != nil {
		t.Fatal(err)
	}
	in, err := c.CreateIntegration(ctx, &apigatewayv2.CreateIntegrationInput{ApiId: api.ApiId, IntegrationType: types.IntegrationTypeAwsProxy,
		IntegrationUri: aws.String("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:" + fn + "/invocations")})
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range append([]string{"$connect", "$disconnect"}, keys...) {
		if _, err := c.CreateRoute(ctx, &apigatewayv2.CreateRouteInput{ApiId: api.ApiId, RouteKey: aws.String(key),
			Target: aws.String("integrations/" + *in.IntegrationId)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.CreateStage(ctx, &apigatewayv2.CreateStageInput{ApiId: api.ApiId, StageName: aws.String("prod"),
		AutoDeploy: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	return *api.ApiId
}

func wsDial(t *testing.T, srv *server.Server, api string) (*wsConn, error) {
	conn, br, _, err := ws.Dialer{Timeout: 5 * time.Second}.Dial(context.Background(),
		"ws"+strings.TrimPrefix(srv.URL, "http")+"/_aws/execute-api/"+api+"/prod")
	if err != nil {
		return nil, err
	}
	c := &wsConn{conn: conn, r: conn}
	if br != nil {
		c.r = io.MultiReader(br, conn)
	}
	t.Cleanup(func() { conn.Close() })
	return c, nil
}

type wsConn struct {
	conn interface {
		io.ReadWriter
		SetReadDeadline(time.Time) error
	}
	r io.Reader
}

func (c *wsConn) send(t *testing.T, msg string) {
	if err := wsutil.WriteClientText(c.conn, []byte(msg)); err != nil {
		t.Fatal(err)
	}
}

func (c *wsConn) read(t *testing.T) string {
	c.conn.SetReadDeadline(time.Now().Add(20 * time.Second))
	b, err := wsutil.ReadServerText(struct {
		io.Reader
		io.Writer
	}{c.r, c.conn})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestGoFunctionPostsBackToWebSocket: a Go handler behind a WebSocket
// route answers by posting to https://{domainName}/{stage}/@connections/
// {id}, the endpoint AWS's samples build, over TLS it trusts through the
// environment Portico gives it.
func TestGoFunctionPostsBackToWebSocket(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a Go handler")
	}
	srv := start(t, server.Config{InMemory: true, Functions: []string{"wsgo=" + goApp(t)}})
	api := wsRouteAPI(t, srv.Client(), "wsgo", "$default")
	c, err := wsDial(t, srv, api)
	if err != nil {
		t.Fatal(err)
	}
	c.send(t, "hello")
	if got := c.read(t); got != "echo:hello" {
		t.Errorf("got %q", got)
	}
}

// TestNodeChatSample: examples/chat, a chat handler written as AWS's
// samples write one (the JavaScript SDK's ApiGatewayManagementApiClient
// on https://{domainName}/{stage}), run by the built-in Node.js runtime,
// broadcasts a message to both clients.
func TestNodeChatSample(t *testing.T) {
	needRuntime(t, "node")
	dir, _ := filepath.Abs("../examples/chat")
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "@aws-sdk", "client-apigatewaymanagementapi")); err != nil {
		if os.Getenv("PORTICO_REQUIRE_RUNTIMES") != "" {
			t.Fatal("examples/chat has no node_modules: run npm ci there (.ci/run does)")
		}
		t.Skip("skipped: run npm ci in examples/chat first")
	}
	srv := start(t, server.Config{InMemory: true, FunctionsFile: writeFunctionsFile(t,
		`{"chat": {"command": "node:index.handler", "dir": "`+dir+`", "timeout": 10}}`)})
	api := wsRouteAPI(t, srv.Client(), "chat", "sendmessage")
	a, err := wsDial(t, srv, api)
	if err != nil {
		t.Fatal(err)
	}
	b, err := wsDial(t, srv, api)
	if err != nil {
		t.Fatal(err)
	}
	a.send(t, `{"action":"sendmessage","message":"hi all"}`)
	for name, c := range map[string]*wsConn{"a": a, "b": b} {
		var msg struct{ From, Text string }
		if got := c.read(t); json.Unmarshal([]byte(got), &msg) != nil || msg.Text != "hi all" || msg.From == "" {
			t.Errorf("client %s got %q", name, got)
		}
	}
}

// TestFunctionLogs: a function's log lines (START, END, REPORT and its
// own output) are kept under /aws/lambda/NAME.
func TestFunctionLogs(t *testing.T) {
	needRuntime(t, "python3")
	dir, _ := filepath.Abs("testdata/functions/py")
	srv := start(t, server.Config{InMemory: true, FunctionsFile: writeFunctionsFile(t,
		`[{"name": "logged", "command": "python:app.handler", "dir": "`+dir+`"}]`)})
	lc := lambdasdk.New(lambdasdk.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})
	if _, err := lc.Invoke(context.Background(), &lambdasdk.InvokeInput{FunctionName: aws.String("logged"),
		Payload: []byte(`{"rawPath":"/"}`)}); err != nil {
		t.Fatal(err)
	}
	var all string
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(all, "REPORT RequestId: ") && time.Now().Before(deadline) {
		resp, err := http.Get(srv.URL + "/_portico/logs/%2Faws%2Flambda%2Flogged")
		if err != nil {
			t.Fatal(err)
		}
		var logs struct{ Lines []string }
		json.NewDecoder(resp.Body).Decode(&logs)
		resp.Body.Close()
		all = strings.Join(logs.Lines, "\n")
		time.Sleep(20 * time.Millisecond)
	}
	for _, want := range []string{"START RequestId: ", "END RequestId: ", "REPORT RequestId: "} {
		if !strings.Contains(all, want) {
			t.Errorf("the function's log lacks %q:\n%s", want, all)
		}
	}
}

// TestWatchRestartsFunctions: with Watch, an edit of a handler's file is
// served by the next request, without restarting Portico.
func TestWatchRestartsFunctions(t *testing.T) {
	needRuntime(t, "python3")
	dir := t.TempDir()
	write := func(word string) {
		src := "def handler(event, context):\n    return {'statusCode': 200, 'body': '" + word + "'}\n"
		if err := os.WriteFile(filepath.Join(dir, "app.py"), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("before")
	srv := start(t, server.Config{InMemory: true, Watch: true, FunctionsFile: writeFunctionsFile(t,
		`[{"name": "w", "command": "python:app.handler", "dir": "`+dir+`"}]`)})
	api := lambdaHTTPAPI(t, srv.Client(), "w")
	if _, body := do(t, "GET", srv.URL+"/_aws/execute-api/"+api+"/", ""); body != "before" {
		t.Fatalf("first answer %q", body)
	}
	time.Sleep(50 * time.Millisecond) // a later modification time
	write("after")
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, body := do(t, "GET", srv.URL+"/_aws/execute-api/"+api+"/", "")
		if body == "after" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("still %q after the edit", body)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
