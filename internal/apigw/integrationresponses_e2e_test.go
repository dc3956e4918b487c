package apigw_test

import (
	"maps"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"
)

var integrationResponseIDPattern = regexp.MustCompile(`^[a-z0-9]{6}$`)

// createIntegrationResponse creates an integration response with only its
// key and returns its id.
func (e *env) createIntegrationResponse(t *testing.T, apiID, integrationID, key string) string {
	t.Helper()
	out, err := e.c.CreateIntegrationResponse(e.ctx, &apigatewayv2.CreateIntegrationResponseInput{ApiId: aws.String(apiID),
		IntegrationId: aws.String(integrationID), IntegrationResponseKey: aws.String(key)})
	must(t, err)
	if !integrationResponseIDPattern.MatchString(aws.ToString(out.IntegrationResponseId)) {
		t.Fatalf("integrationResponseId %q does not match %s", aws.ToString(out.IntegrationResponseId), integrationResponseIDPattern)
	}
	return *out.IntegrationResponseId
}

// irWant is what an integration response must hold, member by member.
type irWant struct {
	id, key   string
	chs       types.ContentHandlingStrategy
	tse       *string
	params    map[string]string
	templates map[string]string
}

func checkIntegrationResponse(t *testing.T, op string, got types.IntegrationResponse, want irWant) {
	t.Helper()
	if want.id != "" && aws.ToString(got.IntegrationResponseId) != want.id {
		t.Errorf("%s: integrationResponseId %q, want %q", op, aws.ToString(got.IntegrationResponseId), want.id)
	}
	if !integrationResponseIDPattern.MatchString(aws.ToString(got.IntegrationResponseId)) {
		t.Errorf("%s: integrationResponseId %q", op, aws.ToString(got.IntegrationResponseId))
	}
	if aws.ToString(got.IntegrationResponseKey) != want.key {
		t.Errorf("%s: integrationResponseKey %q, want %q", op, aws.ToString(got.IntegrationResponseKey), want.key)
	}
	if got.ContentHandlingStrategy != want.chs {
		t.Errorf("%s: contentHandlingStrategy %q, want %q", op, got.ContentHandlingStrategy, want.chs)
	}
	if (got.TemplateSelectionExpression == nil) != (want.tse == nil) || aws.ToString(got.TemplateSelectionExpression) != aws.ToString(want.tse) {
		t.Errorf("%s: templateSelectionExpression %v, want %v", op, ptrString(got.TemplateSelectionExpression), ptrString(want.tse))
	}
	if (got.ResponseParameters == nil) != (want.params == nil) || !maps.Equal(got.ResponseParameters, want.params) {
		t.Errorf("%s: responseParameters %#v, want %#v", op, got.ResponseParameters, want.params)
	}
	if (got.ResponseTemplates == nil) != (want.templates == nil) || !maps.Equal(got.ResponseTemplates, want.templates) {
		t.Errorf("%s: responseTemplates %#v, want %#v", op, got.ResponseTemplates, want.templates)
	}
}

func irFromCreate(o *apigatewayv2.CreateIntegrationResponseOutput) types.IntegrationResponse {
	return types.IntegrationResponse{IntegrationResponseId: o.IntegrationResponseId, IntegrationResponseKey: o.IntegrationResponseKey,
		ContentHandlingStrategy: o.ContentHandlingStrategy, TemplateSelectionExpression: o.TemplateSelectionExpression,
		ResponseParameters: o.ResponseParameters, ResponseTemplates: o.ResponseTemplates}
}

func irFromGet(o *apigatewayv2.GetIntegrationResponseOutput) types.IntegrationResponse {
	return types.IntegrationResponse{IntegrationResponseId: o.IntegrationResponseId, IntegrationResponseKey: o.IntegrationResponseKey,
		ContentHandlingStrategy: o.ContentHandlingStrategy, TemplateSelectionExpression: o.TemplateSelectionExpression,
		ResponseParameters: o.ResponseParameters, ResponseTemplates: o.ResponseTemplates}
}

