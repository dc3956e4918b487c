// Package gctune sets the collector's GOGC after every collection from the
// live heap: a high percentage while the heap is small, falling to Go's
// default 100 as it grows.
//
// Why: Portico's steady heap is a few MB (10,000 idle WebSockets hold
// ~145 MB resident, mostly stacks and buffers outside the heap). At Go's
// default the collector ran every 140 ms and took one of two CPUs for
// 15-34 ms; GOGC=400 raised the MOCK round trips from 17.7k to 20.6k/s.
// But a fixed 400 lets a burst of large requests (8 MiB OpenAPI
// imports) grow the heap to five times what is live: 628 MB resident
// where GOGC=100 needed 324. Here the heap may grow by at most Headroom
// between collections (or double, whichever is more), and by 400% while
// that is less.
package gctune

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

const (
	// MaxPercent is the GOGC of a small heap.
	MaxPercent = 400
	// Headroom is the most a heap of over Headroom/4 may grow between
	// collections beyond doubling.
	Headroom = 64 << 20
)

var once sync.Once

// Start tunes GOGC from now on (once per process; later calls do nothing).
func Start() {
	once.Do(func() {
		debug.SetGCPercent(MaxPercent)
		arm()
	})
}

// Percent is the GOGC for a live heap of live bytes.
func Percent(live uint64) int {
	if live == 0 {
		return MaxPercent
	}
	p := int(Headroom * 100 / live)
	return min(MaxPercent, max(100, p/50*50)) // steps of 50: few changes
}

// sentinel is garbage the moment it is made; its finalizer runs after the
// collection that found it, and makes the next one. It holds a pointer so
// that the tiny allocator does not pack it with other objects (whose
// finalizers might then never run).
type sentinel struct{ _ *int }

var (
	current = MaxPercent
	sample  = []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
)

func arm() {
	runtime.SetFinalizer(&sentinel{}, func(*sentinel) {
		// Finalizers run one at a time on one goroutine: no lock needed.
		metrics.Read(sample)
		if sample[0].Value.Kind() == metrics.KindUint64 {
			if p := Percent(sample[0].Value.Uint64()); p != current {
				current = p
				debug.SetGCPercent(p)
			}
		}
		arm()
	})
}
