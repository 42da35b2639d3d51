package awsemu

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/schemas"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/smithy-go"
	smithycbor "github.com/aws/smithy-go/encoding/cbor"
	"github.com/aws/smithy-go/transport/http/protocol/awsquery"
)

// cw is a default CloudWatch client: rpcv2Cbor, as production code builds it.
func cw(s *Shim) *cloudwatch.Client {
	return cloudwatch.NewFromConfig(AWSConfig(s.URL, region))
}

// cwNoRetry is cw with retries off through aws.Config.Retryer, so a test sees the first error.
func cwNoRetry(s *Shim) *cloudwatch.Client {
	cfg := AWSConfig(s.URL, region)
	cfg.Retryer = func() aws.Retryer { return aws.NopRetryer{} }
	return cloudwatch.NewFromConfig(cfg)
}

func dims(kv ...string) []types.Dimension {
	var d []types.Dimension
	for i := 0; i+1 < len(kv); i += 2 {
		d = append(d, types.Dimension{Name: aws.String(kv[i]), Value: aws.String(kv[i+1])})
	}
	return d
}

func dimString(ds []types.Dimension) string {
	parts := make([]string, 0, len(ds))
	for _, d := range ds {
		parts = append(parts, aws.ToString(d.Name)+"="+aws.ToString(d.Value))
	}
	slices.Sort(parts)
	return strings.Join(parts, ",")
}

func TestCloudWatchPutMetricDataAndStatistics(t *testing.T) {
	s, _ := setup(t)
	c := cw(s)
	ctx := t.Context()
	now := time.Now().UTC().Truncate(time.Second)

	// 300 datums: Latency of stages prod, beta and dev, each with the values 1..100 (x10 for beta).
	var data []types.MetricDatum
	for k, stage := range []string{"prod", "beta", "dev"} {
		for i := 1; i <= 100; i++ {
			v := float64(i)
			if k == 1 {
				v *= 10
			}
			data = append(data, types.MetricDatum{
				MetricName: aws.String("Latency"),
				Dimensions: dims("ApiId", "abc123", "Stage", stage),
				Value:      aws.Float64(v),
				Unit:       types.StandardUnitMilliseconds,
				Timestamp:  aws.Time(now.Add(-time.Duration(i) * time.Second)),
			})
		}
	}
	_, err := c.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String("Drift/Test"), MetricData: data})
	check(t, err)

	reqs := s.MetricDataRequests()
	if len(reqs) != 1 {
		t.Fatalf("MetricDataRequests() = %+v, want 1 request", reqs)
	}
	r := reqs[0]
	if r.Datums != 300 || r.Values != 300 || r.Namespace != "Drift/Test" || r.Region != region ||
		r.Status != http.StatusOK || r.Injected {
		t.Errorf("recorded %+v", r)
	}
	// The SDK gzips PutMetricData bodies from RequestMinCompressSizeBytes on (10 KiB when
	// config.LoadDefaultConfig sets it; AWSConfig leaves it 0, so every body is gzipped).
	if !r.Compressed || r.Bytes < 10<<10 || r.WireBytes >= r.Bytes {
		t.Errorf("want a gzipped body, smaller on the wire than decompressed: %+v", r)
	}
	if got := s.CountsFor("monitoring")["PutMetricData"]; got != 1 {
		t.Errorf("CountsFor(monitoring)[PutMetricData] = %d, want 1", got)
	}

	stats := func(stage string) types.Datapoint {
		t.Helper()
		out, err := c.GetMetricStatistics(ctx, &cloudwatch.GetMetricStatisticsInput{
			Namespace:  aws.String("Drift/Test"),
			MetricName: aws.String("Latency"),
			Dimensions: dims("ApiId", "abc123", "Stage", stage),
			StartTime:  aws.Time(now.Add(-time.Hour)),
			EndTime:    aws.Time(now.Add(time.Hour)),
			Period:     aws.Int32(3600),
			Statistics: []types.Statistic{types.StatisticMaximum, types.StatisticSum, types.StatisticSampleCount},
		})
		check(t, err)
		if aws.ToString(out.Label) != "Latency" || len(out.Datapoints) != 1 {
			t.Fatalf("stage %s: label %q, datapoints %+v", stage, aws.ToString(out.Label), out.Datapoints)
		}
		return out.Datapoints[0]
	}
	for stage, want := range map[string][3]float64{"prod": {100, 5050, 100}, "beta": {1000, 50500, 100}} {
		dp := stats(stage)
		got := [3]float64{aws.ToFloat64(dp.Maximum), aws.ToFloat64(dp.Sum), aws.ToFloat64(dp.SampleCount)}
		if got != want {
			t.Errorf("stage %s: Maximum, Sum, SampleCount = %v, want %v", stage, got, want)
		}
		if dp.Unit != types.StandardUnitMilliseconds || dp.Timestamp == nil || dp.Minimum != nil || dp.Average != nil {
			t.Errorf("stage %s: datapoint %+v", stage, dp)
		}
		if ts := aws.ToTime(dp.Timestamp); ts.Before(now.Add(-time.Hour)) || ts.After(now) {
			t.Errorf("stage %s: timestamp %v", stage, ts)
		}
	}
}

