package websocket_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"
	"github.com/gobwas/ws"
)

// TestConnectAuthorizer: a Lambda REQUEST authorizer on $connect decides
// the upgrade: a missing identity source is 401 without a call, a Deny
// policy 403, "Unauthorized" 401, an Allow lets the connection on, and
// its principalId and context reach the later events.
func TestConnectAuthorizer(t *testing.T) {
	e := newEnv(t, nil)
	api := e.wsAPI(t)
	auth, err := e.c.CreateAuthorizer(e.ctx, &apigatewayv2.CreateAuthorizerInput{ApiId: &api, Name: aws.String("gate"),
		AuthorizerType: types.AuthorizerTypeRequest, AuthorizerUri: aws.String(lambdaURI("gate")),
		IdentitySource: []string{"route.request.querystring.token"}})
	must(t, err)
	fn := e.lambdaProxy(t, api, "app")
	_, err = e.c.CreateRoute(e.ctx, &apigatewayv2.CreateRouteInput{ApiId: &api, RouteKey: aws.String("$connect"),
		AuthorizationType: types.AuthorizationTypeCustom, AuthorizerId: auth.AuthorizerId, Target: aws.String("integrations/" + fn)})
	must(t, err)
	e.route(t, api, "$default", fn, true)
	e.deploy(t, api, "prod")

	e.lambda.SetHandler(func(name string, event []byte) (any, string) {
		var ev struct {
			MethodArn             string            `json:"methodArn"`
			QueryStringParameters map[string]string `json:"queryStringParameters"`
			RequestContext        struct {
				EventType  string         `json:"eventType"`
				Authorizer map[string]any `json:"authorizer"`
			} `json:"requestContext"`
		}
		json.Unmarshal(event, &ev)
		if strings.HasSuffix(name, ":gate") {
			effect := "Allow"
			switch ev.QueryStringParameters["token"] {
			case "unauth":
				return nil, "Unauthorized"
			case "bad":
				effect = "Deny"
			}
			return map[string]any{"principalId": "user-1", "context": map[string]any{"tier": "gold", "n": 3},
				"policyDocument": map[string]any{"Version": "2012-10-17", "Statement": []any{
					map[string]any{"Action": "execute-api:Invoke", "Effect": effect, "Resource": ev.MethodArn}}}}, ""
		}
		b, _ := json.Marshal(ev.RequestContext.Authorizer)
		return map[string]any{"statusCode": 200, "body": string(b)}, ""
	})
	var se ws.StatusError
	calls := len(e.lambda.Calls())
	if _, err := e.dial(t, e.wsURL(api, "prod"), nil); !errors.As(err, &se) || int(se) != 401 {
		t.Fatalf("no token: %v, want 401", err)
	}
	if n := len(e.lambda.Calls()); n != calls {
		t.Errorf("the authorizer was called without its identity source")
	}
	for token, status := range map[string]int{"bad": 403, "unauth": 401} {
		if _, err := e.dial(t, e.wsURL(api, "prod")+"?token="+token, nil); !errors.As(err, &se) || int(se) != status {
			t.Errorf("token %s: %v, want %d", token, err, status)
		}
	}
	c, err := e.dial(t, e.wsURL(api, "prod")+"?token=good", nil)
	must(t, err)
	c.send("who am i")
	var got map[string]any
	if err := json.Unmarshal([]byte(c.mustRead()), &got); err != nil || got["principalId"] != "user-1" || got["tier"] != "gold" {
		t.Errorf("authorizer context in the MESSAGE event: %v %v", got, err)
	}
}
