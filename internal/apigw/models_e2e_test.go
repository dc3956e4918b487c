package apigw_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"

	"github.com/portico-dev/portico/internal/store"
)

var modelIDPattern = regexp.MustCompile(`^[a-z0-9]{6}$`)

// petSchema is Terraform's acceptance-test schema for aws_apigatewayv2_model.
const petSchema = `{
  "$schema": "http://json-schema.org/draft-04/schema#",
  "title": "ExampleModel",
  "type": "object",
  "properties": {
    "id": {
      "type": "string"
    }
  }
}`

// invalidSchema frames the detail of a refused schema as AWS frames it.
func invalidSchema(detail string) string {
	return "Invalid model specified: Validation Result: warnings : [], errors : [Invalid model schema specified: " + detail + "]"
}

// createModel creates a model with a content type and returns its id.
func (e *env) createModel(t *testing.T, apiID, name, schema string) string {
	t.Helper()
	out, err := e.c.CreateModel(e.ctx, &apigatewayv2.CreateModelInput{ApiId: aws.String(apiID), Name: aws.String(name),
		Schema: aws.String(schema), ContentType: aws.String("application/json")})
	must(t, err)
	return aws.ToString(out.ModelId)
}

// modelWant is what a model must hold; nil pointers must be absent.
type modelWant struct {
	id, name, schema         string
	contentType, description *string
}

func checkModel(t *testing.T, op string, id, name, schema, contentType, description *string, want modelWant) {
	t.Helper()
	if want.id != "" && aws.ToString(id) != want.id {
		t.Errorf("%s: modelId %q, want %q", op, aws.ToString(id), want.id)
	}
	if !modelIDPattern.MatchString(aws.ToString(id)) {
		t.Errorf("%s: modelId %q does not match %s", op, aws.ToString(id), modelIDPattern)
	}
	if aws.ToString(name) != want.name || aws.ToString(schema) != want.schema {
		t.Errorf("%s: name %q schema %q, want %q %q", op, aws.ToString(name), aws.ToString(schema), want.name, want.schema)
	}
	if (contentType == nil) != (want.contentType == nil) || aws.ToString(contentType) != aws.ToString(want.contentType) {
		t.Errorf("%s: contentType %v, want %v", op, ptrString(contentType), ptrString(want.contentType))
	}
	if (description == nil) != (want.description == nil) || aws.ToString(description) != aws.ToString(want.description) {
		t.Errorf("%s: description %v, want %v", op, ptrString(description), ptrString(want.description))
	}
}

// checkStoredModel reads a model with GetModel and GetModels.
func (e *env) checkStoredModel(t *testing.T, apiID string, want modelWant) {
	t.Helper()
	got, err := e.c.GetModel(e.ctx, &apigatewayv2.GetModelInput{ApiId: aws.String(apiID), ModelId: aws.String(want.id)})
	must(t, err)
	wantStatus(t, got.ResultMetadata, 200)
	checkModel(t, "GetModel", got.ModelId, got.Name, got.Schema, got.ContentType, got.Description, want)
	list, err := e.c.GetModels(e.ctx, &apigatewayv2.GetModelsInput{ApiId: aws.String(apiID)})
	must(t, err)
	for _, m := range list.Items {
		if aws.ToString(m.ModelId) == want.id {
			checkModel(t, "GetModels", m.ModelId, m.Name, m.Schema, m.ContentType, m.Description, want)
			return
		}
	}
	t.Errorf("GetModels: model %s missing from %+v", want.id, list.Items)
}

func TestE2ECreateModel(t *testing.T) {
	e := newEnv(t)
	apiID := e.createWebSocketAPI(t, "chat")
	out, err := e.c.CreateModel(e.ctx, &apigatewayv2.CreateModelInput{ApiId: aws.String(apiID), Name: aws.String("Pet"),
		Schema: aws.String(petSchema), ContentType: aws.String("application/json"), Description: aws.String("A pet")})
	must(t, err)
	wantStatus(t, out.ResultMetadata, 201)
	want := modelWant{id: aws.ToString(out.ModelId), name: "Pet", schema: petSchema,
		contentType: aws.String("application/json"), description: aws.String("A pet")}
	// The schema comes back byte for byte, as the AWS CLI example shows.
	checkModel(t, "CreateModel", out.ModelId, out.Name, out.Schema, out.ContentType, out.Description, want)
	e.checkStoredModel(t, apiID, want)

	// contentType is optional (only name and schema are required) and is
	// not defaulted [I]; an empty description is no description.
	bare, err := e.c.CreateModel(e.ctx, &apigatewayv2.CreateModelInput{ApiId: aws.String(apiID), Name: aws.String("Bare"),
		Schema: aws.String(`{}`), Description: aws.String("")})
	must(t, err)
	want = modelWant{id: aws.ToString(bare.ModelId), name: "Bare", schema: `{}`}
	checkModel(t, "CreateModel", bare.ModelId, bare.Name, bare.Schema, bare.ContentType, bare.Description, want)
	e.checkStoredModel(t, apiID, want)

	// text/x-json, which Terraform's acceptance test uses, is a JSON content
	// type: the schema is read as JSON Schema.
	_, err = e.c.CreateModel(e.ctx, &apigatewayv2.CreateModelInput{ApiId: aws.String(apiID), Name: aws.String("Other"),
		Schema: aws.String(petSchema), ContentType: aws.String("text/x-json")})
	must(t, err)

	// The members on the wire: only those set.
	r := e.raw(t, "POST", "/v2/apis/"+apiID+"/models", `{"name":"Wire","schema":"{}"}`, nil)
	id, _ := decodeObject(t, "CreateModel", r.body)["modelId"].(string)
	wantBody(t, "CreateModel", r, 201, `{"modelId":"`+id+`","name":"Wire","schema":"{}"}`)
}

