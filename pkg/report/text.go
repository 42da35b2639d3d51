package report

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"

	"github.com/apigw-drift/driftaudit/pkg/checks"
	"github.com/apigw-drift/driftaudit/pkg/inventory"
)

// group is the findings of one subject (an API, a usage plan or a custom domain), by stage.
type group struct {
	title  string
	worst  checks.Severity
	stages []*stageGroup
}

type stageGroup struct {
	name string
	// findings point into the report's own list: a report of tens of thousands of findings is
	// grouped without copying them.
	findings []*checks.Finding
}

// groups arranges findings as a person reads them: by API, then stage, worst first.
func groups(findings []*checks.Finding) []*group {
	byKey := map[string]*group{}
	var order []*group
	for _, f := range findings {
		key, title := subject(*f)
		g := byKey[key]
		if g == nil {
			g = &group{title: title}
			byKey[key] = g
			order = append(order, g)
		}
		g.worst = max(g.worst, f.Severity)
		stage := ""
		if f.Domain == "" && f.UsagePlanID == "" {
			stage = "working definition and API-wide"
			if f.Stage != "" {
				stage = "stage " + f.Stage
			}
		}
		var sg *stageGroup
		for _, s := range g.stages {
			if s.name == stage {
				sg = s
			}
		}
		if sg == nil {
			sg = &stageGroup{name: stage}
			g.stages = append(g.stages, sg)
		}
		sg.findings = append(sg.findings, f)
	}
	sort.SliceStable(order, func(i, j int) bool {
		if order[i].worst != order[j].worst {
			return order[i].worst > order[j].worst
		}
		return order[i].title < order[j].title
	})
	for _, g := range order {
		sort.SliceStable(g.stages, func(i, j int) bool {
			wi, wj := g.stages[i].findings[0].Severity, g.stages[j].findings[0].Severity
			if wi != wj {
				return wi > wj
			}
			return g.stages[i].name < g.stages[j].name
		})
	}
	return order
}

func subject(f checks.Finding) (key, title string) {
	switch {
	case f.Domain != "":
		return "domain\x00" + f.Region + f.Domain, fmt.Sprintf("custom domain %s (%s)", f.Domain, f.Region)
	case f.UsagePlanID != "":
		return "plan\x00" + f.Region + f.UsagePlanID, "usage plan " + named(f.UsagePlanName, f.UsagePlanID, f.Region)
	default:
		return "api\x00" + f.Region + f.APIID, fmt.Sprintf("API %s (%s, %s)", f.APIName, f.APIID, f.Region)
	}
}

// WriteText writes the report for a person at a terminal.
func (r *Report) WriteText(w io.Writer) error {
	return r.WriteTextLimited(w, TextOptions{MaxFindings: -1, MaxErrors: -1})
}

// TextOptions shape a text report; the limits shorten one that must fit somewhere (an SNS
// message). A negative limit shows everything. MaxFindings counts the findings and the resolved
// findings shown, chosen in the order they matter: the new findings (worst first), the resolved
// ones, then the others worst first, drift before hygiene at one severity; Note says where the
// rest can be read. The summary table always counts everything.
type TextOptions struct {
	MaxFindings, MaxErrors int
	Note                   string
	// Color marks severities with ANSI colours, for a terminal.
	Color bool
	// Footer, when set, is the report's last line.
	Footer string
	// MinSeverity, when set, leaves the findings (and suppressed findings) below it out of the
	// lists, and says how many; every count stays whole.
	MinSeverity checks.Severity
}

