package apigw_test

import (
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"

	"github.com/portico-dev/portico/internal/apigw"
	"github.com/portico-dev/portico/internal/awsproto"
	"github.com/portico-dev/portico/internal/store/sqlite"
)

// The quota errors. AWS answers ConflictException with status 429 for
// the per-API quotas: [V] for authorizers (anomalyco/ion #557) and for
// integrations (text and 429 in a CloudFormation failure quoted in a public
// repository, "Service: ApiGatewayV2, Status Code: 429"); routes and stages
// follow their form [I]; APIs take the REST API's text [V for REST APIs],
// domain names the same form [I].
const (
	tooManyRoutesMsg       = "Maximum number of Routes for this API has been reached. Please contact AWS if you need additional Routes."
	tooManyIntegrationsMsg = "Maximum number of Integrations for this API has been reached. Please contact AWS if you need additional Integrations."
	tooManyStagesMsg       = "Maximum number of Stages for this API has been reached. Please contact AWS if you need additional Stages."
	tooManyAuthorizersMsg  = "Maximum number of Authorizers for this API has been reached. Please contact AWS if you need additional Authorizers."
	tooManyAPIsMsg         = "Maximum number of APIs has been reached. Please contact AWS if you need additional APIs."
	tooManyDomainNamesMsg  = "Maximum number of DomainNames has been reached. Please contact AWS if you need additional DomainNames."
)

// quotaEnv is a control plane with its own quotas, on a real listener and a
// real SQLite file (server.Config has no quota setting for the tests to
// use; the lead's --no-quotas switch will set apigw.Config.Quotas).
func quotaEnv(t *testing.T, q *apigw.Quotas) *env {
	t.Helper()
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "portico.db"))
	must(t, err)
	t.Cleanup(func() { st.Close() })
	h := awsproto.NewHandler(apigw.Operations(apigw.New(st, apigw.Config{Quotas: q})),
		awsproto.Identity{Account: "000000000000", Region: "us-east-1"}, nil)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &env{c: newClient(srv.URL, srv.Client()), ctx: t.Context()}
}

func createDomain(e *env, name string) error {
	_, err := e.c.CreateDomainName(e.ctx, &apigatewayv2.CreateDomainNameInput{DomainName: aws.String(name),
		DomainNameConfigurations: []types.DomainNameConfiguration{{CertificateArn: aws.String("arn:aws:acm:us-east-1:123456789012:certificate/x")}}})
	return err
}

func createJWTAuthorizer(e *env, apiID, name string) error {
	_, err := e.c.CreateAuthorizer(e.ctx, &apigatewayv2.CreateAuthorizerInput{ApiId: &apiID, Name: aws.String(name), AuthorizerType: types.AuthorizerTypeJwt,
		IdentitySource:   []string{"$request.header.Authorization"},
		JwtConfiguration: &types.JWTConfiguration{Audience: []string{"a"}, Issuer: aws.String("https://issuer.example.com")}})
	return err
}

// TestQuotasEachKind: with small quotas, the create past each one is
// refused with its error and creates nothing; a delete makes room again.
func TestQuotasEachKind(t *testing.T) {
	e := quotaEnv(t, &apigw.Quotas{RoutesPerAPI: 2, IntegrationsPerAPI: 1, StagesPerAPI: 1, AuthorizersPerAPI: 1, APIs: 2, DomainNames: 1})
	api := e.createHTTPAPI(t, "a")
	e.createHTTPAPI(t, "b")
	_, err := e.c.CreateApi(e.ctx, &apigatewayv2.CreateApiInput{Name: aws.String("c"), ProtocolType: types.ProtocolTypeHttp})
	wantAPIError(t, err, 429, "ConflictException", tooManyAPIsMsg)
	// Quick create counts as one API too.
	_, err = e.c.CreateApi(e.ctx, &apigatewayv2.CreateApiInput{Name: aws.String("c"), ProtocolType: types.ProtocolTypeHttp, Target: aws.String("https://example.com")})
	wantAPIError(t, err, 429, "ConflictException", tooManyAPIsMsg)

	e.createRoute(t, api, "GET /a")
	e.createRoute(t, api, "GET /b")
	_, err = e.c.CreateRoute(e.ctx, &apigatewayv2.CreateRouteInput{ApiId: &api, RouteKey: aws.String("GET /c")})
	wantAPIError(t, err, 429, "ConflictException", tooManyRoutesMsg)

	in := &apigatewayv2.CreateIntegrationInput{ApiId: &api, IntegrationType: types.IntegrationTypeHttpProxy, IntegrationMethod: aws.String("ANY"),
		IntegrationUri: aws.String("https://example.com"), PayloadFormatVersion: aws.String("1.0")}
	_, err = e.c.CreateIntegration(e.ctx, in)
	must(t, err)
	_, err = e.c.CreateIntegration(e.ctx, in)
	wantAPIError(t, err, 429, "ConflictException", tooManyIntegrationsMsg)

	_, err = e.c.CreateStage(e.ctx, &apigatewayv2.CreateStageInput{ApiId: &api, StageName: aws.String("one")})
	must(t, err)
	_, err = e.c.CreateStage(e.ctx, &apigatewayv2.CreateStageInput{ApiId: &api, StageName: aws.String("two")})
	wantAPIError(t, err, 429, "ConflictException", tooManyStagesMsg)

	must(t, createJWTAuthorizer(e, api, "one"))
	wantAPIError(t, createJWTAuthorizer(e, api, "two"), 429, "ConflictException", tooManyAuthorizersMsg)

	must(t, createDomain(e, "a.example.com"))
	wantAPIError(t, createDomain(e, "b.example.com"), 429, "ConflictException", tooManyDomainNamesMsg)

	// Nothing refused was created.
	routes, err := e.c.GetRoutes(e.ctx, &apigatewayv2.GetRoutesInput{ApiId: &api})
	must(t, err)
	apis, err := e.c.GetApis(e.ctx, &apigatewayv2.GetApisInput{})
	must(t, err)
	if len(routes.Items) != 2 || len(apis.Items) != 2 {
		t.Errorf("%d routes, %d APIs after refused creates", len(routes.Items), len(apis.Items))
	}
	// A delete makes room.
	_, err = e.c.DeleteRoute(e.ctx, &apigatewayv2.DeleteRouteInput{ApiId: &api, RouteId: routes.Items[0].RouteId})
	must(t, err)
	e.createRoute(t, api, "GET /c")
	_, err = e.c.DeleteApi(e.ctx, &apigatewayv2.DeleteApiInput{ApiId: apis.Items[1].ApiId})
	must(t, err)
	e.createHTTPAPI(t, "c")
}

