package sqlite

// Group commit (batch.go): batches are made deterministic by a first
// member that holds the writer until the members under test are queued
// behind it.

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/portico-dev/portico/internal/store"
)

var batchScope = store.Scope{Account: "000000000000", Region: "us-east-1"}

// queued is how many Updates wait for the writer.
func (s *Store) queued() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.queue)
}

// errNoReturn marks a member whose Update never returned (runtime.Goexit).
var errNoReturn = errors.New("Update did not return")

// heldBatch is a batch in the making: its first member, the leader,
// runs and waits for release; the members added meanwhile queue behind
// it.
type heldBatch struct {
	t        *testing.T
	s        *Store
	hold     chan struct{}
	first    error // what the leader's Update returned
	leaderOK chan struct{}
	commits  int64 // the store's count before the batch
	errs     []error
	done     []chan struct{}
	wg       sync.WaitGroup
}

// holdWriter starts a batch whose leader inserts "first", notifies
// "first" and returns what then says (nil if then is nil).
func holdWriter(t *testing.T, s *Store, then func(store.Tx) error) *heldBatch {
	t.Helper()
	b := &heldBatch{t: t, s: s, hold: make(chan struct{}), first: errNoReturn, leaderOK: make(chan struct{}),
		commits: s.commits.Load()}
	running := make(chan struct{})
	go func() {
		defer close(b.leaderOK)
		defer func() {
			if p := recover(); p != nil {
				b.first = fmt.Errorf("panic: %v", p)
			}
		}()
		b.first = s.Update(context.Background(), batchScope, func(tx store.Tx) error {
			close(running)
			<-b.hold
			if err := tx.Insert(store.Record{Kind: "api", ID: "first"}); err != nil {
				return err
			}
			if err := tx.Notify("first"); err != nil {
				return err
			}
			if then != nil {
				return then(tx)
			}
			return nil
		})
	}()
	<-running
	return b
}

// add starts update on its own goroutine and waits until it is queued.
// A panic is recorded as its error.
func (b *heldBatch) add(update func() error) (i int) {
	b.t.Helper()
	i = len(b.errs)
	b.errs = append(b.errs, errNoReturn)
	done := make(chan struct{})
	b.done = append(b.done, done)
	want := b.s.queued() + 1
	b.wg.Go(func() {
		defer close(done)
		defer func() {
			if p := recover(); p != nil {
				b.errs[i] = fmt.Errorf("panic: %v", p)
			}
		}()
		b.errs[i] = update()
	})
	waitFor(b.t, "the member to be queued", func() bool { return b.s.queued() == want })
	return i
}

// returned reports whether member i's Update has returned.
func (b *heldBatch) returned(i int) bool {
	select {
	case <-b.done[i]:
		return true
	default:
		return false
	}
}

// release lets the leader finish and waits for every member; it returns
// their errors, the leader's, and how many commits there were since the
// batch began.
func (b *heldBatch) release() (errs []error, first error, commits int64) {
	b.t.Helper()
	close(b.hold)
	<-b.leaderOK
	b.wg.Wait()
	return b.errs, b.first, b.s.commits.Load() - b.commits
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// insertNotify is an Update that inserts api id and notifies id, then
// returns what then says (nil if then is nil).
func insertNotify(s *Store, ctx context.Context, id string, then func(store.Tx) error) func() error {
	return func() error {
		return s.Update(ctx, batchScope, func(tx store.Tx) error {
			if err := tx.Insert(store.Record{Kind: "api", ID: id}); err != nil {
				return err
			}
			if err := tx.Notify(id); err != nil {
				return err
			}
			if then != nil {
				return then(tx)
			}
			return nil
		})
	}
}

func exists(t *testing.T, s *Store, id string) bool {
	t.Helper()
	err := s.View(context.Background(), batchScope, func(tx store.Tx) error {
		_, err := tx.Get("api", id)
		return err
	})
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		t.Fatal(err)
	}
	return err == nil
}

type noticeLog struct {
	mu     sync.Mutex
	topics []string
}

func (l *noticeLog) add(n store.Notice) {
	l.mu.Lock()
	l.topics = append(l.topics, n.Topic)
	l.mu.Unlock()
}

func (l *noticeLog) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	ts := l.topics
	l.topics = nil
	return ts
}

