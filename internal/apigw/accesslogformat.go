package apigw

import (
	"strings"

	"github.com/portico-dev/portico/internal/accesslog"
	"github.com/portico-dev/portico/internal/awsproto"
)

// ValidateAccessLogFormat checks a stage's accessLogSettings.format when
// the settings are saved (CreateStage, UpdateStage), with the data plane's
// own reading of the format (accesslog.Compile), so that what is accepted
// here is what gets logged. protocolType is the API's (HTTP or WEBSOCKET).
// The checks, in this order [I]:
//
//  1. At most 3 KB, the access log template quota [D]; the text is [I].
//  2. One line: a line break only at the very end. The text is REST's
//     [V: "Access Log format must be single line, new line character is
//     allowed only at end of the format: '{format}'", a CloudFormation
//     failure of AWS::ApiGateway::Stage quoted in a public repository, and
//     ministryofjustice/cloud-platform-environments #12962]; that HTTP and
//     WebSocket APIs answer the same is [I].
//  3. HTTP APIs only: every variable is one of theirs
//     (accesslog.HTTPVariable) [V: "The following context variables are
//     not supported: [$context.request.header.mcp-method, ...]", an HTTP API
//     stage's CloudFormation failure quoted in a public CDK project's
//     runbook; repository not recorded]. Not known for WebSocket APIs, so
//     not checked there.
//  4. $context.requestId or $context.extendedRequestId is used [D developer
//     guide: "must include at least $context.requestId or
//     $context.extendedRequestId"]. The text is what third parties report
//     AWS answers (two CloudFormation linters' rules, an emulator's
//     fixtures) [I].
func ValidateAccessLogFormat(protocolType, format string) error {
	if len(format) > accesslog.MaxFormatBytes {
		return awsproto.BadRequest("Access Log format is too long: it can be at most %d bytes", accesslog.MaxFormatBytes)
	}
	if strings.ContainsAny(withoutLineEnd(format), "\r\n") {
		return awsproto.BadRequest("Access Log format must be single line, new line character is allowed only at end of the format: '%s'", echo(format))
	}
	f, err := accesslog.Compile(format)
	if err != nil {
		return awsproto.BadRequest("%s", err.Error()) // unreachable: the size is checked above
	}
	if protocolType == protocolHTTP {
		var unsupported []string
		for _, name := range f.Names() {
			if !accesslog.HTTPVariable(name) {
				unsupported = append(unsupported, "$context."+name)
			}
		}
		if len(unsupported) > 0 {
			return awsproto.BadRequest("The following context variables are not supported: [%s]", echo(strings.Join(unsupported, ", ")))
		}
	}
	if !f.Uses("requestId") && !f.Uses("extendedRequestId") {
		return awsproto.BadRequest("Access Log format must include either $context.requestId or $context.extendedRequestId")
	}
	return nil
}

// withoutLineEnd is format less one final "\n" or "\r\n", the line end
// AWS allows.
func withoutLineEnd(format string) string {
	if s, ok := strings.CutSuffix(format, "\n"); ok {
		return strings.TrimSuffix(s, "\r")
	}
	return format
}
