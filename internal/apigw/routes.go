package apigw

import (
	"context"
	"errors"
	"regexp"
	"strings"

	"github.com/portico-dev/portico/internal/awsproto"
	"github.com/portico-dev/portico/internal/store"
)

const (
	authNone   = "NONE"
	authJWT    = "JWT"
	authCustom = "CUSTOM"
	authIAM    = "AWS_IAM"
)

func (s *Server) CreateRoute(ctx context.Context, in *CreateRouteRequest) (*CreateRouteResult, error) {
	route := Route{
		RouteKey:                         in.RouteKey,
		ApiKeyRequired:                   ptr(deref(in.ApiKeyRequired)),
		AuthorizationType:                ptr(authNone),
		AuthorizationScopes:              nilIfEmpty(in.AuthorizationScopes),
		AuthorizerId:                     emptyToNil(in.AuthorizerId),
		ModelSelectionExpression:         emptyToNil(in.ModelSelectionExpression),
		OperationName:                    emptyToNil(in.OperationName),
		RequestModels:                    nilIfEmptyMap(in.RequestModels),
		RequestParameters:                nilIfEmptyMap(in.RequestParameters),
		RouteResponseSelectionExpression: emptyToNil(in.RouteResponseSelectionExpression),
		Target:                           emptyToNil(in.Target),
	}
	if in.AuthorizationType != nil {
		route.AuthorizationType = in.AuthorizationType
	}
	err := s.changeAPI(ctx, *in.ApiId, func(tx store.Tx) error {
		api, err := loadAPI(ctx, tx, *in.ApiId)
		if err != nil {
			return err
		}
		if err := checkRoute(tx, &api, &route); err != nil {
			return err
		}
		if err := checkQuota(tx, kindRoute, apiRef(*in.ApiId), s.quotas.RoutesPerAPI, tooManyRoutes); err != nil {
			return err
		}
		err = insertNew(tx, kindRoute, apiRef(*in.ApiId), *route.RouteKey, 7, func(id string) any {
			route.RouteId = &id
			return route
		})
		if errors.Is(err, store.ErrConflict) {
			return duplicateRouteKey(*route.RouteKey)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	out := CreateRouteResult(route)
	return &out, nil
}

func (s *Server) GetRoute(ctx context.Context, in *GetRouteRequest) (*GetRouteResult, error) {
	var route Route
	err := s.view(ctx, func(tx store.Tx) error {
		if _, err := loadAPI(ctx, tx, *in.ApiId); err != nil {
			return err
		}
		var err error
		route, err = loadRoute(tx, *in.ApiId, *in.RouteId)
		return err
	})
	if err != nil {
		return nil, err
	}
	out := GetRouteResult(route)
	return &out, nil
}

func (s *Server) GetRoutes(ctx context.Context, in *GetRoutesRequest) (*GetRoutesResponse, error) {
	p, err := parsePage(in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	out := &GetRoutesResponse{}
	err = s.view(ctx, func(tx store.Tx) error {
		if _, err := loadAPI(ctx, tx, *in.ApiId); err != nil {
			return err
		}
		out.Items, out.NextToken, err = listPage[Route](tx, kindRoute, apiRef(*in.ApiId), p)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Server) UpdateRoute(ctx context.Context, in *UpdateRouteRequest) (*UpdateRouteResult, error) {
	var route Route
	err := s.changeAPI(ctx, *in.ApiId, func(tx store.Tx) error {
		api, err := loadAPI(ctx, tx, *in.ApiId)
		if err != nil {
			return err
		}
		if route, err = loadRoute(tx, *in.ApiId, *in.RouteId); err != nil {
			return err
		}
		if in.RouteKey != nil {
			route.RouteKey = in.RouteKey
		}
		if in.ApiKeyRequired != nil {
			route.ApiKeyRequired = in.ApiKeyRequired
		}
		if in.AuthorizationType != nil {
			route.AuthorizationType = in.AuthorizationType
			// Moving to an authorization type that takes no authorizer
			// drops the old one, so the route stays consistent. [I]
			if *in.AuthorizationType == authNone || *in.AuthorizationType == authIAM {
				if in.AuthorizerId == nil {
					route.AuthorizerId = nil
				}
				if in.AuthorizationScopes == nil {
					route.AuthorizationScopes = nil
				}
			}
		}
		if in.AuthorizationScopes != nil {
			route.AuthorizationScopes = nilIfEmpty(in.AuthorizationScopes)
		}
		// Strings are cleared with "", as Terraform does to unset them.
		setString(&route.AuthorizerId, in.AuthorizerId)
		setString(&route.ModelSelectionExpression, in.ModelSelectionExpression)
		setString(&route.OperationName, in.OperationName)
		setString(&route.RouteResponseSelectionExpression, in.RouteResponseSelectionExpression)
		setString(&route.Target, in.Target)
		if in.RequestModels != nil {
			route.RequestModels = nilIfEmptyMap(in.RequestModels)
		}
		if in.RequestParameters != nil {
			route.RequestParameters = nilIfEmptyMap(in.RequestParameters)
		}
		if err := checkRoute(tx, &api, &route); err != nil {
			return err
		}
		err = tx.Replace(store.Record{Kind: kindRoute, ID: *route.RouteId, Parent: apiRef(*in.ApiId),
			Key: *route.RouteKey, Data: encode(route)})
		if errors.Is(err, store.ErrConflict) {
			return duplicateRouteKey(*route.RouteKey)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	out := UpdateRouteResult(route)
	return &out, nil
}

func (s *Server) DeleteRoute(ctx context.Context, in *DeleteRouteRequest) error {
	return s.changeAPI(ctx, *in.ApiId, func(tx store.Tx) error {
		if _, err := loadAPI(ctx, tx, *in.ApiId); err != nil {
			return err
		}
		if _, err := loadRoute(tx, *in.ApiId, *in.RouteId); err != nil {
			return err
		}
		// The store deletes the route's responses with it.
		return tx.Delete(kindRoute, *in.RouteId)
	})
}

func (s *Server) DeleteRouteRequestParameter(ctx context.Context, in *DeleteRouteRequestParameterRequest) error {
	return s.changeAPI(ctx, *in.ApiId, func(tx store.Tx) error {
		api, err := loadAPI(ctx, tx, *in.ApiId)
		if err != nil {
			return err
		}
		route, err := loadRoute(tx, *in.ApiId, *in.RouteId)
		if err != nil {
			return err
		}
		if *api.ProtocolType != protocolWebSocket {
			return websocketOnly("Route request parameters are")
		}
		if _, ok := route.RequestParameters[*in.RequestParameterKey]; !ok {
			return requestParameterNotFound(*in.RequestParameterKey)
		}
		delete(route.RequestParameters, *in.RequestParameterKey)
		route.RequestParameters = nilIfEmptyMap(route.RequestParameters)
		return tx.Replace(store.Record{Kind: kindRoute, ID: *route.RouteId, Parent: apiRef(*in.ApiId),
			Key: *route.RouteKey, Data: encode(route)})
	})
}

func apiRef(apiID string) store.Ref { return store.Ref{Kind: kindAPI, ID: apiID} }

// loadRoute reads a route of an API or answers the not-found error.
func loadRoute(tx store.Tx, apiID, routeID string) (Route, error) {
	var route Route
	err := getChildInto(tx, kindRoute, routeID, apiRef(apiID), &route)
	if errors.Is(err, store.ErrNotFound) {
		return route, routeNotFound(routeID)
	}
	return route, err
}

func setString(dst **string, v *string) {
	if v != nil {
		*dst = emptyToNil(v)
	}
}

func duplicateRouteKey(key string) error {
	return awsproto.Conflict("Route with key %s already exists for this API", echo(key))
}

// checkRoute holds every rule on a route as a whole, after create or update.
func checkRoute(tx store.Tx, api *Api, r *Route) error {
	ws := *api.ProtocolType == protocolWebSocket
	if *r.RouteKey == "" {
		return routeKeyRequired
	}
	if ws {
		if err := checkWebSocketRouteKey(*r.RouteKey); err != nil {
			return err
		}
	} else if err := checkHTTPRouteKey(*r.RouteKey); err != nil {
		return err
	}
	if !ws {
		// WebSocket-only members. Booleans are refused only when true:
		// Terraform sends apiKeyRequired=false for every route.
		switch {
		case deref(r.ApiKeyRequired):
			return websocketOnly("apiKeyRequired is")
		case r.ModelSelectionExpression != nil:
			return websocketOnly("modelSelectionExpression is")
		case len(r.RequestModels) > 0:
			return websocketOnly("requestModels is")
		case len(r.RequestParameters) > 0:
			return websocketOnly("requestParameters is")
		case r.RouteResponseSelectionExpression != nil:
			return websocketOnly("routeResponseSelectionExpression is")
		}
	}
	if rrse := r.RouteResponseSelectionExpression; rrse != nil && *rrse != "$default" {
		return awsproto.BadRequest("Invalid route response selection expression specified: %s. Only $default is supported", echo(*rrse))
	}
	for key := range r.RequestParameters {
		if !wsRequestParameter.MatchString(key) {
			return awsproto.BadRequest("Invalid mapping expression specified: %s. Request parameters must be route.request.header.{name} or route.request.querystring.{name}", echo(key))
		}
	}
	for contentType, model := range r.RequestModels {
		if contentType == "" || model == "" || len(model) > 128 {
			return awsproto.BadRequest("Invalid request model specified for content type %q: %q", echo(contentType), echo(model))
		}
	}
	if err := checkSelectionExpression("modelSelectionExpression", r.ModelSelectionExpression); err != nil {
		return err
	}
	if r.OperationName != nil {
		if err := awsproto.MaxLength("operationName", 64, *r.OperationName); err != nil {
			return err
		}
	}
	if err := checkAuthorization(tx, *api.ApiId, ws, r); err != nil {
		return err
	}
	return checkTarget(tx, *api.ApiId, r.Target)
}

func checkAuthorization(tx store.Tx, apiID string, ws bool, r *Route) error {
	typ := *r.AuthorizationType
	if ws && typ == authJWT {
		return httpOnly("Authorization type JWT is")
	}
	if (typ == authJWT || typ == authCustom) && r.AuthorizerId == nil {
		return awsproto.BadRequest("An authorizerId must be specified for authorization type %s", typ)
	}
	// An authorizerId with NONE is accepted and kept, as AWS does (an
	// AWS-validated LocalStack test creates such routes); with AWS_IAM it
	// means nothing and is refused. [I]
	if typ == authIAM && r.AuthorizerId != nil {
		return awsproto.BadRequest("An authorizerId cannot be specified for authorization type %s", typ)
	}
	if len(r.AuthorizationScopes) > 0 && typ != authJWT {
		// AWS's text, which names REST APIs' Cognito type too; no public
		// source is recorded for it, so [I] (docs/aws-behaviours.md#routes).
		return awsproto.BadRequest("Invalid Route authorization type specified. Authorization Scopes are only valid for COGNITO_USER_POOLS and JWT authorization types")
	}
	if len(r.AuthorizationScopes) > 10 {
		return awsproto.BadRequest("Too many authorization scopes: a route can have at most 10")
	}
	if r.AuthorizerId != nil {
		rec, err := getChild(tx, kindAuthorizer, *r.AuthorizerId, apiRef(apiID))
		if errors.Is(err, store.ErrNotFound) {
			return awsproto.BadRequest("Invalid authorizer identifier specified %s", echo(*r.AuthorizerId))
		}
		if err != nil {
			return err
		}
		if err := checkRouteAuthorizer(rec, typ); err != nil {
			return err
		}
	}
	// WebSocket APIs authorize the connection only ([V],
	// messages_authorizers.go), with IAM as with a Lambda authorizer.
	if ws && (typ == authCustom || typ == authIAM) && *r.RouteKey != "$connect" {
		return authorizationOnlyOnConnect
	}
	return nil
}

// checkTarget: a target names an integration of the same API; a missing one
// is 400, not 404 (LocalStack's AWS-validated tests).
func checkTarget(tx store.Tx, apiID string, target *string) error {
	if target == nil {
		return nil
	}
	id, ok := strings.CutPrefix(*target, "integrations/")
	if !ok || id == "" {
		return awsproto.BadRequest("Invalid target specified: %s. A route target must be integrations/{integrationId}", echo(*target))
	}
	_, err := getChild(tx, kindIntegration, id, apiRef(apiID))
	if errors.Is(err, store.ErrNotFound) {
		return awsproto.BadRequest("Invalid integration identifier specified %s", echo(id))
	}
	return err
}

var (
	wsRequestParameter = regexp.MustCompile(`^route\.request\.(header|querystring)\.[^\s.][^\s]*$`)
	httpMethods        = map[string]bool{"ANY": true, "GET": true, "POST": true, "PUT": true, "PATCH": true,
		"DELETE": true, "HEAD": true, "OPTIONS": true}
	pathParam      = regexp.MustCompile(`^\{[A-Za-z0-9._-]+\+?\}$`)
	literalSegment = regexp.MustCompile(`^[A-Za-z0-9._~!$&'()*,;=:@%-]+$`)
)

// checkWebSocketRouteKey: $connect, $disconnect, $default, or a custom key
// that does not start with "$".
func checkWebSocketRouteKey(key string) error {
	switch key {
	case "$connect", "$disconnect", "$default":
		return nil
	}
	if strings.HasPrefix(key, "$") {
		return awsproto.BadRequest("Invalid route key specified: %s. Keys starting with $ are reserved: use $connect, $disconnect or $default", echo(key))
	}
	return awsproto.MaxLength("routeKey", 128, key)
}

// checkHTTPRouteKey: $default, or "METHOD /path" where the path's segments
// are literals or {param}, and a greedy {param+} only comes last.
func checkHTTPRouteKey(key string) error {
	if key == "$default" {
		return nil
	}
	bad := func(why string) error {
		return awsproto.BadRequest("Invalid route key specified: %s. %s", echo(key), why)
	}
	method, path, ok := strings.Cut(key, " ")
	if !ok || !httpMethods[method] {
		return bad("An HTTP API route key is $default or an HTTP method (ANY, GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS) followed by a space and a path")
	}
	if !strings.HasPrefix(path, "/") {
		return bad("The path must start with /")
	}
	if path == "/" {
		return nil
	}
	segs := strings.Split(path[1:], "/")
	for i, seg := range segs {
		switch {
		case seg == "":
			return bad("The path must not contain empty segments")
		case strings.ContainsAny(seg, "{}"):
			if !pathParam.MatchString(seg) {
				return bad("A path parameter must be a whole segment: {name} or {name+}")
			}
			if strings.HasSuffix(seg, "+}") && i != len(segs)-1 {
				return bad("A greedy path parameter {name+} must be the last segment")
			}
		case !literalSegment.MatchString(seg):
			return bad("The path contains characters that are not allowed")
		}
	}
	return nil
}
