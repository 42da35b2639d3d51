package publish_test

import (
	"bytes"
	"flag"
	"fmt"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns/types"

	"github.com/apigw-drift/driftaudit/internal/golden"
	"github.com/apigw-drift/driftaudit/pkg/checks"
	"github.com/apigw-drift/driftaudit/pkg/inventory"
	"github.com/apigw-drift/driftaudit/pkg/publish"
	"github.com/apigw-drift/driftaudit/pkg/report"
)

var update = flag.Bool("update", false, "rewrite the golden files from this run")

const (
	snsLimit     = 256 * 1024
	fullReportAt = `in CloudWatch Logs, log group /aws/lambda/driftaudit, request 8f5e3b1c-0d2a-4f6e-9b7c-1a2b3c4d5e6f (one "finding" record per finding)`
)

func withAccount(rep *report.Report, id string) *report.Report {
	rep.AccountID = id
	return rep
}

func repeat(n int, f func(i int) checks.Finding) []checks.Finding {
	fs := make([]checks.Finding, n)
	for i := range fs {
		fs[i] = f(i)
	}
	return fs
}

func incomplete(r inventory.Region) inventory.Region {
	r.Errors = append(r.Errors, scanError(r.Name, "", inventory.OpGetRestApis, "AccessDeniedException: not authorized to perform apigateway:GET"))
	return r
}

func TestSubject(t *testing.T) {
	eu := region("eu-west-1", "a1")
	longRegions := []inventory.Region{incomplete(region("ap-southeast-1", "a1")), region("ap-southeast-2")}
	tests := []struct {
		name    string
		rep     *report.Report
		want    string
		has     []string
		hasNot  []string
		complet bool
	}{
		{name: "all clear", rep: build([]inventory.Region{eu}),
			want: "API Gateway drift: all clear in 123456789012 eu-west-1"},
		{name: "the issue's example", rep: build([]inventory.Region{eu}, append(
			repeat(2, func(int) checks.Finding { return finding("undeployed-changes", "eu-west-1", "a1") }),
			repeat(5, func(int) checks.Finding { return finding("options-missing-cors-headers", "eu-west-1", "a1") })...)...),
			want: "API Gateway drift: 2 critical, 5 warning in 123456789012 eu-west-1"},
		{name: "info only", rep: build([]inventory.Region{eu}, finding("never-deployed", "eu-west-1", "a1")),
			want: "API Gateway drift: 1 info in 123456789012 eu-west-1"},
		{name: "two regions", rep: build([]inventory.Region{eu, region("us-east-1")}),
			want: "API Gateway drift: all clear in 123456789012 eu-west-1 us-east-1"},
		{name: "many regions", rep: build([]inventory.Region{eu, region("us-east-1"), region("ap-northeast-1"), region("sa-east-1")}),
			want: "API Gateway drift: all clear in 123456789012 4 regions"},
		{name: "no account", rep: withAccount(build([]inventory.Region{eu}), ""),
			want: "API Gateway drift: all clear in eu-west-1"},
		{name: "incomplete, no findings", rep: build([]inventory.Region{incomplete(eu)}),
			want:   "API Gateway drift: no findings in 123456789012 eu-west-1 (incomplete scan)",
			hasNot: []string{"all clear"}},
		{name: "incomplete with findings", rep: build([]inventory.Region{incomplete(eu)}, finding("undeployed-changes", "eu-west-1", "a1")),
			want: "API Gateway drift: 1 critical in 123456789012 eu-west-1 (incomplete scan)"},
		{name: "two long regions, every severity, incomplete",
			rep: build(longRegions, append(append(
				repeat(12, func(int) checks.Finding { return finding("undeployed-changes", "ap-southeast-1", "a1") }),
				repeat(345, func(int) checks.Finding { return finding("options-missing-cors-headers", "ap-southeast-1", "a1") })...),
				repeat(6789, func(int) checks.Finding { return finding("never-deployed", "ap-southeast-1", "a1") })...)...),
			has: []string{"12 critical, 345 warning, 6789 info", "123456789012", "2 regions", "(incomplete scan)"}},
		{name: "huge counts in many regions, incomplete",
			rep: build([]inventory.Region{incomplete(region("us-gov-west-1", "a1")), region("cn-northwest-1"), region("ap-southeast-3")}, append(
				repeat(10000, func(int) checks.Finding { return finding("undeployed-changes", "us-gov-west-1", "a1") }),
				repeat(10000, func(int) checks.Finding { return finding("never-deployed", "us-gov-west-1", "a1") })...)...),
			want: "API Gateway drift: 10000 critical, 10000 info in 123456789012 3 regions (incomplete scan)"},
		{name: "long account id", rep: withAccount(build([]inventory.Region{eu}, finding("undeployed-changes", "eu-west-1", "a1")), strings.Repeat("9", 120)),
			has: []string{"API Gateway drift: 1 critical in 9999", "…"}},
		{name: "long account id, incomplete", rep: withAccount(build([]inventory.Region{incomplete(eu)}), strings.Repeat("9", 120)),
			has: []string{"API Gateway drift: no findings in 9999", "… (incomplete scan)"}},
		{name: "line breaks in the account", rep: withAccount(build([]inventory.Region{eu}), "1234\r\n5678\t"),
			want: "API Gateway drift: all clear in 1234  5678  eu-west-1"},
		{name: "line break in a region name", rep: build([]inventory.Region{region("eu-west-1\nBcc: x")}),
			has: []string{"eu-west-1 Bcc: x"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := publish.Subject(tt.rep)
			if n := utf8.RuneCountInString(got); n >= 100 {
				t.Errorf("subject of %d characters: %q", n, got)
			}
			if strings.IndexFunc(got, unicode.IsControl) >= 0 {
				t.Errorf("control character in %q", got)
			}
			if tt.want != "" && got != tt.want {
				t.Errorf("subject\n%q, want\n%q", got, tt.want)
			}
			for _, h := range tt.has {
				if !strings.Contains(got, h) {
					t.Errorf("subject %q does not contain %q", got, h)
				}
			}
			for _, h := range tt.hasNot {
				if strings.Contains(got, h) {
					t.Errorf("subject %q contains %q", got, h)
				}
			}
		})
	}
}

