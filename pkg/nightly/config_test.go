package nightly

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apigw-drift/driftaudit/pkg/audit"
)

const testTopic = "arn:aws:sns:eu-west-1:123456789012:drift-report"

// lambdaEnv is what the SAM template and the Lambda runtime set, at its minimum.
func lambdaEnv() map[string]string {
	return map[string]string{EnvAWSRegion: "eu-west-1", EnvReportTopicARN: testTopic}
}

func getenv(env map[string]string) func(string) string {
	return func(k string) string { return env[k] }
}

func TestLoadConfigDefaults(t *testing.T) {
	c, err := LoadConfig(getenv(lambdaEnv()))
	if err != nil {
		t.Fatal(err)
	}
	want := audit.DefaultConfig()
	want.Regions = []string{"eu-west-1"}
	switch {
	case !slices.Equal(c.Audit.Regions, want.Regions):
		t.Errorf("regions %q, want %q", c.Audit.Regions, want.Regions)
	case c.Audit.Limits != want.Limits:
		t.Errorf("limits %+v, want %+v", c.Audit.Limits, want.Limits)
	case !reflect.DeepEqual(c.Audit.Checks, want.Checks):
		t.Errorf("checks config %+v, want %+v", c.Audit.Checks, want.Checks)
	case c.Audit.Concurrency != want.Concurrency || c.Audit.MaxAttempts != want.MaxAttempts || c.Audit.AttemptTimeout != want.AttemptTimeout:
		t.Errorf("audit config %+v, want %+v", c.Audit, want)
	case c.Audit.EndpointURL != "":
		t.Errorf("endpoint %q, want none", c.Audit.EndpointURL)
	case c.Namespace != "APIGatewayDrift":
		t.Errorf("namespace %q", c.Namespace)
	case c.ReportTopicARN != testTopic:
		t.Errorf("topic %q", c.ReportTopicARN)
	case c.PerAPIMetrics || c.ReportOnlyWithFindings:
		t.Errorf("per-API %v, only with findings %v: want both off", c.PerAPIMetrics, c.ReportOnlyWithFindings)
	case c.PublishReserve != 30*time.Second:
		t.Errorf("publish reserve %s", c.PublishReserve)
	}
}

