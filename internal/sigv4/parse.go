package sigv4

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Algorithm is the only signing algorithm SigV4 verification knows.
const Algorithm = "AWS4-HMAC-SHA256"

// amzDateFormat is ISO 8601 basic format, as X-Amz-Date spells it.
const amzDateFormat = "20060102T150405Z"

// Bounds on what a client sends ([I]: a little above anything a real
// signer produces; HTTP APIs bound the whole request head to 10,240 bytes
// anyway, docs/aws-behaviours.md#http-limits).
const (
	maxAuthorization = 8 << 10
	maxQuery         = 16 << 10
	maxSignedHeaders = 128
	// MaxExpires is the longest a presigned URL may live: 7 days, as
	// S3's and the SDKs' presigners allow.
	MaxExpires = 7 * 24 * time.Hour
)

// Credential is a SigV4 credential: the access key id and its scope,
// AKID/20261201/us-east-1/execute-api/aws4_request.
type Credential struct {
	AccessKeyID string
	Date        string // YYYYMMDD
	Region      string
	Service     string
	Terminator  string // "aws4_request"
}

// scope is the credential scope as the string to sign has it.
func (c *Credential) scope() string {
	return c.Date + "/" + c.Region + "/" + c.Service + "/" + c.Terminator
}

// Authorization is a parsed "AWS4-HMAC-SHA256 Credential=..., SignedHeaders=...,
// Signature=..." header value.
type Authorization struct {
	Credential    Credential
	SignedHeaders []string // lower-case names, in the client's order
	Signature     string   // 64 lower-case hex digits
}

// ParseAuthorization parses an Authorization header value. It checks the
// form only: the algorithm, the three parameters and their shapes, not
// the scope's values. The error is a *Failure (ReasonMissing for a value
// that is no SigV4 at all, which does not start with "AWS4-", else
// ReasonIncomplete).
func ParseAuthorization(h string) (Authorization, error) {
	var a Authorization
	if f := parseAuthorization(h, &a); f != nil {
		return Authorization{}, f
	}
	return a, nil
}

func parseAuthorization(h string, a *Authorization) *Failure {
	trimmed := strings.TrimLeft(h, " ")
	if !strings.HasPrefix(trimmed, "AWS4-") {
		// Another scheme (Basic, Bearer...): AWS answers as if there
		// were no signature (mhart/dynalite).
		return missingToken
	}
	if len(h) > maxAuthorization {
		return fail(ReasonIncomplete, typeIncomplete, "The Authorization header is longer than "+strconv.Itoa(maxAuthorization)+" bytes.") // [I]
	}
	alg, params, _ := strings.Cut(trimmed, " ")
	if alg != Algorithm {
		return failf(ReasonIncomplete, typeIncomplete, "Unsupported AWS 'algorithm': '%s' (only %s for now). ", alg, Algorithm)
	}
	var cred, signed, sig string
	var seen [3]bool
	for p := range strings.SplitSeq(params, ",") {
		p = strings.Trim(p, " ")
		if p == "" {
			continue
		}
		k, v, ok := strings.Cut(p, "=")
		if !ok {
			return failf(ReasonIncomplete, typeIncomplete,
				"'%s' not a valid key=value pair (missing equal-sign) in Authorization header: '%s'.", p, h)
		}
		var i int
		switch k {
		case "Credential":
			i, cred = 0, v
		case "SignedHeaders":
			i, signed = 1, v
		case "Signature":
			i, sig = 2, v
		default:
			continue // [I]: unknown parameters are ignored
		}
		if seen[i] {
			return failf(ReasonIncomplete, typeIncomplete, "Authorization header has '%s' more than once. Authorization=%s", k, h) // [I]
		}
		seen[i] = true
	}
	var msg strings.Builder
	for i, name := range [3]string{"Credential", "Signature", "SignedHeaders"} {
		// AWS lists the missing parameters in this order (mhart/dynalite).
		if v := [3]string{cred, sig, signed}[i]; v == "" {
			msg.WriteString("Authorization header requires '" + name + "' parameter. ")
		}
	}
	if msg.Len() > 0 {
		return fail(ReasonIncomplete, typeIncomplete, msg.String()+"Authorization="+h)
	}
	if f := parseCredential(cred, &a.Credential); f != nil {
		return f
	}
	var f *Failure
	if a.SignedHeaders, f = parseSignedHeaders(signed, a.SignedHeaders[:0]); f != nil {
		return f
	}
	if !isSignature(sig) {
		return fail(ReasonIncomplete, typeIncomplete, "Signature must be 64 lower-case hexadecimal digits. Authorization="+h) // [I]
	}
	a.Signature = sig
	return nil
}

