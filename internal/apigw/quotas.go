package apigw

import (
	"github.com/portico-dev/portico/internal/store"
)

// Quotas limit how many resources of a kind may exist, as AWS's service
// quotas do. A limit of 0 is no limit: Quotas{} limits nothing.
type Quotas struct {
	RoutesPerAPI       int
	IntegrationsPerAPI int
	StagesPerAPI       int
	AuthorizersPerAPI  int
	// APIs and DomainNames are per account and region.
	APIs        int
	DomainNames int
}

// awsQuotas are AWS's default quotas (developer guide, "Quotas for
// configuring and running an HTTP API" and "... a WebSocket API", and the
// account-level "Regional APIs per Region"; docs/aws-behaviours.md#quotas).
var awsQuotas = Quotas{
	RoutesPerAPI:       300,
	IntegrationsPerAPI: 300,
	StagesPerAPI:       10,
	AuthorizersPerAPI:  10,
	APIs:               600,
	DomainNames:        120,
}

// DefaultQuotas returns AWS's default quotas, what Config.Quotas nil means.
func DefaultQuotas() Quotas { return awsQuotas }

// checkQuota refuses to add one more record of kind under parent when limit
// are there already (a limit of 0 is none). It must run in the write
// transaction of the insert: write transactions are serialized, so
// concurrent creates cannot both take the last place.
func checkQuota(tx store.Tx, kind store.Kind, parent store.Ref, limit int, exceeded error) error {
	if limit <= 0 {
		return nil
	}
	n, err := tx.Count(kind, parent)
	if err != nil {
		return err
	}
	if n >= limit {
		return exceeded
	}
	return nil
}
