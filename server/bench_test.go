package server_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"

	"github.com/portico-dev/portico/internal/store/postgres/pgtest"
	"github.com/portico-dev/portico/server"
)

// The benchmarks run the whole stack a user hits: the real SDK client,
// a real listener, the protocol layer, the service and a store, by
// default the durable SQLite one (WAL, fsync on every commit).
//
//	go test ./server -run '^$' -bench . -benchmem

// benchStores are the stores the benchmarks that compare them run on:
// each gives the Config of a server on a fresh store of its kind. Another
// backend is one more line here.
var benchStores = []struct {
	name   string
	config func(b *testing.B) server.Config
}{
	{"memory", func(*testing.B) server.Config { return server.Config{InMemory: true} }},
	{"sqlite", func(b *testing.B) server.Config { return server.Config{DataDir: b.TempDir()} }},
	// Skipped without PORTICO_TEST_POSTGRES.
	{"postgres", func(b *testing.B) server.Config { return server.Config{DataDir: b.TempDir(), Store: pgtest.URL(b)} }},
}

// sqliteConfig is the durable store, for the benchmarks that measure it
// alone.
func sqliteConfig(b *testing.B) server.Config { return server.Config{DataDir: b.TempDir()} }

// benchClient starts a server with cfg on a free port and returns an SDK
// client of it. Quotas are off: a benchmark makes as many routes as b.N
// says. The client keeps enough idle connections for every goroutine of
// a parallel benchmark (the SDK's default keeps 10 per host, and the rest
// would reconnect on every call).
func benchClient(b *testing.B, cfg server.Config) *apigatewayv2.Client {
	cfg.Listen = "127.0.0.1:0"
	cfg.NoQuotas = true
	srv, err := server.Start(cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { srv.Close() })
	return apigatewayv2.New(apigatewayv2.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
		HTTPClient: awshttp.NewBuildableClient().WithTransportOptions(func(t *http.Transport) {
			t.MaxIdleConnsPerHost = 256
		}),
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
	c := benchClient(b, sqliteConfig(b))
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

// cycleWorkers is how many clients BenchmarkRouteResponseCycle runs at
// once: a busy team's CI jobs deploying into one Portico.
const cycleWorkers = 16

// BenchmarkRouteResponseCycle: cycleWorkers clients at once, each op
// four calls of one client (CreateRoute, CreateRouteResponse,
// GetRouteResponse, DeleteRoute), on every store of benchStores. Three of
// the four calls write; calls/s is what the store lets the whole stack
// serve under concurrent writers, ns/op the time per cycle of the whole
// group (not of one client).
func BenchmarkRouteResponseCycle(b *testing.B) {
	for _, st := range benchStores {
		b.Run(st.name, func(b *testing.B) {
			c := benchClient(b, st.config(b))
			apiID := benchAPI(b, c)
			var next atomic.Int64 // route keys are unique in an API
			// RunParallel starts SetParallelism x GOMAXPROCS goroutines.
			b.SetParallelism(max(1, cycleWorkers/runtime.GOMAXPROCS(0)))
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				ctx := context.Background()
				for pb.Next() {
					if err := routeResponseCycle(ctx, c, apiID, next.Add(1)); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(4*b.N)/b.Elapsed().Seconds(), "calls/s")
		})
	}
}

// routeResponseCycle is one op of BenchmarkRouteResponseCycle.
func routeResponseCycle(ctx context.Context, c *apigatewayv2.Client, apiID string, n int64) error {
	r, err := c.CreateRoute(ctx, &apigatewayv2.CreateRouteInput{ApiId: &apiID,
		RouteKey: aws.String(fmt.Sprintf("cycle%d", n))})
	if err != nil {
		return err
	}
	rr, err := c.CreateRouteResponse(ctx, &apigatewayv2.CreateRouteResponseInput{ApiId: &apiID, RouteId: r.RouteId,
		RouteResponseKey: aws.String("$default"), ModelSelectionExpression: aws.String("$request.body.type"),
		ResponseModels: map[string]string{"application/json": "Reply"}})
	if err != nil {
		return err
	}
	got, err := c.GetRouteResponse(ctx, &apigatewayv2.GetRouteResponseInput{ApiId: &apiID, RouteId: r.RouteId,
		RouteResponseId: rr.RouteResponseId})
	if err != nil {
		return err
	}
	if aws.ToString(got.RouteResponseKey) != "$default" {
		return fmt.Errorf("route response %+v", got)
	}
	_, err = c.DeleteRoute(ctx, &apigatewayv2.DeleteRouteInput{ApiId: &apiID, RouteId: r.RouteId})
	return err
}

// BenchmarkGetRouteResponses lists the route responses of one route in an
// API of 1 and of 300 routes (AWS's default quota), each with a response.
func BenchmarkGetRouteResponses(b *testing.B) {
	for _, n := range []int{1, 300} {
		b.Run(fmt.Sprintf("routes=%d", n), func(b *testing.B) {
			c := benchClient(b, sqliteConfig(b))
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

// BenchmarkAutoDeployCreateRoute: CreateRoute on an API with an autoDeploy
// stage, where every change is also a new deployment. Each op builds an
// API of 300 routes (AWS's default quota) on a fresh data directory and
// reports the CreateRoute latency of routes 1–10 and of 291–300 (the
// median of each ten: one fsync that stalls on a shared machine moves a
// mean of ten by a tenth of its stall), and the size of the database once
// the server has closed it (closing checkpoints the WAL into the main
// file). A deployment shares what did not change with earlier ones: the
// 300th route should cost about what the first does, and the database
// hold about 300 routes, not 300 copies of them.
//
//	go test ./server -run '^$' -bench AutoDeployCreateRoute -benchtime 1x
func BenchmarkAutoDeployCreateRoute(b *testing.B) {
	const routes, window = 300, 10
	for _, proto := range []types.ProtocolType{types.ProtocolTypeHttp, types.ProtocolTypeWebsocket} {
		b.Run(string(proto), func(b *testing.B) {
			var first, last time.Duration
			var dbBytes int64
			for i := 0; i < b.N; i++ {
				f, l, size := autoDeployRoutes(b, b.TempDir(), proto, routes, window)
				first, last, dbBytes = first+f, last+l, dbBytes+size
			}
			n := float64(b.N)
			b.ReportMetric(float64(first.Microseconds())/n, "µs/first-route")
			b.ReportMetric(float64(last.Microseconds())/n, "µs/300th-route")
			b.ReportMetric(float64(last)/float64(first), "300th/first")
			b.ReportMetric(float64(dbBytes)/n/1024, "KB-db")
		})
	}
}

// autoDeployRoutes creates n routes on a new API of proto with an
// autoDeploy stage, on a server with its data in dir, and returns the
// median latency of the first and of the last window of them, and the
// database's size after the last.
func autoDeployRoutes(b *testing.B, dir string, proto types.ProtocolType, n, window int) (first, last time.Duration, dbBytes int64) {
	ctx := context.Background()
	srv, err := server.Start(server.Config{Listen: "127.0.0.1:0", DataDir: dir})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	c := apigatewayv2.New(apigatewayv2.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
	})
	in := &apigatewayv2.CreateApiInput{Name: aws.String("bench"), ProtocolType: proto}
	if proto == types.ProtocolTypeWebsocket {
		in.RouteSelectionExpression = aws.String("$request.body.action")
	}
	api, err := c.CreateApi(ctx, in)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := c.CreateStage(ctx, &apigatewayv2.CreateStageInput{ApiId: api.ApiId,
		StageName: aws.String("prod"), AutoDeploy: aws.Bool(true)}); err != nil {
		b.Fatal(err)
	}
	took := make([]time.Duration, n)
	for i := range n {
		key := fmt.Sprintf("GET /r%d", i)
		if proto == types.ProtocolTypeWebsocket {
			key = fmt.Sprintf("action%d", i)
		}
		start := time.Now()
		if _, err := c.CreateRoute(ctx, &apigatewayv2.CreateRouteInput{ApiId: api.ApiId, RouteKey: &key}); err != nil {
			b.Fatal(err)
		}
		took[i] = time.Since(start)
	}
	if err := srv.Close(); err != nil {
		b.Fatal(err)
	}
	for _, name := range []string{server.DatabaseFile, server.DatabaseFile + "-wal"} {
		if fi, err := os.Stat(filepath.Join(dir, name)); err == nil {
			dbBytes += fi.Size()
		}
	}
	return median(took[:window]), median(took[n-window:]), dbBytes
}

func median(d []time.Duration) time.Duration {
	s := slices.Sorted(slices.Values(d))
	return (s[(len(s)-1)/2] + s[len(s)/2]) / 2
}
