package checks

import (
	"fmt"
	"strings"

	"github.com/apigw-drift/driftaudit/pkg/inventory"
)

func createDeployment(region, apiID, stage string) string {
	return fmt.Sprintf("aws apigateway create-deployment --rest-api-id %s --stage-name %s --region %s", apiID, stage, region)
}

// deployAll deploys the working definition to every stage of the API, or names the stage to
// create when there is none.
func deployAll(region string, api *inventory.API) string {
	if len(api.Stages) == 0 {
		return createDeployment(region, api.ID, "<stage-name>")
	}
	cmds := make([]string, len(api.Stages))
	for i, st := range api.Stages {
		cmds[i] = createDeployment(region, api.ID, st.Name)
	}
	return strings.Join(cmds, " && ")
}

var undeployedChanges = Check{
	perAPI:   true,
	ID:       "undeployed-changes",
	Family:   "deployment",
	Title:    "Changes not deployed to the stage",
	Severity: Critical,
	Levels: "critical when a method is in the working definition but not on the stage, or the working definition is stricter (auth or API key added); " +
		"warning when a method is on the stage but gone from the working definition, or auth was loosened or changed",
	LooksAt: "each stage's deployed snapshot (GetDeployment embed=apisummary) against the working definition (GetResources embed=methods); " +
		"HTTP APIs: each stage deployed by hand (ExportApi of the stage) against the current definition (ExportApi), and each automatic stage's last deployment status",
	Remediation: "aws apigateway create-deployment --rest-api-id API --stage-name STAGE --region REGION",
	run: func(r *inventory.Region, _ Config) []Finding {
		return append(v2UndeployedChanges(r), eachReadAPI(r, func(api *inventory.API) []Finding {
			var out []Finding
			working := workingSnapshot(api)
			for j := range api.Stages {
				st := &api.Stages[j]
				deployed := stageSnapshot(api, st)
				if deployed == nil {
					continue
				}
				for _, d := range diffSnapshots(working, deployed) {
					out = append(out, Finding{
						Severity: d.severity, APIID: api.ID, APIName: api.Name, Stage: st.Name, Path: d.path, Method: d.method,
						Message:     fmt.Sprintf("%s %s on stage %q: %s", d.method, d.path, st.Name, d.describe(st.Name)),
						Remediation: createDeployment(r.Name, api.ID, st.Name),
					})
				}
			}
			return out
		})...)
	},
}

// workingSnapshot puts the working definition in the deployed snapshot's shape.
func workingSnapshot(api *inventory.API) map[string]map[string]inventory.MethodSnapshot {
	snap := map[string]map[string]inventory.MethodSnapshot{}
	for _, res := range api.Resources {
		for name, m := range res.Methods {
			if snap[res.Path] == nil {
				snap[res.Path] = map[string]inventory.MethodSnapshot{}
			}
			snap[res.Path][name] = inventory.MethodSnapshot{AuthorizationType: authType(m.AuthorizationType), APIKeyRequired: m.APIKeyRequired}
		}
	}
	return snap
}

// methodDiff is one method that differs between the working definition and a stage.
type methodDiff struct {
	path, method      string
	severity          Severity
	added, removed    bool
	working, deployed inventory.MethodSnapshot
}

// DiffSnapshots compares a working definition with a deployed snapshot, both in the snapshot's
// shape, and returns what differs, ordered by path and method.
func diffSnapshots(working, deployed map[string]map[string]inventory.MethodSnapshot) []methodDiff {
	var out []methodDiff
	paths := map[string]bool{}
	for p := range working {
		paths[p] = true
	}
	for p := range deployed {
		paths[p] = true
	}
	for _, path := range sortedKeys(paths) {
		methods := map[string]bool{}
		for m := range working[path] {
			methods[m] = true
		}
		for m := range deployed[path] {
			methods[m] = true
		}
		for _, m := range sortedKeys(methods) {
			w, inWorking := working[path][m]
			d, onStage := deployed[path][m]
			d.AuthorizationType = authType(d.AuthorizationType)
			diff := methodDiff{path: path, method: m, working: w, deployed: d}
			switch {
			case inWorking && !onStage:
				diff.added, diff.severity = true, Critical
			case onStage && !inWorking:
				diff.removed, diff.severity = true, Warning
			case w == d:
				continue
			case isOpen(d.AuthorizationType) && !isOpen(w.AuthorizationType), w.APIKeyRequired && !d.APIKeyRequired:
				diff.severity = Critical
			default:
				diff.severity = Warning
			}
			out = append(out, diff)
		}
	}
	return out
}

func isOpen(authorizationType string) bool {
	return authorizationType == "" || authorizationType == "NONE"
}

// authType spells an open method NONE, whether API Gateway left the type out or not.
func authType(authorizationType string) string {
	if isOpen(authorizationType) {
		return "NONE"
	}
	return authorizationType
}

