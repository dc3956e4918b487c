package sigv4_test

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/portico-dev/portico/internal/dataplane/httpapi/payload"
	"github.com/portico-dev/portico/internal/sigv4"
)

// Requests the SDK's own signer signed verify in strict mode: both forms,
// with and without a session token, queries and paths that need
// encoding, repeated headers, bodies.
func TestStrictAcceptsWhatTheSDKSigns(t *testing.T) {
	srv := server(t, strictVerifier(t))
	type tc struct {
		name            string
		method, path, q string
		header          http.Header
		body            []byte
		creds           aws.Credentials
	}
	cases := []tc{
		{name: "GET", method: "GET", path: "/dev/pets", creds: alice},
		{name: "root path", method: "GET", path: "/", creds: alice},
		{name: "POST body", method: "POST", path: "/dev/pets", body: []byte(`{"name":"rex"}`), creds: alice,
			header: http.Header{"Content-Type": {"application/json"}}},
		{name: "session token", method: "PUT", path: "/dev/pets/1", body: []byte("x"), creds: bob},
		{name: "12-digit key", method: "DELETE", path: "/dev/pets/1", creds: carol},
		{name: "query needing encoding", method: "GET", path: "/dev/search",
			q: "q=a+b&path=%2Fx%2Fy&empty=&star=*&tilde=~&uni=%E2%9C%93&q=a", creds: alice},
		{name: "query name without value", method: "GET", path: "/dev/search", q: "flag&b=2&a=1", creds: alice},
		{name: "path with spaces", method: "GET", path: "/dev/pets/a%20b/c%20%20d", creds: alice},
		{name: "path with %2F", method: "GET", path: "/dev/files/a%2Fb/c", creds: alice},
		{name: "path with lower-case escape and reserved characters", method: "GET", path: "/dev/x/a%2fb/%C3%A9/!$&'()*+,;=:@", creds: alice},
		{name: "path with empty segments", method: "GET", path: "/dev//pets/", creds: alice},
		{name: "repeated and spaced headers", method: "GET", path: "/dev/pets", creds: alice,
			header: http.Header{"X-Custom": {"a", "  b   c  "}, "X-Other": {"1"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req := newRequest(t, srv, c.method, c.path, c.q, c.body)
			for k, vs := range c.header {
				req.Header[k] = vs
			}
			sign(t, req, c.creds, c.body, sigv4.Service, region, time.Now())
			if res := send(t, req); !res.ok() {
				t.Fatalf("header form refused: %s: %s", res.Reason, res.Message)
			}

			req = newRequest(t, srv, c.method, c.path, c.q, c.body)
			for k, vs := range c.header {
				req.Header[k] = vs
			}
			pre := presign(t, req, c.creds, sigv4.UnsignedPayload, sigv4.Service, region, time.Now(), 0, c.body)
			if res := send(t, pre); !res.ok() {
				t.Fatalf("presigned form refused: %s: %s", res.Reason, res.Message)
			}
		})
	}
}

// botocore presigns for services other than S3 with the body's hash,
// not UNSIGNED-PAYLOAD; an expiry is part of the signed query.
func TestStrictPresignedWithBodyHashAndExpiry(t *testing.T) {
	srv := server(t, strictVerifier(t))
	body := []byte("hello")
	req := newRequest(t, srv, "POST", "/dev/upload", "a=1", body)
	pre := presign(t, req, bob, hashOf(body), sigv4.Service, region, time.Now(), time.Hour, body)
	if !strings.Contains(pre.URL.RawQuery, "X-Amz-Expires=3600") || !strings.Contains(pre.URL.RawQuery, "X-Amz-Security-Token=") {
		t.Fatalf("the oracle's URL lacks the expiry or the token: %s", pre.URL.RawQuery)
	}
	if res := send(t, pre); !res.ok() {
		t.Fatalf("refused: %s: %s", res.Reason, res.Message)
	}
}

// A query sent in another, equivalent encoding or order than the one
// signed canonicalizes the same.
func TestStrictQueryIsCanonicalized(t *testing.T) {
	srv := server(t, strictVerifier(t))
	req := newRequest(t, srv, "GET", "/dev/search", "x=1%2F2&b=%7Eb&a=c%20d", nil)
	sign(t, req, alice, nil, sigv4.Service, region, time.Now())
	req.URL.RawQuery = "a=c+d&x=1/2&b=~b"
	if res := send(t, req); !res.ok() {
		t.Fatalf("refused: %s: %s", res.Reason, res.Message)
	}
}

// The x-amz-content-sha256 header replaces the body's hash; the body must
// then have it, unless it is UNSIGNED-PAYLOAD.
func TestStrictContentSHA256(t *testing.T) {
	v := strictVerifier(t)
	srv := server(t, v)
	body := []byte(`{"a":1}`)

	req := newRequest(t, srv, "POST", "/dev/x", "", body)
	req.Header.Set("X-Amz-Content-Sha256", hashOf(body))
	sign(t, req, alice, body, sigv4.Service, region, time.Now())
	if res := send(t, req); !res.ok() {
		t.Fatalf("declared hash refused: %s: %s", res.Reason, res.Message)
	}

	other := []byte(`{"a":2}`)
	req = newRequest(t, srv, "POST", "/dev/x", "", body)
	req.Header.Set("X-Amz-Content-Sha256", hashOf(body))
	sign(t, req, alice, body, sigv4.Service, region, time.Now())
	req.Body, req.GetBody = newBody(other)
	if res := send(t, req); res.Reason != "body" {
		t.Fatalf("a body that is not the declared hash's: %+v", res)
	}

	req = newRequest(t, srv, "POST", "/dev/x", "", body)
	req.Header.Set("X-Amz-Content-Sha256", sigv4.UnsignedPayload)
	if err := signUnsigned(req, alice); err != nil {
		t.Fatal(err)
	}
	if v.NeedsBody(req) {
		t.Fatal("NeedsBody with UNSIGNED-PAYLOAD")
	}
	req.Body, req.GetBody = newBody(other)
	if res := send(t, req); !res.ok() {
		t.Fatalf("UNSIGNED-PAYLOAD refused: %s: %s", res.Reason, res.Message)
	}
}

// Changing any signed part after signing fails in strict mode.
func TestStrictRefusesTampering(t *testing.T) {
	srv := server(t, strictVerifier(t))
	body := []byte(`{"name":"rex"}`)
	fresh := func(t *testing.T) *http.Request {
		req := newRequest(t, srv, "POST", "/dev/pets/a%20b", "q=1&r=2", body)
		req.Header.Set("X-Custom", "signed")
		sign(t, req, alice, body, sigv4.Service, region, time.Now())
		return req
	}
	cases := []struct {
		name   string
		tamper func(*http.Request)
		reason string
	}{
		{"method", func(r *http.Request) { r.Method = "PUT" }, "mismatch"},
		{"path", func(r *http.Request) { r.URL.Path, r.URL.RawPath = "/dev/pets/a c", "" }, "mismatch"},
		{"the same path escaped otherwise", func(r *http.Request) { r.URL.Path, r.URL.RawPath = "/dev/pets/a b", "/dev/pets/%61%20b" }, "mismatch"},
		{"query value", func(r *http.Request) { r.URL.RawQuery = "q=1&r=3" }, "mismatch"},
		{"query added", func(r *http.Request) { r.URL.RawQuery += "&s=4" }, "mismatch"},
		{"signed header", func(r *http.Request) { r.Header.Set("X-Custom", "changed") }, "mismatch"},
		{"signed header repeated", func(r *http.Request) { r.Header.Add("X-Custom", "more") }, "mismatch"},
		{"body", func(r *http.Request) { r.Body, r.GetBody = newBody([]byte(`{"name":"max"}`)) }, "mismatch"},
		{"date, a second later", func(r *http.Request) {
			d, _ := time.Parse("20060102T150405Z", r.Header.Get("X-Amz-Date"))
			r.Header.Set("X-Amz-Date", d.Add(time.Second).Format("20060102T150405Z"))
		}, "mismatch"},
		{"signature", func(r *http.Request) {
			h := r.Header.Get("Authorization")
			last := h[len(h)-1]
			r.Header.Set("Authorization", h[:len(h)-1]+string("10"[btoi(last != '0')]))
		}, "mismatch"},
		{"host", func(r *http.Request) { r.Host = "example.com" }, "mismatch"},
		{"session token added", func(r *http.Request) { r.Header.Set("X-Amz-Security-Token", "x") }, "token"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req := fresh(t)
			if res := send(t, req); !res.ok() {
				t.Fatalf("untampered refused: %s: %s", res.Reason, res.Message)
			}
			req = fresh(t)
			c.tamper(req)
			res := send(t, req)
			if res.Reason != c.reason {
				t.Fatalf("reason %q, want %q (%s)", res.Reason, c.reason, res.Message)
			}
		})
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// A wrong region, service or key, and the wrong session token, fail.
func TestStrictRefusesWrongCredentials(t *testing.T) {
	srv := server(t, strictVerifier(t))
	noToken := bob
	noToken.SessionToken = ""
	otherToken := bob
	otherToken.SessionToken = "another"
	aliceWithToken := alice
	aliceWithToken.SessionToken = "unexpected"
	cases := []struct {
		name            string
		creds           aws.Credentials
		service, region string
		reason, message string
	}{
		{"region", alice, sigv4.Service, "eu-west-1", "scope", "Credential should be scoped to a valid region, not 'eu-west-1'."},
		{"service", alice, "apigateway", region, "scope", "Credential should be scoped to correct service: 'execute-api'."},
		{"secret", aws.Credentials{AccessKeyID: alice.AccessKeyID, SecretAccessKey: "wrong"}, sigv4.Service, region, "mismatch",
			"The request signature we calculated does not match the signature you provided."},
		{"key", aws.Credentials{AccessKeyID: "AKIAUNKNOWN", SecretAccessKey: "x"}, sigv4.Service, region, "unknown key",
			"The security token included in the request is invalid."},
		{"token missing", noToken, sigv4.Service, region, "token", "The security token included in the request is invalid"},
		{"token wrong", otherToken, sigv4.Service, region, "token", "The security token included in the request is invalid"},
		{"token unexpected", aliceWithToken, sigv4.Service, region, "token", "The security token included in the request is invalid"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, presigned := range []bool{false, true} {
				req := newRequest(t, srv, "GET", "/dev/pets", "", nil)
				if presigned {
					req = presign(t, req, c.creds, sigv4.UnsignedPayload, c.service, c.region, time.Now(), 0, nil)
				} else {
					sign(t, req, c.creds, nil, c.service, c.region, time.Now())
				}
				res := send(t, req)
				if res.Reason != c.reason || !strings.HasPrefix(res.Message, c.message) {
					t.Fatalf("presigned %v: %s %q, want %s %q", presigned, res.Reason, res.Message, c.reason, c.message)
				}
			}
		})
	}
}

// The signing time: a header signature within the window of now; a
// presigned URL until it expires.
func TestTimeWindow(t *testing.T) {
	for _, strict := range []bool{false, true} {
		v := sigv4.New(sigv4.Config{})
		if strict {
			v = strictVerifier(t)
		}
		srv := server(t, v)
		cases := []struct {
			name      string
			presigned bool
			at        time.Duration // from now
			expires   time.Duration
			reason    string
		}{
			{"header, just signed", false, 0, 0, ""},
			{"header, 4 minutes ago", false, -4 * time.Minute, 0, ""},
			{"header, 4 minutes ahead", false, 4 * time.Minute, 0, ""},
			{"header, 6 minutes ago", false, -6 * time.Minute, 0, "expired"},
			{"header, a day ago", false, -24 * time.Hour, 0, "expired"},
			{"header, 6 minutes ahead", false, 6 * time.Minute, 0, "not yet valid"},
			{"presigned, no expiry, 4 minutes ago", true, -4 * time.Minute, 0, ""},
			{"presigned, no expiry, 6 minutes ago", true, -6 * time.Minute, 0, "expired"},
			{"presigned, an hour, 50 minutes ago", true, -50 * time.Minute, time.Hour, ""},
			{"presigned, an hour, 70 minutes ago", true, -70 * time.Minute, time.Hour, "expired"},
			{"presigned, a week, 6 days ago", true, -6 * 24 * time.Hour, 7 * 24 * time.Hour, ""},
			{"presigned, 60 seconds, 2 minutes ago", true, -2 * time.Minute, time.Minute, "expired"},
			{"presigned, 10 minutes ahead", true, 10 * time.Minute, time.Hour, "not yet valid"},
			{"presigned, over a week", true, 0, 7*24*time.Hour + time.Second, "incomplete"},
		}
		for _, c := range cases {
			req := newRequest(t, srv, "GET", "/dev/pets", "", nil)
			at := time.Now().Add(c.at)
			if c.presigned {
				req = presign(t, req, alice, sigv4.UnsignedPayload, sigv4.Service, region, at, c.expires, nil)
			} else {
				sign(t, req, alice, nil, sigv4.Service, region, at)
			}
			if res := send(t, req); res.Reason != c.reason {
				t.Errorf("strict %v, %s: reason %q, want %q (%s)", strict, c.name, res.Reason, c.reason, res.Message)
			}
		}
	}
}

// The expiry texts read as AWS's.
func TestExpiredMessage(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 10, 19, 0, time.UTC)
	v := sigv4.New(sigv4.Config{Now: func() time.Time { return now }})
	srv := server(t, v)
	req := newRequest(t, srv, "GET", "/", "", nil)
	sign(t, req, alice, nil, sigv4.Service, region, time.Date(2026, 12, 1, 11, 51, 59, 0, time.UTC))
	res := send(t, req)
	if want := "Signature expired: 20261201T115159Z is now earlier than 20261201T120519Z (20261201T121019Z - 5 min.)"; res.Message != want || res.Type != "InvalidSignatureException" {
		t.Fatalf("%s %q\nwant %q", res.Type, res.Message, want)
	}
	req = newRequest(t, srv, "GET", "/", "", nil)
	sign(t, req, alice, nil, sigv4.Service, region, time.Date(2026, 12, 1, 12, 30, 0, 0, time.UTC))
	res = send(t, req)
	if want := "Signature not yet current: 20261201T123000Z is still later than 20261201T121519Z (20261201T121019Z + 5 min.)"; res.Message != want {
		t.Fatalf("%q\nwant %q", res.Message, want)
	}
}

