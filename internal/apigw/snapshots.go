package apigw

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/portico-dev/portico/internal/store"
)

// How a deployment's snapshot is stored (docs/architecture.md#deployments).
//
// Successive deployments of an API hold mostly the same resources: an
// autoDeploy stage redeploys on every change, and a change is usually to
// one route. So a snapshot is not stored whole. It is cut into units, a
// resource with its children: the API document; a route with its route
// responses; an integration with its integration responses; a JSON model;
// an authorizer. Each unit is stored once, as a snapblob record named by
// the hash of its bytes (hashOf), which every deployment holding that
// unit shares. Blobs are children of the API, so DeleteApi removes them with it.
//
// A deployment's snapshot record is a manifest of the units. Listing every
// unit in it would make each manifest grow with the API, and N changes to
// an API of N routes store N² hashes; so the units of each list are grouped
// in chunks by the first character of their resource's id, a chunk is a
// blob too (resource id → unit hash), and the manifest names the chunks.
// A change to one route writes that route's unit, its chunk and the
// manifest.
//
// One invariant lets a deployment skip what is stored: every unit a stored
// chunk names is stored. A chunk is written in the transaction that writes
// its units, and the sweep (sweepSnapshotBlobs) deletes a unit only when no
// manifest reaches it, and then no manifest reaches a chunk naming it
// either, which it deletes too.

const (
	kindSnapBlob store.Kind = "snapblob"

	// snapshotFormat marks a manifest. The snapshot records stored before
	// deployments shared their units hold the whole Snapshot, which has no
	// format member: they are read as they are.
	snapshotFormat = 2
)

// manifest is a deployment's snapshot record.
type manifest struct {
	Format int `json:"format"`
	// Gen is the API's configuration generation it was made at
	// (snapshots_next.go).
	Gen int64 `json:"gen,omitzero"`
	// API is the hash of the API document's blob.
	API          string   `json:"api"`
	Routes       chunkSet `json:"routes,omitzero"`
	Integrations chunkSet `json:"integrations,omitzero"`
	Models       chunkSet `json:"models,omitzero"`
	Authorizers  chunkSet `json:"authorizers,omitzero"`
}

// chunkSet maps a chunk key (chunkKey) to the hash of the chunk's blob.
type chunkSet map[string]string

// chunk maps a resource id to the hash of its unit's blob. Its blob is one
// "id hash" line per entry, in id order, not JSON: every compile of a stage
// reads all its chunks, and lines parse in a fraction of the time. Ids
// are the service's own (newID), with neither spaces nor newlines.
type chunk map[string]string

