package bench

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/apigw-drift/driftaudit/internal/handlerbench"
)

// TestMemorySmoke runs the memory benchmark's whole path on a small synthetic account: the
// driftaudit binary and the handler child, built as make bench builds them. It pins the calls to
// ExpectedCalls and asserts no timing.
func TestMemorySmoke(t *testing.T) {
	dir := t.TempDir()
	driftaudit, child := filepath.Join(dir, "driftaudit"), filepath.Join(dir, "handlerchild")
	var g errgroup.Group
	for _, b := range [][]string{
		{"build", "-o", driftaudit, "../../cmd/driftaudit"},
		{"build", "-tags", "lambda.norpc", "-o", child, "../benchcmd/handlerchild"},
	} {
		g.Go(func() error {
			if out, err := exec.Command("go", b...).CombinedOutput(); err != nil {
				return fmt.Errorf("go %s: %w\n%s", strings.Join(b, " "), err, out)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}

	spec := SyntheticSpec{Name: "smoke", APIs: 5, Resources: 20, MinMethods: 2, MaxMethods: 4, DriftEvery: 2, Seed: 5}
	m, err := MeasureMemory(t.Context(), spec, driftaudit, child, HandlerMemoryLimit, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + MemoryTable([]Memory{m}))
	for name, p := range map[string]Process{"CLI": m.CLI, "handler": m.Handler} {
		if !m.CallsMatch(p) {
			t.Errorf("%s: calls %v, want %v and one GetCallerIdentity", name, p.Calls, m.Shape.ExpectedCalls())
		}
		if p.Findings == 0 || p.Errors != 0 || p.PeakRSS <= 0 || p.TimedOut || p.OutputBytes == 0 {
			t.Errorf("%s: %d findings, %d scan errors, peak RSS %d, timed out %v, output %d bytes", name, p.Findings, p.Errors, p.PeakRSS, p.TimedOut, p.OutputBytes)
		}
	}
	if m.CLI.Findings != m.Handler.Findings {
		t.Errorf("the CLI found %d, the handler %d", m.CLI.Findings, m.Handler.Findings)
	}
	r := m.HandlerRun
	if r.Error != "" || !r.Complete || r.ReportsSent != 1 || r.MetricDatums == 0 || r.HeapPeakBytes == 0 || r.DurationSeconds <= 0 {
		t.Errorf("handler result %+v", r)
	}
	mib, err := strconv.Atoi(strings.TrimSuffix(HandlerMemoryLimit, "MiB"))
	if err != nil {
		t.Fatalf("HandlerMemoryLimit %q is not N MiB", HandlerMemoryLimit)
	}
	if r.MemoryLimitBytes != int64(mib)<<20 {
		t.Errorf("the handler ran under a memory limit of %d bytes, want GOMEMLIMIT=%s", r.MemoryLimitBytes, HandlerMemoryLimit)
	}
}

// TestHandlerMemoryLimit keeps the benchmark's limits those of the function in template.yaml.
func TestHandlerMemoryLimit(t *testing.T) {
	tmpl, err := os.ReadFile("../../template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"GOMEMLIMIT: " + HandlerMemoryLimit, fmt.Sprintf("MemorySize: %d", FunctionMemoryMB), fmt.Sprintf("Timeout: %d", int(handlerbench.FunctionTimeout.Seconds()))} {
		if !strings.Contains(string(tmpl), want) {
			t.Errorf("template.yaml has no %q: the benchmark measures another function", want)
		}
	}
}

// TestRunMeasuredTimeout: a process that outlives the bound is killed and reported, not waited for.
func TestRunMeasuredTimeout(t *testing.T) {
	srv := startSynthetic(t, SmallSpec)
	start := time.Now()
	p, err := runMeasured(t.Context(), srv, 200*time.Millisecond, exec.Command("sleep", "30"))
	if err != nil {
		t.Fatal(err)
	}
	if !p.TimedOut || p.PeakRSS <= 0 || time.Since(start) > 10*time.Second {
		t.Errorf("timed out %v, peak RSS %d, after %s", p.TimedOut, p.PeakRSS, time.Since(start))
	}
}
