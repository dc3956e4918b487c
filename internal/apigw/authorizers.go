package apigw

import (
	"context"
	"errors"
	"net/url"
	"regexp"

	"github.com/portico-dev/portico/internal/awsproto"
	"github.com/portico-dev/portico/internal/store"
)

// Authorizers decide who may call a route: JWT authorizers (HTTP APIs only)
// check a JSON Web Token against an issuer and audiences; REQUEST
// authorizers call a Lambda function. The rules come from the API reference
// and the developer guide ([D]), real AWS output quoted in issues and the
// AWS CLI examples ([V]), Terraform's acceptance tests for
// aws_apigatewayv2_authorizer, which run against AWS, and LocalStack's
// AWS-validated tests ([L]); the rest is marked [I]. Error texts are in
// messages_authorizers.go.

var _ interface {
	createAuthorizerHandler
	getAuthorizerHandler
	getAuthorizersHandler
	updateAuthorizerHandler
	deleteAuthorizerHandler
	resetAuthorizersCacheHandler
} = (*Server)(nil)

const (
	authorizerJWT     = "JWT"
	authorizerRequest = "REQUEST"

	// Quota (developer guide, quotas page): 50 audiences per JWT
	// authorizer. The authorizers per API are in quotas.go.
	maxAudiences = 50
)

var (
	// Identity sources. HTTP APIs: selection expressions of a header, a
	// query string parameter, a context variable or a stage variable
	// (developer guide, HTTP API Lambda authorizers); JWT authorizers only
	// the first two ("Currently only header-based and query parameter-based
	// selections are supported", API reference). WebSocket APIs: mapping
	// expressions without "$" (API reference; the patterns are those of the
	// CDK's WebSocketLambdaAuthorizer documentation). Header names are HTTP
	// tokens; what AWS accepts in a name exactly is [I].
	httpIdentitySource = regexp.MustCompile(`^\$(request\.header\.[A-Za-z0-9!#$%&'*+.^_` + "`" + `|~-]+|request\.querystring\.[^\s]+|context\.[A-Za-z0-9._-]+|stageVariables\.[A-Za-z0-9._-]+)$`)
	jwtIdentitySource  = regexp.MustCompile(`^\$request\.(header\.[A-Za-z0-9!#$%&'*+.^_` + "`" + `|~-]+|querystring\.[^\s]+)$`)
	wsIdentitySource   = regexp.MustCompile(`^(route\.request\.header\.[A-Za-z0-9!#$%&'*+.^_` + "`" + `|~-]+|route\.request\.querystring\.[^\s]+|context\.[A-Za-z0-9._-]+|stageVariables\.[A-Za-z0-9._-]+)$`)

	// lambdaInvocationURI: arn:{partition}:apigateway:{region}:lambda:path/
	// 2015-03-31/functions/{functionArn}/invocations (API reference). The
	// function part is left free: it may name an alias or a stage variable
	// [I].
	lambdaInvocationURI = regexp.MustCompile(`^arn:[a-z-]+:apigateway:[a-z0-9-]+:lambda:path/\d{4}-\d{2}-\d{2}/functions/[^\s]+/invocations$`)
)

