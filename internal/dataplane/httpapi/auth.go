package httpapi

import (
	"errors"
	"net/http"

	"github.com/portico-dev/portico/internal/dataplane/gateway"
	"github.com/portico-dev/portico/internal/dataplane/httpapi/jwtauth"
	"github.com/portico-dev/portico/internal/dataplane/httpapi/lambdaauth"
	"github.com/portico-dev/portico/internal/dataplane/httpapi/payload"
	"github.com/portico-dev/portico/internal/dataplane/integration"
	"github.com/portico-dev/portico/internal/sigv4"
)

// The route's authorization, after CORS and before throttling and the
// integration (docs/aws-behaviours.md#http-authorizers).

// routeAuth is how a route is authorized: at most one of its fields is set.
type routeAuth struct {
	jwt    *jwtauth.RouteAuthorizer // JWT: a JWT authorizer with the route's scopes
	lambda *lambdaauth.Authorizer   // CUSTOM: a Lambda REQUEST authorizer
	iam    bool                     // AWS_IAM: a SigV4 signature for execute-api
	name   string                   // the authorizer's name, for the inspector
}

// authorize runs the route's authorizer; false when it refused the
// request, which has then been answered.
func (x *exchange) authorize() bool {
	a := &x.rt.auth
	switch {
	case a.jwt != nil:
		res := a.jwt.Authorize(x.r.Context(), jwtauth.RequestLookup(x.r))
		x.authValue = res.ContextValue
		if x.ent.Capturing() {
			x.recordAuthorizer("JWT", res.Allowed(), jwtContext(&res), false, descError(res.Description))
		}
		if !res.Allowed() {
			x.authErr = errors.New(res.WWWAuthenticate())
			x.w.Header().Set(jwtauth.HeaderWWWAuthenticate, res.WWWAuthenticate())
			x.fail(res.Error())
			return false
		}
		x.authIdentity = res.Authorizer()
	case a.lambda != nil:
		res := a.lambda.Authorize(x.r.Context(), &lambdaauth.Request{Event: x.event(), Path: x.req.MatchPath,
			Context: x.contextValue})
		x.authIdentity, x.authValue, x.authErr = res.Identity, res.Value, res.Err
		if x.ent.Capturing() {
			x.recordAuthorizer("REQUEST", res.Refusal == nil, lambdaContext(res.Identity), res.Cached, res.Err)
		}
		if res.Refusal != nil {
			x.fail(res.Refusal)
			return false
		}
	case a.iam:
		return x.authorizeIAM()
	}
	return true
}

// authorizeIAM checks the request's SigV4 signature: by default its form,
// scope and time; with --credentials its bytes too
// (docs/aws-behaviours.md#http-authorizers). Unsigned or invalid: 403.
func (x *exchange) authorizeIAM() bool {
	v := x.e.cfg.SigV4
	var body []byte
	if v.NeedsBody(x.r) {
		b, err := x.readBody()
		if err != nil {
			x.fail(gateway.ErrTooLarge)
			return false
		}
		body = b
	}
	id, err := v.Verify(x.r, x.s.key.Scope.Region, body)
	if x.ent.Capturing() {
		var ctx map[string]any
		if err == nil {
			ctx = map[string]any{"accessKey": id.AccessKey, "accountId": id.AccountID, "caller": id.CallerID,
				"user": id.UserID, "userArn": id.UserARN}
		}
		x.recordAuthorizer("AWS_IAM", err == nil, ctx, false, err)
	}
	if err != nil {
		x.authErr = err
		x.fail(gateway.ErrForbidden)
		return false
	}
	x.authIdentity = &payload.Authorizer{Kind: payload.AuthIAM, IAM: id.IAM()}
	x.iamValue = func(name string) (string, bool) {
		switch name {
		case "identity.accessKey":
			return id.AccessKey, true
		case "identity.accountId":
			return id.AccountID, true
		case "identity.caller":
			return id.CallerID, true
		case "identity.user":
			return id.UserID, true
		case "identity.userArn":
			return id.UserARN, true
		}
		return "", false
	}
	return true
}

// readBody reads the request's body once, bounded by the payload quota;
// the integration then sends what was read.
func (x *exchange) readBody() ([]byte, error) {
	if x.bodyRead {
		return x.body, nil
	}
	b, err := integration.ReadAll(http.MaxBytesReader(x.w, x.r.Body, MaxBody), MaxBody, "the request body")
	if err != nil {
		return nil, err
	}
	x.body, x.bodyRead = b, true
	return b, nil
}

// defaultVerifier checks signatures' form, scope and time, not their bytes.
var defaultVerifier = sigv4.New(sigv4.Config{})

// jwtContext is what a JWT established: its claims and scopes.
func jwtContext(res *jwtauth.Result) map[string]any {
	if !res.Allowed() {
		return nil
	}
	claims := make(map[string]any, len(res.Claims))
	for k, v := range res.Claims {
		claims[k] = v
	}
	ctx := map[string]any{"claims": claims}
	if res.Scopes != nil {
		ctx["scopes"] = res.Scopes
	}
	return ctx
}

// lambdaContext is what a Lambda authorizer answered: its context, and
// the principalId of a policy answer.
func lambdaContext(id *payload.Authorizer) map[string]any {
	if id == nil {
		return nil
	}
	ctx := make(map[string]any, len(id.LambdaContext)+1)
	for k, v := range id.LambdaContext {
		ctx[k] = v
	}
	if id.PrincipalID != "" {
		ctx["principalId"] = id.PrincipalID
	}
	return ctx
}

func descError(desc string) error {
	if desc == "" {
		return nil
	}
	return errors.New(desc)
}
