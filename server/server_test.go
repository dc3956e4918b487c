package server_test

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/portico-dev/portico/server"
)

func start(t *testing.T, cfg server.Config) *server.Server {
	t.Helper()
	if cfg.Listen == "" {
		cfg.Listen = "127.0.0.1:0"
	}
	if cfg.DataDir == "" && !cfg.InMemory {
		cfg.DataDir = t.TempDir()
	}
	srv, err := server.Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

func do(t *testing.T, method, url, body string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func TestHealthAndReset(t *testing.T) {
	srv := start(t, server.Config{})
	resp, body := do(t, "GET", srv.URL+"/_portico/health", "")
	if resp.StatusCode != 200 || !strings.Contains(body, "ok") {
		t.Fatalf("health: %d %s", resp.StatusCode, body)
	}
	resp, body = do(t, "POST", srv.URL+"/v2/apis", `{"name":"a","protocolType":"HTTP"}`)
	if resp.StatusCode != 201 {
		t.Fatalf("create: %d %s", resp.StatusCode, body)
	}
	resp, _ = do(t, "POST", srv.URL+"/_portico/reset", "")
	if resp.StatusCode != 204 {
		t.Fatalf("reset: %d", resp.StatusCode)
	}
	_, body = do(t, "GET", srv.URL+"/v2/apis", "")
	if body != `{"items":[]}` {
		t.Fatalf("after reset: %s", body)
	}
}

func TestEndpointStyles(t *testing.T) {
	for style, want := range map[string]string{
		"aws":   "wss://%s.execute-api.eu-west-1.amazonaws.com",
		"local": "ws://127.0.0.1:%s/_aws/execute-api/%s",
	} {
		srv := start(t, server.Config{InMemory: true, EndpointStyle: style, Region: "eu-west-1"})
		_, body := do(t, "POST", srv.URL+"/v2/apis", `{"name":"a","protocolType":"WEBSOCKET","routeSelectionExpression":"$request.body.action"}`)
		var api struct{ ApiId, ApiEndpoint string }
		json.Unmarshal([]byte(body), &api)
		var exp string
		if style == "aws" {
			exp = strings.Replace(want, "%s", api.ApiId, 1)
		} else {
			port := srv.URL[strings.LastIndex(srv.URL, ":")+1:]
			exp = strings.Replace(strings.Replace(want, "%s", port, 1), "%s", api.ApiId, 1)
		}
		if api.ApiEndpoint != exp {
			t.Errorf("%s: apiEndpoint %q, want %q", style, api.ApiEndpoint, exp)
		}
	}
}

// TestEveryOperationIsRouted walks the model's 103 operations: each is sent
// with its required members filled in, and must reach its implementation:
// no 501 (every operation is implemented), no 404 or 405 from the router,
// no 5xx.
func TestEveryOperationIsRouted(t *testing.T) {
	m := loadModel(t)
	srv := start(t, server.Config{InMemory: true})
	names := make([]string, 0, len(m.Operations))
	for n := range m.Operations {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		op := m.Operations[name]
		path, query, body := m.minimalRequest(op)
		req, _ := http.NewRequest(op.HTTP.Method, srv.URL+path+query, strings.NewReader(body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		switch {
		case resp.StatusCode >= 500:
			t.Errorf("%s: %d %s", name, resp.StatusCode, b)
		case resp.StatusCode == 405 || strings.Contains(string(b), "No ApiGatewayV2 operation matches"):
			t.Errorf("%s: the router did not find it: %d %s", name, resp.StatusCode, b)
		}
	}
	if len(names) != 103 {
		t.Errorf("%d operations in the model, want 103", len(names))
	}
}

type model struct {
	Operations map[string]struct {
		HTTP  struct{ Method, RequestURI string }
		Input struct{ Shape string }
	}
	Shapes map[string]struct {
		Type     string
		Members  map[string]struct{ Shape, Location, LocationName string }
		Required []string
		Enum     []string
		Min      *float64
	}
}

func loadModel(t *testing.T) *model {
	b, err := os.ReadFile("../model/apigatewayv2-2018-11-29.json")
	if err != nil {
		t.Fatal(err)
	}
	var m model
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return &m
}

// minimalRequest fills every required member with a value its shape accepts.
func (m *model) minimalRequest(op struct {
	HTTP  struct{ Method, RequestURI string }
	Input struct{ Shape string }
}) (path, query, body string) {
	in := m.Shapes[op.Input.Shape]
	path = op.HTTP.RequestURI
	bodyMembers := map[string]any{}
	var q []string
	for _, req := range in.Required {
		mem := in.Members[req]
		switch mem.Location {
		case "uri":
			path = strings.Replace(path, "{"+mem.LocationName+"}", "x1234567", 1)
		case "querystring":
			q = append(q, mem.LocationName+"=x")
		default:
			bodyMembers[mem.LocationName] = m.value(mem.Shape)
		}
	}
	if len(q) > 0 {
		query = "?" + strings.Join(q, "&")
	}
	b, _ := json.Marshal(bodyMembers)
	return path, query, string(b)
}

func (m *model) value(shape string) any {
	s := m.Shapes[shape]
	switch s.Type {
	case "string":
		if len(s.Enum) > 0 {
			return s.Enum[0]
		}
		n := 1
		if s.Min != nil && *s.Min > 1 {
			n = int(*s.Min)
		}
		return strings.Repeat("a", n)
	case "integer", "long", "double":
		if s.Min != nil {
			return *s.Min
		}
		return 1
	case "boolean":
		return false
	case "list":
		return []any{}
	case "map":
		return map[string]any{}
	case "structure":
		v := map[string]any{}
		for _, r := range s.Required {
			mem := s.Members[r]
			v[mem.LocationName] = m.value(mem.Shape)
		}
		return v
	}
	return nil
}

// TestCloseWithIdleClient: a client holding a connection open without
// sending anything does not hold up Close, and Close twice is harmless.
func TestCloseWithIdleClient(t *testing.T) {
	srv, err := server.Start(server.Config{Listen: "127.0.0.1:0", DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	done := make(chan struct{})
	go func() {
		srv.Close()
		srv.Close()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not return")
	}
}
