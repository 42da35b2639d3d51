package checks

import (
	"fmt"
	"slices"
	"strings"

	"github.com/apigw-drift/driftaudit/pkg/inventory"
)

// The stage hygiene family (CHECKS.md section 5): what Prowler, AWS Config, Security Hub and
// friends check on API Gateway REST APIs, judged from the stage and API data the collector
// already reads (GetRestApis, GetStages, GetResources), with no extra API call.

// allMethodsKey is the method settings key that applies to every method of a stage.
const allMethodsKey = "*/*"

// defaultEndpointType is what API Gateway gives a REST API created without an endpoint
// configuration; an API whose types were not recorded is taken to have it.
const defaultEndpointType = "EDGE"

// endpointTypes returns the API's endpoint types, upper-cased, or the default when none was
// recorded.
func endpointTypes(api *inventory.API) []string {
	if len(api.EndpointTypes) == 0 {
		return []string{defaultEndpointType}
	}
	types := make([]string, len(api.EndpointTypes))
	for i, t := range api.EndpointTypes {
		types[i] = strings.ToUpper(strings.TrimSpace(t))
	}
	return types
}

// isPrivateAPI reports whether the API can be reached only through VPC endpoints: every one of
// its endpoint types is PRIVATE. An API listing PRIVATE beside EDGE or REGIONAL still has a
// public endpoint, so it counts as non-PRIVATE.
func isPrivateAPI(api *inventory.API) bool {
	for _, t := range endpointTypes(api) {
		if t != "PRIVATE" {
			return false
		}
	}
	return true
}

// anEndpoint names the API's endpoint for messages, with its article: "an EDGE API", "a
// REGIONAL API", and says when the type is API Gateway's default rather than recorded.
func anEndpoint(api *inventory.API) string {
	label := strings.Join(endpointTypes(api), "+")
	article := "a"
	if strings.HasPrefix(label, "E") {
		article = "an"
	}
	s := article + " " + label + " API"
	if len(api.EndpointTypes) == 0 {
		s += " (no endpoint type was recorded; EDGE is API Gateway's default)"
	}
	return s
}

// updateStage is the update-stage command with shorthand patch operations. An operation whose
// path holds a glob character ("*/*", "{id}") is quoted so that the shell passes it as is; the
// others stay bare, so that a command substitution in a value runs.
func updateStage(region, apiID, stage string, ops ...string) string {
	quoted := make([]string, len(ops))
	for i, op := range ops {
		quoted[i] = op
		if strings.ContainsAny(op, "*?[]{}~") && !strings.Contains(op, "$(") {
			quoted[i] = "'" + op + "'"
		}
	}
	return fmt.Sprintf("aws apigateway update-stage --rest-api-id %s --stage-name %s --patch-operations %s --region %s",
		apiID, stage, strings.Join(quoted, " "), region)
}

// methodSettingPath is the patch path of one method settings key and setting; the key is used
// as API Gateway returns it ("*/*" or "resource/path/METHOD").
func methodSettingPath(key, setting string) string {
	return "/" + key + "/" + setting
}

// overridesWhere lists, for a message, the per-method settings keys for which on holds.
func overridesWhere(st *inventory.Stage, on func(inventory.MethodSetting) bool) []string {
	var keys []string
	for _, key := range sortedKeys(st.MethodSettings) {
		if key != allMethodsKey && on(st.MethodSettings[key]) {
			keys = append(keys, key)
		}
	}
	return keys
}

// accessLogFormat is a JSON access log line with the fields an investigation needs first, in the
// form a JSON patch operation's value takes.
const accessLogFormat = `{\"requestId\":\"$context.requestId\",\"ip\":\"$context.identity.sourceIp\",\"caller\":\"$context.identity.caller\",` +
	`\"user\":\"$context.identity.user\",\"requestTime\":\"$context.requestTime\",\"httpMethod\":\"$context.httpMethod\",` +
	`\"resourcePath\":\"$context.resourcePath\",\"status\":\"$context.status\",\"protocol\":\"$context.protocol\",` +
	`\"responseLength\":\"$context.responseLength\"}`

