package httpapi

import (
	"fmt"
	"strings"
	"time"

	"github.com/portico-dev/portico/internal/accesslog"
	"github.com/portico-dev/portico/internal/apigw"
	"github.com/portico-dev/portico/internal/dataplane/gateway"
	"github.com/portico-dev/portico/internal/dataplane/httpapi/cors"
	"github.com/portico-dev/portico/internal/dataplane/httpapi/jwtauth"
	"github.com/portico-dev/portico/internal/dataplane/httpapi/lambdaauth"
	"github.com/portico-dev/portico/internal/dataplane/httpapi/mapping"
	"github.com/portico-dev/portico/internal/dataplane/httpapi/payload"
	"github.com/portico-dev/portico/internal/dataplane/httpapi/route"
	"github.com/portico-dev/portico/internal/dataplane/throttle"
)

// Stage is one HTTP API stage's deployment compiled for serving: the route
// table, and per route what runs (its integration with its URI template,
// mappings and timeout), all built once per deployment and read-only
// afterwards. A request never reads the store.
type Stage struct {
	key          gateway.StageKey
	deploymentID string
	stageVars    map[string]string
	routes       *route.Table
	// byIndex is the compiled route of each route of the table, by the
	// route's index in it.
	byIndex []*compiledRoute
	cors    *cors.Policy // nil without a CORS configuration
	// accessLog is the stage's access log format and group; nil without
	// accessLogSettings.
	accessLog *stageLog
}

// stageLog is where a stage's access log lines go, in which format.
type stageLog struct {
	format *accesslog.Format
	group  string
}

type compiledRoute struct {
	key string
	id  string
	// integration is nil for a route without a target.
	integration *compiledIntegration
	// bucket throttles the route: its routeSettings over the stage's
	// defaultRouteSettings; nil without a limit.
	bucket *throttle.Bucket
	auth   routeAuth
}

type compiledIntegration struct {
	id      string
	typ     string // HTTP_PROXY or AWS_PROXY
	subtype string // AWS service integrations: not served
	private bool   // connectionType VPC_LINK: not served
	uri     *uriTemplate
	rawURI  string
	method  string // "" or ANY: the client's
	timeout time.Duration
	version payload.Version
	request *mapping.RequestRules
	// response is nil without responseParameters.
	response *mapping.ResponseRules
}

// maxIntegrationTimeout is HTTP APIs' limit (30 s; docs/aws-behaviours.md#http-proxy).
const maxIntegrationTimeout = 30 * time.Second

