// Package sqlite is the durable store.Store backend, on SQLite through the
// pure-Go modernc.org/sqlite driver.
//
// The database runs in WAL mode with synchronous=FULL, so a commit that
// Update has acknowledged survives a process kill and a power loss. Writes
// go through one connection (SQLite allows a single writer anyway, and
// queueing for it in the process is cheaper and fairer than busy-waiting
// on the file lock), where concurrent Updates share transactions and
// their fsyncs (batch.go); Views use a separate pool of read-only
// connections, which WAL lets run concurrently with the writer, each on
// its own snapshot.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	sqlitedrv "modernc.org/sqlite" // also registers the "sqlite" driver
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/portico-dev/portico/internal/store"
)

// Statements, prepared once per pool; see Store.stmts.
const (
	stGet = iota
	stList
	stCount
	stInsert
	stReplace
	stDeleteTree
	stScopesFirst
	stScopesNextRegion
	stScopesNextAccount
	numStmts
)

var queries = [numStmts]string{
	stGet: `SELECT parent_kind, parent_id, key, data FROM records
		WHERE account = ?1 AND region = ?2 AND kind = ?3 AND id = ?4`,
	// Without ANALYZE statistics the planner may pick the primary key for
	// List (ordered by id, but it walks every record of the kind in the
	// scope); INDEXED BY pins the parent index, and makes preparing fail
	// loudly if it is ever renamed. A negative LIMIT means no limit.
	stList: `SELECT id, key, data FROM records INDEXED BY records_parent
		WHERE account = ?1 AND region = ?2 AND kind = ?3 AND parent_kind = ?4 AND parent_id = ?5 AND id > ?6
		ORDER BY id LIMIT ?7`,
	stCount: `SELECT count(*) FROM records INDEXED BY records_parent
		WHERE account = ?1 AND region = ?2 AND kind = ?3 AND parent_kind = ?4 AND parent_id = ?5`,
	stInsert: `INSERT INTO records (account, region, kind, id, parent_kind, parent_id, key, data)
		VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)`,
	// Matching on the parent too makes a record under another parent "not
	// found", as the memory backend does.
	stReplace: `UPDATE records SET key = ?7, data = ?8
		WHERE account = ?1 AND region = ?2 AND kind = ?3 AND id = ?4 AND parent_kind = ?5 AND parent_id = ?6`,
	// Deletes record (?3, ?4) and its descendants, found through
	// records_parent, in one statement, so a failure cannot leave orphans
	// behind. The tree is seeded with the row itself, not its ref: a
	// missing record deletes nothing (ErrNotFound) even if records name it
	// as their parent. CROSS JOIN pins tree as the outer loop: left to
	// choose, the planner scans the whole scope for every tree row. UNION
	// (not UNION ALL) ends the recursion even if parents form a cycle.
	stDeleteTree: `WITH RECURSIVE tree(kind, id) AS (
			SELECT kind, id FROM records WHERE account = ?1 AND region = ?2 AND kind = ?3 AND id = ?4
		UNION
			SELECT r.kind, r.id FROM tree CROSS JOIN records r INDEXED BY records_parent
				ON r.account = ?1 AND r.region = ?2 AND r.parent_kind = tree.kind AND r.parent_id = tree.id
		)
		DELETE FROM records WHERE account = ?1 AND region = ?2 AND (kind, id) IN (SELECT kind, id FROM tree)`,
	// Store.Scopes walks from one scope to the next: the first, then the
	// account's next region, else the next account's first. Each is one
	// seek in an index that starts with (account, region). A row value,
	// (account, region) > (?1, ?2), would seek on account alone and read
	// the rest of the account.
	stScopesFirst:       `SELECT account, region FROM records WHERE account >= '' ORDER BY account, region LIMIT 1`,
	stScopesNextRegion:  `SELECT region FROM records WHERE account = ?1 AND region > ?2 ORDER BY region LIMIT 1`,
	stScopesNextAccount: `SELECT account, region FROM records WHERE account > ?1 ORDER BY account, region LIMIT 1`,
}

var errReadOnly = errors.New("store: write in a read-only transaction")

// Store is a store.Store on an SQLite database file.
type Store struct {
	path    string  // absolute
	w, r    *sql.DB // the single writer connection; the read-only pool
	wStmts  [numStmts]*sql.Stmt
	rStmts  [numStmts]*sql.Stmt
	spStmts [numSpStmts]*sql.Stmt // on w; see batch.go
	file    os.FileInfo           // the file as opened, to notice its removal
	// broken is the first error that made the store unusable; see Health.
	broken atomic.Pointer[error]
	hub    store.Hub

	// The Updates waiting for the writer (batch.go). leading: a batch is
	// running; idle is signalled when none is any more.
	mu      sync.Mutex
	queue   []*member
	leading bool
	closed  bool
	idle    sync.Cond
	// commits counts COMMITs, for the tests to see the batching.
	commits atomic.Int64
}

