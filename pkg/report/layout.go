package report

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/apigw-drift/driftaudit/pkg/checks"
)

// The reports people read (text, Markdown, the SNS body) share one layout: a summary table;
// with a baseline, what is new and what got fixed since; then the drift families in full
// detail; then hygiene, one line per check with one fix. The JSON report keeps every finding
// in full.

// hygieneFamily is the family of the checks that judge good practice rather than drift.
const hygieneFamily = "hygiene"

// familyOrder lists the catalogue's families as reports do: the drift families (their findings
// break calls today or at the next change), then hygiene.
var familyOrder = []string{"deployment", "cors", "usage-plans", "custom-domains", hygieneFamily}

// catalogue indexes checks.All by id.
var catalogue = sync.OnceValue(func() map[string]checks.Check {
	m := map[string]checks.Check{}
	for _, c := range checks.All() {
		m[c.ID] = c
	}
	return m
})

// familyOf is the family of a check, "other" for one the catalogue does not know.
func familyOf(check string) string {
	if c, ok := catalogue()[check]; ok && c.Family != "" {
		return c.Family
	}
	return "other"
}

// isHygiene reports whether a finding goes in the hygiene lines. A check the catalogue does not
// know is shown in full, with the drift.
func isHygiene(f *checks.Finding) bool { return familyOf(f.Check) == hygieneFamily }

// isNew reports whether a finding is new against the report's baseline.
func (r *Report) isNew(f *checks.Finding) bool { return r.Baseline != nil && f.Change == "new" }

// familyRow is one line of the summary table.
type familyRow struct {
	name                      string
	bySeverity                [checks.Critical + 1]int
	findings, fresh, resolved int
}

// familyTable counts the findings by family and severity (and, with a baseline, the new and
// resolved ones), in familyOrder, then a total row. A family none of whose checks ran and that
// has no finding is left out and named in notChecked.
func (r *Report) familyTable() (rows []familyRow, total familyRow, notChecked []string) {
	byName := map[string]*familyRow{}
	row := func(name string) *familyRow {
		if byName[name] == nil {
			byName[name] = &familyRow{name: name}
		}
		return byName[name]
	}
	ran := map[string]bool{}
	for id := range r.Summary.ByCheck {
		ran[familyOf(id)] = true
	}
	total.name = "all"
	for i := range r.Findings {
		f := &r.Findings[i]
		for _, fr := range []*familyRow{row(familyOf(f.Check)), &total} {
			fr.findings++
			fr.bySeverity[f.Severity]++
			if r.isNew(f) {
				fr.fresh++
			}
		}
	}
	for _, f := range r.Resolved {
		row(familyOf(f.Check)).resolved++
		total.resolved++
	}
	for _, name := range append(slices.Clone(familyOrder), "other") {
		fr := byName[name]
		switch {
		case fr != nil:
			rows = append(rows, *fr)
		case ran[name]:
			rows = append(rows, familyRow{name: name})
		case name != "other":
			notChecked = append(notChecked, name)
		}
	}
	return rows, total, notChecked
}

// changesLine says how the report compares with its baseline; "" without one.
func (r *Report) changesLine() string {
	c := r.Summary.Changes
	if r.Baseline == nil || c == nil {
		return ""
	}
	line := fmt.Sprintf("Since %s: %d new, %d standing, %d resolved, %d not rechecked", r.baselineTime(), c.New, c.Standing, c.Resolved, c.NotRechecked)
	if c.NotRechecked > 0 {
		line += " (gone from a scope this run did not read completely, or of a check that did not run)"
	}
	if !r.Baseline.Complete {
		line += "; the baseline run was incomplete"
	}
	return line + "."
}

func (r *Report) baselineTime() string { return r.Baseline.GeneratedAt.Format("2006-01-02 15:04 MST") }

// selection is what a rendering shows of the findings and the resolved findings: all of them,
// or those at or above a minimum severity, of which under a limit the first ones in the order
// they matter to the reader: the new findings, the resolved ones, then the others worst first,
// drift before hygiene at one severity.
type selection struct {
	all  bool
	keep map[*checks.Finding]bool
	// left counts, by severity, the findings left out by the limit; newLeft the new ones among
	// them, resolvedLeft the resolved ones; baseline says whether there are new ones at all.
	left                  [checks.Critical + 1]int
	newLeft, resolvedLeft int
	baseline              bool
	// min is the minimum severity shown; below and resolvedBelow count the findings and the
	// resolved findings under it, which no limit counts again.
	min                  checks.Severity
	below, resolvedBelow int
}

