package report

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/apigw-drift/driftaudit/pkg/checks"
	"github.com/apigw-drift/driftaudit/pkg/suppress"
)

// manyFindings is n drift findings on 150 APIs whose names are not ASCII (a rune is then not
// a byte), severities in turn critical, warning, info, info; skip leaves some out.
func manyFindings(n int, skip func(i int) bool) []checks.Finding {
	sevs := []checks.Severity{checks.Critical, checks.Warning, checks.Info, checks.Info}
	var fs []checks.Finding
	for i := range n {
		if skip != nil && skip(i) {
			continue
		}
		f := finding("undeployed-changes", fmt.Sprintf("café-ü-%03d", i%150), method("prod", "POST", fmt.Sprintf("/commandes/%d", i)))
		f.APIID = fmt.Sprintf("api%07d", i%150)
		f.Severity = sevs[i%len(sevs)]
		fs = append(fs, f)
	}
	return fs
}

func markdownWith(t *testing.T, r *Report, o MarkdownOptions) string {
	t.Helper()
	var b bytes.Buffer
	if err := r.WriteMarkdownOptions(&b, o); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// findingRow is a row of a findings table (drift or resolved): "| critical | `check` | ...".
var findingRow = regexp.MustCompile("(?m)^\\| (critical|warning|info) \\| `")

// TestMarkdownFitsOneComment: a report of thousands of findings is cut to one pull-request
// comment (65,536 characters), keeping the summary whole, the new and resolved findings, then
// the worst of the rest, and ends with the line that counts what is not shown, by severity.
func TestMarkdownFitsOneComment(t *testing.T) {
	const n = 4000
	prev := reportOf(lastNight, manyFindings(n+200, func(i int) bool { return i%10 == 0 && i < 2000 })...) // 200 new tonight
	r := reportOf(tonight, manyFindings(n+200, func(i int) bool { return i >= n && i%2 == 0 })...)         // 100 resolved
	r.Compare(prev)
	if c := r.Summary.Changes; c.New != 200 || c.Resolved != 100 {
		t.Fatalf("changes %+v, want 200 new and 100 resolved", *c)
	}
	md := markdown(t, r)
	if got := utf8.RuneCountInString(md); got > MaxMarkdownChars || got < MaxMarkdownChars-5000 {
		t.Errorf("the report is %d characters, want at most %d and not much less", got, MaxMarkdownChars)
	}
	if whole := markdownWith(t, r, MarkdownOptions{MaxChars: -1}); utf8.RuneCountInString(whole) <= MaxMarkdownChars {
		t.Fatalf("the whole report is %d characters: this test needs one longer than a comment", utf8.RuneCountInString(whole))
	}
	s := r.Summary
	inOrder(t, "markdown", md,
		fmt.Sprintf("| %d | %d | %d | %d | 0 | 0 | yes |", s.BySeverity["critical"], s.BySeverity["warning"], s.BySeverity["info"], s.APIsScanned),
		fmt.Sprintf("| **all** | %d | %d | %d | %d | 200 | 100 |", len(r.Findings), s.BySeverity["critical"], s.BySeverity["warning"], s.BySeverity["info"]),
		"## New since", "## Resolved since", "## Standing drift", r.SummaryLine())

	// What is shown: every new and resolved finding, then standing ones worst first.
	var shown [checks.Critical + 1]int
	for _, m := range findingRow.FindAllStringSubmatch(md, -1) {
		sev, _ := checks.ParseSeverity(m[1])
		shown[sev]++
	}
	standing := md[strings.Index(md, "## Standing drift"):]
	if strings.Count(md[:len(md)-len(standing)], "| `undeployed-changes` |") != 300 {
		t.Errorf("%d rows before the standing drift, want the 200 new and 100 resolved", strings.Count(md[:len(md)-len(standing)], "| `undeployed-changes` |"))
	}
	var standingShown, standingAll [checks.Critical + 1]int
	for _, m := range findingRow.FindAllStringSubmatch(standing, -1) {
		sev, _ := checks.ParseSeverity(m[1])
		standingShown[sev]++
	}
	for _, f := range r.Findings {
		if f.Change == "standing" {
			standingAll[f.Severity]++
		}
	}
	if standingShown[checks.Critical] == 0 {
		t.Error("no standing critical finding is shown")
	}
	for lo := checks.Info; lo < checks.Critical; lo++ {
		for hi := lo + 1; hi <= checks.Critical; hi++ {
			if standingShown[lo] > 0 && standingShown[hi] < standingAll[hi] {
				t.Errorf("a standing %s finding is shown while %d %s ones are not", lo, standingAll[hi]-standingShown[hi], hi)
			}
		}
	}

	// The last line counts what is not shown, by severity, and says where it is.
	var total [checks.Critical + 1]int
	for _, f := range append(append([]checks.Finding(nil), r.Findings...), r.Resolved...) {
		total[f.Severity]++
	}
	left := len(r.Findings) + len(r.Resolved) - shown[checks.Critical] - shown[checks.Warning] - shown[checks.Info]
	var parts []string
	for _, sev := range []checks.Severity{checks.Critical, checks.Warning, checks.Info} {
		// Resolved findings left out are counted apart; here every resolved one is shown.
		if c := total[sev] - shown[sev]; c > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", c, sev))
		}
	}
	want := fmt.Sprintf("**%s more findings not shown** (65,536-character limit of a comment; %s; none of them new): see the JSON report, `driftaudit scan --format json`.\n",
		strconv.Itoa(left), strings.Join(parts, ", "))
	if left < 1000 || !strings.HasSuffix(md, "\n\n"+want) {
		t.Errorf("%d findings left out; the report does not end with\n%s\nbut with\n%s", left, want, md[max(0, len(md)-400):])
	}
}

