package websocket_test

import (
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"
	"github.com/gobwas/ws"
)

// BenchmarkMockRoundTrip: one message through a two-way MOCK route (route
// selection, request template, integration response, response template)
// and back, over a real WebSocket on loopback, client in the same process.
// The parallel variant spreads the load over many connections.
//
//	go test ./internal/dataplane -run '^$' -bench MockRoundTrip -benchmem
func BenchmarkMockRoundTrip(b *testing.B) {
	e := newBenchEnv(b)
	api := e.mockEchoAPI(b)
	url := e.wsURL(api, "prod")
	b.Run("serial", func(b *testing.B) {
		c := e.benchDial(b, url)
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			c.roundTrip(b, i)
		}
	})
	b.Run("parallel", func(b *testing.B) {
		var n atomic.Int64
		b.ReportAllocs()
		b.SetParallelism(8)
		b.RunParallel(func(pb *testing.PB) {
			c := e.benchDial(b, url)
			for pb.Next() {
				c.roundTrip(b, int(n.Add(1)))
			}
		})
	})
}

// mockEchoAPI is the load tool's MOCK echo route.
func (e *env) mockEchoAPI(b *testing.B) string {
	api, err := e.c.CreateApi(e.ctx, &apigatewayv2.CreateApiInput{Name: aws.String("bench"),
		ProtocolType: types.ProtocolTypeWebsocket, RouteSelectionExpression: aws.String("$request.body.action")})
	if err != nil {
		b.Fatal(err)
	}
	in, err := e.c.CreateIntegration(e.ctx, &apigatewayv2.CreateIntegrationInput{ApiId: api.ApiId, IntegrationType: types.IntegrationTypeMock,
		RequestTemplates: map[string]string{"$default": `{"statusCode": 200, "echo": $input.json('$')}`}})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := e.c.CreateIntegrationResponse(e.ctx, &apigatewayv2.CreateIntegrationResponseInput{ApiId: api.ApiId, IntegrationId: in.IntegrationId,
		IntegrationResponseKey: aws.String("$default"), ResponseTemplates: map[string]string{"$default": `$input.json('$.echo')`}}); err != nil {
		b.Fatal(err)
	}
	r, err := e.c.CreateRoute(e.ctx, &apigatewayv2.CreateRouteInput{ApiId: api.ApiId, RouteKey: aws.String("$default"),
		Target: aws.String("integrations/" + *in.IntegrationId), RouteResponseSelectionExpression: aws.String("$default")})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := e.c.CreateRouteResponse(e.ctx, &apigatewayv2.CreateRouteResponseInput{ApiId: api.ApiId, RouteId: r.RouteId, RouteResponseKey: aws.String("$default")}); err != nil {
		b.Fatal(err)
	}
	if _, err := e.c.CreateStage(e.ctx, &apigatewayv2.CreateStageInput{ApiId: api.ApiId, StageName: aws.String("prod")}); err != nil {
		b.Fatal(err)
	}
	if _, err := e.c.CreateDeployment(e.ctx, &apigatewayv2.CreateDeploymentInput{ApiId: api.ApiId, StageName: aws.String("prod")}); err != nil {
		b.Fatal(err)
	}
	return *api.ApiId
}

type benchClient struct{ *client }

func (e *env) benchDial(b *testing.B, url string) benchClient {
	conn, br, _, err := ws.Dialer{}.Dial(e.ctx, url)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { conn.Close() })
	c := &client{conn: conn, r: conn}
	if br != nil {
		c.r = br
	}
	return benchClient{c}
}

func (c benchClient) roundTrip(b *testing.B, i int) {
	msg := fmt.Appendf(nil, `{"action":"bench","n":%d}`, i)
	if err := ws.WriteFrame(c.conn, ws.MaskFrame(ws.NewTextFrame(msg))); err != nil {
		b.Fatal(err)
	}
	f, err := ws.ReadFrame(c.r)
	if err != nil || len(f.Payload) == 0 {
		b.Fatal(err)
	}
}