// Default mode checks the form, the time and the scope, not the bytes.
func TestDefaultMode(t *testing.T) {
	v := sigv4.New(sigv4.Config{})
	if v.Strict() {
		t.Fatal("a verifier without credentials is strict")
	}
	srv := server(t, v)
	anyone := aws.Credentials{AccessKeyID: "test", SecretAccessKey: "whatever"}

	for _, presigned := range []bool{false, true} {
		req := newRequest(t, srv, "POST", "/dev/pets", "", []byte("b"))
		if presigned {
			req = presign(t, req, anyone, sigv4.UnsignedPayload, sigv4.Service, region, time.Now(), 0, []byte("b"))
		} else {
			sign(t, req, anyone, []byte("b"), sigv4.Service, region, time.Now())
		}
		if v.NeedsBody(req) {
			t.Error("default mode needs the body")
		}
		res := send(t, req)
		if !res.ok() {
			t.Fatalf("presigned %v: a well-formed signature with any secret refused: %s", presigned, res.Message)
		}
		if want := (sigv4.Identity{AccessKey: "test", AccountID: "000000000000", CallerID: "000000000000",
			UserID: "000000000000", UserARN: "arn:aws:iam::000000000000:root"}); res.Identity != want {
			t.Fatalf("identity %+v, want %+v", res.Identity, want)
		}
	}

	wrong := func(f func(r *http.Request)) result {
		req := newRequest(t, srv, "GET", "/dev/pets", "", nil)
		sign(t, req, anyone, nil, sigv4.Service, region, time.Now())
		f(req)
		return send(t, req)
	}
	setAuth := func(s string) func(r *http.Request) {
		return func(r *http.Request) { r.Header.Set("Authorization", s) }
	}
	cases := []struct {
		name   string
		f      func(r *http.Request)
		reason string
	}{
		{"unsigned", func(r *http.Request) { r.Header.Del("Authorization") }, "missing"},
		{"another scheme", setAuth("Bearer abc"), "missing"},
		{"short signature", func(r *http.Request) {
			h := r.Header.Get("Authorization")
			r.Header.Set("Authorization", h[:len(h)-1])
		}, "incomplete"},
		{"no Credential", func(r *http.Request) {
			h := r.Header.Get("Authorization")
			r.Header.Set("Authorization", strings.Replace(h, "Credential=", "Cred=", 1))
		}, "incomplete"},
		{"no date", func(r *http.Request) { r.Header.Del("X-Amz-Date") }, "incomplete"},
		{"host not signed", func(r *http.Request) {
			h := r.Header.Get("Authorization")
			r.Header.Set("Authorization", strings.Replace(h, "SignedHeaders=host;", "SignedHeaders=", 1))
		}, "unsigned header"},
		{"date a day ago", func(r *http.Request) {
			r.Header.Set("X-Amz-Date", time.Now().UTC().Add(-24*time.Hour).Format("20060102T150405Z"))
		}, "expired"},
		{"scope date not the signing date", func(r *http.Request) {
			h := r.Header.Get("Authorization")
			today := time.Now().UTC().Format("20060102")
			r.Header.Set("Authorization", strings.Replace(h, "/"+today+"/", "/20000101/", 1))
		}, "scope"},
	}
	for _, c := range cases {
		if res := wrong(c.f); res.Reason != c.reason {
			t.Errorf("%s: reason %q, want %q (%s)", c.name, res.Reason, c.reason, res.Message)
		}
	}

	for _, c := range []struct{ service, region string }{{"execute-api", "eu-west-1"}, {"apigateway", region}, {"s3", "us-west-2"}} {
		req := newRequest(t, srv, "GET", "/dev/pets", "", nil)
		sign(t, req, anyone, nil, c.service, c.region, time.Now())
		if res := send(t, req); res.Reason != "scope" {
			t.Errorf("%s in %s: reason %q (%s)", c.service, c.region, res.Reason, res.Message)
		}
	}
}