// findingsLeft counts the findings left out by the limit, resolved ones aside.
func (s *selection) findingsLeft() int {
	n := 0
	for _, c := range s.left {
		n += c
	}
	return n
}

// choose selects the findings and resolved findings at or above least (every one when 0),
// and of them at most limit (all when negative).
func (r *Report) choose(limit int, least checks.Severity) *selection {
	s := &selection{baseline: r.Baseline != nil, min: least}
	for i := range r.Findings {
		if r.Findings[i].Severity < least {
			s.below++
		}
	}
	for i := range r.Resolved {
		if r.Resolved[i].Severity < least {
			s.resolvedBelow++
		}
	}
	candidates := len(r.Findings) + len(r.Resolved) - s.below - s.resolvedBelow
	if s.below+s.resolvedBelow == 0 && (limit < 0 || limit >= candidates) {
		s.all = true
		return s
	}
	var order, rest []*checks.Finding
	for i := range r.Findings {
		switch f := &r.Findings[i]; {
		case f.Severity < least:
		case r.isNew(f):
			order = append(order, f)
		default:
			rest = append(rest, f)
		}
	}
	for i := range r.Resolved {
		if f := &r.Resolved[i]; f.Severity >= least {
			order = append(order, f)
		}
	}
	sort.SliceStable(rest, func(i, j int) bool {
		if rest[i].Severity != rest[j].Severity {
			return rest[i].Severity > rest[j].Severity
		}
		return !isHygiene(rest[i]) && isHygiene(rest[j])
	})
	order = append(order, rest...)
	if limit >= 0 && limit < len(order) {
		order = order[:limit]
	}
	s.keep = make(map[*checks.Finding]bool, len(order))
	for _, f := range order {
		s.keep[f] = true
	}
	for i := range r.Findings {
		if f := &r.Findings[i]; !s.keep[f] && f.Severity >= least {
			s.left[f.Severity]++
			if r.isNew(f) {
				s.newLeft++
			}
		}
	}
	for i := range r.Resolved {
		if f := &r.Resolved[i]; !s.keep[f] && f.Severity >= least {
			s.resolvedLeft++
		}
	}
	return s
}

// FindingsLeftOut counts the findings (resolved ones aside) that a text report limited to
// maxFindings leaves out.
func (r *Report) FindingsLeftOut(maxFindings int) int { return r.choose(maxFindings, 0).findingsLeft() }

// leftOutLine tells what a limited rendering left out; "" when nothing. Without a baseline the
// findings left out are never worse than those shown; with one, the new ones come first.
func (s *selection) leftOutLine(note string) string {
	n := s.findingsLeft() + s.resolvedLeft
	if n == 0 {
		return ""
	}
	return strings.TrimSpace(fmt.Sprintf("%d more finding(s)%s are left out of this message (%s). %s", n, s.which(", "), s.leftBySeverity(), note))
}

// which says, for the line that counts the findings left out, which they are: never worse than
// those shown, or with a baseline how many are new.
func (s *selection) which(sep string) string {
	switch {
	case s.baseline && s.newLeft == 0:
		return sep + "none of them new,"
	case s.baseline:
		return fmt.Sprintf("%s%d of them new,", sep, s.newLeft)
	}
	return sep + "of lower or equal severity,"
}

// leftBySeverity counts the findings left out by severity: "2 critical, 3 warning, 1 resolved".
func (s *selection) leftBySeverity() string {
	var parts []string
	for _, sev := range []checks.Severity{checks.Critical, checks.Warning, checks.Info} {
		if c := s.left[sev]; c > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", c, sev))
		}
	}
	if s.resolvedLeft > 0 {
		parts = append(parts, fmt.Sprintf("%d resolved", s.resolvedLeft))
	}
	return strings.Join(parts, ", ")
}

// belowLine tells how many findings the minimum severity left out; "" when none.
func (s *selection) belowLine() string {
	if s.below+s.resolvedBelow == 0 {
		return ""
	}
	what := plural(s.below, "finding")
	if s.resolvedBelow > 0 {
		what += fmt.Sprintf(" (and %d resolved)", s.resolvedBelow)
	}
	return fmt.Sprintf("%s below %s not shown (--min-severity %s)", what, s.min, s.min)
}

// part is one scope of a report (all of it, or one account), split into its sections; each
// list holds every finding of the section, shown or not, in the report's order.
type part struct {
	fresh, resolved, drift, hygiene []*checks.Finding
}

