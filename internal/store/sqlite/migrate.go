package sqlite

// The schema, as an ordered list of forward migrations. Open applies
// those a database has not had, each in one transaction with the row of
// schema_migrations that records it, so a migration is either wholly
// applied and recorded or not at all.

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// migration is one step of the schema.
type migration struct {
	version int // its index in migrations plus one
	name    string
	sql     string
}

// migrations is every schema change, oldest first. Append to it; never
// edit one that has been released: databases out there have run it.
var migrations = [...]migration{
	{1, "records", `
CREATE TABLE records (
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
CREATE UNIQUE INDEX records_key
	ON records (account, region, kind, parent_kind, parent_id, key) WHERE key IS NOT NULL;
-- Serves List and Count (equality up to kind, then id in order) and the
-- cascading Delete (equality up to parent_id). In a WITHOUT ROWID table
-- every index ends with the primary key columns anyway, so a separate
-- (account, region, kind, parent_kind, parent_id, id) index would hold
-- the same entries in another order and only slow down writes.
CREATE INDEX records_parent
	ON records (account, region, parent_kind, parent_id, kind, id);
`},
	{2, "records_locate", `
-- Serves Locate.
CREATE INDEX records_locate ON records (kind, id);
`},
}

// schemaVersion is the version of the schema this code writes: that of
// its last migration.
const schemaVersion = len(migrations)

// The table of applied migrations. PRAGMA user_version, which held the
// version before the table did, still mirrors the latest one: the
// Porticos from before the table read it, and refuse a newer database.
const migrationsTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
	version    INTEGER PRIMARY KEY,
	name       TEXT NOT NULL,
	applied_at TEXT NOT NULL -- RFC 3339 in UTC, to the nanosecond
)`

// migrate brings the database up to the last of ms (migrations, or a
// test's list), or refuses a database newer than that.
func (s *Store) migrate(ms []migration) error {
	ctx := context.Background()
	if err := s.adopt(ctx, ms); err != nil {
		return err
	}
	for _, m := range ms {
		if err := s.apply(ctx, m); err != nil {
			return fmt.Errorf("schema migration %d (%s): %w", m.version, m.name, err)
		}
	}
	return nil
}

// adopt creates schema_migrations in a database that has none: a new
// one, or one a Portico from before the table made, whose user_version
// says which migrations it has had (the schemas of versions 1 and 2 are
// those migrations 1 and 2 create). Those are recorded as applied now.
// It also refuses a database newer than ms.
func (s *Store) adopt(ctx context.Context, ms []migration) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var userVersion int
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&userVersion); err != nil {
		return err
	}
	var tables int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema
		WHERE type = 'table' AND name = 'schema_migrations'`).Scan(&tables); err != nil {
		return err
	}
	if tables == 1 {
		v, err := appliedVersion(ctx, tx)
		if err != nil {
			return err
		}
		// A newer Portico may have moved either.
		return newer(max(v, userVersion), len(ms))
	}
	if err := newer(userVersion, len(ms)); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, migrationsTable); err != nil {
		return err
	}
	for _, m := range ms[:userVersion] {
		if err := record(ctx, tx, m); err != nil {
			return err
		}
	}
	return tx.Commit()
}

func newer(v, known int) error {
	if v < 0 {
		return fmt.Errorf("schema version %d is not one Portico writes", v)
	}
	if v > known {
		return fmt.Errorf("schema version %d is newer than this program's %d: "+
			"it was written by a newer Portico, which it needs", v, known)
	}
	return nil
}

// apply runs m and records it, in one transaction, unless the database
// has had it. The writer's IMMEDIATE transaction holds the write lock
// from the check to the commit.
func (s *Store) apply(ctx context.Context, m migration) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	v, err := appliedVersion(ctx, tx)
	if err != nil || v >= m.version {
		return err
	}
	if v != m.version-1 {
		return fmt.Errorf("the database is at version %d", v)
	}
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return err
	}
	if err := record(ctx, tx, m); err != nil {
		return err
	}
	return tx.Commit()
}

// appliedVersion is the last migration schema_migrations records, 0 for
// none.
func appliedVersion(ctx context.Context, tx *sql.Tx) (int, error) {
	var v int
	err := tx.QueryRowContext(ctx, "SELECT coalesce(max(version), 0) FROM schema_migrations").Scan(&v)
	return v, err
}

// record notes m as applied, in schema_migrations and user_version.
func record(ctx context.Context, tx *sql.Tx, m migration) error {
	_, err := tx.ExecContext(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, ?3)",
		m.version, m.name, time.Now().UTC().Format(time.RFC3339Nano))
	if err == nil {
		// PRAGMA takes no bound parameters.
		_, err = tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", m.version))
	}
	return err
}
