package apigw_test

// Authorizers end to end: the real SDK client against a real listener and a
// real SQLite file. Where a behaviour is Portico's guess ([I] in
// authorizers.go and messages_authorizers.go), the test says so, so that a
// change after evidence from AWS changes the test on purpose.

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"

	"github.com/portico-dev/portico/internal/apigw"
	"github.com/portico-dev/portico/internal/store"
)

var authorizerIDPattern = regexp.MustCompile(`^[a-z0-9]{6}$`)

const (
	// The JWT authorizer of the AWS CLI example (create-authorizer.rst).
	cognitoIssuer = "https://cognito-idp.us-west-2.amazonaws.com/us-west-2_abc123"
	roleARN       = "arn:aws:iam::123456789012:role/apigAwsProxyRole"
)

func authorizerPath(apiID, id string) string { return "/v2/apis/" + apiID + "/authorizers/" + id }

// createJWTAuthorizer creates the CLI example's JWT authorizer under name
// and returns its id.
func (e *env) createJWTAuthorizer(t *testing.T, apiID, name string) string {
	t.Helper()
	out, err := e.c.CreateAuthorizer(e.ctx, &apigatewayv2.CreateAuthorizerInput{
		ApiId: aws.String(apiID), Name: aws.String(name), AuthorizerType: types.AuthorizerTypeJwt,
		IdentitySource:   []string{"$request.header.Authorization"},
		JwtConfiguration: &types.JWTConfiguration{Audience: []string{"123456abc"}, Issuer: aws.String(cognitoIssuer)},
	})
	must(t, err)
	if !authorizerIDPattern.MatchString(aws.ToString(out.AuthorizerId)) {
		t.Fatalf("authorizerId %q does not match %s", aws.ToString(out.AuthorizerId), authorizerIDPattern)
	}
	return *out.AuthorizerId
}

// createLambdaAuthorizer creates a REQUEST authorizer with the fewest
// members the API's protocol allows and returns its id.
func (e *env) createLambdaAuthorizer(t *testing.T, apiID, name string, ws bool) string {
	t.Helper()
	in := &apigatewayv2.CreateAuthorizerInput{ApiId: aws.String(apiID), Name: aws.String(name),
		AuthorizerType: types.AuthorizerTypeRequest, AuthorizerUri: aws.String(lambdaInvokeARN),
		IdentitySource: []string{"$request.header.Authorization"}, AuthorizerPayloadFormatVersion: aws.String("2.0")}
	if ws {
		in.IdentitySource, in.AuthorizerPayloadFormatVersion = []string{"route.request.header.Authorization"}, nil
	}
	out, err := e.c.CreateAuthorizer(e.ctx, in)
	must(t, err)
	return *out.AuthorizerId
}

// wantAuthorizerBody reads an authorizer with a raw GET and checks its exact
// JSON; body holds ID where the authorizer id goes.
func (e *env) wantAuthorizerBody(t *testing.T, what, apiID, id, body string) {
	t.Helper()
	wantBody(t, what, e.raw(t, "GET", authorizerPath(apiID, id), "", nil), 200, strings.ReplaceAll(body, "ID", id))
}

// TestE2ECreateJWTAuthorizer: the CLI example, member for member: a JWT
// authorizer has no Lambda members, not even defaults (moto's capture of a
// real CreateAuthorizer shows the same).
func TestE2ECreateJWTAuthorizer(t *testing.T) {
	e := newEnv(t)
	apiID := e.createHTTPAPI(t, "http")
	out, err := e.c.CreateAuthorizer(e.ctx, &apigatewayv2.CreateAuthorizerInput{
		ApiId: aws.String(apiID), Name: aws.String("my-jwt-authorizer"), AuthorizerType: types.AuthorizerTypeJwt,
		IdentitySource:   []string{"$request.header.Authorization"},
		JwtConfiguration: &types.JWTConfiguration{Audience: []string{"123456abc"}, Issuer: aws.String(cognitoIssuer)},
	})
	must(t, err)
	wantStatus(t, out.ResultMetadata, 201)
	id := aws.ToString(out.AuthorizerId)
	if !authorizerIDPattern.MatchString(id) {
		t.Fatalf("authorizerId %q", id)
	}
	if out.AuthorizerType != types.AuthorizerTypeJwt || aws.ToString(out.Name) != "my-jwt-authorizer" ||
		out.AuthorizerResultTtlInSeconds != nil || out.EnableSimpleResponses != nil || out.AuthorizerPayloadFormatVersion != nil ||
		out.JwtConfiguration == nil || aws.ToString(out.JwtConfiguration.Issuer) != cognitoIssuer {
		t.Errorf("create output: %+v", out)
	}
	const body = `{"authorizerId":"ID","authorizerType":"JWT","identitySource":["$request.header.Authorization"],` +
		`"jwtConfiguration":{"audience":["123456abc"],"issuer":"` + cognitoIssuer + `"},"name":"my-jwt-authorizer"}`
	e.wantAuthorizerBody(t, "GetAuthorizer", apiID, id, body)

	got, err := e.c.GetAuthorizer(e.ctx, &apigatewayv2.GetAuthorizerInput{ApiId: aws.String(apiID), AuthorizerId: aws.String(id)})
	must(t, err)
	wantStatus(t, got.ResultMetadata, 200)
	if aws.ToString(got.AuthorizerId) != id || len(got.JwtConfiguration.Audience) != 1 || got.IdentitySource[0] != "$request.header.Authorization" {
		t.Errorf("GetAuthorizer: %+v", got)
	}

	// A query string parameter is the other identity source JWT takes
	// (API reference); false and 0 for Lambda members are dropped [I].
	q, err := e.c.CreateAuthorizer(e.ctx, &apigatewayv2.CreateAuthorizerInput{
		ApiId: aws.String(apiID), Name: aws.String("query"), AuthorizerType: types.AuthorizerTypeJwt,
		IdentitySource:        []string{"$request.querystring.token"},
		JwtConfiguration:      &types.JWTConfiguration{Audience: []string{"a", "b"}, Issuer: aws.String("http://127.0.0.1:9999/realm")},
		EnableSimpleResponses: aws.Bool(false), AuthorizerResultTtlInSeconds: aws.Int32(0),
	})
	must(t, err)
	e.wantAuthorizerBody(t, "query JWT authorizer", apiID, *q.AuthorizerId,
		`{"authorizerId":"ID","authorizerType":"JWT","identitySource":["$request.querystring.token"],`+
			`"jwtConfiguration":{"audience":["a","b"],"issuer":"http://127.0.0.1:9999/realm"},"name":"query"}`)
}

// TestE2ECreateLambdaAuthorizerHTTP: a REQUEST authorizer of an HTTP API
// (developer guide example; Terraform's HTTPAPILambdaRequestAuthorizer
// tests). The TTL defaults to 0 and enableSimpleResponses to false, both
// returned [I].
func TestE2ECreateLambdaAuthorizerHTTP(t *testing.T) {
	e := newEnv(t)
	apiID := e.createHTTPAPI(t, "http")
	out, err := e.c.CreateAuthorizer(e.ctx, &apigatewayv2.CreateAuthorizerInput{
		ApiId: aws.String(apiID), Name: aws.String("lambda-authorizer"), AuthorizerType: types.AuthorizerTypeRequest,
		IdentitySource: []string{"$request.header.Authorization"}, AuthorizerUri: aws.String(lambdaInvokeARN),
		AuthorizerPayloadFormatVersion: aws.String("2.0"), EnableSimpleResponses: aws.Bool(true),
	})
	must(t, err)
	wantStatus(t, out.ResultMetadata, 201)
	if aws.ToInt32(out.AuthorizerResultTtlInSeconds) != 0 || out.AuthorizerResultTtlInSeconds == nil || !aws.ToBool(out.EnableSimpleResponses) {
		t.Errorf("create output: %+v", out)
	}
	e.wantAuthorizerBody(t, "simple 2.0", apiID, *out.AuthorizerId,
		`{"authorizerId":"ID","authorizerPayloadFormatVersion":"2.0","authorizerResultTtlInSeconds":0,"authorizerType":"REQUEST",`+
			`"authorizerUri":"`+lambdaInvokeARN+`","enableSimpleResponses":true,"identitySource":["$request.header.Authorization"],"name":"lambda-authorizer"}`)
}

