package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/spf13/cobra"

	"github.com/apigw-drift/driftaudit/pkg/audit"
	"github.com/apigw-drift/driftaudit/pkg/checks"
	"github.com/apigw-drift/driftaudit/pkg/inventory"
	"github.com/apigw-drift/driftaudit/pkg/report"
	"github.com/apigw-drift/driftaudit/pkg/suppress"
)

// scanFlags are the flags that say what to read and how: scan and inventory share them.
type scanFlags struct {
	regions  listFlag
	accounts listFlag
	endpoint string
	profile  string
	timeout  time.Duration
	conf     audit.Config
	progress progressFlags
}

func (s *scanFlags) register(cmd *cobra.Command) {
	s.conf = audit.DefaultConfig()
	s.regions.what, s.accounts.what = "region", "account id"
	fs := cmd.Flags()
	fs.Var(&s.regions, "region", "`REGION` to read (repeatable, or comma-separated; default: the AWS SDK's configured region)")
	fs.StringVar(&s.profile, "profile", "", "the AWS shared-config `PROFILE` to take credentials and region from (default: AWS_PROFILE, or the default chain)")
	fs.StringVar(&s.endpoint, "endpoint-url", "", "send every AWS call to this `URL` (an emulator) instead of AWS")
	group(cmd, groupScope, "region", "profile", "endpoint-url")
	fs.Var(&s.accounts, "accounts", "audit these `ACCOUNTS` (repeatable, comma-separated 12-digit ids), each through --role-name; the caller's own account with its own credentials")
	fs.BoolVar(&s.conf.Organization, "organization", false, "audit every ACTIVE account of the caller's organization (the caller is the management account or a delegated administrator)")
	fs.StringVar(&s.conf.RoleName, "role-name", s.conf.RoleName, "the read-only `ROLE` assumed in each audited account (deploy/member-role.yaml)")
	fs.StringVar(&s.conf.ExternalID, "external-id", "", "the external `ID` the member role requires, if any")
	fs.IntVar(&s.conf.MaxAccountsInFlight, "max-accounts-in-flight", s.conf.MaxAccountsInFlight, "`N` accounts read at once; each account and region has its own quota buckets")
	group(cmd, groupAccounts, "accounts", "organization", "role-name", "external-id", "max-accounts-in-flight")
	fs.Float64Var(&s.conf.Limits.Rate, "rate", s.conf.Limits.Rate, "at most `N` API Gateway calls per second per region; lower it to leave headroom for other tools, 0 to not pace at all (an emulator)")
	fs.IntVar(&s.conf.Limits.Burst, "burst", s.conf.Limits.Burst, "`N` API Gateway calls allowed in a burst per region")
	fs.Float64Var(&s.conf.Limits.GetResourcesRate, "getresources-rate", s.conf.Limits.GetResourcesRate, "at most `N` GetResources calls per second per region (0: not paced)")
	fs.IntVar(&s.conf.Limits.GetResourcesBurst, "getresources-burst", s.conf.Limits.GetResourcesBurst, "`N` GetResources calls allowed in a burst per region")
	fs.IntVar(&s.conf.Concurrency, "concurrency", s.conf.Concurrency, "`N` API Gateway calls in flight per region")
	fs.DurationVar(&s.timeout, "timeout", 0, "stop starting calls after this `DURATION` (e.g. 5m) and report what was read, marked incomplete (default: no limit)")
	group(cmd, groupPace, "rate", "burst", "getresources-rate", "getresources-burst", "concurrency", "timeout")
}

