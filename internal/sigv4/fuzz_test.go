package sigv4_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/portico-dev/portico/internal/sigv4"
)

// FuzzVerify: random Authorization headers, dates, tokens, paths and
// queries never panic either verifier, and every refusal is a *Failure.
func FuzzVerify(f *testing.F) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	at := now.Format("20060102T150405Z")
	auth := "AWS4-HMAC-SHA256 Credential=AKIAALICE0000EXAMPLE/20261201/us-east-1/execute-api/aws4_request, SignedHeaders=host;x-amz-date, Signature=" + sig64
	f.Add(auth, at, "", "/dev/pets", "a=1&b=%20")
	f.Add("", "", "", "/", "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAALICE0000EXAMPLE%2F20261201%2Fus-east-1%2Fexecute-api%2Faws4_request&X-Amz-Date="+at+"&X-Amz-SignedHeaders=host&X-Amz-Signature="+sig64+"&X-Amz-Expires=60")
	f.Add(auth, "Tue, 01 Dec 2026 12:00:00 GMT", "tok", "/a%2Fb/%zz", "%zz=1&&=&;")
	f.Add("AWS4-HMAC-SHA256 Credential=/////", "x", "", "", "X-Amz-Algorithm=&X-Amz-Expires=99999999999999999999")
	strict := strictVerifier(f)
	strict2 := sigv4.New(sigv4.Config{Credentials: mustCreds(f), Now: func() time.Time { return now }})
	loose := sigv4.New(sigv4.Config{Now: func() time.Time { return now }})
	f.Fuzz(func(t *testing.T, authorization, date, token, path, query string) {
		r := httptest.NewRequest("GET", "http://example.com/", nil)
		r.URL.Path, r.URL.RawPath, r.URL.RawQuery = path, path, query
		r.RequestURI = ""
		r.Header = http.Header{}
		if authorization != "" {
			r.Header.Set("Authorization", authorization)
		}
		if date != "" {
			r.Header.Set("X-Amz-Date", date)
		}
		if token != "" {
			r.Header.Set("X-Amz-Security-Token", token)
		}
		for _, v := range []*sigv4.Verifier{strict, strict2, loose} {
			_, err := v.Verify(r, "us-east-1", []byte(query))
			var fl *sigv4.Failure
			if err != nil && (!errors.As(err, &fl) || fl.Message == "") {
				t.Fatalf("%#v", err)
			}
		}
	})
}

func mustCreds(t testing.TB) *sigv4.Credentials {
	t.Helper()
	c, err := sigv4.ParseCredentials(strings.NewReader(credentialsFile))
	if err != nil {
		t.Fatal(err)
	}
	return c
}
