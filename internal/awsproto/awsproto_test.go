package awsproto

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestIdentityOf(t *testing.T) {
	def := Identity{Account: "000000000000", Region: "us-east-1"}
	cases := []struct {
		name, auth, query string
		want              Identity
	}{
		{"unsigned", "", "", def},
		{"scope region, non-account key", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240101/eu-west-1/apigateway/aws4_request, SignedHeaders=host, Signature=x", "", Identity{"000000000000", "eu-west-1"}},
		{"12-digit key is the account", "AWS4-HMAC-SHA256 Credential=123456789012/20240101/ap-south-1/apigateway/aws4_request, SignedHeaders=host", "", Identity{"123456789012", "ap-south-1"}},
		{"presigned", "", "X-Amz-Credential=123456789012%2F20240101%2Fus-west-2%2Fapigateway%2Faws4_request", Identity{"123456789012", "us-west-2"}},
		{"odd region is ignored", "AWS4-HMAC-SHA256 Credential=AKID/20240101/../apigateway/aws4_request", "", def},
		{"truncated scope", "AWS4-HMAC-SHA256 Credential=AKID", "", def},
	}
	for _, c := range cases {
		r := httptest.NewRequest("GET", "/v2/apis?"+c.query, nil)
		if c.auth != "" {
			r.Header.Set("Authorization", c.auth)
		}
		if got := IdentityOf(r, def); got != c.want {
			t.Errorf("%s: got %+v, want %+v", c.name, got, c.want)
		}
	}
}

func testHandler() *Handler {
	echo := func(ctx context.Context, r *Request) (any, error) {
		return map[string]any{"labels": r.labels, "identity": IdentityFrom(ctx)}, nil
	}
	return NewHandler([]Operation{
		{Name: "GetThing", Method: "GET", Path: "/v2/apis/{apiId}/routes/{routeId}", Status: 200, Call: echo},
		{Name: "GetLiteral", Method: "GET", Path: "/v2/apis/{apiId}/routes/special", Status: 200, Call: echo},
		{Name: "DeleteThing", Method: "DELETE", Path: "/v2/tags/{resource-arn}", Status: 204, Call: echo},
		{Name: "Fail", Method: "POST", Path: "/v2/fail", Status: 201, Call: func(ctx context.Context, r *Request) (any, error) {
			return nil, Conflict("taken")
		}},
	}, Identity{Account: "000000000000", Region: "us-east-1"}, nil)
}

func TestRouting(t *testing.T) {
	h := testHandler()
	cases := []struct {
		method, path string
		status       int
		errType      string
		body         string
	}{
		{"GET", "/v2/apis/abc/routes/GET%20%2Fpets", 200, "", `"routeId":"GET /pets"`},
		{"GET", "/v2/apis/%24default/routes/r1", 200, "", `"apiId":"$default"`},
		{"GET", "/v2/apis/abc/routes/special", 200, "", `"apiId":"abc"}`},
		{"DELETE", "/v2/tags/arn%3Aaws%3Aapigateway%3Aus-east-1%3A%3A%2Fapis%2Fabc", 204, "", ""},
		{"GET", "/v2/apis/abc/routes", 404, "NotFoundException", "No ApiGatewayV2 operation matches GET /v2/apis/abc/routes"},
		{"GET", "/v2/apis//routes/x", 404, "NotFoundException", ""},
		{"PUT", "/v2/apis/abc/routes/x", 405, "MethodNotAllowedException", ""},
		{"POST", "/v2/fail", 409, "ConflictException", `{"message":"taken"}`},
	}
	for _, c := range cases {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(c.method, c.path, nil))
		if rec.Code != c.status {
			t.Errorf("%s %s: status %d, want %d (%s)", c.method, c.path, rec.Code, c.status, rec.Body)
		}
		// Set under AWS's spelling, not the canonical one: read it the same way.
		if got := strings.Join(rec.Header()["x-amzn-ErrorType"], ""); got != c.errType {
			t.Errorf("%s %s: error type %q, want %q", c.method, c.path, got, c.errType)
		}
		if !strings.Contains(rec.Body.String(), c.body) {
			t.Errorf("%s %s: body %s, want it to contain %s", c.method, c.path, rec.Body, c.body)
		}
		if rec.Header()["x-amzn-RequestId"] == nil {
			t.Errorf("%s %s: no x-amzn-RequestId", c.method, c.path)
		}
		if c.status == 204 && rec.Body.Len() != 0 {
			t.Errorf("204 with a body: %q", rec.Body)
		}
	}
}

