package cli_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/apigw-drift/driftaudit/internal/awsemu"
	"github.com/apigw-drift/driftaudit/internal/seed"
	"github.com/apigw-drift/driftaudit/pkg/checks"
	"github.com/apigw-drift/driftaudit/pkg/cli"
	"github.com/apigw-drift/driftaudit/pkg/report"
)

// orgShim seeds seed.OrgDemo in eu-west-1 and us-east-1 behind a fresh shim that denies the
// Denied member's role.
func orgShim(t *testing.T) (*awsemu.Shim, seed.OrgFixture) {
	t.Helper()
	shim := freshShim(t)
	fx, err := seed.OrgDemo(context.Background(), awsemu.AWSConfig(shim.URL, "us-east-1"), []string{"eu-west-1", "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	shim.AddFault(awsemu.DeniedRole(fx.Denied, "DriftAuditorReadOnly"))
	return shim, fx
}

// orgReport is the part of a JSON report these tests read.
type orgReport struct {
	SchemaVersion int              `json:"schema_version"`
	AccountID     string           `json:"account_id"`
	Accounts      []string         `json:"accounts"`
	Summary       report.Summary   `json:"summary"`
	Findings      []checks.Finding `json:"findings"`
	Errors        []struct {
		AccountID string `json:"account_id"`
		Region    string `json:"region"`
		Operation string `json:"operation"`
	} `json:"errors"`
}

// TestScanOrganization: driftaudit scan --organization over four members and the management
// account in two regions, one member's role denied: exit 1, each account's exact findings in
// JSON, the denied account an AssumeRole error per region, and text grouped by account worst
// first. The saved inventory of the same organization audits to the byte-identical report.
func TestScanOrganization(t *testing.T) {
	shim, fx := orgShim(t)
	args := []string{"--endpoint-url", shim.URL, "--region", "eu-west-1", "--region", "us-east-1", "--organization"}

	code, js, stderr := run(t, append([]string{"scan", "--format", "json", "--disable", "hygiene"}, args...)...)
	// JSON on stdout is for programs: stderr repeats the report's warning and says it is
	// incomplete, nothing else.
	wantErr := "driftaudit: warning: critical check secrets-in-stage-variables (hygiene: Stage variable looks like a credential) did not run, disabled with its family hygiene: its findings cannot appear in this report\n" +
		"driftaudit: the scan is incomplete: 2 scan error(s), each listed in the report; findings may be missing\n"
	if code != cli.ExitFindings || stderr != wantErr {
		t.Fatalf("exit %d, stderr %q; want 1 (incomplete, with critical findings) and on stderr %q", code, stderr, wantErr)
	}
	var doc orgReport
	if err := json.Unmarshal([]byte(js), &doc); err != nil {
		t.Fatal(err)
	}
	all := append([]string{fx.Management}, fx.Members...)
	slices.Sort(all)
	if doc.SchemaVersion != 2 || doc.AccountID != "" || !slices.Equal(doc.Accounts, all) || doc.Summary.AccountsScanned != 5 || doc.Summary.Complete {
		t.Errorf("report header: schema %d, account %q, accounts %v, summary %+v", doc.SchemaVersion, doc.AccountID, doc.Accounts, doc.Summary)
	}
	got := map[string][]string{}
	for _, f := range doc.Findings {
		got[f.AccountID] = append(got[f.AccountID], f.Region+" "+f.Check)
	}
	for _, acct := range all {
		slices.Sort(got[acct])
		if acct != fx.Denied && !slices.Equal(got[acct], fx.Want[acct]) {
			t.Errorf("account %s: %q, want %q", acct, got[acct], fx.Want[acct])
		}
		if a := doc.Summary.ByAccount[acct]; a.Complete != (acct != fx.Denied) || a.Findings != len(fx.Want[acct]) {
			t.Errorf("by_account[%s] = %+v", acct, a)
		}
	}
	if len(doc.Errors) != 2 || doc.Errors[0].AccountID != fx.Denied || doc.Errors[0].Operation != "AssumeRole" || doc.Errors[1].AccountID != fx.Denied {
		t.Errorf("errors %+v, want one AssumeRole error of %s per region", doc.Errors, fx.Denied)
	}

	_, text, _ := run(t, append([]string{"scan", "--disable", "hygiene"}, args...)...)
	for _, want := range []string{
		"API Gateway drift audit of 5 accounts in eu-west-1, us-east-1",
		"Accounts, worst first:\n  " + fx.Members[0] + "  1 critical",
		fx.Denied + "  0 critical, 0 warning, 0 info; INCOMPLETE: 2 error(s)",
		"=== account " + fx.Members[0] + " ===",
		fx.Denied + " eu-west-1 AssumeRole: cannot assume arn:aws:iam::" + fx.Denied + ":role/DriftAuditorReadOnly",
		"region(s), 5 accounts; scan INCOMPLETE",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("text report lacks %q:\n%s", want, text)
		}
	}
	if strings.Index(text, "=== account "+fx.Members[0]) > strings.Index(text, "=== account "+fx.Members[2]) {
		t.Errorf("the account with a critical finding is not first:\n%s", text)
	}

	file := filepath.Join(t.TempDir(), "org.json")
	code, inv, _ := run(t, append([]string{"inventory"}, args...)...)
	if code != cli.ExitFindings {
		t.Errorf("inventory of an organization with a denied member: exit %d, want 1", code)
	}
	if err := os.WriteFile(file, []byte(inv), 0o600); err != nil {
		t.Fatal(err)
	}
	_, fromFile, _ := run(t, "scan", "--format", "json", "--disable", "hygiene", "--snapshot", file)
	if withoutStamp(t, fromFile) != js {
		t.Errorf("the report of the saved organization differs from the live one:\n%s\nlive:\n%s", fromFile, js)
	}
}

// TestAccountFlagsAreChecked: bad account flags are usage errors, naming what is wrong.
func TestAccountFlagsAreChecked(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"scan", "--accounts", "12345"}, `account "12345" is not an AWS account id (12 digits)`},
		{[]string{"scan", "--accounts", "111111111111", "--organization"}, "accounts and organization exclude each other"},
		{[]string{"inventory", "--role-name", "no spaces"}, `role name "no spaces" is not an IAM role name`},
		{[]string{"scan", "--max-accounts-in-flight", "0"}, "--max-accounts-in-flight must be at least 1, not 0"},
		{[]string{"scan", "--snapshot", "x.json", "--organization"}, "--snapshot audits a saved file"},
	} {
		code, _, stderr := run(t, tc.args...)
		if code != cli.ExitUsage || !strings.Contains(stderr, tc.want) || strings.Count(stderr, "\n") > 2 {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tc.args, code, stderr, tc.want)
		}
	}
}

// TestNoJudgementIsNoAllClear: a selection that leaves no check is a usage error, never "All
// clear"; a critical check dropped with its family is a warning, and every report names the
// checks that did not run.
func TestNoJudgementIsNoAllClear(t *testing.T) {
	code, stdout, stderr := run(t, "scan", "--snapshot", "x.json", "--enable", "undeployed-changes", "--disable", "deployment")
	if code != cli.ExitUsage || stdout != "" || !strings.Contains(stderr, "leave no check to run") {
		t.Errorf("exit %d, stdout %q, stderr %q; want 2 and no report", code, stdout, stderr)
	}
	shim := demoShim(t)
	_, text, _ := run(t, "scan", "--endpoint-url", shim.URL, "--region", "us-east-1", "--disable", "hygiene")
	for _, want := range []string{"critical check secrets-in-stage-variables (hygiene: Stage variable looks like a credential) did not run, disabled with its family hygiene",
		"Checks not run (11): access-logging-disabled, "} {
		if !strings.Contains(text, want) {
			t.Errorf("the text report lacks %q", want)
		}
	}
}