func irFromUpdate(o *apigatewayv2.UpdateIntegrationResponseOutput) types.IntegrationResponse {
	return types.IntegrationResponse{IntegrationResponseId: o.IntegrationResponseId, IntegrationResponseKey: o.IntegrationResponseKey,
		ContentHandlingStrategy: o.ContentHandlingStrategy, TemplateSelectionExpression: o.TemplateSelectionExpression,
		ResponseParameters: o.ResponseParameters, ResponseTemplates: o.ResponseTemplates}
}

// checkStoredIR reads an integration response with GetIntegrationResponse
// and through GetIntegrationResponses, and checks both against want.
func (e *env) checkStoredIR(t *testing.T, apiID, integrationID string, want irWant) {
	t.Helper()
	got, err := e.c.GetIntegrationResponse(e.ctx, &apigatewayv2.GetIntegrationResponseInput{ApiId: aws.String(apiID),
		IntegrationId: aws.String(integrationID), IntegrationResponseId: aws.String(want.id)})
	must(t, err)
	wantStatus(t, got.ResultMetadata, 200)
	checkIntegrationResponse(t, "GetIntegrationResponse", irFromGet(got), want)
	list, err := e.c.GetIntegrationResponses(e.ctx, &apigatewayv2.GetIntegrationResponsesInput{ApiId: aws.String(apiID), IntegrationId: aws.String(integrationID)})
	must(t, err)
	wantStatus(t, list.ResultMetadata, 200)
	for _, item := range list.Items {
		if aws.ToString(item.IntegrationResponseId) == want.id {
			checkIntegrationResponse(t, "GetIntegrationResponses", item, want)
			return
		}
	}
	t.Errorf("GetIntegrationResponses: %s not listed", want.id)
}

// TestE2ECreateIntegrationResponse: Terraform's basic and allAttributes
// cases: a /regex/ key alone, and $default with every member (an empty
// template kept as "").
func TestE2ECreateIntegrationResponse(t *testing.T) {
	e := newEnv(t)
	apiID := e.createWebSocketAPI(t, "chat")
	integrationID := e.createMockIntegration(t, apiID)
	api, integ := aws.String(apiID), aws.String(integrationID)

	out, err := e.c.CreateIntegrationResponse(e.ctx, &apigatewayv2.CreateIntegrationResponseInput{ApiId: api, IntegrationId: integ,
		IntegrationResponseKey: aws.String("/200/")})
	must(t, err)
	wantStatus(t, out.ResultMetadata, 201)
	basic := irWant{id: *out.IntegrationResponseId, key: "/200/"}
	checkIntegrationResponse(t, "CreateIntegrationResponse", irFromCreate(out), basic)
	e.checkStoredIR(t, apiID, integrationID, basic)
	wantBody(t, "raw GetIntegrationResponse", e.raw(t, "GET", integrationPath(apiID, integrationID)+"/integrationresponses/"+basic.id, "", nil),
		200, `{"integrationResponseId":"`+basic.id+`","integrationResponseKey":"/200/"}`)

	out, err = e.c.CreateIntegrationResponse(e.ctx, &apigatewayv2.CreateIntegrationResponseInput{ApiId: api, IntegrationId: integ,
		IntegrationResponseKey: aws.String("$default"), ContentHandlingStrategy: types.ContentHandlingStrategyConvertToText,
		TemplateSelectionExpression: aws.String("$integration.response.statuscode"),
		ResponseTemplates:           map[string]string{"application/json": "", "200": "{}"},
		ResponseParameters:          map[string]string{"method.response.header.X-Id": "integration.response.header.X-Id"}})
	must(t, err)
	full := irWant{id: *out.IntegrationResponseId, key: "$default", chs: types.ContentHandlingStrategyConvertToText,
		tse:       aws.String("$integration.response.statuscode"),
		templates: map[string]string{"application/json": "", "200": "{}"},
		params:    map[string]string{"method.response.header.X-Id": "integration.response.header.X-Id"}}
	checkIntegrationResponse(t, "CreateIntegrationResponse", irFromCreate(out), full)
	e.checkStoredIR(t, apiID, integrationID, full)

	// Every status-code expression AWS's docs use is a key.
	for _, key := range []string{"/2\\d\\d/", "/4\\d\\d/", "/5\\d\\d|429/", "/.*Error.*/"} {
		e.createIntegrationResponse(t, apiID, integrationID, key)
	}
	list, err := e.c.GetIntegrationResponses(e.ctx, &apigatewayv2.GetIntegrationResponsesInput{ApiId: api, IntegrationId: integ})
	must(t, err)
	if len(list.Items) != 6 {
		t.Errorf("%d integration responses, want 6", len(list.Items))
	}
}

