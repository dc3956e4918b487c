package sqlite

import (
	"context"
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"

	"github.com/portico-dev/portico/internal/store"
)

var benchScope = store.Scope{Account: "000000000000", Region: "us-east-1"}

// BenchmarkInsert measures one durable commit (one Update, one Insert):
// dominated by the fsync of the WAL.
func BenchmarkInsert(b *testing.B) {
	s, _ := openTemp(b)
	defer s.Close()
	ctx := context.Background()
	data := []byte(`{"apiId":"abc1234","name":"bench","protocolType":"HTTP","routeSelectionExpression":"$request.method $request.path"}`)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		err := s.Update(ctx, benchScope, func(tx store.Tx) error {
			return tx.Insert(store.Record{Kind: "api", ID: fmt.Sprintf("api%09d", i), Key: fmt.Sprintf("name%d", i), Data: data})
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkList300 lists the children of one parent among 300 parents
// with one child each, in one View.
func BenchmarkList300(b *testing.B) {
	s, _ := openTemp(b)
	defer s.Close()
	ctx := context.Background()
	const parents = 300
	err := s.Update(ctx, benchScope, func(tx store.Tx) error {
		for i := range parents {
			api := store.Record{Kind: "api", ID: fmt.Sprintf("a%03d", i), Data: []byte(`{}`)}
			if err := tx.Insert(api); err != nil {
				return err
			}
			route := store.Record{Kind: "route", ID: fmt.Sprintf("r%03d", i), Parent: store.Ref{Kind: "api", ID: api.ID},
				Key: "GET /pets", Data: []byte(`{"routeKey":"GET /pets"}`)}
			if err := tx.Insert(route); err != nil {
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
		err := s.View(ctx, benchScope, func(tx store.Tx) error {
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

// BenchmarkInsertParallel is BenchmarkInsert from 16 goroutines at once,
// whose Updates share commits (batch.go): members/commit says how many.
func BenchmarkInsertParallel(b *testing.B) {
	s, _ := openTemp(b)
	defer s.Close()
	ctx := context.Background()
	data := []byte(`{"apiId":"abc1234","name":"bench","protocolType":"HTTP","routeSelectionExpression":"$request.method $request.path"}`)
	var next atomic.Int64
	b.SetParallelism(max(1, 16/runtime.GOMAXPROCS(0)))
	b.ReportAllocs()
	before := s.commits.Load()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := next.Add(1)
			err := s.Update(ctx, benchScope, func(tx store.Tx) error {
				return tx.Insert(store.Record{Kind: "api", ID: fmt.Sprintf("api%09d", i), Key: fmt.Sprintf("name%d", i), Data: data})
			})
			if err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/float64(s.commits.Load()-before), "members/commit")
}

// BenchmarkScopes lists the 4 scopes of 200,000 records: Store.Scopes,
// which walks from scope to scope, against the SELECT DISTINCT it
// replaces, which reads an entry of every record.
func BenchmarkScopes(b *testing.B) {
	s, _ := openTemp(b)
	defer s.Close()
	ctx := context.Background()
	const scopes, records = 4, 200_000
	for i := range scopes {
		err := s.Update(ctx, store.Scope{Account: fmt.Sprintf("%012d", i), Region: "us-east-1"}, func(tx store.Tx) error {
			for j := range records / scopes {
				r := store.Record{Kind: "route", ID: fmt.Sprintf("r%06d", j), Parent: store.Ref{Kind: "api", ID: fmt.Sprintf("a%03d", j%300)},
					Data: []byte(`{"routeKey":"GET /pets"}`)}
				if err := tx.Insert(r); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.Run("walk", func(b *testing.B) {
		for b.Loop() {
			if got, err := s.Scopes(ctx); err != nil || len(got) != scopes {
				b.Fatal(got, err)
			}
		}
	})
	b.Run("distinct", func(b *testing.B) {
		for b.Loop() {
			rows, err := s.r.QueryContext(ctx, `SELECT DISTINCT account, region FROM records ORDER BY account, region`)
			if err != nil {
				b.Fatal(err)
			}
			n := 0
			for rows.Next() {
				n++
			}
			rows.Close()
			if n != scopes {
				b.Fatal(n)
			}
		}
	})
}
