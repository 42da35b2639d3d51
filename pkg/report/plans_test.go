package report

import (
	"strings"
	"testing"

	"github.com/apigw-drift/driftaudit/pkg/checks"
	"github.com/apigw-drift/driftaudit/pkg/inventory"
)

// planFinding is a finding of a usage-plan check on plan gold (up7k2m) in us-east-1.
func planFinding(check string, edit func(*checks.Finding)) checks.Finding {
	f := finding(check, "", func(f *checks.Finding) {
		f.APIID, f.APIName, f.UsagePlanID, f.UsagePlanName = "", "", "up7k2m", "gold"
		f.Message = `usage plan "gold" (up7k2m) has no API keys`
	})
	if edit != nil {
		edit(&f)
	}
	return f
}

// TestUsagePlansByName: a usage plan is shown as name (id, region), as APIs are, in text and
// Markdown, and a plan's stage of an API names the API; a plan without a name is its id.
func TestUsagePlansByName(t *testing.T) {
	dangling := planFinding("usage-plan-dangling-stage", func(f *checks.Finding) {
		f.APIID, f.APIName, f.Stage = "orders01", "orders", "beta"
	})
	nameless := planFinding("unkeyed-usage-plan", func(f *checks.Finding) { f.UsagePlanID, f.UsagePlanName = "zz9", "" })
	r := reportOf(tonight, planFinding("unkeyed-usage-plan", nil), dangling, nameless)
	out := text(t, r)
	inOrder(t, "text", out,
		"\nusage plan gold (up7k2m, us-east-1)\n", "CRITICAL unkeyed-usage-plan\n",
		"WARNING  usage-plan-dangling-stage  API orders (orders01) stage beta\n",
		"\nusage plan zz9 (us-east-1)\n")
	inOrder(t, "markdown", markdown(t, r),
		"### usage plan gold (up7k2m, us-east-1)", "| `usage-plan-dangling-stage` | beta | API orders (orders01) stage beta |",
		"### usage plan zz9 (us-east-1)")

	// A resolved plan finding is one line that names the plan.
	prev := reportOf(lastNight, planFinding("unkeyed-usage-plan", nil))
	cur := reportOf(tonight)
	cur.Compare(prev)
	if got := text(t, cur); !strings.Contains(got, "CRITICAL unkeyed-usage-plan  usage plan gold (up7k2m), first seen") {
		t.Errorf("the resolved plan finding does not name the plan:\n%s", got)
	}
}

// TestScanErrorsNameTheirScope: a scan error names what it left unread, by name where the report
// knows it, in text and Markdown.
func TestScanErrorsNameTheirScope(t *testing.T) {
	r := &Report{
		Regions: []string{"us-east-1"},
		APIs:    []APIFindings{{Account: "111111111111", Region: "us-east-1", ID: "a1", Name: "orders"}},
		Findings: []checks.Finding{{Check: "unkeyed-usage-plan", AccountID: "111111111111", Region: "us-east-1",
			UsagePlanID: "p1", UsagePlanName: "gold", Severity: checks.Warning}},
		Errors: []inventory.ScanError{
			{AccountID: "111111111111", Region: "us-east-1", APIID: "a1", Operation: "GetStages", Message: "denied"},
			{AccountID: "111111111111", Region: "us-east-1", APIID: "a2", Operation: "GetStages", Message: "denied"},
			{AccountID: "111111111111", Region: "us-east-1", UsagePlanID: "p1", Operation: "GetUsagePlanKeys", Message: "denied"},
			{AccountID: "111111111111", Region: "us-east-1", UsagePlanID: "p2", Operation: "GetUsagePlanKeys", Message: "denied"},
			{AccountID: "111111111111", Region: "us-east-1", Domain: "api.example.com", Operation: "GetApiMappings", Message: "denied"},
			{AccountID: "111111111111", Region: "us-east-1", Operation: "GetRestApis", Message: "denied"},
		},
	}
	var text, md strings.Builder
	if err := r.WriteTextLimited(&text, TextOptions{MaxFindings: -1, MaxErrors: -1}); err != nil {
		t.Fatal(err)
	}
	if err := r.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"us-east-1 API orders (a1) GetStages", "us-east-1 API a2 GetStages", "us-east-1 usage plan gold (p1) GetUsagePlanKeys",
		"us-east-1 usage plan p2 GetUsagePlanKeys", "us-east-1 domain api.example.com GetApiMappings", "us-east-1 GetRestApis: denied"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text lacks %q", want)
		}
	}
	for _, want := range []string{"| API orders (a1) | GetStages |", "| usage plan gold (p1) | GetUsagePlanKeys |", "| domain api.example.com | GetApiMappings |", "|  | GetRestApis |"} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("Markdown lacks %q", want)
		}
	}
}
