package websocket_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"
)

func (e *env) integrationResponse(t *testing.T, apiID, integrationID, key string, templates map[string]string, tse string) {
	t.Helper()
	in := &apigatewayv2.CreateIntegrationResponseInput{ApiId: &apiID, IntegrationId: &integrationID,
		IntegrationResponseKey: aws.String(key), ResponseTemplates: templates}
	if tse != "" {
		in.TemplateSelectionExpression = aws.String(tse)
	}
	_, err := e.c.CreateIntegrationResponse(e.ctx, in)
	must(t, err)
}

// TestMockTwoWayEcho is the simplest two-way route, built only through the
// SDK: a MOCK integration whose request template renders the status and
// carries the message, and whose response template returns it with
// $context and $stageVariables values.
func TestMockTwoWayEcho(t *testing.T) {
	e := newEnv(t, nil)
	api := e.wsAPI(t)
	mock, err := e.c.CreateIntegration(e.ctx, &apigatewayv2.CreateIntegrationInput{ApiId: &api, IntegrationType: types.IntegrationTypeMock,
		RequestTemplates:            map[string]string{"$default": `{"statusCode": 200, "echo": $input.json('$')}`},
		TemplateSelectionExpression: aws.String(`\$default`)})
	must(t, err)
	e.integrationResponse(t, api, *mock.IntegrationId, "$default", map[string]string{
		"$default": `{"you said": $input.json('$.echo.text'), "route": "$context.routeKey", "stage": "$context.stage", "greeting": "$stageVariables.greeting", "cid": "$context.connectionId"}`,
	}, `\$default`)
	e.route(t, api, "echo", *mock.IntegrationId, true)
	_, err = e.c.CreateStage(e.ctx, &apigatewayv2.CreateStageInput{ApiId: &api, StageName: aws.String("prod"),
		StageVariables: map[string]string{"greeting": "hello"}})
	must(t, err)
	e.deploy(t, api, "prod")

	c := e.mustDial(t, e.wsURL(api, "prod"))
	c.send(`{"action":"echo","text":"hi there"}`)
	var got map[string]string
	raw := c.mustRead()
	if err := json.Unmarshal([]byte(raw), &got); err != nil {
		t.Fatalf("%q: %v", raw, err)
	}
	if got["you said"] != "hi there" || got["route"] != "echo" || got["stage"] != "prod" || got["greeting"] != "hello" || len(got["cid"]) != 16 {
		t.Fatalf("echo: %s", raw)
	}
}

// TestHTTPIntegrationResponses: an HTTP (non-proxy) integration renders
// the request template, calls the backend, and picks the integration
// response by a regex on the status, whose template shapes the answer.
func TestHTTPIntegrationResponses(t *testing.T) {
	e := newEnv(t, nil)
	var gotBody string
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		gotBody = string(b)
		var in struct{ Want int }
		json.Unmarshal(b, &in)
		w.Header().Set("X-Source", "backend")
		w.WriteHeader(in.Want)
		fmt.Fprintf(w, `{"code":%d}`, in.Want)
	}))
	defer backend.Close()
	api := e.wsAPI(t)
	in, err := e.c.CreateIntegration(e.ctx, &apigatewayv2.CreateIntegrationInput{ApiId: &api, IntegrationType: types.IntegrationTypeHttp,
		IntegrationMethod: aws.String("POST"), IntegrationUri: aws.String(backend.URL),
		RequestTemplates: map[string]string{"$default": `{"want": $input.path('$.want')}`}})
	must(t, err)
	e.integrationResponse(t, api, *in.IntegrationId, "/2\\d\\d/", map[string]string{"$default": `ok $input.path('$.code') from $integration`}, "")
	e.integrationResponse(t, api, *in.IntegrationId, "/4\\d\\d/", map[string]string{"x": "client error", "backend": `client error ($input.path('$.code'))`},
		"${integration.response.header.X-Source}")
	e.integrationResponse(t, api, *in.IntegrationId, "$default", nil, "")
	e.route(t, api, "$default", *in.IntegrationId, true)
	e.deploy(t, api, "prod")

	c := e.mustDial(t, e.wsURL(api, "prod"))
	c.send(`{"want":201}`)
	if got := c.mustRead(); got != `ok 201 from $integration` {
		t.Errorf("2xx: %q", got)
	}
	if gotBody != `{"want": 201}` {
		t.Errorf("backend received %q", gotBody)
	}
	c.send(`{"want":404}`)
	if got := c.mustRead(); got != `client error (404)` {
		t.Errorf("4xx: %q", got)
	}
	// No template on $default: the backend's body passes through.
	c.send(`{"want":503}`)
	if got := c.mustRead(); got != `{"code":503}` {
		t.Errorf("$default: %q", got)
	}
}

