package payload

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// aws-lambda-go's events types are what Go functions decode these events
// into: the real consumer. These tests decode every golden request's event
// with them and check what a function would read.

// decodeStrict decodes b into v, refusing members v has no field for.
func decodeStrict(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// requestBody is what a function gets back from the event's body.
func requestBody(t testing.TB, body string, b64 bool) []byte {
	t.Helper()
	if !b64 {
		return []byte(body)
	}
	out, err := base64.StdEncoding.DecodeString(body)
	if err != nil {
		t.Fatalf("body is not base64: %v", err)
	}
	return out
}

func TestLambdaGoV2(t *testing.T) {
	for _, c := range goldenCases() {
		r := c.req()
		var ev events.APIGatewayV2HTTPRequest
		// Every member we send has a field there: no name is misspelt.
		if err := decodeStrict(AppendEventV2(nil, r), &ev); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		equal(t, ev.Version, "2.0", c.name+": Version")
		equal(t, ev.RouteKey, r.RouteKey, c.name+": RouteKey")
		equal(t, ev.RawPath, stripBasePath(r.RawPath, r.BasePath), c.name+": RawPath")
		equal(t, ev.RawQueryString, r.RawQuery, c.name+": RawQueryString")
		for name, vals := range r.Header {
			if name == "Cookie" {
				continue
			}
			equal(t, ev.Headers[strings.ToLower(name)], strings.Join(vals, ","), c.name+": header "+name)
		}
		if cookie := r.Header.Get("Cookie"); cookie != "" {
			equal(t, strings.Join(ev.Cookies, "; "), cookie, c.name+": Cookies")
		}
		if len(r.PathParameters) > 0 {
			equal(t, ev.PathParameters, r.PathParameters, c.name+": PathParameters")
		}
		if len(r.StageVariables) > 0 {
			equal(t, ev.StageVariables, r.StageVariables, c.name+": StageVariables")
		}
		equal(t, requestBody(t, ev.Body, ev.IsBase64Encoded), append([]byte{}, r.Body...), c.name+": Body")

		rc := ev.RequestContext
		equal(t, rc.AccountID, r.AccountID, c.name+": AccountID")
		equal(t, rc.APIID, r.APIID, c.name+": APIID")
		equal(t, rc.DomainName, r.DomainName, c.name+": DomainName")
		equal(t, rc.Stage, r.Stage, c.name+": Stage")
		equal(t, rc.RequestID, r.RequestID, c.name+": RequestID")
		equal(t, rc.RouteKey, r.RouteKey, c.name+": requestContext.RouteKey")
		equal(t, rc.HTTP, events.APIGatewayV2HTTPRequestContextHTTPDescription{
			Method: r.Method, Path: stripBasePath(r.Path, r.BasePath), Protocol: r.Protocol, SourceIP: r.SourceIP, UserAgent: r.UserAgent,
		}, c.name+": HTTP")
		when, err := time.Parse(clfTime, rc.Time)
		if err != nil || !when.Equal(r.Time.Truncate(time.Second)) {
			t.Errorf("%s: Time %q (%v), want %v", c.name, rc.Time, err, r.Time)
		}
		equal(t, rc.TimeEpoch, r.Time.UnixMilli(), c.name+": TimeEpoch")

		a := r.Authorizer
		switch {
		case a == nil:
			if rc.Authorizer != nil {
				t.Errorf("%s: Authorizer = %+v without an authorizer", c.name, rc.Authorizer)
			}
		case a.Kind == AuthJWT:
			equal(t, rc.Authorizer.JWT.Claims, a.JWTClaims, c.name+": JWT claims")
			equal(t, rc.Authorizer.JWT.Scopes, a.JWTScopes, c.name+": JWT scopes")
		case a.Kind == AuthLambda:
			want := map[string]any{}
			for k, v := range a.LambdaContext {
				if n, ok := v.(int); ok {
					want[k] = float64(n) // what JSON gives back
				} else {
					want[k] = v
				}
			}
			equal(t, rc.Authorizer.Lambda, want, c.name+": Lambda context")
		case a.Kind == AuthIAM:
			got, id := rc.Authorizer.IAM, a.IAM
			equal(t, []string{got.AccessKey, got.AccountID, got.CallerID, got.PrincipalOrgID, got.UserARN, got.UserID},
				[]string{id.AccessKey, id.AccountID, id.CallerID, id.PrincipalOrgID, id.UserARN, id.UserID}, c.name+": IAM")
			equal(t, got.CognitoIdentity.AMR, id.CognitoIdentity.AMR, c.name+": IAM cognito amr")
			equal(t, got.CognitoIdentity.IdentityPoolID, id.CognitoIdentity.IdentityPoolID, c.name+": IAM cognito pool")
		}
	}
}

func TestLambdaGoV1(t *testing.T) {
	for _, c := range goldenCases() {
		r := c.req()
		var ev events.APIGatewayProxyRequest
		// Not strict: REST's type has no version, cognitoAmr or
		// principalOrgId, which HTTP APIs send (the shape test covers names).
		if err := json.Unmarshal(AppendEventV1(nil, r), &ev); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		equal(t, ev.Resource, resourcePath(r.RouteKey), c.name+": Resource")
		equal(t, ev.Path, r.Path, c.name+": Path")
		equal(t, ev.HTTPMethod, r.Method, c.name+": HTTPMethod")
		equal(t, ev.MultiValueHeaders, map[string][]string(r.Header), c.name+": MultiValueHeaders")
		for name, vals := range r.Header {
			equal(t, ev.Headers[name], vals[len(vals)-1], c.name+": header "+name)
		}
		if r.RawQuery != "" {
			q := map[string][]string{}
			for _, p := range parseQuery(r.RawQuery, nil) {
				q[p.k] = append(q[p.k], p.v)
			}
			equal(t, ev.MultiValueQueryStringParameters, q, c.name+": MultiValueQueryStringParameters")
		} else if ev.QueryStringParameters != nil || ev.MultiValueQueryStringParameters != nil {
			t.Errorf("%s: query maps without a query", c.name)
		}
		equal(t, requestBody(t, ev.Body, ev.IsBase64Encoded), append([]byte{}, r.Body...), c.name+": Body")
		rc := ev.RequestContext
		equal(t, rc.ResourceID, r.RouteKey, c.name+": ResourceID")
		equal(t, rc.ResourcePath, resourcePath(r.RouteKey), c.name+": ResourcePath")
		equal(t, rc.Path, r.Path, c.name+": requestContext.Path")
		equal(t, rc.Identity.SourceIP, r.SourceIP, c.name+": SourceIP")
		equal(t, rc.Identity.UserAgent, r.UserAgent, c.name+": UserAgent")
		equal(t, rc.RequestTimeEpoch, r.Time.UnixMilli(), c.name+": RequestTimeEpoch")
		equal(t, rc.ExtendedRequestID, r.RequestID, c.name+": ExtendedRequestID")
		if a := r.Authorizer; a != nil && a.Kind == AuthJWT {
			claims, _ := rc.Authorizer["claims"].(map[string]any)
			equal(t, claims["sub"], a.JWTClaims["sub"], c.name+": claims.sub")
		}
	}
}

// TestLambdaGoResponses parses the answers aws-lambda-go's response types
// marshal to.
func TestLambdaGoResponses(t *testing.T) {
	v2 := events.APIGatewayV2HTTPResponse{
		StatusCode: 201,
		Headers:    map[string]string{"Content-Type": "application/json", "X-Id": "7"},
		// Go's type has multiValueHeaders too: ignored in 2.0.
		MultiValueHeaders: map[string][]string{"X-Ignored": {"1"}},
		Cookies:           []string{"a=1; HttpOnly", "b=2"},
		Body:              base64.StdEncoding.EncodeToString([]byte{0, 1, 2, 0xff}),
		IsBase64Encoded:   true,
	}
	b, _ := json.Marshal(v2)
	resp, err := ParseResultV2(b)
	if err != nil {
		t.Fatal(err)
	}
	wantHeader := http.Header{"Content-Type": {"application/json"}, "X-Id": {"7"}, "Set-Cookie": {"a=1; HttpOnly", "b=2"}}
	if resp.StatusCode != 201 || !reflect.DeepEqual(resp.Header, wantHeader) || !bytes.Equal(resp.Body, []byte{0, 1, 2, 0xff}) {
		t.Errorf("2.0: %d %v %q", resp.StatusCode, resp.Header, resp.Body)
	}

	v1 := events.APIGatewayProxyResponse{
		StatusCode:        404,
		Headers:           map[string]string{"Content-Type": "text/html", "X-A": "1"},
		MultiValueHeaders: map[string][]string{"X-A": {"1", "2"}, "Set-Cookie": {"a=1", "b=2"}},
		Body:              "<h1>gone</h1>",
	}
	b, _ = json.Marshal(v1)
	resp, err = ParseResultV1(b)
	if err != nil {
		t.Fatal(err)
	}
	wantHeader = http.Header{"Content-Type": {"text/html"}, "X-A": {"1", "2"}, "Set-Cookie": {"a=1", "b=2"}}
	if resp.StatusCode != 404 || !reflect.DeepEqual(resp.Header, wantHeader) || string(resp.Body) != "<h1>gone</h1>" {
		t.Errorf("1.0: %d %v %q", resp.StatusCode, resp.Header, resp.Body)
	}
}
