package apigw

import (
	"errors"
	"fmt"
	"strings"

	"github.com/portico-dev/portico/internal/store"
)

// Making a deployment's snapshot and storing it (snapshots.go), and
// deleting the blobs no deployment needs any more.

// readSnapshot reads the API's configuration as it is into a newSnapshot
// holding every unit.
func readSnapshot(tx store.Tx, apiID string) (*newSnapshot, error) {
	n, withChildren, err := startSnapshot(tx, apiID)
	if err != nil {
		return nil, err
	}
	for l, sl := range snapLists {
		recs, err := tx.List(sl.kind, apiRef(apiID), "", 0)
		if err != nil {
			return nil, err
		}
		chunks := map[string]chunk{}
		for _, r := range recs {
			data, ok, err := readUnit(tx, sl, r, withChildren)
			if err != nil {
				return nil, err
			}
			if !ok {
				continue
			}
			k := chunkKey(r.ID)
			if chunks[k] == nil {
				chunks[k] = chunk{}
			}
			chunks[k][r.ID] = n.add(data)
		}
		if len(chunks) > 0 {
			set := chunkSet{}
			for k, c := range chunks {
				set[k] = n.addChunk(c)
			}
			*n.m.list(l) = set
		}
	}
	return n, nil
}

// startSnapshot begins a newSnapshot of the API at its present
// generation, with its document. withChildren is false for HTTP APIs,
// which cannot have route responses or integration responses: their
// routes and integrations are read without asking.
func startSnapshot(tx store.Tx, apiID string) (n *newSnapshot, withChildren bool, err error) {
	rec, err := tx.Get(kindAPI, apiID)
	if err != nil {
		return nil, false, err
	}
	var api Api
	if err := decode(rec, &api); err != nil {
		return nil, false, err
	}
	gen, err := configGen(tx, apiID)
	if err != nil {
		return nil, false, err
	}
	n = makeSnapshot(gen)
	n.m.API = n.add(rec.Data)
	return n, deref(api.ProtocolType) != protocolHTTP, nil
}

// readUnit reads the unit of the resource rec of list sl; false when the
// resource does not belong in snapshots.
func readUnit(tx store.Tx, sl snapList, rec store.Record, withChildren bool) ([]byte, bool, error) {
	if strings.ContainsAny(rec.ID, " \n") {
		return nil, false, fmt.Errorf("%s id %q cannot be in a snapshot chunk", sl.kind, rec.ID)
	}
	if sl.keep != nil {
		if ok, err := sl.keep(rec); !ok || err != nil {
			return nil, false, err
		}
	}
	var children []store.Record
	if sl.childKind != "" && withChildren {
		var err error
		if children, err = tx.List(sl.childKind, store.Ref{Kind: sl.kind, ID: rec.ID}, "", 0); err != nil {
			return nil, false, err
		}
	}
	data, err := unitBytes(rec.Data, sl.childMember, children)
	return data, err == nil, err
}

// store writes n as the snapshot record of deployment id, with the blobs
// it names that are not stored yet. prev, when not nil, is a stored
// manifest of the same API: a chunk it names is stored with its units, so
// n writes only the chunks prev does not name and, of their units, those
// prev's chunk of the same key does not name. A blob stored already for
// another deployment is left as it is (store.ErrConflict).
func (n *newSnapshot) store(tx store.Tx, apiID, deploymentID string, prev *manifest) error {
	blobs := storedBlobs(tx, apiID)
	put := func(h string) (bool, error) {
		data, ok := n.blobs[h]
		if !ok {
			// Only a bug gets here: a snapshot made from a manifest
			// (nextSnapshot) holds the blobs that manifest does not
			// name, and is stored against it.
			return false, fmt.Errorf("snapshot blob %s of API %s was not read", h, apiID)
		}
		err := tx.Insert(store.Record{Kind: kindSnapBlob, ID: blobID(apiID, h), Parent: apiRef(apiID), Data: data})
		if errors.Is(err, store.ErrConflict) {
			return false, nil
		}
		return err == nil, err
	}
	if prev == nil || prev.API != n.m.API {
		if _, err := put(n.m.API); err != nil {
			return err
		}
	}
	for l := range numLists {
		for k, h := range *n.m.list(l) {
			var old chunk
			if prev != nil {
				oldHash, ok := (*prev.list(l))[k]
				if oldHash == h {
					continue
				}
				if ok {
					var err error
					if old, err = n.oldChunk(blobs, oldHash); err != nil {
						return err
					}
				}
			}
			// The chunk first: if it is stored, so are its units.
			added, err := put(h)
			if err != nil {
				return err
			}
			if !added {
				continue
			}
			for id, unit := range n.chunks[h] {
				if old[id] == unit {
					continue
				}
				if _, err := put(unit); err != nil {
					return err
				}
			}
		}
	}
	return tx.Insert(store.Record{Kind: kindSnapshot, ID: deploymentID,
		Parent: store.Ref{Kind: kindDeployment, ID: deploymentID}, Data: encode(n.m)})
}

// oldChunk reads a stored chunk, once.
func (n *newSnapshot) oldChunk(blobs blobSource, hash string) (chunk, error) {
	if c, ok := n.old[hash]; ok {
		return c, nil
	}
	c, err := loadChunk(blobs, hash)
	if err != nil {
		return nil, err
	}
	n.old[hash] = c
	return c, nil
}

// sweepSnapshotBlobs deletes the blobs of the API that no manifest of its
// deployments reaches. It is a mark and sweep over all of the API's
// manifests and the chunks they name (each distinct chunk read once),
// not reference counts: deployments are deleted rarely, and counts would
// be one more record to rewrite on every deployment of every change.
func sweepSnapshotBlobs(tx store.Tx, apiID string) error {
	deployments, err := tx.List(kindDeployment, apiRef(apiID), "", 0)
	if err != nil {
		return err
	}
	blobs := storedBlobs(tx, apiID)
	reached := map[string]bool{}
	for _, d := range deployments {
		m, _, err := loadManifest(tx, d.ID)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		if m == nil {
			continue // a whole snapshot, which names no blob
		}
		reached[blobID(apiID, m.API)] = true
		for l := range numLists {
			for _, h := range *m.list(l) {
				if reached[blobID(apiID, h)] {
					continue
				}
				reached[blobID(apiID, h)] = true
				err := readChunk(blobs, h, func(_, unit string) { reached[blobID(apiID, unit)] = true })
				if err != nil {
					return err
				}
			}
		}
	}
	stored, err := tx.List(kindSnapBlob, apiRef(apiID), "", 0)
	if err != nil {
		return err
	}
	for _, b := range stored {
		if !reached[b.ID] {
			if err := tx.Delete(kindSnapBlob, b.ID); err != nil {
				return err
			}
		}
	}
	return nil
}
