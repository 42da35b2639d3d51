package explain

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/apigw-drift/driftaudit/pkg/inventory"
)

// restAPI decides a request that reached a REST API.
func (x *decider) restAPI(api *inventory.API, t target) Decision {
	x.d.APIID, x.d.APIName, x.d.APIType = api.ID, api.Name, inventory.TypeREST
	x.step("api", true, "REST API %q (%s)%s", api.Name, api.ID, endpointTypes(api.EndpointTypes))
	if len(api.EndpointTypes) > 0 && !slices.ContainsFunc(api.EndpointTypes, func(t string) bool { return t != "PRIVATE" }) {
		x.note("the API is PRIVATE: only an interface VPC endpoint reaches it, and its resource policy (not read) decides who may")
	}
	if slices.Contains(api.Unread, inventory.OpGetStages) {
		return x.unread("stage", inventory.Part{Op: inventory.OpGetStages, APIID: api.ID}, "the stages of API "+api.ID)
	}
	stage := findStage(api.Stages, t.stage)
	if stage == nil {
		return x.noRESTStage(api, t)
	}
	x.d.Stage = stage.Name
	dep, done := x.deployment(api, stage, t)
	if done != nil {
		return *done
	}
	x.step("stage", true, "stage %q serves deployment %s%s", stage.Name, dep.ID, ofDate(dep))
	deployed := dep.Summary
	paths := withAncestors(slices.Collect(maps.Keys(deployed)))

	if x.req.Origin != "" {
		if done := x.restPreflight(api, stage, dep, paths, t); done != nil {
			return *done
		}
	}
	path, matched := bestPath(paths, t.segs)
	via := x.req.Method
	snap, served := deployed[path][via]
	if matched && !served {
		via = "ANY"
		snap, served = deployed[path]["ANY"]
	}
	if !served {
		return x.restRouteMiss(api, stage, dep, path, matched, t)
	}
	x.d.ResourcePath = path
	x.step("route", true, "%s %s serves %s %s on the deployment of stage %q", via, path, x.req.Method, pathOf(t.segs), stage.Name)
	x.restDrift(api, stage, path, via, snap)
	if done := x.restAuthorization(api, stage, path, via, snap, t.segs); done != nil {
		return *done
	}
	if done := x.restAPIKey(api, stage, path, via, snap); done != nil {
		return *done
	}
	x.note("a resource policy, if the API has one, may still refuse the caller (resource policies are not read)")
	explanation := fmt.Sprintf("%s %s on stage %q reaches its integration", via, path, stage.Name)
	if m := workingMethod(api, path, via); m != nil && m.IntegrationType != "" {
		// A deployment does not record integrations: the working definition's is named.
		x.d.Integration = m.IntegrationType
		explanation = fmt.Sprintf("%s %s on stage %q reaches its %s integration", via, path, stage.Name, m.IntegrationType)
	}
	return x.serve(explanation + ": what the caller gets is the backend's answer")
}

// pathOf is the path of segments, for messages.
func pathOf(segs []string) string { return "/" + strings.Join(segs, "/") }

// partition is the AWS partition of a region, for ARNs.
func partition(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	}
	return "aws"
}

func ofDate(dep *inventory.Deployment) string {
	if dep.CreatedDate.IsZero() {
		return ""
	}
	return " of " + dep.CreatedDate.UTC().Format("2006-01-02 15:04:05 UTC")
}

func findStage(stages []inventory.Stage, name string) *inventory.Stage {
	for i := range stages {
		if stages[i].Name == name {
			return &stages[i]
		}
	}
	return nil
}

func stageNames(stages []inventory.Stage) []string {
	var names []string
	for _, s := range stages {
		names = append(names, s.Name)
	}
	slices.Sort(names)
	return names
}

