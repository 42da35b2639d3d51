package statemachine_test

import (
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/apigw-drift/driftaudit/internal/cfn"
)

// The account-mode stack: a deployment with Mode=account (the default) must create exactly these.
// The runs bucket serves both modes (each run's report, and the last complete one to compare with).
var accountModeResources = []string{
	"AuditorErrorsAlarm", "AuditorFunction", "AuditorKey", "AuditorKeyAlias", "AuditorLogGroup", "AuditorRole",
	"AuditorSilentAlarm", "CriticalFindingsAlarm", "Dashboard", "FailedRunsAlarm", "FailedRunsQueue",
	"OnCallSubscription", "OnCallTopic", "ReportSubscription", "ReportTopic", "RunsBucket", "RunsBucketPolicy", "ScheduleRole",
}

// Organization mode replaces the account-mode function, its roles, log group and errors alarm.
var (
	accountOnlyResources      = []string{"AuditorErrorsAlarm", "AuditorFunction", "AuditorLogGroup", "AuditorRole", "ScheduleRole"}
	organizationOnlyResources = []string{
		"JoinFunction", "JoinLogGroup", "JoinRole", "OrgAuditFailedAlarm", "OrgAuditLogGroup", "OrgAuditSelfPolicy",
		"OrgAuditStateMachine", "OrgAuditStateMachineRole", "OrgScheduleRole", "PlannerFunction", "PlannerLogGroup",
		"PlannerRole", "ScannerFunction", "ScannerLogGroup", "ScannerRole",
	}
)

func TestModesCreateTheirResources(t *testing.T) {
	tm := cfn.Load(t, templateFile)
	withEmails := map[string]string{"ReportEmail": "team@example.com", "OnCallEmail": "oncall@example.com"}
	without := func(all []string, drop ...string) []string {
		return slices.DeleteFunc(slices.Clone(all), func(s string) bool { return slices.Contains(drop, s) })
	}
	sorted := func(s []string) []string { s = slices.Clone(s); sort.Strings(s); return s }
	tests := []struct {
		name   string
		params map[string]string
		want   []string
	}{
		{"account mode, defaults", nil, without(accountModeResources, "ReportSubscription", "OnCallSubscription")},
		{"account mode, e-mails", withEmails, accountModeResources},
		{"account mode, named", map[string]string{"Mode": "account", "ReportEmail": "a@example.com", "OnCallEmail": "b@example.com"}, accountModeResources},
		{"organization mode", map[string]string{"Mode": "organization"},
			sorted(append(without(accountModeResources, append(accountOnlyResources, "ReportSubscription", "OnCallSubscription")...), organizationOnlyResources...))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tm.Present(t, "Resources", tm.Params(tt.params))
			if want := sorted(tt.want); !slices.Equal(got, want) {
				t.Errorf("resources\n got %v\nwant %v", got, want)
			}
		})
	}

	t.Run("account mode outputs", func(t *testing.T) {
		got := tm.Present(t, "Outputs", tm.Params(nil))
		want := []string{"AuditorFunctionName", "DashboardUrl", "FailedRunsQueueUrl", "OnCallTopicArn", "ReportTopicArn", "RunsBucketName"}
		if !slices.Equal(got, want) {
			t.Errorf("outputs %v, want %v", got, want)
		}
	})
	t.Run("account mode key policy", func(t *testing.T) {
		var sids []string
		p := tm.Params(nil)
		for _, s := range cfn.Child(tm.Root, "Resources", "AuditorKey", "Properties", "KeyPolicy", "Statement").Content {
			if s = tm.Resolve(t, s, p); s != nil {
				sids = append(sids, cfn.Child(s, "Sid").Value)
			}
		}
		if want := []string{"AccountAdministers", "AlarmsPublishToEncryptedTopics", "LogsEncryptTheAuditorLogGroup"}; !slices.Equal(sids, want) {
			t.Errorf("account mode key policy statements %v, want %v", sids, want)
		}
	})
}

