package apigw

import (
	"strings"
	"testing"
)

func TestHTTPRouteKeys(t *testing.T) {
	valid := []string{"$default", "GET /", "GET /pets", "ANY /{proxy+}", "POST /pets/{petId}/toys",
		"DELETE /a/{b}/{c+}", "OPTIONS /x.y/z_w-v~", "PATCH /p/{id}", "HEAD /h", "PUT /a:b"}
	for _, k := range valid {
		if err := checkHTTPRouteKey(k); err != nil {
			t.Errorf("%q: %v", k, err)
		}
	}
	invalid := map[string]string{
		"GET":              "followed by a space and a path",
		"get /pets":        "followed by a space and a path",
		"FOO /x":           "followed by a space and a path",
		"GET pets":         "must start with /",
		"GET //pets":       "empty segments",
		"GET /pets/":       "empty segments",
		"GET /{a+}/b":      "must be the last segment",
		"GET /a{b}":        "whole segment",
		"GET /{}":          "whole segment",
		"GET /a b":         "not allowed",
		"GET /{proxy++}":   "whole segment",
		"$connect":         "followed by a space",
		"GET  /double-gap": "must start with /",
	}
	for k, want := range invalid {
		err := checkHTTPRouteKey(k)
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "Invalid route key specified: "+k) {
			t.Errorf("%q: got %v, want an error containing %q", k, err, want)
		}
	}
}

func TestWebSocketRouteKeys(t *testing.T) {
	for _, k := range []string{"$connect", "$disconnect", "$default", "sendMessage", "GET /x", "a$b"} {
		if err := checkWebSocketRouteKey(k); err != nil {
			t.Errorf("%q: %v", k, err)
		}
	}
	for _, k := range []string{"$custom", "$", "$Connect", strings.Repeat("a", 129)} {
		if err := checkWebSocketRouteKey(k); err == nil {
			t.Errorf("%q: accepted", k)
		}
	}
}

func TestRouteResponseRules(t *testing.T) {
	cases := []struct {
		rr   RouteResponse
		want string
	}{
		{RouteResponse{RouteResponseKey: ptr("$default")}, ""},
		{RouteResponse{RouteResponseKey: ptr("$default"), ResponseModels: map[string]string{"application/json": "M"}}, ""},
		{RouteResponse{RouteResponseKey: ptr("")}, "Route response key is required"},
		{RouteResponse{RouteResponseKey: ptr("$connect")}, "Invalid route response key specified: $connect. Only $default is supported"},
		{RouteResponse{RouteResponseKey: ptr("$default"), ResponseModels: map[string]string{"application/json": ""}}, "Invalid response model"},
		{RouteResponse{RouteResponseKey: ptr("$default"), ResponseModels: map[string]string{"a": strings.Repeat("m", 129)}}, "Invalid response model"},
		{RouteResponse{RouteResponseKey: ptr("$default"), ModelSelectionExpression: ptr(strings.Repeat("m", 1025))}, "length less than or equal to 1024"},
	}
	for _, c := range cases {
		err := checkRouteResponse(&c.rr)
		if c.want == "" && err != nil || c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)) {
			t.Errorf("%+v: got %v, want %q", c.rr, err, c.want)
		}
	}
}

func TestPageParsing(t *testing.T) {
	for _, bad := range []string{"0", "-1", "abc", "1.5", ""} {
		if _, err := parsePage(&bad, nil); err == nil {
			t.Errorf("maxResults %q accepted", bad)
		}
	}
	big := "100000"
	if p, err := parsePage(&big, nil); err != nil || p.limit != maxPage {
		t.Errorf("maxResults is capped at %d: %+v %v", maxPage, p, err)
	}
	for _, bad := range []string{"!!!", "a"} {
		if _, err := parsePage(nil, &bad); err == nil {
			t.Errorf("nextToken %q accepted", bad)
		}
	}
}

func TestNewID(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 2000; i++ {
		id := newID(10)
		if len(id) != 10 || strings.Trim(id, idAlphabet) != "" || seen[id] {
			t.Fatalf("bad or repeated id %q", id)
		}
		seen[id] = true
	}
}