// noRESTStage rejects a request to a stage the REST API does not have. On the default endpoint,
// and through a mapping that names no stage, the path's first segment is taken as the stage:
// 403 Missing Authentication Token (a wrong stage name is one of the knowledge center's causes:
// https://repost.aws/knowledge-center/api-gateway-403-custom-domain shows it on a custom domain).
func (x *decider) noRESTStage(api *inventory.API, t target) Decision {
	names := stageNames(api.Stages)
	listed := "it has no stage"
	if len(names) > 0 {
		listed = "its stages are " + quoteAll(names)
	}
	x.stageSuggestions(names, t)
	switch {
	case t.mapping != nil && !t.fromPath:
		return x.reject("stage", CauseBasePathGap, unknown,
			fmt.Sprintf("base path %s of %s maps to stage %q of REST API %q (%s), which does not exist (%s): the mapping leads nowhere", t.mapping.BasePath, x.d.Domain, t.stage, api.Name, api.ID, listed),
			fmt.Sprintf("aws apigateway update-base-path-mapping --domain-name %s --base-path %s --patch-operations op=replace,path=/stage,value=STAGE --region %s", x.d.Domain, shellWord(t.mapping.BasePath), x.reg.Name))
	case t.mapping != nil:
		explanation := fmt.Sprintf("base path %s of %s maps to REST API %q (%s) without a stage, so the path's first segment names the stage, and there is no stage %q (%s)", t.mapping.BasePath, x.d.Domain, api.Name, api.ID, t.stage, listed)
		if t.stage == "" {
			explanation = fmt.Sprintf("base path %s of %s maps to REST API %q (%s) without a stage, so the path's first segment names the stage, and the path is empty (%s)", t.mapping.BasePath, x.d.Domain, api.Name, api.ID, listed)
		}
		return x.reject("stage", CauseBasePathGap, missingAuthToken, explanation,
			fmt.Sprintf("put the stage in the path (https://%s/%s/STAGE/...), or give the mapping a stage: aws apigateway update-base-path-mapping --domain-name %s --base-path %s --patch-operations op=replace,path=/stage,value=STAGE --region %s",
				x.d.Domain, t.mapping.BasePath, x.d.Domain, shellWord(t.mapping.BasePath), x.reg.Name))
	case t.stage == "":
		return x.reject("stage", CauseNoSuchStage, missingAuthToken,
			fmt.Sprintf("the URL names no stage: on the default endpoint the path's first segment is the stage (%s)", listed),
			"put the stage first in the path: https://"+x.req.Host+"/STAGE/...")
	}
	return x.reject("stage", CauseNoSuchStage, missingAuthToken,
		fmt.Sprintf("REST API %q (%s) has no stage %q (%s)", api.Name, api.ID, t.stage, listed),
		"call a stage the API has: "+strings.Join(names, ", "))
}

// stageSuggestions suggests the stages whose names look like the one asked for, and, when the
// stage seems left out of the path, the path with each stage in front.
func (x *decider) stageSuggestions(names []string, t target) {
	if !t.fromPath {
		return
	}
	near := false
	for _, n := range names {
		if t.stage != "" && nearName(t.stage, n) {
			x.suggest("%s (stage %s)", t.url(n, t.segs), n)
			near = true
		}
	}
	if near || len(names) > 3 {
		return
	}
	full := t.segs
	if t.stage != "" {
		full = append([]string{t.stage}, t.segs...)
	}
	for _, n := range names {
		x.suggest("%s (the stage %s, then the path)", t.url(n, full), n)
	}
}

func quoteAll(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = quote(n)
	}
	return strings.Join(q, ", ")
}

// deployment finds what the stage serves: its deployment with the snapshot it froze. A stage
// whose deployment no longer exists serves nothing; API Gateway refuses to delete a deployment a
// stage uses, so this is rare in AWS, and what it answers is not documented.
func (x *decider) deployment(api *inventory.API, stage *inventory.Stage, t target) (*inventory.Deployment, *Decision) {
	gone := func(what string) *Decision {
		fix := fmt.Sprintf("aws apigateway create-deployment --rest-api-id %s --stage-name %s --region %s", api.ID, shellWord(stage.Name), x.reg.Name)
		if t.mapping != nil {
			d := x.reject("deployment", CauseBasePathGap, unknown, fmt.Sprintf("base path %s of %s maps to stage %q of REST API %q (%s), which %s", t.mapping.BasePath, x.d.Domain, stage.Name, api.Name, api.ID, what), fix)
			return &d
		}
		d := x.reject("deployment", CauseStageWithoutDeployment, unknown, fmt.Sprintf("stage %q of REST API %q (%s) %s", stage.Name, api.Name, api.ID, what), fix)
		return &d
	}
	if stage.DeploymentID == "" {
		return nil, gone("has no deployment: it serves nothing")
	}
	if slices.Contains(api.Unread, inventory.OpGetDeployments) {
		d := x.unread("deployment", inventory.Part{Op: inventory.OpGetDeployments, APIID: api.ID}, "the deployments of API "+api.ID)
		return nil, &d
	}
	dep := findDeployment(api, stage.DeploymentID)
	if dep == nil {
		return nil, gone(fmt.Sprintf("points to deployment %s, which no longer exists: it serves nothing", stage.DeploymentID))
	}
	if dep.Summary == nil {
		d := x.unread("deployment", inventory.Part{Op: inventory.OpGetDeployment, APIID: api.ID, DeploymentID: dep.ID},
			fmt.Sprintf("what deployment %s of stage %q serves (GetDeployment embed=apisummary)", dep.ID, stage.Name))
		return nil, &d
	}
	return dep, nil
}

