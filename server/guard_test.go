package server_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"

	"github.com/portico-dev/portico/server"
)

// send is one request with extra headers ("Host" sets the Host).
func send(t *testing.T, method, url, body string, header map[string]string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		if k == "Host" {
			req.Host = v
		} else {
			req.Header.Set(k, v)
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func apiCount(t *testing.T, srv *server.Server) int {
	t.Helper()
	_, body := do(t, "GET", srv.URL+"/v2/apis", "")
	return strings.Count(body, `"apiId"`)
}

// TestBrowserPagesCannotDriveTheControlPlane is the defect where any web
// page could create APIs with a text/plain POST and wipe every account
// with POST /_portico/reset.
func TestBrowserPagesCannotDriveTheControlPlane(t *testing.T) {
	srv := start(t, server.Config{InMemory: true})
	create := `{"name":"a","protocolType":"HTTP"}`
	if resp, body := do(t, "POST", srv.URL+"/v2/apis", create); resp.StatusCode != 201 {
		t.Fatalf("create: %d %s", resp.StatusCode, body)
	}
	for _, c := range []struct {
		name, method, path string
		header             map[string]string
	}{
		{"cross-origin text/plain POST", "POST", "/v2/apis", map[string]string{"Origin": "https://evil.example", "Content-Type": "text/plain"}},
		{"reset from another origin", "POST", "/_portico/reset", map[string]string{"Origin": "https://evil.example"}},
		{"LocalStack's reset from another origin", "POST", "/_localstack/state/reset", map[string]string{"Origin": "http://localhost:3000"}},
		{"opaque origin (sandboxed iframe, file://)", "POST", "/_portico/reset", map[string]string{"Origin": "null"}},
		{"cross-site without Origin", "POST", "/_portico/reset", map[string]string{"Sec-Fetch-Site": "cross-site"}},
		{"another port of this host", "POST", "/v2/apis", map[string]string{"Origin": "http://127.0.0.1:1"}},
		{"DNS rebinding", "POST", "/_portico/reset", map[string]string{"Host": "evil.example:4800", "Origin": "http://evil.example:4800"}},
		{"DNS rebinding, read", "GET", "/v2/apis", map[string]string{"Host": "rebind.evil.example"}},
		{"DNS rebinding, health", "GET", "/_portico/health", map[string]string{"Host": "rebind.evil.example"}},
		// The web console and the calls it makes.
		{"the console framed by another site", "GET", "/_portico/", map[string]string{"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Dest": "iframe"}},
		{"DNS rebinding, the console", "GET", "/_portico/console/app.js", map[string]string{"Host": "rebind.evil.example"}},
		{"the console's snapshot from another origin", "GET", "/_portico/console/api/snapshot?api=x", map[string]string{"Origin": "https://evil.example"}},
		{"the console's defaults from another site", "GET", "/_portico/console/api/config", map[string]string{"Sec-Fetch-Site": "same-site"}},
		{"the accounts in use from another origin", "GET", "/_portico/console/api/scopes", map[string]string{"Origin": "https://evil.example"}},
		{"a route delete from another origin", "DELETE", "/v2/apis/x/routes/y", map[string]string{"Origin": "https://evil.example"}},
		{"the inspector from another origin", "GET", "/_portico/inspect/traffic", map[string]string{"Origin": "https://evil.example"}},
		{"a log tail from another origin", "GET", "/_portico/logs/g", map[string]string{"Origin": "http://localhost:3000"}},
	} {
		resp, body := send(t, c.method, srv.URL+c.path, create, c.header)
		if resp.StatusCode != 403 || resp.Header.Get("x-amzn-ErrorType") != "ForbiddenException" || !strings.Contains(body, `"message":"`) {
			t.Errorf("%s: %d %s %s", c.name, resp.StatusCode, resp.Header.Get("x-amzn-ErrorType"), body)
		}
	}
	if n := apiCount(t, srv); n != 1 {
		t.Errorf("%d APIs after the refused requests, want 1", n)
	}
}

func TestHostsAnswered(t *testing.T) {
	srv := start(t, server.Config{InMemory: true, AllowedHosts: []string{"portico", "*.corp.example"}})
	port := srv.URL[strings.LastIndex(srv.URL, ":"):]
	ok := []string{"127.0.0.1" + port, "localhost" + port, "LOCALHOST", "app.localhost" + port, "[::1]" + port,
		"10.1.2.3", "portico" + port, "ci.corp.example", "a.b.corp.example:443", ""}
	for _, host := range ok {
		if resp, body := send(t, "GET", srv.URL+"/v2/apis", "", map[string]string{"Host": host}); resp.StatusCode != 200 {
			t.Errorf("Host %q: %d %s", host, resp.StatusCode, body)
		}
	}
	for _, host := range []string{"corp.example", "portico.evil", "localhost.evil.example", "127.0.0.1.nip.io"} {
		if resp, _ := send(t, "GET", srv.URL+"/v2/apis", "", map[string]string{"Host": host}); resp.StatusCode != 403 {
			t.Errorf("Host %q: %d, want 403", host, resp.StatusCode)
		}
	}
	// A custom domain name configured in Portico is the data plane's: its
	// mappings answer (none here: AWS's 403), not the control plane.
	c := srv.Client()
	if _, err := c.CreateDomainName(context.Background(), &apigatewayv2.CreateDomainNameInput{DomainName: aws.String("api.example.com"),
		DomainNameConfigurations: []types.DomainNameConfiguration{{
			CertificateArn: aws.String("arn:aws:acm:us-east-1:000000000000:certificate/0f6a1c8e-1111-4c4b-9e7e-000000000000")}}}); err != nil {
		t.Fatal(err)
	}
	if resp, body := send(t, "GET", srv.URL+"/v2/apis", "", map[string]string{"Host": "api.example.com"}); resp.StatusCode != 403 || body != `{"message":"Forbidden"}` {
		t.Errorf("custom domain: %d %s", resp.StatusCode, body)
	}
}

// TestDataPlaneIsNotGuarded: execute-api stays open to browsers and to any
// Host, as on AWS; what a page may read is the API's CORS business.
func TestDataPlaneIsNotGuarded(t *testing.T) {
	srv := start(t, server.Config{InMemory: true})
	for _, c := range []struct{ url, host string }{
		{srv.URL + "/_aws/execute-api/nosuchapi/dev", "evil.example"},
		{srv.URL + "/dev", "nosuchapi.execute-api.localhost"},
	} {
		resp, body := send(t, "GET", c.url, "", map[string]string{"Host": c.host, "Origin": "https://evil.example"})
		if resp.StatusCode != 404 || body != `{"message":"Not Found"}` {
			t.Errorf("%s (Host %s): %d %s", c.url, c.host, resp.StatusCode, body)
		}
	}
}

func TestAllowedOrigins(t *testing.T) {
	srv := start(t, server.Config{InMemory: true, AllowedOrigins: []string{"https://app.example"}})
	// Portico's own pages (the console) may call it.
	own := map[string]string{"Origin": srv.URL, "Content-Type": "application/json"}
	if resp, body := send(t, "POST", srv.URL+"/v2/apis", `{"name":"a","protocolType":"HTTP"}`, own); resp.StatusCode != 201 {
		t.Errorf("own origin: %d %s", resp.StatusCode, body)
	}
	// A listed origin's preflight is answered, and its answers are readable.
	resp, _ := send(t, "OPTIONS", srv.URL+"/v2/apis", "", map[string]string{"Origin": "https://app.example",
		"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type, authorization"})
	if resp.StatusCode != 204 || resp.Header.Get("Access-Control-Allow-Origin") != "https://app.example" ||
		resp.Header.Get("Access-Control-Allow-Headers") != "content-type, authorization" ||
		!strings.Contains(resp.Header.Get("Access-Control-Allow-Methods"), "POST") {
		t.Errorf("preflight: %d %v", resp.StatusCode, resp.Header)
	}
	resp, body := send(t, "POST", srv.URL+"/v2/apis", `{"name":"b","protocolType":"HTTP"}`, map[string]string{"Origin": "https://app.example"})
	if resp.StatusCode != 201 || resp.Header.Get("Access-Control-Allow-Origin") != "https://app.example" ||
		!strings.Contains(resp.Header.Get("Access-Control-Expose-Headers"), "x-amzn-RequestId") {
		t.Errorf("listed origin: %d %v %s", resp.StatusCode, resp.Header, body)
	}
	// Another origin's preflight gets no CORS answer.
	resp, _ = send(t, "OPTIONS", srv.URL+"/v2/apis", "", map[string]string{"Origin": "https://evil.example",
		"Access-Control-Request-Method": "POST"})
	if resp.StatusCode != 403 || resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("other origin's preflight: %d %v", resp.StatusCode, resp.Header)
	}
	if n := apiCount(t, srv); n != 2 {
		t.Errorf("%d APIs, want 2", n)
	}
}
