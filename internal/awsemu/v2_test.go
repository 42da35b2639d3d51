package awsemu

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	v2types "github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"
	"gopkg.in/yaml.v3"
)

func apigw2(s *Shim, region string, optFns ...func(*apigatewayv2.Options)) *apigatewayv2.Client {
	return apigatewayv2.NewFromConfig(AWSConfig(s.URL, region), optFns...)
}

func noRetry2(o *apigatewayv2.Options) { o.Retryer = aws.NopRetryer{} }

func newHTTPAPI(t *testing.T, c *apigatewayv2.Client, name string) string {
	t.Helper()
	out, err := c.CreateApi(t.Context(), &apigatewayv2.CreateApiInput{Name: aws.String(name), ProtocolType: v2types.ProtocolTypeHttp})
	check(t, err)
	return aws.ToString(out.ApiId)
}

// addIntegration adds an HTTP proxy integration and returns its id.
func addIntegration(t *testing.T, c *apigatewayv2.Client, apiID, uri string) string {
	t.Helper()
	out, err := c.CreateIntegration(t.Context(), &apigatewayv2.CreateIntegrationInput{ApiId: &apiID,
		IntegrationType: v2types.IntegrationTypeHttpProxy, IntegrationUri: aws.String(uri), IntegrationMethod: aws.String("ANY"),
		PayloadFormatVersion: aws.String("1.0"), TimeoutInMillis: aws.Int32(12000)})
	check(t, err)
	return aws.ToString(out.IntegrationId)
}

// addRoute adds a route with the given authorization, targeting the integration.
func addRoute(t *testing.T, c *apigatewayv2.Client, apiID, key string, auth v2types.AuthorizationType, authorizerID, integrationID string, scopes ...string) string {
	t.Helper()
	in := &apigatewayv2.CreateRouteInput{ApiId: &apiID, RouteKey: &key, AuthorizationType: auth, AuthorizationScopes: scopes}
	if authorizerID != "" {
		in.AuthorizerId = &authorizerID
	}
	if integrationID != "" {
		in.Target = aws.String("integrations/" + integrationID)
	}
	out, err := c.CreateRoute(t.Context(), in)
	check(t, err)
	return aws.ToString(out.RouteId)
}

func newStage2(t *testing.T, c *apigatewayv2.Client, apiID, name string, autoDeploy bool) {
	t.Helper()
	_, err := c.CreateStage(t.Context(), &apigatewayv2.CreateStageInput{ApiId: &apiID, StageName: &name, AutoDeploy: aws.Bool(autoDeploy)})
	check(t, err)
}

func deploy2(t *testing.T, c *apigatewayv2.Client, apiID, stage, description string) string {
	t.Helper()
	in := &apigatewayv2.CreateDeploymentInput{ApiId: &apiID, Description: aws.String(description)}
	if stage != "" {
		in.StageName = &stage
	}
	out, err := c.CreateDeployment(t.Context(), in)
	check(t, err)
	if out.DeploymentStatus != v2types.DeploymentStatusDeployed || out.CreatedDate == nil || aws.ToBool(out.AutoDeployed) {
		t.Errorf("CreateDeployment answered %+v", out)
	}
	return aws.ToString(out.DeploymentId)
}

// errorCode returns the AWS error code the SDK decoded, or "".
func errorCode(err error) string {
	var ae interface{ ErrorCode() string }
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	if got := errorCode(err); got != code {
		t.Errorf("%s: err = %v, want %s", what, err, code)
	}
}