func findDeployment(api *inventory.API, id string) *inventory.Deployment {
	for i := range api.Deployments {
		if api.Deployments[i].ID == id {
			return &api.Deployments[i]
		}
	}
	return nil
}

// wantResources reports whether the API's working definition was read, and asks for it when it
// was not and its read did not fail: it tells an undeployed change from a missing route, names
// integrations and resource ids, and shows drift, but no decision rests on it alone.
func (x *decider) wantResources(api *inventory.API) bool {
	if !slices.Contains(api.Unread, inventory.OpGetResources) {
		return true
	}
	p := inventory.Part{Op: inventory.OpGetResources, APIID: api.ID}
	if scanErrorFor(x.reg, p) == nil {
		x.want(p)
	}
	return false
}

// workingMethod is the working definition's method at path, if it was read and has one.
func workingMethod(api *inventory.API, path, method string) *inventory.Method {
	if slices.Contains(api.Unread, inventory.OpGetResources) {
		return nil
	}
	for i := range api.Resources {
		if api.Resources[i].Path == path {
			if m, ok := api.Resources[i].Methods[method]; ok {
				return &m
			}
		}
	}
	return nil
}

func resourceID(api *inventory.API, path string) string {
	for _, r := range api.Resources {
		if r.Path == path {
			return r.ID
		}
	}
	return "RESOURCE-ID"
}

// restRouteMiss rejects a request the stage's deployment has no method for: 403 Missing
// Authentication Token. When the working definition has it, the cause is an undeployed change.
func (x *decider) restRouteMiss(api *inventory.API, stage *inventory.Stage, dep *inventory.Deployment, path string, matched bool, t target) Decision {
	method, reqPath := x.req.Method, pathOf(t.segs)
	deployed := dep.Summary
	redeploy := fmt.Sprintf("aws apigateway create-deployment --rest-api-id %s --stage-name %s --region %s", api.ID, shellWord(stage.Name), x.reg.Name)
	x.routeSuggestions(api, stage, dep, path, matched, t)

	if !x.wantResources(api) {
		if e := scanErrorFor(x.reg, inventory.Part{Op: inventory.OpGetResources, APIID: api.ID}); e != nil {
			x.note("whether the working definition has %s %s (an undeployed change) is not known: GetResources failed: %s", method, reqPath, e.Message)
		}
	} else {
		var working []string
		for _, r := range api.Resources {
			working = append(working, r.Path)
		}
		if wpath, ok := bestPath(working, t.segs); ok {
			wvia := method
			if workingMethod(api, wpath, wvia) == nil {
				wvia = "ANY"
			}
			if workingMethod(api, wpath, wvia) != nil {
				x.d.ResourcePath = wpath
				return x.reject("route", CauseUndeployed, missingAuthToken,
					fmt.Sprintf("%s %s exists in the working definition but the deployment on stage %s (%s%s) does not have it", wvia, wpath, stage.Name, dep.ID, ofDate(dep)),
					redeploy)
			}
		}
	}
	if !matched {
		return x.reject("route", CauseNoSuchResource, missingAuthToken,
			fmt.Sprintf("no resource of the deployment on stage %q matches %s", stage.Name, reqPath),
			"call a path the stage serves (see the suggestions), or add the resource and its methods, then deploy: "+redeploy)
	}
	x.d.ResourcePath = path
	have := slices.Sorted(maps.Keys(deployed[path]))
	explanation := fmt.Sprintf("resource %s on stage %q has no %s method and no ANY", path, stage.Name, method)
	if len(have) > 0 {
		explanation += " (it has " + strings.Join(have, ", ") + ")"
	} else {
		explanation = fmt.Sprintf("resource %s on stage %q has no methods", path, stage.Name)
	}
	if method == "HEAD" && slices.Contains(have, "GET") {
		explanation += ": HEAD is a method of its own, which GET does not serve"
	}
	return x.reject("route", CauseNoSuchMethod, missingAuthToken, explanation,
		fmt.Sprintf("define %s on %s (aws apigateway put-method --rest-api-id %s --resource-id %s --http-method %s ..., then put-integration), then deploy: %s",
			method, path, api.ID, resourceID(api, path), method, redeploy))
}

