package checks

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/apigw-drift/driftaudit/pkg/inventory"
)

// at1 locates a finding on stage st of the test API a1 "orders".
func at1(sev Severity, st string) Finding {
	return Finding{Severity: sev, APIID: "a1", APIName: "orders", Stage: st}
}

// orders is API a1 with one GET /orders that needs IAM, and the given options.
func orders(opts ...apiOpt) regionOpt {
	return api("a1", "orders", append([]apiOpt{withResource("r1", "/orders", get(auth("AWS_IAM")))}, opts...)...)
}

func cfgAllowing(types ...string) *Config {
	cfg := DefaultConfig()
	cfg.AllowedEndpointTypes = types
	return &cfg
}

func TestAccessLoggingDisabled(t *testing.T) {
	runCases(t, accessLoggingDisabled, []checkCase{
		{
			name:   "stage without access log destination",
			region: region(orders(withStageSettings("prod", "d1", hygienic(), accessLog("")))),
			want: []expect{{
				Finding:      at1(Warning, "prod"),
				msg:          []string{`stage "prod" has no access log destination`, "https://a1.execute-api.eu-west-1.amazonaws.com/prod", "replace ACCOUNT and LOG-GROUP"},
				fix:          []string{"aws apigateway update-stage --rest-api-id a1 --stage-name prod", `"path":"/accessLogSettings/destinationArn","value":"arn:aws:logs:eu-west-1:ACCOUNT:log-group:LOG-GROUP"`, `"path":"/accessLogSettings/format"`, "$context.requestId", "--region eu-west-1"},
				placeholders: []string{"ACCOUNT", "LOG-GROUP"},
			}},
		},
		{
			name: "one stage of two without, on a PRIVATE API too",
			region: region(orders(endpoint("PRIVATE"),
				withStageSettings("dev", "d1"), withStageSettings("prod", "d1", hygienic()))),
			want: []expect{{Finding: at1(Warning, "dev"), msg: []string{`stage "dev"`}}},
		},
		{name: "CloudWatch Logs destination", region: region(orders(withStageSettings("prod", "d1", accessLog("arn:aws:logs:eu-west-1:123456789012:log-group:orders"))))},
		{name: "Firehose destination", region: region(orders(withStageSettings("prod", "d1", accessLog("arn:aws:firehose:eu-west-1:123456789012:deliverystream/amazon-apigateway-orders"))))},
		{name: "stages unread", region: region(orders(withStageSettings("prod", "d1"), apiUnread(inventory.OpGetStages, inventory.OpGetDeployments)))},
		{name: "no stage", region: region(orders())},
	})
}

func TestExecutionLoggingDisabled(t *testing.T) {
	off := inventory.MethodSetting{LoggingLevel: "OFF", MetricsEnabled: true}
	runCases(t, executionLoggingDisabled, []checkCase{
		{
			name:   "no method settings at all",
			region: region(orders(withStageSettings("prod", "d1", hygienic(), noMethodSettings()))),
			want: []expect{{
				Finding: at1(Info, "prod"),
				msg:     []string{`stage "prod" does not write execution logs`, "*/* logging level is unset", "CloudWatch Logs role"},
				notMsg:  []string{"(only"},
				fix:     []string{"aws apigateway update-stage --rest-api-id a1 --stage-name prod --patch-operations 'op=replace,path=/*/*/logging/loglevel,value=ERROR' --region eu-west-1"},
			}},
		},
		{
			name:   "*/* set for metrics only",
			region: region(orders(withStageSettings("prod", "d1", hygienic(), methodSetting("*/*", inventory.MethodSetting{MetricsEnabled: true})))),
			want:   []expect{{Finding: at1(Info, "prod"), msg: []string{"logging level is unset"}}},
		},
		{
			name:   "*/* OFF, one method logs",
			region: region(orders(withStageSettings("prod", "d1", hygienic(), methodSetting("*/*", off), methodSetting("orders/GET", inventory.MethodSetting{LoggingLevel: "INFO"})))),
			want:   []expect{{Finding: at1(Info, "prod"), msg: []string{"*/* logging level is OFF", "(only orders/GET log)"}}},
		},
		{name: "*/* ERROR", region: region(orders(withStageSettings("prod", "d1", hygienic())))},
		{name: "*/* INFO", region: region(orders(withStageSettings("prod", "d1", hygienic(), methodSetting("*/*", inventory.MethodSetting{LoggingLevel: "INFO"}))))},
		{name: "stages unread", region: region(orders(withStageSettings("prod", "d1"), apiUnread(inventory.OpGetStages)))},
	})
}