func TestE2EIntegrationResponseKeyAndConflicts(t *testing.T) {
	e := newEnv(t)
	apiID := e.createWebSocketAPI(t, "chat")
	integrationID := e.createMockIntegration(t, apiID)
	api, integ := aws.String(apiID), aws.String(integrationID)
	create := func(key string, f func(*apigatewayv2.CreateIntegrationResponseInput)) error {
		in := &apigatewayv2.CreateIntegrationResponseInput{ApiId: api, IntegrationId: integ, IntegrationResponseKey: aws.String(key)}
		if f != nil {
			f(in)
		}
		_, err := e.c.CreateIntegrationResponse(e.ctx, in)
		return err
	}
	for _, key := range []string{"200", "$other", "/", "//", "/200", "200/", "$DEFAULT"} {
		wantAPIError(t, create(key, nil), 400, "BadRequestException",
			"Invalid integration response key specified: "+key+". A key is $default or a regular expression between slashes, such as /2\\d\\d/")
	}
	wantAPIError(t, create("", nil), 400, "BadRequestException", "Integration response key is required")
	wantAPIError(t, create("/(2\\d\\d/", nil), 400, "BadRequestException",
		"Invalid integration response key specified: /(2\\d\\d/. The expression between the slashes is not a valid regular expression: "+
			"error parsing regexp: missing closing ): `(2\\d\\d`")
	big := strings.Repeat("t", 307201)
	wantAPIError(t, create("$default", func(in *apigatewayv2.CreateIntegrationResponseInput) {
		in.ResponseTemplates = map[string]string{"application/json": big}
	}), 400, "BadRequestException",
		`Invalid response template "application/json": the template is 307201 bytes long; a template can be at most 307200 bytes (300 KB)`)
	wantAPIError(t, create("$default", func(in *apigatewayv2.CreateIntegrationResponseInput) {
		in.TemplateSelectionExpression = aws.String(strings.Repeat("s", 1025))
	}), 400, "BadRequestException", "1 validation error detected: Value '"+strings.Repeat("s", 64)+
		"...' at 'templateSelectionExpression' failed to satisfy constraint: Member must have length less than or equal to 1024")
	none, err := e.c.GetIntegrationResponses(e.ctx, &apigatewayv2.GetIntegrationResponsesInput{ApiId: api, IntegrationId: integ})
	must(t, err)
	if len(none.Items) != 0 {
		t.Fatalf("refused creates stored %+v", none.Items)
	}

	// A template of exactly 300 KB is fine.
	exact := strings.Repeat("t", 307200)
	must(t, create("/5\\d\\d/", func(in *apigatewayv2.CreateIntegrationResponseInput) {
		in.ResponseTemplates = map[string]string{"$default": exact}
	}))

	// A key is unique per integration: 409; the same key on another
	// integration is fine.
	first := e.createIntegrationResponse(t, apiID, integrationID, "$default")
	wantAPIError(t, create("$default", nil), 409, "ConflictException",
		"Integration response with key $default already exists for integration "+integrationID)
	otherIntegration := e.createMockIntegration(t, apiID)
	e.createIntegrationResponse(t, apiID, otherIntegration, "$default")
	second := e.createIntegrationResponse(t, apiID, integrationID, "/2\\d\\d/")
	// Updating a key onto a taken one is 409 too, and changes nothing.
	_, err = e.c.UpdateIntegrationResponse(e.ctx, &apigatewayv2.UpdateIntegrationResponseInput{ApiId: api, IntegrationId: integ,
		IntegrationResponseId: aws.String(second), IntegrationResponseKey: aws.String("$default"), TemplateSelectionExpression: aws.String("x")})
	wantAPIError(t, err, 409, "ConflictException", "Integration response with key $default already exists for integration "+integrationID)
	e.checkStoredIR(t, apiID, integrationID, irWant{id: second, key: "/2\\d\\d/"})
	e.checkStoredIR(t, apiID, integrationID, irWant{id: first, key: "$default"})
}

