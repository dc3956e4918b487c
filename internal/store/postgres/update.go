package postgres

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/portico-dev/portico/internal/store"
)

const (
	// maxAttempts bounds how many times Update runs fn when PostgreSQL
	// aborts the transaction for a reason a second try can cure.
	maxAttempts = 5
	// commitTimeout bounds a COMMIT, which runs without the caller's
	// context (see write).
	commitTimeout = 30 * time.Second
	// cleanupTimeout bounds a ROLLBACK.
	cleanupTimeout = 5 * time.Second
)

// View implements store.Store.
func (s *Store) View(ctx context.Context, sc store.Scope, fn func(store.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	pgTx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return ctxOr(ctx, err)
	}
	t := &tx{ctx: ctx, tx: pgTx, sc: sc, readOnly: true}
	defer t.end()
	return fn(t)
}

// Update implements store.Store. fn runs again, up to maxAttempts times in
// all, when PostgreSQL aborted the transaction with a serialization
// failure or a deadlock. The scope locks make both unlikely: each Update
// takes one lock, first.
func (s *Store) Update(ctx context.Context, sc store.Scope, fn func(store.Tx) error) error {
	return s.commit(ctx, sc, scopeBegin(sc), nil, func(t *tx) error { return fn(t) })
}

// scopeBegin starts a write transaction of sc: it takes the scope's
// advisory lock in the same round trip. The lock is held until the
// transaction ends, however it ends.
func scopeBegin(sc store.Scope) string {
	return fmt.Sprintf("BEGIN ISOLATION LEVEL READ COMMITTED; SELECT pg_advisory_xact_lock(%d)", scopeLock(sc))
}

// scopeLock is sc's advisory lock key. Two scopes whose hashes collide
// only wait for each other.
func scopeLock(sc store.Scope) int64 {
	h := fnv.New64a()
	h.Write([]byte(sc.Account))
	h.Write([]byte{0})
	h.Write([]byte(sc.Region))
	return int64(h.Sum64())
}

// commit runs fn in a write transaction of sc begun by the statements
// begin (a plain BEGIN if empty), with the retries of Update. notices,
// when not nil, replace those fn queued.
func (s *Store) commit(ctx context.Context, sc store.Scope, begin string, notices []store.Notice, fn func(*tx) error) error {
	for attempt := 1; ; attempt++ {
		again, err := s.write(ctx, sc, begin, notices, fn)
		if !again || attempt == maxAttempts {
			return err
		}
		// A little random wait, growing: two transactions that
		// deadlocked must not meet again at once.
		select {
		case <-time.After(time.Duration(rand.Int64N(int64(5*time.Millisecond) << attempt))):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// write is one attempt of commit. again says that the attempt failed in a
// way that running fn again may cure.
func (s *Store) write(ctx context.Context, sc store.Scope, begin string, notices []store.Notice, fn func(*tx) error) (again bool, err error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	leave := func() {}
	if begin != "" { // an Update, which takes its scope's lock
		if leave, err = s.gate.enter(ctx, sc); err != nil {
			return false, err
		}
		defer leave()
	}
	pgTx, err := s.pool.BeginTx(ctx, pgx.TxOptions{BeginQuery: begin})
	if err != nil {
		return retryable(err), ctxOr(ctx, err)
	}
	t := &tx{ctx: ctx, tx: pgTx, sc: sc}
	defer t.end()
	if err := fn(t); err != nil {
		return t.again != nil || retryable(err), err
	}
	if err := ctx.Err(); err != nil {
		return false, err
	}
	if t.failed != nil {
		// fn went on after a statement failed, but PostgreSQL aborts the
		// whole transaction on any error.
		return t.again != nil, fmt.Errorf("store: the transaction was rolled back: an earlier statement failed: %w", t.failed)
	}
	if notices == nil {
		notices = t.notices.Notices()
	}
	var w *waiter
	if len(notices) > 0 {
		w = s.waiters.add(notices)
		// One statement for all of a commit's payloads: PostgreSQL queues
		// them in the order given, next to each other.
		_, err := pgTx.Exec(ctx, `SELECT pg_notify($1, p) FROM unnest($2::text[]) AS p`, channel, payloads(s.node, w.seq, notices))
		if err != nil {
			s.waiters.take(w.seq)
			err = t.fail(err) // may set t.again
			return t.again != nil, err
		}
	}
	// From here on the transaction commits whatever becomes of ctx: a
	// COMMIT cut short by a cancelled context may still have committed,
	// and the caller would be told otherwise. The contract only rolls
	// back for a context that ended before the commit.
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), commitTimeout)
	defer cancel()
	if err := pgTx.Commit(cctx); err != nil {
		if w != nil {
			s.waiters.take(w.seq)
		}
		return retryable(err), fmt.Errorf("store: commit: %w", err)
	}
	t.committed = true
	// The next writer of the scope need not wait for this one's notices.
	leave()
	s.await(w)
	return false, nil
}

// retryable reports whether err is PostgreSQL aborting a transaction that
// a second try may commit: a serialization failure, or a deadlock.
func retryable(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && (pgErr.Code == "40001" || pgErr.Code == "40P01")
}
