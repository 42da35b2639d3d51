// Command driftaudit audits API Gateway REST APIs for configuration drift from a terminal or CI.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/apigw-drift/driftaudit/pkg/cli"
)

func main() {
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	// The first signal stops the scan and prints what was read; a second one quits at once.
	ctx, stop := cli.WatchSignals(context.Background(), sigs, os.Stderr, os.Exit)
	code := cli.Main(ctx, os.Args[1:], cli.Env{Stdout: os.Stdout, Stderr: os.Stderr})
	stop()
	os.Exit(code)
}