// Open opens, creating it if needed, the database at path, with the zero
// Options. The directory must exist: Open does not create it. path must
// name a file (not ":memory:"), since the writer and the readers are
// separate connections. The store is meant to be the only user of the
// file; another process writing it would only be waited for
// (busy_timeout), not coordinated with (internal/datadir locks the
// directory for that).
//
// A file that is damaged or not a database is refused with an error that
// wraps ErrDamaged, names the file, quotes SQLite and says what to do;
// the file is left as it is.
func Open(path string) (*Store, error) {
	return OpenWith(path, Options{})
}

// OpenWith is Open with options.
func OpenWith(path string, o Options) (*Store, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	uri := fileURI(abs)
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	// WAL lets Views read while an Update writes; FULL syncs the WAL on
	// every commit (NORMAL, the usual WAL pairing, can lose the last
	// commits on power loss).
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(FULL)")
	// On macOS a plain fsync leaves the data in the drive's volatile
	// cache; F_FULLFSYNC flushes it. Other systems ignore this pragma.
	q.Add("_pragma", "fullfsync(1)")
	// IMMEDIATE takes the write lock at BEGIN: a deferred transaction that
	// reads first and writes later could fail with SQLITE_BUSY at the
	// first write instead of waiting.
	q.Set("_txlock", "immediate")
	w, err := sql.Open("sqlite", uri+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	// Keep the one connection open for good, with its prepared statements.
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)

	s := &Store{path: abs, w: w}
	s.idle.L = &s.mu
	// Connecting runs the pragmas above, which read the file's header:
	// a file that is not a database fails here.
	err = w.Ping()
	if err == nil {
		err = s.check(o)
	}
	if err == nil {
		err = s.migrate(migrations[:])
	}
	if err != nil {
		w.Close()
		return nil, openError(abs, err)
	}

	// mode=ro makes SQLite refuse any write on these connections. They
	// must be opened after the writer has switched the file to WAL, which
	// a read-only connection cannot do. BEGIN stays deferred here: an
	// IMMEDIATE one would take the write lock.
	q = url.Values{}
	q.Set("mode", "ro")
	q.Add("_pragma", "busy_timeout(10000)")
	r, err := sql.Open("sqlite", uri+"?"+q.Encode())
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	n := max(4, runtime.GOMAXPROCS(0))
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	s.r = r

	for i, q := range queries {
		if s.wStmts[i], err = w.Prepare(q); err == nil {
			s.rStmts[i], err = r.Prepare(q)
		}
		if err != nil {
			s.Close()
			return nil, fmt.Errorf("store: open %s: prepare %q: %w", path, q, err)
		}
	}
	for i, q := range spQueries {
		if s.spStmts[i], err = w.Prepare(q); err != nil {
			s.Close()
			return nil, fmt.Errorf("store: open %s: prepare %q: %w", path, q, err)
		}
	}
	if s.file, err = os.Stat(abs); err != nil {
		s.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	return s, nil
}

// fileURI turns an absolute path into a "file:" URI. The driver splits the
// DSN at the first '?', and SQLite decodes %XX escapes in the path, so
// those characters (and '#') are escaped.
func fileURI(abs string) string {
	p := filepath.ToSlash(abs)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // a Windows drive path: file:///C:/...
	}
	p = strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(p)
	return "file://" + p
}

// View implements store.Store. The first statement of the read
// transaction pins a WAL snapshot that lasts until fn returns.
func (s *Store) View(ctx context.Context, sc store.Scope, fn func(store.Tx) error) error {
	sqlTx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return s.fail(ctx, err)
	}
	defer sqlTx.Rollback()
	t := &tx{s: s, ctx: ctx, run: ctx, tx: sqlTx, stmts: &s.rStmts, txStmts: new([numStmts]*sql.Stmt), sc: sc, readOnly: true}
	defer func() { t.done = true }()
	return fn(t)
}

// Update implements store.Store. fn runs as a member of a batch that
// shares one commit with the Updates queued at the same time (batch.go).
// If ctx ends before fn has returned, its work is rolled back and Update
// returns ctx's error; once fn has returned with ctx live, its work is
// committed with the batch, or the batch fails.
func (s *Store) Update(ctx context.Context, sc store.Scope, fn func(store.Tx) error) error {
	return s.update(ctx, sc, func(t *tx) error { return fn(t) })
}

