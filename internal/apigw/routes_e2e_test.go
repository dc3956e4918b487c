package apigw_test

import (
	"maps"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"
)

// checkNewRoute checks the members every route returns.
func checkNewRoute(t *testing.T, op string, got apigatewayv2.GetRouteOutput, key string) {
	t.Helper()
	if !routeIDPattern.MatchString(aws.ToString(got.RouteId)) {
		t.Errorf("%s %q: routeId %q does not match %s", op, key, aws.ToString(got.RouteId), routeIDPattern)
	}
	if aws.ToString(got.RouteKey) != key {
		t.Errorf("%s: routeKey %q, want %q", op, aws.ToString(got.RouteKey), key)
	}
	if got.ApiKeyRequired == nil || *got.ApiKeyRequired {
		t.Errorf("%s %q: apiKeyRequired %v, want present and false", op, key, got.ApiKeyRequired)
	}
	if got.AuthorizationType != types.AuthorizationTypeNone {
		t.Errorf("%s %q: authorizationType %q, want NONE", op, key, got.AuthorizationType)
	}
	if got.Target != nil || got.AuthorizerId != nil || got.AuthorizationScopes != nil || got.ModelSelectionExpression != nil ||
		got.OperationName != nil || got.RequestModels != nil || got.RequestParameters != nil ||
		got.RouteResponseSelectionExpression != nil || got.ApiGatewayManaged != nil {
		t.Errorf("%s %q: unset members returned: %+v", op, key, got)
	}
}

func TestE2EWebSocketRouteKeys(t *testing.T) {
	e := newEnv(t)
	api := aws.String(e.createWebSocketAPI(t, "chat"))
	ids := map[string]string{}
	for _, key := range []string{"$connect", "$disconnect", "$default", "sendMessage"} {
		out, err := e.c.CreateRoute(e.ctx, &apigatewayv2.CreateRouteInput{ApiId: api, RouteKey: aws.String(key)})
		if err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		wantStatus(t, out.ResultMetadata, 201)
		checkNewRoute(t, "CreateRoute", apigatewayv2.GetRouteOutput(*out), key)
		got, err := e.c.GetRoute(e.ctx, &apigatewayv2.GetRouteInput{ApiId: api, RouteId: out.RouteId})
		must(t, err)
		wantStatus(t, got.ResultMetadata, 200)
		checkNewRoute(t, "GetRoute", *got, key)
		ids[key] = *out.RouteId
	}
	_, err := e.c.CreateRoute(e.ctx, &apigatewayv2.CreateRouteInput{ApiId: api, RouteKey: aws.String("$custom")})
	wantAPIError(t, err, 400, "BadRequestException",
		"Invalid route key specified: $custom. Keys starting with $ are reserved: use $connect, $disconnect or $default")
	_, err = e.c.CreateRoute(e.ctx, &apigatewayv2.CreateRouteInput{ApiId: api, RouteKey: aws.String("")})
	wantAPIError(t, err, 400, "BadRequestException", "Route key is required")
	// Custom keys are at most 128 characters; longer values are echoed cut.
	long := strings.Repeat("k", 129)
	_, err = e.c.CreateRoute(e.ctx, &apigatewayv2.CreateRouteInput{ApiId: api, RouteKey: aws.String(long)})
	wantAPIError(t, err, 400, "BadRequestException",
		"1 validation error detected: Value '"+long[:64]+"...' at 'routeKey' failed to satisfy constraint: Member must have length less than or equal to 128")
	_, err = e.c.CreateRoute(e.ctx, &apigatewayv2.CreateRouteInput{ApiId: api, RouteKey: aws.String("op"), OperationName: aws.String(strings.Repeat("o", 65))})
	wantAPIError(t, err, 400, "BadRequestException",
		"1 validation error detected: Value '"+strings.Repeat("o", 64)+"...' at 'operationName' failed to satisfy constraint: Member must have length less than or equal to 64")
	ids[long[:128]] = e.createRoute(t, *api, long[:128])

	list, err := e.c.GetRoutes(e.ctx, &apigatewayv2.GetRoutesInput{ApiId: api})
	must(t, err)
	if len(list.Items) != 5 || list.NextToken != nil {
		t.Fatalf("GetRoutes: %d items, nextToken %v", len(list.Items), list.NextToken)
	}
	for _, r := range list.Items {
		if ids[aws.ToString(r.RouteKey)] != aws.ToString(r.RouteId) {
			t.Errorf("GetRoutes item %s %s", aws.ToString(r.RouteKey), aws.ToString(r.RouteId))
		}
	}
}

