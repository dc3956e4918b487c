package apigw_test

// Byte-level checks with raw net/http requests: status codes, headers,
// exact JSON bodies, and inputs the SDK would never send.

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
)

var requestIDPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// checkWire checks the status and what every response carries: a request
// id, and on errors an error type and a {"message": "<string>"} body.
func checkWire(t *testing.T, what string, r rawResponse, status int) {
	t.Helper()
	if r.status != status {
		t.Errorf("%s: status %d, want %d (body %s)", what, r.status, status, r.body)
	}
	if id := r.header.Get("x-amzn-RequestId"); !requestIDPattern.MatchString(id) {
		t.Errorf("%s: x-amzn-RequestId %q", what, id)
	}
	if r.status < 300 {
		if r.header.Get("x-amzn-ErrorType") != "" {
			t.Errorf("%s: success with x-amzn-ErrorType %q", what, r.header.Get("x-amzn-ErrorType"))
		}
		if r.status != 204 && r.header.Get("Content-Type") != "application/json" {
			t.Errorf("%s: Content-Type %q", what, r.header.Get("Content-Type"))
		}
		return
	}
	if r.header.Get("x-amzn-ErrorType") == "" {
		t.Errorf("%s: error without x-amzn-ErrorType", what)
	}
	if r.header.Get("Content-Type") != "application/json" {
		t.Errorf("%s: error Content-Type %q", what, r.header.Get("Content-Type"))
	}
	var body map[string]any
	if err := json.Unmarshal([]byte(r.body), &body); err != nil {
		t.Fatalf("%s: error body %q is not a JSON object: %v", what, r.body, err)
	}
	msg, ok := body["message"].(string)
	if !ok || msg == "" {
		t.Errorf("%s: error body %s has no string message", what, r.body)
	}
	for k := range body {
		if k != "message" && k != "resourceType" {
			t.Errorf("%s: unexpected member %q in error body %s", what, k, r.body)
		}
	}
}

// wantRawError checks an error response completely.
func wantRawError(t *testing.T, what string, r rawResponse, status int, typ, message string) {
	t.Helper()
	checkWire(t, what, r, status)
	if got := r.header.Get("x-amzn-ErrorType"); got != typ {
		t.Errorf("%s: x-amzn-ErrorType %q, want %q", what, got, typ)
	}
	var body struct{ Message string }
	json.Unmarshal([]byte(r.body), &body)
	if body.Message != message {
		t.Errorf("%s: message\n got %q\nwant %q", what, body.Message, message)
	}
}

// wantBody checks a success response and its exact body.
func wantBody(t *testing.T, what string, r rawResponse, status int, body string) {
	t.Helper()
	checkWire(t, what, r, status)
	if r.body != body {
		t.Errorf("%s: body\n got %s\nwant %s", what, r.body, body)
	}
}

func decodeObject(t *testing.T, what, body string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatalf("%s: body %q: %v", what, body, err)
	}
	return m
}

func wantKeys(t *testing.T, what string, m map[string]any, keys ...string) {
	t.Helper()
	got := slices.Sorted(maps.Keys(m))
	slices.Sort(keys)
	if !slices.Equal(got, keys) {
		t.Errorf("%s: members %v, want %v", what, got, keys)
	}
}

// escapeAll percent-encodes every byte, as a client may.
func escapeAll(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		fmt.Fprintf(&b, "%%%02X", s[i])
	}
	return b.String()
}

