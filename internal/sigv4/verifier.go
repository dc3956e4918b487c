// Package sigv4 verifies the AWS Signature Version 4 of requests to
// execute-api: the check behind routes whose authorization type is
// AWS_IAM (spec data-plane.md B.8; IAM user guide, "AWS Signature
// Version 4 for API requests").
//
// A Verifier has two modes. By default it checks the form of a signature
// (the Authorization header or a presigned URL), its time and its
// credential scope, not its bytes: Portico knows no secrets, and any
// credentials do, as on the control plane. Built with Credentials (a
// shared-credentials file) it is strict: the signature must be the one
// the key's secret gives for this request.
//
// The verifier does not evaluate IAM policies: a valid signature is
// allowed to invoke (HTTP APIs have no resource policies [V], and the
// caller's identity policies are AWS's, not Portico's).
package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"hash"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/portico-dev/portico/internal/dataplane/httpapi/payload"
)

// Service is execute-api's signing name.
const Service = "execute-api"

// DefaultMaxSkew is how far a header signature's time may be from now:
// 5 minutes, AWS's window. The IAM user guide says a request "must reach
// AWS within five minutes of the time stamp in the request", and API
// Gateway's own refusals read "Signature expired: 20170517T062414Z is now
// earlier than 20170517T062840Z (20170517T063340Z - 5 min.)" (quoted in
// AWS re:Post threads on IAM-authorized APIs) [V].
const DefaultMaxSkew = 5 * time.Minute

// DefaultAccount is the account of a caller whose credentials name none,
// as on the control plane (DESIGN.md 3.3).
const DefaultAccount = "000000000000"

// The payload hashes a request may sign instead of its body's.
const (
	UnsignedPayload = "UNSIGNED-PAYLOAD"
)

// Config configures a Verifier.
type Config struct {
	// Credentials, when not nil, make the verifier strict.
	Credentials *Credentials
	// DefaultAccount is the account of a caller whose access key id is
	// not a 12-digit account and whose profile names none; "" is
	// DefaultAccount.
	DefaultAccount string
	// MaxSkew bounds the distance between a signature's time and now;
	// 0 is DefaultMaxSkew.
	MaxSkew time.Duration
	// Now is the clock; nil is time.Now.
	Now func() time.Time
}

// Verifier verifies SigV4 signatures for execute-api. It is safe for
// concurrent use; build one per server (or per credentials file) and
// share it.
type Verifier struct {
	creds   *Credentials
	account string
	skew    time.Duration
	now     func() time.Time

	// keys caches derived signing keys: deriving one is four HMACs,
	// and a key serves every request of a day.
	mu   sync.Mutex
	keys map[signingKeyID]*signingKey
}

// maxSigningKeys bounds the cache [I]. Only keys of the file, dates
// within the window (or a presigned URL's week) and regions that passed
// the scope check get in, so the bound is rarely reached; reaching it
// empties the cache.
const maxSigningKeys = 1024

type signingKeyID struct{ accessKeyID, date, region string }

// New returns a verifier.
func New(cfg Config) *Verifier {
	v := &Verifier{creds: cfg.Credentials, account: cfg.DefaultAccount, skew: cfg.MaxSkew, now: cfg.Now}
	if v.account == "" {
		v.account = DefaultAccount
	}
	if v.skew <= 0 {
		v.skew = DefaultMaxSkew
	}
	if v.now == nil {
		v.now = time.Now
	}
	if v.creds != nil {
		v.keys = map[signingKeyID]*signingKey{}
	}
	return v
}

// Strict reports whether signatures are verified against secrets.
func (v *Verifier) Strict() bool { return v.creds != nil }

