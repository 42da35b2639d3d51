package nightly_test

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"gopkg.in/yaml.v3"

	"github.com/apigw-drift/driftaudit/internal/awsemu"
	"github.com/apigw-drift/driftaudit/pkg/checks"
	"github.com/apigw-drift/driftaudit/pkg/nightly"
	"github.com/apigw-drift/driftaudit/pkg/publish"
)

// The template's IAM policy and the code must not drift apart: every call the code makes is
// allowed, and every permission granted is one the code uses.

// statement is an IAM policy statement with intrinsic functions rendered as text: !Sub with the
// pseudo parameters filled in, !Ref NAME as "ref:NAME", !GetAtt X.Y as "getatt:X.Y".
type statement struct {
	Sid       string
	Actions   []string
	Resources []string
	Condition map[string]map[string]string
	// If is the template condition a statement written !If [CONDITION, STATEMENT, !Ref
	// AWS::NoValue] exists under; empty for a statement that always does.
	If string
}

func loadTemplate(t *testing.T) *yaml.Node {
	t.Helper()
	return loadYAML(t, "template.yaml")
}

// loadYAML reads a CloudFormation template of the repository, by its path from the root.
func loadYAML(t *testing.T, path string) *yaml.Node {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", filepath.FromSlash(path)))
	if err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	return doc.Content[0]
}

func child(n *yaml.Node, path ...string) *yaml.Node {
	for _, key := range path {
		if n == nil || n.Kind != yaml.MappingNode {
			return nil
		}
		var next *yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == key {
				next = n.Content[i+1]
			}
		}
		n = next
	}
	return n
}

func render(n *yaml.Node) string {
	pseudo := strings.NewReplacer("${AWS::Partition}", "aws", "${AWS::Region}", "us-east-1", "${AWS::AccountId}", "123456789012")
	switch n.Tag {
	case "!Sub":
		return pseudo.Replace(n.Value)
	case "!Ref":
		return "ref:" + n.Value
	case "!GetAtt":
		return "getatt:" + n.Value
	}
	return n.Value
}

func list(n *yaml.Node) []string {
	if n == nil {
		return nil
	}
	if n.Kind == yaml.SequenceNode {
		var out []string
		for _, c := range n.Content {
			out = append(out, render(c))
		}
		return out
	}
	return []string{render(n)}
}

func roleStatements(t *testing.T, tmpl *yaml.Node) []statement {
	t.Helper()
	return statementsOf(t, tmpl, "AuditorRole")
}

// statementsOf is the statements of the inline policies of role, a logical id of tmpl.
func statementsOf(t *testing.T, tmpl *yaml.Node, role string) []statement {
	t.Helper()
	policies := child(tmpl, "Resources", role, "Properties", "Policies")
	if policies == nil {
		t.Fatalf("template has no %s policies", role)
	}
	var out []statement
	for _, p := range policies.Content {
		for _, s := range child(p, "PolicyDocument", "Statement").Content {
			cond := ""
			if s.Tag == "!If" {
				if len(s.Content) != 3 || render(s.Content[2]) != "ref:AWS::NoValue" {
					t.Fatalf("%s: a statement under !If is [CONDITION, STATEMENT, !Ref AWS::NoValue]", role)
				}
				cond, s = s.Content[0].Value, s.Content[1]
			}
			if v := child(s, "Effect").Value; v != "Allow" {
				t.Errorf("statement %s has Effect %s", child(s, "Sid").Value, v)
			}
			st := statement{Sid: child(s, "Sid").Value, Actions: list(child(s, "Action")), Resources: list(child(s, "Resource")), Condition: map[string]map[string]string{}, If: cond}
			if c := child(s, "Condition"); c != nil {
				for i := 0; i+1 < len(c.Content); i += 2 {
					st.Condition[c.Content[i].Value] = map[string]string{}
					m := c.Content[i+1]
					for j := 0; j+1 < len(m.Content); j += 2 {
						st.Condition[c.Content[i].Value][m.Content[j].Value] = render(m.Content[j+1])
					}
				}
			}
			out = append(out, st)
		}
	}
	return out
}

