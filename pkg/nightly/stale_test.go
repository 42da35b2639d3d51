package nightly_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apigw-drift/driftaudit/pkg/checks"
	"github.com/apigw-drift/driftaudit/pkg/inventory"
	"github.com/apigw-drift/driftaudit/pkg/nightly"
	"github.com/apigw-drift/driftaudit/pkg/report"
	"github.com/apigw-drift/driftaudit/pkg/suppress"
)

// TestJoinJudgesStaleSuppressions: in an organization run, an entry is stale only if it matched
// nothing in any account and region, which the join alone can tell, and only when every item was
// read completely.
func TestJoinJudgesStaleSuppressions(t *testing.T) {
	file := filepath.Join(t.TempDir(), "suppressions.yaml")
	if err := os.WriteFile(file, []byte(`suppressions:
  - {check: never-deployed, api: draft, account: "1111*", reason: "a prototype"}
  - {check: never-deployed, api: sandbox, account: "2222*", reason: "the platform team's"}
  - {check: never-deployed, api: retired, reason: "deleted last spring"}
`), 0o600); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 12, 2, 3, 0, 0, 0, time.UTC)
	// item is the report a scanner writes of one account in us-east-1: one API never deployed,
	// standing in 111111111111 and suppressed in 222222222222.
	item := func(account, api string, suppressed bool) []byte {
		inv := &inventory.Inventory{AccountID: account, Regions: []inventory.Region{{Account: account, Name: "us-east-1", APIs: []inventory.API{{ID: api + "01", Name: api}}}}}
		f := checks.Finding{Check: "never-deployed", Severity: checks.Info, AccountID: account, Region: "us-east-1", APIID: api + "01", APIName: api, Message: "m", Remediation: "r"}
		var fs []checks.Finding
		if !suppressed {
			fs = append(fs, f)
		}
		rep := report.Build(inv, checks.All(), fs, at)
		if suppressed {
			rep.Suppressed = []suppress.Suppressed{{Finding: f, Suppression: "entry 2"}}
			rep.Summary.Suppressed = 1
		}
		var b bytes.Buffer
		if err := rep.WriteJSON(&b); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	join := func(items []nightly.Item) *report.Report {
		t.Helper()
		runs := &fakeRuns{objects: map[string][]byte{
			"runs/r1/items/111111111111/us-east-1.json": item("111111111111", "draft", false),
			"runs/r1/items/222222222222/us-east-1.json": item("222222222222", "sandbox", true),
		}}
		plan, _ := json.Marshal(items)
		runs.objects["runs/r1/plan.json"] = plan
		rec := &recorder{}
		h := fakeHandler(t, nightly.StepJoin, map[string]string{nightly.EnvRegions: "us-east-1", nightly.EnvSuppressionsFile: file}, runs)
		h.Metrics, h.Topic = rec, rec
		out, err := h.Join(context.Background(), json.RawMessage(`{"execution_name": "r1", "state": {"plan": {"run_id": "r1", "bucket": "runs", "key": "runs/r1/plan.json", "items": 2, "accounts": 2}}}`))
		if err != nil {
			t.Fatal(err)
		}
		rep, err := report.Decode(bytes.NewReader(runs.objects[out.Key]))
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}
	stale := func(rep *report.Report) []string {
		var out []string
		for _, w := range rep.Warnings {
			if strings.HasPrefix(w, "stale suppression") {
				out = append(out, w)
			}
		}
		return out
	}

	rep := join([]nightly.Item{{"111111111111", "us-east-1"}, {"222222222222", "us-east-1"}})
	want := []string{"stale suppression: entry 3 (line 4) in " + file + " matched no finding (check never-deployed, api retired); remove it if what it silenced is gone"}
	if !rep.Summary.Complete || !slices.Equal(stale(rep), want) {
		t.Errorf("complete=%t, stale warnings %q, want %q", rep.Summary.Complete, stale(rep), want)
	}
	// An item without a report: the entry's finding may be there.
	rep = join([]nightly.Item{{"111111111111", "us-east-1"}, {"222222222222", "us-east-1"}, {"333333333333", "us-east-1"}})
	if rep.Summary.Complete || len(stale(rep)) != 0 {
		t.Errorf("incomplete run: complete=%t, stale warnings %q", rep.Summary.Complete, stale(rep))
	}
}
