package bench

import (
	"errors"
	"maps"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/apigw-drift/driftaudit/internal/awsemu"
	"github.com/apigw-drift/driftaudit/pkg/audit"
	"github.com/apigw-drift/driftaudit/pkg/quota"
)

func startSynthetic(t *testing.T, spec SyntheticSpec) *Synthetic {
	t.Helper()
	s, err := NewSynthetic(spec)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// TestSyntheticWire reads the synthetic server with the real SDK client: pages, embedded method
// bodies only when asked for, apiSummary only when asked for, AWS-shaped errors.
func TestSyntheticWire(t *testing.T) {
	spec := SyntheticSpec{Name: "wire", APIs: 3, Resources: 1201, MinMethods: 2, MaxMethods: 4, DriftEvery: 1, Seed: 9}
	s := startSynthetic(t, spec)
	ctx := t.Context()
	c := apigateway.NewFromConfig(awsemu.AWSConfig(s.URL, "eu-west-1"), func(o *apigateway.Options) { o.Retryer = aws.NopRetryer{} })
	id := apiID(1)

	read := func(embed []string) (items []types.Resource, pages int) {
		p := apigateway.NewGetResourcesPaginator(c, &apigateway.GetResourcesInput{RestApiId: &id, Embed: embed, Limit: aws.Int32(500)})
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			items, pages = append(items, out.Items...), pages+1
		}
		return items, pages
	}
	bare, pages := read(nil)
	if len(bare) != spec.Resources || pages != 3 {
		t.Fatalf("without embed: %d resources in %d pages, want %d in 3", len(bare), pages, spec.Resources)
	}
	full, _ := read([]string{"methods"})
	methods := 0
	for i := range full {
		if aws.ToString(full[i].Id) != aws.ToString(bare[i].Id) || aws.ToString(full[i].Path) != aws.ToString(bare[i].Path) {
			t.Fatalf("resource %d differs with embed: %s %s, without %s %s", i, aws.ToString(full[i].Id), aws.ToString(full[i].Path), aws.ToString(bare[i].Id), aws.ToString(bare[i].Path))
		}
		for name, m := range bare[i].ResourceMethods {
			if m.AuthorizationType != nil || m.MethodIntegration != nil {
				t.Fatalf("%s %s without embed=methods has a body", name, aws.ToString(bare[i].Path))
			}
		}
		for name, m := range full[i].ResourceMethods {
			methods++
			in := m.MethodIntegration
			if m.AuthorizationType == nil || aws.ToString(m.HttpMethod) != name || in == nil || in.Type == "" || len(in.IntegrationResponses) == 0 || len(m.MethodResponses) == 0 {
				t.Fatalf("%s %s with embed=methods lacks authorizationType, methodResponses or an integration with responses: %+v", name, aws.ToString(full[i].Path), m)
			}
		}
		if got := len(full[i].ResourceMethods); got != len(bare[i].ResourceMethods) {
			t.Fatalf("resource %s: %d methods with embed, %d without", aws.ToString(full[i].Path), got, len(bare[i].ResourceMethods))
		}
	}
	if methods < 2*(spec.Resources-1) {
		t.Errorf("%d methods in %d resources, want 2 to 4 on each but /", methods, spec.Resources)
	}

	stages, err := c.GetStages(ctx, &apigateway.GetStagesInput{RestApiId: &id})
	if err != nil || len(stages.Item) == 0 || aws.ToString(stages.Item[0].DeploymentId) == "" {
		t.Fatalf("GetStages: %v %+v", err, stages)
	}
	dep := stages.Item[0].DeploymentId
	plain, err := c.GetDeployment(ctx, &apigateway.GetDeploymentInput{RestApiId: &id, DeploymentId: dep})
	if err != nil || plain.ApiSummary != nil || plain.CreatedDate == nil {
		t.Fatalf("GetDeployment without embed: %v, apiSummary %v", err, plain.ApiSummary != nil)
	}
	summary, err := c.GetDeployment(ctx, &apigateway.GetDeploymentInput{RestApiId: &id, DeploymentId: dep, Embed: []string{"apisummary"}})
	if err != nil {
		t.Fatal(err)
	}
	deployed := 0
	for _, ms := range summary.ApiSummary {
		deployed += len(ms)
	}
	if deployed != methods-1 {
		t.Errorf("apiSummary of a drifting API's newest deployment holds %d methods, want %d (all but one)", deployed, methods-1)
	}

	_, err = c.GetRestApi(ctx, &apigateway.GetRestApiInput{RestApiId: &id})
	var nf *types.NotFoundException
	if !errors.As(err, &nf) {
		t.Errorf("an operation the server does not serve: %v, want NotFoundException", err)
	}
	_, err = c.GetStages(ctx, &apigateway.GetStagesInput{RestApiId: aws.String("syn9999999")})
	if !errors.As(err, &nf) {
		t.Errorf("an unknown API: %v, want NotFoundException", err)
	}
	who, err := sts.NewFromConfig(awsemu.AWSConfig(s.URL, "eu-west-1")).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(who.Account) != accountID {
		t.Errorf("GetCallerIdentity: %v, account %q", err, aws.ToString(who.Account))
	}
	want := map[string]int{"GetResources": 6, "GetStages": 2, "GetDeployment": 2, "GET /restapis/" + id: 1, "GetCallerIdentity": 1}
	if got := s.Calls(); !maps.Equal(got, want) {
		t.Errorf("calls %v, want %v", got, want)
	}
}

