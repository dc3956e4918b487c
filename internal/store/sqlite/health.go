package sqlite

// Damage: the integrity check at Open, the classification of the errors
// that mean the database itself is unusable, and Health.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	sqlitedrv "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// ErrDamaged is what Open's error wraps when the file is not a sound
// SQLite database: garbled pages, a truncated file, or not a database at
// all. The file is left untouched.
var ErrDamaged = errors.New("the database file is damaged")

// damagedHint tells the user what to do about a damaged file. SQLite
// cannot repair it in place, and Portico never throws state away itself.
const damagedHint = "restore it from a backup, or move it away to start with an empty database"

// DefaultCheckTimeout bounds the integrity check of Open. PRAGMA
// quick_check reads every page: a database of a few megabytes, which is
// what Portico's state comes to, is checked in milliseconds; the bound only
// matters for a huge file on a slow disk, whose check must not hold up
// the start for minutes.
const DefaultCheckTimeout = 10 * time.Second

// Options tune OpenWith. The zero value is what Open uses.
type Options struct {
	// CheckTimeout bounds the integrity check: 0 means
	// DefaultCheckTimeout, a negative value skips the check. A check that
	// runs out of time has found nothing wrong so far: Open goes on, and
	// logs a warning that the file was not checked to the end.
	CheckTimeout time.Duration
	// Logger receives that warning; nil means slog.Default().
	Logger *slog.Logger
}

// check runs PRAGMA quick_check on the writer connection, bounded by
// timeout. quick_check verifies the b-tree structure of every page (not
// that indexes match their tables, which integrity_check adds at many
// times the cost); that is what garbled or missing pages break. The driver
// interrupts a statement whose context ends (sqlite3_interrupt, which the
// check itself polls), so the deadline ends the check, not just the wait.
func (s *Store) check(o Options) error {
	timeout := o.CheckTimeout
	switch {
	case timeout < 0:
		return nil
	case timeout == 0:
		timeout = DefaultCheckTimeout
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	// At most 5 problems: enough to tell what happened, and a short error.
	problems, err := quickCheck(ctx, s.w, 5)
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		logger := o.Logger
		if logger == nil {
			logger = slog.Default()
		}
		logger.Warn("store: the integrity check (PRAGMA quick_check) did not finish in time; "+
			"opening the database without it", "path", s.path, "timeout", timeout)
		return nil
	case err != nil:
		return err
	case len(problems) > 0:
		return fmt.Errorf("%w: SQLite's quick_check says: %s; %s", ErrDamaged, strings.Join(problems, "; "), damagedHint)
	}
	return nil
}

// quickCheck returns what PRAGMA quick_check(max) reports on db, without
// its "ok" for a sound database.
func quickCheck(ctx context.Context, db *sql.DB, max int) ([]string, error) {
	rows, err := db.QueryContext(ctx, fmt.Sprintf("PRAGMA quick_check(%d)", max))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			return nil, err
		}
		// A report can hold several lines, headed by the name of the
		// schema ("*** in database main ***") when there are problems.
		for _, line := range strings.Split(p, "\n") {
			if line = strings.TrimSpace(line); line != "ok" && line != "" && !strings.HasPrefix(line, "***") {
				problems = append(problems, line)
			}
		}
	}
	return problems, rows.Err()
}

// openError is the error of a failed Open of path. SQLite's own words for
// a damaged file are kept, with the hint.
func openError(path string, err error) error {
	if errors.Is(err, ErrDamaged) {
		return fmt.Errorf("store: open %s: %w", path, err)
	}
	if code, ok := sqliteCode(err); ok && (code&0xff == sqlite3.SQLITE_CORRUPT || code&0xff == sqlite3.SQLITE_NOTADB) {
		return fmt.Errorf("store: open %s: %w: SQLite says: %v; %s", path, ErrDamaged, err, damagedHint)
	}
	return fmt.Errorf("store: open %s: %w", path, err)
}

func sqliteCode(err error) (int, bool) {
	var se *sqlitedrv.Error
	if !errors.As(err, &se) {
		return 0, false
	}
	return se.Code(), true
}

// unusable reports whether err means that the database, not the request,
// is at fault: the file is damaged, the disk fails or is full, the file
// cannot be written or opened any more (removed, its permissions changed).
// https://www.sqlite.org/rescode.html. Busy, locked, interrupted and
// constraint errors are not: they concern one statement.
func unusable(err error) bool {
	code, ok := sqliteCode(err)
	if !ok {
		return false
	}
	switch code & 0xff {
	case sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_FULL, sqlite3.SQLITE_READONLY,
		sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_PERM, sqlite3.SQLITE_NOLFS:
		return true
	case sqlite3.SQLITE_IOERR:
		// Out of memory inside the I/O layer says nothing of the file.
		return code != sqlite3.SQLITE_IOERR_NOMEM
	}
	return false
}

// fail is the way out of every store call that failed: it remembers an
// error that makes the store unusable (for Health), and reports an ended
// context as the context's error. Once a View's ctx ends, database/sql
// rolls its transaction back from another goroutine and closes the
// statements prepared on it, so the call in flight (or the next one of
// fn) fails with whatever it met first: "sql: statement is closed",
// ErrTxDone, an interrupted statement. None of those is the caller's
// business; the context is. (An Update's statements run on their batch's
// context, which does not end: batch.go.)
func (s *Store) fail(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	if unusable(err) {
		s.markBroken(err)
	}
	if ctxErr := ctx.Err(); ctxErr != nil {
		return ctxErr
	}
	return err
}

// markBroken keeps the first error that made the store unusable: later
// ones are usually its consequences.
func (s *Store) markBroken(err error) {
	e := fmt.Errorf("store: database %s is unusable: %w", s.path, err)
	s.broken.CompareAndSwap(nil, &e)
}

// Health implements store.Store. A store is unhealthy once a call has met
// an unusable error (see unusable), once the file it opened is no longer
// at its path (removed or replaced: SQLite would go on reading and
// writing the unlinked file, and a restart would find none of it), or
// while a probe read on the read pool fails. Only the last is not sticky.
// The probe takes a read connection, not the writer, so it does not wait
// for a long Update.
func (s *Store) Health(ctx context.Context) error {
	if err := s.broken.Load(); err != nil {
		return *err
	}
	fi, err := os.Stat(s.path)
	switch {
	case errors.Is(err, os.ErrNotExist) || err == nil && !os.SameFile(fi, s.file):
		s.markBroken(errors.New("the file was removed or replaced while the store had it open"))
		return *s.broken.Load()
	case err != nil:
		return fmt.Errorf("store: database %s: %w", s.path, err)
	}
	var n int
	err = s.r.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM records LIMIT 1)`).Scan(&n)
	if err = s.fail(ctx, err); err != nil {
		if broken := s.broken.Load(); broken != nil {
			return *broken
		}
		if ctx.Err() != nil {
			return err
		}
		return fmt.Errorf("store: database %s: probe read: %w", s.path, err)
	}
	return nil
}
