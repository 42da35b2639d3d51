package explain

import (
	"fmt"
	"slices"
	"strings"

	"github.com/apigw-drift/driftaudit/pkg/inventory"
)

// An HTTP API routes by route, not by resource: API Gateway takes the full match of a route and
// its method first, then a route with a greedy path variable, then the $default route, and
// answers 404 {"message":"Not Found"} when none matches (developer guide, "Routing API
// requests", http-api-develop-routes). The same preferences as REST order the matches (a
// literal part over {param} over {proxy+}, the method over ANY); a HEAD request is matched by a
// HEAD or ANY route only, as in REST (not confirmed for HTTP APIs).

// httpAPI decides a request that reached an HTTP API. WebSocket APIs are not explained.
func (x *decider) httpAPI(api *inventory.V2API, t target) Decision {
	x.d.APIID, x.d.APIName, x.d.APIType = api.ID, api.Name, api.Type()
	if api.Type() != inventory.TypeHTTP {
		return x.notExplained("api", fmt.Sprintf("%s is WebSocket API %q: WebSocket APIs are not explained (REST and HTTP APIs are)", api.ID, api.Name))
	}
	x.step("api", true, "HTTP API %q (%s)", api.Name, api.ID)
	part := inventory.Part{Op: inventory.OpGetStages, APIID: api.ID, V2: true}
	if slices.Contains(api.Unread, inventory.OpGetStages) {
		return x.unread("stage", part, "the stages of HTTP API "+api.ID)
	}
	stage := findV2Stage(api.Stages, t.stage)
	if stage == nil && t.fromPath {
		// A $default stage serves every path that does not begin with another stage's name.
		if def := findV2Stage(api.Stages, "$default"); def != nil {
			stage = def
			if t.stage != "" {
				t.segs = append([]string{t.stage}, t.segs...)
			}
			t.stage, t.fromPath = "$default", false
		}
	}
	if stage == nil {
		return x.noV2Stage(api, t)
	}
	x.d.Stage = stage.Name
	routes, done := x.v2Routes(api, stage, t, part)
	if done != nil {
		return *done
	}
	if x.req.Origin != "" {
		if done := x.v2Preflight(api, stage, routes, t); done != nil {
			return *done
		}
	}
	route, ok := matchRoute(routes, x.req.Method, t.segs)
	if !ok {
		return x.v2RouteMiss(api, stage, routes, t)
	}
	x.d.ResourcePath = route.Key
	x.step("route", true, "route %s serves %s %s on stage %q", route.Key, x.req.Method, pathOf(t.segs), stage.Name)
	if !stage.AutoDeploy && api.Routes != nil && !slices.ContainsFunc(api.Routes, func(r inventory.Route) bool { return r.Key == route.Key }) {
		x.note("route %s is gone from the current definition: the next deployment to stage %s removes it", route.Key, stage.Name)
	}
	switch kind, name, _ := strings.Cut(route.Auth, " "); kind {
	case "NONE", "":
		x.step("authorization", true, "none: route %s is open", route.Key)
	case "AWS_IAM":
		if !x.req.signed() {
			// 403 is what users see for an unsigned request to an AWS_IAM route (SAM's
			// integration tests expect it, aws/serverless-application-model#3963); that the
			// body says "Forbidden" is not documented.
			return x.reject("authorization", CauseIAMSignatureRequired, answer{403, "Forbidden"},
				fmt.Sprintf("route %s on stage %q requires AWS_IAM authorization and the request carries no SigV4 signature", route.Key, stage.Name),
				fmt.Sprintf("sign the request with SigV4 for execute-api in %s (e.g. curl --aws-sigv4 \"aws:amz:%s:execute-api\" --user \"$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY\" ...)", x.reg.Name, x.reg.Name))
		}
		x.step("authorization", true, "AWS_IAM: the request is signed")
		x.note("served only if the signature is valid and the caller may execute-api:Invoke the route (neither can be checked here)")
	default:
		return x.undecided("authorization", fmt.Sprintf("cannot decide: route %s uses the %s authorizer %s, and HTTP API authorizers are not read, so whether the request carries its identity source is not known", route.Key, kind, name))
	}
	return x.serve(fmt.Sprintf("route %s on stage %q reaches its integration: what the caller gets is the backend's answer", route.Key, stage.Name))
}

func findV2Stage(stages []inventory.V2Stage, name string) *inventory.V2Stage {
	for i := range stages {
		if stages[i].Name == name {
			return &stages[i]
		}
	}
	return nil
}