// TestE2ECreateLambdaAuthorizerWebSocket: a WebSocket REQUEST authorizer
// has no payload format version, TTL or simple responses, and may have no
// identity source (Terraform's TestAccAPIGatewayV2Authorizer_basic and
// _credentials, run against AWS).
func TestE2ECreateLambdaAuthorizerWebSocket(t *testing.T) {
	e := newEnv(t)
	apiID := e.createWebSocketAPI(t, "ws")
	bare, err := e.c.CreateAuthorizer(e.ctx, &apigatewayv2.CreateAuthorizerInput{
		ApiId: aws.String(apiID), Name: aws.String("bare"), AuthorizerType: types.AuthorizerTypeRequest,
		AuthorizerUri: aws.String(lambdaInvokeARN), IdentitySource: []string{},
	})
	must(t, err)
	wantStatus(t, bare.ResultMetadata, 201)
	e.wantAuthorizerBody(t, "bare", apiID, *bare.AuthorizerId,
		`{"authorizerId":"ID","authorizerType":"REQUEST","authorizerUri":"`+lambdaInvokeARN+`","name":"bare"}`)

	full, err := e.c.CreateAuthorizer(e.ctx, &apigatewayv2.CreateAuthorizerInput{
		ApiId: aws.String(apiID), Name: aws.String("full"), AuthorizerType: types.AuthorizerTypeRequest,
		AuthorizerUri: aws.String(lambdaInvokeARN), AuthorizerCredentialsArn: aws.String(roleARN),
		IdentitySource:               []string{"route.request.header.Auth", "route.request.querystring.Name", "stageVariables.v", "context.routeKey"},
		IdentityValidationExpression: aws.String("^x$"),
	})
	must(t, err)
	e.wantAuthorizerBody(t, "full", apiID, *full.AuthorizerId,
		`{"authorizerCredentialsArn":"`+roleARN+`","authorizerId":"ID","authorizerType":"REQUEST","authorizerUri":"`+lambdaInvokeARN+`",`+
			`"identitySource":["route.request.header.Auth","route.request.querystring.Name","stageVariables.v","context.routeKey"],`+
			`"identityValidationExpression":"^x$","name":"full"}`)
	// A TTL of 0 says nothing and is dropped [I]; false likewise.
	zero, err := e.c.CreateAuthorizer(e.ctx, &apigatewayv2.CreateAuthorizerInput{
		ApiId: aws.String(apiID), Name: aws.String("zero"), AuthorizerType: types.AuthorizerTypeRequest,
		AuthorizerUri: aws.String(lambdaInvokeARN), IdentitySource: []string{}, AuthorizerResultTtlInSeconds: aws.Int32(0),
		EnableSimpleResponses: aws.Bool(false),
	})
	must(t, err)
	if zero.AuthorizerResultTtlInSeconds != nil || zero.EnableSimpleResponses != nil {
		t.Errorf("WebSocket authorizer with TTL 0: %+v", zero)
	}
}

// TestE2EHTTPLambdaAuthorizerCaching: Terraform's HTTPAPILambdaRequest
// configurations: a TTL with identity sources of every kind, TTL 0 without
// identity sources, and payload format 1.0.
func TestE2EHTTPLambdaAuthorizerCaching(t *testing.T) {
	e := newEnv(t)
	apiID := e.createHTTPAPI(t, "http")
	cached, err := e.c.CreateAuthorizer(e.ctx, &apigatewayv2.CreateAuthorizerInput{
		ApiId: aws.String(apiID), Name: aws.String("cached"), AuthorizerType: types.AuthorizerTypeRequest,
		AuthorizerUri: aws.String(lambdaInvokeARN), AuthorizerPayloadFormatVersion: aws.String("1.0"),
		AuthorizerResultTtlInSeconds: aws.Int32(3600), AuthorizerCredentialsArn: aws.String(roleARN),
		IdentitySource: []string{"$request.querystring.User", "$context.routeKey", "$stageVariables.tenant", "$request.header.X-Api-Key"},
	})
	must(t, err)
	e.wantAuthorizerBody(t, "cached", apiID, *cached.AuthorizerId,
		`{"authorizerCredentialsArn":"`+roleARN+`","authorizerId":"ID","authorizerPayloadFormatVersion":"1.0","authorizerResultTtlInSeconds":3600,`+
			`"authorizerType":"REQUEST","authorizerUri":"`+lambdaInvokeARN+`","enableSimpleResponses":false,`+
			`"identitySource":["$request.querystring.User","$context.routeKey","$stageVariables.tenant","$request.header.X-Api-Key"],"name":"cached"}`)
	none, err := e.c.CreateAuthorizer(e.ctx, &apigatewayv2.CreateAuthorizerInput{
		ApiId: aws.String(apiID), Name: aws.String("none"), AuthorizerType: types.AuthorizerTypeRequest,
		AuthorizerUri: aws.String(lambdaInvokeARN), AuthorizerPayloadFormatVersion: aws.String("2.0"),
		EnableSimpleResponses: aws.Bool(true), IdentitySource: []string{},
	})
	must(t, err)
	e.wantAuthorizerBody(t, "no identity sources", apiID, *none.AuthorizerId,
		`{"authorizerId":"ID","authorizerPayloadFormatVersion":"2.0","authorizerResultTtlInSeconds":0,"authorizerType":"REQUEST",`+
			`"authorizerUri":"`+lambdaInvokeARN+`","enableSimpleResponses":true,"name":"none"}`)
}

