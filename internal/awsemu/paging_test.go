package awsemu

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
)

type paginator[O any] interface {
	HasMorePages() bool
	NextPage(context.Context, ...func(*apigateway.Options)) (O, error)
}

// drain runs an SDK paginator to the end and returns the ids it collected.
func drain[O any](t *testing.T, p paginator[O], ids func(O) []string) []string {
	t.Helper()
	var all []string
	for p.HasMorePages() {
		out, err := p.NextPage(t.Context())
		check(t, err)
		all = append(all, ids(out)...)
	}
	sort.Strings(all)
	return all
}

func collect[T any](items []T, id func(T) *string) []string {
	out := make([]string, 0, len(items))
	for _, it := range items {
		out = append(out, aws.ToString(id(it)))
	}
	return out
}

// TestPagingAllListOperations creates five of everything and reads it back through the SDK's
// paginators at two items a page: three requests each.
func TestPagingAllListOperations(t *testing.T) {
	s, c := setup(t)
	ctx := t.Context()
	const n = 5

	var apis []string
	for i := range n {
		apis = append(apis, newAPI(t, c, fmt.Sprintf("api-%d", i)))
	}
	apiID := apis[0]
	root := rootID(t, c, apiID)
	resources := []string{root}
	for i := range n - 1 {
		out, err := c.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: &apiID, ParentId: &root, PathPart: aws.String(fmt.Sprintf("r%d", i))})
		check(t, err)
		resources = append(resources, aws.ToString(out.Id))
	}
	addMethod(t, c, apiID, root, "GET", "NONE", false)
	var deployments []string
	for i := range n {
		deployments = append(deployments, deploy(t, c, apiID, fmt.Sprintf("s%d", i)))
	}
	var keys, plans, domains []string
	for i := range n {
		k, err := c.CreateApiKey(ctx, &apigateway.CreateApiKeyInput{Name: aws.String(fmt.Sprintf("key-%d", i)), Enabled: true})
		check(t, err)
		keys = append(keys, aws.ToString(k.Id))
		p, err := c.CreateUsagePlan(ctx, &apigateway.CreateUsagePlanInput{Name: aws.String(fmt.Sprintf("plan-%d", i))})
		check(t, err)
		plans = append(plans, aws.ToString(p.Id))
		d, err := c.CreateDomainName(ctx, &apigateway.CreateDomainNameInput{DomainName: aws.String(fmt.Sprintf("d%d.example.com", i)),
			CertificateArn: aws.String("arn:aws:acm:us-east-1:123456789012:certificate/fake")})
		check(t, err)
		domains = append(domains, aws.ToString(d.DomainName))
	}
	for _, k := range keys {
		_, err := c.CreateUsagePlanKey(ctx, &apigateway.CreateUsagePlanKeyInput{UsagePlanId: &plans[0], KeyId: aws.String(k), KeyType: aws.String("API_KEY")})
		check(t, err)
	}
	var basePaths []string
	for i := range n {
		bp := fmt.Sprintf("v%d", i)
		_, err := c.CreateBasePathMapping(ctx, &apigateway.CreateBasePathMappingInput{DomainName: &domains[0], BasePath: &bp, RestApiId: &apiID, Stage: aws.String("s0")})
		check(t, err)
		basePaths = append(basePaths, bp)
	}

	s.SetMaxPageSize(2)
	s.ResetLog()
	limit := aws.Int32(500) // the cap, not the client's limit, makes the pages

	tests := []struct {
		op   string
		want []string
		got  func() []string
	}{
		{"GetRestApis", apis, func() []string {
			return drain(t, apigateway.NewGetRestApisPaginator(c, &apigateway.GetRestApisInput{Limit: limit}),
				func(o *apigateway.GetRestApisOutput) []string {
					return collect(o.Items, func(a types.RestApi) *string { return a.Id })
				})
		}},
		{"GetResources", resources, func() []string {
			return drain(t, apigateway.NewGetResourcesPaginator(c, &apigateway.GetResourcesInput{RestApiId: &apiID, Limit: limit, Embed: []string{"methods"}}),
				func(o *apigateway.GetResourcesOutput) []string {
					return collect(o.Items, func(r types.Resource) *string { return r.Id })
				})
		}},
		{"GetDeployments", deployments, func() []string {
			return drain(t, apigateway.NewGetDeploymentsPaginator(c, &apigateway.GetDeploymentsInput{RestApiId: &apiID, Limit: limit}),
				func(o *apigateway.GetDeploymentsOutput) []string {
					return collect(o.Items, func(d types.Deployment) *string { return d.Id })
				})
		}},
		{"GetApiKeys", keys, func() []string {
			return drain(t, apigateway.NewGetApiKeysPaginator(c, &apigateway.GetApiKeysInput{Limit: limit}),
				func(o *apigateway.GetApiKeysOutput) []string {
					return collect(o.Items, func(k types.ApiKey) *string { return k.Id })
				})
		}},
		{"GetUsagePlans", plans, func() []string {
			return drain(t, apigateway.NewGetUsagePlansPaginator(c, &apigateway.GetUsagePlansInput{Limit: limit}),
				func(o *apigateway.GetUsagePlansOutput) []string {
					return collect(o.Items, func(p types.UsagePlan) *string { return p.Id })
				})
		}},
		{"GetUsagePlanKeys", keys, func() []string {
			return drain(t, apigateway.NewGetUsagePlanKeysPaginator(c, &apigateway.GetUsagePlanKeysInput{UsagePlanId: &plans[0], Limit: limit}),
				func(o *apigateway.GetUsagePlanKeysOutput) []string {
					return collect(o.Items, func(k types.UsagePlanKey) *string { return k.Id })
				})
		}},
		{"GetDomainNames", domains, func() []string {
			return drain(t, apigateway.NewGetDomainNamesPaginator(c, &apigateway.GetDomainNamesInput{Limit: limit}),
				func(o *apigateway.GetDomainNamesOutput) []string {
					return collect(o.Items, func(d types.DomainName) *string { return d.DomainName })
				})
		}},
		{"GetBasePathMappings", basePaths, func() []string {
			return drain(t, apigateway.NewGetBasePathMappingsPaginator(c, &apigateway.GetBasePathMappingsInput{DomainName: &domains[0], Limit: limit}),
				func(o *apigateway.GetBasePathMappingsOutput) []string {
					return collect(o.Items, func(m types.BasePathMapping) *string { return m.BasePath })
				})
		}},
	}
	for _, tc := range tests {
		t.Run(tc.op, func(t *testing.T) {
			want := slices.Clone(tc.want)
			sort.Strings(want)
			if got := tc.got(); !slices.Equal(got, want) {
				t.Errorf("paged items = %v, want %v", got, want)
			}
			if got := s.Counts()[tc.op]; got != 3 {
				t.Errorf("%s called %d times, want 3 pages of at most 2", tc.op, got)
			}
		})
	}
}

