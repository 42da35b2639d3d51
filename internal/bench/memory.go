package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/apigw-drift/driftaudit/internal/handlerbench"
	"github.com/apigw-drift/driftaudit/pkg/quota"
)

// HandlerMemoryLimit is the GOMEMLIMIT template.yaml gives the function.
const HandlerMemoryLimit = "200MiB"

// FunctionMemoryMB is the function's MemorySize in template.yaml: Lambda ends an invocation
// whose process grows past it.
const FunctionMemoryMB = 256

// Process is one measured run of a child process against the synthetic server.
type Process struct {
	Wall    time.Duration
	PeakRSS int64 // bytes (getrusage ru_maxrss)
	// Calls it made, by operation, GetCallerIdentity included.
	Calls            map[string]int
	Findings, Errors int
	// OutputBytes is the size of the JSON report (CLI) or of the function's log (handler).
	OutputBytes int64
	// CPU is the process's user and system time; ServerCPU what this process, which serves the
	// synthetic account on the same cores, used meanwhile; Served the bytes it answered with.
	CPU, ServerCPU time.Duration
	Served         int64
	// TimedOut is true when the process was killed at the time bound.
	TimedOut bool
}

// Memory is one synthetic shape measured with the driftaudit CLI and with the Lambda handler.
type Memory struct {
	Spec    SyntheticSpec
	Shape   Shape
	CLI     Process
	Handler Process
	// HandlerRun is what the handler child reported about itself.
	HandlerRun handlerbench.Result
	// GoMemLimit is the GOMEMLIMIT the handler ran under.
	GoMemLimit string
}

// MeasureMemory serves spec on loopback and scans it twice without client-side quotas: once
// with the driftaudit binary and once with handlerChild (internal/benchcmd/handlerchild) under
// GOMEMLIMIT=memLimit (HandlerMemoryLimit is the function's). Each process is killed after
// timeout.
func MeasureMemory(ctx context.Context, spec SyntheticSpec, driftaudit, handlerChild, memLimit string, timeout time.Duration) (Memory, error) {
	srv, err := NewSynthetic(spec)
	if err != nil {
		return Memory{}, err
	}
	defer srv.Close()
	m := Memory{Spec: spec, Shape: spec.Shape(), GoMemLimit: memLimit}
	dir, err := os.MkdirTemp("", "driftaudit-bench-")
	if err != nil {
		return m, err
	}
	defer os.RemoveAll(dir)
	const region = "eu-west-1"

	report, err := os.Create(filepath.Join(dir, "report.json"))
	if err != nil {
		return m, err
	}
	defer report.Close()
	cli := exec.Command(driftaudit, scanArgs(srv.URL, []string{region}, quota.Limits{})...)
	cli.Env, cli.Stdout = childEnv(), report
	if m.CLI, err = runMeasured(ctx, srv, timeout, cli); err != nil {
		return m, fmt.Errorf("driftaudit on %s: %w", spec.Name, err)
	}
	m.CLI.OutputBytes = fileSize(report.Name())
	if !m.CLI.TimedOut {
		if m.CLI.Findings, m.CLI.Errors, err = reportSummary(report.Name()); err != nil {
			return m, fmt.Errorf("driftaudit's report on %s: %w", spec.Name, err)
		}
	}

	log := filepath.Join(dir, "function.log")
	var result bytes.Buffer
	handler := exec.Command(handlerChild, "-log", log)
	handler.Stdout = &result
	handler.Env = childEnv(
		"GOMEMLIMIT="+memLimit,
		"AWS_ENDPOINT_URL="+srv.URL, "AWS_REGION="+region, "REGIONS="+region,
		"REPORT_TOPIC_ARN=arn:aws:sns:"+region+":"+accountID+":driftaudit-bench",
		"AWS_LAMBDA_LOG_FORMAT=JSON", "AWS_LAMBDA_LOG_LEVEL=INFO", fmt.Sprintf("AWS_LAMBDA_FUNCTION_MEMORY_SIZE=%d", FunctionMemoryMB))
	if m.Handler, err = runMeasured(ctx, srv, timeout, handler); err != nil {
		return m, fmt.Errorf("handler on %s: %w", spec.Name, err)
	}
	m.Handler.OutputBytes = fileSize(log)
	if !m.Handler.TimedOut {
		if err := json.Unmarshal(result.Bytes(), &m.HandlerRun); err != nil {
			return m, fmt.Errorf("handler on %s: its result %q: %w", spec.Name, result.String(), err)
		}
		m.Handler.Findings, m.Handler.Errors = m.HandlerRun.Findings, m.HandlerRun.ScanErrors
		// Its own reading at the end is exact; polling may miss the last moments.
		m.Handler.PeakRSS = max(m.Handler.PeakRSS, m.HandlerRun.PeakRSSBytes)
	}
	return m, nil
}

