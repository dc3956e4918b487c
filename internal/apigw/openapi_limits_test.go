package apigw

// The limits on one definition (openapi_limits.go), measured where the cost
// is: the heap an import allocates, around a direct call of planImport, the
// whole parsing path of ImportApi and ReimportApi. openapi_e2e_test.go
// checks the same errors through the SDK.

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/portico-dev/portico/internal/awsproto"
)

// aliasBomb is a "billion laughs" YAML definition: the first anchor is a
// list of nine leaf scalars, each of the next levels-1 anchors a list of
// nine aliases of the one before, so the document expands to 9^levels
// leaves.
func aliasBomb(levels int, leaf string) string {
	var b strings.Builder
	b.WriteString("openapi: 3.0.1\ninfo: {title: lol, version: '1'}\npaths: {}\n")
	b.WriteString("x-l0: &l0 [" + strings.Repeat(leaf+",", 8) + leaf + "]\n")
	for i := 1; i < levels; i++ {
		ref := fmt.Sprintf("*l%d", i-1)
		fmt.Fprintf(&b, "x-l%d: &l%d [%s]\n", i, i, strings.Repeat(ref+",", 8)+ref)
	}
	return b.String()
}

// allocatedBy is how many bytes fn allocates on the heap, garbage
// included: what an import costs the server while it runs, whenever the
// collector happens to run.
func allocatedBy(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// importCost plans body as ImportApi does and returns the error and the
// bytes allocated.
func importCost(body string, quotas importQuotas) (allocated uint64, err error) {
	allocated = allocatedBy(func() { _, err = planImport(body, nil, true, quotas) })
	return allocated, err
}

// wantBadRequest fails unless err is a 400 BadRequestException with
// message.
func wantBadRequest(t *testing.T, err error, message string) {
	t.Helper()
	var e *awsproto.Error
	if !errors.As(err, &e) || e.Code != 400 || e.Type != "BadRequestException" || e.Message != message {
		t.Errorf("error %v, want 400 BadRequestException %q", err, message)
	}
}

const (
	tooManyNodesMessage = "Invalid OpenAPI input. The definition holds more than 262144 values (objects, lists and scalars, YAML aliases expanded)"
	tooDeepMessage      = "Invalid OpenAPI input. The definition nests objects and lists more than 200 levels deep"
)

// TestImportAliasBomb: before the expansion was measured, the 7-level bomb
// (394 bytes) allocated 782 MB and was imported; the 9-level one would
// have needed tens of GB. Now each is refused, having allocated next to
// nothing.
func TestImportAliasBomb(t *testing.T) {
	bigLeaf := strings.Repeat("A", 4096)
	for _, tc := range []struct {
		name, body, message string
	}{
		{"7 levels", aliasBomb(7, "lol"), tooManyNodesMessage},
		{"9 levels", aliasBomb(9, "lol"), tooManyNodesMessage},
		// 9^40 overflows int64: the measure stops long before.
		{"40 levels", aliasBomb(40, "lol"), tooManyNodesMessage},
		// Few values, much text: 9^4 copies of 4 KiB.
		{"text", aliasBomb(4, bigLeaf), "Invalid OpenAPI input. The definition's text expands through its YAML aliases to more than 4194304 bytes"},
		{"self", "openapi: 3.0.1\ninfo: {title: t, version: '1'}\npaths: {}\nx-a: &a [1, *a]\n",
			"Invalid OpenAPI input. The YAML alias *a refers to a node that contains it"},
		{"self through a map", "openapi: 3.0.1\ninfo: {title: t, version: '1'}\npaths: {}\nx-a: &a {b: {c: *a}}\n",
			"Invalid OpenAPI input. The YAML alias *a refers to a node that contains it"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n, err := importCost(tc.body, awsImportQuotas)
			wantBadRequest(t, err, tc.message)
			if n > 100<<20 {
				t.Errorf("a %d-byte definition allocated %d MB", len(tc.body), n>>20)
			}
		})
	}
}

