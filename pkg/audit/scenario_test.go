package audit_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"

	"github.com/apigw-drift/driftaudit/internal/awsemu"
	"github.com/apigw-drift/driftaudit/internal/seed"
	"github.com/apigw-drift/driftaudit/pkg/audit"
	"github.com/apigw-drift/driftaudit/pkg/checks"
	"github.com/apigw-drift/driftaudit/pkg/inventory"
	"github.com/apigw-drift/driftaudit/pkg/publish"
	"github.com/apigw-drift/driftaudit/pkg/report"
	"github.com/apigw-drift/driftaudit/pkg/suppress"
)

// Each scenario builds an account through the real SDK, with drift and its healthy look-alikes,
// scans it end to end through the shim and compares the whole JSON report with a golden file.
// The look-alikes are asserted explicitly too: a healthy API must produce no finding at all.

func TestScenarioDeployment(t *testing.T) {
	a := newAccount(t)
	b := a.build
	healthy := b.API("healthy", seed.APIOptions{ID: "healthy001"})
	healthy.Method("/items", "GET", seed.Method{}).Method("/items", "POST", seed.Method{Auth: "AWS_IAM"})
	healthy.Stage("dev", healthy.Deploy("prod")) // two stages on the newest deployment

	drifted := b.API("drifted", seed.APIOptions{ID: "drifted001"})
	drifted.Method("/open", "GET", seed.Method{Auth: "AWS_IAM"})
	drifted.Method("/locked", "GET", seed.Method{})
	drifted.Method("/keyed", "GET", seed.Method{KeyRequired: true})
	drifted.Method("/keyless", "GET", seed.Method{})
	drifted.Method("/gone", "DELETE", seed.Method{})
	drifted.Method("/iam", "GET", seed.Method{Auth: "AWS_IAM"})
	old := drifted.Deploy("prod")
	time.Sleep(1100 * time.Millisecond)
	drifted.Method("/new", "POST", seed.Method{})                                 // added: critical
	drifted.ReplaceMethod("/open", "GET", seed.Method{})                          // auth loosened: warning
	drifted.ReplaceMethod("/locked", "GET", seed.Method{Auth: "AWS_IAM"})         // auth added: critical
	drifted.ReplaceMethod("/keyed", "GET", seed.Method{})                         // key dropped: warning
	drifted.ReplaceMethod("/keyless", "GET", seed.Method{KeyRequired: true})      // key added: critical
	drifted.DeleteMethod("/gone", "DELETE")                                       // removed: warning
	drifted.ReplaceMethod("/iam", "GET", seed.Method{Auth: "COGNITO_USER_POOLS"}) // changed: warning
	drifted.Deploy("dev")
	gone := drifted.Deploy("")
	drifted.Stage("orphan", old).PointStage("orphan", gone).DeleteDeployment(gone)

	b.API("draft", seed.APIOptions{ID: "draft00001"}).Method("/ideas", "GET", seed.Method{})
	b.API("empty", seed.APIOptions{ID: "empty00001"}) // no method, no stage: nothing to deploy
	a.seeded()

	inv, rep := a.audit(driftOnly())
	assertNoFindingsFor(t, rep, "healthy", "empty")
	assertCounts(t, rep, map[string]int{"undeployed-changes": 7, "stage-behind-latest": 1, "stage-without-deployment": 1, "never-deployed": 1, "api-key-without-plan": 2})
	golden(t, "deployment.golden.json", reportJSON(t, inv, rep))
}