func TestWireLifecycle(t *testing.T) {
	e := newEnv(t)
	wantBody(t, "GetApis empty", e.raw(t, "GET", "/v2/apis", "", nil), 200, `{"items":[]}`)

	r := e.raw(t, "POST", "/v2/apis", `{"name":"chat","protocolType":"WEBSOCKET","routeSelectionExpression":"$request.body.action"}`, nil)
	checkWire(t, "CreateApi", r, 201)
	api := decodeObject(t, "CreateApi", r.body)
	apiKeys := []string{"apiEndpoint", "apiId", "apiKeySelectionExpression", "createdDate", "disableExecuteApiEndpoint",
		"ipAddressType", "name", "protocolType", "routeSelectionExpression", "tags"}
	wantKeys(t, "CreateApi", api, apiKeys...)
	apiID, _ := api["apiId"].(string)
	if !apiIDPattern.MatchString(apiID) {
		t.Fatalf("apiId %q", apiID)
	}
	if d, _ := api["createdDate"].(string); !isoSecondsPattern.MatchString(d) {
		t.Errorf("createdDate %q does not match %s", d, isoSecondsPattern)
	}
	if v, ok := api["disableExecuteApiEndpoint"].(bool); !ok || v {
		t.Errorf("disableExecuteApiEndpoint %#v", api["disableExecuteApiEndpoint"])
	}
	if tags, ok := api["tags"].(map[string]any); !ok || len(tags) != 0 {
		t.Errorf("tags %#v, want {}", api["tags"])
	}
	if !strings.Contains(r.body, `"tags":{}`) {
		t.Errorf("tags not sent as {}: %s", r.body)
	}
	r = e.raw(t, "GET", "/v2/apis/"+apiID, "", nil)
	checkWire(t, "GetApi", r, 200)
	wantKeys(t, "GetApi", decodeObject(t, "GetApi", r.body), apiKeys...)
	r = e.raw(t, "GET", "/v2/apis", "", nil)
	checkWire(t, "GetApis", r, 200)
	if list := decodeObject(t, "GetApis", r.body); len(list) != 1 || len(list["items"].([]any)) != 1 {
		t.Errorf("GetApis: %s", r.body)
	}
	r = e.raw(t, "PATCH", "/v2/apis/"+apiID, `{"name":"chat2","description":"d"}`, nil)
	checkWire(t, "UpdateApi", r, 201)
	wantKeys(t, "UpdateApi", decodeObject(t, "UpdateApi", r.body), append(apiKeys, "description")...)
	r = e.raw(t, "PATCH", "/v2/apis/"+apiID, `{"description":""}`, nil)
	checkWire(t, "UpdateApi clearing", r, 201)
	wantKeys(t, "UpdateApi clearing", decodeObject(t, "UpdateApi", r.body), apiKeys...)

	// Routes.
	wantBody(t, "GetRoutes empty", e.raw(t, "GET", "/v2/apis/"+apiID+"/routes", "", nil), 200, `{"items":[]}`)
	r = e.raw(t, "POST", "/v2/apis/"+apiID+"/routes", `{"routeKey":"sendMessage"}`, nil)
	checkWire(t, "CreateRoute", r, 201)
	routeID, _ := decodeObject(t, "CreateRoute", r.body)["routeId"].(string)
	if !routeIDPattern.MatchString(routeID) {
		t.Fatalf("routeId %q", routeID)
	}
	routeBody := `{"apiKeyRequired":false,"authorizationType":"NONE","routeId":"` + routeID + `","routeKey":"sendMessage"}`
	wantBody(t, "CreateRoute", r, 201, routeBody)
	wantBody(t, "GetRoute", e.raw(t, "GET", "/v2/apis/"+apiID+"/routes/"+routeID, "", nil), 200, routeBody)
	wantBody(t, "GetRoutes", e.raw(t, "GET", "/v2/apis/"+apiID+"/routes", "", nil), 200, `{"items":[`+routeBody+`]}`)
	wantBody(t, "UpdateRoute", e.raw(t, "PATCH", "/v2/apis/"+apiID+"/routes/"+routeID, `{"routeResponseSelectionExpression":"$default"}`, nil),
		201, `{"apiKeyRequired":false,"authorizationType":"NONE","routeId":"`+routeID+`","routeKey":"sendMessage","routeResponseSelectionExpression":"$default"}`)
	wantBody(t, "UpdateRoute clearing", e.raw(t, "PATCH", "/v2/apis/"+apiID+"/routes/"+routeID, `{"routeResponseSelectionExpression":""}`, nil),
		201, routeBody)
	wantBody(t, "GetRoute after clearing", e.raw(t, "GET", "/v2/apis/"+apiID+"/routes/"+routeID, "", nil), 200, routeBody)

	// Route responses: only the members that are set come back.
	rrPath := "/v2/apis/" + apiID + "/routes/" + routeID + "/routeresponses"
	wantBody(t, "GetRouteResponses empty", e.raw(t, "GET", rrPath, "", nil), 200, `{"items":[]}`)
	r = e.raw(t, "POST", rrPath, `{"routeResponseKey":"$default"}`, nil)
	checkWire(t, "CreateRouteResponse", r, 201)
	rrID, _ := decodeObject(t, "CreateRouteResponse", r.body)["routeResponseId"].(string)
	if !routeResponseIDPattern.MatchString(rrID) {
		t.Fatalf("routeResponseId %q", rrID)
	}
	rrBody := `{"routeResponseId":"` + rrID + `","routeResponseKey":"$default"}`
	wantBody(t, "CreateRouteResponse", r, 201, rrBody)
	wantBody(t, "GetRouteResponse", e.raw(t, "GET", rrPath+"/"+rrID, "", nil), 200, rrBody)
	wantBody(t, "GetRouteResponses", e.raw(t, "GET", rrPath, "", nil), 200, `{"items":[`+rrBody+`]}`)
	wantBody(t, "UpdateRouteResponse", e.raw(t, "PATCH", rrPath+"/"+rrID,
		`{"modelSelectionExpression":"$request.body.a","responseParameters":{"route.response.header.X":{"required":false}}}`, nil), 200,
		`{"modelSelectionExpression":"$request.body.a","responseParameters":{"route.response.header.X":{"required":false}},"routeResponseId":"`+rrID+`","routeResponseKey":"$default"}`)
	wantBody(t, "UpdateRouteResponse models", e.raw(t, "PATCH", rrPath+"/"+rrID,
		`{"modelSelectionExpression":"","responseModels":{"application/json":"MyModel"}}`, nil), 200,
		`{"responseModels":{"application/json":"MyModel"},"responseParameters":{"route.response.header.X":{"required":false}},"routeResponseId":"`+rrID+`","routeResponseKey":"$default"}`)

	// Deletes: 204, no body.
	wantBody(t, "DeleteRouteResponse", e.raw(t, "DELETE", rrPath+"/"+rrID, "", nil), 204, "")
	wantRawError(t, "GetRouteResponse deleted", e.raw(t, "GET", rrPath+"/"+rrID, "", nil), 404, "NotFoundException",
		"Invalid RouteResponse identifier specified "+rrID)
	r = e.raw(t, "POST", "/v2/apis/"+apiID+"/routes", `{"routeKey":"$connect","requestParameters":{"route.request.header.A":{"required":true}}}`, nil)
	checkWire(t, "CreateRoute with parameters", r, 201)
	connectID, _ := decodeObject(t, "CreateRoute", r.body)["routeId"].(string)
	wantBody(t, "DeleteRouteRequestParameter", e.raw(t, "DELETE", "/v2/apis/"+apiID+"/routes/"+connectID+"/requestparameters/route.request.header.A", "", nil), 204, "")
	wantBody(t, "DeleteRoute", e.raw(t, "DELETE", "/v2/apis/"+apiID+"/routes/"+routeID, "", nil), 204, "")
	wantBody(t, "DeleteApi", e.raw(t, "DELETE", "/v2/apis/"+apiID, "", nil), 204, "")
	wantRawError(t, "GetApi deleted", e.raw(t, "GET", "/v2/apis/"+apiID, "", nil), 404, "NotFoundException",
		"Invalid API identifier specified 000000000000:"+apiID)
	wantBody(t, "GetApis after delete", e.raw(t, "GET", "/v2/apis", "", nil), 200, `{"items":[]}`)
}

