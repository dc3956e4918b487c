package apigw

import (
	"context"
	"errors"
	"strings"

	"github.com/portico-dev/portico/internal/awsproto"
	"github.com/portico-dev/portico/internal/store"
)

// Product pages (free documentation) and product REST endpoint pages (the
// reference page of one REST API method) are children of their portal
// product (portalproducts.go): records of their own kinds under the
// product's record, so DeletePortalProduct deletes them. Their ids are 10
// characters of [a-z0-9] like the product's [I] (model: 10 to 30), and
// their ARNs extend the product's (IAM service authorization reference:
// .../portalproducts/{id}/productpages/{pageId} and
// .../portalproducts/{id}/productrestendpointpages/{pageId}).
//
// REST APIs (API Gateway V1) do not exist in Portico: a REST endpoint
// page's restEndpointIdentifier is accepted as given [I] (AWS checks the
// method of the deployed stage and generates the page from the REST API's
// documentation). So the generated content is only the default endpoint,
// https://{restApiId}.execute-api.{region}.amazonaws.com/{stage} [I], with
// no body and no operation name until overrides set them. AWS generates
// the page asynchronously (status IN_PROGRESS, then AVAILABLE or FAILED);
// Portico answers the create with IN_PROGRESS, as AWS does, and stores the
// page AVAILABLE, so every read after the create sees it ready [I] (the
// VPC link pattern, vpclinks.go).

var _ interface {
	createProductPageHandler
	getProductPageHandler
	listProductPagesHandler
	updateProductPageHandler
	deleteProductPageHandler
	createProductRestEndpointPageHandler
	getProductRestEndpointPageHandler
	listProductRestEndpointPagesHandler
	updateProductRestEndpointPageHandler
	deleteProductRestEndpointPageHandler
} = (*Server)(nil)

const (
	kindProductPage             store.Kind = "productpage"
	kindProductRestEndpointPage store.Kind = "productrestendpointpage"

	productPageIDLength = 10

	pageStatusAvailable  = "AVAILABLE"
	pageStatusInProgress = "IN_PROGRESS"

	// tryItDisabled is the default tryItState [I]: the developer guide
	// has a page on enabling it.
	tryItDisabled = "DISABLED"
)

// productPage is the stored document of a product page: GetProductPage's
// answer.
type productPage = GetProductPageResponse

// restEndpointPage is the stored document of a product REST endpoint page.
// DisplayContent is what the caller chose (none or overrides), from which
// each answer's displayContent is made.
type restEndpointPage struct {
	DisplayContent             *EndpointDisplayContent `json:"displayContent,omitzero"`
	LastModified               *awsproto.Time          `json:"lastModified,omitzero"`
	ProductRestEndpointPageArn *string                 `json:"productRestEndpointPageArn,omitzero"`
	ProductRestEndpointPageId  *string                 `json:"productRestEndpointPageId,omitzero"`
	RestEndpointIdentifier     *RestEndpointIdentifier `json:"restEndpointIdentifier,omitzero"`
	Status                     *string                 `json:"status,omitzero"`
	StatusException            *StatusException        `json:"statusException,omitzero"`
	TryItState                 *string                 `json:"tryItState,omitzero"`
}

// Product pages.

func (s *Server) CreateProductPage(ctx context.Context, in *CreateProductPageRequest) (*CreateProductPageResponse, error) {
	who := awsproto.IdentityFrom(ctx)
	page := productPage{DisplayContent: in.DisplayContent, LastModified: awsproto.Now()}
	err := s.update(ctx, func(tx store.Tx) error {
		if _, err := loadPortalProduct(tx, *in.PortalProductId); err != nil {
			return err
		}
		return insertNew(tx, kindProductPage, portalProductRef(*in.PortalProductId), "", productPageIDLength, func(id string) any {
			page.ProductPageId = &id
			page.ProductPageArn = ptr(portalProductARN(who, *in.PortalProductId) + "/productpages/" + id)
			return page
		})
	})
	if err != nil {
		return nil, err
	}
	out := CreateProductPageResponse(page)
	return &out, nil
}