// WriteTextLimited writes the text report within limits, in the order people act on it: the
// summary table (and the accounts, worst first, when there are several); then for each account
// what is new and what was resolved since the baseline, the drift in full detail grouped by API
// and stage, and the hygiene findings one line per check with one fix; then the scan errors,
// warnings, suppressed count and the summary line.
func (r *Report) WriteTextLimited(w io.Writer, limits TextOptions) error {
	b := bufio.NewWriter(w)
	account := r.AccountID
	if account == "" {
		account = "unknown account"
	}
	multi := r.MultiAccount()
	if multi {
		fmt.Fprintf(b, "API Gateway drift audit of %d accounts in %s, %s\n", len(r.Accounts), strings.Join(r.Regions, ", "), r.GeneratedAt.Format("2006-01-02 15:04 MST"))
	} else {
		fmt.Fprintf(b, "API Gateway drift audit of %s in %s, %s\n", account, strings.Join(r.Regions, ", "), r.GeneratedAt.Format("2006-01-02 15:04 MST"))
	}
	if r.CollectedAt != nil {
		fmt.Fprintf(b, "Audit of a snapshot taken %s: the account may have changed since.\n", r.CollectedAt.UTC().Format("2006-01-02 15:04 MST"))
	}
	if r.Interrupted {
		fmt.Fprintf(b, "INTERRUPTED: the run was stopped before it finished; this report holds only what was read before.\n")
	}
	switch {
	case len(r.Findings) == 0 && r.Summary.Complete:
		fmt.Fprintf(b, "\nAll clear: no findings in %d API(s).\n", r.Summary.APIsScanned)
	case len(r.Findings) == 0:
		fmt.Fprintf(b, "\nNo findings in what could be read of %d API(s), but the scan is INCOMPLETE: see the scan errors below.\n", r.Summary.APIsScanned)
	}
	if len(r.Findings) > 0 || len(r.Resolved) > 0 {
		r.writeTextSummary(b)
	} else if line := r.changesLine(); line != "" {
		fmt.Fprintf(b, "%s\n", line)
	}
	sel := r.choose(limits.MaxFindings, limits.MinSeverity)
	t := textWriter{b: b, r: r, color: limits.Color, multiRegion: len(r.Regions) > 1}
	if !multi {
		t.part(r.split("", true), sel)
	} else {
		order := r.ByAccountWorstFirst()
		fmt.Fprintf(b, "\nAccounts, worst first:\n")
		for _, id := range order {
			fmt.Fprintf(b, "  %s\n", r.AccountLine(id))
		}
		for _, id := range order {
			p := r.split(id, false)
			if sel.empty(p) {
				continue
			}
			fmt.Fprintf(b, "\n=== account %s ===\n", accountName(id))
			t.part(p, sel)
		}
	}
	if line := sel.leftOutLine(limits.Note); line != "" {
		fmt.Fprintf(b, "\n%s\n", line)
	}
	if line := sel.belowLine(); line != "" {
		fmt.Fprintf(b, "\n%s.\n", line)
	}
	if len(r.Errors) > 0 {
		fmt.Fprintf(b, "\nScan errors (%d): what these calls would have read is missing from this report\n", len(r.Errors))
		shownErrors := r.Errors
		if limits.MaxErrors >= 0 && limits.MaxErrors < len(shownErrors) {
			shownErrors = shownErrors[:limits.MaxErrors]
		}
		for _, e := range shownErrors {
			scope := r.errorScope(e)
			if scope != "" {
				scope = " " + scope
			}
			acct := ""
			if multi {
				acct = accountName(e.AccountID) + " "
			}
			fmt.Fprintf(b, "  %s%s%s %s: %s\n", acct, e.Region, scope, e.Operation, e.Message)
		}
		if omitted := len(r.Errors) - len(shownErrors); omitted > 0 {
			fmt.Fprintf(b, "  ... and %d more scan error(s). %s\n", omitted, limits.Note)
		}
	}
	if len(r.Warnings) > 0 {
		fmt.Fprintf(b, "\nWarnings:\n")
		for _, w := range r.Warnings {
			fmt.Fprintf(b, "  %s\n", w)
		}
	}
	t.suppressed(limits)
	if len(r.NotRun) > 0 {
		fmt.Fprintf(b, "\nChecks not run (%d): %s\n", len(r.NotRun), strings.Join(r.NotRun, ", "))
	}
	fmt.Fprintf(b, "\n%s\n", r.SummaryLine())
	if limits.Footer != "" {
		fmt.Fprintf(b, "%s\n", limits.Footer)
	}
	return b.Flush()
}

// maxSuppressedInLimited bounds the suppressed findings listed in a report that must fit
// somewhere (an SNS message); the others are counted.
const maxSuppressedInLimited = 20

// suppressed lists the suppressed findings, one line each with where it is and why:
// "  never-deployed  draft: team.yaml entry 1: a prototype". Those below the minimum severity
// are counted, not listed.
func (t textWriter) suppressed(limits TextOptions) {
	b, r := t.b, t.r
	if len(r.Suppressed) == 0 {
		return
	}
	fmt.Fprintf(b, "\nSuppressed (%d), each with its reason:\n", len(r.Suppressed))
	shown, below := 0, 0
	for _, sf := range r.Suppressed {
		if sf.Severity < limits.MinSeverity {
			below++
			continue
		}
		if limits.MaxFindings >= 0 && shown == maxSuppressedInLimited {
			continue
		}
		shown++
		where := place(&sf.Finding, false)
		if t.multiRegion {
			where += " (" + sf.Region + ")"
		}
		if t.r.MultiAccount() {
			where = accountName(sf.AccountID) + " " + where
		}
		fmt.Fprintf(b, "  %s  %s: %s\n", sf.Check, where, sf.Suppression)
	}
	if more := len(r.Suppressed) - below - shown; more > 0 {
		fmt.Fprintf(b, "  %s\n", strings.TrimSpace(fmt.Sprintf("... and %d more suppressed finding(s). %s", more, limits.Note)))
	}
	if below > 0 {
		fmt.Fprintf(b, "  ... and %d below %s (--min-severity %s)\n", below, limits.MinSeverity, limits.MinSeverity)
	}
}

