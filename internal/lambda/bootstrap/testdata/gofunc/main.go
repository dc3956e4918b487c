// A custom runtime as users write one: a Go handler built with
// github.com/aws/aws-lambda-go, started as it is.
package main

import (
	"context"
	"errors"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

type event struct {
	Fail bool `json:"fail"`
}

func handler(ctx context.Context, e event) (map[string]string, error) {
	if e.Fail {
		return nil, errors.New("asked to fail")
	}
	lc, _ := lambdacontext.FromContext(ctx)
	return map[string]string{"requestId": lc.AwsRequestID, "handler": os.Getenv("_HANDLER"), "mode": os.Getenv("MODE")}, nil
}

func main() { lambda.Start(handler) }
