package apigw

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"go.yaml.in/yaml/v4"

	"github.com/portico-dev/portico/internal/awsproto"
	"github.com/portico-dev/portico/internal/store"
)

// ImportApi and ReimportApi build an HTTP API from an OpenAPI 3.0
// definition with API Gateway's x-amazon-apigateway-* extensions (developer
// guide, "Working with OpenAPI definitions for HTTP APIs"). What AWS does is
// known from its documentation ([D]), real exports and error texts quoted
// in public repositories ([V]), Terraform's aws_apigatewayv2_api `body`
// acceptance tests, which run against AWS ([V]), and moto's copy of AWS's
// warning texts; the rest is marked [I].
//
// AWS's three categories: an invalid or malformed document is an error
// (400, nothing created); something that cannot be created (an unsupported
// integration type, an authorizer AWS refuses, a $ref to nothing) is a
// warning: the rest is created and the warning returned, or, with
// failOnWarnings, the whole import fails; properties HTTP APIs do not use
// (request bodies, schemas) are ignored.
//
// The document is read twice: into a generic tree that keeps scalars as
// written (YAML's `version: 1.0` stays "1.0", as AWS reads it: Terraform's
// tests import such documents), from which the extensions are read, and
// with kin-openapi into its openapi3.T, which checks the OpenAPI structure.

var _ interface {
	importApiHandler
	reimportApiHandler
	exportApiHandler
} = (*Server)(nil)

const (
	extIntegration      = "x-amazon-apigateway-integration"
	extIntegrations     = "x-amazon-apigateway-integrations"
	extAnyMethod        = "x-amazon-apigateway-any-method"
	extAuthorizer       = "x-amazon-apigateway-authorizer"
	extAuthType         = "x-amazon-apigateway-authtype"
	extCors             = "x-amazon-apigateway-cors"
	extEndpointConfig   = "x-amazon-apigateway-endpoint-configuration"
	extImportExport     = "x-amazon-apigateway-importexport-version"
	extTagValue         = "x-amazon-apigateway-tag-value"
	extRouteSelection   = "x-amazon-apigateway-route-selection-expression"
	defaultRoutePath    = "/$default"
	sigv4SchemeName     = "sigv4"
	authTypeSigv4       = "awsSigv4"
	integrationsRefBase = "#/components/" + extIntegrations + "/"
)

// openAPIMethods are the operations of a path item, in the OpenAPI order
// that export follows too.
var openAPIMethods = []string{"get", "put", "post", "delete", "options", "head", "patch"}

