package apigw_test

import (
	"errors"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"

	"github.com/portico-dev/portico/internal/store"
)

func TestE2ECreateWebSocketAPIDefaults(t *testing.T) {
	e := newEnv(t)
	before := time.Now().Add(-2 * time.Second)
	out, err := e.c.CreateApi(e.ctx, &apigatewayv2.CreateApiInput{
		Name: aws.String("chat"), ProtocolType: types.ProtocolTypeWebsocket,
		RouteSelectionExpression: aws.String("$request.body.action"),
	})
	must(t, err)
	wantStatus(t, out.ResultMetadata, 201)
	id := aws.ToString(out.ApiId)
	if !apiIDPattern.MatchString(id) {
		t.Errorf("apiId %q does not match %s", id, apiIDPattern)
	}
	check := func(op string, got apigatewayv2.GetApiOutput) {
		t.Helper()
		if aws.ToString(got.ApiId) != id {
			t.Errorf("%s: apiId %q, want %q", op, aws.ToString(got.ApiId), id)
		}
		if aws.ToString(got.Name) != "chat" || got.ProtocolType != types.ProtocolTypeWebsocket {
			t.Errorf("%s: name %q protocol %q", op, aws.ToString(got.Name), got.ProtocolType)
		}
		if aws.ToString(got.RouteSelectionExpression) != "$request.body.action" {
			t.Errorf("%s: routeSelectionExpression %q", op, aws.ToString(got.RouteSelectionExpression))
		}
		if aws.ToString(got.ApiKeySelectionExpression) != "$request.header.x-api-key" {
			t.Errorf("%s: apiKeySelectionExpression %q", op, aws.ToString(got.ApiKeySelectionExpression))
		}
		if got.DisableExecuteApiEndpoint == nil || *got.DisableExecuteApiEndpoint {
			t.Errorf("%s: disableExecuteApiEndpoint %v, want present and false", op, got.DisableExecuteApiEndpoint)
		}
		if got.Tags == nil || len(got.Tags) != 0 {
			t.Errorf("%s: tags %#v, want present and empty", op, got.Tags)
		}
		if got.IpAddressType != types.IpAddressTypeIpv4 {
			t.Errorf("%s: ipAddressType %q, want ipv4", op, got.IpAddressType)
		}
		// The server runs with the default "local" endpoint style.
		wantEndpoint := "ws" + strings.TrimPrefix(e.srv.URL, "http") + "/_aws/execute-api/" + id
		if aws.ToString(got.ApiEndpoint) != wantEndpoint {
			t.Errorf("%s: apiEndpoint %q, want %q", op, aws.ToString(got.ApiEndpoint), wantEndpoint)
		}
		if got.CreatedDate == nil || got.CreatedDate.Before(before) || got.CreatedDate.After(time.Now().Add(2*time.Second)) {
			t.Errorf("%s: createdDate %v, want about now", op, got.CreatedDate)
		}
		if got.Description != nil || got.Version != nil || got.CorsConfiguration != nil || got.DisableSchemaValidation != nil ||
			got.ApiGatewayManaged != nil || got.Warnings != nil || got.ImportInfo != nil {
			t.Errorf("%s: unset members returned: %+v", op, got)
		}
	}
	check("CreateApi", apigatewayv2.GetApiOutput(*out))
	got, err := e.c.GetApi(e.ctx, &apigatewayv2.GetApiInput{ApiId: out.ApiId})
	must(t, err)
	wantStatus(t, got.ResultMetadata, 200)
	check("GetApi", *got)
	if !got.CreatedDate.Equal(*out.CreatedDate) {
		t.Errorf("GetApi createdDate %v, CreateApi said %v", got.CreatedDate, out.CreatedDate)
	}
}

