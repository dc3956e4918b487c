package apigw

import (
	"context"
	"encoding/json"
	"errors"
	"strings"

	"github.com/portico-dev/portico/internal/awsproto"
	"github.com/portico-dev/portico/internal/store"
)

// Portal products (developer portals, 2025) belong to the account and
// region, like VPC links: top-level records of kind "portalproduct" whose
// id is the portalProductId (portals.go checks includedPortalProductArns
// against that kind). Their product pages and product REST endpoint pages
// (productpages.go) and their sharing policy are child records, so
// deleting a product deletes them all.
//
// ARNs carry the account, unlike the ARNs of APIs (IAM service
// authorization reference, resource type PortalProduct:
// arn:${Partition}:apigateway:${Region}:${Account}:/portalproducts/${PortalProductId};
// the developer guide's RAM examples,
// arn:aws:apigateway:us-west-2:111122223333:/portalproducts/p000000000).
//
// Ids are 10 characters of [a-z0-9]: the model allows 10 to 30, and the
// developer guide's example id (p000000000) has 10 [I].
//
// Sharing: AWS shares a product with other accounts through AWS RAM, which
// writes the product's sharing policy. Portico has no RAM and evaluates no
// IAM policy [I]: the sharing policy is stored and returned verbatim, a
// product is never visible to another account, and a read naming another
// account in resourceOwnerAccountId is 403 AccessDeniedException [I].
//
// Tags: portal products have tags (CreatePortalProduct, the summaries), but
// TagResource, UntagResource and GetTags do not reach them yet: tags.go
// parses only ARNs without an account field.

var _ interface {
	createPortalProductHandler
	getPortalProductHandler
	listPortalProductsHandler
	updatePortalProductHandler
	deletePortalProductHandler
	getPortalProductSharingPolicyHandler
	putPortalProductSharingPolicyHandler
	deletePortalProductSharingPolicyHandler
} = (*Server)(nil)

const (
	// kindPortalProduct: the name is shared with portals.go.
	kindPortalProduct store.Kind = "portalproduct"
	// kindPortalProductPolicy is a product's sharing policy: at most one,
	// the product's child, with the product's id.
	kindPortalProductPolicy store.Kind = "portalproductpolicy"

	portalProductIDLength = 10

	resourceOwnerSelf          = "SELF"
	resourceOwnerOtherAccounts = "OTHER_ACCOUNTS"
)

// portalProduct is the stored document: the members of GetPortalProduct's
// answer, so that whoever reads the record sees the model's shape.
type portalProduct = GetPortalProductResponse

// sharingPolicy is the stored document of a sharing policy.
type sharingPolicy struct {
	PolicyDocument string `json:"policyDocument"`
}

func portalProductRef(id string) store.Ref { return store.Ref{Kind: kindPortalProduct, ID: id} }

// portalProductARN [D] (IAM service authorization reference).
func portalProductARN(who awsproto.Identity, id string) string {
	return "arn:" + partition(who.Region) + ":apigateway:" + who.Region + ":" + who.Account + ":/portalproducts/" + id
}

func (s *Server) CreatePortalProduct(ctx context.Context, in *CreatePortalProductRequest) (*CreatePortalProductResponse, error) {
	who := awsproto.IdentityFrom(ctx)
	p := portalProduct{
		DisplayName: in.DisplayName,
		// PortalProductSummary requires description: a product created
		// without one has "" [I].
		Description:  ptr(deref(in.Description)),
		Tags:         in.Tags,
		LastModified: awsproto.Now(),
	}
	if p.Tags == nil {
		p.Tags = map[string]string{}
	}
	if err := validateTags(p.Tags); err != nil {
		return nil, err
	}
	err := s.update(ctx, func(tx store.Tx) error {
		return insertNew(tx, kindPortalProduct, store.Ref{}, "", portalProductIDLength, func(id string) any {
			p.PortalProductId = &id
			p.PortalProductArn = ptr(portalProductARN(who, id))
			return p
		})
	})
	if err != nil {
		return nil, err
	}
	out := CreatePortalProductResponse(p)
	return &out, nil
}

