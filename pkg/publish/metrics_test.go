package publish_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/apigw-drift/driftaudit/pkg/checks"
	"github.com/apigw-drift/driftaudit/pkg/inventory"
	"github.com/apigw-drift/driftaudit/pkg/publish"
	"github.com/apigw-drift/driftaudit/pkg/report"
)

// metricKey names a datum by metric and dimensions, e.g. "Findings{Check=cors,Region=eu-west-1}".
func metricKey(d types.MetricDatum) string {
	var dims []string
	for _, dim := range d.Dimensions {
		dims = append(dims, aws.ToString(dim.Name)+"="+aws.ToString(dim.Value))
	}
	sort.Strings(dims)
	return aws.ToString(d.MetricName) + "{" + strings.Join(dims, ",") + "}"
}

func byKey(t *testing.T, data []types.MetricDatum) map[string]types.MetricDatum {
	t.Helper()
	m := map[string]types.MetricDatum{}
	for _, d := range data {
		k := metricKey(d)
		if _, dup := m[k]; dup {
			t.Errorf("two datums %s", k)
		}
		m[k] = d
	}
	return m
}

func TestMetricData(t *testing.T) {
	all := checks.All()
	perRun := len(all) + 3 + 3
	const (
		eu = "eu-west-1"
		us = "us-east-1"
	)
	oneRegion := []inventory.Region{region(eu, "a1", "a2", "a3")}
	twoRegions := func() []inventory.Region {
		u := region(us, "b1")
		u.Errors = []inventory.ScanError{scanError(us, "b1", inventory.OpGetResources, "TooManyRequestsException")}
		return []inventory.Region{region(eu, "a1", "a2"), u}
	}
	tests := []struct {
		name     string
		rep      *report.Report
		perAPI   bool
		count    int
		want     map[string]float64
		absent   []string
		noRegion bool
		// noFindings says the run (without a Region dimension) publishes no Findings datum.
		noFindings bool
	}{
		{
			name:     "one region, no findings",
			rep:      build(oneRegion),
			count:    len(all) + 3 + 4,
			noRegion: true,
			want: map[string]float64{
				"Findings{Severity=critical}": 0, "Findings{Severity=warning}": 0, "Findings{Severity=info}": 0,
				"ApisScanned{}": 3, "ScanErrors{}": 0, "Complete{}": 1, "ScanDurationSeconds{}": 42.5,
			},
		},
		{
			name: "one region with findings",
			rep: build(oneRegion,
				finding("undeployed-changes", eu, "a1"), finding("undeployed-changes", eu, "a2"),
				finding("missing-options", eu, "a1", checks.Warning), finding("never-deployed", eu, "a3")),
			count:    len(all) + 3 + 4,
			noRegion: true,
			want: map[string]float64{
				"Findings{Check=undeployed-changes}": 2, "Findings{Check=missing-options}": 1, "Findings{Check=never-deployed}": 1,
				"Findings{Check=base-path-gap}": 0, "Findings{Check=stage-behind-latest}": 0,
				"Findings{Severity=critical}": 2, "Findings{Severity=warning}": 1, "Findings{Severity=info}": 1,
				"ApisScanned{}": 3, "ScanErrors{}": 0, "Complete{}": 1,
			},
			absent: []string{"Findings{ApiId=a1,Region=eu-west-1}"},
		},
		{
			name: "one region, incomplete",
			rep: func() *report.Report {
				r := region(eu, "a1")
				r.Errors = []inventory.ScanError{
					scanError(eu, "", inventory.OpGetUsagePlans, "AccessDenied"),
					scanError(eu, "a1", inventory.OpGetStages, "timeout"),
				}
				return build([]inventory.Region{r}, finding("never-deployed", eu, "a1"))
			}(),
			count:      4,
			noRegion:   true,
			want:       map[string]float64{"ApisScanned{}": 1, "ScanErrors{}": 2, "Complete{}": 0},
			noFindings: true,
		},
		{
			name: "one region, nothing read",
			rep: func() *report.Report {
				r := region(eu)
				for _, op := range []string{inventory.OpGetRestApis, inventory.OpGetUsagePlans, inventory.OpGetAPIKeys, inventory.OpGetDomainNames} {
					r.Errors = append(r.Errors, scanError(eu, "", op, "AccessDenied"))
				}
				return build([]inventory.Region{r})
			}(),
			count:      3,
			noRegion:   true,
			want:       map[string]float64{"ScanErrors{}": 4, "Complete{}": 0, "ScanDurationSeconds{}": 42.5},
			absent:     []string{"ApisScanned{}"},
			noFindings: true,
		},
		{
			name: "one region, per API",
			rep: build(oneRegion,
				finding("undeployed-changes", eu, "a1"), finding("stage-behind-latest", eu, "a1"), finding("never-deployed", eu, "a3")),
			perAPI: true,
			count:  len(all) + 3 + 4 + 3,
			want: map[string]float64{
				"Findings{ApiId=a1,Region=eu-west-1}": 2, "Findings{ApiId=a2,Region=eu-west-1}": 0, "Findings{ApiId=a3,Region=eu-west-1}": 1,
				"Findings{Check=undeployed-changes}": 1, "Findings{Check=stage-behind-latest}": 1,
			},
		},
		{
			name: "two regions",
			rep: build(twoRegions(),
				finding("undeployed-changes", eu, "a1"), finding("undeployed-changes", us, "b1"),
				finding("options-missing-cors-headers", us, "b1"), finding("base-path-gap", us, "", checks.Warning)),
			// us-east-1 has a scan error: neither it nor the whole run publishes Findings.
			count:      perRun + 3 + 3 + 1,
			noFindings: true,
			want: map[string]float64{
				"Findings{Check=undeployed-changes,Region=eu-west-1}": 1,
				"Findings{Check=base-path-gap,Region=eu-west-1}":      0,
				"Findings{Region=eu-west-1,Severity=critical}":        1, "Findings{Region=eu-west-1,Severity=warning}": 0,
				"ApisScanned{}": 3, "ApisScanned{Region=eu-west-1}": 2, "ApisScanned{Region=us-east-1}": 1,
				"ScanErrors{}": 1, "ScanErrors{Region=eu-west-1}": 0, "ScanErrors{Region=us-east-1}": 1,
				"Complete{}": 0, "Complete{Region=eu-west-1}": 1, "Complete{Region=us-east-1}": 0,
				"ScanDurationSeconds{}": 42.5,
			},
			absent: []string{"ScanDurationSeconds{Region=eu-west-1}", "Findings{ApiId=b1,Region=us-east-1}",
				"Findings{Check=undeployed-changes,Region=us-east-1}", "Findings{Region=us-east-1,Severity=warning}", "Findings{Severity=critical}"},
		},
		{
			name:       "two regions, per API",
			rep:        build(twoRegions(), finding("undeployed-changes", us, "b1"), finding("stage-behind-latest", us, "b1")),
			perAPI:     true,
			count:      perRun + 3 + 3 + 1 + 2,
			noFindings: true,
			want: map[string]float64{
				"Findings{ApiId=a1,Region=eu-west-1}": 0, "Findings{ApiId=a2,Region=eu-west-1}": 0,
				"Findings{Check=undeployed-changes,Region=eu-west-1}": 0,
			},
			absent: []string{"Findings{ApiId=b1,Region=us-east-1}", "Findings{Check=undeployed-changes,Region=us-east-1}"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := publish.MetricData(tt.rep, publish.MetricOptions{Namespace: "APIGatewayDrift", PerAPI: tt.perAPI}, 42500*time.Millisecond, runAt)
			if len(data) != tt.count {
				t.Errorf("%d datums, want %d", len(data), tt.count)
			}
			got := byKey(t, data)
			for _, c := range all {
				k := "Findings{Check=" + c.ID + "}"
				d, ok := got[k]
				switch {
				case tt.noFindings && ok:
					t.Errorf("an incomplete run publishes %s", k)
				case !tt.noFindings && (!ok || aws.ToFloat64(d.Value) != float64(tt.rep.Summary.ByCheck[c.ID])):
					t.Errorf("%s missing or not %d", k, tt.rep.Summary.ByCheck[c.ID])
				}
			}
			for _, sev := range []string{"critical", "warning", "info"} {
				if _, ok := got["Findings{Severity="+sev+"}"]; ok == tt.noFindings {
					t.Errorf("datum for severity %s published: %t", sev, ok)
				}
			}
			for k, v := range tt.want {
				d, ok := got[k]
				if !ok {
					t.Errorf("no datum %s", k)
					continue
				}
				if aws.ToFloat64(d.Value) != v {
					t.Errorf("%s = %g, want %g", k, aws.ToFloat64(d.Value), v)
				}
			}
			for _, k := range tt.absent {
				if _, ok := got[k]; ok {
					t.Errorf("unexpected datum %s", k)
				}
			}
			for k, d := range got {
				if tt.noRegion && strings.Contains(k, "Region=") {
					t.Errorf("a single-region run has a Region dimension: %s", k)
				}
				if !tt.perAPI && strings.Contains(k, "ApiId=") {
					t.Errorf("per-API datum without PerAPI: %s", k)
				}
				if !aws.ToTime(d.Timestamp).Equal(runAt) {
					t.Errorf("%s stamped %v", k, aws.ToTime(d.Timestamp))
				}
				wantUnit := types.StandardUnitCount
				switch aws.ToString(d.MetricName) {
				case publish.MetricComplete:
					wantUnit = types.StandardUnitNone
				case publish.MetricScanDuration:
					wantUnit = types.StandardUnitSeconds
				}
				if d.Unit != wantUnit {
					t.Errorf("%s unit %s, want %s", k, d.Unit, wantUnit)
				}
			}
		})
	}
}

