package checks

import (
	"testing"

	"github.com/apigw-drift/driftaudit/pkg/inventory"
)

func routes(keys ...string) []inventory.Route {
	var out []inventory.Route
	for _, k := range keys {
		auth := "NONE"
		if k[0] == '!' { // "!GET /x": signed with IAM
			k, auth = k[1:], "AWS_IAM"
		}
		out = append(out, inventory.Route{Key: k, Auth: auth})
	}
	return out
}

// httpAPI adds an HTTP API with its current routes and stages as given, everything read.
func httpAPI(id, name string, current []inventory.Route, stages ...inventory.V2Stage) regionOpt {
	return func(r *inventory.Region) {
		a := inventory.V2API{ID: id, Name: name, ProtocolType: "HTTP", Routes: current, Stages: stages}
		for _, st := range stages {
			if st.DeploymentID != "" {
				a.DeploymentIDs = append(a.DeploymentIDs, st.DeploymentID)
			}
		}
		r.V2APIs = append(r.V2APIs, a)
	}
}

func deployedStage(name, deployment string, served []inventory.Route) inventory.V2Stage {
	return inventory.V2Stage{Name: name, DeploymentID: deployment, Deployed: served, DeployedRead: true}
}

func TestUndeployedChangesOfHTTPAPIs(t *testing.T) {
	at := func(sev Severity, stage, method, path string) Finding {
		return Finding{Severity: sev, APIID: "h1", APIName: "carts", APIType: "HTTP", Stage: stage, Method: method, Path: path}
	}
	runCases(t, undeployedChanges, []checkCase{
		{
			name: "a route added and one removed after the deployment, one made stricter",
			region: region(httpAPI("h1", "carts", routes("GET /carts", "POST /carts", "!DELETE /carts/{id}"),
				deployedStage("prod", "d1", routes("GET /carts", "DELETE /carts/{id}", "GET /old")))),
			want: []expect{
				{Finding: at(Critical, "prod", "POST", "/carts"), msg: []string{"route POST /carts on stage \"prod\": added to the current definition but not deployed", "404 Not Found"},
					fix: []string{"aws apigatewayv2 create-deployment --api-id h1 --stage-name prod --region eu-west-1"}},
				{Finding: at(Critical, "prod", "DELETE", "/carts/{id}"), msg: []string{"authorization NONE→AWS_IAM", "more open"}},
				{Finding: at(Warning, "prod", "GET", "/old"), msg: []string{"deleted from the current definition but still live"}},
			},
		},
		{
			name:   "a stage serving the current definition, and an automatic stage: no finding",
			region: region(httpAPI("h1", "carts", routes("GET /carts", "$default"), deployedStage("prod", "d1", routes("GET /carts", "$default")), inventory.V2Stage{Name: "$default", AutoDeploy: true, DeploymentID: "d2"})),
		},
		{
			name:   "an automatic stage whose last deployment failed",
			region: region(httpAPI("h1", "carts", routes("GET /carts"), inventory.V2Stage{Name: "$default", AutoDeploy: true, DeploymentID: "d2", LastDeploymentStatusMessage: "Unable to deploy:\n integration missing"})),
			want: []expect{{Finding: Finding{Severity: Critical, APIID: "h1", APIName: "carts", APIType: "HTTP", Stage: "$default"},
				msg: []string{"deploys automatically, but its last deployment failed (Unable to deploy: integration missing)", "not live"}}},
		},
		{
			name: "the stage's routes or the current ones unread: silent",
			region: region(
				httpAPI("h1", "carts", routes("GET /carts"), inventory.V2Stage{Name: "prod", DeploymentID: "d1"}),
				func(r *inventory.Region) {
					r.V2APIs = append(r.V2APIs, inventory.V2API{ID: "h2", Name: "x", ProtocolType: "HTTP", Unread: []string{inventory.OpExportApi},
						Stages: []inventory.V2Stage{deployedStage("prod", "d1", routes("GET /y"))}, DeploymentIDs: []string{"d1"}})
				}),
		},
		{
			name: "WebSocket APIs: no route drift",
			region: region(func(r *inventory.Region) {
				r.V2APIs = append(r.V2APIs, inventory.V2API{ID: "w1", Name: "chat", ProtocolType: "WEBSOCKET", Stages: []inventory.V2Stage{deployedStage("live", "d1", nil)}, DeploymentIDs: []string{"d1"}})
			}),
		},
	})
}

func TestStageWithoutDeploymentOfV2APIs(t *testing.T) {
	runCases(t, stageWithoutDeployment, []checkCase{
		{
			name: "a stage whose deployment was deleted, one never deployed by hand",
			region: region(func(r *inventory.Region) {
				r.V2APIs = append(r.V2APIs, inventory.V2API{ID: "h1", Name: "carts", ProtocolType: "HTTP", DeploymentIDs: []string{"d1"},
					Stages: []inventory.V2Stage{{Name: "prod", DeploymentID: "gone"}, {Name: "dev"}, {Name: "live", DeploymentID: "d1"}, {Name: "$default", AutoDeploy: true}}})
			}),
			want: []expect{
				{Finding: Finding{Severity: Critical, APIID: "h1", APIName: "carts", APIType: "HTTP", Stage: "prod"}, msg: []string{`stage "prod" of HTTP API "carts" points to deployment gone, which no longer exists`}},
				{Finding: Finding{Severity: Critical, APIID: "h1", APIName: "carts", APIType: "HTTP", Stage: "dev"}, msg: []string{"has no deployment"},
					fix: []string{"aws apigatewayv2 create-deployment --api-id h1 --stage-name dev --region eu-west-1"}},
			},
		},
		{
			name: "deployments not read: a deploymentId is trusted",
			region: region(func(r *inventory.Region) {
				r.V2APIs = append(r.V2APIs, inventory.V2API{ID: "h1", Name: "carts", ProtocolType: "HTTP", Unread: []string{inventory.OpGetDeployments},
					Stages: []inventory.V2Stage{{Name: "prod", DeploymentID: "gone"}}})
			}),
		},
	})
}

func TestMissingOptionsOfHTTPAPIs(t *testing.T) {
	tagged := func(id string, cors bool, rs []inventory.Route) regionOpt {
		return func(r *inventory.Region) {
			r.V2APIs = append(r.V2APIs, inventory.V2API{ID: id, Name: "web", ProtocolType: "HTTP", Tags: map[string]string{"cors": "true"}, CORS: cors, Routes: rs})
		}
	}
	runCases(t, missingOptions, []checkCase{
		{
			name:   "tagged, no CORS configuration: paths without OPTIONS or ANY",
			region: region(tagged("h1", false, routes("GET /a", "OPTIONS /a", "GET /b", "POST /b", "ANY /c"))),
			want: []expect{{Finding: Finding{Severity: Warning, APIID: "h1", APIName: "web", APIType: "HTTP", Path: "/b", Method: "OPTIONS"},
				msg: []string{"/b has no OPTIONS or ANY route", "no CORS configuration"}, fix: []string{"aws apigatewayv2 update-api --api-id h1 --cors-configuration", "AllowMethods=GET,POST"}}},
		},
		{
			name:   "a CORS configuration, or a $default route, answers preflights",
			region: region(tagged("h1", true, routes("GET /b")), tagged("h2", false, routes("GET /b", "$default"))),
		},
		{
			name: "not tagged: silent",
			region: region(func(r *inventory.Region) {
				r.V2APIs = append(r.V2APIs, inventory.V2API{ID: "h1", Name: "web", ProtocolType: "HTTP", Routes: routes("GET /b")})
			}),
		},
	})
}
