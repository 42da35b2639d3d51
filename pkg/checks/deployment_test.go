package checks

import (
	"testing"

	"github.com/apigw-drift/driftaudit/pkg/inventory"
)

func TestUndeployedChanges(t *testing.T) {
	deployProd := "aws apigateway create-deployment --rest-api-id a1 --stage-name prod --region eu-west-1"
	on := func(sev Severity, path, method string) Finding {
		return Finding{Severity: sev, APIID: "a1", APIName: "orders", Stage: "prod", Path: path, Method: method}
	}
	runCases(t, undeployedChanges, []checkCase{
		{
			name: "method added but not deployed is critical",
			region: region(api("a1", "orders",
				withResource("r1", "/orders", get(), post()),
				withStage("prod", "d1"), withDeployment("d1", t0, at("/orders", "GET")))),
			want: []expect{{
				Finding: on(Critical, "/orders", "POST"),
				msg:     []string{`POST /orders on stage "prod"`, "added to the working definition but not deployed", "403 Missing Authentication Token"},
				fix:     []string{deployProd},
			}},
		},
		{
			name: "resource added but not deployed is critical per method",
			region: region(api("a1", "orders",
				withResource("r1", "/orders", get()), withResource("r2", "/orders/{id}", get(), del()),
				withStage("prod", "d1"), withDeployment("d1", t0, at("/orders", "GET")))),
			want: []expect{
				{Finding: on(Critical, "/orders/{id}", "GET"), msg: []string{"added"}, fix: []string{deployProd}},
				{Finding: on(Critical, "/orders/{id}", "DELETE"), msg: []string{"added"}, fix: []string{deployProd}},
			},
		},
		{
			name: "empty snapshot: every method is added",
			region: region(api("a1", "orders",
				withResource("r1", "/orders", get()),
				withStage("prod", "d1"), withDeployment("d1", t0))),
			want: []expect{{Finding: on(Critical, "/orders", "GET"), msg: []string{"added"}, fix: []string{deployProd}}},
		},
		{
			name: "authorization added but not deployed is critical",
			region: region(api("a1", "orders",
				withResource("r1", "/orders", get(auth("COGNITO_USER_POOLS"))),
				withStage("prod", "d1"), withDeployment("d1", t0, at("/orders", "GET")))),
			want: []expect{{
				Finding: on(Critical, "/orders", "GET"),
				msg:     []string{"authorizationType NONE→COGNITO_USER_POOLS", "more open than its definition says"},
				fix:     []string{deployProd},
			}},
		},
		{
			name: "apiKeyRequired turned on but not deployed is critical",
			region: region(api("a1", "orders",
				withResource("r1", "/orders", get(keyRequired())),
				withStage("prod", "d1"), withDeployment("d1", t0, at("/orders", "GET")))),
			want: []expect{{
				Finding: on(Critical, "/orders", "GET"),
				msg:     []string{"apiKeyRequired false→true", "more open"},
				fix:     []string{deployProd},
			}},
		},
		{
			name: "auth loosened while a key is added is critical and says both",
			region: region(api("a1", "orders",
				withResource("r1", "/orders", get(keyRequired())),
				withStage("prod", "d1"), withDeployment("d1", t0, at("/orders", "GET AWS_IAM")))),
			want: []expect{{
				Finding: on(Critical, "/orders", "GET"),
				msg:     []string{"authorizationType AWS_IAM→NONE", "apiKeyRequired false→true"},
				fix:     []string{deployProd},
			}},
		},
		{
			name: "method removed but still live is a warning",
			region: region(api("a1", "orders",
				withResource("r1", "/orders", get()),
				withStage("prod", "d1"), withDeployment("d1", t0, at("/orders", "GET", "DELETE"), at("/legacy", "GET")))),
			want: []expect{
				{Finding: on(Warning, "/orders", "DELETE"), msg: []string{"DELETE /orders", "deleted from the working definition but still live"}, fix: []string{deployProd}},
				{Finding: on(Warning, "/legacy", "GET"), msg: []string{"GET /legacy", "deleted from the working definition"}, fix: []string{deployProd}},
			},
		},
		{
			name: "authorization loosened but not deployed is a warning",
			region: region(api("a1", "orders",
				withResource("r1", "/orders", get()),
				withStage("prod", "d1"), withDeployment("d1", t0, at("/orders", "GET AWS_IAM")))),
			want: []expect{{
				Finding: on(Warning, "/orders", "GET"),
				msg:     []string{"authorizationType AWS_IAM→NONE", "still enforces the old setting"},
				fix:     []string{deployProd},
			}},
		},
		{
			name: "apiKeyRequired turned off but not deployed is a warning",
			region: region(api("a1", "orders",
				withResource("r1", "/orders", get()),
				withStage("prod", "d1"), withDeployment("d1", t0, at("/orders", "GET key")))),
			want: []expect{{Finding: on(Warning, "/orders", "GET"), msg: []string{"apiKeyRequired true→false"}, fix: []string{deployProd}}},
		},
		{
			name: "authorizer type swapped is a warning",
			region: region(api("a1", "orders",
				withResource("r1", "/orders", get(auth("AWS_IAM"))),
				withStage("prod", "d1"), withDeployment("d1", t0, at("/orders", "GET COGNITO_USER_POOLS")))),
			want: []expect{{Finding: on(Warning, "/orders", "GET"), msg: []string{"authorizationType COGNITO_USER_POOLS→AWS_IAM"}, fix: []string{deployProd}}},
		},
		{
			name: "each stage is judged on its own deployment",
			region: region(api("a1", "orders",
				withResource("r1", "/orders", get(), post()),
				withStage("dev", "d2"), withStage("prod", "d1"),
				withDeployment("d1", t0, at("/orders", "GET")), withDeployment("d2", t1, at("/orders", "GET", "POST")))),
			want: []expect{{Finding: on(Critical, "/orders", "POST"), msg: []string{`on stage "prod"`}, fix: []string{deployProd}}},
		},
		{
			name: "stage in step with the working definition, ANY proxy included",
			region: region(api("a1", "orders",
				withResource("r0", "/"),
				withResource("r1", "/orders", get(auth("AWS_IAM")), options()),
				withResource("r2", "/{proxy+}", anyM(keyRequired())),
				withStage("prod", "d1"),
				withDeployment("d1", t0, at("/orders", "GET AWS_IAM", "OPTIONS"), at("/{proxy+}", "ANY key")))),
		},
		{
			name: "an empty authorization type is the same as NONE",
			region: region(api("a1", "orders",
				withResource("r1", "/orders", get(auth(""))),
				withStage("prod", "d1"), withDeployment("d1", t0, at("/orders", "GET")))),
		},
		{
			name: "snapshot not read: silent",
			region: region(api("a1", "orders",
				withResource("r1", "/orders", get(), post()),
				withStage("prod", "d1"), withListedDeployment("d1", t0))),
		},
		{
			name: "stage without deployment: silent here",
			region: region(api("a1", "orders",
				withResource("r1", "/orders", get()),
				withStage("prod", ""), withStage("test", "gone"))),
		},
		{
			name: "working definition not read: silent",
			region: region(api("a1", "orders",
				apiUnread(inventory.OpGetResources),
				withStage("prod", "d1"), withDeployment("d1", t0, at("/orders", "GET")))),
		},
		{name: "empty region", region: region()},
		{name: "API with nothing", region: region(api("a1", "orders"))},
	})
}

