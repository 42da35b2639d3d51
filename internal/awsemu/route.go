package awsemu

import (
	"bytes"
	"compress/gzip"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
)

// protocol is the AWS wire protocol of a request; it decides how the operation is named and how
// an error made up by the shim must look for the SDK to decode it.
type protocol int

const (
	protoREST  protocol = iota // REST JSON (API Gateway) or anything unrecognised
	protoQuery                 // awsQuery: form-encoded Action (SNS, STS, CloudWatch query)
	protoJSON                  // awsJson1.0/1.1: X-Amz-Target (SQS, CloudWatch JSON)
	protoCBOR                  // Smithy RPC v2 CBOR (CloudWatch in recent SDKs)
)

// call is what the shim knows about one request before it is answered.
type call struct {
	Service   string
	Region    string
	Operation string
	Protocol  protocol
	// RPCService is the service shape named in an rpcv2Cbor path, /service/{RPCService}/operation/
	// {Operation}, such as GraniteServiceVersion20100801 for CloudWatch.
	RPCService string
	// Principal names the moto account the request lands in: moto picks the account from an
	// X-Moto-Account-Id header, else from the access key.
	Principal string
	// Account is the account the request is about (Shim.accountOf).
	Account string
	// V2 is true for an API Gateway v2 (HTTP and WebSocket APIs) request: its paths begin with
	// /v2/. v1 and v2 share the signing name apigateway and several operation names
	// (GetDomainNames, CreateDeployment, GetStage, ...), so only this tells them apart.
	V2 bool
	// Labels holds the apigateway path parameters by their name in the AWS model (restApiId,
	// deploymentId, domainName, apiId, apiMappingId, ...), unescaped.
	Labels map[string]string
}

// apiID is the API a request is about: the v1 {restApiId} or the v2 {apiId} path parameter.
func (c *call) apiID() string {
	if id := c.Labels["restApiId"]; id != "" {
		return id
	}
	return c.Labels["apiId"]
}

// identify names the service, region and operation of a request as AWS would. body is the
// request body, already read, so that a query-protocol Action can be found without consuming it.
func identify(r *http.Request, body []byte) call {
	c := call{Protocol: protoREST}
	akid := ""
	c.Service, c.Region, akid = credentialScope(r)
	c.Principal = akid
	if acct := r.Header.Get("X-Moto-Account-Id"); acct != "" {
		c.Principal = "account:" + acct
	}

	segs := pathSegments(r.URL)
	switch {
	case strings.EqualFold(r.Header.Get("Smithy-Protocol"), "rpc-v2-cbor") ||
		(len(segs) == 4 && segs[0] == "service" && segs[2] == "operation"):
		c.Protocol = protoCBOR
		if len(segs) == 4 {
			c.RPCService, c.Operation = segs[1], segs[3]
		}
	case r.Header.Get("X-Amz-Target") != "":
		c.Protocol = protoJSON
		target := r.Header.Get("X-Amz-Target")
		c.Operation = target[strings.LastIndexByte(target, '.')+1:]
	default:
		if action := queryAction(r, body); action != "" {
			c.Protocol = protoQuery
			c.Operation = action
		} else if c.Service == "apigateway" {
			c.V2 = len(segs) > 0 && segs[0] == "v2"
			c.Operation, c.Labels = apigatewayOperation(r.Method, segs, r.URL.Query())
		}
	}
	if c.Operation == "" {
		c.Operation = r.Method + " " + r.URL.EscapedPath()
	}
	return c
}

