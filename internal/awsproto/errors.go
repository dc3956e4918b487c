package awsproto

import (
	"errors"
	"fmt"
	"net/http"
)

// Error is an error of the ApiGatewayV2 model: the type goes to the
// x-amzn-ErrorType header, the message to the {"message": ...} body.
type Error struct {
	Type    string
	Code    int
	Message string
	// ResourceType is NotFoundException's optional member; omitted when empty.
	ResourceType string
}

func (e *Error) Error() string { return e.Type + ": " + e.Message }

// Status is the HTTP status the error is sent with.
func (e *Error) Status() int { return e.Code }

func newError(typ string, code int, format string, args ...any) *Error {
	msg := format
	if len(args) > 0 {
		msg = fmt.Sprintf(format, args...)
	}
	return &Error{Type: typ, Code: code, Message: msg}
}

// BadRequest is 400 BadRequestException.
func BadRequest(format string, args ...any) *Error {
	return newError("BadRequestException", http.StatusBadRequest, format, args...)
}

// NotFound is 404 NotFoundException.
func NotFound(format string, args ...any) *Error {
	return newError("NotFoundException", http.StatusNotFound, format, args...)
}

// Conflict is 409 ConflictException.
func Conflict(format string, args ...any) *Error {
	return newError("ConflictException", http.StatusConflict, format, args...)
}

// TooLarge is a body over the protocol layer's bound. The model has no
// error for it; BadRequestException keeps the SDKs' typed errors working
// while the status says what happened.
func TooLarge(limit int64) *Error {
	return newError("BadRequestException", http.StatusRequestEntityTooLarge,
		"Request body exceeds the maximum size of %d bytes", limit)
}

// NotImplemented answers the operations Portico does not implement yet.
func NotImplemented(op string) *Error {
	return newError("NotImplemented", http.StatusNotImplemented,
		"Portico does not implement the %s operation yet", op)
}

// Internal wraps an unexpected failure (a store error, a bug). It is the
// only 5xx the control plane sends on purpose.
func Internal(err error) *Error {
	return newError("InternalServerErrorException", http.StatusInternalServerError,
		"Internal server error: %v", err)
}

// AsError turns any error into an *Error, treating unknown ones as internal.
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return Internal(err)
}