func TestCloudWatchStatisticValuesAndCounts(t *testing.T) {
	s, _ := setup(t)
	c := cw(s)
	ctx := t.Context()
	now := time.Now().UTC().Truncate(time.Second)
	_, err := c.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String("N"), MetricData: []types.MetricDatum{
		{MetricName: aws.String("M"), Dimensions: dims("A", "1"), Values: []float64{1, 2, 3}, Counts: []float64{1, 2, 3},
			Unit: types.StandardUnitCount, Timestamp: aws.Time(now.Add(-20 * time.Second)), StorageResolution: aws.Int32(1)},
		{MetricName: aws.String("M"), Dimensions: dims("A", "1"), Unit: types.StandardUnitCount, Timestamp: aws.Time(now.Add(-10 * time.Second)),
			StatisticValues: &types.StatisticSet{Minimum: aws.Float64(0.5), Maximum: aws.Float64(50), Sum: aws.Float64(100), SampleCount: aws.Float64(4)}},
	}})
	check(t, err)
	if r := s.MetricDataRequests(); len(r) != 1 || r[0].Datums != 2 || r[0].Values != 4 {
		t.Errorf("recorded %+v", r)
	}
	out, err := c.GetMetricStatistics(ctx, &cloudwatch.GetMetricStatisticsInput{
		Namespace: aws.String("N"), MetricName: aws.String("M"), Dimensions: dims("A", "1"),
		StartTime: aws.Time(now.Add(-time.Hour)), EndTime: aws.Time(now.Add(time.Hour)), Period: aws.Int32(3600),
		Statistics: []types.Statistic{types.StatisticMinimum, types.StatisticMaximum, types.StatisticSum,
			types.StatisticSampleCount, types.StatisticAverage},
		Unit: types.StandardUnitCount,
	})
	check(t, err)
	if len(out.Datapoints) != 1 {
		t.Fatalf("datapoints %+v", out.Datapoints)
	}
	dp := out.Datapoints[0]
	got := []float64{aws.ToFloat64(dp.Minimum), aws.ToFloat64(dp.Maximum), aws.ToFloat64(dp.Sum),
		aws.ToFloat64(dp.SampleCount), aws.ToFloat64(dp.Average)}
	// Values 1, 2x2, 3x3 (count 6, sum 14) and a statistic set (count 4, sum 100).
	if want := []float64{0.5, 50, 114, 10, 11.4}; !slices.Equal(got, want) {
		t.Errorf("Minimum, Maximum, Sum, SampleCount, Average = %v, want %v", got, want)
	}
}

