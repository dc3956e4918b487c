package apigw_test

import (
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"
)

// testCertARN is an ACM certificate ARN of the test account. Portico cannot
// see ACM: it checks the ARN's form only.
const testCertARN = "arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012"

var apiGatewayDomainPattern = regexp.MustCompile(`^d-[a-z0-9]{10}\.execute-api\.us-east-1\.amazonaws\.com$`)

// createDomainName creates a domain name with the test certificate and
// returns the answer.
func (e *env) createDomainName(t *testing.T, name string) *apigatewayv2.CreateDomainNameOutput {
	t.Helper()
	out, err := e.c.CreateDomainName(e.ctx, &apigatewayv2.CreateDomainNameInput{
		DomainName:               aws.String(name),
		DomainNameConfigurations: []types.DomainNameConfiguration{{CertificateArn: aws.String(testCertARN)}},
	})
	must(t, err)
	return out
}

// createNamedStage creates a stage with only its name.
func (e *env) createNamedStage(t *testing.T, apiID, name string) {
	t.Helper()
	_, err := e.c.CreateStage(e.ctx, &apigatewayv2.CreateStageInput{ApiId: aws.String(apiID), StageName: aws.String(name)})
	must(t, err)
}

func TestDomainNameCreateDefaults(t *testing.T) {
	e := newEnv(t)
	out := e.createDomainName(t, "api.example.com")
	wantStatus(t, out.ResultMetadata, 201)
	if aws.ToString(out.DomainName) != "api.example.com" ||
		aws.ToString(out.DomainNameArn) != "arn:aws:apigateway:us-east-1::/domainnames/api.example.com" ||
		aws.ToString(out.ApiMappingSelectionExpression) != "$request.basepath" ||
		out.RoutingMode != types.RoutingModeApiMappingOnly || out.Tags == nil || len(out.Tags) != 0 ||
		out.MutualTlsAuthentication != nil || len(out.DomainNameConfigurations) != 1 {
		t.Fatalf("CreateDomainName: %+v", out)
	}
	conf := out.DomainNameConfigurations[0]
	if !apiGatewayDomainPattern.MatchString(aws.ToString(conf.ApiGatewayDomainName)) ||
		aws.ToString(conf.HostedZoneId) != "Z1UJRXOUMOOFQ8" || conf.EndpointType != types.EndpointTypeRegional ||
		conf.SecurityPolicy != types.SecurityPolicyTls12 || conf.IpAddressType != types.IpAddressTypeIpv4 ||
		conf.DomainNameStatus != types.DomainNameStatusAvailable || aws.ToString(conf.CertificateArn) != testCertARN {
		t.Errorf("configuration: %+v", conf)
	}

	// The wire form of GetDomainName: exactly these members, tags {} [D: CLI
	// get-domain-name example].
	r := e.raw(t, "GET", "/v2/domainnames/api.example.com", "", nil)
	checkWire(t, "GetDomainName", r, 200)
	obj := decodeObject(t, "GetDomainName", r.body)
	wantKeys(t, "GetDomainName", obj, "apiMappingSelectionExpression", "domainName", "domainNameArn",
		"domainNameConfigurations", "routingMode", "tags")
	confs := obj["domainNameConfigurations"].([]any)
	wantKeys(t, "GetDomainName configuration", confs[0].(map[string]any), "apiGatewayDomainName", "certificateArn",
		"domainNameStatus", "endpointType", "hostedZoneId", "ipAddressType", "securityPolicy")
	if confs[0].(map[string]any)["apiGatewayDomainName"] != *conf.ApiGatewayDomainName {
		t.Errorf("GetDomainName changed apiGatewayDomainName: %s", r.body)
	}

	// The regional endpoint's hosted zone is the region's.
	eu, err := e.c.CreateDomainName(e.ctx, &apigatewayv2.CreateDomainNameInput{
		DomainName:               aws.String("eu.example.com"),
		DomainNameConfigurations: []types.DomainNameConfiguration{{CertificateArn: aws.String(testCertARN)}},
	}, func(o *apigatewayv2.Options) { o.Region = "eu-west-1" })
	must(t, err)
	if c := eu.DomainNameConfigurations[0]; aws.ToString(c.HostedZoneId) != "ZLY8HYME6SFDD" ||
		!regexp.MustCompile(`^d-[a-z0-9]{10}\.execute-api\.eu-west-1\.amazonaws\.com$`).MatchString(aws.ToString(c.ApiGatewayDomainName)) ||
		aws.ToString(eu.DomainNameArn) != "arn:aws:apigateway:eu-west-1::/domainnames/eu.example.com" {
		t.Errorf("eu-west-1 domain name: %+v %+v", eu, c)
	}
	// Domain names belong to their region: us-east-1 does not see it.
	_, err = e.c.GetDomainName(e.ctx, &apigatewayv2.GetDomainNameInput{DomainName: aws.String("eu.example.com")})
	wantAPIError(t, err, 404, "NotFoundException", "Invalid domain name identifier specified")
}

