package apigw

import (
	"github.com/portico-dev/portico/internal/awsproto"
)

// The error messages of authorizers, with the marks of messages.go: [V] or
// [I] for the text, "[I refusal]" where AWS is not known to refuse the
// request at all. Where a [V] text exists for a sibling rule, the [I] texts
// copy its form.

// authorizerNotFound [I] text (moto's wording); 404 for a missing
// authorizer [D].
func authorizerNotFound(id string) error {
	return awsproto.NotFound("Invalid Authorizer identifier specified %s", echo(id))
}

// authorizerInUse [V] (anomalyco/sst #5586, an HTTP API: "Cannot delete
// authorizer 'name', is referenced in route: POST /pdf/generate"; the same
// text in github-aws-runners/terraform-aws-github-runner PR #3000). AWS's
// text names one route; when several use the authorizer, Portico names the
// first in id order [I].
func authorizerInUse(name, routeKey string) error {
	return awsproto.Conflict("Cannot delete authorizer '%s', is referenced in route: %s", echo(name), echo(routeKey))
}

// tooManyAuthorizers [V] (anomalyco/ion #557: "StatusCode: 429, ...
// ConflictException: Maximum number of Authorizers for this API has been
// reached. Please contact AWS if you need additional Authorizers."). AWS
// sends ConflictException with status 429, not 409; both are kept.
func tooManyAuthorizers() error {
	return quotaExceeded("Maximum number of Authorizers for this API has been reached. Please contact AWS if you need additional Authorizers.")
}

// duplicateAuthorizerName [V] (a CloudFormation failure quoted in an SST
// stack: "Authorizer name must be unique. Authorizer jwt already exists in
// this RestApi. (Service: AmazonApiGatewayV2; Status Code: 400; Error Code:
// BadRequestException ...)"): a 400, and "RestApi" even for V2 APIs.
func duplicateAuthorizerName(name string) error {
	return awsproto.BadRequest("Authorizer name must be unique. Authorizer %s already exists in this RestApi.", echo(name))
}

// payloadFormatVersionRequired [V] (hashicorp/terraform-provider-aws
// #15181, an HTTP API).
var payloadFormatVersionRequired = awsproto.BadRequest("AuthorizerPayloadFormatVersion is a required parameter for REQUEST authorizer")

// ttlOnWebSocket [V] (hashicorp/terraform-provider-aws PR #15232:
// "AuthorizerResultTtlInSeconds cannot be set for WEBSOCKET protocol Apis.").
var ttlOnWebSocket = awsproto.BadRequest("AuthorizerResultTtlInSeconds cannot be set for WEBSOCKET protocol Apis.")

// invalidIssuer [V] (anomalyco/guide PR #726, an issuer without a scheme).
var invalidIssuer = awsproto.BadRequest("Invalid issuer: Issuer is not a valid URL for JWT Authorizer")

// Route rules that involve authorizers (checkAuthorization in routes.go).

// jwtRouteNeedsJWTAuthorizer [V] (anomalyco/sst #4097, CreateRoute on an
// HTTP API).
var jwtRouteNeedsJWTAuthorizer = awsproto.BadRequest("Invalid authorizer ID specified. Setting the authorization type to JWT requires a valid JWT authorizer.")

// customRouteNeedsLambdaAuthorizer [V] (hashicorp/terraform-provider-aws
// #17497: a CUSTOM route of an HTTP API naming a JWT authorizer).
var customRouteNeedsLambdaAuthorizer = awsproto.BadRequest("Invalid authorizer ID specified. Setting the authorization type to CUSTOM or COGNITO_USER_POOLS requires a valid authorizer.")

// authorizationOnlyOnConnect [V] (several CloudFormation and Terraform
// failures quoted in public repositories: "Currently, authorization is
// restricted to the $connect route only (Service: AmazonApiGatewayV2; Status
// Code: 400; Error Code: BadRequestException ...)", for CUSTOM and AWS_IAM
// routes of WebSocket APIs; LocalStack's AWS-validated
// test_ws_connection_with_invalid_auth refuses a CUSTOM $disconnect route).
// checkAuthorization applies it to CUSTOM routes only so far.
var authorizationOnlyOnConnect = awsproto.BadRequest("Currently, authorization is restricted to the $connect route only")

