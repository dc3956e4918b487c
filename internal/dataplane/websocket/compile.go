package websocket

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/portico-dev/portico/internal/accesslog"
	"github.com/portico-dev/portico/internal/apigw"
	"github.com/portico-dev/portico/internal/selectexpr"
	"github.com/portico-dev/portico/internal/vtl"

	"github.com/portico-dev/portico/internal/dataplane/gateway"
	"github.com/portico-dev/portico/internal/dataplane/throttle"
)

// Stage is one WebSocket stage's deployment, indexed for serving: built
// once per deployment, read-only afterwards, shared by every connection of
// the stage.
type Stage struct {
	key          gateway.StageKey
	protocol     string
	deploymentID string
	stageVars    map[string]string

	routeSelection *selectexpr.Expr
	routes         map[string]*route // custom keys and $default
	connect        *route
	disconnect     *route
	// accessLog: the stage's access log format and log group (nil
	// without accessLogSettings).
	accessLog   *accesslog.Format
	accessGroup string
}

type route struct {
	key string
	id  string
	// integration is nil for a route with no target.
	integration *stageIntegration
	// authorizer runs before $connect's integration (CUSTOM routes).
	authorizer *authorizer
	// twoWay: the route has routeResponseSelectionExpression $default and
	// a $default route response (docs/aws-behaviours.md#two-way).
	twoWay bool
	// models validate messages (docs/aws-behaviours.md#route-selection):
	// request model key -> schema, picked by modelSelection (or the
	// $default key when there is none).
	models         map[string]*jsonschema.Schema
	modelSelection *selectexpr.Expr
	// bucket throttles the route's messages (its routeSettings over the
	// stage's defaultRouteSettings); nil without a limit.
	bucket *throttle.Bucket
}

type stageIntegration struct {
	id      string
	typ     string // AWS, AWS_PROXY, HTTP, HTTP_PROXY, MOCK
	uri     string
	method  string
	timeout time.Duration

	passthrough       string
	contentHandling   string
	requestParameters map[string]string
	requestTpl        map[string]*vtl.Template
	templateSelection *selectexpr.Expr
	// responses are the integration responses, regex keys first in key
	// order, $default last.
	responses []*integrationResponse
}

type integrationResponse struct {
	key               string
	pattern           *regexp.Regexp // nil for $default
	responseTpl       map[string]*vtl.Template
	templateSelection *selectexpr.Expr
	contentHandling   string
}

// Compile indexes a snapshot. Everything it parses was validated when it
// was saved, so an error here means a stored document is damaged.
func Compile(k gateway.StageKey, st *apigw.Stage, snap *apigw.Snapshot) (*Stage, error) {
	c := &Stage{
		key:          k,
		protocol:     deref(snap.Api.ProtocolType),
		deploymentID: deref(st.DeploymentId),
		stageVars:    st.StageVariables,
		routes:       map[string]*route{},
	}
	if c.stageVars == nil {
		c.stageVars = map[string]string{}
	}
	if als := st.AccessLogSettings; als != nil && als.Format != nil && als.DestinationArn != nil {
		f, err := accesslog.Compile(*als.Format)
		if err != nil {
			return nil, fmt.Errorf("access log format: %w", err)
		}
		if c.accessGroup, err = accesslog.LogGroup(*als.DestinationArn); err != nil {
			return nil, fmt.Errorf("access log destination: %w", err)
		}
		c.accessLog = f
	}
	if c.protocol == "WEBSOCKET" {
		e, err := selectexpr.Parse(deref(snap.Api.RouteSelectionExpression))
		if err != nil {
			return nil, fmt.Errorf("route selection expression: %w", err)
		}
		c.routeSelection = e
	}
	schemas := map[string]*jsonschema.Schema{}
	if !deref(snap.Api.DisableSchemaValidation) {
		for _, m := range snap.Models {
			sch, err := apigw.CompileSchema(deref(m.Schema))
			if err != nil {
				return nil, fmt.Errorf("model %s: %w", deref(m.Name), err)
			}
			schemas[deref(m.Name)] = sch
		}
	}
	authorizers := map[string]*authorizer{}
	for i := range snap.Authorizers {
		a := compileAuthorizer(&snap.Authorizers[i])
		authorizers[a.id] = a
	}
	integrations := map[string]*stageIntegration{}
	for i := range snap.Integrations {
		in, err := compileIntegration(&snap.Integrations[i])
		if err != nil {
			return nil, err
		}
		integrations[in.id] = in
	}
	for i := range snap.Routes {
		sr := &snap.Routes[i]
		r := &route{key: deref(sr.RouteKey), id: deref(sr.RouteId)}
		r.bucket = routeLimits(st, r.key).Bucket()
		if t := deref(sr.Target); t != "" {
			r.integration = integrations[strings.TrimPrefix(t, "integrations/")]
		}
		if deref(sr.AuthorizationType) == "CUSTOM" {
			r.authorizer = authorizers[deref(sr.AuthorizerId)]
		}
		if len(sr.RequestModels) > 0 && !deref(snap.Api.DisableSchemaValidation) {
			r.models = map[string]*jsonschema.Schema{}
			for key, name := range sr.RequestModels {
				if sch := schemas[name]; sch != nil {
					r.models[key] = sch
				}
			}
			if mse := deref(sr.ModelSelectionExpression); mse != "" {
				e, err := selectexpr.Parse(mse)
				if err != nil {
					return nil, fmt.Errorf("route %s: model selection expression: %w", r.key, err)
				}
				r.modelSelection = e
			}
		}
		if deref(sr.RouteResponseSelectionExpression) == "$default" {
			for _, rr := range sr.RouteResponses {
				if deref(rr.RouteResponseKey) == "$default" {
					r.twoWay = true
				}
			}
		}
		switch r.key {
		case "$connect":
			c.connect = r
		case "$disconnect":
			c.disconnect = r
		default:
			c.routes[r.key] = r
		}
	}
	return c, nil
}

