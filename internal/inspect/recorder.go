package inspect

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults of the portico command's flags.
const (
	DefaultEntries   = 2000
	DefaultBodyBytes = 64 << 10
	// SubscriberBuffer is how many entries a subscriber may fall behind
	// before it loses some.
	SubscriberBuffer = 256
)

// Config sizes a Recorder.
type Config struct {
	// Entries is how many entries the ring keeps; 0 keeps none (recording
	// off: entries then only feed Observe).
	Entries int
	// BodyBytes is how much of each body is kept (DefaultBodyBytes when
	// zero or less).
	BodyBytes int
	// Observe, when set, sees every finished entry (the metrics): it must
	// not keep it.
	Observe func(*Entry)
}

// Recorder takes the engines' entries. Its methods are safe for
// concurrent use, and a nil *Recorder records nothing.
type Recorder struct {
	limit   int
	observe func(*Entry)

	mu   sync.RWMutex
	buf  []*Entry // nil: recording off
	next uint64   // the sequence number of the next entry

	nsubs  atomic.Int32
	subsMu sync.Mutex
	subs   map[*Subscription]struct{}
	closed bool
}

// New returns a recorder, or nil when there is nothing to record for.
func New(cfg Config) *Recorder {
	if cfg.Entries <= 0 && cfg.Observe == nil {
		return nil
	}
	if cfg.BodyBytes <= 0 {
		cfg.BodyBytes = DefaultBodyBytes
	}
	r := &Recorder{limit: cfg.BodyBytes, observe: cfg.Observe, next: 1, subs: map[*Subscription]struct{}{}}
	if cfg.Entries > 0 {
		r.buf = make([]*Entry, cfg.Entries)
	}
	return r
}

// Enabled reports whether the ring keeps entries.
func (r *Recorder) Enabled() bool { return r != nil && r.buf != nil }

// BodyBytes is the body limit.
func (r *Recorder) BodyBytes() int {
	if r == nil {
		return 0
	}
	return r.limit
}

// Size is how many entries the ring keeps at most.
func (r *Recorder) Size() int {
	if r == nil {
		return 0
	}
	return len(r.buf)
}

// entries for metrics alone are used again.
var lightEntries = sync.Pool{New: func() any { return new(Entry) }}

// Start begins an entry of kind at t; nil from a nil Recorder. ctx
// carries a replay's Slot, if any.
func (r *Recorder) Start(ctx context.Context, kind Kind, t time.Time) *Entry {
	if r == nil {
		return nil
	}
	if r.buf == nil {
		e := lightEntries.Get().(*Entry)
		e.Kind, e.Time = kind, t
		return e
	}
	e := &Entry{Kind: kind, Time: t, capture: true, limit: r.limit}
	if ctx != nil {
		if s, ok := ctx.Value(slotKey{}).(*Slot); ok {
			e.slot, e.ReplayOf = s, s.of
		}
	}
	return e
}

// Finish hands a finished entry over: it is observed, kept and announced.
// The caller must not touch it afterwards.
func (r *Recorder) Finish(e *Entry) {
	if r == nil || e == nil {
		return
	}
	if r.observe != nil {
		r.observe(e)
	}
	if !e.capture {
		*e = Entry{}
		lightEntries.Put(e)
		return
	}
	e.finish()
	r.mu.Lock()
	e.seq = r.next
	r.next++
	e.ID = strconv.FormatUint(e.seq, 10)
	r.buf[e.seq%uint64(len(r.buf))] = e
	r.mu.Unlock()
	if e.slot != nil {
		e.slot.id, e.slot.status = e.ID, e.Status
	}
	if r.nsubs.Load() > 0 {
		r.announce(e)
	}
}