func TestDomainNameOptionalMembers(t *testing.T) {
	e := newEnv(t)
	out, err := e.c.CreateDomainName(e.ctx, &apigatewayv2.CreateDomainNameInput{
		DomainName: aws.String("*.example.com"),
		DomainNameConfigurations: []types.DomainNameConfiguration{{
			CertificateArn: aws.String(testCertARN), CertificateName: aws.String("wild"),
			EndpointType: types.EndpointTypeRegional, SecurityPolicy: types.SecurityPolicyTls12,
			IpAddressType: types.IpAddressTypeDualstack,
			// Given by the caller, AWS's to set: ignored [I].
			HostedZoneId: aws.String("ZNOPE"), DomainNameStatus: types.DomainNameStatusUpdating,
		}},
		MutualTlsAuthentication: &types.MutualTlsAuthenticationInput{TruststoreUri: aws.String("s3://bucket-name/truststore.pem"),
			TruststoreVersion: aws.String("v1")},
		RoutingMode: types.RoutingModeRoutingRuleThenApiMapping,
		Tags:        map[string]string{"env": "test"},
	})
	must(t, err)
	c := out.DomainNameConfigurations[0]
	if aws.ToString(out.DomainName) != "*.example.com" || out.RoutingMode != types.RoutingModeRoutingRuleThenApiMapping ||
		out.Tags["env"] != "test" || aws.ToString(c.CertificateName) != "wild" || c.IpAddressType != types.IpAddressTypeDualstack ||
		aws.ToString(c.HostedZoneId) != "Z1UJRXOUMOOFQ8" || c.DomainNameStatus != types.DomainNameStatusAvailable ||
		out.MutualTlsAuthentication == nil || aws.ToString(out.MutualTlsAuthentication.TruststoreUri) != "s3://bucket-name/truststore.pem" ||
		aws.ToString(out.MutualTlsAuthentication.TruststoreVersion) != "v1" {
		t.Errorf("CreateDomainName: %+v %+v %+v", out, c, out.MutualTlsAuthentication)
	}
	// A wildcard domain name is a path label like any other.
	r := e.raw(t, "GET", "/v2/domainnames/%2A.example.com", "", nil)
	checkWire(t, "GetDomainName wildcard", r, 200)
}

