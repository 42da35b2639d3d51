// Package seed builds API Gateway accounts through the real SDK, the way a user's templates
// and consoles would, for scenario tests, the demo and the benchmark. Errors are sticky: the
// first one stops every later call and is returned by Err, so account recipes read straight.
package seed

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
)

// Builder creates resources in one region.
type Builder struct {
	ctx    context.Context
	client *apigateway.Client
	v2     *apigatewayv2.Client
	err    error
}

// New returns a Builder that calls client.
func New(ctx context.Context, client *apigateway.Client) *Builder {
	return &Builder{ctx: ctx, client: client}
}

// Err is the first error any call met.
func (b *Builder) Err() error { return b.err }

func (b *Builder) fail(what string, err error) {
	if b.err == nil && err != nil {
		b.err = fmt.Errorf("seed: %s: %w", what, err)
	}
}

// API is a REST API being built.
type API struct {
	b         *Builder
	ID, Name  string
	resources map[string]string // path to resource id
}

// APIOptions shape a new API.
type APIOptions struct {
	// ID fixes the API id (moto honours the _custom_id_ tag), for stable golden files.
	ID           string
	Tags         map[string]string
	EndpointType types.EndpointType
}

// API creates a REST API.
func (b *Builder) API(name string, opts APIOptions) *API {
	api := &API{b: b, Name: name, resources: map[string]string{}}
	if b.err != nil {
		return api
	}
	tags := map[string]string{}
	for k, v := range opts.Tags {
		tags[k] = v
	}
	if opts.ID != "" {
		tags["_custom_id_"] = opts.ID
	}
	in := &apigateway.CreateRestApiInput{Name: aws.String(name), Tags: tags}
	if opts.EndpointType != "" {
		in.EndpointConfiguration = &types.EndpointConfiguration{Types: []types.EndpointType{opts.EndpointType}}
	}
	out, err := b.client.CreateRestApi(b.ctx, in)
	if err != nil {
		b.fail("create API "+name, err)
		return api
	}
	api.ID = aws.ToString(out.Id)
	api.resources["/"] = aws.ToString(out.RootResourceId)
	return api
}

// Resource returns the id of path's resource, creating it and its parents as needed.
func (a *API) Resource(path string) string {
	if id, ok := a.resources[path]; ok || a.b.err != nil {
		return id
	}
	cut := strings.LastIndex(path, "/")
	parentPath := path[:cut]
	if parentPath == "" {
		parentPath = "/"
	}
	parent := a.Resource(parentPath)
	if a.b.err != nil {
		return ""
	}
	out, err := a.b.client.CreateResource(a.b.ctx, &apigateway.CreateResourceInput{RestApiId: &a.ID, ParentId: &parent, PathPart: aws.String(path[cut+1:])})
	if err != nil {
		a.b.fail(fmt.Sprintf("create resource %s of %s", path, a.Name), err)
		return ""
	}
	a.resources[path] = aws.ToString(out.Id)
	return a.resources[path]
}

// Method describes one method to put.
type Method struct {
	Auth        string // authorizationType; NONE when empty
	KeyRequired bool
	// AllowOrigin, when set, is declared on the 200 method response and set to this value
	// (e.g. "'*'") on the integration response, as a CORS-enabled method does.
	AllowOrigin string
	// Integration defaults to MOCK; AWS_PROXY and HTTP_PROXY stand for backends that answer
	// for themselves.
	Integration types.IntegrationType
	// Bare puts no method or integration response: two calls instead of four, for seeding
	// large accounts.
	Bare bool
}

