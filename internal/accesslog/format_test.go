package accesslog

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// The example formats the API Gateway console offers for HTTP APIs
// (developer guide, "Configure logging for HTTP APIs", example log
// formats), and the REST examples of "Access logging for REST APIs", which
// HTTP API users copy.
const (
	httpCLF  = `$context.identity.sourceIp - - [$context.requestTime] "$context.httpMethod $context.routeKey $context.protocol" $context.status $context.responseLength $context.requestId`
	httpJSON = `{ "requestId":"$context.requestId", "ip": "$context.identity.sourceIp", "requestTime":"$context.requestTime", "httpMethod":"$context.httpMethod","routeKey":"$context.routeKey", "status":"$context.status","protocol":"$context.protocol", "responseLength":"$context.responseLength" }`
	httpXML  = `<request id="$context.requestId"> <ip>$context.identity.sourceIp</ip> <requestTime>$context.requestTime</requestTime> <httpMethod>$context.httpMethod</httpMethod> <routeKey>$context.routeKey</routeKey> <status>$context.status</status> <protocol>$context.protocol</protocol> <responseLength>$context.responseLength</responseLength> </request>`
	httpCSV  = `$context.identity.sourceIp,$context.requestTime,$context.httpMethod,$context.routeKey,$context.protocol,$context.status,$context.responseLength,$context.requestId`
	restCLF  = `$context.identity.sourceIp $context.identity.caller $context.identity.user [$context.requestTime] "$context.httpMethod $context.resourcePath $context.protocol" $context.status $context.responseLength $context.requestId`
)

// fixed is one request's $context: a GET answered 200 by an HTTP API
// without an authorizer (so identity.caller and identity.user have no
// value).
var fixed = map[string]string{
	"requestId":          "Mc7UVioPPHcEKPA=",
	"identity.sourceIp":  "192.0.2.10",
	"requestTime":        "10/Jul/2024:18:15:21 +0000",
	"httpMethod":         "GET",
	"routeKey":           "GET /pets/{id}",
	"protocol":           "HTTP/1.1",
	"status":             "200",
	"responseLength":     "27",
	"identity.userAgent": `curl/8.5.0 "quoted"`,
	"integrationLatency": "",
}

func lookupIn(m map[string]string) func(string) (string, bool) {
	return func(name string) (string, bool) {
		v, ok := m[name]
		return v, ok
	}
}

func render(t *testing.T, format string, ctx map[string]string) string {
	t.Helper()
	f, err := Compile(format)
	if err != nil {
		t.Fatalf("Compile(%q): %v", format, err)
	}
	return string(f.Render(nil, lookupIn(ctx)))
}