func TestCloudWatchListMetrics(t *testing.T) {
	s, _ := setup(t)
	c := cw(s)
	ctx := t.Context()
	put := func(ns, name string, d []types.Dimension) {
		t.Helper()
		_, err := c.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String(ns),
			MetricData: []types.MetricDatum{{MetricName: aws.String(name), Dimensions: d, Value: aws.Float64(1)}}})
		check(t, err)
	}
	put("Drift", "Drifted", dims("ApiId", "a1", "Stage", "prod"))
	put("Drift", "Drifted", dims("Stage", "prod", "ApiId", "a1")) // the same metric
	put("Drift", "Drifted", dims("ApiId", "a1", "Stage", "beta"))
	put("Drift", "Drifted", dims("ApiId", "a2", "Stage", "prod"))
	put("Drift", "Scanned", dims("ApiId", "a1"))
	put("Drift", "Scanned", dims("ApiId", "a1"))
	put("Drift", "Errors", nil)
	put("Other", "Drifted", dims("ApiId", "a1"))

	list := func(in *cloudwatch.ListMetricsInput) []string {
		t.Helper()
		out, err := c.ListMetrics(ctx, in)
		check(t, err)
		if out.NextToken != nil {
			t.Errorf("NextToken %q on a short list", *out.NextToken)
		}
		var got []string
		for _, m := range out.Metrics {
			got = append(got, aws.ToString(m.Namespace)+" "+aws.ToString(m.MetricName)+" "+dimString(m.Dimensions))
		}
		slices.Sort(got)
		return got
	}
	got := list(&cloudwatch.ListMetricsInput{
		Namespace:  aws.String("Drift"),
		Dimensions: []types.DimensionFilter{{Name: aws.String("ApiId"), Value: aws.String("a1")}},
	})
	want := []string{
		"Drift Drifted ApiId=a1,Stage=beta",
		"Drift Drifted ApiId=a1,Stage=prod",
		"Drift Scanned ApiId=a1",
	}
	if !slices.Equal(got, want) {
		t.Errorf("ListMetrics(Drift, ApiId=a1) =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	got = list(&cloudwatch.ListMetricsInput{
		MetricName: aws.String("Drifted"),
		Dimensions: []types.DimensionFilter{{Name: aws.String("Stage")}},
	})
	want = []string{
		"Drift Drifted ApiId=a1,Stage=beta",
		"Drift Drifted ApiId=a1,Stage=prod",
		"Drift Drifted ApiId=a2,Stage=prod",
	}
	if !slices.Equal(got, want) {
		t.Errorf("ListMetrics(Drifted, Stage) =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestCloudWatchListMetricsPaging: moto pages ListMetrics by 500, and NextToken travels both ways.
func TestCloudWatchListMetricsPaging(t *testing.T) {
	s, _ := setup(t)
	c := cw(s)
	ctx := t.Context()
	for batch := range 2 {
		var data []types.MetricDatum
		for i := range 300 {
			data = append(data, types.MetricDatum{MetricName: aws.String(fmt.Sprintf("m%03d", batch*300+i)), Value: aws.Float64(1)})
		}
		_, err := c.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String("Paged"), MetricData: data})
		check(t, err)
	}
	var pages []int
	names := map[string]bool{}
	p := cloudwatch.NewListMetricsPaginator(c, &cloudwatch.ListMetricsInput{Namespace: aws.String("Paged")})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		check(t, err)
		pages = append(pages, len(out.Metrics))
		for _, m := range out.Metrics {
			names[aws.ToString(m.MetricName)] = true
		}
	}
	if !slices.Equal(pages, []int{500, 100}) || len(names) != 600 {
		t.Errorf("pages %v, %d distinct names; want [500 100], 600", pages, len(names))
	}
}