// TestV2Deployments: moto has no v2 deployments; the shim keeps them, points stages at them and
// honours UpdateStage's deploymentId.
func TestV2Deployments(t *testing.T) {
	s, _ := setup(t)
	ctx := t.Context()
	c := apigw2(s, region)
	nr := apigw2(s, region, noRetry2)
	apiID := newHTTPAPI(t, c, "orders")
	newStage2(t, c, apiID, "prod", false)

	_, err := nr.CreateDeployment(ctx, &apigatewayv2.CreateDeploymentInput{ApiId: &apiID})
	wantCode(t, "API without routes", err, "BadRequestException")

	integ := addIntegration(t, c, apiID, "https://backend.example.com")
	addRoute(t, c, apiID, "GET /orders", v2types.AuthorizationTypeNone, "", integ)
	first := deploy2(t, c, apiID, "prod", "first")
	second := deploy2(t, c, apiID, "", "second")

	st, err := c.GetStage(ctx, &apigatewayv2.GetStageInput{ApiId: &apiID, StageName: aws.String("prod")})
	check(t, err)
	if aws.ToString(st.DeploymentId) != first {
		t.Errorf("stage points to %q, want %q", aws.ToString(st.DeploymentId), first)
	}
	got, err := c.GetDeployment(ctx, &apigatewayv2.GetDeploymentInput{ApiId: &apiID, DeploymentId: &second})
	check(t, err)
	if aws.ToString(got.Description) != "second" || got.DeploymentStatus != v2types.DeploymentStatusDeployed {
		t.Errorf("GetDeployment = %+v", got)
	}
	list, err := c.GetDeployments(ctx, &apigatewayv2.GetDeploymentsInput{ApiId: &apiID})
	check(t, err)
	if len(list.Items) != 2 || list.NextToken != nil {
		t.Errorf("GetDeployments = %d items, token %v", len(list.Items), list.NextToken)
	}

	// UpdateStage (which moto lacks) moves the stage; an unknown deployment is refused.
	_, err = c.UpdateStage(ctx, &apigatewayv2.UpdateStageInput{ApiId: &apiID, StageName: aws.String("prod"), DeploymentId: &second})
	check(t, err)
	st, err = c.GetStage(ctx, &apigatewayv2.GetStageInput{ApiId: &apiID, StageName: aws.String("prod")})
	check(t, err)
	if aws.ToString(st.DeploymentId) != second {
		t.Errorf("after UpdateStage the stage points to %q, want %q", aws.ToString(st.DeploymentId), second)
	}
	_, err = nr.UpdateStage(ctx, &apigatewayv2.UpdateStageInput{ApiId: &apiID, StageName: aws.String("prod"), DeploymentId: aws.String("nope")})
	wantCode(t, "unknown deployment", err, "NotFoundException")
	_, err = nr.CreateDeployment(ctx, &apigatewayv2.CreateDeploymentInput{ApiId: &apiID, StageName: aws.String("nope")})
	wantCode(t, "unknown stage", err, "NotFoundException")
	_, err = nr.CreateDeployment(ctx, &apigatewayv2.CreateDeploymentInput{ApiId: aws.String("nope")})
	wantCode(t, "unknown API", err, "NotFoundException")
	_, err = nr.GetDeployment(ctx, &apigatewayv2.GetDeploymentInput{ApiId: &apiID, DeploymentId: aws.String("nope")})
	wantCode(t, "GetDeployment of an unknown one", err, "NotFoundException")

	// A stage made with a deployment keeps it (moto drops it).
	_, err = c.CreateStage(ctx, &apigatewayv2.CreateStageInput{ApiId: &apiID, StageName: aws.String("dev"), DeploymentId: &first})
	check(t, err)
	st, err = c.GetStage(ctx, &apigatewayv2.GetStageInput{ApiId: &apiID, StageName: aws.String("dev")})
	check(t, err)
	if aws.ToString(st.DeploymentId) != first {
		t.Errorf("dev points to %q, want %q", aws.ToString(st.DeploymentId), first)
	}
	_, err = nr.CreateStage(ctx, &apigatewayv2.CreateStageInput{ApiId: &apiID, StageName: aws.String("dev")})
	wantCode(t, "stage that exists", err, "ConflictException")

	// Deleting the deployment a stage points to is allowed; the stage keeps the dangling id.
	_, err = c.DeleteDeployment(ctx, &apigatewayv2.DeleteDeploymentInput{ApiId: &apiID, DeploymentId: &second})
	check(t, err)
	st, err = c.GetStage(ctx, &apigatewayv2.GetStageInput{ApiId: &apiID, StageName: aws.String("prod")})
	check(t, err)
	if aws.ToString(st.DeploymentId) != second {
		t.Errorf("prod points to %q after the deletion, want the dangling %q", aws.ToString(st.DeploymentId), second)
	}
	_, err = nr.GetDeployment(ctx, &apigatewayv2.GetDeploymentInput{ApiId: &apiID, DeploymentId: &second})
	wantCode(t, "deleted deployment", err, "NotFoundException")

	// Paging, and the log tells v2 operations apart.
	for i := range 3 {
		deploy2(t, c, apiID, "", fmt.Sprint("more ", i))
	}
	s.SetMaxPageSize(2)
	s.ResetLog()
	var ids []string
	var token *string
	for {
		out, err := c.GetDeployments(ctx, &apigatewayv2.GetDeploymentsInput{ApiId: &apiID, NextToken: token})
		check(t, err)
		for _, d := range out.Items {
			ids = append(ids, aws.ToString(d.DeploymentId))
		}
		if token = out.NextToken; token == nil {
			break
		}
	}
	if len(ids) != 4 || ids[0] != first {
		t.Errorf("paged deployments = %v", ids)
	}
	reqs := s.Requests()
	if len(reqs) != 2 || !reqs[0].V2 || reqs[0].Operation != "GetDeployments" || reqs[0].APIID != apiID {
		t.Errorf("log = %+v", reqs)
	}
}

