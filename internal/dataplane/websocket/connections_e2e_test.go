package websocket_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/gobwas/ws"

	"github.com/portico-dev/portico/server"
)

// whoami answers every message with the connection's id, so a test can
// learn it the way a real backend does: from the event.
func whoami(fn string, event []byte) (any, string) {
	var ev struct {
		RequestContext struct{ ConnectionID string } `json:"requestContext"`
	}
	json.Unmarshal(event, &ev)
	return map[string]any{"statusCode": 200, "body": ev.RequestContext.ConnectionID}, ""
}

// connectedClient opens a connection to a two-way $default route and
// returns it with its connection id.
func connectedClient(t *testing.T, e *env, api string) (*client, string) {
	t.Helper()
	c := e.mustDial(t, e.wsURL(api, "prod"))
	c.send("whoami")
	return c, c.mustRead()
}

func whoamiAPI(t *testing.T, e *env) string {
	e.lambda.SetHandler(whoami)
	api := e.wsAPI(t)
	fn := e.lambdaProxy(t, api, "whoami")
	e.route(t, api, "$default", fn, true)
	e.route(t, api, "$disconnect", fn, false)
	e.deploy(t, api, "prod")
	return api
}

// mgmt sends a management API request, signed with SigV4 for the
// execute-api service as the AWS SDKs sign it.
func mgmt(t *testing.T, e *env, method, api, id string, body []byte) *http.Response {
	t.Helper()
	return mgmtAs(t, e, signing{key: "AKIDEXAMPLE"}, method, api, id, body)
}

// signing is how mgmtAs signs: with the access key id key ("" sends the
// request unsigned), in the Authorization header or, with presign, in the
// URL's X-Amz-* query parameters.
type signing struct {
	key     string
	presign bool
}

func (s signing) String() string {
	switch {
	case s.key == "":
		return "unsigned"
	case s.presign:
		return s.key + " (presigned)"
	}
	return s.key
}