// logGroupPlaceholder is the access log destination the auditor cannot know: the account and
// the log group are the user's to choose.
func logGroupPlaceholder(region string) string {
	return "arn:aws:logs:" + region + ":ACCOUNT:log-group:LOG-GROUP"
}

var accessLoggingDisabled = Check{
	perAPI:      true,
	ID:          "access-logging-disabled",
	Family:      "hygiene",
	Title:       "Stage has no access logging",
	Severity:    Warning,
	Levels:      "warning",
	LooksAt:     "each stage's access log settings (GetStages accessLogSettings.destinationArn)",
	Remediation: "aws apigateway update-stage --rest-api-id API --stage-name STAGE --patch-operations '[{\"op\":\"replace\",\"path\":\"/accessLogSettings/destinationArn\",\"value\":\"arn:aws:logs:REGION:ACCOUNT:log-group:LOG-GROUP\"},{\"op\":\"replace\",\"path\":\"/accessLogSettings/format\",\"value\":\"...\"}]' --region REGION",
	Peers:       "Steampipe, CloudSploit, checkov CKV_AWS_76",
	run: func(r *inventory.Region, _ Config) []Finding {
		return eachStage(r, func(api *inventory.API, st *inventory.Stage, f Finding) (Finding, bool) {
			if strings.TrimSpace(st.AccessLogDestination) != "" {
				return f, false
			}
			f.Severity = Warning
			f.Message = fmt.Sprintf("stage %q has no access log destination: who called %s, when and with what result is recorded nowhere "+
				"(replace ACCOUNT and LOG-GROUP with the CloudWatch Logs group, or a Firehose stream named amazon-apigateway-..., that should receive them; "+
				"API Gateway's account settings need a CloudWatch Logs role)",
				st.Name, invokeURL(r.Name, api.ID, st.Name, "/"))
			f.Remediation = fmt.Sprintf(`aws apigateway update-stage --rest-api-id %s --stage-name %s --patch-operations '[{"op":"replace","path":"/accessLogSettings/destinationArn","value":"%s"},{"op":"replace","path":"/accessLogSettings/format","value":"%s"}]' --region %s`,
				api.ID, st.Name, logGroupPlaceholder(r.Name), accessLogFormat, r.Name)
			return f, true
		})
	},
}

// executionLogging is the "*/*" logging level, "OFF" when unset.
func executionLogging(st *inventory.Stage) string {
	level := strings.ToUpper(strings.TrimSpace(st.MethodSettings[allMethodsKey].LoggingLevel))
	if level == "" {
		return "OFF"
	}
	return level
}

var executionLoggingDisabled = Check{
	perAPI:      true,
	ID:          "execution-logging-disabled",
	Family:      "hygiene",
	Title:       "Stage execution logging is off",
	Severity:    Info,
	Levels:      "info",
	LooksAt:     "each stage's method settings for */* (GetStages methodSettings loggingLevel)",
	Remediation: "aws apigateway update-stage --rest-api-id API --stage-name STAGE --patch-operations 'op=replace,path=/*/*/logging/loglevel,value=ERROR' --region REGION",
	Peers:       "Prowler, AWS Config, Security Hub APIGateway.1",
	run: func(r *inventory.Region, _ Config) []Finding {
		return eachStage(r, func(api *inventory.API, st *inventory.Stage, f Finding) (Finding, bool) {
			if executionLogging(st) != "OFF" {
				return f, false
			}
			state := "unset"
			if _, ok := st.MethodSettings[allMethodsKey]; ok && st.MethodSettings[allMethodsKey].LoggingLevel != "" {
				state = "OFF"
			}
			f.Severity = Info
			f.Message = fmt.Sprintf("stage %q does not write execution logs: the */* logging level is %s, so integration and authorizer errors leave no trace in CloudWatch Logs",
				st.Name, state)
			if only := overridesWhere(st, func(ms inventory.MethodSetting) bool {
				l := strings.ToUpper(ms.LoggingLevel)
				return l == "ERROR" || l == "INFO"
			}); len(only) > 0 {
				f.Message += fmt.Sprintf(" (only %s log)", summarize(only, 3))
			}
			f.Message += "; API Gateway's account settings need a CloudWatch Logs role"
			f.Remediation = updateStage(r.Name, api.ID, st.Name, "op=replace,path="+methodSettingPath(allMethodsKey, "logging/loglevel")+",value=ERROR")
			return f, true
		})
	},
}

