package main_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/apigw-drift/driftaudit/internal/awsemu"
	"github.com/apigw-drift/driftaudit/internal/seed"
)

// These tests run the very binary `sam build` produces (built here for the host) under a
// loopback Lambda Runtime API, with the environment the template gives it, against moto
// through the shim: they cover main.go, configuration and wiring.

var (
	moto      *awsemu.Moto
	bootstrap string
)

func TestMain(m *testing.M) { os.Exit(runTests(m)) }

func runTests(m *testing.M) int {
	dir, err := os.MkdirTemp("", "auditor-bootstrap")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	bootstrap = filepath.Join(dir, "bootstrap")
	return awsemu.RunWithMoto(m, &moto, func() error {
		build := exec.Command("go", "build", "-tags", "lambda.norpc", "-trimpath", "-o", bootstrap, ".")
		build.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := build.CombinedOutput(); err != nil {
			return fmt.Errorf("build bootstrap: %v\n%s", err, out)
		}
		return nil
	})
}

// runtimeAPI serves one invocation of the Lambda Runtime API and records the function's answer.
type runtimeAPI struct {
	event    []byte
	deadline time.Time
	answered chan answer
	url      string
}

type answer struct {
	kind string // response, error or init-error
	body []byte
}

func startRuntimeAPI(t *testing.T, event []byte, timeout time.Duration) *runtimeAPI {
	t.Helper()
	api := &runtimeAPI{event: event, deadline: time.Now().Add(timeout), answered: make(chan answer, 4)}
	var served atomic.Bool
	mux := http.NewServeMux()
	mux.HandleFunc("GET /2018-06-01/runtime/invocation/next", func(w http.ResponseWriter, r *http.Request) {
		if served.Swap(true) {
			<-r.Context().Done() // no second invocation: wait until the function is stopped
			return
		}
		w.Header().Set("Lambda-Runtime-Aws-Request-Id", "req-1")
		w.Header().Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(api.deadline.UnixMilli(), 10))
		w.Header().Set("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:123456789012:function:drift-auditor")
		w.Write(api.event)
	})
	record := func(kind string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			api.answered <- answer{kind, body}
			w.WriteHeader(http.StatusAccepted)
		}
	}
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/response", record("response"))
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/error", record("error"))
	mux.HandleFunc("POST /2018-06-01/runtime/init/error", record("init-error"))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: mux}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	api.url = ln.Addr().String()
	return api
}

// env is the function's environment: what the template sets, with values for this account.
func env(runtime, endpoint string, vars map[string]string) []string {
	e := []string{
		"PATH=" + os.Getenv("PATH"),
		"AWS_LAMBDA_RUNTIME_API=" + runtime,
		"AWS_ENDPOINT_URL=" + endpoint,
		"AWS_REGION=us-east-1",
		"AWS_ACCESS_KEY_ID=AKIAFAKE", "AWS_SECRET_ACCESS_KEY=fake",
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_LAMBDA_FUNCTION_NAME=drift-auditor",
		"AWS_LAMBDA_LOG_FORMAT=JSON",
		"AWS_LAMBDA_LOG_GROUP_NAME=/aws/lambda/drift-auditor",
	}
	for k, v := range vars {
		e = append(e, k+"="+v)
	}
	return e
}

