package inventory

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/aws/smithy-go"
)

// V2Client is the part of the API Gateway v2 client the collector reads with: GET operations
// only. The v2 service has no paginators in the SDK; the collector pages with NextToken itself.
type V2Client interface {
	GetApis(context.Context, *apigatewayv2.GetApisInput, ...func(*apigatewayv2.Options)) (*apigatewayv2.GetApisOutput, error)
	GetStages(context.Context, *apigatewayv2.GetStagesInput, ...func(*apigatewayv2.Options)) (*apigatewayv2.GetStagesOutput, error)
	GetDeployments(context.Context, *apigatewayv2.GetDeploymentsInput, ...func(*apigatewayv2.Options)) (*apigatewayv2.GetDeploymentsOutput, error)
	ExportApi(context.Context, *apigatewayv2.ExportApiInput, ...func(*apigatewayv2.Options)) (*apigatewayv2.ExportApiOutput, error)
	GetApiMappings(context.Context, *apigatewayv2.GetApiMappingsInput, ...func(*apigatewayv2.Options)) (*apigatewayv2.GetApiMappingsOutput, error)
}

var _ V2Client = (*apigatewayv2.Client)(nil)

// API types, as findings name them.
const (
	TypeREST      = "REST"
	TypeHTTP      = "HTTP"
	TypeWebSocket = "WEBSOCKET"
)

// Operation names of API Gateway v2 that v1 does not have. Its GetStages and GetDeployments
// share v1's names; a scan error's scope (an HTTP or WebSocket API's id) tells them apart.
const (
	OpGetApis        = "GetApis"
	OpGetApiMappings = "GetApiMappings"
	OpExportApi      = "ExportApi"
)

// v2PageSize is API Gateway v2's largest page.
const v2PageSize = "500"

// V2API is an HTTP or WebSocket API (API Gateway v2) with what the checks need.
type V2API struct {
	ID           string            `json:"id"`
	Name         string            `json:"name"`
	ProtocolType string            `json:"protocol_type"`
	Tags         map[string]string `json:"tags,omitempty"`
	// CORS is true when the API has a CorsConfiguration (API Gateway then answers preflights).
	CORS bool `json:"cors,omitempty"`
	// Routes is the API's current definition, from ExportApi without a stage (HTTP APIs only:
	// WebSocket APIs cannot be exported).
	Routes []Route   `json:"routes,omitempty"`
	Stages []V2Stage `json:"stages"`
	// DeploymentIDs lists the API's deployments.
	DeploymentIDs []string `json:"deployment_ids,omitempty"`
	// Unread lists the operations whose data is missing for this API (GetStages,
	// GetDeployments, ExportApi); like API.Unread it starts full and empties as reads succeed.
	Unread []string `json:"unread,omitempty"`
}

// Type is the API's type as findings name it: HTTP or WEBSOCKET.
func (a *V2API) Type() string {
	if a.ProtocolType == "WEBSOCKET" {
		return TypeWebSocket
	}
	return TypeHTTP
}

// V2Stage is one stage of an HTTP or WebSocket API. Stage variable values are never read.
type V2Stage struct {
	Name         string `json:"name"`
	DeploymentID string `json:"deployment_id,omitempty"`
	AutoDeploy   bool   `json:"auto_deploy,omitempty"`
	// LastDeploymentStatusMessage is set when the stage's last automatic deployment failed.
	LastDeploymentStatusMessage string `json:"last_deployment_status_message,omitempty"`
	// Deployed is what the stage serves, from ExportApi of the stage; read only for an HTTP
	// API's stage that is not deployed automatically and has a deployment.
	Deployed []Route `json:"deployed,omitempty"`
	// DeployedRead is true once Deployed was read.
	DeployedRead bool `json:"deployed_read,omitempty"`
}

// Route is one route of an HTTP API: its key ("GET /orders/{id}", "ANY /x", "$default") and
// how it is authorized (NONE, AWS_IAM, JWT, CUSTOM, with the authorizer's name for the last two).
type Route struct {
	Key  string `json:"key"`
	Auth string `json:"auth"`
}

