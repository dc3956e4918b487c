package integration

import (
	"path"
	"strings"
)

// Policy is the IAM policy a Lambda authorizer answers with.
type Policy struct {
	PrincipalID    any `json:"principalId"`
	PolicyDocument struct {
		Statement []struct {
			Action   any `json:"Action"`
			Effect   string
			Resource any `json:"Resource"`
		}
	} `json:"policyDocument"`
	Context map[string]any `json:"context"`
}

// Allows: an explicit Deny wins; otherwise some Allow statement must cover
// the action on the resource (IAM's * and ? wildcards).
func (p *Policy) Allows(action, resource string) bool {
	allowed := false
	for _, st := range p.PolicyDocument.Statement {
		if !matchesAny(st.Action, action) || !matchesAny(st.Resource, resource) {
			continue
		}
		switch st.Effect {
		case "Deny":
			return false
		case "Allow":
			allowed = true
		}
	}
	return allowed
}

// matchesAny matches a policy element (a string or a list of strings).
func matchesAny(element any, value string) bool {
	var patterns []string
	switch x := element.(type) {
	case string:
		patterns = []string{x}
	case []any:
		for _, e := range x {
			if s, ok := e.(string); ok {
				patterns = append(patterns, s)
			}
		}
	}
	for _, pat := range patterns {
		// path.Match's * stops at "/", IAM's does not: compare with the
		// slashes turned into a character path.Match treats plainly.
		if ok, _ := path.Match(strings.ReplaceAll(pat, "/", "\x00"), strings.ReplaceAll(value, "/", "\x00")); ok {
			return true
		}
	}
	return false
}