// writeTextSummary writes the summary table: findings by family and severity, with a baseline
// the new and resolved ones too, then the changes line and the families not checked.
func (r *Report) writeTextSummary(b *bufio.Writer) {
	rows, total, notChecked := r.familyTable()
	baseline := r.Baseline != nil
	fmt.Fprintf(b, "\n  %-15s%10s%10s%9s%6s", "", "findings", "critical", "warning", "info")
	if baseline {
		fmt.Fprintf(b, "%6s%9s", "new", "resolved")
	}
	b.WriteString("\n")
	for _, row := range append(rows, total) {
		fmt.Fprintf(b, "  %-15s%10d%10d%9d%6d", row.name, row.findings, row.bySeverity[checks.Critical], row.bySeverity[checks.Warning], row.bySeverity[checks.Info])
		if baseline {
			fmt.Fprintf(b, "%6d%9d", row.fresh, row.resolved)
		}
		b.WriteString("\n")
	}
	if line := r.changesLine(); line != "" {
		fmt.Fprintf(b, "%s\n", line)
	}
	if len(notChecked) > 0 {
		fmt.Fprintf(b, "Not checked: %s.\n", strings.Join(notChecked, ", "))
	}
}

// textWriter writes the sections of the text report.
type textWriter struct {
	b           *bufio.Writer
	r           *Report
	color       bool
	multiRegion bool
}

// part writes one scope's sections: new and resolved since the baseline, drift, hygiene.
func (t textWriter) part(p part, sel *selection) {
	b, r := t.b, t.r
	if r.Baseline != nil {
		fmt.Fprintf(b, "\nNEW since %s: %s\n", r.baselineTime(), countOrNone(len(p.fresh), "finding"))
		t.groups(sel.shown(p.fresh))
		fmt.Fprintf(b, "\nRESOLVED since %s: %s\n", r.baselineTime(), countOrNone(len(p.resolved), "finding"))
		for _, f := range sel.shown(p.resolved) {
			fmt.Fprintf(b, "  %s %s  %s", severityLabel(f.Severity, t.color), f.Check, place(f, false))
			if t.multiRegion {
				fmt.Fprintf(b, " (%s)", f.Region)
			}
			if f.FirstSeen != nil {
				fmt.Fprintf(b, ", first seen %s", f.FirstSeen.UTC().Format("2006-01-02"))
			}
			b.WriteString("\n")
		}
	}
	standing := ""
	if r.Baseline != nil {
		standing = "STANDING "
	}
	if drift := sel.shown(p.drift); len(drift) > 0 {
		fmt.Fprintf(b, "\n%sDRIFT: %s in deployment, CORS, usage plans and custom domains, each with its fix\n", standing, plural(len(p.drift), "finding"))
		t.groups(drift)
	}
	if lines := hygieneLines(p.hygiene, sel, t.multiRegion); len(lines) > 0 {
		fmt.Fprintf(b, "\n%sHYGIENE: %s of %s, one line per check with one fix (each finding is in the JSON report)\n",
			standing, plural(len(p.hygiene), "finding"), plural(countChecks(p.hygiene), "check"))
		for _, l := range lines {
			sev := l.severities
			if t.color {
				sev = severityColors[l.worst] + sev + "\x1b[0m"
			}
			places := l.places
			if l.more > 0 {
				places += fmt.Sprintf(" and %d more", l.more)
			}
			fmt.Fprintf(b, "  %s (%s, %s): %s\n", l.check, sev, l.count, places)
			if l.forEach {
				fmt.Fprintf(b, "    fix for each: %s\n", l.fix)
			} else {
				fmt.Fprintf(b, "    fix: %s\n", l.fix)
			}
		}
	}
}

// groups writes findings in full, by API and stage; findings that one command fixes share it.
func (t textWriter) groups(findings []*checks.Finding) {
	b := t.b
	for _, g := range groups(findings) {
		fmt.Fprintf(b, "\n%s\n", g.title)
		for _, sg := range g.stages {
			if sg.name != "" {
				fmt.Fprintf(b, "  %s\n", sg.name)
			}
			fixes, serves := fixRuns(sg.findings)
			for i, f := range sg.findings {
				fmt.Fprintf(b, "    %s %s%s", severityLabel(f.Severity, t.color), f.Check, where(f))
				if day := since(f); day != "" {
					fmt.Fprintf(b, "  (since %s)", day)
				}
				fmt.Fprintf(b, "\n             %s\n", f.Message)
				switch {
				case serves[i] > 1:
					fmt.Fprintf(b, "      fix for the %d above: %s\n", serves[i], fixes[i])
				case serves[i] == 1:
					fmt.Fprintf(b, "      fix:   %s\n", fixes[i])
				}
			}
		}
	}
}

