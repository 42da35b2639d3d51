package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apigw-drift/driftaudit/internal/awsemu"
	goldenfile "github.com/apigw-drift/driftaudit/internal/golden"
	"github.com/apigw-drift/driftaudit/internal/seed"
	"github.com/apigw-drift/driftaudit/pkg/checks"
	"github.com/apigw-drift/driftaudit/pkg/cli"
	"github.com/apigw-drift/driftaudit/pkg/report"
)

var update = flag.Bool("update", false, "rewrite the golden files from this run")

var moto *awsemu.Moto

func TestMain(m *testing.M) { os.Exit(awsemu.RunWithMoto(m, &moto, nil)) }

var fixedNow = func() time.Time { return time.Date(2026, 11, 27, 3, 0, 0, 0, time.UTC) }

// run calls driftaudit in-process, as the binary would be called, with fake credentials only.
func run(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID": "AKIAFAKE", "AWS_SECRET_ACCESS_KEY": "fake", "AWS_SESSION_TOKEN": "",
		"AWS_EC2_METADATA_DISABLED": "true", "AWS_CONFIG_FILE": os.DevNull, "AWS_SHARED_CREDENTIALS_FILE": os.DevNull,
		"AWS_REGION": "", "AWS_DEFAULT_REGION": "", "AWS_PROFILE": "",
	} {
		t.Setenv(k, v)
	}
	var out, errOut bytes.Buffer
	code = cli.Main(context.Background(), args, cli.Env{Stdout: &out, Stderr: &errOut, Now: fixedNow})
	return code, out.String(), errOut.String()
}

// demoAccount seeds the demo account behind a fresh shim and returns the shim's URL.
func demoAccount(t *testing.T) string { return demoShim(t).URL }

// freshShim empties moto and puts a new shim in front of it, closed with the test.
func freshShim(t *testing.T) *awsemu.Shim {
	t.Helper()
	return awsemu.FreshShim(t, moto)
}

// demoShim seeds the demo account behind a fresh shim and returns the shim.
func demoShim(t *testing.T) *awsemu.Shim {
	t.Helper()
	ctx := context.Background()
	shim := freshShim(t)
	if err := seed.Demo(seed.ForConfig(ctx, awsemu.AWSConfig(shim.URL, "us-east-1")), time.Sleep); err != nil {
		t.Fatal(err)
	}
	return shim
}

// TestIncompleteScanFailsTheGate: an API that denies access makes the scan incomplete; the
// report says so and the CLI exits 1 even where no finding reaches --fail-on, so that a CI gate
// never passes on a report that could not read everything.
func TestIncompleteScanFailsTheGate(t *testing.T) {
	shim := demoShim(t)
	shim.AddFault(awsemu.Fault{Service: "apigateway", APIID: "orders0001", Kind: awsemu.FaultStatus, Status: 403, ErrorType: "AccessDeniedException"})
	code, js, _ := run(t, "scan", "--endpoint-url", shim.URL, "--region", "us-east-1", "--format", "json", "--enable", "never-deployed")
	var doc struct {
		Summary struct {
			Findings int  `json:"findings"`
			Complete bool `json:"complete"`
		} `json:"summary"`
		Errors []struct{ Region, APIID, Operation, Message string } `json:"errors"`
	}
	if err := json.Unmarshal([]byte(js), &doc); err != nil {
		t.Fatal(err)
	}
	if code != cli.ExitFindings || doc.Summary.Complete || len(doc.Errors) == 0 || doc.Errors[0].Region != "us-east-1" {
		t.Errorf("exit %d, complete %t, errors %+v: want exit 1 and the errors listed", code, doc.Summary.Complete, doc.Errors)
	}
	if code, _, _ := run(t, "scan", "--endpoint-url", shim.URL, "--region", "us-east-1", "--fail-on", "none"); code != cli.ExitOK {
		t.Errorf("--fail-on none: exit %d", code)
	}
	_, text, _ := run(t, "scan", "--endpoint-url", shim.URL, "--region", "us-east-1", "--enable", "never-deployed")
	if !strings.Contains(text, "Scan errors (") || !strings.Contains(text, "scan INCOMPLETE") {
		t.Errorf("the text report must show the scan errors:\n%s", text)
	}
}

