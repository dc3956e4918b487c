package apigw_test

// ImportApi, ReimportApi and ExportApi over the real SDK client. The
// definitions are in testdata/openapi. Where Portico had to guess what AWS
// does, the test says [I] next to the expectation.

import (
	"context"
	"encoding/json"
	"os"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"
	"github.com/getkin/kin-openapi/openapi3"
)

func readDefinition(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/openapi/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// definition is an API's configuration without its ids: what a round trip
// must keep.
type definition struct {
	Name, Version, Description string
	DisableExecuteAPIEndpoint  bool
	Cors                       *types.Cors
	Routes                     map[string]routeDef
	Authorizers                map[string]authorizerDef
	Integrations               int
}

type routeDef struct {
	AuthorizationType string
	Authorizer        string
	Scopes            []string
	OperationName     string
	Integration       *integrationDef
}

type integrationDef struct {
	Type, Method, URI, Format, ConnectionType, ServerName string
	Timeout                                               int32
	RequestParameters                                     map[string]string
	ResponseParameters                                    map[string]map[string]string
}

type authorizerDef struct {
	Type, URI, PayloadFormat, Issuer string
	IdentitySource, Audience         []string
	TTL                              int32
	Simple                           bool
}

func (e *env) definitionOf(t *testing.T, apiID string) definition {
	t.Helper()
	api, err := e.c.GetApi(e.ctx, &apigatewayv2.GetApiInput{ApiId: aws.String(apiID)})
	must(t, err)
	d := definition{
		Name: aws.ToString(api.Name), Version: aws.ToString(api.Version), Description: aws.ToString(api.Description),
		DisableExecuteAPIEndpoint: aws.ToBool(api.DisableExecuteApiEndpoint), Cors: api.CorsConfiguration,
		Routes: map[string]routeDef{}, Authorizers: map[string]authorizerDef{},
	}
	auths, err := e.c.GetAuthorizers(e.ctx, &apigatewayv2.GetAuthorizersInput{ApiId: aws.String(apiID)})
	must(t, err)
	names := map[string]string{}
	for _, a := range auths.Items {
		names[aws.ToString(a.AuthorizerId)] = aws.ToString(a.Name)
		ad := authorizerDef{Type: string(a.AuthorizerType), URI: aws.ToString(a.AuthorizerUri),
			PayloadFormat: aws.ToString(a.AuthorizerPayloadFormatVersion), IdentitySource: a.IdentitySource,
			TTL: aws.ToInt32(a.AuthorizerResultTtlInSeconds), Simple: aws.ToBool(a.EnableSimpleResponses)}
		if a.JwtConfiguration != nil {
			ad.Issuer, ad.Audience = aws.ToString(a.JwtConfiguration.Issuer), a.JwtConfiguration.Audience
		}
		d.Authorizers[aws.ToString(a.Name)] = ad
	}
	ints, err := e.c.GetIntegrations(e.ctx, &apigatewayv2.GetIntegrationsInput{ApiId: aws.String(apiID)})
	must(t, err)
	d.Integrations = len(ints.Items)
	byID := map[string]*integrationDef{}
	for _, it := range ints.Items {
		id := &integrationDef{Type: string(it.IntegrationType), Method: aws.ToString(it.IntegrationMethod),
			URI: aws.ToString(it.IntegrationUri), Format: aws.ToString(it.PayloadFormatVersion),
			ConnectionType: string(it.ConnectionType), Timeout: aws.ToInt32(it.TimeoutInMillis),
			RequestParameters: it.RequestParameters, ResponseParameters: it.ResponseParameters}
		if it.TlsConfig != nil {
			id.ServerName = aws.ToString(it.TlsConfig.ServerNameToVerify)
		}
		byID[aws.ToString(it.IntegrationId)] = id
	}
	routes, err := e.c.GetRoutes(e.ctx, &apigatewayv2.GetRoutesInput{ApiId: aws.String(apiID)})
	must(t, err)
	for _, r := range routes.Items {
		// An imported route's empty scopes and a created route's absent
		// ones are the same configuration (TestOpenAPIImportedRouteShape
		// tells them apart).
		rd := routeDef{AuthorizationType: string(r.AuthorizationType), Authorizer: names[aws.ToString(r.AuthorizerId)],
			OperationName: aws.ToString(r.OperationName)}
		if len(r.AuthorizationScopes) > 0 {
			rd.Scopes = r.AuthorizationScopes
		}
		if id, ok := strings.CutPrefix(aws.ToString(r.Target), "integrations/"); ok {
			rd.Integration = byID[id]
		}
		d.Routes[aws.ToString(r.RouteKey)] = rd
	}
	return d
}

func (e *env) importDefinition(t *testing.T, body string) *apigatewayv2.ImportApiOutput {
	t.Helper()
	out, err := e.c.ImportApi(e.ctx, &apigatewayv2.ImportApiInput{Body: aws.String(body)})
	must(t, err)
	wantStatus(t, out.ResultMetadata, 201)
	return out
}

func (e *env) export(t *testing.T, apiID, outputType string, opts ...func(*apigatewayv2.ExportApiInput)) string {
	t.Helper()
	in := &apigatewayv2.ExportApiInput{ApiId: aws.String(apiID), Specification: aws.String("OAS30"), OutputType: aws.String(outputType)}
	for _, o := range opts {
		o(in)
	}
	out, err := e.c.ExportApi(e.ctx, in)
	must(t, err)
	wantStatus(t, out.ResultMetadata, 200)
	return string(out.Body)
}

// wantPetStore checks the API that testdata/openapi/petstore.* defines.
func wantPetStore(t *testing.T, d definition) {
	t.Helper()
	if d.Name != "Pet Store" || d.Version != "1.0.0" || d.Description != "A pet store behind a Lambda function and an HTTP backend." {
		t.Errorf("API fields: %q %q %q", d.Name, d.Version, d.Description)
	}
	wantCors := &types.Cors{AllowOrigins: []string{"https://app.example.com"}, AllowMethods: []string{"GET", "POST", "DELETE"},
		AllowHeaders: []string{"authorization", "content-type"}, ExposeHeaders: []string{"x-request-id"},
		MaxAge: aws.Int32(300), AllowCredentials: aws.Bool(true)}
	if !reflect.DeepEqual(d.Cors, wantCors) {
		t.Errorf("cors %+v", d.Cors)
	}
	lambda := "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:pets/invocations"
	want := map[string]routeDef{
		"GET /pets": {AuthorizationType: "NONE", OperationName: "ListPets", Integration: &integrationDef{
			Type: "AWS_PROXY", Method: "POST", URI: lambda, Format: "2.0", ConnectionType: "INTERNET", Timeout: 30000}},
		"POST /pets": {AuthorizationType: "JWT", Authorizer: "cognito-jwt", Scopes: []string{"pets/write"}, OperationName: "CreatePet",
			Integration: &integrationDef{Type: "AWS_PROXY", Method: "POST", URI: lambda, Format: "2.0", ConnectionType: "INTERNET", Timeout: 10000}},
		"GET /pets/{petId}": {AuthorizationType: "JWT", Authorizer: "cognito-jwt", Integration: &integrationDef{
			Type: "HTTP_PROXY", Method: "GET", URI: "https://petstore.example.com/pets/{petId}", Format: "1.0", ConnectionType: "INTERNET",
			Timeout: 12000, ServerName: "petstore.example.com",
			RequestParameters:  map[string]string{"append:header.x-pet-id": "$request.path.petId", "overwrite:querystring.source": "portico"},
			ResponseParameters: map[string]map[string]string{"200": {"overwrite:header.Cache-Control": "max-age=60"}}}},
		"DELETE /pets/{petId}": {AuthorizationType: "CUSTOM", Authorizer: "lambda-auth", Integration: &integrationDef{
			Type: "HTTP_PROXY", Method: "DELETE", URI: "https://petstore.example.com/pets/{petId}", Format: "1.0", ConnectionType: "INTERNET", Timeout: 30000}},
		"ANY /admin/{proxy+}": {AuthorizationType: "AWS_IAM", Integration: &integrationDef{
			Type: "HTTP_PROXY", Method: "ANY", URI: "https://admin.example.com/{proxy}", Format: "1.0", ConnectionType: "INTERNET", Timeout: 30000}},
		"$default": {AuthorizationType: "NONE", Integration: &integrationDef{
			Type: "HTTP_PROXY", Method: "ANY", URI: "https://fallback.example.com", Format: "1.0", ConnectionType: "INTERNET", Timeout: 30000}},
	}
	for key, w := range want {
		got, ok := d.Routes[key]
		if !ok {
			t.Errorf("route %s missing", key)
			continue
		}
		if !reflect.DeepEqual(got, w) {
			gj, _ := json.Marshal(got)
			wj, _ := json.Marshal(w)
			t.Errorf("route %s\n got %s\nwant %s", key, gj, wj)
		}
	}
	if len(d.Routes) != len(want) {
		t.Errorf("routes %v", slices.Sorted(mapKeys(d.Routes)))
	}
	wantAuth := map[string]authorizerDef{
		"cognito-jwt": {Type: "JWT", Issuer: "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Example",
			Audience: []string{"pets-client", "pets-admin"}, IdentitySource: []string{"$request.header.Authorization"}},
		"lambda-auth": {Type: "REQUEST", URI: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:authorizer/invocations",
			PayloadFormat: "2.0", IdentitySource: []string{"$request.header.X-Api-Token"}, TTL: 300, Simple: true},
	}
	if !reflect.DeepEqual(d.Authorizers, wantAuth) {
		t.Errorf("authorizers %+v", d.Authorizers)
	}
}

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func TestOpenAPIImportPetStore(t *testing.T) {
	e := newEnv(t)
	for _, file := range []string{"petstore.json", "petstore.yaml"} {
		t.Run(file, func(t *testing.T) {
			out := e.importDefinition(t, readDefinition(t, file))
			if !apiIDPattern.MatchString(aws.ToString(out.ApiId)) || out.ProtocolType != types.ProtocolTypeHttp ||
				aws.ToString(out.RouteSelectionExpression) != "$request.method $request.path" ||
				aws.ToString(out.ApiKeySelectionExpression) != "$request.header.x-api-key" || aws.ToString(out.Name) != "Pet Store" {
				t.Errorf("ImportApi output %+v", out)
			}
			if len(out.Warnings) != 0 {
				t.Errorf("warnings %q", out.Warnings)
			}
			wantPetStore(t, e.definitionOf(t, *out.ApiId))
		})
	}
}

// TestOpenAPIRoundTrip: an export imports as the same API, and exporting
// that gives the same document, in JSON and in YAML.
func TestOpenAPIRoundTrip(t *testing.T) {
	e := newEnv(t)
	first := e.importDefinition(t, readDefinition(t, "petstore.json"))
	want := e.definitionOf(t, *first.ApiId)
	for _, outputType := range []string{"JSON", "YAML"} {
		t.Run(outputType, func(t *testing.T) {
			exported := e.export(t, *first.ApiId, outputType)
			second := e.importDefinition(t, exported)
			if len(second.Warnings) != 0 {
				t.Errorf("warnings %q", second.Warnings)
			}
			if got := e.definitionOf(t, *second.ApiId); !reflect.DeepEqual(got, want) {
				gj, _ := json.MarshalIndent(got, "", " ")
				wj, _ := json.MarshalIndent(want, "", " ")
				t.Errorf("re-imported API differs\n got %s\nwant %s", gj, wj)
			}
			if again := e.export(t, *second.ApiId, outputType); again != exported {
				t.Errorf("second export differs\n got %s\nwant %s", again, exported)
			}
			// And a reimport of the export over the original changes nothing.
			_, err := e.c.ReimportApi(e.ctx, &apigatewayv2.ReimportApiInput{ApiId: first.ApiId, Body: aws.String(exported)})
			must(t, err)
			if got := e.definitionOf(t, *first.ApiId); !reflect.DeepEqual(got, want) {
				t.Errorf("reimported API differs: %+v", got)
			}
			// kin-openapi, another OpenAPI implementation, finds the export
			// valid.
			loader := openapi3.NewLoader()
			doc, err := loader.LoadFromData([]byte(exported))
			if err != nil {
				t.Fatalf("kin-openapi cannot load the export: %v", err)
			}
			if err := doc.Validate(context.Background()); err != nil {
				t.Errorf("kin-openapi finds the export invalid: %v", err)
			}
		})
	}
}

// TestOpenAPIExportFormat: the exact bytes of an export, in the layout of
// AWS's exports (Jackson's pretty printer for JSON, double-quoted YAML).
func TestOpenAPIExportFormat(t *testing.T) {
	e := newEnv(t)
	api, err := e.c.CreateApi(e.ctx, &apigatewayv2.CreateApiInput{Name: aws.String("orders"), ProtocolType: types.ProtocolTypeHttp,
		Version: aws.String("v1"), CorsConfiguration: &types.Cors{AllowOrigins: []string{"*"}, AllowMethods: []string{"GET"}}})
	must(t, err)
	it, err := e.c.CreateIntegration(e.ctx, &apigatewayv2.CreateIntegrationInput{ApiId: api.ApiId, IntegrationType: types.IntegrationTypeAwsProxy,
		IntegrationUri: aws.String("arn:aws:lambda:us-east-1:123456789012:function:orders"), PayloadFormatVersion: aws.String("2.0")})
	must(t, err)
	_, err = e.c.CreateRoute(e.ctx, &apigatewayv2.CreateRouteInput{ApiId: api.ApiId, RouteKey: aws.String("GET /orders/{id}"),
		Target: aws.String("integrations/" + *it.IntegrationId)})
	must(t, err)
	wantJSON := `{
  "openapi" : "3.0.1",
  "info" : {
    "title" : "orders",
    "version" : "v1"
  },
  "paths" : {
    "/orders/{id}" : {
      "get" : {
        "responses" : {
          "default" : {
            "description" : "Default response for GET /orders/{id}"
          }
        },
        "x-amazon-apigateway-integration" : {
          "payloadFormatVersion" : "2.0",
          "type" : "aws_proxy",
          "httpMethod" : "POST",
          "uri" : "arn:aws:lambda:us-east-1:123456789012:function:orders",
          "connectionType" : "INTERNET"
        }
      },
      "parameters" : [ {
        "name" : "id",
        "in" : "path",
        "description" : "Generated path parameter for id",
        "required" : true,
        "schema" : {
          "type" : "string"
        }
      } ]
    }
  },
  "x-amazon-apigateway-cors" : {
    "allowMethods" : [ "GET" ],
    "allowOrigins" : [ "*" ]
  },
  "x-amazon-apigateway-importexport-version" : "1.0"
}`
	if got := e.export(t, *api.ApiId, "JSON"); got != wantJSON {
		t.Errorf("JSON export\n%s\nwant\n%s", got, wantJSON)
	}
	wantYAML := `openapi: "3.0.1"
info:
  title: "orders"
  version: "v1"
paths:
  /orders/{id}:
    get:
      responses:
        default:
          description: "Default response for GET /orders/{id}"
      x-amazon-apigateway-integration:
        payloadFormatVersion: "2.0"
        type: "aws_proxy"
        httpMethod: "POST"
        uri: "arn:aws:lambda:us-east-1:123456789012:function:orders"
        connectionType: "INTERNET"
    parameters:
    - name: "id"
      in: "path"
      description: "Generated path parameter for id"
      required: true
      schema:
        type: "string"
x-amazon-apigateway-cors:
  allowMethods:
  - "GET"
  allowOrigins:
  - "*"
x-amazon-apigateway-importexport-version: "1.0"
`
	if got := e.export(t, *api.ApiId, "YAML"); got != wantYAML {
		t.Errorf("YAML export\n%s\nwant\n%s", got, wantYAML)
	}
	// Without extensions: no integrations, CORS or import/export version.
	plain := e.export(t, *api.ApiId, "JSON", func(in *apigatewayv2.ExportApiInput) { in.IncludeExtensions = aws.Bool(false) })
	if strings.Contains(plain, "x-amazon-apigateway") || !strings.Contains(plain, `"/orders/{id}"`) {
		t.Errorf("export without extensions:\n%s", plain)
	}
	// The body is sent as it is; exportVersion 1.0 is the only version.
	r := e.raw(t, "GET", "/v2/apis/"+*api.ApiId+"/exports/OAS30?outputType=JSON&exportVersion=1.0", "", nil)
	if r.status != 200 || r.body != wantJSON {
		t.Errorf("raw export: %d %s", r.status, r.body)
	}
}

// TestOpenAPIExportStage: a stage exports its deployment, not the live
// configuration; servers carry the stage as the basePath default ([V]:
// "default" : "sam" for a stage named sam, "" for $default).
func TestOpenAPIExportStage(t *testing.T) {
	e := newEnv(t)
	apiID := e.createHTTPAPI(t, "staged")
	it, err := e.c.CreateIntegration(e.ctx, &apigatewayv2.CreateIntegrationInput{ApiId: aws.String(apiID), IntegrationType: types.IntegrationTypeHttpProxy,
		IntegrationUri: aws.String("https://example.com"), IntegrationMethod: aws.String("ANY"), PayloadFormatVersion: aws.String("1.0")})
	must(t, err)
	_, err = e.c.CreateRoute(e.ctx, &apigatewayv2.CreateRouteInput{ApiId: aws.String(apiID), RouteKey: aws.String("GET /v1"), Target: aws.String("integrations/" + *it.IntegrationId)})
	must(t, err)
	_, err = e.c.CreateStage(e.ctx, &apigatewayv2.CreateStageInput{ApiId: aws.String(apiID), StageName: aws.String("prod")})
	must(t, err)
	_, err = e.c.CreateDeployment(e.ctx, &apigatewayv2.CreateDeploymentInput{ApiId: aws.String(apiID), StageName: aws.String("prod")})
	must(t, err)
	_, err = e.c.CreateStage(e.ctx, &apigatewayv2.CreateStageInput{ApiId: aws.String(apiID), StageName: aws.String("$default"), AutoDeploy: aws.Bool(true)})
	must(t, err)
	e.createRoute(t, apiID, "GET /v2") // after prod's deployment
	stage := func(name string) func(*apigatewayv2.ExportApiInput) {
		return func(in *apigatewayv2.ExportApiInput) { in.StageName = aws.String(name) }
	}
	api, err := e.c.GetApi(e.ctx, &apigatewayv2.GetApiInput{ApiId: aws.String(apiID)})
	must(t, err)
	prod := e.export(t, apiID, "JSON", stage("prod"))
	// The server is the API's endpoint as GetApi gives it: AWS's form on
	// AWS, the configured one on Portico.
	if !strings.Contains(prod, `"/v1"`) || strings.Contains(prod, `"/v2"`) ||
		!strings.Contains(prod, `"url" : "`+*api.ApiEndpoint+`/{basePath}"`) ||
		!strings.Contains(prod, `"default" : "prod"`) {
		t.Errorf("prod export:\n%s", prod)
	}
	// [I]: without a version, info.version is the deployment's date in
	// AWS's "2024-02-02 14:22:44UTC" form.
	if !regexpMatch(`"version" : "\d{4}-\d\d-\d\d \d\d:\d\d:\d\dUTC"`, prod) {
		t.Errorf("prod export version:\n%s", prod)
	}
	def := e.export(t, apiID, "JSON", stage("$default"))
	if !strings.Contains(def, `"/v2"`) || !strings.Contains(def, `"default" : ""`) {
		t.Errorf("$default export:\n%s", def)
	}
	live := e.export(t, apiID, "JSON")
	if !strings.Contains(live, `"/v2"`) || strings.Contains(live, `"servers"`) {
		t.Errorf("live export:\n%s", live)
	}
	// [I]: a stage without a deployment has nothing to export.
	_, err = e.c.CreateStage(e.ctx, &apigatewayv2.CreateStageInput{ApiId: aws.String(apiID), StageName: aws.String("empty")})
	must(t, err)
	_, err = e.c.ExportApi(e.ctx, &apigatewayv2.ExportApiInput{ApiId: aws.String(apiID), Specification: aws.String("OAS30"),
		OutputType: aws.String("JSON"), StageName: aws.String("empty")})
	wantAPIError(t, err, 400, "BadRequestException", "Stage empty has no deployment to export")
}

func TestOpenAPIExportErrors(t *testing.T) {
	e := newEnv(t)
	apiID := e.createHTTPAPI(t, "errors")
	wsID := e.createWebSocketAPI(t, "chat")
	for _, tc := range []struct {
		name          string
		in            apigatewayv2.ExportApiInput
		status        int
		code, message string
	}{
		{"OAS20 [I]", apigatewayv2.ExportApiInput{ApiId: aws.String(apiID), Specification: aws.String("OAS20"), OutputType: aws.String("JSON")},
			400, "BadRequestException", "Unsupported specification: OAS20. The only supported specification is OAS30"},
		{"XML [I]", apigatewayv2.ExportApiInput{ApiId: aws.String(apiID), Specification: aws.String("OAS30"), OutputType: aws.String("XML")},
			400, "BadRequestException", "Invalid outputType specified: XML. Valid values are JSON and YAML"},
		{"export version [I]", apigatewayv2.ExportApiInput{ApiId: aws.String(apiID), Specification: aws.String("OAS30"), OutputType: aws.String("JSON"), ExportVersion: aws.String("2.0")},
			400, "BadRequestException", "Invalid exportVersion specified: 2.0. The only supported export version is 1.0"},
		{"no API", apigatewayv2.ExportApiInput{ApiId: aws.String("nope123456"), Specification: aws.String("OAS30"), OutputType: aws.String("JSON")},
			404, "NotFoundException", "Invalid API identifier specified 000000000000:nope123456"},
		{"no stage", apigatewayv2.ExportApiInput{ApiId: aws.String(apiID), Specification: aws.String("OAS30"), OutputType: aws.String("JSON"), StageName: aws.String("nope")},
			404, "NotFoundException", "Invalid stage identifier specified"},
		{"WebSocket [I]", apigatewayv2.ExportApiInput{ApiId: aws.String(wsID), Specification: aws.String("OAS30"), OutputType: aws.String("JSON")},
			400, "BadRequestException", "Exporting a WebSocket API is not supported: ExportApi exports HTTP APIs only"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.c.ExportApi(e.ctx, &tc.in)
			wantAPIError(t, err, tc.status, tc.code, tc.message)
		})
	}
	// outputType is required by the model.
	r := e.raw(t, "GET", "/v2/apis/"+apiID+"/exports/OAS30", "", nil)
	if r.status != 400 {
		t.Errorf("export without outputType: %d %s", r.status, r.body)
	}
}

