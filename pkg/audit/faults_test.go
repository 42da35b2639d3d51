package audit_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apigw-drift/driftaudit/internal/awsemu"
	"github.com/apigw-drift/driftaudit/internal/seed"
	"github.com/apigw-drift/driftaudit/pkg/audit"
	"github.com/apigw-drift/driftaudit/pkg/checks"
	"github.com/apigw-drift/driftaudit/pkg/inventory"
	"github.com/apigw-drift/driftaudit/pkg/report"
)

// Under every fault the shim can inject, a scan must either survive it or report it: what
// could be read is reported exactly as in a fault-free run, what could not is listed in errors
// with region, API and operation, and the report says it is incomplete. Nothing is invented
// and nothing disappears silently.

func location(f checks.Finding) string {
	return strings.Join([]string{f.Check, f.Region, f.APIID, f.Stage, f.Path, f.Method, f.Domain, f.BasePath, f.UsagePlanID}, "|")
}

// regionWide names, for each region-wide list, the checks that read it: an error on that list
// explains only their findings. GetRestApis explains every finding of its region.
var regionWide = map[string][]string{
	"GetUsagePlans":  {"unkeyed-usage-plan", "api-key-without-plan", "usage-plan-dangling-stage"},
	"GetApiKeys":     {"unkeyed-usage-plan"},
	"GetDomainNames": {"base-path-gap", "domain-tls-outdated"},
	"GetApis":        {"base-path-gap", "domain-tls-outdated"},
}

// explains says whether scan error e, recorded on its scope, accounts for finding f being
// missing or different. clean is the inventory of the uncut run, which says which APIs a usage
// plan covers.
func explains(e inventory.ScanError, f checks.Finding, clean *inventory.Inventory) bool {
	// An error of no account is one whose account could not be read (the caller's, in a
	// one-account audit whose GetCallerIdentity was cut): it covers the audit's account.
	if e.Region != f.Region || e.AccountID != f.AccountID && e.AccountID != "" {
		return false
	}
	switch {
	case e.LeavesRegionUnread():
		return true
	case e.APIID != "":
		return e.APIID == f.APIID || (f.UsagePlanID != "" && planCoversAPI(clean, f.Region, f.UsagePlanID, e.APIID))
	case e.UsagePlanID != "":
		// A plan's keys decide its own finding, and the severity of every plan covering the same stages.
		return e.UsagePlanID == f.UsagePlanID || f.Check == "unkeyed-usage-plan"
	case e.Domain != "":
		return e.Domain == f.Domain
	default:
		// Without the HTTP and WebSocket API list, nothing about those APIs is known.
		v2 := e.Operation == "GetApis" && (f.APIType == "HTTP" || f.APIType == "WEBSOCKET")
		return e.Operation == "GetRestApis" || v2 || slices.Contains(regionWide[e.Operation], f.Check)
	}
}

func planCoversAPI(inv *inventory.Inventory, region, planID, apiID string) bool {
	for _, r := range inv.Regions {
		for _, p := range r.UsagePlans {
			if r.Name == region && p.ID == planID && slices.ContainsFunc(p.APIStages, func(as inventory.APIStage) bool { return as.APIID == apiID }) {
				return true
			}
		}
	}
	return false
}