// TestV2UpdateStage: moto has no UpdateStage; the shim applies each member over moto's stage and
// carries the status message a test sets.
func TestV2UpdateStage(t *testing.T) {
	s, _ := setup(t)
	ctx := t.Context()
	c := apigw2(s, region)
	apiID := newHTTPAPI(t, c, "staged")
	newStage2(t, c, apiID, "$default", true)
	newStage2(t, c, apiID, "beta", false)

	before, err := c.GetStage(ctx, &apigatewayv2.GetStageInput{ApiId: &apiID, StageName: aws.String("beta")})
	check(t, err)
	out, err := c.UpdateStage(ctx, &apigatewayv2.UpdateStageInput{ApiId: &apiID, StageName: aws.String("beta"),
		Description: aws.String("the beta"), AutoDeploy: aws.Bool(true), StageVariables: map[string]string{"backend": "b.example.com"}})
	check(t, err)
	if aws.ToString(out.Description) != "the beta" || !aws.ToBool(out.AutoDeploy) || out.StageVariables["backend"] != "b.example.com" {
		t.Errorf("UpdateStage answered %+v", out)
	}
	if out.LastUpdatedDate == nil || out.LastUpdatedDate.Before(*before.LastUpdatedDate) {
		t.Errorf("lastUpdatedDate %v, was %v", out.LastUpdatedDate, before.LastUpdatedDate)
	}

	s.SetLastDeploymentStatusMessage(region, apiID, "$default", "Deployment failed: integration unreachable")
	stages, err := c.GetStages(ctx, &apigatewayv2.GetStagesInput{ApiId: &apiID})
	check(t, err)
	seen := map[string]v2types.Stage{}
	for _, st := range stages.Items {
		seen[aws.ToString(st.StageName)] = st
	}
	if msg := aws.ToString(seen["$default"].LastDeploymentStatusMessage); msg != "Deployment failed: integration unreachable" {
		t.Errorf("$default status message %q", msg)
	}
	if aws.ToString(seen["beta"].Description) != "the beta" || seen["beta"].LastDeploymentStatusMessage != nil {
		t.Errorf("beta in GetStages = %+v", seen["beta"])
	}
	// Another region's stage of the same id is not touched.
	if _, err := apigw2(s, "eu-west-1", noRetry2).GetStage(ctx, &apigatewayv2.GetStageInput{ApiId: &apiID, StageName: aws.String("$default")}); errorCode(err) != "NotFoundException" {
		t.Errorf("other region: err = %v", err)
	}

	_, err = apigw2(s, region, noRetry2).UpdateStage(ctx, &apigatewayv2.UpdateStageInput{ApiId: &apiID, StageName: aws.String("gone"), Description: aws.String("x")})
	wantCode(t, "UpdateStage of an unknown stage", err, "NotFoundException")

	// A stage deleted and made again starts afresh.
	_, err = c.DeleteStage(ctx, &apigatewayv2.DeleteStageInput{ApiId: &apiID, StageName: aws.String("beta")})
	check(t, err)
	newStage2(t, c, apiID, "beta", false)
	st, err := c.GetStage(ctx, &apigatewayv2.GetStageInput{ApiId: &apiID, StageName: aws.String("beta")})
	check(t, err)
	if st.Description != nil || aws.ToBool(st.AutoDeploy) {
		t.Errorf("recreated stage = %+v", st)
	}
}