// TestQuotasOff: Quotas{} limits nothing (what a --no-quotas switch sets):
// more stages and authorizers than AWS's 10.
func TestQuotasOff(t *testing.T) {
	e := quotaEnv(t, &apigw.Quotas{})
	api := e.createHTTPAPI(t, "a")
	for i := range 12 {
		_, err := e.c.CreateStage(e.ctx, &apigatewayv2.CreateStageInput{ApiId: &api, StageName: aws.String(fmt.Sprint("s", i))})
		must(t, err)
		must(t, createJWTAuthorizer(e, api, fmt.Sprint("a", i)))
	}
}

// TestQuotaDefaults: without Quotas, AWS's defaults apply (developer
// guide quota tables; docs/aws-behaviours.md#quotas): 10 stages per API.
func TestQuotaDefaults(t *testing.T) {
	if got, want := apigw.DefaultQuotas(), (apigw.Quotas{RoutesPerAPI: 300, IntegrationsPerAPI: 300, StagesPerAPI: 10,
		AuthorizersPerAPI: 10, APIs: 600, DomainNames: 120}); got != want {
		t.Errorf("DefaultQuotas() = %+v, want %+v", got, want)
	}
	e := newEnv(t)
	api := e.createWebSocketAPI(t, "w")
	for i := range 10 {
		_, err := e.c.CreateStage(e.ctx, &apigatewayv2.CreateStageInput{ApiId: &api, StageName: aws.String(fmt.Sprint("s", i))})
		must(t, err)
	}
	_, err := e.c.CreateStage(e.ctx, &apigatewayv2.CreateStageInput{ApiId: &api, StageName: aws.String("s10")})
	wantAPIError(t, err, 429, "ConflictException", tooManyStagesMsg)
}

// TestRouteQuotaConcurrent: concurrent CreateRoute calls at AWS's limit of
// 300 routes cannot overshoot it: the count and the insert are one
// transaction. Exactly the free places are taken, the others are refused.
func TestRouteQuotaConcurrent(t *testing.T) {
	e := newEnv(t)
	api := e.createHTTPAPI(t, "h")
	const free, callers = 3, 12
	for i := range 300 - free {
		e.createRoute(t, api, fmt.Sprintf("GET /r%d", i))
	}
	var wg sync.WaitGroup
	errs := make([]error, callers)
	for i := range callers {
		wg.Go(func() {
			_, errs[i] = e.c.CreateRoute(e.ctx, &apigatewayv2.CreateRouteInput{ApiId: &api, RouteKey: aws.String(fmt.Sprintf("POST /c%d", i))})
		})
	}
	wg.Wait()
	created := 0
	for _, err := range errs {
		if err == nil {
			created++
			continue
		}
		wantAPIError(t, err, 429, "ConflictException", tooManyRoutesMsg)
	}
	if created != free {
		t.Errorf("%d concurrent creates succeeded, want %d", created, free)
	}
	routes, err := e.c.GetRoutes(e.ctx, &apigatewayv2.GetRoutesInput{ApiId: &api})
	must(t, err)
	if total := len(routes.Items); total != 300 || routes.NextToken != nil {
		t.Errorf("%d routes, want 300", total)
	}
}
