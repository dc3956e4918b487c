package websocket_test

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"testing"
	"time"
)

// Raw WebSocket frames, written byte by byte so that a test can break the
// rules a real client library will not let it break. b0 is the first
// byte: FIN (0x80), RSV1-3 (0x40, 0x20, 0x10) and the opcode.
func rawFrame(b0 byte, payload []byte) []byte {
	f := []byte{b0}
	switch n := len(payload); {
	case n < 126:
		f = append(f, 0x80|byte(n))
	case n <= 0xffff:
		f = append(f, 0x80|126)
		f = binary.BigEndian.AppendUint16(f, uint16(n))
	default:
		f = append(f, 0x80|127)
		f = binary.BigEndian.AppendUint64(f, uint64(n))
	}
	mask := [4]byte{0x12, 0x34, 0x56, 0x78}
	f = append(f, mask[:]...)
	for i, b := range payload {
		f = append(f, b^mask[i%4])
	}
	return f
}

const (
	fin  = 0x80
	rsv1 = 0x40
	rsv2 = 0x20
	rsv3 = 0x10

	opCont   = 0x0
	opText   = 0x1
	opBinary = 0x2
	opClose  = 0x8
	opPing   = 0x9
	opPong   = 0xA
)

func closePayload(code uint16, reason string) []byte {
	return append(binary.BigEndian.AppendUint16(nil, code), reason...)
}

func frames(fs ...[]byte) []byte { return bytes.Join(fs, nil) }

// TestProtocolViolations: every violation of RFC 6455's framing rules
// (sections 5.2-5.5, 7.4) fails the connection: the server answers with a
// close frame of code 1002, closes the socket, and runs $disconnect once
// with that code. One connection per case, after a real upgrade.
func TestProtocolViolations(t *testing.T) {
	e := newEnv(t, nil)
	api := whoamiAPI(t, e)
	big := bytes.Repeat([]byte("p"), 126) // one byte over a control frame's limit
	cases := []struct {
		name string
		raw  []byte
	}{
		{"ping over 125 bytes", rawFrame(fin|opPing, big)},
		{"pong over 125 bytes", rawFrame(fin|opPong, big)},
		{"close over 125 bytes", rawFrame(fin|opClose, closePayload(1000, string(big)))},
		{"fragmented ping", rawFrame(opPing, []byte("x"))},
		{"fragmented pong", rawFrame(opPong, []byte("x"))},
		{"fragmented close", rawFrame(opClose, closePayload(1000, ""))},
		{"RSV1 on a text frame", rawFrame(fin|rsv1|opText, []byte(`{}`))},
		{"RSV2 on a text frame", rawFrame(fin|rsv2|opText, []byte(`{}`))},
		{"RSV3 on a text frame", rawFrame(fin|rsv3|opText, []byte(`{}`))},
		{"RSV1 on a ping", rawFrame(fin|rsv1|opPing, nil)},
		{"RSV on a continuation", frames(rawFrame(opText, []byte("a")), rawFrame(fin|rsv2|opCont, []byte("b")))},
		{"opcode 3", rawFrame(fin|0x3, []byte("x"))},
		{"opcode 7", rawFrame(fin|0x7, []byte("x"))},
		{"opcode 0xB", rawFrame(fin|0xB, nil)},
		{"opcode 0xF", rawFrame(fin|0xF, nil)},
		{"continuation with no message begun", rawFrame(fin|opCont, []byte("x"))},
		{"text frame inside a fragmented message", frames(rawFrame(opText, []byte("a")), rawFrame(fin|opText, []byte("b")))},
		{"binary frame inside a fragmented message", frames(rawFrame(opText, []byte("a")), rawFrame(fin|opBinary, []byte("b")))},
		{"1-byte close payload", rawFrame(fin|opClose, []byte{0x03})},
		{"close reason not UTF-8", rawFrame(fin|opClose, closePayload(1000, "\xff\xfe"))},
		{"unmasked frame", []byte{fin | opText, 2, '{', '}'}},
		{"64-bit length with its top bit set", append([]byte{fin | opText, 0x80 | 127}, 0x80, 0, 0, 0, 0, 0, 0, 1, 1, 2, 3, 4)},
	}
	for _, code := range []uint16{0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535} {
		cases = append(cases, struct {
			name string
			raw  []byte
		}{"close code " + strconv.Itoa(int(code)), rawFrame(fin|opClose, closePayload(code, ""))})
	}
	ids := map[string]string{}
	for _, tc := range cases {
		c, id := connectedClient(t, e, api)
		ids[tc.name] = id
		if _, err := c.conn.Write(tc.raw); err != nil {
			t.Fatalf("%s: write: %v", tc.name, err)
		}
		var cl closed
		if _, _, err := c.read(5 * time.Second); !errors.As(err, &cl) || cl.code != 1002 {
			t.Errorf("%s: the client read %v, want close 1002", tc.name, err)
			continue
		}
		// After its close frame the server closes the socket.
		c.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		if n, err := c.r.Read(make([]byte, 1)); n != 0 || err == nil {
			t.Errorf("%s: the socket stayed open after the close frame (%d, %v)", tc.name, n, err)
		}
		waitDisconnect(t, e, id, 1002)
	}
	// Once each.
	count := map[string]int{}
	for _, call := range e.lambda.Calls() {
		var ev struct {
			RequestContext struct{ EventType, ConnectionID string } `json:"requestContext"`
		}
		json.Unmarshal(call.Event, &ev)
		if ev.RequestContext.EventType == "DISCONNECT" {
			count[ev.RequestContext.ConnectionID]++
		}
	}
	for name, id := range ids {
		if count[id] != 1 {
			t.Errorf("%s: $disconnect ran %d times, want once", name, count[id])
		}
	}
}