// TestImportAliasesWithinLimits: anchors used as OpenAPI files use them
// (one integration for many routes) import, expanded.
func TestImportAliasesWithinLimits(t *testing.T) {
	var b strings.Builder
	b.WriteString("openapi: 3.0.1\ninfo: {title: shared, version: '1'}\npaths:\n")
	b.WriteString("  /r0:\n    get:\n      x-amazon-apigateway-integration: &it {type: HTTP_PROXY, httpMethod: GET, uri: 'https://example.com', payloadFormatVersion: '1.0'}\n")
	for i := 1; i < 300; i++ {
		fmt.Fprintf(&b, "  /r%d:\n    get:\n      x-amazon-apigateway-integration: *it\n", i)
	}
	p, err := planImport(b.String(), nil, true, awsImportQuotas)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.routes) != 300 || len(p.integrations) != 300 || len(p.warnings) != 0 {
		t.Errorf("%d routes, %d integrations, warnings %q", len(p.routes), len(p.integrations), p.warnings)
	}
	// The same document a thousand times bigger in text, by one alias:
	// still within the floor of 4 MiB.
	body := "openapi: 3.0.1\ninfo: {title: t, version: '1'}\npaths: {}\nx-text: &t '" + strings.Repeat("A", 100_000) + "'\nx-copies: [" +
		strings.Repeat("*t,", 39) + "*t]\n"
	if _, err := planImport(body, nil, true, awsImportQuotas); err != nil {
		t.Errorf("40 copies of 100 kB: %v", err)
	}
}

// nested returns a definition whose x-deep value is levels lists deep: the
// root object makes it levels+1 collections.
func nested(levels int, yaml bool) string {
	deep := strings.Repeat("[", levels) + strings.Repeat("]", levels)
	if yaml {
		return "openapi: 3.0.1\ninfo: {title: t, version: '1'}\npaths: {}\nx-deep: " + deep + "\n"
	}
	return `{"openapi": "3.0.1", "info": {"title": "t", "version": "1"}, "paths": {}, "x-deep": ` + deep + `}`
}

func TestImportDepth(t *testing.T) {
	for _, yaml := range []bool{false, true} {
		t.Run(fmt.Sprintf("yaml %v", yaml), func(t *testing.T) {
			if _, err := planImport(nested(199, yaml), nil, true, awsImportQuotas); err != nil {
				t.Errorf("200 levels: %v", err)
			}
			_, err := planImport(nested(200, yaml), nil, true, awsImportQuotas)
			wantBadRequest(t, err, tooDeepMessage)
			n, err := importCost(nested(9999, yaml), awsImportQuotas)
			wantBadRequest(t, err, tooDeepMessage)
			if n > 100<<20 {
				t.Errorf("10000 levels allocated %d MB", n>>20)
			}
		})
	}
	// Past their parsers' own bound (10000), the parsers' errors.
	_, err := planImport(nested(10001, false), nil, true, awsImportQuotas)
	wantBadRequest(t, err, "Invalid OpenAPI input. Unable to parse the definition as JSON: invalid character '[' exceeded max depth")
	_, err = planImport(nested(10001, true), nil, true, awsImportQuotas)
	wantBadRequest(t, err, "Invalid OpenAPI input. Unable to parse the definition as YAML: yaml: line 4: exceeded max depth of 10000")

	// Through aliases: five anchors, each 50 lists around the one before,
	// no more than 51 levels as written, 250 expanded.
	var b strings.Builder
	b.WriteString("openapi: 3.0.1\ninfo: {title: t, version: '1'}\npaths: {}\nx-a0: &a0 []\n")
	for i := 1; i <= 5; i++ {
		fmt.Fprintf(&b, "x-a%d: &a%d %s*a%d%s\n", i, i, strings.Repeat("[", 50), i-1, strings.Repeat("]", 50))
	}
	_, err = planImport(b.String(), nil, true, awsImportQuotas)
	wantBadRequest(t, err, tooDeepMessage)
}

// TestImportLargeJSON: the largest bodies (8 MiB). A definition of two
// million tiny values is refused after it is parsed, before kin-openapi
// and the plan multiply its cost; one of 300 routes with long texts, as
// real large definitions are, imports.
func TestImportLargeJSON(t *testing.T) {
	if testing.Short() {
		t.Skip("8 MiB definitions")
	}
	const size = 8<<20 - 1024
	header := `{"openapi": "3.0.1", "info": {"title": "t", "version": "1"}, `
	tiny := header + `"paths": {}, "x-values": [` + strings.Repeat("[],", (size-len(header))/3) + `[]]}`
	n, err := importCost(tiny, awsImportQuotas)
	wantBadRequest(t, err, tooManyNodesMessage)
	t.Logf("%d bytes of tiny values: %d MB allocated", len(tiny), n>>20)

	var b strings.Builder
	b.WriteString(header + `"paths": {`)
	description := strings.Repeat("Lorem ipsum dolor sit amet. ", (size/300-200)/28)
	for i := range 300 {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `"/r%d": {"get": {"description": %q, "x-amazon-apigateway-integration": {"type": "HTTP_PROXY", "httpMethod": "GET", "uri": "https://example.com", "payloadFormatVersion": "1.0"}}}`, i, description)
	}
	b.WriteString("}}")
	long := b.String()
	var p *importPlan
	n = allocatedBy(func() { p, err = planImport(long, nil, true, awsImportQuotas) })
	if err != nil || len(p.routes) != 300 || len(long) > 8<<20 {
		t.Fatalf("%d bytes of long texts: %v", len(long), err)
	}
	t.Logf("%d bytes of long texts: %d MB allocated", len(long), n>>20)
}

