package apigw

import (
	"context"
	"errors"
	"regexp"
	"strings"

	"github.com/portico-dev/portico/internal/awsproto"
	"github.com/portico-dev/portico/internal/store"
)

// Integration responses turn a WebSocket integration's answer into the
// route's response. The checks go in the order of route responses: the API
// (404), the integration (404), the protocol (400), then the body.

var _ interface {
	createIntegrationResponseHandler
	getIntegrationResponseHandler
	getIntegrationResponsesHandler
	updateIntegrationResponseHandler
	deleteIntegrationResponseHandler
} = (*Server)(nil)

const defaultIntegrationResponseKey = "$default"

func (s *Server) CreateIntegrationResponse(ctx context.Context, in *CreateIntegrationResponseRequest) (*CreateIntegrationResponseResponse, error) {
	ir := IntegrationResponse{
		ContentHandlingStrategy:     in.ContentHandlingStrategy,
		IntegrationResponseKey:      in.IntegrationResponseKey,
		ResponseParameters:          nilIfEmptyMap(in.ResponseParameters),
		ResponseTemplates:           nilIfEmptyMap(in.ResponseTemplates),
		TemplateSelectionExpression: emptyToNil(in.TemplateSelectionExpression),
	}
	err := s.changeAPI(ctx, *in.ApiId, func(tx store.Tx) error {
		if err := loadWebSocketIntegration(ctx, tx, *in.ApiId, *in.IntegrationId); err != nil {
			return err
		}
		if err := checkIntegrationResponse(&ir); err != nil {
			return err
		}
		err := insertNew(tx, kindIntegrationResponse, integrationRef(*in.IntegrationId), *ir.IntegrationResponseKey, 6, func(id string) any {
			ir.IntegrationResponseId = &id
			return ir
		})
		if errors.Is(err, store.ErrConflict) {
			return duplicateIntegrationResponse(*in.IntegrationId, *ir.IntegrationResponseKey)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	out := CreateIntegrationResponseResponse(ir)
	return &out, nil
}

func (s *Server) GetIntegrationResponse(ctx context.Context, in *GetIntegrationResponseRequest) (*GetIntegrationResponseResponse, error) {
	var ir IntegrationResponse
	err := s.view(ctx, func(tx store.Tx) error {
		if err := loadWebSocketIntegration(ctx, tx, *in.ApiId, *in.IntegrationId); err != nil {
			return err
		}
		var err error
		ir, err = loadIntegrationResponse(tx, *in.IntegrationId, *in.IntegrationResponseId)
		return err
	})
	if err != nil {
		return nil, err
	}
	out := GetIntegrationResponseResponse(ir)
	return &out, nil
}

func (s *Server) GetIntegrationResponses(ctx context.Context, in *GetIntegrationResponsesRequest) (*GetIntegrationResponsesResponse, error) {
	p, err := parsePage(in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	out := &GetIntegrationResponsesResponse{}
	err = s.view(ctx, func(tx store.Tx) error {
		if err := loadWebSocketIntegration(ctx, tx, *in.ApiId, *in.IntegrationId); err != nil {
			return err
		}
		out.Items, out.NextToken, err = listPage[IntegrationResponse](tx, kindIntegrationResponse, integrationRef(*in.IntegrationId), p)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// UpdateIntegrationResponse is a partial update, like UpdateRouteResponse:
// absent members stay, "" clears a string, and a map given replaces the
// stored map whole ({} clears it).
func (s *Server) UpdateIntegrationResponse(ctx context.Context, in *UpdateIntegrationResponseRequest) (*UpdateIntegrationResponseResponse, error) {
	var ir IntegrationResponse
	err := s.changeAPI(ctx, *in.ApiId, func(tx store.Tx) error {
		if err := loadWebSocketIntegration(ctx, tx, *in.ApiId, *in.IntegrationId); err != nil {
			return err
		}
		var err error
		if ir, err = loadIntegrationResponse(tx, *in.IntegrationId, *in.IntegrationResponseId); err != nil {
			return err
		}
		if in.IntegrationResponseKey != nil {
			ir.IntegrationResponseKey = in.IntegrationResponseKey
		}
		if in.ContentHandlingStrategy != nil {
			ir.ContentHandlingStrategy = in.ContentHandlingStrategy
		}
		setString(&ir.TemplateSelectionExpression, in.TemplateSelectionExpression)
		if in.ResponseParameters != nil {
			ir.ResponseParameters = nilIfEmptyMap(in.ResponseParameters)
		}
		if in.ResponseTemplates != nil {
			ir.ResponseTemplates = nilIfEmptyMap(in.ResponseTemplates)
		}
		if err := checkIntegrationResponse(&ir); err != nil {
			return err
		}
		err = tx.Replace(store.Record{Kind: kindIntegrationResponse, ID: *ir.IntegrationResponseId,
			Parent: integrationRef(*in.IntegrationId), Key: *ir.IntegrationResponseKey, Data: encode(ir)})
		if errors.Is(err, store.ErrConflict) {
			return duplicateIntegrationResponse(*in.IntegrationId, *ir.IntegrationResponseKey)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	out := UpdateIntegrationResponseResponse(ir)
	return &out, nil
}

func (s *Server) DeleteIntegrationResponse(ctx context.Context, in *DeleteIntegrationResponseRequest) error {
	return s.changeAPI(ctx, *in.ApiId, func(tx store.Tx) error {
		if err := loadWebSocketIntegration(ctx, tx, *in.ApiId, *in.IntegrationId); err != nil {
			return err
		}
		if _, err := loadIntegrationResponse(tx, *in.IntegrationId, *in.IntegrationResponseId); err != nil {
			return err
		}
		return tx.Delete(kindIntegrationResponse, *in.IntegrationResponseId)
	})
}

// loadWebSocketIntegration checks the API exists (404), the integration is
// one of its integrations (404), and the API is a WebSocket API (400):
// integration responses exist only there.
func loadWebSocketIntegration(ctx context.Context, tx store.Tx, apiID, integrationID string) error {
	api, err := loadAPI(ctx, tx, apiID)
	if err != nil {
		return err
	}
	if _, err := loadIntegration(tx, apiID, integrationID); err != nil {
		return err
	}
	if *api.ProtocolType != protocolWebSocket {
		return websocketOnly("Integration responses are")
	}
	return nil
}

func loadIntegrationResponse(tx store.Tx, integrationID, id string) (IntegrationResponse, error) {
	var ir IntegrationResponse
	err := getChildInto(tx, kindIntegrationResponse, id, integrationRef(integrationID), &ir)
	if errors.Is(err, store.ErrNotFound) {
		return ir, integrationResponseNotFound(id)
	}
	return ir, err
}

// checkIntegrationResponse: the key is $default or a regular expression
// between slashes, matched against the integration's status code (or, for
// Lambda, its error message); response templates and parameters are
// stored as given, templates within the size limit.
func checkIntegrationResponse(ir *IntegrationResponse) error {
	if err := checkIntegrationResponseKey(*ir.IntegrationResponseKey); err != nil {
		return err
	}
	if ir.TemplateSelectionExpression != nil {
		if err := awsproto.MaxLength("templateSelectionExpression", 1024, *ir.TemplateSelectionExpression); err != nil {
			return err
		}
	}
	if err := checkSelectionExpression("templateSelectionExpression", ir.TemplateSelectionExpression); err != nil {
		return err
	}
	return checkTemplates("response template", ir.ResponseTemplates)
}

// checkIntegrationResponseKey compiles the expression with Go's regexp
// (RE2): Java-only constructs such as lookahead are refused [I].
func checkIntegrationResponseKey(key string) error {
	switch {
	case key == defaultIntegrationResponseKey:
		return nil
	case key == "":
		return integrationResponseKeyRequired
	case len(key) < 3 || !strings.HasPrefix(key, "/") || !strings.HasSuffix(key, "/"):
		return invalidIntegrationResponseKey(key)
	}
	if _, err := regexp.Compile(key[1 : len(key)-1]); err != nil {
		return invalidIntegrationResponseRegexp(key, err)
	}
	return nil
}
