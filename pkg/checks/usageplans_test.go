package checks

import (
	"testing"

	"github.com/apigw-drift/driftaudit/pkg/inventory"
)

// keyedOrders is an API whose prod stage serves key-required methods and whose dev stage does not.
func keyedOrders() regionOpt {
	return api("a1", "orders",
		withResource("r1", "/orders", get(keyRequired()), post(keyRequired())),
		withStage("dev", "d2"), withStage("prod", "d1"),
		withDeployment("d1", t0, at("/orders", "GET key", "POST key")),
		withDeployment("d2", t1, at("/orders", "GET", "POST")))
}

func TestUnkeyedUsagePlan(t *testing.T) {
	planFinding := func(sev Severity, id, name string) Finding {
		return Finding{Severity: sev, UsagePlanID: id, UsagePlanName: name}
	}
	newKey := "aws apigateway create-usage-plan-key --usage-plan-id p1 --key-type API_KEY --key-id $(aws apigateway create-api-key --name gold-key --enabled --query id --output text --region eu-west-1) --region eu-west-1"
	runCases(t, unkeyedUsagePlan, []checkCase{
		{
			name:   "only plan of a key-required stage, without keys",
			region: region(keyedOrders(), plan("p1", "gold", covers("a1", "prod"))),
			want: []expect{{
				Finding: planFinding(Critical, "p1", "gold"),
				msg:     []string{`usage plan "gold" (p1) has no API keys`, `no other plan with an enabled key covers orders (a1) stage "prod"`, "reject every request with 403"},
				fix:     []string{newKey},
			}},
		},
		{
			name:   "only plan of a key-required stage, with disabled keys only",
			region: region(keyedOrders(), plan("p1", "gold", covers("a1", "prod"), planKeys("k1", "k2")), apiKey("k1", false), apiKey("k2", false)),
			want: []expect{{
				Finding: planFinding(Critical, "p1", "gold"),
				msg:     []string{"has only disabled API keys (k1, k2)", `stage "prod"`},
				fix:     []string{"aws apigateway update-api-key --api-key k1 --patch-operations op=replace,path=/enabled,value=true --region eu-west-1"},
			}},
		},
		{
			name: "another plan with only disabled keys does not rescue the stage",
			region: region(keyedOrders(),
				plan("p1", "gold", covers("a1", "prod")),
				plan("p2", "silver", covers("a1", "prod"), planKeys("k2")), apiKey("k2", false)),
			want: []expect{
				{Finding: planFinding(Critical, "p1", "gold"), msg: []string{"has no API keys", "no other plan with an enabled key covers"}, notMsg: []string{"only plan"}, fix: []string{newKey}},
				{Finding: planFinding(Critical, "p2", "silver"), msg: []string{"has only disabled API keys (k2)", "no other plan with an enabled key covers"}, fix: []string{"--api-key k2"}},
			},
		},
		{
			name: "no keys, but the stage has no key-required methods",
			region: region(keyedOrders(),
				plan("p1", "gold", covers("a1", "dev")), plan("p3", "Gold tier/EU", planKeys())),
			want: []expect{
				{Finding: planFinding(Warning, "p1", "gold"), msg: []string{`usage plan "gold" (p1) has no API keys`, "nobody can be metered or throttled by it"}, notMsg: []string{"403"}, fix: []string{newKey}},
				{Finding: planFinding(Warning, "p3", "Gold tier/EU"), msg: []string{`"Gold tier/EU" (p3)`}, fix: []string{"--usage-plan-id p3", "--name Gold-tier-EU-key"}},
			},
		},
		{
			name: "no keys, but another plan with an enabled key covers the stage",
			region: region(keyedOrders(),
				plan("p1", "gold", covers("a1", "prod")),
				plan("p2", "silver", covers("a1", "prod"), planKeys("k1")), apiKey("k1", true)),
			want: []expect{{Finding: planFinding(Warning, "p1", "gold"), msg: []string{"has no API keys"}, fix: []string{newKey}}},
		},
		{
			// Critical or warning depends on the unread plan: silence, not a guessed severity.
			name: "no keys, another plan's keys are unread: silent",
			region: region(keyedOrders(),
				plan("p1", "gold", covers("a1", "prod")),
				plan("p2", "silver", covers("a1", "prod"), planKeysUnread())),
		},
		{
			name: "no keys, another plan's keys are unread but a third has an enabled key: warning",
			region: region(keyedOrders(),
				plan("p1", "gold", covers("a1", "prod")),
				plan("p2", "silver", covers("a1", "prod"), planKeysUnread()),
				plan("p3", "bronze", covers("a1", "prod"), planKeys("k1")), apiKey("k1", true)),
			want: []expect{{Finding: planFinding(Warning, "p1", "gold"), fix: []string{newKey}}},
		},
		{
			name: "no keys, the stage's snapshot is unread: silent",
			region: region(
				api("a1", "orders", withResource("r1", "/orders", get(keyRequired())), withStage("prod", "d1"), withListedDeployment("d1", t0)),
				plan("p1", "gold", covers("a1", "prod"))),
		},
		{
			name: "no keys, the API is gone: warning",
			region: region(keyedOrders(),
				plan("p1", "gold", covers("a9", "prod"))),
			want: []expect{{Finding: planFinding(Warning, "p1", "gold"), fix: []string{newKey}}},
		},
		{
			name:   "no keys, the API list is unread: silent",
			region: region(keyedOrders(), regionUnread(inventory.OpGetRestApis), plan("p1", "gold", covers("a1", "prod"))),
		},
		{
			name:   "no keys, the covered API's stages are unread: silent",
			region: region(api("a1", "orders", apiUnread(inventory.OpGetStages)), plan("p1", "gold", covers("a1", "prod"))),
		},
		{
			name: "only disabled-looking keys while the key list is unread: silent",
			region: region(keyedOrders(), regionUnread(inventory.OpGetAPIKeys),
				plan("p1", "gold", covers("a1", "prod"), planKeys("k1"))),
		},
		{
			name: "key list not read: a plan without keys is still known",
			region: region(keyedOrders(), regionUnread(inventory.OpGetAPIKeys),
				plan("p1", "gold", covers("a1", "prod")),
				plan("p2", "silver", covers("a1", "dev"), planKeys("k1"))),
			want: []expect{{Finding: planFinding(Critical, "p1", "gold"), msg: []string{"has no API keys"}, fix: []string{newKey}}},
		},
		{
			name: "plans with an enabled key, or a key missing from the key list",
			region: region(keyedOrders(),
				plan("p1", "gold", covers("a1", "prod"), planKeys("k1", "k2")), apiKey("k1", false), apiKey("k2", true),
				plan("p2", "silver", covers("a1", "prod"), planKeys("k-new"))),
		},
		{
			name:   "plan keys not read: silent",
			region: region(keyedOrders(), plan("p1", "gold", covers("a1", "prod"), planKeysUnread())),
		},
		{
			name:   "usage plans not read: silent",
			region: region(keyedOrders(), regionUnread(inventory.OpGetUsagePlans)),
		},
		{name: "empty region", region: region()},
	})
}

