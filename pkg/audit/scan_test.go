package audit_test

import (
	"bytes"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apigw-drift/driftaudit/internal/awsemu"
	"github.com/apigw-drift/driftaudit/internal/seed"
	"github.com/apigw-drift/driftaudit/pkg/audit"
	"github.com/apigw-drift/driftaudit/pkg/inventory"
	"github.com/apigw-drift/driftaudit/pkg/publish"
)

// seedMixed builds a small account with resources on several levels, two stages, a usage plan
// with keys and a custom domain: enough for every paged list to have more than one page at a
// page size of 2.
func seedMixed(a *account) {
	b := a.build
	for _, name := range []string{"alpha", "bravo", "charlie"} {
		api := b.API(name, seed.APIOptions{ID: name + "0000"})
		api.Method("/a", "GET", seed.Method{KeyRequired: true}).Method("/a/b", "GET", seed.Method{}).Method("/a/b/c", "POST", seed.Method{})
		api.Stage("beta", api.Deploy("prod"))
		api.Method("/a/b/c/d", "GET", seed.Method{})
	}
	plan := b.UsagePlan("plan", "alpha0000:prod", "alpha0000:beta", "bravo0000:prod")
	b.APIKey("k1", true, plan)
	b.APIKey("k2", false, plan)
	b.APIKey("k3", true, plan)
	b.Domain("a.example.com").Mapping("a.example.com", "x", "alpha0000", "prod").Mapping("a.example.com", "y", "bravo0000", "prod").Mapping("a.example.com", "z", "charlie0000", "")
	b.Domain("b.example.com").Domain("c.example.com")
	a.seeded()
}

func TestPagingReadsEverything(t *testing.T) {
	a := newAccount(t)
	seedMixed(a)
	inv, rep := a.audit(testConfig())
	whole := reportJSON(t, inv, rep)
	counts := a.shim.Counts()

	a.shim.SetMaxPageSize(2)
	a.shim.ResetLog()
	pagedInv, pagedRep := a.audit(testConfig())
	if paged := reportJSON(t, pagedInv, pagedRep); !bytes.Equal(whole, paged) {
		t.Errorf("a scan with pages of 2 differs from one with whole lists:\n%s\n---\n%s", whole, paged)
	}
	pagedCounts := a.shim.Counts()
	// 3 APIs, 3 domains -> 2 pages each; 5 resources per API -> 3 pages; 3 keys -> 2 pages.
	for op, want := range map[string]int{"GetRestApis": 2, "GetResources": 9, "GetApiKeys": 2, "GetUsagePlanKeys": 2, "GetDomainNames": 2} {
		if pagedCounts[op] != want {
			t.Errorf("%s called %d times with pages of 2, want %d (whole lists: %d)", op, pagedCounts[op], want, counts[op])
		}
	}
	if len(rep.Findings) == 0 {
		t.Fatal("the mixed account should have findings")
	}
}

// TestCallsPerAPI pins the cost of a scan: per REST API, its GetResources pages, one GetStages,
// one GetDeployments when it has stages, and one GetDeployment per distinct live deployment; per
// HTTP or WebSocket API, one GetStages, one GetDeployments when it has stages, and for an HTTP
// API one ExportApi of the current definition plus one per stage deployed by hand; per region,
// one call per list page, plus one per usage plan and one GetApiMappings per domain.
func TestCallsPerAPI(t *testing.T) {
	a := newAccount(t)
	seedMixed(a)
	a.build.API("nostages", seed.APIOptions{ID: "nostage001"}).Method("/x", "GET", seed.Method{})
	// An HTTP API with a stage deployed by hand and one deployed automatically: one GetStages,
	// one GetDeployments, and two exports (the current definition, and the stage by hand).
	carts := a.build.HTTPAPI("carts", seed.HTTPAPIOptions{})
	carts.Route("GET /carts", "").Stage("prod", false).Stage("live", true)
	carts.Deploy("prod")
	a.seeded()
	a.audit(testConfig())
	got := a.shim.Counts()
	// v1 and v2 operations of the same name count together: GetStages is 4 REST + 1 HTTP.
	want := map[string]int{
		"GetRestApis": 1, "GetResources": 4, "GetStages": 5, "GetDeployments": 4, "GetDeployment": 3,
		"GetUsagePlans": 1, "GetUsagePlanKeys": 1, "GetApiKeys": 1, "GetDomainNames": 1, "GetApiMappings": 3,
		"GetApis": 1, "ExportApi": 2, "GetCallerIdentity": 1,
	}
	for op, n := range got {
		if n != want[op] {
			t.Errorf("%s: %d calls, want %d", op, n, want[op])
		}
	}
	for op, n := range want {
		if got[op] != n {
			t.Errorf("%s: %d calls, want %d", op, got[op], n)
		}
	}
	for _, r := range a.shim.Requests() {
		if r.Operation == "GetApiKeys" && strings.Contains(r.RawQuery, "includeValues") {
			t.Errorf("GetApiKeys asked for key values: %s", r.RawQuery)
		}
		if r.Operation == "GetResources" && !embedsMethods(r.RawQuery) {
			t.Errorf("GetResources without embed=methods, so AWS would send no method bodies: %s", r.RawQuery)
		}
		if r.Service == "apigateway" && r.Method != "GET" {
			t.Errorf("the scan made a mutating call: %s %s", r.Method, r.Path)
		}
	}
}

// embedsMethods tells whether a request's query asks for method bodies, as the scanner must in
// every GetResources call.
func embedsMethods(rawQuery string) bool {
	q, err := url.ParseQuery(rawQuery)
	return err == nil && slices.Contains(q["embed"], "methods")
}

