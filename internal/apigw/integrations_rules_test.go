package apigw

import (
	"maps"
	"strings"
	"testing"

	"github.com/portico-dev/portico/internal/dataplane/httpapi/mapping"
)

func TestIntegrationResponseKeys(t *testing.T) {
	for _, k := range []string{"$default", "/200/", `/2\d\d/`, "/5\\d\\d|429/", "/.*Error.*/", "/a/b/"} {
		if err := checkIntegrationResponseKey(k); err != nil {
			t.Errorf("%q: %v", k, err)
		}
	}
	invalid := map[string]string{
		"":         "Integration response key is required",
		"200":      "A key is $default",
		"/":        "A key is $default",
		"//":       "A key is $default",
		"/x":       "A key is $default",
		"$Default": "A key is $default",
		"/(/":      "not a valid regular expression",
		"/a{2,1}/": "not a valid regular expression",
		"/(?=2)/":  "not a valid regular expression", // lookahead: Java has it, RE2 does not [I]
	}
	for k, want := range invalid {
		if err := checkIntegrationResponseKey(k); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: got %v, want an error containing %q", k, err, want)
		}
	}
}

func TestMergeParameters(t *testing.T) {
	stored := map[string]string{"a": "1", "b": "2"}
	got := mergeParameters(stored, map[string]string{"a": "", "c": "3", "zz": ""})
	if want := map[string]string{"b": "2", "c": "3"}; !maps.Equal(got, want) {
		t.Errorf("merge: %v, want %v", got, want)
	}
	if stored["a"] != "1" || len(stored) != 2 {
		t.Errorf("the stored map was modified: %v", stored)
	}
	if got := mergeParameters(map[string]string{"a": "1"}, map[string]string{"a": ""}); got != nil {
		t.Errorf("removing the last key: %#v, want nil", got)
	}
	if got := mergeParameters(nil, map[string]string{}); got != nil {
		t.Errorf("nothing: %#v, want nil", got)
	}
}

func TestMergeResponseParameters(t *testing.T) {
	stored := map[string]map[string]string{"404": {"a": "1"}, "500": {"b": "2", "c": "3"}}
	got := mergeResponseParameters(stored, map[string]map[string]string{
		"404": {},                  // removes the status code
		"500": {"b": "", "d": "4"}, // merges within it
		"503": {"e": ""},           // nothing to keep: absent
	})
	if len(got) != 1 || !maps.Equal(got["500"], map[string]string{"c": "3", "d": "4"}) {
		t.Errorf("merge: %v", got)
	}
	if len(stored["500"]) != 2 || len(stored["404"]) != 1 {
		t.Errorf("the stored maps were modified: %v", stored)
	}
	if got := mergeResponseParameters(nil, nil); got != nil {
		t.Errorf("nothing: %#v, want nil", got)
	}
}

func TestCheckTemplate(t *testing.T) {
	if err := checkTemplate("t", strings.Repeat("a", maxMappingTemplateBytes)); err != nil {
		t.Errorf("300 KB: %v", err)
	}
	// Bytes of UTF-8, not characters: 102,401 three-byte characters are over.
	if err := checkTemplate("t", strings.Repeat("€", maxMappingTemplateBytes/3+1)); err == nil {
		t.Errorf("over 300 KB of three-byte characters: accepted")
	}
	err := checkTemplate(`request template "x"`, strings.Repeat("a", maxMappingTemplateBytes+1))
	if err == nil || err.Error() != `BadRequestException: Invalid request template "x": the template is 307201 bytes long; a template can be at most 307200 bytes (300 KB)` {
		t.Errorf("over 300 KB: %v", err)
	}
}

func TestReservedHeaders(t *testing.T) {
	for _, h := range []string{"Authorization", "x-amz-date", "X-Amzn-Trace-Id", "Access-Control-Allow-Origin", "apigw-requestid", "Via", "TE", "host-not"} {
		want := h != "host-not"
		err := mapping.CheckRequest(map[string]string{"overwrite:header." + h: "'x'"})
		if (err != nil) != want {
			t.Errorf("%q reserved: %v, want %v", h, err, want)
		}
	}
}
