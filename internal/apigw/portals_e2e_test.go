package apigw_test

import (
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"
)

var portalsIDPattern = regexp.MustCompile(`^[a-z0-9]{10}$`)

const (
	portalUserPoolARN = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_AbCdEf123"
	portalCertARN     = "arn:aws:acm:us-east-1:123456789012:certificate/0b1c2d3e-4f5a-6b7c-8d9e-0f1a2b3c4d5e"
)

func portalColors() *types.CustomColors {
	return &types.CustomColors{
		AccentColor: aws.String("#FF9900"), BackgroundColor: aws.String("#FFFFFF"), ErrorValidationColor: aws.String("#D13212"),
		HeaderColor: aws.String("#232F3E"), NavigationColor: aws.String("#37475A"), TextColor: aws.String("#000000"),
	}
}

func portalContent(name string) *types.PortalContent {
	return &types.PortalContent{DisplayName: aws.String(name), Theme: &types.PortalTheme{CustomColors: portalColors()}}
}

// newPortalInput is the smallest valid CreatePortal input: no
// authorization, the default domain.
func newPortalInput(name string) *apigatewayv2.CreatePortalInput {
	return &apigatewayv2.CreatePortalInput{
		Authorization:         &types.Authorization{None: &types.None{}},
		EndpointConfiguration: &types.EndpointConfigurationRequest{None: &types.None{}},
		PortalContent:         portalContent(name),
	}
}

func (e *env) createTestPortal(t *testing.T, name string) string {
	t.Helper()
	out, err := e.c.CreatePortal(e.ctx, newPortalInput(name))
	must(t, err)
	return *out.PortalId
}

func portalARNOf(account, id string) string {
	return "arn:aws:apigateway:us-east-1:" + account + ":/portals/" + id
}

func portalProductARNOf(account, id string) string {
	return "arn:aws:apigateway:us-east-1:" + account + ":/portalproducts/" + id
}

// portalTestProduct creates a portal product and returns its ARN.
func (e *env) portalTestProduct(t *testing.T, name string) string {
	t.Helper()
	out, err := e.c.CreatePortalProduct(e.ctx, &apigatewayv2.CreatePortalProductInput{DisplayName: aws.String(name)})
	must(t, err)
	return *out.PortalProductArn
}

