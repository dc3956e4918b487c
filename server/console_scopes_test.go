package server_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"

	"github.com/portico-dev/portico/internal/store"
	"github.com/portico-dev/portico/internal/store/postgres/pgtest"
	"github.com/portico-dev/portico/server"
)

// consoleScopes is GET /_portico/console/api/scopes.
func consoleScopes(t *testing.T, srv *server.Server) []store.Scope {
	t.Helper()
	resp, body := do(t, "GET", srv.URL+"/_portico/console/api/scopes", "")
	var out struct {
		Scopes []struct{ Account, Region string }
	}
	if err := json.Unmarshal([]byte(body), &out); resp.StatusCode != 200 || err != nil || out.Scopes == nil {
		t.Fatalf("scopes: %d %s", resp.StatusCode, body)
	}
	var scopes []store.Scope
	for _, s := range out.Scopes {
		scopes = append(scopes, store.Scope{Account: s.Account, Region: s.Region})
	}
	return scopes
}

// asScope is a client acting as account in region.
func asScope(srv *server.Server, account, region string) *apigatewayv2.Client {
	return srv.Client(func(o *apigatewayv2.Options) {
		o.Region = region
		o.Credentials = credentials.NewStaticCredentialsProvider(account, "secret", "")
	})
}

// TestConsoleScopes: the console's list of accounts and regions is the
// scopes holding state, sorted, and nothing else: not the cluster
// directory's own scope (which the store does list), not a scope once its
// last API is deleted, none after a reset. The default account is listed
// even when --account makes it something other than 12 digits: requests
// act as it.
func TestConsoleScopes(t *testing.T) {
	// A node of a cluster (of one) keeps its lease in the directory's
	// scope; clusters share a PostgreSQL store (skipped without one).
	t.Run(server.StorePostgres, func(t *testing.T) {
		testConsoleScopes(t, start(t, server.Config{Store: pgtest.URL(t), DataDir: t.TempDir(),
			AdvertiseURL: "http://127.0.0.1:1", ClusterSecret: "console-scopes-0123456789"}))
	})
	dev := start(t, server.Config{InMemory: true, Account: "dev"})
	if _, err := dev.Client().CreateApi(context.Background(), &apigatewayv2.CreateApiInput{Name: aws.String("local"),
		ProtocolType: types.ProtocolTypeHttp}); err != nil {
		t.Fatal(err)
	}
	if got := consoleScopes(t, dev); !slices.Equal(got, []store.Scope{{Account: "dev", Region: "us-east-1"}}) {
		t.Errorf("with --account dev: %v", got)
	}
}

func testConsoleScopes(t *testing.T, srv *server.Server) {
	ctx := context.Background()
	directory := store.Scope{Account: "portico-cluster", Region: "-"}
	stored := func() []store.Scope {
		t.Helper()
		all, err := srv.StoreScopes(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return all
	}
	if got := consoleScopes(t, srv); len(got) != 0 {
		t.Errorf("a new Portico lists %v", got)
	}
	if !slices.Contains(stored(), directory) {
		t.Fatalf("the store holds %v: no directory scope to leave out, the check below proves nothing", stored())
	}

	mustAPI := func(c *apigatewayv2.Client, name string) string {
		t.Helper()
		api, err := c.CreateApi(ctx, &apigatewayv2.CreateApiInput{Name: aws.String(name), ProtocolType: types.ProtocolTypeHttp})
		if err != nil {
			t.Fatal(err)
		}
		return *api.ApiId
	}
	other := asScope(srv, "123456789012", "eu-west-1")
	billing := mustAPI(other, "billing")
	mustAPI(srv.Client(), "orders")
	mustAPI(asScope(srv, "123456789012", "ap-south-1"), "search")
	if _, err := asScope(srv, "111111111111", "us-west-2").CreateDomainName(ctx, &apigatewayv2.CreateDomainNameInput{
		DomainName: aws.String("api.example.test"), DomainNameConfigurations: []types.DomainNameConfiguration{{
			CertificateArn: aws.String("arn:aws:acm:us-west-2:111111111111:certificate/0f6a1c8e-1111-4c4b-9e7e-000000000000")}}}); err != nil {
		t.Fatal(err)
	}
	want := []store.Scope{{Account: "000000000000", Region: "us-east-1"}, {Account: "111111111111", Region: "us-west-2"},
		{Account: "123456789012", Region: "ap-south-1"}, {Account: "123456789012", Region: "eu-west-1"}}
	if got := consoleScopes(t, srv); !slices.Equal(got, want) {
		t.Errorf("scopes: %v, want %v (the store: %v)", got, want, stored())
	}

	if _, err := other.DeleteApi(ctx, &apigatewayv2.DeleteApiInput{ApiId: aws.String(billing)}); err != nil {
		t.Fatal(err)
	}
	if got := consoleScopes(t, srv); !slices.Equal(got, slices.Delete(slices.Clone(want), 3, 4)) {
		t.Errorf("after deleting the only API of 123456789012 in eu-west-1: %v", got)
	}
	if resp, _ := do(t, "POST", srv.URL+"/_portico/reset", ""); resp.StatusCode != 204 {
		t.Fatalf("reset: %d", resp.StatusCode)
	}
	if got := consoleScopes(t, srv); len(got) != 0 {
		t.Errorf("after a reset: %v", got)
	}

}
