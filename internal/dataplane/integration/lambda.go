// Package integration is what the WebSocket and HTTP API engines both call:
// the Lambda Invoke API client, the upstream HTTP client with bounded
// reads, and the evaluation of the IAM policies Lambda authorizers return.
package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/portico-dev/portico/internal/metrics"
)

// Lambda calls functions through the Lambda Invoke API
// (POST /2015-03-31/functions/{name}/invocations), which real AWS,
// LocalStack, `sam local start-lambda` and the runtime interface emulator
// all serve (docs/architecture.md#lambda).
type Lambda struct {
	// Endpoint is the Invoke API's base URL; empty: Local's functions, or
	// every call fails with ErrNoLambdaEndpoint.
	Endpoint string
	Client   *http.Client
	// Local, when set and Endpoint is empty, runs the functions Portico
	// hosts itself (--function), in process (which count their own
	// invocations).
	Local LocalFunctions
	// Metrics counts the calls to the Invoke API at Endpoint (nil: none).
	Metrics *metrics.Metrics
}

// LocalFunctions are functions run in process: the result payload, and
// the function error kind ("Unhandled") when the function failed.
type LocalFunctions interface {
	InvokeLocal(ctx context.Context, nameOrARN string, payload []byte) (out []byte, functionError string, err error)
}

// MaxLambdaResult bounds what a function may answer (AWS: 6 MB).
const MaxLambdaResult = 6 << 20

// ErrNoLambdaEndpoint: Portico was started without --lambda-endpoint.
var ErrNoLambdaEndpoint = errors.New("no Lambda endpoint is configured (--lambda-endpoint)")

// FunctionName extracts the function from an integration URI: either the
// API Gateway form arn:aws:apigateway:{region}:lambda:path/2015-03-31/
// functions/{functionArn}/invocations, or a Lambda ARN or name itself.
func FunctionName(uri string) string {
	if _, rest, ok := strings.Cut(uri, ":lambda:path/2015-03-31/functions/"); ok {
		return strings.TrimSuffix(rest, "/invocations")
	}
	return uri
}

// Invoke runs the function synchronously and returns its result. A
// function error (X-Amz-Function-Error) is a *FunctionError: API Gateway
// reports it as an integration failure.
func (l *Lambda) Invoke(ctx context.Context, uri string, payload []byte) ([]byte, error) {
	if l.Endpoint == "" && l.Local != nil {
		out, fe, err := l.Local.InvokeLocal(ctx, FunctionName(uri), payload)
		if err != nil {
			return nil, err
		}
		if fe != "" {
			return nil, &FunctionError{Kind: fe, Payload: out}
		}
		return out, nil
	}
	if l.Endpoint == "" {
		return nil, ErrNoLambdaEndpoint
	}
	start := time.Now()
	out, err := l.invokeEndpoint(ctx, uri, payload)
	l.Metrics.Lambda(FunctionName(uri), metrics.ViaEndpoint, time.Since(start), err != nil)
	return out, err
}

func (l *Lambda) invokeEndpoint(ctx context.Context, uri string, payload []byte) ([]byte, error) {
	target := strings.TrimSuffix(l.Endpoint, "/") + "/2015-03-31/functions/" + url.PathEscape(FunctionName(uri)) + "/invocations"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(payload))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Amz-Invocation-Type", "RequestResponse")
	resp, err := l.Client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	out, err := ReadAll(resp.Body, MaxLambdaResult, "the function's result")
	if err != nil {
		return nil, err
	}
	if resp.StatusCode/100 != 2 {
		return nil, fmt.Errorf("Lambda Invoke answered %s: %.200s", resp.Status, out)
	}
	if fe := resp.Header.Get("X-Amz-Function-Error"); fe != "" {
		return nil, &FunctionError{Kind: fe, Payload: out}
	}
	return out, nil
}

// InvokeNonProxy calls a function for an AWS (non-proxy) integration: the
// payload is the rendered request template, and a function error is not a
// failure but a selection value (its errorMessage) for the integration
// responses, as API Gateway does (docs/aws-behaviours.md#two-way).
func (l *Lambda) InvokeNonProxy(ctx context.Context, uri string, payload []byte) (out []byte, errMessage string, err error) {
	out, err = l.Invoke(ctx, uri, payload)
	var fe *FunctionError
	if errors.As(err, &fe) {
		var e struct {
			ErrorMessage string `json:"errorMessage"`
		}
		json.Unmarshal(fe.Payload, &e)
		return fe.Payload, e.ErrorMessage, nil
	}
	return out, "", err
}

// FunctionError is a function's own failure (X-Amz-Function-Error).
type FunctionError struct {
	Kind    string
	Payload []byte
}

func (e *FunctionError) Error() string {
	return fmt.Sprintf("the function failed (%s): %.200s", e.Kind, e.Payload)
}