// Get returns the entry with that id while the ring still holds it.
func (r *Recorder) Get(id string) *Entry {
	if !r.Enabled() {
		return nil
	}
	seq, err := strconv.ParseUint(id, 10, 64)
	if err != nil || strconv.FormatUint(seq, 10) != id {
		return nil
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	e := r.buf[seq%uint64(len(r.buf))]
	if e == nil || e.seq != seq {
		return nil
	}
	return e
}

// List returns up to limit entries that match f, newest first.
func (r *Recorder) List(f Filter, limit int) []*Entry {
	out := []*Entry{}
	if !r.Enabled() || limit <= 0 {
		return out
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	n := uint64(len(r.buf))
	for seq := r.next - 1; seq > 0 && r.next-seq <= n && len(out) < limit; seq-- {
		e := r.buf[seq%n]
		if e == nil || e.seq != seq {
			break
		}
		if seq <= f.SinceSeq || !f.SinceTime.IsZero() && !e.Time.After(f.SinceTime) {
			break
		}
		if f.Match(e) {
			out = append(out, e)
		}
	}
	return out
}

// Reset forgets every entry (POST /_portico/reset); ids keep counting.
func (r *Recorder) Reset() {
	if !r.Enabled() {
		return
	}
	r.mu.Lock()
	clear(r.buf)
	r.mu.Unlock()
}

// Subscription receives new entries that match its filter, as they are
// finished. A subscriber that falls SubscriberBuffer entries behind
// loses the next ones (Dropped counts them): the data plane never waits
// for a reader.
type Subscription struct {
	C       <-chan *Entry
	c       chan *Entry
	filter  Filter
	dropped atomic.Int64
	r       *Recorder
	once    sync.Once
	// Done is closed when the recorder closes.
	Done chan struct{}
}

// Subscribe starts a subscription; Close ends it.
func (r *Recorder) Subscribe(f Filter) *Subscription {
	c := make(chan *Entry, SubscriberBuffer)
	s := &Subscription{C: c, c: c, filter: f, r: r, Done: make(chan struct{})}
	if !r.Enabled() {
		close(s.Done)
		return s
	}
	r.subsMu.Lock()
	if r.closed {
		close(s.Done)
	} else {
		r.subs[s] = struct{}{}
		r.nsubs.Add(1)
	}
	r.subsMu.Unlock()
	return s
}

// TakeDropped returns how many entries were lost since the last call.
func (s *Subscription) TakeDropped() int64 { return s.dropped.Swap(0) }

// Close ends the subscription.
func (s *Subscription) Close() {
	r := s.r
	if !r.Enabled() {
		return
	}
	r.subsMu.Lock()
	if _, ok := r.subs[s]; ok {
		delete(r.subs, s)
		r.nsubs.Add(-1)
	}
	r.subsMu.Unlock()
}

func (r *Recorder) announce(e *Entry) {
	r.subsMu.Lock()
	defer r.subsMu.Unlock()
	for s := range r.subs {
		if !s.filter.Match(e) {
			continue
		}
		select {
		case s.c <- e:
		default:
			s.dropped.Add(1)
		}
	}
}

// Close ends every subscription (shutdown): their streams end.
func (r *Recorder) Close() {
	if !r.Enabled() {
		return
	}
	r.subsMu.Lock()
	defer r.subsMu.Unlock()
	r.closed = true
	for s := range r.subs {
		s.once.Do(func() { close(s.Done) })
		delete(r.subs, s)
		r.nsubs.Add(-1)
	}
}

// Slot is where a replay learns the entry its request made.
type Slot struct {
	of     string
	id     string
	status int
}

type slotKey struct{}

// WithReplay marks ctx as the replay of entry of: the entry recorded for
// the request made with it carries ReplayOf, and the slot learns its id.
func WithReplay(ctx context.Context, of string) (context.Context, *Slot) {
	s := &Slot{of: of}
	return context.WithValue(ctx, slotKey{}, s), s
}

// Entry is the id and status of the entry the replay made ("" when none
// was recorded yet).
func (s *Slot) Entry() (id string, status int) { return s.id, s.status }
