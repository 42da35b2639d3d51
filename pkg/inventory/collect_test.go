package inventory_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	v2types "github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"
	"github.com/aws/smithy-go"

	"github.com/apigw-drift/driftaudit/pkg/inventory"
)

// recordingClient answers every call with one item and keeps each input, by operation, so that a
// test can see what the collector asks for. Its methods run on the collector's goroutines.
type recordingClient struct {
	mu     sync.Mutex
	inputs map[string][]any
}

func (f *recordingClient) record(op string, in any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.inputs == nil {
		f.inputs = map[string][]any{}
	}
	f.inputs[op] = append(f.inputs[op], in)
}

func (f *recordingClient) GetRestApis(_ context.Context, in *apigateway.GetRestApisInput, _ ...func(*apigateway.Options)) (*apigateway.GetRestApisOutput, error) {
	f.record(inventory.OpGetRestApis, *in)
	return &apigateway.GetRestApisOutput{Items: []types.RestApi{{Id: aws.String("a1"), Name: aws.String("orders")}}}, nil
}

func (f *recordingClient) GetResources(_ context.Context, in *apigateway.GetResourcesInput, _ ...func(*apigateway.Options)) (*apigateway.GetResourcesOutput, error) {
	f.record(inventory.OpGetResources, *in)
	return &apigateway.GetResourcesOutput{Items: []types.Resource{{Id: aws.String("r1"), Path: aws.String("/"),
		ResourceMethods: map[string]types.Method{"GET": {AuthorizationType: aws.String("AWS_IAM")}}}}}, nil
}

func (f *recordingClient) GetStages(_ context.Context, in *apigateway.GetStagesInput, _ ...func(*apigateway.Options)) (*apigateway.GetStagesOutput, error) {
	f.record(inventory.OpGetStages, *in)
	return &apigateway.GetStagesOutput{Item: []types.Stage{{StageName: aws.String("prod"), DeploymentId: aws.String("d1")}}}, nil
}

func (f *recordingClient) GetDeployments(_ context.Context, in *apigateway.GetDeploymentsInput, _ ...func(*apigateway.Options)) (*apigateway.GetDeploymentsOutput, error) {
	f.record(inventory.OpGetDeployments, *in)
	return &apigateway.GetDeploymentsOutput{Items: []types.Deployment{{Id: aws.String("d1")}}}, nil
}

func (f *recordingClient) GetDeployment(_ context.Context, in *apigateway.GetDeploymentInput, _ ...func(*apigateway.Options)) (*apigateway.GetDeploymentOutput, error) {
	f.record(inventory.OpGetDeployment, *in)
	return &apigateway.GetDeploymentOutput{Id: in.DeploymentId, ApiSummary: map[string]map[string]types.MethodSnapshot{
		"/": {"GET": {AuthorizationType: aws.String("AWS_IAM")}}}}, nil
}

func (f *recordingClient) GetUsagePlans(_ context.Context, in *apigateway.GetUsagePlansInput, _ ...func(*apigateway.Options)) (*apigateway.GetUsagePlansOutput, error) {
	f.record(inventory.OpGetUsagePlans, *in)
	return &apigateway.GetUsagePlansOutput{Items: []types.UsagePlan{{Id: aws.String("p1")}}}, nil
}

func (f *recordingClient) GetUsagePlanKeys(_ context.Context, in *apigateway.GetUsagePlanKeysInput, _ ...func(*apigateway.Options)) (*apigateway.GetUsagePlanKeysOutput, error) {
	f.record(inventory.OpGetUsagePlanKeys, *in)
	return &apigateway.GetUsagePlanKeysOutput{Items: []types.UsagePlanKey{{Id: aws.String("k1")}}}, nil
}

func (f *recordingClient) GetApiKeys(_ context.Context, in *apigateway.GetApiKeysInput, _ ...func(*apigateway.Options)) (*apigateway.GetApiKeysOutput, error) {
	f.record(inventory.OpGetAPIKeys, *in)
	return &apigateway.GetApiKeysOutput{Items: []types.ApiKey{{Id: aws.String("k1")}}}, nil
}