func countOrNone(n int, noun string) string {
	if n == 0 {
		return "none"
	}
	return plural(n, noun)
}

// countChecks counts the checks among findings.
func countChecks(fs []*checks.Finding) int {
	seen := map[string]bool{}
	for _, f := range fs {
		seen[f.Check] = true
	}
	return len(seen)
}

// where locates a finding inside its group, for the line that names the check.
func where(f *checks.Finding) string {
	var parts []string
	if f.Method != "" || f.Path != "" {
		parts = append(parts, strings.TrimSpace(f.Method+" "+f.Path))
	}
	if f.BasePath != "" {
		parts = append(parts, "base path "+f.BasePath)
	}
	if f.UsagePlanID != "" && f.APIID != "" {
		parts = append(parts, "API "+named(f.APIName, f.APIID)+" stage "+f.Stage)
	}
	if len(parts) == 0 {
		return ""
	}
	return "  " + strings.Join(parts, ", ")
}

// named shows a thing as people look for it, by name, then its id and any other detail:
// "gold (up7k2m, eu-west-1)"; one without a name is its id and the details: "up7k2m (eu-west-1)".
func named(name, id string, details ...string) string {
	if name == "" {
		if len(details) == 0 {
			return id
		}
		return id + " (" + strings.Join(details, ", ") + ")"
	}
	return name + " (" + strings.Join(append([]string{id}, details...), ", ") + ")"
}

// SummaryLine is the report in one line: counts by severity, APIs, and whether the scan read
// everything.
func (r *Report) SummaryLine() string {
	s := r.Summary
	line := fmt.Sprintf("Summary: %d critical, %d warning, %d info in %d API(s), %d region(s)",
		s.BySeverity["critical"], s.BySeverity["warning"], s.BySeverity["info"], s.APIsScanned, len(r.Regions))
	if r.MultiAccount() {
		line += fmt.Sprintf(", %d accounts", len(r.Accounts))
	}
	if s.Suppressed > 0 {
		line += fmt.Sprintf(", %d suppressed", s.Suppressed)
	}
	if s.Complete {
		return line + "; scan complete."
	}
	return line + fmt.Sprintf("; scan INCOMPLETE: %d error(s), findings may be missing.", s.Errors)
}

var severityColors = map[checks.Severity]string{checks.Critical: "\x1b[1;31m", checks.Warning: "\x1b[33m", checks.Info: "\x1b[36m"}

// severityLabel is the severity in capitals, padded to one width, coloured for a terminal.
func severityLabel(s checks.Severity, color bool) string {
	label := fmt.Sprintf("%-8s", strings.ToUpper(s.String()))
	if !color {
		return label
	}
	return severityColors[s] + label + "\x1b[0m"
}

// MultiAccount reports whether the report covers several accounts: text, Markdown and SNS then
// group by account, worst first; a one-account report reads as it always has.
func (r *Report) MultiAccount() bool { return len(r.Accounts) > 1 }

// AccountLine is one account's summary: "111111111111  2 critical, 0 warning, 1 info; complete".
func (r *Report) AccountLine(id string) string {
	a := r.Summary.ByAccount[id]
	line := fmt.Sprintf("%s  %d critical, %d warning, %d info", accountName(id), a.BySeverity["critical"], a.BySeverity["warning"], a.BySeverity["info"])
	if a.Complete {
		return line + "; complete"
	}
	return line + fmt.Sprintf("; INCOMPLETE: %d error(s)", a.Errors)
}

func accountName(id string) string {
	if id == "" {
		return "(unknown account)"
	}
	return id
}

// errorScope names what a scan error left unread, names before ids where the report knows them:
// "API orders (orders0001)", "usage plan payments-legacy (uqnehvqyfs)", "domain api.example.com";
// "" for a region-wide list.
func (r *Report) errorScope(e inventory.ScanError) string {
	switch {
	case e.APIID != "":
		name := ""
		for _, a := range r.APIs {
			if a.ID == e.APIID && a.Region == e.Region && a.Account == e.AccountID {
				name = a.Name
			}
		}
		return "API " + named(name, e.APIID)
	case e.UsagePlanID != "":
		name := ""
		for _, f := range slices.Concat(r.Findings, r.Resolved) {
			if f.UsagePlanID == e.UsagePlanID && f.Region == e.Region && f.UsagePlanName != "" {
				name = f.UsagePlanName
			}
		}
		return "usage plan " + named(name, e.UsagePlanID)
	case e.Domain != "":
		return "domain " + e.Domain
	}
	return ""
}
