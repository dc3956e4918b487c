package lambdaauth

import (
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/portico-dev/portico/internal/dataplane/httpapi/payload"
)

// FuzzParseResponse feeds the parser arbitrary answers. Whatever comes in,
// the outcome is a clean ErrInvalidResponse, or a response that decides
// any route ARN without panicking, whose identity every integration event
// can carry, and whose $context.authorizer values all read.
func FuzzParseResponse(f *testing.F) {
	for _, s := range []string{
		allow, deny, policy("Allow", "*"), policy("Deny", arnPrefix+"GET/*"),
		`{"isAuthorized":true,"context":{"a":[1,{"b":null}],"n":1e400,"s":"\u0000"}}`,
		`{"principalId":1.5,"policyDocument":{"Statement":{"Effect":"Allow","Action":["execute-api:*"],"Resource":["arn:*/??/*"]}}}`,
		`{"principalId":"u","policyDocument":{"Statement":[{"Effect":"Deny","Action":"*","Resource":"*","Sid":"x"}]}}`,
		`{"principalId":"u","policyDocument":{"Statement":[{"Effect":"Allow","Action":"*","Resource":"[\\"}]}}`,
		`{"isAuthorized":true,"isAuthorized":false}`, `{"context":{}}`, `null`, `[]`, `"x"`, `{`, ``, `{"isAuthorized":1}`,
	} {
		f.Add(true, []byte(s))
		f.Add(false, []byte(s))
	}
	f.Fuzz(func(t *testing.T, simple bool, b []byte) {
		resp, err := parseResponse(b, simple)
		if err != nil {
			if !errors.Is(err, ErrInvalidResponse) {
				t.Fatalf("error %v does not wrap ErrInvalidResponse", err)
			}
			return
		}
		if !json.Valid(b) {
			t.Fatalf("accepted invalid JSON %q", b)
		}
		if resp.simple != simple || (simple && resp.policy != nil) || (!simple && resp.policy == nil) {
			t.Fatalf("response %+v for simple=%v", resp, simple)
		}
		for _, arn := range []string{arnPrefix + "GET/pets", "", "*", arnPrefix + "POST/a/b/c"} {
			resp.allows(arn)
		}
		id := resp.identity
		if id == nil || id.Kind != payload.AuthLambda {
			t.Fatalf("identity %+v", id)
		}
		r := &payload.Request{Method: "GET", RouteKey: "$default", Authorizer: id}
		for _, ev := range [][]byte{payload.AppendEventV2(nil, r), payload.AppendEventV1(nil, r)} {
			if !json.Valid(ev) {
				t.Fatalf("the integration event is not JSON:\n%s", ev)
			}
		}
		res := Result{Identity: id}
		res.Value("principalId")
		for k := range id.LambdaContext {
			res.Value(k)
		}
	})
}

// FuzzQueryValue compares queryValue with net/url on every query net/url
// parses without complaint: the same values, joined with ",".
func FuzzQueryValue(f *testing.F) {
	for _, s := range []string{"a=1&a=2", "a%20b=c+d&x", "=1&a=", "a=%ZZ", "a;b=1", "%61=1&a=2"} {
		f.Add(s, "a")
	}
	f.Fuzz(func(t *testing.T, raw, key string) {
		got := queryValue(raw, key)
		if key == "" {
			return
		}
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		if want := strings.Join(q[key], ","); got != want {
			t.Fatalf("queryValue(%q, %q) = %q, net/url says %q", raw, key, got, want)
		}
	})
}

// FuzzAuthorizerEvent: any request makes valid authorizer events of both
// versions, with the authorizer's members and without the body.
func FuzzAuthorizerEvent(f *testing.F) {
	f.Add("GET", "/pets/{id}", "/pets/%2F1", "a=1&a=2&b", "c1=v; c2", []byte("body"), "tok\"en")
	f.Add("POST", "$default", "/", "", "", []byte(nil), "")
	f.Fuzz(func(t *testing.T, method, routeKey, path, rawQuery, cookie string, body []byte, value string) {
		r := request(method, path, rawQuery, nil).Event
		r.RouteKey = routeKey
		r.Body = body
		r.Header.Set("Cookie", cookie)
		r.Header.Set("Content-Type", "application/octet-stream")
		r.PathParameters = map[string]string{"id": value}
		for _, ev := range [][]byte{
			payload.AppendAuthorizerEventV2(nil, r, "arn:x", []string{value, "v2"}),
			payload.AppendAuthorizerEventV1(nil, r, "arn:x", []string{value, "v2"}),
		} {
			var m map[string]any
			if err := json.Unmarshal(ev, &m); err != nil {
				t.Fatalf("not JSON: %v\n%s", err, ev)
			}
			if m["type"] != "REQUEST" {
				t.Fatalf("type %v", m["type"])
			}
			for _, k := range []string{"body", "isBase64Encoded"} {
				if _, ok := m[k]; ok {
					t.Fatalf("%s present:\n%s", k, ev)
				}
			}
		}
	})
}
