package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/portico-dev/portico/internal/store"
)

// tx implements store.Tx on a pgx transaction.
//
// Any error aborts a PostgreSQL transaction: every statement after it
// fails until the ROLLBACK. The contract lets fn go on after a write that
// failed with ErrConflict or ErrNotFound, so those writes never fail in
// the database: Insert is ON CONFLICT DO NOTHING and Replace checks the
// key in its WHERE clause, and a write that changed nothing finds out
// why. (A savepoint around each write would do too, but costs round
// trips, and a transaction with more than 64 subtransactions slows every
// other session's snapshots.)
type tx struct {
	ctx       context.Context
	tx        pgx.Tx
	sc        store.Scope
	readOnly  bool
	done      bool
	committed bool
	notices   store.Pending
	// failed is the first statement error, which aborted the
	// transaction; again is the first that makes Update run fn again
	// (both end it, even if fn goes on as if nothing happened).
	failed, again error
}

// end rolls back unless committed, and ends the Tx's validity.
func (t *tx) end() {
	t.done = true
	if !t.committed {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(t.ctx), cleanupTimeout)
		defer cancel()
		t.tx.Rollback(ctx)
	}
}

// fail is the way out of every statement that failed: it remembers what
// aborted the transaction and reports an ended context as its error.
func (t *tx) fail(err error) error {
	if err == nil {
		return nil
	}
	if t.failed == nil {
		t.failed = err
	}
	if t.again == nil && retryable(err) {
		t.again = err
	}
	return ctxOr(t.ctx, err)
}

func (t *tx) check(write bool) error {
	switch {
	case t.done:
		return errors.New("store: transaction used after its function returned")
	case write && t.readOnly:
		return errReadOnly
	}
	return nil
}

func (t *tx) Notify(topic string) error {
	if err := t.check(true); err != nil {
		return err
	}
	t.notices.Add(t.sc, topic)
	return nil
}

func (t *tx) Get(kind store.Kind, id string) (store.Record, error) {
	if err := t.check(false); err != nil {
		return store.Record{}, err
	}
	if !storable(t.sc.Account, t.sc.Region, string(kind), id) {
		return store.Record{}, store.ErrNotFound
	}
	r := store.Record{Kind: kind, ID: id}
	var key []byte
	err := t.tx.QueryRow(t.ctx, `SELECT parent_kind, parent_id, key, data FROM records
		WHERE account = $1 AND region = $2 AND kind = $3 AND id = $4`,
		t.sc.Account, t.sc.Region, string(kind), id).
		Scan((*string)(&r.Parent.Kind), &r.Parent.ID, &key, &r.Data)
	if errors.Is(err, pgx.ErrNoRows) {
		return store.Record{}, store.ErrNotFound
	}
	if err != nil {
		return store.Record{}, t.fail(err)
	}
	r.Key = string(key)
	r.Data = nonNil(r.Data)
	return r, nil
}

func (t *tx) List(kind store.Kind, parent store.Ref, after string, limit int) ([]store.Record, error) {
	if err := t.check(false); err != nil {
		return nil, err
	}
	// An after that no id can be (a page token made up by a client) ends
	// the list here; the tokens Portico hands out are ids.
	if !storable(t.sc.Account, t.sc.Region, string(kind), string(parent.Kind), parent.ID, after) {
		return nil, nil
	}
	var lim *int // NULL: no limit
	if limit > 0 {
		lim = &limit
	}
	rows, err := t.tx.Query(t.ctx, `SELECT id, key, data FROM records
		WHERE account = $1 AND region = $2 AND kind = $3 AND parent_kind = $4 AND parent_id = $5 AND id > $6
		ORDER BY id LIMIT $7`,
		t.sc.Account, t.sc.Region, string(kind), string(parent.Kind), parent.ID, after, lim)
	if err != nil {
		return nil, t.fail(err)
	}
	defer rows.Close()
	var out []store.Record
	for rows.Next() {
		r := store.Record{Kind: kind, Parent: parent}
		var key []byte
		if err := rows.Scan(&r.ID, &key, &r.Data); err != nil {
			return nil, t.fail(err)
		}
		r.Key = string(key)
		r.Data = nonNil(r.Data)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, t.fail(err)
	}
	return out, nil
}

func (t *tx) Count(kind store.Kind, parent store.Ref) (int, error) {
	if err := t.check(false); err != nil {
		return 0, err
	}
	if !storable(t.sc.Account, t.sc.Region, string(kind), string(parent.Kind), parent.ID) {
		return 0, nil
	}
	var n int
	err := t.tx.QueryRow(t.ctx, `SELECT count(*) FROM records
		WHERE account = $1 AND region = $2 AND kind = $3 AND parent_kind = $4 AND parent_id = $5`,
		t.sc.Account, t.sc.Region, string(kind), string(parent.Kind), parent.ID).Scan(&n)
	if err != nil {
		return 0, t.fail(err)
	}
	return n, nil
}

func (t *tx) Insert(r store.Record) error {
	if err := t.check(true); err != nil {
		return err
	}
	if err := store.Validate(r); err != nil {
		return err
	}
	if !storable(t.sc.Account, t.sc.Region, string(r.Kind), r.ID, string(r.Parent.Kind), r.Parent.ID) {
		return fmt.Errorf("store: %s %q in %v: PostgreSQL text cannot hold a NUL byte or invalid UTF-8", r.Kind, r.ID, t.sc)
	}
	// DO NOTHING without a target covers every unique index: the primary
	// key and records_key.
	tag, err := t.tx.Exec(t.ctx, `INSERT INTO records (account, region, kind, id, parent_kind, parent_id, key, data)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING`, t.writeArgs(r)...)
	if err != nil {
		return t.fail(mapErr(err, r))
	}
	if tag.RowsAffected() == 1 {
		return nil
	}
	var idTaken bool
	err = t.tx.QueryRow(t.ctx, `SELECT EXISTS (SELECT 1 FROM records
		WHERE account = $1 AND region = $2 AND kind = $3 AND id = $4)`,
		t.sc.Account, t.sc.Region, string(r.Kind), r.ID).Scan(&idTaken)
	if err != nil {
		return t.fail(err)
	}
	if idTaken {
		return conflictID(r)
	}
	return conflictKey(r)
}