func TestE2ECreateHTTPAPI(t *testing.T) {
	e := newEnv(t)
	tags := map[string]string{"team": "payments", "env": "test"}
	out, err := e.c.CreateApi(e.ctx, &apigatewayv2.CreateApiInput{
		Name: aws.String("pets"), ProtocolType: types.ProtocolTypeHttp,
		Description: aws.String("the pet store"), Version: aws.String("v1"), Tags: tags,
		CorsConfiguration: &types.Cors{AllowOrigins: []string{"https://example.com"}, MaxAge: aws.Int32(300)},
	})
	must(t, err)
	wantStatus(t, out.ResultMetadata, 201)
	if !apiIDPattern.MatchString(aws.ToString(out.ApiId)) {
		t.Errorf("apiId %q", aws.ToString(out.ApiId))
	}
	for op, got := range map[string]*apigatewayv2.CreateApiOutput{"CreateApi": out} {
		if aws.ToString(got.RouteSelectionExpression) != "$request.method $request.path" {
			t.Errorf("%s: routeSelectionExpression %q", op, aws.ToString(got.RouteSelectionExpression))
		}
	}
	get, err := e.c.GetApi(e.ctx, &apigatewayv2.GetApiInput{ApiId: out.ApiId})
	must(t, err)
	for op, got := range map[string]apigatewayv2.GetApiOutput{"CreateApi": apigatewayv2.GetApiOutput(*out), "GetApi": *get} {
		if got.ProtocolType != types.ProtocolTypeHttp || aws.ToString(got.Name) != "pets" {
			t.Errorf("%s: %q %q", op, got.ProtocolType, aws.ToString(got.Name))
		}
		if aws.ToString(got.RouteSelectionExpression) != "$request.method $request.path" {
			t.Errorf("%s: routeSelectionExpression %q", op, aws.ToString(got.RouteSelectionExpression))
		}
		if aws.ToString(got.ApiKeySelectionExpression) != "$request.header.x-api-key" {
			t.Errorf("%s: apiKeySelectionExpression %q", op, aws.ToString(got.ApiKeySelectionExpression))
		}
		if !maps.Equal(got.Tags, tags) {
			t.Errorf("%s: tags %v, want %v", op, got.Tags, tags)
		}
		if aws.ToString(got.Description) != "the pet store" || aws.ToString(got.Version) != "v1" {
			t.Errorf("%s: description %q version %q", op, aws.ToString(got.Description), aws.ToString(got.Version))
		}
		if got.CorsConfiguration == nil || len(got.CorsConfiguration.AllowOrigins) != 1 ||
			got.CorsConfiguration.AllowOrigins[0] != "https://example.com" || aws.ToInt32(got.CorsConfiguration.MaxAge) != 300 {
			t.Errorf("%s: corsConfiguration %+v", op, got.CorsConfiguration)
		}
		if want := e.srv.URL + "/_aws/execute-api/" + *out.ApiId; aws.ToString(got.ApiEndpoint) != want {
			t.Errorf("%s: apiEndpoint %q, want %q", op, aws.ToString(got.ApiEndpoint), want)
		}
		if got.DisableExecuteApiEndpoint == nil || *got.DisableExecuteApiEndpoint {
			t.Errorf("%s: disableExecuteApiEndpoint %v", op, got.DisableExecuteApiEndpoint)
		}
	}

	// The braced form AWS documents is accepted and returned unbraced.
	braced, err := e.c.CreateApi(e.ctx, &apigatewayv2.CreateApiInput{
		Name: aws.String("braced"), ProtocolType: types.ProtocolTypeHttp,
		RouteSelectionExpression: aws.String("${request.method} ${request.path}"),
	})
	must(t, err)
	if aws.ToString(braced.RouteSelectionExpression) != "$request.method $request.path" {
		t.Errorf("braced: routeSelectionExpression %q", aws.ToString(braced.RouteSelectionExpression))
	}
}