func TestLoadConfigValid(t *testing.T) {
	tests := []struct {
		name  string
		env   map[string]string
		check func(Config) bool
	}{
		{"regions list", map[string]string{EnvRegions: "eu-west-1,us-east-1"},
			func(c Config) bool { return slices.Equal(c.Audit.Regions, []string{"eu-west-1", "us-east-1"}) }},
		{"regions with spaces and empty items", map[string]string{EnvRegions: " eu-west-1 , ,us-east-1, "},
			func(c Config) bool { return slices.Equal(c.Audit.Regions, []string{"eu-west-1", "us-east-1"}) }},
		{"regions win over AWS_REGION", map[string]string{EnvRegions: "ap-southeast-2", EnvAWSRegion: "eu-west-1"},
			func(c Config) bool { return slices.Equal(c.Audit.Regions, []string{"ap-southeast-2"}) }},
		{"blank regions fall back to AWS_REGION", map[string]string{EnvRegions: "   "},
			func(c Config) bool { return slices.Equal(c.Audit.Regions, []string{"eu-west-1"}) }},
		{"GovCloud region", map[string]string{EnvRegions: "us-gov-west-1"},
			func(c Config) bool { return slices.Equal(c.Audit.Regions, []string{"us-gov-west-1"}) }},
		{"namespace", map[string]string{EnvNamespace: "Platform/APIGatewayDrift"},
			func(c Config) bool { return c.Namespace == "Platform/APIGatewayDrift" }},
		{"namespace of 255 characters", map[string]string{EnvNamespace: strings.Repeat("n", 255)},
			func(c Config) bool { return len(c.Namespace) == 255 }},
		{"namespace with AWS inside", map[string]string{EnvNamespace: "Team/AWS/Drift"},
			func(c Config) bool { return c.Namespace == "Team/AWS/Drift" }},
		{"China partition topic", map[string]string{EnvReportTopicARN: "arn:aws-cn:sns:cn-north-1:123456789012:report"},
			func(c Config) bool { return c.ReportTopicARN == "arn:aws-cn:sns:cn-north-1:123456789012:report" }},
		{"GovCloud topic", map[string]string{EnvReportTopicARN: "arn:aws-us-gov:sns:us-gov-west-1:123456789012:Drift_Report-1"},
			func(c Config) bool { return strings.HasSuffix(c.ReportTopicARN, ":Drift_Report-1") }},
		{"per-API true", map[string]string{EnvPerAPIMetrics: "true"}, func(c Config) bool { return c.PerAPIMetrics }},
		{"per-API TRUE", map[string]string{EnvPerAPIMetrics: "TRUE"}, func(c Config) bool { return c.PerAPIMetrics }},
		{"per-API 1", map[string]string{EnvPerAPIMetrics: "1"}, func(c Config) bool { return c.PerAPIMetrics }},
		{"per-API yes with spaces", map[string]string{EnvPerAPIMetrics: " yes "}, func(c Config) bool { return c.PerAPIMetrics }},
		{"per-API false", map[string]string{EnvPerAPIMetrics: "false"}, func(c Config) bool { return !c.PerAPIMetrics }},
		{"per-API 0", map[string]string{EnvPerAPIMetrics: "0"}, func(c Config) bool { return !c.PerAPIMetrics }},
		{"per-API No", map[string]string{EnvPerAPIMetrics: "No"}, func(c Config) bool { return !c.PerAPIMetrics }},
		{"only with findings true", map[string]string{EnvReportOnlyWithFindings: "true"},
			func(c Config) bool { return c.ReportOnlyWithFindings && !c.PerAPIMetrics }},
		{"only with findings 0", map[string]string{EnvReportOnlyWithFindings: "0"},
			func(c Config) bool { return !c.ReportOnlyWithFindings }},
		{"CORS tag", map[string]string{EnvCORSTag: "browser-facing"},
			func(c Config) bool { return c.Audit.Checks.CORSTag == "browser-facing" }},
		{"publish reserve 1m", map[string]string{EnvPublishReserve: "1m"},
			func(c Config) bool { return c.PublishReserve == time.Minute }},
		{"publish reserve 1m30s", map[string]string{EnvPublishReserve: "1m30s"},
			func(c Config) bool { return c.PublishReserve == 90*time.Second }},
		{"publish reserve 0s", map[string]string{EnvPublishReserve: "0s"},
			func(c Config) bool { return c.PublishReserve == 0 }},
		{"API Gateway rate and burst", map[string]string{EnvQuotaRate: "5", EnvQuotaBurst: "10"},
			func(c Config) bool { return c.Audit.Limits.Rate == 5 && c.Audit.Limits.Burst == 10 }},
		{"fractional GetResources rate", map[string]string{EnvGetResourcesRate: "0.5", EnvGetResourcesBurst: "1"},
			func(c Config) bool {
				return c.Audit.Limits.GetResourcesRate == 0.5 && c.Audit.Limits.GetResourcesBurst == 1
			}},
		{"rate in exponent form", map[string]string{EnvQuotaRate: "2e1"},
			func(c Config) bool { return c.Audit.Limits.Rate == 20 }},
		{"account step by default", nil, func(c Config) bool { return c.Step == StepAccount && c.RunsBucket == "" }},
		{"scanner", map[string]string{EnvStep: "scan", EnvRunsBucket: "drift-runs-1", EnvMemberRoleName: "Reader", EnvExternalID: "x-1"},
			func(c Config) bool {
				return c.Step == StepScan && c.RunsBucket == "drift-runs-1" && c.Audit.RoleName == "Reader" && c.Audit.ExternalID == "x-1"
			}},
		{"planner with accounts", map[string]string{EnvStep: "plan", EnvRunsBucket: "b-1", EnvAccounts: "111111111111, 222222222222", EnvReportTopicARN: ""},
			func(c Config) bool {
				return c.Step == StepPlan && len(c.Audit.Accounts) == 2 && c.Audit.RoleName == "DriftAuditorReadOnly"
			}},
		{"join with per-account metrics", map[string]string{EnvStep: "join", EnvRunsBucket: "b-1", EnvPerAccountMetrics: "true"},
			func(c Config) bool { return c.Step == StepJoin && c.PerAccountMetrics }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := lambdaEnv()
			for k, v := range tt.env {
				env[k] = v
			}
			c, err := LoadConfig(getenv(env))
			if err != nil {
				t.Fatal(err)
			}
			if !tt.check(c) {
				t.Errorf("unexpected config %+v", c)
			}
		})
	}
}

