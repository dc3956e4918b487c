package server_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"
	"github.com/aws/smithy-go"

	"github.com/portico-dev/portico/server"
)

// sdkClient is the real SDK client on srv, with retries off so a test sees
// the first answer.
func sdkClient(srv *server.Server) *apigatewayv2.Client {
	return apigatewayv2.New(apigatewayv2.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""),
	})
}

// fixture is one WebSocket API with one of every child resource.
type fixture struct {
	api, route, routeResponse, integration, integrationResponse, model, authorizer, deployment string
}

func newFixture(t *testing.T, c *apigatewayv2.Client) fixture {
	t.Helper()
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	var f fixture
	api, err := c.CreateApi(ctx, &apigatewayv2.CreateApiInput{Name: aws.String("paths"), ProtocolType: types.ProtocolTypeWebsocket,
		RouteSelectionExpression: aws.String("$request.body.action")})
	must(err)
	f.api = *api.ApiId
	in, err := c.CreateIntegration(ctx, &apigatewayv2.CreateIntegrationInput{ApiId: &f.api, IntegrationType: types.IntegrationTypeMock})
	must(err)
	f.integration = *in.IntegrationId
	ir, err := c.CreateIntegrationResponse(ctx, &apigatewayv2.CreateIntegrationResponseInput{ApiId: &f.api,
		IntegrationId: &f.integration, IntegrationResponseKey: aws.String("$default")})
	must(err)
	f.integrationResponse = *ir.IntegrationResponseId
	rt, err := c.CreateRoute(ctx, &apigatewayv2.CreateRouteInput{ApiId: &f.api, RouteKey: aws.String("$default"),
		Target: aws.String("integrations/" + f.integration)})
	must(err)
	f.route = *rt.RouteId
	rr, err := c.CreateRouteResponse(ctx, &apigatewayv2.CreateRouteResponseInput{ApiId: &f.api, RouteId: &f.route,
		RouteResponseKey: aws.String("$default")})
	must(err)
	f.routeResponse = *rr.RouteResponseId
	m, err := c.CreateModel(ctx, &apigatewayv2.CreateModelInput{ApiId: &f.api, Name: aws.String("M"),
		Schema: aws.String(`{"type":"object"}`), ContentType: aws.String("application/json")})
	must(err)
	f.model = *m.ModelId
	au, err := c.CreateAuthorizer(ctx, &apigatewayv2.CreateAuthorizerInput{ApiId: &f.api, Name: aws.String("A"),
		AuthorizerType: types.AuthorizerTypeRequest, IdentitySource: []string{"route.request.header.Auth"},
		AuthorizerUri: aws.String("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:f/invocations")})
	must(err)
	f.authorizer = *au.AuthorizerId
	_, err = c.CreateStage(ctx, &apigatewayv2.CreateStageInput{ApiId: &f.api, StageName: aws.String("dev")})
	must(err)
	d, err := c.CreateDeployment(ctx, &apigatewayv2.CreateDeploymentInput{ApiId: &f.api, StageName: aws.String("dev")})
	must(err)
	f.deployment = *d.DeploymentId
	return f
}

// state is every id the fixture's API holds, as one comparable string.
func (f fixture) state(t *testing.T, srv *server.Server) string {
	t.Helper()
	var parts []string
	for _, p := range []string{"", "/routes", "/integrations", "/models", "/authorizers", "/stages", "/deployments",
		"/routes/" + f.route + "/routeresponses", "/integrations/" + f.integration + "/integrationresponses"} {
		resp, body := do(t, "GET", srv.URL+"/v2/apis/"+f.api+p, "")
		parts = append(parts, p+" "+resp.Status+" "+idsIn(body))
	}
	return strings.Join(parts, "\n")
}

var idMember = regexp.MustCompile(`"(apiId|routeId|routeResponseId|integrationId|integrationResponseId|modelId|authorizerId|stageName|deploymentId)":"([^"]*)"`)

func idsIn(body string) string {
	var ids []string
	for _, m := range idMember.FindAllStringSubmatch(body, -1) {
		ids = append(ids, m[1]+"="+m[2])
	}
	sort.Strings(ids)
	return strings.Join(ids, ",")
}

