package apigw_test

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"
)

// Portal products, their sharing policies, product pages and product REST
// endpoint pages. The ARN forms are the IAM service authorization
// reference's [D]; everything marked [I] below is Portico's choice where
// no source says what AWS does (see portalproducts.go, productpages.go and
// messages_portalproducts.go).

// portalIDPattern: 10 characters [I] (the model allows 10 to 30 of
// [a-z0-9]; the developer guide's example product id p000000000 has 10).
var portalIDPattern = regexp.MustCompile(`^[a-z0-9]{10}$`)

const productARNPrefix = "arn:aws:apigateway:us-east-1:" + defaultAccount + ":/portalproducts/"

func (e *env) createPortalProduct(t *testing.T, name string) string {
	t.Helper()
	out, err := e.c.CreatePortalProduct(e.ctx, &apigatewayv2.CreatePortalProductInput{DisplayName: aws.String(name)})
	must(t, err)
	return *out.PortalProductId
}

func (e *env) createProductPage(t *testing.T, productID, title string) *apigatewayv2.CreateProductPageOutput {
	t.Helper()
	out, err := e.c.CreateProductPage(e.ctx, &apigatewayv2.CreateProductPageInput{PortalProductId: &productID,
		DisplayContent: &types.DisplayContent{Title: aws.String(title), Body: aws.String("# " + title)}})
	must(t, err)
	return out
}

func endpointParts(method, path string) *types.RestEndpointIdentifier {
	return &types.RestEndpointIdentifier{IdentifierParts: &types.IdentifierParts{
		Method: aws.String(method), Path: aws.String(path), RestApiId: aws.String("kf5387miad"), Stage: aws.String("Prod")}}
}

func (e *env) createRestEndpointPage(t *testing.T, productID, method, path string) *apigatewayv2.CreateProductRestEndpointPageOutput {
	t.Helper()
	out, err := e.c.CreateProductRestEndpointPage(e.ctx, &apigatewayv2.CreateProductRestEndpointPageInput{
		PortalProductId: &productID, RestEndpointIdentifier: endpointParts(method, path)})
	must(t, err)
	return out
}

// TestPortalProductLifecycle: create (201), get, list, update (200) and
// delete (204) a product; description is "" when not given (the summary
// requires it) [I] and tags {} (as for APIs and VPC links) [I].
func TestPortalProductLifecycle(t *testing.T) {
	e := newEnv(t)
	before := time.Now().Add(-2 * time.Second)
	created, err := e.c.CreatePortalProduct(e.ctx, &apigatewayv2.CreatePortalProductInput{
		DisplayName: aws.String("AdoptAnimals"), Description: aws.String("Shelter animal APIs"), Tags: map[string]string{"team": "pets"}})
	must(t, err)
	wantStatus(t, created.ResultMetadata, 201)
	id := aws.ToString(created.PortalProductId)
	if !portalIDPattern.MatchString(id) {
		t.Errorf("portalProductId %q does not match %s", id, portalIDPattern)
	}
	if aws.ToString(created.PortalProductArn) != productARNPrefix+id || aws.ToString(created.DisplayName) != "AdoptAnimals" ||
		aws.ToString(created.Description) != "Shelter animal APIs" || created.Tags["team"] != "pets" ||
		created.LastModified == nil || created.LastModified.Before(before) || created.DisplayOrder != nil {
		t.Errorf("CreatePortalProduct: %+v", created)
	}

	get, err := e.c.GetPortalProduct(e.ctx, &apigatewayv2.GetPortalProductInput{PortalProductId: &id})
	must(t, err)
	wantStatus(t, get.ResultMetadata, 200)
	if aws.ToString(get.PortalProductArn) != productARNPrefix+id || aws.ToString(get.DisplayName) != "AdoptAnimals" ||
		!get.LastModified.Equal(*created.LastModified) || get.Tags["team"] != "pets" {
		t.Errorf("GetPortalProduct: %+v", get)
	}
	// The caller's own account in resourceOwnerAccountId reads as usual.
	_, err = e.c.GetPortalProduct(e.ctx, &apigatewayv2.GetPortalProductInput{PortalProductId: &id, ResourceOwnerAccountId: aws.String(defaultAccount)})
	must(t, err)

	list, err := e.c.ListPortalProducts(e.ctx, &apigatewayv2.ListPortalProductsInput{})
	must(t, err)
	if len(list.Items) != 1 || list.NextToken != nil || aws.ToString(list.Items[0].PortalProductId) != id ||
		aws.ToString(list.Items[0].Description) != "Shelter animal APIs" || list.Items[0].Tags["team"] != "pets" {
		t.Fatalf("ListPortalProducts: %+v", list)
	}

	time.Sleep(1100 * time.Millisecond) // lastModified has second precision
	up, err := e.c.UpdatePortalProduct(e.ctx, &apigatewayv2.UpdatePortalProductInput{PortalProductId: &id, DisplayName: aws.String("Adopt")})
	must(t, err)
	wantStatus(t, up.ResultMetadata, 200)
	if aws.ToString(up.DisplayName) != "Adopt" || aws.ToString(up.Description) != "Shelter animal APIs" ||
		!up.LastModified.After(*created.LastModified) || up.Tags["team"] != "pets" {
		t.Errorf("UpdatePortalProduct: %+v", up)
	}
	// description may be cleared with "" (min length 0).
	up, err = e.c.UpdatePortalProduct(e.ctx, &apigatewayv2.UpdatePortalProductInput{PortalProductId: &id, Description: aws.String("")})
	must(t, err)
	if aws.ToString(up.Description) != "" || up.Description == nil {
		t.Errorf("UpdatePortalProduct description: %+v", up)
	}

	e.restart(t)
	get, err = e.c.GetPortalProduct(e.ctx, &apigatewayv2.GetPortalProductInput{PortalProductId: &id})
	must(t, err)
	if aws.ToString(get.DisplayName) != "Adopt" {
		t.Errorf("after restart: %+v", get)
	}

	del, err := e.c.DeletePortalProduct(e.ctx, &apigatewayv2.DeletePortalProductInput{PortalProductId: &id})
	must(t, err)
	wantStatus(t, del.ResultMetadata, 204)
	_, err = e.c.GetPortalProduct(e.ctx, &apigatewayv2.GetPortalProductInput{PortalProductId: &id})
	wantAPIError(t, err, 404, "NotFoundException", "Invalid PortalProduct identifier specified "+id)
	_, err = e.c.DeletePortalProduct(e.ctx, &apigatewayv2.DeletePortalProductInput{PortalProductId: &id})
	wantAPIError(t, err, 404, "NotFoundException", "Invalid PortalProduct identifier specified "+id)
	_, err = e.c.UpdatePortalProduct(e.ctx, &apigatewayv2.UpdatePortalProductInput{PortalProductId: &id, DisplayName: aws.String("x")})
	wantAPIError(t, err, 404, "NotFoundException", "Invalid PortalProduct identifier specified "+id)
	wantBody(t, "ListPortalProducts empty", e.raw(t, "GET", "/v2/portalproducts", "", nil), 200, `{"items":[]}`)
}

