// Package cli is the driftaudit command line: it parses flags into an audit.Config, calls the
// audit core, prints the result and chooses the exit status.
package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/apigw-drift/driftaudit/pkg/audit"
	"github.com/apigw-drift/driftaudit/pkg/checks"
	"github.com/apigw-drift/driftaudit/pkg/inventory"
	"github.com/apigw-drift/driftaudit/pkg/report"
	"github.com/apigw-drift/driftaudit/pkg/suppress"
)

// Exit statuses; scripts depend on them.
const (
	ExitOK       = 0 // no finding at or above --fail-on, and the scan read everything
	ExitFindings = 1 // a finding at or above --fail-on, or an incomplete scan
	ExitUsage    = 2 // a usage error, or the scan could not run at all
)

const usage = `driftaudit finds API Gateway REST API configuration drift.

Usage:
  driftaudit scan [--region R]... [--endpoint-url URL] [--timeout DURATION] [--format text|json|markdown|asff] [--fail-on critical|warning|info|none] [--snapshot FILE]
                  [--enable CHECK]... [--disable CHECK]... [--severity CHECK=LEVEL]... [--suppressions FILE] [--color auto|always|never]
                  [--accounts ID,...|--organization] [--role-name NAME] [--external-id X] [--max-accounts-in-flight N]
  driftaudit inventory [--region R]... [--endpoint-url URL] [--timeout DURATION]
                  [--accounts ID,...|--organization] [--role-name NAME] [--external-id X] [--max-accounts-in-flight N] > FILE
  driftaudit checks [--format text|json|markdown]
  driftaudit explain URL [--method M] [--header 'Name: value']... [--origin ORIGIN] [--region R] [--endpoint-url URL]
                  [--snapshot FILE [--account ID]] [--format text|json]

Exit status: 0 when no finding is at or above --fail-on (default critical) and the scan is
complete; 1 when one is, or when the scan is incomplete (unless --fail-on none); 2 on a usage
error or when the scan could not run at all. explain: 0 when the request is served, 1 when it is
rejected or cannot be decided, 2 on a usage error or when nothing could be read.
`

// Env is what the command reads from and writes to, so tests can run it in-process.
type Env struct {
	Stdout, Stderr io.Writer
	Now            func() time.Time
}

// Main runs driftaudit with args (without the program name) and returns the exit status.
func Main(ctx context.Context, args []string, env Env) int {
	if env.Now == nil {
		env.Now = time.Now
	}
	if len(args) == 0 {
		fmt.Fprint(env.Stderr, usage)
		return ExitUsage
	}
	var err error
	code := ExitOK
	switch args[0] {
	case "scan":
		code, err = scan(ctx, args[1:], env)
	case "inventory":
		code, err = saveInventory(ctx, args[1:], env)
	case "checks":
		code, err = listChecks(args[1:], env)
	case "explain":
		code, err = explainRequest(ctx, args[1:], env)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(env.Stdout, usage)
		return ExitOK
	default:
		err = usageError{fmt.Errorf("unknown command %q (want scan, inventory, checks or explain)", args[0])}
	}
	if err != nil {
		fmt.Fprintf(env.Stderr, "driftaudit: %s\n", oneLine(err))
		var u usageError
		if errors.As(err, &u) || errors.Is(err, flag.ErrHelp) {
			if !errors.Is(err, flag.ErrHelp) {
				fmt.Fprintln(env.Stderr, "run 'driftaudit help' for usage")
			}
			return ExitUsage
		}
		if code == ExitOK {
			code = ExitUsage
		}
	}
	return code
}

// usageError marks an error the user can fix by changing the command line.
type usageError struct{ error }

func (u usageError) Unwrap() error { return u.error }

func oneLine(err error) string { return strings.Join(strings.Fields(err.Error()), " ") }

// listFlag is a repeatable flag whose values may also be comma-separated.
type listFlag []string

func (r *listFlag) String() string { return strings.Join(*r, ",") }
func (r *listFlag) Set(v string) error {
	for _, part := range strings.Split(v, ",") {
		if p := strings.TrimSpace(part); p != "" {
			*r = append(*r, p)
		}
	}
	return nil
}

// choice is a flag whose value must be one of a few words.
type choice struct {
	value   string
	allowed []string
}

func (c *choice) String() string { return c.value }
func (c *choice) Set(v string) error {
	for _, a := range c.allowed {
		if v == a {
			c.value = v
			return nil
		}
	}
	return fmt.Errorf("must be one of %s", strings.Join(c.allowed, ", "))
}

// scanFlags are the flags that say what to scan and how.
type scanFlags struct {
	regions  listFlag
	accounts listFlag
	endpoint string
	corsTag  string
	timeout  time.Duration
	conf     audit.Config
}

