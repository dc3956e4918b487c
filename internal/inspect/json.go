package inspect

import (
	"encoding/base64"
	"net/http"
	"time"
	"unicode/utf8"
)

// The JSON forms of entries (docs/inspector.md). Members that are not
// set are omitted. A body is text when it is valid UTF-8, else base64
// with bodyBase64 true, so that no body, however hostile, breaks the
// JSON around it.

// SummaryJSON is an entry in lists and streams.
type SummaryJSON struct {
	ID                   string  `json:"id"`
	Time                 string  `json:"time"`
	Kind                 Kind    `json:"kind"`
	Account              string  `json:"account,omitempty"`
	Region               string  `json:"region,omitempty"`
	APIID                string  `json:"apiId,omitempty"`
	Stage                string  `json:"stage,omitempty"`
	RouteKey             string  `json:"routeKey,omitempty"`
	ConnectionID         string  `json:"connectionId,omitempty"`
	RequestID            string  `json:"requestId,omitempty"`
	Method               string  `json:"method,omitempty"`
	Path                 string  `json:"path,omitempty"`
	Status               int     `json:"status,omitempty"`
	LatencyMs            float64 `json:"latencyMs,omitempty"`
	IntegrationLatencyMs float64 `json:"integrationLatencyMs,omitempty"`
}

// DetailJSON is a whole entry.
type DetailJSON struct {
	SummaryJSON
	Request     *MessageJSON     `json:"request,omitempty"`
	Response    *MessageJSON     `json:"response,omitempty"`
	Integration *IntegrationJSON `json:"integration,omitempty"`
	Authorizer  *AuthorizerJSON  `json:"authorizer,omitempty"`
	Frames      []FrameJSON      `json:"frames,omitempty"`
	Templates   []TemplateJSON   `json:"templates,omitempty"`
	CloseCode   int              `json:"closeCode,omitempty"`
	CloseReason string           `json:"closeReason,omitempty"`
	ReplayOf    string           `json:"replayOf,omitempty"`
}

// MessageJSON is a request or an answer.
type MessageJSON struct {
	Method     string      `json:"method,omitempty"`
	Path       string      `json:"path,omitempty"`
	Query      string      `json:"query,omitempty"`
	URI        string      `json:"uri,omitempty"`
	Status     int         `json:"status,omitempty"`
	Headers    http.Header `json:"headers,omitempty"`
	Body       string      `json:"body"`
	BodyBase64 bool        `json:"bodyBase64"`
	Truncated  bool        `json:"truncated"`
}

type IntegrationJSON struct {
	Type     string       `json:"type,omitempty"`
	URI      string       `json:"uri,omitempty"`
	Request  *MessageJSON `json:"request,omitempty"`
	Response *MessageJSON `json:"response,omitempty"`
	Error    string       `json:"error,omitempty"`
}

type AuthorizerJSON struct {
	Type    string         `json:"type"`
	Name    string         `json:"name,omitempty"`
	Allowed bool           `json:"allowed"`
	Context map[string]any `json:"context,omitempty"`
	Cached  bool           `json:"cached,omitempty"`
	Error   string         `json:"error,omitempty"`
}

type FrameJSON struct {
	Direction  string `json:"direction"`
	Body       string `json:"body"`
	Time       string `json:"time"`
	BodyBase64 bool   `json:"bodyBase64,omitempty"`
	Truncated  bool   `json:"truncated,omitempty"`
}

type TemplateJSON struct {
	Name      string `json:"name"`
	Output    string `json:"output"`
	Truncated bool   `json:"truncated,omitempty"`
}

// Summary is e's summary.
func (e *Entry) Summary() SummaryJSON {
	return SummaryJSON{
		ID: e.ID, Time: timeString(e.Time), Kind: e.Kind,
		Account: e.Account, Region: e.Region, APIID: e.APIID, Stage: e.Stage,
		RouteKey: e.RouteKey, ConnectionID: e.ConnectionID, RequestID: e.RequestID,
		Method: e.Method, Path: e.Path, Status: e.Status,
		LatencyMs: ms(e.Latency), IntegrationLatencyMs: ms(e.IntegrationLatency),
	}
}

// Detail is the whole of e.
func (e *Entry) Detail() DetailJSON {
	d := DetailJSON{SummaryJSON: e.Summary(), Request: messageJSON(e.Request), Response: messageJSON(e.Response),
		CloseCode: e.CloseCode, CloseReason: e.CloseReason, ReplayOf: e.ReplayOf}
	if in := e.Integration; in != nil {
		d.Integration = &IntegrationJSON{Type: in.Type, URI: in.URI, Request: messageJSON(in.Request),
			Response: messageJSON(in.Response), Error: in.Error}
	}
	if a := e.Authorizer; a != nil {
		d.Authorizer = &AuthorizerJSON{Type: a.Type, Name: a.Name, Allowed: a.Allowed, Context: a.Context,
			Cached: a.Cached, Error: a.Error}
	}
	for _, f := range e.Frames {
		body, b64 := bodyString(f.Body)
		d.Frames = append(d.Frames, FrameJSON{Direction: f.Direction, Body: body, Time: timeString(f.Time),
			BodyBase64: b64, Truncated: f.Truncated})
	}
	for _, t := range e.Templates {
		d.Templates = append(d.Templates, TemplateJSON{Name: t.Name, Output: string(t.Output), Truncated: t.Truncated})
	}
	return d
}

func messageJSON(m *Message) *MessageJSON {
	if m == nil {
		return nil
	}
	body, b64 := bodyString(m.Body)
	h := m.Headers
	if m.Host != "" {
		h = h.Clone()
		if h == nil {
			h = http.Header{}
		}
		h["Host"] = []string{m.Host}
	}
	return &MessageJSON{Method: m.Method, Path: m.Path, Query: m.Query, URI: m.URI, Status: m.Status,
		Headers: h, Body: body, BodyBase64: b64, Truncated: m.Truncated}
}

// bodyString is a body as JSON carries it: the text, or base64.
func bodyString(b []byte) (string, bool) {
	if utf8.Valid(b) {
		return string(b), false
	}
	return base64.StdEncoding.EncodeToString(b), true
}

// DecodeBody is the bytes of a body in the JSON form.
func DecodeBody(body string, b64 bool) ([]byte, error) {
	if !b64 {
		return []byte(body), nil
	}
	return base64.StdEncoding.DecodeString(body)
}

func timeString(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// ms is a duration in milliseconds, to the microsecond.
func ms(d time.Duration) float64 {
	return float64(d.Microseconds()) / 1000
}