func TestE2EModelNameAndFieldRules(t *testing.T) {
	e := newEnv(t)
	apiID := e.createWebSocketAPI(t, "chat")
	create := func(name, schema string, contentType, description *string) error {
		_, err := e.c.CreateModel(e.ctx, &apigatewayv2.CreateModelInput{ApiId: aws.String(apiID), Name: aws.String(name),
			Schema: aws.String(schema), ContentType: contentType, Description: description})
		return err
	}
	for _, name := range []string{"a", "Pet2", "ABCxyz0123456789", strings.Repeat("m", 128)} {
		must(t, create(name, "{}", nil, nil))
	}
	for _, name := range []string{"my_model", "my-model", "my model", "Modèle", "pet.v2"} {
		wantAPIError(t, create(name, "{}", nil, nil), 400, "BadRequestException", "Model name must be alphanumeric: "+name)
	}
	wantAPIError(t, create("", "{}", nil, nil), 400, "BadRequestException",
		"1 validation error detected: Value '' at 'name' failed to satisfy constraint: Member must have length greater than or equal to 1")
	long := strings.Repeat("n", 129)
	wantAPIError(t, create(long, "{}", nil, nil), 400, "BadRequestException",
		"1 validation error detected: Value '"+long[:64]+"...' at 'name' failed to satisfy constraint: Member must have length less than or equal to 128")
	wantAPIError(t, create("X", "{}", aws.String(""), nil), 400, "BadRequestException",
		"1 validation error detected: Value '' at 'contentType' failed to satisfy constraint: Member must have length greater than or equal to 1")
	wantAPIError(t, create("X", "{}", aws.String(strings.Repeat("c", 257)), nil), 400, "BadRequestException",
		"1 validation error detected: Value '"+strings.Repeat("c", 64)+"...' at 'contentType' failed to satisfy constraint: Member must have length less than or equal to 256")
	wantAPIError(t, create("X", "{}", nil, aws.String(strings.Repeat("d", 1025))), 400, "BadRequestException",
		"1 validation error detected: Value '"+strings.Repeat("d", 64)+"...' at 'description' failed to satisfy constraint: Member must have length less than or equal to 1024")
	big := `{"description":"` + strings.Repeat("s", 32768) + `"}`
	wantAPIError(t, create("X", big, nil, nil), 400, "BadRequestException",
		"1 validation error detected: Value '"+big[:64]+"...' at 'schema' failed to satisfy constraint: Member must have length less than or equal to 32768")
	// Exactly 32768 characters is allowed.
	must(t, create("Big", `{"description":"`+strings.Repeat("s", 32768-18)+`"}`, nil, nil))
	// A missing required member is the protocol layer's 400.
	r := e.raw(t, "POST", "/v2/apis/"+apiID+"/models", `{"name":"NoSchema"}`, nil)
	wantRawError(t, "CreateModel without schema", r, 400, "BadRequestException",
		"1 validation error detected: Value null at 'schema' failed to satisfy constraint: Member must not be null")

	// Nothing refused was stored.
	list, err := e.c.GetModels(e.ctx, &apigatewayv2.GetModelsInput{ApiId: aws.String(apiID)})
	must(t, err)
	if len(list.Items) != 5 {
		t.Errorf("%d models stored, want 5", len(list.Items))
	}
}

func TestE2EModelSchemaValidation(t *testing.T) {
	e := newEnv(t)
	apiID := e.createWebSocketAPI(t, "chat")
	create := func(schema string) error {
		_, err := e.c.CreateModel(e.ctx, &apigatewayv2.CreateModelInput{ApiId: aws.String(apiID), Name: aws.String("M"),
			Schema: aws.String(schema), ContentType: aws.String("application/json")})
		return err
	}
	cases := []struct{ schema, detail string }{
		{``, "not valid JSON: unexpected end of JSON input"},
		{"{\n  \"type\": \"object\",\n  \"properties\": {\n    \"id\": {\"type\": \"string\"},\n  }\n}",
			"not valid JSON: invalid character '}' looking for beginning of object key string at line 5, column 3"},
		{`{"type": "object"} trailing`, "not valid JSON: unexpected data after the top-level value at line 1, column 20"},
		{`"just a string"`, "not a valid JSON Schema: at '': got string, want object"},
		{`{"type":"object","properties":{"id":{"type":"text"}}}`,
			"not a valid JSON Schema: at '/properties/id/type': value must be one of 'array', 'boolean', 'integer', 'null', 'number', 'object', 'string'; at '/properties/id/type': got string, want array"},
		{`{"type":"object","properties":{"n":{"type":"integer","minimum":"zero"}}}`,
			"not a valid JSON Schema: at '/properties/n/minimum': got string, want number"},
		// Draft 4: "required" has at least one name.
		{`{"type":"object","required":[]}`, "not a valid JSON Schema: at '/required': minItems: got 0, want 1"},
		{`{"properties":{"pet":{"$ref":"#/definitions/Pet"}}}`,
			`reference "#/definitions/Pet" at '/properties/pet/$ref' cannot be resolved: it points to nothing in the schema`},
	}
	for _, c := range cases {
		wantAPIError(t, create(c.schema), 400, "BadRequestException", invalidSchema(c.detail))
	}
	// Valid schemas, draft 4 ids and lookahead patterns included.
	for i, s := range []string{
		petSchema,
		`{"$schema":"http://json-schema.org/draft-04/schema#","id":"http://jsonschema.net","type":"object","properties":{"url":{"id":"http://jsonschema.net/url","type":"string"}}}`,
		`{"type":"object","definitions":{"Pet":{"type":"string"}},"properties":{"pet":{"$ref":"#/definitions/Pet"}}}`,
		`{"type":"object","properties":{"password":{"type":"string","pattern":"^(?=.*[0-9]).{8,}$"}}}`,
	} {
		_, err := e.c.CreateModel(e.ctx, &apigatewayv2.CreateModelInput{ApiId: aws.String(apiID), Name: aws.String("Ok" + string(rune('A'+i))),
			Schema: aws.String(s)})
		must(t, err)
	}
}