// TestPortalProductWire: the members on the wire of a product made with
// only its name, and the model's validation.
func TestPortalProductWire(t *testing.T) {
	e := newEnv(t)
	r := e.raw(t, "POST", "/v2/portalproducts", `{"displayName":"p"}`, nil)
	checkWire(t, "CreatePortalProduct", r, 201)
	m := decodeObject(t, "CreatePortalProduct", r.body)
	wantKeys(t, "CreatePortalProduct", m, "description", "displayName", "lastModified", "portalProductArn", "portalProductId", "tags")
	id := m["portalProductId"].(string)
	modified := m["lastModified"].(string)
	if !isoSecondsPattern.MatchString(modified) {
		t.Errorf("lastModified %q", modified)
	}
	product := `{"description":"","displayName":"p","lastModified":"` + modified + `","portalProductArn":"` + productARNPrefix + id +
		`","portalProductId":"` + id + `","tags":{}}`
	wantBody(t, "GetPortalProduct", e.raw(t, "GET", "/v2/portalproducts/"+id, "", nil), 200, product)
	wantBody(t, "ListPortalProducts", e.raw(t, "GET", "/v2/portalproducts", "", nil), 200, `{"items":[`+product+`]}`)
	// An update without members changes nothing, lastModified included [I].
	wantBody(t, "UpdatePortalProduct {}", e.raw(t, "PATCH", "/v2/portalproducts/"+id, `{}`, nil), 200, product)
	wantBody(t, "DeletePortalProduct", e.raw(t, "DELETE", "/v2/portalproducts/"+id, "", nil), 204, "")

	_, err := e.c.CreatePortalProduct(e.ctx, &apigatewayv2.CreatePortalProductInput{DisplayName: aws.String("")})
	wantAPIError(t, err, 400, "BadRequestException",
		"1 validation error detected: Value '' at 'displayName' failed to satisfy constraint: Member must have length greater than or equal to 1")
	r = e.raw(t, "POST", "/v2/portalproducts", `{"description":"d"}`, nil)
	wantBody(t, "CreatePortalProduct without displayName", r, 400,
		`{"message":"1 validation error detected: Value null at 'displayName' failed to satisfy constraint: Member must not be null"}`)
	_, err = e.c.CreatePortalProduct(e.ctx, &apigatewayv2.CreatePortalProductInput{DisplayName: aws.String("p"), Description: aws.String(strings.Repeat("d", 1025))})
	wantAPIError(t, err, 400, "BadRequestException",
		"1 validation error detected: Value '"+strings.Repeat("d", 64)+"...' at 'description' failed to satisfy constraint: Member must have length less than or equal to 1024")
	_, err = e.c.CreatePortalProduct(e.ctx, &apigatewayv2.CreatePortalProductInput{DisplayName: aws.String("p"), Tags: map[string]string{"aws:x": "y"}})
	wantAPIError(t, err, 400, "BadRequestException", `Invalid tag key "aws:x": the aws: prefix is reserved`)
}

// TestPortalProductPages: ListPortalProducts pages like the other lists;
// resourceOwner is SELF (the default) or OTHER_ACCOUNTS, which is always
// empty: Portico has no AWS RAM [I]; any other value is 400 [I].
func TestPortalProductPages(t *testing.T) {
	e := newEnv(t)
	var ids []string
	for i := range 3 {
		ids = append(ids, e.createPortalProduct(t, fmt.Sprint("p", i)))
	}
	slices.Sort(ids)
	var got []string
	var token *string
	for {
		out, err := e.c.ListPortalProducts(e.ctx, &apigatewayv2.ListPortalProductsInput{MaxResults: aws.String("2"), NextToken: token})
		must(t, err)
		for _, it := range out.Items {
			got = append(got, *it.PortalProductId)
		}
		if token = out.NextToken; token == nil {
			break
		}
		if len(out.Items) != 2 {
			t.Errorf("a page before the last holds %d items", len(out.Items))
		}
	}
	if !slices.Equal(got, ids) {
		t.Errorf("pages %v, want %v", got, ids)
	}
	self, err := e.c.ListPortalProducts(e.ctx, &apigatewayv2.ListPortalProductsInput{ResourceOwner: aws.String("SELF")})
	must(t, err)
	if len(self.Items) != 3 {
		t.Errorf("SELF: %d items", len(self.Items))
	}
	wantBody(t, "OTHER_ACCOUNTS", e.raw(t, "GET", "/v2/portalproducts?resourceOwner=OTHER_ACCOUNTS", "", nil), 200, `{"items":[]}`)
	_, err = e.c.ListPortalProducts(e.ctx, &apigatewayv2.ListPortalProductsInput{ResourceOwner: aws.String("ME")})
	wantAPIError(t, err, 400, "BadRequestException", `Invalid resourceOwner specified: "ME". It must be one of [SELF, OTHER_ACCOUNTS]`)
	_, err = e.c.ListPortalProducts(e.ctx, &apigatewayv2.ListPortalProductsInput{MaxResults: aws.String("0")})
	wantAPIError(t, err, 400, "BadRequestException", `Invalid maxResults specified: "0". It must be a positive integer.`)
	_, err = e.c.ListPortalProducts(e.ctx, &apigatewayv2.ListPortalProductsInput{NextToken: aws.String("!!")})
	wantAPIError(t, err, 400, "BadRequestException", "Invalid nextToken specified")
}

