package lambda

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
)

// Invocation types [D: Invoke API reference].
const (
	RequestResponse = "RequestResponse"
	Event           = "Event"
	DryRun          = "DryRun"
)

// Payload limits [D: Invoke API reference]: 6 MB synchronous, 1 MB
// asynchronous.
const (
	maxSyncPayload  = 6 << 20
	maxAsyncPayload = 1 << 20
)

// maxClientContext bounds X-Amz-Client-Context, base64 [D].
const maxClientContext = 3583

// InvokeOptions are the Invoke API's request headers and parameters.
type InvokeOptions struct {
	// Type is RequestResponse (the default), Event or DryRun.
	Type string
	// LogTail asks for the last 4 KB of the invocation's log
	// (X-Amz-Log-Type: Tail); RequestResponse only.
	LogTail bool
	// ClientContext is X-Amz-Client-Context: base64 of a JSON object,
	// passed to the function decoded (Lambda-Runtime-Client-Context).
	ClientContext string
	// Qualifier is the Qualifier parameter (a version or alias).
	Qualifier string
	// TraceID is an X-Ray trace header (X-Amzn-Trace-Id) to pass on;
	// empty: a new one.
	TraceID string
	// CognitoIdentity, JSON, goes to Lambda-Runtime-Cognito-Identity (the
	// Invoke API has no way to set it; in-process callers may).
	CognitoIdentity string
}

// InvokeResult is the Invoke API's answer.
type InvokeResult struct {
	// Status: 200 RequestResponse, 202 Event, 204 DryRun.
	Status int
	// Payload is the function's answer, or its error
	// ({"errorType","errorMessage",...}) when FunctionError is set.
	Payload []byte
	// FunctionError is "Unhandled" when the function failed (what
	// Lambda sends in X-Amz-Function-Error for every kind of failure).
	FunctionError string
	// LogTail is the base64 last 4 KB of the log, when asked for.
	LogTail string
	// ExecutedVersion is $LATEST for RequestResponse.
	ExecutedVersion string
	// RequestID is the invocation's request id (x-amzn-RequestId).
	RequestID string
}

// Invoke calls a function as the Invoke API does. nameOrARN is any of
// the API's FunctionName forms (name, name:qualifier, function ARN,
// partial ARN) or an API Gateway integration URI. A function's own
// failure is not an error: the result carries FunctionError. Errors are
// *Error (ResourceNotFoundException, TooManyRequestsException, ...) or
// the context's.
func (m *Manager) Invoke(ctx context.Context, nameOrARN string, payload []byte, opts InvokeOptions) (InvokeResult, error) {
	if m.closed.Load() {
		return InvokeResult{}, errShuttingDown
	}
	typ := opts.Type
	if typ == "" {
		typ = RequestResponse
	}
	switch typ {
	case RequestResponse, DryRun, Event:
	default:
		return InvokeResult{}, validation("invocationType", typ,
			"Member must satisfy enum value set: [Event, RequestResponse, DryRun]")
	}
	f, ref, err := m.resolve(nameOrARN, opts.Qualifier)
	if err != nil {
		return InvokeResult{}, err
	}
	limit := maxSyncPayload
	if typ == Event {
		limit = maxAsyncPayload
	}
	if len(payload) > limit {
		return InvokeResult{}, tooLarge(limit)
	}
	// The CLI and the SDKs send no body when there is no payload; the
	// function then gets {} [O].
	if len(bytes.TrimSpace(payload)) == 0 {
		payload = []byte("{}")
	} else if !json.Valid(payload) {
		var v json.RawMessage
		return InvokeResult{}, invalidContent(json.Unmarshal(payload, &v))
	}
	clientContext := ""
	if opts.ClientContext != "" {
		if len(opts.ClientContext) > maxClientContext {
			return InvokeResult{}, validation("clientContext", opts.ClientContext,
				"Member must have length less than or equal to 3583")
		}
		b, err := base64.StdEncoding.DecodeString(opts.ClientContext)
		if err != nil || !json.Valid(b) {
			return InvokeResult{}, userError(http.StatusBadRequest, "InvalidRequestContentException",
				"Client context must be a valid Base64-encoded JSON object.")
		}
		clientContext = string(b)
	}
	if typ == DryRun {
		return InvokeResult{Status: http.StatusNoContent, RequestID: newRequestID()}, nil
	}
	inv := newInvocation(payload, m.arn(ref), opts.TraceID, clientContext, opts.CognitoIdentity)
	if typ == Event {
		select {
		case m.events <- struct{}{}:
		default:
			return InvokeResult{}, throttled()
		}
		go func() {
			defer func() { <-m.events }()
			// An Event invocation is answered at once and runs when a
			// process is free; Lambda would retry a failed one twice,
			// Portico does not [I] (a local run should fail once, loudly,
			// in the log).
			f.run(context.Background(), inv, false)
		}()
		return InvokeResult{Status: http.StatusAccepted, RequestID: inv.id}, nil
	}
	o, err := f.run(ctx, inv, true)
	if err != nil {
		return InvokeResult{}, err
	}
	res := InvokeResult{Status: http.StatusOK, Payload: o.payload, ExecutedVersion: latest, RequestID: inv.id}
	if o.functionError {
		res.FunctionError = "Unhandled"
	}
	if opts.LogTail {
		res.LogTail = base64.StdEncoding.EncodeToString(o.tail)
	}
	return res, nil
}

// InvokeLocal is Invoke for the data plane's integrations and authorizers
// (integration.LocalFunctions): a synchronous call, the function error
// kind apart.
func (m *Manager) InvokeLocal(ctx context.Context, nameOrARN string, payload []byte) ([]byte, string, error) {
	res, err := m.Invoke(ctx, nameOrARN, payload, InvokeOptions{})
	if err != nil {
		return nil, "", err
	}
	return res.Payload, res.FunctionError, nil
}