// Method puts a method with an integration and a 200 response.
func (a *API) Method(path, httpMethod string, m Method) *API {
	res := a.Resource(path)
	if a.b.err != nil {
		return a
	}
	auth := m.Auth
	if auth == "" {
		auth = "NONE"
	}
	what := fmt.Sprintf("%s %s of %s", httpMethod, path, a.Name)
	_, err := a.b.client.PutMethod(a.b.ctx, &apigateway.PutMethodInput{RestApiId: &a.ID, ResourceId: &res, HttpMethod: &httpMethod,
		AuthorizationType: &auth, ApiKeyRequired: m.KeyRequired})
	a.b.fail("put method "+what, err)
	integration := m.Integration
	if integration == "" {
		integration = types.IntegrationTypeMock
	}
	in := &apigateway.PutIntegrationInput{RestApiId: &a.ID, ResourceId: &res, HttpMethod: &httpMethod, Type: integration}
	switch integration {
	case types.IntegrationTypeMock:
		in.RequestTemplates = map[string]string{"application/json": `{"statusCode": 200}`}
	case types.IntegrationTypeAwsProxy:
		in.IntegrationHttpMethod = aws.String("POST")
		in.Uri = aws.String("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:backend/invocations")
	default:
		in.IntegrationHttpMethod = aws.String(httpMethod)
		in.Uri = aws.String("https://backend.example.com" + path)
	}
	if a.b.err == nil {
		_, err = a.b.client.PutIntegration(a.b.ctx, in)
		a.b.fail("put integration "+what, err)
	}
	if m.Bare || integration == types.IntegrationTypeAwsProxy || integration == types.IntegrationTypeHttpProxy {
		return a
	}
	var declared map[string]bool
	var values map[string]string
	if m.AllowOrigin != "" {
		declared = map[string]bool{"method.response.header.Access-Control-Allow-Origin": false}
		values = map[string]string{"method.response.header.Access-Control-Allow-Origin": m.AllowOrigin}
	}
	a.responses(res, httpMethod, what, declared, values)
	return a
}

func (a *API) responses(res, httpMethod, what string, declared map[string]bool, values map[string]string) {
	if a.b.err != nil {
		return
	}
	_, err := a.b.client.PutMethodResponse(a.b.ctx, &apigateway.PutMethodResponseInput{RestApiId: &a.ID, ResourceId: &res, HttpMethod: &httpMethod,
		StatusCode: aws.String("200"), ResponseParameters: declared})
	a.b.fail("put method response "+what, err)
	if a.b.err != nil {
		return
	}
	_, err = a.b.client.PutIntegrationResponse(a.b.ctx, &apigateway.PutIntegrationResponseInput{RestApiId: &a.ID, ResourceId: &res, HttpMethod: &httpMethod,
		StatusCode: aws.String("200"), ResponseParameters: values})
	a.b.fail("put integration response "+what, err)
}

// CORS is the preflight a resource answers; empty fields leave that header out.
type CORS struct {
	Origin, Methods, Headers string
	Auth                     string
	KeyRequired              bool
}

// StandardCORS is a complete preflight allowing the given methods.
func StandardCORS(methods ...string) CORS {
	return CORS{Origin: "'*'", Methods: "'" + strings.Join(append(methods, "OPTIONS"), ",") + "'", Headers: "'Content-Type,Authorization,X-Api-Key'"}
}

// Options puts a MOCK OPTIONS method that answers a preflight with c's headers.
func (a *API) Options(path string, c CORS) *API {
	res := a.Resource(path)
	if a.b.err != nil {
		return a
	}
	auth := c.Auth
	if auth == "" {
		auth = "NONE"
	}
	what := "OPTIONS " + path + " of " + a.Name
	method := "OPTIONS"
	_, err := a.b.client.PutMethod(a.b.ctx, &apigateway.PutMethodInput{RestApiId: &a.ID, ResourceId: &res, HttpMethod: &method,
		AuthorizationType: &auth, ApiKeyRequired: c.KeyRequired})
	a.b.fail("put method "+what, err)
	if a.b.err == nil {
		_, err = a.b.client.PutIntegration(a.b.ctx, &apigateway.PutIntegrationInput{RestApiId: &a.ID, ResourceId: &res, HttpMethod: &method,
			Type: types.IntegrationTypeMock, RequestTemplates: map[string]string{"application/json": `{"statusCode": 200}`}})
		a.b.fail("put integration "+what, err)
	}
	declared, values := map[string]bool{}, map[string]string{}
	for name, v := range map[string]string{"Origin": c.Origin, "Methods": c.Methods, "Headers": c.Headers} {
		if v != "" {
			key := "method.response.header.Access-Control-Allow-" + name
			declared[key], values[key] = false, v
		}
	}
	a.responses(res, method, what, declared, values)
	return a
}

