package apigw

import (
	"net/http"

	"github.com/portico-dev/portico/internal/awsproto"
)

// The error messages of portals, in the style of messages.go. AWS's texts
// for these are not known: every one is Portico's wording ([I]), kept here
// so it is easy to correct. The codes are the model's: CreatePortal and
// DeletePortal list no ConflictException (nor NotFoundException for
// DeletePortal), so what would be a conflict there is a 400. The refusals,
// with messages.go's marks, per entry: those quoting the developer guide
// are [D]; the choices follow the model's shapes [D]; the rest say
// "[I refusal]".

// portalNotFound [I] (the "Invalid X identifier specified" form of the
// other resources).
func portalNotFound(id string) error {
	return awsproto.NotFound("Invalid Portal identifier specified %s", echo(id))
}

// portalNotDisabled [I]: a portal is deleted only once disabled (developer
// guide, "Delete a portal": "you must disable it first"). 400: DeletePortal
// has no ConflictException.
func portalNotDisabled(id, status string) error {
	return awsproto.BadRequest("Portal %s cannot be deleted while its publish status is %s. Disable the portal first", echo(id), status)
}

// portalAuthorizationChoice [I]: authorization is a choice of cognitoConfig
// or none.
var portalAuthorizationChoice = awsproto.BadRequest("Invalid authorization: exactly one of cognitoConfig and none must be specified")

// portalEndpointChoice [I]: endpointConfiguration is a choice of acmManaged
// or none.
var portalEndpointChoice = awsproto.BadRequest("Invalid endpointConfiguration: exactly one of acmManaged and none must be specified")

// invalidUserPoolARN [I]. [I refusal] for the form check (AWS finds the
// user pool or not; Portico has no Cognito).
func invalidUserPoolARN(arn string) error {
	return awsproto.BadRequest("Invalid userPoolArn specified: %s. It must be the ARN of an Amazon Cognito user pool, "+
		"arn:{partition}:cognito-idp:{region}:{accountId}:userpool/{userPoolId}", echo(arn))
}

// userPoolInOtherRegion [I]: "The user pool must be in the same Region as
// your portal" (developer guide, "Create a portal").
func userPoolInOtherRegion(arn, region string) error {
	return awsproto.BadRequest("Invalid userPoolArn specified: %s. The user pool must be in the portal's region %s", echo(arn), region)
}

// invalidPortalCertificateARN [I]: the certificate "must be managed with
// AWS Certificate Manager (ACM) in US East (N. Virginia)" (developer guide,
// "Create a portal").
func invalidPortalCertificateARN(arn string) error {
	return awsproto.BadRequest("Invalid certificateArn specified: %s. It must be the ARN of an ACM certificate in us-east-1, "+
		"arn:{partition}:acm:us-east-1:{accountId}:certificate/{certificateId}", echo(arn))
}

// invalidPortalDomainName [I]. [I refusal] at the edges of Portico's DNS
// name rule.
func invalidPortalDomainName(name string) error {
	return awsproto.BadRequest("Invalid domainName specified: %s. It must be a fully qualified domain name", echo(name))
}

// portalDomainInUse [I]: a custom domain name serves one portal ("The
// domain name you provide must be unique", developer guide). 400 on
// CreatePortal, which has no ConflictException; 409 on UpdatePortal.
func portalDomainInUse(name, portalID string, conflict bool) error {
	if conflict {
		return awsproto.Conflict("Domain name %s is already used by portal %s", echo(name), portalID)
	}
	return awsproto.BadRequest("Domain name %s is already used by portal %s", echo(name), portalID)
}

// invalidLogoURI [I]: "For Portal logo, provide the S3 URI for your file.
// Only .svg, .png, or .jpg are supported." (developer guide).
func invalidLogoURI(uri string) error {
	return awsproto.BadRequest("Invalid logoUri specified: %s. It must be the S3 URI (s3://bucket/key) of a .svg, .png or .jpg file", echo(uri))
}

// invalidPortalProductARN [I]; an ARN that names no portal product cannot
// be included (refusal [I]), the form check is Portico's.
func invalidPortalProductARN(arn string) error {
	return awsproto.BadRequest("Invalid portal product ARN specified: %s. It must be "+
		"arn:{partition}:apigateway:{region}:{accountId}:/portalproducts/{portalProductId}", echo(arn))
}

// portalProductInOtherRegion [I]: portals and portal products are regional
// ("Portals are created at the AWS Region level", developer guide).
func portalProductInOtherRegion(arn, region string) error {
	return awsproto.BadRequest("Invalid portal product ARN specified: %s. A portal can only include portal products of its region %s", echo(arn), region)
}

// unknownPortalProduct [I]: 400, as CreatePortal has no NotFoundException
// (and a route target naming a missing integration is a 400 too).
func unknownPortalProduct(arn string) error {
	return awsproto.BadRequest("Invalid portal product ARN specified: %s. No such portal product exists", echo(arn))
}

// duplicatePortalProductARN [I]. [I refusal]: AWS might keep one copy.
func duplicatePortalProductARN(arn string) error {
	return awsproto.BadRequest("Invalid includedPortalProductArns: %s appears more than once", echo(arn))
}

// portalProductNotShared [I]: AccessDeniedException (403, in the model's
// error list of every portal operation) for a product of another account.
// Portico has no AWS RAM, so no product is ever shared with an account
// (the portal products' notSharedWithCaller says the same): [I refusal]
// where AWS would find a share.
func portalProductNotShared(arn, account string) error {
	return &awsproto.Error{Type: "AccessDeniedException", Code: http.StatusForbidden,
		Message: "Portal product " + echo(arn) + " is not shared with account " + account}
}
