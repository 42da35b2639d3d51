package audit_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apigw-drift/driftaudit/internal/awsemu"
	"github.com/apigw-drift/driftaudit/internal/seed"
	"github.com/apigw-drift/driftaudit/pkg/audit"
	"github.com/apigw-drift/driftaudit/pkg/checks"
	"github.com/apigw-drift/driftaudit/pkg/report"
	"github.com/apigw-drift/driftaudit/pkg/suppress"
)

// TestStaleSuppressions: after a complete scan, an entry of the suppression file that matched
// no finding is a warning that names it; after an incomplete scan, or in one part of a larger
// run, nothing is said of staleness, as the finding may be in what was not read.
func TestStaleSuppressions(t *testing.T) {
	a := newAccount(t)
	draft := a.build.API("draft", seed.APIOptions{ID: "draft00001"})
	draft.Method("/x", "GET", seed.Method{})
	a.seeded()
	set, err := suppress.Parse("team.yaml", strings.NewReader(`suppressions:
  - {check: never-deployed, api: draft, reason: "a prototype"}
  - {check: never-deployed, api: retired-api, reason: "deleted last spring"}
`), checks.All())
	if err != nil {
		t.Fatal(err)
	}
	const stale = "stale suppression: entry 2 (line 3) in team.yaml matched no finding (check never-deployed, api retired-api); remove it if what it silenced is gone"
	staleIn := func(rep *report.Report) []string {
		var out []string
		for _, w := range rep.Warnings {
			if strings.HasPrefix(w, "stale suppression") {
				out = append(out, w)
			}
		}
		return out
	}
	c := driftOnly()
	c.Suppressions = set
	_, rep := a.audit(c)
	if !rep.Summary.Complete || rep.Summary.Suppressed != 1 {
		t.Fatalf("complete=%t, %d suppressed: want a complete scan with the draft suppressed", rep.Summary.Complete, rep.Summary.Suppressed)
	}
	if got := staleIn(rep); !slices.Equal(got, []string{stale}) {
		t.Errorf("complete scan: stale warnings %q, want %q", got, stale)
	}
	streamed, err := audit.Audit(a.ctx, c, a.cfg, time.Date(2026, 11, 27, 3, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if got := staleIn(streamed); !slices.Equal(got, []string{stale}) {
		t.Errorf("Audit: stale warnings %q, want %q", got, stale)
	}

	part := c
	part.PartOfRun = true
	if _, rep := a.audit(part); len(staleIn(rep)) != 0 {
		t.Errorf("one part of a run judged staleness: %q", staleIn(rep))
	}

	a.shim.AddFault(awsemu.Fault{Service: "apigateway", Operation: "GetDomainNames", Kind: awsemu.FaultStatus, Status: 403, ErrorType: "AccessDeniedException"})
	_, rep = a.audit(c)
	if rep.Summary.Complete {
		t.Fatal("the scan with GetDomainNames denied is complete")
	}
	if got := staleIn(rep); len(got) != 0 {
		t.Errorf("incomplete scan: stale warnings %q, want none", got)
	}
}
