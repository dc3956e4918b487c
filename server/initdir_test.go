package server_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/portico-dev/portico/server"
)

// TestInitDir: the scripts of --init-dir run in name order once Portico
// answers, with AWS_ENDPOINT_URL set; a failing one is reported in health
// and does not stop the next.
func TestInitDir(t *testing.T) {
	curl, err := exec.LookPath("curl")
	if err != nil {
		t.Skip("skipped: the init script uses curl")
	}
	dir := t.TempDir()
	out := filepath.Join(t.TempDir(), "out")
	scripts := map[string]string{
		// Executable: run directly. It creates an API through Portico.
		"10-create.sh": "#!/bin/sh\nset -e\necho \"endpoint=$AWS_ENDPOINT_URL region=$AWS_DEFAULT_REGION\" >> " + out + "\n" +
			curl + " -sf -X POST -d '{\"name\":\"from-init\",\"protocolType\":\"HTTP\"}' \"$AWS_ENDPOINT_URL/v2/apis\" > /dev/null\n",
		"20-fails.sh": "#!/bin/sh\necho failing >> " + out + "\nexit 3\n",
		// Not executable, but a .sh: run with sh.
		"30-after.sh": "echo after >> " + out + "\n",
		// Neither: skipped.
		"README.txt": "not a script",
	}
	for name, body := range scripts {
		mode := os.FileMode(0o644)
		if name != "30-after.sh" && name != "README.txt" {
			mode = 0o755
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), mode); err != nil {
			t.Fatal(err)
		}
	}
	srv := start(t, server.Config{InMemory: true, InitDir: dir, Region: "eu-west-3"})
	var health struct {
		Init struct {
			Status  string
			Scripts []struct {
				Name, Status string
				ExitCode     *int
			}
		}
	}
	deadline := time.Now().Add(20 * time.Second)
	for health.Init.Status == "" || health.Init.Status == "running" {
		if time.Now().After(deadline) {
			t.Fatalf("init scripts still running: %+v", health)
		}
		time.Sleep(20 * time.Millisecond)
		_, body := do(t, "GET", srv.URL+"/_portico/health", "")
		json.Unmarshal([]byte(body), &health)
	}
	if health.Init.Status != "failed" || len(health.Init.Scripts) != 3 {
		t.Fatalf("health: %+v", health)
	}
	for i, want := range []struct {
		name, status string
		code         int
	}{{"10-create.sh", "ok", 0}, {"20-fails.sh", "failed", 3}, {"30-after.sh", "ok", 0}} {
		s := health.Init.Scripts[i]
		if s.Name != want.name || s.Status != want.status || s.ExitCode == nil || *s.ExitCode != want.code {
			t.Errorf("script %d: %+v, want %+v", i, s, want)
		}
	}
	b, _ := os.ReadFile(out)
	if got, want := string(b), "endpoint="+srv.URL+" region=eu-west-3\nfailing\nafter\n"; got != want {
		t.Errorf("the scripts wrote %q, want %q", got, want)
	}
	_, apis := do(t, "GET", srv.URL+"/v2/apis", "")
	if !strings.Contains(apis, "from-init") {
		t.Errorf("the init script's API is not there: %s", apis)
	}
}

// TestLocalStackAliases: the endpoints LocalStack users' tools call.
func TestLocalStackAliases(t *testing.T) {
	srv := start(t, server.Config{InMemory: true})
	resp, body := do(t, "GET", srv.URL+"/_localstack/health", "")
	var h struct{ Services map[string]string }
	if resp.StatusCode != 200 || json.Unmarshal([]byte(body), &h) != nil || h.Services["apigatewayv2"] != "running" {
		t.Errorf("health: %d %s", resp.StatusCode, body)
	}
	do(t, "POST", srv.URL+"/v2/apis", `{"name":"a","protocolType":"HTTP"}`)
	if resp, _ := do(t, "POST", srv.URL+"/_localstack/state/reset", ""); resp.StatusCode != 204 {
		t.Errorf("reset: %d", resp.StatusCode)
	}
	if n := apiCount(t, srv); n != 0 {
		t.Errorf("%d APIs after reset", n)
	}
	if resp, body := do(t, "DELETE", srv.URL+"/_portico/health", ""); resp.StatusCode != 405 {
		t.Errorf("DELETE health: %d %s", resp.StatusCode, body)
	}
	if resp, body := do(t, "GET", srv.URL+"/_portico/nothing", ""); resp.StatusCode != 404 || !strings.Contains(body, "message") {
		t.Errorf("unknown endpoint: %d %s", resp.StatusCode, body)
	}
}

// TestHealthReportsAFailingStore: /_portico/health turns 503, with the
// reason, once the database can no longer be used (its file is gone).
func TestHealthReportsAFailingStore(t *testing.T) {
	dir := t.TempDir()
	srv := start(t, server.Config{DataDir: dir})
	if resp, body := do(t, "GET", srv.URL+"/_portico/health", ""); resp.StatusCode != 200 || !strings.Contains(body, `"version":`) {
		t.Fatalf("health: %d %s", resp.StatusCode, body)
	}
	if err := os.Remove(filepath.Join(dir, server.DatabaseFile)); err != nil {
		t.Fatal(err)
	}
	resp, body := do(t, "GET", srv.URL+"/_portico/health", "")
	if resp.StatusCode != 503 || !strings.Contains(body, `"status":"unavailable"`) || !strings.Contains(body, server.DatabaseFile) {
		t.Errorf("health of a store whose file is gone: %d %s", resp.StatusCode, body)
	}
	if resp, body := do(t, "GET", srv.URL+"/_localstack/health", ""); resp.StatusCode != 503 || !strings.Contains(body, `"error"`) {
		t.Errorf("LocalStack health: %d %s", resp.StatusCode, body)
	}
}