// parseCredential splits AKID/date/region/service/terminator.
func parseCredential(s string, c *Credential) *Failure {
	parts := [5]string{}
	rest := s
	for i := range parts {
		if i == len(parts)-1 {
			parts[i] = rest
			break
		}
		var ok bool
		parts[i], rest, ok = strings.Cut(rest, "/")
		if !ok {
			return credentialShape(s)
		}
	}
	if strings.Contains(parts[4], "/") {
		return credentialShape(s)
	}
	for _, p := range parts {
		if p == "" {
			return credentialShape(s)
		}
	}
	*c = Credential{AccessKeyID: parts[0], Date: parts[1], Region: parts[2], Service: parts[3], Terminator: parts[4]}
	return nil
}

func credentialShape(s string) *Failure {
	return failf(ReasonIncomplete, typeIncomplete,
		"Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '%s'", s)
}

// parseSignedHeaders splits "host;x-amz-date". The names must be lower
// case, as the canonical request has them ([I]: AWS's own check is not
// known; a mixed-case name could never match).
// The names are appended to names.
func parseSignedHeaders(s string, names []string) ([]string, *Failure) {
	if n := strings.Count(s, ";") + 1; n > maxSignedHeaders {
		return nil, failf(ReasonIncomplete, typeIncomplete, "SignedHeaders names more than %d headers.", maxSignedHeaders) // [I]
	}
	for name := range strings.SplitSeq(s, ";") {
		if !isLowerToken(name) {
			return nil, failf(ReasonIncomplete, typeIncomplete, "SignedHeaders has an invalid header name '%s': %s", name, s) // [I]
		}
		names = append(names, name)
	}
	return names, nil
}

// isLowerToken reports whether s is a non-empty HTTP field name (RFC 9110
// token) without upper-case letters.
func isLowerToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return true
}