func (s *scanFlags) register(fs *flag.FlagSet) {
	s.conf = audit.DefaultConfig()
	fs.Var(&s.regions, "region", "region to scan (repeatable; default: the AWS SDK's configured region)")
	fs.StringVar(&s.endpoint, "endpoint-url", "", "send every AWS call to this endpoint (an emulator) instead of AWS")
	fs.StringVar(&s.corsTag, "cors-tag", s.conf.Checks.CORSTag, "REST API tag whose value true declares CORS intent")
	fs.Float64Var(&s.conf.Limits.Rate, "rate", s.conf.Limits.Rate, "API Gateway calls per second per region (lower it to leave headroom for other tools)")
	fs.IntVar(&s.conf.Limits.Burst, "burst", s.conf.Limits.Burst, "API Gateway calls allowed in a burst per region")
	fs.Float64Var(&s.conf.Limits.GetResourcesRate, "getresources-rate", s.conf.Limits.GetResourcesRate, "GetResources calls per second per region")
	fs.IntVar(&s.conf.Limits.GetResourcesBurst, "getresources-burst", s.conf.Limits.GetResourcesBurst, "GetResources calls allowed in a burst per region")
	fs.IntVar(&s.conf.Concurrency, "concurrency", s.conf.Concurrency, "API Gateway calls in flight per region")
	fs.DurationVar(&s.timeout, "timeout", 0, "stop starting calls after this long (e.g. 5m) and report what was read, marked incomplete (default: no limit)")
	fs.Var(&s.accounts, "accounts", "audit these accounts (repeatable, comma-separated 12-digit ids), each through --role-name; the caller's own account with its own credentials")
	fs.BoolVar(&s.conf.Organization, "organization", false, "audit every ACTIVE account of the caller's organization (the caller is the management account or a delegated administrator)")
	fs.StringVar(&s.conf.RoleName, "role-name", s.conf.RoleName, "the read-only role assumed in each audited account (deploy/member-role.yaml)")
	fs.StringVar(&s.conf.ExternalID, "external-id", "", "the external id the member role requires, if any")
	fs.IntVar(&s.conf.MaxAccountsInFlight, "max-accounts-in-flight", s.conf.MaxAccountsInFlight, "accounts read at once; each account and region has its own quota buckets")
}

func (s *scanFlags) config() (audit.Config, error) {
	c := s.conf
	c.Regions = s.regions
	c.Accounts = s.accounts
	c.EndpointURL = s.endpoint
	c.Checks.CORSTag = s.corsTag
	if s.timeout < 0 {
		return c, usageError{fmt.Errorf("--timeout must not be negative, not %s", s.timeout)}
	}
	if err := c.Validate(); err != nil {
		return c, usageError{err}
	}
	return c, nil
}

func newFlagSet(name string, env Env) *flag.FlagSet {
	fs := flag.NewFlagSet("driftaudit "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// parse parses flags and refuses stray arguments; -h prints the flags and ends the command.
func parse(fs *flag.FlagSet, args []string, env Env) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(env.Stdout)
			fmt.Fprintf(env.Stdout, "Usage of %s:\n", fs.Name())
			fs.PrintDefaults()
			return flag.ErrHelp
		}
		return usageError{fmt.Errorf("%s: %w", command(fs), err)}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("%s: unexpected argument %q", command(fs), fs.Arg(0))}
	}
	return nil
}

