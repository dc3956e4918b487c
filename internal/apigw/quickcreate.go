package apigw

import (
	"errors"
	"strings"

	"github.com/portico-dev/portico/internal/awsproto"
	"github.com/portico-dev/portico/internal/store"
)

// Quick create: CreateApi with a target on an HTTP API also creates, in
// the same transaction, the integration, a route to it and the $default
// stage with automatic deployment, all marked apiGatewayManaged
// (docs/aws-behaviours.md#quick-create).

// quickCreate adds the managed resources of an API being created; api is
// already inserted in tx.
func quickCreate(tx store.Tx, api *Api, target string, routeKey, credentialsArn *string) error {
	apiID := *api.ApiId
	it := Integration{
		ApiGatewayManaged: ptr(true),
		CredentialsArn:    emptyToNil(credentialsArn),
	}
	setQuickTarget(&it, target)
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

// setQuickTarget points a managed integration at target, with the type,
// method and payload format quick create gives it: a Lambda function (an
// ARN) is an AWS_PROXY integration with payload 2.0, a URL an HTTP_PROXY
// one. An update to a target of the same kind changes only the URI.
func setQuickTarget(it *Integration, target string) {
	typ, method, format := integrationHTTPProxy, "ANY", "1.0"
	if strings.HasPrefix(target, "arn:") {
		typ, method, format = integrationAWSProxy, "POST", "2.0"
	}
	it.IntegrationUri = ptr(target)
	if deref(it.IntegrationType) != typ {
		it.IntegrationType, it.IntegrationMethod, it.PayloadFormatVersion = &typ, &method, &format
	}
}

// updateQuickCreate applies UpdateApi's quick-create members to the managed
// integration and route of api, in the transaction of the update: target
// gives the integration a new URI (and the type that goes with it),
// credentialsArn new credentials ("" removes them [I]), routeKey the route
// a new key (model documentation of UpdateApi). A member that is nil is
// left as it is.
func updateQuickCreate(tx store.Tx, api *Api, target, routeKey, credentialsArn *string) error {
	if *api.ProtocolType != protocolHTTP {
		return httpOnly("Quick create (target) is")
	}
	apiID := *api.ApiId
	it, err := findManaged[Integration](tx, kindIntegration, apiID, func(it *Integration) bool { return deref(it.ApiGatewayManaged) })
	if err != nil {
		return err
	}
	route, err := findManaged[Route](tx, kindRoute, apiID, func(r *Route) bool { return deref(r.ApiGatewayManaged) })
	if err != nil {
		return err
	}
	if it == nil || route == nil {
		return notQuickCreated
	}
	if target != nil || credentialsArn != nil {
		if target != nil {
			if *target == "" {
				return quickTargetRemoved
			}
			setQuickTarget(it, *target)
		}
		setString(&it.CredentialsArn, credentialsArn)
		if err := settleIntegration(api, it); err != nil {
			return err
		}
		if err := tx.Replace(store.Record{Kind: kindIntegration, ID: *it.IntegrationId, Parent: apiRef(apiID), Data: encode(it)}); err != nil {
			return err
		}
	}
	if routeKey == nil {
		return nil
	}
	route.RouteKey = routeKey
	if err := checkRoute(tx, api, route); err != nil {
		return err
	}
	err = tx.Replace(store.Record{Kind: kindRoute, ID: *route.RouteId, Parent: apiRef(apiID), Key: *route.RouteKey, Data: encode(route)})
	if errors.Is(err, store.ErrConflict) {
		return duplicateRouteKey(*route.RouteKey)
	}
	return err
}

// findManaged returns the first document of kind under the API, in id
// order, for which managed is true; nil when there is none.
func findManaged[T any](tx store.Tx, kind store.Kind, apiID string, managed func(*T) bool) (*T, error) {
	recs, err := tx.List(kind, apiRef(apiID), "", 0)
	if err != nil {
		return nil, err
	}
	for _, rec := range recs {
		v := new(T)
		if err := decode(rec, v); err != nil {
			return nil, err
		}
		if managed(v) {
			return v, nil
		}
	}
	return nil, nil
}
