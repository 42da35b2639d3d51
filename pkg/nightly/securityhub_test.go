package nightly_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	securityhubsdk "github.com/aws/aws-sdk-go-v2/service/securityhub"
	shtypes "github.com/aws/aws-sdk-go-v2/service/securityhub/types"

	"github.com/apigw-drift/driftaudit/internal/awsemu"
	"github.com/apigw-drift/driftaudit/internal/cfn"
	"github.com/apigw-drift/driftaudit/internal/seed"
	"github.com/apigw-drift/driftaudit/pkg/nightly"
	"github.com/apigw-drift/driftaudit/pkg/securityhub"
)

// securityHubIAM names a recorded Security Hub call as IAM does. BatchImportFindings is
// authorized on the product of each finding, which the code makes the default product of the
// calling account in the called region (TestSecurityHubAccountMode reads the ProductArn of every
// finding back from the emulator to hold it to that).
func securityHubIAM(t *testing.T, r awsemu.Request) (action, resource string) {
	t.Helper()
	if r.Method != "POST" || r.Path != "/findings/import" {
		t.Errorf("a Security Hub call other than BatchImportFindings: %s %s", r.Method, r.Path)
	}
	return "securityhub:BatchImportFindings", securityhub.ProductARN("aws", r.Region, r.Account)
}

// checkSecurityHubGrant: a role's Security Hub grant is BatchImportFindings on the account's own
// default product in the stack's region, only, and exists only with SecurityHub=true.
func checkSecurityHubGrant(t *testing.T, role string, stmts []cfn.Statement) {
	t.Helper()
	for _, st := range stmts {
		grantsHub := slices.ContainsFunc(st.Actions, func(a string) bool { return strings.HasPrefix(a, "securityhub:") })
		switch {
		case grantsHub && st.If != "SendToSecurityHub":
			t.Errorf("%s: statement %s grants Security Hub without the SendToSecurityHub condition", role, st.Sid)
		case st.If == "SendToSecurityHub" && (!slices.Equal(st.Actions, []string{"securityhub:BatchImportFindings"}) ||
			!slices.Equal(st.Resources, []string{"arn:aws:securityhub:us-east-1:123456789012:product/123456789012/default"})):
			t.Errorf("%s: statement %s grants %v on %v, want BatchImportFindings on the account's default product", role, st.Sid, st.Actions, st.Resources)
		case st.If != "" && st.If != "SendToSecurityHub":
			t.Errorf("%s: statement %s exists under condition %s, which the policy tests do not evaluate", role, st.Sid, st.If)
		}
	}
}

// logRecords are the handler's JSON log records with the message msg.
func logRecords(t *testing.T, logs, msg string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(logs), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		if rec["msg"] == msg {
			out = append(out, rec)
		}
	}
	return out
}

func hubFindings(t *testing.T, client *securityhubsdk.Client) []shtypes.AwsSecurityFinding {
	t.Helper()
	var out []shtypes.AwsSecurityFinding
	p := securityhubsdk.NewGetFindingsPaginator(client, &securityhubsdk.GetFindingsInput{MaxResults: aws.Int32(100)})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, page.Findings...)
	}
	return out
}

