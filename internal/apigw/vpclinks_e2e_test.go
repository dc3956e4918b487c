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

var vpcLinkIDPattern = regexp.MustCompile(`^[a-z0-9]{6}$`)

func (e *env) createVpcLink(t *testing.T, name string) string {
	t.Helper()
	out, err := e.c.CreateVpcLink(e.ctx, &apigatewayv2.CreateVpcLinkInput{Name: aws.String(name), SubnetIds: []string{"subnet-aaaa", "subnet-bbbb"}})
	must(t, err)
	return *out.VpcLinkId
}

// TestVpcLinkLifecycle: the shapes of the AWS CLI examples. CreateVpcLink
// answers 201 PENDING "VPC link is provisioning ENIs"; every later read
// sees AVAILABLE "VPC link is ready to route traffic" [I: AWS takes minutes,
// Portico none]. UpdateVpcLink changes the name; DeleteVpcLink is 202.
func TestVpcLinkLifecycle(t *testing.T) {
	e := newEnv(t)
	before := time.Now().Add(-2 * time.Second)
	created, err := e.c.CreateVpcLink(e.ctx, &apigatewayv2.CreateVpcLinkInput{Name: aws.String("MyVpcLink"),
		SubnetIds: []string{"subnet-aaaa", "subnet-bbbb"}, SecurityGroupIds: []string{"sg1234", "sg5678"},
		Tags: map[string]string{"team": "net"}})
	must(t, err)
	wantStatus(t, created.ResultMetadata, 201)
	id := aws.ToString(created.VpcLinkId)
	if !vpcLinkIDPattern.MatchString(id) {
		t.Errorf("vpcLinkId %q does not match %s", id, vpcLinkIDPattern)
	}
	if created.VpcLinkStatus != types.VpcLinkStatusPending || aws.ToString(created.VpcLinkStatusMessage) != "VPC link is provisioning ENIs" ||
		created.VpcLinkVersion != types.VpcLinkVersionV2 || aws.ToString(created.Name) != "MyVpcLink" ||
		!slices.Equal(created.SubnetIds, []string{"subnet-aaaa", "subnet-bbbb"}) || !slices.Equal(created.SecurityGroupIds, []string{"sg1234", "sg5678"}) ||
		created.Tags["team"] != "net" || created.CreatedDate == nil || created.CreatedDate.Before(before) {
		t.Errorf("CreateVpcLink: %+v", created)
	}
	check := func(op string, got types.VpcLink, name string) {
		t.Helper()
		if aws.ToString(got.VpcLinkId) != id || aws.ToString(got.Name) != name || got.VpcLinkStatus != types.VpcLinkStatusAvailable ||
			aws.ToString(got.VpcLinkStatusMessage) != "VPC link is ready to route traffic" || got.VpcLinkVersion != types.VpcLinkVersionV2 ||
			!slices.Equal(got.SubnetIds, []string{"subnet-aaaa", "subnet-bbbb"}) || !slices.Equal(got.SecurityGroupIds, []string{"sg1234", "sg5678"}) ||
			got.Tags["team"] != "net" || got.CreatedDate == nil || !got.CreatedDate.Equal(*created.CreatedDate) {
			t.Errorf("%s: %+v", op, got)
		}
	}
	get, err := e.c.GetVpcLink(e.ctx, &apigatewayv2.GetVpcLinkInput{VpcLinkId: &id})
	must(t, err)
	wantStatus(t, get.ResultMetadata, 200)
	check("GetVpcLink", types.VpcLink{CreatedDate: get.CreatedDate, Name: get.Name, SecurityGroupIds: get.SecurityGroupIds, SubnetIds: get.SubnetIds,
		Tags: get.Tags, VpcLinkId: get.VpcLinkId, VpcLinkStatus: get.VpcLinkStatus, VpcLinkStatusMessage: get.VpcLinkStatusMessage,
		VpcLinkVersion: get.VpcLinkVersion}, "MyVpcLink")
	list, err := e.c.GetVpcLinks(e.ctx, &apigatewayv2.GetVpcLinksInput{})
	must(t, err)
	if len(list.Items) != 1 || list.NextToken != nil {
		t.Fatalf("GetVpcLinks: %+v", list)
	}
	check("GetVpcLinks", list.Items[0], "MyVpcLink")

	up, err := e.c.UpdateVpcLink(e.ctx, &apigatewayv2.UpdateVpcLinkInput{VpcLinkId: &id, Name: aws.String("MyUpdatedVpcLink")})
	must(t, err)
	wantStatus(t, up.ResultMetadata, 200)
	check("UpdateVpcLink", types.VpcLink{CreatedDate: up.CreatedDate, Name: up.Name, SecurityGroupIds: up.SecurityGroupIds, SubnetIds: up.SubnetIds,
		Tags: up.Tags, VpcLinkId: up.VpcLinkId, VpcLinkStatus: up.VpcLinkStatus, VpcLinkStatusMessage: up.VpcLinkStatusMessage,
		VpcLinkVersion: up.VpcLinkVersion}, "MyUpdatedVpcLink")
	// No name: nothing changes.
	_, err = e.c.UpdateVpcLink(e.ctx, &apigatewayv2.UpdateVpcLinkInput{VpcLinkId: &id})
	must(t, err)

	// Durable, like everything else.
	e.restart(t)
	get, err = e.c.GetVpcLink(e.ctx, &apigatewayv2.GetVpcLinkInput{VpcLinkId: &id})
	must(t, err)
	if aws.ToString(get.Name) != "MyUpdatedVpcLink" {
		t.Errorf("after restart: name %q", aws.ToString(get.Name))
	}

	// The wire: 202 with an empty object, as the model's empty output.
	wantBody(t, "DeleteVpcLink", e.raw(t, "DELETE", "/v2/vpclinks/"+id, "", nil), 202, `{}`)
	_, err = e.c.GetVpcLink(e.ctx, &apigatewayv2.GetVpcLinkInput{VpcLinkId: &id})
	wantAPIError(t, err, 404, "NotFoundException", "Invalid VpcLink identifier specified "+id)
	wantBody(t, "GetVpcLinks empty", e.raw(t, "GET", "/v2/vpclinks", "", nil), 200, `{"items":[]}`)
}