func TestE2EIntegrationResponseNotFound(t *testing.T) {
	e := newEnv(t)
	apiID := e.createWebSocketAPI(t, "chat")
	integA := e.createMockIntegration(t, apiID)
	integB := e.createMockIntegration(t, apiID)
	irA := e.createIntegrationResponse(t, apiID, integA, "$default")
	otherAPI := e.createWebSocketAPI(t, "other")
	otherInteg := e.createMockIntegration(t, otherAPI)

	type call struct {
		name string
		do   func(apiID, integrationID, irID string) error
	}
	calls := []call{
		{"Create", func(a, i, _ string) error {
			_, err := e.c.CreateIntegrationResponse(e.ctx, &apigatewayv2.CreateIntegrationResponseInput{ApiId: aws.String(a), IntegrationId: aws.String(i),
				IntegrationResponseKey: aws.String("/4\\d\\d/")})
			return err
		}},
		{"List", func(a, i, _ string) error {
			_, err := e.c.GetIntegrationResponses(e.ctx, &apigatewayv2.GetIntegrationResponsesInput{ApiId: aws.String(a), IntegrationId: aws.String(i)})
			return err
		}},
		{"Get", func(a, i, r string) error {
			_, err := e.c.GetIntegrationResponse(e.ctx, &apigatewayv2.GetIntegrationResponseInput{ApiId: aws.String(a), IntegrationId: aws.String(i),
				IntegrationResponseId: aws.String(r)})
			return err
		}},
		{"Update", func(a, i, r string) error {
			_, err := e.c.UpdateIntegrationResponse(e.ctx, &apigatewayv2.UpdateIntegrationResponseInput{ApiId: aws.String(a), IntegrationId: aws.String(i),
				IntegrationResponseId: aws.String(r), TemplateSelectionExpression: aws.String("x")})
			return err
		}},
		{"Delete", func(a, i, r string) error {
			_, err := e.c.DeleteIntegrationResponse(e.ctx, &apigatewayv2.DeleteIntegrationResponseInput{ApiId: aws.String(a), IntegrationId: aws.String(i),
				IntegrationResponseId: aws.String(r)})
			return err
		}},
	}
	for _, c := range calls {
		t.Run(c.name, func(t *testing.T) {
			wantAPIError(t, c.do("nope123456", integA, irA), 404, "NotFoundException", "Invalid API identifier specified 000000000000:nope123456")
			wantAPIError(t, c.do(apiID, "zzzzzzz", irA), 404, "NotFoundException", "Invalid Integration identifier specified zzzzzzz")
			wantAPIError(t, c.do(apiID, otherInteg, irA), 404, "NotFoundException", "Invalid Integration identifier specified "+otherInteg)
			if c.name == "Create" || c.name == "List" {
				return
			}
			wantAPIError(t, c.do(apiID, integA, "yyyyyy"), 404, "NotFoundException", "Invalid IntegrationResponse identifier specified yyyyyy")
			// Fetched through the wrong integration of the right API.
			wantAPIError(t, c.do(apiID, integB, irA), 404, "NotFoundException", "Invalid IntegrationResponse identifier specified "+irA)
		})
	}
	e.checkStoredIR(t, apiID, integA, irWant{id: irA, key: "$default"})
}