func TestBodyErrors(t *testing.T) {
	type in struct {
		Name *string  `json:"name,omitzero"`
		N    *int32   `json:"n,omitzero"`
		L    []string `json:"l,omitzero"`
	}
	cases := map[string]string{
		`{"name":5}`:        "the value at 'name' must be of type string, not number",
		`{"n":"x"}`:         "the value at 'n' must be of type number, not string",
		`{"n":99999999999}`: "the value at 'n' must be of type number, not number 99999999999",
		`{"l":{}}`:          "the value at 'l' must be of type array, not object",
		`[]`:                "the body must be a JSON object, not array",
		`{"name":`:          "Could not parse request body into json",
		`{} x`:              "Could not parse request body into json",
	}
	for body, want := range cases {
		err := (&Request{body: []byte(body)}).DecodeBody(new(in))
		e, ok := err.(*Error)
		if !ok || e.Type != "BadRequestException" || e.Code != 400 || !strings.Contains(e.Message, want) {
			t.Errorf("%s: got %v, want a 400 containing %q", body, err, want)
		}
	}
	if err := (&Request{body: []byte("  ")}).DecodeBody(new(in)); err != nil {
		t.Errorf("empty body: %v", err)
	}
}

func TestBodyLimit(t *testing.T) {
	h := testHandler()
	h.MaxBody = 10
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("POST", "/v2/fail", strings.NewReader(strings.Repeat("x", 11))))
	if rec.Code != http.StatusRequestEntityTooLarge || rec.Header()["x-amzn-ErrorType"][0] != "BadRequestException" {
		t.Fatalf("got %d %s", rec.Code, rec.Body)
	}
}

func TestTimeFormat(t *testing.T) {
	ts := Time{time.Date(2020, 4, 7, 20, 21, 59, 123456789, time.FixedZone("x", 3600))}
	b, _ := json.Marshal(ts)
	if string(b) != `"2020-04-07T19:21:59Z"` {
		t.Errorf("got %s", b)
	}
	var back Time
	for _, in := range []string{`"2020-04-07T19:21:59Z"`, `"2020-04-07T20:21:59+01:00"`, `1586287319`} {
		if err := json.Unmarshal([]byte(in), &back); err != nil || back.Unix() != 1586287319 {
			t.Errorf("%s: %v %v", in, back, err)
		}
	}
}

func TestValidationMessages(t *testing.T) {
	err := Required("name")
	if err.Error() != "BadRequestException: 1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null" {
		t.Errorf("got %v", err)
	}
	if err := Enum("protocolType", "GRPC", []string{"WEBSOCKET", "HTTP"}); !strings.Contains(err.Error(), "Value 'GRPC' at 'protocolType' failed to satisfy constraint: Member must satisfy enum value set: [WEBSOCKET, HTTP]") {
		t.Errorf("got %v", err)
	}
	// Lengths count UTF-16 code units, as AWS (Java) does.
	if MaxLength("x", 2, "😀") != nil || MaxLength("x", 1, "😀") == nil {
		t.Error("UTF-16 length")
	}
}

// TestUnimplemented: an operation the service does not implement answers
// 501 NotImplemented naming it, before reading the request.
func TestUnimplemented(t *testing.T) {
	h := NewHandler([]Operation{Unimplemented("CreateWidget", "POST", "/v2/widgets", 201)}, Identity{}, nil)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("POST", "/v2/widgets", strings.NewReader("not even json")))
	if rec.Code != 501 || rec.Header()["x-amzn-ErrorType"][0] != "NotImplemented" ||
		rec.Body.String() != `{"message":"Portico does not implement the CreateWidget operation yet"}` {
		t.Fatalf("got %d %v %s", rec.Code, rec.Header(), rec.Body)
	}
}
