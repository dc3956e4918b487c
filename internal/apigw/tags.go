package apigw

import (
	"context"
	"errors"
	"maps"
	"strings"

	"github.com/portico-dev/portico/internal/awsproto"
	"github.com/portico-dev/portico/internal/store"
)

// Tags: TagResource, UntagResource and GetTags on the ARN of a taggable
// resource. The tags are the resource's own "tags" member (Api.Tags,
// Stage.Tags, VpcLink.Tags): tags given at create time and tags set here are
// the same tags, as GetApi and GetTags agree on AWS.
//
// ARNs have no account field: arn:{partition}:apigateway:{region}::{path}
// (CLI tag-resource and get-tags examples; Terraform's
// MatchResourceAttrRegionalARNNoAccount). The resource is looked up in the
// caller's scope (the signature's account and region); an ARN of another
// region names nothing there, so it is a 404 like a missing resource [I].
//
// Tag changes are not changes to an API's configuration: they do not
// redeploy autoDeploy stages [I], and a stage's lastUpdatedDate stays [I].

var _ interface {
	tagResourceHandler
	untagResourceHandler
	getTagsHandler
} = (*Server)(nil)

// tagger finds the resource that ids name (the "*" segments of its ARN's
// path, in order) in the transaction's scope and returns its tags and a
// function that stores new ones; a missing resource is its not-found error.
type tagger func(ctx context.Context, tx store.Tx, ids []string) (tags map[string]string, save func(map[string]string) error, err error)

// taggableKinds are the resources that have tags, by the path of their ARN
// after "::". Adding a kind is adding a row and its tagger.
var taggableKinds = []struct {
	path   string
	tagsOf tagger
}{
	{"/apis/*", apiTagger},
	{"/apis/*/stages/*", stageTagger},
	{"/vpclinks/*", vpcLinkTagger},
	{"/domainnames/*", domainNameTagger},
	{"/portalproducts/*", portalProductTagger},
	{"/portals/*", portalTagger},
}

func (s *Server) TagResource(ctx context.Context, in *TagResourceRequest) (*TagResourceResponse, error) {
	// The given tags are checked alone first, so a bad key is named even
	// when the resource does not exist; the total is checked after the merge.
	if err := validateTags(in.Tags); err != nil {
		return nil, err
	}
	err := s.withTags(ctx, *in.ResourceArn, true, func(tags map[string]string) (map[string]string, error) {
		merged := maps.Clone(tags)
		if merged == nil {
			merged = map[string]string{}
		}
		maps.Copy(merged, in.Tags)
		return merged, validateTags(merged)
	})
	if err != nil {
		return nil, err
	}
	return &TagResourceResponse{}, nil
}

// UntagResource removes the keys given; keys the resource does not have are
// ignored [I].
func (s *Server) UntagResource(ctx context.Context, in *UntagResourceRequest) error {
	return s.withTags(ctx, *in.ResourceArn, true, func(tags map[string]string) (map[string]string, error) {
		out := maps.Clone(tags)
		if out == nil {
			out = map[string]string{}
		}
		for _, k := range in.TagKeys {
			delete(out, k)
		}
		return out, nil
	})
}

