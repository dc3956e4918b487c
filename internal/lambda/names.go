package lambda

import (
	"regexp"
	"strings"
)

// latest is the one version Portico's functions have.
const latest = "$LATEST"

// functionRef is a function as an Invoke call names it.
type functionRef struct {
	region, account string // empty when not given
	name, qualifier string // qualifier empty when not given
}

// refPattern is the Invoke API's pattern for FunctionName [D: Invoke API
// reference, InvokeAsync's longer form]: a name, a partial ARN
// (123456789012:function:NAME, 123456789012:NAME) or a full ARN, each
// with an optional qualifier (:$LATEST, a version or an alias).
var refPattern = regexp.MustCompile(`^(?:arn:(?:aws[a-zA-Z-]*)?:lambda:)?` +
	`(?:([a-z]{2}(?:(?:-gov)|(?:-iso[a-z]?))?-[a-z]+-\d{1}):)?` +
	`(?:(\d{12}):)?` +
	`(?:function:)?` +
	`([a-zA-Z0-9\-_\.]+)` +
	`(?::(\$LATEST(?:\.PUBLISHED)?|[a-zA-Z0-9\-_]+))?$`)

// qualifierPattern is the Qualifier parameter's pattern [D].
var qualifierPattern = regexp.MustCompile(`^[a-zA-Z0-9$_-]{1,128}$`)

// apigwPath marks an integration URI, the form API Gateway calls Lambda
// through: arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/
// {functionArn}/invocations.
const apigwPath = ":lambda:path/2015-03-31/functions/"

// parseRef reads a function reference: any FunctionName form of the
// Invoke API, or an API Gateway integration URI around one.
func parseRef(s string) (functionRef, bool) {
	if _, rest, ok := strings.Cut(s, apigwPath); ok {
		s = strings.TrimSuffix(rest, "/invocations")
	}
	if len(s) > 256 {
		return functionRef{}, false
	}
	m := refPattern.FindStringSubmatch(s)
	if m == nil {
		return functionRef{}, false
	}
	return functionRef{region: m[1], account: m[2], name: m[3], qualifier: m[4]}, true
}

// arn is the function ARN Lambda would give the reference: the region and
// account it names, else the manager's; its qualifier if it has one.
func (m *Manager) arn(ref functionRef) string {
	region, account := ref.region, ref.account
	if region == "" {
		region = m.region
	}
	if account == "" {
		account = m.account
	}
	arn := "arn:aws:lambda:" + region + ":" + account + ":function:" + ref.name
	if ref.qualifier != "" {
		arn += ":" + ref.qualifier
	}
	return arn
}

// resolve finds the function a reference names. Functions are found by
// name whatever region and account an ARN names [I]: Portico runs one
// set of functions for the machine, and the ARNs in integration URIs
// carry whatever account the template was written for. Every qualifier
// (a version number or an alias) runs $LATEST, the only version a local
// function has [I], so that integrations pointing at an alias (SAM's
// AutoPublishAlias) work unchanged.
func (m *Manager) resolve(nameOrARN, qualifier string) (*function, functionRef, error) {
	ref, ok := parseRef(nameOrARN)
	if !ok {
		return nil, ref, validation("functionName", nameOrARN,
			"Member must satisfy regular expression pattern: "+refPattern.String())
	}
	if qualifier != "" {
		if !qualifierPattern.MatchString(qualifier) {
			return nil, ref, validation("qualifier", qualifier,
				"Member must satisfy regular expression pattern: (|[a-zA-Z0-9$_-]+)")
		}
		if ref.qualifier != "" && ref.qualifier != qualifier {
			return nil, ref, invalidParameter("The derived qualifier from the function name does not match the specified qualifier.")
		}
		ref.qualifier = qualifier
	}
	f := m.functions[ref.name]
	if f == nil {
		return nil, ref, notFound(m.arn(ref))
	}
	return f, ref, nil
}
