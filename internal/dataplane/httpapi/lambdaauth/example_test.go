package lambdaauth_test

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/portico-dev/portico/internal/apigw"
	"github.com/portico-dev/portico/internal/dataplane/gateway"
	"github.com/portico-dev/portico/internal/dataplane/httpapi/lambdaauth"
	"github.com/portico-dev/portico/internal/dataplane/httpapi/payload"
	"github.com/portico-dev/portico/internal/dataplane/integration"
	"github.com/portico-dev/portico/internal/lambdatest"
	"github.com/portico-dev/portico/internal/store"
)

// How the engine uses an authorizer: compiled once with its stage, asked
// once per request of a route whose authorizationType is CUSTOM.
func Example() {
	fn := lambdatest.New(func(_ string, event []byte) (any, string) {
		return map[string]any{"isAuthorized": true, "context": map[string]any{"user": "u-1"}}, ""
	})
	defer fn.Close()

	a, err := lambdaauth.Compile(&apigw.Authorizer{
		AuthorizerId: new("abc123"), AuthorizerType: new("REQUEST"), AuthorizerPayloadFormatVersion: new("2.0"),
		AuthorizerUri:         new("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:auth/invocations"),
		EnableSimpleResponses: new(true), AuthorizerResultTtlInSeconds: new(int32(300)),
		IdentitySource: []string{"$request.header.Authorization"},
	}, lambdaauth.Config{
		Invoker: &integration.Lambda{Endpoint: fn.URL, Client: &http.Client{}},
		Stage:   gateway.StageKey{Scope: store.Scope{Account: "000000000000", Region: "us-east-1"}, APIID: "api1", Stage: "$default"},
	})
	if err != nil {
		panic(err)
	}

	// Per request: the same payload.Request the integration event is
	// written from, and the path routes were matched on.
	ev := &payload.Request{Method: "GET", RawPath: "/pets", Path: "/pets", RouteKey: "GET /pets", Stage: "$default",
		Header: http.Header{"Authorization": {"token-1"}}, Time: time.Now()}
	for range 2 {
		res := a.Authorize(context.Background(), &lambdaauth.Request{Event: ev, Path: "/pets"})
		if res.Refusal != nil {
			fmt.Println("answer", res.Refusal.Status, "because", res.Err) // gateway.Write(w, res.Refusal)
			continue
		}
		ev.Authorizer = res.Identity // the integration event's requestContext.authorizer
		user, _ := res.Value("user") // $context.authorizer.user
		fmt.Println("allowed:", user, "cached:", res.Cached)
	}
	fmt.Println("calls:", len(fn.Calls()))
	// Output:
	// allowed: u-1 cached: false
	// allowed: u-1 cached: true
	// calls: 1
}