func TestBootstrapRunsAScheduledAudit(t *testing.T) {
	ctx := context.Background()
	shim := awsemu.FreshShim(t, moto)
	cfg := awsemu.AWSConfig(shim.URL, "us-east-1")
	if err := seed.Demo(seed.ForConfig(ctx, cfg), time.Sleep); err != nil {
		t.Fatal(err)
	}
	topic, err := sns.NewFromConfig(cfg).CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("report")})
	if err != nil {
		t.Fatal(err)
	}
	q, err := sqs.NewFromConfig(cfg).CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("inbox")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sns.NewFromConfig(cfg).Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("sqs"),
		Endpoint: aws.String("arn:aws:sqs:us-east-1:123456789012:inbox")}); err != nil {
		t.Fatal(err)
	}

	event, err := os.ReadFile(filepath.Join("..", "..", "pkg", "nightly", "testdata", "scheduler-event.json"))
	if err != nil {
		t.Fatal(err)
	}
	a, stdout := invoke(t, shim.URL, event, map[string]string{
		"REGIONS": "us-east-1", "METRIC_NAMESPACE": "APIGatewayDrift", "REPORT_TOPIC_ARN": aws.ToString(topic.TopicArn),
		"PER_API_METRICS": "false", "REPORT_ONLY_WITH_FINDINGS": "false", "CORS_TAG": "cors", "SECURITY_HUB": "true",
	})
	if a.kind != "response" {
		t.Fatalf("the function answered %s: %s", a.kind, a.body)
	}
	// SECURITY_HUB: the findings are in Security Hub, a fix cut to 512 characters pointing at
	// this invocation's logs.
	hub, err := securityhub.NewFromConfig(cfg).GetFindings(ctx, &securityhub.GetFindingsInput{MaxResults: aws.Int32(100)})
	if err != nil || len(hub.Findings) != 61 {
		t.Fatalf("Security Hub holds %d findings (%v), want the demo's 61", len(hub.Findings), err)
	}
	pointers := 0
	for _, f := range hub.Findings {
		if f.Remediation != nil && strings.HasSuffix(aws.ToString(f.Remediation.Recommendation.Text), `request req-1 (one "finding" record per finding))`) {
			pointers++
		}
	}
	if pointers == 0 {
		t.Errorf("no cut remediation points at the invocation's logs")
	}

	msgs, err := sqs.NewFromConfig(cfg).ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl})
	if err != nil || len(msgs.Messages) != 1 {
		t.Fatalf("want one report in the inbox: %v %v", msgs, err)
	}
	var n struct{ Subject, Message string }
	json.Unmarshal([]byte(aws.ToString(msgs.Messages[0].Body)), &n)
	if n.Subject != "API Gateway drift: 13 critical, 21 warning, 27 info in 123456789012 us-east-1" || !strings.Contains(n.Message, "Summary: 13 critical, 21 warning, 27 info in 7 API(s)") {
		t.Errorf("report: subject %q, body:\n%s", n.Subject, n.Message)
	}
	if shim.Counts()["PutMetricData"] != 1 {
		t.Errorf("metrics not published: %v", shim.Counts())
	}
	// Logs are JSON lines carrying the request id.
	for _, line := range strings.Split(strings.TrimSpace(stdout), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Errorf("log line is not JSON: %q", line)
			continue
		}
		if rec["requestId"] != "req-1" {
			t.Errorf("log line lacks the request id: %q", line)
		}
	}
}

func TestBootstrapRejectsBadConfigurationAtColdStart(t *testing.T) {
	for _, tc := range []struct {
		name, variable, value, want string
	}{
		{"topic not an ARN", "REPORT_TOPIC_ARN", "drift-report", "REPORT_TOPIC_ARN=\"drift-report\": want an SNS topic ARN"},
		{"bad region", "REGIONS", "us-east-1,Frankfurt", `region "Frankfurt" is not a region name`},
		{"bad boolean", "PER_API_METRICS", "maybe", "PER_API_METRICS=\"maybe\": want true or false"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rt := startRuntimeAPI(t, []byte(`{}`), 10*time.Second)
			vars := map[string]string{"REGIONS": "us-east-1", "REPORT_TOPIC_ARN": "arn:aws:sns:us-east-1:123456789012:report"}
			vars[tc.variable] = tc.value
			var stderr bytes.Buffer
			cmd := exec.Command(bootstrap)
			cmd.Env = env(rt.url, "http://127.0.0.1:9", vars)
			cmd.Stderr = &stderr
			err := cmd.Run()
			if err == nil {
				t.Fatal("the cold start should fail")
			}
			msg := strings.TrimSpace(stderr.String())
			if strings.Count(msg, "\n") > 0 || !strings.Contains(msg, tc.want) {
				t.Errorf("stderr %q: want one line saying %q", msg, tc.want)
			}
		})
	}
}

// invoke starts the binary with vars for one invocation of event and returns its answer and,
// once it has exited, what it wrote to stdout (its logs).
func invoke(t *testing.T, endpoint string, event []byte, vars map[string]string) (answer, string) {
	t.Helper()
	rt := startRuntimeAPI(t, event, 60*time.Second)
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(bootstrap)
	cmd.Env = env(rt.url, endpoint, vars)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	stop := func() { cmd.Process.Kill(); cmd.Wait() }
	select {
	case a := <-rt.answered:
		stop() // the buffers are the process's until it has exited
		return a, stdout.String()
	case <-time.After(60 * time.Second):
		stop()
		t.Fatalf("no answer from the function\nstdout: %s\nstderr: %s", stdout.String(), stderr.String())
	}
	return answer{}, ""
}

// invokeOnce is invoke without the logs.
func invokeOnce(t *testing.T, endpoint string, event []byte, vars map[string]string) answer {
	t.Helper()
	a, _ := invoke(t, endpoint, event, vars)
	return a
}

