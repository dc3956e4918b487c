package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/portico-dev/portico/internal/localtls"
	"github.com/portico-dev/portico/server"
)

// printCA runs `portico ca`: the path of the local CA's certificate in the
// data directory (created if Portico has not made it yet), for clients to
// trust: curl --cacert, NODE_EXTRA_CA_CERTS, the OS trust store.
func printCA(args []string, stdout io.Writer) error {
	f := newEnvFlags("portico ca", os.Stderr)
	dir := server.Defaults().DataDir
	f.str(&dir, "data-dir", "`directory` of the data (the CA is in its "+server.CADir+"/)")
	if err := f.parse(args); err != nil {
		return err
	}
	ca, err := localtls.LoadOrCreate(filepath.Join(dir, server.CADir))
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, ca.CertFile())
	return nil
}