func (s *Server) GetProductPage(ctx context.Context, in *GetProductPageRequest) (*GetProductPageResponse, error) {
	if err := checkResourceOwnerAccount(ctx, in.ResourceOwnerAccountId); err != nil {
		return nil, err
	}
	var page productPage
	err := s.view(ctx, func(tx store.Tx) error {
		var err error
		page, err = loadProductPage(tx, *in.PortalProductId, *in.ProductPageId)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &page, nil
}

// ListProductPages answers summaries without the body: pageTitle is the
// page's displayContent.title.
func (s *Server) ListProductPages(ctx context.Context, in *ListProductPagesRequest) (*ListProductPagesResponse, error) {
	if err := checkResourceOwnerAccount(ctx, in.ResourceOwnerAccountId); err != nil {
		return nil, err
	}
	p, err := parsePage(in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	out := &ListProductPagesResponse{}
	err = s.view(ctx, func(tx store.Tx) error {
		if _, err := loadPortalProduct(tx, *in.PortalProductId); err != nil {
			return err
		}
		pages, next, err := listPage[productPage](tx, kindProductPage, portalProductRef(*in.PortalProductId), p)
		if err != nil {
			return err
		}
		out.NextToken = next
		out.Items = make([]ProductPageSummaryNoBody, len(pages))
		for i, pg := range pages {
			out.Items[i] = ProductPageSummaryNoBody{LastModified: pg.LastModified, ProductPageArn: pg.ProductPageArn,
				ProductPageId: pg.ProductPageId}
			if pg.DisplayContent != nil {
				out.Items[i].PageTitle = pg.DisplayContent.Title
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// UpdateProductPage replaces the displayContent (title and body are both
// required in it); without one nothing changes, lastModified included [I].
func (s *Server) UpdateProductPage(ctx context.Context, in *UpdateProductPageRequest) (*UpdateProductPageResponse, error) {
	var page productPage
	err := s.update(ctx, func(tx store.Tx) error {
		var err error
		if page, err = loadProductPage(tx, *in.PortalProductId, *in.ProductPageId); err != nil {
			return err
		}
		if in.DisplayContent == nil {
			return nil
		}
		page.DisplayContent = in.DisplayContent
		page.LastModified = awsproto.Now()
		return tx.Replace(store.Record{Kind: kindProductPage, ID: *page.ProductPageId,
			Parent: portalProductRef(*in.PortalProductId), Data: encode(page)})
	})
	if err != nil {
		return nil, err
	}
	out := UpdateProductPageResponse(page)
	return &out, nil
}

// DeleteProductPage deletes the page and takes it out of its product's
// display order.
func (s *Server) DeleteProductPage(ctx context.Context, in *DeleteProductPageRequest) error {
	return s.update(ctx, func(tx store.Tx) error {
		page, err := loadProductPage(tx, *in.PortalProductId, *in.ProductPageId)
		if err != nil {
			return err
		}
		if err := tx.Delete(kindProductPage, *in.ProductPageId); err != nil {
			return err
		}
		return dropFromDisplayOrder(tx, *in.PortalProductId, deref(page.ProductPageArn))
	})
}

// loadProductPage reads a page of the product: a missing product is the
// product's 404, a page of another product the page's.
func loadProductPage(tx store.Tx, productID, pageID string) (productPage, error) {
	var page productPage
	if _, err := loadPortalProduct(tx, productID); err != nil {
		return page, err
	}
	err := getChildInto(tx, kindProductPage, pageID, portalProductRef(productID), &page)
	if errors.Is(err, store.ErrNotFound) {
		return productPage{}, productPageNotFound(pageID)
	}
	return page, err
}

// Product REST endpoint pages.

func (s *Server) CreateProductRestEndpointPage(ctx context.Context, in *CreateProductRestEndpointPageRequest) (*CreateProductRestEndpointPageResponse, error) {
	who := awsproto.IdentityFrom(ctx)
	parts := in.RestEndpointIdentifier.IdentifierParts
	if parts == nil {
		// The model leaves identifierParts optional, but a page must say
		// which endpoint it documents [I].
		return nil, awsproto.Required("restEndpointIdentifier.identifierParts")
	}
	display, err := checkEndpointDisplayContent(in.DisplayContent)
	if err != nil {
		return nil, err
	}
	page := restEndpointPage{
		DisplayContent:         display,
		LastModified:           awsproto.Now(),
		RestEndpointIdentifier: &RestEndpointIdentifier{IdentifierParts: parts},
		Status:                 ptr(pageStatusAvailable),
		TryItState:             ptr(tryItDisabled),
	}
	if in.TryItState != nil {
		page.TryItState = in.TryItState
	}
	err = s.update(ctx, func(tx store.Tx) error {
		if _, err := loadPortalProduct(tx, *in.PortalProductId); err != nil {
			return err
		}
		err := insertNew(tx, kindProductRestEndpointPage, portalProductRef(*in.PortalProductId), endpointKey(parts), productPageIDLength, func(id string) any {
			page.ProductRestEndpointPageId = &id
			page.ProductRestEndpointPageArn = ptr(portalProductARN(who, *in.PortalProductId) + "/productrestendpointpages/" + id)
			return page
		})
		if errors.Is(err, store.ErrConflict) {
			return restEndpointPageExists(*in.PortalProductId, parts)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	out := CreateProductRestEndpointPageResponse(*page.answer(who.Region))
	out.Status = ptr(pageStatusInProgress)
	return &out, nil
}

// GetProductRestEndpointPage adds rawDisplayContent when
// includeRawDisplayContent is true (true or false, any case [I]): the
// page's body as the caller wrote it, before any rendering [I]; a page
// without a body has none.
func (s *Server) GetProductRestEndpointPage(ctx context.Context, in *GetProductRestEndpointPageRequest) (*GetProductRestEndpointPageResponse, error) {
	if err := checkResourceOwnerAccount(ctx, in.ResourceOwnerAccountId); err != nil {
		return nil, err
	}
	raw := false
	if in.IncludeRawDisplayContent != nil {
		switch strings.ToLower(*in.IncludeRawDisplayContent) {
		case "true":
			raw = true
		case "false":
		default:
			return nil, invalidIncludeRawDisplayContent(*in.IncludeRawDisplayContent)
		}
	}
	var page restEndpointPage
	err := s.view(ctx, func(tx store.Tx) error {
		var err error
		page, err = loadRestEndpointPage(tx, *in.PortalProductId, *in.ProductRestEndpointPageId)
		return err
	})
	if err != nil {
		return nil, err
	}
	a := page.answer(awsproto.IdentityFrom(ctx).Region)
	out := &GetProductRestEndpointPageResponse{
		DisplayContent:             a.DisplayContent,
		LastModified:               a.LastModified,
		ProductRestEndpointPageArn: a.ProductRestEndpointPageArn,
		ProductRestEndpointPageId:  a.ProductRestEndpointPageId,
		RestEndpointIdentifier:     a.RestEndpointIdentifier,
		Status:                     a.Status,
		StatusException:            a.StatusException,
		TryItState:                 a.TryItState,
	}
	if raw {
		out.RawDisplayContent = a.DisplayContent.Body
	}
	return out, nil
}

func (s *Server) ListProductRestEndpointPages(ctx context.Context, in *ListProductRestEndpointPagesRequest) (*ListProductRestEndpointPagesResponse, error) {
	if err := checkResourceOwnerAccount(ctx, in.ResourceOwnerAccountId); err != nil {
		return nil, err
	}
	p, err := parsePage(in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	region := awsproto.IdentityFrom(ctx).Region
	out := &ListProductRestEndpointPagesResponse{}
	err = s.view(ctx, func(tx store.Tx) error {
		if _, err := loadPortalProduct(tx, *in.PortalProductId); err != nil {
			return err
		}
		pages, next, err := listPage[restEndpointPage](tx, kindProductRestEndpointPage, portalProductRef(*in.PortalProductId), p)
		if err != nil {
			return err
		}
		out.NextToken = next
		out.Items = make([]ProductRestEndpointPageSummaryNoBody, len(pages))
		for i, pg := range pages {
			a := pg.answer(region)
			out.Items[i] = ProductRestEndpointPageSummaryNoBody{
				Endpoint:                   a.DisplayContent.Endpoint,
				LastModified:               a.LastModified,
				OperationName:              a.DisplayContent.OperationName,
				ProductRestEndpointPageArn: a.ProductRestEndpointPageArn,
				ProductRestEndpointPageId:  a.ProductRestEndpointPageId,
				RestEndpointIdentifier:     a.RestEndpointIdentifier,
				Status:                     a.Status,
				StatusException:            a.StatusException,
				TryItState:                 a.TryItState,
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// UpdateProductRestEndpointPage changes the members given: a displayContent
// replaces the stored choice whole (none drops every override) [I]; the
// endpoint identifier cannot change (the model has no member for it).
func (s *Server) UpdateProductRestEndpointPage(ctx context.Context, in *UpdateProductRestEndpointPageRequest) (*UpdateProductRestEndpointPageResponse, error) {
	var display *EndpointDisplayContent
	if in.DisplayContent != nil {
		var err error
		if display, err = checkEndpointDisplayContent(in.DisplayContent); err != nil {
			return nil, err
		}
	}
	var page restEndpointPage
	err := s.update(ctx, func(tx store.Tx) error {
		var err error
		if page, err = loadRestEndpointPage(tx, *in.PortalProductId, *in.ProductRestEndpointPageId); err != nil {
			return err
		}
		if in.DisplayContent == nil && in.TryItState == nil {
			return nil
		}
		if in.DisplayContent != nil {
			page.DisplayContent = display
		}
		if in.TryItState != nil {
			page.TryItState = in.TryItState
		}
		page.LastModified = awsproto.Now()
		return tx.Replace(store.Record{Kind: kindProductRestEndpointPage, ID: *page.ProductRestEndpointPageId,
			Parent: portalProductRef(*in.PortalProductId), Key: endpointKey(page.RestEndpointIdentifier.IdentifierParts),
			Data: encode(page)})
	})
	if err != nil {
		return nil, err
	}
	return page.answer(awsproto.IdentityFrom(ctx).Region), nil
}

// DeleteProductRestEndpointPage deletes the page and takes it out of its
// product's display order.
func (s *Server) DeleteProductRestEndpointPage(ctx context.Context, in *DeleteProductRestEndpointPageRequest) error {
	return s.update(ctx, func(tx store.Tx) error {
		page, err := loadRestEndpointPage(tx, *in.PortalProductId, *in.ProductRestEndpointPageId)
		if err != nil {
			return err
		}
		if err := tx.Delete(kindProductRestEndpointPage, *in.ProductRestEndpointPageId); err != nil {
			return err
		}
		return dropFromDisplayOrder(tx, *in.PortalProductId, deref(page.ProductRestEndpointPageArn))
	})
}

func loadRestEndpointPage(tx store.Tx, productID, pageID string) (restEndpointPage, error) {
	var page restEndpointPage
	if _, err := loadPortalProduct(tx, productID); err != nil {
		return page, err
	}
	err := getChildInto(tx, kindProductRestEndpointPage, pageID, portalProductRef(productID), &page)
	if errors.Is(err, store.ErrNotFound) {
		return restEndpointPage{}, productRestEndpointPageNotFound(pageID)
	}
	return page, err
}

// checkEndpointDisplayContent: displayContent is a choice of none or
// overrides, exactly one [I: the model does not say; AWS's newer API
// portal service makes the same member a union]. Absent is none. Stored
// as given; overrides with no member are none [I].
func checkEndpointDisplayContent(d *EndpointDisplayContent) (*EndpointDisplayContent, error) {
	if d == nil {
		return &EndpointDisplayContent{None: &None{}}, nil
	}
	if (d.None == nil) == (d.Overrides == nil) {
		return nil, endpointDisplayContentChoice
	}
	if o := d.Overrides; o != nil && (o.Body != nil || o.Endpoint != nil || o.OperationName != nil) {
		return &EndpointDisplayContent{Overrides: o}, nil
	}
	return &EndpointDisplayContent{None: &None{}}, nil
}

// endpointKey makes the REST endpoint unique within its product. The
// parts are joined with a byte that none of them is expected to hold; a
// part holding it only makes the key stricter than it needs to be.
func endpointKey(p *IdentifierParts) string {
	return strings.Join([]string{deref(p.RestApiId), deref(p.Stage), deref(p.Method), deref(p.Path)}, "\x00")
}

// answer is the page as the operations return it: the generated content
// (the default endpoint) under the overrides.
func (p restEndpointPage) answer(region string) *UpdateProductRestEndpointPageResponse {
	parts := p.RestEndpointIdentifier.IdentifierParts
	display := &EndpointDisplayContentResponse{
		Endpoint: ptr("https://" + deref(parts.RestApiId) + ".execute-api." + region + "." + dnsSuffix(region) + "/" + deref(parts.Stage)),
	}
	if p.DisplayContent != nil && p.DisplayContent.Overrides != nil {
		o := p.DisplayContent.Overrides
		if o.Endpoint != nil {
			display.Endpoint = o.Endpoint
		}
		display.Body = o.Body
		display.OperationName = o.OperationName
	}
	return &UpdateProductRestEndpointPageResponse{
		DisplayContent:             display,
		LastModified:               p.LastModified,
		ProductRestEndpointPageArn: p.ProductRestEndpointPageArn,
		ProductRestEndpointPageId:  p.ProductRestEndpointPageId,
		RestEndpointIdentifier:     p.RestEndpointIdentifier,
		Status:                     p.Status,
		StatusException:            p.StatusException,
		TryItState:                 p.TryItState,
	}
}
