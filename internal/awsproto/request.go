package awsproto

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
)

// Operation is one row of the generated operation table.
type Operation struct {
	Name   string
	Method string
	// Path is the model's URI template, e.g. /v2/apis/{apiId}/routes.
	Path string
	// Status is the success status code (real AWS's where it differs from the model).
	Status int
	// Call binds the request into the operation's input, validates it and
	// runs the service method. A nil result with a nil error means no body.
	Call func(ctx context.Context, r *Request) (any, error)
}

// Unimplemented is the table row of an operation the service does not
// implement: it answers 501 NotImplemented naming the operation, before
// reading the request, so any well-routed call gets that clear answer.
func Unimplemented(name, method, path string, status int) Operation {
	return Operation{Name: name, Method: method, Path: path, Status: status,
		Call: func(context.Context, *Request) (any, error) { return nil, NotImplemented(name) }}
}

// Request is what a generated Call binds from.
type Request struct {
	HTTP   *http.Request
	labels map[string]string
	query  url.Values
	body   []byte
}

// Label returns a URI label, already percent-decoded.
func (r *Request) Label(name string) *string {
	v, ok := r.labels[name]
	if !ok {
		return nil
	}
	return &v
}

// QueryString returns the first value of a query member, or nil when absent.
func (r *Request) QueryString(name string) *string {
	vs, ok := r.query[name]
	if !ok || len(vs) == 0 {
		return nil
	}
	return &vs[0]
}

// QueryList returns every value of a repeated query member.
func (r *Request) QueryList(name string) []string {
	return r.query[name]
}

func (r *Request) QueryInt32(name string) (*int32, error) {
	s := r.QueryString(name)
	if s == nil {
		return nil, nil
	}
	n, err := strconv.ParseInt(*s, 10, 32)
	if err != nil {
		return nil, BadRequest("Invalid value for query parameter %s: %q is not an integer", name, *s)
	}
	v := int32(n)
	return &v, nil
}

func (r *Request) QueryBool(name string) (*bool, error) {
	s := r.QueryString(name)
	if s == nil {
		return nil, nil
	}
	var v bool
	switch *s {
	case "true":
		v = true
	case "false":
		v = false
	default:
		return nil, BadRequest("Invalid value for query parameter %s: %q is not a boolean", name, *s)
	}
	return &v, nil
}

// DecodeBody reads the JSON body into v. An empty body is an empty object:
// botocore sends none for operations whose body members are all unset.
func (r *Request) DecodeBody(v any) error {
	if len(bytes.TrimSpace(r.body)) == 0 {
		return nil
	}
	err := json.Unmarshal(r.body, v)
	// The body is decoded once: let the collector have it while the
	// operation runs (an 8 MiB body would otherwise be held twice).
	r.body = nil
	if err != nil {
		return bodyError(err)
	}
	return nil
}

func bodyError(err error) error {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr):
		if typeErr.Field == "" {
			return BadRequest("Could not parse request body into json: the body must be a JSON object, not %s", typeErr.Value)
		}
		return BadRequest("Could not parse request body into json: the value at '%s' must be of type %s, not %s",
			typeErr.Field, jsonTypeName(typeErr.Type.String()), typeErr.Value)
	case errors.As(err, &syntaxErr):
		return BadRequest("Could not parse request body into json: %s (at offset %d)", syntaxErr.Error(), syntaxErr.Offset)
	}
	return BadRequest("Could not parse request body into json: %s", err.Error())
}

// jsonTypeName turns a Go type into the JSON type a client should send.
func jsonTypeName(goType string) string {
	switch goType {
	case "string", "*string":
		return "string"
	case "bool", "*bool":
		return "boolean"
	case "int32", "int64", "float64", "*int32", "*int64", "*float64":
		return "number"
	}
	if len(goType) > 2 && goType[:2] == "[]" {
		return "array"
	}
	if len(goType) > 3 && goType[:3] == "map" {
		return "object"
	}
	return fmt.Sprintf("object (%s)", goType)
}