// TestPortalLifecycle: a portal is created DISABLED (developer guide),
// updated without changing its publish status, published (202, PUBLISHED
// at once [I]), previewed (202, PREVIEW_READY at once [I]), refused
// deletion while published, disabled (204) and deleted (204).
func TestPortalLifecycle(t *testing.T) {
	e := newEnv(t)
	before := time.Now().Add(-2 * time.Second)
	in := newPortalInput("Pet Store")
	in.PortalContent.Description = aws.String("APIs for pets")
	in.RumAppMonitorName = aws.String("portal-rum")
	in.Tags = map[string]string{"team": "docs"}
	created, err := e.c.CreatePortal(e.ctx, in)
	must(t, err)
	wantStatus(t, created.ResultMetadata, 201)
	id := aws.ToString(created.PortalId)
	if !portalsIDPattern.MatchString(id) {
		t.Fatalf("portalId %q does not match %s", id, portalsIDPattern)
	}
	wantEndpoint := func(op string, ec *types.EndpointConfigurationResponse, domain, cert string) {
		t.Helper()
		if ec == nil || aws.ToString(ec.PortalDefaultDomainName) != "p-"+id+".apigw-portal.us-east-1.on.aws" ||
			aws.ToString(ec.PortalDomainHostedZoneId) != "Z2FDTNDATAQYW2" ||
			aws.ToString(ec.DomainName) != domain || aws.ToString(ec.CertificateArn) != cert {
			t.Errorf("%s: endpointConfiguration %+v", op, ec)
		}
	}
	if aws.ToString(created.PortalArn) != portalARNOf(defaultAccount, id) || created.PublishStatus != types.PublishStatusDisabled ||
		created.Authorization == nil || created.Authorization.None == nil || created.Authorization.CognitoConfig != nil ||
		aws.ToString(created.PortalContent.DisplayName) != "Pet Store" || aws.ToString(created.PortalContent.Description) != "APIs for pets" ||
		aws.ToString(created.PortalContent.Theme.CustomColors.AccentColor) != "#FF9900" || created.PortalContent.Theme.LogoLastUploaded != nil ||
		aws.ToString(created.RumAppMonitorName) != "portal-rum" || created.Tags["team"] != "docs" ||
		created.IncludedPortalProductArns == nil || len(created.IncludedPortalProductArns) != 0 ||
		created.LastModified == nil || created.LastModified.Before(before) || created.LastPublished != nil || created.StatusException != nil {
		t.Errorf("CreatePortal: %+v", created)
	}
	wantEndpoint("CreatePortal", created.EndpointConfiguration, "", "")

	get, err := e.c.GetPortal(e.ctx, &apigatewayv2.GetPortalInput{PortalId: &id})
	must(t, err)
	wantStatus(t, get.ResultMetadata, 200)
	if aws.ToString(get.PortalId) != id || aws.ToString(get.PortalArn) != *created.PortalArn || get.PublishStatus != types.PublishStatusDisabled ||
		aws.ToString(get.PortalContent.DisplayName) != "Pet Store" || get.Preview != nil || !get.LastModified.Equal(*created.LastModified) ||
		get.Tags["team"] != "docs" || aws.ToString(get.RumAppMonitorName) != "portal-rum" {
		t.Errorf("GetPortal: %+v", get)
	}
	wantEndpoint("GetPortal", get.EndpointConfiguration, "", "")

	list, err := e.c.ListPortals(e.ctx, &apigatewayv2.ListPortalsInput{})
	must(t, err)
	wantStatus(t, list.ResultMetadata, 200)
	if len(list.Items) != 1 || list.NextToken != nil || aws.ToString(list.Items[0].PortalId) != id ||
		list.Items[0].PublishStatus != types.PublishStatusDisabled || list.Items[0].IncludedPortalProductArns == nil {
		t.Fatalf("ListPortals: %+v", list)
	}

	// Update: the content as a whole, a logo, no RUM monitor any more.
	time.Sleep(1100 * time.Millisecond) // lastModified has second precision
	up, err := e.c.UpdatePortal(e.ctx, &apigatewayv2.UpdatePortalInput{PortalId: &id, PortalContent: portalContent("Pet Store v2"),
		LogoUri: aws.String("s3://my-bucket/logos/logo.png"), RumAppMonitorName: aws.String("")})
	must(t, err)
	wantStatus(t, up.ResultMetadata, 200)
	if aws.ToString(up.PortalContent.DisplayName) != "Pet Store v2" || up.PortalContent.Description != nil ||
		up.PortalContent.Theme.LogoLastUploaded == nil || up.RumAppMonitorName != nil || up.PublishStatus != types.PublishStatusDisabled ||
		!up.LastModified.After(*created.LastModified) || up.Tags["team"] != "docs" || up.Authorization.None == nil {
		t.Errorf("UpdatePortal: %+v", up)
	}
	wantEndpoint("UpdatePortal", up.EndpointConfiguration, "", "")
	logoTime := *up.PortalContent.Theme.LogoLastUploaded
	// New content without logoUri keeps the logo.
	up, err = e.c.UpdatePortal(e.ctx, &apigatewayv2.UpdatePortalInput{PortalId: &id, PortalContent: portalContent("Pet Store v3")})
	must(t, err)
	if up.PortalContent.Theme.LogoLastUploaded == nil || !up.PortalContent.Theme.LogoLastUploaded.Equal(logoTime) {
		t.Errorf("UpdatePortal without logoUri: logoLastUploaded %v, want %v", up.PortalContent.Theme.LogoLastUploaded, logoTime)
	}

	pub, err := e.c.PublishPortal(e.ctx, &apigatewayv2.PublishPortalInput{PortalId: &id, Description: aws.String("First release")})
	must(t, err)
	wantStatus(t, pub.ResultMetadata, 202)
	get, err = e.c.GetPortal(e.ctx, &apigatewayv2.GetPortalInput{PortalId: &id})
	must(t, err)
	if get.PublishStatus != types.PublishStatusPublished || get.LastPublished == nil || get.LastPublished.Before(before) ||
		aws.ToString(get.LastPublishedDescription) != "First release" || get.StatusException != nil {
		t.Errorf("GetPortal after PublishPortal: %+v", get)
	}
	// An update of a published portal waits for the next publication.
	up, err = e.c.UpdatePortal(e.ctx, &apigatewayv2.UpdatePortalInput{PortalId: &id, RumAppMonitorName: aws.String("rum2")})
	must(t, err)
	if up.PublishStatus != types.PublishStatusPublished || aws.ToString(up.PortalContent.DisplayName) != "Pet Store v3" {
		t.Errorf("UpdatePortal of a published portal: %+v", up)
	}

	prev, err := e.c.PreviewPortal(e.ctx, &apigatewayv2.PreviewPortalInput{PortalId: &id})
	must(t, err)
	wantStatus(t, prev.ResultMetadata, 202)
	get, err = e.c.GetPortal(e.ctx, &apigatewayv2.GetPortalInput{PortalId: &id})
	must(t, err)
	if get.Preview == nil || get.Preview.PreviewStatus != types.PreviewStatusPreviewReady ||
		aws.ToString(get.Preview.PreviewUrl) != "https://p-"+id+".apigw-portal.us-east-1.on.aws/preview" {
		t.Errorf("GetPortal after PreviewPortal: preview %+v", get.Preview)
	}

	_, err = e.c.DeletePortal(e.ctx, &apigatewayv2.DeletePortalInput{PortalId: &id})
	wantAPIError(t, err, 400, "BadRequestException",
		"Portal "+id+" cannot be deleted while its publish status is PUBLISHED. Disable the portal first")

	// Durable, like everything else.
	e.restart(t)
	dis, err := e.c.DisablePortal(e.ctx, &apigatewayv2.DisablePortalInput{PortalId: &id})
	must(t, err)
	wantStatus(t, dis.ResultMetadata, 204)
	get, err = e.c.GetPortal(e.ctx, &apigatewayv2.GetPortalInput{PortalId: &id})
	must(t, err)
	if get.PublishStatus != types.PublishStatusDisabled || get.LastPublished == nil || aws.ToString(get.LastPublishedDescription) != "First release" ||
		aws.ToString(get.RumAppMonitorName) != "rum2" || get.Preview == nil {
		t.Errorf("GetPortal after DisablePortal: %+v", get)
	}
	// Disabling again changes nothing [I].
	_, err = e.c.DisablePortal(e.ctx, &apigatewayv2.DisablePortalInput{PortalId: &id})
	must(t, err)

	del, err := e.c.DeletePortal(e.ctx, &apigatewayv2.DeletePortalInput{PortalId: &id})
	must(t, err)
	wantStatus(t, del.ResultMetadata, 204)
	_, err = e.c.GetPortal(e.ctx, &apigatewayv2.GetPortalInput{PortalId: &id})
	wantAPIError(t, err, 404, "NotFoundException", "Invalid Portal identifier specified "+id)
}

