// Package bench is the load tool behind `portico bench websocket`: it
// builds its own API through the control plane (with the real SDK client),
// opens many WebSocket connections, drives messages through a two-way
// route, and reports connection rate, round trips per second, latency
// percentiles and the server's resident memory.
package bench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"
	"github.com/gobwas/ws"
)

// Options are the knobs of one run.
type Options struct {
	URL         string        // Portico's base URL
	Connections int           // connections held open
	Rate        int           // messages per second over all connections; 0 = as fast as answers come
	Duration    time.Duration // how long messages are sent
	Route       string        // "mock" or "http-proxy"
	DialRate    int           // new connections per second while opening (0 = unpaced)
	Out         io.Writer
}

// Report is what a run measured.
type Report struct {
	Route          string
	Connections    int
	Opened         int
	ConnectPerSec  float64
	Sent, Received int64
	Errors         int64
	RoundTripsSec  float64
	P50, P99, P999 time.Duration
	ServerRSS      int64
	ServerConns    int64
}

// RunWebSocket performs one run.
func RunWebSocket(ctx context.Context, o Options) (*Report, error) {
	if o.Route == "" {
		o.Route = "mock"
	}
	c := apigatewayv2.New(apigatewayv2.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(o.URL), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("bench", "bench", ""),
	})
	var backend *httptest.Server
	if o.Route == "http-proxy" {
		// The backend echoes, so the two-way route returns the message.
		backend = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.Copy(w, r.Body)
		}))
		defer backend.Close()
	}
	apiID, err := buildAPI(ctx, c, o.Route, backend)
	if err != nil {
		return nil, fmt.Errorf("building the API: %w", err)
	}
	defer c.DeleteApi(context.Background(), &apigatewayv2.DeleteApiInput{ApiId: &apiID})
	wsURL := "ws" + strings.TrimPrefix(strings.TrimSuffix(o.URL, "/"), "http") + "/_aws/execute-api/" + apiID + "/bench"

	rep := &Report{Route: o.Route, Connections: o.Connections}
	conns := make([]*benchConn, 0, o.Connections)
	defer func() {
		for _, bc := range conns {
			bc.conn.Close()
		}
	}()
	start := time.Now()
	var pace <-chan time.Time
	if o.DialRate > 0 {
		t := time.NewTicker(time.Second / time.Duration(o.DialRate))
		defer t.Stop()
		pace = t.C
	}
	// Dial from several goroutines: one dialer would measure round-trip
	// latency, not how fast the server accepts.
	var mu sync.Mutex
	var dialErr error
	next := make(chan struct{})
	var dialers sync.WaitGroup
	for w := 0; w < 32; w++ {
		dialers.Add(1)
		go func() {
			defer dialers.Done()
			for range next {
				conn, br, _, err := ws.Dialer{Timeout: 10 * time.Second}.Dial(ctx, wsURL)
				mu.Lock()
				if err != nil {
					dialErr = err
				} else {
					r := io.Reader(conn)
					if br != nil {
						r = io.MultiReader(br, conn)
					}
					conns = append(conns, &benchConn{conn: conn, r: bufio.NewReaderSize(r, 512)})
				}
				mu.Unlock()
			}
		}()
	}
	for i := 0; i < o.Connections; i++ {
		if pace != nil {
			<-pace
		}
		mu.Lock()
		failed := dialErr != nil
		mu.Unlock()
		if failed {
			break
		}
		next <- struct{}{}
	}
	close(next)
	dialers.Wait()
	if dialErr != nil {
		fmt.Fprintf(o.Out, "opened %d connections, then: %v\n", len(conns), dialErr)
	}
	rep.Opened = len(conns)
	rep.ConnectPerSec = float64(len(conns)) / time.Since(start).Seconds()
	if len(conns) == 0 {
		return rep, errors.New("no connection could be opened")
	}
	rep.ServerRSS, rep.ServerConns = serverStats(o.URL)

	lat := newLatencies()
	var sent, received, failed atomic.Int64
	runCtx, cancel := context.WithTimeout(ctx, o.Duration)
	defer cancel()
	var wg sync.WaitGroup
	// Readers: each connection's answers, matched by the send time they carry.
	for _, bc := range conns {
		wg.Add(1)
		go func(bc *benchConn) {
			defer wg.Done()
			for {
				msg, err := bc.readText()
				if err != nil {
					return
				}
				sentAt := sendTime(msg)
				if sentAt == 0 {
					failed.Add(1)
					continue
				}
				lat.add(time.Since(time.Unix(0, sentAt)))
				received.Add(1)
				if o.Rate == 0 && runCtx.Err() == nil {
					// Closed loop: the next message goes when the answer is in.
					if bc.send() == nil {
						sent.Add(1)
					}
				}
			}
		}(bc)
	}
	t0 := time.Now()
	if o.Rate == 0 {
		for _, bc := range conns {
			if bc.send() == nil {
				sent.Add(1)
			}
		}
		<-runCtx.Done()
	} else {
		// Open loop: a fixed rate over all connections, round robin.
		interval := time.Second / time.Duration(o.Rate)
		next := time.Now()
		for i := 0; runCtx.Err() == nil; i++ {
			next = next.Add(interval)
			if d := time.Until(next); d > 0 {
				time.Sleep(d)
			}
			if conns[i%len(conns)].send() == nil {
				sent.Add(1)
			}
		}
	}
	elapsed := time.Since(t0)
	time.Sleep(500 * time.Millisecond) // answers still on their way
	if rss, n := serverStats(o.URL); rss > rep.ServerRSS {
		rep.ServerRSS, rep.ServerConns = rss, n
	}
	for _, bc := range conns {
		bc.conn.Close()
	}
	wg.Wait()
	conns = nil
	rep.Sent, rep.Received, rep.Errors = sent.Load(), received.Load(), failed.Load()
	rep.RoundTripsSec = float64(rep.Received) / elapsed.Seconds()
	rep.P50, rep.P99, rep.P999 = lat.percentile(0.50), lat.percentile(0.99), lat.percentile(0.999)
	return rep, nil
}

