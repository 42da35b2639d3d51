package checks

import (
	"fmt"
	"slices"
	"strings"

	"github.com/apigw-drift/driftaudit/pkg/inventory"
)

const (
	allowOrigin  = "Access-Control-Allow-Origin"
	allowMethods = "Access-Control-Allow-Methods"
	allowHeaders = "Access-Control-Allow-Headers"
)

// declaresAllowOrigin reports whether a method declares Access-Control-Allow-Origin in a method
// response or sets it in an integration response.
func declaresAllowOrigin(m inventory.Method) bool {
	for _, headers := range m.MethodResponseHeaders {
		for _, h := range headers {
			if strings.EqualFold(h, allowOrigin) {
				return true
			}
		}
	}
	for _, headers := range m.IntegrationResponseHeaders {
		for h := range headers {
			if strings.EqualFold(h, allowOrigin) {
				return true
			}
		}
	}
	return false
}

func resourceDeclaresAllowOrigin(res *inventory.Resource) bool {
	for _, m := range res.Methods {
		if declaresAllowOrigin(m) {
			return true
		}
	}
	return false
}

// corsIntended says whether the API is meant to be called from browsers cross-origin, and why.
func corsIntended(api *inventory.API, cfg Config) (bool, string) {
	if v, ok := api.Tags[cfg.CORSTag]; ok && strings.EqualFold(strings.TrimSpace(v), "true") {
		return true, fmt.Sprintf("the API is tagged %s=true", cfg.CORSTag)
	}
	for i := range api.Resources {
		res := &api.Resources[i]
		if _, ok := res.Methods["OPTIONS"]; ok {
			return true, fmt.Sprintf("%s has an OPTIONS method", res.Path)
		}
		for _, name := range sortedKeys(res.Methods) {
			if declaresAllowOrigin(res.Methods[name]) {
				return true, fmt.Sprintf("%s %s declares %s", name, res.Path, allowOrigin)
			}
		}
	}
	return false, ""
}

// needsPreflight reports whether a set of methods lacks the OPTIONS a browser's preflight
// needs: it has a method other than OPTIONS, no OPTIONS, and no ANY (which answers OPTIONS).
func needsPreflight[V any](methods map[string]V) bool {
	_, hasOptions := methods["OPTIONS"]
	_, hasAny := methods["ANY"]
	return !hasOptions && !hasAny && len(methods) > 0
}

var missingOptions = Check{
	perAPI:   true,
	ID:       "missing-options",
	Family:   "cors",
	Title:    "CORS preflight OPTIONS method missing",
	Severity: Critical,
	Levels: "critical when the resource's own methods declare Access-Control-Allow-Origin; warning when CORS is intended elsewhere on the API " +
		"(another method declares it, another resource has OPTIONS, or the API is tagged cors=true)",
	LooksAt: "resources without OPTIONS (and without ANY) on APIs where CORS is intended, in the working definition and in each stage's deployed snapshot; " +
		"HTTP APIs tagged cors=true without a CORS configuration: paths without an OPTIONS or ANY route (and no $default route)",
	Remediation: "put-method OPTIONS (authorization NONE), a MOCK integration, a 200 method response and integration response with the three Access-Control-Allow-* headers, then create-deployment",
	run: func(r *inventory.Region, cfg Config) []Finding {
		return append(v2MissingOptions(r, cfg), eachReadAPI(r, func(api *inventory.API) []Finding {
			var out []Finding
			intended, why := corsIntended(api, cfg)
			if !intended {
				return out
			}
			byPath := map[string]*inventory.Resource{}
			for j := range api.Resources {
				res := &api.Resources[j]
				byPath[res.Path] = res
				if !needsPreflight(res.Methods) {
					continue
				}
				sev, reason := Warning, "CORS is intended on this API ("+why+")"
				if resourceDeclaresAllowOrigin(res) {
					sev, reason = Critical, "its own methods declare "+allowOrigin
				}
				msg := fmt.Sprintf("%s has no OPTIONS method although %s: browsers' preflight gets 403 and the real request is blocked", res.Path, reason)
				if stages := stagesWithoutPreflight(api, res.Path); len(stages) > 0 {
					msg += " (on stage " + quoteList(stages) + " too)"
				}
				out = append(out, Finding{
					Severity: sev, APIID: api.ID, APIName: api.Name, Path: res.Path, Method: "OPTIONS",
					Message: msg, Remediation: addOptionsCommand(r.Name, api, res),
				})
			}
			// A stage judged on its own: what its callers get, where the working definition
			// has the OPTIONS (or the resource is gone) but the stage does not.
			for j := range api.Stages {
				st := &api.Stages[j]
				snap := stageSnapshot(api, st)
				for _, path := range sortedKeys(snap) {
					if !needsPreflight(snap[path]) {
						continue
					}
					res := byPath[path]
					if res != nil && needsPreflight(res.Methods) {
						continue // reported once above, for the working definition and its stages
					}
					sev := Warning
					if res != nil && resourceDeclaresAllowOrigin(res) {
						sev = Critical
					}
					state := "was deleted from the working definition but is still live without OPTIONS"
					if res != nil {
						if _, ok := res.Methods["OPTIONS"]; ok {
							state = "has OPTIONS in the working definition, but it is not deployed"
						} else if _, ok := res.Methods["ANY"]; ok {
							state = "has ANY in the working definition, which answers the preflight, but it is not deployed"
						}
					}
					out = append(out, Finding{
						Severity: sev, APIID: api.ID, APIName: api.Name, Stage: st.Name, Path: path, Method: "OPTIONS",
						Message: fmt.Sprintf("%s %s to stage %q: browsers' preflight to %s gets 403 and the real request is blocked",
							path, state, st.Name, invokeURL(r.Name, api.ID, st.Name, path)),
						Remediation: createDeployment(r.Name, api.ID, st.Name),
					})
				}
			}
			return out
		})...)
	},
}

