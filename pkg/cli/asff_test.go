package cli_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	sh "github.com/aws/aws-sdk-go-v2/service/securityhub"
	"github.com/aws/aws-sdk-go-v2/service/securityhub/types"

	"github.com/apigw-drift/driftaudit/internal/awsemu"
	"github.com/apigw-drift/driftaudit/pkg/cli"
)

// TestScanFormatASFF: --format asff prints the demo account's findings as one JSON array of ASFF
// findings, the ids of the JSON report; that array is what BatchImportFindings takes (imported
// here through the SDK into moto, as `aws securityhub batch-import-findings --findings file://`
// would). With --baseline, the findings gone since are in it too, ARCHIVED.
func TestScanFormatASFF(t *testing.T) {
	shim := demoShim(t)
	scan := []string{"scan", "--endpoint-url", shim.URL, "--region", "us-east-1"}
	_, js, _ := run(t, append(scan, "--format", "json")...)
	var rep struct {
		Findings []struct{ ID, Check, Severity string } `json:"findings"`
	}
	if err := json.Unmarshal([]byte(js), &rep); err != nil {
		t.Fatal(err)
	}
	baseline := filepath.Join(t.TempDir(), "baseline.json")
	if err := os.WriteFile(baseline, []byte(js), 0o644); err != nil {
		t.Fatal(err)
	}

	code, out, stderr := run(t, append(scan, "--format", "asff")...)
	if code != cli.ExitFindings || stderr != "" {
		t.Fatalf("exit %d, stderr %q: want 1 (the demo's critical findings) and nothing on stderr", code, stderr)
	}
	var findings []types.AwsSecurityFinding
	if err := json.Unmarshal([]byte(out), &findings); err != nil {
		t.Fatalf("--format asff is not a JSON array of findings: %v", err)
	}
	var want, got []string
	for _, f := range rep.Findings {
		want = append(want, f.ID)
	}
	for _, f := range findings {
		got = append(got, aws.ToString(f.Id))
		if aws.ToString(f.ProductArn) != "arn:aws:securityhub:us-east-1:123456789012:product/123456789012/default" || f.RecordState != types.RecordStateActive ||
			aws.ToString(f.SchemaVersion) != "2018-10-08" || len(f.Resources) != 1 || f.Severity == nil || f.Severity.Label == "" {
			t.Errorf("finding %s: %+v", aws.ToString(f.Id), f)
		}
	}
	if slices.Sort(want); !slices.Equal(slices.Sorted(slices.Values(got)), want) {
		t.Errorf("asff ids %v, want the JSON report's %v", got, want)
	}

	client := sh.NewFromConfig(awsemu.AWSConfig(shim.URL, "us-east-1"))
	imported, err := client.BatchImportFindings(context.Background(), &sh.BatchImportFindingsInput{Findings: findings})
	if err != nil || aws.ToInt32(imported.FailedCount) != 0 || int(aws.ToInt32(imported.SuccessCount)) != len(findings) {
		t.Fatalf("importing the CLI's output: %v %+v", err, imported)
	}
	read, err := client.GetFindings(context.Background(), &sh.GetFindingsInput{MaxResults: aws.Int32(100)})
	if err != nil || len(read.Findings) != len(findings) {
		t.Fatalf("read back %d findings (%v), want %d", len(read.Findings), err, len(findings))
	}

	// Deploy orders' prod: with the first report as baseline, its undeployed changes are resolved,
	// in the ASFF output as ARCHIVED.
	if _, err := apigateway.NewFromConfig(awsemu.AWSConfig(shim.URL, "us-east-1")).CreateDeployment(context.Background(),
		&apigateway.CreateDeploymentInput{RestApiId: aws.String("orders0001"), StageName: aws.String("prod")}); err != nil {
		t.Fatal(err)
	}
	_, out, _ = run(t, append(scan, "--format", "asff", "--baseline", baseline)...)
	findings = nil
	if err := json.Unmarshal([]byte(out), &findings); err != nil {
		t.Fatal(err)
	}
	archived := 0
	for _, f := range findings {
		if f.RecordState == types.RecordStateArchived {
			archived++
			if f.ProductFields["driftaudit/check"] != "undeployed-changes" || f.ProductFields["driftaudit/change"] != "resolved" {
				t.Errorf("archived %v", f.ProductFields)
			}
		}
	}
	if archived != 3 || len(findings) != len(rep.Findings) {
		t.Errorf("%d findings, %d archived: want %d, 3 archived (orders' undeployed changes)", len(findings), archived, len(rep.Findings))
	}
}