// TestMarkdownWithinLimitIsWhole: a report that fits is written whole, with no line about a limit.
func TestMarkdownWithinLimitIsWhole(t *testing.T) {
	_, r := twoRuns()
	if md, whole := markdown(t, r), markdownWith(t, r, MarkdownOptions{MaxChars: -1}); md != whole || strings.Contains(md, "not shown") {
		t.Errorf("a short report was cut:\n%s", md)
	}
	// A small limit cuts it, new findings first.
	md := markdownWith(t, r, MarkdownOptions{MaxChars: 2500})
	if utf8.RuneCountInString(md) > 2500 || !strings.Contains(md, "more findings not shown** (2,500-character limit of a comment;") || !strings.Contains(md, "### API web (web01, us-east-1)") {
		t.Errorf("cut to 2,500 characters (%d):\n%s", utf8.RuneCountInString(md), md)
	}
	// A limit that not even the summary fits in cuts the text, and still ends with the count.
	md = markdownWith(t, r, MarkdownOptions{MaxChars: 600})
	want := "\n\n**6 more findings not shown** (600-character limit of a comment; 2 critical, 3 warning, 1 resolved; 2 of them new): see the JSON report, `driftaudit scan --format json`.\n"
	if utf8.RuneCountInString(md) > 600 || !strings.HasSuffix(md, want) || !strings.HasPrefix(md, "# API Gateway drift audit of 111111111111\n") {
		t.Errorf("cut to 600 characters (%d):\n%s", utf8.RuneCountInString(md), md)
	}
}

// minSeverityReport has a finding of each severity in drift and in hygiene, and one suppressed
// info finding.
func minSeverityReport() *Report {
	info := finding("never-deployed", "draft", nil)
	warn := finding("stage-behind-latest", "orders", stage("dev"))
	warn.Severity = checks.Warning
	r := reportOf(tonight, finding("undeployed-changes", "orders", method("prod", "POST", "/orders")), warn, info,
		finding("access-logging-disabled", "orders", stage("prod")), finding("tracing-disabled", "orders", stage("prod")))
	r.Suppressed = []suppress.Suppressed{{Finding: finding("never-deployed", "sandbox", nil), Suppression: "team.yaml entry 1: the platform team's"}}
	r.Summary.Suppressed = 1
	return r
}

