// Command handlerchild is the benchmark's Lambda stand-in: it builds the nightly handler from
// the environment as the function does (AWS_ENDPOINT_URL pointing at an emulator, GOMEMLIMIT
// as template.yaml sets it), invokes it once with a scheduled event, and prints what that cost
// as one line of JSON (handlerbench.Result). The function's log goes to -log, as Lambda's goes
// to CloudWatch Logs.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"

	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/apigw-drift/driftaudit/internal/handlerbench"
)

func main() {
	logPath := flag.String("log", os.DevNull, "file the function's log is written to")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, *logPath); err != nil {
		fmt.Fprintf(os.Stderr, "handlerchild: %s\n", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, logPath string) error {
	logFile, err := os.Create(logPath)
	if err != nil {
		return err
	}
	defer logFile.Close()
	// The function's own logger writes to standard output; here that is the log file, and the
	// result keeps the real standard output to itself.
	result := os.Stdout
	os.Stdout = logFile
	res, err := handlerbench.Run(ctx, os.Getenv, lambdacontext.NewLogger())
	if err != nil {
		return err
	}
	return json.NewEncoder(result).Encode(res)
}
