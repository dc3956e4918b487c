package server_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/portico-dev/portico/server"
)

// TestHalfClosedClients is the defect where a client that sent its request
// and then closed its side of the connection (shutdown(SHUT_WR), as some
// HTTP clients and proxies do) got 500 "context canceled" or "sql:
// statement is closed" for 17 to 70 of 200 writes: net/http cancels the
// request's context when it reads EOF, and the store was given that
// context. Such a client still reads the answer; it gets the real one.
func TestHalfClosedClients(t *testing.T) {
	srv := start(t, server.Config{}) // a real SQLite file: writes take time
	addr := strings.TrimPrefix(srv.URL, "http://")
	var wg sync.WaitGroup
	var mu sync.Mutex
	statuses := map[int]int{}
	sem := make(chan struct{}, 20)
	for i := range 200 {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			body := fmt.Sprintf(`{"name":"half%d","protocolType":"HTTP"}`, i)
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				t.Error(err)
				return
			}
			defer conn.Close()
			fmt.Fprintf(conn, "POST /v2/apis HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", addr, len(body), body)
			conn.(*net.TCPConn).CloseWrite()
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				t.Error(err)
				return
			}
			b, _ := io.ReadAll(resp.Body)
			mu.Lock()
			statuses[resp.StatusCode]++
			mu.Unlock()
			if resp.StatusCode != 201 {
				t.Errorf("request %d: %d %s", i, resp.StatusCode, b)
			}
		}()
	}
	wg.Wait()
	if n := apiCount(t, srv); n != 200 {
		t.Errorf("%d APIs created, want 200 (statuses %v)", n, statuses)
	}
}

// TestContentLengthWithTransferEncoding: a request with both headers may
// be an attempt at request smuggling; RFC 9112 section 6.3 has the server
// close the connection after answering it.
func TestContentLengthWithTransferEncoding(t *testing.T) {
	srv := start(t, server.Config{InMemory: true})
	addr := strings.TrimPrefix(srv.URL, "http://")
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	body := `{"name":"a","protocolType":"HTTP"}`
	fmt.Fprintf(conn, "POST /v2/apis HTTP/1.1\r\nHost: %s\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n0\r\n\r\n", addr, len(body), body)
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	io.ReadAll(resp.Body)
	if !resp.Close {
		t.Errorf("the answer (%d) does not close the connection: %v", resp.StatusCode, resp.Header)
	}
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := br.ReadByte(); err != io.EOF {
		t.Errorf("the connection stayed open: %v", err)
	}
}