// TestOrganizationLogGroupsMayUseTheKey: CloudWatch Logs encrypts a log group only if the key
// policy lets it for that log group's ARN.
func TestOrganizationLogGroupsMayUseTheKey(t *testing.T) {
	tm := cfn.Load(t, templateFile)
	p := tm.Params(map[string]string{"Mode": "organization"})
	var allowed []string
	for _, s := range cfn.Child(tm.Root, "Resources", "AuditorKey", "Properties", "KeyPolicy", "Statement").Content {
		if s = tm.Resolve(t, s, p); s != nil && cfn.Render(cfn.Child(s, "Principal", "Service")) == "logs.us-east-1.amazonaws.com" {
			allowed = append(allowed, cfn.List(cfn.Child(s, "Condition", "ArnEquals", "kms:EncryptionContext:aws:logs:arn"))...)
		}
	}
	res := cfn.Child(tm.Root, "Resources")
	for _, name := range []string{"PlannerLogGroup", "ScannerLogGroup", "JoinLogGroup", "OrgAuditLogGroup"} {
		lg := cfn.Child(res, name, "Properties")
		arn := "arn:aws:logs:us-east-1:123456789012:log-group:" + cfn.Render(cfn.Child(lg, "LogGroupName"))
		if !slices.Contains(allowed, arn) {
			t.Errorf("the key policy does not let CloudWatch Logs encrypt %s (%s)", name, arn)
		}
		if cfn.Render(cfn.Child(lg, "KmsKeyId")) != "getatt:AuditorKey.Arn" {
			t.Errorf("%s is not encrypted with AuditorKey", name)
		}
	}
}

// The organization functions' settings, as the organization-mode contract divides them. A
// variable the handler of a role does not read does not belong in its function.
var organizationEnvironment = map[string][]string{
	"PlannerFunction": {"AUDITOR_STEP", "RUNS_BUCKET", "ACCOUNTS", "REGIONS"},
	"ScannerFunction": {"GOMEMLIMIT", "AUDITOR_STEP", "RUNS_BUCKET", "MEMBER_ROLE_NAME", "EXTERNAL_ID", "CORS_TAG",
		"ENABLED_CHECKS", "DISABLED_CHECKS", "SEVERITY_OVERRIDES", "ALLOWED_ENDPOINT_TYPES"},
	"JoinFunction": {"GOMEMLIMIT", "AUDITOR_STEP", "RUNS_BUCKET", "METRIC_NAMESPACE", "REPORT_TOPIC_ARN",
		"REPORT_ONLY_WITH_FINDINGS", "REPORT_ONLY_WHEN_CHANGED", "PER_ACCOUNT_METRICS", "SECURITY_HUB"},
}

func TestOrganizationFunctions(t *testing.T) {
	res := cfn.Child(cfn.Load(t, templateFile).Root, "Resources")
	auditor := cfn.Child(res, "AuditorFunction", "Properties")
	roles := map[string]string{"PlannerFunction": "plan", "ScannerFunction": "scan", "JoinFunction": "join"}
	seenRoles := map[string]bool{}
	for fn, handler := range roles {
		t.Run(fn, func(t *testing.T) {
			props := cfn.Child(res, fn, "Properties")
			vars := cfn.Child(props, "Environment", "Variables")
			if got, want := cfn.Keys(vars), organizationEnvironment[fn]; !slices.Equal(got, want) {
				t.Errorf("environment %v, want %v", got, want)
			}
			if got := cfn.Render(cfn.Child(vars, "AUDITOR_STEP")); got != handler {
				t.Errorf("AUDITOR_STEP %q, want %q", got, handler)
			}
			if got := cfn.Render(cfn.Child(vars, "RUNS_BUCKET")); got != "ref:RunsBucket" {
				t.Errorf("RUNS_BUCKET %q, want the runs bucket", got)
			}
			// The same binary as AuditorFunction, built the same way.
			for _, f := range []string{"CodeUri", "Handler", "Runtime"} {
				if cfn.Render(cfn.Child(props, f)) != cfn.Render(cfn.Child(auditor, f)) {
					t.Errorf("%s differs from AuditorFunction's", f)
				}
			}
			if cfn.Child(res, fn, "Metadata", "BuildMethod").Value != "makefile" {
				t.Error("not built by the Makefile")
			}
			role := cfn.Render(cfn.Child(props, "Role"))
			if !strings.HasPrefix(role, "getatt:") || seenRoles[role] {
				t.Errorf("role %s is not a role of its own", role)
			}
			seenRoles[role] = true
		})
	}
}

