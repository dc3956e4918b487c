package cluster

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/portico-dev/portico/internal/dataplane/gateway"
	"github.com/portico-dev/portico/internal/store"
	"github.com/portico-dev/portico/internal/store/memory"
)

const secret = "0123456789abcdef-secret"

var key = gateway.StageKey{Scope: store.Scope{Account: "111111111111", Region: "us-east-1"}, APIID: "abc123", Stage: "prod"}

// clock is a test clock shared by the nodes of a test.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func join(t *testing.T, st store.Store, url string, clk *clock, live func() []Conn) *Node {
	t.Helper()
	// The renewal loop ticks every 20 minutes of real time: the test
	// drives renewals itself, on its clock.
	n, err := Join(Config{Store: st, URL: url, Secret: secret, Lease: time.Hour, Live: live, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Close() })
	return n
}

func TestDirectory(t *testing.T) {
	st := memory.New()
	clk := &clock{now: time.Now()}
	a := join(t, st, "http://a.example", clk, nil)
	b := join(t, st, "http://b.example", clk, nil)
	ctx := context.Background()

	if err := a.Claim(ctx, "conn1", key); err != nil {
		t.Fatal(err)
	}
	// The same id on another node is a conflict: ids are unique across
	// nodes.
	if err := b.Claim(ctx, "conn1", key); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("second claim: %v, want ErrConflict", err)
	}
	if k, ok := b.Locate(ctx, "conn1"); !ok || k != key {
		t.Fatalf("b.Locate = %v, %v", k, ok)
	}
	if _, ok := a.Locate(ctx, "conn1"); ok {
		t.Error("a located its own connection as another node's")
	}
	if o, ok := b.lookup(ctx, "conn1"); !ok || o.url != "http://a.example" {
		t.Fatalf("lookup: %+v %v", o, ok)
	}
	a.Release("conn1")
	if _, ok := b.Locate(ctx, "conn1"); ok {
		t.Error("a released connection is still located")
	}
}

// TestLeaseExpiry: a node that stops renewing loses its connections once
// its lease has passed; the next renewal of a live node deletes them.
func TestLeaseExpiry(t *testing.T) {
	st := memory.New()
	clk := &clock{now: time.Now()}
	a := join(t, st, "http://a.example", clk, nil)
	b := join(t, st, "http://b.example", clk, nil)
	ctx := context.Background()
	if err := a.Claim(ctx, "conn1", key); err != nil {
		t.Fatal(err)
	}
	// a dies: it renews no more. Within its lease, the connection is
	// still a's.
	clk.advance(59 * time.Minute)
	if err := b.renew(ctx); err != nil {
		t.Fatal(err)
	}
	if _, ok := b.Locate(ctx, "conn1"); !ok {
		t.Fatal("lost within the lease")
	}
	clk.advance(2 * time.Minute)
	if _, ok := b.Locate(ctx, "conn1"); ok {
		t.Fatal("a connection of an expired node is still located")
	}
	if err := b.renew(ctx); err != nil {
		t.Fatal(err)
	}
	// The sweep deleted a's record and its connections.
	err := st.View(ctx, dirScope, func(tx store.Tx) error {
		if _, err := tx.Get(kindNode, a.id); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("expired node's record: %v", err)
		}
		if _, err := tx.Get(kindConn, "conn1"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("expired node's connection: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// The id is free again.
	if err := b.Claim(ctx, "conn1", key); err != nil {
		t.Fatal(err)
	}
}

// TestReregisterAfterReset: a reset of the store forgets the directory;
// the next renewal registers the node again with its live connections.
func TestReregisterAfterReset(t *testing.T) {
	st := memory.New()
	clk := &clock{now: time.Now()}
	a := join(t, st, "http://a.example", clk, func() []Conn { return []Conn{{ID: "live1", Key: key}} })
	b := join(t, st, "http://b.example", clk, nil)
	ctx := context.Background()
	if err := st.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	if _, ok := b.Locate(ctx, "live1"); ok {
		t.Fatal("located after the reset")
	}
	if err := a.renew(ctx); err != nil {
		t.Fatal(err)
	}
	if k, ok := b.Locate(ctx, "live1"); !ok || k != key {
		t.Fatalf("after re-registration: %v %v", k, ok)
	}
}

// TestForward: a call for another node's connection is served by that
// node, with the secret and the addressed stage, and its answer copied
// back; a wrong stage, an unknown id or an unreachable owner is not
// forwarded.
func TestForward(t *testing.T) {
	st := memory.New()
	clk := &clock{now: time.Now()}
	var got struct {
		method, body, id string
		k                gateway.StageKey
	}
	var owner *Node
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		k, id, ok := owner.Inbound(w, r)
		if !ok {
			return
		}
		b, _ := io.ReadAll(r.Body)
		got.method, got.body, got.id, got.k = r.Method, string(b), id, k
		w.Header()["x-amzn-ErrorType"] = []string{"GoneException"}
		w.WriteHeader(http.StatusGone)
	}))
	defer srv.Close()
	owner = join(t, st, srv.URL, clk, nil)
	other := join(t, st, "http://127.0.0.1:1", clk, nil)
	ctx := context.Background()
	if err := owner.Claim(ctx, "R0oXAdfD0kwCH6w=", key); err != nil {
		t.Fatal(err)
	}

	forward := func(k gateway.StageKey, id string) (*httptest.ResponseRecorder, bool) {
		r := httptest.NewRequest(http.MethodPost, "/prod/@connections/x", nil)
		w := httptest.NewRecorder()
		return w, other.Forward(w, r, k, id, []byte("hello"))
	}
	w, ok := forward(key, "R0oXAdfD0kwCH6w=")
	if !ok {
		t.Fatal("not forwarded")
	}
	if got.method != http.MethodPost || got.body != "hello" || got.id != "R0oXAdfD0kwCH6w=" || got.k != key {
		t.Errorf("the owner got %+v", got)
	}
	if w.Code != http.StatusGone || w.Header()["x-amzn-ErrorType"][0] != "GoneException" {
		t.Errorf("answer %d %v", w.Code, w.Header())
	}
	wrong := key
	wrong.Stage = "dev"
	if _, ok := forward(wrong, "R0oXAdfD0kwCH6w="); ok {
		t.Error("forwarded for another stage")
	}
	if _, ok := forward(key, "nope"); ok {
		t.Error("forwarded an unknown id")
	}
	// A connection of an owner that cannot be reached is not forwarded.
	if err := other.Claim(ctx, "mine", key); err != nil {
		t.Fatal(err)
	}
	if owner.Forward(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil), key, "mine", nil) {
		t.Error("forwarded to an unreachable node")
	}
}

