package websocket

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/gobwas/ws"

	"github.com/portico-dev/portico/internal/dataplane/gateway"
	"github.com/portico-dev/portico/internal/inspect"
	"github.com/portico-dev/portico/internal/store"
)

// WebSocket limits (docs/aws-behaviours.md#websocket-limits).
const (
	maxFrame   = 32 << 10  // an incoming frame over this closes with 1009; outgoing data is split at it
	maxMessage = 128 << 10 // an incoming message over this closes with 1009

	closeNormal      = 1000
	closeGoingAway   = 1001
	closeProtocol    = 1002
	closeUnsupported = 1003
	closeNoStatus    = 1005
	closeAbnormal    = 1006
	closeTooBig      = 1009

	writeTimeout = 10 * time.Second
	// readBufferSize holds a frame header and a small message in one read.
	readBufferSize = 512
	// maxInFlight bounds the messages of one connection being answered
	// at once by remote integrations.
	maxInFlight = 32
)

var errGone = errors.New("dataplane: connection is gone")

// conn is one live WebSocket connection.
type conn struct {
	id          string
	p           *Engine
	key         gateway.StageKey
	nc          net.Conn
	br          *bufio.Reader
	connectedAt time.Time
	identity    identity
	domainName  string
	active      atomic.Int64 // unix nanoseconds of the last message either way
	// authorizer is what the $connect authorizer returned: principalId
	// and its context, for every later event and template.
	authorizer map[string]any
	inFlight   chan struct{}

	wmu sync.Mutex // one writer at a time

	closing     atomic.Bool
	closeOnce   sync.Once
	closeCode   int
	closeReason string
	timer       *time.Timer
}

func (c *conn) touch()                { c.active.Store(time.Now().UnixNano()) }
func (c *conn) lastActive() time.Time { return time.Unix(0, c.active.Load()) }
func (c *conn) isClosing() bool       { return c.closing.Load() }