// TestAWSIntegrationErrorSelection: an AWS (non-proxy) Lambda integration
// selects integration responses by the function's error message.
func TestAWSIntegrationErrorSelection(t *testing.T) {
	e := newEnv(t, nil)
	e.lambda.SetHandler(func(fn string, event []byte) (any, string) {
		var in struct{ Fail string }
		json.Unmarshal(event, &in)
		if in.Fail != "" {
			return nil, in.Fail
		}
		return map[string]any{"result": "fine", "got": json.RawMessage(event)}, ""
	})
	api := e.wsAPI(t)
	in, err := e.c.CreateIntegration(e.ctx, &apigatewayv2.CreateIntegrationInput{ApiId: &api, IntegrationType: types.IntegrationTypeAws,
		IntegrationUri: aws.String(lambdaURI("worker")), RequestTemplates: map[string]string{"$default": `{"fail": "$input.path('$.fail')"}`}})
	must(t, err)
	e.integrationResponse(t, api, *in.IntegrationId, "/.*not found.*/", map[string]string{"$default": `missing: $input.path('$.errorMessage')`}, "")
	e.integrationResponse(t, api, *in.IntegrationId, "$default", map[string]string{"$default": `$input.path('$.result')`}, "")
	e.route(t, api, "$default", *in.IntegrationId, true)
	e.deploy(t, api, "prod")
	c := e.mustDial(t, e.wsURL(api, "prod"))
	c.send(`{"fail":""}`)
	if got := c.mustRead(); got != "fine" {
		t.Errorf("success: %q", got)
	}
	c.send(`{"fail":"user not found"}`)
	if got := c.mustRead(); got != "missing: user not found" {
		t.Errorf("error selection: %q", got)
	}
}

// TestTemplateSelectionAndPassthrough: the request template is chosen by
// the template selection expression; NEVER refuses a message no template
// matches; a template that fails at run time is an integration failure.
func TestTemplateSelectionAndPassthrough(t *testing.T) {
	e := newEnv(t, nil)
	api := e.wsAPI(t)
	mk := func(passthrough types.PassthroughBehavior, templates map[string]string) string {
		in, err := e.c.CreateIntegration(e.ctx, &apigatewayv2.CreateIntegrationInput{ApiId: &api, IntegrationType: types.IntegrationTypeMock,
			RequestTemplates: templates, TemplateSelectionExpression: aws.String("${request.body.kind}"), PassthroughBehavior: passthrough})
		must(t, err)
		e.integrationResponse(t, api, *in.IntegrationId, "$default", nil, "")
		return *in.IntegrationId
	}
	sel := mk(types.PassthroughBehaviorWhenNoMatch, map[string]string{
		"a": `{"statusCode": 200, "picked": "a"}`, "b": `{"statusCode": 200, "picked": "b"}`})
	never := mk(types.PassthroughBehaviorNever, map[string]string{"a": `{"statusCode": 200}`})
	broken := mk(types.PassthroughBehaviorWhenNoMatch, map[string]string{"$default": `$util.parseJson("not json")`})
	e.route(t, api, "sel", sel, true)
	e.route(t, api, "never", never, true)
	e.route(t, api, "broken", broken, true)
	e.deploy(t, api, "prod")
	c := e.mustDial(t, e.wsURL(api, "prod"))
	for msg, want := range map[string]string{
		`{"action":"sel","kind":"a"}`: `{"statusCode": 200, "picked": "a"}`,
		`{"action":"sel","kind":"b"}`: `{"statusCode": 200, "picked": "b"}`,
		// No template for "z": WHEN_NO_MATCH passes the message through.
		`{"action":"sel","kind":"z"}`: `{"action":"sel","kind":"z"}`,
	} {
		c.send(msg)
		if got := c.mustRead(); got != want {
			t.Errorf("%s: %q, want %q", msg, got, want)
		}
	}
	c.send(`{"action":"never","kind":"z"}`)
	if m := errorFrame.FindStringSubmatch(c.mustRead()); m == nil || m[1] != "Unsupported Media Type" {
		t.Errorf("NEVER: %v", m)
	}
	c.send(`{"action":"broken"}`)
	if m := errorFrame.FindStringSubmatch(c.mustRead()); m == nil || m[1] != "Internal server error" {
		t.Errorf("broken template: %v", m)
	}
}

