package postgres

import (
	"context"
	"sync"

	"github.com/portico-dev/portico/internal/store"
)

// gate lets one Update per scope at a time, on this node, take a pooled
// connection and the scope's advisory lock: the others wait here. The
// advisory lock alone would serialize them too, but each waiter would hold
// a connection meanwhile (a few writers of one busy scope would take the
// pool from every other), and a waiter whose context ends would have its
// connection closed (pgx closes a connection whose query it cuts short).
// Waiting on a channel, giving up costs nothing.
type gate struct {
	mu     sync.Mutex
	scopes map[store.Scope]*turn
}

type turn struct {
	ch      chan struct{} // holds a token while an Update of the scope is in
	waiting int           // Updates in or waiting; the entry goes at 0
}

// enter waits for sc's turn, or for ctx to end; leave ends the turn (a
// second call does nothing).
func (g *gate) enter(ctx context.Context, sc store.Scope) (leave func(), err error) {
	g.mu.Lock()
	if g.scopes == nil {
		g.scopes = map[store.Scope]*turn{}
	}
	t := g.scopes[sc]
	if t == nil {
		t = &turn{ch: make(chan struct{}, 1)}
		g.scopes[sc] = t
	}
	t.waiting++
	g.mu.Unlock()
	// Blocked senders on a channel are served in the order they came.
	select {
	case t.ch <- struct{}{}:
		var once sync.Once
		return func() { once.Do(func() { <-t.ch; g.done(sc, t) }) }, nil
	case <-ctx.Done():
		g.done(sc, t)
		return nil, ctx.Err()
	}
}

func (g *gate) done(sc store.Scope, t *turn) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if t.waiting--; t.waiting == 0 {
		delete(g.scopes, sc)
	}
}
