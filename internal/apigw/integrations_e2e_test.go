package apigw_test

import (
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"
	"github.com/aws/smithy-go"
)

var integrationIDPattern = regexp.MustCompile(`^[a-z0-9]{7}$`)

const (
	lambdaARN       = "arn:aws:lambda:us-east-1:123456789012:function:my-function"
	lambdaInvokeARN = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/" + lambdaARN + "/invocations"
)

// createMockIntegration creates a MOCK integration (WebSocket APIs) and
// returns its id.
func (e *env) createMockIntegration(t *testing.T, apiID string) string {
	t.Helper()
	out, err := e.c.CreateIntegration(e.ctx, &apigatewayv2.CreateIntegrationInput{ApiId: aws.String(apiID), IntegrationType: types.IntegrationTypeMock})
	must(t, err)
	if !integrationIDPattern.MatchString(aws.ToString(out.IntegrationId)) {
		t.Fatalf("integrationId %q does not match %s", aws.ToString(out.IntegrationId), integrationIDPattern)
	}
	return *out.IntegrationId
}

// createHTTPProxyIntegration creates an HTTP_PROXY integration (HTTP APIs)
// and returns its id.
func (e *env) createHTTPProxyIntegration(t *testing.T, apiID string) string {
	t.Helper()
	out, err := e.c.CreateIntegration(e.ctx, &apigatewayv2.CreateIntegrationInput{ApiId: aws.String(apiID),
		IntegrationType: types.IntegrationTypeHttpProxy, IntegrationMethod: aws.String("ANY"),
		IntegrationUri: aws.String("https://example.com"), PayloadFormatVersion: aws.String("1.0")})
	must(t, err)
	return *out.IntegrationId
}

// integrationPath is the control-plane path of an integration.
func integrationPath(apiID, id string) string { return "/v2/apis/" + apiID + "/integrations/" + id }

// wantIntegrationBody reads an integration with a raw GET and checks its
// exact JSON: which members are present is what the defaults are about.
// body holds ID where the integration id goes.
func (e *env) wantIntegrationBody(t *testing.T, what, apiID, id, body string) {
	t.Helper()
	wantBody(t, what, e.raw(t, "GET", integrationPath(apiID, id), "", nil), 200, strings.ReplaceAll(body, "ID", id))
}

// TestE2EIntegrationDefaultsWebSocket: every WebSocket integration type,
// created with the fewest members, reads back with AWS's defaults (CLI
// example for MOCK; Terraform acceptance tests for HTTP, HTTP_PROXY and
// AWS; CDK's captured get-integration for AWS_PROXY).
func TestE2EIntegrationDefaultsWebSocket(t *testing.T) {
	e := newEnv(t)
	apiID := e.createWebSocketAPI(t, "chat")
	cases := []struct {
		typ         types.IntegrationType
		method, uri string
		body        string
	}{
		{types.IntegrationTypeMock, "", "",
			`{"connectionType":"INTERNET","integrationId":"ID","integrationResponseSelectionExpression":"${integration.response.statuscode}",` +
				`"integrationType":"MOCK","passthroughBehavior":"WHEN_NO_MATCH","payloadFormatVersion":"1.0","timeoutInMillis":29000}`},
		{types.IntegrationTypeHttp, "GET", "http://www.example.com",
			`{"connectionType":"INTERNET","integrationId":"ID","integrationMethod":"GET","integrationResponseSelectionExpression":"${integration.response.statuscode}",` +
				`"integrationType":"HTTP","integrationUri":"http://www.example.com","passthroughBehavior":"WHEN_NO_MATCH","payloadFormatVersion":"1.0","timeoutInMillis":29000}`},
		{types.IntegrationTypeHttpProxy, "PUT", "http://www.example.net",
			`{"connectionType":"INTERNET","integrationId":"ID","integrationMethod":"PUT",` +
				`"integrationType":"HTTP_PROXY","integrationUri":"http://www.example.net","passthroughBehavior":"WHEN_NO_MATCH","payloadFormatVersion":"1.0","timeoutInMillis":29000}`},
		// A Lambda custom integration: POST and the error-message selection
		// expression although neither was given.
		{types.IntegrationTypeAws, "", lambdaInvokeARN,
			`{"connectionType":"INTERNET","integrationId":"ID","integrationMethod":"POST","integrationResponseSelectionExpression":"${integration.response.body.errorMessage}",` +
				`"integrationType":"AWS","integrationUri":"` + lambdaInvokeARN + `","passthroughBehavior":"WHEN_NO_MATCH","payloadFormatVersion":"1.0","timeoutInMillis":29000}`},
		{types.IntegrationTypeAwsProxy, "", lambdaInvokeARN,
			`{"connectionType":"INTERNET","integrationId":"ID","integrationMethod":"POST",` +
				`"integrationType":"AWS_PROXY","integrationUri":"` + lambdaInvokeARN + `","passthroughBehavior":"WHEN_NO_MATCH","payloadFormatVersion":"1.0","timeoutInMillis":29000}`},
	}
	for _, c := range cases {
		t.Run(string(c.typ), func(t *testing.T) {
			in := &apigatewayv2.CreateIntegrationInput{ApiId: aws.String(apiID), IntegrationType: c.typ}
			if c.method != "" {
				in.IntegrationMethod = aws.String(c.method)
			}
			if c.uri != "" {
				in.IntegrationUri = aws.String(c.uri)
			}
			out, err := e.c.CreateIntegration(e.ctx, in)
			must(t, err)
			wantStatus(t, out.ResultMetadata, 201)
			id := aws.ToString(out.IntegrationId)
			if !integrationIDPattern.MatchString(id) {
				t.Fatalf("integrationId %q", id)
			}
			if out.ConnectionType != types.ConnectionTypeInternet || aws.ToInt32(out.TimeoutInMillis) != 29000 ||
				aws.ToString(out.PayloadFormatVersion) != "1.0" || out.PassthroughBehavior != types.PassthroughBehaviorWhenNoMatch ||
				out.IntegrationType != c.typ {
				t.Errorf("create output: %+v", out)
			}
			e.wantIntegrationBody(t, "GetIntegration", apiID, id, c.body)
		})
	}
	// The list holds the same documents.
	list, err := e.c.GetIntegrations(e.ctx, &apigatewayv2.GetIntegrationsInput{ApiId: aws.String(apiID)})
	must(t, err)
	if len(list.Items) != len(cases) || list.NextToken != nil {
		t.Errorf("GetIntegrations: %d items, nextToken %v", len(list.Items), list.NextToken)
	}
}

