package checks

import (
	"slices"
	"sort"
	"strings"

	"github.com/apigw-drift/driftaudit/pkg/inventory"
)

// unread reports whether the operation's data is missing, so a check must stay silent on it.
func unread(list []string, op string) bool { return slices.Contains(list, op) }

func findAPI(r *inventory.Region, id string) *inventory.API {
	for i := range r.APIs {
		if r.APIs[i].ID == id {
			return &r.APIs[i]
		}
	}
	return nil
}

func findV2API(r *inventory.Region, id string) *inventory.V2API {
	for i := range r.V2APIs {
		if r.V2APIs[i].ID == id {
			return &r.V2APIs[i]
		}
	}
	return nil
}

// apiTypes maps the id of every API of r to its type: REST, HTTP or WEBSOCKET. A REST API wins
// an id both lists hold, as findAPI is asked first everywhere.
func apiTypes(r *inventory.Region) map[string]string {
	types := make(map[string]string, len(r.APIs)+len(r.V2APIs))
	for i := range r.V2APIs {
		types[r.V2APIs[i].ID] = r.V2APIs[i].Type()
	}
	for i := range r.APIs {
		types[r.APIs[i].ID] = inventory.TypeREST
	}
	return types
}

func findStage(api *inventory.API, name string) *inventory.Stage {
	for i := range api.Stages {
		if api.Stages[i].Name == name {
			return &api.Stages[i]
		}
	}
	return nil
}

func findDeployment(api *inventory.API, id string) *inventory.Deployment {
	for i := range api.Deployments {
		if api.Deployments[i].ID == id {
			return &api.Deployments[i]
		}
	}
	return nil
}

// stageSnapshot is what the stage serves, or nil when that is unknown.
func stageSnapshot(api *inventory.API, st *inventory.Stage) map[string]map[string]inventory.MethodSnapshot {
	if st.DeploymentID == "" {
		return nil
	}
	if d := findDeployment(api, st.DeploymentID); d != nil {
		return d.Summary
	}
	return nil
}

// deploymentMissing reports whether the stage serves nothing: no deployment, or one that no
// longer exists. It is false whenever that cannot be known.
func deploymentMissing(api *inventory.API, st *inventory.Stage) bool {
	if st.DeploymentID == "" {
		return true
	}
	if unread(api.Unread, inventory.OpGetDeployments) {
		return false
	}
	return findDeployment(api, st.DeploymentID) == nil
}

func hasMethods(api *inventory.API) bool {
	for _, r := range api.Resources {
		if len(r.Methods) > 0 {
			return true
		}
	}
	return false
}

// sortedKeys returns a map's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// stagesCovered returns, for a region, which (API, stage) pairs each usage plan covers.
func planCovers(plan *inventory.UsagePlan, apiID, stage string) bool {
	for _, as := range plan.APIStages {
		if as.APIID == apiID && as.Stage == stage {
			return true
		}
	}
	return false
}

// keysOfPlan splits the plan's keys into enabled and disabled ones. A key missing from the
// region's key list (created between two calls) counts as enabled, so that no finding rests on a
// guess. known is false when the plan's keys were not read, or when it has keys and the region's
// key list (which says which are enabled) was not read.
func keysOfPlan(r *inventory.Region, plan *inventory.UsagePlan) (enabled, disabled []string, known bool) {
	if plan.KeysUnread || (len(plan.KeyIDs) > 0 && unread(r.Unread, inventory.OpGetAPIKeys)) {
		return nil, nil, false
	}
	state := map[string]bool{}
	for _, k := range r.APIKeys {
		state[k.ID] = k.Enabled
	}
	for _, id := range plan.KeyIDs {
		if on, ok := state[id]; ok && !on {
			disabled = append(disabled, id)
		} else {
			enabled = append(enabled, id)
		}
	}
	return enabled, disabled, true
}

// keyRequiredOn counts the key-required methods the stage serves. A stage, API or deployment
// that does not exist serves none. known is false when the answer rests on something unread: the
// region's API list, the API's stages, or the snapshot its deployment froze.
func keyRequiredOn(r *inventory.Region, apiID, stage string) (total int, known bool) {
	if unread(r.Unread, inventory.OpGetRestApis) {
		return 0, false
	}
	api := findAPI(r, apiID)
	if api == nil {
		return 0, true
	}
	if unread(api.Unread, inventory.OpGetStages) {
		return 0, false
	}
	st := findStage(api, stage)
	if st == nil {
		return 0, true
	}
	_, total, known = keyRequiredServed(api, st)
	return total, known
}

// keyRequiredServed names the key-required methods the stage serves ("METHOD /path"; only the
// first few once the API was slimmed) and counts them all; known is false when the snapshot
// the stage serves was not read.
func keyRequiredServed(api *inventory.API, st *inventory.Stage) (first []string, total int, known bool) {
	if deploymentMissing(api, st) {
		return nil, 0, true
	}
	d := findDeployment(api, st.DeploymentID)
	switch {
	case d == nil:
		return nil, 0, false
	case d.KeyRequired != nil:
		return d.KeyRequired.First, d.KeyRequired.Total, true
	case d.Summary == nil:
		return nil, 0, false
	}
	all := inventory.KeyRequiredMethods(d.Summary)
	return all, len(all), true
}

func quoteList(items []string) string {
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = `"` + s + `"`
	}
	return strings.Join(q, ", ")
}

// invokeURL is the default execute-api URL of a stage and path, which a person can paste.
func invokeURL(region, apiID, stage, path string) string {
	if path == "/" {
		path = ""
	}
	return "https://" + apiID + ".execute-api." + region + ".amazonaws.com/" + stage + path
}

func stageNames(api *inventory.API) []string {
	names := make([]string, len(api.Stages))
	for i, st := range api.Stages {
		names[i] = st.Name
	}
	return names
}

// eachReadAPI collects what judge finds in every API whose working definition was read.
func eachReadAPI(r *inventory.Region, judge func(api *inventory.API) []Finding) []Finding {
	var out []Finding
	for i := range r.APIs {
		if api := &r.APIs[i]; !unread(api.Unread, inventory.OpGetResources) {
			out = append(out, judge(api)...)
		}
	}
	return out
}

// eachStage applies judge to every stage of every API whose stage list was read, with the
// finding's location already filled in.
func eachStage(r *inventory.Region, judge func(api *inventory.API, st *inventory.Stage, f Finding) (Finding, bool)) []Finding {
	var out []Finding
	for i := range r.APIs {
		api := &r.APIs[i]
		if unread(api.Unread, inventory.OpGetStages) {
			continue
		}
		for j := range api.Stages {
			st := &api.Stages[j]
			if f, ok := judge(api, st, Finding{APIID: api.ID, APIName: api.Name, Stage: st.Name}); ok {
				out = append(out, f)
			}
		}
	}
	return out
}