func TestScenarioCORS(t *testing.T) {
	a := newAccount(t)
	b := a.build
	// Healthy: every resource has a full preflight; a {proxy+} ANY answers OPTIONS itself; a
	// proxy-integrated OPTIONS sets its headers in the backend; Allow-Methods '*' allows all.
	healthy := b.API("healthy", seed.APIOptions{ID: "healthy001"})
	healthy.Method("/items", "GET", seed.Method{AllowOrigin: "'*'"}).Method("/items", "PUT", seed.Method{AllowOrigin: "'*'"}).
		Options("/items", seed.StandardCORS("GET", "PUT"))
	healthy.Method("/{proxy+}", "ANY", seed.Method{Integration: types.IntegrationTypeHttpProxy})
	healthy.Method("/lambda", "GET", seed.Method{Integration: types.IntegrationTypeAwsProxy}).
		Method("/lambda", "OPTIONS", seed.Method{Integration: types.IntegrationTypeAwsProxy})
	healthy.Method("/star", "GET", seed.Method{AllowOrigin: "'*'"}).Method("/star", "PATCH", seed.Method{AllowOrigin: "'*'"}).
		Options("/star", seed.CORS{Origin: "'*'", Methods: "'*'", Headers: "'*'"})
	healthy.Deploy("prod")

	// No CORS intent at all: resources without OPTIONS are fine.
	internal := b.API("internal", seed.APIOptions{ID: "internal01"})
	internal.Method("/jobs", "GET", seed.Method{Auth: "AWS_IAM"}).Method("/jobs/{id}", "DELETE", seed.Method{Auth: "AWS_IAM"})
	internal.Deploy("prod")

	// CORS declared on a method but no preflight (critical); intended by tag only (warning);
	// a preflight that needs auth or a key; headers missing; a preflight added but not deployed.
	shop := b.API("shop", seed.APIOptions{ID: "shop000001", Tags: map[string]string{"cors": "true"}})
	shop.Method("/cart", "GET", seed.Method{AllowOrigin: "'https://shop.example.com'"})
	shop.Method("/catalog", "GET", seed.Method{})
	shop.Method("/account", "GET", seed.Method{Auth: "AWS_IAM"}).Options("/account", seed.CORS{Origin: "'*'", Methods: "'GET,OPTIONS'", Headers: "'Authorization'", Auth: "AWS_IAM"})
	shop.Method("/coupons", "GET", seed.Method{}).Options("/coupons", seed.CORS{Origin: "'*'", Methods: "'GET,OPTIONS'", Headers: "'*'", KeyRequired: true})
	shop.Method("/orders", "GET", seed.Method{}).Method("/orders", "POST", seed.Method{}).Options("/orders", seed.CORS{Origin: "'*'", Methods: "'GET,OPTIONS'"})
	shop.Method("/search", "GET", seed.Method{AllowOrigin: "'*'"})
	shop.Deploy("prod")
	shop.Options("/search", seed.StandardCORS("GET"))
	a.seeded()

	inv, rep := a.audit(driftOnly())
	assertNoFindingsFor(t, rep, "healthy", "internal")
	assertCounts(t, rep, map[string]int{"missing-options": 3, "options-requires-auth": 2, "options-missing-cors-headers": 1, "undeployed-changes": 1, "api-key-without-plan": 1})
	golden(t, "cors.golden.json", reportJSON(t, inv, rep))
}

