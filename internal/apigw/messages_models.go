package apigw

import (
	"strings"

	"github.com/portico-dev/portico/internal/awsproto"
)

// The error messages of models, in the style of messages.go. API Gateway V2
// has no published texts for them; where the REST API (v1) has a real one
// ([V] below: seen in AWS output for v1 models) it is reused with "REST API"
// made "API", because V2 models are the same service underneath.

// modelNotFound [I] (brief's wording, in the form of the other
// "Invalid X identifier specified" texts).
func modelNotFound(id string) error {
	return awsproto.NotFound("Invalid Model identifier specified %s", echo(id))
}

// modelsWebSocketOnly [I]: "Supported only for WebSocket APIs" is the
// model's documentation; AWS's error text is not known.
func modelsWebSocketOnly() error { return websocketOnly("Models are") }

// modelNameNotAlphanumeric [V] (v1: "Model name must be alphanumeric: body_1").
func modelNameNotAlphanumeric(name string) error {
	return awsproto.BadRequest("Model name must be alphanumeric: %s", echo(name))
}

// duplicateModelName [V] for v1 ("Model name already exists for this REST
// API", as quoted by LocalStack #8368); [I] for V2's wording.
func duplicateModelName() error {
	return awsproto.Conflict("Model name already exists for this API")
}

// invalidModelSchema [V] for the frame, the text v1 answers for a schema it
// refuses ("Invalid model specified: Validation Result: warnings : [],
// errors : [Invalid model schema specified]"); [I] for the detail after the
// colon, which says what is wrong and where: AWS says neither.
func invalidModelSchema(detail string) error {
	return awsproto.BadRequest("Invalid model specified: Validation Result: warnings : [], errors : [Invalid model schema specified: %s]", detail)
}

// modelInUse [V] for the frame and the status: v1 answers DeleteModel of a
// model a method uses with 409 ConflictException "Cannot delete model
// 'modelb64d25d3', is referenced in method request: /v1/registration/POST"
// (aws-apigateway-importer #89). [I] for what V2 names instead of methods:
// "route request: {routeKey}" and "route response: {routeKey}/{key}".
func modelInUse(name string, refs []string) error {
	return awsproto.Conflict("Cannot delete model '%s', is referenced in %s", echo(name), echo(strings.Join(refs, ", ")))
}