// TestVpcLinkWire: the members of a link made with the fewest inputs. The
// CLI examples show "Tags": {} for a link created without tags; a link
// without security groups returns securityGroupIds: [] (the member is
// required in the VpcLink shape) [I].
func TestVpcLinkWire(t *testing.T) {
	e := newEnv(t)
	r := e.raw(t, "POST", "/v2/vpclinks", `{"name":"l","subnetIds":["subnet-1"]}`, nil)
	checkWire(t, "CreateVpcLink", r, 201)
	m := decodeObject(t, "CreateVpcLink", r.body)
	wantKeys(t, "CreateVpcLink", m, "createdDate", "name", "securityGroupIds", "subnetIds", "tags", "vpcLinkId",
		"vpcLinkStatus", "vpcLinkStatusMessage", "vpcLinkVersion")
	id := m["vpcLinkId"].(string)
	created := m["createdDate"].(string)
	if !isoSecondsPattern.MatchString(created) {
		t.Errorf("createdDate %q", created)
	}
	wantBody(t, "GetVpcLink", e.raw(t, "GET", "/v2/vpclinks/"+id, "", nil), 200,
		`{"createdDate":"`+created+`","name":"l","securityGroupIds":[],"subnetIds":["subnet-1"],"tags":{},"vpcLinkId":"`+id+
			`","vpcLinkStatus":"AVAILABLE","vpcLinkStatusMessage":"VPC link is ready to route traffic","vpcLinkVersion":"V2"}`)
}

