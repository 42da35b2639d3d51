package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/apigw-drift/driftaudit/pkg/checks"
)

// WriteMarkdown writes the report for a ticket or a pull request, in the order of the text
// report: the summary tables (and the accounts, worst first, when there are several); then for
// each account what is new and what was resolved since the baseline, the drift as a table per
// API (or usage plan, or custom domain) worst first with each remediation in a code block, and
// the hygiene findings as one table row per check with one fix; then the scan errors,
// suppressed findings and warnings.
func (r *Report) WriteMarkdown(w io.Writer) error {
	b := bufio.NewWriter(w)
	account := r.AccountID
	if account == "" {
		account = "unknown account"
	}
	if r.MultiAccount() {
		account = fmt.Sprintf("%d accounts", len(r.Accounts))
	}
	fmt.Fprintf(b, "# API Gateway drift audit of %s\n\n", account)
	fmt.Fprintf(b, "Regions: %s. Generated %s.\n\n", strings.Join(r.Regions, ", "), r.GeneratedAt.Format("2006-01-02 15:04 MST"))
	if r.CollectedAt != nil {
		fmt.Fprintf(b, "Audit of a snapshot taken %s: the account may have changed since.\n\n", r.CollectedAt.UTC().Format("2006-01-02 15:04 MST"))
	}
	if r.Interrupted {
		fmt.Fprintf(b, "INTERRUPTED: the run was stopped before it finished; this report holds only what was read before.\n\n")
	}
	s := r.Summary
	fmt.Fprintf(b, "| critical | warning | info | APIs scanned | suppressed | scan errors | complete |\n|---|---|---|---|---|---|---|\n")
	complete := "yes"
	if !s.Complete {
		complete = "**no**: findings may be missing"
	}
	fmt.Fprintf(b, "| %d | %d | %d | %d | %d | %d | %s |\n", s.BySeverity["critical"], s.BySeverity["warning"], s.BySeverity["info"],
		s.APIsScanned, s.Suppressed, s.Errors, complete)
	if len(r.Findings) > 0 || len(r.Resolved) > 0 {
		r.writeMarkdownSummary(b)
	}
	if line := r.changesLine(); line != "" {
		fmt.Fprintf(b, "\n%s\n", line)
	}
	if len(r.Findings) == 0 {
		if s.Complete {
			fmt.Fprintf(b, "\nAll clear: no findings.\n")
		} else {
			fmt.Fprintf(b, "\nNo findings in what could be read; see the scan errors.\n")
		}
	}
	m := mdWriter{b: b, r: r, multiRegion: len(r.Regions) > 1}
	if !r.MultiAccount() {
		m.part(r.split("", true), "##")
	} else {
		order := r.ByAccountWorstFirst()
		fmt.Fprintf(b, "\n## Accounts, worst first\n\n| account | critical | warning | info | scan errors | complete |\n|---|---|---|---|---|---|\n")
		for _, id := range order {
			a := r.Summary.ByAccount[id]
			done := "yes"
			if !a.Complete {
				done = "**no**"
			}
			fmt.Fprintf(b, "| %s | %d | %d | %d | %d | %s |\n", accountName(id), a.BySeverity["critical"], a.BySeverity["warning"], a.BySeverity["info"], a.Errors, done)
		}
		all := &selection{all: true}
		for _, id := range order {
			if p := r.split(id, false); !all.empty(p) {
				fmt.Fprintf(b, "\n## Account %s\n", accountName(id))
				m.part(p, "###")
			}
		}
	}
	if len(r.Errors) > 0 {
		fmt.Fprintf(b, "\n## Scan errors\n\nWhat these calls would have read is missing from this report.\n\n| account | region | API | operation | error |\n|---|---|---|---|---|\n")
		for _, e := range r.Errors {
			fmt.Fprintf(b, "| %s | %s | %s | %s | %s |\n", accountName(e.AccountID), e.Region, mdCell(e.APIID), e.Operation, mdCell(e.Message))
		}
	}
	if len(r.Suppressed) > 0 {
		fmt.Fprintf(b, "\n## Suppressed\n\n| check | API | stage | reason |\n|---|---|---|---|\n")
		for _, sf := range r.Suppressed {
			fmt.Fprintf(b, "| `%s` | %s | %s | %s |\n", sf.Check, mdCell(strings.TrimSpace(sf.APIName+" "+sf.APIID)), mdCell(sf.Stage), mdCell(sf.Suppression))
		}
	}
	for _, w := range r.Warnings {
		fmt.Fprintf(b, "\n> **Warning:** %s\n", mdCell(w))
	}
	if len(r.NotRun) > 0 {
		fmt.Fprintf(b, "\nChecks not run (%d): `%s`\n", len(r.NotRun), strings.Join(r.NotRun, "`, `"))
	}
	fmt.Fprintf(b, "\n%s\n", r.SummaryLine())
	return b.Flush()
}

