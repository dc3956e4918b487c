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
	parts := strings.Split(cred, "/")
	if len(parts) >= 3 {
		if isAccountID(parts[0]) {
			id.Account = parts[0]
		}
		if isRegion(parts[2]) {
			id.Region = parts[2]
		}
	}
	return id
}

func isAccountID(s string) bool {
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
