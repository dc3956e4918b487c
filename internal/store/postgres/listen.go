package postgres

import (
	"context"
	"net"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgconn/ctxwatch"
)

// listener is a Store's LISTEN session: a connection of its own, outside
// the pool (a pooled connection would be handed to transactions), and a
// goroutine that hands what it hears to Store.heard.
type listener struct {
	s    *Store
	cfg  *pgx.ConnConfig
	ctx  context.Context // ends when the Store closes
	stop context.CancelFunc
	done chan struct{}

	mu sync.Mutex
	// drop ends the current connection's wait, for kick.
	drop context.CancelFunc
}

const (
	dialTimeout = 10 * time.Second
	// maxRedialDelay caps the wait between two attempts to connect again.
	maxRedialDelay = 5 * time.Second
)

// listen connects, listens on channel and starts the goroutine. Listening
// has begun when it returns: every commit from then on is heard.
func listen(ctx context.Context, s *Store, cfg *pgx.ConnConfig) (*listener, error) {
	cfg = cfg.Copy()
	// A connection that only waits sends nothing, so nothing would tell
	// it that the server or the network between went away: TCP keepalives
	// do, within half a minute.
	dialer := &net.Dialer{KeepAliveConfig: net.KeepAliveConfig{
		Enable: true, Idle: 15 * time.Second, Interval: 5 * time.Second, Count: 3}}
	cfg.DialFunc = dialer.DialContext
	// Unlike the pool's (see Open), this connection's wait is cut short
	// at once: that is how kick and close end it.
	cfg.BuildContextWatcherHandler = func(c *pgconn.PgConn) ctxwatch.Handler {
		return &pgconn.DeadlineContextWatcherHandler{Conn: c.Conn()}
	}
	conn, err := dial(ctx, cfg)
	if err != nil {
		return nil, err
	}
	lctx, stop := context.WithCancel(context.Background())
	l := &listener{s: s, cfg: cfg, ctx: lctx, stop: stop, done: make(chan struct{})}
	go l.run(conn)
	return l, nil
}

func dial(ctx context.Context, cfg *pgx.ConnConfig) (*pgx.Conn, error) {
	ctx, cancel := context.WithTimeout(ctx, dialTimeout)
	defer cancel()
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if _, err := conn.Exec(ctx, "LISTEN "+channel); err != nil {
		conn.Close(ctx)
		return nil, err
	}
	return conn, nil
}

// run listens until the Store closes, connecting again whenever the
// connection is lost; then notices may have been missed (Store.lost).
func (l *listener) run(conn *pgx.Conn) {
	defer close(l.done)
	for {
		l.wait(conn)
		ctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
		conn.Close(ctx)
		cancel()
		if conn = l.redial(); conn == nil {
			return
		}
		l.s.lost()
	}
}

// wait hands what conn hears to the Store until conn fails, is kicked or
// the Store closes.
func (l *listener) wait(conn *pgx.Conn) {
	ctx, cancel := context.WithCancel(l.ctx)
	defer cancel()
	l.mu.Lock()
	l.drop = cancel
	l.mu.Unlock()
	var partial *message
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return
		}
		partial = l.s.heard(n.Payload, partial)
	}
}

// redial connects again, at once and then with growing pauses; nil once
// the Store closes.
func (l *listener) redial() *pgx.Conn {
	var delay time.Duration
	for {
		select {
		case <-l.ctx.Done():
			return nil
		case <-time.After(delay):
		}
		if conn, err := dial(l.ctx, l.cfg); err == nil {
			return conn
		}
		delay = min(max(2*delay, 100*time.Millisecond), maxRedialDelay)
	}
}

// kick drops the connection, which run then replaces: for a connection
// that seems to hear nothing any more.
func (l *listener) kick() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.drop != nil {
		l.drop()
	}
}

// close stops listening and waits for the goroutine to end.
func (l *listener) close() {
	l.stop()
	<-l.done
}
