package nightly_test

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/apigw-drift/driftaudit/internal/awsemu"
	"github.com/apigw-drift/driftaudit/internal/golden"
	"github.com/apigw-drift/driftaudit/internal/seed"
	"github.com/apigw-drift/driftaudit/pkg/audit"
	"github.com/apigw-drift/driftaudit/pkg/checks"
	"github.com/apigw-drift/driftaudit/pkg/nightly"
	"github.com/apigw-drift/driftaudit/pkg/quota"
)

func demo(b *seed.Builder) error { return seed.Demo(b, time.Sleep) }

// metric reads back the Maximum of one metric of the run, as the alarms do.
func (s *stack) metric(name string, dims ...string) (float64, bool) {
	s.t.Helper()
	in := &cloudwatch.GetMetricStatisticsInput{
		Namespace: aws.String(s.handler.Config.Namespace), MetricName: aws.String(name),
		StartTime: aws.Time(time.Date(2026, 11, 27, 2, 0, 0, 0, time.UTC)), EndTime: aws.Time(time.Date(2026, 11, 27, 4, 0, 0, 0, time.UTC)),
		Period: aws.Int32(3600), Statistics: []cwtypes.Statistic{cwtypes.StatisticMaximum},
	}
	for i := 0; i+1 < len(dims); i += 2 {
		in.Dimensions = append(in.Dimensions, cwtypes.Dimension{Name: aws.String(dims[i]), Value: aws.String(dims[i+1])})
	}
	out, err := cloudwatch.NewFromConfig(s.cfg).GetMetricStatistics(s.ctx, in)
	if err != nil {
		s.t.Fatalf("get %s %v: %v", name, dims, err)
	}
	if len(out.Datapoints) == 0 {
		return 0, false
	}
	return aws.ToFloat64(out.Datapoints[0].Maximum), true
}

func TestNightlyRun(t *testing.T) {
	s := newStack(t, nil)
	s.seed(demo)
	if err := s.invoke("scheduler-event.json", time.Minute); err != nil {
		t.Fatalf("invocation failed: %v", err)
	}

	got := s.received()
	if len(got) != 1 {
		t.Fatalf("%d report messages, want 1", len(got))
	}
	n := got[0]
	if want := "API Gateway drift: 13 critical, 21 warning, 27 info in 123456789012 us-east-1"; n.Subject != want {
		t.Errorf("subject %q, want %q", n.Subject, want)
	}
	for name, want := range map[string]string{"severity": "critical", "critical": "13", "warning": "21", "info": "27", "scan_errors": "0", "complete": "true", "account": "123456789012"} {
		if a := n.MessageAttributes[name]; a.Value != want {
			t.Errorf("attribute %s = %q, want %q", name, a.Value, want)
		}
	}
	inv, err := audit.Scan(s.ctx, s.handler.Config.Audit, s.cfg)
	if err != nil {
		t.Fatal(err)
	}
	golden.Compare(t, "demo-report.golden.txt", golden.Normalize(inv, []byte(n.Message)), *update)

	for _, m := range []struct {
		name string
		dims []string
		want float64
	}{
		{"Findings", []string{"Severity", "critical"}, 13},
		{"Findings", []string{"Severity", "warning"}, 21},
		{"Findings", []string{"Severity", "info"}, 27},
		{"Findings", []string{"Check", "undeployed-changes"}, 6},
		{"Findings", []string{"Check", "base-path-gap"}, 6},
		{"Findings", []string{"Check", "usage-plan-dangling-stage"}, 1},
		{"ApisScanned", nil, 7},
		{"ScanErrors", nil, 0},
		{"Complete", nil, 1},
	} {
		if v, ok := s.metric(m.name, m.dims...); !ok || v != m.want {
			t.Errorf("%s %v = %v (present %t), want %v", m.name, m.dims, v, ok, m.want)
		}
	}
	for _, c := range checks.All() {
		_, ok := s.metric("Findings", "Check", c.ID)
		switch {
		case c.ID == "endpoint-type-not-allowed" && ok:
			// Off without ALLOWED_ENDPOINT_TYPES: it did not run, so it has no count to publish.
			t.Errorf("a Findings datum for %s, which is off without allowed endpoint types", c.ID)
		case c.ID != "endpoint-type-not-allowed" && !ok:
			t.Errorf("no Findings datum for %s: an alarm on it could never return to OK", c.ID)
		}
	}
	if n := s.shim.Counts()["PutMetricData"]; n != 1 {
		t.Errorf("%d PutMetricData calls, want 1", n)
	}
	if !strings.Contains(s.logs.String(), `"msg":"finding"`) || !strings.Contains(s.logs.String(), `"msg":"summary"`) {
		t.Errorf("the full report is not in the logs")
	}
}

