package apigw

import (
	"context"
	"errors"
	"testing"

	"github.com/portico-dev/portico/internal/awsproto"
	"github.com/portico-dev/portico/internal/store"
	"github.com/portico-dev/portico/internal/store/memory"
)

// TestSnapshotIsFrozen: a stage serves its deployment's snapshot, which
// holds the routes and route responses as they were when it was made;
// later changes reach the stage only through a new deployment.
func TestSnapshotIsFrozen(t *testing.T) {
	s := New(memory.New(), Config{})
	id := awsproto.Identity{Account: "000000000000", Region: "us-east-1"}
	ctx := awsproto.WithIdentity(context.Background(), id)
	sc := store.Scope{Account: id.Account, Region: id.Region}
	api, err := s.CreateApi(ctx, &CreateApiRequest{Name: ptr("a"), ProtocolType: ptr(protocolWebSocket), RouteSelectionExpression: ptr("$request.body.action")})
	must(t, err)
	route, err := s.CreateRoute(ctx, &CreateRouteRequest{ApiId: api.ApiId, RouteKey: ptr("send"), RouteResponseSelectionExpression: ptr("$default")})
	must(t, err)
	_, err = s.CreateRouteResponse(ctx, &CreateRouteResponseRequest{ApiId: api.ApiId, RouteId: route.RouteId, RouteResponseKey: ptr("$default")})
	must(t, err)
	_, err = s.CreateStage(ctx, &CreateStageRequest{ApiId: api.ApiId, StageName: ptr("prod")})
	must(t, err)

	st, snap, err := s.LoadStage(ctx, sc, *api.ApiId, "prod")
	must(t, err)
	if snap != nil || st.DeploymentId != nil {
		t.Fatalf("a stage without a deployment serves %v", snap)
	}
	if _, _, err := s.LoadStage(ctx, sc, *api.ApiId, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("missing stage: %v", err)
	}
	d, err := s.CreateDeployment(ctx, &CreateDeploymentRequest{ApiId: api.ApiId, StageName: ptr("prod")})
	must(t, err)
	_, err = s.CreateRoute(ctx, &CreateRouteRequest{ApiId: api.ApiId, RouteKey: ptr("later")})
	must(t, err)

	st, snap, err = s.LoadStage(ctx, sc, *api.ApiId, "prod")
	must(t, err)
	if *st.DeploymentId != *d.DeploymentId || *snap.Api.ApiId != *api.ApiId || len(snap.Routes) != 1 ||
		*snap.Routes[0].RouteKey != "send" || len(snap.Routes[0].RouteResponses) != 1 ||
		*snap.Routes[0].RouteResponses[0].RouteResponseKey != "$default" {
		t.Fatalf("snapshot: %+v", snap)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
