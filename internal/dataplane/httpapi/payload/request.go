package payload

import (
	"fmt"
	"net/http"
	"time"
)

// Version is a payload format version, parsed once per integration.
type Version uint8

const (
	V1 Version = 1 // "1.0", the REST-compatible shape
	V2 Version = 2 // "2.0"
)

// ParseVersion parses an integration's PayloadFormatVersion.
func ParseVersion(s string) (Version, error) {
	switch s {
	case "1.0":
		return V1, nil
	case "2.0":
		return V2, nil
	}
	return 0, fmt.Errorf("payload: unsupported payload format version %q (want 1.0 or 2.0)", s)
}

// String is the version as the API spells it.
func (v Version) String() string {
	switch v {
	case V1:
		return "1.0"
	case V2:
		return "2.0"
	}
	return fmt.Sprintf("Version(%d)", uint8(v))
}

// AppendEvent appends the request event of version v to dst.
func (v Version) AppendEvent(dst []byte, r *Request) []byte {
	if v == V1 {
		return AppendEventV1(dst, r)
	}
	return AppendEventV2(dst, r)
}

// ParseResult parses a function result of version v.
func (v Version) ParseResult(payload []byte) (*Response, error) {
	if v == V1 {
		return ParseResultV1(payload)
	}
	return ParseResultV2(payload)
}

// Request is what the engine knows of one request, already routed. The
// package copies nothing it is given and keeps nothing after the call.
type Request struct {
	Method string // "GET"

	// RawPath is the path as the client sent it (still escaped), the stage
	// segment of a named stage included: "/dev/pets/a%20b" (docs/aws-behaviours.md#http-stages).
	RawPath string
	// Path is RawPath decoded: "/dev/pets/a b".
	Path string
	// BasePath is the API mapping's base path when the request came through
	// a custom domain, as it starts RawPath ("/orders"), else "". AWS leaves
	// it out of the 2.0 rawPath and requestContext.http.path and keeps it in
	// the 1.0 path [V "Payload format differences"; http.path is I].
	BasePath string
	// RawQuery is the query string as sent, without "?"; "" when none.
	RawQuery string

	// Header holds every header the event shows, in net/http's canonical
	// form: the client's own, Host among them, and those API Gateway adds
	// (X-Amzn-Trace-Id, X-Forwarded-For/-Port/-Proto); adding them is the
	// engine's part.
	Header http.Header
	Body   []byte

	SourceIP  string
	Protocol  string // "HTTP/1.1"
	UserAgent string // the User-Agent header, "" when none

	// RouteKey is the matched route's key: "GET /pets/{id}" or "$default".
	// 1.0's resource, resourcePath and resourceId are derived from it.
	RouteKey       string
	PathParameters map[string]string
	StageVariables map[string]string
	Stage          string // "$default" or the stage's name

	AccountID  string
	APIID      string
	DomainName string // the Host the API was called on
	RequestID  string
	Time       time.Time

	// Authorizer is what the route's authorizer established; nil when the
	// route has none (issue 10 fills it).
	Authorizer *Authorizer
}

// Authorizer is the identity an authorizer established. Exactly one of JWT,
// Lambda and IAM is meaningful, chosen by Kind.
type Authorizer struct {
	Kind AuthorizerKind

	// JWT authorizer: the token's claims (values already strings) and, on
	// a route with scopes, the token's whole scope list; nil Scopes is sent
	// as null (docs/aws-behaviours.md#http-authorizers).
	JWTClaims map[string]string
	JWTScopes []string

	// Lambda authorizer: the context the function returned (any JSON
	// values), and the principalId of an IAM-policy answer ("" for a simple
	// answer). 1.0 sends both flat in requestContext.authorizer, as REST
	// does [I]; 2.0 sends the context as authorizer.lambda [O].
	LambdaContext map[string]any
	PrincipalID   string

	// IAM (AWS_IAM route authorization): the signer.
	IAM *IAMIdentity
}

// AuthorizerKind says which authorizer ran.
type AuthorizerKind uint8

const (
	AuthJWT AuthorizerKind = iota + 1
	AuthLambda
	AuthIAM
)

// IAMIdentity is the caller of a SigV4-signed request, as 2.0 sends it in
// requestContext.authorizer.iam [O aws-lambda-go apigw-v2-request-iam.json].
type IAMIdentity struct {
	AccessKey       string
	AccountID       string
	CallerID        string
	PrincipalOrgID  string
	UserARN         string
	UserID          string
	CognitoIdentity *CognitoIdentity // nil: sent as null [I]
}

// CognitoIdentity is the Cognito identity behind IAM credentials.
type CognitoIdentity struct {
	AMR            []string
	IdentityID     string
	IdentityPoolID string
}

// Response is a parsed function result, ready to write.
type Response struct {
	StatusCode int
	Header     http.Header
	Body       []byte
}