// TestE2EModelRemoteRefRefused: a "$ref" to a URL or a file is refused
// with a 400, and nothing is fetched or read, even when the target is a
// valid schema that would make the model compile.
func TestE2EModelRemoteRefRefused(t *testing.T) {
	e := newEnv(t)
	apiID := e.createWebSocketAPI(t, "chat")
	var hits atomic.Int32
	remote := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "application/schema+json")
		w.Write([]byte(`{"type":"string"}`))
	}))
	defer remote.Close()
	file := filepath.Join(t.TempDir(), "pet.json")
	must(t, os.WriteFile(file, []byte(`{"type":"string"}`), 0o644))

	const why = ": only references inside the schema (such as \"#/definitions/name\") are supported; no schema is loaded from a URL or a file"
	for _, c := range []struct{ schema, detail string }{
		{`{"type":"object","properties":{"pet":{"$ref":"` + remote.URL + `/pet.json"}}}`,
			`reference "` + remote.URL + `/pet.json" at '/properties/pet/$ref' cannot be resolved` + why},
		{`{"$ref":"` + remote.URL + `/pet.json#/definitions/x"}`,
			`reference "` + remote.URL + `/pet.json#/definitions/x" at '/$ref' cannot be resolved` + why},
		{`{"type":"array","items":{"$ref":"file://` + file + `"}}`,
			`reference "file://` + file + `" at '/items/$ref' cannot be resolved` + why},
		{`{"properties":{"p":{"$ref":"file:///etc/passwd"}}}`,
			`reference "file:///etc/passwd" at '/properties/p/$ref' cannot be resolved` + why},
		// A relative reference is resolved against no file either.
		{`{"properties":{"p":{"$ref":"pet.json"}}}`,
			`reference "pet.json" at '/properties/p/$ref' cannot be resolved` + why},
		// Nor is a metaschema that is not one of the drafts.
		{`{"$schema":"` + remote.URL + `/meta.json","type":"object"}`,
			`"$schema" "` + remote.URL + `/meta.json" is not a JSON Schema draft Portico knows: use "http://json-schema.org/draft-04/schema#"`},
	} {
		_, err := e.c.CreateModel(e.ctx, &apigatewayv2.CreateModelInput{ApiId: aws.String(apiID), Name: aws.String("Remote"),
			Schema: aws.String(c.schema), ContentType: aws.String("application/json")})
		wantAPIError(t, err, 400, "BadRequestException", invalidSchema(c.detail))
	}
	// UpdateModel refuses them the same way.
	id := e.createModel(t, apiID, "Local", petSchema)
	_, err := e.c.UpdateModel(e.ctx, &apigatewayv2.UpdateModelInput{ApiId: aws.String(apiID), ModelId: aws.String(id),
		Schema: aws.String(`{"$ref":"` + remote.URL + `/pet.json"}`)})
	wantAPIError(t, err, 400, "BadRequestException",
		invalidSchema(`reference "`+remote.URL+`/pet.json" at '/$ref' cannot be resolved`+why))
	if n := hits.Load(); n != 0 {
		t.Errorf("the schema server was asked %d times", n)
	}
}

func TestE2EModelDuplicateName(t *testing.T) {
	e := newEnv(t)
	apiID := e.createWebSocketAPI(t, "chat")
	other := e.createWebSocketAPI(t, "other")
	first := e.createModel(t, apiID, "Pet", petSchema)
	_, err := e.c.CreateModel(e.ctx, &apigatewayv2.CreateModelInput{ApiId: aws.String(apiID), Name: aws.String("Pet"), Schema: aws.String("{}")})
	wantAPIError(t, err, 409, "ConflictException", "Model name already exists for this API")
	// Names are unique per API, and compared as given [I]: "pet" is another name.
	e.createModel(t, other, "Pet", petSchema)
	lower := e.createModel(t, apiID, "pet", petSchema)
	// Renaming onto a taken name is the same conflict, and changes nothing.
	_, err = e.c.UpdateModel(e.ctx, &apigatewayv2.UpdateModelInput{ApiId: aws.String(apiID), ModelId: aws.String(lower),
		Name: aws.String("Pet"), Description: aws.String("renamed")})
	wantAPIError(t, err, 409, "ConflictException", "Model name already exists for this API")
	e.checkStoredModel(t, apiID, modelWant{id: lower, name: "pet", schema: petSchema, contentType: aws.String("application/json")})
	// A model keeps its own name without conflict.
	_, err = e.c.UpdateModel(e.ctx, &apigatewayv2.UpdateModelInput{ApiId: aws.String(apiID), ModelId: aws.String(first), Name: aws.String("Pet")})
	must(t, err)
	// Once deleted, the name is free again.
	_, err = e.c.DeleteModel(e.ctx, &apigatewayv2.DeleteModelInput{ApiId: aws.String(apiID), ModelId: aws.String(first)})
	must(t, err)
	e.createModel(t, apiID, "Pet", "{}")
}