func (s *scanFlags) config(cmd *cobra.Command) (audit.Config, error) {
	c := s.conf
	c.Regions = s.regions.values
	c.Accounts = s.accounts.values
	c.EndpointURL = s.endpoint
	c.Profile = s.profile
	// The numbers are checked here, where the flag can be named; Validate checks the rest.
	switch {
	case s.timeout < 0:
		return c, usageErr(cmd, "--timeout must not be negative, not %s", s.timeout)
	case c.Limits.Rate < 0:
		return c, usageErr(cmd, "--rate must not be negative, not %g (0 does not pace)", c.Limits.Rate)
	case c.Limits.GetResourcesRate < 0:
		return c, usageErr(cmd, "--getresources-rate must not be negative, not %g (0 does not pace)", c.Limits.GetResourcesRate)
	case c.Limits.Rate > 0 && c.Limits.Burst < 1:
		return c, usageErr(cmd, "--burst must be at least 1 when --rate is %g, not %d", c.Limits.Rate, c.Limits.Burst)
	case c.Limits.GetResourcesRate > 0 && c.Limits.GetResourcesBurst < 1:
		return c, usageErr(cmd, "--getresources-burst must be at least 1 when --getresources-rate is %g, not %d", c.Limits.GetResourcesRate, c.Limits.GetResourcesBurst)
	case c.Concurrency < 1:
		return c, usageErr(cmd, "--concurrency must be at least 1, not %d", c.Concurrency)
	case c.MaxAccountsInFlight < 1:
		return c, usageErr(cmd, "--max-accounts-in-flight must be at least 1, not %d", c.MaxAccountsInFlight)
	case cmd.Flags().Lookup("cors-tag") != nil && strings.TrimSpace(c.Checks.CORSTag) == "":
		return c, usageErr(cmd, "--cors-tag must name a tag, not be empty")
	}
	if err := c.Validate(); err != nil {
		return c, usageError{err, cmd}
	}
	return c, nil
}

// liveOnly are the flags that only reading the account uses: a --snapshot audit takes none.
var liveOnly = []string{"region", "profile", "endpoint-url", "accounts", "organization", "role-name", "external-id", "max-accounts-in-flight",
	"rate", "burst", "getresources-rate", "getresources-burst", "concurrency", "timeout", "progress"}

// liveFlag names the first live-only flag set, or "".
func liveFlag(cmd *cobra.Command) string {
	for _, name := range liveOnly {
		if cmd.Flags().Changed(name) {
			return "--" + name
		}
	}
	return ""
}

const scanLong = `Audit the account (or several, or an organization): read every REST, HTTP and WebSocket API,
usage plan and custom domain in each region, judge them with the checks ('driftaudit checks'),
and print the report. Parts that could not be read (a denial, a deadline, an error after retries)
are listed as scan errors and judged by no check: the report is then incomplete, never shorter.`

const scanExample = `  driftaudit scan --region eu-west-1 --region us-east-1
  driftaudit scan --profile prod --output json=report.json --output markdown=report.md --fail-on warning
  driftaudit scan --organization --region us-east-1 --role-name DriftAuditorReadOnly
  driftaudit scan --baseline last.json --format json > now.json     # new, standing and resolved
  driftaudit scan --snapshot inventory.json --disable hygiene      # offline, from 'driftaudit inventory'`

func newScan(st *state) *cobra.Command {
	var (
		sf                                  scanFlags
		enable, disable, overrides, epTypes listFlag
		suppressions, snapshot, baseline    string
		out                                 outputFlags
	)
	failOn := newChoice("critical", "critical", "warning", "info", "none")
	minSeverity := newChoice("info", "critical", "warning", "info")
	cmd := &cobra.Command{
		Use:         "scan [flags]",
		Short:       "Audit the account and print the report",
		Long:        scanLong,
		Example:     scanExample,
		Args:        noArgs,
		Annotations: map[string]string{"exit": exitScan},
		RunE: func(cmd *cobra.Command, _ []string) error {
			code, err := runScan(cmd, st, scanRun{sf: &sf, enable: enable.values, disable: disable.values, overrides: overrides.values,
				endpointTypes: epTypes.values, suppressions: suppressions, snapshot: snapshot, baseline: baseline, out: &out,
				failOn: failOn.value, minSeverity: minSeverity.value})
			st.code = code
			return err
		},
	}
	sf.register(cmd)
	enable.what, disable.what, overrides.what, epTypes.what = "check", "check", "override", "endpoint type"
	fs := cmd.Flags()
	fs.Var(&enable, "enable", "run only these `CHECKS` or families (repeatable, comma-separated)")
	fs.Var(&disable, "disable", "do not run these `CHECKS` or families (repeatable, comma-separated)")
	fs.Var(&overrides, "severity", "set a check's severity: `ID=LEVEL`, with LEVEL critical, warning or info (repeatable)")
	fs.Var(&epTypes, "allowed-endpoint-types", "endpoint `TYPES` APIs may have (EDGE, REGIONAL, PRIVATE); turns endpoint-type-not-allowed on")
	fs.StringVar(&sf.conf.Checks.CORSTag, "cors-tag", sf.conf.Checks.CORSTag, "REST API `TAG` whose value true declares that browsers call the API cross-origin")
	fs.StringVar(&suppressions, "suppressions", "", "leave out the findings this suppression `FILE` (YAML or JSON) names, each with its reason")
	fs.StringVar(&snapshot, "snapshot", "", "audit this saved inventory `FILE` (from 'driftaudit inventory') instead of the account")
	fs.StringVar(&baseline, "baseline", "", "compare with this earlier JSON report `FILE`: each finding new or standing, the gone ones resolved; --fail-on judges new findings only")
	group(cmd, groupChecks, "enable", "disable", "severity", "allowed-endpoint-types", "cors-tag", "suppressions")
	group(cmd, groupScope, "snapshot")
	out.register(cmd, "text", "text", "json", "markdown", "asff")
	fs.Var(minSeverity, "min-severity", "list only findings at or above this `LEVEL` in text and Markdown; every count stays whole")
	group(cmd, groupOutput, "min-severity")
	group(cmd, groupVerdict, "baseline")
	fs.Var(failOn, "fail-on", "exit 1 when a finding is at or above this `LEVEL`: critical, warning, info or none")
	group(cmd, groupVerdict, "fail-on")
	sf.progress.register(cmd)
	failOn.complete(cmd, "fail-on")
	minSeverity.complete(cmd, "min-severity")
	checkCompletion := func(_ *cobra.Command, _ []string, prefix string) ([]string, cobra.ShellCompDirective) {
		return withPrefix(checkNames(true), prefix), cobra.ShellCompDirectiveNoFileComp
	}
	_ = cmd.RegisterFlagCompletionFunc("enable", checkCompletion)
	_ = cmd.RegisterFlagCompletionFunc("disable", checkCompletion)
	return cmd
}