var detailedMetricsDisabled = Check{
	perAPI:      true,
	ID:          "detailed-metrics-disabled",
	Family:      "hygiene",
	Title:       "Stage detailed CloudWatch metrics are off",
	Severity:    Info,
	Levels:      "info",
	LooksAt:     "each stage's method settings for */* (GetStages methodSettings metricsEnabled)",
	Remediation: "aws apigateway update-stage --rest-api-id API --stage-name STAGE --patch-operations 'op=replace,path=/*/*/metrics/enabled,value=true' --region REGION",
	Peers:       "CloudSploit",
	run: func(r *inventory.Region, _ Config) []Finding {
		return eachStage(r, func(api *inventory.API, st *inventory.Stage, f Finding) (Finding, bool) {
			if st.MethodSettings[allMethodsKey].MetricsEnabled {
				return f, false
			}
			f.Severity = Info
			f.Message = fmt.Sprintf("stage %q does not enable detailed CloudWatch metrics for */*: latency, 4XX and 5XX counts exist only for the API and stage as a whole, not per method",
				st.Name)
			if only := overridesWhere(st, func(ms inventory.MethodSetting) bool { return ms.MetricsEnabled }); len(only) > 0 {
				f.Message += fmt.Sprintf(" (only %s have them)", summarize(only, 3))
			}
			f.Remediation = updateStage(r.Name, api.ID, st.Name, "op=replace,path="+methodSettingPath(allMethodsKey, "metrics/enabled")+",value=true")
			return f, true
		})
	},
}

var tracingDisabled = Check{
	perAPI:      true,
	ID:          "tracing-disabled",
	Family:      "hygiene",
	Title:       "Stage X-Ray tracing is off",
	Severity:    Info,
	Levels:      "info",
	LooksAt:     "each stage's tracingEnabled (GetStages)",
	Remediation: "aws apigateway update-stage --rest-api-id API --stage-name STAGE --patch-operations op=replace,path=/tracingEnabled,value=true --region REGION",
	Peers:       "Prowler, AWS Config, Security Hub APIGateway.3",
	run: func(r *inventory.Region, _ Config) []Finding {
		return eachStage(r, func(api *inventory.API, st *inventory.Stage, f Finding) (Finding, bool) {
			if st.TracingEnabled {
				return f, false
			}
			f.Severity = Info
			f.Message = fmt.Sprintf("stage %q has X-Ray tracing off: a slow or failing request cannot be followed from API Gateway into its backend", st.Name)
			f.Remediation = updateStage(r.Name, api.ID, st.Name, "op=replace,path=/tracingEnabled,value=true")
			return f, true
		})
	},
}

