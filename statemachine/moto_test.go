package statemachine_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/apigw-drift/driftaudit/internal/awsemu"
)

// The definition runs in moto 5.2.5, whose Step Functions engine executes state machines once
// POST /moto-api/config turns it on. The engine calls the services a state uses at
// http://localhost:$MOTO_PORT; TestMain points MOTO_PORT at lambdas, a fake that answers the
// Lambda invocations itself, as the test at hand says, records them, and passes everything else
// (the map's S3 reads and writes) on to moto. So a test sees the exact payload each function
// would get, and chooses each answer, a failure or a throttle included: moto's own Lambda stubs
// answer from one queue shared by every function, in invocation order, and fail only when an
// answer exceeds 6 MB.

var (
	moto    *awsemu.Moto
	lambdas = &fakeLambdas{}
)

func TestMain(m *testing.M) {
	os.Exit(runWithFakeLambdas(m))
}

func runWithFakeLambdas(m *testing.M) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	srv := &http.Server{Handler: lambdas, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(l) }()
	defer srv.Close()
	// moto_server keeps a MOTO_PORT it inherits: its engine then calls the fake.
	os.Setenv("MOTO_PORT", fmt.Sprint(l.Addr().(*net.TCPAddr).Port))
	return awsemu.RunWithMoto(m, &moto, nil)
}

// invocation is one Lambda Invoke the state machine made.
type invocation struct {
	Function string // the name part of the function's ARN
	Payload  map[string]any
}

// answer is what a fake function returns: a payload, a function error (errorType) or, with
// Throttle, Lambda's 429 TooManyRequestsException.
type answer struct {
	Payload   any
	ErrorType string
	Throttle  bool
}

type fakeLambdas struct {
	mu       sync.Mutex
	upstream *httputil.ReverseProxy
	answer   func(function string, payload map[string]any, attempt int) answer
	calls    []invocation
}

var invokePath = regexp.MustCompile(`^/2015-03-31/functions/([^/]+)/invocations$`)

// serve makes the fake answer with f, and pass the rest on to moto at motoURL, until the test ends.
func (f *fakeLambdas) serve(t *testing.T, motoURL string, answer func(function string, payload map[string]any, attempt int) answer) {
	u, err := url.Parse(motoURL)
	if err != nil {
		t.Fatal(err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.upstream, f.answer, f.calls = httputil.NewSingleHostReverseProxy(u), answer, nil
	t.Cleanup(func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.upstream, f.answer = nil, nil
	})
}

func (f *fakeLambdas) invocations() []invocation {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.calls)
}

