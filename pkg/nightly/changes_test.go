package nightly_test

import (
	"context"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	securityhubsdk "github.com/aws/aws-sdk-go-v2/service/securityhub"

	"github.com/apigw-drift/driftaudit/internal/awsemu"
	"github.com/apigw-drift/driftaudit/internal/seed"
	"github.com/apigw-drift/driftaudit/pkg/nightly"
	"github.com/apigw-drift/driftaudit/pkg/report"
)

// TestNightlyRunsSayWhatChanged: four nightly runs of the demo account with a runs bucket and
// Security Hub on.
//  1. The first has no baseline: the report as always, kept in S3 and pointed at as the last
//     complete run.
//  2. After one drift is fixed (orders deployed) and one added (an API never deployed), the
//     subject leads with the change, the report lists the 3 resolved findings,
//     NewFindings/ResolvedFindings are published, and Security Hub holds the 3 archived.
//  3. Nothing changed: with REPORT_ONLY_WHEN_CHANGED no message is sent.
//  4. A run with an API unread is incomplete: it resolves nothing of that API, and the next
//     run still compares with run 3, the last complete one.
func TestNightlyRunsSayWhatChanged(t *testing.T) {
	s := newStack(t, map[string]string{nightly.EnvRunsBucket: runsBucket, nightly.EnvReportOnlyWhenChanged: "true", nightly.EnvSecurityHub: "true"})
	if _, err := s3.NewFromConfig(s.cfg).CreateBucket(s.ctx, &s3.CreateBucketInput{Bucket: aws.String(runsBucket)}); err != nil {
		t.Fatal(err)
	}
	s.handler.Runs = s3.NewFromConfig(s.cfg)
	hub := securityhubsdk.NewFromConfig(s.cfg)
	s.handler.SecurityHub = hub
	s.seed(demo)
	night := func(minute int) {
		t.Helper()
		s.handler.Now = func() time.Time { return time.Date(2026, 11, 27, 3, minute, 0, 0, time.UTC) }
		if err := s.invoke("scheduler-event.json", time.Minute); err != nil && minute != 45 {
			t.Fatalf("run at 03:%02d: %v", minute, err)
		}
	}
	latest := func() (ptr struct{ RunID, Key string }) {
		t.Helper()
		out, err := s3.NewFromConfig(s.cfg).GetObject(s.ctx, &s3.GetObjectInput{Bucket: aws.String(runsBucket), Key: aws.String("runs/latest-complete.json")})
		if err != nil {
			t.Fatal(err)
		}
		defer out.Body.Close()
		var p struct {
			RunID string `json:"run_id"`
			Key   string `json:"key"`
		}
		if err := json.NewDecoder(out.Body).Decode(&p); err != nil {
			t.Fatal(err)
		}
		return struct{ RunID, Key string }{p.RunID, p.Key}
	}
	readReport := func(key string) *report.Report {
		t.Helper()
		out, err := s3.NewFromConfig(s.cfg).GetObject(s.ctx, &s3.GetObjectInput{Bucket: aws.String(runsBucket), Key: aws.String(key)})
		if err != nil {
			t.Fatal(err)
		}
		defer out.Body.Close()
		b, _ := io.ReadAll(out.Body)
		rep, err := report.Decode(strings.NewReader(string(b)))
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}

	night(0)
	if msgs := s.received(); len(msgs) != 1 || msgs[0].Subject != "API Gateway drift: 13 critical, 21 warning, 27 info in 123456789012 us-east-1" {
		t.Fatalf("first run: %+v", msgs)
	}
	if p := latest(); p.RunID != "2026-11-27T03-00-00.000Z" || readReport(p.Key).Baseline != nil {
		t.Fatalf("the first run is not the last complete one: %+v", p)
	}

	ctx := context.Background()
	if _, err := apigateway.NewFromConfig(s.cfg).CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: aws.String("orders0001"), StageName: aws.String("prod")}); err != nil {
		t.Fatal(err)
	}
	b := seed.ForConfig(ctx, s.cfg)
	b.API("sketch", seed.APIOptions{ID: "sketch0001"}).Method("/ideas", "GET", seed.Method{Auth: "AWS_IAM"})
	if err := b.Err(); err != nil {
		t.Fatal(err)
	}
	night(15)
	msgs := s.received()
	if len(msgs) != 1 || !strings.HasPrefix(msgs[0].Subject, "API Gateway drift: ") || !strings.Contains(msgs[0].Subject, "1 new info, 3 resolved (") {
		t.Fatalf("second run: %+v", msgs)
	}
	second := readReport(latest().Key)
	if c := second.Summary.Changes; c == nil || c.New != 1 || c.Resolved != 3 || second.Baseline == nil || !second.Baseline.GeneratedAt.Equal(time.Date(2026, 11, 27, 3, 0, 0, 0, time.UTC)) {
		t.Fatalf("second report's changes %+v, baseline %+v", second.Summary.Changes, second.Baseline)
	}
	if v, ok := s.metric("NewFindings", "Severity", "info"); !ok || v != 1 {
		t.Errorf("NewFindings info = %v (%v), want 1", v, ok)
	}
	if v, ok := s.metric("ResolvedFindings", "Severity", "critical"); !ok || v != 2 {
		t.Errorf("ResolvedFindings critical = %v (%v), want 2 (POST /orders, GET /orders/{id})", v, ok)
	}
	// Security Hub: the resolved findings archived, the new one active, the rest still active.
	states := map[string]string{}
	for _, f := range hubFindings(t, hub) {
		states[aws.ToString(f.Id)] = string(f.RecordState)
	}
	active, archived := 0, 0
	for _, st := range states {
		switch st {
		case "ACTIVE":
			active++
		case "ARCHIVED":
			archived++
		}
	}
	if active != len(second.Findings) || archived != 3 {
		t.Errorf("Security Hub: %d active, %d archived; want the second run's %d active and its 3 resolved archived", active, archived, len(second.Findings))
	}
	for _, f := range second.Resolved {
		if states[f.ID] != "ARCHIVED" {
			t.Errorf("resolved finding %s is %q in Security Hub", f.ID, states[f.ID])
		}
	}

	night(30)
	if msgs := s.received(); len(msgs) != 0 {
		t.Errorf("an unchanged run sent %d messages with %s", len(msgs), nightly.EnvReportOnlyWhenChanged)
	}
	third := latest()

	// orders unread: its findings are neither resolved nor carried as standing.
	s.shim.AddFault(awsemu.Fault{Service: "apigateway", APIID: "reports001", Kind: awsemu.FaultStatus, Status: 403, ErrorType: "AccessDeniedException"})
	night(45)
	s.shim.ClearFaults()
	if p := latest(); p != third {
		t.Errorf("an incomplete run became the last complete one: %+v", p)
	}
	fourth := readReport("runs/2026-11-27T03-45-00.000Z/report.json")
	if fourth.Summary.Complete || len(fourth.Resolved) != 0 || fourth.Summary.Changes.NotRechecked == 0 {
		t.Errorf("the incomplete run: complete %v, resolved %d, changes %+v", fourth.Summary.Complete, len(fourth.Resolved), fourth.Summary.Changes)
	}
	if msgs := s.received(); len(msgs) != 1 || !strings.Contains(msgs[0].Subject, "(incomplete scan)") {
		t.Errorf("the incomplete run's message: %+v", msgs)
	}
}
