package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/apigw-drift/driftaudit/pkg/checks"
)

// MaxMarkdownChars is the most characters a GitHub pull-request or issue comment holds.
const MaxMarkdownChars = 65536

// MarkdownOptions shape a Markdown report.
type MarkdownOptions struct {
	// MinSeverity, when set, leaves the findings (and suppressed findings) below it out of the
	// lists, and says how many; every count stays whole.
	MinSeverity checks.Severity
	// MaxChars bounds the document in characters (runes, as GitHub counts them); 0 means
	// MaxMarkdownChars, negative no bound. A report that would be longer keeps its summary and
	// the findings that matter most (new ones first, then worst first) and ends with a line
	// that counts the rest and says where they are (FullReport).
	MaxChars int
	// FullReport says where every finding can be read; "" means the JSON report.
	FullReport string
}

// WriteMarkdown writes the report for a ticket or a pull request, within one comment
// (MaxMarkdownChars): WriteMarkdownOptions with the default options.
func (r *Report) WriteMarkdown(w io.Writer) error {
	return r.WriteMarkdownOptions(w, MarkdownOptions{})
}

// WriteMarkdownOptions writes the report for a ticket or a pull request, in the order of the
// text report: the summary tables (and the accounts, worst first, when there are several); then
// for each account what is new and what was resolved since the baseline, the drift as a table
// per API (or usage plan, or custom domain) worst first with each remediation in a code block,
// and the hygiene findings as one table row per check with one fix; then the scan errors,
// suppressed findings and warnings. When that is longer than opts.MaxChars, it keeps as many
// findings as fit, in the order they matter, at most maxErrorsInMarkdown scan errors and
// maxSuppressedInLimited suppressed findings, and ends with the line that counts the rest.
func (r *Report) WriteMarkdownOptions(w io.Writer, opts MarkdownOptions) error {
	if opts.FullReport == "" {
		opts.FullReport = "the JSON report, `driftaudit scan --format json`"
	}
	limit := opts.MaxChars
	if limit == 0 {
		limit = MaxMarkdownChars
	}
	whole := mdLimits{errors: -1, suppressed: -1, opts: opts}
	if limit < 0 {
		return r.writeMarkdown(w, r.choose(-1, opts.MinSeverity), whole)
	}
	render := func(sel *selection, lim mdLimits) (string, bool) {
		b := CappedBuffer{Limit: limit, Runes: true}
		if err := r.writeMarkdown(&b, sel, lim); err != nil {
			return "", false
		}
		return b.String(), true
	}
	if doc, ok := render(r.choose(-1, opts.MinSeverity), whole); ok {
		_, err := io.WriteString(w, doc)
		return err
	}
	cut := mdLimits{errors: min(len(r.Errors), maxErrorsInMarkdown), suppressed: maxSuppressedInLimited, opts: opts, limited: true}
	// As many findings as fit.
	_, best := LargestFitting(len(r.Findings)+len(r.Resolved), func(k int) (string, bool) {
		return render(r.choose(k, opts.MinSeverity), cut)
	})
	if best == "" {
		// Not even the summary with no finding fits (thousands of accounts or scan errors):
		// the document is cut, and still ends with the line that says what is missing.
		cut.errors, cut.suppressed = 0, 0
		var b strings.Builder
		sel := r.choose(0, opts.MinSeverity)
		if err := r.writeMarkdown(&b, sel, cut); err != nil {
			return err
		}
		tail := "\n\n" + r.mdLeftOutLine(sel, cut) + "\n"
		doc := []rune(b.String())
		best = string(doc[:max(0, limit-utf8.RuneCountInString(tail))]) + tail
	}
	_, err := io.WriteString(w, best)
	return err
}

// maxErrorsInMarkdown bounds the scan errors listed in a Markdown report that has to be cut.
const maxErrorsInMarkdown = 50

// mdLimits are what a Markdown rendering lists: at most errors scan errors and suppressed
// suppressed findings (all when negative); limited says the findings were cut to fit.
type mdLimits struct {
	errors, suppressed int
	limited            bool
	opts               MarkdownOptions
}

// mdLeftOutLine counts the findings a limited rendering left out and says where they are; ""
// when it left out none.
func (r *Report) mdLeftOutLine(sel *selection, lim mdLimits) string {
	n := sel.findingsLeft() + sel.resolvedLeft
	if !lim.limited || n == 0 {
		return ""
	}
	limit := lim.opts.MaxChars
	if limit <= 0 {
		limit = MaxMarkdownChars
	}
	return fmt.Sprintf("**%s not shown** (%s-character limit of a comment; %s%s): see %s.",
		plural(n, "more finding"), thousands(limit), sel.leftBySeverity(), strings.TrimSuffix(sel.which("; "), ","), lim.opts.FullReport)
}

