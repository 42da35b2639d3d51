package nightly

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/apigw-drift/driftaudit/pkg/accounts"
	"github.com/apigw-drift/driftaudit/pkg/audit"
	"github.com/apigw-drift/driftaudit/pkg/inventory"
	"github.com/apigw-drift/driftaudit/pkg/publish"
	"github.com/apigw-drift/driftaudit/pkg/report"
)

// An organization run on Step Functions is three steps of this one binary: the planner lists
// the accounts and crosses them with the regions into a work list in S3; a Distributed Map runs
// the scanner once per (account, region), which writes that item's report to S3 and returns a
// small summary; the join lists what the scanners wrote (never trusting that every child
// returned), merges one organization report, and publishes it. See statemachine/ for the ASL.

// RunsAPI is what the organization roles call in the runs bucket.
type RunsAPI interface {
	PutObject(ctx context.Context, in *s3.PutObjectInput, opts ...func(*s3.Options)) (*s3.PutObjectOutput, error)
	GetObject(ctx context.Context, in *s3.GetObjectInput, opts ...func(*s3.Options)) (*s3.GetObjectOutput, error)
	ListObjectsV2(ctx context.Context, in *s3.ListObjectsV2Input, opts ...func(*s3.Options)) (*s3.ListObjectsV2Output, error)
}

var _ RunsAPI = (*s3.Client)(nil)

// Item is one (account, region) of a run's work list.
type Item struct {
	AccountID string `json:"account_id"`
	Region    string `json:"region"`
}

// PlanInput is what the state machine hands the planner: its execution and its own input.
type PlanInput struct {
	ExecutionName  string     `json:"execution_name"`
	ExecutionStart string     `json:"execution_start,omitempty"`
	Input          RunTrigger `json:"input"`
}

// RunTrigger is the state machine's input: EventBridge Scheduler's time of the night.
type RunTrigger struct {
	ScheduledTime string `json:"scheduled_time,omitempty"`
}

// PlanOutput names the work list.
type PlanOutput struct {
	RunID    string `json:"run_id"`
	Bucket   string `json:"bucket"`
	Key      string `json:"key"`
	Items    int    `json:"items"`
	Accounts int    `json:"accounts"`
}

// ScanInput is one item of the map, with its run.
type ScanInput struct {
	RunID     string `json:"run_id"`
	AccountID string `json:"account_id"`
	Region    string `json:"region"`
}

// ScanOutput is the small summary a scanner returns: Step Functions state is limited to
// 256 KiB, so the report itself stays in S3.
type ScanOutput struct {
	AccountID  string         `json:"account_id"`
	Region     string         `json:"region"`
	Key        string         `json:"key"`
	Findings   int            `json:"findings"`
	BySeverity map[string]int `json:"by_severity"`
	Errors     int            `json:"errors"`
	Complete   bool           `json:"complete"`
}

// JoinInput is what the state machine hands the join: its execution and the whole state.
type JoinInput struct {
	ExecutionName  string `json:"execution_name"`
	ExecutionStart string `json:"execution_start,omitempty"`
	// State is the execution's state: its input's fields (scheduled_time) beside the plan or
	// the planner's error, and the map's result or error. It is read leniently: a run started
	// by hand may carry input fields of its own, and the join must still run.
	State json.RawMessage `json:"state"`
}

// JoinState is what the join reads of the state.
type JoinState struct {
	ScheduledTime string      `json:"scheduled_time,omitempty"`
	Plan          *PlanOutput `json:"plan,omitempty"`
	PlanError     *StepError  `json:"plan_error,omitempty"`
	// Map is what the map state returned (its ResultWriter's manifest): the join reads the
	// items from S3, not from it.
	Map      json.RawMessage `json:"map,omitempty"`
	MapError *StepError      `json:"map_error,omitempty"`
}

// StepError is a state's caught error, as Step Functions passes it (ResultPath of a Catch).
type StepError struct {
	Error string `json:"Error"`
	Cause string `json:"Cause"`
}

// JoinOutput summarizes the organization report.
type JoinOutput struct {
	RunID    string `json:"run_id"`
	Key      string `json:"key"`
	Accounts int    `json:"accounts"`
	Findings int    `json:"findings"`
	Errors   int    `json:"errors"`
	Complete bool   `json:"complete"`
}

// OpScan and OpPlan name, in a joined report, an item whose scanner left no report and a run
// whose planner failed.
const (
	OpScan = inventory.OpScan
	OpPlan = inventory.OpPlan
)

