// Package handlerbench runs the nightly Lambda handler once, in-process and built as the
// function's main builds it, and measures it: it is the child process the benchmark starts
// under the function's GOMEMLIMIT to learn what a scan costs the function. CloudWatch
// and SNS are recording fakes: publishing is not what is measured.
package handlerbench

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/apigw-drift/driftaudit/pkg/audit"
	"github.com/apigw-drift/driftaudit/pkg/nightly"
	"github.com/apigw-drift/driftaudit/pkg/publish"
	"github.com/apigw-drift/driftaudit/pkg/quota"
)

// Result is what one invocation cost, as the child prints it on one line of JSON.
type Result struct {
	// Findings and ScanErrors are read from the report the handler published.
	Findings   int  `json:"findings"`
	Critical   int  `json:"critical"`
	Warning    int  `json:"warning"`
	Info       int  `json:"info"`
	ScanErrors int  `json:"scan_errors"`
	Complete   bool `json:"complete"`
	// Error is what Handle returned, if anything.
	Error           string  `json:"error,omitempty"`
	DurationSeconds float64 `json:"duration_seconds"`
	// HeapPeakBytes is the largest heap (live and not yet collected objects) sampled during the
	// invocation; LiveHeapPeakBytes the largest heap a GC cycle found live; GoMemoryPeakBytes
	// the largest memory the Go runtime held from the OS (mapped, not released).
	HeapPeakBytes     uint64 `json:"heap_peak_bytes"`
	LiveHeapPeakBytes uint64 `json:"live_heap_peak_bytes"`
	GoMemoryPeakBytes uint64 `json:"go_memory_peak_bytes"`
	// PeakRSSBytes is the process's own high-water mark of resident memory (VmHWM, Linux), read
	// when the invocation has ended; 0 where it cannot be read.
	PeakRSSBytes int64 `json:"peak_rss_bytes"`
	// GCCycles ran during the invocation, taking GCCPUFraction of the CPU time the process used.
	GCCycles      uint64  `json:"gc_cycles"`
	GCCPUFraction float64 `json:"gc_cpu_fraction"`
	// MemoryLimitBytes is the GOMEMLIMIT the runtime ran under (math.MaxInt64 when unset).
	MemoryLimitBytes int64 `json:"memory_limit_bytes"`
	MetricCalls      int   `json:"metric_calls"`
	MetricDatums     int   `json:"metric_datums"`
	ReportsSent      int   `json:"reports_sent"`
	ReportBytes      int   `json:"report_bytes"`
}

// ScheduledEvent is what EventBridge Scheduler sends the function every night.
const ScheduledEvent = `{"version":"0","id":"c1d5ce4a-0f3b-4b4f-8c1e-0d4f9b2a7e11","detail-type":"Scheduled Event","source":"aws.scheduler",` +
	`"account":"123456789012","time":"2026-11-27T03:00:00Z","region":"us-east-1",` +
	`"resources":["arn:aws:scheduler:us-east-1:123456789012:schedule/default/drift-auditor-Nightly"],"detail":"{}"}`

// FunctionTimeout is the function's Timeout in template.yaml: the invocation's deadline.
const FunctionTimeout = 900 * time.Second

// Run builds the handler from the environment as functions/auditor does, but without
// client-side quotas (memory, not pacing, is measured) and with recording fakes for CloudWatch
// and SNS, invokes it once with a scheduled event and measures the invocation. Point it at an
// emulator with AWS_ENDPOINT_URL.
func Run(ctx context.Context, getenv func(string) string, logger *slog.Logger) (Result, error) {
	cfg, err := nightly.LoadConfig(getenv)
	if err != nil {
		return Result{}, fmt.Errorf("configuration: %w", err)
	}
	cfg.Audit.Limits = quota.Limits{}
	awsCfg, err := audit.LoadAWSConfig(ctx, cfg.Audit)
	if err != nil {
		return Result{}, err
	}
	metricsFake, topicFake := &recordingMetrics{}, &recordingTopic{}
	h := &nightly.Handler{Config: cfg, AWS: awsCfg, Metrics: metricsFake, Topic: topicFake, Logger: logger}

	ictx, cancel := context.WithTimeout(lambdacontext.NewContext(ctx, &lambdacontext.LambdaContext{AwsRequestID: "bench-0001"}), FunctionTimeout)
	defer cancel()
	s := startSampler(5 * time.Millisecond)
	start := time.Now()
	handleErr := h.Handle(ictx, []byte(ScheduledEvent))
	res := Result{DurationSeconds: time.Since(start).Seconds()}
	s.stop(&res)

	if handleErr != nil {
		res.Error = handleErr.Error()
	}
	res.MetricCalls, res.MetricDatums = metricsFake.calls, metricsFake.datums
	res.ReportsSent, res.ReportBytes = topicFake.sent, topicFake.bytes
	attr := func(name string) string { return topicFake.attributes[name] }
	for _, c := range []struct {
		name string
		n    *int
	}{{publish.AttrCritical, &res.Critical}, {publish.AttrWarning, &res.Warning}, {publish.AttrInfo, &res.Info}, {publish.AttrErrors, &res.ScanErrors}} {
		*c.n, _ = strconv.Atoi(attr(c.name))
	}
	res.Findings = res.Critical + res.Warning + res.Info
	res.Complete = attr(publish.AttrComplete) == "true"
	res.PeakRSSBytes, _ = ReadVmHWM("/proc/self/status")
	return res, nil
}