func (f *recordingClient) GetDomainNames(_ context.Context, in *apigateway.GetDomainNamesInput, _ ...func(*apigateway.Options)) (*apigateway.GetDomainNamesOutput, error) {
	f.record(inventory.OpGetDomainNames, *in)
	return &apigateway.GetDomainNamesOutput{Items: []types.DomainName{{DomainName: aws.String("api.example.com")}}}, nil
}

func (f *recordingClient) GetBasePathMappings(_ context.Context, in *apigateway.GetBasePathMappingsInput, _ ...func(*apigateway.Options)) (*apigateway.GetBasePathMappingsOutput, error) {
	f.record(inventory.OpGetBasePathMappings, *in)
	return &apigateway.GetBasePathMappingsOutput{}, nil
}

var _ inventory.Client = (*recordingClient)(nil)

// recordingV2 is the v2 half of the fake, recording into the same log: one HTTP API with one
// stage deployed by hand, and one API mapping.
type recordingV2 struct{ *recordingClient }

func (f recordingV2) GetApis(_ context.Context, in *apigatewayv2.GetApisInput, _ ...func(*apigatewayv2.Options)) (*apigatewayv2.GetApisOutput, error) {
	f.record("v2 "+inventory.OpGetApis, *in)
	return &apigatewayv2.GetApisOutput{Items: []v2types.Api{{ApiId: aws.String("h1"), Name: aws.String("orders"), ProtocolType: v2types.ProtocolTypeHttp}}}, nil
}

func (f recordingV2) GetStages(_ context.Context, in *apigatewayv2.GetStagesInput, _ ...func(*apigatewayv2.Options)) (*apigatewayv2.GetStagesOutput, error) {
	f.record("v2 "+inventory.OpGetStages, *in)
	return &apigatewayv2.GetStagesOutput{Items: []v2types.Stage{{StageName: aws.String("prod"), DeploymentId: aws.String("hd1")}}}, nil
}

func (f recordingV2) GetDeployments(_ context.Context, in *apigatewayv2.GetDeploymentsInput, _ ...func(*apigatewayv2.Options)) (*apigatewayv2.GetDeploymentsOutput, error) {
	f.record("v2 "+inventory.OpGetDeployments, *in)
	return &apigatewayv2.GetDeploymentsOutput{Items: []v2types.Deployment{{DeploymentId: aws.String("hd1")}}}, nil
}

func (f recordingV2) ExportApi(_ context.Context, in *apigatewayv2.ExportApiInput, _ ...func(*apigatewayv2.Options)) (*apigatewayv2.ExportApiOutput, error) {
	f.record("v2 "+inventory.OpExportApi, *in)
	return &apigatewayv2.ExportApiOutput{Body: []byte(`{"openapi":"3.0.1","paths":{"/orders":{"get":{}}}}`)}, nil
}

func (f recordingV2) GetApiMappings(_ context.Context, in *apigatewayv2.GetApiMappingsInput, _ ...func(*apigatewayv2.Options)) (*apigatewayv2.GetApiMappingsOutput, error) {
	f.record("v2 "+inventory.OpGetApiMappings, *in)
	return &apigatewayv2.GetApiMappingsOutput{Items: []v2types.ApiMapping{{ApiId: aws.String("h1"), Stage: aws.String("prod"), ApiMappingKey: aws.String("orders/v2")}}}, nil
}

var _ inventory.V2Client = recordingV2{}

// clients pairs a v1 fake with the v2 half recording into rec.
func clients(rest inventory.Client, rec *recordingClient) inventory.Clients {
	return inventory.Clients{REST: rest, V2: recordingV2{rec}}
}