func TestE2ECreateAPIErrors(t *testing.T) {
	e := newEnv(t)
	ws := types.ProtocolTypeWebsocket
	cases := []struct {
		name          string
		in            apigatewayv2.CreateApiInput
		status        int
		code, message string
	}{
		{"websocket without routeSelectionExpression",
			apigatewayv2.CreateApiInput{Name: aws.String("a"), ProtocolType: ws},
			400, "BadRequestException", "Route selection expression is required for WebSocket APIs"},
		{"websocket with empty routeSelectionExpression",
			apigatewayv2.CreateApiInput{Name: aws.String("a"), ProtocolType: ws, RouteSelectionExpression: aws.String("")},
			400, "BadRequestException", "Route selection expression is required for WebSocket APIs"},
		{"corsConfiguration on websocket",
			apigatewayv2.CreateApiInput{Name: aws.String("a"), ProtocolType: ws, RouteSelectionExpression: aws.String("$request.body.action"),
				CorsConfiguration: &types.Cors{AllowOrigins: []string{"*"}}},
			400, "BadRequestException", "corsConfiguration is supported only for HTTP APIs"},
		{"invalid protocolType",
			apigatewayv2.CreateApiInput{Name: aws.String("a"), ProtocolType: "GRPC"},
			400, "BadRequestException", "1 validation error detected: Value 'GRPC' at 'protocolType' failed to satisfy constraint: Member must satisfy enum value set: [WEBSOCKET, HTTP]"},
		{"empty name",
			apigatewayv2.CreateApiInput{Name: aws.String(""), ProtocolType: types.ProtocolTypeHttp},
			400, "BadRequestException", "1 validation error detected: Value '' at 'name' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"invalid ipAddressType",
			apigatewayv2.CreateApiInput{Name: aws.String("a"), ProtocolType: types.ProtocolTypeHttp, IpAddressType: "ipv5"},
			400, "BadRequestException", "1 validation error detected: Value 'ipv5' at 'ipAddressType' failed to satisfy constraint: Member must satisfy enum value set: [ipv4, dualstack]"},
		{"http with another routeSelectionExpression",
			apigatewayv2.CreateApiInput{Name: aws.String("a"), ProtocolType: types.ProtocolTypeHttp, RouteSelectionExpression: aws.String("$request.body.action")},
			400, "BadRequestException", "Invalid route selection expression specified: $request.body.action. HTTP APIs support only ${request.method} ${request.path}"},
		{"disableSchemaValidation on http",
			apigatewayv2.CreateApiInput{Name: aws.String("a"), ProtocolType: types.ProtocolTypeHttp, DisableSchemaValidation: aws.Bool(true)},
			400, "BadRequestException", "disableSchemaValidation is supported only for WebSocket APIs"},
		{"invalid apiKeySelectionExpression",
			apigatewayv2.CreateApiInput{Name: aws.String("a"), ProtocolType: ws, RouteSelectionExpression: aws.String("$request.body.action"),
				ApiKeySelectionExpression: aws.String("$request.header.x-key")},
			400, "BadRequestException", "Invalid API key selection expression specified: $request.header.x-key. Supported values are $request.header.x-api-key and $context.authorizer.usageIdentifierKey"},
		{"reserved tag key",
			apigatewayv2.CreateApiInput{Name: aws.String("a"), ProtocolType: types.ProtocolTypeHttp, Tags: map[string]string{"aws:owner": "x"}},
			400, "BadRequestException", `Invalid tag key "aws:owner": the aws: prefix is reserved`},
		{"routeKey without target",
			apigatewayv2.CreateApiInput{Name: aws.String("a"), ProtocolType: types.ProtocolTypeHttp, RouteKey: aws.String("GET /")},
			400, "BadRequestException", "routeKey and credentialsArn can be specified only with target (quick create)"},
		{"quick create on a WebSocket API",
			apigatewayv2.CreateApiInput{Name: aws.String("a"), ProtocolType: types.ProtocolTypeWebsocket,
				RouteSelectionExpression: aws.String("$request.body.action"), Target: aws.String("arn:aws:lambda:us-east-1:123456789012:function:f")},
			400, "BadRequestException", "Quick create (target) is supported only for HTTP APIs"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.c.CreateApi(e.ctx, &tc.in)
			wantAPIError(t, err, tc.status, tc.code, tc.message)
		})
	}
	// None of the refused requests left an API behind.
	got, err := e.c.GetApis(e.ctx, &apigatewayv2.GetApisInput{})
	must(t, err)
	if len(got.Items) != 0 {
		t.Errorf("refused creates left %d APIs", len(got.Items))
	}

	// The WebSocket-only apiKeySelectionExpression alternative is accepted.
	out, err := e.c.CreateApi(e.ctx, &apigatewayv2.CreateApiInput{Name: aws.String("a"), ProtocolType: ws,
		RouteSelectionExpression:  aws.String("$request.body.action"),
		ApiKeySelectionExpression: aws.String("$context.authorizer.usageIdentifierKey"), DisableSchemaValidation: aws.Bool(true)})
	must(t, err)
	if aws.ToString(out.ApiKeySelectionExpression) != "$context.authorizer.usageIdentifierKey" || !aws.ToBool(out.DisableSchemaValidation) {
		t.Errorf("got %q %v", aws.ToString(out.ApiKeySelectionExpression), out.DisableSchemaValidation)
	}
}