// assertNothingLost compares a run under faults (or cut short) with the fault-free run of the
// same account: every finding it has, the clean run has at the same place and severity; every
// finding it lacks, or says differently, is explained by a scan error on its scope; the report
// is complete exactly when nothing failed, and every error says what and where in one line.
func assertNothingLost(t *testing.T, cleanInv *inventory.Inventory, clean, got *report.Report) {
	t.Helper()
	cleanSev, cleanFull := map[string]checks.Severity{}, map[string]bool{}
	for _, f := range clean.Findings {
		cleanSev[location(f)], cleanFull[location(f)+f.Message] = f.Severity, true
	}
	explained := func(f checks.Finding) bool {
		return slices.ContainsFunc(got.Errors, func(e inventory.ScanError) bool { return explains(e, f, cleanInv) })
	}
	gotFull := map[string]bool{}
	for _, f := range got.Findings {
		gotFull[location(f)+f.Message] = true
		sev, ok := cleanSev[location(f)]
		switch {
		case !ok:
			t.Errorf("a finding the fault-free run does not have: %s %s", location(f), f.Message)
		case sev != f.Severity:
			t.Errorf("a finding at another severity (%s) than in the fault-free run (%s): %s %s", f.Severity, sev, location(f), f.Message)
		case !cleanFull[location(f)+f.Message] && !explained(f):
			t.Errorf("a finding changed without a scan error to explain it: %s %s", location(f), f.Message)
		}
	}
	for _, f := range clean.Findings {
		if !gotFull[location(f)+f.Message] && !explained(f) {
			t.Errorf("a finding was lost and no scan error says why: %s %s", location(f), f.Message)
		}
	}
	for _, e := range got.Errors {
		if e.Region == "" || e.Operation == "" || e.Message == "" || strings.Contains(e.Message, "\n") {
			t.Errorf("a scan error that does not say what and where in one line: %+v", e)
		}
	}
	if got.Summary.Complete != (len(got.Errors) == 0) || got.Summary.Errors != len(got.Errors) {
		t.Errorf("summary complete=%t errors=%d, but %d errors are listed", got.Summary.Complete, got.Summary.Errors, len(got.Errors))
	}
}

func TestFaults(t *testing.T) {
	a := demoAccount(t, awsemu.WithSeed(7))
	cleanInv, clean := a.audit(testConfig())
	if !clean.Summary.Complete || len(clean.Findings) < 20 {
		t.Fatalf("the fault-free run should be complete with at least the demo's 20 drift findings: %+v", clean.Summary)
	}

	for _, tc := range []struct {
		name  string
		fault awsemu.Fault
		conf  func(*audit.Config)
		// complete says whether the run must survive the fault whole (retries absorb it).
		complete bool
		// errorsOn, when set, is the API every scan error must name.
		errorsOn string
	}{
		// A burst shorter than one call's 6 attempts: the five region-wide lists start together,
		// so a longer burst can land on one of them whole, which retries are not for (the
		// repeated-5xx case covers a call that keeps failing).
		{name: "bursts of 429", fault: awsemu.Fault{Service: "apigateway", Kind: awsemu.FaultThrottle, Count: 5}, complete: true},
		{name: "429 on a share of calls", fault: awsemu.Fault{Service: "apigateway", Kind: awsemu.FaultThrottle, Probability: 0.15}, complete: true},
		{name: "5xx on a share of calls", fault: awsemu.Fault{Service: "apigateway", Kind: awsemu.FaultStatus, Status: 503, Probability: 0.2}, complete: true},
		{name: "connection resets", fault: awsemu.Fault{Service: "apigateway", Kind: awsemu.FaultReset, Probability: 0.2}, complete: true},
		{name: "timeouts", fault: awsemu.Fault{Service: "apigateway", Kind: awsemu.FaultHang, Count: 4},
			conf: func(c *audit.Config) { c.AttemptTimeout = 300 * time.Millisecond }, complete: true},
		{name: "slow responses", fault: awsemu.Fault{Service: "apigateway", Kind: awsemu.FaultDelay, Delay: 40 * time.Millisecond}, complete: true},
		{name: "malformed bodies", fault: awsemu.Fault{Service: "apigateway", Operation: "GetStages", APIID: "reports001", Kind: awsemu.FaultMalformed}, errorsOn: "reports001"},
		{name: "malformed list", fault: awsemu.Fault{Service: "apigateway", Operation: "GetUsagePlans", Kind: awsemu.FaultMalformed}},
		{name: "one API denies access", fault: awsemu.Fault{Service: "apigateway", APIID: "web0000001", Kind: awsemu.FaultStatus, Status: 403, ErrorType: "AccessDeniedException"}, errorsOn: "web0000001"},
		{name: "an API deleted mid-scan", fault: awsemu.Fault{Service: "apigateway", APIID: "orders0001", Operation: "GetStages", Kind: awsemu.FaultStatus, Status: 404, ErrorType: "NotFoundException"}, errorsOn: "orders0001"},
		{name: "repeated 5xx on one API", fault: awsemu.Fault{Service: "apigateway", APIID: "payments01", Kind: awsemu.FaultStatus, Status: 500}, errorsOn: "payments01"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a.shim.ResetLog()
			a.shim.ClearFaults()
			a.shim.AddFault(tc.fault)
			defer a.shim.ClearFaults()
			c := testConfig()
			if tc.conf != nil {
				tc.conf(&c)
			}
			_, got := a.audit(c)
			assertNothingLost(t, cleanInv, clean, got)
			if tc.complete && !got.Summary.Complete {
				t.Errorf("retries should have absorbed this fault; errors: %+v", got.Errors)
			}
			if !tc.complete && got.Summary.Complete {
				t.Errorf("the fault should show as scan errors; the run claims to be complete")
			}
			for _, e := range got.Errors {
				if tc.errorsOn != "" && e.APIID != tc.errorsOn {
					t.Errorf("a scan error on another API than the faulty one: %+v", e)
				}
			}
			t.Logf("injected %d, errors %d, findings %d of %d", a.shim.Injected(), len(got.Errors), len(got.Findings), len(clean.Findings))
		})
	}
}

