package apigw_test

import (
	"maps"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"
)

// The ARNs of taggable resources in the test client's region: no account
// field (CLI tag-resource and get-tags examples).
func apiARN(apiID string) string { return "arn:aws:apigateway:us-east-1::/apis/" + apiID }
func stageARN(apiID, stage string) string {
	return "arn:aws:apigateway:us-east-1::/apis/" + apiID + "/stages/" + stage
}
func vpcLinkARN(id string) string { return "arn:aws:apigateway:us-east-1::/vpclinks/" + id }

// tagsPath is the control-plane path of an ARN's tags, every byte
// percent-encoded.
func tagsPath(arn string) string { return "/v2/tags/" + escapeAll(arn) }

func (e *env) getTags(t *testing.T, arn string) map[string]string {
	t.Helper()
	out, err := e.c.GetTags(e.ctx, &apigatewayv2.GetTagsInput{ResourceArn: aws.String(arn)})
	must(t, err)
	wantStatus(t, out.ResultMetadata, 200)
	return out.Tags
}

func wantTags(t *testing.T, what string, got, want map[string]string) {
	t.Helper()
	if got == nil || !maps.Equal(got, want) {
		t.Errorf("%s: tags %v, want %v", what, got, want)
	}
}

// TestTagsAPI: the tags of an API are one set, whether given to CreateApi
// or to TagResource, read by GetApi or GetTags. TagResource merges (a key
// given again takes the new value), UntagResource removes the keys given
// and ignores the others [I].
func TestTagsAPI(t *testing.T) {
	e := newEnv(t)
	created, err := e.c.CreateApi(e.ctx, &apigatewayv2.CreateApiInput{Name: aws.String("pets"), ProtocolType: types.ProtocolTypeHttp,
		Tags: map[string]string{"team": "payments", "env": "test"}})
	must(t, err)
	id := *created.ApiId
	arn := apiARN(id)
	wantTags(t, "GetTags after create", e.getTags(t, arn), map[string]string{"team": "payments", "env": "test"})

	tagged, err := e.c.TagResource(e.ctx, &apigatewayv2.TagResourceInput{ResourceArn: aws.String(arn),
		Tags: map[string]string{"env": "prod", "owner": "", "cost-center": "42"}})
	must(t, err)
	wantStatus(t, tagged.ResultMetadata, 201)
	want := map[string]string{"team": "payments", "env": "prod", "owner": "", "cost-center": "42"}
	wantTags(t, "GetTags after TagResource", e.getTags(t, arn), want)
	api, err := e.c.GetApi(e.ctx, &apigatewayv2.GetApiInput{ApiId: &id})
	must(t, err)
	wantTags(t, "GetApi after TagResource", api.Tags, want)

	untagged, err := e.c.UntagResource(e.ctx, &apigatewayv2.UntagResourceInput{ResourceArn: aws.String(arn),
		TagKeys: []string{"team", "owner", "never-set"}})
	must(t, err)
	wantStatus(t, untagged.ResultMetadata, 204)
	want = map[string]string{"env": "prod", "cost-center": "42"}
	wantTags(t, "GetTags after UntagResource", e.getTags(t, arn), want)
	apis, err := e.c.GetApis(e.ctx, &apigatewayv2.GetApisInput{})
	must(t, err)
	wantTags(t, "GetApis after UntagResource", apis.Items[0].Tags, want)

	// The wire: 201 and 204 with no error, {"tags": {...}}, and {} when
	// the resource has none.
	r := e.raw(t, "POST", tagsPath(arn), `{"tags":{"a":"1"}}`, nil)
	checkWire(t, "TagResource", r, 201)
	wantBody(t, "GetTags", e.raw(t, "GET", tagsPath(arn), "", nil), 200, `{"tags":{"a":"1","cost-center":"42","env":"prod"}}`)
	r = e.raw(t, "DELETE", tagsPath(arn)+"?tagKeys=a&tagKeys=env&tagKeys=cost-center", "", nil)
	checkWire(t, "UntagResource", r, 204)
	if r.body != "" {
		t.Errorf("UntagResource body %q", r.body)
	}
	wantBody(t, "GetTags without tags", e.raw(t, "GET", tagsPath(arn), "", nil), 200, `{"tags":{}}`)
	// A WebSocket API is taggable too, and TagResource without tags changes
	// nothing [I].
	ws := e.createWebSocketAPI(t, "chat")
	_, err = e.c.TagResource(e.ctx, &apigatewayv2.TagResourceInput{ResourceArn: aws.String(apiARN(ws))})
	must(t, err)
	wantTags(t, "WebSocket API", e.getTags(t, apiARN(ws)), map[string]string{})

	// Tags are durable like the rest.
	_, err = e.c.TagResource(e.ctx, &apigatewayv2.TagResourceInput{ResourceArn: aws.String(arn), Tags: map[string]string{"kept": "yes"}})
	must(t, err)
	e.restart(t)
	wantTags(t, "after restart", e.getTags(t, arn), map[string]string{"kept": "yes"})
}