// GetTags answers {"tags": {...}}, with {} for a resource without tags.
func (s *Server) GetTags(ctx context.Context, in *GetTagsRequest) (*GetTagsResponse, error) {
	out := &GetTagsResponse{Tags: map[string]string{}}
	err := s.withTags(ctx, *in.ResourceArn, false, func(tags map[string]string) (map[string]string, error) {
		maps.Copy(out.Tags, tags)
		return nil, nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// withTags resolves the ARN and runs fn on the resource's tags, in a write
// transaction when write is set (fn's result is then stored) and a read
// one otherwise (fn's result is ignored).
func (s *Server) withTags(ctx context.Context, arn string, write bool, fn func(map[string]string) (map[string]string, error)) error {
	tagsOf, ids, err := parseTagARN(arn, awsproto.IdentityFrom(ctx))
	if err != nil {
		return err
	}
	run := func(tx store.Tx) error {
		tags, save, err := tagsOf(ctx, tx, ids)
		if err != nil {
			return err
		}
		next, err := fn(tags)
		if err != nil || !write {
			return err
		}
		return save(next)
	}
	if write {
		return s.update(ctx, run)
	}
	return s.view(ctx, run)
}

// parseTagARN finds the taggable kind an ARN names and the ids in its path.
// A string that is not an API Gateway ARN without account, or whose path is
// not one of a taggable kind, is a 400 [I]; an ARN of another region than
// region answers the kind's 404, since the resource is not in the caller's
// scope [I].
func parseTagARN(arn string, who awsproto.Identity) (tagger, []string, error) {
	region := who.Region
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[1] == "" || parts[2] != "apigateway" || parts[3] == "" {
		return nil, nil, invalidResourceARN(arn)
	}
	// API, stage, domain-name and VPC-link ARNs have an empty account field;
	// the developer-portal resources' carry the account. [I] Another
	// account's resource is not found in the caller's.
	withAccount := strings.HasPrefix(parts[5], "/portal")
	if withAccount != (parts[4] != "") {
		return nil, nil, invalidResourceARN(arn)
	}
	elsewhere := parts[3] != region || withAccount && parts[4] != who.Account
	for _, kind := range taggableKinds {
		ids, ok := matchTagPath(kind.path, parts[5])
		if !ok {
			continue
		}
		if elsewhere {
			return notInRegion(kind.tagsOf), ids, nil
		}
		return kind.tagsOf, ids, nil
	}
	return nil, nil, invalidResourceARN(arn)
}

// matchTagPath matches an ARN's path against a taggable kind's: "*"
// stands for one non-empty segment, whose value goes to ids.
func matchTagPath(pattern, path string) (ids []string, ok bool) {
	ps, segs := strings.Split(pattern, "/"), strings.Split(path, "/")
	if len(ps) != len(segs) {
		return nil, false
	}
	for i, p := range ps {
		switch {
		case p == "*" && segs[i] != "":
			ids = append(ids, segs[i])
		case p != segs[i]:
			return nil, false
		}
	}
	return ids, true
}

// notInRegion (also for another account's resource) is a tagger for an ARN of another region: the resource is
// looked up in an empty transaction's place, so the kind answers its own
// not-found error.
func notInRegion(t tagger) tagger {
	return func(ctx context.Context, tx store.Tx, ids []string) (map[string]string, func(map[string]string) error, error) {
		_, _, err := t(ctx, missingTx{}, ids)
		return nil, nil, err
	}
}

// missingTx is a transaction of an empty scope.
type missingTx struct{}

func (missingTx) Get(store.Kind, string) (store.Record, error) {
	return store.Record{}, store.ErrNotFound
}
func (missingTx) List(store.Kind, store.Ref, string, int) ([]store.Record, error) {
	return nil, nil
}
func (missingTx) Count(store.Kind, store.Ref) (int, error) { return 0, nil }
func (missingTx) Insert(store.Record) error                { return errors.New("read-only") }
func (missingTx) Replace(store.Record) error               { return errors.New("read-only") }
func (missingTx) Delete(store.Kind, string) error          { return errors.New("read-only") }
func (missingTx) Notify(string) error                      { return errors.New("read-only") }

func apiTagger(ctx context.Context, tx store.Tx, ids []string) (map[string]string, func(map[string]string) error, error) {
	api, err := loadAPI(ctx, tx, ids[0])
	if err != nil {
		return nil, nil, err
	}
	return api.Tags, func(tags map[string]string) error {
		api.Tags = tags
		return tx.Replace(store.Record{Kind: kindAPI, ID: *api.ApiId, Data: encode(api)})
	}, nil
}

func stageTagger(ctx context.Context, tx store.Tx, ids []string) (map[string]string, func(map[string]string) error, error) {
	st, err := loadStage(ctx, tx, ids[0], ids[1])
	if err != nil {
		return nil, nil, err
	}
	return st.Tags, func(tags map[string]string) error {
		st.Tags = tags
		return putStage(tx, ids[0], &st)
	}, nil
}

func portalTagger(_ context.Context, tx store.Tx, ids []string) (map[string]string, func(map[string]string) error, error) {
	doc, err := loadPortal(tx, ids[0])
	if err != nil {
		return nil, nil, err
	}
	if doc.Tags == nil {
		doc.Tags = map[string]string{}
	}
	return doc.Tags, func(tags map[string]string) error {
		doc.Tags = tags
		return putPortal(tx, &doc)
	}, nil
}

func portalProductTagger(_ context.Context, tx store.Tx, ids []string) (map[string]string, func(map[string]string) error, error) {
	p, err := loadPortalProduct(tx, ids[0])
	if err != nil {
		return nil, nil, err
	}
	return p.Tags, func(tags map[string]string) error {
		p.Tags = tags
		return putPortalProduct(tx, &p)
	}, nil
}

func vpcLinkTagger(_ context.Context, tx store.Tx, ids []string) (map[string]string, func(map[string]string) error, error) {
	link, err := loadVpcLink(tx, ids[0])
	if err != nil {
		return nil, nil, err
	}
	return link.Tags, func(tags map[string]string) error {
		link.Tags = tags
		return putVpcLink(tx, &link)
	}, nil
}

// domainNameTagger reads and writes the tags kept in a domain name's
// document (domainnames.go).
func domainNameTagger(_ context.Context, tx store.Tx, ids []string) (map[string]string, func(map[string]string) error, error) {
	tags, err := domainNameTags(tx, ids[0])
	if err != nil {
		return nil, nil, err
	}
	return tags, func(t map[string]string) error { return setDomainNameTags(tx, ids[0], t) }, nil
}