func TestE2EHTTPRouteKeys(t *testing.T) {
	e := newEnv(t)
	api := aws.String(e.createHTTPAPI(t, "pets"))
	for _, key := range []string{"GET /pets", "ANY /{proxy+}", "$default", "POST /pets/{petId}", "GET /", "DELETE /pets/{petId}/toys/{rest+}"} {
		out, err := e.c.CreateRoute(e.ctx, &apigatewayv2.CreateRouteInput{ApiId: api, RouteKey: aws.String(key)})
		if err != nil {
			t.Fatalf("%q: %v", key, err)
		}
		wantStatus(t, out.ResultMetadata, 201)
		checkNewRoute(t, "CreateRoute", apigatewayv2.GetRouteOutput(*out), key)
	}
	const methods = "An HTTP API route key is $default or an HTTP method (ANY, GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS) followed by a space and a path"
	for key, why := range map[string]string{
		"GET pets":       "The path must start with /",
		"FOO /x":         methods,
		"GET /{a+}/b":    "A greedy path parameter {name+} must be the last segment",
		"$connect":       methods,
		"GET":            methods,
		"get /pets":      methods,
		"GET /pets//x":   "The path must not contain empty segments",
		"GET /x{id}":     "A path parameter must be a whole segment: {name} or {name+}",
		"GET /pets pets": "The path contains characters that are not allowed",
	} {
		_, err := e.c.CreateRoute(e.ctx, &apigatewayv2.CreateRouteInput{ApiId: api, RouteKey: aws.String(key)})
		wantAPIError(t, err, 400, "BadRequestException", "Invalid route key specified: "+key+". "+why)
	}
	_, err := e.c.CreateRoute(e.ctx, &apigatewayv2.CreateRouteInput{ApiId: api, RouteKey: aws.String("")})
	wantAPIError(t, err, 400, "BadRequestException", "Route key is required")
}

func TestE2ERouteDuplicateKey(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct {
		protocol  string
		api       string
		key, next string
	}{
		{"WEBSOCKET", e.createWebSocketAPI(t, "ws"), "$connect", "sendMessage"},
		{"HTTP", e.createHTTPAPI(t, "http"), "GET /pets", "POST /pets"},
	} {
		api := aws.String(tc.api)
		first := e.createRoute(t, tc.api, tc.key)
		_, err := e.c.CreateRoute(e.ctx, &apigatewayv2.CreateRouteInput{ApiId: api, RouteKey: aws.String(tc.key)})
		wantAPIError(t, err, 409, "ConflictException", "Route with key "+tc.key+" already exists for this API")

		second := e.createRoute(t, tc.api, tc.next)
		_, err = e.c.UpdateRoute(e.ctx, &apigatewayv2.UpdateRouteInput{ApiId: api, RouteId: aws.String(second), RouteKey: aws.String(tc.key)})
		wantAPIError(t, err, 409, "ConflictException", "Route with key "+tc.key+" already exists for this API")
		got, err := e.c.GetRoute(e.ctx, &apigatewayv2.GetRouteInput{ApiId: api, RouteId: aws.String(second)})
		must(t, err)
		if aws.ToString(got.RouteKey) != tc.next {
			t.Errorf("%s: refused rename changed the key to %q", tc.protocol, aws.ToString(got.RouteKey))
		}
		// Keeping its own key is not a conflict.
		same, err := e.c.UpdateRoute(e.ctx, &apigatewayv2.UpdateRouteInput{ApiId: api, RouteId: aws.String(first), RouteKey: aws.String(tc.key)})
		must(t, err)
		wantStatus(t, same.ResultMetadata, 201)
	}
	// The same key on another API is fine.
	other := e.createWebSocketAPI(t, "ws2")
	e.createRoute(t, other, "$connect")
}

