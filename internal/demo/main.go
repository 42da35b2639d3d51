// Command demo is `make demo`: it starts moto behind the shim, seeds the sample account of
// seed.Demo, and runs the real driftaudit binary against it, as a user would.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"os/exec"
	"os/signal"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/apigw-drift/driftaudit/internal/awsemu"
	"github.com/apigw-drift/driftaudit/internal/seed"
	"github.com/apigw-drift/driftaudit/pkg/nightly"
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
	moto, shim, closeEmulator, err := awsemu.StartWithShim(ctx)
	if err != nil {
		return err
	}
	defer closeEmulator()

	fmt.Println("== Seeding a sample account: one healthy API and every kind of drift")
	if err := seed.Demo(seed.ForConfig(ctx, awsemu.AWSConfig(shim.URL, region)), time.Sleep); err != nil {
		return err
	}
	shim.ResetLog()

	args := []string{"scan", "--endpoint-url", shim.URL, "--region", region}
	fmt.Printf("== Running: %s %s\n\n", driftaudit, strings.Join(args, " "))
	code, err := runDriftaudit(ctx, driftaudit, args...)
	switch {
	case err != nil:
		return err
	case code == 1:
		fmt.Println("\n== driftaudit exited 1: findings at or above --fail-on (critical), as this account was built to have")
	default:
		fmt.Println("\n== driftaudit exited 0")
	}
	fmt.Printf("== API Gateway calls the scan made: %s\n", formatCounts(shim.Counts()))
	if err := explainRun(ctx, shim, driftaudit); err != nil {
		return err
	}
	if err := nightlyRun(ctx, shim); err != nil {
		return err
	}
	return organizationRun(ctx, moto, driftaudit)
}

// explainRun asks driftaudit why one request of the undeployed-changes finding above fails, as
// on-call would when paged with the URL and the 403.
func explainRun(ctx context.Context, shim *awsemu.Shim, driftaudit string) error {
	shim.ResetLog()
	args := []string{"explain", "https://orders0001.execute-api." + region + ".amazonaws.com/prod/orders", "--method", "POST", "--endpoint-url", shim.URL}
	fmt.Printf("\n== Why does POST /orders get 403? Running: %s %s\n\n", driftaudit, strings.Join(args, " "))
	code, err := runDriftaudit(ctx, driftaudit, args...)
	switch {
	case err != nil:
		return err
	case code == 1:
		fmt.Println("\n== driftaudit explain exited 1: the request is rejected")
	default:
		return errors.New("driftaudit explain exited 0 on a request the demo account rejects")
	}
	fmt.Printf("== API Gateway calls the explain made: %s\n", formatCounts(shim.Counts()))
	return nil
}

// organizationRun seeds a small organization in a fresh emulator, denies one member's role, and
// audits every account of it, as the management account would.
func organizationRun(ctx context.Context, moto *awsemu.Moto, driftaudit string) error {
	if err := moto.Reset(ctx); err != nil {
		return err
	}
	shim := awsemu.NewShim(moto.URL)
	defer shim.Close()
	regions := []string{"eu-west-1", "us-east-1"}
	fmt.Println("\n== Seeding a small organization: a management account and four members in two regions, different drift in each")
	fx, err := seed.OrgDemo(ctx, awsemu.AWSConfig(shim.URL, region), regions)
	if err != nil {
		return err
	}
	shim.AddFault(awsemu.DeniedRole(fx.Denied, "DriftAuditorReadOnly"))
	fmt.Printf("   member %s has no DriftAuditorReadOnly role that trusts the auditor: its AssumeRole is denied\n", fx.Denied)
	args := []string{"scan", "--endpoint-url", shim.URL, "--organization", "--region", regions[0], "--region", regions[1], "--disable", "hygiene"}
	fmt.Printf("== Running: %s %s\n\n", driftaudit, strings.Join(args, " "))
	code, err := runDriftaudit(ctx, driftaudit, args...)
	switch {
	case err != nil:
		return err
	case code == 1:
		fmt.Println("\n== driftaudit exited 1: critical findings, and one account could not be read")
		return nil
	}
	return errors.New("driftaudit exited 0 on an organization with critical findings and a denied member")
}

