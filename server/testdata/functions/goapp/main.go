// A Go Lambda handler built with aws-lambda-go, for server's tests: behind
// an HTTP API route it answers with what it was asked; behind a WebSocket
// route it posts back to the caller through the management API at
// https://{domainName}/{stage}, as AWS's samples do, signing with SigV4.
package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

type event struct {
	RawPath        string `json:"rawPath"`
	RouteKey       string `json:"routeKey"`
	Body           string `json:"body"`
	RequestContext struct {
		RouteKey     string `json:"routeKey"`
		ConnectionID string `json:"connectionId"`
		DomainName   string `json:"domainName"`
		Stage        string `json:"stage"`
	} `json:"requestContext"`
}

func handle(ctx context.Context, ev event) (map[string]any, error) {
	rc := ev.RequestContext
	if rc.ConnectionID == "" { // an HTTP API request
		return map[string]any{"statusCode": 200, "body": "go:" + ev.RawPath + ":" + os.Getenv("AWS_LAMBDA_FUNCTION_NAME")}, nil
	}
	if rc.RouteKey == "$connect" || rc.RouteKey == "$disconnect" {
		return map[string]any{"statusCode": 200}, nil
	}
	endpoint := "https://" + rc.DomainName + "/" + rc.Stage + "/@connections/" + url.PathEscape(rc.ConnectionID)
	body := []byte("echo:" + ev.Body)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(body)
	creds := aws.Credentials{AccessKeyID: os.Getenv("AWS_ACCESS_KEY_ID"), SecretAccessKey: os.Getenv("AWS_SECRET_ACCESS_KEY"),
		SessionToken: os.Getenv("AWS_SESSION_TOKEN")}
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "execute-api", os.Getenv("AWS_REGION"), time.Now()); err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req) // trusts Portico's CA through SSL_CERT_FILE
	if err != nil {
		return nil, err
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		return nil, fmt.Errorf("PostToConnection: %s", resp.Status)
	}
	return map[string]any{"statusCode": 200}, nil
}

func main() { lambda.Start(handle) }
