package apigw

import (
	"net/http"

	"github.com/portico-dev/portico/internal/awsproto"
)

// The error messages in one place, kept here so they are easy to correct.
// Each entry says two things, with the labels of
// docs/aws-behaviours.md#trust-tags:
//
//   - the text: [V] real AWS output (the source is named), [I] Portico's
//     wording where AWS's is not known;
//   - the refusal itself: where nothing more is said, AWS is known to
//     refuse the request too (a missing resource, a rule the documentation
//     states, observed output: [V], [L], [D]); "[I refusal]" marks what
//     Portico refuses without evidence that AWS does, so AWS might accept
//     it. A reader can tell "AWS refuses this, the text is unknown" from
//     "we refuse this, AWS might not".
//
// The other messages*.go files follow the same marks.

// apiNotFound [V]: "Invalid API identifier specified {accountId}:{apiId}".
func apiNotFound(account, apiID string) error {
	return awsproto.NotFound("Invalid API identifier specified %s:%s", account, echo(apiID))
}

// routeNotFound [I] text (moto's wording); 404 for a missing route [D].
func routeNotFound(routeID string) error {
	return awsproto.NotFound("Invalid Route identifier specified %s", echo(routeID))
}

// routeResponseNotFound [I] text (moto's wording); 404 [L]
// (test_create_route_responses_lifecycle).
func routeResponseNotFound(id string) error {
	return awsproto.NotFound("Invalid RouteResponse identifier specified %s", echo(id))
}

// routeKeyRequired [V] (goldstack #42).
var routeKeyRequired = awsproto.BadRequest("Route key is required")

// websocketOnly and httpOnly [I] texts. [I refusal] for every use: the
// model documents these members and operations as "Supported only for
// WebSocket APIs" or "... HTTP APIs"; whether AWS refuses them on the other
// protocol or ignores them is not known (only two misuse texts are
// verified: docs/aws-behaviours.md#protocol-specific-members). Booleans
// set to false are accepted (routes.go: Terraform sends
// apiKeyRequired=false for every route).
func websocketOnly(what string) error {
	return awsproto.BadRequest("%s supported only for WebSocket APIs", what)
}

func httpOnly(what string) error {
	return awsproto.BadRequest("%s supported only for HTTP APIs", what)
}

// requestParameterNotFound [I] text. [I refusal]: DeleteRouteRequestParameter
// of a key the route does not have; AWS might answer 204.
func requestParameterNotFound(key string) error {
	return awsproto.NotFound("Invalid request parameter key specified %s", echo(key))
}

// stageNotFound [V]: "Invalid stage identifier specified", with no stage
// name after it (aws/aws-cdk #8983, hashicorp/terraform-provider-aws
// #12756), 404 where the stage is the resource of the request (GetStage,
// UpdateStage, DeleteStage, ...).
var stageNotFound = awsproto.NotFound("Invalid stage identifier specified")

// stageReferenceNotFound [V]: the same text with 400 where the stage is named
// by a request member, not the path: CreateApiMapping, UpdateApiMapping and
// routing rules (aws/aws-cdk #9078; floci-io/floci #2390, verified against
// AWS), and CreateDeployment's stageName (400: LocalStack's AWS-validated
// test_create_deployment).
var stageReferenceNotFound = awsproto.BadRequest("Invalid stage identifier specified")

// stageExists [I] text; 409 for a duplicate stage name [L] (test_create_stage).
func stageExists(name string) error {
	return awsproto.Conflict("Stage %s already exists", echo(name))
}

// routeKeyNotInSettings [V] (terraform-aws-modules PR #80).
func routeKeyNotInSettings(key string) error {
	return awsproto.NotFound("Unable to find Route by key %s within the provided RouteSettings", echo(key))
}

// routeSettingsNotFound [I] text. [I refusal]: DeleteRouteSettings of a
// route key the stage has no settings for; AWS might answer 204.
func routeSettingsNotFound(key string) error {
	return awsproto.NotFound("Unable to find route settings for route key %s", echo(key))
}

