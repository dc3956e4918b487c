package apigw_test

import (
	"fmt"
	"maps"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"
)

// rrWant is what a route response must hold, member by member.
type rrWant struct {
	id, key string
	mse     *string
	models  map[string]string
	params  map[string]bool // key -> required
}

func checkRouteResponse(t *testing.T, op string, got types.RouteResponse, want rrWant) {
	t.Helper()
	if want.id != "" && aws.ToString(got.RouteResponseId) != want.id {
		t.Errorf("%s: routeResponseId %q, want %q", op, aws.ToString(got.RouteResponseId), want.id)
	}
	if !routeResponseIDPattern.MatchString(aws.ToString(got.RouteResponseId)) {
		t.Errorf("%s: routeResponseId %q does not match %s", op, aws.ToString(got.RouteResponseId), routeResponseIDPattern)
	}
	if aws.ToString(got.RouteResponseKey) != want.key {
		t.Errorf("%s: routeResponseKey %q, want %q", op, aws.ToString(got.RouteResponseKey), want.key)
	}
	if (got.ModelSelectionExpression == nil) != (want.mse == nil) ||
		aws.ToString(got.ModelSelectionExpression) != aws.ToString(want.mse) {
		t.Errorf("%s: modelSelectionExpression %v, want %v", op, ptrString(got.ModelSelectionExpression), ptrString(want.mse))
	}
	if (got.ResponseModels == nil) != (want.models == nil) || !maps.Equal(got.ResponseModels, want.models) {
		t.Errorf("%s: responseModels %#v, want %#v", op, got.ResponseModels, want.models)
	}
	if (got.ResponseParameters == nil) != (want.params == nil) || len(got.ResponseParameters) != len(want.params) {
		t.Errorf("%s: responseParameters %#v, want %v", op, got.ResponseParameters, want.params)
	}
	for k, req := range want.params {
		p, ok := got.ResponseParameters[k]
		if !ok || p.Required == nil || *p.Required != req {
			t.Errorf("%s: responseParameters[%q] = %+v (present %v), want required=%v", op, k, p, ok, req)
		}
	}
}

func ptrString(p *string) string {
	if p == nil {
		return "<absent>"
	}
	return "\"" + *p + "\""
}

func fromCreate(o *apigatewayv2.CreateRouteResponseOutput) types.RouteResponse {
	return types.RouteResponse{RouteResponseId: o.RouteResponseId, RouteResponseKey: o.RouteResponseKey,
		ModelSelectionExpression: o.ModelSelectionExpression, ResponseModels: o.ResponseModels, ResponseParameters: o.ResponseParameters}
}

func fromGet(o *apigatewayv2.GetRouteResponseOutput) types.RouteResponse {
	return types.RouteResponse{RouteResponseId: o.RouteResponseId, RouteResponseKey: o.RouteResponseKey,
		ModelSelectionExpression: o.ModelSelectionExpression, ResponseModels: o.ResponseModels, ResponseParameters: o.ResponseParameters}
}

func fromUpdate(o *apigatewayv2.UpdateRouteResponseOutput) types.RouteResponse {
	return types.RouteResponse{RouteResponseId: o.RouteResponseId, RouteResponseKey: o.RouteResponseKey,
		ModelSelectionExpression: o.ModelSelectionExpression, ResponseModels: o.ResponseModels, ResponseParameters: o.ResponseParameters}
}

// checkStoredRR reads a route response with GetRouteResponse and through
// GetRouteResponses, and checks both against want.
func (e *env) checkStoredRR(t *testing.T, apiID, routeID string, want rrWant) {
	t.Helper()
	got, err := e.c.GetRouteResponse(e.ctx, &apigatewayv2.GetRouteResponseInput{ApiId: aws.String(apiID), RouteId: aws.String(routeID),
		RouteResponseId: aws.String(want.id)})
	must(t, err)
	wantStatus(t, got.ResultMetadata, 200)
	checkRouteResponse(t, "GetRouteResponse", fromGet(got), want)
	list, err := e.c.GetRouteResponses(e.ctx, &apigatewayv2.GetRouteResponsesInput{ApiId: aws.String(apiID), RouteId: aws.String(routeID)})
	must(t, err)
	wantStatus(t, list.ResultMetadata, 200)
	if len(list.Items) != 1 || list.NextToken != nil {
		t.Fatalf("GetRouteResponses: %d items, nextToken %v", len(list.Items), list.NextToken)
	}
	checkRouteResponse(t, "GetRouteResponses", list.Items[0], want)
}

