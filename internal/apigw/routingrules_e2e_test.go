package apigw_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"
)

var routingRuleIDPattern = regexp.MustCompile(`^[a-z0-9]{6}$`)

// rulesDomain creates a domain name whose routing mode takes routing rules.
func (e *env) rulesDomain(t *testing.T, name string) {
	t.Helper()
	_, err := e.c.CreateDomainName(e.ctx, &apigatewayv2.CreateDomainNameInput{
		DomainName:               aws.String(name),
		DomainNameConfigurations: []types.DomainNameConfiguration{{CertificateArn: aws.String(testCertARN)}},
		RoutingMode:              types.RoutingModeRoutingRuleThenApiMapping,
	})
	must(t, err)
}

func basePathCondition(p string) types.RoutingRuleCondition {
	return types.RoutingRuleCondition{MatchBasePaths: &types.RoutingRuleMatchBasePaths{AnyOf: []string{p}}}
}

func headerCondition(name, glob string) types.RoutingRuleCondition {
	return types.RoutingRuleCondition{MatchHeaders: &types.RoutingRuleMatchHeaders{AnyOf: []types.RoutingRuleMatchHeaderValue{
		{Header: aws.String(name), ValueGlob: aws.String(glob)}}}}
}

func invokeAction(apiID, stage string) []types.RoutingRuleAction {
	return []types.RoutingRuleAction{{InvokeApi: &types.RoutingRuleActionInvokeApi{ApiId: aws.String(apiID), Stage: aws.String(stage)}}}
}

