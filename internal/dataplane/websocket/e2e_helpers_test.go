package websocket_test

// End-to-end harness for the data plane: a real Portico on a real
// listener and SQLite file, APIs built only through the real AWS SDK
// client, and a real WebSocket client (gobwas/ws's dialer and framing).

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"
	"github.com/gobwas/ws"

	"github.com/portico-dev/portico/internal/lambdatest"
	"github.com/portico-dev/portico/server"
)

type env struct {
	srv    *server.Server
	c      *apigatewayv2.Client
	ctx    context.Context
	lambda *lambdatest.Server
}

func newEnv(t *testing.T, tweak func(*server.Config)) *env {
	t.Helper()
	return startEnv(t, tweak)
}

// newBenchEnv is newEnv for benchmarks.
func newBenchEnv(b *testing.B) *env { return startEnv(b, nil) }

func startEnv(t testing.TB, tweak func(*server.Config)) *env {
	t.Helper()
	e := &env{ctx: t.Context()}
	e.lambda = lambdatest.New(func(fn string, event []byte) (any, string) {
		return map[string]any{"statusCode": 200, "body": "lambda:" + fn}, ""
	})
	t.Cleanup(e.lambda.Close)
	cfg := server.Config{Listen: "127.0.0.1:0", DataDir: t.TempDir(), LambdaEndpoint: e.lambda.URL}
	if tweak != nil {
		tweak(&cfg)
	}
	srv, err := server.Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	e.srv = srv
	t.Cleanup(func() { srv.Close() })
	e.c = e.clientAs("AKIDEXAMPLE")
	return e
}

// clientAs is an SDK client signing with the access key id key: a 12-digit
// key acts as that account, any other as the default one.
func (e *env) clientAs(key string) *apigatewayv2.Client {
	return apigatewayv2.New(apigatewayv2.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(e.srv.URL), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider(key, "secret", ""),
	})
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// wsAPI creates a WebSocket API selecting routes on $request.body.action.
func (e *env) wsAPI(t *testing.T) string {
	t.Helper()
	out, err := e.c.CreateApi(e.ctx, &apigatewayv2.CreateApiInput{Name: aws.String("ws"),
		ProtocolType: types.ProtocolTypeWebsocket, RouteSelectionExpression: aws.String("$request.body.action")})
	must(t, err)
	return *out.ApiId
}

func (e *env) httpProxy(t *testing.T, apiID, url string) string {
	t.Helper()
	out, err := e.c.CreateIntegration(e.ctx, &apigatewayv2.CreateIntegrationInput{ApiId: &apiID,
		IntegrationType: types.IntegrationTypeHttpProxy, IntegrationMethod: aws.String("POST"), IntegrationUri: aws.String(url)})
	must(t, err)
	return *out.IntegrationId
}

func lambdaURI(fn string) string {
	return "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:" + fn + "/invocations"
}

func (e *env) lambdaProxy(t *testing.T, apiID, fn string) string {
	t.Helper()
	out, err := e.c.CreateIntegration(e.ctx, &apigatewayv2.CreateIntegrationInput{ApiId: &apiID,
		IntegrationType: types.IntegrationTypeAwsProxy, IntegrationUri: aws.String(lambdaURI(fn))})
	must(t, err)
	return *out.IntegrationId
}

// route creates a route on an integration; twoWay adds the $default route
// response and the route response selection expression.
func (e *env) route(t *testing.T, apiID, key, integrationID string, twoWay bool) string {
	t.Helper()
	in := &apigatewayv2.CreateRouteInput{ApiId: &apiID, RouteKey: aws.String(key)}
	if integrationID != "" {
		in.Target = aws.String("integrations/" + integrationID)
	}
	if twoWay {
		in.RouteResponseSelectionExpression = aws.String("$default")
	}
	out, err := e.c.CreateRoute(e.ctx, in)
	must(t, err)
	if twoWay {
		_, err := e.c.CreateRouteResponse(e.ctx, &apigatewayv2.CreateRouteResponseInput{ApiId: &apiID,
			RouteId: out.RouteId, RouteResponseKey: aws.String("$default")})
		must(t, err)
	}
	return *out.RouteId
}