// TestMetricDataDefaultCount pins the number of custom metrics a default deployment pays for.
func TestMetricDataDefaultCount(t *testing.T) {
	rep := build([]inventory.Region{region("eu-west-1", "a1")}, finding("undeployed-changes", "eu-west-1", "a1"))
	data := publish.MetricData(rep, publish.MetricOptions{Namespace: "APIGatewayDrift"}, time.Second, runAt)
	if want := len(checks.All()) + 3 + 4; len(data) != want {
		t.Errorf("%d datums in the default configuration, want %d", len(data), want)
	}
	if n := len(publish.Batches(data)); n != 1 {
		t.Errorf("%d PutMetricData calls, want 1", n)
	}
}

func numbered(n int, dims func(i int) []types.Dimension) []types.MetricDatum {
	data := make([]types.MetricDatum, n)
	for i := range data {
		data[i] = types.MetricDatum{MetricName: aws.String(publish.MetricFindings), Value: aws.Float64(float64(i)), Timestamp: aws.Time(runAt), Unit: types.StandardUnitCount}
		if dims != nil {
			data[i].Dimensions = dims(i)
		}
	}
	return data
}

// hugeDims are the most CloudWatch allows on one datum: 30 dimensions of 1,024 characters.
func hugeDims(i int) []types.Dimension {
	dims := make([]types.Dimension, 30)
	for j := range dims {
		dims[j] = types.Dimension{Name: aws.String(fmt.Sprintf("D%02d", j)), Value: aws.String(strings.Repeat(string(rune('a'+j%26)), 1020) + fmt.Sprintf("%04d", i%10000))}
	}
	return dims
}