// TestOpenAPIImportWarnings: what cannot be created is a warning ([V]
// texts for the missing $ref and the path without "/"), and with
// failOnWarnings the import fails with all of them and creates nothing.
func TestOpenAPIImportWarnings(t *testing.T) {
	e := newEnv(t)
	body := readDefinition(t, "warnings.json")
	wantWarnings := []string{
		"Parse issue: attribute paths.'/update'(get).responses.200.content.schema.#/components/schemas/ModelThatDoesNotExist is missing",
		"Parse issue: attribute paths.Resource $default should start with /",
		// [I] the form of the integration's warning, after AWS's
		// "Unable to create Authorizer 'name': ...".
		"Unable to create Integration 'POST /legacy': Currently, an API with a protocol type of HTTP may only be associated with proxy integrations (AWS_PROXY, HTTP_PROXY)",
	}
	_, err := e.c.ImportApi(e.ctx, &apigatewayv2.ImportApiInput{Body: aws.String(body), FailOnWarnings: aws.Bool(true)})
	wantAPIError(t, err, 400, "BadRequestException", "Warnings found during import:\n\t"+strings.Join(wantWarnings, "\n\t"))
	apis, err := e.c.GetApis(e.ctx, &apigatewayv2.GetApisInput{})
	must(t, err)
	if len(apis.Items) != 0 {
		t.Fatalf("a failed import left %d APIs", len(apis.Items))
	}
	out := e.importDefinition(t, body)
	if !reflect.DeepEqual(out.Warnings, wantWarnings) {
		t.Errorf("warnings\n got %q\nwant %q", out.Warnings, wantWarnings)
	}
	d := e.definitionOf(t, *out.ApiId)
	// The route whose integration could not be created is created without
	// one [I]; the path without "/" is skipped.
	if len(d.Routes) != 2 || d.Routes["GET /update"].Integration == nil || d.Routes["POST /legacy"].Integration != nil || d.Integrations != 1 {
		t.Errorf("imported %+v", d)
	}
	if d.Name != "Warnings" || d.Version != "2.0" || d.Description != "Things HTTP APIs cannot take" {
		t.Errorf("API %+v", d)
	}
	// The same with ReimportApi: failOnWarnings leaves the API as it was.
	apiID := e.createHTTPAPI(t, "before")
	_, err = e.c.ReimportApi(e.ctx, &apigatewayv2.ReimportApiInput{ApiId: aws.String(apiID), Body: aws.String(body), FailOnWarnings: aws.Bool(true)})
	wantAPIError(t, err, 400, "BadRequestException", "Warnings found during import:\n\t"+strings.Join(wantWarnings, "\n\t"))
	if d := e.definitionOf(t, apiID); d.Name != "before" || len(d.Routes) != 0 {
		t.Errorf("after a failed reimport: %+v", d)
	}
}

