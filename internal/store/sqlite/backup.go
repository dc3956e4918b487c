package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// Backup writes a consistent copy of the database at dbPath to toPath,
// replacing toPath if it exists. It may run while a Store, in this
// process or another, writes the database: it reads on a read-only
// connection of its own, which needs no lock that the writer holds (WAL
// lets a reader and the writer go on together), and VACUUM INTO writes
// what one read transaction sees, so the copy holds every transaction
// committed before it began and nothing of any later one.
//
// The copy is written to a temporary file next to toPath, checked
// (PRAGMA quick_check), synced, and then renamed over toPath: toPath is
// never a partial copy, even after a crash. The copy is an ordinary
// SQLite database, compacted; a Store opens it as it is.
func Backup(ctx context.Context, dbPath, toPath string) (err error) {
	src, err := filepath.Abs(dbPath)
	if err != nil {
		return err
	}
	dst, err := filepath.Abs(toPath)
	if err != nil {
		return err
	}
	// SQLite would create a missing file, and copy it empty.
	if _, err := os.Stat(src); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(dst), "."+filepath.Base(dst)+".tmp-*")
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	tmpPath := tmp.Name()
	tmp.Close() // VACUUM INTO writes into an empty file
	defer func() {
		if err != nil {
			os.Remove(tmpPath)
		}
	}()

	if err := vacuumInto(ctx, src, tmpPath); err != nil {
		return fmt.Errorf("backup of %s: %w", src, err)
	}
	if err := checkCopy(ctx, tmpPath); err != nil {
		return fmt.Errorf("backup of %s: the copy: %w", src, err)
	}
	// SQLite does not sync what VACUUM INTO writes.
	if err := syncFile(tmpPath); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if err := os.Rename(tmpPath, dst); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	// The rename is durable once the directory is. (Windows cannot sync
	// a directory; its rename is as durable as NTFS makes it.)
	if runtime.GOOS != "windows" {
		if err := syncFile(filepath.Dir(dst)); err != nil {
			return fmt.Errorf("backup: %w", err)
		}
	}
	return nil
}

// openReadOnly opens a single read-only connection to path.
func openReadOnly(path string) (*sql.DB, error) {
	q := url.Values{}
	q.Set("mode", "ro")
	q.Add("_pragma", "busy_timeout(10000)")
	db, err := sql.Open("sqlite", fileURI(path)+"?"+q.Encode())
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	return db, nil
}

func vacuumInto(ctx context.Context, src, to string) error {
	db, err := openReadOnly(src)
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.ExecContext(ctx, "VACUUM INTO ?1", to)
	return err
}

// checkCopy runs quick_check on the copy: a backup that cannot be read
// back is worse than none, since it is trusted.
func checkCopy(ctx context.Context, path string) error {
	db, err := openReadOnly(path)
	if err != nil {
		return err
	}
	defer db.Close()
	problems, err := quickCheck(ctx, db, 5)
	if err == nil && len(problems) > 0 {
		err = errors.New("quick_check says: " + strings.Join(problems, "; "))
	}
	return err
}

func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}
