package lambda

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// Error is an error of the Lambda Invoke API, as Invoke returns it and as
// InvokeHandler writes it. It is not awsproto.Error because Lambda's error
// bodies carry more than a message: every one says who is to blame
// ("Type": "User" or "Service") and TooManyRequestsException says why
// ("Reason"); the SDKs read both into the typed error.
type Error struct {
	Status int
	// Code goes to x-amzn-ErrorType: ResourceNotFoundException, ...
	Code    string
	Message string
	// Type is "User" or "Service".
	Type string
	// Reason is TooManyRequestsException's reason.
	Reason string
	// RetryAfter, in seconds, goes to Retry-After when set.
	RetryAfter int
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// errorBody is Lambda's error JSON, members in Lambda's order, "message"
// in lower case: {"Reason":"ReservedFunctionConcurrentInvocationLimit
// Exceeded","Type":"User","message":"Rate Exceeded."} and {"Type":"User",
// "message":"Function not found: arn:..."} [O: real answers quoted in
// public code and issues]. The SDKs read either case.
type errorBody struct {
	Reason  string `json:"Reason,omitempty"`
	Type    string `json:"Type,omitempty"`
	Message string `json:"message"`
}

// writeError is the one place the Invoke API's errors are encoded.
func writeError(w http.ResponseWriter, err error, requestID string) {
	var e *Error
	if !errors.As(err, &e) {
		e = serviceError(err)
	}
	b, _ := json.Marshal(errorBody{Reason: e.Reason, Type: e.Type, Message: e.Message})
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h["x-amzn-ErrorType"] = []string{e.Code}
	h["x-amzn-RequestId"] = []string{requestID}
	if e.RetryAfter > 0 {
		h.Set("Retry-After", strconv.Itoa(e.RetryAfter))
	}
	w.WriteHeader(e.Status)
	w.Write(b)
}

func userError(status int, code, format string, args ...any) *Error {
	return &Error{Status: status, Code: code, Type: "User", Message: fmt.Sprintf(format, args...)}
}

// notFound is ResourceNotFoundException for a function, named by the ARN
// Lambda would give it [O: "Function not found: arn:aws:lambda:us-east-1:
// 123456789012:function:NAME"].
func notFound(arn string) *Error {
	return userError(http.StatusNotFound, "ResourceNotFoundException", "Function not found: %s", arn)
}

// tooLarge is RequestTooLargeException (413) for a payload over the
// invocation type's limit: 6 MB synchronous, 1 MB asynchronous [D: Invoke
// API reference]. The message is AWS's [O].
func tooLarge(limit int) *Error {
	return userError(http.StatusRequestEntityTooLarge, "RequestTooLargeException",
		"Request must be smaller than %d bytes for the InvokeFunction operation", limit)
}

// invalidContent is InvalidRequestContentException (400): the payload is
// not JSON. AWS's message continues with its JSON parser's words; ours
// with Go's [I].
func invalidContent(err error) *Error {
	return userError(http.StatusBadRequest, "InvalidRequestContentException",
		"Could not parse request body into json: Could not parse payload into json: %v", err)
}

// invalidParameter is InvalidParameterValueException (400).
func invalidParameter(format string, args ...any) *Error {
	return userError(http.StatusBadRequest, "InvalidParameterValueException", format, args...)
}

// validation is the answer to a member that breaks the model's
// constraints (AWS's front end says "1 validation error detected: ...").
func validation(member, value, rule string) *Error {
	if len(value) > 256 {
		value = strings.ToValidUTF8(value[:256], "") + "..."
	}
	return userError(http.StatusBadRequest, "ValidationException",
		"1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: %s", value, member, rule)
}

// throttled is TooManyRequestsException (429): the function runs
// MaxConcurrency processes and its queue is full. The reason is the one
// Lambda gives for a function's reserved concurrency, which is what
// MaxConcurrency is [D: Invoke API reference]; "Rate Exceeded." is AWS's
// message [O]. Retry-After is ours [I].
func throttled() *Error {
	e := userError(http.StatusTooManyRequests, "TooManyRequestsException", "Rate Exceeded.")
	e.Reason = "ReservedFunctionConcurrentInvocationLimitExceeded"
	e.RetryAfter = 1
	return e
}

// errShuttingDown answers invocations that arrive or wait while the
// manager closes [I].
var errShuttingDown = &Error{Status: http.StatusInternalServerError, Code: "ServiceException", Type: "Service",
	Message: "Portico is shutting down"}

func serviceError(err error) *Error {
	return &Error{Status: http.StatusInternalServerError, Code: "ServiceException", Type: "Service",
		Message: err.Error()}
}