// NeedsBody reports whether Verify needs r's body: in strict mode, for a
// signed request that does not declare x-amz-content-sha256:
// UNSIGNED-PAYLOAD. The engine reads the body (bounded by its payload
// quota) and passes it to Verify; when NeedsBody is false it may pass nil
// and stream the body on.
func (v *Verifier) NeedsBody(r *http.Request) bool {
	if v.creds == nil || r.Header.Get("X-Amz-Content-Sha256") == UnsignedPayload {
		return false
	}
	return r.Header.Get("Authorization") != "" || strings.Contains(r.URL.RawQuery, "X-Amz-")
}

// Identity is the caller a valid signature names, as
// requestContext.authorizer.iam (2.0) and requestContext.identity (1.0)
// show it.
type Identity struct {
	AccessKey string
	AccountID string
	// CallerID, UserID and UserARN are those of the account's root user
	// ("arn:aws:iam::{account}:root"), as STS GetCallerIdentity names
	// root: Portico knows no IAM users or roles behind a key [I].
	CallerID string
	UserID   string
	UserARN  string
	// Profile is the credentials file's profile of the key; "" by
	// default (for logs).
	Profile string
}

// IAM is the identity as the HTTP API payloads carry it. Portico knows no
// organization or Cognito identity: those stay null.
func (id *Identity) IAM() *payload.IAMIdentity {
	return &payload.IAMIdentity{AccessKey: id.AccessKey, AccountID: id.AccountID, CallerID: id.CallerID,
		UserARN: id.UserARN, UserID: id.UserID}
}

// Verify checks r's signature for execute-api in region. body is r's
// body when NeedsBody(r) (the engine reads it), else nil: r.Body is never
// read. r must be the request as the client sent it: its request line
// (RequestURI, else URL), Host and headers.
//
// The error is a *Failure; HTTP APIs answer it with 403
// {"message":"Forbidden"}.
func (v *Verifier) Verify(r *http.Request, region string, body []byte) (Identity, error) {
	var s signature
	var names [12]string // backs SignedHeaders for the usual few
	s.SignedHeaders = names[:0]
	if f := parseRequest(r, &s); f != nil {
		return Identity{}, f
	}
	if f := v.checkTime(&s); f != nil {
		return Identity{}, f
	}
	if f := checkSignedHeaders(&s); f != nil {
		return Identity{}, f
	}
	if f := checkScope(&s, region); f != nil {
		return Identity{}, f
	}
	if v.creds == nil {
		return v.identity(s.Credential.AccessKeyID, region, nil), nil
	}
	key, ok := v.creds.Lookup(s.Credential.AccessKeyID)
	if !ok {
		return Identity{}, unknownKey
	}
	if f := v.checkSignature(r, &s, key, body); f != nil {
		return Identity{}, f
	}
	if subtle.ConstantTimeCompare([]byte(s.token), []byte(key.SessionToken)) != 1 {
		// [I]: a token the profile does not have, or no token for a
		// profile that has one, is the wrong token.
		return Identity{}, badToken
	}
	return v.identity(key.AccessKeyID, region, key), nil
}

// checkTime applies the window: a header signature within MaxSkew of
// now; a presigned URL not signed later than MaxSkew from now and not
// past X-Amz-Expires ([I]: without X-Amz-Expires, the header window).
func (v *Verifier) checkTime(s *signature) *Failure {
	now := v.now().UTC()
	if s.time.After(now.Add(v.skew)) {
		return notYetValid(s.time, now, v.skew)
	}
	window := v.skew
	if s.hasExpires {
		window = s.expires
	}
	if s.time.Before(now.Add(-window)) {
		return expired(s.time, now, window)
	}
	return nil
}

// checkSignedHeaders: Host must be signed (the IAM user guide; AWS's
// refusal text from mhart/dynalite), and so must the header the time
// came from (the IAM user guide: "If you include a date or x-amz-date
// header, you must also include that header in the list of signed
// headers") [D].
func checkSignedHeaders(s *signature) *Failure {
	host, date := false, s.dateHeader == ""
	for _, h := range s.SignedHeaders {
		host = host || h == "host"
		date = date || h == s.dateHeader
	}
	if !host {
		return fail(ReasonUnsignedHeader, typeInvalid, "'Host' must be a 'SignedHeader' in the AWS Authorization.")
	}
	if !date {
		name := "X-Amz-Date"
		if s.dateHeader == "date" {
			name = "Date"
		}
		return failf(ReasonUnsignedHeader, typeInvalid, "'%s' must be a 'SignedHeader' in the AWS Authorization.", name) // [I]
	}
	return nil
}