// writeMarkdownSummary writes the findings by family and severity (with a baseline, the new
// and resolved ones too), and the families not checked.
func (r *Report) writeMarkdownSummary(b *bufio.Writer) {
	rows, total, notChecked := r.familyTable()
	baseline := r.Baseline != nil
	b.WriteString("\n| family | findings | critical | warning | info |")
	if baseline {
		b.WriteString(" new | resolved |")
	}
	b.WriteString("\n|---|---|---|---|---|")
	if baseline {
		b.WriteString("---|---|")
	}
	b.WriteString("\n")
	total.name = "**all**"
	for _, row := range append(rows, total) {
		fmt.Fprintf(b, "| %s | %d | %d | %d | %d |", row.name, row.findings, row.bySeverity[checks.Critical], row.bySeverity[checks.Warning], row.bySeverity[checks.Info])
		if baseline {
			fmt.Fprintf(b, " %d | %d |", row.fresh, row.resolved)
		}
		b.WriteString("\n")
	}
	if len(notChecked) > 0 {
		fmt.Fprintf(b, "\nNot checked: %s.\n", strings.Join(notChecked, ", "))
	}
}

// mdWriter writes the sections of the Markdown report.
type mdWriter struct {
	b           *bufio.Writer
	r           *Report
	multiRegion bool
}

// part writes one scope's sections under headings of level h: new and resolved since the
// baseline, drift, hygiene.
func (m mdWriter) part(p part, h string) {
	b, r := m.b, m.r
	all := &selection{all: true}
	drift, hygiene := "Drift", "Hygiene"
	if r.Baseline != nil {
		fmt.Fprintf(b, "\n%s New since %s\n", h, r.baselineTime())
		if len(p.fresh) == 0 {
			b.WriteString("\nNone.\n")
		}
		m.groups(p.fresh, h+"#")
		fmt.Fprintf(b, "\n%s Resolved since %s\n", h, r.baselineTime())
		if len(p.resolved) == 0 {
			b.WriteString("\nNone.\n")
		} else {
			b.WriteString("\n| severity | check | where | region | first seen |\n|---|---|---|---|---|\n")
			for _, f := range p.resolved {
				first := ""
				if f.FirstSeen != nil {
					first = f.FirstSeen.UTC().Format("2006-01-02")
				}
				fmt.Fprintf(b, "| %s | `%s` | %s | %s | %s |\n", f.Severity, f.Check, mdCell(place(f, false)), f.Region, first)
			}
		}
		drift, hygiene = "Standing drift", "Standing hygiene"
	}
	if len(p.drift) > 0 {
		fmt.Fprintf(b, "\n%s %s\n\n%s in deployment, CORS, usage plans and custom domains, each with its fix.\n",
			h, drift, plural(len(p.drift), "finding"))
		m.groups(p.drift, h+"#")
	}
	if lines := hygieneLines(p.hygiene, all, m.multiRegion); len(lines) > 0 {
		fmt.Fprintf(b, "\n%s %s\n\n%s of %s, one row per check with one fix; each finding is in the JSON report.\n\n| check | severity | where |\n|---|---|---|\n",
			h, hygiene, plural(len(p.hygiene), "finding"), plural(countChecks(p.hygiene), "check"))
		for _, l := range lines {
			fmt.Fprintf(b, "| `%s` | %s | %s: %s |\n", l.check, l.severities, l.count, mdCell(l.places))
		}
		b.WriteString("\n<details><summary>Fixes</summary>\n")
		for _, l := range lines {
			each := ""
			if l.forEach {
				each = ", for each"
			}
			fmt.Fprintf(b, "\n`%s`%s:\n\n```sh\n%s\n```\n", l.check, each, l.fix)
		}
		b.WriteString("\n</details>\n")
	}
}

// groups writes a table per API (or usage plan, or custom domain), then its fixes; findings
// that one command fixes share it.
func (m mdWriter) groups(findings []*checks.Finding, heading string) {
	b := m.b
	for _, g := range groups(findings) {
		fmt.Fprintf(b, "\n%s %s\n\n| severity | check | stage | where | finding |\n|---|---|---|---|---|\n", heading, mdCell(g.title))
		var labels, fixes []string
		var pending []string
		for _, sg := range g.stages {
			fixRun, _ := fixRuns(sg.findings)
			for i, f := range sg.findings {
				msg := f.Message
				if day := since(f); day != "" {
					msg += " (since " + day + ")"
				}
				fmt.Fprintf(b, "| %s | `%s` | %s | %s | %s |\n", f.Severity, f.Check, mdCell(f.Stage), mdCell(strings.TrimSpace(where(f))), mdCell(msg))
				label := f.Check
				for _, part := range []string{f.Stage, strings.TrimSpace(where(f))} {
					if part != "" {
						label += ", " + part
					}
				}
				pending = append(pending, label)
				if fixRun[i] != "" {
					labels, fixes = append(labels, strings.Join(pending, "; ")), append(fixes, fixRun[i])
					pending = nil
				}
			}
		}
		fmt.Fprintf(b, "\n<details><summary>Remediation</summary>\n")
		for i := range fixes {
			fmt.Fprintf(b, "\n%s:\n\n```sh\n%s\n```\n", mdCell(labels[i]), fixes[i])
		}
		fmt.Fprintf(b, "\n</details>\n")
	}
}

// mdCell keeps text inside one table cell.
func mdCell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ", "<", "&lt;", ">", "&gt;").Replace(s)
}