func TestDomainNameErrors(t *testing.T) {
	e := newEnv(t)
	e.createDomainName(t, "api.example.com")
	conf := func(c types.DomainNameConfiguration) []types.DomainNameConfiguration {
		if c.CertificateArn == nil {
			c.CertificateArn = aws.String(testCertARN)
		}
		return []types.DomainNameConfiguration{c}
	}
	cases := []struct {
		name   string
		in     *apigatewayv2.CreateDomainNameInput
		status int
		code   string
		msg    string
	}{
		// [V] 400, not the model's 409.
		{"duplicate", &apigatewayv2.CreateDomainNameInput{DomainName: aws.String("api.example.com"),
			DomainNameConfigurations: conf(types.DomainNameConfiguration{})}, 400, "BadRequestException",
			"The domain name you provided already exists."},
		// [V] on a case AWS lower-cases [I].
		{"duplicate in capitals", &apigatewayv2.CreateDomainNameInput{DomainName: aws.String("API.Example.com"),
			DomainNameConfigurations: conf(types.DomainNameConfiguration{})}, 400, "BadRequestException",
			"The domain name you provided already exists."},
		{"no configuration", &apigatewayv2.CreateDomainNameInput{DomainName: aws.String("b.example.com")},
			400, "BadRequestException", "Invalid input. Expected one domain name configuration"},
		{"two configurations", &apigatewayv2.CreateDomainNameInput{DomainName: aws.String("b.example.com"),
			DomainNameConfigurations: []types.DomainNameConfiguration{{CertificateArn: aws.String(testCertARN)}, {CertificateArn: aws.String(testCertARN)}}},
			400, "BadRequestException", "Invalid input. Expected one domain name configuration"},
		{"edge", &apigatewayv2.CreateDomainNameInput{DomainName: aws.String("b.example.com"),
			DomainNameConfigurations: conf(types.DomainNameConfiguration{EndpointType: types.EndpointTypeEdge})},
			400, "BadRequestException", "Only REGIONAL domain names can be managed through the API Gateway V2 API. " +
				"For EDGE domain names, please use the API Gateway V1 API. Also note that only REST APIs can be attached to EDGE domain names."},
		{"tls 1.0", &apigatewayv2.CreateDomainNameInput{DomainName: aws.String("b.example.com"),
			DomainNameConfigurations: conf(types.DomainNameConfiguration{SecurityPolicy: types.SecurityPolicyTls10})},
			400, "BadRequestException", "TLS_1_0 is not supported for APIGatewayV2 domainName."},
		// The security policy is checked first [V: aws/chalice #1255].
		{"edge and tls 1.0", &apigatewayv2.CreateDomainNameInput{DomainName: aws.String("b.example.com"),
			DomainNameConfigurations: conf(types.DomainNameConfiguration{EndpointType: types.EndpointTypeEdge, SecurityPolicy: types.SecurityPolicyTls10})},
			400, "BadRequestException", "TLS_1_0 is not supported for APIGatewayV2 domainName."},
		{"no certificate", &apigatewayv2.CreateDomainNameInput{DomainName: aws.String("b.example.com"),
			DomainNameConfigurations: []types.DomainNameConfiguration{{EndpointType: types.EndpointTypeRegional}}},
			400, "BadRequestException", "A certificate was not provided for the endpoint type REGIONAL."},
		// [I] texts from here.
		{"not an ACM certificate", &apigatewayv2.CreateDomainNameInput{DomainName: aws.String("b.example.com"),
			DomainNameConfigurations: conf(types.DomainNameConfiguration{CertificateArn: aws.String("arn:aws:iam::123456789012:server-certificate/x")})},
			400, "BadRequestException", "Invalid certificateArn specified: arn:aws:iam::123456789012:server-certificate/x. " +
				"It must be the ARN of an AWS Certificate Manager certificate, arn:{partition}:acm:{region}:{account}:certificate/{id}"},
		{"bad ownership certificate", &apigatewayv2.CreateDomainNameInput{DomainName: aws.String("b.example.com"),
			DomainNameConfigurations: conf(types.DomainNameConfiguration{OwnershipVerificationCertificateArn: aws.String("nope")})},
			400, "BadRequestException", "Invalid ownershipVerificationCertificateArn specified: nope. " +
				"It must be the ARN of an AWS Certificate Manager certificate, arn:{partition}:acm:{region}:{account}:certificate/{id}"},
		{"bad truststore", &apigatewayv2.CreateDomainNameInput{DomainName: aws.String("b.example.com"),
			DomainNameConfigurations: conf(types.DomainNameConfiguration{}),
			MutualTlsAuthentication:  &types.MutualTlsAuthenticationInput{TruststoreUri: aws.String("https://bucket/key")}},
			400, "BadRequestException", "Invalid truststore URI specified: https://bucket/key. It must be an Amazon S3 URL such as s3://bucket-name/key-name"},
		{"truststore version alone", &apigatewayv2.CreateDomainNameInput{DomainName: aws.String("b.example.com"),
			DomainNameConfigurations: conf(types.DomainNameConfiguration{}),
			MutualTlsAuthentication:  &types.MutualTlsAuthenticationInput{TruststoreVersion: aws.String("v1")}},
			400, "BadRequestException", "A truststore URI must be specified to configure mutual TLS authentication"},
		{"reserved tag", &apigatewayv2.CreateDomainNameInput{DomainName: aws.String("b.example.com"),
			DomainNameConfigurations: conf(types.DomainNameConfiguration{}), Tags: map[string]string{"aws:x": "y"}},
			400, "BadRequestException", `Invalid tag key "aws:x": the aws: prefix is reserved`},
	}
	for _, name := range []string{"example", "-a.example.com", "a-.example.com", "a..example.com", "a_b.example.com",
		"foo.*.example.com", "*", "a.example.com.", "a b.example.com"} {
		cases = append(cases, struct {
			name   string
			in     *apigatewayv2.CreateDomainNameInput
			status int
			code   string
			msg    string
		}{"name " + name, &apigatewayv2.CreateDomainNameInput{DomainName: aws.String(name), DomainNameConfigurations: conf(types.DomainNameConfiguration{})},
			400, "BadRequestException", "Invalid domain name specified: " + name + ". A domain name is two or more labels of letters, " +
				"digits and hyphens separated by dots; the first label may be the wildcard *"})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := e.c.CreateDomainName(e.ctx, c.in)
			wantAPIError(t, err, c.status, c.code, c.msg)
		})
	}

	// Missing domain names, for every operation on one [V].
	const missing = "Invalid domain name identifier specified"
	_, err := e.c.GetDomainName(e.ctx, &apigatewayv2.GetDomainNameInput{DomainName: aws.String("nope.example.com")})
	wantAPIError(t, err, 404, "NotFoundException", missing)
	_, err = e.c.UpdateDomainName(e.ctx, &apigatewayv2.UpdateDomainNameInput{DomainName: aws.String("nope.example.com")})
	wantAPIError(t, err, 404, "NotFoundException", missing)
	_, err = e.c.DeleteDomainName(e.ctx, &apigatewayv2.DeleteDomainNameInput{DomainName: aws.String("nope.example.com")})
	wantAPIError(t, err, 404, "NotFoundException", missing)
	wantRawError(t, "raw GetDomainName", e.raw(t, "GET", "/v2/domainnames/nope.example.com", "", nil), 404, "NotFoundException", missing)
	// The model's own check: domainName is required.
	wantRawError(t, "no domainName", e.raw(t, "POST", "/v2/domainnames", `{"domainNameConfigurations":[{"certificateArn":"`+testCertARN+`"}]}`, nil),
		400, "BadRequestException", "1 validation error detected: Value null at 'domainName' failed to satisfy constraint: Member must not be null")
}