func TestOpenAPIImportErrors(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct{ name, body, message string }{
		{"not JSON [I]", `{"openapi": "3.0.1",`, "Invalid OpenAPI input. Unable to parse the definition as JSON: unexpected EOF"},
		{"not YAML [I]", "openapi: [3.0.1\n", "Invalid OpenAPI input. Unable to parse the definition as YAML: yaml: line 2: did not find expected ',' or ']'"},
		{"not an object [I]", `[1, 2]`, "Invalid OpenAPI input. The definition must be a JSON or YAML object"},
		{"swagger 2.0 [D]", `{"swagger": "2.0", "info": {"title": "x", "version": "1"}, "paths": {}}`,
			"Invalid OpenAPI input. HTTP APIs support only OpenAPI 3.0 definitions"},
		{"no openapi [I]", `{"info": {"title": "x", "version": "1"}, "paths": {}}`,
			"Invalid OpenAPI input. The openapi field must name an OpenAPI 3.0 version, such as 3.0.1"},
		{"no title [I]", `{"openapi": "3.0.1", "info": {"version": "1"}, "paths": {}}`,
			"Invalid OpenAPI input. info.title is required: it names the API"},
		{"two security requirements [D]", `{"openapi": "3.0.1", "info": {"title": "x", "version": "1"}, "paths": {"/a": {"get": {
			"security": [{"a": []}, {"b": []}]}}}}`,
			"Invalid OpenAPI input. Route GET /a has more than one security requirement. Each operation can have only one of IAM authorization, a Lambda authorizer, or a JWT authorizer"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.c.ImportApi(e.ctx, &apigatewayv2.ImportApiInput{Body: aws.String(tc.body)})
			wantAPIError(t, err, 400, "BadRequestException", tc.message)
		})
	}
	_, err := e.c.ImportApi(e.ctx, &apigatewayv2.ImportApiInput{Body: aws.String(readDefinition(t, "petstore.json")), Basepath: aws.String("merge")})
	wantAPIError(t, err, 400, "BadRequestException", "Invalid basepath specified: merge. Valid values are ignore, prepend and split")
	_, err = e.c.ReimportApi(e.ctx, &apigatewayv2.ReimportApiInput{ApiId: aws.String("nope123456"), Body: aws.String(readDefinition(t, "petstore.json"))})
	wantAPIError(t, err, 404, "NotFoundException", "Invalid API identifier specified 000000000000:nope123456")
	apis, err := e.c.GetApis(e.ctx, &apigatewayv2.GetApisInput{})
	must(t, err)
	if len(apis.Items) != 0 {
		t.Errorf("failed imports left %d APIs", len(apis.Items))
	}
}