// TestBatchMemberFails: in one batch, members that fail (an error, a
// conflict, a panic, runtime.Goexit) roll back their own work and
// notices; the others commit, each seeing what the members before it
// wrote, in one commit.
func TestBatchMemberFails(t *testing.T) {
	s, _ := openTemp(t)
	defer s.Close()
	var notices noticeLog
	defer s.Subscribe(notices.add)()
	ctx := context.Background()
	errBoom := errors.New("boom")

	b := holdWriter(t, s, nil)
	ok1 := b.add(insertNotify(s, ctx, "ok1", nil))
	failing := b.add(insertNotify(s, ctx, "failing", func(store.Tx) error { return errBoom }))
	panics := b.add(insertNotify(s, ctx, "panics", func(store.Tx) error { panic("boom") }))
	exits := b.add(insertNotify(s, ctx, "exits", func(store.Tx) error { runtime.Goexit(); return nil }))
	// A conflict with a member before it in the batch, which fn returns.
	conflict := b.add(insertNotify(s, ctx, "ok1", nil))
	// A member reads what the one before it wrote, and a failed write
	// inside fn that fn gets over does not roll back the rest of it.
	ok2 := b.add(insertNotify(s, ctx, "ok2", func(tx store.Tx) error {
		if _, err := tx.Get("api", "ok1"); err != nil {
			return fmt.Errorf("ok1 not visible to the member after it: %w", err)
		}
		if err := tx.Insert(store.Record{Kind: "api", ID: "first"}); !errors.Is(err, store.ErrConflict) {
			return fmt.Errorf("insert of first: %v", err)
		}
		return nil
	}))
	errs, first, commits := b.release()

	if first != nil || errs[ok1] != nil || errs[ok2] != nil {
		t.Errorf("members that succeeded: %v, %v, %v", first, errs[ok1], errs[ok2])
	}
	if !errors.Is(errs[failing], errBoom) {
		t.Errorf("failing member: %v, want its own error", errs[failing])
	}
	if errs[panics] == nil || errs[panics].Error() != "panic: boom" {
		t.Errorf("panicking member: %v, want its panic", errs[panics])
	}
	if errs[exits] != errNoReturn {
		t.Errorf("member calling Goexit: %v", errs[exits])
	}
	if !errors.Is(errs[conflict], store.ErrConflict) {
		t.Errorf("conflicting member: %v", errs[conflict])
	}
	if commits != 1 {
		t.Errorf("%d commits, want 1 for the whole batch", commits)
	}
	for id, want := range map[string]bool{"first": true, "ok1": true, "ok2": true, "failing": false, "panics": false, "exits": false} {
		if got := exists(t, s, id); got != want {
			t.Errorf("%s committed: %v, want %v", id, got, want)
		}
	}
	if got, want := notices.take(), []string{"first", "ok1", "ok2"}; !slices.Equal(got, want) {
		t.Errorf("notices %q, want %q (the kept members', in order)", got, want)
	}
	if err := s.Health(ctx); err != nil {
		t.Errorf("Health after the members' own errors: %v", err)
	}
}

// TestBatchLeaderFails: the Update that leads a batch fails, panics or
// calls runtime.Goexit in its own fn, on its own goroutine; its work is
// rolled back, the members queued behind it run and commit all the same,
// and its panic reaches its own caller.
func TestBatchLeaderFails(t *testing.T) {
	errBoom := errors.New("boom")
	for name, then := range map[string]func(store.Tx) error{
		"error":  func(store.Tx) error { return errBoom },
		"panic":  func(store.Tx) error { panic("boom") },
		"goexit": func(store.Tx) error { runtime.Goexit(); return nil },
	} {
		t.Run(name, func(t *testing.T) {
			s, _ := openTemp(t)
			defer s.Close()
			var notices noticeLog
			defer s.Subscribe(notices.add)()
			ctx := context.Background()
			b := holdWriter(t, s, then)
			ok1 := b.add(insertNotify(s, ctx, "ok1", nil))
			ok2 := b.add(insertNotify(s, ctx, "ok2", nil))
			errs, first, commits := b.release()

			want := map[string]error{"error": errBoom, "panic": errors.New("panic: boom"), "goexit": errNoReturn}[name]
			if first == nil || first.Error() != want.Error() {
				t.Errorf("leader: %v, want %v", first, want)
			}
			if errs[ok1] != nil || errs[ok2] != nil {
				t.Errorf("members behind the leader: %v, %v", errs[ok1], errs[ok2])
			}
			if commits != 1 {
				t.Errorf("%d commits, want 1", commits)
			}
			for id, want := range map[string]bool{"first": false, "ok1": true, "ok2": true} {
				if got := exists(t, s, id); got != want {
					t.Errorf("%s committed: %v, want %v", id, got, want)
				}
			}
			if got, want := notices.take(), []string{"ok1", "ok2"}; !slices.Equal(got, want) {
				t.Errorf("notices %q, want %q", got, want)
			}
		})
	}
}