// TestBootstrapRunsTheOrganizationRoles runs the binary as the planner, a scanner and the join
// of an organization run, each with assumed-role credentials as a Lambda has: the planner lists
// the organization, the scanner assumes the member role and writes its report, the join names
// the item that never ran and mails the organization report.
func TestBootstrapRunsTheOrganizationRoles(t *testing.T) {
	ctx := context.Background()
	shim := awsemu.FreshShim(t, moto)
	cfg := awsemu.AWSConfig(shim.URL, "us-east-1")
	members, err := seed.Organization(ctx, cfg, 1)
	if err != nil {
		t.Fatal(err)
	}
	memberCfg, err := seed.Member(ctx, cfg, members[0])
	if err != nil {
		t.Fatal(err)
	}
	b := seed.ForConfig(ctx, memberCfg)
	api := b.API("orders", seed.APIOptions{})
	api.Method("/orders", "GET", seed.Method{Auth: "AWS_IAM"}).Deploy("prod")
	api.Method("/orders", "POST", seed.Method{Auth: "AWS_IAM"})
	if err := b.Err(); err != nil {
		t.Fatal(err)
	}
	if _, err := s3.NewFromConfig(cfg).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("drift-runs")}); err != nil {
		t.Fatal(err)
	}
	topic, err := sns.NewFromConfig(cfg).CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("report")})
	if err != nil {
		t.Fatal(err)
	}
	lambdaCfg, err := seed.Member(ctx, cfg, "123456789012")
	if err != nil {
		t.Fatal(err)
	}
	creds, err := lambdaCfg.Credentials.Retrieve(ctx)
	if err != nil {
		t.Fatal(err)
	}
	vars := func(step string) map[string]string {
		return map[string]string{"AUDITOR_STEP": step, "RUNS_BUCKET": "drift-runs", "REGIONS": "us-east-1", "REPORT_TOPIC_ARN": aws.ToString(topic.TopicArn),
			"MEMBER_ROLE_NAME": "DriftAuditorReadOnly", "DISABLED_CHECKS": "hygiene",
			"AWS_ACCESS_KEY_ID": creds.AccessKeyID, "AWS_SECRET_ACCESS_KEY": creds.SecretAccessKey, "AWS_SESSION_TOKEN": creds.SessionToken}
	}
	decode := func(a answer, v any) {
		t.Helper()
		if a.kind != "response" {
			t.Fatalf("the function answered %s: %s", a.kind, a.body)
		}
		if err := json.Unmarshal(a.body, v); err != nil {
			t.Fatalf("answer %s: %v", a.body, err)
		}
	}

	var plan struct {
		RunID string `json:"run_id"`
		Key   string `json:"key"`
		Items int    `json:"items"`
	}
	decode(invokeOnce(t, shim.URL, []byte(`{"execution_name": "n1", "input": {"scheduled_time": "2026-12-02T03:00:00Z"}}`), vars("plan")), &plan)
	if plan.RunID != "2026-12-02T03-00-00Z_n1" || plan.Items != 2 {
		t.Fatalf("plan %+v, want 2 items (management and member, one region)", plan)
	}
	var item struct {
		Findings int  `json:"findings"`
		Complete bool `json:"complete"`
	}
	decode(invokeOnce(t, shim.URL, []byte(`{"run_id": "`+plan.RunID+`", "account_id": "`+members[0]+`", "region": "us-east-1"}`), vars("scan")), &item)
	if item.Findings != 1 || !item.Complete {
		t.Errorf("the member's item: %+v, want its one undeployed change", item)
	}
	planJSON, _ := json.Marshal(map[string]any{"run_id": plan.RunID, "bucket": "drift-runs", "key": plan.Key, "items": plan.Items, "accounts": 2})
	var joined struct {
		Errors   int  `json:"errors"`
		Complete bool `json:"complete"`
	}
	decode(invokeOnce(t, shim.URL, []byte(`{"execution_name": "n1", "state": {"plan": `+string(planJSON)+`}}`), vars("join")), &joined)
	if joined.Complete || joined.Errors != 1 {
		t.Errorf("join %+v, want incomplete with the management account's item missing", joined)
	}
	if n := shim.Counts()["AssumeRole"]; n < 2 {
		t.Errorf("%d AssumeRole calls: the seeding's and the scanner's into the member are expected", n)
	}
	if shim.Counts()["Publish"] != 1 || shim.Counts()["ListAccounts"] != 1 {
		t.Errorf("calls %v: want one ListAccounts (planner) and one Publish (join)", shim.Counts())
	}
}
