package accesslog

// ring keeps a memory-mode group's newest entries: at most maxLines of
// them and maxBytes in all, the oldest dropped first. Its slots grow as
// entries come, up to maxLines.
type ring struct {
	slots              []string
	head               int // the oldest entry's slot
	n                  int // entries held
	bytes              int
	maxLines, maxBytes int
}

func (r *ring) add(s string) {
	if len(s) > r.maxBytes {
		s = s[:r.maxBytes]
	}
	for r.n > 0 && (r.n == r.maxLines || r.bytes+len(s) > r.maxBytes) {
		r.bytes -= len(r.slots[r.head])
		r.slots[r.head] = ""
		r.head = (r.head + 1) % len(r.slots)
		r.n--
	}
	if r.n == len(r.slots) {
		grown := make([]string, min(max(2*len(r.slots), 16), r.maxLines))
		for i := range r.n {
			grown[i] = r.slots[(r.head+i)%len(r.slots)]
		}
		r.slots, r.head = grown, 0
	}
	r.slots[(r.head+r.n)%len(r.slots)] = s
	r.n++
	r.bytes += len(s)
}

// last is the newest k entries, oldest first.
func (r *ring) last(k int) []string {
	k = min(k, r.n)
	out := make([]string, k)
	for i := range k {
		out[i] = r.slots[(r.head+r.n-k+i)%len(r.slots)]
	}
	return out
}