// TestVpcLinkPages: GetVpcLinks pages like the other lists.
func TestVpcLinkPages(t *testing.T) {
	e := newEnv(t)
	var ids []string
	for range 3 {
		ids = append(ids, e.createVpcLink(t, "l"))
	}
	sort.Strings(ids)
	var got []string
	var token *string
	for {
		page, err := e.c.GetVpcLinks(e.ctx, &apigatewayv2.GetVpcLinksInput{MaxResults: aws.String("2"), NextToken: token})
		must(t, err)
		for _, l := range page.Items {
			got = append(got, *l.VpcLinkId)
		}
		if token = page.NextToken; token == nil {
			break
		}
	}
	if !slices.Equal(got, ids) {
		t.Errorf("pages gave %v, want %v", got, ids)
	}
}

// TestVpcLinkErrors: the name is 1 to 128 characters (model
// documentation), subnetIds is required and not empty [I], tags follow the
// tag rules; a missing link is a 404 on every operation.
func TestVpcLinkErrors(t *testing.T) {
	e := newEnv(t)
	cases := []struct {
		name string
		in   apigatewayv2.CreateVpcLinkInput
		msg  string
	}{
		{"empty name", apigatewayv2.CreateVpcLinkInput{Name: aws.String(""), SubnetIds: []string{"s"}},
			"1 validation error detected: Value '' at 'name' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"long name", apigatewayv2.CreateVpcLinkInput{Name: aws.String(strings.Repeat("n", 129)), SubnetIds: []string{"s"}},
			"1 validation error detected: Value '" + strings.Repeat("n", 64) + "...' at 'name' failed to satisfy constraint: Member must have length less than or equal to 128"},
		{"no subnet", apigatewayv2.CreateVpcLinkInput{Name: aws.String("l"), SubnetIds: []string{}},
			"Invalid subnetIds: at least one subnet ID must be specified for a VPC link"},
		{"reserved tag", apigatewayv2.CreateVpcLinkInput{Name: aws.String("l"), SubnetIds: []string{"s"}, Tags: map[string]string{"aws:x": "y"}},
			`Invalid tag key "aws:x": the aws: prefix is reserved`},
	}
	for _, c := range cases {
		_, err := e.c.CreateVpcLink(e.ctx, &c.in)
		wantAPIError(t, err, 400, "BadRequestException", c.msg)
	}
	// Required members, sent raw since the SDK checks them first.
	wantRawError(t, "no subnetIds", e.raw(t, "POST", "/v2/vpclinks", `{"name":"l"}`, nil), 400, "BadRequestException",
		"1 validation error detected: Value null at 'subnetIds' failed to satisfy constraint: Member must not be null")
	wantRawError(t, "no name", e.raw(t, "POST", "/v2/vpclinks", `{"subnetIds":["s"]}`, nil), 400, "BadRequestException",
		"1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null")
	list, err := e.c.GetVpcLinks(e.ctx, &apigatewayv2.GetVpcLinksInput{})
	must(t, err)
	if len(list.Items) != 0 {
		t.Fatalf("refused creates left %d links", len(list.Items))
	}

	id := e.createVpcLink(t, "l")
	_, err = e.c.UpdateVpcLink(e.ctx, &apigatewayv2.UpdateVpcLinkInput{VpcLinkId: &id, Name: aws.String("")})
	wantAPIError(t, err, 400, "BadRequestException",
		"1 validation error detected: Value '' at 'name' failed to satisfy constraint: Member must have length greater than or equal to 1")

	const missing = "abc123"
	_, err = e.c.GetVpcLink(e.ctx, &apigatewayv2.GetVpcLinkInput{VpcLinkId: aws.String(missing)})
	wantAPIError(t, err, 404, "NotFoundException", "Invalid VpcLink identifier specified abc123")
	_, err = e.c.UpdateVpcLink(e.ctx, &apigatewayv2.UpdateVpcLinkInput{VpcLinkId: aws.String(missing), Name: aws.String("x")})
	wantAPIError(t, err, 404, "NotFoundException", "Invalid VpcLink identifier specified abc123")
	_, err = e.c.DeleteVpcLink(e.ctx, &apigatewayv2.DeleteVpcLinkInput{VpcLinkId: aws.String(missing)})
	wantAPIError(t, err, 404, "NotFoundException", "Invalid VpcLink identifier specified abc123")
}

