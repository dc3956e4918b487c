package websocket

import (
	"context"
	"encoding/json"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/portico-dev/portico/internal/apigw"

	"github.com/portico-dev/portico/internal/dataplane/integration"
	"github.com/portico-dev/portico/internal/inspect"
)

// Lambda REQUEST authorizers of WebSocket APIs run on $connect only, before
// the $connect integration and before the upgrade is answered
// (docs/aws-behaviours.md#websocket-connect).
// An Allow policy lets the connection on, and its principalId and context
// become requestContext.authorizer of every later event of the connection
// and $context.authorizer in templates; a Deny is 403, a function that
// fails with "Unauthorized" (or a missing identity source) is 401.

type authorizer struct {
	id              string
	name            string
	uri             string
	identitySources []string
}

func compileAuthorizer(a *apigw.Authorizer) *authorizer {
	return &authorizer{id: deref(a.AuthorizerId), name: deref(a.Name), uri: deref(a.AuthorizerUri), identitySources: a.IdentitySource}
}

// authorizerTimeout bounds an authorizer call, as AWS's 29-second
// integration limit does. [I]
const authorizerTimeout = 29 * time.Second

// authorizerEvent is the REQUEST authorizer input of a WebSocket $connect.
type authorizerEvent struct {
	Type                            string              `json:"type"`
	MethodArn                       string              `json:"methodArn"`
	Headers                         map[string]string   `json:"headers,omitempty"`
	MultiValueHeaders               map[string][]string `json:"multiValueHeaders,omitempty"`
	QueryStringParameters           map[string]string   `json:"queryStringParameters,omitempty"`
	MultiValueQueryStringParameters map[string][]string `json:"multiValueQueryStringParameters,omitempty"`
	StageVariables                  map[string]string   `json:"stageVariables,omitempty"`
	RequestContext                  wsRequestContext    `json:"requestContext"`
}

type policyResult struct {
	PrincipalID    any `json:"principalId"`
	PolicyDocument struct {
		Statement []struct {
			Action   any `json:"Action"`
			Effect   string
			Resource any `json:"Resource"`
		}
	} `json:"policyDocument"`
	Context map[string]any `json:"context"`
}

// authorize runs the $connect authorizer; status is 0 when the connection
// may go on, else the status that refuses the upgrade.
func (p *Engine) authorize(ctx context.Context, stage *Stage, a *authorizer, req *request) (map[string]any, int) {
	auth, status := p.runAuthorizer(ctx, stage, a, req)
	if ent := req.ent; ent.Capturing() {
		ent.Authorizer = &inspect.Authorizer{Type: "REQUEST", Name: a.name, Allowed: status == 0, Context: auth}
		if status != 0 {
			ent.Authorizer.Error = http.StatusText(status)
		}
	}
	return auth, status
}

func (p *Engine) runAuthorizer(ctx context.Context, stage *Stage, a *authorizer, req *request) (map[string]any, int) {
	r := req.http
	// A missing identity source refuses the connection without calling
	// the function.
	for _, src := range a.identitySources {
		if identityValue(src, r, stage) == "" {
			return nil, http.StatusUnauthorized
		}
	}
	ev := newEvent(stage, req)
	methodArn := "arn:aws:execute-api:" + stage.key.Scope.Region + ":" + stage.key.Scope.Account + ":" + stage.key.APIID + "/" + stage.key.Stage + "/$connect"
	in := authorizerEvent{
		Type: "REQUEST", MethodArn: methodArn,
		Headers: ev.Headers, MultiValueHeaders: ev.MultiValueHeaders,
		QueryStringParameters: ev.QueryStringParameters, MultiValueQueryStringParameters: ev.MultiValueQueryStringParameters,
		StageVariables: stage.stageVars, RequestContext: ev.RequestContext,
	}
	payload, _ := json.Marshal(in)
	ctx, cancel := context.WithTimeout(ctx, authorizerTimeout)
	defer cancel()
	out, err := p.lambda.Invoke(ctx, a.uri, payload)
	if err != nil {
		if fe, ok := err.(*integration.FunctionError); ok && strings.Contains(string(fe.Payload), `"Unauthorized"`) {
			return nil, http.StatusUnauthorized
		}
		p.cfg.Logger.Warn("authorizer failed", "api", stage.key.APIID, "authorizer", a.id, "error", err)
		return nil, http.StatusInternalServerError
	}
	var pr policyResult
	if err := json.Unmarshal(out, &pr); err != nil {
		return nil, http.StatusInternalServerError
	}
	if !allows(&pr, methodArn) {
		return nil, http.StatusForbidden
	}
	auth := map[string]any{"principalId": pr.PrincipalID}
	for k, v := range pr.Context {
		auth[k] = v
	}
	return auth, 0
}

// allows: an explicit Deny wins; otherwise some Allow statement must cover
// execute-api:Invoke on the method ARN (IAM's * and ? wildcards).
func allows(pr *policyResult, methodArn string) bool {
	allowed := false
	for _, st := range pr.PolicyDocument.Statement {
		if !matchesAny(st.Action, "execute-api:Invoke") || !matchesAny(st.Resource, methodArn) {
			continue
		}
		switch st.Effect {
		case "Deny":
			return false
		case "Allow":
			allowed = true
		}
	}
	return allowed
}

// matchesAny matches a policy element (a string or a list of strings).
func matchesAny(element any, value string) bool {
	var patterns []string
	switch x := element.(type) {
	case string:
		patterns = []string{x}
	case []any:
		for _, e := range x {
			if s, ok := e.(string); ok {
				patterns = append(patterns, s)
			}
		}
	}
	for _, pat := range patterns {
		// path.Match's * stops at "/", IAM's does not: compare with the
		// slashes turned into a character path.Match treats plainly.
		if ok, _ := path.Match(strings.ReplaceAll(pat, "/", "\x00"), strings.ReplaceAll(value, "/", "\x00")); ok {
			return true
		}
	}
	return false
}

// identityValue reads one WebSocket identity source.
func identityValue(src string, r *http.Request, stage *Stage) string {
	switch {
	case strings.HasPrefix(src, "route.request.header."):
		return r.Header.Get(strings.TrimPrefix(src, "route.request.header."))
	case strings.HasPrefix(src, "route.request.querystring."):
		return r.URL.Query().Get(strings.TrimPrefix(src, "route.request.querystring."))
	case strings.HasPrefix(src, "stageVariables."):
		return stage.stageVars[strings.TrimPrefix(src, "stageVariables.")]
	case strings.HasPrefix(src, "context."):
		return "set" // $context values always exist on $connect
	}
	return ""
}
