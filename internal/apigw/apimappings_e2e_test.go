package apigw_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"
)

var apiMappingIDPattern = regexp.MustCompile(`^[a-z0-9]{10}$`)

func (e *env) createAPIMapping(t *testing.T, domain, apiID, stage, key string) *apigatewayv2.CreateApiMappingOutput {
	t.Helper()
	in := &apigatewayv2.CreateApiMappingInput{DomainName: aws.String(domain), ApiId: aws.String(apiID), Stage: aws.String(stage)}
	if key != "" {
		in.ApiMappingKey = aws.String(key)
	}
	out, err := e.c.CreateApiMapping(e.ctx, in)
	must(t, err)
	return out
}

func TestApiMappingLifecycle(t *testing.T) {
	e := newEnv(t)
	api := e.createHTTPAPI(t, "h")
	e.createNamedStage(t, api, "$default")
	e.createNamedStage(t, api, "dev")
	e.createDomainName(t, "api.example.com")

	// The root mapping: no key. AWS answers 200, not the model's 201
	// (docs/aws-behaviours.md#status-codes).
	root := e.createAPIMapping(t, "api.example.com", api, "$default", "")
	wantStatus(t, root.ResultMetadata, 200)
	if !apiMappingIDPattern.MatchString(aws.ToString(root.ApiMappingId)) || aws.ToString(root.ApiId) != api ||
		aws.ToString(root.Stage) != "$default" || root.ApiMappingKey == nil || *root.ApiMappingKey != "" {
		t.Errorf("CreateApiMapping root: %+v", root)
	}
	// A key, and a multi-level key (HTTP APIs).
	one := e.createAPIMapping(t, "api.example.com", api, "dev", "myApi")
	multi := e.createAPIMapping(t, "api.example.com", api, "dev", "orders/v1/items")
	if aws.ToString(multi.ApiMappingKey) != "orders/v1/items" || aws.ToString(one.ApiMappingKey) != "myApi" {
		t.Errorf("keys: %+v %+v", one, multi)
	}

	// The wire form: the four members, the root key as "".
	r := e.raw(t, "GET", "/v2/domainnames/api.example.com/apimappings/"+*root.ApiMappingId, "", nil)
	checkWire(t, "GetApiMapping", r, 200)
	obj := decodeObject(t, "GetApiMapping", r.body)
	wantKeys(t, "GetApiMapping", obj, "apiId", "apiMappingId", "apiMappingKey", "stage")
	if obj["apiMappingKey"] != "" {
		t.Errorf("root mapping key: %s", r.body)
	}
	r = e.raw(t, "POST", "/v2/domainnames/api.example.com/apimappings", `{"apiId":"`+api+`","stage":"dev","apiMappingKey":"raw"}`, nil)
	checkWire(t, "CreateApiMapping raw", r, 200)

	got, err := e.c.GetApiMapping(e.ctx, &apigatewayv2.GetApiMappingInput{DomainName: aws.String("api.example.com"), ApiMappingId: one.ApiMappingId})
	must(t, err)
	if aws.ToString(got.ApiMappingKey) != "myApi" || aws.ToString(got.Stage) != "dev" || aws.ToString(got.ApiId) != api {
		t.Errorf("GetApiMapping: %+v", got)
	}
	list, err := e.c.GetApiMappings(e.ctx, &apigatewayv2.GetApiMappingsInput{DomainName: aws.String("api.example.com")})
	must(t, err)
	if len(list.Items) != 4 || list.NextToken != nil {
		t.Errorf("GetApiMappings: %+v", list)
	}
	page, err := e.c.GetApiMappings(e.ctx, &apigatewayv2.GetApiMappingsInput{DomainName: aws.String("api.example.com"), MaxResults: aws.String("3")})
	must(t, err)
	if len(page.Items) != 3 || page.NextToken == nil {
		t.Errorf("GetApiMappings page: %+v", page)
	}

	// Update: the key and the stage change; absent members stay.
	up, err := e.c.UpdateApiMapping(e.ctx, &apigatewayv2.UpdateApiMappingInput{DomainName: aws.String("api.example.com"),
		ApiMappingId: one.ApiMappingId, ApiId: aws.String(api), ApiMappingKey: aws.String("dev")})
	must(t, err)
	wantStatus(t, up.ResultMetadata, 200)
	if aws.ToString(up.ApiMappingKey) != "dev" || aws.ToString(up.Stage) != "dev" || aws.ToString(up.ApiMappingId) != *one.ApiMappingId {
		t.Errorf("UpdateApiMapping key: %+v", up)
	}
	up, err = e.c.UpdateApiMapping(e.ctx, &apigatewayv2.UpdateApiMappingInput{DomainName: aws.String("api.example.com"),
		ApiMappingId: one.ApiMappingId, ApiId: aws.String(api), Stage: aws.String("$default")})
	must(t, err)
	if aws.ToString(up.ApiMappingKey) != "dev" || aws.ToString(up.Stage) != "$default" {
		t.Errorf("UpdateApiMapping stage: %+v", up)
	}
	// The old key is free again, the new one taken.
	e.createAPIMapping(t, "api.example.com", api, "dev", "myApi")
	_, err = e.c.CreateApiMapping(e.ctx, &apigatewayv2.CreateApiMappingInput{DomainName: aws.String("api.example.com"),
		ApiId: aws.String(api), Stage: aws.String("dev"), ApiMappingKey: aws.String("dev")})
	wantAPIError(t, err, 409, "ConflictException", "ApiMapping key already exists for this domain name")
	// Moving a mapping onto a taken key is the same conflict.
	_, err = e.c.UpdateApiMapping(e.ctx, &apigatewayv2.UpdateApiMappingInput{DomainName: aws.String("api.example.com"),
		ApiMappingId: one.ApiMappingId, ApiId: aws.String(api), ApiMappingKey: aws.String("")})
	wantAPIError(t, err, 409, "ConflictException", "ApiMapping key already exists for this domain name")

	del, err := e.c.DeleteApiMapping(e.ctx, &apigatewayv2.DeleteApiMappingInput{DomainName: aws.String("api.example.com"), ApiMappingId: one.ApiMappingId})
	must(t, err)
	wantStatus(t, del.ResultMetadata, 204)
	_, err = e.c.GetApiMapping(e.ctx, &apigatewayv2.GetApiMappingInput{DomainName: aws.String("api.example.com"), ApiMappingId: one.ApiMappingId})
	wantAPIError(t, err, 404, "NotFoundException", "Invalid ApiMapping identifier specified "+*one.ApiMappingId)
	_, err = e.c.DeleteApiMapping(e.ctx, &apigatewayv2.DeleteApiMappingInput{DomainName: aws.String("api.example.com"), ApiMappingId: one.ApiMappingId})
	wantAPIError(t, err, 404, "NotFoundException", "Invalid ApiMapping identifier specified "+*one.ApiMappingId)

	// Mappings survive a restart.
	e.restart(t)
	list, err = e.c.GetApiMappings(e.ctx, &apigatewayv2.GetApiMappingsInput{DomainName: aws.String("api.example.com")})
	must(t, err)
	if len(list.Items) != 4 {
		t.Errorf("after restart: %+v", list.Items)
	}
}

