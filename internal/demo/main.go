// Command demo is `make demo`: it starts moto behind the shim, seeds the sample account of
// seed.Demo, and runs the real driftaudit binary against it, as a user would.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/apigateway"

	"github.com/apigw-drift/driftaudit/internal/awsemu"
	"github.com/apigw-drift/driftaudit/internal/seed"
)

const region = "us-east-1"

func main() {
	driftaudit := flag.String("driftaudit", "bin/driftaudit", "path of the driftaudit binary to run")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, *driftaudit); err != nil {
		fmt.Fprintf(os.Stderr, "demo: %s\n", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, driftaudit string) error {
	os.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	fmt.Println("== Starting the AWS emulator (moto) behind the test shim")
	moto, err := awsemu.StartMoto(ctx)
	if err != nil {
		return err
	}
	defer moto.Close()
	shim := awsemu.NewShim(moto.URL)
	defer shim.Close()

	fmt.Println("== Seeding a sample account: one healthy API and every kind of drift")
	client := apigateway.NewFromConfig(awsemu.AWSConfig(shim.URL, region))
	if err := seed.Demo(seed.New(ctx, client), time.Sleep); err != nil {
		return err
	}
	shim.ResetLog()

	args := []string{"scan", "--endpoint-url", shim.URL, "--region", region}
	fmt.Printf("== Running: %s %s\n\n", driftaudit, strings.Join(args, " "))
	cmd := exec.CommandContext(ctx, driftaudit, args...)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=AKIAFAKE", "AWS_SECRET_ACCESS_KEY=fake", "AWS_SESSION_TOKEN=", "AWS_PROFILE=")
	err = cmd.Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit) && exit.ExitCode() == 1:
		fmt.Println("\n== driftaudit exited 1: findings at or above --fail-on (critical), as this account was built to have")
	case err != nil:
		return fmt.Errorf("driftaudit: %w", err)
	default:
		fmt.Println("\n== driftaudit exited 0")
	}
	fmt.Printf("== API Gateway calls the scan made: %s\n", formatCounts(shim.Counts()))
	return nil
}

func formatCounts(counts map[string]int) string {
	var parts []string
	total := 0
	for _, op := range []string{"GetRestApis", "GetResources", "GetStages", "GetDeployments", "GetDeployment", "GetUsagePlans", "GetUsagePlanKeys", "GetApiKeys", "GetDomainNames", "GetBasePathMappings"} {
		if n := counts[op]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", op, n))
			total += n
		}
	}
	return fmt.Sprintf("%d (%s)", total, strings.Join(parts, ", "))
}
