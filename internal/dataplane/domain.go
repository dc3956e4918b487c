package dataplane

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"sync"

	"github.com/portico-dev/portico/internal/apigw"
	"github.com/portico-dev/portico/internal/dataplane/gateway"
	"github.com/portico-dev/portico/internal/dataplane/httpapi"
	"github.com/portico-dev/portico/internal/dataplane/websocket"
	"github.com/portico-dev/portico/internal/store"
)

// Custom domain names: a request whose Host is a domain name configured in
// Portico is served through the domain's API mappings: the mapping whose
// key is the longest path prefix of the request picks the API and stage,
// and the rest of the path is what the stage's routes see
// (docs/aws-behaviours.md#custom-domains). The execute-api URLs of an API
// with disableExecuteApiEndpoint refuse it; its domains keep serving it.

// domains caches each host's domain: found or not. Hosts that are no
// domain are every control-plane request's, so they are cached too, in a
// bounded set: a client sending random Hosts empties it, it does not grow.
type domains struct {
	mu      sync.Mutex
	found   map[string]*apigw.Domain
	missing map[string]struct{}
}

const maxMissingHosts = 4096

// domain returns the domain of a host, or nil when it is none.
func (p *Plane) domain(ctx context.Context, host string) (*apigw.Domain, error) {
	d := &p.domains
	d.mu.Lock()
	if dom, ok := d.found[host]; ok {
		d.mu.Unlock()
		return dom, nil
	}
	if _, ok := d.missing[host]; ok {
		d.mu.Unlock()
		return nil, nil
	}
	d.mu.Unlock()
	dom, err := p.cfg.Source.LoadDomain(ctx, host, p.prefer)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if dom == nil {
		if len(d.missing) >= maxMissingHosts {
			d.missing = map[string]struct{}{}
		}
		d.missing[host] = struct{}{}
		return nil, nil
	}
	d.found[host] = dom
	return dom, nil
}

// forgetDomain is the Watch callback's part for domains.
func (p *Plane) forgetDomain(ch apigw.Change) {
	if ch.DomainName == "" {
		return
	}
	name := strings.ToLower(ch.DomainName)
	d := &p.domains
	d.mu.Lock()
	delete(d.found, name)
	delete(d.missing, name)
	d.mu.Unlock()
}

func (p *Plane) resetDomains() {
	p.domains.mu.Lock()
	p.domains.found = map[string]*apigw.Domain{}
	p.domains.missing = map[string]struct{}{}
	p.domains.mu.Unlock()
}

// ServeDomain serves a request whose Host is a custom domain name, and
// reports whether it was one.
func (p *Plane) ServeDomain(w http.ResponseWriter, r *http.Request) bool {
	host := strings.ToLower(r.Host)
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(host, ".")
	if host == "" || host == "localhost" || net.ParseIP(strings.Trim(host, "[]")) != nil {
		return false // never a domain name: spare the lookup
	}
	ctx := r.Context()
	dom, err := p.domain(ctx, host)
	if err != nil {
		p.fail(w, err, nil, "HTTP")
		return true
	}
	if dom == nil {
		return false
	}
	rawPath := r.URL.EscapedPath()
	m, base := pickMapping(dom.Mappings, rawPath)
	if m == nil {
		// [I]: no mapping takes the path: AWS's answer is not documented
		// for HTTP APIs; REST custom domains answer 403 Forbidden.
		gateway.Write(w, gateway.ErrForbidden)
		return true
	}
	k := gateway.StageKey{Scope: dom.Scope, APIID: deref(m.ApiId), Stage: deref(m.Stage)}
	c, err := p.cache.stage(ctx, k)
	if err != nil {
		p.fail(w, err, gateway.ErrNotFound, "HTTP")
		return true
	}
	rest := strings.TrimPrefix(rawPath[len(base):], "/")
	if c.protocol == "WEBSOCKET" {
		if id, ok := websocket.ConnectionsPath(rest); ok {
			p.ws.ServeConnections(w, r, k, id)
			return true
		}
	}
	match := rawPath[len(base):]
	if match == "" {
		match = "/"
	}
	p.dispatch(w, r, c, httpapi.Request{RawPath: rawPath, MatchPath: match, BasePath: base, Stage: k.Stage}, rest)
	return true
}

// pickMapping is the mapping whose key is the longest whole-segment prefix
// of the escaped path ("" is the root, and takes what no other key does),
// and the base path it takes off ("/orders/v1", or "").
func pickMapping(mappings []apigw.ApiMapping, rawPath string) (*apigw.ApiMapping, string) {
	var best *apigw.ApiMapping
	bestLen := -1
	for i := range mappings {
		key := strings.Trim(deref(mappings[i].ApiMappingKey), "/")
		base := ""
		if key != "" {
			base = "/" + key
			if rawPath != base && !strings.HasPrefix(rawPath, base+"/") {
				continue
			}
		}
		if len(base) > bestLen {
			best, bestLen = &mappings[i], len(base)
		}
	}
	if best == nil {
		return nil, ""
	}
	return best, rawPath[:bestLen]
}
