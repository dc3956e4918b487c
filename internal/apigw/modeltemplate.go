package apigw

import (
	"encoding/json"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// GetModelTemplate's value: a Velocity template that, given a payload that
// matches the model, writes JSON of the model's shape. API Gateway's own
// generator is not published; what is known of its output, and copied here:
//
//   - [D] the Empty model (an object without properties) gives
//     "#set($inputRoot = $input.path('$'))\n{ }" (AWS CLI example);
//   - [D] an object gives one line per property, two spaces in, `"name" : `
//     and the value, lines separated by ",\n", then "\n}" (API reference
//     sample: "{\n  \"a\" : ...,\n  \"op\" : ...\n}"), in the schema's order;
//   - [V] strings are quoted ("$inputRoot.name"), numbers, integers and
//     booleans are not ($inputRoot.age) (console "Generate template" output
//     quoted in public notes);
//   - [V] an array is a #foreach with this exact frame (console output for a
//     model of type array of objects):
//
//     [
//     ##TODO: Update this foreach loop to reference array from input json
//     #foreach($elem in $inputRoot)
//      {
//       "age" : $elem.age
//     }
//     #if($foreach.hasNext),#end
//     #end
//     ]
//
//     (the element line starts with a space and ends with one).
//
// Guessed [I]: AWS's top-level array loop reads "$inputRoot.TODO" (it wants
// the user to fix it, hence the TODO line, kept); Portico loops over the
// array where the schema says it is ($inputRoot, $inputRoot.tags), so the
// template works as generated. Nested values are indented by two spaces per
// level while the loop's directive lines stay in column 0; nested loops use
// $elem, $elem2, $elem3...; a property name that is not a plain identifier is read with .get('name');
// a key holding "$" or "#" is written as unparsed content (#[[...]]#) so
// Velocity does not read it; a schema with several types uses the first
// that is not "null"; a schema without "type" is an object if it has
// properties, an array if it has items, else its enum's type; allOf merges
// properties; anyOf and oneOf use their first schema; "$ref" is followed
// inside the schema ("#/definitions/x", or a subschema's "id"); a reference
// cycle, or a template grown past a bound, ends in "{ }" or "[ ]" (past
// the bound, the remaining properties of open objects are left out); values
// of an unknown type are written unquoted.

const (
	templateHeader = "#set($inputRoot = $input.path('$'))\n"
	templateTODO   = "##TODO: Update this foreach loop to reference array from input json"
	// maxTemplateBytes bounds a template: a 32 KB schema whose definitions
	// reference each other twice over would otherwise expand exponentially.
	// Past it, no object or array is opened and no further property is
	// written, so that the template stays below API Gateway's 300 KB
	// mapping-template quota and can be used as generated; maxTemplateRef
	// bounds one reference ($inputRoot.a.b...) likewise.
	maxTemplateBytes = 200 << 10
	maxTemplateRef   = 8 << 10
	maxTemplateDepth = 64
)

func modelTemplate(schema string) string {
	root, err := parseOrdered(schema)
	if err != nil {
		// Stored schemas were checked; this is only for safety.
		return templateHeader + "{ }"
	}
	g := &templateGen{root: root, ids: map[string]*jnode{}}
	g.indexIDs(root)
	var b strings.Builder
	b.WriteString(templateHeader)
	g.value(&b, root, "$inputRoot", 0, 0)
	return b.String()
}

type templateGen struct {
	root *jnode
	ids  map[string]*jnode
	// expanding holds the references being followed, to stop at a cycle.
	expanding []string
}

func pad(depth int) string { return strings.Repeat("  ", depth) }

// value writes the template of the value that schema s describes, read in
// the template as ref; depth is the indentation of its closing bracket, loops
// the number of enclosing #foreach.
func (g *templateGen) value(b *strings.Builder, s *jnode, ref string, depth, loops int) {
	s, pop, cycle := g.resolve(s)
	defer pop()
	shallow := cycle || b.Len() > maxTemplateBytes || depth > maxTemplateDepth
	switch typ := schemaType(s); typ {
	case "object":
		props := g.properties(s)
		full := func(m string) bool { return b.Len() > maxTemplateBytes || len(m) > maxTemplateRef }
		if len(props) == 0 || shallow || full(member(ref, props[0].key)) {
			b.WriteString("{ }")
			return
		}
		b.WriteString("{\n")
		for i, p := range props {
			m := member(ref, p.key)
			if i > 0 {
				if full(m) {
					break
				}
				b.WriteString(",\n")
			}
			b.WriteString(pad(depth + 1))
			b.WriteString(templateKey(p.key))
			b.WriteString(" : ")
			g.value(b, p.val, m, depth+1, loops)
		}
		b.WriteString("\n" + pad(depth) + "}")
	case "array":
		if shallow {
			b.WriteString("[ ]")
			return
		}
		elem := "$elem"
		if loops > 0 {
			elem += strconv.Itoa(loops + 1)
		}
		// An element is written at the array's depth, as AWS writes the
		// objects of a top-level array; an array of arrays indents the
		// inner loop.
		items := itemsOf(s)
		elemDepth := depth
		r, pop, _ := g.resolve(items)
		if schemaType(r) == "array" {
			elemDepth++
		}
		pop()
		// The directives stay in column 0 at every depth, as in AWS's frame
		// and its documentation's templates: Velocity writes the spaces
		// before a directive.
		b.WriteString("[\n" + templateTODO + "\n")
		b.WriteString("#foreach(" + elem + " in " + ref + ")\n")
		b.WriteString(pad(depth) + " ")
		g.value(b, items, elem, elemDepth, loops+1)
		b.WriteString(" \n#if($foreach.hasNext),#end\n#end\n")
		b.WriteString(pad(depth) + "]")
	case "string":
		b.WriteString(`"` + ref + `"`)
	default:
		b.WriteString(ref)
	}
}

// resolve follows s's "$ref" chain. pop ends the expansion; cycle reports a
// reference already being expanded.
func (g *templateGen) resolve(s *jnode) (target *jnode, pop func(), cycle bool) {
	n := 0
	for !cycle {
		ref, ok := s.get("$ref").str()
		if !ok {
			break
		}
		t := g.lookup(ref)
		if t == nil {
			break
		}
		for _, r := range g.expanding {
			cycle = cycle || r == ref
		}
		if !cycle {
			g.expanding = append(g.expanding, ref)
			n++
		}
		s = t
	}
	return s, func() { g.expanding = g.expanding[:len(g.expanding)-n] }, cycle
}

// lookup finds the subschema a "$ref" names: a JSON pointer from the root,
// or a subschema's "id" (with an optional pointer after it).
func (g *templateGen) lookup(ref string) *jnode {
	doc, frag, _ := strings.Cut(ref, "#")
	base := g.root
	if doc != "" {
		base = g.ids[doc]
		if base == nil {
			for id, n := range g.ids {
				if strings.HasSuffix(id, "/"+doc) {
					base = n
					break
				}
			}
		}
	}
	if base == nil {
		return nil
	}
	if frag == "" {
		return base
	}
	return base.pointer(frag)
}

// indexIDs records every subschema with an "id" (draft 4's way of naming
// one), without its fragment.
func (g *templateGen) indexIDs(n *jnode) {
	switch n.kind {
	case '{':
		if id, ok := n.get("id").str(); ok {
			id, _, _ = strings.Cut(id, "#")
			if id != "" {
				g.ids[id] = n
			}
		}
		for _, kv := range n.obj {
			g.indexIDs(kv.val)
		}
	case '[':
		for _, x := range n.arr {
			g.indexIDs(x)
		}
	}
}

// properties lists an object schema's properties in order: its own, then
// those of its allOf schemas; anyOf and oneOf contribute their first
// schema's when the schema has none of its own.
func (g *templateGen) properties(s *jnode) []kv {
	var out []kv
	seen := map[string]bool{}
	add := func(s *jnode) {
		for _, p := range s.get("properties").members() {
			if !seen[p.key] {
				seen[p.key] = true
				out = append(out, p)
			}
		}
	}
	add(s)
	for _, sub := range s.get("allOf").elems() {
		r, pop, cycle := g.resolve(sub)
		if !cycle {
			add(r)
		}
		pop()
	}
	if len(out) == 0 {
		for _, key := range []string{"anyOf", "oneOf"} {
			if alts := s.get(key).elems(); len(alts) > 0 {
				r, pop, cycle := g.resolve(alts[0])
				if !cycle {
					add(r)
				}
				pop()
				break
			}
		}
	}
	return out
}

// schemaType is the JSON type a schema describes, for the template.
func schemaType(s *jnode) string {
	if s == nil || s.kind != '{' {
		return ""
	}
	t := s.get("type")
	if name, ok := t.str(); ok {
		return name
	}
	for _, x := range t.elems() {
		if name, ok := x.str(); ok && name != "null" {
			return name
		}
	}
	switch {
	case s.get("properties") != nil:
		return "object"
	case s.get("items") != nil:
		return "array"
	}
	if values := s.get("enum").elems(); len(values) > 0 {
		switch values[0].kind {
		case '"':
			return "string"
		case '{':
			return "object"
		case '[':
			return "array"
		}
		return "number"
	}
	for _, key := range []string{"allOf", "anyOf", "oneOf"} {
		if alts := s.get(key).elems(); len(alts) > 0 {
			if t := schemaType(alts[0]); t != "" {
				return t
			}
		}
	}
	return ""
}

// itemsOf is the schema of an array's elements: "items", or the first of a
// tuple's.
func itemsOf(s *jnode) *jnode {
	items := s.get("items")
	if items != nil && items.kind == '[' {
		if len(items.arr) == 0 {
			return nil
		}
		return items.arr[0]
	}
	return items
}

var vtlIdentifier = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)

