package apigw

import (
	"net/http"

	"github.com/portico-dev/portico/internal/awsproto"
)

// The error messages of portal products, their sharing policies, product
// pages and product REST endpoint pages, in the style of messages.go. AWS's
// texts for these are not known: every one is Portico's wording ([I]), kept
// here so it is easy to correct. The codes are the model's: these
// operations list BadRequestException, NotFoundException,
// AccessDeniedException and TooManyRequestsException, never
// ConflictException. The refusals, with messages.go's marks: the not-found
// errors are certain [D]; invalidResourceOwner and the choice of
// endpointDisplayContentChoice follow the model's shapes [D]; the others are
// [I refusal] where their entry says so.

// portalProductNotFound [I] (the "Invalid X identifier specified" form of
// the other resources).
func portalProductNotFound(id string) error {
	return awsproto.NotFound("Invalid PortalProduct identifier specified %s", echo(id))
}

// productPageNotFound [I].
func productPageNotFound(id string) error {
	return awsproto.NotFound("Invalid ProductPage identifier specified %s", echo(id))
}

// productRestEndpointPageNotFound [I].
func productRestEndpointPageNotFound(id string) error {
	return awsproto.NotFound("Invalid ProductRestEndpointPage identifier specified %s", echo(id))
}

// sharingPolicyNotFound [I]: a product whose sharing policy was never put
// (or was deleted) has none to get or delete.
func sharingPolicyNotFound(id string) error {
	return awsproto.NotFound("No sharing policy found for portal product %s", echo(id))
}

// invalidPolicyDocument [I]: a sharing policy is an IAM resource policy, a
// JSON object. [I refusal]: AWS's check of the document is not known.
var invalidPolicyDocument = awsproto.BadRequest("Invalid policyDocument: the product sharing policy must be a JSON object")

// notSharedWithCaller [I]: AccessDeniedException (403, in the model's error
// list of every portal product operation) for a read of another account's
// product. Portico has no AWS RAM, so nothing is ever shared with an account:
// [I refusal] where AWS would find a share.
func notSharedWithCaller(owner, account string) error {
	return &awsproto.Error{Type: "AccessDeniedException", Code: http.StatusForbidden,
		Message: "The portal products of account " + echo(owner) + " are not shared with account " + account}
}

// invalidResourceOwnerAccountID [I]. [I refusal]: the model's member is a
// string; that AWS checks it is an account id is not known.
func invalidResourceOwnerAccountID(v string) error {
	return awsproto.BadRequest("Invalid resourceOwnerAccountId specified: %q. It must be a 12-digit AWS account ID", echo(v))
}

// invalidResourceOwner [I]: the values are the developer guide's
// (get-portal-products --resource-owner OTHER_ACCOUNTS) and its opposite.
func invalidResourceOwner(v string) error {
	return awsproto.BadRequest("Invalid resourceOwner specified: %q. It must be one of [SELF, OTHER_ACCOUNTS]", echo(v))
}

// invalidIncludeRawDisplayContent [I]. [I refusal]: the model's member is a
// string; AWS's reading of other values is not known.
func invalidIncludeRawDisplayContent(v string) error {
	return awsproto.BadRequest("Invalid includeRawDisplayContent specified: %q. It must be true or false", echo(v))
}

// endpointDisplayContentChoice [I]: displayContent of a product REST
// endpoint page is a choice of none (the generated content) or overrides.
var endpointDisplayContentChoice = awsproto.BadRequest("Invalid displayContent: exactly one of none and overrides must be specified")

// restEndpointPageExists [I]: one page per REST endpoint in a product. 400,
// as these operations have no ConflictException. [I refusal].
func restEndpointPageExists(productID string, p *IdentifierParts) error {
	return awsproto.BadRequest("A product REST endpoint page already exists in portal product %s for %s %s of stage %s of REST API %s",
		echo(productID), echo(deref(p.Method)), echo(deref(p.Path)), echo(deref(p.Stage)), echo(deref(p.RestApiId)))
}

// notAProductPage [I]: a displayOrder member names no product page of the
// product. [I refusal], as are notAProductRestEndpointPage and
// duplicateDisplayOrderARN: AWS's checks of displayOrder are not known.
func notAProductPage(member, arn, productID string) error {
	return awsproto.BadRequest("Invalid %s: %s is not the ARN of a product page of portal product %s", member, echo(arn), echo(productID))
}

// notAProductRestEndpointPage [I].
func notAProductRestEndpointPage(member, arn, productID string) error {
	return awsproto.BadRequest("Invalid %s: %s is not the ARN of a product REST endpoint page of portal product %s", member, echo(arn), echo(productID))
}

// duplicateDisplayOrderARN [I]: a page appears once in a product's display
// order.
func duplicateDisplayOrderARN(arn string) error {
	return awsproto.BadRequest("Invalid displayOrder: %s appears more than once", echo(arn))
}
