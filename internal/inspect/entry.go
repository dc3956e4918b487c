// Package inspect records the data plane's recent traffic for people to
// look at (docs/inspector.md): each HTTP API request, WebSocket connect,
// message, disconnect and @connections call is an Entry, with what the
// integration received and answered, the authorizer's decision and the
// mapping templates' output, kept in a bounded ring and announced to
// subscribers.
//
// The engines fill an Entry as a request goes and hand it over at the
// end (Recorder.Start, Recorder.Finish); they depend on this package
// only, never on the server. A nil *Recorder records nothing and costs
// nothing; a Recorder without a ring (Config.Entries 0) hands out entries
// that capture no headers or bodies, for Config.Observe (the metrics)
// alone.
package inspect

import (
	"net/http"
	"strings"
	"time"
	"unicode/utf8"
)

// Kind is what an entry records.
type Kind string

const (
	KindHTTP       Kind = "http"       // an HTTP API request
	KindConnect    Kind = "connect"    // a WebSocket $connect (the upgrade)
	KindMessage    Kind = "message"    // a WebSocket message from the client
	KindDisconnect Kind = "disconnect" // a WebSocket $disconnect
	KindPost       Kind = "post"       // an @connections POST (PostToConnection)
	KindDelete     Kind = "delete"     // an @connections DELETE
)

// Entry is one recorded exchange. The engine that records it is its only
// writer until Recorder.Finish; after that it is never changed.
type Entry struct {
	ID   string
	Time time.Time
	Kind Kind

	Account, Region, APIID, Stage string
	RouteKey, ConnectionID        string
	RequestID                     string
	Method, Path                  string
	Status                        int
	Latency, IntegrationLatency   time.Duration

	Request, Response *Message
	Integration       *Integration
	Authorizer        *Authorizer
	Frames            []Frame
	Templates         []Template
	// CloseCode and CloseReason say why a WebSocket closed (disconnect).
	CloseCode   int
	CloseReason string
	// ReplayOf is the entry this one replays.
	ReplayOf string

	// What a replay of an HTTP entry needs to find the same route: the
	// engine's view of the path (httpapi.Request). Not shown.
	RawPath, MatchPath, BasePath string

	seq     uint64
	capture bool
	limit   int
	slot    *Slot
}

// Message is a request or an answer: the client's, or the integration's.
type Message struct {
	Method, Path, Query string
	// URI is where an integration's request went (HTTP backends).
	URI    string
	Status int
	// Headers are the message's headers; the entry may share them with
	// the request it records, which no one changes once it is answered.
	Headers http.Header
	// Host is the request's Host, shown among the headers.
	Host string
	Body []byte
	// Truncated: Body holds the first BodyBytes of a longer body.
	Truncated bool
	// tap, when set, is where Body comes from at Finish.
	tap *Tap
}

// Integration is what a route's integration received and answered.
type Integration struct {
	Type     string
	URI      string
	Request  *Message
	Response *Message
	Error    string
}

// Authorizer is the route authorizer's decision.
type Authorizer struct {
	Type    string // JWT, REQUEST (a Lambda authorizer) or AWS_IAM
	Name    string
	Allowed bool
	// Context is what the authorizer established: a Lambda authorizer's
	// context (with principalId), a JWT's claims (and scopes), an IAM
	// caller's identity.
	Context map[string]any
	Cached  bool
	Error   string
}

// Frame is one WebSocket message, in from the client or out to it.
type Frame struct {
	Direction string // "in" or "out"
	Time      time.Time
	Body      []byte
	Truncated bool
}

// Template is one mapping template's output.
type Template struct {
	Name      string
	Output    []byte
	Truncated bool
}

// Capturing reports whether the entry records headers and bodies (the
// ring is on); false for nil and for entries kept for metrics alone.
func (e *Entry) Capturing() bool { return e != nil && e.capture }

// Cut copies at most the body limit of b; truncated says b was longer.
// A cut never splits a UTF-8 sequence, so that text stays text.
func (e *Entry) Cut(b []byte) (cut []byte, truncated bool) {
	if !e.Capturing() {
		return nil, false
	}
	n := len(b)
	if n > e.limit {
		n, truncated = runeCut(b, e.limit), true
	}
	return append([]byte(nil), b[:n]...), truncated
}

// CutString is Cut of a string.
func (e *Entry) CutString(s string) ([]byte, bool) {
	if !e.Capturing() {
		return nil, false
	}
	n := len(s)
	truncated := false
	if n > e.limit {
		n, truncated = runeCutString(s, e.limit), true
	}
	return []byte(s[:n]), truncated
}

