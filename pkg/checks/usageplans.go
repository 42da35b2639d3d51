package checks

import (
	"fmt"
	"strings"

	"github.com/apigw-drift/driftaudit/pkg/inventory"
)

var unkeyedUsagePlan = Check{
	ID:       "unkeyed-usage-plan",
	Family:   "usage-plans",
	Title:    "Usage plan has no enabled API key",
	Severity: Critical,
	Levels: "critical when the plan covers a stage with key-required methods that no other plan with an enabled key covers; " +
		"warning otherwise",
	LooksAt:     "usage plans' keys (GetUsagePlanKeys) and the keys' enabled flags (GetApiKeys, without values)",
	Remediation: "aws apigateway create-usage-plan-key --usage-plan-id PLAN --key-type API_KEY --key-id KEY --region REGION (or enable the plan's disabled key)",
	run: func(r *inventory.Region, _ Config) []Finding {
		if unread(r.Unread, inventory.OpGetUsagePlans) {
			return nil
		}
		var out []Finding
		for i := range r.UsagePlans {
			plan := &r.UsagePlans[i]
			enabled, disabled, known := keysOfPlan(r, plan)
			if !known || len(enabled) > 0 {
				continue
			}
			stranded, known := strandedStages(r, plan)
			if !known {
				continue // the severity rests on something unread: say nothing rather than guess
			}
			what := "has no API keys"
			fix := fmt.Sprintf("aws apigateway create-usage-plan-key --usage-plan-id %s --key-type API_KEY --key-id $(aws apigateway create-api-key --name %s --enabled --query id --output text --region %s) --region %s",
				plan.ID, shellWord(plan.Name+"-key"), r.Name, r.Name)
			if len(disabled) > 0 {
				what = fmt.Sprintf("has only disabled API keys (%s)", strings.Join(disabled, ", "))
				fix = fmt.Sprintf("aws apigateway update-api-key --api-key %s --patch-operations op=replace,path=/enabled,value=true --region %s", disabled[0], r.Name)
			}
			sev := Warning
			msg := fmt.Sprintf("usage plan %q (%s) %s", plan.Name, plan.ID, what)
			if len(stranded) > 0 {
				sev = Critical
				msg += fmt.Sprintf(", and no other plan with an enabled key covers %s, whose key-required methods therefore reject every request with 403", strings.Join(stranded, ", "))
			} else {
				msg += ": nobody can be metered or throttled by it"
			}
			out = append(out, Finding{Severity: sev, UsagePlanID: plan.ID, UsagePlanName: plan.Name, Message: msg, Remediation: fix})
		}
		return out
	},
}

// strandedStages lists, as "API/stage", the stages the plan covers that serve key-required
// methods and that no other plan with an enabled key covers. known is false when that depends on
// something that was not read: the API list, a covered API's stages or served snapshot, or
// another covering plan's keys.
func strandedStages(r *inventory.Region, plan *inventory.UsagePlan) (stranded []string, known bool) {
	for _, as := range plan.APIStages {
		keyed, known := keyRequiredOn(r, as.APIID, as.Stage)
		if !known {
			return nil, false
		}
		if keyed == 0 {
			continue
		}
		covered, known := coveredByKeyedPlan(r, as.APIID, as.Stage, plan.ID)
		if !known {
			return nil, false
		}
		if covered {
			continue
		}
		api := findAPI(r, as.APIID)
		stranded = append(stranded, fmt.Sprintf("%s (%s) stage %q", api.Name, api.ID, as.Stage))
	}
	return stranded, true
}

// coveredByKeyedPlan says whether a plan other than exceptPlan with an enabled key covers the
// stage; known is false when no such plan is known and one whose keys were not read might be.
func coveredByKeyedPlan(r *inventory.Region, apiID, stage, exceptPlan string) (covered, known bool) {
	known = true
	for i := range r.UsagePlans {
		other := &r.UsagePlans[i]
		if other.ID == exceptPlan || !planCovers(other, apiID, stage) {
			continue
		}
		enabled, _, keysKnown := keysOfPlan(r, other)
		if len(enabled) > 0 && keysKnown {
			return true, true
		}
		known = known && keysKnown
	}
	return false, known
}

// shellWord keeps a name usable as one word of a command line.
func shellWord(s string) string {
	var b strings.Builder
	for _, c := range s {
		if c == '-' || c == '_' || c == '.' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') {
			b.WriteRune(c)
		} else {
			b.WriteRune('-')
		}
	}
	return b.String()
}