// credentialScope reads Credential=AKID/DATE/REGION/SERVICE/aws4_request from a SigV4
// Authorization header, or from X-Amz-Credential for a presigned URL. SigV4a scopes carry no
// region; theirs is in X-Amz-Region-Set.
func credentialScope(r *http.Request) (service, region, akid string) {
	cred := ""
	if auth := r.Header.Get("Authorization"); auth != "" {
		if i := strings.Index(auth, "Credential="); i >= 0 {
			cred = auth[i+len("Credential="):]
			if j := strings.IndexAny(cred, ", "); j >= 0 {
				cred = cred[:j]
			}
		}
	} else {
		cred = r.URL.Query().Get("X-Amz-Credential")
	}
	parts := strings.Split(cred, "/")
	switch len(parts) {
	case 5:
		return parts[3], parts[2], parts[0]
	case 4:
		return parts[2], r.Header.Get("X-Amz-Region-Set"), parts[0]
	}
	return "", "", ""
}

func queryAction(r *http.Request, body []byte) string {
	if a := r.URL.Query().Get("Action"); a != "" {
		return a
	}
	if r.Method != http.MethodPost {
		return ""
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "application/x-www-form-urlencoded" {
		return ""
	}
	if strings.EqualFold(r.Header.Get("Content-Encoding"), "gzip") {
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			return ""
		}
		// The Action comes first in SDK-built bodies, so a bounded read is enough.
		body, _ = io.ReadAll(io.LimitReader(zr, 1<<20))
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return ""
	}
	return form.Get("Action")
}

// pathSegments splits the path as it was sent, before unescaping, because API Gateway labels
// such as a tag ARN or a base path arrive with their slashes escaped as %2F.
func pathSegments(u *url.URL) []string {
	p := strings.Trim(u.EscapedPath(), "/")
	if p == "" {
		return nil
	}
	segs := strings.Split(p, "/")
	for i, s := range segs {
		if v, err := url.PathUnescape(s); err == nil {
			segs[i] = v
		}
	}
	return segs
}

type apigwRoute struct {
	method string
	segs   []string // literal segments, or {label}
	mode   string   // value of the mode query parameter that selects this route, if any
	op     string
}