// TestDomainNameLowerCase: a name given with capitals is created in lower
// case and is not found under its original spelling [I: aws/aws-cdk #8428].
func TestDomainNameLowerCase(t *testing.T) {
	e := newEnv(t)
	out := e.createDomainName(t, "API.Example.COM")
	if aws.ToString(out.DomainName) != "api.example.com" ||
		aws.ToString(out.DomainNameArn) != "arn:aws:apigateway:us-east-1::/domainnames/api.example.com" {
		t.Errorf("CreateDomainName: %+v", out)
	}
	_, err := e.c.GetDomainName(e.ctx, &apigatewayv2.GetDomainNameInput{DomainName: aws.String("API.Example.COM")})
	wantAPIError(t, err, 404, "NotFoundException", "Invalid domain name identifier specified")
	_, err = e.c.GetDomainName(e.ctx, &apigatewayv2.GetDomainNameInput{DomainName: aws.String("api.example.com")})
	must(t, err)
}

func TestDomainNameList(t *testing.T) {
	e := newEnv(t)
	wantBody(t, "GetDomainNames empty", e.raw(t, "GET", "/v2/domainnames", "", nil), 200, `{"items":[]}`)
	for _, n := range []string{"c.example.com", "a.example.com", "b.example.com"} {
		e.createDomainName(t, n)
	}
	var names []string
	var token *string
	for pages := 0; ; pages++ {
		out, err := e.c.GetDomainNames(e.ctx, &apigatewayv2.GetDomainNamesInput{MaxResults: aws.String("2"), NextToken: token})
		must(t, err)
		for _, d := range out.Items {
			names = append(names, *d.DomainName)
			if d.Tags == nil || d.RoutingMode != types.RoutingModeApiMappingOnly || len(d.DomainNameConfigurations) != 1 {
				t.Errorf("GetDomainNames item: %+v", d)
			}
		}
		if token = out.NextToken; token == nil {
			if pages != 1 {
				t.Errorf("%d pages, want 2", pages+1)
			}
			break
		}
	}
	if len(names) != 3 || names[0] != "a.example.com" || names[1] != "b.example.com" || names[2] != "c.example.com" {
		t.Errorf("GetDomainNames: %v", names)
	}
	_, err := e.c.GetDomainNames(e.ctx, &apigatewayv2.GetDomainNamesInput{MaxResults: aws.String("x")})
	wantAPIError(t, err, 400, "BadRequestException", `Invalid maxResults specified: "x". It must be a positive integer.`)
}