// TestOpenAPIImportWebSocketRefused: ImportApi is for HTTP APIs only (API
// reference: "Supported only for HTTP APIs"); a WebSocket chat definition
// is refused, and so is a reimport over a WebSocket API. The texts are [I].
func TestOpenAPIImportWebSocketRefused(t *testing.T) {
	e := newEnv(t)
	const message = "Importing a WebSocket API is not supported: ImportApi and ReimportApi create and update HTTP APIs only"
	_, err := e.c.ImportApi(e.ctx, &apigatewayv2.ImportApiInput{Body: aws.String(readDefinition(t, "websocket-chat.yaml"))})
	wantAPIError(t, err, 400, "BadRequestException", message)
	wsID := e.createWebSocketAPI(t, "chat")
	_, err = e.c.ReimportApi(e.ctx, &apigatewayv2.ReimportApiInput{ApiId: aws.String(wsID), Body: aws.String(readDefinition(t, "petstore.json"))})
	wantAPIError(t, err, 400, "BadRequestException", message)
}

// TestOpenAPIReimport: a reimport overwrites the definition (the tags too:
// TestOpenAPIReimportTags), keeps the id and stages, and redeploys
// autoDeploy stages.
func TestOpenAPIReimport(t *testing.T) {
	e := newEnv(t)
	api, err := e.c.CreateApi(e.ctx, &apigatewayv2.CreateApiInput{Name: aws.String("old"), ProtocolType: types.ProtocolTypeHttp,
		Description: aws.String("old description"), Tags: map[string]string{"team": "pets"},
		CorsConfiguration: &types.Cors{AllowOrigins: []string{"https://old.example.com"}}})
	must(t, err)
	e.createRoute(t, *api.ApiId, "GET /old")
	_, err = e.c.CreateStage(e.ctx, &apigatewayv2.CreateStageInput{ApiId: api.ApiId, StageName: aws.String("live"), AutoDeploy: aws.Bool(true)})
	must(t, err)
	before, err := e.c.GetStage(e.ctx, &apigatewayv2.GetStageInput{ApiId: api.ApiId, StageName: aws.String("live")})
	must(t, err)

	out, err := e.c.ReimportApi(e.ctx, &apigatewayv2.ReimportApiInput{ApiId: api.ApiId, Body: aws.String(readDefinition(t, "petstore.yaml"))})
	must(t, err)
	wantStatus(t, out.ResultMetadata, 201)
	if aws.ToString(out.ApiId) != *api.ApiId || !reflect.DeepEqual(out.Tags, map[string]string{}) {
		t.Errorf("ReimportApi output %+v", out)
	}
	wantPetStore(t, e.definitionOf(t, *api.ApiId))
	after, err := e.c.GetStage(e.ctx, &apigatewayv2.GetStageInput{ApiId: api.ApiId, StageName: aws.String("live")})
	must(t, err)
	if aws.ToString(after.DeploymentId) == aws.ToString(before.DeploymentId) {
		t.Errorf("the autoDeploy stage was not redeployed")
	}
	if stageDoc := e.export(t, *api.ApiId, "JSON", func(in *apigatewayv2.ExportApiInput) { in.StageName = aws.String("live") }); !strings.Contains(stageDoc, `"/pets/{petId}"`) {
		t.Errorf("the stage does not serve the reimported definition:\n%s", stageDoc)
	}

	// [I] Overwrite: a definition without title keeps the name; without
	// description, CORS or version, they are removed.
	_, err = e.c.ReimportApi(e.ctx, &apigatewayv2.ReimportApiInput{ApiId: api.ApiId, Body: aws.String(`openapi: 3.0.1
info: {}
paths:
  /only:
    get:
      x-amazon-apigateway-integration:
        type: HTTP_PROXY
        httpMethod: GET
        uri: https://only.example.com
`)})
	must(t, err)
	d := e.definitionOf(t, *api.ApiId)
	if d.Name != "Pet Store" || d.Description != "" || d.Version != "" || d.Cors != nil || len(d.Routes) != 1 || len(d.Authorizers) != 0 || d.Integrations != 1 {
		t.Errorf("after the second reimport: %+v", d)
	}
	// [I] payloadFormatVersion defaults to 1.0.
	if it := d.Routes["GET /only"].Integration; it == nil || it.Format != "1.0" {
		t.Errorf("GET /only integration %+v", it)
	}
}