// runMeasured runs cmd against srv and measures it. A process still running after timeout is
// killed and reported as timed out.
func runMeasured(ctx context.Context, srv *Synthetic, timeout time.Duration, cmd *exec.Cmd) (Process, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	srv.Reset()
	serverCPU := selfCPU()
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return Process{}, err
	}
	peak := watchPeakRSS(cmd.Process.Pid)
	stop := context.AfterFunc(ctx, func() { _ = cmd.Process.Kill() })
	err := cmd.Wait()
	stop()
	p := Process{Wall: time.Since(start), Calls: srv.Calls(), Served: srv.Served(), ServerCPU: selfCPU() - serverCPU,
		CPU: cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()}
	p.PeakRSS, _ = peak()
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		p.TimedOut = true
	case ctx.Err() != nil:
		return p, ctx.Err()
	case err != nil:
		return p, fmt.Errorf("%s: %w: %s", filepath.Base(cmd.Path), err, strings.TrimSpace(stderr.String()))
	}
	return p, nil
}

func fileSize(path string) int64 {
	st, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return st.Size()
}

// selfCPU is the user and system time this process has used.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportSummary reads the summary of a JSON report, which comes before the findings, without
// reading the findings.
func reportSummary(path string) (findings, errs int, err error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	dec := json.NewDecoder(f)
	if _, err := dec.Token(); err != nil {
		return 0, 0, err
	}
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return 0, 0, err
		}
		if key != "summary" {
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return 0, 0, err
			}
			continue
		}
		var s struct {
			Findings int `json:"findings"`
			Errors   int `json:"errors"`
		}
		err = dec.Decode(&s)
		return s.Findings, s.Errors, err
	}
	return 0, 0, io.ErrUnexpectedEOF
}

// CallsMatch compares a process's calls with what the shape should cost: ExpectedCalls and one
// GetCallerIdentity.
func (m Memory) CallsMatch(p Process) bool {
	want := m.Shape.ExpectedCalls()
	want["GetCallerIdentity"] = 1
	return maps.Equal(p.Calls, want)
}

// APIGatewayCalls totals the API Gateway calls of p.
func APIGatewayCalls(p Process) int {
	n := 0
	for op, c := range p.Calls {
		if op != "GetCallerIdentity" {
			n += c
		}
	}
	return n
}

// MemoryTable prints the measured shapes as a Markdown table, and under it what each handler
// run reported about its own heap and garbage collection.
func MemoryTable(ms []Memory) string {
	var b strings.Builder
	b.WriteString("| shape | APIs | resources | methods | findings | calls | wall CLI | wall handler | peak RSS CLI | handler GOMEMLIMIT | peak RSS handler | heap peak handler (live) | GC CPU handler | RSS per finding CLI / handler |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, m := range ms {
		r := m.HandlerRun
		perFinding := "-"
		if m.findingsDominate() {
			perFinding = fmt.Sprintf("%s / %s", bytesPer(m.CLI.PeakRSS, m.CLI.Findings), bytesPer(m.Handler.PeakRSS, m.Handler.Findings))
		}
		heap, gc := "-", "-"
		if !m.Handler.TimedOut {
			heap = fmt.Sprintf("%s (%s)", mb(int64(r.HeapPeakBytes)), mb(int64(r.LiveHeapPeakBytes)))
			gc = fmt.Sprintf("%.0f%% (%d cycles)", 100*r.GCCPUFraction, r.GCCycles)
		}
		fmt.Fprintf(&b, "| %s | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
			m.Spec.Name, m.Shape.APIs, thousands(m.Shape.Resources), thousands(m.Shape.Methods), findingsCell(m),
			thousands(APIGatewayCalls(m.CLI)), wall(m.CLI), wall(m.Handler), rss(m.CLI), m.GoMemLimit, rss(m.Handler), heap, gc, perFinding)
	}
	b.WriteString("\n")
	b.WriteString(marginalCost(ms))
	for _, m := range ms {
		r := m.HandlerRun
		fmt.Fprintf(&b, "%s\n", m.Spec)
		fmt.Fprintf(&b, "  CLI: %.1f s CPU, JSON report %s, scan errors %d\n", m.CLI.CPU.Seconds(), mb(m.CLI.OutputBytes), m.CLI.Errors)
		fmt.Fprintf(&b, "  handler: %.1f s CPU, log %s, scan errors %d, %d metric datums in %d calls, %d report(s) of %s to SNS",
			m.Handler.CPU.Seconds(), mb(m.Handler.OutputBytes), m.Handler.Errors, r.MetricDatums, r.MetricCalls, r.ReportsSent, mb(int64(r.ReportBytes)))
		if !m.Handler.TimedOut {
			fmt.Fprintf(&b, "; Handle took %.1f s, the Go runtime held at most %s from the OS (GOMEMLIMIT %s)", r.DurationSeconds, mb(int64(r.GoMemoryPeakBytes)), mb(r.MemoryLimitBytes))
		}
		if r.Error != "" {
			fmt.Fprintf(&b, "; Handle returned: %s", r.Error)
		}
		b.WriteString("\n")
		fmt.Fprintf(&b, "  the server, on the same cores, answered %s in %.1f s CPU (CLI run) and %s in %.1f s CPU (handler run)\n",
			mb(m.CLI.Served), m.CLI.ServerCPU.Seconds(), mb(m.Handler.Served), m.Handler.ServerCPU.Seconds())
		if m.Handler.PeakRSS > FunctionMemoryMB<<20 {
			fmt.Fprintf(&b, "  NOTE: the handler's peak RSS is over the function's %d MB: Lambda would end this invocation\n", FunctionMemoryMB)
		}
		for _, p := range []struct {
			name string
			p    Process
		}{{"CLI", m.CLI}, {"handler", m.Handler}} {
			if !p.p.TimedOut && !m.CallsMatch(p.p) {
				want := m.Shape.ExpectedCalls()
				want["GetCallerIdentity"] = 1
				fmt.Fprintf(&b, "  NOTE: the %s made calls %v, expected %v\n", p.name, p.p.Calls, want)
			}
		}
	}
	return b.String()
}

