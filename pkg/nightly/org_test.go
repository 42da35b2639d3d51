package nightly_test

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/apigw-drift/driftaudit/internal/awsemu"
	"github.com/apigw-drift/driftaudit/internal/seed"
	"github.com/apigw-drift/driftaudit/pkg/nightly"
	"github.com/apigw-drift/driftaudit/pkg/report"
)

const runsBucket = "drift-runs"

// orgStack is the organization mode: the stack's topic and metrics, a runs bucket, the
// organization fixture with one member's role denied, and the three roles of the binary, each
// running with assumed-role credentials of the management account, as a Lambda does.
type orgStack struct {
	*stack
	fx                  seed.OrgFixture
	plan, scanner, join *nightly.Handler
}

func newOrgStack(t *testing.T, env map[string]string) *orgStack {
	t.Helper()
	vars := map[string]string{nightly.EnvRegions: "eu-west-1,us-east-1", nightly.EnvRunsBucket: runsBucket, nightly.EnvDisabledChecks: "hygiene"}
	for k, v := range env {
		vars[k] = v
	}
	s := newStack(t, vars)
	fx, err := seed.OrgDemo(s.ctx, s.cfg, []string{"eu-west-1", "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s3.NewFromConfig(s.cfg).CreateBucket(s.ctx, &s3.CreateBucketInput{Bucket: aws.String(runsBucket)}); err != nil {
		t.Fatal(err)
	}
	s.shim.AddFault(awsemu.DeniedRole(fx.Denied, "DriftAuditorReadOnly"))
	lambdaCfg, err := seed.Member(s.ctx, s.cfg, fx.Management)
	if err != nil {
		t.Fatal(err)
	}
	s.shim.ResetLog()
	o := &orgStack{stack: s, fx: fx}
	vars[nightly.EnvReportTopicARN] = s.topic
	for role, h := range map[string]**nightly.Handler{nightly.RolePlan: &o.plan, nightly.RoleScan: &o.scanner, nightly.RoleJoin: &o.join} {
		vars[nightly.EnvRole] = role
		conf, err := nightly.LoadConfig(func(k string) string { return vars[k] })
		if err != nil {
			t.Fatal(err)
		}
		conf.Audit.Limits = s.handler.Config.Audit.Limits
		c := *s.handler
		c.Config = conf
		c.AWS = lambdaCfg
		c.Runs = s3.NewFromConfig(lambdaCfg)
		c.Organizations = organizations.NewFromConfig(lambdaCfg)
		*h = &c
	}
	return o
}

func (o *orgStack) call(h *nightly.Handler, payload string, out any) {
	o.t.Helper()
	got, err := h.Invoke(o.ctx, json.RawMessage(payload))
	if err != nil {
		o.t.Fatalf("%s %s: %v", h.Config.Role, payload, err)
	}
	b, _ := json.Marshal(got)
	if err := json.Unmarshal(b, out); err != nil {
		o.t.Fatal(err)
	}
}

func (o *orgStack) object(key string) []byte {
	o.t.Helper()
	out, err := s3.NewFromConfig(o.cfg).GetObject(o.ctx, &s3.GetObjectInput{Bucket: aws.String(runsBucket), Key: aws.String(key)})
	if err != nil {
		o.t.Fatalf("read %s: %v", key, err)
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		o.t.Fatal(err)
	}
	return b
}

const trigger = `{"scheduled_time": "2026-12-02T03:00:00Z"}`

// TestOrganizationRun runs the three roles as the state machine would, against moto: the plan
// crosses the organization's five accounts with two regions; the scanner runs each item but
// one (a child that failed after its retries), and the denied member's items are data, not
// failures; the join lists what was written, calls the missing item an error, merges one
// report with each readable account's exact findings, writes it to S3, mails it naming it, and
// publishes no Findings datum for the incomplete organization.
func TestOrganizationRun(t *testing.T) {
	o := newOrgStack(t, nil)
	var plan nightly.PlanOutput
	o.call(o.plan, `{"execution_name": "nightly-abc", "execution_start": "2026-11-27T03:00:00Z", "input": `+trigger+`}`, &plan)
	if plan.RunID != "2026-12-02T03-00-00Z" || plan.Key != "runs/2026-12-02T03-00-00Z/plan.json" || plan.Items != 10 || plan.Accounts != 5 || plan.Bucket != runsBucket {
		t.Fatalf("plan %+v", plan)
	}
	var items []nightly.Item
	if err := json.Unmarshal(o.object(plan.Key), &items); err != nil || len(items) != 10 {
		t.Fatalf("work list %d items, %v", len(items), err)
	}

	failed := nightly.Item{AccountID: o.fx.Members[0], Region: "eu-west-1"}
	for _, it := range items {
		if it == failed {
			continue
		}
		var out nightly.ScanOutput
		o.call(o.scanner, fmt.Sprintf(`{"run_id": %q, "account_id": %q, "region": %q}`, plan.RunID, it.AccountID, it.Region), &out)
		denied := it.AccountID == o.fx.Denied
		if out.Complete == denied || (denied && out.Errors != 1) || out.Key != "runs/"+plan.RunID+"/items/"+it.AccountID+"/"+it.Region+".json" {
			t.Errorf("item %+v: %+v", it, out)
		}
	}

	var joined nightly.JoinOutput
	o.call(o.join, fmt.Sprintf(`{"execution_name": "nightly-abc", "state": {"input": %s, "plan": %s,
		"map_error": {"Error": "States.ExceedToleratedFailureThreshold", "Cause": "1 of 10 items failed"}}}`, trigger, mustJSON(plan)), &joined)
	if joined.Complete || joined.Accounts != 5 || joined.Errors != 3 || joined.Key != "runs/"+plan.RunID+"/report.json" {
		t.Errorf("join %+v", joined)
	}
	rep, err := report.Decode(strings.NewReader(string(o.object(joined.Key))))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	for _, f := range rep.Findings {
		got[f.AccountID] = append(got[f.AccountID], f.Region+" "+f.Check)
	}
	for _, acct := range append([]string{o.fx.Management}, o.fx.Members...) {
		want := o.fx.Want[acct]
		if acct == failed.AccountID {
			want = nil // its only finding is in the item that left no report
		}
		if slices.Sort(got[acct]); !slices.Equal(got[acct], want) {
			t.Errorf("account %s: %q, want %q", acct, got[acct], want)
		}
	}
	var errs []string
	for _, e := range rep.Errors {
		errs = append(errs, e.AccountID+" "+e.Region+" "+e.Operation)
		if e.Operation == nightly.OpScan && !strings.Contains(e.Message, "States.ExceedToleratedFailureThreshold") {
			t.Errorf("the missing item's error does not say why: %s", e.Message)
		}
	}
	slices.Sort(errs)
	want := []string{failed.AccountID + " eu-west-1 Scan", o.fx.Denied + " eu-west-1 AssumeRole", o.fx.Denied + " us-east-1 AssumeRole"}
	slices.Sort(want)
	if !slices.Equal(errs, want) {
		t.Errorf("errors %q, want %q", errs, want)
	}

	msgs := o.received()
	if len(msgs) != 1 {
		t.Fatalf("%d report messages, want 1", len(msgs))
	}
	if n := msgs[0]; !strings.Contains(n.Subject, "in 5 accounts") || !strings.Contains(n.Subject, "(incomplete scan)") ||
		!strings.Contains(n.Message, "s3://"+runsBucket+"/runs/"+plan.RunID+"/report.json") || !strings.Contains(n.Message, "Accounts, worst first:") {
		t.Errorf("report message:\n%s\n%s", n.Subject, n.Message)
	}
	if v, ok := o.metric("AccountsScanned"); !ok || v != 5 {
		t.Errorf("AccountsScanned = %v (%v), want 5", v, ok)
	}
	if v, ok := o.metric("Complete"); !ok || v != 0 {
		t.Errorf("Complete = %v (%v), want 0", v, ok)
	}
	if v, ok := o.metric("Findings", "Severity", "critical"); ok {
		t.Errorf("an incomplete organization published Findings critical = %v", v)
	}
}

// TestOrganizationRunComplete: a fixed account list without the denied member, every item
// scanned: the join's report is complete, equals the CLI's audit of the same accounts, and
// publishes organization totals by Check and Severity, and per account when asked.
func TestOrganizationRunComplete(t *testing.T) {
	o := newOrgStack(t, map[string]string{nightly.EnvPerAccountMetrics: "true"})
	ids := []string{o.fx.Management, o.fx.Members[0], o.fx.Members[1], o.fx.Members[2]}
	o.plan.Config.Audit.Accounts = ids
	var plan nightly.PlanOutput
	o.call(o.plan, `{"execution_name": "by-hand-1", "input": {}}`, &plan)
	if plan.RunID != "by-hand-1" || plan.Items != 8 {
		t.Fatalf("plan %+v", plan)
	}
	var items []nightly.Item
	if err := json.Unmarshal(o.object(plan.Key), &items); err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		var out nightly.ScanOutput
		o.call(o.scanner, fmt.Sprintf(`{"run_id": %q, "account_id": %q, "region": %q}`, plan.RunID, it.AccountID, it.Region), &out)
	}
	var joined nightly.JoinOutput
	o.call(o.join, fmt.Sprintf(`{"execution_name": "by-hand-1", "state": {"input": {}, "plan": %s, "map": {}}}`, mustJSON(plan)), &joined)
	if !joined.Complete || joined.Errors != 0 || joined.Accounts != 4 {
		t.Fatalf("join %+v", joined)
	}
	if v, ok := o.metric("Findings", "Severity", "critical"); !ok || v != 2 {
		t.Errorf("organization Findings critical = %v (%v), want 2 (undeployed-changes, base-path-gap)", v, ok)
	}
	if v, ok := o.metric("Findings", "Check", "unkeyed-usage-plan"); !ok || v != 1 {
		t.Errorf("organization Findings unkeyed-usage-plan = %v (%v), want 1", v, ok)
	}
	if v, ok := o.metric("Findings", "Severity", "warning", "AccountId", o.fx.Members[1]); !ok || v != 2 {
		t.Errorf("per-account Findings warning of %s = %v (%v), want 2 (missing-options, unkeyed-usage-plan)", o.fx.Members[1], v, ok)
	}
	if v, ok := o.metric("Complete", "AccountId", o.fx.Management); !ok || v != 1 {
		t.Errorf("per-account Complete of the management account = %v (%v), want 1", v, ok)
	}
}