// operations returns a definition of n routes, each with its own
// integration.
func operations(n int) string {
	var b strings.Builder
	b.WriteString(`{"openapi": "3.0.1", "info": {"title": "t", "version": "1"}, "paths": {`)
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `"/r%d": {"get": {"x-amazon-apigateway-integration": {"type": "HTTP_PROXY", "httpMethod": "GET", "uri": "https://example.com", "payloadFormatVersion": "1.0"}}}`, i)
	}
	b.WriteString("}}")
	return b.String()
}

// authorizers returns a definition of n JWT authorizers.
func authorizers(n int) string {
	var b strings.Builder
	b.WriteString(`{"openapi": "3.0.1", "info": {"title": "t", "version": "1"}, "paths": {}, "components": {"securitySchemes": {`)
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `"jwt%d": {"type": "oauth2", "x-amazon-apigateway-authorizer": {"type": "jwt", "identitySource": "$request.header.Authorization",
			"jwtConfiguration": {"issuer": "https://issuer.example.com", "audience": ["a"]}}}`, i)
	}
	b.WriteString("}}}")
	return b.String()
}

// integrations returns a definition of n integrations in
// components.x-amazon-apigateway-integrations, used by no route.
func integrations(n int) string {
	var b strings.Builder
	b.WriteString(`{"openapi": "3.0.1", "info": {"title": "t", "version": "1"}, "paths": {}, "components": {"x-amazon-apigateway-integrations": {`)
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `"it%d": {"type": "HTTP_PROXY", "httpMethod": "GET", "uri": "https://example.com", "payloadFormatVersion": "1.0"}`, i)
	}
	b.WriteString("}}}")
	return b.String()
}

func TestImportQuotas(t *testing.T) {
	for _, tc := range []struct {
		name      string
		body      func(int) string
		quota     int
		message   string
		planned   func(*importPlan) int
		overQuota int
	}{
		{"routes", operations, 300, "The definition would create more than 300 routes. An HTTP API can have at most 300 routes",
			func(p *importPlan) int { return len(p.routes) }, 301},
		{"integrations", integrations, 300, "The definition would create more than 300 integrations. An HTTP API can have at most 300 integrations",
			func(p *importPlan) int { return len(p.integrations) }, 301},
		{"authorizers", authorizers, 10, "The definition would create more than 10 authorizers. An HTTP API can have at most 10 authorizers",
			func(p *importPlan) int { return len(p.authorizers) }, 11},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := planImport(tc.body(tc.quota), nil, true, awsImportQuotas)
			if err != nil || tc.planned(p) != tc.quota {
				t.Fatalf("at the quota: %v", err)
			}
			_, err = planImport(tc.body(tc.overQuota), nil, true, awsImportQuotas)
			wantBadRequest(t, err, tc.message)
			// Without quotas, the same definition is planned in full.
			p, err = planImport(tc.body(tc.overQuota), nil, true, noImportQuotas)
			if err != nil || tc.planned(p) != tc.overQuota {
				t.Errorf("without quotas: %v", err)
			}
		})
	}
	// Ten thousand routes (1.6 MB, within maxDefinitionNodes) are refused
	// at the 301st: the rest of the document is not planned, nor read by
	// kin-openapi.
	huge := operations(10_000)
	n, err := importCost(huge, awsImportQuotas)
	wantBadRequest(t, err, "The definition would create more than 300 routes. An HTTP API can have at most 300 routes")
	t.Logf("%d bytes, 10000 routes: %d MB allocated", len(huge), n>>20)
	if n > 40*uint64(len(huge)) {
		t.Errorf("%d bytes allocated %d MB", len(huge), n>>20)
	}
}

// TestPrescanRefusesBeforeParsing: 8 MiB of tiny values is refused before
// a parser builds its tree (which cost 174 MB for JSON, 519 MB for YAML).
func TestPrescanRefusesBeforeParsing(t *testing.T) {
	for name, body := range map[string]string{
		"json":       "[" + strings.Repeat("1,", 4<<20) + "1]",
		"yaml":       "a: [" + strings.Repeat("1,", 4<<20) + "1]",
		"yaml block": strings.Repeat("- 1\n", 2<<20),
	} {
		var err error
		n := allocatedBy(func() { _, err = parseDocument(body) })
		if err != definitionTooManyNodes {
			t.Errorf("%s: got %v", name, err)
		}
		if n > 1<<20 {
			t.Errorf("%s: refusing it allocated %d bytes", name, n)
		}
	}
}
