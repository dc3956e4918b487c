package accesslog

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLogGroup(t *testing.T) {
	for _, tc := range []struct{ arn, want string }{
		{"arn:aws:logs:us-east-1:123456789012:log-group:my-group", "my-group"},
		{"arn:aws:logs:us-east-1:123456789012:log-group:/aws/apigateway/orders-dev", "/aws/apigateway/orders-dev"},
		{"arn:aws:logs:us-east-1:123456789012:log-group:/aws/apigateway/orders-dev:*", "/aws/apigateway/orders-dev"},
		{"arn:aws-cn:logs:cn-north-1:123456789012:log-group:a.b_c#d", "a.b_c#d"},
		{"arn:aws:logs:eu-west-1:000000000000:log-group:" + strings.Repeat("g", MaxGroupBytes), strings.Repeat("g", MaxGroupBytes)},
	} {
		got, err := LogGroup(tc.arn)
		if err != nil || got != tc.want {
			t.Errorf("LogGroup(%q) = %q, %v; want %q", tc.arn, got, err, tc.want)
		}
	}
	for _, arn := range []string{
		"",
		"my-group",
		"arn:aws:logs:us-east-1:123456789012:log-group:",
		"arn:aws:logs:us-east-1:123456789012:log-group::*",
		"arn:aws:logs:us-east-1:123456789012:log-group:a:b",
		"arn:aws:logs:us-east-1:123456789012:log-group:a*",
		"arn:aws:logs:us-east-1:123456789012:log-stream:a",
		"arn:aws:s3:us-east-1:123456789012:log-group:a",
		"arn:aws:firehose:us-east-1:123456789012:deliverystream/amazon-apigateway-x",
		"arn::logs:us-east-1:123456789012:log-group:a",
		"urn:aws:logs:us-east-1:123456789012:log-group:a",
		"arn:aws:logs:us-east-1:123456789012:log-group:../../etc/passwd\x00",
		"arn:aws:logs:us-east-1:123456789012:log-group:a b",
		"arn:aws:logs:us-east-1:123456789012:log-group:é",
		"arn:aws:logs:eu-west-1:000000000000:log-group:" + strings.Repeat("g", MaxGroupBytes+1),
	} {
		if got, err := LogGroup(arn); !errors.Is(err, ErrDestination) {
			t.Errorf("LogGroup(%q) = %q, %v; want ErrDestination", arn, got, err)
		}
	}
}

// evilGroups are names that try to leave the log directory, or to land on
// another group's file.
var evilGroups = []string{
	"..", ".", "../x", "../../etc/passwd", "/etc/passwd", "a/../../b", "..\\..\\windows", "C:\\x", "c:x",
	"a\x00b", "\x00", "a\nb", "%2e%2e", "%2F", "~", "-", "-rf", ".hidden", "NUL", "nul", "con.txt", "COM1", "lpt9.log",
	"a b", "é", "\xff\xfe", "aux", "a:b", "*", "?", "|", "<>", "\"",
	strings.Repeat("/", MaxGroupBytes), strings.Repeat(".", MaxGroupBytes), strings.Repeat("A", MaxGroupBytes),
}

func TestFileNameStaysInside(t *testing.T) {
	dir := t.TempDir()
	for _, g := range evilGroups {
		name := fileName(g)
		if strings.ContainsAny(name, "/\\\x00:*?\"<>|\n") || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "-") && g[0] != '-' {
			t.Errorf("fileName(%q) = %q", g, name)
		}
		if len(name)+len(".999") > 255 {
			t.Errorf("fileName(%q) is %d bytes", g, len(name))
		}
		if p := filepath.Join(dir, name); filepath.Dir(p) != dir || filepath.Base(p) != name {
			t.Errorf("fileName(%q) = %q leaves %s", g, name, dir)
		}
		if windowsDevice(strings.TrimSuffix(name, ".log")) {
			t.Errorf("fileName(%q) = %q is a Windows device name", g, name)
		}
	}
}

func TestFileNameDistinct(t *testing.T) {
	groups := append([]string{
		"myapi", "MyApi", "MYAPI", "my%41pi", "my.api", "my_api", "my-api", "/aws/x", "%2Faws%2Fx", "%2Faws/x",
		strings.Repeat("a", 300) + "1", strings.Repeat("a", 300) + "2", "NUL", "%4EUL", "nul",
	}, evilGroups...)
	seen := map[string]string{}
	for _, g := range groups {
		name := strings.ToLower(fileName(g)) // case-insensitive file systems
		if other, ok := seen[name]; ok && other != g {
			t.Errorf("%q and %q share the file %q", g, other, name)
		}
		seen[name] = g
	}
}

func TestFileNameReadable(t *testing.T) {
	for g, want := range map[string]string{
		"/aws/apigateway/orders-dev": "%2Faws%2Fapigateway%2Forders-dev.log",
		"access.log_group":           "access.log_group.log",
		"..":                         "%2E..log",
		"nul":                        "%6Eul.log",
	} {
		if got := fileName(g); got != want {
			t.Errorf("fileName(%q) = %q, want %q", g, got, want)
		}
	}
}

// The Sink writes a traversal attempt's entries inside its directory, and
// nowhere else.
func TestSinkTraversal(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "logs")
	s, err := New(Config{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, g := range evilGroups {
		s.Write(g, []byte("entry of "+g))
	}
	if st := s.Stats(); st.Entries != uint64(len(evilGroups)) || st.Failures != 0 {
		t.Fatalf("stats %+v, want %d entries", st, len(evilGroups))
	}
	// Only the log directory in root, only regular files in it.
	top, _ := os.ReadDir(root)
	if len(top) != 1 || top[0].Name() != "logs" {
		t.Errorf("root holds %v", top)
	}
	files, _ := os.ReadDir(dir)
	if len(files) != len(evilGroups) {
		t.Errorf("%d files for %d groups", len(files), len(evilGroups))
	}
	for _, f := range files {
		if !f.Type().IsRegular() {
			t.Errorf("%s is not a regular file", f.Name())
		}
	}
	for _, g := range evilGroups {
		got, err := s.Tail(g, 10)
		if err != nil || len(got) != 1 || got[0] != strings.ReplaceAll("entry of "+g, "\n", `\n`) {
			t.Errorf("Tail(%q) = %q, %v", g, got, err)
		}
	}
}
