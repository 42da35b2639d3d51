// Package publish sends a report where on-call and the team see it: CloudWatch metrics that
// alarms watch, and an SNS message that people read.
package publish

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/apigw-drift/driftaudit/pkg/checks"
	"github.com/apigw-drift/driftaudit/pkg/report"
)

// MetricsAPI is the part of the CloudWatch client publishing uses.
type MetricsAPI interface {
	PutMetricData(context.Context, *cloudwatch.PutMetricDataInput, ...func(*cloudwatch.Options)) (*cloudwatch.PutMetricDataOutput, error)
}

var _ MetricsAPI = (*cloudwatch.Client)(nil)

// PutMetricData's limits, which emulators do not enforce: 1,000 datums and 1 MB a request.
// The byte budget leaves room for the request's envelope.
const (
	maxDatumsPerCall = 1000
	maxBytesPerCall  = 900_000
)

// MetricOptions choose what is published.
type MetricOptions struct {
	Namespace string
	// PerAPI adds one Findings metric per API (dimensions Region and ApiId, and AccountId in an
	// organization). Each is a billed custom metric, so it is off unless asked for.
	PerAPI bool
	// Organization publishes the totals of an audit of several accounts: AccountsScanned, and
	// no per-region datums, which would mix accounts.
	Organization bool
	// PerAccount adds, in an organization, each account's Findings by Severity, ScanErrors and
	// Complete (dimension AccountId): 5 billed custom metrics per account.
	PerAccount bool
}

// Metric names and dimensions; alarms and dashboards key on them.
const (
	MetricFindings        = "Findings"
	MetricNewFindings     = "NewFindings"
	MetricResolved        = "ResolvedFindings"
	MetricAPIsScanned     = "ApisScanned"
	MetricAccountsScanned = "AccountsScanned"
	MetricScanErrors      = "ScanErrors"
	MetricScanDuration    = "ScanDurationSeconds"
	MetricComplete        = "Complete"
	DimCheck              = "Check"
	DimSeverity           = "Severity"
	DimRegion             = "Region"
	DimAccountID          = "AccountId"
	DimAPIID              = "ApiId"
)

// scope is a part of the report that gets datums of its own: the whole run, or a region.
type scope struct {
	dims []string
	has  func(account, region string) bool
}