// Subscribe implements store.Store.
func (s *Store) Subscribe(fn func(store.Notice)) (cancel func()) { return s.hub.Subscribe(fn) }

// Locate implements store.Store.
func (s *Store) Locate(ctx context.Context, kind store.Kind, id string) ([]store.Scope, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT account, region FROM records INDEXED BY records_locate
		WHERE kind = ?1 AND id = ?2 ORDER BY account, region`, string(kind), id)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	defer rows.Close()
	var scopes []store.Scope
	for rows.Next() {
		var sc store.Scope
		if err := rows.Scan(&sc.Account, &sc.Region); err != nil {
			return nil, s.fail(ctx, err)
		}
		scopes = append(scopes, sc)
	}
	if err := rows.Err(); err != nil {
		return nil, s.fail(ctx, err)
	}
	return scopes, nil
}

// Scopes implements store.Store. SELECT DISTINCT account, region reads
// a whole index, an entry per record (SQLite skips no duplicates without
// ANALYZE's statistics): 38 ms for 200,000 records in 4 scopes. This
// seeks once or twice per scope in an index that starts with (account,
// region) instead (BenchmarkScopes), in one read transaction, so that
// the answer is one state of the store.
func (s *Store) Scopes(ctx context.Context) ([]store.Scope, error) {
	sqlTx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	defer sqlTx.Rollback()
	stmt := func(i int) *sql.Stmt { return sqlTx.StmtContext(ctx, s.rStmts[i]) }
	nextRegion, nextAccount := stmt(stScopesNextRegion), stmt(stScopesNextAccount)
	var scopes []store.Scope
	var sc store.Scope
	err = stmt(stScopesFirst).QueryRowContext(ctx).Scan(&sc.Account, &sc.Region)
	for err == nil {
		scopes = append(scopes, sc)
		err = nextRegion.QueryRowContext(ctx, sc.Account, sc.Region).Scan(&sc.Region)
		if errors.Is(err, sql.ErrNoRows) {
			err = nextAccount.QueryRowContext(ctx, sc.Account).Scan(&sc.Account, &sc.Region)
		}
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return nil, s.fail(ctx, err)
	}
	return scopes, nil
}

// Reset implements store.Store. It is a member of a batch like an
// Update, so its notice is delivered in commit order with theirs.
func (s *Store) Reset(ctx context.Context) error {
	return s.update(ctx, store.Scope{}, func(t *tx) error {
		t.all = true
		_, err := t.tx.ExecContext(t.run, "DELETE FROM records")
		return t.fail(err)
	})
}

// Close implements store.Store. The Updates queued before it are run
// first; later ones fail. Closing the last connection checkpoints the WAL
// into the main file.
func (s *Store) Close() error {
	s.mu.Lock()
	s.closed = true
	for s.leading {
		s.idle.Wait()
	}
	s.mu.Unlock()
	var errs []error
	if s.r != nil {
		errs = append(errs, s.r.Close()) // closes its statements too
	}
	errs = append(errs, s.w.Close())
	return errors.Join(errs...)
}

// tx implements store.Tx on a database/sql transaction: a View's own, or
// an Update's share of its batch's. It is only valid while fn runs.
type tx struct {
	s *Store
	// ctx is the caller's. run is what statements run on: ctx in a View;
	// in an Update the batch's, which no member's end interrupts (see
	// batch.go), ctx being checked before each statement instead.
	ctx, run context.Context
	tx       *sql.Tx
	stmts    *[numStmts]*sql.Stmt // the pool's prepared statements
	txStmts  *[numStmts]*sql.Stmt // those bound to tx, made on first use
	sc       store.Scope
	readOnly bool
	done     bool
	notices  store.Pending
	// all: this is a Reset, whose notice is Notice{All: true}.
	all bool
	// poisoned: see fail.
	poisoned error
}

func (t *tx) Notify(topic string) error {
	if err := t.check(true); err != nil {
		return err
	}
	t.notices.Add(t.sc, topic)
	return nil
}

// stmt returns statement i bound to the transaction. database/sql reuses
// the statement already prepared on the transaction's connection.
func (t *tx) stmt(i int) *sql.Stmt {
	if t.txStmts[i] == nil {
		t.txStmts[i] = t.tx.StmtContext(t.run, t.stmts[i])
	}
	return t.txStmts[i]
}

func (t *tx) check(write bool) error {
	switch {
	case t.done:
		return errors.New("store: transaction used after its function returned")
	case write && t.readOnly:
		return errReadOnly
	case t.poisoned != nil:
		return t.poisoned
	}
	return t.ctx.Err()
}

// fail is Store.fail for a call of fn. After an error that makes the
// store unusable (an I/O error, a full disk), SQLite may have rolled the
// whole transaction back by itself, and each later statement would
// commit on its own: an Update's Tx then refuses every later call, so
// nothing of fn is written whatever it goes on doing.
func (t *tx) fail(err error) error {
	if !t.readOnly && t.poisoned == nil && unusable(err) {
		t.poisoned = fmt.Errorf("store: the transaction failed: %w", err)
	}
	return t.s.fail(t.ctx, err)
}

func (t *tx) Get(kind store.Kind, id string) (store.Record, error) {
	if err := t.check(false); err != nil {
		return store.Record{}, err
	}
	r := store.Record{Kind: kind, ID: id}
	var key sql.NullString
	err := t.stmt(stGet).QueryRowContext(t.run, t.sc.Account, t.sc.Region, string(kind), id).
		Scan((*string)(&r.Parent.Kind), &r.Parent.ID, &key, &r.Data)
	if errors.Is(err, sql.ErrNoRows) && t.ctx.Err() == nil {
		return store.Record{}, store.ErrNotFound
	}
	if err != nil {
		// No row from a statement cut short by its context proves
		// nothing: that is the context's error too.
		return store.Record{}, t.fail(err)
	}
	r.Key = key.String
	r.Data = nonNil(r.Data)
	return r, nil
}

func (t *tx) List(kind store.Kind, parent store.Ref, after string, limit int) ([]store.Record, error) {
	if err := t.check(false); err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = -1
	}
	rows, err := t.stmt(stList).QueryContext(t.run, t.sc.Account, t.sc.Region, string(kind),
		string(parent.Kind), parent.ID, after, limit)
	if err != nil {
		return nil, t.fail(err)
	}
	defer rows.Close()
	var out []store.Record
	for rows.Next() {
		r := store.Record{Kind: kind, Parent: parent}
		var key sql.NullString
		if err := rows.Scan(&r.ID, &key, &r.Data); err != nil {
			return nil, t.fail(err)
		}
		r.Key = key.String
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
	var n int
	err := t.stmt(stCount).QueryRowContext(t.run, t.sc.Account, t.sc.Region, string(kind),
		string(parent.Kind), parent.ID).Scan(&n)
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
	_, err := t.stmt(stInsert).ExecContext(t.run, t.writeArgs(r)...)
	return t.fail(mapErr(err, r))
}

func (t *tx) Replace(r store.Record) error {
	if err := t.check(true); err != nil {
		return err
	}
	if err := store.Validate(r); err != nil {
		return err
	}
	res, err := t.stmt(stReplace).ExecContext(t.run, t.writeArgs(r)...)
	if err != nil {
		return t.fail(mapErr(err, r))
	}
	return mustAffect(res)
}

func (t *tx) Delete(kind store.Kind, id string) error {
	if err := t.check(true); err != nil {
		return err
	}
	res, err := t.stmt(stDeleteTree).ExecContext(t.run, t.sc.Account, t.sc.Region, string(kind), id)
	if err != nil {
		return t.fail(err)
	}
	return mustAffect(res)
}

// writeArgs are the arguments of stInsert and stReplace.
func (t *tx) writeArgs(r store.Record) []any {
	var key any // NULL: an empty key is never unique
	if r.Key != "" {
		key = r.Key
	}
	return []any{t.sc.Account, t.sc.Region, string(r.Kind), r.ID,
		string(r.Parent.Kind), r.Parent.ID, key, nonNil(r.Data)}
}

// mustAffect turns "no row matched" into ErrNotFound.
func mustAffect(res sql.Result) error {
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return store.ErrNotFound
	}
	return nil
}

// mapErr turns a primary key or unique index violation into ErrConflict.
func mapErr(err error, r store.Record) error {
	var se *sqlitedrv.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return fmt.Errorf("%w: %s %q exists", store.ErrConflict, r.Kind, r.ID)
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE:
			return fmt.Errorf("%w: %s key %q is taken", store.ErrConflict, r.Kind, r.Key)
		}
	}
	return err
}

// nonNil returns b, or an empty slice for nil: a nil []byte would be bound
// as NULL, which the data column rejects, and callers get the same non-nil
// Data from both backends.
func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}