// TestPortalWire: the exact members on the wire. CreatePortal's output has
// no preview member (model); publishStatus DISABLED, tags {} and
// includedPortalProductArns [] are always there. PublishPortal and
// PreviewPortal answer 202 {}, DisablePortal and DeletePortal 204.
func TestPortalWire(t *testing.T) {
	e := newEnv(t)
	colors := `{"accentColor":"#a","backgroundColor":"#b","errorValidationColor":"#c","headerColor":"#d","navigationColor":"#e","textColor":"#f"}`
	r := e.raw(t, "POST", "/v2/portals", `{"authorization":{"none":{}},"endpointConfiguration":{"none":{}},`+
		`"portalContent":{"displayName":"Docs","theme":{"customColors":`+colors+`}}}`, nil)
	checkWire(t, "CreatePortal", r, 201)
	m := decodeObject(t, "CreatePortal", r.body)
	wantKeys(t, "CreatePortal", m, "authorization", "endpointConfiguration", "includedPortalProductArns", "lastModified",
		"portalArn", "portalContent", "portalId", "publishStatus", "tags")
	id := m["portalId"].(string)
	modified := m["lastModified"].(string)
	if !isoSecondsPattern.MatchString(modified) {
		t.Errorf("lastModified %q", modified)
	}
	want := `{"authorization":{"none":{}},"endpointConfiguration":{"portalDefaultDomainName":"p-` + id +
		`.apigw-portal.us-east-1.on.aws","portalDomainHostedZoneId":"Z2FDTNDATAQYW2"},"includedPortalProductArns":[],` +
		`"lastModified":"` + modified + `","portalArn":"arn:aws:apigateway:us-east-1:000000000000:/portals/` + id +
		`","portalContent":{"displayName":"Docs","theme":{"customColors":` + colors + `}},"portalId":"` + id +
		`","publishStatus":"DISABLED","tags":{}}`
	wantBody(t, "CreatePortal body", r, 201, want)
	wantBody(t, "GetPortal", e.raw(t, "GET", "/v2/portals/"+id, "", nil), 200, want)
	wantBody(t, "ListPortals", e.raw(t, "GET", "/v2/portals", "", nil), 200, `{"items":[`+want+`]}`)

	wantBody(t, "PublishPortal", e.raw(t, "POST", "/v2/portals/"+id+"/publish", `{}`, nil), 202, `{}`)
	wantBody(t, "PreviewPortal", e.raw(t, "POST", "/v2/portals/"+id+"/preview", ``, nil), 202, `{}`)
	m = decodeObject(t, "GetPortal", e.raw(t, "GET", "/v2/portals/"+id, "", nil).body)
	wantKeys(t, "GetPortal published", m, "authorization", "endpointConfiguration", "includedPortalProductArns", "lastModified",
		"lastPublished", "portalArn", "portalContent", "portalId", "preview", "publishStatus", "tags")
	if m["publishStatus"] != "PUBLISHED" || !isoSecondsPattern.MatchString(m["lastPublished"].(string)) {
		t.Errorf("GetPortal published: %v", m)
	}
	if p := m["preview"].(map[string]any); len(p) != 2 || p["previewStatus"] != "PREVIEW_READY" {
		t.Errorf("preview %v", p)
	}
	wantBody(t, "DisablePortal", e.raw(t, "DELETE", "/v2/portals/"+id+"/publish", "", nil), 204, ``)
	wantBody(t, "DeletePortal", e.raw(t, "DELETE", "/v2/portals/"+id, "", nil), 204, ``)
	wantBody(t, "ListPortals empty", e.raw(t, "GET", "/v2/portals", "", nil), 200, `{"items":[]}`)
}