func TestE2ECreateRouteResponseDefault(t *testing.T) {
	e := newEnv(t)
	apiID := e.createWebSocketAPI(t, "chat")
	// A route without a routeResponseSelectionExpression (Terraform does this).
	plain := e.createRoute(t, apiID, "$connect")
	// And one with it.
	withRRSE, err := e.c.CreateRoute(e.ctx, &apigatewayv2.CreateRouteInput{ApiId: aws.String(apiID), RouteKey: aws.String("sendMessage"),
		RouteResponseSelectionExpression: aws.String("$default")})
	must(t, err)

	for _, routeID := range []string{plain, *withRRSE.RouteId} {
		out, err := e.c.CreateRouteResponse(e.ctx, &apigatewayv2.CreateRouteResponseInput{ApiId: aws.String(apiID), RouteId: aws.String(routeID),
			RouteResponseKey: aws.String("$default")})
		must(t, err)
		wantStatus(t, out.ResultMetadata, 201)
		want := rrWant{id: aws.ToString(out.RouteResponseId), key: "$default"}
		checkRouteResponse(t, "CreateRouteResponse", fromCreate(out), want)
		e.checkStoredRR(t, apiID, routeID, want)
	}
}

func TestE2ERouteResponseMembersRoundTrip(t *testing.T) {
	e := newEnv(t)
	apiID := e.createWebSocketAPI(t, "chat")
	routeID := e.createRoute(t, apiID, "sendMessage")
	out, err := e.c.CreateRouteResponse(e.ctx, &apigatewayv2.CreateRouteResponseInput{
		ApiId: aws.String(apiID), RouteId: aws.String(routeID), RouteResponseKey: aws.String("$default"),
		ModelSelectionExpression: aws.String("$request.body.action"),
		ResponseModels:           map[string]string{"application/json": "MyModel"},
		ResponseParameters: map[string]types.ParameterConstraints{
			"route.response.header.X":        {Required: aws.Bool(true)},
			"route.response.header.Optional": {Required: aws.Bool(false)},
		},
	})
	must(t, err)
	wantStatus(t, out.ResultMetadata, 201)
	want := rrWant{
		id: aws.ToString(out.RouteResponseId), key: "$default", mse: aws.String("$request.body.action"),
		models: map[string]string{"application/json": "MyModel"},
		params: map[string]bool{"route.response.header.X": true, "route.response.header.Optional": false},
	}
	checkRouteResponse(t, "CreateRouteResponse", fromCreate(out), want)
	e.checkStoredRR(t, apiID, routeID, want)

	// An update that sets the same members back returns them exactly too.
	up, err := e.c.UpdateRouteResponse(e.ctx, &apigatewayv2.UpdateRouteResponseInput{
		ApiId: aws.String(apiID), RouteId: aws.String(routeID), RouteResponseId: out.RouteResponseId,
		RouteResponseKey: aws.String("$default"), ModelSelectionExpression: aws.String("$request.body.action"),
		ResponseModels: map[string]string{"application/json": "MyModel"},
		ResponseParameters: map[string]types.ParameterConstraints{
			"route.response.header.X":        {Required: aws.Bool(true)},
			"route.response.header.Optional": {Required: aws.Bool(false)},
		},
	})
	must(t, err)
	wantStatus(t, up.ResultMetadata, 200)
	checkRouteResponse(t, "UpdateRouteResponse", fromUpdate(up), want)
	e.checkStoredRR(t, apiID, routeID, want)
}