func TestE2EGetApiNotFound(t *testing.T) {
	e := newEnv(t)
	_, err := e.c.GetApi(e.ctx, &apigatewayv2.GetApiInput{ApiId: aws.String("abcde12345")})
	wantAPIError(t, err, 404, "NotFoundException", "Invalid API identifier specified 000000000000:abcde12345")
}

func TestE2EGetApisPagination(t *testing.T) {
	e := newEnv(t)
	empty, err := e.c.GetApis(e.ctx, &apigatewayv2.GetApisInput{})
	must(t, err)
	if empty.Items == nil || len(empty.Items) != 0 || empty.NextToken != nil {
		t.Fatalf("no APIs: items %#v nextToken %v", empty.Items, empty.NextToken)
	}

	created := map[string]string{}
	for _, name := range []string{"a", "b", "c", "d", "e"} {
		created[e.createHTTPAPI(t, name)] = name
	}
	seen := map[string]int{}
	var sizes []int
	var token *string
	for pages := 0; ; pages++ {
		if pages > 5 {
			t.Fatal("pagination does not end")
		}
		out, err := e.c.GetApis(e.ctx, &apigatewayv2.GetApisInput{MaxResults: aws.String("2"), NextToken: token})
		must(t, err)
		sizes = append(sizes, len(out.Items))
		for _, api := range out.Items {
			seen[aws.ToString(api.ApiId)]++
			if created[aws.ToString(api.ApiId)] != aws.ToString(api.Name) {
				t.Errorf("item %s named %q", aws.ToString(api.ApiId), aws.ToString(api.Name))
			}
			if api.CreatedDate == nil || api.ApiEndpoint == nil || api.Tags == nil {
				t.Errorf("item %s lacks createdDate, apiEndpoint or tags: %+v", aws.ToString(api.ApiId), api)
			}
		}
		if out.NextToken == nil {
			break
		}
		if *out.NextToken == "" {
			t.Fatal("empty nextToken instead of an absent one")
		}
		token = out.NextToken
	}
	if len(sizes) != 3 || sizes[0] != 2 || sizes[1] != 2 || sizes[2] != 1 {
		t.Errorf("page sizes %v, want [2 2 1]", sizes)
	}
	if len(seen) != 5 {
		t.Errorf("saw %d distinct APIs, want 5", len(seen))
	}
	for id, n := range seen {
		if n != 1 || created[id] == "" {
			t.Errorf("API %s seen %d times (created: %v)", id, n, created[id] != "")
		}
	}

	// Without maxResults everything comes on one page.
	all, err := e.c.GetApis(e.ctx, &apigatewayv2.GetApisInput{})
	must(t, err)
	if len(all.Items) != 5 || all.NextToken != nil {
		t.Errorf("one page: %d items, nextToken %v", len(all.Items), all.NextToken)
	}
	// A page size of exactly the count has no next page.
	exact, err := e.c.GetApis(e.ctx, &apigatewayv2.GetApisInput{MaxResults: aws.String("5")})
	must(t, err)
	if len(exact.Items) != 5 || exact.NextToken != nil {
		t.Errorf("maxResults=5: %d items, nextToken %v", len(exact.Items), exact.NextToken)
	}
}

func TestE2EGetApisInvalidPaging(t *testing.T) {
	e := newEnv(t)
	for _, bad := range []string{"0", "abc", "-1", "1.5"} {
		_, err := e.c.GetApis(e.ctx, &apigatewayv2.GetApisInput{MaxResults: aws.String(bad)})
		wantAPIError(t, err, 400, "BadRequestException", `Invalid maxResults specified: "`+bad+`". It must be a positive integer.`)
	}
	for _, bad := range []string{"!!!", "not a token"} {
		_, err := e.c.GetApis(e.ctx, &apigatewayv2.GetApisInput{NextToken: aws.String(bad)})
		wantAPIError(t, err, 400, "BadRequestException", "Invalid nextToken specified")
	}
}