func TestRoutingRuleLifecycle(t *testing.T) {
	e := newEnv(t)
	api := e.createHTTPAPI(t, "h")
	e.createNamedStage(t, api, "prod")
	e.createNamedStage(t, api, "beta")
	e.rulesDomain(t, "regional.example.com")

	// The CLI create-routing-rule example.
	out, err := e.c.CreateRoutingRule(e.ctx, &apigatewayv2.CreateRoutingRuleInput{
		DomainName: aws.String("regional.example.com"), Priority: aws.Int32(50),
		Conditions: []types.RoutingRuleCondition{basePathCondition("PetStoreShopper")},
		Actions:    invokeAction(api, "prod"),
	})
	must(t, err)
	wantStatus(t, out.ResultMetadata, 201)
	id := aws.ToString(out.RoutingRuleId)
	if !routingRuleIDPattern.MatchString(id) || aws.ToInt32(out.Priority) != 50 ||
		aws.ToString(out.RoutingRuleArn) != "arn:aws:apigateway:us-east-1:000000000000:/domainnames/regional.example.com/routingrules/"+id ||
		len(out.Actions) != 1 || aws.ToString(out.Actions[0].InvokeApi.ApiId) != api ||
		out.Actions[0].InvokeApi.StripBasePath == nil || *out.Actions[0].InvokeApi.StripBasePath ||
		len(out.Conditions) != 1 || out.Conditions[0].MatchBasePaths.AnyOf[0] != "PetStoreShopper" {
		t.Errorf("CreateRoutingRule: %+v", out)
	}
	// The wire form, as in the CLI example: stripBasePath false is there.
	r := e.raw(t, "GET", "/v2/domainnames/regional.example.com/routingrules/"+id, "", nil)
	wantBody(t, "GetRoutingRule", r, 200, `{"actions":[{"invokeApi":{"apiId":"`+api+`","stage":"prod","stripBasePath":false}}],`+
		`"conditions":[{"matchBasePaths":{"anyOf":["PetStoreShopper"]}}],"priority":50,`+
		`"routingRuleArn":"arn:aws:apigateway:us-east-1:000000000000:/domainnames/regional.example.com/routingrules/`+id+`","routingRuleId":"`+id+`"}`)

	// Terraform's configuration: two header conditions and a base path, the
	// base path stripped.
	tf, err := e.c.CreateRoutingRule(e.ctx, &apigatewayv2.CreateRoutingRuleInput{
		DomainName: aws.String("regional.example.com"), Priority: aws.Int32(1),
		Conditions: []types.RoutingRuleCondition{headerCondition("X-Example-Header", "example-*"),
			headerCondition("X-Example-Header2", "example-*"), basePathCondition("example-path")},
		Actions: []types.RoutingRuleAction{{InvokeApi: &types.RoutingRuleActionInvokeApi{ApiId: aws.String(api), Stage: aws.String("beta"),
			StripBasePath: aws.Bool(true)}}},
	})
	must(t, err)
	// A catch-all rule: no conditions.
	catchAll, err := e.c.CreateRoutingRule(e.ctx, &apigatewayv2.CreateRoutingRuleInput{
		DomainName: aws.String("regional.example.com"), Priority: aws.Int32(1000000),
		Conditions: []types.RoutingRuleCondition{}, Actions: invokeAction(api, "prod"),
	})
	must(t, err)

	// ListRoutingRules: routingRules, not items, in priority order.
	list, err := e.c.ListRoutingRules(e.ctx, &apigatewayv2.ListRoutingRulesInput{DomainName: aws.String("regional.example.com")})
	must(t, err)
	if len(list.RoutingRules) != 3 || *list.RoutingRules[0].RoutingRuleId != *tf.RoutingRuleId ||
		*list.RoutingRules[1].RoutingRuleId != id || *list.RoutingRules[2].RoutingRuleId != *catchAll.RoutingRuleId || list.NextToken != nil {
		t.Errorf("ListRoutingRules: %+v", list)
	}
	var seen []int32
	var token *string
	for {
		page, err := e.c.ListRoutingRules(e.ctx, &apigatewayv2.ListRoutingRulesInput{DomainName: aws.String("regional.example.com"),
			MaxResults: aws.Int32(2), NextToken: token})
		must(t, err)
		for _, rr := range page.RoutingRules {
			seen = append(seen, *rr.Priority)
		}
		if token = page.NextToken; token == nil {
			break
		}
	}
	if len(seen) != 3 || seen[0] != 1 || seen[1] != 50 || seen[2] != 1000000 {
		t.Errorf("ListRoutingRules pages: %v", seen)
	}
	wantBody(t, "ListRoutingRules other domain", func() rawResponse {
		e.rulesDomain(t, "empty.example.com")
		return e.raw(t, "GET", "/v2/domainnames/empty.example.com/routingrules", "", nil)
	}(), 200, `{"routingRules":[]}`)

	// PutRoutingRule replaces priority, conditions and actions.
	put, err := e.c.PutRoutingRule(e.ctx, &apigatewayv2.PutRoutingRuleInput{
		DomainName: aws.String("regional.example.com"), RoutingRuleId: aws.String(id), Priority: aws.Int32(150),
		Conditions: []types.RoutingRuleCondition{headerCondition("x-version", "*beta*")},
		Actions:    invokeAction(api, "beta"),
	})
	must(t, err)
	wantStatus(t, put.ResultMetadata, 200)
	if aws.ToInt32(put.Priority) != 150 || aws.ToString(put.RoutingRuleId) != id || aws.ToString(put.RoutingRuleArn) != aws.ToString(out.RoutingRuleArn) ||
		len(put.Conditions) != 1 || put.Conditions[0].MatchHeaders == nil || aws.ToString(put.Actions[0].InvokeApi.Stage) != "beta" {
		t.Errorf("PutRoutingRule: %+v", put)
	}
	// Its old priority is free again; a taken one is a conflict [I].
	_, err = e.c.CreateRoutingRule(e.ctx, &apigatewayv2.CreateRoutingRuleInput{DomainName: aws.String("regional.example.com"),
		Priority: aws.Int32(50), Conditions: []types.RoutingRuleCondition{}, Actions: invokeAction(api, "prod")})
	must(t, err)
	_, err = e.c.PutRoutingRule(e.ctx, &apigatewayv2.PutRoutingRuleInput{DomainName: aws.String("regional.example.com"),
		RoutingRuleId: aws.String(id), Priority: aws.Int32(1), Conditions: []types.RoutingRuleCondition{}, Actions: invokeAction(api, "prod")})
	wantAPIError(t, err, 409, "ConflictException", "A routing rule with priority 1 already exists for this domain name")
	_, err = e.c.CreateRoutingRule(e.ctx, &apigatewayv2.CreateRoutingRuleInput{DomainName: aws.String("regional.example.com"),
		Priority: aws.Int32(150), Conditions: []types.RoutingRuleCondition{}, Actions: invokeAction(api, "prod")})
	wantAPIError(t, err, 409, "ConflictException", "A routing rule with priority 150 already exists for this domain name")

	del, err := e.c.DeleteRoutingRule(e.ctx, &apigatewayv2.DeleteRoutingRuleInput{DomainName: aws.String("regional.example.com"), RoutingRuleId: aws.String(id)})
	must(t, err)
	wantStatus(t, del.ResultMetadata, 204)
	_, err = e.c.GetRoutingRule(e.ctx, &apigatewayv2.GetRoutingRuleInput{DomainName: aws.String("regional.example.com"), RoutingRuleId: aws.String(id)})
	wantAPIError(t, err, 404, "NotFoundException", "Invalid RoutingRule identifier specified "+id)
	_, err = e.c.DeleteRoutingRule(e.ctx, &apigatewayv2.DeleteRoutingRuleInput{DomainName: aws.String("regional.example.com"), RoutingRuleId: aws.String(id)})
	wantAPIError(t, err, 404, "NotFoundException", "Invalid RoutingRule identifier specified "+id)

	// Rules survive a restart.
	e.restart(t)
	list, err = e.c.ListRoutingRules(e.ctx, &apigatewayv2.ListRoutingRulesInput{DomainName: aws.String("regional.example.com")})
	must(t, err)
	if len(list.RoutingRules) != 3 {
		t.Errorf("after restart: %+v", list.RoutingRules)
	}
}