// TestDotSegmentIdentifiers is the defect where DeleteRoute(RouteId: "..")
// deleted the whole API: Go's ServeMux answered the dot segment with a 307
// to the cleaned path /v2/apis/{apiId}, and the SDK followed it with the
// same method. An identifier is an identifier, never a path to resolve.
func TestDotSegmentIdentifiers(t *testing.T) {
	srv := start(t, server.Config{InMemory: true})
	c := sdkClient(srv)
	ctx := context.Background()
	f := newFixture(t, c)
	before := f.state(t, srv)
	for _, id := range []string{"..", "."} {
		calls := map[string]func() error{
			"DeleteRoute": func() error {
				_, err := c.DeleteRoute(ctx, &apigatewayv2.DeleteRouteInput{ApiId: &f.api, RouteId: aws.String(id)})
				return err
			},
			"DeleteStage": func() error {
				_, err := c.DeleteStage(ctx, &apigatewayv2.DeleteStageInput{ApiId: &f.api, StageName: aws.String(id)})
				return err
			},
			"DeleteIntegration": func() error {
				_, err := c.DeleteIntegration(ctx, &apigatewayv2.DeleteIntegrationInput{ApiId: &f.api, IntegrationId: aws.String(id)})
				return err
			},
			"DeleteRouteResponse": func() error {
				_, err := c.DeleteRouteResponse(ctx, &apigatewayv2.DeleteRouteResponseInput{ApiId: &f.api, RouteId: &f.route,
					RouteResponseId: aws.String(id)})
				return err
			},
			"DeleteIntegrationResponse": func() error {
				_, err := c.DeleteIntegrationResponse(ctx, &apigatewayv2.DeleteIntegrationResponseInput{ApiId: &f.api,
					IntegrationId: &f.integration, IntegrationResponseId: aws.String(id)})
				return err
			},
			"DeleteModel": func() error {
				_, err := c.DeleteModel(ctx, &apigatewayv2.DeleteModelInput{ApiId: &f.api, ModelId: aws.String(id)})
				return err
			},
			"DeleteAuthorizer": func() error {
				_, err := c.DeleteAuthorizer(ctx, &apigatewayv2.DeleteAuthorizerInput{ApiId: &f.api, AuthorizerId: aws.String(id)})
				return err
			},
			"DeleteDeployment": func() error {
				_, err := c.DeleteDeployment(ctx, &apigatewayv2.DeleteDeploymentInput{ApiId: &f.api, DeploymentId: aws.String(id)})
				return err
			},
			"UpdateRoute": func() error {
				_, err := c.UpdateRoute(ctx, &apigatewayv2.UpdateRouteInput{ApiId: &f.api, RouteId: aws.String(id),
					RouteKey: aws.String("changed")})
				return err
			},
			"UpdateStage": func() error {
				_, err := c.UpdateStage(ctx, &apigatewayv2.UpdateStageInput{ApiId: &f.api, StageName: aws.String(id),
					Description: aws.String("changed")})
				return err
			},
			"UpdateRouteResponse": func() error {
				_, err := c.UpdateRouteResponse(ctx, &apigatewayv2.UpdateRouteResponseInput{ApiId: &f.api, RouteId: &f.route,
					RouteResponseId: aws.String(id), ModelSelectionExpression: aws.String("$request.body.x")})
				return err
			},
		}
		for name, call := range calls {
			err := call()
			var ae smithy.APIError
			if !errors.As(err, &ae) || ae.ErrorCode() != "NotFoundException" {
				t.Errorf("%s(%q): got %v, want NotFoundException", name, id, err)
			}
		}
	}
	if after := f.state(t, srv); after != before {
		t.Errorf("state changed:\nbefore:\n%s\nafter:\n%s", before, after)
	}
}