// apigwRoutes is API Gateway's REST (v1) operation table, as the AWS model binds operations to
// method and path. The shim's tests and the auditor's tests both count calls by these names.
var apigwRoutes = buildRoutes([][3]string{
	{"GET", "/account", "GetAccount"},
	{"PATCH", "/account", "UpdateAccount"},
	{"POST", "/apikeys?mode=import", "ImportApiKeys"},
	{"POST", "/apikeys", "CreateApiKey"},
	{"GET", "/apikeys", "GetApiKeys"},
	{"DELETE", "/apikeys/{apiKey}", "DeleteApiKey"},
	{"GET", "/apikeys/{apiKey}", "GetApiKey"},
	{"PATCH", "/apikeys/{apiKey}", "UpdateApiKey"},
	{"POST", "/clientcertificates", "GenerateClientCertificate"},
	{"GET", "/clientcertificates", "GetClientCertificates"},
	{"DELETE", "/clientcertificates/{clientCertificateId}", "DeleteClientCertificate"},
	{"GET", "/clientcertificates/{clientCertificateId}", "GetClientCertificate"},
	{"PATCH", "/clientcertificates/{clientCertificateId}", "UpdateClientCertificate"},
	{"POST", "/domainnameaccessassociations", "CreateDomainNameAccessAssociation"},
	{"GET", "/domainnameaccessassociations", "GetDomainNameAccessAssociations"},
	{"DELETE", "/domainnameaccessassociations/{domainNameAccessAssociationArn}", "DeleteDomainNameAccessAssociation"},
	{"POST", "/rejectdomainnameaccessassociations", "RejectDomainNameAccessAssociation"},
	{"POST", "/domainnames", "CreateDomainName"},
	{"GET", "/domainnames", "GetDomainNames"},
	{"DELETE", "/domainnames/{domainName}", "DeleteDomainName"},
	{"GET", "/domainnames/{domainName}", "GetDomainName"},
	{"PATCH", "/domainnames/{domainName}", "UpdateDomainName"},
	{"POST", "/domainnames/{domainName}/basepathmappings", "CreateBasePathMapping"},
	{"GET", "/domainnames/{domainName}/basepathmappings", "GetBasePathMappings"},
	{"DELETE", "/domainnames/{domainName}/basepathmappings/{basePath}", "DeleteBasePathMapping"},
	{"GET", "/domainnames/{domainName}/basepathmappings/{basePath}", "GetBasePathMapping"},
	{"PATCH", "/domainnames/{domainName}/basepathmappings/{basePath}", "UpdateBasePathMapping"},
	{"POST", "/restapis?mode=import", "ImportRestApi"},
	{"POST", "/restapis", "CreateRestApi"},
	{"GET", "/restapis", "GetRestApis"},
	{"DELETE", "/restapis/{restApiId}", "DeleteRestApi"},
	{"GET", "/restapis/{restApiId}", "GetRestApi"},
	{"PUT", "/restapis/{restApiId}", "PutRestApi"},
	{"PATCH", "/restapis/{restApiId}", "UpdateRestApi"},
	{"POST", "/restapis/{restApiId}/authorizers", "CreateAuthorizer"},
	{"GET", "/restapis/{restApiId}/authorizers", "GetAuthorizers"},
	{"DELETE", "/restapis/{restApiId}/authorizers/{authorizerId}", "DeleteAuthorizer"},
	{"GET", "/restapis/{restApiId}/authorizers/{authorizerId}", "GetAuthorizer"},
	{"POST", "/restapis/{restApiId}/authorizers/{authorizerId}", "TestInvokeAuthorizer"},
	{"PATCH", "/restapis/{restApiId}/authorizers/{authorizerId}", "UpdateAuthorizer"},
	{"POST", "/restapis/{restApiId}/deployments", "CreateDeployment"},
	{"GET", "/restapis/{restApiId}/deployments", "GetDeployments"},
	{"DELETE", "/restapis/{restApiId}/deployments/{deploymentId}", "DeleteDeployment"},
	{"GET", "/restapis/{restApiId}/deployments/{deploymentId}", "GetDeployment"},
	{"PATCH", "/restapis/{restApiId}/deployments/{deploymentId}", "UpdateDeployment"},
	{"POST", "/restapis/{restApiId}/documentation/parts", "CreateDocumentationPart"},
	{"GET", "/restapis/{restApiId}/documentation/parts", "GetDocumentationParts"},
	{"PUT", "/restapis/{restApiId}/documentation/parts", "ImportDocumentationParts"},
	{"DELETE", "/restapis/{restApiId}/documentation/parts/{documentationPartId}", "DeleteDocumentationPart"},
	{"GET", "/restapis/{restApiId}/documentation/parts/{documentationPartId}", "GetDocumentationPart"},
	{"PATCH", "/restapis/{restApiId}/documentation/parts/{documentationPartId}", "UpdateDocumentationPart"},
	{"POST", "/restapis/{restApiId}/documentation/versions", "CreateDocumentationVersion"},
	{"GET", "/restapis/{restApiId}/documentation/versions", "GetDocumentationVersions"},
	{"DELETE", "/restapis/{restApiId}/documentation/versions/{documentationVersion}", "DeleteDocumentationVersion"},
	{"GET", "/restapis/{restApiId}/documentation/versions/{documentationVersion}", "GetDocumentationVersion"},
	{"PATCH", "/restapis/{restApiId}/documentation/versions/{documentationVersion}", "UpdateDocumentationVersion"},
	{"GET", "/restapis/{restApiId}/gatewayresponses", "GetGatewayResponses"},
	{"DELETE", "/restapis/{restApiId}/gatewayresponses/{responseType}", "DeleteGatewayResponse"},
	{"GET", "/restapis/{restApiId}/gatewayresponses/{responseType}", "GetGatewayResponse"},
	{"PUT", "/restapis/{restApiId}/gatewayresponses/{responseType}", "PutGatewayResponse"},
	{"PATCH", "/restapis/{restApiId}/gatewayresponses/{responseType}", "UpdateGatewayResponse"},
	{"POST", "/restapis/{restApiId}/models", "CreateModel"},
	{"GET", "/restapis/{restApiId}/models", "GetModels"},
	{"DELETE", "/restapis/{restApiId}/models/{modelName}", "DeleteModel"},
	{"GET", "/restapis/{restApiId}/models/{modelName}", "GetModel"},
	{"PATCH", "/restapis/{restApiId}/models/{modelName}", "UpdateModel"},
	{"GET", "/restapis/{restApiId}/models/{modelName}/default_template", "GetModelTemplate"},
	{"POST", "/restapis/{restApiId}/requestvalidators", "CreateRequestValidator"},
	{"GET", "/restapis/{restApiId}/requestvalidators", "GetRequestValidators"},
	{"DELETE", "/restapis/{restApiId}/requestvalidators/{requestValidatorId}", "DeleteRequestValidator"},
	{"GET", "/restapis/{restApiId}/requestvalidators/{requestValidatorId}", "GetRequestValidator"},
	{"PATCH", "/restapis/{restApiId}/requestvalidators/{requestValidatorId}", "UpdateRequestValidator"},
	{"GET", "/restapis/{restApiId}/resources", "GetResources"},
	{"POST", "/restapis/{restApiId}/resources/{parentId}", "CreateResource"},
	{"DELETE", "/restapis/{restApiId}/resources/{resourceId}", "DeleteResource"},
	{"GET", "/restapis/{restApiId}/resources/{resourceId}", "GetResource"},
	{"PATCH", "/restapis/{restApiId}/resources/{resourceId}", "UpdateResource"},
	{"DELETE", "/restapis/{restApiId}/resources/{resourceId}/methods/{httpMethod}", "DeleteMethod"},
	{"GET", "/restapis/{restApiId}/resources/{resourceId}/methods/{httpMethod}", "GetMethod"},
	{"PUT", "/restapis/{restApiId}/resources/{resourceId}/methods/{httpMethod}", "PutMethod"},
	{"POST", "/restapis/{restApiId}/resources/{resourceId}/methods/{httpMethod}", "TestInvokeMethod"},
	{"PATCH", "/restapis/{restApiId}/resources/{resourceId}/methods/{httpMethod}", "UpdateMethod"},
	{"DELETE", "/restapis/{restApiId}/resources/{resourceId}/methods/{httpMethod}/integration", "DeleteIntegration"},
	{"GET", "/restapis/{restApiId}/resources/{resourceId}/methods/{httpMethod}/integration", "GetIntegration"},
	{"PUT", "/restapis/{restApiId}/resources/{resourceId}/methods/{httpMethod}/integration", "PutIntegration"},
	{"PATCH", "/restapis/{restApiId}/resources/{resourceId}/methods/{httpMethod}/integration", "UpdateIntegration"},
	{"DELETE", "/restapis/{restApiId}/resources/{resourceId}/methods/{httpMethod}/integration/responses/{statusCode}", "DeleteIntegrationResponse"},
	{"GET", "/restapis/{restApiId}/resources/{resourceId}/methods/{httpMethod}/integration/responses/{statusCode}", "GetIntegrationResponse"},
	{"PUT", "/restapis/{restApiId}/resources/{resourceId}/methods/{httpMethod}/integration/responses/{statusCode}", "PutIntegrationResponse"},
	{"PATCH", "/restapis/{restApiId}/resources/{resourceId}/methods/{httpMethod}/integration/responses/{statusCode}", "UpdateIntegrationResponse"},
	{"DELETE", "/restapis/{restApiId}/resources/{resourceId}/methods/{httpMethod}/responses/{statusCode}", "DeleteMethodResponse"},
	{"GET", "/restapis/{restApiId}/resources/{resourceId}/methods/{httpMethod}/responses/{statusCode}", "GetMethodResponse"},
	{"PUT", "/restapis/{restApiId}/resources/{resourceId}/methods/{httpMethod}/responses/{statusCode}", "PutMethodResponse"},
	{"PATCH", "/restapis/{restApiId}/resources/{resourceId}/methods/{httpMethod}/responses/{statusCode}", "UpdateMethodResponse"},
	{"POST", "/restapis/{restApiId}/stages", "CreateStage"},
	{"GET", "/restapis/{restApiId}/stages", "GetStages"},
	{"DELETE", "/restapis/{restApiId}/stages/{stageName}", "DeleteStage"},
	{"GET", "/restapis/{restApiId}/stages/{stageName}", "GetStage"},
	{"PATCH", "/restapis/{restApiId}/stages/{stageName}", "UpdateStage"},
	{"DELETE", "/restapis/{restApiId}/stages/{stageName}/cache/authorizers", "FlushStageAuthorizersCache"},
	{"DELETE", "/restapis/{restApiId}/stages/{stageName}/cache/data", "FlushStageCache"},
	{"GET", "/restapis/{restApiId}/stages/{stageName}/exports/{exportType}", "GetExport"},
	{"GET", "/restapis/{restApiId}/stages/{stageName}/sdks/{sdkType}", "GetSdk"},
	{"GET", "/sdktypes", "GetSdkTypes"},
	{"GET", "/sdktypes/{id}", "GetSdkType"},
	{"GET", "/tags/{resourceArn}", "GetTags"},
	{"PUT", "/tags/{resourceArn}", "TagResource"},
	{"DELETE", "/tags/{resourceArn}", "UntagResource"},
	{"POST", "/usageplans", "CreateUsagePlan"},
	{"GET", "/usageplans", "GetUsagePlans"},
	{"DELETE", "/usageplans/{usagePlanId}", "DeleteUsagePlan"},
	{"GET", "/usageplans/{usagePlanId}", "GetUsagePlan"},
	{"PATCH", "/usageplans/{usagePlanId}", "UpdateUsagePlan"},
	{"POST", "/usageplans/{usagePlanId}/keys", "CreateUsagePlanKey"},
	{"GET", "/usageplans/{usagePlanId}/keys", "GetUsagePlanKeys"},
	{"DELETE", "/usageplans/{usagePlanId}/keys/{keyId}", "DeleteUsagePlanKey"},
	{"GET", "/usageplans/{usagePlanId}/keys/{keyId}", "GetUsagePlanKey"},
	{"PATCH", "/usageplans/{usagePlanId}/keys/{keyId}/usage", "UpdateUsage"},
	{"GET", "/usageplans/{usagePlanId}/usage", "GetUsage"},
	{"POST", "/vpclinks", "CreateVpcLink"},
	{"GET", "/vpclinks", "GetVpcLinks"},
	{"DELETE", "/vpclinks/{vpcLinkId}", "DeleteVpcLink"},
	{"GET", "/vpclinks/{vpcLinkId}", "GetVpcLink"},
	{"PATCH", "/vpclinks/{vpcLinkId}", "UpdateVpcLink"},
})