func TestE2EUpdateRoute(t *testing.T) {
	e := newEnv(t)
	apiID := e.createWebSocketAPI(t, "chat")
	api := aws.String(apiID)
	created, err := e.c.CreateRoute(e.ctx, &apigatewayv2.CreateRouteInput{ApiId: api, RouteKey: aws.String("sendMessage"),
		RouteResponseSelectionExpression: aws.String("$default"), OperationName: aws.String("Send"),
		ModelSelectionExpression: aws.String("$request.body.type"), RequestModels: map[string]string{"application/json": "Msg"},
		ApiKeyRequired: aws.Bool(true), AuthorizationType: types.AuthorizationTypeNone})
	must(t, err)
	if aws.ToString(created.RouteResponseSelectionExpression) != "$default" || !aws.ToBool(created.ApiKeyRequired) ||
		created.AuthorizationType != types.AuthorizationTypeNone || aws.ToString(created.OperationName) != "Send" ||
		aws.ToString(created.ModelSelectionExpression) != "$request.body.type" || created.RequestModels["application/json"] != "Msg" {
		t.Fatalf("created: %+v", created)
	}
	id := created.RouteId

	// Partial update: only the key changes.
	up, err := e.c.UpdateRoute(e.ctx, &apigatewayv2.UpdateRouteInput{ApiId: api, RouteId: id, RouteKey: aws.String("send")})
	must(t, err)
	wantStatus(t, up.ResultMetadata, 201)
	got, err := e.c.GetRoute(e.ctx, &apigatewayv2.GetRouteInput{ApiId: api, RouteId: id})
	must(t, err)
	for op, r := range map[string]apigatewayv2.GetRouteOutput{"UpdateRoute": apigatewayv2.GetRouteOutput(*up), "GetRoute": *got} {
		if aws.ToString(r.RouteKey) != "send" || aws.ToString(r.RouteId) != *id ||
			aws.ToString(r.RouteResponseSelectionExpression) != "$default" || !aws.ToBool(r.ApiKeyRequired) ||
			r.AuthorizationType != types.AuthorizationTypeNone || aws.ToString(r.OperationName) != "Send" ||
			aws.ToString(r.ModelSelectionExpression) != "$request.body.type" || !maps.Equal(r.RequestModels, map[string]string{"application/json": "Msg"}) {
			t.Errorf("%s: %+v", op, r)
		}
	}

	// "" clears routeResponseSelectionExpression: absent afterwards.
	up, err = e.c.UpdateRoute(e.ctx, &apigatewayv2.UpdateRouteInput{ApiId: api, RouteId: id, RouteResponseSelectionExpression: aws.String("")})
	must(t, err)
	if up.RouteResponseSelectionExpression != nil {
		t.Errorf("UpdateRoute: routeResponseSelectionExpression %q, want absent", *up.RouteResponseSelectionExpression)
	}
	got, err = e.c.GetRoute(e.ctx, &apigatewayv2.GetRouteInput{ApiId: api, RouteId: id})
	must(t, err)
	if got.RouteResponseSelectionExpression != nil {
		t.Errorf("GetRoute: routeResponseSelectionExpression %q, want absent", *got.RouteResponseSelectionExpression)
	}
	if aws.ToString(got.OperationName) != "Send" || aws.ToString(got.RouteKey) != "send" {
		t.Errorf("clearing one member touched others: %+v", got)
	}
	// And it can be set again.
	up, err = e.c.UpdateRoute(e.ctx, &apigatewayv2.UpdateRouteInput{ApiId: api, RouteId: id, RouteResponseSelectionExpression: aws.String("$default")})
	must(t, err)
	if aws.ToString(up.RouteResponseSelectionExpression) != "$default" {
		t.Errorf("set again: %+v", up)
	}

	// Errors on update.
	_, err = e.c.UpdateRoute(e.ctx, &apigatewayv2.UpdateRouteInput{ApiId: api, RouteId: id, RouteResponseSelectionExpression: aws.String("$request.body.x")})
	wantAPIError(t, err, 400, "BadRequestException", "Invalid route response selection expression specified: $request.body.x. Only $default is supported")
	_, err = e.c.UpdateRoute(e.ctx, &apigatewayv2.UpdateRouteInput{ApiId: api, RouteId: id, RouteKey: aws.String("$custom")})
	wantAPIError(t, err, 400, "BadRequestException", "Invalid route key specified: $custom. Keys starting with $ are reserved: use $connect, $disconnect or $default")
	_, err = e.c.UpdateRoute(e.ctx, &apigatewayv2.UpdateRouteInput{ApiId: api, RouteId: id, RouteKey: aws.String("")})
	wantAPIError(t, err, 400, "BadRequestException", "Route key is required")
	_, err = e.c.UpdateRoute(e.ctx, &apigatewayv2.UpdateRouteInput{ApiId: api, RouteId: id, AuthorizationType: types.AuthorizationTypeJwt})
	wantAPIError(t, err, 400, "BadRequestException", "Authorization type JWT is supported only for HTTP APIs")
	_, err = e.c.UpdateRoute(e.ctx, &apigatewayv2.UpdateRouteInput{ApiId: api, RouteId: id, AuthorizationType: types.AuthorizationTypeCustom})
	wantAPIError(t, err, 400, "BadRequestException", "An authorizerId must be specified for authorization type CUSTOM")
	_, err = e.c.UpdateRoute(e.ctx, &apigatewayv2.UpdateRouteInput{ApiId: api, RouteId: id, Target: aws.String("integrations/abc1234")})
	wantAPIError(t, err, 400, "BadRequestException", "Invalid integration identifier specified abc1234")
	_, err = e.c.UpdateRoute(e.ctx, &apigatewayv2.UpdateRouteInput{ApiId: api, RouteId: aws.String("zzzzzzz"), OperationName: aws.String("x")})
	wantAPIError(t, err, 404, "NotFoundException", "Invalid Route identifier specified zzzzzzz")
	_, err = e.c.UpdateRoute(e.ctx, &apigatewayv2.UpdateRouteInput{ApiId: aws.String("nope123456"), RouteId: id, OperationName: aws.String("x")})
	wantAPIError(t, err, 404, "NotFoundException", "Invalid API identifier specified 000000000000:nope123456")

	// Refused updates changed nothing.
	got, err = e.c.GetRoute(e.ctx, &apigatewayv2.GetRouteInput{ApiId: api, RouteId: id})
	must(t, err)
	if aws.ToString(got.RouteKey) != "send" || got.AuthorizationType != types.AuthorizationTypeNone || got.Target != nil ||
		aws.ToString(got.RouteResponseSelectionExpression) != "$default" {
		t.Errorf("after refused updates: %+v", got)
	}

	// Moving to NONE keeps a consistent route.
	up, err = e.c.UpdateRoute(e.ctx, &apigatewayv2.UpdateRouteInput{ApiId: api, RouteId: id, AuthorizationType: types.AuthorizationTypeNone,
		ApiKeyRequired: aws.Bool(false), OperationName: aws.String("")})
	must(t, err)
	if up.AuthorizationType != types.AuthorizationTypeNone || aws.ToBool(up.ApiKeyRequired) || up.ApiKeyRequired == nil || up.OperationName != nil {
		t.Errorf("to NONE: %+v", up)
	}
}

