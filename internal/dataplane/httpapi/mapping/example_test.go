package mapping_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/portico-dev/portico/internal/dataplane/httpapi/mapping"
)

// An engine compiles an integration's requestParameters with its
// deployment, then applies them to each upstream request.
func Example() {
	rules, err := mapping.CompileRequest(map[string]string{
		"append:header.header2":       "$request.header.header1", // the guide's rename example
		"remove:header.header1":       "''",
		"overwrite:querystring.stage": "$context.stage",
		"overwrite:path":              "/v2${request.path}",
	})
	if err != nil {
		panic(err)
	}
	client := httptest.NewRequest(http.MethodGet, "/dev/pets/7?stage=x", nil)
	client.Header.Set("Header1", "v1")
	ctx := map[string]string{"stage": "dev"}

	var c mapping.Changes // reusable: c.Reset()
	rules.Apply(&mapping.Request{
		Header:  client.Header,
		Query:   client.URL.Query(),
		Path:    "/pets/7",
		Context: func(n string) (string, bool) { v, ok := ctx[n]; return v, ok },
	}, &c)

	upstream := client.Header.Clone()
	c.ApplyHeader(upstream)
	q := client.URL.Query()
	c.ApplyQuery(q)
	fmt.Println(upstream, q.Encode(), c.Path)
	// Output: map[Header2:[v1]] stage=dev /v2/pets/7
}
