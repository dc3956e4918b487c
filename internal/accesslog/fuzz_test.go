package accesslog

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// FuzzFormat: any string compiles or is refused for its size, never
// panics; the entry is bounded by the format's size and the values'; and
// putting each variable's own text back as its value gives the format
// again, which holds only if literal text and variables split the format
// exactly.
func FuzzFormat(f *testing.F) {
	for _, s := range []string{
		httpCLF, httpJSON, httpXML, httpCSV, restCLF, "", "$", "$context", "$context.", "$context..", "$context.a.",
		"$context.-", "$$context.x$context.y", "${context.x}", "a\nb\r\n", "$context.x\n", "$context.status-",
		"$context.requestId\x00$context.é", strings.Repeat("$context.a", 300),
	} {
		f.Add(s, 3)
	}
	f.Fuzz(func(t *testing.T, format string, valueLen int) {
		c, err := Compile(format)
		if len(format) > MaxFormatBytes {
			if err == nil {
				t.Fatal("an oversized format compiled")
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		valueLen = min(max(valueLen, 0), 1000)
		value := strings.Repeat("v", valueLen)
		out := c.Render(nil, func(string) (string, bool) { return value, true })
		if bound := len(format) + len(c.parts)*max(valueLen, len(Missing)); len(out) > bound {
			t.Fatalf("%d-byte entry from a %d-byte format with %d variables of %d bytes", len(out), len(format), len(c.parts), valueLen)
		}
		back := c.Render(nil, func(name string) (string, bool) { return prefix + name, true })
		if want := trimLineEnd(format); string(back) != want {
			t.Fatalf("round trip: %q, want %q", back, want)
		}
		for _, name := range c.Names() {
			if name == "" || strings.HasSuffix(name, ".") || !firstNameByte(name[0]) {
				t.Fatalf("name %q", name)
			}
		}
	})
}

// FuzzLogGroup: any destinationArn is a group or ErrDestination; a group's
// file is a plain name inside the directory.
func FuzzLogGroup(f *testing.F) {
	for _, s := range []string{
		"arn:aws:logs:us-east-1:123456789012:log-group:/aws/apigateway/x:*", "arn:aws:logs:::log-group:..",
		"arn:aws:logs:r:a:log-group:a/../../b", "arn:aws:logs:r:a:log-group:" + strings.Repeat("A", 600),
	} {
		f.Add(s)
	}
	dir := filepath.FromSlash("/var/portico/logs")
	f.Fuzz(func(t *testing.T, arn string) {
		g, err := LogGroup(arn)
		if err != nil {
			if err != ErrDestination {
				t.Fatal(err)
			}
			g = arn // the Sink takes any name: check the file name anyway
		}
		if g == "" || len(g) > 4*MaxGroupBytes {
			return
		}
		name := fileName(g)
		if p := filepath.Join(dir, name); filepath.Dir(p) != dir || filepath.Base(p) != name {
			t.Fatalf("group %q: file %q leaves the directory", g, name)
		}
		if strings.ContainsAny(name, "/\\\x00:") || strings.HasPrefix(name, ".") || len(name) > 200 {
			t.Fatalf("group %q: file %q", g, name)
		}
	})
}

// FuzzLastLines: any file content reads back as its last lines.
func FuzzLastLines(f *testing.F) {
	for _, s := range []string{"", "\n", "a", "a\nb\n", "\n\n\n", "a\nb", strings.Repeat("x\n", 100)} {
		f.Add(s, 3)
	}
	f.Fuzz(func(t *testing.T, content string, need int) {
		need = min(max(need, 0), 2000)
		got, read, err := lastLines(strings.NewReader(content), int64(len(content)), need, 1<<30)
		if err != nil {
			t.Fatal(err)
		}
		if read > int64(len(content)) {
			t.Fatalf("read %d of %d bytes", read, len(content))
		}
		if want := referenceLast(content, need); !reflect.DeepEqual(got, want) && !(len(got) == 0 && len(want) == 0) {
			t.Fatalf("got %q, want %q", got, want)
		}
	})
}