// SetBody sets m's body from b, cut to the limit.
func (e *Entry) SetBody(m *Message, b []byte) {
	if m != nil && e.Capturing() {
		m.Body, m.Truncated = e.Cut(b)
	}
}

// TapBody makes m's body what is written to the returned tap (a body
// that is streamed): it is read at Finish. Nil when not capturing.
func (e *Entry) TapBody(m *Message) *Tap {
	if m == nil || !e.Capturing() {
		return nil
	}
	if m.tap == nil {
		m.tap = &Tap{limit: e.limit}
	}
	return m.tap
}

// ShareBody makes dst's body the same as src's, taps included (an
// HTTP_PROXY passes bodies through unchanged).
func ShareBody(dst, src *Message) {
	if dst == nil || src == nil {
		return
	}
	dst.Body, dst.Truncated, dst.tap = src.Body, src.Truncated, src.tap
}

// AddFrame records a WebSocket message in ("in") or out ("out").
func (e *Entry) AddFrame(direction string, data []byte) {
	if !e.Capturing() {
		return
	}
	b, cut := e.Cut(data)
	e.Frames = append(e.Frames, Frame{Direction: direction, Time: time.Now(), Body: b, Truncated: cut})
}

// AddFrameString is AddFrame of a string.
func (e *Entry) AddFrameString(direction, data string) {
	if !e.Capturing() {
		return
	}
	b, cut := e.CutString(data)
	e.Frames = append(e.Frames, Frame{Direction: direction, Time: time.Now(), Body: b, Truncated: cut})
}

// AddTemplate records a mapping template's output.
func (e *Entry) AddTemplate(name, output string) {
	if !e.Capturing() {
		return
	}
	b, cut := e.CutString(output)
	e.Templates = append(e.Templates, Template{Name: name, Output: b, Truncated: cut})
}

// SetIntegration starts the integration's record.
func (e *Entry) SetIntegration(typ, uri string) *Integration {
	if !e.Capturing() {
		return nil
	}
	e.Integration = &Integration{Type: typ, URI: uri}
	return e.Integration
}

// IntegrationError records why the integration failed.
func (e *Entry) IntegrationError(err error) {
	if e.Capturing() && err != nil {
		if e.Integration == nil {
			e.Integration = &Integration{}
		}
		e.Integration.Error = err.Error()
	}
}

// ReplayOrigin is the entry this one replays ("" when it does not).
func (e *Entry) ReplayOrigin() string {
	if e == nil || e.slot == nil {
		return ""
	}
	return e.slot.of
}

// finish reads the taps.
func (e *Entry) finish() {
	untap(e.Request)
	untap(e.Response)
	if in := e.Integration; in != nil {
		untap(in.Request)
		untap(in.Response)
	}
}

func untap(m *Message) {
	if m != nil && m.tap != nil {
		m.Body, m.Truncated = m.tap.buf, m.tap.over
	}
}

// Tap keeps the first bytes written to it, up to the body limit, and
// notes that there were more: it sits on a streamed body.
type Tap struct {
	buf   []byte
	limit int
	over  bool
}

// Write keeps what fits; it never fails.
func (t *Tap) Write(p []byte) (int, error) {
	if t == nil {
		return len(p), nil
	}
	room := t.limit - len(t.buf)
	if len(p) > room {
		t.over = true
		if room > 0 {
			t.buf = append(t.buf, p[:runeCut(p, room)]...)
		}
		t.limit = len(t.buf) // nothing more is kept, not even a rune's tail
		return len(p), nil
	}
	t.buf = append(t.buf, p...)
	return len(p), nil
}

// runeCut is the longest prefix of b of at most n bytes that does not
// end inside a UTF-8 sequence (when b is text: binary is cut at n, give
// or take 3 bytes).
func runeCut(b []byte, n int) int {
	for i := n; i > 0 && i > n-utf8.UTFMax; i-- {
		if utf8.RuneStart(b[i]) {
			return i
		}
	}
	return n
}

func runeCutString(s string, n int) int {
	for i := n; i > 0 && i > n-utf8.UTFMax; i-- {
		if utf8.RuneStart(s[i]) {
			return i
		}
	}
	return n
}

// HeaderClone copies headers for an entry (nil when not capturing).
func (e *Entry) HeaderClone(h http.Header) http.Header {
	if !e.Capturing() {
		return nil
	}
	out := h.Clone()
	if out == nil {
		out = http.Header{}
	}
	return out
}

// statusClass matches "4xx"-style filters.
func statusClass(f string, status int) bool {
	return len(f) == 3 && strings.HasSuffix(f, "xx") && f[0] >= '1' && f[0] <= '5' && status/100 == int(f[0]-'0')
}