// TestOpenAPIImportTerraformYAML: the YAML of Terraform's
// TestAccAPIGatewayV2API_OpenAPI tests, which AWS imports: unquoted
// version and payloadFormatVersion, an upper-case integration type.
func TestOpenAPIImportTerraformYAML(t *testing.T) {
	e := newEnv(t)
	out := e.importDefinition(t, `---
openapi: 3.0.1
info:
  title: tf-acc-test_DIFFERENT
  version: 2.0
tags:
  - name: Key1
    x-amazon-apigateway-tag-value: Value3
paths:
  "/update":
    get:
      x-amazon-apigateway-integration:
        type: HTTP_PROXY
        httpMethod: GET
        payloadFormatVersion: 1.0
        uri: https://www.google.de
`)
	// [I] ImportApi applies x-amazon-apigateway-tag-value tags.
	if aws.ToString(out.Version) != "2.0" || aws.ToString(out.Name) != "tf-acc-test_DIFFERENT" || !reflect.DeepEqual(out.Tags, map[string]string{"Key1": "Value3"}) {
		t.Errorf("ImportApi output %+v", out)
	}
	d := e.definitionOf(t, *out.ApiId)
	if it := d.Routes["GET /update"].Integration; it == nil || it.Format != "1.0" || it.Type != "HTTP_PROXY" || it.Timeout != 30000 || it.ConnectionType != "INTERNET" {
		t.Errorf("GET /update: %+v", d.Routes)
	}
}

