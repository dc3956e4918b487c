package mapping

import "fmt"

// Error is a refusal of a mapping, worded as the control plane answers it
// (a BadRequestException message). The texts of key errors are those
// internal/apigw already sends; the texts about values are Portico's own
// ([I]: AWS's are not known).
type Error struct{ Message string }

func (e *Error) Error() string { return e.Message }

func refuse(format string, args ...any) error {
	return &Error{Message: fmt.Sprintf(format, args...)}
}

func invalidRequestKey(key string) error {
	return refuse("Invalid mapping expression specified: %s. Request parameter keys must be "+
		"append|overwrite|remove:header.{name}, append|overwrite|remove:querystring.{name} or overwrite:path", echo(key))
}

func invalidResponseKey(key string) error {
	return refuse("Invalid mapping expression specified: %s. Response parameter keys must be "+
		"append|overwrite|remove:header.{name} or overwrite:statuscode", echo(key))
}

func reservedHeader(key string) error {
	return refuse("Invalid mapping expression specified: %s. The header is reserved and cannot be mapped", echo(key))
}

// invalidHeaderName [I refusal]: Go's HTTP client refuses such a name, so
// the upstream request could never be sent.
func invalidHeaderName(key string) error {
	return refuse("Invalid mapping expression specified: %s. A header name must be an HTTP token "+
		"(letters, digits and !#$%%&'*+-.^_`|~)", echo(key))
}

func invalidStatusCodeKey(code string) error {
	return refuse("Invalid response parameters status code specified: %s. It must be an HTTP status code between 200 and 599", echo(code))
}

// invalidValue: a value that does not parse, for key.
func invalidValue(value, key, reason string) error {
	return refuse("Invalid mapping expression specified: %s for %s. %s", echo(value), echo(key), reason)
}

// echoRunes and echo repeat a request value in a message cut to 256 runes,
// as internal/apigw does (awsproto.Echo), so that a megabyte value does not
// come back as a megabyte error.
const echoRunes = 256

func echo(s string) string {
	if len(s) <= echoRunes {
		return s
	}
	n := 0
	for i := range s {
		if n == echoRunes {
			return s[:i] + "..."
		}
		n++
	}
	return s
}
