// Package cluster lets several Portico nodes on one shared store (a
// PostgreSQL database) act as one gateway for WebSocket APIs: a
// connection lives on the node that holds its socket, and a directory in
// the store says which node that is, so that any node can answer the
// @connections management API by forwarding the call to the owner
// (docs/cluster.md).
//
// The directory is two kinds of records in a scope of their own:
//
//   - a node (kind "clusternode", id the node's random id) with the URL
//     other nodes reach it on and a lease that the node renews;
//   - a connection (kind "clusterconn", id the connection id) as a child
//     of its node, holding the API and stage it belongs to.
//
// A node that dies stops renewing its lease: once the lease has expired
// its connections are gone (410 on every node), and the first live node
// to renew deletes its record, which deletes its connections with it.
// Nobody runs a dead node's $disconnect: there is no socket left to have
// disconnected, and AWS does not promise one either.
package cluster

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/portico-dev/portico/internal/dataplane/gateway"
	"github.com/portico-dev/portico/internal/store"
)

const (
	kindNode store.Kind = "clusternode"
	kindConn store.Kind = "clusterconn"
)

// dirScope holds the directory. Its account is not 12 digits, so no AWS
// account can ever name it.
var dirScope = store.Scope{Account: "portico-cluster", Region: "-"}

// DefaultLease is how long a node's lease lasts without renewal.
const DefaultLease = 15 * time.Second

// Config configures a node.
type Config struct {
	Store store.Store
	// URL is where the other nodes reach this one (--advertise-url).
	URL string
	// Secret authenticates every node-to-node request (--cluster-secret).
	Secret string
	// Lease is how long the node's lease lasts; it is renewed every third
	// of it. Default DefaultLease.
	Lease time.Duration
	// Live returns the connections open on this node, to register them
	// again when the directory lost them (a reset of the store).
	Live   func() []Conn
	Client *http.Client
	Logger *slog.Logger
	// Now is the clock leases are read on (default time.Now; tests).
	Now func() time.Time
}

// Conn is one connection of the directory.
type Conn struct {
	ID  string
	Key gateway.StageKey
}

// Node is this process's membership of the cluster.
type Node struct {
	cfg    Config
	id     string
	client *http.Client
	log    *slog.Logger
	stop   chan struct{}
	done   chan struct{}
	once   sync.Once
	now    func() time.Time
}

type nodeDoc struct {
	URL string `json:"url"`
	// Expires is the lease's end, in Unix milliseconds.
	Expires int64 `json:"expires"`
}

type connDoc struct {
	Account string `json:"account"`
	Region  string `json:"region"`
	API     string `json:"api"`
	Stage   string `json:"stage"`
}

