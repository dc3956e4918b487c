package httpapi_test

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"
	"github.com/golang-jwt/jwt/v5"

	"github.com/portico-dev/portico/server"
)

// oidc is a real OpenID provider on loopback: discovery and a JWKS with
// one RSA key.
type oidc struct {
	*httptest.Server
	key *rsa.PrivateKey
}

func newOIDC(t *testing.T) *oidc { return newOIDCB(t) }

func newOIDCB(t testing.TB) *oidc {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	must(t, err)
	o := &oidc{key: key}
	o.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/.well-known/openid-configuration":
			json.NewEncoder(w).Encode(map[string]string{"issuer": o.URL, "jwks_uri": o.URL + "/jwks"})
		case "/jwks":
			b64 := base64.RawURLEncoding.EncodeToString
			json.NewEncoder(w).Encode(map[string]any{"keys": []any{map[string]string{"kty": "RSA", "kid": "k1", "alg": "RS256",
				"use": "sig", "n": b64(key.N.Bytes()), "e": b64(big.NewInt(int64(key.E)).Bytes())}}})
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(o.Close)
	return o
}

func (o *oidc) token(t *testing.T, claims jwt.MapClaims) string { return o.tokenB(t, claims) }

func (o *oidc) tokenB(t testing.TB, claims jwt.MapClaims) string {
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	tok.Header["kid"] = "k1"
	s, err := tok.SignedString(o.key)
	must(t, err)
	return s
}

// jwtAPI makes an API whose GET /pets needs a JWT from o with the scope
// pets/read, to a Lambda proxy integration.
func jwtAPI(t *testing.T, e *env, o *oidc) string {
	api := e.httpAPI(t, nil)
	au, err := e.c.CreateAuthorizer(e.ctx, &apigatewayv2.CreateAuthorizerInput{ApiId: &api, Name: aws.String("jwt"),
		AuthorizerType: types.AuthorizerTypeJwt, IdentitySource: []string{"$request.header.Authorization"},
		JwtConfiguration: &types.JWTConfiguration{Issuer: aws.String(o.URL), Audience: []string{"my-app"}}})
	must(t, err)
	_, err = e.c.CreateRoute(e.ctx, &apigatewayv2.CreateRouteInput{ApiId: &api, RouteKey: aws.String("GET /pets"),
		Target:            aws.String("integrations/" + e.lambdaIntegration(t, api, "pets", "2.0")),
		AuthorizationType: types.AuthorizationTypeJwt, AuthorizerId: au.AuthorizerId, AuthorizationScopes: []string{"pets/read"}})
	must(t, err)
	return api
}

// TestJWTAuthorizer: tokens are verified against the issuer's keys found
// by OIDC discovery, and every claim rule holds; claims and scopes reach
// the integration's event.
func TestJWTAuthorizer(t *testing.T) {
	e := newEnv(t)
	o := newOIDC(t)
	api := jwtAPI(t, e, o)
	now := time.Now()
	good := jwt.MapClaims{"iss": o.URL, "aud": "my-app", "sub": "ann", "exp": now.Add(time.Hour).Unix(),
		"iat": now.Unix(), "scope": "pets/read pets/write", "groups": []string{"a", "b"}}
	with := func(k string, v any) jwt.MapClaims {
		c := jwt.MapClaims{}
		for a, b := range good {
			c[a] = b
		}
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
		return c
	}
	clientID := with("aud", nil)
	clientID["client_id"] = "my-app"
	none, _ := jwt.NewWithClaims(jwt.SigningMethodNone, good).SignedString(jwt.UnsafeAllowNoneSignatureType)
	hmac, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, good).SignedString([]byte("secret"))
	cases := []struct {
		name, auth string
		status     int
	}{
		{"valid, Bearer", "Bearer " + o.token(t, good), 200},
		{"valid, raw", o.token(t, good), 200},
		{"client_id instead of aud", o.token(t, clientID), 200},
		{"missing", "", 401},
		{"expired", o.token(t, with("exp", now.Add(-time.Minute).Unix())), 401},
		{"not yet valid", o.token(t, with("nbf", now.Add(time.Hour).Unix())), 401},
		{"wrong issuer", o.token(t, with("iss", "https://evil.example")), 401},
		{"wrong audience", o.token(t, with("aud", "other")), 401},
		{"missing scope", o.token(t, with("scope", "pets/write")), 403},
		{"forged signature", o.token(t, good)[:len(o.token(t, good))-4] + "AAAA", 401},
		{"alg none", none, 401},
		{"HMAC", hmac, 401},
	}
	for _, c := range cases {
		h := http.Header{}
		if c.auth != "" {
			h.Set("Authorization", c.auth)
		}
		resp, body := call(t, "GET", e.url(api, "/pets"), "", "", h)
		if resp.StatusCode != c.status {
			t.Errorf("%s: %d %s", c.name, resp.StatusCode, body)
		}
		if c.status == 401 && (body != `{"message":"Unauthorized"}` || !strings.HasPrefix(resp.Header.Get("Www-Authenticate"), "Bearer ")) {
			t.Errorf("%s: %q %v", c.name, body, resp.Header)
		}
	}
	var ev struct {
		RequestContext struct {
			Authorizer struct {
				JWT struct {
					Claims map[string]string
					Scopes []string
				}
			}
		}
	}
	json.Unmarshal(e.lambda.Calls()[0].Event, &ev)
	jw := ev.RequestContext.Authorizer.JWT
	if jw.Claims["sub"] != "ann" || jw.Claims["groups"] != "[a b]" || len(jw.Scopes) == 0 {
		t.Errorf("the event's authorizer: %+v", jw)
	}
}

// TestJWTPublicEgress: with --authorizer-egress public, keys may only come
// from https on public addresses: a loopback issuer's tokens are refused,
// and the same API works with the default policy.
func TestJWTPublicEgress(t *testing.T) {
	o := newOIDC(t)
	for _, public := range []bool{true, false} {
		e := newEnvWith(t, func(c *server.Config) {
			if public {
				c.AuthorizerEgress = "public"
			}
		})
		api := jwtAPI(t, e, o)
		tok := o.token(t, jwt.MapClaims{"iss": o.URL, "aud": "my-app", "exp": time.Now().Add(time.Hour).Unix(), "scope": "pets/read"})
		resp, _ := call(t, "GET", e.url(api, "/pets"), "", "", http.Header{"Authorization": {"Bearer " + tok}})
		want := 200
		if public {
			want = 401
		}
		if resp.StatusCode != want {
			t.Errorf("public=%v: %d, want %d", public, resp.StatusCode, want)
		}
	}
}