func TestStageBehindLatest(t *testing.T) {
	runCases(t, stageBehindLatest, []checkCase{
		{
			name: "another stage serves a newer deployment",
			region: region(api("a1", "orders",
				withStage("dev", "d2"), withStage("prod", "d1"),
				withDeployment("d1", t0), withDeployment("d2", t1))),
			want: []expect{{
				Finding: Finding{Severity: Info, APIID: "a1", APIName: "orders", Stage: "prod"},
				msg:     []string{`stage "prod" serves deployment d1 of 2025-03-01 09:00`, "the newest deployment, d2 of 2025-03-02 09:00", `on stage "dev"`, "a promotion may be pending"},
				fix:     []string{"aws apigateway update-stage --rest-api-id a1 --stage-name prod --patch-operations op=replace,path=/deploymentId,value=d2 --region eu-west-1"},
			}},
		},
		{
			name: "the newest deployment is on no stage",
			region: region(api("a1", "orders",
				withStage("dev", "d2"), withStage("prod", "d2"),
				withDeployment("d2", t1), withListedDeployment("d3", t2))),
			want: []expect{
				{Finding: Finding{Severity: Info, APIID: "a1", APIName: "orders", Stage: "dev"}, msg: []string{"d3", "is on no stage"}, fix: []string{"--stage-name dev", "value=d3"}},
				{Finding: Finding{Severity: Info, APIID: "a1", APIName: "orders", Stage: "prod"}, msg: []string{"d3", "is on no stage"}, fix: []string{"--stage-name prod", "value=d3"}},
			},
		},
		{
			name: "every stage on the newest deployment",
			region: region(api("a1", "orders",
				withStage("dev", "d2"), withStage("prod", "d2"),
				withDeployment("d1", t0), withDeployment("d2", t1))),
		},
		{
			name: "a deployment created at the same time is not newer",
			region: region(api("a1", "orders",
				withStage("dev", "d2"), withStage("prod", "d1"),
				withDeployment("d1", t1), withDeployment("d2", t1))),
		},
		{
			name: "deployment list not read: silent",
			region: region(api("a1", "orders",
				apiUnread(inventory.OpGetDeployments),
				withStage("dev", "d2"), withStage("prod", "d1"),
				withDeployment("d1", t0), withDeployment("d2", t1))),
		},
		{
			name: "stage on a deployment that no longer exists: silent here",
			region: region(api("a1", "orders",
				withStage("prod", "gone"), withStage("test", ""), withDeployment("d1", t0))),
		},
		{name: "no deployments", region: region(api("a1", "orders", withStage("prod", "")))},
		{name: "empty region", region: region()},
	})
}