func (x *decider) noV2Stage(api *inventory.V2API, t target) Decision {
	var names []string
	for _, s := range api.Stages {
		names = append(names, s.Name)
	}
	slices.Sort(names)
	listed := "it has no stage"
	if len(names) > 0 {
		listed = "its stages are " + quoteAll(names)
	}
	x.stageSuggestions(names, t)
	if t.mapping != nil {
		return x.reject("stage", CauseBasePathGap, unknown,
			fmt.Sprintf("base path %s of %s maps to stage %q of HTTP API %q (%s), which does not exist (%s): the mapping leads nowhere", t.mapping.BasePath, x.d.Domain, t.stage, api.Name, api.ID, listed),
			mappingFix(x.findDomain(x.req.Host), t.mapping, x.reg.Name))
	}
	return x.reject("stage", CauseNoSuchStage, notFound,
		fmt.Sprintf("HTTP API %q (%s) has no stage %q and no $default stage (%s)", api.Name, api.ID, t.stage, listed),
		"call a stage the API has (see the suggestions)")
}

// v2Routes are the routes a stage serves: the current ones for a stage deployed automatically,
// else those of its deployment (ExportApi of the stage).
func (x *decider) v2Routes(api *inventory.V2API, stage *inventory.V2Stage, t target, part inventory.Part) ([]inventory.Route, *Decision) {
	fix := fmt.Sprintf("aws apigatewayv2 create-deployment --api-id %s --stage-name %s --region %s", api.ID, shellWord(stage.Name), x.reg.Name)
	if stage.AutoDeploy {
		if stage.LastDeploymentStatusMessage != "" {
			d := x.undecided("deployment", fmt.Sprintf("cannot decide: the last automatic deployment of stage %q failed (%s), so it serves an earlier deployment, whose routes cannot be read", stage.Name, stage.LastDeploymentStatusMessage))
			return nil, &d
		}
		if slices.Contains(api.Unread, inventory.OpExportApi) {
			d := x.unread("deployment", part, "the routes of HTTP API "+api.ID)
			return nil, &d
		}
		x.step("stage", true, "stage %q deploys automatically: it serves the current routes", stage.Name)
		return api.Routes, nil
	}
	gone := func(what string) *Decision {
		if t.mapping != nil {
			d := x.reject("deployment", CauseBasePathGap, unknown, fmt.Sprintf("base path %s of %s maps to stage %q of HTTP API %q (%s), which %s", t.mapping.BasePath, x.d.Domain, stage.Name, api.Name, api.ID, what), fix)
			return &d
		}
		d := x.reject("deployment", CauseStageWithoutDeployment, unknown, fmt.Sprintf("stage %q of HTTP API %q (%s) %s", stage.Name, api.Name, api.ID, what), fix)
		return &d
	}
	if stage.DeploymentID == "" {
		return nil, gone("has no deployment: it serves nothing")
	}
	if slices.Contains(api.Unread, inventory.OpGetDeployments) {
		d := x.unread("deployment", part, "the deployments of HTTP API "+api.ID)
		return nil, &d
	}
	if !slices.Contains(api.DeploymentIDs, stage.DeploymentID) {
		return nil, gone(fmt.Sprintf("points to deployment %s, which no longer exists: it serves nothing", stage.DeploymentID))
	}
	if !stage.DeployedRead {
		d := x.unread("deployment", part, fmt.Sprintf("what stage %q serves (ExportApi of the stage)", stage.Name))
		return nil, &d
	}
	x.step("stage", true, "stage %q serves deployment %s", stage.Name, stage.DeploymentID)
	return stage.Deployed, nil
}

// matchRoute picks the route that serves method and segs, or the $default route.
func matchRoute(routes []inventory.Route, method string, segs []string) (inventory.Route, bool) {
	var best inventory.Route
	var bestScore []partKind
	found := false
	for _, r := range routes {
		m, p, ok := strings.Cut(r.Key, " ")
		if !ok || (m != method && m != "ANY") {
			continue
		}
		sc, ok := score(splitPath(p), segs)
		if !ok {
			continue
		}
		exact := m == method
		if !found || better(sc, bestScore) || (slices.Equal(sc, bestScore) && exact && !strings.HasPrefix(best.Key, method+" ")) {
			best, bestScore, found = r, sc, true
		}
	}
	if found {
		return best, true
	}
	for _, r := range routes {
		if r.Key == "$default" {
			return r, true
		}
	}
	return inventory.Route{}, false
}