// TestE2EIntegrationDefaultsHTTP: HTTP API integrations have no
// passthrough behavior, no integration response selection expression and
// a 30 s timeout; AWS_PROXY defaults to POST (CLI example) except for AWS
// service integrations (Terraform's sqs test).
func TestE2EIntegrationDefaultsHTTP(t *testing.T) {
	e := newEnv(t)
	link := e.createVpcLink(t, "private")
	apiID := e.createHTTPAPI(t, "web")
	api := aws.String(apiID)

	lambda, err := e.c.CreateIntegration(e.ctx, &apigatewayv2.CreateIntegrationInput{ApiId: api, IntegrationType: types.IntegrationTypeAwsProxy,
		IntegrationUri: aws.String(lambdaARN), PayloadFormatVersion: aws.String("2.0")})
	must(t, err)
	wantStatus(t, lambda.ResultMetadata, 201)
	e.wantIntegrationBody(t, "Lambda", apiID, *lambda.IntegrationId,
		`{"connectionType":"INTERNET","integrationId":"ID","integrationMethod":"POST","integrationType":"AWS_PROXY",`+
			`"integrationUri":"`+lambdaARN+`","payloadFormatVersion":"2.0","timeoutInMillis":30000}`)

	// What Terraform sends for an HTTP_PROXY integration: connectionType
	// and passthroughBehavior always, payloadFormatVersion 1.0. AWS keeps
	// no passthroughBehavior on an HTTP API.
	proxy, err := e.c.CreateIntegration(e.ctx, &apigatewayv2.CreateIntegrationInput{ApiId: api, IntegrationType: types.IntegrationTypeHttpProxy,
		ConnectionType: types.ConnectionTypeInternet, PassthroughBehavior: types.PassthroughBehaviorWhenNoMatch,
		IntegrationMethod: aws.String("GET"), IntegrationUri: aws.String("https://example.com"), PayloadFormatVersion: aws.String("1.0")})
	must(t, err)
	if proxy.PassthroughBehavior != "" || proxy.IntegrationResponseSelectionExpression != nil {
		t.Errorf("HTTP_PROXY create output: %+v", proxy)
	}
	e.wantIntegrationBody(t, "HTTP_PROXY", apiID, *proxy.IntegrationId,
		`{"connectionType":"INTERNET","integrationId":"ID","integrationMethod":"GET","integrationType":"HTTP_PROXY",`+
			`"integrationUri":"https://example.com","payloadFormatVersion":"1.0","timeoutInMillis":30000}`)

	sqs, err := e.c.CreateIntegration(e.ctx, &apigatewayv2.CreateIntegrationInput{ApiId: api, IntegrationType: types.IntegrationTypeAwsProxy,
		IntegrationSubtype: aws.String("SQS-SendMessage"), PayloadFormatVersion: aws.String("1.0"),
		CredentialsArn: aws.String("arn:aws:iam::123456789012:role/apigw"), Description: aws.String("Test SQS send"),
		RequestParameters: map[string]string{"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/q",
			"MessageGroupId": "$request.body.authentication_key", "MessageBody": "$request.body"}})
	must(t, err)
	e.wantIntegrationBody(t, "SQS", apiID, *sqs.IntegrationId,
		`{"connectionType":"INTERNET","credentialsArn":"arn:aws:iam::123456789012:role/apigw","description":"Test SQS send","integrationId":"ID",`+
			`"integrationSubtype":"SQS-SendMessage","integrationType":"AWS_PROXY","payloadFormatVersion":"1.0",`+
			`"requestParameters":{"MessageBody":"$request.body","MessageGroupId":"$request.body.authentication_key","QueueUrl":"https://sqs.us-east-1.amazonaws.com/123456789012/q"},`+
			`"timeoutInMillis":30000}`)

	// A private integration with TLS, parameter mappings and a timeout.
	private, err := e.c.CreateIntegration(e.ctx, &apigatewayv2.CreateIntegrationInput{ApiId: api, IntegrationType: types.IntegrationTypeHttpProxy,
		ConnectionType: types.ConnectionTypeVpcLink, ConnectionId: aws.String(link), IntegrationMethod: aws.String("GET"),
		IntegrationUri:       aws.String("arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/net/nlb/1234/5678"),
		PayloadFormatVersion: aws.String("1.0"), TimeoutInMillis: aws.Int32(29001),
		TlsConfig:         &types.TlsConfigInput{ServerNameToVerify: aws.String("www.example.com")},
		RequestParameters: map[string]string{"append:header.header1": "$context.requestId", "remove:querystring.qs1": "''", "overwrite:path": "/x"},
		ResponseParameters: map[string]map[string]string{
			"500": {"append:header.header1": "$context.requestId", "overwrite:statuscode": "403"},
			"404": {"append:header.error": "$stageVariables.environmentId"},
		}})
	must(t, err)
	if aws.ToString(private.TlsConfig.ServerNameToVerify) != "www.example.com" || aws.ToInt32(private.TimeoutInMillis) != 29001 ||
		private.ResponseParameters["500"]["overwrite:statuscode"] != "403" || private.RequestParameters["overwrite:path"] != "/x" {
		t.Errorf("private integration: %+v", private)
	}
	e.wantIntegrationBody(t, "private", apiID, *private.IntegrationId,
		`{"connectionId":"`+link+`","connectionType":"VPC_LINK","integrationId":"ID","integrationMethod":"GET","integrationType":"HTTP_PROXY",`+
			`"integrationUri":"arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/net/nlb/1234/5678","payloadFormatVersion":"1.0",`+
			`"requestParameters":{"append:header.header1":"$context.requestId","overwrite:path":"/x","remove:querystring.qs1":"''"},`+
			`"responseParameters":{"404":{"append:header.error":"$stageVariables.environmentId"},"500":{"append:header.header1":"$context.requestId","overwrite:statuscode":"403"}},`+
			`"timeoutInMillis":29001,"tlsConfig":{"serverNameToVerify":"www.example.com"}}`)
}

