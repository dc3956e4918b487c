package apigw

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"reflect"
	"slices"
	"testing"

	"github.com/portico-dev/portico/internal/awsproto"
	"github.com/portico-dev/portico/internal/store"
	"github.com/portico-dev/portico/internal/store/memory"
)

// snapEnv is a service on the memory store, behind a store that counts
// what transactions do.
type snapEnv struct {
	s   *Server
	st  *countingStore
	ctx context.Context
	sc  store.Scope
}

func newSnapEnv(t *testing.T) *snapEnv {
	t.Helper()
	id := awsproto.Identity{Account: "000000000000", Region: "us-east-1"}
	st := &countingStore{Store: memory.New()}
	return &snapEnv{s: New(st, Config{}), st: st, ctx: awsproto.WithIdentity(context.Background(), id),
		sc: store.Scope{Account: id.Account, Region: id.Region}}
}

func (e *snapEnv) view(t *testing.T, fn func(tx store.Tx) error) {
	t.Helper()
	must(t, e.st.View(e.ctx, e.sc, fn))
}

// blobs returns the ids of the API's snapshot blobs.
func (e *snapEnv) blobs(t *testing.T, apiID string) map[string]bool {
	t.Helper()
	ids := map[string]bool{}
	e.view(t, func(tx store.Tx) error {
		recs, err := tx.List(kindSnapBlob, apiRef(apiID), "", 0)
		for _, r := range recs {
			ids[r.ID] = true
		}
		return err
	})
	return ids
}

// countingStore counts the writes and reads of its Update transactions
// by kind, since the last reset.
type countingStore struct {
	store.Store
	writes, reads map[store.Kind]int
}

func (c *countingStore) reset() { c.writes, c.reads = map[store.Kind]int{}, map[store.Kind]int{} }

func (c *countingStore) Update(ctx context.Context, s store.Scope, fn func(store.Tx) error) error {
	return c.Store.Update(ctx, s, func(tx store.Tx) error { return fn(&countingTx{Tx: tx, c: c}) })
}

type countingTx struct {
	store.Tx
	c *countingStore
}

func (t *countingTx) count(m map[store.Kind]int, k store.Kind) {
	if m != nil {
		m[k]++
	}
}

func (t *countingTx) Get(k store.Kind, id string) (store.Record, error) {
	t.count(t.c.reads, k)
	return t.Tx.Get(k, id)
}

func (t *countingTx) List(k store.Kind, p store.Ref, after string, limit int) ([]store.Record, error) {
	t.count(t.c.reads, k)
	return t.Tx.List(k, p, after, limit)
}

func (t *countingTx) Insert(r store.Record) error {
	t.count(t.c.writes, r.Kind)
	return t.Tx.Insert(r)
}

func (t *countingTx) Replace(r store.Record) error {
	t.count(t.c.writes, r.Kind)
	return t.Tx.Replace(r)
}

func (t *countingTx) Delete(k store.Kind, id string) error {
	t.count(t.c.writes, k)
	return t.Tx.Delete(k, id)
}

