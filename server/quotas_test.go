package server_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"
	"github.com/aws/smithy-go"

	"github.com/portico-dev/portico/server"
)

// TestNoQuotas: AWS's 10 stages per API hold by default, and NoQuotas
// (--no-quotas) lifts them.
func TestNoQuotas(t *testing.T) {
	ctx := context.Background()
	for _, off := range []bool{false, true} {
		c := start(t, server.Config{InMemory: true, NoQuotas: off}).Client()
		api, err := c.CreateApi(ctx, &apigatewayv2.CreateApiInput{Name: aws.String("q"), ProtocolType: types.ProtocolTypeHttp})
		if err != nil {
			t.Fatal(err)
		}
		var last error
		for i := range 11 {
			_, last = c.CreateStage(ctx, &apigatewayv2.CreateStageInput{ApiId: api.ApiId, StageName: aws.String(fmt.Sprint("s", i))})
		}
		var ae smithy.APIError
		switch {
		case off && last != nil:
			t.Errorf("NoQuotas: the 11th stage was refused: %v", last)
		case !off && (!errors.As(last, &ae) || ae.ErrorCode() != "ConflictException"):
			t.Errorf("quotas on: the 11th stage got %v", last)
		}
	}
}
