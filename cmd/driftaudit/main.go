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
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], cli.Env{Stdout: os.Stdout, Stderr: os.Stderr})
	stop()
	os.Exit(code)
}
