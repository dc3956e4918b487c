package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	prommodel "github.com/prometheus/common/model"

	"github.com/portico-dev/portico/server"
)

// scrape reads /_portico/metrics with Prometheus's own text parser.
func scrape(t *testing.T, srv *server.Server) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(srv.URL + "/_portico/metrics")
	must(t, err)
	defer resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("metrics: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	p := expfmt.NewTextParser(prommodel.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("the metrics do not parse: %v", err)
	}
	return fams
}

// value is the counter, gauge or histogram count of family name whose
// labels include want; 0 when there is none.
func value(fams map[string]*dto.MetricFamily, name string, want map[string]string) float64 {
	f := fams[name]
	if f == nil {
		return 0
	}
	total := 0.0
next:
	for _, m := range f.Metric {
		have := map[string]string{}
		for _, l := range m.Label {
			have[l.GetName()] = l.GetValue()
		}
		for k, v := range want {
			if have[k] != v {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			total += m.Counter.GetValue()
		case m.Gauge != nil:
			total += m.Gauge.GetValue()
		case m.Histogram != nil:
			total += float64(m.Histogram.GetSampleCount())
		}
	}
	return total
}

// TestMetrics: after real control-plane calls, HTTP API requests, a
// WebSocket session, an authorizer with a cache and a throttled route,
// the counters have moved by what happened, with route keys (never raw
// paths) as labels, and the output parses as Prometheus text.
func TestMetrics(t *testing.T) {
	e := newInspectEnv(t, func(c *server.Config) { c.InMemory = false; c.DataDir = t.TempDir() })
	e.lambda.SetHandler(func(fn string, event []byte) (any, string) {
		if strings.HasSuffix(fn, ":auth") {
			return map[string]any{"isAuthorized": true}, ""
		}
		return echoLambda(fn, event)
	})
	before := scrape(t, e.srv)
	ctx := context.Background()
	api := e.httpLambdaAPI(t)
	au, err := e.c.CreateAuthorizer(ctx, &apigatewayv2.CreateAuthorizerInput{ApiId: &api, Name: aws.String("auth"),
		AuthorizerType: types.AuthorizerTypeRequest, AuthorizerUri: aws.String(lambdaArn("auth")),
		AuthorizerPayloadFormatVersion: aws.String("2.0"), EnableSimpleResponses: aws.Bool(true),
		IdentitySource: []string{"$request.header.Authorization"}, AuthorizerResultTtlInSeconds: aws.Int32(300)})
	must(t, err)
	ints, err := e.c.GetIntegrations(ctx, &apigatewayv2.GetIntegrationsInput{ApiId: &api})
	must(t, err)
	target := aws.String("integrations/" + *ints.Items[0].IntegrationId)
	_, err = e.c.CreateRoute(ctx, &apigatewayv2.CreateRouteInput{ApiId: &api, RouteKey: aws.String("GET /private"), Target: target,
		AuthorizationType: types.AuthorizationTypeCustom, AuthorizerId: au.AuthorizerId})
	must(t, err)
	_, err = e.c.CreateRoute(ctx, &apigatewayv2.CreateRouteInput{ApiId: &api, RouteKey: aws.String("GET /slow"), Target: target})
	must(t, err)
	_, err = e.c.UpdateStage(ctx, &apigatewayv2.UpdateStageInput{ApiId: &api, StageName: aws.String("$default"),
		RouteSettings: map[string]types.RouteSettings{"GET /slow": {ThrottlingBurstLimit: aws.Int32(0), ThrottlingRateLimit: aws.Float64(0)}}})
	must(t, err)

	for _, id := range []string{"1", "2"} {
		if resp, _ := send(t, "POST", e.orderURL(api, "/orders/"+id), "", nil); resp.StatusCode != 200 {
			t.Fatalf("%d", resp.StatusCode)
		}
	}
	do(t, "GET", e.orderURL(api, "/nowhere/at/all"), "")
	for range 2 {
		if resp, _ := send(t, "GET", e.orderURL(api, "/private"), "", map[string]string{"Authorization": "me"}); resp.StatusCode != 200 {
			t.Fatalf("private: %d", resp.StatusCode)
		}
	}
	// The inspector has the authorizer's decisions, the second from the cache.
	private := e.waitTraffic(t, "route=GET+%2Fprivate", 2)
	var newest, oldest struct {
		Authorizer struct {
			Type, Name string
			Allowed    bool
			Cached     bool
		}
	}
	e.getJSON(t, "/_portico/inspect/traffic/"+private[0].ID, &newest)
	e.getJSON(t, "/_portico/inspect/traffic/"+private[1].ID, &oldest)
	if a := newest.Authorizer; a.Type != "REQUEST" || a.Name != "auth" || !a.Allowed || !a.Cached || oldest.Authorizer.Cached {
		t.Errorf("authorizer: %+v, then %+v", oldest.Authorizer, a)
	}
	if resp, _ := do(t, "GET", e.orderURL(api, "/slow"), ""); resp.StatusCode != 429 {
		t.Fatalf("slow: %d", resp.StatusCode)
	}
	ws := e.wsEchoAPI(t)
	c, err := wsDial(t, e.srv, ws)
	must(t, err)
	c.send(t, "hi")
	c.read(t)
	e.waitTraffic(t, "kind=message", 1) // counted with its entry, just after the answer

	after := scrape(t, e.srv)
	delta := func(name string, labels map[string]string) float64 {
		return value(after, name, labels) - value(before, name, labels)
	}
	for _, c := range []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"portico_http_api_requests_total", map[string]string{"api_id": api, "stage": "$default", "route": "POST /orders/{id}", "status": "200"}, 2},
		{"portico_http_api_requests_total", map[string]string{"api_id": api, "route": "", "status": "404"}, 1},
		{"portico_http_api_requests_total", map[string]string{"api_id": api, "route": "GET /private", "status": "200"}, 2},
		{"portico_http_api_requests_total", map[string]string{"api_id": api, "route": "GET /slow", "status": "429"}, 1},
		{"portico_data_plane_latency_seconds", map[string]string{"kind": "http", "api_id": api, "route": "POST /orders/{id}"}, 2},
		{"portico_data_plane_integration_latency_seconds", map[string]string{"kind": "http", "api_id": api, "route": "POST /orders/{id}"}, 2},
		{"portico_throttled_requests_total", map[string]string{"api_id": api, "route": "GET /slow", "limit": "route"}, 1},
		{"portico_authorizer_cache_requests_total", map[string]string{"api_id": api, "authorizer": *au.AuthorizerId, "result": "miss"}, 1},
		{"portico_authorizer_cache_requests_total", map[string]string{"api_id": api, "authorizer": *au.AuthorizerId, "result": "hit"}, 1},
		{"portico_websocket_events_total", map[string]string{"api_id": ws, "stage": "prod", "route": "$connect", "event": "connect", "status": "101"}, 1},
		{"portico_websocket_events_total", map[string]string{"api_id": ws, "route": "$default", "event": "message", "status": "200"}, 1},
		{"portico_websocket_connections", nil, 1},
		{"portico_lambda_invocations_total", map[string]string{"via": "endpoint", "function": "arn:aws:lambda:us-east-1:000000000000:function:orders"}, 4},
		{"portico_lambda_invocations_total", map[string]string{"via": "endpoint", "function": "arn:aws:lambda:us-east-1:000000000000:function:auth"}, 1},
		{"portico_lambda_duration_seconds", map[string]string{"via": "endpoint", "function": "arn:aws:lambda:us-east-1:000000000000:function:echo"}, 1},
		{"portico_control_plane_requests_total", map[string]string{"operation": "CreateApi", "code": "201"}, 2},
		{"portico_control_plane_requests_total", map[string]string{"operation": "CreateAuthorizer", "code": "201"}, 1},
		{"portico_control_plane_request_duration_seconds", map[string]string{"operation": "UpdateStage"}, 1},
	} {
		if got := delta(c.name, c.labels); got != c.want {
			t.Errorf("%s%v moved by %v, want %v", c.name, c.labels, got, c.want)
		}
	}
	if n := delta("portico_store_update_duration_seconds", map[string]string{"result": "ok"}); n < 10 {
		t.Errorf("store updates: %v", n)
	}
	if value(after, "portico_store_database_bytes", nil) <= 0 || value(after, "go_goroutines", nil) <= 0 ||
		value(after, "process_resident_memory_bytes", nil) <= 0 {
		t.Errorf("gauges: db %v, goroutines %v, rss %v", value(after, "portico_store_database_bytes", nil),
			value(after, "go_goroutines", nil), value(after, "process_resident_memory_bytes", nil))
	}
	// Bounded labels: no raw path anywhere.
	for name, f := range after {
		for _, m := range f.Metric {
			for _, l := range m.Label {
				if strings.Contains(l.GetValue(), "/orders/1") || strings.Contains(l.GetValue(), "nowhere") {
					t.Errorf("%s has a raw path in %s=%q", name, l.GetName(), l.GetValue())
				}
			}
		}
	}
	c.conn.(interface{ Close() error }).Close()
	deadline := time.Now().Add(5 * time.Second)
	for value(scrape(t, e.srv), "portico_websocket_connections", nil) != 0 {
		if time.Now().After(deadline) {
			t.Fatal("the connection gauge did not come down")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestMetricsOfPorticoFunctions: Portico's own functions count their
// invocations and failures (via="portico").
func TestMetricsOfPorticoFunctions(t *testing.T) {
	needRuntime(t, "python3")
	dir, _ := filepath.Abs("testdata/functions/py")
	srv := start(t, server.Config{InMemory: true, FunctionsFile: writeFunctionsFile(t,
		`[{"name": "pyapp", "command": "python:app.handler", "dir": "`+dir+`"}]`)})
	api := lambdaHTTPAPI(t, srv.Client(), "pyapp")
	do(t, "GET", srv.URL+"/_aws/execute-api/"+api+"/x", "")
	// An event the handler cannot read fails the function.
	resp, body := do(t, "POST", srv.URL+"/2015-03-31/functions/pyapp/invocations", `{}`)
	if resp.Header.Get("X-Amz-Function-Error") == "" {
		t.Fatalf("the function did not fail: %d %s", resp.StatusCode, body)
	}
	fams := scrape(t, srv)
	labels := map[string]string{"function": "pyapp", "via": "portico"}
	if n := value(fams, "portico_lambda_invocations_total", labels); n != 2 {
		t.Errorf("invocations %v", n)
	}
	if n := value(fams, "portico_lambda_errors_total", labels); n != 1 {
		t.Errorf("errors %v", n)
	}
	if n := value(fams, "portico_lambda_invocations_total", map[string]string{"via": "endpoint"}); n != 0 {
		t.Errorf("counted twice, as an endpoint call too: %v", n)
	}
	var routes struct{ Entries []summary }
	e := &inspectEnv{srv: srv}
	e.getJSON(t, "/_portico/inspect/traffic?api="+api, &routes)
	if len(routes.Entries) != 1 || routes.Entries[0].RouteKey != "$default" {
		t.Errorf("inspector: %+v", routes)
	}
	_ = json.Valid
}
