package apigw

import (
	"strings"

	"github.com/portico-dev/portico/internal/awsproto"
)

// The error messages of integrations and integration responses, in the
// style of messages.go: [V] or [I] for the text, "[I refusal]" where AWS is
// not known to refuse the request at all.

// integrationNotFound [I] text (moto's wording); 404 for a missing
// integration [D].
func integrationNotFound(id string) error {
	return awsproto.NotFound("Invalid Integration identifier specified %s", echo(id))
}

// integrationResponseNotFound [I] text (moto's wording); 404 [D].
func integrationResponseNotFound(id string) error {
	return awsproto.NotFound("Invalid IntegrationResponse identifier specified %s", echo(id))
}

// httpAPIProxyOnly [V] (aws/aws-cli #6363).
var httpAPIProxyOnly = awsproto.BadRequest("Currently, an API with a protocol type of HTTP may only be associated with proxy integrations (AWS_PROXY, HTTP_PROXY)")

// awsProxyMethodNotPost [V] (hashicorp/terraform-provider-aws #42391, an
// HTTP API); applied to WebSocket APIs too, whose Lambda integrations
// "must" use POST (CloudFormation docs) [I].
var awsProxyMethodNotPost = awsproto.BadRequest("HttpMethod must be POST for AWS_PROXY IntegrationType")

// integrationInUse [V] for one route (milliHQ/terraform-aws-next-js #247:
// "... Routes with Ids: [xrfucl1]"). Several ids are joined with ", ", as
// Java's List.toString prints them [I].
func integrationInUse(routeIDs []string) error {
	return awsproto.Conflict("Cannot delete Integration because it is referenced by the following Routes with Ids: [%s]",
		echo(strings.Join(routeIDs, ", ")))
}

// The rest are [I] texts. The refusals:
//   - documented or observed: payloadFormatRequired and invalidPayloadFormat
//     (the model's payloadFormatVersion; terraform-provider-aws #25280 for
//     WebSocket APIs), templateTooLarge (the 300 KB quota), invalidSubtype
//     (the developer guide's subtype reference), integrationResponseKeyRequired
//     and invalidIntegrationResponseKey (a key is $default or a regular
//     expression, developer guide), invalidRequestParameter,
//     the HTTP API mapping refusals (texts in internal/dataplane/httpapi/
//     mapping, errors.go) and invalidResponseStatusCode
//     (LocalStack's AWS-validated tests refuse bad parameter mappings with
//     400, docs/aws-behaviours.md#integrations; the reserved headers are
//     the developer guide's, docs/aws-behaviours.md#reserved-headers);
//   - [I refusal]: integrationURIRequired, invalidIntegrationURI (AWS's
//     checks of a URI's form are not known; stage variables are let through
//     anywhere), integrationMethodRequired, invalidIntegrationMethod,
//     connectionIDRequired, connectionIDNotAllowed, vpcLinkHTTPProxyOnly,
//     subtypeAWSProxyOnly ("Supported only for ..." in the model),
//     invalidIntegrationResponseRegexp (Go's regular expressions are not
//     Java's: AWS may take one Go cannot compile), duplicateIntegrationResponse
//     (the model lists ConflictException, no test shows it) and
//     invalidTemplate (AWS's VTL parser is not Portico's: each may take
//     templates the other refuses).

func integrationURIRequired(typ string) error {
	return awsproto.BadRequest("An integration URI must be specified for integration type %s", typ)
}

func invalidIntegrationURI(typ, uri string) error {
	want := "an absolute http:// or https:// URL"
	if typ == integrationAWS || typ == integrationAWSProxy {
		want = "an ARN"
	}
	return awsproto.BadRequest("Invalid integration URI specified: %s. The URI of a %s integration must be %s", echo(uri), typ, want)
}

func integrationMethodRequired(typ string) error {
	return awsproto.BadRequest("An integration method must be specified for integration type %s", typ)
}

func invalidIntegrationMethod(method string) error {
	return awsproto.BadRequest("Invalid integration method specified: %s. Supported methods are ANY, GET, POST, PUT, PATCH, DELETE, HEAD and OPTIONS", echo(method))
}

var (
	connectionIDRequired   = awsproto.BadRequest("A connectionId must be specified for connection type VPC_LINK")
	connectionIDNotAllowed = awsproto.BadRequest("A connectionId can be specified only for connection type VPC_LINK")
	vpcLinkHTTPProxyOnly   = awsproto.BadRequest("Connection type VPC_LINK is supported only for HTTP_PROXY integrations of an HTTP API")
	payloadFormatRequired  = awsproto.BadRequest("A payload format version must be specified for integrations of an HTTP API. Supported values are 1.0 and 2.0")
)

func invalidPayloadFormat(version, supported string) error {
	return awsproto.BadRequest("Invalid payload format version specified: %s. Supported values for this integration are %s", echo(version), supported)
}

func subtypeAWSProxyOnly(typ string) error {
	return awsproto.BadRequest("An integration subtype can be specified only for AWS_PROXY integrations, not %s", typ)
}

func invalidSubtype(subtype string) error {
	return awsproto.BadRequest("Invalid integration subtype specified: %s. Supported subtypes are %s", echo(subtype), strings.Join(integrationSubtypes, ", "))
}

func invalidRequestParameter(key, want string) error {
	return awsproto.BadRequest("Invalid mapping expression specified: %s. Request parameter keys must be %s", echo(key), want)
}

func invalidResponseStatusCode(code string) error {
	return awsproto.BadRequest("Invalid response parameters status code specified: %s. It must be an HTTP status code between 200 and 599", echo(code))
}

func templateTooLarge(name string, size int) error {
	return awsproto.BadRequest("Invalid %s: the template is %d bytes long; a template can be at most %d bytes (300 KB)",
		name, size, maxMappingTemplateBytes)
}

var integrationResponseKeyRequired = awsproto.BadRequest("Integration response key is required")

func invalidIntegrationResponseKey(key string) error {
	return awsproto.BadRequest("Invalid integration response key specified: %s. A key is $default or a regular expression between slashes, such as /2\\d\\d/", echo(key))
}

func invalidIntegrationResponseRegexp(key string, err error) error {
	return awsproto.BadRequest("Invalid integration response key specified: %s. The expression between the slashes is not a valid regular expression: %v", echo(key), echo(err.Error()))
}

func duplicateIntegrationResponse(integrationID, key string) error {
	return awsproto.Conflict("Integration response with key %s already exists for integration %s", echo(key), echo(integrationID))
}

// invalidTemplate [I]: a mapping template that does not parse; err says
// where ("line L, column C: ...").
func invalidTemplate(name string, err error) error {
	return awsproto.BadRequest("Invalid mapping expression specified: %s: %v", name, echo(err.Error()))
}
