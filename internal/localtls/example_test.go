package localtls_test

import (
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"

	"github.com/portico-dev/portico/internal/localtls"
)

// How Portico wires it: one listener, plain HTTP and TLS, r.TLS telling
// them apart; clients trust ca.CertFile() (Go ones: ca.Pool()), and the
// processes Portico starts get ca.Env().
func ExampleSniff() {
	dir, _ := os.MkdirTemp("", "portico-example-")
	defer os.RemoveAll(dir)
	ca, err := localtls.LoadOrCreate(dir) // the data directory's; Ephemeral() in memory
	if err != nil {
		panic(err)
	}
	raw, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	ln := localtls.Sniff(raw, ca.ServerConfig([]string{"127.0.0.1"}))
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "TLS: %v", r.TLS != nil)
	})}
	go srv.Serve(ln)
	defer srv.Close()

	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: ca.Pool()}}}
	for _, scheme := range []string{"http", "https"} {
		resp, err := client.Get(scheme + "://" + raw.Addr().String() + "/")
		if err != nil {
			panic(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Println(scheme, string(b))
	}
	// Output:
	// http TLS: false
	// https TLS: true
}
