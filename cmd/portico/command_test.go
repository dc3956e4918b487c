package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"

	"github.com/portico-dev/portico/server"
)

func runCmd(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestHelpAndVersion(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"-h"}, {"help"}} {
		if code, out, _ := runCmd(t, args...); code != 0 || !strings.Contains(out, "portico serve") {
			t.Errorf("%v: exit %d, %q", args, code, out)
		}
	}
	if code, _, errOut := runCmd(t, "serve", "--help"); code != 0 || !strings.Contains(errOut, "PORTICO_DATA_DIR") {
		t.Errorf("serve --help: exit %d, %q", code, errOut)
	}
	for _, args := range [][]string{{"version"}, {"--version"}, {"serve", "--version"}} {
		if code, out, _ := runCmd(t, args...); code != 0 || !strings.HasPrefix(out, "portico ") {
			t.Errorf("%v: exit %d, %q", args, code, out)
		}
	}
	if code, _, errOut := runCmd(t, "frobnicate"); code != 2 || !strings.Contains(errOut, "unknown command") {
		t.Errorf("unknown command: exit %d, %q", code, errOut)
	}
	if code, _, _ := runCmd(t, "serve", "--no-such-flag"); code != 2 {
		t.Errorf("unknown flag: exit %d", code)
	}
}

// TestFlagDefaultsAreTheServers: the flags' defaults are server.Defaults(),
// written once.
func TestFlagDefaultsAreTheServers(t *testing.T) {
	_, _, help := runCmd(t, "serve", "--help")
	d := server.Defaults()
	for _, want := range []string{d.Listen, d.DataDir, d.Region, d.Account, d.EndpointStyle,
		d.WebSocketIdleTimeout.String(), d.WebSocketMaxDuration.String(),
		strconv.Itoa(d.InspectEntries), strconv.Itoa(d.InspectBodyBytes)} {
		if !strings.Contains(help, "(default "+want+")") {
			t.Errorf("serve --help does not show the default %q:\n%s", want, help)
		}
	}
}

// TestBadEnvironmentIsRefused is the defect where PORTICO_IN_MEMORY=yes
// silently meant "keep state on disk".
func TestBadEnvironmentIsRefused(t *testing.T) {
	for env, val := range map[string]string{
		"PORTICO_IN_MEMORY":          "yes",
		"PORTICO_PPROF":              "on",
		"PORTICO_NO_QUOTAS":          "please",
		"PORTICO_WS_IDLE_TIMEOUT":    "ten minutes",
		"PORTICO_WS_MAX_DURATION":    "-1h",
		"PORTICO_INSPECT_ENTRIES":    "many",
		"PORTICO_INSPECT_BODY_BYTES": "0",
	} {
		t.Run(env, func(t *testing.T) {
			t.Setenv(env, val)
			code, _, errOut := runCmd(t, "serve", "--listen", "127.0.0.1:0", "--data-dir", t.TempDir())
			if code != 1 || !strings.Contains(errOut, env+"=") {
				t.Errorf("exit %d, %q", code, errOut)
			}
		})
	}
	t.Setenv("PORTICO_LOG_LEVEL", "loud")
	if code, _, errOut := runCmd(t, "serve", "--in-memory"); code != 1 || !strings.Contains(errOut, "--log-level") {
		t.Errorf("log level: exit %d, %q", code, errOut)
	}
}

// TestStoreUsageErrors: a --store of no known kind, or one that
// contradicts --in-memory, stops Portico with a message that says so,
// from the flag and from its twin, without echoing a password.
func TestStoreUsageErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		env  string
		want string
	}{
		{args: []string{"--store", "mysql://u:secret@db/x"}, want: `unknown kind of store "mysql"`},
		{env: "redis://localhost", want: `unknown kind of store "redis"`},
		{args: []string{"--in-memory", "--store", "postgres://u:secret@db/x"}, want: "--in-memory and --store postgres://u:xxxxx@db/x contradict each other"},
		{args: []string{"--store", "sqlite:portico.db"}, want: "absolute path"},
	} {
		if c.env != "" {
			t.Setenv("PORTICO_STORE", c.env)
		}
		args := append([]string{"serve", "--listen", "127.0.0.1:0", "--data-dir", t.TempDir()}, c.args...)
		code, _, errOut := runCmd(t, args...)
		if code != 1 || !strings.Contains(errOut, c.want) || strings.Contains(errOut, "secret") {
			t.Errorf("%v %s: exit %d, %q; want %q", c.args, c.env, code, errOut, c.want)
		}
		os.Unsetenv("PORTICO_STORE")
	}
}

// TestSecondProcessOnOneDataDirectory is the defect where two Porticos
// started on one data directory and one then served stale stages: the
// second exits at once, naming the directory and the first one's pid.
func TestSecondProcessOnOneDataDirectory(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildBinary(t)
	dir := t.TempDir()
	first, _ := startBinary(t, bin, dir)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, bin, "serve", "--listen", "127.0.0.1:0", "--data-dir", dir).CombinedOutput()
	if err == nil || ctx.Err() != nil {
		t.Fatalf("the second process did not fail: %v\n%s", err, out)
	}
	want := fmt.Sprintf("data directory %s is in use by another Portico (pid %d)", dir, first.Process.Pid)
	if !strings.Contains(string(out), want) {
		t.Errorf("second process said:\n%s\nwant it to say %q", out, want)
	}
}

// TestDamagedDatabaseIsRefused is the defect where Portico started on a
// damaged database, said it was healthy, and failed every write with a 500.
func TestDamagedDatabaseIsRefused(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildBinary(t)
	dir := t.TempDir()
	proc, url := startBinary(t, bin, dir)
	c := client(url)
	for i := range 200 {
		if _, err := c.CreateApi(context.Background(), apiInput(fmt.Sprintf("api%d", i))); err != nil {
			t.Fatal(err)
		}
	}
	proc.Process.Signal(os.Interrupt)
	proc.Wait()
	db := filepath.Join(dir, server.DatabaseFile)
	f, err := os.OpenFile(db, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	info, _ := f.Stat()
	if info.Size() < 5*4096 {
		t.Fatalf("database of %d bytes: too small to damage in the middle", info.Size())
	}
	garbage := bytes.Repeat([]byte{0xA5}, 3*4096)
	if _, err := f.WriteAt(garbage, 4096); err != nil {
		t.Fatal(err)
	}
	f.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, bin, "serve", "--listen", "127.0.0.1:0", "--data-dir", dir).CombinedOutput()
	if err == nil || ctx.Err() != nil {
		t.Fatalf("Portico started on a damaged database: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "damaged") || !strings.Contains(string(out), db) {
		t.Errorf("want a message naming the damaged file, got:\n%s", out)
	}
}

func apiInput(name string) *apigatewayv2.CreateApiInput {
	return &apigatewayv2.CreateApiInput{Name: aws.String(name), ProtocolType: types.ProtocolTypeHttp,
		Description: aws.String(strings.Repeat("d", 512))}
}
