package sqlite

// Group commit. A durable commit costs an fsync of the WAL (half a
// millisecond on a good SSD, far more on a laptop's or a cloud disk),
// and the single writer connection can do one at a time: Updates that
// each commit alone queue behind one another's fsyncs. So the Updates
// that arrive while one is in flight queue up, and the next batch runs as
// many of them as are waiting (up to maxBatch) in one SQLite transaction
// and commits them with one COMMIT, one fsync.
//
// A batch is run by its leader: the Update that found the writer free,
// or the first of the queue when the batch before it ends. An Update
// alone thus runs on its own goroutine, as it would without batching.
// The leader runs its own fn, then hands each member queued behind it
// the transaction in turn, commits, delivers the notices, answers the
// members, and makes the first member still queued the next leader.
//
// Each member of a batch keeps the contract of an Update of its own:
//
//   - Members run one after another, in queue order, each seeing what the
//     members before it wrote: the batch is the serial order.
//   - Each member behind the leader runs in its own SAVEPOINT. Its error,
//     its panic or its ended context rolls back to that savepoint, its own
//     work and notices only, and it is answered at once, without waiting
//     for the commit. The leader runs first, in the transaction itself:
//     its failure rolls back the transaction, which holds nothing else
//     yet, and hands the queue to the next leader.
//   - A member that succeeded is answered after the COMMIT: nil once the
//     batch is on disk, the COMMIT's error if it failed (then nothing of
//     the batch was written). Its notices are delivered, with those of the
//     other members kept, in member order, before any member is answered.
//   - fn runs on its caller's goroutine: a member that is not the leader
//     is handed the transaction and waited for, so a panic (or t.FailNow)
//     unwinds the caller's own stack, never the leader's.
//
// No member's context may end a statement of the shared transaction:
// the driver cancels a statement by sqlite3_interrupt, which inside an
// explicit transaction may roll back the whole of it, the other members'
// work included. The statements run on a context of the batch instead
// (tx.run), and a member's context is looked at before each of its
// statements and after its fn.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"github.com/portico-dev/portico/internal/store"
)

// maxBatch bounds a batch: its leader and first members hear of their
// commit only after every member behind them has run, so a queue that
// never empties must not hold them forever. A closed loop of n clients
// makes batches of at most n anyway.
const maxBatch = 64

var (
	errClosed = errors.New("store: closed")
	// errAbandoned is what a member reports when its fn did not return
	// (it panicked or called runtime.Goexit): its caller never sees it.
	errAbandoned  = errors.New("store: fn did not return")
	errUnfinished = errors.New("store: the update that led the batch failed before its commit")
)

// member is one Update (or Reset) waiting in the queue.
type member struct {
	ctx context.Context
	sc  store.Scope
	// turn hands the member the transaction of a batch, for its fn; nil
	// makes it the leader of the next batch. ran returns what became of
	// its fn (nil: keep its work); result is its answer, sent once,
	// without a turn if it never gets one. Each has room for its one
	// value, so no send waits.
	turn   chan *tx
	ran    chan error
	result chan error
}

