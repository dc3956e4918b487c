// Package memory is the in-memory store.Store backend: fast, volatile, and
// the reference behaviour the sqlite backend is checked against (both run
// the storetest conformance suite).
package memory

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"sync"

	"github.com/portico-dev/portico/internal/store"
)

var (
	errClosed   = errors.New("store: closed")
	errReadOnly = errors.New("store: write in a read-only transaction")
	errTxDone   = errors.New("store: transaction used after its function returned")
)

// Store keeps every scope in maps guarded by one RWMutex: View holds the
// read lock, Update the write lock, so writers are serialized and readers
// always see a committed state.
type Store struct {
	mu     sync.RWMutex
	scopes map[store.Scope]*scope
	closed bool
	hub    store.Hub
}

// New returns an empty store.
func New() *Store {
	return &Store{scopes: make(map[store.Scope]*scope)}
}

// entry is a stored record minus its Kind and ID (the map key). Entries are
// never mutated once stored: Replace swaps in a new one, which lets the undo
// journal keep the old pointer.
type entry struct {
	parent store.Ref
	key    string
	data   []byte
}

// keyIndex identifies a uniqueness key: kind + parent + non-empty key.
type keyIndex struct {
	kind   store.Kind
	parent store.Ref
	key    string
}

// scope is the state of one account/region.
type scope struct {
	recs map[store.Ref]*entry
	// kids indexes records by parent, then kind, as ID-sorted slices, so
	// List and Count touch only the children asked for, and a cascading
	// Delete finds the children of every kind. Top-level records live
	// under the zero Ref.
	kids map[store.Ref]map[store.Kind][]string
	// keys maps each non-empty uniqueness key to the ID holding it.
	keys map[keyIndex]string
}

func newScope() *scope {
	return &scope{
		recs: make(map[store.Ref]*entry),
		kids: make(map[store.Ref]map[store.Kind][]string),
		keys: make(map[keyIndex]string),
	}
}

// add stores e under ref and indexes it; the caller has checked that
// neither the id nor the key is taken.
func (sc *scope) add(ref store.Ref, e *entry) {
	sc.recs[ref] = e
	byKind := sc.kids[e.parent]
	if byKind == nil {
		byKind = make(map[store.Kind][]string)
		sc.kids[e.parent] = byKind
	}
	ids := byKind[ref.Kind]
	i, _ := slices.BinarySearch(ids, ref.ID)
	byKind[ref.Kind] = slices.Insert(ids, i, ref.ID)
	if e.key != "" {
		sc.keys[keyIndex{ref.Kind, e.parent, e.key}] = ref.ID
	}
}

// remove unindexes and deletes ref (which must exist) and returns its entry.
// Children are left alone; see Tx.Delete.
func (sc *scope) remove(ref store.Ref) *entry {
	e := sc.recs[ref]
	delete(sc.recs, ref)
	byKind := sc.kids[e.parent]
	ids := byKind[ref.Kind]
	if i, ok := slices.BinarySearch(ids, ref.ID); ok {
		ids = slices.Delete(ids, i, i+1)
	}
	// Drop empty index nodes so deleted parents do not leak memory.
	switch {
	case len(ids) > 0:
		byKind[ref.Kind] = ids
	case len(byKind) > 1:
		delete(byKind, ref.Kind)
	default:
		delete(sc.kids, e.parent)
	}
	if e.key != "" {
		delete(sc.keys, keyIndex{ref.Kind, e.parent, e.key})
	}
	return e
}

// View implements store.Store.
func (s *Store) View(ctx context.Context, sc store.Scope, fn func(store.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return errClosed
	}
	t := &tx{sc: s.scopes[sc], readOnly: true}
	defer func() { t.done = true }()
	return fn(t)
}