// mgmtAs sends a management API request signed as s says, by the AWS
// SDK's own v4 signer (service execute-api).
func mgmtAs(t *testing.T, e *env, s signing, method, api, id string, body []byte) *http.Response {
	t.Helper()
	u := "http" + strings.TrimPrefix(e.wsURL(api, "prod"), "ws") + "/@connections/" + url.PathEscape(id)
	req, err := http.NewRequest(method, u, bytes.NewReader(body))
	must(t, err)
	creds := aws.Credentials{AccessKeyID: s.key, SecretAccessKey: "secret"}
	switch {
	case s.key == "":
	case s.presign:
		signed, header, err := v4.NewSigner().PresignHTTP(e.ctx, creds, req, "UNSIGNED-PAYLOAD", "execute-api", "us-east-1", time.Now())
		must(t, err)
		req, err = http.NewRequest(method, signed, bytes.NewReader(body))
		must(t, err)
		for k, vs := range header {
			req.Header[k] = vs
		}
	default:
		sum := sha256.Sum256(body)
		must(t, v4.NewSigner().SignHTTP(e.ctx, creds, req, hex.EncodeToString(sum[:]), "execute-api", "us-east-1", time.Now()))
	}
	resp, err := http.DefaultClient.Do(req)
	must(t, err)
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func TestConnectionsPostGetDelete(t *testing.T) {
	e := newEnv(t, nil)
	api := whoamiAPI(t, e)
	c, id := connectedClient(t, e, api)
	if len(id) != 16 || !strings.HasSuffix(id, "=") {
		t.Fatalf("connection id %q", id)
	}
	resp := mgmt(t, e, "POST", api, id, []byte("pushed"))
	if resp.StatusCode != 200 {
		t.Fatalf("post: %d", resp.StatusCode)
	}
	if got := c.mustRead(); got != "pushed" {
		t.Fatalf("client got %q", got)
	}
	resp = mgmt(t, e, "GET", api, id, nil)
	var info struct {
		ConnectedAt, LastActiveAt string
		Identity                  struct{ SourceIp, UserAgent string }
	}
	json.NewDecoder(resp.Body).Decode(&info)
	if resp.StatusCode != 200 || info.ConnectedAt == "" || info.LastActiveAt == "" || info.Identity.SourceIp != "127.0.0.1" {
		t.Fatalf("get: %d %+v", resp.StatusCode, info)
	}
	if _, err := time.Parse(time.RFC3339, info.ConnectedAt); err != nil {
		t.Errorf("connectedAt %q: %v", info.ConnectedAt, err)
	}
	calls := len(e.lambda.Calls())
	resp = mgmt(t, e, "DELETE", api, id, nil)
	if resp.StatusCode != 204 {
		t.Fatalf("delete: %d", resp.StatusCode)
	}
	var cl closed
	if _, _, err := c.read(2 * time.Second); !errors.As(err, &cl) {
		t.Fatalf("after delete the client read %v, want a close frame", err)
	}
	waitCalls(t, e, calls+1) // $disconnect
	for _, m := range []string{"POST", "GET", "DELETE"} {
		resp := mgmt(t, e, m, api, id, []byte("x"))
		if resp.StatusCode != 410 || resp.Header.Get("x-amzn-ErrorType") != "GoneException" {
			t.Errorf("%s on a closed connection: %d %s", m, resp.StatusCode, resp.Header.Get("x-amzn-ErrorType"))
		}
	}
	resp = mgmt(t, e, "POST", api, "AAAAAAAAAAAAAAA=", []byte("x"))
	if resp.StatusCode != 410 {
		t.Errorf("unknown id: %d", resp.StatusCode)
	}
}

func TestConnectionsLimitsAndFrames(t *testing.T) {
	e := newEnv(t, nil)
	api := whoamiAPI(t, e)
	c, id := connectedClient(t, e, api)
	// Over 128 KB is refused.
	resp := mgmt(t, e, "POST", api, id, bytes.Repeat([]byte("x"), 128<<10+1))
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 413 || resp.Header.Get("x-amzn-ErrorType") != "PayloadTooLargeException" {
		t.Errorf("over 128 KB: %d %s %s", resp.StatusCode, resp.Header.Get("x-amzn-ErrorType"), body)
	}
	// 100 KB arrives whole, in frames of at most 32 KB.
	big := strings.Repeat("y", 100<<10)
	if resp := mgmt(t, e, "POST", api, id, []byte(big)); resp.StatusCode != 200 {
		t.Fatalf("100 KB: %d", resp.StatusCode)
	}
	msg, frames, err := c.read(5 * time.Second)
	must(t, err)
	if msg != big || frames != 4 {
		t.Errorf("100 KB came as %d bytes in %d frames, want 4 frames", len(msg), frames)
	}
}

// TestIncomingLimits: a frame over 32 KB or a message over 128 KB closes
// with 1009; a binary frame with 1003 (docs/aws-behaviours.md#websocket-limits).
func TestIncomingLimits(t *testing.T) {
	e := newEnv(t, nil)
	api := whoamiAPI(t, e)
	cases := []struct {
		name   string
		frames []ws.Frame
		code   int
	}{
		{"frame over 32 KB", []ws.Frame{ws.NewTextFrame(bytes.Repeat([]byte("a"), 32<<10+1))}, 1009},
		{"binary frame", []ws.Frame{ws.NewBinaryFrame([]byte("bin"))}, 1003},
		{"message over 128 KB", func() []ws.Frame {
			var fs []ws.Frame
			for i := 0; i < 5; i++ {
				op := ws.OpContinuation
				if i == 0 {
					op = ws.OpText
				}
				fs = append(fs, ws.NewFrame(op, i == 4, bytes.Repeat([]byte("b"), 32<<10)))
			}
			return fs
		}(), 1009},
	}
	for _, tc := range cases {
		c, _ := connectedClient(t, e, api)
		for _, f := range tc.frames {
			if err := ws.WriteFrame(c.conn, ws.MaskFrame(f)); err != nil {
				break // the server may close before the last frame
			}
		}
		var cl closed
		if _, _, err := c.read(5 * time.Second); !errors.As(err, &cl) || cl.code != tc.code {
			t.Errorf("%s: %v, want close %d", tc.name, err, tc.code)
		}
	}
	// Exactly 128 KB in frames of 32 KB is one message.
	c, _ := connectedClient(t, e, api)
	for i := 0; i < 4; i++ {
		op := ws.OpContinuation
		if i == 0 {
			op = ws.OpText
		}
		c.sendFrame(ws.NewFrame(op, i == 3, bytes.Repeat([]byte("c"), 32<<10)))
	}
	if _, _, err := c.read(5 * time.Second); err != nil {
		t.Errorf("a 128 KB message: %v", err)
	}
}

// TestIdleTimeout: with a shortened idle timeout, a quiet connection is
// closed with 1001 and $disconnect learns the code; a message sent to the
// client keeps it alive, as on AWS.
func TestIdleTimeout(t *testing.T) {
	e := newEnv(t, func(c *server.Config) { c.WebSocketIdleTimeout = 400 * time.Millisecond })
	api := whoamiAPI(t, e)
	c, id := connectedClient(t, e, api)
	for i := 0; i < 3; i++ {
		time.Sleep(250 * time.Millisecond)
		if resp := mgmt(t, e, "POST", api, id, []byte("keepalive")); resp.StatusCode != 200 {
			t.Fatalf("keepalive %d: %d", i, resp.StatusCode)
		}
		c.mustRead()
	}
	var cl closed
	if _, _, err := c.read(3 * time.Second); !errors.As(err, &cl) || cl.code != 1001 {
		t.Fatalf("idle connection: %v, want close 1001", err)
	}
	waitDisconnect(t, e, id, 1001)
}

// TestMaxDuration: a connection is closed when its maximum duration ends,
// however busy it is.
func TestMaxDuration(t *testing.T) {
	e := newEnv(t, func(c *server.Config) { c.WebSocketMaxDuration = 300 * time.Millisecond })
	api := whoamiAPI(t, e)
	c, _ := connectedClient(t, e, api)
	var cl closed
	if _, _, err := c.read(3 * time.Second); !errors.As(err, &cl) || cl.code != 1001 {
		t.Fatalf("max duration: %v, want close 1001", err)
	}
}

// TestShutdownClosesSockets: stopping Portico closes every socket with
// 1001 and runs $disconnect.
func TestShutdownClosesSockets(t *testing.T) {
	e := newEnv(t, nil)
	api := whoamiAPI(t, e)
	c, id := connectedClient(t, e, api)
	done := make(chan struct{})
	go func() { e.srv.Close(); close(done) }()
	var cl closed
	if _, _, err := c.read(3 * time.Second); !errors.As(err, &cl) || cl.code != 1001 {
		t.Fatalf("on shutdown: %v, want close 1001", err)
	}
	<-done
	waitDisconnect(t, e, id, 1001)
}

// waitDisconnect waits for the $disconnect event of a connection and
// checks its status code.
func waitDisconnect(t *testing.T, e *env, id string, code int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		for _, call := range e.lambda.Calls() {
			var ev struct {
				RequestContext struct {
					EventType            string
					ConnectionID         string
					DisconnectStatusCode int
				} `json:"requestContext"`
			}
			json.Unmarshal(call.Event, &ev)
			if ev.RequestContext.EventType == "DISCONNECT" && ev.RequestContext.ConnectionID == id {
				if ev.RequestContext.DisconnectStatusCode != code {
					t.Errorf("disconnectStatusCode %d, want %d", ev.RequestContext.DisconnectStatusCode, code)
				}
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no $disconnect for %s", id)
}

// TestPostDuringConnect: a connection whose $connect is still running does
// not exist yet for the management API: 410, as on AWS.
func TestPostDuringConnect(t *testing.T) {
	e := newEnv(t, nil)
	api := e.wsAPI(t)
	fn := e.lambdaProxy(t, api, "connect")
	e.route(t, api, "$connect", fn, false)
	e.deploy(t, api, "prod")
	status := make(chan int, 1)
	e.lambda.SetHandler(func(_ string, event []byte) (any, string) {
		var ev struct {
			RequestContext struct{ ConnectionID string } `json:"requestContext"`
		}
		json.Unmarshal(event, &ev)
		resp := mgmt(t, e, "POST", api, ev.RequestContext.ConnectionID, []byte("too early"))
		status <- resp.StatusCode
		return map[string]any{"statusCode": 200}, ""
	})
	e.mustDial(t, e.wsURL(api, "prod"))
	if got := <-status; got != 410 {
		t.Errorf("PostToConnection during $connect: %d, want 410", got)
	}
}

// TestResetForgetsServedAPIs: after POST /_portico/reset, live connections
// are closed and the API is no longer served.
func TestResetForgetsServedAPIs(t *testing.T) {
	e := newEnv(t, nil)
	api := whoamiAPI(t, e)
	c, _ := connectedClient(t, e, api)
	resp, err := http.Post(e.srv.URL+"/_portico/reset", "", nil)
	must(t, err)
	resp.Body.Close()
	var cl closed
	if _, _, err := c.read(3 * time.Second); !errors.As(err, &cl) || cl.code != 1001 {
		t.Fatalf("after reset the connection read %v, want close 1001", err)
	}
	var se ws.StatusError
	if _, err := e.dial(t, e.wsURL(api, "prod"), nil); !errors.As(err, &se) || int(se) != 404 {
		t.Fatalf("dialing a reset API: %v, want 404", err)
	}
}

// TestConnectionsAtRoot: the management API is also served on Portico's
// own address by connection id alone, with or without the stage: the URL
// AWS's samples build from the event's domainName and stage.
func TestConnectionsAtRoot(t *testing.T) {
	e := newEnv(t, nil)
	api := whoamiAPI(t, e)
	c, id := connectedClient(t, e, api)
	for _, path := range []string{"/prod/@connections/", "/@connections/", "/prod/%40connections/"} {
		resp, err := http.Post(e.srv.URL+path+url.PathEscape(id), "application/json", strings.NewReader("hi"))
		must(t, err)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("POST %s: %d", path, resp.StatusCode)
			continue
		}
		if got := c.mustRead(); got != "hi" {
			t.Errorf("POST %s: the client got %q", path, got)
		}
	}
	for _, path := range []string{"/dev/@connections/" + url.PathEscape(id), "/@connections/NoSuchConnId0="} {
		resp, err := http.Post(e.srv.URL+path, "application/json", strings.NewReader("hi"))
		must(t, err)
		resp.Body.Close()
		if resp.StatusCode != 410 {
			t.Errorf("POST %s: %d, want 410", path, resp.StatusCode)
		}
	}
	resp, err := http.Get(e.srv.URL + "/@connections/" + url.PathEscape(id))
	must(t, err)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("GET: %d", resp.StatusCode)
	}
}
