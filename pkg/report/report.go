// Package report turns an inventory's findings into the document people and machines read: a
// summary, the findings worst first, and every scan error, rendered as JSON or text.
package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/apigw-drift/driftaudit/pkg/checks"
	"github.com/apigw-drift/driftaudit/pkg/inventory"
	"github.com/apigw-drift/driftaudit/pkg/suppress"
)

// SchemaVersion is the version of the JSON document; it changes only when a field changes
// meaning or goes away. Version 2 audits several accounts: every finding and error names its
// account_id, and the summary counts accounts_scanned and by_account.
const SchemaVersion = 2

// Report is the outcome of one audit.
type Report struct {
	SchemaVersion int       `json:"schema_version"`
	GeneratedAt   time.Time `json:"generated_at"`
	// CollectedAt is when the inventory of an audit of a saved snapshot was collected; nil for
	// a live audit, whose inventory is as old as the report.
	CollectedAt *time.Time `json:"collected_at,omitempty"`
	// Interrupted says the run was stopped by a signal (Ctrl-C): the report holds what was read
	// before it, and is incomplete.
	Interrupted bool `json:"interrupted,omitempty"`
	// AccountID is the account of a one-account audit; Accounts lists every account audited.
	AccountID string   `json:"account_id,omitempty"`
	Accounts  []string `json:"accounts"`
	Regions   []string `json:"regions"`
	// Baseline names the earlier run this one was compared with (Compare); nil without one.
	Baseline *BaselineRef     `json:"baseline,omitempty"`
	Summary  Summary          `json:"summary"`
	Findings []checks.Finding `json:"findings"`
	// Resolved lists the baseline's findings that are gone from a scope this run read
	// completely; nil without a baseline.
	Resolved []checks.Finding      `json:"resolved,omitempty"`
	Errors   []inventory.ScanError `json:"errors"`
	// Suppressed lists the findings a suppression silenced, each with its reason.
	Suppressed []suppress.Suppressed `json:"suppressed"`
	// Warnings are notices about the run itself, such as expired suppressions.
	Warnings []string `json:"warnings,omitempty"`
	// NotRun lists the catalogue's checks that did not run (disabled, or not enabled): their
	// findings cannot be in this report.
	NotRun []string `json:"checks_not_run,omitempty"`
	// APIs lists every scanned API with its number of findings, for per-API metrics; it is
	// not part of the JSON document.
	APIs []APIFindings `json:"-"`
	// Ran lists the checks that ran, for metrics; Summary.ByCheck names them in the JSON.
	Ran []checks.Check `json:"-"`
}

// APIFindings counts one API's findings.
type APIFindings struct {
	Account, Region, ID, Name string
	Findings                  int
}

// APIsIn counts the APIs scanned in a region (of every account when account is "*").
func (r *Report) APIsIn(account, region string) int {
	n := 0
	for _, a := range r.APIs {
		if a.Region == region && (account == "*" || a.Account == account) {
			n++
		}
	}
	return n
}

// Summary counts what the report holds. BySeverity and ByCheck list every severity and every
// check that ran, zeros included, so that a consumer can tell "none" from "not checked".
type Summary struct {
	APIsScanned int            `json:"apis_scanned"`
	Findings    int            `json:"findings"`
	BySeverity  map[string]int `json:"by_severity"`
	ByCheck     map[string]int `json:"by_check"`
	Errors      int            `json:"errors"`
	Complete    bool           `json:"complete"`
	Suppressed  int            `json:"suppressed"`
	// AccountsScanned counts the accounts audited, read or not; ByAccount tells each one's
	// findings and errors, and whether it was read completely.
	AccountsScanned int                       `json:"accounts_scanned"`
	ByAccount       map[string]AccountSummary `json:"by_account"`
	// Changes counts new, standing and resolved findings against a baseline; nil without one.
	Changes *Changes `json:"changes,omitempty"`
}

// AccountSummary is one account's part of the summary.
type AccountSummary struct {
	Findings   int            `json:"findings"`
	BySeverity map[string]int `json:"by_severity"`
	Errors     int            `json:"errors"`
	Complete   bool           `json:"complete"`
}

