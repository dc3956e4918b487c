package apigw_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"
)

func TestDeploymentToStage(t *testing.T) {
	e := newEnv(t)
	api := e.createWebSocketAPI(t, "w")
	_, err := e.c.CreateDeployment(e.ctx, &apigatewayv2.CreateDeploymentInput{ApiId: &api})
	wantAPIError(t, err, 400, "BadRequestException", "At least one route is required before deploying the Api.")
	e.createRoute(t, api, "$default")
	_, err = e.c.CreateStage(e.ctx, &apigatewayv2.CreateStageInput{ApiId: &api, StageName: aws.String("prod")})
	must(t, err)
	d, err := e.c.CreateDeployment(e.ctx, &apigatewayv2.CreateDeploymentInput{ApiId: &api, StageName: aws.String("prod"), Description: aws.String("first")})
	must(t, err)
	wantStatus(t, d.ResultMetadata, 201)
	if len(*d.DeploymentId) != 6 || aws.ToBool(d.AutoDeployed) || d.DeploymentStatus != types.DeploymentStatusDeployed ||
		aws.ToString(d.Description) != "first" || d.CreatedDate == nil {
		t.Errorf("deployment: %+v", d)
	}
	st, err := e.c.GetStage(e.ctx, &apigatewayv2.GetStageInput{ApiId: &api, StageName: aws.String("prod")})
	must(t, err)
	if aws.ToString(st.DeploymentId) != *d.DeploymentId ||
		aws.ToString(st.LastDeploymentStatusMessage) != "Successfully deployed stage with deployment ID '"+*d.DeploymentId+"'" {
		t.Errorf("stage after deploy: %+v", st)
	}
	_, err = e.c.DeleteDeployment(e.ctx, &apigatewayv2.DeleteDeploymentInput{ApiId: &api, DeploymentId: d.DeploymentId})
	wantAPIError(t, err, 400, "BadRequestException", "Active stages pointing to this deployment must be moved or deleted")

	up, err := e.c.UpdateDeployment(e.ctx, &apigatewayv2.UpdateDeploymentInput{ApiId: &api, DeploymentId: d.DeploymentId, Description: aws.String("renamed")})
	must(t, err)
	wantStatus(t, up.ResultMetadata, 201)
	if aws.ToString(up.Description) != "renamed" || *up.DeploymentId != *d.DeploymentId {
		t.Errorf("update: %+v", up)
	}
	// A second deployment, then the stage moves to it: the first can go.
	d2, err := e.c.CreateDeployment(e.ctx, &apigatewayv2.CreateDeploymentInput{ApiId: &api})
	must(t, err)
	_, err = e.c.UpdateStage(e.ctx, &apigatewayv2.UpdateStageInput{ApiId: &api, StageName: aws.String("prod"), DeploymentId: d2.DeploymentId})
	must(t, err)
	_, err = e.c.DeleteDeployment(e.ctx, &apigatewayv2.DeleteDeploymentInput{ApiId: &api, DeploymentId: d.DeploymentId})
	must(t, err)
	_, err = e.c.GetDeployment(e.ctx, &apigatewayv2.GetDeploymentInput{ApiId: &api, DeploymentId: d.DeploymentId})
	wantAPIError(t, err, 404, "NotFoundException", "Invalid Deployment identifier specified "+*d.DeploymentId)
	list, err := e.c.GetDeployments(e.ctx, &apigatewayv2.GetDeploymentsInput{ApiId: &api})
	must(t, err)
	if len(list.Items) != 1 || *list.Items[0].DeploymentId != *d2.DeploymentId {
		t.Errorf("deployments: %+v", list.Items)
	}
	_, err = e.c.CreateDeployment(e.ctx, &apigatewayv2.CreateDeploymentInput{ApiId: &api, StageName: aws.String("nostage")})
	wantAPIError(t, err, 400, "BadRequestException", "Invalid stage identifier specified")
	_, err = e.c.CreateDeployment(e.ctx, &apigatewayv2.CreateDeploymentInput{ApiId: aws.String("nope")})
	wantAPIError(t, err, 404, "NotFoundException", "Invalid API identifier specified 000000000000:nope")
}

// TestAutoDeploy: an autoDeploy stage is deployed when it is created and
// again on every change to the API's configuration, with AWS's texts; a
// stage without autoDeploy does not move.
func TestAutoDeploy(t *testing.T) {
	e := newEnv(t)
	api := e.createWebSocketAPI(t, "w")
	routeID := e.createRoute(t, api, "$default")
	_, err := e.c.CreateStage(e.ctx, &apigatewayv2.CreateStageInput{ApiId: &api, StageName: aws.String("manual")})
	must(t, err)
	auto, err := e.c.CreateStage(e.ctx, &apigatewayv2.CreateStageInput{ApiId: &api, StageName: aws.String("auto"), AutoDeploy: aws.Bool(true)})
	must(t, err)
	first := aws.ToString(auto.DeploymentId)
	if first == "" {
		t.Fatalf("autoDeploy stage has no deployment: %+v", auto)
	}
	e.createRouteResponse(t, api, routeID)
	st, err := e.c.GetStage(e.ctx, &apigatewayv2.GetStageInput{ApiId: &api, StageName: aws.String("auto")})
	must(t, err)
	if aws.ToString(st.DeploymentId) == first {
		t.Errorf("creating a route response did not redeploy")
	}
	d, err := e.c.GetDeployment(e.ctx, &apigatewayv2.GetDeploymentInput{ApiId: &api, DeploymentId: st.DeploymentId})
	must(t, err)
	if !aws.ToBool(d.AutoDeployed) || aws.ToString(d.Description) != "Automatic deployment triggered by changes to the Api configuration" {
		t.Errorf("auto deployment: %+v", d)
	}
	manual, err := e.c.GetStage(e.ctx, &apigatewayv2.GetStageInput{ApiId: &api, StageName: aws.String("manual")})
	must(t, err)
	if manual.DeploymentId != nil {
		t.Errorf("manual stage was deployed: %+v", manual)
	}
	_, err = e.c.UpdateStage(e.ctx, &apigatewayv2.UpdateStageInput{ApiId: &api, StageName: aws.String("auto"), DeploymentId: aws.String(first)})
	wantAPIError(t, err, 400, "BadRequestException", "Deployment ID cannot be set when auto deploy is enabled for the stage")
	_, err = e.c.CreateDeployment(e.ctx, &apigatewayv2.CreateDeploymentInput{ApiId: &api, StageName: aws.String("auto")})
	wantAPIError(t, err, 400, "BadRequestException", "Stage auto has auto deploy enabled: it cannot be deployed to manually")
	// Stage settings are not API configuration: no new deployment.
	before := aws.ToString(st.DeploymentId)
	_, err = e.c.UpdateStage(e.ctx, &apigatewayv2.UpdateStageInput{ApiId: &api, StageName: aws.String("auto"), Description: aws.String("x")})
	must(t, err)
	st, _ = e.c.GetStage(e.ctx, &apigatewayv2.GetStageInput{ApiId: &api, StageName: aws.String("auto")})
	if aws.ToString(st.DeploymentId) != before {
		t.Errorf("a stage setting redeployed the stage")
	}
	// DeleteApi removes stages and deployments with it.
	_, err = e.c.DeleteApi(e.ctx, &apigatewayv2.DeleteApiInput{ApiId: &api})
	must(t, err)
	_, err = e.c.GetDeployments(e.ctx, &apigatewayv2.GetDeploymentsInput{ApiId: &api})
	wantAPIError(t, err, 404, "NotFoundException", "Invalid API identifier specified 000000000000:"+api)
}
