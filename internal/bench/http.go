package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"

	"github.com/portico-dev/portico/internal/lambdatest"
	"github.com/portico-dev/portico/server"
)

// HTTPOptions are the knobs of `portico bench http`.
type HTTPOptions struct {
	// URL is a running Portico; empty: the run starts its own, in this
	// process, in memory, with the Lambda fake as its Lambda endpoint.
	URL string
	// LambdaListen is where the Lambda fake listens, for an external
	// Portico started with --lambda-endpoint http://LambdaListen; empty
	// with URL set: the AWS_PROXY target is skipped.
	LambdaListen string
	Connections  int           // concurrent keep-alive connections (closed loop: one request in flight each)
	Rate         int           // fixed-rate requests/s over all connections; 0: closed loop only
	Duration     time.Duration // per target and mode
	Routes       int           // routes in the API besides the measured ones (exercises the route table)
	Out          io.Writer
}

// HTTPReport is one run: each target in each mode.
type HTTPReport struct {
	Results []HTTPResult
}

// HTTPResult is one target in one mode.
type HTTPResult struct {
	Target, Mode     string
	Requests, Errors int64
	RPS              float64
	P50, P99, P999   time.Duration
}

// The targets, in the order they run: the backend itself, a bare
// httputil.ReverseProxy in front of it, Portico's HTTP_PROXY route in
// front of it, and Portico's AWS_PROXY route to the Lambda fake.
const (
	targetDirect       = "backend directly"
	targetReverseProxy = "httputil.ReverseProxy"
	targetHTTPProxy    = "Portico HTTP_PROXY"
	// targetInspectorOff is the same route on a Portico with the
	// inspector off (--inspect-entries 0): what recording costs.
	targetInspectorOff = "Portico HTTP_PROXY, inspector off"
	targetAWSProxy     = "Portico AWS_PROXY"
)