func severityCounts() map[string]int {
	return map[string]int{checks.Critical.String(): 0, checks.Warning.String(): 0, checks.Info.String(): 0}
}

// Build assembles the report of inv with the findings of the checks that ran.
func Build(inv *inventory.Inventory, ran []checks.Check, findings []checks.Finding, now time.Time) *Report {
	r := &Report{
		SchemaVersion: SchemaVersion,
		GeneratedAt:   now.UTC(),
		AccountID:     inv.AccountID,
		Accounts:      []string{},
		Regions:       []string{},
		Findings:      findings,
		Errors:        []inventory.ScanError{},
		Suppressed:    []suppress.Suppressed{},
		Ran:           ran,
		Summary: Summary{
			BySeverity: severityCounts(),
			ByCheck:    map[string]int{},
			ByAccount:  map[string]AccountSummary{},
		},
	}
	if r.Findings == nil {
		r.Findings = []checks.Finding{}
	}
	checks.Sort(r.Findings)
	StampIDs(r.Findings)
	for _, c := range ran {
		r.Summary.ByCheck[c.ID] = 0
	}
	for _, c := range checks.All() {
		if len(ran) > 0 && !slices.ContainsFunc(ran, func(x checks.Check) bool { return x.ID == c.ID }) {
			r.NotRun = append(r.NotRun, c.ID)
		}
	}
	index := map[string]int{}
	for _, reg := range inv.Regions {
		if !slices.Contains(r.Regions, reg.Name) {
			r.Regions = append(r.Regions, reg.Name)
		}
		a := r.account(reg.Account)
		a.Errors += len(reg.Errors)
		a.Complete = a.Complete && len(reg.Errors) == 0
		r.Summary.ByAccount[reg.Account] = a
		r.Summary.APIsScanned += len(reg.APIs) + len(reg.V2APIs)
		r.Errors = append(r.Errors, reg.Errors...)
		for _, api := range reg.APIs {
			index[apiKey(reg.Account, reg.Name, api.ID)] = len(r.APIs)
			r.APIs = append(r.APIs, APIFindings{Account: reg.Account, Region: reg.Name, ID: api.ID, Name: api.Name})
		}
		for _, api := range reg.V2APIs {
			index[apiKey(reg.Account, reg.Name, api.ID)] = len(r.APIs)
			r.APIs = append(r.APIs, APIFindings{Account: reg.Account, Region: reg.Name, ID: api.ID, Name: api.Name})
		}
	}
	slices.Sort(r.Regions)
	for _, f := range findings {
		r.Summary.BySeverity[f.Severity.String()]++
		r.Summary.ByCheck[f.Check]++
		a := r.account(f.AccountID)
		a.Findings++
		a.BySeverity[f.Severity.String()]++
		r.Summary.ByAccount[f.AccountID] = a
		if i, ok := index[apiKey(f.AccountID, f.Region, f.APIID)]; ok && f.APIID != "" {
			r.APIs[i].Findings++
		}
	}
	slices.Sort(r.Accounts)
	r.Summary.Findings = len(findings)
	r.Summary.Errors = len(r.Errors)
	r.Summary.Complete = len(r.Errors) == 0
	r.Summary.AccountsScanned = len(r.Accounts)
	return r
}

// StampIDs sets each finding's ID to its fingerprint. Two findings of one check at one place
// (which no check makes today) would share it: the second gets "-2", and so on, in the order
// of the findings, which is stable.
func StampIDs(fs []checks.Finding) {
	seen := map[string]int{}
	for i := range fs {
		id := checks.Fingerprint(fs[i])
		if n := seen[id]; n > 0 {
			seen[id]++
			fs[i].ID = fmt.Sprintf("%s-%d", id, n+1)
			continue
		}
		seen[id] = 1
		fs[i].ID = id
	}
}

// account is the summary of account id so far, a new one (listed in Accounts) if it has none.
func (r *Report) account(id string) AccountSummary {
	a, ok := r.Summary.ByAccount[id]
	if !ok {
		a = AccountSummary{BySeverity: severityCounts(), Complete: true}
		r.Accounts = append(r.Accounts, id)
	}
	return a
}

func apiKey(account, region, id string) string { return account + "\x00" + region + "\x00" + id }