// TestE2ECreateAuthorizerErrors: every refused create, with its exact
// status, type and message, and none of them leaves an authorizer behind.
func TestE2ECreateAuthorizerErrors(t *testing.T) {
	e := newEnv(t)
	http := aws.String(e.createHTTPAPI(t, "http"))
	ws := aws.String(e.createWebSocketAPI(t, "ws"))
	jwt := func(api *string, mod func(*apigatewayv2.CreateAuthorizerInput)) apigatewayv2.CreateAuthorizerInput {
		in := apigatewayv2.CreateAuthorizerInput{ApiId: api, Name: aws.String("a"), AuthorizerType: types.AuthorizerTypeJwt,
			IdentitySource:   []string{"$request.header.Authorization"},
			JwtConfiguration: &types.JWTConfiguration{Audience: []string{"aud"}, Issuer: aws.String(cognitoIssuer)}}
		mod(&in)
		return in
	}
	lambda := func(api *string, mod func(*apigatewayv2.CreateAuthorizerInput)) apigatewayv2.CreateAuthorizerInput {
		in := apigatewayv2.CreateAuthorizerInput{ApiId: api, Name: aws.String("a"), AuthorizerType: types.AuthorizerTypeRequest,
			AuthorizerUri: aws.String(lambdaInvokeARN), IdentitySource: []string{"$request.header.Authorization"}}
		if api == http {
			in.AuthorizerPayloadFormatVersion = aws.String("2.0")
		} else {
			in.IdentitySource = []string{"route.request.header.Authorization"}
		}
		mod(&in)
		return in
	}
	const httpSources = "$request.header.{name}, $request.querystring.{name}, $context.{variable} or $stageVariables.{name}"
	const wsSources = "route.request.header.{name}, route.request.querystring.{name}, stageVariables.{name} or context.{name}"
	cases := []struct {
		name string
		in   apigatewayv2.CreateAuthorizerInput
		msg  string
	}{
		// Names (model: 1 to 128 characters).
		{"empty name", jwt(http, func(in *apigatewayv2.CreateAuthorizerInput) { in.Name = aws.String("") }),
			"1 validation error detected: Value '' at 'name' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"long name", jwt(http, func(in *apigatewayv2.CreateAuthorizerInput) { in.Name = aws.String(strings.Repeat("n", 129)) }),
			"1 validation error detected: Value '" + strings.Repeat("n", 64) + "...' at 'name' failed to satisfy constraint: Member must have length less than or equal to 128"},
		{"TTL above 3600", lambda(http, func(in *apigatewayv2.CreateAuthorizerInput) { in.AuthorizerResultTtlInSeconds = aws.Int32(3601) }),
			"1 validation error detected: Value 3601 at 'authorizerResultTtlInSeconds' failed to satisfy constraint: Member must have value less than or equal to 3600"},

		// JWT.
		{"JWT on WebSocket [I]", jwt(ws, func(*apigatewayv2.CreateAuthorizerInput) {}),
			"Authorizer type JWT is supported only for HTTP APIs"},
		{"JWT without configuration [I]", jwt(http, func(in *apigatewayv2.CreateAuthorizerInput) { in.JwtConfiguration = nil }),
			"JwtConfiguration is a required parameter for JWT authorizer"},
		{"JWT without issuer [I]", jwt(http, func(in *apigatewayv2.CreateAuthorizerInput) { in.JwtConfiguration.Issuer = nil }),
			"Issuer is a required parameter for JWT authorizer"},
		{"JWT issuer not a URL [V]", jwt(http, func(in *apigatewayv2.CreateAuthorizerInput) {
			in.JwtConfiguration.Issuer = aws.String("cognito-idp.us-west-2.amazonaws.com/us-west-2_abc123")
		}), "Invalid issuer: Issuer is not a valid URL for JWT Authorizer"},
		{"JWT without audience [I]", jwt(http, func(in *apigatewayv2.CreateAuthorizerInput) { in.JwtConfiguration.Audience = nil }),
			"Audience is a required parameter for JWT authorizer"},
		{"JWT with 51 audiences [I]", jwt(http, func(in *apigatewayv2.CreateAuthorizerInput) {
			in.JwtConfiguration.Audience = strings.Split(strings.Repeat("a,", 50)+"a", ",")
		}), "Too many audiences: a JWT authorizer can have at most 50"},
		{"JWT with two identity sources [I]", jwt(http, func(in *apigatewayv2.CreateAuthorizerInput) {
			in.IdentitySource = []string{"$request.header.A", "$request.header.B"}
		}), "A JWT authorizer must have exactly one identity source"},
		{"JWT with no identity source [I]", jwt(http, func(in *apigatewayv2.CreateAuthorizerInput) { in.IdentitySource = []string{} }),
			"A JWT authorizer must have exactly one identity source"},
		{"JWT from a context variable [I]", jwt(http, func(in *apigatewayv2.CreateAuthorizerInput) { in.IdentitySource = []string{"$context.routeKey"} }),
			"Invalid identity source specified: $context.routeKey. Identity sources must be $request.header.{name} or $request.querystring.{name}"},
		{"JWT with a Lambda URI [I]", jwt(http, func(in *apigatewayv2.CreateAuthorizerInput) { in.AuthorizerUri = aws.String(lambdaInvokeARN) }),
			"authorizerUri is supported only for REQUEST authorizers"},
		{"JWT with a TTL [I]", jwt(http, func(in *apigatewayv2.CreateAuthorizerInput) { in.AuthorizerResultTtlInSeconds = aws.Int32(60) }),
			"authorizerResultTtlInSeconds is supported only for REQUEST authorizers"},
		{"JWT with simple responses [I]", jwt(http, func(in *apigatewayv2.CreateAuthorizerInput) { in.EnableSimpleResponses = aws.Bool(true) }),
			"enableSimpleResponses is supported only for REQUEST authorizers"},
		{"JWT with a payload format version [I]", jwt(http, func(in *apigatewayv2.CreateAuthorizerInput) {
			in.AuthorizerPayloadFormatVersion = aws.String("2.0")
		}), "authorizerPayloadFormatVersion is supported only for REQUEST authorizers"},

		// REQUEST on HTTP APIs.
		{"HTTP REQUEST without payload format version [V]", lambda(http, func(in *apigatewayv2.CreateAuthorizerInput) {
			in.AuthorizerPayloadFormatVersion = nil
		}), "AuthorizerPayloadFormatVersion is a required parameter for REQUEST authorizer"},
		{"payload format version 3.0 [I]", lambda(http, func(in *apigatewayv2.CreateAuthorizerInput) {
			in.AuthorizerPayloadFormatVersion = aws.String("3.0")
		}), "Invalid AuthorizerPayloadFormatVersion specified: 3.0. Supported values are 1.0 and 2.0"},
		{"simple responses with 1.0 [I]", lambda(http, func(in *apigatewayv2.CreateAuthorizerInput) {
			in.AuthorizerPayloadFormatVersion, in.EnableSimpleResponses = aws.String("1.0"), aws.Bool(true)
		}), "EnableSimpleResponses can be set only for AuthorizerPayloadFormatVersion 2.0"},
		{"caching without identity source [I]", lambda(http, func(in *apigatewayv2.CreateAuthorizerInput) {
			in.AuthorizerResultTtlInSeconds, in.IdentitySource = aws.Int32(60), []string{}
		}), "An identity source must be specified when authorizer caching is enabled (AuthorizerResultTtlInSeconds greater than 0)"},
		{"WebSocket identity source on HTTP [I]", lambda(http, func(in *apigatewayv2.CreateAuthorizerInput) {
			in.IdentitySource = []string{"route.request.header.Authorization"}
		}), "Invalid identity source specified: route.request.header.Authorization. Identity sources must be " + httpSources},
		{"REST identity source on HTTP [I]", lambda(http, func(in *apigatewayv2.CreateAuthorizerInput) {
			in.IdentitySource = []string{"method.request.header.Authorization"}
		}), "Invalid identity source specified: method.request.header.Authorization. Identity sources must be " + httpSources},
		{"body as identity source [I]", lambda(http, func(in *apigatewayv2.CreateAuthorizerInput) {
			in.IdentitySource = []string{"$request.body.token"}
		}), "Invalid identity source specified: $request.body.token. Identity sources must be " + httpSources},
		{"REQUEST without URI [I]", lambda(http, func(in *apigatewayv2.CreateAuthorizerInput) { in.AuthorizerUri = nil }),
			"AuthorizerUri is a required parameter for REQUEST authorizer"},
		{"REQUEST with a function ARN as URI [I]", lambda(http, func(in *apigatewayv2.CreateAuthorizerInput) { in.AuthorizerUri = aws.String(lambdaARN) }),
			"Invalid authorizer URI specified: " + lambdaARN + ". The URI of a REQUEST authorizer must be a Lambda function invocation URI: " +
				"arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{functionArn}/invocations"},
		{"REQUEST with a JWT configuration [I]", lambda(http, func(in *apigatewayv2.CreateAuthorizerInput) {
			in.JwtConfiguration = &types.JWTConfiguration{Audience: []string{"a"}, Issuer: aws.String(cognitoIssuer)}
		}), "jwtConfiguration is supported only for JWT authorizers"},
		{"credentials not a role [I]", lambda(http, func(in *apigatewayv2.CreateAuthorizerInput) { in.AuthorizerCredentialsArn = aws.String("role") }),
			"Invalid authorizer credentials specified: role. AuthorizerCredentialsArn must be the ARN of an IAM role"},

		// REQUEST on WebSocket APIs.
		{"WebSocket with payload format version [L]", lambda(ws, func(in *apigatewayv2.CreateAuthorizerInput) {
			in.AuthorizerPayloadFormatVersion = aws.String("2.0")
		}), "AuthorizerPayloadFormatVersion cannot be set for WEBSOCKET protocol Apis."},
		{"WebSocket with HTTP identity source [L]", lambda(ws, func(in *apigatewayv2.CreateAuthorizerInput) {
			in.IdentitySource = []string{"$request.header.Authorization"}
		}), "Invalid identity source specified: $request.header.Authorization. Identity sources must be " + wsSources},
		{"WebSocket with a TTL [V]", lambda(ws, func(in *apigatewayv2.CreateAuthorizerInput) { in.AuthorizerResultTtlInSeconds = aws.Int32(300) }),
			"AuthorizerResultTtlInSeconds cannot be set for WEBSOCKET protocol Apis."},
		{"WebSocket with simple responses [I]", lambda(ws, func(in *apigatewayv2.CreateAuthorizerInput) { in.EnableSimpleResponses = aws.Bool(true) }),
			"EnableSimpleResponses cannot be set for WEBSOCKET protocol Apis."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.c.CreateAuthorizer(e.ctx, &tc.in)
			wantAPIError(t, err, 400, "BadRequestException", tc.msg)
		})
	}
	for _, api := range []*string{http, ws} {
		list, err := e.c.GetAuthorizers(e.ctx, &apigatewayv2.GetAuthorizersInput{ApiId: api})
		must(t, err)
		if len(list.Items) != 0 {
			t.Errorf("refused creates left authorizers: %+v", list.Items)
		}
	}

	// Raw requests the SDK would not send: the model's required members.
	path := "/v2/apis/" + *http + "/authorizers"
	for _, tc := range []struct{ body, member string }{
		{`{"authorizerType":"JWT","identitySource":["$request.header.Authorization"]}`, "name"},
		{`{"name":"a","authorizerType":"JWT"}`, "identitySource"},
		{`{"name":"a","identitySource":[]}`, "authorizerType"},
	} {
		wantRawError(t, "missing "+tc.member, e.raw(t, "POST", path, tc.body, nil), 400, "BadRequestException",
			"1 validation error detected: Value null at '"+tc.member+"' failed to satisfy constraint: Member must not be null")
	}
	wantRawError(t, "TOKEN type", e.raw(t, "POST", path, `{"name":"a","authorizerType":"TOKEN","identitySource":[]}`, nil), 400,
		"BadRequestException", "1 validation error detected: Value 'TOKEN' at 'authorizerType' failed to satisfy constraint: Member must satisfy enum value set: [REQUEST, JWT]")
}