// TestOpenAPIImportBasepath: the base path is the first server URL's path
// ({variables} at their defaults); ignore drops it, prepend adds it to
// every route, split drops its first segment [I for OpenAPI 3: the
// developer guide describes OpenAPI 2's basePath].
func TestOpenAPIImportBasepath(t *testing.T) {
	e := newEnv(t)
	body := `{"openapi": "3.0.1", "info": {"title": "base", "version": "1"},
	  "servers": [{"url": "https://api.example.com/{stage}/shop", "variables": {"stage": {"default": "prod"}}}],
	  "paths": {"/items": {"get": {}}, "/": {"post": {}}}}`
	for _, tc := range []struct {
		mode string
		want []string
	}{
		{"", []string{"GET /items", "POST /"}},
		{"ignore", []string{"GET /items", "POST /"}},
		{"prepend", []string{"GET /prod/shop/items", "POST /prod/shop"}},
		{"split", []string{"GET /shop/items", "POST /shop"}},
	} {
		in := &apigatewayv2.ImportApiInput{Body: aws.String(body)}
		if tc.mode != "" {
			in.Basepath = aws.String(tc.mode)
		}
		out, err := e.c.ImportApi(e.ctx, in)
		must(t, err)
		var got []string
		for k := range e.definitionOf(t, *out.ApiId).Routes {
			got = append(got, k)
		}
		sort.Strings(got)
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("basepath %q: routes %q, want %q", tc.mode, got, tc.want)
		}
	}
}