// export reads an ExportApi answer as a JSON document.
func export(t *testing.T, c *apigatewayv2.Client, apiID, stage string, extensions *bool) map[string]any {
	t.Helper()
	in := &apigatewayv2.ExportApiInput{ApiId: &apiID, OutputType: aws.String("JSON"), Specification: aws.String("OAS30"), IncludeExtensions: extensions}
	if stage != "" {
		in.StageName = &stage
	}
	out, err := c.ExportApi(t.Context(), in)
	check(t, err)
	var doc map[string]any
	if err := json.Unmarshal(out.Body, &doc); err != nil {
		t.Fatalf("export is not JSON: %v\n%s", err, out.Body)
	}
	return doc
}

// dig walks a decoded document; it returns nil when a step is missing.
func dig(v any, path ...string) any {
	for _, p := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[p]
	}
	return v
}

// operations lists "method path" of an export's paths, sorted.
func operations(doc map[string]any) []string {
	var ops []string
	paths, _ := doc["paths"].(map[string]any)
	for p, item := range paths {
		for m := range item.(map[string]any) {
			if m != "parameters" {
				ops = append(ops, m+" "+p)
			}
		}
	}
	sort.Strings(ops)
	return ops
}

// TestExportApi: moto has no ExportApi; the shim writes the OpenAPI 3.0 document of the current
// routes, of the deployment a stage points to, or of the current routes for an autoDeploy stage.
func TestExportApi(t *testing.T) {
	s, _ := setup(t)
	ctx := t.Context()
	c := apigw2(s, region)
	nr := apigw2(s, region, noRetry2)
	apiID := newHTTPAPI(t, c, "shop")
	integ := addIntegration(t, c, apiID, "https://shop.example.com")
	jwt, err := c.CreateAuthorizer(ctx, &apigatewayv2.CreateAuthorizerInput{ApiId: &apiID, Name: aws.String("cognito"),
		AuthorizerType: v2types.AuthorizerTypeJwt, IdentitySource: []string{"$request.header.Authorization"},
		JwtConfiguration: &v2types.JWTConfiguration{Audience: []string{"shop-client"}, Issuer: aws.String("https://issuer.example.com")}})
	check(t, err)
	lambda, err := c.CreateAuthorizer(ctx, &apigatewayv2.CreateAuthorizerInput{ApiId: &apiID, Name: aws.String("gatekeeper"),
		AuthorizerType: v2types.AuthorizerTypeRequest, IdentitySource: []string{"$request.header.X-Token"},
		AuthorizerUri:                  aws.String("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:gate/invocations"),
		AuthorizerPayloadFormatVersion: aws.String("2.0"), EnableSimpleResponses: aws.Bool(true)})
	check(t, err)
	addRoute(t, c, apiID, "GET /orders/{id}", v2types.AuthorizationTypeJwt, aws.ToString(jwt.AuthorizerId), integ, "orders.read")
	postID := addRoute(t, c, apiID, "POST /orders", v2types.AuthorizationTypeAwsIam, "", integ)
	addRoute(t, c, apiID, "ANY /admin/{proxy+}", v2types.AuthorizationTypeCustom, aws.ToString(lambda.AuthorizerId), integ)
	addRoute(t, c, apiID, "$default", v2types.AuthorizationTypeNone, "", integ)
	newStage2(t, c, apiID, "prod", false)
	newStage2(t, c, apiID, "live", true)
	newStage2(t, c, apiID, "empty", false)
	deploy2(t, c, apiID, "prod", "v1")

	// The deployed definition stays with prod once the working one changes.
	_, err = c.DeleteRoute(ctx, &apigatewayv2.DeleteRouteInput{ApiId: &apiID, RouteId: &postID})
	check(t, err)
	addRoute(t, c, apiID, "DELETE /orders/{id}", v2types.AuthorizationTypeAwsIam, "", integ)

	deployed := []string{"get /orders/{id}", "post /orders", "x-amazon-apigateway-any-method /$default", "x-amazon-apigateway-any-method /admin/{proxy+}"}
	current := []string{"delete /orders/{id}", "get /orders/{id}", "x-amazon-apigateway-any-method /$default", "x-amazon-apigateway-any-method /admin/{proxy+}"}
	latest := export(t, c, apiID, "", nil)
	if got := operations(latest); !slices.Equal(got, current) {
		t.Errorf("latest export operations = %v, want %v", got, current)
	}
	if got := operations(export(t, c, apiID, "prod", nil)); !slices.Equal(got, deployed) {
		t.Errorf("prod export operations = %v, want %v", got, deployed)
	}
	if got := operations(export(t, c, apiID, "live", nil)); !slices.Equal(got, current) {
		t.Errorf("autoDeploy stage export operations = %v, want %v", got, current)
	}

	// The document's shape.
	if latest["openapi"] != "3.0.1" || dig(latest, "info", "title") != "shop" || dig(latest, "x-amazon-apigateway-importexport-version") != "1.0" {
		t.Errorf("document head: openapi %v, title %v, version ext %v", latest["openapi"], dig(latest, "info", "title"), latest["x-amazon-apigateway-importexport-version"])
	}
	get := dig(latest, "paths", "/orders/{id}", "get")
	if sec := fmt.Sprint(dig(get, "security")); sec != "[map[cognito:[orders.read]]]" {
		t.Errorf("JWT route security = %s", sec)
	}
	if typ := dig(get, "x-amazon-apigateway-integration", "type"); typ != "http_proxy" {
		t.Errorf("integration type = %v", typ)
	}
	if uri := dig(get, "x-amazon-apigateway-integration", "uri"); uri != "https://shop.example.com" {
		t.Errorf("integration uri = %v", uri)
	}
	if params := fmt.Sprint(dig(latest, "paths", "/orders/{id}", "parameters")); !strings.Contains(params, "name:id") {
		t.Errorf("path parameters = %s", params)
	}
	if sec := fmt.Sprint(dig(latest, "paths", "/orders/{id}", "delete", "security")); sec != "[map[sigv4:[]]]" {
		t.Errorf("AWS_IAM route security = %s", sec)
	}
	if sec := fmt.Sprint(dig(latest, "paths", "/admin/{proxy+}", anyMethod, "security")); sec != "[map[gatekeeper:[]]]" {
		t.Errorf("Lambda authorizer route security = %s", sec)
	}
	if dig(latest, "paths", "/$default", anyMethod, "isDefaultRoute") != true {
		t.Errorf("$default route = %v", dig(latest, "paths", "/$default"))
	}
	schemes := dig(latest, "components", "securitySchemes")
	if dig(schemes, "cognito", "type") != "oauth2" || dig(schemes, "cognito", "x-amazon-apigateway-authorizer", "type") != "jwt" ||
		dig(schemes, "cognito", "x-amazon-apigateway-authorizer", "jwtConfiguration", "issuer") != "https://issuer.example.com" {
		t.Errorf("JWT scheme = %v", dig(schemes, "cognito"))
	}
	if dig(schemes, "gatekeeper", "name") != "X-Token" || dig(schemes, "gatekeeper", "x-amazon-apigateway-authorizer", "type") != "request" {
		t.Errorf("Lambda scheme = %v", dig(schemes, "gatekeeper"))
	}
	if dig(schemes, "sigv4", "x-amazon-apigateway-authtype") != "awsSigv4" {
		t.Errorf("sigv4 scheme = %v", dig(schemes, "sigv4"))
	}
	if d := dig(export(t, c, apiID, "prod", nil), "servers"); !strings.Contains(fmt.Sprint(d), "default:prod") {
		t.Errorf("prod servers = %v", d)
	}

	// Without extensions: no integration, no authorizer, no version extension.
	plain := export(t, c, apiID, "", aws.Bool(false))
	if dig(plain, "paths", "/orders/{id}", "get", "x-amazon-apigateway-integration") != nil ||
		dig(plain, "components", "securitySchemes", "cognito", "x-amazon-apigateway-authorizer") != nil ||
		plain["x-amazon-apigateway-importexport-version"] != nil {
		t.Errorf("export without extensions carries extensions: %v", plain)
	}
	if got := operations(plain); !slices.Equal(got, current) {
		t.Errorf("plain export operations = %v", got)
	}

	// YAML.
	out, err := c.ExportApi(ctx, &apigatewayv2.ExportApiInput{ApiId: &apiID, OutputType: aws.String("YAML"), Specification: aws.String("OAS30")})
	check(t, err)
	var y map[string]any
	if err := yaml.Unmarshal(out.Body, &y); err != nil || dig(y, "info", "title") != "shop" {
		t.Errorf("YAML export: %v\n%s", err, out.Body)
	}

	// Refusals.
	exp := func(stage, outputType, spec string) error {
		in := &apigatewayv2.ExportApiInput{ApiId: &apiID, OutputType: &outputType, Specification: &spec}
		if stage != "" {
			in.StageName = &stage
		}
		_, err := nr.ExportApi(ctx, in)
		return err
	}
	wantCode(t, "unknown stage", exp("nope", "JSON", "OAS30"), "NotFoundException")
	wantCode(t, "stage without deployment", exp("empty", "JSON", "OAS30"), "BadRequestException")
	wantCode(t, "bad output type", exp("", "XML", "OAS30"), "BadRequestException")
	wantCode(t, "bad specification", exp("", "JSON", "SWAGGER"), "BadRequestException")
	ws, err := c.CreateApi(ctx, &apigatewayv2.CreateApiInput{Name: aws.String("ws"), ProtocolType: v2types.ProtocolTypeWebsocket,
		RouteSelectionExpression: aws.String("$request.body.action")})
	check(t, err)
	_, err = nr.ExportApi(ctx, &apigatewayv2.ExportApiInput{ApiId: ws.ApiId, OutputType: aws.String("JSON"), Specification: aws.String("OAS30")})
	wantCode(t, "WebSocket API", err, "BadRequestException")
	_, err = nr.ExportApi(ctx, &apigatewayv2.ExportApiInput{ApiId: aws.String("nope"), OutputType: aws.String("JSON"), Specification: aws.String("OAS30")})
	wantCode(t, "unknown API", err, "NotFoundException")
}

