package server_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"

	"github.com/portico-dev/portico/internal/store/postgres/pgtest"
	"github.com/portico-dev/portico/server"
)

// TestStoreSurvivesRestart: with each kind of durable store, an API
// created through the SDK is there after a restart, and health names the
// store.
func TestStoreSurvivesRestart(t *testing.T) {
	for _, kind := range []string{server.StoreSQLite, server.StorePostgres} {
		t.Run(kind, func(t *testing.T) {
			cfg := server.Config{Listen: "127.0.0.1:0", DataDir: t.TempDir()}
			if kind == server.StorePostgres {
				cfg.Store = pgtest.URL(t)
			} else {
				cfg.Store = "sqlite://" + filepath.ToSlash(filepath.Join(t.TempDir(), "state", "p.db"))
			}
			ctx := context.Background()
			srv, err := server.Start(cfg)
			if err != nil {
				t.Fatal(err)
			}
			created, err := srv.Client().CreateApi(ctx, &apigatewayv2.CreateApiInput{Name: aws.String("kept"), ProtocolType: types.ProtocolTypeHttp})
			if err != nil {
				t.Fatal(err)
			}
			// A second Portico on the same data directory is refused.
			if other, err := server.Start(cfg); err == nil {
				other.Close()
				t.Error("a second Portico started on the same data directory")
			}
			// On a data directory of its own, it shares a PostgreSQL
			// store, and is refused an SQLite file that is in use.
			node := cfg
			node.DataDir = t.TempDir()
			other, err := server.Start(node)
			switch {
			case kind == server.StoreSQLite && err == nil:
				other.Close()
				t.Error("a second Portico opened the same SQLite file")
			case kind == server.StorePostgres && err != nil:
				t.Errorf("a second node: %v", err)
			case kind == server.StorePostgres:
				if _, err := other.Client().GetApi(ctx, &apigatewayv2.GetApiInput{ApiId: created.ApiId}); err != nil {
					t.Errorf("the second node: %v", err)
				}
				other.Close()
			}
			if err := srv.Close(); err != nil {
				t.Fatal(err)
			}

			srv = start(t, cfg)
			got, err := srv.Client().GetApi(ctx, &apigatewayv2.GetApiInput{ApiId: created.ApiId})
			if err != nil || aws.ToString(got.Name) != "kept" {
				t.Fatalf("after the restart: %+v, %v", got, err)
			}
			resp, body := do(t, "GET", srv.URL+"/_portico/health", "")
			var health struct{ Status, Store string }
			json.Unmarshal([]byte(body), &health)
			if resp.StatusCode != 200 || health.Status != "ok" || health.Store != kind || srv.StoreKind != kind {
				t.Errorf("health: %d %s (StoreKind %q)", resp.StatusCode, body, srv.StoreKind)
			}
		})
	}
}

func TestStoreUsageErrors(t *testing.T) {
	for _, cfg := range []server.Config{
		{Store: "redis://localhost"},
		{Store: "postgres://localhost/x", InMemory: true},
		{Store: "sqlite:relative.db"},
	} {
		cfg.Listen, cfg.DataDir = "127.0.0.1:0", t.TempDir()
		if srv, err := server.Start(cfg); err == nil {
			srv.Close()
			t.Errorf("%+v started", cfg)
		}
	}
}
