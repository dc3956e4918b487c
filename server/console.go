package server

import (
	"context"

	"github.com/portico-dev/portico/internal/apigw"
	"github.com/portico-dev/portico/internal/awsproto"
	"github.com/portico-dev/portico/internal/console"
	"github.com/portico-dev/portico/internal/store"
	"github.com/portico-dev/portico/internal/version"
)

// console is the web console, on this Portico's control plane and store.
func (s *Server) console(service *apigw.Server, defaults awsproto.Identity) *console.Handler {
	return console.New(console.Config{Defaults: defaults, Version: version.Get().Version,
		Snapshot: func(ctx context.Context, apiID, deploymentID string) (any, error) {
			return service.DeploymentSnapshot(ctx, apiID, deploymentID)
		},
		Scopes: s.consoleScopes})
}

// consoleScopes are the scopes holding state that a request can act as:
// a 12-digit account's, or the default account's (which --account may
// set to anything). The store's own scopes (the cluster directory's,
// account "portico-cluster") have an account no request can name: the
// console neither lists nor offers them. The store lists every scope; it
// is not its business which are whose.
func (s *Server) consoleScopes(ctx context.Context) ([]store.Scope, error) {
	all, err := s.store.Scopes(ctx)
	if err != nil {
		return nil, err
	}
	var out []store.Scope
	for _, sc := range all {
		if awsproto.IsAccountID(sc.Account) || sc.Account == s.cfg.Account {
			out = append(out, sc)
		}
	}
	return out, nil
}
