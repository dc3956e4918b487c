#!/usr/bin/env bash
# A realistic HTTP API deployment driven through the AWS CLI against a
# running Portico: quick create, a JWT authorizer on a route, CORS, a custom
# domain with an API mapping, tags, and an OpenAPI export. It fails on the
# first answer that is not what AWS gives.
#
#   PORTICO_URL=http://127.0.0.1:4800 scripts/cli-deployment.sh
set -euo pipefail
url=${PORTICO_URL:-http://127.0.0.1:4800}
export AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID:-test} AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY:-test}
export AWS_DEFAULT_REGION=us-east-1 AWS_PAGER=""
apigw() { aws --endpoint-url "$url" apigatewayv2 "$@"; }
fail() { echo "FAIL: $*" >&2; exit 1; }
want() { [ "$1" = "$2" ] || fail "$3: got '$1', want '$2'"; }

# Quick create: the API, a Lambda proxy integration, the $default route and
# an auto-deployed $default stage.
api=$(apigw create-api --name pets --protocol-type HTTP \
  --target arn:aws:lambda:us-east-1:123456789012:function:pets --query ApiId --output text)
want "$(apigw get-routes --api-id "$api" --query 'Items[0].RouteKey' --output text)" '$default' "quick-create route"
want "$(apigw get-stage --api-id "$api" --stage-name '$default' --query AutoDeploy --output text)" True "quick-create stage"
integration=$(apigw get-integrations --api-id "$api" --query 'Items[0].IntegrationId' --output text)
want "$(apigw get-integration --api-id "$api" --integration-id "$integration" --query PayloadFormatVersion --output text)" 2.0 "payload format"

# A JWT authorizer protecting a route with scopes.
auth=$(apigw create-authorizer --api-id "$api" --name cognito --authorizer-type JWT \
  --identity-source '$request.header.Authorization' \
  --jwt-configuration Audience=client-1,Issuer=https://cognito-idp.us-east-1.amazonaws.com/us-east-1_abc \
  --query AuthorizerId --output text)
route=$(apigw create-route --api-id "$api" --route-key 'GET /pets' --authorization-type JWT \
  --authorizer-id "$auth" --authorization-scopes pets/read --target "integrations/$integration" \
  --query RouteId --output text)
want "$(apigw get-route --api-id "$api" --route-id "$route" --query 'AuthorizationScopes[0]' --output text)" pets/read "route scopes"

# CORS.
apigw update-api --api-id "$api" --cors-configuration \
  'AllowOrigins=https://example.com,AllowMethods=GET,AllowHeaders=authorization,MaxAge=300' >/dev/null
want "$(apigw get-api --api-id "$api" --query 'CorsConfiguration.MaxAge' --output text)" 300 "CORS max age"

# A custom domain with an API mapping.
apigw create-domain-name --domain-name api.example.com --domain-name-configurations \
  CertificateArn=arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012 >/dev/null
mapping=$(apigw create-api-mapping --domain-name api.example.com --api-id "$api" --stage '$default' \
  --api-mapping-key v1 --query ApiMappingId --output text)
want "$(apigw get-api-mappings --domain-name api.example.com --query 'Items[0].ApiMappingId' --output text)" "$mapping" "API mapping"

# Tags on the API.
arn="arn:aws:apigateway:us-east-1::/apis/$api"
apigw tag-resource --resource-arn "$arn" --tags team=pets >/dev/null
want "$(apigw get-tags --resource-arn "$arn" --query 'Tags.team' --output text)" pets "tags"

# Export the live API as OpenAPI 3.0 with AWS's extensions.
out=$(mktemp)
apigw export-api --api-id "$api" --specification OAS30 --output-type JSON --include-extensions "$out" >/dev/null
grep -q '"x-amazon-apigateway-integration"' "$out" || fail "export lacks the integration extension"
grep -q '"/pets"' "$out" || fail "export lacks the /pets path"
rm -f "$out"

# Deleting the API is refused while the mapping exists, as on AWS.
if apigw delete-api --api-id "$api" 2>/dev/null; then fail "delete-api with a mapping succeeded"; fi
apigw delete-api-mapping --domain-name api.example.com --api-mapping-id "$mapping"
apigw delete-api --api-id "$api"
echo "cli deployment: ok"
