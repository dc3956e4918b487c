package apigw

import (
	"strings"

	"github.com/portico-dev/portico/internal/awsproto"
)

// The error messages of models, in the style of messages.go. API Gateway V2
// has no published texts for them; where the REST API (v1) has a real one
// ([V] below: seen in AWS output for v1 models) it is reused with "REST API"
// made "API", because V2 models are the same service underneath. The
// refusals' evidence, with messages.go's marks, is given per entry.

// modelNotFound [I] (Portico's wording, in the form of the other
// "Invalid X identifier specified" texts); 404 for a missing model [D].
func modelNotFound(id string) error {
	return awsproto.NotFound("Invalid Model identifier specified %s", echo(id))
}

// modelsWebSocketOnly [I]: "Supported only for WebSocket APIs" is the
// model's documentation; AWS's error text is not known. [I refusal]: that
// AWS refuses model operations on an HTTP API is not known; every model
// operation checks the protocol, reads included.
func modelsWebSocketOnly() error { return websocketOnly("Models are") }

// modelNameNotAlphanumeric [V] (v1: "Model name must be alphanumeric: body_1");
// V2's model documentation says "Must be alphanumeric" [D].
func modelNameNotAlphanumeric(name string) error {
	return awsproto.BadRequest("Model name must be alphanumeric: %s", echo(name))
}

// duplicateModelName [V] for v1 ("Model name already exists for this REST
// API", as quoted by LocalStack #8368); [I] for V2's wording. The refusal
// of a duplicate name is v1's [V]; for V2 it is [I], a name being what
// routes use to name a model.
func duplicateModelName() error {
	return awsproto.Conflict("Model name already exists for this API")
}

// invalidModelSchema [V] for the frame, the text v1 answers for a schema it
// refuses ("Invalid model specified: Validation Result: warnings : [],
// errors : [Invalid model schema specified]"); [I] for the detail after the
// colon, which says what is wrong and where: AWS says neither. The refusal
// of a schema that is not JSON Schema draft 4 is v1's [V] and [L] for V2
// (test_websocket_model_crud: a bad schema is 400); only JSON models are
// read so (models.go, isJSONModel). What Portico's compiler refuses and
// AWS's might take (a $ref to a URL, a draft other than 4, a pattern Go
// cannot compile without lookaround) is [I refusal].
func invalidModelSchema(detail string) error {
	return awsproto.BadRequest("Invalid model specified: Validation Result: warnings : [], errors : [Invalid model schema specified: %s]", detail)
}

// modelInUse [V] for the frame and the status: v1 answers DeleteModel of a
// model a method uses with 409 ConflictException "Cannot delete model
// 'modelb64d25d3', is referenced in method request: /v1/registration/POST"
// (aws-apigateway-importer #89). [I] for what V2 names instead of methods:
// "route request: {routeKey}" and "route response: {routeKey}/{key}". The
// refusal itself is v1's [V]; for V2 [I refusal].
func modelInUse(name string, refs []string) error {
	return awsproto.Conflict("Cannot delete model '%s', is referenced in %s", echo(name), echo(strings.Join(refs, ", ")))
}