func TestDryRunPublishesNothing(t *testing.T) {
	s := newStack(t, nil)
	s.seed(demo)
	s.handler.Now = time.Now
	payload := `{"dry_run": true, "regions": ["us-east-1"]}`
	if err := s.handler.Handle(s.ctx, []byte(payload)); err != nil {
		t.Fatal(err)
	}
	counts := s.shim.Counts()
	if counts["Publish"] != 0 || counts["PutMetricData"] != 0 {
		t.Errorf("a dry run published: %v", counts)
	}
	if !strings.Contains(s.logs.String(), "dry run") || !strings.Contains(s.logs.String(), "undeployed-changes") {
		t.Errorf("a dry run should log its report: %s", s.logs.String())
	}
}

func TestBadPayloadFailsTheInvocation(t *testing.T) {
	s := newStack(t, nil)
	err := s.handler.Handle(s.ctx, []byte(`{"dryrun": true}`))
	if err == nil || !strings.Contains(err.Error(), "dryrun") {
		t.Fatalf("a typo in the payload should fail, naming the field: %v", err)
	}
	if s.shim.Counts()["GetRestApis"] != 0 {
		t.Errorf("a bad payload must not start a scan")
	}
}

func TestFailingSNSStillPublishesMetricsAndFails(t *testing.T) {
	s := newStack(t, nil)
	s.seed(demo)
	s.shim.AddFault(awsemu.Fault{Service: "sns", Operation: "Publish", Kind: awsemu.FaultStatus, Status: 500, ErrorType: "InternalError"})
	err := s.invoke("scheduler-event.json", time.Minute)
	if err == nil || !strings.Contains(err.Error(), "publish the report") {
		t.Fatalf("a failed report must fail the invocation, got %v", err)
	}
	if v, ok := s.metric("Findings", "Severity", "critical"); !ok || v != 13 {
		t.Errorf("metrics must be published even when the report fails: critical = %v (%t)", v, ok)
	}
	if len(s.received()) != 0 {
		t.Errorf("no report should have been delivered")
	}
}

func TestFailingMetricsStillSendsTheReportAndFails(t *testing.T) {
	s := newStack(t, nil)
	s.seed(demo)
	s.shim.AddFault(awsemu.Fault{Service: "monitoring", Operation: "PutMetricData", Kind: awsemu.FaultStatus, Status: 500, ErrorType: "InternalServiceError"})
	err := s.invoke("scheduler-event.json", time.Minute)
	if err == nil || !strings.Contains(err.Error(), "put metric data") {
		t.Fatalf("failed metrics must fail the invocation, got %v", err)
	}
	if len(s.received()) != 1 {
		t.Errorf("the report must be sent even when metrics fail")
	}
}