// TestTagsStage: stages are tagged by their ARN under the API, $default
// included; tags given to CreateStage are the same tags. Tagging is not a
// change to the API's configuration: no redeploy of autoDeploy stages, and
// the stage's lastUpdatedDate stays [I].
func TestTagsStage(t *testing.T) {
	e := newEnv(t)
	api := e.createHTTPAPI(t, "h")
	st, err := e.c.CreateStage(e.ctx, &apigatewayv2.CreateStageInput{ApiId: &api, StageName: aws.String("$default"),
		AutoDeploy: aws.Bool(true), Tags: map[string]string{"tier": "gold"}})
	must(t, err)
	arn := stageARN(api, "$default")
	wantTags(t, "GetTags after CreateStage", e.getTags(t, arn), map[string]string{"tier": "gold"})

	_, err = e.c.TagResource(e.ctx, &apigatewayv2.TagResourceInput{ResourceArn: aws.String(arn), Tags: map[string]string{"owner": "me"}})
	must(t, err)
	_, err = e.c.TagResource(e.ctx, &apigatewayv2.TagResourceInput{ResourceArn: aws.String(apiARN(api)), Tags: map[string]string{"api": "tag"}})
	must(t, err)
	_, err = e.c.UntagResource(e.ctx, &apigatewayv2.UntagResourceInput{ResourceArn: aws.String(arn), TagKeys: []string{"tier"}})
	must(t, err)
	got, err := e.c.GetStage(e.ctx, &apigatewayv2.GetStageInput{ApiId: &api, StageName: aws.String("$default")})
	must(t, err)
	wantTags(t, "GetStage", got.Tags, map[string]string{"owner": "me"})
	wantTags(t, "GetTags", e.getTags(t, arn), map[string]string{"owner": "me"})
	if aws.ToString(got.DeploymentId) != aws.ToString(st.DeploymentId) || !got.LastUpdatedDate.Equal(*st.LastUpdatedDate) {
		t.Errorf("tagging redeployed or touched the stage: deployment %s -> %s, lastUpdatedDate %v -> %v",
			aws.ToString(st.DeploymentId), aws.ToString(got.DeploymentId), st.LastUpdatedDate, got.LastUpdatedDate)
	}
	ds, err := e.c.GetDeployments(e.ctx, &apigatewayv2.GetDeploymentsInput{ApiId: &api})
	must(t, err)
	if len(ds.Items) != 1 {
		t.Errorf("%d deployments after tagging, want the one of CreateStage", len(ds.Items))
	}

	// A deleted stage has no tags to read.
	_, err = e.c.DeleteStage(e.ctx, &apigatewayv2.DeleteStageInput{ApiId: &api, StageName: aws.String("$default")})
	must(t, err)
	_, err = e.c.GetTags(e.ctx, &apigatewayv2.GetTagsInput{ResourceArn: aws.String(arn)})
	wantAPIError(t, err, 404, "NotFoundException", "Invalid stage identifier specified")
}