// routeSuggestions collects near misses: the resource's other methods, resources one edit away,
// the same request on another stage, and a stage named twice (in the mapping and the path).
func (x *decider) routeSuggestions(api *inventory.API, stage *inventory.Stage, dep *inventory.Deployment, path string, matched bool, t target) {
	deployed := dep.Summary
	if matched {
		for _, m := range slices.Sorted(maps.Keys(deployed[path])) {
			x.suggest("%s %s (served on stage %s)", m, path, stage.Name)
		}
	}
	for _, p := range slices.Sorted(maps.Keys(deployed)) {
		if p == path || !nearPath(splitPath(p), t.segs) {
			continue
		}
		if _, ok := deployed[p][x.req.Method]; ok {
			x.suggest("%s %s (a near match)", x.req.Method, p)
		} else if _, ok := deployed[p]["ANY"]; ok {
			x.suggest("%s %s (a near match, served by ANY)", x.req.Method, p)
		}
	}
	if t.mapping != nil && t.mapping.Stage != "" && len(t.segs) > 0 && t.segs[0] == t.mapping.Stage {
		x.suggest("%s (the mapping already names stage %s: leave it out of the path)", t.url(stage.Name, t.segs[1:]), stage.Name)
	}
	for i := range api.Stages {
		other := &api.Stages[i]
		if other.Name == stage.Name || other.DeploymentID == "" || other.DeploymentID == dep.ID || !t.fromPath {
			continue
		}
		od := findDeployment(api, other.DeploymentID)
		if od == nil {
			continue
		}
		if od.Summary == nil {
			if scanErrorFor(x.reg, inventory.Part{Op: inventory.OpGetDeployment, APIID: api.ID, DeploymentID: od.ID}) == nil {
				x.want(inventory.Part{Op: inventory.OpGetDeployment, APIID: api.ID, DeploymentID: od.ID})
			}
			continue
		}
		if p, ok := bestPath(withAncestors(slices.Collect(maps.Keys(od.Summary))), t.segs); ok {
			if _, ok := od.Summary[p][x.req.Method]; ok || hasKey(od.Summary[p], "ANY") {
				x.suggest("%s (stage %s serves %s %s)", t.url(other.Name, t.segs), other.Name, x.req.Method, p)
			}
		}
	}
}

func hasKey[V any](m map[string]V, k string) bool {
	_, ok := m[k]
	return ok
}

// restDrift says when the working definition would answer differently after the next
// deployment: the method gone, or its authorization changed.
func (x *decider) restDrift(api *inventory.API, stage *inventory.Stage, path, via string, snap inventory.MethodSnapshot) {
	if !x.wantResources(api) {
		return
	}
	m := workingMethod(api, path, via)
	switch {
	case m == nil:
		x.note("%s %s is gone from the working definition: the next deployment to stage %s removes it, and this request then gets 403 Missing Authentication Token", via, path, stage.Name)
	case m.AuthorizationType != snap.AuthorizationType || m.APIKeyRequired != snap.APIKeyRequired:
		x.note("the working definition has %s %s with authorization %s%s, the stage %s%s: the next deployment to stage %s changes this answer",
			via, path, m.AuthorizationType, keyText(m.APIKeyRequired), snap.AuthorizationType, keyText(snap.APIKeyRequired), stage.Name)
	}
}

func keyText(required bool) string {
	if required {
		return " and an API key"
	}
	return ""
}

// restPreflight decides the browser's CORS preflight: OPTIONS to the same resource, sent without
// credentials or API key, before any request that is not a simple one.
func (x *decider) restPreflight(api *inventory.API, stage *inventory.Stage, dep *inventory.Deployment, paths []string, t target) *Decision {
	need, why := x.req.needsPreflight()
	if !need {
		x.step("preflight", true, "a simple cross-origin request (GET, HEAD or POST with CORS-safelisted headers): browsers send no preflight")
		return nil
	}
	path, ok := bestPath(paths, t.segs)
	if !ok {
		return nil // no resource at all: the route step says so
	}
	deployed := dep.Summary
	via := "OPTIONS"
	m, has := deployed[path][via]
	if !has {
		via = "ANY"
		m, has = deployed[path][via]
	}
	redeploy := fmt.Sprintf("aws apigateway create-deployment --rest-api-id %s --stage-name %s --region %s", api.ID, shellWord(stage.Name), x.reg.Name)
	if !has || m.AuthorizationType != "NONE" || m.APIKeyRequired {
		x.wantResources(api)
	}
	if !has {
		x.d.ResourcePath = path
		explanation := fmt.Sprintf("from origin %s the browser first sends a preflight OPTIONS %s (%s), and resource %s on stage %q has no OPTIONS method (nor ANY): the preflight gets 403 and the browser never sends %s",
			x.req.Origin, pathOf(t.segs), why, path, stage.Name, x.req.Method)
		fix := fmt.Sprintf("add a CORS preflight to %s: aws apigateway put-method --rest-api-id %s --resource-id %s --http-method OPTIONS --authorization-type NONE --region %s, a MOCK integration answering the Access-Control-Allow-* headers, then %s ('driftaudit scan' prints every command under missing-options)",
			path, api.ID, resourceID(api, path), x.reg.Name, redeploy)
		if workingMethod(api, path, "OPTIONS") != nil {
			explanation += "; OPTIONS exists in the working definition but is not deployed"
			fix = redeploy
		}
		d := x.reject("preflight", CauseMissingOptions, missingAuthToken, explanation, fix)
		return &d
	}
	if m.AuthorizationType != "NONE" || m.APIKeyRequired {
		x.d.ResourcePath = path
		what, a := "an API key", forbidden
		switch m.AuthorizationType {
		case "AWS_IAM":
			what, a = "AWS_IAM authorization", missingAuthToken
		case "CUSTOM", "COGNITO_USER_POOLS":
			what, a = "authorization by an authorizer ("+m.AuthorizationType+")", unauthorized
		}
		d := x.reject("preflight", CauseOptionsRequiresAuth, a,
			fmt.Sprintf("the browser's preflight %s %s on stage %q requires %s, but browsers send no credentials or API key on a preflight, so it always fails", via, path, stage.Name, what),
			fmt.Sprintf("aws apigateway update-method --rest-api-id %s --resource-id %s --http-method %s --patch-operations op=replace,path=/authorizationType,value=NONE op=replace,path=/apiKeyRequired,value=false --region %s && %s",
				api.ID, resourceID(api, path), via, x.reg.Name, redeploy))
		return &d
	}
	x.step("preflight", true, "%s %s answers the preflight (%s) without authorization", via, path, why)
	if w := workingMethod(api, path, via); w != nil && via == "OPTIONS" && w.IntegrationType != "AWS_PROXY" && w.IntegrationType != "HTTP_PROXY" {
		x.corsHeaderNotes(w, path)
	}
	return nil
}