func total(m map[store.Kind]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// wholeSnapshot reads the API's configuration the way snapshots were
// built before they were stored in units: every resource decoded, in the
// store's order. A snapshot read back from its units must equal it.
func wholeSnapshot(tx store.Tx, apiID string) (*Snapshot, error) {
	snap := &Snapshot{}
	if _, err := get(tx, kindAPI, apiID, &snap.Api); err != nil {
		return nil, err
	}
	all := page{limit: 1 << 30}
	routes, _, err := listPage[Route](tx, kindRoute, apiRef(apiID), all)
	if err != nil {
		return nil, err
	}
	for _, r := range routes {
		rrs, _, err := listPage[RouteResponse](tx, kindRouteResponse, routeRef(*r.RouteId), all)
		if err != nil {
			return nil, err
		}
		snap.Routes = append(snap.Routes, SnapshotRoute{Route: r, RouteResponses: nilIfEmpty(rrs)})
	}
	integrations, _, err := listPage[Integration](tx, kindIntegration, apiRef(apiID), all)
	if err != nil {
		return nil, err
	}
	for _, in := range integrations {
		irs, _, err := listPage[IntegrationResponse](tx, kindIntegrationResponse, integrationRef(*in.IntegrationId), all)
		if err != nil {
			return nil, err
		}
		snap.Integrations = append(snap.Integrations, SnapshotIntegration{Integration: in, IntegrationResponses: nilIfEmpty(irs)})
	}
	models, _, err := listPage[Model](tx, kindModel, apiRef(apiID), all)
	if err != nil {
		return nil, err
	}
	for _, m := range models {
		if isJSONModel(&m) {
			snap.Models = append(snap.Models, m)
		}
	}
	if snap.Authorizers, _, err = listPage[Authorizer](tx, kindAuthorizer, apiRef(apiID), all); err != nil {
		return nil, err
	}
	snap.Authorizers = nilIfEmpty(snap.Authorizers)
	return snap, nil
}

// richWebSocketAPI makes a WebSocket API with some of everything a
// snapshot holds: routes with and without route responses, integrations
// with and without integration responses, a JSON and a non-JSON model,
// an authorizer.
func (e *snapEnv) richWebSocketAPI(t *testing.T) string {
	t.Helper()
	ctx := e.ctx
	api, err := e.s.CreateApi(ctx, &CreateApiRequest{Name: ptr("ws"), ProtocolType: ptr(protocolWebSocket),
		RouteSelectionExpression: ptr("$request.body.action")})
	must(t, err)
	for i := range 5 {
		in, err := e.s.CreateIntegration(ctx, &CreateIntegrationRequest{ApiId: api.ApiId, IntegrationType: ptr("MOCK"),
			RequestTemplates: map[string]string{"$default": fmt.Sprintf(`{"statusCode":%d}`, 200+i)}})
		must(t, err)
		if i%2 == 0 {
			_, err = e.s.CreateIntegrationResponse(ctx, &CreateIntegrationResponseRequest{ApiId: api.ApiId,
				IntegrationId: in.IntegrationId, IntegrationResponseKey: ptr("$default")})
			must(t, err)
		}
		r, err := e.s.CreateRoute(ctx, &CreateRouteRequest{ApiId: api.ApiId, RouteKey: ptr(fmt.Sprintf("action%d", i)),
			Target: ptr("integrations/" + *in.IntegrationId), RouteResponseSelectionExpression: ptr("$default")})
		must(t, err)
		if i%2 == 1 {
			_, err = e.s.CreateRouteResponse(ctx, &CreateRouteResponseRequest{ApiId: api.ApiId, RouteId: r.RouteId,
				RouteResponseKey: ptr("$default")})
			must(t, err)
		}
	}
	for _, ct := range []string{"application/json", "text/plain"} {
		_, err = e.s.CreateModel(ctx, &CreateModelRequest{ApiId: api.ApiId, Name: ptr("M" + ct[:4]), ContentType: ptr(ct),
			Schema: ptr(`{"type":"object"}`)})
		must(t, err)
	}
	_, err = e.s.CreateAuthorizer(ctx, &CreateAuthorizerRequest{ApiId: api.ApiId, Name: ptr("auth"), AuthorizerType: ptr("REQUEST"),
		AuthorizerUri:  ptr("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:auth/invocations"),
		IdentitySource: []string{"route.request.header.Auth"}})
	must(t, err)
	return *api.ApiId
}

// TestSnapshotUnitsRoundTrip: after every kind of change, the deployment
// of an autoDeploy stage, made from the one before and the resources the
// change wrote, reads back as the whole API read from scratch; so does a
// stage that was not autoDeploy through some changes, once it is again.
func TestSnapshotUnitsRoundTrip(t *testing.T) {
	t.Run(protocolWebSocket, func(t *testing.T) {
		e := newSnapEnv(t)
		apiID := e.richWebSocketAPI(t)
		api := &apiID
		first, err := e.s.CreateStage(e.ctx, &CreateStageRequest{ApiId: api, StageName: ptr("prod"), AutoDeploy: ptr(true)})
		must(t, err)
		e.checkStage(t, apiID, "prod", "CreateStage")
		routes, err := e.s.GetRoutes(e.ctx, &GetRoutesRequest{ApiId: api})
		must(t, err)
		integrations, err := e.s.GetIntegrations(e.ctx, &GetIntegrationsRequest{ApiId: api})
		must(t, err)
		models, err := e.s.GetModels(e.ctx, &GetModelsRequest{ApiId: api})
		must(t, err)
		authorizers, err := e.s.GetAuthorizers(e.ctx, &GetAuthorizersRequest{ApiId: api})
		must(t, err)
		// withResponse and without are a route with a route response and
		// one without, and the same of integrations.
		var withResponse, without, withIR, withoutIR *string
		for _, r := range routes.Items {
			rrs, err := e.s.GetRouteResponses(e.ctx, &GetRouteResponsesRequest{ApiId: api, RouteId: r.RouteId})
			must(t, err)
			if len(rrs.Items) > 0 {
				withResponse = r.RouteId
			} else {
				without = r.RouteId
			}
		}
		for _, in := range integrations.Items {
			irs, err := e.s.GetIntegrationResponses(e.ctx, &GetIntegrationResponsesRequest{ApiId: api, IntegrationId: in.IntegrationId})
			must(t, err)
			if len(irs.Items) > 0 {
				withIR = in.IntegrationId
			} else {
				withoutIR = in.IntegrationId
			}
		}
		rrs, err := e.s.GetRouteResponses(e.ctx, &GetRouteResponsesRequest{ApiId: api, RouteId: withResponse})
		must(t, err)
		irs, err := e.s.GetIntegrationResponses(e.ctx, &GetIntegrationResponsesRequest{ApiId: api, IntegrationId: withIR})
		must(t, err)
		var jsonModel *string
		for _, m := range models.Items {
			if isJSONModel(&m) {
				jsonModel = m.ModelId
			}
		}
		var extra *CreateIntegrationResult
		steps := []struct {
			name string
			do   func() error
		}{
			{"UpdateRoute", func() error {
				_, err := e.s.UpdateRoute(e.ctx, &UpdateRouteRequest{ApiId: api, RouteId: without, OperationName: ptr("op")})
				return err
			}},
			{"CreateRouteResponse", func() error {
				_, err := e.s.CreateRouteResponse(e.ctx, &CreateRouteResponseRequest{ApiId: api, RouteId: without, RouteResponseKey: ptr("$default")})
				return err
			}},
			{"UpdateRouteResponse", func() error {
				_, err := e.s.UpdateRouteResponse(e.ctx, &UpdateRouteResponseRequest{ApiId: api, RouteId: withResponse,
					RouteResponseId: rrs.Items[0].RouteResponseId, ModelSelectionExpression: ptr("$request.body.type")})
				return err
			}},
			{"DeleteRouteResponse", func() error {
				return e.s.DeleteRouteResponse(e.ctx, &DeleteRouteResponseRequest{ApiId: api, RouteId: withResponse,
					RouteResponseId: rrs.Items[0].RouteResponseId})
			}},
			{"UpdateIntegration", func() error {
				_, err := e.s.UpdateIntegration(e.ctx, &UpdateIntegrationRequest{ApiId: api, IntegrationId: withoutIR, Description: ptr("d")})
				return err
			}},
			{"CreateIntegrationResponse", func() error {
				_, err := e.s.CreateIntegrationResponse(e.ctx, &CreateIntegrationResponseRequest{ApiId: api, IntegrationId: withoutIR,
					IntegrationResponseKey: ptr("$default")})
				return err
			}},
			{"DeleteIntegrationResponse", func() error {
				return e.s.DeleteIntegrationResponse(e.ctx, &DeleteIntegrationResponseRequest{ApiId: api, IntegrationId: withIR,
					IntegrationResponseId: irs.Items[0].IntegrationResponseId})
			}},
			{"CreateIntegration", func() (err error) {
				extra, err = e.s.CreateIntegration(e.ctx, &CreateIntegrationRequest{ApiId: api, IntegrationType: ptr("MOCK")})
				return err
			}},
			{"DeleteIntegration", func() error {
				return e.s.DeleteIntegration(e.ctx, &DeleteIntegrationRequest{ApiId: api, IntegrationId: extra.IntegrationId})
			}},
			{"UpdateModel to text", func() error {
				_, err := e.s.UpdateModel(e.ctx, &UpdateModelRequest{ApiId: api, ModelId: jsonModel, ContentType: ptr("text/plain")})
				return err
			}},
			{"UpdateModel to JSON", func() error {
				_, err := e.s.UpdateModel(e.ctx, &UpdateModelRequest{ApiId: api, ModelId: jsonModel, ContentType: ptr("application/json")})
				return err
			}},
			{"DeleteModel", func() error {
				return e.s.DeleteModel(e.ctx, &DeleteModelRequest{ApiId: api, ModelId: jsonModel})
			}},
			{"UpdateAuthorizer", func() error {
				_, err := e.s.UpdateAuthorizer(e.ctx, &UpdateAuthorizerRequest{ApiId: api, AuthorizerId: authorizers.Items[0].AuthorizerId,
					Name: ptr("renamed")})
				return err
			}},
			{"TagResource and CreateRoute", func() error {
				_, err := e.s.TagResource(e.ctx, &TagResourceRequest{ResourceArn: ptr("arn:aws:apigateway:us-east-1::/apis/" + apiID),
					Tags: map[string]string{"k": "v"}})
				if err == nil {
					_, err = e.s.CreateRoute(e.ctx, &CreateRouteRequest{ApiId: api, RouteKey: ptr("tagged")})
				}
				return err
			}},
			{"autoDeploy off, UpdateApi, DeleteRoute, autoDeploy on", func() error {
				_, err := e.s.UpdateStage(e.ctx, &UpdateStageRequest{ApiId: api, StageName: ptr("prod"), AutoDeploy: ptr(false)})
				if err == nil {
					_, err = e.s.UpdateApi(e.ctx, &UpdateApiRequest{ApiId: api, Description: ptr("changed")})
				}
				if err == nil {
					err = e.s.DeleteRoute(e.ctx, &DeleteRouteRequest{ApiId: api, RouteId: without})
				}
				if err == nil {
					_, err = e.s.UpdateStage(e.ctx, &UpdateStageRequest{ApiId: api, StageName: ptr("prod"), AutoDeploy: ptr(true)})
				}
				return err
			}},
			{"an autoDeploy stage on an old deployment, CreateRoute", func() error {
				// No operation does this; were one to, the deployment
				// the stage serves is of an older generation, which
				// the next change must not be made from.
				err := e.st.Update(e.ctx, e.sc, func(tx store.Tx) error {
					st, err := loadStage(e.ctx, tx, apiID, "prod")
					if err != nil {
						return err
					}
					st.DeploymentId = first.DeploymentId
					return putStage(tx, apiID, &st)
				})
				if err == nil {
					_, err = e.s.CreateRoute(e.ctx, &CreateRouteRequest{ApiId: api, RouteKey: ptr("after")})
				}
				return err
			}},
			{"two autoDeploy stages, one on an old deployment, CreateRoute", func() error {
				// beta sorts first, and is made from prod's deployment.
				_, err := e.s.CreateStage(e.ctx, &CreateStageRequest{ApiId: api, StageName: ptr("beta"), AutoDeploy: ptr(true)})
				if err == nil {
					err = e.st.Update(e.ctx, e.sc, func(tx store.Tx) error {
						st, err := loadStage(e.ctx, tx, apiID, "beta")
						if err != nil {
							return err
						}
						st.DeploymentId = first.DeploymentId
						return putStage(tx, apiID, &st)
					})
				}
				if err == nil {
					_, err = e.s.CreateRoute(e.ctx, &CreateRouteRequest{ApiId: api, RouteKey: ptr("two stages")})
				}
				e.checkStage(t, apiID, "beta", "beta")
				return err
			}},
			{"DeleteAuthorizer", func() error {
				_, err := e.s.UpdateRoute(e.ctx, &UpdateRouteRequest{ApiId: api, RouteId: withResponse, AuthorizationType: ptr("NONE")})
				if err == nil {
					err = e.s.DeleteAuthorizer(e.ctx, &DeleteAuthorizerRequest{ApiId: api, AuthorizerId: authorizers.Items[0].AuthorizerId})
				}
				return err
			}},
		}
		for _, step := range steps {
			must(t, step.do())
			e.checkStage(t, apiID, "prod", step.name)
		}
	})

	t.Run(protocolHTTP, func(t *testing.T) {
		e := newSnapEnv(t)
		// Quick create: a route, an integration and a $default
		// autoDeploy stage.
		created, err := e.s.CreateApi(e.ctx, &CreateApiRequest{Name: ptr("h"), ProtocolType: ptr(protocolHTTP), Target: ptr("https://example.com")})
		must(t, err)
		api := created.ApiId
		e.checkStage(t, *api, "$default", "CreateApi with a target")
		body, err := os.ReadFile("testdata/openapi/petstore.json")
		must(t, err)
		steps := []struct {
			name string
			do   func() error
		}{
			{"UpdateApi target", func() error {
				_, err := e.s.UpdateApi(e.ctx, &UpdateApiRequest{ApiId: api, Target: ptr("https://example.org")})
				return err
			}},
			{"CreateRoute", func() error {
				_, err := e.s.CreateRoute(e.ctx, &CreateRouteRequest{ApiId: api, RouteKey: ptr("GET /pets")})
				return err
			}},
			{"UpdateApi CORS", func() error {
				_, err := e.s.UpdateApi(e.ctx, &UpdateApiRequest{ApiId: api, CorsConfiguration: &Cors{AllowOrigins: []string{"*"}}})
				return err
			}},
			{"DeleteCorsConfiguration", func() error {
				return e.s.DeleteCorsConfiguration(e.ctx, &DeleteCorsConfigurationRequest{ApiId: api})
			}},
			{"CreateAuthorizer", func() error {
				_, err := e.s.CreateAuthorizer(e.ctx, &CreateAuthorizerRequest{ApiId: api, Name: ptr("jwt"), AuthorizerType: ptr("JWT"),
					IdentitySource:   []string{"$request.header.Authorization"},
					JwtConfiguration: &JWTConfiguration{Audience: []string{"a"}, Issuer: ptr("https://issuer.example.com")}})
				return err
			}},
			{"ReimportApi", func() error {
				_, err := e.s.ReimportApi(e.ctx, &ReimportApiRequest{ApiId: api, Body: ptr(string(body))})
				return err
			}},
		}
		for _, step := range steps {
			must(t, step.do())
			e.checkStage(t, *api, "$default", step.name)
		}
	})
}

// checkStage compares what a stage serves with the whole API read now.
func (e *snapEnv) checkStage(t *testing.T, apiID, stage, what string) {
	t.Helper()
	var want *Snapshot
	e.view(t, func(tx store.Tx) (err error) {
		want, err = wholeSnapshot(tx, apiID)
		return err
	})
	_, got, err := e.s.LoadStage(e.ctx, e.sc, apiID, stage)
	must(t, err)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s: the stage serves\n%s\nwant\n%s", what, encode(got), encode(want))
	}
}