// TestOrganizationRolesAreLeastPrivilege: what each organization-mode role may do, grant by grant.
// Every grant is one the role's handler (or Step Functions, or Scheduler) needs; growing a role
// means growing this table.
func TestOrganizationRolesAreLeastPrivilege(t *testing.T) {
	const (
		runs   = "${RunsBucket.Arn}/runs/*"
		key    = "getatt:AuditorKey.Arn"
		viaS3  = "s3.us-east-1.amazonaws.com"
		viaSNS = "sns.us-east-1.amazonaws.com"
		viaSQS = "sqs.us-east-1.amazonaws.com"
	)
	apis := apigatewayPaths(t, cfn.Load(t, templateFile), "AuditorRole")
	want := map[string]map[string]string{
		"PlannerRole": {
			"organizations:ListAccounts *":                  "",
			"s3:PutObject " + runs:                          "",
			"kms:GenerateDataKey " + key:                    "StringEquals kms:ViaService=" + viaS3,
			"logs:CreateLogStream ${PlannerLogGroup.Arn}:*": "",
			"logs:PutLogEvents ${PlannerLogGroup.Arn}:*":    "",
		},
		"ScannerRole": {
			"sts:AssumeRole arn:aws:iam::*:role/${MemberRoleName}": "",
			"s3:PutObject " + runs:                                 "",
			"kms:GenerateDataKey " + key:                           "StringEquals kms:ViaService=" + viaS3,
			"logs:CreateLogStream ${ScannerLogGroup.Arn}:*":        "",
			"logs:PutLogEvents ${ScannerLogGroup.Arn}:*":           "",
		},
		"JoinRole": {
			"s3:ListBucket getatt:RunsBucket.Arn":        "StringLike s3:prefix=runs/*",
			"s3:GetObject " + runs:                       "",
			"s3:PutObject " + runs:                       "",
			"cloudwatch:PutMetricData *":                 "StringEquals cloudwatch:namespace=ref:MetricNamespace",
			"sns:Publish ref:ReportTopic":                "",
			"kms:Decrypt " + key:                         "StringEquals kms:ViaService=" + viaS3 + "," + viaSNS,
			"kms:GenerateDataKey " + key:                 "StringEquals kms:ViaService=" + viaS3 + "," + viaSNS,
			"logs:CreateLogStream ${JoinLogGroup.Arn}:*": "",
			"logs:PutLogEvents ${JoinLogGroup.Arn}:*":    "",
			// With SecurityHub=true only.
			"securityhub:BatchImportFindings arn:aws:securityhub:us-east-1:123456789012:product/123456789012/default": "",
		},
		"OrgAuditStateMachineRole": {
			"lambda:InvokeFunction getatt:PlannerFunction.Arn":            "",
			"lambda:InvokeFunction getatt:ScannerFunction.Arn":            "",
			"lambda:InvokeFunction getatt:JoinFunction.Arn":               "",
			"s3:GetObject ${RunsBucket.Arn}/runs/*/plan.json":             "",
			"s3:PutObject ${RunsBucket.Arn}/map-results/*":                "",
			"s3:GetObject ${RunsBucket.Arn}/map-results/*":                "",
			"s3:ListMultipartUploadParts ${RunsBucket.Arn}/map-results/*": "",
			"s3:AbortMultipartUpload ${RunsBucket.Arn}/map-results/*":     "",
			"kms:Decrypt " + key:                             "StringEquals kms:ViaService=" + viaS3,
			"kms:GenerateDataKey " + key:                     "StringEquals kms:ViaService=" + viaS3,
			"logs:CreateLogDelivery *":                       "",
			"logs:GetLogDelivery *":                          "",
			"logs:UpdateLogDelivery *":                       "",
			"logs:DeleteLogDelivery *":                       "",
			"logs:ListLogDeliveries *":                       "",
			"logs:PutResourcePolicy *":                       "",
			"logs:DescribeResourcePolicies *":                "",
			"logs:DescribeLogGroups *":                       "",
			"states:StartExecution ref:OrgAuditStateMachine": "",
			"states:DescribeExecution arn:aws:states:us-east-1:123456789012:execution:${OrgAuditStateMachine.Name}/*": "",
			"states:StopExecution arn:aws:states:us-east-1:123456789012:execution:${OrgAuditStateMachine.Name}/*":     "",
		},
		"OrgScheduleRole": {
			"states:StartExecution ref:OrgAuditStateMachine": "",
			"sqs:SendMessage getatt:FailedRunsQueue.Arn":     "",
			"kms:Decrypt " + key:                             "StringEquals kms:ViaService=" + viaSQS,
			"kms:GenerateDataKey " + key:                     "StringEquals kms:ViaService=" + viaSQS,
		},
	}
	// The management account's own APIs are read by the scanner's own role: the same paths as
	// the account-mode function's.
	for _, p := range apis {
		want["ScannerRole"]["apigateway:GET "+p] = ""
	}

	tm := cfn.Load(t, templateFile)
	for role, grantsWanted := range want {
		t.Run(role, func(t *testing.T) {
			got := map[string]string{}
			for g, st := range cfn.Grants(tm.RoleStatements(t, role)) {
				if st.Effect != "Allow" {
					t.Errorf("statement %s: Effect %s", st.Sid, st.Effect)
				}
				got[g] = conditionText(st.Condition)
			}
			for g, c := range grantsWanted {
				if gc, ok := got[g]; !ok {
					t.Errorf("missing grant %s", g)
				} else if gc != c {
					t.Errorf("grant %s has condition %q, want %q", g, gc, c)
				}
			}
			for g := range got {
				if _, ok := grantsWanted[g]; !ok {
					t.Errorf("grant %s is more than the role needs", g)
				}
			}
		})
	}
}