// apigwV2Routes is API Gateway v2's operation table (HTTP and WebSocket APIs, custom domains,
// portals), as the AWS model binds operations to method and path; labels keep the model's
// names (apiId, stageName, domainName, apiMappingId, ...). Its paths all begin with /v2, so it
// never shadows a v1 route, although operation names repeat across the two tables.
var apigwV2Routes = buildRoutes([][3]string{
	{"GET", "/v2/apis", "GetApis"},
	{"POST", "/v2/apis", "CreateApi"},
	{"PUT", "/v2/apis", "ImportApi"},
	{"DELETE", "/v2/apis/{apiId}", "DeleteApi"},
	{"GET", "/v2/apis/{apiId}", "GetApi"},
	{"PATCH", "/v2/apis/{apiId}", "UpdateApi"},
	{"PUT", "/v2/apis/{apiId}", "ReimportApi"},
	{"GET", "/v2/apis/{apiId}/authorizers", "GetAuthorizers"},
	{"POST", "/v2/apis/{apiId}/authorizers", "CreateAuthorizer"},
	{"DELETE", "/v2/apis/{apiId}/authorizers/{authorizerId}", "DeleteAuthorizer"},
	{"GET", "/v2/apis/{apiId}/authorizers/{authorizerId}", "GetAuthorizer"},
	{"PATCH", "/v2/apis/{apiId}/authorizers/{authorizerId}", "UpdateAuthorizer"},
	{"DELETE", "/v2/apis/{apiId}/cors", "DeleteCorsConfiguration"},
	{"GET", "/v2/apis/{apiId}/deployments", "GetDeployments"},
	{"POST", "/v2/apis/{apiId}/deployments", "CreateDeployment"},
	{"DELETE", "/v2/apis/{apiId}/deployments/{deploymentId}", "DeleteDeployment"},
	{"GET", "/v2/apis/{apiId}/deployments/{deploymentId}", "GetDeployment"},
	{"PATCH", "/v2/apis/{apiId}/deployments/{deploymentId}", "UpdateDeployment"},
	{"GET", "/v2/apis/{apiId}/exports/{specification}", "ExportApi"},
	{"GET", "/v2/apis/{apiId}/integrations", "GetIntegrations"},
	{"POST", "/v2/apis/{apiId}/integrations", "CreateIntegration"},
	{"DELETE", "/v2/apis/{apiId}/integrations/{integrationId}", "DeleteIntegration"},
	{"GET", "/v2/apis/{apiId}/integrations/{integrationId}", "GetIntegration"},
	{"PATCH", "/v2/apis/{apiId}/integrations/{integrationId}", "UpdateIntegration"},
	{"GET", "/v2/apis/{apiId}/integrations/{integrationId}/integrationresponses", "GetIntegrationResponses"},
	{"POST", "/v2/apis/{apiId}/integrations/{integrationId}/integrationresponses", "CreateIntegrationResponse"},
	{"DELETE", "/v2/apis/{apiId}/integrations/{integrationId}/integrationresponses/{integrationResponseId}", "DeleteIntegrationResponse"},
	{"GET", "/v2/apis/{apiId}/integrations/{integrationId}/integrationresponses/{integrationResponseId}", "GetIntegrationResponse"},
	{"PATCH", "/v2/apis/{apiId}/integrations/{integrationId}/integrationresponses/{integrationResponseId}", "UpdateIntegrationResponse"},
	{"GET", "/v2/apis/{apiId}/models", "GetModels"},
	{"POST", "/v2/apis/{apiId}/models", "CreateModel"},
	{"DELETE", "/v2/apis/{apiId}/models/{modelId}", "DeleteModel"},
	{"GET", "/v2/apis/{apiId}/models/{modelId}", "GetModel"},
	{"PATCH", "/v2/apis/{apiId}/models/{modelId}", "UpdateModel"},
	{"GET", "/v2/apis/{apiId}/models/{modelId}/template", "GetModelTemplate"},
	{"GET", "/v2/apis/{apiId}/routes", "GetRoutes"},
	{"POST", "/v2/apis/{apiId}/routes", "CreateRoute"},
	{"DELETE", "/v2/apis/{apiId}/routes/{routeId}", "DeleteRoute"},
	{"GET", "/v2/apis/{apiId}/routes/{routeId}", "GetRoute"},
	{"PATCH", "/v2/apis/{apiId}/routes/{routeId}", "UpdateRoute"},
	{"DELETE", "/v2/apis/{apiId}/routes/{routeId}/requestparameters/{requestParameterKey}", "DeleteRouteRequestParameter"},
	{"GET", "/v2/apis/{apiId}/routes/{routeId}/routeresponses", "GetRouteResponses"},
	{"POST", "/v2/apis/{apiId}/routes/{routeId}/routeresponses", "CreateRouteResponse"},
	{"DELETE", "/v2/apis/{apiId}/routes/{routeId}/routeresponses/{routeResponseId}", "DeleteRouteResponse"},
	{"GET", "/v2/apis/{apiId}/routes/{routeId}/routeresponses/{routeResponseId}", "GetRouteResponse"},
	{"PATCH", "/v2/apis/{apiId}/routes/{routeId}/routeresponses/{routeResponseId}", "UpdateRouteResponse"},
	{"GET", "/v2/apis/{apiId}/stages", "GetStages"},
	{"POST", "/v2/apis/{apiId}/stages", "CreateStage"},
	{"DELETE", "/v2/apis/{apiId}/stages/{stageName}", "DeleteStage"},
	{"GET", "/v2/apis/{apiId}/stages/{stageName}", "GetStage"},
	{"PATCH", "/v2/apis/{apiId}/stages/{stageName}", "UpdateStage"},
	{"DELETE", "/v2/apis/{apiId}/stages/{stageName}/accesslogsettings", "DeleteAccessLogSettings"},
	{"DELETE", "/v2/apis/{apiId}/stages/{stageName}/cache/authorizers", "ResetAuthorizersCache"},
	{"DELETE", "/v2/apis/{apiId}/stages/{stageName}/routesettings/{routeKey}", "DeleteRouteSettings"},
	{"GET", "/v2/domainnames", "GetDomainNames"},
	{"POST", "/v2/domainnames", "CreateDomainName"},
	{"DELETE", "/v2/domainnames/{domainName}", "DeleteDomainName"},
	{"GET", "/v2/domainnames/{domainName}", "GetDomainName"},
	{"PATCH", "/v2/domainnames/{domainName}", "UpdateDomainName"},
	{"GET", "/v2/domainnames/{domainName}/apimappings", "GetApiMappings"},
	{"POST", "/v2/domainnames/{domainName}/apimappings", "CreateApiMapping"},
	{"DELETE", "/v2/domainnames/{domainName}/apimappings/{apiMappingId}", "DeleteApiMapping"},
	{"GET", "/v2/domainnames/{domainName}/apimappings/{apiMappingId}", "GetApiMapping"},
	{"PATCH", "/v2/domainnames/{domainName}/apimappings/{apiMappingId}", "UpdateApiMapping"},
	{"GET", "/v2/domainnames/{domainName}/routingrules", "ListRoutingRules"},
	{"POST", "/v2/domainnames/{domainName}/routingrules", "CreateRoutingRule"},
	{"DELETE", "/v2/domainnames/{domainName}/routingrules/{routingRuleId}", "DeleteRoutingRule"},
	{"GET", "/v2/domainnames/{domainName}/routingrules/{routingRuleId}", "GetRoutingRule"},
	{"PUT", "/v2/domainnames/{domainName}/routingrules/{routingRuleId}", "PutRoutingRule"},
	{"GET", "/v2/portalproducts", "ListPortalProducts"},
	{"POST", "/v2/portalproducts", "CreatePortalProduct"},
	{"DELETE", "/v2/portalproducts/{portalProductId}", "DeletePortalProduct"},
	{"GET", "/v2/portalproducts/{portalProductId}", "GetPortalProduct"},
	{"PATCH", "/v2/portalproducts/{portalProductId}", "UpdatePortalProduct"},
	{"GET", "/v2/portalproducts/{portalProductId}/productpages", "ListProductPages"},
	{"POST", "/v2/portalproducts/{portalProductId}/productpages", "CreateProductPage"},
	{"DELETE", "/v2/portalproducts/{portalProductId}/productpages/{productPageId}", "DeleteProductPage"},
	{"GET", "/v2/portalproducts/{portalProductId}/productpages/{productPageId}", "GetProductPage"},
	{"PATCH", "/v2/portalproducts/{portalProductId}/productpages/{productPageId}", "UpdateProductPage"},
	{"GET", "/v2/portalproducts/{portalProductId}/productrestendpointpages", "ListProductRestEndpointPages"},
	{"POST", "/v2/portalproducts/{portalProductId}/productrestendpointpages", "CreateProductRestEndpointPage"},
	{"DELETE", "/v2/portalproducts/{portalProductId}/productrestendpointpages/{productRestEndpointPageId}", "DeleteProductRestEndpointPage"},
	{"GET", "/v2/portalproducts/{portalProductId}/productrestendpointpages/{productRestEndpointPageId}", "GetProductRestEndpointPage"},
	{"PATCH", "/v2/portalproducts/{portalProductId}/productrestendpointpages/{productRestEndpointPageId}", "UpdateProductRestEndpointPage"},
	{"DELETE", "/v2/portalproducts/{portalProductId}/sharingpolicy", "DeletePortalProductSharingPolicy"},
	{"GET", "/v2/portalproducts/{portalProductId}/sharingpolicy", "GetPortalProductSharingPolicy"},
	{"PUT", "/v2/portalproducts/{portalProductId}/sharingpolicy", "PutPortalProductSharingPolicy"},
	{"GET", "/v2/portals", "ListPortals"},
	{"POST", "/v2/portals", "CreatePortal"},
	{"DELETE", "/v2/portals/{portalId}", "DeletePortal"},
	{"GET", "/v2/portals/{portalId}", "GetPortal"},
	{"PATCH", "/v2/portals/{portalId}", "UpdatePortal"},
	{"POST", "/v2/portals/{portalId}/preview", "PreviewPortal"},
	{"DELETE", "/v2/portals/{portalId}/publish", "DisablePortal"},
	{"POST", "/v2/portals/{portalId}/publish", "PublishPortal"},
	{"DELETE", "/v2/tags/{resourceArn}", "UntagResource"},
	{"GET", "/v2/tags/{resourceArn}", "GetTags"},
	{"POST", "/v2/tags/{resourceArn}", "TagResource"},
	{"GET", "/v2/vpclinks", "GetVpcLinks"},
	{"POST", "/v2/vpclinks", "CreateVpcLink"},
	{"DELETE", "/v2/vpclinks/{vpcLinkId}", "DeleteVpcLink"},
	{"GET", "/v2/vpclinks/{vpcLinkId}", "GetVpcLink"},
	{"PATCH", "/v2/vpclinks/{vpcLinkId}", "UpdateVpcLink"},
})