// TestSnapshotChangeWritesO1: on an API of 300 routes with an autoDeploy
// stage, one more route writes the route, its unit, its chunk, the
// manifest, the deployment, the stage and the API's generation, and reads
// a few records, not the other routes (nor, on a WebSocket API, their
// route responses): whatever the API's size. The API's blobs are about
// two per change (a unit and a chunk), not a copy of every route per
// deployment.
func TestSnapshotChangeWritesO1(t *testing.T) {
	for _, proto := range []string{protocolHTTP, protocolWebSocket} {
		t.Run(proto, func(t *testing.T) {
			e := newSnapEnv(t)
			in := &CreateApiRequest{Name: ptr("a"), ProtocolType: ptr(proto)}
			if proto == protocolWebSocket {
				in.RouteSelectionExpression = ptr("$request.body.action")
			}
			api, err := e.s.CreateApi(e.ctx, in)
			must(t, err)
			_, err = e.s.CreateStage(e.ctx, &CreateStageRequest{ApiId: api.ApiId, StageName: ptr("prod"), AutoDeploy: ptr(true)})
			must(t, err)
			const n = 300
			for i := range n {
				if i == n-1 {
					e.st.reset()
				}
				key := fmt.Sprintf("GET /r%d", i)
				if proto == protocolWebSocket {
					key = fmt.Sprintf("action%d", i)
				}
				_, err := e.s.CreateRoute(e.ctx, &CreateRouteRequest{ApiId: api.ApiId, RouteKey: &key})
				must(t, err)
			}
			if got := e.st.writes[kindSnapBlob]; got != 2 {
				t.Errorf("the %dth route wrote %d blobs, want 2 (its unit and its chunk): %v", n, got, e.st.writes)
			}
			if got := total(e.st.writes); got > 7 {
				t.Errorf("the %dth route made %d writes, want at most 7: %v", n, got, e.st.writes)
			}
			if got := total(e.st.reads); got > 12 || e.st.reads[kindRoute] > 1 || e.st.reads[kindRouteResponse] > 1 {
				t.Errorf("the %dth route made %d reads: %v", n, got, e.st.reads)
			}
			if got := len(e.blobs(t, *api.ApiId)); got > 2*n+2 {
				t.Errorf("%d blobs after %d routes, want about %d", got, n, 2*n)
			}
			_, snap, err := e.s.LoadStage(e.ctx, e.sc, *api.ApiId, "prod")
			must(t, err)
			if len(snap.Routes) != n {
				t.Errorf("the stage serves %d routes, want %d", len(snap.Routes), n)
			}
		})
	}
}

