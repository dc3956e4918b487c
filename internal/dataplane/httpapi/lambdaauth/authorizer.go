// Package lambdaauth runs the Lambda REQUEST authorizers of HTTP APIs
// (spec B.8; developer guide, "Control access to HTTP APIs with AWS Lambda
// authorizers"). It is a pure building block of the HTTP API engine: an
// Authorizer is compiled once per stage from the authorizer's
// configuration, and the engine asks it, per request of a route that uses
// it, whether the request may go on to its integration.
//
// Per request:
//
//  1. The identity sources are read (identity.go). One missing or empty:
//     401 {"message":"Unauthorized"}, the function is not called [V].
//  2. With a TTL, the cache is asked (cache.go): an answer cached under the
//     same identity values decides without a call [V].
//  3. Otherwise the function gets the authorizer event of the authorizer's
//     payload format version (payload.AppendAuthorizerEventV1/V2), with
//     routeArn (2.0) or methodArn (1.0)
//     arn:{partition}:execute-api:{region}:{account}:{apiId}/{stage}/{METHOD}/{path} [V],
//     and 10 seconds to answer [V spec B.8].
//  4. The answer (response.go) allows the request, or denies it: 403
//     {"message":"Forbidden"} [I, spec B.10]. A function that fails, runs
//     out of time, cannot be called or answers something invalid: 500
//     {"message":"Internal Server Error"} [V], except a function failing
//     with the error message "Unauthorized", which is 401 as on REST APIs
//     (and Portico's WebSocket authorizers) [I for HTTP APIs].
//
// The result fills payload.Request.Authorizer (Kind AuthLambda, the
// context, the principalId of a policy answer) for the integration event,
// and gives $context.authorizer.* values (Result.Value).
//
// Choices without evidence ([I]): the path in the ARNs is the path routes
// are matched on, as the client sent it (escaped), without the stage
// segment or a custom domain's base path, "/" giving ".../GET/"; on the
// $default stage the stage part is "$default".
package lambdaauth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/portico-dev/portico/internal/apigw"
	"github.com/portico-dev/portico/internal/dataplane/gateway"
	"github.com/portico-dev/portico/internal/dataplane/httpapi/payload"
	"github.com/portico-dev/portico/internal/dataplane/integration"
	"github.com/portico-dev/portico/internal/metrics"
)

// Invoker calls a Lambda function synchronously: *integration.Lambda. A
// function's own failure is an *integration.FunctionError.
type Invoker interface {
	Invoke(ctx context.Context, uri string, payload []byte) ([]byte, error)
}

// DefaultTimeout is how long API Gateway waits for a Lambda authorizer:
// 10 seconds [V spec B.8].
const DefaultTimeout = 10 * time.Second

// MaxTTL bounds authorizerResultTtlInSeconds: "The maximum value is 3600,
// or 1 hour" (the service model's documentation) [D].
const MaxTTL = 3600 * time.Second

// Config is what an authorizer needs besides its own configuration.
type Config struct {
	Invoker Invoker
	// Stage is the stage the authorizer serves; its scope, API and name
	// make the route ARNs.
	Stage gateway.StageKey

	// The rest may be left zero.
	Now        func() time.Time // the clock of the cache; time.Now
	Timeout    time.Duration    // DefaultTimeout
	MaxEntries int              // DefaultMaxEntries
	MaxBytes   int              // DefaultMaxBytes
	Metrics    *metrics.Metrics // counts cache hits and misses; nil: none
}

// Authorizer is one compiled REQUEST authorizer of one stage. It is safe
// for concurrent use; its cache is shared by every route using it.
type Authorizer struct {
	id        string
	uri       string
	version   payload.Version
	simple    bool
	sources   []source
	arnPrefix string // arn:...:{apiId}/{stage}/
	invoker   Invoker
	timeout   time.Duration
	now       func() time.Time
	cache     *cache // nil: no caching (TTL 0)
	metrics   *metrics.Metrics
	apiID     string
}