func TestBuildMessageAttributes(t *testing.T) {
	eu := region("eu-west-1", "a1", "a2")
	tests := []struct {
		name string
		rep  *report.Report
		want map[string]string
	}{
		{"no findings", build([]inventory.Region{eu}), map[string]string{
			"severity": "String:none", "critical": "Number:0", "warning": "Number:0", "info": "Number:0",
			"scan_errors": "Number:0", "complete": "String:true", "account": "String:123456789012"}},
		{"critical is the highest", build([]inventory.Region{eu},
			finding("never-deployed", "eu-west-1", "a2"), finding("undeployed-changes", "eu-west-1", "a1"),
			finding("undeployed-changes", "eu-west-1", "a2"), finding("options-missing-cors-headers", "eu-west-1", "a1")), map[string]string{
			"severity": "String:critical", "critical": "Number:2", "warning": "Number:1", "info": "Number:1",
			"scan_errors": "Number:0", "complete": "String:true", "account": "String:123456789012"}},
		{"warning is the highest", build([]inventory.Region{eu}, finding("options-missing-cors-headers", "eu-west-1", "a1"), finding("never-deployed", "eu-west-1", "a1")),
			map[string]string{"severity": "String:warning", "critical": "Number:0", "warning": "Number:1", "info": "Number:1"}},
		{"info only", build([]inventory.Region{eu}, finding("stage-behind-latest", "eu-west-1", "a1")),
			map[string]string{"severity": "String:info", "info": "Number:1"}},
		{"incomplete", build([]inventory.Region{incomplete(incomplete(eu))}),
			map[string]string{"severity": "String:none", "scan_errors": "Number:2", "complete": "String:false"}},
		{"no account", withAccount(build([]inventory.Region{eu}), ""),
			map[string]string{"account": "", "severity": "String:none"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg, err := publish.BuildMessage(tt.rep, fullReportAt)
			if err != nil {
				t.Fatal(err)
			}
			if len(msg.Attributes) > 10 {
				t.Errorf("%d attributes: SQS raw delivery takes at most 10", len(msg.Attributes))
			}
			for name, want := range tt.want {
				v, ok := msg.Attributes[name]
				got := ""
				if ok {
					got = aws.ToString(v.DataType) + ":" + aws.ToString(v.StringValue)
				}
				if got != want {
					t.Errorf("attribute %s = %q, want %q", name, got, want)
				}
			}
			for name, v := range msg.Attributes {
				if aws.ToString(v.DataType) == "" || aws.ToString(v.StringValue) == "" || v.BinaryValue != nil {
					t.Errorf("attribute %s is not a plain String or Number: %+v", name, v)
				}
			}
		})
	}
}

