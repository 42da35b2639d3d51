package checks

import (
	"fmt"
	"slices"

	"github.com/apigw-drift/driftaudit/pkg/inventory"
)

// rootBasePath is how API Gateway names the mapping of a domain's root.
const rootBasePath = "(none)"

func domainURL(domain, basePath string) string {
	if basePath == "" || basePath == rootBasePath {
		return "https://" + domain + "/"
	}
	return "https://" + domain + "/" + basePath
}

var basePathGap = Check{
	ID:       "base-path-gap",
	Family:   "custom-domains",
	Title:    "Custom domain mapping leads nowhere",
	Severity: Critical,
	Levels: "critical when a mapping points to an API (REST, HTTP or WebSocket) or stage that does not exist, or to a REST stage without a deployment; " +
		"warning when a domain has no mapping of any type; info when a REST mapping names no stage",
	LooksAt: "custom domain names' API mappings (v2 GetApiMappings: every API type, multi-level keys; v1 GetBasePathMappings for private domain names, or when v2 is denied) " +
		"against the REST, HTTP and WebSocket APIs, their stages and deployments",
	Remediation: "aws apigatewayv2 update-api-mapping / delete-api-mapping --domain-name DOMAIN --api-mapping-id ID ... --region REGION (v1: update-base-path-mapping / delete-base-path-mapping)",
	run: func(r *inventory.Region, _ Config) []Finding {
		var out []Finding
		for i := range r.Domains {
			d := &r.Domains[i]
			if d.MappingsUnread {
				continue
			}
			if len(d.Mappings) == 0 {
				if d.RESTOnly() {
					continue // read with v1 only: mappings to HTTP or WebSocket APIs would not show
				}
				out = append(out, Finding{
					Severity: Warning, Domain: d.Name,
					Message:     fmt.Sprintf("custom domain %s has no API mapping of any type: every request to %s fails", d.Name, domainURL(d.Name, "")),
					Remediation: createMapping(r.Name, d, "", "API", "STAGE"),
				})
				continue
			}
			for _, m := range d.Mappings {
				if f, ok := judgeMapping(r, d, m); ok {
					out = append(out, f)
				}
			}
		}
		return out
	},
}

// createMapping is the command that maps key of d to api and stage, with the API the domain's
// mappings were read with.
func createMapping(region string, d *inventory.DomainName, key, api, stage string) string {
	if d.MappingsSource == inventory.OpGetBasePathMappings {
		path := key
		if path == "" || path == rootBasePath {
			path = ""
		}
		return fmt.Sprintf("aws apigateway create-base-path-mapping --domain-name %s%s --base-path '%s' --rest-api-id %s --stage %s --region %s",
			d.Name, domainIDFlag(d), path, api, stage, region)
	}
	if key == rootBasePath {
		key = ""
	}
	return fmt.Sprintf("aws apigatewayv2 create-api-mapping --domain-name %s --api-mapping-key '%s' --api-id %s --stage %s --region %s", d.Name, key, api, stage, region)
}

func domainIDFlag(d *inventory.DomainName) string {
	if d.DomainNameID != "" {
		return " --domain-name-id " + d.DomainNameID
	}
	return ""
}

// mappingFixes are the commands that repoint a mapping to another stage, or remove it.
func mappingFixes(region string, d *inventory.DomainName, m inventory.BasePathMapping) (repoint func(stage string) string, remove string) {
	if m.MappingID != "" {
		return func(stage string) string {
				return fmt.Sprintf("aws apigatewayv2 update-api-mapping --domain-name %s --api-mapping-id %s --api-id %s --stage %s --region %s", d.Name, m.MappingID, m.APIID, stage, region)
			},
			fmt.Sprintf("aws apigatewayv2 delete-api-mapping --domain-name %s --api-mapping-id %s --region %s", d.Name, m.MappingID, region)
	}
	return func(stage string) string {
			return fmt.Sprintf("aws apigateway update-base-path-mapping --domain-name %s%s --base-path '%s' --patch-operations op=replace,path=/stage,value=%s --region %s",
				d.Name, domainIDFlag(d), m.BasePath, stage, region)
		},
		fmt.Sprintf("aws apigateway delete-base-path-mapping --domain-name %s%s --base-path '%s' --region %s", d.Name, domainIDFlag(d), m.BasePath, region)
}