// TestSecurityHubAccountMode: with SECURITY_HUB, a run imports every finding of the report into
// the account's default product, in one call for the demo account, each finding logged before
// as a "finding" record; without it, no Security Hub call is made.
func TestSecurityHubAccountMode(t *testing.T) {
	s := newStack(t, map[string]string{nightly.EnvSecurityHub: "true"})
	s.seed(demo)
	if err := s.invoke("scheduler-event.json", time.Minute); err != nil {
		t.Fatal(err)
	}
	logged := map[string]bool{}
	for _, rec := range logRecords(t, s.logs.String(), "finding") {
		logged[fmt.Sprint(rec["check"], rec["api_id"], rec["stage"], rec["path"], rec["method"], rec["domain"], rec["base_path"], rec["usage_plan_id"])] = true
	}
	got := hubFindings(t, securityhubsdk.NewFromConfig(s.cfg))
	if len(got) != 61 || len(logged) != 61 {
		t.Errorf("Security Hub holds %d findings, the log %d: want the demo account's 61", len(got), len(logged))
	}
	for _, f := range got {
		if p := aws.ToString(f.ProductArn); p != securityhub.ProductARN("aws", region, "123456789012") {
			t.Errorf("finding %s of product %s", aws.ToString(f.Id), p)
		}
	}
	calls := 0
	for _, r := range s.shim.Requests() {
		if r.Service == "securityhub" && r.Path == "/findings/import" {
			calls++
		}
	}
	sent := logRecords(t, s.logs.String(), "findings sent to Security Hub")
	if calls != 1 || len(sent) != 1 || sent[0]["imported"] != float64(61) || sent[0]["calls"] != float64(1) {
		t.Errorf("%d Security Hub calls, log %v: want one call importing 61", calls, sent)
	}

	off := newStack(t, nil)
	off.seed(demo)
	if err := off.invoke("scheduler-event.json", time.Minute); err != nil {
		t.Fatal(err)
	}
	for _, r := range off.shim.Requests() {
		if r.Service == "securityhub" {
			t.Errorf("Security Hub called without SECURITY_HUB: %s %s", r.Method, r.Path)
		}
	}
}

// refusingHub is a Security Hub that fails the findings it is told to, as FailedFindings.
type refusingHub struct{ refuse map[string]string }

func (h refusingHub) BatchImportFindings(_ context.Context, in *securityhubsdk.BatchImportFindingsInput, _ ...func(*securityhubsdk.Options)) (*securityhubsdk.BatchImportFindingsOutput, error) {
	out := &securityhubsdk.BatchImportFindingsOutput{}
	for _, f := range in.Findings {
		if code, ok := h.refuse[aws.ToString(f.Id)]; ok {
			out.FailedFindings = append(out.FailedFindings, shtypes.ImportFindingsError{Id: f.Id, ErrorCode: aws.String(code), ErrorMessage: aws.String("refused by the test")})
		}
	}
	out.FailedCount = aws.Int32(int32(len(out.FailedFindings)))
	out.SuccessCount = aws.Int32(int32(len(in.Findings) - len(out.FailedFindings)))
	return out, nil
}

// TestSecurityHubRefusalsFailTheInvocation: findings Security Hub refuses are each logged as a
// scan error with the finding's id, check and error code, and fail the invocation; the metrics
// and the report are published all the same. A Security Hub that denies the call fails every
// finding the same way.
func TestSecurityHubRefusalsFailTheInvocation(t *testing.T) {
	s := newStack(t, map[string]string{nightly.EnvSecurityHub: "true"})
	s.seed(demo)
	// The demo's ids, from a first run.
	if err := s.invoke("scheduler-event.json", time.Minute); err != nil {
		t.Fatal(err)
	}
	all := hubFindings(t, securityhubsdk.NewFromConfig(s.cfg))
	refused := map[string]string{aws.ToString(all[0].Id): "InvalidInput", aws.ToString(all[1].Id): "InvalidInput"}
	s.received()
	s.logs.Reset()
	s.handler.SecurityHub = refusingHub{refuse: refused}
	err := s.invoke("scheduler-event.json", time.Minute)
	if err == nil || !strings.Contains(err.Error(), "did not import 2 of 61 findings") {
		t.Fatalf("error %v: want the two refused findings to fail the invocation", err)
	}
	for id := range refused {
		if !strings.Contains(err.Error(), id) {
			t.Errorf("the error does not name %s: %v", id, err)
		}
	}
	var named []string
	for _, rec := range logRecords(t, s.logs.String(), "scan error") {
		if rec["operation"] == "BatchImportFindings" {
			named = append(named, fmt.Sprint(rec["finding_id"]))
			if rec["error_code"] != "InvalidInput" || rec["check"] == "" || rec["account_id"] != "123456789012" {
				t.Errorf("scan error record %v", rec)
			}
		}
	}
	if slices.Sort(named); len(named) != 2 || refused[named[0]] == "" || refused[named[1]] == "" {
		t.Errorf("scan error records for %v, want the two refused ids", named)
	}
	if len(s.received()) != 1 {
		t.Errorf("the report must be sent even when Security Hub refuses findings")
	}

	s.handler.SecurityHub = securityhubsdk.NewFromConfig(s.cfg)
	s.shim.AddFault(awsemu.Fault{Service: "securityhub", Kind: awsemu.FaultStatus, Status: 403, ErrorType: "AccessDeniedException",
		Message: "not authorized to perform: securityhub:BatchImportFindings"})
	s.logs.Reset()
	err = s.invoke("scheduler-event.json", time.Minute)
	if err == nil || !strings.Contains(err.Error(), "did not import 61 of 61 findings: AccessDeniedException") {
		t.Fatalf("a denied import: %v", err)
	}
	if n := len(logRecords(t, s.logs.String(), "scan error")); n != 61 {
		t.Errorf("%d scan error records, want one per finding (61)", n)
	}
}