func TestScenarioUsagePlans(t *testing.T) {
	a := newAccount(t)
	b := a.build
	// Healthy: a key-required stage covered by a plan with an enabled key.
	healthy := b.API("healthy", seed.APIOptions{ID: "healthy001"})
	healthy.Method("/data", "GET", seed.Method{KeyRequired: true})
	healthy.Deploy("prod")
	b.APIKey("healthy-client", true, b.UsagePlan("healthy-plan", healthy.ID+":prod"))

	// A stage whose only plan has only a disabled key (critical), another plan without keys
	// whose stage is also covered by a keyed plan (warning), and a plan on a stage without
	// key-required methods (warning).
	partner := b.API("partner", seed.APIOptions{ID: "partner001"})
	partner.Method("/feed", "GET", seed.Method{KeyRequired: true})
	partner.Deploy("prod")
	partner.Deploy("beta")
	b.APIKey("partner-old", false, b.UsagePlan("partner-disabled", partner.ID+":prod"))
	b.UsagePlan("beta-spare", partner.ID+":beta")
	b.APIKey("beta-client", true, b.UsagePlan("beta-main", partner.ID+":beta"))
	open := b.API("open", seed.APIOptions{ID: "open000001"})
	open.Method("/status", "GET", seed.Method{})
	open.Deploy("prod")
	b.APIKey("open-client", true, b.UsagePlan("open-plan", open.ID+":prod"))
	b.UsagePlan("open-unkeyed", open.ID+":prod")

	// Key-required methods deployed where no plan covers the stage.
	orphan := b.API("orphan", seed.APIOptions{ID: "orphan0001"})
	orphan.Method("/admin", "POST", seed.Method{KeyRequired: true}).Method("/admin", "GET", seed.Method{KeyRequired: true})
	orphan.Deploy("prod")

	// Dangling references: an API that does not exist and a stage that does not.
	b.APIKey("ghost-client", true, b.UsagePlan("ghosts", "nosuchapi1:prod", open.ID+":staging"))
	a.seeded()

	inv, rep := a.audit(driftOnly())
	assertNoFindingsFor(t, rep, "healthy")
	assertCounts(t, rep, map[string]int{"unkeyed-usage-plan": 3, "api-key-without-plan": 1, "usage-plan-dangling-stage": 2})
	critical := 0
	for _, f := range rep.Findings {
		if f.Check == "unkeyed-usage-plan" && f.Severity == checks.Critical {
			critical++
			if !strings.Contains(f.Message, "partner-disabled") {
				t.Errorf("the critical unkeyed plan should be partner-disabled: %s", f.Message)
			}
		}
	}
	if critical != 1 {
		t.Errorf("critical unkeyed-usage-plan findings = %d, want 1", critical)
	}
	golden(t, "usageplans.golden.json", reportJSON(t, inv, rep))
}

func TestScenarioCustomDomains(t *testing.T) {
	a := newAccount(t)
	b := a.build
	site := b.API("site", seed.APIOptions{ID: "site000001"})
	site.Method("/", "GET", seed.Method{})
	first := site.Deploy("prod")
	b.Domain("www.example.com").Mapping("www.example.com", "", site.ID, "prod").Mapping("www.example.com", "v1", site.ID, "prod")

	b.Domain("nostage.example.com").Mapping("nostage.example.com", "", site.ID, "")
	b.Domain("empty.example.com")
	old := b.API("old", seed.APIOptions{ID: "old0000001"})
	old.Method("/", "GET", seed.Method{})
	old.Deploy("prod")
	b.Domain("old.example.com").Mapping("old.example.com", "", old.ID, "prod")
	b.DeleteAPI(old.ID)
	site.Stage("temp", first)
	b.Domain("temp.example.com").Mapping("temp.example.com", "app", site.ID, "temp")
	site.DeleteStage("temp")
	gone := site.Deploy("")
	site.Stage("broken", first).PointStage("broken", gone).DeleteDeployment(gone)
	b.Domain("broken.example.com").Mapping("broken.example.com", "api", site.ID, "broken")
	a.seeded()

	inv, rep := a.audit(driftOnly())
	var gaps []string
	for _, f := range rep.Findings {
		if f.Check == "base-path-gap" {
			gaps = append(gaps, f.Severity.String()+" "+f.Domain)
			if f.Domain == "www.example.com" {
				t.Errorf("a valid mapping was reported: %s", f.Message)
			}
		}
	}
	want := "critical old.example.com,critical broken.example.com,critical temp.example.com,warning empty.example.com,info nostage.example.com"
	if got := strings.Join(gaps, ","); got != want {
		t.Errorf("base-path-gap findings:\n got %s\nwant %s", got, want)
	}
	golden(t, "domains.golden.json", reportJSON(t, inv, rep))
}

// driftOnly runs the four drift families: these scenarios are about them, and their healthy
// look-alikes carry no stage hygiene (the hygiene scenario covers that family).
// runWarnings are the report's warnings about the run, without the one driftOnly's selection
// always gives (secrets-in-stage-variables, critical, is dropped with the hygiene family).
func runWarnings(rep *report.Report) []string {
	var out []string
	for _, w := range rep.Warnings {
		if !strings.HasPrefix(w, "critical check ") {
			out = append(out, w)
		}
	}
	return out
}

