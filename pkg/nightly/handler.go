package nightly

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/apigw-drift/driftaudit/pkg/accounts"
	"github.com/apigw-drift/driftaudit/pkg/audit"
	"github.com/apigw-drift/driftaudit/pkg/publish"
	"github.com/apigw-drift/driftaudit/pkg/report"
	"github.com/apigw-drift/driftaudit/pkg/securityhub"
)

// Handler runs one audit per invocation. Build it once, at cold start.
type Handler struct {
	Config  Config
	AWS     aws.Config
	Metrics publish.MetricsAPI
	Topic   publish.TopicAPI
	// Runs and Organizations serve an organization run's roles (nil in account mode).
	Runs          RunsAPI
	Organizations accounts.ListAccountsAPI
	Logger        *slog.Logger
	Now           func() time.Time

	// SecurityHub imports the findings when Config.SecurityHub is set (securityhub.go).
	SecurityHub securityhub.BatchImportAPI
}

// Handle is the Lambda handler. The invocation fails (so that Lambda's retries, the dead-letter
// queue and the errors alarm see it) when publishing the metrics or the report fails, when
// Security Hub refuses findings (SECURITY_HUB), or when the scan could not run at all; an
// incomplete scan is reported as such and does not fail it: the Complete metric and its alarm
// watch that.
func (h *Handler) Handle(ctx context.Context, payload json.RawMessage) error {
	start := h.now()
	in, err := ParseEvent(payload)
	if err != nil {
		h.Logger.ErrorContext(ctx, "bad invocation payload", "error", err)
		return err
	}
	cfg := h.Config.Audit
	if len(in.Regions) > 0 {
		cfg.Regions = in.Regions
		if err := cfg.Validate(); err != nil {
			return fmt.Errorf("invocation payload regions: %w", err)
		}
	}

	scanCtx, cancel := h.scanContext(ctx)
	defer cancel()
	rep, scanErr := audit.Audit(scanCtx, cfg, h.AWS, start)
	if rep == nil {
		return fmt.Errorf("scan: %w", scanErr)
	}
	duration := h.now().Sub(start)
	h.compareWithLast(ctx, rep)
	h.logReport(ctx, rep, duration)
	if in.DryRun {
		h.Logger.InfoContext(ctx, "dry run: nothing published")
		return scanErr
	}

	// Metrics and the report are independent: one failing never stops the other.
	var errs []error
	data := publish.MetricData(rep, publish.MetricOptions{Namespace: h.Config.Namespace, PerAPI: h.Config.PerAPIMetrics}, duration, start)
	if err := publish.PutMetrics(ctx, h.Metrics, h.Config.Namespace, data); err != nil {
		errs = append(errs, err)
	} else {
		h.Logger.InfoContext(ctx, "metrics published", "namespace", h.Config.Namespace, "datums", len(data), "calls", len(publish.Batches(data)))
	}
	if err := h.keepRun(ctx, accountRunID(start), rep); err != nil {
		errs = append(errs, err)
	}
	if skip, why := h.skipReport(rep); skip {
		h.Logger.InfoContext(ctx, "report not sent: "+why)
	} else if msg, err := publish.BuildMessage(rep, fullReportLocation(ctx)); err != nil {
		errs = append(errs, fmt.Errorf("build the report message: %w", err))
	} else if err := publish.PublishReport(ctx, h.Topic, h.Config.ReportTopicARN, msg); err != nil {
		errs = append(errs, err)
	} else {
		h.Logger.InfoContext(ctx, "report sent", "topic", h.Config.ReportTopicARN, "bytes", msg.Size(), "findings_left_out", msg.Omitted)
	}
	if err := h.sendToSecurityHub(ctx, rep, fullReportLocation(ctx)); err != nil {
		errs = append(errs, err)
	}
	if scanErr != nil {
		errs = append(errs, scanErr)
	}
	if err := errors.Join(errs...); err != nil {
		h.Logger.ErrorContext(ctx, "run failed", "error", err)
		return err
	}
	return nil
}

// skipReport says whether the settings leave the SNS report of rep out, and which setting.
func (h *Handler) skipReport(rep *report.Report) (bool, string) {
	switch {
	case h.Config.ReportOnlyWithFindings && len(rep.Findings) == 0 && rep.Summary.Complete:
		return true, "no findings (" + EnvReportOnlyWithFindings + ")"
	case h.Config.ReportOnlyWhenChanged && unchanged(rep):
		return true, "nothing new or resolved since the last complete run (" + EnvReportOnlyWhenChanged + ")"
	}
	return false, ""
}

// scanContext ends PublishReserve before the invocation's deadline, so that a scan that cannot
// finish in time stops starting work and leaves time to publish what it has, marked incomplete.
func (h *Handler) scanContext(ctx context.Context) (context.Context, context.CancelFunc) {
	deadline, ok := ctx.Deadline()
	if !ok {
		return context.WithCancel(ctx)
	}
	return context.WithDeadline(ctx, deadline.Add(-h.Config.PublishReserve))
}

func (h *Handler) now() time.Time {
	if h.Now != nil {
		return h.Now()
	}
	return time.Now()
}

// logReport writes the full report to the function's log: one record per finding and per scan
// error, so that Logs Insights can query them and no record grows past a log event's limit.
func (h *Handler) logReport(ctx context.Context, rep *report.Report, duration time.Duration) {
	for _, f := range rep.Findings {
		h.Logger.InfoContext(ctx, "finding", "check", f.Check, "severity", f.Severity.String(), "account_id", f.AccountID, "region", f.Region, "api_id", f.APIID,
			"api_name", f.APIName, "stage", f.Stage, "path", f.Path, "method", f.Method, "domain", f.Domain, "base_path", f.BasePath,
			"usage_plan_id", f.UsagePlanID, "usage_plan_name", f.UsagePlanName, "message", f.Message, "remediation", f.Remediation)
	}
	for _, e := range rep.Errors {
		h.Logger.WarnContext(ctx, "scan error", "account_id", e.AccountID, "region", e.Region, "api_id", e.APIID, "operation", e.Operation, "message", e.Message)
	}
	h.Logger.InfoContext(ctx, "summary", "account_id", rep.AccountID, "regions", rep.Regions, "apis_scanned", rep.Summary.APIsScanned,
		"findings", rep.Summary.Findings, "by_severity", rep.Summary.BySeverity, "by_check", rep.Summary.ByCheck,
		"errors", rep.Summary.Errors, "complete", rep.Summary.Complete, "duration_seconds", duration.Seconds())
}

// fullReportLocation says where the complete report of this invocation can be read.
func fullReportLocation(ctx context.Context) string {
	where := "in the auditor function's CloudWatch Logs"
	if g := os.Getenv("AWS_LAMBDA_LOG_GROUP_NAME"); g != "" {
		where = "in CloudWatch Logs, log group " + g
	}
	if lc, ok := lambdacontext.FromContext(ctx); ok && lc.AwsRequestID != "" {
		where += ", request " + lc.AwsRequestID
	}
	return where + ` (one "finding" record per finding)`
}