// TestE2EModelsOnHTTPAPI: models are WebSocket only; every model operation
// on an HTTP API is a 400 [I], after the API's own 404.
func TestE2EModelsOnHTTPAPI(t *testing.T) {
	e := newEnv(t)
	httpAPI := aws.String(e.createHTTPAPI(t, "http"))
	const msg = "Models are supported only for WebSocket APIs"
	_, err := e.c.CreateModel(e.ctx, &apigatewayv2.CreateModelInput{ApiId: httpAPI, Name: aws.String("Pet"), Schema: aws.String(petSchema)})
	wantAPIError(t, err, 400, "BadRequestException", msg)
	// Even with a body that is wrong in other ways: the protocol comes first.
	_, err = e.c.CreateModel(e.ctx, &apigatewayv2.CreateModelInput{ApiId: httpAPI, Name: aws.String("bad_name"), Schema: aws.String("{")})
	wantAPIError(t, err, 400, "BadRequestException", msg)
	_, err = e.c.GetModels(e.ctx, &apigatewayv2.GetModelsInput{ApiId: httpAPI})
	wantAPIError(t, err, 400, "BadRequestException", msg)
	_, err = e.c.GetModel(e.ctx, &apigatewayv2.GetModelInput{ApiId: httpAPI, ModelId: aws.String("abc123")})
	wantAPIError(t, err, 400, "BadRequestException", msg)
	_, err = e.c.UpdateModel(e.ctx, &apigatewayv2.UpdateModelInput{ApiId: httpAPI, ModelId: aws.String("abc123"), Name: aws.String("X")})
	wantAPIError(t, err, 400, "BadRequestException", msg)
	_, err = e.c.DeleteModel(e.ctx, &apigatewayv2.DeleteModelInput{ApiId: httpAPI, ModelId: aws.String("abc123")})
	wantAPIError(t, err, 400, "BadRequestException", msg)
	_, err = e.c.GetModelTemplate(e.ctx, &apigatewayv2.GetModelTemplateInput{ApiId: httpAPI, ModelId: aws.String("abc123")})
	wantAPIError(t, err, 400, "BadRequestException", msg)

	// A missing API is 404 before anything else.
	missing := aws.String("nosuchapi0")
	gone := "Invalid API identifier specified 000000000000:nosuchapi0"
	_, err = e.c.CreateModel(e.ctx, &apigatewayv2.CreateModelInput{ApiId: missing, Name: aws.String("bad_name"), Schema: aws.String("{")})
	wantAPIError(t, err, 404, "NotFoundException", gone)
	_, err = e.c.GetModels(e.ctx, &apigatewayv2.GetModelsInput{ApiId: missing})
	wantAPIError(t, err, 404, "NotFoundException", gone)
	_, err = e.c.GetModelTemplate(e.ctx, &apigatewayv2.GetModelTemplateInput{ApiId: missing, ModelId: aws.String("abc123")})
	wantAPIError(t, err, 404, "NotFoundException", gone)
}

func TestE2EModelNotFound(t *testing.T) {
	e := newEnv(t)
	apiID := e.createWebSocketAPI(t, "chat")
	other := e.createWebSocketAPI(t, "other")
	theirs := e.createModel(t, other, "Pet", petSchema)
	api := aws.String(apiID)
	for _, id := range []string{"abc123", theirs} {
		msg := "Invalid Model identifier specified " + id
		_, err := e.c.GetModel(e.ctx, &apigatewayv2.GetModelInput{ApiId: api, ModelId: aws.String(id)})
		wantAPIError(t, err, 404, "NotFoundException", msg)
		_, err = e.c.UpdateModel(e.ctx, &apigatewayv2.UpdateModelInput{ApiId: api, ModelId: aws.String(id), Description: aws.String("x")})
		wantAPIError(t, err, 404, "NotFoundException", msg)
		_, err = e.c.DeleteModel(e.ctx, &apigatewayv2.DeleteModelInput{ApiId: api, ModelId: aws.String(id)})
		wantAPIError(t, err, 404, "NotFoundException", msg)
		_, err = e.c.GetModelTemplate(e.ctx, &apigatewayv2.GetModelTemplateInput{ApiId: api, ModelId: aws.String(id)})
		wantAPIError(t, err, 404, "NotFoundException", msg)
	}
	// The other API's model was not touched through this one.
	e.checkStoredModel(t, other, modelWant{id: theirs, name: "Pet", schema: petSchema, contentType: aws.String("application/json")})
}

func TestE2EUpdateModel(t *testing.T) {
	e := newEnv(t)
	apiID := e.createWebSocketAPI(t, "chat")
	api := aws.String(apiID)
	out, err := e.c.CreateModel(e.ctx, &apigatewayv2.CreateModelInput{ApiId: api, Name: aws.String("Pet"), Schema: aws.String(petSchema),
		ContentType: aws.String("application/json"), Description: aws.String("first")})
	must(t, err)
	id := aws.ToString(out.ModelId)
	want := modelWant{id: id, name: "Pet", schema: petSchema, contentType: aws.String("application/json"), description: aws.String("first")}

	update := func(in apigatewayv2.UpdateModelInput) {
		t.Helper()
		in.ApiId, in.ModelId = api, aws.String(id)
		up, err := e.c.UpdateModel(e.ctx, &in)
		must(t, err)
		wantStatus(t, up.ResultMetadata, 200)
		checkModel(t, "UpdateModel", up.ModelId, up.Name, up.Schema, up.ContentType, up.Description, want)
		e.checkStoredModel(t, apiID, want)
	}
	// An empty update changes nothing.
	update(apigatewayv2.UpdateModelInput{})
	// One member at a time; the others stay.
	want.description = aws.String("second")
	update(apigatewayv2.UpdateModelInput{Description: aws.String("second")})
	want.contentType = aws.String("text/x-json")
	update(apigatewayv2.UpdateModelInput{ContentType: aws.String("text/x-json")})
	schema2 := `{"type":"object","properties":{"ids":{"type":"array","items":{"type":"integer"}}}}`
	want.schema = schema2
	update(apigatewayv2.UpdateModelInput{Schema: aws.String(schema2)})
	want.name = "Animal"
	update(apigatewayv2.UpdateModelInput{Name: aws.String("Animal")})
	// "" clears the description (what Terraform sends to unset it).
	want.description = nil
	update(apigatewayv2.UpdateModelInput{Description: aws.String("")})
	// Several at once.
	want.name, want.description, want.schema = "Pet", aws.String("back"), petSchema
	update(apigatewayv2.UpdateModelInput{Name: aws.String("Pet"), Description: aws.String("back"), Schema: aws.String(petSchema)})

	// Refused updates change nothing.
	refused := []struct {
		in      apigatewayv2.UpdateModelInput
		message string
	}{
		{apigatewayv2.UpdateModelInput{Name: aws.String("Pet_2")}, "Model name must be alphanumeric: Pet_2"},
		{apigatewayv2.UpdateModelInput{Name: aws.String("")},
			"1 validation error detected: Value '' at 'name' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{apigatewayv2.UpdateModelInput{ContentType: aws.String("")},
			"1 validation error detected: Value '' at 'contentType' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{apigatewayv2.UpdateModelInput{Schema: aws.String(`{"type":`)}, invalidSchema("not valid JSON: unexpected end of JSON input")},
		{apigatewayv2.UpdateModelInput{Schema: aws.String(``)}, invalidSchema("not valid JSON: unexpected end of JSON input")},
		{apigatewayv2.UpdateModelInput{Description: aws.String("ok"), Schema: aws.String(`{"type":"object","required":[]}`)},
			invalidSchema("not a valid JSON Schema: at '/required': minItems: got 0, want 1")},
	}
	for _, c := range refused {
		c.in.ApiId, c.in.ModelId = api, aws.String(id)
		_, err := e.c.UpdateModel(e.ctx, &c.in)
		wantAPIError(t, err, 400, "BadRequestException", c.message)
	}
	e.checkStoredModel(t, apiID, want)
}

func TestE2EGetModelsPaging(t *testing.T) {
	e := newEnv(t)
	apiID := e.createWebSocketAPI(t, "chat")
	api := aws.String(apiID)
	empty, err := e.c.GetModels(e.ctx, &apigatewayv2.GetModelsInput{ApiId: api})
	must(t, err)
	wantStatus(t, empty.ResultMetadata, 200)
	if empty.Items == nil || len(empty.Items) != 0 || empty.NextToken != nil {
		t.Fatalf("no models: %#v %v", empty.Items, empty.NextToken)
	}
	wantBody(t, "GetModels of none", e.raw(t, "GET", "/v2/apis/"+apiID+"/models", "", nil), 200, `{"items":[]}`)

	want := map[string]string{}
	for _, name := range []string{"A", "B", "C", "D", "E"} {
		want[e.createModel(t, apiID, name, "{}")] = name
	}
	seen := map[string]int{}
	var sizes []int
	var token *string
	for i := 0; ; i++ {
		if i > 5 {
			t.Fatal("pagination does not end")
		}
		out, err := e.c.GetModels(e.ctx, &apigatewayv2.GetModelsInput{ApiId: api, MaxResults: aws.String("2"), NextToken: token})
		must(t, err)
		sizes = append(sizes, len(out.Items))
		for _, m := range out.Items {
			seen[aws.ToString(m.ModelId)]++
			if want[aws.ToString(m.ModelId)] != aws.ToString(m.Name) || aws.ToString(m.Schema) != "{}" {
				t.Errorf("item %+v", m)
			}
		}
		if token = out.NextToken; token == nil {
			break
		}
	}
	if len(sizes) != 3 || sizes[0] != 2 || sizes[2] != 1 || len(seen) != 5 {
		t.Errorf("page sizes %v, distinct models %d", sizes, len(seen))
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("model %s seen %d times", id, n)
		}
	}
	_, err = e.c.GetModels(e.ctx, &apigatewayv2.GetModelsInput{ApiId: api, MaxResults: aws.String("-1")})
	wantAPIError(t, err, 400, "BadRequestException", `Invalid maxResults specified: "-1". It must be a positive integer.`)
	_, err = e.c.GetModels(e.ctx, &apigatewayv2.GetModelsInput{ApiId: api, NextToken: aws.String("!!")})
	wantAPIError(t, err, 400, "BadRequestException", "Invalid nextToken specified")
}

