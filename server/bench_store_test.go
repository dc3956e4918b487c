package server_test

import (
	"context"
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"

	"github.com/portico-dev/portico/internal/store/postgres/pgtest"
	"github.com/portico-dev/portico/server"
)

// BenchmarkRouteChurn: 16 clients at once, each creating a route and
// deleting it again, on each durable store: all in one API (one account
// and region, whose writes the store serializes), or each in an API of
// its own account. An op is the two calls; calls/s counts them all.
//
//	PORTICO_TEST_POSTGRES=... go test ./server -run '^$' -bench RouteChurn -benchtime 3s
func BenchmarkRouteChurn(b *testing.B) {
	const clients = 16
	for _, kind := range []string{server.StoreSQLite, server.StorePostgres} {
		for _, accounts := range []int{1, clients} {
			b.Run(fmt.Sprintf("%s/accounts=%d", kind, accounts), func(b *testing.B) {
				cfg := server.Config{Listen: "127.0.0.1:0", DataDir: b.TempDir()}
				if kind == server.StorePostgres {
					cfg.Store = pgtest.URL(b)
				}
				srv, err := server.Start(cfg)
				if err != nil {
					b.Fatal(err)
				}
				b.Cleanup(func() { srv.Close() })
				// A 12-digit access key id is the account.
				cs := make([]*apigatewayv2.Client, accounts)
				apis := make([]string, accounts)
				for i := range cs {
					cs[i] = srv.Client(func(o *apigatewayv2.Options) {
						o.Credentials = credentials.NewStaticCredentialsProvider(fmt.Sprintf("%012d", 100+i), "secret", "")
					})
					apis[i] = benchAPI(b, cs[i])
				}
				var workers, n atomic.Int64
				ctx := context.Background()
				b.SetParallelism(max(1, clients/runtime.GOMAXPROCS(0)))
				start := time.Now()
				b.RunParallel(func(pb *testing.PB) {
					w := int(workers.Add(1)-1) % accounts
					c, apiID := cs[w], apis[w]
					for pb.Next() {
						key := fmt.Sprintf("action%d", n.Add(1))
						r, err := c.CreateRoute(ctx, &apigatewayv2.CreateRouteInput{ApiId: &apiID, RouteKey: aws.String(key)})
						if err == nil {
							_, err = c.DeleteRoute(ctx, &apigatewayv2.DeleteRouteInput{ApiId: &apiID, RouteId: r.RouteId})
						}
						if err != nil {
							b.Error(err)
							return
						}
					}
				})
				b.ReportMetric(float64(2*b.N)/time.Since(start).Seconds(), "calls/s")
			})
		}
	}
}
