package apigw_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/portico-dev/portico/internal/apigw"
	"github.com/portico-dev/portico/internal/awsproto"
	"github.com/portico-dev/portico/internal/store/memory"
)

// FuzzRequestBinding sends arbitrary methods, paths, queries and bodies
// through the whole control plane (routing, binding, validation, the
// service, an in-memory store). Whatever comes in, the answer is a
// well-formed AWS response: never a panic, never a 5xx (every operation
// and member is implemented: nothing answers 501 either), and
// every error has x-amzn-ErrorType and a string message.
//
//	go test ./internal/apigw -run '^$' -fuzz FuzzRequestBinding -fuzztime 5m -fuzzminimizetime 10s
//
// (The store is shared across inputs, so minimizing an input replays it
// against growing state: keep -fuzzminimizetime short.)
func FuzzRequestBinding(f *testing.F) {
	seeds := []struct{ method, path, query, body string }{
		{"POST", "/v2/apis", "", `{"name":"a","protocolType":"WEBSOCKET","routeSelectionExpression":"$request.body.action"}`},
		{"POST", "/v2/apis", "", `{"name":"a","protocolType":"HTTP","corsConfiguration":{"maxAge":-2}}`},
		{"POST", "/v2/apis", "", `{"name":5}`},
		{"POST", "/v2/apis", "", `[1,2]`},
		{"POST", "/v2/apis", "", `{"name":"a","protocolType":"HTTP","tags":{"k":1}}`},
		{"POST", "/v2/apis", "", `{"name":"a",`},
		{"GET", "/v2/apis", "maxResults=2&nextToken=YWJj", ""},
		{"GET", "/v2/apis", "maxResults=-1", ""},
		{"POST", "/v2/apis/SEED/routes", "", `{"routeKey":"GET /{proxy+}"}`},
		{"POST", "/v2/apis/SEED/routes", "", `{"routeKey":"$connect","requestParameters":{"route.request.header.a":{"required":true}}}`},
		{"PATCH", "/v2/apis/SEED/routes/abc1234", "", `{"routeResponseSelectionExpression":""}`},
		{"POST", "/v2/apis/SEED/routes/abc1234/routeresponses", "", `{"routeResponseKey":"$default","responseModels":{"a":"b"}}`},
		{"PATCH", "/v2/apis/SEED/routes/abc1234/routeresponses/abc123", "", `{"responseParameters":{"x":{"required":"yes"}}}`},
		{"DELETE", "/v2/apis/SEED/routes/abc1234/requestparameters/route.request.header.a", "", ""},
		{"DELETE", "/v2/tags/arn%3Aaws%3Aapigateway%3Aus-east-1%3A%3A%2Fapis%2Fabc", "tagKeys=a&tagKeys=b", ""},
		{"GET", "/v2/apis/%zz", "", ""},
		{"PUT", "/v2/apis", "failOnWarnings=maybe", `{"body":"x"}`},
		{"GET", "/v2/domainnames/x/routingrules", "maxResults=99999999999", ""},
		{"POST", "/v2/apis/SEED/integrations", "", `{"integrationType":"MOCK","requestTemplates":{"$default":"#if("}}`},
		{"POST", "/v2/apis/SEED/authorizers", "", `{"name":"a","authorizerType":"REQUEST","authorizerUri":"x","identitySource":[]}`},
		{"POST", "/v2/apis/SEED/models", "", `{"name":"M","schema":"{"$ref":"http://x"}"}`},
		{"POST", "/v2/apis/SEED/stages", "", `{"stageName":"s","routeSettings":{"$x":{}},"stageVariables":{"a":""}}`},
		{"POST", "/v2/apis/SEED/deployments", "", `{"stageName":"nope"}`},
		{"PUT", "/v2/apis", "basepath=split", `{"body":"openapi: 3.0.1
info: {title: t, version: '1'}
paths: {}"}`},
		{"GET", "/v2/apis/SEED/exports/OAS30", "outputType=YAML&includeExtensions=true", ""},
		{"POST", "/v2/domainnames", "", `{"domainName":"a.example.com","domainNameConfigurations":[{"certificateArn":"arn:aws:acm:us-east-1:1:certificate/x"}]}`},
		{"POST", "/v2/vpclinks", "", `{"name":"l","subnetIds":["s"]}`},
		{"POST", "/v2/portals", "", `{"authorization":{"none":{}},"endpointConfiguration":{"none":{}},"portalContent":{"displayName":"p","theme":{"customColors":{}}}}`},
		{"POST", "/v2/portalproducts", "", `{"displayName":"p"}`},
		{"POST", "/v2/tags/arn%3Aaws%3Aapigateway%3Aus-east-1%3A%3A%2Fapis%2FSEED", "", `{"tags":{"a":"b"}}`},
	}
	for _, s := range seeds {
		f.Add(s.method, s.path, s.query, s.body)
	}
	st := memory.New()
	h := awsproto.NewHandler(apigw.Operations(apigw.New(st, apigw.Config{})),
		awsproto.Identity{Account: "000000000000", Region: "us-east-1"}, nil)
	// One real WebSocket API so that fuzzed paths can reach its children.
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("POST", "/v2/apis",
		strings.NewReader(`{"name":"seed","protocolType":"WEBSOCKET","routeSelectionExpression":"$request.body.a"}`)))
	var api struct{ ApiId string }
	json.Unmarshal(rec.Body.Bytes(), &api)

	f.Fuzz(func(t *testing.T, method, path, query, body string) {
		path = strings.ReplaceAll(path, "SEED", api.ApiId)
		req, err := http.NewRequest(method, "http://localhost"+path+"?"+query, strings.NewReader(body))
		if err != nil || req.URL.Path == "" {
			return // not a request net/http would deliver
		}
		req.RequestURI = req.URL.RequestURI()
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %s?%s %q: %d %s", method, path, query, body, rec.Code, rec.Body)
		}
		if rec.Header()["x-amzn-RequestId"] == nil {
			t.Fatalf("no request id")
		}
		if rec.Code >= 300 {
			var e struct{ Message *string }
			if json.Unmarshal(rec.Body.Bytes(), &e) != nil || e.Message == nil || *e.Message == "" {
				t.Fatalf("error body %q", rec.Body)
			}
			if rec.Header()["x-amzn-ErrorType"] == nil {
				t.Fatalf("error without x-amzn-ErrorType")
			}
		}
	})
}
