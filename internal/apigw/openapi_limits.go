package apigw

import (
	"go.yaml.in/yaml/v4"
)

// What one definition may cost the server. The request body is at most
// awsproto.DefaultMaxBody (8 MiB), but a YAML document can say much more
// than its size: an alias (*name) repeats the node its anchor (&name)
// names, and seven anchors of nine aliases each expand a 400-byte
// "billion laughs" document to 9^7 scalars (780 MB of Go values before
// this check). The tree the import works on (fromYAML), and the JSON that
// kin-openapi reads after it, are the expanded document, so the expansion
// is measured on the yaml.Node graph before anything is expanded. The
// limits are Portico's [I]: AWS's are not known.

const (
	// maxDefinitionDepth bounds how deeply objects and lists nest, aliases
	// expanded. Real definitions nest a few tens of levels (a schema of a
	// schema of ...); the bound keeps every recursive walk of the tree
	// shallow.
	maxDefinitionDepth = 200

	// maxDefinitionNodes bounds the values (objects, lists and scalars;
	// keys not counted) of a definition, aliases expanded. Each costs up to
	// about 400 bytes of Go memory by the time kin-openapi has read it; a
	// real definition of 334 operations, more than an HTTP API may have
	// (Stoplight's API, 1.5 MB, in kin-openapi's testdata), holds 33,636.
	maxDefinitionNodes = 1 << 18

	// The text of a YAML definition (scalars and keys), aliases expanded,
	// may be max(expansionFloor, expansionFactor × the definition's size)
	// bytes. The floor leaves small documents free to share blocks by
	// alias, which is what anchors are for in OpenAPI files; the factor
	// lets a large document through, whose text without aliases is less
	// than its size, and gives it as much again by alias. (JSON has no
	// aliases: its text is never more than its size.)
	expansionFloor  = 4 << 20
	expansionFactor = 2
)

func expansionLimit(size int) int64 {
	return max(expansionFloor, expansionFactor*int64(size))
}

// yamlExpansion measures what a yaml.Node graph expands to. Each anchored
// node is measured once (memo), so the measure itself costs one visit of
// each node as written, whatever the expansion.
type yamlExpansion struct {
	textLimit int64
	memo      map[*yaml.Node]expanded
	// open: anchored nodes being measured. An alias to one is a node that
	// contains itself, which would expand forever.
	open map[*yaml.Node]bool
}

// expanded is what a node expands to: its values, the bytes of its
// scalars and keys, and the number of collections nested in it (0 for a
// scalar).
type expanded struct {
	nodes, text int64
	height      int
}

// checkYAMLExpansion returns the error of a document that expands beyond
// the limits or contains itself.
func checkYAMLExpansion(doc *yaml.Node, textLimit int64) error {
	m := &yamlExpansion{textLimit: textLimit, memo: map[*yaml.Node]expanded{}, open: map[*yaml.Node]bool{}}
	_, err := m.measure(doc, 0)
	return err
}

// measure returns n's expansion; depth is the number of collections around
// it. It fails as soon as a count passes its limit, so no sum overflows.
func (m *yamlExpansion) measure(n *yaml.Node, depth int) (expanded, error) {
	if n == nil {
		return expanded{}, nil
	}
	if e, ok := m.memo[n]; ok {
		if depth+e.height > maxDefinitionDepth {
			return e, definitionTooDeep
		}
		return e, nil
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return expanded{}, nil
		}
		return m.measure(n.Content[0], depth)
	case yaml.AliasNode:
		if m.open[n.Alias] {
			return expanded{}, aliasContainsItself(n.Value)
		}
		return m.measure(n.Alias, depth)
	}
	if n.Anchor != "" {
		m.open[n] = true
		defer delete(m.open, n)
	}
	e := expanded{nodes: 1}
	if n.Kind == yaml.MappingNode || n.Kind == yaml.SequenceNode {
		if depth+1 > maxDefinitionDepth {
			return e, definitionTooDeep
		}
		for i := 0; i < len(n.Content); i++ {
			if n.Kind == yaml.MappingNode {
				// A key is read as its text (fromYAML), never expanded.
				e.text += int64(len(n.Content[i].Value))
				if i++; i == len(n.Content) {
					break
				}
			}
			c, err := m.measure(n.Content[i], depth+1)
			if err != nil {
				return e, err
			}
			e.nodes += c.nodes
			e.text += c.text
			e.height = max(e.height, c.height)
			if err := m.check(e); err != nil {
				return e, err
			}
		}
		e.height++
	} else {
		e.text = int64(len(n.Value))
	}
	if err := m.check(e); err != nil {
		return e, err
	}
	if n.Anchor != "" {
		m.memo[n] = e
	}
	return e, nil
}