func TestLoadConfigInvalid(t *testing.T) {
	const wantNumber = "want a positive number of requests per second"
	const wantWhole = "want a whole number of requests, at least 1"
	tests := []struct {
		name   string
		mutate func(env map[string]string)
		want   []string
	}{
		{"unknown step", func(e map[string]string) { e[EnvStep] = "scanner" }, []string{EnvStep, `"scanner"`, "want account, plan, scan or join"}},
		{"scanner without bucket", func(e map[string]string) { e[EnvStep] = "scan" }, []string{EnvRunsBucket, "the scan step needs the runs bucket's name"}},
		{"bucket not a bucket name", func(e map[string]string) { e[EnvStep] = "join"; e[EnvRunsBucket] = "Runs_Bucket" }, []string{EnvRunsBucket, `"Runs_Bucket"`}},
		{"account id too short", func(e map[string]string) {
			e[EnvStep] = "plan"
			e[EnvRunsBucket] = "b-1"
			e[EnvAccounts] = "11111111111"
		},
			[]string{EnvAccounts, `"11111111111" is not an AWS account id`}},
		{"member role with a path", func(e map[string]string) {
			e[EnvStep] = "scan"
			e[EnvRunsBucket] = "b-1"
			e[EnvMemberRoleName] = "audit/Reader"
		},
			[]string{EnvMemberRoleName, "is not an IAM role name"}},
		{"join without topic", func(e map[string]string) { e[EnvStep] = "join"; e[EnvRunsBucket] = "b-1"; delete(e, EnvReportTopicARN) },
			[]string{EnvReportTopicARN, "want an SNS topic ARN"}},
		{"topic missing", func(e map[string]string) { delete(e, EnvReportTopicARN) },
			[]string{EnvReportTopicARN, "want an SNS topic ARN (arn:aws:sns:REGION:ACCOUNT:NAME)"}},
		{"topic is a name", func(e map[string]string) { e[EnvReportTopicARN] = "drift-report" },
			[]string{`REPORT_TOPIC_ARN="drift-report"`, "want an SNS topic ARN"}},
		{"topic is an SQS ARN", func(e map[string]string) { e[EnvReportTopicARN] = "arn:aws:sqs:eu-west-1:123456789012:q" },
			[]string{EnvReportTopicARN, "want an SNS topic ARN"}},
		{"topic account too short", func(e map[string]string) { e[EnvReportTopicARN] = "arn:aws:sns:eu-west-1:12345:report" },
			[]string{EnvReportTopicARN, "want an SNS topic ARN"}},
		{"topic with a subscription id", func(e map[string]string) { e[EnvReportTopicARN] = testTopic + ":6b0e71bd-7e97-4d97-80ce-4a0994e55286" },
			[]string{EnvReportTopicARN, "want an SNS topic ARN"}},
		{"FIFO topic", func(e map[string]string) { e[EnvReportTopicARN] = testTopic + ".fifo" },
			[]string{EnvReportTopicARN, "want an SNS topic ARN"}},
		{"topic with a trailing newline", func(e map[string]string) { e[EnvReportTopicARN] = testTopic + "\n" },
			[]string{EnvReportTopicARN, "want an SNS topic ARN"}},
		{"no region at all", func(e map[string]string) { delete(e, EnvAWSRegion) },
			[]string{EnvRegions, "comma-separated list of regions (e.g. eu-west-1,us-east-1)", EnvAWSRegion}},
		{"regions only commas", func(e map[string]string) { e[EnvRegions] = " , ," },
			[]string{EnvRegions, "comma-separated list of regions"}},
		{"region in capitals", func(e map[string]string) { e[EnvRegions] = "EU-WEST-1" },
			[]string{EnvRegions, `"EU-WEST-1"`, "like eu-west-1"}},
		{"region is a zone", func(e map[string]string) { e[EnvRegions] = "eu-west-1,eu-west-1a b" },
			[]string{EnvRegions, `"eu-west-1a b"`, "like eu-west-1"}},
		{"region is a word", func(e map[string]string) { e[EnvRegions] = "ireland" },
			[]string{EnvRegions, `"ireland"`, "like eu-west-1"}},
		{"regions separated by semicolons", func(e map[string]string) { e[EnvRegions] = "eu-west-1;us-east-1" },
			[]string{EnvRegions, "like eu-west-1"}},
		{"AWS_REGION not a region", func(e map[string]string) { e[EnvAWSRegion] = "local" },
			[]string{EnvAWSRegion, `"local"`, "like eu-west-1"}},
		{"namespace AWS/", func(e map[string]string) { e[EnvNamespace] = "AWS/ApiGateway" },
			[]string{`METRIC_NAMESPACE="AWS/ApiGateway"`, "not starting with AWS/"}},
		{"namespace too long", func(e map[string]string) { e[EnvNamespace] = strings.Repeat("n", 256) },
			[]string{EnvNamespace, "up to 255 printable ASCII characters"}},
		{"namespace with a space", func(e map[string]string) { e[EnvNamespace] = "API Gateway" },
			[]string{EnvNamespace, "no spaces"}},
		{"namespace starting with a colon", func(e map[string]string) { e[EnvNamespace] = ":Drift" },
			[]string{EnvNamespace, "not starting with AWS/ or :"}},
		{"namespace with a carriage return", func(e map[string]string) { e[EnvNamespace] = "Drift\r" },
			[]string{EnvNamespace, "printable ASCII"}},
		{"namespace not ASCII", func(e map[string]string) { e[EnvNamespace] = "Dérive" },
			[]string{EnvNamespace, "printable ASCII"}},
		{"per-API on", func(e map[string]string) { e[EnvPerAPIMetrics] = "on" },
			[]string{`PER_API_METRICS="on"`, "want true or false"}},
		{"per-API y", func(e map[string]string) { e[EnvPerAPIMetrics] = "y" },
			[]string{EnvPerAPIMetrics, "want true or false"}},
		{"only with findings 2", func(e map[string]string) { e[EnvReportOnlyWithFindings] = "2" },
			[]string{`REPORT_ONLY_WITH_FINDINGS="2"`, "want true or false"}},
		{"CORS tag blank", func(e map[string]string) { e[EnvCORSTag] = "  " },
			[]string{EnvCORSTag, "want a tag name"}},
		{"publish reserve without unit", func(e map[string]string) { e[EnvPublishReserve] = "30" },
			[]string{`PUBLISH_RESERVE="30"`, "want a duration such as 30s or 1m"}},
		{"publish reserve negative", func(e map[string]string) { e[EnvPublishReserve] = "-5s" },
			[]string{EnvPublishReserve, "want a duration"}},
		{"publish reserve words", func(e map[string]string) { e[EnvPublishReserve] = "half a minute" },
			[]string{EnvPublishReserve, "want a duration"}},
		{"rate zero", func(e map[string]string) { e[EnvQuotaRate] = "0" }, []string{`APIGATEWAY_RATE="0"`, wantNumber}},
		{"rate negative", func(e map[string]string) { e[EnvQuotaRate] = "-1" }, []string{EnvQuotaRate, wantNumber}},
		{"rate with unit", func(e map[string]string) { e[EnvQuotaRate] = "10/s" }, []string{EnvQuotaRate, wantNumber}},
		{"rate NaN", func(e map[string]string) { e[EnvQuotaRate] = "NaN" }, []string{EnvQuotaRate, wantNumber}},
		{"rate infinite", func(e map[string]string) { e[EnvQuotaRate] = "+Inf" }, []string{EnvQuotaRate, wantNumber}},
		{"GetResources rate zero", func(e map[string]string) { e[EnvGetResourcesRate] = "0" }, []string{`GETRESOURCES_RATE="0"`, wantNumber}},
		{"GetResources rate text", func(e map[string]string) { e[EnvGetResourcesRate] = "fast" }, []string{EnvGetResourcesRate, wantNumber}},
		{"GetResources rate NaN", func(e map[string]string) { e[EnvGetResourcesRate] = "nan" }, []string{EnvGetResourcesRate, wantNumber}},
		{"burst zero", func(e map[string]string) { e[EnvQuotaBurst] = "0" }, []string{`APIGATEWAY_BURST="0"`, wantWhole}},
		{"burst fractional", func(e map[string]string) { e[EnvQuotaBurst] = "2.5" }, []string{EnvQuotaBurst, wantWhole}},
		{"burst overflows", func(e map[string]string) { e[EnvQuotaBurst] = "99999999999999999999" }, []string{EnvQuotaBurst, wantWhole}},
		{"GetResources burst negative", func(e map[string]string) { e[EnvGetResourcesBurst] = "-3" }, []string{`GETRESOURCES_BURST="-3"`, wantWhole}},
		{"GetResources burst text", func(e map[string]string) { e[EnvGetResourcesBurst] = "five" }, []string{EnvGetResourcesBurst, wantWhole}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := lambdaEnv()
			tt.mutate(env)
			_, err := LoadConfig(getenv(env))
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			if strings.ContainsAny(msg, "\r\n") {
				t.Errorf("error is not one line: %q", msg)
			}
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q does not contain %q", msg, w)
				}
			}
		})
	}
}
