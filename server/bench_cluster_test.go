package server_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"
	"github.com/gobwas/ws"
	"github.com/gobwas/ws/wsutil"

	"github.com/portico-dev/portico/internal/store/postgres/pgtest"
	"github.com/portico-dev/portico/server"
)

// BenchmarkConnectionsPost: a @connections POST to a connection on the
// node that is called (local) against one that another node holds, which
// looks the owner up in the directory and forwards the call (remote).
// Both nodes share one PostgreSQL database. The client reads every
// message, so an op is a whole delivery.
//
//	PORTICO_TEST_POSTGRES=... go test ./server -run '^$' -bench ConnectionsPost
func BenchmarkConnectionsPost(b *testing.B) {
	pg := pgtest.URL(b)
	start := func() *server.Server {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		srv, err := server.Start(server.Config{Listen: addr, DataDir: b.TempDir(), Store: pg,
			AdvertiseURL: "http://" + addr, ClusterSecret: "bench-secret-0123456789"})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { srv.Close() })
		return srv
	}
	a, other := start(), start()
	ctx := context.Background()
	c := a.Client()
	// A "whoami" route answers the connection's id: a MOCK integration
	// whose response template is $context.connectionId.
	api, err := c.CreateApi(ctx, &apigatewayv2.CreateApiInput{Name: aws.String("ws"), ProtocolType: types.ProtocolTypeWebsocket,
		RouteSelectionExpression: aws.String("$request.body.action")})
	if err != nil {
		b.Fatal(err)
	}
	integ, err := c.CreateIntegration(ctx, &apigatewayv2.CreateIntegrationInput{ApiId: api.ApiId, IntegrationType: types.IntegrationTypeMock,
		RequestTemplates: map[string]string{"$default": `{"statusCode": 200}`}, TemplateSelectionExpression: aws.String("\\$default")})
	if err == nil {
		_, err = c.CreateIntegrationResponse(ctx, &apigatewayv2.CreateIntegrationResponseInput{ApiId: api.ApiId, IntegrationId: integ.IntegrationId,
			IntegrationResponseKey: aws.String("$default"), ResponseTemplates: map[string]string{"$default": "$context.connectionId"},
			TemplateSelectionExpression: aws.String("\\$default")})
	}
	var route *apigatewayv2.CreateRouteOutput
	if err == nil {
		route, err = c.CreateRoute(ctx, &apigatewayv2.CreateRouteInput{ApiId: api.ApiId, RouteKey: aws.String("whoami"),
			Target: aws.String("integrations/" + *integ.IntegrationId), RouteResponseSelectionExpression: aws.String("$default")})
	}
	if err == nil {
		_, err = c.CreateRouteResponse(ctx, &apigatewayv2.CreateRouteResponseInput{ApiId: api.ApiId, RouteId: route.RouteId,
			RouteResponseKey: aws.String("$default")})
	}
	if err == nil {
		_, err = c.CreateStage(ctx, &apigatewayv2.CreateStageInput{ApiId: api.ApiId, StageName: aws.String("prod"), AutoDeploy: aws.Bool(true)})
	}
	if err != nil {
		b.Fatal(err)
	}
	// A client on node a.
	conn, br, _, err := ws.Dialer{Timeout: 5 * time.Second}.Dial(ctx, "ws"+strings.TrimPrefix(a.URL, "http")+"/_aws/execute-api/"+*api.ApiId+"/prod")
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	var r io.Reader = conn
	if br != nil {
		r = io.MultiReader(br, conn)
	}
	rw := struct {
		io.Reader
		io.Writer
	}{r, conn}
	if err := wsutil.WriteClientText(conn, []byte(`{"action":"whoami"}`)); err != nil {
		b.Fatal(err)
	}
	idBytes, err := wsutil.ReadServerText(rw)
	if err != nil {
		b.Fatal(err)
	}
	id := string(idBytes)
	for _, tc := range []struct {
		name string
		via  *server.Server
	}{{"local", a}, {"remote", other}} {
		b.Run(tc.name, func(b *testing.B) {
			url := tc.via.URL + "/_aws/execute-api/" + *api.ApiId + "/prod/@connections/" + id
			for b.Loop() {
				resp, err := http.Post(url, "text/plain", strings.NewReader("ping"))
				if err != nil {
					b.Fatal(err)
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					b.Fatalf("status %d", resp.StatusCode)
				}
				if _, err := wsutil.ReadServerText(rw); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
