package awsemu

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// exportAPI answers ExportApi, which moto lacks, with the OpenAPI 3.0 definition AWS exports for
// an HTTP API: without stageName the current routes; with it, the routes of the deployment the
// stage points to, or the current ones for a stage with autoDeploy (AWS redeploys those on
// every change, which the shim does not). The document keeps to what AWS's exports are seen to
// hold, and to the least where that is not documented; see openAPIDocument.
func (s *Shim) exportAPI(ctx context.Context, in *inbound) (*reply, error) {
	q := in.r.URL.Query()
	if spec := in.call.Labels["specification"]; spec != "OAS30" {
		return s.badRequest(in, "Unsupported specification "+spec+": OAS30 is the only supported value"), nil
	}
	outputType := q.Get("outputType")
	if outputType != "JSON" && outputType != "YAML" {
		return s.badRequest(in, "Invalid outputType: valid values are JSON and YAML"), nil
	}
	if v := q.Get("exportVersion"); v != "" && v != "1.0" {
		return s.badRequest(in, "Unsupported exportVersion "+v+": 1.0 is the only supported value"), nil
	}
	extensions := !strings.EqualFold(q.Get("includeExtensions"), "false") // included by default
	rep, err := s.side(ctx, in, http.MethodGet, apiPath(in.call.apiID()), "", nil)
	if err != nil || rep.status != http.StatusOK {
		return rep, err
	}
	api := decodeObject(rep.body)
	if stringField(api, "protocolType") != "HTTP" {
		return s.badRequest(in, "Export is supported only for HTTP APIs"), nil
	}

	stage := q.Get("stageName")
	var def *apiDefinition
	version := stringField(api, "createdDate")
	if stage != "" {
		st, rep, err := s.readStage(ctx, in, stage)
		if st == nil {
			return rep, err
		}
		var auto bool
		_ = json.Unmarshal(st["autoDeploy"], &auto)
		if !auto {
			depID := stringField(st, "deploymentId")
			d := s.findDeployment(in, depID)
			if d == nil {
				return s.badRequest(in, "The stage "+stage+" has no deployment to export"), nil
			}
			def, version = d.definition, isoTime(d.created)
		}
	}
	if def == nil {
		var rep *reply
		if def, rep, err = s.readDefinition(ctx, in); def == nil {
			return rep, err
		}
	}
	body, err := json.MarshalIndent(openAPIDocument(api, def, stage, version, extensions), "", "  ")
	if err != nil {
		return nil, err
	}
	h := http.Header{}
	h.Set("X-Amzn-Requestid", s.nextRequestID())
	h.Set("Content-Type", "application/json")
	if outputType == "YAML" {
		// Through JSON first, so that the raw JSON values of moto's answers become YAML values.
		var generic any
		if err := json.Unmarshal(body, &generic); err != nil {
			return nil, err
		}
		if body, err = yaml.Marshal(generic); err != nil {
			return nil, err
		}
		h.Set("Content-Type", "application/yaml")
	}
	return &reply{status: http.StatusOK, header: h, body: body}, nil
}

// anyMethod is API Gateway's OpenAPI key for the ANY method; the $default route is an ANY method
// under the path /$default with isDefaultRoute. Both belong to how the route itself is written, so
// they are used with and without includeExtensions.
const anyMethod = "x-amazon-apigateway-any-method"

var pathParam = regexp.MustCompile(`\{([^{}]+)\}`)

// openAPIDocument writes an HTTP API's definition as AWS's exports show it: openapi 3.0.1; info
// with the API's name, description and version (the API's version when it has one, else a date:
// the deployment's for a stage, the API's creation for the current definition, which is this
// shim's choice, not documented); one server, the API's endpoint with the stage as basePath; one
// operation per route, keyed by the lowercase method or anyMethod, with a default response, the
// route's security requirement, and a generated parameter for each path parameter; the
// authorizers the routes use under components.securitySchemes (a JWT authorizer as oauth2 with
// empty flows, a Lambda authorizer as apiKey, AWS_IAM as the "sigv4" apiKey scheme that REST API
// exports use, which is not documented for HTTP APIs). With extensions, each operation carries its
// x-amazon-apigateway-integration, each scheme its x-amazon-apigateway-authorizer (or
// x-amazon-apigateway-authtype awsSigv4), and the document the API's CORS configuration and
// x-amazon-apigateway-importexport-version 1.0. Routes are sorted by key, so the document is
// stable.
func openAPIDocument(api map[string]json.RawMessage, def *apiDefinition, stage, version string, extensions bool) map[string]any {
	info := map[string]any{"title": stringField(api, "name"), "version": stringField(api, "version")}
	if info["version"] == "" {
		if t, err := time.Parse(time.RFC3339, version); err == nil {
			info["version"] = t.UTC().Format("2006-01-02 15:04:05") + "UTC"
		} else {
			info["version"] = version
		}
	}
	if d := stringField(api, "description"); d != "" {
		info["description"] = d
	}
	basePath := stage
	if stage == "$default" {
		basePath = ""
	}
	doc := map[string]any{
		"openapi": "3.0.1",
		"info":    info,
		"servers": []any{map[string]any{
			"url":       stringField(api, "apiEndpoint") + "/{basePath}",
			"variables": map[string]any{"basePath": map[string]any{"default": basePath}},
		}},
	}

	routes := append([]v2Route(nil), def.Routes...)
	sort.Slice(routes, func(i, j int) bool { return routes[i].RouteKey < routes[j].RouteKey })
	paths := map[string]map[string]any{}
	schemes := map[string]any{}
	for _, rt := range routes {
		path, method := "/$default", anyMethod
		if verb, p, ok := strings.Cut(rt.RouteKey, " "); ok {
			path, method = p, strings.ToLower(verb)
			if verb == "ANY" {
				method = anyMethod
			}
		}
		op := map[string]any{
			"responses": map[string]any{"default": map[string]any{"description": "Default response for " + rt.RouteKey}},
		}
		if rt.RouteKey == "$default" {
			op["isDefaultRoute"] = true
		}
		if name, scheme := securityScheme(rt, def, extensions); name != "" {
			scopes := []string{}
			if rt.AuthorizationType == "JWT" {
				scopes = append(scopes, rt.AuthorizationScopes...)
			}
			op["security"] = []any{map[string]any{name: scopes}}
			schemes[name] = scheme
		}
		if extensions {
			if it, ok := def.Integrations[strings.TrimPrefix(rt.Target, "integrations/")]; ok {
				op["x-amazon-apigateway-integration"] = integrationExtension(it)
			}
		}
		item := paths[path]
		if item == nil {
			item = map[string]any{}
			paths[path] = item
			var params []any
			for _, m := range pathParam.FindAllStringSubmatch(path, -1) {
				params = append(params, map[string]any{
					"name": m[1], "in": "path", "required": true,
					"description": "Generated path parameter for " + m[1],
					"schema":      map[string]any{"type": "string"},
				})
			}
			if params != nil {
				item["parameters"] = params
			}
		}
		item[method] = op
	}
	doc["paths"] = paths
	if len(schemes) > 0 {
		doc["components"] = map[string]any{"securitySchemes": schemes}
	}
	if extensions {
		doc["x-amazon-apigateway-importexport-version"] = "1.0"
		var cors map[string]any
		if json.Unmarshal(api["corsConfiguration"], &cors) == nil && len(cors) > 0 {
			doc["x-amazon-apigateway-cors"] = cors
		}
	}
	return doc
}