// glob matches an IAM resource pattern: * is any run of characters, ? one.
func glob(pattern, s string) bool {
	re := "^" + strings.NewReplacer(`\*`, ".*", `\?`, ".").Replace(regexp.QuoteMeta(pattern)) + "$"
	return regexp.MustCompile(re).MatchString(s)
}

func TestPolicyMatchesTheCallsTheCodeMakes(t *testing.T) {
	tmpl := loadTemplate(t)
	stmts := roleStatements(t, tmpl)
	checkSecurityHubGrant(t, "AuditorRole", stmts)

	// SECURITY_HUB on and a runs bucket, so that their grants are used too.
	s := newStack(t, map[string]string{nightly.EnvRunsBucket: runsBucket, nightly.EnvSecurityHub: "true"})
	if _, err := s3.NewFromConfig(s.cfg).CreateBucket(s.ctx, &s3.CreateBucketInput{Bucket: aws.String(runsBucket)}); err != nil {
		t.Fatal(err)
	}
	s.handler.Runs = s3.NewFromConfig(s.cfg)
	s.seed(demo)
	if err := s.invoke("scheduler-event.json", time.Minute); err != nil {
		t.Fatal(err)
	}
	// A second run where v2's API mappings are denied reads them with v1, the fallback whose
	// grant the first run never needs.
	s.shim.AddFault(awsemu.Fault{Service: "apigateway", Operation: "GetApiMappings", Kind: awsemu.FaultStatus, Status: 403, ErrorType: "AccessDeniedException"})
	if err := s.invoke("scheduler-event.json", time.Minute); err != nil {
		t.Fatal(err)
	}
	s.shim.ClearFaults()
	calls := s.shim.Requests()

	usedResource := map[string]bool{}
	usedAction := map[string]bool{}
	for _, c := range calls {
		var action, resource string
		switch c.Service {
		case "apigateway":
			path, err := url.PathUnescape(c.Path)
			if err != nil {
				t.Fatal(err)
			}
			// IAM names API Gateway v2's resources without the /v2 of their request paths.
			if c.V2 {
				path = strings.TrimPrefix(path, "/v2")
			}
			action, resource = "apigateway:"+c.Method, "arn:aws:apigateway:"+c.Region+"::"+path
		case "monitoring":
			action, resource = "cloudwatch:"+c.Operation, "*"
		case "sns":
			action, resource = "sns:"+c.Operation, "ref:ReportTopic"
		case "securityhub":
			action, resource = securityHubIAM(t, c)
		case "sts":
			if c.Operation == "GetCallerIdentity" {
				continue // needs no permission
			}
			action = "sts:" + c.Operation
		case "s3":
			var skip bool
			action, resource, _, skip = iamOf(t, c)
			if skip {
				continue
			}
		default:
			action = c.Service + ":" + c.Operation
		}
		allowed := false
		for _, st := range stmts {
			if !slices.Contains(st.Actions, action) {
				continue
			}
			for _, r := range st.Resources {
				if glob(r, resource) {
					allowed, usedResource[st.Sid+" "+r], usedAction[action] = true, true, true
				}
			}
		}
		if !allowed {
			t.Errorf("the code calls %s on %s (%s %s), which the template's policy does not allow", action, resource, c.Method, c.Path)
		}
	}

	for _, st := range stmts {
		for _, a := range st.Actions {
			service := strings.SplitN(a, ":", 2)[0]
			switch service {
			case "apigateway", "cloudwatch", "sns", "s3", "securityhub":
				if !usedAction[a] {
					t.Errorf("statement %s grants %s, which the code never calls", st.Sid, a)
				}
				for _, r := range st.Resources {
					if !usedResource[st.Sid+" "+r] {
						t.Errorf("statement %s grants %s on %s, which no call of a full run touches", st.Sid, a, r)
					}
				}
			default:
				// Runtime permissions (logs, the dead-letter queue, the topic's key): never on *.
				for _, r := range st.Resources {
					if r == "*" {
						t.Errorf("statement %s grants %s on every resource", st.Sid, a)
					}
				}
			}
			if a == "cloudwatch:PutMetricData" && st.Condition["StringEquals"]["cloudwatch:namespace"] != "ref:MetricNamespace" {
				t.Errorf("PutMetricData is not limited to the metric namespace: %v", st.Condition)
			}
		}
	}
	if def := child(tmpl, "Parameters", "MetricNamespace", "Default").Value; def != s.handler.Config.Namespace {
		t.Errorf("template namespace default %q, code default %q", def, s.handler.Config.Namespace)
	}
}

