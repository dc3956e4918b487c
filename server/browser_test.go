package server_test

import (
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/portico-dev/portico/internal/browsertest"
	"github.com/portico-dev/portico/server"
)

// hostilePage sends the Portico at %[1]s every request a page can send
// without a preflight (what HTML forms send, as fetches): the creates, or
// with "#reset" the resets. The title is "done" once all were answered.
const hostilePage = `<!doctype html><title>loading</title><script>
const p = %[1]q;
const body = '{"name":"pwned","protocolType":"HTTP"}';
const requests = location.hash == "#reset" ? [
  fetch(p + "/_portico/reset", {method: "POST", mode: "no-cors"}),
  fetch(p + "/_localstack/state/reset", {method: "POST", mode: "no-cors"}),
] : [
  fetch(p + "/v2/apis", {method: "POST", mode: "no-cors", headers: {"Content-Type": "text/plain"}, body}),
  fetch(p + "/v2/apis", {method: "POST", mode: "no-cors", body: new URLSearchParams({a: "b"})}),
  fetch(p + "/v2/apis", {method: "POST", mode: "no-cors", credentials: "include", body}),
];
Promise.allSettled(requests).then(() => { document.title = "done"; });
</script>`

// TestHostilePageInRealBrowser: a page on another origin, in a real
// Chromium, sends Portico every request a page can send without asking:
// none may change state. The same page against a Portico that allows
// every origin does create and reset, which shows the requests reach it.
func TestHostilePageInRealBrowser(t *testing.T) {
	ctx := browsertest.New(t)
	for _, allowAll := range []bool{false, true} {
		cfg := server.Config{InMemory: true}
		if allowAll {
			cfg.AllowedOrigins = []string{"*"}
		}
		srv := start(t, cfg)
		if resp, body := do(t, "POST", srv.URL+"/v2/apis", `{"name":"mine","protocolType":"HTTP"}`); resp.StatusCode != 201 {
			t.Fatalf("create: %d %s", resp.StatusCode, body)
		}
		evil := attackerSite(t, fmt.Sprintf(hostilePage, srv.URL))
		for _, step := range []string{"", "#reset"} {
			if err := chromedp.Do(ctx, chromedp.Navigate("about:blank"), chromedp.Navigate(evil+step)); err != nil {
				t.Fatal(err)
			}
			browsertest.WaitFor(t, ctx, `document.title == "done"`)
			_, apis := do(t, "GET", srv.URL+"/v2/apis", "")
			mine, pwned := strings.Contains(apis, `"mine"`), strings.Contains(apis, `"pwned"`)
			switch {
			case !allowAll && (!mine || pwned):
				t.Errorf("a hostile page changed state (%q): %s", step, apis)
			case allowAll && step == "" && !pwned:
				t.Errorf("control: with every origin allowed the page should have created an API: %s", apis)
			case allowAll && step == "#reset" && mine:
				t.Errorf("control: with every origin allowed the page should have reset Portico: %s", apis)
			}
		}
	}
}

// TestDNSRebindingInRealBrowser: a page loaded from rebind.test:P, whose
// name then resolves to Portico listening on the same port P, reads and
// writes "its own origin". Chromium's host-resolver-rules stands in for
// the attacker's DNS; the server behind the port changes under the page.
// Portico must refuse the rebound Host.
func TestDNSRebindingInRealBrowser(t *testing.T) {
	ctx := browsertest.New(t, chromedp.Flag("host-resolver-rules", "MAP rebind.test 127.0.0.1"))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	attacker := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Connection", "close")
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		w.Write([]byte(rebindPage))
	})}
	go attacker.Serve(ln)
	if err := chromedp.Do(ctx, chromedp.Navigate(fmt.Sprintf("http://rebind.test:%d/", port))); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](`document.title == "waiting"`)); err != nil {
		t.Fatal(err)
	}
	// The rebinding: the page's origin now reaches Portico.
	attacker.Close()
	srv := start(t, server.Config{InMemory: true, Listen: fmt.Sprintf("127.0.0.1:%d", port)})
	if resp, body := do(t, "POST", srv.URL+"/v2/apis", `{"name":"mine","protocolType":"HTTP"}`); resp.StatusCode != 201 {
		t.Fatalf("create: %d %s", resp.StatusCode, body)
	}
	title, err := chromedp.Run(ctx, chromedp.Poll[string](`document.title.startsWith("portico") && document.title`,
		chromedp.WithPollingTimeout(20*time.Second)))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(title, "portico 403 403 ") || strings.Contains(title, "mine") {
		t.Errorf("the rebound page got: %s", title)
	}
	if _, apis := do(t, "GET", srv.URL+"/v2/apis", ""); !strings.Contains(apis, `"mine"`) {
		t.Errorf("state lost: %s", apis)
	}
}

// rebindPage asks its own origin until Portico answers there, then reports
// what a read and a reset got.
const rebindPage = `<!doctype html><title>waiting</title><script>
async function go() {
  for (;;) {
    try {
      const r = await fetch("/v2/apis", {cache: "no-store"});
      const text = await r.text();
      if (r.headers.get("content-type") == "application/json") {
        const reset = await fetch("/_portico/reset", {method: "POST"});
        document.title = "portico " + r.status + " " + reset.status + " " + text;
        return;
      }
    } catch (e) {}
    await new Promise(r => setTimeout(r, 100));
  }
}
go();
</script>`

// attackerSite serves page at the root of another origin.
func attackerSite(t *testing.T, page string) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte(page))
	})}
	go s.Serve(ln)
	t.Cleanup(func() { s.Close() })
	return "http://" + ln.Addr().String() + "/"
}
