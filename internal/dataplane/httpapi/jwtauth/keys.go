package jwtauth

import (
	"context"
	"crypto/x509"
	"errors"
	"log/slog"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"
)

// KeysConfig configures a Keys cache. The zero value is AWS's bounds with
// PolicyAny.
type KeysConfig struct {
	Policy Policy
	// Logger gets one record when an issuer's keys cannot be fetched and
	// one when they can again; nil discards them.
	Logger *slog.Logger

	// FetchTimeout bounds each fetch (discovery, JWKS); 0 is AWS's
	// 1,500 ms.
	FetchTimeout time.Duration
	// MinRefresh is the shortest time between two fetches of one issuer's
	// keys, however many tokens name a kid the cache does not have; 0 is
	// 10 s [I: AWS does not say how often it refetches].
	MinRefresh time.Duration
	// TTL is how long fetched keys are used before they are fetched again;
	// 0 is two hours ("API Gateway can cache the public key for two
	// hours", developer guide).
	TTL time.Duration
	// Now is the clock; nil is time.Now.
	Now func() time.Time

	// Test hooks: the roots the fetches trust (nil: the system's) and the
	// address classifier of PolicyPublic (nil: publicAddr).
	roots  *x509.CertPool
	public func(netip.Addr) bool
}

// Keys caches issuers' signing keys for every stage of a process: the
// engine makes one and gives it to each compiled stage, so that stages
// with the same issuer share one fetch and one key set. It is safe for
// concurrent use.
type Keys struct {
	cfg     KeysConfig
	fetch   *fetcher
	log     *slog.Logger
	mu      sync.Mutex
	issuers map[string]*issuerKeys
}

// NewKeys returns an empty cache.
func NewKeys(cfg KeysConfig) *Keys {
	if cfg.FetchTimeout <= 0 {
		cfg.FetchTimeout = DefaultFetchTimeout
	}
	if cfg.MinRefresh <= 0 {
		cfg.MinRefresh = 10 * time.Second
	}
	if cfg.TTL <= 0 {
		cfg.TTL = 2 * time.Hour
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Keys{cfg: cfg, fetch: newFetcher(cfg.Policy, cfg.FetchTimeout, cfg.roots, cfg.public),
		log: log, issuers: map[string]*issuerKeys{}}
}

func (ks *Keys) now() time.Time { return ks.cfg.Now() }

// issuer is the cache entry of one issuer, made when a stage compiles an
// authorizer of it, so that requests do not look it up. Entries are never
// dropped: there is one per issuer URL configured in this process.
func (ks *Keys) issuer(url string) *issuerKeys {
	ks.mu.Lock()
	defer ks.mu.Unlock()
	is := ks.issuers[url]
	if is == nil {
		is = &issuerKeys{keys: ks, url: url}
		ks.issuers[url] = is
	}
	return is
}

// issuerKeys is one issuer's keys and the state of their fetching.
type issuerKeys struct {
	keys *Keys
	url  string
	// set is the last key set fetched, nil before the first success.
	set atomic.Pointer[keySet]

	mu sync.Mutex
	// fetching is closed when the fetch under way ends; nil when none is.
	fetching chan struct{}
	// tried is when the last fetch began.
	tried time.Time
	// err is the last fetch's error, nil after a success.
	err error
}

// Errors of the key lookup.
var (
	errUnknownKID = errors.New("no key of the issuer has the token's kid")
	// errFetch wraps a failed fetch.
	errFetch = errors.New("the issuer's keys could not be fetched")
)

// find returns the key for a token's kid and alg. Keys fetched less than
// TTL ago are used as they are. Otherwise, or when no key fits, the keys
// are fetched again, at most once per MinRefresh: the requests that come
// meanwhile wait for the fetch under way or, after it, use what it got.
// The fetch itself runs apart from any request, so a client that leaves
// does not cancel it for the others.
func (is *issuerKeys) find(ctx context.Context, kid, alg string) (*key, error) {
	ttl := is.keys.cfg.TTL
	if s := is.set.Load(); s != nil && is.keys.now().Sub(s.fetched) < ttl {
		if k := s.find(kid, alg); k != nil {
			return k, nil
		}
	}
	done, err := is.refresh()
	if done != nil {
		select {
		case <-done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		err = is.lastErr()
	}
	// Stale keys are still used when a refresh fails [I]: an identity
	// provider that is down for a moment does not lock every client out.
	if k := is.set.Load().find(kid, alg); k != nil {
		return k, nil
	}
	if err != nil {
		return nil, err
	}
	return nil, errUnknownKID
}

// current reports whether set is the issuer's key set now, and fresh.
func (is *issuerKeys) current(set *keySet, now time.Time) bool {
	return set != nil && is.set.Load() == set && now.Sub(set.fetched) < is.keys.cfg.TTL
}

// refresh starts a fetch unless one is under way or the last began less
// than MinRefresh ago. It returns the channel to wait on when a fetch is
// under way, else the last fetch's error.
func (is *issuerKeys) refresh() (<-chan struct{}, error) {
	now := is.keys.now()
	is.mu.Lock()
	defer is.mu.Unlock()
	if is.fetching != nil {
		return is.fetching, nil
	}
	if !is.tried.IsZero() && now.Sub(is.tried) < is.keys.cfg.MinRefresh {
		return nil, is.err
	}
	done := make(chan struct{})
	is.fetching, is.tried = done, now
	go is.run(done, now)
	return done, nil
}

// run is one fetch. A failure is logged when it begins an outage or its
// error changes, not at each request it fails; the recovery is logged too.
func (is *issuerKeys) run(done chan struct{}, now time.Time) {
	set, err := is.keys.fetch.fetchKeys(context.Background(), is.url, now)
	is.mu.Lock()
	prev := is.err
	if err != nil {
		is.err = errors.Join(errFetch, err)
	} else {
		is.err = nil
		is.set.Store(set)
	}
	is.fetching = nil
	is.mu.Unlock()

	switch {
	case err != nil && (prev == nil || prev.Error() != is.errText(err)):
		is.keys.log.Warn("jwt authorizer: the issuer's signing keys could not be fetched; its tokens are refused",
			"issuer", is.url, "error", err.Error())
	case err == nil && prev != nil:
		is.keys.log.Info("jwt authorizer: the issuer's signing keys were fetched again", "issuer", is.url)
	}
	close(done)
}

// lastErr is the last fetch's error, nil after a success.
func (is *issuerKeys) lastErr() error {
	is.mu.Lock()
	defer is.mu.Unlock()
	return is.err
}

// errText is the text is.err has for a fetch error err.
func (is *issuerKeys) errText(err error) string { return errors.Join(errFetch, err).Error() }
