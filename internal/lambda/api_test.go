package lambda

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// sdkClient is the real AWS SDK Lambda client aimed at the manager's
// Invoke API.
func sdkClient(t testing.TB, m *Manager) (*awslambda.Client, string) {
	srv := httptest.NewServer(m.InvokeHandler())
	t.Cleanup(srv.Close)
	return awslambda.New(awslambda.Options{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(srv.URL),
		Credentials:      credentials.NewStaticCredentialsProvider("123456789012", "secret", ""),
		RetryMaxAttempts: 1,
	}), srv.URL
}

func TestSDKInvoke(t *testing.T) {
	m, _ := testManager(t, Config{Account: "123456789012", QueueLimit: -1, Functions: []Function{{Name: "orders", MaxConcurrency: 1, Timeout: time.Minute}}})
	client, _ := sdkClient(t, m)
	ctx := context.Background()

	out, err := client.Invoke(ctx, &awslambda.InvokeInput{
		FunctionName: aws.String("orders"),
		Payload:      []byte(`{"action":"echo","message":"hi"}`),
		LogType:      types.LogTypeTail,
	})
	if err != nil {
		t.Fatal(err)
	}
	var r result
	if err := json.Unmarshal(out.Payload, &r); err != nil {
		t.Fatal(err)
	}
	if out.StatusCode != 200 || out.FunctionError != nil || aws.ToString(out.ExecutedVersion) != "$LATEST" || r.Message != "hi" {
		t.Errorf("Invoke: %d %v %v %s", out.StatusCode, out.FunctionError, out.ExecutedVersion, out.Payload)
	}
	tail, _ := base64.StdEncoding.DecodeString(aws.ToString(out.LogResult))
	if !strings.HasPrefix(string(tail), "START RequestId: "+r.RequestID+" Version: $LATEST\n") || !strings.Contains(string(tail), "\nREPORT RequestId: "+r.RequestID) {
		t.Errorf("LogResult:\n%s", tail)
	}

	out, err = client.Invoke(ctx, &awslambda.InvokeInput{
		FunctionName: aws.String("arn:aws:lambda:us-east-1:123456789012:function:orders"),
		Qualifier:    aws.String("live"),
		Payload:      []byte(`{"action":"error","message":"no such order"}`),
	})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.FunctionError) != "Unhandled" || !bytes.Contains(out.Payload, []byte(`"errorMessage":"no such order"`)) || out.LogResult != nil {
		t.Errorf("function error: %v %s", out.FunctionError, out.Payload)
	}

	out, err = client.Invoke(ctx, &awslambda.InvokeInput{FunctionName: aws.String("orders"), InvocationType: types.InvocationTypeDryRun})
	if err != nil || out.StatusCode != 204 {
		t.Errorf("DryRun: %v %v", out, err)
	}
	out, err = client.Invoke(ctx, &awslambda.InvokeInput{FunctionName: aws.String("orders"), InvocationType: types.InvocationTypeEvent, Payload: []byte(`{}`)})
	if err != nil || out.StatusCode != 202 {
		t.Errorf("Event: %v %v", out, err)
	}

	_, err = client.Invoke(ctx, &awslambda.InvokeInput{FunctionName: aws.String("nope")})
	var nf *types.ResourceNotFoundException
	if !errors.As(err, &nf) || aws.ToString(nf.Message) != "Function not found: arn:aws:lambda:us-east-1:123456789012:function:nope" || aws.ToString(nf.Type) != "User" {
		t.Errorf("unknown function: %v", err)
	}
	_, err = client.Invoke(ctx, &awslambda.InvokeInput{FunctionName: aws.String("orders"), Payload: []byte("not json")})
	var ic *types.InvalidRequestContentException
	if !errors.As(err, &ic) {
		t.Errorf("not JSON: %v", err)
	}
	_, err = client.Invoke(ctx, &awslambda.InvokeInput{FunctionName: aws.String("orders"), Payload: bytes.Repeat([]byte(" "), 6<<20+1)})
	var tl *types.RequestTooLargeException
	if !errors.As(err, &tl) {
		t.Errorf("7 MB: %v", err)
	}

	// No queue: with the one process busy, the next call is throttled.
	path, open := gate(t)
	held := goInvoke(m, "orders", map[string]any{"action": "wait", "path": path})
	waitFor(t, "a busy process", func() bool { return stats(t, m, "orders").Busy == 1 })
	_, err = client.Invoke(ctx, &awslambda.InvokeInput{FunctionName: aws.String("orders")})
	var tm *types.TooManyRequestsException
	if !errors.As(err, &tm) || tm.Reason != types.ThrottleReasonReservedFunctionConcurrentInvocationLimitExceeded || aws.ToString(tm.RetryAfterSeconds) != "1" {
		t.Errorf("throttled: %v", err)
	}
	open()
	held.wait(t)
}