// ReadVmHWM reads the "VmHWM: N kB" line of a Linux /proc status file (/proc/self/status,
// /proc/PID/status): the process's high-water mark of resident memory, in bytes.
func ReadVmHWM(path string) (int64, bool) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, false
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb * 1024, err == nil
		}
	}
	return 0, false
}

// recordingMetrics counts what would have gone to CloudWatch.
type recordingMetrics struct {
	publish.MetricsAPI
	calls, datums int
}

func (m *recordingMetrics) PutMetricData(_ context.Context, in *cloudwatch.PutMetricDataInput, _ ...func(*cloudwatch.Options)) (*cloudwatch.PutMetricDataOutput, error) {
	m.calls++
	m.datums += len(in.MetricData)
	return &cloudwatch.PutMetricDataOutput{}, nil
}

// recordingTopic keeps the attributes of the last report and counts what would have gone to SNS.
type recordingTopic struct {
	publish.TopicAPI
	sent, bytes int
	attributes  map[string]string
}

func (t *recordingTopic) Publish(_ context.Context, in *sns.PublishInput, _ ...func(*sns.Options)) (*sns.PublishOutput, error) {
	t.sent++
	t.bytes += len(aws.ToString(in.Message)) + len(aws.ToString(in.Subject))
	t.attributes = map[string]string{}
	for name, v := range in.MessageAttributes {
		t.attributes[name] = aws.ToString(v.StringValue)
	}
	return &sns.PublishOutput{MessageId: aws.String("bench")}, nil
}

// sampler reads the runtime's memory metrics every interval and keeps their peaks.
type sampler struct {
	done    chan struct{}
	wg      sync.WaitGroup
	samples []metrics.Sample
	peaks   [3]uint64 // heap objects, live heap, Go memory held
	gcStart uint64
	cpu     [2]float64 // GC and busy CPU seconds at start
}

const (
	mHeapObjects = "/memory/classes/heap/objects:bytes"
	mLiveHeap    = "/gc/heap/live:bytes"
	mTotal       = "/memory/classes/total:bytes"
	mReleased    = "/memory/classes/heap/released:bytes"
	mGCCycles    = "/gc/cycles/total:gc-cycles"
	mGCCPU       = "/cpu/classes/gc/total:cpu-seconds"
	mTotalCPU    = "/cpu/classes/total:cpu-seconds"
	mIdleCPU     = "/cpu/classes/idle:cpu-seconds"
	mMemLimit    = "/gc/gomemlimit:bytes"
)

func startSampler(interval time.Duration) *sampler {
	s := &sampler{done: make(chan struct{})}
	for _, name := range []string{mHeapObjects, mLiveHeap, mTotal, mReleased, mGCCycles, mGCCPU, mTotalCPU, mIdleCPU, mMemLimit} {
		s.samples = append(s.samples, metrics.Sample{Name: name})
	}
	s.read()
	s.gcStart, s.cpu = s.value(mGCCycles), s.busyCPU()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-s.done:
				return
			case <-t.C:
				s.read()
			}
		}
	}()
	return s
}

func (s *sampler) read() {
	metrics.Read(s.samples)
	for i, v := range []uint64{s.value(mHeapObjects), s.value(mLiveHeap), s.value(mTotal) - s.value(mReleased)} {
		s.peaks[i] = max(s.peaks[i], v)
	}
}

func (s *sampler) value(name string) uint64 {
	for _, sm := range s.samples {
		if sm.Name == name && sm.Value.Kind() == metrics.KindUint64 {
			return sm.Value.Uint64()
		}
	}
	return 0
}

// busyCPU is the CPU seconds the GC and the whole process (idle left out) have used.
func (s *sampler) busyCPU() [2]float64 {
	var gc, total, idle float64
	for _, sm := range s.samples {
		if sm.Value.Kind() != metrics.KindFloat64 {
			continue
		}
		switch sm.Name {
		case mGCCPU:
			gc = sm.Value.Float64()
		case mTotalCPU:
			total = sm.Value.Float64()
		case mIdleCPU:
			idle = sm.Value.Float64()
		}
	}
	return [2]float64{gc, total - idle}
}

func (s *sampler) stop(res *Result) {
	close(s.done)
	s.wg.Wait()
	s.read()
	res.HeapPeakBytes, res.LiveHeapPeakBytes, res.GoMemoryPeakBytes = s.peaks[0], s.peaks[1], s.peaks[2]
	res.GCCycles = s.value(mGCCycles) - s.gcStart
	cpu := s.busyCPU()
	if busy := cpu[1] - s.cpu[1]; busy > 0 {
		res.GCCPUFraction = (cpu[0] - s.cpu[0]) / busy
	}
	res.MemoryLimitBytes = int64(s.value(mMemLimit))
}