func TestCloudWatchGetMetricData(t *testing.T) {
	s, _ := setup(t)
	c := cw(s)
	ctx := t.Context()
	start := time.Now().UTC().Truncate(time.Minute).Add(-10 * time.Minute)
	var data []types.MetricDatum
	for i := range 3 { // minutes 1, 2, 3 after start get 1, 2, 3 datums of value 10*(i+1)
		for range i + 1 {
			data = append(data, types.MetricDatum{MetricName: aws.String("Drifted"), Dimensions: dims("ApiId", "a1"),
				Value: aws.Float64(float64(10 * (i + 1))), Timestamp: aws.Time(start.Add(time.Duration(i+1)*time.Minute + 5*time.Second))})
		}
	}
	_, err := c.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String("Drift"), MetricData: data})
	check(t, err)
	stat := func(id, stat string) types.MetricDataQuery {
		return types.MetricDataQuery{Id: aws.String(id), MetricStat: &types.MetricStat{
			Metric: &types.Metric{Namespace: aws.String("Drift"), MetricName: aws.String("Drifted"), Dimensions: dims("ApiId", "a1")},
			Period: aws.Int32(60), Stat: aws.String(stat)}}
	}
	q2 := stat("count", "SampleCount")
	q2.Label = aws.String("how many")
	out, err := c.GetMetricData(ctx, &cloudwatch.GetMetricDataInput{
		StartTime:         aws.Time(start),
		EndTime:           aws.Time(start.Add(10 * time.Minute)),
		ScanBy:            types.ScanByTimestampAscending,
		MetricDataQueries: []types.MetricDataQuery{stat("sum", "Sum"), q2},
	})
	check(t, err)
	if len(out.MetricDataResults) != 2 {
		t.Fatalf("results %+v", out.MetricDataResults)
	}
	for i, want := range []struct {
		id, label string
		values    []float64
	}{{"sum", "Drifted Sum", []float64{10, 40, 90}}, {"count", "how many", []float64{1, 2, 3}}} {
		r := out.MetricDataResults[i]
		var ts []time.Time
		for j := range 3 {
			ts = append(ts, start.Add(time.Duration(j+1)*time.Minute))
		}
		if aws.ToString(r.Id) != want.id || aws.ToString(r.Label) != want.label || !slices.Equal(r.Values, want.values) ||
			r.StatusCode != types.StatusCodeComplete || !slices.EqualFunc(r.Timestamps, ts, time.Time.Equal) {
			t.Errorf("result %d = {%s %q %v %v %s}, want {%s %q %v %v Complete}", i, aws.ToString(r.Id), aws.ToString(r.Label),
				r.Values, r.Timestamps, r.StatusCode, want.id, want.label, want.values, ts)
		}
	}
}

// TestCloudWatchMotoErrors: moto's query-protocol errors reach the SDK as the modelled types,
// with the query error code, as AWS's awsQueryCompatible rpcv2Cbor errors do.
func TestCloudWatchMotoErrors(t *testing.T) {
	s, _ := setup(t)
	c := cwNoRetry(s)
	ctx := t.Context()
	_, err := c.GetMetricStatistics(ctx, &cloudwatch.GetMetricStatisticsInput{
		Namespace: aws.String("x"), MetricName: aws.String("y"), Period: aws.Int32(60),
		StartTime: aws.Time(time.Now().Add(-time.Hour)), EndTime: aws.Time(time.Now()),
	}) // neither Statistics nor ExtendedStatistics
	var ipc *types.InvalidParameterCombinationException
	if !errors.As(err, &ipc) {
		t.Fatalf("err = %v (%T), want InvalidParameterCombinationException", err, err)
	}
	if code, status := apiError(t, err); code != "InvalidParameterCombination" || status != 400 ||
		ipc.ErrorFault() != smithy.FaultClient || !strings.Contains(ipc.ErrorMessage(), "Statistics") {
		t.Errorf("got %s/%d %q", code, status, ipc.ErrorMessage())
	}

	_, err = c.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String("x"), MetricData: []types.MetricDatum{
		{MetricName: aws.String("y"), Values: []float64{1, 2}, Counts: []float64{1}},
	}})
	var ipv *types.InvalidParameterValueException
	if !errors.As(err, &ipv) {
		t.Fatalf("err = %v (%T), want InvalidParameterValueException", err, err)
	}
	if code, status := apiError(t, err); code != "InvalidParameterValue" || status != 400 {
		t.Errorf("got %s/%d", code, status)
	}
	if r := s.MetricDataRequests(); len(r) != 1 || r[0].Status != 400 || r[0].Injected {
		t.Errorf("recorded %+v", r)
	}
}