// serveWebSocket runs $connect while the upgrade waits, then upgrades and
// serves the connection until it closes, then runs $disconnect.
func (p *Engine) serveWebSocket(w http.ResponseWriter, r *http.Request, stage *Stage) {
	if !strings.EqualFold(r.Header.Get("Upgrade"), "websocket") {
		gateway.Write(w, &gateway.Error{Status: http.StatusUpgradeRequired, Message: "Upgrade Required"})
		return
	}
	if p.stopping.Load() {
		refuse(w, http.StatusServiceUnavailable, "Service Unavailable")
		return
	}
	c := &conn{
		id:          newConnectionID(),
		p:           p,
		key:         stage.key,
		connectedAt: time.Now(),
		identity:    identity{SourceIP: sourceIP(r), UserAgent: r.UserAgent()},
		domainName:  r.Host,
	}
	c.touch()
	if dir := p.cfg.Directory; dir != nil {
		if !p.claim(r.Context(), c) {
			refuse(w, http.StatusInternalServerError, "Internal server error")
			return
		}
		// Until the connection is open, any refusal below gives its id
		// back.
		defer func() {
			if c.nc == nil {
				dir.Release(c.id)
			}
		}()
	}
	requestID := gateway.RequestID()
	connectReq := &request{conn: c, eventType: "CONNECT", http: r, routeKey: "$connect", requestID: requestID, start: c.connectedAt}
	ent := p.startConnect(c, r, requestID)
	if stage.connect != nil && !stage.connect.bucket.Allow(c.connectedAt) {
		p.cfg.Metrics.Throttled(c.key.APIID, c.key.Stage, "$connect", "route")
		p.logEvent("CONNECT", c, requestID, "$connect", c.connectedAt, "status", http.StatusTooManyRequests)
		p.writeAccessLog(stage, connectReq, http.StatusTooManyRequests, "Too Many Requests")
		p.finishEntry(ent, http.StatusTooManyRequests)
		refuse(w, http.StatusTooManyRequests, "Too Many Requests")
		return
	}
	header := http.Header{}
	if stage.connect != nil && stage.connect.authorizer != nil {
		auth, status := p.authorize(r.Context(), stage, stage.connect.authorizer,
			&request{conn: c, eventType: "CONNECT", http: r, routeKey: "$connect", requestID: requestID, start: c.connectedAt, ent: ent})
		if status != 0 {
			p.logEvent("CONNECT", c, requestID, "$connect", c.connectedAt, "status", status, "refusedBy", "authorizer")
			p.writeAccessLog(stage, connectReq, status, http.StatusText(status))
			p.finishEntry(ent, status)
			refuse(w, status, http.StatusText(status))
			return
		}
		c.authorizer = auth
	}
	if stage.connect != nil {
		res := p.invoke(r.Context(), stage, stage.connect, &request{conn: c, eventType: "CONNECT", http: r,
			requestID: requestID, start: c.connectedAt, ent: ent})
		switch {
		case res.failure != "":
			// [I]: AWS does not document the status of a failed $connect
			// integration; 500 for errors, 504 for time-outs.
			status := http.StatusInternalServerError
			if res.failure == failTimeout {
				status = http.StatusGatewayTimeout
			}
			p.logEvent("CONNECT", c, requestID, "$connect", c.connectedAt, "status", status, "failure", res.failure)
			p.writeAccessLog(stage, connectReq, status, res.failure)
			p.finishEntry(ent, status)
			refuse(w, status, res.failure)
			return
		case res.status < 200 || res.status > 299:
			p.logEvent("CONNECT", c, requestID, "$connect", c.connectedAt, "status", res.status)
			p.writeAccessLog(stage, connectReq, res.status, "")
			p.finishEntry(ent, res.status)
			w.WriteHeader(res.status)
			return
		}
		// Only the subprotocol of the integration's answer reaches the
		// client (docs/aws-behaviours.md#websocket-connect).
		if proto := res.header.Get("Sec-WebSocket-Protocol"); proto != "" {
			header.Set("Sec-WebSocket-Protocol", proto)
		}
	}
	nc, rw, _, err := ws.HTTPUpgrader{Header: header}.Upgrade(r, w)
	if err != nil {
		p.finishEntry(ent, http.StatusBadRequest)
		return // the upgrader has answered the client
	}
	c.nc = nc
	// The server's request deadlines stay on a hijacked connection: the
	// socket's own limits (idle timeout, maximum duration) take over.
	nc.SetDeadline(time.Time{})
	// The 4 KB buffer net/http read the upgrade with is dropped for a
	// small one: idle connections are most of a server's memory.
	if rw.Reader.Buffered() > 0 {
		c.br = rw.Reader
	} else {
		c.br = bufio.NewReaderSize(nc, readBufferSize)
	}
	c.inFlight = make(chan struct{}, maxInFlight)
	p.conns.wg.Add(1)
	p.conns.add(c)
	c.armTimer()
	if p.stopping.Load() {
		// Shutdown began while this one was upgrading: it goes too.
		c.close(closeGoingAway, "Going away")
	}
	// Serve on a fresh goroutine and return: the handler's goroutine, deep
	// in net/http with its larger stack, ends here.
	p.logEvent("CONNECT", c, requestID, "$connect", c.connectedAt, "status", http.StatusSwitchingProtocols)
	p.writeAccessLog(stage, connectReq, http.StatusOK, "")
	p.finishEntry(ent, http.StatusSwitchingProtocols)
	go p.runConn(c)
}

// claim records the connection in the cluster's directory under a fresh
// id, drawing another while the id is taken on some node.
func (p *Engine) claim(ctx context.Context, c *conn) bool {
	for range 3 {
		err := p.cfg.Directory.Claim(ctx, c.id, c.key)
		if err == nil {
			return true
		}
		if !errors.Is(err, store.ErrConflict) {
			p.cfg.Logger.Warn("websocket: the cluster directory refused a connection", "err", err)
			return false
		}
		c.id = newConnectionID()
	}
	return false
}