// checkScope: the credential scope must name this region, execute-api,
// aws4_request and the signing time's date. AWS lists every wrong part in
// one message, in this order (mhart/dynalite).
func checkScope(s *signature, region string) *Failure {
	c := &s.Credential
	var msg strings.Builder
	if c.Region != region {
		msg.WriteString("Credential should be scoped to a valid region, not '" + c.Region + "'. ")
	}
	if c.Service != Service {
		msg.WriteString("Credential should be scoped to correct service: '" + Service + "'. ")
	}
	if c.Terminator != "aws4_request" {
		msg.WriteString("Credential should be scoped with a valid terminator: 'aws4_request', not '" + c.Terminator + "'. ")
	}
	if day := s.amzDate[:8]; c.Date != day {
		msg.WriteString("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '" +
			c.Date + "' != '" + day + "', from '" + s.amzDate + "'.")
	}
	if msg.Len() > 0 {
		return fail(ReasonScope, typeInvalid, strings.TrimSuffix(msg.String(), " "))
	}
	return nil
}

// checkSignature computes the signature the key gives r and compares it
// with the request's in constant time.
//
// The payload hash: x-amz-content-sha256 when the request sends it
// (UNSIGNED-PAYLOAD, or the hex SHA-256 that the body must then have),
// else the body's SHA-256. A presigned URL is tried with UNSIGNED-PAYLOAD
// first, as the SDKs presign, then with the body's hash, as botocore
// presigns for services other than S3 [I].
func (v *Verifier) checkSignature(r *http.Request, s *signature, key *Key, body []byte) *Failure {
	sk := v.signingKey(key, &s.Credential)
	declared := r.Header.Get("X-Amz-Content-Sha256")
	var bodyHex [2 * sha256.Size]byte
	var first, second []byte
	switch {
	case declared == UnsignedPayload:
		first = []byte(UnsignedPayload)
	case declared != "":
		if !isSignature(declared) {
			return fail(ReasonIncomplete, typeIncomplete, "x-amz-content-sha256 must be UNSIGNED-PAYLOAD or 64 lower-case hexadecimal digits.") // [I]
		}
		first = []byte(declared)
	case s.presigned:
		first, second = []byte(UnsignedPayload), bodyHash(&bodyHex, body)
	default:
		first = bodyHash(&bodyHex, body)
	}
	sc := scratchPool.Get().(*scratch)
	defer sc.put()
	f := sk.compare(r, s, first, sc)
	if f != nil && second != nil && f.Reason == ReasonMismatch && sk.compare(r, s, second, sc) == nil {
		f = nil
	}
	if f != nil {
		// When both fail, the message shows the first canonical
		// request: the one the SDKs' presigners sign.
		return f
	}
	if declared != "" && declared != UnsignedPayload && declared != string(bodyHash(&bodyHex, body)) {
		return badBody
	}
	return nil
}

// signingKey is a derived signing key, with HMACs keyed with it ready for
// reuse: keying one costs two hash blocks and four allocations.
type signingKey struct {
	macs sync.Pool // of hash.Hash
}

func newSigningKey(k []byte) *signingKey {
	sk := &signingKey{}
	sk.macs.New = func() any { return hmac.New(sha256.New, k) }
	return sk
}

