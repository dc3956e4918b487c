package apigw

import (
	"github.com/portico-dev/portico/internal/awsproto"
)

// The error messages in one place. Texts marked [V] are real AWS output
// (control-plane spec); the others are Portico's wording where AWS's is not
// known ([I] in the spec), kept here so they are easy to correct.

// apiNotFound [V]: "Invalid API identifier specified {accountId}:{apiId}".
func apiNotFound(account, apiID string) error {
	return awsproto.NotFound("Invalid API identifier specified %s:%s", account, apiID)
}

// routeNotFound [I] (moto's wording).
func routeNotFound(routeID string) error {
	return awsproto.NotFound("Invalid Route identifier specified %s", routeID)
}

// routeResponseNotFound [I] (moto's wording).
func routeResponseNotFound(id string) error {
	return awsproto.NotFound("Invalid RouteResponse identifier specified %s", id)
}

// routeKeyRequired [V] (goldstack #42).
var routeKeyRequired = awsproto.BadRequest("Route key is required")

// websocketOnly and httpOnly [I]: AWS's texts for these are not known.
func websocketOnly(what string) error {
	return awsproto.BadRequest("%s supported only for WebSocket APIs", what)
}

func httpOnly(what string) error {
	return awsproto.BadRequest("%s supported only for HTTP APIs", what)
}

// requestParameterNotFound [I].
func requestParameterNotFound(key string) error {
	return awsproto.NotFound("Invalid request parameter key specified %s", key)
}

// stageNotFound [I] (REST API's wording).
func stageNotFound(name string) error {
	return awsproto.NotFound("Invalid stage identifier specified %s", name)
}

// stageExists [I].
func stageExists(name string) error {
	return awsproto.Conflict("Stage %s already exists", name)
}

// routeKeyNotInSettings [V] (terraform-aws-modules PR #80).
func routeKeyNotInSettings(key string) error {
	return awsproto.NotFound("Unable to find Route by key %s within the provided RouteSettings", key)
}

// routeSettingsNotFound [I].
func routeSettingsNotFound(key string) error {
	return awsproto.NotFound("Unable to find route settings for route key %s", key)
}

// executionLogsOnHTTP [V] (terraform-provider-aws #13801).
var executionLogsOnHTTP = awsproto.BadRequest("Execution logs are not supported on protocolType HTTP")

// deploymentNotFound [I].
func deploymentNotFound(id string) error {
	return awsproto.NotFound("Invalid Deployment identifier specified %s", id)
}