// TestSnapshotWholeRecordsLoad: a database written before snapshots were
// stored in units holds each snapshot whole, in the snapshot record; a
// stage still serves it and exports it, an autoDeploy stage redeploys
// from it, and deleting deployments next to it works.
func TestSnapshotWholeRecordsLoad(t *testing.T) {
	e := newSnapEnv(t)
	apiID := e.richWebSocketAPI(t)
	_, err := e.s.CreateStage(e.ctx, &CreateStageRequest{ApiId: &apiID, StageName: ptr("old")})
	must(t, err)
	// The records a deployment was before: its document and the whole
	// snapshot under it.
	var want *Snapshot
	const oldID = "old123"
	err = e.st.Update(e.ctx, e.sc, func(tx store.Tx) error {
		var err error
		if want, err = wholeSnapshot(tx, apiID); err != nil {
			return err
		}
		d := Deployment{DeploymentId: ptr(oldID), AutoDeployed: ptr(false), CreatedDate: awsproto.Now(), DeploymentStatus: ptr("DEPLOYED")}
		if err := tx.Insert(store.Record{Kind: kindDeployment, ID: oldID, Parent: apiRef(apiID), Data: encode(d)}); err != nil {
			return err
		}
		if err := tx.Insert(store.Record{Kind: kindSnapshot, ID: oldID, Parent: store.Ref{Kind: kindDeployment, ID: oldID},
			Data: encode(want)}); err != nil {
			return err
		}
		st, err := loadStage(e.ctx, tx, apiID, "old")
		if err != nil {
			return err
		}
		st.DeploymentId = ptr(oldID)
		return putStage(tx, apiID, &st)
	})
	must(t, err)
	_, got, err := e.s.LoadStage(e.ctx, e.sc, apiID, "old")
	must(t, err)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("whole snapshot read back\n%s\nwant\n%s", encode(got), encode(want))
	}

	// Turning autoDeploy on and changing the API stores units, next to
	// the whole snapshot.
	_, err = e.s.UpdateStage(e.ctx, &UpdateStageRequest{ApiId: &apiID, StageName: ptr("old"), AutoDeploy: ptr(true)})
	must(t, err)
	_, err = e.s.CreateRoute(e.ctx, &CreateRouteRequest{ApiId: &apiID, RouteKey: ptr("later")})
	must(t, err)
	st, got, err := e.s.LoadStage(e.ctx, e.sc, apiID, "old")
	must(t, err)
	if *st.DeploymentId == oldID || len(got.Routes) != len(want.Routes)+1 {
		t.Fatalf("after a change the stage serves %s with %d routes", *st.DeploymentId, len(got.Routes))
	}
	must(t, e.s.DeleteDeployment(e.ctx, &DeleteDeploymentRequest{ApiId: &apiID, DeploymentId: ptr(oldID)}))
	if _, _, err := e.s.LoadStage(e.ctx, e.sc, apiID, "old"); err != nil {
		t.Fatal(err)
	}
}