func TestE2EGetModelTemplate(t *testing.T) {
	e := newEnv(t)
	apiID := e.createWebSocketAPI(t, "chat")
	const header = "#set($inputRoot = $input.path('$'))\n"
	const todo = "##TODO: Update this foreach loop to reference array from input json\n"
	cases := []struct{ name, schema, want string }{
		// The AWS CLI example's Empty model.
		{"Empty", `{"$schema":"http://json-schema.org/draft-04/schema#","title":"Empty Schema","type":"object"}`, header + "{ }"},
		{"Calc", `{"type":"object","properties":{"a":{"type":"number"},"b":{"type":"number"},"op":{"type":"string"},"c":{"type":"number"}}}`,
			header + "{\n  \"a\" : $inputRoot.a,\n  \"b\" : $inputRoot.b,\n  \"op\" : \"$inputRoot.op\",\n  \"c\" : $inputRoot.c\n}"},
		{"CompareData", `{"$schema":"http://json-schema.org/draft-04/schema#","title":"CompareData","type":"array",
			"items":{"type":"object","properties":{"age":{"type":"integer"},"height":{"type":"integer"},"income":{"type":"integer"}},"required":["age","height","income"]}}`,
			header + "[\n" + todo + "#foreach($elem in $inputRoot)\n {\n  \"age\" : $elem.age,\n  \"height\" : $elem.height,\n  \"income\" : $elem.income\n} \n#if($foreach.hasNext),#end\n#end\n]"},
		{"Device", `{"title":"UpdateDeviceInput","type":"object","properties":{"device":{"type":"string"},"online":{"type":"boolean"},
			"tags":{"type":"array","items":{"type":"object","properties":{"tagName":{"type":"string"},"tagValue":{"type":"string"}}}},
			"location":{"$ref":"#/definitions/point"}},
			"definitions":{"point":{"type":"object","properties":{"lat":{"type":"number"},"lon":{"type":"number"}}}}}`,
			header + "{\n" +
				"  \"device\" : \"$inputRoot.device\",\n" +
				"  \"online\" : $inputRoot.online,\n" +
				"  \"tags\" : [\n" + todo +
				"#foreach($elem in $inputRoot.tags)\n" +
				"   {\n" +
				"    \"tagName\" : \"$elem.tagName\",\n" +
				"    \"tagValue\" : \"$elem.tagValue\"\n" +
				"  } \n" +
				"#if($foreach.hasNext),#end\n" +
				"#end\n" +
				"  ],\n" +
				"  \"location\" : {\n" +
				"    \"lat\" : $inputRoot.location.lat,\n" +
				"    \"lon\" : $inputRoot.location.lon\n" +
				"  }\n" +
				"}"},
	}
	for _, c := range cases {
		id := e.createModel(t, apiID, c.name, c.schema)
		out, err := e.c.GetModelTemplate(e.ctx, &apigatewayv2.GetModelTemplateInput{ApiId: aws.String(apiID), ModelId: aws.String(id)})
		must(t, err)
		wantStatus(t, out.ResultMetadata, 200)
		if got := aws.ToString(out.Value); got != c.want {
			t.Errorf("%s: template\n got:\n%s\nwant:\n%s", c.name, got, c.want)
		}
	}
	// The wire form is {"value": "..."}.
	id := e.createModel(t, apiID, "Wire", `{"type":"object"}`)
	body, _ := json.Marshal(map[string]string{"value": header + "{ }"})
	wantBody(t, "GetModelTemplate", e.raw(t, "GET", "/v2/apis/"+apiID+"/models/"+id+"/template", "", nil), 200, string(body))
	// The template follows the model's schema when it changes.
	_, err := e.c.UpdateModel(e.ctx, &apigatewayv2.UpdateModelInput{ApiId: aws.String(apiID), ModelId: aws.String(id),
		Schema: aws.String(`{"type":"object","properties":{"n":{"type":"integer"}}}`)})
	must(t, err)
	out, err := e.c.GetModelTemplate(e.ctx, &apigatewayv2.GetModelTemplateInput{ApiId: aws.String(apiID), ModelId: aws.String(id)})
	must(t, err)
	if want := header + "{\n  \"n\" : $inputRoot.n\n}"; aws.ToString(out.Value) != want {
		t.Errorf("template after update:\n%s\nwant:\n%s", aws.ToString(out.Value), want)
	}
}

