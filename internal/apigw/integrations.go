package apigw

import (
	"context"
	"errors"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/portico-dev/portico/internal/awsproto"
	"github.com/portico-dev/portico/internal/dataplane/httpapi/mapping"
	"github.com/portico-dev/portico/internal/selectexpr"
	"github.com/portico-dev/portico/internal/store"
	"github.com/portico-dev/portico/internal/vtl"
)

// Integrations are what a route calls. The rules are those of
// docs/aws-behaviours.md#integrations and
// docs/aws-behaviours.md#protocol-specific-members; where AWS's
// documentation is silent, the behaviour comes from real AWS output
// captured in the AWS CLI examples and in terraform-provider-aws's
// acceptance tests (internal/service/apigatewayv2/integration_test.go,
// which runs against AWS), and the rest is marked [I].

var _ interface {
	createIntegrationHandler
	getIntegrationHandler
	getIntegrationsHandler
	updateIntegrationHandler
	deleteIntegrationHandler
} = (*Server)(nil)

const (
	integrationAWS       = "AWS"
	integrationAWSProxy  = "AWS_PROXY"
	integrationHTTP      = "HTTP"
	integrationHTTPProxy = "HTTP_PROXY"
	integrationMock      = "MOCK"

	connectionInternet = "INTERNET"
	connectionVPCLink  = "VPC_LINK"

	passthroughWhenNoMatch = "WHEN_NO_MATCH"

	// Timeouts: 50 to 29,000 ms for WebSocket APIs, 50 to 30,000 ms for
	// HTTP APIs (the model checks 50 to 30,000); the defaults are the
	// maxima (model documentation; CLI examples).
	wsTimeoutMax       = 29000
	wsTimeoutDefault   = 29000
	httpTimeoutDefault = 30000

	// Integration response selection expressions, which AWS derives and the
	// caller cannot set: MOCK and HTTP select on the status code (CLI
	// example, Terraform basicWebSocket and integrationTypeHTTP), AWS on the
	// Lambda error message (Terraform lambdaWebSocket). Proxy integrations
	// have none (Terraform vpcLinkWebSocket; CDK PR #29566 output).
	irseStatusCode   = "${integration.response.statuscode}"
	irseErrorMessage = "${integration.response.body.errorMessage}"

	// maxMappingTemplateBytes: a mapping template is at most 300 KB
	// (docs/aws-behaviours.md#templates), counted in bytes.
	maxMappingTemplateBytes = 300 * 1024
)

// integrationSubtypes are the AWS service actions of HTTP API AWS_PROXY
// integrations (developer guide, integration subtype reference).
var integrationSubtypes = []string{
	"AppConfig-GetConfiguration",
	"EventBridge-PutEvents",
	"Kinesis-PutRecord",
	"SQS-DeleteMessage",
	"SQS-PurgeQueue",
	"SQS-ReceiveMessage",
	"SQS-SendMessage",
	"StepFunctions-StartExecution",
	"StepFunctions-StartSyncExecution",
	"StepFunctions-StopExecution",
}

func (s *Server) CreateIntegration(ctx context.Context, in *CreateIntegrationRequest) (*CreateIntegrationResult, error) {
	it := Integration{
		ConnectionId:                emptyToNil(in.ConnectionId),
		ConnectionType:              in.ConnectionType,
		ContentHandlingStrategy:     in.ContentHandlingStrategy,
		CredentialsArn:              emptyToNil(in.CredentialsArn),
		Description:                 emptyToNil(in.Description),
		IntegrationMethod:           emptyToNil(in.IntegrationMethod),
		IntegrationSubtype:          emptyToNil(in.IntegrationSubtype),
		IntegrationType:             in.IntegrationType,
		IntegrationUri:              emptyToNil(in.IntegrationUri),
		PassthroughBehavior:         in.PassthroughBehavior,
		PayloadFormatVersion:        emptyToNil(in.PayloadFormatVersion),
		RequestParameters:           mergeParameters(nil, in.RequestParameters),
		RequestTemplates:            nilIfEmptyMap(in.RequestTemplates),
		ResponseParameters:          mergeResponseParameters(nil, in.ResponseParameters),
		TemplateSelectionExpression: emptyToNil(in.TemplateSelectionExpression),
		TimeoutInMillis:             in.TimeoutInMillis,
		TlsConfig:                   tlsConfig(in.TlsConfig),
	}
	err := s.changeAPI(ctx, *in.ApiId, func(tx store.Tx) error {
		api, err := loadAPI(ctx, tx, *in.ApiId)
		if err != nil {
			return err
		}
		if err := settleIntegration(&api, &it); err != nil {
			return err
		}
		// A private integration of an HTTP API names a VPC link that
		// exists. (Terraform's WebSocket tests name REST API links here.)
		if *api.ProtocolType == protocolHTTP && deref(it.ConnectionType) == connectionVPCLink {
			if err := checkVpcLink(tx, *it.ConnectionId); err != nil {
				return err
			}
		}
		if err := checkQuota(tx, kindIntegration, apiRef(*in.ApiId), s.quotas.IntegrationsPerAPI, tooManyIntegrations); err != nil {
			return err
		}
		return insertNew(tx, kindIntegration, apiRef(*in.ApiId), "", 7, func(id string) any {
			it.IntegrationId = &id
			return it
		})
	})
	if err != nil {
		return nil, err
	}
	out := CreateIntegrationResult(it)
	return &out, nil
}