// TestCollectAsksForWhatItNeeds pins the inputs of every call the collector makes: method bodies
// embedded in GetResources (AWS sends only their names otherwise), the deployed snapshot with
// GetDeployment, never an API key's value, and API Gateway's largest page on every list.
func TestCollectAsksForWhatItNeeds(t *testing.T) {
	fake := &recordingClient{}
	region := inventory.CollectRegion(t.Context(), clients(fake, fake), "eu-west-1", inventory.Options{})
	if len(region.Errors) != 0 {
		t.Fatalf("scan errors: %+v", region.Errors)
	}

	const pageSize = 500
	limit := func(l *int32) string {
		if aws.ToInt32(l) != pageSize {
			return "Limit is not 500"
		}
		return ""
	}
	inspect := map[string]func(in any) string{
		inventory.OpGetRestApis: func(in any) string { return limit(in.(apigateway.GetRestApisInput).Limit) },
		inventory.OpGetResources: func(in any) string {
			r := in.(apigateway.GetResourcesInput)
			if !slices.Equal(r.Embed, []string{"methods"}) {
				return "Embed is not [methods]"
			}
			return limit(r.Limit)
		},
		inventory.OpGetStages:      func(any) string { return "" },
		inventory.OpGetDeployments: func(in any) string { return limit(in.(apigateway.GetDeploymentsInput).Limit) },
		inventory.OpGetDeployment: func(in any) string {
			if d := in.(apigateway.GetDeploymentInput); !slices.Equal(d.Embed, []string{"apisummary"}) {
				return "Embed is not [apisummary]"
			}
			return ""
		},
		inventory.OpGetUsagePlans:    func(in any) string { return limit(in.(apigateway.GetUsagePlansInput).Limit) },
		inventory.OpGetUsagePlanKeys: func(in any) string { return limit(in.(apigateway.GetUsagePlanKeysInput).Limit) },
		inventory.OpGetAPIKeys: func(in any) string {
			k := in.(apigateway.GetApiKeysInput)
			if aws.ToBool(k.IncludeValues) {
				return "IncludeValues is true"
			}
			return limit(k.Limit)
		},
		inventory.OpGetDomainNames: func(in any) string { return limit(in.(apigateway.GetDomainNamesInput).Limit) },
		// v2 pages at its largest too; the public domain's mappings are read with v2, which
		// sees every API type, and an HTTP API's definitions are exported as OpenAPI 3.0 JSON
		// with the extensions that name its authorizers, for the current one and for the stage
		// deployed by hand.
		"v2 " + inventory.OpGetApis:        func(in any) string { return v2Limit(in.(apigatewayv2.GetApisInput).MaxResults) },
		"v2 " + inventory.OpGetStages:      func(in any) string { return v2Limit(in.(apigatewayv2.GetStagesInput).MaxResults) },
		"v2 " + inventory.OpGetDeployments: func(in any) string { return v2Limit(in.(apigatewayv2.GetDeploymentsInput).MaxResults) },
		"v2 " + inventory.OpGetApiMappings: func(in any) string {
			m := in.(apigatewayv2.GetApiMappingsInput)
			if aws.ToString(m.DomainName) != "api.example.com" {
				return "not the domain's name"
			}
			return v2Limit(m.MaxResults)
		},
	}
	exports := fake.inputs["v2 "+inventory.OpExportApi]
	var stages []string
	for _, in := range exports {
		e := in.(apigatewayv2.ExportApiInput)
		if aws.ToString(e.ApiId) != "h1" || aws.ToString(e.Specification) != "OAS30" || aws.ToString(e.OutputType) != "JSON" || !aws.ToBool(e.IncludeExtensions) {
			t.Errorf("ExportApi %+v: want h1 as OAS30 JSON with extensions", e)
		}
		stages = append(stages, aws.ToString(e.StageName))
	}
	if slices.Sort(stages); !slices.Equal(stages, []string{"", "prod"}) {
		t.Errorf("ExportApi for stages %q, want the current definition and prod", stages)
	}
	delete(fake.inputs, "v2 "+inventory.OpExportApi)
	for op, check := range inspect {
		inputs := fake.inputs[op]
		if len(inputs) != 1 {
			t.Errorf("%s called %d times, want 1", op, len(inputs))
		}
		for _, in := range inputs {
			if problem := check(in); problem != "" {
				t.Errorf("%s: %s: %+v", op, problem, in)
			}
		}
	}
	for op := range fake.inputs {
		if inspect[op] == nil {
			t.Errorf("unexpected call %s", op)
		}
	}

	if d := region.Domains; len(d) != 1 || d[0].MappingsSource != inventory.OpGetApiMappings || len(d[0].Mappings) != 1 || d[0].Mappings[0].BasePath != "orders/v2" {
		t.Errorf("domains %+v: want the v2 mapping orders/v2", d)
	}
	if a := region.V2APIs; len(a) != 1 || len(a[0].Stages) != 1 || !a[0].Stages[0].DeployedRead || len(a[0].Routes) != 1 || a[0].Unread != nil {
		t.Errorf("HTTP APIs %+v: want h1 read whole", a)
	}

	// What the embedded methods carry reaches the inventory.
	if len(region.APIs) != 1 || len(region.APIs[0].Resources) != 1 ||
		region.APIs[0].Resources[0].Methods["GET"].AuthorizationType != "AWS_IAM" {
		t.Errorf("inventory lost the embedded method: %+v", region.APIs)
	}
}

