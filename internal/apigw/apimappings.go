package apigw

import (
	"context"
	"errors"
	"regexp"

	"github.com/portico-dev/portico/internal/awsproto"
	"github.com/portico-dev/portico/internal/store"
)

// API mappings connect a stage of an API to a path (the API mapping key) of
// a custom domain name. They are children of the domain name record, with
// the key as the store's uniqueness key, so a key is taken once per domain.
// A mapping is not part of an API's configuration: creating one does not
// redeploy anything.

const kindAPIMapping store.Kind = "apimapping"

var _ interface {
	createApiMappingHandler
	getApiMappingHandler
	getApiMappingsHandler
	updateApiMappingHandler
	deleteApiMappingHandler
} = (*Server)(nil)

var (
	// API mapping keys: letters, numbers and $-_.+!*'() (developer guide,
	// API mapping restrictions); HTTP APIs also take multi-level keys,
	// "orders/v1/items", whose segments are separated by single slashes
	// (no leading, trailing or doubled slash [I]).
	mappingKeySegment = `[A-Za-z0-9$\-_.+!*'()]+`
	mappingKeyWS      = regexp.MustCompile(`^` + mappingKeySegment + `$`)
	mappingKeyHTTP    = regexp.MustCompile(`^` + mappingKeySegment + `(/` + mappingKeySegment + `)*$`)
	mappingKeyChars   = regexp.MustCompile(`^[A-Za-z0-9$\-_.+!*'()/]+$`)
)

const maxMappingKeyLen = 300

