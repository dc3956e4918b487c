package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	neturl "net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/portico-dev/portico/internal/store"
	"github.com/portico-dev/portico/internal/store/postgres/pgtest"
	"github.com/portico-dev/portico/internal/store/storetest"
)

var _ store.Store = (*Store)(nil)

var sc = store.Scope{Account: "000000000000", Region: "us-east-1"}

func open(t testing.TB, url string) *Store {
	t.Helper()
	s, err := Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return open(t, pgtest.URL(t)) })
}

func TestShared(t *testing.T) {
	storetest.RunShared(t, func(t *testing.T) (a, b store.Store) {
		url := pgtest.URL(t)
		return open(t, url), open(t, url)
	})
}

// recorder collects notices.
type recorder struct {
	mu sync.Mutex
	ns []store.Notice
}

func (r *recorder) add(n store.Notice) {
	r.mu.Lock()
	r.ns = append(r.ns, n)
	r.mu.Unlock()
}

// waitFor returns the notices once there are at least n, or after a while.
func (r *recorder) waitFor(n int) []store.Notice {
	deadline := time.Now().Add(10 * time.Second)
	for {
		r.mu.Lock()
		ns := slices.Clone(r.ns)
		r.mu.Unlock()
		if len(ns) >= n || time.Now().After(deadline) {
			return ns
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestReconnectDeliversAll kills the listening session from another
// connection: the Store listens again and tells its subscribers that
// anything may have changed, then hears the other node's commits again.
func TestReconnectDeliversAll(t *testing.T) {
	url := pgtest.URL(t)
	a, b := open(t, url), open(t, url)
	var got recorder
	defer a.Subscribe(got.add)()

	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var killed int
	err = conn.QueryRow(context.Background(), `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE datname = current_database() AND query = 'LISTEN `+channel+`'`).Scan(&killed)
	if err != nil || killed != 2 {
		t.Fatalf("terminated %d listening sessions (%v), want both stores'", killed, err)
	}
	if ns := got.waitFor(1); len(ns) != 1 || !ns[0].All {
		t.Fatalf("after the kill: %+v, want one All notice", ns)
	}

	// Listening again: b's commits reach a, a's own still before Update returns.
	if err := b.Update(context.Background(), sc, func(tx store.Tx) error { return tx.Notify("from b") }); err != nil {
		t.Fatal(err)
	}
	if ns := got.waitFor(2); len(ns) != 2 || ns[1].Topic != "from b" {
		t.Fatalf("after listening again: %+v", ns)
	}
	if err := a.Update(context.Background(), sc, func(tx store.Tx) error { return tx.Notify("from a") }); err != nil {
		t.Fatal(err)
	}
	got.mu.Lock()
	defer got.mu.Unlock()
	if len(got.ns) != 3 || got.ns[2].Topic != "from a" {
		t.Fatalf("own commit: %+v", got.ns)
	}
}

// TestIncrementsAcrossNodes: two Stores on one database, as two nodes,
// increment one counter concurrently; the scope lock loses none.
func TestIncrementsAcrossNodes(t *testing.T) {
	url := pgtest.URL(t)
	nodes := []*Store{open(t, url), open(t, url)}
	ctx := context.Background()
	if err := nodes[0].Update(ctx, sc, func(tx store.Tx) error {
		return tx.Insert(store.Record{Kind: "counter", ID: "c", Data: []byte("0")})
	}); err != nil {
		t.Fatal(err)
	}
	const workers, rounds = 4, 50
	var wg sync.WaitGroup
	errs := make(chan error, 2*workers)
	for _, s := range nodes {
		for range workers {
			wg.Go(func() {
				for range rounds {
					err := s.Update(ctx, sc, func(tx store.Tx) error {
						r, err := tx.Get("counter", "c")
						if err != nil {
							return err
						}
						n, _ := strconv.Atoi(string(r.Data))
						r.Data = []byte(strconv.Itoa(n + 1))
						return tx.Replace(r)
					})
					if err != nil {
						errs <- err
						return
					}
				}
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	var n string
	err := nodes[1].View(ctx, sc, func(tx store.Tx) error {
		r, err := tx.Get("counter", "c")
		n = string(r.Data)
		return err
	})
	if err != nil || n != strconv.Itoa(2*workers*rounds) {
		t.Errorf("counter = %s (%v), want %d", n, err, 2*workers*rounds)
	}
}

// TestLargeCommitNotices: a commit whose topics take far more than one
// NOTIFY payload reaches the other node whole, in order, as one delivery.
func TestLargeCommitNotices(t *testing.T) {
	url := pgtest.URL(t)
	a, b := open(t, url), open(t, url)
	var onA, onB recorder
	defer a.Subscribe(onA.add)()
	defer b.Subscribe(onB.add)()
	var want []string
	for i := range 1000 {
		want = append(want, fmt.Sprintf("api/%s-%04d", strings.Repeat("x", 20), i)) // 30 000 bytes in all
	}
	err := a.Update(context.Background(), sc, func(tx store.Tx) error {
		for _, topic := range want {
			if err := tx.Notify(topic); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(payloads(a.node, 1, onA.waitFor(len(want)))) < 4 {
		t.Fatal("the notices fit in fewer than 4 payloads: the test does not test splitting")
	}
	for name, r := range map[string]*recorder{"a": &onA, "b": &onB} {
		ns := r.waitFor(len(want))
		var got []string
		for _, n := range ns {
			if n.Scope != sc {
				t.Errorf("%s: notice in scope %v", name, n.Scope)
			}
			got = append(got, n.Topic)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s heard %d notices, want %d in order", name, len(got), len(want))
		}
	}
}

func TestPayloads(t *testing.T) {
	ns := func(topics ...string) []store.Notice {
		var out []store.Notice
		for _, topic := range topics {
			out = append(out, store.Notice{Scope: sc, Topic: topic})
		}
		return out
	}
	if p := payloads("n", 1, ns("a", "b")); len(p) != 1 {
		t.Errorf("two short topics: %d payloads", len(p))
	}
	long := strings.Repeat("é", 2000) // 4000 bytes
	p := payloads("n", 1, ns(long, long, long))
	if len(p) != 3 {
		t.Errorf("three 4000-byte topics: %d payloads", len(p))
	}
	for _, x := range p {
		if len(x) > maxPayload {
			t.Errorf("payload of %d bytes", len(x))
		}
	}
	// A topic that fits in no payload makes the commit an All.
	p = payloads("n", 1, ns("a", strings.Repeat("x", 9000)))
	if len(p) != 1 || !strings.Contains(p[0], `"all":true`) {
		t.Errorf("oversized topic: %q", p)
	}
}

// TestRetry: a serialization failure inside fn runs fn again, whether fn
// returns the error or swallows it; other errors do not.
func TestRetry(t *testing.T) {
	s := open(t, pgtest.URL(t))
	ctx := context.Background()
	fail := func(stx store.Tx) error {
		t := stx.(*tx)
		_, err := t.tx.Exec(ctx, `DO $$ BEGIN RAISE EXCEPTION 'injected' USING ERRCODE = '40001'; END $$`)
		return t.fail(err)
	}
	for _, swallow := range []bool{false, true} {
		runs := 0
		err := s.Update(ctx, sc, func(tx store.Tx) error {
			runs++
			if runs < 3 {
				if err := fail(tx); !swallow {
					return err
				}
				return nil
			}
			return tx.Insert(store.Record{Kind: "api", ID: fmt.Sprint(swallow)})
		})
		if err != nil || runs != 3 {
			t.Errorf("swallow=%v: %d runs, %v", swallow, runs, err)
		}
	}
	runs := 0
	err := s.Update(ctx, sc, func(tx store.Tx) error { runs++; return fail(tx) })
	if !retryable(err) || runs != maxAttempts {
		t.Errorf("always failing: %d runs, %v", runs, err)
	}
	runs = 0
	boom := errors.New("boom")
	err = s.Update(ctx, sc, func(tx store.Tx) error { runs++; return boom })
	if err != boom || runs != 1 {
		t.Errorf("fn's own error: %d runs, %v", runs, err)
	}
}

// TestSwallowedError: fn that goes on after a statement failed (not a
// conflict: those never fail in the database) gets an error from Update,
// not a silent rollback.
func TestSwallowedError(t *testing.T) {
	s := open(t, pgtest.URL(t))
	err := s.Update(context.Background(), sc, func(stx store.Tx) error {
		t := stx.(*tx)
		_, err := t.tx.Exec(t.ctx, `SELECT 1/0`)
		t.fail(err) // as a Tx method would, and fn then ignores it
		return nil
	})
	if err == nil || !strings.Contains(err.Error(), "rolled back") {
		t.Errorf("Update = %v", err)
	}
}

// TestMigrateConcurrently: nodes starting at once on a new database
// create the schema once; a database from a newer Portico is refused.
func TestMigrateConcurrently(t *testing.T) {
	url := pgtest.URL(t)
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Go(func() {
			s, err := Open(context.Background(), url)
			if err == nil {
				s.Close()
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	s := open(t, url)
	if _, err := s.pool.Exec(context.Background(), `UPDATE portico_schema SET version = 99`); err != nil {
		t.Fatal(err)
	}
	if s, err := Open(context.Background(), url); err == nil || !strings.Contains(err.Error(), "newer") {
		if s != nil {
			s.Close()
		}
		t.Errorf("Open of a newer schema: %v", err)
	}
}

// TestUnreachable: a server that cannot be reached makes the store
// unhealthy while it lasts, and no longer; the listener connects again
// and says that notices may have been missed. The password stays out of
// the errors.
func TestUnreachable(t *testing.T) {
	if _, err := Open(context.Background(), "postgres://portico:secret@127.0.0.1:1/x?sslmode=disable&connect_timeout=2"); err == nil ||
		strings.Contains(err.Error(), "secret") {
		t.Errorf("Open of an unreachable server: %v", err)
	}

	u, err := neturl.Parse(pgtest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	p := newProxy(t, u.Host)
	u.Host = p.addr()
	s := open(t, u.String())
	var got recorder
	defer s.Subscribe(got.add)()
	ctx := context.Background()
	if err := s.Health(ctx); err != nil {
		t.Fatal(err)
	}
	p.cut(true)
	if err := s.Health(ctx); err == nil {
		t.Fatal("healthy while the server cannot be reached")
	}
	p.cut(false)
	deadline := time.Now().Add(10 * time.Second)
	for s.Health(ctx) != nil {
		if time.Now().After(deadline) {
			t.Fatalf("still unhealthy once the server is back: %v", s.Health(ctx))
		}
		time.Sleep(50 * time.Millisecond)
	}
	if ns := got.waitFor(1); len(ns) != 1 || !ns[0].All {
		t.Errorf("after the outage: %+v, want one All notice", ns)
	}
}

// proxy forwards TCP connections to a server, until cut.
type proxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	down   bool
	conns  []net.Conn
}

func newProxy(t *testing.T, target string) *proxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln, target: target}
	t.Cleanup(func() { ln.Close(); p.cut(true) })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go p.serve(c)
		}
	}()
	return p
}

func (p *proxy) addr() string { return p.ln.Addr().String() }

func (p *proxy) serve(c net.Conn) {
	p.mu.Lock()
	if p.down {
		p.mu.Unlock()
		c.Close()
		return
	}
	s, err := net.Dial("tcp", p.target)
	if err != nil {
		p.mu.Unlock()
		c.Close()
		return
	}
	p.conns = append(p.conns, c, s)
	p.mu.Unlock()
	go func() { io.Copy(s, c); s.Close() }()
	io.Copy(c, s)
	c.Close()
}

// cut drops every connection and refuses new ones (down), or lets them
// through again.
func (p *proxy) cut(down bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = down
	if down {
		for _, c := range p.conns {
			c.Close()
		}
		p.conns = nil
	}
}

// TestUnstorableStrings: keys may hold any bytes (NUL joins the parts of
// some); ids and scopes that PostgreSQL text cannot hold are simply not
// there, as on the other backends, and cannot be inserted.
func TestUnstorableStrings(t *testing.T) {
	s := open(t, pgtest.URL(t))
	ctx := context.Background()
	a1 := store.Ref{Kind: "api", ID: "a1"}
	key := "rest\x00stage\x00GET\x00/\xff"
	err := s.Update(ctx, sc, func(tx store.Tx) error {
		if err := tx.Insert(store.Record{Kind: "page", ID: "p1", Parent: a1, Key: key}); err != nil {
			return err
		}
		if err := tx.Insert(store.Record{Kind: "page", ID: "p2", Parent: a1, Key: key}); !errors.Is(err, store.ErrConflict) {
			return fmt.Errorf("duplicate NUL key: %v", err)
		}
		for _, bad := range []string{"a\x00b", "\xff"} {
			if _, err := tx.Get("page", bad); !errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("Get %q: %v", bad, err)
			}
			if err := tx.Delete("page", bad); !errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("Delete %q: %v", bad, err)
			}
			if err := tx.Replace(store.Record{Kind: "page", ID: bad, Parent: a1}); !errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("Replace %q: %v", bad, err)
			}
			if rs, err := tx.List("page", store.Ref{Kind: "api", ID: bad}, "", 0); err != nil || len(rs) != 0 {
				return fmt.Errorf("List under %q: %v %v", bad, rs, err)
			}
			if rs, err := tx.List("page", a1, bad, 0); err != nil || len(rs) != 0 {
				return fmt.Errorf("List after %q: %v %v", bad, rs, err)
			}
			if err := tx.Insert(store.Record{Kind: "page", ID: bad}); err == nil || errors.Is(err, store.ErrConflict) {
				return fmt.Errorf("Insert %q: %v", bad, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = s.View(ctx, sc, func(tx store.Tx) error {
		r, err := tx.Get("page", "p1")
		if err == nil && r.Key != key {
			err = fmt.Errorf("key %q, want %q", r.Key, key)
		}
		return err
	})
	if err != nil {
		t.Error(err)
	}
	if scopes, err := s.Locate(ctx, "page", "\xff"); err != nil || len(scopes) != 0 {
		t.Errorf("Locate: %v %v", scopes, err)
	}
	bad := store.Scope{Account: "\xff", Region: "us-east-1"}
	if err := s.View(ctx, bad, func(tx store.Tx) error { _, err := tx.Get("page", "p1"); return err }); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Get in an unstorable scope: %v", err)
	}
}
