package cli

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/apigw-drift/driftaudit/pkg/accounts"
	"github.com/apigw-drift/driftaudit/pkg/audit"
	"github.com/apigw-drift/driftaudit/pkg/explain"
	"github.com/apigw-drift/driftaudit/pkg/inventory"
)

// headerFlag is a repeatable --header 'Name: value'; values may hold commas, so it is not split.
type headerFlag []string

func (h *headerFlag) String() string     { return "" } // values are never shown, not even as a default
func (h *headerFlag) Type() string       { return "header" }
func (h *headerFlag) Set(v string) error { *h = append(*h, v); return nil }

const explainLong = `Answer "why does this URL get 403?": API Gateway's decision for one request (served, or rejected
with the exact response and its cause, such as an undeployed change or a missing preflight) and
the fix. It reads live only the parts of the caller's account the decision needs, or decides
offline from a saved inventory. Header values are never printed.`

const explainExample = `  driftaudit explain https://abc123.execute-api.eu-west-1.amazonaws.com/prod/orders
  driftaudit explain https://api.example.com/v1/orders --method POST --header 'x-api-key: ...' --region eu-west-1
  driftaudit explain https://api.example.com/v1/orders --origin https://shop.example.com   # a browser's preflight first
  driftaudit explain URL --snapshot inventory.json`

// explainFlags are explain's flags.
type explainFlags struct {
	method, origin, region, endpoint, snapshot, account, profile string
	headers                                                      headerFlag
	timeout                                                      time.Duration
	format                                                       *choiceFlag
}