func driftOnly() audit.Config {
	c := testConfig()
	c.Selection.Disable = []string{"hygiene"}
	return c
}

func assertNoFindingsFor(t *testing.T, rep *report.Report, apiNames ...string) {
	t.Helper()
	for _, f := range rep.Findings {
		for _, name := range apiNames {
			if f.APIName == name {
				t.Errorf("healthy API %s has a finding: %s %s: %s", name, f.Check, f.Severity, f.Message)
			}
		}
	}
	if !rep.Summary.Complete {
		t.Errorf("scan incomplete: %+v", rep.Errors)
	}
}

func assertCounts(t *testing.T, rep *report.Report, want map[string]int) {
	t.Helper()
	for id, n := range rep.Summary.ByCheck {
		if n != want[id] {
			t.Errorf("%s: %d findings, want %d", id, n, want[id])
		}
	}
}

func TestScenarioHygiene(t *testing.T) {
	a := newAccount(t)
	b := a.build
	// Healthy: every setting the family looks for, IAM auth, and a MOCK backend (no client
	// certificate needed).
	tidy := b.API("tidy", seed.APIOptions{ID: "tidy000001", EndpointType: "REGIONAL"})
	tidy.Method("/items", "GET", seed.Method{Auth: "AWS_IAM"})
	tidy.Deploy("prod")
	tidy.Configure("prod", seed.Hygienic(region))
	// A PRIVATE API needs no web ACL, and its methods are not public.
	private := b.API("private", seed.APIOptions{ID: "private001", EndpointType: "PRIVATE"})
	private.Method("/jobs", "GET", seed.Method{})
	private.Deploy("prod")
	s := seed.Hygienic(region)
	s.WebACLArn = ""
	private.Configure("prod", s)

	// Neglected: nothing configured, a public method, an HTTP backend, a secret in a variable.
	bare := b.API("bare", seed.APIOptions{ID: "bare000001"})
	bare.Method("/open", "GET", seed.Method{Integration: "HTTP"})
	bare.Deploy("prod")
	a.seeded()
	if _, err := apigateway.NewFromConfig(a.cfg).UpdateStage(a.ctx, &apigateway.UpdateStageInput{RestApiId: aws.String("bare000001"), StageName: aws.String("prod"),
		PatchOperations: []types.PatchOperation{{Op: types.OpReplace, Path: aws.String("/variables/dbPassword"), Value: aws.String("hunter2")}}}); err != nil {
		t.Fatal(err)
	}

	c := testConfig()
	c.Selection.Enable = []string{"hygiene"}
	c.Checks.AllowedEndpointTypes = []string{"REGIONAL", "PRIVATE"}
	inv, rep := a.audit(c)
	assertNoFindingsFor(t, rep, "tidy", "private")
	for _, id := range []string{"access-logging-disabled", "execution-logging-disabled", "detailed-metrics-disabled", "tracing-disabled",
		"waf-not-attached", "client-certificate-missing", "public-method-without-auth", "secrets-in-stage-variables", "endpoint-type-not-allowed"} {
		if rep.Summary.ByCheck[id] != 1 {
			t.Errorf("%s: %d findings on the neglected API, want 1", id, rep.Summary.ByCheck[id])
		}
	}
	js := reportJSON(t, inv, rep)
	if strings.Contains(string(js), "hunter2") {
		t.Error("a stage variable's value reached the report")
	}
	golden(t, "hygiene.golden.json", js)
}

