package bench

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/apigw-drift/driftaudit/pkg/checks"
	"github.com/apigw-drift/driftaudit/pkg/quota"
)

// Prices are the public us-east-1 list prices the projection assumes (PricesAsOf), before any
// free tier. They change: check them before relying on the projection.
const (
	PricesAsOf = "December 2026"

	LambdaPerGBSecond = 0.0000133334 // arm64
	LambdaPerRequest  = 0.20 / 1e6
	// Step Functions Standard, per state transition.
	StatesPerTransition = 0.025 / 1000
	// S3 Standard: PUT, COPY, POST and LIST requests; GET requests.
	S3PerPutOrList = 0.005 / 1000
	S3PerGet       = 0.0004 / 1000
	// CloudWatch: PutMetricData requests; custom metrics, per metric-month (first 10,000).
	CloudWatchPerRequest     = 0.01 / 1000
	CloudWatchPerMetricMonth = 0.30
)

// The nightly organization mode's fixed parts, as statemachine/ and pkg/nightly have them.
const (
	// ChildTransitions are the state transitions billed per item: the Distributed Map starting
	// the child execution, the child's Scan task, and its end.
	ChildTransitions = 3
	// ParentTransitions are the parent execution's: its start, Plan, ScanAll (Parallel),
	// ScanEach (Map), Join and Done.
	ParentTransitions = 6
	// PerAccountMetrics are added for each account with PER_ACCOUNT_METRICS: Findings by
	// severity (3), ScanErrors and Complete.
	PerAccountMetrics = 5
	// ResultWriterPuts are the Distributed Map's ResultWriter objects: a manifest and one file
	// of succeeded results (the items' summaries are small).
	ResultWriterPuts = 2
	// nightsPerMonth turns a night into a month.
	nightsPerMonth = 30
)

// OrgMetrics is the number of organization totals the join publishes: Findings by each check
// and by 3 severities, Complete, ScanErrors, ApisScanned, AccountsScanned and
// ScanDurationSeconds (30 with the 22 checks).
func OrgMetrics() int { return len(checks.All()) + 3 + 5 }

// Projection is the nightly organization mode on AWS Step Functions for Accounts x Regions
// items, Concurrency scanner Lambdas of MemoryMB at once, one (account, region) per item, at
// API Gateway's real quotas: an item takes LowerBound(ItemCalls) x Ratio, the ratio the
// benchmark measured.
type Projection struct {
	Accounts, Regions, Concurrency int
	MemoryMB                       int
	Ratio                          float64
	// Item is the measured scope taken as typical (the slowest), ItemCalls its calls.
	Item      Scope
	ItemCalls map[string]int
}

// Night is what a projected night costs.
type Night struct {
	Items          int
	ItemBound      time.Duration // LowerBound of the item's calls at the real quotas
	ItemTime       time.Duration // ItemBound x Ratio
	Wall           time.Duration // the items on Concurrency Lambdas: FloorOf
	GBSeconds      float64
	Invocations    int // scanners, the planner and the join
	Transitions    int
	S3Puts, S3List int
	S3Gets         int
	MetricRequests int // PutMetricData calls, without per-account metrics
	// MetricRequestsPerAccount is the same with PER_ACCOUNT_METRICS (1,000 datums a call).
	MetricRequestsPerAccount int
	// Dollars per night.
	Lambda, Requests, States, S3, CloudWatch float64
	CloudWatchPerAccount                     float64
}

// Total is the night's usage cost, without custom metrics (billed by the month).
func (n Night) Total() float64 { return n.Lambda + n.Requests + n.States + n.S3 + n.CloudWatch }

