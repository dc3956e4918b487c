package apigw

import (
	"strconv"
	"strings"
	"testing"
)

// The templates below were also rendered with Apache Velocity 1.7 (the
// engine API Gateway's templates are written for) against matching
// payloads: each wrote valid JSON of the model's shape with the payload's
// values.

const loopTODO = "##TODO: Update this foreach loop to reference array from input json\n"

func TestModelTemplate(t *testing.T) {
	cases := []struct {
		name, schema, want string
	}{
		{
			// [D] AWS CLI example: the Empty model.
			"empty model",
			`{"$schema":"http://json-schema.org/draft-04/schema#","title":"Empty Schema","type":"object"}`,
			"#set($inputRoot = $input.path('$'))\n{ }",
		},
		{
			// [D] API reference sample (calc "output" model): the schema's
			// order, two spaces, `"name" : `.
			"flat object in schema order",
			`{"type":"object","properties":{"a":{"type":"number"},"b":{"type":"number"},"op":{"type":"string"},"c":{"type":"number"}}}`,
			"#set($inputRoot = $input.path('$'))\n{\n" +
				"  \"a\" : $inputRoot.a,\n" +
				"  \"b\" : $inputRoot.b,\n" +
				"  \"op\" : \"$inputRoot.op\",\n" +
				"  \"c\" : $inputRoot.c\n" +
				"}",
		},
		{
			// [V] console output for an array of objects, but the loop reads
			// $inputRoot where AWS writes $inputRoot.TODO [I].
			"array of objects",
			`{"type":"array","items":{"type":"object","properties":{"age":{"type":"integer"},"height":{"type":"integer"},"income":{"type":"integer"}}}}`,
			"#set($inputRoot = $input.path('$'))\n[\n" + loopTODO +
				"#foreach($elem in $inputRoot)\n" +
				" {\n" +
				"  \"age\" : $elem.age,\n" +
				"  \"height\" : $elem.height,\n" +
				"  \"income\" : $elem.income\n" +
				"} \n" +
				"#if($foreach.hasNext),#end\n" +
				"#end\n" +
				"]",
		},
		{
			"nested objects and arrays",
			`{"type":"object","properties":{
				"owner":{"type":"object","properties":{"name":{"type":"string"},"vip":{"type":"boolean"}}},
				"pets":{"type":"array","items":{"type":"object","properties":{"name":{"type":"string"},"toys":{"type":"array","items":{"type":"string"}}}}},
				"grid":{"type":"array","items":{"type":"array","items":{"type":"number"}}}}}`,
			"#set($inputRoot = $input.path('$'))\n{\n" +
				"  \"owner\" : {\n" +
				"    \"name\" : \"$inputRoot.owner.name\",\n" +
				"    \"vip\" : $inputRoot.owner.vip\n" +
				"  },\n" +
				"  \"pets\" : [\n" + loopTODO +
				"#foreach($elem in $inputRoot.pets)\n" +
				"   {\n" +
				"    \"name\" : \"$elem.name\",\n" +
				"    \"toys\" : [\n" + loopTODO +
				"#foreach($elem2 in $elem.toys)\n" +
				"     \"$elem2\" \n" +
				"#if($foreach.hasNext),#end\n" +
				"#end\n" +
				"    ]\n" +
				"  } \n" +
				"#if($foreach.hasNext),#end\n" +
				"#end\n" +
				"  ],\n" +
				"  \"grid\" : [\n" + loopTODO +
				"#foreach($elem in $inputRoot.grid)\n" +
				"   [\n" + loopTODO +
				"#foreach($elem2 in $elem)\n" +
				"     $elem2 \n" +
				"#if($foreach.hasNext),#end\n" +
				"#end\n" +
				"    ] \n" +
				"#if($foreach.hasNext),#end\n" +
				"#end\n" +
				"  ]\n" +
				"}",
		},
		{
			"names that are not identifiers",
			`{"type":"object","properties":{"first-name":{"type":"string"},"it's":{"type":"integer"},"$type":{"type":"string"},"a##b":{"type":"number"},"say \"hi\"":{"type":"string"}}}`,
			"#set($inputRoot = $input.path('$'))\n{\n" +
				"  \"first-name\" : \"$inputRoot.get('first-name')\",\n" +
				"  \"it's\" : $inputRoot.get('it''s'),\n" +
				"  #[[\"$type\"]]# : \"$inputRoot.get('$type')\",\n" +
				"  #[[\"a##b\"]]# : $inputRoot.get('a##b'),\n" +
				"  \"say \\\"hi\\\"\" : \"$inputRoot.get('say \"hi\"')\"\n" +
				"}",
		},
		{
			"types inferred",
			`{"properties":{"nullable":{"type":["null","string"]},"n":{"enum":[1,2]},"s":{"enum":["a"]},"free":{},"obj":{"type":"object"},
				"tuple":{"type":"array","items":[{"type":"string"},{"type":"number"}]},"list":{"items":{"type":"integer"}}}}`,
			"#set($inputRoot = $input.path('$'))\n{\n" +
				"  \"nullable\" : \"$inputRoot.nullable\",\n" +
				"  \"n\" : $inputRoot.n,\n" +
				"  \"s\" : \"$inputRoot.s\",\n" +
				"  \"free\" : $inputRoot.free,\n" +
				"  \"obj\" : { },\n" +
				"  \"tuple\" : [\n" + loopTODO +
				"#foreach($elem in $inputRoot.tuple)\n" +
				"   \"$elem\" \n" +
				"#if($foreach.hasNext),#end\n" +
				"#end\n" +
				"  ],\n" +
				"  \"list\" : [\n" + loopTODO +
				"#foreach($elem in $inputRoot.list)\n" +
				"   $elem \n" +
				"#if($foreach.hasNext),#end\n" +
				"#end\n" +
				"  ]\n" +
				"}",
		},
		{
			"allOf merges, anyOf takes the first",
			`{"allOf":[{"properties":{"a":{"type":"string"}}},{"$ref":"#/definitions/b"}],
			  "properties":{"c":{"anyOf":[{"properties":{"x":{"type":"boolean"}}},{"properties":{"y":{"type":"string"}}}]}},
			  "definitions":{"b":{"properties":{"b":{"type":"integer"},"a":{"type":"number"}}}}}`,
			"#set($inputRoot = $input.path('$'))\n{\n" +
				"  \"c\" : {\n" +
				"    \"x\" : $inputRoot.c.x\n" +
				"  },\n" +
				"  \"a\" : \"$inputRoot.a\",\n" +
				"  \"b\" : $inputRoot.b\n" +
				"}",
		},
		{
			"references by pointer and by id",
			`{"id":"http://example.com/root.json","type":"object","properties":{
				"home":{"$ref":"#/definitions/address"},
				"item":{"$ref":"item.json"},
				"label":{"$ref":"item.json#/properties/name"}},
			  "definitions":{"address":{"type":"object","properties":{"city":{"type":"string"}}},
			    "item":{"id":"http://example.com/item.json","type":"object","properties":{"name":{"type":"string"}}}}}`,
			"#set($inputRoot = $input.path('$'))\n{\n" +
				"  \"home\" : {\n" +
				"    \"city\" : \"$inputRoot.home.city\"\n" +
				"  },\n" +
				"  \"item\" : {\n" +
				"    \"name\" : \"$inputRoot.item.name\"\n" +
				"  },\n" +
				"  \"label\" : \"$inputRoot.label\"\n" +
				"}",
		},
		{
			"a reference cycle stops at { }",
			`{"$ref":"#/definitions/node","definitions":{"node":{"type":"object","properties":{"value":{"type":"number"},
				"children":{"type":"array","items":{"$ref":"#/definitions/node"}}}}}}`,
			"#set($inputRoot = $input.path('$'))\n{\n" +
				"  \"value\" : $inputRoot.value,\n" +
				"  \"children\" : [\n" + loopTODO +
				"#foreach($elem in $inputRoot.children)\n" +
				"   { } \n" +
				"#if($foreach.hasNext),#end\n" +
				"#end\n" +
				"  ]\n" +
				"}",
		},
		{
			"a primitive model",
			`{"type":"string"}`,
			"#set($inputRoot = $input.path('$'))\n\"$inputRoot\"",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := compileModelSchema(c.schema); err != nil {
				t.Fatalf("schema refused: %v", err)
			}
			if got := modelTemplate(c.schema); got != c.want {
				t.Errorf("template\n got:\n%s\nwant:\n%s", got, c.want)
			}
		})
	}
}

