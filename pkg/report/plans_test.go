package report

import (
	"strings"
	"testing"

	"github.com/apigw-drift/driftaudit/pkg/checks"
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
