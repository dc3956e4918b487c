package lambdaauth

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/portico-dev/portico/internal/dataplane/httpapi/payload"
	"github.com/portico-dev/portico/internal/dataplane/integration"
)

// The answers a Lambda authorizer of an HTTP API may give (developer guide,
// "Lambda authorizer response format"):
//
//   - with enableSimpleResponses (payload 2.0 only):
//     {"isAuthorized": true|false, "context": {...}};
//   - otherwise an IAM policy:
//     {"principalId": "...", "policyDocument": {"Version": ..., "Statement": [...]}, "context": {...}}.
//
// context is optional. Its values may be any JSON: the docs' own example
// functions return strings, numbers, booleans, an array and an object [V
// for 2.0; the same for 1.0 is I] (REST APIs allow only the first three).
//
// Anything else is invalid and the client gets 500 (the docs'
// troubleshooting section) [V]. Member names are compared exactly, as
// API Gateway's Jackson reader does by default ("IsAuthorized" is not
// "isAuthorized") [I]; isAuthorized must be a JSON boolean [I];
// principalId is required in a policy answer, as REST requires it, and may
// be a string or a number (a number is taken as its text) [I].
//
// Policies: Statement is a list of statements or one statement (IAM's
// grammar); each has Effect "Allow" or "Deny" and Action and Resource, each
// a string or a list of strings, evaluated by integration.Policy (an
// explicit Deny wins; IAM's * and ? wildcards). A statement using
// NotAction, NotResource, Condition, Principal or NotPrincipal is refused
// as invalid rather than half evaluated (Portico evaluates Action and
// Resource only), and so is any other element than Sid, Effect, Action and
// Resource; element names are exact [I]. Version is not read.

// ErrInvalidResponse is wrapped by every error of parseResponse.
var ErrInvalidResponse = errors.New("invalid Lambda authorizer response")

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalidResponse}, args...)...)
}

// response is a function's valid answer, as the cache keeps it: read-only
// once parsed.
type response struct {
	simple  bool
	allowed bool                // simple answers
	policy  *integration.Policy // policy answers
	// identity is what the integration sees; shared by every request the
	// answer serves.
	identity *payload.Authorizer
}

// allows says whether the answer lets the request of this route ARN on.
func (r *response) allows(routeArn string) bool {
	if r.simple {
		return r.allowed
	}
	return r.policy.Allows("execute-api:Invoke", routeArn)
}

// parseResponse parses a function's answer; simple says whether the
// authorizer expects simple responses.
func parseResponse(b []byte, simple bool) (*response, error) {
	members, err := object(b, "the answer")
	if err != nil {
		return nil, err
	}
	ctx, err := parseContext(members["context"])
	if err != nil {
		return nil, err
	}
	resp := &response{simple: simple, identity: &payload.Authorizer{Kind: payload.AuthLambda, LambdaContext: ctx}}
	if simple {
		switch v := string(bytes.TrimSpace(members["isAuthorized"])); v {
		case "true", "false":
			resp.allowed = v == "true"
		case "":
			return nil, invalid("isAuthorized is missing (the authorizer has simple responses enabled)")
		default:
			return nil, invalid("isAuthorized must be true or false, not %.40s", v)
		}
		return resp, nil
	}
	if resp.identity.PrincipalID, err = principalID(members["principalId"]); err != nil {
		return nil, err
	}
	if resp.policy, err = parsePolicy(members["policyDocument"]); err != nil {
		return nil, err
	}
	return resp, nil
}

// object decodes a JSON object into its members; what names it in errors.
func object(b []byte, what string) (map[string]json.RawMessage, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil || m == nil {
		return nil, invalid("%s must be a JSON object", what)
	}
	return m, nil
}

func isNull(raw json.RawMessage) bool {
	v := bytes.TrimSpace(raw)
	return len(v) == 0 || string(v) == "null"
}

// parseContext decodes context: absent or null is none; numbers keep their
// text (json.Number), so that 12345678901234567890 reaches the integration
// as it was written.
func parseContext(raw json.RawMessage) (map[string]any, error) {
	if isNull(raw) {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var ctx map[string]any
	if err := dec.Decode(&ctx); err != nil || ctx == nil {
		return nil, invalid("context must be a JSON object")
	}
	return ctx, nil
}

func principalID(raw json.RawMessage) (string, error) {
	v := bytes.TrimSpace(raw)
	switch {
	case isNull(v):
		return "", invalid("principalId is missing")
	case v[0] == '"':
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return "", invalid("principalId is not a valid string")
		}
		return s, nil
	case v[0] == '-' || v[0] >= '0' && v[0] <= '9':
		return string(v), nil
	}
	return "", invalid("principalId must be a string")
}

// parsePolicy checks a policy document and returns it ready to evaluate.
func parsePolicy(raw json.RawMessage) (*integration.Policy, error) {
	if isNull(raw) {
		return nil, invalid("policyDocument is missing")
	}
	doc, err := object(raw, "policyDocument")
	if err != nil {
		return nil, err
	}
	st := bytes.TrimSpace(doc["Statement"])
	if isNull(st) {
		return nil, invalid("policyDocument has no Statement")
	}
	if st[0] == '{' {
		// One statement alone, as IAM allows.
		st = append(append([]byte{'['}, st...), ']')
	}
	var list []json.RawMessage
	if err := json.Unmarshal(st, &list); err != nil {
		return nil, invalid("policyDocument.Statement must be a statement or a list of statements")
	}
	for i, s := range list {
		if err := checkStatement(s); err != nil {
			return nil, invalid("policyDocument.Statement[%d]: %v", i, err)
		}
	}
	p := &integration.Policy{}
	if err := json.Unmarshal(st, &p.PolicyDocument.Statement); err != nil {
		return nil, invalid("policyDocument.Statement: %v", err)
	}
	return p, nil
}

func checkStatement(raw json.RawMessage) error {
	st, err := object(raw, "a statement")
	if err != nil {
		return errors.New("not an object")
	}
	for name := range st {
		switch name {
		case "Sid", "Effect", "Action", "Resource":
		case "NotAction", "NotResource", "Condition", "Principal", "NotPrincipal":
			return fmt.Errorf("%s is not supported by Portico (only Effect, Action and Resource are evaluated)", name)
		default:
			// Also keeps encoding/json's case-insensitive matching (in
			// parsePolicy) from reading an "effect" beside "Effect".
			return fmt.Errorf("unknown element %q", name)
		}
	}
	switch effect, _ := stringValue(st["Effect"]); effect {
	case "Allow", "Deny":
	default:
		return errors.New(`Effect must be "Allow" or "Deny"`)
	}
	for _, name := range []string{"Action", "Resource"} {
		raw, ok := st[name]
		if !ok {
			continue // a statement without it matches nothing
		}
		if _, ok := stringValue(raw); ok {
			continue
		}
		var list []string
		if err := json.Unmarshal(raw, &list); err != nil {
			return fmt.Errorf("%s must be a string or a list of strings", name)
		}
	}
	return nil
}

func stringValue(raw json.RawMessage) (string, bool) {
	var s string
	if len(raw) == 0 || json.Unmarshal(raw, &s) != nil {
		return "", false
	}
	return s, true
}

// contextString is a context value as $context.authorizer.KEY shows it:
// a string as it is, a number as written, a boolean as true or false, an
// object or an array as its JSON text [I]; null is no value.
func contextString(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, true
	case json.Number:
		return v.String(), true
	case bool:
		return strconv.FormatBool(v), true
	case nil:
		return "", false
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "", false
	}
	return string(b), true
}
