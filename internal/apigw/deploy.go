package apigw

import (
	"context"
	"fmt"

	"github.com/portico-dev/portico/internal/awsproto"
	"github.com/portico-dev/portico/internal/store"
)

// Deployments are snapshots (docs/architecture.md#deployments): what a
// stage serves is the API as it was when its deployment was made, not the
// live configuration. A snapshot is stored once per deployment, as a child
// record of it, and never changes.

const (
	kindStage      store.Kind = "stage"
	kindDeployment store.Kind = "deployment"
	kindSnapshot   store.Kind = "snapshot"

	autoDeployDescription = "Automatic deployment triggered by changes to the Api configuration"
)

// Snapshot is everything of an API that a deployment freezes: its routes
// with their route responses, integrations with their integration
// responses, models and authorizers. Stage settings are not part of it:
// they apply at once (docs/aws-behaviours.md#stages-and-deployments).
// Models holds only the JSON models (isJSONModel), the ones messages are
// validated against: a route whose request model is not among them is not
// validated.
type Snapshot struct {
	Api          Api                   `json:"api"`
	Routes       []SnapshotRoute       `json:"routes,omitzero"`
	Integrations []SnapshotIntegration `json:"integrations,omitzero"`
	Models       []Model               `json:"models,omitzero"`
	Authorizers  []Authorizer          `json:"authorizers,omitzero"`
}

type SnapshotRoute struct {
	Route
	RouteResponses []RouteResponse `json:"routeResponses,omitzero"`
}

type SnapshotIntegration struct {
	Integration
	IntegrationResponses []IntegrationResponse `json:"integrationResponses,omitzero"`
}

// stageID is a stage's store id: stage names are unique within an API only.
func stageID(apiID, name string) string { return apiID + "/" + name }

// changeAPI runs fn, a change to the configuration of an API, in one write
// transaction; in the same transaction every autoDeploy stage of the API
// gets a new deployment of the changed API, as AWS does.
func (s *Server) changeAPI(ctx context.Context, apiID string, fn func(tx store.Tx) error) error {
	return s.updateAPI(ctx, apiID, func(tx store.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		return autoDeploy(tx, apiID)
	})
}

// autoDeploy redeploys the API to each of its autoDeploy stages.
func autoDeploy(tx store.Tx, apiID string) error {
	stages, _, err := listPage[Stage](tx, kindStage, apiRef(apiID), page{limit: maxPage})
	if err != nil {
		return err
	}
	for _, st := range stages {
		if !deref(st.AutoDeploy) {
			continue
		}
		if _, err := deploy(tx, apiID, ptr(autoDeployDescription), true, &st); err != nil {
			return err
		}
	}
	return nil
}

// deploy snapshots the API as a new deployment and, when stage is not nil,
// points that stage at it.
func deploy(tx store.Tx, apiID string, description *string, auto bool, stage *Stage) (Deployment, error) {
	snap, err := buildSnapshot(tx, apiID)
	if err != nil {
		return Deployment{}, err
	}
	d := Deployment{
		AutoDeployed:     ptr(auto),
		CreatedDate:      awsproto.Now(),
		DeploymentStatus: ptr("DEPLOYED"),
		Description:      emptyToNil(description),
	}
	err = insertNew(tx, kindDeployment, apiRef(apiID), "", 6, func(id string) any {
		d.DeploymentId = &id
		return d
	})
	if err != nil {
		return d, err
	}
	err = tx.Insert(store.Record{Kind: kindSnapshot, ID: *d.DeploymentId,
		Parent: store.Ref{Kind: kindDeployment, ID: *d.DeploymentId}, Data: encode(snap)})
	if err != nil || stage == nil {
		return d, err
	}
	stage.DeploymentId = d.DeploymentId
	stage.LastDeploymentStatusMessage = ptr(fmt.Sprintf("Successfully deployed stage with deployment ID '%s'", *d.DeploymentId))
	stage.LastUpdatedDate = awsproto.Now()
	return d, putStage(tx, apiID, stage)
}

func putStage(tx store.Tx, apiID string, st *Stage) error {
	return tx.Replace(store.Record{Kind: kindStage, ID: stageID(apiID, *st.StageName), Parent: apiRef(apiID), Data: encode(st)})
}

// buildSnapshot reads the API's whole configuration.
func buildSnapshot(tx store.Tx, apiID string) (*Snapshot, error) {
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
		irs, _, err := listPage[IntegrationResponse](tx, kindIntegrationResponse,
			store.Ref{Kind: kindIntegration, ID: *in.IntegrationId}, all)
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
	snap.Models = nilIfEmpty(snap.Models)
	snap.Authorizers = nilIfEmpty(snap.Authorizers)
	return snap, nil
}

// LoadStage returns a stage and what it serves: its deployment's snapshot,
// nil when the stage has no deployment. An unknown stage is
// store.ErrNotFound. The data plane calls it when it (re)compiles a stage,
// never per request.
func (s *Server) LoadStage(ctx context.Context, sc store.Scope, apiID, stageName string) (*Stage, *Snapshot, error) {
	var st Stage
	var snap *Snapshot
	err := s.store.View(ctx, sc, func(tx store.Tx) error {
		if _, err := get(tx, kindStage, stageID(apiID, stageName), &st); err != nil {
			return err
		}
		if st.DeploymentId == nil {
			return nil
		}
		snap = new(Snapshot)
		_, err := get(tx, kindSnapshot, *st.DeploymentId, snap)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	return &st, snap, nil
}
