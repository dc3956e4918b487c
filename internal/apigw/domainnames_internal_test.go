package apigw

import (
	"context"
	"testing"

	"github.com/portico-dev/portico/internal/awsproto"
	"github.com/portico-dev/portico/internal/store"
	"github.com/portico-dev/portico/internal/store/memory"
)

// TestDomainNameHelpers covers what other files call: DeleteApi's check
// (apiMappingsBlockingDelete) and the tags of a domain name for
// TagResource and GetTags (domainNameTags, setDomainNameTags).
func TestDomainNameHelpers(t *testing.T) {
	st := memory.New()
	s := New(st, Config{})
	id := awsproto.Identity{Account: "000000000000", Region: "us-east-1"}
	ctx := awsproto.WithIdentity(context.Background(), id)
	sc := store.Scope{Account: id.Account, Region: id.Region}
	api, err := s.CreateApi(ctx, &CreateApiRequest{Name: ptr("h"), ProtocolType: ptr(protocolHTTP)})
	must(t, err)
	other, err := s.CreateApi(ctx, &CreateApiRequest{Name: ptr("o"), ProtocolType: ptr(protocolHTTP)})
	must(t, err)
	_, err = s.CreateStage(ctx, &CreateStageRequest{ApiId: api.ApiId, StageName: ptr("prod")})
	must(t, err)
	_, err = s.CreateDomainName(ctx, &CreateDomainNameRequest{DomainName: ptr("api.example.com"),
		DomainNameConfigurations: []DomainNameConfiguration{{CertificateArn: ptr("arn:aws:acm:us-east-1:123456789012:certificate/x")}},
		Tags:                     map[string]string{"a": "1"}})
	must(t, err)
	m, err := s.CreateApiMapping(ctx, &CreateApiMappingRequest{DomainName: ptr("api.example.com"), ApiId: api.ApiId, Stage: ptr("prod")})
	must(t, err)

	check := func(apiID, want string) {
		t.Helper()
		err := st.View(ctx, sc, func(tx store.Tx) error { return apiMappingsBlockingDelete(tx, apiID) })
		if got := errText(err); got != want {
			t.Errorf("apiMappingsBlockingDelete(%s): %q, want %q", apiID, got, want)
		}
	}
	check(*api.ApiId, "BadRequestException: Deleting API "+*api.ApiId+" failed. Please remove all API mappings for the API from your custom domain names.")
	check(*other.ApiId, "")
	must(t, s.DeleteApiMapping(ctx, &DeleteApiMappingRequest{DomainName: ptr("api.example.com"), ApiMappingId: m.ApiMappingId}))
	check(*api.ApiId, "")

	must(t, st.Update(ctx, sc, func(tx store.Tx) error {
		tags, err := domainNameTags(tx, "api.example.com")
		if err != nil || len(tags) != 1 || tags["a"] != "1" {
			t.Errorf("domainNameTags: %v %v", tags, err)
		}
		return setDomainNameTags(tx, "api.example.com", map[string]string{"b": "2"})
	}))
	got, err := s.GetDomainName(ctx, &GetDomainNameRequest{DomainName: ptr("api.example.com")})
	must(t, err)
	if len(got.Tags) != 1 || got.Tags["b"] != "2" {
		t.Errorf("tags after setDomainNameTags: %v", got.Tags)
	}
	must(t, st.View(ctx, sc, func(tx store.Tx) error {
		_, err := domainNameTags(tx, "nope.example.com")
		if errText(err) != "NotFoundException: Invalid domain name identifier specified" {
			t.Errorf("domainNameTags of a missing domain name: %v", err)
		}
		return nil
	}))
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