func TestDetailedMetricsDisabled(t *testing.T) {
	runCases(t, detailedMetricsDisabled, []checkCase{
		{
			name:   "no method settings",
			region: region(orders(withStageSettings("prod", "d1", hygienic(), noMethodSettings()))),
			want: []expect{{
				Finding: at1(Info, "prod"),
				msg:     []string{`stage "prod" does not enable detailed CloudWatch metrics for */*`, "per method"},
				notMsg:  []string{"(only"},
				fix:     []string{"--rest-api-id a1 --stage-name prod --patch-operations 'op=replace,path=/*/*/metrics/enabled,value=true' --region eu-west-1"},
			}},
		},
		{
			name: "*/* logs but has no metrics; one method has them",
			region: region(orders(withStageSettings("prod", "d1", hygienic(),
				methodSetting("*/*", inventory.MethodSetting{LoggingLevel: "INFO"}), methodSetting("orders/GET", inventory.MethodSetting{MetricsEnabled: true})))),
			want: []expect{{Finding: at1(Info, "prod"), msg: []string{"(only orders/GET have them)"}}},
		},
		{name: "metrics enabled on */*", region: region(orders(withStageSettings("prod", "d1", hygienic())))},
		{name: "stages unread", region: region(orders(withStageSettings("prod", "d1"), apiUnread(inventory.OpGetStages)))},
	})
}

func TestTracingDisabled(t *testing.T) {
	runCases(t, tracingDisabled, []checkCase{
		{
			name:   "tracing off",
			region: region(orders(withStageSettings("prod", "d1", hygienic(), tracing(false)), withStageSettings("dev", "d1", hygienic()))),
			want: []expect{{
				Finding: at1(Info, "prod"),
				msg:     []string{`stage "prod" has X-Ray tracing off`},
				fix:     []string{"aws apigateway update-stage --rest-api-id a1 --stage-name prod --patch-operations op=replace,path=/tracingEnabled,value=true --region eu-west-1"},
			}},
		},
		{name: "tracing on", region: region(orders(withStageSettings("prod", "d1", tracing(true))))},
		{name: "stages unread", region: region(orders(withStageSettings("prod", "d1"), apiUnread(inventory.OpGetStages)))},
	})
}