// TestScenarioSuppressions: the drift-auditor:ignore tag and a suppression file, one entry of
// which has expired, through a whole scan.
func TestScenarioSuppressions(t *testing.T) {
	a := newAccount(t)
	b := a.build
	tagged := b.API("tagged", seed.APIOptions{ID: "tagged0001", Tags: map[string]string{"drift-auditor:ignore": "never-deployed"}})
	tagged.Method("/x", "GET", seed.Method{})
	legacy := b.API("legacy-billing", seed.APIOptions{ID: "legacy0001"})
	legacy.Method("/x", "GET", seed.Method{})
	draft := b.API("draft", seed.APIOptions{ID: "draft00001"})
	draft.Method("/x", "GET", seed.Method{})
	a.seeded()

	set, err := suppress.Parse("team.yaml", strings.NewReader(`
suppressions:
  - {check: never-deployed, api: "legacy-*", reason: "kept for the audit trail"}
  - {check: never-deployed, api: draft00001, reason: "prototype", expires: 2026-11-01}
`), checks.All())
	if err != nil {
		t.Fatal(err)
	}
	c := driftOnly()
	c.Suppressions = set
	_, rep := a.audit(c)
	if len(rep.Findings) != 1 || rep.Findings[0].APIID != "draft00001" || !strings.Contains(rep.Findings[0].Message, "expired on 2026-11-01") {
		t.Errorf("the expired suppression's finding should be back and say so: %+v", rep.Findings)
	}
	if rep.Summary.Suppressed != 2 || len(rep.Suppressed) != 2 || len(runWarnings(rep)) != 1 {
		t.Fatalf("suppressed %d %+v, warnings %q", rep.Summary.Suppressed, rep.Suppressed, rep.Warnings)
	}
	reasons := rep.Suppressed[0].Suppression + " | " + rep.Suppressed[1].Suppression
	for _, want := range []string{"team.yaml entry 1: kept for the audit trail", "tag drift-auditor:ignore=never-deployed on the API"} {
		if !strings.Contains(reasons, want) {
			t.Errorf("suppression reasons %q lack %q", reasons, want)
		}
	}
}

// TestScenarioMixedDomains: one custom domain is one namespace for REST and HTTP APIs. A domain
// mixing a REST mapping, an HTTP mapping, a multi-level REST mapping and a multi-level HTTP
// mapping, all leading somewhere, has no finding; the same after deleting an HTTP and a REST
// stage has exactly the two critical findings; a domain whose only mapping is an HTTP API has
// none.
func TestScenarioMixedDomains(t *testing.T) {
	a := newAccount(t)
	b := a.build
	users := b.API("users", seed.APIOptions{ID: "users00001"})
	users.Method("/users", "GET", seed.Method{Auth: "AWS_IAM"})
	users.Deploy("prod")
	users.Deploy("beta")
	orders := b.HTTPAPI("orders", seed.HTTPAPIOptions{})
	orders.Route("GET /orders", "AWS_IAM").Stage("prod", false).Stage("beta", false)
	orders.Deploy("prod")
	orders.Deploy("beta")
	for d, multi := range map[string]string{"api.example.com": "prod", "broken.example.com": "beta"} {
		b.Domain(d).APIMapping(d, "users", users.ID, "prod").APIMapping(d, "orders", orders.ID, "prod").
			APIMapping(d, "users/v2", users.ID, multi).APIMapping(d, "orders/v2", orders.ID, multi)
	}
	b.Domain("http-only.example.com").APIMapping("http-only.example.com", "", orders.ID, "prod")
	a.seeded()

	_, rep := a.audit(driftOnly())
	for _, f := range rep.Findings {
		if f.Check == "base-path-gap" {
			t.Errorf("a mapping that works was reported: %s", f.Message)
		}
	}

	// The same after the beta stages are deleted: exactly broken.example.com's two multi-level
	// mappings, to beta, lead nowhere.
	users.DeleteStage("beta")
	orders.DeleteStage("beta")
	a.seeded()
	inv, rep := a.audit(driftOnly())
	var gaps []string
	for _, f := range rep.Findings {
		if f.Check == "base-path-gap" {
			gaps = append(gaps, fmt.Sprintf("%s %s %s/%s %s", f.Severity, f.APIType, f.Domain, f.BasePath, f.Stage))
		}
	}
	want := []string{"critical HTTP broken.example.com/orders/v2 beta", "critical REST broken.example.com/users/v2 beta"}
	if slices.Sort(gaps); !slices.Equal(gaps, want) {
		t.Errorf("base-path-gap findings:\n got %q\nwant %q", gaps, want)
	}
	golden(t, "mixed-domains.golden.json", reportJSON(t, inv, rep))
}

