package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/portico-dev/portico/internal/awsproto"
	"github.com/portico-dev/portico/internal/dataplane/gateway"
	"github.com/portico-dev/portico/internal/dataplane/httpapi"
	"github.com/portico-dev/portico/internal/dataplane/websocket"
	"github.com/portico-dev/portico/internal/inspect"
	"github.com/portico-dev/portico/internal/store"
)

// The inspector's endpoints (docs/inspector.md), under the operations
// router and its guard: the data plane's recent traffic, a stream of it,
// the live connections, and replays through this Portico's own data
// plane.

const inspectPrefix = "/_portico/inspect/"

// heartbeatEvery is how often a quiet stream says it is alive.
var heartbeatEvery = 15 * time.Second

// maxReplayBody bounds a replay's request (an HTTP API's payload quota,
// and what the edited request may hold).
const maxReplayBody = httpapi.MaxBody + 1<<20

func (s *Server) serveInspect(w http.ResponseWriter, r *http.Request) {
	rest := strings.TrimPrefix(r.URL.EscapedPath(), inspectPrefix)
	parts := strings.Split(rest, "/")
	method := http.MethodGet
	var h http.HandlerFunc
	switch {
	case rest == "traffic":
		h = s.inspectTraffic
	case len(parts) == 2 && parts[0] == "traffic" && parts[1] != "":
		h = func(w http.ResponseWriter, r *http.Request) { s.inspectEntry(w, r, parts[1]) }
	case len(parts) == 3 && parts[0] == "traffic" && parts[1] != "" && parts[2] == "replay":
		method = http.MethodPost
		h = func(w http.ResponseWriter, r *http.Request) { s.inspectReplay(w, r, parts[1]) }
	case rest == "stream":
		h = s.inspectStream
	case rest == "connections":
		h = s.inspectConnections
	default:
		awsproto.WriteError(w, awsproto.NotFound("No inspector endpoint at %s", awsproto.Echo(r.URL.EscapedPath())))
		return
	}
	if r.Method != method {
		awsproto.WriteError(w, &awsproto.Error{Type: "MethodNotAllowedException", Code: http.StatusMethodNotAllowed,
			Message: "The " + r.Method + " method is not allowed on " + awsproto.Echo(r.URL.EscapedPath())})
		return
	}
	if h := s.inspectOff(); h != nil && rest != "connections" {
		awsproto.WriteError(w, h)
		return
	}
	h(w, r)
}

// inspectOff is the error of the traffic endpoints while recording is off.
func (s *Server) inspectOff() error {
	if s.inspect.Enabled() {
		return nil
	}
	return awsproto.NotFound("The inspector is off: Portico was started with --inspect-entries 0")
}

func (s *Server) inspectTraffic(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f, err := inspect.ParseFilter(q)
	if err != nil {
		awsproto.WriteError(w, awsproto.BadRequest("%s", err.Error()))
		return
	}
	limit := min(100, s.inspect.Size())
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			awsproto.WriteError(w, awsproto.BadRequest("Invalid limit %q: a positive integer", awsproto.Echo(v)))
			return
		}
		limit = min(n, s.inspect.Size())
	}
	entries := s.inspect.List(f, limit)
	out := make([]inspect.SummaryJSON, len(entries))
	for i, e := range entries {
		out[i] = e.Summary()
	}
	writeJSON(w, http.StatusOK, map[string]any{"entries": out})
}

func (s *Server) inspectEntry(w http.ResponseWriter, r *http.Request, id string) {
	e := s.inspect.Get(id)
	if e == nil {
		awsproto.WriteError(w, noEntry(id))
		return
	}
	writeJSON(w, http.StatusOK, e.Detail())
}

func noEntry(id string) error {
	return awsproto.NotFound("No entry %s: unknown, or no longer in the inspector's ring", awsproto.Echo(id))
}

