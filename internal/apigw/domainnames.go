package apigw

import (
	"context"
	"crypto/sha256"
	"encoding/base32"
	"errors"
	"regexp"
	"strings"

	"github.com/portico-dev/portico/internal/awsproto"
	"github.com/portico-dev/portico/internal/store"
)

// Custom domain names are account-level records of a region, keyed by the
// name itself; their API mappings and routing rules are their children, so
// DeleteDomainName takes them along [I: AWS's v1 DeleteDomainName does the
// same with base path mappings; nothing says v2 refuses].
//
// Only what the V2 API manages exists here: REGIONAL endpoints with the
// TLS_1_2 security policy. A domain name has exactly one configuration
// (floci-io/floci #2390, verified against AWS).

const kindDomainName store.Kind = "domainname"

var _ interface {
	createDomainNameHandler
	getDomainNameHandler
	getDomainNamesHandler
	updateDomainNameHandler
	deleteDomainNameHandler
} = (*Server)(nil)

const (
	endpointRegional = "REGIONAL"
	endpointEdge     = "EDGE"
	tls12            = "TLS_1_2"
	tls10            = "TLS_1_0"
	ipv4             = "ipv4"

	routingAPIMappingOnly  = "API_MAPPING_ONLY"
	routingRuleOnly        = "ROUTING_RULE_ONLY"
	routingRuleThenMapping = "ROUTING_RULE_THEN_API_MAPPING"

	// apiMappingSelection is the only API mapping selection expression
	// (CLI create-domain-name and get-domain-name examples).
	apiMappingSelection = "$request.basepath"
)

var (
	// domainLabel is one label of a DNS name, already lower-cased.
	domainLabel = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)
	// acmCertificateARN is the form of an ACM certificate ARN; region and
	// account are left free (the CLI issue aws/aws-cli #5059 shows a
	// redacted "arn:aws:acm:::certificate/..." accepted) [I].
	acmCertificateARN = regexp.MustCompile(`^arn:aws[a-z-]*:acm:[a-z0-9-]*:[0-9]*:certificate/[^\s]+$`)
	s3URI             = regexp.MustCompile(`^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/[^\s]+$`)
)

// regionalHostedZones are the Route 53 hosted zones of API Gateway's
// regional endpoints (AWS general reference, "Amazon API Gateway endpoints
// and quotas"; the same table is in external-dns and the AWS CDK's
// apiGatewayHostedZoneId tests).
var regionalHostedZones = map[string]string{
	"us-east-2":      "ZOJJZC49E0EPZ",
	"us-east-1":      "Z1UJRXOUMOOFQ8",
	"us-west-1":      "Z2MUQ32089INYE",
	"us-west-2":      "Z2OJLYMUO9EFXC",
	"af-south-1":     "Z2DHW2332DAMTN",
	"ap-east-1":      "Z3FD1VL90ND7K5",
	"ap-south-1":     "Z3VO1THU9YC4UR",
	"ap-northeast-3": "Z2YQB5RD63NC85",
	"ap-northeast-2": "Z20JF4UZKIW1U8",
	"ap-southeast-1": "ZL327KTPIQFUL",
	"ap-southeast-2": "Z2RPCDW04V8134",
	"ap-northeast-1": "Z1YSHQZHG15GKL",
	"ca-central-1":   "Z19DQILCV0OWEC",
	"eu-central-1":   "Z1U9ULNL0V5AJ3",
	"eu-west-1":      "ZLY8HYME6SFDD",
	"eu-west-2":      "ZJ5UAJN8Y3Z2Q",
	"eu-south-1":     "Z3BT4WSQ9TDYZV",
	"eu-west-3":      "Z3KY65QIEKYHQQ",
	"eu-south-2":     "Z02499852UI5HEQ5JVWX3",
	"eu-north-1":     "Z3UWIKFBOOGXPP",
	"me-south-1":     "Z20ZBPC0SS8806",
	"me-central-1":   "Z08780021BKYYY8U0YHTV",
	"sa-east-1":      "ZCMLWB8V5SYIT",
	"us-gov-east-1":  "Z3SE9ATJYCRCZJ",
	"us-gov-west-1":  "Z1K6XKP9SAGWDV",
}