// marginalCost prints, for each all-open shape measured beside a shape of the same size that is
// mostly signed, what each extra finding costs: the difference in memory over the difference in
// findings, so that the fixed costs (runtime, binary, inventory) do not count.
func marginalCost(ms []Memory) string {
	var b strings.Builder
	for _, open := range ms {
		for _, signed := range ms {
			same := open.Spec.APIs == signed.Spec.APIs && open.Spec.Resources == signed.Spec.Resources && open.GoMemLimit == signed.GoMemLimit &&
				open.Spec.MinMethods == signed.Spec.MinMethods && open.Spec.MaxMethods == signed.Spec.MaxMethods
			extra := open.Handler.Findings - signed.Handler.Findings
			if !open.Spec.Public || signed.Spec.Public || !same || extra <= 0 || open.Handler.TimedOut || signed.Handler.TimedOut {
				continue
			}
			per := func(a, b int64) string { return fmt.Sprintf("%s B", thousands(int((a-b)/int64(extra)))) }
			fmt.Fprintf(&b, "Marginal cost per finding (%s against %s, %s more findings): handler live heap %s, handler peak RSS %s, CLI peak RSS %s\n\n",
				open.Spec.Name, signed.Spec.Name, thousands(extra),
				per(int64(open.HandlerRun.LiveHeapPeakBytes), int64(signed.HandlerRun.LiveHeapPeakBytes)),
				per(open.Handler.PeakRSS, signed.Handler.PeakRSS), per(open.CLI.PeakRSS, signed.CLI.PeakRSS))
		}
	}
	return b.String()
}

// findingsDominate is true when the findings, rather than the inventory, are most of what a
// run holds: tens of thousands, and at least one for every two methods.
func (m Memory) findingsDominate() bool {
	return m.CLI.Findings >= 10_000 && 2*m.CLI.Findings >= m.Shape.Methods
}

func findingsCell(m Memory) string {
	if m.CLI.TimedOut || m.Handler.TimedOut || m.CLI.Findings == m.Handler.Findings {
		return thousands(max(m.CLI.Findings, m.Handler.Findings))
	}
	return fmt.Sprintf("%s (handler %s)", thousands(m.CLI.Findings), thousands(m.Handler.Findings))
}

func wall(p Process) string {
	if p.TimedOut {
		return fmt.Sprintf("killed at %s", p.Wall.Round(time.Second))
	}
	return fmt.Sprintf("%.1f s", p.Wall.Seconds())
}

func rss(p Process) string {
	s := mb(p.PeakRSS)
	if p.TimedOut {
		s += " (at kill)"
	}
	return s
}

func mb(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/(1<<20)) }

func bytesPer(n int64, per int) string {
	if per == 0 {
		return "-"
	}
	return fmt.Sprintf("%s B", thousands(int(n/int64(per))))
}

// thousands writes n with commas: 180,000.
func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
