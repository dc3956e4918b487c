package apigw

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/portico-dev/portico/internal/awsproto"
	"github.com/portico-dev/portico/internal/store"
	"github.com/portico-dev/portico/internal/store/sqlite"
)

// BenchmarkLoadStage: what the data plane pays to (re)compile a stage of
// an API of 300 routes on the durable SQLite store, the snapshot read
// back from the store and decoded: warm, by a service that read it
// before, as after a change to one route; cold, by a new one.
//
//	go test ./internal/apigw -run '^$' -bench LoadStage -benchtime 100x
func BenchmarkLoadStage(b *testing.B) {
	for _, proto := range []string{protocolHTTP, protocolWebSocket} {
		b.Run(proto, func(b *testing.B) {
			st, err := sqlite.Open(filepath.Join(b.TempDir(), "portico.db"))
			if err != nil {
				b.Fatal(err)
			}
			defer st.Close()
			s := New(st, Config{})
			id := awsproto.Identity{Account: "000000000000", Region: "us-east-1"}
			ctx := awsproto.WithIdentity(context.Background(), id)
			sc := store.Scope{Account: id.Account, Region: id.Region}
			in := &CreateApiRequest{Name: ptr("bench"), ProtocolType: ptr(proto)}
			if proto == protocolWebSocket {
				in.RouteSelectionExpression = ptr("$request.body.action")
			}
			api, err := s.CreateApi(ctx, in)
			if err != nil {
				b.Fatal(err)
			}
			for i := range 300 {
				key := fmt.Sprintf("GET /r%d", i)
				if proto == protocolWebSocket {
					key = fmt.Sprintf("action%d", i)
				}
				if _, err := s.CreateRoute(ctx, &CreateRouteRequest{ApiId: api.ApiId, RouteKey: &key}); err != nil {
					b.Fatal(err)
				}
			}
			if _, err := s.CreateStage(ctx, &CreateStageRequest{ApiId: api.ApiId, StageName: ptr("prod"), AutoDeploy: ptr(true)}); err != nil {
				b.Fatal(err)
			}
			b.Run("warm", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					_, snap, err := s.LoadStage(ctx, sc, *api.ApiId, "prod")
					if err != nil || len(snap.Routes) != 300 {
						b.Fatal(err)
					}
				}
			})
			// cold: a service that has not read the API's snapshot blobs
			// yet (blobCache), as after a restart.
			b.Run("cold", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					_, snap, err := New(st, Config{}).LoadStage(ctx, sc, *api.ApiId, "prod")
					if err != nil || len(snap.Routes) != 300 {
						b.Fatal(err)
					}
				}
			})
		})
	}
}