// corsHeaderNotes says when the preflight's answer would make the browser block the request:
// API Gateway serves it, but the browser refuses what it says.
func (x *decider) corsHeaderNotes(w *inventory.Method, path string) {
	headers := map[string]string{}
	for _, set := range w.IntegrationResponseHeaders {
		for h, v := range set {
			headers[strings.ToLower(h)] = strings.Trim(v, "'")
		}
	}
	origin := headers["access-control-allow-origin"]
	switch {
	case origin == "":
		x.note("OPTIONS %s sets no Access-Control-Allow-Origin (as the working definition has it): the browser blocks the request although API Gateway answers the preflight", path)
	case origin != "*" && origin != x.req.Origin && !strings.HasPrefix(origin, "stageVariables.") && !strings.HasPrefix(origin, "method.") && !strings.HasPrefix(origin, "integration."):
		x.note("OPTIONS %s allows origin %s, not %s: the browser blocks the request", path, origin, x.req.Origin)
	}
	if methods, ok := headers["access-control-allow-methods"]; ok && !slices.ContainsFunc(strings.Split(methods, ","), func(m string) bool {
		m = strings.TrimSpace(m)
		return m == "*" || strings.EqualFold(m, x.req.Method)
	}) {
		x.note("OPTIONS %s allows the methods %s, not %s: the browser blocks the request", path, methods, x.req.Method)
	}
}

// restAuthorization decides the method's authorization. AWS_IAM without a signature answers 403
// Missing Authentication Token; an authorizer whose identity sources are missing answers 401
// Unauthorized without being called. Authorization comes before the API key check: a Lambda
// authorizer may itself supply the key (apiKeySource AUTHORIZER, developer guide "Choose an API
// key source").
func (x *decider) restAuthorization(api *inventory.API, stage *inventory.Stage, path, via string, snap inventory.MethodSnapshot, segs []string) *Decision {
	switch snap.AuthorizationType {
	case "NONE", "":
		x.step("authorization", true, "none: %s %s is open", via, path)
		return nil
	case "AWS_IAM":
		arn := fmt.Sprintf("arn:%s:execute-api:%s:%s:%s/%s/%s%s", partition(x.reg.Name), x.reg.Name, orPlaceholder(x.reg.Account, "ACCOUNT"), api.ID, stage.Name, x.req.Method, pathOf(segs))
		if !x.req.signed() {
			d := x.reject("authorization", CauseIAMSignatureRequired, missingAuthToken,
				fmt.Sprintf("%s %s on stage %q requires AWS_IAM authorization and the request carries no SigV4 signature (no Authorization: AWS4-HMAC-SHA256 header, no presigned X-Amz-Signature)", via, path, stage.Name),
				fmt.Sprintf("sign the request with SigV4 for execute-api in %s (e.g. curl --aws-sigv4 \"aws:amz:%s:execute-api\" --user \"$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY\" -H \"x-amz-security-token: $AWS_SESSION_TOKEN\" ...), as a caller allowed execute-api:Invoke on %s",
					x.reg.Name, x.reg.Name, arn))
			return &d
		}
		x.step("authorization", true, "AWS_IAM: the request is signed")
		x.note("served only if the signature is valid and the caller may execute-api:Invoke on %s (neither can be checked here)", arn)
		return nil
	case "COGNITO_USER_POOLS", "CUSTOM":
		return x.restAuthorizer(api, stage, path, via, snap)
	}
	d := x.undecided("authorization", fmt.Sprintf("cannot decide: %s %s has authorization type %q, which is not explained", via, path, snap.AuthorizationType))
	return &d
}