func TestE2ERouteSelectionAndMembers(t *testing.T) {
	e := newEnv(t)
	ws := aws.String(e.createWebSocketAPI(t, "ws"))
	http := aws.String(e.createHTTPAPI(t, "http"))

	out, err := e.c.CreateRoute(e.ctx, &apigatewayv2.CreateRouteInput{ApiId: ws, RouteKey: aws.String("$default"),
		RouteResponseSelectionExpression: aws.String("$default")})
	must(t, err)
	if aws.ToString(out.RouteResponseSelectionExpression) != "$default" {
		t.Errorf("rrse %v", out.RouteResponseSelectionExpression)
	}
	_, err = e.c.CreateRoute(e.ctx, &apigatewayv2.CreateRouteInput{ApiId: ws, RouteKey: aws.String("a"),
		RouteResponseSelectionExpression: aws.String("$request.body.reply")})
	wantAPIError(t, err, 400, "BadRequestException", "Invalid route response selection expression specified: $request.body.reply. Only $default is supported")

	cases := []struct {
		name    string
		in      apigatewayv2.CreateRouteInput
		message string
	}{
		{"apiKeyRequired on http", apigatewayv2.CreateRouteInput{ApiId: http, RouteKey: aws.String("GET /a"), ApiKeyRequired: aws.Bool(true)},
			"apiKeyRequired is supported only for WebSocket APIs"},
		{"modelSelectionExpression on http", apigatewayv2.CreateRouteInput{ApiId: http, RouteKey: aws.String("GET /a"), ModelSelectionExpression: aws.String("$request.body.t")},
			"modelSelectionExpression is supported only for WebSocket APIs"},
		{"requestModels on http", apigatewayv2.CreateRouteInput{ApiId: http, RouteKey: aws.String("GET /a"), RequestModels: map[string]string{"application/json": "M"}},
			"requestModels is supported only for WebSocket APIs"},
		{"requestParameters on http", apigatewayv2.CreateRouteInput{ApiId: http, RouteKey: aws.String("GET /a"),
			RequestParameters: map[string]types.ParameterConstraints{"route.request.header.A": {Required: aws.Bool(true)}}},
			"requestParameters is supported only for WebSocket APIs"},
		{"routeResponseSelectionExpression on http", apigatewayv2.CreateRouteInput{ApiId: http, RouteKey: aws.String("GET /a"), RouteResponseSelectionExpression: aws.String("$default")},
			"routeResponseSelectionExpression is supported only for WebSocket APIs"},
		{"target naming a missing integration", apigatewayv2.CreateRouteInput{ApiId: ws, RouteKey: aws.String("b"), Target: aws.String("integrations/abc1234")},
			"Invalid integration identifier specified abc1234"},
		{"target naming a missing integration on http", apigatewayv2.CreateRouteInput{ApiId: http, RouteKey: aws.String("GET /b"), Target: aws.String("integrations/abc1234")},
			"Invalid integration identifier specified abc1234"},
		{"target of another form", apigatewayv2.CreateRouteInput{ApiId: ws, RouteKey: aws.String("b"), Target: aws.String("arn:aws:lambda:us-east-1:123456789012:function:f")},
			"Invalid target specified: arn:aws:lambda:us-east-1:123456789012:function:f. A route target must be integrations/{integrationId}"},
		{"JWT on websocket", apigatewayv2.CreateRouteInput{ApiId: ws, RouteKey: aws.String("b"), AuthorizationType: types.AuthorizationTypeJwt, AuthorizerId: aws.String("abc123")},
			"Authorization type JWT is supported only for HTTP APIs"},
		{"CUSTOM without authorizerId", apigatewayv2.CreateRouteInput{ApiId: ws, RouteKey: aws.String("b"), AuthorizationType: types.AuthorizationTypeCustom},
			"An authorizerId must be specified for authorization type CUSTOM"},
		{"JWT without authorizerId", apigatewayv2.CreateRouteInput{ApiId: http, RouteKey: aws.String("GET /b"), AuthorizationType: types.AuthorizationTypeJwt},
			"An authorizerId must be specified for authorization type JWT"},
		{"CUSTOM with a missing authorizer", apigatewayv2.CreateRouteInput{ApiId: ws, RouteKey: aws.String("b"), AuthorizationType: types.AuthorizationTypeCustom, AuthorizerId: aws.String("abc123")},
			"Invalid authorizer identifier specified abc123"},
		{"NONE with a missing authorizer", apigatewayv2.CreateRouteInput{ApiId: ws, RouteKey: aws.String("b"), AuthorizerId: aws.String("abc123")},
			"Invalid authorizer identifier specified abc123"},
		{"AWS_IAM with authorizerId", apigatewayv2.CreateRouteInput{ApiId: http, RouteKey: aws.String("GET /b"), AuthorizationType: types.AuthorizationTypeAwsIam, AuthorizerId: aws.String("abc123")},
			"An authorizerId cannot be specified for authorization type AWS_IAM"},
		{"scopes without JWT", apigatewayv2.CreateRouteInput{ApiId: http, RouteKey: aws.String("GET /b"), AuthorizationScopes: []string{"read"}},
			"Invalid Route authorization type specified. Authorization Scopes are only valid for COGNITO_USER_POOLS and JWT authorization types"},
		{"invalid authorizationType", apigatewayv2.CreateRouteInput{ApiId: ws, RouteKey: aws.String("b"), AuthorizationType: "BASIC"},
			"1 validation error detected: Value 'BASIC' at 'authorizationType' failed to satisfy constraint: Member must satisfy enum value set: [NONE, AWS_IAM, CUSTOM, JWT]"},
		{"bad request parameter key", apigatewayv2.CreateRouteInput{ApiId: ws, RouteKey: aws.String("b"),
			RequestParameters: map[string]types.ParameterConstraints{"route.request.body.name": {Required: aws.Bool(true)}}},
			"Invalid mapping expression specified: route.request.body.name. Request parameters must be route.request.header.{name} or route.request.querystring.{name}"},
		{"request parameter key without a name", apigatewayv2.CreateRouteInput{ApiId: ws, RouteKey: aws.String("b"),
			RequestParameters: map[string]types.ParameterConstraints{"route.request.header.": {Required: aws.Bool(true)}}},
			"Invalid mapping expression specified: route.request.header.. Request parameters must be route.request.header.{name} or route.request.querystring.{name}"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.c.CreateRoute(e.ctx, &tc.in)
			wantAPIError(t, err, 400, "BadRequestException", tc.message)
		})
	}
	// None of them created a route.
	for _, api := range []*string{ws, http} {
		list, err := e.c.GetRoutes(e.ctx, &apigatewayv2.GetRoutesInput{ApiId: api})
		must(t, err)
		if n := len(list.Items); (api == ws && n != 1) || (api == http && n != 0) {
			t.Errorf("refused creates left routes: %+v", list.Items)
		}
	}

	// The same rules hold on UpdateRoute.
	httpRoute := aws.String(e.createRoute(t, *http, "GET /u"))
	_, err = e.c.UpdateRoute(e.ctx, &apigatewayv2.UpdateRouteInput{ApiId: http, RouteId: httpRoute, ApiKeyRequired: aws.Bool(true)})
	wantAPIError(t, err, 400, "BadRequestException", "apiKeyRequired is supported only for WebSocket APIs")
	_, err = e.c.UpdateRoute(e.ctx, &apigatewayv2.UpdateRouteInput{ApiId: http, RouteId: httpRoute, RouteResponseSelectionExpression: aws.String("$default")})
	wantAPIError(t, err, 400, "BadRequestException", "routeResponseSelectionExpression is supported only for WebSocket APIs")
	_, err = e.c.UpdateRoute(e.ctx, &apigatewayv2.UpdateRouteInput{ApiId: http, RouteId: httpRoute, RouteKey: aws.String("GET pets")})
	wantAPIError(t, err, 400, "BadRequestException", "Invalid route key specified: GET pets. The path must start with /")
	// A "" that clears an unset member is fine on HTTP.
	cleared, err := e.c.UpdateRoute(e.ctx, &apigatewayv2.UpdateRouteInput{ApiId: http, RouteId: httpRoute, RouteResponseSelectionExpression: aws.String("")})
	must(t, err)
	if cleared.RouteResponseSelectionExpression != nil || aws.ToString(cleared.RouteKey) != "GET /u" {
		t.Errorf("http update clearing: %+v", cleared)
	}
	must(t, deleteRoute(e, *http, *httpRoute))

	// apiKeyRequired=false (what Terraform sends) and AWS_IAM are fine on HTTP.
	ok, err := e.c.CreateRoute(e.ctx, &apigatewayv2.CreateRouteInput{ApiId: http, RouteKey: aws.String("GET /ok"),
		ApiKeyRequired: aws.Bool(false), AuthorizationType: types.AuthorizationTypeAwsIam})
	must(t, err)
	if ok.AuthorizationType != types.AuthorizationTypeAwsIam || ok.ApiKeyRequired == nil || *ok.ApiKeyRequired {
		t.Errorf("http AWS_IAM route: %+v", ok)
	}
}

