package apigw

import (
	"context"
	"errors"

	"github.com/portico-dev/portico/internal/awsproto"
	"github.com/portico-dev/portico/internal/store"
)

var _ interface {
	createDeploymentHandler
	getDeploymentHandler
	getDeploymentsHandler
	updateDeploymentHandler
	deleteDeploymentHandler
} = (*Server)(nil)

func (s *Server) CreateDeployment(ctx context.Context, in *CreateDeploymentRequest) (*CreateDeploymentResponse, error) {
	if in.Description != nil {
		if err := awsproto.MaxLength("description", 1024, *in.Description); err != nil {
			return nil, err
		}
	}
	var d Deployment
	err := s.updateAPI(ctx, *in.ApiId, func(tx store.Tx) error {
		api, err := loadAPI(ctx, tx, *in.ApiId)
		if err != nil {
			return err
		}
		var stage *Stage
		if name := deref(in.StageName); name != "" {
			st, err := loadStage(ctx, tx, *in.ApiId, name)
			if errors.Is(err, stageNotFound) {
				// A missing stage is a bad argument here, not a missing
				// resource (LocalStack's AWS-validated tests).
				return stageReferenceNotFound
			}
			if err != nil {
				return err
			}
			if deref(st.AutoDeploy) {
				return awsproto.BadRequest("Stage %s has auto deploy enabled: it cannot be deployed to manually", echo(name))
			}
			stage = &st
		}
		if *api.ProtocolType == protocolWebSocket {
			n, err := tx.Count(kindRoute, apiRef(*in.ApiId))
			if err != nil {
				return err
			}
			if n == 0 {
				return awsproto.BadRequest("At least one route is required before deploying the Api.")
			}
		}
		d, err = deploy(tx, *in.ApiId, in.Description, false, stage)
		return err
	})
	if err != nil {
		return nil, err
	}
	out := CreateDeploymentResponse(d)
	return &out, nil
}

func (s *Server) GetDeployment(ctx context.Context, in *GetDeploymentRequest) (*GetDeploymentResponse, error) {
	var d Deployment
	err := s.view(ctx, func(tx store.Tx) error {
		var err error
		d, err = loadDeployment(ctx, tx, *in.ApiId, *in.DeploymentId)
		return err
	})
	if err != nil {
		return nil, err
	}
	out := GetDeploymentResponse(d)
	return &out, nil
}

func (s *Server) GetDeployments(ctx context.Context, in *GetDeploymentsRequest) (*GetDeploymentsResponse, error) {
	p, err := parsePage(in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	out := &GetDeploymentsResponse{}
	err = s.view(ctx, func(tx store.Tx) error {
		if _, err := loadAPI(ctx, tx, *in.ApiId); err != nil {
			return err
		}
		out.Items, out.NextToken, err = listPage[Deployment](tx, kindDeployment, apiRef(*in.ApiId), p)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// UpdateDeployment changes only the description: what a deployment serves
// never changes.
func (s *Server) UpdateDeployment(ctx context.Context, in *UpdateDeploymentRequest) (*UpdateDeploymentResponse, error) {
	var d Deployment
	err := s.updateAPI(ctx, *in.ApiId, func(tx store.Tx) error {
		var err error
		if d, err = loadDeployment(ctx, tx, *in.ApiId, *in.DeploymentId); err != nil {
			return err
		}
		if in.Description != nil {
			if err := awsproto.MaxLength("description", 1024, *in.Description); err != nil {
				return err
			}
			d.Description = emptyToNil(in.Description)
		}
		return tx.Replace(store.Record{Kind: kindDeployment, ID: *d.DeploymentId, Parent: apiRef(*in.ApiId), Data: encode(d)})
	})
	if err != nil {
		return nil, err
	}
	out := UpdateDeploymentResponse(d)
	return &out, nil
}

// DeleteDeployment refuses to delete what a stage serves. [I] text: REST
// APIs' message for the same case.
func (s *Server) DeleteDeployment(ctx context.Context, in *DeleteDeploymentRequest) error {
	return s.updateAPI(ctx, *in.ApiId, func(tx store.Tx) error {
		if _, err := loadDeployment(ctx, tx, *in.ApiId, *in.DeploymentId); err != nil {
			return err
		}
		stages, _, err := listPage[Stage](tx, kindStage, apiRef(*in.ApiId), page{limit: maxPage})
		if err != nil {
			return err
		}
		for _, st := range stages {
			if deref(st.DeploymentId) == *in.DeploymentId {
				return awsproto.BadRequest("Active stages pointing to this deployment must be moved or deleted")
			}
		}
		// The snapshot is the deployment's child: the store deletes it
		// too. The blobs it shared with other deployments stay.
		if err := tx.Delete(kindDeployment, *in.DeploymentId); err != nil {
			return err
		}
		return sweepSnapshotBlobs(tx, *in.ApiId)
	})
}

func loadDeployment(ctx context.Context, tx store.Tx, apiID, id string) (Deployment, error) {
	var d Deployment
	if _, err := loadAPI(ctx, tx, apiID); err != nil {
		return d, err
	}
	err := getChildInto(tx, kindDeployment, id, apiRef(apiID), &d)
	if errors.Is(err, store.ErrNotFound) {
		return d, deploymentNotFound(id)
	}
	return d, err
}

// checkDeploymentOf: a stage can only point at a deployment of its API.
// [I]: 400, as for other references in a request body.
func checkDeploymentOf(tx store.Tx, apiID, id string) error {
	_, err := getChild(tx, kindDeployment, id, apiRef(apiID))
	if errors.Is(err, store.ErrNotFound) {
		return awsproto.BadRequest("Invalid deployment identifier specified %s", echo(id))
	}
	return err
}