// wafNotAttached judges stages of non-PRIVATE APIs only: a PRIVATE API is reachable only from
// VPC endpoints, where the web ACL's job is done by the endpoint and resource policies. An API
// whose endpoint types include EDGE or REGIONAL is non-PRIVATE, whatever else it lists.
var wafNotAttached = Check{
	perAPI:      true,
	ID:          "waf-not-attached",
	Family:      "hygiene",
	Title:       "Public stage has no WAF web ACL",
	Severity:    Info,
	Levels:      "info",
	LooksAt:     "each stage's webAclArn (GetStages) on APIs with an EDGE or REGIONAL endpoint (GetRestApis endpointConfiguration)",
	Remediation: "aws wafv2 associate-web-acl --web-acl-arn WEB-ACL-ARN --resource-arn arn:aws:apigateway:REGION::/restapis/API/stages/STAGE --region REGION",
	Peers:       "Prowler, AWS Config, Security Hub APIGateway.4",
	run: func(r *inventory.Region, _ Config) []Finding {
		return eachStage(r, func(api *inventory.API, st *inventory.Stage, f Finding) (Finding, bool) {
			if isPrivateAPI(api) || strings.TrimSpace(st.WebACLArn) != "" {
				return f, false
			}
			f.Severity = Info
			f.Message = fmt.Sprintf("stage %q of %s has no AWS WAF web ACL: nothing filters or rate-limits requests before they reach the backend "+
				"(replace WEB-ACL-ARN with a REGIONAL-scope web ACL, also for edge-optimized APIs)",
				st.Name, anEndpoint(api))
			f.Remediation = fmt.Sprintf("aws wafv2 associate-web-acl --web-acl-arn WEB-ACL-ARN --resource-arn arn:aws:apigateway:%s::/restapis/%s/stages/%s --region %s",
				r.Name, api.ID, st.Name, r.Name)
			return f, true
		})
	},
}

// httpIntegrations lists "METHOD /path" of the methods of the working definition that call an
// HTTP backend, the only kind that a client certificate authenticates to.
func httpIntegrations(api *inventory.API) []string {
	var out []string
	for _, res := range api.Resources {
		for _, name := range sortedKeys(res.Methods) {
			switch strings.ToUpper(res.Methods[name].IntegrationType) {
			case "HTTP", "HTTP_PROXY":
				out = append(out, name+" "+res.Path)
			}
		}
	}
	return out
}

// clientCertificateMissing judges only APIs that call an HTTP backend: API Gateway presents the
// stage's client certificate to HTTP and HTTP_PROXY integrations and to nothing else, so on an
// API of Lambda, AWS service and MOCK integrations the certificate would change nothing. An API
// whose working definition was not read is not judged.
var clientCertificateMissing = Check{
	perAPI:      true,
	ID:          "client-certificate-missing",
	Family:      "hygiene",
	Title:       "Stage has no client certificate for its HTTP backend",
	Severity:    Info,
	Levels:      "info",
	LooksAt:     "each stage's clientCertificateId (GetStages), on APIs with HTTP or HTTP_PROXY integrations (GetResources)",
	Remediation: "aws apigateway update-stage --rest-api-id API --stage-name STAGE --patch-operations op=replace,path=/clientCertificateId,value=$(aws apigateway generate-client-certificate --query clientCertificateId --output text --region REGION) --region REGION",
	Peers:       "Prowler, Security Hub APIGateway.2",
	run: func(r *inventory.Region, _ Config) []Finding {
		return eachStage(r, func(api *inventory.API, st *inventory.Stage, f Finding) (Finding, bool) {
			if strings.TrimSpace(st.ClientCertificateID) != "" || unread(api.Unread, inventory.OpGetResources) {
				return f, false
			}
			backends := httpIntegrations(api)
			if len(backends) == 0 {
				return f, false
			}
			f.Severity = Info
			f.Message = fmt.Sprintf("stage %q has no client certificate: its HTTP backend (%s) cannot tell requests from API Gateway from anyone else's; "+
				"after generating one, make the backend require it (get-client-certificate returns its PEM)",
				st.Name, summarize(backends, 3))
			f.Remediation = updateStage(r.Name, api.ID, st.Name,
				fmt.Sprintf("op=replace,path=/clientCertificateId,value=$(aws apigateway generate-client-certificate --description %s --query clientCertificateId --output text --region %s)",
					shellWord(api.ID+"-"+st.Name+"-backend"), r.Name))
			return f, true
		})
	},
}