func (f *fakeLambdas) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	upstream, answerFor := f.upstream, f.answer
	f.mu.Unlock()
	m := invokePath.FindStringSubmatch(r.URL.EscapedPath())
	if m == nil || r.Method != http.MethodPost {
		if upstream == nil {
			http.Error(w, "no test is running", http.StatusServiceUnavailable)
			return
		}
		upstream.ServeHTTP(w, r)
		return
	}
	if answerFor == nil {
		http.Error(w, "no test is running", http.StatusServiceUnavailable)
		return
	}
	arn, _ := url.PathUnescape(m[1])
	function := arn[strings.LastIndex(arn, ":")+1:]
	body, _ := io.ReadAll(r.Body)
	var payload map[string]any
	if err := json.Unmarshal(body, &payload); err != nil {
		http.Error(w, "payload is not a JSON object: "+err.Error(), http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	attempt := 1
	for _, c := range f.calls {
		if c.Function == function && sameJSON(c.Payload, payload) {
			attempt++
		}
	}
	f.calls = append(f.calls, invocation{Function: function, Payload: payload})
	f.mu.Unlock()

	a := answerFor(function, payload, attempt)
	w.Header().Set("Content-Type", "application/json")
	// moto's engine names a Lambda error with the request id, as Step Functions does.
	w.Header().Set("X-Amzn-RequestId", fmt.Sprintf("fake-%d", len(f.invocations())))
	switch {
	case a.Throttle:
		w.Header().Set("X-Amzn-ErrorType", "TooManyRequestsException")
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = w.Write([]byte(`{"Type":"User","message":"Rate Exceeded."}`))
	case a.ErrorType != "":
		w.Header().Set("X-Amz-Function-Error", "Unhandled")
		_ = json.NewEncoder(w).Encode(map[string]string{"errorType": a.ErrorType, "errorMessage": "the test said so"})
	default:
		w.Header().Set("X-Amz-Executed-Version", "$LATEST")
		_ = json.NewEncoder(w).Encode(a.Payload)
	}
}

func sameJSON(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

const (
	bucket    = "drift-runs"
	fnPrefix  = "arn:aws:lambda:us-east-1:123456789012:function:drift-"
	night     = "2026-12-02T03:00:00Z"
	nightRun  = "2026-12-02T03-00-00Z_nightly-2026-12-02"
	planKey   = "runs/" + nightRun + "/plan.json"
	execution = "nightly-2026-12-02"
)

// harness is one test's moto: a bucket and the repository's definition deployed with test
// substitutions.
type harness struct {
	t   *testing.T
	ctx context.Context
	sfn *sfn.Client
	s3  *s3.Client
	sm  string
}

// newHarness deploys the definition, after edit (if not nil) changes it.
func newHarness(t *testing.T, edit func(def map[string]any)) *harness {
	t.Helper()
	ctx := context.Background()
	if err := moto.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post(moto.URL+"/moto-api/config", "application/json",
		strings.NewReader(`{"stepfunctions": {"execute_state_machine": true}}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	cfg := awsemu.AWSConfig(moto.URL, "us-east-1")
	h := &harness{t: t, ctx: ctx, sfn: sfn.NewFromConfig(cfg),
		s3: s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })}
	if _, err := h.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	def, err := substitute(string(readFile(t, definitionFile)), map[string]string{
		"PlannerFunctionArn": fnPrefix + "planner", "ScannerFunctionArn": fnPrefix + "scanner",
		"JoinFunctionArn": fnPrefix + "join", "RunsBucket": bucket,
		"MaxConcurrency": "2", "ToleratedFailurePercentage": "5",
	})
	if err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		var d map[string]any
		if err := json.Unmarshal([]byte(def), &d); err != nil {
			t.Fatal(err)
		}
		edit(d)
		b, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		def = string(b)
	}
	out, err := h.sfn.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{
		Name: aws.String("drift-org-audit"), Definition: aws.String(def), Type: sfntypes.StateMachineTypeStandard,
		RoleArn: aws.String("arn:aws:iam::123456789012:role/drift-org-audit"),
	})
	if err != nil {
		t.Fatalf("moto refused the definition: %v", err)
	}
	h.sm = aws.ToString(out.StateMachineArn)
	return h
}

// run starts a named execution with input and waits for its end.
func (h *harness) run(name, input string) *sfn.DescribeExecutionOutput {
	h.t.Helper()
	start, err := h.sfn.StartExecution(h.ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(h.sm), Name: aws.String(name), Input: aws.String(input)})
	if err != nil {
		h.t.Fatal(err)
	}
	deadline := time.Now().Add(time.Minute)
	for {
		out, err := h.sfn.DescribeExecution(h.ctx, &sfn.DescribeExecutionInput{ExecutionArn: start.ExecutionArn})
		if err != nil {
			h.t.Fatal(err)
		}
		if out.Status != sfntypes.ExecutionStatusRunning {
			return out
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("execution %s still running after a minute", name)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// plan is the organization of the tests: two accounts, three account-regions.
var plan = []map[string]any{
	{"account_id": "111111111111", "region": "us-east-1"},
	{"account_id": "111111111111", "region": "eu-west-1"},
	{"account_id": "222222222222", "region": "us-east-1"},
}

var planResult = map[string]any{"run_id": nightRun, "bucket": bucket, "key": planKey, "items": 3.0, "accounts": 2.0}

// planner writes plan.json as the real one does and answers where it is.
func (h *harness) planner() answer {
	body, _ := json.Marshal(plan)
	if _, err := h.s3.PutObject(h.ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(planKey), Body: bytes.NewReader(body)}); err != nil {
		h.t.Error(err)
	}
	return answer{Payload: planResult}
}

func scanSummary(p map[string]any) answer {
	return answer{Payload: map[string]any{
		"account_id": p["account_id"], "region": p["region"],
		"key":      fmt.Sprintf("runs/%s/items/%s/%s.json", p["run_id"], p["account_id"], p["region"]),
		"findings": 0, "by_severity": map[string]int{}, "errors": 0, "complete": true,
	}}
}

var joinResult = map[string]any{"run_id": nightRun, "key": "runs/" + nightRun + "/report.json", "accounts": 2.0, "findings": 0.0, "errors": 1.0, "complete": false}

func byFunction(calls []invocation, function string) []map[string]any {
	var out []map[string]any
	for _, c := range calls {
		if c.Function == function {
			out = append(out, c.Payload)
		}
	}
	return out
}

func jsonText(v any) string {
	b, _ := json.MarshalIndent(v, "", "  ")
	return string(b)
}

// TestNightlyRun: the schedule's input reaches the planner, plan.json feeds the map, each item
// reaches a scanner in the contract's shape, and the join runs after a child failed, with the
// state the contract describes (the map's limits, which the definition reads from template
// parameters, stay out of it).
func TestNightlyRun(t *testing.T) {
	h := newHarness(t, nil)
	lambdas.serve(t, moto.URL, func(fn string, p map[string]any, _ int) answer {
		switch fn {
		case "drift-planner":
			return h.planner()
		case "drift-scanner":
			if p["account_id"] == "222222222222" {
				return answer{ErrorType: "ScanCrashed"}
			}
			return scanSummary(p)
		}
		return answer{Payload: joinResult}
	})

	out := h.run(execution, `{"scheduled_time": "`+night+`"}`)
	if out.Status != sfntypes.ExecutionStatusSucceeded {
		t.Fatalf("execution %s: %s %s", out.Status, aws.ToString(out.Error), aws.ToString(out.Cause))
	}
	var output map[string]any
	if err := json.Unmarshal([]byte(aws.ToString(out.Output)), &output); err != nil || !sameJSON(output, joinResult) {
		t.Errorf("execution output %s, want the join's answer", aws.ToString(out.Output))
	}

	calls := lambdas.invocations()
	if got := byFunction(calls, "drift-planner"); len(got) != 1 || !startedAt(got[0]) ||
		!sameJSON(got[0], map[string]any{"execution_name": execution, "input": map[string]any{"scheduled_time": night}}) {
		t.Errorf("planner payloads %s", jsonText(got))
	}
	var scans []string
	for _, p := range byFunction(calls, "drift-scanner") {
		if len(p) != 3 || p["run_id"] != nightRun {
			t.Errorf("scanner payload %s, want run_id, account_id and region", jsonText(p))
		}
		scans = append(scans, fmt.Sprintf("%v/%v", p["account_id"], p["region"]))
	}
	slices.Sort(scans)
	// Each item of plan.json once; the one that fails, three times (States.TaskFailed is
	// retried twice: a scanner fails only when it cannot write its report).
	if want := []string{"111111111111/eu-west-1", "111111111111/us-east-1", "222222222222/us-east-1", "222222222222/us-east-1", "222222222222/us-east-1"}; !slices.Equal(scans, want) {
		t.Errorf("scanned %v, want %v", scans, want)
	}

	joins := byFunction(calls, "drift-join")
	if len(joins) != 1 || calls[len(calls)-1].Function != "drift-join" {
		t.Fatalf("want one join, after every scan; calls %s", jsonText(calls))
	}
	if joins[0]["execution_name"] != execution || !startedAt(joins[0]) {
		t.Errorf("join execution_name %v", joins[0]["execution_name"])
	}
	state, _ := joins[0]["state"].(map[string]any)
	if got := slices.Sorted(maps.Keys(state)); !slices.Equal(got, []string{"map", "plan", "scheduled_time"}) {
		t.Errorf("the join's state holds %v, want the input's scheduled_time, plan and map: %s", got, jsonText(state))
	}
	if !sameJSON(state["plan"], planResult) {
		t.Errorf("state.plan %s, want the planner's answer %s", jsonText(state["plan"]), jsonText(planResult))
	}
	mapRun, _ := state["map"].(map[string]any)["map_run"].(map[string]any)
	manifest, _ := mapRun["ResultWriterDetails"].(map[string]any)
	if manifest["Bucket"] != bucket || !strings.HasPrefix(fmt.Sprint(manifest["Key"]), "map-results/") {
		t.Errorf("state.map %s, want the map run and its results under map-results/", jsonText(state["map"]))
	}
	if _, err := h.s3.HeadObject(h.ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(fmt.Sprint(manifest["Key"]))}); err != nil {
		t.Errorf("the map's manifest %v: %v", manifest["Key"], err)
	}

	// The limits came from the substitutions, through States.StringToJson and the *Path fields.
	run, err := h.sfn.DescribeMapRun(h.ctx, &sfn.DescribeMapRunInput{MapRunArn: aws.String(fmt.Sprint(mapRun["MapRunArn"]))})
	if err != nil {
		t.Fatal(err)
	}
	if run.MaxConcurrency != 2 || run.ToleratedFailurePercentage != 5 {
		t.Errorf("map run MaxConcurrency %d, ToleratedFailurePercentage %v; want 2 and 5 from the substitutions", run.MaxConcurrency, run.ToleratedFailurePercentage)
	}
	if c := run.ItemCounts; c.Total != 3 || c.Succeeded != 2 || c.Failed != 1 {
		t.Errorf("map run items: %d total, %d succeeded, %d failed; want 3, 2, 1", c.Total, c.Succeeded, c.Failed)
	}
}

// TestFailedPlanStillJoins: a planner that fails sends the run straight to the join, which
// gets the error as plan_error; nothing is scanned. A manual start without scheduled_time
// reaches the planner as it is.
func TestFailedPlanStillJoins(t *testing.T) {
	h := newHarness(t, nil)
	lambdas.serve(t, moto.URL, func(fn string, _ map[string]any, _ int) answer {
		if fn == "drift-planner" {
			return answer{ErrorType: "PlanFailed"}
		}
		return answer{Payload: joinResult}
	})
	out := h.run("manual-1", `{}`)
	if out.Status != sfntypes.ExecutionStatusSucceeded {
		t.Fatalf("execution %s: %s %s", out.Status, aws.ToString(out.Error), aws.ToString(out.Cause))
	}
	calls := lambdas.invocations()
	if len(calls) != 2 || calls[0].Function != "drift-planner" || calls[1].Function != "drift-join" {
		t.Fatalf("want the planner then the join; calls %s", jsonText(calls))
	}
	if !startedAt(calls[0].Payload) || !sameJSON(calls[0].Payload, map[string]any{"execution_name": "manual-1", "input": map[string]any{}}) {
		t.Errorf("planner payload %s", jsonText(calls[0].Payload))
	}
	state, _ := calls[1].Payload["state"].(map[string]any)
	planErr, _ := state["plan_error"].(map[string]any)
	if len(state) != 1 || planErr["Error"] != "PlanFailed" {
		t.Errorf("the join's state %s, want only plan_error with Error PlanFailed", jsonText(state))
	}
}

// TestFailedMapStillJoins: a ScanAll that fails goes to the join, which gets the error as
// map_error and no map. In AWS a failing map fails with States.ItemReaderFailed,
// States.ExceedToleratedFailureThreshold or States.ResultWriterFailed, which ScanAll's
// States.ALL catcher takes. moto 5.2.5 can show none of them: it does not enforce the tolerance
// (a failed child leaves the map run SUCCEEDED, as TestNightlyRun sees), turns an unreadable
// plan.json into States.Runtime (which no catcher takes, in AWS either), and cannot pass a
// "States." error out of a Parallel branch (it raises "Custom Error Names MUST NOT begin with the
// prefix 'States.'" instead). So this test keeps the repository's ScanAll state, its Catch,
// ResultSelector and ResultPath, and swaps its branch for one that fails with an error of the
// test's own name.
func TestFailedMapStillJoins(t *testing.T) {
	h := newHarness(t, func(def map[string]any) {
		state(def, "ScanAll")["Branches"] = []any{map[string]any{
			"StartAt": "MapFails",
			"States":  map[string]any{"MapFails": map[string]any{"Type": "Fail", "Error": "MapFailed", "Cause": "the test said so"}},
		}}
	})
	lambdas.serve(t, moto.URL, func(fn string, _ map[string]any, _ int) answer {
		if fn == "drift-planner" {
			return h.planner()
		}
		return answer{Payload: joinResult}
	})
	out := h.run(execution, `{"scheduled_time": "`+night+`"}`)
	if out.Status != sfntypes.ExecutionStatusSucceeded {
		t.Fatalf("execution %s: %s %s", out.Status, aws.ToString(out.Error), aws.ToString(out.Cause))
	}
	joins := byFunction(lambdas.invocations(), "drift-join")
	if len(joins) != 1 {
		t.Fatalf("%d joins, want 1", len(joins))
	}
	state, _ := joins[0]["state"].(map[string]any)
	mapErr, _ := state["map_error"].(map[string]any)
	if got := slices.Sorted(maps.Keys(state)); !slices.Equal(got, []string{"map_error", "plan", "scheduled_time"}) ||
		mapErr["Error"] != "MapFailed" || mapErr["Cause"] != "the test said so" {
		t.Errorf("the join's state %s, want scheduled_time, plan and map_error MapFailed", jsonText(state))
	}
}

// TestThrottledInvocationsAreRetried: Lambda's TooManyRequestsException is retried, for the
// planner, a scanner in its child execution and the join alike (each answers 429 once).
func TestThrottledInvocationsAreRetried(t *testing.T) {
	h := newHarness(t, nil)
	lambdas.serve(t, moto.URL, func(fn string, p map[string]any, attempt int) answer {
		throttled := attempt == 1 && (fn != "drift-scanner" || p["region"] == "eu-west-1")
		switch {
		case throttled:
			return answer{Throttle: true}
		case fn == "drift-planner":
			return h.planner()
		case fn == "drift-scanner":
			return scanSummary(p)
		}
		return answer{Payload: joinResult}
	})
	out := h.run(execution, `{"scheduled_time": "`+night+`"}`)
	if out.Status != sfntypes.ExecutionStatusSucceeded {
		t.Fatalf("execution %s: %s %s", out.Status, aws.ToString(out.Error), aws.ToString(out.Cause))
	}
	counts := map[string]int{}
	for _, c := range lambdas.invocations() {
		counts[c.Function]++
	}
	if want := map[string]int{"drift-planner": 2, "drift-scanner": 4, "drift-join": 2}; !sameJSON(counts, want) {
		t.Errorf("invocations %v, want %v (one retry each for the planner, the eu-west-1 scan and the join)", counts, want)
	}
}

// startedAt checks that a payload carries the execution's start time (the join measures the
// run's duration from it) and removes it, leaving the rest to compare.
func startedAt(p map[string]any) bool {
	v, ok := p["execution_start"].(string)
	delete(p, "execution_start")
	_, err := time.Parse(time.RFC3339, v)
	return ok && err == nil
}
