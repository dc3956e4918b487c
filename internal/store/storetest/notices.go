package storetest

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/portico-dev/portico/internal/store"
)

// recorder collects the notices a subscriber is given.
type recorder struct {
	mu sync.Mutex
	ns []store.Notice
}

func (r *recorder) add(n store.Notice) {
	r.mu.Lock()
	r.ns = append(r.ns, n)
	r.mu.Unlock()
}

func (r *recorder) take() []store.Notice {
	r.mu.Lock()
	defer r.mu.Unlock()
	ns := r.ns
	r.ns = nil
	return ns
}

// topics returns the topics of ns, "*" for an All notice.
func topics(ns []store.Notice) []string {
	var out []string
	for _, n := range ns {
		if n.All {
			out = append(out, "*")
			continue
		}
		out = append(out, n.Topic)
	}
	return out
}

// bumpAndNotify adds one to counter "c" and names its new value as a
// notice topic.
func bumpAndNotify(tx store.Tx) error {
	n, err := bump(tx)
	if err != nil {
		return err
	}
	return tx.Notify(strconv.Itoa(n))
}

// testNoticesAfterCommit: a commit's notices reach every subscriber
// before Update returns, once each, in the transaction's scope, and the
// subscriber already sees the committed state.
func testNoticesAfterCommit(t *testing.T, s store.Store) {
	var got recorder
	var sawRecord bool
	cancel := s.Subscribe(func(n store.Notice) {
		got.add(n)
		// The notice comes after the commit: a read sees the write.
		err := s.View(context.Background(), n.Scope, func(tx store.Tx) error {
			_, err := tx.Get(kAPI, "a1")
			return err
		})
		sawRecord = err == nil
	})
	defer cancel()
	var other recorder
	defer s.Subscribe(other.add)()

	update(t, s, sc2, func(tx store.Tx) error {
		if err := tx.Insert(rec(kAPI, "a1", store.Ref{}, "", "{}")); err != nil {
			return err
		}
		for _, topic := range []string{"api/a1", "domain/x", "api/a1"} {
			if err := tx.Notify(topic); err != nil {
				return err
			}
		}
		return nil
	})
	ns := got.take()
	if want := []string{"api/a1", "domain/x"}; !slices.Equal(topics(ns), want) {
		t.Fatalf("notices %q, want %q (each topic once, in order, before Update returned)", topics(ns), want)
	}
	for _, n := range ns {
		if n.Scope != sc2 {
			t.Errorf("notice %q in scope %v, want %v", n.Topic, n.Scope, sc2)
		}
	}
	if !sawRecord {
		t.Error("the subscriber could not read the committed record")
	}
	if o := topics(other.take()); len(o) != 2 {
		t.Errorf("second subscriber got %q", o)
	}

	// A transaction with no write still delivers its notices.
	update(t, s, sc1, func(tx store.Tx) error { return tx.Notify("ping") })
	if ns := topics(got.take()); !slices.Equal(ns, []string{"ping"}) {
		t.Errorf("notice-only transaction: %q", ns)
	}

	// After cancel, nothing more.
	cancel()
	update(t, s, sc1, func(tx store.Tx) error { return tx.Notify("late") })
	if ns := got.take(); len(ns) != 0 {
		t.Errorf("after cancel: %q", topics(ns))
	}
}