// TestBatchSubscriberPanics: a subscriber that panics as a batch's
// notices go out unwinds the leader (whose Update it panics), but the
// members committed with it are told so, and the store goes on.
func TestBatchSubscriberPanics(t *testing.T) {
	s, _ := openTemp(t)
	defer s.Close()
	defer s.Subscribe(func(n store.Notice) {
		if n.Topic == "boom" {
			panic("subscriber")
		}
	})()
	ctx := context.Background()
	b := holdWriter(t, s, nil)
	boom := b.add(insertNotify(s, ctx, "boom", nil))
	errs, first, _ := b.release()
	if first == nil || first.Error() != "panic: subscriber" {
		t.Errorf("leader: %v, want the subscriber's panic", first)
	}
	if errs[boom] != nil || !exists(t, s, "boom") || !exists(t, s, "first") {
		t.Errorf("member committed with the leader: %v", errs[boom])
	}
	if err := insertNotify(s, ctx, "after", nil)(); err != nil {
		t.Errorf("Update after the panic: %v", err)
	}
}

// TestBatchMemberContextEnds: a member whose context ends while it waits
// in the queue leaves at once; one whose context ends while its fn runs
// is rolled back alone, without interrupting the shared transaction; one
// whose context ends after its fn returned, while the batch commits, is
// committed and told so.
func TestBatchMemberContextEnds(t *testing.T) {
	s, _ := openTemp(t)
	defer s.Close()
	var notices noticeLog
	defer s.Subscribe(notices.add)()
	ctx := context.Background()

	b := holdWriter(t, s, nil)
	ok1Ctx, cancelOK1 := context.WithCancel(ctx)
	defer cancelOK1()
	ok1 := b.add(insertNotify(s, ok1Ctx, "ok1", nil))
	inFnCtx, cancelInFn := context.WithCancel(ctx)
	defer cancelInFn()
	inFn := b.add(insertNotify(s, inFnCtx, "infn", func(tx store.Tx) error {
		cancelInFn()
		// The next call sees the ended context; fn ignores it.
		if err := tx.Insert(store.Record{Kind: "api", ID: "infn2"}); !errors.Is(err, context.Canceled) {
			return fmt.Errorf("insert after the cancel: %v", err)
		}
		return nil
	}))
	queuedCtx, cancelQueued := context.WithCancel(ctx)
	inQueue := b.add(insertNotify(s, queuedCtx, "inqueue", nil))
	// This one ends ok1's context after ok1's fn has returned, before the
	// batch commits.
	ok2 := b.add(insertNotify(s, ctx, "ok2", func(store.Tx) error { cancelOK1(); return nil }))

	cancelQueued()
	waitFor(t, "the cancelled member to leave the queue", func() bool { return b.returned(inQueue) })
	if !errors.Is(b.errs[inQueue], context.Canceled) {
		t.Errorf("member cancelled in the queue: %v", b.errs[inQueue])
	}
	errs, first, commits := b.release()

	if first != nil {
		t.Errorf("first member: %v", first)
	}
	if errs[ok1] != nil {
		t.Errorf("member whose context ended after its fn: %v, want nil (it is committed)", errs[ok1])
	}
	if errs[ok2] != nil {
		t.Errorf("member after the cancelled ones: %v", errs[ok2])
	}
	if !errors.Is(errs[inFn], context.Canceled) {
		t.Errorf("member cancelled in fn: %v", errs[inFn])
	}
	if commits != 1 {
		t.Errorf("%d commits, want 1", commits)
	}
	for id, want := range map[string]bool{"first": true, "ok1": true, "ok2": true, "infn": false, "infn2": false, "inqueue": false} {
		if got := exists(t, s, id); got != want {
			t.Errorf("%s committed: %v, want %v", id, got, want)
		}
	}
	if got, want := notices.take(), []string{"first", "ok1", "ok2"}; !slices.Equal(got, want) {
		t.Errorf("notices %q, want %q", got, want)
	}
}