// TestPathLabelsAreNeverResolved walks every operation of the model with a
// path label and sends, in each label, the spellings a path cleaner would
// resolve: dot segments, encoded dots and slashes, an empty segment. The
// other labels name real resources. Nothing may redirect, succeed, fail
// with a 5xx, or change the API.
func TestPathLabelsAreNeverResolved(t *testing.T) {
	m := loadModel(t)
	srv := start(t, server.Config{InMemory: true})
	c := sdkClient(srv)
	f := newFixture(t, c)
	before := f.state(t, srv)
	real := map[string]string{
		"apiId": f.api, "routeId": f.route, "routeResponseId": f.routeResponse, "integrationId": f.integration,
		"integrationResponseId": f.integrationResponse, "modelId": f.model, "authorizerId": f.authorizer,
		"stageName": "dev", "deploymentId": f.deployment,
		"resource-arn": "arn:aws:apigateway:us-east-1::/apis/" + f.api,
	}
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	label := regexp.MustCompile(`\{([^}]+)\}`)
	names := make([]string, 0, len(m.Operations))
	for n := range m.Operations {
		names = append(names, n)
	}
	sort.Strings(names)
	tried := 0
	for _, name := range names {
		op := m.Operations[name]
		uri, _, _ := strings.Cut(op.HTTP.RequestURI, "?")
		labels := label.FindAllStringSubmatch(uri, -1)
		for i := range labels {
			for _, bad := range []string{"..", ".", "%2e%2e", "%2E", "%2F", "..%2F..", "%2e%2e%2f%2e%2e", ""} {
				path := uri
				for j, l := range labels {
					v := real[l[1]]
					if v == "" {
						v = "x1234567"
					}
					if j == i {
						v = bad
					} else {
						v = strings.ReplaceAll(v, "/", "%2F")
					}
					path = strings.Replace(path, l[0], v, 1)
				}
				req, _ := http.NewRequest(op.HTTP.Method, srv.URL+path, strings.NewReader("{}"))
				resp, err := noRedirect.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				tried++
				if bad == "" && op.HTTP.Method == "GET" && strings.HasSuffix(uri, labels[i][0]) {
					// GET .../collection/ is the collection where there is
					// one (TestCollectionWithTrailingSlash).
					if resp.StatusCode == 200 && strings.Contains(string(b), `"items":`) {
						continue
					}
				}
				if resp.StatusCode < 400 || resp.StatusCode >= 500 {
					t.Errorf("%s %s %s: %d %s", name, op.HTTP.Method, path, resp.StatusCode, b)
					continue
				}
				var e struct{ Message *string }
				if json.Unmarshal(b, &e) != nil || e.Message == nil || resp.Header.Get("x-amzn-ErrorType") == "" {
					t.Errorf("%s %s %s: not an AWS error: %d %q", name, op.HTTP.Method, path, resp.StatusCode, b)
				}
			}
		}
	}
	if tried < 500 {
		t.Errorf("only %d requests tried", tried)
	}
	if after := f.state(t, srv); after != before {
		t.Errorf("state changed:\nbefore:\n%s\nafter:\n%s", before, after)
	}
}

// TestCollectionWithTrailingSlash: GetApi(ApiId: "") sends GET /v2/apis/,
// which real AWS answers as GetApis (getmoto/moto #7974 and PR #7978:
// "AWS returns a 200 ... when doing a get_api with an empty string").
func TestCollectionWithTrailingSlash(t *testing.T) {
	srv := start(t, server.Config{InMemory: true})
	f := newFixture(t, sdkClient(srv))
	resp, body := do(t, "GET", srv.URL+"/v2/apis/", "")
	if resp.StatusCode != 200 || !strings.Contains(body, `"items":[{`) || !strings.Contains(body, f.api) {
		t.Errorf("GET /v2/apis/: %d %s", resp.StatusCode, body)
	}
	resp, body = do(t, "GET", srv.URL+"/v2/apis/"+f.api+"/routes/", "")
	if resp.StatusCode != 200 || !strings.Contains(body, f.route) {
		t.Errorf("GET routes/: %d %s", resp.StatusCode, body)
	}
	// Only GET is answered by the collection: DeleteApi(ApiId: "") deletes nothing.
	resp, body = do(t, "DELETE", srv.URL+"/v2/apis/", "")
	if resp.StatusCode != 404 || resp.Header.Get("x-amzn-ErrorType") != "NotFoundException" {
		t.Errorf("DELETE /v2/apis/: %d %s", resp.StatusCode, body)
	}
	if resp, _ := do(t, "GET", srv.URL+"/v2/apis/"+f.api, ""); resp.StatusCode != 200 {
		t.Errorf("the API is gone: %d", resp.StatusCode)
	}
}