// TestTagsErrors: what is not the ARN of a taggable resource is a 400 [I];
// a taggable resource that does not exist in the caller's account and
// region is that resource's 404, on each of the three operations. Tags
// break the same rules as on create.
func TestTagsErrors(t *testing.T) {
	e := newEnv(t)
	api := e.createHTTPAPI(t, "h")
	route := e.createRoute(t, api, "GET /pets")
	_, err := e.c.CreateStage(e.ctx, &apigatewayv2.CreateStageInput{ApiId: &api, StageName: aws.String("dev")})
	must(t, err)
	invalid := func(arn string) string {
		return "Invalid resource ARN specified: " + arn + ". Taggable resources are " +
			"arn:{partition}:apigateway:{region}::/apis/{apiId}, ::/apis/{apiId}/stages/{stageName}, " +
			"::/vpclinks/{vpcLinkId}, ::/domainnames/{domainName}, :{account}:/portals/{portalId} and " +
			":{account}:/portalproducts/{portalProductId}"
	}
	cases := []struct {
		name, arn string
		status    int
		code, msg string
	}{
		{"not an ARN", "not-an-arn", 400, "BadRequestException", invalid("not-an-arn")},
		{"another service", "arn:aws:execute-api:us-east-1::/apis/" + api, 400, "BadRequestException",
			invalid("arn:aws:execute-api:us-east-1::/apis/" + api)},
		{"an account field", "arn:aws:apigateway:us-east-1:000000000000:/apis/" + api, 400, "BadRequestException",
			invalid("arn:aws:apigateway:us-east-1:000000000000:/apis/" + api)},
		{"no region", "arn:aws:apigateway:::/apis/" + api, 400, "BadRequestException", invalid("arn:aws:apigateway:::/apis/" + api)},
		{"a route", apiARN(api) + "/routes/" + route, 400, "BadRequestException", invalid(apiARN(api) + "/routes/" + route)},
		{"stages without a name", apiARN(api) + "/stages", 400, "BadRequestException", invalid(apiARN(api) + "/stages")},
		{"an empty id", "arn:aws:apigateway:us-east-1::/apis/", 400, "BadRequestException", invalid("arn:aws:apigateway:us-east-1::/apis/")},
		{"a trailing slash", apiARN(api) + "/", 400, "BadRequestException", invalid(apiARN(api) + "/")},
		{"a REST API", "arn:aws:apigateway:us-east-1::/restapis/abc", 400, "BadRequestException",
			invalid("arn:aws:apigateway:us-east-1::/restapis/abc")},
		{"missing API", apiARN("nope123456"), 404, "NotFoundException", "Invalid API identifier specified 000000000000:nope123456"},
		{"stage of a missing API", stageARN("nope123456", "dev"), 404, "NotFoundException",
			"Invalid API identifier specified 000000000000:nope123456"},
		{"missing stage", stageARN(api, "prod"), 404, "NotFoundException", "Invalid stage identifier specified"},
		{"missing VPC link", vpcLinkARN("abc123"), 404, "NotFoundException", "Invalid VpcLink identifier specified abc123"},
		// No such domain name (AWS's text has no identifier after it).
		{"domain name", "arn:aws:apigateway:us-east-1::/domainnames/api.example.com", 404, "NotFoundException",
			"Invalid domain name identifier specified"},
		// The API exists, in us-east-1: an ARN of another region names
		// nothing in the caller's region [I].
		{"another region", "arn:aws:apigateway:eu-west-1::/apis/" + api, 404, "NotFoundException",
			"Invalid API identifier specified 000000000000:" + api},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := e.c.GetTags(e.ctx, &apigatewayv2.GetTagsInput{ResourceArn: aws.String(c.arn)})
			wantAPIError(t, err, c.status, c.code, c.msg)
			_, err = e.c.TagResource(e.ctx, &apigatewayv2.TagResourceInput{ResourceArn: aws.String(c.arn), Tags: map[string]string{"k": "v"}})
			wantAPIError(t, err, c.status, c.code, c.msg)
			_, err = e.c.UntagResource(e.ctx, &apigatewayv2.UntagResourceInput{ResourceArn: aws.String(c.arn), TagKeys: []string{"k"}})
			wantAPIError(t, err, c.status, c.code, c.msg)
		})
	}
	// Nothing above tagged the API.
	wantTags(t, "after the errors", e.getTags(t, apiARN(api)), map[string]string{})

	fifty := map[string]string{}
	for i := range 50 {
		fifty["k"+strings.Repeat("x", i)] = "v"
	}
	fiftyOne := maps.Clone(fifty)
	fiftyOne["one-more"] = "v"
	tagCases := []struct {
		name string
		tags map[string]string
		msg  string
	}{
		{"reserved prefix", map[string]string{"aws:cloudformation:stack-name": "s"}, `Invalid tag key "aws:cloudformation:stack-name": the aws: prefix is reserved`},
		{"reserved prefix in capitals", map[string]string{"AWS:x": "s"}, `Invalid tag key "AWS:x": the aws: prefix is reserved`},
		{"key too long", map[string]string{strings.Repeat("k", 129): "v"},
			`Invalid tag key "` + strings.Repeat("k", 129) + `": tag keys must be 1 to 128 characters long`},
		{"empty key", map[string]string{"": "v"}, `Invalid tag key "": tag keys must be 1 to 128 characters long`},
		{"value too long", map[string]string{"k": strings.Repeat("v", 257)}, `Invalid value for tag "k": tag values must be at most 256 characters long`},
		{"51 tags", fiftyOne, "Too many tags: at most 50 tags can be set on a resource"},
	}
	for _, c := range tagCases {
		_, err := e.c.TagResource(e.ctx, &apigatewayv2.TagResourceInput{ResourceArn: aws.String(apiARN(api)), Tags: c.tags})
		wantAPIError(t, err, 400, "BadRequestException", c.msg)
	}
	// The limit counts the tags the resource ends up with: 50 at create
	// time, then one more is refused, and a key given again is not one more.
	created, err := e.c.CreateApi(e.ctx, &apigatewayv2.CreateApiInput{Name: aws.String("full"), ProtocolType: types.ProtocolTypeHttp, Tags: fifty})
	must(t, err)
	full := apiARN(*created.ApiId)
	_, err = e.c.TagResource(e.ctx, &apigatewayv2.TagResourceInput{ResourceArn: aws.String(full), Tags: map[string]string{"one-more": "v"}})
	wantAPIError(t, err, 400, "BadRequestException", "Too many tags: at most 50 tags can be set on a resource")
	_, err = e.c.TagResource(e.ctx, &apigatewayv2.TagResourceInput{ResourceArn: aws.String(full), Tags: map[string]string{"k": "new"}})
	must(t, err)
	if got := e.getTags(t, full); len(got) != 50 || got["k"] != "new" {
		t.Errorf("after retagging a key: %d tags, k=%q", len(got), got["k"])
	}
	// tagKeys is required (the model); raw, since the SDK checks it first.
	wantRawError(t, "UntagResource without tagKeys", e.raw(t, "DELETE", tagsPath(apiARN(api)), "", nil), 400, "BadRequestException",
		"1 validation error detected: Value null at 'tagKeys' failed to satisfy constraint: Member must not be null")
}

