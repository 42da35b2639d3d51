package securityhub_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	sh "github.com/aws/aws-sdk-go-v2/service/securityhub"
	"github.com/aws/aws-sdk-go-v2/service/securityhub/types"

	"github.com/apigw-drift/driftaudit/pkg/checks"
	"github.com/apigw-drift/driftaudit/pkg/report"
	"github.com/apigw-drift/driftaudit/pkg/securityhub"
	"github.com/apigw-drift/driftaudit/pkg/suppress"
)

var (
	baselineAt = time.Date(2026, 11, 26, 3, 0, 0, 0, time.UTC)
	runAt      = time.Date(2026, 11, 27, 3, 0, 0, 0, time.UTC)
)

const acct = "123456789012"

func finding(check string, sev checks.Severity, f checks.Finding) checks.Finding {
	f.Check, f.Severity, f.AccountID = check, sev, acct
	if f.Region == "" {
		f.Region = "eu-west-1"
	}
	if f.Message == "" {
		f.Message = check + " at " + f.APIID
	}
	if f.Remediation == "" {
		f.Remediation = "aws apigateway fix " + f.APIID
	}
	f.ID = checks.Fingerprint(f)
	return f
}

// sample is a report compared with a baseline: one finding of each kind of scope, one suppressed
// and one resolved.
func sample() *report.Report {
	first := baselineAt.Add(-48 * time.Hour)
	standing := finding("undeployed-changes", checks.Critical, checks.Finding{APIID: "orders0001", APIName: "orders", APIType: "REST", Stage: "prod", Path: "/orders", Method: "POST",
		Change: "standing", FirstSeen: &first})
	rep := &report.Report{
		GeneratedAt: runAt,
		Baseline:    &report.BaselineRef{GeneratedAt: baselineAt, Complete: true},
		Findings: []checks.Finding{
			standing,
			finding("missing-options", checks.Critical, checks.Finding{APIID: "web0000001", APIName: "web", APIType: "REST", Path: "/users", Method: "OPTIONS", Change: "new"}),
			finding("undeployed-changes", checks.Critical, checks.Finding{APIID: "carts01", APIName: "carts", APIType: "HTTP", Stage: "prod", Path: "/carts", Method: "POST"}),
			finding("never-deployed", checks.Info, checks.Finding{APIID: "chat01", APIName: "chat", APIType: "WEBSOCKET"}),
			finding("base-path-gap", checks.Critical, checks.Finding{Domain: "partners.example.com", BasePath: "reports", APIID: "reports001", APIType: "REST", Stage: "qa"}),
			finding("unkeyed-usage-plan", checks.Critical, checks.Finding{UsagePlanID: "plan01", UsagePlanName: "gold"}),
			finding("access-logging-disabled", checks.Warning, checks.Finding{APIID: "orders0001", APIName: "orders", APIType: "REST", Stage: "prod"}),
		},
		Suppressed: []suppress.Suppressed{{
			Finding:     finding("waf-not-attached", checks.Info, checks.Finding{APIID: "orders0001", APIType: "REST", Stage: "prod"}),
			Suppression: "internal API behind a VPC endpoint (PLAT-1)",
		}},
		Resolved: []checks.Finding{
			finding("stage-without-deployment", checks.Critical, checks.Finding{APIID: "reports001", APIType: "REST", Stage: "qa", Change: "resolved", FirstSeen: &first}),
		},
	}
	return rep
}

