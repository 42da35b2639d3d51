package explain

import (
	"strings"
	"testing"
	"time"

	"github.com/apigw-drift/driftaudit/pkg/inventory"
)

const (
	shopHost  = "https://shop000001.execute-api.us-east-1.amazonaws.com"
	cartsHost = "https://cart000001.execute-api.us-east-1.amazonaws.com"
)

func method(auth string, key bool, integration string) inventory.Method {
	return inventory.Method{AuthorizationType: auth, APIKeyRequired: key, IntegrationType: integration}
}

func snap(auth string, key bool) inventory.MethodSnapshot {
	return inventory.MethodSnapshot{AuthorizationType: auth, APIKeyRequired: key}
}

// fixture is a hand-made region: a REST API with every matching rule and authorization kind, an
// HTTP API, a WebSocket API, usage plans and custom domains.
func fixture() *inventory.Region {
	withAuthorizer := func(m inventory.Method, id string) inventory.Method { m.AuthorizerID = id; return m }
	cors := method("NONE", false, "MOCK")
	cors.IntegrationResponseHeaders = map[string]map[string]string{"200": {
		"Access-Control-Allow-Origin": "'*'", "Access-Control-Allow-Methods": "'GET,POST,OPTIONS'", "Access-Control-Allow-Headers": "'Authorization'"}}
	working := []inventory.Resource{
		{ID: "r0", Path: "/", Methods: map[string]inventory.Method{"GET": method("NONE", false, "MOCK")}},
		{ID: "r1", Path: "/users", Methods: map[string]inventory.Method{"GET": method("NONE", false, "AWS_PROXY"), "POST": method("NONE", false, "AWS_PROXY"), "OPTIONS": cors}},
		{ID: "r2", Path: "/users/{id}", Methods: map[string]inventory.Method{"GET": method("NONE", false, "AWS_PROXY")}},
		{ID: "r3", Path: "/users/me", Methods: map[string]inventory.Method{"GET": method("NONE", false, "AWS_PROXY")}},
		{ID: "r4", Path: "/files", Methods: nil},
		{ID: "r5", Path: "/files/{proxy+}", Methods: map[string]inventory.Method{"ANY": method("NONE", false, "HTTP_PROXY"), "GET": method("AWS_IAM", false, "HTTP_PROXY")}},
		{ID: "r6", Path: "/admin", Methods: map[string]inventory.Method{"GET": method("AWS_IAM", false, "MOCK"), "OPTIONS": method("AWS_IAM", false, "MOCK")}},
		{ID: "r7", Path: "/token", Methods: map[string]inventory.Method{"GET": withAuthorizer(method("CUSTOM", false, "MOCK"), "a1")}},
		{ID: "r8", Path: "/request", Methods: map[string]inventory.Method{"GET": withAuthorizer(method("CUSTOM", false, "MOCK"), "a2")}},
		{ID: "r9", Path: "/cognito", Methods: map[string]inventory.Method{"GET": withAuthorizer(method("COGNITO_USER_POOLS", false, "MOCK"), "c1")}},
		{ID: "ra", Path: "/keyed", Methods: map[string]inventory.Method{"GET": method("NONE", true, "MOCK")}},
		{ID: "rb", Path: "/Orders", Methods: map[string]inventory.Method{"GET": method("NONE", false, "MOCK")}},
	}
	prod := map[string]map[string]inventory.MethodSnapshot{
		"/":               {"GET": snap("NONE", false)},
		"/users":          {"GET": snap("NONE", false), "OPTIONS": snap("NONE", false)},
		"/users/{id}":     {"GET": snap("NONE", false), "DELETE": snap("AWS_IAM", false)},
		"/users/me":       {"GET": snap("NONE", false)},
		"/files/{proxy+}": {"ANY": snap("NONE", false), "GET": snap("AWS_IAM", false)},
		"/admin":          {"GET": snap("AWS_IAM", false), "OPTIONS": snap("AWS_IAM", false)},
		"/token":          {"GET": snap("CUSTOM", false)},
		"/request":        {"GET": snap("CUSTOM", false)},
		"/cognito":        {"GET": snap("COGNITO_USER_POOLS", false)},
		"/keyed":          {"GET": snap("NONE", true)},
		"/Orders":         {"GET": snap("NONE", false)},
	}
	dev := map[string]map[string]inventory.MethodSnapshot{
		"/users":  {"GET": snap("NONE", false), "POST": snap("NONE", false)},
		"/keyed":  {"GET": snap("NONE", true)},
		"/health": {"GET": snap("NONE", false)},
	}
	shop := inventory.API{
		ID: "shop000001", Name: "shop", EndpointTypes: []string{"EDGE"}, Resources: working,
		Stages: []inventory.Stage{{Name: "dev", DeploymentID: "d3"}, {Name: "old", DeploymentID: "gone"}, {Name: "prod", DeploymentID: "d2"}},
		Deployments: []inventory.Deployment{
			{ID: "d3", CreatedDate: time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC), Summary: dev},
			{ID: "d2", CreatedDate: time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC), Summary: prod},
		},
		AuthorizersRead: true,
		Authorizers: []inventory.Authorizer{
			{ID: "a1", Name: "tokens", Type: "TOKEN", IdentitySource: "method.request.header.Authorization", IdentityValidationExpression: "Bearer .+"},
			{ID: "a2", Name: "requests", Type: "REQUEST", IdentitySource: "method.request.header.X-User, method.request.querystring.tenant"},
			{ID: "c1", Name: "pool", Type: "COGNITO_USER_POOLS", IdentitySource: "method.request.header.Authorization"},
		},
	}
	carts := inventory.V2API{
		ID: "cart000001", Name: "carts", ProtocolType: "HTTP",
		Routes: []inventory.Route{{Key: "GET /carts", Auth: "NONE"}, {Key: "POST /carts", Auth: "AWS_IAM"}, {Key: "GET /carts/{proxy+}", Auth: "NONE"}, {Key: "GET /secure", Auth: "JWT pool"}},
		Stages: []inventory.V2Stage{
			{Name: "live", AutoDeploy: true},
			{Name: "prod", DeploymentID: "cd1", Deployed: []inventory.Route{{Key: "GET /carts", Auth: "NONE"}, {Key: "DELETE /carts/{id}", Auth: "NONE"}}, DeployedRead: true},
		},
		DeploymentIDs: []string{"cd1"},
	}
	return &inventory.Region{
		Account: "111122223333", Name: "us-east-1",
		APIs:   []inventory.API{shop},
		V2APIs: []inventory.V2API{carts, {ID: "ws00000001", Name: "chat", ProtocolType: "WEBSOCKET", Stages: []inventory.V2Stage{{Name: "prod"}}}},
		UsagePlans: []inventory.UsagePlan{
			{ID: "p1", Name: "partners", APIStages: []inventory.APIStage{{APIID: "shop000001", Stage: "prod"}}, KeyIDs: []string{"k1"}},
			{ID: "p2", Name: "trial", APIStages: []inventory.APIStage{{APIID: "shop000001", Stage: "dev"}}, KeyIDs: []string{"k2"}},
		},
		APIKeys: []inventory.APIKey{{ID: "k1", Name: "acme", Enabled: true}, {ID: "k2", Name: "old", Enabled: false}},
		Domains: []inventory.DomainName{
			{Name: "api.example.com", MappingsSource: inventory.OpGetApiMappings, Mappings: []inventory.BasePathMapping{
				{BasePath: "shop", APIID: "shop000001", Stage: "prod", MappingID: "m1"},
				{BasePath: "v1/shop", APIID: "shop000001", Stage: "dev", MappingID: "m2"},
				{BasePath: "bare", APIID: "shop000001", MappingID: "m3"},
				{BasePath: "gone", APIID: "deadbeef01", Stage: "prod", MappingID: "m4"},
				{BasePath: "nostage", APIID: "shop000001", Stage: "staging", MappingID: "m5"},
				{BasePath: "carts", APIID: "cart000001", Stage: "live", MappingID: "m6"},
			}},
			{Name: "empty.example.com", MappingsSource: inventory.OpGetApiMappings, Mappings: []inventory.BasePathMapping{}},
			{Name: "*.wild.example.com", MappingsSource: inventory.OpGetApiMappings, Mappings: []inventory.BasePathMapping{{BasePath: "(none)", APIID: "shop000001", Stage: "prod"}}},
		},
	}
}

