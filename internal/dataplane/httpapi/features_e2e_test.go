package httpapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"
)

// TestParameterMapping: request parameters change the header, query and
// path the backend gets; response parameters change the answer per
// backend status.
func TestParameterMapping(t *testing.T) {
	e := newEnv(t)
	be := newBackend(t)
	api := e.httpAPI(t, nil)
	in := e.proxyIntegration(t, api, "ANY", be.URL+"/orig", func(in *apigatewayv2.CreateIntegrationInput) {
		in.RequestParameters = map[string]string{
			"append:header.x-request-id": "$context.requestId",
			"overwrite:querystring.who":  "$request.header.x-user",
			"remove:querystring.secret":  "''",
			"overwrite:path":             "/items/$request.path.id",
		}
		in.ResponseParameters = map[string]map[string]string{
			"200": {"overwrite:statuscode": "202", "append:header.x-stage": "$context.stage"},
		}
	})
	e.route(t, api, "GET /things/{id}", in)
	resp, body := call(t, "GET", e.url(api, "/things/9?keep=1&secret=s"), "", "", http.Header{"X-User": {"ann"}})
	if resp.StatusCode != 202 || resp.Header.Get("X-Stage") != "$default" {
		t.Fatalf("%d %v %s", resp.StatusCode, resp.Header, body)
	}
	s := decodeSeen(t, body)
	if s.Path != "/items/9" || s.Header.Get("X-Request-Id") != resp.Header.Get("Apigw-Requestid") ||
		!strings.Contains(s.RawQuery, "who=ann") || strings.Contains(s.RawQuery, "secret") || !strings.Contains(s.RawQuery, "keep=1") {
		t.Errorf("the backend got %s?%s %v", s.Path, s.RawQuery, s.Header)
	}
	// Reserved headers cannot be mapped: refused when saved.
	_, err := e.c.CreateIntegration(e.ctx, &apigatewayv2.CreateIntegrationInput{ApiId: &api,
		IntegrationType: types.IntegrationTypeHttpProxy, IntegrationMethod: aws.String("GET"),
		IntegrationUri: aws.String(be.URL), PayloadFormatVersion: aws.String("1.0"),
		RequestParameters: map[string]string{"overwrite:header.x-amzn-trace-id": "evil"}})
	if err == nil || !strings.Contains(err.Error(), "reserved") {
		t.Errorf("a mapping of a reserved header: %v", err)
	}
}

// TestCORS: the gateway answers preflights itself (no OPTIONS route), adds
// the configured headers to answers for an allowed Origin and replaces the
// backend's; another origin gets none. [I] A preflight that only $default
// or an ANY route would take is answered by the gateway too.
func TestCORS(t *testing.T) {
	e := newEnv(t)
	be := newBackend(t)
	api := e.httpAPI(t, func(in *apigatewayv2.CreateApiInput) {
		in.CorsConfiguration = &types.Cors{AllowOrigins: []string{"https://app.example"}, AllowMethods: []string{"GET", "POST"},
			AllowHeaders: []string{"content-type", "x-token"}, ExposeHeaders: []string{"x-backend"}, MaxAge: aws.Int32(300),
			AllowCredentials: aws.Bool(true)}
	})
	e.route(t, api, "$default", e.proxyIntegration(t, api, "ANY", be.URL, nil))
	resp, body := call(t, "OPTIONS", e.url(api, "/things"), "", "", http.Header{"Origin": {"https://app.example"},
		"Access-Control-Request-Method": {"POST"}, "Access-Control-Request-Headers": {"content-type"}})
	if resp.StatusCode != 204 || body != "" || resp.Header.Get("Access-Control-Allow-Origin") != "https://app.example" ||
		resp.Header.Get("Access-Control-Max-Age") != "300" || resp.Header.Get("Access-Control-Allow-Credentials") != "true" ||
		!strings.Contains(strings.ToLower(resp.Header.Get("Access-Control-Allow-Methods")), "post") {
		t.Errorf("preflight: %d %v %q", resp.StatusCode, resp.Header, body)
	}
	be.mu.Lock()
	reached := be.last != nil
	be.mu.Unlock()
	if reached {
		t.Error("the preflight reached the backend")
	}
	resp, _ = call(t, "GET", e.url(api, "/things"), "", "", http.Header{"Origin": {"https://app.example"}})
	if resp.StatusCode != 200 || resp.Header.Get("Access-Control-Allow-Origin") != "https://app.example" ||
		resp.Header.Get("Access-Control-Expose-Headers") == "" {
		t.Errorf("actual request: %d %v", resp.StatusCode, resp.Header)
	}
	resp, _ = call(t, "GET", e.url(api, "/things"), "", "", http.Header{"Origin": {"https://evil.example"}})
	if resp.StatusCode != 200 || resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("other origin: %d %v", resp.StatusCode, resp.Header)
	}
}

