package httpapi_test

import (
	"encoding/base64"
	"net/http"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// TestLambdaProxyEventV2: the 2.0 event a function receives through a real
// Portico, for a request on a named stage with a query, cookies and a JSON
// body; members and types as in AWS's (docs/aws-behaviours.md#lambda-proxy;
// the payload package's golden tests compare them with the real captures
// member for member).
func TestLambdaProxyEventV2(t *testing.T) {
	e := newEnv(t)
	api := e.httpAPI(t, nil)
	e.stage(t, api, "dev")
	e.route(t, api, "POST /orders/{id}", e.lambdaIntegration(t, api, "orders", "2.0"))
	resp, body := call(t, "POST", e.url(api, "/dev/orders/42?a=1&a=2&b=x%20y"), "", `{"qty":3}`, http.Header{
		"Content-Type": {"application/json"}, "Cookie": {"c1=v1; c2=v2"}, "X-Multi": {"m1", "m2"}})
	if resp.StatusCode != 200 || body != "lambda:arn:aws:lambda:us-east-1:000000000000:function:orders" {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	evs := e.events(t)
	if len(evs) != 1 {
		t.Fatalf("%d events", len(evs))
	}
	ev := evs[0]
	for k, want := range map[string]any{
		"version": "2.0", "routeKey": "POST /orders/{id}", "rawPath": "/dev/orders/42",
		"rawQueryString": "a=1&a=2&b=x%20y", "body": `{"qty":3}`, "isBase64Encoded": false,
		"pathParameters":        map[string]any{"id": "42"},
		"queryStringParameters": map[string]any{"a": "1,2", "b": "x y"},
		"cookies":               []any{"c1=v1", "c2=v2"},
	} {
		if !reflect.DeepEqual(ev[k], want) {
			t.Errorf("%s = %#v, want %#v", k, ev[k], want)
		}
	}
	h := ev["headers"].(map[string]any)
	if h["x-multi"] != "m1,m2" || h["content-type"] != "application/json" || h["cookie"] != nil || h["x-forwarded-for"] == nil {
		t.Errorf("headers: %v", h)
	}
	rc := ev["requestContext"].(map[string]any)
	httpCtx := rc["http"].(map[string]any)
	if rc["stage"] != "dev" || rc["apiId"] != api || rc["accountId"] != "000000000000" || rc["routeKey"] != "POST /orders/{id}" ||
		httpCtx["method"] != "POST" || httpCtx["path"] != "/dev/orders/42" || rc["requestId"] != resp.Header.Get("Apigw-Requestid") {
		t.Errorf("requestContext: %v", rc)
	}
	if _, ok := rc["timeEpoch"].(float64); !ok || !strings.Contains(rc["time"].(string), "/") {
		t.Errorf("time: %v %v", rc["time"], rc["timeEpoch"])
	}
	// No query, no body: the members are absent, not null.
	call(t, "POST", e.url(api, "/dev/orders/1"), "", "", nil)
	ev = e.events(t)[1]
	for _, k := range []string{"queryStringParameters", "body", "cookies", "stageVariables"} {
		if _, ok := ev[k]; ok {
			t.Errorf("%s is present without a value: %v", k, ev[k])
		}
	}
	if ev["rawQueryString"] != "" {
		t.Errorf("rawQueryString = %#v", ev["rawQueryString"])
	}
}

// TestLambdaProxyEventV1: payload 1.0 is the REST-compatible shape.
func TestLambdaProxyEventV1(t *testing.T) {
	e := newEnv(t)
	api := e.httpAPI(t, nil)
	e.route(t, api, "GET /items/{proxy+}", e.lambdaIntegration(t, api, "items", "1.0"))
	resp, body := call(t, "GET", e.url(api, "/items/a/b?x=1&x=2"), "", "", http.Header{"X-Multi": {"m1", "m2"}})
	if resp.StatusCode != 200 {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	ev := e.events(t)[0]
	for k, want := range map[string]any{
		"version": "1.0", "resource": "/items/{proxy+}", "path": "/items/a/b", "httpMethod": "GET",
		"pathParameters":                  map[string]any{"proxy": "a/b"},
		"multiValueQueryStringParameters": map[string]any{"x": []any{"1", "2"}},
	} {
		if !reflect.DeepEqual(ev[k], want) {
			t.Errorf("%s = %#v, want %#v", k, ev[k], want)
		}
	}
	mv := ev["multiValueHeaders"].(map[string]any)
	if !reflect.DeepEqual(mv["X-Multi"], []any{"m1", "m2"}) {
		t.Errorf("multiValueHeaders: %v", mv)
	}
}

// TestLambdaProxyResponses: 2.0 answers: structured (status, headers,
// cookies as Set-Cookie, base64 bodies), inferred (any other JSON is a
// 200 application/json), and failures (a function error, a result that is
// not JSON: 500).
func TestLambdaProxyResponses(t *testing.T) {
	e := newEnv(t)
	api := e.httpAPI(t, nil)
	e.route(t, api, "$default", e.lambdaIntegration(t, api, "fn", "2.0"))
	cases := []struct {
		name    string
		result  any
		errMsg  string
		status  int
		body    string
		headers map[string][]string
	}{
		{"structured", map[string]any{"statusCode": 201, "headers": map[string]string{"X-A": "1"},
			"cookies": []string{"s=1; Path=/", "t=2"}, "body": "made"}, "", 201, "made",
			map[string][]string{"X-A": {"1"}, "Set-Cookie": {"s=1; Path=/", "t=2"}}},
		{"base64", map[string]any{"statusCode": 200, "isBase64Encoded": true,
			"body": base64.StdEncoding.EncodeToString([]byte{0, 1, 2, 255})}, "", 200, string([]byte{0, 1, 2, 255}), nil},
		{"inferred object", map[string]any{"hello": "world"}, "", 200, `{"hello":"world"}`,
			map[string][]string{"Content-Type": {"application/json"}}},
		{"function error", nil, "boom", 500, `{"message":"Internal Server Error"}`, nil},
	}
	for _, c := range cases {
		e.lambda.SetHandler(func(string, []byte) (any, string) { return c.result, c.errMsg })
		resp, body := call(t, "GET", e.url(api, "/x"), "", "", nil)
		if resp.StatusCode != c.status || body != c.body {
			t.Errorf("%s: %d %q", c.name, resp.StatusCode, body)
		}
		for k, want := range c.headers {
			got := append([]string(nil), resp.Header.Values(k)...)
			sort.Strings(got)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s: %s = %v, want %v", c.name, k, got, want)
			}
		}
	}
}
