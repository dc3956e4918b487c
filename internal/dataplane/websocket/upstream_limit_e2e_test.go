package websocket_test

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"

	"github.com/portico-dev/portico/server"
)

// lockedBuffer collects log lines written from many goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestOversizedUpstreamAnswer: an HTTP_PROXY or HTTP backend answering
// more than a WebSocket message may carry (128 KB) is an integration
// failure: the client gets the Internal server error frame, never a cut
// message, and a warning names the API, the route and the limit. An answer
// of exactly 128 KB arrives whole.
func TestOversizedUpstreamAnswer(t *testing.T) {
	logs := &lockedBuffer{}
	e := newEnv(t, func(c *server.Config) { c.Logger = slog.New(slog.NewTextHandler(logs, nil)) })
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		n, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/bytes/"))
		w.Write(bytes.Repeat([]byte("z"), n))
	}))
	t.Cleanup(backend.Close)
	api := e.wsAPI(t)
	for _, n := range []int{128 << 10, 128<<10 + 1, 200 << 10} {
		proxy := e.httpProxy(t, api, fmt.Sprintf("%s/bytes/%d", backend.URL, n))
		e.route(t, api, fmt.Sprintf("proxy%d", n), proxy, true)
		plain, err := e.c.CreateIntegration(e.ctx, &apigatewayv2.CreateIntegrationInput{ApiId: &api, IntegrationType: types.IntegrationTypeHttp,
			IntegrationMethod: aws.String("POST"), IntegrationUri: aws.String(fmt.Sprintf("%s/bytes/%d", backend.URL, n))})
		must(t, err)
		e.integrationResponse(t, api, *plain.IntegrationId, "$default", nil, "")
		e.route(t, api, fmt.Sprintf("http%d", n), *plain.IntegrationId, true)
	}
	e.deploy(t, api, "prod")
	c := e.mustDial(t, e.wsURL(api, "prod"))

	for _, typ := range []string{"proxy", "http"} {
		route := fmt.Sprintf("%s%d", typ, 128<<10)
		c.send(`{"action":"` + route + `"}`)
		if got := c.mustRead(); got != strings.Repeat("z", 128<<10) {
			t.Errorf("%s: an answer of exactly 128 KB came as %d bytes", route, len(got))
		}
		for _, n := range []int{128<<10 + 1, 200 << 10} {
			route := fmt.Sprintf("%s%d", typ, n)
			c.send(`{"action":"` + route + `"}`)
			got := c.mustRead()
			if m := errorFrame.FindStringSubmatch(got); m == nil || m[1] != "Internal server error" {
				t.Errorf("%s: an answer of %d bytes sent the client %d bytes (%.40q), want the Internal server error frame", route, n, len(got), got)
				continue
			}
			var line string
			for _, l := range strings.Split(logs.String(), "\n") {
				if strings.Contains(l, "route="+route+" ") {
					line = l
				}
			}
			if !strings.Contains(line, "level=WARN") || !strings.Contains(line, "api="+api) || !strings.Contains(line, "131072") {
				t.Errorf("%s: log line %q, want a warning naming the API, the route and the limit", route, line)
			}
		}
	}
}