func TestE2EUpdateApi(t *testing.T) {
	e := newEnv(t)
	created, err := e.c.CreateApi(e.ctx, &apigatewayv2.CreateApiInput{
		Name: aws.String("chat"), ProtocolType: types.ProtocolTypeWebsocket,
		RouteSelectionExpression: aws.String("$request.body.action"),
		Description:              aws.String("first"), Version: aws.String("1"), Tags: map[string]string{"k": "v"},
	})
	must(t, err)
	id := created.ApiId

	// Only the name changes; the rest stays.
	up, err := e.c.UpdateApi(e.ctx, &apigatewayv2.UpdateApiInput{ApiId: id, Name: aws.String("chat2")})
	must(t, err)
	wantStatus(t, up.ResultMetadata, 201)
	got, err := e.c.GetApi(e.ctx, &apigatewayv2.GetApiInput{ApiId: id})
	must(t, err)
	for op, a := range map[string]apigatewayv2.GetApiOutput{"UpdateApi": apigatewayv2.GetApiOutput(*up), "GetApi": *got} {
		if aws.ToString(a.Name) != "chat2" {
			t.Errorf("%s: name %q", op, aws.ToString(a.Name))
		}
		if aws.ToString(a.ApiId) != *id || a.ProtocolType != types.ProtocolTypeWebsocket ||
			aws.ToString(a.RouteSelectionExpression) != "$request.body.action" ||
			aws.ToString(a.Description) != "first" || aws.ToString(a.Version) != "1" ||
			!maps.Equal(a.Tags, map[string]string{"k": "v"}) ||
			aws.ToString(a.ApiKeySelectionExpression) != "$request.header.x-api-key" ||
			a.IpAddressType != types.IpAddressTypeIpv4 || a.DisableExecuteApiEndpoint == nil ||
			a.CreatedDate == nil || !a.CreatedDate.Equal(*created.CreatedDate) {
			t.Errorf("%s: other members changed: %+v", op, a)
		}
	}

	// "" clears description; other members still untouched.
	up, err = e.c.UpdateApi(e.ctx, &apigatewayv2.UpdateApiInput{ApiId: id, Description: aws.String(""),
		RouteSelectionExpression: aws.String("$request.body.type"), DisableExecuteApiEndpoint: aws.Bool(true)})
	must(t, err)
	got, err = e.c.GetApi(e.ctx, &apigatewayv2.GetApiInput{ApiId: id})
	must(t, err)
	for op, a := range map[string]apigatewayv2.GetApiOutput{"UpdateApi": apigatewayv2.GetApiOutput(*up), "GetApi": *got} {
		if a.Description != nil {
			t.Errorf("%s: description %q, want absent", op, *a.Description)
		}
		if aws.ToString(a.Name) != "chat2" || aws.ToString(a.Version) != "1" ||
			aws.ToString(a.RouteSelectionExpression) != "$request.body.type" || !aws.ToBool(a.DisableExecuteApiEndpoint) {
			t.Errorf("%s: %+v", op, a)
		}
	}

	// Errors.
	_, err = e.c.UpdateApi(e.ctx, &apigatewayv2.UpdateApiInput{ApiId: aws.String("nope123456"), Name: aws.String("x")})
	wantAPIError(t, err, 404, "NotFoundException", "Invalid API identifier specified 000000000000:nope123456")
	_, err = e.c.UpdateApi(e.ctx, &apigatewayv2.UpdateApiInput{ApiId: id, Name: aws.String("")})
	wantAPIError(t, err, 400, "BadRequestException", "1 validation error detected: Value '' at 'name' failed to satisfy constraint: Member must have length greater than or equal to 1")
	_, err = e.c.UpdateApi(e.ctx, &apigatewayv2.UpdateApiInput{ApiId: id, RouteSelectionExpression: aws.String("")})
	wantAPIError(t, err, 400, "BadRequestException", "Route selection expression is required for WebSocket APIs")
	_, err = e.c.UpdateApi(e.ctx, &apigatewayv2.UpdateApiInput{ApiId: id, CorsConfiguration: &types.Cors{AllowOrigins: []string{"*"}}})
	wantAPIError(t, err, 400, "BadRequestException", "corsConfiguration is supported only for HTTP APIs")
	_, err = e.c.UpdateApi(e.ctx, &apigatewayv2.UpdateApiInput{ApiId: id, Target: aws.String("arn:aws:lambda:us-east-1:123456789012:function:f")})
	wantAPIError(t, err, 400, "BadRequestException", "Quick create (target) is supported only for HTTP APIs")
	// A refused update changed nothing.
	after, err := e.c.GetApi(e.ctx, &apigatewayv2.GetApiInput{ApiId: id})
	must(t, err)
	if aws.ToString(after.Name) != "chat2" || aws.ToString(after.RouteSelectionExpression) != "$request.body.type" {
		t.Errorf("refused updates changed the API: %+v", after)
	}

	httpID := e.createHTTPAPI(t, "web")
	_, err = e.c.UpdateApi(e.ctx, &apigatewayv2.UpdateApiInput{ApiId: aws.String(httpID), RouteSelectionExpression: aws.String("$request.body.action")})
	wantAPIError(t, err, 400, "BadRequestException", "Invalid route selection expression specified: $request.body.action. HTTP APIs support only ${request.method} ${request.path}")
	_, err = e.c.UpdateApi(e.ctx, &apigatewayv2.UpdateApiInput{ApiId: aws.String(httpID), DisableSchemaValidation: aws.Bool(true)})
	wantAPIError(t, err, 400, "BadRequestException", "disableSchemaValidation is supported only for WebSocket APIs")
	cors, err := e.c.UpdateApi(e.ctx, &apigatewayv2.UpdateApiInput{ApiId: aws.String(httpID),
		CorsConfiguration: &types.Cors{AllowMethods: []string{"GET"}}})
	must(t, err)
	if cors.CorsConfiguration == nil || len(cors.CorsConfiguration.AllowMethods) != 1 ||
		aws.ToString(cors.RouteSelectionExpression) != "$request.method $request.path" {
		t.Errorf("http update: %+v", cors)
	}
}

