// Package throttle is API Gateway's request throttling: token buckets that
// hold up to a burst of requests and refill at a steady rate per second
// (docs/aws-behaviours.md#throttling). A stage's defaultRouteSettings give
// each route its own bucket, a route's routeSettings override them, and the
// account's bucket (10,000 requests per second, a burst of 5,000) sits over
// every stage. Buckets are per Portico process: AWS's are approximate and
// per node too.
package throttle

import (
	"math"
	"sync"
	"time"
)

// The account's default quota (docs/aws-behaviours.md#throttling).
const (
	AccountRate  = 10000
	AccountBurst = 5000
)

// Bucket is one token bucket; the zero value and nil allow everything.
type Bucket struct {
	rate  float64 // tokens per second
	burst float64 // capacity

	mu     sync.Mutex
	tokens float64
	last   time.Time
}

// New returns a full bucket. rate < 0 means no limit: New returns nil. A
// burst of 0 with a rate admits nothing but what the rate refills one at
// a time (AWS: a burst of 0 throttles every request [I]).
func New(rate float64, burst int) *Bucket {
	if rate < 0 || math.IsNaN(rate) {
		return nil
	}
	b := float64(max(burst, 0))
	return &Bucket{rate: rate, burst: b, tokens: b}
}

// Allow takes a token at now, or reports that there is none.
func (b *Bucket) Allow(now time.Time) bool {
	if b == nil {
		return true
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.last.IsZero() {
		if d := now.Sub(b.last).Seconds(); d > 0 {
			b.tokens = min(b.burst, b.tokens+d*b.rate)
		}
	}
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// Settings are a route's limits, as a stage's route settings give them;
// a nil field is not set.
type Settings struct {
	Rate  *float64
	Burst *int32
}

// Merge is s with the fields it does not set taken from dflt.
func (s Settings) Merge(dflt Settings) Settings {
	if s.Rate == nil {
		s.Rate = dflt.Rate
	}
	if s.Burst == nil {
		s.Burst = dflt.Burst
	}
	return s
}

// Bucket is the bucket of the settings, nil when they set no limit. A
// rate without a burst gets a burst of the rate (at least 1) [I]; a burst
// without a rate refills at the account's rate [I].
func (s Settings) Bucket() *Bucket {
	switch {
	case s.Rate == nil && s.Burst == nil:
		return nil
	case s.Burst == nil:
		return New(*s.Rate, max(1, int(math.Ceil(*s.Rate))))
	case s.Rate == nil:
		return New(AccountRate, int(*s.Burst))
	}
	return New(*s.Rate, int(*s.Burst))
}

// Accounts holds the account buckets, one per key (account and region).
type Accounts[K comparable] struct {
	mu sync.Mutex
	m  map[K]*Bucket
}

// Allow takes a token from k's account bucket.
func (a *Accounts[K]) Allow(k K, now time.Time) bool {
	a.mu.Lock()
	b := a.m[k]
	if b == nil {
		if a.m == nil {
			a.m = map[K]*Bucket{}
		}
		b = New(AccountRate, AccountBurst)
		a.m[k] = b
	}
	a.mu.Unlock()
	return b.Allow(now)
}