func TestUsageErrors(t *testing.T) {
	snapshotOfReport := filepath.Join(t.TempDir(), "report.json")
	os.WriteFile(snapshotOfReport, []byte(`{"schema_version":1,"summary":{}}`), 0o644)
	notJSON := filepath.Join(t.TempDir(), "broken.json")
	os.WriteFile(notJSON, []byte(`{"schema_version":1,"regions":[`), 0o644)
	emptyFile := filepath.Join(t.TempDir(), "empty.json")
	os.WriteFile(emptyFile, []byte("\n"), 0o644)
	futureSchema := filepath.Join(t.TempDir(), "future.json")
	os.WriteFile(futureSchema, []byte(`{"schema_version":9,"regions":[]}`), 0o644)

	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no command", nil, "Usage:"},
		{"unknown command", []string{"audit"}, `unknown command "audit"`},
		{"bad format", []string{"scan", "--format", "xml"}, `invalid argument "xml" for "--format" flag: must be one of text, json`},
		{"bad fail-on", []string{"scan", "--fail-on", "high"}, "must be one of critical, warning, info, none"},
		{"unknown flag", []string{"scan", "--regoin", "us-east-1"}, "scan: unknown flag --regoin (did you mean --region?)"},
		{"one dash", []string{"scan", "-region", "us-east-1"}, "unknown flag -region: long flags take two dashes, --region"},
		{"command typo", []string{"scna"}, `unknown command "scna" (did you mean scan?)`},
		{"help typo", []string{"help", "explian"}, `help: no command "explian" (did you mean explain?)`},
		{"empty region", []string{"scan", "--region", ""}, `invalid argument "" for "--region" flag: empty region: name one`},
		{"empty region in a list", []string{"scan", "--region", "us-east-1,"}, `empty region in "us-east-1,"`},
		{"inventory judges nothing", []string{"inventory", "--cors-tag", "x"}, "inventory: unknown flag --cors-tag"},
		{"severity of no check", []string{"scan", "--severity", "nosuch=critical"}, `--severity nosuch=critical: "nosuch" is not a check id (see driftaudit checks)`},
		{"severity typo", []string{"scan", "--severity", "undeployed-change=warning"}, `"undeployed-change" is not a check id (did you mean undeployed-changes?)`},
		{"severity of a family", []string{"scan", "--severity", "cors=info"}, `"cors" is a family: --severity takes one check id at a time`},
		{"severity level", []string{"scan", "--severity", "undeployed-changes=high"}, `level "high" is not critical, warning or info`},
		{"output format", []string{"scan", "--output", "jsn=r.json"}, `--output jsn=r.json: "jsn" is not a format (text, json, markdown, asff) (did you mean json?)`},
		{"output directory", []string{"scan", "--output", "/nonexistent/dir/r.json"}, "directory /nonexistent/dir does not exist"},
		{"output twice", []string{"scan", "--output", "r.json", "--output", "json=r.json"}, "r.json is named twice"},
		{"a check off by its config", []string{"scan", "--snapshot", "x.json", "--enable", "endpoint-type-not-allowed"}, "leave no check to run: endpoint-type-not-allowed is off without allowed endpoint types (--allowed-endpoint-types"},
		{"not a number", []string{"scan", "--rate", "abc"}, `scan: --rate "abc" is not a number`},
		{"not a whole number", []string{"scan", "--burst", "1.5"}, `scan: --burst "1.5" is not a whole number`},
		{"no concurrency", []string{"scan", "--region", "us-east-1", "--concurrency", "0"}, "--concurrency must be at least 1, not 0"},
		{"negative rate", []string{"scan", "--region", "us-east-1", "--rate", "-1"}, "--rate must not be negative"},
		{"empty CORS tag", []string{"scan", "--region", "us-east-1", "--cors-tag", ""}, "--cors-tag must name a tag"},
		{"snapshot with a pace", []string{"scan", "--snapshot", "x.json", "--rate", "2"}, "it reads nothing, so it takes no --rate"},
		{"snapshot with a role", []string{"scan", "--snapshot", "x.json", "--role-name", "R"}, "takes no --role-name"},
		{"output is a directory", []string{"scan", "--output", os.TempDir()}, "is a directory: name a file in it"},
		{"inventory output is a directory", []string{"inventory", "--region", "us-east-1", "-o", os.TempDir()}, "is a directory: name a file in it"},
		{"enable typo", []string{"scan", "--enable", "undeployed-change"}, `--enable undeployed-change: no check or family "undeployed-change" (did you mean undeployed-changes?)`},
		{"disable typo", []string{"scan", "--disable", "hygeine"}, `(did you mean hygiene?)`},
		{"quiet progress", []string{"scan", "--quiet", "--progress", "always"}, "--quiet silences --progress always"},
		{"unknown check", []string{"checks", "cros"}, `checks: no check or family "cros" (did you mean cors?)`},
		{"stray argument", []string{"scan", "us-east-1"}, `unexpected argument "us-east-1"`},
		{"bad region", []string{"scan", "--region", "Frankfurt"}, `region "Frankfurt" is not a region name`},
		{"bad endpoint", []string{"scan", "--region", "us-east-1", "--endpoint-url", "localhost:4566"}, `endpoint URL "localhost:4566" is not an http(s) URL`},
		{"no region", []string{"scan", "--endpoint-url", "http://127.0.0.1:9"}, "no region to scan"},
		{"snapshot with region", []string{"scan", "--snapshot", "x.json", "--region", "us-east-1"}, "takes no --region"},
		{"missing snapshot", []string{"scan", "--snapshot", "/nonexistent/inv.json"}, "read snapshot: open /nonexistent/inv.json: no such file or directory"},
		{"report as snapshot", []string{"scan", "--snapshot", snapshotOfReport}, "is a report, not an inventory: --snapshot takes what 'driftaudit inventory' saves; make one with 'driftaudit inventory --region REGION > inventory.json'"},
		{"empty snapshot", []string{"scan", "--snapshot", emptyFile}, "snapshot " + emptyFile + " is empty: make one with 'driftaudit inventory"},
		{"truncated snapshot", []string{"scan", "--snapshot", notJSON}, "not a driftaudit inventory: unexpected EOF"},
		{"future snapshot", []string{"scan", "--snapshot", futureSchema}, "schema_version 9 is not supported"},
		{"checks bad format", []string{"checks", "--format", "yaml"}, `invalid argument "yaml"`},
		{"inventory stray", []string{"inventory", "extra"}, `unexpected argument "extra"`},
		{"negative timeout", []string{"scan", "--region", "us-east-1", "--timeout", "-5s"}, "--timeout must not be negative"},
		{"bad timeout", []string{"scan", "--timeout", "soon"}, `invalid argument "soon" for "--timeout" flag`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := run(t, tc.args...)
			if code != cli.ExitUsage {
				t.Errorf("exit %d, want %d", code, cli.ExitUsage)
			}
			if !strings.Contains(stderr, tc.want) {
				t.Errorf("stderr %q does not say %q", stderr, tc.want)
			}
			if tc.args != nil && (stdout != "" || strings.Count(strings.TrimSpace(stderr), "\n") > 1) {
				t.Errorf("a usage error is one line on stderr and nothing on stdout; got stdout %q stderr %q", stdout, stderr)
			}
		})
	}
}