// scanRun is what the scan command's flags say.
type scanRun struct {
	sf                                                    *scanFlags
	enable, disable, overrides, endpointTypes             []string
	suppressions, snapshot, baseline, failOn, minSeverity string
	out                                                   *outputFlags
}

func runScan(cmd *cobra.Command, st *state, r scanRun) (int, error) {
	sf := r.sf
	var err error
	known := checkNames(true)
	for _, sel := range []struct {
		flag  string
		names []string
	}{{"--enable", r.enable}, {"--disable", r.disable}} {
		for _, name := range sel.names {
			if !slices.Contains(known, name) {
				return ExitUsage, usageErr(cmd, "%s %s: no check or family %q%s (see driftaudit checks)", sel.flag, name, name, didYouMean(name, known, ""))
			}
		}
	}
	sf.conf.Selection.Enable, sf.conf.Selection.Disable = r.enable, r.disable
	sf.conf.Checks.AllowedEndpointTypes = r.endpointTypes
	if sf.conf.Selection.Severity, err = severityOverrides(cmd, r.overrides); err != nil {
		return ExitUsage, err
	}
	if r.suppressions != "" {
		if sf.conf.Suppressions, err = suppress.Load(r.suppressions, checks.All()); err != nil {
			return ExitUsage, usageErr(cmd, "--suppressions %w", err)
		}
	}
	cfg, err := sf.config(cmd)
	if err != nil {
		return ExitUsage, err
	}
	outputs, err := r.out.resolve(cmd)
	if err != nil {
		return ExitUsage, err
	}
	if err := sf.progress.validate(cmd); err != nil {
		return ExitUsage, err
	}
	var prev *report.Report
	if r.baseline != "" {
		if prev, err = loadBaseline(r.baseline); err != nil {
			return ExitUsage, usageError{err, cmd}
		}
	}
	var rep *report.Report
	if r.snapshot != "" {
		if flag := liveFlag(cmd); flag != "" {
			return ExitUsage, usageErr(cmd, "--snapshot audits a saved file, with the accounts and regions it holds: it reads nothing, so it takes no %s", flag)
		}
		inv, err := loadSnapshot(r.snapshot)
		if err != nil {
			return ExitUsage, usageError{err, cmd}
		}
		if rep, err = audit.Evaluate(inv, cfg, st.env.Now()); err != nil {
			return ExitUsage, usageError{err, cmd}
		}
		collected := inv.CollectedAt.UTC()
		rep.CollectedAt = &collected
	} else {
		stop := sf.progress.start(st, &cfg)
		rep, err = auditLive(cmd, st.ctx, cfg, sf.timeout, st.env.Now())
		stop()
		if err != nil {
			return ExitUsage, err
		}
	}
	i, wasInterrupted := interrupted(st.ctx)
	if wasInterrupted {
		rep.Interrupted = true
	}
	if prev != nil {
		rep.Compare(prev)
	}
	minSev, _ := checks.ParseSeverity(r.minSeverity)
	if err := writeReports(st, outputs, rep, minSev, r.out.color.value); err != nil {
		return ExitUsage, err
	}
	noticeOnStderr(st, outputs, rep, sf.progress.quiet)
	if wasInterrupted {
		return i.ExitCode(), nil
	}
	return exitStatus(rep, r.failOn), nil
}