func TestAPIKeyWithoutPlan(t *testing.T) {
	prod := Finding{Severity: Critical, APIID: "a1", APIName: "orders", Stage: "prod"}
	runCases(t, apiKeyWithoutPlan, []checkCase{
		{
			name:   "key-required stage and no usage plan at all",
			region: region(keyedOrders()),
			want: []expect{{
				Finding: prod,
				msg:     []string{`stage "prod" serves 2 method(s) that require an API key (GET /orders, POST /orders)`, "no usage plan covers it", "403 Forbidden"},
				fix: []string{
					"aws apigateway create-usage-plan --name orders-prod --api-stages apiId=a1,stage=prod --query id --output text --region eu-west-1",
					"aws apigateway create-usage-plan-key --usage-plan-id $(",
					"--key-type API_KEY --key-id $(aws apigateway create-api-key --name orders-prod-key --enabled --query id --output text --region eu-west-1)",
				},
			}},
		},
		{
			name:   "a plan covers another stage of the API: extend it",
			region: region(keyedOrders(), plan("p1", "gold", covers("a1", "dev"), planKeys("k1")), apiKey("k1", true)),
			want: []expect{{
				Finding: prod,
				msg:     []string{"no usage plan covers it"},
				fix:     []string{"aws apigateway update-usage-plan --usage-plan-id p1 --patch-operations op=add,path=/apiStages,value=a1:prod --region eu-west-1"},
			}},
		},
		{
			name: "a plan covering a stage of the same name on another API does not count",
			region: region(keyedOrders(),
				api("a2", "billing", withStage("prod", "d1"), withDeployment("d1", t0)),
				plan("p1", "gold", covers("a2", "prod"))),
			want: []expect{{Finding: prod, fix: []string{"create-usage-plan --name orders-prod --api-stages apiId=a1,stage=prod"}}},
		},
		{
			name: "many key-required methods are summarised",
			region: region(api("a1", "orders",
				withStage("prod", "d1"),
				withDeployment("d1", t0, at("/a", "GET key", "POST key"), at("/b", "DELETE key", "GET key"), at("/c", "PUT key"), at("/d", "GET")))),
			want: []expect{{Finding: prod, msg: []string{"serves 5 method(s)", "(GET /a, POST /a, DELETE /b and 2 more)"}}},
		},
		{
			name:   "covered by a plan, even one without keys",
			region: region(keyedOrders(), plan("p1", "gold", covers("a1", "prod"))),
		},
		{
			name: "key required only in the working definition, not deployed",
			region: region(api("a1", "orders",
				withResource("r1", "/orders", get(keyRequired())),
				withStage("prod", "d1"), withDeployment("d1", t0, at("/orders", "GET")))),
		},
		{
			name: "snapshot unread or no deployment",
			region: region(api("a1", "orders",
				withResource("r1", "/orders", get(keyRequired())),
				withStage("prod", "d1"), withStage("test", ""), withListedDeployment("d1", t0))),
		},
		{
			name:   "usage plans not read: silent",
			region: region(keyedOrders(), regionUnread(inventory.OpGetUsagePlans)),
		},
		{name: "empty region", region: region()},
	})
}

