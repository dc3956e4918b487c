package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/portico-dev/portico/internal/store/sqlite"
	"github.com/portico-dev/portico/server"
)

// restoreHint says how to start on a copy. The WAL and its index beside
// the database belong to the database that was there: SQLite would
// replay them onto the copy.
const restoreHint = "To restore it, stop Portico, then: rm -f DIR/" + server.DatabaseFile + "-wal DIR/" + server.DatabaseFile +
	"-shm; cp FILE DIR/" + server.DatabaseFile

// backup runs `portico backup`: a consistent copy of the data directory's
// database (or --store's SQLite file), taken while Portico serves from it
// or not. It does not take the data directory's lock, which a running
// Portico holds: the copy is read on a connection of its own
// (sqlite.Backup). Restoring is starting Portico on the copy (see
// restoreHint).
func backup(args []string, stdout, stderr io.Writer) error {
	f := newEnvFlags("portico backup", stderr)
	dir := server.Defaults().DataDir
	var storeURL string
	var (
		to    string
		force bool
	)
	f.fs.StringVar(&to, "to", "", "`file` to write the copy to (required)")
	f.fs.BoolVar(&force, "force", false, "replace the file if it exists")
	f.str(&dir, "data-dir", "`directory` of the database to copy (Portico may be running on it)")
	f.str(&storeURL, "store", "the store to copy instead, as `portico serve` takes it: sqlite:///abs/path/portico.db")
	f.fs.Usage = func() {
		fmt.Fprint(stderr, "usage: portico backup --to FILE [--force] [--data-dir DIR | --store sqlite:///FILE]\n\n"+
			"Writes a consistent copy of DIR/"+server.DatabaseFile+", also while Portico runs on it.\n"+
			restoreHint+"\n\n")
		f.fs.PrintDefaults()
	}
	if err := f.parse(args); err != nil {
		return err
	}
	if to == "" {
		fmt.Fprintln(stderr, "portico backup: --to is required")
		f.fs.Usage()
		return errUsage
	}
	if !force {
		if _, err := os.Lstat(to); err == nil {
			return fmt.Errorf("%s exists: pass --force to replace it", to)
		} else if !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	// Interrupted, the copy is abandoned: only its temporary file was
	// written, and it is removed.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	db, err := server.SQLiteFile(server.Config{DataDir: dir, Store: storeURL})
	if err != nil {
		return err
	}
	if err := sqlite.Backup(ctx, db, to); err != nil {
		return err
	}
	fi, err := os.Stat(to)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "copied %s to %s (%d bytes)\n", db, to, fi.Size())
	return nil
}
