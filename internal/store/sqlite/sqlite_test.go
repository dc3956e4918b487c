package sqlite

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/portico-dev/portico/internal/store"
	"github.com/portico-dev/portico/internal/store/storetest"
)

var _ store.Store = (*Store)(nil)

func openTemp(t testing.TB) (*Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "portico.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	return s, path
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		s, _ := openTemp(t)
		return s
	})
}

func TestReopen(t *testing.T) {
	ctx := context.Background()
	sc := store.Scope{Account: "000000000000", Region: "us-east-1"}
	s, path := openTemp(t)
	want := store.Record{Kind: "route", ID: "r1", Parent: store.Ref{Kind: "api", ID: "a1"}, Key: "GET /", Data: []byte{0, 1, 2, 255}}
	err := s.Update(ctx, sc, func(tx store.Tx) error {
		if err := tx.Insert(store.Record{Kind: "api", ID: "a1", Data: []byte("{}")}); err != nil {
			return err
		}
		return tx.Insert(want)
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	err = s.View(ctx, sc, func(tx store.Tx) error {
		got, err := tx.Get("route", "r1")
		if err != nil {
			return err
		}
		if got.Kind != want.Kind || got.ID != want.ID || got.Parent != want.Parent || got.Key != want.Key ||
			string(got.Data) != string(want.Data) {
			t.Errorf("after reopen: %+v, want %+v", got, want)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// The reopened store enforces the same constraints.
	err = s.Update(ctx, sc, func(tx store.Tx) error {
		return tx.Insert(store.Record{Kind: "route", ID: "r2", Parent: want.Parent, Key: want.Key})
	})
	if !errors.Is(err, store.ErrConflict) {
		t.Errorf("duplicate key after reopen: %v", err)
	}
}

func TestPragmas(t *testing.T) {
	s, _ := openTemp(t)
	defer s.Close()
	ctx := context.Background()
	var mode string
	var sync, busy, version int
	if err := s.w.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		t.Fatal(err)
	}
	if err := s.w.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&sync); err != nil {
		t.Fatal(err)
	}
	if err := s.w.QueryRowContext(ctx, "PRAGMA busy_timeout").Scan(&busy); err != nil {
		t.Fatal(err)
	}
	if err := s.w.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		t.Fatal(err)
	}
	if mode != "wal" {
		t.Errorf("journal_mode = %q, want wal", mode)
	}
	if sync != 2 {
		t.Errorf("synchronous = %d, want 2 (FULL)", sync)
	}
	if busy <= 0 {
		t.Errorf("busy_timeout = %d", busy)
	}
	if version != schemaVersion {
		t.Errorf("user_version = %d, want %d", version, schemaVersion)
	}

	// The read pool cannot write, even bypassing the Tx checks.
	if _, err := s.r.ExecContext(ctx, "DELETE FROM records"); err == nil {
		t.Error("write on the read pool succeeded")
	}
}

// TestPlans checks that the hot queries use the indexes rather than
// scanning the scope.
func TestPlans(t *testing.T) {
	s, _ := openTemp(t)
	defer s.Close()
	for i, q := range queries {
		rows, err := s.w.Query("EXPLAIN QUERY PLAN "+q, "acct", "region", "kind", "id", "pk", "x", 10, []byte{})
		if err != nil {
			t.Fatalf("%d: %v", i, err)
		}
		for rows.Next() {
			var id, parent, notused int
			var detail string
			if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
				t.Fatal(err)
			}
			t.Logf("%d: %s", i, detail)
			// Scanning the CTE's own rows is fine; scanning records, or
			// searching them by scope alone, is not.
			if strings.HasPrefix(detail, "SCAN") && !strings.Contains(detail, "tree") && !strings.Contains(detail, "CONSTANT ROW") ||
				strings.HasSuffix(detail, "(account=? AND region=?)") || strings.Contains(detail, "TEMP B-TREE") {
				t.Errorf("query %d scans: %s", i, detail)
			}
		}
		rows.Close()
	}
}

func TestOpenErrors(t *testing.T) {
	// Open does not create the directory.
	if s, err := Open(filepath.Join(t.TempDir(), "missing", "portico.db")); err == nil {
		s.Close()
		t.Error("Open in a missing directory succeeded")
	}

	// A file from a newer version of the schema is refused.
	s, path := openTemp(t)
	if _, err := s.w.Exec("PRAGMA user_version = 99"); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if s, err := Open(path); err == nil {
		s.Close()
		t.Error("Open of a newer schema succeeded")
	}
}

func TestClosed(t *testing.T) {
	s, _ := openTemp(t)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	noop := func(store.Tx) error { return nil }
	sc := store.Scope{Account: "000000000000", Region: "us-east-1"}
	if err := s.View(context.Background(), sc, noop); err == nil {
		t.Error("View after Close succeeded")
	}
	if err := s.Update(context.Background(), sc, noop); err == nil {
		t.Error("Update after Close succeeded")
	}
}