func compileIntegration(si *apigw.SnapshotIntegration) (*stageIntegration, error) {
	in := &stageIntegration{
		id:                deref(si.IntegrationId),
		typ:               deref(si.IntegrationType),
		uri:               deref(si.IntegrationUri),
		method:            deref(si.IntegrationMethod),
		timeout:           29 * time.Second,
		passthrough:       deref(si.PassthroughBehavior),
		contentHandling:   deref(si.ContentHandlingStrategy),
		requestParameters: si.RequestParameters,
	}
	var err error
	if in.requestTpl, err = compileTemplates("request", si.RequestTemplates); err != nil {
		return nil, fmt.Errorf("integration %s: %w", in.id, err)
	}
	if si.TimeoutInMillis != nil {
		in.timeout = time.Duration(*si.TimeoutInMillis) * time.Millisecond
	}
	if in.passthrough == "" {
		in.passthrough = "WHEN_NO_MATCH"
	}
	if tse := deref(si.TemplateSelectionExpression); tse != "" {
		e, err := selectexpr.Parse(tse)
		if err != nil {
			return nil, fmt.Errorf("integration %s: template selection expression: %w", in.id, err)
		}
		in.templateSelection = e
	}
	var dflt *integrationResponse
	for _, ir := range si.IntegrationResponses {
		out := &integrationResponse{
			key:             deref(ir.IntegrationResponseKey),
			contentHandling: deref(ir.ContentHandlingStrategy),
		}
		if out.responseTpl, err = compileTemplates("response", ir.ResponseTemplates); err != nil {
			return nil, fmt.Errorf("integration response %s: %w", out.key, err)
		}
		if tse := deref(ir.TemplateSelectionExpression); tse != "" {
			e, err := selectexpr.Parse(tse)
			if err != nil {
				return nil, fmt.Errorf("integration response %s: template selection expression: %w", out.key, err)
			}
			out.templateSelection = e
		}
		if out.key == "$default" {
			dflt = out
			continue
		}
		re, err := regexp.Compile("^(?:" + strings.TrimSuffix(strings.TrimPrefix(out.key, "/"), "/") + ")$")
		if err != nil {
			return nil, fmt.Errorf("integration response key %s: %w", out.key, err)
		}
		out.pattern = re
		in.responses = append(in.responses, out)
	}
	if dflt != nil {
		in.responses = append(in.responses, dflt)
	}
	return in, nil
}

// selectResponse picks the integration response for a selection value (a
// status code, or a Lambda error message): the first regex key that
// matches the whole value, else $default, else none.
func (in *stageIntegration) selectResponse(value string) *integrationResponse {
	for _, r := range in.responses {
		if r.pattern == nil || r.pattern.MatchString(value) {
			return r
		}
	}
	return nil
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// validate checks a message against the route's request model, if it has
// one for the message. It reports whether the message may go on.
func (r *route) validate(body string) bool {
	if len(r.models) == 0 {
		return true
	}
	// Numbers stay exact (json.Number), as the schema library wants them.
	doc, docErr := jsonschema.UnmarshalJSON(strings.NewReader(body))
	key := "$default"
	if r.modelSelection != nil {
		key, _ = r.modelSelection.Eval(func(v string) (string, error) {
			path, ok := strings.CutPrefix(v, "request.body")
			if !ok || docErr != nil {
				return "", nil
			}
			return selectexpr.JSONPath(doc, path), nil
		})
	}
	sch, ok := r.models[key]
	if !ok {
		return true // no model for this message: nothing to check
	}
	if docErr != nil {
		return false
	}
	return sch.Validate(doc) == nil
}

// DeploymentID is the deployment the stage serves.
func (c *Stage) DeploymentID() string { return c.deploymentID }

// routeLimits are a route's throttling settings: its own over the stage's
// defaults (docs/aws-behaviours.md#throttling).
func routeLimits(st *apigw.Stage, key string) throttle.Settings {
	var own, dflt throttle.Settings
	if d := st.DefaultRouteSettings; d != nil {
		dflt = throttle.Settings{Rate: d.ThrottlingRateLimit, Burst: d.ThrottlingBurstLimit}
	}
	if rs, ok := st.RouteSettings[key]; ok {
		own = throttle.Settings{Rate: rs.ThrottlingRateLimit, Burst: rs.ThrottlingBurstLimit}
	}
	return own.Merge(dflt)
}
