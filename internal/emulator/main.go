// Command emulator runs moto behind the shim until interrupted, for trying driftaudit by hand
// against an account built with the AWS CLI or SDK: `make emulator`, then point both at the
// endpoint it prints.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/apigw-drift/driftaudit/internal/awsemu"
	"github.com/apigw-drift/driftaudit/internal/seed"
)

func main() {
	pageSize := flag.Int("page-size", 0, "answer list calls in pages of at most this many items (0: as the client asks)")
	org := flag.Bool("org", false, "seed a small organization (seed.OrgDemo: four members in eu-west-1 and us-east-1, one member's role denied)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	moto, shim, closeEmulator, err := awsemu.StartWithShim(ctx)
	if err != nil {
		fmt.Fprintf(os.Stderr, "emulator: %s\n", err)
		os.Exit(1)
	}
	defer closeEmulator()
	if *pageSize > 0 {
		shim.SetMaxPageSize(*pageSize)
	}
	fmt.Printf("endpoint: %s (moto %s behind the shim); Ctrl-C stops it\n", shim.URL, moto.URL)
	if *org {
		fx, err := seed.OrgDemo(ctx, awsemu.AWSConfig(shim.URL, "us-east-1"), []string{"eu-west-1", "us-east-1"})
		if err != nil {
			fmt.Fprintf(os.Stderr, "emulator: %s\n", err)
			os.Exit(1)
		}
		shim.AddFault(awsemu.DeniedRole(fx.Denied, "DriftAuditorReadOnly"))
		fmt.Printf("organization: management %s, members %v; %s's member role is denied\n", fx.Management, fx.Members, fx.Denied)
		fmt.Printf("  AWS_ACCESS_KEY_ID=AKIAFAKE AWS_SECRET_ACCESS_KEY=fake bin/driftaudit scan --endpoint-url %s --organization --region eu-west-1 --region us-east-1\n", shim.URL)
	}
	fmt.Printf("  aws --endpoint-url %s --region us-east-1 apigateway get-rest-apis\n", shim.URL)
	fmt.Printf("  bin/driftaudit scan --endpoint-url %s --region us-east-1\n", shim.URL)
	<-ctx.Done()
}
