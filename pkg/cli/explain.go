package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/apigw-drift/driftaudit/pkg/accounts"
	"github.com/apigw-drift/driftaudit/pkg/audit"
	"github.com/apigw-drift/driftaudit/pkg/explain"
	"github.com/apigw-drift/driftaudit/pkg/inventory"
)

// headerFlag is a repeatable --header 'Name: value'; values may hold commas, so it is not split.
type headerFlag []string

func (h *headerFlag) String() string     { return fmt.Sprintf("%d headers", len(*h)) }
func (h *headerFlag) Set(v string) error { *h = append(*h, v); return nil }

// explainRequest is `driftaudit explain URL`: API Gateway's decision for one request, read live
// from the caller's account (only the parts the decision needs) or from a saved inventory.
// Exit status: 0 served, 1 rejected or undecided, 2 on a usage error, when nothing could be read,
// or when the URL reaches an API of a type that is not explained (WebSocket).
func explainRequest(ctx context.Context, args []string, env Env) (int, error) {
	fs := newFlagSet("explain", env)
	method := fs.String("method", "GET", "the request's HTTP method")
	var headers headerFlag
	fs.Var(&headers, "header", "a request header, 'Name: value' (repeatable); values are never printed")
	origin := fs.String("origin", "", "the page's origin (https://shop.example.com): the request is cross-origin, and a browser's preflight is decided first")
	region := fs.String("region", "", "the region of a custom domain (default: the SDK's configured region); a default endpoint URL names its own")
	endpoint := fs.String("endpoint-url", "", "send every AWS call to this endpoint (an emulator) instead of AWS")
	timeout := fs.Duration("timeout", 0, "stop starting calls after this long and decide on what was read (default: no limit)")
	snapshot := fs.String("snapshot", "", "decide offline from this saved inventory file (from 'driftaudit inventory')")
	account := fs.String("account", "", "with --snapshot of several accounts, the account to decide in")
	format := &choice{value: "text", allowed: []string{"text", "json"}}
	fs.Var(format, "format", "output format: text or json")
	rawURL, err := parseWithURL(fs, args, env)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return ExitOK, nil
		}
		return ExitUsage, err
	}
	req, err := explain.NewRequest(rawURL, *method, headers, *origin)
	if err != nil {
		return ExitUsage, usageError{fmt.Errorf("explain: %w", err)}
	}
	var d explain.Decision
	var readAny bool
	if *snapshot != "" {
		if *endpoint != "" || *timeout != 0 {
			return ExitUsage, usageError{errors.New("explain: --snapshot decides from a saved file: it takes no --endpoint-url or --timeout")}
		}
		inv, err := loadSnapshot(*snapshot)
		if err != nil {
			return ExitUsage, usageError{err}
		}
		reg, err := snapshotRegion(inv, req, *region, *account)
		if err != nil {
			return ExitUsage, usageError{fmt.Errorf("explain: %w", err)}
		}
		d = explain.Decide(reg, req)
		readAny = len(reg.Unread) < len(inventory.RegionLists())
	} else {
		if *account != "" {
			return ExitUsage, usageError{errors.New("explain: --account picks an account of a --snapshot; a live explain reads the caller's own account")}
		}
		if *timeout < 0 {
			return ExitUsage, usageError{fmt.Errorf("explain: --timeout must not be negative, not %s", *timeout)}
		}
		if d, readAny, err = explainLive(ctx, req, *region, *endpoint, *timeout); err != nil {
			return ExitUsage, err
		}
	}
	switch {
	case d.Cause == explain.CauseNotExplained:
		return ExitUsage, fmt.Errorf("explain: %s", d.Explanation)
	case d.Outcome == explain.Undecided && !readAny:
		return ExitUsage, fmt.Errorf("explain could not read anything in %s: %s", d.Region, d.Explanation)
	}
	if format.value == "json" {
		err = writeJSON(env.Stdout, d)
	} else {
		err = explain.WriteText(env.Stdout, d)
	}
	if err != nil {
		return ExitUsage, fmt.Errorf("write the decision: %w", err)
	}
	if d.Outcome == explain.Served {
		return ExitOK, nil
	}
	return ExitFindings, nil
}

// parseWithURL parses the flags and the one URL, which may come before, between or after them.
func parseWithURL(fs *flag.FlagSet, args []string, env Env) (string, error) {
	var rawURL string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		rawURL, args = args[0], args[1:]
	} else {
		if err := fs.Parse(args); err != nil {
			return "", parse(fs, args, env)
		}
		if fs.NArg() == 0 {
			return "", usageError{errors.New("explain: the URL to explain is missing (driftaudit explain URL [flags])")}
		}
		rawURL, args = fs.Arg(0), fs.Args()[1:]
	}
	return rawURL, parse(fs, args, env)
}

// explainLive decides with what it reads from the caller's account: the decision says which
// parts it needs, they are read, and it decides again, until it needs nothing new. The reads go
// through the scan's clients, retries and quotas.
func explainLive(ctx context.Context, req explain.Request, region, endpoint string, timeout time.Duration) (explain.Decision, bool, error) {
	conf := audit.DefaultConfig()
	conf.EndpointURL = endpoint
	if region != "" {
		conf.Regions = []string{region}
	}
	if err := conf.Validate(); err != nil {
		return explain.Decision{}, false, usageError{fmt.Errorf("explain: %w", err)}
	}
	if req.Kind == explain.DefaultEndpoint {
		if region != "" && region != req.Region {
			return explain.Decision{}, false, usageError{fmt.Errorf("explain: --region %s, but the URL is in %s", region, req.Region)}
		}
		conf.Regions = []string{req.Region}
	}
	ctx, cancel := withTimeout(ctx, timeout)
	defer cancel()
	awsCfg, err := connect(ctx, conf)
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
