package sigv4_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/portico-dev/portico/internal/sigv4"
)

const region = "us-east-1"

// The keys of the credentials file the strict verifiers load.
var (
	alice = aws.Credentials{AccessKeyID: "AKIAALICE0000EXAMPLE", SecretAccessKey: "alice/secret+K7MDENG/bPxRfiCY"}
	// bob's profile has a session token.
	bob = aws.Credentials{AccessKeyID: "ASIABOB00000EXAMPLE", SecretAccessKey: "bob-secret", SessionToken: "FwoGZXIvYXdzEBob//token=="}
	// carol's key id is a 12-digit account.
	carol = aws.Credentials{AccessKeyID: "123456789012", SecretAccessKey: "carol-secret"}
)

const credentialsFile = `# a shared-credentials file, as ~/.aws/credentials
[default]
aws_access_key_id = AKIAALICE0000EXAMPLE
aws_secret_access_key = alice/secret+K7MDENG/bPxRfiCY
region = us-east-1

[profile bob]
AWS_ACCESS_KEY_ID=ASIABOB00000EXAMPLE
aws_secret_access_key=bob-secret
aws_session_token = FwoGZXIvYXdzEBob//token==
aws_account_id = 210987654321

; a 12-digit key id
[carol]
aws_access_key_id = 123456789012
aws_secret_access_key = carol-secret

[assumer]
role_arn = arn:aws:iam::123456789012:role/admin
source_profile = default
`

// strictVerifier loads credentialsFile from a real file.
func strictVerifier(t testing.TB) *sigv4.Verifier {
	t.Helper()
	path := filepath.Join(t.TempDir(), "credentials")
	if err := os.WriteFile(path, []byte(credentialsFile), 0o600); err != nil {
		t.Fatal(err)
	}
	creds, err := sigv4.LoadCredentials(path)
	if err != nil {
		t.Fatal(err)
	}
	return sigv4.New(sigv4.Config{Credentials: creds})
}

// result is what the test server answers: the identity, or the failure.
type result struct {
	Identity sigv4.Identity
	Reason   string
	Type     string
	Message  string
}

func (r result) ok() bool { return r.Reason == "" }

// server is a real HTTP server on loopback that verifies every request
// it gets, the way the engine will: it reads the body only when the
// verifier needs it, bounded.
func server(t testing.TB, v *sigv4.Verifier) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body []byte
		if v.NeedsBody(r) {
			var err error
			body, err = io.ReadAll(io.LimitReader(r.Body, 1<<20))
			if err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
		}
		var res result
		id, err := v.Verify(r, region, body)
		if err != nil {
			var f *sigv4.Failure
			if !errors.As(err, &f) {
				http.Error(w, "not a *Failure: "+err.Error(), http.StatusInternalServerError)
				return
			}
			res.Reason, res.Type, res.Message = f.Reason.String(), f.Type, f.Message
		} else {
			res.Identity = id
		}
		json.NewEncoder(w).Encode(res)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// send sends req and decodes the server's result.
func send(t testing.TB, req *http.Request) result {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("server: %d %s", resp.StatusCode, b)
	}
	var res result
	if err := json.Unmarshal(b, &res); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	return res
}

func hashOf(body []byte) string {
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])
}

// newRequest is a request to srv; rawPath is the escaped path as sent.
func newRequest(t testing.TB, srv *httptest.Server, method, rawPath, rawQuery string, body []byte) *http.Request {
	t.Helper()
	u := srv.URL + rawPath
	if rawQuery != "" {
		u += "?" + rawQuery
	}
	req, err := http.NewRequest(method, u, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// sign signs req in place with the SDK's signer, the body's hash as the
// payload hash.
func sign(t testing.TB, req *http.Request, creds aws.Credentials, body []byte, service, region string, at time.Time) {
	t.Helper()
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hashOf(body), service, region, at); err != nil {
		t.Fatal(err)
	}
}

// presign returns a request to the URL the SDK's signer presigns for
// req, with the headers it signed; expires, when not 0, is set as
// X-Amz-Expires first.
func presign(t testing.TB, req *http.Request, creds aws.Credentials, payloadHash, service, region string, at time.Time, expires time.Duration, body []byte) *http.Request {
	t.Helper()
	if expires != 0 {
		q := req.URL.Query()
		q.Set("X-Amz-Expires", strconv.Itoa(int(expires/time.Second)))
		req.URL.RawQuery = q.Encode()
	}
	signed, header, err := v4.NewSigner().PresignHTTP(context.Background(), creds, req, payloadHash, service, region, at)
	if err != nil {
		t.Fatal(err)
	}
	out, err := http.NewRequest(req.Method, signed, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range header {
		if k != "Host" {
			out.Header[k] = vs
		}
	}
	return out
}

// newBody is a replacement body for a request already built.
func newBody(b []byte) (io.ReadCloser, func() (io.ReadCloser, error)) {
	return io.NopCloser(bytes.NewReader(b)), func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
}

// signUnsigned signs req with UNSIGNED-PAYLOAD as the payload hash.
func signUnsigned(req *http.Request, creds aws.Credentials) error {
	return v4.NewSigner().SignHTTP(context.Background(), creds, req, sigv4.UnsignedPayload, sigv4.Service, region, time.Now())
}

// httptestRequest is a request as a server receives it, without one.
func httptestRequest(t testing.TB, method, target string, body []byte) *http.Request {
	t.Helper()
	return httptest.NewRequest(method, target, bytes.NewReader(body))
}

// signAt signs req now for execute-api in region.
func signAt(t testing.TB, req *http.Request, creds aws.Credentials, region string) {
	t.Helper()
	sign(t, req, creds, nil, sigv4.Service, region, time.Now())
}