// TestVpcLinkScope: VPC links belong to an account and region, not to an
// API: another region or account sees none of them.
func TestVpcLinkScope(t *testing.T) {
	e := newEnv(t)
	id := e.createVpcLink(t, "l")
	for _, o := range []struct{ region, key, account string }{
		{"eu-west-1", "AKIDEXAMPLE", "000000000000"},
		{"us-east-1", "111122223333", "111122223333"},
	} {
		other := apigatewayv2.New(apigatewayv2.Options{
			Region: o.region, BaseEndpoint: aws.String(e.srv.URL), HTTPClient: e.hc, RetryMaxAttempts: 1,
			Credentials: credentials.NewStaticCredentialsProvider(o.key, "secret", ""),
		})
		list, err := other.GetVpcLinks(e.ctx, &apigatewayv2.GetVpcLinksInput{})
		must(t, err)
		if len(list.Items) != 0 {
			t.Errorf("%s/%s sees %d links", o.account, o.region, len(list.Items))
		}
		_, err = other.GetVpcLink(e.ctx, &apigatewayv2.GetVpcLinkInput{VpcLinkId: &id})
		wantAPIError(t, err, 404, "NotFoundException", "Invalid VpcLink identifier specified "+id)
	}
}

// TestVpcLinkInUse: a link an HTTP API integration uses cannot be deleted:
// AWS's 400 [V] lists the routes that reach it as Method:RouteId, joined
// with ", " [V for the REST API's list] in route id order [I]; $default
// shows as ANY [I]. An integration without routes still holds the link,
// with an empty list [I]. A WebSocket integration's connectionId names a
// REST API VPC link and does not hold it [I].
func TestVpcLinkInUse(t *testing.T) {
	e := newEnv(t)
	link := e.createVpcLink(t, "l")
	api := e.createHTTPAPI(t, "h")
	it, err := e.c.CreateIntegration(e.ctx, &apigatewayv2.CreateIntegrationInput{ApiId: &api,
		IntegrationType: types.IntegrationTypeHttpProxy, IntegrationMethod: aws.String("ANY"), PayloadFormatVersion: aws.String("1.0"),
		ConnectionType: types.ConnectionTypeVpcLink, ConnectionId: &link,
		IntegrationUri: aws.String("arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/my-alb/50dc6c495c0c9188/0467ef3c8400ae65")})
	must(t, err)
	target := "integrations/" + *it.IntegrationId
	var refs []string
	for _, key := range []string{"ANY /{proxy+}", "GET /pets", "$default"} {
		r, err := e.c.CreateRoute(e.ctx, &apigatewayv2.CreateRouteInput{ApiId: &api, RouteKey: aws.String(key), Target: &target})
		must(t, err)
		method, _, _ := strings.Cut(key, " ")
		if key == "$default" {
			method = "ANY"
		}
		refs = append(refs, *r.RouteId+"|"+method)
	}
	// A route without the integration is not listed.
	e.createRoute(t, api, "POST /other")
	sort.Strings(refs)
	var want []string
	var routeIDs []string
	for _, r := range refs {
		id, method, _ := strings.Cut(r, "|")
		want = append(want, method+":"+id)
		routeIDs = append(routeIDs, id)
	}
	msg := func(list string) string {
		return "Cannot delete vpc link. Vpc link '" + link + "', is referenced in [" + list + "] in format of [Method:Resource]."
	}
	_, err = e.c.DeleteVpcLink(e.ctx, &apigatewayv2.DeleteVpcLinkInput{VpcLinkId: &link})
	wantAPIError(t, err, 400, "BadRequestException", msg(strings.Join(want, ", ")))

	for _, id := range routeIDs {
		_, err := e.c.DeleteRoute(e.ctx, &apigatewayv2.DeleteRouteInput{ApiId: &api, RouteId: aws.String(id)})
		must(t, err)
	}
	_, err = e.c.DeleteVpcLink(e.ctx, &apigatewayv2.DeleteVpcLinkInput{VpcLinkId: &link})
	wantAPIError(t, err, 400, "BadRequestException", msg(""))

	// Back on the internet, the integration lets the link go.
	_, err = e.c.UpdateIntegration(e.ctx, &apigatewayv2.UpdateIntegrationInput{ApiId: &api, IntegrationId: it.IntegrationId,
		ConnectionType: types.ConnectionTypeInternet, IntegrationUri: aws.String("https://example.com")})
	must(t, err)
	ws := e.createWebSocketAPI(t, "w")
	_, err = e.c.CreateIntegration(e.ctx, &apigatewayv2.CreateIntegrationInput{ApiId: &ws,
		IntegrationType: types.IntegrationTypeHttpProxy, IntegrationMethod: aws.String("GET"),
		ConnectionType: types.ConnectionTypeVpcLink, ConnectionId: &link, IntegrationUri: aws.String("http://internal.example.com")})
	must(t, err)
	out, err := e.c.DeleteVpcLink(e.ctx, &apigatewayv2.DeleteVpcLinkInput{VpcLinkId: &link})
	must(t, err)
	wantStatus(t, out.ResultMetadata, 202)
}

