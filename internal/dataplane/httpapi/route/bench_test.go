package route

import (
	"fmt"
	"testing"
)

// benchKeys is a realistic table of n routes: resources with ids, nested
// ids, a greedy route per resource, ANY and OPTIONS routes, and $default.
func benchKeys(n int) []string {
	shapes := []string{
		"GET /r%d/items", "POST /r%d/items", "OPTIONS /r%d/items",
		"GET /r%d/items/{id}", "PUT /r%d/items/{id}", "ANY /r%d/items/{id}",
		"GET /r%d/items/{id}/tags/{tag}", "GET /r%d/files/{path+}", "ANY /r%d/{proxy+}", "GET /r%d",
	}
	keys := []string{"$default"}
	for i := 0; len(keys) < n; i++ {
		keys = append(keys, fmt.Sprintf(shapes[i%len(shapes)], i/len(shapes)))
	}
	return keys
}

// BenchmarkMatch: the same requests against 1 route (the one each request
// selects), 30 and 300 routes. The cost must not grow with the table.
func BenchmarkMatch(b *testing.B) {
	requests := []struct {
		name, method, path, want string
	}{
		{"static", "GET", "/r1/items", "GET /r1/items"},
		{"param", "GET", "/r1/items/42", "GET /r1/items/{id}"},
		{"two-params", "GET", "/r1/items/42/tags/red", "GET /r1/items/{id}/tags/{tag}"},
		{"any", "DELETE", "/r1/items/42", "ANY /r1/items/{id}"},
		{"greedy", "GET", "/r1/files/a/b/c.txt", "GET /r1/files/{path+}"},
		{"escaped", "GET", "/r1/items/a%20b", "GET /r1/items/{id}"},
		{"default", "GET", "/nothing/here", "$default"},
	}
	for _, size := range []int{1, 30, 300} {
		for _, rq := range requests {
			keys := benchKeys(size)
			if size == 1 {
				keys = []string{rq.want}
			}
			tab := compileKeys(b, keys...)
			var buf [4]Param
			if m, err := tab.Match(rq.method, rq.path, buf[:0]); err != nil || m.Key != rq.want {
				b.Fatalf("%s %s: %q, %v; want %q", rq.method, rq.path, m.Key, err, rq.want)
			}
			b.Run(fmt.Sprintf("routes=%d/%s", size, rq.name), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					_, _ = tab.Match(rq.method, rq.path, buf[:0])
				}
			})
		}
	}
}

// BenchmarkMatchNoBuffer: the cost of letting Match allocate the parameters.
func BenchmarkMatchNoBuffer(b *testing.B) {
	tab := compileKeys(b, benchKeys(300)...)
	b.ReportAllocs()
	for b.Loop() {
		_, _ = tab.Match("GET", "/r1/items/42/tags/red", nil)
	}
}

func BenchmarkCompile300(b *testing.B) {
	keys := benchKeys(300)
	routes := make([]Route, len(keys))
	for i, k := range keys {
		routes[i] = Route{Key: k}
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Compile(routes); err != nil {
			b.Fatal(err)
		}
	}
}