func TestE2ERouteRequestParameters(t *testing.T) {
	e := newEnv(t)
	api := aws.String(e.createWebSocketAPI(t, "ws"))
	params := map[string]types.ParameterConstraints{
		"route.request.header.Auth":   {Required: aws.Bool(true)},
		"route.request.querystring.q": {Required: aws.Bool(false)},
	}
	created, err := e.c.CreateRoute(e.ctx, &apigatewayv2.CreateRouteInput{ApiId: api, RouteKey: aws.String("$connect"), RequestParameters: params})
	must(t, err)
	checkParams := func(op string, got map[string]types.ParameterConstraints, want map[string]bool) {
		t.Helper()
		if len(got) != len(want) {
			t.Errorf("%s: requestParameters %v, want %v", op, got, want)
		}
		for k, req := range want {
			p, ok := got[k]
			if !ok || p.Required == nil || *p.Required != req {
				t.Errorf("%s: %s = %+v, want required=%v", op, k, p, req)
			}
		}
	}
	both := map[string]bool{"route.request.header.Auth": true, "route.request.querystring.q": false}
	checkParams("CreateRoute", created.RequestParameters, both)
	got, err := e.c.GetRoute(e.ctx, &apigatewayv2.GetRouteInput{ApiId: api, RouteId: created.RouteId})
	must(t, err)
	checkParams("GetRoute", got.RequestParameters, both)

	del, err := e.c.DeleteRouteRequestParameter(e.ctx, &apigatewayv2.DeleteRouteRequestParameterInput{ApiId: api, RouteId: created.RouteId,
		RequestParameterKey: aws.String("route.request.header.Auth")})
	must(t, err)
	wantStatus(t, del.ResultMetadata, 204)
	got, err = e.c.GetRoute(e.ctx, &apigatewayv2.GetRouteInput{ApiId: api, RouteId: created.RouteId})
	must(t, err)
	checkParams("GetRoute after delete", got.RequestParameters, map[string]bool{"route.request.querystring.q": false})

	_, err = e.c.DeleteRouteRequestParameter(e.ctx, &apigatewayv2.DeleteRouteRequestParameterInput{ApiId: api, RouteId: created.RouteId,
		RequestParameterKey: aws.String("route.request.header.Auth")})
	wantAPIError(t, err, 404, "NotFoundException", "Invalid request parameter key specified route.request.header.Auth")
	_, err = e.c.DeleteRouteRequestParameter(e.ctx, &apigatewayv2.DeleteRouteRequestParameterInput{ApiId: api, RouteId: aws.String("zzzzzzz"),
		RequestParameterKey: aws.String("route.request.querystring.q")})
	wantAPIError(t, err, 404, "NotFoundException", "Invalid Route identifier specified zzzzzzz")
	_, err = e.c.DeleteRouteRequestParameter(e.ctx, &apigatewayv2.DeleteRouteRequestParameterInput{ApiId: aws.String("nope123456"), RouteId: created.RouteId,
		RequestParameterKey: aws.String("route.request.querystring.q")})
	wantAPIError(t, err, 404, "NotFoundException", "Invalid API identifier specified 000000000000:nope123456")

	// UpdateRoute replaces the map; a bad key is refused there too.
	_, err = e.c.UpdateRoute(e.ctx, &apigatewayv2.UpdateRouteInput{ApiId: api, RouteId: created.RouteId,
		RequestParameters: map[string]types.ParameterConstraints{"header.X": {Required: aws.Bool(true)}}})
	wantAPIError(t, err, 400, "BadRequestException",
		"Invalid mapping expression specified: header.X. Request parameters must be route.request.header.{name} or route.request.querystring.{name}")
	up, err := e.c.UpdateRoute(e.ctx, &apigatewayv2.UpdateRouteInput{ApiId: api, RouteId: created.RouteId,
		RequestParameters: map[string]types.ParameterConstraints{"route.request.header.X-Trace": {Required: aws.Bool(true)}}})
	must(t, err)
	checkParams("UpdateRoute", up.RequestParameters, map[string]bool{"route.request.header.X-Trace": true})

	// On an HTTP API there are no request parameters to delete.
	httpAPI := aws.String(e.createHTTPAPI(t, "http"))
	httpRoute := e.createRoute(t, *httpAPI, "GET /x")
	_, err = e.c.DeleteRouteRequestParameter(e.ctx, &apigatewayv2.DeleteRouteRequestParameterInput{ApiId: httpAPI, RouteId: aws.String(httpRoute),
		RequestParameterKey: aws.String("route.request.header.X")})
	wantAPIError(t, err, 400, "BadRequestException", "Route request parameters are supported only for WebSocket APIs")
}

