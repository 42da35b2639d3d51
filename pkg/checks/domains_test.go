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
				msg:          []string{"custom domain api.example.com has no API mapping of any type", "every request to https://api.example.com/ fails"},
				fix:          []string{"aws apigatewayv2 create-api-mapping --domain-name api.example.com --api-mapping-key '' --api-id API --stage STAGE --region eu-west-1"},
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
				msg:     []string{"https://api.example.com/v1 maps to API a9, which does not exist in eu-west-1 (no REST, HTTP or WebSocket API has that id)", "every request to it fails"},
				fix: []string{
					"aws apigateway delete-base-path-mapping --domain-name api.example.com --base-path 'v1' --region eu-west-1 && ",
					"aws apigatewayv2 create-api-mapping --domain-name api.example.com --api-mapping-key 'v1' --api-id API --stage STAGE --region eu-west-1",
				},
				placeholders: []string{"API", "STAGE"},
			}},
		},
		{
			name:   "mapping to a stage that does not exist",
			region: region(orders, domain(d, mapping("orders", "a1", "beta"))),
			want: []expect{{
				Finding:      mapped(Critical, "orders", "a1", "orders", "beta"),
				msg:          []string{`https://api.example.com/orders maps to stage "beta" of REST API "orders" (a1), which does not exist`, `(the API's stages are "dev", "prod", "test")`},
				fix:          []string{"aws apigateway update-base-path-mapping --domain-name api.example.com --base-path 'orders' --patch-operations op=replace,path=/stage,value=STAGE --region eu-west-1"},
				placeholders: []string{"STAGE"},
			}},
		},
		{
			name:   "mapping to a missing stage of an API with one stage points it there",
			region: region(api("a2", "billing", withStage("live", "d1"), withDeployment("d1", t0)), domain(d, mapping("pay", "a2", "prod"))),
			want: []expect{{
				Finding: mapped(Critical, "pay", "a2", "billing", "prod"),
				msg:     []string{`https://api.example.com/pay maps to stage "prod" of REST API "billing" (a2), which does not exist`},
				fix:     []string{"aws apigateway update-base-path-mapping --domain-name api.example.com --base-path 'pay' --patch-operations op=replace,path=/stage,value=live --region eu-west-1"},
			}},
		},
		{
			name:   "mapping to a stage of an API without stages",
			region: region(api("a2", "billing"), domain(d, mapping("(none)", "a2", "prod"))),
			want: []expect{{
				Finding: mapped(Critical, "(none)", "a2", "billing", "prod"),
				msg:     []string{`https://api.example.com/ maps to stage "prod" of REST API "billing" (a2), which does not exist`},
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
					msg:     []string{`https://api.example.com/orders maps to stage "test" of REST API "orders" (a1), which has no deployment`},
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
					msg:          []string{`https://api.example.com/ maps to REST API "orders" (a1) without a stage`, "(https://api.example.com/STAGE/...)", "403 Missing Authentication Token"},
					fix:          []string{"aws apigateway update-base-path-mapping --domain-name api.example.com --base-path '(none)' --patch-operations op=replace,path=/stage,value=STAGE --region eu-west-1"},
					placeholders: []string{"STAGE"},
				},
				{
					Finding: mapped(Info, "billing", "a2", "billing", ""),
					msg:     []string{"https://api.example.com/billing maps to REST API \"billing\" (a2) without a stage"},
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
			name:   "HTTP and WebSocket APIs not read: a mapping to no REST API is not judged",
			region: region(orders, regionUnread(inventory.OpGetApis), domain(d, mapping("v1", "h9", "prod"))),
		},
		{
			// One domain, one namespace: REST, HTTP and WebSocket mappings, multi-level keys
			// among them, all leading to a stage that exists.
			name: "mixed domain, every mapping healthy",
			region: region(orders, v2API("h1", "carts", "HTTP", "$default", "prod"), v2API("w1", "chat", "WEBSOCKET", "live"),
				domain(d, mapping("orders", "a1", "prod"), mapping("orders/v2", "a1", "dev"), mapping("carts", "h1", "$default"),
					mapping("carts/v2", "h1", "prod"), mapping("chat", "w1", "live"))),
		},
		{
			name: "mapping to a deleted stage of an HTTP API, read with v2",
			region: region(v2API("h1", "carts", "HTTP", "prod"),
				domain(d, inventory.BasePathMapping{BasePath: "carts/v2", APIID: "h1", Stage: "beta", MappingID: "m1"})),
			want: []expect{{
				Finding: mapped(Critical, "carts/v2", "h1", "carts", "beta"),
				msg:     []string{`https://api.example.com/carts/v2 maps to stage "beta" of HTTP API "carts" (h1), which does not exist`},
				fix:     []string{"aws apigatewayv2 update-api-mapping --domain-name api.example.com --api-mapping-id m1 --api-id h1 --stage prod --region eu-west-1"},
			}},
		},
		{
			name: "mapping to a deleted stage of a WebSocket API with two stages",
			region: region(v2API("w1", "chat", "WEBSOCKET", "live", "test"),
				domain(d, inventory.BasePathMapping{BasePath: "chat", APIID: "w1", Stage: "beta", MappingID: "m2"})),
			want: []expect{{
				Finding: mapped(Critical, "chat", "w1", "chat", "beta"),
				msg:     []string{`of WEBSOCKET API "chat" (w1), which does not exist`},
				fix:     []string{"aws apigatewayv2 delete-api-mapping --domain-name api.example.com --api-mapping-id m2 --region eu-west-1"},
			}},
		},
		{
			name: "mapping to an HTTP API whose stages were not read: silent",
			region: region(func(r *inventory.Region) {
				r.V2APIs = append(r.V2APIs, inventory.V2API{ID: "h1", Name: "carts", ProtocolType: "HTTP", Unread: []string{inventory.OpGetStages}})
			}, domain(d, mapping("carts", "h1", "beta"))),
		},
		{
			// v2 denied: the v1 fallback sees REST mappings only, so "no mapping at all" is not
			// known, and what it does see is still judged.
			name: "v1 fallback: no mapping is not known, a REST mapping is judged",
			region: region(orders,
				domainRead(inventory.DomainName{Name: "www.example.com", MappingsSource: inventory.OpGetBasePathMappings, Mappings: []inventory.BasePathMapping{}}),
				domainRead(inventory.DomainName{Name: d, MappingsSource: inventory.OpGetBasePathMappings, Mappings: []inventory.BasePathMapping{mapping("v1", "a9", "prod")}})),
			want: []expect{{
				Finding:      mapped(Critical, "v1", "a9", "", "prod"),
				fix:          []string{"aws apigateway create-base-path-mapping --domain-name api.example.com --base-path 'v1' --rest-api-id API --stage STAGE --region eu-west-1"},
				placeholders: []string{"API", "STAGE"},
			}},
		},
		{
			name: "private custom domain name: read with v1 and its id, judged, commands name the id",
			region: region(api("p1", "internal", endpoint("PRIVATE"), withStage("prod", "d1"), withListedDeployment("d1", t0)),
				domainRead(inventory.DomainName{Name: "private.example.com", DomainNameID: "abc123", EndpointTypes: []string{"PRIVATE"}, MappingsSource: inventory.OpGetBasePathMappings,
					Mappings: []inventory.BasePathMapping{mapping("(none)", "p1", "prod"), mapping("old", "p1", "gone")}})),
			want: []expect{{
				Finding: Finding{Severity: Critical, Domain: "private.example.com", BasePath: "old", APIID: "p1", APIName: "internal", Stage: "gone"},
				msg:     []string{`https://private.example.com/old maps to stage "gone" of REST API "internal" (p1)`},
				fix:     []string{"aws apigateway update-base-path-mapping --domain-name private.example.com --domain-name-id abc123 --base-path 'old' --patch-operations op=replace,path=/stage,value=prod --region eu-west-1"},
			}},
		},
		{
			name:   "mappings not read: silent",
			region: region(orders, domainMappingsUnread(d)),
		},
		{name: "empty region", region: region()},
	})
}