func TestMessageSize(t *testing.T) {
	msg := publish.Message{Subject: "s", Body: "body", Attributes: map[string]types.MessageAttributeValue{
		"severity": {DataType: aws.String("String"), StringValue: aws.String("none")},
		"critical": {DataType: aws.String("Number"), StringValue: aws.String("12")},
	}}
	if got, want := msg.Size(), 1+4+len("severity")+len("String")+len("none")+len("critical")+len("Number")+len("12"); got != want {
		t.Errorf("size %d, want %d", got, want)
	}
}

func TestBuildMessageBody(t *testing.T) {
	eu := region("eu-west-1", "a1", "a2")
	tests := []struct {
		name   string
		rep    *report.Report
		has    []string
		hasNot []string
	}{
		{"all clear", build([]inventory.Region{eu}),
			[]string{"All clear: no findings in 2 API(s).", "Summary: 0 critical, 0 warning, 0 info in 2 API(s), 1 region(s); scan complete."},
			[]string{"INCOMPLETE", "left out", "Scan errors", "Findings by check"}},
		{"incomplete without findings", build([]inventory.Region{incomplete(eu)}),
			[]string{"scan is INCOMPLETE", "Scan errors (1)", "eu-west-1 GetRestApis: AccessDeniedException", "scan INCOMPLETE: 1 error(s)"},
			[]string{"All clear", "all clear"}},
		{"incomplete with findings", build([]inventory.Region{incomplete(eu)}, finding("undeployed-changes", "eu-west-1", "a1")),
			[]string{"CRITICAL", "undeployed-changes", "fix:   aws apigateway create-deployment", "Scan errors (1)", "scan INCOMPLETE"},
			[]string{"All clear"}},
		{"small report", build([]inventory.Region{eu}, finding("undeployed-changes", "eu-west-1", "a1"), finding("never-deployed", "eu-west-1", "a2")),
			[]string{"API api-a1 (a1, eu-west-1)", "API api-a2 (a2, eu-west-1)", "\n  deployment              2         1        0     1\n", "Summary: 1 critical, 0 warning, 1 info"},
			[]string{"All clear", "left out", fullReportAt}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg, err := publish.BuildMessage(tt.rep, fullReportAt)
			if err != nil {
				t.Fatal(err)
			}
			if msg.Omitted != 0 {
				t.Errorf("%d findings omitted from a small report", msg.Omitted)
			}
			var whole bytes.Buffer
			if err := tt.rep.WriteText(&whole); err != nil {
				t.Fatal(err)
			}
			if msg.Body != whole.String() {
				t.Errorf("body is not the whole text report:\n%s\n---\n%s", msg.Body, whole.String())
			}
			for _, h := range tt.has {
				if !strings.Contains(msg.Body, h) {
					t.Errorf("body does not contain %q:\n%s", h, msg.Body)
				}
			}
			for _, h := range tt.hasNot {
				if strings.Contains(msg.Body, h) {
					t.Errorf("body contains %q:\n%s", h, msg.Body)
				}
			}
		})
	}
}

// bigReport has 5,000 long findings: 300 critical, 3,800 warning and 900 info, each severity
// on its own APIs, made in no particular order.
func bigReport() *report.Report {
	const n = 5000
	r := region("eu-west-1")
	var fs []checks.Finding
	for i := range n {
		var f checks.Finding
		switch {
		case i%50 < 3:
			f = finding("undeployed-changes", "eu-west-1", fmt.Sprintf("crit%03d", i%100))
		case i%5 == 0:
			f = finding("never-deployed", "eu-west-1", fmt.Sprintf("info%03d", i%100))
		default:
			f = finding("options-missing-cors-headers", "eu-west-1", fmt.Sprintf("warn%03d", i%100))
		}
		f.Stage = "prod"
		f.Path = fmt.Sprintf("/v1/resource-%04d/{id}", i)
		f.Method = "GET"
		f.Message = fmt.Sprintf("finding %04d: ", i) + strings.Repeat("the working definition differs from the deployed one; ", 6)
		fs = append(fs, f)
	}
	seen := map[string]bool{}
	for _, f := range fs {
		if !seen[f.APIID] {
			seen[f.APIID] = true
			r.APIs = append(r.APIs, inventory.API{ID: f.APIID, Name: f.APIName})
		}
	}
	return build([]inventory.Region{r}, fs...)
}