func TestUsagePlanDanglingStage(t *testing.T) {
	runCases(t, usagePlanDanglingStage, []checkCase{
		{
			name:   "plan lists an API that does not exist",
			region: region(keyedOrders(), plan("p1", "gold", covers("a1", "prod"), covers("a9", "prod"))),
			want: []expect{{
				Finding: Finding{Severity: Warning, UsagePlanID: "p1", UsagePlanName: "gold", APIID: "a9", Stage: "prod"},
				msg:     []string{`usage plan "gold" (p1) lists API a9, which does not exist in eu-west-1`, "meters nothing there"},
				fix:     []string{"aws apigateway update-usage-plan --usage-plan-id p1 --patch-operations op=remove,path=/apiStages,value=a9:prod --region eu-west-1"},
			}},
		},
		{
			name:   "plan lists a stage that does not exist",
			region: region(keyedOrders(), plan("p1", "gold", covers("a1", "beta"), covers("a1", "dev"))),
			want: []expect{{
				Finding: Finding{Severity: Warning, UsagePlanID: "p1", UsagePlanName: "gold", APIID: "a1", APIName: "orders", Stage: "beta"},
				msg:     []string{`lists stage "beta" of API "orders" (a1), which does not exist`},
				fix:     []string{"aws apigateway update-usage-plan --usage-plan-id p1 --patch-operations op=remove,path=/apiStages,value=a1:beta --region eu-west-1"},
			}},
		},
		{
			name: "stages that exist, with or without a deployment",
			region: region(keyedOrders(), api("a2", "billing", withStage("prod", "")),
				plan("p1", "gold", covers("a1", "prod"), covers("a1", "dev"), covers("a2", "prod"))),
		},
		{
			name:   "REST APIs not read: silent",
			region: region(regionUnread(inventory.OpGetRestApis), plan("p1", "gold", covers("a1", "prod"))),
		},
		{
			name: "stages of the API not read: silent",
			region: region(api("a1", "orders", apiUnread(inventory.OpGetStages, inventory.OpGetDeployments)),
				plan("p1", "gold", covers("a1", "prod"))),
		},
		{name: "empty region", region: region()},
	})
}