// Update implements store.Store. Every change fn makes is applied directly
// and journaled as its inverse; if fn fails (or panics, or ctx ends) the
// journal is replayed backwards before the lock is released, so nobody
// ever observes a partial transaction.
func (s *Store) Update(ctx context.Context, sc store.Scope, fn func(store.Tx) error) (err error) {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	locked := true
	defer func() {
		if locked {
			s.mu.Unlock()
		}
	}()
	if s.closed {
		return errClosed
	}
	st := s.scopes[sc]
	if st == nil {
		// An empty scope left behind by a rolled-back Update is harmless.
		st = newScope()
		s.scopes[sc] = st
	}
	t := &tx{sc: st, scope: sc}
	committed := false
	defer func() {
		t.done = true
		if !committed {
			t.rollback()
		}
	}()
	if err := fn(t); err != nil {
		return err
	}
	// Match the durable backend: a context that ended before the commit
	// means nothing is written.
	if err := ctx.Err(); err != nil {
		return err
	}
	t.done = true
	committed = true
	// The commit is the unlock; the notices go out after it, in order.
	return s.hub.Commit(func() error {
		locked = false
		s.mu.Unlock()
		return nil
	}, t.notices.Notices())
}

// Subscribe implements store.Store.
func (s *Store) Subscribe(fn func(store.Notice)) (cancel func()) { return s.hub.Subscribe(fn) }

// Locate implements store.Store.
func (s *Store) Locate(ctx context.Context, kind store.Kind, id string) ([]store.Scope, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return nil, errClosed
	}
	var scopes []store.Scope
	for sc, st := range s.scopes {
		if _, ok := st.recs[store.Ref{Kind: kind, ID: id}]; ok {
			scopes = append(scopes, sc)
		}
	}
	sortScopes(scopes)
	return scopes, nil
}

// Scopes implements store.Store. A scope stays in the map once written,
// even when empty (its last record deleted, an Update rolled back): it
// counts only while it holds records.
func (s *Store) Scopes(ctx context.Context) ([]store.Scope, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return nil, errClosed
	}
	var scopes []store.Scope
	for sc, st := range s.scopes {
		if len(st.recs) > 0 {
			scopes = append(scopes, sc)
		}
	}
	sortScopes(scopes)
	return scopes, nil
}

// sortScopes orders scopes by account, then region, as the SQL backends
// do.
func sortScopes(scopes []store.Scope) {
	sort.Slice(scopes, func(i, j int) bool {
		if scopes[i].Account != scopes[j].Account {
			return scopes[i].Account < scopes[j].Account
		}
		return scopes[i].Region < scopes[j].Region
	})
}

// Reset implements store.Store.
func (s *Store) Reset(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return errClosed
	}
	s.scopes = make(map[store.Scope]*scope)
	return s.hub.Commit(func() error { s.mu.Unlock(); return nil }, []store.Notice{{All: true}})
}

// Health implements store.Store. Memory has no file to be damaged, full
// or removed: the store is always healthy. (It takes no lock, so that a
// health check never waits for an Update.)
func (s *Store) Health(ctx context.Context) error { return nil }

// Close implements store.Store; later calls fail.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	s.scopes = nil
	return nil
}

// tx implements store.Tx. It is only valid while fn runs, and, like the
// store's lock, not meant for concurrent use from several goroutines.
type tx struct {
	sc       *scope // nil in a View of a scope never written
	scope    store.Scope
	readOnly bool
	done     bool
	undo     []func()
	notices  store.Pending
}

func (t *tx) Notify(topic string) error {
	if err := t.check(true); err != nil {
		return err
	}
	t.notices.Add(t.scope, topic)
	return nil
}

func (t *tx) rollback() {
	for i := len(t.undo) - 1; i >= 0; i-- {
		t.undo[i]()
	}
	t.undo = nil
}

func (t *tx) check(write bool) error {
	switch {
	case t.done:
		return errTxDone
	case write && t.readOnly:
		return errReadOnly
	}
	return nil
}

func (t *tx) Get(kind store.Kind, id string) (store.Record, error) {
	if err := t.check(false); err != nil {
		return store.Record{}, err
	}
	if t.sc == nil {
		return store.Record{}, store.ErrNotFound
	}
	ref := store.Ref{Kind: kind, ID: id}
	e, ok := t.sc.recs[ref]
	if !ok {
		return store.Record{}, store.ErrNotFound
	}
	return e.record(ref), nil
}