func TestE2ERouteOfAnotherAPI(t *testing.T) {
	e := newEnv(t)
	a := e.createWebSocketAPI(t, "a")
	b := e.createWebSocketAPI(t, "b")
	routeA := e.createRoute(t, a, "$connect")
	e.createRoute(t, b, "$connect")
	want := "Invalid Route identifier specified " + routeA
	_, err := e.c.GetRoute(e.ctx, &apigatewayv2.GetRouteInput{ApiId: aws.String(b), RouteId: aws.String(routeA)})
	wantAPIError(t, err, 404, "NotFoundException", want)
	_, err = e.c.UpdateRoute(e.ctx, &apigatewayv2.UpdateRouteInput{ApiId: aws.String(b), RouteId: aws.String(routeA), OperationName: aws.String("x")})
	wantAPIError(t, err, 404, "NotFoundException", want)
	_, err = e.c.DeleteRoute(e.ctx, &apigatewayv2.DeleteRouteInput{ApiId: aws.String(b), RouteId: aws.String(routeA)})
	wantAPIError(t, err, 404, "NotFoundException", want)
	_, err = e.c.GetRoute(e.ctx, &apigatewayv2.GetRouteInput{ApiId: aws.String(a), RouteId: aws.String("zzzzzzz")})
	wantAPIError(t, err, 404, "NotFoundException", "Invalid Route identifier specified zzzzzzz")
	_, err = e.c.GetRoute(e.ctx, &apigatewayv2.GetRouteInput{ApiId: aws.String("nope123456"), RouteId: aws.String(routeA)})
	wantAPIError(t, err, 404, "NotFoundException", "Invalid API identifier specified 000000000000:nope123456")
	_, err = e.c.GetRoutes(e.ctx, &apigatewayv2.GetRoutesInput{ApiId: aws.String("nope123456")})
	wantAPIError(t, err, 404, "NotFoundException", "Invalid API identifier specified 000000000000:nope123456")
	// The route is intact in its own API.
	got, err := e.c.GetRoute(e.ctx, &apigatewayv2.GetRouteInput{ApiId: aws.String(a), RouteId: aws.String(routeA)})
	must(t, err)
	if aws.ToString(got.OperationName) != "" || aws.ToString(got.RouteKey) != "$connect" {
		t.Errorf("route changed through another API: %+v", got)
	}
}