// Compile builds the authorizer a of an HTTP API for a stage. Everything
// it checks was checked when a was saved: an error means a stored document
// is damaged.
func Compile(a *apigw.Authorizer, cfg Config) (*Authorizer, error) {
	id := deref(a.AuthorizerId)
	if t := deref(a.AuthorizerType); t != "REQUEST" {
		return nil, fmt.Errorf("lambdaauth: authorizer %s is of type %q, not REQUEST", id, t)
	}
	if cfg.Invoker == nil {
		return nil, errors.New("lambdaauth: no Invoker")
	}
	au := &Authorizer{
		id: id, uri: deref(a.AuthorizerUri), simple: deref(a.EnableSimpleResponses),
		invoker: cfg.Invoker, timeout: cfg.Timeout, now: cfg.Now, metrics: cfg.Metrics, apiID: cfg.Stage.APIID,
	}
	if au.uri == "" {
		return nil, fmt.Errorf("lambdaauth: authorizer %s has no authorizerUri", id)
	}
	var err error
	if au.version, err = payload.ParseVersion(deref(a.AuthorizerPayloadFormatVersion)); err != nil {
		return nil, fmt.Errorf("lambdaauth: authorizer %s: %w", id, err)
	}
	if au.simple && au.version != payload.V2 {
		return nil, fmt.Errorf("lambdaauth: authorizer %s: simple responses need payload format 2.0", id)
	}
	for _, expr := range a.IdentitySource {
		s, err := parseSource(expr)
		if err != nil {
			return nil, fmt.Errorf("authorizer %s: %w", id, err)
		}
		au.sources = append(au.sources, s)
	}
	ttl := time.Duration(deref(a.AuthorizerResultTtlInSeconds)) * time.Second
	if ttl < 0 || ttl > MaxTTL {
		return nil, fmt.Errorf("lambdaauth: authorizer %s: authorizerResultTtlInSeconds %d is not between 0 and 3600", id, ttl/time.Second)
	}
	if au.timeout <= 0 {
		au.timeout = DefaultTimeout
	}
	if au.now == nil {
		au.now = time.Now
	}
	// Caching needs an identity source (the control plane refuses a TTL
	// without one): without any there is no key, so nothing is cached.
	if ttl > 0 && len(au.sources) > 0 {
		maxEntries, maxBytes := cfg.MaxEntries, cfg.MaxBytes
		if maxEntries <= 0 {
			maxEntries = DefaultMaxEntries
		}
		if maxBytes <= 0 {
			maxBytes = DefaultMaxBytes
		}
		au.cache = newCache(ttl, maxEntries, maxBytes)
	}
	k := cfg.Stage
	au.arnPrefix = "arn:" + partition(k.Scope.Region) + ":execute-api:" + k.Scope.Region + ":" + k.Scope.Account + ":" +
		k.APIID + "/" + k.Stage + "/"
	return au, nil
}

// Request is one request to authorize.
type Request struct {
	// Event is the request as the route's integration event shows it (its
	// headers, API Gateway's own among them, its query, stage variables and
	// context); identity sources are read from it too. Its Authorizer is
	// not read.
	Event *payload.Request
	// Path is the path routes are matched on, escaped, without the stage
	// segment or a custom domain's base path ("/pets/1"); the route ARN ends
	// with it.
	Path string
	// Context resolves $context.NAME identity sources; nil: none resolves.
	Context func(name string) (string, bool)
}

// Result is the outcome of Authorize.
type Result struct {
	// Identity is what the function established, for the integration event
	// (payload.Request.Authorizer) and $context.authorizer.*. It is set
	// whenever the function gave a valid answer, a denial included; it is
	// shared by every request the answer serves and must not be changed.
	Identity *payload.Authorizer
	// Refusal is the gateway's answer when the request may not go on: 401,
	// 403 or 500 (gateway.ErrUnauthorized, ErrForbidden, ErrInternal). nil:
	// run the integration.
	Refusal *gateway.Error
	// Err says why the request was refused, for the log and
	// $context.authorizer.error; nil when it is allowed.
	Err error
	// Cached says the answer came from the cache: the function was not
	// called.
	Cached bool
}

// Why a request was refused; Result.Err wraps or is one of these.
var (
	// ErrIdentityMissing: an identity source is missing or empty (401).
	ErrIdentityMissing = errors.New("an identity source is missing or empty")
	// ErrDenied: the answer does not allow the request (403).
	ErrDenied = errors.New("the authorizer denied the request")
	// ErrFunctionUnauthorized: the function failed with "Unauthorized" (401).
	ErrFunctionUnauthorized = errors.New(`the authorizer function failed with "Unauthorized"`)
	// ErrFailed: the function could not be called, failed, ran out of time
	// or answered something invalid (500).
	ErrFailed = errors.New("the authorizer failed")
)

// maxSources bounds the identity values kept on the stack; more are fine,
// they just cost an allocation.
const maxSources = 8

// Authorize decides on one request.
func (a *Authorizer) Authorize(ctx context.Context, req *Request) Result {
	var valuesBuf [maxSources]string
	values := valuesBuf[:0]
	for i := range a.sources {
		s := &a.sources[i]
		v := s.value(req)
		if v == "" {
			return Result{Refusal: gateway.ErrUnauthorized, Err: fmt.Errorf("%w: %s", ErrIdentityMissing, s.expr)}
		}
		values = append(values, v)
	}

	var keyBuf [256]byte
	var key []byte
	if a.cache != nil {
		key = appendKey(keyBuf[:0], values)
		if resp := a.cache.get(key, a.now()); resp != nil {
			a.metrics.AuthorizerCache(a.apiID, a.id, true)
			res := a.decide(resp, req)
			res.Cached = true
			return res
		}
		a.metrics.AuthorizerCache(a.apiID, a.id, false)
	}

	resp, size, err := a.call(ctx, req, values)
	if err != nil {
		if errors.Is(err, ErrFunctionUnauthorized) {
			return Result{Refusal: gateway.ErrUnauthorized, Err: err}
		}
		return Result{Refusal: gateway.ErrInternal, Err: err}
	}
	if a.cache != nil {
		a.cache.put(key, resp, size, a.now())
	}
	return a.decide(resp, req)
}