// TestOrganizationRunPlanFailed: when the planner fails (Organizations denied), the join still
// runs: one Plan error, Complete 0, and the report says that no account was read.
func TestOrganizationRunPlanFailed(t *testing.T) {
	o := newOrgStack(t, nil)
	o.shim.AddFault(awsemu.Fault{Service: "organizations", Operation: "ListAccounts", Kind: awsemu.FaultStatus, Status: 400, ErrorType: "AccessDeniedException", Message: "You don't have permissions to access this resource."})
	if _, err := o.plan.Invoke(o.ctx, json.RawMessage(`{"execution_name": "n1", "input": `+trigger+`}`)); err == nil || !strings.Contains(err.Error(), "organizations:ListAccounts") {
		t.Fatalf("plan with Organizations denied: %v", err)
	}
	var joined nightly.JoinOutput
	o.call(o.join, `{"execution_name": "n1", "state": {"input": `+trigger+`, "plan_error": {"Error": "AccessDeniedException", "Cause": "organizations:ListAccounts denied"}}}`, &joined)
	if joined.Complete || joined.Errors != 1 || joined.RunID != "2026-12-02T03-00-00Z" {
		t.Errorf("join %+v", joined)
	}
	if msgs := o.received(); len(msgs) != 1 || !strings.Contains(msgs[0].Message, "the planner failed: AccessDeniedException organizations:ListAccounts denied; no account was read") {
		t.Errorf("report messages %+v", msgs)
	}
	if v, ok := o.metric("Complete"); !ok || v != 0 {
		t.Errorf("Complete = %v (%v), want 0", v, ok)
	}
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}
