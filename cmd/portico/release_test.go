package main

import (
	"context"
	"debug/elf"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestReleaseBuildIsStatic builds the binary as the Dockerfile does
// (scripts/release-build.sh) and checks that it needs no dynamic loader
// and no shared library, so it runs in a scratch image, and that the
// version stamped in is the one `portico version` prints.
func TestReleaseBuildIsStatic(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the release binary")
	}
	if runtime.GOOS != "linux" {
		t.Skip("checks a Linux ELF binary")
	}
	dockerfile, err := os.ReadFile("../../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(dockerfile), "scripts/release-build.sh") || !strings.Contains(string(dockerfile), "FROM scratch") {
		t.Fatal("the Dockerfile no longer builds with scripts/release-build.sh into a scratch image: update this test")
	}
	out := filepath.Join(t.TempDir(), "portico")
	build := exec.Command("../../scripts/release-build.sh", out)
	build.Env = append(os.Environ(), "VERSION=v1.2.3-test", "COMMIT=0123abcd")
	if b, err := build.CombinedOutput(); err != nil {
		t.Fatalf("release build: %v\n%s", err, b)
	}
	f, err := elf.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP || p.Type == elf.PT_DYNAMIC {
			t.Errorf("the release binary has a %v program header: it is dynamically linked", p.Type)
		}
	}
	if libs, _ := f.ImportedLibraries(); len(libs) > 0 {
		t.Errorf("the release binary needs %v", libs)
	}
	v, err := exec.Command(out, "version").Output()
	if err != nil || !strings.HasPrefix(string(v), "portico v1.2.3-test (0123abcd)") {
		t.Errorf("portico version: %q %v", v, err)
	}
}

// TestHealthCommand: `portico health` (the image's HEALTHCHECK) exits 0
// against a running Portico and non-zero where none listens.
func TestHealthCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildBinary(t)
	_, url := startBinary(t, bin, t.TempDir())
	addr := strings.TrimPrefix(url, "http://")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if out, err := exec.CommandContext(ctx, bin, "health", "--listen", addr).CombinedOutput(); err != nil ||
		!strings.Contains(string(out), `"status":"ok"`) || !strings.Contains(string(out), `"store":"sqlite"`) {
		t.Errorf("health of a running Portico: %v %s", err, out)
	}
	_, port, _ := net.SplitHostPort(addr)
	if out, err := exec.CommandContext(ctx, bin, "health", "--listen", "0.0.0.0:"+port).CombinedOutput(); err != nil {
		t.Errorf("health on a wildcard address: %v %s", err, out)
	}
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	free := ln.Addr().String()
	ln.Close()
	if err := exec.CommandContext(ctx, bin, "health", "--listen", free).Run(); err == nil {
		t.Error("health where nothing listens exited 0")
	}
}