func TestE2ERouteResponseKeyAndConflicts(t *testing.T) {
	e := newEnv(t)
	apiID := e.createWebSocketAPI(t, "chat")
	api := aws.String(apiID)
	routeA := aws.String(e.createRoute(t, apiID, "$connect"))
	routeB := aws.String(e.createRoute(t, apiID, "$default"))

	for _, key := range []string{"$other", "default", "200", "$DEFAULT"} {
		_, err := e.c.CreateRouteResponse(e.ctx, &apigatewayv2.CreateRouteResponseInput{ApiId: api, RouteId: routeA, RouteResponseKey: aws.String(key)})
		wantAPIError(t, err, 400, "BadRequestException", "Invalid route response key specified: "+key+". Only $default is supported")
	}
	_, err := e.c.CreateRouteResponse(e.ctx, &apigatewayv2.CreateRouteResponseInput{ApiId: api, RouteId: routeA, RouteResponseKey: aws.String("")})
	wantAPIError(t, err, 400, "BadRequestException", "Route response key is required")
	_, err = e.c.CreateRouteResponse(e.ctx, &apigatewayv2.CreateRouteResponseInput{ApiId: api, RouteId: routeA, RouteResponseKey: aws.String("$default"),
		ResponseModels: map[string]string{"application/json": ""}})
	wantAPIError(t, err, 400, "BadRequestException", `Invalid response model specified for content type "application/json": ""`)
	_, err = e.c.CreateRouteResponse(e.ctx, &apigatewayv2.CreateRouteResponseInput{ApiId: api, RouteId: routeA, RouteResponseKey: aws.String("$default"),
		ResponseModels: map[string]string{"application/json": strings.Repeat("m", 129)}})
	wantAPIError(t, err, 400, "BadRequestException", `Invalid response model specified for content type "application/json": "`+strings.Repeat("m", 129)+`"`)
	_, err = e.c.CreateRouteResponse(e.ctx, &apigatewayv2.CreateRouteResponseInput{ApiId: api, RouteId: routeA, RouteResponseKey: aws.String("$default"),
		ModelSelectionExpression: aws.String(strings.Repeat("x", 1025))})
	wantAPIError(t, err, 400, "BadRequestException", "1 validation error detected: Value '"+strings.Repeat("x", 64)+
		"...' at 'modelSelectionExpression' failed to satisfy constraint: Member must have length less than or equal to 1024")

	first := e.createRouteResponse(t, apiID, *routeA)
	_, err = e.c.CreateRouteResponse(e.ctx, &apigatewayv2.CreateRouteResponseInput{ApiId: api, RouteId: routeA, RouteResponseKey: aws.String("$default")})
	wantAPIError(t, err, 409, "ConflictException", "Route response with key $default already exists for route "+*routeA)
	// A $default on another route is fine.
	second := e.createRouteResponse(t, apiID, *routeB)
	if first == second {
		t.Errorf("two route responses share the id %s", first)
	}
	list, err := e.c.GetRouteResponses(e.ctx, &apigatewayv2.GetRouteResponsesInput{ApiId: api, RouteId: routeA})
	must(t, err)
	if len(list.Items) != 1 || aws.ToString(list.Items[0].RouteResponseId) != first {
		t.Errorf("route A responses after the refused duplicate: %+v", list.Items)
	}
}

