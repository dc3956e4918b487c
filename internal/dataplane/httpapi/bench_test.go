package httpapi_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"
	"github.com/golang-jwt/jwt/v5"

	"github.com/portico-dev/portico/server"
)

// The benchmarks put Portico's HTTP_PROXY route and a bare
// httputil.ReverseProxy in front of the same backend, in one process, so
// that their ratio is measured in one run:
//
//	go test ./internal/dataplane/httpapi -run '^$' -bench . -benchmem
//
// allocs/op include the client's and the backend's.

func benchBackend(b *testing.B) *httptest.Server {
	be := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"ok":true}`))
	}))
	b.Cleanup(be.Close)
	return be
}

func benchGet(b *testing.B, client *http.Client, target string) {
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			resp, err := client.Get(target)
			if err != nil {
				b.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				b.Fatal(resp.Status)
			}
		}
	})
}

func benchClient() *http.Client {
	return &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}}
}

func BenchmarkReverseProxy(b *testing.B) {
	be := benchBackend(b)
	u, _ := url.Parse(be.URL)
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.Transport = &http.Transport{MaxIdleConnsPerHost: 256}
	front := httptest.NewServer(rp)
	b.Cleanup(front.Close)
	b.ReportAllocs()
	b.ResetTimer()
	benchGet(b, benchClient(), front.URL+"/pets/1")
}

// BenchmarkHTTPProxy measures a route among 1 and 300: the cost per
// request must not grow with the routes.
func BenchmarkHTTPProxy(b *testing.B) {
	for _, n := range []int{1, 300} {
		b.Run(fmt.Sprintf("routes=%d", n), func(b *testing.B) {
			e := newEnv(b)
			be := benchBackend(b)
			api := e.httpAPI(b, nil)
			in := e.proxyIntegration(b, api, "GET", be.URL+"/pets/{id}", nil)
			for i := range n - 1 {
				_, err := e.c.CreateRoute(e.ctx, &apigatewayv2.CreateRouteInput{ApiId: &api,
					RouteKey: aws.String(fmt.Sprintf("GET /resource%d/{id}", i)), Target: aws.String("integrations/" + in)})
				must(b, err)
			}
			e.route(b, api, "GET /pets/{id}", in)
			b.ReportAllocs()
			b.ResetTimer()
			benchGet(b, benchClient(), e.url(api, "/pets/1"))
		})
	}
}

// BenchmarkHTTPProxyInspector is BenchmarkHTTPProxy's route with the
// inspector recording (the default) and off: what recording costs.
//
//	go test ./internal/dataplane/httpapi -run '^$' -bench HTTPProxyInspector -benchtime 3s -count 3
func BenchmarkHTTPProxyInspector(b *testing.B) {
	for _, on := range []bool{false, true} {
		b.Run(fmt.Sprintf("inspector=%v", on), func(b *testing.B) {
			e := newEnvWith(b, func(c *server.Config) {
				if !on {
					c.InspectEntries = -1
				}
			})
			be := benchBackend(b)
			api := e.httpAPI(b, nil)
			e.route(b, api, "GET /pets/{id}", e.proxyIntegration(b, api, "GET", be.URL+"/pets/{id}", nil))
			client := benchClient()
			benchGet(b, client, e.url(api, "/pets/1")) // warm: connections, the stage
			b.ReportAllocs()
			b.ResetTimer()
			cpu := processCPU()
			benchGet(b, client, e.url(api, "/pets/1"))
			// On a machine shared with other work, wall time says little;
			// the CPU the process (client, Portico and backend) spent per
			// request is what recording adds to.
			b.ReportMetric(float64((processCPU()-cpu).Nanoseconds())/float64(b.N), "cpu-ns/op")
		})
	}
}

// processCPU is the CPU time (user and system) the process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func BenchmarkLambdaProxy(b *testing.B) {
	e := newEnv(b)
	api := e.httpAPI(b, nil)
	e.route(b, api, "GET /pets/{id}", e.lambdaIntegration(b, api, "pets", "2.0"))
	b.ReportAllocs()
	b.ResetTimer()
	benchGet(b, benchClient(), e.url(api, "/pets/1"))
}

// BenchmarkJWTRoute is BenchmarkHTTPProxy's route behind a JWT authorizer
// with the same valid token on every request: what authorization adds.
func BenchmarkJWTRoute(b *testing.B) {
	e := newEnv(b)
	be := benchBackend(b)
	o := newOIDCB(b)
	api := e.httpAPI(b, nil)
	au, err := e.c.CreateAuthorizer(e.ctx, &apigatewayv2.CreateAuthorizerInput{ApiId: &api, Name: aws.String("jwt"),
		AuthorizerType: types.AuthorizerTypeJwt, IdentitySource: []string{"$request.header.Authorization"},
		JwtConfiguration: &types.JWTConfiguration{Issuer: aws.String(o.URL), Audience: []string{"my-app"}}})
	must(b, err)
	_, err = e.c.CreateRoute(e.ctx, &apigatewayv2.CreateRouteInput{ApiId: &api, RouteKey: aws.String("GET /pets/{id}"),
		Target:            aws.String("integrations/" + e.proxyIntegration(b, api, "GET", be.URL+"/pets/{id}", nil)),
		AuthorizationType: types.AuthorizationTypeJwt, AuthorizerId: au.AuthorizerId})
	must(b, err)
	tok := o.tokenB(b, jwt.MapClaims{"iss": o.URL, "aud": "my-app", "exp": time.Now().Add(time.Hour).Unix()})
	client := benchClient()
	target := e.url(api, "/pets/1")
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req, _ := http.NewRequest("GET", target, nil)
			req.Header.Set("Authorization", "Bearer "+tok)
			resp, err := client.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				b.Fatal(resp.Status)
			}
		}
	})
}