// inspectStream is the Server-Sent Events stream of new entries: "event:
// entry" with a summary, "event: dropped" when this reader fell behind
// and lost some, a comment as a heartbeat. With since (or Last-Event-ID)
// the entries after that one that the ring still holds come first.
func (s *Server) inspectStream(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if id := r.Header.Get("Last-Event-ID"); id != "" && q.Get("since") == "" {
		q.Set("since", id)
	}
	f, err := inspect.ParseFilter(q)
	if err != nil {
		awsproto.WriteError(w, awsproto.BadRequest("%s", err.Error()))
		return
	}
	// A stream outlives the server's write and read timeouts.
	rc := http.NewResponseController(w)
	rc.SetWriteDeadline(time.Time{})
	rc.SetReadDeadline(time.Time{})
	sub := s.inspect.Subscribe(f)
	defer sub.Close()
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	io.WriteString(w, ": portico inspector\n\n")
	var last uint64 // the newest entry sent
	send := func(e *inspect.Entry) error {
		seq, _ := strconv.ParseUint(e.ID, 10, 64)
		if seq <= last {
			return nil
		}
		last = seq
		b, _ := json.Marshal(e.Summary())
		_, err := fmt.Fprintf(w, "id: %s\nevent: entry\ndata: %s\n\n", e.ID, b)
		return err
	}
	// Any since sends a backlog, since=0 too: a page that listed no entry
	// asks for every one that came after it looked.
	if q.Get("since") != "" {
		backlog := s.inspect.List(f, s.inspect.Size())
		for i := len(backlog) - 1; i >= 0; i-- {
			if send(backlog[i]) != nil {
				return
			}
		}
	}
	if rc.Flush() != nil {
		return
	}
	tick := time.NewTicker(heartbeatEvery)
	defer tick.Stop()
	for {
		var err error
		select {
		case e := <-sub.C:
			err = send(e)
		case <-tick.C:
			_, err = io.WriteString(w, ": heartbeat\n\n")
		case <-r.Context().Done():
			return
		case <-sub.Done:
			return
		}
		if len(sub.C) == 0 {
			// Lost entries are newer than those that were waiting: say so
			// once those are out.
			if n := sub.TakeDropped(); n > 0 && err == nil {
				_, err = fmt.Fprintf(w, "event: dropped\ndata: {\"dropped\":%d}\n\n", n)
			}
			if err == nil {
				err = rc.Flush()
			}
		}
		if err != nil {
			return
		}
	}
}

type connectionJSON struct {
	ConnectionID string `json:"connectionId"`
	APIID        string `json:"apiId"`
	Stage        string `json:"stage"`
	Account      string `json:"account"`
	Region       string `json:"region"`
	ConnectedAt  string `json:"connectedAt"`
	LastActiveAt string `json:"lastActiveAt"`
	SourceIP     string `json:"sourceIp,omitempty"`
	UserAgent    string `json:"userAgent,omitempty"`
}

// inspectConnections lists this node's open WebSocket connections,
// oldest first.
func (s *Server) inspectConnections(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	api, stage := q.Get("api"), q.Get("stage")
	open := s.plane.OpenConnections()
	slices.SortFunc(open, func(a, b websocket.OpenConn) int { return a.ConnectedAt.Compare(b.ConnectedAt) })
	out := []connectionJSON{}
	for _, c := range open {
		if api != "" && c.Key.APIID != api || stage != "" && c.Key.Stage != stage {
			continue
		}
		out = append(out, connectionJSON{ConnectionID: c.ID, APIID: c.Key.APIID, Stage: c.Key.Stage,
			Account: c.Key.Scope.Account, Region: c.Key.Scope.Region,
			ConnectedAt: c.ConnectedAt.UTC().Format(time.RFC3339Nano), LastActiveAt: c.LastActiveAt.UTC().Format(time.RFC3339Nano),
			SourceIP: c.SourceIP, UserAgent: c.UserAgent})
	}
	writeJSON(w, http.StatusOK, map[string]any{"connections": out})
}

