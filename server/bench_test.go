package server_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"

	"github.com/portico-dev/portico/server"
)

// The benchmarks run the whole stack a user hits: the real SDK client,
// a real listener, the protocol layer, the service and the durable SQLite
// store (WAL, fsync on every commit).
//
//	go test ./server -run '^$' -bench . -benchmem

func benchClient(b *testing.B) *apigatewayv2.Client {
	srv, err := server.Start(server.Config{Listen: "127.0.0.1:0", DataDir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { srv.Close() })
	return apigatewayv2.New(apigatewayv2.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
	})
}

func benchAPI(b *testing.B, c *apigatewayv2.Client) string {
	api, err := c.CreateApi(context.Background(), &apigatewayv2.CreateApiInput{Name: aws.String("bench"),
		ProtocolType: types.ProtocolTypeWebsocket, RouteSelectionExpression: aws.String("$request.body.action")})
	if err != nil {
		b.Fatal(err)
	}
	return *api.ApiId
}

func benchRoutes(b *testing.B, c *apigatewayv2.Client, apiID string, n, offset int) []string {
	ids := make([]string, n)
	for i := range ids {
		r, err := c.CreateRoute(context.Background(), &apigatewayv2.CreateRouteInput{ApiId: &apiID,
			RouteKey: aws.String(fmt.Sprintf("action%d", offset+i))})
		if err != nil {
			b.Fatal(err)
		}
		ids[i] = *r.RouteId
	}
	return ids
}

// BenchmarkCreateRouteResponse: one durable CreateRouteResponse per op.
// A route holds one route response, so the routes are made beforehand,
// off the clock.
func BenchmarkCreateRouteResponse(b *testing.B) {
	c := benchClient(b)
	apiID := benchAPI(b, c)
	routes := benchRoutes(b, c, apiID, b.N, 0)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_, err := c.CreateRouteResponse(ctx, &apigatewayv2.CreateRouteResponseInput{ApiId: &apiID, RouteId: &routes[i],
			RouteResponseKey: aws.String("$default"), ModelSelectionExpression: aws.String("$request.body.type"),
			ResponseModels: map[string]string{"application/json": "Reply"}})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGetRouteResponses lists the route responses of one route in an
// API of 1 and of 300 routes (AWS's default quota), each with a response.
func BenchmarkGetRouteResponses(b *testing.B) {
	for _, n := range []int{1, 300} {
		b.Run(fmt.Sprintf("routes=%d", n), func(b *testing.B) {
			c := benchClient(b)
			apiID := benchAPI(b, c)
			ctx := context.Background()
			routes := benchRoutes(b, c, apiID, n, 0)
			for i := range routes {
				if _, err := c.CreateRouteResponse(ctx, &apigatewayv2.CreateRouteResponseInput{ApiId: &apiID,
					RouteId: &routes[i], RouteResponseKey: aws.String("$default")}); err != nil {
					b.Fatal(err)
				}
			}
			target := routes[len(routes)/2]
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				out, err := c.GetRouteResponses(ctx, &apigatewayv2.GetRouteResponsesInput{ApiId: &apiID, RouteId: &target})
				if err != nil || len(out.Items) != 1 {
					b.Fatal(err, out)
				}
			}
		})
	}
}

// BenchmarkGetRouteResponsesRaw is the same read with a plain HTTP client:
// the difference to BenchmarkGetRouteResponses is the SDK's own cost.
func BenchmarkGetRouteResponsesRaw(b *testing.B) {
	srv, err := server.Start(server.Config{Listen: "127.0.0.1:0", DataDir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { srv.Close() })
	c := apigatewayv2.New(apigatewayv2.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
	})
	apiID := benchAPI(b, c)
	route := benchRoutes(b, c, apiID, 1, 0)[0]
	if _, err := c.CreateRouteResponse(context.Background(), &apigatewayv2.CreateRouteResponseInput{ApiId: &apiID,
		RouteId: &route, RouteResponseKey: aws.String("$default")}); err != nil {
		b.Fatal(err)
	}
	url := srv.URL + "/v2/apis/" + apiID + "/routes/" + route + "/routeresponses"
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		resp, err := http.Get(url)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatal(resp.Status)
		}
	}
}
