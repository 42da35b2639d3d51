package bench

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"golang.org/x/sync/errgroup"

	"github.com/apigw-drift/driftaudit/internal/awsemu"
	"github.com/apigw-drift/driftaudit/internal/seed"
	"github.com/apigw-drift/driftaudit/pkg/quota"
)

// Scope is one account in one region. API Gateway's quotas are per scope, and so are the
// shim's buckets and driftaudit's.
type Scope struct{ Account, Region string }

func compareScopes(a, b Scope) int {
	return cmp.Or(strings.Compare(a.Account, b.Account), strings.Compare(a.Region, b.Region))
}

// OrgSpec is an organization to seed: the management account and Members member accounts,
// each with APIs REST APIs (SeedAccount's shape) in each of Regions.
type OrgSpec struct {
	Members int
	Regions []string
	APIs    int
	// MaxResources caps each API's resources (0: SeedAccount's 5 to 300), to seed faster.
	MaxResources int
	// Workers is how many scopes are seeded at once, each by two API workers.
	Workers int
}

// Org is a seeded organization.
type Org struct {
	Management string
	// Accounts are every account of the organization, the management account included, sorted.
	Accounts []string
	Regions  []string
	// Shapes are what each scope holds; every scope is seeded from the same random seed, so
	// they are alike.
	Shapes   map[Scope]Shape
	SeedTime time.Duration
}

// APIs is the number of REST APIs seeded across the organization.
func (o *Org) APIs() int {
	n := 0
	for _, s := range o.Shapes {
		n += s.APIs
	}
	return n
}

// SeedOrganization makes the caller of cfg (the shim's default account) the management account
// of an organization of spec.Members new members, and seeds every account in every region.
func SeedOrganization(ctx context.Context, cfg aws.Config, spec OrgSpec) (*Org, error) {
	start := time.Now()
	members, err := seed.Organization(ctx, cfg, spec.Members)
	if err != nil {
		return nil, err
	}
	org := &Org{Management: awsemu.DefaultAccount, Accounts: slices.Sorted(slices.Values(append([]string{awsemu.DefaultAccount}, members...))),
		Regions: spec.Regions, Shapes: map[Scope]Shape{}}
	configs := map[string]aws.Config{org.Management: cfg}
	for _, m := range members {
		if configs[m], err = seed.Member(ctx, cfg, m); err != nil {
			return nil, err
		}
	}
	shapes := make([]Shape, len(org.Accounts)*len(spec.Regions))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(spec.Workers, 1))
	for i, account := range org.Accounts {
		for j, region := range spec.Regions {
			g.Go(func() error {
				c := configs[account].Copy()
				c.Region = region
				shape, err := seedAccount(gctx, apigateway.NewFromConfig(c), spec.APIs, fmt.Sprintf("o%02dr%d", i, j), 2, spec.MaxResources)
				if err != nil {
					return fmt.Errorf("seed account %s in %s: %w", account, region, err)
				}
				shapes[i*len(spec.Regions)+j] = shape
				return nil
			})
		}
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	for i, account := range org.Accounts {
		for j, region := range spec.Regions {
			org.Shapes[Scope{account, region}] = shapes[i*len(spec.Regions)+j]
		}
	}
	org.SeedTime = time.Since(start)
	return org, nil
}

// Floor is the least time a scan of several accounts can take under the quotas when at most
// Slots accounts are read at once. Each scope starts with full buckets of its own, so scope s
// needs at least T_s = LowerBound(its calls); an account's regions are read in parallel, so
// account a holds a slot for at least T_a = max over its scopes of T_s; and Slots slots give
// at most Slots x wall of slot time, which must cover every account: wall >= sum T_a / Slots.
// No schedule beats max(max T_a, sum T_a / Slots).
type Floor struct {
	Slots int
	// Longest is max T_a, the slowest account alone; Sum is sum T_a.
	Longest, Sum time.Duration
	Floor        time.Duration
}

// FloorOf is the Floor of jobs of the given least durations on slots slots.
func FloorOf(jobs []time.Duration, slots int) Floor {
	f := Floor{Slots: max(slots, 1)}
	for _, t := range jobs {
		f.Longest = max(f.Longest, t)
		f.Sum += t
	}
	f.Floor = max(f.Longest, f.Sum/time.Duration(f.Slots))
	return f
}

// OrgFloor is the Floor of an organization whose scopes made calls (by operation, retries not
// included) under limits, with at most inFlight accounts read at once.
func OrgFloor(calls map[Scope]map[string]int, l quota.Limits, inFlight int) Floor {
	perAccount := map[string]time.Duration{}
	for s, c := range calls {
		perAccount[s.Account] = max(perAccount[s.Account], LowerBound(c, l))
	}
	jobs := make([]time.Duration, 0, len(perAccount))
	for _, t := range perAccount {
		jobs = append(jobs, t)
	}
	return FloorOf(jobs, inFlight)
}

