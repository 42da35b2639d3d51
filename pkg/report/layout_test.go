package report

import (
	"bytes"
	"flag"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apigw-drift/driftaudit/internal/golden"
	"github.com/apigw-drift/driftaudit/pkg/checks"
	"github.com/apigw-drift/driftaudit/pkg/inventory"
)

var update = flag.Bool("update", false, "rewrite the golden files from this run")

var (
	lastNight = time.Date(2026, 11, 26, 3, 0, 0, 0, time.UTC)
	tonight   = time.Date(2026, 11, 27, 3, 0, 0, 0, time.UTC)
)

// finding is a finding of a catalogue check (its severity) on API api of account 111111111111
// in us-east-1; edit fills in the rest.
func finding(check, api string, edit func(*checks.Finding)) checks.Finding {
	c, ok := catalogue()[check]
	if !ok {
		panic("no check " + check)
	}
	f := checks.Finding{Check: check, Severity: c.Severity, AccountID: "111111111111", Region: "us-east-1", APIID: api + "01", APIName: api,
		Message: fmt.Sprintf("%s on %s", check, api), Remediation: fmt.Sprintf("fix %s on %s", check, api)}
	if edit != nil {
		edit(&f)
	}
	return f
}

func stage(name string) func(*checks.Finding) {
	return func(f *checks.Finding) {
		f.Stage = name
		f.Message = fmt.Sprintf("%s on %s/%s", f.Check, f.APIName, name)
		f.Remediation = fmt.Sprintf("aws apigateway fix-%s --rest-api-id %s --stage-name %s --region %s", f.Check, f.APIID, name, f.Region)
	}
}

func method(stageName, m, path string) func(*checks.Finding) {
	return func(f *checks.Finding) {
		f.Stage, f.Method, f.Path = stageName, m, path
		f.Message = fmt.Sprintf("%s %s %s on %s", f.Check, m, path, f.APIName)
		f.Remediation = fmt.Sprintf("aws apigateway create-deployment --rest-api-id %s --stage-name %s --region %s", f.APIID, stageName, f.Region)
	}
}

// reportOf builds the report of findings as audit.Evaluate does: every check ran, in an
// inventory of each account and region the findings name (111111111111 in us-east-1 at least).
func reportOf(now time.Time, fs ...checks.Finding) *Report {
	type key struct{ account, region string }
	regions := map[key]*inventory.Region{{"111111111111", "us-east-1"}: {Account: "111111111111", Name: "us-east-1"}}
	order := []key{{"111111111111", "us-east-1"}}
	for _, f := range fs {
		k := key{f.AccountID, f.Region}
		if regions[k] == nil {
			regions[k] = &inventory.Region{Account: f.AccountID, Name: f.Region}
			order = append(order, k)
		}
		if reg := regions[k]; f.APIID != "" && !slices.ContainsFunc(reg.APIs, func(a inventory.API) bool { return a.ID == f.APIID }) {
			reg.APIs = append(reg.APIs, inventory.API{ID: f.APIID, Name: f.APIName})
		}
	}
	inv := &inventory.Inventory{SchemaVersion: inventory.SchemaVersion, AccountID: "111111111111"}
	for _, k := range order {
		inv.Regions = append(inv.Regions, *regions[k])
	}
	fs = append([]checks.Finding(nil), fs...)
	checks.Sort(fs)
	return Build(inv, checks.All(), fs, now)
}

