package nightly_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	securityhubsdk "github.com/aws/aws-sdk-go-v2/service/securityhub"

	"github.com/apigw-drift/driftaudit/internal/awsemu"
	"github.com/apigw-drift/driftaudit/internal/cfn"
	"github.com/apigw-drift/driftaudit/internal/seed"
	"github.com/apigw-drift/driftaudit/pkg/nightly"
	"github.com/apigw-drift/driftaudit/pkg/report"
)

const runsBucket = "drift-runs"

// orgStack is the organization mode: the stack's topic and metrics, a runs bucket, the
// organization fixture with one member's role denied, and the three steps of the binary, each
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
	for step, h := range map[string]**nightly.Handler{nightly.StepPlan: &o.plan, nightly.StepScan: &o.scanner, nightly.StepJoin: &o.join} {
		vars[nightly.EnvStep] = step
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
		c.SecurityHub = securityhubsdk.NewFromConfig(lambdaCfg)
		*h = &c
	}
	return o
}

func (o *orgStack) call(h *nightly.Handler, payload string, out any) {
	o.t.Helper()
	got, err := h.Invoke(o.ctx, json.RawMessage(payload))
	if err != nil {
		o.t.Fatalf("%s %s: %v", h.Config.Step, payload, err)
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

// TestOrganizationRun runs the three steps as the state machine would, against moto: the plan
// crosses the organization's five accounts with two regions; the scanner runs each item but
// one (a child that failed after its retries), and the denied member's items are data, not
// failures; the join lists what was written, calls the missing item an error, merges one
// report with each readable account's exact findings, writes it to S3, mails it naming it, and
// publishes no Findings datum for the incomplete organization.
func TestOrganizationRun(t *testing.T) {
	o := newOrgStack(t, nil)
	var plan nightly.PlanOutput
	o.call(o.plan, `{"execution_name": "nightly-abc", "execution_start": "2026-11-27T03:00:00Z", "input": `+trigger+`}`, &plan)
	if plan.RunID != "2026-12-02T03-00-00Z_nightly-abc" || plan.Key != "runs/2026-12-02T03-00-00Z_nightly-abc/plan.json" || plan.Items != 10 || plan.Accounts != 5 || plan.Bucket != runsBucket {
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
	o.call(o.join, fmt.Sprintf(`{"execution_name": "nightly-abc", "state": {"scheduled_time": %q, "plan": %s,
		"map_error": {"Error": "States.ExceedToleratedFailureThreshold", "Cause": "1 of 10 items failed"}}}`, "2026-12-02T03:00:00Z", mustJSON(plan)), &joined)
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

	// A second execution of the same night (a retried schedule) has a prefix of its own: none
	// of the first execution's item reports is taken for its own, so with no item scanned it
	// reads nothing.
	var again nightly.PlanOutput
	o.call(o.plan, `{"execution_name": "nightly-def", "input": `+trigger+`}`, &again)
	if again.RunID == plan.RunID {
		t.Fatalf("two executions of one night share run id %s", plan.RunID)
	}
	o.call(o.join, fmt.Sprintf(`{"execution_name": "nightly-def", "state": {"scheduled_time": "2026-12-02T03:00:00Z", "plan": %s}}`, mustJSON(again)), &joined)
	if joined.Complete || joined.Errors != 10 || joined.Findings != 0 {
		t.Errorf("the second execution's join %+v: want all 10 items missing and no finding", joined)
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
	o.call(o.join, fmt.Sprintf(`{"execution_name": "by-hand-1", "state": {"note": "a field of a run started by hand", "plan": %s, "map": {"map_run": {}}}}`, mustJSON(plan)), &joined)
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
	o.call(o.join, `{"execution_name": "n1", "state": {"scheduled_time": "2026-12-02T03:00:00Z", "plan_error": {"Error": "AccessDeniedException", "Cause": "organizations:ListAccounts denied"}}}`, &joined)
	if joined.Complete || joined.Errors != 1 || joined.RunID != "2026-12-02T03-00-00Z_n1" {
		t.Errorf("join %+v", joined)
	}
	if msgs := o.received(); len(msgs) != 1 || !strings.Contains(msgs[0].Message, "the planner failed: AccessDeniedException organizations:ListAccounts denied; no account was read") {
		t.Errorf("report messages %+v", msgs)
	}
	if v, ok := o.metric("Complete"); !ok || v != 0 {
		t.Errorf("Complete = %v (%v), want 0", v, ok)
	}
	if v, ok := o.metric("AccountsScanned"); !ok || v != 0 {
		t.Errorf("AccountsScanned = %v (%v), want 0: no account was planned", v, ok)
	}
	if v, ok := o.metric("ApisScanned"); ok {
		t.Errorf("ApisScanned = %v published although no API list was read", v)
	}
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// policyCheck checks a role's statements against the calls made with it: every call allowed,
// and every grant of the services the code calls used by some call.
type policyCheck struct {
	t     *testing.T
	role  string
	stmts []cfn.Statement
	used  map[string]bool
}

func newPolicyCheck(t *testing.T, role string, stmts []cfn.Statement) *policyCheck {
	// Names the template fills in: the member role's name and the runs bucket.
	for i := range stmts {
		for j, r := range stmts[i].Resources {
			stmts[i].Resources[j] = strings.ReplaceAll(r, "${MemberRoleName}", "DriftAuditorReadOnly")
		}
	}
	return &policyCheck{t: t, role: role, stmts: stmts, used: map[string]bool{}}
}

// allow checks one call, given as its IAM action and resource, and the condition values the
// call has (s3:prefix, cloudwatch:namespace).
func (p *policyCheck) allow(action, resource string, context map[string]string, what string) {
	p.t.Helper()
	for _, st := range p.stmts {
		if !slices.Contains(st.Actions, action) {
			continue
		}
		if !conditionsHold(st.ScalarCondition(), context) {
			continue
		}
		for _, r := range st.Resources {
			if glob(r, resource) {
				p.used[st.Sid+" "+r] = true
				return
			}
		}
	}
	p.t.Errorf("%s: the code calls %s on %s (%s), which the policy does not allow", p.role, action, resource, what)
}

// conditionsHold evaluates StringEquals and StringLike conditions against the call's values.
func conditionsHold(cond map[string]map[string]string, context map[string]string) bool {
	for op, keys := range cond {
		for key, want := range keys {
			got, ok := context[key]
			switch {
			case strings.HasPrefix(key, "kms:"):
				continue // a runtime condition the test does not see
			case !ok:
				return false
			case op == "StringEquals" && got != want, op == "StringLike" && !glob(want, got):
				return false
			}
		}
	}
	return true
}

// unused reports the grants, of the services the code calls, that no call used.
func (p *policyCheck) unused(services ...string) {
	p.t.Helper()
	for _, st := range p.stmts {
		for _, a := range st.Actions {
			if !slices.Contains(services, strings.SplitN(a, ":", 2)[0]) {
				continue
			}
			for _, r := range st.Resources {
				if !p.used[st.Sid+" "+r] {
					p.t.Errorf("%s: statement %s grants %s on %s, which no call of the run uses", p.role, st.Sid, a, r)
				}
			}
		}
	}
}

// iamOf names a recorded call as IAM does: its action, resource and condition values.
func iamOf(t *testing.T, r awsemu.Request) (action, resource string, context map[string]string, skip bool) {
	context = map[string]string{}
	switch r.Service {
	case "apigateway":
		path, err := url.PathUnescape(r.Path)
		if err != nil {
			t.Fatal(err)
		}
		if r.V2 {
			path = strings.TrimPrefix(path, "/v2")
		}
		return "apigateway:" + r.Method, "arn:aws:apigateway:" + r.Region + "::" + path, context, false
	case "s3":
		// Path-style requests: /bucket/key, or /bucket?list-type=2&prefix=... for a list.
		bucket, key, _ := strings.Cut(strings.TrimPrefix(r.Path, "/"), "/")
		q, _ := url.ParseQuery(r.RawQuery)
		switch {
		case bucket != runsBucket:
			t.Errorf("a call to bucket %q, not the runs bucket", bucket)
		case key == "" && r.Method == "GET":
			context["s3:prefix"] = q.Get("prefix")
			return "s3:ListBucket", "getatt:RunsBucket.Arn", context, false
		case r.Method == "GET":
			return "s3:GetObject", "${RunsBucket.Arn}/" + key, context, false
		case r.Method == "PUT":
			return "s3:PutObject", "${RunsBucket.Arn}/" + key, context, false
		}
		t.Errorf("an S3 call the test cannot name: %s %s?%s", r.Method, r.Path, r.RawQuery)
		return "", "", nil, true
	case "sts":
		if r.Operation == "GetCallerIdentity" {
			return "", "", nil, true // needs no permission
		}
		return "sts:" + r.Operation, r.RoleArn, context, false
	case "organizations":
		return "organizations:" + r.Operation, "*", context, false
	case "monitoring":
		context["cloudwatch:namespace"] = "ref:MetricNamespace" // the code sends the configured namespace (TestPolicyMatchesTheCallsTheCodeMakes)
		return "cloudwatch:" + r.Operation, "*", context, false
	case "sns":
		return "sns:" + r.Operation, "ref:ReportTopic", context, false
	case "securityhub":
		action, resource := securityHubIAM(t, r)
		return action, resource, context, false
	}
	return r.Service + ":" + r.Operation, "", context, false
}

// TestOrganizationPoliciesMatchTheCalls: each role of an organization run is allowed exactly
// what its code calls. The calls of a full run (plan, every item, join; then the items again
// with v2's API mappings denied, for the v1 fallback) are sorted by who makes them: the planner
// (PlannerRole), the scanner in the management account and its AssumeRole calls (ScannerRole),
// the scanner in a member account with the member's credentials (deploy/member-role.yaml), and
// the join (JoinRole). Every call must be allowed, and every grant to the services the code
// calls must be used.
func TestOrganizationPoliciesMatchTheCalls(t *testing.T) {
	// SECURITY_HUB on: the join imports its own account's findings.
	o := newOrgStack(t, map[string]string{nightly.EnvSecurityHub: "true"})
	// Every kind of read, in the management account (the demo account) and in a member (an
	// HTTP API deployed by hand), so that every grant has its call.
	if err := seed.Demo(seed.ForConfig(o.ctx, o.cfg), time.Sleep); err != nil {
		t.Fatal(err)
	}
	memberCfg, err := seed.Member(o.ctx, o.cfg, o.fx.Members[0])
	if err != nil {
		t.Fatal(err)
	}
	b := seed.ForConfig(o.ctx, memberCfg)
	b.HTTPAPI("carts", seed.HTTPAPIOptions{}).Route("GET /carts", "AWS_IAM").Stage("prod", false).Deploy("prod")
	if err := b.Err(); err != nil {
		t.Fatal(err)
	}
	tmpl := loadTemplate(t)
	planner := newPolicyCheck(t, "PlannerRole", statementsOf(t, tmpl, "PlannerRole"))
	scanner := newPolicyCheck(t, "ScannerRole", statementsOf(t, tmpl, "ScannerRole"))
	member := newPolicyCheck(t, "member role", statementsOf(t, loadYAML(t, "deploy/member-role.yaml"), "MemberRole"))
	join := newPolicyCheck(t, "JoinRole", statementsOf(t, tmpl, "JoinRole"))
	checkSecurityHubGrant(t, "JoinRole", join.stmts)
	for _, p := range []*policyCheck{planner, scanner, member} {
		checkSecurityHubGrant(t, p.role, p.stmts)
	}

	check := func(calls []awsemu.Request, who func(awsemu.Request) *policyCheck) {
		for _, r := range calls {
			action, resource, ctx, skip := iamOf(t, r)
			if !skip {
				who(r).allow(action, resource, ctx, r.Method+" "+r.Path)
			}
		}
	}
	o.shim.ResetLog()
	var plan nightly.PlanOutput
	o.call(o.plan, `{"execution_name": "n", "input": `+trigger+`}`, &plan)
	check(o.shim.Requests(), func(awsemu.Request) *policyCheck { return planner })

	var items []nightly.Item
	if err := json.Unmarshal(o.object(plan.Key), &items); err != nil {
		t.Fatal(err)
	}
	scanAll := func() {
		o.shim.ResetLog()
		for _, it := range items {
			var out nightly.ScanOutput
			o.call(o.scanner, fmt.Sprintf(`{"run_id": %q, "account_id": %q, "region": %q}`, plan.RunID, it.AccountID, it.Region), &out)
		}
		check(o.shim.Requests(), func(r awsemu.Request) *policyCheck {
			if r.Service == "apigateway" && r.Account != o.fx.Management {
				return member
			}
			return scanner
		})
	}
	scanAll()
	o.shim.AddFault(awsemu.Fault{Service: "apigateway", Operation: "GetApiMappings", Kind: awsemu.FaultStatus, Status: 403, ErrorType: "AccessDeniedException"})
	scanAll()

	o.shim.ResetLog()
	var joined nightly.JoinOutput
	o.call(o.join, fmt.Sprintf(`{"execution_name": "n", "state": {"plan": %s}}`, mustJSON(plan)), &joined)
	check(o.shim.Requests(), func(awsemu.Request) *policyCheck { return join })

	for _, p := range []*policyCheck{planner, scanner, member, join} {
		p.unused("apigateway", "s3", "sts", "organizations", "cloudwatch", "sns", "securityhub")
	}
}
