package websocket

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/portico-dev/portico/internal/awsproto"

	"github.com/portico-dev/portico/internal/dataplane/gateway"
	"github.com/portico-dev/portico/internal/inspect"
)

// The @connections management API (ApiGatewayManagementApi): POST sends
// data to a connection, GET describes it, DELETE closes it. It is served on
// the API's own host and stage, as on AWS
// (docs/aws-behaviours.md#connections-api).

// maxPostData is PostToConnection's limit on Data.
const maxPostData = 128 << 10

// registry holds the open connections of every API.
type registry struct {
	mu    sync.RWMutex
	conns map[string]*conn
	wg    sync.WaitGroup // connections still running, $disconnect included
}

func newRegistry() *registry { return &registry{conns: map[string]*conn{}} }

func (r *registry) add(c *conn) {
	r.mu.Lock()
	r.conns[c.id] = c
	r.mu.Unlock()
}

func (r *registry) remove(c *conn) {
	r.mu.Lock()
	if r.conns[c.id] == c {
		delete(r.conns, c.id)
	}
	r.mu.Unlock()
}

// get returns an open connection of the stage, or nil.
func (r *registry) get(k gateway.StageKey, id string) *conn {
	r.mu.RLock()
	c := r.conns[id]
	r.mu.RUnlock()
	if c == nil || c.key != k || c.isClosing() {
		return nil
	}
	return c
}

// keyOf is the stage of an open connection.
func (r *registry) keyOf(id string) (gateway.StageKey, bool) {
	r.mu.RLock()
	c := r.conns[id]
	r.mu.RUnlock()
	if c == nil {
		return gateway.StageKey{}, false
	}
	return c.key, true
}

// closeAll closes every connection and waits for their $disconnect runs.
func (r *registry) closeAll(ctx context.Context, code int, reason string) {
	r.mu.RLock()
	all := make([]*conn, 0, len(r.conns))
	for _, c := range r.conns {
		all = append(all, c)
	}
	r.mu.RUnlock()
	for _, c := range all {
		c.close(code, reason)
	}
	done := make(chan struct{})
	go func() { r.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
	}
}

// newConnectionID is an id in AWS's form: 16 characters of URL-safe base64
// with one "=" (11 random bytes), like "VNRUSeldSwMCIRQ=".
func newConnectionID() string {
	var b [11]byte
	rand.Read(b[:])
	return base64.URLEncoding.EncodeToString(b[:])
}

// connectionsPath matches "@connections/{id}" and decodes the id (clients
// URL-encode it: "R0oXAdfD0kwCH6w%3D").
func connectionsPath(rest string) (string, bool) {
	id, ok := strings.CutPrefix(rest, "@connections/")
	if !ok {
		// AWS's own example encodes the @ too.
		if id, ok = strings.CutPrefix(rest, "%40connections/"); !ok {
			return "", false
		}
	}
	dec, err := url.PathUnescape(id)
	if err != nil || dec == "" || strings.Contains(dec, "/") {
		return "", false
	}
	return dec, true
}

