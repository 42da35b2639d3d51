package checks

import (
	"testing"

	"github.com/apigw-drift/driftaudit/pkg/inventory"
)

func TestBasePathGap(t *testing.T) {
	const d = "api.example.com"
	orders := api("a1", "orders",
		withStage("dev", "d2"), withStage("prod", "d1"), withStage("test", ""),
		withListedDeployment("d1", t0), withDeployment("d2", t1))
	mapped := func(sev Severity, basePath, apiID, apiName, stage string) Finding {
		return Finding{Severity: sev, Domain: d, BasePath: basePath, APIID: apiID, APIName: apiName, Stage: stage}
	}
	runCases(t, basePathGap, []checkCase{
		{
			name:   "domain without any mapping",
			region: region(orders, domain(d)),
			want: []expect{{
				Finding:      Finding{Severity: Warning, Domain: d},
				msg:          []string{"custom domain api.example.com has no base path mapping", "every request to https://api.example.com/ fails"},
				fix:          []string{"aws apigateway create-base-path-mapping --domain-name api.example.com --rest-api-id API --stage STAGE --region eu-west-1"},
				placeholders: []string{"API", "STAGE"},
			}},
		},
		{
			name:   "REST APIs not read: a domain without mappings is still known",
			region: region(regionUnread(inventory.OpGetRestApis), domain(d)),
			want:   []expect{{Finding: Finding{Severity: Warning, Domain: d}, placeholders: []string{"API", "STAGE"}}},
		},
		{
			name:   "mapping to an API that does not exist",
			region: region(orders, domain(d, mapping("v1", "a9", "prod"))),
			want: []expect{{
				Finding: mapped(Critical, "v1", "a9", "", "prod"),
				msg:     []string{"https://api.example.com/v1 maps to API a9, which does not exist in eu-west-1", "every request to it fails"},
				fix: []string{
					"aws apigateway delete-base-path-mapping --domain-name api.example.com --base-path 'v1' --region eu-west-1 && ",
					"aws apigateway create-base-path-mapping --domain-name api.example.com --base-path 'v1' --rest-api-id API --stage STAGE --region eu-west-1",
				},
				placeholders: []string{"API", "STAGE"},
			}},
		},
		{
			name:   "mapping to a stage that does not exist",
			region: region(orders, domain(d, mapping("orders", "a1", "beta"))),
			want: []expect{{
				Finding:      mapped(Critical, "orders", "a1", "orders", "beta"),
				msg:          []string{`https://api.example.com/orders maps to stage "beta" of API "orders" (a1), which does not exist`, `(the API's stages are "dev", "prod", "test")`},
				fix:          []string{"aws apigateway update-base-path-mapping --domain-name api.example.com --base-path 'orders' --patch-operations op=replace,path=/stage,value=STAGE --region eu-west-1"},
				placeholders: []string{"STAGE"},
			}},
		},
		{
			name:   "mapping to a missing stage of an API with one stage points it there",
			region: region(api("a2", "billing", withStage("live", "d1"), withDeployment("d1", t0)), domain(d, mapping("pay", "a2", "prod"))),
			want: []expect{{
				Finding: mapped(Critical, "pay", "a2", "billing", "prod"),
				msg:     []string{`https://api.example.com/pay maps to stage "prod" of API "billing" (a2), which does not exist`},
				fix:     []string{"aws apigateway update-base-path-mapping --domain-name api.example.com --base-path 'pay' --patch-operations op=replace,path=/stage,value=live --region eu-west-1"},
			}},
		},
		{
			name:   "mapping to a stage of an API without stages",
			region: region(api("a2", "billing"), domain(d, mapping("(none)", "a2", "prod"))),
			want: []expect{{
				Finding: mapped(Critical, "(none)", "a2", "billing", "prod"),
				msg:     []string{`https://api.example.com/ maps to stage "prod" of API "billing" (a2), which does not exist`},
				fix:     []string{"aws apigateway delete-base-path-mapping --domain-name api.example.com --base-path '(none)' --region eu-west-1"},
			}},
		},
		{
			name: "mapping to a stage without a deployment, or on a deleted one",
			region: region(orders, api("a2", "billing", withStage("prod", "gone"), withDeployment("d1", t0)),
				domain(d, mapping("orders", "a1", "test"), mapping("billing", "a2", "prod"))),
			want: []expect{
				{
					Finding: mapped(Critical, "orders", "a1", "orders", "test"),
					msg:     []string{`https://api.example.com/orders maps to stage "test" of API "orders" (a1), which has no deployment`},
					fix:     []string{"aws apigateway create-deployment --rest-api-id a1 --stage-name test --region eu-west-1"},
				},
				{
					Finding: mapped(Critical, "billing", "a2", "billing", "prod"),
					msg:     []string{"which has no deployment"},
					fix:     []string{"aws apigateway create-deployment --rest-api-id a2 --stage-name prod --region eu-west-1"},
				},
			},
		},
		{
			name: "mappings without a stage",
			region: region(orders, api("a2", "billing", withStage("prod", "d1"), withDeployment("d1", t0)),
				domain(d, mapping("(none)", "a1", ""), mapping("billing", "a2", ""))),
			want: []expect{
				{
					Finding:      mapped(Info, "(none)", "a1", "orders", ""),
					msg:          []string{`https://api.example.com/ maps to API "orders" (a1) without a stage`, "(https://api.example.com/STAGE/...)", "403 Missing Authentication Token"},
					fix:          []string{"aws apigateway update-base-path-mapping --domain-name api.example.com --base-path '(none)' --patch-operations op=replace,path=/stage,value=STAGE --region eu-west-1"},
					placeholders: []string{"STAGE"},
				},
				{
					Finding: mapped(Info, "billing", "a2", "billing", ""),
					msg:     []string{"https://api.example.com/billing maps to API \"billing\" (a2) without a stage"},
					fix:     []string{"--base-path 'billing' --patch-operations op=replace,path=/stage,value=prod --region eu-west-1"},
				},
			},
		},
		{
			name: "stages not read: only a mapping without a stage is judged",
			region: region(api("a1", "orders", apiUnread(inventory.OpGetStages, inventory.OpGetDeployments)),
				domain(d, mapping("v1", "a1", "beta"), mapping("v2", "a1", ""))),
			want: []expect{{Finding: mapped(Info, "v2", "a1", "orders", ""), msg: []string{"without a stage"}, placeholders: []string{"STAGE"}}},
		},
		{
			name: "one finding per domain and base path",
			region: region(orders,
				domain(d, mapping("v1", "a9", "prod"), mapping("v2", "a1", "beta"), mapping("v3", "a1", "prod")),
				domain("www.example.com")),
			want: []expect{
				{Finding: mapped(Critical, "v1", "a9", "", "prod"), placeholders: []string{"API", "STAGE"}},
				{Finding: mapped(Critical, "v2", "a1", "orders", "beta"), placeholders: []string{"STAGE"}},
				{Finding: Finding{Severity: Warning, Domain: "www.example.com"}, msg: []string{"https://www.example.com/"}, fix: []string{"--domain-name www.example.com"}, placeholders: []string{"API", "STAGE"}},
			},
		},
		{
			name:   "mappings to stages with a deployment, snapshot read or not",
			region: region(orders, domain(d, mapping("(none)", "a1", "prod"), mapping("v2", "a1", "dev"))),
		},
		{
			name: "deployment list not read: a stage's deploymentId is trusted",
			region: region(api("a1", "orders", apiUnread(inventory.OpGetDeployments), withStage("prod", "d9")),
				domain(d, mapping("(none)", "a1", "prod"))),
		},
		{
			name:   "REST APIs not read: mappings are not judged",
			region: region(regionUnread(inventory.OpGetRestApis), domain(d, mapping("v1", "a9", "prod"), mapping("v2", "a9", ""))),
		},
		{
			name:   "mappings not read: silent",
			region: region(orders, domainMappingsUnread(d)),
		},
		{name: "empty region", region: region()},
	})
}