// TestV2Paging: moto answers every v2 list at once; the shim pages by maxResults and nextToken.
func TestV2Paging(t *testing.T) {
	s, _ := setup(t)
	ctx := t.Context()
	c := apigw2(s, region)
	var apis []string
	for i := range 5 {
		apis = append(apis, newHTTPAPI(t, c, fmt.Sprint("api-", i)))
	}
	integ := addIntegration(t, c, apis[0], "https://x.example.com")
	var routes, stages []string
	for i := range 5 {
		routes = append(routes, addRoute(t, c, apis[0], fmt.Sprintf("GET /r%d", i), v2types.AuthorizationTypeNone, "", integ))
		name := fmt.Sprint("s", i)
		newStage2(t, c, apis[0], name, false)
		stages = append(stages, name)
	}
	s.SetMaxPageSize(2)
	s.ResetLog()

	drainV2 := func(page func(token *string) ([]string, *string)) []string {
		var all []string
		var token *string
		for {
			ids, next := page(token)
			all = append(all, ids...)
			if token = next; token == nil {
				sort.Strings(all)
				return all
			}
		}
	}
	tests := []struct {
		op   string
		want []string
		got  func() []string
	}{
		{"GetApis", apis, func() []string {
			return drainV2(func(tok *string) ([]string, *string) {
				out, err := c.GetApis(ctx, &apigatewayv2.GetApisInput{NextToken: tok, MaxResults: aws.String("500")})
				check(t, err)
				return collect(out.Items, func(a v2types.Api) *string { return a.ApiId }), out.NextToken
			})
		}},
		{"GetRoutes", routes, func() []string {
			return drainV2(func(tok *string) ([]string, *string) {
				out, err := c.GetRoutes(ctx, &apigatewayv2.GetRoutesInput{ApiId: &apis[0], NextToken: tok})
				check(t, err)
				return collect(out.Items, func(r v2types.Route) *string { return r.RouteId }), out.NextToken
			})
		}},
		{"GetStages", stages, func() []string {
			return drainV2(func(tok *string) ([]string, *string) {
				out, err := c.GetStages(ctx, &apigatewayv2.GetStagesInput{ApiId: &apis[0], NextToken: tok})
				check(t, err)
				return collect(out.Items, func(st v2types.Stage) *string { return st.StageName }), out.NextToken
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

	s.SetMaxPageSize(0)
	out, err := c.GetApis(ctx, &apigatewayv2.GetApisInput{MaxResults: aws.String("3")})
	check(t, err)
	if len(out.Items) != 3 || out.NextToken == nil {
		t.Errorf("maxResults 3: %d items, token %v", len(out.Items), out.NextToken)
	}
	nr := apigw2(s, region, noRetry2)
	_, err = nr.GetApis(ctx, &apigatewayv2.GetApisInput{NextToken: aws.String("not-a-token")})
	wantCode(t, "bad token", err, "BadRequestException")
	_, err = nr.GetRoutes(ctx, &apigatewayv2.GetRoutesInput{ApiId: &apis[0], NextToken: out.NextToken})
	wantCode(t, "another list's token", err, "BadRequestException")
	_, err = nr.GetApis(ctx, &apigatewayv2.GetApisInput{MaxResults: aws.String("0")})
	wantCode(t, "maxResults 0", err, "BadRequestException")
}

// TestV2FaultByAPIID: a fault aimed at one v2 API hits its calls and no other API's.
func TestV2FaultByAPIID(t *testing.T) {
	s, _ := setup(t)
	ctx := t.Context()
	c := apigw2(s, region, noRetry2)
	hit, miss := newHTTPAPI(t, c, "hit"), newHTTPAPI(t, c, "miss")
	s.AddFault(Fault{APIID: hit, Status: 503})
	_, err := c.GetStages(ctx, &apigatewayv2.GetStagesInput{ApiId: &hit})
	wantCode(t, "faulted API", err, "ServiceUnavailableException")
	_, err = c.GetStages(ctx, &apigatewayv2.GetStagesInput{ApiId: &miss})
	check(t, err)
}