func TestCloudWatchFaults(t *testing.T) {
	s, _ := setup(t)
	nr := cwNoRetry(s)
	ctx := t.Context()
	put := func(c *cloudwatch.Client) error {
		_, err := c.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String("F"),
			MetricData: []types.MetricDatum{{MetricName: aws.String("m"), Value: aws.Float64(1)}}})
		return err
	}

	s.AddFault(Fault{Service: "monitoring", Operation: "PutMetricData", Status: 500, Count: 1})
	err := put(nr)
	if code, status := apiError(t, err); code != "InternalFailure" || status != 500 {
		t.Errorf("FaultStatus 500: got %s/%d, want InternalFailure/500", code, status)
	}
	var ae smithy.APIError
	if errors.As(err, &ae) && ae.ErrorFault() != smithy.FaultServer {
		t.Errorf("FaultStatus 500: fault %v, want server", ae.ErrorFault())
	}

	// A modelled error, named by its query code, comes back typed.
	s.AddFault(Fault{Operation: "PutMetricData", Status: 500, ErrorType: "InternalServiceError", Message: "boom", Count: 1})
	var isf *types.InternalServiceFault
	if err := put(nr); !errors.As(err, &isf) || isf.ErrorCode() != "InternalServiceError" || isf.ErrorMessage() != "boom" {
		t.Errorf("err = %v (%T), want InternalServiceFault InternalServiceError boom", err, err)
	}

	s.AddFault(Fault{Operation: "PutMetricData", Kind: FaultThrottle, Count: 1})
	err = put(nr)
	if code, status := apiError(t, err); code != "Throttling" || status != 400 {
		t.Errorf("FaultThrottle: got %s/%d, want Throttling/400", code, status)
	}
	if !(retry.ThrottleErrorCode{Codes: retry.DefaultThrottleErrorCodes}).IsErrorThrottle(err).Bool() {
		t.Errorf("FaultThrottle: %v is not a throttle to the SDK's retryer", err)
	}
	if s.Throttled() != 1 {
		t.Errorf("Throttled() = %d", s.Throttled())
	}

	// The default retryer rides throttling out; every attempt is recorded.
	s.ResetLog()
	s.AddFault(Fault{Operation: "PutMetricData", Kind: FaultThrottle, Count: 2})
	check(t, put(cw(s)))
	var statuses []int
	for _, r := range s.MetricDataRequests() {
		statuses = append(statuses, r.Status)
		if r.Datums != 1 || r.Injected != (r.Status != 200) {
			t.Errorf("recorded %+v", r)
		}
	}
	if !slices.Equal(statuses, []int{400, 400, 200}) {
		t.Errorf("attempts answered %v, want [400 400 200]", statuses)
	}

	// A malformed answer is a deserialization error, not a success.
	s.AddFault(Fault{Operation: "ListMetrics", Kind: FaultMalformed, Count: 1})
	_, err = nr.ListMetrics(ctx, &cloudwatch.ListMetricsInput{})
	var de *smithy.DeserializationError
	if !errors.As(err, &de) {
		t.Errorf("FaultMalformed: err = %v (%T), want a DeserializationError", err, err)
	}
}