// split sorts the findings of account (every account when all is set) into sections.
func (r *Report) split(account string, all bool) part {
	var p part
	for i := range r.Findings {
		f := &r.Findings[i]
		switch {
		case !all && f.AccountID != account:
		case r.isNew(f):
			p.fresh = append(p.fresh, f)
		case isHygiene(f):
			p.hygiene = append(p.hygiene, f)
		default:
			p.drift = append(p.drift, f)
		}
	}
	for i := range r.Resolved {
		if f := &r.Resolved[i]; all || f.AccountID == account {
			p.resolved = append(p.resolved, f)
		}
	}
	return p
}

// shown is the findings of fs that the selection shows.
func (s *selection) shown(fs []*checks.Finding) []*checks.Finding {
	if s.all {
		return fs
	}
	var out []*checks.Finding
	for _, f := range fs {
		if s.keep[f] {
			out = append(out, f)
		}
	}
	return out
}

// empty reports whether the selection shows nothing of the part.
func (s *selection) empty(p part) bool {
	for _, fs := range [][]*checks.Finding{p.fresh, p.resolved, p.drift, p.hygiene} {
		if len(s.shown(fs)) > 0 {
			return false
		}
	}
	return true
}

// hygieneLine is one check's hygiene findings in a line: how many, where, and one fix.
type hygieneLine struct {
	check string
	worst checks.Severity
	// severities is "warning", or "1 warning, 2 info" when they differ.
	severities string
	// count is "6 stages" (or methods, domains, APIs, usage plans, findings).
	count string
	// places lists the shown ones ("orders/prod, payments/live"); more counts the others.
	places string
	more   int
	// fix is the catalogue's template, or the finding's own command when there is one.
	fix     string
	forEach bool
}

// hygieneLines groups hygiene findings by check, worst and most frequent first. A check none of
// whose findings is shown has no line. Places are grouped by severity when the check's
// findings differ in it, and by region when multiRegion is set.
func hygieneLines(fs []*checks.Finding, sel *selection, multiRegion bool) []hygieneLine {
	byCheck := map[string][]*checks.Finding{}
	var ids []string
	for _, f := range fs {
		if byCheck[f.Check] == nil {
			ids = append(ids, f.Check)
		}
		byCheck[f.Check] = append(byCheck[f.Check], f)
	}
	var lines []hygieneLine
	for _, id := range ids {
		all := byCheck[id]
		shown := sel.shown(all)
		if len(shown) == 0 {
			continue
		}
		l := hygieneLine{check: id, more: len(all) - len(shown)}
		var bySev [checks.Critical + 1]int
		for _, f := range all {
			bySev[f.Severity]++
			l.worst = max(l.worst, f.Severity)
		}
		var sevs []string
		for _, sev := range []checks.Severity{checks.Critical, checks.Warning, checks.Info} {
			if bySev[sev] > 0 {
				sevs = append(sevs, fmt.Sprintf("%d %s", bySev[sev], sev))
			}
		}
		l.severities = l.worst.String()
		if len(sevs) > 1 {
			l.severities = strings.Join(sevs, ", ")
		}
		label := placeLabeler(all)
		l.count = plural(len(all), placeNoun(all, label))
		l.places = listPlaces(shown, label, len(sevs) > 1, multiRegion)
		if len(all) == 1 {
			l.fix = all[0].Remediation
		} else {
			l.fix, l.forEach = catalogue()[id].Remediation, true
		}
		lines = append(lines, l)
	}
	sort.SliceStable(lines, func(i, j int) bool {
		a, b := lines[i], lines[j]
		if a.worst != b.worst {
			return a.worst > b.worst
		}
		if na, nb := len(byCheck[a.check]), len(byCheck[b.check]); na != nb {
			return na > nb
		}
		return a.check < b.check
	})
	return lines
}

