// Package nightly is the scheduled run of the Lambda function: it reads its configuration from
// the environment once, and on each invocation scans, publishes metrics and mails the report.
package nightly

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/apigw-drift/driftaudit/pkg/accounts"
	"github.com/apigw-drift/driftaudit/pkg/audit"
	"github.com/apigw-drift/driftaudit/pkg/checks"
	"github.com/apigw-drift/driftaudit/pkg/suppress"
)

// Steps the one binary runs (AUDITOR_STEP): the audit of its own account, or one of the three
// steps of an organization run on Step Functions.
const (
	StepAccount = "account"
	StepPlan    = "plan"
	StepScan    = "scan"
	StepJoin    = "join"
)

// Config is the function's configuration, from its environment variables.
type Config struct {
	// Step is what the function does: StepAccount (the default), StepPlan, StepScan or StepJoin.
	Step  string
	Audit audit.Config
	// RunsBucket keeps an organization run's plan, item reports and joined report.
	RunsBucket string
	// PerAccountMetrics adds each account's Findings by Severity, ScanErrors and Complete to an
	// organization run's metrics (5 billed custom metrics per account).
	PerAccountMetrics bool
	// Namespace is the CloudWatch namespace of the metrics.
	Namespace string
	// ReportTopicARN is the SNS topic the report goes to.
	ReportTopicARN string
	// PerAPIMetrics adds a billed custom metric per API.
	PerAPIMetrics bool
	// ReportOnlyWithFindings skips the SNS report of a run with no finding and no scan error.
	ReportOnlyWithFindings bool
	// ReportOnlyWhenChanged skips the SNS report of a complete run with nothing new and nothing
	// resolved since the last complete run.
	ReportOnlyWhenChanged bool
	// PublishReserve is the time kept before the invocation's deadline for publishing: no new
	// scan work starts after the deadline minus this.
	PublishReserve time.Duration
	// SecurityHub imports the findings into AWS Security Hub after the report (account mode and
	// an organization run's join; see securityhub.go).
	SecurityHub bool
}

// Environment variables, as the SAM template sets them.
const (
	EnvRegions                = "REGIONS"
	EnvNamespace              = "METRIC_NAMESPACE"
	EnvReportTopicARN         = "REPORT_TOPIC_ARN"
	EnvPerAPIMetrics          = "PER_API_METRICS"
	EnvReportOnlyWithFindings = "REPORT_ONLY_WITH_FINDINGS"
	EnvReportOnlyWhenChanged  = "REPORT_ONLY_WHEN_CHANGED"
	EnvCORSTag                = "CORS_TAG"
	EnvPublishReserve         = "PUBLISH_RESERVE"
	EnvQuotaRate              = "APIGATEWAY_RATE"
	EnvQuotaBurst             = "APIGATEWAY_BURST"
	EnvGetResourcesRate       = "GETRESOURCES_RATE"
	EnvGetResourcesBurst      = "GETRESOURCES_BURST"
	EnvAWSRegion              = "AWS_REGION"
	EnvEnabledChecks          = "ENABLED_CHECKS"
	EnvDisabledChecks         = "DISABLED_CHECKS"
	EnvSeverityOverrides      = "SEVERITY_OVERRIDES"
	EnvSuppressionsFile       = "SUPPRESSIONS_FILE"
	EnvAllowedEndpointTypes   = "ALLOWED_ENDPOINT_TYPES"
	EnvStep                   = "AUDITOR_STEP"
	EnvRunsBucket             = "RUNS_BUCKET"
	EnvAccounts               = "ACCOUNTS"
	EnvMemberRoleName         = "MEMBER_ROLE_NAME"
	EnvExternalID             = "EXTERNAL_ID"
	EnvPerAccountMetrics      = "PER_ACCOUNT_METRICS"
	EnvSecurityHub            = "SECURITY_HUB"
	// EnvTaskRoot is where Lambda unpacks the function; a suppressions.yaml bundled there is
	// read when SUPPRESSIONS_FILE is not set.
	EnvTaskRoot = "LAMBDA_TASK_ROOT"
)

var topicARN = regexp.MustCompile(`^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$`)

// LoadConfig reads the configuration from getenv and validates it; the error names the variable
// and the form it expects, in one line, and comes with the zero Config.
func LoadConfig(getenv func(string) string) (Config, error) {
	c, err := loadConfig(getenv)
	if err != nil {
		return Config{}, err
	}
	return c, nil
}