// TestScenarioV1Fallback: with v2's API mappings denied, mappings are read with v1. REST
// mappings are still judged, a domain with no REST mapping is not called empty, and each domain
// has a scan error that says what stays unread and which grant is missing: mappings to HTTP APIs
// went unseen, so the run is incomplete, and it can neither resolve their findings nor move an
// alarm back to OK.
func TestScenarioV1Fallback(t *testing.T) {
	a := newAccount(t)
	b := a.build
	site := b.API("site", seed.APIOptions{ID: "site000001"})
	site.Method("/", "GET", seed.Method{Auth: "AWS_IAM"})
	site.Deploy("prod")
	site.Deploy("temp")
	orders := b.HTTPAPI("orders", seed.HTTPAPIOptions{})
	orders.Route("GET /orders", "AWS_IAM").Stage("prod", false)
	orders.Deploy("prod")
	b.Domain("api.example.com").APIMapping("api.example.com", "site", site.ID, "temp")
	b.Domain("http-only.example.com").APIMapping("http-only.example.com", "orders", orders.ID, "prod")
	site.DeleteStage("temp")
	a.seeded()
	a.shim.AddFault(awsemu.Fault{Service: "apigateway", Operation: "GetApiMappings", Kind: awsemu.FaultStatus, Status: 403, ErrorType: "AccessDeniedException"})

	_, rep := a.audit(driftOnly())
	if rep.Summary.Complete {
		t.Error("the run says it is complete, though no domain's HTTP mappings were read")
	}
	var domains []string
	for _, e := range rep.Errors {
		domains = append(domains, e.Domain)
		if e.Operation != inventory.OpGetApiMappings || !strings.Contains(e.Message, "GetApiMappings was denied (AccessDeniedException: Forbidden)") ||
			!strings.Contains(e.Message, "REST mappings were read with v1 GetBasePathMappings") ||
			!strings.Contains(e.Message, "mappings to HTTP and WebSocket APIs and multi-level mappings are unread") ||
			!strings.Contains(e.Message, "grant apigateway:GET on /domainnames/*/apimappings") {
			t.Errorf("scan error %+v: want the denial, what was read with v1, what is unread and the grant", e)
		}
	}
	if got := strings.Join(domains, ","); got != "api.example.com,http-only.example.com" {
		t.Errorf("scan errors on domains %q, want one on each", got)
	}
	var gaps []string
	for _, f := range rep.Findings {
		if f.Check == "base-path-gap" {
			gaps = append(gaps, f.Severity.String()+" "+f.Domain)
		}
	}
	if got := strings.Join(gaps, ","); got != "critical api.example.com" {
		t.Errorf("base-path-gap findings %q, want only the REST mapping to the deleted stage", got)
	}
	if w := runWarnings(rep); len(w) != 0 {
		t.Errorf("warnings %q: the scan errors say it all", w)
	}
	for _, d := range publish.MetricData(rep, publish.MetricOptions{}, time.Second, time.Now()) {
		if aws.ToString(d.MetricName) == publish.MetricFindings {
			t.Fatalf("a Findings datum (%v) from a run that did not read every mapping could move an alarm to OK", d.Dimensions)
		}
	}
}