// listPlaces names where the findings are, in the report's order (API, stage, path, method),
// in runs that share a severity (bySeverity) and a region (byRegion):
// "warning: a/prod, b/live; info: c/dev"; a place found twice in a row is "a/prod ×2".
func listPlaces(fs []*checks.Finding, label func(*checks.Finding) string, bySeverity, byRegion bool) string {
	sorted := slices.Clone(fs)
	sort.SliceStable(sorted, func(i, j int) bool {
		a, b := sorted[i], sorted[j]
		if bySeverity && a.Severity != b.Severity {
			return a.Severity > b.Severity
		}
		return byRegion && a.Region < b.Region
	})
	type run struct {
		prefix string
		names  []string
		times  []int
	}
	var runs []*run
	for _, f := range sorted {
		var p []string
		if bySeverity {
			p = append(p, f.Severity.String())
		}
		if byRegion {
			p = append(p, f.Region)
		}
		prefix, name := strings.Join(p, ", "), label(f)
		if len(runs) == 0 || runs[len(runs)-1].prefix != prefix {
			runs = append(runs, &run{prefix: prefix})
		}
		r := runs[len(runs)-1]
		if n := len(r.names); n > 0 && r.names[n-1] == name {
			r.times[n-1]++
			continue
		}
		r.names, r.times = append(r.names, name), append(r.times, 1)
	}
	parts := make([]string, len(runs))
	for i, r := range runs {
		names := make([]string, len(r.names))
		for j, name := range r.names {
			names[j] = name
			if r.times[j] > 1 {
				names[j] += fmt.Sprintf(" ×%d", r.times[j])
			}
		}
		parts[i] = strings.Join(names, ", ")
		if r.prefix != "" {
			parts[i] = r.prefix + ": " + parts[i]
		}
	}
	return strings.Join(parts, "; ")
}

// placeLabeler names a finding's place compactly ("orders/prod", "orders GET /orders",
// "api.example.com"), adding the API's id where two APIs of one region among fs share a name.
func placeLabeler(fs []*checks.Finding) func(*checks.Finding) string {
	ids := map[[3]string]map[string]bool{}
	for _, f := range fs {
		k := [3]string{f.AccountID, f.Region, f.APIName}
		if ids[k] == nil {
			ids[k] = map[string]bool{}
		}
		ids[k][f.APIID] = true
	}
	return func(f *checks.Finding) string {
		return place(f, f.APIName != "" && len(ids[[3]string{f.AccountID, f.Region, f.APIName}]) > 1)
	}
}

// place names where a finding is in a few words: "orders/prod POST /orders",
// "partners.example.com base path v1", "usage plan gold (up7k2m) payments/v1". withID adds the API's id
// to its name.
func place(f *checks.Finding, withID bool) string {
	if f.Domain != "" { // a mapping's API is where it leads, not where it is
		if f.BasePath != "" {
			return f.Domain + " base path " + f.BasePath
		}
		return f.Domain
	}
	var parts []string
	if f.UsagePlanID != "" {
		parts = append(parts, "usage plan "+named(f.UsagePlanName, f.UsagePlanID))
	}
	api := f.APIName
	switch {
	case api == "":
		api = f.APIID
	case withID && f.APIID != "":
		api += "(" + f.APIID + ")"
	}
	switch {
	case api != "" && f.Stage != "":
		parts = append(parts, api+"/"+f.Stage)
	case api != "":
		parts = append(parts, api)
	case f.Stage != "":
		parts = append(parts, "stage "+f.Stage)
	}
	if m := strings.TrimSpace(f.Method + " " + f.Path); m != "" {
		parts = append(parts, m)
	}
	return strings.Join(parts, " ")
}

// placeNoun says what the findings are about: "stage", "method", "domain", "usage plan",
// "API", or "finding" when they are of several kinds or some place has two.
func placeNoun(fs []*checks.Finding, label func(*checks.Finding) string) string {
	kind := func(f *checks.Finding) string {
		switch {
		case f.Domain != "":
			return "domain"
		case f.UsagePlanID != "":
			return "usage plan"
		case f.Method != "" || f.Path != "":
			return "method"
		case f.Stage != "":
			return "stage"
		case f.APIID != "":
			return "API"
		}
		return "finding"
	}
	noun := kind(fs[0])
	seen := map[string]bool{}
	for _, f := range fs {
		k := f.AccountID + "\x00" + f.Region + "\x00" + label(f)
		if kind(f) != noun || seen[k] {
			return "finding"
		}
		seen[k] = true
	}
	return noun
}

// plural is "1 stage", "2 stages", "2 APIs".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// since is the day a standing finding was first seen, "" for any other.
func since(f *checks.Finding) string {
	if f.Change != "standing" || f.FirstSeen == nil {
		return ""
	}
	return f.FirstSeen.UTC().Format("2006-01-02")
}

// fixRuns pairs each finding of a group with the fix to print after it: "" while the next
// finding has the same fix (a stage's undeployed changes all take one create-deployment), and
// then the fix with how many findings it serves.
func fixRuns(fs []*checks.Finding) (fixes []string, serves []int) {
	fixes, serves = make([]string, len(fs)), make([]int, len(fs))
	run := 0
	for i, f := range fs {
		run++
		if i+1 < len(fs) && fs[i+1].Remediation == f.Remediation {
			continue
		}
		fixes[i], serves[i] = f.Remediation, run
		run = 0
	}
	return fixes, serves
}