// TestInvokeAPIWire checks the bytes of the answers, which the SDK's
// tolerance would hide.
func TestInvokeAPIWire(t *testing.T) {
	m, _ := testManager(t, Config{Functions: []Function{{Name: "f"}}})
	_, url := sdkClient(t, m)
	post := func(path string, h map[string]string, body string) *http.Response {
		req, _ := http.NewRequest(http.MethodPost, url+path, strings.NewReader(body))
		for k, v := range h {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	read := func(resp *http.Response) string {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return string(b)
	}

	resp := post("/2015-03-31/functions/nope/invocations", nil, "")
	if body := read(resp); resp.StatusCode != 404 || resp.Header.Get("x-amzn-ErrorType") != "ResourceNotFoundException" ||
		body != `{"Type":"User","message":"Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope"}` ||
		resp.Header.Get("x-amzn-RequestId") == "" || resp.Header.Get("Content-Type") != "application/json" {
		t.Errorf("not found: %d %v %s", resp.StatusCode, resp.Header, body)
	}

	resp = post("/2015-03-31/functions/f/invocations", nil, `{"action":"echo"}`)
	body := read(resp)
	var r result
	json.Unmarshal([]byte(body), &r)
	if resp.StatusCode != 200 || resp.Header.Get("X-Amz-Executed-Version") != "$LATEST" || resp.Header.Get("x-amzn-RequestId") != r.RequestID ||
		resp.Header.Get("X-Amz-Function-Error") != "" || resp.Header.Get("X-Amz-Log-Result") != "" {
		t.Errorf("invoke: %d %v %s", resp.StatusCode, resp.Header, body)
	}

	resp = post("/2015-03-31/functions/f/invocations", map[string]string{"X-Amz-Invocation-Type": "Event", "X-Amz-Log-Type": "Tail"}, `{}`)
	if body := read(resp); resp.StatusCode != 202 || body != "" || resp.Header.Get("X-Amz-Log-Result") != "" {
		t.Errorf("event: %d %v %q", resp.StatusCode, resp.Header, body)
	}
	resp = post("/2015-03-31/functions/f/invocations", map[string]string{"X-Amz-Log-Type": "Everything"}, `{}`)
	if body := read(resp); resp.StatusCode != 400 || !strings.Contains(body, "at 'logType' failed to satisfy constraint") {
		t.Errorf("bad log type: %d %s", resp.StatusCode, body)
	}
	resp = post("/2015-03-31/functions/f/invocations", nil, `{"truncated":`)
	if body := read(resp); resp.StatusCode != 400 || resp.Header.Get("x-amzn-ErrorType") != "InvalidRequestContentException" {
		t.Errorf("bad JSON: %d %s", resp.StatusCode, body)
	}
	resp = post("/2015-03-31/functions/f/other", nil, `{}`)
	if body := read(resp); resp.StatusCode != 404 || resp.Header.Get("x-amzn-ErrorType") != "UnknownOperationException" {
		t.Errorf("unknown path: %d %s", resp.StatusCode, body)
	}
	req, _ := http.NewRequest(http.MethodGet, url+"/2015-03-31/functions/f/invocations", nil)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 404 {
		t.Errorf("GET: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
}