func (m *yamlExpansion) check(e expanded) error {
	switch {
	case e.nodes > maxDefinitionNodes:
		return definitionTooManyNodes
	case e.text > m.textLimit:
		return definitionExpandsTooMuch(m.textLimit)
	}
	return nil
}

// treeCheck holds a decoded JSON definition to maxDefinitionDepth and
// maxDefinitionNodes.
type treeCheck struct{ nodes int }

// walk counts v and what it holds; depth is the number of collections
// around v.
func (t *treeCheck) walk(v any, depth int) error {
	if t.nodes++; t.nodes > maxDefinitionNodes {
		return definitionTooManyNodes
	}
	switch v := v.(type) {
	case map[string]any:
		if depth+1 > maxDefinitionDepth {
			return definitionTooDeep
		}
		for _, c := range v {
			if err := t.walk(c, depth+1); err != nil {
				return err
			}
		}
	case []any:
		if depth+1 > maxDefinitionDepth {
			return definitionTooDeep
		}
		for _, c := range v {
			if err := t.walk(c, depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}

// importQuotas are the per-API quotas a definition must respect: an import
// that would create more is refused. A zero field is no limit.
type importQuotas struct {
	routes, integrations, authorizers int
}

// awsImportQuotas are HTTP APIs' default quotas: 300 routes, 300
// integrations and 10 authorizers per API ([D] developer guide, "Quotas
// for configuring and running an HTTP API in API Gateway").
var awsImportQuotas = importQuotas{routes: awsQuotas.RoutesPerAPI, integrations: awsQuotas.IntegrationsPerAPI,
	authorizers: awsQuotas.AuthorizersPerAPI}

// noImportQuotas lets an import create any number of each.
var noImportQuotas = importQuotas{}

// importQuotas are the quotas ImportApi and ReimportApi apply: the
// service's (Config.Quotas).
func (s *Server) importQuotas() importQuotas {
	return importQuotas{routes: s.quotas.RoutesPerAPI, integrations: s.quotas.IntegrationsPerAPI,
		authorizers: s.quotas.AuthorizersPerAPI}
}

// checkQuotas returns the error of a plan that holds more than its quotas
// allow. The readers call it after each resource they plan, so that a
// definition of a hundred thousand routes is refused at the 301st.
func (p *importPlan) checkQuotas() error {
	q := p.quotas
	switch {
	case q.routes > 0 && len(p.routes) > q.routes:
		return tooManyImported("routes", q.routes)
	case q.integrations > 0 && len(p.integrations) > q.integrations:
		return tooManyImported("integrations", q.integrations)
	case q.authorizers > 0 && len(p.authorizers) > q.authorizers:
		return tooManyImported("authorizers", q.authorizers)
	}
	return nil
}

// separatorsPerNode is how many separators a pre-scan lets a definition
// have per value it may hold: separators overcount values (a YAML
// description with commas, a key's colon), so the pre-scan only turns away
// what no definition within the limits could be.
const separatorsPerNode = 2

// prescan refuses, before any parser builds a tree of it, a definition
// with so many separators that it must hold more values than
// maxDefinitionNodes: a body of 8 MiB of "[1,1,1,..." once cost the
// decoders 174 (JSON) to 519 MB (YAML) before the tree could be checked.
// It counts the bytes that can begin or separate a value (",", ":", "-",
// "[", "{" and line ends) without telling strings apart, so it never
// counts fewer values than there are.
func prescan(body string) error {
	n := 0
	for i := 0; i < len(body); i++ {
		switch body[i] {
		case ',', ':', '-', '[', '{', '\n':
			n++
		}
	}
	if n > separatorsPerNode*maxDefinitionNodes {
		return definitionTooManyNodes
	}
	return nil
}