// TestPortalAuthorizationAndDomain: a Cognito user pool of the portal's
// region and a custom domain with an ACM certificate of us-east-1 round
// trip; switching back to none drops them, and frees the domain name.
func TestPortalAuthorizationAndDomain(t *testing.T) {
	e := newEnv(t)
	in := newPortalInput("Secure")
	in.Authorization = &types.Authorization{CognitoConfig: &types.CognitoConfig{AppClientId: aws.String("1example23456789"),
		UserPoolArn: aws.String(portalUserPoolARN), UserPoolDomain: aws.String("https://auth.example.com")}}
	in.EndpointConfiguration = &types.EndpointConfigurationRequest{AcmManaged: &types.ACMManaged{
		CertificateArn: aws.String(portalCertARN), DomainName: aws.String("developer.example.com")}}
	created, err := e.c.CreatePortal(e.ctx, in)
	must(t, err)
	id := *created.PortalId
	cc := created.Authorization.CognitoConfig
	if cc == nil || created.Authorization.None != nil || aws.ToString(cc.AppClientId) != "1example23456789" ||
		aws.ToString(cc.UserPoolArn) != portalUserPoolARN || aws.ToString(cc.UserPoolDomain) != "https://auth.example.com" {
		t.Errorf("authorization %+v", created.Authorization)
	}
	ec := created.EndpointConfiguration
	if aws.ToString(ec.DomainName) != "developer.example.com" || aws.ToString(ec.CertificateArn) != portalCertARN ||
		aws.ToString(ec.PortalDefaultDomainName) != "p-"+id+".apigw-portal.us-east-1.on.aws" {
		t.Errorf("endpointConfiguration %+v", ec)
	}

	// The domain name serves one portal (case-insensitively): 400 on
	// create (no ConflictException in the model), 409 on update.
	other := e.createTestPortal(t, "Other")
	in2 := newPortalInput("Clash")
	in2.EndpointConfiguration = &types.EndpointConfigurationRequest{AcmManaged: &types.ACMManaged{
		CertificateArn: aws.String(portalCertARN), DomainName: aws.String("Developer.Example.com")}}
	_, err = e.c.CreatePortal(e.ctx, in2)
	wantAPIError(t, err, 400, "BadRequestException", "Domain name Developer.Example.com is already used by portal "+id)
	_, err = e.c.UpdatePortal(e.ctx, &apigatewayv2.UpdatePortalInput{PortalId: &other, EndpointConfiguration: in2.EndpointConfiguration})
	wantAPIError(t, err, 409, "ConflictException", "Domain name Developer.Example.com is already used by portal "+id)
	// The portal that has it may set it again.
	_, err = e.c.UpdatePortal(e.ctx, &apigatewayv2.UpdatePortalInput{PortalId: &id, EndpointConfiguration: in.EndpointConfiguration})
	must(t, err)

	up, err := e.c.UpdatePortal(e.ctx, &apigatewayv2.UpdatePortalInput{PortalId: &id,
		Authorization:         &types.Authorization{None: &types.None{}},
		EndpointConfiguration: &types.EndpointConfigurationRequest{None: &types.None{}}})
	must(t, err)
	if up.Authorization.None == nil || up.Authorization.CognitoConfig != nil || up.EndpointConfiguration.DomainName != nil ||
		up.EndpointConfiguration.CertificateArn != nil || aws.ToString(up.EndpointConfiguration.PortalDefaultDomainName) == "" {
		t.Errorf("UpdatePortal to none: %+v %+v", up.Authorization, up.EndpointConfiguration)
	}
	_, err = e.c.UpdatePortal(e.ctx, &apigatewayv2.UpdatePortalInput{PortalId: &other, EndpointConfiguration: in2.EndpointConfiguration})
	must(t, err)
}