// cacheNotEncrypted judges stages whose cache cluster is enabled: without one nothing is cached,
// whatever the method settings say. It fires when any method settings key ("*/*" or one
// method's override) caches responses without encrypting them, one finding per stage that
// names every such key.
var cacheNotEncrypted = Check{
	perAPI:      true,
	ID:          "cache-not-encrypted",
	Family:      "hygiene",
	Title:       "Stage cache is not encrypted",
	Severity:    Warning,
	Levels:      "warning",
	LooksAt:     "each stage's cacheClusterEnabled and, per method settings key, cachingEnabled and cacheDataEncrypted (GetStages)",
	Remediation: "aws apigateway update-stage --rest-api-id API --stage-name STAGE --patch-operations 'op=replace,path=/*/*/caching/dataEncrypted,value=true' --region REGION",
	Peers:       "Prowler, AWS Config, Security Hub APIGateway.5",
	run: func(r *inventory.Region, _ Config) []Finding {
		return eachStage(r, func(api *inventory.API, st *inventory.Stage, f Finding) (Finding, bool) {
			if !st.CacheClusterEnabled {
				return f, false
			}
			var keys, ops []string
			for _, key := range sortedKeys(st.MethodSettings) {
				if ms := st.MethodSettings[key]; ms.CachingEnabled && !ms.CacheDataEncrypted {
					keys = append(keys, key)
					ops = append(ops, "op=replace,path="+methodSettingPath(key, "caching/dataEncrypted")+",value=true")
				}
			}
			if len(keys) == 0 {
				return f, false
			}
			f.Severity = Warning
			f.Message = fmt.Sprintf("stage %q caches responses unencrypted at rest (method settings %s: caching on, cache data encryption off)",
				st.Name, quoteList(keys))
			f.Remediation = updateStage(r.Name, api.ID, st.Name, ops...)
			return f, true
		})
	},
}

// publicMethodWithoutAuth judges the working definition, one finding per method, because that
// is what the next deployment serves and what update-method fixes; the message names the stages
// whose deployed snapshot serves the method open too. OPTIONS is left out (a preflight must be
// open), and so are PRIVATE APIs and APIs whose resources were not read. The alternatives to IAM
// (an authorizer, an API key) are said once, in the catalogue's remediation, not in each of what
// can be tens of thousands of findings.
//
// The inventory does not keep the API's resource policy, which can restrict an open method to
// some source IPs, VPCs or accounts. The check fires anyway, at warning rather than critical,
// and its message says a resource policy may narrow the callers: an open method with no
// policy behind it is the common case and the one that must not be missed, and a method that a
// policy protects on purpose is what a suppression is for.
var publicMethodWithoutAuth = Check{
	perAPI:   true,
	ID:       "public-method-without-auth",
	Family:   "hygiene",
	Title:    "Public method needs no authorization and no API key",
	Severity: Warning,
	Levels:   "warning",
	LooksAt: "the working definition's methods (GetResources embed=methods: authorizationType, apiKeyRequired) on APIs with an EDGE or REGIONAL endpoint; " +
		"OPTIONS is left out; resource policies are not read",
	Remediation: "aws apigateway update-method --rest-api-id API --resource-id RESOURCE --http-method METHOD --patch-operations op=replace,path=/authorizationType,value=AWS_IAM --region REGION, then create-deployment; " +
		"or a Lambda or Cognito authorizer, or an API key (op=replace,path=/apiKeyRequired,value=true, with a usage plan): callers must then sign or send one",
	Peers: "Prowler, Steampipe, checkov CKV_AWS_59",
	run: func(r *inventory.Region, _ Config) []Finding {
		var out []Finding
		for i := range r.APIs {
			api := &r.APIs[i]
			if unread(api.Unread, inventory.OpGetResources) || isPrivateAPI(api) {
				continue
			}
			for _, res := range api.Resources {
				for _, name := range sortedKeys(res.Methods) {
					m := res.Methods[name]
					if name == "OPTIONS" || !isOpen(m.AuthorizationType) || m.APIKeyRequired {
						continue
					}
					msg := fmt.Sprintf("%s %s of %s has authorizationType NONE and requires no API key: anyone who can reach it can call it",
						name, res.Path, anEndpoint(api))
					if live := stagesServingOpen(api, res.Path, name); len(live) > 0 {
						msg += fmt.Sprintf(" (live that way on stage %s)", quoteList(live))
					}
					msg += "; a resource policy may still restrict the callers (resource policies are not read by this audit)"
					fix := fmt.Sprintf("aws apigateway update-method --rest-api-id %s --resource-id %s --http-method %s --patch-operations op=replace,path=/authorizationType,value=AWS_IAM --region %s",
						api.ID, res.ID, name, r.Name)
					if len(api.Stages) > 0 {
						fix += " && " + deployAll(r.Name, api)
					}
					out = append(out, Finding{
						Severity: Warning, APIID: api.ID, APIName: api.Name, Path: res.Path, Method: name,
						Message: msg, Remediation: fix,
					})
				}
			}
		}
		return out
	},
}

