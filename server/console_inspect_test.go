package server_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"
	"github.com/chromedp/chromedp"
	"github.com/gobwas/ws"
	"github.com/gobwas/ws/wsutil"

	"github.com/portico-dev/portico/server"
)

// The console's inspector pages (web/pages/inspector.js, connections.js)
// on the real inspector, with real traffic: HTTP requests through an
// HTTP_PROXY integration to a backend that keeps what it got, and real
// WebSocket clients.

// backendHit is one request the backend received.
type backendHit struct{ Method, Query, Body string }

// recordingBackend answers every request with a list of orders and keeps
// what it received: a replay is seen where it lands.
type recordingBackend struct {
	*httptest.Server
	mu   sync.Mutex
	hits []backendHit
}

func newRecordingBackend(t *testing.T) *recordingBackend {
	b := &recordingBackend{}
	b.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		b.mu.Lock()
		b.hits = append(b.hits, backendHit{r.Method, r.URL.RawQuery, string(body)})
		b.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"orders":[1,2]}`))
	}))
	t.Cleanup(b.Close)
	return b
}

func (b *recordingBackend) received() []backendHit {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.hits)
}

// trafficRow is what the traffic page shows of an entry: its id, kind,
// request (method and path, or a WebSocket route key) and route key (or
// connection).
type trafficRow struct{ ID, Kind, Request, Route string }

func shownTraffic(t *testing.T, c *consoleTab) []trafficRow {
	t.Helper()
	var rows [][]string
	raw := c.eval(`JSON.stringify([...document.querySelectorAll('table.traffic tbody tr')].map((tr) =>
		[tr.dataset.entry, ...[1, 2, 3].map((i) => tr.cells[i].innerText.trim())]))`)
	if err := json.Unmarshal([]byte(raw), &rows); err != nil {
		t.Fatal(err)
	}
	out := make([]trafficRow, len(rows))
	for i, r := range rows {
		out[i] = trafficRow{r[0], r[1], r[2], r[3]}
	}
	return out
}

// rowOf is the row an entry's summary should make.
func rowOf(e summary) trafficRow {
	switch e.Kind {
	case "http":
		route := e.RouteKey
		if route == "" {
			route = "no route"
		}
		// The API has a column: its prefix leaves the path.
		return trafficRow{e.ID, e.Kind, e.Method + " " + strings.TrimPrefix(e.Path, "/_aws/execute-api/"+e.APIID), route}
	case "post", "delete":
		return trafficRow{e.ID, e.Kind, e.Method + " " + e.Path, e.ConnectionID}
	}
	return trafficRow{e.ID, e.Kind, e.RouteKey, e.ConnectionID}
}

func idsOf(rows []trafficRow) []string {
	var ids []string
	for _, r := range rows {
		ids = append(ids, r.ID)
	}
	return ids
}

// filterTraffic sets the traffic page's filters (the others emptied),
// applies them and returns the ids listed.
func filterTraffic(t *testing.T, c *consoleTab, filters map[string]string) []string {
	t.Helper()
	b, _ := json.Marshal(filters)
	c.eval(`((f) => { for (const el of document.querySelectorAll('[id^="filter-"]')) el.value = f[el.id.slice(7)] || ''; })(` +
		string(b) + `); true`)
	c.act("/traffic", chromedp.Click(chromedp.CSS("#apply-filters")))
	return idsOf(shownTraffic(t, c))
}

// keep is the ids of the entries that pass.
func keep(all []summary, pass func(summary) bool) []string {
	var ids []string
	for _, e := range all {
		if pass(e) {
			ids = append(ids, e.ID)
		}
	}
	return ids
}

func (c *consoleTab) replayedEntry() string {
	c.t.Helper()
	c.waitFor(`document.querySelector('.replay-result a')`)
	return strings.TrimPrefix(c.eval(`document.querySelector('.replay-result a').getAttribute('href')`), "#/traffic/")
}

// TestConsoleInspectorPages drives the traffic log, an entry's page,
// replays and the live connections in the browser, on real traffic: the
// list shows each entry's kind and route key; filters narrow it to the
// entries that match; the live view shows a request made while it is
// open; an entry shows the request, the answer, what the integration was
// sent and answered, the authorizer's refusal, a message's frames and a
// disconnect's close code and reason, a body that is not UTF-8 as base64;
// a replay as recorded and an edited one reach the backend (the edited
// body, and the bytes a base64 body stands for) as new entries that link
// to the one they replay; an edited message reaches its client; the
// connections page lists the open client, sends it a message it receives,
// and closes it. With PORTICO_UPDATE_SCREENSHOT=1 it writes
// docs/console-traffic.png.
func TestConsoleInspectorPages(t *testing.T) {
	const binaryBody = "\xff\xfe\x00binary"
	backend := newRecordingBackend(t)
	srv := start(t, server.Config{InMemory: true})
	fx := buildConsoleFixture(t, srv, backend.URL)
	live := liveAPI(t, srv.Client())
	insp := &inspectEnv{srv: srv, c: srv.Client()}

	stage := srv.URL + "/_aws/execute-api/" + fx.orders + "/dev"
	send(t, "GET", stage+"/orders?limit=5", "", map[string]string{"X-Trace": "trace-abc"})
	send(t, "PUT", stage+"/orders/7", `{"qty":3}`, map[string]string{"Content-Type": "application/json"})
	send(t, "PUT", stage+"/orders/8", binaryBody, map[string]string{"Content-Type": "application/octet-stream"})
	send(t, "POST", stage+"/orders", `{"qty":1}`, nil) // no token: the JWT authorizer refuses it
	send(t, "GET", stage+"/nope", "", nil)             // no route
	client, err := wsDial(t, srv, live)
	must(t, err)
	client.send(t, `{"action":"whoami"}`)
	connID := client.read(t)
	// Another client leaves with a close code and a reason of its own.
	quitter, err := wsDial(t, srv, live)
	must(t, err)
	quitter.send(t, `{"action":"whoami"}`)
	quitterID := quitter.read(t)
	must(t, wsutil.WriteClientMessage(quitter.conn, ws.OpClose, ws.NewCloseFrameBody(4001, "bye now")))
	insp.waitTraffic(t, "kind=disconnect", 1)
	all := insp.traffic(t, "")
	if len(all) != 10 {
		t.Fatalf("%d entries, want 5 requests, 2 connects, 2 messages, a disconnect: %+v", len(all), all)
	}
	entryOf := func(pass func(summary) bool) summary {
		t.Helper()
		for _, e := range all {
			if pass(e) {
				return e
			}
		}
		t.Fatal("no such entry")
		return summary{}
	}
	routed := func(kind, route string) func(summary) bool {
		return func(e summary) bool { return e.Kind == kind && e.RouteKey == route }
	}
	getOrders := entryOf(routed("http", "GET /orders"))
	putOrder := entryOf(func(e summary) bool { return e.RouteKey == "PUT /orders/{id}" && strings.HasSuffix(e.Path, "/7") })
	putBinary := entryOf(func(e summary) bool { return e.RouteKey == "PUT /orders/{id}" && strings.HasSuffix(e.Path, "/8") })
	refused := entryOf(routed("http", "POST /orders"))
	message := entryOf(func(e summary) bool { return e.Kind == "message" && e.ConnectionID == connID })
	quit := entryOf(func(e summary) bool { return e.Kind == "disconnect" && e.ConnectionID == quitterID })
	if n := len(backend.received()); n != 3 {
		t.Fatalf("the backend got %d requests, want 3", n)
	}

	// The traffic log: every entry, newest first, with its kind and route
	// key.
	c := openConsole(t, srv.URL)
	c.visit("/traffic")
	var want []trafficRow
	for _, e := range all {
		want = append(want, rowOf(e))
	}
	if got := shownTraffic(t, c); !slices.Equal(got, want) {
		t.Errorf("the traffic page shows\n%+v\nwant\n%+v", got, want)
	}
	c.mustShow("GET /dev/orders", "PUT /dev/orders/7", "PUT /dev/orders/8", "GET /orders", "PUT /orders/{id}", "$connect", "$default", "$disconnect", "401", "404")
	c.screenshot("traffic")
	c.docScreenshot("console-traffic")

	// Filters narrow it to what matches.
	for _, f := range []struct {
		set  map[string]string
		pass func(summary) bool
	}{
		{map[string]string{"kind": "message"}, func(e summary) bool { return e.Kind == "message" }},
		{map[string]string{"api": fx.orders, "route": "GET /orders"}, func(e summary) bool { return e.ID == getOrders.ID }},
		{map[string]string{"status": "4xx"}, func(e summary) bool { return e.Status >= 400 && e.Status < 500 }},
		{map[string]string{"connection": quitterID}, func(e summary) bool { return e.ConnectionID == quitterID }},
	} {
		want := keep(all, f.pass)
		if got := filterTraffic(t, c, f.set); len(want) == 0 || len(want) == len(all) || !slices.Equal(got, want) {
			t.Errorf("filtered by %v: %v, want %v", f.set, got, want)
		}
	}

	// Live: a request made while the page is open comes in over the
	// stream, at the top, without the page being built again.
	c.visit("/traffic?live=1")
	built := c.eval(`String(porticoRender.seq)`)
	send(t, "DELETE", stage+"/orders/9", "", nil)
	deleted := insp.waitTraffic(t, "route="+url.QueryEscape("DELETE /orders/{id}"), 1)
	if len(deleted) != 1 {
		t.Fatalf("DELETE /orders/9: %+v", deleted)
	}
	c.waitFor(`document.querySelector('table.traffic tbody tr:first-child[data-entry="` + deleted[0].ID + `"]')`)
	if got := shownTraffic(t, c); len(got) != len(all)+1 || got[0] != rowOf(deleted[0]) {
		t.Errorf("live: %+v", got)
	}
	if again := c.eval(`String(porticoRender.seq)`); again != built {
		t.Errorf("the page was built again (render %s, then %s): the entry did not come over the stream", built, again)
	}

	// An entry: the client's request and answer, and what the backend was
	// sent and answered.
	c.act("/traffic/"+getOrders.ID, chromedp.Click(chromedp.CSS(`tr[data-entry="`+getOrders.ID+`"] a`)))
	c.mustShow("GET /_aws/execute-api/"+fx.orders+"/dev/orders", "X-Trace", "trace-abc", "limit=5", getOrders.RequestID,
		"Integration request", backend.URL+"?limit=5", "Forwarded", "Integration response", `"orders": [`, "HTTP_PROXY")
	c.screenshot("traffic-entry")
	// The authorizer's refusal and why.
	c.visit("/traffic/" + refused.ID)
	c.mustShow("Authorizer", "orders-jwt", "JWT", "the token is missing from the identity source", `"Unauthorized"`)
	// A message: the frame in and the frame out.
	c.visit("/traffic/" + message.ID)
	c.mustShow("→ in", "← out", `{"action":"whoami"}`, connID, "request:$default", "MOCK")
	c.screenshot("traffic-message")
	// A disconnect: why the connection closed; nothing to replay.
	c.visit("/traffic/" + quit.ID)
	c.mustShow("Close code", "4001", "Close reason", "bye now")
	if c.eval(`String(!!document.getElementById('replay-as-is'))`) != "false" {
		t.Error("a disconnect offers a replay, which the inspector refuses")
	}

	// A body that is not UTF-8 comes as base64, and an edited replay sends
	// the bytes it stands for.
	c.visit("/traffic/" + putBinary.ID)
	c.mustShow(fmt.Sprintf("Binary: %d bytes, in base64.", len(binaryBody)), base64.StdEncoding.EncodeToString([]byte(binaryBody)))
	hits := len(backend.received())
	c.click("#replay-edited")
	c.replayedEntry()
	if got := backend.received(); len(got) != hits+1 || got[hits].Body != binaryBody {
		t.Errorf("the binary body replayed, the backend got %+v", got)
	}

	// The page's curl line, run in a shell as a user would paste it,
	// sends the request again: the backend gets the same method and body.
	c.visit("/traffic/" + putOrder.ID)
	line := c.eval(`document.querySelector('.cmd code').textContent`)
	if !strings.HasPrefix(line, "curl -i -g -X PUT ") || !strings.Contains(line, "'Content-Type: application/json'") {
		t.Fatalf("curl line %q", line)
	}
	hits = len(backend.received())
	if out, err := exec.Command("sh", "-c", line+" -s -o /dev/null").CombinedOutput(); err != nil {
		t.Fatalf("%s: %v %s", line, err, out)
	}
	if got := backend.received(); len(got) != hits+1 || got[hits] != (backendHit{"PUT", "", `{"qty":3}`}) {
		t.Errorf("the curl line sent %+v", got[hits:])
	}

	// Replayed as recorded: the backend gets the request again, and the
	// new entry links to the one it replays.
	hits = len(backend.received())
	c.click("#replay-as-is")
	again := c.replayedEntry()
	if got := backend.received(); len(got) != hits+1 || got[hits] != (backendHit{"PUT", "", `{"qty":3}`}) {
		t.Errorf("replayed as recorded, the backend got %+v", got)
	}
	if d := insp.entry(t, again); d.ReplayOf != putOrder.ID || d.RouteKey != "PUT /orders/{id}" || d.Status != 200 {
		t.Errorf("the replay's entry: %+v", d)
	}
	c.act("/traffic/"+again, chromedp.Click(chromedp.CSS(`.replay-result a`)))
	c.mustShow("Replay of", "entry "+putOrder.ID)
	c.act("/traffic/"+putOrder.ID, chromedp.Click(chromedp.CSS(`a.replay-of`)))
	// Replayed with another body: the backend gets that body.
	c.eval(`document.getElementById('replay-body').value = '{"qty":5}'; true`)
	c.click("#replay-edited")
	edited := c.replayedEntry()
	if got := backend.received(); len(got) != hits+2 || got[hits+1] != (backendHit{"PUT", "", `{"qty":5}`}) {
		t.Errorf("replayed edited, the backend got %+v", got)
	}
	if d := insp.entry(t, edited); d.ReplayOf != putOrder.ID || d.Request == nil || d.Request.Body != `{"qty":5}` {
		t.Errorf("the edited replay's entry: %+v", d)
	}

	// A message replayed with another body reaches its client, which gets
	// the route's answer again.
	c.visit("/traffic/" + message.ID)
	if got := c.eval(`document.getElementById('replay-body').value`); got != `{"action":"whoami"}` {
		t.Errorf("the message to replay is %q, want the one the client sent", got)
	}
	c.eval(`document.getElementById('replay-body').value = '{"action":"again"}'; true`)
	c.click("#replay-edited")
	if got := client.read(t); got != connID {
		t.Errorf("after the replay the client got %q", got)
	}
	if d := insp.entry(t, c.replayedEntry()); d.ReplayOf != message.ID || len(d.Frames) != 2 || d.Frames[0].Body != `{"action":"again"}` {
		t.Errorf("the message replay's entry: %+v", d)
	}

	// The open connection: a message sent from the console reaches the
	// client; disconnecting closes it. The client that left is not listed.
	c.visit("/connections?api=" + live + "&stage=prod")
	c.mustShow(connID, "live", "prod", "127.0.0.1")
	if strings.Contains(c.text(), quitterID) {
		t.Errorf("the closed connection %s is listed", quitterID)
	}
	c.click(`button[data-send="` + connID + `"]`)
	c.waitFor(`document.querySelector('dialog[open] #message')`)
	if err := chromedp.Do(c.ctx, chromedp.SendKeys(chromedp.CSS("#message"), `{"from":"the console"}`)); err != nil {
		t.Fatal(err)
	}
	c.screenshot("connection-send")
	c.click(`dialog[open] button[data-action="send"]`)
	if got := client.read(t); got != `{"from":"the console"}` {
		t.Errorf("the client got %q", got)
	}
	c.waitFor(`document.getElementById('toast').innerText.includes('Sent')`)
	c.click(`button[data-disconnect="` + connID + `"]`)
	c.waitFor(`document.querySelector('dialog.confirm[open]')`)
	c.click(`dialog.confirm button[data-action="confirm"]`)
	c.waitFor(`document.getElementById('toast').innerText.includes('Disconnected')`)
	c.waitFor(`!document.querySelector('tr[data-connection="` + connID + `"]')`)
	client.conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := wsutil.ReadServerText(struct {
		io.Reader
		io.Writer
	}{client.r, client.conn}); err == nil {
		t.Error("the connection is still open after the console closed it")
	}
	closed := insp.waitTraffic(t, "kind=disconnect&connection="+url.QueryEscape(connID), 1)
	if len(closed) != 1 {
		t.Fatalf("no disconnect entry for %s", connID)
	}
	c.visit("/traffic/" + closed[0].ID)
	c.mustShow("Close code", "1000")
}

// TestConsoleInspectorOff: with recording off the traffic page says so,
// in Portico's words, and the connections page still lists a live client.
func TestConsoleInspectorOff(t *testing.T) {
	srv := start(t, server.Config{InMemory: true, InspectEntries: -1})
	live := liveAPI(t, srv.Client())
	client, err := wsDial(t, srv, live)
	must(t, err)
	client.send(t, `{"action":"whoami"}`)
	id := client.read(t)
	c := openConsole(t, srv.URL)
	c.visit("/traffic")
	c.mustShow("Traffic not recorded", "--inspect-entries 0")
	c.visit("/connections")
	c.mustShow(id, "live")
}

// liveAPI is a WebSocket API on stage prod whose $default route answers
// each message with the sender's connection id (a MOCK integration and
// its response template).
func liveAPI(t *testing.T, sdk *apigatewayv2.Client) string {
	t.Helper()
	ctx := context.Background()
	api, err := sdk.CreateApi(ctx, &apigatewayv2.CreateApiInput{Name: aws.String("live"), ProtocolType: types.ProtocolTypeWebsocket,
		RouteSelectionExpression: aws.String("$request.body.action")})
	if err != nil {
		t.Fatal(err)
	}
	mock, err := sdk.CreateIntegration(ctx, &apigatewayv2.CreateIntegrationInput{ApiId: api.ApiId, IntegrationType: types.IntegrationTypeMock,
		RequestTemplates: map[string]string{"$default": `{"statusCode": 200}`}, TemplateSelectionExpression: aws.String("\\$default")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sdk.CreateIntegrationResponse(ctx, &apigatewayv2.CreateIntegrationResponseInput{ApiId: api.ApiId, IntegrationId: mock.IntegrationId,
		IntegrationResponseKey: aws.String("$default"), ResponseTemplates: map[string]string{"$default": `$context.connectionId`}}); err != nil {
		t.Fatal(err)
	}
	route, err := sdk.CreateRoute(ctx, &apigatewayv2.CreateRouteInput{ApiId: api.ApiId, RouteKey: aws.String("$default"),
		Target: aws.String("integrations/" + *mock.IntegrationId), RouteResponseSelectionExpression: aws.String("$default")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sdk.CreateRouteResponse(ctx, &apigatewayv2.CreateRouteResponseInput{ApiId: api.ApiId, RouteId: route.RouteId,
		RouteResponseKey: aws.String("$default")}); err != nil {
		t.Fatal(err)
	}
	if _, err := sdk.CreateStage(ctx, &apigatewayv2.CreateStageInput{ApiId: api.ApiId, StageName: aws.String("prod"), AutoDeploy: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	return *api.ApiId
}