func TestE2EGetRoutesPagination(t *testing.T) {
	e := newEnv(t)
	apiID := e.createWebSocketAPI(t, "ws")
	api := aws.String(apiID)
	empty, err := e.c.GetRoutes(e.ctx, &apigatewayv2.GetRoutesInput{ApiId: api})
	must(t, err)
	if empty.Items == nil || len(empty.Items) != 0 || empty.NextToken != nil {
		t.Fatalf("no routes: %#v %v", empty.Items, empty.NextToken)
	}
	want := map[string]string{}
	for _, k := range []string{"$connect", "$disconnect", "$default", "a", "b"} {
		want[e.createRoute(t, apiID, k)] = k
	}
	seen := map[string]int{}
	var sizes []int
	var token *string
	for i := 0; ; i++ {
		if i > 5 {
			t.Fatal("pagination does not end")
		}
		out, err := e.c.GetRoutes(e.ctx, &apigatewayv2.GetRoutesInput{ApiId: api, MaxResults: aws.String("2"), NextToken: token})
		must(t, err)
		sizes = append(sizes, len(out.Items))
		for _, r := range out.Items {
			seen[aws.ToString(r.RouteId)]++
			if want[aws.ToString(r.RouteId)] != aws.ToString(r.RouteKey) {
				t.Errorf("item %+v", r)
			}
		}
		if token = out.NextToken; token == nil {
			break
		}
	}
	if len(sizes) != 3 || sizes[2] != 1 || len(seen) != 5 {
		t.Errorf("page sizes %v, distinct routes %d", sizes, len(seen))
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("route %s seen %d times", id, n)
		}
	}
	_, err = e.c.GetRoutes(e.ctx, &apigatewayv2.GetRoutesInput{ApiId: api, MaxResults: aws.String("0")})
	wantAPIError(t, err, 400, "BadRequestException", `Invalid maxResults specified: "0". It must be a positive integer.`)
	_, err = e.c.GetRoutes(e.ctx, &apigatewayv2.GetRoutesInput{ApiId: api, NextToken: aws.String("%%%")})
	wantAPIError(t, err, 400, "BadRequestException", "Invalid nextToken specified")
}

