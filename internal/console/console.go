// Package console serves Portico's web console: plain HTML, CSS and
// JavaScript modules embedded in the binary (no build step, nothing from a
// CDN), at /_portico/ with its files under /_portico/console/. The pages
// call the control-plane API (/v2/...) and the operations endpoints as any
// client does; the console adds only what those do not answer: the
// default account and region, the accounts and regions that hold state,
// and a deployment's snapshot for the diff of two deployments.
//
// Every answer carries a strict Content-Security-Policy (scripts and
// styles from Portico's origin only, nothing inline, no framing) and
// X-Frame-Options: DENY: a hostile page can neither run code in the
// console nor frame it to trick a click. What stops a hostile page from
// calling Portico itself is server/guard.go, in front of this handler.
package console

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"encoding/json"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"

	"github.com/portico-dev/portico/internal/awsproto"
	"github.com/portico-dev/portico/internal/store"
)

const (
	// Root is the console's page.
	Root = "/_portico/"
	// Prefix is where its files and its own JSON answers live.
	Prefix = "/_portico/console/"

	apiPrefix = Prefix + "api/"
)

// CSP is the policy of every answer: only Portico's own scripts, styles
// and fetches, nothing inline, no plugins, no framing, no form posts.
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

//go:embed web
var web embed.FS

// Config is what the console needs of the rest of Portico.
type Config struct {
	// Defaults are the account and region of requests that name none.
	Defaults awsproto.Identity
	// Version is Portico's version, shown in the page.
	Version string
	// Snapshot returns what a deployment of an API froze (deploymentID
	// "": the live configuration), as JSON-encodable data, for the
	// identity in ctx; errors are the control plane's (*awsproto.Error).
	Snapshot func(ctx context.Context, apiID, deploymentID string) (any, error)
	// Scopes returns the accounts and regions that hold state, sorted,
	// without the store's internal ones.
	Scopes func(ctx context.Context) ([]store.Scope, error)
}

// Handler serves the console.
type Handler struct {
	cfg   Config
	files map[string]file // by path under web/
}

type file struct {
	body        []byte
	contentType string
	etag        string
}

// New reads the embedded files once.
func New(cfg Config) *Handler {
	h := &Handler{cfg: cfg, files: map[string]file{}}
	err := fs.WalkDir(web, "web", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := web.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		ct := mime.TypeByExtension(path.Ext(p))
		switch path.Ext(p) {
		case ".js":
			// Modules must be served as JavaScript; the machine's MIME
			// table must not decide it.
			ct = "text/javascript; charset=utf-8"
		case ".css":
			ct = "text/css; charset=utf-8"
		case ".html":
			ct = "text/html; charset=utf-8"
		}
		h.files[strings.TrimPrefix(p, "web/")] = file{body: b, contentType: ct,
			etag: `"` + base64.RawURLEncoding.EncodeToString(sum[:12]) + `"`}
		return nil
	})
	if err != nil {
		panic("console: reading the embedded files: " + err.Error()) // a broken build
	}
	return h
}

// Handles reports whether path is the console's.
func Handles(path string) bool {
	return path == Root || strings.HasPrefix(path, Prefix)
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("Content-Security-Policy", CSP)
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("Cross-Origin-Opener-Policy", "same-origin")
	hd.Set("Cross-Origin-Resource-Policy", "same-origin")
	if err := h.serve(w, r); err != nil {
		awsproto.WriteError(w, err)
	}
}

func (h *Handler) serve(w http.ResponseWriter, r *http.Request) error {
	p := r.URL.EscapedPath()
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return &awsproto.Error{Type: "MethodNotAllowedException", Code: http.StatusMethodNotAllowed,
			Message: "The " + r.Method + " method is not allowed on " + p}
	}
	switch {
	case p == Root:
		return h.file(w, r, "index.html")
	case p == apiPrefix+"config":
		return h.config(w)
	case p == apiPrefix+"snapshot":
		return h.snapshot(w, r)
	case p == apiPrefix+"scopes":
		return h.scopes(w, r)
	case strings.HasPrefix(p, apiPrefix):
		return awsproto.NotFound("No console endpoint at %s", awsproto.Echo(p))
	}
	return h.file(w, r, strings.TrimPrefix(p, Prefix))
}

// file answers one embedded file, revalidated on every load (Cache-Control:
// no-cache with an ETag), so a new binary's pages are never mixed with an
// old one's modules.
func (h *Handler) file(w http.ResponseWriter, r *http.Request, name string) error {
	f, ok := h.files[name]
	if !ok || name == "index.html" && r.URL.EscapedPath() != Root {
		return awsproto.NotFound("No console file at %s", awsproto.Echo(r.URL.EscapedPath()))
	}
	hd := w.Header()
	hd.Set("Content-Type", f.contentType)
	hd.Set("Cache-Control", "no-cache")
	hd.Set("ETag", f.etag)
	if r.Header.Get("If-None-Match") == f.etag {
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	if r.Method == http.MethodHead {
		return nil
	}
	w.Write(f.body)
	return nil
}

func (h *Handler) config(w http.ResponseWriter) error {
	return writeJSON(w, map[string]any{
		"account": h.cfg.Defaults.Account,
		"region":  h.cfg.Defaults.Region,
		"version": h.cfg.Version,
	})
}

// snapshot answers GET .../api/snapshot?api=ID&deployment=ID, as the
// account and region of the request's credential scope, like the
// control plane.
func (h *Handler) snapshot(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	api := q.Get("api")
	if api == "" {
		return awsproto.BadRequest("The api parameter is required: GET %sapi/snapshot?api=ID&deployment=ID", Prefix)
	}
	if h.cfg.Snapshot == nil {
		return awsproto.NotFound("Deployment snapshots are not available")
	}
	ctx := awsproto.WithIdentity(r.Context(), awsproto.IdentityOf(r, h.cfg.Defaults))
	snap, err := h.cfg.Snapshot(ctx, api, q.Get("deployment"))
	if err != nil {
		return err
	}
	return writeJSON(w, snap)
}

type scopeJSON struct {
	Account string `json:"account"`
	Region  string `json:"region"`
}

// scopes answers GET .../api/scopes: {"scopes": [{"account", "region"}]},
// the accounts and regions that hold state, so that the console lists and
// offers exactly those instead of asking every region of every account it
// knows of.
func (h *Handler) scopes(w http.ResponseWriter, r *http.Request) error {
	if h.cfg.Scopes == nil {
		return awsproto.NotFound("The accounts and regions in use are not available")
	}
	list, err := h.cfg.Scopes(r.Context())
	if err != nil {
		return err
	}
	out := make([]scopeJSON, len(list))
	for i, sc := range list {
		out[i] = scopeJSON{sc.Account, sc.Region}
	}
	return writeJSON(w, map[string]any{"scopes": out})
}

func writeJSON(w http.ResponseWriter, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return awsproto.Internal(err)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(b)
	return nil
}