// thousands writes n with a comma between thousands: 65,536.
func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func (r *Report) writeMarkdown(w io.Writer, sel *selection, lim mdLimits) error {
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
	m := mdWriter{b: b, r: r, sel: sel, multiRegion: len(r.Regions) > 1}
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
		for _, id := range order {
			if p := r.split(id, false); !sel.empty(p) {
				fmt.Fprintf(b, "\n## Account %s\n", accountName(id))
				m.part(p, "###")
			}
		}
	}
	if line := sel.belowLine(); line != "" {
		fmt.Fprintf(b, "\n%s.\n", line)
	}
	if len(r.Errors) > 0 {
		fmt.Fprintf(b, "\n## Scan errors\n\nWhat these calls would have read is missing from this report.\n\n| account | region | what | operation | error |\n|---|---|---|---|---|\n")
		shown := r.Errors
		if lim.errors >= 0 && lim.errors < len(shown) {
			shown = shown[:lim.errors]
		}
		for _, e := range shown {
			fmt.Fprintf(b, "| %s | %s | %s | %s | %s |\n", accountName(e.AccountID), e.Region, mdCell(r.errorScope(e)), e.Operation, mdCell(e.Message))
		}
		if more := len(r.Errors) - len(shown); more > 0 {
			fmt.Fprintf(b, "\n%d more scan error(s) not shown: see %s.\n", more, lim.opts.FullReport)
		}
	}
	if len(r.Suppressed) > 0 {
		fmt.Fprintf(b, "\n## Suppressed\n\n| check | where | region | reason |\n|---|---|---|---|\n")
		listed, below := 0, 0
		for _, sf := range r.Suppressed {
			switch {
			case sf.Severity < lim.opts.MinSeverity:
				below++
			case lim.suppressed < 0 || listed < lim.suppressed:
				listed++
				fmt.Fprintf(b, "| `%s` | %s | %s | %s |\n", sf.Check, mdCell(place(&sf.Finding, false)), sf.Region, mdCell(sf.Suppression))
			}
		}
		if more := len(r.Suppressed) - below - listed; more > 0 {
			fmt.Fprintf(b, "\n%d more suppressed finding(s) not shown: see %s.\n", more, lim.opts.FullReport)
		}
		if below > 0 {
			fmt.Fprintf(b, "\n%d suppressed below %s not shown (--min-severity %s).\n", below, lim.opts.MinSeverity, lim.opts.MinSeverity)
		}
	}
	for _, w := range r.Warnings {
		fmt.Fprintf(b, "\n> **Warning:** %s\n", mdCell(w))
	}
	if len(r.NotRun) > 0 {
		fmt.Fprintf(b, "\nChecks not run (%d): `%s`\n", len(r.NotRun), strings.Join(r.NotRun, "`, `"))
	}
	fmt.Fprintf(b, "\n%s\n", r.SummaryLine())
	if line := r.mdLeftOutLine(sel, lim); line != "" {
		fmt.Fprintf(b, "\n%s\n", line)
	}
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
	sel         *selection
	multiRegion bool
}

// part writes one scope's sections under headings of level h: new and resolved since the
// baseline, drift, hygiene.
func (m mdWriter) part(p part, h string) {
	b, r, sel := m.b, m.r, m.sel
	drift, hygiene := "Drift", "Hygiene"
	// none says a section is empty, or that what it holds is not shown here.
	none := func(all, shown []*checks.Finding) {
		switch {
		case len(all) == 0:
			b.WriteString("\nNone.\n")
		case len(shown) == 0:
			fmt.Fprintf(b, "\n%s, not shown here.\n", plural(len(all), "finding"))
		}
	}
	if r.Baseline != nil {
		fmt.Fprintf(b, "\n%s New since %s\n", h, r.baselineTime())
		fresh := sel.shown(p.fresh)
		none(p.fresh, fresh)
		m.groups(fresh, h+"#")
		fmt.Fprintf(b, "\n%s Resolved since %s\n", h, r.baselineTime())
		resolved := sel.shown(p.resolved)
		none(p.resolved, resolved)
		if len(resolved) > 0 {
			b.WriteString("\n| severity | check | where | region | first seen |\n|---|---|---|---|---|\n")
			for _, f := range resolved {
				first := ""
				if f.FirstSeen != nil {
					first = f.FirstSeen.UTC().Format("2006-01-02")
				}
				fmt.Fprintf(b, "| %s | `%s` | %s | %s | %s |\n", f.Severity, f.Check, mdCell(place(f, false)), f.Region, first)
			}
		}
		drift, hygiene = "Standing drift", "Standing hygiene"
	}
	if shown := sel.shown(p.drift); len(shown) > 0 {
		fmt.Fprintf(b, "\n%s %s\n\n%s in deployment, CORS, usage plans and custom domains, each with its fix.\n",
			h, drift, plural(len(p.drift), "finding"))
		m.groups(shown, h+"#")
	}
	if lines := hygieneLines(p.hygiene, sel, m.multiRegion); len(lines) > 0 {
		fmt.Fprintf(b, "\n%s %s\n\n%s of %s, one row per check with one fix; each finding is in the JSON report.\n\n| check | severity | where |\n|---|---|---|\n",
			h, hygiene, plural(len(p.hygiene), "finding"), plural(countChecks(p.hygiene), "check"))
		for _, l := range lines {
			places := l.places
			if l.more > 0 {
				places += fmt.Sprintf(" and %d more", l.more)
			}
			fmt.Fprintf(b, "| `%s` | %s | %s: %s |\n", l.check, l.severities, l.count, mdCell(places))
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