func loadConfig(getenv func(string) string) (Config, error) {
	c := Config{Audit: audit.DefaultConfig(), Namespace: "APIGatewayDrift", PublishReserve: 30 * time.Second}
	regionsFrom := EnvRegions
	if v := getenv(EnvRegions); strings.TrimSpace(v) != "" {
		for _, r := range strings.Split(v, ",") {
			if r = strings.TrimSpace(r); r != "" {
				c.Audit.Regions = append(c.Audit.Regions, r)
			}
		}
	} else if r := getenv(EnvAWSRegion); r != "" {
		c.Audit.Regions = []string{r}
		regionsFrom = EnvAWSRegion
	}
	if len(c.Audit.Regions) == 0 {
		return c, fmt.Errorf("%s: set it to a comma-separated list of regions (e.g. eu-west-1,us-east-1), or set %s", EnvRegions, EnvAWSRegion)
	}
	if v := getenv(EnvNamespace); v != "" {
		if !validNamespace(v) {
			return c, fmt.Errorf("%s=%q: want a custom CloudWatch namespace (up to 255 printable ASCII characters, no spaces, not starting with AWS/ or :)", EnvNamespace, v)
		}
		c.Namespace = v
	}
	if err := loadStep(getenv, &c); err != nil {
		return c, err
	}
	c.ReportTopicARN = getenv(EnvReportTopicARN)
	if (c.Step == StepAccount || c.Step == StepJoin) && !topicARN.MatchString(c.ReportTopicARN) {
		return c, fmt.Errorf("%s=%q: want an SNS topic ARN (arn:aws:sns:REGION:ACCOUNT:NAME)", EnvReportTopicARN, c.ReportTopicARN)
	}
	var err error
	if c.PerAPIMetrics, err = boolVar(getenv, EnvPerAPIMetrics); err != nil {
		return c, err
	}
	if c.ReportOnlyWithFindings, err = boolVar(getenv, EnvReportOnlyWithFindings); err != nil {
		return c, err
	}
	if c.ReportOnlyWhenChanged, err = boolVar(getenv, EnvReportOnlyWhenChanged); err != nil {
		return c, err
	}
	if c.SecurityHub, err = boolVar(getenv, EnvSecurityHub); err != nil {
		return c, err
	}
	if v := getenv(EnvCORSTag); v != "" {
		if strings.TrimSpace(v) == "" {
			return c, fmt.Errorf("%s=%q: want a tag name such as cors", EnvCORSTag, v)
		}
		c.Audit.Checks.CORSTag = v
	}
	if v := getenv(EnvPublishReserve); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			return c, fmt.Errorf("%s=%q: want a duration such as 30s or 1m", EnvPublishReserve, v)
		}
		c.PublishReserve = d
	}
	for _, f := range []struct {
		name string
		rate *float64
	}{{EnvQuotaRate, &c.Audit.Limits.Rate}, {EnvGetResourcesRate, &c.Audit.Limits.GetResourcesRate}} {
		if v := getenv(f.name); v != "" {
			r, err := strconv.ParseFloat(v, 64)
			if err != nil || !(r > 0) || math.IsInf(r, 1) {
				return c, fmt.Errorf("%s=%q: want a positive number of requests per second", f.name, v)
			}
			*f.rate = r
		}
	}
	for _, f := range []struct {
		name  string
		burst *int
	}{{EnvQuotaBurst, &c.Audit.Limits.Burst}, {EnvGetResourcesBurst, &c.Audit.Limits.GetResourcesBurst}} {
		if v := getenv(f.name); v != "" {
			b, err := strconv.Atoi(v)
			if err != nil || b < 1 {
				return c, fmt.Errorf("%s=%q: want a whole number of requests, at least 1", f.name, v)
			}
			*f.burst = b
		}
	}
	if err := c.Audit.Validate(); err != nil {
		return c, fmt.Errorf("%s: %w", regionsFrom, err)
	}
	if err := loadSelection(getenv, &c); err != nil {
		return c, err
	}
	return c, nil
}

// bucketName is S3's rule for a general purpose bucket name, without the rarer exclusions.
var bucketName = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)