func TestRoutingRuleErrors(t *testing.T) {
	e := newEnv(t)
	api := e.createHTTPAPI(t, "h")
	e.createNamedStage(t, api, "prod")
	wsAPI := e.createWebSocketAPI(t, "w")
	e.createNamedStage(t, wsAPI, "prod")
	e.rulesDomain(t, "rules.example.com")
	e.createDomainName(t, "mappings.example.com") // API_MAPPING_ONLY

	type rule struct {
		conditions []types.RoutingRuleCondition
		actions    []types.RoutingRuleAction
	}
	ok := invokeAction(api, "prod")
	strip := []types.RoutingRuleAction{{InvokeApi: &types.RoutingRuleActionInvokeApi{ApiId: aws.String(api), Stage: aws.String("prod"), StripBasePath: aws.Bool(true)}}}
	bad := func(detail string) string { return "Invalid routing rule: " + detail }
	cases := []struct {
		name   string
		domain string
		r      rule
		status int
		code   string
		msg    string
	}{
		{"missing domain", "nope.example.com", rule{nil, ok}, 404, "NotFoundException", "Invalid domain name identifier specified"},
		// [D] an API_MAPPING_ONLY domain takes no routing rules; [I] text.
		{"API_MAPPING_ONLY", "mappings.example.com", rule{nil, ok}, 400, "BadRequestException",
			"Routing rules can't be created on a domain name whose routing mode is API_MAPPING_ONLY"},
		{"missing api", "rules.example.com", rule{nil, invokeAction("nope123456", "prod")}, 400, "BadRequestException",
			"Invalid API identifier specified 000000000000:nope123456"},
		{"missing stage", "rules.example.com", rule{nil, invokeAction(api, "dev")}, 400, "BadRequestException", "Invalid stage identifier specified"},
		{"websocket api", "rules.example.com", rule{nil, invokeAction(wsAPI, "prod")}, 400, "BadRequestException",
			bad("API " + wsAPI + " is a WebSocket API. A routing rule can invoke only a REST API or an HTTP API")},
		{"two actions", "rules.example.com", rule{nil, append(invokeAction(api, "prod"), ok...)}, 400, "BadRequestException",
			bad("a routing rule has exactly one action, got 2")},
		{"strip without base path", "rules.example.com", rule{nil, strip}, 400, "BadRequestException",
			bad("stripBasePath can be true only when the routing rule has a matchBasePaths condition")},
		{"three header conditions", "rules.example.com", rule{[]types.RoutingRuleCondition{headerCondition("a", "1"), headerCondition("b", "2"),
			headerCondition("c", "3")}, ok}, 400, "BadRequestException", bad("a routing rule can have up to 2 matchHeaders conditions and 1 matchBasePaths condition")},
		{"two base path conditions", "rules.example.com", rule{[]types.RoutingRuleCondition{basePathCondition("a"), basePathCondition("b")}, ok},
			400, "BadRequestException", bad("a routing rule can have up to 2 matchHeaders conditions and 1 matchBasePaths condition")},
		{"both matches in one condition", "rules.example.com", rule{[]types.RoutingRuleCondition{{
			MatchBasePaths: &types.RoutingRuleMatchBasePaths{AnyOf: []string{"a"}},
			MatchHeaders:   &types.RoutingRuleMatchHeaders{AnyOf: []types.RoutingRuleMatchHeaderValue{{Header: aws.String("h"), ValueGlob: aws.String("v")}}}}}, ok},
			400, "BadRequestException", bad("condition 1 has both matchBasePaths and matchHeaders. A condition matches either base paths or headers")},
		{"empty condition", "rules.example.com", rule{[]types.RoutingRuleCondition{{}}, ok}, 400, "BadRequestException",
			bad("condition 1 is empty. A condition has matchBasePaths or matchHeaders")},
		{"two base paths", "rules.example.com", rule{[]types.RoutingRuleCondition{{MatchBasePaths: &types.RoutingRuleMatchBasePaths{AnyOf: []string{"a", "b"}}}}, ok},
			400, "BadRequestException", bad("condition 1: matchBasePaths.anyOf has exactly one base path, got 2")},
		{"bad base path", "rules.example.com", rule{[]types.RoutingRuleCondition{basePathCondition("a b")}, ok}, 400, "BadRequestException",
			bad(`condition 1: invalid base path "a b". A base path is 1 to 127 letters, numbers and $-_.+!*'()/`)},
		{"long base path", "rules.example.com", rule{[]types.RoutingRuleCondition{basePathCondition(strings.Repeat("a", 128))}, ok}, 400, "BadRequestException",
			bad(`condition 1: invalid base path "` + strings.Repeat("a", 128) + `". A base path is 1 to 127 letters, numbers and $-_.+!*'()/`)},
		{"restricted header", "rules.example.com", rule{[]types.RoutingRuleCondition{headerCondition("X-Amz-Date", "x")}, ok}, 400, "BadRequestException",
			bad("condition 1: the header X-Amz-Date can't be used in a routing rule condition")},
		{"restricted header exact", "rules.example.com", rule{[]types.RoutingRuleCondition{basePathCondition("a"), headerCondition("Authorization", "x")}, ok},
			400, "BadRequestException", bad("condition 2: the header Authorization can't be used in a routing rule condition")},
		{"bad header name", "rules.example.com", rule{[]types.RoutingRuleCondition{headerCondition("a:b", "x")}, ok}, 400, "BadRequestException",
			bad(`condition 1: invalid header name "a:b". A header name is 1 to 39 letters, numbers and *?-!#$%&'.^_` + "`" + `|~`)},
		{"long header name", "rules.example.com", rule{[]types.RoutingRuleCondition{headerCondition(strings.Repeat("h", 40), "x")}, ok}, 400, "BadRequestException",
			bad(`condition 1: invalid header name "` + strings.Repeat("h", 40) + `". A header name is 1 to 39 letters, numbers and *?-!#$%&'.^_` + "`" + `|~`)},
		{"wildcard in the middle", "rules.example.com", rule{[]types.RoutingRuleCondition{headerCondition("x-version", "a*b")}, ok}, 400, "BadRequestException",
			bad(`condition 1: invalid value glob "a*b" for header x-version. A wildcard is allowed only as *prefix-match, suffix-match* or *infix-match*`)},
		{"long infix glob", "rules.example.com", rule{[]types.RoutingRuleCondition{headerCondition("x-version", "*"+strings.Repeat("b", 39)+"*")}, ok},
			400, "BadRequestException", bad(`condition 1: the infix value glob "*` + strings.Repeat("b", 39) + `*" for header x-version is longer than 40 characters`)},
		{"bad glob", "rules.example.com", rule{[]types.RoutingRuleCondition{headerCondition("x-version", "a b")}, ok}, 400, "BadRequestException",
			bad(`condition 1: invalid value glob "a b" for header x-version. A value glob is 1 to 127 letters, numbers and *?-!#$%&'.^_` + "`" + `|~`)},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// Conditions are required by the model: an empty list is a
			// catch-all.
			conditions := c.r.conditions
			if conditions == nil {
				conditions = []types.RoutingRuleCondition{}
			}
			_, err := e.c.CreateRoutingRule(e.ctx, &apigatewayv2.CreateRoutingRuleInput{DomainName: aws.String(c.domain),
				Priority: aws.Int32(int32(i + 1)), Conditions: conditions, Actions: c.r.actions})
			wantAPIError(t, err, c.status, c.code, c.msg)
		})
	}
	// Accepted globs and header names, at their limits.
	for i, g := range []string{"*beta", "beta*", "*" + strings.Repeat("b", 38) + "*", strings.Repeat("g", 127), "v1.0"} {
		_, err := e.c.CreateRoutingRule(e.ctx, &apigatewayv2.CreateRoutingRuleInput{DomainName: aws.String("rules.example.com"),
			Priority: aws.Int32(int32(1000 + i)), Conditions: []types.RoutingRuleCondition{headerCondition(strings.Repeat("h", 39), g)},
			Actions: ok})
		if err != nil {
			t.Errorf("glob %q: %v", g, err)
		}
	}

	// The model's own checks: priority 1 to 1000000, maxResults 1 to 100.
	r := e.raw(t, "POST", "/v2/domainnames/rules.example.com/routingrules",
		`{"priority":0,"conditions":[],"actions":[{"invokeApi":{"apiId":"`+api+`","stage":"prod"}}]}`, nil)
	wantRawError(t, "priority 0", r, 400, "BadRequestException",
		"1 validation error detected: Value 0 at 'priority' failed to satisfy constraint: Member must have value greater than or equal to 1")
	r = e.raw(t, "POST", "/v2/domainnames/rules.example.com/routingrules",
		`{"priority":1000001,"conditions":[],"actions":[{"invokeApi":{"apiId":"`+api+`","stage":"prod"}}]}`, nil)
	wantRawError(t, "priority 1000001", r, 400, "BadRequestException",
		"1 validation error detected: Value 1000001 at 'priority' failed to satisfy constraint: Member must have value less than or equal to 1000000")
	r = e.raw(t, "POST", "/v2/domainnames/rules.example.com/routingrules", `{"priority":7,"conditions":[]}`, nil)
	wantRawError(t, "no actions", r, 400, "BadRequestException",
		"1 validation error detected: Value null at 'actions' failed to satisfy constraint: Member must not be null")
	_, err := e.c.ListRoutingRules(e.ctx, &apigatewayv2.ListRoutingRulesInput{DomainName: aws.String("rules.example.com"), MaxResults: aws.Int32(101)})
	wantAPIError(t, err, 400, "BadRequestException",
		"1 validation error detected: Value 101 at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 100")
	_, err = e.c.ListRoutingRules(e.ctx, &apigatewayv2.ListRoutingRulesInput{DomainName: aws.String("rules.example.com"), NextToken: aws.String("!")})
	wantAPIError(t, err, 400, "BadRequestException", "Invalid nextToken specified")
	_, err = e.c.ListRoutingRules(e.ctx, &apigatewayv2.ListRoutingRulesInput{DomainName: aws.String("nope.example.com")})
	wantAPIError(t, err, 404, "NotFoundException", "Invalid domain name identifier specified")

	// domainNameId names a private domain name, which Portico has none of [I].
	_, err = e.c.ListRoutingRules(e.ctx, &apigatewayv2.ListRoutingRulesInput{DomainName: aws.String("rules.example.com"), DomainNameId: aws.String("abcd1234")})
	wantAPIError(t, err, 404, "NotFoundException", "Invalid domain name identifier specified")

	// A rule is found only under its own domain name.
	e.rulesDomain(t, "other.example.com")
	out, err := e.c.CreateRoutingRule(e.ctx, &apigatewayv2.CreateRoutingRuleInput{DomainName: aws.String("other.example.com"),
		Priority: aws.Int32(5), Conditions: []types.RoutingRuleCondition{}, Actions: ok})
	must(t, err)
	_, err = e.c.GetRoutingRule(e.ctx, &apigatewayv2.GetRoutingRuleInput{DomainName: aws.String("rules.example.com"), RoutingRuleId: out.RoutingRuleId})
	wantAPIError(t, err, 404, "NotFoundException", "Invalid RoutingRule identifier specified "+*out.RoutingRuleId)
	_, err = e.c.PutRoutingRule(e.ctx, &apigatewayv2.PutRoutingRuleInput{DomainName: aws.String("rules.example.com"), RoutingRuleId: out.RoutingRuleId,
		Priority: aws.Int32(5), Conditions: []types.RoutingRuleCondition{}, Actions: ok})
	wantAPIError(t, err, 404, "NotFoundException", "Invalid RoutingRule identifier specified "+*out.RoutingRuleId)
	// The same priority on another domain name is no conflict.
	_, err = e.c.CreateRoutingRule(e.ctx, &apigatewayv2.CreateRoutingRuleInput{DomainName: aws.String("rules.example.com"),
		Priority: aws.Int32(5), Conditions: []types.RoutingRuleCondition{}, Actions: ok})
	must(t, err)

	// A WebSocket API mapped on a domain name keeps its rules' HTTP APIs off,
	// and the other way round [I].
	_, err = e.c.CreateApiMapping(e.ctx, &apigatewayv2.CreateApiMappingInput{DomainName: aws.String("other.example.com"),
		ApiId: aws.String(wsAPI), Stage: aws.String("prod"), ApiMappingKey: aws.String("ws")})
	wantAPIError(t, err, 400, "BadRequestException", "WebSocket APIs can't be mapped to the same custom domain name as an HTTP API or REST API")

	// Rules go with their domain name.
	_, err = e.c.DeleteDomainName(e.ctx, &apigatewayv2.DeleteDomainNameInput{DomainName: aws.String("other.example.com")})
	must(t, err)
	e.rulesDomain(t, "other.example.com")
	list, err := e.c.ListRoutingRules(e.ctx, &apigatewayv2.ListRoutingRulesInput{DomainName: aws.String("other.example.com")})
	must(t, err)
	if len(list.RoutingRules) != 0 {
		t.Errorf("a new domain name has the old one's rules: %+v", list.RoutingRules)
	}
}