// The caller's identity: the profile's account, a 12-digit key id, or the
// configured default; the root user's ARN in the region's partition.
func TestIdentity(t *testing.T) {
	srv := server(t, strictVerifier(t))
	cases := []struct {
		creds   aws.Credentials
		account string
		profile string
	}{
		{alice, "000000000000", "default"},
		{bob, "210987654321", "bob"},
		{carol, "123456789012", "carol"},
	}
	for _, c := range cases {
		req := newRequest(t, srv, "GET", "/", "", nil)
		sign(t, req, c.creds, nil, sigv4.Service, region, time.Now())
		res := send(t, req)
		want := sigv4.Identity{AccessKey: c.creds.AccessKeyID, AccountID: c.account, CallerID: c.account, UserID: c.account,
			UserARN: "arn:aws:iam::" + c.account + ":root", Profile: c.profile}
		if res.Identity != want {
			t.Errorf("%s: %+v, want %+v (%s)", c.creds.AccessKeyID, res.Identity, want, res.Message)
		}
	}

	v := sigv4.New(sigv4.Config{DefaultAccount: "111122223333"})
	cn := httptestRequest(t, "GET", "/", nil)
	signAt(t, cn, aws.Credentials{AccessKeyID: "k", SecretAccessKey: "s"}, "cn-north-1")
	id, err := v.Verify(cn, "cn-north-1", nil)
	if err != nil {
		t.Fatal(err)
	}
	if id.UserARN != "arn:aws-cn:iam::111122223333:root" {
		t.Fatalf("UserARN %q", id.UserARN)
	}
	want := &payload.IAMIdentity{AccessKey: "k", AccountID: "111122223333", CallerID: "111122223333",
		UserARN: "arn:aws-cn:iam::111122223333:root", UserID: "111122223333"}
	if got := id.IAM(); *got != *want {
		t.Fatalf("IAM() %+v, want %+v", got, want)
	}
}

