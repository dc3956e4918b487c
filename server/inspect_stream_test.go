package server

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/portico-dev/portico/internal/inspect"
)

// pipeWriter is a ResponseWriter whose body goes into a pipe: a reader
// that does not read holds the stream's writes, as a slow client does.
type pipeWriter struct {
	h http.Header
	w *io.PipeWriter
}

func (p *pipeWriter) Header() http.Header         { return p.h }
func (p *pipeWriter) WriteHeader(int)             {}
func (p *pipeWriter) Write(b []byte) (int, error) { return p.w.Write(b) }
func (p *pipeWriter) Flush()                      {}

// TestStreamSaysWhatASlowReaderLost: a reader that falls more than its
// buffer behind loses entries, the recorder never waits for it, and the
// stream says how many were lost with an "event: dropped".
func TestStreamSaysWhatASlowReaderLost(t *testing.T) {
	s := &Server{inspect: inspect.New(inspect.Config{Entries: 1000})}
	pr, pw := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r := httptest.NewRequestWithContext(ctx, "GET", "/_portico/inspect/stream", nil)
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.inspectStream(&pipeWriter{h: http.Header{}, w: pw}, r)
		pw.Close()
	}()
	br := bufio.NewReader(pr)
	if line, _ := br.ReadString('\n'); line != ": portico inspector\n" {
		t.Fatalf("opening %q", line)
	}
	br.ReadString('\n')
	// The stream subscribed before its first write: 300 entries, none read.
	const n = 300
	recorded := make(chan struct{})
	go func() {
		for range n {
			e := s.inspect.Start(context.Background(), inspect.KindHTTP, time.Now())
			e.APIID = "a"
			s.inspect.Finish(e)
		}
		close(recorded)
	}()
	select {
	case <-recorded:
	case <-time.After(10 * time.Second):
		t.Fatal("the recorder waited for the reader")
	}
	entries, dropped := 0, 0
	for entries+dropped < n {
		line, err := br.ReadString('\n')
		if err != nil {
			t.Fatalf("after %d entries and %d dropped: %v", entries, dropped, err)
		}
		switch {
		case line == "event: entry\n":
			entries++
		case line == "event: dropped\n":
			data, _ := br.ReadString('\n')
			var d struct{ Dropped int }
			if err := json.Unmarshal([]byte(strings.TrimPrefix(data, "data: ")), &d); err != nil || d.Dropped <= 0 {
				t.Fatalf("dropped: %q", data)
			}
			dropped += d.Dropped
		}
	}
	if dropped == 0 || entries < inspect.SubscriberBuffer || entries+dropped != n {
		t.Errorf("%d entries, %d dropped", entries, dropped)
	}
	cancel()
	go io.Copy(io.Discard, br)
	<-done
}
