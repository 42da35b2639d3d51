package nightly_test

import (
	"context"
	"encoding/json"
	"flag"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	securityhubsdk "github.com/aws/aws-sdk-go-v2/service/securityhub"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/apigw-drift/driftaudit/internal/awsemu"
	"github.com/apigw-drift/driftaudit/internal/seed"
	"github.com/apigw-drift/driftaudit/pkg/nightly"
)

var update = flag.Bool("update", false, "rewrite the golden files from this run")

const region = "us-east-1"

var moto *awsemu.Moto

func TestMain(m *testing.M) { os.Exit(awsemu.RunWithMoto(m, &moto, nil)) }

// stack is what the SAM template deploys, emulated: the report topic with a queue subscribed
// to it (standing in for the team's mailbox), and a handler built as main builds it.
type stack struct {
	t       *testing.T
	ctx     context.Context
	shim    *awsemu.Shim
	cfg     aws.Config
	topic   string
	inbox   string
	sqs     *sqs.Client
	handler *nightly.Handler
	logs    *strings.Builder
}

func newStack(t *testing.T, env map[string]string) *stack {
	t.Helper()
	ctx := context.Background()
	shim := awsemu.FreshShim(t, moto)
	cfg := awsemu.AWSConfig(shim.URL, region)
	s := &stack{t: t, ctx: ctx, shim: shim, cfg: cfg, sqs: sqs.NewFromConfig(cfg), logs: &strings.Builder{}}

	topic, err := sns.NewFromConfig(cfg).CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("drift-report")})
	if err != nil {
		t.Fatal(err)
	}
	s.topic = aws.ToString(topic.TopicArn)
	queue, err := s.sqs.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("report-inbox")})
	if err != nil {
		t.Fatal(err)
	}
	s.inbox = aws.ToString(queue.QueueUrl)
	if _, err := sns.NewFromConfig(cfg).Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("sqs"),
		Endpoint: aws.String("arn:aws:sqs:" + region + ":123456789012:report-inbox")}); err != nil {
		t.Fatal(err)
	}

	vars := map[string]string{nightly.EnvRegions: region, nightly.EnvReportTopicARN: s.topic}
	for k, v := range env {
		vars[k] = v
	}
	conf, err := nightly.LoadConfig(func(k string) string { return vars[k] })
	if err != nil {
		t.Fatal(err)
	}
	conf.Audit.Limits = conf.Audit.Limits.Scaled(1000)
	s.handler = &nightly.Handler{
		Config:  conf,
		AWS:     cfg,
		Metrics: cloudwatch.NewFromConfig(cfg),
		Topic:   sns.NewFromConfig(cfg),
		Logger:  slog.New(slog.NewJSONHandler(s.logs, nil)),
		Now:     func() time.Time { return time.Date(2026, 11, 27, 3, 0, 0, 0, time.UTC) },

		SecurityHub: securityhubsdk.NewFromConfig(cfg), // used when SECURITY_HUB is set
	}
	return s
}

func (s *stack) seed(build func(*seed.Builder) error) {
	s.t.Helper()
	if err := build(seed.ForConfig(s.ctx, s.cfg)); err != nil {
		s.t.Fatal(err)
	}
	s.shim.ResetLog()
}

// invoke calls the handler with a payload from testdata, inside a Lambda-like deadline.
func (s *stack) invoke(payloadFile string, timeout time.Duration) error {
	s.t.Helper()
	payload, err := os.ReadFile(filepath.Join("testdata", payloadFile))
	if err != nil {
		s.t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(s.ctx, timeout)
	defer cancel()
	return s.handler.Handle(ctx, payload)
}

// notification is the SNS envelope a subscribed queue receives.
type notification struct {
	Subject           string
	Message           string
	MessageAttributes map[string]struct{ Type, Value string }
}

func (s *stack) received() []notification {
	s.t.Helper()
	out, err := s.sqs.ReceiveMessage(s.ctx, &sqs.ReceiveMessageInput{QueueUrl: &s.inbox, MaxNumberOfMessages: 10})
	if err != nil {
		s.t.Fatal(err)
	}
	var ns []notification
	for _, m := range out.Messages {
		var n notification
		if err := json.Unmarshal([]byte(aws.ToString(m.Body)), &n); err != nil {
			s.t.Fatalf("queue message is not an SNS notification: %v", err)
		}
		ns = append(ns, n)
	}
	return ns
}