// TestPortalProducts: includedPortalProductArns name portal products of
// the account and region (records of portalproducts.go).
func TestPortalProducts(t *testing.T) {
	e := newEnv(t)
	a := e.portalTestProduct(t, "Pets")
	b := e.portalTestProduct(t, "Stores")
	in := newPortalInput("With products")
	in.IncludedPortalProductArns = []string{a, b}
	created, err := e.c.CreatePortal(e.ctx, in)
	must(t, err)
	if !slices.Equal(created.IncludedPortalProductArns, []string{a, b}) {
		t.Errorf("CreatePortal: includedPortalProductArns %v", created.IncludedPortalProductArns)
	}
	id := *created.PortalId
	up, err := e.c.UpdatePortal(e.ctx, &apigatewayv2.UpdatePortalInput{PortalId: &id, IncludedPortalProductArns: []string{b}})
	must(t, err)
	if !slices.Equal(up.IncludedPortalProductArns, []string{b}) {
		t.Errorf("UpdatePortal: includedPortalProductArns %v", up.IncludedPortalProductArns)
	}
	// An update without the member keeps the list; [] empties it.
	up, err = e.c.UpdatePortal(e.ctx, &apigatewayv2.UpdatePortalInput{PortalId: &id, RumAppMonitorName: aws.String("m")})
	must(t, err)
	if !slices.Equal(up.IncludedPortalProductArns, []string{b}) {
		t.Errorf("UpdatePortal without the list: %v", up.IncludedPortalProductArns)
	}
	up, err = e.c.UpdatePortal(e.ctx, &apigatewayv2.UpdatePortalInput{PortalId: &id, IncludedPortalProductArns: []string{}})
	must(t, err)
	if up.IncludedPortalProductArns == nil || len(up.IncludedPortalProductArns) != 0 {
		t.Errorf("UpdatePortal with []: %v", up.IncludedPortalProductArns)
	}

	productID := a[strings.LastIndex(a, "/")+1:]
	_, err = e.c.DeletePortalProduct(e.ctx, &apigatewayv2.DeletePortalProductInput{PortalProductId: &productID})
	must(t, err)
	_, err = e.c.UpdatePortal(e.ctx, &apigatewayv2.UpdatePortalInput{PortalId: &id, IncludedPortalProductArns: []string{a}})
	wantAPIError(t, err, 400, "BadRequestException", "Invalid portal product ARN specified: "+a+". No such portal product exists")
}

