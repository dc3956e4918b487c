package server

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/portico-dev/portico/internal/datadir"
	"github.com/portico-dev/portico/internal/store"
	"github.com/portico-dev/portico/internal/store/memory"
	"github.com/portico-dev/portico/internal/store/postgres"
	"github.com/portico-dev/portico/internal/store/sqlite"
)

// Store kinds, as /_portico/health reports them.
const (
	StoreMemory   = "memory"
	StoreSQLite   = "sqlite"
	StorePostgres = "postgres"
)

// storeSpec is the store Config asks for.
type storeSpec struct {
	kind string // StoreMemory, StoreSQLite or StorePostgres
	path string // StoreSQLite: the database file, absolute
	url  string // StorePostgres: the URL as given, for pgx
}

// where is the spec for logs and errors: a PostgreSQL URL loses its
// password.
func (sp storeSpec) where() string {
	switch sp.kind {
	case StoreSQLite:
		return sp.path
	case StorePostgres:
		if u, err := url.Parse(sp.url); err == nil {
			return u.Redacted()
		}
		return "postgres://..."
	}
	return "in memory"
}

const storeForms = "memory:, sqlite:///absolute/path/portico.db, or postgres://user:password@host:5432/db?sslmode=disable"

// parseStore reads Config.Store; without one the store is the data
// directory's SQLite file, or memory with InMemory.
func parseStore(cfg Config) (storeSpec, error) {
	s := cfg.Store
	switch {
	case s == "" && cfg.InMemory:
		return storeSpec{kind: StoreMemory}, nil
	case s == "":
		path, err := filepath.Abs(filepath.Join(cfg.DataDir, DatabaseFile))
		return storeSpec{kind: StoreSQLite, path: path}, err
	case s == "memory:":
		return storeSpec{kind: StoreMemory}, nil
	}
	scheme, _, ok := strings.Cut(s, ":")
	if !ok {
		scheme = ""
	}
	var spec storeSpec
	switch scheme {
	case "sqlite":
		u, err := url.Parse(s)
		// sqlite:///abs/path: an empty host, then the path. (sqlite://x/y
		// would quietly make x a host, and sqlite:rel a relative path
		// that depends on where Portico was started.)
		if err != nil || u.Host != "" || u.Opaque != "" || !strings.HasPrefix(u.Path, "/") || u.RawQuery != "" {
			return storeSpec{}, fmt.Errorf("--store %q: an SQLite store is sqlite:// and the database file's absolute path, as sqlite:///var/lib/portico/portico.db", s)
		}
		spec = storeSpec{kind: StoreSQLite, path: filepath.Clean(filepath.FromSlash(u.Path))}
	case "postgres", "postgresql":
		spec = storeSpec{kind: StorePostgres, url: s}
	default:
		// Not echoed: it may be a mistyped URL with a password in it.
		return storeSpec{}, fmt.Errorf("--store: unknown kind of store %q: want %s", scheme, storeForms)
	}
	if cfg.InMemory {
		return storeSpec{}, fmt.Errorf("--in-memory and --store %s contradict each other: choose one", spec.where())
	}
	return spec, nil
}

// openStore opens the store spec names. An SQLite database's directory
// is locked first, as the data directory is (see Start): two Porticos
// writing one database would each serve stages the other changed behind
// its back. lock is nil when there is nothing more to lock.
func openStore(cfg Config, spec storeSpec) (st store.Store, lock *datadir.Held, err error) {
	switch spec.kind {
	case StoreMemory:
		return memory.New(), nil, nil
	case StorePostgres:
		// Bounds the connecting and the migration, not the store's life.
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		st, err := postgres.Open(ctx, spec.url)
		return st, nil, err
	}
	dir := filepath.Dir(spec.path)
	if !sameDir(dir, cfg.DataDir) { // the data directory is locked already
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, nil, err
		}
		if lock, err = datadir.Lock(dir); err != nil {
			return nil, nil, err
		}
	}
	st, err = sqlite.OpenWith(spec.path, sqlite.Options{Logger: cfg.Logger})
	if err != nil {
		lock.Close()
		return nil, nil, err
	}
	return st, lock, nil
}

func sameDir(a, b string) bool {
	fa, errA := os.Stat(a)
	fb, errB := os.Stat(b)
	return errors.Join(errA, errB) == nil && os.SameFile(fa, fb)
}

// SQLiteFile is the database file a configuration's store is on, for
// `portico backup`; an error for a store that is not SQLite.
func SQLiteFile(cfg Config) (string, error) {
	spec, err := parseStore(cfg)
	if err != nil {
		return "", err
	}
	switch spec.kind {
	case StoreSQLite:
		return spec.path, nil
	case StorePostgres:
		return "", errors.New("the store is PostgreSQL: back it up with PostgreSQL's own tools (pg_dump)")
	}
	return "", errors.New("the store is in memory: there is nothing on disk to copy")
}