func judgeMapping(r *inventory.Region, d *inventory.DomainName, m inventory.BasePathMapping) (Finding, bool) {
	url := domainURL(d.Name, m.BasePath)
	f := Finding{Domain: d.Name, BasePath: m.BasePath, APIID: m.APIID, Stage: m.Stage}
	repoint, remove := mappingFixes(r.Name, d, m)
	if api := findAPI(r, m.APIID); api != nil {
		f.APIName = api.Name
		return judgeRESTMapping(r, api, url, m, f, repoint, remove)
	}
	if api := findV2API(r, m.APIID); api != nil {
		f.APIName = api.Name
		if unread(api.Unread, inventory.OpGetStages) || m.Stage == "" {
			return f, false
		}
		if !slices.ContainsFunc(api.Stages, func(st inventory.V2Stage) bool { return st.Name == m.Stage }) {
			f.Severity = Critical
			f.Message = fmt.Sprintf("%s maps to stage %q of %s API %q (%s), which does not exist: every request to it fails", url, m.Stage, api.Type(), api.Name, api.ID)
			f.Remediation = remove
			if len(api.Stages) == 1 {
				f.Remediation = repoint(api.Stages[0].Name)
			}
			return f, true
		}
		return f, false
	}
	if unread(r.Unread, inventory.OpGetRestApis) || unread(r.Unread, inventory.OpGetApis) {
		return f, false // the API may be among those not read
	}
	f.Severity = Critical
	f.Message = fmt.Sprintf("%s maps to API %s, which does not exist in %s (no REST, HTTP or WebSocket API has that id): every request to it fails", url, m.APIID, r.Name)
	f.Remediation = remove + " && " + createMapping(r.Name, d, m.BasePath, "API", "STAGE")
	return f, true
}

func judgeRESTMapping(r *inventory.Region, api *inventory.API, url string, m inventory.BasePathMapping, f Finding, repoint func(string) string, remove string) (Finding, bool) {
	if m.Stage == "" {
		f.Severity = Info
		f.Message = fmt.Sprintf("%s maps to REST API %q (%s) without a stage: callers must put the stage name in the path (%s/STAGE/...), and a path without it gets 403 Missing Authentication Token",
			url, api.Name, api.ID, trimSlash(url))
		stage := "STAGE"
		if !unread(api.Unread, inventory.OpGetStages) && len(api.Stages) == 1 {
			stage = api.Stages[0].Name
		}
		f.Remediation = repoint(stage)
		return f, true
	}
	if unread(api.Unread, inventory.OpGetStages) {
		return f, false
	}
	st := findStage(api, m.Stage)
	if st == nil {
		f.Severity = Critical
		f.Message = fmt.Sprintf("%s maps to stage %q of REST API %q (%s), which does not exist: every request to it fails", url, m.Stage, api.Name, api.ID)
		switch len(api.Stages) {
		case 0:
			f.Remediation = remove
		case 1:
			f.Remediation = repoint(api.Stages[0].Name)
		default:
			f.Message += fmt.Sprintf(" (the API's stages are %s)", quoteList(stageNames(api)))
			f.Remediation = repoint("STAGE")
		}
		return f, true
	}
	if deploymentMissing(api, st) {
		f.Severity = Critical
		f.Message = fmt.Sprintf("%s maps to stage %q of REST API %q (%s), which has no deployment: every request to it fails", url, m.Stage, api.Name, api.ID)
		f.Remediation = createDeployment(r.Name, api.ID, st.Name)
		return f, true
	}
	return f, false
}

func trimSlash(s string) string {
	for len(s) > 0 && s[len(s)-1] == '/' {
		s = s[:len(s)-1]
	}
	return s
}

