// Package audit is the one core both entry points call: it builds the AWS clients from a
// Config, collects the inventory of every region, runs the checks and builds the report.
package audit

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go/logging"

	"github.com/apigw-drift/driftaudit/pkg/accounts"
	"github.com/apigw-drift/driftaudit/pkg/checks"
	"github.com/apigw-drift/driftaudit/pkg/inventory"
	"github.com/apigw-drift/driftaudit/pkg/quota"
	"github.com/apigw-drift/driftaudit/pkg/report"
	"github.com/apigw-drift/driftaudit/pkg/suppress"
)

// Config is what one audit needs to know, whichever entry point parsed it.
type Config struct {
	// Regions to scan; empty means the SDK's configured region.
	Regions []string
	// EndpointURL sends every AWS call to one endpoint (an emulator); empty means AWS.
	EndpointURL string
	// Profile is the AWS shared-config profile to load; empty means the SDK's default chain
	// (AWS_PROFILE, then the default profile).
	Profile string
	// Limits are the client-side API Gateway quotas, per region.
	Limits quota.Limits
	// Concurrency bounds the calls in flight per region.
	Concurrency int
	// MaxAttempts bounds the tries of one call, the first included; MaxBackoff bounds the wait
	// before a retry.
	MaxAttempts int
	MaxBackoff  time.Duration
	// AttemptTimeout bounds one try of one call, so that a dead endpoint cannot hang a run.
	AttemptTimeout time.Duration
	Checks         checks.Config
	// Selection picks the checks that run and overrides severities.
	Selection checks.Selection
	// Suppressions silence findings with a reason (nil for none); the tag always applies.
	Suppressions *suppress.Set
	// PartOfRun says this audit is one part of a larger run (an organization run's account and
	// region): a suppression that matches nothing here may match in another part, so the
	// report says nothing of stale suppressions and whoever joins the parts does.
	PartOfRun bool
	// Accounts lists the accounts to audit; with Organization, every ACTIVE account of the
	// caller's organization is. Neither means the caller's own account. Every account but the
	// caller's is read through sts:AssumeRole of RoleName (with ExternalID, if set).
	Accounts     []string
	Organization bool
	RoleName     string
	ExternalID   string
	// MaxAccountsInFlight bounds the accounts read at once; each account and region has quota
	// buckets of its own, as API Gateway's quotas are per account and region.
	MaxAccountsInFlight int
	// Progress, when set, watches the scan of Scan and Audit (every account, read in parallel,
	// reports to it at once): see inventory.Progress. nil watches nothing, at no cost.
	Progress inventory.Progress
}

// DefaultMaxAccountsInFlight is how many accounts an audit reads at once by default.
const DefaultMaxAccountsInFlight = 8

// DefaultConfig is an audit of the configured region at API Gateway's quotas.
func DefaultConfig() Config {
	return Config{
		Limits:         quota.APIGatewayDefaults(),
		Concurrency:    inventory.DefaultConcurrency,
		MaxAttempts:    6,
		MaxBackoff:     10 * time.Second,
		AttemptTimeout: 30 * time.Second,
		Checks:         checks.DefaultConfig(),

		RoleName:            accounts.DefaultRoleName,
		MaxAccountsInFlight: DefaultMaxAccountsInFlight,
	}
}

// Validate reports the first setting that cannot work, naming it.
func (c Config) Validate() error {
	for _, r := range c.Regions {
		if !validRegion(r) {
			return fmt.Errorf("region %q is not a region name (like eu-west-1)", r)
		}
	}
	if c.EndpointURL != "" {
		u, err := url.Parse(c.EndpointURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("endpoint URL %q is not an http(s) URL", c.EndpointURL)
		}
	}
	if err := c.Limits.Validate(); err != nil {
		return err
	}
	switch {
	case c.Concurrency < 1:
		return fmt.Errorf("concurrency must be at least 1, not %d", c.Concurrency)
	case c.MaxAttempts < 1:
		return fmt.Errorf("max attempts must be at least 1, not %d", c.MaxAttempts)
	case c.MaxBackoff <= 0:
		return fmt.Errorf("max backoff must be positive, not %s", c.MaxBackoff)
	case c.AttemptTimeout <= 0:
		return fmt.Errorf("attempt timeout must be positive, not %s", c.AttemptTimeout)
	case strings.TrimSpace(c.Checks.CORSTag) == "":
		return errors.New("the CORS tag name must not be empty")
	}
	for _, t := range c.Checks.AllowedEndpointTypes {
		if t != "EDGE" && t != "REGIONAL" && t != "PRIVATE" {
			return fmt.Errorf("endpoint type %q is not EDGE, REGIONAL or PRIVATE", t)
		}
	}
	if _, err := checks.SelectFor(checks.All(), c.Selection, c.Checks); err != nil {
		return err
	}
	return c.validateAccounts()
}

