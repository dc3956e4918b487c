package apigw_test

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"
)

// maxErrorBody bounds an error body whose message repeats request values:
// a few of them, each cut to 256 runes, and the text around them.
const maxErrorBody = 2048

// TestEchoBounded: a 7 MB tag key gets an error of a few hundred bytes, not
// a 7 MB one, and so does every other unbounded request member that an
// error message repeats: each is cut to 256 runes with "..." after it.
func TestEchoBounded(t *testing.T) {
	e := newEnv(t)
	ws := e.createWebSocketAPI(t, "w")
	httpAPI := e.createHTTPAPI(t, "h")
	route := e.createRoute(t, ws, "send")
	it, err := e.c.CreateIntegration(e.ctx, &apigatewayv2.CreateIntegrationInput{ApiId: &ws, IntegrationType: types.IntegrationTypeMock})
	must(t, err)
	integration := *it.IntegrationId
	e.createNamedStage(t, httpAPI, "dev")
	e.createDomainName(t, "api.example.com")
	e.rulesDomain(t, "rules.example.com")

	// The SDK's own route: a 7 MB tag key, under the 8 MB body limit.
	huge := strings.Repeat("k", 7<<20)
	_, err = e.c.CreateApi(e.ctx, &apigatewayv2.CreateApiInput{Name: aws.String("a"), ProtocolType: types.ProtocolTypeHttp,
		Tags: map[string]string{huge: "v"}})
	wantAPIError(t, err, 400, "BadRequestException", `Invalid tag key "`+strings.Repeat("k", 256)+`...": tag keys must be 1 to 128 characters long`)

	big := strings.Repeat("x", 100_000)
	q := func(s string) string { b, _ := json.Marshal(s); return string(b) }
	bq := q(big)
	cert := q(testCertARN)
	for _, c := range []struct{ name, method, path, body string }{
		{"TagResource tag key", "POST", "/v2/tags/" + url.PathEscape(apiARN(httpAPI)), `{"tags":{` + bq + `:"v"}}`},
		{"tag value", "POST", "/v2/apis", `{"name":"a","protocolType":"HTTP","tags":{"k":` + q(big) + `}}`},
		{"WebSocket route key", "POST", "/v2/apis/" + ws + "/routes", `{"routeKey":` + q("$"+big) + `}`},
		{"HTTP route key", "POST", "/v2/apis/" + httpAPI + "/routes", `{"routeKey":` + q("GET "+big) + `}`},
		{"route target", "POST", "/v2/apis/" + ws + "/routes", `{"routeKey":"a","target":` + bq + `}`},
		{"route target integration", "POST", "/v2/apis/" + ws + "/routes", `{"routeKey":"a","target":` + q("integrations/"+big) + `}`},
		{"route authorizer", "POST", "/v2/apis/" + ws + "/routes", `{"routeKey":"$connect","authorizationType":"CUSTOM","authorizerId":` + bq + `}`},
		{"route request parameter", "POST", "/v2/apis/" + ws + "/routes", `{"routeKey":"a","requestParameters":{` + bq + `:{"required":true}}}`},
		{"route request model", "POST", "/v2/apis/" + ws + "/routes", `{"routeKey":"a","requestModels":{` + bq + `:""}}`},
		{"route response selection", "POST", "/v2/apis/" + ws + "/routes", `{"routeKey":"a","routeResponseSelectionExpression":` + bq + `}`},
		{"model selection expression", "POST", "/v2/apis/" + ws + "/routes", `{"routeKey":"a","modelSelectionExpression":` + q("${"+big) + `}`},
		{"route response key", "POST", "/v2/apis/" + ws + "/routes/" + route + "/routeresponses", `{"routeResponseKey":` + bq + `}`},
		{"route response model", "POST", "/v2/apis/" + ws + "/routes/" + route + "/routeresponses", `{"routeResponseKey":"$default","responseModels":{` + bq + `:""}}`},
		{"stage name", "POST", "/v2/apis/" + httpAPI + "/stages", `{"stageName":` + q("a "+big) + `}`},
		{"stage variable name", "POST", "/v2/apis/" + httpAPI + "/stages", `{"stageName":"v","stageVariables":{` + q("-"+big) + `:"v"}}`},
		{"stage variable value", "POST", "/v2/apis/" + httpAPI + "/stages", `{"stageName":"v","stageVariables":{"a":` + q(" "+big) + `}}`},
		{"route settings key", "POST", "/v2/apis/" + ws + "/stages", `{"stageName":"v","routeSettings":{` + bq + `:{}}}`},
		{"stage deployment", "POST", "/v2/apis/" + httpAPI + "/stages", `{"stageName":"v","deploymentId":` + bq + `}`},
		{"stage deployment on update", "PATCH", "/v2/apis/" + httpAPI + "/stages/dev", `{"deploymentId":` + bq + `}`},
		{"CORS origin", "POST", "/v2/apis", `{"name":"a","protocolType":"HTTP","corsConfiguration":{"allowOrigins":[` + q(big+"/") + `]}}`},
		{"CORS method", "POST", "/v2/apis", `{"name":"a","protocolType":"HTTP","corsConfiguration":{"allowMethods":[` + bq + `]}}`},
		{"CORS header", "POST", "/v2/apis", `{"name":"a","protocolType":"HTTP","corsConfiguration":{"allowHeaders":[` + q("a "+big) + `]}}`},
		{"API key selection", "POST", "/v2/apis", `{"name":"a","protocolType":"WEBSOCKET","routeSelectionExpression":"$request.body.a","apiKeySelectionExpression":` + bq + `}`},
		{"HTTP route selection", "POST", "/v2/apis", `{"name":"a","protocolType":"HTTP","routeSelectionExpression":` + bq + `}`},
		{"custom id", "POST", "/v2/apis", `{"name":"a","protocolType":"HTTP","tags":{"_custom_id_":` + q(strings.Repeat("x", 256)) + `}}`},
		{"request template key", "POST", "/v2/apis/" + ws + "/integrations", `{"integrationType":"MOCK","requestTemplates":{` + bq + `:"#if("}}`},
		{"integration request parameter", "POST", "/v2/apis/" + ws + "/integrations", `{"integrationType":"MOCK","requestParameters":{` + bq + `:"x"}}`},
		{"integration method", "POST", "/v2/apis/" + ws + "/integrations", `{"integrationType":"HTTP","integrationUri":"https://example.com","integrationMethod":` + bq + `}`},
		{"payload format", "POST", "/v2/apis/" + ws + "/integrations", `{"integrationType":"MOCK","payloadFormatVersion":` + bq + `}`},
		{"integration subtype", "POST", "/v2/apis/" + httpAPI + "/integrations", `{"integrationType":"AWS_PROXY","payloadFormatVersion":"1.0","integrationSubtype":` + bq + `}`},
		{"HTTP request parameter", "POST", "/v2/apis/" + httpAPI + "/integrations", `{"integrationType":"HTTP_PROXY","integrationMethod":"ANY","integrationUri":"https://example.com","payloadFormatVersion":"1.0","requestParameters":{` + bq + `:"x"}}`},
		{"response parameters status code", "POST", "/v2/apis/" + httpAPI + "/integrations", `{"integrationType":"HTTP_PROXY","integrationMethod":"ANY","integrationUri":"https://example.com","payloadFormatVersion":"1.0","responseParameters":{` + bq + `:{"overwrite:statuscode":"200"}}}`},
		{"response parameter key", "POST", "/v2/apis/" + httpAPI + "/integrations", `{"integrationType":"HTTP_PROXY","integrationMethod":"ANY","integrationUri":"https://example.com","payloadFormatVersion":"1.0","responseParameters":{"200":{` + bq + `:"x"}}}`},
		{"template selection expression", "POST", "/v2/apis/" + ws + "/integrations", `{"integrationType":"MOCK","templateSelectionExpression":` + q("${"+strings.Repeat("x", 1000)) + `}`},
		{"integration response key", "POST", "/v2/apis/" + ws + "/integrations/" + integration + "/integrationresponses", `{"integrationResponseKey":` + bq + `}`},
		{"integration response regexp", "POST", "/v2/apis/" + ws + "/integrations/" + integration + "/integrationresponses", `{"integrationResponseKey":` + q("/("+big+"/") + `}`},
		{"response template key", "POST", "/v2/apis/" + ws + "/integrations/" + integration + "/integrationresponses", `{"integrationResponseKey":"$default","responseTemplates":{` + bq + `:"#if("}}`},
		{"authorizer URI", "POST", "/v2/apis/" + ws + "/authorizers", `{"name":"a","authorizerType":"REQUEST","identitySource":["route.request.header.a"],"authorizerUri":` + q("arn:"+big) + `}`},
		{"authorizer identity source", "POST", "/v2/apis/" + ws + "/authorizers", `{"name":"a","authorizerType":"REQUEST","identitySource":[` + bq + `],"authorizerUri":"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:f/invocations"}`},
		{"authorizer payload version", "POST", "/v2/apis/" + httpAPI + "/authorizers", `{"name":"a","authorizerType":"REQUEST","identitySource":["$request.header.a"],"authorizerPayloadFormatVersion":` + bq + `,"authorizerUri":"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:f/invocations"}`},
		{"authorizer credentials", "POST", "/v2/apis/" + ws + "/authorizers", `{"name":"a","authorizerType":"REQUEST","identitySource":["route.request.header.a"],"authorizerCredentialsArn":` + bq + `,"authorizerUri":"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:f/invocations"}`},
		{"domain name", "POST", "/v2/domainnames", `{"domainName":` + q(big+".com") + `,"domainNameConfigurations":[{"certificateArn":` + cert + `}]}`},
		{"certificate ARN", "POST", "/v2/domainnames", `{"domainName":"b.example.com","domainNameConfigurations":[{"certificateArn":` + bq + `}]}`},
		{"truststore URI", "POST", "/v2/domainnames", `{"domainName":"b.example.com","domainNameConfigurations":[{"certificateArn":` + cert + `}],"mutualTlsAuthentication":{"truststoreUri":` + bq + `}}`},
		{"API mapping API", "POST", "/v2/domainnames/api.example.com/apimappings", `{"apiId":` + bq + `,"stage":"dev"}`},
		{"routing rule base path", "POST", "/v2/domainnames/rules.example.com/routingrules", `{"priority":1,"conditions":[{"matchBasePaths":{"anyOf":[` + bq + `]}}],"actions":[{"invokeApi":{"apiId":"` + httpAPI + `","stage":"dev"}}]}`},
		{"routing rule header", "POST", "/v2/domainnames/rules.example.com/routingrules", `{"priority":1,"conditions":[{"matchHeaders":{"anyOf":[{"header":` + bq + `,"valueGlob":"a"}]}}],"actions":[{"invokeApi":{"apiId":"` + httpAPI + `","stage":"dev"}}]}`},
		{"routing rule value glob", "POST", "/v2/domainnames/rules.example.com/routingrules", `{"priority":1,"conditions":[{"matchHeaders":{"anyOf":[{"header":"x-a","valueGlob":` + bq + `}]}}],"actions":[{"invokeApi":{"apiId":"` + httpAPI + `","stage":"dev"}}]}`},
		{"routing rule API", "POST", "/v2/domainnames/rules.example.com/routingrules", `{"priority":1,"conditions":[{"matchBasePaths":{"anyOf":["a"]}}],"actions":[{"invokeApi":{"apiId":` + bq + `,"stage":"dev"}}]}`},
		{"portal product ARN", "POST", "/v2/portals", `{"authorization":{"none":{}},"endpointConfiguration":{"none":{}},"includedPortalProductArns":[` + bq + `],"portalContent":{"displayName":"Docs","theme":{"customColors":{"accentColor":"#a","backgroundColor":"#b","errorValidationColor":"#c","headerColor":"#d","navigationColor":"#e","textColor":"#f"}}}}`},
		{"portal logo", "POST", "/v2/portals", `{"authorization":{"none":{}},"endpointConfiguration":{"none":{}},"logoUri":` + bq + `,"portalContent":{"displayName":"Docs","theme":{"customColors":{"accentColor":"#a","backgroundColor":"#b","errorValidationColor":"#c","headerColor":"#d","navigationColor":"#e","textColor":"#f"}}}}`},
		{"portal user pool", "POST", "/v2/portals", `{"authorization":{"cognitoConfig":{"appClientId":"a","userPoolArn":` + bq + `,"userPoolDomain":"https://d.auth.us-east-1.amazoncognito.com"}},"endpointConfiguration":{"none":{}},"portalContent":{"displayName":"Docs","theme":{"customColors":{"accentColor":"#a","backgroundColor":"#b","errorValidationColor":"#c","headerColor":"#d","navigationColor":"#e","textColor":"#f"}}}}`},
		{"portal domain", "POST", "/v2/portals", `{"authorization":{"none":{}},"endpointConfiguration":{"acmManaged":{"certificateArn":"arn:aws:acm:us-east-1:123456789012:certificate/x","domainName":` + bq + `}},"portalContent":{"displayName":"Docs","theme":{"customColors":{"accentColor":"#a","backgroundColor":"#b","errorValidationColor":"#c","headerColor":"#d","navigationColor":"#e","textColor":"#f"}}}}`},
		{"portal certificate", "POST", "/v2/portals", `{"authorization":{"none":{}},"endpointConfiguration":{"acmManaged":{"certificateArn":` + bq + `,"domainName":"docs.example.com"}},"portalContent":{"displayName":"Docs","theme":{"customColors":{"accentColor":"#a","backgroundColor":"#b","errorValidationColor":"#c","headerColor":"#d","navigationColor":"#e","textColor":"#f"}}}}`},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := e.raw(t, c.method, c.path, c.body, nil)
			if r.status < 400 || r.status >= 500 {
				t.Fatalf("status %d, want a 4xx error: %.300s", r.status, r.body)
			}
			if len(r.body) > maxErrorBody {
				t.Errorf("error body of %d bytes, want at most %d: %.600s...", len(r.body), maxErrorBody, r.body)
			}
			var body struct{ Message string }
			if err := json.Unmarshal([]byte(r.body), &body); err != nil || body.Message == "" {
				t.Errorf("error body %.300s: no message", r.body)
			}
		})
	}
}
