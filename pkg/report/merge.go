package report

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/apigw-drift/driftaudit/pkg/checks"
	"github.com/apigw-drift/driftaudit/pkg/inventory"
	"github.com/apigw-drift/driftaudit/pkg/suppress"
)

// Decode reads a JSON report of this schema version, as WriteJSON writes it.
func Decode(r io.Reader) (*Report, error) {
	var rep Report
	dec := json.NewDecoder(r)
	if err := dec.Decode(&rep); err != nil {
		return nil, fmt.Errorf("not a driftaudit JSON report: %w", err)
	}
	if rep.SchemaVersion != SchemaVersion {
		return nil, fmt.Errorf("report schema_version %d, want %d", rep.SchemaVersion, SchemaVersion)
	}
	if rep.Summary.ByCheck == nil || rep.Summary.ByAccount == nil || rep.Findings == nil || rep.Errors == nil {
		return nil, errors.New("not a driftaudit JSON report: summary, findings or errors missing")
	}
	if slices.ContainsFunc(rep.Findings, func(f checks.Finding) bool { return f.ID == "" }) {
		StampIDs(rep.Findings) // a report written before findings carried their id
	}
	return &rep, nil
}

// Merge joins the reports of the parts of one audit (an organization run's (account, region)
// items) into the report one audit of them all gives, and adds missing as errors: the scopes of
// which no report came back, so that nothing unread passes for empty. The per-API counts of
// the parts are not kept in JSON, so a merged report has none (no per-API metrics).
func Merge(parts []*Report, missing []inventory.ScanError, now time.Time) *Report {
	r := &Report{
		SchemaVersion: SchemaVersion,
		GeneratedAt:   now.UTC(),
		Accounts:      []string{},
		Regions:       []string{},
		Findings:      []checks.Finding{},
		Errors:        []inventory.ScanError{},
		Suppressed:    []suppress.Suppressed{},
		Summary:       Summary{BySeverity: severityCounts(), ByCheck: map[string]int{}, ByAccount: map[string]AccountSummary{}},
	}
	ran := map[string]bool{}
	region := func(name string) {
		if !slices.Contains(r.Regions, name) {
			r.Regions = append(r.Regions, name)
		}
	}
	for _, p := range parts {
		for id := range p.Summary.ByCheck {
			ran[id] = true
		}
		for _, name := range p.Regions {
			region(name)
		}
		for id, pa := range p.Summary.ByAccount {
			a := r.account(id)
			a.Findings += pa.Findings
			a.Errors += pa.Errors
			a.Complete = a.Complete && pa.Complete
			for sev, n := range pa.BySeverity {
				a.BySeverity[sev] += n
			}
			r.Summary.ByAccount[id] = a
		}
		r.Summary.APIsScanned += p.Summary.APIsScanned
		r.Findings = append(r.Findings, p.Findings...)
		r.Errors = append(r.Errors, p.Errors...)
		r.Suppressed = append(r.Suppressed, p.Suppressed...)
		for _, w := range p.Warnings {
			if !slices.Contains(r.Warnings, w) {
				r.Warnings = append(r.Warnings, w)
			}
		}
	}
	for _, e := range missing {
		r.Errors = append(r.Errors, e)
		if e.AccountID == "" {
			continue // a run whose plan failed names no account, and scanned none
		}
		region(e.Region)
		a := r.account(e.AccountID)
		a.Errors++
		a.Complete = false
		r.Summary.ByAccount[e.AccountID] = a
	}
	for _, c := range checks.All() {
		if ran[c.ID] {
			r.Ran = append(r.Ran, c)
			r.Summary.ByCheck[c.ID] = 0
		}
	}
	checks.Sort(r.Findings)
	for _, f := range r.Findings {
		r.Summary.BySeverity[f.Severity.String()]++
		r.Summary.ByCheck[f.Check]++
	}
	slices.Sort(r.Accounts)
	slices.Sort(r.Regions)
	if len(r.Accounts) == 1 {
		r.AccountID = r.Accounts[0]
	}
	r.Summary.Findings = len(r.Findings)
	r.Summary.Errors = len(r.Errors)
	r.Summary.Complete = len(r.Errors) == 0
	r.Summary.Suppressed = len(r.Suppressed)
	r.Summary.AccountsScanned = len(r.Accounts)
	return r
}