// Print writes the report for people.
func (r *Report) Print(w io.Writer) {
	fmt.Fprintf(w, "route %s: %d of %d connections opened, %.0f connections/s\n", r.Route, r.Opened, r.Connections, r.ConnectPerSec)
	fmt.Fprintf(w, "messages: %d sent, %d answered, %d bad; %.0f round trips/s\n", r.Sent, r.Received, r.Errors, r.RoundTripsSec)
	fmt.Fprintf(w, "latency: p50 %v, p99 %v, p99.9 %v\n", r.P50, r.P99, r.P999)
	fmt.Fprintf(w, "server: %.1f MB resident with %d connections open\n", float64(r.ServerRSS)/(1<<20), r.ServerConns)
}

// buildAPI makes a WebSocket API whose $default route answers with the
// message: a MOCK integration whose response template returns the body, or
// an HTTP_PROXY integration to an echoing backend.
func buildAPI(ctx context.Context, c *apigatewayv2.Client, route string, backend *httptest.Server) (string, error) {
	api, err := c.CreateApi(ctx, &apigatewayv2.CreateApiInput{Name: aws.String("portico-bench"),
		ProtocolType: types.ProtocolTypeWebsocket, RouteSelectionExpression: aws.String("$request.body.action")})
	if err != nil {
		return "", err
	}
	in := &apigatewayv2.CreateIntegrationInput{ApiId: api.ApiId}
	switch route {
	case "mock":
		in.IntegrationType = types.IntegrationTypeMock
		// The rendered request carries the message; the response
		// template returns it (a MOCK's $input there is its request).
		in.RequestTemplates = map[string]string{"$default": `{"statusCode": 200, "echo": $input.json('$')}`}
		in.TemplateSelectionExpression = aws.String("\\$default")
	case "http-proxy":
		in.IntegrationType = types.IntegrationTypeHttpProxy
		in.IntegrationMethod = aws.String("POST")
		in.IntegrationUri = aws.String(backend.URL)
	default:
		return "", fmt.Errorf("unknown route %q: mock or http-proxy", route)
	}
	integ, err := c.CreateIntegration(ctx, in)
	if err != nil {
		return "", err
	}
	if route == "mock" {
		if _, err := c.CreateIntegrationResponse(ctx, &apigatewayv2.CreateIntegrationResponseInput{ApiId: api.ApiId,
			IntegrationId: integ.IntegrationId, IntegrationResponseKey: aws.String("$default"),
			ResponseTemplates: map[string]string{"$default": "$input.json('$.echo')"}, TemplateSelectionExpression: aws.String("\\$default")}); err != nil {
			return "", err
		}
	}
	r, err := c.CreateRoute(ctx, &apigatewayv2.CreateRouteInput{ApiId: api.ApiId, RouteKey: aws.String("$default"),
		Target: aws.String("integrations/" + *integ.IntegrationId), RouteResponseSelectionExpression: aws.String("$default")})
	if err != nil {
		return "", err
	}
	if _, err := c.CreateRouteResponse(ctx, &apigatewayv2.CreateRouteResponseInput{ApiId: api.ApiId, RouteId: r.RouteId,
		RouteResponseKey: aws.String("$default")}); err != nil {
		return "", err
	}
	if _, err := c.CreateStage(ctx, &apigatewayv2.CreateStageInput{ApiId: api.ApiId, StageName: aws.String("bench")}); err != nil {
		return "", err
	}
	if _, err := c.CreateDeployment(ctx, &apigatewayv2.CreateDeploymentInput{ApiId: api.ApiId, StageName: aws.String("bench")}); err != nil {
		return "", err
	}
	return *api.ApiId, nil
}

