// Package store is Portico's narrow persistence interface. The service keeps
// every resource (API, route, route response, ...) as a JSON document in a
// Record; the backends only know about kinds, ids, parents and uniqueness
// keys, so one conformance suite (storetest) covers every backend.
package store

import (
	"context"
	"errors"
	"fmt"
)

// Scope isolates state the way AWS does: by account and region.
type Scope struct {
	Account string
	Region  string
}

// Kind names a resource family ("api", "route", "routeresponse", ...).
type Kind string

// Ref points at one record of a scope.
type Ref struct {
	Kind Kind
	ID   string
}

// Record is one stored resource.
type Record struct {
	Kind Kind
	// ID is unique within (scope, kind).
	ID string
	// Parent is the record this one belongs to; the zero Ref for top-level
	// records (a Ref must have both or neither of Kind and ID). Deleting a
	// record deletes its children, recursively. The store does not check
	// that the parent exists: that is the caller's business.
	Parent Ref
	// Key, when not empty, is unique among the records of the same kind
	// under the same parent (a route's routeKey, a route response's key).
	Key string
	// Data is the resource document, opaque to the store. Backends copy it
	// in both directions: the caller may modify its slices freely. A
	// record read back always has non-nil Data.
	Data []byte
}

var (
	// ErrNotFound: no record with that kind and id in the scope.
	ErrNotFound = errors.New("store: not found")
	// ErrConflict: the id, or the non-empty key under the same parent, is taken.
	ErrConflict = errors.New("store: conflict")
)

// Store is implemented by every backend.
type Store interface {
	// View runs fn in a read-only transaction that sees one consistent state.
	View(ctx context.Context, s Scope, fn func(Tx) error) error
	// Update runs fn in one write transaction. If fn returns an error (or
	// panics, or ctx is done before the commit) nothing is written; when
	// Update returns nil the change is committed (and, on a durable backend,
	// on disk). Write transactions are serialized, so a read-modify-write
	// inside fn never loses a concurrent update. fn's error is returned as is.
	//
	// fn may run more than once: a backend retries a transaction its
	// database aborted for a reason a second try can cure (PostgreSQL's
	// serialization failures and deadlocks), running fn again from the
	// start in a new transaction. So fn must not have effects outside the
	// transaction that a second run would repeat (appending to a slice it
	// does not reset, sending a message); setting variables from what it
	// reads, as a result to return, is fine.
	Update(ctx context.Context, s Scope, fn func(Tx) error) error
	// Locate returns the scopes that hold a record of kind with that id,
	// for the one lookup that crosses scopes: the data plane knows an API
	// by its id alone.
	Locate(ctx context.Context, kind Kind, id string) ([]Scope, error)
	// Scopes returns the scopes that hold at least one record, sorted by
	// account, then region (bytewise), for the other listing that crosses
	// scopes: which accounts and regions are in use. A scope whose last
	// record was deleted, or that only a rolled-back Update wrote, holds
	// none. It costs about one index lookup per scope, not a read of
	// every record.
	Scopes(ctx context.Context) ([]Scope, error)
	// Reset deletes all state of every scope.
	Reset(ctx context.Context) error
	// Health returns nil while the store works, and an error saying why
	// once it cannot: its database is damaged, unreadable or unwritable
	// (disk full, file removed), the reason the first failure gave. The
	// caller's errors (ErrNotFound, ErrConflict, an ended context, fn's
	// own error) never make a store unhealthy; a damaged store stays
	// unhealthy until it is opened again. A database server that cannot
	// be reached makes a store unhealthy only while it cannot. Health is
	// cheap enough for a health endpoint to call on every request; with an
	// ended ctx it may return ctx's error instead of an answer.
	Health(ctx context.Context) error
	// Subscribe calls fn with every notice a committed transaction queued
	// (Tx.Notify), on every node that shares the store, until cancel is
	// called: once per commit, in commit order on each node, never for a
	// transaction that rolled back. A commit made on this node is
	// delivered before its Update returns (on the committing goroutine,
	// or, on a shared backend, on the goroutine that hears every node's
	// commits, so that they all come in one order); one made elsewhere as
	// soon as the backend hears of it. Reset, and a
	// shared backend that may have missed notices, deliver Notice{All:
	// true}. fn must not block; it may read the store.
	Subscribe(fn func(Notice)) (cancel func())
	Close() error
}

// Tx is what a transaction can do. Writes fail on a View transaction. A Tx
// is valid only until its fn returns, and is not safe for concurrent use. A
// write that fails (ErrConflict, say) changes nothing, and fn may go on.
type Tx interface {
	// Get returns the record or ErrNotFound.
	Get(kind Kind, id string) (Record, error)
	// List returns the records of kind under parent, ordered by ID
	// ascending, with ID > after (after "" means from the start); at most
	// limit records, or all of them when limit <= 0.
	List(kind Kind, parent Ref, after string, limit int) ([]Record, error)
	// Count returns how many records of kind are under parent.
	Count(kind Kind, parent Ref) (int, error)
	// Insert adds a new record; ErrConflict if the id or key is taken. Kind
	// and ID must not be empty.
	Insert(r Record) error
	// Replace overwrites the Key and Data of an existing record (Kind, ID
	// and Parent identify it and cannot change); ErrNotFound if missing,
	// ErrConflict if the new key is taken by another record. A record of
	// that kind and id under another parent counts as missing.
	Replace(r Record) error
	// Delete removes the record and all its descendants; ErrNotFound if missing.
	Delete(kind Kind, id string) error
	// Notify queues a notice of topic in the transaction's scope, for
	// Subscribe's callbacks once the transaction commits; nothing if it
	// rolls back. A topic named twice in one transaction is delivered
	// once. Fails on a View transaction.
	Notify(topic string) error
}

// Validate rejects records no backend could store sensibly: every backend
// checks Insert and Replace with it, so all refuse the same records with
// the same words.
func Validate(r Record) error {
	if r.Kind == "" || r.ID == "" {
		return fmt.Errorf("store: record needs a kind and an id (got %q, %q)", r.Kind, r.ID)
	}
	if (r.Parent.Kind == "") != (r.Parent.ID == "") {
		return fmt.Errorf("store: parent %+v of %s %q is half set", r.Parent, r.Kind, r.ID)
	}
	return nil
}