// useColor decides whether the text report is coloured: "auto" colours only a terminal, and
// never when NO_COLOR is set (https://no-color.org).
func useColor(mode string, env Env) bool {
	switch mode {
	case "always":
		return true
	case "never":
		return false
	}
	if _, set := os.LookupEnv("NO_COLOR"); set {
		return false
	}
	f, ok := env.Stdout.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func command(fs *flag.FlagSet) string { return strings.TrimPrefix(fs.Name(), "driftaudit ") }

func scan(ctx context.Context, args []string, env Env) (int, error) {
	fs := newFlagSet("scan", env)
	var sf scanFlags
	sf.register(fs)
	format := &choice{value: "text", allowed: []string{"text", "json", "markdown", "asff"}}
	failOn := &choice{value: "critical", allowed: []string{"critical", "warning", "info", "none"}}
	fs.Var(format, "format", "output format: text, json, markdown, or asff (the findings in AWS Security Finding Format, for Security Hub)")
	var enable, disable, overrides, endpointTypes listFlag
	fs.Var(&enable, "enable", "run only these checks or families (repeatable, comma-separated)")
	fs.Var(&disable, "disable", "do not run these checks or families (repeatable, comma-separated)")
	fs.Var(&overrides, "severity", "override a check's severity: CHECK=critical|warning|info (repeatable)")
	fs.Var(&endpointTypes, "allowed-endpoint-types", "endpoint types APIs may have (EDGE, REGIONAL, PRIVATE); turns endpoint-type-not-allowed on")
	suppressions := fs.String("suppressions", "", "suppression file (YAML or JSON) of findings to leave out, with reasons")
	color := &choice{value: "auto", allowed: []string{"auto", "always", "never"}}
	fs.Var(color, "color", "colour the text report: auto (when stdout is a terminal and NO_COLOR is unset), always or never")
	fs.Var(failOn, "fail-on", "exit 1 when a finding is at or above this severity: critical, warning, info or none")
	snapshot := fs.String("snapshot", "", "audit this saved inventory file (from 'driftaudit inventory') instead of the account")
	baseline := fs.String("baseline", "", "compare with this earlier JSON report: each finding new or standing, the gone ones resolved; --fail-on judges new findings only")
	if err := parse(fs, args, env); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return ExitOK, nil
		}
		return ExitUsage, err
	}
	var err error
	sf.conf.Selection.Enable, sf.conf.Selection.Disable = enable, disable
	sf.conf.Checks.AllowedEndpointTypes = endpointTypes
	if sf.conf.Selection.Severity, err = checks.ParseSeverityOverrides(strings.Join(overrides, ",")); err != nil {
		return ExitUsage, usageError{err}
	}
	if *suppressions != "" {
		if sf.conf.Suppressions, err = suppress.Load(*suppressions, checks.All()); err != nil {
			return ExitUsage, usageError{err}
		}
	}
	cfg, err := sf.config()
	if err != nil {
		return ExitUsage, err
	}
	var prev *report.Report
	if *baseline != "" {
		if prev, err = loadBaseline(*baseline); err != nil {
			return ExitUsage, usageError{err}
		}
	}
	var rep *report.Report
	if *snapshot != "" {
		if len(sf.regions) > 0 || sf.endpoint != "" || sf.timeout != 0 || len(sf.accounts) > 0 || sf.conf.Organization {
			return ExitUsage, usageError{errors.New("--snapshot audits a saved file, with the accounts and regions it holds: it takes no --region, --accounts, --organization, --endpoint-url or --timeout")}
		}
		inv, err := loadSnapshot(*snapshot)
		if err != nil {
			return ExitUsage, err
		}
		if rep, err = audit.Evaluate(inv, cfg, env.Now()); err != nil {
			return ExitUsage, usageError{err}
		}
		collected := inv.CollectedAt.UTC()
		rep.CollectedAt = &collected
	} else if rep, err = auditLive(ctx, cfg, sf.timeout, env.Now()); err != nil {
		return ExitUsage, err
	}
	if prev != nil {
		rep.Compare(prev)
	}
	switch format.value {
	case "json":
		err = rep.WriteJSON(env.Stdout)
	case "markdown":
		err = rep.WriteMarkdown(env.Stdout)
	case "asff":
		err = writeASFF(env.Stdout, rep)
	default:
		err = rep.WriteTextLimited(env.Stdout, report.TextOptions{MaxFindings: -1, MaxErrors: -1, Color: useColor(color.value, env)})
	}
	if err != nil {
		return ExitUsage, fmt.Errorf("write report: %w", err)
	}
	return exitStatus(rep, failOn.value), nil
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

// loadBaseline reads the earlier report --baseline names: a JSON report of this schema version.
func loadBaseline(path string) (*report.Report, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read baseline: %w", err)
	}
	var head struct {
		SchemaVersion *int            `json:"schema_version"`
		Findings      json.RawMessage `json:"findings"`
		CollectedAt   json.RawMessage `json:"collected_at"`
	}
	switch {
	case len(bytes.TrimSpace(data)) == 0:
		return nil, fmt.Errorf("baseline %s is empty: pass a report from 'driftaudit scan --format json'", path)
	case json.Unmarshal(data, &head) != nil || head.SchemaVersion == nil:
		return nil, fmt.Errorf("baseline %s is not a driftaudit JSON report: pass a report from 'driftaudit scan --format json'", path)
	case head.CollectedAt != nil && head.Findings == nil:
		return nil, fmt.Errorf("baseline %s is an inventory, not a report: pass a report from 'driftaudit scan --format json'", path)
	case *head.SchemaVersion != report.SchemaVersion:
		return nil, fmt.Errorf("baseline %s is a report of schema_version %d; this driftaudit compares with version %d: make the baseline again with this version", path, *head.SchemaVersion, report.SchemaVersion)
	}
	rep, err := report.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("baseline %s: %w", path, err)
	}
	return rep, nil
}