// DeleteMethod removes a method from the working definition.
func (a *API) DeleteMethod(path, httpMethod string) *API {
	res := a.Resource(path)
	if a.b.err == nil {
		_, err := a.b.client.DeleteMethod(a.b.ctx, &apigateway.DeleteMethodInput{RestApiId: &a.ID, ResourceId: &res, HttpMethod: &httpMethod})
		a.b.fail(fmt.Sprintf("delete method %s %s of %s", httpMethod, path, a.Name), err)
	}
	return a
}

// ReplaceMethod deletes a method and puts it again as m: how its authorization or key
// requirement is changed here, since moto does not implement UpdateMethod.
func (a *API) ReplaceMethod(path, httpMethod string, m Method) *API {
	return a.DeleteMethod(path, httpMethod).Method(path, httpMethod, m)
}

// Deploy deploys the working definition to stage (no stage when empty) and returns the
// deployment id.
func (a *API) Deploy(stage string) string {
	if a.b.err != nil {
		return ""
	}
	in := &apigateway.CreateDeploymentInput{RestApiId: &a.ID}
	if stage != "" {
		in.StageName = &stage
	}
	out, err := a.b.client.CreateDeployment(a.b.ctx, in)
	a.b.fail(fmt.Sprintf("deploy %s to stage %q", a.Name, stage), err)
	if err != nil {
		return ""
	}
	return aws.ToString(out.Id)
}

// Stage creates a stage on an existing deployment.
func (a *API) Stage(name, deploymentID string) *API {
	if a.b.err == nil {
		_, err := a.b.client.CreateStage(a.b.ctx, &apigateway.CreateStageInput{RestApiId: &a.ID, StageName: &name, DeploymentId: &deploymentID})
		a.b.fail(fmt.Sprintf("create stage %s of %s", name, a.Name), err)
	}
	return a
}

// PointStage moves a stage to another deployment id, existing or not.
func (a *API) PointStage(name, deploymentID string) *API {
	if a.b.err == nil {
		_, err := a.b.client.UpdateStage(a.b.ctx, &apigateway.UpdateStageInput{RestApiId: &a.ID, StageName: &name,
			PatchOperations: []types.PatchOperation{{Op: types.OpReplace, Path: aws.String("/deploymentId"), Value: &deploymentID}}})
		a.b.fail(fmt.Sprintf("point stage %s of %s at %s", name, a.Name, deploymentID), err)
	}
	return a
}

// DeleteDeployment deletes a deployment.
func (a *API) DeleteDeployment(id string) *API {
	if a.b.err == nil {
		_, err := a.b.client.DeleteDeployment(a.b.ctx, &apigateway.DeleteDeploymentInput{RestApiId: &a.ID, DeploymentId: &id})
		a.b.fail(fmt.Sprintf("delete deployment %s of %s", id, a.Name), err)
	}
	return a
}

// UsagePlan creates a usage plan covering the given "apiID:stage" pairs.
func (b *Builder) UsagePlan(name string, apiStages ...string) string {
	if b.err != nil {
		return ""
	}
	in := &apigateway.CreateUsagePlanInput{Name: &name}
	for _, as := range apiStages {
		api, stage, _ := strings.Cut(as, ":")
		in.ApiStages = append(in.ApiStages, types.ApiStage{ApiId: aws.String(api), Stage: aws.String(stage)})
	}
	out, err := b.client.CreateUsagePlan(b.ctx, in)
	b.fail("create usage plan "+name, err)
	if err != nil {
		return ""
	}
	return aws.ToString(out.Id)
}

// APIKey creates an API key and adds it to the given plans.
func (b *Builder) APIKey(name string, enabled bool, plans ...string) string {
	if b.err != nil {
		return ""
	}
	out, err := b.client.CreateApiKey(b.ctx, &apigateway.CreateApiKeyInput{Name: &name, Enabled: enabled})
	b.fail("create API key "+name, err)
	if err != nil {
		return ""
	}
	id := aws.ToString(out.Id)
	for _, plan := range plans {
		if b.err == nil {
			_, err := b.client.CreateUsagePlanKey(b.ctx, &apigateway.CreateUsagePlanKeyInput{UsagePlanId: aws.String(plan), KeyId: &id, KeyType: aws.String("API_KEY")})
			b.fail(fmt.Sprintf("add key %s to plan %s", name, plan), err)
		}
	}
	return id
}