// TestProtocolValidFrames: what the rules allow keeps working: a 125-byte
// ping is answered with its pong, a ping between the fragments of a message
// is answered and the message still arrives, and a close frame with a
// valid code (or none) is echoed.
func TestProtocolValidFrames(t *testing.T) {
	e := newEnv(t, nil)
	api := whoamiAPI(t, e)
	c, id := connectedClient(t, e, api)

	ping := bytes.Repeat([]byte("q"), 125)
	must(t, write(c, rawFrame(fin|opPing, ping)))
	if op, payload := readRaw(t, c); op != opPong || !bytes.Equal(payload, ping) {
		t.Fatalf("125-byte ping: opcode %x, %d bytes back", op, len(payload))
	}
	must(t, write(c, frames(rawFrame(opText, []byte("who")), rawFrame(fin|opPing, []byte("mid")), rawFrame(fin|opCont, []byte("ami")))))
	if op, payload := readRaw(t, c); op != opPong || string(payload) != "mid" {
		t.Fatalf("ping inside a message: opcode %x %q", op, payload)
	}
	if got := c.mustRead(); got != id {
		t.Fatalf("the fragmented message was answered with %q, want %q", got, id)
	}

	for _, code := range []uint16{1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999} {
		c, _ := connectedClient(t, e, api)
		must(t, write(c, rawFrame(fin|opClose, closePayload(code, "bye"))))
		var cl closed
		if _, _, err := c.read(5 * time.Second); !errors.As(err, &cl) || cl.code != int(code) || cl.reason != "bye" {
			t.Errorf("close %d: the client read %v, want the same close back", code, err)
		}
	}
	c, _ = connectedClient(t, e, api)
	must(t, write(c, rawFrame(fin|opClose, nil)))
	var cl closed
	if _, _, err := c.read(5 * time.Second); !errors.As(err, &cl) || cl.code != 1005 {
		t.Errorf("empty close: the client read %v, want an empty close back", err)
	}
}

func write(c *client, b []byte) error {
	_, err := c.conn.Write(b)
	return err
}

// readRaw reads one frame from the server as it came, control frames
// included.
func readRaw(t *testing.T, c *client) (byte, []byte) {
	t.Helper()
	c.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	defer c.conn.SetReadDeadline(time.Time{})
	var h [2]byte
	if _, err := io.ReadFull(c.r, h[:]); err != nil {
		t.Fatal(err)
	}
	if h[1]&0x80 != 0 || h[1]&0x7f > 125 {
		t.Fatalf("unexpected header %x", h)
	}
	payload := make([]byte, h[1]&0x7f)
	if _, err := io.ReadFull(c.r, payload); err != nil {
		t.Fatal(err)
	}
	return h[0] & 0x0f, payload
}
