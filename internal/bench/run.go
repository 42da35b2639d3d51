package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"strings"
	"time"

	"github.com/apigw-drift/driftaudit/internal/awsemu"
	"github.com/apigw-drift/driftaudit/pkg/quota"
)

// Result is one measured scan.
type Result struct {
	Region    string
	Shape     Shape
	SeedTime  time.Duration
	Calls     map[string]int // API Gateway calls by operation, retries included
	Total     int
	Wall      time.Duration
	Bound     time.Duration // the quota's lower bound for these calls, at the scaled rates
	Throttled int           // 429s the shim sent
	Failed    int           // other error answers (none unless faults are injected)
	PeakRSS   int64         // bytes, of the driftaudit process
	APIs      int           // APIs in the report
	Errors    int           // scan errors in the report
	Findings  int
	Scale     float64
}

// LowerBound is the least time the calls can take under limits: whichever bucket, the total
// or GetResources' own, runs dry last, after its initial burst.
func LowerBound(calls map[string]int, l quota.Limits) time.Duration {
	total := 0
	for _, n := range calls {
		total += n
	}
	var bound float64
	if l.Rate > 0 {
		bound = float64(max(0, total-l.Burst)) / l.Rate
	}
	if l.GetResourcesRate > 0 {
		bound = max(bound, float64(max(0, calls["GetResources"]-l.GetResourcesBurst))/l.GetResourcesRate)
	}
	return time.Duration(bound * float64(time.Second))
}

// Scan runs the driftaudit binary against region through shim, with its client-side quotas at
// limits (the shim's at the same scale, when scale > 0), and measures it.
func Scan(ctx context.Context, driftaudit string, shim *awsemu.Shim, region string, scale float64) (Result, error) {
	limits := quota.Limits{}
	if scale > 0 {
		limits = quota.APIGatewayDefaults().Scaled(scale)
		shim.SetThrottle(awsemu.AWSQuotas(scale))
	} else {
		shim.SetThrottle(awsemu.Quotas{})
	}
	shim.ResetLog()
	args := scanArgs(shim.URL, []string{region}, limits)
	run, err := runScan(ctx, driftaudit, args)
	shim.SetThrottle(awsemu.Quotas{})
	if err != nil {
		return Result{}, err
	}
	res := Result{Region: region, Calls: shim.CountsFor("apigateway"), Wall: run.Wall, Throttled: shim.Throttled(), Scale: scale,
		APIs: run.Summary.APIsScanned, Errors: run.Summary.Errors, Findings: run.Summary.Findings, PeakRSS: run.PeakRSS}
	for _, r := range shim.Requests() {
		if r.Service == "apigateway" && r.Status >= 500 {
			res.Failed++
		}
	}
	for _, n := range res.Calls {
		res.Total += n
	}
	// The bound counts the calls that succeeded: a throttled call is the scanner's own cost.
	ok := map[string]int{}
	for op, n := range res.Calls {
		ok[op] = n
	}
	for _, r := range shim.Requests() {
		if r.Service == "apigateway" && r.Status == 429 {
			ok[r.Operation]--
		}
	}
	res.Bound = LowerBound(ok, limits)
	return res, nil
}

// scanArgs are driftaudit's arguments for a JSON report of regions at endpoint, paced at limits
// (zero: not paced).
func scanArgs(endpoint string, regions []string, limits quota.Limits) []string {
	args := []string{"scan", "--endpoint-url", endpoint, "--format", "json", "--fail-on", "none",
		"--rate", fmt.Sprint(limits.Rate), "--burst", fmt.Sprint(limits.Burst),
		"--getresources-rate", fmt.Sprint(limits.GetResourcesRate), "--getresources-burst", fmt.Sprint(limits.GetResourcesBurst)}
	for _, r := range regions {
		args = append(args, "--region", r)
	}
	return args
}

// scanRun is one measured run of the driftaudit binary.
type scanRun struct {
	Wall        time.Duration
	PeakRSS     int64 // bytes, VmHWM of the driftaudit process
	Summary     scanSummary
	Accounts    []string // the accounts the report names
	ReportBytes int      // the JSON report's size
}

// scanSummary is what the benchmark reads of a report's summary.
type scanSummary struct {
	APIsScanned     int `json:"apis_scanned"`
	AccountsScanned int `json:"accounts_scanned"`
	Findings        int `json:"findings"`
	Errors          int `json:"errors"`
}