// nightlyRun runs the Lambda's handler, as EventBridge Scheduler would, against the same
// account, then shows what it published: the metrics, read back from CloudWatch, and the SNS
// message, read from a queue subscribed to the report topic.
func nightlyRun(ctx context.Context, shim *awsemu.Shim) error {
	cfg := awsemu.AWSConfig(shim.URL, region)
	topic, err := sns.NewFromConfig(cfg).CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("drift-report")})
	if err != nil {
		return err
	}
	inbox, err := sqs.NewFromConfig(cfg).CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("team-inbox")})
	if err != nil {
		return err
	}
	if _, err := sns.NewFromConfig(cfg).Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("sqs"),
		Endpoint: aws.String("arn:aws:sqs:" + region + ":123456789012:team-inbox")}); err != nil {
		return err
	}
	if _, err := s3.NewFromConfig(cfg).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("drift-runs")}); err != nil {
		return err
	}
	env := map[string]string{nightly.EnvRegions: region, nightly.EnvReportTopicARN: aws.ToString(topic.TopicArn), nightly.EnvRunsBucket: "drift-runs"}
	conf, err := nightly.LoadConfig(func(k string) string { return env[k] })
	if err != nil {
		return err
	}
	h := &nightly.Handler{Config: conf, AWS: cfg, Metrics: cloudwatch.NewFromConfig(cfg), Topic: sns.NewFromConfig(cfg),
		Runs: s3.NewFromConfig(cfg), Logger: slog.New(slog.NewJSONHandler(io.Discard, nil))}
	fmt.Println("\n== Running the nightly Lambda handler with an EventBridge Scheduler event")
	event := `{"version":"0","id":"demo","detail-type":"Scheduled Event","source":"aws.scheduler","account":"123456789012","region":"us-east-1","detail":"{}"}`
	start := time.Now()
	if err := h.Handle(ctx, []byte(event)); err != nil {
		return fmt.Errorf("nightly run: %w", err)
	}

	fmt.Printf("\n== CloudWatch metrics in %s (Maximum of this run)\n", conf.Namespace)
	cw := cloudwatch.NewFromConfig(cfg)
	metrics, err := cw.ListMetrics(ctx, &cloudwatch.ListMetricsInput{Namespace: aws.String(conf.Namespace)})
	if err != nil {
		return err
	}
	var lines []string
	for _, m := range metrics.Metrics {
		stat, err := cw.GetMetricStatistics(ctx, &cloudwatch.GetMetricStatisticsInput{Namespace: m.Namespace, MetricName: m.MetricName, Dimensions: m.Dimensions,
			StartTime: aws.Time(start.Add(-time.Hour)), EndTime: aws.Time(time.Now().Add(time.Hour)), Period: aws.Int32(3600),
			Statistics: []cwtypes.Statistic{cwtypes.StatisticMaximum}})
		if err != nil {
			return err
		}
		name := aws.ToString(m.MetricName)
		for _, d := range m.Dimensions {
			name += fmt.Sprintf(" %s=%s", aws.ToString(d.Name), aws.ToString(d.Value))
		}
		for _, p := range stat.Datapoints {
			lines = append(lines, fmt.Sprintf("  %-55s %g", name, aws.ToFloat64(p.Maximum)))
		}
	}
	sort.Strings(lines)
	fmt.Println(strings.Join(lines, "\n"))

	if err := showMessages(ctx, cfg, inbox.QueueUrl, -1); err != nil {
		return err
	}

	// The next night, one drift fixed and one added: the report leads with what changed.
	fmt.Println("\n== The next night: orders is deployed (its 3 undeployed changes fixed), and an API is added but never deployed")
	if _, err := apigateway.NewFromConfig(cfg).CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: aws.String("orders0001"), StageName: aws.String("prod")}); err != nil {
		return err
	}
	b := seed.ForConfig(ctx, cfg)
	b.API("sketch", seed.APIOptions{ID: "sketch0001"}).Method("/ideas", "GET", seed.Method{Auth: "AWS_IAM"})
	if err := b.Err(); err != nil {
		return err
	}
	h.Now = func() time.Time { return start.Add(24 * time.Hour) }
	if err := h.Handle(ctx, []byte(event)); err != nil {
		return fmt.Errorf("second nightly run: %w", err)
	}
	return showMessages(ctx, cfg, inbox.QueueUrl, 40)
}

// showMessages prints the SNS reports waiting in the inbox queue, at most lines lines of each
// body (all with -1).
func showMessages(ctx context.Context, cfg aws.Config, queue *string, lines int) error {
	msgs, err := sqs.NewFromConfig(cfg).ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: queue})
	if err != nil {
		return err
	}
	for _, m := range msgs.Messages {
		var n struct {
			Subject           string
			Message           string
			MessageAttributes map[string]struct{ Type, Value string }
		}
		if err := json.Unmarshal([]byte(aws.ToString(m.Body)), &n); err != nil {
			return err
		}
		fmt.Printf("\n== The SNS report (%d bytes)\nSubject: %s\nAttributes:", len(n.Message), n.Subject)
		for _, k := range slices.Sorted(maps.Keys(n.MessageAttributes)) {
			fmt.Printf(" %s=%s", k, n.MessageAttributes[k].Value)
		}
		body := n.Message
		if all := strings.Split(body, "\n"); lines >= 0 && len(all) > lines {
			body = strings.Join(all[:lines], "\n") + fmt.Sprintf("\n... (%d more lines)\n", len(all)-lines)
		}
		fmt.Printf("\n\n%s", body)
		if _, err := sqs.NewFromConfig(cfg).DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: queue, ReceiptHandle: m.ReceiptHandle}); err != nil {
			return err
		}
	}
	return nil
}

func formatCounts(counts map[string]int) string {
	var parts []string
	total := 0
	for _, op := range []string{"GetRestApis", "GetResources", "GetStages", "GetDeployments", "GetDeployment", "GetApis", "ExportApi",
		"GetUsagePlans", "GetUsagePlanKeys", "GetApiKeys", "GetDomainNames", "GetApiMappings", "GetBasePathMappings", "GetAuthorizers"} {
		if n := counts[op]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", op, n))
			total += n
		}
	}
	return fmt.Sprintf("%d (%s)", total, strings.Join(parts, ", "))
}

// runDriftaudit runs the driftaudit binary with args, its output on the terminal, as a user
// would with the demo's credentials, and returns its exit status (an error only when it could
// not run or exited with a status other than 0 or 1).
func runDriftaudit(ctx context.Context, driftaudit string, args ...string) (int, error) {
	cmd := exec.CommandContext(ctx, driftaudit, args...)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=AKIAFAKE", "AWS_SECRET_ACCESS_KEY=fake", "AWS_SESSION_TOKEN=", "AWS_PROFILE=")
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0, nil
	case errors.As(err, &exit) && exit.ExitCode() == 1:
		return 1, nil
	default:
		return 0, fmt.Errorf("driftaudit %s: %w", args[0], err)
	}
}
