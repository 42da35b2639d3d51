// Command benchorg is `make bench-org`: it seeds an organization in moto (the management
// account and -members members, -apis REST APIs in each of -regions), scans it with the
// driftaudit binary (--organization) through the shim, which enforces API Gateway's quotas per
// account and region sped up by -scale, and prints what the scan cost against the floor the
// in-flight limit allows, then projects the nightly organization mode to -project-accounts x
// -project-regions at AWS's real quotas.
package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/apigw-drift/driftaudit/internal/awsemu"
	"github.com/apigw-drift/driftaudit/internal/bench"
	"github.com/apigw-drift/driftaudit/pkg/quota"
)

func main() {
	cmd := bench.NewCommand("bench-org")
	members := cmd.Flags.Int("members", 39, "member accounts, besides the management account")
	regions := cmd.Flags.String("regions", "eu-west-1,us-east-1", "comma-separated regions, each seeded in every account")
	apis := cmd.Flags.Int("apis", 20, "REST APIs in each account and region")
	maxResources := cmd.Flags.Int("max-resources", 10, "cap on each API's resources, to seed faster (0: the 5 to 300 of make bench); the scan's calls do not depend on it")
	workers := cmd.Flags.Int("workers", 8, "accounts and regions seeded at once")
	scales := cmd.Flags.String("scale", "20,1,0.5,0.25", "comma-separated time factors: the quotas run this many times faster than AWS's; the projection takes the ratio measured at the smallest")
	inFlight := cmd.Flags.String("in-flight", "8,40", "comma-separated --max-accounts-in-flight values to scan with at each scale; the projection takes the first")
	projAccounts := cmd.Flags.Int("project-accounts", 1000, "accounts of the projected organization")
	projRegions := cmd.Flags.Int("project-regions", 4, "regions of the projected organization")
	projConcurrency := cmd.Flags.Int("project-concurrency", 100, "the Distributed Map's MaxConcurrency in the projection")
	ctx, stop := cmd.Start()
	defer stop()

	spec := bench.OrgSpec{Members: *members, APIs: *apis, MaxResources: *maxResources, Workers: *workers}
	for _, r := range strings.Split(*regions, ",") {
		if r = strings.TrimSpace(r); r != "" {
			spec.Regions = append(spec.Regions, r)
		}
	}
	slots, err := bench.Positives(*inFlight, strconv.Atoi)
	if err != nil {
		cmd.Fail(2, fmt.Errorf("-in-flight: %w", err))
	}
	factors, err := bench.Positives(*scales, func(s string) (float64, error) { return strconv.ParseFloat(s, 64) })
	if err != nil {
		cmd.Fail(2, fmt.Errorf("-scale: %w", err))
	}
	proj := bench.Projection{Accounts: *projAccounts, Regions: *projRegions, Concurrency: *projConcurrency, MemoryMB: bench.FunctionMemoryMB}
	if err := run(ctx, spec, factors, slots, *cmd.Driftaudit, proj); err != nil {
		cmd.Fail(1, err)
	}
}

func run(ctx context.Context, spec bench.OrgSpec, scales []float64, slots []int, driftaudit string, proj bench.Projection) error {
	_, shim, closeEmulator, err := awsemu.StartWithShim(ctx)
	if err != nil {
		return err
	}
	defer closeEmulator()

	fmt.Printf("Seeding an organization: %d accounts x %d regions (%s) x %d REST APIs (at most %d resources each), %d accounts and regions at once ...\n",
		spec.Members+1, len(spec.Regions), strings.Join(spec.Regions, ", "), spec.APIs, spec.MaxResources, spec.Workers)
	org, err := bench.SeedOrganization(ctx, awsemu.AWSConfig(shim.URL, spec.Regions[0]), spec)
	if err != nil {
		return err
	}
	s := org.Shapes[bench.Scope{Account: org.Management, Region: org.Regions[0]}]
	fmt.Printf("seeded in %s: %d APIs; each account and region: %d APIs, %d resources, %d methods, %d stages, %d deployments (%d live), %d usage plans, %d domains\n\n",
		org.SeedTime.Round(time.Second), org.APIs(), s.APIs, s.Resources, s.Methods, s.Stages, s.Deployments, s.LiveDeployments, s.UsagePlans, s.Domains)

	fmt.Printf("Scans: quotas per account and region of 10 calls/s (burst 40) and GetResources 2.5/s (burst 5), sped up by the factor given, enforced by the shim (429 when exceeded) and by driftaudit's own limiter\n\n")
	scan := func(scale float64, n int) (bench.OrgResult, error) {
		res, err := bench.ScanOrg(ctx, driftaudit, shim, org, scale, n)
		if err != nil {
			return res, err
		}
		fmt.Print(res.Report())
		if msg := bench.CheckOrgCalls(res); msg != "" {
			fmt.Printf("  NOTE: %s\n", msg)
		}
		fmt.Println()
		return res, nil
	}
	free, err := scan(0, slots[0])
	if err != nil {
		return err
	}
	results := []bench.OrgResult{free}
	headline := bench.OrgResult{Scale: -1}
	for _, scale := range scales {
		for i, n := range slots {
			res, err := scan(scale, n)
			if err != nil {
				return err
			}
			res.SetEmulatorPace(free.Pace())
			results = append(results, res)
			if i == 0 && (headline.Scale < 0 || scale < headline.Scale) {
				headline = res
			}
		}
	}

	fmt.Printf("Seeding took %s. Table (README, \"An organization\"):\n\n", org.SeedTime.Round(time.Second))
	fmt.Print(bench.OrgTableHeader)
	for _, r := range results {
		fmt.Print(r.TableRow())
	}
	fmt.Println()

	proj.Ratio = headline.Ratio()
	proj.Item, proj.ItemCalls = headline.SlowestScope(quota.APIGatewayDefaults())
	fmt.Printf("The projection takes the ratio measured with %d accounts in flight at x%g.\n", headline.MaxInFlight, headline.Scale)
	fmt.Print(proj.Report())
	return nil
}