// TestWireEmptyMapsOmitted: a map member that ends up with no entries is
// unset, and unset members are omitted
// (docs/aws-behaviours.md#omitted-members).
func TestWireEmptyMapsOmitted(t *testing.T) {
	e := newEnv(t)
	apiID := e.createWebSocketAPI(t, "chat")
	r := e.raw(t, "POST", "/v2/apis/"+apiID+"/routes", `{"routeKey":"$connect","requestParameters":{"route.request.header.A":{"required":true}}}`, nil)
	checkWire(t, "CreateRoute", r, 201)
	routeID, _ := decodeObject(t, "CreateRoute", r.body)["routeId"].(string)
	wantBody(t, "DeleteRouteRequestParameter", e.raw(t, "DELETE", "/v2/apis/"+apiID+"/routes/"+routeID+"/requestparameters/route.request.header.A", "", nil), 204, "")
	wantBody(t, "GetRoute after deleting the last parameter", e.raw(t, "GET", "/v2/apis/"+apiID+"/routes/"+routeID, "", nil), 200,
		`{"apiKeyRequired":false,"authorizationType":"NONE","routeId":"`+routeID+`","routeKey":"$connect"}`)
}

// TestWireExplicitEmptyMapsOmitted: a map or list sent empty holds nothing,
// so it is omitted like an unset one, and {} on update clears a map.
func TestWireExplicitEmptyMapsOmitted(t *testing.T) {
	e := newEnv(t)
	apiID := e.createWebSocketAPI(t, "chat")
	r := e.raw(t, "POST", "/v2/apis/"+apiID+"/routes", `{"routeKey":"$connect","requestParameters":{},"requestModels":{},"authorizationScopes":[]}`, nil)
	routeID, _ := decodeObject(t, "CreateRoute", r.body)["routeId"].(string)
	wantBody(t, "CreateRoute with empty maps", r, 201,
		`{"apiKeyRequired":false,"authorizationType":"NONE","routeId":"`+routeID+`","routeKey":"$connect"}`)
	r = e.raw(t, "POST", "/v2/apis/"+apiID+"/routes/"+routeID+"/routeresponses", `{"routeResponseKey":"$default","responseModels":{"application/json":"M"},"responseParameters":{}}`, nil)
	rrID, _ := decodeObject(t, "CreateRouteResponse", r.body)["routeResponseId"].(string)
	wantBody(t, "CreateRouteResponse with an empty map", r, 201,
		`{"responseModels":{"application/json":"M"},"routeResponseId":"`+rrID+`","routeResponseKey":"$default"}`)
	wantBody(t, "UpdateRouteResponse clearing a map", e.raw(t, "PATCH", "/v2/apis/"+apiID+"/routes/"+routeID+"/routeresponses/"+rrID, `{"responseModels":{}}`, nil), 200,
		`{"routeResponseId":"`+rrID+`","routeResponseKey":"$default"}`)
}