func v2Limit(max *string) string {
	if aws.ToString(max) != "500" {
		return "MaxResults is not 500"
	}
	return ""
}

// privateDomain serves one private custom domain name, which v2 does not serve.
type privateDomain struct{ recordingClient }

func (f *privateDomain) GetDomainNames(_ context.Context, in *apigateway.GetDomainNamesInput, _ ...func(*apigateway.Options)) (*apigateway.GetDomainNamesOutput, error) {
	f.record(inventory.OpGetDomainNames, *in)
	return &apigateway.GetDomainNamesOutput{Items: []types.DomainName{{DomainName: aws.String("private.example.com"), DomainNameId: aws.String("abc123"),
		SecurityPolicy: types.SecurityPolicyTls12, EndpointConfiguration: &types.EndpointConfiguration{Types: []types.EndpointType{types.EndpointTypePrivate}}}}}, nil
}

func (f *privateDomain) GetBasePathMappings(_ context.Context, in *apigateway.GetBasePathMappingsInput, _ ...func(*apigateway.Options)) (*apigateway.GetBasePathMappingsOutput, error) {
	f.record(inventory.OpGetBasePathMappings, *in)
	return &apigateway.GetBasePathMappingsOutput{Items: []types.BasePathMapping{{BasePath: aws.String("(none)"), RestApiId: aws.String("a1"), Stage: aws.String("prod")}}}, nil
}

// TestPrivateDomainMappingsAreReadWithItsID: a private custom domain name's mappings are read
// with v1 and its domainNameId, which the SDK documents as required for them; v2 is not asked.
func TestPrivateDomainMappingsAreReadWithItsID(t *testing.T) {
	fake := &privateDomain{}
	region := inventory.CollectRegion(t.Context(), clients(fake, &fake.recordingClient), "eu-west-1", inventory.Options{})
	if len(region.Errors) != 0 {
		t.Fatalf("scan errors: %+v", region.Errors)
	}
	calls := fake.inputs[inventory.OpGetBasePathMappings]
	if len(calls) != 1 {
		t.Fatalf("GetBasePathMappings called %d times, want 1", len(calls))
	}
	if in := calls[0].(apigateway.GetBasePathMappingsInput); aws.ToString(in.DomainNameId) != "abc123" || aws.ToString(in.DomainName) != "private.example.com" {
		t.Errorf("GetBasePathMappings %+v: want the domain's name and its id abc123", in)
	}
	if n := len(fake.inputs["v2 "+inventory.OpGetApiMappings]); n != 0 {
		t.Errorf("v2 GetApiMappings asked %d times for a private domain", n)
	}
	d := region.Domains[0]
	if !d.Private() || d.MappingsSource != inventory.OpGetBasePathMappings || d.RESTOnly() || len(d.Mappings) != 1 || d.SecurityPolicy != "TLS_1_2" {
		t.Errorf("domain %+v", d)
	}
}

