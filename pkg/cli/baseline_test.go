package cli_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"

	"github.com/apigw-drift/driftaudit/internal/awsemu"
	"github.com/apigw-drift/driftaudit/internal/seed"
	"github.com/apigw-drift/driftaudit/pkg/checks"
	"github.com/apigw-drift/driftaudit/pkg/cli"
	"github.com/apigw-drift/driftaudit/pkg/report"
)

// TestScanWithBaseline: the demo account's report is the baseline; then one drift is fixed
// (orders is deployed, which resolves its three undeployed changes) and one added (an API that
// was never deployed). The second scan marks the new finding new and the others standing, lists
// the three resolved by the ids they had, and --fail-on judges the new findings only: no new
// critical, exit 0, where the same scan without the baseline exits 1.
func TestScanWithBaseline(t *testing.T) {
	shim := demoShim(t)
	dir := t.TempDir()
	base := filepath.Join(dir, "night1.json")
	args := []string{"scan", "--endpoint-url", shim.URL, "--region", "us-east-1"}
	_, js, _ := run(t, append(args, "--format", "json")...)
	if err := os.WriteFile(base, []byte(js), 0o600); err != nil {
		t.Fatal(err)
	}
	var before report.Report
	if err := json.Unmarshal([]byte(js), &before); err != nil {
		t.Fatal(err)
	}

	ctx := context.Background()
	cfg := awsemu.AWSConfig(shim.URL, "us-east-1")
	if _, err := apigateway.NewFromConfig(cfg).CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: aws.String("orders0001"), StageName: aws.String("prod")}); err != nil {
		t.Fatal(err)
	}
	b := seed.ForConfig(ctx, cfg)
	b.API("sketch", seed.APIOptions{ID: "sketch0001"}).Method("/ideas", "GET", seed.Method{Auth: "AWS_IAM"})
	if err := b.Err(); err != nil {
		t.Fatal(err)
	}

	code, js, stderr := run(t, append(args, "--format", "json", "--baseline", base)...)
	if code != cli.ExitOK || stderr != "" {
		t.Errorf("with the baseline: exit %d (want 0: no new critical finding), stderr %q", code, stderr)
	}
	if code, _, _ := run(t, args...); code != cli.ExitFindings {
		t.Errorf("without the baseline: exit %d, want 1 (standing critical findings)", code)
	}
	var after report.Report
	if err := json.Unmarshal([]byte(js), &after); err != nil {
		t.Fatal(err)
	}
	var news, resolved []string
	for _, f := range after.Findings {
		if f.Change == "new" {
			news = append(news, f.Check+" "+f.APIID)
		} else if f.Change != "standing" || f.FirstSeen == nil || !f.FirstSeen.Equal(before.GeneratedAt) {
			t.Errorf("finding %s %s: change %q since %v", f.Check, f.APIID, f.Change, f.FirstSeen)
		}
	}
	beforeIDs := map[string]checks.Finding{}
	for _, f := range before.Findings {
		beforeIDs[f.ID] = f
	}
	for _, f := range after.Resolved {
		if _, ok := beforeIDs[f.ID]; !ok {
			t.Errorf("resolved %s is not a finding of the baseline", f.ID)
		}
		resolved = append(resolved, f.Check+" "+f.APIID+" "+f.Method+" "+f.Path)
	}
	slices.Sort(resolved)
	wantResolved := []string{"undeployed-changes orders0001 DELETE /orders/{id}", "undeployed-changes orders0001 GET /orders/{id}", "undeployed-changes orders0001 POST /orders"}
	if !slices.Equal(news, []string{"never-deployed sketch0001"}) || !slices.Equal(resolved, wantResolved) {
		t.Errorf("new %q, resolved %q; want the never-deployed API new and %q resolved", news, resolved, wantResolved)
	}
	if c := after.Summary.Changes; c == nil || c.New != 1 || c.Resolved != 3 || c.Standing != len(after.Findings)-1 || c.NotRechecked != 0 {
		t.Errorf("summary changes %+v", c)
	}
}

// TestBaselineMustBeAReport: a baseline that is not a report of this schema is a usage error
// naming the file and what it is.
func TestBaselineMustBeAReport(t *testing.T) {
	dir := t.TempDir()
	for name, tc := range map[string]struct{ content, want string }{
		"empty.json":     {"", "is empty"},
		"notes.txt":      {"night of the 1st", "is not a driftaudit JSON report"},
		"inventory.json": {`{"schema_version": 3, "collected_at": "2026-12-01T03:00:00Z", "regions": []}`, "is an inventory, not a report"},
		"old.json":       {`{"schema_version": 1, "generated_at": "2026-12-01T03:00:00Z", "findings": [], "errors": []}`, "schema_version 1"},
	} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(tc.content), 0o600); err != nil {
			t.Fatal(err)
		}
		code, _, stderr := run(t, "scan", "--snapshot", path, "--baseline", path)
		if code != cli.ExitUsage || !strings.Contains(stderr, "baseline "+path) || !strings.Contains(stderr, tc.want) {
			t.Errorf("%s: exit %d, stderr %q; want 2 naming the file and %q", name, code, stderr, tc.want)
		}
	}
}
