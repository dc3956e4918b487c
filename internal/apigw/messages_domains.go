package apigw

import (
	"github.com/portico-dev/portico/internal/awsproto"
)

// The error messages of domain names, API mappings and routing rules, in
// the style of messages.go: [V] or [I] for the text (the source of a [V]
// is named), "[I refusal]" where AWS is not known to refuse the request at
// all.

// domainNameNotFound [V]: "Invalid domain name identifier specified", 404,
// with no identifier after it (AmazonApiGatewayV2 in NASA-IMPACT/veda-backend
// #45, amplify-education/serverless-domain-manager #369, aws/aws-cdk #8428).
func domainNameNotFound() error {
	return awsproto.NotFound("Invalid domain name identifier specified")
}

// domainNameExists [V] text ("The domain name you provided already exists",
// aws-cloudformation/cloudformation-coverage-roadmap #1151) and status:
// AWS answers 400 BadRequestException, not the model's ConflictException
// (floci-io/floci #2390, verified against AWS). The final period is [I].
var domainNameExists = awsproto.BadRequest("The domain name you provided already exists.")

// expectOneConfiguration [V] (floci-io/floci #2390, verified against AWS:
// a CreateDomainName without domainNameConfigurations;
// hashicorp/terraform-provider-awscc #1667). Also answered for two or more
// configurations and for an empty list on UpdateDomainName [I refusal].
var expectOneConfiguration = awsproto.BadRequest("Invalid input. Expected one domain name configuration")

// edgeNotSupported [V] (amplify-education/serverless-domain-manager #359,
// #401; serverless-components/express #30).
var edgeNotSupported = awsproto.BadRequest("Only REGIONAL domain names can be managed through the API Gateway V2 API. " +
	"For EDGE domain names, please use the API Gateway V1 API. Also note that only REST APIs can be attached to EDGE domain names.")

// tls10NotSupported [V] (aws/chalice #1255: CreateDomainName with EDGE and
// TLS_1_0 answered this, so the security policy is checked before the
// endpoint type).
var tls10NotSupported = awsproto.BadRequest("TLS_1_0 is not supported for APIGatewayV2 domainName.")

// certificateNotProvided [V] (terraform-aws-modules/terraform-aws-apigateway-v2
// #133, a v2 CreateDomainName without certificateArn).
var certificateNotProvided = awsproto.BadRequest("A certificate was not provided for the endpoint type REGIONAL.")

// invalidDomainName [I]: AWS's text for a name that is not a DNS name is not
// known. That AWS refuses such names is [I] too; the edges of Portico's rule
// (253 characters where the model allows 512) are [I refusal].
func invalidDomainName(name string) error {
	return awsproto.BadRequest("Invalid domain name specified: %s. A domain name is two or more labels of letters, digits and hyphens "+
		"separated by dots; the first label may be the wildcard *", echo(name))
}

// invalidCertificateARN [I] text. AWS refuses a certificate it cannot use
// (it reads it from ACM); Portico, which has no ACM, checks only the ARN's
// form, and that form check is [I refusal] for ARNs of unusual partitions.
func invalidCertificateARN(member, arn string) error {
	return awsproto.BadRequest("Invalid %s specified: %s. It must be the ARN of an AWS Certificate Manager certificate, "+
		"arn:{partition}:acm:{region}:{account}:certificate/{id}", member, echo(arn))
}

// invalidTruststoreURI [I] text; AWS reads the truststore from S3, so a URI
// that is not an S3 URL cannot work (refusal [I], the form check Portico's).
func invalidTruststoreURI(uri string) error {
	return awsproto.BadRequest("Invalid truststore URI specified: %s. It must be an Amazon S3 URL such as s3://bucket-name/key-name", echo(uri))
}

// truststoreURIRequired [I] text. [I refusal]: a truststore version without
// a truststore; AWS might ignore the version.
var truststoreURIRequired = awsproto.BadRequest("A truststore URI must be specified to configure mutual TLS authentication")

// apiMappingNotFound [I] text (in the form of the other "Invalid X
// identifier specified" texts); 404 for a missing mapping [D].
func apiMappingNotFound(id string) error {
	return awsproto.NotFound("Invalid ApiMapping identifier specified %s", echo(id))
}