func orPlaceholder(s, placeholder string) string {
	if s == "" {
		return placeholder
	}
	return s
}

// restAuthorizer checks that the request carries what the method's authorizer reads. A
// deployment records a method's authorization type but not which authorizer: the working
// definition's is taken, or the API's only authorizer of that kind.
func (x *decider) restAuthorizer(api *inventory.API, stage *inventory.Stage, path, via string, snap inventory.MethodSnapshot) *Decision {
	if !api.AuthorizersRead {
		d := x.unread("authorization", inventory.Part{Op: inventory.OpGetAuthorizers, APIID: api.ID}, "the authorizers of API "+api.ID)
		return &d
	}
	fits := func(a inventory.Authorizer) bool {
		if snap.AuthorizationType == "COGNITO_USER_POOLS" {
			return a.Type == "COGNITO_USER_POOLS"
		}
		return a.Type == "TOKEN" || a.Type == "REQUEST"
	}
	var a *inventory.Authorizer
	if m := workingMethod(api, path, via); m != nil && m.AuthorizationType == snap.AuthorizationType {
		for i := range api.Authorizers {
			if api.Authorizers[i].ID == m.AuthorizerID {
				a = &api.Authorizers[i]
			}
		}
	}
	if a == nil {
		var candidates []*inventory.Authorizer
		for i := range api.Authorizers {
			if fits(api.Authorizers[i]) {
				candidates = append(candidates, &api.Authorizers[i])
			}
		}
		switch {
		case len(candidates) == 1:
			a = candidates[0]
		case slices.Contains(api.Unread, inventory.OpGetResources):
			d := x.unread("authorization", inventory.Part{Op: inventory.OpGetResources, APIID: api.ID}, fmt.Sprintf("which authorizer %s %s uses (the working definition of API %s)", via, path, api.ID))
			return &d
		default:
			d := x.undecided("authorization", fmt.Sprintf("cannot decide: %s %s on stage %q uses a %s authorizer, a deployment does not record which, the working definition no longer says, and the API has %d of that kind", via, path, stage.Name, snap.AuthorizationType, len(candidates)))
			return &d
		}
	}
	kind := "Lambda authorizer"
	if a.Type == "COGNITO_USER_POOLS" {
		kind = "Cognito authorizer"
	}
	name := fmt.Sprintf("%s %q (%s, %s)", kind, a.Name, a.ID, a.Type)
	var missing []string
	for _, src := range identitySources(a) {
		if !x.present(src, stage) {
			missing = append(missing, describeSource(src))
		}
	}
	if len(missing) > 0 {
		d := x.reject("authorization", CauseAuthorizerIdentityMissing, unauthorized,
			fmt.Sprintf("%s %s on stage %q uses the %s, whose identity source is %s: the request does not send %s, so API Gateway answers 401 without calling the authorizer",
				via, path, stage.Name, name, describeSources(identitySources(a)), strings.Join(missing, " or ")),
			"send "+strings.Join(missing, " and ")+" with the request")
		return &d
	}
	if a.Type == "TOKEN" && a.IdentityValidationExpression != "" {
		// API Gateway validates the token with a Java regular expression; Go's RE2 reads most of
		// them alike. One that RE2 does not compile is not judged.
		if re, err := regexp.Compile("^(?:" + a.IdentityValidationExpression + ")$"); err == nil {
			src := identitySources(a)[0]
			if !re.MatchString(x.value(src)) {
				d := x.reject("authorization", CauseAuthorizerIdentityMissing, unauthorized,
					fmt.Sprintf("%s %s on stage %q uses the %s: the token sent in %s does not match its validation expression %s, so API Gateway answers 401 without calling the authorizer",
						via, path, stage.Name, name, describeSource(src), a.IdentityValidationExpression),
					"send a token that matches "+a.IdentityValidationExpression)
				return &d
			}
		}
	}
	x.step("authorization", true, "the %s receives %s", name, describeSources(identitySources(a)))
	x.note("served only if the %s allows the request (its answer cannot be known here)", name)
	return nil
}

