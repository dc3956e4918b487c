package jwtauth

import (
	"encoding/json"
	"strings"

	"github.com/golang-jwt/jwt/v5"
)

// stringClaims is the token's claims with string values, as
// requestContext.authorizer.jwt.claims carries them (see stringClaim).
// A claim whose value is null is left out [V: floci-io/floci PR #2011,
// measured].
func stringClaims(claims jwt.MapClaims) map[string]string {
	out := make(map[string]string, len(claims))
	for name, v := range claims {
		if v == nil {
			continue
		}
		out[name] = stringClaim(v)
	}
	return out
}

// stringClaim renders one claim value as AWS does:
//   - a string as it is;
//   - a number as its JSON text, "exp": 1787996002 as "1787996002"
//     [V: a real capture in DefinitelyTyped/DefinitelyTyped PR #75458];
//     other forms of numbers (1.5, 1e3) keep their text too [I];
//   - true and false as "true" and "false";
//   - an array in brackets, its items separated by spaces, strings
//     unquoted: "cognito:groups": ["admin","poweruser"] as
//     "[admin poweruser]" [V: floci-io/floci PR #2011 and
//     KensioSoftware/yulin issue #302, both measured]; items that are not
//     strings are rendered by these same rules, null as "null" [I];
//   - an object as its JSON text [I: floci's choice, not shown measured].
func stringClaim(v any) string {
	var b strings.Builder
	writeClaim(&b, v)
	return b.String()
}

func writeClaim(b *strings.Builder, v any) {
	switch v := v.(type) {
	case string:
		b.WriteString(v)
	case json.Number:
		b.WriteString(string(v))
	case bool:
		if v {
			b.WriteString("true")
		} else {
			b.WriteString("false")
		}
	case nil:
		b.WriteString("null")
	case []any:
		b.WriteByte('[')
		for i, x := range v {
			if i > 0 {
				b.WriteByte(' ')
			}
			writeClaim(b, x)
		}
		b.WriteByte(']')
	default:
		// An object (map[string]any with json.Number leaves): its JSON.
		j, err := json.Marshal(v)
		if err != nil {
			return
		}
		b.Write(j)
	}
}