// stagesServingOpen names the stages whose deployed snapshot serves the method with no
// authorization and no key; stages whose snapshot is unknown are not named.
func stagesServingOpen(api *inventory.API, path, method string) []string {
	var names []string
	for i := range api.Stages {
		snap := stageSnapshot(api, &api.Stages[i])
		if m, ok := snap[path][method]; ok && isOpen(m.AuthorizationType) && !m.APIKeyRequired {
			names = append(names, api.Stages[i].Name)
		}
	}
	return names
}

// secretsInStageVariables fires on a variable whose name says it holds a credential, or whose
// value had the shape of one when it was read (inventory.LooksLikeSecret; the value itself was
// dropped then). The message and the remediation name the variable and never carry a value:
// the remediation moves the value into Secrets Manager through a pipe, so that it is neither
// printed nor put on a command line.
var secretsInStageVariables = Check{
	perAPI:   true,
	ID:       "secrets-in-stage-variables",
	Family:   "hygiene",
	Title:    "Stage variable looks like a credential",
	Severity: Critical,
	Levels:   "critical",
	LooksAt: "each stage's variable names, and whether each value had the shape of a credential when read (GetStages variables; values are never kept); " +
		"names that refer to a secret (…Arn, …Name, …Id, …Url, …Param) do not count",
	Remediation: "move the value to Secrets Manager (aws secretsmanager create-secret), make the backend read it from there, rotate it, then aws apigateway update-stage --rest-api-id API --stage-name STAGE --patch-operations op=remove,path=/variables/NAME --region REGION",
	Peers:       "Prowler",
	run: func(r *inventory.Region, _ Config) []Finding {
		var out []Finding
		for i := range r.APIs {
			api := &r.APIs[i]
			if unread(api.Unread, inventory.OpGetStages) {
				continue
			}
			for j := range api.Stages {
				st := &api.Stages[j]
				for _, v := range st.Variables {
					byName := credentialName(v.Name)
					if !byName && !v.ValueLooksSecret {
						continue
					}
					var why string
					switch {
					case byName && v.ValueLooksSecret:
						why = "its name says it holds a credential and its value has the shape of one"
					case byName:
						why = "its name says it holds a credential (if it only holds a reference, such as a Secrets Manager ARN or a parameter name, rename it to say so, e.g. " + referenceName(v.Name) + ")"
					default:
						why = "its value has the shape of a credential (an access key, private key, token or a URL with a password)"
					}
					out = append(out, Finding{
						Severity: Critical, APIID: api.ID, APIName: api.Name, Stage: st.Name,
						Message: fmt.Sprintf("stage %q variable %q looks like a secret: %s. Stage variables are plain text to anyone allowed apigateway:GET on the stage: "+
							"rotate the credential, keep it in Secrets Manager, have the backend read it from there, then remove the variable",
							st.Name, v.Name, why),
						Remediation: moveVariableToSecretsManager(r.Name, api.ID, st.Name, v.Name),
					})
				}
			}
		}
		return out
	},
}

