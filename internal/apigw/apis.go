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
	protocolHTTP      = "HTTP"
	protocolWebSocket = "WEBSOCKET"

	// httpRouteSelection is the only route selection of an HTTP API, in the
	// form AWS returns it; the ${...} form is accepted on input.
	httpRouteSelection       = "$request.method $request.path"
	httpRouteSelectionBraced = "${request.method} ${request.path}"
	defaultAPIKeySelection   = "$request.header.x-api-key"
	authorizerAPIKeySelect   = "$context.authorizer.usageIdentifierKey"
)

// customIDTag is LocalStack's convention for a stable API id: CreateApi
// with this tag creates the API under the tag's value instead of a random
// id (LocalStack's "Custom API deployment IDs"; moto's id generator, which
// LocalStack builds on, reads the tag and leaves it among the tags, and so
// does Portico). A custom id is 1 to 64 of [A-Za-z0-9_-] [I]: AWS's own ids
// are 10 of [a-z0-9], and LocalStack's tests use ids such as "testId123"
// and "test-id123". Like every id it is unique in its account and region
// only; the data plane, which finds an API by its id alone, then prefers
// the default account and region's.
const customIDTag = "_custom_id_"

var customIDPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

func (s *Server) CreateApi(ctx context.Context, in *CreateApiRequest) (*CreateApiResponse, error) {
	if in.Target != nil && *in.ProtocolType != protocolHTTP {
		return nil, httpOnly("Quick create (target) is")
	}
	if in.Target == nil && (in.RouteKey != nil || in.CredentialsArn != nil) {
		return nil, awsproto.BadRequest("routeKey and credentialsArn can be specified only with target (quick create)")
	}
	api := Api{
		Name:                      in.Name,
		ProtocolType:              in.ProtocolType,
		Description:               emptyToNil(in.Description),
		Version:                   emptyToNil(in.Version),
		DisableExecuteApiEndpoint: ptr(deref(in.DisableExecuteApiEndpoint)),
		IpAddressType:             ptr("ipv4"),
		ApiKeySelectionExpression: ptr(defaultAPIKeySelection),
		Tags:                      in.Tags,
		CreatedDate:               awsproto.Now(),
	}
	if in.IpAddressType != nil {
		api.IpAddressType = in.IpAddressType
	}
	if api.Tags == nil {
		api.Tags = map[string]string{}
	}
	if err := validateTags(api.Tags); err != nil {
		return nil, err
	}
	customID, custom := api.Tags[customIDTag]
	if custom && !customIDPattern.MatchString(customID) {
		return nil, invalidCustomID(customID)
	}
	switch *in.ProtocolType {
	case protocolWebSocket:
		if in.RouteSelectionExpression == nil || *in.RouteSelectionExpression == "" {
			return nil, awsproto.BadRequest("Route selection expression is required for WebSocket APIs")
		}
		if in.CorsConfiguration != nil {
			return nil, httpOnly("corsConfiguration is")
		}
		api.RouteSelectionExpression = in.RouteSelectionExpression
		api.DisableSchemaValidation = in.DisableSchemaValidation
		if in.ApiKeySelectionExpression != nil {
			api.ApiKeySelectionExpression = in.ApiKeySelectionExpression
		}
	case protocolHTTP:
		if in.RouteSelectionExpression != nil {
			if err := checkHTTPRouteSelection(*in.RouteSelectionExpression); err != nil {
				return nil, err
			}
		}
		if deref(in.DisableSchemaValidation) {
			return nil, websocketOnly("disableSchemaValidation is")
		}
		api.RouteSelectionExpression = ptr(httpRouteSelection)
		api.CorsConfiguration = mergeCors(nil, in.CorsConfiguration)
	}
	if err := checkAPI(&api); err != nil {
		return nil, err
	}
	err := s.update(ctx, func(tx store.Tx) error {
		if err := checkQuota(tx, kindAPI, store.Ref{}, s.quotas.APIs, tooManyAPIs); err != nil {
			return err
		}
		var err error
		if custom {
			api.ApiId = &customID
			err = tx.Insert(store.Record{Kind: kindAPI, ID: customID, Data: encode(api)})
			if errors.Is(err, store.ErrConflict) {
				return customIDTaken(customID)
			}
		} else {
			err = insertNew(tx, kindAPI, store.Ref{}, "", 10, func(id string) any {
				api.ApiId = &id
				return api
			})
		}
		if err != nil || in.Target == nil {
			return err
		}
		return quickCreate(tx, &api, *in.Target, in.RouteKey, in.CredentialsArn)
	})
	if err != nil {
		return nil, err
	}
	out := CreateApiResponse(s.present(ctx, api))
	return &out, nil
}

