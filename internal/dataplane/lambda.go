package dataplane

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// lambdaClient calls functions through the Lambda Invoke API
// (POST /2015-03-31/functions/{name}/invocations), which real AWS,
// LocalStack, `sam local start-lambda` and the runtime interface emulator
// all serve (docs/architecture.md#lambda).
type lambdaClient struct {
	endpoint string
	client   *http.Client
}

// maxLambdaResult bounds what a function may answer (AWS: 6 MB).
const maxLambdaResult = 6 << 20

var errNoLambdaEndpoint = errors.New("no Lambda endpoint is configured (--lambda-endpoint)")

// functionName extracts the function from an integration URI: either the
// API Gateway form arn:aws:apigateway:{region}:lambda:path/2015-03-31/
// functions/{functionArn}/invocations, or a Lambda ARN or name itself.
func functionName(uri string) string {
	if _, rest, ok := strings.Cut(uri, ":lambda:path/2015-03-31/functions/"); ok {
		return strings.TrimSuffix(rest, "/invocations")
	}
	return uri
}

// invoke runs the function synchronously and returns its result. A
// function error (X-Amz-Function-Error) is an error: API Gateway reports
// it as an integration failure.
func (l *lambdaClient) invoke(ctx context.Context, uri string, payload []byte) ([]byte, error) {
	if l.endpoint == "" {
		return nil, errNoLambdaEndpoint
	}
	target := strings.TrimSuffix(l.endpoint, "/") + "/2015-03-31/functions/" + url.PathEscape(functionName(uri)) + "/invocations"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(payload))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Amz-Invocation-Type", "RequestResponse")
	resp, err := l.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(io.LimitReader(resp.Body, maxLambdaResult+1))
	if err != nil {
		return nil, err
	}
	if len(out) > maxLambdaResult {
		return nil, fmt.Errorf("the function's result exceeds %d bytes", maxLambdaResult)
	}
	if resp.StatusCode/100 != 2 {
		return nil, fmt.Errorf("Lambda Invoke answered %s: %.200s", resp.Status, out)
	}
	if fe := resp.Header.Get("X-Amz-Function-Error"); fe != "" {
		return nil, &functionError{kind: fe, payload: out}
	}
	return out, nil
}

// invokeNonProxy calls a function for an AWS (non-proxy) integration: the
// payload is the rendered request template, and a function error is not a
// failure but a selection value (its errorMessage) for the integration
// responses, as API Gateway does (docs/aws-behaviours.md#two-way).
func (l *lambdaClient) invokeNonProxy(ctx context.Context, uri string, payload []byte) (out []byte, errMessage string, err error) {
	out, err = l.invoke(ctx, uri, payload)
	var fe *functionError
	if errors.As(err, &fe) {
		var e struct {
			ErrorMessage string `json:"errorMessage"`
		}
		json.Unmarshal(fe.payload, &e)
		return fe.payload, e.ErrorMessage, nil
	}
	return out, "", err
}

// functionError is a function's own failure (X-Amz-Function-Error).
type functionError struct {
	kind    string
	payload []byte
}

func (e *functionError) Error() string {
	return fmt.Sprintf("the function failed (%s): %.200s", e.kind, e.payload)
}