func TestWAFNotAttached(t *testing.T) {
	wafFix := "aws wafv2 associate-web-acl --web-acl-arn WEB-ACL-ARN --resource-arn arn:aws:apigateway:eu-west-1::/restapis/a1/stages/prod --region eu-west-1"
	runCases(t, wafNotAttached, []checkCase{
		{
			name:   "EDGE API",
			region: region(orders(endpoint("EDGE"), withStageSettings("prod", "d1", hygienic(), webACL("")))),
			want: []expect{{
				Finding:      at1(Info, "prod"),
				msg:          []string{`stage "prod" of an EDGE API has no AWS WAF web ACL`, "REGIONAL-scope web ACL"},
				fix:          []string{wafFix},
				placeholders: []string{"WEB-ACL-ARN"},
			}},
		},
		{
			name:   "REGIONAL API",
			region: region(orders(endpoint("REGIONAL"), withStageSettings("prod", "d1"))),
			want:   []expect{{Finding: at1(Info, "prod"), msg: []string{"of a REGIONAL API has"}, fix: []string{wafFix}}},
		},
		{
			name:   "no endpoint type recorded: EDGE, the default",
			region: region(orders(withStageSettings("prod", "d1"))),
			want:   []expect{{Finding: at1(Info, "prod"), msg: []string{"of an EDGE API (no endpoint type was recorded; EDGE is API Gateway's default) has"}}},
		},
		{
			name:   "PRIVATE beside REGIONAL still has a public endpoint",
			region: region(orders(endpoint("PRIVATE", "REGIONAL"), withStageSettings("prod", "d1"))),
			want:   []expect{{Finding: at1(Info, "prod"), msg: []string{"of a PRIVATE+REGIONAL API has"}}},
		},
		{name: "PRIVATE API", region: region(orders(endpoint("PRIVATE"), withStageSettings("prod", "d1")))},
		{name: "web ACL attached", region: region(orders(endpoint("REGIONAL"), withStageSettings("prod", "d1", hygienic())))},
		{name: "stages unread", region: region(orders(withStageSettings("prod", "d1"), apiUnread(inventory.OpGetStages)))},
	})
}

func TestClientCertificateMissing(t *testing.T) {
	httpAPI := func(opts ...apiOpt) regionOpt {
		return api("a1", "orders", append([]apiOpt{
			withResource("r1", "/orders", get(auth("AWS_IAM"), integration("AWS_PROXY"))),
			withResource("r2", "/{proxy+}", anyM(auth("AWS_IAM"), integration("HTTP_PROXY"))),
		}, opts...)...)
	}
	runCases(t, clientCertificateMissing, []checkCase{
		{
			name:   "HTTP backend, no certificate",
			region: region(httpAPI(withStageSettings("prod", "d1", hygienic(), clientCert("")))),
			want: []expect{{
				Finding: at1(Info, "prod"),
				msg:     []string{`stage "prod" has no client certificate`, "HTTP backend (ANY /{proxy+})", "make the backend require it"},
				notMsg:  []string{"GET /orders"},
				fix:     []string{"aws apigateway update-stage --rest-api-id a1 --stage-name prod --patch-operations op=replace,path=/clientCertificateId,value=$(aws apigateway generate-client-certificate --description a1-prod-backend --query clientCertificateId --output text --region eu-west-1) --region eu-west-1"},
			}},
		},
		{
			name:   "HTTP integration",
			region: region(api("a1", "orders", withResource("r1", "/orders", get(integration("HTTP"))), withStageSettings("prod", "d1"))),
			want:   []expect{{Finding: at1(Info, "prod"), msg: []string{"(GET /orders)"}}},
		},
		{name: "certificate set", region: region(httpAPI(withStageSettings("prod", "d1", hygienic())))},
		{
			name: "Lambda, AWS service and MOCK integrations only",
			region: region(api("a1", "orders",
				withResource("r1", "/orders", get(integration("AWS_PROXY")), post(integration("AWS"))),
				withResource("r2", "/health", get(integration("MOCK")), options()),
				withStageSettings("prod", "d1"))),
		},
		{name: "resources unread", region: region(httpAPI(withStageSettings("prod", "d1"), apiUnread(inventory.OpGetResources)))},
		{name: "stages unread", region: region(httpAPI(withStageSettings("prod", "d1"), apiUnread(inventory.OpGetStages)))},
	})
}