// TestSnapshotWholeRecordExport: the OpenAPI export of a stage whose
// deployment is a whole snapshot record is that snapshot's.
func TestSnapshotWholeRecordExport(t *testing.T) {
	e := newSnapEnv(t)
	api, err := e.s.CreateApi(e.ctx, &CreateApiRequest{Name: ptr("h"), ProtocolType: ptr(protocolHTTP)})
	must(t, err)
	_, err = e.s.CreateRoute(e.ctx, &CreateRouteRequest{ApiId: api.ApiId, RouteKey: ptr("GET /pets")})
	must(t, err)
	_, err = e.s.CreateStage(e.ctx, &CreateStageRequest{ApiId: api.ApiId, StageName: ptr("prod")})
	must(t, err)
	d, err := e.s.CreateDeployment(e.ctx, &CreateDeploymentRequest{ApiId: api.ApiId, StageName: ptr("prod")})
	must(t, err)
	export := func() string {
		out, err := e.s.ExportApi(e.ctx, &ExportApiRequest{ApiId: api.ApiId, StageName: ptr("prod"),
			Specification: ptr("OAS30"), OutputType: ptr("JSON")})
		must(t, err)
		return string(out.Body)
	}
	want := export()
	// The same deployment, stored whole as it was before units.
	err = e.st.Update(e.ctx, e.sc, func(tx store.Tx) error {
		snap, err := loadSnapshot(tx, e.s.blobs, *api.ApiId, *d.DeploymentId)
		if err != nil {
			return err
		}
		return tx.Replace(store.Record{Kind: kindSnapshot, ID: *d.DeploymentId,
			Parent: store.Ref{Kind: kindDeployment, ID: *d.DeploymentId}, Data: encode(snap)})
	})
	must(t, err)
	_, err = e.s.CreateRoute(e.ctx, &CreateRouteRequest{ApiId: api.ApiId, RouteKey: ptr("GET /later")})
	must(t, err)
	if got := export(); got != want {
		t.Errorf("export of the whole record:\n%s\nwant\n%s", got, want)
	}
}