// TestOversizedReportIsTruncated seeds an API whose 220 CORS resources lack a preflight: the
// report would be well over SNS's 256 KiB, so the message keeps the worst findings that fit.
func TestOversizedReportIsTruncated(t *testing.T) {
	s := newStack(t, nil)
	s.seed(func(b *seed.Builder) error {
		api := b.API("big", seed.APIOptions{ID: "big0000001"})
		for i := range 220 {
			api.Method("/resource-with-a-rather-long-name-"+strings.Repeat("x", 40)+"-"+"/"+strconv.Itoa(i), "GET", seed.Method{AllowOrigin: "'*'"})
		}
		api.Deploy("prod")
		return b.Err()
	})
	if err := s.invoke("scheduler-event.json", 2*time.Minute); err != nil {
		t.Fatal(err)
	}
	got := s.received()
	if len(got) != 1 {
		t.Fatalf("%d messages", len(got))
	}
	body := got[0].Message
	size := len(body) + len(got[0].Subject)
	for name, a := range got[0].MessageAttributes {
		size += len(name) + len(a.Type) + len(a.Value)
	}
	if size > 256*1024 {
		t.Errorf("message is %d bytes with attributes, over 256 KiB", size)
	}
	if !strings.Contains(body, "more finding(s), of lower or equal severity, are left out of this message") ||
		!strings.Contains(body, "CloudWatch Logs") || !strings.Contains(body, "Summary: 220 critical") {
		t.Errorf("a truncated report must say what was left out and where the rest is; tail:\n%s", tail(body, 600))
	}
	t.Logf("report message: %d bytes, %d findings shown of 220", size, strings.Count(body, "CRITICAL missing-options"))
}

// TestDeadlineLeavesTimeToPublish slows every GetResources down so that the scan cannot finish
// before the invocation's deadline minus the publish reserve: the run stops starting work,
// publishes what it has marked incomplete, and returns before the deadline.
func TestDeadlineLeavesTimeToPublish(t *testing.T) {
	s := newStack(t, map[string]string{nightly.EnvPublishReserve: "2s"})
	s.seed(demo)
	s.handler.Config.Audit.Concurrency = 1
	s.handler.Config.Audit.Limits = quota.Limits{}
	s.shim.AddFault(awsemu.Fault{Service: "apigateway", Operation: "GetResources", Kind: awsemu.FaultDelay, Delay: 1500 * time.Millisecond})
	start := time.Now()
	err := s.invoke("scheduler-event.json", 5*time.Second)
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Errorf("the run took %s, past its 5 s deadline", elapsed)
	}
	if err != nil {
		t.Fatalf("an incomplete run is reported, not failed: %v", err)
	}
	got := s.received()
	if len(got) != 1 || got[0].MessageAttributes["complete"].Value != "false" || !strings.Contains(got[0].Subject, "(incomplete scan)") {
		t.Fatalf("want one report marked incomplete, got %+v", got)
	}
	if !strings.Contains(got[0].Message, "not read: context deadline exceeded") {
		t.Errorf("the report should list what was not read:\n%s", tail(got[0].Message, 1500))
	}
	if v, ok := s.metric("Complete"); !ok || v != 0 {
		t.Errorf("Complete = %v (%t), want 0", v, ok)
	}
	assertNoFindingsDatum(t, s)
}

// assertNoFindingsDatum: an incomplete run publishes no Findings datum at all, so that no alarm
// moves on a partial count (the alarms keep their state on missing data).
func assertNoFindingsDatum(t *testing.T, s *stack) {
	t.Helper()
	for _, dims := range [][]string{{"Severity", "critical"}, {"Severity", "warning"}, {"Severity", "info"}, {"Check", "undeployed-changes"}, {"Check", "base-path-gap"}} {
		if v, ok := s.metric("Findings", dims...); ok {
			t.Errorf("an incomplete run published Findings %v = %v", dims, v)
		}
	}
}

// TestNothingReadLeavesFindingsUntouched: with every API Gateway call denied the run reads
// nothing (its five region-wide lists are denied). It fails the invocation, and publishes only Complete = 0, ScanErrors and the
// duration: no Findings datum that could return CriticalFindingsAlarm to OK, and no ApisScanned.
func TestNothingReadLeavesFindingsUntouched(t *testing.T) {
	s := newStack(t, nil)
	s.seed(demo)
	s.shim.AddFault(awsemu.Fault{Service: "apigateway", Kind: awsemu.FaultStatus, Status: 403, ErrorType: "AccessDeniedException"})
	err := s.invoke("scheduler-event.json", time.Minute)
	if !errors.Is(err, audit.ErrNothingScanned) {
		t.Fatalf("a run that read nothing must fail the invocation: %v", err)
	}
	assertNoFindingsDatum(t, s)
	if v, ok := s.metric("ApisScanned"); ok {
		t.Errorf("ApisScanned = %v published, although no API list was read", v)
	}
	for name, want := range map[string]float64{"Complete": 0, "ScanErrors": 5} {
		if v, ok := s.metric(name); !ok || v != want {
			t.Errorf("%s = %v (present %t), want %v", name, v, ok, want)
		}
	}
	if _, ok := s.metric("ScanDurationSeconds"); !ok {
		t.Errorf("no ScanDurationSeconds datum")
	}
}

