package seed

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	v2types "github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"
)

// WithV2 gives the builder an API Gateway v2 client, for HTTP APIs and API mappings.
func (b *Builder) WithV2(client *apigatewayv2.Client) *Builder {
	b.v2 = client
	return b
}

// HTTPAPI is an HTTP API being built.
type HTTPAPI struct {
	b        *Builder
	ID, Name string
	routes   map[string]string // route key to route id
}

// HTTPAPIOptions shape a new HTTP API.
type HTTPAPIOptions struct {
	Tags map[string]string
	// CORS gives the API a CorsConfiguration.
	CORS bool
}

// HTTPAPI creates an HTTP API.
func (b *Builder) HTTPAPI(name string, opts HTTPAPIOptions) *HTTPAPI {
	api := &HTTPAPI{b: b, Name: name, routes: map[string]string{}}
	if b.err != nil {
		return api
	}
	in := &apigatewayv2.CreateApiInput{Name: &name, ProtocolType: v2types.ProtocolTypeHttp, Tags: opts.Tags}
	if opts.CORS {
		in.CorsConfiguration = &v2types.Cors{AllowOrigins: []string{"https://app.example.com"}, AllowMethods: []string{"GET", "POST"}}
	}
	out, err := b.v2.CreateApi(b.ctx, in)
	b.fail("create HTTP API "+name, err)
	if err == nil {
		api.ID = aws.ToString(out.ApiId)
	}
	return api
}

// Route adds a route ("GET /orders", "$default"); auth is "" (none) or AWS_IAM.
func (a *HTTPAPI) Route(key, auth string) *HTTPAPI {
	if a.b.err != nil {
		return a
	}
	in := &apigatewayv2.CreateRouteInput{ApiId: &a.ID, RouteKey: &key}
	if auth != "" {
		in.AuthorizationType = v2types.AuthorizationType(auth)
	}
	out, err := a.b.v2.CreateRoute(a.b.ctx, in)
	a.b.fail(fmt.Sprintf("create route %s of %s", key, a.Name), err)
	if err == nil {
		a.routes[key] = aws.ToString(out.RouteId)
	}
	return a
}

// DeleteRoute deletes a route.
func (a *HTTPAPI) DeleteRoute(key string) *HTTPAPI {
	if a.b.err == nil {
		_, err := a.b.v2.DeleteRoute(a.b.ctx, &apigatewayv2.DeleteRouteInput{ApiId: &a.ID, RouteId: aws.String(a.routes[key])})
		a.b.fail(fmt.Sprintf("delete route %s of %s", key, a.Name), err)
	}
	return a
}

// Stage creates a stage, deployed automatically or not.
func (a *HTTPAPI) Stage(name string, autoDeploy bool) *HTTPAPI {
	if a.b.err == nil {
		_, err := a.b.v2.CreateStage(a.b.ctx, &apigatewayv2.CreateStageInput{ApiId: &a.ID, StageName: &name, AutoDeploy: aws.Bool(autoDeploy)})
		a.b.fail(fmt.Sprintf("create stage %s of %s", name, a.Name), err)
	}
	return a
}

// Deploy deploys the API's current routes to a stage and returns the deployment's id.
func (a *HTTPAPI) Deploy(stage string) string {
	if a.b.err != nil {
		return ""
	}
	out, err := a.b.v2.CreateDeployment(a.b.ctx, &apigatewayv2.CreateDeploymentInput{ApiId: &a.ID, StageName: &stage})
	a.b.fail(fmt.Sprintf("deploy %s to %s", a.Name, stage), err)
	if err != nil {
		return ""
	}
	return aws.ToString(out.DeploymentId)
}

// DeleteDeployment deletes a deployment, leaving a stage that points to it dangling.
func (a *HTTPAPI) DeleteDeployment(id string) *HTTPAPI {
	if a.b.err == nil {
		_, err := a.b.v2.DeleteDeployment(a.b.ctx, &apigatewayv2.DeleteDeploymentInput{ApiId: &a.ID, DeploymentId: &id})
		a.b.fail(fmt.Sprintf("delete deployment %s of %s", id, a.Name), err)
	}
	return a
}

// DeleteStage deletes a stage of the HTTP API, leaving whatever pointed to it dangling.
func (a *HTTPAPI) DeleteStage(name string) *HTTPAPI {
	if a.b.err == nil {
		_, err := a.b.v2.DeleteStage(a.b.ctx, &apigatewayv2.DeleteStageInput{ApiId: &a.ID, StageName: &name})
		a.b.fail(fmt.Sprintf("delete stage %s of %s", name, a.Name), err)
	}
	return a
}

// APIMapping maps key ("" for the root, multi-level allowed) of domain to an API of any type and
// its stage, with the v2 API: the only one that maps HTTP APIs and multi-level keys.
func (b *Builder) APIMapping(domain, key, apiID, stage string) *Builder {
	if b.err == nil {
		in := &apigatewayv2.CreateApiMappingInput{DomainName: &domain, ApiId: &apiID, Stage: &stage}
		if key != "" {
			in.ApiMappingKey = &key
		}
		_, err := b.v2.CreateApiMapping(b.ctx, in)
		b.fail(fmt.Sprintf("map %s/%s with v2", domain, strings.TrimPrefix(key, "/")), err)
	}
	return b
}

// ForConfig returns a Builder with both API Gateway clients made from cfg.
func ForConfig(ctx context.Context, cfg aws.Config) *Builder {
	return New(ctx, apigateway.NewFromConfig(cfg)).WithV2(apigatewayv2.NewFromConfig(cfg))
}