// compare builds the canonical request with payloadHash and compares the
// signature it gives with the request's.
func (sk *signingKey) compare(r *http.Request, s *signature, payloadHash []byte, sc *scratch) *Failure {
	var f *Failure
	if sc.canonical, f = appendCanonicalRequest(sc.canonical[:0], r, s, payloadHash); f != nil {
		return f
	}
	crHash := sha256.Sum256(sc.canonical)
	// The string to sign (IAM user guide, step 2): the algorithm, the
	// time, the scope and the canonical request's hash, one a line.
	c := &s.Credential
	sts := append(sc.sts[:0], Algorithm+"\n"...)
	sts = append(sts, s.amzDate...)
	sts = append(sts, '\n')
	sts = append(append(sts, c.Date...), '/')
	sts = append(append(sts, c.Region...), '/')
	sts = append(append(sts, c.Service...), '/')
	sts = append(append(sts, c.Terminator...), '\n')
	sts = hex.AppendEncode(sts, crHash[:])
	sc.sts = sts

	mac := sk.macs.Get().(hash.Hash)
	mac.Reset()
	mac.Write(sts)
	sc.sum = mac.Sum(sc.sum[:0])
	sk.macs.Put(mac)
	var want [2 * sha256.Size]byte
	hex.Encode(want[:], sc.sum)
	if subtle.ConstantTimeCompare(want[:], []byte(s.Signature)) != 1 {
		return mismatch(sc.canonical, string(sts))
	}
	return nil
}

// signingKey derives (or finds) the key's signing key for the scope's
// date and region: HMAC chains of "AWS4"+secret over the date, the
// region, the service and "aws4_request" (IAM user guide, step 3).
func (v *Verifier) signingKey(key *Key, c *Credential) *signingKey {
	id := signingKeyID{c.AccessKeyID, c.Date, c.Region}
	v.mu.Lock()
	sk := v.keys[id]
	v.mu.Unlock()
	if sk != nil {
		return sk
	}
	b := hmacSum([]byte("AWS4"+key.SecretAccessKey), c.Date)
	b = hmacSum(b, c.Region)
	b = hmacSum(b, c.Service)
	b = hmacSum(b, "aws4_request")
	sk = newSigningKey(b)
	v.mu.Lock()
	if len(v.keys) >= maxSigningKeys {
		clear(v.keys)
	}
	// Cloned: the strings are slices of the request's header.
	v.keys[signingKeyID{strings.Clone(c.AccessKeyID), strings.Clone(c.Date), strings.Clone(c.Region)}] = sk
	v.mu.Unlock()
	return sk
}

func hmacSum(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

// bodyHash is the hex SHA-256 of body, in dst.
func bodyHash(dst *[2 * sha256.Size]byte, body []byte) []byte {
	sum := sha256.Sum256(body)
	hex.Encode(dst[:], sum[:])
	return dst[:]
}

// scratch holds the buffers of one verification; pooled.
type scratch struct {
	canonical, sts, sum []byte
}

var scratchPool = sync.Pool{New: func() any {
	return &scratch{canonical: make([]byte, 0, 1024), sts: make([]byte, 0, 160), sum: make([]byte, 0, sha256.Size)}
}}

func (sc *scratch) put() {
	if cap(sc.canonical) <= 64<<10 {
		scratchPool.Put(sc)
	}
}

// identity is the caller of an accepted signature: the account is the
// profile's aws_account_id, else a 12-digit access key id (as
// awsproto.SignedAccount reads it), else the default.
func (v *Verifier) identity(accessKeyID, region string, key *Key) Identity {
	id := Identity{AccessKey: accessKeyID, AccountID: v.account}
	switch {
	case key != nil && key.AccountID != "":
		id.AccountID = key.AccountID
	case isAccountID(accessKeyID):
		id.AccountID = accessKeyID
	}
	if key != nil {
		id.Profile = key.Profile
	}
	id.CallerID, id.UserID = id.AccountID, id.AccountID
	id.UserARN = "arn:" + partition(region) + ":iam::" + id.AccountID + ":root"
	return id
}

// partition is the ARN partition of a region.
func partition(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	}
	return "aws"
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