func text(t *testing.T, r *Report, opts ...TextOptions) string {
	t.Helper()
	o := TextOptions{MaxFindings: -1, MaxErrors: -1}
	if len(opts) > 0 {
		o = opts[0]
	}
	var b bytes.Buffer
	if err := r.WriteTextLimited(&b, o); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func markdown(t *testing.T, r *Report) string {
	t.Helper()
	var b bytes.Buffer
	if err := r.WriteMarkdown(&b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// inOrder fails unless each of want occurs in s, each after the one before.
func inOrder(t *testing.T, what, s string, want ...string) {
	t.Helper()
	at := 0
	for _, w := range want {
		i := strings.Index(s[at:], w)
		if i < 0 {
			t.Errorf("%s: %q missing, or not after %q:\n%s", what, w, s[:at], s)
			return
		}
		at += i + len(w)
	}
}

// TestDriftBeforeHygiene: the drift families come first even when hygiene is worse (a critical
// secret in a stage variable against an info drift), in text and in Markdown.
func TestDriftBeforeHygiene(t *testing.T) {
	r := reportOf(tonight,
		finding("secrets-in-stage-variables", "orders", stage("prod")),
		finding("never-deployed", "draft", nil),
		finding("access-logging-disabled", "orders", stage("prod")))
	out := text(t, r)
	inOrder(t, "text", out,
		"  deployment              1         0        0     1\n",
		"  hygiene                 2         1        1     0\n",
		"  all                     3         1        1     1\n",
		"DRIFT: 1 finding in deployment, CORS, usage plans and custom domains",
		"API draft (draft01, us-east-1)", "INFO     never-deployed",
		"HYGIENE: 2 findings of 2 checks",
		"  secrets-in-stage-variables (critical, 1 stage): orders/prod\n    fix: aws apigateway fix-secrets-in-stage-variables --rest-api-id orders01 --stage-name prod",
		"  access-logging-disabled (warning, 1 stage): orders/prod\n",
		"Summary: 1 critical, 1 warning, 1 info")
	if strings.Contains(out, "CRITICAL secrets-in-stage-variables") {
		t.Errorf("a hygiene finding is written in full:\n%s", out)
	}
	inOrder(t, "markdown", markdown(t, r),
		"| hygiene | 2 | 1 | 1 | 0 |", "| **all** | 3 | 1 | 1 | 1 |",
		"## Drift", "### API draft (draft01, us-east-1)", "`never-deployed`",
		"## Hygiene", "| `secrets-in-stage-variables` | critical | 1 stage: orders/prod |", "| `access-logging-disabled` | warning | 1 stage: orders/prod |")
}

// TestHygieneGroupedOneFixPerCheck: each hygiene check is one line that lists where it fired
// and one fix, the catalogue's template, however many stages it names; the stages' own commands
// are left to the JSON report.
func TestHygieneGroupedOneFixPerCheck(t *testing.T) {
	var fs []checks.Finding
	for _, s := range []struct{ api, stage string }{{"orders", "prod"}, {"payments", "live"}, {"reports", "dev"}, {"reports", "prod"}, {"reports", "qa"}, {"web", "prod"}} {
		fs = append(fs, finding("access-logging-disabled", s.api, stage(s.stage)), finding("tracing-disabled", s.api, stage(s.stage)))
	}
	fs = append(fs,
		finding("public-method-without-auth", "web", method("", "GET", "/health")),
		finding("public-method-without-auth", "web", method("", "POST", "/health")),
		finding("public-method-without-auth", "draft", method("", "GET", "/ideas")),
		// two APIs named "shop" in one region: their ids tell them apart
		finding("waf-not-attached", "shop", stage("prod")),
		finding("waf-not-attached", "shop", func(f *checks.Finding) { f.APIID = "shop02"; stage("prod")(f) }),
		// mixed severities, and another region
		finding("domain-tls-outdated", "", func(f *checks.Finding) {
			f.APIID, f.APIName, f.Domain = "", "", "old.example.com"
			f.Severity = checks.Warning
		}),
		finding("domain-tls-outdated", "", func(f *checks.Finding) {
			f.APIID, f.APIName, f.Domain = "", "", "a.example.com"
			f.Severity = checks.Info
		}),
		finding("domain-tls-outdated", "", func(f *checks.Finding) {
			f.APIID, f.APIName, f.Domain, f.Region = "", "", "b.example.com", "eu-west-1"
			f.Severity = checks.Info
		}),
		// two secrets on one stage
		finding("secrets-in-stage-variables", "orders", func(f *checks.Finding) { stage("prod")(f); f.Remediation += " DB_PASSWORD" }),
		finding("secrets-in-stage-variables", "orders", func(f *checks.Finding) { stage("prod")(f); f.Remediation += " API_TOKEN" }),
	)
	r := reportOf(tonight, fs...)
	out := text(t, r)
	for _, want := range []string{
		"HYGIENE: 22 findings of 6 checks, one line per check with one fix (each finding is in the JSON report)\n",
		"  secrets-in-stage-variables (critical, 2 findings): us-east-1: orders/prod ×2\n    fix for each: " + catalogue()["secrets-in-stage-variables"].Remediation + "\n",
		"  access-logging-disabled (warning, 6 stages): us-east-1: orders/prod, payments/live, reports/dev, reports/prod, reports/qa, web/prod\n    fix for each: " + catalogue()["access-logging-disabled"].Remediation + "\n",
		"  public-method-without-auth (warning, 3 methods): us-east-1: draft GET /ideas, web GET /health, web POST /health\n",
		"  domain-tls-outdated (1 warning, 2 info, 3 domains): warning, us-east-1: old.example.com; info, eu-west-1: b.example.com; info, us-east-1: a.example.com\n",
		"  tracing-disabled (info, 6 stages): us-east-1: orders/prod, payments/live, reports/dev, reports/prod, reports/qa, web/prod\n",
		"  waf-not-attached (info, 2 stages): us-east-1: shop(shop01)/prod, shop(shop02)/prod\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("text lacks %q:\n%s", want, out)
		}
	}
	inOrder(t, "hygiene lines, worst and most frequent first", out,
		"  secrets-in-stage-variables (", "  access-logging-disabled (", "  domain-tls-outdated (", "  public-method-without-auth (", "  tracing-disabled (", "  waf-not-attached (")
	if n := strings.Count(out, "    fix"); n != 6 {
		t.Errorf("%d fixes for 6 checks:\n%s", n, out)
	}
	for _, f := range r.Findings {
		if strings.Contains(out, f.Remediation) {
			t.Errorf("the command of one finding is in the report: %s", f.Remediation)
		}
	}
	md := markdown(t, r)
	for _, want := range []string{
		"| `access-logging-disabled` | warning | 6 stages: us-east-1: orders/prod, payments/live, reports/dev, reports/prod, reports/qa, web/prod |\n",
		"`access-logging-disabled`, for each:\n\n```sh\n" + catalogue()["access-logging-disabled"].Remediation + "\n```\n",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	if n := strings.Count(md, "```sh"); n != 6 {
		t.Errorf("%d fixes in Markdown for 6 checks", n)
	}
}

// twoRuns is last night's report and tonight's, compared: one drift fixed, one added, one
// hygiene finding added, the rest standing.
func twoRuns() (prev, cur *Report) {
	undeployed := finding("undeployed-changes", "orders", method("prod", "POST", "/orders"))
	fixed := finding("stage-without-deployment", "reports", stage("qa"))
	added := finding("missing-options", "web", func(f *checks.Finding) {
		f.Method, f.Path = "OPTIONS", "/users"
		f.Remediation = "aws apigateway put-method --rest-api-id web01 --resource-id users1 --http-method OPTIONS --authorization-type NONE --region us-east-1 && ..."
	})
	logging := []checks.Finding{finding("access-logging-disabled", "orders", stage("prod")), finding("access-logging-disabled", "reports", stage("qa"))}
	newLogging := finding("access-logging-disabled", "web", stage("prod"))
	prev = reportOf(lastNight, append([]checks.Finding{undeployed, fixed}, logging...)...)
	cur = reportOf(tonight, append([]checks.Finding{undeployed, added, newLogging}, logging...)...)
	cur.Compare(prev)
	return prev, cur
}

// TestBaselineSections: with a baseline the report opens, after the summary table, with the
// new findings in full and the resolved ones one line each, before the standing drift and
// hygiene; the table counts new and resolved by family.
func TestBaselineSections(t *testing.T) {
	_, r := twoRuns()
	if c := r.Summary.Changes; c.New != 2 || c.Standing != 3 || c.Resolved != 1 {
		t.Fatalf("changes %+v, want 2 new, 3 standing, 1 resolved", *c)
	}
	out := text(t, r)
	inOrder(t, "text", out,
		"                   findings  critical  warning  info   new resolved\n",
		"  deployment              1         1        0     0     0        1\n",
		"  cors                    1         1        0     0     1        0\n",
		"  hygiene                 3         0        3     0     1        0\n",
		"  all                     5         2        3     0     2        1\n",
		"Since 2026-11-26 03:00 UTC: 2 new, 3 standing, 1 resolved, 0 not rechecked.\n",
		"\nNEW since 2026-11-26 03:00 UTC: 2 findings\n",
		"API web (web01, us-east-1)", "CRITICAL missing-options  OPTIONS /users\n", "WARNING  access-logging-disabled\n", "fix:   aws apigateway fix-access-logging-disabled --rest-api-id web01 --stage-name prod",
		"\nRESOLVED since 2026-11-26 03:00 UTC: 1 finding\n",
		"  CRITICAL stage-without-deployment  reports/qa, first seen 2026-11-26\n",
		"\nSTANDING DRIFT: 1 finding in deployment, CORS, usage plans and custom domains",
		"CRITICAL undeployed-changes  POST /orders  (since 2026-11-26)\n",
		"\nSTANDING HYGIENE: 2 findings of 1 check",
		"  access-logging-disabled (warning, 2 stages): orders/prod, reports/qa\n",
		"Summary: 2 critical, 3 warning, 0 info")
	golden.Compare(t, "baseline.golden.txt", []byte(out), *update)

	md := markdown(t, r)
	inOrder(t, "markdown", md,
		"| family | findings | critical | warning | info | new | resolved |",
		"| **all** | 5 | 2 | 3 | 0 | 2 | 1 |",
		"Since 2026-11-26 03:00 UTC: 2 new",
		"## New since 2026-11-26 03:00 UTC", "### API web (web01, us-east-1)",
		"## Resolved since 2026-11-26 03:00 UTC", "| critical | `stage-without-deployment` | reports/qa | us-east-1 | 2026-11-26 |",
		"## Standing drift", "### API orders (orders01, us-east-1)", "(since 2026-11-26)",
		"## Standing hygiene", "| `access-logging-disabled` | warning | 2 stages: orders/prod, reports/qa |")
	golden.Compare(t, "baseline.golden.md", []byte(md), *update)

	// A second run with nothing changed says so.
	again := reportOf(tonight.Add(24*time.Hour), r.Findings...)
	again.Compare(r)
	quiet := text(t, again)
	inOrder(t, "nothing changed", quiet, "\nNEW since 2026-11-27 03:00 UTC: none\n", "\nRESOLVED since 2026-11-27 03:00 UTC: none\n", "STANDING DRIFT", "STANDING HYGIENE")
}

// TestLimitedKeepsNewFirst: a report cut to a few findings keeps the new ones, then the
// resolved, before any standing finding however severe, and counts what it left out.
func TestLimitedKeepsNewFirst(t *testing.T) {
	_, r := twoRuns()
	for _, tt := range []struct {
		limit      int
		has, hasNo []string
		left       string
	}{
		{0, []string{"NEW since 2026-11-26 03:00 UTC: 2 findings\n\nRESOLVED since 2026-11-26 03:00 UTC: 1 finding\n\n6 more finding(s), 2 of them new, are left out of this message (2 critical, 3 warning, 1 resolved)"},
			[]string{"API web", "STANDING"}, ""},
		{2, []string{"CRITICAL missing-options", "WARNING  access-logging-disabled", "4 more finding(s), none of them new, are left out of this message (1 critical, 2 warning, 1 resolved)"},
			[]string{"CRITICAL stage-without-deployment", "STANDING"}, ""},
		{3, []string{"CRITICAL stage-without-deployment  reports/qa", "3 more finding(s), none of them new, are left out of this message (1 critical, 2 warning)"}, []string{"STANDING"}, ""},
		{4, []string{"STANDING DRIFT: 1 finding", "CRITICAL undeployed-changes", "2 more finding(s), none of them new, are left out of this message (2 warning)"}, []string{"STANDING HYGIENE"}, ""},
		{5, []string{"STANDING HYGIENE: 2 findings of 1 check", "access-logging-disabled (warning, 2 stages): orders/prod and 1 more\n", "1 more finding(s), none of them new, are left out of this message (1 warning)"}, nil, ""},
		{6, []string{"access-logging-disabled (warning, 2 stages): orders/prod, reports/qa\n"}, []string{"left out"}, ""},
	} {
		t.Run(fmt.Sprint(tt.limit), func(t *testing.T) {
			out := text(t, r, TextOptions{MaxFindings: tt.limit, MaxErrors: -1})
			for _, h := range tt.has {
				if !strings.Contains(out, h) {
					t.Errorf("lacks %q:\n%s", h, out)
				}
			}
			for _, h := range tt.hasNo {
				if strings.Contains(out, h) {
					t.Errorf("has %q:\n%s", h, out)
				}
			}
		})
	}
	if n := r.FindingsLeftOut(3); n != 3 {
		t.Errorf("FindingsLeftOut(3) = %d, want 3", n)
	}
}

// TestSeveralAccountsLayout: the accounts stay worst first, and each account's section reads
// new, resolved, drift, hygiene.
func TestSeveralAccountsLayout(t *testing.T) {
	second := func(f checks.Finding) checks.Finding { f.AccountID = "222222222222"; return f }
	prev := reportOf(lastNight,
		finding("undeployed-changes", "orders", method("prod", "POST", "/orders")),
		second(finding("base-path-gap", "", func(f *checks.Finding) { f.APIID, f.APIName, f.Domain, f.BasePath = "", "", "api.example.com", "v1" })))
	cur := reportOf(tonight,
		finding("undeployed-changes", "orders", method("prod", "POST", "/orders")),
		finding("tracing-disabled", "orders", stage("prod")),
		second(finding("stage-without-deployment", "billing", stage("live"))),
		second(finding("stage-without-deployment", "billing", stage("test"))),
		second(finding("access-logging-disabled", "billing", stage("live"))))
	cur.Compare(prev)
	out := text(t, cur)
	inOrder(t, "text", out,
		"API Gateway drift audit of 2 accounts",
		"  all                     5",
		"Accounts, worst first:\n  222222222222  2 critical, 1 warning, 0 info; complete\n  111111111111  1 critical, 0 warning, 1 info; complete\n",
		"=== account 222222222222 ===",
		"NEW since", "API billing (billing01, us-east-1)", "stage live", "CRITICAL stage-without-deployment", "WARNING  access-logging-disabled", "stage test",
		"RESOLVED since", "CRITICAL base-path-gap  api.example.com base path v1",
		"=== account 111111111111 ===",
		"NEW since", "INFO     tracing-disabled",
		"RESOLVED since 2026-11-26 03:00 UTC: none",
		"STANDING DRIFT: 1 finding", "CRITICAL undeployed-changes  POST /orders  (since 2026-11-26)",
		"Summary:")
	golden.Compare(t, "accounts.golden.txt", []byte(out), *update)

	// Without a baseline: drift, then hygiene, in each account.
	plain := reportOf(tonight, cur.Findings...)
	for i := range plain.Findings {
		plain.Findings[i].Change, plain.Findings[i].FirstSeen = "", nil
	}
	out = text(t, plain)
	inOrder(t, "no baseline", out,
		"=== account 222222222222 ===", "DRIFT: 2 findings", "HYGIENE: 1 finding of 1 check", "  access-logging-disabled (warning, 1 stage): billing/live",
		"=== account 111111111111 ===", "DRIFT: 1 finding", "HYGIENE: 1 finding of 1 check", "  tracing-disabled (info, 1 stage): orders/prod")
	inOrder(t, "markdown", markdown(t, plain),
		"## Accounts, worst first", "## Account 222222222222", "### Drift", "#### API billing", "### Hygiene",
		"## Account 111111111111", "### Drift", "#### API orders", "### Hygiene")
}

// TestOneFixForAStagesChanges: findings of one stage that one command fixes (a stage's
// undeployed changes) print it once, after the last of them.
func TestOneFixForAStagesChanges(t *testing.T) {
	r := reportOf(tonight,
		finding("undeployed-changes", "orders", method("prod", "POST", "/orders")),
		finding("undeployed-changes", "orders", method("prod", "GET", "/orders/{id}")),
		finding("undeployed-changes", "orders", func(f *checks.Finding) { method("prod", "DELETE", "/orders/{id}")(f); f.Severity = checks.Warning }),
		finding("undeployed-changes", "orders", method("dev", "PUT", "/orders")))
	out := text(t, r)
	inOrder(t, "text", out,
		"  stage dev\n", "CRITICAL undeployed-changes  PUT /orders",
		"      fix:   aws apigateway create-deployment --rest-api-id orders01 --stage-name dev --region us-east-1\n",
		"  stage prod\n", "CRITICAL undeployed-changes  POST /orders", "CRITICAL undeployed-changes  GET /orders/{id}", "WARNING  undeployed-changes  DELETE /orders/{id}",
		"      fix for the 3 above: aws apigateway create-deployment --rest-api-id orders01 --stage-name prod --region us-east-1\n")
	if n := strings.Count(out, "--stage-name prod"); n != 1 {
		t.Errorf("the prod fix is written %d times:\n%s", n, out)
	}
	md := markdown(t, r)
	if !strings.Contains(md, "undeployed-changes, prod, POST /orders; undeployed-changes, prod, GET /orders/{id}; undeployed-changes, prod, DELETE /orders/{id}:\n\n```sh\naws apigateway create-deployment --rest-api-id orders01 --stage-name prod") {
		t.Errorf("markdown does not share the prod fix:\n%s", md)
	}
}
