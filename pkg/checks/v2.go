package checks

import (
	"fmt"
	"slices"
	"strings"

	"github.com/apigw-drift/driftaudit/pkg/inventory"
)

// The drift families of HTTP APIs (API Gateway v2), judged by the same checks as REST APIs'
// drift, each API on its own. WebSocket APIs are listed (their mappings are judged) but their
// routes cannot be exported, so no route drift of theirs is judged.

func createV2Deployment(region, apiID, stage string) string {
	return fmt.Sprintf("aws apigatewayv2 create-deployment --api-id %s --stage-name %s --region %s", apiID, stage, region)
}

// routeMethodPath splits a route key into the finding's method and path: "GET /x" into GET and
// /x, "$default" into ANY and $default.
func routeMethodPath(key string) (method, path string) {
	if m, p, ok := strings.Cut(key, " "); ok {
		return m, p
	}
	return "ANY", key
}

// v2UndeployedChanges judges each HTTP API stage deployed by hand against the current
// definition, and each stage deployed automatically by whether its last deployment failed.
func v2UndeployedChanges(r *inventory.Region) []Finding {
	var out []Finding
	for i := range r.V2APIs {
		api := &r.V2APIs[i]
		if api.Type() != inventory.TypeHTTP || unread(api.Unread, inventory.OpGetStages) {
			continue
		}
		for _, st := range api.Stages {
			base := Finding{APIID: api.ID, APIName: api.Name, APIType: api.Type(), Stage: st.Name}
			if st.AutoDeploy {
				if st.LastDeploymentStatusMessage == "" {
					continue
				}
				f := base
				f.Severity = Critical
				f.Message = fmt.Sprintf("stage %q of HTTP API %q deploys automatically, but its last deployment failed (%s): the changes since are not live",
					st.Name, api.Name, oneLineText(st.LastDeploymentStatusMessage))
				f.Remediation = createV2Deployment(r.Name, api.ID, st.Name) + "  # after fixing what the failure names"
				out = append(out, f)
				continue
			}
			if !st.DeployedRead || api.Routes == nil && unread(api.Unread, inventory.OpExportApi) {
				continue
			}
			for _, d := range diffSnapshots(routesAsSnapshot(api.Routes), routesAsSnapshot(st.Deployed)) {
				f := base
				f.Method, f.Path = d.method, d.path
				f.Severity = d.severity
				f.Message = fmt.Sprintf("route %s on stage %q: %s", routeKey(d), st.Name, describeRoute(d, st.Name))
				f.Remediation = createV2Deployment(r.Name, api.ID, st.Name)
				out = append(out, f)
			}
		}
	}
	return out
}

// routesAsSnapshot puts HTTP API routes in a deployed snapshot's shape (path to method to
// authorization), so that diffSnapshots compares them as it compares REST methods.
func routesAsSnapshot(routes []inventory.Route) map[string]map[string]inventory.MethodSnapshot {
	snap := map[string]map[string]inventory.MethodSnapshot{}
	for _, r := range routes {
		method, path := routeMethodPath(r.Key)
		if snap[path] == nil {
			snap[path] = map[string]inventory.MethodSnapshot{}
		}
		snap[path][method] = inventory.MethodSnapshot{AuthorizationType: r.Auth}
	}
	return snap
}

// routeKey is the route key of a diff: "POST /carts", or "$default".
func routeKey(d methodDiff) string {
	if d.path == "$default" {
		return d.path
	}
	return d.method + " " + d.path
}

// describeRoute says what differs of an HTTP API route, as describe does of a REST method.
func describeRoute(d methodDiff, stage string) string {
	switch {
	case d.added:
		return fmt.Sprintf("added to the current definition but not deployed; callers of %s get 404 Not Found", stage)
	case d.removed:
		return "deleted from the current definition but still live; the next deployment removes it"
	case d.severity == Critical:
		return fmt.Sprintf("authorization %s→%s in the current definition but not deployed; the stage is more open than its definition says",
			d.deployed.AuthorizationType, d.working.AuthorizationType)
	}
	return fmt.Sprintf("authorization %s→%s in the current definition but not deployed; the stage still enforces the old setting",
		d.deployed.AuthorizationType, d.working.AuthorizationType)
}

// v2StagesWithoutDeployment judges HTTP and WebSocket stages by their deployment.
func v2StagesWithoutDeployment(r *inventory.Region) []Finding {
	var out []Finding
	for i := range r.V2APIs {
		api := &r.V2APIs[i]
		if unread(api.Unread, inventory.OpGetStages) {
			continue
		}
		for _, st := range api.Stages {
			var why string
			switch {
			case st.DeploymentID == "" && !st.AutoDeploy:
				why = "has no deployment"
			case st.DeploymentID != "" && !unread(api.Unread, inventory.OpGetDeployments) && !slices.Contains(api.DeploymentIDs, st.DeploymentID):
				why = fmt.Sprintf("points to deployment %s, which no longer exists", st.DeploymentID)
			default:
				continue
			}
			out = append(out, Finding{
				Severity: Critical, APIID: api.ID, APIName: api.Name, APIType: api.Type(), Stage: st.Name,
				Message:     fmt.Sprintf("stage %q of %s API %q %s: every call to it fails", st.Name, api.Type(), api.Name, why),
				Remediation: createV2Deployment(r.Name, api.ID, st.Name),
			})
		}
	}
	return out
}

// v2MissingOptions judges HTTP APIs tagged as called cross-origin: without a CorsConfiguration,
// API Gateway does not answer preflights itself, so each path needs an OPTIONS or ANY route
// (or a $default route, which catches what no other route matches).
func v2MissingOptions(r *inventory.Region, cfg Config) []Finding {
	var out []Finding
	for i := range r.V2APIs {
		api := &r.V2APIs[i]
		v, tagged := api.Tags[cfg.CORSTag]
		if api.Type() != inventory.TypeHTTP || !tagged || !strings.EqualFold(strings.TrimSpace(v), "true") || api.CORS || unread(api.Unread, inventory.OpExportApi) {
			continue
		}
		methods := map[string]map[string]bool{}
		catchAll := false
		for _, rt := range api.Routes {
			m, p := routeMethodPath(rt.Key)
			if rt.Key == "$default" {
				catchAll = true
				continue
			}
			if methods[p] == nil {
				methods[p] = map[string]bool{}
			}
			methods[p][m] = true
		}
		if catchAll {
			continue
		}
		for _, p := range sortedKeys(methods) {
			if needsPreflight(methods[p]) {
				out = append(out, Finding{
					Severity: Warning, APIID: api.ID, APIName: api.Name, APIType: api.Type(), Path: p, Method: "OPTIONS",
					Message: fmt.Sprintf("%s has no OPTIONS or ANY route although HTTP API %q is tagged %s=true and has no CORS configuration: browsers' preflight gets 404 and the real request is blocked",
						p, api.Name, cfg.CORSTag),
					Remediation: fmt.Sprintf("aws apigatewayv2 update-api --api-id %s --cors-configuration AllowOrigins=https://ORIGIN,AllowMethods=%s,AllowHeaders=content-type,authorization --region %s",
						api.ID, strings.Join(sortedKeys(methods[p]), ","), r.Name),
				})
			}
		}
	}
	return out
}

// oneLineText folds whitespace, so that a message from AWS fits on one line of a report.
func oneLineText(s string) string { return strings.Join(strings.Fields(s), " ") }
