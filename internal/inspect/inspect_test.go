package inspect

import (
	"bytes"
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func record(r *Recorder, api string, status int) *Entry {
	e := r.Start(context.Background(), KindHTTP, time.Now())
	e.APIID, e.Status = api, status
	r.Finish(e)
	return e
}

// TestRingKeepsTheNewest: a ring of 3 keeps the last 3 entries; older ids
// are gone, lists are newest first.
func TestRingKeepsTheNewest(t *testing.T) {
	r := New(Config{Entries: 3})
	var ids []string
	for i := range 5 {
		ids = append(ids, record(r, "a", 200+i).ID)
	}
	got := r.List(Filter{}, 100)
	if len(got) != 3 || got[0].ID != ids[4] || got[2].ID != ids[2] {
		t.Fatalf("list: %v", got)
	}
	if r.Get(ids[1]) != nil || r.Get(ids[2]) == nil || r.Get("x") != nil || r.Get("0"+ids[2]) != nil {
		t.Errorf("get: evicted or malformed ids answered")
	}
	if got := r.List(Filter{SinceSeq: got[1].seq}, 100); len(got) != 1 || got[0].ID != ids[4] {
		t.Errorf("since: %v", got)
	}
}

func TestFilter(t *testing.T) {
	r := New(Config{Entries: 10})
	record(r, "a", 200)
	record(r, "a", 404)
	record(r, "b", 502)
	for q, want := range map[string]int{"": 3, "api=a": 2, "status=4xx": 1, "status=502": 1, "api=b&status=2xx": 0, "kind=message": 0} {
		v, _ := url.ParseQuery(q)
		f, err := ParseFilter(v)
		if err != nil {
			t.Fatal(q, err)
		}
		if got := len(r.List(f, 100)); got != want {
			t.Errorf("%s: %d entries, want %d", q, got, want)
		}
	}
	for _, q := range []string{"status=abc", "status=6xx", "kind=nope", "since=yesterday"} {
		v, _ := url.ParseQuery(q)
		if _, err := ParseFilter(v); err == nil {
			t.Errorf("%s: accepted", q)
		}
	}
}

// TestCut: bodies are cut at the limit, never inside a UTF-8 sequence,
// and a tap keeps only the first bytes of a stream.
func TestCut(t *testing.T) {
	r := New(Config{Entries: 1, BodyBytes: 5})
	e := r.Start(context.Background(), KindHTTP, time.Now())
	if b, cut := e.Cut([]byte("héllo wörld")); string(b) != "héll" || !cut {
		t.Errorf("cut %q %v", b, cut)
	}
	if b, cut := e.Cut([]byte("abc")); string(b) != "abc" || cut {
		t.Errorf("short %q %v", b, cut)
	}
	m := &Message{}
	tap := e.TapBody(m)
	tap.Write([]byte("ab"))
	tap.Write([]byte("cdefg"))
	tap.Write([]byte("h"))
	e.Request = m
	r.Finish(e)
	if string(m.Body) != "abcde" || !m.Truncated {
		t.Errorf("tap %q %v", m.Body, m.Truncated)
	}
}

// TestHostileBodies: binary bodies become base64, invalid header bytes
// are replaced, and the JSON parses.
func TestHostileBodies(t *testing.T) {
	r := New(Config{Entries: 1, BodyBytes: 1 << 20})
	e := r.Start(context.Background(), KindHTTP, time.Now())
	bin := []byte{0xff, 0xfe, 0, 1, '"', '\\', '<'}
	e.Request = &Message{Headers: map[string][]string{"X-Bad\xff": {"\xfe\x00"}}}
	e.SetBody(e.Request, bin)
	e.AddFrame("in", bin)
	r.Finish(e)
	b, err := json.Marshal(e.Detail())
	if err != nil || !json.Valid(b) || !utf8.Valid(b) {
		t.Fatalf("%v %s", err, b)
	}
	var d DetailJSON
	json.Unmarshal(b, &d)
	got, _ := DecodeBody(d.Request.Body, d.Request.BodyBase64)
	if !bytes.Equal(got, bin) || !d.Request.BodyBase64 || !d.Frames[0].BodyBase64 {
		t.Errorf("body %q", got)
	}
	if !strings.Contains(string(b), `"bodyBase64":true`) {
		t.Errorf("%s", b)
	}
}

// TestSlowSubscriberLoses: a subscriber that reads nothing loses what
// does not fit its buffer, and the recorder never waits.
func TestSlowSubscriberLoses(t *testing.T) {
	r := New(Config{Entries: 10})
	s := r.Subscribe(Filter{APIID: "a"})
	defer s.Close()
	for range SubscriberBuffer + 7 {
		record(r, "a", 200)
	}
	record(r, "b", 200)
	if len(s.C) != SubscriberBuffer || s.TakeDropped() != 7 || s.TakeDropped() != 0 {
		t.Errorf("buffered %d", len(s.C))
	}
}

// TestOff: a nil recorder and one for metrics alone capture nothing.
func TestOff(t *testing.T) {
	var r *Recorder
	if e := r.Start(context.Background(), KindHTTP, time.Now()); e != nil || e.Capturing() {
		t.Fatal("nil recorder made an entry")
	}
	seen := 0
	r = New(Config{Observe: func(e *Entry) { seen += e.Status }})
	e := r.Start(context.Background(), KindHTTP, time.Now())
	if e.Capturing() {
		t.Error("captures with the ring off")
	}
	e.Status = 201
	r.Finish(e)
	if seen != 201 || len(r.List(Filter{}, 10)) != 0 {
		t.Errorf("observed %d", seen)
	}
	if New(Config{}) != nil {
		t.Error("a recorder for nothing")
	}
}
