package jwtauth_test

import (
	"fmt"
	"net/http/httptest"

	"github.com/portico-dev/portico/internal/dataplane/httpapi/jwtauth"
)

// The engine's part: one Keys per process, an Authorizer per JWT
// authorizer of a compiled stage, a RouteAuthorizer per route, and per
// request Authorize. A refusal is answered with Result.Error() and the
// www-authenticate header; an allowed request goes on with
// Result.Authorizer() in its Lambda event.
func Example() {
	keys := jwtauth.NewKeys(jwtauth.KeysConfig{}) // once per process
	a, err := jwtauth.New(jwtauth.Config{         // per stage
		Issuer:    "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_example",
		Audiences: []string{"app-client-id"},
	}, keys)
	if err != nil {
		panic(err)
	}
	route := a.ForRoute([]string{"pets/read"}) // per route

	r := httptest.NewRequest("GET", "/pets", nil) // no Authorization header
	res := route.Authorize(r.Context(), jwtauth.RequestLookup(r))
	if !res.Allowed() {
		fmt.Println(res.Error().Status, res.Error().Message)
		fmt.Println(jwtauth.HeaderWWWAuthenticate+":", res.WWWAuthenticate())
	}
	// Output:
	// 401 Unauthorized
	// Www-Authenticate: Bearer scope="" error="invalid_token" error_description="the token is missing from the identity source"
}
