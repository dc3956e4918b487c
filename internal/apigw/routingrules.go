package apigw

import (
	"context"
	"encoding/base64"
	"errors"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/portico-dev/portico/internal/awsproto"
	"github.com/portico-dev/portico/internal/store"
)

// Routing rules send the requests of a custom domain name that match their
// conditions to a stage of an API, in priority order (developer guide,
// "Routing rules to connect API stages to a custom domain name"). They are
// children of the domain name record; the priority is the store's
// uniqueness key, since "rules can't have the same priority".
//
// On AWS a rule invokes a REST API. Portico has only HTTP and WebSocket
// APIs, so a rule invokes an HTTP API of the caller's scope [I]: without
// that, rules could name nothing at all here.

const kindRoutingRule store.Kind = "routingrule"

var _ interface {
	createRoutingRuleHandler
	getRoutingRuleHandler
	putRoutingRuleHandler
	deleteRoutingRuleHandler
	listRoutingRulesHandler
} = (*Server)(nil)

// Limits on conditions: the developer guide ("up to two header conditions
// and one path condition"; the restricted headers) and the AWS CDK's
// RoutingRule construct, whose limits were checked against the service
// (aws/aws-cdk #38803: header names under 40 characters, header globs and
// base paths under 128, an infix glob "*x*" of at most 40, a wildcard only
// as "*x", "x*" or "*x*").
const (
	maxHeaderConditions   = 2
	maxBasePathConditions = 1
	maxHeaderNameLen      = 39
	maxHeaderGlobLen      = 127
	maxInfixGlobLen       = 40
	maxBasePathLen        = 127
	// defaultRoutingRulesPage is ListRoutingRules' page without maxResults,
	// the model's maximum [I].
	defaultRoutingRulesPage = 100
)

var (
	headerNameOrGlob = regexp.MustCompile(`^[a-zA-Z0-9*?\-!#$%&'.^_` + "`" + `|~]+$`)
	basePathChars    = regexp.MustCompile(`^[a-zA-Z0-9$\-_.+!*'()/]+$`)

	restrictedHeaders = []string{
		"authorization", "connection", "content-encoding", "content-length", "content-location",
		"forwarded", "keep-alive", "origin", "proxy-authenticate", "proxy-authorization", "te",
		"trailers", "transfer-encoding", "upgrade", "x-apigw-api-id", "x-forwarded-for",
		"x-forwarded-host", "x-forwarded-proto", "x-restapi", "via",
	}
	restrictedHeaderPrefixes = []string{"access-control-", "apigw-", "x-amz-", "x-amzn-"}
)

// routingRuleARN [D]: arn:{partition}:apigateway:{region}:{account}:/domainnames/
// {name}/routingrules/{id}, with the account (CLI create-routing-rule
// example; Terraform's MatchResourceAttrRegionalARN).
func routingRuleARN(ctx context.Context, domain, id string) string {
	who := awsproto.IdentityFrom(ctx)
	return "arn:" + partition(who.Region) + ":apigateway:" + who.Region + ":" + who.Account +
		":/domainnames/" + domain + "/routingrules/" + id
}