// TestSyntheticScan runs the audit core on the synthetic account: it reads what the spec holds,
// at the cost ExpectedCalls prices, and finds what the spec plants.
func TestSyntheticScan(t *testing.T) {
	for _, spec := range []SyntheticSpec{SmallSpec, {Name: "small-public", APIs: 4, Resources: 10, MinMethods: 1, MaxMethods: 3, Public: true, Seed: 4}} {
		t.Run(spec.Name, func(t *testing.T) {
			t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
			s := startSynthetic(t, spec)
			cfg := audit.DefaultConfig()
			cfg.Regions, cfg.Limits = []string{"eu-west-1"}, quota.Limits{}
			inv, err := audit.Scan(t.Context(), cfg, awsemu.AWSConfig(s.URL, "eu-west-1"))
			if err != nil {
				t.Fatal(err)
			}
			shape := spec.Shape()
			var got Shape
			r := inv.Regions[0]
			if len(r.Errors) > 0 {
				t.Fatalf("scan errors: %v", r.Errors)
			}
			got.APIs, got.UsagePlans, got.Domains = len(r.APIs), len(r.UsagePlans), len(r.Domains)
			for _, api := range r.APIs {
				got.Resources += len(api.Resources)
				for _, res := range api.Resources {
					got.Methods += len(res.Methods)
				}
				got.Stages += len(api.Stages)
				got.Deployments += len(api.Deployments)
				for _, d := range api.Deployments {
					if d.Summary != nil {
						got.LiveDeployments++
					}
				}
			}
			got.StagedAPIs, got.ResourcePages = shape.StagedAPIs, shape.ResourcePages
			if got != shape {
				t.Errorf("inventory holds %+v, want %+v", got, shape)
			}
			calls := s.Calls()
			if calls["GetCallerIdentity"] != 1 {
				t.Errorf("%d GetCallerIdentity calls, want 1", calls["GetCallerIdentity"])
			}
			delete(calls, "GetCallerIdentity")
			if want := shape.ExpectedCalls(); !maps.Equal(calls, want) {
				t.Errorf("calls %v, want %v", calls, want)
			}

			rep, err := audit.Evaluate(inv, cfg, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			want := []string{"undeployed-changes", "stage-behind-latest", "unkeyed-usage-plan", "usage-plan-dangling-stage", "base-path-gap", "access-logging-disabled"}
			if spec.Public {
				want = []string{"public-method-without-auth", "access-logging-disabled", "tracing-disabled", "unkeyed-usage-plan"}
			}
			for _, check := range want {
				if rep.Summary.ByCheck[check] == 0 {
					t.Errorf("no %s finding; by check: %v", check, rep.Summary.ByCheck)
				}
			}
			if spec.Public && rep.Summary.ByCheck["public-method-without-auth"] != shape.Methods {
				t.Errorf("%d public-method-without-auth findings, want one per method (%d)", rep.Summary.ByCheck["public-method-without-auth"], shape.Methods)
			}
		})
	}
}