func TestUnreachableRegion(t *testing.T) {
	a := demoAccount(t)
	cleanInv, clean := a.audit(testConfig())
	a.shim.AddFault(awsemu.Fault{Region: "eu-west-3", Kind: awsemu.FaultReset})
	c := testConfig()
	c.Regions = []string{region, "eu-west-3"}
	_, got := a.audit(c)
	assertNothingLost(t, cleanInv, clean, got)
	ops := map[string]bool{}
	for _, e := range got.Errors {
		if e.Region != "eu-west-3" {
			t.Errorf("an error outside the unreachable region: %+v", e)
		}
		ops[e.Operation] = true
	}
	for _, op := range []string{"GetRestApis", "GetUsagePlans", "GetApiKeys", "GetDomainNames"} {
		if !ops[op] {
			t.Errorf("no scan error says %s failed in eu-west-3: %+v", op, got.Errors)
		}
	}
	if got.Summary.Complete || len(got.Findings) != len(clean.Findings) {
		t.Errorf("complete=%t, %d findings (want the %d of us-east-1)", got.Summary.Complete, len(got.Findings), len(clean.Findings))
	}
}

// TestDeadEndpointEndsAtTheDeadline hangs every call: the scan gives up when its context ends,
// records what it did not read, and returns; it never hangs past the deadline.
func TestDeadEndpointEndsAtTheDeadline(t *testing.T) {
	a := newAccount(t)
	a.build.API("one", seed.APIOptions{ID: "one0000001"}).Method("/x", "GET", seed.Method{})
	a.seeded()
	a.shim.AddFault(awsemu.Fault{Service: "apigateway", Kind: awsemu.FaultHang})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	start := time.Now()
	inv, err := audit.Scan(ctx, testConfig(), a.cfg)
	if elapsed := time.Since(start); elapsed > 4*time.Second {
		t.Errorf("the scan took %s against a 2 s deadline", elapsed)
	}
	if err == nil || inv == nil || len(inv.Regions[0].Errors) == 0 {
		t.Fatalf("want an error and an inventory recording what was not read: %v", err)
	}
	if !strings.Contains(inv.Regions[0].Errors[0].Message, "deadline exceeded") {
		t.Errorf("the errors should say the deadline ended the scan: %+v", inv.Regions[0].Errors)
	}
}