func TestTemplateEnvironmentIsWhatTheFunctionReads(t *testing.T) {
	tmpl := loadTemplate(t)
	vars := child(tmpl, "Resources", "AuditorFunction", "Properties", "Environment", "Variables")
	known := []string{nightly.EnvRegions, nightly.EnvNamespace, nightly.EnvReportTopicARN, nightly.EnvPerAPIMetrics,
		nightly.EnvReportOnlyWithFindings, nightly.EnvCORSTag, nightly.EnvPublishReserve, nightly.EnvQuotaRate,
		nightly.EnvQuotaBurst, nightly.EnvGetResourcesRate, nightly.EnvGetResourcesBurst, nightly.EnvEnabledChecks,
		nightly.EnvDisabledChecks, nightly.EnvSeverityOverrides, nightly.EnvSuppressionsFile, nightly.EnvAllowedEndpointTypes,
		nightly.EnvReportOnlyWhenChanged, nightly.EnvRunsBucket, nightly.EnvSecurityHub}
	known = append(known, "GOMEMLIMIT") // read by the Go runtime
	for i := 0; i+1 < len(vars.Content); i += 2 {
		if name := vars.Content[i].Value; !slices.Contains(known, name) {
			t.Errorf("the template sets %s, which the function does not read", name)
		}
	}
	for _, required := range []string{nightly.EnvRegions, nightly.EnvReportTopicARN, nightly.EnvNamespace} {
		if child(vars, required) == nil {
			t.Errorf("the template does not set %s", required)
		}
	}
}

func TestDashboardShowsEveryCheck(t *testing.T) {
	body := child(loadTemplate(t), "Resources", "Dashboard", "Properties", "DashboardBody")
	if body == nil || len(body.Content) == 0 {
		t.Fatal("no dashboard body")
	}
	text := body.Content[0].Value
	for _, c := range checks.All() {
		if !strings.Contains(text, fmt.Sprintf("%q", c.ID)) {
			t.Errorf("the dashboard's findings-by-check widget lacks %s", c.ID)
		}
	}
}

// TestFindingsAlarmsKeepTheirStateOnMissingData: an incomplete run publishes no Findings datum
// (publish.MetricData), so every alarm on Findings must treat missing data as "keep the state"
// (ignore): any other choice would let a run that read nothing move it, to OK (notBreaching),
// to ALARM (breaching) or to INSUFFICIENT_DATA (missing).
func TestFindingsAlarmsKeepTheirStateOnMissingData(t *testing.T) {
	resources := child(loadTemplate(t), "Resources")
	alarms := 0
	for i := 0; i+1 < len(resources.Content); i += 2 {
		name, res := resources.Content[i].Value, resources.Content[i+1]
		metric, typ := child(res, "Properties", "MetricName"), child(res, "Type")
		if typ == nil || metric == nil || typ.Value != "AWS::CloudWatch::Alarm" || metric.Value != publish.MetricFindings {
			continue
		}
		alarms++
		if got := child(res, "Properties", "TreatMissingData"); got == nil || got.Value != "ignore" {
			t.Errorf("%s: TreatMissingData is not ignore", name)
		}
	}
	if alarms == 0 {
		t.Fatal("no alarm on the Findings metric in the template")
	}
}