// TestE2EIntegrationHTTPAPIRules: what an HTTP API refuses, with the
// status, type and message of each refusal; nothing refused is stored.
func TestE2EIntegrationHTTPAPIRules(t *testing.T) {
	e := newEnv(t)
	apiID := e.createHTTPAPI(t, "web")
	api := aws.String(apiID)
	// proxy is a valid HTTP_PROXY input that each case spoils.
	proxy := func(f func(*apigatewayv2.CreateIntegrationInput)) *apigatewayv2.CreateIntegrationInput {
		in := &apigatewayv2.CreateIntegrationInput{ApiId: api, IntegrationType: types.IntegrationTypeHttpProxy,
			IntegrationMethod: aws.String("ANY"), IntegrationUri: aws.String("https://example.com"), PayloadFormatVersion: aws.String("1.0")}
		f(in)
		return in
	}
	lambda := func(f func(*apigatewayv2.CreateIntegrationInput)) *apigatewayv2.CreateIntegrationInput {
		in := &apigatewayv2.CreateIntegrationInput{ApiId: api, IntegrationType: types.IntegrationTypeAwsProxy,
			IntegrationUri: aws.String(lambdaARN), PayloadFormatVersion: aws.String("2.0")}
		f(in)
		return in
	}
	const proxyOnly = "Currently, an API with a protocol type of HTTP may only be associated with proxy integrations (AWS_PROXY, HTTP_PROXY)"
	cases := []struct {
		name string
		in   *apigatewayv2.CreateIntegrationInput
		msg  string
	}{
		{"AWS", proxy(func(in *apigatewayv2.CreateIntegrationInput) { in.IntegrationType = types.IntegrationTypeAws }), proxyOnly},
		{"HTTP", proxy(func(in *apigatewayv2.CreateIntegrationInput) { in.IntegrationType = types.IntegrationTypeHttp }), proxyOnly},
		{"MOCK", &apigatewayv2.CreateIntegrationInput{ApiId: api, IntegrationType: types.IntegrationTypeMock}, proxyOnly},
		{"no payload format", proxy(func(in *apigatewayv2.CreateIntegrationInput) { in.PayloadFormatVersion = nil }),
			"A payload format version must be specified for integrations of an HTTP API. Supported values are 1.0 and 2.0"},
		{"payload format 2.0 on HTTP_PROXY", proxy(func(in *apigatewayv2.CreateIntegrationInput) { in.PayloadFormatVersion = aws.String("2.0") }),
			"Invalid payload format version specified: 2.0. Supported values for this integration are 1.0"},
		{"payload format 3.0 on AWS_PROXY", lambda(func(in *apigatewayv2.CreateIntegrationInput) { in.PayloadFormatVersion = aws.String("3.0") }),
			"Invalid payload format version specified: 3.0. Supported values for this integration are 1.0 and 2.0"},
		{"payload format 2.0 with a subtype", &apigatewayv2.CreateIntegrationInput{ApiId: api, IntegrationType: types.IntegrationTypeAwsProxy,
			IntegrationSubtype: aws.String("SQS-SendMessage"), PayloadFormatVersion: aws.String("2.0")},
			"Invalid payload format version specified: 2.0. Supported values for this integration are 1.0"},
		{"HTTP_PROXY without a method", proxy(func(in *apigatewayv2.CreateIntegrationInput) { in.IntegrationMethod = nil }),
			"An integration method must be specified for integration type HTTP_PROXY"},
		{"unknown method", proxy(func(in *apigatewayv2.CreateIntegrationInput) { in.IntegrationMethod = aws.String("FETCH") }),
			"Invalid integration method specified: FETCH. Supported methods are ANY, GET, POST, PUT, PATCH, DELETE, HEAD and OPTIONS"},
		{"AWS_PROXY with GET", lambda(func(in *apigatewayv2.CreateIntegrationInput) { in.IntegrationMethod = aws.String("GET") }),
			"HttpMethod must be POST for AWS_PROXY IntegrationType"},
		{"AWS_PROXY without a URI", lambda(func(in *apigatewayv2.CreateIntegrationInput) { in.IntegrationUri = nil }),
			"An integration URI must be specified for integration type AWS_PROXY"},
		{"HTTP_PROXY without a URI", proxy(func(in *apigatewayv2.CreateIntegrationInput) { in.IntegrationUri = nil }),
			"An integration URI must be specified for integration type HTTP_PROXY"},
		{"HTTP_PROXY URI without a scheme", proxy(func(in *apigatewayv2.CreateIntegrationInput) { in.IntegrationUri = aws.String("example.com") }),
			"Invalid integration URI specified: example.com. The URI of a HTTP_PROXY integration must be an absolute http:// or https:// URL"},
		{"AWS_PROXY URI not an ARN", lambda(func(in *apigatewayv2.CreateIntegrationInput) { in.IntegrationUri = aws.String("my-function") }),
			"Invalid integration URI specified: my-function. The URI of a AWS_PROXY integration must be an ARN"},
		{"URI too long", proxy(func(in *apigatewayv2.CreateIntegrationInput) {
			in.IntegrationUri = aws.String("https://example.com/" + strings.Repeat("a", 2029))
		}), "1 validation error detected: Value 'https://example.com/" + strings.Repeat("a", 44) +
			"...' at 'integrationUri' failed to satisfy constraint: Member must have length less than or equal to 2048"},
		{"subtype on HTTP_PROXY", proxy(func(in *apigatewayv2.CreateIntegrationInput) { in.IntegrationSubtype = aws.String("SQS-SendMessage") }),
			"An integration subtype can be specified only for AWS_PROXY integrations, not HTTP_PROXY"},
		{"unknown subtype", &apigatewayv2.CreateIntegrationInput{ApiId: api, IntegrationType: types.IntegrationTypeAwsProxy,
			IntegrationSubtype: aws.String("SQS-Explode"), PayloadFormatVersion: aws.String("1.0")},
			"Invalid integration subtype specified: SQS-Explode. Supported subtypes are AppConfig-GetConfiguration, EventBridge-PutEvents, " +
				"Kinesis-PutRecord, SQS-DeleteMessage, SQS-PurgeQueue, SQS-ReceiveMessage, SQS-SendMessage, StepFunctions-StartExecution, " +
				"StepFunctions-StartSyncExecution, StepFunctions-StopExecution"},
		{"VPC_LINK without connectionId", proxy(func(in *apigatewayv2.CreateIntegrationInput) { in.ConnectionType = types.ConnectionTypeVpcLink }),
			"A connectionId must be specified for connection type VPC_LINK"},
		{"connectionId on the internet", proxy(func(in *apigatewayv2.CreateIntegrationInput) { in.ConnectionId = aws.String("l4er5c") }),
			"A connectionId can be specified only for connection type VPC_LINK"},
		{"VPC_LINK on AWS_PROXY", lambda(func(in *apigatewayv2.CreateIntegrationInput) {
			in.ConnectionType, in.ConnectionId = types.ConnectionTypeVpcLink, aws.String("l4er5c")
		}), "Connection type VPC_LINK is supported only for HTTP_PROXY integrations of an HTTP API"},
		{"contentHandlingStrategy", proxy(func(in *apigatewayv2.CreateIntegrationInput) {
			in.ContentHandlingStrategy = types.ContentHandlingStrategyConvertToText
		}), "contentHandlingStrategy is supported only for WebSocket APIs"},
		{"requestTemplates", proxy(func(in *apigatewayv2.CreateIntegrationInput) {
			in.RequestTemplates = map[string]string{"application/json": "{}"}
		}),
			"requestTemplates are supported only for WebSocket APIs"},
		{"templateSelectionExpression", proxy(func(in *apigatewayv2.CreateIntegrationInput) {
			in.TemplateSelectionExpression = aws.String("\\$default")
		}),
			"templateSelectionExpression is supported only for WebSocket APIs"},
		{"passthroughBehavior NEVER", proxy(func(in *apigatewayv2.CreateIntegrationInput) { in.PassthroughBehavior = types.PassthroughBehaviorNever }),
			"passthroughBehavior is supported only for WebSocket APIs"},
		{"timeout 49", proxy(func(in *apigatewayv2.CreateIntegrationInput) { in.TimeoutInMillis = aws.Int32(49) }),
			"1 validation error detected: Value 49 at 'timeoutInMillis' failed to satisfy constraint: Member must have value greater than or equal to 50"},
		{"timeout 30001", proxy(func(in *apigatewayv2.CreateIntegrationInput) { in.TimeoutInMillis = aws.Int32(30001) }),
			"1 validation error detected: Value 30001 at 'timeoutInMillis' failed to satisfy constraint: Member must have value less than or equal to 30000"},
		{"description too long", proxy(func(in *apigatewayv2.CreateIntegrationInput) { in.Description = aws.String(strings.Repeat("d", 1025)) }),
			"1 validation error detected: Value '" + strings.Repeat("d", 64) + "...' at 'description' failed to satisfy constraint: Member must have length less than or equal to 1024"},
		{"request parameter key", proxy(func(in *apigatewayv2.CreateIntegrationInput) {
			in.RequestParameters = map[string]string{"header.x": "v"}
		}),
			"Invalid mapping expression specified: header.x. Request parameter keys must be append|overwrite|remove:header.{name}, " +
				"append|overwrite|remove:querystring.{name} or overwrite:path"},
		{"request parameter on path with append", proxy(func(in *apigatewayv2.CreateIntegrationInput) {
			in.RequestParameters = map[string]string{"append:path": "/x"}
		}),
			"Invalid mapping expression specified: append:path. Request parameter keys must be append|overwrite|remove:header.{name}, " +
				"append|overwrite|remove:querystring.{name} or overwrite:path"},
		{"reserved request header", proxy(func(in *apigatewayv2.CreateIntegrationInput) {
			in.RequestParameters = map[string]string{"overwrite:header.X-Amzn-Trace-Id": "x"}
		}), "Invalid mapping expression specified: overwrite:header.X-Amzn-Trace-Id. The header is reserved and cannot be mapped"},
		{"response status code 100", proxy(func(in *apigatewayv2.CreateIntegrationInput) {
			in.ResponseParameters = map[string]map[string]string{"100": {"overwrite:statuscode": "200"}}
		}), "Invalid response parameters status code specified: 100. It must be an HTTP status code between 200 and 599"},
		{"response status code 2xx", proxy(func(in *apigatewayv2.CreateIntegrationInput) {
			in.ResponseParameters = map[string]map[string]string{"2xx": {"overwrite:statuscode": "200"}}
		}), "Invalid response parameters status code specified: 2xx. It must be an HTTP status code between 200 and 599"},
		{"response parameter key", proxy(func(in *apigatewayv2.CreateIntegrationInput) {
			in.ResponseParameters = map[string]map[string]string{"500": {"overwrite:body": "x"}}
		}), "Invalid mapping expression specified: overwrite:body. Response parameter keys must be append|overwrite|remove:header.{name} or overwrite:statuscode"},
		{"reserved response header", proxy(func(in *apigatewayv2.CreateIntegrationInput) {
			in.ResponseParameters = map[string]map[string]string{"500": {"overwrite:header.Access-Control-Allow-Origin": "*"}}
		}), "Invalid mapping expression specified: overwrite:header.Access-Control-Allow-Origin. The header is reserved and cannot be mapped"},
	}
	for _, c := range cases {
		_, err := e.c.CreateIntegration(e.ctx, c.in)
		t.Run(c.name, func(t *testing.T) { wantAPIError(t, err, 400, "BadRequestException", c.msg) })
	}
	wantBody(t, "nothing stored", e.raw(t, "GET", "/v2/apis/"+apiID+"/integrations", "", nil), 200, `{"items":[]}`)
}