// executionLogsOnHTTP [V] (terraform-provider-aws #13801).
var executionLogsOnHTTP = awsproto.BadRequest("Execution logs are not supported on protocolType HTTP")

// deploymentNotFound [I] text; 404 [L] (test_delete_deployment).
func deploymentNotFound(id string) error {
	return awsproto.NotFound("Invalid Deployment identifier specified %s", echo(id))
}

// notQuickCreated [I] text. [I refusal]: UpdateApi's target, routeKey or
// credentialsArn on an API that has no managed integration and route to
// change; what AWS does with them there is not known.
var notQuickCreated = awsproto.BadRequest("target, routeKey and credentialsArn can be updated only on an API created with quick create (CreateApi with a target)")

// quickTargetRemoved [I] text; the refusal is documented [D]: "You can
// update a quick-created target, but you can't remove it from an API"
// (model documentation of UpdateApi's target). That AWS reads target ""
// as a removal is [I].
var quickTargetRemoved = awsproto.BadRequest("A quick-created target can be updated but not removed from an API")

// invalidCustomID [I] text, and Portico's rule: _custom_id_ is LocalStack's
// convention, not AWS's (AWS keeps it as an ordinary tag). A value that
// cannot be an API id (apis.go, customIDPattern) is refused [I refusal].
// The value is bounded by the tag value rules.
func invalidCustomID(id string) error {
	return awsproto.BadRequest("Invalid custom API id specified in tag %s: %s. A custom id is 1 to 64 of A-Z, a-z, 0-9, - and _", customIDTag, echo(id))
}

// customIDTaken [I] text. [I refusal]: a _custom_id_ tag naming the id of an
// existing API (moto's id generator, under LocalStack, draws a random id
// instead; a refusal says what happened).
func customIDTaken(id string) error {
	return awsproto.Conflict("An API with id %s already exists in this account and region: the %s tag must name an id no other API has", id, customIDTag)
}

// Quota errors (quotas.go). The refusals are AWS's documented quotas [D].
// AWS answers the per-API quotas with
// ConflictException and status 429, the form of tooManyAuthorizers
// (messages_authorizers.go, [V]). tooManyIntegrations [V]: the text and the
// 429 of a CloudFormation failure quoted in a public repository
// ("Maximum number of Integrations for this API has been reached. Please
// contact AWS if you need additional Integrations. (Service: ApiGatewayV2,
// Status Code: 429)"; re:Post "Maximum number of Integrations for this API
// has been reached?", a WebSocket API), the error type [I] by its
// authorizer twin. tooManyRoutes and tooManyStages [I] in the same form.
// tooManyAPIs [V] for REST APIs' CreateRestApi ("Maximum number of APIs has
// been reached. Please contact AWS if you need additional APIs.", a boto3
// error quoted in Miserlou/Zappa #628, BadRequestException there), [I] for
// V2, given the code and status of V2's other quota errors; tooManyDomainNames
// [I] in the same form. A 429 is retried by botocore's legacy retry mode
// (five attempts) before the caller sees it, as on AWS; aws-sdk-go-v2 and
// the standard retry mode do not retry a ConflictException.
var (
	tooManyRoutes       = quotaExceeded("Maximum number of Routes for this API has been reached. Please contact AWS if you need additional Routes.")
	tooManyIntegrations = quotaExceeded("Maximum number of Integrations for this API has been reached. Please contact AWS if you need additional Integrations.")
	tooManyStages       = quotaExceeded("Maximum number of Stages for this API has been reached. Please contact AWS if you need additional Stages.")
	tooManyAPIs         = quotaExceeded("Maximum number of APIs has been reached. Please contact AWS if you need additional APIs.")
	tooManyDomainNames  = quotaExceeded("Maximum number of DomainNames has been reached. Please contact AWS if you need additional DomainNames.")
)

func quotaExceeded(msg string) *awsproto.Error {
	return &awsproto.Error{Type: "ConflictException", Code: http.StatusTooManyRequests, Message: msg}
}
