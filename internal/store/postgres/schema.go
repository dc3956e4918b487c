package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// migrations[i] takes the schema from version i to version i+1; the
// database keeps the version it is at in portico_schema. Append a step for
// every change, never edit one: databases out there have run it.
//
// The schema is SQLite's (internal/store/sqlite), so that both backends
// answer the same queries the same way. Every text column is COLLATE "C":
// List orders ids bytewise, as the other backends do, whatever locale the
// database was created with (and "C" compares faster). The key is bytea:
// callers build keys of several parts joined by a NUL byte, which text
// cannot hold (see storable for the other columns).
var migrations = []string{
	// 1: the records table and its indexes.
	`CREATE TABLE records (
		account     text COLLATE "C" NOT NULL,
		region      text COLLATE "C" NOT NULL,
		kind        text COLLATE "C" NOT NULL,
		id          text COLLATE "C" NOT NULL,
		parent_kind text COLLATE "C" NOT NULL, -- '' for top-level records
		parent_id   text COLLATE "C" NOT NULL,
		key         bytea NULL,                -- NULL when Record.Key is empty: never unique
		data        bytea NOT NULL,
		PRIMARY KEY (account, region, kind, id)
	);
	CREATE UNIQUE INDEX records_key
		ON records (account, region, kind, parent_kind, parent_id, key) WHERE key IS NOT NULL;
	-- Serves List and Count (equality up to kind, then id in order) and
	-- the cascading Delete (equality up to parent_id).
	CREATE INDEX records_parent ON records (account, region, parent_kind, parent_id, kind, id);
	-- Serves Locate.
	CREATE INDEX records_locate ON records (kind, id);`,
}

// migrateLock is the advisory lock that serializes migrations: two nodes
// starting at once on a new database would otherwise both try to create
// the tables. It is in the two-key space of advisory locks, which does not
// overlap the one-key space of the scope locks (scopeLock).
const migrateLock = `SELECT pg_advisory_xact_lock(1886351988, 1)` // 1886351988 is "port"

// migrate brings the database to the latest schema version in one
// transaction, or checks that it is there already. A database from a
// newer Portico is refused: this code would not know what the newer
// columns mean.
func migrate(ctx context.Context, pool *pgxpool.Pool) error {
	tx, err := pool.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if _, err := tx.Exec(ctx, migrateLock); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS portico_schema (version integer NOT NULL)`); err != nil {
		return err
	}
	var v int
	err = tx.QueryRow(ctx, `SELECT version FROM portico_schema`).Scan(&v)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		if _, err := tx.Exec(ctx, `INSERT INTO portico_schema (version) VALUES (0)`); err != nil {
			return err
		}
	case err != nil:
		return err
	}
	switch {
	case v == len(migrations):
		return nil // nothing to write: the rollback only releases the lock
	case v > len(migrations):
		return fmt.Errorf("schema version %d is newer than this program's %d", v, len(migrations))
	}
	for i := v; i < len(migrations); i++ {
		if _, err := tx.Exec(ctx, migrations[i]); err != nil {
			return fmt.Errorf("migration to version %d: %w", i+1, err)
		}
	}
	if _, err := tx.Exec(ctx, `UPDATE portico_schema SET version = $1`, len(migrations)); err != nil {
		return err
	}
	return tx.Commit(ctx)
}