func (c Config) validateAccounts() error {
	if c.Organization && len(c.Accounts) > 0 {
		return errors.New("accounts and organization exclude each other: name the accounts, or take every account of the organization")
	}
	for _, id := range c.Accounts {
		if err := accounts.ValidateID(id); err != nil {
			return err
		}
	}
	if err := accounts.ValidateRoleName(c.RoleName); err != nil {
		return err
	}
	if c.MaxAccountsInFlight < 1 {
		return fmt.Errorf("max accounts in flight must be at least 1, not %d", c.MaxAccountsInFlight)
	}
	return nil
}

func validRegion(r string) bool {
	if len(r) < 6 || len(r) > 30 || strings.Count(r, "-") < 2 {
		return false
	}
	for _, c := range r {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// LoadAWSConfig loads the SDK configuration (credentials and region from the usual chain) with
// the retry, timeout and endpoint settings of c. It contacts nothing.
func LoadAWSConfig(ctx context.Context, c Config) (aws.Config, error) {
	opts := []func(*config.LoadOptions) error{
		config.WithRetryer(c.retryer),
		config.WithHTTPClient(awshttp.NewBuildableClient().WithTimeout(c.AttemptTimeout)),
		// The SDK's own warnings (an IMDS fallback, say) would break the one-line error
		// promise; every failure it meets reaches the caller as an error anyway.
		config.WithLogger(logging.Nop{}),
	}
	if len(c.Regions) > 0 {
		opts = append(opts, config.WithRegion(c.Regions[0]))
	}
	if c.Profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(c.Profile))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("load AWS configuration: %w", err)
	}
	if c.EndpointURL != "" {
		cfg.BaseEndpoint = aws.String(c.EndpointURL)
	}
	return cfg, nil
}

// retryer retries with jittered exponential backoff, at most MaxAttempts tries in all.
func (c Config) retryer() aws.Retryer {
	return retry.NewStandard(func(o *retry.StandardOptions) {
		o.MaxAttempts = c.MaxAttempts
		o.MaxBackoff = c.MaxBackoff
		// The quota limiter paces the calls; the SDK's retry token bucket would only turn a
		// burst of throttling into failures.
		o.RateLimiter = ratelimit.None
	})
}

// Regions resolves the regions to scan: the configured ones, else the SDK's region.
func Regions(c Config, cfg aws.Config) ([]string, error) {
	if len(c.Regions) > 0 {
		return slices.Compact(slices.Sorted(slices.Values(c.Regions))), nil
	}
	if cfg.Region == "" {
		return nil, errors.New("no region to scan: pass --region or set AWS_REGION (or a region in the AWS profile)")
	}
	return []string{cfg.Region}, nil
}

// ErrNothingScanned means no region could even be listed: the audit did not run at all.
var ErrNothingScanned = errors.New("no region could be scanned")

// Scan collects the inventory of every account and region. It fails only when nothing at all
// could be read; partial failures are recorded in the inventory. The inventory is whole: Audit
// is the way to audit a live account without holding it.
func Scan(ctx context.Context, c Config, cfg aws.Config) (*inventory.Inventory, error) {
	return scan(ctx, c, cfg, nil)
}

// onAPI is called with each REST API as soon as it is read.
type onAPI func(account, region string, api *inventory.API)