// safeRunID keeps a run id usable as one S3 key segment.
var safeRunID = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,128}$`)

// RunID names a run's prefix in the runs bucket after its night and its execution:
// "2026-12-02T03-00-00Z_<execution>" from Scheduler's scheduled time 2026-12-02T03:00:00Z, or
// the execution name alone for a run started by hand. The night comes first, so that runs list
// in order; the execution makes the prefix the run's own, so that no item report of another
// execution of the same night (a retried schedule, a re-run) is ever taken for this run's.
// Step Functions refuses ':' in execution names and Scheduler gives the time with colons only,
// so the execution itself cannot be named after the night.
func RunID(executionName string, trigger RunTrigger) (string, error) {
	exec := strings.Map(func(r rune) rune {
		if r < 128 && (r == '_' || r == '.' || r == '-' || r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z') {
			return r
		}
		return '-'
	}, executionName)
	if exec == "" {
		return "", errors.New("no execution name to name the run by")
	}
	if len(exec) > 80 {
		exec = exec[:80]
	}
	if trigger.ScheduledTime == "" {
		return exec, nil
	}
	t, err := time.Parse(time.RFC3339, trigger.ScheduledTime)
	if err != nil {
		return "", fmt.Errorf("scheduled_time %q is not an RFC 3339 time", trigger.ScheduledTime)
	}
	return t.UTC().Format("2006-01-02T15-04-05Z") + "_" + exec, nil
}

func planKey(runID string) string     { return "runs/" + runID + "/plan.json" }
func itemsPrefix(runID string) string { return "runs/" + runID + "/items/" }
func itemKey(runID string, it Item) string {
	return itemsPrefix(runID) + it.AccountID + "/" + it.Region + ".json"
}
func joinedKey(runID string) string   { return "runs/" + runID + "/report.json" }
func s3URL(bucket, key string) string { return "s3://" + bucket + "/" + key }

// Invoke is the Lambda handler of every step: the account audit, or a step of an organization
// run, as the function's AUDITOR_STEP says.
func (h *Handler) Invoke(ctx context.Context, payload json.RawMessage) (any, error) {
	switch h.Config.Step {
	case StepPlan:
		return h.Plan(ctx, payload)
	case StepScan:
		return h.ScanItem(ctx, payload)
	case StepJoin:
		return h.Join(ctx, payload)
	default:
		return nil, h.Handle(ctx, payload)
	}
}

// Plan lists the accounts (the ACCOUNTS list, or every ACTIVE account of the organization),
// crosses them with the regions, and writes the work list to the runs bucket.
func (h *Handler) Plan(ctx context.Context, payload json.RawMessage) (*PlanOutput, error) {
	in, err := decodeStrict[PlanInput](payload, "invocation payload", "")
	if err != nil {
		return nil, err
	}
	runID, err := RunID(in.ExecutionName, in.Input)
	if err != nil {
		return nil, err
	}
	ids := slices.Clone(h.Config.Audit.Accounts)
	if len(ids) == 0 {
		if ids, err = accounts.Organization(ctx, h.Organizations); err != nil {
			return nil, err
		}
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	regions := slices.Sorted(slices.Values(h.Config.Audit.Regions))
	items := make([]Item, 0, len(ids)*len(regions))
	for _, id := range ids {
		for _, r := range regions {
			items = append(items, Item{AccountID: id, Region: r})
		}
	}
	body, err := json.Marshal(items)
	if err != nil {
		return nil, err
	}
	out := &PlanOutput{RunID: runID, Bucket: h.Config.RunsBucket, Key: planKey(runID), Items: len(items), Accounts: len(ids)}
	if err := h.put(ctx, out.Key, bytes.NewReader(body)); err != nil {
		return nil, err
	}
	h.Logger.InfoContext(ctx, "plan written", "run_id", runID, "key", out.Key, "accounts", len(ids), "regions", regions, "items", len(items))
	return out, nil
}

// ScanItem audits one account in one region, assuming the member role (the function's own
// account with its own credentials), writes the report to the runs bucket and returns its
// summary. What could not be read, a role that cannot be assumed included, is data: a recorded
// error in the report, never a failed item. The item fails only when its report cannot be
// written, so that the map's retries and tolerance see exactly that.
func (h *Handler) ScanItem(ctx context.Context, payload json.RawMessage) (*ScanOutput, error) {
	start := h.now()
	in, err := decodeStrict[ScanInput](payload, "invocation payload", "")
	if err != nil {
		return nil, err
	}
	if !safeRunID.MatchString(in.RunID) {
		return nil, fmt.Errorf("invocation payload: run_id %q is not a run id", in.RunID)
	}
	cfg := h.Config.Audit
	cfg.Regions, cfg.Accounts, cfg.Organization = []string{in.Region}, []string{in.AccountID}, false
	cfg.PartOfRun = true // the join judges stale suppressions, over every account and region
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("invocation payload: %w", err)
	}
	scanCtx, cancel := h.scanContext(ctx)
	defer cancel()
	rep, scanErr := audit.Audit(scanCtx, cfg, h.AWS, start)
	if rep == nil {
		// Not even the caller could be read (STS failed): the item is still a report, of
		// nothing read, that says why.
		inv := &inventory.Inventory{SchemaVersion: inventory.SchemaVersion, AccountID: in.AccountID, CollectedAt: start,
			Regions: []inventory.Region{inventory.UnreadRegion(in.AccountID, in.Region, inventory.ScanError{AccountID: in.AccountID, Region: in.Region, Operation: OpScan, Message: oneLine(scanErr)})}}
		if rep, err = audit.Evaluate(inv, cfg, start); err != nil {
			return nil, err
		}
	}
	h.logReport(ctx, rep, h.now().Sub(start))
	var buf bytes.Buffer
	if err := rep.WriteJSON(&buf); err != nil {
		return nil, err
	}
	it := Item{AccountID: in.AccountID, Region: in.Region}
	key := itemKey(in.RunID, it)
	if err := h.put(ctx, key, bytes.NewReader(buf.Bytes())); err != nil {
		return nil, err
	}
	a := rep.Summary.ByAccount[in.AccountID]
	return &ScanOutput{AccountID: in.AccountID, Region: in.Region, Key: key, Findings: rep.Summary.Findings, BySeverity: rep.Summary.BySeverity,
		Errors: rep.Summary.Errors, Complete: rep.Summary.Complete && a.Complete}, nil
}

// Join merges what the scanners wrote into one organization report, every item of the plan
// without a report an error of its own, writes it to the runs bucket, and publishes the
// metrics and the SNS report as the account audit does (and the findings to Security Hub). It
// fails only when publishing fails.
func (h *Handler) Join(ctx context.Context, payload json.RawMessage) (*JoinOutput, error) {
	start := h.now()
	in, err := decodeStrict[JoinInput](payload, "invocation payload", "")
	if err != nil {
		return nil, err
	}
	var state JoinState
	if err := json.Unmarshal(in.State, &state); err != nil {
		return nil, fmt.Errorf("invocation payload: state: %w", err)
	}
	runID := ""
	if state.Plan != nil {
		runID = state.Plan.RunID
	} else {
		if runID, err = RunID(in.ExecutionName, RunTrigger{ScheduledTime: state.ScheduledTime}); err != nil {
			return nil, err
		}
	}
	rep, err := h.joinReports(ctx, runID, state)
	if err != nil {
		return nil, err
	}
	key := joinedKey(runID)
	h.compareWithLast(ctx, rep)
	var errs []error
	if err := h.keepRun(ctx, runID, rep); err != nil {
		errs = append(errs, err)
	}
	duration := h.now().Sub(start)
	if t, err := time.Parse(time.RFC3339, in.ExecutionStart); err == nil {
		duration = h.now().Sub(t)
	}
	for _, e := range rep.Errors {
		h.Logger.WarnContext(ctx, "scan error", "account_id", e.AccountID, "region", e.Region, "api_id", e.APIID, "operation", e.Operation, "message", e.Message)
	}
	h.Logger.InfoContext(ctx, "organization summary", "run_id", runID, "accounts", rep.Summary.AccountsScanned, "findings", rep.Summary.Findings,
		"by_severity", rep.Summary.BySeverity, "errors", rep.Summary.Errors, "complete", rep.Summary.Complete, "key", key)
	data := publish.MetricData(rep, publish.MetricOptions{Namespace: h.Config.Namespace, Organization: true, PerAccount: h.Config.PerAccountMetrics}, duration, start)
	if err := publish.PutMetrics(ctx, h.Metrics, h.Config.Namespace, data); err != nil {
		errs = append(errs, err)
	}
	if skip, why := h.skipReport(rep); skip {
		h.Logger.InfoContext(ctx, "report not sent: "+why)
	} else if msg, err := publish.BuildMessageWithFooter(rep, "in S3, "+s3URL(h.Config.RunsBucket, key), fmt.Sprintf(
		"The full report (JSON) is %s; each account and region's report is under %s.", s3URL(h.Config.RunsBucket, key), s3URL(h.Config.RunsBucket, itemsPrefix(runID)))); err != nil {
		errs = append(errs, fmt.Errorf("build the report message: %w", err))
	} else if err := publish.PublishReport(ctx, h.Topic, h.Config.ReportTopicARN, msg); err != nil {
		errs = append(errs, err)
	}
	if err := h.sendToSecurityHub(ctx, rep, "in S3, "+s3URL(h.Config.RunsBucket, key)); err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		h.Logger.ErrorContext(ctx, "join failed", "error", err)
		return nil, err
	}
	return &JoinOutput{RunID: runID, Key: key, Accounts: rep.Summary.AccountsScanned, Findings: rep.Summary.Findings, Errors: rep.Summary.Errors, Complete: rep.Summary.Complete}, nil
}

// joinReports reads the plan and every item report of the run. An item of the plan with no
// report (its scanner failed after its retries, or the map stopped) is an error on that account
// and region; a report that cannot be read is one too. A run whose planner failed is one error.
func (h *Handler) joinReports(ctx context.Context, runID string, state JoinState) (*report.Report, error) {
	now := h.now()
	if state.Plan == nil {
		cause := "the planner failed"
		if e := state.PlanError; e != nil {
			cause += ": " + oneLine(errors.New(strings.TrimSpace(e.Error+" "+e.Cause)))
		}
		return report.Merge(nil, []inventory.ScanError{{Operation: OpPlan, Message: cause + "; no account was read"}}, now), nil
	}
	var items []Item
	if err := h.getJSON(ctx, state.Plan.Key, &items); err != nil {
		return report.Merge(nil, []inventory.ScanError{{Operation: OpPlan, Message: "the plan cannot be read: " + oneLine(err)}}, now), nil
	}
	keys, err := inventory.Pages(ctx, func(token *string) ([]string, *string, error) {
		page, err := h.Runs.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(h.Config.RunsBucket), Prefix: aws.String(itemsPrefix(runID)), ContinuationToken: token})
		if err != nil {
			return nil, nil, err
		}
		keys := make([]string, 0, len(page.Contents))
		for _, o := range page.Contents {
			keys = append(keys, aws.ToString(o.Key))
		}
		if !aws.ToBool(page.IsTruncated) {
			return keys, nil, nil
		}
		return keys, page.NextContinuationToken, nil
	})
	if err != nil {
		// A listing that loops ends here too: the reports after it are not called missing.
		return nil, fmt.Errorf("list %s: %w", s3URL(h.Config.RunsBucket, itemsPrefix(runID)), err)
	}
	written := map[string]bool{}
	for _, k := range keys {
		written[k] = true
	}
	why := "no report: the scan of this account and region did not finish (its Lambda failed after its retries, or the map stopped)"
	if e := state.MapError; e != nil {
		why += "; the map stopped with " + oneLine(errors.New(strings.TrimSpace(e.Error+" "+e.Cause)))
	}
	var parts []*report.Report
	var missing []inventory.ScanError
	for _, it := range items {
		key := itemKey(runID, it)
		if !written[key] {
			missing = append(missing, inventory.ScanError{AccountID: it.AccountID, Region: it.Region, Operation: OpScan, Message: why})
			continue
		}
		var rep *report.Report
		err := h.get(ctx, key, func(r io.Reader) (err error) { rep, err = report.Decode(r); return err })
		if err != nil {
			missing = append(missing, inventory.ScanError{AccountID: it.AccountID, Region: it.Region, Operation: OpScan, Message: "the report cannot be read: " + oneLine(err)})
			continue
		}
		parts = append(parts, rep)
	}
	rep := report.Merge(parts, missing, now)
	if rep.Summary.Complete { // an entry's finding may be in what was not read
		rep.Warnings = append(rep.Warnings, h.Config.Audit.Suppressions.Stale(rep.Findings, rep.Suppressed, rep.Ran)...)
	}
	return rep, nil
}

func (h *Handler) put(ctx context.Context, key string, body io.ReadSeeker) error {
	_, err := h.Runs.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(h.Config.RunsBucket), Key: aws.String(key), Body: body,
		ContentType: aws.String("application/json")})
	if err != nil {
		return fmt.Errorf("write %s: %w", s3URL(h.Config.RunsBucket, key), err)
	}
	return nil
}

// putReport writes the organization's report through a temporary file, not a buffer: its JSON
// is about as large as the findings it holds in memory (some 800 bytes each), and a buffer would
// double the join's peak. The file is on the function's ephemeral storage.
func (h *Handler) putReport(ctx context.Context, key string, rep *report.Report) error {
	f, err := os.CreateTemp("", "report-*.json")
	if err != nil {
		return fmt.Errorf("write %s: %w", s3URL(h.Config.RunsBucket, key), err)
	}
	defer os.Remove(f.Name())
	defer f.Close()
	if err := rep.WriteJSON(f); err != nil {
		return fmt.Errorf("write %s: %w", s3URL(h.Config.RunsBucket, key), err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	return h.put(ctx, key, f)
}

func (h *Handler) get(ctx context.Context, key string, read func(io.Reader) error) error {
	out, err := h.Runs.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(h.Config.RunsBucket), Key: aws.String(key)})
	if err != nil {
		return fmt.Errorf("read %s: %w", s3URL(h.Config.RunsBucket, key), err)
	}
	defer out.Body.Close()
	return read(out.Body)
}

func (h *Handler) getJSON(ctx context.Context, key string, v any) error {
	return h.get(ctx, key, func(r io.Reader) error { return json.NewDecoder(r).Decode(v) })
}

func oneLine(err error) string { return strings.Join(strings.Fields(err.Error()), " ") }