func TestE2EDeleteApi(t *testing.T) {
	e := newEnv(t)
	keep := e.createWebSocketAPI(t, "keep")
	keepRoute := e.createRoute(t, keep, "$connect")
	id := e.createWebSocketAPI(t, "doomed")
	routeID := e.createRoute(t, id, "$default")
	rrID := e.createRouteResponse(t, id, routeID)

	out, err := e.c.DeleteApi(e.ctx, &apigatewayv2.DeleteApiInput{ApiId: aws.String(id)})
	must(t, err)
	wantStatus(t, out.ResultMetadata, 204)

	gone := "Invalid API identifier specified 000000000000:" + id
	_, err = e.c.GetApi(e.ctx, &apigatewayv2.GetApiInput{ApiId: aws.String(id)})
	wantAPIError(t, err, 404, "NotFoundException", gone)
	_, err = e.c.DeleteApi(e.ctx, &apigatewayv2.DeleteApiInput{ApiId: aws.String(id)})
	wantAPIError(t, err, 404, "NotFoundException", gone)
	_, err = e.c.GetRoutes(e.ctx, &apigatewayv2.GetRoutesInput{ApiId: aws.String(id)})
	wantAPIError(t, err, 404, "NotFoundException", gone)
	_, err = e.c.GetRoute(e.ctx, &apigatewayv2.GetRouteInput{ApiId: aws.String(id), RouteId: aws.String(routeID)})
	wantAPIError(t, err, 404, "NotFoundException", gone)
	_, err = e.c.CreateRoute(e.ctx, &apigatewayv2.CreateRouteInput{ApiId: aws.String(id), RouteKey: aws.String("$connect")})
	wantAPIError(t, err, 404, "NotFoundException", gone)
	_, err = e.c.GetRouteResponse(e.ctx, &apigatewayv2.GetRouteResponseInput{ApiId: aws.String(id), RouteId: aws.String(routeID),
		RouteResponseId: aws.String(rrID)})
	wantAPIError(t, err, 404, "NotFoundException", gone)
	_, err = e.c.GetRouteResponses(e.ctx, &apigatewayv2.GetRouteResponsesInput{ApiId: aws.String(id), RouteId: aws.String(routeID)})
	wantAPIError(t, err, 404, "NotFoundException", gone)

	// The route and route response went with the API: reached through
	// another API they are unknown ids, not leftovers.
	_, err = e.c.GetRoute(e.ctx, &apigatewayv2.GetRouteInput{ApiId: aws.String(keep), RouteId: aws.String(routeID)})
	wantAPIError(t, err, 404, "NotFoundException", "Invalid Route identifier specified "+routeID)
	_, err = e.c.GetRouteResponse(e.ctx, &apigatewayv2.GetRouteResponseInput{ApiId: aws.String(keep), RouteId: aws.String(keepRoute),
		RouteResponseId: aws.String(rrID)})
	wantAPIError(t, err, 404, "NotFoundException", "Invalid RouteResponse identifier specified "+rrID)

	// The other API is untouched.
	apis, err := e.c.GetApis(e.ctx, &apigatewayv2.GetApisInput{})
	must(t, err)
	if len(apis.Items) != 1 || aws.ToString(apis.Items[0].ApiId) != keep {
		t.Errorf("GetApis after delete: %+v", apis.Items)
	}
	routes, err := e.c.GetRoutes(e.ctx, &apigatewayv2.GetRoutesInput{ApiId: aws.String(keep)})
	must(t, err)
	if len(routes.Items) != 1 || aws.ToString(routes.Items[0].RouteId) != keepRoute {
		t.Errorf("routes of the kept API: %+v", routes.Items)
	}
}

