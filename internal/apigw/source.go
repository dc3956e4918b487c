package apigw

import (
	"context"
	"strings"

	"github.com/portico-dev/portico/internal/store"
)

// What the data plane reads of the control plane (its Source interface,
// docs/architecture.md#data-plane): where an API lives, a stage with the
// snapshot it serves, a custom domain's mappings, and the news that one of
// them changed.

// Change is a committed change the data plane must hear about: to an API
// (what its stages serve), or to a custom domain name's mappings.
type Change struct {
	Scope      store.Scope
	APIID      string // "" for a domain change
	DomainName string // "" for an API change
	// All: anything may have changed (the store was reset, or notices
	// from other nodes may have been missed); Scope and the names are
	// empty.
	All bool
}

// The store's commit notice topics (store.Tx.Notify) for Changes.
const (
	topicAPI    = "api/"
	topicDomain = "domain/"
)

// Watch calls fn after every committed change that can alter what an API's
// stages or a domain's mappings serve, until cancel is called, on every
// node that shares the store: the changes travel as the store's commit
// notices. fn must not block.
func (s *Server) Watch(fn func(Change)) (cancel func()) {
	return s.store.Subscribe(func(n store.Notice) {
		switch {
		case n.All:
			fn(Change{All: true})
		case strings.HasPrefix(n.Topic, topicAPI):
			fn(Change{Scope: n.Scope, APIID: n.Topic[len(topicAPI):]})
		case strings.HasPrefix(n.Topic, topicDomain):
			fn(Change{Scope: n.Scope, DomainName: n.Topic[len(topicDomain):]})
		}
	})
}

// APILocation is where an API lives and what it speaks.
type APILocation struct {
	Scope    store.Scope
	Protocol string // HTTP or WEBSOCKET
}

// LocateAPI returns the account and region an API id lives in, for the
// data plane, which knows an API by its id alone. An id in several scopes
// (ids are random, but _custom_id_ picks them) is taken in the preferred
// scope when it is there, else in the first.
func (s *Server) LocateAPI(ctx context.Context, apiID string, prefer store.Scope) (APILocation, error) {
	scopes, err := s.store.Locate(ctx, kindAPI, apiID)
	if err != nil {
		return APILocation{}, err
	}
	if len(scopes) == 0 {
		return APILocation{}, store.ErrNotFound
	}
	loc := APILocation{Scope: scopes[0]}
	for _, sc := range scopes {
		if sc == prefer {
			loc.Scope = sc
		}
	}
	err = s.store.View(ctx, loc.Scope, func(tx store.Tx) error {
		var api Api
		if _, err := get(tx, kindAPI, apiID, &api); err != nil {
			return err
		}
		loc.Protocol = deref(api.ProtocolType)
		return nil
	})
	return loc, err
}

// Domain is a custom domain name as the data plane routes it.
type Domain struct {
	Scope    store.Scope
	Name     string
	Mappings []ApiMapping
}

// LoadDomain returns a custom domain name with its API mappings, or
// store.ErrNotFound. Names are compared in lower case, as DNS does.
func (s *Server) LoadDomain(ctx context.Context, name string, prefer store.Scope) (*Domain, error) {
	name = strings.ToLower(name)
	scopes, err := s.store.Locate(ctx, kindDomainName, name)
	if err != nil {
		return nil, err
	}
	if len(scopes) == 0 {
		return nil, store.ErrNotFound
	}
	sc := scopes[0]
	for _, x := range scopes {
		if x == prefer {
			sc = x
		}
	}
	d := &Domain{Scope: sc, Name: name}
	err = s.store.View(ctx, sc, func(tx store.Tx) error {
		var err error
		d.Mappings, _, err = listPage[ApiMapping](tx, kindAPIMapping, domainNameRef(name), page{limit: 1 << 30})
		return err
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}