// RunHTTP performs one run.
func RunHTTP(ctx context.Context, o HTTPOptions) (*HTTPReport, error) {
	if o.Connections <= 0 {
		o.Connections = 50
	}
	if o.Duration <= 0 {
		o.Duration = 5 * time.Second
	}
	backend, err := serve("127.0.0.1:0", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"ok":true,"from":"backend"}`))
	}))
	if err != nil {
		return nil, err
	}
	defer backend.Close()
	backendURL, _ := url.Parse(backend.URL)
	rp := httputil.NewSingleHostReverseProxy(backendURL)
	rp.Transport = &http.Transport{MaxIdleConns: 4096, MaxIdleConnsPerHost: 1024, IdleConnTimeout: 90 * time.Second}
	proxy, err := serve("127.0.0.1:0", rp)
	if err != nil {
		return nil, err
	}
	defer proxy.Close()

	lambda := lambdatest.NewQuiet(func(string, []byte) (any, string) {
		return map[string]any{"statusCode": 200, "body": `{"ok":true,"from":"lambda"}`}, ""
	}, o.LambdaListen)
	defer lambda.Close()
	base, offBase := o.URL, ""
	if base == "" {
		srv, err := server.Start(server.Config{Listen: "127.0.0.1:0", InMemory: true, LambdaEndpoint: lambda.URL, NoQuotas: true})
		if err != nil {
			return nil, err
		}
		defer srv.Close()
		base = srv.URL
		off, err := server.Start(server.Config{Listen: "127.0.0.1:0", InMemory: true, LambdaEndpoint: lambda.URL, NoQuotas: true,
			InspectEntries: -1})
		if err != nil {
			return nil, err
		}
		defer off.Close()
		offBase = off.URL
	}
	api, cleanup, err := benchAPI(ctx, base, backend.URL, o.Routes)
	if err != nil {
		return nil, err
	}
	defer cleanup()
	targets := []struct{ name, url string }{
		{targetDirect, backend.URL + "/bench/proxy"},
		{targetReverseProxy, proxy.URL + "/bench/proxy"},
		{targetHTTPProxy, api + "/bench/proxy"},
	}
	if offBase != "" {
		offAPI, _, err := benchAPI(ctx, offBase, backend.URL, o.Routes)
		if err != nil {
			return nil, err
		}
		targets = append(targets, struct{ name, url string }{targetInspectorOff, offAPI + "/bench/proxy"})
	}
	if o.URL == "" || o.LambdaListen != "" {
		targets = append(targets, struct{ name, url string }{targetAWSProxy, api + "/bench/lambda"})
	}
	rep := &HTTPReport{}
	modes := []string{"closed loop"}
	if o.Rate > 0 {
		modes = append(modes, fmt.Sprintf("%d/s", o.Rate))
	}
	for _, mode := range modes {
		for _, t := range targets {
			if ctx.Err() != nil {
				return rep, ctx.Err()
			}
			rate := 0
			if mode != "closed loop" {
				rate = o.Rate
			}
			res, err := load(ctx, t.url, o.Connections, rate, o.Duration)
			if err != nil {
				return rep, fmt.Errorf("%s: %w", t.name, err)
			}
			res.Target, res.Mode = t.name, mode
			rep.Results = append(rep.Results, *res)
		}
	}
	return rep, nil
}

// benchAPI builds the measured API on the Portico at base and returns
// its path-style URL, and what deletes it.
func benchAPI(ctx context.Context, base, backendURL string, routes int) (string, func(), error) {
	c := apigatewayv2.New(apigatewayv2.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(base), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("bench", "bench", ""),
	})
	apiID, err := buildHTTPAPI(ctx, c, backendURL, routes)
	if err != nil {
		return "", nil, fmt.Errorf("building the API: %w", err)
	}
	cleanup := func() { c.DeleteApi(context.Background(), &apigatewayv2.DeleteApiInput{ApiId: &apiID}) }
	return strings.TrimSuffix(base, "/") + "/_aws/execute-api/" + apiID, cleanup, nil
}

// buildHTTPAPI makes the API the run measures: GET /bench/proxy to the
// backend, GET /bench/lambda to the Lambda fake, extra REST-like routes,
// and an autoDeploy $default stage.
func buildHTTPAPI(ctx context.Context, c *apigatewayv2.Client, backendURL string, extra int) (string, error) {
	api, err := c.CreateApi(ctx, &apigatewayv2.CreateApiInput{Name: aws.String("bench-http"), ProtocolType: types.ProtocolTypeHttp})
	if err != nil {
		return "", err
	}
	id := api.ApiId
	proxy, err := c.CreateIntegration(ctx, &apigatewayv2.CreateIntegrationInput{ApiId: id, IntegrationType: types.IntegrationTypeHttpProxy,
		IntegrationMethod: aws.String("GET"), IntegrationUri: aws.String(backendURL + "/bench/proxy"), PayloadFormatVersion: aws.String("1.0")})
	if err != nil {
		return "", err
	}
	fn, err := c.CreateIntegration(ctx, &apigatewayv2.CreateIntegrationInput{ApiId: id, IntegrationType: types.IntegrationTypeAwsProxy,
		IntegrationUri:       aws.String("arn:aws:lambda:us-east-1:000000000000:function:bench"),
		PayloadFormatVersion: aws.String("2.0")})
	if err != nil {
		return "", err
	}
	routes := map[string]*string{"GET /bench/proxy": proxy.IntegrationId, "GET /bench/lambda": fn.IntegrationId}
	for i := range extra {
		routes[fmt.Sprintf("GET /resource%d/{id}", i)] = proxy.IntegrationId
	}
	for key, in := range routes {
		if _, err := c.CreateRoute(ctx, &apigatewayv2.CreateRouteInput{ApiId: id, RouteKey: aws.String(key),
			Target: aws.String("integrations/" + *in)}); err != nil {
			return "", err
		}
	}
	if _, err := c.CreateStage(ctx, &apigatewayv2.CreateStageInput{ApiId: id, StageName: aws.String("$default"),
		AutoDeploy: aws.Bool(true)}); err != nil {
		return "", err
	}
	return *id, nil
}

// load drives GETs at url from conns keep-alive connections: each sends its
// next request when the last is answered (rate 0), or at rate requests/s
// over all of them, the latency then counted from when each request was
// due (so a stall is not hidden by the requests it delayed).
func load(ctx context.Context, target string, conns, rate int, d time.Duration) (*HTTPResult, error) {
	tr := &http.Transport{MaxIdleConns: conns, MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns, IdleConnTimeout: time.Minute}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	// One request first: a target that does not answer 200 fails the run.
	if err := get(client, target); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var due chan time.Time
	if rate > 0 {
		due = make(chan time.Time, conns)
		go func() {
			defer close(due)
			interval := time.Second / time.Duration(rate)
			next := time.Now()
			for ctx.Err() == nil {
				next = next.Add(interval)
				if wait := time.Until(next); wait > 0 {
					time.Sleep(wait)
				}
				select {
				case due <- next:
				case <-ctx.Done():
				}
			}
		}()
	}
	lat := newLatencies()
	var n, errs atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				t0 := time.Now()
				if due != nil {
					var ok bool
					if t0, ok = <-due; !ok {
						return
					}
				}
				err := get(client, target)
				if ctx.Err() != nil {
					return
				}
				if err != nil {
					errs.Add(1)
					continue
				}
				n.Add(1)
				lat.add(time.Since(t0))
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	return &HTTPResult{Requests: n.Load(), Errors: errs.Load(), RPS: float64(n.Load()) / elapsed.Seconds(),
		P50: lat.percentile(0.50), P99: lat.percentile(0.99), P999: lat.percentile(0.999)}, nil
}

func get(c *http.Client, target string) error {
	resp, err := c.Get(target)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return errors.New(target + ": " + resp.Status)
	}
	return nil
}

// Print writes the report with each Portico figure's ratio to the bare
// reverse proxy's in the same mode.
func (r *HTTPReport) Print(w io.Writer) {
	fmt.Fprintf(w, "%-34s %-12s %10s %8s %10s %10s %10s %s\n", "target", "mode", "requests/s", "errors", "p50", "p99", "p99.9", "vs ReverseProxy")
	ref := map[string]HTTPResult{}
	for _, res := range r.Results {
		if res.Target == targetReverseProxy {
			ref[res.Mode] = res
		}
	}
	for _, res := range r.Results {
		ratio := ""
		if rp, ok := ref[res.Mode]; ok && res.Target != targetReverseProxy && rp.RPS > 0 {
			ratio = fmt.Sprintf("%.2fx throughput, p99 %+.2f ms", res.RPS/rp.RPS, float64(res.P99-rp.P99)/float64(time.Millisecond))
		}
		fmt.Fprintf(w, "%-34s %-12s %10.0f %8d %10s %10s %10s %s\n", res.Target, res.Mode, res.RPS, res.Errors,
			res.P50.Round(time.Microsecond), res.P99.Round(time.Microsecond), res.P999.Round(time.Microsecond), ratio)
	}
}

// serve runs h on a listener of its own.
func serve(addr string, h http.Handler) (*runningServer, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	s := &http.Server{Handler: h}
	go s.Serve(ln)
	return &runningServer{URL: "http://" + ln.Addr().String(), s: s}, nil
}

type runningServer struct {
	URL string
	s   *http.Server
}

func (r *runningServer) Close() { r.s.Close() }