// referenceName is the name a variable would have if it held the ARN of its secret, in the
// variable's own style: dbPassword → dbPasswordArn, DB_PASSWORD → DB_PASSWORD_ARN.
func referenceName(name string) string {
	switch {
	case strings.ToUpper(name) == name:
		return name + "_ARN"
	case strings.Contains(name, "_"):
		return name + "_arn"
	}
	return name + "Arn"
}

// moveVariableToSecretsManager copies a stage variable into a new secret without printing it or
// putting it on a command line, then removes the variable.
func moveVariableToSecretsManager(region, apiID, stage, name string) string {
	return fmt.Sprintf(`aws apigateway get-stage --rest-api-id %s --stage-name %s --query 'variables."%s"' --output text --region %s | tr -d '\n' | `+
		"aws secretsmanager create-secret --name apigateway/%s/%s/%s --secret-string file:///dev/stdin --region %s && "+
		"aws apigateway update-stage --rest-api-id %s --stage-name %s --patch-operations op=remove,path=/variables/%s --region %s",
		apiID, stage, name, region, apiID, stage, name, region, apiID, stage, name, region)
}

// credentialWords are the last words of a variable name that say it holds a credential.
var credentialWords = []string{
	"password", "passwd", "pwd", "pass", "passphrase", "passcode",
	"secret", "secrets", "token", "credential", "credentials", "creds",
	"apikey", "privatekey", "accesskey", "secretkey",
}

// credentialSuffixes catch names written as one lower-case word ("dbpassword", "clientsecret").
var credentialSuffixes = []string{
	"password", "passwd", "passphrase", "secret", "token", "credential", "credentials",
	"apikey", "privatekey", "accesskey", "secretkey", "signingkey",
}

// keyQualifiers are the words before "key" that make it a credential ("api key", "private
// key"); "key" alone, a cache key or a KMS key id is not one.
var keyQualifiers = []string{"api", "private", "access", "secret", "signing", "encryption", "master", "hmac", "ssh", "app", "license", "subscription", "shared"}

// trailingNoise are last words that do not change what a name holds ("dbPasswordValue",
// "apiTokenB64"); a version ("V2") or trailing digits ("token2") do not either.
var trailingNoise = []string{"value", "val", "raw", "plain", "plaintext", "b64", "base64", "encoded", "str", "string"}

// credentialName reports whether a stage variable's name says that its value is a credential.
// It judges the name's last word, the thing the variable is: "dbPassword", "client_secret",
// "STRIPE_API_KEY" and "authToken" are credentials; "secretArn", "tokenUrl", "tokenEndpoint",
// "passwordParam", "apiKeyName" and "secretsManagerId" are references to one or facts about
// one, which is the right way to hand a secret to a backend.
func credentialName(name string) bool {
	words := nameWords(name)
	for len(words) > 0 {
		last := words[len(words)-1]
		if !slices.Contains(trailingNoise, last) && !isVersionWord(last) {
			break
		}
		words = words[:len(words)-1]
	}
	if len(words) == 0 {
		return false
	}
	last := strings.TrimRight(words[len(words)-1], "0123456789")
	if slices.Contains(credentialWords, last) {
		return true
	}
	if last == "key" && len(words) > 1 && slices.Contains(keyQualifiers, words[len(words)-2]) {
		return true
	}
	for _, s := range credentialSuffixes {
		if strings.HasSuffix(last, s) {
			return true
		}
	}
	return false
}

