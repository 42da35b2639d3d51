package nightly_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/apigw-drift/driftaudit/internal/awsemu"
	"github.com/apigw-drift/driftaudit/pkg/nightly"
	"github.com/apigw-drift/driftaudit/pkg/publish"
	"github.com/apigw-drift/driftaudit/pkg/report"
)

// fakeRuns is a runs bucket in memory that lists one key per page, so that every list is
// paged, and can refuse writes.
type fakeRuns struct {
	mu       sync.Mutex
	objects  map[string][]byte
	putErr   error
	listings int
	// loop makes the page after the second name the first page's token again, as a list
	// that loops.
	loop bool
}

func (f *fakeRuns) PutObject(_ context.Context, in *s3.PutObjectInput, _ ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	if f.putErr != nil {
		return nil, f.putErr
	}
	b, _ := io.ReadAll(in.Body)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.objects[aws.ToString(in.Key)] = b
	return &s3.PutObjectOutput{}, nil
}

func (f *fakeRuns) GetObject(_ context.Context, in *s3.GetObjectInput, _ ...func(*s3.Options)) (*s3.GetObjectOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	b, ok := f.objects[aws.ToString(in.Key)]
	if !ok {
		return nil, &s3types.NoSuchKey{Message: aws.String("The specified key does not exist.")}
	}
	return &s3.GetObjectOutput{Body: io.NopCloser(bytes.NewReader(b))}, nil
}

