package httpapi

import (
	"errors"
	"net/url"
	"strings"

	"github.com/portico-dev/portico/internal/dataplane/httpapi/route"
)

// uriTemplate is an HTTP_PROXY integration's URI, parsed once: literal
// text, the route's path variables ({id}, {proxy}) and stage variables
// (${stageVariables.name}) to substitute (docs/aws-behaviours.md#http-proxy).
type uriTemplate struct {
	parts []uriPart
	// pathless: the URI has no path (https://backend or https://backend/):
	// the $default route appends the request's whole path to it.
	pathless bool
}

type uriPart struct {
	text     string
	param    string // a path variable's name
	stageVar string // a stage variable's name
}

func parseURITemplate(s string) (*uriTemplate, error) {
	t := &uriTemplate{}
	for s != "" {
		i := strings.IndexAny(s, "{$")
		if i < 0 {
			t.parts = append(t.parts, uriPart{text: s})
			break
		}
		if i > 0 {
			t.parts = append(t.parts, uriPart{text: s[:i]})
			s = s[i:]
		}
		switch {
		case strings.HasPrefix(s, "${stageVariables."):
			end := strings.IndexByte(s, '}')
			if end < 0 {
				return nil, errors.New("unclosed ${stageVariables. in the integration URI")
			}
			t.parts = append(t.parts, uriPart{stageVar: s[len("${stageVariables."):end]})
			s = s[end+1:]
		case s[0] == '{':
			end := strings.IndexByte(s, '}')
			if end < 0 {
				t.parts = append(t.parts, uriPart{text: s})
				s = ""
				continue
			}
			t.parts = append(t.parts, uriPart{param: strings.TrimSuffix(s[1:end], "+")})
			s = s[end+1:]
		default:
			t.parts = append(t.parts, uriPart{text: s[:1]})
			s = s[1:]
		}
	}
	// Path-less: scheme://host[:port] with nothing after, or only "/".
	if len(t.parts) == 1 && t.parts[0].param == "" && t.parts[0].stageVar == "" {
		if u, err := url.Parse(t.parts[0].text); err == nil && (u.Path == "" || u.Path == "/") && u.RawQuery == "" {
			t.pathless = true
		}
	}
	return t, nil
}

// expand is the URI for one request. Path variables are escaped for the
// URL (a greedy value segment by segment, keeping its slashes); stage
// variables are put in as written, since they may name a host. A variable
// the request does not have is empty.
func (t *uriTemplate) expand(params route.Params, stageVars map[string]string) string {
	if len(t.parts) == 1 && t.parts[0].param == "" && t.parts[0].stageVar == "" {
		return t.parts[0].text
	}
	var b strings.Builder
	for _, p := range t.parts {
		switch {
		case p.param != "":
			v, _ := params.Get(p.param)
			b.WriteString(escapePath(v))
		case p.stageVar != "":
			b.WriteString(stageVars[p.stageVar])
		default:
			b.WriteString(p.text)
		}
	}
	return b.String()
}

// escapePath escapes each segment of a decoded path value.
func escapePath(v string) string {
	if !strings.Contains(v, "/") {
		return url.PathEscape(v)
	}
	segs := strings.Split(v, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return strings.Join(segs, "/")
}