func TestE2ERouteResponseNotFound(t *testing.T) {
	e := newEnv(t)
	apiID := e.createWebSocketAPI(t, "chat")
	api := aws.String(apiID)
	routeA := e.createRoute(t, apiID, "$connect")
	routeB := e.createRoute(t, apiID, "$default")
	rrA := e.createRouteResponse(t, apiID, routeA)
	otherAPI := e.createWebSocketAPI(t, "other")
	otherRoute := e.createRoute(t, otherAPI, "$connect")

	missingAPI := "Invalid API identifier specified 000000000000:nope123456"
	missingRoute := "Invalid Route identifier specified zzzzzzz"
	missingRR := "Invalid RouteResponse identifier specified yyyyyy"
	type call struct {
		name string
		do   func(apiID, routeID, rrID string) error
	}
	calls := []call{
		{"Create", func(a, r, _ string) error {
			_, err := e.c.CreateRouteResponse(e.ctx, &apigatewayv2.CreateRouteResponseInput{ApiId: aws.String(a), RouteId: aws.String(r), RouteResponseKey: aws.String("$default")})
			return err
		}},
		{"List", func(a, r, _ string) error {
			_, err := e.c.GetRouteResponses(e.ctx, &apigatewayv2.GetRouteResponsesInput{ApiId: aws.String(a), RouteId: aws.String(r)})
			return err
		}},
		{"Get", func(a, r, rr string) error {
			_, err := e.c.GetRouteResponse(e.ctx, &apigatewayv2.GetRouteResponseInput{ApiId: aws.String(a), RouteId: aws.String(r), RouteResponseId: aws.String(rr)})
			return err
		}},
		{"Update", func(a, r, rr string) error {
			_, err := e.c.UpdateRouteResponse(e.ctx, &apigatewayv2.UpdateRouteResponseInput{ApiId: aws.String(a), RouteId: aws.String(r), RouteResponseId: aws.String(rr),
				ModelSelectionExpression: aws.String("x")})
			return err
		}},
		{"Delete", func(a, r, rr string) error {
			_, err := e.c.DeleteRouteResponse(e.ctx, &apigatewayv2.DeleteRouteResponseInput{ApiId: aws.String(a), RouteId: aws.String(r), RouteResponseId: aws.String(rr)})
			return err
		}},
	}
	for _, c := range calls {
		t.Run(c.name, func(t *testing.T) {
			wantAPIError(t, c.do("nope123456", routeA, rrA), 404, "NotFoundException", missingAPI)
			wantAPIError(t, c.do(apiID, "zzzzzzz", rrA), 404, "NotFoundException", missingRoute)
			// A route of another API is not found under this one.
			wantAPIError(t, c.do(apiID, otherRoute, rrA), 404, "NotFoundException", "Invalid Route identifier specified "+otherRoute)
			if c.name == "Create" || c.name == "List" {
				return
			}
			wantAPIError(t, c.do(apiID, routeA, "yyyyyy"), 404, "NotFoundException", missingRR)
			// Fetched through the wrong route of the right API.
			wantAPIError(t, c.do(apiID, routeB, rrA), 404, "NotFoundException", "Invalid RouteResponse identifier specified "+rrA)
		})
	}
	// Nothing above touched the real one.
	e.checkStoredRR(t, apiID, routeA, rrWant{id: rrA, key: "$default"})
	none, err := e.c.GetRouteResponses(e.ctx, &apigatewayv2.GetRouteResponsesInput{ApiId: api, RouteId: aws.String(routeB)})
	must(t, err)
	if len(none.Items) != 0 {
		t.Errorf("route B got responses: %+v", none.Items)
	}
}

func TestE2ERouteResponseOnHTTPAPI(t *testing.T) {
	e := newEnv(t)
	apiID := e.createHTTPAPI(t, "web")
	api := aws.String(apiID)
	route := aws.String(e.createRoute(t, apiID, "GET /pets"))
	const msg = "Route responses are supported only for WebSocket APIs"
	_, err := e.c.CreateRouteResponse(e.ctx, &apigatewayv2.CreateRouteResponseInput{ApiId: api, RouteId: route, RouteResponseKey: aws.String("$default")})
	wantAPIError(t, err, 400, "BadRequestException", msg)
	_, err = e.c.GetRouteResponses(e.ctx, &apigatewayv2.GetRouteResponsesInput{ApiId: api, RouteId: route})
	wantAPIError(t, err, 400, "BadRequestException", msg)
	_, err = e.c.GetRouteResponse(e.ctx, &apigatewayv2.GetRouteResponseInput{ApiId: api, RouteId: route, RouteResponseId: aws.String("abc123")})
	wantAPIError(t, err, 400, "BadRequestException", msg)
	_, err = e.c.UpdateRouteResponse(e.ctx, &apigatewayv2.UpdateRouteResponseInput{ApiId: api, RouteId: route, RouteResponseId: aws.String("abc123")})
	wantAPIError(t, err, 400, "BadRequestException", msg)
	_, err = e.c.DeleteRouteResponse(e.ctx, &apigatewayv2.DeleteRouteResponseInput{ApiId: api, RouteId: route, RouteResponseId: aws.String("abc123")})
	wantAPIError(t, err, 400, "BadRequestException", msg)
	// A missing route on an HTTP API is still 404 first (checklist order).
	_, err = e.c.CreateRouteResponse(e.ctx, &apigatewayv2.CreateRouteResponseInput{ApiId: api, RouteId: aws.String("zzzzzzz"), RouteResponseKey: aws.String("$default")})
	wantAPIError(t, err, 404, "NotFoundException", "Invalid Route identifier specified zzzzzzz")
}

