package sigv4_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/portico-dev/portico/internal/sigv4"
)

const sig64 = "fe5f80f77d5fa3beca038a248ff027d0445342fe2855ddc963176630326f1024"

func TestParseAuthorization(t *testing.T) {
	good := "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261201/us-east-1/execute-api/aws4_request, SignedHeaders=host;x-amz-date, Signature=" + sig64
	want := sigv4.Authorization{
		Credential:    sigv4.Credential{AccessKeyID: "AKIDEXAMPLE", Date: "20261201", Region: "us-east-1", Service: "execute-api", Terminator: "aws4_request"},
		SignedHeaders: []string{"host", "x-amz-date"},
		Signature:     sig64,
	}
	for _, h := range []string{
		good,
		// no spaces after the commas, extra spaces, another order, an
		// unknown parameter
		"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261201/us-east-1/execute-api/aws4_request,SignedHeaders=host;x-amz-date,Signature=" + sig64,
		"  AWS4-HMAC-SHA256   Signature=" + sig64 + " ,  SignedHeaders=host;x-amz-date , Credential=AKIDEXAMPLE/20261201/us-east-1/execute-api/aws4_request, Extra=1",
	} {
		a, err := sigv4.ParseAuthorization(h)
		if err != nil {
			t.Fatalf("%q: %v", h, err)
		}
		if !reflect.DeepEqual(a, want) {
			t.Fatalf("%q:\n%+v\nwant %+v", h, a, want)
		}
	}

	cases := []struct {
		h, reason, typ, message string
	}{
		{"", "missing", "MissingAuthenticationTokenException", "Missing Authentication Token"},
		{"Bearer eyJ", "missing", "MissingAuthenticationTokenException", "Missing Authentication Token"},
		{"AWS4-HMAC-SHA25 Credential=a/b/c/d/e", "incomplete", "IncompleteSignatureException",
			"Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA25' (only AWS4-HMAC-SHA256 for now). "},
		{"AWS4-HMAC-SHA256 Credential=a/b/c/d/e", "incomplete", "IncompleteSignatureException",
			"Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization=AWS4-HMAC-SHA256 Credential=a/b/c/d/e"},
		{"AWS4-HMAC-SHA256", "incomplete", "IncompleteSignatureException",
			"Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization=AWS4-HMAC-SHA256"},
		{"AWS4-HMAC-SHA256 Signature=b, Credential, SignedHeaders=host", "incomplete", "IncompleteSignatureException",
			"'Credential' not a valid key=value pair (missing equal-sign) in Authorization header: 'AWS4-HMAC-SHA256 Signature=b, Credential, SignedHeaders=host'."},
		{"AWS4-HMAC-SHA256 Credential=a/b/c/d, SignedHeaders=host, Signature=" + sig64, "incomplete", "IncompleteSignatureException",
			"Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'a/b/c/d'"},
		{"AWS4-HMAC-SHA256 Credential=a/b/c/d/e/f, SignedHeaders=host, Signature=" + sig64, "incomplete", "IncompleteSignatureException",
			"Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'a/b/c/d/e/f'"},
		{"AWS4-HMAC-SHA256 Credential=a//c/d/e, SignedHeaders=host, Signature=" + sig64, "incomplete", "", ""},
		{"AWS4-HMAC-SHA256 Credential=a/b/c/d/e, SignedHeaders=Host, Signature=" + sig64, "incomplete", "", ""},
		{"AWS4-HMAC-SHA256 Credential=a/b/c/d/e, SignedHeaders=host;;x, Signature=" + sig64, "incomplete", "", ""},
		{"AWS4-HMAC-SHA256 Credential=a/b/c/d/e, SignedHeaders=host, Signature=" + strings.ToUpper(sig64), "incomplete", "", ""},
		{"AWS4-HMAC-SHA256 Credential=a/b/c/d/e, SignedHeaders=host, Signature=abc", "incomplete", "", ""},
		{"AWS4-HMAC-SHA256 Credential=a/b/c/d/e, Credential=a/b/c/d/e, SignedHeaders=host, Signature=" + sig64, "incomplete", "", ""},
		{"AWS4-HMAC-SHA256 Credential=a/b/c/d/e, SignedHeaders=" + strings.Repeat("x;", 200) + "host, Signature=" + sig64, "incomplete", "", ""},
		{"AWS4-HMAC-SHA256 Credential=" + strings.Repeat("a", 9000), "incomplete", "", ""},
	}
	for _, c := range cases {
		_, err := sigv4.ParseAuthorization(c.h)
		var f *sigv4.Failure
		if !errors.As(err, &f) {
			t.Fatalf("%.80q: %v, want a *Failure", c.h, err)
		}
		if f.Reason.String() != c.reason || c.typ != "" && f.Type != c.typ || c.message != "" && f.Message != c.message {
			t.Errorf("%.80q:\n%s %s %q\nwant %s %s %q", c.h, f.Reason, f.Type, f.Message, c.reason, c.typ, c.message)
		}
	}
}

// FuzzParseAuthorization: no header value panics; whatever parses is
// well formed.
func FuzzParseAuthorization(f *testing.F) {
	for _, s := range []string{
		"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261201/us-east-1/execute-api/aws4_request, SignedHeaders=host;x-amz-date, Signature=" + sig64,
		"AWS4-HMAC-SHA256 Credential=a/b/c/d/e,SignedHeaders=host,Signature=" + sig64,
		"AWS4-HMAC-SHA256 Signature=b, Credential, SignedHeaders=host",
		"AWS4-HMAC-SHA256 ,,,=,==,Credential==/////",
		"AWS4-X",
		"Bearer x",
		"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, h string) {
		a, err := sigv4.ParseAuthorization(h)
		if err != nil {
			var fl *sigv4.Failure
			if !errors.As(err, &fl) || fl.Message == "" || fl.Type == "" {
				t.Fatalf("%q: %#v", h, err)
			}
			return
		}
		c := a.Credential
		if c.AccessKeyID == "" || c.Date == "" || c.Region == "" || c.Service == "" || c.Terminator == "" || len(a.Signature) != 64 || len(a.SignedHeaders) == 0 {
			t.Fatalf("%q parsed into %+v", h, a)
		}
		for _, p := range []string{c.AccessKeyID, c.Date, c.Region, c.Service, c.Terminator} {
			if strings.Contains(p, "/") {
				t.Fatalf("%q: a credential part with a slash: %+v", h, c)
			}
		}
	})
}
