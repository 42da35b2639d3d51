package awsemu

import (
	"fmt"
	"slices"
	"sort"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	v2types "github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

const certArn = "arn:aws:acm:us-east-1:123456789012:certificate/fake"

// newV1Domain makes a domain with v1: regional with TLS 1.2, or edge (v1's default) with no
// stated policy.
func newV1Domain(t *testing.T, c *apigateway.Client, name string, regional bool) {
	t.Helper()
	in := &apigateway.CreateDomainNameInput{DomainName: &name}
	if regional {
		in.RegionalCertificateArn = aws.String(certArn)
		in.EndpointConfiguration = &types.EndpointConfiguration{Types: []types.EndpointType{types.EndpointTypeRegional}}
		in.SecurityPolicy = types.SecurityPolicyTls12
	} else {
		in.CertificateArn = aws.String(certArn)
	}
	_, err := c.CreateDomainName(t.Context(), in)
	check(t, err)
}

func newV2Domain(t *testing.T, c *apigatewayv2.Client, name string) {
	t.Helper()
	_, err := c.CreateDomainName(t.Context(), &apigatewayv2.CreateDomainNameInput{DomainName: &name,
		DomainNameConfigurations: []v2types.DomainNameConfiguration{{CertificateArn: aws.String(certArn),
			EndpointType: v2types.EndpointTypeRegional, SecurityPolicy: v2types.SecurityPolicyTls12}}})
	check(t, err)
}

// v2DomainNames pages through v2 GetDomainNames.
func v2DomainNames(t *testing.T, c *apigatewayv2.Client, maxResults string) (names []string, pages int) {
	t.Helper()
	var token *string
	for {
		out, err := c.GetDomainNames(t.Context(), &apigatewayv2.GetDomainNamesInput{MaxResults: aws.String(maxResults), NextToken: token})
		check(t, err)
		pages++
		names = append(names, collect(out.Items, func(d v2types.DomainName) *string { return d.DomainName })...)
		if token = out.NextToken; token == nil {
			sort.Strings(names)
			return names, pages
		}
	}
}

// TestDomainNamespace: a domain made with either API is one object, seen by both.
func TestDomainNamespace(t *testing.T) {
	s, c := setup(t)
	ctx := t.Context()
	c2 := apigw2(s, region)
	nr, nr2 := apigw(s, region, noRetry), apigw2(s, region, noRetry2)
	newV1Domain(t, c, "regional.example.com", true)
	newV1Domain(t, c, "edge.example.com", false)
	newV2Domain(t, c2, "http.example.com")

	all := []string{"edge.example.com", "http.example.com", "regional.example.com"}
	if names, pages := v2DomainNames(t, c2, "1"); !slices.Equal(names, all) || pages != 3 {
		t.Errorf("v2 GetDomainNames = %v in %d pages, want %v in 3", names, pages, all)
	}
	v1Names := drain(t, apigateway.NewGetDomainNamesPaginator(c, &apigateway.GetDomainNamesInput{Limit: aws.Int32(2)}),
		func(o *apigateway.GetDomainNamesOutput) []string {
			return collect(o.Items, func(d types.DomainName) *string { return d.DomainName })
		})
	if !slices.Equal(v1Names, all) {
		t.Errorf("v1 GetDomainNames = %v, want %v", v1Names, all)
	}

	// A v1 domain in the v2 shape.
	d, err := c2.GetDomainName(ctx, &apigatewayv2.GetDomainNameInput{DomainName: aws.String("regional.example.com")})
	check(t, err)
	if len(d.DomainNameConfigurations) != 1 {
		t.Fatalf("configurations = %+v", d.DomainNameConfigurations)
	}
	cfg := d.DomainNameConfigurations[0]
	if cfg.EndpointType != v2types.EndpointTypeRegional || cfg.SecurityPolicy != v2types.SecurityPolicyTls12 ||
		cfg.DomainNameStatus != v2types.DomainNameStatusAvailable || aws.ToString(cfg.CertificateArn) != certArn ||
		aws.ToString(cfg.ApiGatewayDomainName) == "" || aws.ToString(cfg.HostedZoneId) == "" || cfg.CertificateUploadDate == nil {
		t.Errorf("v1 regional domain through v2 = %+v", cfg)
	}
	if aws.ToString(d.ApiMappingSelectionExpression) != "$request.basepath" || aws.ToString(d.DomainNameArn) == "" {
		t.Errorf("v1 domain through v2 = %+v", d)
	}
	d, err = c2.GetDomainName(ctx, &apigatewayv2.GetDomainNameInput{DomainName: aws.String("edge.example.com")})
	check(t, err)
	if cfg := d.DomainNameConfigurations[0]; cfg.EndpointType != v2types.EndpointTypeEdge {
		t.Errorf("v1 edge domain through v2 = %+v", cfg)
	}

	// A v2 domain in the v1 shape.
	d1, err := c.GetDomainName(ctx, &apigateway.GetDomainNameInput{DomainName: aws.String("http.example.com")})
	check(t, err)
	if d1.EndpointConfiguration == nil || !slices.Equal(d1.EndpointConfiguration.Types, []types.EndpointType{types.EndpointTypeRegional}) ||
		d1.SecurityPolicy != types.SecurityPolicyTls12 || aws.ToString(d1.RegionalCertificateArn) != certArn {
		t.Errorf("v2 domain through v1 = %+v", d1)
	}

	// One namespace: neither API makes a name the other holds.
	_, err = nr.CreateDomainName(ctx, &apigateway.CreateDomainNameInput{DomainName: aws.String("http.example.com"), CertificateArn: aws.String(certArn)})
	wantCode(t, "v1 create of a v2 domain", err, "ConflictException")
	_, err = nr2.CreateDomainName(ctx, &apigatewayv2.CreateDomainNameInput{DomainName: aws.String("edge.example.com")})
	wantCode(t, "v2 create of a v1 domain", err, "ConflictException")
	_, err = nr.CreateDomainName(ctx, &apigateway.CreateDomainNameInput{DomainName: aws.String("edge.example.com"), CertificateArn: aws.String(certArn)})
	wantCode(t, "v1 create of a v1 domain", err, "ConflictException")

	// Each API deletes the other's.
	_, err = c2.DeleteDomainName(ctx, &apigatewayv2.DeleteDomainNameInput{DomainName: aws.String("edge.example.com")})
	check(t, err)
	_, err = c.DeleteDomainName(ctx, &apigateway.DeleteDomainNameInput{DomainName: aws.String("http.example.com")})
	check(t, err)
	if names, _ := v2DomainNames(t, c2, "10"); !slices.Equal(names, []string{"regional.example.com"}) {
		t.Errorf("after the deletions: %v", names)
	}
	_, err = nr2.GetDomainName(ctx, &apigatewayv2.GetDomainNameInput{DomainName: aws.String("http.example.com")})
	wantCode(t, "deleted v2 domain", err, "NotFoundException")
	_, err = nr.GetDomainName(ctx, &apigateway.GetDomainNameInput{DomainName: aws.String("edge.example.com")})
	wantCode(t, "deleted v1 domain", err, "NotFoundException")

	// Another account sees none of them.
	other := apigw2(s, region, func(o *apigatewayv2.Options) {
		o.APIOptions = append(o.APIOptions, smithyhttp.AddHeaderValue("X-Moto-Account-Id", "111122223333"))
	})
	if names, _ := v2DomainNames(t, other, "10"); len(names) != 0 {
		t.Errorf("another account sees %v", names)
	}
}

type mappingView struct{ key, api, stage string }

func v2Mappings(t *testing.T, c *apigatewayv2.Client, domain string) []mappingView {
	t.Helper()
	var out []mappingView
	var token *string
	for {
		page, err := c.GetApiMappings(t.Context(), &apigatewayv2.GetApiMappingsInput{DomainName: &domain, NextToken: token})
		check(t, err)
		for _, m := range page.Items {
			out = append(out, mappingView{aws.ToString(m.ApiMappingKey), aws.ToString(m.ApiId), aws.ToString(m.Stage)})
		}
		if token = page.NextToken; token == nil {
			sort.Slice(out, func(i, j int) bool { return out[i].key < out[j].key })
			return out
		}
	}
}

func v1BasePaths(t *testing.T, c *apigateway.Client, domain string) []string {
	t.Helper()
	return drain(t, apigateway.NewGetBasePathMappingsPaginator(c, &apigateway.GetBasePathMappingsInput{DomainName: &domain}),
		func(o *apigateway.GetBasePathMappingsOutput) []string {
			var out []string
			for _, m := range o.Items {
				out = append(out, fmt.Sprintf("%s>%s/%s", aws.ToString(m.BasePath), aws.ToString(m.RestApiId), aws.ToString(m.Stage)))
			}
			return out
		})
}

// TestAPIMappingsAcrossTypes: v2 maps REST, HTTP and WebSocket APIs on any domain, with keys of
// several levels, checks the stage, and shows one list of mappings through both APIs.
func TestAPIMappingsAcrossTypes(t *testing.T) {
	s, c := setup(t)
	ctx := t.Context()
	c2 := apigw2(s, region)
	nr, nr2 := apigw(s, region, noRetry), apigw2(s, region, noRetry2)

	rest := newAPI(t, c, "rest")
	addMethod(t, c, rest, rootID(t, c, rest), "GET", "NONE", false)
	deploy(t, c, rest, "prod")
	deploy(t, c, rest, "beta")
	httpAPI := newHTTPAPI(t, c2, "http")
	newStage2(t, c2, httpAPI, "live", true)

	newV2Domain(t, c2, "api.example.com")
	newV1Domain(t, c, "legacy.example.com", true)
	newV1Domain(t, c, "edge.example.com", false)
	_, err := c.CreateBasePathMapping(ctx, &apigateway.CreateBasePathMappingInput{DomainName: aws.String("legacy.example.com"),
		RestApiId: &rest, Stage: aws.String("prod")})
	check(t, err)
	_, err = c.CreateBasePathMapping(ctx, &apigateway.CreateBasePathMappingInput{DomainName: aws.String("legacy.example.com"),
		BasePath: aws.String("v1"), RestApiId: &rest, Stage: aws.String("beta")})
	check(t, err)

	mapping := func(domain, api, stage, key string) (*apigatewayv2.CreateApiMappingOutput, error) {
		return nr2.CreateApiMapping(ctx, &apigatewayv2.CreateApiMappingInput{DomainName: &domain, ApiId: &api, Stage: &stage, ApiMappingKey: &key})
	}
	must := func(domain, api, stage, key string) string {
		t.Helper()
		out, err := mapping(domain, api, stage, key)
		check(t, err)
		if aws.ToString(out.ApiId) != api || aws.ToString(out.ApiMappingKey) != key || aws.ToString(out.Stage) != stage || aws.ToString(out.ApiMappingId) == "" {
			t.Errorf("CreateApiMapping answered %+v", out)
		}
		return aws.ToString(out.ApiMappingId)
	}
	restDeep := must("api.example.com", rest, "prod", "orders/v2") // a REST API, several levels
	must("api.example.com", rest, "beta", "shop")                  // a REST API, one level
	rootHTTP := must("api.example.com", httpAPI, "live", "")       // an HTTP API, moto keeps it
	legacyHTTP := must("legacy.example.com", httpAPI, "live", "next/http")

	// What AWS refuses.
	_, err = mapping("api.example.com", rest, "gamma", "x")
	wantCode(t, "REST stage that does not exist", err, "BadRequestException")
	_, err = mapping("api.example.com", httpAPI, "nope", "y")
	wantCode(t, "HTTP stage that does not exist", err, "BadRequestException")
	_, err = mapping("api.example.com", "nope", "prod", "z")
	wantCode(t, "unknown API", err, "NotFoundException")
	_, err = mapping("missing.example.com", rest, "prod", "z")
	wantCode(t, "unknown domain", err, "NotFoundException")
	_, err = mapping("api.example.com", rest, "beta", "orders/v2")
	wantCode(t, "key already mapped", err, "ConflictException")
	_, err = mapping("legacy.example.com", rest, "beta", "v1")
	wantCode(t, "key of a v1 base path", err, "ConflictException")
	_, err = mapping("api.example.com", rest, "prod", "/lead")
	wantCode(t, "leading slash", err, "BadRequestException")
	_, err = mapping("api.example.com", rest, "prod", "a b")
	wantCode(t, "space in key", err, "BadRequestException")
	_, err = mapping("edge.example.com", httpAPI, "live", "h")
	wantCode(t, "HTTP API on an edge domain", err, "BadRequestException")
	_, err = mapping("edge.example.com", rest, "prod", "a/b")
	wantCode(t, "several levels on an edge domain", err, "BadRequestException")
	must("edge.example.com", rest, "prod", "single")

	// v2 lists everything, v1 base path mappings included.
	wantV2 := []mappingView{{"", httpAPI, "live"}, {"orders/v2", rest, "prod"}, {"shop", rest, "beta"}}
	if got := v2Mappings(t, c2, "api.example.com"); !slices.Equal(got, wantV2) {
		t.Errorf("api.example.com mappings = %v, want %v", got, wantV2)
	}
	wantLegacy := []mappingView{{"", rest, "prod"}, {"next/http", httpAPI, "live"}, {"v1", rest, "beta"}}
	if got := v2Mappings(t, c2, "legacy.example.com"); !slices.Equal(got, wantLegacy) {
		t.Errorf("legacy.example.com mappings = %v, want %v", got, wantLegacy)
	}
	s.SetMaxPageSize(1)
	if got := v2Mappings(t, c2, "legacy.example.com"); !slices.Equal(got, wantLegacy) {
		t.Errorf("legacy.example.com mappings a page at a time = %v", got)
	}
	s.SetMaxPageSize(0)

	// v1 shows the single-level mappings to REST APIs only.
	if got, want := v1BasePaths(t, c, "api.example.com"), []string{"shop>" + rest + "/beta"}; !slices.Equal(got, want) {
		t.Errorf("v1 base paths of api.example.com = %v, want %v", got, want)
	}
	if got, want := v1BasePaths(t, c, "legacy.example.com"), []string{"(none)>" + rest + "/prod", "v1>" + rest + "/beta"}; !slices.Equal(got, want) {
		t.Errorf("v1 base paths of legacy.example.com = %v, want %v", got, want)
	}
	bpm, err := c.GetBasePathMapping(ctx, &apigateway.GetBasePathMappingInput{DomainName: aws.String("api.example.com"), BasePath: aws.String("shop")})
	check(t, err)
	if aws.ToString(bpm.RestApiId) != rest || aws.ToString(bpm.Stage) != "beta" {
		t.Errorf("GetBasePathMapping shop = %+v", bpm)
	}
	_, err = nr.GetBasePathMapping(ctx, &apigateway.GetBasePathMappingInput{DomainName: aws.String("api.example.com"), BasePath: aws.String("orders/v2")})
	wantCode(t, "v1 read of a multi-level mapping", err, "NotFoundException")

	// v1 maps on a v2 domain, and refuses a base path taken through v2.
	_, err = c.CreateBasePathMapping(ctx, &apigateway.CreateBasePathMappingInput{DomainName: aws.String("api.example.com"),
		BasePath: aws.String("old"), RestApiId: &rest, Stage: aws.String("prod")})
	check(t, err)
	_, err = nr.CreateBasePathMapping(ctx, &apigateway.CreateBasePathMappingInput{DomainName: aws.String("api.example.com"),
		RestApiId: &rest, Stage: aws.String("prod")})
	wantCode(t, "v1 (none) over a v2 mapping", err, "ConflictException")
	_, err = nr.CreateBasePathMapping(ctx, &apigateway.CreateBasePathMappingInput{DomainName: aws.String("api.example.com"),
		BasePath: aws.String("other"), RestApiId: &rest, Stage: aws.String("gamma")})
	wantCode(t, "v1 mapping to a stage that does not exist", err, "BadRequestException")
	if got := v2Mappings(t, c2, "api.example.com"); len(got) != 4 || got[1].key != "old" {
		t.Errorf("after a v1 mapping on a v2 domain: %v", got)
	}

	// One mapping by id, and deletions through either API.
	one, err := c2.GetApiMapping(ctx, &apigatewayv2.GetApiMappingInput{DomainName: aws.String("api.example.com"), ApiMappingId: &restDeep})
	check(t, err)
	if aws.ToString(one.ApiMappingKey) != "orders/v2" || aws.ToString(one.ApiId) != rest {
		t.Errorf("GetApiMapping = %+v", one)
	}
	var v1ID string
	all, err := c2.GetApiMappings(ctx, &apigatewayv2.GetApiMappingsInput{DomainName: aws.String("legacy.example.com")})
	check(t, err)
	for _, m := range all.Items {
		if aws.ToString(m.ApiMappingKey) == "v1" {
			v1ID = aws.ToString(m.ApiMappingId)
		}
	}
	one, err = c2.GetApiMapping(ctx, &apigatewayv2.GetApiMappingInput{DomainName: aws.String("legacy.example.com"), ApiMappingId: &v1ID})
	check(t, err)
	if aws.ToString(one.Stage) != "beta" {
		t.Errorf("a v1 base path by its v2 id = %+v", one)
	}
	_, err = c2.DeleteApiMapping(ctx, &apigatewayv2.DeleteApiMappingInput{DomainName: aws.String("legacy.example.com"), ApiMappingId: &v1ID})
	check(t, err)
	_, err = c2.DeleteApiMapping(ctx, &apigatewayv2.DeleteApiMappingInput{DomainName: aws.String("legacy.example.com"), ApiMappingId: &legacyHTTP})
	check(t, err)
	if got, want := v1BasePaths(t, c, "legacy.example.com"), []string{"(none)>" + rest + "/prod"}; !slices.Equal(got, want) {
		t.Errorf("v1 base paths after v2 deletions = %v, want %v", got, want)
	}
	_, err = c.DeleteBasePathMapping(ctx, &apigateway.DeleteBasePathMappingInput{DomainName: aws.String("api.example.com"), BasePath: aws.String("shop")})
	check(t, err)
	_, err = nr2.GetApiMapping(ctx, &apigatewayv2.GetApiMappingInput{DomainName: aws.String("legacy.example.com"), ApiMappingId: &legacyHTTP})
	wantCode(t, "deleted mapping", err, "NotFoundException")
	_, err = nr2.GetApiMappings(ctx, &apigatewayv2.GetApiMappingsInput{DomainName: aws.String("missing.example.com")})
	wantCode(t, "mappings of an unknown domain", err, "NotFoundException")
	newV2Domain(t, c2, "other.example.com")
	_, err = nr2.GetApiMapping(ctx, &apigatewayv2.GetApiMappingInput{DomainName: aws.String("other.example.com"), ApiMappingId: &rootHTTP})
	wantCode(t, "another domain's mapping", err, "NotFoundException")

	// Mappings outlive their stages and APIs, as in AWS: they dangle.
	_, err = c.DeleteStage(ctx, &apigateway.DeleteStageInput{RestApiId: &rest, StageName: aws.String("prod")})
	check(t, err)
	_, err = c2.DeleteStage(ctx, &apigatewayv2.DeleteStageInput{ApiId: &httpAPI, StageName: aws.String("live")})
	check(t, err)
	_, err = c.DeleteRestApi(ctx, &apigateway.DeleteRestApiInput{RestApiId: &rest})
	check(t, err)
	_, err = c2.DeleteApi(ctx, &apigatewayv2.DeleteApiInput{ApiId: &httpAPI})
	check(t, err)
	wantDangling := []mappingView{{"", httpAPI, "live"}, {"old", rest, "prod"}, {"orders/v2", rest, "prod"}}
	if got := v2Mappings(t, c2, "api.example.com"); !slices.Equal(got, wantDangling) {
		t.Errorf("after deleting stages and APIs: %v, want %v", got, wantDangling)
	}
	if got, want := v1BasePaths(t, c, "api.example.com"), []string{"old>" + rest + "/prod"}; !slices.Equal(got, want) {
		t.Errorf("v1 base paths after deleting stages and APIs = %v, want %v", got, want)
	}

	// A domain with mappings can be deleted (moto v2 alone answers 500), and takes them along.
	_, err = c2.DeleteDomainName(ctx, &apigatewayv2.DeleteDomainNameInput{DomainName: aws.String("api.example.com")})
	check(t, err)
	newV2Domain(t, c2, "api.example.com")
	if got := v2Mappings(t, c2, "api.example.com"); len(got) != 0 {
		t.Errorf("a new domain of the same name has mappings %v", got)
	}
	_, err = c2.DeleteDomainName(ctx, &apigatewayv2.DeleteDomainNameInput{DomainName: aws.String("legacy.example.com")})
	check(t, err)
	newV1Domain(t, c, "legacy.example.com", true)
	if got := v1BasePaths(t, c, "legacy.example.com"); len(got) != 0 {
		t.Errorf("a new v1 domain of the same name has base paths %v", got)
	}
}
