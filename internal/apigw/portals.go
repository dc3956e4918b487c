package apigw

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"strings"

	"github.com/portico-dev/portico/internal/awsproto"
	"github.com/portico-dev/portico/internal/store"
)

// Developer portals (2025) belong to the account and region, like VPC links:
// top-level records. AWS publishes, disables and previews a portal in the
// background (minutes, with PUBLISH_IN_PROGRESS, DISABLE_IN_PROGRESS and
// PREVIEW_IN_PROGRESS in between); Portico has nothing to build, so each of
// these operations leaves the portal in its final state at once [I]:
// PublishPortal → PUBLISHED, DisablePortal → DISABLED, PreviewPortal →
// preview PREVIEW_READY. The *_IN_PROGRESS and *_FAILED values, and
// statusException, never occur.
//
// What AWS documents (developer guide, "API Gateway portals"):
//   - a new portal's publish status is Disabled;
//   - it is reachable at https://p-{portalId}.apigw-portal.{region}.on.aws
//     once published, or at a custom domain name whose ACM certificate is
//     in us-east-1, served by CloudFront;
//   - a portal must be disabled before it is deleted;
//   - changes (content, products, logo) take effect on the next publish, so
//     an update does not change the publish status.
//
// ARN [D]: arn:{partition}:apigateway:{region}:{accountId}:/portals/{id},
// with the account field (Service Authorization Reference, resource type
// Portal), unlike the ARNs of APIs, stages and VPC links.

var _ interface {
	createPortalHandler
	getPortalHandler
	listPortalsHandler
	updatePortalHandler
	deletePortalHandler
	publishPortalHandler
	previewPortalHandler
	disablePortalHandler
} = (*Server)(nil)

const (
	kindPortal store.Kind = "portal"

	publishPublished = "PUBLISHED"
	publishDisabled  = "DISABLED"
	previewReady     = "PREVIEW_READY"

	// cloudFrontHostedZoneID is the hosted zone of every CloudFront
	// distribution (CloudFront and Route 53 documentation, alias
	// records). Portals are served by CloudFront, so an alias record
	// for a portal's domain points there [I].
	cloudFrontHostedZoneID = "Z2FDTNDATAQYW2"
)

// portalDoc is a stored portal: the members AWS returns, and the logo URI,
// which it accepts but returns only as theme.logoLastUploaded.
type portalDoc struct {
	PortalSummary
	LogoUri *string `json:"logoUri,omitzero"`
}

// summary is the portal as every read returns it: tags {} and
// includedPortalProductArns [] when there are none (PortalSummary requires
// the latter; tags follow the other resources of Portico [I]).
func (d portalDoc) summary() PortalSummary {
	p := d.PortalSummary
	if p.Tags == nil {
		p.Tags = map[string]string{}
	}
	if p.IncludedPortalProductArns == nil {
		p.IncludedPortalProductArns = []string{}
	}
	return p
}

