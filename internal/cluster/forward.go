package cluster

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/portico-dev/portico/internal/dataplane/gateway"
	"github.com/portico-dev/portico/internal/store"
)

// Node-to-node requests: a management call for a connection another node
// holds is sent to that node's InboundPath with the cluster secret and the
// stage the caller addressed; the owner serves it as if it had been made
// to it, and its answer is copied back as it is.
const (
	// InboundPath + the escaped connection id.
	InboundPath  = "/_portico/cluster/connections/"
	secretHeader = "X-Portico-Cluster-Secret"
	stageHeader  = "X-Portico-Cluster-Stage"
	// maxAnswer bounds what is read of an owner's answer (GetConnection's
	// document is small; error bodies are smaller).
	maxAnswer = 64 << 10
	// forwardTimeout bounds a forwarded call.
	forwardTimeout = 10 * time.Second
)

func newClient() *http.Client {
	return &http.Client{
		Timeout: forwardTimeout,
		// A node's answer is final: a redirect is never followed.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Transport: &http.Transport{
			DialContext:         (&net.Dialer{Timeout: 3 * time.Second}).DialContext,
			MaxIdleConnsPerHost: 32,
			IdleConnTimeout:     90 * time.Second,
		},
	}
}

// Forward serves a management call (method, with body) for connection id
// of stage k on the live node that holds it, and reports whether one
// does. A connection held by no live node, or by this one (it has
// closed), or of another stage, is not forwarded: the caller answers 410.
// An owner that cannot be reached is answered 410 too: its sockets are as
// good as gone.
func (n *Node) Forward(w http.ResponseWriter, r *http.Request, k gateway.StageKey, id string, body []byte) bool {
	o, ok := n.lookup(r.Context(), id)
	if !ok || o.node == n.id || o.key != k {
		return false
	}
	ctx, cancel := context.WithTimeout(r.Context(), forwardTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, r.Method, strings.TrimSuffix(o.url, "/")+InboundPath+url.PathEscape(id), bytes.NewReader(body))
	if err != nil {
		n.log.Warn("cluster: bad owner URL", "node", o.node, "url", o.url, "err", err)
		return false
	}
	stage, _ := json.Marshal(connDoc{Account: k.Scope.Account, Region: k.Scope.Region, API: k.APIID, Stage: k.Stage})
	req.Header.Set(secretHeader, n.cfg.Secret)
	req.Header.Set(stageHeader, string(stage))
	if ct := r.Header.Get("Content-Type"); ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	resp, err := n.client.Do(req)
	if err != nil {
		n.log.Warn("cluster: the node holding a connection cannot be reached", "node", o.node, "url", o.url, "connectionId", id, "err", err)
		return false
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		n.log.Warn("cluster: reading a node's answer failed", "node", o.node, "err", err)
		return false
	}
	if v := resp.Header.Get("Content-Type"); v != "" {
		w.Header().Set("Content-Type", v)
	}
	if v := resp.Header.Get("x-amzn-ErrorType"); v != "" {
		w.Header()["x-amzn-ErrorType"] = []string{v} // in AWS's case, as the engine writes it
	}
	w.WriteHeader(resp.StatusCode)
	w.Write(answer)
	return true
}

// Inbound checks a node-to-node request and returns the stage and
// connection id it addresses. ok is false (and the request answered 403)
// without the cluster secret, or from a browser.
func (n *Node) Inbound(w http.ResponseWriter, r *http.Request) (k gateway.StageKey, id string, ok bool) {
	got := r.Header.Get(secretHeader)
	if r.Header.Get("Origin") != "" || subtle.ConstantTimeCompare([]byte(got), []byte(n.cfg.Secret)) != 1 {
		gateway.Write(w, &gateway.Error{Status: http.StatusForbidden, Message: "Forbidden", Type: "ForbiddenException"})
		return k, "", false
	}
	var d connDoc
	esc := strings.TrimPrefix(r.URL.EscapedPath(), InboundPath)
	id, err := url.PathUnescape(esc)
	if err != nil || id == "" || json.Unmarshal([]byte(r.Header.Get(stageHeader)), &d) != nil {
		gateway.Write(w, &gateway.Error{Status: http.StatusBadRequest, Message: "Bad Request", Type: "BadRequestException"})
		return k, "", false
	}
	return gateway.StageKey{Scope: store.Scope{Account: d.Account, Region: d.Region}, APIID: d.API, Stage: d.Stage}, id, true
}