// TestBatchCommitFails: a COMMIT that fails fails every member of the
// batch, writes nothing of it, delivers no notice, and leaves the store
// healthy and usable. SQLite checks deferred foreign keys at COMMIT,
// which makes one fail on demand.
func TestBatchCommitFails(t *testing.T) {
	s, _ := openTemp(t)
	defer s.Close()
	ctx := context.Background()
	for _, q := range []string{
		"PRAGMA foreign_keys = ON", // on the writer's one connection
		"CREATE TABLE p (id TEXT PRIMARY KEY)",
		"CREATE TABLE c (pid TEXT REFERENCES p (id) DEFERRABLE INITIALLY DEFERRED)",
	} {
		if _, err := s.w.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	var notices noticeLog
	defer s.Subscribe(notices.add)()

	b := holdWriter(t, s, nil)
	ok1 := b.add(insertNotify(s, ctx, "ok1", nil))
	dangling := b.add(func() error {
		return s.update(ctx, batchScope, func(t *tx) error {
			_, err := t.tx.ExecContext(t.run, "INSERT INTO c VALUES ('nowhere')")
			return err
		})
	})
	ok2 := b.add(insertNotify(s, ctx, "ok2", nil))
	errs, first, commits := b.release()

	if first == nil {
		t.Error("first member of a batch whose COMMIT failed: nil error")
	}
	for _, i := range []int{ok1, dangling, ok2} {
		if errs[i] == nil {
			t.Errorf("member %d of a batch whose COMMIT failed: nil error", i)
		}
	}
	t.Logf("error: %v", errs[ok1])
	if commits != 1 {
		t.Errorf("%d commits, want 1", commits)
	}
	for _, id := range []string{"first", "ok1", "ok2"} {
		if exists(t, s, id) {
			t.Errorf("%s is committed", id)
		}
	}
	if got := notices.take(); len(got) != 0 {
		t.Errorf("notices of a failed commit: %q", got)
	}
	if err := s.Health(ctx); err != nil {
		t.Errorf("Health: %v", err)
	}
	if err := insertNotify(s, ctx, "after", nil)(); err != nil || !exists(t, s, "after") {
		t.Errorf("Update after the failed commit: %v", err)
	}
}

// TestBatching: concurrent Updates share commits, and their
// read-modify-writes still lose nothing.
func TestBatching(t *testing.T) {
	s, _ := openTemp(t)
	defer s.Close()
	ctx := context.Background()
	if err := s.Update(ctx, batchScope, func(tx store.Tx) error {
		return tx.Insert(store.Record{Kind: "counter", ID: "c", Data: []byte("0")})
	}); err != nil {
		t.Fatal(err)
	}
	const workers, rounds = 16, 25
	before := s.commits.Load()
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for range rounds {
				err := s.Update(ctx, batchScope, func(tx store.Tx) error {
					r, err := tx.Get("counter", "c")
					if err != nil {
						return err
					}
					n, _ := strconv.Atoi(string(r.Data))
					r.Data = []byte(strconv.Itoa(n + 1))
					return tx.Replace(r)
				})
				if err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	commits := s.commits.Load() - before
	t.Logf("%d updates in %d commits", workers*rounds, commits)
	if commits >= workers*rounds {
		t.Errorf("%d commits for %d concurrent updates: no batching", commits, workers*rounds)
	}
	err := s.View(ctx, batchScope, func(tx store.Tx) error {
		r, err := tx.Get("counter", "c")
		if err == nil && string(r.Data) != strconv.Itoa(workers*rounds) {
			err = fmt.Errorf("counter %s, want %d", r.Data, workers*rounds)
		}
		return err
	})
	if err != nil {
		t.Error(err)
	}
}

// TestCloseRunsQueued: Updates queued before Close are run; later ones
// fail.
func TestCloseRunsQueued(t *testing.T) {
	s, path := openTemp(t)
	ctx := context.Background()
	b := holdWriter(t, s, nil)
	queued := b.add(insertNotify(s, ctx, "queued", nil))
	closed := make(chan error, 1)
	go func() { closed <- s.Close() }()
	waitFor(t, "Close to begin", func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.closed
	})
	if err := insertNotify(s, ctx, "late", nil)(); !errors.Is(err, errClosed) {
		t.Errorf("Update after Close: %v", err)
	}
	errs, first, _ := b.release()
	if first != nil || errs[queued] != nil {
		t.Errorf("Updates queued before Close: %v, %v", first, errs[queued])
	}
	if err := <-closed; err != nil {
		t.Fatal(err)
	}
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if !exists(t, s, "queued") || exists(t, s, "late") {
		t.Error("after reopening: the queued Update is missing, or the late one is there")
	}
}

// TestResetWithUpdates: Reset runs through the writer like an Update.
// (It once took the hub's order lock and then waited for the writer
// connection, while an Update held the connection and waited for the
// lock: concurrent Resets and Updates deadlocked.)
func TestResetWithUpdates(t *testing.T) {
	s, _ := openTemp(t)
	defer s.Close()
	ctx := context.Background()
	done := make(chan struct{})
	go func() {
		defer close(done)
		var wg sync.WaitGroup
		for i := range 4 {
			wg.Go(func() {
				for range 50 {
					var err error
					if i == 0 {
						err = s.Reset(ctx)
					} else {
						err = s.Update(ctx, batchScope, func(tx store.Tx) error { return tx.Notify("x") })
					}
					if err != nil {
						t.Error(err)
						return
					}
				}
			})
		}
		wg.Wait()
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("Resets and Updates deadlocked")
	}
}