func TestE2EIntegrationResponseOnHTTPAPI(t *testing.T) {
	e := newEnv(t)
	apiID := e.createHTTPAPI(t, "web")
	api := aws.String(apiID)
	integ := aws.String(e.createHTTPProxyIntegration(t, apiID))
	const msg = "Integration responses are supported only for WebSocket APIs"
	_, err := e.c.CreateIntegrationResponse(e.ctx, &apigatewayv2.CreateIntegrationResponseInput{ApiId: api, IntegrationId: integ,
		IntegrationResponseKey: aws.String("$default")})
	wantAPIError(t, err, 400, "BadRequestException", msg)
	_, err = e.c.GetIntegrationResponses(e.ctx, &apigatewayv2.GetIntegrationResponsesInput{ApiId: api, IntegrationId: integ})
	wantAPIError(t, err, 400, "BadRequestException", msg)
	_, err = e.c.GetIntegrationResponse(e.ctx, &apigatewayv2.GetIntegrationResponseInput{ApiId: api, IntegrationId: integ, IntegrationResponseId: aws.String("abc123")})
	wantAPIError(t, err, 400, "BadRequestException", msg)
	_, err = e.c.UpdateIntegrationResponse(e.ctx, &apigatewayv2.UpdateIntegrationResponseInput{ApiId: api, IntegrationId: integ, IntegrationResponseId: aws.String("abc123")})
	wantAPIError(t, err, 400, "BadRequestException", msg)
	_, err = e.c.DeleteIntegrationResponse(e.ctx, &apigatewayv2.DeleteIntegrationResponseInput{ApiId: api, IntegrationId: integ, IntegrationResponseId: aws.String("abc123")})
	wantAPIError(t, err, 400, "BadRequestException", msg)
	// A missing integration on an HTTP API is still 404 first.
	_, err = e.c.CreateIntegrationResponse(e.ctx, &apigatewayv2.CreateIntegrationResponseInput{ApiId: api, IntegrationId: aws.String("zzzzzzz"),
		IntegrationResponseKey: aws.String("$default")})
	wantAPIError(t, err, 404, "NotFoundException", "Invalid Integration identifier specified zzzzzzz")
}

func TestE2EUpdateIntegrationResponse(t *testing.T) {
	e := newEnv(t)
	apiID := e.createWebSocketAPI(t, "chat")
	integrationID := e.createMockIntegration(t, apiID)
	out, err := e.c.CreateIntegrationResponse(e.ctx, &apigatewayv2.CreateIntegrationResponseInput{ApiId: aws.String(apiID),
		IntegrationId: aws.String(integrationID), IntegrationResponseKey: aws.String("$default"),
		ContentHandlingStrategy: types.ContentHandlingStrategyConvertToText, TemplateSelectionExpression: aws.String("$request.body.name"),
		ResponseTemplates:  map[string]string{"application/json": ""},
		ResponseParameters: map[string]string{"method.response.header.A": "'a'"}})
	must(t, err)
	id := *out.IntegrationResponseId
	in := func() *apigatewayv2.UpdateIntegrationResponseInput {
		return &apigatewayv2.UpdateIntegrationResponseInput{ApiId: aws.String(apiID), IntegrationId: aws.String(integrationID),
			IntegrationResponseId: aws.String(id)}
	}
	want := irWant{id: id, key: "$default", chs: types.ContentHandlingStrategyConvertToText, tse: aws.String("$request.body.name"),
		templates: map[string]string{"application/json": ""}, params: map[string]string{"method.response.header.A": "'a'"}}

	// An update with no members changes nothing.
	up, err := e.c.UpdateIntegrationResponse(e.ctx, in())
	must(t, err)
	wantStatus(t, up.ResultMetadata, 200)
	checkIntegrationResponse(t, "empty update", irFromUpdate(up), want)

	// Terraform's allAttributesUpdated: key, strategy, expression and
	// templates change; the parameters, not given, stay.
	u := in()
	u.IntegrationResponseKey = aws.String("/404/")
	u.ContentHandlingStrategy = types.ContentHandlingStrategyConvertToBinary
	u.TemplateSelectionExpression = aws.String("$request.body.id")
	u.ResponseTemplates = map[string]string{"application/json": "#set($number=42)", "application/xml": "#set($percent=$number/100)"}
	up, err = e.c.UpdateIntegrationResponse(e.ctx, u)
	must(t, err)
	want.key, want.chs, want.tse = "/404/", types.ContentHandlingStrategyConvertToBinary, aws.String("$request.body.id")
	want.templates = map[string]string{"application/json": "#set($number=42)", "application/xml": "#set($percent=$number/100)"}
	checkIntegrationResponse(t, "UpdateIntegrationResponse", irFromUpdate(up), want)
	e.checkStoredIR(t, apiID, integrationID, want)

	// "" clears the expression; maps given replace the stored ones whole.
	u = in()
	u.TemplateSelectionExpression = aws.String("")
	u.ResponseParameters = map[string]string{"method.response.header.B": "integration.response.body.b"}
	up, err = e.c.UpdateIntegrationResponse(e.ctx, u)
	must(t, err)
	want.tse = nil
	want.params = map[string]string{"method.response.header.B": "integration.response.body.b"}
	checkIntegrationResponse(t, "UpdateIntegrationResponse clearing", irFromUpdate(up), want)

	// {} clears a map.
	u = in()
	u.ResponseTemplates = map[string]string{}
	u.ResponseParameters = map[string]string{}
	up, err = e.c.UpdateIntegrationResponse(e.ctx, u)
	must(t, err)
	want.templates, want.params = nil, nil
	checkIntegrationResponse(t, "UpdateIntegrationResponse {}", irFromUpdate(up), want)
	e.checkStoredIR(t, apiID, integrationID, want)
	wantBody(t, "raw after clearing", e.raw(t, "GET", integrationPath(apiID, integrationID)+"/integrationresponses/"+id, "", nil), 200,
		`{"contentHandlingStrategy":"CONVERT_TO_BINARY","integrationResponseId":"`+id+`","integrationResponseKey":"/404/"}`)

	// Refused updates leave it as it was.
	for _, bad := range []struct {
		set func(*apigatewayv2.UpdateIntegrationResponseInput)
		msg string
	}{
		{func(u *apigatewayv2.UpdateIntegrationResponseInput) { u.IntegrationResponseKey = aws.String("404") },
			"Invalid integration response key specified: 404. A key is $default or a regular expression between slashes, such as /2\\d\\d/"},
		{func(u *apigatewayv2.UpdateIntegrationResponseInput) { u.IntegrationResponseKey = aws.String("") },
			"Integration response key is required"},
		{func(u *apigatewayv2.UpdateIntegrationResponseInput) {
			u.TemplateSelectionExpression = aws.String("x")
			u.ResponseTemplates = map[string]string{"a": strings.Repeat("a", 307201)}
		}, `Invalid response template "a": the template is 307201 bytes long; a template can be at most 307200 bytes (300 KB)`},
	} {
		u := in()
		bad.set(u)
		_, err := e.c.UpdateIntegrationResponse(e.ctx, u)
		wantAPIError(t, err, 400, "BadRequestException", bad.msg)
	}
	e.checkStoredIR(t, apiID, integrationID, want)

	// Setting the key to its own key is fine.
	u = in()
	u.IntegrationResponseKey = aws.String("/404/")
	up, err = e.c.UpdateIntegrationResponse(e.ctx, u)
	must(t, err)
	checkIntegrationResponse(t, "same key", irFromUpdate(up), want)
}