// Domain creates a regional custom domain name.
func (b *Builder) Domain(name string) *Builder {
	if b.err == nil {
		_, err := b.client.CreateDomainName(b.ctx, &apigateway.CreateDomainNameInput{DomainName: &name,
			RegionalCertificateArn: aws.String("arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000"),
			EndpointConfiguration:  &types.EndpointConfiguration{Types: []types.EndpointType{types.EndpointTypeRegional}}})
		b.fail("create domain "+name, err)
	}
	return b
}

// Mapping maps basePath ("" for the root) of domain to an API and stage ("" for none).
func (b *Builder) Mapping(domain, basePath, apiID, stage string) *Builder {
	if b.err == nil {
		in := &apigateway.CreateBasePathMappingInput{DomainName: &domain, RestApiId: &apiID}
		if basePath != "" {
			in.BasePath = &basePath
		}
		if stage != "" {
			in.Stage = &stage
		}
		_, err := b.client.CreateBasePathMapping(b.ctx, in)
		b.fail(fmt.Sprintf("map %s/%s", domain, basePath), err)
	}
	return b
}

// DeleteStage deletes a stage, leaving whatever pointed to it dangling.
func (a *API) DeleteStage(name string) *API {
	if a.b.err == nil {
		_, err := a.b.client.DeleteStage(a.b.ctx, &apigateway.DeleteStageInput{RestApiId: &a.ID, StageName: &name})
		a.b.fail(fmt.Sprintf("delete stage %s of %s", name, a.Name), err)
	}
	return a
}

// DeleteAPI deletes a REST API, leaving whatever pointed to it dangling.
func (b *Builder) DeleteAPI(id string) *Builder {
	if b.err == nil {
		_, err := b.client.DeleteRestApi(b.ctx, &apigateway.DeleteRestApiInput{RestApiId: &id})
		b.fail("delete API "+id, err)
	}
	return b
}

// StageSettings are the hygiene settings of a stage; zero values leave a setting alone.
type StageSettings struct {
	Tracing         bool
	AccessLogArn    string
	LoggingLevel    string // for */*: OFF, ERROR or INFO
	DetailedMetrics bool
	WebACLArn       string
	ClientCertID    string
}

// Configure applies settings to a stage. Apply it after the stage's last deployment: moto's
// CreateDeployment replaces the stage and its settings.
func (a *API) Configure(stage string, s StageSettings) *API {
	if a.b.err != nil {
		return a
	}
	var ops []types.PatchOperation
	set := func(path, value string) {
		ops = append(ops, types.PatchOperation{Op: types.OpReplace, Path: aws.String(path), Value: aws.String(value)})
	}
	if s.Tracing {
		set("/tracingEnabled", "true")
	}
	if s.AccessLogArn != "" {
		set("/accessLogSettings/destinationArn", s.AccessLogArn)
		set("/accessLogSettings/format", `{"requestId":"$context.requestId","status":"$context.status"}`)
	}
	if s.LoggingLevel != "" {
		set("/*/*/logging/loglevel", s.LoggingLevel)
	}
	if s.DetailedMetrics {
		set("/*/*/metrics/enabled", "true")
	}
	if s.WebACLArn != "" {
		set("/webAclArn", s.WebACLArn)
	}
	if s.ClientCertID != "" {
		set("/clientCertificateId", s.ClientCertID)
	}
	_, err := a.b.client.UpdateStage(a.b.ctx, &apigateway.UpdateStageInput{RestApiId: &a.ID, StageName: &stage, PatchOperations: ops})
	a.b.fail(fmt.Sprintf("configure stage %s of %s", stage, a.Name), err)
	return a
}

// Hygienic is every stage setting the hygiene checks look for, for a stage in region.
func Hygienic(region string) StageSettings {
	return StageSettings{
		Tracing:         true,
		AccessLogArn:    "arn:aws:logs:" + region + ":123456789012:log-group:api-access-logs",
		LoggingLevel:    "INFO",
		DetailedMetrics: true,
		WebACLArn:       "arn:aws:wafv2:" + region + ":123456789012:regional/webacl/api-guard/0f7a1c2e",
		ClientCertID:    "cert0000001",
	}
}
