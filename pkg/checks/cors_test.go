package checks

import (
	"testing"

	"github.com/apigw-drift/driftaudit/pkg/inventory"
)

func TestMissingOptions(t *testing.T) {
	onPath := func(sev Severity, stage, path string) Finding {
		return Finding{Severity: sev, APIID: "a1", APIName: "shop", Stage: stage, Path: path, Method: "OPTIONS"}
	}
	putOptions := "aws apigateway put-method --rest-api-id a1 --resource-id r2 --http-method OPTIONS --authorization-type NONE --region eu-west-1"
	browserTag := Config{CORSTag: "browser"}
	runCases(t, missingOptions, []checkCase{
		{
			name: "resource declaring Allow-Origin itself is critical",
			region: region(api("a1", "shop",
				withResource("r2", "/orders", get(allowOriginDeclared()), post(allowOriginSet("'https://shop.example.com'"))))),
			want: []expect{{
				Finding: onPath(Critical, "", "/orders"),
				msg:     []string{"/orders has no OPTIONS method", "its own methods declare Access-Control-Allow-Origin", "preflight gets 403"},
				notMsg:  []string{"on stage"},
				fix: []string{
					putOptions,
					"aws apigateway put-integration --rest-api-id a1 --resource-id r2 --http-method OPTIONS --type MOCK",
					"aws apigateway put-method-response --rest-api-id a1 --resource-id r2 --http-method OPTIONS --status-code 200",
					`aws apigateway put-integration-response --rest-api-id a1 --resource-id r2 --http-method OPTIONS --status-code 200`,
					`\"'https://shop.example.com'\"`, `\"'GET,POST,OPTIONS'\"`,
					"aws apigateway create-deployment --rest-api-id a1 --stage-name <stage-name> --region eu-west-1",
				},
				placeholders: []string{"<stage-name>"},
			}},
		},
		{
			name: "another resource's OPTIONS makes it a warning, on the stages too",
			region: region(api("a1", "shop",
				withResource("r1", "/items", get(), options()),
				withResource("r2", "/orders", get(), post()),
				withStage("prod", "d1"),
				withDeployment("d1", t0, at("/items", "GET", "OPTIONS"), at("/orders", "GET", "POST")))),
			want: []expect{{
				Finding: onPath(Warning, "", "/orders"),
				msg:     []string{"/orders has no OPTIONS method", "CORS is intended on this API (/items has an OPTIONS method)", `(on stage "prod" too)`},
				fix:     []string{putOptions, `\"'GET,POST,OPTIONS'\"`, "&& aws apigateway create-deployment --rest-api-id a1 --stage-name prod --region eu-west-1"},
			}},
		},
		{
			name: "another method's Allow-Origin makes it a warning",
			region: region(api("a1", "shop",
				withResource("r1", "/items", get(allowOriginSet("'*'")), options()),
				withResource("r2", "/orders", del()))),
			want: []expect{{
				Finding:      onPath(Warning, "", "/orders"),
				msg:          []string{"CORS is intended on this API (/items has an OPTIONS method)"},
				fix:          []string{putOptions, `\"'DELETE,OPTIONS'\"`},
				placeholders: []string{"<stage-name>"},
			}},
		},
		{
			name: "Allow-Origin only in an integration response is intent",
			region: region(api("a1", "shop",
				withResource("r1", "/items", get(allowOriginSet("'*'"))),
				withResource("r2", "/orders", get()))),
			want: []expect{
				{Finding: onPath(Critical, "", "/items"), msg: []string{"its own methods declare"}, placeholders: []string{"<stage-name>"}},
				{Finding: onPath(Warning, "", "/orders"), msg: []string{"GET /items declares Access-Control-Allow-Origin"}, fix: []string{putOptions}, placeholders: []string{"<stage-name>"}},
			},
		},
		{
			name: "cors=true tag makes every resource a warning",
			region: region(api("a1", "shop", withTag("cors", "True"),
				withResource("r0", "/"),
				withResource("r2", "/orders", get()))),
			want: []expect{{
				Finding:      onPath(Warning, "", "/orders"),
				msg:          []string{"the API is tagged cors=true"},
				fix:          []string{putOptions},
				placeholders: []string{"<stage-name>"},
			}},
		},
		{
			name:   "the tag name is configurable",
			cfg:    &browserTag,
			region: region(api("a1", "shop", withTag("browser", "true"), withResource("r2", "/orders", get()))),
			want: []expect{{
				Finding:      onPath(Warning, "", "/orders"),
				msg:          []string{"tagged browser=true"},
				placeholders: []string{"<stage-name>"},
			}},
		},
		{
			name: "OPTIONS added but not deployed is missing on the stage; its own CORS headers make it critical",
			region: region(api("a1", "shop",
				withResource("r2", "/orders", get(allowOriginDeclared()), options()),
				withResource("r3", "/items", get(), options(noIntegrationResponses())),
				withResource("r4", "/carts", get(), options()),
				withStage("prod", "d1"),
				withDeployment("d1", t0, at("/orders", "GET"), at("/items", "GET"), at("/carts", "GET")))),
			want: []expect{
				{
					Finding: onPath(Critical, "prod", "/orders"),
					msg:     []string{`/orders has OPTIONS in the working definition, but it is not deployed to stage "prod"`, "https://a1.execute-api.eu-west-1.amazonaws.com/prod/orders"},
					fix:     []string{"aws apigateway create-deployment --rest-api-id a1 --stage-name prod --region eu-west-1"},
				},
				{
					Finding: onPath(Critical, "prod", "/carts"),
					msg:     []string{"/carts has OPTIONS in the working definition"},
					fix:     []string{"aws apigateway create-deployment --rest-api-id a1 --stage-name prod --region eu-west-1"},
				},
				{
					Finding: onPath(Warning, "prod", "/items"),
					msg:     []string{"/items has OPTIONS in the working definition, but it is not deployed"},
					fix:     []string{"aws apigateway create-deployment --rest-api-id a1 --stage-name prod --region eu-west-1"},
				},
			},
		},
		{
			name: "resource deleted from the working definition but live without OPTIONS",
			region: region(api("a1", "shop", withTag("cors", "true"),
				withResource("r2", "/orders", get(), options()),
				withStage("prod", "d1"),
				withDeployment("d1", t0, at("/orders", "GET", "OPTIONS"), at("/legacy", "GET")))),
			want: []expect{{
				Finding: onPath(Warning, "prod", "/legacy"),
				msg:     []string{"/legacy was deleted from the working definition but is still live without OPTIONS"},
				notMsg:  []string{"has OPTIONS in the working definition"},
				fix:     []string{"aws apigateway create-deployment --rest-api-id a1 --stage-name prod --region eu-west-1"},
			}},
		},
		{
			name: "resource turned into ANY but not deployed",
			region: region(api("a1", "shop", withTag("cors", "true"),
				withResource("r2", "/orders", anyM()),
				withStage("prod", "d1"),
				withDeployment("d1", t0, at("/orders", "GET")))),
			want: []expect{{
				Finding: onPath(Warning, "prod", "/orders"),
				msg:     []string{`/orders`, `stage "prod"`, "ANY"},
				notMsg:  []string{"has OPTIONS in the working definition"},
				fix:     []string{"aws apigateway create-deployment --rest-api-id a1 --stage-name prod --region eu-west-1"},
			}},
		},
		{
			name: "only the stages that lack OPTIONS are named",
			region: region(api("a1", "shop", withTag("cors", "true"),
				withResource("r2", "/orders", get()),
				withStage("dev", "d2"), withStage("prod", "d1"), withStage("test", "d3"),
				withDeployment("d1", t0, at("/orders", "GET", "OPTIONS")),
				withDeployment("d2", t1, at("/orders", "GET")),
				withListedDeployment("d3", t1))),
			want: []expect{{
				Finding: onPath(Warning, "", "/orders"),
				msg:     []string{`(on stage "dev" too)`},
				notMsg:  []string{"prod", "test"},
				fix:     []string{putOptions},
			}},
		},
		{
			name: "ANY and {proxy+} resources answer the preflight themselves",
			region: region(api("a1", "shop", withTag("cors", "true"),
				withResource("r0", "/"),
				withResource("r1", "/{proxy+}", anyM(allowOriginDeclared())),
				withResource("r2", "/orders", get(), anyM()),
				withStage("prod", "d1"),
				withDeployment("d1", t0, at("/{proxy+}", "ANY"), at("/orders", "GET", "ANY")))),
		},
		{
			name: "no CORS intent: no tag, no OPTIONS, no Allow-Origin",
			region: region(api("a1", "shop", withTag("cors", "false"),
				withResource("r1", "/items", get(), post()),
				withResource("r2", "/orders", get(auth("AWS_IAM"))),
				withStage("prod", "d1"),
				withDeployment("d1", t0, at("/items", "GET"), at("/orders", "GET")))),
		},
		{
			name:   "a tag other than the configured one is no intent",
			cfg:    &browserTag,
			region: region(api("a1", "shop", withTag("cors", "true"), withResource("r2", "/orders", get()))),
		},
		{
			name: "every resource has OPTIONS, in the working definition and on the stage",
			region: region(api("a1", "shop",
				withResource("r0", "/"),
				withResource("r1", "/items", get(allowOriginDeclared()), options()),
				withResource("r2", "/orders", options()),
				withStage("prod", "d1"),
				withDeployment("d1", t0, at("/items", "GET", "OPTIONS"), at("/orders", "OPTIONS")))),
		},
		{
			name: "stage snapshot not read: silent about the stage",
			region: region(api("a1", "shop",
				withResource("r1", "/items", get(allowOriginDeclared()), options()),
				withStage("prod", "d1"), withListedDeployment("d1", t0))),
		},
		{
			name: "working definition not read: silent",
			region: region(api("a1", "shop", withTag("cors", "true"), apiUnread(inventory.OpGetResources),
				withStage("prod", "d1"), withDeployment("d1", t0, at("/orders", "GET")))),
		},
		{name: "empty region", region: region()},
	})
}