func TestBatches(t *testing.T) {
	tests := []struct {
		name       string
		data       []types.MetricDatum
		wantSizes  []int
		minBatches int
	}{
		{"empty", nil, nil, 0},
		{"one", numbered(1, nil), []int{1}, 1},
		{"a default run", numbered(len(checks.All())+7, nil), []int{len(checks.All()) + 7}, 1},
		{"exactly 1000", numbered(1000, nil), []int{1000}, 1},
		{"1001", numbered(1001, nil), []int{1000, 1}, 2},
		{"2500", numbered(2500, nil), []int{1000, 1000, 500}, 3},
		{"huge dimension values", numbered(200, hugeDims), nil, 7},
		{"huge datums among small ones", numbered(2500, func(i int) []types.Dimension {
			if i%10 == 0 {
				return hugeDims(i)
			}
			return []types.Dimension{{Name: aws.String(publish.DimCheck), Value: aws.String("undeployed-changes")}}
		}), nil, 9},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			batches := publish.Batches(tt.data)
			if len(tt.data) == 0 && len(batches) != 0 {
				t.Fatalf("%d batches for no datum", len(batches))
			}
			if len(batches) < tt.minBatches {
				t.Errorf("%d batches, want at least %d", len(batches), tt.minBatches)
			}
			var sizes []int
			var joined []types.MetricDatum
			for i, b := range batches {
				sizes = append(sizes, len(b))
				joined = append(joined, b...)
				if len(b) == 0 || len(b) > 1000 {
					t.Errorf("batch %d has %d datums", i, len(b))
				}
				js, err := json.Marshal(b)
				if err != nil {
					t.Fatal(err)
				}
				if len(js) > 1_000_000 {
					t.Errorf("batch %d is %d bytes as JSON", i, len(js))
				}
			}
			if tt.wantSizes != nil && !slices.Equal(sizes, tt.wantSizes) {
				t.Errorf("batch sizes %v, want %v", sizes, tt.wantSizes)
			}
			if len(joined) != len(tt.data) {
				t.Fatalf("%d datums in batches, %d given", len(joined), len(tt.data))
			}
			for i := range joined {
				if aws.ToFloat64(joined[i].Value) != float64(i) {
					t.Fatalf("datum %d is datum %g: order not kept", i, aws.ToFloat64(joined[i].Value))
				}
			}
		})
	}
}

