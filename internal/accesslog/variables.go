package accesslog

import "strings"

// httpVariables are the $context variables of HTTP API access logs, as the
// developer guide lists them ("Customize HTTP API access logs",
// http-api-logging-variables) [D]; "authorizer." and everything under it is
// open (claims.X, the Lambda context's keys, error, principalId, latency,
// status...). resourcePath is a REST variable that HTTP API formats copied
// from REST examples carry; a third party reports AWS accepts it there and
// logs "-" [I].
var httpVariables = map[string]bool{
	"accountId": true, "apiId": true,
	"awsEndpointRequestId": true, "awsEndpointRequestId2": true,
	"customDomain.basePathMatched": true,
	"dataProcessed":                true, "domainName": true, "domainPrefix": true,
	"error.message": true, "error.messageString": true, "error.responseType": true,
	"extendedRequestId": true, "httpMethod": true,
	"identity.accountId": true, "identity.caller": true,
	"identity.cognitoAuthenticationProvider": true, "identity.cognitoAuthenticationType": true,
	"identity.cognitoIdentityId": true, "identity.cognitoIdentityPoolId": true,
	"identity.principalOrgId":           true,
	"identity.clientCert.clientCertPem": true, "identity.clientCert.subjectDN": true,
	"identity.clientCert.issuerDN": true, "identity.clientCert.serialNumber": true,
	"identity.clientCert.validity.notBefore": true, "identity.clientCert.validity.notAfter": true,
	"identity.sourceIp": true, "identity.user": true, "identity.userAgent": true, "identity.userArn": true,
	"integration.error": true, "integration.integrationStatus": true, "integration.latency": true,
	"integration.requestId": true, "integration.status": true,
	"integrationErrorMessage": true, "integrationLatency": true, "integrationStatus": true,
	"path": true, "protocol": true, "requestId": true, "requestTime": true, "requestTimeEpoch": true,
	"resourcePath":    true,
	"responseLatency": true, "responseLength": true, "routeKey": true, "stage": true, "status": true,
}

// HTTPVariable reports whether $context.name is a variable of HTTP API
// access logs. AWS refuses a format with any other ("The following context
// variables are not supported: [...]" [V], see nextVariable); WebSocket
// formats are not known to be checked, and unknown names there just log
// "-".
func HTTPVariable(name string) bool {
	if rest, ok := strings.CutPrefix(name, "authorizer."); ok {
		return rest != ""
	}
	return httpVariables[name]
}