// OrgResult is one measured scan of an organization.
type OrgResult struct {
	Org         *Org
	Scale       float64 // 0: no quotas
	MaxInFlight int
	Limits      quota.Limits
	// Calls are the API Gateway calls by operation, retries included; Scopes the calls that
	// were answered (not throttled) by scope and operation, which the floor counts.
	Calls     map[string]int
	Total     int
	Scopes    map[Scope]map[string]int
	Throttled int // 429s the shim sent
	Failed    int // 5xx answers (none unless faults are injected)
	// Other are the calls to other services: the organization's account list, the caller,
	// the member roles.
	Other map[string]int
	Wall  time.Duration
	Floor Floor
	// EmulatorFloor is how long the emulator alone takes to answer these calls, at the pace
	// it kept without quotas (SetEmulatorPace); zero when not measured.
	EmulatorFloor time.Duration
	// PeakRSS is the driftaudit process's own high-water mark, in bytes.
	PeakRSS int64
	// From the report: the accounts it names, its summary and its size.
	ReportAccounts                       []string
	AccountsScanned, APIs, Errors, Finds int
	ReportBytes                          int
}

// ScanOrg runs the driftaudit binary over every account of org (--organization) in its regions,
// with at most maxInFlight accounts at once, and measures it. With scale > 0, its client-side
// quotas and the shim's (per account and region) are API Gateway's, scale times faster.
func ScanOrg(ctx context.Context, driftaudit string, shim *awsemu.Shim, org *Org, scale float64, maxInFlight int) (OrgResult, error) {
	limits := quota.Limits{}
	if scale > 0 {
		limits = quota.APIGatewayDefaults().Scaled(scale)
		shim.SetThrottle(awsemu.AWSQuotas(scale))
	} else {
		shim.SetThrottle(awsemu.Quotas{})
	}
	shim.ResetLog()
	args := append(scanArgs(shim.URL, org.Regions, limits), "--organization", "--max-accounts-in-flight", fmt.Sprint(maxInFlight))
	run, err := runScan(ctx, driftaudit, args)
	shim.SetThrottle(awsemu.Quotas{})
	if err != nil {
		return OrgResult{}, err
	}
	res := OrgResult{Org: org, Scale: scale, MaxInFlight: maxInFlight, Limits: limits, Calls: map[string]int{}, Scopes: map[Scope]map[string]int{},
		Other: map[string]int{}, Wall: run.Wall, PeakRSS: run.PeakRSS, Throttled: shim.Throttled(),
		ReportAccounts: run.Accounts, AccountsScanned: run.Summary.AccountsScanned, APIs: run.Summary.APIsScanned, Errors: run.Summary.Errors,
		Finds: run.Summary.Findings, ReportBytes: run.ReportBytes}
	for _, r := range shim.Requests() {
		if r.Service != "apigateway" {
			res.Other[r.Service+":"+r.Operation]++
			continue
		}
		res.Calls[r.Operation]++
		res.Total++
		switch {
		case r.Status == 429:
		case r.Status >= 500:
			res.Failed++
		default:
			s := Scope{r.Account, r.Region}
			if res.Scopes[s] == nil {
				res.Scopes[s] = map[string]int{}
			}
			res.Scopes[s][r.Operation]++
		}
	}
	res.Floor = OrgFloor(res.Scopes, limits, maxInFlight)
	return res, nil
}

// Pace is the API Gateway calls answered a second.
func (r OrgResult) Pace() float64 { return float64(r.Total) / max(r.Wall.Seconds(), 1e-9) }

// SetEmulatorPace sets EmulatorFloor from the pace (calls a second) of a scan without quotas.
func (r *OrgResult) SetEmulatorPace(callsPerSecond float64) {
	if callsPerSecond > 0 {
		r.EmulatorFloor = time.Duration(float64(r.Total) / callsPerSecond * float64(time.Second))
	}
}

// Ratio is the wall time over the floor (0 when there is no floor: no quotas).
func (r OrgResult) Ratio() float64 {
	if r.Floor.Floor <= 0 {
		return 0
	}
	return r.Wall.Seconds() / r.Floor.Floor.Seconds()
}

// SlowestScope is the scope whose calls take longest at limits, and those calls: the item
// the projection to AWS's quotas takes as typical.
func (r OrgResult) SlowestScope(l quota.Limits) (Scope, map[string]int) {
	var slowest Scope
	var bound time.Duration = -1
	for _, s := range slices.SortedFunc(maps.Keys(r.Scopes), compareScopes) {
		if t := LowerBound(r.Scopes[s], l); t > bound {
			slowest, bound = s, t
		}
	}
	return slowest, r.Scopes[slowest]
}