func TestCacheNotEncrypted(t *testing.T) {
	cached := inventory.MethodSetting{LoggingLevel: "ERROR", MetricsEnabled: true, CachingEnabled: true}
	encrypted := inventory.MethodSetting{LoggingLevel: "ERROR", MetricsEnabled: true, CachingEnabled: true, CacheDataEncrypted: true}
	runCases(t, cacheNotEncrypted, []checkCase{
		{
			name:   "*/* caches unencrypted",
			region: region(orders(withStageSettings("prod", "d1", hygienic(), cacheCluster(true), methodSetting("*/*", cached)))),
			want: []expect{{
				Finding: at1(Warning, "prod"),
				msg:     []string{`stage "prod" caches responses unencrypted at rest`, `method settings "*/*"`},
				fix:     []string{"aws apigateway update-stage --rest-api-id a1 --stage-name prod --patch-operations 'op=replace,path=/*/*/caching/dataEncrypted,value=true' --region eu-west-1"},
			}},
		},
		{
			name: "one method's override caches unencrypted, */* is encrypted",
			region: region(orders(withStageSettings("prod", "d1", hygienic(), cacheCluster(true),
				methodSetting("*/*", encrypted), methodSetting("orders/{id}/GET", cached)))),
			want: []expect{{
				Finding: at1(Warning, "prod"),
				msg:     []string{`"orders/{id}/GET"`},
				notMsg:  []string{`"*/*"`},
				fix:     []string{"--patch-operations 'op=replace,path=/orders/{id}/GET/caching/dataEncrypted,value=true' --region"},
			}},
		},
		{
			name: "two keys, one finding, both fixed",
			region: region(orders(withStageSettings("prod", "d1", hygienic(), cacheCluster(true),
				methodSetting("*/*", cached), methodSetting("orders/GET", cached)))),
			want: []expect{{
				Finding: at1(Warning, "prod"),
				msg:     []string{`"*/*", "orders/GET"`},
				fix:     []string{"'op=replace,path=/*/*/caching/dataEncrypted,value=true' op=replace,path=/orders/GET/caching/dataEncrypted,value=true --region"},
			}},
		},
		{name: "cache cluster on, caching disabled", region: region(orders(withStageSettings("prod", "d1", hygienic(), cacheCluster(true))))},
		{name: "cache cluster on, caching enabled and encrypted", region: region(orders(withStageSettings("prod", "d1", cacheCluster(true), methodSetting("*/*", encrypted))))},
		{name: "cache cluster on, no method settings", region: region(orders(withStageSettings("prod", "d1", cacheCluster(true))))},
		{name: "no cache cluster: nothing is cached", region: region(orders(withStageSettings("prod", "d1", methodSetting("*/*", cached))))},
		{name: "stages unread", region: region(orders(withStageSettings("prod", "d1", cacheCluster(true), methodSetting("*/*", cached)), apiUnread(inventory.OpGetStages)))},
	})
}