// TestE2EIntegrationWebSocketRules: what a WebSocket API refuses, and the
// WebSocket-only members that round-trip.
func TestE2EIntegrationWebSocketRules(t *testing.T) {
	e := newEnv(t)
	apiID := e.createWebSocketAPI(t, "chat")
	api := aws.String(apiID)
	mock := func(f func(*apigatewayv2.CreateIntegrationInput)) *apigatewayv2.CreateIntegrationInput {
		in := &apigatewayv2.CreateIntegrationInput{ApiId: api, IntegrationType: types.IntegrationTypeMock}
		f(in)
		return in
	}
	big := strings.Repeat("x", 307201)
	cases := []struct {
		name string
		in   *apigatewayv2.CreateIntegrationInput
		msg  string
	}{
		{"integrationSubtype", mock(func(in *apigatewayv2.CreateIntegrationInput) { in.IntegrationSubtype = aws.String("SQS-SendMessage") }),
			"integrationSubtype is supported only for HTTP APIs"},
		{"responseParameters", mock(func(in *apigatewayv2.CreateIntegrationInput) {
			in.ResponseParameters = map[string]map[string]string{"500": {"overwrite:statuscode": "403"}}
		}), "responseParameters are supported only for HTTP APIs"},
		{"tlsConfig", mock(func(in *apigatewayv2.CreateIntegrationInput) {
			in.TlsConfig = &types.TlsConfigInput{ServerNameToVerify: aws.String("example.com")}
		}), "tlsConfig is supported only for HTTP APIs"},
		{"payload format 2.0", mock(func(in *apigatewayv2.CreateIntegrationInput) { in.PayloadFormatVersion = aws.String("2.0") }),
			"Invalid payload format version specified: 2.0. Supported values for this integration are 1.0"},
		{"timeout 29001", mock(func(in *apigatewayv2.CreateIntegrationInput) { in.TimeoutInMillis = aws.Int32(29001) }),
			"1 validation error detected: Value 29001 at 'timeoutInMillis' failed to satisfy constraint: Member must have value less than or equal to 29000"},
		{"HTTP without a URI", mock(func(in *apigatewayv2.CreateIntegrationInput) {
			in.IntegrationType, in.IntegrationMethod = types.IntegrationTypeHttp, aws.String("GET")
		}), "An integration URI must be specified for integration type HTTP"},
		{"HTTP without a method", mock(func(in *apigatewayv2.CreateIntegrationInput) {
			in.IntegrationType, in.IntegrationUri = types.IntegrationTypeHttp, aws.String("https://example.com")
		}), "An integration method must be specified for integration type HTTP"},
		{"AWS without a URI", mock(func(in *apigatewayv2.CreateIntegrationInput) { in.IntegrationType = types.IntegrationTypeAws }),
			"An integration URI must be specified for integration type AWS"},
		{"AWS_PROXY with PUT", mock(func(in *apigatewayv2.CreateIntegrationInput) {
			in.IntegrationType, in.IntegrationUri, in.IntegrationMethod = types.IntegrationTypeAwsProxy, aws.String(lambdaInvokeARN), aws.String("PUT")
		}), "HttpMethod must be POST for AWS_PROXY IntegrationType"},
		{"request parameter key", mock(func(in *apigatewayv2.CreateIntegrationInput) {
			in.RequestParameters = map[string]string{"method.request.header.x": "'v'"}
		}), "Invalid mapping expression specified: method.request.header.x. Request parameter keys must be integration.request.header.{name}, " +
			"integration.request.querystring.{name} or integration.request.path.{name}"},
		{"request template over 300 KB", mock(func(in *apigatewayv2.CreateIntegrationInput) {
			in.RequestTemplates = map[string]string{"application/json": "{}", "$default": big}
		}), `Invalid request template "$default": the template is 307201 bytes long; a template can be at most 307200 bytes (300 KB)`},
		{"templateSelectionExpression too long", mock(func(in *apigatewayv2.CreateIntegrationInput) {
			in.TemplateSelectionExpression = aws.String(strings.Repeat("t", 1025))
		}), "1 validation error detected: Value '" + strings.Repeat("t", 64) +
			"...' at 'templateSelectionExpression' failed to satisfy constraint: Member must have length less than or equal to 1024"},
	}
	for _, c := range cases {
		_, err := e.c.CreateIntegration(e.ctx, c.in)
		t.Run(c.name, func(t *testing.T) { wantAPIError(t, err, 400, "BadRequestException", c.msg) })
	}
	wantBody(t, "nothing stored", e.raw(t, "GET", "/v2/apis/"+apiID+"/integrations", "", nil), 200, `{"items":[]}`)

	// Terraform's integrationTypeHTTP: every WebSocket-only member, an
	// empty template kept as "", a template of exactly 300 KB.
	exact := strings.Repeat("é", 307200/2) // 300 KB of UTF-8
	out, err := e.c.CreateIntegration(e.ctx, &apigatewayv2.CreateIntegrationInput{ApiId: api, IntegrationType: types.IntegrationTypeHttp,
		ConnectionType: types.ConnectionTypeInternet, ContentHandlingStrategy: types.ContentHandlingStrategyConvertToText,
		Description: aws.String("Test HTTP"), IntegrationMethod: aws.String("GET"), IntegrationUri: aws.String("http://www.example.com"),
		PassthroughBehavior: types.PassthroughBehaviorWhenNoTemplates, TemplateSelectionExpression: aws.String("$request.body.name"),
		TimeoutInMillis:   aws.Int32(28999),
		RequestParameters: map[string]string{"integration.request.querystring.stage": "'value1'"},
		RequestTemplates:  map[string]string{"application/json": "", "text/plain": exact},
	})
	must(t, err)
	if out.RequestTemplates["application/json"] != "" || len(out.RequestTemplates) != 2 || out.RequestTemplates["text/plain"] != exact {
		t.Errorf("request templates: %d of them", len(out.RequestTemplates))
	}
	got, err := e.c.GetIntegration(e.ctx, &apigatewayv2.GetIntegrationInput{ApiId: api, IntegrationId: out.IntegrationId})
	must(t, err)
	if got.ContentHandlingStrategy != types.ContentHandlingStrategyConvertToText || got.PassthroughBehavior != types.PassthroughBehaviorWhenNoTemplates ||
		aws.ToString(got.TemplateSelectionExpression) != "$request.body.name" || aws.ToInt32(got.TimeoutInMillis) != 28999 ||
		aws.ToString(got.Description) != "Test HTTP" || got.RequestParameters["integration.request.querystring.stage"] != "'value1'" ||
		aws.ToString(got.IntegrationResponseSelectionExpression) != "${integration.response.statuscode}" ||
		!maps.Equal(got.RequestTemplates, map[string]string{"application/json": "", "text/plain": exact}) {
		t.Errorf("GetIntegration: %+v", got)
	}

	// Terraform's vpcLinkWebSocket: a REST API VPC link behind a WebSocket
	// HTTP_PROXY integration is accepted (the model says HTTP APIs only).
	vpc, err := e.c.CreateIntegration(e.ctx, &apigatewayv2.CreateIntegrationInput{ApiId: api, IntegrationType: types.IntegrationTypeHttpProxy,
		ConnectionType: types.ConnectionTypeVpcLink, ConnectionId: aws.String("abc123"), IntegrationMethod: aws.String("PUT"),
		IntegrationUri: aws.String("http://www.example.net"), PassthroughBehavior: types.PassthroughBehaviorNever, TimeoutInMillis: aws.Int32(12345)})
	must(t, err)
	e.wantIntegrationBody(t, "VPC link", apiID, *vpc.IntegrationId,
		`{"connectionId":"abc123","connectionType":"VPC_LINK","integrationId":"ID","integrationMethod":"PUT","integrationType":"HTTP_PROXY",`+
			`"integrationUri":"http://www.example.net","passthroughBehavior":"NEVER","payloadFormatVersion":"1.0","timeoutInMillis":12345}`)

	// Selection expressions are stored as given.
	sel, err := e.c.CreateIntegration(e.ctx, &apigatewayv2.CreateIntegrationInput{ApiId: api, IntegrationType: types.IntegrationTypeMock,
		TemplateSelectionExpression: aws.String("\\$default"), RequestTemplates: map[string]string{"$default": `{"statusCode": 200}`}})
	must(t, err)
	e.wantIntegrationBody(t, "selection", apiID, *sel.IntegrationId,
		`{"connectionType":"INTERNET","integrationId":"ID","integrationResponseSelectionExpression":"${integration.response.statuscode}",`+
			`"integrationType":"MOCK","passthroughBehavior":"WHEN_NO_MATCH","payloadFormatVersion":"1.0",`+
			`"requestTemplates":{"$default":"{\"statusCode\": 200}"},"templateSelectionExpression":"\\$default","timeoutInMillis":29000}`)
}