// The presigned form's own failures.
func TestPresignedMalformed(t *testing.T) {
	v := sigv4.New(sigv4.Config{})
	srv := server(t, v)
	req := newRequest(t, srv, "GET", "/dev/pets", "", nil)
	good := presign(t, req, alice, sigv4.UnsignedPayload, sigv4.Service, region, time.Now(), 0, nil)
	if res := send(t, good); !res.ok() {
		t.Fatal(res.Message)
	}
	edit := func(f func(q url.Values)) *http.Request {
		q := good.URL.Query()
		f(q)
		r := good.Clone(good.Context())
		r.URL.RawQuery = q.Encode()
		return r
	}
	cases := []struct {
		name    string
		f       func(q url.Values)
		reason  string
		message string
	}{
		{"no signature", func(q url.Values) { q.Del("X-Amz-Signature") }, "incomplete",
			"AWS query-string parameters must include 'X-Amz-Signature'. Re-examine the query-string parameters."},
		{"no algorithm", func(q url.Values) { q.Del("X-Amz-Algorithm") }, "incomplete", ""},
		{"other algorithm", func(q url.Values) { q.Set("X-Amz-Algorithm", "AWS4-HMAC-SHA1") }, "incomplete", ""},
		{"two signatures", func(q url.Values) { q.Add("X-Amz-Signature", q.Get("X-Amz-Signature")) }, "incomplete", ""},
		{"bad date", func(q url.Values) { q.Set("X-Amz-Date", "2026-12-01T00:00:00Z") }, "incomplete", ""},
		{"bad expiry", func(q url.Values) { q.Set("X-Amz-Expires", "soon") }, "incomplete", "X-Amz-Expires should be a number"},
		{"negative expiry", func(q url.Values) { q.Set("X-Amz-Expires", "-1") }, "incomplete", "X-Amz-Expires must be non-negative"},
		{"no host", func(q url.Values) { q.Set("X-Amz-SignedHeaders", "x-amz-date") }, "unsigned header", ""},
		{"no parameters", func(q url.Values) {
			for k := range q {
				q.Del(k)
			}
		}, "missing", "Missing Authentication Token"},
	}
	for _, c := range cases {
		res := send(t, edit(c.f))
		if res.Reason != c.reason || c.message != "" && res.Message != c.message {
			t.Errorf("%s: %s %q, want %s %q", c.name, res.Reason, res.Message, c.reason, c.message)
		}
	}
}