// TestPortalErrors: the model's constraints, then Portico's checks of the
// choices, ARNs, domain and logo [I], and 404 on every operation naming a
// missing portal.
func TestPortalErrors(t *testing.T) {
	e := newEnv(t)
	// Required members, sent raw since the SDK checks them first.
	colors := `{"accentColor":"#a","backgroundColor":"#b","errorValidationColor":"#c","headerColor":"#d","navigationColor":"#e","textColor":"#f"}`
	content := `"portalContent":{"displayName":"Docs","theme":{"customColors":` + colors + `}}`
	for _, c := range []struct{ name, body, msg string }{
		{"no authorization", `{"endpointConfiguration":{"none":{}},` + content + `}`,
			"1 validation error detected: Value null at 'authorization' failed to satisfy constraint: Member must not be null"},
		{"no endpointConfiguration", `{"authorization":{"none":{}},` + content + `}`,
			"1 validation error detected: Value null at 'endpointConfiguration' failed to satisfy constraint: Member must not be null"},
		{"no portalContent", `{"authorization":{"none":{}},"endpointConfiguration":{"none":{}}}`,
			"1 validation error detected: Value null at 'portalContent' failed to satisfy constraint: Member must not be null"},
		{"no color", `{"authorization":{"none":{}},"endpointConfiguration":{"none":{}},"portalContent":{"displayName":"Docs","theme":{"customColors":{"accentColor":"#a"}}}}`,
			"1 validation error detected: Value null at 'portalContent.theme.customColors.backgroundColor' failed to satisfy constraint: Member must not be null"},
		{"no user pool", `{"authorization":{"cognitoConfig":{"appClientId":"x"}},"endpointConfiguration":{"none":{}},` + content + `}`,
			"1 validation error detected: Value null at 'authorization.cognitoConfig.userPoolArn' failed to satisfy constraint: Member must not be null"},
		{"empty authorization", `{"authorization":{},"endpointConfiguration":{"none":{}},` + content + `}`,
			"Invalid authorization: exactly one of cognitoConfig and none must be specified"},
		{"empty endpointConfiguration", `{"authorization":{"none":{}},"endpointConfiguration":{},` + content + `}`,
			"Invalid endpointConfiguration: exactly one of acmManaged and none must be specified"},
	} {
		wantRawError(t, c.name, e.raw(t, "POST", "/v2/portals", c.body, nil), 400, "BadRequestException", c.msg)
	}

	with := func(f func(*apigatewayv2.CreatePortalInput)) *apigatewayv2.CreatePortalInput {
		in := newPortalInput("Docs")
		f(in)
		return in
	}
	cognito := func(arn string) *types.Authorization {
		return &types.Authorization{CognitoConfig: &types.CognitoConfig{AppClientId: aws.String("client"),
			UserPoolArn: aws.String(arn), UserPoolDomain: aws.String("https://auth.example.com")}}
	}
	acm := func(cert, domain string) *types.EndpointConfigurationRequest {
		return &types.EndpointConfigurationRequest{AcmManaged: &types.ACMManaged{CertificateArn: aws.String(cert), DomainName: aws.String(domain)}}
	}
	otherRegionProduct := "arn:aws:apigateway:eu-west-1:000000000000:/portalproducts/p000000000"
	otherAccountProduct := portalProductARNOf("111122223333", "p000000000")
	missingProduct := portalProductARNOf(defaultAccount, "p000000000")
	cases := []struct {
		name   string
		in     *apigatewayv2.CreatePortalInput
		status int
		code   string
		msg    string
	}{
		{"short displayName", with(func(in *apigatewayv2.CreatePortalInput) { in.PortalContent.DisplayName = aws.String("ab") }), 400, "BadRequestException",
			"1 validation error detected: Value 'ab' at 'portalContent.displayName' failed to satisfy constraint: Member must have length greater than or equal to 3"},
		{"long color", with(func(in *apigatewayv2.CreatePortalInput) {
			in.PortalContent.Theme.CustomColors.TextColor = aws.String(strings.Repeat("f", 17))
		}), 400, "BadRequestException",
			"1 validation error detected: Value 'fffffffffffffffff' at 'portalContent.theme.customColors.textColor' failed to satisfy constraint: Member must have length less than or equal to 16"},
		{"both authorizations", with(func(in *apigatewayv2.CreatePortalInput) {
			in.Authorization = cognito(portalUserPoolARN)
			in.Authorization.None = &types.None{}
		}), 400, "BadRequestException", "Invalid authorization: exactly one of cognitoConfig and none must be specified"},
		{"both endpoints", with(func(in *apigatewayv2.CreatePortalInput) {
			in.EndpointConfiguration = acm(portalCertARN, "docs.example.com")
			in.EndpointConfiguration.None = &types.None{}
		}), 400, "BadRequestException", "Invalid endpointConfiguration: exactly one of acmManaged and none must be specified"},
		{"not a user pool", with(func(in *apigatewayv2.CreatePortalInput) {
			in.Authorization = cognito("arn:aws:iam::123456789012:role/portal")
		}), 400, "BadRequestException",
			"Invalid userPoolArn specified: arn:aws:iam::123456789012:role/portal. It must be the ARN of an Amazon Cognito user pool, arn:{partition}:cognito-idp:{region}:{accountId}:userpool/{userPoolId}"},
		{"user pool of another region", with(func(in *apigatewayv2.CreatePortalInput) {
			in.Authorization = cognito("arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbC")
		}), 400, "BadRequestException",
			"Invalid userPoolArn specified: arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbC. The user pool must be in the portal's region us-east-1"},
		{"certificate of another region", with(func(in *apigatewayv2.CreatePortalInput) {
			in.EndpointConfiguration = acm("arn:aws:acm:eu-west-1:123456789012:certificate/abc", "docs.example.com")
		}), 400, "BadRequestException",
			"Invalid certificateArn specified: arn:aws:acm:eu-west-1:123456789012:certificate/abc. It must be the ARN of an ACM certificate in us-east-1, arn:{partition}:acm:us-east-1:{accountId}:certificate/{certificateId}"},
		{"bad domain", with(func(in *apigatewayv2.CreatePortalInput) {
			in.EndpointConfiguration = acm(portalCertARN, "not a domain")
		}),
			400, "BadRequestException", "Invalid domainName specified: not a domain. It must be a fully qualified domain name"},
		{"single-label domain", with(func(in *apigatewayv2.CreatePortalInput) { in.EndpointConfiguration = acm(portalCertARN, "localhost") }),
			400, "BadRequestException", "Invalid domainName specified: localhost. It must be a fully qualified domain name"},
		{"logo not in S3", with(func(in *apigatewayv2.CreatePortalInput) { in.LogoUri = aws.String("https://example.com/logo.png") }),
			400, "BadRequestException", "Invalid logoUri specified: https://example.com/logo.png. It must be the S3 URI (s3://bucket/key) of a .svg, .png or .jpg file"},
		{"logo gif", with(func(in *apigatewayv2.CreatePortalInput) { in.LogoUri = aws.String("s3://bucket/logo.gif") }),
			400, "BadRequestException", "Invalid logoUri specified: s3://bucket/logo.gif. It must be the S3 URI (s3://bucket/key) of a .svg, .png or .jpg file"},
		{"not a product ARN", with(func(in *apigatewayv2.CreatePortalInput) {
			in.IncludedPortalProductArns = []string{"arn:aws:apigateway:us-east-1::/apis/abcdef1234"}
		}), 400, "BadRequestException",
			"Invalid portal product ARN specified: arn:aws:apigateway:us-east-1::/apis/abcdef1234. It must be arn:{partition}:apigateway:{region}:{accountId}:/portalproducts/{portalProductId}"},
		{"product of another region", with(func(in *apigatewayv2.CreatePortalInput) { in.IncludedPortalProductArns = []string{otherRegionProduct} }),
			400, "BadRequestException",
			"Invalid portal product ARN specified: " + otherRegionProduct + ". A portal can only include portal products of its region us-east-1"},
		{"product of another account", with(func(in *apigatewayv2.CreatePortalInput) { in.IncludedPortalProductArns = []string{otherAccountProduct} }),
			403, "AccessDeniedException", "Portal product " + otherAccountProduct + " is not shared with account 000000000000"},
		{"missing product", with(func(in *apigatewayv2.CreatePortalInput) { in.IncludedPortalProductArns = []string{missingProduct} }),
			400, "BadRequestException", "Invalid portal product ARN specified: " + missingProduct + ". No such portal product exists"},
		{"product twice", with(func(in *apigatewayv2.CreatePortalInput) {
			in.IncludedPortalProductArns = []string{missingProduct, missingProduct}
		}), 400, "BadRequestException", "Invalid includedPortalProductArns: " + missingProduct + " appears more than once"},
		{"reserved tag", with(func(in *apigatewayv2.CreatePortalInput) { in.Tags = map[string]string{"aws:x": "y"} }),
			400, "BadRequestException", `Invalid tag key "aws:x": the aws: prefix is reserved`},
	}
	for _, c := range cases {
		_, err := e.c.CreatePortal(e.ctx, c.in)
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		wantAPIError(t, err, c.status, c.code, c.msg)
	}
	list, err := e.c.ListPortals(e.ctx, &apigatewayv2.ListPortalsInput{})
	must(t, err)
	if len(list.Items) != 0 {
		t.Fatalf("refused creates left %d portals", len(list.Items))
	}

	// Updates are checked the same way.
	id := e.createTestPortal(t, "Docs")
	_, err = e.c.UpdatePortal(e.ctx, &apigatewayv2.UpdatePortalInput{PortalId: &id, LogoUri: aws.String("s3://bucket/logo.bmp")})
	wantAPIError(t, err, 400, "BadRequestException", "Invalid logoUri specified: s3://bucket/logo.bmp. It must be the S3 URI (s3://bucket/key) of a .svg, .png or .jpg file")
	_, err = e.c.UpdatePortal(e.ctx, &apigatewayv2.UpdatePortalInput{PortalId: &id, Authorization: &types.Authorization{}})
	wantAPIError(t, err, 400, "BadRequestException", "Invalid authorization: exactly one of cognitoConfig and none must be specified")
	_, err = e.c.UpdatePortal(e.ctx, &apigatewayv2.UpdatePortalInput{PortalId: &id, IncludedPortalProductArns: []string{missingProduct}})
	wantAPIError(t, err, 400, "BadRequestException", "Invalid portal product ARN specified: "+missingProduct+". No such portal product exists")
	wantRawError(t, "UpdatePortal portalContent without theme", e.raw(t, "PATCH", "/v2/portals/"+id, `{"portalContent":{"displayName":"Docs"}}`, nil),
		400, "BadRequestException", "1 validation error detected: Value null at 'portalContent.theme' failed to satisfy constraint: Member must not be null")
	_, err = e.c.PublishPortal(e.ctx, &apigatewayv2.PublishPortalInput{PortalId: &id, Description: aws.String(strings.Repeat("d", 1025))})
	wantAPIError(t, err, 400, "BadRequestException",
		"1 validation error detected: Value '"+strings.Repeat("d", 64)+"...' at 'description' failed to satisfy constraint: Member must have length less than or equal to 1024")
	_, err = e.c.ListPortals(e.ctx, &apigatewayv2.ListPortalsInput{MaxResults: aws.String("zero")})
	wantAPIError(t, err, 400, "BadRequestException", `Invalid maxResults specified: "zero". It must be a positive integer.`)

	const missing = "abcdef1234"
	msg := "Invalid Portal identifier specified " + missing
	_, err = e.c.GetPortal(e.ctx, &apigatewayv2.GetPortalInput{PortalId: aws.String(missing)})
	wantAPIError(t, err, 404, "NotFoundException", msg)
	_, err = e.c.UpdatePortal(e.ctx, &apigatewayv2.UpdatePortalInput{PortalId: aws.String(missing), RumAppMonitorName: aws.String("m")})
	wantAPIError(t, err, 404, "NotFoundException", msg)
	_, err = e.c.DeletePortal(e.ctx, &apigatewayv2.DeletePortalInput{PortalId: aws.String(missing)})
	wantAPIError(t, err, 404, "NotFoundException", msg)
	_, err = e.c.PublishPortal(e.ctx, &apigatewayv2.PublishPortalInput{PortalId: aws.String(missing)})
	wantAPIError(t, err, 404, "NotFoundException", msg)
	_, err = e.c.PreviewPortal(e.ctx, &apigatewayv2.PreviewPortalInput{PortalId: aws.String(missing)})
	wantAPIError(t, err, 404, "NotFoundException", msg)
	_, err = e.c.DisablePortal(e.ctx, &apigatewayv2.DisablePortalInput{PortalId: aws.String(missing)})
	wantAPIError(t, err, 404, "NotFoundException", msg)
}

