package apigw

import (
	"strings"

	"github.com/portico-dev/portico/internal/awsproto"
	"github.com/portico-dev/portico/internal/store"
)

// Quick create: CreateApi with a target on an HTTP API also creates, in
// the same transaction, the integration, a route to it and the $default
// stage with automatic deployment, all marked apiGatewayManaged
// (control-plane spec 3.1).

// quickCreate adds the managed resources of an API being created; api is
// already inserted in tx.
func quickCreate(tx store.Tx, api *Api, target string, routeKey, credentialsArn *string) error {
	apiID := *api.ApiId
	it := Integration{
		ApiGatewayManaged: ptr(true),
		CredentialsArn:    emptyToNil(credentialsArn),
		IntegrationUri:    ptr(target),
	}
	if strings.HasPrefix(target, "arn:") {
		// A Lambda function: the proxy integration with payload 2.0.
		it.IntegrationType = ptr("AWS_PROXY")
		it.IntegrationMethod = ptr("POST")
		it.PayloadFormatVersion = ptr("2.0")
	} else {
		it.IntegrationType = ptr("HTTP_PROXY")
		it.IntegrationMethod = ptr("ANY")
		it.PayloadFormatVersion = ptr("1.0")
	}
	if err := settleIntegration(api, &it); err != nil {
		return err
	}
	err := insertNew(tx, kindIntegration, apiRef(apiID), "", 7, func(id string) any {
		it.IntegrationId = &id
		return it
	})
	if err != nil {
		return err
	}
	route := Route{
		ApiGatewayManaged: ptr(true),
		RouteKey:          ptr("$default"),
		ApiKeyRequired:    ptr(false),
		AuthorizationType: ptr(authNone),
		Target:            ptr("integrations/" + *it.IntegrationId),
	}
	if routeKey != nil && *routeKey != "" {
		route.RouteKey = routeKey
	}
	if err := checkRoute(tx, api, &route); err != nil {
		return err
	}
	err = insertNew(tx, kindRoute, apiRef(apiID), *route.RouteKey, 7, func(id string) any {
		route.RouteId = &id
		return route
	})
	if err != nil {
		return err
	}
	now := awsproto.Now()
	st := Stage{
		ApiGatewayManaged:    ptr(true),
		AutoDeploy:           ptr(true),
		StageName:            ptr("$default"),
		CreatedDate:          now,
		LastUpdatedDate:      now,
		DefaultRouteSettings: withRouteSettingDefaults(api, nil),
		RouteSettings:        map[string]RouteSettings{},
		StageVariables:       map[string]string{},
		Tags:                 map[string]string{},
	}
	if err := tx.Insert(store.Record{Kind: kindStage, ID: stageID(apiID, "$default"), Parent: apiRef(apiID), Data: encode(st)}); err != nil {
		return err
	}
	_, err = deploy(tx, apiID, ptr(autoDeployDescription), true, &st)
	return err
}