// TestModelTemplateBounded: definitions that each reference the next twice
// would double the template at every level, and long property names make
// long references; the generator stops within API Gateway's 300 KB
// mapping-template quota.
func TestModelTemplateBounded(t *testing.T) {
	for _, c := range []struct{ width, nameLen int }{{2, 1}, {3, 50}, {2, 700}} {
		var b strings.Builder
		b.WriteString(`{"$ref":"#/definitions/d0","definitions":{`)
		const levels = 40
		for i := range levels {
			if i > 0 {
				b.WriteString(",")
			}
			next := `{"type":"string"}`
			if i < levels-1 {
				next = `{"$ref":"#/definitions/d` + strconv.Itoa(i+1) + `"}`
			}
			b.WriteString(`"d` + strconv.Itoa(i) + `":{"type":"object","properties":{`)
			for k := range c.width {
				if k > 0 {
					b.WriteString(",")
				}
				b.WriteString(`"p` + strconv.Itoa(k) + strings.Repeat("x", c.nameLen) + `":` + next)
			}
			b.WriteString("}}")
		}
		b.WriteString("}}")
		schema := b.String()
		if _, err := compileModelSchema(schema); err != nil {
			t.Fatal(err)
		}
		if got := modelTemplate(schema); len(got) > 300<<10 {
			t.Errorf("width %d, names of %d: template of %d bytes", c.width, c.nameLen, len(got))
		}
	}
}

