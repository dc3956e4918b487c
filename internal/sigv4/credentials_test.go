package sigv4_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/portico-dev/portico/internal/sigv4"
)

func TestParseCredentials(t *testing.T) {
	c, err := sigv4.ParseCredentials(strings.NewReader(credentialsFile))
	if err != nil {
		t.Fatal(err)
	}
	if c.Len() != 3 {
		t.Fatalf("%d keys, want 3 (the role profile has none)", c.Len())
	}
	k, ok := c.Lookup(bob.AccessKeyID)
	if want := (sigv4.Key{Profile: "bob", AccessKeyID: bob.AccessKeyID, SecretAccessKey: bob.SecretAccessKey,
		SessionToken: bob.SessionToken, AccountID: "210987654321"}); !ok || *k != want {
		t.Fatalf("bob: %+v, want %+v", k, want)
	}
	if _, ok := c.Lookup("AKIDNOPE"); ok {
		t.Fatal("a key that is not in the file")
	}

	// Windows line ends, a byte-order mark, tabs, indented continuation
	// lines, comments, an inline '#' that belongs to the value.
	c, err = sigv4.ParseCredentials(strings.NewReader("\ufeff[default]\r\n\taws_access_key_id\t=\tAKID1\r\n" +
		"aws_secret_access_key = s#1\r\n" +
		"s3 =\r\n  aws_access_key_id = NESTED\r\n" +
		"# aws_secret_access_key = commented\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	if k, ok := c.Lookup("AKID1"); !ok || k.SecretAccessKey != "s#1" {
		t.Fatalf("%+v %v", k, ok)
	}

	// The same key in two profiles with the same secret is one key.
	if c, err := sigv4.ParseCredentials(strings.NewReader("[a]\naws_access_key_id=K\naws_secret_access_key=S\n[b]\naws_access_key_id=K\naws_secret_access_key=S\n")); err != nil || c.Len() != 1 {
		t.Fatalf("%v %v", c, err)
	}

	bad := []struct{ file, err string }{
		{"aws_access_key_id = K\n", "line 1: a key before any [profile] section"},
		{"[a\n", "line 1: a section header without its closing ]"},
		{"[ ]\n", "line 1: a section without a name"},
		{"[a]\nno equals sign\n", "line 2: a line that is neither a [section] nor a key = value"},
		{"[a]\n[a]\n", `line 2: profile "a" appears twice`},
		{"[a]\naws_access_key_id = K\n[b]\n", `line 1: profile "a" has an aws_access_key_id and no aws_secret_access_key`},
		{"[a]\naws_access_key_id=K\naws_secret_access_key=S\n[b]\naws_access_key_id=K\naws_secret_access_key=T\n",
			`line 4: profile "b" has access key id K with other credentials than profile "a"`},
		{strings.Repeat("#", sigv4.MaxCredentialsFile+1), "larger than"},
	}
	for _, b := range bad {
		_, err := sigv4.ParseCredentials(strings.NewReader(b.file))
		if err == nil || !strings.Contains(err.Error(), b.err) {
			t.Errorf("%.40q: %v, want %q", b.file, err, b.err)
		}
	}
}

func TestLoadCredentials(t *testing.T) {
	if _, err := sigv4.LoadCredentials(filepath.Join(t.TempDir(), "absent")); !os.IsNotExist(err) {
		t.Fatalf("%v, want not exist", err)
	}
	path := filepath.Join(t.TempDir(), "credentials")
	os.WriteFile(path, []byte("[a]\nx\n"), 0o600)
	if _, err := sigv4.LoadCredentials(path); err == nil || !strings.HasPrefix(err.Error(), path+": line 2:") {
		t.Fatalf("%v, want the path and the line", err)
	}
}

// FuzzParseCredentials: no file panics; every key parsed has a secret.
func FuzzParseCredentials(f *testing.F) {
	f.Add(credentialsFile)
	f.Add("[a]\n  x = y\n\tz\n[profile b]\naws_access_key_id=1\naws_secret_access_key=2\n")
	f.Add("[\n]\n=\n[]")
	f.Fuzz(func(t *testing.T, s string) {
		c, err := sigv4.ParseCredentials(strings.NewReader(s))
		if err != nil {
			return
		}
		for _, line := range strings.Split(s, "\n") {
			k, v, ok := strings.Cut(line, "=")
			if !ok || strings.TrimSpace(strings.ToLower(k)) != "aws_access_key_id" {
				continue
			}
			if key, ok := c.Lookup(strings.TrimSpace(v)); ok && key.SecretAccessKey == "" {
				t.Fatalf("key %q without a secret", key.AccessKeyID)
			}
		}
	})
}
