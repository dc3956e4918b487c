package apigw

import (
	"context"
	"errors"
	"testing"

	"github.com/portico-dev/portico/internal/awsproto"
	"github.com/portico-dev/portico/internal/store"
	"github.com/portico-dev/portico/internal/store/memory"
)

// TestCheckVpcLink: the helper integrations.go is to call for HTTP API
// integrations with connectionType VPC_LINK (not wired yet, so not
// reachable end to end): an existing link of the scope passes, another is
// a 400 naming it [I].
func TestCheckVpcLink(t *testing.T) {
	st := memory.New()
	s := New(st, Config{})
	id := awsproto.Identity{Account: "000000000000", Region: "us-east-1"}
	ctx := awsproto.WithIdentity(context.Background(), id)
	link, err := s.CreateVpcLink(ctx, &CreateVpcLinkRequest{Name: ptr("l"), SubnetIds: []string{"s"}})
	must(t, err)
	err = st.View(ctx, store.Scope{Account: id.Account, Region: id.Region}, func(tx store.Tx) error {
		if err := checkVpcLink(tx, *link.VpcLinkId); err != nil {
			t.Errorf("existing link: %v", err)
		}
		err := checkVpcLink(tx, "nope12")
		var e *awsproto.Error
		if !errors.As(err, &e) || e.Code != 400 || e.Type != "BadRequestException" || e.Message != "Invalid VpcLink identifier specified nope12" {
			t.Errorf("missing link: %v", err)
		}
		return nil
	})
	must(t, err)
	// Another region holds no link.
	err = st.View(ctx, store.Scope{Account: id.Account, Region: "eu-west-1"}, func(tx store.Tx) error {
		if checkVpcLink(tx, *link.VpcLinkId) == nil {
			t.Errorf("a link of us-east-1 passed in eu-west-1")
		}
		return nil
	})
	must(t, err)
}

// TestCorsOrigins: the origin forms checkCors accepts.
func TestCorsOrigins(t *testing.T) {
	for o, want := range map[string]bool{
		"*": true, "http://*": true, "https://*": true,
		"https://example.com": true, "HTTP://WWW.EXAMPLE.ORG": true, "http://localhost:3000": true,
		"http://[::1]": true, "http://[::1]:8080": true, "chrome-extension://abcdef": true, "http://127.0.0.1:65535": true,
		"example.com": true, "localhost:3000": true, "[::1]:8080": true,
		"": false, "https:/": false, "https:": false, "example.com:": false, "*.example.com": false, "example.com/": false, "https://": false, "https://*.example.com": false,
		"*://example.com": false, "ftp*://x": false, "https://example.com/": false, "https://example.com/a": false,
		"https://example.com?x": false, "https://user@example.com": false, "https://example.com:": false,
		"https://example.com:80:80": false, "https://example.com:123456": false, "http://[::1": false, "http://[]": false,
		"http://[::1]x": false, "1http://x": false, "https://exa mple.com": false,
	} {
		if got := validCorsOrigin(o); got != want {
			t.Errorf("validCorsOrigin(%q) = %v, want %v", o, got, want)
		}
	}
}

// TestMergeCors: members given replace, members absent stay, [] clears,
// and nothing given leaves the stored configuration as it is.
func TestMergeCors(t *testing.T) {
	stored := &Cors{AllowOrigins: []string{"*"}, AllowHeaders: []string{"a"}, MaxAge: ptr(int32(5))}
	if mergeCors(stored, nil) != stored || mergeCors(nil, nil) != nil {
		t.Fatal("nil given changed the configuration")
	}
	got := mergeCors(stored, &Cors{AllowCredentials: ptr(true), AllowHeaders: []string{}, AllowMethods: []string{"GET"}})
	if len(got.AllowOrigins) != 1 || got.AllowHeaders != nil || len(got.AllowMethods) != 1 || !*got.AllowCredentials || *got.MaxAge != 5 {
		t.Errorf("merged: %+v", got)
	}
	if len(stored.AllowHeaders) != 1 || stored.AllowCredentials != nil {
		t.Errorf("merge changed the stored configuration: %+v", stored)
	}
}