func TestModelSchemaErrors(t *testing.T) {
	const frame = "Invalid model specified: Validation Result: warnings : [], errors : [Invalid model schema specified: "
	cases := []struct{ schema, want string }{
		{``, "not valid JSON: unexpected end of JSON input"},
		{`{"type":`, "not valid JSON: unexpected end of JSON input"},
		{"{\n  \"a\": 1,\n}", "not valid JSON: invalid character '}' looking for beginning of object key string at line 3, column 1"},
		{`{} {}`, "not valid JSON: unexpected data after the top-level value at line 1, column 4"},
		{`[1]`, "not a valid JSON Schema: at '': got array, want object"},
		{`{"type":"strin"}`, "not a valid JSON Schema: at '/type': value must be one of 'array', 'boolean', 'integer', 'null', 'number', 'object', 'string'; at '/type': got string, want array"},
		// Draft 4 wants at least one name in "required" (aws-cdk #27433: AWS
		// refuses "required": [] too).
		{`{"type":"object","required":[]}`, "not a valid JSON Schema: at '/required': minItems: got 0, want 1"},
		{`{"properties":{"p":{"pattern":"(["}}}`, "not a valid JSON Schema: at '/properties/p/pattern': '([' is not valid regex: error parsing regexp: missing closing ]: `[`"},
		{`{"properties":{"a":{"$ref":"#/definitions/none"}}}`, `reference "#/definitions/none" at '/properties/a/$ref' cannot be resolved: it points to nothing in the schema`},
		{`{"properties":{"a":{"$ref":"http://127.0.0.1:1/x.json"}}}`, `reference "http://127.0.0.1:1/x.json" at '/properties/a/$ref' cannot be resolved: only references inside the schema (such as "#/definitions/name") are supported; no schema is loaded from a URL or a file`},
		{`{"items":{"$ref":"file:///etc/passwd"}}`, `reference "file:///etc/passwd" at '/items/$ref' cannot be resolved: only references inside the schema (such as "#/definitions/name") are supported; no schema is loaded from a URL or a file`},
		{`{"properties":{"a":{"$ref":"other.json"}}}`, `reference "other.json" at '/properties/a/$ref' cannot be resolved: only references inside the schema (such as "#/definitions/name") are supported; no schema is loaded from a URL or a file`},
		{`{"$schema":"http://example.com/my-schema#"}`, `"$schema" "http://example.com/my-schema#" is not a JSON Schema draft Portico knows: use "http://json-schema.org/draft-04/schema#"`},
	}
	for _, c := range cases {
		_, err := compileModelSchema(c.schema)
		if err == nil {
			t.Errorf("%q: accepted", c.schema)
			continue
		}
		if want := "BadRequestException: " + frame + c.want + "]"; err.Error() != want {
			t.Errorf("%q:\n got %s\nwant %s", c.schema, err, want)
		}
	}
	for _, ok := range []string{
		`{}`,
		`{"$schema":"http://json-schema.org/draft-04/schema#","title":"Empty Schema","type":"object"}`,
		// Real AWS samples carry draft 4 ids; they name, they do not load.
		`{"$schema":"http://json-schema.org/draft-04/schema#","id":"http://jsonschema.net","type":"object","properties":{"url":{"id":"http://jsonschema.net/url","type":"string"}}}`,
		// ECMA 262 lookahead, which Go's regexp lacks, is accepted.
		`{"type":"object","properties":{"password":{"type":"string","pattern":"^(?=.*[A-Z])(?=.*[0-9]).{8,}$"}}}`,
		`{"definitions":{"a":{"type":"string"}},"properties":{"x":{"$ref":"#/definitions/a"},"self":{"$ref":"#"}}}`,
	} {
		if _, err := compileModelSchema(ok); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
}

func TestModelFieldRules(t *testing.T) {
	ok := func(m Model) Model {
		if m.Name == nil {
			m.Name = ptr("Pet")
		}
		if m.Schema == nil {
			m.Schema = ptr("{}")
		}
		return m
	}
	cases := []struct {
		m    Model
		want string
	}{
		{ok(Model{}), ""},
		{ok(Model{Name: ptr("abcXYZ019")}), ""},
		{ok(Model{Name: ptr(strings.Repeat("a", 128))}), ""},
		{ok(Model{Name: ptr("")}), "Value '' at 'name' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{ok(Model{Name: ptr(strings.Repeat("a", 129))}), "at 'name' failed to satisfy constraint: Member must have length less than or equal to 128"},
		{ok(Model{Name: ptr("my_model")}), "Model name must be alphanumeric: my_model"},
		{ok(Model{Name: ptr("my-model")}), "Model name must be alphanumeric: my-model"},
		{ok(Model{Name: ptr("modèle")}), "Model name must be alphanumeric: modèle"},
		{ok(Model{ContentType: ptr("")}), "Value '' at 'contentType' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{ok(Model{ContentType: ptr(strings.Repeat("a", 257))}), "at 'contentType' failed to satisfy constraint: Member must have length less than or equal to 256"},
		{ok(Model{Description: ptr(strings.Repeat("d", 1025))}), "at 'description' failed to satisfy constraint: Member must have length less than or equal to 1024"},
		{ok(Model{Schema: ptr(`{"description":"` + strings.Repeat("s", 32768) + `"}`)}), "at 'schema' failed to satisfy constraint: Member must have length less than or equal to 32768"},
	}
	for _, c := range cases {
		err := checkModel(&c.m)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%+v: %v", c.m, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%q: got %v, want %q", deref(c.m.Name), err, c.want)
		}
	}
}

// FuzzModelSchema: whatever the schema, checking it and generating its
// template neither panic nor load anything, and an accepted schema has a
// template.
//
//	go test ./internal/apigw -run '^$' -fuzz FuzzModelSchema -fuzztime 1m
func FuzzModelSchema(f *testing.F) {
	for _, s := range []string{
		`{}`, `{"type":"object","properties":{"a":{"type":"array","items":{"$ref":"#"}}}}`,
		`{"$ref":"#/definitions/a","definitions":{"a":{"allOf":[{"$ref":"#/definitions/a"}]}}}`,
		`{"id":"x.json","items":[{"$ref":"x.json#/items/0"}]}`, `{"$schema":5}`, `{"$ref":"%zz"}`,
		`{"properties":{"p":{"pattern":"(?<=a)b"}}}`, `{"type":["null"],"enum":[null]}`, `[`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, schema string) {
		if _, err := compileModelSchema(schema); err != nil {
			return
		}
		got := modelTemplate(schema)
		if !strings.HasPrefix(got, templateHeader) || len(got) > maxTemplateBytes+64<<10 {
			t.Fatalf("template of %d bytes: %.200q", len(got), got)
		}
	})
}
