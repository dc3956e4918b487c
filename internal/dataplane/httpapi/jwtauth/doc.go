// Package jwtauth is HTTP APIs' JWT authorizer: it verifies a request's
// token with the issuer's published keys and checks its claims as API
// Gateway does, and gives the engine what it needs to answer (the status,
// the www-authenticate header) or to go on (the claims and scopes of the
// Lambda event, $context.authorizer.*).
//
// How it is used: the engine makes one Keys per process (NewKeys) and,
// for each stage it compiles, one Authorizer per JWT authorizer (New) and
// one RouteAuthorizer per route that uses it (ForRoute, with the route's
// authorizationScopes). Per request, RouteAuthorizer.Authorize reads the
// token through a Lookup and returns a Result.
//
// The rules, with their evidence ([D] documented by AWS, [V] observed on
// AWS by a named third party, [I] chosen here where AWS is silent):
//
//   - The token is the identity source's value, or that value after
//     "Bearer " [D]; "bearer" in any case [I]. No value: 401 [D].
//   - Signature: alg must be one of Config.Algorithms, by default the RSA
//     ones ("Currently, only RSA-based algorithms are supported" [D]).
//     "none" and HMAC are never accepted, whatever the configuration. The
//     key is the JWKS key named by the token's kid [D], and must fit the
//     alg: kty, crv, and the JWK's own alg and use [I]. Keys come from the
//     issuer's /.well-known/openid-configuration, then its jwks_uri [D];
//     the token's jku, x5u and jwk headers are never followed [I].
//   - Claims, in the guide's order: iss equals the issuer exactly; aud,
//     or client_id when aud is absent, is one of the audiences [D]; exp
//     is after now [D], and required [I]; nbf and iat, when present, are
//     not after now [D]. No clock-skew leeway [I]: the guide says "after
//     the current time" and "before the current time", and a leeway would
//     accept tokens AWS refuses.
//   - A route with authorizationScopes needs a token with at least one of
//     them in scp or scope [D]; otherwise 403 {"message":"Forbidden"} [V].
//   - Refusals are 401 {"message":"Unauthorized"} with `www-authenticate:
//     Bearer scope="" error="invalid_token" error_description="..."` [V]
//     (descriptions: result.go). A fetch failure is a 401 too [I]: the
//     guide says a request is denied when any step fails.
//   - Claims reach the event as strings (claims.go) [V].
//
// Keys (keys.go, fetch.go): cached per issuer for every stage of the
// process, used for two hours [D], fetched again when a token names a kid
// the cache lacks, at most once per 10 s per issuer [I]; each fetch is
// bounded to 1,500 ms and the JWKS to 150,000 bytes [D], the discovery
// document to 150,000 bytes and redirects to 5 [I]. A failing issuer is
// logged when it starts failing and when it recovers, not per request.
// Policy says where fetches may go: PolicyAny (default) any http or https
// URL, PolicyPublic only https to public addresses, checked at each dial.
package jwtauth