// Legacy security policies of custom domains; any policy named SecurityPolicy_... is one of the
// enhanced ones API Gateway offers since 2025 (TLS 1.3, FIPS, post-quantum key exchange).
const (
	policyTLS10 = "TLS_1_0"
	policyTLS12 = "TLS_1_2"
)

var domainTLSOutdated = Check{
	ID:       "domain-tls-outdated",
	Family:   "hygiene",
	Title:    "Custom domain's TLS security policy is outdated",
	Severity: Warning,
	Levels: "warning when the domain's security policy accepts TLS 1.0 (TLS_1_0); info when it uses the legacy TLS_1_2 policy where an enhanced one " +
		"(TLS 1.3, or TLS 1.2 and 1.3 with post-quantum key exchange) could be used: not on domains with HTTP or WebSocket mappings, which only TLS_1_2 serves",
	LooksAt:     "each custom domain name's securityPolicy (GetDomainNames), and its mappings' API types",
	Remediation: "aws apigateway update-domain-name --domain-name DOMAIN --patch-operations op=replace,path=/securityPolicy,value=TLS_1_2 --region REGION (or an enhanced SecurityPolicy_... with op=replace,path=/endpointAccessMode,value=STRICT)",
	Peers:       "Prowler (post-quantum), checkov CKV_AWS_206, tfsec",
	run: func(r *inventory.Region, _ Config) []Finding {
		var out []Finding
		for i := range r.Domains {
			d := &r.Domains[i]
			update := func(policy string) string {
				return fmt.Sprintf("aws apigateway update-domain-name --domain-name %s%s --patch-operations op=replace,path=/securityPolicy,value=%s --region %s",
					d.Name, domainIDFlag(d), policy, r.Name)
			}
			switch d.SecurityPolicy {
			case policyTLS10:
				out = append(out, Finding{
					Severity: Warning, Domain: d.Name,
					Message:     fmt.Sprintf("custom domain %s uses security policy TLS_1_0: it still accepts TLS 1.0 and 1.1, which are deprecated and fail PCI DSS and most compliance baselines", d.Name),
					Remediation: update(policyTLS12),
				})
			case policyTLS12:
				if mapsNonREST, known := mapsHTTPOrWebSocket(r, d); !known || mapsNonREST {
					continue // an enhanced policy cannot serve HTTP or WebSocket mappings, or that is not known
				}
				enhanced := "SecurityPolicy_TLS13_1_2_PFS_PQ_2025_09"
				if slices.Contains(d.EndpointTypes, "EDGE") {
					enhanced = "SecurityPolicy_TLS13_2025_EDGE"
				}
				out = append(out, Finding{
					Severity: Info, Domain: d.Name,
					Message: fmt.Sprintf("custom domain %s uses the legacy security policy TLS_1_2; an enhanced policy (for example %s) adds TLS 1.3 and, where its name says PQ, post-quantum key exchange", d.Name, enhanced),
					Remediation: fmt.Sprintf("aws apigateway update-domain-name --domain-name %s%s --patch-operations op=replace,path=/securityPolicy,value=%s op=replace,path=/endpointAccessMode,value=STRICT --region %s",
						d.Name, domainIDFlag(d), enhanced, r.Name),
				})
			}
		}
		return out
	},
}

// mapsHTTPOrWebSocket says whether the domain maps an HTTP or WebSocket API; known is false when
// its mappings, or the APIs they name, were not all read.
func mapsHTTPOrWebSocket(r *inventory.Region, d *inventory.DomainName) (maps, known bool) {
	if d.MappingsUnread || d.RESTOnly() {
		return false, false
	}
	known = true
	for _, m := range d.Mappings {
		switch {
		case findV2API(r, m.APIID) != nil:
			return true, true
		case findAPI(r, m.APIID) != nil:
		case unread(r.Unread, inventory.OpGetRestApis) || unread(r.Unread, inventory.OpGetApis):
			known = false
		}
	}
	return false, known
}