// securityScheme names the scheme a route's authorization uses and writes it; "" for none.
func securityScheme(rt v2Route, def *apiDefinition, extensions bool) (string, map[string]any) {
	switch rt.AuthorizationType {
	case "AWS_IAM":
		scheme := map[string]any{"type": "apiKey", "name": "Authorization", "in": "header"}
		if extensions {
			scheme["x-amazon-apigateway-authtype"] = "awsSigv4"
		}
		return "sigv4", scheme
	case "JWT", "CUSTOM":
	default:
		return "", nil
	}
	a, ok := def.Authorizers[rt.AuthorizerID]
	if !ok {
		return "", nil
	}
	ext := map[string]any{"identitySource": strings.Join(a.IdentitySource, ",")}
	var scheme map[string]any
	if a.AuthorizerType == "JWT" {
		scheme = map[string]any{"type": "oauth2", "flows": map[string]any{}}
		ext["type"] = "jwt"
		if len(a.JWTConfiguration) > 0 && string(a.JWTConfiguration) != "null" {
			ext["jwtConfiguration"] = a.JWTConfiguration
		}
	} else {
		// A Lambda authorizer: as for REST APIs, one header or query parameter as identity
		// source is named; any other identity source is "Unused" in the header.
		name, where := "Unused", "header"
		if len(a.IdentitySource) == 1 {
			for prefix, in := range map[string]string{"$request.header.": "header", "$request.querystring.": "query"} {
				if n, ok := strings.CutPrefix(a.IdentitySource[0], prefix); ok {
					name, where = n, in
				}
			}
		}
		scheme = map[string]any{"type": "apiKey", "name": name, "in": where}
		ext["type"] = "request"
		put := func(k string, v any, ok bool) {
			if ok {
				ext[k] = v
			}
		}
		put("authorizerUri", a.AuthorizerURI, a.AuthorizerURI != "")
		put("authorizerCredentials", a.AuthorizerCredentialsArn, a.AuthorizerCredentialsArn != "")
		put("authorizerPayloadFormatVersion", a.AuthorizerPayloadFormatVersion, a.AuthorizerPayloadFormatVersion != "")
		if a.AuthorizerResultTTLInSeconds != nil {
			ext["authorizerResultTtlInSeconds"] = *a.AuthorizerResultTTLInSeconds
		}
		if a.EnableSimpleResponses != nil {
			ext["enableSimpleResponses"] = *a.EnableSimpleResponses
		}
	}
	if extensions {
		scheme["x-amazon-apigateway-authorizer"] = ext
	}
	return a.Name, scheme
}

// integrationExtension writes an integration as HTTP API exports do: the type in lowercase, the
// method as httpMethod, and the integration's other settings under their OpenAPI names.
func integrationExtension(it v2Integration) map[string]any {
	connection := it.ConnectionType
	if connection == "" {
		connection = "INTERNET"
	}
	ext := map[string]any{"type": strings.ToLower(it.IntegrationType), "connectionType": connection}
	put := func(k, v string) {
		if v != "" {
			ext[k] = v
		}
	}
	put("httpMethod", it.IntegrationMethod)
	put("uri", it.IntegrationURI)
	put("payloadFormatVersion", it.PayloadFormatVersion)
	put("connectionId", it.ConnectionID)
	put("credentials", it.CredentialsArn)
	put("integrationSubtype", it.IntegrationSubtype)
	if it.TimeoutInMillis > 0 {
		ext["timeoutInMillis"] = it.TimeoutInMillis
	}
	if len(it.RequestParameters) > 0 {
		ext["requestParameters"] = it.RequestParameters
	}
	if len(it.TLSConfig) > 0 && string(it.TLSConfig) != "null" {
		ext["tlsConfig"] = it.TLSConfig
	}
	return ext
}