// member reads a property of ref in the template.
func member(ref, name string) string {
	if vtlIdentifier.MatchString(name) {
		return ref + "." + name
	}
	return ref + ".get('" + strings.ReplaceAll(name, "'", "''") + "')"
}

// templateKey writes a property name as a JSON string the template copies
// as is.
func templateKey(name string) string {
	b, _ := json.Marshal(name)
	key := string(b)
	if strings.ContainsAny(key, "$#") && !strings.Contains(key, "]]#") {
		return "#[[" + key + "]]#"
	}
	return key
}

// jnode is a JSON value that keeps its members' order, which
// encoding/json's maps do not: the template lists properties in the
// schema's order, as API Gateway does.
type jnode struct {
	kind byte // '{', '[', '"', or 0 for numbers, booleans and null
	obj  []kv
	arr  []*jnode
	s    string
}

type kv struct {
	key string
	val *jnode
}

func (n *jnode) get(key string) *jnode {
	if n == nil || n.kind != '{' {
		return nil
	}
	for _, p := range n.obj {
		if p.key == key {
			return p.val
		}
	}
	return nil
}

func (n *jnode) members() []kv {
	if n == nil || n.kind != '{' {
		return nil
	}
	return n.obj
}

func (n *jnode) elems() []*jnode {
	if n == nil || n.kind != '[' {
		return nil
	}
	return n.arr
}

