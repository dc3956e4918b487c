package mapping

import (
	"net/textproto"
	"strings"
)

// Action is what a mapping does to its target.
type Action uint8

// The three actions of a mapping key, in the order they apply.
const (
	Remove Action = iota + 1
	Overwrite
	Append
)

func (a Action) String() string {
	switch a {
	case Remove:
		return "remove"
	case Overwrite:
		return "overwrite"
	case Append:
		return "append"
	}
	return "?"
}

type target uint8

const (
	targetHeader target = iota + 1
	targetQuery
	targetPath
	targetStatus
)

// key is a parsed mapping key: "append:header.X-Foo" is {Append,
// targetHeader, "X-Foo"} (header names canonical).
type key struct {
	action Action
	target target
	name   string
}

// parseKey reads a key of either side; ok is false for a key of no known
// form (the caller words the refusal for its side).
func parseKey(k string) (key, bool) {
	if k == "overwrite:path" {
		return key{Overwrite, targetPath, ""}, true
	}
	if k == "overwrite:statuscode" {
		return key{Overwrite, targetStatus, ""}, true
	}
	verb, rest, ok := strings.Cut(k, ":")
	if !ok {
		return key{}, false
	}
	var a Action
	switch verb {
	case "append":
		a = Append
	case "overwrite":
		a = Overwrite
	case "remove":
		a = Remove
	default:
		return key{}, false
	}
	var t target
	switch {
	case strings.HasPrefix(rest, "header."):
		t, rest = targetHeader, rest[len("header."):]
	case strings.HasPrefix(rest, "querystring."):
		t, rest = targetQuery, rest[len("querystring."):]
	default:
		return key{}, false
	}
	// internal/apigw's key pattern: the name is one or more characters
	// that are not white space.
	if rest == "" || strings.ContainsAny(rest, " \t\n\f\r") {
		return key{}, false
	}
	return key{a, t, rest}, true
}

// checkHeaderName refuses reserved and invalid header names, and returns
// the canonical form.
func checkHeaderName(k, name string) (string, error) {
	if isReservedHeader(name) {
		return "", reservedHeader(k)
	}
	if !isToken(name) {
		return "", invalidHeaderName(k)
	}
	return textproto.CanonicalMIMEHeaderKey(name), nil
}

// isReservedHeader: the developer guide's "Reserved headers" of HTTP API
// parameter mapping (docs/aws-behaviours.md#reserved-headers), the same list internal/apigw refuses. The
// current guide still lists Authorization, for requests and responses
// alike, so it is refused on both sides.
func isReservedHeader(name string) bool {
	n := strings.ToLower(name)
	for _, prefix := range []string{"access-control-", "apigw-", "x-amz-", "x-amzn-"} {
		if strings.HasPrefix(n, prefix) {
			return true
		}
	}
	switch n {
	case "authorization", "connection", "content-encoding", "content-length", "content-location", "forwarded",
		"keep-alive", "origin", "proxy-authenticate", "proxy-authorization", "te", "trailers", "transfer-encoding",
		"upgrade", "x-forwarded-for", "x-forwarded-host", "x-forwarded-proto", "via":
		return true
	}
	return false
}

// isToken: an RFC 9110 token, what a header name must be.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isTokenChar(s[i]) {
			return false
		}
	}
	return true
}

func isTokenChar(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

// validHeaderValue: no control character but tab (what Go's HTTP client
// accepts in a field value; it refuses the whole request otherwise).
func validHeaderValue(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < ' ' && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}