func (s *regionScan) v2Fail(apiID, op string, err error) {
	s.fail(ScanError{APIID: apiID, Operation: op}, err)
}

// listV2APIs reads the region's HTTP and WebSocket APIs.
func (s *regionScan) listV2APIs(ctx context.Context) ([]V2API, error) {
	if s.v2 == nil {
		return nil, fmt.Errorf("list HTTP and WebSocket APIs in %s: no API Gateway v2 client", s.region.Name)
	}
	apis, err := Pages(ctx, func(token *string) ([]V2API, *string, error) {
		out, err := s.v2.GetApis(ctx, &apigatewayv2.GetApisInput{MaxResults: aws.String(v2PageSize), NextToken: token})
		if err != nil {
			return nil, nil, err
		}
		var page []V2API
		for _, a := range out.Items {
			page = append(page, V2API{ID: aws.ToString(a.ApiId), Name: aws.ToString(a.Name), ProtocolType: string(a.ProtocolType), Tags: a.Tags,
				CORS: a.CorsConfiguration != nil, Unread: []string{OpGetStages, OpGetDeployments, OpExportApi}})
		}
		return page, out.NextToken, nil
	})
	if err != nil {
		return nil, fmt.Errorf("list HTTP and WebSocket APIs in %s: %w", s.region.Name, err)
	}
	return apis, nil
}

// readV2API reads an HTTP or WebSocket API's stages and deployments and, for an HTTP API, its
// current definition and what each stage that is deployed by hand serves.
func (s *regionScan) readV2API(ctx context.Context, api *V2API) {
	markRead := func(op string) { api.Unread = withoutOp(api.Unread, op) }
	stages, err := Pages(ctx, func(token *string) ([]V2Stage, *string, error) {
		out, err := s.v2.GetStages(ctx, &apigatewayv2.GetStagesInput{ApiId: &api.ID, MaxResults: aws.String(v2PageSize), NextToken: token})
		if err != nil {
			return nil, nil, err
		}
		var page []V2Stage
		for _, st := range out.Items {
			page = append(page, V2Stage{Name: aws.ToString(st.StageName), DeploymentID: aws.ToString(st.DeploymentId),
				AutoDeploy: aws.ToBool(st.AutoDeploy), LastDeploymentStatusMessage: aws.ToString(st.LastDeploymentStatusMessage)})
		}
		return page, out.NextToken, nil
	})
	if err != nil {
		s.v2Fail(api.ID, OpGetStages, fmt.Errorf("get stages of %s API %s: %w", api.Type(), api.ID, err))
		return
	}
	api.Stages = stages
	markRead(OpGetStages)

	if len(api.Stages) > 0 {
		ids, err := Pages(ctx, func(token *string) ([]string, *string, error) {
			out, err := s.v2.GetDeployments(ctx, &apigatewayv2.GetDeploymentsInput{ApiId: &api.ID, MaxResults: aws.String(v2PageSize), NextToken: token})
			if err != nil {
				return nil, nil, err
			}
			var page []string
			for _, d := range out.Items {
				page = append(page, aws.ToString(d.DeploymentId))
			}
			return page, out.NextToken, nil
		})
		if err != nil {
			s.v2Fail(api.ID, OpGetDeployments, fmt.Errorf("get deployments of %s API %s: %w", api.Type(), api.ID, err))
		} else {
			sort.Strings(ids)
			api.DeploymentIDs = ids
			markRead(OpGetDeployments)
		}
	} else {
		markRead(OpGetDeployments)
	}

	if api.Type() != TypeHTTP {
		markRead(OpExportApi) // WebSocket APIs cannot be exported; no route of theirs is judged
		return
	}
	routes, err := s.export(ctx, api.ID, "")
	if err != nil {
		s.v2Fail(api.ID, OpExportApi, fmt.Errorf("export the current definition of HTTP API %s: %w", api.ID, err))
		return
	}
	api.Routes = routes
	exportFailed := false
	for i := range api.Stages {
		st := &api.Stages[i]
		if st.AutoDeploy || st.DeploymentID == "" || !slices.Contains(api.DeploymentIDs, st.DeploymentID) {
			continue
		}
		deployed, err := s.export(ctx, api.ID, st.Name)
		if err != nil {
			s.v2Fail(api.ID, OpExportApi, fmt.Errorf("export stage %q of HTTP API %s: %w", st.Name, api.ID, err))
			exportFailed = true
			continue
		}
		st.Deployed, st.DeployedRead = deployed, true
	}
	if !exportFailed {
		markRead(OpExportApi)
	}
}