const signature = "Authorization: AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/20261201/us-east-1/execute-api/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc"

func TestDecide(t *testing.T) {
	for _, tc := range []struct {
		name    string
		url     string
		method  string
		headers []string
		origin  string
		outcome string
		cause   string
		status  int
		path    string // resource path, when the decision names one
		says    string // in the explanation, the notes or the suggestions
	}{
		// Routing: what the stage's deployment serves.
		{name: "served", url: shopHost + "/prod/users", outcome: Served, cause: CauseServed, path: "/users", says: "AWS_PROXY"},
		{name: "one trailing slash tolerated", url: shopHost + "/prod/users/", outcome: Served, path: "/users"},
		{name: "root", url: shopHost + "/prod", outcome: Served, path: "/"},
		{name: "static beats param", url: shopHost + "/prod/users/me", outcome: Served, path: "/users/me"},
		{name: "param", url: shopHost + "/prod/users/42", outcome: Served, path: "/users/{id}"},
		{name: "greedy", url: shopHost + "/prod/files/a/b.txt", method: "POST", outcome: Served, path: "/files/{proxy+}", says: "ANY /files/{proxy+}"},
		{name: "method before ANY", url: shopHost + "/prod/files/a", outcome: Rejected, cause: CauseIAMSignatureRequired, status: 403, path: "/files/{proxy+}"},
		{name: "greedy needs a segment", url: shopHost + "/prod/files", outcome: Rejected, cause: CauseNoSuchMethod, status: 403, path: "/files", says: "has no methods"},
		{name: "case-sensitive", url: shopHost + "/prod/orders", outcome: Rejected, cause: CauseNoSuchResource, status: 403, says: "GET /Orders (a near match)"},
		{name: "case look-alike served", url: shopHost + "/prod/Orders", outcome: Served, path: "/Orders"},
		{name: "HEAD is not served by GET", url: shopHost + "/prod/users", method: "HEAD", outcome: Rejected, cause: CauseNoSuchMethod, status: 403, path: "/users", says: "HEAD is a method of its own"},
		{name: "near path", url: shopHost + "/prod/user", outcome: Rejected, cause: CauseNoSuchResource, status: 403, says: "GET /users (a near match)"},
		{name: "other method", url: shopHost + "/prod/users", method: "PUT", outcome: Rejected, cause: CauseNoSuchMethod, status: 403, says: "OPTIONS /users (served on stage prod)"},
		{name: "undeployed", url: shopHost + "/prod/users", method: "POST", outcome: Rejected, cause: CauseUndeployed, status: 403, path: "/users",
			says: "POST /users exists in the working definition but the deployment on stage prod (d2 of 2026-11-30 09:00:00 UTC) does not have it"},
		{name: "undeployed, served on another stage", url: shopHost + "/prod/users", method: "POST", outcome: Rejected, cause: CauseUndeployed, says: shopHost + "/dev/users (stage dev serves POST /users)"},
		{name: "no such stage", url: shopHost + "/production/users", outcome: Rejected, cause: CauseNoSuchStage, status: 403, says: shopHost + "/prod/users (stage prod)"},
		{name: "no stage at all", url: shopHost + "/", outcome: Rejected, cause: CauseNoSuchStage, status: 403, says: "names no stage"},
		{name: "stage without deployment", url: shopHost + "/old/users", outcome: Rejected, cause: CauseStageWithoutDeployment, says: "no longer exists"},
		{name: "no such API", url: "https://shop000002.execute-api.us-east-1.amazonaws.com/prod/users", outcome: Rejected, cause: CauseNoSuchAPI, says: "shop000001"},
		{name: "drift: served, gone from the working definition", url: shopHost + "/prod/users/7", method: "DELETE", headers: []string{signature}, outcome: Served, path: "/users/{id}",
			says: "gone from the working definition"},

		// Authorization, then the API key.
		{name: "IAM without signature", url: shopHost + "/prod/admin", outcome: Rejected, cause: CauseIAMSignatureRequired, status: 403, path: "/admin", says: "arn:aws:execute-api:us-east-1:111122223333:shop000001/prod/GET/admin"},
		{name: "IAM signed", url: shopHost + "/prod/admin", headers: []string{signature}, outcome: Served, path: "/admin", says: "signature is valid"},
		{name: "IAM presigned", url: shopHost + "/prod/admin?X-Amz-Credential=a&X-Amz-Signature=b", outcome: Served},
		{name: "token authorizer without its header", url: shopHost + "/prod/token", outcome: Rejected, cause: CauseAuthorizerIdentityMissing, status: 401, says: "header Authorization"},
		{name: "token authorizer, token fails validation", url: shopHost + "/prod/token", headers: []string{"Authorization: Basic abc"}, outcome: Rejected, cause: CauseAuthorizerIdentityMissing, status: 401, says: "validation expression"},
		{name: "token authorizer with its header", url: shopHost + "/prod/token", headers: []string{"Authorization: Bearer abc"}, outcome: Served, says: `"tokens"`},
		{name: "request authorizer without a query source", url: shopHost + "/prod/request", headers: []string{"X-User: u"}, outcome: Rejected, cause: CauseAuthorizerIdentityMissing, status: 401, says: "query string parameter tenant"},
		{name: "request authorizer with every source", url: shopHost + "/prod/request?tenant=t", headers: []string{"x-user: u"}, outcome: Served},
		{name: "cognito without token", url: shopHost + "/prod/cognito", outcome: Rejected, cause: CauseAuthorizerIdentityMissing, status: 401, says: "Cognito authorizer"},
		{name: "api key missing", url: shopHost + "/prod/keyed", outcome: Rejected, cause: CauseAPIKeyRequired, status: 403, says: `"acme" (k1)`},
		{name: "api key sent", url: shopHost + "/prod/keyed", headers: []string{"x-api-key: whatever"}, outcome: Served, says: `"acme" (k1) of usage plan "partners" (p1)`},
		{name: "api key sent, plan has only disabled keys", url: shopHost + "/dev/keyed", headers: []string{"x-api-key: whatever"}, outcome: Rejected, cause: CauseAPIKeyRequired, status: 403, says: "has an enabled key"},

		// The browser's preflight.
		{name: "simple cross-origin request needs no preflight", url: shopHost + "/prod/users/42", origin: "https://app.example.com", outcome: Served},
		{name: "missing OPTIONS", url: shopHost + "/prod/users/42", headers: []string{"Authorization: Bearer x"}, origin: "https://app.example.com", outcome: Rejected, cause: CauseMissingOptions, status: 403, path: "/users/{id}"},
		{name: "preflight answered", url: shopHost + "/prod/users", method: "DELETE", origin: "https://app.example.com", outcome: Rejected, cause: CauseNoSuchMethod, says: "allows the methods GET,POST,OPTIONS, not DELETE"},
		{name: "OPTIONS requires auth", url: shopHost + "/prod/admin", method: "PUT", origin: "https://app.example.com", outcome: Rejected, cause: CauseOptionsRequiresAuth, status: 403},
		{name: "preflight through ANY", url: shopHost + "/prod/files/x", method: "PUT", origin: "https://app.example.com", outcome: Served, says: "ANY /files/{proxy+} answers the preflight"},

		// Custom domains.
		{name: "mapped", url: "https://api.example.com/shop/users", outcome: Served, path: "/users"},
		{name: "multi-level key", url: "https://api.example.com/v1/shop/users", method: "POST", outcome: Served, path: "/users"},
		{name: "wildcard domain", url: "https://a.wild.example.com/users", outcome: Served},
		{name: "no mapping", url: "https://api.example.com/shopp/users", outcome: Rejected, cause: CauseNoBasePathMapping, status: 403, says: "https://api.example.com/shop/users (base path shop)"},
		{name: "domain without mappings", url: "https://empty.example.com/users", outcome: Rejected, cause: CauseNoBasePathMapping, status: 403, says: "no API mapping at all"},
		{name: "mapping to a missing API", url: "https://api.example.com/gone/x", outcome: Rejected, cause: CauseBasePathGap, says: "deadbeef01"},
		{name: "mapping to a missing stage", url: "https://api.example.com/nostage/users", outcome: Rejected, cause: CauseBasePathGap, says: `stage "staging"`},
		{name: "mapping without stage, stage left out", url: "https://api.example.com/bare/users", outcome: Rejected, cause: CauseBasePathGap, status: 403, says: "https://api.example.com/bare/prod/users"},
		{name: "mapping without stage, stage given", url: "https://api.example.com/bare/prod/users", outcome: Served, path: "/users"},
		{name: "stage named twice", url: "https://api.example.com/shop/prod/users", outcome: Rejected, cause: CauseNoSuchResource, says: "https://api.example.com/shop/users (the mapping already names stage prod"},
		{name: "no such domain", url: "https://api.example.org/shop/users", outcome: Rejected, cause: CauseNoSuchDomain},

		// HTTP APIs.
		{name: "http served", url: cartsHost + "/live/carts", outcome: Served, path: "GET /carts"},
		{name: "http greedy", url: cartsHost + "/live/carts/a/b", outcome: Served, path: "GET /carts/{proxy+}"},
		{name: "http IAM unsigned", url: cartsHost + "/live/carts", method: "POST", outcome: Rejected, cause: CauseIAMSignatureRequired, status: 403},
		{name: "http undeployed", url: cartsHost + "/prod/carts", method: "POST", outcome: Rejected, cause: CauseUndeployed, status: 404, says: "route POST /carts exists in the current definition"},
		{name: "http no route", url: cartsHost + "/live/nothing", outcome: Rejected, cause: CauseNoSuchResource, status: 404},
		{name: "http no such stage", url: cartsHost + "/beta/carts", outcome: Rejected, cause: CauseNoSuchStage, status: 404},
		{name: "http drift", url: cartsHost + "/prod/carts/3", method: "DELETE", outcome: Served, says: "gone from the current definition"},
		{name: "http authorizer not read", url: cartsHost + "/live/secure", outcome: Undecided, cause: CauseCannotDecide, says: "HTTP API authorizers are not read"},
		{name: "http missing preflight", url: cartsHost + "/live/carts", method: "PUT", origin: "https://app.example.com", outcome: Rejected, cause: CauseMissingOptions, status: 404},
		{name: "http through a mapping", url: "https://api.example.com/carts/carts", outcome: Served, path: "GET /carts"},
		{name: "websocket", url: "https://ws00000001.execute-api.us-east-1.amazonaws.com/prod", outcome: Undecided, cause: CauseNotExplained},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, err := NewRequest(tc.url, tc.method, tc.headers, tc.origin)
			if err != nil {
				t.Fatal(err)
			}
			d := Decide(fixture(), req)
			if d.Outcome != tc.outcome || (tc.cause != "" && d.Cause != tc.cause) || d.Status != tc.status && tc.status != 0 {
				t.Errorf("%s, %s, %d: want %s, %s, %d\n%s", d.Outcome, d.Cause, d.Status, tc.outcome, tc.cause, tc.status, text(t, d))
			}
			if tc.path != "" && d.ResourcePath != tc.path {
				t.Errorf("resource %q, want %q", d.ResourcePath, tc.path)
			}
			if tc.says != "" && !strings.Contains(text(t, d), tc.says) {
				t.Errorf("the decision does not say %q:\n%s", tc.says, text(t, d))
			}
			if d.Outcome == Rejected && (d.Explanation == "" || d.Fix == "") {
				t.Errorf("a rejection says why and how to fix it:\n%s", text(t, d))
			}
			if len(d.Wants) > 0 {
				t.Errorf("a whole region needs nothing more, got %+v", d.Wants)
			}
		})
	}
}

