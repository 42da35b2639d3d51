package awsemu

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func sigv4(service, region string) string {
	return "AWS4-HMAC-SHA256 Credential=AKIAFAKE/20260101/" + region + "/" + service +
		"/aws4_request, SignedHeaders=host;x-amz-date, Signature=00"
}

func gzipped(s string) string {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write([]byte(s))
	zw.Close()
	return b.String()
}

func TestIdentify(t *testing.T) {
	apigwAuth := map[string]string{"Authorization": sigv4("apigateway", "eu-west-1")}
	tests := []struct {
		name     string
		method   string
		target   string
		header   map[string]string
		body     string
		service  string
		region   string
		op       string
		proto    protocol
		apiID    string
		labelKey string
		label    string
		v2       bool
	}{
		{name: "list apis", method: "GET", target: "/restapis?limit=5", header: apigwAuth,
			service: "apigateway", region: "eu-west-1", op: "GetRestApis"},
		{name: "create api", method: "POST", target: "/restapis", header: apigwAuth, op: "CreateRestApi"},
		{name: "import api", method: "POST", target: "/restapis?mode=import&failonwarnings=false", header: apigwAuth, op: "ImportRestApi"},
		{name: "get api", method: "GET", target: "/restapis/a1", header: apigwAuth, op: "GetRestApi", apiID: "a1"},
		{name: "delete api", method: "DELETE", target: "/restapis/a1", header: apigwAuth, op: "DeleteRestApi", apiID: "a1"},
		{name: "update api", method: "PATCH", target: "/restapis/a1", header: apigwAuth, op: "UpdateRestApi", apiID: "a1"},
		{name: "resources", method: "GET", target: "/restapis/a1/resources?embed=methods", header: apigwAuth, op: "GetResources", apiID: "a1"},
		{name: "create resource", method: "POST", target: "/restapis/a1/resources/r0", header: apigwAuth,
			op: "CreateResource", apiID: "a1", labelKey: "parentId", label: "r0"},
		{name: "get resource", method: "GET", target: "/restapis/a1/resources/r1", header: apigwAuth, op: "GetResource", apiID: "a1"},
		{name: "put method", method: "PUT", target: "/restapis/a1/resources/r1/methods/GET", header: apigwAuth,
			op: "PutMethod", apiID: "a1", labelKey: "httpMethod", label: "GET"},
		{name: "update method", method: "PATCH", target: "/restapis/a1/resources/r1/methods/ANY", header: apigwAuth, op: "UpdateMethod", apiID: "a1"},
		{name: "put method response", method: "PUT", target: "/restapis/a1/resources/r1/methods/GET/responses/200", header: apigwAuth, op: "PutMethodResponse", apiID: "a1"},
		{name: "get integration", method: "GET", target: "/restapis/a1/resources/r1/methods/GET/integration", header: apigwAuth, op: "GetIntegration", apiID: "a1"},
		{name: "delete integration response", method: "DELETE", target: "/restapis/a1/resources/r1/methods/GET/integration/responses/404", header: apigwAuth,
			op: "DeleteIntegrationResponse", apiID: "a1", labelKey: "statusCode", label: "404"},
		{name: "stages", method: "GET", target: "/restapis/a1/stages", header: apigwAuth, op: "GetStages", apiID: "a1"},
		{name: "update stage", method: "PATCH", target: "/restapis/a1/stages/prod", header: apigwAuth, op: "UpdateStage", apiID: "a1", labelKey: "stageName", label: "prod"},
		{name: "create deployment", method: "POST", target: "/restapis/a1/deployments", header: apigwAuth, op: "CreateDeployment", apiID: "a1"},
		{name: "get deployment", method: "GET", target: "/restapis/a1/deployments/d1?embed=apisummary", header: apigwAuth,
			op: "GetDeployment", apiID: "a1", labelKey: "deploymentId", label: "d1"},
		{name: "authorizers", method: "GET", target: "/restapis/a1/authorizers", header: apigwAuth, op: "GetAuthorizers", apiID: "a1"},
		{name: "export", method: "GET", target: "/restapis/a1/stages/prod/exports/oas30?extensions=postman", header: apigwAuth, op: "GetExport", apiID: "a1"},
		{name: "usage plan keys", method: "POST", target: "/usageplans/p1/keys", header: apigwAuth, op: "CreateUsagePlanKey"},
		{name: "usage plan key", method: "DELETE", target: "/usageplans/p1/keys/k1", header: apigwAuth, op: "DeleteUsagePlanKey"},
		{name: "update usage", method: "PATCH", target: "/usageplans/p1/keys/k1/usage", header: apigwAuth, op: "UpdateUsage"},
		{name: "api keys", method: "GET", target: "/apikeys?includeValues=false", header: apigwAuth, op: "GetApiKeys"},
		{name: "import api keys", method: "POST", target: "/apikeys?mode=import&format=csv", header: apigwAuth, op: "ImportApiKeys"},
		{name: "update api key", method: "PATCH", target: "/apikeys/k1", header: apigwAuth, op: "UpdateApiKey"},
		{name: "base path mapping escaped", method: "GET", target: "/domainnames/api.example.com/basepathmappings/%28none%29", header: apigwAuth,
			op: "GetBasePathMapping", labelKey: "basePath", label: "(none)"},
		{name: "base path with slash", method: "DELETE", target: "/domainnames/api.example.com/basepathmappings/v1%2Fpets", header: apigwAuth,
			op: "DeleteBasePathMapping", labelKey: "basePath", label: "v1/pets"},
		{name: "tags on an ARN", method: "GET", target: "/tags/arn%3Aaws%3Aapigateway%3Aus-east-1%3A%3A%2Frestapis%2Fa1%2Fstages%2Fprod", header: apigwAuth,
			op: "GetTags", labelKey: "resourceArn", label: "arn:aws:apigateway:us-east-1::/restapis/a1/stages/prod"},
		{name: "untag", method: "DELETE", target: "/tags/arn%3Aaws%3Aapigateway%3Aus-east-1%3A%3A%2Frestapis%2Fa1?tagKeys=k", header: apigwAuth, op: "UntagResource"},
		{name: "unknown apigateway path", method: "GET", target: "/restapis/a1/nonsense", header: apigwAuth,
			service: "apigateway", op: "GET /restapis/a1/nonsense", apiID: "a1"},
		{name: "v2 apis", method: "GET", target: "/v2/apis?maxResults=2", header: apigwAuth, op: "GetApis", v2: true},
		{name: "v2 create api", method: "POST", target: "/v2/apis", header: apigwAuth, op: "CreateApi", v2: true},
		{name: "v2 get api", method: "GET", target: "/v2/apis/h1", header: apigwAuth, op: "GetApi", apiID: "h1", v2: true},
		{name: "v2 delete api", method: "DELETE", target: "/v2/apis/h1", header: apigwAuth, op: "DeleteApi", apiID: "h1", v2: true},
		{name: "v2 stages", method: "GET", target: "/v2/apis/h1/stages", header: apigwAuth, op: "GetStages", apiID: "h1", v2: true},
		{name: "v2 create stage", method: "POST", target: "/v2/apis/h1/stages", header: apigwAuth, op: "CreateStage", apiID: "h1", v2: true},
		{name: "v2 get stage", method: "GET", target: "/v2/apis/h1/stages/prod", header: apigwAuth,
			op: "GetStage", apiID: "h1", labelKey: "stageName", label: "prod", v2: true},
		{name: "v2 default stage escaped", method: "PATCH", target: "/v2/apis/h1/stages/%24default", header: apigwAuth,
			op: "UpdateStage", apiID: "h1", labelKey: "stageName", label: "$default", v2: true},
		{name: "v2 delete stage", method: "DELETE", target: "/v2/apis/h1/stages/prod", header: apigwAuth, op: "DeleteStage", apiID: "h1", v2: true},
		{name: "v2 routes", method: "GET", target: "/v2/apis/h1/routes", header: apigwAuth, op: "GetRoutes", apiID: "h1", v2: true},
		{name: "v2 create route", method: "POST", target: "/v2/apis/h1/routes", header: apigwAuth, op: "CreateRoute", apiID: "h1", v2: true},
		{name: "v2 get route", method: "GET", target: "/v2/apis/h1/routes/r1", header: apigwAuth,
			op: "GetRoute", apiID: "h1", labelKey: "routeId", label: "r1", v2: true},
		{name: "v2 delete route", method: "DELETE", target: "/v2/apis/h1/routes/r1", header: apigwAuth, op: "DeleteRoute", apiID: "h1", v2: true},
		{name: "v2 deployments", method: "GET", target: "/v2/apis/h1/deployments?nextToken=t", header: apigwAuth, op: "GetDeployments", apiID: "h1", v2: true},
		{name: "v2 create deployment", method: "POST", target: "/v2/apis/h1/deployments", header: apigwAuth, op: "CreateDeployment", apiID: "h1", v2: true},
		{name: "v2 get deployment", method: "GET", target: "/v2/apis/h1/deployments/d1", header: apigwAuth,
			op: "GetDeployment", apiID: "h1", labelKey: "deploymentId", label: "d1", v2: true},
		{name: "v2 delete deployment", method: "DELETE", target: "/v2/apis/h1/deployments/d1", header: apigwAuth, op: "DeleteDeployment", apiID: "h1", v2: true},
		{name: "v2 export", method: "GET", target: "/v2/apis/h1/exports/OAS30?outputType=JSON&stageName=prod", header: apigwAuth,
			op: "ExportApi", apiID: "h1", labelKey: "specification", label: "OAS30", v2: true},
		{name: "v2 route settings", method: "DELETE", target: "/v2/apis/h1/stages/prod/routesettings/GET%20%2Fpets", header: apigwAuth,
			op: "DeleteRouteSettings", apiID: "h1", labelKey: "routeKey", label: "GET /pets", v2: true},
		{name: "v2 domains", method: "GET", target: "/v2/domainnames", header: apigwAuth, op: "GetDomainNames", v2: true},
		{name: "v2 create domain", method: "POST", target: "/v2/domainnames", header: apigwAuth, op: "CreateDomainName", v2: true},
		{name: "v2 get domain", method: "GET", target: "/v2/domainnames/api.example.com", header: apigwAuth,
			op: "GetDomainName", labelKey: "domainName", label: "api.example.com", v2: true},
		{name: "v2 delete domain", method: "DELETE", target: "/v2/domainnames/api.example.com", header: apigwAuth, op: "DeleteDomainName", v2: true},
		{name: "v2 api mappings", method: "GET", target: "/v2/domainnames/api.example.com/apimappings", header: apigwAuth,
			op: "GetApiMappings", labelKey: "domainName", label: "api.example.com", v2: true},
		{name: "v2 create api mapping", method: "POST", target: "/v2/domainnames/api.example.com/apimappings", header: apigwAuth, op: "CreateApiMapping", v2: true},
		{name: "v2 get api mapping", method: "GET", target: "/v2/domainnames/api.example.com/apimappings/m1", header: apigwAuth,
			op: "GetApiMapping", labelKey: "apiMappingId", label: "m1", v2: true},
		{name: "v2 delete api mapping", method: "DELETE", target: "/v2/domainnames/api.example.com/apimappings/m1", header: apigwAuth, op: "DeleteApiMapping", v2: true},
		{name: "v2 tags on an ARN", method: "GET", target: "/v2/tags/arn%3Aaws%3Aapigateway%3Aus-east-1%3A%3A%2Fapis%2Fh1", header: apigwAuth,
			op: "GetTags", labelKey: "resourceArn", label: "arn:aws:apigateway:us-east-1::/apis/h1", v2: true},
		{name: "unknown v2 api path", method: "GET", target: "/v2/apis/h1/nonsense", header: apigwAuth,
			op: "GET /v2/apis/h1/nonsense", apiID: "h1", v2: true},
		{name: "no signature", method: "GET", target: "/restapis", op: "GET /restapis"},
		{name: "presigned", method: "GET", target: "/restapis?X-Amz-Credential=AKIAFAKE%2F20260101%2Fap-south-1%2Fapigateway%2Faws4_request",
			service: "apigateway", region: "ap-south-1", op: "GetRestApis"},
		{name: "sigv4a", method: "GET", target: "/restapis",
			header: map[string]string{
				"Authorization":    "AWS4-ECDSA-P256-SHA256 Credential=AKIAFAKE/20260101/apigateway/aws4_request, SignedHeaders=host, Signature=00",
				"X-Amz-Region-Set": "sa-east-1"},
			service: "apigateway", region: "sa-east-1", op: "GetRestApis"},
		{name: "query protocol", method: "POST", target: "/",
			header: map[string]string{"Authorization": sigv4("sns", "us-west-2"), "Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
			body:   "Action=Publish&Version=2010-03-31&TopicArn=arn", service: "sns", region: "us-west-2", op: "Publish", proto: protoQuery},
		{name: "query protocol gzip", method: "POST", target: "/",
			header: map[string]string{"Authorization": sigv4("monitoring", "us-east-1"), "Content-Type": "application/x-www-form-urlencoded", "Content-Encoding": "gzip"},
			body:   gzipped("Action=PutMetricData&Version=2010-08-01"), service: "monitoring", op: "PutMetricData", proto: protoQuery},
		{name: "query in URL", method: "GET", target: "/?Action=GetCallerIdentity&Version=2011-06-15",
			header: map[string]string{"Authorization": sigv4("sts", "us-east-1")}, service: "sts", op: "GetCallerIdentity", proto: protoQuery},
		{name: "aws json", method: "POST", target: "/",
			header: map[string]string{"Authorization": sigv4("sqs", "us-east-1"), "X-Amz-Target": "AmazonSQS.SendMessage", "Content-Type": "application/x-amz-json-1.0"},
			body:   `{"QueueUrl":"q"}`, service: "sqs", op: "SendMessage", proto: protoJSON},
		{name: "cbor", method: "POST", target: "/service/GraniteServiceVersion20100801/operation/PutMetricData",
			header:  map[string]string{"Authorization": sigv4("monitoring", "eu-central-1"), "Smithy-Protocol": "rpc-v2-cbor", "Content-Type": "application/cbor"},
			service: "monitoring", region: "eu-central-1", op: "PutMetricData", proto: protoCBOR},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(tc.method, tc.target, strings.NewReader(tc.body))
			for k, v := range tc.header {
				r.Header.Set(k, v)
			}
			c := identify(r, []byte(tc.body))
			if c.Operation != tc.op {
				t.Errorf("operation = %q, want %q", c.Operation, tc.op)
			}
			if tc.service != "" && c.Service != tc.service {
				t.Errorf("service = %q, want %q", c.Service, tc.service)
			}
			if tc.region != "" && c.Region != tc.region {
				t.Errorf("region = %q, want %q", c.Region, tc.region)
			}
			if c.Protocol != tc.proto {
				t.Errorf("protocol = %v, want %v", c.Protocol, tc.proto)
			}
			if c.apiID() != tc.apiID {
				t.Errorf("api id = %q, want %q", c.apiID(), tc.apiID)
			}
			if c.V2 != tc.v2 {
				t.Errorf("v2 = %v, want %v", c.V2, tc.v2)
			}
			if tc.labelKey != "" && c.Labels[tc.labelKey] != tc.label {
				t.Errorf("label %s = %q, want %q", tc.labelKey, c.Labels[tc.labelKey], tc.label)
			}
		})
	}
}