// stagesWithoutPreflight names the stages whose deployed snapshot serves the path without
// OPTIONS; a stage whose snapshot is unknown is not named.
func stagesWithoutPreflight(api *inventory.API, path string) []string {
	var names []string
	for i := range api.Stages {
		if needsPreflight(stageSnapshot(api, &api.Stages[i])[path]) {
			names = append(names, api.Stages[i].Name)
		}
	}
	return names
}

// addOptionsCommand is the AWS CLI sequence that gives a resource a working preflight.
func addOptionsCommand(region string, api *inventory.API, res *inventory.Resource) string {
	target := preflightTarget(api.ID, res.ID)
	reg := "--region " + region
	return strings.Join([]string{
		fmt.Sprintf("aws apigateway put-method %s --authorization-type NONE %s", target, reg),
		fmt.Sprintf(`aws apigateway put-integration %s --type MOCK --request-templates '{"application/json":"{\"statusCode\": 200}"}' %s`, target, reg),
		putPreflightResponses(region, api.ID, res),
		deployAll(region, api),
	}, " && ")
}

func preflightTarget(apiID, resourceID string) string {
	return fmt.Sprintf("--rest-api-id %s --resource-id %s --http-method OPTIONS", apiID, resourceID)
}

// putPreflightResponses declares the three headers on a 200 method response and sets them on
// the integration response, allowing the origin the resource's methods already allow.
func putPreflightResponses(region, apiID string, res *inventory.Resource) string {
	origin := "'*'"
	for _, name := range sortedKeys(res.Methods) {
		for _, code := range sortedKeys(res.Methods[name].IntegrationResponseHeaders) {
			headers := res.Methods[name].IntegrationResponseHeaders[code]
			for _, h := range sortedKeys(headers) {
				if strings.EqualFold(h, allowOrigin) && strings.HasPrefix(headers[h], "'") {
					origin = headers[h]
				}
			}
		}
	}
	target := preflightTarget(apiID, res.ID)
	return fmt.Sprintf("aws apigateway put-method-response %s --status-code 200 --response-parameters method.response.header.%s=false,method.response.header.%s=false,method.response.header.%s=false --region %s",
		target, allowOrigin, allowMethods, allowHeaders, region) + " && " +
		fmt.Sprintf(`aws apigateway put-integration-response %s --status-code 200 --response-parameters "{\"method.response.header.%s\":\"%s\",\"method.response.header.%s\":\"'%s'\",\"method.response.header.%s\":\"'%s'\"}" --region %s`,
			target, allowOrigin, origin, allowMethods, defaultHeaderValue(allowMethods, res), allowHeaders, defaultHeaderValue(allowHeaders, res), region)
}