// TestE2EAuthorizerLimitAndNames: ten authorizers per API ([V]: the
// eleventh is ConflictException with status 429), and names unique within
// an API ([V]: 400 "... already exists in this RestApi."), not across APIs.
func TestE2EAuthorizerLimitAndNames(t *testing.T) {
	e := newEnv(t)
	apiID := e.createHTTPAPI(t, "http")
	other := e.createHTTPAPI(t, "other")
	e.createJWTAuthorizer(t, other, "auth0")

	_, err := e.c.CreateAuthorizer(e.ctx, &apigatewayv2.CreateAuthorizerInput{ApiId: aws.String(apiID), Name: aws.String("auth0"),
		AuthorizerType: types.AuthorizerTypeJwt, IdentitySource: []string{"$request.header.Authorization"},
		JwtConfiguration: &types.JWTConfiguration{Audience: []string{"a"}, Issuer: aws.String(cognitoIssuer)}})
	must(t, err)
	_, err = e.c.CreateAuthorizer(e.ctx, &apigatewayv2.CreateAuthorizerInput{ApiId: aws.String(apiID), Name: aws.String("auth0"),
		AuthorizerType: types.AuthorizerTypeRequest, IdentitySource: []string{}, AuthorizerUri: aws.String(lambdaInvokeARN),
		AuthorizerPayloadFormatVersion: aws.String("1.0")})
	wantAPIError(t, err, 400, "BadRequestException", "Authorizer name must be unique. Authorizer auth0 already exists in this RestApi.")

	for i := 1; i < 10; i++ {
		e.createLambdaAuthorizer(t, apiID, fmt.Sprintf("auth%d", i), false)
	}
	_, err = e.c.CreateAuthorizer(e.ctx, &apigatewayv2.CreateAuthorizerInput{ApiId: aws.String(apiID), Name: aws.String("auth10"),
		AuthorizerType: types.AuthorizerTypeRequest, IdentitySource: []string{}, AuthorizerUri: aws.String(lambdaInvokeARN),
		AuthorizerPayloadFormatVersion: aws.String("1.0")})
	wantAPIError(t, err, 429, "ConflictException",
		"Maximum number of Authorizers for this API has been reached. Please contact AWS if you need additional Authorizers.")
	r := e.raw(t, "POST", "/v2/apis/"+apiID+"/authorizers",
		`{"name":"auth10","authorizerType":"JWT","identitySource":["$request.header.Authorization"],"jwtConfiguration":{"audience":["a"],"issuer":"`+cognitoIssuer+`"}}`, nil)
	wantRawError(t, "eleventh authorizer", r, 429, "ConflictException",
		"Maximum number of Authorizers for this API has been reached. Please contact AWS if you need additional Authorizers.")
	list, err := e.c.GetAuthorizers(e.ctx, &apigatewayv2.GetAuthorizersInput{ApiId: aws.String(apiID)})
	must(t, err)
	if len(list.Items) != 10 {
		t.Errorf("%d authorizers, want 10", len(list.Items))
	}

	// Deleting one makes room again.
	_, err = e.c.DeleteAuthorizer(e.ctx, &apigatewayv2.DeleteAuthorizerInput{ApiId: aws.String(apiID), AuthorizerId: list.Items[3].AuthorizerId})
	must(t, err)
	e.createLambdaAuthorizer(t, apiID, "auth10", false)
}

// TestE2EAuthorizerNotFound: a missing API is the API's 404 [V]; a missing
// authorizer, or one of another API, is the authorizer's 404 [I].
func TestE2EAuthorizerNotFound(t *testing.T) {
	e := newEnv(t)
	apiID := e.createHTTPAPI(t, "http")
	other := e.createHTTPAPI(t, "other")
	foreign := e.createJWTAuthorizer(t, other, "foreign")
	api := aws.String(apiID)

	for _, id := range []string{"abc123", foreign} {
		msg := "Invalid Authorizer identifier specified " + id
		_, err := e.c.GetAuthorizer(e.ctx, &apigatewayv2.GetAuthorizerInput{ApiId: api, AuthorizerId: aws.String(id)})
		wantAPIError(t, err, 404, "NotFoundException", msg)
		_, err = e.c.UpdateAuthorizer(e.ctx, &apigatewayv2.UpdateAuthorizerInput{ApiId: api, AuthorizerId: aws.String(id), Name: aws.String("x")})
		wantAPIError(t, err, 404, "NotFoundException", msg)
		_, err = e.c.DeleteAuthorizer(e.ctx, &apigatewayv2.DeleteAuthorizerInput{ApiId: api, AuthorizerId: aws.String(id)})
		wantAPIError(t, err, 404, "NotFoundException", msg)
	}

	gone := "Invalid API identifier specified 000000000000:nope123456"
	nope := aws.String("nope123456")
	_, err := e.c.CreateAuthorizer(e.ctx, &apigatewayv2.CreateAuthorizerInput{ApiId: nope, Name: aws.String("a"),
		AuthorizerType: types.AuthorizerTypeJwt, IdentitySource: []string{"$request.header.Authorization"}})
	wantAPIError(t, err, 404, "NotFoundException", gone)
	_, err = e.c.GetAuthorizers(e.ctx, &apigatewayv2.GetAuthorizersInput{ApiId: nope})
	wantAPIError(t, err, 404, "NotFoundException", gone)
	_, err = e.c.GetAuthorizer(e.ctx, &apigatewayv2.GetAuthorizerInput{ApiId: nope, AuthorizerId: aws.String(foreign)})
	wantAPIError(t, err, 404, "NotFoundException", gone)
	_, err = e.c.UpdateAuthorizer(e.ctx, &apigatewayv2.UpdateAuthorizerInput{ApiId: nope, AuthorizerId: aws.String(foreign)})
	wantAPIError(t, err, 404, "NotFoundException", gone)
	_, err = e.c.DeleteAuthorizer(e.ctx, &apigatewayv2.DeleteAuthorizerInput{ApiId: nope, AuthorizerId: aws.String(foreign)})
	wantAPIError(t, err, 404, "NotFoundException", gone)

	// The foreign authorizer is untouched.
	e.wantAuthorizerBody(t, "foreign", other, foreign,
		`{"authorizerId":"ID","authorizerType":"JWT","identitySource":["$request.header.Authorization"],`+
			`"jwtConfiguration":{"audience":["123456abc"],"issuer":"`+cognitoIssuer+`"},"name":"foreign"}`)
}