// Compile indexes a snapshot of an HTTP API for stage k. Everything it
// parses was validated when it was saved: an error means a stored document
// is damaged, or holds what Portico's control plane would refuse now.
func (e *Engine) Compile(k gateway.StageKey, st *apigw.Stage, snap *apigw.Snapshot) (*Stage, error) {
	s := &Stage{key: k, deploymentID: deref(st.DeploymentId), stageVars: st.StageVariables}
	if als := st.AccessLogSettings; als != nil && als.Format != nil && als.DestinationArn != nil && e.cfg.AccessLog != nil {
		format, err := accesslog.Compile(*als.Format)
		if err != nil {
			return nil, fmt.Errorf("access log format: %w", err)
		}
		group, err := accesslog.LogGroup(*als.DestinationArn)
		if err != nil {
			return nil, fmt.Errorf("access log destination: %w", err)
		}
		s.accessLog = &stageLog{format: format, group: group}
	}
	if c := snap.Api.CorsConfiguration; c != nil {
		cfg := cors.Config{AllowOrigins: c.AllowOrigins, AllowMethods: c.AllowMethods, AllowHeaders: c.AllowHeaders,
			ExposeHeaders: c.ExposeHeaders, AllowCredentials: deref(c.AllowCredentials)}
		if c.MaxAge != nil {
			m := int(*c.MaxAge)
			cfg.MaxAge = &m
		}
		p, err := cors.New(cfg)
		if err != nil {
			return nil, fmt.Errorf("CORS configuration: %w", err)
		}
		s.cors = p
	}
	integrations := map[string]*compiledIntegration{}
	for i := range snap.Integrations {
		in, err := compileIntegration(&snap.Integrations[i].Integration)
		if err != nil {
			return nil, err
		}
		integrations[in.id] = in
	}
	lambdaAuthorizers := map[string]*lambdaauth.Authorizer{}
	authorizerNames := map[string]string{}
	jwtAuthorizers := map[string]*jwtauth.Authorizer{}
	for i := range snap.Authorizers {
		a := &snap.Authorizers[i]
		authorizerNames[deref(a.AuthorizerId)] = deref(a.Name)
		if deref(a.AuthorizerType) == "JWT" {
			cfg := jwtauth.Config{}
			if jc := a.JwtConfiguration; jc != nil {
				cfg.Issuer, cfg.Audiences = deref(jc.Issuer), jc.Audience
			}
			if len(a.IdentitySource) > 0 {
				cfg.IdentitySource = a.IdentitySource[0]
			}
			ja, err := jwtauth.New(cfg, e.cfg.JWTKeys)
			if err != nil {
				return nil, fmt.Errorf("authorizer %s: %w", deref(a.AuthorizerId), err)
			}
			jwtAuthorizers[deref(a.AuthorizerId)] = ja
			continue
		}
		if deref(a.AuthorizerType) != "REQUEST" {
			continue
		}
		la, err := lambdaauth.Compile(a, lambdaauth.Config{Invoker: e.cfg.Lambda, Stage: k, Metrics: e.cfg.Metrics})
		if err != nil {
			return nil, fmt.Errorf("authorizer %s: %w", deref(a.AuthorizerId), err)
		}
		lambdaAuthorizers[la.ID()] = la
	}
	stageLimits := limits(st.DefaultRouteSettings)
	routes := make([]route.Route, len(snap.Routes))
	s.byIndex = make([]*compiledRoute, len(snap.Routes))
	for i := range snap.Routes {
		sr := &snap.Routes[i]
		r := &compiledRoute{key: deref(sr.RouteKey), id: deref(sr.RouteId)}
		if t := deref(sr.Target); t != "" {
			r.integration = integrations[strings.TrimPrefix(t, "integrations/")]
		}
		var own *apigw.RouteSettings
		if rs, ok := st.RouteSettings[r.key]; ok {
			own = &rs
		}
		r.bucket = limits(own).Merge(stageLimits).Bucket()
		r.auth.name = authorizerNames[deref(sr.AuthorizerId)]
		switch deref(sr.AuthorizationType) {
		case "AWS_IAM":
			r.auth.iam = true
		case "JWT":
			ja := jwtAuthorizers[deref(sr.AuthorizerId)]
			if ja == nil {
				return nil, fmt.Errorf("route %s: no JWT authorizer %s", r.key, deref(sr.AuthorizerId))
			}
			r.auth.jwt = ja.ForRoute(sr.AuthorizationScopes)
		case "CUSTOM":
			r.auth.lambda = lambdaAuthorizers[deref(sr.AuthorizerId)]
			if r.auth.lambda == nil {
				return nil, fmt.Errorf("route %s: no REQUEST authorizer %s", r.key, deref(sr.AuthorizerId))
			}
		}
		routes[i] = route.Route{Key: r.key, ID: r.id}
		s.byIndex[i] = r
	}
	table, err := route.Compile(routes)
	if err != nil {
		return nil, err
	}
	s.routes = table
	return s, nil
}

func compileIntegration(in *apigw.Integration) (*compiledIntegration, error) {
	c := &compiledIntegration{
		id:      deref(in.IntegrationId),
		typ:     deref(in.IntegrationType),
		subtype: deref(in.IntegrationSubtype),
		private: deref(in.ConnectionType) == "VPC_LINK",
		rawURI:  deref(in.IntegrationUri),
		method:  deref(in.IntegrationMethod),
		timeout: maxIntegrationTimeout,
	}
	if in.TimeoutInMillis != nil {
		c.timeout = min(time.Duration(*in.TimeoutInMillis)*time.Millisecond, maxIntegrationTimeout)
	}
	var err error
	if c.typ == "AWS_PROXY" && c.subtype == "" {
		if c.version, err = payload.ParseVersion(deref(in.PayloadFormatVersion)); err != nil {
			return nil, fmt.Errorf("integration %s: %w", c.id, err)
		}
	}
	if c.typ == "HTTP_PROXY" && !c.private {
		if c.uri, err = parseURITemplate(c.rawURI); err != nil {
			return nil, fmt.Errorf("integration %s: %w", c.id, err)
		}
	}
	if c.request, err = mapping.CompileRequest(in.RequestParameters); err != nil {
		return nil, fmt.Errorf("integration %s: request parameters: %w", c.id, err)
	}
	if len(in.ResponseParameters) > 0 {
		if c.response, err = mapping.CompileResponse(in.ResponseParameters); err != nil {
			return nil, fmt.Errorf("integration %s: response parameters: %w", c.id, err)
		}
	}
	return c, nil
}

// limits are the throttling fields of route settings.
func limits(rs *apigw.RouteSettings) throttle.Settings {
	if rs == nil {
		return throttle.Settings{}
	}
	return throttle.Settings{Rate: rs.ThrottlingRateLimit, Burst: rs.ThrottlingBurstLimit}
}

// DeploymentID is the deployment the stage serves.
func (s *Stage) DeploymentID() string { return s.deploymentID }

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