// NeedsBody: only strict mode needs the body, and only for a signed
// request that does not declare UNSIGNED-PAYLOAD.
func TestNeedsBody(t *testing.T) {
	strict, loose := strictVerifier(t), sigv4.New(sigv4.Config{})
	unsigned := httptestRequest(t, "POST", "/dev/x", []byte("b"))
	signed := httptestRequest(t, "POST", "/dev/x", []byte("b"))
	signAt(t, signed, alice, region)
	presigned := httptestRequest(t, "POST", "/dev/x?X-Amz-Algorithm=AWS4-HMAC-SHA256", []byte("b"))
	declared := httptestRequest(t, "POST", "/dev/x", []byte("b"))
	declared.Header.Set("X-Amz-Content-Sha256", sigv4.UnsignedPayload)
	signAt(t, declared, alice, region)
	for _, c := range []struct {
		v    *sigv4.Verifier
		r    *http.Request
		want bool
	}{
		{strict, unsigned, false}, {strict, signed, true}, {strict, presigned, true}, {strict, declared, false},
		{loose, signed, false}, {loose, presigned, false},
	} {
		if got := c.v.NeedsBody(c.r); got != c.want {
			t.Errorf("strict %v, %s: NeedsBody %v, want %v", c.v.Strict(), c.r.URL, got, c.want)
		}
	}
}

// A Date header may stand for X-Amz-Date; it must then be signed.
func TestDateHeader(t *testing.T) {
	v := sigv4.New(sigv4.Config{})
	now := time.Now().UTC()
	for _, c := range []struct {
		signed string
		reason string
	}{{"date;host", ""}, {"host", "unsigned header"}} {
		r := httptestRequest(t, "GET", "/dev/pets", nil)
		r.Header.Set("Date", now.Format(http.TimeFormat))
		r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/"+now.Format("20060102")+
			"/us-east-1/execute-api/aws4_request, SignedHeaders="+c.signed+", Signature="+sig64)
		_, err := v.Verify(r, region, nil)
		reason := ""
		if f := (*sigv4.Failure)(nil); errors.As(err, &f) {
			reason = f.Reason.String()
		}
		if reason != c.reason {
			t.Errorf("SignedHeaders=%s: %q (%v), want %q", c.signed, reason, err, c.reason)
		}
	}
}