func TestE2EIntegrationNotFound(t *testing.T) {
	e := newEnv(t)
	apiID := e.createWebSocketAPI(t, "chat")
	id := e.createMockIntegration(t, apiID)
	otherAPI := e.createWebSocketAPI(t, "other")
	otherID := e.createMockIntegration(t, otherAPI)

	type call struct {
		name string
		do   func(apiID, id string) error
	}
	calls := []call{
		{"Create", func(a, _ string) error {
			_, err := e.c.CreateIntegration(e.ctx, &apigatewayv2.CreateIntegrationInput{ApiId: aws.String(a), IntegrationType: types.IntegrationTypeMock})
			return err
		}},
		{"List", func(a, _ string) error {
			_, err := e.c.GetIntegrations(e.ctx, &apigatewayv2.GetIntegrationsInput{ApiId: aws.String(a)})
			return err
		}},
		{"Get", func(a, i string) error {
			_, err := e.c.GetIntegration(e.ctx, &apigatewayv2.GetIntegrationInput{ApiId: aws.String(a), IntegrationId: aws.String(i)})
			return err
		}},
		{"Update", func(a, i string) error {
			_, err := e.c.UpdateIntegration(e.ctx, &apigatewayv2.UpdateIntegrationInput{ApiId: aws.String(a), IntegrationId: aws.String(i),
				Description: aws.String("x")})
			return err
		}},
		{"Delete", func(a, i string) error {
			_, err := e.c.DeleteIntegration(e.ctx, &apigatewayv2.DeleteIntegrationInput{ApiId: aws.String(a), IntegrationId: aws.String(i)})
			return err
		}},
	}
	for _, c := range calls {
		t.Run(c.name, func(t *testing.T) {
			wantAPIError(t, c.do("nope123456", id), 404, "NotFoundException", "Invalid API identifier specified 000000000000:nope123456")
			if c.name == "Create" || c.name == "List" {
				return
			}
			wantAPIError(t, c.do(apiID, "zzzzzzz"), 404, "NotFoundException", "Invalid Integration identifier specified zzzzzzz")
			// An integration of another API is not found under this one.
			wantAPIError(t, c.do(apiID, otherID), 404, "NotFoundException", "Invalid Integration identifier specified "+otherID)
		})
	}
	// Nothing above touched the real ones.
	for _, p := range [][2]string{{apiID, id}, {otherAPI, otherID}} {
		got, err := e.c.GetIntegration(e.ctx, &apigatewayv2.GetIntegrationInput{ApiId: aws.String(p[0]), IntegrationId: aws.String(p[1])})
		must(t, err)
		if got.Description != nil {
			t.Errorf("integration %s changed: %+v", p[1], got)
		}
	}
}

func TestE2EUpdateIntegration(t *testing.T) {
	e := newEnv(t)
	apiID := e.createWebSocketAPI(t, "chat")
	api := aws.String(apiID)
	id := e.createMockIntegration(t, apiID)
	in := func() *apigatewayv2.UpdateIntegrationInput {
		return &apigatewayv2.UpdateIntegrationInput{ApiId: api, IntegrationId: aws.String(id)}
	}
	mockBody := `{"connectionType":"INTERNET",%s"integrationId":"ID","integrationResponseSelectionExpression":"${integration.response.statuscode}",` +
		`"integrationType":"MOCK","passthroughBehavior":"WHEN_NO_MATCH","payloadFormatVersion":"1.0",%s"timeoutInMillis":29000}`

	// An update with no members changes nothing; the status is 200.
	up, err := e.c.UpdateIntegration(e.ctx, in())
	must(t, err)
	wantStatus(t, up.ResultMetadata, 200)
	e.wantIntegrationBody(t, "empty update", apiID, id, fmt.Sprintf(mockBody, "", ""))

	// Only the members given change.
	u := in()
	u.Description = aws.String("mock")
	u.TemplateSelectionExpression = aws.String("$request.body.action")
	u.RequestTemplates = map[string]string{"application/json": "{}", "text/plain": "x"}
	u.RequestParameters = map[string]string{"integration.request.header.a": "'1'", "integration.request.header.b": "'2'"}
	up, err = e.c.UpdateIntegration(e.ctx, u)
	must(t, err)
	if aws.ToString(up.Description) != "mock" || len(up.RequestTemplates) != 2 || len(up.RequestParameters) != 2 {
		t.Errorf("update output: %+v", up)
	}
	e.wantIntegrationBody(t, "members set", apiID, id, fmt.Sprintf(mockBody, `"description":"mock",`,
		`"requestParameters":{"integration.request.header.a":"'1'","integration.request.header.b":"'2'"},`+
			`"requestTemplates":{"application/json":"{}","text/plain":"x"},"templateSelectionExpression":"$request.body.action",`))

	// "" clears strings; request parameters merge ("" removes one);
	// request templates given replace the stored ones whole.
	u = in()
	u.Description = aws.String("")
	u.RequestParameters = map[string]string{"integration.request.header.a": "", "integration.request.header.c": "'3'"}
	u.RequestTemplates = map[string]string{"text/plain": "y"}
	_, err = e.c.UpdateIntegration(e.ctx, u)
	must(t, err)
	e.wantIntegrationBody(t, "cleared and merged", apiID, id, fmt.Sprintf(mockBody, "",
		`"requestParameters":{"integration.request.header.b":"'2'","integration.request.header.c":"'3'"},`+
			`"requestTemplates":{"text/plain":"y"},"templateSelectionExpression":"$request.body.action",`))

	// {} clears the templates; removing every parameter clears them.
	u = in()
	u.RequestTemplates = map[string]string{}
	u.RequestParameters = map[string]string{"integration.request.header.b": "", "integration.request.header.c": ""}
	u.TemplateSelectionExpression = aws.String("")
	_, err = e.c.UpdateIntegration(e.ctx, u)
	must(t, err)
	e.wantIntegrationBody(t, "emptied", apiID, id, fmt.Sprintf(mockBody, "", ""))

	// Refused updates leave it as it was.
	stored := fmt.Sprintf(mockBody, "", "")
	for _, bad := range []struct {
		set func(*apigatewayv2.UpdateIntegrationInput)
		msg string
	}{
		{func(u *apigatewayv2.UpdateIntegrationInput) {
			u.IntegrationType, u.Description = types.IntegrationTypeHttp, aws.String("half")
		}, "An integration method must be specified for integration type HTTP"},
		{func(u *apigatewayv2.UpdateIntegrationInput) { u.TimeoutInMillis = aws.Int32(29500) },
			"1 validation error detected: Value 29500 at 'timeoutInMillis' failed to satisfy constraint: Member must have value less than or equal to 29000"},
		{func(u *apigatewayv2.UpdateIntegrationInput) {
			u.TlsConfig = &types.TlsConfigInput{ServerNameToVerify: aws.String("x")}
		},
			"tlsConfig is supported only for HTTP APIs"},
		{func(u *apigatewayv2.UpdateIntegrationInput) { u.ConnectionType = types.ConnectionTypeVpcLink },
			"A connectionId must be specified for connection type VPC_LINK"},
		{func(u *apigatewayv2.UpdateIntegrationInput) {
			u.RequestTemplates = map[string]string{"a": strings.Repeat("v", 307201)}
		},
			`Invalid request template "a": the template is 307201 bytes long; a template can be at most 307200 bytes (300 KB)`},
	} {
		u := in()
		bad.set(u)
		_, err := e.c.UpdateIntegration(e.ctx, u)
		wantAPIError(t, err, 400, "BadRequestException", bad.msg)
		e.wantIntegrationBody(t, "after a refused update", apiID, id, stored)
	}

	// Changing the type re-derives what AWS derives: MOCK to AWS gets POST
	// and the error-message selection expression.
	u = in()
	u.IntegrationType = types.IntegrationTypeAws
	u.IntegrationUri = aws.String(lambdaInvokeARN)
	up, err = e.c.UpdateIntegration(e.ctx, u)
	must(t, err)
	if aws.ToString(up.IntegrationMethod) != "POST" || aws.ToString(up.IntegrationResponseSelectionExpression) != "${integration.response.body.errorMessage}" {
		t.Errorf("MOCK to AWS: %+v", up)
	}
	// "" on the method brings the default back; to AWS_PROXY drops the
	// selection expression.
	u = in()
	u.IntegrationType = types.IntegrationTypeAwsProxy
	u.IntegrationMethod = aws.String("")
	up, err = e.c.UpdateIntegration(e.ctx, u)
	must(t, err)
	e.wantIntegrationBody(t, "AWS_PROXY", apiID, id, `{"connectionType":"INTERNET","integrationId":"ID","integrationMethod":"POST",`+
		`"integrationType":"AWS_PROXY","integrationUri":"`+lambdaInvokeARN+`","passthroughBehavior":"WHEN_NO_MATCH","payloadFormatVersion":"1.0","timeoutInMillis":29000}`)
	// To HTTP with a method and URI: the status-code expression again.
	u = in()
	u.IntegrationType = types.IntegrationTypeHttp
	u.IntegrationMethod = aws.String("GET")
	u.IntegrationUri = aws.String("https://example.com/{proxy}")
	u.ConnectionType = types.ConnectionTypeVpcLink
	u.ConnectionId = aws.String("abc123")
	up, err = e.c.UpdateIntegration(e.ctx, u)
	must(t, err)
	if aws.ToString(up.IntegrationResponseSelectionExpression) != "${integration.response.statuscode}" || aws.ToString(up.ConnectionId) != "abc123" {
		t.Errorf("to HTTP: %+v", up)
	}
	// Back on the internet, the VPC link goes.
	u = in()
	u.ConnectionType = types.ConnectionTypeInternet
	up, err = e.c.UpdateIntegration(e.ctx, u)
	must(t, err)
	if up.ConnectionId != nil || up.ConnectionType != types.ConnectionTypeInternet {
		t.Errorf("back to INTERNET: %+v", up)
	}
}