func TestE2EDeleteModel(t *testing.T) {
	e := newEnv(t)
	apiID := e.createWebSocketAPI(t, "chat")
	api := aws.String(apiID)
	id := e.createModel(t, apiID, "Pet", petSchema)
	keep := e.createModel(t, apiID, "Keep", petSchema)
	out, err := e.c.DeleteModel(e.ctx, &apigatewayv2.DeleteModelInput{ApiId: api, ModelId: aws.String(id)})
	must(t, err)
	wantStatus(t, out.ResultMetadata, 204)
	gone := "Invalid Model identifier specified " + id
	_, err = e.c.GetModel(e.ctx, &apigatewayv2.GetModelInput{ApiId: api, ModelId: aws.String(id)})
	wantAPIError(t, err, 404, "NotFoundException", gone)
	_, err = e.c.GetModelTemplate(e.ctx, &apigatewayv2.GetModelTemplateInput{ApiId: api, ModelId: aws.String(id)})
	wantAPIError(t, err, 404, "NotFoundException", gone)
	_, err = e.c.DeleteModel(e.ctx, &apigatewayv2.DeleteModelInput{ApiId: api, ModelId: aws.String(id)})
	wantAPIError(t, err, 404, "NotFoundException", gone)
	list, err := e.c.GetModels(e.ctx, &apigatewayv2.GetModelsInput{ApiId: api})
	must(t, err)
	if len(list.Items) != 1 || aws.ToString(list.Items[0].ModelId) != keep {
		t.Errorf("models after delete: %+v", list.Items)
	}
	r := e.createModel(t, apiID, "Gone", "{}")
	wantBody(t, "DeleteModel", e.raw(t, "DELETE", "/v2/apis/"+apiID+"/models/"+r, "", nil), 204, "")
}

// TestE2EDeleteModelInUse: a model that a route's requestModels or a route
// response's responseModels names cannot be deleted (409, as v1 answers
// for a model a method uses); once no longer used, it can.
func TestE2EDeleteModelInUse(t *testing.T) {
	e := newEnv(t)
	apiID := e.createWebSocketAPI(t, "chat")
	api := aws.String(apiID)
	id := e.createModel(t, apiID, "Message", petSchema)
	route, err := e.c.CreateRoute(e.ctx, &apigatewayv2.CreateRouteInput{ApiId: api, RouteKey: aws.String("sendMessage"),
		RequestModels: map[string]string{"application/json": "Message"}, ModelSelectionExpression: aws.String("application/json")})
	must(t, err)
	other := e.createRoute(t, apiID, "$default")
	rr, err := e.c.CreateRouteResponse(e.ctx, &apigatewayv2.CreateRouteResponseInput{ApiId: api, RouteId: aws.String(other),
		RouteResponseKey: aws.String("$default"), ResponseModels: map[string]string{"application/json": "Message"}})
	must(t, err)

	_, err = e.c.DeleteModel(e.ctx, &apigatewayv2.DeleteModelInput{ApiId: api, ModelId: aws.String(id)})
	wantAPIError(t, err, 409, "ConflictException",
		"Cannot delete model 'Message', is referenced in route request: sendMessage, route response: $default/$default")

	_, err = e.c.UpdateRoute(e.ctx, &apigatewayv2.UpdateRouteInput{ApiId: api, RouteId: route.RouteId, RequestModels: map[string]string{}})
	must(t, err)
	_, err = e.c.DeleteModel(e.ctx, &apigatewayv2.DeleteModelInput{ApiId: api, ModelId: aws.String(id)})
	wantAPIError(t, err, 409, "ConflictException", "Cannot delete model 'Message', is referenced in route response: $default/$default")

	_, err = e.c.DeleteRouteResponse(e.ctx, &apigatewayv2.DeleteRouteResponseInput{ApiId: api, RouteId: aws.String(other), RouteResponseId: rr.RouteResponseId})
	must(t, err)
	_, err = e.c.DeleteModel(e.ctx, &apigatewayv2.DeleteModelInput{ApiId: api, ModelId: aws.String(id)})
	must(t, err)

	// A model may be renamed while in use [I]; the route keeps the old name.
	id = e.createModel(t, apiID, "Reply", petSchema)
	_, err = e.c.UpdateRoute(e.ctx, &apigatewayv2.UpdateRouteInput{ApiId: api, RouteId: route.RouteId,
		RequestModels: map[string]string{"application/json": "Reply"}})
	must(t, err)
	_, err = e.c.UpdateModel(e.ctx, &apigatewayv2.UpdateModelInput{ApiId: api, ModelId: aws.String(id), Name: aws.String("Answer")})
	must(t, err)
	_, err = e.c.DeleteModel(e.ctx, &apigatewayv2.DeleteModelInput{ApiId: api, ModelId: aws.String(id)})
	must(t, err)
}

