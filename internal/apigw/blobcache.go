package apigw

import (
	"sync"

	"github.com/portico-dev/portico/internal/store"
)

// blobCache keeps the bytes of the snapshot blobs read lately. The data
// plane compiles a stage again after each change to its API (LoadStage),
// and all but a few of the blobs it reads are the ones it read the time
// before: without the cache, an API of 300 routes is 300 store reads per
// compile. A blob's id names its content (blobID, hashOf), so a cached
// blob is never stale, whatever another node sharing the store does;
// deleting a blob (sweepSnapshotBlobs) only leaves an entry that no
// manifest names, until it ages out.
//
// It is two generations of entries rather than an exact LRU: a blob read
// goes into the young one, which becomes the old one, the old one dropped,
// once it holds half the cache's bytes; a read from the old one moves
// the blob to the young. What a compile reads stays, what none reads for
// a generation goes.
type blobCache struct {
	mu         sync.Mutex
	max        int // bytes
	young, old map[string][]byte
	youngBytes int
}

// blobCacheBytes bounds the cache: the blobs of about 50 APIs of 300 routes.
const blobCacheBytes = 16 << 20

func newBlobCache(max int) *blobCache {
	return &blobCache{max: max, young: map[string][]byte{}}
}

func (c *blobCache) get(id string) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if data, ok := c.young[id]; ok {
		return data, true
	}
	data, ok := c.old[id]
	if ok {
		c.add(id, data)
	}
	return data, ok
}

// put caches data, which the caller no longer changes, as blob id.
func (c *blobCache) put(id string, data []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.young[id]; !ok {
		c.add(id, data)
	}
}

func (c *blobCache) add(id string, data []byte) {
	n := len(id) + len(data)
	if 2*n > c.max {
		return
	}
	if 2*(c.youngBytes+n) > c.max {
		c.old, c.young, c.youngBytes = c.young, map[string][]byte{}, 0
	}
	c.young[id] = data
	c.youngBytes += n
}

// source is storedBlobs going through the cache.
func (c *blobCache) source(tx store.Tx, apiID string) blobSource {
	stored := storedBlobs(tx, apiID)
	return func(hash string) ([]byte, error) {
		id := blobID(apiID, hash)
		if data, ok := c.get(id); ok {
			return data, nil
		}
		data, err := stored(hash)
		if err == nil {
			c.put(id, data)
		}
		return data, err
	}
}
