package apigw

import (
	"strings"

	"github.com/portico-dev/portico/internal/awsproto"
)

// The error messages of tags, CORS configurations and VPC links, in the
// style of messages.go: [V] or [I] for the text, "[I refusal]" where AWS is
// not known to refuse the request at all.

// invalidResourceARN [I]: an ARN that is not one of a taggable resource
// (malformed, another service, an account field, a route...). AWS's text is
// not known; that AWS refuses a malformed ARN is [I], and the edges of what
// Portico takes as one of its ARNs are [I refusal].
func invalidResourceARN(arn string) error {
	return awsproto.BadRequest("Invalid resource ARN specified: %s. Taggable resources are "+
		"arn:{partition}:apigateway:{region}::/apis/{apiId}, ::/apis/{apiId}/stages/{stageName}, "+
		"::/vpclinks/{vpcLinkId}, ::/domainnames/{domainName}, :{account}:/portals/{portalId} and "+
		":{account}:/portalproducts/{portalProductId}", echo(arn))
}

// corsCredentialsWithWildcardOrigin [V] (aws/aws-cdk #9076; CloudFormation
// events quoting the same text).
var corsCredentialsWithWildcardOrigin = awsproto.BadRequest("allow-credentials is not supported if 'allow-origin' is *")

// invalidCorsOrigin [I]: AWS refuses partial wildcards and partial origins
// (LocalStack's AWS-validated no-partial-wildcard and no-partial-origin)
// with a text not known. An origin with a path, and a port that is not a
// number, are [I refusal] (cors.go, validCorsOrigin).
func invalidCorsOrigin(origin string) error {
	return awsproto.BadRequest("Invalid allow-origin specified: %s. An origin is *, http://*, https://*, scheme://host[:port] or host[:port]", echo(origin))
}

// invalidCorsMethod [I]: refused by AWS (LocalStack bad-allowed-methods),
// text not known.
func invalidCorsMethod(method string) error {
	return awsproto.BadRequest("Invalid allow-methods specified: %s. Supported methods are GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS and *", echo(method))
}

// invalidCorsHeader [I]. [I refusal]: a header name that is not an HTTP
// token (an item "a, b", an empty one); AWS's check is not known.
func invalidCorsHeader(member, header string) error {
	return awsproto.BadRequest("Invalid header name specified in %s: %q. A header name is * or a token such as X-Amz-Date", member, echo(header))
}

// vpcLinkNotFound [I] (moto's wording, in the form of the other "Invalid X
// identifier specified" texts); 404 for a missing VPC link [D].
func vpcLinkNotFound(id string) error {
	return awsproto.NotFound("Invalid VpcLink identifier specified %s", echo(id))
}

// unknownVpcLink [I]: an integration's connectionId names no VPC link of
// the account and region. 400, as a route target naming a missing
// integration is (docs/aws-behaviours.md#routes), not 404. That AWS refuses
// it is [I] (the link must exist to be used).
func unknownVpcLink(id string) error {
	return awsproto.BadRequest("Invalid VpcLink identifier specified %s", echo(id))
}

// vpcLinkInUse [V] for one route (hashicorp/terraform-provider-aws #12195:
// "Cannot delete vpc link. Vpc link 'l4er5c', is referenced in
// [ANY:qtfgl2b] in format of [Method:Resource]."). Several references are
// joined with ", " as the REST API's message for the same error lists them
// ([V] klothoplatform/klotho #202: "[d3dx85qvqh:POST:1knc2d:stage,
// d3dx85qvqh:GET:1knc2d:stage, ...]"). refs are "Method:RouteId".
func vpcLinkInUse(id string, refs []string) error {
	return awsproto.BadRequest("Cannot delete vpc link. Vpc link '%s', is referenced in [%s] in format of [Method:Resource].",
		echo(id), echo(strings.Join(refs, ", ")))
}

// subnetIDsRequired [I]: the model requires subnetIds but allows an empty
// list; a VPC link without a subnet cannot exist. [I refusal]: AWS's answer
// to [] is not known.
var subnetIDsRequired = awsproto.BadRequest("Invalid subnetIds: at least one subnet ID must be specified for a VPC link")