func TestDomainNameUpdate(t *testing.T) {
	e := newEnv(t)
	created := e.createDomainName(t, "api.example.com")
	const otherCert = "arn:aws:acm:us-east-1:123456789012:certificate/87654321-4321-4321-4321-210987654321"

	// The CLI example: only a new certificate.
	up, err := e.c.UpdateDomainName(e.ctx, &apigatewayv2.UpdateDomainNameInput{
		DomainName:               aws.String("api.example.com"),
		DomainNameConfigurations: []types.DomainNameConfiguration{{CertificateArn: aws.String(otherCert)}},
	})
	must(t, err)
	wantStatus(t, up.ResultMetadata, 200)
	c := up.DomainNameConfigurations[0]
	if aws.ToString(c.CertificateArn) != otherCert || c.EndpointType != types.EndpointTypeRegional ||
		c.SecurityPolicy != types.SecurityPolicyTls12 ||
		aws.ToString(c.ApiGatewayDomainName) != aws.ToString(created.DomainNameConfigurations[0].ApiGatewayDomainName) {
		t.Errorf("UpdateDomainName configuration: %+v", c)
	}

	// Mutual TLS on, a new version, off again (Terraform's "").
	up, err = e.c.UpdateDomainName(e.ctx, &apigatewayv2.UpdateDomainNameInput{DomainName: aws.String("api.example.com"),
		MutualTlsAuthentication: &types.MutualTlsAuthenticationInput{TruststoreUri: aws.String("s3://bucket-name/ts.pem")}})
	must(t, err)
	if up.MutualTlsAuthentication == nil || aws.ToString(up.MutualTlsAuthentication.TruststoreUri) != "s3://bucket-name/ts.pem" ||
		up.MutualTlsAuthentication.TruststoreVersion != nil || aws.ToString(up.DomainNameConfigurations[0].CertificateArn) != otherCert {
		t.Errorf("mutual TLS on: %+v", up.MutualTlsAuthentication)
	}
	up, err = e.c.UpdateDomainName(e.ctx, &apigatewayv2.UpdateDomainNameInput{DomainName: aws.String("api.example.com"),
		MutualTlsAuthentication: &types.MutualTlsAuthenticationInput{TruststoreVersion: aws.String("v2")}})
	must(t, err)
	if aws.ToString(up.MutualTlsAuthentication.TruststoreUri) != "s3://bucket-name/ts.pem" ||
		aws.ToString(up.MutualTlsAuthentication.TruststoreVersion) != "v2" {
		t.Errorf("truststore version: %+v", up.MutualTlsAuthentication)
	}
	up, err = e.c.UpdateDomainName(e.ctx, &apigatewayv2.UpdateDomainNameInput{DomainName: aws.String("api.example.com"),
		MutualTlsAuthentication: &types.MutualTlsAuthenticationInput{TruststoreUri: aws.String("")},
		RoutingMode:             types.RoutingModeRoutingRuleOnly})
	must(t, err)
	if up.MutualTlsAuthentication != nil || up.RoutingMode != types.RoutingModeRoutingRuleOnly {
		t.Errorf("mutual TLS off: %+v", up)
	}

	// The same rules as on create.
	_, err = e.c.UpdateDomainName(e.ctx, &apigatewayv2.UpdateDomainNameInput{DomainName: aws.String("api.example.com"),
		DomainNameConfigurations: []types.DomainNameConfiguration{{EndpointType: types.EndpointTypeEdge}}})
	wantAPIError(t, err, 400, "BadRequestException", "Only REGIONAL domain names can be managed through the API Gateway V2 API. "+
		"For EDGE domain names, please use the API Gateway V1 API. Also note that only REST APIs can be attached to EDGE domain names.")
	_, err = e.c.UpdateDomainName(e.ctx, &apigatewayv2.UpdateDomainNameInput{DomainName: aws.String("api.example.com"),
		DomainNameConfigurations: []types.DomainNameConfiguration{{SecurityPolicy: types.SecurityPolicyTls10}}})
	wantAPIError(t, err, 400, "BadRequestException", "TLS_1_0 is not supported for APIGatewayV2 domainName.")
	wantRawError(t, "empty configurations", e.raw(t, "PATCH", "/v2/domainnames/api.example.com", `{"domainNameConfigurations":[]}`, nil),
		400, "BadRequestException", "Invalid input. Expected one domain name configuration")
	// A refused update changes nothing; the change survives a restart.
	e.restart(t)
	got, err := e.c.GetDomainName(e.ctx, &apigatewayv2.GetDomainNameInput{DomainName: aws.String("api.example.com")})
	must(t, err)
	if aws.ToString(got.DomainNameConfigurations[0].CertificateArn) != otherCert || got.RoutingMode != types.RoutingModeRoutingRuleOnly ||
		got.DomainNameConfigurations[0].EndpointType != types.EndpointTypeRegional {
		t.Errorf("after restart: %+v", got)
	}
}