// TestCustomDomain: a request whose Host is a configured domain name is
// served through its mappings: the longest key that prefixes the path
// picks the API and stage, and the routes see the rest; an API with
// disableExecuteApiEndpoint refuses its execute-api URLs and still answers
// on the domain.
func TestCustomDomain(t *testing.T) {
	e := newEnv(t)
	be := newBackend(t)
	api := e.httpAPI(t, func(in *apigatewayv2.CreateApiInput) { in.DisableExecuteApiEndpoint = aws.Bool(true) })
	e.stage(t, api, "v1")
	e.route(t, api, "GET /pets/{id}", e.proxyIntegration(t, api, "GET", be.URL+"/pets/{id}", nil))
	other := e.httpAPI(t, nil)
	e.route(t, other, "$default", e.lambdaIntegration(t, other, "root", "2.0"))
	_, err := e.c.CreateDomainName(e.ctx, &apigatewayv2.CreateDomainNameInput{DomainName: aws.String("api.example.com"),
		DomainNameConfigurations: []types.DomainNameConfiguration{{
			CertificateArn: aws.String("arn:aws:acm:us-east-1:000000000000:certificate/0f6a1c8e-1111-4c4b-9e7e-000000000000")}}})
	must(t, err)
	for key, target := range map[string][2]string{"shop/v1": {api, "v1"}, "shop": {api, "$default"}, "": {other, "$default"}} {
		_, err := e.c.CreateApiMapping(e.ctx, &apigatewayv2.CreateApiMappingInput{DomainName: aws.String("api.example.com"),
			ApiId: aws.String(target[0]), Stage: aws.String(target[1]), ApiMappingKey: aws.String(key)})
		must(t, err)
	}
	for _, path := range []string{"/shop/v1/pets/3", "/shop/pets/3"} {
		resp, body := call(t, "GET", e.srv.URL+path, "api.example.com", "", nil)
		if resp.StatusCode != 200 || decodeSeen(t, body).Path != "/pets/3" {
			t.Errorf("%s: %d %s", path, resp.StatusCode, body)
		}
	}
	resp, body := call(t, "GET", e.srv.URL+"/elsewhere", "API.Example.com:4800", "", nil)
	if resp.StatusCode != 200 || !strings.HasPrefix(body, "lambda:") {
		t.Errorf("root mapping: %d %s", resp.StatusCode, body)
	}
	if ev := e.events(t); len(ev) != 1 || ev[0]["rawPath"] != "/elsewhere" {
		t.Errorf("events: %v", ev)
	}
	// disableExecuteApiEndpoint: the execute-api URLs are refused.
	resp, body = call(t, "GET", e.url(api, "/pets/3"), "", "", nil)
	if resp.StatusCode != 403 || body != `{"message":"Forbidden"}` {
		t.Errorf("execute-api URL of a disabled API: %d %s", resp.StatusCode, body)
	}
	// A mapping removed stops serving at once.
	maps, err := e.c.GetApiMappings(e.ctx, &apigatewayv2.GetApiMappingsInput{DomainName: aws.String("api.example.com")})
	must(t, err)
	for _, m := range maps.Items {
		if aws.ToString(m.ApiMappingKey) == "" {
			_, err := e.c.DeleteApiMapping(e.ctx, &apigatewayv2.DeleteApiMappingInput{DomainName: aws.String("api.example.com"),
				ApiMappingId: m.ApiMappingId})
			must(t, err)
		}
	}
	if resp, _ := call(t, "GET", e.srv.URL+"/elsewhere", "api.example.com", "", nil); resp.StatusCode != 403 {
		t.Errorf("after the root mapping was deleted: %d", resp.StatusCode)
	}
}

// TestImportedAPIServes: an HTTP API made by ImportApi of an OpenAPI file
// with x-amazon-apigateway-integration serves as defined.
func TestImportedAPIServes(t *testing.T) {
	e := newEnv(t)
	be := newBackend(t)
	doc := `openapi: "3.0.1"
info: {title: imported, version: "1"}
paths:
  /pets/{petId}:
    get:
      parameters: [{name: petId, in: path, required: true, schema: {type: string}}]
      responses: {"200": {description: ok}}
      x-amazon-apigateway-integration:
        type: http_proxy
        httpMethod: GET
        uri: ` + be.URL + `/store/{petId}
        payloadFormatVersion: "1.0"
`
	out, err := e.c.ImportApi(context.Background(), &apigatewayv2.ImportApiInput{Body: aws.String(doc)})
	must(t, err)
	e.stage(t, *out.ApiId, "$default")
	resp, body := call(t, "GET", e.url(*out.ApiId, "/pets/12"), "", "", nil)
	if resp.StatusCode != 200 || decodeSeen(t, body).Path != "/store/12" {
		t.Errorf("%d %s", resp.StatusCode, body)
	}
}