// OrgTableHeader is the header of the rows OrgResult.TableRow prints.
const OrgTableHeader = "| accounts | regions | APIs | calls | calls per API | quotas | accounts in flight | wall | floor | ratio | emulator alone | 429s | peak RSS |\n" +
	"|---|---|---|---|---|---|---|---|---|---|---|---|---|\n"

// TableRow is the result as a row of the README's table.
func (r OrgResult) TableRow() string {
	apis := r.Org.APIs()
	quotas, floor, ratio, emulator := "none", "-", "-", "-"
	if r.Scale > 0 {
		quotas, floor, ratio = fmt.Sprintf("x%g", r.Scale), fmt.Sprintf("%.2f s", r.Floor.Floor.Seconds()), fmt.Sprintf("%.2f", r.Ratio())
	}
	if r.EmulatorFloor > 0 {
		emulator = fmt.Sprintf("%.1f s", r.EmulatorFloor.Seconds())
	}
	return fmt.Sprintf("| %d | %d | %s | %s | %.2f | %s | %d | %.2f s | %s | %s | %s | %d | %s |\n",
		len(r.Org.Accounts), len(r.Org.Regions), thousands(apis), thousands(r.Total), float64(r.Total)/float64(max(apis, 1)),
		quotas, r.MaxInFlight, r.Wall.Seconds(), floor, ratio, emulator, r.Throttled, mb(r.PeakRSS))
}

// Report prints the result the way `make bench-org` shows it.
func (r OrgResult) Report() string {
	var b strings.Builder
	apis := r.Org.APIs()
	if r.Scale > 0 {
		fmt.Fprintf(&b, "%d accounts in flight, quotas x%g:\n", r.MaxInFlight, r.Scale)
	} else {
		fmt.Fprintf(&b, "%d accounts in flight, no quotas:\n", r.MaxInFlight)
	}
	fmt.Fprintf(&b, "  API Gateway calls: %d = %.2f per API (%s)\n", r.Total, float64(r.Total)/float64(max(apis, 1)), joinCounts(r.Calls))
	fmt.Fprintf(&b, "  other calls: %s\n", joinCounts(r.Other))
	fmt.Fprintf(&b, "  scopes answered: %d of %d; report: %d accounts (%d named), %d APIs of %d, %d findings, %d scan errors, %s\n",
		len(r.Scopes), len(r.Org.Shapes), r.AccountsScanned, len(r.ReportAccounts), r.APIs, apis, r.Finds, r.Errors, mb(int64(r.ReportBytes)))
	if r.Scale > 0 {
		f := r.Floor
		fmt.Fprintf(&b, "  floor: max(slowest account %.3fs, sum over accounts %.3fs / %d in flight = %.3fs) = %.3fs\n",
			f.Longest.Seconds(), f.Sum.Seconds(), f.Slots, (f.Sum / time.Duration(f.Slots)).Seconds(), f.Floor.Seconds())
		fmt.Fprintf(&b, "  wall %.2fs; ratio to the floor %.2f\n", r.Wall.Seconds(), r.Ratio())
		if r.EmulatorFloor > 0 {
			fmt.Fprintf(&b, "  the emulator alone, at its pace without quotas: %.2fs\n", r.EmulatorFloor.Seconds())
		}
	} else {
		fmt.Fprintf(&b, "  wall %.2fs without quotas: the emulator's own pace, %.0f API Gateway calls a second\n", r.Wall.Seconds(), r.Pace())
	}
	fmt.Fprintf(&b, "  429s %d, other errors %d; peak RSS of driftaudit %s\n", r.Throttled, r.Failed, mb(r.PeakRSS))
	return b.String()
}

// joinCounts writes counts by name, sorted by name.
func joinCounts(counts map[string]int) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(counts)) {
		parts = append(parts, fmt.Sprintf("%s %d", k, counts[k]))
	}
	return strings.Join(parts, ", ")
}

// CheckOrgCalls compares each scope's answered calls with what its shape should cost
// (ExpectedCalls), and says how they differ; "" when every scope matches.
func CheckOrgCalls(r OrgResult) string {
	var diffs []string
	for _, s := range slices.SortedFunc(maps.Keys(r.Org.Shapes), compareScopes) {
		if want := nonZero(r.Org.Shapes[s].ExpectedCalls()); !maps.Equal(r.Scopes[s], want) {
			diffs = append(diffs, fmt.Sprintf("%s %s: calls %v, want %v", s.Account, s.Region, r.Scopes[s], want))
		}
	}
	for s := range r.Scopes {
		if _, ok := r.Org.Shapes[s]; !ok {
			diffs = append(diffs, fmt.Sprintf("calls in %s %s, which was not seeded", s.Account, s.Region))
		}
	}
	return strings.Join(diffs, "; ")
}

// nonZero is counts without its zeros.
func nonZero(counts map[string]int) map[string]int {
	maps.DeleteFunc(counts, func(_ string, n int) bool { return n == 0 })
	return counts
}