func TestBuildMessageTruncated(t *testing.T) {
	rep := bigReport()
	if c, w, i := rep.Summary.BySeverity["critical"], rep.Summary.BySeverity["warning"], rep.Summary.BySeverity["info"]; c != 300 || w != 3800 || i != 900 {
		t.Fatalf("fixture has %d critical, %d warning, %d info", c, w, i)
	}
	msg, err := publish.BuildMessage(rep, fullReportAt)
	if err != nil {
		t.Fatal(err)
	}
	if msg.Size() > snsLimit {
		t.Fatalf("message of %d bytes, over %d", msg.Size(), snsLimit)
	}
	if !utf8.ValidString(msg.Body) {
		t.Error("body is not UTF-8")
	}
	body := msg.Body
	crit, warn, info := strings.Count(body, "\n    CRITICAL "), strings.Count(body, "\n    WARNING "), strings.Count(body, "\n    INFO ")
	shown := crit + warn + info
	t.Logf("%d bytes: %d critical, %d warning, %d info shown, %d left out", msg.Size(), crit, warn, info, msg.Omitted)
	switch {
	case msg.Omitted <= 0:
		t.Fatalf("nothing omitted from a %d-byte report", len(body))
	case shown+msg.Omitted != 5000:
		t.Errorf("%d shown + %d omitted, want 5000", shown, msg.Omitted)
	case crit != 300:
		t.Errorf("%d of 300 critical findings kept", crit)
	case warn == 0:
		t.Errorf("no warning kept although %d bytes are free after the critical ones", snsLimit-msg.Size())
	case info != 0:
		t.Errorf("%d info findings kept while warnings are left out", info)
	}
	if last, first := strings.LastIndex(body, "\n    CRITICAL "), strings.Index(body, "\n    WARNING "); first >= 0 && last > first {
		t.Error("a warning comes before a critical finding")
	}
	for _, h := range []string{
		fmt.Sprintf("\n%d more finding(s), of lower or equal severity, are left out of this message (%d warning, 900 info). The full report is %s.\n", msg.Omitted, 3800-warn, fullReportAt),
		"\n  all                  5000       300     3800   900\n",
		fmt.Sprintf("\nSummary: 300 critical, 3800 warning, 900 info in %d API(s), 1 region(s); scan complete.\n", rep.Summary.APIsScanned),
	} {
		if !strings.Contains(body, h) {
			t.Errorf("body does not contain %q", h)
		}
	}
	if !strings.HasSuffix(body, rep.SummaryLine()+"\n") {
		t.Errorf("body does not end with the summary line: %q", body[len(body)-200:])
	}

	var more bytes.Buffer
	if err := rep.WriteTextLimited(&more, report.TextOptions{MaxFindings: shown + 1, MaxErrors: -1, Note: "The full report is " + fullReportAt + "."}); err != nil {
		t.Fatal(err)
	}
	if bigger := (publish.Message{Subject: msg.Subject, Body: more.String(), Attributes: msg.Attributes}); bigger.Size() <= snsLimit {
		t.Errorf("one more finding would still fit (%d bytes): the message keeps too few", bigger.Size())
	}
}

func TestBuildMessageOnlyScanErrorsTooLarge(t *testing.T) {
	r := region("eu-west-1")
	for i := range 3000 {
		r.Errors = append(r.Errors, scanError("eu-west-1", fmt.Sprintf("api%04d", i), inventory.OpGetResources, strings.Repeat("TooManyRequestsException: Rate exceeded ", 3)))
	}
	msg, err := publish.BuildMessage(build([]inventory.Region{r}), fullReportAt)
	if err != nil {
		t.Fatal(err)
	}
	if msg.Size() > snsLimit {
		t.Errorf("message is %d bytes", msg.Size())
	}
	for _, want := range []string{"Scan errors (3000)", "... and 2950 more scan error(s). The full report is " + fullReportAt, "scan INCOMPLETE: 3000 error(s)"} {
		if !strings.Contains(msg.Body, want) {
			t.Errorf("body lacks %q", want)
		}
	}
}