func TestPublicMethodWithoutAuth(t *testing.T) {
	open := func(opts ...apiOpt) regionOpt {
		return api("a1", "orders", append([]apiOpt{withResource("r1", "/orders", get(), options())}, opts...)...)
	}
	getOrders := Finding{Severity: Warning, APIID: "a1", APIName: "orders", Path: "/orders", Method: "GET"}
	for _, alt := range []string{"op=replace,path=/apiKeyRequired,value=true", "Lambda or Cognito authorizer"} {
		if !strings.Contains(publicMethodWithoutAuth.Remediation, alt) {
			t.Errorf("the catalogue's remediation does not name the alternative %q", alt)
		}
	}
	runCases(t, publicMethodWithoutAuth, []checkCase{
		{
			name: "open GET on an EDGE API, live on prod",
			region: region(open(endpoint("EDGE"),
				withStage("prod", "d1"), withStage("dev", "d2"),
				withDeployment("d1", t0, at("/orders", "GET")), withDeployment("d2", t1, at("/orders", "GET AWS_IAM")))),
			want: []expect{{
				Finding: getOrders,
				msg: []string{"GET /orders of an EDGE API has authorizationType NONE and requires no API key", `live that way on stage "prod")`,
					"a resource policy may still restrict the callers (resource policies are not read by this audit)"},
				notMsg: []string{`"dev"`},
				fix: []string{"aws apigateway update-method --rest-api-id a1 --resource-id r1 --http-method GET --patch-operations op=replace,path=/authorizationType,value=AWS_IAM --region eu-west-1 && " +
					"aws apigateway create-deployment --rest-api-id a1 --stage-name prod --region eu-west-1 && aws apigateway create-deployment --rest-api-id a1 --stage-name dev --region eu-west-1"},
			}},
		},
		{
			name:   "not deployed anywhere: the fix deploys nothing",
			region: region(open(endpoint("REGIONAL"))),
			want: []expect{{
				Finding: getOrders,
				msg:     []string{"of a REGIONAL API"},
				notMsg:  []string{"live that way"},
				fix:     []string{"--patch-operations op=replace,path=/authorizationType,value=AWS_IAM --region eu-west-1"},
			}},
		},
		{
			name: "ANY on a proxy resource and an unset authorization type; OPTIONS left out",
			region: region(api("a1", "orders", withResource("r2", "/{proxy+}", anyM(), options(auth(""))),
				withResource("r3", "/items", post(auth(""))))),
			want: []expect{
				{Finding: Finding{Severity: Warning, APIID: "a1", APIName: "orders", Path: "/{proxy+}", Method: "ANY"}, fix: []string{"--resource-id r2 --http-method ANY"}},
				{Finding: Finding{Severity: Warning, APIID: "a1", APIName: "orders", Path: "/items", Method: "POST"}, fix: []string{"--resource-id r3 --http-method POST"}},
			},
		},
		{name: "PRIVATE API", region: region(open(endpoint("PRIVATE"), withStage("prod", "d1"), withDeployment("d1", t0, at("/orders", "GET"))))},
		{
			name: "IAM, Cognito, Lambda authorizer, API key",
			region: region(api("a1", "orders",
				withResource("r1", "/orders", get(auth("AWS_IAM")), post(auth("COGNITO_USER_POOLS")), del(auth("CUSTOM")), options()),
				withResource("r2", "/public", get(keyRequired())))),
		},
		{name: "OPTIONS only", region: region(api("a1", "orders", withResource("r1", "/orders", options())))},
		{name: "resources unread", region: region(open(apiUnread(inventory.OpGetResources)))},
	})
}

func TestSecretsInStageVariables(t *testing.T) {
	varFinding := at1(Critical, "prod")
	runCases(t, secretsInStageVariables, []checkCase{
		{
			name: "names that say credential",
			region: region(orders(withStageSettings("prod", "d1", hygienic(),
				variable("dbPassword", false), variable("STRIPE_API_KEY", false), variable("client_secret", false),
				variable("authToken", false), variable("apikey", false), variable("region", false)))),
			want: []expect{
				{
					Finding: varFinding,
					msg: []string{`stage "prod" variable "dbPassword" looks like a secret`, "its name says it holds a credential", "rename it to say so, e.g. dbPasswordArn",
						"plain text to anyone allowed apigateway:GET", "rotate the credential"},
					notMsg: []string{"value has the shape"},
					fix: []string{
						`aws apigateway get-stage --rest-api-id a1 --stage-name prod --query 'variables."dbPassword"' --output text --region eu-west-1 | tr -d '\n' | ` +
							"aws secretsmanager create-secret --name apigateway/a1/prod/dbPassword --secret-string file:///dev/stdin --region eu-west-1 && " +
							"aws apigateway update-stage --rest-api-id a1 --stage-name prod --patch-operations op=remove,path=/variables/dbPassword --region eu-west-1"},
				},
				{Finding: varFinding, msg: []string{`variable "STRIPE_API_KEY"`, "e.g. STRIPE_API_KEY_ARN"}, fix: []string{"op=remove,path=/variables/STRIPE_API_KEY"}},
				{Finding: varFinding, msg: []string{`variable "client_secret"`, "e.g. client_secret_arn"}},
				{Finding: varFinding, msg: []string{`variable "authToken"`}},
				{Finding: varFinding, msg: []string{`variable "apikey"`}},
			},
		},
		{
			name:   "name and value",
			region: region(orders(withStageSettings("prod", "d1", variable("githubToken", true)))),
			want:   []expect{{Finding: varFinding, msg: []string{`variable "githubToken"`, "its name says it holds a credential and its value has the shape of one"}}},
		},
		{
			name:   "innocuous name, secret-shaped value",
			region: region(orders(withStageSettings("prod", "d1", variable("backendUrl", true)))),
			want:   []expect{{Finding: varFinding, msg: []string{`variable "backendUrl"`, "its value has the shape of a credential"}, notMsg: []string{"its name"}}},
		},
		{
			name: "references to secrets and other look-alikes",
			region: region(orders(withStageSettings("prod", "d1",
				variable("secretArn", false), variable("dbPasswordArn", false), variable("tokenEndpoint", false), variable("tokenUrl", false),
				variable("passwordParam", false), variable("apiKeyName", false), variable("secretsManagerId", false), variable("kmsKeyId", false),
				variable("cacheKey", false), variable("publicKey", false), variable("accessKeyId", false), variable("tokenTtl", false),
				variable("lambdaAlias", false), variable("bypass", false), variable("passwordPolicy", false)))),
		},
		{name: "stages unread", region: region(orders(withStageSettings("prod", "d1", variable("dbPassword", true)), apiUnread(inventory.OpGetStages)))},
	})
}