func TestStageWithoutDeployment(t *testing.T) {
	runCases(t, stageWithoutDeployment, []checkCase{
		{
			name:   "stage with no deploymentId",
			region: region(api("a1", "orders", withStage("prod", ""))),
			want: []expect{{
				Finding: Finding{Severity: Critical, APIID: "a1", APIName: "orders", Stage: "prod"},
				msg:     []string{`stage "prod" has no deployment`, "every call to https://a1.execute-api.eu-west-1.amazonaws.com/prod fails"},
				fix:     []string{"aws apigateway create-deployment --rest-api-id a1 --stage-name prod --region eu-west-1"},
			}},
		},
		{
			name:   "stage pointing to a deleted deployment",
			region: region(api("a1", "orders", withStage("prod", "d9"), withStage("dev", "d1"), withDeployment("d1", t0))),
			want: []expect{{
				Finding: Finding{Severity: Critical, APIID: "a1", APIName: "orders", Stage: "prod"},
				msg:     []string{"points to deployment d9, which no longer exists"},
				fix:     []string{"aws apigateway create-deployment --rest-api-id a1 --stage-name prod --region eu-west-1"},
			}},
		},
		{
			name:   "deployment list not read, but no deploymentId at all",
			region: region(api("a1", "orders", apiUnread(inventory.OpGetDeployments), withStage("prod", ""))),
			want:   []expect{{Finding: Finding{Severity: Critical, APIID: "a1", APIName: "orders", Stage: "prod"}, msg: []string{"has no deployment"}}},
		},
		{
			name:   "deployment exists, snapshot unread or not",
			region: region(api("a1", "orders", withStage("prod", "d1"), withStage("dev", "d2"), withListedDeployment("d1", t0), withDeployment("d2", t1))),
		},
		{
			name:   "deployment list not read: a deploymentId is trusted",
			region: region(api("a1", "orders", apiUnread(inventory.OpGetDeployments), withStage("prod", "d9"))),
		},
		{
			name:   "stages not read",
			region: region(api("a1", "orders", apiUnread(inventory.OpGetStages, inventory.OpGetDeployments))),
		},
		{name: "empty region", region: region()},
	})
}

func TestNeverDeployed(t *testing.T) {
	runCases(t, neverDeployed, []checkCase{
		{
			name:   "API with methods and no stage",
			region: region(api("a1", "orders", withResource("r0", "/"), withResource("r1", "/orders", get()))),
			want: []expect{{
				Finding:      Finding{Severity: Info, APIID: "a1", APIName: "orders"},
				msg:          []string{`API "orders" has methods but no stage`},
				fix:          []string{"aws apigateway create-deployment --rest-api-id a1 --stage-name <stage-name> --region eu-west-1", "aws apigateway delete-rest-api --rest-api-id a1 --region eu-west-1"},
				placeholders: []string{"<stage-name>"},
			}},
		},
		{name: "API with only the root resource", region: region(api("a1", "orders", withResource("r0", "/")))},
		{name: "API with a stage", region: region(api("a1", "orders", withResource("r1", "/orders", get()), withStage("prod", "d1"), withDeployment("d1", t0)))},
		{name: "API with a stage without deployment", region: region(api("a1", "orders", withResource("r1", "/orders", get()), withStage("prod", "")))},
		{
			name:   "stages not read",
			region: region(api("a1", "orders", withResource("r1", "/orders", get()), apiUnread(inventory.OpGetStages, inventory.OpGetDeployments))),
		},
		{name: "resources not read", region: region(api("a1", "orders", apiUnread(inventory.OpGetResources)))},
		{name: "empty region", region: region()},
	})
}