// TestFindingsMapping: each driftaudit finding becomes the ASFF finding the package documents.
func TestFindingsMapping(t *testing.T) {
	rep := sample()
	got, err := securityhub.Findings(rep, securityhub.Options{HubRegion: "us-east-1", FullReport: "in S3, s3://runs/report.json"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 9 {
		t.Fatalf("%d findings, want 9 (7 active, 1 suppressed, 1 resolved)", len(got))
	}
	type want struct {
		label        types.SeverityLabel
		resourceType string
		resourceID   string
		kind         string
		record       types.RecordState
		workflow     types.WorkflowStatus
	}
	arn := "arn:aws:apigateway:eu-west-1::"
	wants := []want{
		{types.SeverityLabelHigh, "AwsApiGatewayStage", arn + "/restapis/orders0001/stages/prod", securityhub.TypeDrift + "/Deployment", types.RecordStateActive, types.WorkflowStatusNew},
		{types.SeverityLabelHigh, "AwsApiGatewayRestApi", arn + "/restapis/web0000001", securityhub.TypeDrift + "/CORS", types.RecordStateActive, types.WorkflowStatusNew},
		{types.SeverityLabelHigh, "AwsApiGatewayV2Stage", arn + "/apis/carts01/stages/prod", securityhub.TypeDrift + "/Deployment", types.RecordStateActive, types.WorkflowStatusNew},
		{types.SeverityLabelLow, "AwsApiGatewayV2Api", arn + "/apis/chat01", securityhub.TypeDrift + "/Deployment", types.RecordStateActive, types.WorkflowStatusNew},
		{types.SeverityLabelHigh, "Other", arn + "/domainnames/partners.example.com", securityhub.TypeDrift + "/Custom Domains", types.RecordStateActive, types.WorkflowStatusNew},
		{types.SeverityLabelHigh, "Other", arn + "/usageplans/plan01", securityhub.TypeDrift + "/Usage Plans", types.RecordStateActive, types.WorkflowStatusNew},
		{types.SeverityLabelMedium, "AwsApiGatewayStage", arn + "/restapis/orders0001/stages/prod", securityhub.TypeHygiene, types.RecordStateActive, types.WorkflowStatusNew},
		{types.SeverityLabelLow, "AwsApiGatewayStage", arn + "/restapis/orders0001/stages/prod", securityhub.TypeHygiene, types.RecordStateActive, types.WorkflowStatusSuppressed},
		{types.SeverityLabelHigh, "AwsApiGatewayStage", arn + "/restapis/reports001/stages/qa", securityhub.TypeDrift + "/Deployment", types.RecordStateArchived, types.WorkflowStatusResolved},
	}
	sources := append(append(append([]checks.Finding{}, rep.Findings...), rep.Suppressed[0].Finding), rep.Resolved...)
	for i, f := range got {
		src, w := sources[i], wants[i]
		name := src.Check + " " + src.APIID
		titles := map[string]string{}
		for _, c := range checks.All() {
			titles[c.ID] = c.Title
		}
		for _, c := range []struct{ field, got, want string }{
			{"Id", aws.ToString(f.Id), src.ID},
			{"SchemaVersion", aws.ToString(f.SchemaVersion), "2018-10-08"},
			{"ProductArn", aws.ToString(f.ProductArn), "arn:aws:securityhub:us-east-1:123456789012:product/123456789012/default"},
			{"GeneratorId", aws.ToString(f.GeneratorId), "driftaudit/" + src.Check},
			{"AwsAccountId", aws.ToString(f.AwsAccountId), acct},
			{"Region", aws.ToString(f.Region), "us-east-1"},
			{"Title", aws.ToString(f.Title), titles[src.Check]},
			{"Description", aws.ToString(f.Description), src.Message},
			{"Recommendation", aws.ToString(f.Remediation.Recommendation.Text), src.Remediation},
			{"Severity", string(f.Severity.Label), string(w.label)},
			{"Severity.Original", aws.ToString(f.Severity.Original), src.Severity.String()},
			{"FindingProviderFields.Severity", string(f.FindingProviderFields.Severity.Label), string(w.label)},
			{"Types", strings.Join(f.Types, ","), w.kind},
			{"FindingProviderFields.Types", strings.Join(f.FindingProviderFields.Types, ","), w.kind},
			{"Resource.Type", aws.ToString(f.Resources[0].Type), w.resourceType},
			{"Resource.Id", aws.ToString(f.Resources[0].Id), w.resourceID},
			{"Resource.Region", aws.ToString(f.Resources[0].Region), "eu-west-1"},
			{"Resource.Partition", string(f.Resources[0].Partition), "aws"},
			{"RecordState", string(f.RecordState), string(w.record)},
			{"Workflow", string(f.Workflow.Status), string(w.workflow)},
			{"ProductFields check", f.ProductFields["driftaudit/check"], src.Check},
			{"UpdatedAt", aws.ToString(f.UpdatedAt), "2026-11-27T03:00:00Z"},
		} {
			if c.got != c.want {
				t.Errorf("%s: %s = %q, want %q", name, c.field, c.got, c.want)
			}
		}
		if len(f.Resources) != 1 {
			t.Errorf("%s: %d resources", name, len(f.Resources))
		}
	}

	// Times: a standing finding was first seen before the baseline; a new one now; a resolved
	// one was last seen by the baseline run.
	for _, c := range []struct {
		i                        int
		created, first, lastSeen string
	}{
		{0, "2026-11-24T03:00:00Z", "2026-11-24T03:00:00Z", "2026-11-27T03:00:00Z"},
		{1, "2026-11-27T03:00:00Z", "2026-11-27T03:00:00Z", "2026-11-27T03:00:00Z"},
		{8, "2026-11-24T03:00:00Z", "2026-11-24T03:00:00Z", "2026-11-26T03:00:00Z"},
	} {
		f := got[c.i]
		if aws.ToString(f.CreatedAt) != c.created || aws.ToString(f.FirstObservedAt) != c.first || aws.ToString(f.LastObservedAt) != c.lastSeen {
			t.Errorf("finding %d: created %s, first observed %s, last observed %s; want %s, %s, %s", c.i,
				aws.ToString(f.CreatedAt), aws.ToString(f.FirstObservedAt), aws.ToString(f.LastObservedAt), c.created, c.first, c.lastSeen)
		}
	}
	if n := got[7].Note; n == nil || aws.ToString(n.Text) != "internal API behind a VPC endpoint (PLAT-1)" || aws.ToString(n.UpdatedBy) != "driftaudit" {
		t.Errorf("the suppressed finding's note: %+v", n)
	}
	if got[7].ProductFields["driftaudit/suppression"] == "" || got[0].ProductFields["driftaudit/change"] != "standing" || got[8].ProductFields["driftaudit/change"] != "resolved" {
		t.Errorf("product fields: %v, %v, %v", got[7].ProductFields, got[0].ProductFields, got[8].ProductFields)
	}
	if o := got[0].Resources[0].Details.Other; o["Path"] != "/orders" || o["Method"] != "POST" || o["ApiName"] != "orders" {
		t.Errorf("the stage finding's details: %v", o)
	}
	if o := got[4].Resources[0].Details.Other; o["DomainName"] != "partners.example.com" || o["BasePath"] != "reports" || o["ApiId"] != "reports001" || o["Stage"] != "qa" {
		t.Errorf("the custom domain finding's details: %v", o)
	}
	if o := got[5].Resources[0].Details.Other; o["UsagePlanId"] != "plan01" || o["UsagePlanName"] != "gold" {
		t.Errorf("the usage plan finding's details: %v", o)
	}
	if d := got[2].Resources[0].Details.AwsApiGatewayV2Stage; d == nil || aws.ToString(d.StageName) != "prod" {
		t.Errorf("the HTTP stage's details: %+v", d)
	}
}

// TestFindingsInTheirOwnRegion: without a hub region each finding goes to its own region's
// Security Hub, in its region's partition.
func TestFindingsInTheirOwnRegion(t *testing.T) {
	rep := &report.Report{GeneratedAt: runAt, Findings: []checks.Finding{
		finding("never-deployed", checks.Info, checks.Finding{APIID: "a1", Region: "cn-north-1"}),
		finding("never-deployed", checks.Info, checks.Finding{APIID: "a2", Region: "us-gov-west-1"}),
		finding("never-deployed", checks.Info, checks.Finding{APIID: "a3", Region: "ap-south-1"}),
	}}
	got, err := securityhub.Findings(rep, securityhub.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []struct{ product, resource string }{
		{"arn:aws-cn:securityhub:cn-north-1:123456789012:product/123456789012/default", "arn:aws-cn:apigateway:cn-north-1::/restapis/a1"},
		{"arn:aws-us-gov:securityhub:us-gov-west-1:123456789012:product/123456789012/default", "arn:aws-us-gov:apigateway:us-gov-west-1::/restapis/a2"},
		{"arn:aws:securityhub:ap-south-1:123456789012:product/123456789012/default", "arn:aws:apigateway:ap-south-1::/restapis/a3"},
	} {
		if p, r := aws.ToString(got[i].ProductArn), aws.ToString(got[i].Resources[0].Id); p != want.product || r != want.resource {
			t.Errorf("finding %d: %s, %s; want %s, %s", i, p, r, want.product, want.resource)
		}
		if aws.ToString(got[i].Region) != rep.Findings[i].Region {
			t.Errorf("finding %d in region %s", i, aws.ToString(got[i].Region))
		}
	}
	// A run without a baseline: created and first observed now.
	if aws.ToString(got[0].CreatedAt) != "2026-11-27T03:00:00Z" || aws.ToString(got[0].FirstObservedAt) != "2026-11-27T03:00:00Z" {
		t.Errorf("times without a baseline: %s, %s", aws.ToString(got[0].CreatedAt), aws.ToString(got[0].FirstObservedAt))
	}
}

// TestFindingsCutToASFFLimits: the description and the fix are cut to Security Hub's lengths at
// a character boundary, the fix with a pointer to the full report; short ones are untouched.
func TestFindingsCutToASFFLimits(t *testing.T) {
	long := strings.Repeat("Évite ", 400) // 2,400 bytes, 2-byte characters
	f := finding("missing-options", checks.Critical, checks.Finding{APIID: "web0000001", Message: long, Remediation: long})
	rep := &report.Report{GeneratedAt: runAt, Findings: []checks.Finding{f}}
	got, err := securityhub.Findings(rep, securityhub.Options{FullReport: "in the JSON report (driftaudit scan --format json)"})
	if err != nil {
		t.Fatal(err)
	}
	desc, fix := aws.ToString(got[0].Description), aws.ToString(got[0].Remediation.Recommendation.Text)
	if len(desc) > securityhub.MaxDescription || !utf8.ValidString(desc) || !strings.HasPrefix(long, strings.TrimSuffix(desc, "…")) {
		t.Errorf("description of %d bytes (valid UTF-8: %t)", len(desc), utf8.ValidString(desc))
	}
	if len(fix) > securityhub.MaxRecommendation || !utf8.ValidString(fix) ||
		!strings.HasSuffix(fix, "the whole fix is in the JSON report (driftaudit scan --format json))") {
		t.Errorf("recommendation of %d bytes: %q", len(fix), fix)
	}
	if len(desc) < securityhub.MaxDescription-4 || len(fix) < securityhub.MaxRecommendation-4 {
		t.Errorf("cut too short: description %d, recommendation %d bytes", len(desc), len(fix))
	}
	for _, c := range []struct {
		in, suffix, want string
		max              int
	}{
		{"short", "", "short", 10},
		{"exactly10!", "", "exactly10!", 10},
		{"abcdefghijk", "", "abcdefg…", 10},
		{"ééééé", "", "éé…", 7}, // 10 bytes into 7: two é (4 bytes) and … (3)
		{"a fix too long", " (more)", "a fix (more)", 12},
	} {
		if got := securityhub.Cut(c.in, c.max, c.suffix); got != c.want || len(got) > c.max {
			t.Errorf("Cut(%q, %d, %q) = %q, want %q", c.in, c.max, c.suffix, got, c.want)
		}
	}
}

// TestFindingsWithoutAnAccount: a finding whose account could not be read cannot be a Security
// Hub finding; it is named in the error, the others are mapped.
func TestFindingsWithoutAnAccount(t *testing.T) {
	ok := finding("never-deployed", checks.Info, checks.Finding{APIID: "a1"})
	lost := ok
	lost.AccountID, lost.APIID = "", "a2"
	lost.ID = checks.Fingerprint(lost)
	got, err := securityhub.Findings(&report.Report{GeneratedAt: runAt, Findings: []checks.Finding{ok, lost}}, securityhub.Options{})
	if len(got) != 1 || aws.ToString(got[0].Id) != ok.ID {
		t.Errorf("mapped %d findings", len(got))
	}
	if err == nil || !strings.Contains(err.Error(), lost.ID) || !strings.Contains(err.Error(), "1 findings left out") {
		t.Errorf("error %v: want it to name %s", err, lost.ID)
	}
}

// TestJSONIsWhatTheSDKSends: the CLI's ASFF JSON (WriteJSON) is, finding for finding, the body the
// SDK's own serializer sends in BatchImportFindings.
func TestJSONIsWhatTheSDKSends(t *testing.T) {
	fs, err := securityhub.Findings(sample(), securityhub.Options{HubRegion: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	var sent []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sent, _ = io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"FailedCount":0,"SuccessCount":9,"FailedFindings":[]}`)
	}))
	defer srv.Close()
	client := sh.NewFromConfig(aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider("AKIAFAKE", "fake", "")})
	if _, err := client.BatchImportFindings(context.Background(), &sh.BatchImportFindingsInput{Findings: fs}); err != nil {
		t.Fatal(err)
	}
	var wire struct{ Findings []any }
	if err := json.Unmarshal(sent, &wire); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := securityhub.WriteJSON(&buf, fs); err != nil {
		t.Fatal(err)
	}
	var ours []any
	if err := json.Unmarshal(buf.Bytes(), &ours); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(ours, wire.Findings) {
		a, _ := json.MarshalIndent(ours[0], "", " ")
		b, _ := json.MarshalIndent(wire.Findings[0], "", " ")
		t.Errorf("WriteJSON differs from the SDK's body; first finding:\nours %s\nsdk  %s", a, b)
	}
}