// deploy creates the stage if needed and deploys the API to it.
func (e *env) deploy(t *testing.T, apiID, stage string) {
	t.Helper()
	if _, err := e.c.GetStage(e.ctx, &apigatewayv2.GetStageInput{ApiId: &apiID, StageName: &stage}); err != nil {
		_, err := e.c.CreateStage(e.ctx, &apigatewayv2.CreateStageInput{ApiId: &apiID, StageName: &stage})
		must(t, err)
	}
	_, err := e.c.CreateDeployment(e.ctx, &apigatewayv2.CreateDeploymentInput{ApiId: &apiID, StageName: &stage})
	must(t, err)
}

func (e *env) wsURL(apiID, stage string) string {
	return "ws" + strings.TrimPrefix(e.srv.URL, "http") + "/_aws/execute-api/" + apiID + "/" + stage
}

// client is a WebSocket client.
type client struct {
	t    *testing.T
	conn net.Conn
	r    io.Reader
}

func (e *env) dial(t *testing.T, url string, header http.Header) (*client, error) {
	t.Helper()
	d := ws.Dialer{Timeout: 5 * time.Second}
	if strings.HasPrefix(url, "wss://") {
		pem, err := os.ReadFile(e.srv.CAFile())
		must(t, err)
		pool := x509.NewCertPool()
		pool.AppendCertsFromPEM(pem)
		d.TLSConfig = &tls.Config{RootCAs: pool}
	}
	if header != nil {
		d.Header = ws.HandshakeHeaderHTTP(header)
	}
	conn, br, _, err := d.Dial(e.ctx, url)
	if err != nil {
		return nil, err
	}
	c := &client{t: t, conn: conn, r: conn}
	if br != nil {
		c.r = io.MultiReader(br, conn)
	}
	t.Cleanup(func() { conn.Close() })
	return c, nil
}

func (e *env) mustDial(t *testing.T, url string) *client {
	t.Helper()
	c, err := e.dial(t, url, nil)
	must(t, err)
	return c
}

func (c *client) send(msg string) {
	c.t.Helper()
	must(c.t, ws.WriteFrame(c.conn, ws.MaskFrame(ws.NewTextFrame([]byte(msg)))))
}

func (c *client) sendFrame(f ws.Frame) {
	c.t.Helper()
	must(c.t, ws.WriteFrame(c.conn, ws.MaskFrame(f)))
}

// closed is the close frame the server sent.
type closed struct {
	code   int
	reason string
}

func (c closed) Error() string { return fmt.Sprintf("closed %d %q", c.code, c.reason) }

var errNothing = errors.New("nothing received")

// read returns the next message (reassembled from its frames) and how many
// frames it came in; a close frame is returned as a closed error, and a
// quiet connection as errNothing after wait.
func (c *client) read(wait time.Duration) (string, int, error) {
	c.conn.SetReadDeadline(time.Now().Add(wait))
	defer c.conn.SetReadDeadline(time.Time{})
	var msg []byte
	frames := 0
	for {
		f, err := ws.ReadFrame(c.r)
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() && frames == 0 {
				return "", 0, errNothing
			}
			return "", frames, err
		}
		switch f.Header.OpCode {
		case ws.OpClose:
			code := 1005
			if len(f.Payload) >= 2 {
				code = int(binary.BigEndian.Uint16(f.Payload))
			}
			reason := ""
			if len(f.Payload) > 2 {
				reason = string(f.Payload[2:])
			}
			return "", frames, closed{code, reason}
		case ws.OpPing, ws.OpPong:
			continue
		}
		frames++
		msg = append(msg, f.Payload...)
		if f.Header.Fin {
			return string(msg), frames, nil
		}
	}
}

func (c *client) mustRead() string {
	c.t.Helper()
	msg, _, err := c.read(5 * time.Second)
	must(c.t, err)
	return msg
}