func (s *Server) GetPortalProduct(ctx context.Context, in *GetPortalProductRequest) (*GetPortalProductResponse, error) {
	if err := checkResourceOwnerAccount(ctx, in.ResourceOwnerAccountId); err != nil {
		return nil, err
	}
	var p portalProduct
	err := s.view(ctx, func(tx store.Tx) error {
		var err error
		p, err = loadPortalProduct(tx, *in.PortalProductId)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// ListPortalProducts lists the caller's own products (resourceOwner SELF,
// the default [I]); OTHER_ACCOUNTS, the products shared with the caller,
// is always empty, since nothing is shared in Portico [I].
func (s *Server) ListPortalProducts(ctx context.Context, in *ListPortalProductsRequest) (*ListPortalProductsResponse, error) {
	owner := resourceOwnerSelf
	if in.ResourceOwner != nil {
		owner = *in.ResourceOwner
	}
	if owner != resourceOwnerSelf && owner != resourceOwnerOtherAccounts {
		return nil, invalidResourceOwner(owner)
	}
	p, err := parsePage(in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	out := &ListPortalProductsResponse{Items: []PortalProductSummary{}}
	if owner == resourceOwnerOtherAccounts {
		return out, nil
	}
	err = s.view(ctx, func(tx store.Tx) error {
		out.Items, out.NextToken, err = listPage[PortalProductSummary](tx, kindPortalProduct, store.Ref{}, p)
		return err
	})
	if err != nil {
		return nil, err
	}
	for i := range out.Items {
		if out.Items[i].Tags == nil {
			out.Items[i].Tags = map[string]string{}
		}
	}
	return out, nil
}

// UpdatePortalProduct changes the members given (PATCH). A displayOrder
// given replaces the whole display order; one with no member clears it
// [I]. Every ARN in it must name a page of this product of the right kind
// (product pages for overviewPageArn and productPageArns, product REST
// endpoint pages in the sections), once [I]. lastModified moves when a
// member is given [I].
func (s *Server) UpdatePortalProduct(ctx context.Context, in *UpdatePortalProductRequest) (*UpdatePortalProductResponse, error) {
	var p portalProduct
	err := s.update(ctx, func(tx store.Tx) error {
		var err error
		if p, err = loadPortalProduct(tx, *in.PortalProductId); err != nil {
			return err
		}
		if in.DisplayName == nil && in.Description == nil && in.DisplayOrder == nil {
			return nil
		}
		if in.DisplayName != nil {
			p.DisplayName = in.DisplayName
		}
		if in.Description != nil {
			p.Description = in.Description
		}
		if in.DisplayOrder != nil {
			if err := checkDisplayOrder(tx, *in.PortalProductId, in.DisplayOrder); err != nil {
				return err
			}
			p.DisplayOrder = normalizeDisplayOrder(in.DisplayOrder)
		}
		p.LastModified = awsproto.Now()
		return putPortalProduct(tx, &p)
	})
	if err != nil {
		return nil, err
	}
	out := UpdatePortalProductResponse(p)
	return &out, nil
}

// DeletePortalProduct deletes the product with its pages and sharing
// policy (store cascade). A product a portal includes is deleted all the
// same [I]: the portal's includedPortalProductArns is the portal's business.
func (s *Server) DeletePortalProduct(ctx context.Context, in *DeletePortalProductRequest) error {
	return s.update(ctx, func(tx store.Tx) error {
		err := tx.Delete(kindPortalProduct, *in.PortalProductId)
		if errors.Is(err, store.ErrNotFound) {
			return portalProductNotFound(*in.PortalProductId)
		}
		return err
	})
}

func (s *Server) GetPortalProductSharingPolicy(ctx context.Context, in *GetPortalProductSharingPolicyRequest) (*GetPortalProductSharingPolicyResponse, error) {
	var pol sharingPolicy
	err := s.view(ctx, func(tx store.Tx) error {
		if _, err := loadPortalProduct(tx, *in.PortalProductId); err != nil {
			return err
		}
		_, err := get(tx, kindPortalProductPolicy, *in.PortalProductId, &pol)
		if errors.Is(err, store.ErrNotFound) {
			return sharingPolicyNotFound(*in.PortalProductId)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return &GetPortalProductSharingPolicyResponse{PolicyDocument: &pol.PolicyDocument, PortalProductId: in.PortalProductId}, nil
}

// PutPortalProductSharingPolicy stores the policy verbatim (it must be a
// JSON object [I]; it is not evaluated [I]) and answers {}.
func (s *Server) PutPortalProductSharingPolicy(ctx context.Context, in *PutPortalProductSharingPolicyRequest) (*PutPortalProductSharingPolicyResponse, error) {
	var doc map[string]any
	if err := json.Unmarshal([]byte(*in.PolicyDocument), &doc); err != nil || doc == nil {
		return nil, invalidPolicyDocument
	}
	err := s.update(ctx, func(tx store.Tx) error {
		if _, err := loadPortalProduct(tx, *in.PortalProductId); err != nil {
			return err
		}
		rec := store.Record{Kind: kindPortalProductPolicy, ID: *in.PortalProductId, Parent: portalProductRef(*in.PortalProductId),
			Data: encode(sharingPolicy{PolicyDocument: *in.PolicyDocument})}
		err := tx.Replace(rec)
		if errors.Is(err, store.ErrNotFound) {
			err = tx.Insert(rec)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return &PutPortalProductSharingPolicyResponse{}, nil
}

func (s *Server) DeletePortalProductSharingPolicy(ctx context.Context, in *DeletePortalProductSharingPolicyRequest) error {
	return s.update(ctx, func(tx store.Tx) error {
		if _, err := loadPortalProduct(tx, *in.PortalProductId); err != nil {
			return err
		}
		err := tx.Delete(kindPortalProductPolicy, *in.PortalProductId)
		if errors.Is(err, store.ErrNotFound) {
			return sharingPolicyNotFound(*in.PortalProductId)
		}
		return err
	})
}

// loadPortalProduct reads a product or answers the not-found error.
func loadPortalProduct(tx store.Tx, id string) (portalProduct, error) {
	var p portalProduct
	_, err := get(tx, kindPortalProduct, id, &p)
	if errors.Is(err, store.ErrNotFound) {
		return p, portalProductNotFound(id)
	}
	if p.Tags == nil {
		p.Tags = map[string]string{}
	}
	return p, err
}

func putPortalProduct(tx store.Tx, p *portalProduct) error {
	return tx.Replace(store.Record{Kind: kindPortalProduct, ID: *p.PortalProductId, Data: encode(p)})
}

// checkResourceOwnerAccount: resourceOwnerAccountId, when given, is a
// 12-digit account id [I]; the caller's own account reads as if it were
// absent; another account's products are not shared with the caller (see
// the top of this file) [I].
func checkResourceOwnerAccount(ctx context.Context, owner *string) error {
	if owner == nil {
		return nil
	}
	if len(*owner) != 12 || strings.Trim(*owner, "0123456789") != "" {
		return invalidResourceOwnerAccountID(*owner)
	}
	if account := awsproto.IdentityFrom(ctx).Account; *owner != account {
		return notSharedWithCaller(*owner, account)
	}
	return nil
}

// checkDisplayOrder checks that every ARN of a display order names a page
// of the product, of the kind its member holds, and appears once.
func checkDisplayOrder(tx store.Tx, productID string, d *DisplayOrder) error {
	seen := map[string]bool{}
	once := func(arn string) error {
		if seen[arn] {
			return duplicateDisplayOrderARN(arn)
		}
		seen[arn] = true
		return nil
	}
	if d.OverviewPageArn != nil {
		if !isPageOf(tx, kindProductPage, productID, *d.OverviewPageArn) {
			return notAProductPage("displayOrder.overviewPageArn", *d.OverviewPageArn, productID)
		}
	}
	for _, arn := range d.ProductPageArns {
		if !isPageOf(tx, kindProductPage, productID, arn) {
			return notAProductPage("displayOrder.productPageArns", arn, productID)
		}
		if err := once(arn); err != nil {
			return err
		}
	}
	for _, sec := range d.Contents {
		for _, arn := range sec.ProductRestEndpointPageArns {
			if !isPageOf(tx, kindProductRestEndpointPage, productID, arn) {
				return notAProductRestEndpointPage("displayOrder.contents.productRestEndpointPageArns", arn, productID)
			}
			if err := once(arn); err != nil {
				return err
			}
		}
	}
	return nil
}

// isPageOf reports whether arn is the ARN of an existing page of kind under
// the product. The ARN is compared whole with the one stored in the page,
// so an ARN of another account, region or product does not match.
func isPageOf(tx store.Tx, kind store.Kind, productID, arn string) bool {
	i := strings.LastIndexByte(arn, '/')
	if i < 0 {
		return false
	}
	rec, err := getChild(tx, kind, arn[i+1:], portalProductRef(productID))
	if err != nil {
		return false
	}
	var page struct {
		ProductPageArn             string `json:"productPageArn"`
		ProductRestEndpointPageArn string `json:"productRestEndpointPageArn"`
	}
	if decode(rec, &page) != nil {
		return false
	}
	return arn == page.ProductPageArn+page.ProductRestEndpointPageArn
}

// normalizeDisplayOrder stores a display order with no member as none:
// AWS omits members that hold nothing
// (docs/aws-behaviours.md#omitted-members) [I].
func normalizeDisplayOrder(d *DisplayOrder) *DisplayOrder {
	if d.OverviewPageArn == nil && len(d.ProductPageArns) == 0 && len(d.Contents) == 0 {
		return nil
	}
	out := &DisplayOrder{
		Contents:        nilIfEmpty(d.Contents),
		OverviewPageArn: d.OverviewPageArn,
		ProductPageArns: nilIfEmpty(d.ProductPageArns),
	}
	for i := range out.Contents {
		// A section's productRestEndpointPageArns is required: an empty
		// one stays [] on the wire.
		if out.Contents[i].ProductRestEndpointPageArns == nil {
			out.Contents[i].ProductRestEndpointPageArns = []string{}
		}
	}
	return out
}

// dropFromDisplayOrder removes a deleted page's ARN from its product's
// display order [I: AWS may refuse the delete instead; no source says].
func dropFromDisplayOrder(tx store.Tx, productID, arn string) error {
	p, err := loadPortalProduct(tx, productID)
	if err != nil || p.DisplayOrder == nil {
		return err
	}
	d := *p.DisplayOrder
	changed := false
	if deref(d.OverviewPageArn) == arn {
		d.OverviewPageArn, changed = nil, true
	}
	keep := func(arns []string) []string {
		out := make([]string, 0, len(arns))
		for _, a := range arns {
			if a == arn {
				changed = true
				continue
			}
			out = append(out, a)
		}
		return out
	}
	d.ProductPageArns = keep(d.ProductPageArns)
	contents := make([]Section, len(d.Contents))
	for i, sec := range d.Contents {
		contents[i] = Section{SectionName: sec.SectionName, ProductRestEndpointPageArns: keep(sec.ProductRestEndpointPageArns)}
	}
	d.Contents = contents
	if !changed {
		return nil
	}
	p.DisplayOrder = normalizeDisplayOrder(&d)
	return putPortalProduct(tx, &p)
}