func text(t *testing.T, d Decision) string {
	t.Helper()
	var b strings.Builder
	if err := WriteText(&b, d); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestUnreadIsNeverEmpty: every part a decision rests on, unread, makes it undecided and wanted;
// failed to read, undecided with the reason; never rejected or served on a guess.
func TestUnreadIsNeverEmpty(t *testing.T) {
	shop := func(r *inventory.Region) *inventory.API { return &r.APIs[0] }
	for _, tc := range []struct {
		name   string
		url    string
		header string
		cut    func(r *inventory.Region)
		want   inventory.Part
	}{
		{"REST API list", shopHost + "/prod/users", "", func(r *inventory.Region) { r.Unread = append(r.Unread, inventory.OpGetRestApis); r.APIs = nil }, inventory.Part{Op: inventory.OpGetRestApis}},
		{"v2 API list", cartsHost + "/live/carts", "", func(r *inventory.Region) { r.Unread = append(r.Unread, inventory.OpGetApis); r.V2APIs = nil }, inventory.Part{Op: inventory.OpGetApis}},
		{"domains", "https://api.example.com/shop/users", "", func(r *inventory.Region) { r.Unread = append(r.Unread, inventory.OpGetDomainNames); r.Domains = nil }, inventory.Part{Op: inventory.OpGetDomainNames}},
		{"mappings", "https://api.example.com/shop/users", "", func(r *inventory.Region) { r.Domains[0].MappingsUnread, r.Domains[0].Mappings = true, nil },
			inventory.Part{Op: inventory.OpGetApiMappings, Domain: "api.example.com"}},
		{"stages", shopHost + "/prod/users", "", func(r *inventory.Region) { shop(r).Unread, shop(r).Stages = []string{inventory.OpGetStages}, nil },
			inventory.Part{Op: inventory.OpGetStages, APIID: "shop000001"}},
		{"deployments", shopHost + "/prod/users", "", func(r *inventory.Region) {
			shop(r).Unread = []string{inventory.OpGetDeployments}
			shop(r).Deployments = nil
		}, inventory.Part{Op: inventory.OpGetDeployments, APIID: "shop000001"}},
		{"snapshot", shopHost + "/prod/users", "", func(r *inventory.Region) { shop(r).Deployments[1].Summary = nil },
			inventory.Part{Op: inventory.OpGetDeployment, APIID: "shop000001", DeploymentID: "d2"}},
		{"authorizers", shopHost + "/prod/token", "Authorization: Bearer x", func(r *inventory.Region) { shop(r).AuthorizersRead, shop(r).Authorizers = false, nil },
			inventory.Part{Op: inventory.OpGetAuthorizers, APIID: "shop000001"}},
		{"usage plans, key sent", shopHost + "/prod/keyed", "x-api-key: k", func(r *inventory.Region) { r.Unread = append(r.Unread, inventory.OpGetUsagePlans); r.UsagePlans = nil },
			inventory.Part{Op: inventory.OpGetUsagePlans}},
		{"plan keys, key sent", shopHost + "/prod/keyed", "x-api-key: k", func(r *inventory.Region) { r.UsagePlans[0].KeysUnread, r.UsagePlans[0].KeyIDs = true, nil },
			inventory.Part{Op: inventory.OpGetUsagePlanKeys, UsagePlanID: "p1"}},
		{"key flags, key sent", shopHost + "/prod/keyed", "x-api-key: k", func(r *inventory.Region) { r.Unread = append(r.Unread, inventory.OpGetAPIKeys); r.APIKeys = nil },
			inventory.Part{Op: inventory.OpGetAPIKeys}},
		{"HTTP API", cartsHost + "/live/carts", "", func(r *inventory.Region) {
			r.V2APIs[0].Unread, r.V2APIs[0].Stages = []string{inventory.OpGetStages, inventory.OpGetDeployments, inventory.OpExportApi}, nil
		}, inventory.Part{Op: inventory.OpGetStages, APIID: "cart000001", V2: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var headers []string
			if tc.header != "" {
				headers = []string{tc.header}
			}
			req, err := NewRequest(tc.url, "GET", headers, "")
			if err != nil {
				t.Fatal(err)
			}
			reg := fixture()
			tc.cut(reg)
			d := Decide(reg, req)
			if d.Outcome != Undecided || d.Cause != CauseCannotDecide || !strings.Contains(d.Explanation, "was not read") || len(d.Wants) != 1 || d.Wants[0] != tc.want {
				t.Errorf("not read: %s, %s, wants %+v: want undecided, wanting %+v\n%s", d.Outcome, d.Cause, d.Wants, tc.want, text(t, d))
			}
			e := inventory.ScanError{Region: "us-east-1", APIID: tc.want.APIID, UsagePlanID: tc.want.UsagePlanID, Domain: tc.want.Domain, Operation: tc.want.Op, Message: "AccessDeniedException: no"}
			if tc.want.V2 {
				e.Operation = inventory.OpGetStages
			}
			reg.Errors = append(reg.Errors, e)
			d = Decide(reg, req)
			if d.Outcome != Undecided || !strings.Contains(d.Explanation, "could not be read: AccessDeniedException: no") || len(d.Wants) != 0 {
				t.Errorf("failed: %s, wants %+v: want undecided, saying why, wanting nothing\n%s", d.Outcome, d.Wants, text(t, d))
			}
		})
	}
}

// TestOptionalParts: what only adds to an explanation is wanted, but the decision stands
// without it: a request without an x-api-key is rejected whether or not the plans were read,
// and the working definition only tells an undeployed change from a missing route.
func TestOptionalParts(t *testing.T) {
	reg := fixture()
	reg.Unread = append(reg.Unread, inventory.OpGetUsagePlans)
	reg.UsagePlans = nil
	req, _ := NewRequest(shopHost+"/prod/keyed", "GET", nil, "")
	if d := Decide(reg, req); d.Outcome != Rejected || d.Cause != CauseAPIKeyRequired || len(d.Wants) != 1 || d.Wants[0].Op != inventory.OpGetUsagePlans {
		t.Errorf("no key, plans unread: %s %s, wants %+v", d.Outcome, d.Cause, d.Wants)
	}
	reg.Errors = append(reg.Errors, inventory.ScanError{Operation: inventory.OpGetUsagePlans, Message: "throttled"})
	if d := Decide(reg, req); d.Cause != CauseAPIKeyRequired || len(d.Wants) != 0 || !strings.Contains(d.Explanation, "the usage plans could not be read: throttled") {
		t.Errorf("no key, plans failed: %s, wants %+v, %q", d.Cause, d.Wants, d.Explanation)
	}
	reg = fixture()
	reg.APIs[0].Unread, reg.APIs[0].Resources = []string{inventory.OpGetResources}, nil
	req, _ = NewRequest(shopHost+"/prod/users", "POST", nil, "")
	if d := Decide(reg, req); d.Outcome != Rejected || d.Cause != CauseNoSuchMethod || d.Status != 403 || len(d.Wants) != 1 || d.Wants[0].Op != inventory.OpGetResources {
		t.Errorf("working definition unread: %s %s, wants %+v", d.Outcome, d.Cause, d.Wants)
	}
	reg.Errors = append(reg.Errors, inventory.ScanError{APIID: "shop000001", Operation: inventory.OpGetResources, Message: "throttled"})
	if d := Decide(reg, req); d.Cause != CauseNoSuchMethod || len(d.Wants) != 0 || !strings.Contains(strings.Join(d.Notes, " "), "is not known: GetResources failed: throttled") {
		t.Errorf("working definition failed: %s, wants %+v, notes %q", d.Cause, d.Wants, d.Notes)
	}
}

func TestNoSecretIsPrinted(t *testing.T) {
	for _, url := range []string{shopHost + "/prod/keyed", shopHost + "/prod/admin?X-Amz-Credential=a&X-Amz-Signature=SECRETSIG", shopHost + "/prod/token"} {
		req, err := NewRequest(url, "GET", []string{"x-api-key: SECRETKEY", "Authorization: Bearer SECRETTOKEN"}, "")
		if err != nil {
			t.Fatal(err)
		}
		out := text(t, Decide(fixture(), req))
		if strings.Contains(out, "SECRET") {
			t.Errorf("a credential is printed:\n%s", out)
		}
	}
}