func TestWireBadRequests(t *testing.T) {
	e := newEnv(t)
	apiID := e.createWebSocketAPI(t, "chat")
	routeID := e.createRoute(t, apiID, "$connect")
	const parse = "Could not parse request body into json: "
	null := func(member string) string {
		return "1 validation error detected: Value null at '" + member + "' failed to satisfy constraint: Member must not be null"
	}
	cases := []struct {
		name, method, path, body string
		status                   int
		typ, message             string
	}{
		{"malformed JSON", "POST", "/v2/apis", `{"name":"a",`, 400, "BadRequestException", parse + "unexpected end of JSON input (at offset 12)"},
		{"trailing garbage", "POST", "/v2/apis", `{"name":"a","protocolType":"HTTP"} x`, 400, "BadRequestException",
			parse + "invalid character 'x' after top-level value (at offset 36)"},
		{"wrong JSON type", "POST", "/v2/apis", `{"name":5,"protocolType":"HTTP"}`, 400, "BadRequestException",
			parse + "the value at 'name' must be of type string, not number"},
		{"wrong JSON type for a boolean", "POST", "/v2/apis", `{"name":"a","protocolType":"HTTP","disableExecuteApiEndpoint":"yes"}`, 400, "BadRequestException",
			parse + "the value at 'disableExecuteApiEndpoint' must be of type boolean, not string"},
		{"array body", "POST", "/v2/apis", `[1]`, 400, "BadRequestException", parse + "the body must be a JSON object, not array"},
		{"missing name", "POST", "/v2/apis", `{"protocolType":"HTTP"}`, 400, "BadRequestException", null("name")},
		{"missing protocolType", "POST", "/v2/apis", `{"name":"a"}`, 400, "BadRequestException", null("protocolType")},
		{"empty body", "POST", "/v2/apis", ``, 400, "BadRequestException", null("name")},
		{"null body", "POST", "/v2/apis", `null`, 400, "BadRequestException", null("name")},
		{"missing routeKey", "POST", "/v2/apis/" + apiID + "/routes", `{}`, 400, "BadRequestException", null("routeKey")},
		{"null routeKey", "POST", "/v2/apis/" + apiID + "/routes", `{"routeKey":null}`, 400, "BadRequestException", null("routeKey")},
		{"missing routeResponseKey", "POST", "/v2/apis/" + apiID + "/routes/" + routeID + "/routeresponses", `{}`, 400, "BadRequestException", null("routeResponseKey")},
		{"wrong type in a route response", "POST", "/v2/apis/" + apiID + "/routes/" + routeID + "/routeresponses",
			`{"routeResponseKey":"$default","responseModels":"MyModel"}`, 400, "BadRequestException",
			parse + "the value at 'responseModels' must be of type object, not string"},
		{"wrong type on update", "PATCH", "/v2/apis/" + apiID + "/routes/" + routeID, `{"apiKeyRequired":"true"}`, 400, "BadRequestException",
			parse + "the value at 'apiKeyRequired' must be of type boolean, not string"},
		{"bad query escape", "GET", "/v2/apis?maxResults=%zz", ``, 400, "BadRequestException", `Invalid query string: invalid URL escape "%zz"`},
		{"maxResults 0", "GET", "/v2/apis?maxResults=0", ``, 400, "BadRequestException", `Invalid maxResults specified: "0". It must be a positive integer.`},
		{"maxResults abc", "GET", "/v2/apis/" + apiID + "/routes?maxResults=abc", ``, 400, "BadRequestException", `Invalid maxResults specified: "abc". It must be a positive integer.`},
		{"bad nextToken", "GET", "/v2/apis?nextToken=%21%21", ``, 400, "BadRequestException", "Invalid nextToken specified"},
		{"no such operation", "GET", "/v2/nothing", ``, 404, "NotFoundException", "No ApiGatewayV2 operation matches GET /v2/nothing"},
		{"trailing slash", "GET", "/v2/apis/" + apiID + "/", ``, 404, "NotFoundException", "No ApiGatewayV2 operation matches GET /v2/apis/" + apiID + "/"},
		{"method not allowed", "POST", "/v2/apis/" + apiID, `{}`, 405, "MethodNotAllowedException", "The POST method is not allowed on /v2/apis/" + apiID},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			wantRawError(t, tc.name, e.raw(t, tc.method, tc.path, tc.body, nil), tc.status, tc.typ, tc.message)
		})
	}
	// Nothing was created or changed by the refused requests.
	wantBody(t, "GetRoutes", e.raw(t, "GET", "/v2/apis/"+apiID+"/routes", "", nil), 200,
		`{"items":[{"apiKeyRequired":false,"authorizationType":"NONE","routeId":"`+routeID+`","routeKey":"$connect"}]}`)
	wantBody(t, "GetRouteResponses", e.raw(t, "GET", "/v2/apis/"+apiID+"/routes/"+routeID+"/routeresponses", "", nil), 200, `{"items":[]}`)
}

