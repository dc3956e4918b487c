package apigw_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"
)

// TestQuickCreate: an HTTP API created with a target gets a managed
// integration, route and auto-deployed $default stage, as AWS's CLI
// examples show.
func TestQuickCreate(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct {
		target, typ, method, format, routeKey string
	}{
		{"arn:aws:lambda:us-east-1:123456789012:function:f", "AWS_PROXY", "POST", "2.0", "$default"},
		{"https://example.com/backend", "HTTP_PROXY", "ANY", "1.0", "GET /pets"},
	} {
		in := &apigatewayv2.CreateApiInput{Name: aws.String("quick"), ProtocolType: types.ProtocolTypeHttp, Target: aws.String(tc.target)}
		if tc.routeKey != "$default" {
			in.RouteKey = aws.String(tc.routeKey)
		}
		api, err := e.c.CreateApi(e.ctx, in)
		must(t, err)
		ints, err := e.c.GetIntegrations(e.ctx, &apigatewayv2.GetIntegrationsInput{ApiId: api.ApiId})
		must(t, err)
		if len(ints.Items) != 1 {
			t.Fatalf("%s: integrations %+v", tc.target, ints.Items)
		}
		it := ints.Items[0]
		if !aws.ToBool(it.ApiGatewayManaged) || string(it.IntegrationType) != tc.typ || aws.ToString(it.IntegrationMethod) != tc.method ||
			aws.ToString(it.PayloadFormatVersion) != tc.format || aws.ToString(it.IntegrationUri) != tc.target {
			t.Errorf("%s: integration %+v", tc.target, it)
		}
		routes, err := e.c.GetRoutes(e.ctx, &apigatewayv2.GetRoutesInput{ApiId: api.ApiId})
		must(t, err)
		if len(routes.Items) != 1 || aws.ToString(routes.Items[0].RouteKey) != tc.routeKey || !aws.ToBool(routes.Items[0].ApiGatewayManaged) ||
			aws.ToString(routes.Items[0].Target) != "integrations/"+aws.ToString(it.IntegrationId) {
			t.Errorf("%s: routes %+v", tc.target, routes.Items)
		}
		st, err := e.c.GetStage(e.ctx, &apigatewayv2.GetStageInput{ApiId: api.ApiId, StageName: aws.String("$default")})
		must(t, err)
		if !aws.ToBool(st.AutoDeploy) || !aws.ToBool(st.ApiGatewayManaged) || st.DeploymentId == nil ||
			aws.ToString(st.LastDeploymentStatusMessage) != "Successfully deployed stage with deployment ID '"+aws.ToString(st.DeploymentId)+"'" {
			t.Errorf("%s: stage %+v", tc.target, st)
		}
	}
	// A bad target leaves nothing behind: one transaction.
	before, err := e.c.GetApis(e.ctx, &apigatewayv2.GetApisInput{})
	must(t, err)
	_, err = e.c.CreateApi(e.ctx, &apigatewayv2.CreateApiInput{Name: aws.String("bad"), ProtocolType: types.ProtocolTypeHttp,
		Target: aws.String("https://example.com"), RouteKey: aws.String("GET pets")})
	if err == nil {
		t.Fatal("a bad route key was accepted")
	}
	after, err := e.c.GetApis(e.ctx, &apigatewayv2.GetApisInput{})
	must(t, err)
	if len(after.Items) != len(before.Items) {
		t.Errorf("a failed quick create left an API behind")
	}
}