func TestApiMappingErrors(t *testing.T) {
	e := newEnv(t)
	httpAPI := e.createHTTPAPI(t, "h")
	e.createNamedStage(t, httpAPI, "prod")
	wsAPI := e.createWebSocketAPI(t, "w")
	e.createNamedStage(t, wsAPI, "prod")
	e.createDomainName(t, "api.example.com")
	e.createDomainName(t, "ws.example.com")
	e.createAPIMapping(t, "api.example.com", httpAPI, "prod", "")
	wsMapping := e.createAPIMapping(t, "ws.example.com", wsAPI, "prod", "chat")

	create := func(domain, api, stage string, key *string) error {
		_, err := e.c.CreateApiMapping(e.ctx, &apigatewayv2.CreateApiMappingInput{DomainName: aws.String(domain),
			ApiId: aws.String(api), Stage: aws.String(stage), ApiMappingKey: key})
		return err
	}
	const keyChars = "An ApiMapping key may contain only letters, numbers and one of $-_.+!*'()"
	const keyLevels = "An ApiMapping key may contain only letters, numbers and one of $-_.+!*'(), in path segments separated by single forward slashes"
	cases := []struct {
		name        string
		domain, api string
		stage       string
		key         *string
		status      int
		code, msg   string
	}{
		{"missing domain", "nope.example.com", httpAPI, "prod", nil, 404, "NotFoundException", "Invalid domain name identifier specified"},
		// [V] status (400, not 404); [I] text.
		{"missing api", "api.example.com", "nope123456", "prod", aws.String("x"), 400, "BadRequestException",
			"Invalid API identifier specified 000000000000:nope123456"},
		// [V].
		{"missing stage", "api.example.com", httpAPI, "$default", aws.String("x"), 400, "BadRequestException", "Invalid stage identifier specified"},
		{"root taken, key omitted", "api.example.com", httpAPI, "prod", nil, 409, "ConflictException", "ApiMapping key already exists for this domain name"},
		{"root taken, key empty", "api.example.com", httpAPI, "prod", aws.String(""), 409, "ConflictException", "ApiMapping key already exists for this domain name"},
		// Slashes out of place: [I] text (before multi-level keys existed, AWS
		// answered keyChars for "/", aws/aws-cdk #9077).
		{"slash alone", "api.example.com", httpAPI, "prod", aws.String("/"), 400, "BadRequestException", keyLevels},
		{"leading slash", "api.example.com", httpAPI, "prod", aws.String("/v1"), 400, "BadRequestException", keyLevels},
		{"trailing slash", "api.example.com", httpAPI, "prod", aws.String("v1/"), 400, "BadRequestException", keyLevels},
		{"double slash", "api.example.com", httpAPI, "prod", aws.String("v1//x"), 400, "BadRequestException", keyLevels},
		{"bad character", "api.example.com", httpAPI, "prod", aws.String("v 1"), 400, "BadRequestException", keyChars},
		{"too long", "api.example.com", httpAPI, "prod", aws.String(strings.Repeat("a", 301)), 400, "BadRequestException",
			"An ApiMapping key can be at most 300 characters long"},
		// WebSocket APIs: single-level keys only.
		{"websocket multi-level", "ws.example.com", wsAPI, "prod", aws.String("a/b"), 400, "BadRequestException", keyChars},
		// [I] text: no WebSocket API beside HTTP APIs on one domain name.
		{"websocket on an HTTP domain", "api.example.com", wsAPI, "prod", aws.String("ws"), 400, "BadRequestException",
			"WebSocket APIs can't be mapped to the same custom domain name as an HTTP API or REST API"},
		{"HTTP on a WebSocket domain", "ws.example.com", httpAPI, "prod", aws.String("h"), 400, "BadRequestException",
			"WebSocket APIs can't be mapped to the same custom domain name as an HTTP API or REST API"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			wantAPIError(t, create(c.domain, c.api, c.stage, c.key), c.status, c.code, c.msg)
		})
	}
	// Keys AWS accepts on WebSocket APIs [V: Terraform's
	// TestAccAPIGatewayV2APIMapping ApiMappingKey step, a WebSocket API].
	for _, key := range []string{"$context.domainName", "$context.apiId", "a-b_c.d+e!f*g'h(i)"} {
		must(t, create("ws.example.com", wsAPI, "prod", aws.String(key)))
	}
	_, err := e.c.UpdateApiMapping(e.ctx, &apigatewayv2.UpdateApiMappingInput{DomainName: aws.String("ws.example.com"),
		ApiMappingId: wsMapping.ApiMappingId, ApiId: aws.String(wsAPI), ApiMappingKey: aws.String("x/y")})
	wantAPIError(t, err, 400, "BadRequestException", keyChars)
	// A mapping is found only under its own domain name.
	_, err = e.c.GetApiMapping(e.ctx, &apigatewayv2.GetApiMappingInput{DomainName: aws.String("api.example.com"), ApiMappingId: wsMapping.ApiMappingId})
	wantAPIError(t, err, 404, "NotFoundException", "Invalid ApiMapping identifier specified "+*wsMapping.ApiMappingId)
	_, err = e.c.GetApiMappings(e.ctx, &apigatewayv2.GetApiMappingsInput{DomainName: aws.String("nope.example.com")})
	wantAPIError(t, err, 404, "NotFoundException", "Invalid domain name identifier specified")
	// The model's required members.
	wantRawError(t, "no stage", e.raw(t, "POST", "/v2/domainnames/api.example.com/apimappings", `{"apiId":"`+httpAPI+`"}`, nil),
		400, "BadRequestException", "1 validation error detected: Value null at 'stage' failed to satisfy constraint: Member must not be null")
	wantRawError(t, "update without apiId", e.raw(t, "PATCH", "/v2/domainnames/ws.example.com/apimappings/"+*wsMapping.ApiMappingId, `{"stage":"prod"}`, nil),
		400, "BadRequestException", "1 validation error detected: Value null at 'apiId' failed to satisfy constraint: Member must not be null")

	// A ROUTING_RULE_ONLY domain name takes no API mappings [D]; the text is [I].
	_, err = e.c.UpdateDomainName(e.ctx, &apigatewayv2.UpdateDomainNameInput{DomainName: aws.String("api.example.com"), RoutingMode: types.RoutingModeRoutingRuleOnly})
	must(t, err)
	wantAPIError(t, create("api.example.com", httpAPI, "prod", aws.String("rules")), 400, "BadRequestException",
		"API mappings can't be created on a domain name whose routing mode is ROUTING_RULE_ONLY")
	// Its mappings can still be read.
	list, err := e.c.GetApiMappings(e.ctx, &apigatewayv2.GetApiMappingsInput{DomainName: aws.String("api.example.com")})
	must(t, err)
	if len(list.Items) != 1 {
		t.Errorf("GetApiMappings on a ROUTING_RULE_ONLY domain: %+v", list.Items)
	}
}

// TestApiMappingBlocksDeleteApi: AWS refuses to delete an API that a domain
// name maps [V].
func TestApiMappingBlocksDeleteApi(t *testing.T) {
	e := newEnv(t)
	api := e.createHTTPAPI(t, "h")
	e.createNamedStage(t, api, "prod")
	e.createDomainName(t, "api.example.com")
	m := e.createAPIMapping(t, "api.example.com", api, "prod", "v1")
	_, err := e.c.DeleteApi(e.ctx, &apigatewayv2.DeleteApiInput{ApiId: aws.String(api)})
	wantAPIError(t, err, 400, "BadRequestException",
		"Deleting API "+api+" failed. Please remove all API mappings for the API from your custom domain names.")
	_, err = e.c.GetApi(e.ctx, &apigatewayv2.GetApiInput{ApiId: aws.String(api)})
	must(t, err)
	_, err = e.c.DeleteApiMapping(e.ctx, &apigatewayv2.DeleteApiMappingInput{DomainName: aws.String("api.example.com"), ApiMappingId: m.ApiMappingId})
	must(t, err)
	_, err = e.c.DeleteApi(e.ctx, &apigatewayv2.DeleteApiInput{ApiId: aws.String(api)})
	must(t, err)
}