func TestWireBodyTooLarge(t *testing.T) {
	e := newEnv(t)
	const limit = 8 << 20
	// A valid JSON object whose only fault is its size.
	body := func(size int) io.Reader {
		head, tail := `{"protocolType":"HTTP","name":"`, `"}`
		return io.MultiReader(strings.NewReader(head), strings.NewReader(strings.Repeat("a", size-len(head)-len(tail))), strings.NewReader(tail))
	}
	r := e.rawBody(t, "POST", "/v2/apis", body(limit+1), nil)
	wantRawError(t, "body of 8 MiB + 1", r, 413, "BadRequestException", fmt.Sprintf("Request body exceeds the maximum size of %d bytes", limit))
	// Exactly the limit is read, and refused only for the name's length.
	r = e.rawBody(t, "POST", "/v2/apis", body(limit), nil)
	checkWire(t, "body of 8 MiB", r, 400)
	if !strings.Contains(r.body, "Member must have length less than or equal to 128") {
		t.Errorf("body of 8 MiB: %s", r.body)
	}
	wantBody(t, "GetApis", e.raw(t, "GET", "/v2/apis", "", nil), 200, `{"items":[]}`)
}

// TestWirePercentEncodedLabels: ids in the path may be percent-encoded
// (clients encode every label); route keys travel in the body, so an
// encoded route key in the path is just an unknown route id.
func TestWirePercentEncodedLabels(t *testing.T) {
	e := newEnv(t)
	apiID := e.createWebSocketAPI(t, "chat")
	routeID := e.createRoute(t, apiID, "$default")
	rrID := e.createRouteResponse(t, apiID, routeID)

	r := e.raw(t, "GET", "/v2/apis/"+escapeAll(apiID), "", nil)
	checkWire(t, "GetApi encoded", r, 200)
	if decodeObject(t, "GetApi", r.body)["apiId"] != apiID {
		t.Errorf("GetApi encoded: %s", r.body)
	}
	rrBody := `{"routeResponseId":"` + rrID + `","routeResponseKey":"$default"}`
	wantBody(t, "GetRouteResponse encoded", e.raw(t, "GET",
		"/v2/apis/"+escapeAll(apiID)+"/routes/"+escapeAll(routeID)+"/routeresponses/"+escapeAll(rrID), "", nil), 200, rrBody)
	wantRawError(t, "encoded slash", e.raw(t, "GET", "/v2/apis/abc%2Fdef", "", nil), 404, "NotFoundException",
		"Invalid API identifier specified 000000000000:abc/def")
	wantRawError(t, "encoded slash in a route id", e.raw(t, "GET", "/v2/apis/"+apiID+"/routes/a%2Fb", "", nil), 404, "NotFoundException",
		"Invalid Route identifier specified a/b")
	wantRawError(t, "route key as a label", e.raw(t, "GET", "/v2/apis/"+apiID+"/routes/%24default", "", nil), 404, "NotFoundException",
		"Invalid Route identifier specified $default")

	// A request parameter key is a label too.
	r = e.raw(t, "PATCH", "/v2/apis/"+apiID+"/routes/"+routeID, `{"requestParameters":{"route.request.header.X-Trace-Id":{"required":true}}}`, nil)
	checkWire(t, "UpdateRoute", r, 201)
	wantBody(t, "DeleteRouteRequestParameter encoded", e.raw(t, "DELETE",
		"/v2/apis/"+apiID+"/routes/"+routeID+"/requestparameters/"+escapeAll("route.request.header.X-Trace-Id"), "", nil), 204, "")
}

