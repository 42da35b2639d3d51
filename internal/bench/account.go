// Package bench measures a scan of a realistic account at API Gateway's quotas: it seeds moto
// through the shim, runs the driftaudit binary against it with the shim enforcing the quotas
// (sped up by a time factor), and reports calls, time against the quota's lower bound,
// throttling and memory.
package bench

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"

	"github.com/aws/aws-sdk-go-v2/service/apigateway"

	"github.com/apigw-drift/driftaudit/internal/seed"
)

// Shape is what was seeded, to set the measured calls against.
type Shape struct {
	APIs, Resources, Methods, Stages, Deployments, UsagePlans, Domains int
	// StagedAPIs have at least one stage; LiveDeployments are the distinct deployments stages
	// point to; ResourcePages are GetResources pages at 500 a page.
	StagedAPIs, LiveDeployments, ResourcePages int
}

// resourcesFor draws an API's resource count: log-normal with a median of 20, from 5 to 300,
// the long tail a real account has.
func resourcesFor(rng *rand.Rand) int {
	return int(math.Max(5, math.Min(300, math.Round(math.Exp(math.Log(20)+0.9*rng.NormFloat64())))))
}

// SeedAccount creates n APIs in the client's region, with a sprinkling of every drift, from a
// fixed random seed so that every run measures the same account. workers APIs are built at
// once.
func SeedAccount(ctx context.Context, client *apigateway.Client, n int, prefix string, workers int) (Shape, error) {
	return seedAccount(ctx, client, n, prefix, workers, 0)
}

// seedAccount is SeedAccount with each API's resources capped at maxResources (0: no cap). The
// cap changes nothing else of the account, and no call of its scan while an API has 500
// resources or fewer; it makes the account quicker to seed.
func seedAccount(ctx context.Context, client *apigateway.Client, n int, prefix string, workers, maxResources int) (Shape, error) {
	rng := rand.New(rand.NewPCG(uint64(n), 42))
	type plan struct {
		resources           int
		post, cors, late    bool
		public              bool
		stages              []string
		newDeploymentForDev bool
		neverDeployed       bool
	}
	plans := make([]plan, n)
	for i := range plans {
		p := plan{resources: resourcesFor(rng), post: rng.IntN(10) < 3, cors: rng.IntN(20) == 0, late: rng.IntN(10) == 0, neverDeployed: rng.IntN(33) == 0,
			public: rng.IntN(10) == 0}
		p.stages = []string{"prod"}
		if rng.IntN(2) == 0 {
			p.stages = append(p.stages, "dev")
			p.newDeploymentForDev = rng.IntN(2) == 0
		}
		if rng.IntN(5) == 0 {
			p.stages = append(p.stages, "test")
		}
		if maxResources > 0 {
			p.resources = min(p.resources, maxResources)
		}
		plans[i] = p
	}

	var shape Shape
	var mu sync.Mutex
	ids := make([]string, n)
	jobs := make(chan int)
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				p := plans[i]
				b := seed.New(ctx, client)
				tags := map[string]string{}
				if p.cors {
					tags["cors"] = "true"
				}
				api := b.API(fmt.Sprintf("%s-api-%04d", prefix, i), seed.APIOptions{ID: fmt.Sprintf("%s%05d", prefix, i), Tags: tags})
				// Most APIs sign their calls with IAM; one in ten is public (NONE, no key).
				m := seed.Method{Bare: true, Auth: "AWS_IAM"}
				if p.public {
					m.Auth = "NONE"
				}
				methods := 0
				for j := range p.resources {
					path := fmt.Sprintf("/g%d/r%d", j/10, j)
					api.Method(path, "GET", m)
					methods++
					if p.post && j%3 == 0 {
						api.Method(path, "POST", m)
						methods++
					}
				}
				s := Shape{APIs: 1, Resources: 1 + p.resources + (p.resources+9)/10, Methods: methods}
				if !p.neverDeployed {
					dep := api.Deploy("prod")
					s.Stages, s.Deployments, s.LiveDeployments, s.StagedAPIs = 1, 1, 1, 1
					for _, st := range p.stages[1:] {
						if st == "dev" && !p.newDeploymentForDev {
							api.Stage(st, dep)
						} else {
							api.Deploy(st)
							s.Deployments++
							s.LiveDeployments++
						}
						s.Stages++
					}
					if p.late {
						api.Method("/late", "POST", seed.Method{Bare: true})
						s.Resources++
						s.Methods++
					}
				}
				s.ResourcePages = (s.Resources + 499) / 500
				if err := b.Err(); err != nil {
					errs <- err
					return
				}
				mu.Lock()
				ids[i] = api.ID
				shape.add(s)
				mu.Unlock()
			}
		}()
	}
	go func() {
		defer close(jobs)
		for i := range n {
			select {
			case jobs <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return shape, err
	}

	// Usage plans: one per ten APIs, on three prod stages each, one in ten without a key.
	// Custom domains: one per twenty APIs, with two mappings, one in ten to a missing stage.
	b := seed.New(ctx, client)
	for i := 0; i+3 <= n; i += 10 {
		plan := b.UsagePlan(fmt.Sprintf("%s-plan-%d", prefix, i), ids[i]+":prod", ids[i+1]+":prod", ids[i+2]+":prod")
		if i%100 != 0 {
			b.APIKey(fmt.Sprintf("%s-key-%d", prefix, i), true, plan)
		}
		shape.UsagePlans++
	}
	for i := 0; i+2 <= n; i += 20 {
		domain := fmt.Sprintf("%s-%d.example.com", prefix, i)
		stage := "prod"
		if plans[i].neverDeployed {
			continue
		}
		b.Domain(domain).Mapping(domain, "a", ids[i], stage)
		if !plans[i+1].neverDeployed {
			b.Mapping(domain, "b", ids[i+1], "prod")
		}
		shape.Domains++
	}
	return shape, b.Err()
}

func (s *Shape) add(o Shape) {
	s.APIs += o.APIs
	s.Resources += o.Resources
	s.Methods += o.Methods
	s.Stages += o.Stages
	s.Deployments += o.Deployments
	s.StagedAPIs += o.StagedAPIs
	s.LiveDeployments += o.LiveDeployments
	s.ResourcePages += o.ResourcePages
}

// ExpectedCalls is what the scan should cost for this shape: per API its GetResources pages
// and one GetStages; per API with stages one GetDeployments and one GetDeployment per distinct
// live deployment; per region one page of each list, one GetUsagePlanKeys per plan and one
// GetBasePathMappings per domain (lists of 500 or fewer items).
func (s Shape) ExpectedCalls() map[string]int {
	pages := func(n int) int { return max(1, (n+499)/500) }
	return map[string]int{
		"GetRestApis": pages(s.APIs), "GetResources": s.ResourcePages, "GetStages": s.APIs,
		"GetDeployments": s.StagedAPIs, "GetDeployment": s.LiveDeployments,
		"GetUsagePlans": pages(s.UsagePlans), "GetUsagePlanKeys": s.UsagePlans, "GetApiKeys": 1,
		"GetDomainNames": pages(s.Domains), "GetApiMappings": s.Domains, "GetApis": 1,
	}
}

// PerMethodCalls is what a scanner that asks for each method on its own needs for the same
// account, as the usual CLI diagnosis does: GetResources pages without methods, one GetMethod
// and one GetIntegration per method, GetStages, and one GetDeployment per stage.
func (s Shape) PerMethodCalls() int {
	return (s.APIs+499)/500 + s.ResourcePages + 2*s.Methods + s.APIs + s.Stages
}