// TestSecretsInStageVariablesNeverCarryAValue follows a secret value from the moment the
// collector reads it to every field of the finding: only the variable's name comes out.
func TestSecretsInStageVariablesNeverCarryAValue(t *testing.T) {
	value := "AKIAIOSFODNN7EXAMPLE"
	looksSecret := inventory.LooksLikeSecret(value)
	if !looksSecret {
		t.Fatalf("LooksLikeSecret(%q) = false; the test needs a value that looks secret", value)
	}
	r := region(orders(withStageSettings("prod", "d1", hygienic(), variable("backendUrl", looksSecret), variable("stageLabel", false))))
	got := secretsInStageVariables.Run(r, DefaultConfig())
	if len(got) != 1 {
		t.Fatalf("want one finding, got:\n%s", dump(got))
	}
	f := got[0]
	for what, s := range map[string]string{"message": f.Message, "remediation": f.Remediation} {
		if !strings.Contains(s, "backendUrl") {
			t.Errorf("%s %q does not name the variable", what, s)
		}
		if strings.Contains(s, "stageLabel") {
			t.Errorf("%s %q names another variable", what, s)
		}
	}
	b, err := json.Marshal(struct {
		Region   *inventory.Region
		Findings []Finding
	}{r, got})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+8 <= len(value); i++ {
		if part := value[i : i+8]; strings.Contains(string(b), part) {
			t.Fatalf("the inventory or the finding carries %q, part of the value", part)
		}
	}
}