// testNoticesNotOnRollback: a transaction that fails, panics or whose
// context ends delivers nothing; a View cannot notify.
func testNoticesNotOnRollback(t *testing.T, s store.Store) {
	var got recorder
	defer s.Subscribe(got.add)()
	boom := errors.New("boom")
	err := s.Update(context.Background(), sc1, func(tx store.Tx) error {
		tx.Notify("failed")
		return boom
	})
	wantErr(t, "fn error", err, boom)

	func() {
		defer func() { recover() }()
		s.Update(context.Background(), sc1, func(tx store.Tx) error {
			tx.Notify("panicked")
			panic("boom")
		})
	}()

	ctx, cancel := context.WithCancel(context.Background())
	err = s.Update(ctx, sc1, func(tx store.Tx) error {
		tx.Notify("cancelled")
		cancel()
		return nil
	})
	wantErr(t, "ended context", err, context.Canceled)

	// A conflict inside fn that fn returns rolls back too.
	insert(t, s, sc1, rec(kAPI, "a1", store.Ref{}, "", "{}"))
	got.take()
	err = s.Update(context.Background(), sc1, func(tx store.Tx) error {
		tx.Notify("conflicted")
		return tx.Insert(rec(kAPI, "a1", store.Ref{}, "", "{}"))
	})
	wantErr(t, "conflict", err, store.ErrConflict)

	view(t, s, sc1, func(tx store.Tx) error {
		if err := tx.Notify("view"); err == nil {
			t.Error("Notify in a View succeeded")
		}
		return nil
	})
	if ns := got.take(); len(ns) != 0 {
		t.Errorf("notices of rolled-back transactions were delivered: %q", topics(ns))
	}
}

// testNoticesInCommitOrder: concurrent writers each bump a counter and
// name its new value; every subscriber sees the values in order, each
// once.
func testNoticesInCommitOrder(t *testing.T, s store.Store) {
	const workers, rounds = 8, 25
	var got recorder
	defer s.Subscribe(got.add)()
	insert(t, s, sc1, rec(kCount, "c", store.Ref{}, "", "0"))
	got.take()
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for range workers {
		wg.Go(func() {
			for range rounds {
				err := s.Update(context.Background(), sc1, func(tx store.Tx) error {
					return bumpAndNotify(tx)
				})
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	ns := topics(got.take())
	if len(ns) != workers*rounds {
		t.Fatalf("%d notices, want %d", len(ns), workers*rounds)
	}
	for i, topic := range ns {
		if topic != strconv.Itoa(i+1) {
			t.Fatalf("notice %d is %q: not in commit order (%q)", i, topic, ns)
		}
	}
}

// testNoticeOnReset: Reset tells subscribers that anything may have
// changed.
func testNoticeOnReset(t *testing.T, s store.Store) {
	var got recorder
	defer s.Subscribe(got.add)()
	if err := s.Reset(context.Background()); err != nil {
		t.Fatal(err)
	}
	ns := got.take()
	if len(ns) != 1 || !ns[0].All {
		t.Errorf("Reset delivered %+v, want one All notice", ns)
	}
}

// RunShared checks commit notices between two stores on one shared
// database, as two nodes see it: open returns two stores on the same
// fresh database. Each node hears its own commits once and the other's
// once, in commit order, and nothing of a rollback.
func RunShared(t *testing.T, open func(t *testing.T) (a, b store.Store)) {
	a, b := open(t)
	t.Cleanup(func() { a.Close(); b.Close() })
	var onA, onB recorder
	defer a.Subscribe(onA.add)()
	defer b.Subscribe(onB.add)()

	insert(t, a, sc1, rec(kCount, "c", store.Ref{}, "", "0"))
	for i := range 20 {
		node := a
		if i%2 == 1 {
			node = b
		}
		update(t, node, sc1, bumpAndNotify)
	}
	a.Update(context.Background(), sc1, func(tx store.Tx) error {
		tx.Notify("rolled back")
		return errors.New("no")
	})
	var want []string
	for i := range 20 {
		want = append(want, strconv.Itoa(i+1))
	}
	for name, r := range map[string]*recorder{"a": &onA, "b": &onB} {
		var got []string
		deadline := time.Now().Add(10 * time.Second)
		for {
			for _, n := range r.take() {
				if !n.All {
					if n.Scope != sc1 {
						t.Errorf("node %s: notice %q in scope %v", name, n.Topic, n.Scope)
					}
					got = append(got, n.Topic)
				}
			}
			if len(got) >= len(want) || time.Now().After(deadline) {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		// Anything late (a duplicate, the rolled-back one) shows up here.
		time.Sleep(200 * time.Millisecond)
		got = append(got, topics(r.take())...)
		if !slices.Equal(got, want) {
			t.Errorf("node %s heard %q, want %q", name, got, want)
		}
	}
}
