package localtls

import (
	"crypto/tls"
	"errors"
	"io"
	"net"
	"sync"
	"time"
)

// recordTypeHandshake is the first byte of every TLS connection: a
// ClientHello travels in a handshake record (RFC 8446 section 5.1, RFC
// 5246 section 6.2.1). No HTTP/1.x request starts with it (a method is a
// token of visible ASCII, RFC 9110 section 9.1).
const recordTypeHandshake = 0x16

// sniffTimeout is how long a new connection has to send its first byte.
// net/http gives a request's headers 10 s (Portico's ReadHeaderTimeout);
// a client that has sent nothing by then would be closed by it too.
const sniffTimeout = 10 * time.Second

// Sniff wraps ln so that one port serves plain HTTP and TLS: Accept returns
// the connections that start with a TLS handshake as *tls.Conn (so
// net/http handshakes them, sets r.TLS, and hands them to Hijack as they
// are) and the others as plain connections, their first byte not lost.
//
// The first byte is awaited in a goroutine per connection, not in Accept:
// a client that connects and sends nothing holds only its own connection,
// and is closed after sniffTimeout. Connections still waiting when the
// listener closes are closed with it.
func Sniff(ln net.Listener, cfg *tls.Config) net.Listener {
	return sniff(ln, cfg, sniffTimeout)
}

func sniff(ln net.Listener, cfg *tls.Config, timeout time.Duration) *sniffListener {
	return &sniffListener{Listener: ln, cfg: cfg, timeout: timeout, ready: make(chan accepted), done: make(chan struct{}), waiting: map[net.Conn]bool{}}
}

type sniffListener struct {
	net.Listener
	cfg     *tls.Config
	timeout time.Duration

	start sync.Once
	// ready carries classified connections and the inner Accept's errors to
	// Accept; unbuffered, so that the inner listener is not drained
	// faster than Accept is called.
	ready chan accepted
	// done is closed when the listener is closed or fails for good; err
	// is then what Accept returns.
	done     chan struct{}
	stopOnce sync.Once
	err      error

	mu sync.Mutex
	// waiting are the connections whose first byte is awaited: closed
	// by stop, since their reads do not end with the listener.
	waiting map[net.Conn]bool
}

type accepted struct {
	c   net.Conn
	err error
}

func (l *sniffListener) Accept() (net.Conn, error) {
	l.start.Do(func() { go l.acceptLoop() })
	select {
	case a := <-l.ready:
		return a.c, a.err
	case <-l.done:
		return nil, l.err
	}
}

func (l *sniffListener) Close() error {
	l.stop(net.ErrClosed)
	return l.Listener.Close()
}

func (l *sniffListener) stop(err error) {
	l.stopOnce.Do(func() {
		l.mu.Lock()
		defer l.mu.Unlock()
		l.err = err
		close(l.done)
		for c := range l.waiting {
			c.Close()
		}
	})
}

func (l *sniffListener) acceptLoop() {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				l.stop(err)
				return
			}
			// Temporary (too many open files...) or not: the caller
			// decides, as it would without Sniff (http.Server retries
			// the temporary ones after a pause, and returns on the
			// others, closing the listener).
			if !l.deliver(accepted{err: err}) {
				return
			}
			continue
		}
		go l.classify(c)
	}
}

// deliver hands a to Accept; false when the listener closed first.
func (l *sniffListener) deliver(a accepted) bool {
	select {
	case l.ready <- a:
		return true
	case <-l.done:
		return false
	}
}

// classify reads c's first byte and delivers c as TLS or plain. A client that
// sends nothing within the timeout, or closes first, is closed without a
// word: there is no protocol to answer it in.
func (l *sniffListener) classify(c net.Conn) {
	if !l.track(c, true) {
		c.Close()
		return
	}
	var first [1]byte
	c.SetReadDeadline(time.Now().Add(l.timeout))
	_, err := io.ReadFull(c, first[:])
	if !l.track(c, false) || err != nil {
		c.Close()
		return
	}
	// The server sets its own deadlines from here on.
	c.SetReadDeadline(time.Time{})
	var out net.Conn = &peekedConn{Conn: c, first: first[0], pending: true}
	if first[0] == recordTypeHandshake {
		out = tls.Server(out, l.cfg)
	}
	if !l.deliver(accepted{c: out}) {
		c.Close()
	}
}

// track adds c to the waiting connections or removes it; false when the
// listener is closed (then c is, or is to be, closed).
func (l *sniffListener) track(c net.Conn, add bool) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	select {
	case <-l.done:
		return false
	default:
	}
	if add {
		l.waiting[c] = true
	} else {
		delete(l.waiting, c)
	}
	return true
}

// peekedConn is a connection whose first byte was read already: its first
// Read returns that byte.
type peekedConn struct {
	net.Conn
	first   byte
	pending bool
}

func (c *peekedConn) Read(p []byte) (int, error) {
	if c.pending && len(p) > 0 {
		p[0] = c.first
		c.pending = false
		return 1, nil
	}
	return c.Conn.Read(p)
}

// CloseWrite half-closes the connection (net/http does it before closing
// a connection it answered with an error, so the client reads the
// answer rather than a reset).
func (c *peekedConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return errors.ErrUnsupported
}

// ReadFrom keeps the TCP connection's sendfile and splice for net/http's
// responses copied from files and sockets; writes are not affected by the
// byte read ahead.
func (c *peekedConn) ReadFrom(r io.Reader) (int64, error) {
	return io.Copy(c.Conn, r)
}
