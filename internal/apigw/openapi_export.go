package apigw

import (
	"bytes"
	"context"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v4"

	"github.com/portico-dev/portico/internal/awsproto"
	"github.com/portico-dev/portico/internal/store"
)

// ExportApi writes an HTTP API as an OpenAPI 3.0 definition, the way AWS
// does. The layout follows real AWS exports quoted in public repositories
// ([V]): "openapi" : "3.0.1"; info with title, description, version;
// servers (stage exports) with the {basePath} variable whose default is the
// stage name ("" for $default); paths with one operation per route, a
// "Default response for GET /x" response, security, the
// x-amazon-apigateway-integration (payloadFormatVersion, connectionId,
// type in lower case, httpMethod, uri, connectionType, timeoutInMillis) and
// "Generated path parameter for x" parameters; components.securitySchemes
// for authorizers (JWT: oauth2 with empty flows; Lambda: apiKey),
// components.x-amazon-apigateway-integrations for integrations no route
// uses ("unusedIntegration_{id}"); x-amazon-apigateway-cors and
// x-amazon-apigateway-importexport-version "1.0". JSON is pretty-printed as
// AWS's (Jackson's) printer does it ("key" : value, arrays on one line);
// YAML has double-quoted strings and unindented sequences, as AWS's.

type okv struct {
	k string
	v any
}

// omap is an object whose members keep their order; values are string,
// bool, int64, []any or omap.
type omap []okv

func (m *omap) add(k string, v any) { *m = append(*m, okv{k, v}) }

