package checks

import (
	"fmt"

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
	Title:    "Custom domain base path mapping leads nowhere",
	Severity: Critical,
	Levels: "critical when a mapping points to an API or stage that does not exist, or to a stage without a deployment; " +
		"warning when a domain has no mapping at all; info when a mapping names no stage",
	LooksAt:     "custom domain names' base path mappings against the REST APIs, their stages and deployments",
	Remediation: "aws apigateway update-base-path-mapping / create-base-path-mapping --domain-name DOMAIN --base-path PATH ... --region REGION",
	run: func(r *inventory.Region, _ Config) []Finding {
		apisRead := !unread(r.Unread, inventory.OpGetRestApis)
		var out []Finding
		for i := range r.Domains {
			d := &r.Domains[i]
			if d.MappingsUnread {
				continue
			}
			if len(d.Mappings) == 0 {
				out = append(out, Finding{
					Severity: Warning, Domain: d.Name,
					Message:     fmt.Sprintf("custom domain %s has no base path mapping: every request to %s fails", d.Name, domainURL(d.Name, "")),
					Remediation: fmt.Sprintf("aws apigateway create-base-path-mapping --domain-name %s --rest-api-id API --stage STAGE --region %s", d.Name, r.Name),
				})
				continue
			}
			if !apisRead {
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

func judgeMapping(r *inventory.Region, d *inventory.DomainName, m inventory.BasePathMapping) (Finding, bool) {
	url := domainURL(d.Name, m.BasePath)
	f := Finding{Domain: d.Name, BasePath: m.BasePath, APIID: m.APIID, Stage: m.Stage}
	repoint := func(stage string) string {
		return fmt.Sprintf("aws apigateway update-base-path-mapping --domain-name %s --base-path '%s' --patch-operations op=replace,path=/stage,value=%s --region %s",
			d.Name, m.BasePath, stage, r.Name)
	}
	remove := fmt.Sprintf("aws apigateway delete-base-path-mapping --domain-name %s --base-path '%s' --region %s", d.Name, m.BasePath, r.Name)
	api := findAPI(r, m.APIID)
	if api == nil {
		f.Severity = Critical
		f.Message = fmt.Sprintf("%s maps to API %s, which does not exist in %s: every request to it fails", url, m.APIID, r.Name)
		f.Remediation = fmt.Sprintf("%s && aws apigateway create-base-path-mapping --domain-name %s --base-path '%s' --rest-api-id API --stage STAGE --region %s",
			remove, d.Name, m.BasePath, r.Name)
		return f, true
	}
	f.APIName = api.Name
	if m.Stage == "" {
		f.Severity = Info
		f.Message = fmt.Sprintf("%s maps to API %q (%s) without a stage: callers must put the stage name in the path (%s/STAGE/...), and a path without it gets 403 Missing Authentication Token",
			url, api.Name, api.ID, trimSlash(url))
		stage := "STAGE"
		if len(api.Stages) == 1 {
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
		f.Message = fmt.Sprintf("%s maps to stage %q of API %q (%s), which does not exist: every request to it fails", url, m.Stage, api.Name, api.ID)
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
		f.Message = fmt.Sprintf("%s maps to stage %q of API %q (%s), which has no deployment: every request to it fails", url, m.Stage, api.Name, api.ID)
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