// update runs fn in a batch; see Update.
func (s *Store) update(ctx context.Context, sc store.Scope, fn func(*tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m := &member{ctx: ctx, sc: sc}
	s.mu.Lock()
	switch {
	case s.closed:
		s.mu.Unlock()
		return errClosed
	case !s.leading:
		s.leading = true
		s.mu.Unlock()
		return s.lead(m, fn)
	}
	m.turn, m.ran, m.result = make(chan *tx, 1), make(chan error, 1), make(chan error, 1)
	s.queue = append(s.queue, m)
	s.mu.Unlock()

	select {
	case t := <-m.turn:
		return s.follow(m, t, fn)
	case err := <-m.result:
		return err
	case <-ctx.Done():
		if s.withdraw(m) {
			return ctx.Err()
		}
	}
	// Taken from the queue before it could leave: its turn, where the
	// ended context stops it, or its answer comes at once.
	select {
	case t := <-m.turn:
		return s.follow(m, t, fn)
	case err := <-m.result:
		return err
	}
}

// follow is a member's part on its turn: t is the batch's transaction,
// or nil if m is to lead the next batch.
func (s *Store) follow(m *member, t *tx, fn func(*tx) error) error {
	if t == nil {
		return s.lead(m, fn)
	}
	returned := false
	defer func() {
		t.done = true
		if !returned {
			// The leader rolls m's work back before the panic goes on.
			m.ran <- errAbandoned
			<-m.result
		}
	}()
	err := m.ctx.Err()
	if err == nil {
		err = fn(t)
	}
	returned = true
	t.done = true
	if err == nil {
		// Work finished after the context ended is not committed.
		err = m.ctx.Err()
	}
	m.ran <- err
	return <-m.result
}

// withdraw takes m out of the queue, unless a leader has taken it.
func (s *Store) withdraw(m *member) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := slices.Index(s.queue, m)
	if i < 0 {
		return false
	}
	s.queue = slices.Delete(s.queue, i, i+1)
	return true
}

// dequeue takes the first queued member, or returns nil.
func (s *Store) dequeue() *member {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pop()
}

// pop is dequeue with s.mu held.
func (s *Store) pop() *member {
	if len(s.queue) == 0 {
		return nil
	}
	m := s.queue[0]
	s.queue[0] = nil
	s.queue = s.queue[1:]
	return m
}

// handOff ends a leader's turn: the first queued member leads the next
// batch, or the writer is free. Both under one lock: an Update that
// queues meanwhile has seen a leader, and waits for one.
func (s *Store) handOff() {
	s.mu.Lock()
	next := s.pop()
	if next == nil {
		s.leading = false
		s.idle.Broadcast()
	}
	s.mu.Unlock()
	if next != nil {
		next.turn <- nil
	}
}

// lead runs a batch whose first member is m, the caller, with fn: its
// own fn runs here, on its goroutine, then those of the members queued
// behind it, on theirs. It returns m's answer.
func (s *Store) lead(first *member, fn func(*tx) error) error {
	// Deferred calls run even if fn panics: the transaction, which then
	// holds fn's work only, is rolled back (a no-op after Commit), and
	// the next leader takes over.
	defer s.handOff()
	sqlTx, err := s.w.BeginTx(batchCtx, nil)
	if err != nil {
		return s.fail(first.ctx, err)
	}
	defer sqlTx.Rollback()
	b := &batch{s: s, sqlTx: sqlTx, outcome: errUnfinished}
	// Should this goroutine unwind mid-batch (a subscriber panicking as
	// the notices go out, say), the members kept still hear whether they
	// are committed.
	defer func() { b.answer(b.outcome) }()

	// The leader's fn runs first, in the transaction itself rather than in
	// a savepoint: should it fail, its work is all the transaction holds,
	// which is rolled back as lead returns, and the next leader takes the
	// queue. So an Update alone costs what it would without batching.
	t := b.tx(first)
	if own := b.run(t, fn); own != nil {
		return own
	}
	b.keep(nil, t) // the leader answers itself

	for n := 1; n < maxBatch; n++ {
		m := s.dequeue()
		if m == nil {
			break
		}
		if err := m.ctx.Err(); err != nil {
			m.result <- err
			continue
		}
		t, err := b.begin(m)
		if err != nil {
			err = b.abort(err)
			m.result <- err
			return err
		}
		m.turn <- t
		fnErr := <-m.ran
		if err := b.end(fnErr); err != nil {
			err = b.abort(err)
			m.result <- firstOf(fnErr, err)
			return err
		}
		if fnErr != nil {
			m.result <- fnErr
			continue
		}
		b.keep(m, t)
	}

	err = s.hub.Commit(func() error {
		s.commits.Add(1)
		err := s.fail(batchCtx, sqlTx.Commit())
		if err == nil {
			b.outcome = nil
		}
		return err
	}, b.notices)
	if err != nil {
		err = fmt.Errorf("store: commit: %w", err)
	}
	b.answer(err)
	return err
}