func isVersionWord(w string) bool {
	w = strings.TrimPrefix(w, "v")
	if w == "" {
		return false
	}
	for _, c := range w {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// nameWords splits an identifier into lower-case words at underscores, hyphens, dots, case
// changes ("apiKeyARN" → api key arn, "APIKey" → api key) and after digits ("s3Key" → s3 key);
// digits stay with the letters before them ("tokenV2" → token v2, "db2" → db2).
func nameWords(name string) []string {
	var words []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			words = append(words, strings.ToLower(string(cur)))
			cur = cur[:0]
		}
	}
	runes := []rune(name)
	for i, c := range runes {
		if !isAlnum(c) {
			flush()
			continue
		}
		if len(cur) > 0 {
			prev := runes[i-1]
			switch {
			case isLowerRune(prev) && isUpperRune(c):
				flush()
			case isUpperRune(prev) && isUpperRune(c) && i+1 < len(runes) && isLowerRune(runes[i+1]):
				flush()
			case isDigitRune(prev) && !isDigitRune(c):
				flush()
			}
		}
		cur = append(cur, c)
	}
	flush()
	return words
}

func isUpperRune(c rune) bool { return c >= 'A' && c <= 'Z' }
func isLowerRune(c rune) bool { return c >= 'a' && c <= 'z' }
func isDigitRune(c rune) bool { return c >= '0' && c <= '9' }
func isAlnum(c rune) bool     { return isUpperRune(c) || isLowerRune(c) || isDigitRune(c) }

// endpointTypeNotAllowed is off unless Config.AllowedEndpointTypes lists types. Types compare
// without regard to case; an API with several types is judged on each, one finding per API
// naming the ones not allowed.
var endpointTypeNotAllowed = Check{
	perAPI:      true,
	ID:          "endpoint-type-not-allowed",
	Family:      "hygiene",
	Title:       "API endpoint type is not allowed",
	Severity:    Warning,
	Levels:      "warning (off unless allowed endpoint types are configured)",
	LooksAt:     "each REST API's endpoint types (GetRestApis endpointConfiguration) against the configured allowed list",
	Remediation: "aws apigateway update-rest-api --rest-api-id API --patch-operations op=replace,path=/endpointConfiguration/types/CURRENT,value=ALLOWED --region REGION",
	Peers:       "AWS Config",
	offWithout: func(cfg Config) string {
		if len(cfg.AllowedEndpointTypes) == 0 {
			return "allowed endpoint types (--allowed-endpoint-types, ALLOWED_ENDPOINT_TYPES)"
		}
		return ""
	},
	run: func(r *inventory.Region, cfg Config) []Finding {
		var allowed []string
		for _, t := range cfg.AllowedEndpointTypes {
			if t = strings.ToUpper(strings.TrimSpace(t)); t != "" && !slices.Contains(allowed, t) {
				allowed = append(allowed, t)
			}
		}
		if len(allowed) == 0 {
			return nil
		}
		var out []Finding
		for i := range r.APIs {
			api := &r.APIs[i]
			types := endpointTypes(api)
			var bad []string
			for _, t := range types {
				if !slices.Contains(allowed, t) {
					bad = append(bad, t)
				}
			}
			if len(bad) == 0 {
				continue
			}
			target := allowed[0]
			for _, t := range allowed {
				if !slices.Contains(types, t) {
					target = t
					break
				}
			}
			msg := fmt.Sprintf("API %q (%s) has endpoint type %s, which the configuration does not allow (allowed: %s)",
				api.Name, api.ID, strings.Join(bad, "+"), strings.Join(allowed, ", "))
			if len(api.EndpointTypes) == 0 {
				msg += "; no endpoint type was recorded, and EDGE is API Gateway's default"
			}
			if target == "PRIVATE" {
				msg += "; a PRIVATE API also needs a resource policy that admits its VPC endpoints"
			}
			out = append(out, Finding{
				Severity: Warning, APIID: api.ID, APIName: api.Name,
				Message: msg,
				Remediation: fmt.Sprintf("aws apigateway update-rest-api --rest-api-id %s --patch-operations op=replace,path=/endpointConfiguration/types/%s,value=%s --region %s",
					api.ID, bad[0], target, r.Name),
			})
		}
		return out
	},
}