func TestOptionsRequiresAuth(t *testing.T) {
	opt := func(stage, path string) Finding {
		return Finding{Severity: Critical, APIID: "a1", APIName: "shop", Stage: stage, Path: path, Method: "OPTIONS"}
	}
	unlock := "aws apigateway update-method --rest-api-id a1 --resource-id r1 --http-method OPTIONS --patch-operations op=replace,path=/authorizationType,value=NONE op=replace,path=/apiKeyRequired,value=false --region eu-west-1"
	runCases(t, optionsRequiresAuth, []checkCase{
		{
			name: "OPTIONS with an authorizer",
			region: region(api("a1", "shop",
				withResource("r1", "/orders", get(), options(auth("COGNITO_USER_POOLS"))),
				withStage("dev", "d1"), withStage("prod", "d1"),
				withDeployment("d1", t0, at("/orders", "GET", "OPTIONS COGNITO_USER_POOLS")))),
			want: []expect{{
				Finding: opt("", "/orders"),
				msg:     []string{"OPTIONS /orders requires authorization COGNITO_USER_POOLS", "browsers never send credentials or keys on a preflight"},
				fix: []string{unlock,
					"&& aws apigateway create-deployment --rest-api-id a1 --stage-name dev --region eu-west-1 && aws apigateway create-deployment --rest-api-id a1 --stage-name prod --region eu-west-1"},
			}},
		},
		{
			name:   "OPTIONS requiring an API key",
			region: region(api("a1", "shop", withResource("r1", "/orders", options(keyRequired())))),
			want: []expect{{
				Finding: opt("", "/orders"), msg: []string{"requires an API key"}, notMsg: []string{"authorization"},
				fix: []string{unlock}, placeholders: []string{"<stage-name>"},
			}},
		},
		{
			name:   "OPTIONS with both, behind a proxy integration",
			region: region(api("a1", "shop", withResource("r1", "/orders", options(auth("CUSTOM"), keyRequired(), integration("AWS_PROXY"))))),
			want: []expect{{
				Finding: opt("", "/orders"), msg: []string{"requires authorization CUSTOM and an API key"},
				fix: []string{unlock}, placeholders: []string{"<stage-name>"},
			}},
		},
		{
			name: "fixed in the working definition but still locked on the stage",
			region: region(api("a1", "shop",
				withResource("r1", "/orders", get(), options()),
				withStage("dev", "d2"), withStage("prod", "d1"),
				withDeployment("d1", t0, at("/orders", "GET", "OPTIONS AWS_IAM key")),
				withDeployment("d2", t1, at("/orders", "GET", "OPTIONS")))),
			want: []expect{{
				Finding: opt("prod", "/orders"),
				msg:     []string{`OPTIONS /orders on stage "prod" still requires authorization AWS_IAM and an API key`, "fixed in the working definition but not deployed"},
				fix:     []string{"aws apigateway create-deployment --rest-api-id a1 --stage-name prod --region eu-west-1"},
				notMsg:  []string{"dev"},
			}},
		},
		{
			name: "locked in both is reported once, on the working definition",
			region: region(api("a1", "shop",
				withResource("r1", "/orders", options(auth("AWS_IAM"))),
				withStage("prod", "d1"), withDeployment("d1", t0, at("/orders", "OPTIONS AWS_IAM")))),
			want: []expect{{Finding: opt("", "/orders"), fix: []string{unlock, "create-deployment --rest-api-id a1 --stage-name prod"}}},
		},
		{
			name: "open OPTIONS, and auth on other methods",
			region: region(api("a1", "shop",
				withResource("r1", "/orders", get(auth("AWS_IAM"), keyRequired()), options(auth(""))),
				withResource("r2", "/{proxy+}", anyM(auth("CUSTOM"))),
				withStage("prod", "d1"), withDeployment("d1", t0, at("/orders", "GET AWS_IAM key", "OPTIONS"), at("/{proxy+}", "ANY CUSTOM")))),
		},
		{
			name: "working definition not read: silent",
			region: region(api("a1", "shop", apiUnread(inventory.OpGetResources),
				withStage("prod", "d1"), withDeployment("d1", t0, at("/orders", "OPTIONS AWS_IAM")))),
		},
		{name: "empty region", region: region()},
	})
}

