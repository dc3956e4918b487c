package apigw

import (
	"errors"
	"maps"

	"github.com/portico-dev/portico/internal/store"
)

// An autoDeploy stage redeploys on every change, and reading the whole API
// for each would make a change cost more the larger the API: 300 routes
// are 300 records to read and, on a WebSocket API, 300 queries for their
// route responses. So a change's deployment is made from the one before:
// changeAPI notes which resources the change wrote (touchTx), and
// nextSnapshot reads only those again, taking the other units from the
// manifest of the deployment the stage served.
//
// That manifest must be of the API as it was just before the change. The
// API's configuration generation says so: a counter (a configgen record,
// child of the API) that changeAPI advances with each change, which every
// manifest records. A stage whose deployment is of an older generation
// (it was not autoDeploy through some change, or was pointed at an older
// deployment), or whose snapshot is a whole record of an older database,
// gets a deployment read from the whole API.
//
// This holds only if every write to the resources snapshots hold goes
// through changeAPI. The exceptions are made where no deployment can be of
// the generation they change: a new API (CreateApi's quick create,
// ImportApi) is at generation 0 with no deployment before it, and the API
// document itself, which tags change without a redeployment, is read
// again for every deployment. TestSnapshotUnitsRoundTrip compares each
// deployment to the whole API, change after change.

const kindConfigGen store.Kind = "configgen"

type configGenDoc struct {
	Gen int64 `json:"gen"`
}

// configGen returns the API's configuration generation: 0 until its first
// change.
func configGen(tx store.Tx, apiID string) (int64, error) {
	var doc configGenDoc
	_, err := get(tx, kindConfigGen, apiID, &doc)
	if errors.Is(err, store.ErrNotFound) {
		return 0, nil
	}
	return doc.Gen, err
}

func setConfigGen(tx store.Tx, apiID string, gen int64) error {
	rec := store.Record{Kind: kindConfigGen, ID: apiID, Parent: apiRef(apiID), Data: encode(configGenDoc{gen})}
	if gen == 1 {
		return tx.Insert(rec)
	}
	return tx.Replace(rec)
}

// touched lists, per snapshot list, the ids of the resources a change
// wrote: their documents or their children's.
type touched [numLists]map[string]bool

// touchTx is the transaction a change runs in: it notes what the change
// writes (touched).
type touchTx struct {
	store.Tx
	touched touched
}

func (t *touchTx) Insert(r store.Record) error {
	err := t.Tx.Insert(r)
	if err == nil {
		t.note(r.Kind, r.ID, r.Parent)
	}
	return err
}

func (t *touchTx) Replace(r store.Record) error {
	err := t.Tx.Replace(r)
	if err == nil {
		t.note(r.Kind, r.ID, r.Parent)
	}
	return err
}

// Delete notes the parent of a child it deletes, which the store reads
// first: Delete is given only the child's id.
func (t *touchTx) Delete(kind store.Kind, id string) error {
	var parent store.Ref
	if isChildKind(kind) {
		rec, err := t.Tx.Get(kind, id)
		if err != nil {
			return err
		}
		parent = rec.Parent
	}
	err := t.Tx.Delete(kind, id)
	if err == nil {
		t.note(kind, id, parent)
	}
	return err
}

func isChildKind(kind store.Kind) bool {
	for _, sl := range snapLists {
		if sl.childKind != "" && kind == sl.childKind {
			return true
		}
	}
	return false
}

func (t *touchTx) note(kind store.Kind, id string, parent store.Ref) {
	for l, sl := range snapLists {
		var resource string
		switch {
		case kind == sl.kind:
			resource = id
		case kind == sl.childKind && parent.Kind == sl.kind:
			resource = parent.ID
		default:
			continue
		}
		if t.touched[l] == nil {
			t.touched[l] = map[string]bool{}
		}
		t.touched[l][resource] = true
	}
}

// nextSnapshot is the API after a change that wrote only the resources in
// t, made from base, a manifest of the API before the change: it reads the
// API document and the touched resources, and the chunks holding them.
func nextSnapshot(tx store.Tx, apiID string, base *manifest, t touched) (*newSnapshot, error) {
	n, withChildren, err := startSnapshot(tx, apiID)
	if err != nil {
		return nil, err
	}
	blobs := storedBlobs(tx, apiID)
	for l, sl := range snapLists {
		set := maps.Clone(*base.list(l))
		if set == nil {
			set = chunkSet{}
		}
		byChunk := map[string][]string{}
		for id := range t[l] {
			byChunk[chunkKey(id)] = append(byChunk[chunkKey(id)], id)
		}
		for k, ids := range byChunk {
			c := chunk{}
			if h, ok := set[k]; ok {
				old, err := n.oldChunk(blobs, h)
				if err != nil {
					return nil, err
				}
				c = maps.Clone(old)
			}
			for _, id := range ids {
				data, ok, err := readUnitByID(tx, apiID, sl, id, withChildren)
				if err != nil {
					return nil, err
				}
				if ok {
					c[id] = n.add(data)
				} else {
					delete(c, id)
				}
			}
			if len(c) == 0 {
				delete(set, k)
			} else {
				set[k] = n.addChunk(c)
			}
		}
		if len(set) > 0 {
			*n.m.list(l) = set
		}
	}
	return n, nil
}

// readUnitByID is readUnit of a resource known by its id; false when it
// is gone or does not belong in snapshots.
func readUnitByID(tx store.Tx, apiID string, sl snapList, id string, withChildren bool) ([]byte, bool, error) {
	rec, err := tx.Get(sl.kind, id)
	if errors.Is(err, store.ErrNotFound) || err == nil && rec.Parent != apiRef(apiID) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return readUnit(tx, sl, rec, withChildren)
}
