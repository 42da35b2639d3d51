package securityhub_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	sh "github.com/aws/aws-sdk-go-v2/service/securityhub"
	"github.com/aws/aws-sdk-go-v2/service/securityhub/types"

	"github.com/apigw-drift/driftaudit/internal/awsemu"
	"github.com/apigw-drift/driftaudit/internal/seed"
	"github.com/apigw-drift/driftaudit/pkg/audit"
	"github.com/apigw-drift/driftaudit/pkg/checks"
	"github.com/apigw-drift/driftaudit/pkg/report"
	"github.com/apigw-drift/driftaudit/pkg/securityhub"
)

// getFindings reads every finding of the account and region, every page.
func getFindings(t *testing.T, client *sh.Client) map[string]types.AwsSecurityFinding {
	t.Helper()
	out := map[string]types.AwsSecurityFinding{}
	p := sh.NewGetFindingsPaginator(client, &sh.GetFindingsInput{MaxResults: aws.Int32(100)})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range page.Findings {
			out[aws.ToString(f.Id)] = f
		}
	}
	return out
}

// TestImportTheDemoAccountThroughMoto: the demo account's findings go through the SDK, the shim
// and moto's BatchImportFindings, and GetFindings reads back each one with its id, severity label,
// resource and state. A second run, after one stage's drift is fixed by deploying it and
// compared with the first, archives exactly that drift's findings and keeps the others active.
func TestImportTheDemoAccountThroughMoto(t *testing.T) {
	ctx := context.Background()
	shim := awsemu.FreshShim(t, moto)
	cfg := awsemu.AWSConfig(shim.URL, "us-east-1")
	if err := seed.Demo(seed.ForConfig(ctx, cfg), time.Sleep); err != nil {
		t.Fatal(err)
	}
	conf := audit.DefaultConfig()
	conf.Regions = []string{"us-east-1"}
	conf.Limits = conf.Limits.Scaled(1000)
	client := sh.NewFromConfig(cfg)
	run := func(at time.Time, prev *report.Report) (*report.Report, []types.AwsSecurityFinding) {
		t.Helper()
		rep, err := audit.Audit(ctx, conf, cfg, at)
		if err != nil {
			t.Fatal(err)
		}
		if prev != nil {
			rep.Compare(prev)
		}
		fs, err := securityhub.Findings(rep, securityhub.Options{HubRegion: "us-east-1"})
		if err != nil {
			t.Fatal(err)
		}
		shim.ResetLog()
		res, err := securityhub.Import(ctx, client, fs)
		if err != nil {
			t.Fatal(err)
		}
		calls := 0
		for _, r := range shim.Requests() {
			if r.Service == "securityhub" && r.Method == "POST" && r.Path == "/findings/import" {
				calls++
			}
		}
		if want := (len(fs) + 99) / 100; res.Calls != want || calls != want || res.Imported != len(fs) {
			t.Errorf("%d findings: %d calls (%d seen by the shim), %d imported; want %d calls", len(fs), res.Calls, calls, res.Imported, want)
		}
		return rep, fs
	}

	first, sent := run(runAt, nil)
	if len(first.Findings) < 50 || len(sent) != len(first.Findings) {
		t.Fatalf("%d findings in the report, %d sent", len(first.Findings), len(sent))
	}
	got := getFindings(t, client)
	if len(got) != len(first.Findings) {
		t.Errorf("Security Hub holds %d findings, the report has %d", len(got), len(first.Findings))
	}
	labels := map[checks.Severity]types.SeverityLabel{checks.Critical: types.SeverityLabelHigh, checks.Warning: types.SeverityLabelMedium, checks.Info: types.SeverityLabelLow}
	resourceTypes := map[string]int{}
	for _, f := range first.Findings {
		h, ok := got[f.ID]
		if !ok {
			t.Errorf("finding %s (%s %s) is not in Security Hub", f.ID, f.Check, f.APIID)
			continue
		}
		if h.Severity == nil || h.Severity.Label != labels[f.Severity] || aws.ToString(h.GeneratorId) != "driftaudit/"+f.Check ||
			aws.ToString(h.AwsAccountId) != "123456789012" || h.RecordState != types.RecordStateActive || len(h.Resources) != 1 {
			t.Errorf("finding %s (%s): read back as %+v", f.ID, f.Check, h)
			continue
		}
		resourceTypes[aws.ToString(h.Resources[0].Type)]++
		if f.Check == "undeployed-changes" && f.APIID == "orders0001" {
			if id := aws.ToString(h.Resources[0].Id); id != "arn:aws:apigateway:us-east-1::/restapis/orders0001/stages/prod" {
				t.Errorf("orders' undeployed change on %s", id)
			}
		}
	}
	// Every kind of scope of the demo: REST stages and APIs, HTTP stages, domains and a usage plan.
	for _, typ := range []string{"AwsApiGatewayStage", "AwsApiGatewayRestApi", "AwsApiGatewayV2Stage", "Other"} {
		if resourceTypes[typ] == 0 {
			t.Errorf("no finding on a resource of type %s: %v", typ, resourceTypes)
		}
	}

	// Fix orders' prod: deploy what was changed. Its undeployed-changes findings are resolved.
	if _, err := apigateway.NewFromConfig(cfg).CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: aws.String("orders0001"), StageName: aws.String("prod")}); err != nil {
		t.Fatal(err)
	}
	second, _ := run(runAt.Add(24*time.Hour), first)
	if len(second.Resolved) != 3 {
		t.Fatalf("deploying orders' prod resolved %d findings, want its 3 undeployed changes", len(second.Resolved))
	}
	archived := map[string]bool{}
	for _, f := range second.Resolved {
		archived[f.ID] = true
		if f.Check != "undeployed-changes" || f.APIID != "orders0001" {
			t.Errorf("resolved %s on %s %s, want only orders' undeployed changes", f.Check, f.APIID, f.Stage)
		}
	}
	got = getFindings(t, client)
	if len(got) != len(first.Findings) {
		t.Errorf("Security Hub holds %d findings after the second run, want %d (the resolved ones archived, not gone)", len(got), len(first.Findings))
	}
	for id, h := range got {
		switch {
		case archived[id] && h.RecordState != types.RecordStateArchived:
			t.Errorf("resolved finding %s is %s", id, h.RecordState)
		case !archived[id] && h.RecordState != types.RecordStateActive:
			t.Errorf("standing finding %s is %s", id, h.RecordState)
		case !archived[id] && aws.ToString(h.FirstObservedAt) != "2026-11-27T03:00:00Z":
			t.Errorf("standing finding %s first observed %s, want the first run's time", id, aws.ToString(h.FirstObservedAt))
		case aws.ToString(h.UpdatedAt) != "2026-11-28T03:00:00Z":
			t.Errorf("finding %s updated %s, want the second run's time", id, aws.ToString(h.UpdatedAt))
		}
	}
}