// TestQuickCreateUpdate: UpdateApi's target, routeKey and credentialsArn
// change the managed integration and route of a quick-created API (the
// model's documentation of those members), and the $default stage
// redeploys as for any change.
func TestQuickCreateUpdate(t *testing.T) {
	e := newEnv(t)
	const fn1 = "arn:aws:lambda:us-east-1:123456789012:function:one"
	api, err := e.c.CreateApi(e.ctx, &apigatewayv2.CreateApiInput{Name: aws.String("quick"), ProtocolType: types.ProtocolTypeHttp,
		Target: aws.String(fn1), CredentialsArn: aws.String("arn:aws:iam::123456789012:role/first")})
	must(t, err)
	id := api.ApiId
	managed := func() (types.Integration, types.Route, string) {
		t.Helper()
		ints, err := e.c.GetIntegrations(e.ctx, &apigatewayv2.GetIntegrationsInput{ApiId: id})
		must(t, err)
		routes, err := e.c.GetRoutes(e.ctx, &apigatewayv2.GetRoutesInput{ApiId: id})
		must(t, err)
		st, err := e.c.GetStage(e.ctx, &apigatewayv2.GetStageInput{ApiId: id, StageName: aws.String("$default")})
		must(t, err)
		if len(ints.Items) != 1 {
			t.Fatalf("integrations %+v", ints.Items)
		}
		for _, r := range routes.Items {
			if aws.ToBool(r.ApiGatewayManaged) {
				return ints.Items[0], r, aws.ToString(st.DeploymentId)
			}
		}
		t.Fatalf("no managed route in %+v", routes.Items)
		return types.Integration{}, types.Route{}, ""
	}
	wantIntegration := func(what string, it types.Integration, typ, method, format, uri, creds string) {
		t.Helper()
		if string(it.IntegrationType) != typ || aws.ToString(it.IntegrationMethod) != method || aws.ToString(it.PayloadFormatVersion) != format ||
			aws.ToString(it.IntegrationUri) != uri || aws.ToString(it.CredentialsArn) != creds || !aws.ToBool(it.ApiGatewayManaged) {
			t.Errorf("%s: integration %+v", what, it)
		}
	}
	it0, route0, deployment := managed()
	update := func(what string, in apigatewayv2.UpdateApiInput) (types.Integration, types.Route) {
		t.Helper()
		in.ApiId = id
		out, err := e.c.UpdateApi(e.ctx, &in)
		must(t, err)
		wantStatus(t, out.ResultMetadata, 201)
		it, route, d := managed()
		if d == deployment {
			t.Errorf("%s did not redeploy the $default stage", what)
		}
		deployment = d
		if aws.ToString(it.IntegrationId) != aws.ToString(it0.IntegrationId) || aws.ToString(route.RouteId) != aws.ToString(route0.RouteId) ||
			aws.ToString(route.Target) != "integrations/"+aws.ToString(it0.IntegrationId) || !aws.ToBool(route.ApiGatewayManaged) {
			t.Errorf("%s replaced the managed resources: %+v %+v", what, it, route)
		}
		return it, route
	}

	// Another Lambda function: only the URI changes.
	const fn2 = "arn:aws:lambda:us-east-1:123456789012:function:two"
	it, _ := update("a new function", apigatewayv2.UpdateApiInput{Target: aws.String(fn2)})
	wantIntegration("a new function", it, "AWS_PROXY", "POST", "2.0", fn2, "arn:aws:iam::123456789012:role/first")
	// A URL: the integration becomes what quick create makes of a URL.
	it, _ = update("a URL", apigatewayv2.UpdateApiInput{Target: aws.String("https://example.com/backend")})
	wantIntegration("a URL", it, "HTTP_PROXY", "ANY", "1.0", "https://example.com/backend", "arn:aws:iam::123456789012:role/first")
	// And back, with new credentials and another API member at once.
	it, _ = update("back to Lambda", apigatewayv2.UpdateApiInput{Target: aws.String(fn1), CredentialsArn: aws.String("arn:aws:iam::123456789012:role/second"),
		Description: aws.String("d")})
	wantIntegration("back to Lambda", it, "AWS_PROXY", "POST", "2.0", fn1, "arn:aws:iam::123456789012:role/second")
	// The route key of the managed route.
	_, route := update("a route key", apigatewayv2.UpdateApiInput{RouteKey: aws.String("GET /pets")})
	if aws.ToString(route.RouteKey) != "GET /pets" {
		t.Errorf("route key %q, want GET /pets", aws.ToString(route.RouteKey))
	}
	// "" removes the credentials [I].
	it, _ = update("no credentials", apigatewayv2.UpdateApiInput{CredentialsArn: aws.String("")})
	wantIntegration("no credentials", it, "AWS_PROXY", "POST", "2.0", fn1, "")

	// Refusals change nothing (one transaction).
	e.createRoute(t, *id, "POST /orders")
	_, _, deployment = managed()
	for _, c := range []struct {
		name          string
		in            apigatewayv2.UpdateApiInput
		status        int
		code, message string
	}{
		{"target removed [I]", apigatewayv2.UpdateApiInput{Target: aws.String("")}, 400, "BadRequestException",
			"A quick-created target can be updated but not removed from an API"},
		{"bad target", apigatewayv2.UpdateApiInput{Target: aws.String("ftp://example.com"), Name: aws.String("renamed")}, 400, "BadRequestException",
			"Invalid integration URI specified: ftp://example.com. The URI of a HTTP_PROXY integration must be an absolute http:// or https:// URL"},
		{"empty route key", apigatewayv2.UpdateApiInput{RouteKey: aws.String("")}, 400, "BadRequestException", "Route key is required"},
		{"bad route key", apigatewayv2.UpdateApiInput{RouteKey: aws.String("GET pets")}, 400, "BadRequestException",
			"Invalid route key specified: GET pets. The path must start with /"},
		{"route key taken", apigatewayv2.UpdateApiInput{RouteKey: aws.String("POST /orders"), Target: aws.String(fn2)}, 409, "ConflictException",
			"Route with key POST /orders already exists for this API"},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.in.ApiId = id
			_, err := e.c.UpdateApi(e.ctx, &c.in)
			wantAPIError(t, err, c.status, c.code, c.message)
		})
	}
	got, err := e.c.GetApi(e.ctx, &apigatewayv2.GetApiInput{ApiId: id})
	must(t, err)
	it, route, d := managed()
	if aws.ToString(got.Name) != "quick" || aws.ToString(it.IntegrationUri) != fn1 || aws.ToString(route.RouteKey) != "GET /pets" || d != deployment {
		t.Errorf("refused updates changed the API: %+v %+v %+v %s", got, it, route, d)
	}

	// Only a quick-created HTTP API has these to update.
	plain := e.createHTTPAPI(t, "plain")
	_, err = e.c.UpdateApi(e.ctx, &apigatewayv2.UpdateApiInput{ApiId: &plain, RouteKey: aws.String("GET /x")})
	wantAPIError(t, err, 400, "BadRequestException",
		"target, routeKey and credentialsArn can be updated only on an API created with quick create (CreateApi with a target)")
	ws := e.createWebSocketAPI(t, "ws")
	_, err = e.c.UpdateApi(e.ctx, &apigatewayv2.UpdateApiInput{ApiId: &ws, Target: aws.String(fn1)})
	wantAPIError(t, err, 400, "BadRequestException", "Quick create (target) is supported only for HTTP APIs")
}