type benchConn struct {
	conn net.Conn
	r    *bufio.Reader
	wmu  sync.Mutex
}

func (bc *benchConn) send() error {
	msg := fmt.Appendf(nil, `{"action":"bench","T":%d}`, time.Now().UnixNano())
	bc.wmu.Lock()
	defer bc.wmu.Unlock()
	return ws.WriteFrame(bc.conn, ws.MaskFrame(ws.NewTextFrame(msg)))
}

// readText returns the next text message.
func (bc *benchConn) readText() ([]byte, error) {
	var msg []byte
	for {
		h, err := ws.ReadHeader(bc.r)
		if err != nil {
			return nil, err
		}
		p := make([]byte, h.Length)
		if _, err := io.ReadFull(bc.r, p); err != nil {
			return nil, err
		}
		switch h.OpCode {
		case ws.OpClose:
			code := 0
			if len(p) >= 2 {
				code = int(binary.BigEndian.Uint16(p))
			}
			return nil, fmt.Errorf("closed by the server: %d", code)
		case ws.OpPing, ws.OpPong:
			continue
		}
		msg = append(msg, p...)
		if h.Fin {
			return msg, nil
		}
	}
}

// sendTime reads the "T" the message was sent with, without a JSON
// decoder: the load client must stay light so that it measures the
// server, not itself. 0 when the answer is not the echo.
func sendTime(msg []byte) int64 {
	i := bytes.Index(msg, []byte(`"T":`))
	if i < 0 {
		return 0
	}
	var t int64
	for _, c := range msg[i+4:] {
		if c < '0' || c > '9' {
			break
		}
		t = t*10 + int64(c-'0')
	}
	return t
}

// latencies keeps every sample: a run holds at most a few million.
type latencies struct {
	mu sync.Mutex
	d  []time.Duration
}

func newLatencies() *latencies { return &latencies{d: make([]time.Duration, 0, 1<<16)} }

func (l *latencies) add(d time.Duration) {
	l.mu.Lock()
	l.d = append(l.d, d)
	l.mu.Unlock()
}

func (l *latencies) percentile(p float64) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.d) == 0 {
		return 0
	}
	slices.Sort(l.d)
	return l.d[min(len(l.d)-1, int(float64(len(l.d))*p))]
}

// serverStats reads the server's resident memory and open connections
// from its operations endpoint.
func serverStats(base string) (rss, conns int64) {
	resp, err := http.Get(strings.TrimSuffix(base, "/") + "/_portico/stats")
	if err != nil {
		return 0, 0
	}
	defer resp.Body.Close()
	var s struct {
		RSSBytes             int64 `json:"rssBytes"`
		WebSocketConnections int64 `json:"webSocketConnections"`
	}
	json.NewDecoder(resp.Body).Decode(&s)
	return s.RSSBytes, s.WebSocketConnections
}
