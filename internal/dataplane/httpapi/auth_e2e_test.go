package httpapi_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"

	"github.com/portico-dev/portico/server"
)

// calls counts the invocations of one function.
func (e *env) calls(fn string) int {
	n := 0
	for _, c := range e.lambda.Calls() {
		if strings.HasSuffix(c.Function, ":"+fn) {
			n++
		}
	}
	return n
}

// TestLambdaAuthorizer: a Lambda REQUEST authorizer (2.0, simple answers,
// cached for 300 s) on a route: a missing identity source is 401 without a
// call; allowed requests reach the integration with the authorizer's
// context; a denied token is 403; the answer for a token is cached (no
// second call) until ResetAuthorizersCache.
func TestLambdaAuthorizer(t *testing.T) {
	e := newEnv(t)
	e.lambda.SetHandler(func(fn string, event []byte) (any, string) {
		if strings.HasSuffix(fn, ":auth") {
			var ev struct{ IdentitySource []string }
			json.Unmarshal(event, &ev)
			ok := len(ev.IdentitySource) == 1 && ev.IdentitySource[0] == "good"
			return map[string]any{"isAuthorized": ok, "context": map[string]any{"user": "ann", "level": 3}}, ""
		}
		return map[string]any{"statusCode": 200, "body": "ok"}, ""
	})
	api := e.httpAPI(t, nil)
	au, err := e.c.CreateAuthorizer(e.ctx, &apigatewayv2.CreateAuthorizerInput{ApiId: &api, Name: aws.String("a"),
		AuthorizerType: types.AuthorizerTypeRequest, AuthorizerUri: aws.String(lambdaURI("auth")),
		AuthorizerPayloadFormatVersion: aws.String("2.0"), EnableSimpleResponses: aws.Bool(true),
		IdentitySource: []string{"$request.header.Authorization"}, AuthorizerResultTtlInSeconds: aws.Int32(300)})
	must(t, err)
	_, err = e.c.CreateRoute(e.ctx, &apigatewayv2.CreateRouteInput{ApiId: &api, RouteKey: aws.String("GET /me"),
		Target:            aws.String("integrations/" + e.lambdaIntegration(t, api, "fn", "2.0")),
		AuthorizationType: types.AuthorizationTypeCustom, AuthorizerId: au.AuthorizerId})
	must(t, err)

	if resp, body := call(t, "GET", e.url(api, "/me"), "", "", nil); resp.StatusCode != 401 || body != `{"message":"Unauthorized"}` || e.calls("auth") != 0 {
		t.Errorf("no identity: %d %s, %d calls", resp.StatusCode, body, e.calls("auth"))
	}
	for i := range 3 {
		resp, body := call(t, "GET", e.url(api, "/me"), "", "", http.Header{"Authorization": {"good"}})
		if resp.StatusCode != 200 || body != "ok" {
			t.Fatalf("allowed request %d: %d %s", i, resp.StatusCode, body)
		}
	}
	if n := e.calls("auth"); n != 1 {
		t.Errorf("the authorizer was called %d times for one token, want 1 (the cache)", n)
	}
	var ev struct {
		RequestContext struct {
			Authorizer struct{ Lambda map[string]any }
		}
	}
	for _, c := range e.lambda.Calls() {
		if strings.HasSuffix(c.Function, ":fn") {
			json.Unmarshal(c.Event, &ev)
		}
	}
	if ev.RequestContext.Authorizer.Lambda["user"] != "ann" || ev.RequestContext.Authorizer.Lambda["level"] != 3.0 {
		t.Errorf("the integration's event carries %v", ev.RequestContext.Authorizer)
	}
	if resp, body := call(t, "GET", e.url(api, "/me"), "", "", http.Header{"Authorization": {"bad"}}); resp.StatusCode != 403 || body != `{"message":"Forbidden"}` {
		t.Errorf("denied: %d %s", resp.StatusCode, body)
	}
	_, err = e.c.ResetAuthorizersCache(e.ctx, &apigatewayv2.ResetAuthorizersCacheInput{ApiId: &api, StageName: aws.String("$default")})
	must(t, err)
	before := e.calls("auth")
	call(t, "GET", e.url(api, "/me"), "", "", http.Header{"Authorization": {"good"}})
	if e.calls("auth") != before+1 {
		t.Errorf("after ResetAuthorizersCache the authorizer was not called again")
	}
}

// TestIAMAuthorization: an AWS_IAM route takes requests signed with SigV4
// for execute-api (the AWS SDK's signer); unsigned, wrong-region and
// tampered requests are 403. With --credentials the signature's bytes are
// checked against the file's keys.
func TestIAMAuthorization(t *testing.T) {
	creds := filepath.Join(t.TempDir(), "credentials")
	os.WriteFile(creds, []byte("[dev]\naws_access_key_id = AKIDPORTICO\naws_secret_access_key = s3cret\n"), 0o600)
	for _, strict := range []bool{false, true} {
		e := newEnvWith(t, func(c *server.Config) {
			if strict {
				c.Credentials = creds
			}
		})
		be := newBackend(t)
		api := e.httpAPI(t, nil)
		_, err := e.c.CreateRoute(e.ctx, &apigatewayv2.CreateRouteInput{ApiId: &api, RouteKey: aws.String("POST /private"),
			Target:            aws.String("integrations/" + e.proxyIntegration(t, api, "POST", be.URL, nil)),
			AuthorizationType: types.AuthorizationTypeAwsIam})
		must(t, err)
		url := e.url(api, "/private?x=1")
		send := func(region, secret, body string, tamper bool) int {
			req, _ := http.NewRequest("POST", url, strings.NewReader(body))
			sum := sha256.Sum256([]byte(body))
			err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: "AKIDPORTICO", SecretAccessKey: secret},
				req, hex.EncodeToString(sum[:]), "execute-api", region, time.Now())
			must(t, err)
			if tamper {
				req.Body = ioNop(bytes.NewBufferString(body + "!"))
				req.ContentLength = int64(len(body) + 1)
			}
			resp, err := http.DefaultClient.Do(req)
			must(t, err)
			resp.Body.Close()
			return resp.StatusCode
		}
		if resp, body := call(t, "POST", url, "", "x", nil); resp.StatusCode != 403 || body != `{"message":"Forbidden"}` {
			t.Errorf("strict=%v unsigned: %d %s", strict, resp.StatusCode, body)
		}
		if got := send("us-east-1", "s3cret", "hello", false); got != 200 {
			t.Errorf("strict=%v signed: %d", strict, got)
		}
		if got := send("eu-west-1", "s3cret", "hello", false); got != 403 {
			t.Errorf("strict=%v another region: %d", strict, got)
		}
		wantWrongSecret, wantTampered := 200, 200 // default: the bytes are not checked
		if strict {
			wantWrongSecret, wantTampered = 403, 403
		}
		if got := send("us-east-1", "wrong", "hello", false); got != wantWrongSecret {
			t.Errorf("strict=%v wrong secret: %d, want %d", strict, got, wantWrongSecret)
		}
		if got := send("us-east-1", "s3cret", "hello", true); got != wantTampered {
			t.Errorf("strict=%v tampered body: %d, want %d", strict, got, wantTampered)
		}
	}
}