func buildRoutes(table [][3]string) []apigwRoute {
	routes := make([]apigwRoute, 0, len(table))
	for _, row := range table {
		path, mode, _ := strings.Cut(row[1], "?mode=")
		routes = append(routes, apigwRoute{
			method: row[0],
			segs:   strings.Split(strings.Trim(path, "/"), "/"),
			mode:   mode,
			op:     row[2],
		})
	}
	return routes
}

// apigatewayOperation matches a request against apigwRoutes, or apigwV2Routes for a /v2 path.
// Routes with a mode come first in the table, so an import is not taken for a create.
func apigatewayOperation(method string, segs []string, query url.Values) (string, map[string]string) {
	routes := apigwRoutes
	if len(segs) > 0 && segs[0] == "v2" {
		routes = apigwV2Routes
	}
	for _, rt := range routes {
		if rt.method != method || len(rt.segs) != len(segs) {
			continue
		}
		if rt.mode != "" && query.Get("mode") != rt.mode {
			continue
		}
		labels, ok := matchSegments(rt.segs, segs)
		if ok {
			return rt.op, labels
		}
	}
	if len(segs) >= 2 && segs[0] == "restapis" {
		return "", map[string]string{"restApiId": segs[1]}
	}
	if len(segs) >= 3 && segs[0] == "v2" && segs[1] == "apis" {
		return "", map[string]string{"apiId": segs[2]}
	}
	return "", nil
}

func matchSegments(pattern, segs []string) (map[string]string, bool) {
	var labels map[string]string
	for i, p := range pattern {
		if strings.HasPrefix(p, "{") {
			if segs[i] == "" {
				return nil, false
			}
			if labels == nil {
				labels = make(map[string]string, 4)
			}
			labels[p[1:len(p)-1]] = segs[i]
			continue
		}
		if p != segs[i] {
			return nil, false
		}
	}
	return labels, true
}
