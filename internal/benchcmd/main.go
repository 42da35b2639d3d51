// Command benchcmd is `make bench`: it seeds accounts of 50, 200 and 600 APIs in moto (one
// region each, seeded once per run) and scans each through the shim at API Gateway's quotas,
// sped up by -scale, printing what the scan cost. Then it measures memory on the heavy tail:
// synthetic accounts (-synthetic) served without moto, scanned without quotas by the driftaudit
// binary and by the Lambda handler under the function's GOMEMLIMIT (-handler, built from
// internal/benchcmd/handlerchild).
package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/apigateway"

	"github.com/apigw-drift/driftaudit/internal/awsemu"
	"github.com/apigw-drift/driftaudit/internal/bench"
)

var regions = []string{"eu-west-1", "us-west-2", "ap-southeast-2", "eu-central-1", "us-east-2"}

func main() {
	cmd := bench.NewCommand("bench")
	sizes := cmd.Flags.String("n", "50,200,600", "comma-separated account sizes (APIs) seeded in moto (empty: none)")
	scale := cmd.Flags.Float64("scale", 20, "time factor: the quotas run this many times faster than AWS's (0: no quotas)")
	shapes := cmd.Flags.String("synthetic", "heavy,600x60,600x60/public", "comma-separated synthetic shapes for the memory table: heavy, public, small or APISxRESOURCES[/public] (empty: none)")
	handler := cmd.Flags.String("handler", "bin/handlerchild", "the handler child binary (internal/benchcmd/handlerchild) to measure")
	timeout := cmd.Flags.Duration("timeout", 10*time.Minute, "kill a measured process of the memory table after this long")
	memLimit := cmd.Flags.String("handler-memlimit", bench.HandlerMemoryLimit, "GOMEMLIMIT of the handler child (default: the function's, from template.yaml)")
	ctx, stop := cmd.Start()
	defer stop()
	err := run(ctx, *sizes, *scale, *cmd.Driftaudit)
	if err == nil {
		err = memory(ctx, *shapes, *cmd.Driftaudit, *handler, *memLimit, *timeout)
	}
	if err != nil {
		cmd.Fail(1, err)
	}
}

// memory measures the synthetic shapes and prints the memory table.
func memory(ctx context.Context, shapes, driftaudit, handler, memLimit string, timeout time.Duration) error {
	var specs []bench.SyntheticSpec
	for _, s := range strings.Split(shapes, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		spec, err := bench.ParseSpec(s)
		if err != nil {
			return fmt.Errorf("-synthetic: %w", err)
		}
		specs = append(specs, spec)
	}
	if len(specs) == 0 {
		return nil
	}
	fmt.Printf("Memory on the heavy tail: synthetic accounts, no quotas; driftaudit, and the Lambda handler in-process under GOMEMLIMIT=%s (function: %d MB, GOMEMLIMIT=%s); each process killed after %s\n\n",
		memLimit, bench.FunctionMemoryMB, bench.HandlerMemoryLimit, timeout)
	var ms []bench.Memory
	for _, spec := range specs {
		fmt.Printf("measuring %s ...\n", spec)
		m, err := bench.MeasureMemory(ctx, spec, driftaudit, handler, memLimit, timeout)
		if err != nil {
			return err
		}
		ms = append(ms, m)
	}
	fmt.Println()
	fmt.Print(bench.MemoryTable(ms))
	return nil
}

func run(ctx context.Context, sizes string, scale float64, driftaudit string) error {
	if strings.TrimSpace(sizes) == "" {
		return nil
	}
	ns, err := bench.Positives(sizes, strconv.Atoi)
	if err != nil {
		return fmt.Errorf("-n: %w", err)
	}
	if len(ns) > len(regions) {
		return fmt.Errorf("-n: at most %d sizes", len(regions))
	}
	_, shim, closeEmulator, err := awsemu.StartWithShim(ctx)
	if err != nil {
		return err
	}
	defer closeEmulator()

	fmt.Printf("Benchmark: quotas of 10 calls/s (burst 40) and GetResources 2.5/s (burst 5), sped up x%g, enforced by the shim (429 when exceeded) and by driftaudit's own limiter\n\n", scale)
	for i, n := range ns {
		region := regions[i]
		client := apigateway.NewFromConfig(awsemu.AWSConfig(shim.URL, region))
		start := time.Now()
		shape, err := bench.SeedAccount(ctx, client, n, fmt.Sprintf("b%d", n), 8)
		if err != nil {
			return fmt.Errorf("seed %d APIs: %w", n, err)
		}
		seeded := time.Since(start)
		res, err := bench.Scan(ctx, driftaudit, shim, region, scale)
		if err != nil {
			return err
		}
		res.Shape, res.SeedTime = shape, seeded
		fmt.Print(res.Report())
		if want := shape.ExpectedCalls(); !sameCalls(want, res) {
			fmt.Printf("  NOTE: calls differ from the expected %v\n", want)
		}
		fmt.Println()
	}
	return nil
}

// sameCalls compares the calls that succeeded with the expected cost.
func sameCalls(want map[string]int, r bench.Result) bool {
	total := 0
	for _, n := range want {
		total += n
	}
	return total == r.Total-r.Throttled-r.Failed
}