func TestE2EUpdateRouteResponse(t *testing.T) {
	e := newEnv(t)
	apiID := e.createWebSocketAPI(t, "chat")
	routeID := e.createRoute(t, apiID, "sendMessage")
	out, err := e.c.CreateRouteResponse(e.ctx, &apigatewayv2.CreateRouteResponseInput{
		ApiId: aws.String(apiID), RouteId: aws.String(routeID), RouteResponseKey: aws.String("$default"),
		ModelSelectionExpression: aws.String("$request.body.action"),
		ResponseModels:           map[string]string{"application/json": "MyModel"},
		ResponseParameters:       map[string]types.ParameterConstraints{"route.response.header.X": {Required: aws.Bool(true)}},
	})
	must(t, err)
	id := aws.ToString(out.RouteResponseId)
	in := func() *apigatewayv2.UpdateRouteResponseInput {
		return &apigatewayv2.UpdateRouteResponseInput{ApiId: aws.String(apiID), RouteId: aws.String(routeID), RouteResponseId: aws.String(id)}
	}
	models := map[string]string{"application/json": "MyModel"}
	params := map[string]bool{"route.response.header.X": true}

	// Only modelSelectionExpression changes; models and parameters remain.
	u := in()
	u.ModelSelectionExpression = aws.String("$request.body.type")
	up, err := e.c.UpdateRouteResponse(e.ctx, u)
	must(t, err)
	wantStatus(t, up.ResultMetadata, 200)
	want := rrWant{id: id, key: "$default", mse: aws.String("$request.body.type"), models: models, params: params}
	checkRouteResponse(t, "UpdateRouteResponse", fromUpdate(up), want)
	e.checkStoredRR(t, apiID, routeID, want)

	// An update with no members changes nothing.
	up, err = e.c.UpdateRouteResponse(e.ctx, in())
	must(t, err)
	checkRouteResponse(t, "empty UpdateRouteResponse", fromUpdate(up), want)

	// "" clears modelSelectionExpression.
	u = in()
	u.ModelSelectionExpression = aws.String("")
	up, err = e.c.UpdateRouteResponse(e.ctx, u)
	must(t, err)
	want.mse = nil
	checkRouteResponse(t, "UpdateRouteResponse clearing", fromUpdate(up), want)
	e.checkStoredRR(t, apiID, routeID, want)

	// A map given replaces the stored one whole.
	u = in()
	u.ResponseModels = map[string]string{"text/plain": "Text"}
	u.ResponseParameters = map[string]types.ParameterConstraints{"route.response.header.Y": {Required: aws.Bool(false)}}
	up, err = e.c.UpdateRouteResponse(e.ctx, u)
	must(t, err)
	want.models = map[string]string{"text/plain": "Text"}
	want.params = map[string]bool{"route.response.header.Y": false}
	checkRouteResponse(t, "UpdateRouteResponse maps", fromUpdate(up), want)
	e.checkStoredRR(t, apiID, routeID, want)

	// Refused updates leave it as it was.
	u = in()
	u.RouteResponseKey = aws.String("x")
	u.ModelSelectionExpression = aws.String("$request.body.other")
	_, err = e.c.UpdateRouteResponse(e.ctx, u)
	wantAPIError(t, err, 400, "BadRequestException", "Invalid route response key specified: x. Only $default is supported")
	u = in()
	u.RouteResponseKey = aws.String("")
	_, err = e.c.UpdateRouteResponse(e.ctx, u)
	wantAPIError(t, err, 400, "BadRequestException", "Route response key is required")
	u = in()
	u.ResponseModels = map[string]string{"": "M"}
	_, err = e.c.UpdateRouteResponse(e.ctx, u)
	wantAPIError(t, err, 400, "BadRequestException", `Invalid response model specified for content type "": "M"`)
	e.checkStoredRR(t, apiID, routeID, want)

	// Setting the key to $default, its own key, is fine.
	u = in()
	u.RouteResponseKey = aws.String("$default")
	up, err = e.c.UpdateRouteResponse(e.ctx, u)
	must(t, err)
	checkRouteResponse(t, "UpdateRouteResponse same key", fromUpdate(up), want)
}

