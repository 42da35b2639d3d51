package report

import (
	"slices"
	"time"

	"github.com/apigw-drift/driftaudit/pkg/checks"
)

// BaselineRef names the report a run was compared with.
type BaselineRef struct {
	GeneratedAt time.Time `json:"generated_at"`
	Complete    bool      `json:"complete"`
}

// Changes counts how the findings compare with the baseline. NotRechecked counts the baseline's
// findings that are gone from this report without being resolved: this run did not read their
// account and region completely, or did not run their check, so nothing is known of them.
type Changes struct {
	New          int `json:"new"`
	Standing     int `json:"standing"`
	Resolved     int `json:"resolved"`
	NotRechecked int `json:"not_rechecked"`
}

// Compare marks each finding of r new or standing against prev, a report of an earlier run
// (standing ones keep the first_seen prev gives them, or prev's time), and lists in r.Resolved
// the findings of prev that are gone. A finding is resolved only where r could have seen it: its
// check ran and everything it depends on was read (readWhole); any other finding gone from r is
// counted as not rechecked, never resolved. A finding suppressed now is neither.
func (r *Report) Compare(prev *Report) {
	before := map[string]checks.Finding{}
	for _, f := range prev.Findings {
		before[f.ID] = f
	}
	for _, s := range prev.Suppressed {
		if _, ok := before[s.ID]; !ok {
			before[s.ID] = s.Finding
		}
	}
	firstSeen := func(f checks.Finding) *time.Time {
		if f.FirstSeen != nil {
			return f.FirstSeen
		}
		t := prev.GeneratedAt
		return &t
	}
	now := map[string]bool{}
	ch := &Changes{}
	for i := range r.Findings {
		f := &r.Findings[i]
		now[f.ID] = true
		if p, ok := before[f.ID]; ok {
			f.Change, f.FirstSeen = "standing", firstSeen(p)
			ch.Standing++
		} else {
			t := r.GeneratedAt
			f.Change, f.FirstSeen = "new", &t
			ch.New++
		}
	}
	for i := range r.Suppressed {
		s := &r.Suppressed[i]
		now[s.ID] = true
		if p, ok := before[s.ID]; ok {
			s.FirstSeen = firstSeen(p)
		}
	}
	// Which checks judge one API alone, looked up once for every gone finding.
	perAPIChecks, _ := checks.SplitByScope(checks.All())
	perAPI := map[string]bool{}
	for _, c := range perAPIChecks {
		perAPI[c.ID] = true
	}
	r.Resolved = []checks.Finding{}
	for _, f := range prev.Findings {
		if now[f.ID] {
			continue
		}
		_, ran := r.Summary.ByCheck[f.Check]
		if ran && slices.Contains(r.Accounts, f.AccountID) && slices.Contains(r.Regions, f.Region) && r.readWhole(f, perAPI[f.Check]) {
			f.Change, f.FirstSeen = "resolved", firstSeen(f)
			r.Resolved = append(r.Resolved, f)
			ch.Resolved++
		} else {
			ch.NotRechecked++
		}
	}
	r.Summary.Changes = ch
	r.Baseline = &BaselineRef{GeneratedAt: prev.GeneratedAt, Complete: prev.Summary.Complete}
}

// readWhole says whether this run read everything finding f depends on. A per-API check's
// finding depends on its API alone: an error on another API of the region does not hide it. Any
// other finding (usage plans, custom domains) depends on the whole region, and a region-wide
// list that failed hides everything in its region. perAPICheck says whether f's check is a
// per-API one.
func (r *Report) readWhole(f checks.Finding, perAPICheck bool) bool {
	apiScoped := f.APIID != "" && perAPICheck
	for _, e := range r.Errors {
		if e.AccountID != f.AccountID && e.AccountID != "" || e.Region != f.Region {
			continue
		}
		regionWide := e.APIID == "" && e.UsagePlanID == "" && e.Domain == ""
		if regionWide || !apiScoped || e.APIID == f.APIID {
			return false
		}
	}
	return true
}

// NewFindings is the findings that are new against the baseline (all of them without one).
func (r *Report) NewFindings() []checks.Finding {
	if r.Baseline == nil {
		return r.Findings
	}
	var out []checks.Finding
	for _, f := range r.Findings {
		if f.Change == "new" {
			out = append(out, f)
		}
	}
	return out
}
