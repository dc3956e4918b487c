package console

import (
	"context"
	"errors"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"path"
	"regexp"
	"strings"
	"testing"

	"github.com/portico-dev/portico/internal/awsproto"
	"github.com/portico-dev/portico/internal/store"
)

func serve(h http.Handler, method, target string, header map[string]string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, target, nil)
	for k, v := range header {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestFilesAndHeaders(t *testing.T) {
	h := New(Config{Defaults: awsproto.Identity{Account: "000000000000", Region: "us-east-1"}, Version: "v1"})
	for _, c := range []struct {
		target, contentType string
		status              int
	}{
		{"/_portico/", "text/html; charset=utf-8", 200},
		{"/_portico/console/app.js", "text/javascript; charset=utf-8", 200},
		{"/_portico/console/pages/apis.js", "text/javascript; charset=utf-8", 200},
		{"/_portico/console/style.css", "text/css; charset=utf-8", 200},
		{"/_portico/console/icon.svg", "image/svg+xml", 200},
		{"/_portico/console/api/config", "application/json", 200},
		{"/_portico/console/index.html", "application/json", 404}, // the page is at its root only
		{"/_portico/console/../console/app.js", "application/json", 404},
		{"/_portico/console/api/nope", "application/json", 404},
		{"/_portico/console/", "application/json", 404},
	} {
		w := serve(h, "GET", c.target, nil)
		if w.Code != c.status || w.Header().Get("Content-Type") != c.contentType {
			t.Errorf("%s: %d %q, want %d %q", c.target, w.Code, w.Header().Get("Content-Type"), c.status, c.contentType)
		}
		for k, v := range map[string]string{"Content-Security-Policy": CSP, "X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff"} {
			if got := w.Header().Get(k); got != v {
				t.Errorf("%s: %s %q, want %q", c.target, k, got, v)
			}
		}
	}
	if w := serve(h, "GET", "/_portico/console/api/config", nil); w.Body.String() != `{"account":"000000000000","region":"us-east-1","version":"v1"}` {
		t.Errorf("config: %s", w.Body)
	}
	w := serve(h, "GET", "/_portico/console/app.js", nil)
	etag := w.Header().Get("ETag")
	if etag == "" || w.Header().Get("Cache-Control") != "no-cache" {
		t.Fatalf("caching headers: %v", w.Header())
	}
	if w := serve(h, "GET", "/_portico/console/app.js", map[string]string{"If-None-Match": etag}); w.Code != 304 || w.Body.Len() != 0 {
		t.Errorf("revalidation: %d %d bytes", w.Code, w.Body.Len())
	}
	if w := serve(h, "HEAD", "/_portico/", nil); w.Code != 200 || w.Body.Len() != 0 {
		t.Errorf("HEAD: %d %d bytes", w.Code, w.Body.Len())
	}
	if w := serve(h, "POST", "/_portico/console/api/config", nil); w.Code != 405 {
		t.Errorf("POST: %d", w.Code)
	}
}

func TestSnapshotUsesTheRequestScope(t *testing.T) {
	var got awsproto.Identity
	h := New(Config{Defaults: awsproto.Identity{Account: "000000000000", Region: "us-east-1"},
		Snapshot: func(ctx context.Context, apiID, deploymentID string) (any, error) {
			got = awsproto.IdentityFrom(ctx)
			if apiID != "a1" || deploymentID != "d1" {
				return nil, awsproto.NotFound("Invalid API identifier specified %s", apiID)
			}
			return map[string]string{"ok": "yes"}, nil
		}})
	w := serve(h, "GET", "/_portico/console/api/snapshot?api=a1&deployment=d1", map[string]string{
		"Authorization": "AWS4-HMAC-SHA256 Credential=123456789012/20260101/eu-west-1/apigateway/aws4_request, SignedHeaders=host, Signature=0"})
	if w.Code != 200 || w.Body.String() != `{"ok":"yes"}` || got != (awsproto.Identity{Account: "123456789012", Region: "eu-west-1"}) {
		t.Errorf("%d %s as %v", w.Code, w.Body, got)
	}
	if w := serve(h, "GET", "/_portico/console/api/snapshot?api=zz", nil); w.Code != 404 || w.Header()["x-amzn-ErrorType"][0] != "NotFoundException" {
		t.Errorf("unknown: %d %v", w.Code, w.Header())
	}
	if got != (awsproto.Identity{Account: "000000000000", Region: "us-east-1"}) {
		t.Errorf("unsigned request as %v", got)
	}
}

// TestScopes: the scopes in use as {"scopes": [...]}, an empty list as
// [] (never null), a failing store as an internal error that says why.
func TestScopes(t *testing.T) {
	var list []store.Scope
	var fail error
	h := New(Config{Scopes: func(context.Context) ([]store.Scope, error) { return list, fail }})
	if w := serve(h, "GET", "/_portico/console/api/scopes", nil); w.Code != 200 || w.Body.String() != `{"scopes":[]}` {
		t.Errorf("none: %d %s", w.Code, w.Body)
	}
	list = []store.Scope{{Account: "000000000000", Region: "us-east-1"}, {Account: "123456789012", Region: "eu-west-1"}}
	if w := serve(h, "GET", "/_portico/console/api/scopes", nil); w.Code != 200 || w.Body.String() !=
		`{"scopes":[{"account":"000000000000","region":"us-east-1"},{"account":"123456789012","region":"eu-west-1"}]}` {
		t.Errorf("two: %d %s", w.Code, w.Body)
	}
	fail = errors.New("the database is gone")
	if w := serve(h, "GET", "/_portico/console/api/scopes", nil); w.Code != 500 || !strings.Contains(w.Body.String(), "the database is gone") {
		t.Errorf("failing: %d %s", w.Code, w.Body)
	}
	if w := serve(New(Config{}), "GET", "/_portico/console/api/scopes", nil); w.Code != 404 {
		t.Errorf("without Scopes: %d %s", w.Code, w.Body)
	}
}

// TestNothingInline: the pages work under the policy, which allows no
// inline script, no inline style and no handler attributes; they load
// nothing from elsewhere (Portico runs offline); and every module one
// imports is embedded.
func TestNothingInline(t *testing.T) {
	index, err := web.ReadFile("web/index.html")
	if err != nil {
		t.Fatal(err)
	}
	for _, re := range []string{`<script(?:\s+[^>]*)?>\s*[^<\s]`, `<style`, `\sstyle=`, `\son[a-z]+=`, `(?:src|href)="(?:https?:)?//`} {
		if m := regexp.MustCompile(re).Find(index); m != nil {
			t.Errorf("index.html has %q (%s)", m, re)
		}
	}
	imports := regexp.MustCompile(`(?m)(?:^import .*? from |^export .*? from |import\()'([^']+)'`)
	forbidden := regexp.MustCompile(`\.innerHTML\b|\.outerHTML\s*=|insertAdjacentHTML|document\.write|\beval\(|new Function\(|setAttribute\('style'`)
	err = fs.WalkDir(web, "web", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := web.ReadFile(p)
		switch path.Ext(p) {
		case ".js":
			if m := forbidden.Find(b); m != nil {
				t.Errorf("%s: %q: build the DOM with dom.js instead", p, m)
			}
			for _, m := range imports.FindAllSubmatch(b, -1) {
				spec := string(m[1])
				if !strings.HasPrefix(spec, "./") && !strings.HasPrefix(spec, "../") {
					t.Errorf("%s imports %q: only the console's own modules", p, spec)
					continue
				}
				if _, err := web.ReadFile(path.Join(path.Dir(p), spec)); err != nil {
					t.Errorf("%s imports %q, which is not embedded", p, spec)
				}
			}
		case ".css":
			if m := regexp.MustCompile(`@import|url\((?:["']?)(?:https?:)?//`).Find(b); m != nil {
				t.Errorf("%s: %q", p, m)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