func newExplain(st *state) *cobra.Command {
	var f explainFlags
	f.format = newChoice("text", "text", "json")
	cmd := &cobra.Command{
		Use:     "explain URL [flags]",
		Short:   "Explain why a URL is served or rejected (the 403 question)",
		Long:    explainLong,
		Example: explainExample,
		Args: func(cmd *cobra.Command, args []string) error {
			switch {
			case len(args) == 0:
				return usageErr(cmd, "explain: the URL to explain is missing (driftaudit explain URL [flags])")
			case len(args) > 1:
				return usageErr(cmd, "explain: unexpected argument %q (one URL at a time)", args[1])
			}
			return nil
		},
		Annotations: map[string]string{"exit": `  0    the request is served
  1    it is rejected, or cannot be decided from what could be read
  2    a usage error, or nothing could be read
  130  interrupted by Ctrl-C (SIGINT), 143 by SIGTERM
`},
		RunE: func(cmd *cobra.Command, args []string) error {
			code, err := explainRequest(cmd, st, args[0], &f)
			st.code = code
			return err
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&f.method, "method", "GET", "the request's HTTP `METHOD`")
	fs.Var(&f.headers, "header", "a request header, `'Name: value'` (repeatable); values are never printed")
	fs.StringVar(&f.origin, "origin", "", "the page's `ORIGIN` (https://shop.example.com): the request is cross-origin, and a browser's preflight is decided first")
	group(cmd, groupRequest, "method", "header", "origin")
	fs.StringVar(&f.region, "region", "", "the `REGION` of a custom domain (default: the SDK's configured region); a default endpoint URL names its own")
	fs.StringVar(&f.profile, "profile", "", "the AWS shared-config `PROFILE` to take credentials and region from (default: AWS_PROFILE, or the default chain)")
	fs.StringVar(&f.endpoint, "endpoint-url", "", "send every AWS call to this `URL` (an emulator) instead of AWS")
	fs.StringVar(&f.snapshot, "snapshot", "", "decide offline from this saved inventory `FILE` (from 'driftaudit inventory')")
	fs.StringVar(&f.account, "account", "", "with --snapshot of several accounts, the account `ID` to decide in")
	group(cmd, groupScope, "region", "profile", "endpoint-url", "snapshot", "account")
	fs.DurationVar(&f.timeout, "timeout", 0, "stop starting calls after this `DURATION` and decide on what was read (default: no limit)")
	group(cmd, groupPace, "timeout")
	fs.Var(f.format, "format", "output `FORMAT`: text or json")
	group(cmd, groupOutput, "format")
	f.format.complete(cmd, "format")
	return cmd
}

// explainRequest is `driftaudit explain URL`: API Gateway's decision for one request, read live
// from the caller's account (only the parts the decision needs) or from a saved inventory.
// Exit status: 0 served, 1 rejected or undecided, 2 on a usage error, when nothing could be read,
// or when the URL reaches an API of a type that is not explained (WebSocket).
func explainRequest(cmd *cobra.Command, st *state, rawURL string, f *explainFlags) (int, error) {
	if cmd.Flags().Changed("region") && strings.TrimSpace(f.region) == "" {
		return ExitUsage, usageErr(cmd, "explain: --region is empty: name the custom domain's region, or leave the flag out")
	}
	req, err := explain.NewRequest(rawURL, f.method, f.headers, f.origin)
	if err != nil {
		return ExitUsage, usageErr(cmd, "explain: %w", err)
	}
	var d explain.Decision
	var readAny bool
	if f.snapshot != "" {
		if f.endpoint != "" || f.timeout != 0 || f.profile != "" {
			return ExitUsage, usageErr(cmd, "explain: --snapshot decides from a saved file: it takes no --endpoint-url, --profile or --timeout")
		}
		inv, err := loadSnapshot(f.snapshot)
		if err != nil {
			return ExitUsage, usageError{err, cmd}
		}
		reg, err := snapshotRegion(inv, req, f.region, f.account)
		if err != nil {
			return ExitUsage, usageErr(cmd, "explain: %w", err)
		}
		d = explain.Decide(reg, req)
		readAny = len(reg.Unread) < len(inventory.RegionLists())
	} else {
		if f.account != "" {
			return ExitUsage, usageErr(cmd, "explain: --account picks an account of a --snapshot; a live explain reads the caller's own account")
		}
		if f.timeout < 0 {
			return ExitUsage, usageErr(cmd, "explain: --timeout must not be negative, not %s", f.timeout)
		}
		if d, readAny, err = explainLive(cmd, st.ctx, req, f); err != nil {
			return ExitUsage, err
		}
	}
	switch {
	case d.Cause == explain.CauseNotExplained:
		return ExitUsage, fmt.Errorf("explain: %s", d.Explanation)
	case d.Outcome == explain.Undecided && !readAny:
		return ExitUsage, interruptedBefore(st.ctx, fmt.Errorf("explain could not read anything in %s: %s", d.Region, d.Explanation))
	}
	if f.format.value == "json" {
		err = writeJSON(st.env.Stdout, d)
	} else {
		err = explain.WriteText(st.env.Stdout, d)
	}
	if err != nil {
		return ExitUsage, fmt.Errorf("write the decision: %w", err)
	}
	if i, ok := interrupted(st.ctx); ok {
		return i.ExitCode(), nil
	}
	if d.Outcome == explain.Served {
		return ExitOK, nil
	}
	return ExitFindings, nil
}

// explainLive decides with what it reads from the caller's account: the decision says which
// parts it needs, they are read, and it decides again, until it needs nothing new. The reads go
// through the scan's clients, retries and quotas.
func explainLive(cmd *cobra.Command, ctx context.Context, req explain.Request, f *explainFlags) (explain.Decision, bool, error) {
	region, timeout := f.region, f.timeout
	conf := audit.DefaultConfig()
	conf.EndpointURL, conf.Profile = f.endpoint, f.profile
	if region != "" {
		conf.Regions = []string{region}
	}
	if err := conf.Validate(); err != nil {
		return explain.Decision{}, false, usageErr(cmd, "explain: %w", err)
	}
	if req.Kind == explain.DefaultEndpoint {
		if region != "" && region != req.Region {
			return explain.Decision{}, false, usageErr(cmd, "explain: --region %s, but the URL is in %s", region, req.Region)
		}
		conf.Regions = []string{req.Region}
	}
	ctx, cancel := withTimeout(ctx, timeout)
	defer cancel()
	awsCfg, err := connect(cmd, ctx, conf)
	if err != nil {
		return explain.Decision{}, false, err
	}
	regions, _ := audit.Regions(conf, awsCfg)
	// The account only names the account in the decision and its ARNs: without it, they say
	// ACCOUNT.
	account, _ := audit.CallerAccount(ctx, conf, awsCfg)
	reader := inventory.NewReader(audit.RegionClients(conf, awsCfg, regions[0]), account, regions[0])
	attempted := map[inventory.Part]bool{}
	for {
		d := explain.Decide(reader.Region(), req)
		var todo []inventory.Part
		for _, p := range d.Wants {
			if !attempted[p] {
				todo = append(todo, p)
			}
		}
		if len(todo) == 0 {
			return d, reader.Succeeded() > 0, nil
		}
		for _, p := range todo {
			attempted[p] = true
			reader.Read(ctx, p)
		}
	}
}

// snapshotRegion picks the region of a saved inventory the request is decided in: the URL's
// region (a default endpoint) or --region (a custom domain; not needed when the file holds one
// region), in the file's one account or the one --account names.
func snapshotRegion(inv *inventory.Inventory, req explain.Request, region, account string) (*inventory.Region, error) {
	var held []string
	for _, r := range inv.Regions {
		if !slices.Contains(held, r.Account) {
			held = append(held, r.Account)
		}
	}
	slices.Sort(held)
	switch {
	case account != "":
		if err := accounts.ValidateID(account); err != nil {
			return nil, err
		}
		if !slices.Contains(held, account) {
			return nil, fmt.Errorf("the snapshot holds no account %s (it holds %s)", account, strings.Join(held, ", "))
		}
	case len(held) > 1:
		return nil, fmt.Errorf("the snapshot holds %d accounts (%s): pass --account with the one to decide in", len(held), strings.Join(held, ", "))
	case len(held) == 1:
		account = held[0]
	}
	var names []string
	for _, r := range inv.Regions {
		if r.Account == account {
			names = append(names, r.Name)
		}
	}
	switch {
	case req.Kind == explain.DefaultEndpoint && region != "" && region != req.Region:
		return nil, fmt.Errorf("--region %s, but the URL is in %s", region, req.Region)
	case req.Kind == explain.DefaultEndpoint:
		region = req.Region
	case region == "" && len(names) == 1:
		region = names[0]
	case region == "":
		return nil, fmt.Errorf("the snapshot holds regions %s: pass --region with the custom domain's", strings.Join(names, ", "))
	}
	for i := range inv.Regions {
		if r := &inv.Regions[i]; r.Account == account && r.Name == region {
			return r, nil
		}
	}
	return nil, fmt.Errorf("the snapshot holds no region %s (it holds %s)", region, strings.Join(names, ", "))
}