func TestE2EDeleteIntegrationResponse(t *testing.T) {
	e := newEnv(t)
	apiID := e.createWebSocketAPI(t, "chat")
	integrationID := e.createMockIntegration(t, apiID)
	id := e.createIntegrationResponse(t, apiID, integrationID, "$default")
	in := &apigatewayv2.DeleteIntegrationResponseInput{ApiId: aws.String(apiID), IntegrationId: aws.String(integrationID), IntegrationResponseId: aws.String(id)}

	out, err := e.c.DeleteIntegrationResponse(e.ctx, in)
	must(t, err)
	wantStatus(t, out.ResultMetadata, 204)
	gone := "Invalid IntegrationResponse identifier specified " + id
	_, err = e.c.GetIntegrationResponse(e.ctx, &apigatewayv2.GetIntegrationResponseInput{ApiId: aws.String(apiID), IntegrationId: aws.String(integrationID),
		IntegrationResponseId: aws.String(id)})
	wantAPIError(t, err, 404, "NotFoundException", gone)
	_, err = e.c.DeleteIntegrationResponse(e.ctx, in)
	wantAPIError(t, err, 404, "NotFoundException", gone)
	wantBody(t, "raw list after delete", e.raw(t, "GET", integrationPath(apiID, integrationID)+"/integrationresponses", "", nil), 200, `{"items":[]}`)
	// The key is free again; the integration is intact.
	if again := e.createIntegrationResponse(t, apiID, integrationID, "$default"); again == id {
		t.Errorf("recreated integration response reused the id %s", id)
	}
	if _, err := e.c.GetIntegration(e.ctx, &apigatewayv2.GetIntegrationInput{ApiId: aws.String(apiID), IntegrationId: aws.String(integrationID)}); err != nil {
		t.Errorf("integration after deleting its response: %v", err)
	}
}

