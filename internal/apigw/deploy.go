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
// record of it, and never changes; what it shares with other deployments
// of the API is stored once for all of them (snapshots.go).

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
// gets a new deployment of the changed API, as AWS does. Every write to
// what a snapshot holds goes through here (snapshots_next.go): the new
// deployments are made from what fn wrote.
func (s *Server) changeAPI(ctx context.Context, apiID string, fn func(tx store.Tx) error) error {
	return s.updateAPI(ctx, apiID, func(tx store.Tx) error {
		gen, err := configGen(tx, apiID)
		if err != nil {
			return err
		}
		t := &touchTx{Tx: tx}
		if err := fn(t); err != nil {
			return err
		}
		if err := setConfigGen(tx, apiID, gen+1); err != nil {
			return err
		}
		return autoDeploy(tx, apiID, gen, t.touched)
	})
}

// autoDeploy redeploys the API to each of its autoDeploy stages after a
// change from generation gen that wrote what t lists. The snapshot is
// made once, from the deployment of a stage that served generation gen
// when there is one, else from the whole API; every stage gets it.
func autoDeploy(tx store.Tx, apiID string, gen int64, t touched) error {
	stages, _, err := listPage[Stage](tx, kindStage, apiRef(apiID), page{limit: maxPage})
	if err != nil {
		return err
	}
	var auto []Stage
	var served []*manifest
	var base *manifest
	for _, st := range stages {
		if !deref(st.AutoDeploy) {
			continue
		}
		m, err := stageManifest(tx, &st)
		if err != nil {
			return err
		}
		if base == nil && m != nil && m.Gen == gen {
			base = m
		}
		auto, served = append(auto, st), append(served, m)
	}
	if len(auto) == 0 {
		return nil
	}
	var snap *newSnapshot
	if base != nil {
		snap, err = nextSnapshot(tx, apiID, base, t)
	} else {
		snap, err = readSnapshot(tx, apiID)
	}
	if err != nil {
		return err
	}
	for i := range auto {
		// Made from base, snap holds only the blobs base does not name:
		// it is stored against base whatever the stage served.
		prev := served[i]
		if base != nil {
			prev = base
		}
		if _, err := deploySnapshot(tx, apiID, snap, prev, ptr(autoDeployDescription), true, &auto[i]); err != nil {
			return err
		}
	}
	return nil
}

// stageManifest is the manifest of what a stage serves; nil when it serves
// nothing, or a whole snapshot of an older database.
func stageManifest(tx store.Tx, st *Stage) (*manifest, error) {
	if st == nil || st.DeploymentId == nil {
		return nil, nil
	}
	m, _, err := loadManifest(tx, *st.DeploymentId)
	return m, err
}

// deploy snapshots the API as a new deployment and, when stage is not nil,
// points that stage at it.
func deploy(tx store.Tx, apiID string, description *string, auto bool, stage *Stage) (Deployment, error) {
	snap, err := readSnapshot(tx, apiID)
	if err != nil {
		return Deployment{}, err
	}
	prev, err := stageManifest(tx, stage)
	if err != nil {
		return Deployment{}, err
	}
	return deploySnapshot(tx, apiID, snap, prev, description, auto, stage)
}

// deploySnapshot stores snap as a new deployment. prev, when not nil, is a
// stored manifest of the API, most of whose blobs snap names too: what
// the stage served before.
func deploySnapshot(tx store.Tx, apiID string, snap *newSnapshot, prev *manifest, description *string, auto bool, stage *Stage) (Deployment, error) {
	d := Deployment{
		AutoDeployed:     ptr(auto),
		CreatedDate:      awsproto.Now(),
		DeploymentStatus: ptr("DEPLOYED"),
		Description:      emptyToNil(description),
	}
	err := insertNew(tx, kindDeployment, apiRef(apiID), "", 6, func(id string) any {
		d.DeploymentId = &id
		return d
	})
	if err != nil {
		return d, err
	}
	if err := snap.store(tx, apiID, *d.DeploymentId, prev); err != nil || stage == nil {
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

// buildSnapshot reads the API's whole configuration: what a deployment
// made now would serve.
func buildSnapshot(tx store.Tx, apiID string) (*Snapshot, error) {
	n, err := readSnapshot(tx, apiID)
	if err != nil {
		return nil, err
	}
	return n.m.snapshot(n.source())
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
		var err error
		snap, err = loadSnapshot(tx, s.blobs, apiID, *st.DeploymentId)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	return &st, snap, nil
}