func isSignature(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// parseAmzDate parses ISO 8601 basic format, the only one SigV4 signs
// (by hand: time.Parse is a third of a default-mode verification).
func parseAmzDate(s string) (time.Time, *Failure) {
	if len(s) == len(amzDateFormat) && s[8] == 'T' && s[15] == 'Z' {
		var f [6]int // year, month, day, hour, minute, second
		bounds := [7]int{0, 4, 6, 8, 11, 13, 15}
		ok := true
		for i := range f {
			lo, hi := bounds[i], bounds[i+1]
			if i == 3 {
				lo = 9
			}
			for j := lo; j < hi; j++ {
				c := s[j]
				ok = ok && c >= '0' && c <= '9'
				f[i] = f[i]*10 + int(c-'0')
			}
		}
		t := time.Date(f[0], time.Month(f[1]), f[2], f[3], f[4], f[5], 0, time.UTC)
		// time.Date normalizes (month 13 is January): a date that does
		// not come back as written is not one.
		if ok && t.Year() == f[0] && int(t.Month()) == f[1] && t.Day() == f[2] &&
			t.Hour() == f[3] && t.Minute() == f[4] && t.Second() == f[5] {
			return t, nil
		}
	}
	return time.Time{}, failf(ReasonIncomplete, typeIncomplete,
		"Date must be in ISO-8601 'basic format'. Got '%s'. See http://en.wikipedia.org/wiki/ISO_8601", s)
}

// signature is everything a request says of its signature, from either
// place it can be.
type signature struct {
	Authorization
	presigned bool
	// amzDate is the signing time as the string to sign has it.
	amzDate string
	time    time.Time
	// dateHeader is the signed header the time came from ("x-amz-date"
	// or "date"); "" for a presigned URL, whose time is in the query.
	dateHeader string
	// expires is a presigned URL's X-Amz-Expires; hasExpires is false
	// when the URL has none.
	expires    time.Duration
	hasExpires bool
	token      string
}

// parseRequest finds and parses r's signature: the Authorization header,
// else a presigned query (X-Amz-Algorithm). An Authorization header that
// is not SigV4 counts as none ([I]: AWS's precedence between the two
// forms is not known; the header wins, as in awsproto.IdentityOf).
func parseRequest(r *http.Request, s *signature) *Failure {
	if h := r.Header.Get("Authorization"); h != "" {
		f := parseAuthorization(h, &s.Authorization)
		if f == nil {
			return parseHeaderTime(r, h, s)
		}
		if f != missingToken {
			return f
		}
	}
	if len(r.URL.RawQuery) > maxQuery {
		return fail(ReasonIncomplete, typeIncomplete, "The query string is longer than "+strconv.Itoa(maxQuery)+" bytes.") // [I]
	}
	return parsePresigned(r.URL.RawQuery, s)
}

func parseHeaderTime(r *http.Request, h string, s *signature) *Failure {
	s.token = r.Header.Get("X-Amz-Security-Token")
	if d := r.Header.Get("X-Amz-Date"); d != "" {
		t, f := parseAmzDate(d)
		if f != nil {
			return f
		}
		s.amzDate, s.time, s.dateHeader = d, t, "x-amz-date"
		return nil
	}
	if d := r.Header.Get("Date"); d != "" {
		// [I]: with a Date header the string to sign carries the same
		// instant in ISO 8601 basic format, as the IAM user guide's
		// "RequestDateTime" is always written.
		t, err := http.ParseTime(d)
		if err != nil {
			return failf(ReasonIncomplete, typeIncomplete,
				"Date must be in ISO-8601 'basic format'. Got '%s'. See http://en.wikipedia.org/wiki/ISO_8601", d)
		}
		t = t.UTC()
		s.amzDate, s.time, s.dateHeader = t.Format(amzDateFormat), t, "date"
		return nil
	}
	return fail(ReasonIncomplete, typeIncomplete,
		"Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization="+h)
}

// The presigned URL's parameters, by index.
const (
	qAlgorithm = iota
	qCredential
	qDate
	qSignedHeaders
	qSignature
	qExpires
	qToken
	nQuery
)

var queryNames = [nQuery]string{"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-SignedHeaders",
	"X-Amz-Signature", "X-Amz-Expires", "X-Amz-Security-Token"}

// parsePresigned reads the X-Amz-* parameters of a presigned URL.
func parsePresigned(raw string, s *signature) *Failure {
	var vals [nQuery]string
	var seen [nQuery]bool
	sawAmz := false
	for pair := range strings.SplitSeq(raw, "&") {
		k, v, _ := strings.Cut(pair, "=")
		if !strings.HasPrefix(k, "X-Amz-") {
			continue // the names are sent as they are: no escapes to undo
		}
		for i, name := range queryNames {
			if k != name {
				continue
			}
			dv, err := url.QueryUnescape(v)
			if err != nil {
				return failf(ReasonIncomplete, typeIncomplete, "The query-string parameter '%s' is not validly escaped.", name) // [I]
			}
			if seen[i] {
				return failf(ReasonIncomplete, typeIncomplete, "The query-string parameter '%s' is given more than once.", name) // [I]
			}
			seen[i], vals[i], sawAmz = true, dv, true
		}
	}
	if !seen[qAlgorithm] {
		if sawAmz {
			// X-Amz-* parameters without the algorithm: a broken
			// presigned URL rather than an unsigned request [I].
			return fail(ReasonIncomplete, typeIncomplete,
				"AWS query-string parameters must include 'X-Amz-Algorithm'. Re-examine the query-string parameters.")
		}
		return missingToken
	}
	var msg strings.Builder
	for _, i := range [...]int{qCredential, qSignature, qSignedHeaders, qDate} {
		if vals[i] == "" {
			msg.WriteString("AWS query-string parameters must include '" + queryNames[i] + "'. ")
		}
	}
	if msg.Len() > 0 {
		return fail(ReasonIncomplete, typeIncomplete, msg.String()+"Re-examine the query-string parameters.")
	}
	if vals[qAlgorithm] != Algorithm {
		return failf(ReasonIncomplete, typeIncomplete, "Unsupported AWS 'algorithm': '%s' (only %s for now). ", vals[qAlgorithm], Algorithm)
	}
	if f := parseCredential(vals[qCredential], &s.Credential); f != nil {
		return f
	}
	var f *Failure
	if s.SignedHeaders, f = parseSignedHeaders(vals[qSignedHeaders], s.SignedHeaders[:0]); f != nil {
		return f
	}
	if !isSignature(vals[qSignature]) {
		return fail(ReasonIncomplete, typeIncomplete, "X-Amz-Signature must be 64 lower-case hexadecimal digits.") // [I]
	}
	s.Signature = vals[qSignature]
	if s.time, f = parseAmzDate(vals[qDate]); f != nil {
		return f
	}
	s.amzDate = vals[qDate]
	if seen[qExpires] {
		// S3's rules for X-Amz-Expires (a number of seconds, at most a
		// week); execute-api's are not documented [I].
		n, err := strconv.ParseInt(vals[qExpires], 10, 64)
		switch {
		case err != nil && !isDigits(vals[qExpires]):
			return fail(ReasonIncomplete, typeIncomplete, "X-Amz-Expires should be a number")
		case err == nil && n < 0:
			return fail(ReasonIncomplete, typeIncomplete, "X-Amz-Expires must be non-negative")
		case err != nil || time.Duration(n)*time.Second > MaxExpires:
			return failf(ReasonIncomplete, typeIncomplete, "X-Amz-Expires must be less than a week (in seconds) that is %d", int64(MaxExpires/time.Second))
		}
		s.expires, s.hasExpires = time.Duration(n)*time.Second, true
	}
	s.token = vals[qToken]
	s.presigned = true
	return nil
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