func TestE2EUpdateIntegrationHTTP(t *testing.T) {
	e := newEnv(t)
	link := e.createVpcLink(t, "private")
	apiID := e.createHTTPAPI(t, "web")
	api := aws.String(apiID)
	out, err := e.c.CreateIntegration(e.ctx, &apigatewayv2.CreateIntegrationInput{ApiId: api, IntegrationType: types.IntegrationTypeHttpProxy,
		ConnectionType: types.ConnectionTypeVpcLink, ConnectionId: aws.String(link), IntegrationMethod: aws.String("ANY"),
		IntegrationUri: aws.String("arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/net/nlb/1/2"), PayloadFormatVersion: aws.String("1.0"),
		TlsConfig:         &types.TlsConfigInput{ServerNameToVerify: aws.String("www.example.com")},
		RequestParameters: map[string]string{"append:header.header1": "$context.requestId", "remove:querystring.qs1": "''"},
		ResponseParameters: map[string]map[string]string{
			"500": {"append:header.header1": "$context.requestId", "overwrite:statuscode": "403"},
			"404": {"append:header.error": "$stageVariables.environmentId"},
		}})
	must(t, err)
	id := *out.IntegrationId
	in := func() *apigatewayv2.UpdateIntegrationInput {
		return &apigatewayv2.UpdateIntegrationInput{ApiId: api, IntegrationId: aws.String(id)}
	}

	// The developer guide's "Remove configured parameter mappings":
	// "" removes a request parameter, {} a status code's mappings. Terraform
	// also sends the integration type and passthroughBehavior.
	u := in()
	u.IntegrationType = types.IntegrationTypeHttpProxy
	u.PassthroughBehavior = types.PassthroughBehaviorWhenNoMatch
	u.RequestParameters = map[string]string{"append:header.header1": "", "overwrite:header.header2": "$stageVariables.environmentId"}
	u.ResponseParameters = map[string]map[string]string{"404": {}, "500": {"overwrite:statuscode": "404"}}
	up, err := e.c.UpdateIntegration(e.ctx, u)
	must(t, err)
	wantStatus(t, up.ResultMetadata, 200)
	e.wantIntegrationBody(t, "merged", apiID, id, `{"connectionId":"`+link+`","connectionType":"VPC_LINK","integrationId":"ID","integrationMethod":"ANY",`+
		`"integrationType":"HTTP_PROXY","integrationUri":"arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/net/nlb/1/2","payloadFormatVersion":"1.0",`+
		`"requestParameters":{"overwrite:header.header2":"$stageVariables.environmentId","remove:querystring.qs1":"''"},`+
		`"responseParameters":{"500":{"append:header.header1":"$context.requestId","overwrite:statuscode":"404"}},`+
		`"timeoutInMillis":30000,"tlsConfig":{"serverNameToVerify":"www.example.com"}}`)

	// Terraform removes a TLS configuration with tlsConfig {}; a mapping
	// emptied key by key goes away; the move to the internet takes the
	// VPC link with it and needs a URL.
	u = in()
	u.TlsConfig = &types.TlsConfigInput{}
	u.ResponseParameters = map[string]map[string]string{"500": {"append:header.header1": "", "overwrite:statuscode": ""}}
	u.ConnectionType = types.ConnectionTypeInternet
	u.IntegrationUri = aws.String("https://example.com")
	_, err = e.c.UpdateIntegration(e.ctx, u)
	must(t, err)
	e.wantIntegrationBody(t, "internet", apiID, id, `{"connectionType":"INTERNET","integrationId":"ID","integrationMethod":"ANY",`+
		`"integrationType":"HTTP_PROXY","integrationUri":"https://example.com","payloadFormatVersion":"1.0",`+
		`"requestParameters":{"overwrite:header.header2":"$stageVariables.environmentId","remove:querystring.qs1":"''"},"timeoutInMillis":30000}`)

	for _, bad := range []struct {
		set func(*apigatewayv2.UpdateIntegrationInput)
		msg string
	}{
		{func(u *apigatewayv2.UpdateIntegrationInput) { u.IntegrationType = types.IntegrationTypeHttp },
			"Currently, an API with a protocol type of HTTP may only be associated with proxy integrations (AWS_PROXY, HTTP_PROXY)"},
		{func(u *apigatewayv2.UpdateIntegrationInput) { u.PayloadFormatVersion = aws.String("") },
			"A payload format version must be specified for integrations of an HTTP API. Supported values are 1.0 and 2.0"},
		// To AWS_PROXY keeps the method ANY, which AWS_PROXY refuses.
		{func(u *apigatewayv2.UpdateIntegrationInput) {
			u.IntegrationType, u.IntegrationUri = types.IntegrationTypeAwsProxy, aws.String(lambdaARN)
		}, "HttpMethod must be POST for AWS_PROXY IntegrationType"},
		{func(u *apigatewayv2.UpdateIntegrationInput) {
			u.ContentHandlingStrategy = types.ContentHandlingStrategyConvertToBinary
		},
			"contentHandlingStrategy is supported only for WebSocket APIs"},
	} {
		u := in()
		bad.set(u)
		_, err := e.c.UpdateIntegration(e.ctx, u)
		wantAPIError(t, err, 400, "BadRequestException", bad.msg)
	}
	// With the method cleared, AWS_PROXY defaults it to POST.
	u = in()
	u.IntegrationType = types.IntegrationTypeAwsProxy
	u.IntegrationUri = aws.String(lambdaARN)
	u.IntegrationMethod = aws.String("")
	u.PayloadFormatVersion = aws.String("2.0")
	u.RequestParameters = map[string]string{"overwrite:header.header2": "", "remove:querystring.qs1": ""}
	up, err = e.c.UpdateIntegration(e.ctx, u)
	must(t, err)
	e.wantIntegrationBody(t, "to Lambda", apiID, id, `{"connectionType":"INTERNET","integrationId":"ID","integrationMethod":"POST",`+
		`"integrationType":"AWS_PROXY","integrationUri":"`+lambdaARN+`","payloadFormatVersion":"2.0","timeoutInMillis":30000}`)
}

