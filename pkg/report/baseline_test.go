package report

import (
	"testing"
	"time"

	"github.com/apigw-drift/driftaudit/pkg/checks"
	"github.com/apigw-drift/driftaudit/pkg/inventory"
)

func at2(day int) time.Time { return time.Date(2026, 12, day, 3, 0, 0, 0, time.UTC) }

func f(check, account, region, api string, sev checks.Severity) checks.Finding {
	return checks.Finding{Check: check, Severity: sev, AccountID: account, Region: region, APIID: api, Message: "m", Remediation: "r"}
}

// regions of one account, the second unread when unread is set.
func twoRegions(unread bool) *inventory.Inventory {
	inv := &inventory.Inventory{AccountID: "111111111111", Regions: []inventory.Region{{Account: "111111111111", Name: "eu-west-1"}, {Account: "111111111111", Name: "us-east-1"}}}
	if unread {
		inv.Regions[1].Errors = []inventory.ScanError{{AccountID: "111111111111", Region: "us-east-1", APIID: "u1", Operation: inventory.OpGetStages, Message: "denied"}}
	}
	return inv
}

// TestCompare: against a baseline, a finding still there is standing since the baseline's
// first sighting, one not in it is new, one gone from a scope read completely is resolved; one
// gone from a region with a scan error, or of a check that did not run, is not rechecked,
// never resolved. A run's own incompleteness resolves nothing it did not read.
func TestCompare(t *testing.T) {
	const acct = "111111111111"
	ran := checks.All()
	standing := f("undeployed-changes", acct, "eu-west-1", "a1", checks.Critical)
	fixed := f("missing-options", acct, "eu-west-1", "a2", checks.Critical)
	unreadGone := f("missing-options", acct, "us-east-1", "u1", checks.Warning)
	added := f("base-path-gap", acct, "eu-west-1", "a3", checks.Critical)

	first := Build(twoRegions(false), ran, []checks.Finding{standing, fixed, unreadGone}, at2(1))
	second := Build(twoRegions(false), ran, []checks.Finding{standing, fixed, unreadGone}, at2(2))
	second.Compare(first)
	if c := second.Summary.Changes; *c != (Changes{Standing: 3}) || second.Findings[0].FirstSeen == nil || !second.Findings[0].FirstSeen.Equal(at2(1)) {
		t.Fatalf("an unchanged run: %+v", *second.Summary.Changes)
	}

	third := Build(twoRegions(true), ran, []checks.Finding{standing, added}, at2(3))
	third.Compare(second) // second carries first_seen from first
	got := map[string]string{}
	for _, x := range third.Findings {
		got[x.APIID] = x.Change + " " + x.FirstSeen.Format("02")
	}
	if got["a1"] != "standing 01" || got["a3"] != "new 03" {
		t.Errorf("changes %v, want a1 standing since the 1st and a3 new on the 3rd", got)
	}
	if len(third.Resolved) != 1 || third.Resolved[0].APIID != "a2" || third.Resolved[0].Change != "resolved" {
		t.Errorf("resolved %+v, want only a2 (its region was read); u1's region has a scan error", third.Resolved)
	}
	if c := *third.Summary.Changes; c != (Changes{New: 1, Standing: 1, Resolved: 1, NotRechecked: 1}) {
		t.Errorf("changes %+v", c)
	}
	if third.Baseline == nil || !third.Baseline.GeneratedAt.Equal(at2(2)) || !third.Baseline.Complete {
		t.Errorf("baseline %+v", third.Baseline)
	}

	// A check that did not run resolves nothing: its findings are not rechecked.
	var others []checks.Check
	for _, c := range ran {
		if c.ID != "missing-options" {
			others = append(others, c)
		}
	}
	fourth := Build(twoRegions(false), others, []checks.Finding{standing}, at2(4))
	fourth.Compare(second)
	if c := *fourth.Summary.Changes; c.Resolved != 0 || c.NotRechecked != 2 {
		t.Errorf("with missing-options not run: %+v, want its 2 findings not rechecked", c)
	}
	if len(fourth.NewFindings()) != 0 || len(Build(twoRegions(false), ran, []checks.Finding{added}, at2(5)).NewFindings()) != 1 {
		t.Error("NewFindings: none new against a baseline, every finding without one")
	}
}