// TestCloudWatchUnsupportedOperation: an operation the shim does not translate gets a clear
// rpcv2Cbor error at once, not moto's HTML 404.
func TestCloudWatchUnsupportedOperation(t *testing.T) {
	s, _ := setup(t)
	_, err := cwNoRetry(s).DescribeAlarms(t.Context(), &cloudwatch.DescribeAlarmsInput{})
	code, status := apiError(t, err)
	if code != "UnsupportedOperation" || status != 400 || !strings.Contains(err.Error(), "DescribeAlarms") {
		t.Errorf("got %s/%d: %v", code, status, err)
	}

	// On the wire: a CBOR map with __type and message, and the protocol header.
	req, err := http.NewRequest(http.MethodPost, s.URL+"/service/GraniteServiceVersion20100801/operation/DescribeAlarms",
		bytes.NewReader(smithycbor.Encode(smithycbor.Map{})))
	check(t, err)
	req.Header.Set("Authorization", sigv4("monitoring", region))
	req.Header.Set("Smithy-Protocol", "rpc-v2-cbor")
	req.Header.Set("Content-Type", "application/cbor")
	resp, err := http.DefaultClient.Do(req)
	check(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	check(t, err)
	v, err := smithycbor.Decode(body)
	check(t, err)
	m, _ := v.(smithycbor.Map)
	if resp.Header.Get("Smithy-Protocol") != "rpc-v2-cbor" || resp.Header.Get("Content-Type") != "application/cbor" ||
		m["__type"] != smithycbor.String("UnsupportedOperation") || m["message"] == nil {
		t.Errorf("answer %d %v: %#v", resp.StatusCode, resp.Header, v)
	}
}

// captureTransport answers every request with an empty 200 and keeps the body, decompressed.
type captureTransport struct{ body []byte }

func (c *captureTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	var rd io.Reader = r.Body
	if r.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(r.Body)
		if err != nil {
			return nil, err
		}
		rd = zr
	}
	b, err := io.ReadAll(rd)
	if err != nil {
		return nil, err
	}
	c.body = b
	return &http.Response{StatusCode: 200, Header: http.Header{"Smithy-Protocol": {"rpc-v2-cbor"}},
		Body: io.NopCloser(strings.NewReader("")), Request: r}, nil
}

// TestCloudWatchQueryTranslation: the form the shim makes of a CBOR request is the one the
// SDK's own awsQuery client sends for the same input.
func TestCloudWatchQueryTranslation(t *testing.T) {
	ts := time.Date(2026, 3, 4, 5, 6, 7, 890e6, time.UTC)
	input := &cloudwatch.PutMetricDataInput{Namespace: aws.String("Drift/Test"), MetricData: []types.MetricDatum{
		{MetricName: aws.String("a"), Dimensions: dims("ApiId", "x1", "Stage", "prod"), Value: aws.Float64(1.25),
			Unit: types.StandardUnitMilliseconds, Timestamp: aws.Time(ts), StorageResolution: aws.Int32(1)},
		{MetricName: aws.String("b"), Values: []float64{1, 2.5, -3}, Counts: []float64{1, 2, 3}},
		{MetricName: aws.String("c"), StatisticValues: &types.StatisticSet{Minimum: aws.Float64(0), Maximum: aws.Float64(9),
			Sum: aws.Float64(10), SampleCount: aws.Float64(3)}, Dimensions: []types.Dimension{}},
	}}
	send := func(optFns ...func(*cloudwatch.Options)) []byte {
		capture := &captureTransport{}
		cfg := AWSConfig("http://127.0.0.1:1", region)
		cfg.HTTPClient = &http.Client{Transport: capture}
		_, err := cloudwatch.NewFromConfig(cfg, optFns...).PutMetricData(context.Background(), input)
		check(t, err)
		return capture.body
	}
	want, err := url.ParseQuery(string(send(func(o *cloudwatch.Options) {
		o.Protocol = awsquery.New(schemas.GraniteServiceVersion20100801)
	})))
	check(t, err)

	v, err := smithycbor.Decode(send())
	check(t, err)
	form, err := queryForm(context.Background(), cloudWatchOps["PutMetricData"].schema, v.(smithycbor.Map))
	check(t, err)
	got, err := url.ParseQuery(string(form))
	check(t, err)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("shim's form:\n%v\nawsQuery client's:\n%v", got, want)
	}
	for k, v := range map[string]string{
		"Action":  "PutMetricData",
		"Version": "2010-08-01",
		"MetricData.member.1.Dimensions.member.2.Value": "prod",
		"MetricData.member.1.Timestamp":                 "2026-03-04T05:06:07.89Z",
		"MetricData.member.1.StorageResolution":         "1",
		"MetricData.member.2.Values.member.2":           "2.5",
		"MetricData.member.2.Counts.member.3":           "3",
		"MetricData.member.3.StatisticValues.Sum":       "10",
	} {
		if got.Get(k) != v {
			t.Errorf("%s = %q, want %q", k, got.Get(k), v)
		}
	}
}