type fakeMetrics struct {
	publish.MetricsAPI
	calls  []*cloudwatch.PutMetricDataInput
	failOn int
	err    error
}

func (f *fakeMetrics) PutMetricData(_ context.Context, in *cloudwatch.PutMetricDataInput, _ ...func(*cloudwatch.Options)) (*cloudwatch.PutMetricDataOutput, error) {
	f.calls = append(f.calls, in)
	if len(f.calls) == f.failOn {
		return nil, f.err
	}
	return &cloudwatch.PutMetricDataOutput{}, nil
}

func TestPutMetrics(t *testing.T) {
	throttled := errors.New("ThrottlingException: Rate exceeded")
	tests := []struct {
		name      string
		data      []types.MetricDatum
		failOn    int
		wantCalls int
		wantErr   []string
	}{
		{"nothing to send", nil, 0, 0, nil},
		{"a default run in one call", numbered(len(checks.All())+7, nil), 0, 1, nil},
		{"2500 datums in three calls", numbered(2500, nil), 0, 3, nil},
		{"the first call fails", numbered(10, nil), 1, 1, []string{"Team/Drift", "batch 1 of 1", "10 datums"}},
		{"the second call fails and stops the rest", numbered(2500, nil), 2, 2, []string{"put metric data to Team/Drift", "batch 2 of 3", "1000 datums"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := &fakeMetrics{failOn: tt.failOn, err: throttled}
			err := publish.PutMetrics(context.Background(), fake, "Team/Drift", tt.data)
			if len(fake.calls) != tt.wantCalls {
				t.Errorf("%d calls, want %d", len(fake.calls), tt.wantCalls)
			}
			sent := 0
			for _, in := range fake.calls {
				sent += len(in.MetricData)
				if aws.ToString(in.Namespace) != "Team/Drift" {
					t.Errorf("namespace %q", aws.ToString(in.Namespace))
				}
			}
			if tt.wantErr == nil {
				if err != nil {
					t.Fatal(err)
				}
				if sent != len(tt.data) {
					t.Errorf("%d datums sent, %d given", sent, len(tt.data))
				}
				return
			}
			if !errors.Is(err, throttled) {
				t.Fatalf("error %v does not wrap the client's", err)
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

// recordingTransport answers every request with an empty success and keeps the request bodies,
// so that the size of what the SDK would send is measured without a network.
type recordingTransport struct{ bodies []int }

func (r *recordingTransport) Do(req *http.Request) (*http.Response, error) {
	b, err := io.ReadAll(req.Body)
	if err != nil {
		return nil, err
	}
	r.bodies = append(r.bodies, len(b))
	return &http.Response{
		StatusCode: http.StatusOK,
		Header:     http.Header{"Smithy-Protocol": {"rpc-v2-cbor"}, "Content-Type": {"application/cbor"}},
		Body:       io.NopCloser(bytes.NewReader([]byte{0xa0})),
		Request:    req,
	}, nil
}

// TestBatchesFitTheWire sends batches of the largest datums through the real SDK serializer,
// uncompressed, and checks that no request body passes PutMetricData's 1 MB.
func TestBatchesFitTheWire(t *testing.T) {
	rec := &recordingTransport{}
	client := cloudwatch.New(cloudwatch.Options{
		Region:                    "eu-west-1",
		Credentials:               credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
		HTTPClient:                rec,
		DisableRequestCompression: true,
		RetryMaxAttempts:          1,
	})
	data := numbered(300, hugeDims)
	if err := publish.PutMetrics(context.Background(), client, "APIGatewayDrift", data); err != nil {
		t.Fatal(err)
	}
	if len(rec.bodies) != len(publish.Batches(data)) || len(rec.bodies) < 2 {
		t.Fatalf("%d requests for %d batches", len(rec.bodies), len(publish.Batches(data)))
	}
	for i, n := range rec.bodies {
		if n > 1_000_000 {
			t.Errorf("request %d has a body of %d bytes", i, n)
		}
	}
	t.Logf("request bodies: %v bytes", rec.bodies)
}

// TestMetricDataOrganization: an organization's totals have no Region dimension (it would add
// up accounts) and count the accounts; per-account datums follow the same rule as regions: an
// account not read completely has no Findings datum, only Complete 0 and its ScanErrors.
func TestMetricDataOrganization(t *testing.T) {
	const a, b = "111111111111", "222222222222"
	ra, rb := region("eu-west-1", "a1"), region("us-east-1", "b1")
	ra.Account, rb.Account = a, b
	fa := finding("undeployed-changes", "eu-west-1", "a1")
	fa.AccountID = a
	complete := build([]inventory.Region{ra, rb}, fa)
	data := byKey(t, publish.MetricData(complete, publish.MetricOptions{Organization: true, PerAccount: true}, time.Second, runAt))
	for key, want := range map[string]float64{
		"Findings{Severity=critical}":        1,
		"Findings{Check=undeployed-changes}": 1,
		"AccountsScanned{}":                  2,
		"ApisScanned{}":                      2,
		"Complete{}":                         1,
		"Findings{AccountId=111111111111,Severity=critical}": 1,
		"Findings{AccountId=222222222222,Severity=critical}": 0,
		"Complete{AccountId=222222222222}":                   1,
	} {
		if d, ok := data[key]; !ok || aws.ToFloat64(d.Value) != want {
			t.Errorf("%s = %v (present %v), want %v", key, aws.ToFloat64(d.Value), ok, want)
		}
	}
	for key := range data {
		if strings.Contains(key, "Region=") || strings.Contains(key, "AccountId=") && strings.Contains(key, "Check=") {
			t.Errorf("datum %s: no Region dimension in an organization, and no per-account Check", key)
		}
	}
	if want := len(checks.All()) + 3 + 5 + 2*5; len(data) != want {
		t.Errorf("%d datums for 2 accounts with per-account metrics, want %d (totals + 5 per account)", len(data), want)
	}

	rb.Errors = []inventory.ScanError{{AccountID: b, Region: "us-east-1", Operation: inventory.OpAssumeRole, Message: "denied"}}
	partial := byKey(t, publish.MetricData(build([]inventory.Region{ra, rb}, fa), publish.MetricOptions{Organization: true, PerAccount: true}, time.Second, runAt))
	for _, gone := range []string{"Findings{Severity=critical}", "Findings{AccountId=222222222222,Severity=critical}"} {
		if _, ok := partial[gone]; ok {
			t.Errorf("%s published although account %s was not read", gone, b)
		}
	}
	if d := partial["Findings{AccountId=111111111111,Severity=critical}"]; aws.ToFloat64(d.Value) != 1 {
		t.Error("the account read completely lost its Findings datum")
	}
	if d := partial["Complete{AccountId=222222222222}"]; aws.ToFloat64(d.Value) != 0 {
		t.Error("the unread account is not Complete 0")
	}
}
