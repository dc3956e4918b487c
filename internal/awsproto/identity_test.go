package awsproto

import (
	"net/http/httptest"
	"testing"
)

// TestSignedAccount: only a 12-digit access key id in a SigV4 credential
// names an account, from the Authorization header or a presigned URL.
func TestSignedAccount(t *testing.T) {
	const scope = "/20240101/us-east-1/execute-api/aws4_request"
	cases := []struct {
		name, auth, query string
		want              string // "" means ok is false
	}{
		{"unsigned", "", "", ""},
		{"header, account key", "AWS4-HMAC-SHA256 Credential=111111111111" + scope + ", SignedHeaders=host, Signature=x", "", "111111111111"},
		{"header, no space after the comma", "AWS4-HMAC-SHA256 Credential=222222222222" + scope + ",SignedHeaders=host,Signature=x", "", "222222222222"},
		{"header, key test", "AWS4-HMAC-SHA256 Credential=test" + scope + ", SignedHeaders=host, Signature=x", "", ""},
		{"header, AKID key", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE" + scope + ", SignedHeaders=host, Signature=x", "", ""},
		{"header, 11 digits", "AWS4-HMAC-SHA256 Credential=11111111111" + scope + ", SignedHeaders=host, Signature=x", "", ""},
		{"header, 13 digits", "AWS4-HMAC-SHA256 Credential=1111111111111" + scope + ", SignedHeaders=host, Signature=x", "", ""},
		{"header, 12 characters not all digits", "AWS4-HMAC-SHA256 Credential=11111111111a" + scope + ", SignedHeaders=host, Signature=x", "", ""},
		{"header, key with no scope", "AWS4-HMAC-SHA256 Credential=111111111111, SignedHeaders=host, Signature=x", "", ""},
		{"header without a credential", "Bearer 111111111111", "", ""},
		{"presigned, account key", "", "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=333333333333%2F20240101%2Fus-east-1%2Fexecute-api%2Faws4_request", "333333333333"},
		{"presigned, key test", "", "X-Amz-Credential=test%2F20240101%2Fus-east-1%2Fexecute-api%2Faws4_request", ""},
		{"the header wins over the query", "AWS4-HMAC-SHA256 Credential=test" + scope + ", Signature=x", "X-Amz-Credential=333333333333%2F20240101%2Fus-east-1%2Fexecute-api%2Faws4_request", ""},
	}
	for _, tc := range cases {
		r := httptest.NewRequest("POST", "/prod/@connections/abc?"+tc.query, nil)
		if tc.auth != "" {
			r.Header.Set("Authorization", tc.auth)
		}
		got, ok := SignedAccount(r)
		if ok != (tc.want != "") || got != tc.want {
			t.Errorf("%s: SignedAccount = %q, %v; want %q", tc.name, got, ok, tc.want)
		}
		// IdentityOf takes the account from the same place.
		id := IdentityOf(r, Identity{Account: "000000000000", Region: "us-east-1"})
		if want := tc.want; want != "" && id.Account != want || want == "" && id.Account != "000000000000" {
			t.Errorf("%s: IdentityOf account %q, SignedAccount %q", tc.name, id.Account, tc.want)
		}
	}
}
