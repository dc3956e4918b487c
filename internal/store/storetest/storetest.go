// Package storetest is the conformance suite every store.Store backend
// runs, so that the backends cannot drift apart:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) store.Store { ... })
//	}
package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/portico-dev/portico/internal/store"
)

// Run runs the suite. open must return a new, empty store each time it is
// called; Run closes it when the subtest ends.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s store.Store)
	}{
		{"InsertGet", testInsertGet},
		{"NotFound", testNotFound},
		{"Conflict", testConflict},
		{"Replace", testReplace},
		{"ListOrderAndPages", testListPages},
		{"ListFilters", testListFilters},
		{"Count", testCount},
		{"CascadeDelete", testCascadeDelete},
		{"Orphans", testOrphans},
		{"ScopeIsolation", testScopeIsolation},
		{"Locate", testLocate},
		{"Scopes", testScopes},
		{"Reset", testReset},
		{"Rollback", testRollback},
		{"ReadYourWrites", testReadYourWrites},
		{"ViewIsReadOnly", testViewReadOnly},
		{"Validation", testValidation},
		{"DataIsCopied", testDataCopied},
		{"Context", testContext},
		{"ConcurrentIncrements", testConcurrentIncrements},
		{"ConcurrentSameKey", testConcurrentSameKey},
		{"ConsistentViews", testConsistentViews},
		{"CancelStorm", testCancelStorm},
		{"Health", testHealth},
		{"NoticesAfterCommit", testNoticesAfterCommit},
		{"NoticesNotOnRollback", testNoticesNotOnRollback},
		{"NoticesInCommitOrder", testNoticesInCommitOrder},
		{"NoticeOnReset", testNoticeOnReset},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := open(t)
			t.Cleanup(func() {
				if err := s.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
			})
			tt.fn(t, s)
		})
	}
}

const (
	kAPI   store.Kind = "api"
	kRoute store.Kind = "route"
	kRR    store.Kind = "routeresponse"
	kInteg store.Kind = "integration"
	kCount store.Kind = "counter"
)

var (
	sc1 = store.Scope{Account: "000000000000", Region: "us-east-1"}
	sc2 = store.Scope{Account: "000000000000", Region: "eu-west-1"}
	sc3 = store.Scope{Account: "111111111111", Region: "us-east-1"}
)

func ref(k store.Kind, id string) store.Ref { return store.Ref{Kind: k, ID: id} }

func rec(k store.Kind, id string, parent store.Ref, key, data string) store.Record {
	return store.Record{Kind: k, ID: id, Parent: parent, Key: key, Data: []byte(data)}
}

// update runs fn in an Update of sc and fails the test on error.
func update(t *testing.T, s store.Store, sc store.Scope, fn func(store.Tx) error) {
	t.Helper()
	if err := s.Update(context.Background(), sc, fn); err != nil {
		t.Fatalf("Update: %v", err)
	}
}

// view runs fn in a View of sc and fails the test on error.
func view(t *testing.T, s store.Store, sc store.Scope, fn func(store.Tx) error) {
	t.Helper()
	if err := s.View(context.Background(), sc, fn); err != nil {
		t.Fatalf("View: %v", err)
	}
}

// insert commits the records, in order, in one Update.
func insert(t *testing.T, s store.Store, sc store.Scope, rs ...store.Record) {
	t.Helper()
	update(t, s, sc, func(tx store.Tx) error {
		for _, r := range rs {
			if err := tx.Insert(r); err != nil {
				return fmt.Errorf("insert %s/%s: %w", r.Kind, r.ID, err)
			}
		}
		return nil
	})
}

// tryInsert returns the error of committing one Insert.
func tryInsert(s store.Store, sc store.Scope, r store.Record) error {
	return s.Update(context.Background(), sc, func(tx store.Tx) error { return tx.Insert(r) })
}

// get returns the committed record, or the error of Get.
func get(t *testing.T, s store.Store, sc store.Scope, k store.Kind, id string) (store.Record, error) {
	t.Helper()
	var r store.Record
	var getErr error
	view(t, s, sc, func(tx store.Tx) error {
		r, getErr = tx.Get(k, id)
		return nil
	})
	return r, getErr
}

// mustGet returns the committed record and fails the test if it is missing.
func mustGet(t *testing.T, s store.Store, sc store.Scope, k store.Kind, id string) store.Record {
	t.Helper()
	r, err := get(t, s, sc, k, id)
	if err != nil {
		t.Fatalf("Get(%s, %s): %v", k, id, err)
	}
	return r
}

// exists reports whether the record is committed.
func exists(t *testing.T, s store.Store, sc store.Scope, k store.Kind, id string) bool {
	t.Helper()
	_, err := get(t, s, sc, k, id)
	switch {
	case err == nil:
		return true
	case errors.Is(err, store.ErrNotFound):
		return false
	}
	t.Fatalf("Get(%s, %s): %v", k, id, err)
	return false
}

// list returns the IDs List returns.
func list(t *testing.T, s store.Store, sc store.Scope, k store.Kind, parent store.Ref, after string, limit int) []string {
	t.Helper()
	var ids []string
	view(t, s, sc, func(tx store.Tx) error {
		rs, err := tx.List(k, parent, after, limit)
		for _, r := range rs {
			if r.Kind != k || r.Parent != parent {
				t.Errorf("List(%s, %v) returned %s/%s under %v", k, parent, r.Kind, r.ID, r.Parent)
			}
			ids = append(ids, r.ID)
		}
		return err
	})
	return ids
}

func count(t *testing.T, s store.Store, sc store.Scope, k store.Kind, parent store.Ref) int {
	t.Helper()
	var n int
	view(t, s, sc, func(tx store.Tx) (err error) {
		n, err = tx.Count(k, parent)
		return err
	})
	return n
}

func equalRecord(a, b store.Record) bool {
	return a.Kind == b.Kind && a.ID == b.ID && a.Parent == b.Parent && a.Key == b.Key &&
		bytes.Equal(a.Data, b.Data)
}

func wantErr(t *testing.T, what string, got, want error) {
	t.Helper()
	if !errors.Is(got, want) {
		t.Errorf("%s: got error %v, want %v", what, got, want)
	}
}

func testInsertGet(t *testing.T, s store.Store) {
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	api := store.Record{Kind: kAPI, ID: "a1", Key: "", Data: all}
	route := rec(kRoute, "r1", ref(kAPI, "a1"), "GET /pets", `{"routeKey":"GET /pets"}`)
	empty := store.Record{Kind: kAPI, ID: "a2"} // nil Data
	insert(t, s, sc1, api, route, empty)

	for _, want := range []store.Record{api, route, empty} {
		got := mustGet(t, s, sc1, want.Kind, want.ID)
		if !equalRecord(got, want) {
			t.Errorf("Get(%s, %s) = %+v, want %+v", want.Kind, want.ID, got, want)
		}
	}
	if got := mustGet(t, s, sc1, kAPI, "a2"); len(got.Data) != 0 {
		t.Errorf("record inserted with nil Data came back with %q", got.Data)
	}
}

