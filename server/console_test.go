package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"
	"github.com/chromedp/chromedp"

	"github.com/portico-dev/portico/internal/browsertest"
	"github.com/portico-dev/portico/server"
)

// consoleTab drives the web console in one Chromium tab. The page's
// uncaught exceptions and Content-Security-Policy violations fail the
// test; its timing lines are logged.
type consoleTab struct {
	t     *testing.T
	ctx   context.Context
	base  string // Portico's URL (or a proxy's) the console is opened at
	shots string // where screenshots go

	mu   sync.Mutex
	logs []string
	bad  []string
}

func openConsole(t *testing.T, base string) *consoleTab {
	t.Helper()
	ctx := browsertest.New(t)
	c := &consoleTab{t: t, ctx: ctx, base: base, shots: os.Getenv("PORTICO_SCREENSHOTS")}
	if c.shots == "" {
		c.shots = t.TempDir()
	} else if err := os.MkdirAll(c.shots, 0o755); err != nil {
		t.Fatal(err)
	}
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			c.mu.Lock()
			line := fmt.Sprintf("%s: %s", m.Type, m)
			c.logs = append(c.logs, line)
			if m.IsException() || strings.Contains(m.Text, "Content Security Policy") {
				c.bad = append(c.bad, fmt.Sprintf("%s (%s:%d)", line, m.URL, m.Line+1))
			}
			c.mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		for _, b := range c.bad {
			t.Errorf("in the page: %s", b)
		}
		if t.Failed() {
			t.Logf("the page's console:\n%s", strings.Join(c.logs, "\n"))
		}
	})
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1400, 900)); err != nil {
		t.Fatal(err)
	}
	return c
}

// renderTiming is what the console's router records of each page.
type renderTiming struct {
	Path     string  `json:"path"`
	FetchMs  float64 `json:"fetchMs"`
	BuildMs  float64 `json:"buildMs"`
	LayoutMs float64 `json:"layoutMs"`
	RenderMs float64 `json:"renderMs"`
	Rows     int     `json:"rows"`
}

// visit opens a console page (hash is "/apis/ID/routes?stage=dev") and
// waits until it has rendered.
func (c *consoleTab) visit(hash string) renderTiming {
	c.t.Helper()
	loaded, _ := chromedp.Run(c.ctx, chromedp.Evaluate[bool](`!!window.porticoRender || document.querySelector('#main[data-rendered]') != null`))
	if loaded {
		c.eval(fmt.Sprintf(`window.porticoRender = null; if (location.hash === %[1]q) dispatchEvent(new HashChangeEvent('hashchange'));
			else location.hash = %[1]q; true`, "#"+hash))
	} else if err := chromedp.Do(c.ctx, chromedp.Navigate(c.base+"/_portico/#"+hash)); err != nil {
		c.t.Fatal(err)
	}
	return c.rendered(strings.SplitN(hash, "?", 2)[0])
}

// act runs a page action (a click) that ends in a render of path.
func (c *consoleTab) act(path string, action chromedp.Action[chromedp.Void]) renderTiming {
	c.t.Helper()
	c.eval(`window.porticoRender = null; true`)
	if err := chromedp.Do(c.ctx, action); err != nil {
		c.t.Fatal(err)
	}
	return c.rendered(path)
}

func (c *consoleTab) rendered(path string) renderTiming {
	c.t.Helper()
	browsertest.WaitFor(c.t, c.ctx, fmt.Sprintf(`window.porticoRender && porticoRender.path == %q`, path))
	var rt renderTiming
	if err := json.Unmarshal([]byte(c.eval(`JSON.stringify(window.porticoRender)`)), &rt); err != nil {
		c.t.Fatal(err)
	}
	return rt
}