// v2RouteMiss rejects a request no route serves: 404 Not Found. When the current definition has
// the route and the stage is deployed by hand, the cause is an undeployed change.
func (x *decider) v2RouteMiss(api *inventory.V2API, stage *inventory.V2Stage, routes []inventory.Route, t target) Decision {
	method, reqPath := x.req.Method, pathOf(t.segs)
	for _, r := range routes {
		m, p, _ := strings.Cut(r.Key, " ")
		if _, ok := score(splitPath(p), t.segs); ok && m != method {
			x.suggest("%s (a route of stage %s)", r.Key, stage.Name)
		}
		if nearPath(splitPath(p), t.segs) && (m == method || m == "ANY") {
			x.suggest("%s (a near match)", r.Key)
		}
	}
	if !stage.AutoDeploy && api.Routes != nil {
		if r, ok := matchRoute(api.Routes, method, t.segs); ok {
			x.d.ResourcePath = r.Key
			return x.reject("route", CauseUndeployed, notFound,
				fmt.Sprintf("route %s exists in the current definition but the deployment on stage %s (%s) does not have it", r.Key, stage.Name, stage.DeploymentID),
				fmt.Sprintf("aws apigatewayv2 create-deployment --api-id %s --stage-name %s --region %s", api.ID, shellWord(stage.Name), x.reg.Name))
		}
	}
	cause, explanation := CauseNoSuchResource, fmt.Sprintf("no route of stage %q matches %s %s, and it has no $default route", stage.Name, method, reqPath)
	for _, r := range routes {
		if _, p, ok := strings.Cut(r.Key, " "); ok {
			if _, ok := score(splitPath(p), t.segs); ok {
				cause = CauseNoSuchMethod
				explanation = fmt.Sprintf("stage %q has routes for %s but none for %s (nor ANY), and no $default route", stage.Name, reqPath, method)
				break
			}
		}
	}
	return x.reject("route", cause, notFound, explanation,
		fmt.Sprintf("add the route (aws apigatewayv2 create-route --api-id %s --route-key '%s %s' --target integrations/INTEGRATION-ID --region %s) and deploy it, or call a route the stage serves", api.ID, method, reqPath, x.reg.Name))
}

// v2Preflight decides a browser's preflight to an HTTP API: API Gateway answers it itself when
// the API has a CORS configuration; otherwise an OPTIONS (or ANY, or $default) route must, without
// authorization.
func (x *decider) v2Preflight(api *inventory.V2API, stage *inventory.V2Stage, routes []inventory.Route, t target) *Decision {
	need, why := x.req.needsPreflight()
	switch {
	case !need:
		x.step("preflight", true, "a simple cross-origin request (GET, HEAD or POST with CORS-safelisted headers): browsers send no preflight")
		return nil
	case api.CORS:
		x.step("preflight", true, "the API's CORS configuration answers the preflight (%s)", why)
		return nil
	}
	r, ok := matchRoute(routes, "OPTIONS", t.segs)
	if !ok {
		d := x.reject("preflight", CauseMissingOptions, notFound,
			fmt.Sprintf("from origin %s the browser first sends a preflight OPTIONS %s (%s); the API has no CORS configuration and stage %q no OPTIONS, ANY or $default route for it", x.req.Origin, pathOf(t.segs), why, stage.Name),
			fmt.Sprintf("give the API a CORS configuration: aws apigatewayv2 update-api --api-id %s --cors-configuration AllowOrigins=%s,AllowMethods=%s --region %s", api.ID, x.req.Origin, x.req.Method, x.reg.Name))
		return &d
	}
	if kind, _, _ := strings.Cut(r.Auth, " "); kind != "NONE" && kind != "" {
		a := unauthorized
		if kind == "AWS_IAM" {
			a = answer{403, "Forbidden"}
		}
		d := x.reject("preflight", CauseOptionsRequiresAuth, a,
			fmt.Sprintf("the browser's preflight reaches route %s, which requires %s: browsers send no credentials on a preflight, so it always fails", r.Key, r.Auth),
			fmt.Sprintf("give the API a CORS configuration, which answers preflights before any authorizer: aws apigatewayv2 update-api --api-id %s --cors-configuration AllowOrigins=%s,AllowMethods=%s --region %s", api.ID, x.req.Origin, x.req.Method, x.reg.Name))
		return &d
	}
	x.step("preflight", true, "route %s answers the preflight (%s) without authorization", r.Key, why)
	return nil
}