// TestE2EUpdateAuthorizer: partial updates in the order Terraform's
// acceptance tests make them, "" clearing strings, renames, and refused
// updates changing nothing.
func TestE2EUpdateAuthorizer(t *testing.T) {
	e := newEnv(t)
	apiID := e.createHTTPAPI(t, "http")
	api := aws.String(apiID)
	id := e.createJWTAuthorizer(t, apiID, "jwt")
	aid := aws.String(id)

	// Terraform's _jwt test: a second audience; the issuer stays.
	up, err := e.c.UpdateAuthorizer(e.ctx, &apigatewayv2.UpdateAuthorizerInput{ApiId: api, AuthorizerId: aid,
		JwtConfiguration: &types.JWTConfiguration{Audience: []string{"test", "testing"}}})
	must(t, err)
	wantStatus(t, up.ResultMetadata, 200)
	if len(up.JwtConfiguration.Audience) != 2 || aws.ToString(up.JwtConfiguration.Issuer) != cognitoIssuer {
		t.Errorf("audience update: %+v", up.JwtConfiguration)
	}
	// The CLI example: the identity source, and a rename.
	_, err = e.c.UpdateAuthorizer(e.ctx, &apigatewayv2.UpdateAuthorizerInput{ApiId: api, AuthorizerId: aid,
		IdentitySource: []string{"$request.header.X-Token"}, Name: aws.String("renamed")})
	must(t, err)
	e.wantAuthorizerBody(t, "updated JWT", apiID, id,
		`{"authorizerId":"ID","authorizerType":"JWT","identitySource":["$request.header.X-Token"],`+
			`"jwtConfiguration":{"audience":["test","testing"],"issuer":"`+cognitoIssuer+`"},"name":"renamed"}`)

	// Refused updates.
	e.createJWTAuthorizer(t, apiID, "taken")
	refused := []struct {
		name string
		in   apigatewayv2.UpdateAuthorizerInput
		msg  string
	}{
		{"rename to a taken name [V]", apigatewayv2.UpdateAuthorizerInput{Name: aws.String("taken")},
			"Authorizer name must be unique. Authorizer taken already exists in this RestApi."},
		{"empty name", apigatewayv2.UpdateAuthorizerInput{Name: aws.String("")},
			"1 validation error detected: Value '' at 'name' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"no identity source [I]", apigatewayv2.UpdateAuthorizerInput{IdentitySource: []string{}},
			"A JWT authorizer must have exactly one identity source"},
		{"issuer cleared [I]", apigatewayv2.UpdateAuthorizerInput{JwtConfiguration: &types.JWTConfiguration{Issuer: aws.String("")}},
			"Issuer is a required parameter for JWT authorizer"},
		{"Lambda member on JWT [I]", apigatewayv2.UpdateAuthorizerInput{AuthorizerUri: aws.String(lambdaInvokeARN)},
			"authorizerUri is supported only for REQUEST authorizers"},
		{"TTL out of range", apigatewayv2.UpdateAuthorizerInput{AuthorizerResultTtlInSeconds: aws.Int32(-1)},
			"1 validation error detected: Value -1 at 'authorizerResultTtlInSeconds' failed to satisfy constraint: Member must have value greater than or equal to 0"},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			tc.in.ApiId, tc.in.AuthorizerId = api, aid
			_, err := e.c.UpdateAuthorizer(e.ctx, &tc.in)
			wantAPIError(t, err, 400, "BadRequestException", tc.msg)
		})
	}
	e.wantAuthorizerBody(t, "after refused updates", apiID, id,
		`{"authorizerId":"ID","authorizerType":"JWT","identitySource":["$request.header.X-Token"],`+
			`"jwtConfiguration":{"audience":["test","testing"],"issuer":"`+cognitoIssuer+`"},"name":"renamed"}`)

	// An unused authorizer may change type; the other type's members go
	// with the old type [I].
	_, err = e.c.UpdateAuthorizer(e.ctx, &apigatewayv2.UpdateAuthorizerInput{ApiId: api, AuthorizerId: aid,
		AuthorizerType: types.AuthorizerTypeRequest, AuthorizerUri: aws.String(lambdaInvokeARN),
		AuthorizerPayloadFormatVersion: aws.String("2.0"), EnableSimpleResponses: aws.Bool(true),
		AuthorizerCredentialsArn: aws.String(roleARN), AuthorizerResultTtlInSeconds: aws.Int32(300)})
	must(t, err)
	e.wantAuthorizerBody(t, "JWT to REQUEST", apiID, id,
		`{"authorizerCredentialsArn":"`+roleARN+`","authorizerId":"ID","authorizerPayloadFormatVersion":"2.0","authorizerResultTtlInSeconds":300,`+
			`"authorizerType":"REQUEST","authorizerUri":"`+lambdaInvokeARN+`","enableSimpleResponses":true,"identitySource":["$request.header.X-Token"],"name":"renamed"}`)

	// Terraform's _credentials test: "" clears the credentials; and
	// HTTPAPILambdaRequestUpdated: 1.0 without simple responses, TTL 0.
	_, err = e.c.UpdateAuthorizer(e.ctx, &apigatewayv2.UpdateAuthorizerInput{ApiId: api, AuthorizerId: aid,
		AuthorizerCredentialsArn: aws.String(""), AuthorizerPayloadFormatVersion: aws.String("1.0"),
		EnableSimpleResponses: aws.Bool(false), AuthorizerResultTtlInSeconds: aws.Int32(0),
		IdentitySource: []string{"$request.querystring.User", "$context.routeKey"}})
	must(t, err)
	e.wantAuthorizerBody(t, "cleared", apiID, id,
		`{"authorizerId":"ID","authorizerPayloadFormatVersion":"1.0","authorizerResultTtlInSeconds":0,`+
			`"authorizerType":"REQUEST","authorizerUri":"`+lambdaInvokeARN+`","enableSimpleResponses":false,`+
			`"identitySource":["$request.querystring.User","$context.routeKey"],"name":"renamed"}`)

	for _, tc := range []struct {
		name string
		in   apigatewayv2.UpdateAuthorizerInput
		msg  string
	}{
		{"simple responses with 1.0 [I]", apigatewayv2.UpdateAuthorizerInput{EnableSimpleResponses: aws.Bool(true)},
			"EnableSimpleResponses can be set only for AuthorizerPayloadFormatVersion 2.0"},
		{"payload format version cleared [V]", apigatewayv2.UpdateAuthorizerInput{AuthorizerPayloadFormatVersion: aws.String("")},
			"AuthorizerPayloadFormatVersion is a required parameter for REQUEST authorizer"},
		{"URI cleared [I]", apigatewayv2.UpdateAuthorizerInput{AuthorizerUri: aws.String("")},
			"AuthorizerUri is a required parameter for REQUEST authorizer"},
		{"caching without identity sources [I]", apigatewayv2.UpdateAuthorizerInput{AuthorizerResultTtlInSeconds: aws.Int32(5), IdentitySource: []string{}},
			"An identity source must be specified when authorizer caching is enabled (AuthorizerResultTtlInSeconds greater than 0)"},
		{"JWT configuration on REQUEST [I]", apigatewayv2.UpdateAuthorizerInput{JwtConfiguration: &types.JWTConfiguration{Audience: []string{"a"}}},
			"jwtConfiguration is supported only for JWT authorizers"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.in.ApiId, tc.in.AuthorizerId = api, aid
			_, err := e.c.UpdateAuthorizer(e.ctx, &tc.in)
			wantAPIError(t, err, 400, "BadRequestException", tc.msg)
		})
	}

	// Back to JWT: the Lambda members go.
	back, err := e.c.UpdateAuthorizer(e.ctx, &apigatewayv2.UpdateAuthorizerInput{ApiId: api, AuthorizerId: aid,
		AuthorizerType: types.AuthorizerTypeJwt, IdentitySource: []string{"$request.header.Authorization"},
		JwtConfiguration: &types.JWTConfiguration{Audience: []string{"a"}, Issuer: aws.String(cognitoIssuer)}})
	must(t, err)
	if back.AuthorizerUri != nil || back.AuthorizerResultTtlInSeconds != nil || back.EnableSimpleResponses != nil || back.AuthorizerPayloadFormatVersion != nil {
		t.Errorf("REQUEST to JWT kept Lambda members: %+v", back)
	}
}