// noticeOnStderr repeats the report's warnings and says it is incomplete on stderr when no
// report for people (text or Markdown) went to stdout: a run that writes only files, or JSON to
// a pipe, must not hide that a suppression went stale or that parts could not be read. --quiet
// silences the warnings, not the incompleteness, which is an error.
func noticeOnStderr(st *state, outputs []output, rep *report.Report, quiet bool) {
	for _, o := range outputs {
		if o.path == "-" && (o.format == "text" || o.format == "markdown") {
			return
		}
	}
	if !quiet {
		for _, w := range rep.Warnings {
			fmt.Fprintf(st.env.Stderr, "driftaudit: warning: %s\n", oneLine(w))
		}
	}
	if !rep.Summary.Complete {
		fmt.Fprintf(st.env.Stderr, "driftaudit: the scan is incomplete: %d scan error(s), each listed in the report; findings may be missing\n", rep.Summary.Errors)
	}
}

// severityOverrides reads --severity ID=LEVEL: only check ids, never families, each named.
func severityOverrides(cmd *cobra.Command, values []string) (map[string]checks.Severity, error) {
	out := map[string]checks.Severity{}
	ids := checkNames(false)
	for _, v := range values {
		id, level, ok := strings.Cut(v, "=")
		if !ok {
			return nil, usageErr(cmd, "--severity %s: want ID=LEVEL, such as undeployed-changes=warning", v)
		}
		id = strings.TrimSpace(id)
		if !slices.Contains(ids, id) {
			what := "is not a check id"
			if slices.ContainsFunc(checks.All(), func(c checks.Check) bool { return c.Family == id }) {
				what = "is a family: --severity takes one check id at a time"
			}
			return nil, usageErr(cmd, "--severity %s: %q %s%s (see driftaudit checks)", v, id, what, didYouMean(id, ids, ""))
		}
		sev, err := checks.ParseSeverity(strings.TrimSpace(level))
		if err != nil || strings.TrimSpace(level) == "none" {
			return nil, usageErr(cmd, "--severity %s: level %q is not critical, warning or info", v, level)
		}
		out[id] = sev
	}
	return out, nil
}

// checkNames are the catalogue's check ids, and with families also the family names.
func checkNames(families bool) []string {
	var names []string
	seen := map[string]bool{}
	for _, c := range checks.All() {
		names = append(names, c.ID)
		if families && !seen[c.Family] {
			seen[c.Family] = true
			names = append(names, c.Family)
		}
	}
	return names
}

// exitStatus applies --fail-on. An incomplete scan fails the gate too: a CI job must not pass
// on a report that could not read everything.
func exitStatus(rep *report.Report, failOn string) int {
	if failOn == "none" {
		return ExitOK
	}
	threshold, _ := checks.ParseSeverity(failOn)
	worst := checks.Severity(0)
	for _, f := range rep.NewFindings() { // every finding, without a baseline
		worst = max(worst, f.Severity)
	}
	if worst >= threshold || !rep.Summary.Complete {
		return ExitFindings
	}
	return ExitOK
}

const makeReport = "pass a report from 'driftaudit scan --format json'"
const makeInventory = "make one with 'driftaudit inventory --region REGION > inventory.json'"

// head is the top of a JSON document, enough to tell a report from an inventory.
type head struct {
	SchemaVersion *int            `json:"schema_version"`
	Findings      json.RawMessage `json:"findings"`
	Summary       json.RawMessage `json:"summary"`
	CollectedAt   json.RawMessage `json:"collected_at"`
}

func (h head) isReport() bool { return h.Findings != nil || h.Summary != nil }