func (s *Server) GetIntegration(ctx context.Context, in *GetIntegrationRequest) (*GetIntegrationResult, error) {
	var it Integration
	err := s.view(ctx, func(tx store.Tx) error {
		if _, err := loadAPI(ctx, tx, *in.ApiId); err != nil {
			return err
		}
		var err error
		it, err = loadIntegration(tx, *in.ApiId, *in.IntegrationId)
		return err
	})
	if err != nil {
		return nil, err
	}
	out := GetIntegrationResult(it)
	return &out, nil
}

func (s *Server) GetIntegrations(ctx context.Context, in *GetIntegrationsRequest) (*GetIntegrationsResponse, error) {
	p, err := parsePage(in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	out := &GetIntegrationsResponse{}
	err = s.view(ctx, func(tx store.Tx) error {
		if _, err := loadAPI(ctx, tx, *in.ApiId); err != nil {
			return err
		}
		out.Items, out.NextToken, err = listPage[Integration](tx, kindIntegration, apiRef(*in.ApiId), p)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// UpdateIntegration is a partial update: absent members stay, "" clears a
// string (what Terraform sends to unset one), request templates given
// replace the stored ones whole ({} clears them), and parameter mappings
// are merged key by key, "" removing a request parameter and {} the
// mappings of a status code, as the developer guide's "Remove configured
// parameter mappings" example does. Derived members (the integration
// response selection expression, default method) follow the result.
func (s *Server) UpdateIntegration(ctx context.Context, in *UpdateIntegrationRequest) (*UpdateIntegrationResult, error) {
	var it Integration
	err := s.changeAPI(ctx, *in.ApiId, func(tx store.Tx) error {
		api, err := loadAPI(ctx, tx, *in.ApiId)
		if err != nil {
			return err
		}
		if it, err = loadIntegration(tx, *in.ApiId, *in.IntegrationId); err != nil {
			return err
		}
		if in.IntegrationType != nil {
			it.IntegrationType = in.IntegrationType
		}
		if in.ConnectionType != nil {
			it.ConnectionType = in.ConnectionType
			// Back to the internet, the VPC link goes with it unless one is
			// given in the same call (refused below) [I].
			if *in.ConnectionType == connectionInternet && in.ConnectionId == nil {
				it.ConnectionId = nil
			}
		}
		setString(&it.ConnectionId, in.ConnectionId)
		if in.ContentHandlingStrategy != nil {
			it.ContentHandlingStrategy = in.ContentHandlingStrategy
		}
		setString(&it.CredentialsArn, in.CredentialsArn)
		setString(&it.Description, in.Description)
		setString(&it.IntegrationMethod, in.IntegrationMethod)
		setString(&it.IntegrationSubtype, in.IntegrationSubtype)
		setString(&it.IntegrationUri, in.IntegrationUri)
		if in.PassthroughBehavior != nil {
			it.PassthroughBehavior = in.PassthroughBehavior
		}
		setString(&it.PayloadFormatVersion, in.PayloadFormatVersion)
		if in.RequestParameters != nil {
			it.RequestParameters = mergeParameters(it.RequestParameters, in.RequestParameters)
		}
		if in.RequestTemplates != nil {
			it.RequestTemplates = nilIfEmptyMap(in.RequestTemplates)
		}
		if in.ResponseParameters != nil {
			it.ResponseParameters = mergeResponseParameters(it.ResponseParameters, in.ResponseParameters)
		}
		setString(&it.TemplateSelectionExpression, in.TemplateSelectionExpression)
		if in.TimeoutInMillis != nil {
			it.TimeoutInMillis = in.TimeoutInMillis
		}
		if in.TlsConfig != nil {
			// {} (no serverNameToVerify) removes it: what Terraform sends.
			it.TlsConfig = tlsConfig(in.TlsConfig)
		}
		if err := settleIntegration(&api, &it); err != nil {
			return err
		}
		// A private integration of an HTTP API names a VPC link that
		// exists. (Terraform's WebSocket tests name REST API links here.)
		if *api.ProtocolType == protocolHTTP && deref(it.ConnectionType) == connectionVPCLink {
			if err := checkVpcLink(tx, *it.ConnectionId); err != nil {
				return err
			}
		}
		return tx.Replace(store.Record{Kind: kindIntegration, ID: *it.IntegrationId, Parent: apiRef(*in.ApiId), Data: encode(it)})
	})
	if err != nil {
		return nil, err
	}
	out := UpdateIntegrationResult(it)
	return &out, nil
}

// DeleteIntegration refuses while a route of the API targets the
// integration (409, as AWS); the store deletes its integration responses
// with it.
func (s *Server) DeleteIntegration(ctx context.Context, in *DeleteIntegrationRequest) error {
	return s.changeAPI(ctx, *in.ApiId, func(tx store.Tx) error {
		if _, err := loadAPI(ctx, tx, *in.ApiId); err != nil {
			return err
		}
		if _, err := loadIntegration(tx, *in.ApiId, *in.IntegrationId); err != nil {
			return err
		}
		recs, err := tx.List(kindRoute, apiRef(*in.ApiId), "", 0)
		if err != nil {
			return err
		}
		target := "integrations/" + *in.IntegrationId
		var using []string
		for _, rec := range recs {
			var r Route
			if err := decode(rec, &r); err != nil {
				return err
			}
			if deref(r.Target) == target {
				using = append(using, *r.RouteId)
			}
		}
		if len(using) > 0 {
			return integrationInUse(using)
		}
		return tx.Delete(kindIntegration, *in.IntegrationId)
	})
}

func integrationRef(id string) store.Ref { return store.Ref{Kind: kindIntegration, ID: id} }

// loadIntegration reads an integration of an API or answers the not-found
// error.
func loadIntegration(tx store.Tx, apiID, id string) (Integration, error) {
	var it Integration
	err := getChildInto(tx, kindIntegration, id, apiRef(apiID), &it)
	if errors.Is(err, store.ErrNotFound) {
		return it, integrationNotFound(id)
	}
	return it, err
}

// checkTemplate checks a mapping template before it is stored: its size
// (at most 300 KB: 307,200 bytes of UTF-8, the limit the VTL parser holds too) and that it
// parses, so a template that cannot run is refused when it is created or
// updated, with the line and column of the fault, not when a message
// reaches it. name says which template it is, for the error message.
func checkTemplate(name, src string) error {
	if n := len(src); n > maxMappingTemplateBytes {
		return templateTooLarge(name, n)
	}
	if _, err := vtl.Parse(src); err != nil {
		return invalidTemplate(name, err)
	}
	return nil
}

// checkSelectionExpression parses a selection expression before it is
// stored, so a malformed one is refused with where it goes wrong.
func checkSelectionExpression(member string, expr *string) error {
	if expr == nil {
		return nil
	}
	if _, err := selectexpr.Parse(*expr); err != nil {
		return awsproto.BadRequest("Invalid %s specified: %s (%s)", member, echo(*expr), echo(err.Error()))
	}
	return nil
}

func checkTemplates(what string, templates map[string]string) error {
	for _, key := range slices.Sorted(maps.Keys(templates)) {
		if err := checkTemplate(what+" "+strconv.Quote(echo(key)), templates[key]); err != nil {
			return err
		}
	}
	return nil
}

func tlsConfig(in *TlsConfigInput) *TlsConfig {
	if in == nil || deref(in.ServerNameToVerify) == "" {
		return nil
	}
	return &TlsConfig{ServerNameToVerify: in.ServerNameToVerify}
}

// mergeParameters applies parameter mappings given to stored ones: a key
// with a value sets it, a key with "" removes it.
func mergeParameters(stored, given map[string]string) map[string]string {
	out := maps.Clone(stored)
	for k, v := range given {
		if v == "" {
			delete(out, k)
			continue
		}
		if out == nil {
			out = map[string]string{}
		}
		out[k] = v
	}
	return nilIfEmptyMap(out)
}

// mergeResponseParameters does the same per status code; {} for a status
// code removes all its mappings. Within a status code the mappings are
// merged like request parameters [I].
func mergeResponseParameters(stored, given map[string]map[string]string) map[string]map[string]string {
	out := make(map[string]map[string]string, len(stored))
	for code, m := range stored {
		out[code] = maps.Clone(m)
	}
	for code, m := range given {
		if len(m) == 0 {
			delete(out, code)
			continue
		}
		if merged := mergeParameters(out[code], m); merged != nil {
			out[code] = merged
		} else {
			delete(out, code)
		}
	}
	return nilIfEmptyMap(out)
}

// settleIntegration checks an integration as a whole, after create or
// update, and fills in what AWS fills in.
func settleIntegration(api *Api, it *Integration) error {
	typ := *it.IntegrationType
	ws := *api.ProtocolType == protocolWebSocket
	if ws {
		if err := settleWebSocketIntegration(it); err != nil {
			return err
		}
	} else if err := settleHTTPIntegration(it); err != nil {
		return err
	}

	if it.ConnectionType == nil {
		it.ConnectionType = ptr(connectionInternet)
	}
	switch {
	case *it.ConnectionType == connectionVPCLink && it.ConnectionId == nil:
		return connectionIDRequired
	case *it.ConnectionType == connectionInternet && it.ConnectionId != nil:
		return connectionIDNotAllowed
	}

	subtyped := typ == integrationAWSProxy && it.IntegrationSubtype != nil
	if it.IntegrationMethod == nil && (typ == integrationAWS || typ == integrationAWSProxy && !subtyped) {
		// AWS invokes Lambda and AWS services with POST: the method
		// AWS returns when none was given (CLI example; Terraform
		// lambdaWebSocket). Not for service integrations (Terraform sqs).
		it.IntegrationMethod = ptr("POST")
	}
	if m := it.IntegrationMethod; m != nil {
		if !httpMethods[*m] {
			return invalidIntegrationMethod(*m)
		}
		if typ == integrationAWSProxy && *m != "POST" {
			return awsProxyMethodNotPost
		}
	} else if typ == integrationHTTP || typ == integrationHTTPProxy {
		return integrationMethodRequired(typ)
	}

	if uri := it.IntegrationUri; uri == nil {
		if typ != integrationMock && !subtyped {
			return integrationURIRequired(typ)
		}
	} else {
		if err := awsproto.MaxLength("integrationUri", 2048, *uri); err != nil {
			return err
		}
		if err := checkIntegrationURI(typ, *it.ConnectionType, *uri); err != nil {
			return err
		}
	}

	if it.TimeoutInMillis == nil {
		it.TimeoutInMillis = ptr(int32(httpTimeoutDefault))
		if ws {
			it.TimeoutInMillis = ptr(int32(wsTimeoutDefault))
		}
	} else if ws {
		if err := awsproto.MaxValue("timeoutInMillis", wsTimeoutMax, int64(*it.TimeoutInMillis)); err != nil {
			return err
		}
	}

	for _, f := range []struct {
		name string
		v    *string
		max  int
	}{
		{"connectionId", it.ConnectionId, 1024},
		{"credentialsArn", it.CredentialsArn, 2048},
		{"description", it.Description, 1024},
		{"templateSelectionExpression", it.TemplateSelectionExpression, 1024},
	} {
		if f.v != nil {
			if err := awsproto.MaxLength(f.name, f.max, *f.v); err != nil {
				return err
			}
		}
	}
	if err := checkSelectionExpression("templateSelectionExpression", it.TemplateSelectionExpression); err != nil {
		return err
	}
	return checkTemplates("request template", it.RequestTemplates)
}

func settleWebSocketIntegration(it *Integration) error {
	typ := *it.IntegrationType
	switch {
	case it.IntegrationSubtype != nil:
		return httpOnly("integrationSubtype is")
	case it.ResponseParameters != nil:
		return httpOnly("responseParameters are")
	case it.TlsConfig != nil:
		return httpOnly("tlsConfig is")
	}
	// connectionId and VPC_LINK are accepted: Terraform's vpcLinkWebSocket
	// test creates a WebSocket HTTP_PROXY integration through a (REST API)
	// VPC link against AWS, although the model says "HTTP APIs only".
	if it.PayloadFormatVersion == nil {
		it.PayloadFormatVersion = ptr("1.0")
	} else if *it.PayloadFormatVersion != "1.0" {
		// WebSocket APIs have only the 1.0 format (terraform-provider-aws #25280).
		return invalidPayloadFormat(*it.PayloadFormatVersion, "1.0")
	}
	if it.PassthroughBehavior == nil {
		// Also for proxy integrations: CDK PR #29566 shows a WebSocket
		// AWS_PROXY integration with WHEN_NO_MATCH.
		it.PassthroughBehavior = ptr(passthroughWhenNoMatch)
	}
	switch typ {
	case integrationMock, integrationHTTP:
		it.IntegrationResponseSelectionExpression = ptr(irseStatusCode)
	case integrationAWS:
		it.IntegrationResponseSelectionExpression = ptr(irseErrorMessage)
	default:
		it.IntegrationResponseSelectionExpression = nil
	}
	for _, key := range slices.Sorted(maps.Keys(it.RequestParameters)) {
		if !wsIntegrationParameter.MatchString(key) {
			return invalidRequestParameter(key, "integration.request.header.{name}, integration.request.querystring.{name} or integration.request.path.{name}")
		}
	}
	return nil
}

func settleHTTPIntegration(it *Integration) error {
	typ := *it.IntegrationType
	if typ != integrationAWSProxy && typ != integrationHTTPProxy {
		return httpAPIProxyOnly
	}
	switch {
	case it.ContentHandlingStrategy != nil:
		return websocketOnly("contentHandlingStrategy is")
	case it.RequestTemplates != nil:
		return websocketOnly("requestTemplates are")
	case it.TemplateSelectionExpression != nil:
		return websocketOnly("templateSelectionExpression is")
	case it.PassthroughBehavior != nil && *it.PassthroughBehavior != passthroughWhenNoMatch:
		return websocketOnly("passthroughBehavior is")
	}
	// Terraform sends passthroughBehavior WHEN_NO_MATCH for every
	// integration; AWS accepts it on an HTTP API and does not keep it
	// (Terraform's basicHTTP test reads back no passthroughBehavior).
	it.PassthroughBehavior = nil
	it.IntegrationResponseSelectionExpression = nil

	subtype := it.IntegrationSubtype
	if subtype != nil {
		if typ != integrationAWSProxy {
			return subtypeAWSProxyOnly(typ)
		}
		if !slices.Contains(integrationSubtypes, *subtype) {
			return invalidSubtype(*subtype)
		}
	}
	switch v := it.PayloadFormatVersion; {
	case v == nil:
		return payloadFormatRequired
	case typ == integrationAWSProxy && subtype == nil:
		// Lambda proxy integrations: 1.0 or 2.0.
		if *v != "1.0" && *v != "2.0" {
			return invalidPayloadFormat(*v, "1.0 and 2.0")
		}
	case *v != "1.0":
		return invalidPayloadFormat(*v, "1.0")
	}
	if deref(it.ConnectionType) == connectionVPCLink && typ != integrationHTTPProxy {
		return vpcLinkHTTPProxyOnly
	}
	if subtype == nil {
		// Parameter mapping, checked by the data plane's own compiler so
		// that what is saved is what it serves; with a subtype the keys
		// are the AWS action's parameters (QueueUrl, MessageBody, ...),
		// stored as given.
		if err := mapping.CheckRequest(it.RequestParameters); err != nil {
			return awsproto.BadRequest("%s", err.Error())
		}
	}
	for _, code := range slices.Sorted(maps.Keys(it.ResponseParameters)) {
		if n, err := strconv.Atoi(code); err != nil || n < 200 || n > 599 || strconv.Itoa(n) != code {
			return invalidResponseStatusCode(code)
		}
	}
	if err := mapping.CheckResponse(it.ResponseParameters); err != nil {
		return awsproto.BadRequest("%s", err.Error())
	}
	return nil
}

var (
	wsIntegrationParameter = regexp.MustCompile(`^integration\.request\.(header|querystring|path)\.[^\s.][^\s]*$`)
)

// checkIntegrationURI checks only the form of a URI: stage variables
// (${stageVariables.x}) may stand anywhere in it [I].
func checkIntegrationURI(typ, connectionType, uri string) error {
	lower := strings.ToLower(uri)
	switch {
	case (typ == integrationHTTP || typ == integrationHTTPProxy) && connectionType == connectionInternet:
		if !strings.HasPrefix(lower, "http://") && !strings.HasPrefix(lower, "https://") {
			return invalidIntegrationURI(typ, uri)
		}
	case typ == integrationAWS || typ == integrationAWSProxy:
		if !strings.HasPrefix(uri, "arn:") {
			return invalidIntegrationURI(typ, uri)
		}
	}
	return nil
}

// HTTP API parameter mapping keys (developer guide, "Transforming API
// requests and responses"): append|overwrite|remove:header.{name} and
// :querystring.{name}, overwrite:path; responses map headers and
// overwrite:statuscode. Reserved headers cannot be mapped.