// runConn serves an open connection until it closes, then runs
// $disconnect, once, whatever closed it, on the stage's current
// deployment.
func (p *Engine) runConn(c *conn) {
	c.readLoop()
	p.conns.remove(c)
	c.timer.Stop()
	if p.cfg.Directory != nil && !p.stopping.Load() {
		// (A node shutting down leaves the directory with all its
		// connections at once: no write per connection.)
		p.cfg.Directory.Release(c.id)
	}
	start := time.Now()
	req := &request{conn: c, eventType: "DISCONNECT", routeKey: "$disconnect", requestID: gateway.RequestID(), start: start}
	req.ent = p.startEntry(context.Background(), inspect.KindDisconnect, c, "$disconnect", req.requestID, start)
	if req.ent != nil {
		req.ent.CloseCode, req.ent.CloseReason = c.closeCode, c.closeReason
	}
	status := http.StatusOK
	cur, err := p.stage(context.Background(), c.key)
	if err == nil && cur.disconnect != nil {
		if res := p.invoke(context.Background(), cur, cur.disconnect, req); res.failure != "" {
			status = http.StatusInternalServerError
		}
	}
	if err == nil {
		p.writeAccessLog(cur, req, http.StatusOK, "")
	}
	p.logEvent("DISCONNECT", c, req.requestID, "$disconnect", start, "closeCode", c.closeCode, "closeReason", c.closeReason)
	p.finishEntry(req.ent, status)
	p.conns.wg.Done()
}

// armTimer enforces the idle timeout and the maximum duration with one
// timer that re-arms itself, so no timer is touched per message.
func (c *conn) armTimer() {
	idle, max := c.p.cfg.IdleTimeout, c.p.cfg.MaxDuration
	var check func()
	check = func() {
		now := time.Now()
		deadline := c.connectedAt.Add(max)
		if idleAt := c.lastActive().Add(idle); idleAt.Before(deadline) {
			deadline = idleAt
		}
		if !now.Before(deadline) {
			c.close(closeGoingAway, "Going away")
			return
		}
		c.timer.Reset(deadline.Sub(now))
	}
	c.timer = time.AfterFunc(idle, check)
	if max < idle {
		c.timer.Reset(max)
	}
}

// readLoop reads frames until the connection ends. Messages are handled
// as they complete; control frames are answered at once. A frame that
// breaks RFC 6455's framing rules fails the connection with 1002
// (sections 5.2-5.5, 7.4.1); the checks are on the header already read,
// so they cost no allocation.
func (c *conn) readLoop() {
	var msg []byte
	inMessage := false
	// One header buffer for the connection's life: ws.ReadHeader would
	// allocate one per frame.
	hb := make([]byte, 0, ws.MaxHeaderSize-2)
	for {
		h, err := ws.ReadHeaderBuffer(c.br, hb)
		if err != nil {
			if err == ws.ErrHeaderLengthMSB || err == ws.ErrHeaderLengthUnexpected {
				c.close(closeProtocol, "Invalid frame length")
				return
			}
			c.close(closeAbnormal, "")
			return
		}
		// Reserved opcodes, control frames over 125 bytes or fragmented,
		// RSV bits (no extension is ever negotiated), unmasked frames, and
		// data frames out of their fragmentation order.
		state := ws.StateServerSide
		if inMessage {
			state |= ws.StateFragmented
		}
		if err := ws.CheckHeader(h, state); err != nil {
			c.close(closeProtocol, err.Error())
			return
		}
		if h.Length > maxFrame {
			c.close(closeTooBig, "Frame size limit exceeded")
			return
		}
		payload := make([]byte, h.Length)
		if _, err := io.ReadFull(c.br, payload); err != nil {
			c.close(closeAbnormal, "")
			return
		}
		ws.Cipher(payload, h.Mask, 0)
		switch h.OpCode {
		case ws.OpClose:
			code, reason, ok := parseClose(payload)
			if !ok {
				c.close(closeProtocol, "Invalid close frame")
				return
			}
			c.close(code, reason)
			return
		case ws.OpPing:
			c.writeFrame(ws.OpPong, payload)
			continue
		case ws.OpPong:
			continue
		case ws.OpBinary:
			c.close(closeUnsupported, "Binary frames are not supported")
			return
		case ws.OpText:
			msg, inMessage = payload, true
		case ws.OpContinuation:
			if len(msg)+len(payload) > maxMessage {
				c.close(closeTooBig, "Message size limit exceeded")
				return
			}
			msg = append(msg, payload...)
		}
		if !h.Fin {
			continue
		}
		inMessage = false
		if !utf8.Valid(msg) {
			c.close(1007, "Invalid UTF-8")
			return
		}
		c.touch()
		c.p.handleMessage(c, string(msg))
		msg = nil
	}
}