// TestInboundNeedsTheSecret: node-to-node calls without the secret, with
// a wrong one, or from a browser page are refused.
func TestInboundNeedsTheSecret(t *testing.T) {
	st := memory.New()
	n := join(t, st, "http://a.example", &clock{now: time.Now()}, nil)
	for name, h := range map[string]http.Header{
		"no secret":    {stageHeader: {`{"api":"x","stage":"prod"}`}},
		"wrong secret": {secretHeader: {secret + "x"}, stageHeader: {`{"api":"x","stage":"prod"}`}},
		"from a page":  {secretHeader: {secret}, "Origin": {"https://evil.example"}, stageHeader: {`{"api":"x"}`}},
	} {
		r := httptest.NewRequest(http.MethodPost, InboundPath+"abc", strings.NewReader("x"))
		r.Header = h
		w := httptest.NewRecorder()
		if _, _, ok := n.Inbound(w, r); ok || w.Code != http.StatusForbidden {
			t.Errorf("%s: ok=%v status %d", name, ok, w.Code)
		}
	}
	r := httptest.NewRequest(http.MethodPost, InboundPath+"R0oX%3D", nil)
	r.Header.Set(secretHeader, secret)
	r.Header.Set(stageHeader, `{"account":"111111111111","region":"us-east-1","api":"abc123","stage":"prod"}`)
	w := httptest.NewRecorder()
	k, id, ok := n.Inbound(w, r)
	if !ok || id != "R0oX=" || k != key {
		t.Errorf("good call: %v %q %v", ok, id, k)
	}
}

// TestCloseLeaves: a node that shuts down leaves the directory at once.
func TestCloseLeaves(t *testing.T) {
	st := memory.New()
	clk := &clock{now: time.Now()}
	a := join(t, st, "http://a.example", clk, nil)
	b := join(t, st, "http://b.example", clk, nil)
	ctx := context.Background()
	if err := a.Claim(ctx, "c1", key); err != nil {
		t.Fatal(err)
	}
	a.Close()
	if _, ok := b.Locate(ctx, "c1"); ok {
		t.Error("a closed node's connection is still located")
	}
}