func (s *Server) CreateApiMapping(ctx context.Context, in *CreateApiMappingRequest) (*CreateApiMappingResponse, error) {
	// An absent key and "" both mean the root of the domain; AWS returns ""
	// for it [I] (floci-io/floci #2390: the two spellings are one mapping,
	// the second a ConflictException).
	m := ApiMapping{ApiId: in.ApiId, Stage: in.Stage, ApiMappingKey: ptr(deref(in.ApiMappingKey))}
	err := s.updateDomain(ctx, *in.DomainName, func(tx store.Tx) error {
		dn, err := loadDomainName(tx, *in.DomainName)
		if err != nil {
			return err
		}
		if deref(dn.RoutingMode) == routingRuleOnly {
			return routingModeForbids("API mappings", routingRuleOnly)
		}
		if err := checkAPIMapping(ctx, tx, *in.DomainName, "", &m); err != nil {
			return err
		}
		err = insertNew(tx, kindAPIMapping, domainNameRef(*in.DomainName), mappingStoreKey(*m.ApiMappingKey), 10, func(id string) any {
			m.ApiMappingId = &id
			return m
		})
		if errors.Is(err, store.ErrConflict) {
			return apiMappingKeyExists
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	out := CreateApiMappingResponse(m)
	return &out, nil
}

func (s *Server) GetApiMapping(ctx context.Context, in *GetApiMappingRequest) (*GetApiMappingResponse, error) {
	var m ApiMapping
	err := s.view(ctx, func(tx store.Tx) error {
		if _, err := loadDomainName(tx, *in.DomainName); err != nil {
			return err
		}
		var err error
		m, err = loadAPIMapping(tx, *in.DomainName, *in.ApiMappingId)
		return err
	})
	if err != nil {
		return nil, err
	}
	out := GetApiMappingResponse(m)
	return &out, nil
}

func (s *Server) GetApiMappings(ctx context.Context, in *GetApiMappingsRequest) (*GetApiMappingsResponse, error) {
	p, err := parsePage(in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	out := &GetApiMappingsResponse{}
	err = s.view(ctx, func(tx store.Tx) error {
		if _, err := loadDomainName(tx, *in.DomainName); err != nil {
			return err
		}
		out.Items, out.NextToken, err = listPage[ApiMapping](tx, kindAPIMapping, domainNameRef(*in.DomainName), p)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// UpdateApiMapping: apiId is required (model); stage and apiMappingKey are
// kept when absent, and "" moves the mapping to the root. The result is
// checked as a new mapping would be.
func (s *Server) UpdateApiMapping(ctx context.Context, in *UpdateApiMappingRequest) (*UpdateApiMappingResponse, error) {
	var m ApiMapping
	err := s.updateDomain(ctx, *in.DomainName, func(tx store.Tx) error {
		if _, err := loadDomainName(tx, *in.DomainName); err != nil {
			return err
		}
		var err error
		if m, err = loadAPIMapping(tx, *in.DomainName, *in.ApiMappingId); err != nil {
			return err
		}
		m.ApiId = in.ApiId
		if in.Stage != nil {
			m.Stage = in.Stage
		}
		if in.ApiMappingKey != nil {
			m.ApiMappingKey = in.ApiMappingKey
		}
		if err := checkAPIMapping(ctx, tx, *in.DomainName, *m.ApiMappingId, &m); err != nil {
			return err
		}
		err = tx.Replace(store.Record{Kind: kindAPIMapping, ID: *m.ApiMappingId, Parent: domainNameRef(*in.DomainName),
			Key: mappingStoreKey(*m.ApiMappingKey), Data: encode(m)})
		if errors.Is(err, store.ErrConflict) {
			return apiMappingKeyExists
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	out := UpdateApiMappingResponse(m)
	return &out, nil
}

func (s *Server) DeleteApiMapping(ctx context.Context, in *DeleteApiMappingRequest) error {
	return s.updateDomain(ctx, *in.DomainName, func(tx store.Tx) error {
		if _, err := loadDomainName(tx, *in.DomainName); err != nil {
			return err
		}
		if _, err := loadAPIMapping(tx, *in.DomainName, *in.ApiMappingId); err != nil {
			return err
		}
		return tx.Delete(kindAPIMapping, *in.ApiMappingId)
	})
}

// apiMappingsBlockingDelete is DeleteApi's check: AWS refuses to delete an
// API that a custom domain name still maps, with 400 BadRequestException
// "Deleting API {apiId} failed. Please remove all API mappings for the API
// from your custom domain names." [V] (gruntwork-io/cloud-nuke #370;
// floci-io/floci #2390, verified against AWS). It looks at the domain names
// of tx's scope, where the API is.
//
// Routing rules that invoke the API do not block its deletion [I]: AWS's
// behaviour there is not known.
func apiMappingsBlockingDelete(tx store.Tx, apiID string) error {
	domains, err := tx.List(kindDomainName, store.Ref{}, "", 0)
	if err != nil {
		return err
	}
	for _, d := range domains {
		mappings, _, err := listPage[ApiMapping](tx, kindAPIMapping, domainNameRef(d.ID), page{limit: 1 << 30})
		if err != nil {
			return err
		}
		for _, m := range mappings {
			if deref(m.ApiId) == apiID {
				return apiStillMapped(apiID)
			}
		}
	}
	return nil
}

// loadAPIMapping reads a mapping of a domain name or answers the not-found
// error.
func loadAPIMapping(tx store.Tx, domain, id string) (ApiMapping, error) {
	var m ApiMapping
	err := getChildInto(tx, kindAPIMapping, id, domainNameRef(domain), &m)
	if errors.Is(err, store.ErrNotFound) {
		return m, apiMappingNotFound(id)
	}
	return m, err
}

// mappingStoreKey makes the store's uniqueness key of an API mapping key:
// never empty, so the root mapping is unique too.
func mappingStoreKey(key string) string { return "/" + key }

// checkAPIMapping holds the rules on a mapping (self is its id on update,
// "" on create): the API and its stage exist in the caller's scope (400,
// not 404 [V]), the key fits the API's protocol, and a WebSocket API does
// not share the domain with an HTTP API, in a mapping or in a routing rule.
func checkAPIMapping(ctx context.Context, tx store.Tx, domain, self string, m *ApiMapping) error {
	api, err := loadMappedAPI(ctx, tx, *m.ApiId, *m.Stage)
	if err != nil {
		return err
	}
	key := *m.ApiMappingKey
	if key != "" {
		if len(key) > maxMappingKeyLen {
			return apiMappingKeyTooLong
		}
		if *api.ProtocolType == protocolWebSocket && !mappingKeyWS.MatchString(key) {
			return apiMappingKeyChars
		}
		if *api.ProtocolType == protocolHTTP && !mappingKeyHTTP.MatchString(key) {
			// Only slashes in the wrong place get the multi-level text.
			if !mappingKeyChars.MatchString(key) {
				return apiMappingKeyChars
			}
			return apiMappingKeyCharsMultLevel
		}
	}
	return checkDomainProtocols(tx, domain, self, "", *api.ProtocolType)
}

// loadMappedAPI reads the API a mapping or a routing rule names and checks
// that it has the stage.
func loadMappedAPI(ctx context.Context, tx store.Tx, apiID, stage string) (Api, error) {
	var api Api
	_, err := get(tx, kindAPI, apiID, &api)
	if errors.Is(err, store.ErrNotFound) {
		return api, mappedAPINotFound(awsproto.IdentityFrom(ctx).Account, apiID)
	}
	if err != nil {
		return api, err
	}
	if _, err := tx.Get(kindStage, stageID(apiID, stage)); errors.Is(err, store.ErrNotFound) {
		return api, stageReferenceNotFound
	} else if err != nil {
		return api, err
	}
	return api, nil
}

// checkDomainProtocols refuses to put a WebSocket API and an HTTP API on one
// domain name (developer guide: "You can't map WebSocket APIs to the same
// custom domain name as an HTTP API or REST API"). The APIs already there
// are those of its mappings and of its routing rules' actions, except the
// mapping or rule being updated (selfMapping, selfRule).
func checkDomainProtocols(tx store.Tx, domain, selfMapping, selfRule, protocol string) error {
	all := page{limit: 1 << 30}
	var apiIDs []string
	mappings, _, err := listPage[ApiMapping](tx, kindAPIMapping, domainNameRef(domain), all)
	if err != nil {
		return err
	}
	for _, m := range mappings {
		if *m.ApiMappingId != selfMapping {
			apiIDs = append(apiIDs, *m.ApiId)
		}
	}
	rules, _, err := listPage[RoutingRule](tx, kindRoutingRule, domainNameRef(domain), all)
	if err != nil {
		return err
	}
	for _, r := range rules {
		if *r.RoutingRuleId == selfRule {
			continue
		}
		for _, a := range r.Actions {
			if a.InvokeApi != nil && a.InvokeApi.ApiId != nil {
				apiIDs = append(apiIDs, *a.InvokeApi.ApiId)
			}
		}
	}
	for _, id := range apiIDs {
		var other Api
		if _, err := get(tx, kindAPI, id, &other); errors.Is(err, store.ErrNotFound) {
			continue
		} else if err != nil {
			return err
		}
		if (*other.ProtocolType == protocolWebSocket) != (protocol == protocolWebSocket) {
			return webSocketMixed
		}
	}
	return nil
}