func TestE2EDeleteRouteResponse(t *testing.T) {
	e := newEnv(t)
	apiID := e.createWebSocketAPI(t, "chat")
	routeID := e.createRoute(t, apiID, "$connect")
	id := e.createRouteResponse(t, apiID, routeID)
	in := &apigatewayv2.DeleteRouteResponseInput{ApiId: aws.String(apiID), RouteId: aws.String(routeID), RouteResponseId: aws.String(id)}

	out, err := e.c.DeleteRouteResponse(e.ctx, in)
	must(t, err)
	wantStatus(t, out.ResultMetadata, 204)
	gone := "Invalid RouteResponse identifier specified " + id
	_, err = e.c.GetRouteResponse(e.ctx, &apigatewayv2.GetRouteResponseInput{ApiId: aws.String(apiID), RouteId: aws.String(routeID), RouteResponseId: aws.String(id)})
	wantAPIError(t, err, 404, "NotFoundException", gone)
	_, err = e.c.DeleteRouteResponse(e.ctx, in)
	wantAPIError(t, err, 404, "NotFoundException", gone)
	list, err := e.c.GetRouteResponses(e.ctx, &apigatewayv2.GetRouteResponsesInput{ApiId: aws.String(apiID), RouteId: aws.String(routeID)})
	must(t, err)
	if list.Items == nil || len(list.Items) != 0 {
		t.Errorf("after delete: %#v", list.Items)
	}
	// The $default key is free again; the route is intact.
	again := e.createRouteResponse(t, apiID, routeID)
	if again == id {
		t.Errorf("recreated route response reused the id %s", id)
	}
	route, err := e.c.GetRoute(e.ctx, &apigatewayv2.GetRouteInput{ApiId: aws.String(apiID), RouteId: aws.String(routeID)})
	must(t, err)
	if aws.ToString(route.RouteKey) != "$connect" {
		t.Errorf("route after deleting its response: %+v", route)
	}
}

func TestE2EGetRouteResponsesPaging(t *testing.T) {
	e := newEnv(t)
	apiID := e.createWebSocketAPI(t, "chat")
	routeID := e.createRoute(t, apiID, "$connect")
	in := func(max, token *string) *apigatewayv2.GetRouteResponsesInput {
		return &apigatewayv2.GetRouteResponsesInput{ApiId: aws.String(apiID), RouteId: aws.String(routeID), MaxResults: max, NextToken: token}
	}
	empty, err := e.c.GetRouteResponses(e.ctx, in(nil, nil))
	must(t, err)
	if empty.Items == nil || len(empty.Items) != 0 || empty.NextToken != nil {
		t.Fatalf("no route responses: items %#v, nextToken %v", empty.Items, empty.NextToken)
	}
	empty, err = e.c.GetRouteResponses(e.ctx, in(aws.String("1"), nil))
	must(t, err)
	if empty.Items == nil || len(empty.Items) != 0 || empty.NextToken != nil {
		t.Fatalf("no route responses, maxResults=1: items %#v, nextToken %v", empty.Items, empty.NextToken)
	}

	id := e.createRouteResponse(t, apiID, routeID)
	page, err := e.c.GetRouteResponses(e.ctx, in(aws.String("1"), nil))
	must(t, err)
	if len(page.Items) != 1 || aws.ToString(page.Items[0].RouteResponseId) != id || page.NextToken != nil {
		t.Errorf("maxResults=1 with one response: %+v, nextToken %v", page.Items, page.NextToken)
	}
	// On the wire the page holds only the members that are set.
	raw := e.raw(t, "GET", "/v2/apis/"+apiID+"/routes/"+routeID+"/routeresponses?maxResults=1", "", nil)
	if raw.status != 200 || raw.body != `{"items":[{"routeResponseId":"`+id+`","routeResponseKey":"$default"}]}` {
		t.Errorf("raw page: %d %s", raw.status, raw.body)
	}
	for _, bad := range []string{"0", "abc"} {
		_, err = e.c.GetRouteResponses(e.ctx, in(aws.String(bad), nil))
		wantAPIError(t, err, 400, "BadRequestException", `Invalid maxResults specified: "`+bad+`". It must be a positive integer.`)
	}
	_, err = e.c.GetRouteResponses(e.ctx, in(nil, aws.String("***")))
	wantAPIError(t, err, 400, "BadRequestException", "Invalid nextToken specified")
}