// TestE2EWebSocketAuthorizerUpdate: Terraform's _credentials test on a
// WebSocket API: a second identity source and a new name, then the
// credentials cleared with "".
func TestE2EWebSocketAuthorizerUpdate(t *testing.T) {
	e := newEnv(t)
	apiID := e.createWebSocketAPI(t, "ws")
	api := aws.String(apiID)
	out, err := e.c.CreateAuthorizer(e.ctx, &apigatewayv2.CreateAuthorizerInput{ApiId: api, Name: aws.String("ws-auth"),
		AuthorizerType: types.AuthorizerTypeRequest, AuthorizerUri: aws.String(lambdaInvokeARN),
		AuthorizerCredentialsArn: aws.String(roleARN), IdentitySource: []string{"route.request.header.Auth"}})
	must(t, err)
	aid := out.AuthorizerId
	_, err = e.c.UpdateAuthorizer(e.ctx, &apigatewayv2.UpdateAuthorizerInput{ApiId: api, AuthorizerId: aid,
		IdentitySource: []string{"route.request.header.Auth", "route.request.querystring.Name"}, Name: aws.String("ws-auth-updated")})
	must(t, err)
	_, err = e.c.UpdateAuthorizer(e.ctx, &apigatewayv2.UpdateAuthorizerInput{ApiId: api, AuthorizerId: aid, AuthorizerCredentialsArn: aws.String("")})
	must(t, err)
	e.wantAuthorizerBody(t, "updated", apiID, *aid,
		`{"authorizerId":"ID","authorizerType":"REQUEST","authorizerUri":"`+lambdaInvokeARN+`",`+
			`"identitySource":["route.request.header.Auth","route.request.querystring.Name"],"name":"ws-auth-updated"}`)
	_, err = e.c.UpdateAuthorizer(e.ctx, &apigatewayv2.UpdateAuthorizerInput{ApiId: api, AuthorizerId: aid, AuthorizerResultTtlInSeconds: aws.Int32(60)})
	wantAPIError(t, err, 400, "BadRequestException", "AuthorizerResultTtlInSeconds cannot be set for WEBSOCKET protocol Apis.")
	_, err = e.c.UpdateAuthorizer(e.ctx, &apigatewayv2.UpdateAuthorizerInput{ApiId: api, AuthorizerId: aid, AuthorizerType: types.AuthorizerTypeJwt})
	wantAPIError(t, err, 400, "BadRequestException", "Authorizer type JWT is supported only for HTTP APIs")
}

// TestE2ERoutesUseAuthorizers: JWT routes with scopes name JWT authorizers,
// CUSTOM routes name REQUEST authorizers ([V] texts when they do not), and
// on WebSocket APIs only $connect may be authorized ([V]).
func TestE2ERoutesUseAuthorizers(t *testing.T) {
	e := newEnv(t)
	httpID := e.createHTTPAPI(t, "http")
	http := aws.String(httpID)
	jwtID := e.createJWTAuthorizer(t, httpID, "jwt")
	lambdaID := e.createLambdaAuthorizer(t, httpID, "lambda", false)

	route, err := e.c.CreateRoute(e.ctx, &apigatewayv2.CreateRouteInput{ApiId: http, RouteKey: aws.String("GET /pets"),
		AuthorizationType: types.AuthorizationTypeJwt, AuthorizerId: aws.String(jwtID), AuthorizationScopes: []string{"pets/read", "openid"}})
	must(t, err)
	if route.AuthorizationType != types.AuthorizationTypeJwt || aws.ToString(route.AuthorizerId) != jwtID || len(route.AuthorizationScopes) != 2 {
		t.Errorf("JWT route: %+v", route)
	}
	custom, err := e.c.CreateRoute(e.ctx, &apigatewayv2.CreateRouteInput{ApiId: http, RouteKey: aws.String("POST /pets"),
		AuthorizationType: types.AuthorizationTypeCustom, AuthorizerId: aws.String(lambdaID)})
	must(t, err)
	if custom.AuthorizationType != types.AuthorizationTypeCustom || aws.ToString(custom.AuthorizerId) != lambdaID {
		t.Errorf("CUSTOM route: %+v", custom)
	}
	_, err = e.c.CreateRoute(e.ctx, &apigatewayv2.CreateRouteInput{ApiId: http, RouteKey: aws.String("GET /a"),
		AuthorizationType: types.AuthorizationTypeJwt, AuthorizerId: aws.String(lambdaID)})
	wantAPIError(t, err, 400, "BadRequestException", "Invalid authorizer ID specified. Setting the authorization type to JWT requires a valid JWT authorizer.")
	_, err = e.c.CreateRoute(e.ctx, &apigatewayv2.CreateRouteInput{ApiId: http, RouteKey: aws.String("GET /b"),
		AuthorizationType: types.AuthorizationTypeCustom, AuthorizerId: aws.String(jwtID)})
	wantAPIError(t, err, 400, "BadRequestException",
		"Invalid authorizer ID specified. Setting the authorization type to CUSTOM or COGNITO_USER_POOLS requires a valid authorizer.")
	_, err = e.c.UpdateRoute(e.ctx, &apigatewayv2.UpdateRouteInput{ApiId: http, RouteId: route.RouteId,
		AuthorizationType: types.AuthorizationTypeCustom, AuthorizationScopes: []string{}})
	wantAPIError(t, err, 400, "BadRequestException",
		"Invalid authorizer ID specified. Setting the authorization type to CUSTOM or COGNITO_USER_POOLS requires a valid authorizer.")
	// Moving the route to the Lambda authorizer works.
	moved, err := e.c.UpdateRoute(e.ctx, &apigatewayv2.UpdateRouteInput{ApiId: http, RouteId: route.RouteId,
		AuthorizationType: types.AuthorizationTypeCustom, AuthorizerId: aws.String(lambdaID), AuthorizationScopes: []string{}})
	must(t, err)
	if aws.ToString(moved.AuthorizerId) != lambdaID || moved.AuthorizationScopes != nil {
		t.Errorf("moved route: %+v", moved)
	}

	// WebSocket: CUSTOM on $connect, nowhere else.
	wsID := e.createWebSocketAPI(t, "ws")
	ws := aws.String(wsID)
	wsAuth := e.createLambdaAuthorizer(t, wsID, "ws-auth", true)
	connect, err := e.c.CreateRoute(e.ctx, &apigatewayv2.CreateRouteInput{ApiId: ws, RouteKey: aws.String("$connect"),
		AuthorizationType: types.AuthorizationTypeCustom, AuthorizerId: aws.String(wsAuth)})
	must(t, err)
	if connect.AuthorizationType != types.AuthorizationTypeCustom || aws.ToString(connect.AuthorizerId) != wsAuth {
		t.Errorf("$connect route: %+v", connect)
	}
	for _, key := range []string{"$disconnect", "$default", "sendmessage"} {
		_, err = e.c.CreateRoute(e.ctx, &apigatewayv2.CreateRouteInput{ApiId: ws, RouteKey: aws.String(key),
			AuthorizationType: types.AuthorizationTypeCustom, AuthorizerId: aws.String(wsAuth)})
		wantAPIError(t, err, 400, "BadRequestException", "Currently, authorization is restricted to the $connect route only")
	}
	// AWS_IAM likewise: $connect only.
	_, err = e.c.CreateRoute(e.ctx, &apigatewayv2.CreateRouteInput{ApiId: ws, RouteKey: aws.String("sendmessage"),
		AuthorizationType: types.AuthorizationTypeAwsIam})
	wantAPIError(t, err, 400, "BadRequestException", "Currently, authorization is restricted to the $connect route only")
	// Nor can an authorized $connect route take another key.
	_, err = e.c.UpdateRoute(e.ctx, &apigatewayv2.UpdateRouteInput{ApiId: ws, RouteId: connect.RouteId, RouteKey: aws.String("$default")})
	wantAPIError(t, err, 400, "BadRequestException", "Currently, authorization is restricted to the $connect route only")
	// An authorizer of another API is unknown to this one.
	_, err = e.c.CreateRoute(e.ctx, &apigatewayv2.CreateRouteInput{ApiId: ws, RouteKey: aws.String("$disconnect"),
		AuthorizationType: types.AuthorizationTypeCustom, AuthorizerId: aws.String(lambdaID)})
	wantAPIError(t, err, 400, "BadRequestException", "Invalid authorizer identifier specified "+lambdaID)

	// A used authorizer cannot change type [I].
	_, err = e.c.UpdateAuthorizer(e.ctx, &apigatewayv2.UpdateAuthorizerInput{ApiId: http, AuthorizerId: aws.String(lambdaID),
		AuthorizerType: types.AuthorizerTypeJwt, IdentitySource: []string{"$request.header.Authorization"},
		JwtConfiguration: &types.JWTConfiguration{Audience: []string{"a"}, Issuer: aws.String(cognitoIssuer)}})
	wantAPIError(t, err, 400, "BadRequestException", "Cannot change the type of authorizer 'lambda', is referenced in route: "+
		firstKey(map[string]string{*route.RouteId: "GET /pets", *custom.RouteId: "POST /pets"}))
	// Other changes to a used authorizer are fine.
	_, err = e.c.UpdateAuthorizer(e.ctx, &apigatewayv2.UpdateAuthorizerInput{ApiId: http, AuthorizerId: aws.String(lambdaID), Name: aws.String("lambda2")})
	must(t, err)
}

