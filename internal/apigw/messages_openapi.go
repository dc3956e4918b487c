package apigw

import (
	"strconv"
	"strings"

	"github.com/portico-dev/portico/internal/awsproto"
)

// The error and warning texts of ImportApi, ReimportApi and ExportApi, in
// the style of messages.go. Texts marked [V] are real AWS output; the others
// are Portico's wording where AWS's is not known ([I]), kept here so they
// are easy to correct.

// invalidOpenAPIInput [V] for REST APIs' import (aws/aws-cli #8191:
// {"message":"Invalid OpenAPI input."}); the same text for HTTP APIs is [I].
// why, when not empty, follows it.
func invalidOpenAPIInput(why string) error {
	if why == "" {
		return awsproto.BadRequest("Invalid OpenAPI input.")
	}
	return awsproto.BadRequest("Invalid OpenAPI input. %s", why)
}

// warningsFound [V]: with failOnWarnings the import fails with the warnings
// in the message ("BadRequestException: Warnings found during import" in
// Terraform's TestAccAPIGatewayV2API_OpenAPI_failOnWarnings; the layout,
// a newline and a tab before each warning, is moto's copy of AWS's).
func warningsFound(warnings []string) error {
	return awsproto.BadRequest("%s", "Warnings found during import:\n\t"+strings.Join(warnings, "\n\t"))
}

// importWebSocket [I]: ImportApi creates HTTP APIs only (API reference:
// "body ... Supported only for HTTP APIs"); AWS's answer to a WebSocket
// definition is not known.
var importWebSocket = awsproto.BadRequest("Importing a WebSocket API is not supported: ImportApi and ReimportApi create and update HTTP APIs only")

// invalidBasepath [I].
func invalidBasepath(v string) error {
	return awsproto.BadRequest("Invalid basepath specified: %s. Valid values are ignore, prepend and split", v)
}

// multipleSecurityRequirements [I] text; the refusal is [D] ("Attempting
// to model multiple security requirements results in an error").
func multipleSecurityRequirements(routeKey string) error {
	return invalidOpenAPIInput("Route " + routeKey + " has more than one security requirement. Each operation can have only one of IAM authorization, a Lambda authorizer, or a JWT authorizer")
}

// Warnings. parseIssueMissing [V] (moto's copy of AWS's text for a $ref
// that resolves to nothing: "Parse issue: attribute
// paths.'/update'(get).responses.200.content.schema.#/components/schemas/X
// is missing"); parseIssue [V] for a path without "/" (AWS SAM's source
// quotes "Parse issue: attribute paths.Resource $default should start with
// /"); unableToCreate [V] for authorizers ("Unable to create Authorizer
// 'MyJwtAuthorizer': ..." in a CloudFormation failure), [I] for the other
// resources.

func parseIssueMissing(attr string) string {
	return "Parse issue: attribute " + attr + " is missing"
}

func pathWithoutSlash(path string) string {
	return "Parse issue: attribute paths.Resource " + path + " should start with /"
}

func parseIssue(what string) string {
	return "Parse issue: " + what
}

func unableToCreate(kind, name string, err error) string {
	return "Unable to create " + kind + " '" + name + "': " + errorMessage(err)
}

// errorMessage is the message of an AWS error without its type.
func errorMessage(err error) string {
	if e, ok := err.(*awsproto.Error); ok {
		return e.Message
	}
	return err.Error()
}

// Export errors [I]: AWS's texts are not known.

func unsupportedSpecification(spec string) error {
	return awsproto.BadRequest("Unsupported specification: %s. The only supported specification is OAS30", spec)
}

func unsupportedOutputType(t string) error {
	return awsproto.BadRequest("Invalid outputType specified: %s. Valid values are JSON and YAML", t)
}

func unsupportedExportVersion(v string) error {
	return awsproto.BadRequest("Invalid exportVersion specified: %s. The only supported export version is 1.0", v)
}

var exportWebSocket = awsproto.BadRequest("Exporting a WebSocket API is not supported: ExportApi exports HTTP APIs only")

func stageNotDeployed(name string) error {
	return awsproto.BadRequest("Stage %s has no deployment to export", name)
}

// Limits on one definition (openapi_limits.go), all [I]: AWS's answers to
// an alias bomb, a definition nested hundreds of levels deep, one of
// millions of values or an alias inside its own anchor are not known.

var definitionTooDeep = invalidOpenAPIInput("The definition nests objects and lists more than " +
	strconv.Itoa(maxDefinitionDepth) + " levels deep")

var definitionTooManyNodes = invalidOpenAPIInput("The definition holds more than " + strconv.Itoa(maxDefinitionNodes) +
	" values (objects, lists and scalars, YAML aliases expanded)")

func definitionExpandsTooMuch(limit int64) error {
	return invalidOpenAPIInput("The definition's text expands through its YAML aliases to more than " +
		strconv.FormatInt(limit, 10) + " bytes")
}

func aliasContainsItself(name string) error {
	return invalidOpenAPIInput("The YAML alias *" + name + " refers to a node that contains it")
}

// tooManyImported [I]: the quotas are AWS's (openapi_limits.go); AWS's
// answer to a definition that exceeds one is not known.
func tooManyImported(what string, quota int) error {
	return awsproto.BadRequest("The definition would create more than %d %s. An HTTP API can have at most %d %s", quota, what, quota, what)
}