// loadBaseline reads the earlier report --baseline names: a JSON report of this schema version.
func loadBaseline(path string) (*report.Report, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read baseline: %w", err)
	}
	var h head
	switch {
	case len(bytes.TrimSpace(data)) == 0:
		return nil, fmt.Errorf("baseline %s is empty: %s", path, makeReport)
	case json.Unmarshal(data, &h) != nil || h.SchemaVersion == nil:
		return nil, fmt.Errorf("baseline %s is not a driftaudit JSON report: %s", path, makeReport)
	case h.CollectedAt != nil && !h.isReport():
		return nil, fmt.Errorf("baseline %s is an inventory, not a report: %s", path, makeReport)
	case *h.SchemaVersion != report.SchemaVersion:
		return nil, fmt.Errorf("baseline %s is a report of schema_version %d; this driftaudit compares with version %d: make the baseline again with this version", path, *h.SchemaVersion, report.SchemaVersion)
	}
	rep, err := report.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("baseline %s: %w", path, err)
	}
	return rep, nil
}

// loadSnapshot reads the inventory --snapshot names, telling an empty file and a report (the
// commonest mix-up) from an inventory.
func loadSnapshot(path string) (*inventory.Inventory, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read snapshot: %w", err)
	}
	var h head
	switch {
	case len(bytes.TrimSpace(data)) == 0:
		return nil, fmt.Errorf("snapshot %s is empty: %s", path, makeInventory)
	case json.Unmarshal(data, &h) == nil && h.isReport():
		return nil, fmt.Errorf("snapshot %s is a report, not an inventory: --snapshot takes what 'driftaudit inventory' saves; %s", path, makeInventory)
	}
	inv, err := inventory.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("read snapshot %s: %w", path, err)
	}
	return inv, nil
}

// withTimeout bounds ctx by the --timeout, if any.
func withTimeout(ctx context.Context, timeout time.Duration) (context.Context, context.CancelFunc) {
	if timeout > 0 {
		return context.WithTimeout(ctx, timeout)
	}
	return context.WithCancel(ctx)
}

// connect loads the AWS configuration and checks that there is a region to scan.
func connect(cmd *cobra.Command, ctx context.Context, cfg audit.Config) (aws.Config, error) {
	awsCfg, err := audit.LoadAWSConfig(ctx, cfg)
	var noProfile config.SharedConfigProfileNotExistError
	if errors.As(err, &noProfile) {
		return aws.Config{}, usageErr(cmd, "--profile %s: no such profile in the AWS config or credentials file", noProfile.Profile)
	}
	if err != nil {
		return aws.Config{}, err
	}
	if _, err := audit.Regions(cfg, awsCfg); err != nil {
		return aws.Config{}, usageError{err, cmd}
	}
	return awsCfg, nil
}

// cutShort says whether a scan that read nothing did so because --timeout expired or a signal
// interrupted it: that is a report of what was read (nothing, each part listed as unread), as
// the nightly function makes before its deadline, not a scan that could not run.
func cutShort(ctx context.Context, timeout time.Duration) bool {
	if _, ok := interrupted(ctx); ok {
		return true
	}
	return timeout > 0 && errors.Is(ctx.Err(), context.DeadlineExceeded)
}

// auditLive audits the account, under readLive's rules.
func auditLive(cmd *cobra.Command, ctx context.Context, cfg audit.Config, timeout time.Duration, now time.Time) (*report.Report, error) {
	return readLive(cmd, ctx, cfg, timeout, func(ctx context.Context, awsCfg aws.Config) (*report.Report, error) {
		return audit.Audit(ctx, cfg, awsCfg, now)
	})
}

// collect reads the whole inventory, under readLive's rules.
func collect(cmd *cobra.Command, ctx context.Context, cfg audit.Config, timeout time.Duration) (*inventory.Inventory, error) {
	return readLive(cmd, ctx, cfg, timeout, func(ctx context.Context, awsCfg aws.Config) (*inventory.Inventory, error) {
		return audit.Scan(ctx, cfg, awsCfg)
	})
}

// readLive connects and reads the account with read. With a timeout, the read stops starting
// calls when it expires and returns what it read, marked incomplete by its errors; so it does
// when interrupted. Only a read that returned nothing, or failed otherwise, is an error.
func readLive[T any](cmd *cobra.Command, ctx context.Context, cfg audit.Config, timeout time.Duration, read func(context.Context, aws.Config) (*T, error)) (*T, error) {
	ctx, cancel := withTimeout(ctx, timeout)
	defer cancel()
	awsCfg, err := connect(cmd, ctx, cfg)
	if err != nil {
		return nil, interruptedBefore(ctx, err)
	}
	v, err := read(ctx, awsCfg)
	if err != nil && !(v != nil && cutShort(ctx, timeout)) {
		return nil, interruptedBefore(ctx, fmt.Errorf("scan could not run: %w", err))
	}
	return v, nil
}

