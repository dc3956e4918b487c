package jwtauth

import "testing"

func TestParseSource(t *testing.T) {
	for _, tc := range []struct {
		expr string
		want Source
		ok   bool
	}{
		{"", Source{Name: "Authorization"}, true},
		{"$request.header.Authorization", Source{Name: "Authorization"}, true},
		{"$request.header.x-amz-token", Source{Name: "X-Amz-Token"}, true},
		{"$request.querystring.access_token", Source{Query: true, Name: "access_token"}, true},
		{"$request.querystring.Token", Source{Query: true, Name: "Token"}, true}, // query names keep their case
		{"$request.header.", Source{}, false},
		{"$request.header.bad header", Source{}, false},
		{"$request.querystring.", Source{}, false},
		{"$context.identity.sourceIp", Source{}, false},
		{"$stageVariables.token", Source{}, false},
		{"route.request.header.Auth", Source{}, false},
	} {
		got, err := ParseSource(tc.expr)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ParseSource(%q) = %+v, %v; want %+v, ok %v", tc.expr, got, err, tc.want, tc.ok)
		}
		if tc.ok && tc.expr != "" {
			if back, _ := ParseSource(got.String()); back != got {
				t.Errorf("%q does not round-trip: %q", tc.expr, got.String())
			}
		}
	}
}

func TestTokenOf(t *testing.T) {
	for in, want := range map[string]string{
		"abc":            "abc",
		"Bearer abc":     "abc",
		"bearer abc":     "abc",
		"BeArEr abc":     "abc",
		"Bearer    abc ": "abc",
		"Bearer\tabc":    "abc",
		" abc ":          "abc",
		"Bearer":         "",
		"Bearer ":        "",
		"":               "",
		"Bearerabc":      "Bearerabc", // no separator: the whole value is the token
		"Basic abc":      "Basic abc", // another scheme: not a JWT, refused as malformed
		"Bearer a b":     "a b",
	} {
		if got := tokenOf(in); got != want {
			t.Errorf("tokenOf(%q) = %q, want %q", in, got, want)
		}
	}
}
