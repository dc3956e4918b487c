package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/portico-dev/portico/internal/store"
)

// The schemas as the Porticos from before schema_migrations wrote them,
// kept literally: version 1 (ecc5563) and version 2 (4173a99), each
// applied whole with PRAGMA user_version set to its version.
const (
	schemaV1 = `
CREATE TABLE IF NOT EXISTS records (
	account     TEXT NOT NULL,
	region      TEXT NOT NULL,
	kind        TEXT NOT NULL,
	id          TEXT NOT NULL,
	parent_kind TEXT NOT NULL, -- '' for top-level records
	parent_id   TEXT NOT NULL,
	key         TEXT NULL,     -- NULL when Record.Key is empty: never unique
	data        BLOB NOT NULL,
	PRIMARY KEY (account, region, kind, id)
) WITHOUT ROWID;
CREATE UNIQUE INDEX IF NOT EXISTS records_key
	ON records (account, region, kind, parent_kind, parent_id, key) WHERE key IS NOT NULL;
-- Serves List and Count (equality up to kind, then id in order) and the
-- cascading Delete (equality up to parent_id). In a WITHOUT ROWID table
-- every index ends with the primary key columns anyway, so a separate
-- (account, region, kind, parent_kind, parent_id, id) index would hold
-- the same entries in another order and only slow down writes.
CREATE INDEX IF NOT EXISTS records_parent
	ON records (account, region, parent_kind, parent_id, kind, id);
`
	schemaV2 = schemaV1 + `-- Serves Locate (version 2).
CREATE INDEX IF NOT EXISTS records_locate ON records (kind, id);
`
)

var migrateScope = store.Scope{Account: "000000000000", Region: "us-east-1"}

// oldDatabase writes a database as the Portico of that schema did (its
// pragmas, the schema and user_version in one transaction, then rows),
// closes it, and returns its path.
func oldDatabase(t *testing.T, version int, schema string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "portico.db")
	db, err := sql.Open("sqlite", fileURI(path)+"?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(schema); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec("PRAGMA user_version = " + strconv.Itoa(version)); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	for _, r := range [][]any{
		{"api", "a1", "", "", "chat", []byte(`{"name":"chat"}`)},
		{"route", "r1", "api", "a1", "sendMessage", []byte(`{"routeKey":"sendMessage"}`)},
		{"route", "r2", "api", "a1", "$default", []byte(`{"routeKey":"$default"}`)},
		{"routeresponse", "rr1", "route", "r1", "$default", []byte{0, 1, 2, 255}},
		{"deployment", "d1", "api", "a1", nil, []byte(`{}`)},
	} {
		if _, err := db.Exec(`INSERT INTO records (account, region, kind, id, parent_kind, parent_id, key, data)
			VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)`, append([]any{migrateScope.Account, migrateScope.Region}, r...)...); err != nil {
			t.Fatal(err)
		}
	}
	return path
}

type migrationRow struct {
	version   int
	name      string
	appliedAt string
}