// hostedZoneID is the regional hosted zone of region. A region missing from
// the table gets an id of the same shape derived from its name, stable
// across restarts [I].
func hostedZoneID(region string) string {
	if id, ok := regionalHostedZones[region]; ok {
		return id
	}
	sum := sha256.Sum256([]byte("portico hosted zone " + region))
	return "Z" + base32.StdEncoding.EncodeToString(sum[:])[:13]
}

// partition is the ARN partition of a region.
func partition(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	}
	return "aws"
}

// dnsSuffix is the DNS suffix of AWS endpoints in region.
func dnsSuffix(region string) string {
	if strings.HasPrefix(region, "cn-") {
		return "amazonaws.com.cn"
	}
	return "amazonaws.com"
}

// domainNameARN [D]: arn:{partition}:apigateway:{region}::/domainnames/{name},
// no account field (CLI apigateway get-domain-names example; the
// AWS::ApiGatewayV2::RoutingRule DomainNameArn example; Terraform's
// MatchResourceAttrRegionalARNNoAccount). Private domain names, which carry
// an account and a "+id" suffix, are REST API only.
func domainNameARN(region, name string) string {
	return "arn:" + partition(region) + ":apigateway:" + region + "::/domainnames/" + name
}

func (s *Server) CreateDomainName(ctx context.Context, in *CreateDomainNameRequest) (*CreateDomainNameResponse, error) {
	region := awsproto.IdentityFrom(ctx).Region
	if len(in.DomainNameConfigurations) != 1 {
		return nil, expectOneConfiguration
	}
	// API Gateway keeps domain names in lower case: a name given with
	// capitals is created lower-cased and is then not found under its
	// original spelling (aws/aws-cdk #8428: CloudFormation's read-back after
	// the create answered "Invalid domain name identifier specified") [I].
	name := strings.ToLower(*in.DomainName)
	if err := checkDomainName(name); err != nil {
		return nil, err
	}
	conf := DomainNameConfiguration{
		ApiGatewayDomainName: ptr("d-" + newID(10) + ".execute-api." + region + "." + dnsSuffix(region)),
		HostedZoneId:         ptr(hostedZoneID(region)),
		EndpointType:         ptr(endpointRegional),
		SecurityPolicy:       ptr(tls12),
		IpAddressType:        ptr(ipv4),
		DomainNameStatus:     ptr("AVAILABLE"),
	}
	if err := mergeDomainNameConfiguration(&conf, &in.DomainNameConfigurations[0]); err != nil {
		return nil, err
	}
	dn := DomainName{
		DomainName:                    &name,
		DomainNameArn:                 ptr(domainNameARN(region, name)),
		ApiMappingSelectionExpression: ptr(apiMappingSelection),
		DomainNameConfigurations:      []DomainNameConfiguration{conf},
		RoutingMode:                   ptr(routingAPIMappingOnly),
		Tags:                          in.Tags,
	}
	if in.RoutingMode != nil {
		dn.RoutingMode = in.RoutingMode
	}
	if dn.Tags == nil {
		dn.Tags = map[string]string{}
	}
	if err := validateTags(dn.Tags); err != nil {
		return nil, err
	}
	mtls, err := mergeMutualTLS(nil, in.MutualTlsAuthentication)
	if err != nil {
		return nil, err
	}
	dn.MutualTlsAuthentication = mtls
	err = s.updateDomain(ctx, name, func(tx store.Tx) error {
		if err := checkQuota(tx, kindDomainName, store.Ref{}, s.quotas.DomainNames, tooManyDomainNames); err != nil {
			return err
		}
		err := tx.Insert(store.Record{Kind: kindDomainName, ID: name, Data: encode(dn)})
		if errors.Is(err, store.ErrConflict) {
			return domainNameExists
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	out := CreateDomainNameResponse(dn)
	return &out, nil
}

func (s *Server) GetDomainName(ctx context.Context, in *GetDomainNameRequest) (*GetDomainNameResponse, error) {
	var dn DomainName
	err := s.view(ctx, func(tx store.Tx) error {
		var err error
		dn, err = loadDomainName(tx, *in.DomainName)
		return err
	})
	if err != nil {
		return nil, err
	}
	out := GetDomainNameResponse(dn)
	return &out, nil
}

func (s *Server) GetDomainNames(ctx context.Context, in *GetDomainNamesRequest) (*GetDomainNamesResponse, error) {
	p, err := parsePage(in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	out := &GetDomainNamesResponse{}
	err = s.view(ctx, func(tx store.Tx) error {
		out.Items, out.NextToken, err = listPage[DomainName](tx, kindDomainName, store.Ref{}, p)
		return err
	})
	if err != nil {
		return nil, err
	}
	for i := range out.Items {
		out.Items[i] = withDomainNameDefaults(out.Items[i])
	}
	return out, nil
}

// UpdateDomainName is partial: the configuration given is merged into the
// stored one member by member (Terraform sends the whole configuration,
// the CLI example only a new certificateArn), and so is the mutual TLS
// configuration (Terraform sends only the members that changed, and a
// truststoreUri of "" to turn mutual TLS off).
func (s *Server) UpdateDomainName(ctx context.Context, in *UpdateDomainNameRequest) (*UpdateDomainNameResponse, error) {
	if in.DomainNameConfigurations != nil && len(in.DomainNameConfigurations) != 1 {
		return nil, expectOneConfiguration
	}
	var dn DomainName
	err := s.updateDomain(ctx, *in.DomainName, func(tx store.Tx) error {
		var err error
		if dn, err = loadDomainName(tx, *in.DomainName); err != nil {
			return err
		}
		if len(in.DomainNameConfigurations) == 1 {
			conf := dn.DomainNameConfigurations[0]
			if err := mergeDomainNameConfiguration(&conf, &in.DomainNameConfigurations[0]); err != nil {
				return err
			}
			dn.DomainNameConfigurations = []DomainNameConfiguration{conf}
		}
		if in.MutualTlsAuthentication != nil {
			if dn.MutualTlsAuthentication, err = mergeMutualTLS(dn.MutualTlsAuthentication, in.MutualTlsAuthentication); err != nil {
				return err
			}
		}
		if in.RoutingMode != nil {
			dn.RoutingMode = in.RoutingMode
		}
		return putDomainName(tx, &dn)
	})
	if err != nil {
		return nil, err
	}
	out := UpdateDomainNameResponse(dn)
	return &out, nil
}

func (s *Server) DeleteDomainName(ctx context.Context, in *DeleteDomainNameRequest) error {
	return s.updateDomain(ctx, *in.DomainName, func(tx store.Tx) error {
		err := tx.Delete(kindDomainName, *in.DomainName)
		if errors.Is(err, store.ErrNotFound) {
			return domainNameNotFound()
		}
		return err
	})
}

// domainNameTags returns the tags of a domain name of tx's scope, {} when it
// has none; a missing domain name is its not-found error. For TagResource
// and GetTags (tags.go), with setDomainNameTags.
func domainNameTags(tx store.Tx, name string) (map[string]string, error) {
	dn, err := loadDomainName(tx, name)
	if err != nil {
		return nil, err
	}
	return dn.Tags, nil
}

// setDomainNameTags replaces the tags of a domain name; the caller has
// validated them. A missing domain name is its not-found error.
func setDomainNameTags(tx store.Tx, name string, tags map[string]string) error {
	dn, err := loadDomainName(tx, name)
	if err != nil {
		return err
	}
	dn.Tags = tags
	return putDomainName(tx, &dn)
}

// loadDomainName reads a domain name of tx's scope, by its exact (lower
// case) name, or answers AWS's not-found error.
func loadDomainName(tx store.Tx, name string) (DomainName, error) {
	var dn DomainName
	_, err := get(tx, kindDomainName, name, &dn)
	if errors.Is(err, store.ErrNotFound) {
		return dn, domainNameNotFound()
	}
	return withDomainNameDefaults(dn), err
}

// withDomainNameDefaults fills what a stored document may lack: the empty
// tags AWS returns (CLI get-domain-name example: "Tags": {}).
func withDomainNameDefaults(dn DomainName) DomainName {
	if dn.Tags == nil {
		dn.Tags = map[string]string{}
	}
	return dn
}

func putDomainName(tx store.Tx, dn *DomainName) error {
	return tx.Replace(store.Record{Kind: kindDomainName, ID: *dn.DomainName, Data: encode(dn)})
}

func domainNameRef(name string) store.Ref { return store.Ref{Kind: kindDomainName, ID: name} }

// checkDomainName holds the rules on a (lower-cased) domain name: a DNS
// name of at least two labels, at most 253 characters, whose first label
// may be the wildcard "*" (developer guide, wildcard custom domain names).
// The model allows 512 characters; DNS does not [I].
func checkDomainName(name string) error {
	labels := strings.Split(name, ".")
	if len(name) > 253 || len(labels) < 2 {
		return invalidDomainName(name)
	}
	for i, l := range labels {
		if i == 0 && l == "*" {
			continue
		}
		if !domainLabel.MatchString(l) {
			return invalidDomainName(name)
		}
	}
	return nil
}

// mergeDomainNameConfiguration applies the members a caller may set to conf
// and checks the result. apiGatewayDomainName, hostedZoneId and the status
// members are AWS's to set: given ones are ignored [I].
func mergeDomainNameConfiguration(conf, in *DomainNameConfiguration) error {
	if in.SecurityPolicy != nil {
		conf.SecurityPolicy = in.SecurityPolicy
	}
	if in.EndpointType != nil {
		conf.EndpointType = in.EndpointType
	}
	if in.IpAddressType != nil {
		conf.IpAddressType = in.IpAddressType
	}
	setString(&conf.CertificateArn, in.CertificateArn)
	setString(&conf.CertificateName, in.CertificateName)
	setString(&conf.OwnershipVerificationCertificateArn, in.OwnershipVerificationCertificateArn)
	if *conf.SecurityPolicy == tls10 {
		return tls10NotSupported
	}
	if *conf.EndpointType == endpointEdge {
		return edgeNotSupported
	}
	if conf.CertificateArn == nil {
		return certificateNotProvided
	}
	if !acmCertificateARN.MatchString(*conf.CertificateArn) {
		return invalidCertificateARN("certificateArn", *conf.CertificateArn)
	}
	if arn := conf.OwnershipVerificationCertificateArn; arn != nil && !acmCertificateARN.MatchString(*arn) {
		return invalidCertificateARN("ownershipVerificationCertificateArn", *arn)
	}
	if conf.CertificateName != nil {
		if err := awsproto.MaxLength("certificateName", 128, *conf.CertificateName); err != nil {
			return err
		}
	}
	return nil
}

// mergeMutualTLS applies a mutual TLS input to the current configuration
// (nil when off). A truststoreUri of "" turns mutual TLS off (Terraform's
// way, "remove the truststore from your custom domain name"); a
// truststoreVersion of "" drops the version.
func mergeMutualTLS(cur *MutualTlsAuthentication, in *MutualTlsAuthenticationInput) (*MutualTlsAuthentication, error) {
	if in == nil {
		return cur, nil
	}
	if in.TruststoreUri != nil && *in.TruststoreUri == "" {
		return nil, nil
	}
	next := MutualTlsAuthentication{}
	if cur != nil {
		next = *cur
	}
	if in.TruststoreUri != nil {
		next.TruststoreUri = in.TruststoreUri
		// A new truststore has the warnings of its own, which Portico does
		// not compute: there are none.
		next.TruststoreWarnings = nil
	}
	setString(&next.TruststoreVersion, in.TruststoreVersion)
	if next.TruststoreUri == nil {
		if next.TruststoreVersion == nil {
			return cur, nil
		}
		return nil, truststoreURIRequired
	}
	if !s3URI.MatchString(*next.TruststoreUri) {
		return nil, invalidTruststoreURI(*next.TruststoreUri)
	}
	if err := awsproto.MaxLength("truststoreUri", 2048, *next.TruststoreUri); err != nil {
		return nil, err
	}
	if next.TruststoreVersion != nil {
		if err := awsproto.MaxLength("truststoreVersion", 64, *next.TruststoreVersion); err != nil {
			return nil, err
		}
	}
	return &next, nil
}
