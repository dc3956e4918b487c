package sigv4

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// Bounds on a credentials file ([I]: far above any real one).
const (
	// MaxCredentialsFile is the largest credentials file read.
	MaxCredentialsFile = 1 << 20
	maxProfiles        = 10000
)

// Key is one profile's credentials.
type Key struct {
	Profile         string
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string // "" when the profile has none
	// AccountID is the profile's aws_account_id, "" when it has none.
	AccountID string
}

// Credentials are the keys of a shared-credentials file, by access key id.
type Credentials struct {
	keys map[string]*Key
}

// Len is how many keys there are.
func (c *Credentials) Len() int { return len(c.keys) }

// Lookup returns the key with that access key id.
func (c *Credentials) Lookup(accessKeyID string) (*Key, bool) {
	k, ok := c.keys[accessKeyID]
	return k, ok
}

// LoadCredentials reads a shared-credentials file (~/.aws/credentials).
func LoadCredentials(path string) (*Credentials, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	c, err := ParseCredentials(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// ParseCredentials parses the shared-credentials format the AWS CLI and
// SDKs read ("Configuration and credential file settings" in the AWS CLI
// user guide): [profile] sections of key = value lines, "#" and ";"
// comment lines. The keys read are aws_access_key_id,
// aws_secret_access_key, aws_session_token and aws_account_id; others
// (region, role_arn...) are ignored, and so is a profile without an
// access key id (one that assumes a role, say). As in botocore's parser,
// names are case-insensitive, a value runs to the end of its line (no
// inline comments), and indented lines continue the key above them (the
// config file's nested s3 = settings): they are skipped. A [profile name]
// header, the config file's form, names the profile "name" [I].
//
// An access key id in two profiles with two secrets is an error: which
// secret would verify its signatures?
func ParseCredentials(r io.Reader) (*Credentials, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxCredentialsFile+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxCredentialsFile {
		return nil, fmt.Errorf("credentials file larger than %d bytes", MaxCredentialsFile)
	}
	p := credParser{c: &Credentials{keys: map[string]*Key{}}}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, MaxCredentialsFile+1)
	for sc.Scan() {
		p.line++
		if err := p.parseLine(sc.Text()); err != nil {
			return nil, fmt.Errorf("line %d: %w", p.line, err)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if err := p.endProfile(); err != nil {
		return nil, err
	}
	return p.c, nil
}

type credParser struct {
	c       *Credentials
	line    int
	profile *Key
	// start is the line of the profile's header, for errors.
	start    int
	profiles int
	seen     map[string]bool
	// afterKey: the last line was a key = value, so an indented line
	// continues it.
	afterKey bool
}

func (p *credParser) parseLine(line string) error {
	if p.line == 1 {
		line = strings.TrimPrefix(line, "\ufeff") // a byte-order mark
	}
	indented := line != "" && (line[0] == ' ' || line[0] == '\t')
	line = strings.TrimSpace(line)
	if line == "" || line[0] == '#' || line[0] == ';' {
		return nil
	}
	if indented && p.afterKey {
		return nil // a continuation of the key above
	}
	p.afterKey = false
	if line[0] == '[' {
		if line[len(line)-1] != ']' {
			return errors.New("a section header without its closing ]")
		}
		if err := p.endProfile(); err != nil {
			return err
		}
		name := strings.TrimSpace(line[1 : len(line)-1])
		if rest, ok := strings.CutPrefix(name, "profile "); ok {
			name = strings.TrimSpace(rest)
		}
		if name == "" {
			return errors.New("a section without a name")
		}
		if p.seen == nil {
			p.seen = map[string]bool{}
		}
		if p.seen[name] {
			return fmt.Errorf("profile %q appears twice", name)
		}
		p.seen[name] = true
		if p.profiles++; p.profiles > maxProfiles {
			return fmt.Errorf("more than %d profiles", maxProfiles)
		}
		p.profile, p.start = &Key{Profile: name}, p.line
		return nil
	}
	k, v, ok := strings.Cut(line, "=")
	if !ok {
		return errors.New(`a line that is neither a [section] nor a key = value`)
	}
	if p.profile == nil {
		return errors.New("a key before any [profile] section")
	}
	p.afterKey = true
	v = strings.TrimSpace(v)
	switch strings.ToLower(strings.TrimSpace(k)) {
	case "aws_access_key_id":
		p.profile.AccessKeyID = v
	case "aws_secret_access_key":
		p.profile.SecretAccessKey = v
	case "aws_session_token":
		p.profile.SessionToken = v
	case "aws_account_id":
		p.profile.AccountID = v
	}
	return nil
}

// endProfile files the profile being read.
func (p *credParser) endProfile() error {
	k := p.profile
	p.profile = nil
	if k == nil || k.AccessKeyID == "" {
		return nil
	}
	if k.SecretAccessKey == "" {
		return fmt.Errorf("line %d: profile %q has an aws_access_key_id and no aws_secret_access_key", p.start, k.Profile)
	}
	if old, ok := p.c.keys[k.AccessKeyID]; ok {
		if old.SecretAccessKey != k.SecretAccessKey || old.SessionToken != k.SessionToken {
			return fmt.Errorf("line %d: profile %q has access key id %s with other credentials than profile %q",
				p.start, k.Profile, k.AccessKeyID, old.Profile)
		}
		return nil
	}
	p.c.keys[k.AccessKeyID] = k
	return nil
}