func TestE2EDeleteRoute(t *testing.T) {
	e := newEnv(t)
	apiID := e.createWebSocketAPI(t, "ws")
	api := aws.String(apiID)
	routeID := e.createRoute(t, apiID, "sendMessage")
	keep := e.createRoute(t, apiID, "$connect")
	rrID := e.createRouteResponse(t, apiID, routeID)
	keepRR := e.createRouteResponse(t, apiID, keep)

	out, err := e.c.DeleteRoute(e.ctx, &apigatewayv2.DeleteRouteInput{ApiId: api, RouteId: aws.String(routeID)})
	must(t, err)
	wantStatus(t, out.ResultMetadata, 204)

	gone := "Invalid Route identifier specified " + routeID
	_, err = e.c.GetRoute(e.ctx, &apigatewayv2.GetRouteInput{ApiId: api, RouteId: aws.String(routeID)})
	wantAPIError(t, err, 404, "NotFoundException", gone)
	_, err = e.c.DeleteRoute(e.ctx, &apigatewayv2.DeleteRouteInput{ApiId: api, RouteId: aws.String(routeID)})
	wantAPIError(t, err, 404, "NotFoundException", gone)
	// Its route response went with it: the route is gone, so 404.
	_, err = e.c.GetRouteResponse(e.ctx, &apigatewayv2.GetRouteResponseInput{ApiId: api, RouteId: aws.String(routeID), RouteResponseId: aws.String(rrID)})
	wantAPIError(t, err, 404, "NotFoundException", gone)
	_, err = e.c.GetRouteResponses(e.ctx, &apigatewayv2.GetRouteResponsesInput{ApiId: api, RouteId: aws.String(routeID)})
	wantAPIError(t, err, 404, "NotFoundException", gone)
	// ... and is not reachable through another route either.
	_, err = e.c.GetRouteResponse(e.ctx, &apigatewayv2.GetRouteResponseInput{ApiId: api, RouteId: aws.String(keep), RouteResponseId: aws.String(rrID)})
	wantAPIError(t, err, 404, "NotFoundException", "Invalid RouteResponse identifier specified "+rrID)

	// The key is free again, and the new route starts without responses.
	again := e.createRoute(t, apiID, "sendMessage")
	list, err := e.c.GetRouteResponses(e.ctx, &apigatewayv2.GetRouteResponsesInput{ApiId: api, RouteId: aws.String(again)})
	must(t, err)
	if list.Items == nil || len(list.Items) != 0 {
		t.Errorf("recreated route has responses: %#v", list.Items)
	}
	// The other route and its response are untouched.
	got, err := e.c.GetRouteResponse(e.ctx, &apigatewayv2.GetRouteResponseInput{ApiId: api, RouteId: aws.String(keep), RouteResponseId: aws.String(keepRR)})
	must(t, err)
	if aws.ToString(got.RouteResponseKey) != "$default" {
		t.Errorf("kept route response: %+v", got)
	}
	routes, err := e.c.GetRoutes(e.ctx, &apigatewayv2.GetRoutesInput{ApiId: api})
	must(t, err)
	if len(routes.Items) != 2 {
		t.Errorf("routes after delete and recreate: %+v", routes.Items)
	}
}

// TestE2EConcurrentRouteCreate: 20 clients create the same route key at
// once; exactly one wins, the others get 409.
func TestE2EConcurrentRouteCreate(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct{ api, key string }{
		{e.createWebSocketAPI(t, "ws"), "sendMessage"},
		{e.createHTTPAPI(t, "http"), "GET /pets"},
	} {
		const n = 20
		var wg sync.WaitGroup
		errs := make([]error, n)
		ids := make([]string, n)
		for i := range n {
			wg.Go(func() {
				out, err := e.c.CreateRoute(e.ctx, &apigatewayv2.CreateRouteInput{ApiId: aws.String(tc.api), RouteKey: aws.String(tc.key)})
				errs[i] = err
				if err == nil {
					ids[i] = *out.RouteId
				}
			})
		}
		wg.Wait()
		var winner string
		wins := 0
		for i, err := range errs {
			if err == nil {
				wins++
				winner = ids[i]
				continue
			}
			wantAPIError(t, err, 409, "ConflictException", "Route with key "+tc.key+" already exists for this API")
		}
		if wins != 1 {
			t.Fatalf("%s: %d creates succeeded, want 1", tc.key, wins)
		}
		list, err := e.c.GetRoutes(e.ctx, &apigatewayv2.GetRoutesInput{ApiId: aws.String(tc.api)})
		must(t, err)
		if len(list.Items) != 1 || aws.ToString(list.Items[0].RouteId) != winner {
			t.Errorf("%s: routes after the race: %+v", tc.key, list.Items)
		}
	}
}

func deleteRoute(e *env, apiID, routeID string) error {
	_, err := e.c.DeleteRoute(e.ctx, &apigatewayv2.DeleteRouteInput{ApiId: aws.String(apiID), RouteId: aws.String(routeID)})
	return err
}

// TestSelectionExpressionsParsedWhenSaved: a route selection or model
// selection expression that cannot be evaluated is refused when saved.
func TestSelectionExpressionsParsedWhenSaved(t *testing.T) {
	e := newEnv(t)
	_, err := e.c.CreateApi(e.ctx, &apigatewayv2.CreateApiInput{Name: aws.String("ws"), ProtocolType: types.ProtocolTypeWebsocket,
		RouteSelectionExpression: aws.String("${request.body.action")})
	wantAPIError(t, err, 400, "BadRequestException", "Invalid routeSelectionExpression specified: ${request.body.action (at character 1: unclosed ${)")
	apiID := e.createWebSocketAPI(t, "ws")
	_, err = e.c.CreateRoute(e.ctx, &apigatewayv2.CreateRouteInput{ApiId: &apiID, RouteKey: aws.String("send"),
		ModelSelectionExpression: aws.String("${nope}")})
	wantAPIError(t, err, 400, "BadRequestException", `Invalid modelSelectionExpression specified: ${nope} (at character 1: invalid variable "nope")`)
}