// deniedMappings is the v2 half with GetApiMappings denied, as for a role without
// apigateway:GET on /domainnames/*/apimappings.
type deniedMappings struct{ recordingV2 }

func (f deniedMappings) GetApiMappings(_ context.Context, in *apigatewayv2.GetApiMappingsInput, _ ...func(*apigatewayv2.Options)) (*apigatewayv2.GetApiMappingsOutput, error) {
	f.record("v2 "+inventory.OpGetApiMappings, *in)
	return nil, &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "Forbidden"}
}

// restMapping serves one REST mapping with v1, or fails it with err.
type restMapping struct {
	recordingClient
	err error
}

func (f *restMapping) GetBasePathMappings(_ context.Context, in *apigateway.GetBasePathMappingsInput, _ ...func(*apigateway.Options)) (*apigateway.GetBasePathMappingsOutput, error) {
	f.record(inventory.OpGetBasePathMappings, *in)
	if f.err != nil {
		return nil, f.err
	}
	return &apigateway.GetBasePathMappingsOutput{Items: []types.BasePathMapping{{BasePath: aws.String("shop"), RestApiId: aws.String("a1"), Stage: aws.String("prod")}}}, nil
}

// TestDeniedAPIMappingsAreAScanError: when v2 GetApiMappings is denied, a public domain's REST
// mappings are read with v1 and kept, so that checks judge them; but what v1 cannot show
// (mappings to HTTP and WebSocket APIs, multi-level keys) is unread, so the domain has a scan
// error all the same, which names the grant. When v1 fails too, the domain stays unread.
func TestDeniedAPIMappingsAreAScanError(t *testing.T) {
	for _, tc := range []struct {
		name       string
		v1Err      error
		wantUnread bool
		want       []string
	}{
		{name: "v1 reads the REST mappings", want: []string{
			"mappings of custom domain api.example.com: GetApiMappings was denied (AccessDeniedException: Forbidden): its REST mappings were read with v1 GetBasePathMappings",
			"mappings to HTTP and WebSocket APIs and multi-level mappings are unread (grant apigateway:GET on /domainnames/*/apimappings)"}},
		{name: "v1 fails too", v1Err: errors.New("connection reset"), wantUnread: true, want: []string{
			"mappings of custom domain api.example.com: GetApiMappings was denied (AccessDeniedException: Forbidden), and GetBasePathMappings failed: connection reset"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fake := &restMapping{err: tc.v1Err}
			region := inventory.CollectRegion(t.Context(), inventory.Clients{REST: fake, V2: deniedMappings{recordingV2{&fake.recordingClient}}}, "eu-west-1", inventory.Options{})
			if len(region.Errors) != 1 {
				t.Fatalf("scan errors %+v: want one, on the domain", region.Errors)
			}
			e := region.Errors[0]
			if e.Domain != "api.example.com" || e.Operation != inventory.OpGetApiMappings || e.Region != "eu-west-1" {
				t.Errorf("scan error %+v: want the domain's GetApiMappings in eu-west-1", e)
			}
			for _, w := range tc.want {
				if !strings.Contains(e.Message, w) {
					t.Errorf("scan error %q\nwant it to say %q", e.Message, w)
				}
			}
			d := region.Domains[0]
			if d.MappingsUnread != tc.wantUnread {
				t.Errorf("mappings unread %t, want %t", d.MappingsUnread, tc.wantUnread)
			}
			if !tc.wantUnread && (!d.RESTOnly() || len(d.Mappings) != 1 || d.Mappings[0].APIID != "a1") {
				t.Errorf("domain %+v: want its REST mapping, read with v1", d)
			}
		})
	}
}

// loopingList answers the list operation op as a list that loops: the first page names p1 as
// the next one, p1 names p2, and p2 names p1 again. The other operations answer as
// recordingClient does.
type loopingList struct {
	recordingClient
	op string
}

