package throttle

import (
	"testing"
	"time"
)

func TestBucket(t *testing.T) {
	now := time.Unix(1000, 0)
	b := New(10, 3) // 10 per second, burst 3
	for i := range 3 {
		if !b.Allow(now) {
			t.Fatalf("request %d of the burst refused", i)
		}
	}
	if b.Allow(now) {
		t.Fatal("a fourth request at once was allowed")
	}
	// 100 ms refill one token at 10/s.
	if !b.Allow(now.Add(100*time.Millisecond)) || b.Allow(now.Add(100*time.Millisecond)) {
		t.Fatal("refill is not one token per 100 ms")
	}
	// A long pause refills to the burst, not beyond.
	later := now.Add(time.Hour)
	n := 0
	for b.Allow(later) {
		n++
	}
	if n != 3 {
		t.Errorf("after an hour the bucket held %d, want the burst 3", n)
	}
	if New(-1, 5) != nil || !(*Bucket)(nil).Allow(now) {
		t.Error("a negative rate is no limit")
	}
	zero := New(0, 0)
	if zero.Allow(now) || zero.Allow(later) {
		t.Error("rate 0 and burst 0 throttle everything")
	}
}

func TestSettings(t *testing.T) {
	r, b := 5.0, int32(2)
	stage := Settings{Rate: &r, Burst: &b}
	r2 := 1.0
	route := Settings{Rate: &r2}.Merge(stage)
	if *route.Rate != 1 || *route.Burst != 2 {
		t.Errorf("merge: %v %v", *route.Rate, *route.Burst)
	}
	if (Settings{}).Bucket() != nil {
		t.Error("no settings, no bucket")
	}
}

func TestAccounts(t *testing.T) {
	var a Accounts[string]
	now := time.Unix(1, 0)
	n := 0
	for a.Allow("acct", now) {
		n++
	}
	if n != AccountBurst || !a.Allow("other", now) {
		t.Errorf("account burst %d, want %d; other accounts apart", n, AccountBurst)
	}
}