func (d methodDiff) describe(stage string) string {
	switch {
	case d.added:
		return fmt.Sprintf("added to the working definition but not deployed; callers of %s get 403 Missing Authentication Token", stage)
	case d.removed:
		return "deleted from the working definition but still live; the next deployment removes it"
	}
	var parts []string
	if d.working.AuthorizationType != d.deployed.AuthorizationType {
		parts = append(parts, fmt.Sprintf("authorizationType %s→%s", d.deployed.AuthorizationType, d.working.AuthorizationType))
	}
	if d.working.APIKeyRequired != d.deployed.APIKeyRequired {
		parts = append(parts, fmt.Sprintf("apiKeyRequired %t→%t", d.deployed.APIKeyRequired, d.working.APIKeyRequired))
	}
	change := strings.Join(parts, ", ")
	if d.severity == Critical {
		return change + " in the working definition but not deployed; the stage is more open than its definition says"
	}
	return change + " in the working definition but not deployed; the stage still enforces the old setting"
}

var stageBehindLatest = Check{
	perAPI:      true,
	ID:          "stage-behind-latest",
	Family:      "deployment",
	Title:       "Stage is not on the newest deployment",
	Severity:    Info,
	Levels:      "info",
	LooksAt:     "the stage's deploymentId against the API's deployment list (GetDeployments)",
	Remediation: "aws apigateway update-stage --rest-api-id API --stage-name STAGE --patch-operations op=replace,path=/deploymentId,value=NEWEST --region REGION",
	run: func(r *inventory.Region, _ Config) []Finding {
		var out []Finding
		for i := range r.APIs {
			api := &r.APIs[i]
			if unread(api.Unread, inventory.OpGetDeployments) || len(api.Deployments) == 0 {
				continue
			}
			newest := api.Deployments[0]
			for j := range api.Stages {
				st := &api.Stages[j]
				cur := findDeployment(api, st.DeploymentID)
				if cur == nil || !cur.CreatedDate.Before(newest.CreatedDate) {
					continue
				}
				where := "on no stage"
				if on := stagesServing(api, newest.ID); len(on) > 0 {
					where = "on stage " + quoteList(on)
				}
				out = append(out, Finding{
					Severity: Info, APIID: api.ID, APIName: api.Name, Stage: st.Name,
					Message: fmt.Sprintf("stage %q serves deployment %s of %s; the newest deployment, %s of %s, is %s: a promotion may be pending",
						st.Name, cur.ID, cur.CreatedDate.Format("2006-01-02 15:04:05 MST"), newest.ID, newest.CreatedDate.Format("2006-01-02 15:04:05 MST"), where),
					Remediation: fmt.Sprintf("aws apigateway update-stage --rest-api-id %s --stage-name %s --patch-operations op=replace,path=/deploymentId,value=%s --region %s",
						api.ID, st.Name, newest.ID, r.Name),
				})
			}
		}
		return out
	},
}

func stagesServing(api *inventory.API, deploymentID string) []string {
	var names []string
	for _, st := range api.Stages {
		if st.DeploymentID == deploymentID {
			names = append(names, st.Name)
		}
	}
	return names
}

var stageWithoutDeployment = Check{
	perAPI:      true,
	ID:          "stage-without-deployment",
	Family:      "deployment",
	Title:       "Stage has no deployment",
	Severity:    Critical,
	Levels:      "critical",
	LooksAt:     "the stage's deploymentId against the API's deployment list, for REST, HTTP and WebSocket APIs",
	Remediation: "aws apigateway create-deployment --rest-api-id API --stage-name STAGE --region REGION",
	run: func(r *inventory.Region, _ Config) []Finding {
		return append(v2StagesWithoutDeployment(r), eachStage(r, func(api *inventory.API, st *inventory.Stage, f Finding) (Finding, bool) {
			if !deploymentMissing(api, st) {
				return f, false
			}
			why := "has no deployment"
			if st.DeploymentID != "" {
				why = fmt.Sprintf("points to deployment %s, which no longer exists", st.DeploymentID)
			}
			f.Severity = Critical
			f.Message = fmt.Sprintf("stage %q %s: every call to %s fails", st.Name, why, invokeURL(r.Name, api.ID, st.Name, "/"))
			f.Remediation = createDeployment(r.Name, api.ID, st.Name)
			return f, true
		})...)
	},
}

var neverDeployed = Check{
	perAPI:      true,
	ID:          "never-deployed",
	Family:      "deployment",
	Title:       "API was never deployed",
	Severity:    Info,
	Levels:      "info",
	LooksAt:     "APIs with at least one method and no stage",
	Remediation: "aws apigateway create-deployment --rest-api-id API --stage-name STAGE --region REGION, or delete the API",
	run: func(r *inventory.Region, _ Config) []Finding {
		var out []Finding
		for i := range r.APIs {
			api := &r.APIs[i]
			if unread(api.Unread, inventory.OpGetResources) || unread(api.Unread, inventory.OpGetStages) || len(api.Stages) > 0 || !hasMethods(api) {
				continue
			}
			out = append(out, Finding{
				Severity: Info, APIID: api.ID, APIName: api.Name,
				Message: fmt.Sprintf("API %q has methods but no stage, so nothing of it can be called", api.Name),
				Remediation: fmt.Sprintf("%s  # or, if the API is unused: aws apigateway delete-rest-api --rest-api-id %s --region %s",
					createDeployment(r.Name, api.ID, "<stage-name>"), api.ID, r.Name),
			})
		}
		return out
	},
}
