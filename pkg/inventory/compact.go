package inventory

import (
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
// those stages serve, each snapshot reduced to its key-required methods, and what was unread.
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
			d.Summary = keyRequiredOnly(d.Summary)
		}
		kept = append(kept, d)
	}
	api.Deployments = kept
}

// keyRequiredOnly keeps the methods of a snapshot that require an API key; a snapshot without
// any stays a non-nil empty map ("read, and none"), unlike a nil one ("not read").
func keyRequiredOnly(summary map[string]map[string]MethodSnapshot) map[string]map[string]MethodSnapshot {
	out := map[string]map[string]MethodSnapshot{}
	for path, methods := range summary {
		for name, m := range methods {
			if m.APIKeyRequired {
				if out[path] == nil {
					out[path] = map[string]MethodSnapshot{}
				}
				out[path][name] = m
			}
		}
	}
	return out
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