// identitySources are where an authorizer reads the caller's identity. A TOKEN or Cognito
// authorizer has one header (method.request.header.Authorization by default); a REQUEST one a
// comma-separated list, possibly empty when its caching is off.
func identitySources(a *inventory.Authorizer) []string {
	src := strings.TrimSpace(a.IdentitySource)
	if src == "" {
		if a.Type == "REQUEST" {
			return nil
		}
		return []string{"method.request.header.Authorization"}
	}
	var out []string
	for _, s := range strings.Split(src, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// present reports whether the request carries an identity source, non-empty. A context
// variable is always there.
func (x *decider) present(src string, stage *inventory.Stage) bool {
	switch {
	case strings.HasPrefix(src, "stageVariables."):
		name := strings.TrimPrefix(src, "stageVariables.")
		return slices.ContainsFunc(stage.Variables, func(v inventory.StageVariable) bool { return v.Name == name })
	case strings.HasPrefix(src, "context."):
		return true
	}
	return x.value(src) != ""
}

// value is the request's value of a header or query string identity source.
func (x *decider) value(src string) string {
	switch {
	case strings.HasPrefix(src, "method.request.header."):
		return x.req.Header.Get(strings.TrimPrefix(src, "method.request.header."))
	case strings.HasPrefix(src, "method.request.querystring."):
		return x.req.Query.Get(strings.TrimPrefix(src, "method.request.querystring."))
	case strings.HasPrefix(src, "method.request.multivaluequerystring."):
		return x.req.Query.Get(strings.TrimPrefix(src, "method.request.multivaluequerystring."))
	}
	return ""
}

func describeSource(src string) string {
	for _, p := range []struct{ prefix, what string }{
		{"method.request.header.", "header "},
		{"method.request.querystring.", "query string parameter "},
		{"method.request.multivaluequerystring.", "query string parameter "},
		{"stageVariables.", "stage variable "},
		{"context.", "context variable "},
	} {
		if rest, ok := strings.CutPrefix(src, p.prefix); ok {
			return p.what + rest
		}
	}
	return src
}

func describeSources(srcs []string) string {
	if len(srcs) == 0 {
		return "none (caching is off, so every request reaches the authorizer)"
	}
	var out []string
	for _, s := range srcs {
		out = append(out, describeSource(s))
	}
	return strings.Join(out, ", ")
}

// restAPIKey decides a key-required method: without an x-api-key header, 403 Forbidden; with
// one, whether any key could be accepted: an enabled key of a usage plan covering the stage
// (https://repost.aws/knowledge-center/api-gateway-troubleshoot-403-forbidden). Key values are
// never read, so which key was sent cannot be known.
func (x *decider) restAPIKey(api *inventory.API, stage *inventory.Stage, path, via string, snap inventory.MethodSnapshot) *Decision {
	if !snap.APIKeyRequired {
		return nil
	}
	if api.KeyFromAuthorizer {
		x.step("api key", true, "the API takes its keys from its Lambda authorizer (apiKeySource AUTHORIZER), not from x-api-key")
		x.note("served only if the key the authorizer returns belongs to a usage plan covering stage %s", stage.Name)
		return nil
	}
	keys, plans, missing := x.keysFor(api.ID, stage.Name)
	sent := x.req.Header.Get("X-Api-Key") != ""
	if missing != nil {
		if sent {
			d := x.unread("api key", *missing, partName(*missing))
			return &d
		}
		if scanErrorFor(x.reg, *missing) == nil {
			x.want(*missing)
		}
	}
	covered := fmt.Sprintf("%s:%s", api.ID, stage.Name)
	if !sent {
		explanation := fmt.Sprintf("%s %s on stage %q requires an API key and the request sends no x-api-key header", via, path, stage.Name)
		fix := "send the x-api-key header with the value of an enabled key of a usage plan covering " + covered
		switch {
		case missing != nil:
			notRead := " was not read"
			if e := scanErrorFor(x.reg, *missing); e != nil {
				notRead = " could not be read: " + e.Message
			}
			explanation += " (which usage plans cover the stage is not known: " + partName(*missing) + notRead + ")"
		case len(keys) > 0:
			explanation += "; it would accept the value of " + strings.Join(keyNames(keys), ", ")
			fix = fmt.Sprintf("send x-api-key with the value of key %s (aws apigateway get-api-key --api-key %s --include-value --query value --output text --region %s, run by someone allowed to read it)", keys[0].label(), keys[0].id, x.reg.Name)
		default:
			explanation += "; and " + noKeyText(plans, stage.Name)
			fix = x.planFix(api.ID, stage.Name, plans)
		}
		d := x.reject("api key", CauseAPIKeyRequired, forbidden, explanation, fix)
		return &d
	}
	if len(keys) == 0 {
		d := x.reject("api key", CauseAPIKeyRequired, forbidden,
			fmt.Sprintf("%s %s on stage %q requires an API key; the request sends one, but %s: no key value is accepted", via, path, stage.Name, noKeyText(plans, stage.Name)),
			x.planFix(api.ID, stage.Name, plans))
		return &d
	}
	x.step("api key", true, "an x-api-key is sent; stage %q accepts the values of %s", stage.Name, strings.Join(keyNames(keys), ", "))
	x.note("served only if the x-api-key sent is the value of one of: %s (key values are never read, so which one was sent is not known)", strings.Join(keyNames(keys), ", "))
	return nil
}

// planKey is an enabled key of a usage plan that covers a stage.
type planKey struct {
	id, name, plan string
}

func (k planKey) label() string {
	if k.name != "" {
		return fmt.Sprintf("%q (%s)", k.name, k.id)
	}
	return k.id
}

func keyNames(keys []planKey) []string {
	var out []string
	for _, k := range keys {
		out = append(out, k.label()+" of usage plan "+k.plan)
	}
	return out
}

func noKeyText(plans []*inventory.UsagePlan, stage string) string {
	if len(plans) == 0 {
		return "no usage plan covers stage " + quote(stage)
	}
	var names []string
	for _, p := range plans {
		names = append(names, fmt.Sprintf("%q (%s)", p.Name, p.ID))
	}
	return "no usage plan covering stage " + quote(stage) + " has an enabled key (" + strings.Join(names, ", ") + ")"
}

// planFix is the command that makes a key acceptable on the stage.
func (x *decider) planFix(apiID, stage string, plans []*inventory.UsagePlan) string {
	if len(plans) > 0 {
		return fmt.Sprintf("aws apigateway create-usage-plan-key --usage-plan-id %s --key-type API_KEY --key-id KEY-ID --region %s (or enable a disabled key of the plan: aws apigateway update-api-key --api-key KEY-ID --patch-operations op=replace,path=/enabled,value=true --region %s)", plans[0].ID, x.reg.Name, x.reg.Name)
	}
	for _, p := range x.reg.UsagePlans {
		if x.planHasEnabledKey(&p) {
			return fmt.Sprintf("aws apigateway update-usage-plan --usage-plan-id %s --patch-operations op=add,path=/apiStages,value=%s:%s --region %s", p.ID, apiID, stage, x.reg.Name)
		}
	}
	return fmt.Sprintf("aws apigateway create-usage-plan --name %s --api-stages apiId=%s,stage=%s --region %s, then aws apigateway create-usage-plan-key with an enabled key",
		shellWord(apiID+"-"+stage), apiID, shellWord(stage), x.reg.Name)
}

func (x *decider) planHasEnabledKey(p *inventory.UsagePlan) bool {
	if p.KeysUnread {
		return false
	}
	for _, id := range p.KeyIDs {
		if enabled, _ := x.keyEnabled(id); enabled {
			return true
		}
	}
	return false
}

// keyEnabled reports whether a key is enabled. A key missing from the key list (made between
// the two reads) counts as enabled, as the checks count it.
func (x *decider) keyEnabled(id string) (enabled bool, name string) {
	for _, k := range x.reg.APIKeys {
		if k.ID == id {
			return k.Enabled, k.Name
		}
	}
	return true, ""
}

// keysFor lists the enabled keys of the usage plans covering the stage, and those plans. missing
// names the first part that was not read and is needed to know.
func (x *decider) keysFor(apiID, stage string) (keys []planKey, plans []*inventory.UsagePlan, missing *inventory.Part) {
	if slices.Contains(x.reg.Unread, inventory.OpGetUsagePlans) {
		return nil, nil, &inventory.Part{Op: inventory.OpGetUsagePlans}
	}
	for i := range x.reg.UsagePlans {
		p := &x.reg.UsagePlans[i]
		if slices.Contains(p.APIStages, inventory.APIStage{APIID: apiID, Stage: stage}) {
			plans = append(plans, p)
		}
	}
	for _, p := range plans {
		if p.KeysUnread {
			return nil, plans, &inventory.Part{Op: inventory.OpGetUsagePlanKeys, UsagePlanID: p.ID}
		}
		if len(p.KeyIDs) > 0 && slices.Contains(x.reg.Unread, inventory.OpGetAPIKeys) {
			return nil, plans, &inventory.Part{Op: inventory.OpGetAPIKeys}
		}
		for _, id := range p.KeyIDs {
			if enabled, name := x.keyEnabled(id); enabled {
				keys = append(keys, planKey{id: id, name: name, plan: fmt.Sprintf("%q (%s)", p.Name, p.ID)})
			}
		}
	}
	return keys, plans, nil
}

// partName says what a part holds, for "cannot decide" explanations.
func partName(p inventory.Part) string {
	switch p.Op {
	case inventory.OpGetUsagePlans:
		return "the usage plans"
	case inventory.OpGetUsagePlanKeys:
		return "the keys of usage plan " + p.UsagePlanID
	case inventory.OpGetAPIKeys:
		return "the API keys' enabled flags"
	}
	return p.Op
}
