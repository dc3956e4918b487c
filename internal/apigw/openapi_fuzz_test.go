package apigw

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/portico-dev/portico/internal/awsproto"
)

// fuzzAllocationBound is the most one definition of the fuzzer's sizes
// may allocate. Within the limits, a few hundred bytes of YAML can expand
// to maxDefinitionNodes values, about 100 MB by the time kin-openapi has
// read them; without the limits the same bytes reach gigabytes.
const fuzzAllocationBound = 192 << 20

// FuzzImportDefinition runs the parsing path of ImportApi and ReimportApi
// (planImport: JSON or YAML, the limits, kin-openapi, the plan) on
// arbitrary definitions. Whatever comes in: no panic, a refusal is a 400
// BadRequestException with a message, a plan respects the quotas, and the
// heap allocated stays under fuzzAllocationBound.
//
//	go test ./internal/apigw -run '^$' -fuzz FuzzImportDefinition -fuzztime 60s
func FuzzImportDefinition(f *testing.F) {
	files, err := filepath.Glob("testdata/openapi/*")
	if err != nil || len(files) == 0 {
		f.Fatalf("no seed definitions: %v", err)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
	aliasChain := "openapi: 3.0.1\ninfo: {title: t, version: '1'}\npaths: {}\nx-a0: &a0 []\n"
	for i := 1; i <= 5; i++ {
		aliasChain += fmt.Sprintf("x-a%d: &a%d %s*a%d%s\n", i, i, strings.Repeat("[", 50), i-1, strings.Repeat("]", 50))
	}
	for _, seed := range []string{
		aliasBomb(5, "lol"),
		aliasBomb(7, "lol"),
		aliasBomb(9, "lol"),
		aliasBomb(40, "lol"),
		aliasBomb(5, "{a: x, b: y}"),
		aliasBomb(4, strings.Repeat("A", 600)),
		"openapi: 3.0.1\ninfo: {title: t, version: '1'}\npaths: {}\nx-a: &a [1, *a]\n",
		"openapi: 3.0.1\ninfo: {title: t, version: '1'}\npaths: {}\nx-a: &a {b: {c: *a}}\n",
		aliasChain,
		nested(199, true), nested(200, true), nested(9999, true),
		nested(199, false), nested(200, false), nested(9999, false),
		operations(301), integrations(301), authorizers(11),
		// YAML oddities: merge keys, anchored and complex keys, tags,
		// several documents, an alias to a scalar as a key.
		"openapi: 3.0.1\ninfo: &i {title: t, version: '1'}\nx-info: {<<: *i, description: d}\npaths: {}\n",
		"openapi: 3.0.1\ninfo: {title: t, version: '1'}\n? [a, b]\n: c\n&k key: v\n*k : w\npaths: {}\n",
		"openapi: !!str 3.0.1\ninfo: {title: !!binary aGk=, version: !!float 1}\npaths: !!map {}\n",
		"openapi: 3.0.1\n---\nopenapi: 3.0.2\n",
		`{"openapi": "3.0.1", "info": {"title": "t", "version": "1"}, "paths": {}} trailing`,
		`{"openapi": "3.0.1", "info": {"title": "t", "version": 1.0}, "paths": {"/a": {"get": {"security": [{"x": []}]}}}}`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body string) {
		var p *importPlan
		var err error
		n := allocatedBy(func() { p, err = planImport(body, nil, true, awsImportQuotas) })
		if n > fuzzAllocationBound {
			t.Errorf("a %d-byte definition allocated %d MB", len(body), n>>20)
		}
		if err != nil {
			var e *awsproto.Error
			if !errors.As(err, &e) || e.Code != 400 || e.Type != "BadRequestException" || e.Message == "" {
				t.Fatalf("error %#v, want a 400 BadRequestException", err)
			}
			return
		}
		q := awsImportQuotas
		if len(p.routes) > q.routes || len(p.integrations) > q.integrations || len(p.authorizers) > q.authorizers {
			t.Fatalf("plan over the quotas: %d routes, %d integrations, %d authorizers", len(p.routes), len(p.integrations), len(p.authorizers))
		}
	})
}