func (t *tx) List(kind store.Kind, parent store.Ref, after string, limit int) ([]store.Record, error) {
	if err := t.check(false); err != nil {
		return nil, err
	}
	if t.sc == nil {
		return nil, nil
	}
	ids := t.sc.kids[parent][kind]
	i := sort.Search(len(ids), func(i int) bool { return ids[i] > after })
	ids = ids[i:]
	if limit > 0 && len(ids) > limit {
		ids = ids[:limit]
	}
	if len(ids) == 0 {
		return nil, nil
	}
	out := make([]store.Record, len(ids))
	for i, id := range ids {
		ref := store.Ref{Kind: kind, ID: id}
		out[i] = t.sc.recs[ref].record(ref)
	}
	return out, nil
}

func (t *tx) Count(kind store.Kind, parent store.Ref) (int, error) {
	if err := t.check(false); err != nil {
		return 0, err
	}
	if t.sc == nil {
		return 0, nil
	}
	return len(t.sc.kids[parent][kind]), nil
}

func (t *tx) Insert(r store.Record) error {
	if err := t.check(true); err != nil {
		return err
	}
	if err := store.Validate(r); err != nil {
		return err
	}
	ref := store.Ref{Kind: r.Kind, ID: r.ID}
	if _, ok := t.sc.recs[ref]; ok {
		return fmt.Errorf("%w: %s %q exists", store.ErrConflict, r.Kind, r.ID)
	}
	if r.Key != "" {
		if _, ok := t.sc.keys[keyIndex{r.Kind, r.Parent, r.Key}]; ok {
			return fmt.Errorf("%w: %s key %q is taken", store.ErrConflict, r.Kind, r.Key)
		}
	}
	t.sc.add(ref, &entry{parent: r.Parent, key: r.Key, data: clone(r.Data)})
	t.undo = append(t.undo, func() { t.sc.remove(ref) })
	return nil
}

func (t *tx) Replace(r store.Record) error {
	if err := t.check(true); err != nil {
		return err
	}
	if err := store.Validate(r); err != nil {
		return err
	}
	ref := store.Ref{Kind: r.Kind, ID: r.ID}
	old, ok := t.sc.recs[ref]
	// A record under another parent is not the one the caller means (the
	// sqlite backend matches on the parent too).
	if !ok || old.parent != r.Parent {
		return store.ErrNotFound
	}
	if r.Key != "" && r.Key != old.key {
		if _, ok := t.sc.keys[keyIndex{r.Kind, r.Parent, r.Key}]; ok {
			return fmt.Errorf("%w: %s key %q is taken", store.ErrConflict, r.Kind, r.Key)
		}
	}
	t.sc.remove(ref)
	t.sc.add(ref, &entry{parent: r.Parent, key: r.Key, data: clone(r.Data)})
	t.undo = append(t.undo, func() {
		t.sc.remove(ref)
		t.sc.add(ref, old)
	})
	return nil
}

func (t *tx) Delete(kind store.Kind, id string) error {
	if err := t.check(true); err != nil {
		return err
	}
	root := store.Ref{Kind: kind, ID: id}
	if _, ok := t.sc.recs[root]; !ok {
		return store.ErrNotFound
	}
	// Walk the subtree breadth-first. The store does not check that a
	// parent exists, so a cycle is possible in theory; seen guards it.
	queue := []store.Ref{root}
	seen := map[store.Ref]bool{root: true}
	for len(queue) > 0 {
		ref := queue[0]
		queue = queue[1:]
		for k, ids := range t.sc.kids[ref] {
			for _, id := range ids {
				c := store.Ref{Kind: k, ID: id}
				if !seen[c] {
					seen[c] = true
					queue = append(queue, c)
				}
			}
		}
		e := t.sc.remove(ref)
		t.undo = append(t.undo, func() { t.sc.add(ref, e) })
	}
	return nil
}

func (e *entry) record(ref store.Ref) store.Record {
	return store.Record{Kind: ref.Kind, ID: ref.ID, Parent: e.parent, Key: e.key, Data: clone(e.data)}
}

// clone copies b so that neither the caller nor the store can change the
// other's bytes. The result is never nil.
func clone(b []byte) []byte {
	return append(make([]byte, 0, len(b)), b...)
}