// TestThrottling: a stage's defaultRouteSettings give each route a bucket
// of burst requests refilled at rate per second; a route's routeSettings
// override them; over the limit is 429 {"message":"Too Many Requests"}.
func TestThrottling(t *testing.T) {
	e := newEnv(t)
	be := newBackend(t)
	out, err := e.c.CreateApi(e.ctx, &apigatewayv2.CreateApiInput{Name: aws.String("t"), ProtocolType: types.ProtocolTypeHttp})
	must(t, err)
	api := *out.ApiId
	in := e.proxyIntegration(t, api, "GET", be.URL, nil)
	e.route(t, api, "GET /a", in)
	e.route(t, api, "GET /b", in)
	_, err = e.c.CreateStage(e.ctx, &apigatewayv2.CreateStageInput{ApiId: &api, StageName: aws.String("$default"), AutoDeploy: aws.Bool(true),
		DefaultRouteSettings: &types.RouteSettings{ThrottlingBurstLimit: aws.Int32(2), ThrottlingRateLimit: aws.Float64(0.001)},
		RouteSettings:        map[string]types.RouteSettings{"GET /b": {ThrottlingBurstLimit: aws.Int32(4)}}})
	must(t, err)
	count := func(path string) (ok, throttled int) {
		for range 6 {
			resp, body := call(t, "GET", e.url(api, path), "", "", nil)
			switch {
			case resp.StatusCode == 200:
				ok++
			case resp.StatusCode == 429 && body == `{"message":"Too Many Requests"}`:
				throttled++
			default:
				t.Fatalf("%s: %d %s", path, resp.StatusCode, body)
			}
		}
		return ok, throttled
	}
	if ok, th := count("/a"); ok != 2 || th != 4 {
		t.Errorf("GET /a (burst 2): %d answered, %d throttled", ok, th)
	}
	// Each route has its own bucket; /b's burst is its own setting.
	if ok, th := count("/b"); ok != 4 || th != 2 {
		t.Errorf("GET /b (burst 4): %d answered, %d throttled", ok, th)
	}
}

// TestAccessLog: a stage with accessLogSettings writes one line per
// request in its format, read back by GET /_portico/logs/{log group}.
func TestAccessLog(t *testing.T) {
	e := newEnv(t)
	be := newBackend(t)
	out, err := e.c.CreateApi(e.ctx, &apigatewayv2.CreateApiInput{Name: aws.String("logged"), ProtocolType: types.ProtocolTypeHttp})
	must(t, err)
	api := *out.ApiId
	e.route(t, api, "GET /pets/{id}", e.proxyIntegration(t, api, "GET", be.URL, nil))
	format := `{"requestId":"$context.requestId","route":"$context.routeKey","method":"$context.httpMethod",` +
		`"status":"$context.status","integration":"$context.integrationStatus","path":"$context.path","stage":"$context.stage",` +
		`"error":"$context.error.message","authorizer":"$context.authorizer.error"}`
	_, err = e.c.CreateStage(e.ctx, &apigatewayv2.CreateStageInput{ApiId: &api, StageName: aws.String("$default"), AutoDeploy: aws.Bool(true),
		AccessLogSettings: &types.AccessLogSettings{Format: aws.String(format),
			DestinationArn: aws.String("arn:aws:logs:us-east-1:000000000000:log-group:/aws/portico/access")}})
	must(t, err)
	ok, _ := call(t, "GET", e.url(api, "/pets/7"), "", "", nil)
	missing, _ := call(t, "GET", e.url(api, "/nowhere"), "", "", nil)
	resp, body := call(t, "GET", e.srv.URL+"/_portico/logs/%2Faws%2Fportico%2Faccess?limit=10", "", "", nil)
	var logs struct{ Lines []string }
	if resp.StatusCode != 200 || json.Unmarshal([]byte(body), &logs) != nil || len(logs.Lines) != 2 {
		t.Fatalf("logs: %d %s", resp.StatusCode, body)
	}
	want := []string{
		`{"requestId":"` + ok.Header.Get("Apigw-Requestid") + `","route":"GET /pets/{id}","method":"GET","status":"200","integration":"200","path":"/pets/7","stage":"$default","error":"-","authorizer":"-"}`,
		`{"requestId":"` + missing.Header.Get("Apigw-Requestid") + `","route":"-","method":"GET","status":"404","integration":"-","path":"/nowhere","stage":"$default","error":"Not Found","authorizer":"-"}`,
	}
	for i := range want {
		if logs.Lines[i] != want[i] {
			t.Errorf("line %d:\n got %s\nwant %s", i, logs.Lines[i], want[i])
		}
	}
	// A format without $context.requestId is refused when saved.
	_, err = e.c.UpdateStage(e.ctx, &apigatewayv2.UpdateStageInput{ApiId: &api, StageName: aws.String("$default"),
		AccessLogSettings: &types.AccessLogSettings{Format: aws.String("$context.status"),
			DestinationArn: aws.String("arn:aws:logs:us-east-1:000000000000:log-group:x")}})
	if err == nil || !strings.Contains(err.Error(), "$context.requestId") {
		t.Errorf("a format without requestId: %v", err)
	}
}
