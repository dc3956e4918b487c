package apigw

import (
	"context"
	"errors"

	"github.com/portico-dev/portico/internal/awsproto"
	"github.com/portico-dev/portico/internal/store"
)

// Route responses make a WebSocket route two-way. The rules are those of
// docs/aws-behaviours.md#route-responses, checked in this order: the API,
// then the route, then the protocol, then the body.

const defaultRouteResponseKey = "$default"

func (s *Server) CreateRouteResponse(ctx context.Context, in *CreateRouteResponseRequest) (*CreateRouteResponseResponse, error) {
	rr := RouteResponse{
		RouteResponseKey:         in.RouteResponseKey,
		ModelSelectionExpression: emptyToNil(in.ModelSelectionExpression),
		ResponseModels:           nilIfEmptyMap(in.ResponseModels),
		ResponseParameters:       nilIfEmptyMap(in.ResponseParameters),
	}
	err := s.changeAPI(ctx, *in.ApiId, func(tx store.Tx) error {
		if err := loadWebSocketRoute(ctx, tx, *in.ApiId, *in.RouteId); err != nil {
			return err
		}
		if err := checkRouteResponse(&rr); err != nil {
			return err
		}
		err := insertNew(tx, kindRouteResponse, routeRef(*in.RouteId), *rr.RouteResponseKey, 6, func(id string) any {
			rr.RouteResponseId = &id
			return rr
		})
		if errors.Is(err, store.ErrConflict) {
			return duplicateRouteResponse(*in.RouteId, *rr.RouteResponseKey)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	out := CreateRouteResponseResponse(rr)
	return &out, nil
}

func (s *Server) GetRouteResponse(ctx context.Context, in *GetRouteResponseRequest) (*GetRouteResponseResponse, error) {
	var rr RouteResponse
	err := s.view(ctx, func(tx store.Tx) error {
		if err := loadWebSocketRoute(ctx, tx, *in.ApiId, *in.RouteId); err != nil {
			return err
		}
		var err error
		rr, err = loadRouteResponse(tx, *in.RouteId, *in.RouteResponseId)
		return err
	})
	if err != nil {
		return nil, err
	}
	out := GetRouteResponseResponse(rr)
	return &out, nil
}

func (s *Server) GetRouteResponses(ctx context.Context, in *GetRouteResponsesRequest) (*GetRouteResponsesResponse, error) {
	p, err := parsePage(in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	out := &GetRouteResponsesResponse{}
	err = s.view(ctx, func(tx store.Tx) error {
		if err := loadWebSocketRoute(ctx, tx, *in.ApiId, *in.RouteId); err != nil {
			return err
		}
		out.Items, out.NextToken, err = listPage[RouteResponse](tx, kindRouteResponse, routeRef(*in.RouteId), p)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// UpdateRouteResponse is a partial update: absent members stay, "" clears a
// string, and a map given replaces the stored map whole ({} clears it).
func (s *Server) UpdateRouteResponse(ctx context.Context, in *UpdateRouteResponseRequest) (*UpdateRouteResponseResponse, error) {
	var rr RouteResponse
	err := s.changeAPI(ctx, *in.ApiId, func(tx store.Tx) error {
		if err := loadWebSocketRoute(ctx, tx, *in.ApiId, *in.RouteId); err != nil {
			return err
		}
		var err error
		if rr, err = loadRouteResponse(tx, *in.RouteId, *in.RouteResponseId); err != nil {
			return err
		}
		if in.RouteResponseKey != nil {
			rr.RouteResponseKey = in.RouteResponseKey
		}
		setString(&rr.ModelSelectionExpression, in.ModelSelectionExpression)
		if in.ResponseModels != nil {
			rr.ResponseModels = nilIfEmptyMap(in.ResponseModels)
		}
		if in.ResponseParameters != nil {
			rr.ResponseParameters = nilIfEmptyMap(in.ResponseParameters)
		}
		if err := checkRouteResponse(&rr); err != nil {
			return err
		}
		err = tx.Replace(store.Record{Kind: kindRouteResponse, ID: *rr.RouteResponseId, Parent: routeRef(*in.RouteId),
			Key: *rr.RouteResponseKey, Data: encode(rr)})
		if errors.Is(err, store.ErrConflict) {
			return duplicateRouteResponse(*in.RouteId, *rr.RouteResponseKey)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	out := UpdateRouteResponseResponse(rr)
	return &out, nil
}

func (s *Server) DeleteRouteResponse(ctx context.Context, in *DeleteRouteResponseRequest) error {
	return s.changeAPI(ctx, *in.ApiId, func(tx store.Tx) error {
		if err := loadWebSocketRoute(ctx, tx, *in.ApiId, *in.RouteId); err != nil {
			return err
		}
		if _, err := loadRouteResponse(tx, *in.RouteId, *in.RouteResponseId); err != nil {
			return err
		}
		return tx.Delete(kindRouteResponse, *in.RouteResponseId)
	})
}

func routeRef(routeID string) store.Ref { return store.Ref{Kind: kindRoute, ID: routeID} }

// loadWebSocketRoute checks the API exists (404), the route is one of its
// routes (404), and the API is a WebSocket API (400): route responses exist
// only there.
func loadWebSocketRoute(ctx context.Context, tx store.Tx, apiID, routeID string) error {
	api, err := loadAPI(ctx, tx, apiID)
	if err != nil {
		return err
	}
	if _, err := loadRoute(tx, apiID, routeID); err != nil {
		return err
	}
	if *api.ProtocolType != protocolWebSocket {
		return websocketOnly("Route responses are")
	}
	return nil
}

func loadRouteResponse(tx store.Tx, routeID, id string) (RouteResponse, error) {
	var rr RouteResponse
	err := getChildInto(tx, kindRouteResponse, id, routeRef(routeID), &rr)
	if errors.Is(err, store.ErrNotFound) {
		return rr, routeResponseNotFound(id)
	}
	return rr, err
}

// checkRouteResponse: the key must be $default ("You can only define the
// $default route response"); response models name models of 1 to 128
// characters. Response parameters are stored as given: AWS documents no
// syntax for their keys.
func checkRouteResponse(rr *RouteResponse) error {
	switch key := *rr.RouteResponseKey; key {
	case defaultRouteResponseKey:
	case "":
		return awsproto.BadRequest("Route response key is required")
	default:
		return awsproto.BadRequest("Invalid route response key specified: %s. Only $default is supported", echo(key))
	}
	for contentType, model := range rr.ResponseModels {
		if contentType == "" || model == "" || len(model) > 128 {
			return awsproto.BadRequest("Invalid response model specified for content type %q: %q", echo(contentType), echo(model))
		}
	}
	if rr.ModelSelectionExpression != nil {
		if err := awsproto.MaxLength("modelSelectionExpression", 1024, *rr.ModelSelectionExpression); err != nil {
			return err
		}
	}
	return nil
}

func duplicateRouteResponse(routeID, key string) error {
	return awsproto.Conflict("Route response with key %s already exists for route %s", echo(key), echo(routeID))
}
