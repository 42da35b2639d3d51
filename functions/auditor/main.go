// Command auditor is the nightly Lambda function: EventBridge Scheduler invokes it, and it audits
// the account's API Gateway APIs, publishes metrics and mails the report. In an organization
// run, the same binary is the planner, the scanner and the join of the state machine
// (AUDITOR_STEP).
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/apigw-drift/driftaudit/pkg/audit"
	"github.com/apigw-drift/driftaudit/pkg/nightly"
)

func main() {
	h, err := build(context.Background())
	if err != nil {
		// A bad setting fails the cold start with one line naming it.
		fmt.Fprintf(os.Stderr, "auditor: configuration: %s\n", err)
		os.Exit(1)
	}
	lambda.Start(h.Invoke)
}

func build(ctx context.Context) (*nightly.Handler, error) {
	cfg, err := nightly.LoadConfig(os.Getenv)
	if err != nil {
		return nil, err
	}
	awsCfg, err := audit.LoadAWSConfig(ctx, cfg.Audit)
	if err != nil {
		return nil, err
	}
	return &nightly.Handler{
		Config:        cfg,
		AWS:           awsCfg,
		Metrics:       cloudwatch.NewFromConfig(awsCfg),
		Topic:         sns.NewFromConfig(awsCfg),
		Runs:          s3.NewFromConfig(awsCfg),
		Organizations: organizations.NewFromConfig(awsCfg),
		Logger:        lambdacontext.NewLogger(),
		SecurityHub:   securityhub.NewFromConfig(awsCfg),
	}, nil
}