// TestE2EDeleteApiRemovesModels: DeleteApi takes its models with it, from
// view and from the SQLite file.
func TestE2EDeleteApiRemovesModels(t *testing.T) {
	e := newEnv(t)
	doomed := e.createWebSocketAPI(t, "doomed")
	keep := e.createWebSocketAPI(t, "keep")
	goneModels := []string{e.createModel(t, doomed, "Pet", petSchema), e.createModel(t, doomed, "Owner", "{}")}
	kept := e.createModel(t, keep, "Pet", petSchema)

	_, err := e.c.DeleteApi(e.ctx, &apigatewayv2.DeleteApiInput{ApiId: aws.String(doomed)})
	must(t, err)
	gone := "Invalid API identifier specified 000000000000:" + doomed
	_, err = e.c.GetModels(e.ctx, &apigatewayv2.GetModelsInput{ApiId: aws.String(doomed)})
	wantAPIError(t, err, 404, "NotFoundException", gone)
	_, err = e.c.GetModel(e.ctx, &apigatewayv2.GetModelInput{ApiId: aws.String(doomed), ModelId: aws.String(goneModels[0])})
	wantAPIError(t, err, 404, "NotFoundException", gone)
	// Reached through the other API they are unknown ids, not leftovers.
	_, err = e.c.GetModel(e.ctx, &apigatewayv2.GetModelInput{ApiId: aws.String(keep), ModelId: aws.String(goneModels[0])})
	wantAPIError(t, err, 404, "NotFoundException", "Invalid Model identifier specified "+goneModels[0])
	// A new API may reuse the names.
	again := e.createWebSocketAPI(t, "again")
	e.createModel(t, again, "Pet", petSchema)
	e.close(t)

	st := e.openStore(t)
	err = st.View(e.ctx, store.Scope{Account: defaultAccount, Region: "us-east-1"}, func(tx store.Tx) error {
		for _, id := range goneModels {
			if _, err := tx.Get("model", id); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("model %s still on disk (err %v)", id, err)
			}
		}
		if _, err := tx.Get("model", kept); err != nil {
			t.Errorf("model %s of the kept API: %v", kept, err)
		}
		return nil
	})
	must(t, err)
}

// TestE2EModelAutoDeploy: a model is API configuration: creating, updating
// and deleting one redeploys autoDeploy stages.
func TestE2EModelAutoDeploy(t *testing.T) {
	e := newEnv(t)
	apiID := e.createWebSocketAPI(t, "chat")
	api := aws.String(apiID)
	_, err := e.c.CreateStage(e.ctx, &apigatewayv2.CreateStageInput{ApiId: api, StageName: aws.String("live"), AutoDeploy: aws.Bool(true)})
	must(t, err)
	deployment := func() string {
		t.Helper()
		st, err := e.c.GetStage(e.ctx, &apigatewayv2.GetStageInput{ApiId: api, StageName: aws.String("live")})
		must(t, err)
		return aws.ToString(st.DeploymentId)
	}
	last := deployment()
	step := func(what string) {
		t.Helper()
		if d := deployment(); d == last || d == "" {
			t.Errorf("%s did not redeploy the autoDeploy stage (deployment %q)", what, d)
		} else {
			last = d
		}
	}
	id := e.createModel(t, apiID, "Pet", petSchema)
	step("CreateModel")
	_, err = e.c.UpdateModel(e.ctx, &apigatewayv2.UpdateModelInput{ApiId: api, ModelId: aws.String(id), Description: aws.String("d")})
	must(t, err)
	step("UpdateModel")
	_, err = e.c.DeleteModel(e.ctx, &apigatewayv2.DeleteModelInput{ApiId: api, ModelId: aws.String(id)})
	must(t, err)
	step("DeleteModel")
	// Reads and refused writes do not.
	_, err = e.c.GetModels(e.ctx, &apigatewayv2.GetModelsInput{ApiId: api})
	must(t, err)
	_, err = e.c.CreateModel(e.ctx, &apigatewayv2.CreateModelInput{ApiId: api, Name: aws.String("bad_name"), Schema: aws.String("{}")})
	wantAPIError(t, err, 400, "BadRequestException", "Model name must be alphanumeric: bad_name")
	if d := deployment(); d != last {
		t.Errorf("a read or a refused write redeployed: %q -> %q", last, d)
	}
}

func TestE2EModelsSurviveRestart(t *testing.T) {
	e := newEnv(t)
	apiID := e.createWebSocketAPI(t, "chat")
	out, err := e.c.CreateModel(e.ctx, &apigatewayv2.CreateModelInput{ApiId: aws.String(apiID), Name: aws.String("Pet"),
		Schema: aws.String(petSchema), ContentType: aws.String("application/json"), Description: aws.String("kept")})
	must(t, err)
	e.restart(t)
	e.checkStoredModel(t, apiID, modelWant{id: aws.ToString(out.ModelId), name: "Pet", schema: petSchema,
		contentType: aws.String("application/json"), description: aws.String("kept")})
	_, err = e.c.CreateModel(e.ctx, &apigatewayv2.CreateModelInput{ApiId: aws.String(apiID), Name: aws.String("Pet"), Schema: aws.String("{}")})
	wantAPIError(t, err, 409, "ConflictException", "Model name already exists for this API")
}

// TestE2EConcurrentModelCreate: of 20 clients creating the same name at
// once, one wins and the others get the 409; models of distinct names all
// land.
func TestE2EConcurrentModelCreate(t *testing.T) {
	e := newEnv(t)
	apiID := e.createWebSocketAPI(t, "chat")
	const n = 20
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			_, errs[i] = e.c.CreateModel(e.ctx, &apigatewayv2.CreateModelInput{ApiId: aws.String(apiID), Name: aws.String("Pet"),
				Schema: aws.String(petSchema)})
		})
	}
	wg.Wait()
	wins := 0
	for _, err := range errs {
		if err == nil {
			wins++
			continue
		}
		wantAPIError(t, err, 409, "ConflictException", "Model name already exists for this API")
	}
	if wins != 1 {
		t.Fatalf("%d creates succeeded, want 1", wins)
	}
	for i := range n {
		wg.Go(func() {
			_, errs[i] = e.c.CreateModel(e.ctx, &apigatewayv2.CreateModelInput{ApiId: aws.String(apiID), Name: aws.String(fmt.Sprintf("M%02d", i)),
				Schema: aws.String(petSchema)})
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("client %d: %v", i, err)
		}
	}
	list, err := e.c.GetModels(e.ctx, &apigatewayv2.GetModelsInput{ApiId: aws.String(apiID)})
	must(t, err)
	if len(list.Items) != n+1 {
		t.Errorf("%d models, want %d", len(list.Items), n+1)
	}
}