func scan(ctx context.Context, c Config, cfg aws.Config, judge onAPI) (*inventory.Inventory, error) {
	regions, err := Regions(c, cfg)
	if err != nil {
		return nil, err
	}
	// The scan's clients take their retries and attempt timeout from c, whatever the SDK
	// configuration carries, so that the same policy holds for the CLI, the Lambda and tests.
	httpClient := awshttp.NewBuildableClient().WithTimeout(c.AttemptTimeout)
	stsClient := sts.NewFromConfig(cfg, func(o *sts.Options) { o.Retryer, o.HTTPClient = c.retryer(), httpClient })
	caller, err := accounts.WhoAmI(ctx, stsClient)
	var warnings []string
	if err != nil {
		if c.Organization || len(c.Accounts) > 0 {
			// Without the caller there is no partition to name the member roles in, and an
			// STS that cannot answer this cannot assume them either.
			return nil, err
		}
		// The account id only labels the report; the audit goes on without it, and says so.
		warnings = append(warnings, "the account id could not be read ("+strings.Join(strings.Fields(err.Error()), " ")+"); the report names no account")
	}
	targets := c.Accounts
	switch {
	case c.Organization:
		orgs := organizations.NewFromConfig(cfg, func(o *organizations.Options) { o.Retryer, o.HTTPClient = c.retryer(), httpClient })
		if targets, err = accounts.Organization(ctx, orgs); err != nil {
			return nil, err
		}
	case len(targets) == 0:
		targets = []string{caller.Account}
	default:
		targets = slices.Compact(slices.Sorted(slices.Values(targets)))
	}
	if c.Progress != nil {
		c.Progress.Planned(len(targets), len(regions))
	}
	roles := accounts.Roles{Caller: caller, RoleName: c.RoleName, ExternalID: c.ExternalID, STS: stsClient, Own: cfg.Credentials}

	parts := make([]*inventory.Inventory, len(targets))
	var wg sync.WaitGroup
	sem := make(chan struct{}, max(c.MaxAccountsInFlight, 1))
	for i, account := range targets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
				defer func() { <-sem }()
				parts[i] = scanAccount(ctx, c, cfg, roles, account, regions, httpClient, judge)
			case <-ctx.Done():
				// Too late to start: every region of the account is recorded as not read.
				parts[i] = unreadAccount(c.Progress, account, regions, inventory.OpScan, "not read: "+ctx.Err().Error())
			}
		}()
	}
	wg.Wait()

	inv := &inventory.Inventory{SchemaVersion: inventory.SchemaVersion, CollectedAt: time.Now().UTC(), Warnings: warnings}
	if len(targets) == 1 {
		inv.AccountID = targets[0]
	}
	for _, p := range parts {
		inv.Regions = append(inv.Regions, p.Regions...)
		inv.Warnings = append(inv.Warnings, p.Warnings...)
		if p.CollectedAt.Before(inv.CollectedAt) {
			inv.CollectedAt = p.CollectedAt
		}
	}
	var failures []string
	for _, r := range inv.Regions {
		if !slices.Contains(r.Unread, inventory.OpGetRestApis) {
			return inv, nil
		}
		for _, e := range r.Errors {
			if e.Operation == inventory.OpGetRestApis || e.Operation == inventory.OpAssumeRole {
				failures = append(failures, e.Message)
			}
		}
	}
	msg := strings.Join(slices.Compact(failures), "; ")
	if strings.Contains(msg, "get credentials") {
		msg = "no usable AWS credentials (set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY): " + msg
	}
	return inv, fmt.Errorf("%w: %s", ErrNothingScanned, msg)
}

// scanAccount reads the regions of one account, with the account's own quota buckets in each
// region. A member role that cannot be assumed leaves the whole account unread, with an
// AssumeRole error in each region: nothing of it is judged, and no other account is touched.
func scanAccount(ctx context.Context, c Config, cfg aws.Config, roles accounts.Roles, account string, regions []string, httpClient *awshttp.BuildableClient, judge onAPI) *inventory.Inventory {
	creds, assumed := roles.For(account)
	if assumed {
		if err := ctx.Err(); err != nil {
			return unreadAccount(c.Progress, account, regions, inventory.OpAssumeRole, "not read: "+err.Error())
		}
		// Assume once, up front: a denied role is one clear error, not one per call.
		if _, err := creds.Retrieve(ctx); err != nil {
			return unreadAccount(c.Progress, account, regions, inventory.OpAssumeRole, roles.AssumeError(account, err))
		}
		cfg = cfg.Copy()
		cfg.Credentials = creds
	}
	clientsFor := func(region string) inventory.Clients { return regionClients(c, cfg, account, region, httpClient) }
	opts := inventory.Options{Concurrency: c.Concurrency, Progress: c.Progress}
	if judge != nil {
		opts.OnAPI = func(region string, api *inventory.API) { judge(account, region, api) }
	}
	return inventory.Collect(ctx, account, regions, clientsFor, opts)
}

// unreadAccount is an account of which nothing could be read: each region unread, with the
// reason as an error of operation op. Each of its regions is done for progress, never started.
func unreadAccount(progress inventory.Progress, account string, regions []string, op, message string) *inventory.Inventory {
	inv := &inventory.Inventory{AccountID: account, CollectedAt: time.Now().UTC()}
	for _, name := range regions {
		inv.Regions = append(inv.Regions, inventory.UnreadRegion(account, name, inventory.ScanError{AccountID: account, Region: name, Operation: op, Message: message}))
		if progress != nil {
			progress.RegionDone(account, name)
		}
	}
	return inv
}

