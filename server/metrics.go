package server

import (
	"context"
	"os"
	"path/filepath"
	"time"

	"github.com/portico-dev/portico/internal/metrics"
	"github.com/portico-dev/portico/internal/store"
)

// Metrics of the parts of Portico that sit in this package: the store's
// write transactions and the database's size (docs/inspector.md#metrics).

// meteredStore times every write transaction, its commit included.
type meteredStore struct {
	store.Store
	m *metrics.Metrics
}

func (s *meteredStore) Update(ctx context.Context, sc store.Scope, fn func(store.Tx) error) error {
	start := time.Now()
	err := s.Store.Update(ctx, sc, fn)
	s.m.StoreUpdate(time.Since(start), err)
	return err
}

// databaseBytes is the size of the SQLite database's files.
func databaseBytes(dir string) int64 {
	var n int64
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if fi, err := os.Stat(filepath.Join(dir, DatabaseFile+suffix)); err == nil {
			n += fi.Size()
		}
	}
	return n
}