// TestE2EConcurrentRouteResponseCreate: 20 clients create the $default
// route response of one route at once; exactly one gets 201.
func TestE2EConcurrentRouteResponseCreate(t *testing.T) {
	e := newEnv(t)
	apiID := e.createWebSocketAPI(t, "chat")
	routeID := e.createRoute(t, apiID, "sendMessage")
	const n = 20
	var wg sync.WaitGroup
	errs := make([]error, n)
	outs := make([]*apigatewayv2.CreateRouteResponseOutput, n)
	for i := range n {
		wg.Go(func() {
			outs[i], errs[i] = e.c.CreateRouteResponse(e.ctx, &apigatewayv2.CreateRouteResponseInput{ApiId: aws.String(apiID),
				RouteId: aws.String(routeID), RouteResponseKey: aws.String("$default")})
		})
	}
	wg.Wait()
	wins := 0
	var winner string
	for i, err := range errs {
		if err == nil {
			wins++
			winner = aws.ToString(outs[i].RouteResponseId)
			wantStatus(t, outs[i].ResultMetadata, 201)
			continue
		}
		wantAPIError(t, err, 409, "ConflictException", "Route response with key $default already exists for route "+routeID)
	}
	if wins != 1 {
		t.Fatalf("%d creates succeeded, want 1", wins)
	}
	list, err := e.c.GetRouteResponses(e.ctx, &apigatewayv2.GetRouteResponsesInput{ApiId: aws.String(apiID), RouteId: aws.String(routeID)})
	must(t, err)
	if len(list.Items) != 1 || aws.ToString(list.Items[0].RouteResponseId) != winner {
		t.Errorf("route responses after the race: %+v", list.Items)
	}

	// Concurrent writes that do not collide all succeed: 20 clients each
	// create their own route and its route response, while others read.
	routeIDs := make([]string, n)
	for i := range n {
		wg.Go(func() {
			r, err := e.c.CreateRoute(e.ctx, &apigatewayv2.CreateRouteInput{ApiId: aws.String(apiID), RouteKey: aws.String(fmt.Sprintf("action%02d", i))})
			if errs[i] = err; err != nil {
				return
			}
			routeIDs[i] = *r.RouteId
			_, errs[i] = e.c.CreateRouteResponse(e.ctx, &apigatewayv2.CreateRouteResponseInput{ApiId: aws.String(apiID), RouteId: r.RouteId,
				RouteResponseKey: aws.String("$default")})
		})
		wg.Go(func() {
			if _, err := e.c.GetRoutes(e.ctx, &apigatewayv2.GetRoutesInput{ApiId: aws.String(apiID)}); err != nil {
				t.Errorf("concurrent GetRoutes: %v", err)
			}
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("client %d: %v", i, err)
		}
	}
	for _, r := range routeIDs {
		if r == "" {
			continue
		}
		got, err := e.c.GetRouteResponses(e.ctx, &apigatewayv2.GetRouteResponsesInput{ApiId: aws.String(apiID), RouteId: aws.String(r)})
		if err != nil || len(got.Items) != 1 {
			t.Errorf("route %s: %v %+v", r, err, got)
		}
	}
}

// TestE2ERouteResponsesSurviveRestart: what the SDK was told is stored is
// read back, member for member, by a new Portico on the same SQLite file.
func TestE2ERouteResponsesSurviveRestart(t *testing.T) {
	e := newEnv(t)
	apiID := e.createWebSocketAPI(t, "chat")
	routeID := e.createRoute(t, apiID, "sendMessage")
	out, err := e.c.CreateRouteResponse(e.ctx, &apigatewayv2.CreateRouteResponseInput{
		ApiId: aws.String(apiID), RouteId: aws.String(routeID), RouteResponseKey: aws.String("$default"),
		ModelSelectionExpression: aws.String("$request.body.action"),
		ResponseModels:           map[string]string{"application/json": "MyModel"},
		ResponseParameters:       map[string]types.ParameterConstraints{"route.response.header.X": {Required: aws.Bool(false)}},
	})
	must(t, err)
	e.restart(t)
	e.checkStoredRR(t, apiID, routeID, rrWant{id: *out.RouteResponseId, key: "$default", mse: aws.String("$request.body.action"),
		models: map[string]string{"application/json": "MyModel"}, params: map[string]bool{"route.response.header.X": false}})
	// The uniqueness of $default survives too.
	_, err = e.c.CreateRouteResponse(e.ctx, &apigatewayv2.CreateRouteResponseInput{ApiId: aws.String(apiID), RouteId: aws.String(routeID),
		RouteResponseKey: aws.String("$default")})
	wantAPIError(t, err, 409, "ConflictException", "Route response with key $default already exists for route "+routeID)
}