// interruptedBefore says so when a signal came before anything could be read, rather than
// calling the interruption a failure.
func interruptedBefore(ctx context.Context, err error) error {
	if i, ok := interrupted(ctx); ok {
		return fmt.Errorf("%s before anything was read", i.Error())
	}
	return err
}

const inventoryLong = `Read the account (or several, or an organization) as scan does, judge nothing, and print the
inventory as JSON: audit it later, offline and as often as needed, with 'driftaudit scan
--snapshot FILE', or answer 'driftaudit explain URL --snapshot FILE' from it. API key values and
stage variable values are never in it.`

func newInventory(st *state) *cobra.Command {
	var sf scanFlags
	var output string
	cmd := &cobra.Command{
		Use:     "inventory [flags] > FILE",
		Short:   "Save what the account holds, for offline audits",
		Long:    inventoryLong,
		Example: "  driftaudit inventory --region eu-west-1 > inventory.json\n  driftaudit scan --snapshot inventory.json",
		Args:    noArgs,
		Annotations: map[string]string{"exit": `  0    everything was read
  1    some part could not be read: the inventory marks it unread, and each is a line on stderr
  2    a usage error, or the scan could not run at all
  130  interrupted by Ctrl-C (SIGINT), 143 by SIGTERM: what was read, the rest marked unread
`},
		RunE: func(cmd *cobra.Command, _ []string) error {
			code, err := saveInventory(cmd, st, &sf, output)
			st.code = code
			return err
		},
	}
	sf.register(cmd)
	cmd.Flags().StringVarP(&output, "output", "o", "", "write the inventory to `FILE` instead of stdout, whole or not at all")
	group(cmd, groupOutput, "output")
	sf.progress.register(cmd)
	return cmd
}

func saveInventory(cmd *cobra.Command, st *state, sf *scanFlags, output string) (int, error) {
	cfg, err := sf.config(cmd)
	if err != nil {
		return ExitUsage, err
	}
	if output != "" {
		if err := checkOutputPath(cmd, output, output); err != nil {
			return ExitUsage, err
		}
	}
	if err := sf.progress.validate(cmd); err != nil {
		return ExitUsage, err
	}
	stop := sf.progress.start(st, &cfg)
	inv, err := collect(cmd, st.ctx, cfg, sf.timeout)
	stop()
	if err != nil {
		return ExitUsage, err
	}
	if output == "" {
		err = buffered(st.env.Stdout, inv.Encode)
	} else {
		err = writeFile(output, inv.Encode)
	}
	if err != nil {
		return ExitUsage, fmt.Errorf("write inventory: %w", err)
	}
	if !sf.progress.quiet {
		for _, w := range inv.Warnings {
			fmt.Fprintf(st.env.Stderr, "driftaudit: warning: %s\n", w)
		}
	}
	code := ExitOK
	for _, r := range inv.Regions {
		for _, e := range r.Errors {
			fmt.Fprintf(st.env.Stderr, "driftaudit: scan error in %s: %s\n", scopeOf(&r, e), e.Message)
			code = ExitFindings
		}
	}
	if i, ok := interrupted(st.ctx); ok {
		return i.ExitCode(), nil
	}
	return code, nil
}

// scopeOf names what a scan error of region r left unread, by name where the inventory has it:
// "us-east-1 API orders (a1) GetStages".
func scopeOf(r *inventory.Region, e inventory.ScanError) string {
	named := func(kind, name, id string) string {
		if name == "" {
			return kind + " " + id
		}
		return fmt.Sprintf("%s %s (%s)", kind, name, id)
	}
	parts := []string{e.Region}
	switch {
	case e.APIID != "":
		name := ""
		for _, a := range r.APIs {
			if a.ID == e.APIID {
				name = a.Name
			}
		}
		for _, a := range r.V2APIs {
			if a.ID == e.APIID {
				name = a.Name
			}
		}
		parts = append(parts, named("API", name, e.APIID))
	case e.UsagePlanID != "":
		name := ""
		for _, p := range r.UsagePlans {
			if p.ID == e.UsagePlanID {
				name = p.Name
			}
		}
		parts = append(parts, named("usage plan", name, e.UsagePlanID))
	case e.Domain != "":
		parts = append(parts, "domain "+e.Domain)
	}
	return strings.Join(append(parts, e.Operation), " ")
}
