package server_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/gobwas/ws"

	"github.com/portico-dev/portico/server"
)

// TestTLSOnTheSharedPort: the one listener speaks TLS too, with a
// certificate of the local CA: an https client trusting the CA file gets
// the control plane, a wss client the data plane, and plain http keeps
// working on the same port.
func TestTLSOnTheSharedPort(t *testing.T) {
	srv := start(t, server.Config{})
	pem, err := os.ReadFile(srv.CAFile())
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		t.Fatal("the CA file holds no certificate")
	}
	tlsClient := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	for _, url := range []string{srv.TLSURL + "/v2/apis", srv.URL + "/v2/apis",
		strings.Replace(srv.TLSURL, "127.0.0.1", "localhost", 1) + "/_portico/health"} {
		client := http.DefaultClient
		if strings.HasPrefix(url, "https") {
			client = tlsClient
		}
		resp, err := client.Get(url)
		if err != nil {
			t.Fatalf("%s: %v", url, err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("%s: %d %s", url, resp.StatusCode, b)
		}
	}
	// Not trusted without the CA.
	if _, err := http.Get(srv.TLSURL + "/v2/apis"); err == nil {
		t.Error("an https client without the CA trusted the certificate")
	}
	// wss: an upgrade over TLS reaches the data plane (an unknown API: 404).
	d := ws.Dialer{TLSConfig: &tls.Config{RootCAs: pool}}
	_, _, _, err = d.Dial(context.Background(), "wss"+strings.TrimPrefix(srv.TLSURL, "https")+"/_aws/execute-api/nosuchapi/prod")
	if err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("wss to an unknown API: %v", err)
	}
}
