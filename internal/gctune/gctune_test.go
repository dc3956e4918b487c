package gctune

import (
	"runtime"
	"runtime/debug"
	"testing"
)

func TestPercent(t *testing.T) {
	for _, c := range []struct {
		live uint64
		want int
	}{
		{0, 400}, {3 << 20, 400}, {16 << 20, 400}, {20 << 20, 300}, {32 << 20, 200}, {50 << 20, 100},
		{64 << 20, 100}, {1 << 30, 100},
	} {
		if got := Percent(c.live); got != c.want {
			t.Errorf("Percent(%d MiB) = %d, want %d", c.live>>20, got, c.want)
		}
	}
}

// TestTunesAfterCollections: with 100 MiB live, collections bring GOGC to
// 100; once it is garbage, back to 400.
func TestTunesAfterCollections(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	Start()
	live := make([][]byte, 100)
	for i := range live {
		live[i] = make([]byte, 1<<20)
		live[i][0] = 1
	}
	if got := settle(); got != 100 {
		t.Errorf("GOGC with 100 MiB live: %d, want 100", got)
	}
	runtime.KeepAlive(live)
	live = nil
	if got := settle(); got != MaxPercent {
		t.Errorf("GOGC with little live: %d, want %d", got, MaxPercent)
	}
}

// settle runs collections until the finalizer has run, and returns GOGC.
func settle() int {
	for range 3 {
		runtime.GC()
		runtime.Gosched()
	}
	// Wait for the finalizer goroutine: a collection queues the finalizer,
	// a second one after it has run sees its new sentinel.
	for range 20 {
		runtime.GC()
	}
	p := debug.SetGCPercent(-1)
	debug.SetGCPercent(p)
	return p
}