// fixPreflightHeaders patches an existing preflight: each missing header is declared on the
// method response (API Gateway refuses to set an undeclared one) and set on the integration
// response; without any integration response, both responses are put whole.
func fixPreflightHeaders(region string, api *inventory.API, res *inventory.Resource, m inventory.Method, code string, patches, missing []string) string {
	if code == "" {
		return putPreflightResponses(region, api.ID, res) + " && " + deployAll(region, api)
	}
	target := preflightTarget(api.ID, res.ID)
	var cmds []string
	for _, h := range missing {
		if !slices.ContainsFunc(m.MethodResponseHeaders[code], func(d string) bool { return strings.EqualFold(d, h) }) {
			cmds = append(cmds, fmt.Sprintf("aws apigateway update-method-response %s --status-code %s --patch-operations op=add,path=/responseParameters/method.response.header.%s,value=false --region %s",
				target, code, h, region))
		}
	}
	cmds = append(cmds,
		fmt.Sprintf(`aws apigateway update-integration-response %s --status-code %s --patch-operations "[%s]" --region %s`, target, code, strings.Join(patches, ","), region),
		deployAll(region, api))
	return strings.Join(cmds, " && ")
}

var optionsRequiresAuth = Check{
	perAPI:      true,
	ID:          "options-requires-auth",
	Family:      "cors",
	Title:       "CORS preflight OPTIONS requires auth or an API key",
	Severity:    Critical,
	Levels:      "critical",
	LooksAt:     "OPTIONS methods' authorizationType and apiKeyRequired, in the working definition and in each stage's deployed snapshot",
	Remediation: "aws apigateway update-method ... --http-method OPTIONS --patch-operations op=replace,path=/authorizationType,value=NONE op=replace,path=/apiKeyRequired,value=false, then create-deployment",
	run: func(r *inventory.Region, _ Config) []Finding {
		return eachReadAPI(r, func(api *inventory.API) []Finding {
			var out []Finding
			byPath := map[string]*inventory.Resource{}
			for j := range api.Resources {
				res := &api.Resources[j]
				byPath[res.Path] = res
				m, ok := res.Methods["OPTIONS"]
				if !ok || !preflightLocked(m.AuthorizationType, m.APIKeyRequired) {
					continue
				}
				out = append(out, Finding{
					Severity: Critical, APIID: api.ID, APIName: api.Name, Path: res.Path, Method: "OPTIONS",
					Message: fmt.Sprintf("OPTIONS %s requires %s: browsers never send credentials or keys on a preflight, so it always fails",
						res.Path, lockDescription(m.AuthorizationType, m.APIKeyRequired)),
					Remediation: fmt.Sprintf("aws apigateway update-method --rest-api-id %s --resource-id %s --http-method OPTIONS --patch-operations op=replace,path=/authorizationType,value=NONE op=replace,path=/apiKeyRequired,value=false --region %s && %s",
						api.ID, res.ID, r.Name, deployAll(r.Name, api)),
				})
			}
			for j := range api.Stages {
				st := &api.Stages[j]
				snap := stageSnapshot(api, st)
				for _, path := range sortedKeys(snap) {
					m, ok := snap[path]["OPTIONS"]
					if !ok || !preflightLocked(m.AuthorizationType, m.APIKeyRequired) {
						continue
					}
					state := "deleted from the working definition but still live"
					if res := byPath[path]; res != nil {
						wm, ok := res.Methods["OPTIONS"]
						if ok && preflightLocked(wm.AuthorizationType, wm.APIKeyRequired) {
							continue // reported above; fixing the working definition fixes this once deployed
						}
						if ok {
							state = "fixed in the working definition but not deployed"
						}
					}
					out = append(out, Finding{
						Severity: Critical, APIID: api.ID, APIName: api.Name, Stage: st.Name, Path: path, Method: "OPTIONS",
						Message: fmt.Sprintf("OPTIONS %s on stage %q still requires %s (%s): every preflight fails",
							path, st.Name, lockDescription(m.AuthorizationType, m.APIKeyRequired), state),
						Remediation: createDeployment(r.Name, api.ID, st.Name),
					})
				}
			}
			return out
		})
	},
}

func preflightLocked(authorizationType string, keyRequired bool) bool {
	return !isOpen(authorizationType) || keyRequired
}

func lockDescription(authorizationType string, keyRequired bool) string {
	var parts []string
	if !isOpen(authorizationType) {
		parts = append(parts, "authorization "+authorizationType)
	}
	if keyRequired {
		parts = append(parts, "an API key")
	}
	return strings.Join(parts, " and ")
}