// TestDomainNameDeleteTakesChildren: deleting a domain name deletes its API
// mappings and routing rules [I].
func TestDomainNameDeleteTakesChildren(t *testing.T) {
	e := newEnv(t)
	api := e.createHTTPAPI(t, "h")
	e.createNamedStage(t, api, "prod")
	e.createDomainName(t, "api.example.com")
	m, err := e.c.CreateApiMapping(e.ctx, &apigatewayv2.CreateApiMappingInput{DomainName: aws.String("api.example.com"),
		ApiId: aws.String(api), Stage: aws.String("prod"), ApiMappingKey: aws.String("v1")})
	must(t, err)
	del, err := e.c.DeleteDomainName(e.ctx, &apigatewayv2.DeleteDomainNameInput{DomainName: aws.String("api.example.com")})
	must(t, err)
	wantStatus(t, del.ResultMetadata, 204)
	_, err = e.c.GetDomainName(e.ctx, &apigatewayv2.GetDomainNameInput{DomainName: aws.String("api.example.com")})
	wantAPIError(t, err, 404, "NotFoundException", "Invalid domain name identifier specified")

	e.createDomainName(t, "api.example.com")
	list, err := e.c.GetApiMappings(e.ctx, &apigatewayv2.GetApiMappingsInput{DomainName: aws.String("api.example.com")})
	must(t, err)
	if len(list.Items) != 0 {
		t.Errorf("a new domain name has the old one's mappings: %+v", list.Items)
	}
	_, err = e.c.GetApiMapping(e.ctx, &apigatewayv2.GetApiMappingInput{DomainName: aws.String("api.example.com"), ApiMappingId: m.ApiMappingId})
	wantAPIError(t, err, 404, "NotFoundException", "Invalid ApiMapping identifier specified "+*m.ApiMappingId)
	// The API is free to go once nothing maps it.
	_, err = e.c.DeleteApi(e.ctx, &apigatewayv2.DeleteApiInput{ApiId: aws.String(api)})
	must(t, err)
}
