package apigw

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/portico-dev/portico/internal/awsproto"
	"github.com/portico-dev/portico/internal/store"
)

// Models describe the payloads of a WebSocket API's routes and route
// responses with JSON Schema draft 4 ("Supported only for WebSocket APIs").
// A model is a child of its API, with its name as the unique key there; the
// routes and route responses that use one name it (requestModels,
// responseModels).

var _ interface {
	createModelHandler
	getModelHandler
	getModelsHandler
	updateModelHandler
	deleteModelHandler
	getModelTemplateHandler
} = (*Server)(nil)

// The lengths the model documents for its string shapes
// (StringWithLengthBetween1And128 and so on) but does not declare as
// constraints, so the generated validators do not check them.
const (
	maxModelName        = 128
	maxModelContentType = 256
	maxModelDescription = 1024
	maxModelSchema      = 32768
)

func (s *Server) CreateModel(ctx context.Context, in *CreateModelRequest) (*CreateModelResponse, error) {
	m := Model{
		Name:        in.Name,
		ContentType: in.ContentType,
		Description: emptyToNil(in.Description),
		Schema:      in.Schema,
	}
	// The schema is compiled before the write transaction, which would
	// otherwise hold the store's write lock for it; its error is reported
	// after the API's, in the order of every other operation.
	invalid := checkModel(&m)
	err := s.changeAPI(ctx, *in.ApiId, func(tx store.Tx) error {
		if _, err := loadWebSocketAPI(ctx, tx, *in.ApiId); err != nil {
			return err
		}
		if invalid != nil {
			return invalid
		}
		err := insertNew(tx, kindModel, apiRef(*in.ApiId), *m.Name, 6, func(id string) any {
			m.ModelId = &id
			return m
		})
		if errors.Is(err, store.ErrConflict) {
			return duplicateModelName()
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	out := CreateModelResponse(m)
	return &out, nil
}

func (s *Server) GetModel(ctx context.Context, in *GetModelRequest) (*GetModelResponse, error) {
	var m Model
	err := s.view(ctx, func(tx store.Tx) error {
		var err error
		m, err = loadWebSocketModel(ctx, tx, *in.ApiId, *in.ModelId)
		return err
	})
	if err != nil {
		return nil, err
	}
	out := GetModelResponse(m)
	return &out, nil
}

func (s *Server) GetModels(ctx context.Context, in *GetModelsRequest) (*GetModelsResponse, error) {
	p, err := parsePage(in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	out := &GetModelsResponse{}
	err = s.view(ctx, func(tx store.Tx) error {
		if _, err := loadWebSocketAPI(ctx, tx, *in.ApiId); err != nil {
			return err
		}
		out.Items, out.NextToken, err = listPage[Model](tx, kindModel, apiRef(*in.ApiId), p)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// UpdateModel is a partial update: absent members stay, "" clears the
// description, and a new name or schema is checked as on create. A model
// may be renamed while routes use it: their requestModels and
// responseModels keep the old name [I] (refusing would break Terraform,
// which renames the model before it updates the routes that use it).
func (s *Server) UpdateModel(ctx context.Context, in *UpdateModelRequest) (*UpdateModelResponse, error) {
	// A new schema is compiled outside the write transaction, as on create;
	// whether it had to be is known once the content type is.
	var invalid error
	if in.Schema != nil {
		invalid = checkModelSchema(*in.Schema)
	}
	var m Model
	err := s.changeAPI(ctx, *in.ApiId, func(tx store.Tx) error {
		var err error
		if m, err = loadWebSocketModel(ctx, tx, *in.ApiId, *in.ModelId); err != nil {
			return err
		}
		wasJSON := isJSONModel(&m)
		if in.Name != nil {
			m.Name = in.Name
		}
		if in.ContentType != nil {
			m.ContentType = in.ContentType
		}
		setString(&m.Description, in.Description)
		if in.Schema != nil {
			m.Schema = in.Schema
		}
		// The fields first, then the schema, as on create.
		if err := checkModelFields(&m); err != nil {
			return err
		}
		switch {
		case !isJSONModel(&m):
			invalid = nil
		case in.Schema == nil && !wasJSON:
			// A model that becomes JSON has its stored schema checked
			// (rare enough to be compiled here, under the write lock).
			invalid = checkModelSchema(*m.Schema)
		}
		if invalid != nil {
			return invalid
		}
		err = tx.Replace(store.Record{Kind: kindModel, ID: *m.ModelId, Parent: apiRef(*in.ApiId),
			Key: *m.Name, Data: encode(m)})
		if errors.Is(err, store.ErrConflict) {
			return duplicateModelName()
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	out := UpdateModelResponse(m)
	return &out, nil
}

// DeleteModel refuses to delete a model that a route or route response
// uses, as API Gateway does for REST API models (409, messages_models.go).
func (s *Server) DeleteModel(ctx context.Context, in *DeleteModelRequest) error {
	return s.changeAPI(ctx, *in.ApiId, func(tx store.Tx) error {
		m, err := loadWebSocketModel(ctx, tx, *in.ApiId, *in.ModelId)
		if err != nil {
			return err
		}
		refs, err := modelReferences(tx, *in.ApiId, *m.Name)
		if err != nil {
			return err
		}
		if len(refs) > 0 {
			return modelInUse(*m.Name, refs)
		}
		return tx.Delete(kindModel, *in.ModelId)
	})
}

// GetModelTemplate generates the mapping template of a model: a VTL
// template that turns a payload of the model's shape into the same shape
// (modeltemplate.go).
func (s *Server) GetModelTemplate(ctx context.Context, in *GetModelTemplateRequest) (*GetModelTemplateResponse, error) {
	var m Model
	err := s.view(ctx, func(tx store.Tx) error {
		var err error
		m, err = loadWebSocketModel(ctx, tx, *in.ApiId, *in.ModelId)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &GetModelTemplateResponse{Value: ptr(modelTemplate(deref(m.Schema)))}, nil
}

// loadWebSocketAPI reads an API (404) that must be a WebSocket API (400).
// Every model operation checks the protocol, reads included [I]: on an HTTP
// API no model can exist, and "models are WebSocket only" says more than
// "no such model".
func loadWebSocketAPI(ctx context.Context, tx store.Tx, apiID string) (Api, error) {
	api, err := loadAPI(ctx, tx, apiID)
	if err != nil {
		return api, err
	}
	if *api.ProtocolType != protocolWebSocket {
		return api, modelsWebSocketOnly()
	}
	return api, nil
}

// loadWebSocketModel reads a model of a WebSocket API: the API first (404,
// then 400 for an HTTP API), then the model (404).
func loadWebSocketModel(ctx context.Context, tx store.Tx, apiID, modelID string) (Model, error) {
	if _, err := loadWebSocketAPI(ctx, tx, apiID); err != nil {
		return Model{}, err
	}
	var m Model
	err := getChildInto(tx, kindModel, modelID, apiRef(apiID), &m)
	if errors.Is(err, store.ErrNotFound) {
		return m, modelNotFound(modelID)
	}
	return m, err
}

// modelReferences names the routes and route responses of the API whose
// requestModels or responseModels use the model called name: route
// requests first, then route responses, each in route key order.
func modelReferences(tx store.Tx, apiID, name string) ([]string, error) {
	all := page{limit: 1 << 30}
	routes, _, err := listPage[Route](tx, kindRoute, apiRef(apiID), all)
	if err != nil {
		return nil, err
	}
	var requests, responses []string
	for _, r := range routes {
		if mapHasValue(r.RequestModels, name) {
			requests = append(requests, "route request: "+*r.RouteKey)
		}
		rrs, _, err := listPage[RouteResponse](tx, kindRouteResponse, routeRef(*r.RouteId), all)
		if err != nil {
			return nil, err
		}
		for _, rr := range rrs {
			if mapHasValue(rr.ResponseModels, name) {
				responses = append(responses, "route response: "+*r.RouteKey+"/"+*rr.RouteResponseKey)
			}
		}
	}
	slices.Sort(requests)
	slices.Sort(responses)
	return append(requests, responses...), nil
}

func mapHasValue(m map[string]string, v string) bool {
	for _, x := range m {
		if x == v {
			return true
		}
	}
	return false
}

// checkModel checks a new model: its fields, then its schema if it is a
// JSON model.
func checkModel(m *Model) error {
	if err := checkModelFields(m); err != nil {
		return err
	}
	if !isJSONModel(m) {
		return nil
	}
	return checkModelSchema(*m.Schema)
}

// isJSONModel tells whether a model's schema is a JSON Schema, to be checked
// when it is stored and used to validate messages: when its content type is
// absent (API Gateway's default is application/json) or a JSON media type,
// parameters and case aside: application/json, any type whose subtype ends
// in +json, and the json and x-json subtypes of other types (text/x-json,
// which Terraform's acceptance tests use). Any other model is stored as
// given: its name, content type, description and the schema's length
// (0 to 32768, the model's constraint) are checked, the schema's content is
// not, and it validates nothing [I: nothing shows AWS refusing a non-JSON
// model, nor reading its schema as JSON].
func isJSONModel(m *Model) bool {
	if m.ContentType == nil {
		return true
	}
	mediaType, _, _ := strings.Cut(*m.ContentType, ";")
	_, subtype, _ := strings.Cut(strings.ToLower(strings.TrimSpace(mediaType)), "/")
	return subtype == "json" || subtype == "x-json" || strings.HasSuffix(subtype, "+json")
}

var alphanumeric = regexp.MustCompile(`^[A-Za-z0-9]+$`)

// checkModelFields holds the rules on a model's fields but its schema's
// content: the lengths the model documents, and names that are
// alphanumeric ("Must be alphanumeric", ASCII as in v1).
func checkModelFields(m *Model) error {
	if err := awsproto.MinLength("name", 1, *m.Name); err != nil {
		return err
	}
	if err := awsproto.MaxLength("name", maxModelName, *m.Name); err != nil {
		return err
	}
	if !alphanumeric.MatchString(*m.Name) {
		return modelNameNotAlphanumeric(*m.Name)
	}
	// contentType is optional (the model requires only name and schema);
	// when given it has 1 to 256 characters, so "" is refused, not a way to
	// clear it [I].
	if m.ContentType != nil {
		if err := awsproto.MinLength("contentType", 1, *m.ContentType); err != nil {
			return err
		}
		if err := awsproto.MaxLength("contentType", maxModelContentType, *m.ContentType); err != nil {
			return err
		}
	}
	if m.Description != nil {
		if err := awsproto.MaxLength("description", maxModelDescription, *m.Description); err != nil {
			return err
		}
	}
	return awsproto.MaxLength("schema", maxModelSchema, *m.Schema)
}

// checkModelSchema: the schema of a JSON model must be JSON and a JSON
// Schema, draft 4 unless its $schema names another draft the compiler
// knows [I].
func checkModelSchema(schema string) error {
	if len(schema) > 4*maxModelSchema {
		// Longer than any 32768-character string: checkModelFields
		// refuses it; do not parse it.
		return nil
	}
	_, err := compileModelSchema(schema)
	return err
}

// modelSchemaURL is the base URL a model's schema is compiled under; its
// relative references resolve against it, and nothing is ever loaded from
// it.
const modelSchemaURL = "https://models.portico.invalid/model.json"

// compileModelSchema compiles a model's schema, or returns the 400 that says
// what is wrong with it and where. It never reads a file nor fetches a URL:
// the loader refuses every URL but the schema itself (and the draft
// metaschemas, which the compiler has built in), so a "$ref" to
// "http://..." or "file:///etc/passwd" is an error, not a request.
// References to other models are not supported [I].
func compileModelSchema(schema string) (*jsonschema.Schema, error) {
	return CompileSchema(schema)
}

// CompileSchema compiles a model's schema as compileModelSchema does; the
// data plane uses it to validate messages against request models.
func CompileSchema(schema string) (*jsonschema.Schema, error) {
	doc, err := decodeSchemaJSON(schema)
	if err != nil {
		return nil, invalidModelSchema(err.Error())
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft4)
	c.UseLoader(refuseLoader{})
	c.UseRegexpEngine(modelRegexp)
	if err := c.AddResource(modelSchemaURL, doc); err != nil {
		return nil, invalidModelSchema(err.Error())
	}
	sch, err := c.Compile(modelSchemaURL)
	if err != nil {
		return nil, invalidModelSchema(describeSchemaError(doc, err))
	}
	return sch, nil
}

// decodeSchemaJSON parses a schema as the compiler wants it (numbers kept
// as json.Number), with the position of a syntax error.
func decodeSchemaJSON(schema string) (any, error) {
	dec := json.NewDecoder(strings.NewReader(schema))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		var syn *json.SyntaxError
		switch {
		case errors.As(err, &syn):
			// Offset counts the bytes read, the wrong one included.
			return nil, fmt.Errorf("not valid JSON: %s at %s", syn.Error(), position(schema, syn.Offset-1))
		case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
			return nil, errors.New("not valid JSON: unexpected end of JSON input")
		default:
			return nil, fmt.Errorf("not valid JSON: %v", err)
		}
	}
	end := dec.InputOffset()
	rest := schema[end:]
	if trimmed := strings.TrimLeft(rest, " \t\r\n"); trimmed != "" {
		at := end + int64(len(rest)-len(trimmed))
		return nil, fmt.Errorf("not valid JSON: unexpected data after the top-level value at %s", position(schema, at))
	}
	return doc, nil
}

// position is "line L, column C" (both from 1) of the byte at index i.
func position(s string, i int64) string {
	before := s[:min(max(i, 0), int64(len(s)))]
	line := strings.Count(before, "\n") + 1
	col := len(before) - strings.LastIndexByte(before, '\n')
	return fmt.Sprintf("line %d, column %d", line, col)
}

// refuseLoader is the compiler's only way to the outside world: it refuses
// everything.
type refuseLoader struct{}

func (refuseLoader) Load(url string) (any, error) {
	return nil, errors.New("loading schemas from URLs or files is not supported")
}

// lookaroundOrBackref finds the ECMA 262 regular expression features Go's
// RE2 syntax lacks.
var lookaroundOrBackref = regexp.MustCompile(`\(\?[=!>]|\(\?<[=!]|\\[1-9]|\\k<`)

// modelRegexp compiles the regular expressions of "pattern" and
// "patternProperties". JSON Schema's are ECMA 262, which Go's regexp does
// not fully support: an expression that uses lookaround or backreferences
// (common in API Gateway models: passwords) is accepted unchecked rather
// than refused [I]; other expressions Go cannot compile are refused.
func modelRegexp(s string) (jsonschema.Regexp, error) {
	re, err := regexp.Compile(s)
	if err == nil {
		return re, nil
	}
	if lookaroundOrBackref.MatchString(s) {
		return uncheckedRegexp(s), nil
	}
	return nil, err
}

// uncheckedRegexp matches everything: it stands for an expression Go cannot
// run.
type uncheckedRegexp string

func (r uncheckedRegexp) String() string          { return string(r) }
func (r uncheckedRegexp) MatchString(string) bool { return true }

// describeSchemaError says, without the compiler's internal URLs, what is
// wrong with a schema and where.
func describeSchemaError(doc any, err error) string {
	var (
		invalid *jsonschema.SchemaValidationError
		load    *jsonschema.LoadURLError
		ptr     *jsonschema.JSONPointerNotFoundError
		badPtr  *jsonschema.InvalidJsonPointerError
	)
	switch {
	case errors.As(err, &invalid):
		var ve *jsonschema.ValidationError
		if errors.As(invalid.Err, &ve) {
			return "not a valid JSON Schema: " + strings.Join(schemaViolations(ve, 3), "; ")
		}
		return "not a valid JSON Schema: " + withoutBase(invalid.Err.Error())
	case errors.As(err, &load):
		if meta, ok := metaschemaOf(doc); ok && strings.TrimSuffix(meta, "#") == strings.TrimSuffix(load.URL, "#") {
			return fmt.Sprintf("\"$schema\" %q is not a JSON Schema draft Portico knows: use \"http://json-schema.org/draft-04/schema#\"", meta)
		}
		return unresolvableRef(doc, load.URL) + ": only references inside the schema (such as \"#/definitions/name\") are supported; no schema is loaded from a URL or a file"
	case errors.As(err, &ptr):
		return unresolvableRef(doc, ptr.URL) + ": it points to nothing in the schema"
	case errors.As(err, &badPtr):
		return unresolvableRef(doc, badPtr.URL) + ": it is not a valid JSON pointer"
	}
	return withoutBase(err.Error())
}

func metaschemaOf(doc any) (string, bool) {
	obj, ok := doc.(map[string]any)
	if !ok {
		return "", false
	}
	meta, ok := obj["$schema"].(string)
	return meta, ok
}

// schemaViolations lists the first n leaf violations of the metaschema,
// each with its location in the schema ("at '/properties/a/type': ...").
func schemaViolations(ve *jsonschema.ValidationError, n int) []string {
	var out []string
	var walk func(*jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(out) >= n {
			return
		}
		if len(e.Causes) == 0 {
			out = append(out, withoutBase(e.Error()))
			return
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(ve)
	return out
}

// unresolvableRef names a reference the compiler could not resolve: the
// "$ref" of the schema that leads to url, with its location, when it can
// be found; else url itself.
func unresolvableRef(doc any, url string) string {
	target := withoutBase(url)
	var found, where string
	var walk func(v any, at string)
	walk = func(v any, at string) {
		switch v := v.(type) {
		case map[string]any:
			if ref, ok := v["$ref"].(string); ok && found == "" && refLeadsTo(ref, url) {
				found, where = ref, at+"/$ref"
			}
			// In key order, so that the first of several equal
			// references is always the one named.
			for _, k := range slices.Sorted(maps.Keys(v)) {
				walk(v[k], at+"/"+escapePointer(k))
			}
		case []any:
			for i, x := range v {
				walk(x, fmt.Sprintf("%s/%d", at, i))
			}
		}
	}
	walk(doc, "")
	if found == "" {
		return fmt.Sprintf("reference %q cannot be resolved", target)
	}
	return fmt.Sprintf("reference %q at '%s' cannot be resolved", found, where)
}

// refLeadsTo tells whether a "$ref" value resolved to url (the compiler
// resolves it against the base URL or an enclosing "id"; a URL it failed
// to load has no fragment).
func refLeadsTo(ref, url string) bool {
	if ref == url {
		return true
	}
	refDoc, refFrag, _ := strings.Cut(ref, "#")
	urlDoc, urlFrag, hasFrag := strings.Cut(url, "#")
	if hasFrag && refFrag != urlFrag {
		return false
	}
	if refDoc == "" {
		return hasFrag
	}
	return strings.HasSuffix(urlDoc, strings.TrimPrefix(refDoc, "./"))
}

func escapePointer(s string) string {
	return strings.NewReplacer("~", "~0", "/", "~1").Replace(s)
}

// withoutBase takes the compiler's base URL out of a message: the schema's
// own locations read "#/definitions/x", not an invented URL.
func withoutBase(s string) string {
	return strings.ReplaceAll(s, modelSchemaURL, "")
}