// serveConnections serves PostToConnection, GetConnection and
// DeleteConnection. A call signed as another account than the API's is
// refused first (403), whatever the id, as IAM decides before API Gateway
// looks the connection up; unsigned calls and keys that are not account
// ids ("test") are served, for local development. An unknown, closing or
// not yet connected id is 410 GoneException; the SDKs take the type from
// the header (AWS's 410 body is empty).
//
// A connection another node holds is served there (forward; see
// internal/cluster).
func (p *Engine) serveConnections(w http.ResponseWriter, r *http.Request, k gateway.StageKey, id string, forward bool) {
	var ent *inspect.Entry
	if rec := p.cfg.Recorder; rec != nil && (r.Method == http.MethodPost || r.Method == http.MethodDelete) {
		kind := inspect.KindPost
		if r.Method == http.MethodDelete {
			kind = inspect.KindDelete
		}
		ent = rec.Start(r.Context(), kind, time.Now())
		ent.Account, ent.Region, ent.APIID, ent.Stage, ent.ConnectionID = k.Scope.Account, k.Scope.Region, k.APIID, k.Stage, id
		if ent.APIID == "-" {
			ent.APIID = "" // no open connection has this id
		}
		ent.Method, ent.Path = r.Method, r.URL.EscapedPath()
		if ent.Capturing() {
			h := ent.HeaderClone(r.Header)
			h.Set("Host", r.Host)
			ent.Request = &inspect.Message{Method: r.Method, Path: ent.Path, Query: r.URL.RawQuery, Headers: h}
		}
		sw := &statusWriter{ResponseWriter: w}
		w = sw
		defer func() {
			if sw.status != 0 { // 0: forwarded; the node that holds it records it
				p.finishEntry(ent, sw.status)
			}
		}()
	}
	if acct, ok := awsproto.SignedAccount(r); ok && acct != k.Scope.Account {
		io.Copy(io.Discard, io.LimitReader(r.Body, maxPostData+1))
		awsproto.WriteError(w, &awsproto.Error{Type: "ForbiddenException", Code: http.StatusForbidden,
			Message: notAuthorized(acct, k, r.Method, id)})
		return
	}
	c := p.conns.get(k, id)
	if c == nil && (!forward || p.cfg.Directory == nil || k.APIID == "-") {
		// Read a POST's body anyway so keep-alive connections stay usable.
		io.Copy(io.Discard, io.LimitReader(r.Body, maxPostData+1))
		mgmtError(w, http.StatusGone, "GoneException", "")
		return
	}
	var data []byte
	if r.Method == http.MethodPost {
		var err error
		data, err = io.ReadAll(io.LimitReader(r.Body, maxPostData+1))
		if err != nil {
			mgmtError(w, http.StatusBadRequest, "BadRequestException", "Could not read the request body")
			return
		}
		if len(data) > maxPostData {
			mgmtError(w, http.StatusRequestEntityTooLarge, "PayloadTooLargeException", "Request Entity Too Large")
			return
		}
	}
	if ent.Capturing() && ent.Request != nil {
		ent.SetBody(ent.Request, data)
	}
	if c == nil {
		// A call forwarded to the node that holds the connection is
		// recorded there, not here.
		fw := w
		if sw, ok := w.(*statusWriter); ok {
			fw = sw.ResponseWriter
		}
		if !p.cfg.Directory.Forward(fw, r, k, id, data) {
			mgmtError(w, http.StatusGone, "GoneException", "")
		}
		return
	}
	switch r.Method {
	case http.MethodPost:
		if err := c.send(data); err != nil {
			mgmtError(w, http.StatusGone, "GoneException", "")
			return
		}
		ent.AddFrame("out", data)
		w.WriteHeader(http.StatusOK)
	case http.MethodGet:
		body, _ := json.Marshal(struct {
			ConnectedAt  string   `json:"connectedAt"`
			Identity     identity `json:"identity"`
			LastActiveAt string   `json:"lastActiveAt"`
		}{isoMillis(c.connectedAt), c.identity, isoMillis(c.lastActive())})
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	case http.MethodDelete:
		c.close(closeNormal, "")
		w.WriteHeader(http.StatusNoContent)
	default:
		mgmtError(w, http.StatusMethodNotAllowed, "MethodNotAllowedException", "Method Not Allowed")
	}
}

// notAuthorized is IAM's refusal of execute-api:ManageConnections, which
// is what AWS answers a caller from another account: no identity policy of
// theirs can grant access to an API they do not own
// (docs/aws-behaviours.md#connections-api). The text is the one AWS sends
// for this action [V] (aws/aws-cdk#18410,
// aws-solutions/innovation-sandbox-on-aws#59), with the API owner's
// account masked to its last four digits as AWS masks it [V] (also
// ASFHyP3/hyp3#2283). [I]: the caller's ARN: a 12-digit access key id names
// only an account, so the caller is that account's root user.
func notAuthorized(caller string, k gateway.StageKey, method, id string) string {
	owner := k.Scope.Account
	if len(owner) > 4 {
		owner = strings.Repeat("*", len(owner)-4) + owner[len(owner)-4:]
	}
	return "User: arn:aws:iam::" + caller + ":root is not authorized to perform: execute-api:ManageConnections on resource: " +
		"arn:aws:execute-api:" + k.Scope.Region + ":" + owner + ":" + k.APIID + "/" + k.Stage + "/" + method + "/@connections/" + id
}

func mgmtError(w http.ResponseWriter, status int, typ, msg string) {
	w.Header()["x-amzn-ErrorType"] = []string{typ}
	if msg == "" {
		w.WriteHeader(status)
		return
	}
	gateway.Write(w, &gateway.Error{Status: status, Message: msg, Type: typ})
}

// identity is what API Gateway knows of the client.
type identity struct {
	SourceIP  string `json:"sourceIp"`
	UserAgent string `json:"userAgent"`
}

func isoMillis(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }
