package apigw

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/portico-dev/portico/internal/store"
)

// Reading a stored snapshot (snapshots.go) back into a Snapshot.

// blobSource returns the bytes of a blob by hash.
type blobSource func(hash string) ([]byte, error)

func storedBlobs(tx store.Tx, apiID string) blobSource {
	return func(hash string) ([]byte, error) {
		rec, err := tx.Get(kindSnapBlob, blobID(apiID, hash))
		if errors.Is(err, store.ErrNotFound) {
			return nil, fmt.Errorf("snapshot blob %s of API %s is missing", hash, apiID)
		}
		return rec.Data, err
	}
}

func (n *newSnapshot) source() blobSource {
	return func(hash string) ([]byte, error) {
		if b, ok := n.blobs[hash]; ok {
			return b, nil
		}
		return nil, fmt.Errorf("snapshot blob %s is missing", hash)
	}
}

func decodeBlob(blobs blobSource, hash string, v any) error {
	b, err := blobs(hash)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("snapshot blob %s is not readable: %w", hash, err)
	}
	return nil
}

// loadManifest reads the snapshot record of a deployment: its manifest,
// or, for a record stored before manifests, nil and the whole snapshot.
func loadManifest(tx store.Tx, deploymentID string) (*manifest, *Snapshot, error) {
	rec, err := tx.Get(kindSnapshot, deploymentID)
	if err != nil {
		return nil, nil, err
	}
	var head struct {
		Format int `json:"format"`
	}
	if err := decode(rec, &head); err != nil {
		return nil, nil, err
	}
	switch head.Format {
	case 0:
		snap := new(Snapshot)
		return nil, snap, decode(rec, snap)
	case snapshotFormat:
		m := new(manifest)
		return m, nil, decode(rec, m)
	}
	return nil, nil, fmt.Errorf("stored snapshot %s has format %d, which this Portico does not know", deploymentID, head.Format)
}

// loadSnapshot reads what a deployment of the API serves, its blobs
// through cache.
func loadSnapshot(tx store.Tx, cache *blobCache, apiID, deploymentID string) (*Snapshot, error) {
	m, snap, err := loadManifest(tx, deploymentID)
	if err != nil || m == nil {
		return snap, err
	}
	return m.snapshot(cache.source(tx, apiID))
}

// snapshot puts together the Snapshot that m lists.
func (m *manifest) snapshot(blobs blobSource) (*Snapshot, error) {
	snap := &Snapshot{}
	err := decodeBlob(blobs, m.API, &snap.Api)
	if err == nil {
		err = expand(blobs, m.Routes, &snap.Routes)
	}
	if err == nil {
		err = expand(blobs, m.Integrations, &snap.Integrations)
	}
	if err == nil {
		err = expand(blobs, m.Models, &snap.Models)
	}
	if err == nil {
		err = expand(blobs, m.Authorizers, &snap.Authorizers)
	}
	if err != nil {
		return nil, err
	}
	return snap, nil
}

// expand decodes into list the units of the chunks of set, in id order as
// the store lists them; list stays nil when there are none. The units go
// through one json.Unmarshal, as one array, as a whole snapshot did:
// decoding them one by one took twice as long.
func expand[T any](blobs blobSource, set chunkSet, list *[]T) error {
	var units [][2]string // id, unit
	for _, h := range set {
		err := readChunk(blobs, h, func(id, unit string) { units = append(units, [2]string{id, unit}) })
		if err != nil {
			return err
		}
	}
	if len(units) == 0 {
		return nil
	}
	slices.SortFunc(units, func(a, b [2]string) int { return strings.Compare(a[0], b[0]) })
	var all bytes.Buffer
	all.WriteByte('[')
	for i, u := range units {
		b, err := blobs(u[1])
		if err != nil {
			return err
		}
		if i > 0 {
			all.WriteByte(',')
		}
		all.Write(b)
	}
	all.WriteByte(']')
	if err := json.Unmarshal(all.Bytes(), list); err != nil {
		return fmt.Errorf("snapshot blobs are not readable: %w", err)
	}
	return nil
}