func regexpMatch(pattern, s string) bool {
	return regexp.MustCompile(pattern).MatchString(s)
}

// TestOpenAPIImportedRouteShape: routes created by ImportApi and
// ReimportApi carry "authorizationScopes": [] and "requestParameters": {}
// when the definition gives them none ([V]: real get-routes output of an
// imported HTTP API); routes from CreateRoute omit both.
func TestOpenAPIImportedRouteShape(t *testing.T) {
	e := newEnv(t)
	// wantImported checks every route of an imported API, through the SDK
	// and on the wire.
	wantImported := func(t *testing.T, apiID string) {
		t.Helper()
		routes, err := e.c.GetRoutes(e.ctx, &apigatewayv2.GetRoutesInput{ApiId: aws.String(apiID)})
		must(t, err)
		if len(routes.Items) == 0 {
			t.Fatal("no routes")
		}
		for _, r := range routes.Items {
			scopes := []string{}
			if aws.ToString(r.RouteKey) == "POST /pets" {
				scopes = []string{"pets/write"}
			}
			if r.AuthorizationScopes == nil || !reflect.DeepEqual(r.AuthorizationScopes, scopes) {
				t.Errorf("%s: AuthorizationScopes %#v, want %#v", aws.ToString(r.RouteKey), r.AuthorizationScopes, scopes)
			}
			if r.RequestParameters == nil || len(r.RequestParameters) != 0 {
				t.Errorf("%s: RequestParameters %#v, want an empty map", aws.ToString(r.RouteKey), r.RequestParameters)
			}
			// GetRoute answers the same.
			one := e.raw(t, "GET", "/v2/apis/"+apiID+"/routes/"+aws.ToString(r.RouteId), "", nil)
			if one.status != 200 || !strings.Contains(one.body, `"requestParameters":{}`) || !strings.Contains(one.body, `"authorizationScopes":[`) {
				t.Errorf("GetRoute %s: %d %s", aws.ToString(r.RouteKey), one.status, one.body)
			}
		}
		r := e.raw(t, "GET", "/v2/apis/"+apiID+"/routes", "", nil)
		var wire struct{ Items []map[string]json.RawMessage }
		if err := json.Unmarshal([]byte(r.body), &wire); err != nil || r.status != 200 {
			t.Fatalf("GetRoutes: %d %s", r.status, r.body)
		}
		for _, item := range wire.Items {
			key := string(item["routeKey"])
			wantScopes := `[]`
			if key == `"POST /pets"` {
				wantScopes = `["pets/write"]`
			}
			if string(item["authorizationScopes"]) != wantScopes || string(item["requestParameters"]) != `{}` {
				t.Errorf("route %s on the wire: authorizationScopes %s, requestParameters %s", key, item["authorizationScopes"], item["requestParameters"])
			}
		}
	}
	t.Run("ImportApi", func(t *testing.T) {
		out := e.importDefinition(t, readDefinition(t, "petstore.yaml"))
		wantImported(t, *out.ApiId)
	})
	t.Run("ReimportApi", func(t *testing.T) {
		apiID := e.createHTTPAPI(t, "reimported")
		e.createRoute(t, apiID, "GET /created")
		_, err := e.c.ReimportApi(e.ctx, &apigatewayv2.ReimportApiInput{ApiId: aws.String(apiID), Body: aws.String(readDefinition(t, "petstore.json"))})
		must(t, err)
		wantImported(t, apiID)
	})
	t.Run("CreateRoute", func(t *testing.T) {
		apiID := e.createHTTPAPI(t, "created")
		e.createRoute(t, apiID, "GET /created")
		routes, err := e.c.GetRoutes(e.ctx, &apigatewayv2.GetRoutesInput{ApiId: aws.String(apiID)})
		must(t, err)
		if r := routes.Items[0]; r.AuthorizationScopes != nil || r.RequestParameters != nil {
			t.Errorf("CreateRoute's route: %#v %#v", r.AuthorizationScopes, r.RequestParameters)
		}
		r := e.raw(t, "GET", "/v2/apis/"+apiID+"/routes", "", nil)
		if strings.Contains(r.body, "authorizationScopes") || strings.Contains(r.body, "requestParameters") {
			t.Errorf("CreateRoute's route on the wire: %s", r.body)
		}
	})
}

