package cors_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/portico-dev/portico/internal/dataplane/httpapi/cors"
)

func Example() {
	p, err := cors.New(cors.Config{
		AllowOrigins: []string{"https://app.example.com"},
		AllowMethods: []string{"GET", "POST"},
		AllowHeaders: []string{"content-type"},
	})
	if err != nil {
		panic(err)
	}
	r := httptest.NewRequest(http.MethodOptions, "/pets", nil)
	r.Header.Set("Origin", "https://app.example.com")
	r.Header.Set("Access-Control-Request-Method", "POST")
	if h, ok := p.Preflight(r); ok {
		fmt.Println(204, h)
	}

	backend := http.Header{"Access-Control-Allow-Origin": {"*"}, "Content-Type": {"application/json"}}
	p.Apply("https://app.example.com", backend)
	fmt.Println(backend)
	// Output:
	// 204 map[Access-Control-Allow-Headers:[content-type] Access-Control-Allow-Methods:[GET,POST] Access-Control-Allow-Origin:[https://app.example.com] Vary:[Origin]]
	// map[Access-Control-Allow-Origin:[https://app.example.com] Content-Type:[application/json] Vary:[Origin]]
}
