package cli_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apigw-drift/driftaudit/pkg/checks"
	"github.com/apigw-drift/driftaudit/pkg/cli"
	"github.com/apigw-drift/driftaudit/pkg/report"
)

// TestDemoTextReportFitsAPage: the demo account's text report (61 findings, 37 of them
// hygiene; 219 lines before hygiene was grouped) is about 120 lines, as many as the README
// says: the summary table, the drift in full, then one line per hygiene check with one fix.
func TestDemoTextReportFitsAPage(t *testing.T) {
	_, text, _ := run(t, "scan", "--snapshot", filepath.Join("testdata", "demo.inventory.json"))
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	n := strings.Count(text, "\n")
	if n > 130 {
		t.Errorf("the demo's text report is %d lines", n)
	}
	if measured := fmt.Sprintf("it is now **%d lines**", n); !strings.Contains(string(readme), measured) {
		t.Errorf("the README does not give the demo's text report's length: %q", measured)
	}
	at := 0
	for _, want := range []string{
		"  all                    61        13       21    27\n",
		"\nDRIFT: 24 findings", "API carts (uvutswjn, us-east-1)", "custom domain partners.example.com", "usage plan payments-legacy (uqnehvqyfs, us-east-1)",
		"\nHYGIENE: 37 findings of 6 checks",
		"  access-logging-disabled (warning, 6 stages): orders/prod, payments/live, reports/dev, reports/prod, reports/qa, web/prod\n    fix for each: aws apigateway update-stage --rest-api-id API --stage-name STAGE",
		"\nSummary: 13 critical, 21 warning, 27 info",
	} {
		i := strings.Index(text[at:], want)
		if i < 0 {
			t.Fatalf("%q missing, or out of order, in:\n%s", want, text)
		}
		at += i + len(want)
	}
	for _, c := range checks.All() {
		if c.Family == "hygiene" && strings.Contains(text, c.ID) && strings.Count(text, c.ID) != 1 {
			t.Errorf("hygiene check %s is on %d lines, want one", c.ID, strings.Count(text, c.ID))
		}
	}
}

// TestTextReportWithBaseline: scan --baseline with last night's report, in which one drift
// was not yet there and one more was: the report opens with the new one in full and the
// resolved one, then what is standing.
func TestTextReportWithBaseline(t *testing.T) {
	snapshot := filepath.Join("testdata", "demo.inventory.json")
	_, js, _ := run(t, "scan", "--snapshot", snapshot, "--format", "json")
	prev, err := report.Decode(strings.NewReader(js))
	if err != nil {
		t.Fatal(err)
	}
	prev.GeneratedAt = fixedNow().Add(-24 * time.Hour)
	var kept []checks.Finding
	for _, f := range prev.Findings {
		if f.Check == "undeployed-changes" && f.APIID == "orders0001" && f.Method == "POST" {
			continue // new tonight
		}
		kept = append(kept, f)
	}
	var gone checks.Finding
	for _, f := range prev.Findings {
		if f.Check == "stage-without-deployment" && f.APIID == "reports001" {
			gone = f
		}
	}
	gone.Stage, gone.Message = "beta", `stage "beta" points to a deployment that no longer exists`
	gone.ID = checks.Fingerprint(gone)
	prev.Findings = append(kept, gone)
	var buf bytes.Buffer
	if err := prev.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "last-night.json")
	if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}

	code, text, stderr := run(t, "scan", "--snapshot", snapshot, "--baseline", file)
	if code != cli.ExitFindings || stderr != "" {
		t.Errorf("exit %d (want 1: the new finding is critical), stderr %q", code, stderr)
	}
	at := 0
	for _, want := range []string{
		"  all                    61        13       21    27     1        1\n",
		"Since 2026-11-26 03:00 UTC: 1 new, 60 standing, 1 resolved, 0 not rechecked.\n",
		"\nNEW since 2026-11-26 03:00 UTC: 1 finding\n\nAPI orders (orders0001, us-east-1)\n  stage prod\n    CRITICAL undeployed-changes  POST /orders\n",
		"\nRESOLVED since 2026-11-26 03:00 UTC: 1 finding\n  CRITICAL stage-without-deployment  reports/beta, first seen 2026-11-26\n",
		"\nSTANDING DRIFT: 23 findings", "CRITICAL undeployed-changes  GET /orders/{id}  (since 2026-11-26)\n",
		"\nSTANDING HYGIENE: 37 findings of 6 checks",
	} {
		i := strings.Index(text[at:], want)
		if i < 0 {
			t.Fatalf("%q missing, or out of order, in:\n%s", want, text)
		}
		at += i + len(want)
	}
	golden(t, "demo-baseline.golden.txt", []byte(text))
}