// Join registers the node in the directory and keeps its lease until
// Close.
func Join(cfg Config) (*Node, error) {
	if cfg.URL == "" || cfg.Secret == "" {
		return nil, errors.New("cluster: a node needs its advertise URL and the cluster secret")
	}
	if cfg.Lease <= 0 {
		cfg.Lease = DefaultLease
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Live == nil {
		cfg.Live = func() []Conn { return nil }
	}
	var b [8]byte
	rand.Read(b[:])
	n := &Node{cfg: cfg, id: hex.EncodeToString(b[:]), client: cfg.Client, log: cfg.Logger,
		stop: make(chan struct{}), done: make(chan struct{}), now: cfg.Now}
	if n.client == nil {
		n.client = newClient()
	}
	if err := n.renew(context.Background()); err != nil {
		return nil, fmt.Errorf("cluster: register node: %w", err)
	}
	go n.loop()
	return n, nil
}

// ID is the node's id.
func (n *Node) ID() string { return n.id }

func (n *Node) loop() {
	defer close(n.done)
	t := time.NewTicker(n.cfg.Lease / 3)
	defer t.Stop()
	for {
		select {
		case <-n.stop:
			return
		case <-t.C:
			ctx, cancel := context.WithTimeout(context.Background(), n.cfg.Lease/3)
			if err := n.renew(ctx); err != nil {
				n.log.Warn("cluster: lease renewal failed", "node", n.id, "err", err)
			}
			cancel()
		}
	}
}

// renew extends the node's lease (registering it again, with its live
// connections, if the directory lost it) and deletes the nodes whose
// lease has expired, with their connections.
func (n *Node) renew(ctx context.Context) error {
	now := n.now()
	doc := nodeDoc{URL: n.cfg.URL, Expires: now.Add(n.cfg.Lease).UnixMilli()}
	data, _ := json.Marshal(doc)
	return n.cfg.Store.Update(ctx, dirScope, func(tx store.Tx) error {
		rec := store.Record{Kind: kindNode, ID: n.id, Data: data}
		err := tx.Replace(rec)
		if errors.Is(err, store.ErrNotFound) {
			if err = tx.Insert(rec); err == nil {
				err = n.registerLive(tx)
			}
		}
		if err != nil {
			return err
		}
		nodes, err := tx.List(kindNode, store.Ref{}, "", 0)
		if err != nil {
			return err
		}
		for _, r := range nodes {
			var d nodeDoc
			if json.Unmarshal(r.Data, &d) != nil || d.Expires < now.UnixMilli() {
				if err := tx.Delete(kindNode, r.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
					return err
				}
				n.log.Info("cluster: node's lease expired; its connections are gone", "node", r.ID, "url", d.URL)
			}
		}
		return nil
	})
}

func (n *Node) registerLive(tx store.Tx) error {
	for _, c := range n.cfg.Live() {
		if err := tx.Insert(n.connRecord(c.ID, c.Key)); err != nil && !errors.Is(err, store.ErrConflict) {
			return err
		}
	}
	return nil
}

func (n *Node) connRecord(id string, k gateway.StageKey) store.Record {
	data, _ := json.Marshal(connDoc{Account: k.Scope.Account, Region: k.Scope.Region, API: k.APIID, Stage: k.Stage})
	return store.Record{Kind: kindConn, ID: id, Parent: store.Ref{Kind: kindNode, ID: n.id}, Data: data}
}

// Claim records that this node holds connection id, of stage k. An id
// some node already holds is store.ErrConflict: the caller draws another,
// which is what makes connection ids unique across nodes. (Should the
// directory have lost this node, a reset, the record waits for the next
// renewal to register the node again.)
func (n *Node) Claim(ctx context.Context, id string, k gateway.StageKey) error {
	return n.cfg.Store.Update(ctx, dirScope, func(tx store.Tx) error {
		return tx.Insert(n.connRecord(id, k))
	})
}

// Release forgets connection id (it closed). Errors are logged: the
// record goes anyway when the node's lease ends.
func (n *Node) Release(id string) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := n.cfg.Store.Update(ctx, dirScope, func(tx store.Tx) error {
		err := tx.Delete(kindConn, id)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		return err
	})
	if err != nil {
		n.log.Warn("cluster: releasing a connection failed", "connectionId", id, "err", err)
	}
}

// owner is where a connection lives.
type owner struct {
	node string
	url  string
	key  gateway.StageKey
}

// lookup finds the live node that holds connection id.
func (n *Node) lookup(ctx context.Context, id string) (owner, bool) {
	var o owner
	found := false
	err := n.cfg.Store.View(ctx, dirScope, func(tx store.Tx) error {
		c, err := tx.Get(kindConn, id)
		if err != nil {
			return err
		}
		nr, err := tx.Get(kindNode, c.Parent.ID)
		if err != nil {
			return err
		}
		var cd connDoc
		var nd nodeDoc
		if json.Unmarshal(c.Data, &cd) != nil || json.Unmarshal(nr.Data, &nd) != nil {
			return nil
		}
		if nd.Expires < n.now().UnixMilli() {
			return nil // a dead node's: gone
		}
		o = owner{node: nr.ID, url: nd.URL, key: gateway.StageKey{
			Scope: store.Scope{Account: cd.Account, Region: cd.Region}, APIID: cd.API, Stage: cd.Stage}}
		found = true
		return nil
	})
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		n.log.Warn("cluster: connection lookup failed", "connectionId", id, "err", err)
	}
	return o, found && err == nil
}

// Locate returns the stage of a connection another live node holds.
func (n *Node) Locate(ctx context.Context, id string) (gateway.StageKey, bool) {
	o, ok := n.lookup(ctx, id)
	if !ok || o.node == n.id {
		return gateway.StageKey{}, false
	}
	return o.key, true
}

// Close ends the lease at once: the node's connections (closed by the
// shutdown that calls Close) leave the directory with it.
func (n *Node) Close() error {
	var err error
	n.once.Do(func() {
		close(n.stop)
		<-n.done
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		err = n.cfg.Store.Update(ctx, dirScope, func(tx store.Tx) error {
			if err := tx.Delete(kindNode, n.id); err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
			return nil
		})
	})
	return err
}