// TestMinSeverity: findings below the minimum are not listed, in text and Markdown, but every
// count stays whole, and a line says how many were left out and why.
func TestMinSeverity(t *testing.T) {
	r := minSeverityReport()
	if r.Summary.BySeverity["info"] != 2 {
		t.Fatalf("the report has %d info findings, want 2", r.Summary.BySeverity["info"])
	}
	all, some := text(t, r), text(t, r, TextOptions{MaxFindings: -1, MaxErrors: -1, MinSeverity: checks.Warning})
	table := all[strings.Index(all, "\n  deployment"):strings.Index(all, "\nDRIFT")]
	for _, want := range []string{table, "CRITICAL undeployed-changes", "WARNING  stage-behind-latest", "access-logging-disabled (warning, 1 stage)",
		"\n2 findings below warning not shown (--min-severity warning).\n", "Suppressed (1), each with its reason:\n  ... and 1 below warning (--min-severity warning)\n", r.SummaryLine()} {
		if !strings.Contains(some, want) {
			t.Errorf("text at warning lacks %q:\n%s", want, some)
		}
	}
	for _, not := range []string{"INFO", "never-deployed", "tracing-disabled"} {
		if strings.Contains(some, not) {
			t.Errorf("text at warning shows %q:\n%s", not, some)
		}
	}
	if strings.Contains(all, "below") {
		t.Errorf("text without a minimum leaves something out:\n%s", all)
	}
	critical := text(t, r, TextOptions{MaxFindings: -1, MaxErrors: -1, MinSeverity: checks.Critical})
	if !strings.Contains(critical, "\n4 findings below critical not shown (--min-severity critical).\n") || strings.Contains(critical, "HYGIENE") {
		t.Errorf("text at critical:\n%s", critical)
	}

	md := markdownWith(t, r, MarkdownOptions{MinSeverity: checks.Warning})
	whole := markdown(t, r)
	summary := whole[:strings.Index(whole, "\n## Drift")]
	for _, want := range []string{summary, "| critical | `undeployed-changes` |", "| warning | `stage-behind-latest` |", "| `access-logging-disabled` | warning |",
		"\n2 findings below warning not shown (--min-severity warning).\n", "\n1 suppressed below warning not shown (--min-severity warning).\n", r.SummaryLine()} {
		if !strings.Contains(md, want) {
			t.Errorf("Markdown at warning lacks %q:\n%s", want, md)
		}
	}
	for _, not := range []string{"| info | `", "never-deployed", "tracing-disabled"} {
		if strings.Contains(md, not) {
			t.Errorf("Markdown at warning shows %q:\n%s", not, md)
		}
	}
}

// TestSuppressedListed: the text report lists each suppressed finding on one line, where it is
// and why; a limited one (an SNS message) lists the first ones and counts the rest.
func TestSuppressedListed(t *testing.T) {
	r := reportOf(tonight, finding("undeployed-changes", "orders", method("prod", "POST", "/orders")))
	plan := finding("unkeyed-usage-plan", "", func(f *checks.Finding) { f.APIID, f.APIName, f.UsagePlanID, f.UsagePlanName = "", "", "up7k2m", "gold" })
	r.Suppressed = []suppress.Suppressed{
		{Finding: finding("never-deployed", "draft", nil), Suppression: "team.yaml entry 1: a prototype"},
		{Finding: finding("stage-behind-latest", "orders", stage("dev")), Suppression: "tag drift-auditor:ignore=all on the API"},
		{Finding: plan, Suppression: "team.yaml entry 2: the partners' plan, keyed by hand"},
	}
	r.Summary.Suppressed = 3
	inOrder(t, "text", text(t, r),
		"\nSuppressed (3), each with its reason:\n",
		"  never-deployed  draft: team.yaml entry 1: a prototype\n",
		"  stage-behind-latest  orders/dev: tag drift-auditor:ignore=all on the API\n",
		"  unkeyed-usage-plan  usage plan gold (up7k2m): team.yaml entry 2: the partners' plan, keyed by hand\n",
		"\nSummary: 1 critical, 0 warning, 0 info in 1 API(s), 1 region(s), 3 suppressed; scan complete.\n")

	for i := range 30 {
		r.Suppressed = append(r.Suppressed, suppress.Suppressed{Finding: finding("never-deployed", fmt.Sprintf("draft%02d", i), nil), Suppression: "r"})
	}
	out := text(t, r, TextOptions{MaxFindings: 10, MaxErrors: 5, Note: "The full report is in S3."})
	if n := strings.Count(out, "  never-deployed  draft"); n != 18 || !strings.Contains(out, "\n  ... and 13 more suppressed finding(s). The full report is in S3.\n") {
		t.Errorf("limited: %d never-deployed lines, want 18 of the 20 listed, and 13 counted:\n%s", n, out)
	}
}