func TestCredentialName(t *testing.T) {
	for _, tc := range []struct {
		name string
		want bool
	}{
		{"password", true}, {"dbPassword", true}, {"DB_PASSWORD", true}, {"db_pass", true}, {"dbpassword", true},
		{"mysqlPasswd", true}, {"adminPwd", true}, {"passphrase", true}, {"sshKeyPassphrase", true},
		{"secret", true}, {"client_secret", true}, {"clientSecret", true}, {"CLIENTSECRET", true}, {"jwtSecret", true}, {"webhookSecrets", true},
		{"token", true}, {"authToken", true}, {"access_token", true}, {"GITHUB_TOKEN", true}, {"slackBotToken2", true}, {"tokenV2", true}, {"token_2", true}, {"DB_PASSWORD2", true},
		{"api_key", true}, {"apiKey", true}, {"APIKey", true}, {"apikey", true}, {"X_API_KEY", true}, {"stripeApiKey", true},
		{"private_key", true}, {"privateKey", true}, {"access_key", true}, {"aws_secret_access_key", true}, {"signingKey", true},
		{"credential", true}, {"credentials", true}, {"dbCreds", true}, {"passwordValue", true}, {"apiTokenB64", true},

		{"secretArn", false}, {"SECRET_ARN", false}, {"dbPasswordArn", false}, {"secretName", false}, {"secretId", false},
		{"secretsManagerId", false}, {"secretsManagerPath", false}, {"tokenUrl", false}, {"tokenURL", false}, {"tokenEndpoint", false},
		{"token_uri", false}, {"tokenTtl", false}, {"tokenIssuer", false}, {"passwordParam", false}, {"passwordParameterName", false},
		{"passwordPolicy", false}, {"apiKeyName", false}, {"apiKeyHeader", false}, {"apiKeyId", false}, {"accessKeyId", false},
		{"kmsKeyId", false}, {"key", false}, {"cacheKey", false}, {"publicKey", false}, {"s3Key", false}, {"s3BucketKey", false}, {"db2Host", false}, {"idempotencyKey", false},
		{"bypass", false}, {"passThrough", false}, {"compass", false}, {"lambdaAlias", false}, {"region", false}, {"value", false},
		{"", false}, {"_", false}, {"v2", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := credentialName(tc.name); got != tc.want {
				t.Errorf("credentialName(%q) = %t (words %q), want %t", tc.name, got, nameWords(tc.name), tc.want)
			}
		})
	}
}

func TestEndpointTypeNotAllowed(t *testing.T) {
	apiAt := func(sev Severity) Finding { return Finding{Severity: sev, APIID: "a1", APIName: "orders"} }
	runCases(t, endpointTypeNotAllowed, []checkCase{
		{
			name:   "EDGE where REGIONAL and PRIVATE are allowed",
			region: region(orders(endpoint("EDGE"), withStageSettings("prod", "d1"))),
			cfg:    cfgAllowing("REGIONAL", "PRIVATE"),
			want: []expect{{
				Finding: apiAt(Warning),
				msg:     []string{`API "orders" (a1) has endpoint type EDGE, which the configuration does not allow (allowed: REGIONAL, PRIVATE)`},
				notMsg:  []string{"VPC endpoints"},
				fix:     []string{"aws apigateway update-rest-api --rest-api-id a1 --patch-operations op=replace,path=/endpointConfiguration/types/EDGE,value=REGIONAL --region eu-west-1"},
			}},
		},
		{
			name:   "REGIONAL where only PRIVATE is allowed",
			region: region(orders(endpoint("REGIONAL"))),
			cfg:    cfgAllowing("private"),
			want: []expect{{
				Finding: apiAt(Warning),
				msg:     []string{"endpoint type REGIONAL", "(allowed: PRIVATE)", "resource policy that admits its VPC endpoints"},
				fix:     []string{"op=replace,path=/endpointConfiguration/types/REGIONAL,value=PRIVATE"},
			}},
		},
		{
			name:   "no endpoint type recorded: EDGE, the default",
			region: region(orders()),
			cfg:    cfgAllowing("REGIONAL"),
			want:   []expect{{Finding: apiAt(Warning), msg: []string{"has endpoint type EDGE,", "no endpoint type was recorded, and EDGE is API Gateway's default"}, fix: []string{"types/EDGE,value=REGIONAL"}}},
		},
		{name: "all allowed", region: region(orders(endpoint("REGIONAL")), api("a2", "admin", endpoint("PRIVATE"))), cfg: cfgAllowing("REGIONAL", "PRIVATE")},
		{name: "allowed list in lower case", region: region(orders(endpoint("REGIONAL"))), cfg: cfgAllowing(" regional ")},
		{name: "allowed list empty: the check is off", region: region(orders(endpoint("EDGE")))},
		{name: "allowed list of blanks: the check is off", region: region(orders(endpoint("EDGE"))), cfg: cfgAllowing(" ", "")},
	})
}