// runScan runs driftaudit with args, which ask for a JSON report on stdout, and measures it.
func runScan(ctx context.Context, driftaudit string, args []string) (scanRun, error) {
	cmd := exec.CommandContext(ctx, driftaudit, args...)
	cmd.Env = childEnv()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Start()
	var run scanRun
	if err == nil {
		peak := watchPeakRSS(cmd.Process.Pid)
		err = cmd.Wait()
		run.Wall = time.Since(start)
		run.PeakRSS, _ = peak()
	}
	if err != nil {
		return run, fmt.Errorf("driftaudit %s: %w: %s", strings.Join(args, " "), err, stderr.String())
	}
	var rep struct {
		Summary  *scanSummary `json:"summary"`
		Accounts []string     `json:"accounts"`
	}
	rep.Summary = &run.Summary
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		return run, fmt.Errorf("driftaudit's report: %w", err)
	}
	run.Accounts, run.ReportBytes = rep.Accounts, stdout.Len()
	return run, nil
}

// childEnv is the environment of a measured process: fake static credentials, no AWS
// configuration files and no instance metadata, so that nothing looks for real credentials;
// and no inherited GOMEMLIMIT or GOGC, so that the garbage collector runs as the measurement
// says it does.
func childEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GOMEMLIMIT=") && !strings.HasPrefix(kv, "GOGC=") {
			env = append(env, kv)
		}
	}
	env = append(env, "AWS_ACCESS_KEY_ID=AKIAFAKE", "AWS_SECRET_ACCESS_KEY=fake", "AWS_EC2_METADATA_DISABLED=true",
		"AWS_CONFIG_FILE="+os.DevNull, "AWS_SHARED_CREDENTIALS_FILE="+os.DevNull)
	return append(env, extra...)
}

// Report prints r the way `make bench` shows it.
func (r Result) Report() string {
	var b strings.Builder
	s := r.Shape
	fmt.Fprintf(&b, "N = %d APIs in %s: %d resources, %d methods, %d stages, %d deployments (%d live), %d usage plans, %d domains; seeded in %s\n",
		s.APIs, r.Region, s.Resources, s.Methods, s.Stages, s.Deployments, s.LiveDeployments, s.UsagePlans, s.Domains, r.SeedTime.Round(time.Second))
	ops := make([]string, 0, len(r.Calls))
	for op := range r.Calls {
		ops = append(ops, op)
	}
	sort.Strings(ops)
	var parts []string
	for _, op := range ops {
		parts = append(parts, fmt.Sprintf("%s %d", op, r.Calls[op]))
	}
	fmt.Fprintf(&b, "  API Gateway calls: %d = %.2f per API (%s)\n", r.Total, float64(r.Total)/float64(max(1, s.APIs)), strings.Join(parts, ", "))
	perMethod := s.PerMethodCalls()
	fmt.Fprintf(&b, "  a GetMethod-per-method scanner would need %d calls (%.1fx)\n", perMethod, float64(perMethod)/float64(max(1, r.Total)))
	if r.Scale > 0 {
		fmt.Fprintf(&b, "  wall %.2fs; quota lower bound %.2fs at x%g; ratio %.3f\n", r.Wall.Seconds(), r.Bound.Seconds(), r.Scale, r.Wall.Seconds()/max(r.Bound.Seconds(), 1e-9))
		real := LowerBound(r.Calls, quota.APIGatewayDefaults())
		fmt.Fprintf(&b, "  projected at AWS's real quotas: %.0fs (lower bound %.0fs x ratio), against Lambda's 900s\n",
			real.Seconds()*r.Wall.Seconds()/max(r.Bound.Seconds(), 1e-9), real.Seconds())
	} else {
		fmt.Fprintf(&b, "  wall %.2fs without quotas\n", r.Wall.Seconds())
	}
	fmt.Fprintf(&b, "  429s received %d, retries %d, other errors %d; APIs in report %d of %d, scan errors %d, findings %d\n",
		r.Throttled, r.Throttled+r.Failed, r.Failed, r.APIs, s.APIs, r.Errors, r.Findings)
	fmt.Fprintf(&b, "  peak RSS of the scanning process: %.1f MB\n", float64(r.PeakRSS)/(1<<20))
	return b.String()
}