// replayOverride is what a replay may change of the recorded request.
// Headers take {"Name": "value"} or {"Name": ["v1", "v2"]}.
type replayOverride struct {
	Method     *string                    `json:"method"`
	Path       *string                    `json:"path"`
	Query      *string                    `json:"query"`
	Headers    map[string]json.RawMessage `json:"headers"`
	Body       *string                    `json:"body"`
	BodyBase64 bool                       `json:"bodyBase64"`
}

// inspectReplay sends an entry's request again, through this Portico's
// own data plane only: an HTTP entry to its API and stage (in process, as
// if it came in on the listener), a message to its connection as if the
// client had sent it. Nothing in the request can aim it anywhere else.
func (s *Server) inspectReplay(w http.ResponseWriter, r *http.Request, id string) {
	var ov replayOverride
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxReplayBody))
	if err != nil {
		awsproto.WriteError(w, awsproto.TooLarge(maxReplayBody))
		return
	}
	if len(bytes.TrimSpace(body)) > 0 {
		if err := json.Unmarshal(body, &ov); err != nil {
			awsproto.WriteError(w, awsproto.BadRequest("The replay's body is not a JSON object of method, path, query, headers and body: %s", err.Error()))
			return
		}
	}
	e := s.inspect.Get(id)
	if e == nil {
		awsproto.WriteError(w, noEntry(id))
		return
	}
	var newID string
	var status int
	switch e.Kind {
	case inspect.KindHTTP:
		newID, status, err = s.replayHTTP(r, e, &ov)
	case inspect.KindMessage:
		newID, status, err = s.replayMessage(r, e, &ov)
	default:
		err = awsproto.BadRequest("Entry %s is a %s: only http and message entries can be replayed", e.ID, e.Kind)
	}
	if err != nil {
		awsproto.WriteError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"entry": newID, "status": status})
}

func (ov *replayOverride) body(rec *inspect.Message) ([]byte, error) {
	if ov.Body != nil {
		b, err := inspect.DecodeBody(*ov.Body, ov.BodyBase64)
		if err != nil {
			return nil, awsproto.BadRequest("The replay's body is not base64: %s", err.Error())
		}
		return b, nil
	}
	if rec == nil {
		return nil, nil
	}
	if rec.Truncated {
		return nil, awsproto.Conflict("The recorded body was cut at %d bytes (--inspect-body-bytes): send the body to replay it", len(rec.Body))
	}
	return rec.Body, nil
}

