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
			if tc.labelKey != "" && c.Labels[tc.labelKey] != tc.label {
				t.Errorf("label %s = %q, want %q", tc.labelKey, c.Labels[tc.labelKey], tc.label)
			}
		})
	}
}

// TestRouteTableUnique guards the table against a pasted duplicate, which would shadow a route.
func TestRouteTableUnique(t *testing.T) {
	seen := map[string]bool{}
	ops := map[string]bool{}
	for _, rt := range apigwRoutes {
		k := rt.method + " " + strings.Join(rt.segs, "/") + "?" + rt.mode
		if seen[k] {
			t.Errorf("duplicate route %s", k)
		}
		if ops[rt.op] {
			t.Errorf("duplicate operation %s", rt.op)
		}
		seen[k], ops[rt.op] = true, true
	}
	if !ops["GetRestApis"] || len(ops) != 124 {
		t.Errorf("table has %d operations, want the 124 of API Gateway's model", len(ops))
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