func mediumReport() *report.Report {
	eu := region("eu-west-1")
	eu.APIs = []inventory.API{{ID: "k3x9a1", Name: "orders"}, {ID: "p0q7z2", Name: "users"}}
	us := region("us-east-1")
	us.APIs = []inventory.API{{ID: "b4c8d6", Name: "billing"}}
	us.Errors = []inventory.ScanError{scanError("us-east-1", "b4c8d6", inventory.OpGetResources, "TooManyRequestsException: Too Many Requests")}

	at := func(f checks.Finding, edit func(*checks.Finding)) checks.Finding {
		edit(&f)
		return f
	}
	fs := []checks.Finding{
		at(finding("undeployed-changes", "eu-west-1", "k3x9a1"), func(f *checks.Finding) {
			f.APIName, f.Stage, f.Path, f.Method = "orders", "prod", "/orders/{id}", "PUT"
			f.Message = "PUT /orders/{id} was changed after the deployment stage prod serves"
			f.Remediation = "aws apigateway create-deployment --rest-api-id k3x9a1 --stage-name prod --region eu-west-1"
		}),
		at(finding("missing-options", "eu-west-1", "k3x9a1", checks.Warning), func(f *checks.Finding) {
			f.APIName, f.Path, f.Method = "orders", "/orders", "OPTIONS"
			f.Message = "/orders has no OPTIONS method, so browsers cannot call it cross-origin"
		}),
		at(finding("stage-behind-latest", "eu-west-1", "k3x9a1"), func(f *checks.Finding) {
			f.APIName, f.Stage = "orders", "dev"
			f.Message = "stage dev serves deployment d1, 3 deployments behind the newest"
		}),
		at(finding("options-requires-auth", "eu-west-1", "p0q7z2"), func(f *checks.Finding) {
			f.APIName, f.Stage, f.Path, f.Method = "users", "prod", "/users", "OPTIONS"
			f.Message = "OPTIONS /users requires COGNITO_USER_POOLS authorization, so preflight requests fail"
		}),
		at(finding("never-deployed", "us-east-1", "b4c8d6"), func(f *checks.Finding) {
			f.APIName = "billing"
			f.Message = "API billing has no deployment"
		}),
		at(finding("unkeyed-usage-plan", "us-east-1", ""), func(f *checks.Finding) {
			f.APIName, f.UsagePlanID, f.UsagePlanName = "", "up7k2m", "Gold"
			f.Message = "usage plan Gold throttles stages whose methods do not require an API key"
		}),
		at(finding("usage-plan-dangling-stage", "us-east-1", "zz0000"), func(f *checks.Finding) {
			f.APIName, f.UsagePlanID, f.UsagePlanName, f.Stage = "", "up7k2m", "Gold", "old"
			f.Message = "usage plan Gold names stage old of API zz0000, which does not exist"
		}),
		at(finding("base-path-gap", "us-east-1", "", checks.Warning), func(f *checks.Finding) {
			f.APIName, f.Domain, f.BasePath = "", "api.example.com", "v1"
			f.Message = "base path v1 of api.example.com maps to a stage that does not exist"
		}),
	}
	return build([]inventory.Region{eu, us}, fs...)
}

func TestBuildMessageGolden(t *testing.T) {
	rep := mediumReport()
	msg, err := publish.BuildMessage(rep, fullReportAt)
	if err != nil {
		t.Fatal(err)
	}
	if want := "API Gateway drift: 3 critical, 3 warning, 2 info in 123456789012 2 regions (incomplete scan)"; msg.Subject != want {
		t.Errorf("subject\n%q, want\n%q", msg.Subject, want)
	}
	if msg.Omitted != 0 {
		t.Errorf("%d findings omitted", msg.Omitted)
	}
	golden.Compare(t, "report.golden.txt", []byte(msg.Body), *update)
}
