package awsproto

import (
	"context"
	"net/http"
	"strings"
)

// Identity is who a request acts as: the account and region its state lives in.
type Identity struct {
	Account string
	Region  string
}

type identityKey struct{}

// WithIdentity returns ctx carrying id.
func WithIdentity(ctx context.Context, id Identity) context.Context {
	return context.WithValue(ctx, identityKey{}, id)
}

// IdentityFrom returns the identity the protocol layer put in ctx.
func IdentityFrom(ctx context.Context) Identity {
	id, _ := ctx.Value(identityKey{}).(Identity)
	return id
}

// IdentityOf reads the SigV4 credential scope of r
// (Credential=AKID/20240101/us-west-2/apigateway/aws4_request), from the
// Authorization header or a presigned X-Amz-Credential. A 12-digit access
// key id is the account; otherwise, and for unsigned requests, the defaults
// apply. Signatures are not verified: Portico is a local emulator.
func IdentityOf(r *http.Request, defaults Identity) Identity {
	id := defaults
	if acct, ok := SignedAccount(r); ok {
		id.Account = acct
	}
	if scope := credentialScope(r); len(scope) >= 3 && isRegion(scope[2]) {
		id.Region = scope[2]
	}
	return id
}

// SignedAccount reports the account a request is signed as: the access
// key id of its SigV4 credential when that is a 12-digit number. Unsigned
// requests, and keys such as "test" or "AKIDEXAMPLE", name no account
// (ok is false): they act as the configured default account, so local
// development needs no real-looking credentials. It reads the same
// credential as IdentityOf, so the two never disagree.
func SignedAccount(r *http.Request) (account string, ok bool) {
	scope := credentialScope(r)
	if len(scope) >= 3 && IsAccountID(scope[0]) {
		return scope[0], true
	}
	return "", false
}

// credentialScope splits the request's SigV4 credential
// (AKID/date/region/service/aws4_request). An Authorization header wins
// over a presigned X-Amz-Credential, as in IdentityOf before it; nil when
// the request carries neither.
func credentialScope(r *http.Request) []string {
	cred := ""
	if auth := r.Header.Get("Authorization"); auth != "" {
		if i := strings.Index(auth, "Credential="); i >= 0 {
			cred = auth[i+len("Credential="):]
			if j := strings.IndexAny(cred, ", "); j >= 0 {
				cred = cred[:j]
			}
		}
	} else {
		cred = r.URL.Query().Get("X-Amz-Credential")
	}
	if cred == "" {
		return nil
	}
	return strings.Split(cred, "/")
}

// IsAccountID reports whether s is an AWS account id, 12 digits: the
// accounts a request can act as (with the configured default).
func IsAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// isRegion keeps odd credential scopes out of the store's keys.
func isRegion(s string) bool {
	if s == "" || len(s) > 32 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}