// TestPortalProductAccounts: products belong to an account and a region.
// Reading another account's product through resourceOwnerAccountId is 403
// AccessDeniedException: nothing is shared in Portico [I]; a value that is
// not an account id is 400 [I].
func TestPortalProductAccounts(t *testing.T) {
	e := newEnv(t)
	id := e.createPortalProduct(t, "p")
	other := apigatewayv2.New(apigatewayv2.Options{Region: "us-east-1", BaseEndpoint: aws.String(e.srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider("111122223333", "secret", ""), RetryMaxAttempts: 1, HTTPClient: e.hc})
	_, err := other.GetPortalProduct(e.ctx, &apigatewayv2.GetPortalProductInput{PortalProductId: &id})
	wantAPIError(t, err, 404, "NotFoundException", "Invalid PortalProduct identifier specified "+id)
	_, err = other.GetPortalProduct(e.ctx, &apigatewayv2.GetPortalProductInput{PortalProductId: &id, ResourceOwnerAccountId: aws.String(defaultAccount)})
	wantAPIError(t, err, 403, "AccessDeniedException", "The portal products of account 000000000000 are not shared with account 111122223333")
	_, err = other.ListProductPages(e.ctx, &apigatewayv2.ListProductPagesInput{PortalProductId: &id, ResourceOwnerAccountId: aws.String(defaultAccount)})
	wantAPIError(t, err, 403, "AccessDeniedException", "The portal products of account 000000000000 are not shared with account 111122223333")
	_, err = e.c.GetPortalProduct(e.ctx, &apigatewayv2.GetPortalProductInput{PortalProductId: &id, ResourceOwnerAccountId: aws.String("12345")})
	wantAPIError(t, err, 400, "BadRequestException", `Invalid resourceOwnerAccountId specified: "12345". It must be a 12-digit AWS account ID`)
	created, err := other.CreatePortalProduct(e.ctx, &apigatewayv2.CreatePortalProductInput{DisplayName: aws.String("theirs")})
	must(t, err)
	if want := "arn:aws:apigateway:us-east-1:111122223333:/portalproducts/" + *created.PortalProductId; aws.ToString(created.PortalProductArn) != want {
		t.Errorf("ARN %q, want %q", aws.ToString(created.PortalProductArn), want)
	}
	mine, err := e.c.ListPortalProducts(e.ctx, &apigatewayv2.ListPortalProductsInput{})
	must(t, err)
	if len(mine.Items) != 1 || *mine.Items[0].PortalProductId != id {
		t.Errorf("the default account sees %+v", mine.Items)
	}
}

// TestPortalProductSharingPolicy: put (200, {}), get (200), delete (204);
// the document is stored verbatim and must be JSON (an object) [I]; a
// product without a policy answers 404 to get and delete [I].
func TestPortalProductSharingPolicy(t *testing.T) {
	e := newEnv(t)
	id := e.createPortalProduct(t, "p")
	_, err := e.c.GetPortalProductSharingPolicy(e.ctx, &apigatewayv2.GetPortalProductSharingPolicyInput{PortalProductId: &id})
	wantAPIError(t, err, 404, "NotFoundException", "No sharing policy found for portal product "+id)

	policy := `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "222222222222"}, ` +
		`"Action": "apigateway:GetProduct", "Resource": "` + productARNPrefix + id + `"}]}`
	put, err := e.c.PutPortalProductSharingPolicy(e.ctx, &apigatewayv2.PutPortalProductSharingPolicyInput{PortalProductId: &id, PolicyDocument: &policy})
	must(t, err)
	wantStatus(t, put.ResultMetadata, 200)
	get, err := e.c.GetPortalProductSharingPolicy(e.ctx, &apigatewayv2.GetPortalProductSharingPolicyInput{PortalProductId: &id})
	must(t, err)
	wantStatus(t, get.ResultMetadata, 200)
	if aws.ToString(get.PolicyDocument) != policy || aws.ToString(get.PortalProductId) != id {
		t.Errorf("GetPortalProductSharingPolicy: %+v", get)
	}
	// A second put replaces the first.
	wantBody(t, "PutPortalProductSharingPolicy", e.raw(t, "PUT", "/v2/portalproducts/"+id+"/sharingpolicy", `{"policyDocument":"{}"}`, nil), 200, `{}`)
	wantBody(t, "GetPortalProductSharingPolicy", e.raw(t, "GET", "/v2/portalproducts/"+id+"/sharingpolicy", "", nil), 200,
		`{"policyDocument":"{}","portalProductId":"`+id+`"}`)

	for _, bad := range []string{"not json", "[1]", "null", `"s"`} {
		_, err = e.c.PutPortalProductSharingPolicy(e.ctx, &apigatewayv2.PutPortalProductSharingPolicyInput{PortalProductId: &id, PolicyDocument: aws.String(bad)})
		wantAPIError(t, err, 400, "BadRequestException", "Invalid policyDocument: the product sharing policy must be a JSON object")
	}
	_, err = e.c.PutPortalProductSharingPolicy(e.ctx, &apigatewayv2.PutPortalProductSharingPolicyInput{PortalProductId: &id, PolicyDocument: aws.String("")})
	wantAPIError(t, err, 400, "BadRequestException",
		"1 validation error detected: Value '' at 'policyDocument' failed to satisfy constraint: Member must have length greater than or equal to 1")

	del, err := e.c.DeletePortalProductSharingPolicy(e.ctx, &apigatewayv2.DeletePortalProductSharingPolicyInput{PortalProductId: &id})
	must(t, err)
	wantStatus(t, del.ResultMetadata, 204)
	_, err = e.c.DeletePortalProductSharingPolicy(e.ctx, &apigatewayv2.DeletePortalProductSharingPolicyInput{PortalProductId: &id})
	wantAPIError(t, err, 404, "NotFoundException", "No sharing policy found for portal product "+id)

	// The policy goes with its product.
	_, err = e.c.PutPortalProductSharingPolicy(e.ctx, &apigatewayv2.PutPortalProductSharingPolicyInput{PortalProductId: &id, PolicyDocument: &policy})
	must(t, err)
	_, err = e.c.DeletePortalProduct(e.ctx, &apigatewayv2.DeletePortalProductInput{PortalProductId: &id})
	must(t, err)
	_, err = e.c.GetPortalProductSharingPolicy(e.ctx, &apigatewayv2.GetPortalProductSharingPolicyInput{PortalProductId: &id})
	wantAPIError(t, err, 404, "NotFoundException", "Invalid PortalProduct identifier specified "+id)
	_, err = e.c.PutPortalProductSharingPolicy(e.ctx, &apigatewayv2.PutPortalProductSharingPolicyInput{PortalProductId: &id, PolicyDocument: &policy})
	wantAPIError(t, err, 404, "NotFoundException", "Invalid PortalProduct identifier specified "+id)
}

// TestProductPageLifecycle: product pages under a product; the list shows
// summaries without the body (pageTitle).
func TestProductPageLifecycle(t *testing.T) {
	e := newEnv(t)
	pid := e.createPortalProduct(t, "p")
	created, err := e.c.CreateProductPage(e.ctx, &apigatewayv2.CreateProductPageInput{PortalProductId: &pid,
		DisplayContent: &types.DisplayContent{Title: aws.String("Terms"), Body: aws.String("Be kind to the animals.")}})
	must(t, err)
	wantStatus(t, created.ResultMetadata, 201)
	id := aws.ToString(created.ProductPageId)
	if !portalIDPattern.MatchString(id) {
		t.Errorf("productPageId %q does not match %s", id, portalIDPattern)
	}
	arn := productARNPrefix + pid + "/productpages/" + id
	if aws.ToString(created.ProductPageArn) != arn || aws.ToString(created.DisplayContent.Title) != "Terms" ||
		aws.ToString(created.DisplayContent.Body) != "Be kind to the animals." || created.LastModified == nil {
		t.Errorf("CreateProductPage: %+v", created)
	}
	page := `{"displayContent":{"body":"Be kind to the animals.","title":"Terms"},"lastModified":"` +
		created.LastModified.UTC().Format(time.RFC3339) + `","productPageArn":"` + arn + `","productPageId":"` + id + `"}`
	wantBody(t, "GetProductPage", e.raw(t, "GET", "/v2/portalproducts/"+pid+"/productpages/"+id, "", nil), 200, page)
	wantBody(t, "ListProductPages", e.raw(t, "GET", "/v2/portalproducts/"+pid+"/productpages", "", nil), 200,
		`{"items":[{"lastModified":"`+created.LastModified.UTC().Format(time.RFC3339)+`","pageTitle":"Terms","productPageArn":"`+arn+
			`","productPageId":"`+id+`"}]}`)
	// Without displayContent nothing changes [I].
	wantBody(t, "UpdateProductPage {}", e.raw(t, "PATCH", "/v2/portalproducts/"+pid+"/productpages/"+id, `{}`, nil), 200, page)

	up, err := e.c.UpdateProductPage(e.ctx, &apigatewayv2.UpdateProductPageInput{PortalProductId: &pid, ProductPageId: &id,
		DisplayContent: &types.DisplayContent{Title: aws.String("Terms of use"), Body: aws.String("Adopt responsibly.")}})
	must(t, err)
	wantStatus(t, up.ResultMetadata, 200)
	if aws.ToString(up.DisplayContent.Title) != "Terms of use" || aws.ToString(up.DisplayContent.Body) != "Adopt responsibly." || aws.ToString(up.ProductPageArn) != arn {
		t.Errorf("UpdateProductPage: %+v", up)
	}
	get, err := e.c.GetProductPage(e.ctx, &apigatewayv2.GetProductPageInput{PortalProductId: &pid, ProductPageId: &id})
	must(t, err)
	if aws.ToString(get.DisplayContent.Title) != "Terms of use" {
		t.Errorf("GetProductPage after update: %+v", get)
	}

	// Validation: title and body are both required, 1 to 255 and 1 to 32768.
	r := e.raw(t, "POST", "/v2/portalproducts/"+pid+"/productpages", `{"displayContent":{"title":"t"}}`, nil)
	wantBody(t, "CreateProductPage without body", r, 400,
		`{"message":"1 validation error detected: Value null at 'displayContent.body' failed to satisfy constraint: Member must not be null"}`)
	r = e.raw(t, "POST", "/v2/portalproducts/"+pid+"/productpages", `{}`, nil)
	wantBody(t, "CreateProductPage without displayContent", r, 400,
		`{"message":"1 validation error detected: Value null at 'displayContent' failed to satisfy constraint: Member must not be null"}`)
	_, err = e.c.UpdateProductPage(e.ctx, &apigatewayv2.UpdateProductPageInput{PortalProductId: &pid, ProductPageId: &id,
		DisplayContent: &types.DisplayContent{Title: aws.String(strings.Repeat("t", 256)), Body: aws.String("b")}})
	wantAPIError(t, err, 400, "BadRequestException",
		"1 validation error detected: Value '"+strings.Repeat("t", 64)+"...' at 'displayContent.title' failed to satisfy constraint: Member must have length less than or equal to 255")

	// Missing product, missing page, and a page of another product.
	_, err = e.c.CreateProductPage(e.ctx, &apigatewayv2.CreateProductPageInput{PortalProductId: aws.String("nosuchprod"),
		DisplayContent: &types.DisplayContent{Title: aws.String("t"), Body: aws.String("b")}})
	wantAPIError(t, err, 404, "NotFoundException", "Invalid PortalProduct identifier specified nosuchprod")
	_, err = e.c.ListProductPages(e.ctx, &apigatewayv2.ListProductPagesInput{PortalProductId: aws.String("nosuchprod")})
	wantAPIError(t, err, 404, "NotFoundException", "Invalid PortalProduct identifier specified nosuchprod")
	_, err = e.c.GetProductPage(e.ctx, &apigatewayv2.GetProductPageInput{PortalProductId: &pid, ProductPageId: aws.String("nosuchpage")})
	wantAPIError(t, err, 404, "NotFoundException", "Invalid ProductPage identifier specified nosuchpage")
	other := e.createPortalProduct(t, "other")
	_, err = e.c.GetProductPage(e.ctx, &apigatewayv2.GetProductPageInput{PortalProductId: &other, ProductPageId: &id})
	wantAPIError(t, err, 404, "NotFoundException", "Invalid ProductPage identifier specified "+id)
	_, err = e.c.DeleteProductPage(e.ctx, &apigatewayv2.DeleteProductPageInput{PortalProductId: &other, ProductPageId: &id})
	wantAPIError(t, err, 404, "NotFoundException", "Invalid ProductPage identifier specified "+id)

	e.restart(t)
	del, err := e.c.DeleteProductPage(e.ctx, &apigatewayv2.DeleteProductPageInput{PortalProductId: &pid, ProductPageId: &id})
	must(t, err)
	wantStatus(t, del.ResultMetadata, 204)
	_, err = e.c.GetProductPage(e.ctx, &apigatewayv2.GetProductPageInput{PortalProductId: &pid, ProductPageId: &id})
	wantAPIError(t, err, 404, "NotFoundException", "Invalid ProductPage identifier specified "+id)
	wantBody(t, "ListProductPages empty", e.raw(t, "GET", "/v2/portalproducts/"+pid+"/productpages", "", nil), 200, `{"items":[]}`)
}

// TestProductRestEndpointPageLifecycle: a page for a REST API method. REST
// APIs do not exist in Portico: the identifier is accepted as given [I].
// The create answers IN_PROGRESS, every read AVAILABLE [I]; the default
// endpoint is the stage's execute-api URL [I], tryItState DISABLED [I].
func TestProductRestEndpointPageLifecycle(t *testing.T) {
	e := newEnv(t)
	pid := e.createPortalProduct(t, "p")
	created, err := e.c.CreateProductRestEndpointPage(e.ctx, &apigatewayv2.CreateProductRestEndpointPageInput{
		PortalProductId: &pid, RestEndpointIdentifier: endpointParts("GET", "/dogs")})
	must(t, err)
	wantStatus(t, created.ResultMetadata, 201)
	id := aws.ToString(created.ProductRestEndpointPageId)
	if !portalIDPattern.MatchString(id) {
		t.Errorf("productRestEndpointPageId %q does not match %s", id, portalIDPattern)
	}
	arn := productARNPrefix + pid + "/productrestendpointpages/" + id
	const endpoint = "https://kf5387miad.execute-api.us-east-1.amazonaws.com/Prod"
	if aws.ToString(created.ProductRestEndpointPageArn) != arn || created.Status != types.StatusInProgress ||
		created.TryItState != types.TryItStateDisabled || aws.ToString(created.DisplayContent.Endpoint) != endpoint ||
		created.DisplayContent.Body != nil || created.DisplayContent.OperationName != nil || created.StatusException != nil ||
		aws.ToString(created.RestEndpointIdentifier.IdentifierParts.Path) != "/dogs" {
		t.Errorf("CreateProductRestEndpointPage: %+v", created)
	}
	modified := created.LastModified.UTC().Format(time.RFC3339)
	page := `{"displayContent":{"endpoint":"` + endpoint + `"},"lastModified":"` + modified + `","productRestEndpointPageArn":"` + arn +
		`","productRestEndpointPageId":"` + id + `","restEndpointIdentifier":{"identifierParts":{"method":"GET","path":"/dogs",` +
		`"restApiId":"kf5387miad","stage":"Prod"}},"status":"AVAILABLE","tryItState":"DISABLED"}`
	base := "/v2/portalproducts/" + pid + "/productrestendpointpages"
	wantBody(t, "GetProductRestEndpointPage", e.raw(t, "GET", base+"/"+id, "", nil), 200, page)
	wantBody(t, "ListProductRestEndpointPages", e.raw(t, "GET", base, "", nil), 200,
		`{"items":[{"endpoint":"`+endpoint+`","lastModified":"`+modified+`","productRestEndpointPageArn":"`+arn+
			`","productRestEndpointPageId":"`+id+`","restEndpointIdentifier":{"identifierParts":{"method":"GET","path":"/dogs",`+
			`"restApiId":"kf5387miad","stage":"Prod"}},"status":"AVAILABLE","tryItState":"DISABLED"}]}`)
	// No body: rawDisplayContent has nothing to show.
	wantBody(t, "GetProductRestEndpointPage raw", e.raw(t, "GET", base+"/"+id+"?includeRawDisplayContent=true", "", nil), 200, page)
	wantBody(t, "UpdateProductRestEndpointPage {}", e.raw(t, "PATCH", base+"/"+id, `{}`, nil), 200, page)

	// Overrides replace the generated content member by member.
	up, err := e.c.UpdateProductRestEndpointPage(e.ctx, &apigatewayv2.UpdateProductRestEndpointPageInput{PortalProductId: &pid, ProductRestEndpointPageId: &id,
		TryItState: types.TryItStateEnabled, DisplayContent: &types.EndpointDisplayContent{Overrides: &types.DisplayContentOverrides{
			Body: aws.String("Lists the dogs."), OperationName: aws.String("View dogs")}}})
	must(t, err)
	wantStatus(t, up.ResultMetadata, 200)
	if up.TryItState != types.TryItStateEnabled || up.Status != types.StatusAvailable || aws.ToString(up.DisplayContent.Endpoint) != endpoint ||
		aws.ToString(up.DisplayContent.Body) != "Lists the dogs." || aws.ToString(up.DisplayContent.OperationName) != "View dogs" {
		t.Errorf("UpdateProductRestEndpointPage: %+v", up)
	}
	get, err := e.c.GetProductRestEndpointPage(e.ctx, &apigatewayv2.GetProductRestEndpointPageInput{PortalProductId: &pid,
		ProductRestEndpointPageId: &id, IncludeRawDisplayContent: aws.String("true")})
	must(t, err)
	if aws.ToString(get.RawDisplayContent) != "Lists the dogs." || aws.ToString(get.DisplayContent.OperationName) != "View dogs" {
		t.Errorf("GetProductRestEndpointPage raw: %+v", get)
	}
	get, err = e.c.GetProductRestEndpointPage(e.ctx, &apigatewayv2.GetProductRestEndpointPageInput{PortalProductId: &pid,
		ProductRestEndpointPageId: &id, IncludeRawDisplayContent: aws.String("false")})
	must(t, err)
	if get.RawDisplayContent != nil {
		t.Errorf("rawDisplayContent without includeRawDisplayContent: %q", *get.RawDisplayContent)
	}
	_, err = e.c.GetProductRestEndpointPage(e.ctx, &apigatewayv2.GetProductRestEndpointPageInput{PortalProductId: &pid,
		ProductRestEndpointPageId: &id, IncludeRawDisplayContent: aws.String("yes")})
	wantAPIError(t, err, 400, "BadRequestException", `Invalid includeRawDisplayContent specified: "yes". It must be true or false`)
	list, err := e.c.ListProductRestEndpointPages(e.ctx, &apigatewayv2.ListProductRestEndpointPagesInput{PortalProductId: &pid})
	must(t, err)
	if len(list.Items) != 1 || aws.ToString(list.Items[0].OperationName) != "View dogs" || list.Items[0].TryItState != types.TryItStateEnabled {
		t.Errorf("ListProductRestEndpointPages: %+v", list.Items)
	}
	// An endpoint override; none goes back to the generated content.
	up, err = e.c.UpdateProductRestEndpointPage(e.ctx, &apigatewayv2.UpdateProductRestEndpointPageInput{PortalProductId: &pid, ProductRestEndpointPageId: &id,
		DisplayContent: &types.EndpointDisplayContent{Overrides: &types.DisplayContentOverrides{Endpoint: aws.String("https://api.example.com")}}})
	must(t, err)
	if aws.ToString(up.DisplayContent.Endpoint) != "https://api.example.com" || up.DisplayContent.Body != nil || up.TryItState != types.TryItStateEnabled {
		t.Errorf("UpdateProductRestEndpointPage endpoint: %+v", up)
	}
	up, err = e.c.UpdateProductRestEndpointPage(e.ctx, &apigatewayv2.UpdateProductRestEndpointPageInput{PortalProductId: &pid, ProductRestEndpointPageId: &id,
		DisplayContent: &types.EndpointDisplayContent{None: &types.None{}}})
	must(t, err)
	if aws.ToString(up.DisplayContent.Endpoint) != endpoint || up.DisplayContent.Body != nil {
		t.Errorf("UpdateProductRestEndpointPage none: %+v", up)
	}

	e.restart(t)
	del, err := e.c.DeleteProductRestEndpointPage(e.ctx, &apigatewayv2.DeleteProductRestEndpointPageInput{PortalProductId: &pid, ProductRestEndpointPageId: &id})
	must(t, err)
	wantStatus(t, del.ResultMetadata, 204)
	_, err = e.c.GetProductRestEndpointPage(e.ctx, &apigatewayv2.GetProductRestEndpointPageInput{PortalProductId: &pid, ProductRestEndpointPageId: &id})
	wantAPIError(t, err, 404, "NotFoundException", "Invalid ProductRestEndpointPage identifier specified "+id)
	_, err = e.c.DeleteProductRestEndpointPage(e.ctx, &apigatewayv2.DeleteProductRestEndpointPageInput{PortalProductId: &pid, ProductRestEndpointPageId: &id})
	wantAPIError(t, err, 404, "NotFoundException", "Invalid ProductRestEndpointPage identifier specified "+id)
	wantBody(t, "ListProductRestEndpointPages empty", e.raw(t, "GET", base, "", nil), 200, `{"items":[]}`)
}

// TestProductRestEndpointPageValidation: the model's constraints, plus
// Portico's: identifierParts is required [I], displayContent is exactly one
// of none and overrides [I], one page per endpoint in a product (400: the
// model has no ConflictException for these operations) [I].
func TestProductRestEndpointPageValidation(t *testing.T) {
	e := newEnv(t)
	pid := e.createPortalProduct(t, "p")
	base := "/v2/portalproducts/" + pid + "/productrestendpointpages"
	wantBody(t, "no restEndpointIdentifier", e.raw(t, "POST", base, `{}`, nil), 400,
		`{"message":"1 validation error detected: Value null at 'restEndpointIdentifier' failed to satisfy constraint: Member must not be null"}`)
	wantBody(t, "no identifierParts", e.raw(t, "POST", base, `{"restEndpointIdentifier":{}}`, nil), 400,
		`{"message":"1 validation error detected: Value null at 'restEndpointIdentifier.identifierParts' failed to satisfy constraint: Member must not be null"}`)
	wantBody(t, "no stage", e.raw(t, "POST", base, `{"restEndpointIdentifier":{"identifierParts":{"method":"GET","path":"/","restApiId":"a"}}}`, nil), 400,
		`{"message":"1 validation error detected: Value null at 'restEndpointIdentifier.identifierParts.stage' failed to satisfy constraint: Member must not be null"}`)
	_, err := e.c.CreateProductRestEndpointPage(e.ctx, &apigatewayv2.CreateProductRestEndpointPageInput{PortalProductId: &pid,
		RestEndpointIdentifier: endpointParts("GET", "/dogs"), TryItState: "MAYBE"})
	wantAPIError(t, err, 400, "BadRequestException",
		"1 validation error detected: Value 'MAYBE' at 'tryItState' failed to satisfy constraint: Member must satisfy enum value set: [ENABLED, DISABLED]")
	const choice = "Invalid displayContent: exactly one of none and overrides must be specified"
	_, err = e.c.CreateProductRestEndpointPage(e.ctx, &apigatewayv2.CreateProductRestEndpointPageInput{PortalProductId: &pid,
		RestEndpointIdentifier: endpointParts("GET", "/dogs"),
		DisplayContent:         &types.EndpointDisplayContent{None: &types.None{}, Overrides: &types.DisplayContentOverrides{Body: aws.String("b")}}})
	wantAPIError(t, err, 400, "BadRequestException", choice)
	wantBody(t, "empty displayContent", e.raw(t, "POST", base,
		`{"displayContent":{},"restEndpointIdentifier":{"identifierParts":{"method":"GET","path":"/","restApiId":"a","stage":"s"}}}`, nil), 400,
		`{"message":"`+choice+`"}`)
	_, err = e.c.CreateProductRestEndpointPage(e.ctx, &apigatewayv2.CreateProductRestEndpointPageInput{PortalProductId: &pid,
		RestEndpointIdentifier: endpointParts("GET", "/dogs"),
		DisplayContent:         &types.EndpointDisplayContent{Overrides: &types.DisplayContentOverrides{OperationName: aws.String("")}}})
	wantAPIError(t, err, 400, "BadRequestException",
		"1 validation error detected: Value '' at 'displayContent.overrides.operationName' failed to satisfy constraint: Member must have length greater than or equal to 1")

	// Created with overrides and ENABLED.
	created, err := e.c.CreateProductRestEndpointPage(e.ctx, &apigatewayv2.CreateProductRestEndpointPageInput{PortalProductId: &pid,
		RestEndpointIdentifier: endpointParts("GET", "/dogs"), TryItState: types.TryItStateEnabled,
		DisplayContent: &types.EndpointDisplayContent{Overrides: &types.DisplayContentOverrides{OperationName: aws.String("View dogs")}}})
	must(t, err)
	if created.TryItState != types.TryItStateEnabled || aws.ToString(created.DisplayContent.OperationName) != "View dogs" {
		t.Errorf("CreateProductRestEndpointPage with overrides: %+v", created)
	}
	_, err = e.c.CreateProductRestEndpointPage(e.ctx, &apigatewayv2.CreateProductRestEndpointPageInput{PortalProductId: &pid,
		RestEndpointIdentifier: endpointParts("GET", "/dogs")})
	wantAPIError(t, err, 400, "BadRequestException",
		"A product REST endpoint page already exists in portal product "+pid+" for GET /dogs of stage Prod of REST API kf5387miad")
	// Another method, or the same endpoint in another product, is fine.
	e.createRestEndpointPage(t, pid, "POST", "/dogs")
	e.createRestEndpointPage(t, e.createPortalProduct(t, "q"), "GET", "/dogs")
	_, err = e.c.CreateProductRestEndpointPage(e.ctx, &apigatewayv2.CreateProductRestEndpointPageInput{PortalProductId: aws.String("nosuchprod"),
		RestEndpointIdentifier: endpointParts("GET", "/dogs")})
	wantAPIError(t, err, 404, "NotFoundException", "Invalid PortalProduct identifier specified nosuchprod")
	_, err = e.c.UpdateProductRestEndpointPage(e.ctx, &apigatewayv2.UpdateProductRestEndpointPageInput{PortalProductId: &pid,
		ProductRestEndpointPageId: created.ProductRestEndpointPageId, DisplayContent: &types.EndpointDisplayContent{}})
	wantAPIError(t, err, 400, "BadRequestException", choice)
}

// TestProductPagesPagination: both page lists page by maxResults/nextToken.
func TestProductPagesPagination(t *testing.T) {
	e := newEnv(t)
	pid := e.createPortalProduct(t, "p")
	var pages, endpoints []string
	for i := range 3 {
		pages = append(pages, *e.createProductPage(t, pid, fmt.Sprint("page", i)).ProductPageId)
		endpoints = append(endpoints, *e.createRestEndpointPage(t, pid, "GET", fmt.Sprint("/r", i)).ProductRestEndpointPageId)
	}
	slices.Sort(pages)
	slices.Sort(endpoints)
	var got []string
	var token *string
	for {
		out, err := e.c.ListProductPages(e.ctx, &apigatewayv2.ListProductPagesInput{PortalProductId: &pid, MaxResults: aws.String("2"), NextToken: token})
		must(t, err)
		for _, it := range out.Items {
			got = append(got, *it.ProductPageId)
		}
		if token = out.NextToken; token == nil {
			break
		}
	}
	if !slices.Equal(got, pages) {
		t.Errorf("product pages %v, want %v", got, pages)
	}
	got = nil
	for {
		out, err := e.c.ListProductRestEndpointPages(e.ctx, &apigatewayv2.ListProductRestEndpointPagesInput{PortalProductId: &pid, MaxResults: aws.String("2"), NextToken: token})
		must(t, err)
		for _, it := range out.Items {
			got = append(got, *it.ProductRestEndpointPageId)
		}
		if token = out.NextToken; token == nil {
			break
		}
	}
	if !slices.Equal(got, endpoints) {
		t.Errorf("product REST endpoint pages %v, want %v", got, endpoints)
	}
	_, err := e.c.ListProductRestEndpointPages(e.ctx, &apigatewayv2.ListProductRestEndpointPagesInput{PortalProductId: &pid, MaxResults: aws.String("x")})
	wantAPIError(t, err, 400, "BadRequestException", `Invalid maxResults specified: "x". It must be a positive integer.`)
}

// TestPortalProductDisplayOrder: the display order names pages of the
// product (checked [I]); deleting a page takes it out [I]; deleting the
// product deletes its pages.
func TestPortalProductDisplayOrder(t *testing.T) {
	e := newEnv(t)
	pid := e.createPortalProduct(t, "p")
	overview := *e.createProductPage(t, pid, "Overview").ProductPageArn
	terms := e.createProductPage(t, pid, "Terms")
	dogs := e.createRestEndpointPage(t, pid, "GET", "/dogs")
	cats := e.createRestEndpointPage(t, pid, "GET", "/cats")
	order := &types.DisplayOrder{OverviewPageArn: &overview, ProductPageArns: []string{*terms.ProductPageArn},
		Contents: []types.Section{{SectionName: aws.String("AdoptAnimals"), ProductRestEndpointPageArns: []string{*dogs.ProductRestEndpointPageArn, *cats.ProductRestEndpointPageArn}}}}
	up, err := e.c.UpdatePortalProduct(e.ctx, &apigatewayv2.UpdatePortalProductInput{PortalProductId: &pid, DisplayOrder: order})
	must(t, err)
	if d := up.DisplayOrder; d == nil || aws.ToString(d.OverviewPageArn) != overview || !slices.Equal(d.ProductPageArns, []string{*terms.ProductPageArn}) ||
		len(d.Contents) != 1 || aws.ToString(d.Contents[0].SectionName) != "AdoptAnimals" || len(d.Contents[0].ProductRestEndpointPageArns) != 2 {
		t.Fatalf("UpdatePortalProduct displayOrder: %+v", up.DisplayOrder)
	}

	// ARNs that name no page of this product, of the right kind.
	other := e.createPortalProduct(t, "other")
	foreign := *e.createProductPage(t, other, "Foreign").ProductPageArn
	for _, c := range []struct {
		order *types.DisplayOrder
		msg   string
	}{
		{&types.DisplayOrder{OverviewPageArn: &foreign},
			"Invalid displayOrder.overviewPageArn: " + foreign + " is not the ARN of a product page of portal product " + pid},
		{&types.DisplayOrder{ProductPageArns: []string{*dogs.ProductRestEndpointPageArn}},
			"Invalid displayOrder.productPageArns: " + *dogs.ProductRestEndpointPageArn + " is not the ARN of a product page of portal product " + pid},
		{&types.DisplayOrder{Contents: []types.Section{{SectionName: aws.String("s"), ProductRestEndpointPageArns: []string{overview}}}},
			"Invalid displayOrder.contents.productRestEndpointPageArns: " + overview + " is not the ARN of a product REST endpoint page of portal product " + pid},
		{&types.DisplayOrder{ProductPageArns: []string{strings.Replace(*terms.ProductPageArn, "us-east-1", "us-west-2", 1)}},
			"Invalid displayOrder.productPageArns: " + strings.Replace(*terms.ProductPageArn, "us-east-1", "us-west-2", 1) + " is not the ARN of a product page of portal product " + pid},
		{&types.DisplayOrder{ProductPageArns: []string{*terms.ProductPageArn, *terms.ProductPageArn}},
			"Invalid displayOrder: " + *terms.ProductPageArn + " appears more than once"},
	} {
		_, err := e.c.UpdatePortalProduct(e.ctx, &apigatewayv2.UpdatePortalProductInput{PortalProductId: &pid, DisplayOrder: c.order})
		wantAPIError(t, err, 400, "BadRequestException", c.msg)
	}
	r := e.raw(t, "PATCH", "/v2/portalproducts/"+pid, `{"displayOrder":{"contents":[{"sectionName":"s"}]}}`, nil)
	wantBody(t, "section without productRestEndpointPageArns", r, 400,
		`{"message":"1 validation error detected: Value null at 'displayOrder.contents.1.productRestEndpointPageArns' failed to satisfy constraint: Member must not be null"}`)
	r = e.raw(t, "PATCH", "/v2/portalproducts/"+pid, `{"displayOrder":{"productPageArns":["arn:short"]}}`, nil)
	wantBody(t, "short ARN", r, 400,
		`{"message":"1 validation error detected: Value 'arn:short' at 'displayOrder.productPageArns.1' failed to satisfy constraint: Member must have length greater than or equal to 20"}`)

	// Deleting pages takes them out of the display order.
	_, err = e.c.DeleteProductRestEndpointPage(e.ctx, &apigatewayv2.DeleteProductRestEndpointPageInput{PortalProductId: &pid, ProductRestEndpointPageId: dogs.ProductRestEndpointPageId})
	must(t, err)
	_, err = e.c.DeleteProductPage(e.ctx, &apigatewayv2.DeleteProductPageInput{PortalProductId: &pid, ProductPageId: terms.ProductPageId})
	must(t, err)
	get, err := e.c.GetPortalProduct(e.ctx, &apigatewayv2.GetPortalProductInput{PortalProductId: &pid})
	must(t, err)
	if d := get.DisplayOrder; d == nil || aws.ToString(d.OverviewPageArn) != overview || len(d.ProductPageArns) != 0 ||
		len(d.Contents) != 1 || !slices.Equal(d.Contents[0].ProductRestEndpointPageArns, []string{*cats.ProductRestEndpointPageArn}) {
		t.Errorf("display order after deletes: %+v", get.DisplayOrder)
	}
	// A display order with no member clears it [I].
	checkWire(t, "clear displayOrder", e.raw(t, "PATCH", "/v2/portalproducts/"+pid, `{"displayOrder":{}}`, nil), 200)
	get, err = e.c.GetPortalProduct(e.ctx, &apigatewayv2.GetPortalProductInput{PortalProductId: &pid})
	must(t, err)
	if get.DisplayOrder != nil {
		t.Errorf("displayOrder after clearing: %+v", get.DisplayOrder)
	}

	// Deleting the product deletes its pages: a new product cannot reach them.
	_, err = e.c.DeletePortalProduct(e.ctx, &apigatewayv2.DeletePortalProductInput{PortalProductId: &pid})
	must(t, err)
	_, err = e.c.GetProductRestEndpointPage(e.ctx, &apigatewayv2.GetProductRestEndpointPageInput{PortalProductId: &pid, ProductRestEndpointPageId: cats.ProductRestEndpointPageId})
	wantAPIError(t, err, 404, "NotFoundException", "Invalid PortalProduct identifier specified "+pid)
	_, err = e.c.ListProductPages(e.ctx, &apigatewayv2.ListProductPagesInput{PortalProductId: &pid})
	wantAPIError(t, err, 404, "NotFoundException", "Invalid PortalProduct identifier specified "+pid)
	// The other product's page is untouched.
	list, err := e.c.ListProductPages(e.ctx, &apigatewayv2.ListProductPagesInput{PortalProductId: &other})
	must(t, err)
	if len(list.Items) != 1 || aws.ToString(list.Items[0].PageTitle) != "Foreign" {
		t.Errorf("the other product's pages: %+v", list.Items)
	}
}

// TestPortalProductTags: TagResource and GetTags reach portal products by
// their ARN, which carries the account.
func TestPortalProductTags(t *testing.T) {
	e := newEnv(t)
	p, err := e.c.CreatePortalProduct(e.ctx, &apigatewayv2.CreatePortalProductInput{DisplayName: aws.String("Pets"), Tags: map[string]string{"a": "1"}})
	must(t, err)
	_, err = e.c.TagResource(e.ctx, &apigatewayv2.TagResourceInput{ResourceArn: p.PortalProductArn, Tags: map[string]string{"b": "2"}})
	must(t, err)
	got, err := e.c.GetTags(e.ctx, &apigatewayv2.GetTagsInput{ResourceArn: p.PortalProductArn})
	must(t, err)
	if len(got.Tags) != 2 || got.Tags["a"] != "1" || got.Tags["b"] != "2" {
		t.Errorf("tags: %v", got.Tags)
	}
	other := strings.Replace(*p.PortalProductArn, ":"+defaultAccount+":", ":111111111111:", 1)
	_, err = e.c.GetTags(e.ctx, &apigatewayv2.GetTagsInput{ResourceArn: aws.String(other)})
	if err == nil {
		t.Errorf("another account's ARN was found")
	}
}