func (s *Server) CreateRoutingRule(ctx context.Context, in *CreateRoutingRuleRequest) (*CreateRoutingRuleResponse, error) {
	if err := checkDomainNameID(in.DomainNameId); err != nil {
		return nil, err
	}
	rule := RoutingRule{Actions: in.Actions, Conditions: in.Conditions, Priority: in.Priority}
	err := s.update(ctx, func(tx store.Tx) error {
		dn, err := loadDomainName(tx, *in.DomainName)
		if err != nil {
			return err
		}
		if deref(dn.RoutingMode) == routingAPIMappingOnly {
			return routingModeForbids("Routing rules", routingAPIMappingOnly)
		}
		if err := checkRoutingRule(ctx, tx, *in.DomainName, "", &rule); err != nil {
			return err
		}
		err = insertNew(tx, kindRoutingRule, domainNameRef(*in.DomainName), priorityKey(*rule.Priority), 6, func(id string) any {
			rule.RoutingRuleId = &id
			rule.RoutingRuleArn = ptr(routingRuleARN(ctx, *in.DomainName, id))
			return rule
		})
		if errors.Is(err, store.ErrConflict) {
			return routingRulePriorityTaken(*rule.Priority)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	out := CreateRoutingRuleResponse(rule)
	return &out, nil
}

func (s *Server) GetRoutingRule(ctx context.Context, in *GetRoutingRuleRequest) (*GetRoutingRuleResponse, error) {
	if err := checkDomainNameID(in.DomainNameId); err != nil {
		return nil, err
	}
	var rule RoutingRule
	err := s.view(ctx, func(tx store.Tx) error {
		if _, err := loadDomainName(tx, *in.DomainName); err != nil {
			return err
		}
		var err error
		rule, err = loadRoutingRule(tx, *in.DomainName, *in.RoutingRuleId)
		return err
	})
	if err != nil {
		return nil, err
	}
	out := GetRoutingRuleResponse(rule)
	return &out, nil
}

// PutRoutingRule replaces a rule's priority, conditions and actions: all
// three are required (model).
func (s *Server) PutRoutingRule(ctx context.Context, in *PutRoutingRuleRequest) (*PutRoutingRuleResponse, error) {
	if err := checkDomainNameID(in.DomainNameId); err != nil {
		return nil, err
	}
	var rule RoutingRule
	err := s.update(ctx, func(tx store.Tx) error {
		if _, err := loadDomainName(tx, *in.DomainName); err != nil {
			return err
		}
		var err error
		if rule, err = loadRoutingRule(tx, *in.DomainName, *in.RoutingRuleId); err != nil {
			return err
		}
		rule.Actions, rule.Conditions, rule.Priority = in.Actions, in.Conditions, in.Priority
		if err := checkRoutingRule(ctx, tx, *in.DomainName, *rule.RoutingRuleId, &rule); err != nil {
			return err
		}
		err = tx.Replace(store.Record{Kind: kindRoutingRule, ID: *rule.RoutingRuleId, Parent: domainNameRef(*in.DomainName),
			Key: priorityKey(*rule.Priority), Data: encode(rule)})
		if errors.Is(err, store.ErrConflict) {
			return routingRulePriorityTaken(*rule.Priority)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	out := PutRoutingRuleResponse(rule)
	return &out, nil
}

func (s *Server) DeleteRoutingRule(ctx context.Context, in *DeleteRoutingRuleRequest) error {
	if err := checkDomainNameID(in.DomainNameId); err != nil {
		return err
	}
	return s.update(ctx, func(tx store.Tx) error {
		if _, err := loadDomainName(tx, *in.DomainName); err != nil {
			return err
		}
		if _, err := loadRoutingRule(tx, *in.DomainName, *in.RoutingRuleId); err != nil {
			return err
		}
		return tx.Delete(kindRoutingRule, *in.RoutingRuleId)
	})
}

// ListRoutingRules answers {"routingRules": [...]} in priority order, the
// order they are evaluated in [I]; maxResults is an integer (1 to 100, the
// model's check) and nextToken the opaque priority after which the next
// page starts.
func (s *Server) ListRoutingRules(ctx context.Context, in *ListRoutingRulesRequest) (*ListRoutingRulesResponse, error) {
	if err := checkDomainNameID(in.DomainNameId); err != nil {
		return nil, err
	}
	limit := defaultRoutingRulesPage
	if in.MaxResults != nil {
		limit = int(*in.MaxResults)
	}
	after := int64(0)
	if tok := deref(in.NextToken); tok != "" {
		b, err := base64.RawURLEncoding.DecodeString(tok)
		if err == nil {
			after, err = strconv.ParseInt(string(b), 10, 32)
		}
		if err != nil || after < 1 {
			return nil, awsproto.BadRequest("Invalid nextToken specified")
		}
	}
	out := &ListRoutingRulesResponse{RoutingRules: []RoutingRule{}}
	err := s.view(ctx, func(tx store.Tx) error {
		if _, err := loadDomainName(tx, *in.DomainName); err != nil {
			return err
		}
		rules, _, err := listPage[RoutingRule](tx, kindRoutingRule, domainNameRef(*in.DomainName), page{limit: 1 << 30})
		if err != nil {
			return err
		}
		slices.SortFunc(rules, func(a, b RoutingRule) int { return int(*a.Priority) - int(*b.Priority) })
		for _, r := range rules {
			if int64(*r.Priority) <= after {
				continue
			}
			if len(out.RoutingRules) == limit {
				last := out.RoutingRules[limit-1].Priority
				out.NextToken = ptr(base64.RawURLEncoding.EncodeToString([]byte(strconv.Itoa(int(*last)))))
				break
			}
			out.RoutingRules = append(out.RoutingRules, r)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// checkDomainNameID: domainNameId names a private custom domain name, which
// only REST APIs have; Portico has none, so any id names nothing [I].
func checkDomainNameID(id *string) error {
	if deref(id) != "" {
		return domainNameNotFound()
	}
	return nil
}

func priorityKey(p int32) string { return strconv.Itoa(int(p)) }

// loadRoutingRule reads a rule of a domain name or answers the not-found
// error.
func loadRoutingRule(tx store.Tx, domain, id string) (RoutingRule, error) {
	var rule RoutingRule
	err := getChildInto(tx, kindRoutingRule, id, domainNameRef(domain), &rule)
	if errors.Is(err, store.ErrNotFound) {
		return rule, routingRuleNotFound(id)
	}
	return rule, err
}

// checkRoutingRule holds the rules on a rule's conditions and action (self
// is its id on PutRoutingRule) and fills stripBasePath, which AWS returns
// false when not given (CLI create-routing-rule example). The priority's
// range is the model's check.
func checkRoutingRule(ctx context.Context, tx store.Tx, domain, self string, rule *RoutingRule) error {
	headers, basePaths := 0, 0
	for i, c := range rule.Conditions {
		n := i + 1
		switch {
		case c.MatchBasePaths != nil && c.MatchHeaders != nil:
			// Each condition is one kind of match, as in every example
			// (CloudFormation, Terraform, the CLI) and the CDK [I].
			return invalidRoutingRule("condition %d has both matchBasePaths and matchHeaders. A condition matches either base paths or headers", n)
		case c.MatchBasePaths != nil:
			basePaths++
			if err := checkBasePathCondition(n, c.MatchBasePaths); err != nil {
				return err
			}
		case c.MatchHeaders != nil:
			headers++
			if err := checkHeadersCondition(n, c.MatchHeaders); err != nil {
				return err
			}
		default:
			return invalidRoutingRule("condition %d is empty. A condition has matchBasePaths or matchHeaders", n)
		}
	}
	if headers > maxHeaderConditions || basePaths > maxBasePathConditions {
		return invalidRoutingRule("a routing rule can have up to %d matchHeaders conditions and %d matchBasePaths condition",
			maxHeaderConditions, maxBasePathConditions)
	}
	// "Each rule can have one action" (developer guide).
	if len(rule.Actions) != 1 {
		return invalidRoutingRule("a routing rule has exactly one action, got %d", len(rule.Actions))
	}
	act := rule.Actions[0].InvokeApi
	if act.StripBasePath == nil {
		act.StripBasePath = ptr(false)
	}
	if *act.StripBasePath && basePaths == 0 {
		// The CDK's rule: there is no base path to strip [I].
		return invalidRoutingRule("stripBasePath can be true only when the routing rule has a matchBasePaths condition")
	}
	api, err := loadMappedAPI(ctx, tx, *act.ApiId, *act.Stage)
	if err != nil {
		return err
	}
	if *api.ProtocolType == protocolWebSocket {
		return webSocketNotRoutable(*act.ApiId)
	}
	return checkDomainProtocols(tx, domain, "", self, *api.ProtocolType)
}

// checkBasePathCondition: one base path per condition (the CDK's "only one
// base path per rule") [I], of at most 127 characters of the API mapping
// key's set.
func checkBasePathCondition(n int, m *RoutingRuleMatchBasePaths) error {
	if len(m.AnyOf) != 1 {
		return invalidRoutingRule("condition %d: matchBasePaths.anyOf has exactly one base path, got %d", n, len(m.AnyOf))
	}
	p := m.AnyOf[0]
	if p == "" || len(p) > maxBasePathLen || !basePathChars.MatchString(p) {
		return invalidRoutingRule("condition %d: invalid base path %q. A base path is 1 to %d letters, numbers and $-_.+!*'()/",
			n, echo(p), maxBasePathLen)
	}
	return nil
}

// checkHeadersCondition: one or two header matches, each a header name and
// a value glob of HTTP token characters, the name not one of the restricted
// headers, the glob's wildcard only at its start, its end or both.
func checkHeadersCondition(n int, m *RoutingRuleMatchHeaders) error {
	if len(m.AnyOf) == 0 || len(m.AnyOf) > maxHeaderConditions {
		return invalidRoutingRule("condition %d: matchHeaders.anyOf has 1 to %d header matches, got %d", n, maxHeaderConditions, len(m.AnyOf))
	}
	for _, h := range m.AnyOf {
		name, glob := *h.Header, *h.ValueGlob
		if name == "" || len(name) > maxHeaderNameLen || !headerNameOrGlob.MatchString(name) {
			return invalidRoutingRule("condition %d: invalid header name %q. A header name is 1 to %d letters, numbers and *?-!#$%%&'.^_`|~",
				n, echo(name), maxHeaderNameLen)
		}
		lower := strings.ToLower(name)
		if slices.Contains(restrictedHeaders, lower) || slices.ContainsFunc(restrictedHeaderPrefixes, func(p string) bool {
			return strings.HasPrefix(lower, p)
		}) {
			return invalidRoutingRule("condition %d: the header %s can't be used in a routing rule condition", n, echo(name))
		}
		if glob == "" || len(glob) > maxHeaderGlobLen || !headerNameOrGlob.MatchString(glob) {
			return invalidRoutingRule("condition %d: invalid value glob %q for header %s. A value glob is 1 to %d letters, numbers and *?-!#$%%&'.^_`|~",
				n, echo(glob), echo(name), maxHeaderGlobLen)
		}
		stars := strings.Count(glob, "*")
		prefix := stars == 1 && strings.HasPrefix(glob, "*")
		suffix := stars == 1 && strings.HasSuffix(glob, "*")
		infix := stars == 2 && len(glob) > 2 && strings.HasPrefix(glob, "*") && strings.HasSuffix(glob, "*")
		if stars > 0 && !prefix && !suffix && !infix {
			return invalidRoutingRule("condition %d: invalid value glob %q for header %s. A wildcard is allowed only as *prefix-match, suffix-match* or *infix-match*",
				n, echo(glob), echo(name))
		}
		if infix && len(glob) > maxInfixGlobLen {
			return invalidRoutingRule("condition %d: the infix value glob %q for header %s is longer than %d characters",
				n, echo(glob), echo(name), maxInfixGlobLen)
		}
	}
	return nil
}
