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
