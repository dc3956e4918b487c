package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"

	"github.com/portico-dev/portico/server"
)

// quickAPI creates an HTTP API by quick create: the API, its route, its
// integration, its $default stage and a deployment in one transaction.
func quickAPI(ctx context.Context, c *apigatewayv2.Client, name string) (string, error) {
	out, err := c.CreateApi(ctx, &apigatewayv2.CreateApiInput{Name: aws.String(name), ProtocolType: types.ProtocolTypeHttp,
		Target: aws.String("http://127.0.0.1:1/")})
	if err != nil {
		return "", err
	}
	return *out.ApiId, nil
}

// TestBackupWhileServing: `portico backup` while 8 clients create APIs
// through a running server (which holds the data directory's lock). The
// copy is a sound database holding whole transactions only (every API
// with all that its quick create made) and every API acknowledged before
// the backup began; a server started on a copy of it serves them.
func TestBackupWhileServing(t *testing.T) {
	dir := t.TempDir()
	srv, err := server.Start(server.Config{Listen: "127.0.0.1:0", DataDir: dir, NoQuotas: true})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	c := srv.Client()
	ctx := context.Background()

	var (
		mu    sync.Mutex
		acked []string
		// started counts the writes begun: a write the copy holds may
		// not be acknowledged yet when the backup ends.
		started atomic.Int64
		stop    = make(chan struct{})
		wg      sync.WaitGroup
	)
	for w := range 8 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				started.Add(1)
				id, err := quickAPI(ctx, c, fmt.Sprintf("w%d-%d", w, i))
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				acked = append(acked, id)
				mu.Unlock()
			}
		})
	}
	count := func() int { mu.Lock(); defer mu.Unlock(); return len(acked) }
	for count() < 40 && !t.Failed() {
		time.Sleep(10 * time.Millisecond)
	}
	mu.Lock()
	before := append([]string(nil), acked...)
	mu.Unlock()
	file := filepath.Join(t.TempDir(), "backup.db")
	code, out, errOut := runCmd(t, "backup", "--to", file, "--data-dir", dir)
	after := int(started.Load())
	close(stop)
	wg.Wait()
	if code != 0 {
		t.Fatalf("backup: exit %d, %s%s", code, out, errOut)
	}
	t.Logf("%s(%d APIs acknowledged before the backup, %d begun when it ended)", out, len(before), after)

	db, err := sql.Open("sqlite", "file:"+file+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	var check string
	err = db.QueryRow("PRAGMA quick_check").Scan(&check)
	db.Close()
	if err != nil || check != "ok" {
		t.Fatalf("quick_check of the copy: %q, %v", check, err)
	}

	// Restore: a server on a fresh data directory holding the copy.
	restored := t.TempDir()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(restored, server.DatabaseFile), data, 0o644); err != nil {
		t.Fatal(err)
	}
	srv2, err := server.Start(server.Config{Listen: "127.0.0.1:0", DataDir: restored, NoQuotas: true})
	if err != nil {
		t.Fatal(err)
	}
	defer srv2.Close()
	c2 := srv2.Client()
	var ids []string
	for in := (&apigatewayv2.GetApisInput{}); ; {
		page, err := c2.GetApis(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range page.Items {
			ids = append(ids, *a.ApiId)
		}
		if page.NextToken == nil {
			break
		}
		in.NextToken = page.NextToken
	}
	if len(ids) < len(before) || len(ids) > after {
		t.Errorf("%d APIs in the copy: want from %d to %d", len(ids), len(before), after)
	}
	have := map[string]bool{}
	for _, id := range ids {
		have[id] = true
		routes, err := c2.GetRoutes(ctx, &apigatewayv2.GetRoutesInput{ApiId: &id})
		if err != nil {
			t.Fatal(err)
		}
		integrations, err := c2.GetIntegrations(ctx, &apigatewayv2.GetIntegrationsInput{ApiId: &id})
		if err != nil {
			t.Fatal(err)
		}
		stage, err := c2.GetStage(ctx, &apigatewayv2.GetStageInput{ApiId: &id, StageName: aws.String("$default")})
		if err != nil {
			t.Errorf("API %s: %v", id, err)
			continue
		}
		if len(routes.Items) != 1 || len(integrations.Items) != 1 || aws.ToString(stage.DeploymentId) == "" {
			t.Errorf("API %s is half there: %d routes, %d integrations, deployment %q",
				id, len(routes.Items), len(integrations.Items), aws.ToString(stage.DeploymentId))
		}
	}
	for _, id := range before {
		if !have[id] {
			t.Errorf("API %s, acknowledged before the backup began, is not in it", id)
		}
	}
	// The restored server takes writes.
	if _, err := quickAPI(ctx, c2, "after-restore"); err != nil {
		t.Fatal(err)
	}
}

// TestBackupCommand: the refusals of `portico backup`.
func TestBackupCommand(t *testing.T) {
	empty := t.TempDir() // a data directory with no database
	dir := t.TempDir()
	srv, err := server.Start(server.Config{Listen: "127.0.0.1:0", DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	_, err = quickAPI(context.Background(), srv.Client(), "one")
	srv.Close()
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	file := filepath.Join(out, "backup.db")

	if code, _, errOut := runCmd(t, "backup", "--data-dir", dir); code != 2 || !strings.Contains(errOut, "--to is required") {
		t.Errorf("no --to: exit %d, %q", code, errOut)
	}
	if code, _, _ := runCmd(t, "backup", "--to", file, "--data-dir", dir, "--no-such-flag"); code != 2 {
		t.Errorf("unknown flag: exit %d", code)
	}
	if code, _, errOut := runCmd(t, "backup", "--to", file, "--data-dir", dir, "extra"); code != 1 || !strings.Contains(errOut, "unexpected") {
		t.Errorf("extra argument: exit %d, %q", code, errOut)
	}
	if code, _, errOut := runCmd(t, "backup", "--to", file, "--data-dir", empty); code != 1 || !strings.Contains(errOut, server.DatabaseFile) {
		t.Errorf("no database: exit %d, %q", code, errOut)
	}
	if entries, _ := os.ReadDir(out); len(entries) != 0 {
		t.Errorf("failed backups left %d files", len(entries))
	}

	if err := os.WriteFile(file, []byte("keep me"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := runCmd(t, "backup", "--to", file, "--data-dir", dir); code != 1 || !strings.Contains(errOut, "--force") {
		t.Errorf("existing file: exit %d, %q", code, errOut)
	}
	if got, _ := os.ReadFile(file); string(got) != "keep me" {
		t.Errorf("the existing file was changed")
	}
	if code, stdout, errOut := runCmd(t, "backup", "--to", file, "--data-dir", dir, "--force"); code != 0 || !strings.Contains(stdout, file) {
		t.Errorf("--force: exit %d, %q %q", code, stdout, errOut)
	}
	if got, _ := os.ReadFile(file); !strings.HasPrefix(string(got), "SQLite format 3\x00") {
		t.Errorf("--force did not replace the file with a database")
	}
}