// The rest are [I] texts. Those of the form "X is a required parameter for
// T authorizer" copy the form of payloadFormatVersionRequired. The
// refusals, by the model's documentation [D]: authorizerUri is "Required"
// in effect for REQUEST authorizers ("this must be a well-formed Lambda
// function URI"), jwtConfiguration and its issuer are "Required for the JWT
// authorizer type", a JWT identity source is "a single entry", 50 audiences
// is the documented quota. [I refusal]: audienceRequired (the model does not
// say an audience is required; a JWT authorizer without one accepts no
// token), payloadVersionOnWS and simpleResponsesOnWS (the members are
// "Supported only for HTTP APIs"; AWS's ttlOnWebSocket refusal is the only
// one observed), simpleResponsesNeedV2 (the developer guide describes the
// simple format for payload 2.0 only) and cachingNeedsIdentity (the model:
// identity sources "are also used as the cache key when caching is
// enabled").

var (
	authorizerURIRequired    = awsproto.BadRequest("AuthorizerUri is a required parameter for REQUEST authorizer")
	jwtConfigurationRequired = awsproto.BadRequest("JwtConfiguration is a required parameter for JWT authorizer")
	issuerRequired           = awsproto.BadRequest("Issuer is a required parameter for JWT authorizer")
	audienceRequired         = awsproto.BadRequest("Audience is a required parameter for JWT authorizer")
	tooManyAudiences         = awsproto.BadRequest("Too many audiences: a JWT authorizer can have at most 50")
	jwtIdentitySourceCount   = awsproto.BadRequest("A JWT authorizer must have exactly one identity source")
	payloadVersionOnWS       = awsproto.BadRequest("AuthorizerPayloadFormatVersion cannot be set for WEBSOCKET protocol Apis.")
	simpleResponsesOnWS      = awsproto.BadRequest("EnableSimpleResponses cannot be set for WEBSOCKET protocol Apis.")
	simpleResponsesNeedV2    = awsproto.BadRequest("EnableSimpleResponses can be set only for AuthorizerPayloadFormatVersion 2.0")
	cachingNeedsIdentity     = awsproto.BadRequest("An identity source must be specified when authorizer caching is enabled (AuthorizerResultTtlInSeconds greater than 0)")
)

// invalidAuthorizerPayloadFormat [I] text; "Supported values are 1.0 and
// 2.0" [D].
func invalidAuthorizerPayloadFormat(version string) error {
	return awsproto.BadRequest("Invalid AuthorizerPayloadFormatVersion specified: %s. Supported values are 1.0 and 2.0", echo(version))
}

// invalidAuthorizerURI [I] text; the form is the model's [D] ("must be a
// well-formed Lambda function URI"). Portico's check of that form is
// stricter than anything observed [I refusal for URIs AWS might take].
func invalidAuthorizerURI(uri string) error {
	return awsproto.BadRequest("Invalid authorizer URI specified: %s. The URI of a REQUEST authorizer must be a Lambda function invocation URI: arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{functionArn}/invocations", echo(uri))
}

// invalidAuthorizerCredentials [I] text. [I refusal]: the model says "an
// IAM role"; whether AWS checks the ARN's form is not known.
func invalidAuthorizerCredentials(arn string) error {
	return awsproto.BadRequest("Invalid authorizer credentials specified: %s. AuthorizerCredentialsArn must be the ARN of an IAM role", echo(arn))
}

// invalidIdentitySource [I] text: it says which forms the API's protocol
// and the authorizer's type accept, the forms of the model's documentation
// [D]; that AWS refuses other forms at create time is [I refusal].
func invalidIdentitySource(source, want string) error {
	return awsproto.BadRequest("Invalid identity source specified: %s. Identity sources must be %s", echo(source), want)
}

// notForType [I] text. [I refusal]: a member of one authorizer type given
// for the other ("Supported only for REQUEST authorizers" and so on in the
// model); AWS might ignore it.
func notForType(member, typ string) error {
	return awsproto.BadRequest("%s is supported only for %s authorizers", member, typ)
}

// authorizerTypeInUse [I] text, in the form of authorizerInUse. [I refusal]:
// an authorizer's type cannot change while routes use it, since JWT routes
// need a JWT authorizer and CUSTOM routes a REQUEST one ([V] texts above
// for creating such routes); AWS's behaviour on the update is not known.
func authorizerTypeInUse(name, routeKey string) error {
	return awsproto.BadRequest("Cannot change the type of authorizer '%s', is referenced in route: %s", echo(name), echo(routeKey))
}