func (s *Server) CreateAuthorizer(ctx context.Context, in *CreateAuthorizerRequest) (*CreateAuthorizerResponse, error) {
	a := Authorizer{
		Name:                           in.Name,
		AuthorizerType:                 in.AuthorizerType,
		AuthorizerCredentialsArn:       emptyToNil(in.AuthorizerCredentialsArn),
		AuthorizerPayloadFormatVersion: emptyToNil(in.AuthorizerPayloadFormatVersion),
		AuthorizerResultTtlInSeconds:   in.AuthorizerResultTtlInSeconds,
		AuthorizerUri:                  emptyToNil(in.AuthorizerUri),
		EnableSimpleResponses:          in.EnableSimpleResponses,
		IdentitySource:                 nilIfEmpty(in.IdentitySource),
		IdentityValidationExpression:   emptyToNil(in.IdentityValidationExpression),
		JwtConfiguration:               in.JwtConfiguration,
	}
	err := s.changeAPI(ctx, *in.ApiId, func(tx store.Tx) error {
		api, err := loadAPI(ctx, tx, *in.ApiId)
		if err != nil {
			return err
		}
		if err := settleAuthorizer(&api, &a); err != nil {
			return err
		}
		// The quota is checked after the request itself [I].
		if err := checkQuota(tx, kindAuthorizer, apiRef(*in.ApiId), s.quotas.AuthorizersPerAPI, tooManyAuthorizers()); err != nil {
			return err
		}
		err = insertNew(tx, kindAuthorizer, apiRef(*in.ApiId), *a.Name, 6, func(id string) any {
			a.AuthorizerId = &id
			return a
		})
		if errors.Is(err, store.ErrConflict) {
			return duplicateAuthorizerName(*a.Name)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	out := CreateAuthorizerResponse(a)
	return &out, nil
}

func (s *Server) GetAuthorizer(ctx context.Context, in *GetAuthorizerRequest) (*GetAuthorizerResponse, error) {
	var a Authorizer
	err := s.view(ctx, func(tx store.Tx) error {
		if _, err := loadAPI(ctx, tx, *in.ApiId); err != nil {
			return err
		}
		var err error
		a, err = loadAuthorizer(tx, *in.ApiId, *in.AuthorizerId)
		return err
	})
	if err != nil {
		return nil, err
	}
	out := GetAuthorizerResponse(a)
	return &out, nil
}

func (s *Server) GetAuthorizers(ctx context.Context, in *GetAuthorizersRequest) (*GetAuthorizersResponse, error) {
	p, err := parsePage(in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	out := &GetAuthorizersResponse{}
	err = s.view(ctx, func(tx store.Tx) error {
		if _, err := loadAPI(ctx, tx, *in.ApiId); err != nil {
			return err
		}
		out.Items, out.NextToken, err = listPage[Authorizer](tx, kindAuthorizer, apiRef(*in.ApiId), p)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// UpdateAuthorizer is a partial update: absent members stay, "" clears a
// string (what Terraform sends to unset one), identitySource given replaces
// the list, and jwtConfiguration given replaces the members it carries
// [I]. The result is checked as a whole, as on create.
func (s *Server) UpdateAuthorizer(ctx context.Context, in *UpdateAuthorizerRequest) (*UpdateAuthorizerResponse, error) {
	var a Authorizer
	err := s.changeAPI(ctx, *in.ApiId, func(tx store.Tx) error {
		api, err := loadAPI(ctx, tx, *in.ApiId)
		if err != nil {
			return err
		}
		if a, err = loadAuthorizer(tx, *in.ApiId, *in.AuthorizerId); err != nil {
			return err
		}
		oldType := *a.AuthorizerType
		if in.Name != nil {
			a.Name = in.Name
		}
		if in.AuthorizerType != nil && *in.AuthorizerType != oldType {
			// A new type drops the members of the old one, so that the
			// caller need not clear them one by one [I].
			a.AuthorizerType = in.AuthorizerType
			if *in.AuthorizerType == authorizerJWT {
				a.AuthorizerUri, a.AuthorizerCredentialsArn, a.AuthorizerPayloadFormatVersion = nil, nil, nil
				a.AuthorizerResultTtlInSeconds, a.EnableSimpleResponses = nil, nil
			} else {
				a.JwtConfiguration = nil
			}
		}
		setString(&a.AuthorizerUri, in.AuthorizerUri)
		setString(&a.AuthorizerCredentialsArn, in.AuthorizerCredentialsArn)
		setString(&a.AuthorizerPayloadFormatVersion, in.AuthorizerPayloadFormatVersion)
		setString(&a.IdentityValidationExpression, in.IdentityValidationExpression)
		if in.AuthorizerResultTtlInSeconds != nil {
			a.AuthorizerResultTtlInSeconds = in.AuthorizerResultTtlInSeconds
		}
		if in.EnableSimpleResponses != nil {
			a.EnableSimpleResponses = in.EnableSimpleResponses
		}
		if in.IdentitySource != nil {
			a.IdentitySource = nilIfEmpty(in.IdentitySource)
		}
		if jwt := in.JwtConfiguration; jwt != nil {
			merged := JWTConfiguration{}
			if a.JwtConfiguration != nil {
				merged = *a.JwtConfiguration
			}
			if jwt.Issuer != nil {
				merged.Issuer = jwt.Issuer
			}
			if jwt.Audience != nil {
				merged.Audience = jwt.Audience
			}
			a.JwtConfiguration = &merged
		}
		if err := settleAuthorizer(&api, &a); err != nil {
			return err
		}
		if *a.AuthorizerType != oldType {
			using, err := routesUsingAuthorizer(tx, *in.ApiId, *a.AuthorizerId)
			if err != nil {
				return err
			}
			if len(using) > 0 {
				return authorizerTypeInUse(*a.Name, *using[0].RouteKey)
			}
		}
		err = tx.Replace(store.Record{Kind: kindAuthorizer, ID: *a.AuthorizerId, Parent: apiRef(*in.ApiId),
			Key: *a.Name, Data: encode(a)})
		if errors.Is(err, store.ErrConflict) {
			return duplicateAuthorizerName(*a.Name)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	out := UpdateAuthorizerResponse(a)
	return &out, nil
}

// DeleteAuthorizer refuses while a route of the API names the authorizer,
// as AWS does (409, messages_authorizers.go).
func (s *Server) DeleteAuthorizer(ctx context.Context, in *DeleteAuthorizerRequest) error {
	return s.changeAPI(ctx, *in.ApiId, func(tx store.Tx) error {
		if _, err := loadAPI(ctx, tx, *in.ApiId); err != nil {
			return err
		}
		a, err := loadAuthorizer(tx, *in.ApiId, *in.AuthorizerId)
		if err != nil {
			return err
		}
		using, err := routesUsingAuthorizer(tx, *in.ApiId, *in.AuthorizerId)
		if err != nil {
			return err
		}
		if len(using) > 0 {
			return authorizerInUse(*a.Name, *using[0].RouteKey)
		}
		return tx.Delete(kindAuthorizer, *in.AuthorizerId)
	})
}

// ResetAuthorizersCache empties a stage's cache of Lambda authorizer
// results: "Supported only for HTTP APIs" (API reference). The cache lives
// with what the data plane compiled for the API's stages, so the reset is
// announced to Watch (on every node), which drops that; nothing is
// written. The order of the checks (API, stage, protocol) follows route
// responses' [I].
func (s *Server) ResetAuthorizersCache(ctx context.Context, in *ResetAuthorizersCacheRequest) error {
	return s.updateAPI(ctx, *in.ApiId, func(tx store.Tx) error {
		api, err := loadAPI(ctx, tx, *in.ApiId)
		if err != nil {
			return err
		}
		if _, err := loadStage(ctx, tx, *in.ApiId, *in.StageName); err != nil {
			return err
		}
		if *api.ProtocolType != protocolHTTP {
			// [I]: the model lists no BadRequestException for this
			// operation; AWS's answer on a WebSocket API is not known.
			return httpOnly("ResetAuthorizersCache is")
		}
		return nil
	})
}

// loadAuthorizer reads an authorizer of an API or answers the not-found
// error.
func loadAuthorizer(tx store.Tx, apiID, id string) (Authorizer, error) {
	var a Authorizer
	err := getChildInto(tx, kindAuthorizer, id, apiRef(apiID), &a)
	if errors.Is(err, store.ErrNotFound) {
		return a, authorizerNotFound(id)
	}
	return a, err
}

// routesUsingAuthorizer lists the routes of an API that name the
// authorizer, in id order.
func routesUsingAuthorizer(tx store.Tx, apiID, authorizerID string) ([]Route, error) {
	routes, _, err := listPage[Route](tx, kindRoute, apiRef(apiID), page{limit: 1 << 30})
	if err != nil {
		return nil, err
	}
	var using []Route
	for _, r := range routes {
		if deref(r.AuthorizerId) == authorizerID {
			using = append(using, r)
		}
	}
	return using, nil
}

// checkRouteAuthorizer: a JWT route needs a JWT authorizer and a CUSTOM
// route a REQUEST (Lambda) authorizer ([V] texts in
// messages_authorizers.go). rec is the authorizer's record, known to belong
// to the route's API. checkAuthorization (routes.go) calls it.
func checkRouteAuthorizer(rec store.Record, authorizationType string) error {
	var a Authorizer
	if err := decode(rec, &a); err != nil {
		return err
	}
	switch {
	case authorizationType == authJWT && deref(a.AuthorizerType) != authorizerJWT:
		return jwtRouteNeedsJWTAuthorizer
	case authorizationType == authCustom && deref(a.AuthorizerType) != authorizerRequest:
		return customRouteNeedsLambdaAuthorizer
	}
	return nil
}

// settleAuthorizer holds every rule on an authorizer as a whole, after
// create or update, and fills the defaults AWS returns:
//
//   - JWT (HTTP APIs only): jwtConfiguration with an issuer URL and 1 to 50
//     audiences, and one identity source, a header or a query string
//     parameter. The output has no Lambda members (CLI examples; moto's
//     capture of a real CreateAuthorizer).
//   - REQUEST: an authorizerUri naming a Lambda function. On HTTP APIs
//     authorizerPayloadFormatVersion is required ([V]), 1.0 or 2.0;
//     enableSimpleResponses only with 2.0 (developer guide);
//     authorizerResultTtlInSeconds above 0 needs an identity source
//     ("To enable caching, your authorizer must have at least one identity
//     source"). Both are returned, as 0 and false when not given [I]: AWS's
//     default is not documented; Terraform reads 0 for an HTTP authorizer
//     created without a TTL or identity sources
//     (TestAccAPIGatewayV2Authorizer_basic, second step), and sends 300
//     itself when there are identity sources because 300 is the console's
//     default, not the API's. On WebSocket APIs none of the
//     three may be set ([V] for the TTL, [L] for the payload format
//     version), and identity sources may be omitted (Terraform creates
//     such an authorizer).
//
// Members of the other type are refused when they say something; false and
// 0 are dropped instead, like the route rules do with apiKeyRequired=false
// [I].
func settleAuthorizer(api *Api, a *Authorizer) error {
	if err := awsproto.MinLength("name", 1, *a.Name); err != nil {
		return err
	}
	if err := awsproto.MaxLength("name", 128, *a.Name); err != nil {
		return err
	}
	if a.IdentityValidationExpression != nil {
		if err := awsproto.MaxLength("identityValidationExpression", 1024, *a.IdentityValidationExpression); err != nil {
			return err
		}
	}
	ws := *api.ProtocolType == protocolWebSocket
	if *a.AuthorizerType == authorizerJWT {
		return settleJWTAuthorizer(ws, a)
	}
	if a.JwtConfiguration != nil {
		return notForType("jwtConfiguration", authorizerJWT)
	}
	if a.AuthorizerUri == nil {
		return authorizerURIRequired
	}
	if err := awsproto.MaxLength("authorizerUri", 2048, *a.AuthorizerUri); err != nil {
		return err
	}
	if !lambdaInvocationURI.MatchString(*a.AuthorizerUri) {
		return invalidAuthorizerURI(*a.AuthorizerUri)
	}
	if creds := a.AuthorizerCredentialsArn; creds != nil && !iamRoleARN.MatchString(*creds) {
		return invalidAuthorizerCredentials(*creds)
	}
	if ws {
		switch {
		case a.AuthorizerPayloadFormatVersion != nil:
			return payloadVersionOnWS
		case deref(a.AuthorizerResultTtlInSeconds) != 0:
			return ttlOnWebSocket
		case deref(a.EnableSimpleResponses):
			return simpleResponsesOnWS
		}
		a.AuthorizerResultTtlInSeconds, a.EnableSimpleResponses = nil, nil
		return checkIdentitySources(a.IdentitySource, wsIdentitySource,
			"route.request.header.{name}, route.request.querystring.{name}, stageVariables.{name} or context.{name}")
	}
	switch v := deref(a.AuthorizerPayloadFormatVersion); v {
	case "":
		return payloadFormatVersionRequired
	case "1.0", "2.0":
		if deref(a.EnableSimpleResponses) && v != "2.0" {
			return simpleResponsesNeedV2
		}
	default:
		return invalidAuthorizerPayloadFormat(v)
	}
	if a.AuthorizerResultTtlInSeconds == nil {
		a.AuthorizerResultTtlInSeconds = ptr(int32(0))
	}
	if a.EnableSimpleResponses == nil {
		a.EnableSimpleResponses = ptr(false)
	}
	if *a.AuthorizerResultTtlInSeconds > 0 && len(a.IdentitySource) == 0 {
		return cachingNeedsIdentity
	}
	return checkIdentitySources(a.IdentitySource, httpIdentitySource,
		"$request.header.{name}, $request.querystring.{name}, $context.{variable} or $stageVariables.{name}")
}

func settleJWTAuthorizer(ws bool, a *Authorizer) error {
	if ws {
		return httpOnly("Authorizer type JWT is")
	}
	switch {
	case a.AuthorizerUri != nil:
		return notForType("authorizerUri", authorizerRequest)
	case a.AuthorizerCredentialsArn != nil:
		return notForType("authorizerCredentialsArn", authorizerRequest)
	case a.AuthorizerPayloadFormatVersion != nil:
		return notForType("authorizerPayloadFormatVersion", authorizerRequest)
	case deref(a.AuthorizerResultTtlInSeconds) != 0:
		return notForType("authorizerResultTtlInSeconds", authorizerRequest)
	case deref(a.EnableSimpleResponses):
		return notForType("enableSimpleResponses", authorizerRequest)
	}
	a.AuthorizerResultTtlInSeconds, a.EnableSimpleResponses = nil, nil
	jwt := a.JwtConfiguration
	if jwt == nil {
		return jwtConfigurationRequired
	}
	if deref(jwt.Issuer) == "" {
		return issuerRequired
	}
	if err := awsproto.MaxLength("jwtConfiguration.issuer", 2048, *jwt.Issuer); err != nil {
		return err
	}
	// An issuer is a URL with a host. AWS fetches its keys over HTTPS;
	// Portico also takes http:// so that a local identity provider can be
	// used [I].
	if u, err := url.Parse(*jwt.Issuer); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return invalidIssuer
	}
	if len(jwt.Audience) == 0 {
		return audienceRequired
	}
	if len(jwt.Audience) > maxAudiences {
		return tooManyAudiences
	}
	for _, aud := range jwt.Audience {
		if aud == "" {
			return audienceRequired
		}
	}
	if len(a.IdentitySource) != 1 {
		return jwtIdentitySourceCount
	}
	return checkIdentitySources(a.IdentitySource, jwtIdentitySource, "$request.header.{name} or $request.querystring.{name}")
}

func checkIdentitySources(sources []string, re *regexp.Regexp, want string) error {
	for _, src := range sources {
		if !re.MatchString(src) {
			return invalidIdentitySource(src, want)
		}
	}
	return nil
}

// iamRoleARN: authorizerCredentialsArn is an IAM role ("Specifies the
// required credentials as an IAM role", API reference); the exact pattern
// AWS checks is [I].
var iamRoleARN = regexp.MustCompile(`^arn:[a-z-]+:iam::\d{12}:role/[^\s]+$`)
