package publish_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/apigw-drift/driftaudit/pkg/checks"
	"github.com/apigw-drift/driftaudit/pkg/inventory"
	"github.com/apigw-drift/driftaudit/pkg/publish"
	"github.com/apigw-drift/driftaudit/pkg/report"
)

// TestBuildMessageOpensWithTheNewFindings: a report far over SNS's limit, compared with last
// night's, still opens with the summary table, then every new finding in full (even info ones,
// before standing critical ones), then the resolved ones, then as much of the rest as fits.
func TestBuildMessageOpensWithTheNewFindings(t *testing.T) {
	cur := bigReport()
	var before []checks.Finding
	newPaths := map[string]bool{}
	for _, f := range cur.Findings {
		if f.Check == "never-deployed" && len(newPaths) < 3 {
			newPaths[f.Path] = true // new tonight: info findings
			continue
		}
		before = append(before, f)
	}
	for i := range 2 {
		gone := finding("undeployed-changes", "eu-west-1", "crit000")
		gone.Stage, gone.Path, gone.Method = "prod", fmt.Sprintf("/v0/fixed-%d", i), "PUT"
		before = append(before, gone)
	}
	prevRegion := region("eu-west-1")
	for _, a := range cur.APIs {
		prevRegion.APIs = append(prevRegion.APIs, inventory.API{ID: a.ID, Name: a.Name})
	}
	prev := build([]inventory.Region{prevRegion}, before...)
	prev.GeneratedAt = runAt.AddDate(0, 0, -1)
	cur.Compare(prev)
	if c := cur.Summary.Changes; c.New != 3 || c.Resolved != 2 || c.Standing != 4997 {
		t.Fatalf("changes %+v", *c)
	}

	msg, err := publish.BuildMessage(cur, fullReportAt)
	if err != nil {
		t.Fatal(err)
	}
	if msg.Size() > snsLimit {
		t.Fatalf("message of %d bytes, over %d", msg.Size(), snsLimit)
	}
	body := msg.Body
	if msg.Omitted == 0 {
		t.Fatal("nothing left out of a report over the limit")
	}
	want := []string{
		"API Gateway drift audit of 123456789012 in eu-west-1, 2025-03-01 02:00 UTC\n\n",
		"                   findings  critical  warning  info   new resolved\n  deployment           1200       300        0   900     3        2\n",
		"  all                  5000       300     3800   900     3        2\n",
		"Since 2025-02-28 02:00 UTC: 3 new, 4997 standing, 2 resolved, 0 not rechecked.\n\nNEW since 2025-02-28 02:00 UTC: 3 findings\n",
	}
	if !strings.HasPrefix(body, strings.Join(want[:2], "")) {
		t.Errorf("the body does not open with the summary table:\n%s", body[:600])
	}
	at := 0
	for path := range newPaths {
		if !strings.Contains(body, "INFO     never-deployed  GET "+path+"\n") {
			t.Errorf("new finding %s is not in the body", path)
		}
	}
	for _, w := range append(want[2:],
		"\nRESOLVED since 2025-02-28 02:00 UTC: 2 findings\n  CRITICAL undeployed-changes  api-crit000/prod PUT /v0/fixed-0, first seen 2025-02-28\n",
		"\nSTANDING DRIFT: 4997 findings",
		fmt.Sprintf("\n%d more finding(s), none of them new, are left out of this message (", msg.Omitted),
		"\nSummary: 300 critical, 3800 warning, 900 info") {
		i := strings.Index(body[at:], w)
		if i < 0 {
			t.Fatalf("%q missing, or out of order", w)
		}
		at += i + len(w)
	}
	if n := strings.Count(body[:strings.Index(body, "RESOLVED since")], "\n    INFO     never-deployed"); n != 3 {
		t.Errorf("%d new findings before the resolved ones, want 3", n)
	}
	if strings.Count(body, "\n    CRITICAL ") != 300 {
		t.Errorf("%d of 300 standing critical findings kept", strings.Count(body, "\n    CRITICAL "))
	}
}

// TestBuildMessageHygieneInLines: 20,000 stages without access logs (about 18 MB of findings
// written in full) make one line with one fix, and the whole text report 31 lines; the drift
// findings are all in the message, which lists as many stages as fit under SNS's limit.
func TestBuildMessageHygieneInLines(t *testing.T) {
	r := region("us-east-1")
	var fs []checks.Finding
	for i := range 20000 {
		f := finding("access-logging-disabled", "us-east-1", fmt.Sprintf("api%05d", i/4))
		f.Stage = fmt.Sprintf("stage%d", i%4)
		f.Remediation = fmt.Sprintf("aws apigateway update-stage --rest-api-id %s --stage-name %s --patch-operations '%s' --region us-east-1", f.APIID, f.Stage, strings.Repeat("x", 800))
		fs = append(fs, f)
	}
	for i := range 5 {
		f := finding("undeployed-changes", "us-east-1", "orders")
		f.Stage, f.Path, f.Method = "prod", fmt.Sprintf("/orders/%d", i), "POST"
		fs = append(fs, f)
	}
	for _, id := range []string{"orders"} {
		r.APIs = append(r.APIs, inventory.API{ID: id, Name: "api-" + id})
	}
	rep := build([]inventory.Region{r}, fs...)
	msg, err := publish.BuildMessage(rep, fullReportAt)
	if err != nil {
		t.Fatal(err)
	}
	if msg.Size() > snsLimit {
		t.Fatalf("message of %d bytes", msg.Size())
	}
	body := msg.Body
	for _, want := range []string{
		"\nDRIFT: 5 findings", "CRITICAL undeployed-changes  POST /orders/4\n",
		"\nHYGIENE: 20000 findings of 1 check",
		"  access-logging-disabled (warning, 20000 stages): api-api00000/stage0, api-api00000/stage1,",
		"\n    fix for each: " + rep.Ran[11].Remediation + "\n",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("body lacks %q", want)
		}
	}
	if rep.Ran[11].ID != "access-logging-disabled" {
		t.Fatalf("check 11 is %s", rep.Ran[11].ID)
	}
	if strings.Contains(body, strings.Repeat("x", 800)) {
		t.Error("a stage's own command is in the body")
	}
	if msg.Omitted > 0 && !strings.Contains(body, fmt.Sprintf(" and %d more\n", msg.Omitted)) {
		t.Errorf("the hygiene line does not say that %d stages are left out", msg.Omitted)
	}
	t.Logf("%d bytes, %d stages left out", msg.Size(), msg.Omitted)
	var whole strings.Builder
	if err := rep.WriteTextLimited(&whole, report.TextOptions{MaxFindings: -1, MaxErrors: -1}); err != nil {
		t.Fatal(err)
	}
	if strings.Count(whole.String(), "\n") > 31 {
		t.Errorf("the whole text report is %d lines", strings.Count(whole.String(), "\n"))
	}
}
