package payload

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
)

// MaxResultSize is the most a synchronous Lambda invocation may answer:
// "6 MB", 6291556 bytes, the number in Lambda's own error message [V Lambda
// quotas]. A longer result is an error, never truncated.
const MaxResultSize = 6291556

// ErrInvalidResult is wrapped by every error of ParseResultV1 and
// ParseResultV2: the function answered something API Gateway cannot use,
// and the client gets 500 {"message":"Internal Server Error"} (docs/aws-behaviours.md#lambda-proxy).
// The message says what was wrong, for the log and
// $context.integrationErrorMessage; its wording is Portico's [I].
var ErrInvalidResult = errors.New("invalid Lambda result")

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalidResult}, args...)...)
}

// defaultContentType is what a structured answer without a Content-Type
// header is sent with: HTTP APIs answer text/plain [R quarkus #15909,
// aws-lambda-go-api-proxy #116, powertools-lambda-python #2464, all 2.0];
// the same for 1.0 [I].
const defaultContentType = "text/plain"

// result holds the raw members of a result object that the parsers read.
type result struct {
	statusCode, headers, multiValueHeaders, cookies, body, isBase64Encoded []byte
}

// ParseResultV2 parses a payload 2.0 result (docs/aws-behaviours.md#lambda-proxy).
func ParseResultV2(payload []byte) (*Response, error) {
	p, err := validResult(payload)
	if err != nil {
		return nil, err
	}
	if p[0] != '{' {
		// Any JSON but an object: a 200 of application/json whose body is
		// the JSON text; a string's body is the string itself [V doc table].
		if p[0] == '"' {
			return inferred(appendUnquoted(nil, p)), nil
		}
		return inferred(bytes.Clone(p)), nil
	}
	m := members(p)
	if m.statusCode == nil {
		return inferred(bytes.Clone(p)), nil // an object without statusCode: its text [V]
	}
	resp, err := structured(&m)
	if err != nil {
		return nil, err
	}
	// multiValueHeaders is not part of 2.0 and is ignored [R powertools
	// #2464: a Content-Type sent only there did not reach the client].
	if err := addHeaders(resp.Header, m.headers); err != nil {
		return nil, err
	}
	if m.cookies != nil && !isNull(m.cookies) {
		if m.cookies[0] != '[' {
			return nil, invalid("cookies must be an array of strings")
		}
		// Each cookie is one Set-Cookie header [V].
		err := eachElement(m.cookies, func(v []byte) error {
			c, null, err := asString(v)
			if err != nil {
				return invalid("cookies must be an array of strings")
			}
			if null {
				return nil
			}
			if !validHeaderValue(c) {
				return invalid("cookie %q is not a valid header value", c)
			}
			resp.Header.Add("Set-Cookie", c)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return finish(resp), nil
}

// ParseResultV1 parses a payload 1.0 result: an object with statusCode
// (required), headers, multiValueHeaders, body and isBase64Encoded [V].
func ParseResultV1(payload []byte) (*Response, error) {
	p, err := validResult(payload)
	if err != nil {
		return nil, err
	}
	if p[0] != '{' {
		return nil, invalid("a 1.0 result must be a JSON object with a statusCode")
	}
	m := members(p)
	if m.statusCode == nil {
		return nil, invalid("the result has no statusCode")
	}
	resp, err := structured(&m)
	if err != nil {
		return nil, err
	}
	// headers and multiValueHeaders merge into one list per name, a
	// name-value pair given in both only once [V REST "Lambda proxy
	// integration output format"]: multiValueHeaders' values first.
	if err := addMultiHeaders(resp.Header, m.multiValueHeaders); err != nil {
		return nil, err
	}
	single := http.Header{}
	if err := addHeaders(single, m.headers); err != nil {
		return nil, err
	}
	for name, vals := range single {
		for _, v := range vals {
			if !contains(resp.Header[name], v) {
				resp.Header[name] = append(resp.Header[name], v)
			}
		}
	}
	return finish(resp), nil
}

// validResult bounds and validates a payload and returns it without the
// whitespace around it.
func validResult(payload []byte) ([]byte, error) {
	if len(payload) > MaxResultSize {
		return nil, invalid("the result is %d bytes, over the %d-byte limit", len(payload), MaxResultSize)
	}
	p := bytes.TrimSpace(payload)
	if len(p) == 0 || !json.Valid(p) {
		return nil, invalid("the result is not valid JSON")
	}
	return p, nil
}

// inferred is the 200 of a 2.0 result without statusCode.
func inferred(body []byte) *Response {
	return &Response{
		StatusCode: http.StatusOK,
		Header:     http.Header{"Content-Type": {"application/json"}},
		Body:       body,
	}
}

// members picks the members the parsers read out of a valid object; for a
// name given twice the last one counts (as Jackson) [I].
func members(obj []byte) result {
	var m result
	eachMember(obj, func(k, v []byte) error {
		switch {
		case keyIs(k, "statusCode"):
			m.statusCode = v
		case keyIs(k, "headers"):
			m.headers = v
		case keyIs(k, "multiValueHeaders"):
			m.multiValueHeaders = v
		case keyIs(k, "cookies"):
			m.cookies = v
		case keyIs(k, "body"):
			m.body = v
		case keyIs(k, "isBase64Encoded"):
			m.isBase64Encoded = v
		}
		return nil
	})
	return m
}

// structured reads statusCode, body and isBase64Encoded, the members both
// versions share.
func structured(m *result) (*Response, error) {
	code, err := statusCode(m.statusCode)
	if err != nil {
		return nil, err
	}
	var body []byte
	switch {
	case m.body == nil || isNull(m.body):
	case m.body[0] == '"':
		body = appendUnquoted(nil, m.body)
	case m.body[0] == '{' || m.body[0] == '[':
		return nil, invalid("body must be a string")
	default: // a number or a boolean: its text
		body = bytes.Clone(m.body)
	}
	b64 := false
	if m.isBase64Encoded != nil {
		if b64, err = asBool(m.isBase64Encoded); err != nil {
			return nil, invalid("isBase64Encoded must be a boolean")
		}
	}
	resp := &Response{StatusCode: code, Header: http.Header{}}
	if b64 {
		// Decoded whatever the content type (HTTP APIs have no binary media
		// types) [V, R ministack #766]; padding may be left out [I].
		if resp.Body, err = decodeBase64(body); err != nil {
			return nil, invalid("isBase64Encoded is true but the body is not base64")
		}
	} else {
		resp.Body = body
	}
	return resp, nil
}

func finish(resp *Response) *Response {
	if len(resp.Header["Content-Type"]) == 0 {
		resp.Header.Set("Content-Type", defaultContentType)
	}
	return resp
}

// statusCode reads a status: an integer, or a string or a float holding
// one ("200", 200.0), between 100 and 599 [I].
func statusCode(v []byte) (int, error) {
	s := string(v)
	if v[0] == '"' {
		s = unquote(v)
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		f, ferr := strconv.ParseFloat(s, 64)
		if ferr != nil || f != math.Trunc(f) || f < 100 || f > 599 {
			return 0, invalid("statusCode must be an integer between 100 and 599, not %.40s", v)
		}
		n = int(f)
	}
	if n < 100 || n > 599 {
		return 0, invalid("statusCode must be an integer between 100 and 599, not %.40s", v)
	}
	return n, nil
}

// asString reads a string member the way a default Jackson mapper does: a
// string, or a number or boolean as its text; null is absent; an object or
// array is an error.
func asString(v []byte) (s string, null bool, err error) {
	switch v[0] {
	case '"':
		return unquote(v), false, nil
	case 'n':
		return "", true, nil
	case '{', '[':
		return "", false, errNotString
	}
	return string(v), false, nil
}

var errNotString = errors.New("not a string")

func isNull(v []byte) bool { return v[0] == 'n' }

// asBool reads true, false, "true", "false" or null (false).
func asBool(v []byte) (bool, error) {
	switch string(v) {
	case "true", `"true"`:
		return true, nil
	case "false", `"false"`, "null":
		return false, nil
	}
	return false, errors.New("not a boolean")
}

// addHeaders adds the headers object v (a string map; null or absent is
// none) to h.
func addHeaders(h http.Header, v []byte) error {
	if v == nil || isNull(v) {
		return nil
	}
	if v[0] != '{' {
		return invalid("headers must be an object of strings")
	}
	return eachMember(v, func(k, val []byte) error {
		name := unquote(k)
		s, null, err := asString(val)
		if err != nil {
			return invalid("header %q must be a string", name)
		}
		if null {
			return nil
		}
		if err := checkHeader(name, s); err != nil {
			return err
		}
		h.Add(name, s)
		return nil
	})
}

// addMultiHeaders adds the multiValueHeaders object v (arrays of strings)
// to h.
func addMultiHeaders(h http.Header, v []byte) error {
	if v == nil || isNull(v) {
		return nil
	}
	if v[0] != '{' {
		return invalid("multiValueHeaders must be an object of string arrays")
	}
	return eachMember(v, func(k, val []byte) error {
		name := unquote(k)
		if isNull(val) {
			return nil
		}
		if val[0] != '[' {
			return invalid("multiValueHeaders %q must be an array of strings", name)
		}
		return eachElement(val, func(e []byte) error {
			s, null, err := asString(e)
			if err != nil {
				return invalid("multiValueHeaders %q must be an array of strings", name)
			}
			if null {
				return nil
			}
			if err := checkHeader(name, s); err != nil {
				return err
			}
			if !contains(h.Values(name), s) {
				h.Add(name, s)
			}
			return nil
		})
	})
}

// checkHeader refuses what net/http could not send or would split into
// another header: a name that is not an HTTP token, a value with a control
// character [I: an error rather than a header dropped in silence].
func checkHeader(name, value string) error {
	if !validHeaderName(name) {
		return invalid("%q is not a valid header name", name)
	}
	if !validHeaderValue(value) {
		return invalid("the value of header %q has a control character", name)
	}
	return nil
}

func validHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		// RFC 9110 tchar.
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			continue
		}
		switch c {
		case '!', '#', '$', '%', '&', '\'', '*', '+', '-', '.', '^', '_', '`', '|', '~':
			continue
		}
		return false
	}
	return true
}

func validHeaderValue(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// decodeBase64 decodes standard base64, with or without its padding.
func decodeBase64(s []byte) ([]byte, error) {
	enc := base64.StdEncoding
	if len(s)%4 != 0 {
		enc = base64.RawStdEncoding
	}
	out := make([]byte, enc.DecodedLen(len(s)))
	n, err := enc.Decode(out, s)
	return out[:n], err
}