// firstKey is the value of the smallest key: the route Portico names when
// several use an authorizer is the first in id order.
func firstKey(m map[string]string) string {
	first := ""
	for k := range m {
		if first == "" || k < first {
			first = k
		}
	}
	return m[first]
}

// TestE2EDeleteAuthorizer: 204, then gone; refused with 409 and AWS's text
// while a route uses it ([V]), until the route lets go of it.
func TestE2EDeleteAuthorizer(t *testing.T) {
	e := newEnv(t)
	apiID := e.createHTTPAPI(t, "http")
	api := aws.String(apiID)
	unused := e.createJWTAuthorizer(t, apiID, "unused")
	out, err := e.c.DeleteAuthorizer(e.ctx, &apigatewayv2.DeleteAuthorizerInput{ApiId: api, AuthorizerId: aws.String(unused)})
	must(t, err)
	wantStatus(t, out.ResultMetadata, 204)
	_, err = e.c.GetAuthorizer(e.ctx, &apigatewayv2.GetAuthorizerInput{ApiId: api, AuthorizerId: aws.String(unused)})
	wantAPIError(t, err, 404, "NotFoundException", "Invalid Authorizer identifier specified "+unused)
	_, err = e.c.DeleteAuthorizer(e.ctx, &apigatewayv2.DeleteAuthorizerInput{ApiId: api, AuthorizerId: aws.String(unused)})
	wantAPIError(t, err, 404, "NotFoundException", "Invalid Authorizer identifier specified "+unused)

	used := e.createJWTAuthorizer(t, apiID, "my-jwt")
	route, err := e.c.CreateRoute(e.ctx, &apigatewayv2.CreateRouteInput{ApiId: api, RouteKey: aws.String("POST /pdf/generate"),
		AuthorizationType: types.AuthorizationTypeJwt, AuthorizerId: aws.String(used)})
	must(t, err)
	_, err = e.c.DeleteAuthorizer(e.ctx, &apigatewayv2.DeleteAuthorizerInput{ApiId: api, AuthorizerId: aws.String(used)})
	wantAPIError(t, err, 409, "ConflictException", "Cannot delete authorizer 'my-jwt', is referenced in route: POST /pdf/generate")
	r := e.raw(t, "DELETE", authorizerPath(apiID, used), "", nil)
	wantRawError(t, "raw delete in use", r, 409, "ConflictException", "Cannot delete authorizer 'my-jwt', is referenced in route: POST /pdf/generate")
	e.wantAuthorizerBody(t, "still there", apiID, used,
		`{"authorizerId":"ID","authorizerType":"JWT","identitySource":["$request.header.Authorization"],`+
			`"jwtConfiguration":{"audience":["123456abc"],"issuer":"`+cognitoIssuer+`"},"name":"my-jwt"}`)

	// Detached the way CloudFormation needs it (type NONE), it goes.
	_, err = e.c.UpdateRoute(e.ctx, &apigatewayv2.UpdateRouteInput{ApiId: api, RouteId: route.RouteId, AuthorizationType: types.AuthorizationTypeNone})
	must(t, err)
	_, err = e.c.DeleteAuthorizer(e.ctx, &apigatewayv2.DeleteAuthorizerInput{ApiId: api, AuthorizerId: aws.String(used)})
	must(t, err)

	// WebSocket $connect, and deleting the route instead of detaching it.
	wsID := e.createWebSocketAPI(t, "ws")
	wsAuth := e.createLambdaAuthorizer(t, wsID, "ws-auth", true)
	connect, err := e.c.CreateRoute(e.ctx, &apigatewayv2.CreateRouteInput{ApiId: aws.String(wsID), RouteKey: aws.String("$connect"),
		AuthorizationType: types.AuthorizationTypeCustom, AuthorizerId: aws.String(wsAuth)})
	must(t, err)
	_, err = e.c.DeleteAuthorizer(e.ctx, &apigatewayv2.DeleteAuthorizerInput{ApiId: aws.String(wsID), AuthorizerId: aws.String(wsAuth)})
	wantAPIError(t, err, 409, "ConflictException", "Cannot delete authorizer 'ws-auth', is referenced in route: $connect")
	_, err = e.c.DeleteRoute(e.ctx, &apigatewayv2.DeleteRouteInput{ApiId: aws.String(wsID), RouteId: connect.RouteId})
	must(t, err)
	_, err = e.c.DeleteAuthorizer(e.ctx, &apigatewayv2.DeleteAuthorizerInput{ApiId: aws.String(wsID), AuthorizerId: aws.String(wsAuth)})
	must(t, err)
}

// TestE2EGetAuthorizersPaging: "items": [] when there are none, pages of
// maxResults in a stable order, and bad paging parameters refused.
func TestE2EGetAuthorizersPaging(t *testing.T) {
	e := newEnv(t)
	apiID := e.createHTTPAPI(t, "http")
	api := aws.String(apiID)
	wantBody(t, "no authorizers", e.raw(t, "GET", "/v2/apis/"+apiID+"/authorizers", "", nil), 200, `{"items":[]}`)
	empty, err := e.c.GetAuthorizers(e.ctx, &apigatewayv2.GetAuthorizersInput{ApiId: api})
	must(t, err)
	if empty.Items == nil || len(empty.Items) != 0 || empty.NextToken != nil {
		t.Fatalf("no authorizers: %#v %v", empty.Items, empty.NextToken)
	}
	want := map[string]bool{}
	for i := range 5 {
		want[e.createJWTAuthorizer(t, apiID, fmt.Sprintf("a%d", i))] = true
	}
	var seen []string
	var token *string
	for pages := 0; ; pages++ {
		if pages > 3 {
			t.Fatal("more than 3 pages for 5 authorizers")
		}
		out, err := e.c.GetAuthorizers(e.ctx, &apigatewayv2.GetAuthorizersInput{ApiId: api, MaxResults: aws.String("2"), NextToken: token})
		must(t, err)
		if len(out.Items) > 2 {
			t.Fatalf("page of %d", len(out.Items))
		}
		for _, a := range out.Items {
			seen = append(seen, *a.AuthorizerId)
		}
		if token = out.NextToken; token == nil {
			break
		}
	}
	if len(seen) != 5 {
		t.Fatalf("seen %v", seen)
	}
	for i, id := range seen {
		if !want[id] || i > 0 && seen[i-1] >= id {
			t.Errorf("pages out of order or unknown ids: %v", seen)
		}
	}
	_, err = e.c.GetAuthorizers(e.ctx, &apigatewayv2.GetAuthorizersInput{ApiId: api, MaxResults: aws.String("0")})
	wantAPIError(t, err, 400, "BadRequestException", `Invalid maxResults specified: "0". It must be a positive integer.`)
	_, err = e.c.GetAuthorizers(e.ctx, &apigatewayv2.GetAuthorizersInput{ApiId: api, NextToken: aws.String("!!")})
	wantAPIError(t, err, 400, "BadRequestException", "Invalid nextToken specified")
}