func (s *Server) GetApi(ctx context.Context, in *GetApiRequest) (*GetApiResponse, error) {
	var api Api
	err := s.view(ctx, func(tx store.Tx) error {
		var err error
		api, err = loadAPI(ctx, tx, *in.ApiId)
		return err
	})
	if err != nil {
		return nil, err
	}
	out := GetApiResponse(s.present(ctx, api))
	return &out, nil
}

func (s *Server) GetApis(ctx context.Context, in *GetApisRequest) (*GetApisResponse, error) {
	p, err := parsePage(in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	out := &GetApisResponse{}
	err = s.view(ctx, func(tx store.Tx) error {
		out.Items, out.NextToken, err = listPage[Api](tx, kindAPI, store.Ref{}, p)
		return err
	})
	for i := range out.Items {
		out.Items[i] = s.present(ctx, out.Items[i])
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Server) UpdateApi(ctx context.Context, in *UpdateApiRequest) (*UpdateApiResponse, error) {
	var api Api
	err := s.changeAPI(ctx, *in.ApiId, func(tx store.Tx) error {
		var err error
		if api, err = loadAPI(ctx, tx, *in.ApiId); err != nil {
			return err
		}
		ws := *api.ProtocolType == protocolWebSocket
		if in.Name != nil {
			api.Name = in.Name
		}
		// Strings are cleared with "": what Terraform sends to unset them.
		if in.Description != nil {
			api.Description = emptyToNil(in.Description)
		}
		if in.Version != nil {
			api.Version = emptyToNil(in.Version)
		}
		if in.DisableExecuteApiEndpoint != nil {
			api.DisableExecuteApiEndpoint = in.DisableExecuteApiEndpoint
		}
		if in.IpAddressType != nil {
			api.IpAddressType = in.IpAddressType
		}
		if in.RouteSelectionExpression != nil {
			if ws {
				if *in.RouteSelectionExpression == "" {
					return awsproto.BadRequest("Route selection expression is required for WebSocket APIs")
				}
				api.RouteSelectionExpression = in.RouteSelectionExpression
			} else if err := checkHTTPRouteSelection(*in.RouteSelectionExpression); err != nil {
				return err
			}
		}
		if in.ApiKeySelectionExpression != nil && ws {
			api.ApiKeySelectionExpression = in.ApiKeySelectionExpression
		}
		if in.DisableSchemaValidation != nil {
			if !ws && *in.DisableSchemaValidation {
				return websocketOnly("disableSchemaValidation is")
			}
			if ws {
				api.DisableSchemaValidation = in.DisableSchemaValidation
			}
		}
		if in.CorsConfiguration != nil {
			if ws {
				return httpOnly("corsConfiguration is")
			}
			api.CorsConfiguration = mergeCors(api.CorsConfiguration, in.CorsConfiguration)
		}
		if err := checkAPI(&api); err != nil {
			return err
		}
		if err := tx.Replace(store.Record{Kind: kindAPI, ID: *api.ApiId, Data: encode(api)}); err != nil {
			return err
		}
		if in.Target == nil && in.RouteKey == nil && in.CredentialsArn == nil {
			return nil
		}
		return updateQuickCreate(tx, &api, in.Target, in.RouteKey, in.CredentialsArn)
	})
	if err != nil {
		return nil, err
	}
	out := UpdateApiResponse(s.present(ctx, api))
	return &out, nil
}

func (s *Server) DeleteApi(ctx context.Context, in *DeleteApiRequest) error {
	return s.updateAPI(ctx, *in.ApiId, func(tx store.Tx) error {
		// A custom domain's API mappings keep an API alive ([V] AWS's 400).
		if err := apiMappingsBlockingDelete(tx, *in.ApiId); err != nil {
			return err
		}
		err := tx.Delete(kindAPI, *in.ApiId)
		if errors.Is(err, store.ErrNotFound) {
			return apiNotFound(awsproto.IdentityFrom(ctx).Account, *in.ApiId)
		}
		return err
	})
}

// loadAPI reads an API or answers AWS's not-found error.
func loadAPI(ctx context.Context, tx store.Tx, apiID string) (Api, error) {
	var api Api
	_, err := get(tx, kindAPI, apiID, &api)
	if errors.Is(err, store.ErrNotFound) {
		return api, apiNotFound(awsproto.IdentityFrom(ctx).Account, apiID)
	}
	return api, err
}

// present fills what is derived rather than stored: the endpoint depends on
// how this Portico is configured, not on the API.
func (s *Server) present(ctx context.Context, api Api) Api {
	api.ApiEndpoint = ptr(s.cfg.Endpoint(*api.ApiId, *api.ProtocolType, awsproto.IdentityFrom(ctx).Region))
	return api
}

// checkAPI holds the rules on an API's own fields, after create or update.
func checkAPI(api *Api) error {
	if err := awsproto.MinLength("name", 1, *api.Name); err != nil {
		return err
	}
	if err := awsproto.MaxLength("name", 128, *api.Name); err != nil {
		return err
	}
	if api.Description != nil {
		if err := awsproto.MaxLength("description", 1024, *api.Description); err != nil {
			return err
		}
	}
	if api.Version != nil {
		if err := awsproto.MaxLength("version", 64, *api.Version); err != nil {
			return err
		}
	}
	if sel := deref(api.ApiKeySelectionExpression); sel != defaultAPIKeySelection && sel != authorizerAPIKeySelect {
		return awsproto.BadRequest("Invalid API key selection expression specified: %s. Supported values are %s and %s",
			echo(sel), defaultAPIKeySelection, authorizerAPIKeySelect)
	}
	if *api.ProtocolType == protocolWebSocket {
		if err := awsproto.MaxLength("routeSelectionExpression", 1024, *api.RouteSelectionExpression); err != nil {
			return err
		}
		if err := checkSelectionExpression("routeSelectionExpression", api.RouteSelectionExpression); err != nil {
			return err
		}
	}
	return checkCors(api.CorsConfiguration)
}

func checkHTTPRouteSelection(expr string) error {
	if expr != httpRouteSelectionBraced && expr != httpRouteSelection {
		return awsproto.BadRequest("Invalid route selection expression specified: %s. HTTP APIs support only %s",
			echo(expr), httpRouteSelectionBraced)
	}
	return nil
}

// validateTags applies AWS's tag rules: at most 50, keys of 1 to 128
// characters not starting with "aws:", values of at most 256.
func validateTags(tags map[string]string) error {
	if len(tags) > 50 {
		return awsproto.BadRequest("Too many tags: at most 50 tags can be set on a resource")
	}
	for k, v := range tags {
		if k == "" || len(k) > 128 {
			return awsproto.BadRequest("Invalid tag key %q: tag keys must be 1 to 128 characters long", echo(k))
		}
		if strings.HasPrefix(strings.ToLower(k), "aws:") {
			return awsproto.BadRequest("Invalid tag key %q: the aws: prefix is reserved", echo(k))
		}
		if len(v) > 256 {
			return awsproto.BadRequest("Invalid value for tag %q: tag values must be at most 256 characters long", echo(k))
		}
	}
	return nil
}

func emptyToNil(p *string) *string {
	if p == nil || *p == "" {
		return nil
	}
	return p
}