var optionsMissingCORSHeaders = Check{
	perAPI:   true,
	ID:       "options-missing-cors-headers",
	Family:   "cors",
	Title:    "CORS preflight response lacks Access-Control-Allow-* headers",
	Severity: Warning,
	Levels:   "warning",
	LooksAt: "the integration responses of OPTIONS methods (proxy integrations answer the preflight themselves and are skipped): " +
		"Access-Control-Allow-Origin, -Methods and -Headers set, and Allow-Methods naming every method of the resource",
	Remediation: "aws apigateway update-integration-response --rest-api-id API --resource-id RESOURCE --http-method OPTIONS --status-code 200 --patch-operations (JSON adding each missing header), then create-deployment",
	run: func(r *inventory.Region, _ Config) []Finding {
		return eachReadAPI(r, func(api *inventory.API) []Finding {
			var out []Finding
			for j := range api.Resources {
				res := &api.Resources[j]
				m, ok := res.Methods["OPTIONS"]
				if !ok || m.IntegrationType == "AWS_PROXY" || m.IntegrationType == "HTTP_PROXY" {
					continue
				}
				code, headers := bestPreflightResponse(m.IntegrationResponseHeaders)
				var problems, patches, missing []string
				for _, h := range []string{allowOrigin, allowMethods, allowHeaders} {
					if _, ok := lookupHeader(headers, h); !ok {
						problems = append(problems, "no "+h)
						patches = append(patches, patchHeader("add", h, defaultHeaderValue(h, res)))
						missing = append(missing, h)
					}
				}
				if v, ok := lookupHeader(headers, allowMethods); ok {
					if omitted := omittedMethods(v, res); len(omitted) > 0 {
						problems = append(problems, fmt.Sprintf("%s %s omits %s", allowMethods, v, strings.Join(omitted, ", ")))
						patches = append(patches, patchHeader("replace", allowMethods, defaultHeaderValue(allowMethods, res)))
					}
				}
				if len(problems) == 0 {
					continue
				}
				out = append(out, Finding{
					Severity: Warning, APIID: api.ID, APIName: api.Name, Path: res.Path, Method: "OPTIONS",
					Message:     fmt.Sprintf("the preflight response of %s has %s: browsers reject the preflight and block the real request", res.Path, strings.Join(problems, "; ")),
					Remediation: fixPreflightHeaders(r.Name, api, res, m, code, patches, missing),
				})
			}
			return out
		})
	},
}

// bestPreflightResponse picks the integration response a preflight gets: the one for "200"
// when there is one, else the one that sets the most headers.
func bestPreflightResponse(responses map[string]map[string]string) (string, map[string]string) {
	if h, ok := responses["200"]; ok {
		return "200", h
	}
	best := ""
	for _, code := range sortedKeys(responses) {
		if best == "" || len(responses[code]) > len(responses[best]) {
			best = code
		}
	}
	return best, responses[best]
}

// lookupHeader finds a header whatever its case; of two spellings, the first in sorted order
// wins, so that findings do not depend on map order.
func lookupHeader(headers map[string]string, name string) (string, bool) {
	for _, h := range sortedKeys(headers) {
		if strings.EqualFold(h, name) {
			return headers[h], true
		}
	}
	return "", false
}

// omittedMethods lists the resource's methods that a static Allow-Methods value leaves out;
// a value that is not a literal (a mapping from the backend) cannot be judged and omits none.
func omittedMethods(value string, res *inventory.Resource) []string {
	v := strings.TrimSpace(value)
	if len(v) < 2 || !strings.HasPrefix(v, "'") || !strings.HasSuffix(v, "'") {
		return nil
	}
	allowed := map[string]bool{}
	for _, m := range strings.Split(strings.Trim(v, "'"), ",") {
		allowed[strings.ToUpper(strings.TrimSpace(m))] = true
	}
	if allowed["*"] {
		return nil
	}
	var omitted []string
	for _, name := range sortedKeys(res.Methods) {
		if name != "OPTIONS" && name != "ANY" && !allowed[name] {
			omitted = append(omitted, name)
		}
	}
	return omitted
}

func defaultHeaderValue(header string, res *inventory.Resource) string {
	switch header {
	case allowOrigin:
		return "*"
	case allowMethods:
		methods := sortedKeys(res.Methods)
		if !slices.Contains(methods, "OPTIONS") {
			methods = append(methods, "OPTIONS")
		}
		return strings.Join(methods, ",")
	default:
		return "Content-Type,Authorization,X-Amz-Date,X-Api-Key,X-Amz-Security-Token"
	}
}

// patchHeader is one patch operation in JSON, escaped for a double-quoted shell argument, so
// that the value keeps the single quotes API Gateway wants around a literal.
func patchHeader(op, header, value string) string {
	return fmt.Sprintf(`{\"op\":\"%s\",\"path\":\"/responseParameters/method.response.header.%s\",\"value\":\"'%s'\"}`, op, header, value)
}