// TestWireAccountRegionIsolation: the SigV4 credential scope picks the
// account (a 12-digit access key id) and the region; state of one is
// invisible from the others.
func TestWireAccountRegionIsolation(t *testing.T) {
	e := newEnv(t)
	signed := func(account, region string) map[string]string {
		return map[string]string{"Authorization": "AWS4-HMAC-SHA256 Credential=" + account + "/20240101/" + region +
			"/apigateway/aws4_request, SignedHeaders=host;x-amz-date, Signature=0123456789abcdef"}
	}
	owner := signed("111111111111", "eu-west-1")
	r := e.raw(t, "POST", "/v2/apis", `{"name":"isolated","protocolType":"WEBSOCKET","routeSelectionExpression":"$request.body.action"}`, owner)
	checkWire(t, "CreateApi", r, 201)
	apiID, _ := decodeObject(t, "CreateApi", r.body)["apiId"].(string)
	r = e.raw(t, "POST", "/v2/apis/"+apiID+"/routes", `{"routeKey":"$connect"}`, owner)
	checkWire(t, "CreateRoute", r, 201)
	routeID, _ := decodeObject(t, "CreateRoute", r.body)["routeId"].(string)

	checkWire(t, "GetApi as the owner", e.raw(t, "GET", "/v2/apis/"+apiID, "", owner), 200)
	checkWire(t, "GetRoute as the owner", e.raw(t, "GET", "/v2/apis/"+apiID+"/routes/"+routeID, "", owner), 200)
	// A presigned-style credential in the query string counts too.
	checkWire(t, "GetApi presigned", e.raw(t, "GET", "/v2/apis/"+apiID+"?X-Amz-Credential=111111111111%2F20240101%2Feu-west-1%2Fapigateway%2Faws4_request", "", nil), 200)

	for _, other := range []struct{ name, account, region string }{
		{"another account", "222222222222", "eu-west-1"},
		{"another region", "111111111111", "eu-west-2"},
		{"unsigned (defaults)", "000000000000", ""},
	} {
		var h map[string]string
		if other.region != "" {
			h = signed(other.account, other.region)
		}
		want := "Invalid API identifier specified " + other.account + ":" + apiID
		wantRawError(t, other.name+": GetApi", e.raw(t, "GET", "/v2/apis/"+apiID, "", h), 404, "NotFoundException", want)
		wantRawError(t, other.name+": GetRoute", e.raw(t, "GET", "/v2/apis/"+apiID+"/routes/"+routeID, "", h), 404, "NotFoundException", want)
		wantRawError(t, other.name+": DeleteApi", e.raw(t, "DELETE", "/v2/apis/"+apiID, "", h), 404, "NotFoundException", want)
		wantRawError(t, other.name+": CreateRoute", e.raw(t, "POST", "/v2/apis/"+apiID+"/routes", `{"routeKey":"$default"}`, h), 404, "NotFoundException", want)
		wantBody(t, other.name+": GetApis", e.raw(t, "GET", "/v2/apis", "", h), 200, `{"items":[]}`)
	}
	// The SDK client (AKIDEXAMPLE in us-east-1: the default account) does not see it either.
	_, err := e.c.GetApi(e.ctx, &apigatewayv2.GetApiInput{ApiId: aws.String(apiID)})
	wantAPIError(t, err, 404, "NotFoundException", "Invalid API identifier specified 000000000000:"+apiID)
	// An SDK client signing for eu-west-1 acts in the default account there.
	euClient := apigatewayv2.New(e.c.Options(), func(o *apigatewayv2.Options) { o.Region = "eu-west-1" })
	_, err = euClient.GetApi(e.ctx, &apigatewayv2.GetApiInput{ApiId: aws.String(apiID)})
	wantAPIError(t, err, 404, "NotFoundException", "Invalid API identifier specified 000000000000:"+apiID)
	euAPI, err := euClient.CreateApi(e.ctx, &apigatewayv2.CreateApiInput{Name: aws.String("eu"), ProtocolType: "HTTP"})
	must(t, err)
	if _, err := euClient.GetApi(e.ctx, &apigatewayv2.GetApiInput{ApiId: euAPI.ApiId}); err != nil {
		t.Errorf("eu-west-1 client reading its own API: %v", err)
	}
	_, err = e.c.GetApi(e.ctx, &apigatewayv2.GetApiInput{ApiId: euAPI.ApiId})
	wantAPIError(t, err, 404, "NotFoundException", "Invalid API identifier specified 000000000000:"+*euAPI.ApiId)

	// Still there for its owner, with its one route.
	r = e.raw(t, "GET", "/v2/apis/"+apiID+"/routes", "", owner)
	wantBody(t, "GetRoutes as the owner", r, 200,
		`{"items":[{"apiKeyRequired":false,"authorizationType":"NONE","routeId":"`+routeID+`","routeKey":"$connect"}]}`)
	wantBody(t, "DeleteApi as the owner", e.raw(t, "DELETE", "/v2/apis/"+apiID, "", owner), 204, "")
}