// TestMetricsOnlyForChecksThatRan: DISABLED_CHECKS=hygiene removes the hygiene checks' metrics,
// as the README says, and keeps every other check's.
func TestMetricsOnlyForChecksThatRan(t *testing.T) {
	s := newStack(t, map[string]string{nightly.EnvDisabledChecks: "hygiene"})
	s.seed(demo)
	if err := s.invoke("scheduler-event.json", time.Minute); err != nil {
		t.Fatal(err)
	}
	for _, c := range checks.All() {
		_, ok := s.metric("Findings", "Check", c.ID)
		if want := c.Family != "hygiene"; ok != want {
			t.Errorf("Findings{Check=%s} published %t, want %t", c.ID, ok, want)
		}
	}
}

func TestReportOnlyWithFindings(t *testing.T) {
	s := newStack(t, map[string]string{nightly.EnvReportOnlyWithFindings: "true"})
	s.seed(func(b *seed.Builder) error {
		api := b.API("fine", seed.APIOptions{ID: "fine000001"})
		api.Method("/x", "GET", seed.Method{Auth: "AWS_IAM"})
		api.Deploy("prod")
		api.Configure("prod", seed.Hygienic(region))
		return b.Err()
	})
	if err := s.invoke("scheduler-event.json", time.Minute); err != nil {
		t.Fatal(err)
	}
	if n := len(s.received()); n != 0 {
		t.Errorf("an all-clear run sent %d reports with %s=true", n, nightly.EnvReportOnlyWithFindings)
	}
	if v, ok := s.metric("Complete"); !ok || v != 1 {
		t.Errorf("metrics are published on every run: Complete = %v (%t)", v, ok)
	}
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[len(s)-n:]
}

// TestThrottledPublishingIsRetried: SNS and CloudWatch answering "slow down" a few times is
// absorbed by the SDK's bounded retries; the run succeeds and publishes once.
func TestThrottledPublishingIsRetried(t *testing.T) {
	s := newStack(t, nil)
	s.seed(demo)
	s.shim.AddFault(awsemu.Fault{Service: "sns", Operation: "Publish", Kind: awsemu.FaultThrottle, Count: 2})
	s.shim.AddFault(awsemu.Fault{Service: "monitoring", Operation: "PutMetricData", Kind: awsemu.FaultThrottle, Count: 2})
	if err := s.invoke("scheduler-event.json", time.Minute); err != nil {
		t.Fatalf("throttling that clears must not fail the run: %v", err)
	}
	if n := len(s.received()); n != 1 {
		t.Errorf("%d reports delivered, want 1", n)
	}
	if got := s.shim.Counts(); got["Publish"] != 3 || got["PutMetricData"] != 3 {
		t.Errorf("want 2 throttled attempts and 1 success of each, got Publish %d, PutMetricData %d", got["Publish"], got["PutMetricData"])
	}
}

// TestRetriedInvocationDoesNotDoubleCount: Lambda retries a failed invocation, which publishes
// the same run's metrics again. Alarms read Maximum, which a second identical datum leaves
// as it was.
func TestRetriedInvocationDoesNotDoubleCount(t *testing.T) {
	s := newStack(t, nil)
	s.seed(demo)
	for range 2 {
		if err := s.invoke("scheduler-event.json", time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	if v, ok := s.metric("Findings", "Severity", "critical"); !ok || v != 13 {
		t.Errorf("critical after two identical runs: Maximum %v, want 13", v)
	}
	if v, ok := s.metric("Complete"); !ok || v != 1 {
		t.Errorf("Complete after two runs: %v", v)
	}
}