func TestMissingAPISummaryIsAScanError(t *testing.T) {
	a := newAccount(t, awsemu.WithoutAPISummary())
	api := a.build.API("orders", seed.APIOptions{ID: "orders0001"})
	api.Method("/orders", "GET", seed.Method{})
	api.Deploy("prod")
	api.Method("/orders", "POST", seed.Method{})
	a.seeded()
	_, rep := a.audit(testConfig())
	if rep.Summary.Complete || len(rep.Errors) != 1 {
		t.Fatalf("want one scan error and an incomplete report, got %+v", rep.Errors)
	}
	e := rep.Errors[0]
	if e.Operation != inventory.OpGetDeployment || e.APIID != "orders0001" || !strings.Contains(e.Message, "apiSummary") || !strings.Contains(e.Message, "prod") {
		t.Errorf("scan error does not say which deployment and stage lack apiSummary: %+v", e)
	}
	for _, f := range rep.Findings {
		if f.Check == "undeployed-changes" {
			t.Errorf("drift was guessed without a snapshot: %+v", f)
		}
	}
}

func TestAccessDeniedAPIIsRecordedAndTheScanGoesOn(t *testing.T) {
	a := newAccount(t)
	seedMixed(a)
	_, clean := a.audit(testConfig())

	a.shim.AddFault(awsemu.Fault{Service: "apigateway", APIID: "bravo0000", Kind: awsemu.FaultStatus, Status: 403,
		ErrorType: "AccessDeniedException", Message: "User is not authorized to access this resource"})
	_, rep := a.audit(testConfig())
	if rep.Summary.Complete {
		t.Fatal("a scan with an access-denied API must be incomplete")
	}
	for _, e := range rep.Errors {
		if e.APIID != "bravo0000" || e.Region != region || !strings.Contains(e.Message, "AccessDenied") {
			t.Errorf("unexpected scan error %+v", e)
		}
	}
	ops := map[string]bool{}
	for _, e := range rep.Errors {
		ops[e.Operation] = true
	}
	if !ops["GetResources"] || !ops["GetStages"] {
		t.Errorf("errors should name GetResources and GetStages of bravo0000, got %+v", rep.Errors)
	}
	// Every finding of the other APIs is still there, unchanged.
	var want, got []string
	for _, f := range clean.Findings {
		if f.APIID != "bravo0000" {
			want = append(want, f.Check+" "+f.APIID+" "+f.Stage+" "+f.Path+" "+f.Domain+" "+f.BasePath+" "+f.Message)
		}
	}
	for _, f := range rep.Findings {
		if f.APIID == "bravo0000" && f.Domain == "" && f.UsagePlanID == "" {
			t.Errorf("a finding about the unreadable API was guessed: %+v", f)
		}
		if f.APIID != "bravo0000" {
			got = append(got, f.Check+" "+f.APIID+" "+f.Stage+" "+f.Path+" "+f.Domain+" "+f.BasePath+" "+f.Message)
		}
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("findings of readable APIs changed:\n got %q\nwant %q", got, want)
	}
}

// TestCallerIdentityFailureIsAWarning: when sts:GetCallerIdentity fails the audit still runs and
// is complete (the account id only labels it), the report carries a warning saying why no
// account is named, and the SNS subject names the region without pretending to name an account.
func TestCallerIdentityFailureIsAWarning(t *testing.T) {
	a := newAccount(t)
	a.build.API("one", seed.APIOptions{ID: "one0000001"}).Method("/x", "GET", seed.Method{})
	a.seeded()
	a.shim.AddFault(awsemu.Fault{Service: "sts", Kind: awsemu.FaultStatus, Status: 403, ErrorType: "AccessDenied"})
	inv, rep := a.audit(testConfig())
	if inv.AccountID != "" || rep.AccountID != "" || !rep.Summary.Complete {
		t.Errorf("account %q/%q, complete %t: want no account id and a complete scan", inv.AccountID, rep.AccountID, rep.Summary.Complete)
	}
	if len(rep.Warnings) != 1 || !strings.Contains(rep.Warnings[0], "sts:GetCallerIdentity") || !strings.Contains(rep.Warnings[0], "AccessDenied") {
		t.Errorf("warnings %q: want one naming sts:GetCallerIdentity and the error", rep.Warnings)
	}
	if s := publish.Subject(rep); s != "API Gateway drift: 1 warning, 1 info in us-east-1" {
		t.Errorf("subject %q", s)
	}
}

// TestAuditEqualsScanThenEvaluate: Audit, which judges each API as it is read and keeps only a
// slim copy, gives the report byte for byte that a whole inventory gives, on the demo account in
// two regions and on the hygiene scenario.
func TestAuditEqualsScanThenEvaluate(t *testing.T) {
	a := newAccount(t)
	for _, r := range []string{region, "eu-west-1"} {
		if err := seed.Demo(seed.ForConfig(a.ctx, awsemu.AWSConfig(a.shim.URL, r)), time.Sleep); err != nil {
			t.Fatal(err)
		}
	}
	a.seeded()
	c := testConfig()
	c.Regions = []string{region, "eu-west-1"}
	c.Checks.AllowedEndpointTypes = []string{"REGIONAL"}
	inv, whole := a.audit(c)
	streamed, err := audit.Audit(a.ctx, c, a.cfg, time.Date(2026, 11, 27, 3, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	want, got := reportJSON(t, inv, whole), reportJSON(t, inv, streamed)
	if !bytes.Equal(want, got) {
		t.Errorf("Audit's report differs from Scan then Evaluate:\n%s\n---\n%s", got, want)
	}
	if len(whole.Findings) < 100 {
		t.Errorf("only %d findings: the comparison should cover every family", len(whole.Findings))
	}
}