func (s *Server) replayHTTP(r *http.Request, e *inspect.Entry, ov *replayOverride) (string, int, error) {
	rec := e.Request
	if rec == nil {
		return "", 0, awsproto.Conflict("Entry %s has no recorded request", e.ID)
	}
	method, path, query := rec.Method, rec.Path, rec.Query
	if ov.Method != nil {
		method = *ov.Method
	}
	if ov.Path != nil {
		path = *ov.Path
	}
	if ov.Query != nil {
		query = strings.TrimPrefix(*ov.Query, "?")
	}
	if method == "" || strings.ContainsAny(method, " \t\r\n") {
		return "", 0, awsproto.BadRequest("Invalid method %q", awsproto.Echo(method))
	}
	header := rec.Headers.Clone()
	if header == nil {
		header = http.Header{}
	}
	if ov.Headers != nil {
		header = http.Header{}
		for k, raw := range ov.Headers {
			var one string
			var many []string
			switch {
			case json.Unmarshal(raw, &one) == nil:
				header[http.CanonicalHeaderKey(k)] = []string{one}
			case json.Unmarshal(raw, &many) == nil:
				header[http.CanonicalHeaderKey(k)] = many
			default:
				return "", 0, awsproto.BadRequest("Header %q: want a string or a list of strings", awsproto.Echo(k))
			}
		}
	}
	body, err := ov.body(rec)
	if err != nil {
		return "", 0, err
	}
	// The paths the engine sees: the path as sent is a prefix (the
	// execute-api path, a stage, a base path) and the path routes match;
	// a replay keeps the prefix, so it stays on the entry's API and stage.
	outer := pathPrefix(e.Path, e.MatchPath)
	inner := pathPrefix(e.RawPath, e.MatchPath)
	if !strings.HasPrefix(path, outer) {
		return "", 0, awsproto.BadRequest("A replay stays on the entry's API and stage: the path must start with %q", outer)
	}
	match := path[len(outer):]
	if match == "" {
		match = "/"
	}
	if match[0] != '/' {
		return "", 0, awsproto.BadRequest("A replay stays on the entry's API and stage: the path must go on from %q with a /", outer)
	}
	rawPath := inner + match
	if match == "/" && !strings.HasSuffix(e.RawPath, e.MatchPath) {
		rawPath = inner // a base path alone
	}
	u, err := url.Parse("http://replay" + path)
	if err != nil || u.Host != "replay" {
		return "", 0, awsproto.BadRequest("Invalid path %q", awsproto.Echo(path))
	}
	u.RawQuery = query
	host := header.Get("Host")
	header.Del("Host")
	if host == "" {
		host = r.Host
	}
	header.Del("Transfer-Encoding")
	header.Del("Content-Length")
	if len(body) > 0 {
		header.Set("Content-Length", strconv.Itoa(len(body)))
	}
	ctx, slot := inspect.WithReplay(r.Context(), e.ID)
	hr, err := http.NewRequestWithContext(ctx, method, u.String(), bytes.NewReader(body))
	if err != nil {
		return "", 0, awsproto.BadRequest("Invalid request: %s", err.Error())
	}
	hr.Header, hr.Host, hr.RemoteAddr = header, host, r.RemoteAddr
	hr.RequestURI = u.RequestURI()
	hr.ContentLength = int64(len(body))
	if len(body) == 0 {
		hr.Body = http.NoBody
	}
	k := gateway.StageKey{Scope: store.Scope{Account: e.Account, Region: e.Region}, APIID: e.APIID, Stage: e.Stage}
	rw := &replayWriter{header: http.Header{}}
	s.plane.ServeStage(rw, hr, k, httpapi.Request{RawPath: rawPath, MatchPath: match,
		BasePath: e.BasePath, Stage: e.Stage})
	newID, _ := slot.Entry()
	return newID, rw.statusCode(), nil
}

// pathPrefix is what p has before its suffix match ("/" matches the
// empty rest of a base path).
func pathPrefix(p, match string) string {
	if strings.HasSuffix(p, match) {
		return p[:len(p)-len(match)]
	}
	return p
}

func (s *Server) replayMessage(r *http.Request, e *inspect.Entry, ov *replayOverride) (string, int, error) {
	if ov.Method != nil || ov.Path != nil || ov.Query != nil || ov.Headers != nil {
		return "", 0, awsproto.BadRequest("A message's replay takes only a body")
	}
	var in *inspect.Message
	for _, f := range e.Frames {
		if f.Direction == "in" {
			in = &inspect.Message{Body: f.Body, Truncated: f.Truncated}
			break
		}
	}
	data, err := ov.body(in)
	if err != nil {
		return "", 0, err
	}
	ctx, slot := inspect.WithReplay(context.WithoutCancel(r.Context()), e.ID)
	switch err := s.plane.Deliver(ctx, e.ConnectionID, string(data)); {
	case errors.Is(err, websocket.ErrNoConnection):
		return "", 0, awsproto.Conflict("Connection %s is gone: it is not open on this node", e.ConnectionID)
	case errors.Is(err, websocket.ErrBadMessage):
		return "", 0, awsproto.BadRequest("%s", err.Error())
	case err != nil:
		return "", 0, err
	}
	id, status := slot.Entry()
	return id, status, nil
}

// replayWriter takes a replay's answer: the inspector records it, so only
// its status is kept here.
type replayWriter struct {
	header http.Header
	status int
}

func (w *replayWriter) Header() http.Header { return w.header }
func (w *replayWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
}
func (w *replayWriter) Write(b []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	return len(b), nil
}
func (w *replayWriter) Flush() {}
func (w *replayWriter) statusCode() int {
	if w.status == 0 {
		return http.StatusOK
	}
	return w.status
}
