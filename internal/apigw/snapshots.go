package apigw

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
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
// unit shares. Blobs are children of the API, so DeleteApi removes them
// with it.
//
// A deployment's snapshot record is a manifest of the units. Listing every
// unit in it would make each manifest grow with the API, and N changes to
// an API of N routes store N² hashes; so the units of each list are grouped
// in 16 chunks by their resource's id (chunkKey), a chunk is a blob too
// (resource id → unit hash), and the manifest names the chunks. A change
// to one route writes that route's unit, its chunk and the manifest.
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