func testNotFound(t *testing.T, s store.Store) {
	insert(t, s, sc1, rec(kAPI, "a1", store.Ref{}, "", "{}"), rec(kRoute, "r1", ref(kAPI, "a1"), "", "{}"))
	ctx := context.Background()
	err := s.Update(ctx, sc1, func(tx store.Tx) error {
		_, err := tx.Get(kAPI, "nope")
		wantErr(t, "Get missing id", err, store.ErrNotFound)
		// Same id, other kind.
		_, err = tx.Get(kRoute, "a1")
		wantErr(t, "Get id of another kind", err, store.ErrNotFound)
		wantErr(t, "Replace missing", tx.Replace(rec(kAPI, "nope", store.Ref{}, "", "{}")), store.ErrNotFound)
		wantErr(t, "Replace with another parent", tx.Replace(rec(kRoute, "r1", ref(kAPI, "a2"), "", "{}")), store.ErrNotFound)
		wantErr(t, "Delete missing", tx.Delete(kAPI, "nope"), store.ErrNotFound)
		wantErr(t, "Delete id of another kind", tx.Delete(kRoute, "a1"), store.ErrNotFound)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// A scope never written to.
	_, err = get(t, s, sc2, kAPI, "a1")
	wantErr(t, "Get in empty scope", err, store.ErrNotFound)
	if ids := list(t, s, sc2, kAPI, store.Ref{}, "", 0); len(ids) != 0 {
		t.Errorf("List in empty scope = %v", ids)
	}
	if n := count(t, s, sc2, kAPI, store.Ref{}); n != 0 {
		t.Errorf("Count in empty scope = %d", n)
	}
	wantErr(t, "Delete in empty scope",
		s.Update(ctx, sc2, func(tx store.Tx) error { return tx.Delete(kAPI, "a1") }), store.ErrNotFound)
	if !exists(t, s, sc1, kAPI, "a1") || !exists(t, s, sc1, kRoute, "r1") {
		t.Error("records vanished")
	}
}

func testConflict(t *testing.T, s store.Store) {
	a1, a2 := ref(kAPI, "a1"), ref(kAPI, "a2")
	insert(t, s, sc1,
		rec(kAPI, "a1", store.Ref{}, "", "{}"),
		rec(kAPI, "a2", store.Ref{}, "", "{}"),
		rec(kRoute, "r1", a1, "GET /", "r1"),
	)
	wantErr(t, "duplicate id", tryInsert(s, sc1, rec(kRoute, "r1", a1, "", "dup")), store.ErrConflict)
	wantErr(t, "duplicate id under another parent", tryInsert(s, sc1, rec(kRoute, "r1", a2, "", "dup")), store.ErrConflict)
	wantErr(t, "duplicate key under same parent", tryInsert(s, sc1, rec(kRoute, "r2", a1, "GET /", "dup")), store.ErrConflict)
	if got := mustGet(t, s, sc1, kRoute, "r1"); string(got.Data) != "r1" || got.Key != "GET /" {
		t.Errorf("conflicting inserts changed r1: %+v", got)
	}

	// Not conflicts: same id of another kind, same key under another
	// parent or of another kind, and any number of empty keys.
	insert(t, s, sc1,
		rec(kInteg, "r1", a1, "", "same id, other kind"),
		rec(kRoute, "r2", a2, "GET /", "same key, other parent"),
		rec(kInteg, "i2", a1, "GET /", "same key, other kind"),
		rec(kRoute, "r3", a1, "", ""),
		rec(kRoute, "r4", a1, "", ""),
	)
	// A top-level key is unique among the top-level records of the kind.
	insert(t, s, sc1, rec(kAPI, "a3", store.Ref{}, "name", "{}"))
	wantErr(t, "duplicate top-level key", tryInsert(s, sc1, rec(kAPI, "a4", store.Ref{}, "name", "{}")), store.ErrConflict)
	if n := count(t, s, sc1, kRoute, a1); n != 3 {
		t.Errorf("routes under a1: %d, want 3", n)
	}
}

func testReplace(t *testing.T, s store.Store) {
	a1 := ref(kAPI, "a1")
	insert(t, s, sc1,
		rec(kAPI, "a1", store.Ref{}, "", "{}"),
		rec(kRoute, "r1", a1, "GET /a", "one"),
		rec(kRoute, "r2", a1, "GET /b", "two"),
		rec(kRR, "rr1", ref(kRoute, "r1"), "$default", "child"),
	)
	want := rec(kRoute, "r1", a1, "GET /c", "one, v2")
	update(t, s, sc1, func(tx store.Tx) error { return tx.Replace(want) })
	if got := mustGet(t, s, sc1, kRoute, "r1"); !equalRecord(got, want) {
		t.Errorf("after Replace: %+v, want %+v", got, want)
	}
	// The old key is free again, the new one taken.
	insert(t, s, sc1, rec(kRoute, "r3", a1, "GET /a", "three"))
	wantErr(t, "insert with replaced-in key", tryInsert(s, sc1, rec(kRoute, "r4", a1, "GET /c", "")), store.ErrConflict)

	wantErr(t, "Replace to a taken key", s.Update(context.Background(), sc1, func(tx store.Tx) error {
		return tx.Replace(rec(kRoute, "r1", a1, "GET /b", "stolen"))
	}), store.ErrConflict)
	if got := mustGet(t, s, sc1, kRoute, "r1"); !equalRecord(got, want) {
		t.Errorf("after conflicting Replace: %+v, want %+v", got, want)
	}

	// Keeping one's own key is fine; so is dropping it.
	update(t, s, sc1, func(tx store.Tx) error { return tx.Replace(rec(kRoute, "r1", a1, "GET /c", "v3")) })
	update(t, s, sc1, func(tx store.Tx) error { return tx.Replace(rec(kRoute, "r1", a1, "", "v4")) })
	insert(t, s, sc1, rec(kRoute, "r5", a1, "GET /c", "five"))
	if got := mustGet(t, s, sc1, kRoute, "r1"); got.Key != "" || string(got.Data) != "v4" {
		t.Errorf("after Replace with empty key: %+v", got)
	}
	// Replace leaves the children alone.
	if !exists(t, s, sc1, kRR, "rr1") {
		t.Error("Replace of the parent deleted its child")
	}
	if ids := list(t, s, sc1, kRoute, a1, "", 0); !slices.Equal(ids, []string{"r1", "r2", "r3", "r5"}) {
		t.Errorf("routes after Replaces: %v", ids)
	}
}

func testListPages(t *testing.T, s store.Store) {
	a1 := ref(kAPI, "a1")
	// IDs inserted in random order, some sharing prefixes, including
	// upper/lower case (compared bytewise).
	var want []string
	for i := range 57 {
		want = append(want, fmt.Sprintf("id%03d", i))
	}
	want = append(want, "A", "Z", "id", "id0", "z")
	slices.Sort(want) // bytewise, as both backends must order
	shuffled := append([]string(nil), want...)
	rand.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	var rs []store.Record
	for i, id := range shuffled {
		rs = append(rs, rec(kRoute, id, a1, "key"+strconv.Itoa(i), "data-"+id))
	}
	insert(t, s, sc1, rs...)

	if got := list(t, s, sc1, kRoute, a1, "", 0); !slices.Equal(got, want) {
		t.Fatalf("List all = %v\nwant %v", got, want)
	}
	if got := list(t, s, sc1, kRoute, a1, "", -1); !slices.Equal(got, want) {
		t.Errorf("List with negative limit = %v", got)
	}
	// The records come back whole.
	view(t, s, sc1, func(tx store.Tx) error {
		rs, err := tx.List(kRoute, a1, "", 0)
		for _, r := range rs {
			if string(r.Data) != "data-"+r.ID || r.Key == "" {
				t.Errorf("List returned %+v", r)
			}
		}
		return err
	})

	for _, size := range []int{1, 2, 7, 61, 62, 100} {
		var got []string
		after := ""
		for pages := 0; ; pages++ {
			if pages > len(want)+1 {
				t.Fatalf("page size %d: pagination does not end", size)
			}
			page := list(t, s, sc1, kRoute, a1, after, size)
			if len(page) > size {
				t.Fatalf("page size %d: got %d records", size, len(page))
			}
			got = append(got, page...)
			if len(page) < size {
				break
			}
			after = page[len(page)-1]
		}
		if !slices.Equal(got, want) {
			t.Errorf("page size %d: got %v", size, got)
		}
	}

	// after need not be an existing ID.
	if got := list(t, s, sc1, kRoute, a1, "id0", 3); !slices.Equal(got, []string{"id000", "id001", "id002"}) {
		t.Errorf("after existing id0: %v", got)
	}
	if got := list(t, s, sc1, kRoute, a1, "id00", 2); !slices.Equal(got, []string{"id000", "id001"}) {
		t.Errorf("after non-existent id00: %v", got)
	}
	if got := list(t, s, sc1, kRoute, a1, "z", 0); len(got) != 0 {
		t.Errorf("after the last id: %v", got)
	}
	if got := list(t, s, sc1, kRoute, a1, "zz", 5); len(got) != 0 {
		t.Errorf("after past the end: %v", got)
	}
}

func testListFilters(t *testing.T, s store.Store) {
	a1, a2 := ref(kAPI, "a1"), ref(kAPI, "a2")
	insert(t, s, sc1,
		rec(kAPI, "a1", store.Ref{}, "", ""),
		rec(kAPI, "a2", store.Ref{}, "", ""),
		rec(kRoute, "r1", a1, "", ""),
		rec(kRoute, "r2", a2, "", ""),
		rec(kRoute, "r3", a1, "", ""),
		rec(kInteg, "i1", a1, "", ""),
		rec(kRR, "rr1", ref(kRoute, "r1"), "", ""),
		// Same id as an api, but a route under a1 (kinds are separate).
		rec(kRoute, "a2", a1, "", ""),
	)
	cases := []struct {
		kind   store.Kind
		parent store.Ref
		want   []string
	}{
		{kAPI, store.Ref{}, []string{"a1", "a2"}},
		{kRoute, a1, []string{"a2", "r1", "r3"}},
		{kRoute, a2, []string{"r2"}},
		{kInteg, a1, []string{"i1"}},
		{kInteg, a2, nil},
		{kRR, ref(kRoute, "r1"), []string{"rr1"}},
		{kRR, ref(kRoute, "r3"), nil},
		{kRoute, store.Ref{}, nil},       // routes are not top-level
		{kRoute, ref(kInteg, "a1"), nil}, // parent kind matters, not just id
		{kRR, ref(kAPI, "a1"), nil},      // grandchildren are not children
	}
	for _, c := range cases {
		if got := list(t, s, sc1, c.kind, c.parent, "", 0); !slices.Equal(got, c.want) {
			t.Errorf("List(%s, %v) = %v, want %v", c.kind, c.parent, got, c.want)
		}
		if got := count(t, s, sc1, c.kind, c.parent); got != len(c.want) {
			t.Errorf("Count(%s, %v) = %d, want %d", c.kind, c.parent, got, len(c.want))
		}
	}
}

func testCount(t *testing.T, s store.Store) {
	a1 := ref(kAPI, "a1")
	insert(t, s, sc1, rec(kAPI, "a1", store.Ref{}, "", ""))
	if n := count(t, s, sc1, kRoute, a1); n != 0 {
		t.Errorf("Count with no children = %d", n)
	}
	for i := range 25 {
		insert(t, s, sc1, rec(kRoute, fmt.Sprintf("r%d", i), a1, fmt.Sprintf("k%d", i), ""))
	}
	if n := count(t, s, sc1, kRoute, a1); n != 25 {
		t.Errorf("Count = %d, want 25", n)
	}
	update(t, s, sc1, func(tx store.Tx) error { return tx.Delete(kRoute, "r7") })
	if n := count(t, s, sc1, kRoute, a1); n != 24 {
		t.Errorf("Count after Delete = %d, want 24", n)
	}
	if n := count(t, s, sc1, kAPI, store.Ref{}); n != 1 {
		t.Errorf("Count of top-level apis = %d, want 1", n)
	}
}

// tree inserts, in sc, apis a1 and a2, each with routes (a1: r1, r2; a2:
// r3), each route with two route responses, plus an integration under a1.
func tree(t *testing.T, s store.Store, sc store.Scope) {
	t.Helper()
	var rs []store.Record
	for api, routes := range map[string][]string{"a1": {"r1", "r2"}, "a2": {"r3"}} {
		rs = append(rs, rec(kAPI, api, store.Ref{}, "", api))
		for _, r := range routes {
			rs = append(rs, rec(kRoute, r, ref(kAPI, api), "GET /"+r, r))
			for _, rr := range []string{"x", "y"} {
				rs = append(rs, rec(kRR, r+rr, ref(kRoute, r), "$default"+rr, r+rr))
			}
		}
	}
	rs = append(rs, rec(kInteg, "i1", ref(kAPI, "a1"), "", "i1"))
	insert(t, s, sc, rs...)
}

var treeRefs = []store.Ref{
	{Kind: kAPI, ID: "a1"}, {Kind: kAPI, ID: "a2"}, {Kind: kInteg, ID: "i1"},
	{Kind: kRoute, ID: "r1"}, {Kind: kRoute, ID: "r2"}, {Kind: kRoute, ID: "r3"},
	{Kind: kRR, ID: "r1x"}, {Kind: kRR, ID: "r1y"}, {Kind: kRR, ID: "r2x"},
	{Kind: kRR, ID: "r2y"}, {Kind: kRR, ID: "r3x"}, {Kind: kRR, ID: "r3y"},
}

// checkTree fails the test unless exactly the records of tree not in gone
// exist in sc.
func checkTree(t *testing.T, s store.Store, sc store.Scope, gone ...string) {
	t.Helper()
	isGone := map[string]bool{}
	for _, id := range gone {
		isGone[id] = true
	}
	for _, r := range treeRefs {
		if got := exists(t, s, sc, r.Kind, r.ID); got == isGone[r.ID] {
			t.Errorf("%s/%s exists: %v, want %v", r.Kind, r.ID, got, !isGone[r.ID])
		}
	}
}

func testCascadeDelete(t *testing.T, s store.Store) {
	tree(t, s, sc1)
	tree(t, s, sc2)

	update(t, s, sc1, func(tx store.Tx) error { return tx.Delete(kRoute, "r2") })
	checkTree(t, s, sc1, "r2", "r2x", "r2y")

	update(t, s, sc1, func(tx store.Tx) error { return tx.Delete(kAPI, "a1") })
	checkTree(t, s, sc1, "a1", "i1", "r1", "r1x", "r1y", "r2", "r2x", "r2y")
	if ids := list(t, s, sc1, kRR, ref(kRoute, "r1"), "", 0); len(ids) != 0 {
		t.Errorf("route responses of deleted route still listed: %v", ids)
	}
	checkTree(t, s, sc2) // the other scope is untouched

	// Deleted ids and keys are free again.
	tree2 := []store.Record{
		rec(kAPI, "a1", store.Ref{}, "", ""),
		rec(kRoute, "r1", ref(kAPI, "a1"), "GET /r1", ""),
		rec(kRR, "r1x", ref(kRoute, "r1"), "$defaultx", ""),
	}
	insert(t, s, sc1, tree2...)

	// Deleting a leaf deletes only the leaf.
	update(t, s, sc1, func(tx store.Tx) error { return tx.Delete(kRR, "r3x") })
	if exists(t, s, sc1, kRR, "r3x") || !exists(t, s, sc1, kRR, "r3y") || !exists(t, s, sc1, kRoute, "r3") {
		t.Error("deleting a leaf did the wrong thing")
	}

	// Several deletes in one transaction, children first and then the
	// parent; a child of a deleted parent is gone within the transaction.
	update(t, s, sc2, func(tx store.Tx) error {
		if err := tx.Delete(kRR, "r1x"); err != nil {
			return err
		}
		if err := tx.Delete(kAPI, "a1"); err != nil {
			return err
		}
		wantErr(t, "Delete of a cascaded-away child", tx.Delete(kRoute, "r2"), store.ErrNotFound)
		return nil
	})
	checkTree(t, s, sc2, "a1", "i1", "r1", "r1x", "r1y", "r2", "r2x", "r2y")
}

// testOrphans pins down what happens when parents are missing, which the
// store does not prevent: inserts succeed, Delete of the missing parent is
// ErrNotFound and leaves the orphans alone, and a cycle of parents does not
// hang the cascade.
func testOrphans(t *testing.T, s store.Store) {
	ghost := ref(kAPI, "ghost")
	insert(t, s, sc1, rec(kRoute, "r1", ghost, "GET /", ""))
	wantErr(t, "Delete of a missing parent",
		s.Update(context.Background(), sc1, func(tx store.Tx) error { return tx.Delete(kAPI, "ghost") }), store.ErrNotFound)
	if ids := list(t, s, sc1, kRoute, ghost, "", 0); !slices.Equal(ids, []string{"r1"}) {
		t.Errorf("orphans = %v", ids)
	}

	insert(t, s, sc1,
		rec(kAPI, "x", ref(kAPI, "y"), "", ""),
		rec(kAPI, "y", ref(kAPI, "x"), "", ""),
		rec(kRoute, "rx", ref(kAPI, "x"), "", ""),
		rec(kAPI, "z", store.Ref{}, "", ""),
	)
	update(t, s, sc1, func(tx store.Tx) error { return tx.Delete(kAPI, "y") })
	if exists(t, s, sc1, kAPI, "x") || exists(t, s, sc1, kAPI, "y") || exists(t, s, sc1, kRoute, "rx") {
		t.Error("cycle not deleted")
	}
	if !exists(t, s, sc1, kAPI, "z") || !exists(t, s, sc1, kRoute, "r1") {
		t.Error("unrelated records deleted")
	}
}

func testScopeIsolation(t *testing.T, s store.Store) {
	for i, sc := range []store.Scope{sc1, sc2, sc3} {
		insert(t, s, sc, rec(kAPI, "a1", store.Ref{}, "name", strconv.Itoa(i)))
		insert(t, s, sc, rec(kRoute, "r1", ref(kAPI, "a1"), "GET /", strconv.Itoa(i)))
	}
	for i, sc := range []store.Scope{sc1, sc2, sc3} {
		if got := mustGet(t, s, sc, kAPI, "a1"); string(got.Data) != strconv.Itoa(i) {
			t.Errorf("%v: a1 data %q, want %d", sc, got.Data, i)
		}
	}
	update(t, s, sc2, func(tx store.Tx) error {
		return tx.Replace(rec(kAPI, "a1", store.Ref{}, "other", "changed"))
	})
	update(t, s, sc3, func(tx store.Tx) error { return tx.Delete(kAPI, "a1") })

	if got := mustGet(t, s, sc1, kAPI, "a1"); string(got.Data) != "0" || got.Key != "name" {
		t.Errorf("sc1 a1 changed: %+v", got)
	}
	if !exists(t, s, sc1, kRoute, "r1") || !exists(t, s, sc2, kRoute, "r1") || exists(t, s, sc3, kRoute, "r1") {
		t.Error("cascade crossed scopes")
	}
	if got := mustGet(t, s, sc2, kAPI, "a1"); string(got.Data) != "changed" {
		t.Errorf("sc2 a1: %+v", got)
	}
	for _, sc := range []store.Scope{sc1, sc2} {
		if ids := list(t, s, sc, kAPI, store.Ref{}, "", 0); !slices.Equal(ids, []string{"a1"}) {
			t.Errorf("%v: List = %v", sc, ids)
		}
	}
	if ids := list(t, s, sc3, kAPI, store.Ref{}, "", 0); len(ids) != 0 {
		t.Errorf("sc3: List = %v", ids)
	}
	// Keys are per scope too.
	insert(t, s, sc3, rec(kAPI, "a2", store.Ref{}, "name", ""))
}

func testReset(t *testing.T, s store.Store) {
	tree(t, s, sc1)
	tree(t, s, sc2)
	if err := s.Reset(context.Background()); err != nil {
		t.Fatal(err)
	}
	checkTree(t, s, sc1, "a1", "a2", "i1", "r1", "r2", "r3", "r1x", "r1y", "r2x", "r2y", "r3x", "r3y")
	checkTree(t, s, sc2, "a1", "a2", "i1", "r1", "r2", "r3", "r1x", "r1y", "r2x", "r2y", "r3x", "r3y")
	// The store is usable afterwards, and ids and keys are free.
	tree(t, s, sc1)
	checkTree(t, s, sc1)
}

func testRollback(t *testing.T, s store.Store) {
	tree(t, s, sc1)
	ctx := context.Background()
	errBoom := errors.New("boom")

	// Inserts, then failure: nothing is left, not even in a new scope.
	for _, sc := range []store.Scope{sc1, sc3} {
		err := s.Update(ctx, sc, func(tx store.Tx) error {
			for _, r := range []store.Record{
				rec(kAPI, "new", store.Ref{}, "newkey", ""),
				rec(kRoute, "rnew", ref(kAPI, "a1"), "GET /new", ""),
			} {
				if err := tx.Insert(r); err != nil {
					return err
				}
			}
			if _, err := tx.Get(kAPI, "new"); err != nil {
				t.Errorf("insert not visible inside its transaction: %v", err)
			}
			return fmt.Errorf("wrapped: %w", errBoom)
		})
		wantErr(t, "failing Update", err, errBoom)
		if exists(t, s, sc, kAPI, "new") || exists(t, s, sc, kRoute, "rnew") {
			t.Errorf("%v: rolled-back inserts are visible", sc)
		}
		// Their keys are free.
		insert(t, s, sc, rec(kAPI, "new2", store.Ref{}, "newkey", ""))
	}

	// Replace, Delete and more, then failure.
	err := s.Update(ctx, sc1, func(tx store.Tx) error {
		steps := []error{
			tx.Replace(rec(kRoute, "r1", ref(kAPI, "a1"), "GET /moved", "changed")),
			tx.Replace(rec(kRoute, "r1", ref(kAPI, "a1"), "GET /moved-again", "changed again")),
			tx.Delete(kAPI, "a2"),
			tx.Insert(rec(kAPI, "a2", store.Ref{}, "", "reborn")),
			tx.Delete(kRR, "r2x"),
			tx.Delete(kAPI, "a1"),
			tx.Insert(rec(kRoute, "r1", ref(kAPI, "a2"), "GET /r1", "reborn")),
		}
		for i, err := range steps {
			if err != nil {
				t.Errorf("step %d: %v", i, err)
			}
		}
		return errBoom
	})
	wantErr(t, "failing Update", err, errBoom)
	checkTree(t, s, sc1)
	if got := mustGet(t, s, sc1, kRoute, "r1"); got.Key != "GET /r1" || string(got.Data) != "r1" || got.Parent != ref(kAPI, "a1") {
		t.Errorf("r1 after rollback: %+v", got)
	}
	if got := mustGet(t, s, sc1, kAPI, "a2"); string(got.Data) != "a2" {
		t.Errorf("a2 after rollback: %+v", got)
	}
	if ids := list(t, s, sc1, kRoute, ref(kAPI, "a1"), "", 0); !slices.Equal(ids, []string{"r1", "r2"}) {
		t.Errorf("routes of a1 after rollback: %v", ids)
	}
	if ids := list(t, s, sc1, kRR, ref(kRoute, "r2"), "", 0); !slices.Equal(ids, []string{"r2x", "r2y"}) {
		t.Errorf("responses of r2 after rollback: %v", ids)
	}
	// The restored keys are taken again, and the moved-to key is free.
	wantErr(t, "restored key", tryInsert(s, sc1, rec(kRoute, "rx", ref(kAPI, "a1"), "GET /r1", "")), store.ErrConflict)
	wantErr(t, "restored key", tryInsert(s, sc1, rec(kRR, "rx", ref(kRoute, "r2"), "$defaultx", "")), store.ErrConflict)
	insert(t, s, sc1, rec(kRoute, "rx", ref(kAPI, "a1"), "GET /moved-again", ""))

	// A failed write inside fn does not poison the transaction if fn goes
	// on and succeeds.
	update(t, s, sc1, func(tx store.Tx) error {
		wantErr(t, "duplicate insert", tx.Insert(rec(kAPI, "a1", store.Ref{}, "", "")), store.ErrConflict)
		return tx.Insert(rec(kAPI, "a3", store.Ref{}, "", "a3"))
	})
	if !exists(t, s, sc1, kAPI, "a3") {
		t.Error("insert after a conflict inside one transaction was lost")
	}

	// A panic in fn rolls back too, and leaves the store usable.
	func() {
		defer func() {
			if recover() == nil {
				t.Error("panic was swallowed")
			}
		}()
		_ = s.Update(ctx, sc1, func(tx store.Tx) error {
			if err := tx.Delete(kAPI, "a3"); err != nil {
				return err
			}
			panic("fn panics")
		})
	}()
	if !exists(t, s, sc1, kAPI, "a3") {
		t.Error("delete of a panicking Update was applied")
	}
}

func testReadYourWrites(t *testing.T, s store.Store) {
	a1 := ref(kAPI, "a1")
	update(t, s, sc1, func(tx store.Tx) error {
		if err := tx.Insert(rec(kAPI, "a1", store.Ref{}, "", "v1")); err != nil {
			return err
		}
		for _, id := range []string{"r2", "r1", "r3"} {
			if err := tx.Insert(rec(kRoute, id, a1, "GET /"+id, id)); err != nil {
				return err
			}
		}
		if err := tx.Replace(rec(kRoute, "r2", a1, "GET /x", "r2 v2")); err != nil {
			return err
		}
		if err := tx.Delete(kRoute, "r3"); err != nil {
			return err
		}
		rs, err := tx.List(kRoute, a1, "", 0)
		if err != nil {
			return err
		}
		if len(rs) != 2 || rs[0].ID != "r1" || rs[1].ID != "r2" || string(rs[1].Data) != "r2 v2" || rs[1].Key != "GET /x" {
			t.Errorf("List inside the transaction: %+v", rs)
		}
		if n, err := tx.Count(kRoute, a1); err != nil || n != 2 {
			t.Errorf("Count inside the transaction: %d, %v", n, err)
		}
		// The old key is free inside the transaction already.
		return tx.Insert(rec(kRoute, "r4", a1, "GET /r2", ""))
	})
	if ids := list(t, s, sc1, kRoute, a1, "", 0); !slices.Equal(ids, []string{"r1", "r2", "r4"}) {
		t.Errorf("committed routes: %v", ids)
	}
}

func testViewReadOnly(t *testing.T, s store.Store) {
	insert(t, s, sc1, rec(kAPI, "a1", store.Ref{}, "", "v1"))
	for _, sc := range []store.Scope{sc1, sc2} {
		view(t, s, sc, func(tx store.Tx) error {
			if err := tx.Insert(rec(kAPI, "a2", store.Ref{}, "", "")); err == nil {
				t.Error("Insert in a View succeeded")
			}
			if err := tx.Replace(rec(kAPI, "a1", store.Ref{}, "", "v2")); err == nil {
				t.Error("Replace in a View succeeded")
			}
			if err := tx.Delete(kAPI, "a1"); err == nil {
				t.Error("Delete in a View succeeded")
			}
			return nil
		})
	}
	if got := mustGet(t, s, sc1, kAPI, "a1"); string(got.Data) != "v1" || exists(t, s, sc1, kAPI, "a2") {
		t.Error("a View wrote")
	}
	// A View returns fn's error.
	errBoom := errors.New("boom")
	wantErr(t, "View", s.View(context.Background(), sc1, func(store.Tx) error { return errBoom }), errBoom)
}

func testValidation(t *testing.T, s store.Store) {
	bad := []store.Record{
		{Kind: "", ID: "x"},
		{Kind: kAPI, ID: ""},
		{Kind: kRoute, ID: "r", Parent: store.Ref{Kind: kAPI}},
		{Kind: kRoute, ID: "r", Parent: store.Ref{ID: "a1"}},
	}
	for _, r := range bad {
		if err := tryInsert(s, sc1, r); err == nil {
			t.Errorf("Insert(%+v) succeeded", r)
		}
	}
	if n := count(t, s, sc1, kRoute, store.Ref{}); n != 0 {
		t.Errorf("invalid records were stored")
	}
}

func testDataCopied(t *testing.T, s store.Store) {
	data := []byte("original")
	insert(t, s, sc1, store.Record{Kind: kAPI, ID: "a1", Data: data})
	copy(data, "XXXXXXXX")

	view(t, s, sc1, func(tx store.Tx) error {
		r, err := tx.Get(kAPI, "a1")
		if err != nil {
			return err
		}
		copy(r.Data, "YYYYYYYY")
		rs, err := tx.List(kAPI, store.Ref{}, "", 0)
		if err != nil {
			return err
		}
		copy(rs[0].Data, "ZZZZZZZZ")
		return nil
	})
	// Inside an Update too, where a backend might hand out its own bytes.
	update(t, s, sc1, func(tx store.Tx) error {
		r, err := tx.Get(kAPI, "a1")
		if err != nil {
			return err
		}
		copy(r.Data, "YYYYYYYY")
		rep := store.Record{Kind: kAPI, ID: "a2", Data: []byte("second")}
		if err := tx.Insert(rep); err != nil {
			return err
		}
		copy(rep.Data, "XXXXXX")
		return nil
	})
	if got := mustGet(t, s, sc1, kAPI, "a1"); string(got.Data) != "original" {
		t.Errorf("stored Data changed to %q", got.Data)
	}
	if got := mustGet(t, s, sc1, kAPI, "a2"); string(got.Data) != "second" {
		t.Errorf("stored Data changed to %q", got.Data)
	}
}

func testContext(t *testing.T, s store.Store) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	called := false
	if err := s.Update(ctx, sc1, func(tx store.Tx) error {
		called = true
		return tx.Insert(rec(kAPI, "a1", store.Ref{}, "", ""))
	}); err == nil {
		t.Error("Update with a cancelled context succeeded")
	}
	if err := s.View(ctx, sc1, func(store.Tx) error { called = true; return nil }); err == nil {
		t.Error("View with a cancelled context succeeded")
	}
	if called {
		t.Error("fn ran with a cancelled context")
	}

	// A context cancelled while fn runs: nothing is committed.
	ctx, cancel = context.WithCancel(context.Background())
	err := s.Update(ctx, sc1, func(tx store.Tx) error {
		if err := tx.Insert(rec(kAPI, "a1", store.Ref{}, "", "")); err != nil {
			return err
		}
		cancel()
		return nil
	})
	wantErr(t, "Update cancelled while fn runs", err, context.Canceled)
	if exists(t, s, sc1, kAPI, "a1") {
		t.Error("Update cancelled while fn runs was committed")
	}

	// Once the context ends, the Tx calls that fn goes on making fail with
	// its error (or still work), whatever the backend does with the
	// transaction behind fn's back meanwhile: database/sql rolls it back
	// from another goroutine and closes its statements.
	insert(t, s, sc1, rec(kAPI, "a0", store.Ref{}, "", ""))
	for _, write := range []bool{false, true} {
		ctx, cancel = context.WithCancel(context.Background())
		fn := func(tx store.Tx) error {
			if _, err := tx.Get(kAPI, "a0"); err != nil {
				return err
			}
			cancel()
			for i := range 200 {
				runtime.Gosched() // let the backend's cleanup run
				_, getErr := tx.Get(kAPI, "a0")
				_, listErr := tx.List(kAPI, store.Ref{}, "", 0)
				_, countErr := tx.Count(kAPI, store.Ref{})
				errs := []error{getErr, listErr, countErr}
				if write {
					errs = append(errs, tx.Replace(rec(kAPI, "a0", store.Ref{}, "", "x")),
						tx.Insert(rec(kAPI, fmt.Sprintf("n%d", i), store.Ref{}, "", "")))
				}
				for _, err := range errs {
					if err != nil && !errors.Is(err, context.Canceled) {
						return fmt.Errorf("call %d after the cancel: %w", i, err)
					}
				}
			}
			return nil
		}
		if write {
			err = s.Update(ctx, sc1, fn)
		} else {
			err = s.View(ctx, sc1, fn)
		}
		if err != nil && !errors.Is(err, context.Canceled) {
			t.Errorf("write=%v: %v", write, err)
		}
	}
	if got := mustGet(t, s, sc1, kAPI, "a0"); string(got.Data) != "" || exists(t, s, sc1, kAPI, "n0") {
		t.Errorf("a cancelled Update wrote")
	}
	// And the store still works.
	insert(t, s, sc1, rec(kAPI, "a1", store.Ref{}, "", ""))
}

// bump adds one to counter "c", a read-modify-write, and returns the new
// value.
func bump(tx store.Tx) (int, error) {
	r, err := tx.Get(kCount, "c")
	if err != nil {
		return 0, err
	}
	n, err := strconv.Atoi(string(r.Data))
	if err != nil {
		return 0, err
	}
	r.Data = []byte(strconv.Itoa(n + 1))
	return n + 1, tx.Replace(r)
}

func testConcurrentIncrements(t *testing.T, s store.Store) {
	const workers, rounds = 8, 50
	insert(t, s, sc1, rec(kCount, "c", store.Ref{}, "", "0"))
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for range workers {
		wg.Go(func() {
			for range rounds {
				err := s.Update(context.Background(), sc1, func(tx store.Tx) error {
					_, err := bump(tx)
					return err
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
	if got := mustGet(t, s, sc1, kCount, "c"); string(got.Data) != strconv.Itoa(workers*rounds) {
		t.Errorf("counter = %s, want %d", got.Data, workers*rounds)
	}
}

func testConcurrentSameKey(t *testing.T, s store.Store) {
	const n = 16
	a1 := ref(kAPI, "a1")
	insert(t, s, sc1, rec(kAPI, "a1", store.Ref{}, "", ""))
	for _, sameID := range []bool{false, true} {
		// Either the same key under different ids, or the same id with
		// different keys.
		var wg sync.WaitGroup
		results := make(chan error, n)
		for i := range n {
			id, key := fmt.Sprintf("r%d", i), "GET /same"
			if sameID {
				id, key = "r-same", fmt.Sprintf("GET /%d", i)
			}
			wg.Go(func() { results <- tryInsert(s, sc1, rec(kRoute, id, a1, key, "")) })
		}
		wg.Wait()
		close(results)
		ok := 0
		for err := range results {
			switch {
			case err == nil:
				ok++
			case !errors.Is(err, store.ErrConflict):
				t.Errorf("sameID=%v: unexpected error %v", sameID, err)
			}
		}
		if ok != 1 {
			t.Errorf("sameID=%v: %d inserts succeeded, want 1", sameID, ok)
		}
	}
	if n := count(t, s, sc1, kRoute, a1); n != 2 {
		t.Errorf("routes = %d, want 2", n)
	}
}

// testConsistentViews checks that a View sees one state: writers move
// value between two records, keeping the total, while readers check it.
func testConsistentViews(t *testing.T, s store.Store) {
	const total = 100
	insert(t, s, sc1, rec(kCount, "x", store.Ref{}, "", strconv.Itoa(total)), rec(kCount, "y", store.Ref{}, "", "0"))
	ctx := context.Background()
	read := func(tx store.Tx, id string) (int, error) {
		r, err := tx.Get(kCount, id)
		if err != nil {
			return 0, err
		}
		return strconv.Atoi(string(r.Data))
	}
	var writers, readers sync.WaitGroup
	stop := make(chan struct{})
	for w := range 2 {
		writers.Go(func() {
			for i := range 40 {
				err := s.Update(ctx, sc1, func(tx store.Tx) error {
					x, err := read(tx, "x")
					if err != nil {
						return err
					}
					y, err := read(tx, "y")
					if err != nil {
						return err
					}
					d := (i+w)%7 - 3
					if err := tx.Replace(rec(kCount, "x", store.Ref{}, "", strconv.Itoa(x-d))); err != nil {
						return err
					}
					return tx.Replace(rec(kCount, "y", store.Ref{}, "", strconv.Itoa(y+d)))
				})
				if err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	for range 4 {
		readers.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				err := s.View(ctx, sc1, func(tx store.Tx) error {
					x, err := read(tx, "x")
					if err != nil {
						return err
					}
					y, err := read(tx, "y")
					if err != nil {
						return err
					}
					if x+y != total {
						return fmt.Errorf("View saw x=%d y=%d, sum %d, want %d", x, y, x+y, total)
					}
					return nil
				})
				if err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	writers.Wait()
	close(stop)
	readers.Wait()
	// Committed state is visible to a new View at once.
	update(t, s, sc1, func(tx store.Tx) error {
		return tx.Replace(rec(kCount, "x", store.Ref{}, "", "fresh"))
	})
	if got := mustGet(t, s, sc1, kCount, "x"); string(got.Data) != "fresh" {
		t.Errorf("View after Update saw %q", got.Data)
	}
}

// testLocate: Locate finds every scope holding a kind and id, in order, and
// nothing for other kinds or deleted records.
func testLocate(t *testing.T, s store.Store) {
	ctx := context.Background()
	a := store.Scope{Account: "111111111111", Region: "us-east-1"}
	b := store.Scope{Account: "000000000000", Region: "eu-west-1"}
	for _, sc := range []store.Scope{a, b} {
		if err := s.Update(ctx, sc, func(tx store.Tx) error {
			return tx.Insert(store.Record{Kind: "api", ID: "shared", Data: []byte("{}")})
		}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Update(ctx, a, func(tx store.Tx) error {
		return tx.Insert(store.Record{Kind: "api", ID: "only-a", Data: []byte("{}")})
	}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Locate(ctx, "api", "shared")
	if err != nil || len(got) != 2 || got[0] != b || got[1] != a {
		t.Fatalf("Locate shared: %v %v", got, err)
	}
	if got, _ := s.Locate(ctx, "api", "only-a"); len(got) != 1 || got[0] != a {
		t.Fatalf("Locate only-a: %v", got)
	}
	if got, _ := s.Locate(ctx, "route", "shared"); len(got) != 0 {
		t.Fatalf("Locate of another kind: %v", got)
	}
	if err := s.Update(ctx, a, func(tx store.Tx) error { return tx.Delete("api", "only-a") }); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Locate(ctx, "api", "only-a"); len(got) != 0 {
		t.Fatalf("Locate after delete: %v", got)
	}
}

// testScopes: Scopes lists exactly the scopes that hold records, in
// order (bytewise: "us-east-1" before "us-east-10", digits before
// letters): none in an empty store; not a scope that only a rolled-back
// Update wrote, nor one whose last record went (by a cascade); none after
// Reset, and new ones after that.
func testScopes(t *testing.T, s store.Store) {
	ctx := context.Background()
	scopes := func(want ...store.Scope) {
		t.Helper()
		got, err := s.Scopes(ctx)
		if err != nil || !slices.Equal(got, want) {
			t.Fatalf("Scopes = %v, %v; want %v", got, err, want)
		}
	}
	scopes()
	internal := store.Scope{Account: "portico-cluster", Region: "-"}
	sc4 := store.Scope{Account: "000000000000", Region: "us-east-10"}
	tree(t, s, sc3)
	insert(t, s, internal, rec(kAPI, "n1", store.Ref{}, "", ""))
	tree(t, s, sc1)
	insert(t, s, sc4, rec(kAPI, "a1", store.Ref{}, "", ""))
	insert(t, s, sc2, rec(kAPI, "a1", store.Ref{}, "", ""), rec(kRoute, "r1", ref(kAPI, "a1"), "GET /", ""))
	scopes(sc2, sc1, sc4, sc3, internal)

	rolledBack := store.Scope{Account: "222222222222", Region: "ap-south-1"}
	errBoom := errors.New("boom")
	err := s.Update(ctx, rolledBack, func(tx store.Tx) error {
		if err := tx.Insert(rec(kAPI, "a1", store.Ref{}, "", "")); err != nil {
			return err
		}
		return errBoom
	})
	wantErr(t, "failing Update", err, errBoom)
	scopes(sc2, sc1, sc4, sc3, internal)

	update(t, s, sc1, func(tx store.Tx) error { return tx.Delete(kAPI, "a2") })
	scopes(sc2, sc1, sc4, sc3, internal)
	update(t, s, sc1, func(tx store.Tx) error { return tx.Delete(kAPI, "a1") }) // its last records, with it
	update(t, s, sc2, func(tx store.Tx) error { return tx.Delete(kAPI, "a1") })
	scopes(sc4, sc3, internal)

	if err := s.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	scopes()
	insert(t, s, sc2, rec(kAPI, "a1", store.Ref{}, "", ""))
	scopes(sc2)

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if got, err := s.Scopes(cancelled); !errors.Is(err, context.Canceled) {
		t.Errorf("Scopes with a cancelled context: %v, %v", got, err)
	}
}

// testCancelStorm cancels contexts at random points of every store call,
// from many goroutines at once, the way clients that hang up mid-request
// do. Every error must be one a caller can act on: nil, ErrNotFound or
// ErrConflict where the operation can fail so, or the context's error;
// never a driver's internal error such as "sql: statement is closed".
// Afterwards the store is healthy and nothing is half written: an Update
// that returned nil is committed, one that returned an error left nothing,
// and the value the Updates move between two records is conserved.
func testCancelStorm(t *testing.T, s store.Store) {
	const (
		workers = 12
		rounds  = 60
		total   = 1000
	)
	a1 := ref(kAPI, "a1")
	insert(t, s, sc1, rec(kAPI, "a1", store.Ref{}, "", ""),
		rec(kCount, "x", store.Ref{}, "", strconv.Itoa(total)), rec(kCount, "y", store.Ref{}, "", "0"),
		rec(kRoute, "taken", a1, "GET /taken", ""))

	read := func(tx store.Tx, id string) (int, error) {
		r, err := tx.Get(kCount, id)
		if err != nil {
			return 0, err
		}
		return strconv.Atoi(string(r.Data))
	}
	// browse reads the routes several ways, a few times over.
	browse := func(tx store.Tx) error {
		for range 5 {
			if _, err := tx.List(kRoute, a1, "", 0); err != nil {
				return err
			}
			if _, err := tx.Count(kRoute, a1); err != nil {
				return err
			}
			if _, err := tx.Get(kRoute, "taken"); err != nil {
				return err
			}
			if _, err := tx.Get(kRoute, "missing"); !errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("get of a missing record: %w", err)
			}
		}
		return nil
	}
	// move is one Update: it inserts route id and moves d from x to y. It
	// also tries a conflicting insert and a missing replace on the way,
	// whose expected errors it ignores, so that the store's error paths
	// run under cancellation too.
	// Both run many short statements, so that cancellations land between
	// two of them, not only while a call waits for a connection.
	move := func(ctx context.Context, id string, d int) error {
		return s.Update(ctx, sc1, func(tx store.Tx) error {
			if err := browse(tx); err != nil {
				return err
			}
			x, err := read(tx, "x")
			if err != nil {
				return err
			}
			y, err := read(tx, "y")
			if err != nil {
				return err
			}
			if err := tx.Insert(rec(kRoute, id+"-dup", a1, "GET /taken", "")); !errors.Is(err, store.ErrConflict) {
				return fmt.Errorf("conflicting insert: %w", err)
			}
			if err := tx.Replace(rec(kRoute, "missing", a1, "", "")); !errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("replace of a missing record: %w", err)
			}
			if err := tx.Insert(rec(kRoute, id, a1, "GET /"+id, "")); err != nil {
				return err
			}
			if err := tx.Replace(rec(kCount, "x", store.Ref{}, "", strconv.Itoa(x-d))); err != nil {
				return err
			}
			return tx.Replace(rec(kCount, "y", store.Ref{}, "", strconv.Itoa(y+d)))
		})
	}
	// look is one View that reads everything the Updates touch.
	look := func(ctx context.Context) error {
		return s.View(ctx, sc1, func(tx store.Tx) error {
			x, err := read(tx, "x")
			if err != nil {
				return err
			}
			if err := browse(tx); err != nil {
				return err
			}
			y, err := read(tx, "y")
			if err != nil {
				return err
			}
			if x+y != total {
				return fmt.Errorf("View saw x=%d y=%d, sum %d, want %d", x, y, x+y, total)
			}
			return nil
		})
	}

	// "Late enough to let it finish" depends on the backend: an Update
	// here is microseconds in memory, one fsync on SQLite, and some two
	// dozen round trips to a database server on PostgreSQL, where the
	// storm's Updates also queue for their scope one after the other.
	// Time one alone.
	start := time.Now()
	if err := move(context.Background(), "calibration", 0); err != nil {
		t.Fatal(err)
	}
	late := max(20*time.Millisecond, workers*time.Since(start))

	isCtxErr := func(err error) bool {
		return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
	}
	var (
		mu      sync.Mutex
		results = map[string]error{} // route id -> what its Update returned
		wg      sync.WaitGroup
	)
	for w := range workers {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(w), 1))
			for i := range rounds {
				ctx, cancel := context.WithCancel(context.Background())
				// Mostly within the first few hundred microseconds, where
				// a call is queued, between two statements or committing;
				// sometimes at once; sometimes late enough to let it finish.
				var delay time.Duration
				switch p := rng.IntN(10); {
				case p == 0:
					cancel()
				case p < 8:
					delay = time.Duration(rng.Int64N(int64(300 * time.Microsecond)))
				default:
					delay = time.Duration(rng.Int64N(int64(late)))
				}
				timer := time.AfterFunc(delay, cancel)
				var err error
				what := ""
				switch op := rng.IntN(4); op {
				case 0, 1:
					id := fmt.Sprintf("w%d-%d", w, i)
					what = "Update " + id
					err = move(ctx, id, rng.IntN(7)-3)
					mu.Lock()
					results[id] = err
					mu.Unlock()
				case 2:
					what = "View"
					err = look(ctx)
				case 3:
					what = "Locate"
					var scopes []store.Scope
					scopes, err = s.Locate(ctx, kAPI, "a1")
					if err == nil && (len(scopes) != 1 || scopes[0] != sc1) {
						err = fmt.Errorf("found %v", scopes)
					}
				}
				timer.Stop()
				cancel()
				if err != nil && !isCtxErr(err) {
					t.Errorf("%s: %v (want nil or a context error)", what, err)
				}
				if err != nil && isCtxErr(err) && ctx.Err() == nil {
					t.Errorf("%s: context error %v while the context is live", what, err)
				}
			}
		})
	}
	wg.Wait()

	if err := s.Health(context.Background()); err != nil {
		t.Errorf("Health after the storm: %v", err)
	}
	committed := 0
	for id, err := range results {
		switch found := exists(t, s, sc1, kRoute, id); {
		case err == nil && !found:
			t.Errorf("Update %s returned nil but is not committed", id)
		case err != nil && found:
			t.Errorf("Update %s returned %v but is committed", id, err)
		case found:
			committed++
		}
	}
	if committed == 0 {
		t.Errorf("none of %d Updates committed: the storm cancelled everything", len(results))
	}
	t.Logf("%d of %d Updates committed (late cancellations within %v)", committed, len(results), late)
	if err := look(context.Background()); err != nil {
		t.Errorf("after the storm: %v", err)
	}
	// Besides the committed ones: "taken" and "calibration".
	if n := count(t, s, sc1, kRoute, a1); n != committed+2 {
		t.Errorf("%d routes, want %d", n, committed+2)
	}
	// The store still works.
	insert(t, s, sc1, rec(kRoute, "after", a1, "GET /after", ""))
}

// testHealth: a working store is healthy, and stays healthy through every
// error that is the caller's: a missing record, a taken key, a failing or
// panicking fn, a write in a View, an invalid record, a Tx used too late,
// a context that ended. (Each backend's own tests damage it for real.)
func testHealth(t *testing.T, s store.Store) {
	ctx := context.Background()
	healthy := func(when string) {
		t.Helper()
		if err := s.Health(ctx); err != nil {
			t.Fatalf("Health %s: %v", when, err)
		}
	}
	healthy("when new")
	insert(t, s, sc1, rec(kAPI, "a1", store.Ref{}, "k", ""))
	healthy("after a write")

	if _, err := get(t, s, sc1, kAPI, "missing"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Get of a missing record: %v", err)
	}
	wantErr(t, "duplicate id", tryInsert(s, sc1, rec(kAPI, "a1", store.Ref{}, "", "")), store.ErrConflict)
	wantErr(t, "duplicate key", tryInsert(s, sc1, rec(kAPI, "a2", store.Ref{}, "k", "")), store.ErrConflict)
	_ = s.Update(ctx, sc1, func(tx store.Tx) error {
		wantErr(t, "replace of a missing record", tx.Replace(rec(kAPI, "nope", store.Ref{}, "", "")), store.ErrNotFound)
		wantErr(t, "delete of a missing record", tx.Delete(kAPI, "nope"), store.ErrNotFound)
		return errors.New("fn fails")
	})
	if err := tryInsert(s, sc1, store.Record{Kind: kAPI}); err == nil {
		t.Fatal("Insert of a record without an id succeeded")
	}
	_ = s.View(ctx, sc1, func(tx store.Tx) error { return tx.Insert(rec(kAPI, "a3", store.Ref{}, "", "")) })
	var late store.Tx
	_ = s.View(ctx, sc1, func(tx store.Tx) error { late = tx; return nil })
	if _, err := late.Get(kAPI, "a1"); err == nil {
		t.Fatal("a Tx used after its fn returned worked")
	}
	func() {
		defer func() { _ = recover() }()
		_ = s.Update(ctx, sc1, func(tx store.Tx) error { panic("fn panics") })
	}()
	healthy("after the caller's errors")

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	_ = s.Update(cancelled, sc1, func(tx store.Tx) error { return nil })
	_ = s.View(cancelled, sc1, func(tx store.Tx) error { return nil })
	_, _ = s.Locate(cancelled, kAPI, "a1")
	_, _ = s.Scopes(cancelled)
	_ = s.Reset(cancelled)
	// Health itself, asked with an ended context, may not know: it answers
	// nil or the context's error, and that does not stick.
	if err := s.Health(cancelled); err != nil && !errors.Is(err, context.Canceled) {
		t.Errorf("Health with a cancelled context: %v", err)
	}
	healthy("after cancelled calls")
	if !exists(t, s, sc1, kAPI, "a1") {
		t.Error("a cancelled Reset deleted state")
	}
}