func conditionText(c map[string]map[string][]string) string {
	var parts []string
	for op, kv := range c {
		for k, v := range kv {
			parts = append(parts, fmt.Sprintf("%s %s=%s", op, k, strings.Join(v, ",")))
		}
	}
	sort.Strings(parts)
	return strings.Join(parts, "; ")
}

func apigatewayPaths(t *testing.T, tm cfn.Template, role string) []string {
	t.Helper()
	var out []string
	for _, st := range tm.RoleStatements(t, role) {
		if slices.Contains(st.Actions, "apigateway:GET") {
			out = append(out, st.Resources...)
		}
	}
	if len(out) == 0 {
		t.Fatalf("%s grants no apigateway:GET", role)
	}
	return out
}

// TestStateMachineGrantsFollowTheDefinition: the state machine's role lets it call what the
// definition calls, no more: the functions the placeholders name, the ItemReader's object, the
// ResultWriter's prefix.
func TestStateMachineGrantsFollowTheDefinition(t *testing.T) {
	tm := cfn.Load(t, templateFile)
	subs := cfn.Child(tm.Root, "Resources", "OrgAuditStateMachine", "Properties", "DefinitionSubstitutions")
	g := cfn.Grants(tm.RoleStatements(t, "OrgAuditStateMachineRole"))
	filled, err := substitute(string(readFile(t, definitionFile)), map[string]string{
		"PlannerFunctionArn": "getatt:PlannerFunction.Arn", "ScannerFunctionArn": "getatt:ScannerFunction.Arn",
		"JoinFunctionArn": "getatt:JoinFunction.Arn", "RunsBucket": "ref:RunsBucket", "MaxConcurrency": "1",
		"ToleratedFailurePercentage": "0"})
	if err != nil {
		t.Fatal(err)
	}
	def, err := decodeJSON([]byte(filled))
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range cfn.Keys(subs) {
		if v := cfn.Render(cfn.Child(subs, k)); strings.HasSuffix(k, "FunctionArn") {
			if _, ok := g["lambda:InvokeFunction "+v]; !ok {
				t.Errorf("the definition invokes %s (%s), which the role may not", k, v)
			}
		}
	}
	var functions []string
	walkStates(def, func(name string, s map[string]any) {
		if s["Type"] == "Task" {
			functions = append(functions, asObject(s["Parameters"])["FunctionName"].(string))
		}
		if s["Type"] != "Map" {
			return
		}
		if _, ok := g["s3:GetObject ${RunsBucket.Arn}/runs/*/plan.json"]; !ok || asObject(s["ItemReader"])["Resource"] != "arn:aws:states:::s3:getObject" {
			t.Errorf("%s: the role may not read the plan its ItemReader reads", name)
		}
		w := asObject(asObject(s["ResultWriter"])["Parameters"])
		if w["Bucket"] != "ref:RunsBucket" {
			t.Errorf("%s: ResultWriter writes to %v, not the runs bucket", name, w["Bucket"])
		}
		for _, a := range []string{"s3:PutObject", "s3:GetObject", "s3:ListMultipartUploadParts", "s3:AbortMultipartUpload"} {
			if _, ok := g[fmt.Sprintf("%s ${RunsBucket.Arn}/%s/*", a, w["Prefix"])]; !ok {
				t.Errorf("%s: the role may not %s under the ResultWriter's prefix %v", name, a, w["Prefix"])
			}
		}
		if asObject(asObject(s["ItemProcessor"])["ProcessorConfig"])["Mode"] == "DISTRIBUTED" {
			if _, ok := g["states:StartExecution ref:OrgAuditStateMachine"]; !ok {
				t.Errorf("%s: a Distributed Map starts child executions of its own state machine", name)
			}
		}
	})
	sort.Strings(functions)
	if want := []string{"getatt:JoinFunction.Arn", "getatt:PlannerFunction.Arn", "getatt:ScannerFunction.Arn"}; !slices.Equal(functions, want) {
		t.Errorf("the definition's tasks invoke %v, want %v", functions, want)
	}
}

