package lambdaauth

import (
	"container/list"
	"sync"
	"time"
)

// The cache of an authorizer's answers (developer guide, "Caching
// authorizer responses"): keyed by the values of all its identity sources,
// kept authorizerResultTtlInSeconds, shared by every route that uses the
// authorizer [V]. What is kept is the function's answer, not a decision: a
// simple answer allows or denies every route [V], a policy is evaluated
// again for each request's route ARN, so a policy allowing only GET /pets
// denies POST /pets from the cache. Denials are cached like any answer (a
// simple isAuthorized: false too, as the docs' "fully allows or denies all
// API requests that match the cached identity source values" says);
// failures (function errors, timeouts, invalid answers) are not [I].
//
// Bounded, whatever clients send: at most maxEntries answers and maxBytes
// of keys and answers together (DefaultMaxEntries, DefaultMaxBytes; AWS
// states no limit [I]). When full, the oldest entry goes first: every entry
// has the same TTL, so the oldest is also the first to expire, and expired
// entries at the front are dropped on each insert.

// Defaults of Config.MaxEntries and Config.MaxBytes [I].
const (
	DefaultMaxEntries = 10000
	DefaultMaxBytes   = 32 << 20
)

// entryOverhead approximates what an entry costs beyond its key and
// answer bytes (the map slot, the list element, the parsed answer's
// headers), so that many tiny entries also count.
const entryOverhead = 256

type cache struct {
	ttl        time.Duration
	maxEntries int
	maxBytes   int

	mu    sync.Mutex
	m     map[string]*list.Element // of *entry
	order list.List                // oldest first
	bytes int
}

type entry struct {
	key     string
	resp    *response
	expires time.Time
	size    int
}

func newCache(ttl time.Duration, maxEntries, maxBytes int) *cache {
	return &cache{ttl: ttl, maxEntries: maxEntries, maxBytes: maxBytes, m: map[string]*list.Element{}}
}

// get returns the answer cached under key, if it has not expired at now.
func (c *cache) get(key []byte, now time.Time) *response {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.m[string(key)] // no allocation: the compiler looks up without converting
	if !ok {
		return nil
	}
	e := el.Value.(*entry)
	if !now.Before(e.expires) {
		c.remove(el)
		return nil
	}
	return e.resp
}

// put caches resp under key from now; answerSize is the answer's length.
func (c *cache) put(key []byte, resp *response, answerSize int, now time.Time) {
	size := len(key) + answerSize + entryOverhead
	if size > c.maxBytes {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.m[string(key)]; ok {
		c.remove(el) // a concurrent miss on the same key: the newer answer wins
	}
	for el := c.order.Front(); el != nil && !now.Before(el.Value.(*entry).expires); el = c.order.Front() {
		c.remove(el)
	}
	for c.order.Len() > 0 && (c.order.Len() >= c.maxEntries || c.bytes+size > c.maxBytes) {
		c.remove(c.order.Front())
	}
	e := &entry{key: string(key), resp: resp, expires: now.Add(c.ttl), size: size}
	c.m[e.key] = c.order.PushBack(e)
	c.bytes += size
}

func (c *cache) remove(el *list.Element) {
	e := c.order.Remove(el).(*entry)
	delete(c.m, e.key)
	c.bytes -= e.size
}

// reset empties the cache.
func (c *cache) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.m)
	c.order.Init()
	c.bytes = 0
}

// len is the number of entries, expired ones included.
func (c *cache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}