// decide applies an answer to the request's route.
func (a *Authorizer) decide(resp *response, req *Request) Result {
	allowed := resp.simple && resp.allowed
	if !resp.simple {
		var buf [256]byte
		allowed = resp.allows(string(a.appendARN(buf[:0], req)))
	}
	if !allowed {
		return Result{Identity: resp.identity, Refusal: gateway.ErrForbidden, Err: ErrDenied}
	}
	return Result{Identity: resp.identity}
}

// appendARN appends the request's route ARN (2.0 routeArn, 1.0 methodArn).
func (a *Authorizer) appendARN(dst []byte, req *Request) []byte {
	dst = append(dst, a.arnPrefix...)
	dst = append(dst, req.Event.Method...)
	if req.Path == "" || req.Path[0] != '/' {
		dst = append(dst, '/')
	}
	return append(dst, req.Path...)
}

// eventBuffers keep authorizer event buffers between calls.
var eventBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

// call invokes the function and parses its answer, whose size it returns
// too.
func (a *Authorizer) call(ctx context.Context, req *Request, values []string) (*response, int, error) {
	buf := eventBuffers.Get().(*[]byte)
	defer eventBuffers.Put(buf)
	arn := string(a.appendARN(nil, req))
	if a.version == payload.V2 {
		*buf = payload.AppendAuthorizerEventV2((*buf)[:0], req.Event, arn, values)
	} else {
		*buf = payload.AppendAuthorizerEventV1((*buf)[:0], req.Event, arn, values)
	}
	if len(*buf) > payload.MaxResultSize {
		// Lambda refuses a synchronous payload over 6 MB.
		return nil, 0, fmt.Errorf("%w: the authorizer event exceeds Lambda's 6 MB", ErrFailed)
	}
	ctx, cancel := context.WithTimeout(ctx, a.timeout)
	defer cancel()
	out, err := a.invoker.Invoke(ctx, a.uri, *buf)
	if err != nil {
		var fe *integration.FunctionError
		if errors.As(err, &fe) && functionErrorMessage(fe.Payload) == "Unauthorized" {
			return nil, 0, ErrFunctionUnauthorized
		}
		if ctx.Err() != nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return nil, 0, fmt.Errorf("%w: no answer within %v: %w", ErrFailed, a.timeout, err)
		}
		return nil, 0, fmt.Errorf("%w: %w", ErrFailed, err)
	}
	if len(out) > payload.MaxResultSize {
		return nil, 0, fmt.Errorf("%w: the answer exceeds Lambda's 6 MB", ErrFailed)
	}
	resp, err := parseResponse(out, a.simple)
	if err != nil {
		return nil, 0, fmt.Errorf("%w: %w", ErrFailed, err)
	}
	return resp, len(out), nil
}

// functionErrorMessage is the errorMessage of a function error's payload.
func functionErrorMessage(p []byte) string {
	var e struct {
		ErrorMessage string `json:"errorMessage"`
	}
	json.Unmarshal(p, &e)
	return e.ErrorMessage
}

// appendKey appends the cache key of identity values: each value's length,
// ":", and the value, so that no two lists of values share a key (joining
// with a separator would make ["a,b"] and ["a", "b"] one).
func appendKey(dst []byte, values []string) []byte {
	for _, v := range values {
		dst = strconv.AppendInt(dst, int64(len(v)), 10)
		dst = append(dst, ':')
		dst = append(dst, v...)
	}
	return dst
}

// Reset empties the cache (ResetAuthorizersCache).
func (a *Authorizer) Reset() {
	if a.cache != nil {
		a.cache.reset()
	}
}

// ID is the authorizer's id.
func (a *Authorizer) ID() string { return a.id }

// Value is $context.authorizer.NAME of a result: "principalId" (a policy
// answer's), "error" (why the request was refused), or a key of the
// context the function returned, as text (contextString).
func (r *Result) Value(name string) (string, bool) {
	if name == "error" && r.Err != nil {
		return r.Err.Error(), true
	}
	id := r.Identity
	if id == nil {
		return "", false
	}
	if name == "principalId" && id.PrincipalID != "" {
		return id.PrincipalID, true
	}
	return contextString(id.LambdaContext[name])
}

// partition is the ARN partition of a region (as apigw's domainnames.go
// has it).
func partition(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	}
	return "aws"
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
