package apigw

import "github.com/portico-dev/portico/internal/store"

// DeploymentSnapshot reads what a deployment serves from the store, for
// the end-to-end tests that look into the database file.
func DeploymentSnapshot(tx store.Tx, apiID, deploymentID string) (*Snapshot, error) {
	return loadSnapshot(tx, newBlobCache(0), apiID, deploymentID)
}