// apiMappingKeyExists [V] (aws/aws-cdk #22660,
// aws-cloudformation/cloudformation-coverage-roadmap #1151), 409.
var apiMappingKeyExists = awsproto.Conflict("ApiMapping key already exists for this domain name")

// mappedAPINotFound: an API mapping or a routing rule names an API that does
// not exist. 400 BadRequestException [V] (floci-io/floci #2390, verified
// against AWS); the text is the one AWS gives for a missing API elsewhere
// (aws/aws-sam-cli #7030, which lists AWS::ApiGatewayV2::ApiMapping among
// the resources failing with it) [I for this operation].
func mappedAPINotFound(account, apiID string) error {
	return awsproto.BadRequest("Invalid API identifier specified %s:%s", account, echo(apiID))
}

// apiMappingKeyChars [V] for WebSocket APIs and single-level keys (aws/aws-cdk
// #9077: the text AWS answered for the key "/"). HTTP APIs take multi-level
// keys since 2021: their text adds the slash rule [I].
var (
	apiMappingKeyChars          = awsproto.BadRequest("An ApiMapping key may contain only letters, numbers and one of $-_.+!*'()")
	apiMappingKeyCharsMultLevel = awsproto.BadRequest("An ApiMapping key may contain only letters, numbers and one of $-_.+!*'(), " +
		"in path segments separated by single forward slashes")
)

// apiMappingKeyTooLong [I] text; the refusal is documented [D]: 300
// characters is the maximum (developer guide, API mapping restrictions).
var apiMappingKeyTooLong = awsproto.BadRequest("An ApiMapping key can be at most 300 characters long")

// webSocketMixed [I] text; the refusal is documented [D]: "You can't map
// WebSocket APIs to the same custom domain name as an HTTP API or REST API"
// (developer guide).
var webSocketMixed = awsproto.BadRequest("WebSocket APIs can't be mapped to the same custom domain name as an HTTP API or REST API")

// apiStillMapped [V] (gruntwork-io/cloud-nuke #370; floci-io/floci #2390,
// verified against AWS), 400.
func apiStillMapped(apiID string) error {
	return awsproto.BadRequest("Deleting API %s failed. Please remove all API mappings for the API from your custom domain names.", echo(apiID))
}

// routingModeForbids [I]: the developer guide says an API_MAPPING_ONLY
// domain "can't create a routing rule" and a ROUTING_RULE_ONLY one "can't
// create an API mapping" [D refusal]; AWS's text and status are not known.
func routingModeForbids(what, mode string) error {
	return awsproto.BadRequest("%s can't be created on a domain name whose routing mode is %s", what, mode)
}

// routingRuleNotFound [I] text (in the form of the other "Invalid X
// identifier specified" texts); 404 for a missing rule [D].
func routingRuleNotFound(id string) error {
	return awsproto.NotFound("Invalid RoutingRule identifier specified %s", echo(id))
}

// routingRulePriorityTaken [I] text; the refusal is documented [D]: "Rules
// can't have the same priority" (developer guide); the model lists
// ConflictException.
func routingRulePriorityTaken(priority int32) error {
	return awsproto.Conflict("A routing rule with priority %d already exists for this domain name", priority)
}

// invalidRoutingRule [I]: AWS's texts for the rules on conditions and
// actions (developer guide, "Routing rules"; the CDK's RoutingRule
// construct) are not known. detail says what is wrong. The refusals follow
// the developer guide [D] and the CDK construct's checks; those marked [I]
// at their call sites in routingrules.go (one base path per condition, one
// kind of match per condition, stripBasePath without a base path
// condition) are [I refusal].
func invalidRoutingRule(detail string, args ...any) error {
	e := awsproto.BadRequest(detail, args...)
	e.Message = "Invalid routing rule: " + e.Message
	return e
}

// webSocketNotRoutable [I] text: routing rules invoke REST APIs on AWS [D]
// (Portico, which has none, lets them invoke HTTP APIs); a WebSocket API
// cannot be invoked through one.
func webSocketNotRoutable(apiID string) error {
	return invalidRoutingRule("API %s is a WebSocket API. A routing rule can invoke only a REST API or an HTTP API", echo(apiID))
}
