package apigw

import (
	"context"
	"errors"
	"regexp"

	"github.com/portico-dev/portico/internal/accesslog"
	"github.com/portico-dev/portico/internal/awsproto"
	"github.com/portico-dev/portico/internal/store"
)

// Stages hold settings that apply at once (variables, route settings,
// access logs) and point at the deployment they serve. They are not part of
// a deployment, so their changes do not go through changeAPI.

var _ interface {
	createStageHandler
	getStageHandler
	getStagesHandler
	updateStageHandler
	deleteStageHandler
	deleteRouteSettingsHandler
	deleteAccessLogSettingsHandler
} = (*Server)(nil)

var (
	stageNamePattern     = regexp.MustCompile(`^[A-Za-z0-9_-]{1,128}$`)
	stageVariableName    = regexp.MustCompile(`^[A-Za-z0-9_]{1,64}$`)
	stageVariableValue   = regexp.MustCompile(`^[A-Za-z0-9\-._~:/?#&=,]{1,512}$`)
	maxStageVariables    = 100
	loggingLevelsAllowed = map[string]bool{"ERROR": true, "INFO": true, "OFF": true}
)

func (s *Server) CreateStage(ctx context.Context, in *CreateStageRequest) (*CreateStageResponse, error) {
	now := awsproto.Now()
	st := Stage{
		StageName:            in.StageName,
		AutoDeploy:           in.AutoDeploy,
		ClientCertificateId:  emptyToNil(in.ClientCertificateId),
		DeploymentId:         emptyToNil(in.DeploymentId),
		Description:          emptyToNil(in.Description),
		AccessLogSettings:    in.AccessLogSettings,
		DefaultRouteSettings: in.DefaultRouteSettings,
		RouteSettings:        in.RouteSettings,
		StageVariables:       dropEmptyValues(in.StageVariables),
		Tags:                 in.Tags,
		CreatedDate:          now,
		LastUpdatedDate:      now,
	}
	if st.RouteSettings == nil {
		st.RouteSettings = map[string]RouteSettings{}
	}
	if st.StageVariables == nil {
		st.StageVariables = map[string]string{}
	}
	if st.Tags == nil {
		st.Tags = map[string]string{}
	}
	if err := checkStageName(*in.StageName); err != nil {
		return nil, err
	}
	if err := validateTags(st.Tags); err != nil {
		return nil, err
	}
	err := s.updateAPI(ctx, *in.ApiId, func(tx store.Tx) error {
		api, err := loadAPI(ctx, tx, *in.ApiId)
		if err != nil {
			return err
		}
		st.DefaultRouteSettings = withRouteSettingDefaults(&api, st.DefaultRouteSettings)
		if err := checkStage(tx, &api, &st, in.DeploymentId); err != nil {
			return err
		}
		if err := checkQuota(tx, kindStage, apiRef(*in.ApiId), s.quotas.StagesPerAPI, tooManyStages); err != nil {
			return err
		}
		err = tx.Insert(store.Record{Kind: kindStage, ID: stageID(*in.ApiId, *st.StageName), Parent: apiRef(*in.ApiId), Data: encode(st)})
		if errors.Is(err, store.ErrConflict) {
			return stageExists(*st.StageName)
		}
		if err != nil {
			return err
		}
		if deref(st.AutoDeploy) {
			// An autoDeploy stage serves the API as it is now. [I]
			_, err = deploy(tx, *in.ApiId, ptr(autoDeployDescription), true, &st)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	out := CreateStageResponse(st)
	return &out, nil
}

func (s *Server) GetStage(ctx context.Context, in *GetStageRequest) (*GetStageResponse, error) {
	var st Stage
	err := s.view(ctx, func(tx store.Tx) error {
		var err error
		st, err = loadStage(ctx, tx, *in.ApiId, *in.StageName)
		return err
	})
	if err != nil {
		return nil, err
	}
	out := GetStageResponse(st)
	return &out, nil
}

func (s *Server) GetStages(ctx context.Context, in *GetStagesRequest) (*GetStagesResponse, error) {
	p, err := parsePage(in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	out := &GetStagesResponse{}
	err = s.view(ctx, func(tx store.Tx) error {
		if _, err := loadAPI(ctx, tx, *in.ApiId); err != nil {
			return err
		}
		out.Items, out.NextToken, err = listPage[Stage](tx, kindStage, apiRef(*in.ApiId), p)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// UpdateStage is partial. Stage variables and route settings merge into
// the stored maps key by key, and a variable set to "" is removed: that is
// how Terraform removes them.
func (s *Server) UpdateStage(ctx context.Context, in *UpdateStageRequest) (*UpdateStageResponse, error) {
	var st Stage
	err := s.updateAPI(ctx, *in.ApiId, func(tx store.Tx) error {
		api, err := loadAPI(ctx, tx, *in.ApiId)
		if err != nil {
			return err
		}
		if st, err = loadStage(ctx, tx, *in.ApiId, *in.StageName); err != nil {
			return err
		}
		wasAuto := deref(st.AutoDeploy)
		if in.AutoDeploy != nil {
			st.AutoDeploy = in.AutoDeploy
		}
		setString(&st.DeploymentId, in.DeploymentId)
		setString(&st.ClientCertificateId, in.ClientCertificateId)
		setString(&st.Description, in.Description)
		if in.AccessLogSettings != nil {
			st.AccessLogSettings = in.AccessLogSettings
		}
		if in.DefaultRouteSettings != nil {
			st.DefaultRouteSettings = withRouteSettingDefaults(&api, in.DefaultRouteSettings)
		}
		for key, rs := range in.RouteSettings {
			st.RouteSettings[key] = rs
		}
		for name, value := range in.StageVariables {
			if value == "" {
				delete(st.StageVariables, name)
			} else {
				st.StageVariables[name] = value
			}
		}
		if err := checkStage(tx, &api, &st, in.DeploymentId); err != nil {
			return err
		}
		st.LastUpdatedDate = awsproto.Now()
		if deref(st.AutoDeploy) && !wasAuto {
			// Turning autoDeploy on deploys the API as it is now. [I]
			_, err := deploy(tx, *in.ApiId, ptr(autoDeployDescription), true, &st)
			return err
		}
		return putStage(tx, *in.ApiId, &st)
	})
	if err != nil {
		return nil, err
	}
	out := UpdateStageResponse(st)
	return &out, nil
}

func (s *Server) DeleteStage(ctx context.Context, in *DeleteStageRequest) error {
	return s.updateAPI(ctx, *in.ApiId, func(tx store.Tx) error {
		if _, err := loadStage(ctx, tx, *in.ApiId, *in.StageName); err != nil {
			return err
		}
		return tx.Delete(kindStage, stageID(*in.ApiId, *in.StageName))
	})
}

func (s *Server) DeleteRouteSettings(ctx context.Context, in *DeleteRouteSettingsRequest) error {
	return s.updateAPI(ctx, *in.ApiId, func(tx store.Tx) error {
		st, err := loadStage(ctx, tx, *in.ApiId, *in.StageName)
		if err != nil {
			return err
		}
		if _, ok := st.RouteSettings[*in.RouteKey]; !ok {
			return routeSettingsNotFound(*in.RouteKey)
		}
		delete(st.RouteSettings, *in.RouteKey)
		st.LastUpdatedDate = awsproto.Now()
		return putStage(tx, *in.ApiId, &st)
	})
}

func (s *Server) DeleteAccessLogSettings(ctx context.Context, in *DeleteAccessLogSettingsRequest) error {
	return s.updateAPI(ctx, *in.ApiId, func(tx store.Tx) error {
		st, err := loadStage(ctx, tx, *in.ApiId, *in.StageName)
		if err != nil {
			return err
		}
		st.AccessLogSettings = nil
		st.LastUpdatedDate = awsproto.Now()
		return putStage(tx, *in.ApiId, &st)
	})
}

// loadStage reads a stage of an existing API.
func loadStage(ctx context.Context, tx store.Tx, apiID, name string) (Stage, error) {
	var st Stage
	if _, err := loadAPI(ctx, tx, apiID); err != nil {
		return st, err
	}
	_, err := get(tx, kindStage, stageID(apiID, name), &st)
	if errors.Is(err, store.ErrNotFound) {
		return st, stageNotFound
	}
	if st.RouteSettings == nil {
		st.RouteSettings = map[string]RouteSettings{}
	}
	if st.StageVariables == nil {
		st.StageVariables = map[string]string{}
	}
	return st, err
}

func checkStageName(name string) error {
	if name != "$default" && !stageNamePattern.MatchString(name) {
		return awsproto.BadRequest("Invalid stage name specified: %s. A stage name is $default or 1 to 128 of A-Z, a-z, 0-9, - and _", echo(name))
	}
	return nil
}

// withRouteSettingDefaults fills the default route settings AWS returns for
// a new stage: detailed metrics off, and for WebSocket APIs execution logs
// and data trace off too ([I] for WebSocket: moto's defaults).
func withRouteSettingDefaults(api *Api, rs *RouteSettings) *RouteSettings {
	out := RouteSettings{}
	if rs != nil {
		out = *rs
	}
	if out.DetailedMetricsEnabled == nil {
		out.DetailedMetricsEnabled = ptr(false)
	}
	if *api.ProtocolType == protocolWebSocket {
		if out.DataTraceEnabled == nil {
			out.DataTraceEnabled = ptr(false)
		}
		if out.LoggingLevel == nil {
			out.LoggingLevel = ptr("OFF")
		}
	}
	return &out
}

// checkStage holds the rules on a stage as a whole, after create or
// update; deploymentID is the deployment the caller asks for, if any (auto
// deployment sets the stage's own).
func checkStage(tx store.Tx, api *Api, st *Stage, deploymentID *string) error {
	if deploymentID := deref(deploymentID); deploymentID != "" {
		if deref(st.AutoDeploy) {
			return awsproto.BadRequest("Deployment ID cannot be set when auto deploy is enabled for the stage")
		}
		if err := checkDeploymentOf(tx, *api.ApiId, deploymentID); err != nil {
			return err
		}
	}
	if st.Description != nil {
		if err := awsproto.MaxLength("description", 1024, *st.Description); err != nil {
			return err
		}
	}
	if st.ClientCertificateId != nil && *api.ProtocolType != protocolWebSocket {
		return websocketOnly("clientCertificateId is")
	}
	if err := checkRouteSettings(api, st.DefaultRouteSettings); err != nil {
		return err
	}
	if len(st.RouteSettings) > 0 {
		routes, _, err := listPage[Route](tx, kindRoute, apiRef(*api.ApiId), page{limit: 1 << 30})
		if err != nil {
			return err
		}
		keys := map[string]bool{}
		for _, r := range routes {
			keys[*r.RouteKey] = true
		}
		for key, rs := range st.RouteSettings {
			if !keys[key] && !reservedRouteSettingsKeys[key] {
				return routeKeyNotInSettings(key)
			}
			if err := checkRouteSettings(api, &rs); err != nil {
				return err
			}
		}
	}
	if len(st.StageVariables) > maxStageVariables {
		return awsproto.BadRequest("Too many stage variables: a stage can have at most %d", maxStageVariables)
	}
	for name, value := range st.StageVariables {
		if !stageVariableName.MatchString(name) {
			return awsproto.BadRequest("Invalid stage variable name specified: %s. Names can contain only A-Z, a-z, 0-9 and _", echo(name))
		}
		if !stageVariableValue.MatchString(value) {
			return awsproto.BadRequest("Invalid stage variable value specified for %s: %s. Values can contain only A-Z, a-z, 0-9 and -._~:/?#&=,", echo(name), echo(value))
		}
	}
	if als := st.AccessLogSettings; als != nil {
		if als.DestinationArn == nil {
			return awsproto.BadRequest("Invalid access log settings: destinationArn must be the ARN of a CloudWatch Logs log group")
		}
		if _, err := accesslog.LogGroup(*als.DestinationArn); err != nil {
			return awsproto.BadRequest("Invalid access log settings: destinationArn must be the ARN of a CloudWatch Logs log group: %s", echo(*als.DestinationArn))
		}
		if als.Format == nil {
			return awsproto.BadRequest("Access Log format must include either $context.requestId or $context.extendedRequestId")
		}
		// The data plane's own reader checks it: what is saved is what
		// gets logged.
		if err := ValidateAccessLogFormat(deref(api.ProtocolType), *als.Format); err != nil {
			return err
		}
	}
	return nil
}

// reservedRouteSettingsKeys may have route settings whether the API has
// the route or not: terraform-provider-aws's acceptance tests, which run
// against AWS, set $default on an HTTP API without routes
// (TestAccAPIGatewayV2Stage_routeSettingsHTTP) and all three on a
// WebSocket API without routes (_routeSettingsWebSocket). $connect and
// $disconnect on an HTTP API are accepted too [I], as they are on a
// WebSocket API.
var reservedRouteSettingsKeys = map[string]bool{"$default": true, "$connect": true, "$disconnect": true}

// checkRouteSettings: execution logs exist only for WebSocket APIs ([V]
// message); throttling limits are not negative.
func checkRouteSettings(api *Api, rs *RouteSettings) error {
	if rs == nil {
		return nil
	}
	if *api.ProtocolType == protocolHTTP && (rs.LoggingLevel != nil || rs.DataTraceEnabled != nil) {
		return executionLogsOnHTTP
	}
	if rs.LoggingLevel != nil && !loggingLevelsAllowed[*rs.LoggingLevel] {
		return awsproto.BadRequest("Invalid logging level specified: %s. Use ERROR, INFO or OFF", echo(*rs.LoggingLevel))
	}
	if rs.ThrottlingBurstLimit != nil && *rs.ThrottlingBurstLimit < 0 || rs.ThrottlingRateLimit != nil && *rs.ThrottlingRateLimit < 0 {
		return awsproto.BadRequest("Throttling limits cannot be negative")
	}
	return nil
}

// dropEmptyValues removes variables given as "": an empty value means no
// variable, on create as on update.
func dropEmptyValues(m map[string]string) map[string]string {
	for k, v := range m {
		if v == "" {
			delete(m, k)
		}
	}
	return m
}
