package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"
	"github.com/gobwas/ws"
	"github.com/gobwas/ws/wsutil"

	"github.com/portico-dev/portico/internal/store/postgres/pgtest"
)

const clusterSecret = "cluster-test-secret-0123456789"

// node is one `portico serve` process of a cluster test.
type node struct {
	cmd *exec.Cmd
	url string
}

// startNode runs a node on a port of its own, advertised to the others
// (the later --listen is the one the flag package keeps).
func startNode(t *testing.T, bin, storeURL string) *node {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd, url := startBinary(t, bin, t.TempDir(), "--listen", addr, "--store", storeURL,
		"--advertise-url", "http://"+addr, "--cluster-secret", clusterSecret, "--cluster-lease", "3s", "--no-quotas")
	return &node{cmd: cmd, url: url}
}

// TestCluster: three real portico processes on one PostgreSQL database
// act as one gateway. An API made through node 1 serves HTTP on node 2,
// and a change made through node 1 reaches node 2 as soon as the commit
// notice does (its lag is logged); a
// WebSocket client on node 3 receives what is posted through node 1's
// @connections; a kill -9 of node 2 in the middle of writes loses no
// acknowledged write, the others keep serving, and node 2's connections
// are gone (410) after its lease.
func TestCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	pg := pgtest.URL(t)
	bin := buildBinary(t)
	n1, n2, n3 := startNode(t, bin, pg), startNode(t, bin, pg), startNode(t, bin, pg)
	ctx := context.Background()
	c1, c2 := client(n1.url), client(n2.url)

	// HTTP: made through node 1, served by node 2.
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "backend %s", r.URL.Path)
	}))
	defer backend.Close()
	api, err := c1.CreateApi(ctx, &apigatewayv2.CreateApiInput{Name: aws.String("shared"), ProtocolType: types.ProtocolTypeHttp})
	must(t, err)
	integ, err := c1.CreateIntegration(ctx, &apigatewayv2.CreateIntegrationInput{ApiId: api.ApiId,
		IntegrationType: types.IntegrationTypeHttpProxy, IntegrationMethod: aws.String("ANY"),
		IntegrationUri: aws.String(backend.URL + "/v1"), PayloadFormatVersion: aws.String("1.0")})
	must(t, err)
	_, err = c1.CreateRoute(ctx, &apigatewayv2.CreateRouteInput{ApiId: api.ApiId, RouteKey: aws.String("GET /hello"),
		Target: aws.String("integrations/" + *integ.IntegrationId)})
	must(t, err)
	_, err = c1.CreateStage(ctx, &apigatewayv2.CreateStageInput{ApiId: api.ApiId, StageName: aws.String("$default"), AutoDeploy: aws.Bool(true)})
	must(t, err)
	get := func(n *node, path string) (int, string) {
		t.Helper()
		resp, err := http.Get(n.url + "/_aws/execute-api/" + *api.ApiId + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get(n2, "/hello"); code != 200 || body != "backend /v1" {
		t.Fatalf("node 2: %d %q", code, body)
	}
	// A change through node 1 reaches node 2, which has the stage
	// compiled already, on its next request.
	_, err = c1.UpdateIntegration(ctx, &apigatewayv2.UpdateIntegrationInput{ApiId: api.ApiId, IntegrationId: integ.IntegrationId,
		IntegrationUri: aws.String(backend.URL + "/v2")})
	must(t, err)
	// The notice travels through PostgreSQL to node 2's listener after the
	// commit: milliseconds, which is the only lag a node's cache has.
	acked := time.Now()
	for {
		code, body := get(n2, "/hello")
		if code == 200 && body == "backend /v2" {
			break
		}
		if time.Since(acked) > 5*time.Second {
			t.Fatalf("node 2 still serves the old integration 5 s after the change on node 1: %d %q", code, body)
		}
		time.Sleep(2 * time.Millisecond)
	}
	t.Logf("node 2 served the change %v after node 1 acknowledged it", time.Since(acked).Round(time.Microsecond))

	// WebSocket: a client on node 3, a post through node 1.
	wsAPI := whoamiAPI(t, c1)
	conn3 := dialWS(t, n3, wsAPI)
	id3 := conn3.ask(t, `{"action":"whoami"}`)
	post := func(n *node, id, data string) int {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, n.url+"/_aws/execute-api/"+wsAPI+"/prod/@connections/"+id, strings.NewReader(data))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := post(n1, id3, "from node 1"); code != 200 {
		t.Fatalf("post through node 1 to node 3's connection: %d", code)
	}
	if got := conn3.read(t); got != "from node 1" {
		t.Fatalf("node 3's client read %q", got)
	}
	resp, err := http.Get(n2.url + "/_aws/execute-api/" + wsAPI + "/prod/@connections/" + id3)
	must(t, err)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("GetConnection through node 2: %d", resp.StatusCode)
	}

	// kill -9 of node 2 while writers write through it and node 1.
	writes, err := c1.CreateApi(ctx, &apigatewayv2.CreateApiInput{Name: aws.String("writes"), ProtocolType: types.ProtocolTypeHttp})
	must(t, err)
	conn2 := dialWS(t, n2, wsAPI)
	id2 := conn2.ask(t, `{"action":"whoami"}`)
	var mu sync.Mutex
	var writes2 []string
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 4 {
		c := c2
		if w%2 == 1 {
			c = c1
		}
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				r, err := c.CreateRoute(ctx, &apigatewayv2.CreateRouteInput{ApiId: writes.ApiId,
					RouteKey: aws.String(fmt.Sprintf("GET /w%d/%d", w, i))})
				if err != nil {
					if c == c2 {
						return // node 2 is gone
					}
					t.Errorf("write through node 1: %v", err)
					return
				}
				mu.Lock()
				writes2 = append(writes2, *r.RouteId)
				mu.Unlock()
			}
		})
	}
	time.Sleep(700 * time.Millisecond)
	must(t, n2.cmd.Process.Signal(syscall.SIGKILL))
	n2.cmd.Wait()
	time.Sleep(300 * time.Millisecond)
	close(stop)
	wg.Wait()
	if len(writes2) < 10 {
		t.Fatalf("only %d writes acknowledged before the kill", len(writes2))
	}
	for _, id := range writes2 {
		if _, err := c1.GetRoute(ctx, &apigatewayv2.GetRouteInput{ApiId: writes.ApiId, RouteId: aws.String(id)}); err != nil {
			t.Fatalf("acknowledged route %s lost: %v", id, err)
		}
	}
	// The others keep serving.
	if code, _ := get(n3, "/hello"); code != 200 {
		t.Errorf("node 3 after the kill: %d", code)
	}
	if code := post(n1, id3, "still here"); code != 200 || conn3.read(t) != "still here" {
		t.Errorf("node 3's connection after the kill: %d", code)
	}
	// Node 2's connection is gone once its lease (3 s) has passed.
	time.Sleep(4 * time.Second)
	for _, n := range []*node{n1, n3} {
		if code := post(n, id2, "anyone?"); code != http.StatusGone {
			t.Errorf("post to dead node 2's connection through %s: %d, want 410", n.url, code)
		}
	}
	t.Logf("%d acknowledged writes survived the kill", len(writes2))
}