// TestE2EDeleteIntegrationCascades: deleting an integration deletes its
// integration responses; those of its sibling stay.
func TestE2EDeleteIntegrationCascades(t *testing.T) {
	e := newEnv(t)
	apiID := e.createWebSocketAPI(t, "chat")
	doomed := e.createMockIntegration(t, apiID)
	kept := e.createMockIntegration(t, apiID)
	e.createIntegrationResponse(t, apiID, doomed, "$default")
	doomedIR := e.createIntegrationResponse(t, apiID, doomed, "/2\\d\\d/")
	keptIR := e.createIntegrationResponse(t, apiID, kept, "/2\\d\\d/")
	_, err := e.c.DeleteIntegration(e.ctx, &apigatewayv2.DeleteIntegrationInput{ApiId: aws.String(apiID), IntegrationId: aws.String(doomed)})
	must(t, err)
	_, err = e.c.GetIntegrationResponse(e.ctx, &apigatewayv2.GetIntegrationResponseInput{ApiId: aws.String(apiID), IntegrationId: aws.String(doomed),
		IntegrationResponseId: aws.String(doomedIR)})
	wantAPIError(t, err, 404, "NotFoundException", "Invalid Integration identifier specified "+doomed)
	// The response is gone from the store, not only unreachable: under
	// another integration it is not found either, and the sibling's is
	// intact.
	_, err = e.c.GetIntegrationResponse(e.ctx, &apigatewayv2.GetIntegrationResponseInput{ApiId: aws.String(apiID), IntegrationId: aws.String(kept),
		IntegrationResponseId: aws.String(doomedIR)})
	wantAPIError(t, err, 404, "NotFoundException", "Invalid IntegrationResponse identifier specified "+doomedIR)
	e.checkStoredIR(t, apiID, kept, irWant{id: keptIR, key: "/2\\d\\d/"})
}

func TestE2EGetIntegrationResponsesPaging(t *testing.T) {
	e := newEnv(t)
	apiID := e.createWebSocketAPI(t, "chat")
	integrationID := e.createMockIntegration(t, apiID)
	in := func(max, token *string) *apigatewayv2.GetIntegrationResponsesInput {
		return &apigatewayv2.GetIntegrationResponsesInput{ApiId: aws.String(apiID), IntegrationId: aws.String(integrationID), MaxResults: max, NextToken: token}
	}
	empty, err := e.c.GetIntegrationResponses(e.ctx, in(aws.String("1"), nil))
	must(t, err)
	if empty.Items == nil || len(empty.Items) != 0 || empty.NextToken != nil {
		t.Fatalf("no integration responses: items %#v, nextToken %v", empty.Items, empty.NextToken)
	}
	ids := map[string]bool{}
	for _, key := range []string{"$default", "/2\\d\\d/", "/4\\d\\d/"} {
		ids[e.createIntegrationResponse(t, apiID, integrationID, key)] = true
	}
	first, err := e.c.GetIntegrationResponses(e.ctx, in(aws.String("2"), nil))
	must(t, err)
	if len(first.Items) != 2 || first.NextToken == nil {
		t.Fatalf("first page: %d items, nextToken %v", len(first.Items), first.NextToken)
	}
	second, err := e.c.GetIntegrationResponses(e.ctx, in(aws.String("2"), first.NextToken))
	must(t, err)
	if len(second.Items) != 1 || second.NextToken != nil {
		t.Fatalf("second page: %d items, nextToken %v", len(second.Items), second.NextToken)
	}
	for _, it := range append(first.Items, second.Items...) {
		delete(ids, aws.ToString(it.IntegrationResponseId))
	}
	if len(ids) != 0 {
		t.Errorf("not listed: %v", ids)
	}
	_, err = e.c.GetIntegrationResponses(e.ctx, in(aws.String("-1"), nil))
	wantAPIError(t, err, 400, "BadRequestException", `Invalid maxResults specified: "-1". It must be a positive integer.`)
	_, err = e.c.GetIntegrationResponses(e.ctx, in(nil, aws.String("!")))
	wantAPIError(t, err, 400, "BadRequestException", "Invalid nextToken specified")
}