func migrationRows(t *testing.T, s *Store) []migrationRow {
	t.Helper()
	rows, err := s.r.Query("SELECT version, name, applied_at FROM schema_migrations ORDER BY version")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []migrationRow
	for rows.Next() {
		var r migrationRow
		if err := rows.Scan(&r.version, &r.name, &r.appliedAt); err != nil {
			t.Fatal(err)
		}
		if _, err := time.Parse(time.RFC3339, r.appliedAt); err != nil {
			t.Errorf("applied_at of %d: %v", r.version, err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// wantMigrated checks that s has every migration recorded and the
// records oldDatabase wrote, with the constraints and the indexes of the
// current schema.
func wantMigrated(t *testing.T, s *Store) {
	t.Helper()
	var names []string
	for _, r := range migrationRows(t, s) {
		names = append(names, r.name)
	}
	if want := []string{"records", "records_locate"}; !slices.Equal(names, want) {
		t.Errorf("recorded migrations %q, want %q", names, want)
	}
	var version int
	if err := s.r.QueryRow("PRAGMA user_version").Scan(&version); err != nil || version != schemaVersion {
		t.Errorf("user_version = %d (%v), want %d", version, err, schemaVersion)
	}
	ctx := context.Background()
	err := s.View(ctx, migrateScope, func(tx store.Tx) error {
		rr, err := tx.Get("routeresponse", "rr1")
		if err != nil {
			return err
		}
		if rr.Parent != (store.Ref{Kind: "route", ID: "r1"}) || rr.Key != "$default" || string(rr.Data) != "\x00\x01\x02\xff" {
			t.Errorf("rr1: %+v", rr)
		}
		routes, err := tx.List("route", store.Ref{Kind: "api", ID: "a1"}, "", 0)
		if err != nil {
			return err
		}
		if len(routes) != 2 || routes[0].ID != "r1" || routes[1].Key != "$default" {
			t.Errorf("routes: %+v", routes)
		}
		d, err := tx.Get("deployment", "d1")
		if err == nil && d.Key != "" {
			t.Errorf("d1: %+v", d)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	// Migration 2's index serves Locate (its query names it).
	if scopes, err := s.Locate(ctx, "api", "a1"); err != nil || len(scopes) != 1 || scopes[0] != migrateScope {
		t.Errorf("Locate: %v, %v", scopes, err)
	}
	err = s.Update(ctx, migrateScope, func(tx store.Tx) error {
		return tx.Insert(store.Record{Kind: "route", ID: "r3", Parent: store.Ref{Kind: "api", ID: "a1"}, Key: "sendMessage"})
	})
	if !errors.Is(err, store.ErrConflict) {
		t.Errorf("duplicate route key: %v", err)
	}
	err = s.Update(ctx, migrateScope, func(tx store.Tx) error { return tx.Delete("api", "a1") })
	if err != nil {
		t.Fatal(err)
	}
	if scopes, err := s.Locate(ctx, "route", "r1"); err != nil || len(scopes) != 0 {
		t.Errorf("after deleting the API, its route is in %v (%v)", scopes, err)
	}
}

// TestMigrateOldDatabase: a database of schema version 1 or 2, from
// before schema_migrations, is adopted: the versions it has are
// recorded, the rest applied, its data kept; opening it again changes
// nothing.
func TestMigrateOldDatabase(t *testing.T) {
	for _, old := range []struct {
		version int
		schema  string
	}{{1, schemaV1}, {2, schemaV2}} {
		t.Run("v"+strconv.Itoa(old.version), func(t *testing.T) {
			path := oldDatabase(t, old.version, old.schema)
			s, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			first := migrationRows(t, s)
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			// Open is idempotent: nothing applied or recorded again (a
			// row written again would have a later applied_at).
			s, err = Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if again := migrationRows(t, s); !slices.Equal(again, first) {
				t.Errorf("reopening changed schema_migrations: %v, then %v", first, again)
			}
			wantMigrated(t, s)
		})
	}
}

// TestMigrateNewDatabase: a new database has every migration recorded.
func TestMigrateNewDatabase(t *testing.T) {
	s, _ := openTemp(t)
	defer s.Close()
	rows := migrationRows(t, s)
	if len(rows) != len(migrations) {
		t.Fatalf("%d migrations recorded, want %d", len(rows), len(migrations))
	}
	for i, r := range rows {
		if m := migrations[i]; r.version != m.version || r.name != m.name {
			t.Errorf("row %d: %+v, want migration %d %s", i, r, m.version, m.name)
		}
	}
}

// TestMigrationsNumbered: migration i is version i+1, names unique.
func TestMigrationsNumbered(t *testing.T) {
	seen := map[string]bool{}
	for i, m := range migrations {
		if m.version != i+1 || m.name == "" || seen[m.name] || strings.TrimSpace(m.sql) == "" {
			t.Errorf("migration %d: %d %q", i, m.version, m.name)
		}
		seen[m.name] = true
	}
}

// TestMigrateRefusesNewer: a database that has had a migration this code
// does not know is refused, and left alone.
func TestMigrateRefusesNewer(t *testing.T) {
	s, path := openTemp(t)
	if _, err := s.w.Exec("INSERT INTO schema_migrations VALUES (?1, 'from the future', '2099-01-01T00:00:00Z')", schemaVersion+1); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err := Open(path)
	if err == nil {
		s.Close()
		t.Fatal("Open of a newer database succeeded")
	}
	t.Logf("Open: %v", err)
	if !strings.Contains(err.Error(), "newer") || !strings.Contains(err.Error(), path) {
		t.Errorf("error does not say the database is newer, or does not name it: %v", err)
	}
}

// TestMigrationAllOrNothing: a migration that fails half-way leaves no
// trace, and is not recorded.
func TestMigrationAllOrNothing(t *testing.T) {
	s, _ := openTemp(t)
	defer s.Close()
	broken := migration{schemaVersion + 1, "broken", `CREATE TABLE extra (x); SELECT * FROM no_such_table;`}
	err := s.migrate(append(migrations[:], broken))
	if err == nil {
		t.Fatal("a failing migration succeeded")
	}
	t.Logf("migrate: %v", err)
	var n int
	if err := s.r.QueryRow("SELECT count(*) FROM sqlite_schema WHERE name = 'extra'").Scan(&n); err != nil || n != 0 {
		t.Errorf("the failed migration's table exists (%d, %v)", n, err)
	}
	if rows := migrationRows(t, s); len(rows) != schemaVersion {
		t.Errorf("recorded: %v", rows)
	}
}