func TestE2EDeleteIntegration(t *testing.T) {
	e := newEnv(t)
	apiID := e.createHTTPAPI(t, "web")
	api := aws.String(apiID)
	id := e.createHTTPProxyIntegration(t, apiID)
	other := e.createHTTPProxyIntegration(t, apiID)

	// Two routes target it: 409 naming both, in id order.
	r1, err := e.c.CreateRoute(e.ctx, &apigatewayv2.CreateRouteInput{ApiId: api, RouteKey: aws.String("GET /a"), Target: aws.String("integrations/" + id)})
	must(t, err)
	r2, err := e.c.CreateRoute(e.ctx, &apigatewayv2.CreateRouteInput{ApiId: api, RouteKey: aws.String("GET /b"), Target: aws.String("integrations/" + id)})
	must(t, err)
	e.createRoute(t, apiID, "GET /c")
	ids := []string{*r1.RouteId, *r2.RouteId}
	slices.Sort(ids)
	in := &apigatewayv2.DeleteIntegrationInput{ApiId: api, IntegrationId: aws.String(id)}
	_, err = e.c.DeleteIntegration(e.ctx, in)
	wantAPIError(t, err, 409, "ConflictException", "Cannot delete Integration because it is referenced by the following Routes with Ids: ["+ids[0]+", "+ids[1]+"]")

	// One route left on it: AWS's exact text.
	_, err = e.c.UpdateRoute(e.ctx, &apigatewayv2.UpdateRouteInput{ApiId: api, RouteId: r1.RouteId, Target: aws.String("integrations/" + other)})
	must(t, err)
	_, err = e.c.DeleteIntegration(e.ctx, in)
	wantAPIError(t, err, 409, "ConflictException", "Cannot delete Integration because it is referenced by the following Routes with Ids: ["+*r2.RouteId+"]")

	// Once no route targets it, it goes: 204, then 404.
	_, err = e.c.UpdateRoute(e.ctx, &apigatewayv2.UpdateRouteInput{ApiId: api, RouteId: r2.RouteId, Target: aws.String("")})
	must(t, err)
	out, err := e.c.DeleteIntegration(e.ctx, in)
	must(t, err)
	wantStatus(t, out.ResultMetadata, 204)
	gone := "Invalid Integration identifier specified " + id
	_, err = e.c.GetIntegration(e.ctx, &apigatewayv2.GetIntegrationInput{ApiId: api, IntegrationId: aws.String(id)})
	wantAPIError(t, err, 404, "NotFoundException", gone)
	_, err = e.c.DeleteIntegration(e.ctx, in)
	wantAPIError(t, err, 404, "NotFoundException", gone)
	// A route cannot target it any more.
	_, err = e.c.UpdateRoute(e.ctx, &apigatewayv2.UpdateRouteInput{ApiId: api, RouteId: r2.RouteId, Target: aws.String("integrations/" + id)})
	wantAPIError(t, err, 400, "BadRequestException", "Invalid integration identifier specified "+id)
	list, err := e.c.GetIntegrations(e.ctx, &apigatewayv2.GetIntegrationsInput{ApiId: api})
	must(t, err)
	if len(list.Items) != 1 || aws.ToString(list.Items[0].IntegrationId) != other {
		t.Errorf("integrations left: %+v", list.Items)
	}
	// The raw 204 has no body.
	third := e.createHTTPProxyIntegration(t, apiID)
	wantBody(t, "raw DeleteIntegration", e.raw(t, "DELETE", integrationPath(apiID, third), "", nil), 204, "")

	// DeleteApi takes the integrations with it.
	_, err = e.c.DeleteApi(e.ctx, &apigatewayv2.DeleteApiInput{ApiId: api})
	must(t, err)
	_, err = e.c.GetIntegrations(e.ctx, &apigatewayv2.GetIntegrationsInput{ApiId: api})
	wantAPIError(t, err, 404, "NotFoundException", "Invalid API identifier specified 000000000000:"+apiID)
}

// TestE2ERouteTargetsIntegration: routes.go's target check now meets real
// integrations: one of the same API is accepted, one of another API is 400.
func TestE2ERouteTargetsIntegration(t *testing.T) {
	e := newEnv(t)
	for _, proto := range []string{"WEBSOCKET", "HTTP"} {
		t.Run(proto, func(t *testing.T) {
			var apiID, otherAPI, id, otherID, key, key2 string
			if proto == "HTTP" {
				apiID, otherAPI, key, key2 = e.createHTTPAPI(t, "a"), e.createHTTPAPI(t, "b"), "GET /pets", "GET /other"
				id, otherID = e.createHTTPProxyIntegration(t, apiID), e.createHTTPProxyIntegration(t, otherAPI)
			} else {
				apiID, otherAPI, key, key2 = e.createWebSocketAPI(t, "a"), e.createWebSocketAPI(t, "b"), "$default", "other"
				id, otherID = e.createMockIntegration(t, apiID), e.createMockIntegration(t, otherAPI)
			}
			api := aws.String(apiID)
			r, err := e.c.CreateRoute(e.ctx, &apigatewayv2.CreateRouteInput{ApiId: api, RouteKey: aws.String(key), Target: aws.String("integrations/" + id)})
			must(t, err)
			got, err := e.c.GetRoute(e.ctx, &apigatewayv2.GetRouteInput{ApiId: api, RouteId: r.RouteId})
			must(t, err)
			if aws.ToString(got.Target) != "integrations/"+id {
				t.Errorf("route target %q", aws.ToString(got.Target))
			}
			_, err = e.c.CreateRoute(e.ctx, &apigatewayv2.CreateRouteInput{ApiId: api, RouteKey: aws.String(key2), Target: aws.String("integrations/" + otherID)})
			wantAPIError(t, err, 400, "BadRequestException", "Invalid integration identifier specified "+otherID)
			_, err = e.c.UpdateRoute(e.ctx, &apigatewayv2.UpdateRouteInput{ApiId: api, RouteId: r.RouteId, Target: aws.String("integrations/" + otherID)})
			wantAPIError(t, err, 400, "BadRequestException", "Invalid integration identifier specified "+otherID)
			got, err = e.c.GetRoute(e.ctx, &apigatewayv2.GetRouteInput{ApiId: api, RouteId: r.RouteId})
			must(t, err)
			if aws.ToString(got.Target) != "integrations/"+id {
				t.Errorf("route target after a refused update %q", aws.ToString(got.Target))
			}
		})
	}
}

func TestE2EGetIntegrationsPaging(t *testing.T) {
	e := newEnv(t)
	apiID := e.createWebSocketAPI(t, "chat")
	in := func(max, token *string) *apigatewayv2.GetIntegrationsInput {
		return &apigatewayv2.GetIntegrationsInput{ApiId: aws.String(apiID), MaxResults: max, NextToken: token}
	}
	empty, err := e.c.GetIntegrations(e.ctx, in(nil, nil))
	must(t, err)
	if empty.Items == nil || len(empty.Items) != 0 || empty.NextToken != nil {
		t.Fatalf("no integrations: items %#v, nextToken %v", empty.Items, empty.NextToken)
	}
	wantBody(t, "raw empty page", e.raw(t, "GET", "/v2/apis/"+apiID+"/integrations?maxResults=1", "", nil), 200, `{"items":[]}`)

	var ids []string
	for range 5 {
		ids = append(ids, e.createMockIntegration(t, apiID))
	}
	slices.Sort(ids)
	var seen []string
	var token *string
	pages := 0
	for {
		page, err := e.c.GetIntegrations(e.ctx, in(aws.String("2"), token))
		must(t, err)
		pages++
		if len(page.Items) > 2 {
			t.Fatalf("page of %d items", len(page.Items))
		}
		for _, it := range page.Items {
			seen = append(seen, aws.ToString(it.IntegrationId))
		}
		if token = page.NextToken; token == nil {
			break
		}
	}
	if pages != 3 || !slices.Equal(seen, ids) {
		t.Errorf("%d pages, ids %v, want 3 pages of %v", pages, seen, ids)
	}
	for _, bad := range []string{"0", "abc"} {
		_, err = e.c.GetIntegrations(e.ctx, in(aws.String(bad), nil))
		wantAPIError(t, err, 400, "BadRequestException", `Invalid maxResults specified: "`+bad+`". It must be a positive integer.`)
	}
	_, err = e.c.GetIntegrations(e.ctx, in(nil, aws.String("***")))
	wantAPIError(t, err, 400, "BadRequestException", "Invalid nextToken specified")
}