func TestOptionsMissingCORSHeaders(t *testing.T) {
	opt := func(path string) Finding {
		return Finding{Severity: Warning, APIID: "a1", APIName: "shop", Path: path, Method: "OPTIONS"}
	}
	patch := "aws apigateway update-integration-response --rest-api-id a1 --resource-id r1 --http-method OPTIONS --status-code "
	runCases(t, optionsMissingCORSHeaders, []checkCase{
		{
			name: "MOCK OPTIONS without integration responses",
			region: region(api("a1", "shop",
				withResource("r1", "/orders", get(), options(noIntegrationResponses())),
				withStage("prod", "d1"), withDeployment("d1", t0, at("/orders", "GET", "OPTIONS")))),
			want: []expect{{
				Finding: opt("/orders"),
				msg:     []string{"the preflight response of /orders has no Access-Control-Allow-Origin; no Access-Control-Allow-Methods; no Access-Control-Allow-Headers", "browsers reject the preflight"},
				fix: []string{"aws apigateway put-method-response --rest-api-id a1 --resource-id r1 --http-method OPTIONS --status-code 200 --response-parameters method.response.header.Access-Control-Allow-Origin=false,method.response.header.Access-Control-Allow-Methods=false,method.response.header.Access-Control-Allow-Headers=false --region eu-west-1",
					`aws apigateway put-integration-response --rest-api-id a1 --resource-id r1 --http-method OPTIONS --status-code 200 --response-parameters "{\"method.response.header.Access-Control-Allow-Origin\":\"'*'\",\"method.response.header.Access-Control-Allow-Methods\":\"'GET,OPTIONS'\"`,
					"--region eu-west-1 && aws apigateway create-deployment --rest-api-id a1 --stage-name prod --region eu-west-1"},
			}},
		},
		{
			name:   "one header missing",
			region: region(api("a1", "shop", withResource("r1", "/orders", get(), options(preflightHeaders("'*'", "'GET,OPTIONS'", ""))))),
			want: []expect{{
				Finding:      opt("/orders"),
				msg:          []string{"has no Access-Control-Allow-Headers"},
				notMsg:       []string{"Allow-Origin", "Allow-Methods"},
				fix:          []string{patch + "200", `\"op\":\"add\",\"path\":\"/responseParameters/method.response.header.Access-Control-Allow-Headers\"`},
				placeholders: []string{"<stage-name>"},
			}},
		},
		{
			name:   "Allow-Methods omits methods of the resource",
			region: region(api("a1", "shop", withResource("r1", "/orders", get(), post(), del(), options(preflightHeaders("'*'", "'GET,OPTIONS'", "'Content-Type'"))))),
			want: []expect{{
				Finding:      opt("/orders"),
				msg:          []string{"Access-Control-Allow-Methods 'GET,OPTIONS' omits DELETE, POST"},
				fix:          []string{patch + "200", `{\"op\":\"replace\",\"path\":\"/responseParameters/method.response.header.Access-Control-Allow-Methods\",\"value\":\"'DELETE,GET,OPTIONS,POST'\"}`},
				placeholders: []string{"<stage-name>"},
			}},
		},
		{
			name: "headers only on a non-200 response",
			region: region(api("a1", "shop", withResource("r1", "/orders", get(),
				options(noIntegrationResponses(), intResponse("204", allowOrigin, "'*'"), intResponse("204", allowMethods, "'GET,OPTIONS'"), intResponse("400", allowOrigin, "'*'"))))),
			want: []expect{{
				Finding: opt("/orders"), msg: []string{"no Access-Control-Allow-Headers"}, notMsg: []string{"no Access-Control-Allow-Origin"},
				fix: []string{patch + "204 "}, placeholders: []string{"<stage-name>"},
			}},
		},
		{
			name: "complete preflight responses",
			region: region(api("a1", "shop",
				withResource("r1", "/orders", get(), post(), options()),
				withResource("r2", "/items", get(), post(), options(preflightHeaders("'https://a.example'", "'*'", "'*'"))),
				withResource("r3", "/carts", get(), post(), options(preflightHeaders("'*'", "' get , post '", "'*'"))),
				withResource("r4", "/dyn", get(), del(), options(preflightHeaders("'*'", "integration.response.header.Allow", "'*'"))),
				withResource("r5", "/{proxy+}", anyM(), options(preflightHeaders("'*'", "'OPTIONS'", "'*'"))),
				withResource("r6", "/lower", get(), options(noIntegrationResponses(),
					intResponse("200", "access-control-allow-origin", "'*'"), intResponse("200", "access-control-allow-methods", "'GET'"), intResponse("200", "access-control-allow-headers", "'*'"))))),
		},
		{
			name: "proxy integrations answer the preflight themselves",
			region: region(api("a1", "shop",
				withResource("r1", "/orders", get(), options(integration("AWS_PROXY"), noIntegrationResponses())),
				withResource("r2", "/items", get(), options(integration("HTTP_PROXY"), noIntegrationResponses())))),
		},
		{
			name:   "no OPTIONS method: not this check's business",
			region: region(api("a1", "shop", withTag("cors", "true"), withResource("r1", "/orders", get()))),
		},
		{
			name:   "working definition not read: silent",
			region: region(api("a1", "shop", apiUnread(inventory.OpGetResources))),
		},
		{name: "empty region", region: region()},
	})
}