func (s *Server) ExportApi(ctx context.Context, in *ExportApiRequest) (*ExportApiResponse, error) {
	if *in.Specification != "OAS30" {
		return nil, unsupportedSpecification(*in.Specification)
	}
	outputType := *in.OutputType
	if outputType != "JSON" && outputType != "YAML" {
		return nil, unsupportedOutputType(outputType)
	}
	if v := deref(in.ExportVersion); v != "" && v != "1.0" {
		return nil, unsupportedExportVersion(v)
	}
	extensions := in.IncludeExtensions == nil || *in.IncludeExtensions
	var snap *Snapshot
	var stage *Stage
	var versionTime time.Time
	err := s.view(ctx, func(tx store.Tx) error {
		api, err := loadAPI(ctx, tx, *in.ApiId)
		if err != nil {
			return err
		}
		if *api.ProtocolType != protocolHTTP {
			return exportWebSocket
		}
		if name := deref(in.StageName); name != "" {
			st, err := loadStage(ctx, tx, *in.ApiId, name)
			if err != nil {
				return err
			}
			if st.DeploymentId == nil {
				return stageNotDeployed(name)
			}
			stage = &st
			var d Deployment
			if _, err := get(tx, kindDeployment, *st.DeploymentId, &d); err != nil {
				return err
			}
			if snap, err = loadSnapshot(tx, s.blobs, *in.ApiId, *st.DeploymentId); err != nil {
				return err
			}
			if d.CreatedDate != nil {
				versionTime = d.CreatedDate.Time
			}
			return nil
		}
		snap, err = buildSnapshot(tx, *in.ApiId)
		if api.CreatedDate != nil {
			versionTime = api.CreatedDate.Time
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	endpoint := s.cfg.Endpoint(*in.ApiId, protocolHTTP, awsproto.IdentityFrom(ctx).Region)
	doc := exportDocument(snap, stage, endpoint, versionTime, extensions)
	var body []byte
	if outputType == "JSON" {
		body = jacksonJSON(doc)
	} else if body, err = exportYAML(doc); err != nil {
		return nil, err
	}
	return &ExportApiResponse{Body: body}, nil
}

// exportDocument builds the definition of a snapshot. stage is nil for the
// live configuration.
func exportDocument(snap *Snapshot, stage *Stage, endpoint string, versionTime time.Time, extensions bool) omap {
	api := snap.Api
	doc := omap{}
	doc.add("openapi", "3.0.1")
	info := omap{}
	info.add("title", deref(api.Name))
	if api.Description != nil {
		info.add("description", *api.Description)
	}
	// An API without a version exports a date ([V] format
	// "2024-02-02 14:22:44UTC"); which date AWS takes is not known: the
	// deployment's for a stage, the API's creation otherwise [I].
	version := deref(api.Version)
	if version == "" {
		version = versionTime.UTC().Format("2006-01-02 15:04:05") + "UTC"
	}
	info.add("version", version)
	doc.add("info", info)

	disabled := deref(api.DisableExecuteApiEndpoint)
	if stage != nil || disabled && extensions {
		// The live configuration has no stage to serve it: a server is
		// written only to carry disableExecuteApiEndpoint [I].
		basePath := ""
		if stage != nil && *stage.StageName != "$default" {
			basePath = *stage.StageName
		}
		srv := omap{}
		srv.add("url", endpoint+"/{basePath}")
		srv.add("variables", omap{{"basePath", omap{{"default", basePath}}}})
		if disabled && extensions {
			srv.add(extEndpointConfig, omap{{"disableExecuteApiEndpoint", true}})
		}
		doc.add("servers", []any{srv})
	}

	integrations := map[string]Integration{}
	for _, si := range snap.Integrations {
		integrations[*si.IntegrationId] = si.Integration
	}
	authorizers := map[string]Authorizer{}
	for _, a := range snap.Authorizers {
		authorizers[*a.AuthorizerId] = a
	}
	used := map[string]bool{}
	usesIAM := false

	byPath := map[string]map[string]Route{}
	for _, sr := range snap.Routes {
		r := sr.Route
		path, method := defaultRoutePath, extAnyMethod
		if *r.RouteKey != "$default" {
			m, p, _ := strings.Cut(*r.RouteKey, " ")
			path, method = p, strings.ToLower(m)
			if m == "ANY" {
				method = extAnyMethod
			}
		}
		if byPath[path] == nil {
			byPath[path] = map[string]Route{}
		}
		byPath[path][method] = r
	}
	paths := omap{}
	for _, path := range slices.Sorted(maps.Keys(byPath)) {
		item := omap{}
		for _, method := range append(slices.Clone(openAPIMethods), extAnyMethod) {
			r, ok := byPath[path][method]
			if !ok {
				continue
			}
			op := omap{}
			verb := strings.ToUpper(method)
			if method == extAnyMethod {
				verb = "ANY"
			}
			if *r.RouteKey == "$default" {
				op.add("isDefaultRoute", true)
			}
			if r.OperationName != nil {
				op.add("operationId", *r.OperationName)
			}
			op.add("responses", omap{{"default", omap{{"description", "Default response for " + verb + " " + path}}}})
			switch deref(r.AuthorizationType) {
			case authJWT, authCustom:
				if a, ok := authorizers[deref(r.AuthorizerId)]; ok {
					scopes := []any{}
					for _, sc := range r.AuthorizationScopes {
						scopes = append(scopes, sc)
					}
					op.add("security", []any{omap{{*a.Name, scopes}}})
				}
			case authIAM:
				usesIAM = true
				op.add("security", []any{omap{{sigv4SchemeName, []any{}}}})
			}
			if id, ok := strings.CutPrefix(deref(r.Target), "integrations/"); ok {
				if it, ok := integrations[id]; ok {
					used[id] = true
					if extensions {
						op.add(extIntegration, exportIntegration(it))
					}
				}
			}
			item.add(method, op)
		}
		if params := pathParameters(path); len(params) > 0 {
			item.add("parameters", params)
		}
		paths.add(path, item)
	}
	doc.add("paths", paths)

	components := omap{}
	schemes := omap{}
	byName := slices.Clone(snap.Authorizers)
	slices.SortFunc(byName, func(a, b Authorizer) int { return strings.Compare(*a.Name, *b.Name) })
	for _, a := range byName {
		schemes.add(*a.Name, exportAuthorizer(a, extensions))
	}
	if usesIAM {
		sigv4 := omap{{"type", "apiKey"}, {"name", "Authorization"}, {"in", "header"}}
		if extensions {
			sigv4.add(extAuthType, authTypeSigv4)
		}
		schemes.add(sigv4SchemeName, sigv4)
	}
	if len(schemes) > 0 {
		components.add("securitySchemes", schemes)
	}
	if extensions {
		unused := omap{}
		for _, si := range snap.Integrations {
			if !used[*si.IntegrationId] {
				unused.add("unusedIntegration_"+*si.IntegrationId, exportIntegration(si.Integration))
			}
		}
		if len(unused) > 0 {
			components.add(extIntegrations, unused)
		}
	}
	if len(components) > 0 {
		doc.add("components", components)
	}
	if extensions {
		if c := api.CorsConfiguration; c != nil {
			doc.add(extCors, exportCors(c))
		}
		doc.add(extImportExport, "1.0")
	}
	return doc
}

// pathParameters: one generated parameter per {name} segment; a greedy
// parameter keeps its "+" ([V] "name" : "proxy+").
func pathParameters(path string) []any {
	var out []any
	for seg := range strings.SplitSeq(path, "/") {
		if !strings.HasPrefix(seg, "{") || !strings.HasSuffix(seg, "}") {
			continue
		}
		name := seg[1 : len(seg)-1]
		out = append(out, omap{
			{"name", name},
			{"in", "path"},
			{"description", "Generated path parameter for " + name},
			{"required", true},
			{"schema", omap{{"type", "string"}}},
		})
	}
	return out
}

// exportIntegration: the member order of AWS's exports; members AWS's
// samples do not show are placed by Portico [I]. The default timeout is
// left out, as AWS's exports of integrations created without one show.
func exportIntegration(it Integration) omap {
	m := omap{}
	if len(it.ResponseParameters) > 0 {
		rp := omap{}
		for _, code := range slices.Sorted(maps.Keys(it.ResponseParameters)) {
			rp.add(code, stringOmap(it.ResponseParameters[code]))
		}
		m.add("responseParameters", rp)
	}
	if len(it.RequestParameters) > 0 {
		m.add("requestParameters", stringOmap(it.RequestParameters))
	}
	if it.PayloadFormatVersion != nil {
		m.add("payloadFormatVersion", *it.PayloadFormatVersion)
	}
	if it.ConnectionId != nil {
		m.add("connectionId", *it.ConnectionId)
	}
	m.add("type", strings.ToLower(deref(it.IntegrationType)))
	if it.IntegrationSubtype != nil {
		m.add("integrationSubtype", *it.IntegrationSubtype)
	}
	if it.CredentialsArn != nil {
		m.add("credentials", *it.CredentialsArn)
	}
	if it.IntegrationMethod != nil {
		m.add("httpMethod", *it.IntegrationMethod)
	}
	if it.IntegrationUri != nil {
		m.add("uri", *it.IntegrationUri)
	}
	m.add("connectionType", deref(it.ConnectionType))
	if it.TlsConfig != nil && it.TlsConfig.ServerNameToVerify != nil {
		m.add("tlsConfig", omap{{"serverNameToVerify", *it.TlsConfig.ServerNameToVerify}})
	}
	if t := deref(it.TimeoutInMillis); t != 0 && t != httpTimeoutDefault {
		m.add("timeoutInMillis", int64(t))
	}
	if it.Description != nil {
		m.add("description", *it.Description)
	}
	return m
}

// exportAuthorizer: the security scheme of an authorizer ([V] layouts).
// Without extensions the scheme stays, without x-amazon-apigateway-
// authorizer [I].
func exportAuthorizer(a Authorizer, extensions bool) omap {
	ext := omap{}
	if len(a.IdentitySource) > 0 {
		ext.add("identitySource", strings.Join(a.IdentitySource, ", "))
	}
	var scheme omap
	if *a.AuthorizerType == authorizerJWT {
		scheme = omap{{"type", "oauth2"}, {"flows", omap{}}}
		jwt := omap{}
		if a.JwtConfiguration != nil {
			aud := []any{}
			for _, s := range a.JwtConfiguration.Audience {
				aud = append(aud, s)
			}
			jwt.add("audience", aud)
			jwt.add("issuer", deref(a.JwtConfiguration.Issuer))
		}
		ext.add("jwtConfiguration", jwt)
		ext.add("type", "jwt")
	} else {
		// The apiKey scheme names the identity source's header when there
		// is exactly one, "Unused" otherwise (developer guide's REST
		// examples) [I].
		name := "Unused"
		if len(a.IdentitySource) == 1 {
			if h, ok := strings.CutPrefix(a.IdentitySource[0], "$request.header."); ok {
				name = h
			}
		}
		scheme = omap{{"type", "apiKey"}, {"name", name}, {"in", "header"}}
		if a.AuthorizerUri != nil {
			ext.add("authorizerUri", *a.AuthorizerUri)
		}
		if a.AuthorizerCredentialsArn != nil {
			ext.add("authorizerCredentials", *a.AuthorizerCredentialsArn)
		}
		if a.AuthorizerPayloadFormatVersion != nil {
			ext.add("authorizerPayloadFormatVersion", *a.AuthorizerPayloadFormatVersion)
		}
		if a.AuthorizerResultTtlInSeconds != nil {
			ext.add("authorizerResultTtlInSeconds", int64(*a.AuthorizerResultTtlInSeconds))
		}
		ext.add("type", "request")
		if a.EnableSimpleResponses != nil {
			ext.add("enableSimpleResponses", *a.EnableSimpleResponses)
		}
	}
	if extensions {
		scheme.add(extAuthorizer, ext)
	}
	return scheme
}

// exportCors: the member order of AWS's exports ([V]); unset members are
// left out [I].
func exportCors(c *Cors) omap {
	m := omap{}
	strs := func(l []string) []any {
		out := []any{}
		for _, s := range l {
			out = append(out, s)
		}
		return out
	}
	if c.AllowMethods != nil {
		m.add("allowMethods", strs(c.AllowMethods))
	}
	if c.AllowHeaders != nil {
		m.add("allowHeaders", strs(c.AllowHeaders))
	}
	if c.ExposeHeaders != nil {
		m.add("exposeHeaders", strs(c.ExposeHeaders))
	}
	if c.MaxAge != nil {
		m.add("maxAge", int64(*c.MaxAge))
	}
	if c.AllowCredentials != nil {
		m.add("allowCredentials", *c.AllowCredentials)
	}
	if c.AllowOrigins != nil {
		m.add("allowOrigins", strs(c.AllowOrigins))
	}
	return m
}

func stringOmap(m map[string]string) omap {
	out := omap{}
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out.add(k, m[k])
	}
	return out
}

// jacksonJSON prints v as Jackson's DefaultPrettyPrinter does, which is
// what AWS's exports look like: objects indented by two spaces per level,
// `"key" : value`, arrays inline ("[ a, b ]") without their own level of
// indentation, "{ }" and "[ ]" when empty.
func jacksonJSON(v any) []byte {
	var b bytes.Buffer
	writeJackson(&b, v, 0)
	return b.Bytes()
}

func writeJackson(b *bytes.Buffer, v any, level int) {
	switch v := v.(type) {
	case omap:
		if len(v) == 0 {
			b.WriteString("{ }")
			return
		}
		b.WriteString("{\n")
		for i, e := range v {
			b.WriteString(strings.Repeat("  ", level+1))
			writeJSONString(b, e.k)
			b.WriteString(" : ")
			writeJackson(b, e.v, level+1)
			if i < len(v)-1 {
				b.WriteByte(',')
			}
			b.WriteByte('\n')
		}
		b.WriteString(strings.Repeat("  ", level))
		b.WriteByte('}')
	case []any:
		if len(v) == 0 {
			b.WriteString("[ ]")
			return
		}
		b.WriteString("[ ")
		for i, e := range v {
			if i > 0 {
				b.WriteString(", ")
			}
			writeJackson(b, e, level)
		}
		b.WriteString(" ]")
	case string:
		writeJSONString(b, v)
	case bool:
		b.WriteString(strconv.FormatBool(v))
	case int64:
		b.WriteString(strconv.FormatInt(v, 10))
	}
}

// writeJSONString escapes as Jackson does: quote, backslash and control
// characters; "/" and non-ASCII are written as they are.
func writeJSONString(b *bytes.Buffer, s string) {
	const hex = "0123456789ABCDEF"
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		default:
			if c < 0x20 {
				b.WriteString(`\u00`)
				b.WriteByte(hex[c>>4])
				b.WriteByte(hex[c&0xF])
			} else {
				b.WriteByte(c)
			}
		}
	}
	b.WriteByte('"')
}

// exportYAML prints v as AWS's YAML exports look: strings double-quoted,
// keys plain, sequences not indented under their key, two spaces per level.
func exportYAML(v omap) ([]byte, error) {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	enc.CompactSeqIndent()
	if err := enc.Encode(yamlNode(v)); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func yamlNode(v any) *yaml.Node {
	switch v := v.(type) {
	case omap:
		n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		if len(v) == 0 {
			n.Style = yaml.FlowStyle
		}
		for _, e := range v {
			n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: e.k}, yamlNode(e.v))
		}
		return n
	case []any:
		n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		if len(v) == 0 {
			n.Style = yaml.FlowStyle
		}
		for _, e := range v {
			n.Content = append(n.Content, yamlNode(e))
		}
		return n
	case string:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v, Style: yaml.DoubleQuotedStyle}
	case bool:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(v)}
	case int64:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.FormatInt(v, 10)}
	}
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}
}