// nonNil is s, or an empty slice for nil: a list read whole and empty is [], never null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// export reads an HTTP API's routes from its OpenAPI 3.0 export: the current definition, or
// with stage what that stage serves.
func (s *regionScan) export(ctx context.Context, apiID, stage string) ([]Route, error) {
	in := &apigatewayv2.ExportApiInput{ApiId: &apiID, Specification: aws.String("OAS30"), OutputType: aws.String("JSON"), IncludeExtensions: aws.Bool(true)}
	if stage != "" {
		in.StageName = &stage
	}
	out, err := s.v2.ExportApi(ctx, in)
	if err != nil {
		return nil, err
	}
	return RoutesFromExport(out.Body)
}

// RoutesFromExport reads the routes of an HTTP API from its OpenAPI 3.0 export, in key order.
// A route's authorization is read from its security requirement and the scheme it names:
// AWS_IAM for a SigV4 scheme, JWT or CUSTOM (with the authorizer's name) for an authorizer,
// NONE without one.
func RoutesFromExport(body []byte) ([]Route, error) {
	var doc struct {
		Paths      map[string]map[string]json.RawMessage `json:"paths"`
		Components struct {
			SecuritySchemes map[string]struct {
				Type       string `json:"type"`
				AuthType   string `json:"x-amazon-apigateway-authtype"`
				Authorizer *struct {
					Type string `json:"type"`
				} `json:"x-amazon-apigateway-authorizer"`
			} `json:"securitySchemes"`
		} `json:"components"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, fmt.Errorf("not an OpenAPI export: %w", err)
	}
	if doc.Paths == nil {
		return nil, errors.New("not an OpenAPI export: no paths")
	}
	auth := func(op json.RawMessage) string {
		var o struct {
			Security []map[string][]string `json:"security"`
		}
		if json.Unmarshal(op, &o) != nil || len(o.Security) == 0 {
			return "NONE"
		}
		var kinds []string
		for _, req := range o.Security {
			for name := range req {
				sc := doc.Components.SecuritySchemes[name]
				switch {
				case strings.EqualFold(sc.AuthType, "awsSigv4"):
					kinds = append(kinds, "AWS_IAM")
				case sc.Authorizer != nil && strings.EqualFold(sc.Authorizer.Type, "jwt"), sc.Type == "oauth2", sc.Type == "openIdConnect":
					kinds = append(kinds, "JWT "+name)
				default:
					kinds = append(kinds, "CUSTOM "+name)
				}
			}
		}
		sort.Strings(kinds)
		return strings.Join(kinds, " + ")
	}
	var routes []Route
	for path, ops := range doc.Paths {
		for verb, op := range ops {
			method := strings.ToUpper(verb)
			switch {
			case verb == "x-amazon-apigateway-any-method":
				method = "ANY"
			case strings.HasPrefix(verb, "x-") || !slices.Contains([]string{"GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE"}, method):
				continue // parameters, servers, summaries and other extensions
			}
			key := method + " " + path
			if path == "/$default" && method == "ANY" {
				key = "$default"
			}
			routes = append(routes, Route{Key: intern(key), Auth: intern(auth(op))})
		}
	}
	sort.Slice(routes, func(i, j int) bool { return routes[i].Key < routes[j].Key })
	return routes, nil
}

// accessDenied returns API Gateway's refusal of a call for lack of permission, as "code:
// message"; ok is false when err is anything else.
func accessDenied(err error) (reason string, ok bool) {
	var ae smithy.APIError
	if !errors.As(err, &ae) || (ae.ErrorCode() != "AccessDeniedException" && ae.ErrorCode() != "AccessDenied") {
		return "", false
	}
	return ae.ErrorCode() + ": " + ae.ErrorMessage(), true
}
