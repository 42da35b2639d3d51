package nightly_test

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/apigw-drift/driftaudit/internal/awsemu"
	"github.com/apigw-drift/driftaudit/internal/cfn"
	"github.com/apigw-drift/driftaudit/pkg/checks"
	"github.com/apigw-drift/driftaudit/pkg/nightly"
	"github.com/apigw-drift/driftaudit/pkg/publish"
)

// The template's IAM policy and the code must not drift apart: every call the code makes is
// allowed, and every permission granted is one the code uses.

func loadTemplate(t *testing.T) cfn.Template {
	t.Helper()
	return loadYAML(t, "template.yaml")
}

// loadYAML reads a CloudFormation template of the repository, by its path from the root.
func loadYAML(t *testing.T, path string) cfn.Template {
	t.Helper()
	return cfn.Load(t, "../../"+path)
}

func roleStatements(t *testing.T, tmpl cfn.Template) []cfn.Statement {
	t.Helper()
	return statementsOf(t, tmpl, "AuditorRole")
}

// statementsOf is the statements of the policies of role, a logical id of tmpl; each one must
// allow.
func statementsOf(t *testing.T, tmpl cfn.Template, role string) []cfn.Statement {
	t.Helper()
	stmts := tmpl.RoleStatements(t, role)
	for _, st := range stmts {
		if st.Effect != "Allow" {
			t.Errorf("statement %s has Effect %s", st.Sid, st.Effect)
		}
	}
	return stmts
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
			if a == "cloudwatch:PutMetricData" && st.ScalarCondition()["StringEquals"]["cloudwatch:namespace"] != "ref:MetricNamespace" {
				t.Errorf("PutMetricData is not limited to the metric namespace: %v", st.Condition)
			}
		}
	}
	if def := cfn.Child(tmpl.Root, "Parameters", "MetricNamespace", "Default").Value; def != s.handler.Config.Namespace {
		t.Errorf("template namespace default %q, code default %q", def, s.handler.Config.Namespace)
	}
}

func TestTemplateEnvironmentIsWhatTheFunctionReads(t *testing.T) {
	tmpl := loadTemplate(t)
	vars := cfn.Child(tmpl.Root, "Resources", "AuditorFunction", "Properties", "Environment", "Variables")
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
		if cfn.Child(vars, required) == nil {
			t.Errorf("the template does not set %s", required)
		}
	}
}

func TestDashboardShowsEveryCheck(t *testing.T) {
	body := cfn.Child(loadTemplate(t).Root, "Resources", "Dashboard", "Properties", "DashboardBody")
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
	resources := cfn.Child(loadTemplate(t).Root, "Resources")
	alarms := 0
	for i := 0; i+1 < len(resources.Content); i += 2 {
		name, res := resources.Content[i].Value, resources.Content[i+1]
		metric, typ := cfn.Child(res, "Properties", "MetricName"), cfn.Child(res, "Type")
		if typ == nil || metric == nil || typ.Value != "AWS::CloudWatch::Alarm" || metric.Value != publish.MetricFindings {
			continue
		}
		alarms++
		if got := cfn.Child(res, "Properties", "TreatMissingData"); got == nil || got.Value != "ignore" {
			t.Errorf("%s: TreatMissingData is not ignore", name)
		}
	}
	if alarms == 0 {
		t.Fatal("no alarm on the Findings metric in the template")
	}
}
