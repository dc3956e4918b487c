package awsproto

import "context"

// budget bounds the memory that large request bodies in flight may hold:
// a request takes its weight before its body is read and gives it back
// when it is answered, and waits while the budget has no room. Without it,
// sixteen concurrent 8 MiB requests held 1.4 GB.
type budget struct {
	// turn lets one waiter at a time take units, so two large requests
	// never each hold part of what both need (no deadlock), and a large
	// request is not passed over forever by small ones.
	turn  chan struct{} // capacity 1: the token of the one taking units
	units chan struct{} // one token per unit of budgetUnit bytes
}

const budgetUnit = 256 << 10

func newBudget(bytes int64) *budget {
	n := max(1, int(bytes/budgetUnit))
	b := &budget{turn: make(chan struct{}, 1), units: make(chan struct{}, n)}
	for range n {
		b.units <- struct{}{}
	}
	return b
}

// acquire takes weight bytes (rounded up to units, at most the whole
// budget) and returns the function that gives them back, or ctx's error.
func (b *budget) acquire(ctx context.Context, weight int64) (release func(), err error) {
	n := min(int((weight+budgetUnit-1)/budgetUnit), cap(b.units))
	select {
	case b.turn <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-b.turn }()
	for got := 0; got < n; got++ {
		select {
		case <-b.units:
		case <-ctx.Done():
			b.give(got)
			return nil, ctx.Err()
		}
	}
	return func() { b.give(n) }, nil
}

func (b *budget) give(n int) {
	for range n {
		b.units <- struct{}{}
	}
}
