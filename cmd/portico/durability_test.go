package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"

	"github.com/portico-dev/portico/internal/store/postgres/pgtest"
)

// TestKill9Durability starts the real binary, writes an API, a route and a
// route response through the real SDK, then routes from several writers at
// once, kills the process with SIGKILL in the middle of those (no chance
// to flush or close anything), starts it again on the same store and
// reads everything back: every acknowledged write survives. On SQLite and
// on PostgreSQL (with PORTICO_TEST_POSTGRES).
func TestKill9Durability(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildBinary(t)
	t.Run("sqlite", func(t *testing.T) { kill9(t, bin) })
	t.Run("postgres", func(t *testing.T) { kill9(t, bin, "--store", pgtest.URL(t)) })
}

// kill9 is TestKill9Durability with a store: args are given to both runs.
func kill9(t *testing.T, bin string, args ...string) {
	dataDir := t.TempDir()
	ctx := context.Background()

	proc, url := startBinary(t, bin, dataDir, args...)
	c := client(url)
	api, err := c.CreateApi(ctx, &apigatewayv2.CreateApiInput{Name: aws.String("chat"), ProtocolType: types.ProtocolTypeWebsocket,
		RouteSelectionExpression: aws.String("$request.body.action"), Tags: map[string]string{"team": "a"}})
	if err != nil {
		t.Fatal(err)
	}
	route, err := c.CreateRoute(ctx, &apigatewayv2.CreateRouteInput{ApiId: api.ApiId, RouteKey: aws.String("sendMessage"),
		RouteResponseSelectionExpression: aws.String("$default")})
	if err != nil {
		t.Fatal(err)
	}
	rr, err := c.CreateRouteResponse(ctx, &apigatewayv2.CreateRouteResponseInput{ApiId: api.ApiId, RouteId: route.RouteId,
		RouteResponseKey: aws.String("$default"), ModelSelectionExpression: aws.String("$request.body.type"),
		ResponseModels: map[string]string{"application/json": "Reply"}})
	if err != nil {
		t.Fatal(err)
	}
	// The last acknowledged write before the kill is an update.
	if _, err := c.UpdateRouteResponse(ctx, &apigatewayv2.UpdateRouteResponseInput{ApiId: api.ApiId, RouteId: route.RouteId,
		RouteResponseId: rr.RouteResponseId, ModelSelectionExpression: aws.String("$request.body.kind")}); err != nil {
		t.Fatal(err)
	}
	acked := writeUntilKilled(t, c, proc, *api.ApiId)

	_, url = startBinary(t, bin, dataDir, args...)
	c = client(url)
	gotAPI, err := c.GetApi(ctx, &apigatewayv2.GetApiInput{ApiId: api.ApiId})
	if err != nil {
		t.Fatal(err)
	}
	if *gotAPI.Name != "chat" || gotAPI.Tags["team"] != "a" || !gotAPI.CreatedDate.Equal(*api.CreatedDate) {
		t.Errorf("api after restart: %+v", gotAPI)
	}
	gotRoute, err := c.GetRoute(ctx, &apigatewayv2.GetRouteInput{ApiId: api.ApiId, RouteId: route.RouteId})
	if err != nil {
		t.Fatal(err)
	}
	if *gotRoute.RouteKey != "sendMessage" || aws.ToString(gotRoute.RouteResponseSelectionExpression) != "$default" {
		t.Errorf("route after restart: %+v", gotRoute)
	}
	gotRR, err := c.GetRouteResponse(ctx, &apigatewayv2.GetRouteResponseInput{ApiId: api.ApiId, RouteId: route.RouteId,
		RouteResponseId: rr.RouteResponseId})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(gotRR.ModelSelectionExpression) != "$request.body.kind" || gotRR.ResponseModels["application/json"] != "Reply" {
		t.Errorf("route response after restart: %+v", gotRR)
	}
	for key, id := range acked {
		got, err := c.GetRoute(ctx, &apigatewayv2.GetRouteInput{ApiId: api.ApiId, RouteId: aws.String(id)})
		if err != nil || aws.ToString(got.RouteKey) != key {
			t.Errorf("acknowledged route %s (%s) after restart: %v", id, key, err)
		}
	}
}

// writeUntilKilled creates routes from several writers at once and kills
// the process while they write, once enough have been acknowledged. It
// returns the acknowledged routes, key to id.
func writeUntilKilled(t *testing.T, c *apigatewayv2.Client, proc *exec.Cmd, apiID string) map[string]string {
	const writers, before = 4, 40
	var (
		mu     sync.Mutex
		acked  = map[string]string{}
		wg     sync.WaitGroup
		enough = make(chan struct{})
		once   sync.Once
	)
	for w := range writers {
		wg.Go(func() {
			for i := 0; ; i++ {
				key := fmt.Sprintf("w%d-%d", w, i)
				out, err := c.CreateRoute(context.Background(), &apigatewayv2.CreateRouteInput{ApiId: &apiID, RouteKey: &key})
				if err != nil {
					return // killed
				}
				mu.Lock()
				acked[key] = *out.RouteId
				if len(acked) >= before {
					once.Do(func() { close(enough) })
				}
				mu.Unlock()
			}
		})
	}
	select {
	case <-enough:
	case <-time.After(30 * time.Second):
		t.Error("the writers did not get going")
	}
	if err := proc.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	proc.Wait()
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	t.Logf("%d routes acknowledged before the kill", len(acked))
	return acked
}

// TestSignalStopsCleanly: SIGTERM and SIGINT end the process with status 0
// after it has closed its listener and store.
func TestSignalStopsCleanly(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildBinary(t)
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		proc, url := startBinary(t, bin, t.TempDir())
		if _, err := client(url).GetApis(context.Background(), &apigatewayv2.GetApisInput{}); err != nil {
			t.Fatal(err)
		}
		proc.Process.Signal(sig)
		done := make(chan error, 1)
		go func() { done <- proc.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("%v: exit %v", sig, err)
			}
		case <-time.After(15 * time.Second):
			t.Errorf("%v: still running", sig)
		}
	}
}

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// buildBinary builds the portico command once per test run.
func buildBinary(t *testing.T) string {
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "portico-bin")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "portico")
		build := exec.Command("go", "build", "-o", binPath, ".")
		build.Stderr = os.Stderr
		buildErr = build.Run()
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

var listeningLine = regexp.MustCompile(`msg="portico listening" url=(\S+)`)

// startBinary runs `portico serve` on a free port, with more args if
// given, and waits for its "listening" line, which it prints once the
// store is open.
func startBinary(t *testing.T, bin, dataDir string, args ...string) (*exec.Cmd, string) {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"serve", "--listen", "127.0.0.1:0", "--data-dir", dataDir}, args...)...)
	cmd.Env = append(os.Environ(), "PORTICO_LOG_LEVEL=info")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if m := listeningLine.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
				break
			}
		}
		io.Copy(io.Discard, stderr)
	}()
	select {
	case url := <-found:
		return cmd, url
	case <-time.After(30 * time.Second):
		t.Fatal("portico did not start")
		return nil, ""
	}
}

func client(url string) *apigatewayv2.Client {
	return apigatewayv2.New(apigatewayv2.Options{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(url),
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
		RetryMaxAttempts: 1,
	})
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binPath != "" {
		os.RemoveAll(filepath.Dir(binPath))
	}
	os.Exit(code)
}