// TestVpcLinkTags: a link's tags are the tags of its ARN.
func TestVpcLinkTags(t *testing.T) {
	e := newEnv(t)
	id := e.createVpcLink(t, "l")
	arn := vpcLinkARN(id)
	_, err := e.c.TagResource(e.ctx, &apigatewayv2.TagResourceInput{ResourceArn: &arn, Tags: map[string]string{"a": "1", "b": "2"}})
	must(t, err)
	_, err = e.c.UntagResource(e.ctx, &apigatewayv2.UntagResourceInput{ResourceArn: &arn, TagKeys: []string{"a"}})
	must(t, err)
	got, err := e.c.GetVpcLink(e.ctx, &apigatewayv2.GetVpcLinkInput{VpcLinkId: &id})
	must(t, err)
	wantTags(t, "GetVpcLink", got.Tags, map[string]string{"b": "2"})
	wantTags(t, "GetTags", e.getTags(t, arn), map[string]string{"b": "2"})
	_, err = e.c.DeleteVpcLink(e.ctx, &apigatewayv2.DeleteVpcLinkInput{VpcLinkId: &id})
	must(t, err)
	_, err = e.c.GetTags(e.ctx, &apigatewayv2.GetTagsInput{ResourceArn: &arn})
	wantAPIError(t, err, 404, "NotFoundException", "Invalid VpcLink identifier specified "+id)
}

// TestPrivateIntegrationNeedsVpcLink: an HTTP API's VPC_LINK integration
// must name an existing VPC link (400 otherwise, as for a route naming a
// missing integration).
func TestPrivateIntegrationNeedsVpcLink(t *testing.T) {
	e := newEnv(t)
	apiID := e.createHTTPAPI(t, "private")
	_, err := e.c.CreateIntegration(e.ctx, &apigatewayv2.CreateIntegrationInput{ApiId: &apiID, IntegrationType: types.IntegrationTypeHttpProxy,
		ConnectionType: types.ConnectionTypeVpcLink, ConnectionId: aws.String("nolink"), IntegrationMethod: aws.String("GET"),
		IntegrationUri: aws.String("arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/net/nlb/1/2"), PayloadFormatVersion: aws.String("1.0")})
	wantAPIError(t, err, 400, "BadRequestException", "Invalid VpcLink identifier specified nolink")
}