func (c chunk) encode() []byte {
	var b bytes.Buffer
	for _, id := range slices.Sorted(maps.Keys(c)) {
		b.WriteString(id)
		b.WriteByte(' ')
		b.WriteString(c[id])
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// readChunk calls fn with each entry of the chunk of that hash, in id order.
func readChunk(blobs blobSource, hash string, fn func(id, unit string)) error {
	b, err := blobs(hash)
	if err != nil {
		return err
	}
	for line := range strings.Lines(string(b)) {
		id, unit, ok := strings.Cut(strings.TrimSuffix(line, "\n"), " ")
		if !ok {
			return fmt.Errorf("snapshot blob %s is not a chunk", hash)
		}
		fn(id, unit)
	}
	return nil
}

func loadChunk(blobs blobSource, hash string) (chunk, error) {
	c := chunk{}
	return c, readChunk(blobs, hash, func(id, unit string) { c[id] = unit })
}

// chunkKey is the chunk of a resource: the first hex digit of its id's
// SHA-256, so a chunk holds a 16th of a list whatever the ids look like.
// Sixteen chunks keep both a manifest and, up to AWS's default quota of
// 300 routes, a chunk under about 1 KB: SQLite stores a larger record
// partly on an overflow page of its own, mostly empty.
func chunkKey(id string) string {
	sum := sha256.Sum256([]byte(id))
	return hex.EncodeToString(sum[:1])[:1]
}

// The lists of a snapshot, in manifest order.
const (
	routeList = iota
	integrationList
	modelList
	authorizerList
	numLists
)

func (m *manifest) list(l int) *chunkSet {
	return [numLists]*chunkSet{&m.Routes, &m.Integrations, &m.Models, &m.Authorizers}[l]
}

// snapList says what a list holds: the resources of kind under the API,
// each with its children of childKind, which the unit holds as the
// member childMember (SnapshotRoute, SnapshotIntegration).
type snapList struct {
	kind, childKind store.Kind
	childMember     string
	// keep, when set, says whether a resource belongs in snapshots.
	keep func(store.Record) (bool, error)
}

var snapLists = [numLists]snapList{
	routeList:       {kind: kindRoute, childKind: kindRouteResponse, childMember: "routeResponses"},
	integrationList: {kind: kindIntegration, childKind: kindIntegrationResponse, childMember: "integrationResponses"},
	modelList:       {kind: kindModel, keep: isJSONModelRecord},
	authorizerList:  {kind: kindAuthorizer},
}

// isJSONModelRecord: a snapshot holds only the models messages are
// validated against (Snapshot).
func isJSONModelRecord(rec store.Record) (bool, error) {
	var m Model
	if err := decode(rec, &m); err != nil {
		return false, err
	}
	return isJSONModel(&m), nil
}

// unitBytes is a unit: the resource's document as stored, with its
// children's documents as stored added as the member named member, which
// makes the JSON of a SnapshotRoute or SnapshotIntegration. The stored
// documents are the JSON objects the service wrote (encode): they are
// copied, not decoded, and equal documents make equal bytes, so a unit
// that did not change has the hash it had.
func unitBytes(resource []byte, member string, children []store.Record) ([]byte, error) {
	n := len(resource)
	if n < 2 || resource[0] != '{' || resource[n-1] != '}' {
		return nil, fmt.Errorf("stored document %.40q is not a JSON object", resource)
	}
	if len(children) == 0 {
		return resource, nil
	}
	var b bytes.Buffer
	b.Write(resource[:n-1])
	if n > 2 {
		b.WriteByte(',')
	}
	b.WriteString(`"` + member + `":[`)
	for i, c := range children {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(c.Data)
	}
	b.WriteString("]}")
	return b.Bytes(), nil
}

// hashOf names a blob: the first 128 bits of its SHA-256, in unpadded
// base64url. Blobs are an API's own (blobID), so a collision could only be
// between two units of one API, and 128 bits put even that out of reach.
// Manifests and chunks are lists of these names and most of what a
// deployment adds to the database: the full 256 bits in hex, 64
// characters against 22, made an API of 300 routes, after 300 autoDeploy
// changes, take 2.6 MB of SQLite instead of 0.86 MB, its chunks past the
// 1 KB that fits in a page (chunkKey).
func hashOf(data []byte) string {
	sum := sha256.Sum256(data)
	return base64.RawURLEncoding.EncodeToString(sum[:16])
}

// blobID is a blob's store id. Ids are unique in an account and region,
// not in an API: the API's id keeps two APIs from ever sharing a blob,
// which the first DeleteApi would take from the other.
func blobID(apiID, hash string) string { return apiID + "/" + hash }

// newSnapshot is a snapshot about to be stored: its manifest, the blobs it
// may need to write, by hash, and the chunks among them, decoded; old
// holds stored chunks read while making it.
type newSnapshot struct {
	m      manifest
	blobs  map[string][]byte
	chunks map[string]chunk
	old    map[string]chunk
}

func makeSnapshot(gen int64) *newSnapshot {
	return &newSnapshot{m: manifest{Format: snapshotFormat, Gen: gen},
		blobs: map[string][]byte{}, chunks: map[string]chunk{}, old: map[string]chunk{}}
}

func (n *newSnapshot) add(data []byte) string {
	h := hashOf(data)
	n.blobs[h] = data
	return h
}

func (n *newSnapshot) addChunk(c chunk) string {
	h := n.add(c.encode())
	n.chunks[h] = c
	return h
}

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
			// Only a bug gets here: a unit that is not prev's must have
			// been read.
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