func (s *Server) ImportApi(ctx context.Context, in *ImportApiRequest) (*ImportApiResponse, error) {
	plan, err := planImport(*in.Body, in.Basepath, true, s.importQuotas())
	if err != nil {
		return nil, err
	}
	api := Api{
		Name:                      ptr(plan.title),
		ProtocolType:              ptr(protocolHTTP),
		Description:               emptyToNil(&plan.description),
		Version:                   emptyToNil(&plan.version),
		DisableExecuteApiEndpoint: ptr(plan.disableExecuteAPIEndpoint),
		IpAddressType:             ptr("ipv4"),
		ApiKeySelectionExpression: ptr(defaultAPIKeySelection),
		RouteSelectionExpression:  ptr(httpRouteSelection),
		CorsConfiguration:         plan.cors,
		Tags:                      plan.tags,
		CreatedDate:               awsproto.Now(),
	}
	if api.Tags == nil {
		api.Tags = map[string]string{}
	}
	if err := checkAPI(&api); err != nil {
		return nil, err
	}
	var warnings []string
	err = s.update(ctx, func(tx store.Tx) error {
		if err := checkQuota(tx, kindAPI, store.Ref{}, s.quotas.APIs, tooManyAPIs); err != nil {
			return err
		}
		err := insertNew(tx, kindAPI, store.Ref{}, "", 10, func(id string) any {
			api.ApiId = &id
			return api
		})
		if err != nil {
			return err
		}
		warnings, err = plan.apply(tx, &api)
		if err != nil {
			return err
		}
		if deref(in.FailOnWarnings) && len(warnings) > 0 {
			return warningsFound(warnings)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := ImportApiResponse(s.present(ctx, api))
	out.Warnings = warnings
	return &out, nil
}

// ReimportApi replaces the API's definition with the document's: AWS's
// overwrite. Routes, integrations and authorizers are deleted and created
// again from the document; name, version and description come from info
// (a name only when info has a title), the CORS configuration and
// disableExecuteApiEndpoint from the extensions (absent: none and false)
// [I]. The tags become the document's x-amazon-apigateway-tag-value tags,
// and only those ([V]: in Terraform's TestAccAPIGatewayV2API_OpenAPI_withTags
// an API created with tags Key1 and Key2 and reimported with a body that
// tags Key1 has only the body's Key1; reimported again with Key3 and Key4
// it has exactly those); a document without tags leaves none [I, the same
// rule]. The id, stages, deployments and API mappings stay. It is a change
// of the API's configuration: autoDeploy stages redeploy.
func (s *Server) ReimportApi(ctx context.Context, in *ReimportApiRequest) (*ReimportApiResponse, error) {
	plan, err := planImport(*in.Body, in.Basepath, false, s.importQuotas())
	if err != nil {
		return nil, err
	}
	var api Api
	var warnings []string
	err = s.changeAPI(ctx, *in.ApiId, func(tx store.Tx) error {
		var err error
		if api, err = loadAPI(ctx, tx, *in.ApiId); err != nil {
			return err
		}
		if *api.ProtocolType != protocolHTTP {
			return importWebSocket
		}
		if plan.title != "" {
			api.Name = ptr(plan.title)
		}
		api.Description = emptyToNil(&plan.description)
		api.Version = emptyToNil(&plan.version)
		api.CorsConfiguration = plan.cors
		api.DisableExecuteApiEndpoint = ptr(plan.disableExecuteAPIEndpoint)
		if plan.tags != nil {
			api.Tags = plan.tags
		}
		if err := checkAPI(&api); err != nil {
			return err
		}
		if err := clearDefinition(tx, *api.ApiId); err != nil {
			return err
		}
		if err := tx.Replace(store.Record{Kind: kindAPI, ID: *api.ApiId, Data: encode(api)}); err != nil {
			return err
		}
		if warnings, err = plan.apply(tx, &api); err != nil {
			return err
		}
		if deref(in.FailOnWarnings) && len(warnings) > 0 {
			return warningsFound(warnings)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := ReimportApiResponse(s.present(ctx, api))
	out.Warnings = warnings
	return &out, nil
}

// clearDefinition deletes an API's routes (with their route responses),
// integrations (with their responses) and authorizers, in that order so
// that nothing is deleted while something still refers to it.
func clearDefinition(tx store.Tx, apiID string) error {
	for _, kind := range []store.Kind{kindRoute, kindIntegration, kindAuthorizer} {
		recs, err := tx.List(kind, apiRef(apiID), "", 0)
		if err != nil {
			return err
		}
		for _, rec := range recs {
			if err := tx.Delete(kind, rec.ID); err != nil {
				return err
			}
		}
	}
	return nil
}

// importPlan is what a document says, read and checked before anything is
// written.
type importPlan struct {
	title, version, description string
	disableExecuteAPIEndpoint   bool
	cors                        *Cors
	// tags: nil when the document's tags cannot be applied.
	tags        map[string]string
	authorizers []plannedAuthorizer
	// sigv4 names the security schemes that mean AWS_IAM.
	sigv4        map[string]bool
	integrations []plannedIntegration
	routes       []plannedRoute
	warnings     []string
	quotas       importQuotas
}

type plannedAuthorizer struct {
	name string
	a    Authorizer
}

// plannedIntegration: key is the component name of an integration from
// components.x-amazon-apigateway-integrations, or the route key of an
// integration written in its operation.
type plannedIntegration struct {
	key   string
	route string
	it    Integration
}

type plannedRoute struct {
	route          Route
	integrationKey string
	authorizer     string
}

func (p *importPlan) warn(w string) { p.warnings = append(p.warnings, w) }

// planImport reads a document. forCreate: ImportApi, which needs a title to
// name the API.
func planImport(body string, basepath *string, forCreate bool, quotas importQuotas) (*importPlan, error) {
	mode := "ignore"
	if basepath != nil && *basepath != "" {
		mode = strings.ToLower(*basepath)
		if mode != "ignore" && mode != "prepend" && mode != "split" {
			return nil, invalidBasepath(*basepath)
		}
	}
	root, err := parseDocument(body)
	if err != nil {
		return nil, err
	}
	if _, ok := root["swagger"]; ok {
		// [D]: "HTTP APIs support only the OpenAPI 3.0 specification".
		return nil, invalidOpenAPIInput("HTTP APIs support only OpenAPI 3.0 definitions")
	}
	version, _ := scalar(root["openapi"])
	if !strings.HasPrefix(version, "3.") {
		return nil, invalidOpenAPIInput("The openapi field must name an OpenAPI 3.0 version, such as 3.0.1")
	}
	if isWebSocketDocument(root) {
		return nil, importWebSocket
	}
	p := &importPlan{sigv4: map[string]bool{}, quotas: quotas}

	info := object(root["info"])
	p.title, _ = scalar(info["title"])
	p.version, _ = scalar(info["version"])
	p.description, _ = scalar(info["description"])
	if forCreate && p.title == "" {
		return nil, invalidOpenAPIInput("info.title is required: it names the API")
	}
	p.readServers(root)
	if ext, ok := root[extEndpointConfig]; ok {
		if v, ok := boolean(object(ext)["disableExecuteApiEndpoint"]); ok {
			p.disableExecuteAPIEndpoint = v
		}
	}
	p.readCors(root[extCors])
	p.readTags(root["tags"])
	p.warnMissingRefs(root)
	p.readSecuritySchemes(root)
	if err := p.checkQuotas(); err != nil {
		return nil, err
	}
	components := object(root["components"])
	named := object(components[extIntegrations])
	for _, name := range slices.Sorted(maps.Keys(named)) {
		it, ok := p.readIntegration(named[name], name)
		if ok {
			p.integrations = append(p.integrations, plannedIntegration{key: name, it: it})
			if err := p.checkQuotas(); err != nil {
				return nil, err
			}
		}
	}
	base := basePath(root)
	if err := p.readPaths(root, named, mode, base); err != nil {
		return nil, err
	}
	// kin-openapi reads the document last, once the plan is known to be
	// within its quotas (it is the costliest step for a large document);
	// its warning stays first in the list, where it always was.
	planned := p.warnings
	p.warnings = nil
	p.checkStructure(root)
	p.warnings = append(p.warnings, planned...)
	return p, nil
}

// parseDocument reads JSON or YAML into a tree of map[string]any, []any,
// string, json.Number, bool and nil. Numbers keep their text.
func parseDocument(body string) (map[string]any, error) {
	trimmed := strings.TrimSpace(body)
	if trimmed == "" {
		return nil, invalidOpenAPIInput("The definition is empty")
	}
	if err := prescan(body); err != nil {
		return nil, err
	}
	var v any
	if strings.HasPrefix(trimmed, "{") {
		dec := json.NewDecoder(strings.NewReader(trimmed))
		dec.UseNumber()
		if err := dec.Decode(&v); err != nil {
			return nil, invalidOpenAPIInput("Unable to parse the definition as JSON: " + err.Error())
		}
		if err := new(treeCheck).walk(v, 0); err != nil {
			return nil, err
		}
	} else {
		var node yaml.Node
		if err := yaml.Unmarshal([]byte(body), &node); err != nil {
			return nil, invalidOpenAPIInput("Unable to parse the definition as YAML: " + err.Error())
		}
		if err := checkYAMLExpansion(&node, expansionLimit(len(body))); err != nil {
			return nil, err
		}
		v = fromYAML(&node)
	}
	root, ok := v.(map[string]any)
	if !ok {
		return nil, invalidOpenAPIInput("The definition must be a JSON or YAML object")
	}
	return root, nil
}

// fromYAML expands n, aliases included: checkYAMLExpansion has bounded
// what that costs.
func fromYAML(n *yaml.Node) any {
	if n == nil {
		return nil
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil
		}
		return fromYAML(n.Content[0])
	case yaml.AliasNode:
		return fromYAML(n.Alias)
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			m[n.Content[i].Value] = fromYAML(n.Content[i+1])
		}
		return m
	case yaml.SequenceNode:
		l := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			l = append(l, fromYAML(c))
		}
		return l
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!int", "!!float":
			return json.Number(n.Value)
		case "!!bool":
			b, _ := strconv.ParseBool(strings.ToLower(n.Value))
			return b
		case "!!null":
			return nil
		}
		return n.Value
	}
	return nil
}

// isWebSocketDocument: a route selection expression other than HTTP's, or
// the WebSocket route keys as paths.
func isWebSocketDocument(root map[string]any) bool {
	if rse, ok := scalar(root[extRouteSelection]); ok && rse != httpRouteSelection && rse != httpRouteSelectionBraced {
		return true
	}
	for path := range object(root["paths"]) {
		switch strings.TrimPrefix(path, "/") {
		case "$connect", "$disconnect":
			return true
		}
	}
	return false
}

// checkStructure reads the document with kin-openapi. What it cannot read
// is a warning, not an error [I]: AWS's parser reports such problems as
// "Parse issue" warnings and creates what it understands.
func (p *importPlan) checkStructure(root map[string]any) {
	b, err := json.Marshal(stringifyInfo(root))
	if err != nil {
		p.warn(parseIssue(err.Error()))
		return
	}
	var doc openapi3.T
	if err := doc.UnmarshalJSON(b); err != nil {
		p.warn(parseIssue(err.Error()))
	}
}

// stringifyInfo returns root with info.title and info.version as strings:
// AWS takes `version: 1.0` (Terraform's YAML tests), OpenAPI wants a
// string.
func stringifyInfo(root map[string]any) map[string]any {
	info, ok := root["info"].(map[string]any)
	if !ok {
		return root
	}
	out := maps.Clone(root)
	info = maps.Clone(info)
	for _, k := range []string{"title", "version", "description"} {
		if v, ok := scalar(info[k]); ok {
			info[k] = v
		}
	}
	out["info"] = info
	return out
}

// readServers reads disableExecuteApiEndpoint from the servers'
// x-amazon-apigateway-endpoint-configuration (where AWS's export puts it).
func (p *importPlan) readServers(root map[string]any) {
	for _, srv := range list(root["servers"]) {
		cfg := object(object(srv)[extEndpointConfig])
		if v, ok := boolean(cfg["disableExecuteApiEndpoint"]); ok {
			p.disableExecuteAPIEndpoint = v
		}
	}
}

// basePath is the path of the first server URL, its {variables} replaced by
// their defaults: OpenAPI 3's counterpart of OpenAPI 2's basePath, which
// the basepath parameter interprets [I].
func basePath(root map[string]any) string {
	servers := list(root["servers"])
	if len(servers) == 0 {
		return ""
	}
	srv := object(servers[0])
	raw, _ := scalar(srv["url"])
	vars := object(srv["variables"])
	raw = serverVariable.ReplaceAllStringFunc(raw, func(m string) string {
		def, _ := scalar(object(vars[m[1:len(m)-1]])["default"])
		return def
	})
	path := raw
	if u, err := url.Parse(raw); err == nil && u.Host != "" {
		path = u.Path
	} else if i := strings.Index(raw, "://"); i >= 0 {
		path = ""
		if j := strings.IndexByte(raw[i+3:], '/'); j >= 0 {
			path = raw[i+3+j:]
		}
	}
	path = "/" + strings.Trim(path, "/")
	if path == "/" {
		return ""
	}
	return path
}

var serverVariable = regexp.MustCompile(`\{[^{}]*\}`)

func (p *importPlan) readCors(v any) {
	if v == nil {
		return
	}
	m := object(v)
	c := &Cors{
		AllowHeaders:  nilIfEmpty(stringList(m["allowHeaders"])),
		AllowMethods:  nilIfEmpty(stringList(m["allowMethods"])),
		AllowOrigins:  nilIfEmpty(stringList(m["allowOrigins"])),
		ExposeHeaders: nilIfEmpty(stringList(m["exposeHeaders"])),
	}
	if b, ok := boolean(m["allowCredentials"]); ok {
		c.AllowCredentials = ptr(b)
	}
	if n, ok := integer(m["maxAge"]); ok {
		c.MaxAge = ptr(int32(n))
	}
	if err := checkCors(c); err != nil {
		p.warn("Unable to set CORS configuration: " + errorMessage(err))
		return
	}
	p.cors = c
}

// readTags: the OpenAPI tags with an x-amazon-apigateway-tag-value are the
// API's tags (developer guide, x-amazon-apigateway-tag-value; [V] for
// ImportApi and ReimportApi, see ReimportApi). Tags that break the tag
// rules are a warning, and p.tags stays nil: an imported API has none, a
// reimported one keeps its own [I].
func (p *importPlan) readTags(v any) {
	p.tags = map[string]string{}
	for _, t := range list(v) {
		m := object(t)
		name, _ := scalar(m["name"])
		value, ok := scalar(m[extTagValue])
		if name == "" || !ok {
			continue
		}
		p.tags[name] = value
	}
	if err := validateTags(p.tags); err != nil {
		p.warn("Unable to create tags: " + errorMessage(err))
		p.tags = nil
	}
}

// warnMissingRefs: every local $ref under paths that resolves to nothing is
// a warning ([V] text). References to other documents are not followed
// [I]: AWS imports one document.
func (p *importPlan) warnMissingRefs(root map[string]any) {
	paths := object(root["paths"])
	for _, path := range slices.Sorted(maps.Keys(paths)) {
		item := object(paths[path])
		for _, key := range slices.Sorted(maps.Keys(item)) {
			attr := "paths.'" + path + "'"
			if key == extAnyMethod || slices.Contains(openAPIMethods, key) {
				method := key
				if key == extAnyMethod {
					method = "any"
				}
				attr += "(" + method + ")"
			} else {
				attr += "." + key
			}
			walkRefs(item[key], attr, func(attr, ref string) {
				if strings.HasPrefix(ref, "#/") && resolvePointer(root, ref) == nil {
					p.warn(parseIssueMissing(attr + "." + ref))
				}
			}, 0)
		}
	}
}

// walkRefs calls fn for each $ref under v. AWS's attribute path leaves the
// media types of a content map out: responses.200.content.schema.
func walkRefs(v any, attr string, fn func(attr, ref string), depth int) {
	walkRefsIn(v, attr, fn, depth, false)
}

func walkRefsIn(v any, attr string, fn func(attr, ref string), depth int, mediaTypes bool) {
	if depth > 100 {
		return
	}
	switch v := v.(type) {
	case map[string]any:
		if ref, ok := v["$ref"].(string); ok && !mediaTypes {
			fn(attr, ref)
		}
		for _, k := range slices.Sorted(maps.Keys(v)) {
			switch {
			case mediaTypes:
				walkRefsIn(v[k], attr, fn, depth+1, false)
			case k != "$ref":
				walkRefsIn(v[k], attr+"."+k, fn, depth+1, k == "content")
			}
		}
	case []any:
		for i, e := range v {
			walkRefsIn(e, attr+"."+strconv.Itoa(i), fn, depth+1, false)
		}
	}
}

// resolvePointer resolves a local JSON pointer ("#/components/schemas/X").
func resolvePointer(root map[string]any, ref string) any {
	var cur any = root
	for _, part := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
		part = strings.ReplaceAll(strings.ReplaceAll(part, "~1", "/"), "~0", "~")
		if p, err := url.PathUnescape(part); err == nil {
			part = p
		}
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		if cur, ok = m[part]; !ok {
			return nil
		}
	}
	return cur
}

// readSecuritySchemes creates an authorizer for each security scheme with
// an x-amazon-apigateway-authorizer; a scheme of x-amazon-apigateway-
// authtype awsSigv4 means IAM authorization. Other schemes are ignored.
func (p *importPlan) readSecuritySchemes(root map[string]any) {
	schemes := object(object(root["components"])["securitySchemes"])
	for _, name := range slices.Sorted(maps.Keys(schemes)) {
		scheme := object(schemes[name])
		if t, _ := scalar(scheme[extAuthType]); strings.EqualFold(t, authTypeSigv4) {
			p.sigv4[name] = true
			continue
		}
		ext, ok := scheme[extAuthorizer]
		if !ok {
			continue
		}
		a, err := readAuthorizer(name, scheme, object(ext))
		if err != nil {
			p.warn(unableToCreate("Authorizer", name, err))
			continue
		}
		p.authorizers = append(p.authorizers, plannedAuthorizer{name: name, a: a})
	}
}

func readAuthorizer(name string, scheme, ext map[string]any) (Authorizer, error) {
	typ, _ := scalar(ext["type"])
	a := Authorizer{Name: ptr(name)}
	a.IdentitySource = identitySources(ext["identitySource"])
	switch strings.ToLower(typ) {
	case "jwt":
		a.AuthorizerType = ptr(authorizerJWT)
		jwt := object(ext["jwtConfiguration"])
		cfg := JWTConfiguration{Audience: stringList(jwt["audience"])}
		if issuer, ok := scalar(jwt["issuer"]); ok && issuer != "" {
			cfg.Issuer = ptr(issuer)
		} else if oidc, _ := scalar(scheme["openIdConnectUrl"]); oidc != "" {
			// [D]: the issuer is found from openIdConnectUrl.
			cfg.Issuer = ptr(strings.TrimSuffix(strings.TrimSuffix(oidc, "/.well-known/openid-configuration"), "/"))
		}
		a.JwtConfiguration = &cfg
	case "request":
		a.AuthorizerType = ptr(authorizerRequest)
		a.AuthorizerUri = scalarPtr(ext["authorizerUri"])
		a.AuthorizerCredentialsArn = scalarPtr(ext["authorizerCredentials"])
		a.AuthorizerPayloadFormatVersion = scalarPtr(ext["authorizerPayloadFormatVersion"])
		if n, ok := integer(ext["authorizerResultTtlInSeconds"]); ok {
			a.AuthorizerResultTtlInSeconds = ptr(int32(n))
		}
		if b, ok := boolean(ext["enableSimpleResponses"]); ok {
			a.EnableSimpleResponses = ptr(b)
		}
		if len(a.IdentitySource) == 0 {
			// An apiKey scheme names the header or query parameter [I].
			in, _ := scalar(scheme["in"])
			param, _ := scalar(scheme["name"])
			if param != "" && param != "Unused" {
				switch in {
				case "header":
					a.IdentitySource = []string{"$request.header." + param}
				case "query":
					a.IdentitySource = []string{"$request.querystring." + param}
				}
			}
		}
	default:
		return a, awsproto.BadRequest("Unsupported authorizer type %q. HTTP APIs support jwt and request authorizers", typ)
	}
	if err := settleAuthorizer(&Api{ProtocolType: ptr(protocolHTTP)}, &a); err != nil {
		return a, err
	}
	return a, nil
}

// identitySources: a comma-separated string ([D]) or a list.
func identitySources(v any) []string {
	var out []string
	for _, s := range stringList(v) {
		for part := range strings.SplitSeq(s, ",") {
			if part = strings.TrimSpace(part); part != "" {
				out = append(out, part)
			}
		}
	}
	return out
}

// readIntegration reads an x-amazon-apigateway-integration object. owner
// names it in warnings (a route key or a component name).
func (p *importPlan) readIntegration(v any, owner string) (Integration, bool) {
	m := object(v)
	typ, _ := scalar(m["type"])
	it := Integration{
		IntegrationType:      ptr(strings.ToUpper(typ)),
		IntegrationUri:       scalarPtr(m["uri"]),
		IntegrationMethod:    scalarPtr(m["httpMethod"]),
		IntegrationSubtype:   scalarPtr(m["integrationSubtype"]),
		PayloadFormatVersion: scalarPtr(m["payloadFormatVersion"]),
		ConnectionId:         scalarPtr(m["connectionId"]),
		CredentialsArn:       scalarPtr(m["credentials"]),
		Description:          scalarPtr(m["description"]),
		RequestParameters:    nilIfEmptyMap(stringMap(m["requestParameters"])),
	}
	if it.IntegrationMethod != nil {
		it.IntegrationMethod = ptr(strings.ToUpper(*it.IntegrationMethod))
	}
	if ct, ok := scalar(m["connectionType"]); ok && ct != "" {
		it.ConnectionType = ptr(strings.ToUpper(ct))
	}
	if it.PayloadFormatVersion == nil {
		// [I]: AWS's default for a definition without one is not
		// documented; 1.0 is the format of every integration type.
		it.PayloadFormatVersion = ptr("1.0")
	}
	if n, ok := integer(m["timeoutInMillis"]); ok {
		it.TimeoutInMillis = ptr(int32(n))
	}
	if rp := object(m["responseParameters"]); len(rp) > 0 {
		it.ResponseParameters = map[string]map[string]string{}
		for code, params := range rp {
			it.ResponseParameters[code] = stringMap(params)
		}
	}
	if tls := object(m["tlsConfig"]); tls != nil {
		if name, _ := scalar(tls["serverNameToVerify"]); name != "" {
			it.TlsConfig = &TlsConfig{ServerNameToVerify: ptr(name)}
		}
	}
	if typ == "" {
		p.warn(unableToCreate("Integration", owner, awsproto.BadRequest("The integration type is required")))
		return it, false
	}
	if err := settleIntegration(&Api{ProtocolType: ptr(protocolHTTP)}, &it); err != nil {
		p.warn(unableToCreate("Integration", owner, err))
		return it, false
	}
	return it, true
}

func (p *importPlan) readPaths(root map[string]any, named map[string]any, mode, base string) error {
	prefix := ""
	switch mode {
	case "prepend":
		prefix = base
	case "split":
		if i := strings.IndexByte(strings.TrimPrefix(base, "/"), '/'); i >= 0 {
			prefix = base[i+1:]
		}
	}
	rootSecurity, hasRootSecurity := root["security"]
	paths := object(root["paths"])
	seen := map[string]bool{}
	for _, path := range slices.Sorted(maps.Keys(paths)) {
		if !strings.HasPrefix(path, "/") {
			p.warn(pathWithoutSlash(path))
			continue
		}
		item := object(paths[path])
		for _, key := range append(slices.Clone(openAPIMethods), extAnyMethod) {
			opv, ok := item[key]
			if !ok {
				continue
			}
			op := object(opv)
			method := strings.ToUpper(key)
			if key == extAnyMethod {
				method = "ANY"
			}
			routeKey := method + " " + prefix + path
			if path == "/" && prefix != "" {
				routeKey = method + " " + prefix
			}
			if isDefault, _ := boolean(op["isDefaultRoute"]); isDefault || path == defaultRoutePath && method == "ANY" {
				routeKey = "$default"
			}
			if err := checkHTTPRouteKey(routeKey); err != nil {
				p.warn(unableToCreate("Route", routeKey, err))
				continue
			}
			if seen[routeKey] {
				p.warn(unableToCreate("Route", routeKey, duplicateRouteKey(routeKey)))
				continue
			}
			seen[routeKey] = true
			// An imported route carries an empty authorizationScopes and
			// requestParameters ([V]: real get-routes output of an
			// imported HTTP API), where CreateRoute's omits both. Empty,
			// not nil: omitzero drops only nil slices and maps, and the
			// store's JSON keeps [] and {}.
			pr := plannedRoute{route: Route{
				RouteKey:            ptr(routeKey),
				ApiKeyRequired:      ptr(false),
				AuthorizationType:   ptr(authNone),
				AuthorizationScopes: []string{},
				RequestParameters:   map[string]ParameterConstraints{},
				OperationName:       scalarPtr(op["operationId"]),
			}}
			if pr.route.OperationName != nil && len(*pr.route.OperationName) > 64 {
				pr.route.OperationName = nil
			}
			security, hasSecurity := op["security"]
			if !hasSecurity && hasRootSecurity {
				security = rootSecurity
			}
			if err := p.readSecurity(&pr, security); err != nil {
				return err
			}
			if iv, ok := op[extIntegration]; ok {
				ref, _ := scalar(object(iv)["$ref"])
				switch {
				case ref == "":
					if it, ok := p.readIntegration(iv, routeKey); ok {
						p.integrations = append(p.integrations, plannedIntegration{key: "route " + routeKey, route: routeKey, it: it})
						pr.integrationKey = "route " + routeKey
					}
				case strings.HasPrefix(ref, integrationsRefBase) && named[strings.TrimPrefix(ref, integrationsRefBase)] != nil:
					pr.integrationKey = strings.TrimPrefix(ref, integrationsRefBase)
				}
				// Any other $ref resolves to nothing: warnMissingRefs
				// reported it, and the route has no integration.
			}
			p.routes = append(p.routes, pr)
			if err := p.checkQuotas(); err != nil {
				return err
			}
		}
	}
	return nil
}

// readSecurity sets a route's authorization from its security requirement:
// an authorizer's scheme (JWT with its scopes, or CUSTOM), the sigv4 scheme
// (AWS_IAM), or none.
func (p *importPlan) readSecurity(pr *plannedRoute, v any) error {
	reqs := list(v)
	var names []string
	var scopes []string
	for _, r := range reqs {
		m := object(r)
		for name, sc := range m {
			names = append(names, name)
			scopes = stringList(sc)
		}
	}
	if len(names) == 0 {
		return nil
	}
	if len(names) > 1 {
		return multipleSecurityRequirements(*pr.route.RouteKey)
	}
	name := names[0]
	if p.sigv4[name] {
		pr.route.AuthorizationType = ptr(authIAM)
		return nil
	}
	for _, a := range p.authorizers {
		if a.name != name {
			continue
		}
		pr.authorizer = name
		if *a.a.AuthorizerType == authorizerJWT {
			pr.route.AuthorizationType = ptr(authJWT)
			if len(scopes) > 0 {
				pr.route.AuthorizationScopes = scopes
			}
		} else {
			pr.route.AuthorizationType = ptr(authCustom)
		}
		return nil
	}
	// A scheme that is not defined, or whose authorizer could not be
	// created (already a warning): the route is created without
	// authorization [I].
	p.warn(parseIssueMissing("paths.'" + routePathOf(*pr.route.RouteKey) + "'.security." + name))
	return nil
}

func routePathOf(routeKey string) string {
	if routeKey == "$default" {
		return defaultRoutePath
	}
	_, path, _ := strings.Cut(routeKey, " ")
	return path
}

// apply creates the planned resources of the API in tx. A resource the
// store refuses (a VPC link that does not exist, a route rule) is a warning
// like the others; what is returned as an error aborts the import.
func (p *importPlan) apply(tx store.Tx, api *Api) ([]string, error) {
	apiID := *api.ApiId
	authorizerIDs := map[string]string{}
	for _, pa := range p.authorizers {
		a := pa.a
		err := insertNew(tx, kindAuthorizer, apiRef(apiID), *a.Name, 6, func(id string) any {
			a.AuthorizerId = &id
			return a
		})
		if err != nil {
			return nil, err
		}
		authorizerIDs[pa.name] = *a.AuthorizerId
	}
	integrationIDs := map[string]string{}
	for _, pi := range p.integrations {
		it := pi.it
		if deref(it.ConnectionType) == connectionVPCLink {
			if err := checkVpcLink(tx, *it.ConnectionId); err != nil {
				if !isAWSError(err) {
					return nil, err
				}
				owner := pi.key
				if pi.route != "" {
					owner = pi.route
				}
				p.warn(unableToCreate("Integration", owner, err))
				continue
			}
		}
		err := insertNew(tx, kindIntegration, apiRef(apiID), "", 7, func(id string) any {
			it.IntegrationId = &id
			return it
		})
		if err != nil {
			return nil, err
		}
		integrationIDs[pi.key] = *it.IntegrationId
	}
	for _, pr := range p.routes {
		r := pr.route
		if id, ok := integrationIDs[pr.integrationKey]; ok {
			r.Target = ptr("integrations/" + id)
		}
		if pr.authorizer != "" {
			r.AuthorizerId = ptr(authorizerIDs[pr.authorizer])
		}
		if err := checkRoute(tx, api, &r); err != nil {
			if !isAWSError(err) {
				return nil, err
			}
			p.warn(unableToCreate("Route", *r.RouteKey, err))
			continue
		}
		err := insertNew(tx, kindRoute, apiRef(apiID), *r.RouteKey, 7, func(id string) any {
			r.RouteId = &id
			return r
		})
		if err != nil {
			return nil, err
		}
	}
	return p.warnings, nil
}

func isAWSError(err error) bool {
	var e *awsproto.Error
	return errors.As(err, &e) && e.Code < 500
}

// Readers of the generic tree: lenient about the type of a scalar, as AWS
// is (payloadFormatVersion: 1.0 and "1.0" are the same).

func object(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func list(v any) []any {
	l, _ := v.([]any)
	return l
}

func scalar(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, true
	case json.Number:
		return string(v), true
	case bool:
		return strconv.FormatBool(v), true
	}
	return "", false
}

func scalarPtr(v any) *string {
	if s, ok := scalar(v); ok && s != "" {
		return &s
	}
	return nil
}

func boolean(v any) (bool, bool) {
	switch v := v.(type) {
	case bool:
		return v, true
	case string:
		b, err := strconv.ParseBool(v)
		return b, err == nil
	}
	return false, false
}

func integer(v any) (int64, bool) {
	s, ok := scalar(v)
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 32)
	if err != nil {
		f, ferr := strconv.ParseFloat(s, 64)
		if ferr != nil || f != float64(int64(f)) {
			return 0, false
		}
		n = int64(f)
	}
	return n, true
}

// stringList: a list of scalars, or one scalar.
func stringList(v any) []string {
	if s, ok := scalar(v); ok {
		return []string{s}
	}
	var out []string
	for _, e := range list(v) {
		if s, ok := scalar(e); ok {
			out = append(out, s)
		}
	}
	return out
}

func stringMap(v any) map[string]string {
	m := object(v)
	if m == nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, e := range m {
		if s, ok := scalar(e); ok {
			out[k] = s
		}
	}
	return out
}
