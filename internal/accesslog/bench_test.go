package accesslog

import (
	"fmt"
	"sync/atomic"
	"testing"
)

// benchLookup answers as an engine would: a switch over the names, on
// values the request already holds.
func benchLookup(name string) (string, bool) {
	switch name {
	case "requestId":
		return "Mc7UVioPPHcEKPA=", true
	case "identity.sourceIp":
		return "192.0.2.10", true
	case "requestTime":
		return "10/Jul/2024:18:15:21 +0000", true
	case "httpMethod":
		return "GET", true
	case "routeKey":
		return "GET /pets/{id}", true
	case "status":
		return "200", true
	case "protocol":
		return "HTTP/1.1", true
	case "responseLength":
		return "27", true
	}
	return "", false
}

// BenchmarkRender is the docs' JSON format, rendered into a reused buffer.
func BenchmarkRender(b *testing.B) {
	f, err := Compile(httpJSON)
	if err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, 0, 512)
	b.ReportAllocs()
	for b.Loop() {
		buf = f.Render(buf[:0], benchLookup)
	}
	b.SetBytes(int64(len(buf)))
}

func BenchmarkCompile(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Compile(httpJSON); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSinkWrite is one rendered entry appended to a group's file or
// ring, from parallel writers on a few groups.
func BenchmarkSinkWrite(b *testing.B) {
	f, _ := Compile(httpJSON)
	entry := f.Render(nil, benchLookup)
	for _, mode := range []string{"files", "memory"} {
		b.Run(mode, func(b *testing.B) {
			dir := ""
			if mode == "files" {
				dir = b.TempDir()
			}
			s, err := New(Config{Dir: dir})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			b.ReportAllocs()
			b.SetBytes(int64(len(entry)) + 1)
			var writers atomic.Int64
			b.RunParallel(func(pb *testing.PB) {
				g := fmt.Sprint("group-", writers.Add(1)%4)
				for pb.Next() {
					s.Write(g, entry)
				}
			})
		})
	}
}
