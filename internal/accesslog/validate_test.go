package accesslog_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/portico-dev/portico/internal/accesslog"
	"github.com/portico-dev/portico/internal/apigw"
	"github.com/portico-dev/portico/internal/awsproto"
)

// The control plane's check of a saved format (apigw.ValidateAccessLogFormat),
// which reads the format with this package's compiler. It lives here, an
// external test of accesslog, because internal/apigw takes one file of
// this work only.
func TestValidateAccessLogFormat(t *testing.T) {
	const (
		notSingleLine = "Access Log format must be single line, new line character is allowed only at end of the format: '"
		noRequestID   = "Access Log format must include either $context.requestId or $context.extendedRequestId"
		tooLong       = "Access Log format is too long: it can be at most 3072 bytes"
	)
	atLimit := strings.Repeat("x", accesslog.MaxFormatBytes-len("$context.requestId")) + "$context.requestId"
	for _, tc := range []struct {
		name, protocol, format string
		want                   string // "" accepted; else the message's start
	}{
		{"HTTP CLF example", "HTTP", `$context.identity.sourceIp - - [$context.requestTime] "$context.httpMethod $context.routeKey $context.protocol" $context.status $context.responseLength $context.requestId`, ""},
		{"extendedRequestId instead", "HTTP", `$context.extendedRequestId $context.status`, ""},
		{"WebSocket variables", "WEBSOCKET", `$context.requestId $context.connectionId $context.eventType $context.messageId`, ""},
		{"trailing line break", "HTTP", "$context.requestId\n", ""},
		{"trailing CRLF", "HTTP", "$context.requestId\r\n", ""},
		{"at the size limit", "HTTP", atLimit, ""},
		{"authorizer and claims", "HTTP", "$context.requestId $context.authorizer.claims.sub $context.authorizer.tenant", ""},
		{"REST's resourcePath on HTTP", "HTTP", "$context.requestId $context.resourcePath", ""},

		{"no request id", "HTTP", "$context.status", noRequestID},
		{"no request id, WebSocket", "WEBSOCKET", "$context.connectionId", noRequestID},
		{"request id only as text", "WEBSOCKET", "requestId ${context.requestId} $context.requestIdX", noRequestID},
		{"empty", "HTTP", "", noRequestID},
		{"inner line break", "HTTP", "$context.requestId\n$context.status", notSingleLine + "$context.requestId\n$context.status'"},
		{"two line breaks at the end", "HTTP", "$context.requestId\n\n", notSingleLine},
		{"carriage return", "WEBSOCKET", "$context.requestId\r$context.status", notSingleLine},
		{"over 3 KB", "HTTP", atLimit + " ", tooLong},
		{"HTTP: unknown variables, each once", "HTTP", "$context.requestId $context.request.header.mcp-method $context.xrayTraceId $context.request.header.mcp-method",
			"The following context variables are not supported: [$context.request.header.mcp-method, $context.xrayTraceId]"},
		{"HTTP: WebSocket variable", "HTTP", "$context.requestId $context.connectionId", "The following context variables are not supported: [$context.connectionId]"},
		{"WebSocket: unknown variables logged as -", "WEBSOCKET", "$context.requestId $context.nope", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := apigw.ValidateAccessLogFormat(tc.protocol, tc.format)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var e *awsproto.Error
			if !errors.As(err, &e) {
				t.Fatalf("got %v, want a BadRequestException", err)
			}
			if e.Status() != 400 || e.Type != "BadRequestException" || !strings.HasPrefix(e.Message, tc.want) {
				t.Errorf("got %d %s %q, want 400 BadRequestException %q", e.Status(), e.Type, e.Message, tc.want)
			}
		})
	}
}

// What the control plane accepts, the data plane renders with every
// variable it names: the two read a format the same way.
func TestValidatedFormatsRender(t *testing.T) {
	format := `{"id":"$context.requestId","claims":"$context.authorizer.claims.sub","s":$context.status}`
	if err := apigw.ValidateAccessLogFormat("HTTP", format); err != nil {
		t.Fatal(err)
	}
	f, err := accesslog.Compile(format)
	if err != nil {
		t.Fatal(err)
	}
	got := string(f.Render(nil, func(n string) (string, bool) { return "<" + n + ">", true }))
	if want := `{"id":"<requestId>","claims":"<authorizer.claims.sub>","s":<status>}`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}