// loop is the next page after the page asked for with token.
func loop(token *string) *string {
	if aws.ToString(token) == "p1" {
		return aws.String("p2")
	}
	return aws.String("p1")
}

func (f *loopingList) GetRestApis(ctx context.Context, in *apigateway.GetRestApisInput, o ...func(*apigateway.Options)) (*apigateway.GetRestApisOutput, error) {
	out, err := f.recordingClient.GetRestApis(ctx, in, o...)
	if f.op == inventory.OpGetRestApis {
		out.Position = loop(in.Position)
	}
	return out, err
}

func (f *loopingList) GetResources(ctx context.Context, in *apigateway.GetResourcesInput, o ...func(*apigateway.Options)) (*apigateway.GetResourcesOutput, error) {
	out, err := f.recordingClient.GetResources(ctx, in, o...)
	if f.op == inventory.OpGetResources {
		out.Position = loop(in.Position)
	}
	return out, err
}

func (f *loopingList) GetUsagePlanKeys(ctx context.Context, in *apigateway.GetUsagePlanKeysInput, o ...func(*apigateway.Options)) (*apigateway.GetUsagePlanKeysOutput, error) {
	out, err := f.recordingClient.GetUsagePlanKeys(ctx, in, o...)
	if f.op == inventory.OpGetUsagePlanKeys {
		out.Position = loop(in.Position)
	}
	return out, err
}

// loopingV2 is the v2 half with GetApis as a list that loops.
type loopingV2 struct{ recordingV2 }

func (f loopingV2) GetApis(ctx context.Context, in *apigatewayv2.GetApisInput, o ...func(*apigatewayv2.Options)) (*apigatewayv2.GetApisOutput, error) {
	out, err := f.recordingV2.GetApis(ctx, in, o...)
	out.NextToken = loop(in.NextToken)
	return out, err
}

// TestListThatLoopsIsAnError: a list whose next page is one it already gave, not only the one
// just given, is read up to there and no further, and is a scan error on its scope, never a
// shorter list that looks whole.
func TestListThatLoopsIsAnError(t *testing.T) {
	for _, tc := range []struct {
		op, scope string
		v2        bool
		unread    func(inventory.Region) bool
	}{
		{op: inventory.OpGetRestApis, unread: func(r inventory.Region) bool { return slices.Contains(r.Unread, inventory.OpGetRestApis) }},
		{op: inventory.OpGetResources, scope: "a1", unread: func(r inventory.Region) bool { return slices.Contains(r.APIs[0].Unread, inventory.OpGetResources) }},
		{op: inventory.OpGetUsagePlanKeys, unread: func(r inventory.Region) bool { return r.UsagePlans[0].KeysUnread }},
		{op: inventory.OpGetApis, v2: true, unread: func(r inventory.Region) bool { return slices.Contains(r.Unread, inventory.OpGetApis) }},
	} {
		t.Run(tc.op, func(t *testing.T) {
			fake := &loopingList{op: tc.op}
			var v2 inventory.V2Client = recordingV2{&fake.recordingClient}
			if tc.v2 {
				v2 = loopingV2{recordingV2{&fake.recordingClient}}
			}
			region := inventory.CollectRegion(t.Context(), inventory.Clients{REST: fake, V2: v2}, "eu-west-1", inventory.Options{})
			if len(region.Errors) != 1 || region.Errors[0].Operation != tc.op || region.Errors[0].APIID != tc.scope ||
				!strings.Contains(region.Errors[0].Message, "page 3 named a next page that the list had already given: the rest of the list was never read") {
				t.Fatalf("scan errors %+v: want one on %s that says the list looped", region.Errors, tc.op)
			}
			if !tc.unread(region) {
				t.Errorf("the looping %s left its scope marked read", tc.op)
			}
			op := tc.op
			if tc.v2 {
				op = "v2 " + op
			}
			if n := len(fake.inputs[op]); n != 3 {
				t.Errorf("%s called %d times, want 3: the first page, p1, and p2 that named p1 again", tc.op, n)
			}
		})
	}
}