// TestTimeoutReportsWhatWasRead: every GetStages hangs, so the scan cannot finish; at --timeout
// it stops, and prints the report of what it read, marked incomplete, with exit 1: the findings
// it could judge (the working definitions') are there, the errors say what was not read, and
// nothing is said about the stages that never came.
func TestTimeoutReportsWhatWasRead(t *testing.T) {
	shim := demoShim(t)
	shim.AddFault(awsemu.Fault{Service: "apigateway", Operation: "GetStages", Kind: awsemu.FaultHang})
	start := time.Now()
	code, js, stderr := run(t, "scan", "--endpoint-url", shim.URL, "--region", "us-east-1", "--format", "json", "--timeout", "2s")
	elapsed := time.Since(start)
	var doc struct {
		Summary struct {
			Complete bool `json:"complete"`
		} `json:"summary"`
		Findings []struct {
			Check string `json:"check"`
			APIID string `json:"api_id"`
			Stage string `json:"stage"`
		} `json:"findings"`
		Errors []struct {
			APIID     string `json:"api_id"`
			Operation string `json:"operation"`
			Message   string `json:"message"`
		} `json:"errors"`
	}
	if err := json.Unmarshal([]byte(js), &doc); err != nil {
		t.Fatalf("no JSON report (stderr %q): %v", stderr, err)
	}
	if code != cli.ExitFindings || doc.Summary.Complete {
		t.Errorf("exit %d, complete %t: want exit 1 and an incomplete report", code, doc.Summary.Complete)
	}
	stagesUnread := map[string]bool{}
	for _, e := range doc.Errors {
		if e.Operation == "GetStages" && strings.Contains(e.Message, "deadline exceeded") {
			stagesUnread[e.APIID] = true
		}
	}
	if len(stagesUnread) == 0 {
		t.Errorf("no error says the stages were not read before the deadline: %+v", doc.Errors)
	}
	for _, f := range doc.Findings {
		if stagesUnread[f.APIID] && (f.Stage != "" || f.Check == "never-deployed") {
			t.Errorf("a %s finding on stage %q of API %s, whose stages were never read", f.Check, f.Stage, f.APIID)
		}
	}
	t.Logf("returned after %s with %d findings and %d errors", elapsed.Round(time.Millisecond), len(doc.Findings), len(doc.Errors))

	// The same deadline before anything at all was read is still a report, not "could not run".
	shim.AddFault(awsemu.Fault{Service: "apigateway", Kind: awsemu.FaultHang})
	code, text, stderr := run(t, "scan", "--endpoint-url", shim.URL, "--region", "us-east-1", "--timeout", "1s")
	if code != cli.ExitFindings || !strings.Contains(text, "scan INCOMPLETE") || strings.Contains(stderr, "could not run") {
		t.Errorf("exit %d, stderr %q, report:\n%s", code, stderr, text)
	}
}