// Night computes the projection.
func (p Projection) Night() Night {
	n := Night{Items: p.Accounts * p.Regions}
	n.ItemBound = LowerBound(p.ItemCalls, quota.APIGatewayDefaults())
	n.ItemTime = time.Duration(float64(n.ItemBound) * p.Ratio)
	jobs := make([]time.Duration, n.Items)
	for i := range jobs {
		jobs[i] = n.ItemTime
	}
	n.Wall = FloorOf(jobs, p.Concurrency).Floor
	n.GBSeconds = float64(n.Items) * n.ItemTime.Seconds() * float64(p.MemoryMB) / 1024
	n.Invocations = n.Items + 2
	n.Transitions = n.Items*ChildTransitions + ParentTransitions
	n.S3Puts = 1 + n.Items + 1 + ResultWriterPuts // plan, items, the merged report, ResultWriter
	n.S3List = (n.Items + 999) / 1000             // ListObjectsV2 pages of the items
	n.S3Gets = 1 + 1 + n.Items                    // the map's ItemReader, the join's plan, the items
	n.MetricRequests = (OrgMetrics() + 999) / 1000
	n.MetricRequestsPerAccount = (OrgMetrics() + PerAccountMetrics*p.Accounts + 999) / 1000
	n.Lambda = n.GBSeconds * LambdaPerGBSecond
	n.Requests = float64(n.Invocations) * LambdaPerRequest
	n.States = float64(n.Transitions) * StatesPerTransition
	n.S3 = float64(n.S3Puts+n.S3List)*S3PerPutOrList + float64(n.S3Gets)*S3PerGet
	n.CloudWatch = float64(n.MetricRequests) * CloudWatchPerRequest
	n.CloudWatchPerAccount = float64(n.MetricRequestsPerAccount) * CloudWatchPerRequest
	return n
}

// Report prints the projection with its arithmetic.
func (p Projection) Report() string {
	n := p.Night()
	var b strings.Builder
	total := 0
	for _, c := range p.ItemCalls {
		total += c
	}
	fmt.Fprintf(&b, "Projection: %s accounts x %d regions = %s items, %d scanner Lambdas of %d MB at once, real quotas; prices: us-east-1 list, %s\n",
		thousands(p.Accounts), p.Regions, thousands(n.Items), p.Concurrency, p.MemoryMB, PricesAsOf)
	fmt.Fprintf(&b, "  item (as measured %s %s): %d calls (GetResources %d); at 10/s after a burst of 40, GetResources 5 per 2 s: %.1f s; x ratio %.2f = %.1f s\n",
		p.Item.Account, p.Item.Region, total, p.ItemCalls["GetResources"], n.ItemBound.Seconds(), p.Ratio, n.ItemTime.Seconds())
	fmt.Fprintf(&b, "  night: %s items x %.1f s / %d at once = %.0f s (%.1f min)\n", thousands(n.Items), n.ItemTime.Seconds(), p.Concurrency, n.Wall.Seconds(), n.Wall.Minutes())
	fmt.Fprintf(&b, "  Lambda: %s x %.1f s x %.3f GB = %.0f GB-s x $%.10f = $%.4f; %s requests x $0.20/M = $%.4f\n",
		thousands(n.Items), n.ItemTime.Seconds(), float64(p.MemoryMB)/1024, n.GBSeconds, LambdaPerGBSecond, n.Lambda, thousands(n.Invocations), n.Requests)
	fmt.Fprintf(&b, "  Step Functions: %s x %d + %d = %s transitions x $0.025/1,000 = $%.4f\n",
		thousands(n.Items), ChildTransitions, ParentTransitions, thousands(n.Transitions), n.States)
	fmt.Fprintf(&b, "  S3: %s PUT + %d LIST x $0.005/1,000 + %s GET x $0.0004/1,000 = $%.4f\n", thousands(n.S3Puts), n.S3List, thousands(n.S3Gets), n.S3)
	fmt.Fprintf(&b, "  CloudWatch PutMetricData: %d request x $0.01/1,000 = $%.5f (with PER_ACCOUNT_METRICS: %d requests, $%.5f)\n",
		n.MetricRequests, n.CloudWatch, n.MetricRequestsPerAccount, n.CloudWatchPerAccount)
	fmt.Fprintf(&b, "  per night: $%.4f; per month (%d nights): $%.2f\n", n.Total(), nightsPerMonth, n.Total()*nightsPerMonth)
	org, perAccount := OrgMetrics(), PerAccountMetrics*p.Accounts
	fmt.Fprintf(&b, "  custom metrics: %d x $0.30 = $%.2f a month at list price (about $%.2f prorated to one datum a night); with PER_ACCOUNT_METRICS %s more: $%s a month (about $%.2f prorated)\n",
		org, float64(org)*CloudWatchPerMetricMonth, float64(org)*CloudWatchPerMetricMonth/24,
		thousands(perAccount), thousands(int(math.Round(float64(perAccount)*CloudWatchPerMetricMonth))), float64(perAccount)*CloudWatchPerMetricMonth/24)
	return b.String()
}
