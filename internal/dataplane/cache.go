package dataplane

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"sync"

	"github.com/portico-dev/portico/internal/apigw"
	"github.com/portico-dev/portico/internal/dataplane/gateway"
	"github.com/portico-dev/portico/internal/store"
)

// cache holds what the data plane compiled, and where each API lives,
// until the control plane announces a change.
//
// It is generation-checked: every change to an API bumps that API's
// generation, and an entry made under an older generation is never served
// again. An entry is made, under the lock, before its compile starts: a
// compile that began before a change was announced can only answer the
// requests that were waiting on it, never be stored for later ones (the
// defect of storing the result after compiling, which could serve an old
// deployment until the next change). A cold stage is compiled once: the
// requests that arrive while it compiles wait for that compile.
type cache struct {
	compileFn func(context.Context, gateway.StageKey) (*compiled, error)

	mu     sync.Mutex
	gen    map[apiKey]uint64
	stages map[gateway.StageKey]*entry
	scopes map[string]apigw.APILocation // apiID -> where it lives
}

type apiKey struct {
	scope store.Scope
	apiID string
}

// entry is one stage's compile: done is closed once c or err is set.
type entry struct {
	gen  uint64
	done chan struct{}
	c    *compiled
	err  error
}

func newCache(compile func(context.Context, gateway.StageKey) (*compiled, error)) *cache {
	return &cache{compileFn: compile, gen: map[apiKey]uint64{}, stages: map[gateway.StageKey]*entry{},
		scopes: map[string]apigw.APILocation{}}
}

// stage returns the compiled stage, compiling it once when it is cold or
// stale. errNoStage (nothing to serve) is kept like a result; other
// errors (the store failed) are not, so the next request tries again.
func (c *cache) stage(ctx context.Context, k gateway.StageKey) (*compiled, error) {
	ak := apiKey{k.Scope, k.APIID}
	c.mu.Lock()
	e := c.stages[k]
	if e == nil || e.gen != c.gen[ak] {
		e = &entry{gen: c.gen[ak], done: make(chan struct{})}
		c.stages[k] = e
		c.mu.Unlock()
		// The compile is the stage's, not this request's: a client that
		// goes away must not fail the other requests waiting on it.
		e.c, e.err = c.compileFn(context.WithoutCancel(ctx), k)
		close(e.done)
		if e.err != nil && !errors.Is(e.err, errNoStage) {
			c.mu.Lock()
			if c.stages[k] == e {
				delete(c.stages, k)
			}
			c.mu.Unlock()
		}
		return e.c, e.err
	}
	c.mu.Unlock()
	select {
	case <-e.done:
		return e.c, e.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// locate returns an API's scope, from the cache or by find.
func (c *cache) locate(ctx context.Context, apiID string, find func() (apigw.APILocation, error)) (apigw.APILocation, error) {
	c.mu.Lock()
	sc, ok := c.scopes[apiID]
	c.mu.Unlock()
	if ok {
		return sc, nil
	}
	sc, err := find()
	if err != nil {
		return sc, err
	}
	c.mu.Lock()
	c.scopes[apiID] = sc
	c.mu.Unlock()
	return sc, nil
}

// invalidate is the Source's Watch callback: what was compiled for the
// changed API is dropped, and its generation moves on. Live WebSocket
// connections keep going: their next message compiles the new deployment.
func (c *cache) invalidate(ch apigw.Change) {
	if ch.APIID == "" {
		return
	}
	ak := apiKey{ch.Scope, ch.APIID}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen[ak]++
	delete(c.scopes, ch.APIID)
	for k := range c.stages {
		if k.APIID == ch.APIID && k.Scope == ch.Scope {
			delete(c.stages, k)
		}
	}
}

// reset forgets everything (the store was reset). Generations move on, so
// a compile still running cannot be kept either.
func (c *cache) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k := range c.stages {
		c.gen[apiKey{k.Scope, k.APIID}]++
	}
	c.stages = map[gateway.StageKey]*entry{}
	c.scopes = map[string]apigw.APILocation{}
}

// unescapeSegment decodes one path segment (a stage name: "%24default").
func unescapeSegment(s string) (string, error) {
	if !strings.Contains(s, "%") {
		return s, nil
	}
	return url.PathUnescape(s)
}