func (s *Server) CreatePortal(ctx context.Context, in *CreatePortalRequest) (*CreatePortalResponse, error) {
	id := awsproto.IdentityFrom(ctx)
	if err := checkPortalAuthorization(in.Authorization, id.Region); err != nil {
		return nil, err
	}
	if err := checkPortalEndpoint(in.EndpointConfiguration); err != nil {
		return nil, err
	}
	if err := checkLogoURI(in.LogoUri); err != nil {
		return nil, err
	}
	products, err := parseIncludedProducts(in.IncludedPortalProductArns, id)
	if err != nil {
		return nil, err
	}
	if err := validateTags(in.Tags); err != nil {
		return nil, err
	}
	now := awsproto.Now()
	doc := portalDoc{PortalSummary: PortalSummary{
		Authorization:             in.Authorization,
		IncludedPortalProductArns: slices.Clone(in.IncludedPortalProductArns),
		LastModified:              now,
		PortalContent:             portalContent(in.PortalContent, nil),
		PublishStatus:             ptr(publishDisabled),
		RumAppMonitorName:         emptyToNil(in.RumAppMonitorName),
		Tags:                      in.Tags,
	}}
	setLogo(&doc, in.LogoUri, now)
	err = s.update(ctx, func(tx store.Tx) error {
		if err := checkProductsExist(tx, products); err != nil {
			return err
		}
		if err := checkPortalDomainFree(tx, "", in.EndpointConfiguration, false); err != nil {
			return err
		}
		return insertNew(tx, kindPortal, store.Ref{}, portalDomainKey(in.EndpointConfiguration), 10, func(pid string) any {
			doc.PortalId = &pid
			doc.PortalArn = ptr(portalARN(id, pid))
			doc.EndpointConfiguration = portalEndpoint(pid, id.Region, in.EndpointConfiguration)
			return doc
		})
	})
	if err != nil {
		return nil, err
	}
	p := doc.summary()
	return &CreatePortalResponse{
		Authorization:             p.Authorization,
		EndpointConfiguration:     p.EndpointConfiguration,
		IncludedPortalProductArns: p.IncludedPortalProductArns,
		LastModified:              p.LastModified,
		LastPublished:             p.LastPublished,
		LastPublishedDescription:  p.LastPublishedDescription,
		PortalArn:                 p.PortalArn,
		PortalContent:             p.PortalContent,
		PortalId:                  p.PortalId,
		PublishStatus:             p.PublishStatus,
		RumAppMonitorName:         p.RumAppMonitorName,
		StatusException:           p.StatusException,
		Tags:                      p.Tags,
	}, nil
}

func (s *Server) GetPortal(ctx context.Context, in *GetPortalRequest) (*GetPortalResponse, error) {
	var doc portalDoc
	err := s.view(ctx, func(tx store.Tx) error {
		var err error
		doc, err = loadPortal(tx, *in.PortalId)
		return err
	})
	if err != nil {
		return nil, err
	}
	out := GetPortalResponse(doc.summary())
	return &out, nil
}