// TestDeleteDeploymentSweepsBlobs: deleting a deployment removes the
// blobs only it named and keeps those another deployment names.
func TestDeleteDeploymentSweepsBlobs(t *testing.T) {
	e := newSnapEnv(t)
	api, err := e.s.CreateApi(e.ctx, &CreateApiRequest{Name: ptr("h"), ProtocolType: ptr(protocolHTTP)})
	must(t, err)
	a, err := e.s.CreateRoute(e.ctx, &CreateRouteRequest{ApiId: api.ApiId, RouteKey: ptr("GET /a")})
	must(t, err)
	_, err = e.s.CreateRoute(e.ctx, &CreateRouteRequest{ApiId: api.ApiId, RouteKey: ptr("GET /b")})
	must(t, err)
	_, err = e.s.CreateStage(e.ctx, &CreateStageRequest{ApiId: api.ApiId, StageName: ptr("prod")})
	must(t, err)
	d1, err := e.s.CreateDeployment(e.ctx, &CreateDeploymentRequest{ApiId: api.ApiId, StageName: ptr("prod")})
	must(t, err)
	_, want, err := e.s.LoadStage(e.ctx, e.sc, *api.ApiId, "prod")
	must(t, err)
	s1 := e.blobs(t, *api.ApiId)

	_, err = e.s.UpdateRoute(e.ctx, &UpdateRouteRequest{ApiId: api.ApiId, RouteId: a.RouteId, OperationName: ptr("changed")})
	must(t, err)
	d2, err := e.s.CreateDeployment(e.ctx, &CreateDeploymentRequest{ApiId: api.ApiId})
	must(t, err)
	s2 := e.blobs(t, *api.ApiId)
	if len(s2) != len(s1)+2 {
		t.Fatalf("a changed route made %d blobs, want 2 (its unit and chunk)", len(s2)-len(s1))
	}
	must(t, e.s.DeleteDeployment(e.ctx, &DeleteDeploymentRequest{ApiId: api.ApiId, DeploymentId: d2.DeploymentId}))
	if got := e.blobs(t, *api.ApiId); !maps.Equal(got, s1) {
		t.Errorf("after deleting the second deployment: blobs %v, want the first's %v", slices.Sorted(maps.Keys(got)), slices.Sorted(maps.Keys(s1)))
	}
	_, got, err := e.s.LoadStage(e.ctx, e.sc, *api.ApiId, "prod")
	must(t, err)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("the first deployment after the sweep:\n%s\nwant\n%s", encode(got), encode(want))
	}

	// The same configuration deployed again is the same blobs again.
	d3, err := e.s.CreateDeployment(e.ctx, &CreateDeploymentRequest{ApiId: api.ApiId, StageName: ptr("prod")})
	must(t, err)
	if got := e.blobs(t, *api.ApiId); !maps.Equal(got, s2) {
		t.Errorf("redeployed: blobs %v, want %v", slices.Sorted(maps.Keys(got)), slices.Sorted(maps.Keys(s2)))
	}
	// The first deployment alone named route a's old unit and its chunk.
	must(t, e.s.DeleteDeployment(e.ctx, &DeleteDeploymentRequest{ApiId: api.ApiId, DeploymentId: d1.DeploymentId}))
	after := e.blobs(t, *api.ApiId)
	if len(after) != len(s2)-2 {
		t.Errorf("after deleting the first deployment: %d blobs, want %d", len(after), len(s2)-2)
	}
	for id := range after {
		if !s2[id] {
			t.Errorf("blob %s appeared", id)
		}
	}
	st, got, err := e.s.LoadStage(e.ctx, e.sc, *api.ApiId, "prod")
	must(t, err)
	if *st.DeploymentId != *d3.DeploymentId || len(got.Routes) != 2 {
		t.Fatalf("the stage serves %s: %s", *st.DeploymentId, encode(got))
	}
	for _, r := range got.Routes {
		if changed := deref(r.OperationName) == "changed"; changed != (*r.RouteId == *a.RouteId) {
			t.Errorf("the stage serves route %s", encode(r))
		}
	}
}