var apiKeyWithoutPlan = Check{
	ID:          "api-key-without-plan",
	Family:      "usage-plans",
	Title:       "Key-required stage is in no usage plan",
	Severity:    Critical,
	Levels:      "critical",
	LooksAt:     "stages whose deployed snapshot has apiKeyRequired methods, against the usage plans' API stages",
	Remediation: "aws apigateway update-usage-plan --usage-plan-id PLAN --patch-operations op=add,path=/apiStages,value=API:STAGE --region REGION (or create-usage-plan)",
	run: func(r *inventory.Region, _ Config) []Finding {
		if unread(r.Unread, inventory.OpGetUsagePlans) {
			return nil
		}
		return eachStage(r, func(api *inventory.API, st *inventory.Stage, f Finding) (Finding, bool) {
			keyed, total, _ := keyRequiredServed(api, st)
			if total == 0 || anyPlanCovers(r, api.ID, st.Name) {
				return f, false
			}
			name := shellWord(api.Name + "-" + st.Name)
			f.Remediation = fmt.Sprintf("aws apigateway create-usage-plan-key --usage-plan-id $(aws apigateway create-usage-plan --name %s --api-stages apiId=%s,stage=%s --query id --output text --region %s) --key-type API_KEY --key-id $(aws apigateway create-api-key --name %s-key --enabled --query id --output text --region %s) --region %s",
				name, api.ID, st.Name, r.Name, name, r.Name, r.Name)
			if plan := planOfAPI(r, api.ID); plan != nil {
				f.Remediation = fmt.Sprintf("aws apigateway update-usage-plan --usage-plan-id %s --patch-operations op=add,path=/apiStages,value=%s:%s --region %s",
					plan.ID, api.ID, st.Name, r.Name)
			}
			f.Severity = Critical
			f.Message = fmt.Sprintf("stage %q serves %d method(s) that require an API key (%s) but no usage plan covers it: every request to them gets 403 Forbidden",
				st.Name, total, summarizeFirst(keyed, total, inventory.KeyRequiredShown))
			return f, true
		})
	},
}

func anyPlanCovers(r *inventory.Region, apiID, stage string) bool {
	for i := range r.UsagePlans {
		if planCovers(&r.UsagePlans[i], apiID, stage) {
			return true
		}
	}
	return false
}

// planOfAPI is a usage plan that already covers another stage of the API, the natural one to
// extend.
func planOfAPI(r *inventory.Region, apiID string) *inventory.UsagePlan {
	for i := range r.UsagePlans {
		for _, as := range r.UsagePlans[i].APIStages {
			if as.APIID == apiID {
				return &r.UsagePlans[i]
			}
		}
	}
	return nil
}

// summarize lists the first n items and counts the rest.
func summarize(items []string, n int) string { return summarizeFirst(items, len(items), n) }

// summarizeFirst lists the first n of total items, of which first holds at least the first n
// (or all), and counts the rest.
func summarizeFirst(first []string, total, n int) string {
	shown := first[:min(n, len(first), total)]
	if total <= len(shown) {
		return strings.Join(shown, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(shown, ", "), total-len(shown))
}

var usagePlanDanglingStage = Check{
	ID:          "usage-plan-dangling-stage",
	Family:      "usage-plans",
	Title:       "Usage plan lists an API or stage that does not exist",
	Severity:    Warning,
	Levels:      "warning",
	LooksAt:     "usage plans' API stages against the REST APIs and their stages",
	Remediation: "aws apigateway update-usage-plan --usage-plan-id PLAN --patch-operations op=remove,path=/apiStages,value=API:STAGE --region REGION",
	run: func(r *inventory.Region, _ Config) []Finding {
		if unread(r.Unread, inventory.OpGetRestApis) {
			return nil
		}
		var out []Finding
		for i := range r.UsagePlans {
			plan := &r.UsagePlans[i]
			for _, as := range plan.APIStages {
				api := findAPI(r, as.APIID)
				var what string
				switch {
				case api == nil:
					what = fmt.Sprintf("API %s, which does not exist in %s", as.APIID, r.Name)
				case unread(api.Unread, inventory.OpGetStages):
					continue
				case findStage(api, as.Stage) == nil:
					what = fmt.Sprintf("stage %q of API %q (%s), which does not exist", as.Stage, api.Name, api.ID)
				default:
					continue
				}
				f := Finding{
					Severity: Warning, UsagePlanID: plan.ID, UsagePlanName: plan.Name, Stage: as.Stage, APIID: as.APIID,
					Message: fmt.Sprintf("usage plan %q (%s) lists %s: the plan meters nothing there, and a new stage of that name would silently inherit its limits",
						plan.Name, plan.ID, what),
					Remediation: fmt.Sprintf("aws apigateway update-usage-plan --usage-plan-id %s --patch-operations op=remove,path=/apiStages,value=%s:%s --region %s",
						plan.ID, as.APIID, as.Stage, r.Name),
				}
				if api != nil {
					f.APIName = api.Name
				}
				out = append(out, f)
			}
		}
		return out
	},
}