// TestRouteTableUnique guards the tables against a pasted duplicate, which would shadow a route.
func TestRouteTableUnique(t *testing.T) {
	tests := []struct {
		name   string
		routes []apigwRoute
		first  string
		want   int
	}{
		{"v1", apigwRoutes, "GetRestApis", 124},
		{"v2", apigwV2Routes, "GetApis", 103},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			seen := map[string]bool{}
			ops := map[string]bool{}
			for _, rt := range tc.routes {
				k := rt.method + " " + strings.Join(rt.segs, "/") + "?" + rt.mode
				if seen[k] {
					t.Errorf("duplicate route %s", k)
				}
				if ops[rt.op] {
					t.Errorf("duplicate operation %s", rt.op)
				}
				if (tc.name == "v2") != (rt.segs[0] == "v2") {
					t.Errorf("route %s is in the %s table", k, tc.name)
				}
				seen[k], ops[rt.op] = true, true
			}
			if !ops[tc.first] || len(ops) != tc.want {
				t.Errorf("table has %d operations, want the %d of the AWS model", len(ops), tc.want)
			}
		})
	}
}

func TestIdentifyPrincipal(t *testing.T) {
	r := httptest.NewRequest(http.MethodGet, "/restapis", nil)
	r.Header.Set("Authorization", sigv4("apigateway", "us-east-1"))
	if p := identify(r, nil).Principal; p != "AKIAFAKE" {
		t.Errorf("principal = %q, want the access key", p)
	}
	r.Header.Set("X-Moto-Account-Id", "111122223333")
	if p := identify(r, nil).Principal; p != "account:111122223333" {
		t.Errorf("principal = %q, want moto's account header", p)
	}
}