// TestDeleteApiTakesSnapshots: DeleteApi leaves none of the API's
// deployments, snapshot records, blobs and generation behind, and the
// other API's alone.
func TestDeleteApiTakesSnapshots(t *testing.T) {
	e := newSnapEnv(t)
	apiID := e.richWebSocketAPI(t)
	keep := e.richWebSocketAPI(t)
	var deployments []string
	for _, id := range []string{apiID, keep} {
		_, err := e.s.CreateStage(e.ctx, &CreateStageRequest{ApiId: &id, StageName: ptr("prod"), AutoDeploy: ptr(true)})
		must(t, err)
		_, err = e.s.CreateRoute(e.ctx, &CreateRouteRequest{ApiId: &id, RouteKey: ptr("later")})
		must(t, err)
	}
	out, err := e.s.GetDeployments(e.ctx, &GetDeploymentsRequest{ApiId: &apiID})
	must(t, err)
	for _, d := range out.Items {
		deployments = append(deployments, *d.DeploymentId)
	}
	blobs := e.blobs(t, apiID)
	if len(deployments) != 2 || len(blobs) == 0 {
		t.Fatalf("deployments %v, %d blobs", deployments, len(blobs))
	}
	keptBlobs := e.blobs(t, keep)
	must(t, e.s.DeleteApi(e.ctx, &DeleteApiRequest{ApiId: &apiID}))
	e.view(t, func(tx store.Tx) error {
		for _, id := range deployments {
			for _, k := range []store.Kind{kindDeployment, kindSnapshot} {
				if _, err := tx.Get(k, id); !errors.Is(err, store.ErrNotFound) {
					t.Errorf("%s %s left behind: %v", k, id, err)
				}
			}
		}
		for id := range blobs {
			if _, err := tx.Get(kindSnapBlob, id); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("blob %s left behind: %v", id, err)
			}
		}
		if _, err := tx.Get(kindConfigGen, apiID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("configuration generation left behind: %v", err)
		}
		return nil
	})
	if got := e.blobs(t, keep); !maps.Equal(got, keptBlobs) {
		t.Errorf("the other API's blobs changed")
	}
	if _, snap, err := e.s.LoadStage(e.ctx, e.sc, keep, "prod"); err != nil || len(snap.Routes) != 6 {
		t.Errorf("the other API's stage: %v", err)
	}
}

// TestBlobCacheBounded: the cache holds what was read lately, within its
// bytes.
func TestBlobCacheBounded(t *testing.T) {
	c := newBlobCache(100)
	blob := func(i int) (string, []byte) { return fmt.Sprintf("b%d", i), make([]byte, 8) }
	for i := range 20 {
		c.put(blob(i))
		// b0 is read all along: it stays.
		if _, ok := c.get("b0"); !ok {
			t.Fatalf("b0 dropped after %d puts", i)
		}
	}
	if _, ok := c.get("b1"); ok {
		t.Error("b1, never read again, is still there")
	}
	if _, ok := c.get("b19"); !ok {
		t.Error("b19, the last one, is not there")
	}
	if n := len(c.young) + len(c.old); n*10 > 2*100 {
		t.Errorf("%d entries of 10 bytes in a cache of 100", n)
	}
	c.put("huge", make([]byte, 60))
	if _, ok := c.get("huge"); ok {
		t.Error("a blob of more than half the cache was cached")
	}
}