// TestE2ENonJSONModel: a model whose content type is not JSON is stored
// with its schema as given, not read as a JSON Schema [I: no source shows
// AWS refusing one]; its fields are still checked, and a content type
// changed to JSON makes the stored schema checked. A stage whose API has
// such a model still serves, and the model validates nothing.
func TestE2ENonJSONModel(t *testing.T) {
	e := newEnv(t)
	apiID := e.createWebSocketAPI(t, "chat")
	api := aws.String(apiID)
	const text = "a line of text, not JSON"
	out, err := e.c.CreateModel(e.ctx, &apigatewayv2.CreateModelInput{ApiId: api, Name: aws.String("Text"),
		Schema: aws.String(text), ContentType: aws.String("text/plain")})
	must(t, err)
	want := modelWant{id: aws.ToString(out.ModelId), name: "Text", schema: text, contentType: aws.String("text/plain")}
	checkModel(t, "CreateModel", out.ModelId, out.Name, out.Schema, out.ContentType, out.Description, want)
	e.checkStoredModel(t, apiID, want)
	// JSON that is not a JSON Schema, and the empty schema the model's
	// length constraint (0 to 32768) allows.
	for name, schema := range map[string]string{"Xml": `{"type":"text"}`, "Empty": ""} {
		_, err := e.c.CreateModel(e.ctx, &apigatewayv2.CreateModelInput{ApiId: api, Name: aws.String(name),
			Schema: aws.String(schema), ContentType: aws.String("application/xml")})
		must(t, err)
	}
	// JSON content types, parameters and +json suffixes included, are
	// still read as JSON Schema.
	for _, ct := range []string{"application/json", "application/json; charset=utf-8", "application/problem+json", "text/x-json", "Application/JSON"} {
		_, err := e.c.CreateModel(e.ctx, &apigatewayv2.CreateModelInput{ApiId: api, Name: aws.String("J"),
			Schema: aws.String(text), ContentType: aws.String(ct)})
		wantAPIError(t, err, 400, "BadRequestException", invalidSchema("not valid JSON: invalid character 'a' looking for beginning of value at line 1, column 1"))
	}
	// The other fields are checked as for any model.
	_, err = e.c.CreateModel(e.ctx, &apigatewayv2.CreateModelInput{ApiId: api, Name: aws.String("not_alnum"),
		Schema: aws.String(text), ContentType: aws.String("text/plain")})
	wantAPIError(t, err, 400, "BadRequestException", "Model name must be alphanumeric: not_alnum")
	big := strings.Repeat("s", 32769)
	_, err = e.c.CreateModel(e.ctx, &apigatewayv2.CreateModelInput{ApiId: api, Name: aws.String("Big"),
		Schema: aws.String(big), ContentType: aws.String("text/plain")})
	wantAPIError(t, err, 400, "BadRequestException",
		"1 validation error detected: Value '"+big[:64]+"...' at 'schema' failed to satisfy constraint: Member must have length less than or equal to 32768")
	// Becoming JSON checks the stored schema; the model is unchanged.
	_, err = e.c.UpdateModel(e.ctx, &apigatewayv2.UpdateModelInput{ApiId: api, ModelId: out.ModelId, ContentType: aws.String("application/json")})
	wantAPIError(t, err, 400, "BadRequestException", invalidSchema("not valid JSON: invalid character 'a' looking for beginning of value at line 1, column 1"))
	e.checkStoredModel(t, apiID, want)
	// A new schema for a non-JSON model is not read either.
	up, err := e.c.UpdateModel(e.ctx, &apigatewayv2.UpdateModelInput{ApiId: api, ModelId: out.ModelId, Schema: aws.String("<xml/>")})
	must(t, err)
	want.schema = "<xml/>"
	checkModel(t, "UpdateModel", up.ModelId, up.Name, up.Schema, up.ContentType, up.Description, want)

	// A route that names the model as its request model is served, and any
	// message goes through.
	it, err := e.c.CreateIntegration(e.ctx, &apigatewayv2.CreateIntegrationInput{ApiId: api, IntegrationType: "MOCK",
		RequestTemplates: map[string]string{"$default": `{"statusCode": 200}`}})
	must(t, err)
	_, err = e.c.CreateIntegrationResponse(e.ctx, &apigatewayv2.CreateIntegrationResponseInput{ApiId: api, IntegrationId: it.IntegrationId,
		IntegrationResponseKey: aws.String("$default"), ResponseTemplates: map[string]string{"$default": "served"}})
	must(t, err)
	route, err := e.c.CreateRoute(e.ctx, &apigatewayv2.CreateRouteInput{ApiId: api, RouteKey: aws.String("send"),
		Target: aws.String("integrations/" + *it.IntegrationId), RouteResponseSelectionExpression: aws.String("$default"),
		ModelSelectionExpression: aws.String("$request.body.action"), RequestModels: map[string]string{"send": "Text"}})
	must(t, err)
	e.createRouteResponse(t, apiID, *route.RouteId)
	_, err = e.c.CreateStage(e.ctx, &apigatewayv2.CreateStageInput{ApiId: api, StageName: aws.String("prod"), AutoDeploy: aws.Bool(true)})
	must(t, err)
	if got := e.wsRoundTrip(t, apiID, "prod", `{"action":"send","anything":1}`); got != "served" {
		t.Errorf("message to a route with a non-JSON request model: %q, want the integration's answer", got)
	}
}