func (c *consoleTab) eval(expr string) string {
	c.t.Helper()
	v, err := chromedp.Run(c.ctx, chromedp.Evaluate[any](expr))
	if err != nil {
		c.t.Fatalf("%s: %v", expr, err)
	}
	if s, ok := v.(string); ok {
		return s
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func (c *consoleTab) click(sel string) {
	c.t.Helper()
	if err := chromedp.Do(c.ctx, chromedp.Click(chromedp.CSS(sel))); err != nil {
		c.t.Fatalf("click %s: %v", sel, err)
	}
}

func (c *consoleTab) waitFor(expr string) {
	c.t.Helper()
	browsertest.WaitFor(c.t, c.ctx, expr)
}

// text is what the page shows in its main area, once painted: the rows
// of a long table (content-visibility: auto) are laid out, and so in
// innerText, only from the first paint on.
func (c *consoleTab) text() string {
	c.t.Helper()
	v, err := chromedp.Run(c.ctx, chromedp.Evaluate[string](`new Promise((done) => requestAnimationFrame(() =>
		requestAnimationFrame(() => done(document.getElementById('main').innerText))))`, chromedp.EvalAwaitPromise))
	if err != nil {
		c.t.Fatal(err)
	}
	return v
}

func (c *consoleTab) mustShow(what ...string) {
	c.t.Helper()
	text := c.text()
	for _, w := range what {
		if !strings.Contains(text, w) {
			c.t.Errorf("the page does not show %q:\n%s", w, text)
		}
	}
}

func (c *consoleTab) screenshot(name string) []byte {
	c.t.Helper()
	b, err := chromedp.Run(c.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		c.t.Fatal(err)
	}
	p := filepath.Join(c.shots, name+".png")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		c.t.Fatal(err)
	}
	c.t.Logf("screenshot %s", p)
	return b
}

// The documentation's pictures: a page's first screen in a viewport
// smaller than the tests' own, so that the PNGs stay small.
const docWidth, docHeight = 1366, 768

// docScreenshot writes docs/name.png of the page as it is, when
// PORTICO_UPDATE_SCREENSHOT=1, then puts the tests' viewport back.
func (c *consoleTab) docScreenshot(name string) {
	c.t.Helper()
	if os.Getenv("PORTICO_UPDATE_SCREENSHOT") != "1" {
		return
	}
	if err := chromedp.Do(c.ctx, chromedp.EmulateViewport(docWidth, docHeight)); err != nil {
		c.t.Fatal(err)
	}
	// Laid out and painted in the new size: two frames.
	if _, err := chromedp.Run(c.ctx, chromedp.Evaluate[any](`new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))`,
		chromedp.EvalAwaitPromise)); err != nil {
		c.t.Fatal(err)
	}
	shot, err := chromedp.Run(c.ctx, chromedp.CaptureScreenshot())
	if err == nil {
		err = chromedp.Do(c.ctx, chromedp.EmulateViewport(1400, 900))
	}
	if err != nil {
		c.t.Fatal(err)
	}
	if err := os.WriteFile("../docs/"+name+".png", shot, 0o644); err != nil {
		c.t.Fatal(err)
	}
	c.t.Logf("wrote docs/%s.png (%d bytes)", name, len(shot))
}

// consoleFixture is an HTTP API with routes, two deployments (the stage
// serves the second), an access log and a custom domain; a WebSocket API;
// and an API in another account and region.
type consoleFixture struct {
	orders, chat, billing string
	chatRoute             string // sendMessage, with a route response
	chatIntegration       string // MOCK, with an integration response
	integration           string
	routes                map[string]string // route key -> id
	first, second         string            // deployments
}

func buildConsoleFixture(t *testing.T, srv *server.Server, backend string) consoleFixture {
	t.Helper()
	ctx := context.Background()
	c := srv.Client()
	f := consoleFixture{routes: map[string]string{}}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	api, err := c.CreateApi(ctx, &apigatewayv2.CreateApiInput{Name: aws.String("orders"), ProtocolType: types.ProtocolTypeHttp,
		Description: aws.String("the orders service")})
	must(err)
	f.orders = *api.ApiId
	in, err := c.CreateIntegration(ctx, &apigatewayv2.CreateIntegrationInput{ApiId: api.ApiId,
		IntegrationType: types.IntegrationTypeHttpProxy, IntegrationMethod: aws.String("ANY"),
		IntegrationUri: aws.String(backend), PayloadFormatVersion: aws.String("1.0")})
	must(err)
	f.integration = *in.IntegrationId
	jwt, err := c.CreateAuthorizer(ctx, &apigatewayv2.CreateAuthorizerInput{ApiId: api.ApiId, Name: aws.String("orders-jwt"),
		AuthorizerType: types.AuthorizerTypeJwt, IdentitySource: []string{"$request.header.Authorization"},
		JwtConfiguration: &types.JWTConfiguration{Issuer: aws.String("https://issuer.example.test"), Audience: []string{"orders"}}})
	must(err)
	for _, k := range []string{"GET /orders", "POST /orders", "GET /orders/{id}", "DELETE /orders/{id}"} {
		in := &apigatewayv2.CreateRouteInput{ApiId: api.ApiId, RouteKey: aws.String(k), Target: aws.String("integrations/" + f.integration)}
		if k == "POST /orders" {
			in.AuthorizationType, in.AuthorizerId = types.AuthorizationTypeJwt, jwt.AuthorizerId
		}
		r, err := c.CreateRoute(ctx, in)
		must(err)
		f.routes[k] = *r.RouteId
	}
	_, err = c.CreateStage(ctx, &apigatewayv2.CreateStageInput{ApiId: api.ApiId, StageName: aws.String("dev"),
		StageVariables: map[string]string{"backend": "v2"},
		AccessLogSettings: &types.AccessLogSettings{
			DestinationArn: aws.String("arn:aws:logs:us-east-1:000000000000:log-group:orders-access"),
			Format:         aws.String("$context.requestId $context.routeKey $context.status")}})
	must(err)
	d, err := c.CreateDeployment(ctx, &apigatewayv2.CreateDeploymentInput{ApiId: api.ApiId, StageName: aws.String("dev"),
		Description: aws.String("first")})
	must(err)
	f.first = *d.DeploymentId
	r, err := c.CreateRoute(ctx, &apigatewayv2.CreateRouteInput{ApiId: api.ApiId, RouteKey: aws.String("PUT /orders/{id}"),
		Target: aws.String("integrations/" + f.integration)})
	must(err)
	f.routes["PUT /orders/{id}"] = *r.RouteId
	d, err = c.CreateDeployment(ctx, &apigatewayv2.CreateDeploymentInput{ApiId: api.ApiId, StageName: aws.String("dev"),
		Description: aws.String("second")})
	must(err)
	f.second = *d.DeploymentId
	_, err = c.CreateDomainName(ctx, &apigatewayv2.CreateDomainNameInput{DomainName: aws.String("api.example.test"),
		DomainNameConfigurations: []types.DomainNameConfiguration{{
			CertificateArn: aws.String("arn:aws:acm:us-east-1:000000000000:certificate/0f6a1c8e-1111-4c4b-9e7e-000000000000")}}})
	must(err)
	_, err = c.CreateApiMapping(ctx, &apigatewayv2.CreateApiMappingInput{DomainName: aws.String("api.example.test"),
		ApiId: api.ApiId, Stage: aws.String("dev"), ApiMappingKey: aws.String("v1")})
	must(err)

	ws, err := c.CreateApi(ctx, &apigatewayv2.CreateApiInput{Name: aws.String("chat"), ProtocolType: types.ProtocolTypeWebsocket,
		RouteSelectionExpression: aws.String("$request.body.action")})
	must(err)
	f.chat = *ws.ApiId
	_, err = c.CreateRoute(ctx, &apigatewayv2.CreateRouteInput{ApiId: ws.ApiId, RouteKey: aws.String("$connect")})
	must(err)
	_, err = c.CreateModel(ctx, &apigatewayv2.CreateModelInput{ApiId: ws.ApiId, Name: aws.String("Message"), ContentType: aws.String("application/json"),
		Schema: aws.String(`{"$schema":"http://json-schema.org/draft-04/schema#","type":"object","required":["text"]}`)})
	must(err)
	mock, err := c.CreateIntegration(ctx, &apigatewayv2.CreateIntegrationInput{ApiId: ws.ApiId, IntegrationType: types.IntegrationTypeMock,
		RequestTemplates: map[string]string{"$default": `{"statusCode": 200}`}, TemplateSelectionExpression: aws.String("\\$default")})
	must(err)
	f.chatIntegration = *mock.IntegrationId
	_, err = c.CreateIntegrationResponse(ctx, &apigatewayv2.CreateIntegrationResponseInput{ApiId: ws.ApiId, IntegrationId: mock.IntegrationId,
		IntegrationResponseKey: aws.String("$default"), ResponseTemplates: map[string]string{"$default": `{"echo": true}`}})
	must(err)
	send, err := c.CreateRoute(ctx, &apigatewayv2.CreateRouteInput{ApiId: ws.ApiId, RouteKey: aws.String("sendMessage"),
		RouteResponseSelectionExpression: aws.String("$default"), Target: aws.String("integrations/" + f.chatIntegration)})
	must(err)
	f.chatRoute = *send.RouteId
	_, err = c.CreateRouteResponse(ctx, &apigatewayv2.CreateRouteResponseInput{ApiId: ws.ApiId, RouteId: send.RouteId,
		RouteResponseKey: aws.String("$default")})
	must(err)
	_, err = c.CreateStage(ctx, &apigatewayv2.CreateStageInput{ApiId: ws.ApiId, StageName: aws.String("prod"), AutoDeploy: aws.Bool(true)})
	must(err)

	other, err := otherScopeClient(srv).CreateApi(ctx, &apigatewayv2.CreateApiInput{Name: aws.String("billing"), ProtocolType: types.ProtocolTypeHttp})
	must(err)
	f.billing = *other.ApiId
	return f
}

// otherScopeClient acts as account 123456789012 in eu-west-1.
func otherScopeClient(srv *server.Server) *apigatewayv2.Client {
	return srv.Client(func(o *apigatewayv2.Options) {
		o.Region = "eu-west-1"
		o.Credentials = credentials.NewStaticCredentialsProvider("123456789012", "secret", "")
	})
}

func routeKeys(t *testing.T, c *apigatewayv2.Client, api string) []string {
	t.Helper()
	out, err := c.GetRoutes(context.Background(), &apigatewayv2.GetRoutesInput{ApiId: aws.String(api)})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, r := range out.Items {
		keys = append(keys, *r.RouteKey)
	}
	return keys
}

// TestConsole drives the console as a user would: the APIs of the
// default account, an API's routes with their CLI and curl lines, which
// deployment a stage serves, the diff of two deployments, deleting a
// route through the confirmation dialog (cancelled once, then confirmed:
// the SDK sees it gone), a custom domain's mappings, an access-log tail,
// the accounts and regions that hold state (and only those in the
// selectors), switching account and region, and deleting a stage and an
// API. With
// PORTICO_UPDATE_SCREENSHOT=1 it writes docs/console.png.
func TestConsole(t *testing.T) {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"orders":[]}`))
	}))
	defer backend.Close()
	var srv *server.Server
	if os.Getenv("PORTICO_UPDATE_SCREENSHOT") == "1" {
		// The documentation's picture shows the default address, when it
		// is free.
		if s, err := server.Start(server.Config{InMemory: true, Listen: "127.0.0.1:4800"}); err == nil {
			t.Cleanup(func() { s.Close() })
			srv = s
		}
	}
	if srv == nil {
		srv = start(t, server.Config{InMemory: true})
	}
	f := buildConsoleFixture(t, srv, backend.URL)
	sdk := srv.Client()
	c := openConsole(t, srv.URL)

	// The APIs of the default account and region, not another's.
	c.visit("/apis")
	c.mustShow("orders", "chat", f.orders, "the orders service")
	if strings.Contains(c.text(), "billing") {
		t.Errorf("the default scope's list shows another account's API:\n%s", c.text())
	}
	c.screenshot("apis")

	// An API's routes, reached by its link: each with its invoke line on
	// the stage and its CLI command.
	rt := c.act("/apis/"+f.orders+"/routes", chromedp.Click(chromedp.CSS(`a.api-name[href="#/apis/`+f.orders+`/routes"]`)))
	t.Logf("routes of %s: fetched in %.1f ms, rendered in %.1f ms (%d rows)", f.orders, rt.FetchMs, rt.RenderMs, rt.Rows)
	c.mustShow("GET /orders", "POST /orders", "GET /orders/{id}", "DELETE /orders/{id}", "PUT /orders/{id}",
		"…/dev/orders/{id}", "HTTP_PROXY "+backend.URL)
	copies := c.eval(`[...document.querySelectorAll('[data-copy]')].map(b => b.dataset.copy).join('\n')`)
	for _, want := range []string{
		"aws apigatewayv2 get-route --api-id " + f.orders + " --route-id " + f.routes["GET /orders"] + " --region us-east-1 --endpoint-url " + srv.URL,
		"curl -i " + srv.URL + "/_aws/execute-api/" + f.orders + "/dev/orders\n",
		"curl -i -g -X DELETE '" + srv.URL + "/_aws/execute-api/" + f.orders + "/dev/orders/{id}'",
	} {
		if !strings.Contains(copies, want) {
			t.Errorf("no %q among the commands to copy:\n%s", want, copies)
		}
	}
	c.screenshot("routes")
	c.docScreenshot("console")
	// A copy button copies (or, where the clipboard is refused, selects
	// and copies) and says so.
	c.click(`tr[data-route-id="` + f.routes["GET /orders"] + `"] button[data-copy^="curl"]`)
	c.waitFor(`document.querySelector('tr[data-route-id="` + f.routes["GET /orders"] + `"] button[data-copy^="curl"]').textContent == 'Copied'`)

	// A route's page: its CLI command and curl line.
	c.act("/apis/"+f.orders+"/routes/"+f.routes["GET /orders/{id}"],
		chromedp.Click(chromedp.CSS(`a.route-key[href="#/apis/`+f.orders+`/routes/`+f.routes["GET /orders/{id}"]+`"]`)))
	c.mustShow("Route GET /orders/{id}", "Invoke", "Stage dev",
		"aws apigatewayv2 get-route --api-id "+f.orders+" --route-id "+f.routes["GET /orders/{id}"],
		"curl -i -g '"+srv.URL+"/_aws/execute-api/"+f.orders+"/dev/orders/{id}'")

	// Integrations, authorizers, models.
	c.visit("/apis/" + f.orders + "/integrations")
	c.mustShow(f.integration, "HTTP_PROXY", backend.URL, "GET /orders", "1.0")
	c.act("/apis/"+f.orders+"/integrations/"+f.integration, chromedp.Click(chromedp.CSS(`a[href="#/apis/`+f.orders+`/integrations/`+f.integration+`"]`)))
	c.mustShow("Integration "+f.integration, "aws apigatewayv2 get-integration --api-id "+f.orders+" --integration-id "+f.integration)
	if strings.Contains(c.text(), "Integration responses") {
		t.Error("an HTTP API's integration shows integration responses")
	}
	c.visit("/apis/" + f.orders + "/authorizers")
	c.mustShow("orders-jwt", "JWT", "https://issuer.example.test", "$request.header.Authorization")
	c.visit("/apis/" + f.orders + "/models")
	c.mustShow("Models are for WebSocket APIs only.")
	c.visit("/apis/" + f.orders + "/routes")
	if got := c.eval(`document.querySelector('tr[data-route-id="` + f.routes["POST /orders"] + `"]').textContent`); !strings.Contains(got, "JWT") || !strings.Contains(got, "orders-jwt") {
		t.Errorf("POST /orders: %q", got)
	}
	if got := c.eval(`document.querySelector('tr[data-route-id="` + f.routes["POST /orders"] + `"] button[data-copy^="curl"]').dataset.copy`); !strings.Contains(got, "-H 'Authorization: Bearer $TOKEN'") {
		t.Errorf("POST /orders curl: %q", got)
	}

	// Stages: dev serves the second deployment.
	c.visit("/apis/" + f.orders + "/stages")
	if got := c.eval(`document.querySelector('tr[data-stage="dev"]').innerText`); !strings.Contains(got, f.second) {
		t.Errorf("the dev row does not show deployment %s: %q", f.second, got)
	}
	c.act("/apis/"+f.orders+"/stages/dev", chromedp.Click(chromedp.CSS(`a.stage-name`)))
	if got := c.eval(`document.querySelector('.serves').innerText`); !strings.Contains(got, f.second) || !strings.Contains(got, "second") {
		t.Errorf("stage dev serves: %q, want deployment %s", got, f.second)
	}
	c.mustShow("backend", "v2", srv.URL+"/_aws/execute-api/"+f.orders+"/dev", "orders-access")
	c.screenshot("stage")

	// The diff of the two deployments: the route added in between.
	c.visit("/apis/" + f.orders + "/deployments")
	c.mustShow(f.first, f.second, "first", "second")
	c.eval(fmt.Sprintf(`document.getElementById('diff-from').value = %q; document.getElementById('diff-to').value = %q; true`, f.first, f.second))
	c.act("/apis/"+f.orders+"/diff", chromedp.Click(chromedp.CSS("#diff-go")))
	added := c.eval(`[...document.querySelectorAll('.diff .line.add')].map(l => l.innerText).join('\n')`)
	if !strings.Contains(added, "route PUT /orders/{id} ("+f.routes["PUT /orders/{id}"]+")") {
		t.Errorf("the diff does not add the route PUT /orders/{id}:\n%s", added)
	}
	if removed := c.eval(`document.querySelectorAll('.diff .line.del').length`); removed != "0" {
		t.Errorf("%s lines removed, want none", removed)
	}
	c.screenshot("diff")

	// Delete a route: cancelled, nothing happens; confirmed, it is gone.
	c.visit("/apis/" + f.orders + "/routes")
	del := `button[data-delete-route="DELETE /orders/{id}"]`
	c.click(del)
	c.waitFor(`document.querySelector('dialog.confirm[open]')`)
	if got := c.eval(`document.querySelector('dialog.confirm').innerText`); !strings.Contains(got, "DELETE /orders/{id}") {
		t.Errorf("the dialog does not name the route: %q", got)
	}
	c.screenshot("confirm")
	c.click(`dialog.confirm button[data-action="cancel"]`)
	c.waitFor(`!document.querySelector('dialog.confirm')`)
	if !slices.Contains(routeKeys(t, sdk, f.orders), "DELETE /orders/{id}") {
		t.Fatal("a cancelled delete deleted the route")
	}
	c.click(del)
	c.waitFor(`document.querySelector('dialog.confirm[open]')`)
	c.act("/apis/"+f.orders+"/routes", chromedp.Click(chromedp.CSS(`dialog.confirm button[data-action="confirm"]`)))
	if n := c.eval(`document.querySelectorAll('` + del + `').length`); n != "0" {
		t.Errorf("the deleted route is still listed")
	}
	if keys := routeKeys(t, sdk, f.orders); slices.Contains(keys, "DELETE /orders/{id}") || len(keys) != 4 {
		t.Errorf("after the delete the SDK sees %v", keys)
	}

	// The WebSocket API: the message that selects each route, the URL.
	c.visit("/apis/" + f.chat + "/routes")
	c.mustShow(`{"action":"sendMessage"}`, "wscat -c ws"+strings.TrimPrefix(srv.URL, "http")+"/_aws/execute-api/"+f.chat+"/prod", "on connect")

	c.act("/apis/"+f.chat+"/routes/"+f.chatRoute, chromedp.Click(chromedp.CSS(`a.route-key[href="#/apis/`+f.chat+`/routes/`+f.chatRoute+`"]`)))
	c.mustShow("Route responses", "$default", "aws apigatewayv2 get-route-responses --api-id "+f.chat+" --route-id "+f.chatRoute, "MOCK")
	c.visit("/apis/" + f.chat + "/integrations/" + f.chatIntegration)
	c.mustShow("Integration responses", "$default", `{"echo": true}`, "aws apigatewayv2 get-integration-responses --api-id "+f.chat)
	c.visit("/apis/" + f.chat + "/models")
	c.mustShow("Message", "application/json", "aws apigatewayv2 get-models --api-id "+f.chat)

	// Custom domains and their mappings.
	c.visit("/domains")
	c.mustShow("api.example.test")
	c.visit("/domains/api.example.test")
	c.mustShow("v1", "orders", "dev", "curl -i -H 'Host: api.example.test' "+srv.URL+"/v1")
	c.visit("/apis/" + f.orders + "/domains")
	c.mustShow("api.example.test", "v1")

	// The access log of the stage, after a request.
	if resp, body := do(t, "GET", srv.URL+"/_aws/execute-api/"+f.orders+"/dev/orders", ""); resp.StatusCode != 200 {
		t.Fatalf("invoke: %d %s", resp.StatusCode, body)
	}
	c.visit("/logs")
	c.mustShow("orders-access")
	c.visit("/logs?group=orders-access")
	c.waitFor(`document.getElementById('log-lines').innerText.includes('GET /orders 200')`)

	// The inspector recorded that request: the traffic page lists it, and
	// its page shows what the backend was sent and answered.
	c.visit("/traffic")
	c.mustShow("GET /dev/orders", "GET /orders", "200")
	resp, body := do(t, "GET", srv.URL+"/_portico/inspect/traffic?api="+f.orders+"&limit=1", "")
	var list struct{ Entries []struct{ ID string } }
	if err := json.Unmarshal([]byte(body), &list); resp.StatusCode != 200 || err != nil || len(list.Entries) != 1 {
		t.Fatalf("inspector: %d %s", resp.StatusCode, body)
	}
	c.visit("/traffic/" + list.Entries[0].ID)
	c.mustShow("GET /orders", "HTTP_PROXY", "Replay")
	// An entry the ring does not hold says so.
	c.visit("/traffic/999999")
	c.mustShow("404")

	// Accounts and regions: exactly those that hold state, another
	// account's among them unasked; the selectors offer those.
	c.visit("/")
	scopeRows := func() string {
		return c.eval(`[...document.querySelectorAll('[data-scope-row]')].map((r) => r.dataset.scopeRow).join(' ')`)
	}
	options := func(id string) string {
		return c.eval(`[...document.getElementById('` + id + `').options].map((o) => o.value).join(' ')`)
	}
	if got := scopeRows(); got != "000000000000/us-east-1 123456789012/eu-west-1" {
		t.Errorf("scopes in use: %q", got)
	}
	c.mustShow("orders", "chat", "billing", "2 account and region pairs hold state.")
	if a, r := options("account"), options("region"); a != "000000000000 123456789012" || r != "us-east-1" {
		t.Errorf("the selectors offer accounts %q, regions %q", a, r)
	}
	c.screenshot("accounts")
	// A scope that holds nothing is listed while it is the current one.
	c.eval(`document.getElementById('add-account').value = '222222222222'; document.getElementById('add-region').value = 'ap-south-1'; true`)
	c.act("/", chromedp.Click(chromedp.CSS("#add-scope")))
	if got := scopeRows(); got != "000000000000/us-east-1 123456789012/eu-west-1 222222222222/ap-south-1" {
		t.Errorf("with an empty scope current: %q", got)
	}
	c.act("/apis", chromedp.Click(chromedp.CSS(`button[data-scope="123456789012/eu-west-1"]`)))
	if a, r := options("account"), options("region"); a != "000000000000 123456789012" || r != "eu-west-1 us-east-1" {
		t.Errorf("as 123456789012 in eu-west-1 the selectors offer accounts %q, regions %q", a, r)
	}
	c.mustShow("billing", "123456789012 · eu-west-1")
	if strings.Contains(c.text(), "orders") {
		t.Errorf("account 123456789012 lists the default account's APIs:\n%s", c.text())
	}
	c.eval(`window.porticoRender = null; const a = document.getElementById('account'); a.value = '000000000000';
		document.getElementById('region').value = 'us-east-1'; a.dispatchEvent(new Event('change')); true`)
	c.rendered("/apis")
	c.mustShow("orders", "chat")

	// Delete a stage, then an API, through the dialog.
	c.visit("/apis/" + f.orders + "/stages")
	c.click(`button[data-delete-stage="dev"]`)
	c.waitFor(`document.querySelector('dialog.confirm[open]')`)
	c.act("/apis/"+f.orders+"/stages", chromedp.Click(chromedp.CSS(`dialog.confirm button[data-action="confirm"]`)))
	if st, err := sdk.GetStages(context.Background(), &apigatewayv2.GetStagesInput{ApiId: aws.String(f.orders)}); err != nil || len(st.Items) != 0 {
		t.Errorf("stages after the delete: %v %v", st, err)
	}
	c.visit("/apis")
	c.click(`button[data-delete-api="` + f.chat + `"]`)
	c.waitFor(`document.querySelector('dialog.confirm[open]')`)
	c.act("/apis", chromedp.Click(chromedp.CSS(`dialog.confirm button[data-action="confirm"]`)))
	if _, err := sdk.GetApi(context.Background(), &apigatewayv2.GetApiInput{ApiId: aws.String(f.chat)}); err == nil {
		t.Error("the deleted API is still there")
	}
	if strings.Contains(c.text(), "chat") {
		t.Errorf("the deleted API is still listed:\n%s", c.text())
	}
}

// TestConsoleRoutesPage300: the routes page of an API with 300 routes
// (AWS's quota), rendered with plain DOM building. The time is logged,
// not asserted: the machine is shared.
func TestConsoleRoutesPage300(t *testing.T) {
	srv := start(t, server.Config{InMemory: true})
	ctx := context.Background()
	sdk := srv.Client()
	api, err := sdk.CreateApi(ctx, &apigatewayv2.CreateApiInput{Name: aws.String("big"), ProtocolType: types.ProtocolTypeHttp})
	if err != nil {
		t.Fatal(err)
	}
	in, err := sdk.CreateIntegration(ctx, &apigatewayv2.CreateIntegrationInput{ApiId: api.ApiId,
		IntegrationType: types.IntegrationTypeHttpProxy, IntegrationMethod: aws.String("ANY"),
		IntegrationUri: aws.String("http://127.0.0.1:9/backend"), PayloadFormatVersion: aws.String("1.0")})
	if err != nil {
		t.Fatal(err)
	}
	methods := []string{"GET", "POST", "PUT", "DELETE", "PATCH", "ANY"}
	for i := range 300 {
		key := fmt.Sprintf("%s /resource%02d/{id}/item%d", methods[i%len(methods)], i/6, i)
		if _, err := sdk.CreateRoute(ctx, &apigatewayv2.CreateRouteInput{ApiId: api.ApiId, RouteKey: aws.String(key),
			Target: aws.String("integrations/" + *in.IntegrationId)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := sdk.CreateStage(ctx, &apigatewayv2.CreateStageInput{ApiId: api.ApiId, StageName: aws.String("$default"), AutoDeploy: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	c := openConsole(t, srv.URL)
	c.visit("/apis")
	var times []float64
	for i := range 5 {
		// Each visit goes through another page, so the routes page is
		// built from nothing every time.
		if i > 0 {
			c.visit("/apis")
		}
		rt := c.visit("/apis/" + *api.ApiId + "/routes")
		if rt.Rows != 300 {
			t.Fatalf("%d rows, want 300", rt.Rows)
		}
		times = append(times, rt.RenderMs)
		t.Logf("300 routes: fetched in %.1f ms, rendered in %.1f ms (DOM %.1f ms, layout %.1f ms)", rt.FetchMs, rt.RenderMs, rt.BuildMs, rt.LayoutMs)
	}
	slices.Sort(times)
	t.Logf("300 routes: median render %.1f ms (of %v)", times[len(times)/2], times)
	c.mustShow("300 routes", "GET /resource00/{id}/item0")
	c.screenshot("routes-300")
	// The other pages of a big API, and a stage whose name needs escaping.
	rt := c.visit("/apis/" + *api.ApiId + "/integrations")
	t.Logf("integrations of 300 routes: rendered in %.1f ms", rt.RenderMs)
	c.mustShow(*in.IntegrationId, "GET /resource00/{id}/item0")
	c.visit("/apis/" + *api.ApiId + "/stages")
	c.act("/apis/"+*api.ApiId+"/stages/%24default", chromedp.Click(chromedp.CSS(`a.stage-name`)))
	c.mustShow("Stage $default", "Serves deployment", "aws apigatewayv2 get-stage --api-id "+*api.ApiId+" --stage-name '$default'")
}

// TestConsoleDiff checks the console's line diff (web/diff.js) in the
// browser: on random documents its edit script rebuilds both sides and is
// as short as a longest common subsequence allows.
func TestConsoleDiff(t *testing.T) {
	srv := start(t, server.Config{InMemory: true})
	c := openConsole(t, srv.URL)
	c.visit("/apis")
	v, err := chromedp.Run(c.ctx, chromedp.Evaluate[string](`import('./console/diff.js').then(({ diffLines, hunks }) => {
		const rnd = () => Array.from({ length: Math.floor(Math.random() * 14) }, () => 'abcd'[Math.floor(Math.random() * 4)]);
		for (let n = 0; n < 2000; n++) {
			const a = rnd(), b = rnd(), s = diffLines(a, b);
			const x = s.filter((e) => e.op !== '+').map((e) => e.text), y = s.filter((e) => e.op !== '-').map((e) => e.text);
			if (x.join() !== a.join() || y.join() !== b.join()) return 'wrong script for ' + JSON.stringify([a, b]);
			const L = Array.from({ length: a.length + 1 }, () => new Array(b.length + 1).fill(0));
			for (let i = a.length - 1; i >= 0; i--) for (let j = b.length - 1; j >= 0; j--) L[i][j] = a[i] === b[j] ? L[i + 1][j + 1] + 1 : Math.max(L[i + 1][j], L[i][j + 1]);
			if (s.filter((e) => e.op === ' ').length !== L[0][0]) return 'not minimal for ' + JSON.stringify([a, b]);
		}
		const a = Array.from({ length: 40 }, (_, i) => 'l' + i), b = [...a];
		b[5] = 'x';
		b.splice(30, 1);
		return JSON.stringify(hunks(diffLines(a, b)).map((h) => [h.aStart, h.aLen, h.bStart, h.bLen]));
	})`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	if v != "[[3,7,3,7],[28,7,28,6]]" {
		t.Errorf("diff: %s", v)
	}
}

// TestConsoleHeaders: every console answer carries the strict policy,
// no MIME sniffing, no framing; the modules are JavaScript.
func TestConsoleHeaders(t *testing.T) {
	srv := start(t, server.Config{InMemory: true})
	for _, p := range []string{"/_portico/", "/_portico/console/app.js", "/_portico/console/style.css", "/_portico/console/api/config", "/_portico/console/nope.js"} {
		resp, body := do(t, "GET", srv.URL+p, "")
		h := resp.Header
		if !strings.Contains(h.Get("Content-Security-Policy"), "default-src 'self'") ||
			!strings.Contains(h.Get("Content-Security-Policy"), "frame-ancestors 'none'") ||
			strings.Contains(h.Get("Content-Security-Policy"), "unsafe-inline") ||
			h.Get("X-Frame-Options") != "DENY" || h.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: %v", p, h)
		}
		want := map[string]string{"/_portico/": "text/html", "/_portico/console/app.js": "text/javascript",
			"/_portico/console/style.css": "text/css", "/_portico/console/api/config": "application/json"}[p]
		switch {
		case want == "" && resp.StatusCode != 404:
			t.Errorf("%s: %d, want 404", p, resp.StatusCode)
		case want != "" && (resp.StatusCode != 200 || !strings.HasPrefix(h.Get("Content-Type"), want)):
			t.Errorf("%s: %d %s %.80s", p, resp.StatusCode, h.Get("Content-Type"), body)
		}
	}
	if resp, body := do(t, "GET", srv.URL+"/_portico/console/api/config", ""); !strings.Contains(body, `"account":"000000000000"`) ||
		!strings.Contains(body, `"region":"us-east-1"`) {
		t.Errorf("config: %d %s", resp.StatusCode, body)
	}
	if resp, _ := do(t, "POST", srv.URL+"/_portico/", ""); resp.StatusCode != 405 {
		t.Errorf("POST /_portico/: %d, want 405", resp.StatusCode)
	}
}

// TestConsoleSnapshot: the console's snapshot endpoint reads a
// deployment as the request's account and region, like the control plane.
func TestConsoleSnapshot(t *testing.T) {
	srv := start(t, server.Config{InMemory: true})
	f := buildConsoleFixture(t, srv, "http://127.0.0.1:9")
	get := func(query string, header map[string]string) (int, string) {
		resp, body := send(t, "GET", srv.URL+"/_portico/console/api/snapshot?"+query, "", header)
		return resp.StatusCode, body
	}
	if code, body := get("api="+f.orders+"&deployment="+f.first, nil); code != 200 || strings.Contains(body, "PUT /orders/{id}") ||
		!strings.Contains(body, `"routeKey":"GET /orders"`) {
		t.Errorf("first: %d %s", code, body)
	}
	if code, body := get("api="+f.orders+"&deployment="+f.second, nil); code != 200 || !strings.Contains(body, "PUT /orders/{id}") {
		t.Errorf("second: %d %s", code, body)
	}
	if code, body := get("api="+f.orders, nil); code != 200 || !strings.Contains(body, "PUT /orders/{id}") {
		t.Errorf("live: %d %s", code, body)
	}
	if code, body := get("api="+f.orders+"&deployment=nope", nil); code != 404 {
		t.Errorf("unknown deployment: %d %s", code, body)
	}
	// Another account's API is not found as the default account, and is
	// as that account.
	if code, body := get("api="+f.billing, nil); code != 404 {
		t.Errorf("another account's API: %d %s", code, body)
	}
	scope := map[string]string{"Authorization": "AWS4-HMAC-SHA256 Credential=123456789012/20260101/eu-west-1/apigateway/aws4_request, SignedHeaders=host, Signature=0"}
	if code, body := get("api="+f.billing, scope); code != 200 || !strings.Contains(body, `"name":"billing"`) {
		t.Errorf("as its account: %d %s", code, body)
	}
	if code, body := get("", nil); code != 400 {
		t.Errorf("no api: %d %s", code, body)
	}
}

// framingPage frames the console and, as a control, a page of Portico's
// that sets no framing policy (health), then reports what each frame
// holds. It is served on Portico's own origin, through an HTTP API (the
// path form of execute-api): a same-origin page could read the console's
// document if it were framed.
const framingPage = `<!doctype html><title>loading</title>
<iframe id="console" src="/_portico/"></iframe><iframe id="control" src="/_portico/health"></iframe>
<script>
function report() {
  const read = (id) => { try { const d = document.getElementById(id).contentDocument; return d ? d.title + "|" + d.body.innerText.slice(0, 40) : "no document"; } catch (e) { return "refused"; } };
  document.title = JSON.stringify({console: read("console"), control: read("control")});
}
let loaded = 0;
for (const f of document.querySelectorAll("iframe")) f.addEventListener("load", () => { if (++loaded == 2) setTimeout(report, 300); });
</script>`

// TestConsoleCannotBeFramed: a page that frames the console, even one on
// Portico's own origin, gets nothing: X-Frame-Options DENY and
// frame-ancestors 'none'. (A page on another site does not even reach it:
// the guard refuses cross-site loads, TestBrowserPagesCannotDriveTheControlPlane.)
func TestConsoleCannotBeFramed(t *testing.T) {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte(framingPage))
	}))
	defer backend.Close()
	srv := start(t, server.Config{InMemory: true})
	ctx := context.Background()
	sdk := srv.Client()
	api, err := sdk.CreateApi(ctx, &apigatewayv2.CreateApiInput{Name: aws.String("framer"), ProtocolType: types.ProtocolTypeHttp,
		Target: aws.String(backend.URL)})
	if err != nil {
		t.Fatal(err)
	}
	b := browsertest.New(t)
	if err := chromedp.Do(b, chromedp.Navigate(srv.URL+"/_aws/execute-api/"+*api.ApiId+"/page")); err != nil {
		t.Fatal(err)
	}
	title := reportedTitle(t, b)
	var got struct{ Console, Control string }
	if err := json.Unmarshal([]byte(title), &got); err != nil {
		t.Fatal(err)
	}
	t.Logf("framed: %+v", got)
	if !strings.Contains(got.Control, `"status":"ok"`) {
		t.Errorf("control: the same-origin page could not read an unprotected frame (%q): the check proves nothing", got.Control)
	}
	if strings.Contains(got.Console, "Portico") {
		t.Errorf("the console was framed and read: %q", got.Console)
	}
}

// reportedTitle waits for the page to report in its title (JSON), across
// the navigation that loads it.
func reportedTitle(t *testing.T, ctx context.Context) string {
	t.Helper()
	browsertest.WaitFor(t, ctx, `document.title.startsWith("{")`)
	title, err := chromedp.Run(ctx, chromedp.Title())
	if err != nil {
		t.Fatal(err)
	}
	return title
}

// hostileConsolePage makes, from another origin, the calls the console
// makes, and reports for each whether the page could read an answer.
const hostileConsolePage = `<!doctype html><title>loading</title><script>
const p = %[1]q, api = %[2]q, route = %[3]q;
const auth = {Authorization: "AWS4-HMAC-SHA256 Credential=000000000000/20260101/us-east-1/apigateway/aws4_request, SignedHeaders=host, Signature=0"};
const tries = {
  config: fetch(p + "/_portico/console/api/config"),
  snapshot: fetch(p + "/_portico/console/api/snapshot?api=" + api),
  apis: fetch(p + "/v2/apis", {headers: auth}),
  routes: fetch(p + "/v2/apis/" + api + "/routes"),
  deleteRoute: fetch(p + "/v2/apis/" + api + "/routes/" + route, {method: "DELETE", headers: auth}),
  deleteRouteNoCors: fetch(p + "/v2/apis/" + api + "/routes/" + route, {method: "DELETE", mode: "no-cors"}),
  deploy: fetch(p + "/v2/apis/" + api + "/deployments", {method: "POST", mode: "no-cors", body: '{"description":"pwned"}'}),
  inspector: fetch(p + "/_portico/inspect/traffic"),
  scopes: fetch(p + "/_portico/console/api/scopes"),
  logs: fetch(p + "/_portico/logs/orders-access"),
};
const out = {};
Promise.all(Object.entries(tries).map(([k, f]) => f.then(
  async (r) => { out[k] = r.type == "opaque" ? "opaque" : "read " + r.status + " " + (await r.text()).slice(0, 60); },
  () => { out[k] = "refused"; }))).then(() => { document.title = JSON.stringify(out); });
</script>`

// TestHostilePageCannotUseTheConsolesCalls: a page on another origin, in
// a real Chromium, makes the console's calls (its defaults, a snapshot,
// the scopes in use, the control plane as an account, a route delete,
// the inspector, a log tail): it reads no answer and changes nothing. With every origin
// allowed the same page reads them, which shows the calls reach Portico.
func TestHostilePageCannotUseTheConsolesCalls(t *testing.T) {
	b := browsertest.New(t)
	for _, allowAll := range []bool{false, true} {
		cfg := server.Config{InMemory: true}
		if allowAll {
			cfg.AllowedOrigins = []string{"*"}
		}
		srv := start(t, cfg)
		f := buildConsoleFixture(t, srv, "http://127.0.0.1:9")
		victim := f.routes["DELETE /orders/{id}"]
		evil := attackerSite(t, fmt.Sprintf(hostileConsolePage, srv.URL, f.orders, victim))
		if err := chromedp.Do(b, chromedp.Navigate("about:blank"), chromedp.Navigate(evil)); err != nil {
			t.Fatal(err)
		}
		title := reportedTitle(t, b)
		var got map[string]string
		if err := json.Unmarshal([]byte(title), &got); err != nil {
			t.Fatal(err)
		}
		t.Logf("allow all origins %v: %v", allowAll, got)
		deps, err := srv.Client().GetDeployments(context.Background(), &apigatewayv2.GetDeploymentsInput{ApiId: aws.String(f.orders)})
		if err != nil {
			t.Fatal(err)
		}
		keys := routeKeys(t, srv.Client(), f.orders)
		if !allowAll {
			for k, v := range got {
				if strings.HasPrefix(v, "read") {
					t.Errorf("%s: the hostile page read an answer: %s", k, v)
				}
			}
			if len(deps.Items) != 2 || !slices.Contains(keys, "DELETE /orders/{id}") {
				t.Errorf("the hostile page changed state: %d deployments, routes %v", len(deps.Items), keys)
			}
			continue
		}
		for _, k := range []string{"config", "snapshot", "apis", "deleteRoute", "scopes"} {
			if !strings.HasPrefix(got[k], "read 2") {
				t.Errorf("control: with every origin allowed %s should be read: %s", k, got[k])
			}
		}
		if slices.Contains(keys, "DELETE /orders/{id}") {
			t.Errorf("control: with every origin allowed the route should be deleted: %v", keys)
		}
	}
}
