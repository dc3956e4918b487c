// Package gateway holds what every part of the data plane shares: the key
// of a stage, the errors API Gateway itself answers with and their one
// writer, and request ids.
package gateway

import (
	"encoding/base64"
	"encoding/binary"
	mrand "math/rand/v2"
	"net/http"
	"strconv"

	"github.com/portico-dev/portico/internal/store"
)

// StageKey names a stage of an API in an account and region.
type StageKey struct {
	Scope store.Scope
	APIID string
	Stage string
}

// Error is an answer API Gateway gives itself, not the integration: a
// status and a {"message":"..."} body.
type Error struct {
	Status  int
	Message string
	// Type, when set, is sent as x-amzn-ErrorType (the WebSocket upgrade
	// and @connections refusals carry it; HTTP APIs' answers do not).
	Type string
}

func (e *Error) Error() string { return strconv.Itoa(e.Status) + " " + e.Message }

// The errors HTTP APIs answer with (docs/aws-behaviours.md#http-errors).
var (
	ErrNotFound           = &Error{Status: http.StatusNotFound, Message: "Not Found"}
	ErrForbidden          = &Error{Status: http.StatusForbidden, Message: "Forbidden"}
	ErrUnauthorized       = &Error{Status: http.StatusUnauthorized, Message: "Unauthorized"}
	ErrInternal           = &Error{Status: http.StatusInternalServerError, Message: "Internal Server Error"}
	ErrServiceUnavailable = &Error{Status: http.StatusServiceUnavailable, Message: "Service Unavailable"}
	ErrTooLarge           = &Error{Status: http.StatusRequestEntityTooLarge, Message: "Request Entity Too Large"}
	ErrBadRequest         = &Error{Status: http.StatusBadRequest, Message: "Bad Request"}
	ErrTooManyRequests    = &Error{Status: http.StatusTooManyRequests, Message: "Too Many Requests"}
)

// Write is the one writer of the data plane's own answers: the status and
// {"message":"..."} with no spaces, as HTTP APIs send it.
func Write(w http.ResponseWriter, e *Error) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	if e.Type != "" {
		h["x-amzn-ErrorType"] = []string{e.Type}
	}
	w.WriteHeader(e.Status)
	w.Write([]byte(`{"message":` + strconv.Quote(e.Message) + `}`))
}

// RequestID is a request or message id in AWS's form: 16 characters of
// URL-safe base64 with one "=" (11 random bytes), like "VNRUSeldSwMCIRQ=".
// Ids only label requests, so they come from a fast generator instead of
// a system call per request.
func RequestID() string {
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:8], mrand.Uint64())
	binary.LittleEndian.PutUint64(b[8:], mrand.Uint64())
	return base64.URLEncoding.EncodeToString(b[:11])
}