// TestOpenAPIReimportTags: a reimport replaces the API's tags with the
// definition's x-amazon-apigateway-tag-value tags ([V] Terraform's
// TestAccAPIGatewayV2API_OpenAPI_withTags, whose steps this follows: an
// API created with Key1 and Key2, reimported with a body that tags Key1,
// then with one that tags Key3 and Key4).
func TestOpenAPIReimportTags(t *testing.T) {
	e := newEnv(t)
	api, err := e.c.CreateApi(e.ctx, &apigatewayv2.CreateApiInput{Name: aws.String("tagged"), ProtocolType: types.ProtocolTypeHttp,
		Tags: map[string]string{"Key1": "Value1", "Key2": "Value2"}})
	must(t, err)
	arn := "arn:aws:apigateway:us-east-1::/apis/" + *api.ApiId
	definition := func(tags ...string) string {
		var b strings.Builder
		b.WriteString("openapi: 3.0.1\ninfo:\n  title: tagged\n  version: 2.0\n")
		if len(tags) > 0 {
			b.WriteString("tags:\n")
			for i := 0; i < len(tags); i += 2 {
				b.WriteString("  - name: " + tags[i] + "\n    x-amazon-apigateway-tag-value: " + tags[i+1] + "\n")
			}
		}
		b.WriteString("paths:\n  /test:\n    get:\n      x-amazon-apigateway-integration:\n        type: HTTP_PROXY\n        httpMethod: GET\n        payloadFormatVersion: 1.0\n        uri: https://www.example.com\n")
		return b.String()
	}
	wantTags := func(t *testing.T, out map[string]string, want map[string]string) {
		t.Helper()
		if !reflect.DeepEqual(out, want) {
			t.Errorf("ReimportApi output tags %v, want %v", out, want)
		}
		got, err := e.c.GetApi(e.ctx, &apigatewayv2.GetApiInput{ApiId: api.ApiId})
		must(t, err)
		if !reflect.DeepEqual(got.Tags, want) {
			t.Errorf("GetApi tags %v, want %v", got.Tags, want)
		}
		tags, err := e.c.GetTags(e.ctx, &apigatewayv2.GetTagsInput{ResourceArn: aws.String(arn)})
		must(t, err)
		if !reflect.DeepEqual(tags.Tags, want) {
			t.Errorf("GetTags %v, want %v", tags.Tags, want)
		}
	}
	for _, step := range []struct {
		name string
		body string
		want map[string]string
	}{
		{"Key1", definition("Key1", "Value3"), map[string]string{"Key1": "Value3"}},
		{"Key3 and Key4", definition("Key3", "Value3", "Key4", "Value4"), map[string]string{"Key3": "Value3", "Key4": "Value4"}},
		// [I] the same rule for a definition without tags: none are left.
		{"none", definition(), map[string]string{}},
	} {
		t.Run(step.name, func(t *testing.T) {
			out, err := e.c.ReimportApi(e.ctx, &apigatewayv2.ReimportApiInput{ApiId: api.ApiId, Body: aws.String(step.body)})
			must(t, err)
			wantTags(t, out.Tags, step.want)
		})
	}
	// [I] Tags that break the tag rules are a warning, and the API keeps
	// the tags it has.
	_, err = e.c.TagResource(e.ctx, &apigatewayv2.TagResourceInput{ResourceArn: aws.String(arn), Tags: map[string]string{"kept": "yes"}})
	must(t, err)
	out, err := e.c.ReimportApi(e.ctx, &apigatewayv2.ReimportApiInput{ApiId: api.ApiId, Body: aws.String(definition("aws:reserved", "x"))})
	must(t, err)
	if want := []string{`Unable to create tags: Invalid tag key "aws:reserved": the aws: prefix is reserved`}; !reflect.DeepEqual(out.Warnings, want) {
		t.Errorf("warnings %q, want %q", out.Warnings, want)
	}
	wantTags(t, out.Tags, map[string]string{"kept": "yes"})
}

// TestOpenAPIImportLimits: what a definition may cost (openapi_limits.go;
// TestImportAliasBomb and the others measure it), through the SDK: an
// alias bomb, a definition nested too deep and one over a quota are 400s
// that create and change nothing. The texts are [I].
func TestOpenAPIImportLimits(t *testing.T) {
	e := newEnv(t)
	bomb := "openapi: 3.0.1\ninfo: {title: lol, version: '1'}\npaths: {}\nx-l0: &l0 [lol,lol,lol,lol,lol,lol,lol,lol,lol]\n"
	for i := 1; i < 9; i++ {
		ref := "*l" + strconv.Itoa(i-1)
		bomb += "x-l" + strconv.Itoa(i) + ": &l" + strconv.Itoa(i) + " [" + strings.Repeat(ref+",", 8) + ref + "]\n"
	}
	routes := func(n int) string {
		var b strings.Builder
		b.WriteString("openapi: 3.0.1\ninfo: {title: many, version: '1'}\npaths:\n")
		for i := range n {
			b.WriteString("  /r" + strconv.Itoa(i) + ": {get: {}}\n")
		}
		return b.String()
	}
	for _, tc := range []struct{ name, body, message string }{
		{"alias bomb", bomb, "Invalid OpenAPI input. The definition holds more than 262144 values (objects, lists and scalars, YAML aliases expanded)"},
		{"too deep", `{"openapi": "3.0.1", "info": {"title": "t", "version": "1"}, "paths": {}, "x": ` +
			strings.Repeat("[", 300) + strings.Repeat("]", 300) + `}`,
			"Invalid OpenAPI input. The definition nests objects and lists more than 200 levels deep"},
		{"301 routes", routes(301), "The definition would create more than 300 routes. An HTTP API can have at most 300 routes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.c.ImportApi(e.ctx, &apigatewayv2.ImportApiInput{Body: aws.String(tc.body)})
			wantAPIError(t, err, 400, "BadRequestException", tc.message)
			apiID := e.createHTTPAPI(t, "before")
			e.createRoute(t, apiID, "GET /before")
			_, err = e.c.ReimportApi(e.ctx, &apigatewayv2.ReimportApiInput{ApiId: aws.String(apiID), Body: aws.String(tc.body)})
			wantAPIError(t, err, 400, "BadRequestException", tc.message)
			if d := e.definitionOf(t, apiID); d.Name != "before" || len(d.Routes) != 1 {
				t.Errorf("after a refused reimport: %+v", d)
			}
		})
	}
	apis, err := e.c.GetApis(e.ctx, &apigatewayv2.GetApisInput{})
	must(t, err)
	if len(apis.Items) != 3 {
		t.Errorf("%d APIs, want the 3 reimport targets", len(apis.Items))
	}
	// At the quota, all 300 routes are created.
	out := e.importDefinition(t, routes(300))
	got, err := e.c.GetRoutes(e.ctx, &apigatewayv2.GetRoutesInput{ApiId: out.ApiId, MaxResults: aws.String("500")})
	must(t, err)
	if len(got.Items) != 300 {
		t.Errorf("%d routes, want 300", len(got.Items))
	}
}