// TestSecurityHubOrganizationJoin: the join imports its own (the management) account's
// findings into its Security Hub, and logs the number of every other account's, which
// BatchImportFindings would refuse from it; no member's Security Hub gets any.
func TestSecurityHubOrganizationJoin(t *testing.T) {
	o := newOrgStack(t, map[string]string{nightly.EnvSecurityHub: "true"})
	o.seed(demo) // the management account's findings
	var plan nightly.PlanOutput
	o.call(o.plan, `{"execution_name": "n", "input": `+trigger+`}`, &plan)
	var items []nightly.Item
	if err := json.Unmarshal(o.object(plan.Key), &items); err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		var out nightly.ScanOutput
		o.call(o.scanner, fmt.Sprintf(`{"run_id": %q, "account_id": %q, "region": %q}`, plan.RunID, it.AccountID, it.Region), &out)
	}
	o.logs.Reset()
	var joined nightly.JoinOutput
	o.call(o.join, fmt.Sprintf(`{"execution_name": "n", "state": {"plan": %s}}`, mustJSON(plan)), &joined)

	got := hubFindings(t, securityhubsdk.NewFromConfig(o.join.AWS))
	sent := logRecords(t, o.logs.String(), "findings sent to Security Hub")
	if len(sent) != 1 || sent[0]["imported"] != float64(len(got)) || len(got) == 0 {
		t.Fatalf("the management account's Security Hub holds %d findings; log %v", len(got), sent)
	}
	for _, f := range got {
		if aws.ToString(f.AwsAccountId) != o.fx.Management {
			t.Errorf("finding %s of account %s in the management account's Security Hub", aws.ToString(f.Id), aws.ToString(f.AwsAccountId))
		}
	}
	left := map[string]float64{}
	for _, rec := range logRecords(t, o.logs.String(), "findings not sent to Security Hub") {
		left[fmt.Sprint(rec["account_id"])] = rec["findings"].(float64)
	}
	total := float64(len(got))
	for _, n := range left {
		total += n
	}
	if total != float64(joined.Findings) || len(left) == 0 {
		t.Errorf("%d imported and %v left out, want the %d findings of the organization", len(got), left, joined.Findings)
	}
	o.shim.ClearFaults() // to read the denied member's Security Hub too
	for _, m := range o.fx.Members {
		cfg, err := seed.Member(o.ctx, o.cfg, m)
		if err != nil {
			t.Fatal(err)
		}
		if n := len(hubFindings(t, securityhubsdk.NewFromConfig(cfg))); n != 0 {
			t.Errorf("member %s's Security Hub holds %d findings", m, n)
		}
	}
}
