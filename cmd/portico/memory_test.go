package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// TestLargeBodiesMemory is the defect where one 8 MiB request cost ~62 MB
// (UTF-16 length counting copied the string twice) and sixteen concurrent
// ones left the server at 1.4 GB: sixteen concurrent 8 MiB requests of
// each kind, against the real binary, must keep its peak resident memory
// (VmHWM) under 300 MB.
func TestLargeBodiesMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary, sends 500 MB")
	}
	if runtime.GOOS != "linux" {
		t.Skip("reads the peak resident memory from /proc")
	}
	bin := buildBinary(t)
	proc, url := startBinary(t, bin, t.TempDir())
	const size = 8<<20 - 64
	bodies := map[string]struct{ method, body string }{
		// A name (at most 128) of 4 Mi two-byte characters.
		"name":        {"POST", `{"name":"` + strings.Repeat("é", size/2-32) + `","protocolType":"HTTP"}`},
		"description": {"POST", `{"name":"a","protocolType":"HTTP","description":"` + strings.Repeat("x", size-64) + `"}`},
		"tag key":     {"POST", `{"name":"a","protocolType":"HTTP","tags":{"` + strings.Repeat("k", size-64) + `":"v"}}`},
		"import":      {"PUT", importBody(size)},
	}
	for kind, b := range bodies {
		if len(b.body) > 8<<20 {
			t.Fatalf("%s: body of %d bytes", kind, len(b.body))
		}
		var wg sync.WaitGroup
		errs := make(chan string, 16)
		for range 16 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				req, _ := http.NewRequest(b.method, url+"/v2/apis", strings.NewReader(b.body))
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					errs <- err.Error()
					return
				}
				msg, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 400 || len(msg) > 4096 {
					errs <- fmt.Sprintf("%d, %d bytes: %.200s", resp.StatusCode, len(msg), msg)
				}
			}()
		}
		wg.Wait()
		close(errs)
		for e := range errs {
			t.Errorf("%s: %s", kind, e)
		}
		peak := peakRSS(t, proc.Process.Pid)
		t.Logf("after 16 concurrent %s bodies of 8 MiB: peak RSS %d MB", kind, peak>>20)
		if peak > 300<<20 {
			t.Errorf("%s: peak RSS %d MB, want under 300 MB", kind, peak>>20)
		}
	}
}

// importBody is an ImportApi request of about size bytes whose definition
// holds a few hundred thousand tiny values (refused: too many).
func importBody(size int) string {
	var doc strings.Builder
	doc.WriteString(`{"openapi":"3.0.1","info":{"title":"t","version":"1"},"paths":{`)
	for i := 0; doc.Len() < size*3/4; i++ {
		if i > 0 {
			doc.WriteString(",")
		}
		fmt.Fprintf(&doc, `"/p%d":{"get":{"responses":{"200":{"description":"ok"}}}}`, i)
	}
	doc.WriteString("}}")
	var b bytes.Buffer
	json.NewEncoder(&b).Encode(map[string]string{"body": doc.String()})
	return b.String()
}

// peakRSS is a process's peak resident memory (VmHWM).
func peakRSS(t *testing.T, pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10
		}
	}
	t.Fatal("no VmHWM")
	return 0
}