func TestDomainTLSOutdated(t *testing.T) {
	withPolicy := func(name, policy string, endpoint string, mappings ...inventory.BasePathMapping) regionOpt {
		return domainRead(inventory.DomainName{Name: name, SecurityPolicy: policy, EndpointTypes: []string{endpoint}, MappingsSource: inventory.OpGetApiMappings,
			Mappings: append([]inventory.BasePathMapping{}, mappings...)})
	}
	orders := api("a1", "orders", withStage("prod", "d1"), withListedDeployment("d1", t0))
	runCases(t, domainTLSOutdated, []checkCase{
		{
			name:   "TLS 1.0 is a warning, whatever is mapped",
			region: region(orders, v2API("h1", "carts", "HTTP", "prod"), withPolicy("old.example.com", "TLS_1_0", "REGIONAL", mapping("carts", "h1", "prod"))),
			want: []expect{{
				Finding: Finding{Severity: Warning, Domain: "old.example.com"},
				msg:     []string{"uses security policy TLS_1_0", "TLS 1.0 and 1.1"},
				fix:     []string{"aws apigateway update-domain-name --domain-name old.example.com --patch-operations op=replace,path=/securityPolicy,value=TLS_1_2 --region eu-west-1"},
			}},
		},
		{
			name:   "legacy TLS 1.2 on a REST-only regional domain: an enhanced, post-quantum policy could be used",
			region: region(orders, withPolicy("api.example.com", "TLS_1_2", "REGIONAL", mapping("orders", "a1", "prod"))),
			want: []expect{{
				Finding: Finding{Severity: Info, Domain: "api.example.com"},
				msg:     []string{"legacy security policy TLS_1_2", "SecurityPolicy_TLS13_1_2_PFS_PQ_2025_09"},
				fix:     []string{"value=SecurityPolicy_TLS13_1_2_PFS_PQ_2025_09 op=replace,path=/endpointAccessMode,value=STRICT"},
			}},
		},
		{
			name:   "legacy TLS 1.2 on an edge domain names the edge policy",
			region: region(withPolicy("edge.example.com", "TLS_1_2", "EDGE")),
			want:   []expect{{Finding: Finding{Severity: Info, Domain: "edge.example.com"}, msg: []string{"SecurityPolicy_TLS13_2025_EDGE"}}},
		},
		{
			name:   "an HTTP or WebSocket mapping keeps TLS_1_2, the only policy that serves it",
			region: region(v2API("h1", "carts", "HTTP", "prod"), withPolicy("api.example.com", "TLS_1_2", "REGIONAL", mapping("carts", "h1", "prod"))),
		},
		{
			name: "mappings unread, or read with v1 only, or naming an API of an unread list: TLS_1_2 is not judged",
			region: region(regionUnread(inventory.OpGetApis), domainMappingsUnread("a.example.com"),
				domainRead(inventory.DomainName{Name: "b.example.com", SecurityPolicy: "TLS_1_2", MappingsSource: inventory.OpGetBasePathMappings, Mappings: []inventory.BasePathMapping{}}),
				withPolicy("c.example.com", "TLS_1_2", "REGIONAL", mapping("x", "h9", "prod"))),
		},
		{
			name:   "enhanced policies pass",
			region: region(withPolicy("new.example.com", "SecurityPolicy_TLS13_1_3_2025_09", "REGIONAL"), withPolicy("pq.example.com", "SecurityPolicy_TLS13_1_2_PFS_PQ_2025_09", "REGIONAL")),
		},
	})
}
