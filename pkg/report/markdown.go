package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/apigw-drift/driftaudit/pkg/checks"
)

// WriteMarkdown writes the report for a ticket or a pull request: a summary, a table per API
// (or usage plan, or custom domain) worst first, and each remediation in a code block.
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
	s := r.Summary
	fmt.Fprintf(b, "| critical | warning | info | APIs scanned | suppressed | scan errors | complete |\n|---|---|---|---|---|---|---|\n")
	complete := "yes"
	if !s.Complete {
		complete = "**no**: findings may be missing"
	}
	fmt.Fprintf(b, "| %d | %d | %d | %d | %d | %d | %s |\n", s.BySeverity["critical"], s.BySeverity["warning"], s.BySeverity["info"],
		s.APIsScanned, s.Suppressed, s.Errors, complete)
	if len(r.Findings) == 0 {
		if s.Complete {
			fmt.Fprintf(b, "\nAll clear: no findings.\n")
		} else {
			fmt.Fprintf(b, "\nNo findings in what could be read; see the scan errors.\n")
		}
	}
	writeGroups := func(findings []checks.Finding, heading string) {
		for _, g := range groups(findings) {
			fmt.Fprintf(b, "\n%s %s\n\n| severity | check | stage | where | finding |\n|---|---|---|---|---|\n", heading, mdCell(g.title))
			var fixes []string
			for _, sg := range g.stages {
				for _, f := range sg.findings {
					fmt.Fprintf(b, "| %s | `%s` | %s | %s | %s |\n", f.Severity, f.Check, mdCell(f.Stage), mdCell(strings.TrimSpace(where(f))), mdCell(f.Message))
					label := f.Check
					for _, part := range []string{f.Stage, strings.TrimSpace(where(f))} {
						if part != "" {
							label += ", " + part
						}
					}
					fixes = append(fixes, label, f.Remediation)
				}
			}
			fmt.Fprintf(b, "\n<details><summary>Remediation</summary>\n")
			for i := 0; i+1 < len(fixes); i += 2 {
				fmt.Fprintf(b, "\n%s:\n\n```sh\n%s\n```\n", mdCell(fixes[i]), fixes[i+1])
			}
			fmt.Fprintf(b, "\n</details>\n")
		}
	}
	if !r.MultiAccount() {
		writeGroups(r.Findings, "##")
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
		for _, id := range order {
			if mine := accountFindings(r.Findings, id); len(mine) > 0 {
				fmt.Fprintf(b, "\n## Account %s\n", accountName(id))
				writeGroups(mine, "###")
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
	fmt.Fprintf(b, "\n%s\n", r.SummaryLine())
	return b.Flush()
}

// mdCell keeps text inside one table cell.
func mdCell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ", "<", "&lt;", ">", "&gt;").Replace(s)
}
