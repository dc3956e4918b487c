// Package pgtest gives tests a PostgreSQL database of their own.
//
//	st, err := postgres.Open(ctx, pgtest.URL(t))
//
// The server comes from PORTICO_TEST_POSTGRES, a URL whose user may
// CREATE DATABASE (.ci/run starts one); without it the test is skipped.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	neturl "net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Env names the variable that holds the server's URL.
const Env = "PORTICO_TEST_POSTGRES"

// Enabled reports whether PostgreSQL tests can run here.
func Enabled() bool { return os.Getenv(Env) != "" }

// URL creates a fresh, empty database, portico_test_<random>, and returns
// its URL; the database is dropped when the test ends, connections and
// all. It skips the test when PORTICO_TEST_POSTGRES is not set.
//
// A database costs a few tenths of a second to create and about as much
// to drop (DROP DATABASE waits for a checkpoint): a package with hundreds
// of tests may rather share one (see Create).
func URL(t testing.TB) string {
	t.Helper()
	server := os.Getenv(Env)
	if server == "" {
		t.Skip("PostgreSQL tests need " + Env + "=postgres://user@127.0.0.1:PORT/postgres?sslmode=disable (.ci/run starts one)")
	}
	url, drop, err := Create()
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(func() {
		if err := drop(); err != nil {
			t.Errorf("pgtest: %v", err)
		}
	})
	return url
}

// Create is URL for a TestMain, which has no testing.TB: the caller drops
// the database with drop. It fails when PORTICO_TEST_POSTGRES is not set.
func Create() (url string, drop func() error, err error) {
	server := os.Getenv(Env)
	u, err := neturl.Parse(server)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return "", nil, fmt.Errorf("%s=%q: want a postgres:// URL", Env, server)
	}
	b := make([]byte, 6)
	rand.Read(b)
	name := "portico_test_" + hex.EncodeToString(b)
	// The name is ours: letters, digits and underscores, no quoting needed.
	if err := exec(server, "CREATE DATABASE "+name); err != nil {
		return "", nil, err
	}
	u.Path = "/" + name
	return u.String(), func() error { return exec(server, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)") }, nil
}

// exec runs one statement on the server's database.
func exec(server, sql string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, server)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, sql)
	return err
}
