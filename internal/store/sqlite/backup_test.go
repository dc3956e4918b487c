package sqlite

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/portico-dev/portico/internal/store"
)

var backupScope = store.Scope{Account: "000000000000", Region: "us-east-1"}

// family is one transaction: an API and three routes under it.
func family(s *Store, n int64) error {
	return s.Update(context.Background(), backupScope, func(tx store.Tx) error {
		api := fmt.Sprintf("a%06d", n)
		if err := tx.Insert(store.Record{Kind: "api", ID: api, Data: []byte(`{}`)}); err != nil {
			return err
		}
		for i := range 3 {
			r := store.Record{Kind: "route", ID: fmt.Sprintf("%s-r%d", api, i), Parent: store.Ref{Kind: "api", ID: api},
				Key: fmt.Sprintf("GET /%d", i), Data: []byte(`{}`)}
			if err := tx.Insert(r); err != nil {
				return err
			}
		}
		return nil
	})
}

// wantFamilies opens the copy at path (Open checks it) and checks that
// every API there has its three routes, and that the APIs of want are
// there; it returns how many APIs there are.
func wantFamilies(t *testing.T, path string, want []string) int {
	t.Helper()
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var apis []store.Record
	err = s.View(context.Background(), backupScope, func(tx store.Tx) error {
		if apis, err = tx.List("api", store.Ref{}, "", 0); err != nil {
			return err
		}
		for _, a := range apis {
			n, err := tx.Count("route", store.Ref{Kind: "api", ID: a.ID})
			if err != nil {
				return err
			}
			if n != 3 {
				t.Errorf("%s: API %s has %d of its 3 routes", path, a.ID, n)
			}
		}
		for _, id := range want {
			if _, err := tx.Get("api", id); err != nil {
				t.Errorf("%s: API %s, committed before the backup began: %v", path, id, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return len(apis)
}

// noLeftovers checks that dir holds only the files named.
func noLeftovers(t *testing.T, dir string, names ...string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	if fmt.Sprint(got) != fmt.Sprint(names) {
		t.Errorf("%s holds %q, want %q", dir, got, names)
	}
}

// TestBackupWhileWriting: copies taken while 8 goroutines commit hold
// whole transactions only, and every transaction committed before the
// copy began.
func TestBackupWhileWriting(t *testing.T) {
	s, path := openTemp(t)
	defer s.Close()
	var (
		next atomic.Int64
		mu   sync.Mutex
		done []string // APIs committed
		stop = make(chan struct{})
		wg   sync.WaitGroup
	)
	for range 8 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				n := next.Add(1)
				if err := family(s, n); err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				done = append(done, fmt.Sprintf("a%06d", n))
				mu.Unlock()
			}
		})
	}
	dir := t.TempDir()
	counts := map[int]bool{}
	for i := range 3 {
		waitFor(t, "more commits", func() bool { return next.Load() > int64(50*(i+1)) })
		mu.Lock()
		before := append([]string(nil), done...)
		mu.Unlock()
		to := filepath.Join(dir, fmt.Sprintf("copy%d.db", i))
		if err := Backup(context.Background(), path, to); err != nil {
			t.Fatal(err)
		}
		counts[wantFamilies(t, to, before)] = true
	}
	close(stop)
	wg.Wait()
	t.Logf("APIs in the copies: %v; committed: %d", counts, len(done))
	noLeftovers(t, dir, "copy0.db", "copy1.db", "copy2.db")
}

// TestBackupClosedDatabase: a database no Store has open is copied too,
// and an existing file is replaced.
func TestBackupClosedDatabase(t *testing.T) {
	s, path := openTemp(t)
	for n := range int64(5) {
		if err := family(s, n); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	to := filepath.Join(dir, "copy.db")
	if err := os.WriteFile(to, []byte("an older copy"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Backup(context.Background(), path, to); err != nil {
		t.Fatal(err)
	}
	if n := wantFamilies(t, to, []string{"a000000", "a000004"}); n != 5 {
		t.Errorf("%d APIs in the copy, want 5", n)
	}
	noLeftovers(t, dir, "copy.db")
}

// TestBackupErrors: a missing database, a missing directory and an
// ended context fail, leaving nothing behind.
func TestBackupErrors(t *testing.T) {
	_, path := openTemp(t)
	dir := t.TempDir()
	ctx := context.Background()
	err := Backup(ctx, filepath.Join(t.TempDir(), "missing.db"), filepath.Join(dir, "copy.db"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("backup of a missing database: %v", err)
	}
	if err := Backup(ctx, path, filepath.Join(dir, "no", "copy.db")); err == nil {
		t.Error("backup into a missing directory succeeded")
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if err := Backup(cancelled, path, filepath.Join(dir, "copy.db")); err == nil {
		t.Error("backup with an ended context succeeded")
	}
	noLeftovers(t, dir)
}