// MetricData turns a report into datums, all stamped at. The values are gauges: alarms read
// Maximum, so a retried invocation that publishes twice changes nothing.
//
// The rule that keeps an alarm honest: Findings datums describe only what was read. For each
// scope (the whole run; each region when one account has several; each account when asked)
// they are published only when that scope was read completely, and then for every check that
// ran and every severity, zeros included, so that an alarm can return to OK. A scope with a
// scan error publishes no Findings datum at all; the alarms treat missing data as "keep the
// state", so an incomplete run can never move an alarm from ALARM to OK, nor raise one on a
// partial count. Per-API datums follow their account and region. ApisScanned is published for a
// scope whose API list was read; ScanErrors, Complete and the duration always are.
func MetricData(rep *report.Report, opts MetricOptions, duration time.Duration, at time.Time) []types.MetricDatum {
	var data []types.MetricDatum
	add := func(name string, value float64, unit types.StandardUnit, dims ...string) {
		d := types.MetricDatum{MetricName: aws.String(name), Value: aws.Float64(value), Unit: unit, Timestamp: aws.Time(at)}
		for i := 0; i+1 < len(dims); i += 2 {
			d.Dimensions = append(d.Dimensions, types.Dimension{Name: aws.String(dims[i]), Value: aws.String(dims[i+1])})
		}
		data = append(data, d)
	}
	// errs counts errors by account and region; unlisted marks those whose API list failed.
	type place struct{ account, region string }
	errs, unlisted := map[place]int{}, map[place]bool{}
	for _, e := range rep.Errors {
		errs[place{e.AccountID, e.Region}]++
		if e.LeavesRegionUnread() {
			unlisted[place{e.AccountID, e.Region}] = true
		}
	}
	scopes := []scope{{has: func(string, string) bool { return true }}}
	if !opts.Organization && len(rep.Regions) > 1 {
		for _, region := range rep.Regions {
			scopes = append(scopes, scope{dims: []string{DimRegion, region}, has: func(_, r string) bool { return r == region }})
		}
	}
	for _, sc := range scopes {
		scopeErrs, anyListed, apis := 0, false, 0
		for p, n := range errs {
			if sc.has(p.account, p.region) {
				scopeErrs += n
			}
		}
		for _, account := range rep.Accounts {
			for _, region := range rep.Regions {
				if sc.has(account, region) && !unlisted[place{account, region}] {
					anyListed = true
				}
			}
		}
		if sc.dims == nil {
			apis = rep.Summary.APIsScanned
		} else {
			for _, api := range rep.APIs {
				if sc.has(api.Account, api.Region) {
					apis++
				}
			}
		}
		if scopeErrs == 0 {
			byCheck, bySeverity := map[string]int{}, map[checks.Severity]int{}
			for _, f := range rep.Findings {
				if sc.has(f.AccountID, f.Region) {
					byCheck[f.Check]++
					bySeverity[f.Severity]++
				}
			}
			for _, c := range rep.Ran {
				add(MetricFindings, float64(byCheck[c.ID]), types.StandardUnitCount, append([]string{DimCheck, c.ID}, sc.dims...)...)
			}
			for _, sev := range []checks.Severity{checks.Critical, checks.Warning, checks.Info} {
				add(MetricFindings, float64(bySeverity[sev]), types.StandardUnitCount, append([]string{DimSeverity, sev.String()}, sc.dims...)...)
			}
		}
		if anyListed {
			add(MetricAPIsScanned, float64(apis), types.StandardUnitCount, sc.dims...)
		}
		complete := 0.0
		if scopeErrs == 0 {
			complete = 1
		}
		add(MetricScanErrors, float64(scopeErrs), types.StandardUnitCount, sc.dims...)
		add(MetricComplete, complete, types.StandardUnitNone, sc.dims...)
		if sc.dims == nil && scopeErrs == 0 && rep.Summary.Changes != nil {
			// What changed since the last complete run, by the same rule as Findings: only
			// for a run that read everything.
			news, gone := map[checks.Severity]int{}, map[checks.Severity]int{}
			for _, f := range rep.NewFindings() {
				news[f.Severity]++
			}
			for _, f := range rep.Resolved {
				gone[f.Severity]++
			}
			for _, sev := range []checks.Severity{checks.Critical, checks.Warning, checks.Info} {
				add(MetricNewFindings, float64(news[sev]), types.StandardUnitCount, DimSeverity, sev.String())
				add(MetricResolved, float64(gone[sev]), types.StandardUnitCount, DimSeverity, sev.String())
			}
		}
		if sc.dims == nil {
			if opts.Organization {
				add(MetricAccountsScanned, float64(rep.Summary.AccountsScanned), types.StandardUnitCount)
			}
			add(MetricScanDuration, duration.Seconds(), types.StandardUnitSeconds)
		}
	}
	if opts.Organization && opts.PerAccount {
		// Each account from its summary: the same rule, an account not read completely has no
		// Findings datum.
		for _, account := range rep.Accounts {
			a := rep.Summary.ByAccount[account]
			dims := []string{DimAccountID, account}
			if a.Complete {
				for _, sev := range []checks.Severity{checks.Critical, checks.Warning, checks.Info} {
					add(MetricFindings, float64(a.BySeverity[sev.String()]), types.StandardUnitCount, append([]string{DimSeverity, sev.String()}, dims...)...)
				}
			}
			complete := 0.0
			if a.Complete {
				complete = 1
			}
			add(MetricScanErrors, float64(a.Errors), types.StandardUnitCount, dims...)
			add(MetricComplete, complete, types.StandardUnitNone, dims...)
		}
	}
	if opts.PerAPI {
		for _, api := range rep.APIs {
			if errs[place{api.Account, api.Region}] == 0 {
				dims := []string{DimRegion, api.Region, DimAPIID, api.ID}
				if opts.Organization {
					dims = append([]string{DimAccountID, api.Account}, dims...)
				}
				add(MetricFindings, float64(api.Findings), types.StandardUnitCount, dims...)
			}
		}
	}
	return data
}

// PutMetrics sends the datums in as few calls as PutMetricData's limits allow: one in the
// common case.
func PutMetrics(ctx context.Context, client MetricsAPI, namespace string, data []types.MetricDatum) error {
	batches := Batches(data)
	for i, batch := range batches {
		if _, err := client.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String(namespace), MetricData: batch}); err != nil {
			return fmt.Errorf("put metric data to %s (batch %d of %d, %d datums): %w", namespace, i+1, len(batches), len(batch), err)
		}
	}
	return nil
}

// Batches splits datums into requests within PutMetricData's limits.
func Batches(data []types.MetricDatum) [][]types.MetricDatum {
	var batches [][]types.MetricDatum
	var cur []types.MetricDatum
	size := 0
	for _, d := range data {
		n := datumSize(d)
		if len(cur) > 0 && (len(cur) == maxDatumsPerCall || size+n > maxBytesPerCall) {
			batches = append(batches, cur)
			cur, size = nil, 0
		}
		cur = append(cur, d)
		size += n
	}
	if len(cur) > 0 {
		batches = append(batches, cur)
	}
	return batches
}

// datumSize over-estimates a datum's share of a request: its JSON form is larger than the CBOR
// the SDK sends and close to the query protocol's form.
func datumSize(d types.MetricDatum) int {
	b, _ := json.Marshal(d)
	return len(b) + 64
}