func (s *Server) ListPortals(ctx context.Context, in *ListPortalsRequest) (*ListPortalsResponse, error) {
	p, err := parsePage(in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	out := &ListPortalsResponse{}
	err = s.view(ctx, func(tx store.Tx) error {
		docs, next, err := listPage[portalDoc](tx, kindPortal, store.Ref{}, p)
		if err != nil {
			return err
		}
		out.Items = make([]PortalSummary, len(docs))
		for i, d := range docs {
			out.Items[i] = d.summary()
		}
		out.NextToken = next
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// UpdatePortal replaces the members given: portalContent as a whole (the
// model requires displayName and theme in it), authorization,
// endpointConfiguration, includedPortalProductArns ([] removes every
// product), logoUri ("" removes the logo) and rumAppMonitorName ("" removes
// it) [I]. The publish status does not change: a published portal shows
// the changes once published again (developer guide, "Update a portal").
func (s *Server) UpdatePortal(ctx context.Context, in *UpdatePortalRequest) (*UpdatePortalResponse, error) {
	id := awsproto.IdentityFrom(ctx)
	if in.Authorization != nil {
		if err := checkPortalAuthorization(in.Authorization, id.Region); err != nil {
			return nil, err
		}
	}
	if in.EndpointConfiguration != nil {
		if err := checkPortalEndpoint(in.EndpointConfiguration); err != nil {
			return nil, err
		}
	}
	if err := checkLogoURI(in.LogoUri); err != nil {
		return nil, err
	}
	products, err := parseIncludedProducts(in.IncludedPortalProductArns, id)
	if err != nil {
		return nil, err
	}
	var doc portalDoc
	err = s.update(ctx, func(tx store.Tx) error {
		var err error
		if doc, err = loadPortal(tx, *in.PortalId); err != nil {
			return err
		}
		now := awsproto.Now()
		if in.Authorization != nil {
			doc.Authorization = in.Authorization
		}
		if in.EndpointConfiguration != nil {
			if err := checkPortalDomainFree(tx, *in.PortalId, in.EndpointConfiguration, true); err != nil {
				return err
			}
			doc.EndpointConfiguration = portalEndpoint(*in.PortalId, id.Region, in.EndpointConfiguration)
		}
		if in.IncludedPortalProductArns != nil {
			if err := checkProductsExist(tx, products); err != nil {
				return err
			}
			doc.IncludedPortalProductArns = slices.Clone(in.IncludedPortalProductArns)
		}
		if in.PortalContent != nil {
			doc.PortalContent = portalContent(in.PortalContent, doc.PortalContent)
		}
		setLogo(&doc, in.LogoUri, now)
		if in.RumAppMonitorName != nil {
			doc.RumAppMonitorName = emptyToNil(in.RumAppMonitorName)
		}
		doc.LastModified = now
		return putPortal(tx, &doc)
	})
	if err != nil {
		return nil, err
	}
	out := UpdatePortalResponse(doc.summary())
	return &out, nil
}

// DeletePortal deletes a disabled portal (400 otherwise [I]). The model
// lists no NotFoundException for DeletePortal; a missing portal is still a
// 404 NotFoundException, as for every other resource [I]: the SDKs report
// it as an error with that code, untyped.
func (s *Server) DeletePortal(ctx context.Context, in *DeletePortalRequest) error {
	return s.update(ctx, func(tx store.Tx) error {
		doc, err := loadPortal(tx, *in.PortalId)
		if err != nil {
			return err
		}
		if status := deref(doc.PublishStatus); status != publishDisabled {
			return portalNotDisabled(*in.PortalId, status)
		}
		return tx.Delete(kindPortal, *in.PortalId)
	})
}

// PublishPortal answers 202 with {} (model) and publishes at once [I]:
// publishStatus PUBLISHED, lastPublished now, lastPublishedDescription the
// description given (none when none is given [I]). Publishing a published
// portal publishes it again, as AWS asks after every change.
func (s *Server) PublishPortal(ctx context.Context, in *PublishPortalRequest) (*PublishPortalResponse, error) {
	err := s.update(ctx, func(tx store.Tx) error {
		doc, err := loadPortal(tx, *in.PortalId)
		if err != nil {
			return err
		}
		doc.PublishStatus = ptr(publishPublished)
		doc.StatusException = nil
		doc.LastPublished = awsproto.Now()
		doc.LastPublishedDescription = emptyToNil(in.Description)
		return putPortal(tx, &doc)
	})
	if err != nil {
		return nil, err
	}
	return &PublishPortalResponse{}, nil
}

// DisablePortal answers 204 and disables at once [I]. lastPublished and
// lastPublishedDescription stay: they describe the last publication.
// Disabling a disabled portal changes nothing and succeeds [I].
func (s *Server) DisablePortal(ctx context.Context, in *DisablePortalRequest) error {
	return s.update(ctx, func(tx store.Tx) error {
		doc, err := loadPortal(tx, *in.PortalId)
		if err != nil {
			return err
		}
		if deref(doc.PublishStatus) == publishDisabled {
			return nil
		}
		doc.PublishStatus = ptr(publishDisabled)
		doc.StatusException = nil
		return putPortal(tx, &doc)
	})
}

// PreviewPortal answers 202 with {} (model) and makes the preview ready at
// once [I]. AWS's preview URL is short-lived and its form is not
// documented; Portico serves no portal, so previewUrl is the portal's
// default domain with a /preview path [I], for clients that only check
// that one is there.
func (s *Server) PreviewPortal(ctx context.Context, in *PreviewPortalRequest) (*PreviewPortalResponse, error) {
	err := s.update(ctx, func(tx store.Tx) error {
		doc, err := loadPortal(tx, *in.PortalId)
		if err != nil {
			return err
		}
		doc.Preview = &Preview{
			PreviewStatus: ptr(previewReady),
			PreviewUrl:    ptr("https://" + deref(doc.EndpointConfiguration.PortalDefaultDomainName) + "/preview"),
		}
		return putPortal(tx, &doc)
	})
	if err != nil {
		return nil, err
	}
	return &PreviewPortalResponse{}, nil
}

// loadPortal reads a portal or answers the not-found error.
func loadPortal(tx store.Tx, id string) (portalDoc, error) {
	var doc portalDoc
	_, err := get(tx, kindPortal, id, &doc)
	if errors.Is(err, store.ErrNotFound) {
		return doc, portalNotFound(id)
	}
	return doc, err
}

// putPortal stores a portal under its uniqueness key: its custom domain
// name, lower-cased, or "" for the default domain.
func putPortal(tx store.Tx, doc *portalDoc) error {
	key := ""
	if doc.EndpointConfiguration.DomainName != nil {
		key = strings.ToLower(*doc.EndpointConfiguration.DomainName)
	}
	return tx.Replace(store.Record{Kind: kindPortal, ID: *doc.PortalId, Key: key, Data: encode(doc)})
}

func portalDomainKey(ec *EndpointConfigurationRequest) string {
	if ec == nil || ec.AcmManaged == nil {
		return ""
	}
	return strings.ToLower(*ec.AcmManaged.DomainName)
}

// checkPortalDomainFree: a custom domain name serves one portal of the
// account and region (AWS: one CloudFront distribution anywhere [I]).
// self is the portal being updated, which may keep its own domain.
func checkPortalDomainFree(tx store.Tx, self string, ec *EndpointConfigurationRequest, conflict bool) error {
	key := portalDomainKey(ec)
	if key == "" {
		return nil
	}
	recs, err := tx.List(kindPortal, store.Ref{}, "", 0)
	if err != nil {
		return err
	}
	for _, rec := range recs {
		if rec.Key == key && rec.ID != self {
			return portalDomainInUse(*ec.AcmManaged.DomainName, rec.ID, conflict)
		}
	}
	return nil
}

func portalARN(id awsproto.Identity, portalID string) string {
	return "arn:" + partition(id.Region) + ":apigateway:" + id.Region + ":" + id.Account + ":/portals/" + portalID
}

// portalEndpoint is the endpointConfiguration a portal returns: the default
// domain p-{portalId}.apigw-portal.{region}.on.aws (developer guide) and
// CloudFront's hosted zone, plus the custom domain and certificate when
// acmManaged is given.
func portalEndpoint(portalID, region string, ec *EndpointConfigurationRequest) *EndpointConfigurationResponse {
	out := &EndpointConfigurationResponse{
		PortalDefaultDomainName:  ptr("p-" + portalID + ".apigw-portal." + region + ".on.aws"),
		PortalDomainHostedZoneId: ptr(cloudFrontHostedZoneID),
	}
	if ec != nil && ec.AcmManaged != nil {
		out.CertificateArn = ec.AcmManaged.CertificateArn
		out.DomainName = ec.AcmManaged.DomainName
	}
	return out
}

// portalContent is the content to store from the content given: an empty
// description is none [I], and theme.logoLastUploaded is Portico's to set
// (from logoUri): a given value is ignored, the current one kept [I].
func portalContent(in, cur *PortalContent) *PortalContent {
	out := &PortalContent{
		Description: emptyToNil(in.Description),
		DisplayName: in.DisplayName,
		Theme:       &PortalTheme{CustomColors: in.Theme.CustomColors},
	}
	if cur != nil && cur.Theme != nil {
		out.Theme.LogoLastUploaded = cur.Theme.LogoLastUploaded
	}
	return out
}

// setLogo records a logo URI given: "" removes the logo, another value
// replaces it and is the time it was last uploaded [I].
func setLogo(doc *portalDoc, uri *string, now *awsproto.Time) {
	if uri == nil {
		return
	}
	if *uri == "" {
		doc.LogoUri = nil
		doc.PortalContent.Theme.LogoLastUploaded = nil
		return
	}
	doc.LogoUri = uri
	doc.PortalContent.Theme.LogoLastUploaded = now
}

var (
	userPoolARNPattern    = regexp.MustCompile(`^arn:aws[a-z-]*:cognito-idp:([a-z0-9-]+):\d{12}:userpool/[\w-]+$`)
	portalCertARNPattern  = regexp.MustCompile(`^arn:aws[a-z-]*:acm:us-east-1:\d{12}:certificate/[\w-]+$`)
	portalDomainPattern   = regexp.MustCompile(`^(?i)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$`)
	logoURIPattern        = regexp.MustCompile(`^(?i)s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/.+\.(svg|png|jpg)$`)
	portalProductIDFormat = regexp.MustCompile(`^[A-Za-z0-9]+$`)
)

// checkPortalAuthorization: exactly one of cognitoConfig and none [I]; the
// user pool is a Cognito user pool of the portal's region [D].
func checkPortalAuthorization(a *Authorization, region string) error {
	if (a.CognitoConfig == nil) == (a.None == nil) {
		return portalAuthorizationChoice
	}
	if a.CognitoConfig == nil {
		return nil
	}
	arn := *a.CognitoConfig.UserPoolArn
	m := userPoolARNPattern.FindStringSubmatch(arn)
	if m == nil {
		return invalidUserPoolARN(arn)
	}
	if m[1] != region {
		return userPoolInOtherRegion(arn, region)
	}
	return nil
}

// checkPortalEndpoint: exactly one of acmManaged and none [I]; a custom
// domain is a DNS name with an ACM certificate of us-east-1 [D].
func checkPortalEndpoint(ec *EndpointConfigurationRequest) error {
	if (ec.AcmManaged == nil) == (ec.None == nil) {
		return portalEndpointChoice
	}
	if ec.AcmManaged == nil {
		return nil
	}
	if name := *ec.AcmManaged.DomainName; len(name) > 253 || !portalDomainPattern.MatchString(name) {
		return invalidPortalDomainName(name)
	}
	if arn := *ec.AcmManaged.CertificateArn; !portalCertARNPattern.MatchString(arn) {
		return invalidPortalCertificateARN(arn)
	}
	return nil
}

// checkLogoURI: an S3 URI of a .svg, .png or .jpg file [D], or "" to
// remove the logo.
func checkLogoURI(uri *string) error {
	if uri == nil || *uri == "" || logoURIPattern.MatchString(*uri) {
		return nil
	}
	return invalidLogoURI(*uri)
}

// includedProduct is a portal product named by ARN, with its id.
type includedProduct struct{ arn, id string }

// parseIncludedProducts checks the form of includedPortalProductArns:
// arn:{partition}:apigateway:{region}:{accountId}:/portalproducts/{id}
// (Service Authorization Reference, resource type PortalProduct), of the
// caller's region, each once. A product of another account would have to
// be shared through AWS RAM, which Portico does not have: 403 [I].
func parseIncludedProducts(arns []string, id awsproto.Identity) ([]includedProduct, error) {
	var out []includedProduct
	seen := map[string]bool{}
	for _, arn := range arns {
		parts := strings.SplitN(arn, ":", 6)
		if len(parts) != 6 || parts[0] != "arn" || !strings.HasPrefix(parts[1], "aws") || parts[2] != "apigateway" ||
			parts[3] == "" || len(parts[4]) != 12 {
			return nil, invalidPortalProductARN(arn)
		}
		pid, ok := strings.CutPrefix(parts[5], "/portalproducts/")
		if !ok || !portalProductIDFormat.MatchString(pid) {
			return nil, invalidPortalProductARN(arn)
		}
		if parts[3] != id.Region {
			return nil, portalProductInOtherRegion(arn, id.Region)
		}
		if parts[4] != id.Account {
			return nil, portalProductNotShared(arn, id.Account)
		}
		if seen[arn] {
			return nil, duplicatePortalProductARN(arn)
		}
		seen[arn] = true
		out = append(out, includedProduct{arn: arn, id: pid})
	}
	return out, nil
}

// checkProductsExist: every product included exists in the scope (400
// otherwise [I]), as a record of kindPortalProduct (portalproducts.go). A
// product deleted after it was included stays in the portal's list [I]
// until an update replaces the list.
func checkProductsExist(tx store.Tx, products []includedProduct) error {
	for _, p := range products {
		_, err := tx.Get(kindPortalProduct, p.id)
		if errors.Is(err, store.ErrNotFound) {
			return unknownPortalProduct(p.arn)
		}
		if err != nil {
			return err
		}
	}
	return nil
}