// Audit scans the account and evaluates it, holding no more of it than the checks need: each
// API is judged by the per-API checks as soon as it is read, then slimmed to what the
// region-wide checks (usage plans, custom domains) read, which run once every region is read.
// Its report is the one Scan and Evaluate give (TestAuditEqualsScanThenEvaluate); its memory
// grows with the number of APIs and stages, not with their resources. It fails, with the report
// of what was read, only when nothing at all could be read.
func Audit(ctx context.Context, c Config, cfg aws.Config, now time.Time) (*report.Report, error) {
	selected, err := checks.SelectFor(checks.All(), c.Selection, c.Checks)
	if err != nil {
		return nil, err
	}
	// Each API's findings are kept as they come and joined once, at their exact size, so that
	// the list is never held with a growing slice's spare room on top.
	var mu sync.Mutex
	var chunks [][]checks.Finding
	judge := func(account, region string, api *inventory.API) {
		fs := slices.Clone(checks.RunAPI(account, region, api, selected, c.Checks)) // at its exact size
		api.Slim()
		mu.Lock()
		chunks = append(chunks, fs)
		mu.Unlock()
	}
	inv, scanErr := scan(ctx, c, cfg, judge)
	if inv == nil {
		return nil, scanErr
	}
	perAPI, regionWide := checks.SplitByScope(selected)
	chunks = append(chunks, checks.Run(inv, regionWide, c.Checks))
	// HTTP and WebSocket APIs are small (routes, stages): the per-API checks judge them once
	// every region is read, on regions that hold only them.
	v2 := &inventory.Inventory{}
	for _, r := range inv.Regions {
		v2.Regions = append(v2.Regions, inventory.Region{Account: r.Account, Name: r.Name, V2APIs: r.V2APIs})
	}
	chunks = append(chunks, checks.Run(v2, perAPI, c.Checks))
	return evaluate(inv, c, now, selected, slices.Concat(chunks...)), scanErr
}

// Evaluate runs the selected checks over an inventory, applies severity overrides and
// suppressions, and builds the report. now decides which suppressions have expired.
func Evaluate(inv *inventory.Inventory, c Config, now time.Time) (*report.Report, error) {
	selected, err := checks.SelectFor(checks.All(), c.Selection, c.Checks)
	if err != nil {
		return nil, err
	}
	return evaluate(inv, c, now, selected, checks.Run(inv, selected, c.Checks)), nil
}

func evaluate(inv *inventory.Inventory, c Config, now time.Time, selected []checks.Check, findings []checks.Finding) *report.Report {
	c.Selection.Apply(findings)
	tags := map[string]map[string]string{}
	for _, r := range inv.Regions {
		for _, api := range r.APIs {
			tags[suppress.TagKey(r.Account, r.Name, api.ID)] = api.Tags
		}
	}
	out := suppress.Apply(findings, tags, c.Suppressions, now)
	rep := report.Build(inv, selected, out.Findings, now)
	rep.Suppressed, rep.Warnings = out.Suppressed, append(slices.Clone(inv.Warnings), out.Warnings...)
	for i := range rep.Suppressed {
		rep.Suppressed[i].ID = checks.Fingerprint(rep.Suppressed[i].Finding)
	}
	// A critical check left out with its family, not by its own name, is said where the reader
	// looks: --disable hygiene drops secrets-in-stage-variables, which nobody asked for by name.
	for _, chk := range checks.All() {
		if chk.Severity == checks.Critical && slices.Contains(rep.NotRun, chk.ID) &&
			slices.Contains(c.Selection.Disable, chk.Family) && !slices.Contains(c.Selection.Disable, chk.ID) {
			rep.Warnings = append(rep.Warnings, fmt.Sprintf("critical check %s (%s: %s) did not run, disabled with its family %s: its findings cannot appear in this report", chk.ID, chk.Family, chk.Title, chk.Family))
		}
	}
	rep.Summary.Suppressed = len(out.Suppressed)
	if rep.Summary.Complete && !c.PartOfRun { // what was not read may hold an entry's finding
		rep.Warnings = append(rep.Warnings, c.Suppressions.Stale(rep.Findings, rep.Suppressed, selected)...)
	}
	return rep
}