// ByAccountWorstFirst lists the accounts worst first: most critical findings, then most scan
// errors (an account not read completely hides what it has), then warnings, then info, then id.
func (r *Report) ByAccountWorstFirst() []string {
	ids := slices.Clone(r.Accounts)
	slices.SortStableFunc(ids, func(a, b string) int {
		x, y := r.Summary.ByAccount[a], r.Summary.ByAccount[b]
		for _, c := range []int{
			y.BySeverity[checks.Critical.String()] - x.BySeverity[checks.Critical.String()],
			y.Errors - x.Errors,
			y.BySeverity[checks.Warning.String()] - x.BySeverity[checks.Warning.String()],
			y.BySeverity[checks.Info.String()] - x.BySeverity[checks.Info.String()],
		} {
			if c != 0 {
				return c
			}
		}
		return strings.Compare(a, b)
	})
	return ids
}

// Worst is the highest severity among the findings, or 0 when there are none.
func (r *Report) Worst() checks.Severity {
	var worst checks.Severity
	for _, f := range r.Findings {
		worst = max(worst, f.Severity)
	}
	return worst
}

// WriteJSON writes the report as one indented JSON document. Findings are written one at a
// time, so that a report of tens of thousands never sits in memory twice.
func (r *Report) WriteJSON(w io.Writer) error {
	b := bufio.NewWriter(w)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	// value writes v as the encoder would at this depth, without its trailing newline.
	value := func(v any, prefix string) error {
		buf.Reset()
		enc.SetIndent(prefix, "  ")
		if err := enc.Encode(v); err != nil {
			return err
		}
		_, err := b.Write(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
		return err
	}
	field := func(name string, v any, last bool) error {
		fmt.Fprintf(b, "  %q: ", name)
		if err := value(v, "  "); err != nil {
			return err
		}
		if !last {
			b.WriteString(",")
		}
		b.WriteString("\n")
		return nil
	}
	list := func(name string, n int, item func(i int) any, last bool) error {
		fmt.Fprintf(b, "  %q: ", name)
		if n == 0 {
			b.WriteString("[]")
		} else {
			b.WriteString("[\n")
			for i := range n {
				b.WriteString("    ")
				if err := value(item(i), "    "); err != nil {
					return err
				}
				if i < n-1 {
					b.WriteString(",")
				}
				b.WriteString("\n")
			}
			b.WriteString("  ]")
		}
		if !last {
			b.WriteString(",")
		}
		b.WriteString("\n")
		return nil
	}
	b.WriteString("{\n")
	steps := []func() error{
		func() error { return field("schema_version", r.SchemaVersion, false) },
		func() error { return field("generated_at", r.GeneratedAt, false) },
		func() error {
			if r.CollectedAt == nil {
				return nil
			}
			return field("collected_at", r.CollectedAt, false)
		},
		func() error {
			if !r.Interrupted {
				return nil
			}
			return field("interrupted", true, false)
		},
		func() error {
			if r.AccountID == "" {
				return nil
			}
			return field("account_id", r.AccountID, false)
		},
		func() error { return field("accounts", r.Accounts, false) },
		func() error { return field("regions", r.Regions, false) },
		func() error {
			if r.Baseline == nil {
				return nil
			}
			return field("baseline", r.Baseline, false)
		},
		func() error { return field("summary", r.Summary, false) },
		func() error {
			return list("findings", len(r.Findings), func(i int) any { return r.Findings[i] }, false)
		},
		func() error {
			if r.Resolved == nil {
				return nil
			}
			return list("resolved", len(r.Resolved), func(i int) any { return r.Resolved[i] }, false)
		},
		func() error { return list("errors", len(r.Errors), func(i int) any { return r.Errors[i] }, false) },
		func() error {
			return list("suppressed", len(r.Suppressed), func(i int) any { return r.Suppressed[i] }, len(r.Warnings) == 0 && len(r.NotRun) == 0)
		},
		func() error {
			if len(r.Warnings) == 0 {
				return nil
			}
			return field("warnings", r.Warnings, len(r.NotRun) == 0)
		},
		func() error {
			if len(r.NotRun) == 0 {
				return nil
			}
			return field("checks_not_run", r.NotRun, true)
		},
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	b.WriteString("}\n")
	return b.Flush()
}