func TestRenderDocsExamples(t *testing.T) {
	for _, tc := range []struct{ name, format, want string }{
		{"CLF", httpCLF, `192.0.2.10 - - [10/Jul/2024:18:15:21 +0000] "GET GET /pets/{id} HTTP/1.1" 200 27 Mc7UVioPPHcEKPA=`},
		{"JSON", httpJSON, `{ "requestId":"Mc7UVioPPHcEKPA=", "ip": "192.0.2.10", "requestTime":"10/Jul/2024:18:15:21 +0000", "httpMethod":"GET","routeKey":"GET /pets/{id}", "status":"200","protocol":"HTTP/1.1", "responseLength":"27" }`},
		{"XML", httpXML, `<request id="Mc7UVioPPHcEKPA="> <ip>192.0.2.10</ip> <requestTime>10/Jul/2024:18:15:21 +0000</requestTime> <httpMethod>GET</httpMethod> <routeKey>GET /pets/{id}</routeKey> <status>200</status> <protocol>HTTP/1.1</protocol> <responseLength>27</responseLength> </request>`},
		{"CSV", httpCSV, `192.0.2.10,10/Jul/2024:18:15:21 +0000,GET,GET /pets/{id},HTTP/1.1,200,27,Mc7UVioPPHcEKPA=`},
		// REST's CLF on an HTTP API: caller, user and resourcePath have no
		// value and print "-".
		{"REST CLF", restCLF, `192.0.2.10 - - [10/Jul/2024:18:15:21 +0000] "GET - HTTP/1.1" 200 27 Mc7UVioPPHcEKPA=`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := render(t, tc.format, fixed); got != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}

func TestRenderDelimiters(t *testing.T) {
	ctx := map[string]string{
		"status": "200", "requestId": "id1", "requestTime": "T", "stage": "dev", "apiId": "a1",
		"authorizer.claims.sub": "u-1", "request.header.mcp-method": "M", "routeKey": "$default",
		"status-": "DASH", "1": "one", "_x": "under",
	}
	for _, tc := range []struct{ name, format, want string }{
		{"CSV comma", "$context.status,$context.requestId", "200,id1"},
		{"JSON quote", `{"s":"$context.status"}`, `{"s":"200"}`},
		{"CLF brackets", "[$context.requestTime]", "[T]"},
		{"XML tag", "<s>$context.status</s>", "<s>200</s>"},
		{"space", "$context.status $context.stage", "200 dev"},
		{"adjacent variables", "$context.stage$context.apiId", "deva1"},
		{"full stop after a name", "Request $context.requestId.", "Request id1."},
		{"full stops after a name", "$context.requestId...", "id1..."},
		{"dotted name", "$context.authorizer.claims.sub", "u-1"},
		{"hyphen is part of a name", "$context.request.header.mcp-method", "M"},
		{"hyphen after a name", "$context.status-x", "-"}, // "status-x" has no value
		{"hyphen at the end of a name", "$context.status-", "DASH"},
		{"digit and underscore first", "$context.1 $context._x", "one under"},
		{"dollar before", "$$context.stage", "$dev"},
		{"braces are text", "${context.stage}", "${context.stage}"},
		{"case matters", "$Context.stage $CONTEXT.stage", "$Context.stage $CONTEXT.stage"},
		{"no name", "$context $context. $context.. $context.-x", "$context $context. $context.. $context.-x"},
		{"other variables are text", "$input.body $stageVariables.x $request.header.h", "$input.body $stageVariables.x $request.header.h"},
		{"unknown name", "$context.nope", "-"},
		{"empty value", "$context.empty", "-"},
		{"trailing line break dropped", "$context.status\n", "200"},
		{"trailing CRLF dropped", "$context.status\r\n", "200"},
		{"one line break only", "$context.status\n\n", "200\n"},
		{"inner line break kept", "a\nb", "a\nb"},
		{"no variables", "plain text", "plain text"},
		{"empty format", "", ""},
		{"unicode around", "é$context.stage→", "édev→"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := map[string]string{"empty": ""}
			for k, v := range ctx {
				c[k] = v
			}
			if got := render(t, tc.format, c); got != tc.want {
				t.Errorf("Render(%q) = %q, want %q", tc.format, got, tc.want)
			}
		})
	}
}

// Values are written as they are: a JSON-looking format with a quote in a
// value is broken JSON on AWS too.
func TestRenderDoesNotEscape(t *testing.T) {
	got := render(t, `{"ua":"$context.identity.userAgent"}`, fixed)
	if want := `{"ua":"curl/8.5.0 "quoted""}`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestNames(t *testing.T) {
	f, err := Compile(`$context.status $context.requestId $context.status "$context.authorizer.claims.sub."`)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"status", "requestId", "authorizer.claims.sub"}; !reflect.DeepEqual(f.Names(), want) {
		t.Errorf("Names() = %q, want %q", f.Names(), want)
	}
	if !f.Uses("requestId") || f.Uses("requestIdX") || f.Uses("extendedRequestId") {
		t.Error("Uses is wrong")
	}
	// requestIdX is another variable, not requestId.
	if f, _ := Compile("$context.requestIdX"); f.Uses("requestId") {
		t.Error("$context.requestIdX counted as $context.requestId")
	}
}

func TestCompileSize(t *testing.T) {
	ok := strings.Repeat("x", MaxFormatBytes-len("$context.requestId")) + "$context.requestId"
	if _, err := Compile(ok); err != nil {
		t.Errorf("a %d-byte format: %v", len(ok), err)
	}
	if _, err := Compile(ok + "x"); !errors.Is(err, ErrFormatTooLong) {
		t.Errorf("a %d-byte format: %v, want ErrFormatTooLong", len(ok)+1, err)
	}
}

func TestRenderReusesBuffer(t *testing.T) {
	f, err := Compile(httpJSON)
	if err != nil {
		t.Fatal(err)
	}
	lookup := lookupIn(fixed)
	buf := make([]byte, 0, 1024)
	allocs := testing.AllocsPerRun(100, func() { buf = f.Render(buf[:0], lookup) })
	if allocs != 0 {
		t.Errorf("Render allocated %v times per entry with a large enough buffer", allocs)
	}
	// Appends: what dst held stays.
	if got := string(f.Render([]byte("prefix "), lookup)); !strings.HasPrefix(got, "prefix { ") {
		t.Errorf("Render did not append: %q", got)
	}
}

func TestHTTPVariable(t *testing.T) {
	for _, name := range []string{
		"accountId", "apiId", "awsEndpointRequestId", "awsEndpointRequestId2", "customDomain.basePathMatched",
		"dataProcessed", "domainName", "domainPrefix", "error.message", "error.messageString", "error.responseType",
		"extendedRequestId", "httpMethod", "identity.accountId", "identity.caller", "identity.cognitoAuthenticationProvider",
		"identity.cognitoAuthenticationType", "identity.cognitoIdentityId", "identity.cognitoIdentityPoolId",
		"identity.principalOrgId", "identity.clientCert.clientCertPem", "identity.clientCert.subjectDN",
		"identity.clientCert.issuerDN", "identity.clientCert.serialNumber", "identity.clientCert.validity.notBefore",
		"identity.clientCert.validity.notAfter", "identity.sourceIp", "identity.user", "identity.userAgent",
		"identity.userArn", "integration.error", "integration.integrationStatus", "integration.latency",
		"integration.requestId", "integration.status", "integrationErrorMessage", "integrationLatency",
		"integrationStatus", "path", "protocol", "requestId", "requestTime", "requestTimeEpoch", "responseLatency",
		"responseLength", "routeKey", "stage", "status", "resourcePath",
		"authorizer.claims.sub", "authorizer.error", "authorizer.principalId", "authorizer.anyKey", "authorizer.latency",
	} {
		if !HTTPVariable(name) {
			t.Errorf("HTTPVariable(%q) = false", name)
		}
	}
	for _, name := range []string{
		"request.header.mcp-method", "authorizer", "authorizer.", "connectionId", "eventType", "xrayTraceId",
		"requestid", "status-", "identity", "error.validationErrorString", "",
	} {
		if HTTPVariable(name) {
			t.Errorf("HTTPVariable(%q) = true", name)
		}
	}
}
