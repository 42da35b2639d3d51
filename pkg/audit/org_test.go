package audit_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apigw-drift/driftaudit/internal/awsemu"
	"github.com/apigw-drift/driftaudit/internal/seed"
	"github.com/apigw-drift/driftaudit/pkg/audit"
	"github.com/apigw-drift/driftaudit/pkg/report"
)

// orgRegions are the two regions of the organization fixture.
var orgRegions = []string{"eu-west-1", "us-east-1"}

// newOrg seeds seed.OrgDemo and denies its Denied member's role, as IAM would for a member
// whose role was never deployed.
func newOrg(t *testing.T) (*account, seed.OrgFixture) {
	t.Helper()
	a := newAccount(t)
	fx, err := seed.OrgDemo(a.ctx, a.cfg, orgRegions)
	if err != nil {
		t.Fatal(err)
	}
	a.seeded()
	a.shim.AddFault(awsemu.DeniedRole(fx.Denied, "DriftAuditorReadOnly"))
	return a, fx
}

// byAccount is each account's findings as sorted "region check" lines.
func byAccount(rep *report.Report) map[string][]string {
	out := map[string][]string{}
	for _, f := range rep.Findings {
		out[f.AccountID] = append(out[f.AccountID], f.Region+" "+f.Check)
	}
	for _, fs := range out {
		slices.Sort(fs)
	}
	return out
}

// TestScenarioOrganization: an organization of a management account and four members in two
// regions, with different drift in each and one member whose role cannot be assumed. Each
// readable account has exactly its own findings; the denied one has none (although it holds
// drift), one AssumeRole error per region that names it, and makes the report incomplete;
// nothing else is an error. The management account is read with the caller's credentials, each
// member's calls land in that member, and Audit (streaming) gives the same report.
func TestScenarioOrganization(t *testing.T) {
	a, fx := newOrg(t)
	c := driftOnly()
	c.Regions, c.Organization = orgRegions, true
	inv, rep := a.audit(c)

	got := byAccount(rep)
	for _, acct := range append([]string{fx.Management}, fx.Members...) {
		if acct == fx.Denied {
			continue
		}
		if !slices.Equal(got[acct], fx.Want[acct]) {
			t.Errorf("account %s: findings %q, want %q", acct, got[acct], fx.Want[acct])
		}
	}
	if len(got[fx.Denied]) > 0 {
		t.Errorf("the denied account %s has findings: %q", fx.Denied, got[fx.Denied])
	}
	var errs []string
	for _, e := range rep.Errors {
		errs = append(errs, e.AccountID+" "+e.Region+" "+e.Operation)
		if !strings.Contains(e.Message, "arn:aws:iam::"+fx.Denied+":role/DriftAuditorReadOnly") || !strings.Contains(e.Message, "AccessDenied") {
			t.Errorf("the AssumeRole error does not say which role and why: %s", e.Message)
		}
	}
	want := []string{fx.Denied + " eu-west-1 AssumeRole", fx.Denied + " us-east-1 AssumeRole"}
	if !slices.Equal(errs, want) {
		t.Errorf("errors %q, want %q", errs, want)
	}
	s := rep.Summary
	if s.Complete || s.AccountsScanned != 5 || len(s.ByAccount) != 5 || s.ByAccount[fx.Denied].Complete || s.ByAccount[fx.Denied].Errors != 2 ||
		!s.ByAccount[fx.Members[0]].Complete || s.ByAccount[fx.Members[1]].Findings != 2 {
		t.Errorf("summary: %+v", s)
	}
	if inv.AccountID != "" || len(inv.Regions) != 10 {
		t.Errorf("the inventory names account %q and has %d (account, region) scopes, want none and 10", inv.AccountID, len(inv.Regions))
	}
	if worst := rep.ByAccountWorstFirst(); worst[0] != fx.Members[0] || worst[len(worst)-1] != fx.Management {
		t.Errorf("accounts worst first: %v", worst)
	}

	// Who read what: the management account with its own credentials (no AssumeRole), each
	// member through one AssumeRole of the member role, and no call at all in the denied one.
	assumed := map[string]int{}
	for _, r := range a.shim.Requests() {
		switch {
		case r.Service == "sts" && r.Operation == "AssumeRole":
			assumed[r.Account]++
		case r.Service == "apigateway" && r.Account == fx.Denied:
			t.Errorf("an API Gateway call landed in the denied account: %s %s", r.Method, r.Path)
		}
	}
	for _, m := range fx.Members {
		if assumed[m] != 1 {
			t.Errorf("member %s: %d AssumeRole calls, want 1", m, assumed[m])
		}
	}
	if assumed[fx.Management] != 0 {
		t.Errorf("the management account was read through AssumeRole %d times; it is read with the caller's credentials", assumed[fx.Management])
	}

	streamed, err := audit.Audit(a.ctx, c, a.cfg, time.Date(2026, 11, 27, 3, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if !equalFindings(streamed, rep) {
		t.Error("Audit and Scan+Evaluate disagree on the organization")
	}
}

func equalFindings(x, y *report.Report) bool {
	a, b := byAccount(x), byAccount(y)
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !slices.Equal(v, b[k]) {
			return false
		}
	}
	return len(x.Errors) == len(y.Errors)
}

// TestScenarioAccountsList: --accounts names the accounts; the caller's own account in the list
// is read with its own credentials, an account outside the list is not read at all, and an
// account list without the denied member is complete.
func TestScenarioAccountsList(t *testing.T) {
	a, fx := newOrg(t)
	c := driftOnly()
	c.Regions, c.Accounts = orgRegions, []string{fx.Members[1], fx.Management}
	_, rep := a.audit(c)
	if !rep.Summary.Complete || !slices.Equal(rep.Accounts, []string{fx.Management, fx.Members[1]}) {
		t.Fatalf("accounts %v, complete %v, errors %+v", rep.Accounts, rep.Summary.Complete, rep.Errors)
	}
	if got := byAccount(rep); !slices.Equal(got[fx.Members[1]], fx.Want[fx.Members[1]]) || len(got) != 1 {
		t.Errorf("findings by account %q, want only %s's %q", got, fx.Members[1], fx.Want[fx.Members[1]])
	}
	for _, r := range a.shim.Requests() {
		if r.Service == "apigateway" && r.Account != fx.Management && r.Account != fx.Members[1] {
			t.Errorf("a call landed in account %s, which was not asked for", r.Account)
		}
	}
}
