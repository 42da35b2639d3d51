package inventory

import (
	"slices"
	"sort"
	"strconv"
	"strings"
	"unique"
)

// intern returns the canonical copy of s, so that the many equal strings of a large account
// (method names, authorization and integration types, header names and values, paths repeated
// in every deployment's snapshot) are held once.
func intern(s string) string { return unique.Make(s).Value() }

// Slim drops, once the per-API checks have judged the API, everything that only they needed,
// and keeps what the region-wide checks (usage plans, custom domains) and the report read: the
// API's id, name, tags and endpoint types, its stage names and deployment ids, the deployments
// those stages serve, each snapshot reduced to a count of its key-required methods and the first
// few of their names, and what was unread.
// A slimmed API must not be judged by the per-API checks again.
func (api *API) Slim() {
	api.Resources = nil
	live := map[string]bool{}
	for i, st := range api.Stages {
		api.Stages[i] = Stage{Name: st.Name, DeploymentID: st.DeploymentID}
		live[st.DeploymentID] = true
	}
	var kept []Deployment
	for _, d := range api.Deployments {
		if !live[d.ID] {
			continue
		}
		if d.Summary != nil {
			all := KeyRequiredMethods(d.Summary)
			d.KeyRequired = &KeyRequired{Total: len(all), First: slices.Clip(all[:min(len(all), KeyRequiredShown)])}
			d.Summary = nil
		}
		kept = append(kept, d)
	}
	api.Deployments = kept
}

// snapshotKey is a canonical text of a snapshot, so that equal snapshots of one API (stages on
// different deployments of the same definition) can share one map.
func snapshotKey(summary map[string]map[string]MethodSnapshot) string {
	var lines []string
	for path, methods := range summary {
		for name, m := range methods {
			lines = append(lines, path+" "+name+" "+m.AuthorizationType+" "+strconv.FormatBool(m.APIKeyRequired))
		}
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}
