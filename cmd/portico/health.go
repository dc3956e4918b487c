package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/portico-dev/portico/server"
)

// health runs `portico health`: it asks a running Portico's
// /_portico/health and exits 0 only on 200. It is the Docker image's
// HEALTHCHECK (a scratch image has no curl), and works in scripts too.
func health(args []string, stdout io.Writer) error {
	f := newEnvFlags("portico health", os.Stderr)
	listen := server.Defaults().Listen
	f.str(&listen, "listen", "`address` Portico listens on (a wildcard address is asked on loopback)")
	if err := f.parse(args); err != nil {
		return err
	}
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return fmt.Errorf("--listen %q: %v", listen, err)
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	client := &http.Client{Timeout: 3 * time.Second}
	resp, err := client.Get("http://" + net.JoinHostPort(host, port) + "/_portico/health")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	fmt.Fprintf(stdout, "%s\n", body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("unhealthy: %s", resp.Status)
	}
	return nil
}