// whoamiAPI makes a WebSocket API whose "whoami" route answers the
// connection id (a MOCK integration and a two-way route), deployed to
// stage prod.
func whoamiAPI(t *testing.T, c *apigatewayv2.Client) string {
	ctx := context.Background()
	api, err := c.CreateApi(ctx, &apigatewayv2.CreateApiInput{Name: aws.String("ws"), ProtocolType: types.ProtocolTypeWebsocket,
		RouteSelectionExpression: aws.String("$request.body.action")})
	must(t, err)
	integ, err := c.CreateIntegration(ctx, &apigatewayv2.CreateIntegrationInput{ApiId: api.ApiId, IntegrationType: types.IntegrationTypeMock,
		RequestTemplates: map[string]string{"$default": `{"statusCode": 200}`}, TemplateSelectionExpression: aws.String("\\$default")})
	must(t, err)
	_, err = c.CreateIntegrationResponse(ctx, &apigatewayv2.CreateIntegrationResponseInput{ApiId: api.ApiId, IntegrationId: integ.IntegrationId,
		IntegrationResponseKey: aws.String("$default"), ResponseTemplates: map[string]string{"$default": "$context.connectionId"},
		TemplateSelectionExpression: aws.String("\\$default")})
	must(t, err)
	route, err := c.CreateRoute(ctx, &apigatewayv2.CreateRouteInput{ApiId: api.ApiId, RouteKey: aws.String("whoami"),
		Target: aws.String("integrations/" + *integ.IntegrationId), RouteResponseSelectionExpression: aws.String("$default")})
	must(t, err)
	_, err = c.CreateRouteResponse(ctx, &apigatewayv2.CreateRouteResponseInput{ApiId: api.ApiId, RouteId: route.RouteId,
		RouteResponseKey: aws.String("$default")})
	must(t, err)
	_, err = c.CreateStage(ctx, &apigatewayv2.CreateStageInput{ApiId: api.ApiId, StageName: aws.String("prod"), AutoDeploy: aws.Bool(true)})
	must(t, err)
	return *api.ApiId
}

type wsClient struct {
	conn net.Conn
	r    io.Reader
}

func dialWS(t *testing.T, n *node, api string) *wsClient {
	t.Helper()
	conn, br, _, err := ws.Dialer{Timeout: 5 * time.Second}.Dial(context.Background(),
		"ws"+strings.TrimPrefix(n.url, "http")+"/_aws/execute-api/"+api+"/prod")
	if err != nil {
		t.Fatal(err)
	}
	c := &wsClient{conn: conn, r: conn}
	if br != nil {
		c.r = io.MultiReader(br, conn)
	}
	t.Cleanup(func() { conn.Close() })
	return c
}

func (c *wsClient) ask(t *testing.T, msg string) string {
	t.Helper()
	if err := wsutil.WriteClientText(c.conn, []byte(msg)); err != nil {
		t.Fatal(err)
	}
	return c.read(t)
}

func (c *wsClient) read(t *testing.T) string {
	t.Helper()
	c.conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	b, err := wsutil.ReadServerText(struct {
		io.Reader
		io.Writer
	}{c.r, c.conn})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
