package sigv4

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// The canonical request (IAM user guide, "Create a signed AWS API
// request", step 1), built the way the AWS SDKs' signers build it, so
// that aws-sdk-go-v2's signer is the oracle of the tests:
//
//	METHOD
//	canonical URI: the path as sent (escaped), escaped once more, "/" kept
//	canonical query: every name and value decoded, then encoded, then sorted
//	canonical headers: name:value lines of the signed headers
//	signed headers: "host;x-amz-date"
//	payload hash

// appendCanonicalRequest appends r's canonical request to dst.
func appendCanonicalRequest(dst []byte, r *http.Request, s *signature, payloadHash []byte) ([]byte, *Failure) {
	dst = append(dst, r.Method...)
	dst = append(dst, '\n')
	// Every service but S3 escapes the path twice: once on the wire,
	// once here. execute-api does: a client's "mypath%2Fnext" is
	// "mypath%252Fnext" in the canonical string AWS answered with
	// (aws-amplify/amplify-android #241).
	path := requestPath(r)
	if path == "" {
		path = "/"
	}
	dst = appendEscaped(dst, path, true)
	dst = append(dst, '\n')
	var f *Failure
	if dst, f = appendCanonicalQuery(dst, r.URL.RawQuery, s.presigned); f != nil {
		return dst, f
	}
	dst = append(dst, '\n')
	for _, name := range s.SignedHeaders {
		dst = append(dst, name...)
		dst = append(dst, ':')
		dst = appendHeaderValue(dst, r, name)
		dst = append(dst, '\n')
	}
	dst = append(dst, '\n')
	for i, name := range s.SignedHeaders {
		if i > 0 {
			dst = append(dst, ';')
		}
		dst = append(dst, name...)
	}
	dst = append(dst, '\n')
	dst = append(dst, payloadHash...)
	return dst, nil
}

// requestPath is the escaped path exactly as the client sent it: the
// request line's, when r came from a server, else the URL's.
func requestPath(r *http.Request) string {
	if u := r.RequestURI; strings.HasPrefix(u, "/") {
		if i := strings.IndexByte(u, '?'); i >= 0 {
			u = u[:i]
		}
		return u
	}
	return r.URL.EscapedPath()
}

// appendHeaderValue appends the canonical value of the header name: its
// values in order, each trimmed with inner runs of spaces made one,
// joined with commas.
func appendHeaderValue(dst []byte, r *http.Request, name string) []byte {
	if name == "host" {
		// net/http moves Host out of the header map.
		return appendTrimmed(dst, r.Host)
	}
	// The server stores canonical keys ("X-Amz-Date"); a string(bytes)
	// map index does not allocate.
	var buf [64]byte
	var vs []string
	if len(name) <= len(buf) {
		key := canonicalKey(buf[:0], name)
		vs = r.Header[string(key)]
	} else {
		vs = r.Header.Values(name)
	}
	if len(vs) == 0 && name == "content-length" && r.ContentLength > 0 {
		// A request built in process (httptest.NewRequest) has its
		// length only in the field; the signers sign that value.
		return strconv.AppendInt(dst, r.ContentLength, 10)
	}
	for i, v := range vs {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendTrimmed(dst, v)
	}
	return dst
}

// canonicalKey appends the MIME-canonical form of a lower-case name
// (x-amz-date: X-Amz-Date), as textproto.CanonicalMIMEHeaderKey gives it
// for valid names.
func canonicalKey(dst []byte, name string) []byte {
	upper := true
	for i := 0; i < len(name); i++ {
		c := name[i]
		if upper && c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		dst = append(dst, c)
		upper = c == '-'
	}
	return dst
}

// appendTrimmed appends v without leading and trailing spaces and with
// each run of spaces inside it made one (the IAM user guide's "convert
// sequential spaces to a single space").
func appendTrimmed(dst []byte, v string) []byte {
	v = strings.Trim(v, " ")
	space := false
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == ' ' {
			if space {
				continue
			}
			space = true
		} else {
			space = false
		}
		dst = append(dst, c)
	}
	return dst
}

// queryPair is one encoded name=value of the canonical query.
type queryPair struct{ k, v string }

// appendCanonicalQuery appends the canonical form of raw: each name and
// value decoded (a "+" is a space, as net/url and the SDKs read a query)
// and encoded again with every byte but A-Z a-z 0-9 - _ . ~ escaped, the
// pairs sorted by name then value, after encoding. A presigned URL's
// X-Amz-Signature is left out: it cannot sign itself.
func appendCanonicalQuery(dst []byte, raw string, presigned bool) ([]byte, *Failure) {
	if raw == "" {
		return dst, nil
	}
	var stack [16]queryPair
	pairs := stack[:0]
	for part := range strings.SplitSeq(raw, "&") {
		if part == "" {
			continue // net/url skips empty parts too
		}
		k, v, _ := strings.Cut(part, "=")
		if presigned && k == "X-Amz-Signature" {
			continue
		}
		ek, ok1 := canonicalComponent(k)
		ev, ok2 := canonicalComponent(v)
		if !ok1 || !ok2 {
			// [I]: net/url would drop the pair, leaving it unsigned
			// yet passed on to the integration; refuse instead.
			return dst, fail(ReasonIncomplete, typeIncomplete, "The query string is not validly escaped.")
		}
		pairs = append(pairs, queryPair{ek, ev})
	}
	slices.SortFunc(pairs, func(a, b queryPair) int {
		if c := strings.Compare(a.k, b.k); c != 0 {
			return c
		}
		return strings.Compare(a.v, b.v)
	})
	for i, p := range pairs {
		if i > 0 {
			dst = append(dst, '&')
		}
		dst = append(dst, p.k...)
		dst = append(dst, '=')
		dst = append(dst, p.v...)
	}
	return dst, nil
}

// canonicalComponent is a query name or value as the canonical query has
// it; ok is false when s is not validly escaped. A component already in
// canonical form, as every SDK sends it, is returned as it is.
func canonicalComponent(s string) (string, bool) {
	if isCanonical(s) {
		return s, true
	}
	d, err := url.QueryUnescape(s)
	if err != nil {
		return "", false
	}
	return string(appendEscaped(nil, d, false)), true
}

// isCanonical reports whether s decodes and encodes back to itself:
// unreserved bytes and upper-case %XX escapes of bytes that need them.
func isCanonical(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved[c] {
			continue
		}
		if c != '%' || i+2 >= len(s) {
			return false
		}
		hi, lo := upperHex(s[i+1]), upperHex(s[i+2])
		if hi < 0 || lo < 0 || unreserved[hi<<4|lo] {
			return false
		}
		i += 2
	}
	return true
}

func upperHex(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'A' && c <= 'F':
		return int(c - 'A' + 10)
	}
	return -1
}

// unreserved are the bytes SigV4 never escapes (RFC 3986 unreserved).
var unreserved = func() (t [256]bool) {
	for c := 0; c < 256; c++ {
		t[c] = c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' ||
			c == '-' || c == '_' || c == '.' || c == '~'
	}
	return t
}()

// appendEscaped appends s with every byte but the unreserved ones (and
// "/" when keepSlash) as an upper-case %XX escape.
func appendEscaped(dst []byte, s string, keepSlash bool) []byte {
	const hex = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved[c] || keepSlash && c == '/' {
			dst = append(dst, c)
			continue
		}
		dst = append(dst, '%', hex[c>>4], hex[c&15])
	}
	return dst
}
