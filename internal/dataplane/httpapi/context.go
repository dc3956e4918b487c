package httpapi

import (
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
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
		return hostOnly(r.Host), true
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