// TestPortalPages: ListPortals pages like the other lists.
func TestPortalPages(t *testing.T) {
	e := newEnv(t)
	var ids []string
	for range 3 {
		ids = append(ids, e.createTestPortal(t, "Portal"))
	}
	sort.Strings(ids)
	var got []string
	var token *string
	for {
		page, err := e.c.ListPortals(e.ctx, &apigatewayv2.ListPortalsInput{MaxResults: aws.String("2"), NextToken: token})
		must(t, err)
		if len(page.Items) > 2 {
			t.Fatalf("page of %d items", len(page.Items))
		}
		for _, p := range page.Items {
			got = append(got, *p.PortalId)
		}
		if token = page.NextToken; token == nil {
			break
		}
	}
	if !slices.Equal(got, ids) {
		t.Errorf("pages gave %v, want %v", got, ids)
	}
}

// TestPortalScope: portals belong to an account and region; the ARN
// carries both.
func TestPortalScope(t *testing.T) {
	e := newEnv(t)
	id := e.createTestPortal(t, "Mine")
	for _, o := range []struct{ region, key, account string }{
		{"eu-west-1", "AKIDEXAMPLE", "000000000000"},
		{"us-east-1", "111122223333", "111122223333"},
	} {
		other := apigatewayv2.New(apigatewayv2.Options{
			Region: o.region, BaseEndpoint: aws.String(e.srv.URL), HTTPClient: e.hc, RetryMaxAttempts: 1,
			Credentials: credentials.NewStaticCredentialsProvider(o.key, "secret", ""),
		})
		list, err := other.ListPortals(e.ctx, &apigatewayv2.ListPortalsInput{})
		must(t, err)
		if len(list.Items) != 0 {
			t.Errorf("%s/%s sees %d portals", o.region, o.account, len(list.Items))
		}
		_, err = other.GetPortal(e.ctx, &apigatewayv2.GetPortalInput{PortalId: &id})
		wantAPIError(t, err, 404, "NotFoundException", "Invalid Portal identifier specified "+id)
		out, err := other.CreatePortal(e.ctx, newPortalInput("Theirs"))
		must(t, err)
		want := "arn:aws:apigateway:" + o.region + ":" + o.account + ":/portals/" + *out.PortalId
		if aws.ToString(out.PortalArn) != want ||
			aws.ToString(out.EndpointConfiguration.PortalDefaultDomainName) != "p-"+*out.PortalId+".apigw-portal."+o.region+".on.aws" {
			t.Errorf("%s/%s: portalArn %q (want %q), endpoint %+v", o.region, o.account, aws.ToString(out.PortalArn), want, out.EndpointConfiguration)
		}
	}
}

// TestPortalTags: TagResource and GetTags reach portals by their ARN.
func TestPortalTags(t *testing.T) {
	e := newEnv(t)
	p, err := e.c.CreatePortal(e.ctx, newPortalInput("docs"))
	must(t, err)
	_, err = e.c.TagResource(e.ctx, &apigatewayv2.TagResourceInput{ResourceArn: p.PortalArn, Tags: map[string]string{"team": "docs"}})
	must(t, err)
	got, err := e.c.GetTags(e.ctx, &apigatewayv2.GetTagsInput{ResourceArn: p.PortalArn})
	must(t, err)
	if got.Tags["team"] != "docs" {
		t.Errorf("tags: %v", got.Tags)
	}
}