// parseClose reads a client's close frame: no payload means no code
// (1005); otherwise a valid code and a UTF-8 reason (RFC 6455 section
// 5.5.1). ok is false for a 1-byte payload, a code an endpoint may not
// send, or a reason that is not UTF-8.
func parseClose(payload []byte) (code int, reason string, ok bool) {
	switch len(payload) {
	case 0:
		return closeNoStatus, "", true
	case 1:
		return 0, "", false
	}
	code = int(binary.BigEndian.Uint16(payload))
	if !validCloseCode(code) || !utf8.Valid(payload[2:]) {
		return 0, "", false
	}
	return code, string(payload[2:]), true
}

// validCloseCode: the codes a close frame may carry. RFC 6455 section
// 7.4.1 defines 1000-1003 and 1007-1011 (1004 is reserved; 1005, 1006 and
// 1015 must never be sent), IANA's registry adds 1012-1014, and 3000-4999
// belong to libraries and applications (section 7.4.2). Everything else,
// 0-999, 1016-2999 and 5000 up, is invalid. (ws.CheckCloseFrameData
// refuses 1012-1014 and accepts 5000 up, hence our own.)
func validCloseCode(code int) bool {
	switch {
	case code >= 1000 && code <= 1003, code >= 1007 && code <= 1014, code >= 3000 && code <= 4999:
		return true
	}
	return false
}

// send writes one text message, split into frames of at most 32 KB.
func (c *conn) send(data []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if c.isClosing() {
		return errGone
	}
	c.nc.SetWriteDeadline(time.Now().Add(writeTimeout))
	op := ws.OpText
	for {
		n := min(len(data), maxFrame)
		if err := writeFrameLocked(c.nc, ws.Header{Fin: n == len(data), OpCode: op, Length: int64(n)}, data[:n]); err != nil {
			go c.close(closeAbnormal, "")
			return errGone
		}
		data = data[n:]
		if len(data) == 0 {
			break
		}
		op = ws.OpContinuation
	}
	c.touch()
	return nil
}

func (c *conn) writeFrame(op ws.OpCode, payload []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.nc.SetWriteDeadline(time.Now().Add(writeTimeout))
	return writeFrameLocked(c.nc, ws.Header{Fin: true, OpCode: op, Length: int64(len(payload))}, payload)
}

// writeFrameLocked writes a header and its payload in one system call.
func writeFrameLocked(nc net.Conn, h ws.Header, payload []byte) error {
	var hb bytes.Buffer
	hb.Grow(ws.MaxHeaderSize)
	if err := ws.WriteHeader(&hb, h); err != nil {
		return err
	}
	bufs := net.Buffers{hb.Bytes(), payload}
	_, err := bufs.WriteTo(nc)
	return err
}

// close ends the connection once: it records why (for $disconnect), sends
// a close frame, and closes the socket, which ends the read loop.
func (c *conn) close(code int, reason string) {
	c.closeOnce.Do(func() {
		c.wmu.Lock()
		c.closing.Store(true)
		c.closeCode, c.closeReason = code, reason
		if code != closeAbnormal {
			var body []byte
			if code != closeNoStatus { // 1005 means "no code": an empty close frame
				body = ws.NewCloseFrameBody(ws.StatusCode(code), reason)
			}
			c.nc.SetWriteDeadline(time.Now().Add(time.Second))
			writeFrameLocked(c.nc, ws.Header{Fin: true, OpCode: ws.OpClose, Length: int64(len(body))}, body)
		}
		c.wmu.Unlock()
		c.nc.Close()
	})
}

// sourceIP is the client's address without its port.
func sourceIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
