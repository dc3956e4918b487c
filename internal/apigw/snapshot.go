package apigw

import (
	"context"

	"github.com/portico-dev/portico/internal/store"
)

// DeploymentSnapshot returns what a deployment of an API froze, for the
// console's diff of two deployments (ExportApi only exports what a stage
// serves, and no WebSocket API). With deploymentID "" it is the API's live
// configuration: what a deployment made now would freeze. ctx carries the
// caller's identity (awsproto.WithIdentity), as for the operations, and
// the errors are theirs: an unknown API or deployment is NotFound.
func (s *Server) DeploymentSnapshot(ctx context.Context, apiID, deploymentID string) (*Snapshot, error) {
	var snap *Snapshot
	err := s.view(ctx, func(tx store.Tx) error {
		if _, err := loadAPI(ctx, tx, apiID); err != nil {
			return err
		}
		if deploymentID == "" {
			var err error
			snap, err = buildSnapshot(tx, apiID)
			return err
		}
		if _, err := loadDeployment(ctx, tx, apiID, deploymentID); err != nil {
			return err
		}
		var err error
		snap, err = loadSnapshot(tx, s.blobs, apiID, deploymentID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return snap, nil
}