// loadStep reads the step and what an organization run's steps need.
func loadStep(getenv func(string) string, c *Config) error {
	c.Step = strings.TrimSpace(getenv(EnvStep))
	switch c.Step {
	case "":
		c.Step = StepAccount
	case StepAccount, StepPlan, StepScan, StepJoin:
	default:
		return fmt.Errorf("%s=%q: want account, plan, scan or join", EnvStep, getenv(EnvStep))
	}
	// The account audit keeps its reports in the runs bucket when it has one (to say what
	// changed since the last run); the organization's steps cannot work without it.
	c.RunsBucket = getenv(EnvRunsBucket)
	if c.Step == StepAccount && c.RunsBucket == "" {
		return nil
	}
	if !bucketName.MatchString(c.RunsBucket) {
		return fmt.Errorf("%s=%q: the %s step needs the runs bucket's name", EnvRunsBucket, c.RunsBucket, c.Step)
	}
	if c.Step == StepAccount {
		return nil
	}
	c.Audit.Accounts = splitList(getenv(EnvAccounts))
	if v := strings.TrimSpace(getenv(EnvMemberRoleName)); v != "" {
		c.Audit.RoleName = v
	}
	for _, id := range c.Audit.Accounts {
		if err := accounts.ValidateID(id); err != nil {
			return fmt.Errorf("%s: %w", EnvAccounts, err)
		}
	}
	if err := accounts.ValidateRoleName(c.Audit.RoleName); err != nil {
		return fmt.Errorf("%s: %w", EnvMemberRoleName, err)
	}
	c.Audit.ExternalID = getenv(EnvExternalID)
	var err error
	c.PerAccountMetrics, err = boolVar(getenv, EnvPerAccountMetrics)
	return err
}

// loadSelection reads which checks run, severity overrides and suppressions.
func loadSelection(getenv func(string) string, c *Config) error {
	sel := &c.Audit.Selection
	sel.Enable, sel.Disable = splitList(getenv(EnvEnabledChecks)), splitList(getenv(EnvDisabledChecks))
	var err error
	if sel.Severity, err = checks.ParseSeverityOverrides(getenv(EnvSeverityOverrides)); err != nil {
		return fmt.Errorf("%s: %w", EnvSeverityOverrides, err)
	}
	c.Audit.Checks.AllowedEndpointTypes = splitList(getenv(EnvAllowedEndpointTypes))
	for _, t := range c.Audit.Checks.AllowedEndpointTypes {
		if t != "EDGE" && t != "REGIONAL" && t != "PRIVATE" {
			return fmt.Errorf("%s=%q: want a comma-separated list of EDGE, REGIONAL, PRIVATE", EnvAllowedEndpointTypes, getenv(EnvAllowedEndpointTypes))
		}
	}
	if _, err := checks.SelectFor(checks.All(), *sel, c.Audit.Checks); err != nil {
		return fmt.Errorf("%s/%s/%s: %w", EnvEnabledChecks, EnvDisabledChecks, EnvSeverityOverrides, err)
	}
	path := getenv(EnvSuppressionsFile)
	if path == "" && getenv(EnvTaskRoot) != "" {
		bundled := filepath.Join(getenv(EnvTaskRoot), "suppressions.yaml")
		if _, err := os.Stat(bundled); err == nil {
			path = bundled
		}
	}
	if path != "" {
		if c.Audit.Suppressions, err = suppress.Load(path, checks.All()); err != nil {
			return fmt.Errorf("%s: %w", EnvSuppressionsFile, err)
		}
	}
	return nil
}

func splitList(v string) []string {
	var out []string
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// validNamespace follows PutMetricData: printable ASCII, not starting with ":", and not a
// namespace AWS reserves. Spaces, which CloudWatch allows, are refused to keep alarms and
// dashboards easy to write.
func validNamespace(v string) bool {
	if len(v) > 255 || strings.HasPrefix(v, "AWS/") || strings.HasPrefix(v, ":") {
		return false
	}
	return strings.IndexFunc(v, func(r rune) bool { return r <= ' ' || r > '~' }) < 0
}

func boolVar(getenv func(string) string, name string) (bool, error) {
	switch v := strings.ToLower(strings.TrimSpace(getenv(name))); v {
	case "", "false", "0", "no":
		return false, nil
	case "true", "1", "yes":
		return true, nil
	default:
		return false, fmt.Errorf("%s=%q: want true or false", name, getenv(name))
	}
}