func loadSnapshot(path string) (*inventory.Inventory, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read snapshot: %w", err)
	}
	defer f.Close()
	inv, err := inventory.Decode(f)
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
func connect(ctx context.Context, cfg audit.Config) (aws.Config, error) {
	awsCfg, err := audit.LoadAWSConfig(ctx, cfg)
	if err != nil {
		return aws.Config{}, err
	}
	if _, err := audit.Regions(cfg, awsCfg); err != nil {
		return aws.Config{}, usageError{err}
	}
	return awsCfg, nil
}

// cutShort says whether a scan that read nothing did so because --timeout expired: that is a
// report of what was read (nothing, each part listed as unread), as the nightly function makes
// before its deadline, not a scan that could not run.
func cutShort(ctx context.Context, timeout time.Duration) bool {
	return timeout > 0 && errors.Is(ctx.Err(), context.DeadlineExceeded)
}

// auditLive audits the account. With a timeout, the scan stops starting calls when it expires
// and reports what it read, marked incomplete by its errors.
func auditLive(ctx context.Context, cfg audit.Config, timeout time.Duration, now time.Time) (*report.Report, error) {
	ctx, cancel := withTimeout(ctx, timeout)
	defer cancel()
	awsCfg, err := connect(ctx, cfg)
	if err != nil {
		return nil, err
	}
	rep, err := audit.Audit(ctx, cfg, awsCfg, now)
	if err != nil && !(rep != nil && cutShort(ctx, timeout)) {
		return nil, fmt.Errorf("scan could not run: %w", err)
	}
	return rep, nil
}

// collect reads the whole inventory, with the same --timeout rule as auditLive.
func collect(ctx context.Context, cfg audit.Config, timeout time.Duration) (*inventory.Inventory, error) {
	ctx, cancel := withTimeout(ctx, timeout)
	defer cancel()
	awsCfg, err := connect(ctx, cfg)
	if err != nil {
		return nil, err
	}
	inv, err := audit.Scan(ctx, cfg, awsCfg)
	if err != nil && !(inv != nil && cutShort(ctx, timeout)) {
		return nil, fmt.Errorf("scan could not run: %w", err)
	}
	return inv, nil
}

func saveInventory(ctx context.Context, args []string, env Env) (int, error) {
	fs := newFlagSet("inventory", env)
	var sf scanFlags
	sf.register(fs)
	if err := parse(fs, args, env); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return ExitOK, nil
		}
		return ExitUsage, err
	}
	cfg, err := sf.config()
	if err != nil {
		return ExitUsage, err
	}
	inv, err := collect(ctx, cfg, sf.timeout)
	if err != nil {
		return ExitUsage, err
	}
	if err := inv.Encode(env.Stdout); err != nil {
		return ExitUsage, fmt.Errorf("write inventory: %w", err)
	}
	for _, w := range inv.Warnings {
		fmt.Fprintf(env.Stderr, "driftaudit: warning: %s\n", w)
	}
	code := ExitOK
	for _, r := range inv.Regions {
		for _, e := range r.Errors {
			fmt.Fprintf(env.Stderr, "driftaudit: scan error in %s: %s\n", scopeOf(e), e.Message)
			code = ExitFindings
		}
	}
	return code, nil
}

// scopeOf names what a scan error left unread: "us-east-1 API a1 GetStages".
func scopeOf(e inventory.ScanError) string {
	parts := []string{e.Region}
	switch {
	case e.APIID != "":
		parts = append(parts, "API "+e.APIID)
	case e.UsagePlanID != "":
		parts = append(parts, "usage plan "+e.UsagePlanID)
	case e.Domain != "":
		parts = append(parts, "domain "+e.Domain)
	}
	return strings.Join(append(parts, e.Operation), " ")
}

func listChecks(args []string, env Env) (int, error) {
	fs := newFlagSet("checks", env)
	format := &choice{value: "text", allowed: []string{"text", "json", "markdown"}}
	fs.Var(format, "format", "output format: text, json or markdown (the README's table)")
	if err := parse(fs, args, env); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return ExitOK, nil
		}
		return ExitUsage, err
	}
	all := checks.All()
	switch format.value {
	case "json":
		return ExitOK, writeJSON(env.Stdout, all)
	case "markdown":
		_, err := io.WriteString(env.Stdout, checks.MarkdownTable(all))
		return ExitOK, err
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSEVERITY\tFAMILY\tTITLE")
	for _, c := range all {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", c.ID, c.Severity, c.Family, c.Title)
	}
	return ExitOK, tw.Flush()
}
