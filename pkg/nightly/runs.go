package nightly

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/apigw-drift/driftaudit/pkg/report"
)

// Each run keeps its JSON report in the runs bucket, runs/<run id>/report.json, and a complete
// run points runs/latest-complete.json at its own: the next run compares itself with that one,
// never with an incomplete run, whose missing findings would read as resolved and whose
// findings would all be new again after it.

// latestComplete is the pointer to the last complete run's report.
const latestComplete = "runs/latest-complete.json"

type runPointer struct {
	RunID       string    `json:"run_id"`
	Key         string    `json:"key"`
	GeneratedAt time.Time `json:"generated_at"`
}

// accountRunID names an account-mode run by its start: one run a night, and a run by hand
// beside it never takes its prefix.
func accountRunID(start time.Time) string { return start.UTC().Format("2006-01-02T15-04-05.000Z") }

// compareWithLast compares rep with the last complete run's report, if there is one. Without a
// runs bucket, or before the first complete run, rep stays without a baseline. A baseline that
// cannot be read is a warning of the report, not a failed run: the report is still right, it
// only cannot say what changed.
func (h *Handler) compareWithLast(ctx context.Context, rep *report.Report) {
	if h.Runs == nil || h.Config.RunsBucket == "" {
		return
	}
	// Listing first tells "no complete run yet" from a failure: without s3:ListBucket, S3
	// answers a GetObject of a missing key with 403, not 404.
	list, err := h.Runs.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(h.Config.RunsBucket), Prefix: aws.String(latestComplete), MaxKeys: aws.Int32(1)})
	if err != nil {
		rep.Warnings = append(rep.Warnings, "no comparison with the last run: "+oneLine(fmt.Errorf("list %s: %w", s3URL(h.Config.RunsBucket, latestComplete), err)))
		return
	}
	if len(list.Contents) == 0 {
		return // the first complete run is yet to come
	}
	var ptr runPointer
	if err := h.getJSON(ctx, latestComplete, &ptr); err != nil {
		rep.Warnings = append(rep.Warnings, "no comparison with the last run: "+oneLine(err))
		return
	}
	var prev *report.Report
	if err := h.get(ctx, ptr.Key, func(r io.Reader) (err error) { prev, err = report.Decode(r); return err }); err != nil {
		rep.Warnings = append(rep.Warnings, "no comparison with the last complete run ("+ptr.RunID+"): "+oneLine(err))
		return
	}
	rep.Compare(prev)
}

// keepRun writes rep as runs/<runID>/report.json and, when the run is complete, points the next
// run at it.
func (h *Handler) keepRun(ctx context.Context, runID string, rep *report.Report) error {
	if h.Runs == nil || h.Config.RunsBucket == "" {
		return nil
	}
	key := joinedKey(runID)
	if err := h.putReport(ctx, key, rep); err != nil {
		return err
	}
	if !rep.Summary.Complete {
		return nil
	}
	b, err := json.Marshal(runPointer{RunID: runID, Key: key, GeneratedAt: rep.GeneratedAt})
	if err != nil {
		return err
	}
	return h.put(ctx, latestComplete, bytes.NewReader(b))
}

// unchanged says whether a run has nothing to tell: complete, compared with a baseline, and
// nothing new or resolved since.
func unchanged(rep *report.Report) bool {
	c := rep.Summary.Changes
	return rep.Summary.Complete && c != nil && c.New == 0 && c.Resolved == 0
}
