package httpapi

import (
	"github.com/portico-dev/portico/internal/dataplane/httpapi/lambdaauth"
)

// The route's authorization, after CORS and before throttling and the
// integration (docs/aws-behaviours.md#http-authorizers).

// routeAuth is how a route is authorized: at most one of its fields is set.
type routeAuth struct {
	lambda *lambdaauth.Authorizer // CUSTOM: a Lambda REQUEST authorizer
}

// authorize runs the route's authorizer; false when it refused the
// request, which has then been answered.
func (x *exchange) authorize() bool {
	a := &x.rt.auth
	switch {
	case a.lambda != nil:
		res := a.lambda.Authorize(x.r.Context(), &lambdaauth.Request{Event: x.event(), Path: x.req.MatchPath,
			Context: x.contextValue})
		x.authIdentity, x.authValue, x.authErr = res.Identity, res.Value, res.Err
		if res.Refusal != nil {
			x.fail(res.Refusal)
			return false
		}
	}
	return true
}
