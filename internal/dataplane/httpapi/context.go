package httpapi

import (
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// contextValue is $context.NAME for parameter mappings
// (docs/aws-behaviours.md#http-context): the variables a request has
// before its integration answers.
func (x *exchange) contextValue(name string) (string, bool) {
	r := x.r
	switch name {
	case "requestId", "extendedRequestId":
		return x.id, true
	case "apiId":
		return x.s.key.APIID, true
	case "accountId":
		return x.s.key.Scope.Account, true
	case "stage":
		return x.req.Stage, true
	case "routeKey":
		return x.routeKey(), true
	case "httpMethod":
		return r.Method, true
	case "path":
		return decodePath(x.req.RawPath), true
	case "protocol":
		return r.Proto, true
	case "domainName":
		// A host that reaches Portico, with its port: handler code builds
		// URLs from it (docs/aws-behaviours.md#lambda-proxy).
		return r.Host, true
	case "domainPrefix":
		h := hostOnly(r.Host)
		if i := strings.IndexByte(h, '.'); i >= 0 {
			return h[:i], true
		}
		return h, true
	case "identity.sourceIp":
		return clientIP(r), true
	case "identity.userAgent":
		return r.UserAgent(), true
	case "requestTime":
		return x.start.UTC().Format("02/Jan/2006:15:04:05 -0700"), true
	case "requestTimeEpoch":
		return strconv.FormatInt(x.start.UnixMilli(), 10), true
	}
	if rest, ok := strings.CutPrefix(name, "authorizer."); ok && x.authValue != nil {
		return x.authValue(rest)
	}
	if x.iamValue != nil {
		return x.iamValue(name)
	}
	return "", false
}

// logValue is $context.NAME for the access log, written once the answer
// is: contextValue's variables and those of the answer and the integration
// (docs/aws-behaviours.md#access-logs).
func (x *exchange) logValue(name string) (string, bool) {
	switch name {
	case "status":
		return strconv.Itoa(x.status), true
	case "responseLatency":
		return strconv.FormatInt(time.Since(x.start).Milliseconds(), 10), true
	case "responseLength":
		return strconv.FormatInt(x.countingWriter().n, 10), true
	case "integrationLatency", "integration.latency":
		if x.integrationStatus == 0 && x.integrationErr == nil {
			return "", false
		}
		return strconv.FormatInt(x.integrationLatency.Milliseconds(), 10), true
	case "integrationStatus", "integration.integrationStatus", "integration.status":
		if x.integrationStatus == 0 {
			return "", false
		}
		return strconv.Itoa(x.integrationStatus), true
	case "integrationErrorMessage", "integration.error":
		if x.integrationErr == nil {
			return "", false
		}
		return x.integrationErr.Error(), true
	case "error.message", "error.messageString":
		if x.gatewayError == "" {
			return "", false
		}
		if name == "error.messageString" {
			return strconv.Quote(x.gatewayError), true
		}
		return x.gatewayError, true
	case "authorizer.error":
		if x.authErr == nil {
			return "", false
		}
		return x.authErr.Error(), true
	case "customDomain.basePathMatched":
		if x.req.BasePath == "" {
			return "", false
		}
		return strings.TrimPrefix(x.req.BasePath, "/"), true
	case "dataProcessed":
		return strconv.FormatInt(max(0, x.r.ContentLength)+x.countingWriter().n, 10), true
	}
	return x.contextValue(name)
}

func (x *exchange) countingWriter() *countingWriter {
	if cw, ok := x.w.(*countingWriter); ok {
		return cw
	}
	return &countingWriter{}
}

func decodePath(p string) string {
	d, err := url.PathUnescape(p)
	if err != nil {
		return p
	}
	return d
}

// localPort is the port the request reached Portico on.
func localPort(r *http.Request) string {
	if a, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
		if _, port, err := net.SplitHostPort(a.String()); err == nil {
			return port
		}
	}
	return "80"
}

func itoa(n int) string { return strconv.Itoa(n) }