// TestTagsScope: the resource is looked up in the caller's account and
// region; another account does not see an API's tags.
func TestTagsScope(t *testing.T) {
	e := newEnv(t)
	api := e.createHTTPAPI(t, "h")
	_, err := e.c.TagResource(e.ctx, &apigatewayv2.TagResourceInput{ResourceArn: aws.String(apiARN(api)), Tags: map[string]string{"a": "b"}})
	must(t, err)
	other := apigatewayv2.New(apigatewayv2.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(e.srv.URL), HTTPClient: e.hc, RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("111122223333", "secret", ""),
	})
	_, err = other.GetTags(e.ctx, &apigatewayv2.GetTagsInput{ResourceArn: aws.String(apiARN(api))})
	wantAPIError(t, err, 404, "NotFoundException", "Invalid API identifier specified 111122223333:"+api)
	_, err = other.TagResource(e.ctx, &apigatewayv2.TagResourceInput{ResourceArn: aws.String(apiARN(api)), Tags: map[string]string{"c": "d"}})
	wantAPIError(t, err, 404, "NotFoundException", "Invalid API identifier specified 111122223333:"+api)
	wantTags(t, "owner's view", e.getTags(t, apiARN(api)), map[string]string{"a": "b"})
}

// TestDomainNameTags: a domain name's tags are its create-time tags, and
// TagResource/UntagResource change them.
func TestDomainNameTags(t *testing.T) {
	e := newEnv(t)
	e.createDomainName(t, "tags.example.com")
	arn := "arn:aws:apigateway:us-east-1::/domainnames/tags.example.com"
	_, err := e.c.TagResource(e.ctx, &apigatewayv2.TagResourceInput{ResourceArn: aws.String(arn), Tags: map[string]string{"team": "edge"}})
	must(t, err)
	got, err := e.c.GetTags(e.ctx, &apigatewayv2.GetTagsInput{ResourceArn: aws.String(arn)})
	must(t, err)
	if got.Tags["team"] != "edge" {
		t.Errorf("tags: %v", got.Tags)
	}
	dn, err := e.c.GetDomainName(e.ctx, &apigatewayv2.GetDomainNameInput{DomainName: aws.String("tags.example.com")})
	must(t, err)
	if dn.Tags["team"] != "edge" {
		t.Errorf("GetDomainName tags: %v", dn.Tags)
	}
	_, err = e.c.UntagResource(e.ctx, &apigatewayv2.UntagResourceInput{ResourceArn: aws.String(arn), TagKeys: []string{"team"}})
	must(t, err)
	got, err = e.c.GetTags(e.ctx, &apigatewayv2.GetTagsInput{ResourceArn: aws.String(arn)})
	must(t, err)
	if len(got.Tags) != 0 {
		t.Errorf("after untag: %v", got.Tags)
	}
}