// TestE2EDeleteCascadeOnDisk: DeleteApi and DeleteRoute remove everything
// under them from the SQLite file itself, not just from view.
func TestE2EDeleteCascadeOnDisk(t *testing.T) {
	e := newEnv(t)
	doomed := e.createWebSocketAPI(t, "doomed")
	var doomedRoutes, doomedRRs []string
	for _, key := range []string{"$connect", "$default"} {
		r := e.createRoute(t, doomed, key)
		doomedRoutes = append(doomedRoutes, r)
		doomedRRs = append(doomedRRs, e.createRouteResponse(t, doomed, r))
	}
	keep := e.createWebSocketAPI(t, "keep")
	keepRoute := e.createRoute(t, keep, "$connect")
	keepRR := e.createRouteResponse(t, keep, keepRoute)
	goneRoute := e.createRoute(t, keep, "$default")
	goneRR := e.createRouteResponse(t, keep, goneRoute)

	_, err := e.c.DeleteApi(e.ctx, &apigatewayv2.DeleteApiInput{ApiId: aws.String(doomed)})
	must(t, err)
	_, err = e.c.DeleteRoute(e.ctx, &apigatewayv2.DeleteRouteInput{ApiId: aws.String(keep), RouteId: aws.String(goneRoute)})
	must(t, err)
	e.close(t)

	st := e.openStore(t)
	scope := store.Scope{Account: defaultAccount, Region: "us-east-1"}
	err = st.View(e.ctx, scope, func(tx store.Tx) error {
		gone := map[string][]string{"api": {doomed}, "route": append(doomedRoutes, goneRoute),
			"routeresponse": append(doomedRRs, goneRR)}
		for kind, ids := range gone {
			for _, id := range ids {
				if _, err := tx.Get(store.Kind(kind), id); !errors.Is(err, store.ErrNotFound) {
					t.Errorf("%s %s still on disk (err %v)", kind, id, err)
				}
			}
		}
		for kind, id := range map[string]string{"api": keep, "route": keepRoute, "routeresponse": keepRR} {
			if _, err := tx.Get(store.Kind(kind), id); err != nil {
				t.Errorf("%s %s: %v", kind, id, err)
			}
		}
		n, err := tx.Count("route", store.Ref{Kind: "api", ID: keep})
		if err != nil || n != 1 {
			t.Errorf("routes of the kept API on disk: %d (%v)", n, err)
		}
		return nil
	})
	must(t, err)
}