func (n *jnode) str() (string, bool) {
	if n == nil || n.kind != '"' {
		return "", false
	}
	return n.s, true
}

// pointer follows a JSON pointer (RFC 6901, as in a URI fragment) from n.
func (n *jnode) pointer(frag string) *jnode {
	if frag == "" {
		return n
	}
	if !strings.HasPrefix(frag, "/") {
		return nil
	}
	for _, tok := range strings.Split(frag[1:], "/") {
		tok = strings.NewReplacer("~1", "/", "~0", "~").Replace(unescapeFragment(tok))
		switch n.kind {
		case '{':
			n = n.get(tok)
		case '[':
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(n.arr) {
				return nil
			}
			n = n.arr[i]
		default:
			return nil
		}
		if n == nil {
			return nil
		}
	}
	return n
}

func unescapeFragment(s string) string {
	if u, err := url.PathUnescape(s); err == nil {
		return u
	}
	return s
}

// parseOrdered parses JSON into jnodes.
func parseOrdered(s string) (*jnode, error) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	return parseValue(dec)
}

func parseValue(dec *json.Decoder) (*jnode, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			n := &jnode{kind: '{'}
			for dec.More() {
				k, err := dec.Token()
				if err != nil {
					return nil, err
				}
				v, err := parseValue(dec)
				if err != nil {
					return nil, err
				}
				n.obj = append(n.obj, kv{key: k.(string), val: v})
			}
			_, err := dec.Token()
			return n, err
		case '[':
			n := &jnode{kind: '['}
			for dec.More() {
				v, err := parseValue(dec)
				if err != nil {
					return nil, err
				}
				n.arr = append(n.arr, v)
			}
			_, err := dec.Token()
			return n, err
		}
	case string:
		return &jnode{kind: '"', s: t}, nil
	}
	return &jnode{}, nil
}