// TestE2EResetAuthorizersCache: 204 on a stage of an HTTP API; 404 for a
// missing API or stage; 400 on a WebSocket API [I].
func TestE2EResetAuthorizersCache(t *testing.T) {
	e := newEnv(t)
	httpID := e.createHTTPAPI(t, "http")
	for _, name := range []string{"$default", "dev"} {
		_, err := e.c.CreateStage(e.ctx, &apigatewayv2.CreateStageInput{ApiId: aws.String(httpID), StageName: aws.String(name)})
		must(t, err)
		out, err := e.c.ResetAuthorizersCache(e.ctx, &apigatewayv2.ResetAuthorizersCacheInput{ApiId: aws.String(httpID), StageName: aws.String(name)})
		must(t, err)
		wantStatus(t, out.ResultMetadata, 204)
	}
	r := e.raw(t, "DELETE", "/v2/apis/"+httpID+"/stages/%24default/cache/authorizers", "", nil)
	checkWire(t, "raw reset", r, 204)
	if r.body != "" {
		t.Errorf("reset body %q", r.body)
	}
	_, err := e.c.ResetAuthorizersCache(e.ctx, &apigatewayv2.ResetAuthorizersCacheInput{ApiId: aws.String(httpID), StageName: aws.String("nope")})
	wantAPIError(t, err, 404, "NotFoundException", "Invalid stage identifier specified")
	_, err = e.c.ResetAuthorizersCache(e.ctx, &apigatewayv2.ResetAuthorizersCacheInput{ApiId: aws.String("nope123456"), StageName: aws.String("dev")})
	wantAPIError(t, err, 404, "NotFoundException", "Invalid API identifier specified 000000000000:nope123456")

	wsID := e.createWebSocketAPI(t, "ws")
	_, err = e.c.CreateStage(e.ctx, &apigatewayv2.CreateStageInput{ApiId: aws.String(wsID), StageName: aws.String("dev")})
	must(t, err)
	_, err = e.c.ResetAuthorizersCache(e.ctx, &apigatewayv2.ResetAuthorizersCacheInput{ApiId: aws.String(wsID), StageName: aws.String("dev")})
	wantAPIError(t, err, 400, "BadRequestException", "ResetAuthorizersCache is supported only for HTTP APIs")
	_, err = e.c.ResetAuthorizersCache(e.ctx, &apigatewayv2.ResetAuthorizersCacheInput{ApiId: aws.String(wsID), StageName: aws.String("nope")})
	wantAPIError(t, err, 404, "NotFoundException", "Invalid stage identifier specified")
}

// TestE2EAuthorizerAutoDeploy: creating, updating and deleting an
// authorizer redeploy autoDeploy stages; reads and refused changes do not;
// the deployment's snapshot holds the authorizers as they were.
func TestE2EAuthorizerAutoDeploy(t *testing.T) {
	e := newEnv(t)
	apiID := e.createHTTPAPI(t, "http")
	api := aws.String(apiID)
	stage, err := e.c.CreateStage(e.ctx, &apigatewayv2.CreateStageInput{ApiId: api, StageName: aws.String("$default"), AutoDeploy: aws.Bool(true)})
	must(t, err)
	last := aws.ToString(stage.DeploymentId)
	step := func(what string, changed bool) {
		t.Helper()
		st, err := e.c.GetStage(e.ctx, &apigatewayv2.GetStageInput{ApiId: api, StageName: aws.String("$default")})
		must(t, err)
		now := aws.ToString(st.DeploymentId)
		if (now != last) != changed {
			t.Errorf("%s: deployment %s -> %s, want a new one: %v", what, last, now, changed)
		}
		last = now
	}
	id := e.createJWTAuthorizer(t, apiID, "jwt")
	step("CreateAuthorizer", true)
	afterCreate := last
	_, err = e.c.GetAuthorizer(e.ctx, &apigatewayv2.GetAuthorizerInput{ApiId: api, AuthorizerId: aws.String(id)})
	must(t, err)
	step("GetAuthorizer", false)
	_, err = e.c.UpdateAuthorizer(e.ctx, &apigatewayv2.UpdateAuthorizerInput{ApiId: api, AuthorizerId: aws.String(id), Name: aws.String("jwt2")})
	must(t, err)
	step("UpdateAuthorizer", true)
	_, err = e.c.UpdateAuthorizer(e.ctx, &apigatewayv2.UpdateAuthorizerInput{ApiId: api, AuthorizerId: aws.String(id), Name: aws.String("")})
	if err == nil {
		t.Fatal("empty name accepted")
	}
	step("refused UpdateAuthorizer", false)
	_, err = e.c.ResetAuthorizersCache(e.ctx, &apigatewayv2.ResetAuthorizersCacheInput{ApiId: api, StageName: aws.String("$default")})
	must(t, err)
	step("ResetAuthorizersCache", false)
	_, err = e.c.DeleteAuthorizer(e.ctx, &apigatewayv2.DeleteAuthorizerInput{ApiId: api, AuthorizerId: aws.String(id)})
	must(t, err)
	step("DeleteAuthorizer", true)
	afterDelete := last

	// The snapshots on disk: the first holds the authorizer under its first
	// name, the last holds none.
	e.close(t)
	st := e.openStore(t)
	err = st.View(e.ctx, store.Scope{Account: defaultAccount, Region: "us-east-1"}, func(tx store.Tx) error {
		for _, tc := range []struct{ deployment, want string }{{afterCreate, "jwt"}, {afterDelete, ""}} {
			snap, err := apigw.DeploymentSnapshot(tx, apiID, tc.deployment)
			if err != nil {
				return err
			}
			got := ""
			for _, a := range snap.Authorizers {
				got += aws.ToString(a.Name)
			}
			if got != tc.want {
				t.Errorf("snapshot of %s holds authorizers %q, want %q", tc.deployment, got, tc.want)
			}
		}
		return nil
	})
	must(t, err)
}

// TestE2EAuthorizersCascadeOnDeleteApi: DeleteApi takes the API's
// authorizers with it, from the SQLite file itself; another API's stay.
func TestE2EAuthorizersCascadeOnDeleteApi(t *testing.T) {
	e := newEnv(t)
	doomed := e.createHTTPAPI(t, "doomed")
	doomedJWT := e.createJWTAuthorizer(t, doomed, "jwt")
	doomedLambda := e.createLambdaAuthorizer(t, doomed, "lambda", false)
	_, err := e.c.CreateRoute(e.ctx, &apigatewayv2.CreateRouteInput{ApiId: aws.String(doomed), RouteKey: aws.String("GET /x"),
		AuthorizationType: types.AuthorizationTypeJwt, AuthorizerId: aws.String(doomedJWT)})
	must(t, err)
	keep := e.createWebSocketAPI(t, "keep")
	keepAuth := e.createLambdaAuthorizer(t, keep, "ws", true)

	_, err = e.c.DeleteApi(e.ctx, &apigatewayv2.DeleteApiInput{ApiId: aws.String(doomed)})
	must(t, err)
	gone := "Invalid API identifier specified 000000000000:" + doomed
	_, err = e.c.GetAuthorizers(e.ctx, &apigatewayv2.GetAuthorizersInput{ApiId: aws.String(doomed)})
	wantAPIError(t, err, 404, "NotFoundException", gone)
	_, err = e.c.GetAuthorizer(e.ctx, &apigatewayv2.GetAuthorizerInput{ApiId: aws.String(doomed), AuthorizerId: aws.String(doomedJWT)})
	wantAPIError(t, err, 404, "NotFoundException", gone)

	// Everything survives a restart but what was deleted.
	e.restart(t)
	list, err := e.c.GetAuthorizers(e.ctx, &apigatewayv2.GetAuthorizersInput{ApiId: aws.String(keep)})
	must(t, err)
	if len(list.Items) != 1 || aws.ToString(list.Items[0].AuthorizerId) != keepAuth {
		t.Errorf("authorizers of the kept API: %+v", list.Items)
	}
	e.close(t)
	st := e.openStore(t)
	err = st.View(e.ctx, store.Scope{Account: defaultAccount, Region: "us-east-1"}, func(tx store.Tx) error {
		for _, id := range []string{doomedJWT, doomedLambda} {
			if _, err := tx.Get("authorizer", id); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("authorizer %s still on disk (err %v)", id, err)
			}
		}
		if _, err := tx.Get("authorizer", keepAuth); err != nil {
			t.Errorf("kept authorizer: %v", err)
		}
		return nil
	})
	must(t, err)
}
