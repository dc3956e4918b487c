package jwtauth

import (
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// TestVerifiedCache: a token verified once is not verified again (no key
// lookup), but its times and the route's scopes are checked every time: a
// cached token that expires is refused, and a scoped route still refuses
// it when it lacks the scope.
func TestVerifiedCache(t *testing.T) {
	p := newIDP(t)
	clk := newClock()
	a, _ := newAuth(t, p, KeysConfig{Now: clk.Now})
	c := farClaims(p.issuer())
	c["exp"] = clk.Now().Add(time.Minute).Unix()
	c["scope"] = "read"
	l := header("Bearer " + sign(t, jwt.SigningMethodRS256, rsa1, "rsa1", c))
	if res := authorize(a, nil, l); !res.Allowed() {
		t.Fatal(res.Description)
	}
	if n := len(a.verified.m); n != 1 {
		t.Fatalf("%d verified tokens cached, want 1", n)
	}
	if res := authorize(a, []string{"write"}, l); res.Status != StatusForbidden {
		t.Errorf("a cached token without the route's scope: %+v", res)
	}
	if res := authorize(a, []string{"read"}, l); !res.Allowed() {
		t.Errorf("a cached token with the scope: %q", res.Description)
	}
	clk.advance(2 * time.Minute)
	if res := authorize(a, nil, l); res.Allowed() || res.Description != descExpired {
		t.Errorf("a cached token past its exp: %+v", res)
	}
}
