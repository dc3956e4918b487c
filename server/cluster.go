package server

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/portico-dev/portico/internal/cluster"
	"github.com/portico-dev/portico/internal/dataplane/websocket"
)

// Several nodes on one shared store (docs/cluster.md): with an advertise
// URL, the node joins the store's connection directory, so that every node
// answers @connections for the connections any node holds.

// joinCluster joins the directory when the configuration asks for it.
func (s *Server) joinCluster() error {
	if s.cfg.AdvertiseURL == "" {
		if s.cfg.ClusterSecret != "" {
			return errors.New("--cluster-secret needs --advertise-url: the URL the other nodes reach this one on")
		}
		return nil
	}
	u, err := url.Parse(s.cfg.AdvertiseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") {
		return errors.New("--advertise-url: want http://host:port, the address the other nodes reach this one on")
	}
	if s.StoreKind != StorePostgres {
		// No other node can open this node's store: there would be no
		// one to forward to, and connections would look shared when
		// they are not.
		return errors.New("--advertise-url needs a store the nodes share: --store postgres://...")
	}
	if len(s.cfg.ClusterSecret) < 16 {
		return errors.New("--advertise-url needs --cluster-secret, of at least 16 characters, the same on every node")
	}
	n, err := cluster.Join(cluster.Config{
		Store:  s.store,
		URL:    s.cfg.AdvertiseURL,
		Secret: s.cfg.ClusterSecret,
		Lease:  s.cfg.ClusterLease,
		Live: func() []cluster.Conn {
			p := s.livePlane.Load()
			if p == nil {
				return nil
			}
			var out []cluster.Conn
			for _, c := range p.OpenConnections() {
				out = append(out, cluster.Conn{ID: c.ID, Key: c.Key})
			}
			return out
		},
		Logger: s.cfg.Logger,
	})
	if err != nil {
		return err
	}
	s.node = n
	s.cfg.Logger.Info("portico joined the cluster", "node", n.ID(), "advertise", s.cfg.AdvertiseURL)
	return nil
}

// directory is the data plane's view of the cluster (nil: one node).
func (s *Server) directory() websocket.Directory {
	if s.node == nil {
		return nil
	}
	return s.node
}

// serveCluster answers another node's forwarded @connections call, and
// reports whether r was one.
func (f *front) serveCluster(w http.ResponseWriter, r *http.Request, path string) bool {
	if f.node == nil || !strings.HasPrefix(path, cluster.InboundPath) {
		return false
	}
	k, id, ok := f.node.Inbound(w, r)
	if ok {
		f.plane.ServeForwarded(w, r, k, id)
	}
	return true
}