// TestE2ECustomAPIID: LocalStack's convention for stable ids, a tag
// _custom_id_ on CreateApi, gives the API that id; the tag stays a tag, as
// in LocalStack (moto's id generator reads the tag and leaves the tags as
// given). A taken id is 409, an id that cannot be one is 400 [I both].
func TestE2ECustomAPIID(t *testing.T) {
	e := newEnv(t)
	out, err := e.c.CreateApi(e.ctx, &apigatewayv2.CreateApiInput{Name: aws.String("stable"), ProtocolType: types.ProtocolTypeWebsocket,
		RouteSelectionExpression: aws.String("$request.body.action"), Tags: map[string]string{"_custom_id_": "myid", "team": "a"}})
	must(t, err)
	wantStatus(t, out.ResultMetadata, 201)
	if aws.ToString(out.ApiId) != "myid" || out.Tags["_custom_id_"] != "myid" || out.Tags["team"] != "a" {
		t.Errorf("CreateApi: id %q, tags %v", aws.ToString(out.ApiId), out.Tags)
	}
	got, err := e.c.GetApi(e.ctx, &apigatewayv2.GetApiInput{ApiId: aws.String("myid")})
	must(t, err)
	if aws.ToString(got.Name) != "stable" || !strings.Contains(aws.ToString(got.ApiEndpoint), "myid") {
		t.Errorf("GetApi myid: %+v", got)
	}
	// Children and quick create work under a custom id.
	e.createRoute(t, "myid", "$connect")
	quick, err := e.c.CreateApi(e.ctx, &apigatewayv2.CreateApiInput{Name: aws.String("q"), ProtocolType: types.ProtocolTypeHttp,
		Target: aws.String("https://example.com"), Tags: map[string]string{"_custom_id_": "My_Quick-API"}})
	must(t, err)
	if aws.ToString(quick.ApiId) != "My_Quick-API" {
		t.Errorf("quick create id %q", aws.ToString(quick.ApiId))
	}
	if _, err := e.c.GetStage(e.ctx, &apigatewayv2.GetStageInput{ApiId: quick.ApiId, StageName: aws.String("$default")}); err != nil {
		t.Errorf("quick-created stage: %v", err)
	}
	// The tag resource of the API is the custom id's.
	tags, err := e.c.GetTags(e.ctx, &apigatewayv2.GetTagsInput{ResourceArn: aws.String(apiARN("myid"))})
	must(t, err)
	if tags.Tags["_custom_id_"] != "myid" {
		t.Errorf("GetTags: %v", tags.Tags)
	}

	for _, c := range []struct {
		name, id      string
		status        int
		code, message string
	}{
		{"taken", "myid", 409, "ConflictException",
			"An API with id myid already exists in this account and region: the _custom_id_ tag must name an id no other API has"},
		{"too long", strings.Repeat("a", 65), 400, "BadRequestException",
			"Invalid custom API id specified in tag _custom_id_: " + strings.Repeat("a", 65) + ". A custom id is 1 to 64 of A-Z, a-z, 0-9, - and _"},
		{"empty", "", 400, "BadRequestException",
			"Invalid custom API id specified in tag _custom_id_: . A custom id is 1 to 64 of A-Z, a-z, 0-9, - and _"},
		{"slash", "a/b", 400, "BadRequestException",
			"Invalid custom API id specified in tag _custom_id_: a/b. A custom id is 1 to 64 of A-Z, a-z, 0-9, - and _"},
		{"dot", "a.b", 400, "BadRequestException",
			"Invalid custom API id specified in tag _custom_id_: a.b. A custom id is 1 to 64 of A-Z, a-z, 0-9, - and _"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := e.c.CreateApi(e.ctx, &apigatewayv2.CreateApiInput{Name: aws.String("x"), ProtocolType: types.ProtocolTypeHttp,
				Tags: map[string]string{"_custom_id_": c.id}})
			wantAPIError(t, err, c.status, c.code, c.message)
		})
	}
	// The refused ones left nothing; the taken id is still the first API.
	list, err := e.c.GetApis(e.ctx, &apigatewayv2.GetApisInput{})
	must(t, err)
	if len(list.Items) != 2 {
		t.Errorf("%d APIs, want 2", len(list.Items))
	}
	got, err = e.c.GetApi(e.ctx, &apigatewayv2.GetApiInput{ApiId: aws.String("myid")})
	must(t, err)
	if aws.ToString(got.Name) != "stable" {
		t.Errorf("myid is now %+v", got)
	}
	// Once deleted, the id can be taken again; ids are per account and
	// region, as every id is.
	_, err = e.c.DeleteApi(e.ctx, &apigatewayv2.DeleteApiInput{ApiId: aws.String("myid")})
	must(t, err)
	again, err := e.c.CreateApi(e.ctx, &apigatewayv2.CreateApiInput{Name: aws.String("again"), ProtocolType: types.ProtocolTypeHttp,
		Tags: map[string]string{"_custom_id_": "myid"}})
	must(t, err)
	if aws.ToString(again.ApiId) != "myid" {
		t.Errorf("recreated id %q", aws.ToString(again.ApiId))
	}
	other := newClient(e.srv.URL, e.hc)
	_, err = other.CreateApi(e.ctx, &apigatewayv2.CreateApiInput{Name: aws.String("eu"), ProtocolType: types.ProtocolTypeHttp,
		Tags: map[string]string{"_custom_id_": "myid"}}, func(o *apigatewayv2.Options) { o.Region = "eu-west-1" })
	must(t, err)
}
