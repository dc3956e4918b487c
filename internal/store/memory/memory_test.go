package memory_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/portico-dev/portico/internal/store"
	"github.com/portico-dev/portico/internal/store/memory"
	"github.com/portico-dev/portico/internal/store/storetest"
)

var _ store.Store = (*memory.Store)(nil)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return memory.New() })
}

// BenchmarkList300 mirrors the sqlite benchmark of the same name.
func BenchmarkList300(b *testing.B) {
	s := memory.New()
	ctx := context.Background()
	sc := store.Scope{Account: "000000000000", Region: "us-east-1"}
	const parents = 300
	err := s.Update(ctx, sc, func(tx store.Tx) error {
		for i := range parents {
			api := store.Record{Kind: "api", ID: fmt.Sprintf("a%03d", i), Data: []byte(`{}`)}
			route := store.Record{Kind: "route", ID: fmt.Sprintf("r%03d", i), Parent: store.Ref{Kind: "api", ID: api.ID},
				Key: "GET /pets", Data: []byte(`{"routeKey":"GET /pets"}`)}
			if err := errors.Join(tx.Insert(api), tx.Insert(route)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		parent := store.Ref{Kind: "api", ID: fmt.Sprintf("a%03d", i%parents)}
		err := s.View(ctx, sc, func(tx store.Tx) error {
			rs, err := tx.List("route", parent, "", 0)
			if err == nil && len(rs) != 1 {
				err = fmt.Errorf("got %d routes", len(rs))
			}
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}