func (t *tx) Replace(r store.Record) error {
	if err := t.check(true); err != nil {
		return err
	}
	if err := store.Validate(r); err != nil {
		return err
	}
	if !storable(t.sc.Account, t.sc.Region, string(r.Kind), r.ID, string(r.Parent.Kind), r.Parent.ID) {
		return store.ErrNotFound
	}
	// Matching on the parent too makes a record under another parent "not
	// found", as the other backends do. The NOT EXISTS keeps the update
	// off a key another record of the kind under the parent holds: the
	// scope's writers are serialized (scopeLock), so nobody can take it
	// between the check and the write.
	tag, err := t.tx.Exec(t.ctx, `UPDATE records SET key = $7, data = $8
		WHERE account = $1 AND region = $2 AND kind = $3 AND id = $4 AND parent_kind = $5 AND parent_id = $6
		AND ($7::bytea IS NULL OR NOT EXISTS (SELECT 1 FROM records o
			WHERE o.account = $1 AND o.region = $2 AND o.kind = $3 AND o.parent_kind = $5 AND o.parent_id = $6
			AND o.key = $7 AND o.id <> $4))`, t.writeArgs(r)...)
	if err != nil {
		return t.fail(mapErr(err, r))
	}
	if tag.RowsAffected() == 1 {
		return nil
	}
	var exists bool
	err = t.tx.QueryRow(t.ctx, `SELECT EXISTS (SELECT 1 FROM records
		WHERE account = $1 AND region = $2 AND kind = $3 AND id = $4 AND parent_kind = $5 AND parent_id = $6)`,
		t.sc.Account, t.sc.Region, string(r.Kind), r.ID, string(r.Parent.Kind), r.Parent.ID).Scan(&exists)
	if err != nil {
		return t.fail(err)
	}
	if exists {
		return conflictKey(r)
	}
	return store.ErrNotFound
}

// deleteTree deletes record ($3, $4) and its descendants, found through
// records_parent, in one statement, so a failure cannot leave orphans
// behind. The tree is seeded with the row itself, not its ref: a missing
// record deletes nothing (ErrNotFound) even if records name it as their
// parent. UNION (not UNION ALL) ends the recursion even if parents form
// a cycle.
const deleteTree = `WITH RECURSIVE tree(kind, id) AS (
		SELECT kind, id FROM records WHERE account = $1 AND region = $2 AND kind = $3 AND id = $4
	UNION
		SELECT r.kind, r.id FROM tree JOIN records r
			ON r.account = $1 AND r.region = $2 AND r.parent_kind = tree.kind AND r.parent_id = tree.id
	)
	DELETE FROM records WHERE account = $1 AND region = $2 AND (kind, id) IN (SELECT kind, id FROM tree)`

func (t *tx) Delete(kind store.Kind, id string) error {
	if err := t.check(true); err != nil {
		return err
	}
	if !storable(t.sc.Account, t.sc.Region, string(kind), id) {
		return store.ErrNotFound
	}
	tag, err := t.tx.Exec(t.ctx, deleteTree, t.sc.Account, t.sc.Region, string(kind), id)
	if err != nil {
		return t.fail(err)
	}
	if tag.RowsAffected() == 0 {
		return store.ErrNotFound
	}
	return nil
}

// writeArgs are the arguments of Insert and Replace.
func (t *tx) writeArgs(r store.Record) []any {
	var key []byte // nil is NULL: an empty key is never unique
	if r.Key != "" {
		key = []byte(r.Key)
	}
	return []any{t.sc.Account, t.sc.Region, string(r.Kind), r.ID,
		string(r.Parent.Kind), r.Parent.ID, key, nonNil(r.Data)}
}

// The conflict errors, in SQLite's words.
func conflictID(r store.Record) error {
	return fmt.Errorf("%w: %s %q exists", store.ErrConflict, r.Kind, r.ID)
}

func conflictKey(r store.Record) error {
	return fmt.Errorf("%w: %s key %q is taken", store.ErrConflict, r.Kind, r.Key)
}

// mapErr turns a unique violation into ErrConflict. The writes are built
// not to raise one (see tx), so this only matters if a writer ever
// bypasses the scope lock; the transaction is aborted then.
func mapErr(err error, r store.Record) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" {
		if pgErr.ConstraintName == "records_pkey" {
			return conflictID(r)
		}
		return conflictKey(r)
	}
	return err
}

// storable reports whether PostgreSQL text can hold every s: valid
// UTF-8 without NUL. No record holds a string that is not, so a lookup of
// one finds nothing, as on the other backends (an id from a URL path can
// be any bytes), rather than failing the statement, and the transaction.
func storable(ss ...string) bool {
	for _, s := range ss {
		if strings.IndexByte(s, 0) >= 0 || !utf8.ValidString(s) {
			return false
		}
	}
	return true
}

// nonNil returns b, or an empty slice for nil: a nil []byte would be sent
// as NULL, which the data column rejects, and callers get the same non-nil
// Data from every backend.
func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}
