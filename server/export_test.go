package server

import (
	"context"

	"github.com/portico-dev/portico/internal/store"
)

// HeartbeatEvery lets tests shorten the inspector stream's heartbeat.
var HeartbeatEvery = &heartbeatEvery

// StoreScopes is what the store itself lists, internal scopes and all:
// what the console's list is checked against.
func (s *Server) StoreScopes(ctx context.Context) ([]store.Scope, error) { return s.store.Scopes(ctx) }