func TestPagingLimitAndPosition(t *testing.T) {
	s, c := setup(t)
	ctx := t.Context()
	for i := range 30 {
		newAPI(t, c, fmt.Sprintf("api-%02d", i))
	}

	// No limit: AWS's default page of 25.
	out, err := c.GetRestApis(ctx, &apigateway.GetRestApisInput{})
	check(t, err)
	if len(out.Items) != 25 || out.Position == nil {
		t.Fatalf("default page: %d items, position %v", len(out.Items), out.Position)
	}
	rest, err := c.GetRestApis(ctx, &apigateway.GetRestApisInput{Position: out.Position})
	check(t, err)
	if len(rest.Items) != 5 || rest.Position != nil {
		t.Errorf("last page: %d items, position %v", len(rest.Items), rest.Position)
	}
	seen := map[string]bool{}
	for _, a := range append(out.Items, rest.Items...) {
		seen[aws.ToString(a.Id)] = true
	}
	if len(seen) != 30 {
		t.Errorf("two pages gave %d distinct APIs, want 30", len(seen))
	}

	// The client's limit is honoured below the cap, and the cap below the limit.
	out, err = c.GetRestApis(ctx, &apigateway.GetRestApisInput{Limit: aws.Int32(7)})
	check(t, err)
	if len(out.Items) != 7 {
		t.Errorf("limit 7 gave %d", len(out.Items))
	}
	s.SetMaxPageSize(4)
	out, err = c.GetRestApis(ctx, &apigateway.GetRestApisInput{Limit: aws.Int32(7)})
	check(t, err)
	if len(out.Items) != 4 {
		t.Errorf("limit 7 under cap 4 gave %d", len(out.Items))
	}
	s.SetMaxPageSize(0)

	nr := apigw(s, region, noRetry)
	var bad *types.BadRequestException
	_, err = nr.GetRestApis(ctx, &apigateway.GetRestApisInput{Position: aws.String("not-a-token")})
	if !errors.As(err, &bad) {
		t.Errorf("bad position: err = %v, want BadRequestException", err)
	}
	// A token from one list is refused by another, as AWS's would be.
	first, err := c.GetRestApis(ctx, &apigateway.GetRestApisInput{Limit: aws.Int32(1)})
	check(t, err)
	_, err = nr.GetResources(ctx, &apigateway.GetResourcesInput{RestApiId: first.Items[0].Id, Position: first.Position})
	if !errors.As(err, &bad) {
		t.Errorf("foreign position: err = %v, want BadRequestException", err)
	}
	_, err = nr.GetRestApis(ctx, &apigateway.GetRestApisInput{Limit: aws.Int32(501)})
	if !errors.As(err, &bad) {
		t.Errorf("limit 501: err = %v, want BadRequestException", err)
	}
}

// TestPagingUpstreamView uses a stand-in upstream to see what the shim asks for and to answer
// with keys moto never sends: paging must not pass limit or position on, and must keep the
// other top-level keys (GetApiKeys has warnings).
func TestPagingUpstreamView(t *testing.T) {
	queries := make(chan string, 10)
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		queries <- r.URL.RawQuery
		fmt.Fprint(w, `{"item":[{"id":"a"},{"id":"b"},{"id":"c"}],"warnings":["w1"],"position":"moto-would-never"}`)
	}))
	defer up.Close()
	s := NewShim(up.URL)
	defer s.Close()
	c := apigw(s, region)

	out, err := c.GetApiKeys(t.Context(), &apigateway.GetApiKeysInput{Limit: aws.Int32(2), IncludeValues: aws.Bool(false)})
	check(t, err)
	if got := collect(out.Items, func(k types.ApiKey) *string { return k.Id }); !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("first page = %v", got)
	}
	if !slices.Equal(out.Warnings, []string{"w1"}) {
		t.Errorf("warnings = %v, want moto's", out.Warnings)
	}
	if q := <-queries; q != "includeValues=false" {
		t.Errorf("upstream query = %q, want limit and position stripped", q)
	}
	out, err = c.GetApiKeys(t.Context(), &apigateway.GetApiKeysInput{Limit: aws.Int32(2), Position: out.Position})
	check(t, err)
	if len(out.Items) != 1 || aws.ToString(out.Items[0].Id) != "c" || out.Position != nil {
		t.Errorf("last page = %d items, position %v", len(out.Items), out.Position)
	}
	if q := <-queries; q != "" {
		t.Errorf("upstream query = %q, want none", q)
	}
}