// walkStates calls f for every state of the definition, nested ones included.
func walkStates(m map[string]any, f func(name string, s map[string]any)) {
	for name, v := range asObject(m["States"]) {
		s := asObject(v)
		f(name, s)
		for _, b := range asList(s["Branches"]) {
			walkStates(asObject(b), f)
		}
		if p, ok := s["ItemProcessor"]; ok {
			walkStates(asObject(p), f)
		}
	}
}

// TestSilentAlarmWatchesBothModes: the dead-man alarm reads the Complete datum that both modes
// publish (AuditorFunction in account mode, the join in organization mode) and gives an
// organization run 12 hours to land it. The definition has no execution timeout, which would
// stop a run before its join; every task of it is bounded instead.
func TestSilentAlarmWatchesBothModes(t *testing.T) {
	tm := cfn.Load(t, templateFile)
	alarm := cfn.Child(tm.Root, "Resources", "AuditorSilentAlarm")
	if cfn.Child(alarm, "Condition") != nil {
		t.Fatal("AuditorSilentAlarm must exist in both modes")
	}
	props := cfn.Child(alarm, "Properties")
	if cfn.Render(cfn.Child(props, "Namespace")) != "ref:MetricNamespace" || cfn.Child(props, "MetricName").Value != "Complete" ||
		cfn.Child(props, "Dimensions") != nil || cfn.Child(props, "TreatMissingData").Value != "breaching" {
		t.Error("AuditorSilentAlarm must watch Complete in the namespace, without dimensions, missing data breaching")
	}
	def, err := decodeJSON(readFile(t, definitionFile))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := def["TimeoutSeconds"]; ok {
		t.Error("an execution timeout stops a run before its join: bound the tasks instead")
	}
	walkStates(def, func(name string, s map[string]any) {
		if s["Type"] == "Task" && s["TimeoutSeconds"] == nil {
			t.Errorf("task %s has no TimeoutSeconds: a hung task would hold the run forever", name)
		}
	})
	period := atoi(t, cfn.Child(props, "Period"))
	for mode, minHours := range map[string]int{"account": 25, "organization": 24 + 12 + 1} {
		p := tm.Params(map[string]string{"Mode": mode})
		evals := atoi(t, tm.Resolve(t, cfn.Child(props, "EvaluationPeriods"), p))
		points := atoi(t, tm.Resolve(t, cfn.Child(props, "DatapointsToAlarm"), p))
		if points != evals || evals*period < minHours*3600 {
			t.Errorf("%s mode: %d of %d periods of %d s; want all of at least %d hours", mode, points, evals, period, minHours)
		}
	}
}

func atoi(t *testing.T, n *yaml.Node) int {
	t.Helper()
	var v int
	if _, err := fmt.Sscan(n.Value, &v); err != nil {
		t.Fatalf("%q is not a number", n.Value)
	}
	return v
}