// TestWireCreateIntegration: the raw 201 body holds exactly the members
// that are set, with the types AWS uses (timeoutInMillis a number).
func TestWireCreateIntegration(t *testing.T) {
	e := newEnv(t)
	apiID := e.createWebSocketAPI(t, "chat")
	r := e.raw(t, "POST", "/v2/apis/"+apiID+"/integrations", `{"integrationType":"MOCK"}`, nil)
	checkWire(t, "CreateIntegration", r, 201)
	m := decodeObject(t, "CreateIntegration", r.body)
	id, _ := m["integrationId"].(string)
	if !integrationIDPattern.MatchString(id) {
		t.Fatalf("integrationId %q", id)
	}
	want := `{"connectionType":"INTERNET","integrationId":"` + id + `","integrationResponseSelectionExpression":"${integration.response.statuscode}",` +
		`"integrationType":"MOCK","passthroughBehavior":"WHEN_NO_MATCH","payloadFormatVersion":"1.0","timeoutInMillis":29000}`
	if r.body != want {
		t.Errorf("CreateIntegration body\n got %s\nwant %s", r.body, want)
	}
	// A raw client may send what the SDK would not: an unknown type is the
	// model's enum error; "" members are unset, and so is a request
	// parameter mapped to "" [I].
	wantRawError(t, "bad type", e.raw(t, "POST", "/v2/apis/"+apiID+"/integrations", `{"integrationType":"LAMBDA"}`, nil), 400, "BadRequestException",
		"1 validation error detected: Value 'LAMBDA' at 'integrationType' failed to satisfy constraint: Member must satisfy enum value set: [AWS, HTTP, MOCK, HTTP_PROXY, AWS_PROXY]")
	r = e.raw(t, "POST", "/v2/apis/"+apiID+"/integrations", `{"integrationType":"MOCK","description":"","integrationUri":"","requestTemplates":{},"requestParameters":{"integration.request.header.x":""}}`, nil)
	checkWire(t, "CreateIntegration with empty members", r, 201)
	wantKeys(t, "CreateIntegration with empty members", decodeObject(t, "empty members", r.body), "connectionType", "integrationId",
		"integrationResponseSelectionExpression", "integrationType", "passthroughBehavior", "payloadFormatVersion", "timeoutInMillis")
	r = e.raw(t, "PATCH", integrationPath(apiID, id), `{"description":"d"}`, nil)
	checkWire(t, "UpdateIntegration", r, 200)
	if decodeObject(t, "UpdateIntegration", r.body)["description"] != "d" {
		t.Errorf("UpdateIntegration: %s", r.body)
	}
}

// TestE2EIntegrationAutoDeploy: integration changes are API changes: an
// autoDeploy stage gets a new deployment for each, and a refused change
// makes none.
func TestE2EIntegrationAutoDeploy(t *testing.T) {
	e := newEnv(t)
	apiID := e.createWebSocketAPI(t, "chat")
	api := aws.String(apiID)
	e.createRoute(t, apiID, "$default")
	stage, err := e.c.CreateStage(e.ctx, &apigatewayv2.CreateStageInput{ApiId: api, StageName: aws.String("auto"), AutoDeploy: aws.Bool(true)})
	must(t, err)
	deployment := func() string {
		t.Helper()
		st, err := e.c.GetStage(e.ctx, &apigatewayv2.GetStageInput{ApiId: api, StageName: aws.String("auto")})
		must(t, err)
		return aws.ToString(st.DeploymentId)
	}
	last := aws.ToString(stage.DeploymentId)
	step := func(what string, changed bool) {
		t.Helper()
		now := deployment()
		if (now != last) != changed {
			t.Errorf("%s: deployment %s -> %s, want a new one: %v", what, last, now, changed)
		}
		last = now
	}
	id := e.createMockIntegration(t, apiID)
	step("CreateIntegration", true)
	_, err = e.c.UpdateIntegration(e.ctx, &apigatewayv2.UpdateIntegrationInput{ApiId: api, IntegrationId: aws.String(id), Description: aws.String("d")})
	must(t, err)
	step("UpdateIntegration", true)
	_, err = e.c.UpdateIntegration(e.ctx, &apigatewayv2.UpdateIntegrationInput{ApiId: api, IntegrationId: aws.String(id), TimeoutInMillis: aws.Int32(29999)})
	wantAPIError(t, err, 400, "BadRequestException",
		"1 validation error detected: Value 29999 at 'timeoutInMillis' failed to satisfy constraint: Member must have value less than or equal to 29000")
	step("refused UpdateIntegration", false)
	_, err = e.c.GetIntegration(e.ctx, &apigatewayv2.GetIntegrationInput{ApiId: api, IntegrationId: aws.String(id)})
	must(t, err)
	step("GetIntegration", false)
	e.createIntegrationResponse(t, apiID, id, "$default")
	step("CreateIntegrationResponse", true)
	_, err = e.c.DeleteIntegration(e.ctx, &apigatewayv2.DeleteIntegrationInput{ApiId: api, IntegrationId: aws.String(id)})
	must(t, err)
	step("DeleteIntegration", true)
}

// TestE2EIntegrationsSurviveRestart: integrations and their responses are
// read back, member for member, by a new Portico on the same SQLite file.
func TestE2EIntegrationsSurviveRestart(t *testing.T) {
	e := newEnv(t)
	apiID := e.createWebSocketAPI(t, "chat")
	out, err := e.c.CreateIntegration(e.ctx, &apigatewayv2.CreateIntegrationInput{ApiId: aws.String(apiID), IntegrationType: types.IntegrationTypeHttp,
		IntegrationMethod: aws.String("POST"), IntegrationUri: aws.String("https://example.com"),
		RequestTemplates: map[string]string{"$default": `{"action":"$input.path('$.action')"}`}, TemplateSelectionExpression: aws.String("\\$default")})
	must(t, err)
	ir := e.createIntegrationResponse(t, apiID, *out.IntegrationId, "/2\\d\\d/")
	before := e.raw(t, "GET", integrationPath(apiID, *out.IntegrationId), "", nil)
	beforeIR := e.raw(t, "GET", integrationPath(apiID, *out.IntegrationId)+"/integrationresponses/"+ir, "", nil)
	e.restart(t)
	wantBody(t, "integration after restart", e.raw(t, "GET", integrationPath(apiID, *out.IntegrationId), "", nil), 200, before.body)
	wantBody(t, "integration response after restart", e.raw(t, "GET", integrationPath(apiID, *out.IntegrationId)+"/integrationresponses/"+ir, "", nil),
		200, beforeIR.body)
}

// TestTemplatesParsedWhenSaved: a mapping template or selection expression
// that cannot run is refused when it is saved, saying where it fails.
func TestTemplatesParsedWhenSaved(t *testing.T) {
	e := newEnv(t)
	apiID := e.createWebSocketAPI(t, "ws")
	_, err := e.c.CreateIntegration(e.ctx, &apigatewayv2.CreateIntegrationInput{ApiId: &apiID, IntegrationType: types.IntegrationTypeMock,
		RequestTemplates: map[string]string{"$default": "{\n  #if($x\n}"}})
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "BadRequestException" ||
		!strings.HasPrefix(apiErr.ErrorMessage(), `Invalid mapping expression specified: request template "$default": line 3, column 1: expected ")" to close #if`) {
		t.Fatalf("bad template: %v", err)
	}
	_, err = e.c.CreateIntegration(e.ctx, &apigatewayv2.CreateIntegrationInput{ApiId: &apiID, IntegrationType: types.IntegrationTypeMock,
		TemplateSelectionExpression: aws.String("${request.body.action")})
	wantAPIError(t, err, 400, "BadRequestException", "Invalid templateSelectionExpression specified: ${request.body.action (at character 1: unclosed ${)")
	in, err := e.c.CreateIntegration(e.ctx, &apigatewayv2.CreateIntegrationInput{ApiId: &apiID, IntegrationType: types.IntegrationTypeMock})
	must(t, err)
	_, err = e.c.CreateIntegrationResponse(e.ctx, &apigatewayv2.CreateIntegrationResponseInput{ApiId: &apiID, IntegrationId: in.IntegrationId,
		IntegrationResponseKey: aws.String("$default"), ResponseTemplates: map[string]string{"$default": "#foreach($x in [1..3])$x"}})
	if !errors.As(err, &apiErr) || !strings.HasPrefix(apiErr.ErrorMessage(), `Invalid mapping expression specified: response template "$default": line 1, column`) {
		t.Fatalf("bad response template: %v", err)
	}
}