// TestInventoryPrintsEveryRegionsErrors: errors in two regions are all printed, each naming its
// region, scope and operation.
func TestInventoryPrintsEveryRegionsErrors(t *testing.T) {
	shim := demoShim(t)
	shim.AddFault(awsemu.Fault{Service: "apigateway", Region: "us-east-1", APIID: "orders0001", Kind: awsemu.FaultStatus, Status: 403, ErrorType: "AccessDeniedException"})
	shim.AddFault(awsemu.Fault{Service: "apigateway", Region: "eu-west-1", Operation: "GetUsagePlans", Kind: awsemu.FaultStatus, Status: 403, ErrorType: "AccessDeniedException"})
	code, _, stderr := run(t, "inventory", "--endpoint-url", shim.URL, "--region", "us-east-1", "--region", "eu-west-1")
	if code != cli.ExitFindings {
		t.Errorf("exit %d, want 1", code)
	}
	for _, want := range []string{"scan error in us-east-1 API orders (orders0001) GetResources", "scan error in us-east-1 API orders (orders0001) GetStages", "scan error in eu-west-1 GetUsagePlans"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
}

func TestUnreachableEndpointFailsWithinBounds(t *testing.T) {
	start := time.Now()
	code, _, stderr := run(t, "scan", "--region", "us-east-1", "--endpoint-url", "http://127.0.0.1:9")
	if code != cli.ExitUsage || !strings.Contains(stderr, "scan could not run") || !strings.Contains(stderr, "127.0.0.1:9") {
		t.Errorf("exit %d, stderr %q: want exit 2 naming the endpoint", code, stderr)
	}
	if strings.Count(strings.TrimSpace(stderr), "\n") > 0 {
		t.Errorf("the error should be one line: %q", stderr)
	}
	t.Logf("gave up after %s", time.Since(start).Round(time.Millisecond))
}

func TestScanDemoAccount(t *testing.T) {
	endpoint := demoAccount(t)

	code, text, stderr := run(t, "scan", "--endpoint-url", endpoint, "--region", "us-east-1")
	if code != cli.ExitFindings || stderr != "" {
		t.Fatalf("exit %d (want 1: the demo has critical findings), stderr %q", code, stderr)
	}
	for _, want := range []string{"API orders (orders0001, us-east-1)", "CRITICAL undeployed-changes  POST /orders",
		"fix for the 3 above: aws apigateway create-deployment --rest-api-id orders0001 --stage-name prod --region us-east-1",
		"Summary: 13 critical, 21 warning, 27 info in 7 API(s), 1 region(s); scan complete."} {
		if !strings.Contains(text, want) {
			t.Errorf("text report lacks %q", want)
		}
	}
	if strings.Contains(text, "catalog001") {
		t.Errorf("the healthy API appears in the report:\n%s", text)
	}

	code, js, _ := run(t, "scan", "--endpoint-url", endpoint, "--region", "us-east-1", "--format", "json", "--fail-on", "none")
	if code != cli.ExitOK {
		t.Errorf("--fail-on none: exit %d, want 0", code)
	}
	var doc struct {
		SchemaVersion int       `json:"schema_version"`
		AccountID     string    `json:"account_id"`
		GeneratedAt   time.Time `json:"generated_at"`
		Regions       []string  `json:"regions"`
		Summary       struct {
			APIsScanned int            `json:"apis_scanned"`
			Findings    int            `json:"findings"`
			BySeverity  map[string]int `json:"by_severity"`
			ByCheck     map[string]int `json:"by_check"`
			Errors      int            `json:"errors"`
			Complete    bool           `json:"complete"`
		} `json:"summary"`
		Findings []checks.Finding  `json:"findings"`
		Errors   []json.RawMessage `json:"errors"`
	}
	if err := json.Unmarshal([]byte(js), &doc); err != nil {
		t.Fatalf("--format json is not one JSON document: %v", err)
	}
	if doc.SchemaVersion != report.SchemaVersion || doc.AccountID != "123456789012" || !doc.GeneratedAt.Equal(fixedNow()) || len(doc.Regions) != 1 ||
		doc.Summary.APIsScanned != 7 || doc.Summary.Findings != 61 || !doc.Summary.Complete || doc.Summary.Errors != 0 ||
		len(doc.Summary.ByCheck) != len(checks.All())-1 || doc.Errors == nil {
		t.Errorf("JSON report header: %+v", doc)
	}
	if _, counted := doc.Summary.ByCheck["endpoint-type-not-allowed"]; counted {
		t.Error("endpoint-type-not-allowed is off without --allowed-endpoint-types, yet counted as run")
	}
	for _, f := range doc.Findings {
		if f.Check == "" || f.AccountID != "123456789012" || f.Region != "us-east-1" || f.Message == "" || !(strings.HasPrefix(f.Remediation, "aws apigateway ") || strings.HasPrefix(f.Remediation, "aws apigatewayv2 ") || strings.HasPrefix(f.Remediation, "aws wafv2 ")) {
			t.Errorf("finding lacks what every finding carries: %+v", f)
		}
	}

	for failOn, want := range map[string]int{"critical": 1, "warning": 1, "info": 1, "none": 0} {
		if code, _, _ := run(t, "scan", "--endpoint-url", endpoint, "--region", "us-east-1", "--format", "json", "--fail-on", failOn); code != want {
			t.Errorf("--fail-on %s: exit %d, want %d", failOn, code, want)
		}
	}
}

func TestInventoryRoundTrip(t *testing.T) {
	endpoint := demoAccount(t)
	code, inv, stderr := run(t, "inventory", "--endpoint-url", endpoint, "--region", "us-east-1")
	if code != cli.ExitOK || stderr != "" {
		t.Fatalf("inventory: exit %d, stderr %q", code, stderr)
	}
	if !strings.Contains(inv, `"account_id": "123456789012"`) {
		t.Errorf("inventory lacks the account id")
	}
	file := filepath.Join(t.TempDir(), "inventory.json")
	if err := os.WriteFile(file, []byte(inv), 0o644); err != nil {
		t.Fatal(err)
	}
	_, live, _ := run(t, "scan", "--endpoint-url", endpoint, "--region", "us-east-1", "--format", "json")
	code, offline, stderr := run(t, "scan", "--snapshot", file, "--format", "json")
	if code != cli.ExitFindings || stderr != "" {
		t.Errorf("scan --snapshot: exit %d, stderr %q", code, stderr)
	}
	if withoutStamp(t, offline) != live {
		t.Errorf("the report from a saved inventory differs from the live one (but for its collected_at):\n%s\n---\n%s", live, offline)
	}
	if *update {
		golden(t, "demo.inventory.json", []byte(inv))
	}
}

// TestTextReport renders a recorded inventory of the demo account, so that the text a person
// reads is pinned byte for byte (the live ids of moto change on every run).
func TestTextReport(t *testing.T) {
	code, text, stderr := run(t, "scan", "--snapshot", filepath.Join("testdata", "demo.inventory.json"))
	if code != cli.ExitFindings || stderr != "" {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
	golden(t, "demo.golden.txt", []byte(text))
}

func TestChecksListing(t *testing.T) {
	code, text, _ := run(t, "checks")
	if code != cli.ExitOK {
		t.Fatalf("exit %d", code)
	}
	code, js, _ := run(t, "checks", "--format", "json")
	var list []struct {
		ID, Severity, Title, Remediation string
	}
	if err := json.Unmarshal([]byte(js), &list); err != nil || code != 0 {
		t.Fatalf("checks --format json: exit %d, %v", code, err)
	}
	if len(list) != len(checks.All()) {
		t.Errorf("%d checks listed, registry has %d", len(list), len(checks.All()))
	}
	for i, c := range checks.All() {
		if list[i].ID != c.ID || list[i].Severity != c.Severity.String() || list[i].Remediation == "" {
			t.Errorf("listing %d: %+v, registry %s", i, list[i], c.ID)
		}
		if !strings.Contains(text, c.ID) || !strings.Contains(text, c.Title) {
			t.Errorf("text listing lacks %s", c.ID)
		}
	}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	goldenfile.Compare(t, name, got, *update)
}

// TestMarkdownReport pins the report people paste into tickets, from the recorded demo
// inventory, with a suppression file so that every section shows.
func TestMarkdownReport(t *testing.T) {
	file := filepath.Join("testdata", "demo-suppressions.yaml")
	code, md, stderr := run(t, "scan", "--snapshot", filepath.Join("testdata", "demo.inventory.json"), "--format", "markdown", "--suppressions", file, "--disable", "hygiene")
	if code != cli.ExitFindings || stderr != "" {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
	for _, want := range []string{"| critical | warning | info | APIs scanned | suppressed |", "## API orders (orders0001, us-east-1)",
		"```sh\naws apigateway create-deployment --rest-api-id orders0001 --stage-name prod --region us-east-1\n```", "## Suppressed", "a prototype, deployed when ready"} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q", want)
		}
	}
	golden(t, "demo.golden.md", []byte(md))
}

func TestColor(t *testing.T) {
	snapshot := filepath.Join("testdata", "demo.inventory.json")
	_, plain, _ := run(t, "scan", "--snapshot", snapshot)
	if strings.Contains(plain, "\x1b[") {
		t.Error("output that is not a terminal must not be coloured")
	}
	_, colored, _ := run(t, "scan", "--snapshot", snapshot, "--color", "always")
	if !strings.Contains(colored, "\x1b[1;31mCRITICAL") {
		t.Error("--color always should colour severities")
	}
	t.Setenv("NO_COLOR", "1")
	if _, out, _ := run(t, "scan", "--snapshot", snapshot, "--color", "auto"); strings.Contains(out, "\x1b[") {
		t.Error("NO_COLOR must turn colour off")
	}
}

// withoutStamp is a JSON report of a snapshot without its collected_at line, which a live
// report does not have; it fails the test if the line is missing.
func withoutStamp(t *testing.T, doc string) string {
	t.Helper()
	lines := strings.Split(doc, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, `  "collected_at": "`) {
			return strings.Join(append(lines[:i:i], lines[i+1:]...), "\n")
		}
	}
	t.Error("the report of a snapshot does not say when the snapshot was taken (collected_at)")
	return doc
}