func (f *fakeRuns) ListObjectsV2(_ context.Context, in *s3.ListObjectsV2Input, _ ...func(*s3.Options)) (*s3.ListObjectsV2Output, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.listings++
	var keys []string
	for k := range f.objects {
		if strings.HasPrefix(k, aws.ToString(in.Prefix)) && k > aws.ToString(in.ContinuationToken) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	out := &s3.ListObjectsV2Output{}
	if len(keys) > 0 {
		out.Contents = []s3types.Object{{Key: aws.String(keys[0])}}
		if len(keys) > 1 {
			out.IsTruncated, out.NextContinuationToken = aws.Bool(true), aws.String(keys[0])
		}
	}
	if f.loop && f.listings == 3 {
		out.IsTruncated, out.NextContinuationToken = aws.Bool(true), aws.String("")
		for k := range f.objects {
			if strings.HasPrefix(k, aws.ToString(in.Prefix)) && (aws.ToString(out.NextContinuationToken) == "" || k < aws.ToString(out.NextContinuationToken)) {
				out.NextContinuationToken = aws.String(k)
			}
		}
	}
	return out, nil
}

// noOrgs fails the test if Organizations is called.
type noOrgs struct{ t *testing.T }

func (n noOrgs) ListAccounts(context.Context, *organizations.ListAccountsInput, ...func(*organizations.Options)) (*organizations.ListAccountsOutput, error) {
	n.t.Error("Organizations was called although ACCOUNTS names the accounts")
	return nil, errors.New("not allowed")
}

// recorder keeps what the join publishes.
type recorder struct {
	datums   []cwtypes.MetricDatum
	messages []*sns.PublishInput
	fail     error
}

func (r *recorder) PutMetricData(_ context.Context, in *cloudwatch.PutMetricDataInput, _ ...func(*cloudwatch.Options)) (*cloudwatch.PutMetricDataOutput, error) {
	r.datums = append(r.datums, in.MetricData...)
	return &cloudwatch.PutMetricDataOutput{}, nil
}

func (r *recorder) Publish(_ context.Context, in *sns.PublishInput, _ ...func(*sns.Options)) (*sns.PublishOutput, error) {
	if r.fail != nil {
		return nil, r.fail
	}
	r.messages = append(r.messages, in)
	return &sns.PublishOutput{}, nil
}

var (
	_ publish.MetricsAPI = (*recorder)(nil)
	_ publish.TopicAPI   = (*recorder)(nil)
)

func fakeHandler(t *testing.T, step string, vars map[string]string, runs *fakeRuns) *nightly.Handler {
	t.Helper()
	env := map[string]string{nightly.EnvStep: step, nightly.EnvRunsBucket: "runs", nightly.EnvRegions: "us-east-1,eu-west-1",
		nightly.EnvReportTopicARN: "arn:aws:sns:us-east-1:123456789012:report"}
	for k, v := range vars {
		env[k] = v
	}
	c, err := nightly.LoadConfig(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	c.Audit.MaxAttempts = 1
	return &nightly.Handler{Config: c, AWS: awsemu.AWSConfig("http://127.0.0.1:9", "us-east-1"), Runs: runs, Organizations: noOrgs{t},
		Logger: slog.New(slog.NewJSONHandler(io.Discard, nil)), Now: func() time.Time { return time.Date(2026, 12, 2, 3, 0, 0, 0, time.UTC) }}
}

// TestPlanWithAccountList: ACCOUNTS replaces Organizations; each account is crossed with each
// region, sorted; a bad trigger time or execution name is an error naming it.
func TestPlanWithAccountList(t *testing.T) {
	runs := &fakeRuns{objects: map[string][]byte{}}
	h := fakeHandler(t, nightly.StepPlan, map[string]string{nightly.EnvAccounts: "222222222222, 111111111111,222222222222"}, runs)
	out, err := h.Plan(context.Background(), json.RawMessage(`{"execution_name": "x", "input": {"scheduled_time": "2026-12-02T03:00:00+01:00"}}`))
	if err != nil {
		t.Fatal(err)
	}
	var items []nightly.Item
	if err := json.Unmarshal(runs.objects[out.Key], &items); err != nil {
		t.Fatal(err)
	}
	want := []nightly.Item{{"111111111111", "eu-west-1"}, {"111111111111", "us-east-1"}, {"222222222222", "eu-west-1"}, {"222222222222", "us-east-1"}}
	if out.RunID != "2026-12-02T02-00-00Z_x" || !slices.Equal(items, want) || out.Accounts != 2 {
		t.Errorf("plan %+v, items %v", out, items)
	}
	for payload, want := range map[string]string{
		`{"execution_name": "x", "input": {"scheduled_time": "tonight"}}`: `scheduled_time "tonight" is not an RFC 3339 time`,
		`{"execution_name": "", "input": {}}`:                             `no execution name to name the run by`,
		`{"execution_name": "x", "input": {}, "extra": 1}`:                `unknown field "extra"`,
	} {
		if _, err := h.Plan(context.Background(), json.RawMessage(payload)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want %q", payload, err, want)
		}
	}
}

// TestScanItemFailsOnlyWhenItsReportCannotBeWritten: a scan that reads nothing (here STS is
// unreachable) is still a report of an incomplete item; a report that cannot be written fails
// the item, so that the map retries it; a malformed item is refused before any call.
func TestScanItemFailsOnlyWhenItsReportCannotBeWritten(t *testing.T) {
	runs := &fakeRuns{objects: map[string][]byte{}}
	h := fakeHandler(t, nightly.StepScan, nil, runs)
	payload := json.RawMessage(`{"run_id": "r1", "account_id": "111111111111", "region": "us-east-1"}`)
	out, err := h.ScanItem(context.Background(), payload)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := report.Decode(bytes.NewReader(runs.objects[out.Key]))
	if err != nil {
		t.Fatal(err)
	}
	if out.Complete || out.Errors != 1 || rep.Summary.Complete || rep.Errors[0].AccountID != "111111111111" || rep.Errors[0].Operation != nightly.OpScan {
		t.Errorf("an item that read nothing: %+v, errors %+v", out, rep.Errors)
	}
	runs.putErr = errors.New("AccessDenied")
	if _, err := h.ScanItem(context.Background(), payload); err == nil || !strings.Contains(err.Error(), "write s3://runs/runs/r1/items/111111111111/us-east-1.json") {
		t.Errorf("a report that cannot be written: %v", err)
	}
	for _, bad := range []string{`{"run_id": "r1", "account_id": "1", "region": "us-east-1"}`, `{"run_id": "../x", "account_id": "111111111111", "region": "us-east-1"}`,
		`{"run_id": "r1", "account_id": "111111111111", "region": "moon"}`} {
		if _, err := h.ScanItem(context.Background(), json.RawMessage(bad)); err == nil || !strings.Contains(err.Error(), "invocation payload") {
			t.Errorf("%s: %v", bad, err)
		}
	}
}

// TestJoinReadsEveryPageAndNamesWhatIsMissing: the join lists the run's items page by page, an
// item of the plan with no report and one whose report is not a report are each an error on
// their account and region, and a failed Publish fails the join (so that Step Functions retries
// it and the failed-executions alarm sees it).
func TestJoinReadsEveryPageAndNamesWhatIsMissing(t *testing.T) {
	runs := &fakeRuns{objects: map[string][]byte{}}
	scan := fakeHandler(t, nightly.StepScan, nil, runs)
	items := []nightly.Item{{"111111111111", "eu-west-1"}, {"111111111111", "us-east-1"}, {"222222222222", "eu-west-1"}, {"222222222222", "us-east-1"}}
	for _, it := range items[:3] {
		if _, err := scan.ScanItem(context.Background(), json.RawMessage(`{"run_id": "r1", "account_id": "`+it.AccountID+`", "region": "`+it.Region+`"}`)); err != nil {
			t.Fatal(err)
		}
	}
	runs.objects["runs/r1/items/222222222222/eu-west-1.json"] = []byte(`{"not": "a report"}`)
	plan, _ := json.Marshal(items)
	runs.objects["runs/r1/plan.json"] = plan

	rec := &recorder{}
	h := fakeHandler(t, nightly.StepJoin, nil, runs)
	h.Metrics, h.Topic = rec, rec
	payload := json.RawMessage(`{"execution_name": "r1", "state": {"plan": {"run_id": "r1", "bucket": "runs", "key": "runs/r1/plan.json", "items": 4, "accounts": 2}}}`)
	out, err := h.Join(context.Background(), payload)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := report.Decode(bytes.NewReader(runs.objects[out.Key]))
	if err != nil {
		t.Fatal(err)
	}
	var errs []string
	for _, e := range rep.Errors {
		errs = append(errs, e.AccountID+" "+e.Region+" "+e.Operation+" "+strings.SplitN(e.Message, ":", 2)[0])
	}
	want := []string{
		"111111111111 eu-west-1 Scan sts", "111111111111 us-east-1 Scan sts", // the items' own errors (STS unreachable)
		"222222222222 eu-west-1 Scan the report cannot be read",
		"222222222222 us-east-1 Scan no report",
	}
	slices.Sort(errs)
	if !slices.Equal(errs, want) {
		t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(errs, "\n"), strings.Join(want, "\n"))
	}
	if runs.listings != 4 {
		t.Errorf("%d list calls, want 4: 3 item reports listed one per page, and the last complete run looked for", runs.listings)
	}
	if out.Complete || len(rec.messages) != 1 || len(rec.datums) == 0 {
		t.Errorf("join %+v, %d messages, %d datums", out, len(rec.messages), len(rec.datums))
	}
	rec.fail = errors.New("AuthorizationError")
	if _, err := h.Join(context.Background(), payload); err == nil || !strings.Contains(err.Error(), "AuthorizationError") {
		t.Errorf("a failed Publish: %v", err)
	}

	// A listing that loops fails the join, rather than calling the reports after the loop
	// missing and their scans failed.
	runs.listings, runs.loop, rec.fail = 0, true, nil
	if _, err := h.Join(context.Background(), payload); err == nil || !strings.Contains(err.Error(), "list s3://runs/runs/r1/items/") ||
		!strings.Contains(err.Error(), "the rest of the list was never read") {
		t.Errorf("a listing that loops: %v", err)
	}
}
