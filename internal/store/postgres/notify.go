package postgres

import (
	"encoding/json"
	"sync"
	"time"

	"github.com/portico-dev/portico/internal/store"
)

// Commit notices between nodes. A transaction with notices sends them with
// pg_notify on one channel, as JSON messages; PostgreSQL hands them to
// every listening session when, and only if, the transaction commits, in
// commit order. Every node, the committing one included, delivers what its
// listener hears in the order it hears it; that is how a node's own
// commits and the other nodes' reach its subscribers in one commit order.
// The committing Update waits for its own message to come back
// (Store.await), so its notices are delivered before it returns.

// channel is the NOTIFY channel of every Portico node on the database.
const channel = "portico"

// maxPayload is PostgreSQL's limit on a NOTIFY payload (it must be
// shorter than 8000 bytes); a commit whose notices do not fit in one is
// split into parts.
const maxPayload = 8000 - 1

// message is one NOTIFY payload: a commit's notices, or part of them.
type message struct {
	Node string `json:"node"` // the committing Store's id
	Seq  uint64 `json:"seq"`  // its commit number there
	// Part is this message's number among the commit's Parts, from 1.
	// PostgreSQL queues a transaction's notifications next to each
	// other, so the parts arrive in a row.
	Part  int `json:"part"`
	Parts int `json:"parts"`
	// All: anything may have changed (Reset, or notices that could not
	// be sent).
	All     bool     `json:"all,omitempty"`
	Account string   `json:"account,omitempty"`
	Region  string   `json:"region,omitempty"`
	Topics  []string `json:"topics,omitempty"`
}

// payloads encodes a commit's notices, all of one scope or a single All,
// as messages of at most maxPayload bytes.
func payloads(node string, seq uint64, ns []store.Notice) []string {
	if ns[0].All {
		return []string{encode(message{Node: node, Seq: seq, Part: 1, Parts: 1, All: true})}
	}
	sc := ns[0].Scope
	// What a message costs without its topics, with room for the part
	// numbers; then each topic's JSON and its comma.
	base := len(encode(message{Node: node, Seq: seq, Part: 99999, Parts: 99999,
		Account: sc.Account, Region: sc.Region, Topics: []string{}}))
	var parts [][]string
	var cur []string
	size := base
	for _, n := range ns {
		b, _ := json.Marshal(n.Topic)
		if base+len(b) > maxPayload {
			// A topic too long for any message (or a scope too long to
			// leave room for one): the other nodes hear that anything
			// may have changed.
			return []string{encode(message{Node: node, Seq: seq, Part: 1, Parts: 1, All: true})}
		}
		if len(cur) > 0 && size+1+len(b) > maxPayload {
			parts = append(parts, cur)
			cur, size = nil, base
		}
		if len(cur) > 0 {
			size++
		}
		cur = append(cur, n.Topic)
		size += len(b)
	}
	parts = append(parts, cur)
	out := make([]string, len(parts))
	for i, topics := range parts {
		out[i] = encode(message{Node: node, Seq: seq, Part: i + 1, Parts: len(parts),
			Account: sc.Account, Region: sc.Region, Topics: topics})
	}
	return out
}

func encode(m message) string {
	b, err := json.Marshal(m)
	if err != nil {
		panic(err) // strings and numbers only
	}
	return string(b)
}

// waiters are this Store's commits whose notices the listener has not
// delivered yet, by commit number.
type waiters struct {
	mu   sync.Mutex
	seq  uint64
	byID map[uint64]*waiter
}

type waiter struct {
	seq     uint64
	notices []store.Notice
	// done is closed once the waiter has been taken from waiters:
	// delivered tells whether its notices were delivered then.
	done      chan struct{}
	delivered bool
}

// add registers a commit's notices under a new commit number. It comes
// before the COMMIT: the message may be heard before COMMIT returns.
func (ws *waiters) add(ns []store.Notice) *waiter {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	if ws.byID == nil {
		ws.byID = map[uint64]*waiter{}
	}
	ws.seq++
	w := &waiter{seq: ws.seq, notices: ns, done: make(chan struct{})}
	ws.byID[w.seq] = w
	return w
}

// take removes and returns the waiter of seq, or nil if someone took it
// first: whoever takes a waiter decides what becomes of its notices.
func (ws *waiters) take(seq uint64) *waiter {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	w := ws.byID[seq]
	delete(ws.byID, seq)
	return w
}

// takeAll removes and returns every waiter.
func (ws *waiters) takeAll() []*waiter {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	var all []*waiter
	for seq, w := range ws.byID {
		all = append(all, w)
		delete(ws.byID, seq)
	}
	return all
}

// ownTimeout is how long a commit waits for its own message to come back
// before it concludes that the listening connection has stopped hearing
// (a half-open TCP connection, say): it delivers its notices itself then,
// and has the listener reconnect, which delivers Notice{All: true}.
const ownTimeout = 5 * time.Second

// await returns once w's notices are delivered (nothing for a nil w).
func (s *Store) await(w *waiter) {
	if w == nil {
		return
	}
	timer := time.NewTimer(ownTimeout)
	defer timer.Stop()
	select {
	case <-w.done:
	case <-timer.C:
		if s.waiters.take(w.seq) != nil {
			s.l.kick()
			s.hub.Deliver(w.notices...)
			return
		}
		<-w.done // the listener took it just now
	}
	if !w.delivered {
		// The listener reconnected meanwhile: its All may have come
		// before this commit, which must still be heard.
		s.hub.Deliver(w.notices...)
	}
}

// heard handles one message the listener heard. partial is the commit of
// another node whose parts are arriving, if any; heard returns the new one.
func (s *Store) heard(payload string, partial *message) *message {
	var m message
	if err := json.Unmarshal([]byte(payload), &m); err != nil || m.Parts < 1 || m.Part < 1 || m.Part > m.Parts {
		// Not a message this program sends: it may mean anything.
		s.hub.Deliver(store.Notice{All: true})
		return nil
	}
	if m.Node == s.node {
		// This node's own commit: delivered as its Update queued it.
		if m.Part == m.Parts {
			if w := s.waiters.take(m.Seq); w != nil {
				s.hub.Deliver(w.notices...)
				w.delivered = true
				close(w.done)
			}
		}
		return partial
	}
	if partial != nil && (m.Node != partial.Node || m.Seq != partial.Seq || m.Part != partial.Part+1) {
		// The parts of a commit stopped short.
		s.hub.Deliver(store.Notice{All: true})
		partial = nil
	}
	if m.All {
		s.hub.Deliver(store.Notice{All: true})
		return nil
	}
	if m.Part > 1 {
		if partial == nil {
			// Its first parts went missing.
			s.hub.Deliver(store.Notice{All: true})
			return nil
		}
		partial.Part = m.Part
		partial.Topics = append(partial.Topics, m.Topics...)
		m = *partial
	}
	if m.Part < m.Parts {
		return &m
	}
	sc := store.Scope{Account: m.Account, Region: m.Region}
	ns := make([]store.Notice, len(m.Topics))
	for i, topic := range m.Topics {
		ns[i] = store.Notice{Scope: sc, Topic: topic}
	}
	s.hub.Deliver(ns...)
	return nil
}

// lost is what the listener does once it listens again after losing its
// connection: the notices sent meanwhile are gone, so anything may have
// changed. The commits of this node waiting for their own messages are
// told to deliver themselves: theirs may be among the lost.
func (s *Store) lost() {
	s.hub.Deliver(store.Notice{All: true})
	for _, w := range s.waiters.takeAll() {
		close(w.done)
	}
}