// TestScenarioHTTPDrift: HTTP APIs deployed by hand drift like REST APIs. carts gains a route and
// loses one after its deployment to prod, and dev's deployment is deleted; live deploys
// automatically and is healthy, as is the look-alike auto-deployed API; one automatic stage's
// last deployment failed.
func TestScenarioHTTPDrift(t *testing.T) {
	a := newAccount(t)
	b := a.build
	carts := b.HTTPAPI("carts", seed.HTTPAPIOptions{})
	carts.Route("GET /carts", "AWS_IAM").Route("DELETE /carts/{id}", "AWS_IAM").Stage("prod", false).Stage("dev", false).Stage("live", true)
	carts.Deploy("prod")
	carts.DeleteDeployment(carts.Deploy("dev"))
	carts.Route("POST /carts", "AWS_IAM").DeleteRoute("DELETE /carts/{id}")
	auto := b.HTTPAPI("auto", seed.HTTPAPIOptions{})
	auto.Route("GET /items", "AWS_IAM").Stage("$default", true).Route("POST /items", "AWS_IAM")
	failing := b.HTTPAPI("failing", seed.HTTPAPIOptions{})
	failing.Route("GET /x", "AWS_IAM").Stage("$default", true)
	a.seeded()
	a.shim.SetLastDeploymentStatusMessage(region, failing.ID, "$default", "Unable to deploy API because no integration is attached to route GET /x")

	inv, rep := a.audit(driftOnly())
	var got []string
	for _, f := range rep.Findings {
		got = append(got, fmt.Sprintf("%s %s %s %s %s %s", f.Severity, f.Check, f.APIName, f.Stage, f.Method, f.Path))
	}
	slices.Sort(got)
	want := []string{
		"critical stage-without-deployment carts dev  ",
		"critical undeployed-changes carts prod POST /carts",
		"critical undeployed-changes failing $default  ",
		"warning undeployed-changes carts prod DELETE /carts/{id}",
	}
	if !slices.Equal(got, want) {
		t.Errorf("findings:\n got %q\nwant %q", got, want)
	}
	golden(t, "http-drift.golden.json", reportJSON(t, inv, rep))
}

// TestScenarioBaseline: a report compared with an earlier one, as a golden file. Between the
// runs, one undeployed change is deployed (resolved), one is added (new), one stays (standing);
// and in the second run the API holding a third drift cannot be read: that drift is neither
// resolved nor standing, only not rechecked.
func TestScenarioBaseline(t *testing.T) {
	a := newAccount(t)
	b := a.build
	orders := b.API("orders", seed.APIOptions{ID: "orders0001"})
	orders.Method("/orders", "GET", seed.Method{Auth: "AWS_IAM"}).Deploy("prod")
	orders.Method("/orders", "POST", seed.Method{Auth: "AWS_IAM"}) // stays undeployed
	users := b.API("users", seed.APIOptions{ID: "users00001"})
	users.Method("/users", "GET", seed.Method{Auth: "AWS_IAM"}).Deploy("prod")
	users.Method("/users", "POST", seed.Method{Auth: "AWS_IAM"}) // deployed before the second run
	hidden := b.API("hidden", seed.APIOptions{ID: "hidden0001"})
	hidden.Method("/h", "GET", seed.Method{Auth: "AWS_IAM"}).Deploy("prod")
	hidden.Method("/h", "POST", seed.Method{Auth: "AWS_IAM"}) // unread in the second run
	a.seeded()
	_, first := a.audit(driftOnly())

	users.Deploy("prod")
	orders.Method("/orders/{id}", "GET", seed.Method{Auth: "AWS_IAM"}) // a new undeployed change
	a.seeded()
	a.shim.AddFault(awsemu.Fault{Service: "apigateway", APIID: "hidden0001", Kind: awsemu.FaultStatus, Status: 403, ErrorType: "AccessDeniedException"})
	inv, second := a.audit(driftOnly())
	second.Compare(first)
	if c := *second.Summary.Changes; c != (report.Changes{New: 1, Standing: 1, Resolved: 1, NotRechecked: 1}) {
		t.Errorf("changes %+v, want 1 new, 1 standing, 1 resolved, 1 not rechecked", c)
	}
	golden(t, "baseline.golden.json", reportJSON(t, inv, second))
}
