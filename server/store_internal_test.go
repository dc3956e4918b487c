package server

import (
	"strings"
	"testing"
)

func TestParseStore(t *testing.T) {
	for _, c := range []struct {
		cfg        Config
		kind, path string
		url        string
	}{
		{cfg: Config{DataDir: "/data"}, kind: StoreSQLite, path: "/data/" + DatabaseFile},
		{cfg: Config{InMemory: true}, kind: StoreMemory},
		{cfg: Config{Store: "memory:"}, kind: StoreMemory},
		{cfg: Config{Store: "memory:", InMemory: true}, kind: StoreMemory},
		{cfg: Config{Store: "sqlite:///var/lib/portico/state.db"}, kind: StoreSQLite, path: "/var/lib/portico/state.db"},
		{cfg: Config{Store: "sqlite:///a/../b/x.db"}, kind: StoreSQLite, path: "/b/x.db"},
		{cfg: Config{Store: "postgres://u:p@db:5432/portico?sslmode=disable"}, kind: StorePostgres, url: "postgres://u:p@db:5432/portico?sslmode=disable"},
		{cfg: Config{Store: "postgresql://db/portico?pool_max_conns=4"}, kind: StorePostgres, url: "postgresql://db/portico?pool_max_conns=4"},
	} {
		got, err := parseStore(c.cfg)
		if err != nil || got.kind != c.kind || got.path != c.path || got.url != c.url {
			t.Errorf("%+v: %+v, %v; want %s %q %q", c.cfg, got, err, c.kind, c.path, c.url)
		}
	}
}

func TestParseStoreErrors(t *testing.T) {
	for _, c := range []struct {
		cfg  Config
		want string
	}{
		{Config{Store: "mysql://u:secret@db/x"}, `unknown kind of store "mysql"`},
		{Config{Store: "/var/lib/portico.db"}, `unknown kind of store ""`},
		{Config{Store: "memory"}, `unknown kind of store ""`},
		{Config{Store: "postgress://u:secret@db/x"}, `unknown kind of store "postgress"`},
		{Config{Store: "sqlite:portico.db"}, "absolute path"},
		{Config{Store: "sqlite://portico.db"}, "absolute path"},
		{Config{Store: "sqlite://host/x.db"}, "absolute path"},
		{Config{Store: "sqlite:///x.db?mode=ro"}, "absolute path"},
		{Config{Store: "postgres://u:secret@db/x", InMemory: true}, "--in-memory and --store postgres://u:xxxxx@db/x contradict each other"},
		{Config{Store: "sqlite:///x.db", InMemory: true}, "contradict"},
	} {
		_, err := parseStore(c.cfg)
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "secret") {
			t.Errorf("%q (in memory %v): %v; want an error with %q, no password", c.cfg.Store, c.cfg.InMemory, err, c.want)
		}
	}
}