// TestScheduleStartsTheNight: the schedule hands the state machine the night's time (the run id
// comes from it, since the execution cannot be named after it) and records undelivered runs.
func TestScheduleStartsTheNight(t *testing.T) {
	tm := cfn.Load(t, templateFile)
	ev := cfn.Child(tm.Root, "Resources", "OrgAuditStateMachine", "Properties", "Events", "Nightly")
	if cfn.Child(ev, "Type").Value != "ScheduleV2" {
		t.Fatal("the state machine has no ScheduleV2 event Nightly")
	}
	p := cfn.Child(ev, "Properties")
	if got := cfn.Child(p, "Input").Value; got != `{"scheduled_time": "<aws.scheduler.scheduled-time>"}` {
		t.Errorf("schedule input %s", got)
	}
	if cfn.Render(cfn.Child(p, "RoleArn")) != "getatt:OrgScheduleRole.Arn" || cfn.Render(cfn.Child(p, "DeadLetterConfig", "Arn")) != "getatt:FailedRunsQueue.Arn" {
		t.Error("the schedule must use OrgScheduleRole and the failed-runs queue")
	}
	accountEvent := cfn.Child(tm.Root, "Resources", "AuditorFunction", "Properties", "Events", "Nightly", "Properties")
	for _, f := range []string{"ScheduleExpression", "ScheduleExpressionTimezone"} {
		if cfn.Render(cfn.Child(p, f)) != cfn.Render(cfn.Child(accountEvent, f)) {
			t.Errorf("%s differs from account mode's", f)
		}
	}
}

// TestMemberRoleReadsWhatTheScanReads: the member role grants the scan's API Gateway reads, no
// more, to the scanner's role alone.
func TestMemberRoleReadsWhatTheScanReads(t *testing.T) {
	main := cfn.Load(t, templateFile)
	member := cfn.Load(t, memberRoleFile)
	want := apigatewayPaths(t, main, "AuditorRole")
	if got := apigatewayPaths(t, main, "ScannerRole"); !slices.Equal(got, want) {
		t.Errorf("ScannerRole reads %v, AuditorRole %v", got, want)
	}
	stmts := member.RoleStatements(t, "MemberRole")
	if len(stmts) != 1 || !reflect.DeepEqual(stmts[0].Actions, []string{"apigateway:GET"}) || !slices.Equal(stmts[0].Resources, want) {
		t.Errorf("the member role grants %+v; want apigateway:GET on %v only", stmts, want)
	}
	trust := cfn.Child(member.Root, "Resources", "MemberRole", "Properties", "AssumeRolePolicyDocument", "Statement").Content
	if len(trust) != 1 || cfn.Render(cfn.Child(trust[0], "Principal", "AWS")) != "ref:ScannerRoleArn" || cfn.Child(trust[0], "Action").Value != "sts:AssumeRole" {
		t.Fatal("the member role must trust the scanner's role only")
	}
	if cfn.Child(member.Root, "Parameters", "RoleName", "Default").Value != cfn.Child(main.Root, "Parameters", "MemberRoleName", "Default").Value {
		t.Error("the member role's default name is not the main template's MemberRoleName default")
	}
	// A trust without a condition is refused at deployment: the rule asserts one of the two.
	rule := cfn.Child(member.Root, "Rules", "TrustIsConditioned", "Assertions")
	if rule == nil || !strings.Contains(yamlText(rule), "ExternalId") || !strings.Contains(yamlText(rule), "OrganizationId") {
		t.Error("deploy/member-role.yaml must refuse a trust with neither ExternalId nor OrganizationId (Rules.TrustIsConditioned)")
	}
	for _, tt := range []struct {
		params map[string]string
		want   []string
	}{
		{map[string]string{"ExternalId": "x-123"}, []string{"sts:ExternalId"}},
		{map[string]string{"OrganizationId": "o-abcdefghij"}, []string{"aws:PrincipalOrgID"}},
		{map[string]string{"ExternalId": "x-123", "OrganizationId": "o-abcdefghij"}, []string{"aws:PrincipalOrgID", "sts:ExternalId"}},
	} {
		p := member.Params(tt.params)
		var got []string
		if c := member.Resolve(t, cfn.Child(trust[0], "Condition"), p); c != nil {
			eq := cfn.Child(c, "StringEquals")
			for _, k := range cfn.Keys(eq) {
				if member.Resolve(t, cfn.Child(eq, k), p) != nil {
					got = append(got, k)
				}
			}
		}
		sort.Strings(got)
		if !slices.Equal(got, tt.want) {
			t.Errorf("with %v the trust checks %v, want %v", tt.params, got, tt.want)
		}
	}
}

// yamlText is a node as YAML text.
func yamlText(n *yaml.Node) string {
	b, _ := yaml.Marshal(n)
	return string(b)
}
