// Command benchcmd is `make bench`: it seeds accounts of 50, 200 and 600 APIs in moto (one
// region each, seeded once per run) and scans each through the shim at API Gateway's quotas,
// sped up by -scale, printing what the scan cost.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/apigateway"

	"github.com/apigw-drift/driftaudit/internal/awsemu"
	"github.com/apigw-drift/driftaudit/internal/bench"
)

var regions = []string{"eu-west-1", "us-west-2", "ap-southeast-2", "eu-central-1", "us-east-2"}

func main() {
	sizes := flag.String("n", "50,200,600", "comma-separated account sizes (APIs)")
	scale := flag.Float64("scale", 20, "time factor: the quotas run this many times faster than AWS's (0: no quotas)")
	driftaudit := flag.String("driftaudit", "bin/driftaudit", "the driftaudit binary to measure")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, *sizes, *scale, *driftaudit); err != nil {
		fmt.Fprintf(os.Stderr, "bench: %s\n", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, sizes string, scale float64, driftaudit string) error {
	var ns []int
	for _, s := range strings.Split(sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			return fmt.Errorf("-n: %q is not a positive number", s)
		}
		ns = append(ns, n)
	}
	if len(ns) > len(regions) {
		return fmt.Errorf("-n: at most %d sizes", len(regions))
	}
	os.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	moto, err := awsemu.StartMoto(ctx)
	if err != nil {
		return err
	}
	defer moto.Close()
	shim := awsemu.NewShim(moto.URL)
	defer shim.Close()

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