// batchCtx is what a batch's statements run on, which no member can end:
// see the top of this file.
var batchCtx = context.Background()

// firstOf returns the first error that is not nil.
func firstOf(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// batch is a batch in progress: its transaction, the statements bound to
// it (made on first use by whichever member needs one), and what its
// kept members wait for.
type batch struct {
	s     *Store
	sqlTx *sql.Tx
	stmts [numStmts]*sql.Stmt
	sp    [numSpStmts]*sql.Stmt
	// waiting are the kept members other than the leader, for the
	// commit's outcome.
	waiting []*member
	notices []store.Notice
	// outcome is what the waiting members hear if the leader's goroutine
	// unwinds before it answers them.
	outcome error
}

// run runs the leader's own fn on t, unless its context has ended.
func (b *batch) run(t *tx, fn func(*tx) error) error {
	defer func() { t.done = true }()
	if err := t.ctx.Err(); err != nil {
		return err
	}
	if err := fn(t); err != nil {
		return err
	}
	// Work finished after the context ended is not committed, nor work
	// whose transaction SQLite may have rolled back (a savepoint's RELEASE
	// tells for the other members).
	return firstOf(t.ctx.Err(), t.poisoned)
}

// keep files the work of m (nil for the leader) done through t under the
// batch.
func (b *batch) keep(m *member, t *tx) {
	if m != nil {
		b.waiting = append(b.waiting, m)
	}
	if t.all {
		b.notices = append(b.notices, store.Notice{All: true})
	} else {
		b.notices = append(b.notices, t.notices.Notices()...)
	}
}

// answer tells the waiting members err, once.
func (b *batch) answer(err error) {
	for _, m := range b.waiting {
		m.result <- err
	}
	b.waiting = nil
}

// abort ends the batch when its transaction has failed: nothing of it is
// written, and the members kept so far hear why, as abort returns it.
func (b *batch) abort(err error) error {
	b.sqlTx.Rollback()
	err = fmt.Errorf("store: the transaction shared with other updates failed: %w", b.s.fail(batchCtx, err))
	b.answer(err)
	return err
}

// The statements that bracket each member of a batch, prepared once on
// the writer connection (Store.spStmts): parsing them for every member
// would cost about as much as a member's own few statements.
const (
	spBegin = iota
	spRelease
	spRollback // to the savepoint, which stays open: RELEASE follows
	numSpStmts
)

var spQueries = [numSpStmts]string{
	spBegin:    "SAVEPOINT member",
	spRelease:  "RELEASE member",
	spRollback: "ROLLBACK TO member",
}

// tx returns m's Tx on the batch's transaction.
func (b *batch) tx(m *member) *tx {
	return &tx{s: b.s, ctx: m.ctx, run: batchCtx, tx: b.sqlTx, stmts: &b.s.wStmts, txStmts: &b.stmts, sc: m.sc}
}

// begin opens m's savepoint and returns m's Tx.
func (b *batch) begin(m *member) (*tx, error) {
	if err := b.exec(spBegin); err != nil {
		return nil, err
	}
	return b.tx(m), nil
}

// end closes a member's savepoint: RELEASE keeps its work (merged into
// the transaction), ROLLBACK TO first undoes it when fnErr says its fn
// failed. An error means the transaction itself failed: RELEASE also
// fails if SQLite has rolled the whole transaction back by itself (after
// an I/O error, say), which is noticed here, before another member runs.
func (b *batch) end(fnErr error) error {
	if fnErr != nil {
		if err := b.exec(spRollback); err != nil {
			return err
		}
	}
	return b.exec(spRelease)
}

// exec runs savepoint statement i.
func (b *batch) exec(i int) error {
	if b.sp[i] == nil {
		b.sp[i] = b.sqlTx.StmtContext(batchCtx, b.s.spStmts[i])
	}
	_, err := b.sp[i].ExecContext(batchCtx)
	return err
}
