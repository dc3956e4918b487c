package store

import "sync"

// Notice is a commit notice: a topic that a committed transaction named
// with Tx.Notify, delivered to Subscribe's callbacks on every node that
// shares the store.
type Notice struct {
	Scope Scope
	Topic string
	// All, with no topic, says that anything may have changed: the store
	// was reset, or notices may have been missed (a shared store's
	// listening connection dropped). A subscriber drops everything it
	// derived from the store.
	All bool
}

// Hub is the subscriber side of commit notices that every backend
// shares: it keeps the callbacks and delivers each commit's notices in
// commit order.
type Hub struct {
	mu   sync.Mutex
	next int
	subs map[int]func(Notice)
	// order is held from a commit to the end of its delivery, so notices
	// reach every callback in commit order.
	order sync.Mutex
}

// Subscribe adds fn; see Store.Subscribe.
func (h *Hub) Subscribe(fn func(Notice)) (cancel func()) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.subs == nil {
		h.subs = map[int]func(Notice){}
	}
	id := h.next
	h.next++
	h.subs[id] = fn
	return func() {
		h.mu.Lock()
		delete(h.subs, id)
		h.mu.Unlock()
	}
}

// Commit runs commit and, when it succeeds, delivers ns, holding the
// order lock across both so that two commits deliver in the order they
// committed. commit may release the backend's own write lock: a callback
// may then read the store.
func (h *Hub) Commit(commit func() error, ns []Notice) error {
	h.order.Lock()
	defer h.order.Unlock()
	if err := commit(); err != nil {
		return err
	}
	h.deliver(ns)
	return nil
}

// Deliver delivers notices that come from elsewhere (another node), in
// order with this node's commits.
func (h *Hub) Deliver(ns ...Notice) {
	h.order.Lock()
	defer h.order.Unlock()
	h.deliver(ns)
}

func (h *Hub) deliver(ns []Notice) {
	if len(ns) == 0 {
		return
	}
	h.mu.Lock()
	fns := make([]func(Notice), 0, len(h.subs))
	for _, fn := range h.subs {
		fns = append(fns, fn)
	}
	h.mu.Unlock()
	for _, n := range ns {
		for _, fn := range fns {
			fn(n)
		}
	}
}

// Pending collects a transaction's notices: each (scope, topic) once, in
// the order first named.
type Pending struct {
	ns []Notice
}

// Add queues topic in scope sc, once.
func (p *Pending) Add(sc Scope, topic string) {
	for _, n := range p.ns {
		if n.Scope == sc && n.Topic == topic {
			return
		}
	}
	p.ns = append(p.ns, Notice{Scope: sc, Topic: topic})
}

// Notices returns what was queued.
func (p *Pending) Notices() []Notice { return p.ns }

// Truncate forgets the notices queued after the first n (a rolled-back
// savepoint's).
func (p *Pending) Truncate(n int) { p.ns = p.ns[:n] }

// Len is how many notices are queued.
func (p *Pending) Len() int { return len(p.ns) }