// TestMockConnect: a MOCK $connect whose template renders a non-2xx
// status refuses the upgrade with it.
func TestMockConnect(t *testing.T) {
	e := newEnv(t, nil)
	api := e.wsAPI(t)
	in, err := e.c.CreateIntegration(e.ctx, &apigatewayv2.CreateIntegrationInput{ApiId: &api, IntegrationType: types.IntegrationTypeMock,
		RequestTemplates: map[string]string{"$default": `{"statusCode": #if($context.identity.userAgent == "ok")200#{else}403#end}`}})
	must(t, err)
	e.integrationResponse(t, api, *in.IntegrationId, "$default", nil, "")
	e.route(t, api, "$connect", *in.IntegrationId, false)
	e.route(t, api, "$default", *in.IntegrationId, false)
	e.deploy(t, api, "prod")
	if _, err := e.dial(t, e.wsURL(api, "prod"), http.Header{"User-Agent": {"ok"}}); err != nil {
		t.Fatalf("allowed: %v", err)
	}
	_, err = e.dial(t, e.wsURL(api, "prod"), http.Header{"User-Agent": {"nope"}})
	if err == nil || !strings.Contains(err.Error(), "403") {
		t.Fatalf("refused: %v", err)
	}
}

// TestContentHandling: CONVERT_TO_BINARY gives the backend the bytes of a
// base64 message; CONVERT_TO_TEXT gives the client the backend's answer as
// base64.
func TestContentHandling(t *testing.T) {
	e := newEnv(t, nil)
	var got []byte
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, _ = io.ReadAll(r.Body)
		w.Write([]byte{0xff, 0x00, 'o', 'k'})
	}))
	defer backend.Close()
	api := e.wsAPI(t)
	in, err := e.c.CreateIntegration(e.ctx, &apigatewayv2.CreateIntegrationInput{ApiId: &api, IntegrationType: types.IntegrationTypeHttp,
		IntegrationMethod: aws.String("POST"), IntegrationUri: aws.String(backend.URL), ContentHandlingStrategy: types.ContentHandlingStrategyConvertToBinary})
	must(t, err)
	_, err = e.c.CreateIntegrationResponse(e.ctx, &apigatewayv2.CreateIntegrationResponseInput{ApiId: &api, IntegrationId: in.IntegrationId,
		IntegrationResponseKey: aws.String("$default"), ContentHandlingStrategy: types.ContentHandlingStrategyConvertToText})
	must(t, err)
	e.route(t, api, "$default", *in.IntegrationId, true)
	e.deploy(t, api, "prod")
	c := e.mustDial(t, e.wsURL(api, "prod"))
	c.send("AQID") // base64 of 01 02 03
	if answer := c.mustRead(); answer != "/wBvaw==" {
		t.Errorf("client got %q", answer)
	}
	if string(got) != "\x01\x02\x03" {
		t.Errorf("backend got %q", got)
	}
}

// TestRequestParameterMapping: request parameters set the backend's
// headers and query string from the context, the message body, stage
// variables and static text; a $connect mapping reads the upgrade's
// headers. This is how an HTTP backend learns the connectionId.
func TestRequestParameterMapping(t *testing.T) {
	e := newEnv(t, nil)
	got := make(chan *http.Request, 4)
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- r
		w.Write([]byte("ok"))
	}))
	defer backend.Close()
	api := e.wsAPI(t)
	in, err := e.c.CreateIntegration(e.ctx, &apigatewayv2.CreateIntegrationInput{ApiId: &api, IntegrationType: types.IntegrationTypeHttpProxy,
		IntegrationMethod: aws.String("POST"), IntegrationUri: aws.String(backend.URL + "/hook"),
		RequestParameters: map[string]string{
			"integration.request.header.connectionId": "context.connectionId",
			"integration.request.querystring.room":    "route.request.body.room",
			"integration.request.header.X-Static":     "'yes'",
			"integration.request.header.X-Env":        "stageVariables.env",
			"integration.request.header.X-Token":      "route.request.header.X-Token",
		}})
	must(t, err)
	e.route(t, api, "$connect", *in.IntegrationId, false)
	e.route(t, api, "$default", *in.IntegrationId, true)
	_, err = e.c.CreateStage(e.ctx, &apigatewayv2.CreateStageInput{ApiId: &api, StageName: aws.String("prod"), StageVariables: map[string]string{"env": "test"}})
	must(t, err)
	e.deploy(t, api, "prod")
	c, err := e.dial(t, e.wsURL(api, "prod"), http.Header{"X-Token": {"t0k"}})
	must(t, err)
	connect := <-got
	if connect.Header.Get("X-Token") != "t0k" || connect.Header.Get("X-Static") != "yes" || len(connect.Header.Get("connectionId")) != 16 {
		t.Errorf("$connect request: %v", connect.Header)
	}
	c.send(`{"room":"lobby"}`)
	c.mustRead()
	msg := <-got
	if msg.URL.Query().Get("room") != "lobby" || msg.Header.Get("X-Env") != "test" ||
		msg.Header.Get("connectionId") != connect.Header.Get("connectionId") || msg.URL.Path != "/hook" {
		t.Errorf("message request: %s %v", msg.URL, msg.Header)
	}
}
