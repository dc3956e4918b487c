package sqlite

// Group commit. A durable commit costs an fsync of the WAL (half a
// millisecond on a good SSD, far more on a laptop's or a cloud disk),
// and the single writer connection can do one at a time: Updates that
// each commit alone queue behind one another's fsyncs. So Updates are
// queued for one writer goroutine, which runs as many of them as are
// waiting (up to maxBatch) in one SQLite transaction and commits them
// with one COMMIT, one fsync. Those that arrive while it commits make
// the next batch.
//
// Each member of a batch keeps the contract of an Update of its own:
//
//   - Members run one after another, in queue order, each seeing what the
//     members before it wrote: the batch is the serial order.
//   - Each runs in its own SAVEPOINT. Its error, its panic or its ended
//     context rolls back to that savepoint, its own work and notices only,
//     and it is answered at once, without waiting for the commit.
//   - A member that succeeded is answered after the COMMIT: nil once the
//     batch is on disk, the COMMIT's error if it failed (then nothing of
//     the batch was written). Its notices are delivered, with those of the
//     other members kept, in member order, before any member is answered.
//   - fn runs on the caller's goroutine: the writer hands it the
//     transaction and waits for it, so a panic (or t.FailNow) unwinds the
//     caller's stack, not the writer's.
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

// maxBatch bounds a batch: its first member hears of its commit only
// after every member behind it has run, so a queue that never empties
// must not hold it forever. A closed loop of n clients makes batches of
// at most n anyway.
const maxBatch = 64

var (
	errClosed = errors.New("store: closed")
	// errAbandoned is what a member reports when its fn did not return
	// (it panicked or called runtime.Goexit): its caller never sees it.
	errAbandoned = errors.New("store: fn did not return")
)

// member is one Update (or Reset) on its way through the writer.
type member struct {
	ctx context.Context
	sc  store.Scope
	// turn hands the member the batch's transaction; ran returns what
	// became of its fn (nil: keep its work); result is its answer, sent
	// once, without a turn if it never gets one. Each has room for its
	// one value, so no send waits.
	turn   chan *tx
	ran    chan error
	result chan error
}

// update runs fn as a member of a batch; see Update.
func (s *Store) update(ctx context.Context, sc store.Scope, fn func(*tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m := &member{ctx: ctx, sc: sc, turn: make(chan *tx, 1), ran: make(chan error, 1), result: make(chan error, 1)}
	if err := s.enqueue(m); err != nil {
		return err
	}
	select {
	case t := <-m.turn:
		return m.take(t, fn)
	case err := <-m.result:
		return err
	case <-ctx.Done():
		if s.withdraw(m) {
			return ctx.Err()
		}
	}
	// The writer took m before it could leave; its turn (where the ended
	// context stops it) or its answer comes at once.
	select {
	case t := <-m.turn:
		return m.take(t, fn)
	case err := <-m.result:
		return err
	}
}

// take runs fn on m's turn and waits for m's answer.
func (m *member) take(t *tx, fn func(*tx) error) error {
	returned := false
	defer func() {
		t.done = true
		if !returned {
			// The writer rolls its work back before the panic goes on.
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

func (s *Store) enqueue(m *member) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errClosed
	}
	s.queue = append(s.queue, m)
	s.signal()
	return nil
}

// signal wakes the writer, unless a wake-up is pending already.
func (s *Store) signal() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// withdraw takes m out of the queue, unless the writer has taken it.
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

// next takes the first queued member; with wait, it waits for one. It
// returns nil when there is none, and once the store is closed and the
// queue is empty.
func (s *Store) next(wait bool) *member {
	for {
		s.mu.Lock()
		if len(s.queue) > 0 {
			m := s.queue[0]
			s.queue[0] = nil
			s.queue = s.queue[1:]
			s.mu.Unlock()
			return m
		}
		closed := s.closed
		s.mu.Unlock()
		if !wait || closed {
			return nil
		}
		<-s.wake
	}
}

// write is the writer goroutine: batch after batch until Close.
func (s *Store) write() {
	defer close(s.stopped)
	for m := s.next(true); m != nil; m = s.next(true) {
		s.batch(m)
	}
}

// batch runs first and the members queued behind it in one transaction,
// commits it, and answers them.
func (s *Store) batch(first *member) {
	// The batch's own context, which no member can end: see the top of
	// this file.
	ctx := context.Background()
	sqlTx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		first.result <- s.fail(first.ctx, err)
		return
	}
	b := &batchTx{s: s, tx: sqlTx}
	var (
		kept    []*member
		notices []store.Notice
	)
	// abort ends the batch when the transaction itself has failed:
	// nothing of it is written, and the members kept so far hear why.
	abort := func(err error) {
		sqlTx.Rollback()
		err = fmt.Errorf("store: the transaction shared with other updates failed: %w", s.fail(ctx, err))
		for _, k := range kept {
			k.result <- err
		}
	}
	for n := 0; n < maxBatch; n++ {
		m := first
		if n > 0 {
			if m = s.next(false); m == nil {
				break
			}
		}
		if err := m.ctx.Err(); err != nil {
			m.result <- err
			continue
		}
		if err := b.exec(spBegin); err != nil {
			m.result <- s.fail(m.ctx, err)
			abort(err)
			return
		}
		t := &tx{s: s, ctx: m.ctx, run: ctx, tx: sqlTx, stmts: &s.wStmts, txStmts: &b.stmts, sc: m.sc}
		m.turn <- t
		if err := <-m.ran; err != nil {
			spErr := b.exec(spRollback)
			if spErr == nil {
				spErr = b.exec(spRelease)
			}
			m.result <- err
			if spErr != nil {
				abort(spErr)
				return
			}
			continue
		}
		// Inside BEGIN, RELEASE merges the savepoint into the
		// transaction. It fails if SQLite has rolled the whole
		// transaction back by itself (after an I/O error, say): that is
		// noticed here, before another member runs.
		if err := b.exec(spRelease); err != nil {
			m.result <- fmt.Errorf("store: commit: %w", s.fail(m.ctx, err))
			abort(err)
			return
		}
		kept = append(kept, m)
		if t.all {
			notices = append(notices, store.Notice{All: true})
		} else {
			notices = append(notices, t.notices.Notices()...)
		}
	}
	if len(kept) == 0 {
		sqlTx.Rollback() // nothing to write, and no fsync
		return
	}
	err = s.hub.Commit(func() error {
		s.commits.Add(1)
		return s.fail(ctx, sqlTx.Commit())
	}, notices)
	if err != nil {
		err = fmt.Errorf("store: commit: %w", err)
	}
	for _, k := range kept {
		k.result <- err
	}
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

// batchTx is what the members of a batch share besides the transaction:
// the statements bound to it, made on first use by whichever member
// needs one.
type batchTx struct {
	s     *Store
	tx    *sql.Tx
	stmts [numStmts]*sql.Stmt
	sp    [numSpStmts]*sql.Stmt
}

// exec runs savepoint statement i.
func (b *batchTx) exec(i int) error {
	ctx := context.Background() // the batch's
	if b.sp[i] == nil {
		b.sp[i] = b.tx.StmtContext(ctx, b.s.spStmts[i])
	}
	_, err := b.sp[i].ExecContext(ctx)
	return err
}
