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
	"net/url"
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
func URL(t testing.TB) string {
	t.Helper()
	server := os.Getenv(Env)
	if server == "" {
		t.Skip("PostgreSQL tests need " + Env + "=postgres://user@127.0.0.1:PORT/postgres?sslmode=disable (.ci/run starts one)")
	}
	u, err := url.Parse(server)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		t.Fatalf("%s=%q: want a postgres:// URL", Env, server)
	}
	b := make([]byte, 6)
	rand.Read(b)
	name := "portico_test_" + hex.EncodeToString(b)
	// The name is ours: letters, digits and underscores, no quoting needed.
	if err := exec(server, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(func() {
		if err := exec(server, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("pgtest: %v", err)
		}
	})
	u.Path = "/" + name
	return u.String()
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
