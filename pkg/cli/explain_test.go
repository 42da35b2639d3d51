package cli_test

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"

	"github.com/apigw-drift/driftaudit/internal/awsemu"
	"github.com/apigw-drift/driftaudit/pkg/cli"
	"github.com/apigw-drift/driftaudit/pkg/explain"
	"github.com/apigw-drift/driftaudit/pkg/inventory"
)

const (
	demoRegion = "us-east-1"
	// signed is what a SigV4-signed request carries; explain only looks for it.
	signed = "Authorization: AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/20261201/us-east-1/execute-api/aws4_request, SignedHeaders=host;x-amz-date, Signature=0123"
)

// explained runs driftaudit explain and decodes its JSON decision.
func explained(t *testing.T, args ...string) (int, explain.Decision, string) {
	t.Helper()
	code, out, errOut := run(t, append([]string{"explain", "--format", "json"}, args...)...)
	var d explain.Decision
	if out != "" {
		if err := json.Unmarshal([]byte(out), &d); err != nil {
			t.Fatalf("explain %v: not JSON (%v): %s %s", args, err, out, errOut)
		}
	}
	return code, d, errOut
}

func defaultURL(apiID, stage, path string) string {
	return fmt.Sprintf("https://%s.execute-api.%s.amazonaws.com/%s%s", apiID, demoRegion, stage, path)
}

// concrete fills a resource path's parameters: /orders/{id} is called as /orders/1.
func concrete(path string) string {
	parts := strings.Split(path, "/")
	for i, p := range parts {
		if strings.HasPrefix(p, "{") {
			parts[i] = "1"
		}
	}
	return strings.Join(parts, "/")
}

type finding struct {
	Check, Severity, APIID, APIType, Stage, Path, Method, Domain, BasePath, Message string
}

// demoFindings scans the demo account and returns its findings of the checks explain answers for.
func demoFindings(t *testing.T, endpoint string) []finding {
	t.Helper()
	_, js, _ := run(t, "scan", "--endpoint-url", endpoint, "--region", demoRegion, "--format", "json", "--fail-on", "none",
		"--enable", "undeployed-changes,missing-options,base-path-gap,api-key-without-plan")
	var doc struct {
		Findings []struct {
			Check, Severity, Stage, Path, Method, Domain, Message string
			APIID                                                 string `json:"api_id"`
			APIType                                               string `json:"api_type"`
			BasePath                                              string `json:"base_path"`
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(js), &doc); err != nil {
		t.Fatal(err)
	}
	var out []finding
	for _, f := range doc.Findings {
		out = append(out, finding{f.Check, f.Severity, f.APIID, f.APIType, f.Stage, f.Path, f.Method, f.Domain, f.BasePath, f.Message})
	}
	return out
}

// demoInventory reads the demo account's inventory, to find what the findings leave implicit:
// the stages that serve a resource, the key-required methods of a stage.
func demoInventory(t *testing.T, endpoint string) (*inventory.Region, string) {
	t.Helper()
	_, js, _ := run(t, "inventory", "--endpoint-url", endpoint, "--region", demoRegion)
	inv, err := inventory.Decode(strings.NewReader(js))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "demo.json")
	if err := os.WriteFile(path, []byte(js), 0o644); err != nil {
		t.Fatal(err)
	}
	return &inv.Regions[0], path
}

func restAPI(reg *inventory.Region, id string) *inventory.API {
	for i := range reg.APIs {
		if reg.APIs[i].ID == id {
			return &reg.APIs[i]
		}
	}
	return nil
}

// servingStages are the stages of an API whose deployment has a method on path.
func servingStages(api *inventory.API, path string) []string {
	var out []string
	for _, st := range api.Stages {
		for _, d := range api.Deployments {
			if d.ID == st.DeploymentID && d.Summary[path] != nil {
				out = append(out, st.Name)
			}
		}
	}
	return out
}

type explainCase struct {
	why     string
	args    []string
	outcome string
	cause   string
	says    string
}

// TestExplainDemoFindings: every undeployed-changes, missing-options, base-path-gap and
// api-key-without-plan finding of the demo account, turned into the request it is about, is
// explained as rejected with the matching cause (or, where the finding says the stage serves
// more than its definition, as served with the drift noted); requests that work are served.
// Everything is read live, through the shim, by the real SDK clients.
func TestExplainDemoFindings(t *testing.T) {
	shim := demoShim(t)
	findings := demoFindings(t, shim.URL)
	reg, _ := demoInventory(t, shim.URL)
	var cases []explainCase
	seen := map[string]int{}
	for _, f := range findings {
		seen[f.Check]++
		switch f.Check {
		case "undeployed-changes":
			url := defaultURL(f.APIID, f.Stage, concrete(f.Path))
			c := explainCase{why: f.Message, args: []string{url, "--method", f.Method, "--header", signed}}
			if strings.Contains(f.Message, "added to the") {
				c.outcome, c.cause = explain.Rejected, explain.CauseUndeployed
			} else {
				// The stage serves what the definition no longer has, or serves it more openly:
				// the request is served, and the drift is said.
				c.outcome, c.cause, c.says = explain.Served, explain.CauseServed, "definition"
			}
			cases = append(cases, c)
		case "missing-options":
			api := restAPI(reg, f.APIID)
			stages := servingStages(api, f.Path)
			if f.Stage != "" {
				stages = []string{f.Stage}
			}
			if len(stages) == 0 {
				t.Fatalf("no stage serves %s of %s: %s", f.Path, f.APIID, f.Message)
			}
			for _, st := range stages {
				cases = append(cases, explainCase{why: f.Message, outcome: explain.Rejected, cause: explain.CauseMissingOptions,
					args: []string{defaultURL(f.APIID, st, concrete(f.Path)), "--origin", "https://shop.example.com", "--header", "Content-Type: application/json"}})
			}
		case "base-path-gap":
			url, cause := "https://"+f.Domain+"/"+f.BasePath+"/x", explain.CauseBasePathGap
			switch f.BasePath {
			case "(none)":
				url = "https://" + f.Domain + "/x"
			case "":
				url, cause = "https://"+f.Domain+"/x", explain.CauseNoBasePathMapping // a domain with no mapping at all
			}
			cases = append(cases, explainCase{why: f.Message, args: []string{url, "--region", demoRegion}, outcome: explain.Rejected, cause: cause})
		case "api-key-without-plan":
			api := restAPI(reg, f.APIID)
			for _, d := range api.Deployments {
				for _, m := range inventory.KeyRequiredMethods(d.Summary) {
					if !slices.Contains(servingStages(api, strings.SplitN(m, " ", 2)[1]), f.Stage) {
						continue
					}
					method, path, _ := strings.Cut(m, " ")
					url := defaultURL(f.APIID, f.Stage, concrete(path))
					cases = append(cases,
						explainCase{why: f.Message + " (no key)", args: []string{url, "--method", method, "--header", signed}, outcome: explain.Rejected, cause: explain.CauseAPIKeyRequired, says: "no usage plan covers"},
						explainCase{why: f.Message + " (a key)", args: []string{url, "--method", method, "--header", signed, "--header", "x-api-key: not-a-real-key"}, outcome: explain.Rejected, cause: explain.CauseAPIKeyRequired, says: "no key value is accepted"})
				}
			}
		}
	}
	for _, check := range []string{"undeployed-changes", "missing-options", "base-path-gap", "api-key-without-plan"} {
		if seen[check] == 0 {
			t.Fatalf("the demo account has no %s finding: %v", check, seen)
		}
	}
	key := "x-api-key: the-partner-key"
	cases = append(cases,
		explainCase{why: "a key of the catalog's plan", args: []string{defaultURL("catalog001", "prod", "/products"), "--header", key}, outcome: explain.Served, says: "partner-acme"},
		explainCase{why: "through the custom domain", args: []string{"https://api.example.com/catalog/products/7", "--region", demoRegion, "--header", key}, outcome: explain.Served},
		explainCase{why: "a multi-level mapping", args: []string{"https://api.example.com/catalog/v2/products", "--region", demoRegion, "--header", key}, outcome: explain.Served},
		explainCase{why: "a browser's preflight answered", args: []string{defaultURL("catalog001", "prod", "/products"), "--header", key, "--origin", "https://shop.example.com"}, outcome: explain.Served},
		explainCase{why: "a greedy proxy, signed", args: []string{defaultURL("catalog001", "prod", "/legacy/a/b"), "--method", "PATCH", "--header", signed}, outcome: explain.Served, says: "ANY /legacy/{proxy+}"},
		explainCase{why: "an open method", args: []string{defaultURL("orders0001", "prod", "/orders")}, outcome: explain.Served},
		explainCase{why: "an HTTP API through a mapping, signed", args: []string{"https://api.example.com/carts/carts", "--region", demoRegion, "--header", signed}, outcome: explain.Served},
		explainCase{why: "a mapping without a stage, the stage in the path", args: []string{"https://partners.example.com/orders/prod/orders", "--region", demoRegion}, outcome: explain.Served},
		explainCase{why: "the demo's worked example", args: []string{defaultURL("orders0001", "prod", "/orders"), "--method", "POST"}, outcome: explain.Rejected, cause: explain.CauseUndeployed},
		explainCase{why: "an unsigned IAM method", args: []string{defaultURL("catalog001", "prod", "/admin")}, outcome: explain.Rejected, cause: explain.CauseIAMSignatureRequired},
	)
	calls := map[string]int{}
	for _, c := range cases {
		t.Run(caseName(c.args), func(t *testing.T) {
			shim.ResetLog()
			code, d, errOut := explained(t, append(c.args, "--endpoint-url", shim.URL)...)
			if d.Outcome != c.outcome || d.Cause != c.cause && c.cause != "" {
				t.Errorf("%s: %s, %s (exit %d, %s); want %s, %s\n%+v", c.why, d.Outcome, d.Cause, code, errOut, c.outcome, c.cause, d)
			}
			wantCode := cli.ExitFindings
			if c.outcome == explain.Served {
				wantCode = cli.ExitOK
			}
			if code != wantCode {
				t.Errorf("exit %d, want %d", code, wantCode)
			}
			if all, _ := json.Marshal(d); c.says != "" && !strings.Contains(string(all), c.says) {
				t.Errorf("the decision does not say %q: %s", c.says, all)
			}
			n := 0
			for op, k := range shim.CountsFor("apigateway") {
				if op == "GetApiKeys" {
					for _, r := range shim.Requests() {
						if r.Operation == op && strings.Contains(r.RawQuery, "includeValues") {
							t.Errorf("GetApiKeys asked for key values: %s", r.RawQuery)
						}
					}
				}
				n += k
			}
			calls[caseName(c.args)] = n
		})
	}
	for _, k := range slices.Sorted(maps.Keys(calls)) {
		t.Logf("%2d calls: %s", calls[k], k)
	}
}

// caseName names a case by its method and URL, and whether it is signed or sends a key or an
// origin.
func caseName(args []string) string {
	method, extra := "GET", ""
	for i := 1; i < len(args)-1; i++ {
		switch {
		case args[i] == "--method":
			method = args[i+1]
		case args[i] == "--header" && strings.HasPrefix(args[i+1], "Authorization: AWS4"):
			extra += " signed"
		case args[i] == "--header" && strings.HasPrefix(args[i+1], "x-api-key"):
			extra += " with a key"
		case args[i] == "--origin":
			extra += " from " + args[i+1]
		}
	}
	return method + " " + args[0] + extra
}

// TestExplainSnapshot: decided from a saved inventory, a request gets the live decision; a file
// of several accounts needs --account.
func TestExplainSnapshot(t *testing.T) {
	shim := demoShim(t)
	_, file := demoInventory(t, shim.URL)
	for _, args := range [][]string{
		{defaultURL("orders0001", "prod", "/orders"), "--method", "POST"},
		{defaultURL("orders0001", "prod", "/orders/1"), "--method", "DELETE"},
		{defaultURL("catalog001", "prod", "/products"), "--header", "x-api-key: k"},
		{"https://partners.example.com/reports/x", "--region", demoRegion},
		{"https://api.example.com/carts/carts", "--region", demoRegion},
		{defaultURL("reports001", "production", "/reports")},
	} {
		t.Run(caseName(args), func(t *testing.T) {
			liveCode, live, _ := explained(t, append(args, "--endpoint-url", shim.URL)...)
			code, saved, errOut := explained(t, append(args, "--snapshot", file)...)
			if code != liveCode || !reflectEqual(live, saved) {
				t.Errorf("from the file (exit %d, %s):\n%+v\nlive (exit %d):\n%+v", code, errOut, saved, liveCode, live)
			}
		})
	}

	// Two accounts in one file.
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var inv inventory.Inventory
	if err := json.Unmarshal(data, &inv); err != nil {
		t.Fatal(err)
	}
	other := inv.Regions[0]
	other.Account = "222222222222"
	other.APIs = nil
	other.V2APIs = []inventory.V2API{{ID: "ws00000001", Name: "chat", ProtocolType: "WEBSOCKET", Stages: []inventory.V2Stage{{Name: "prod"}}}}
	inv.Regions, inv.AccountID = append(inv.Regions, other), ""
	two := filepath.Join(t.TempDir(), "org.json")
	out, _ := json.Marshal(inv)
	if err := os.WriteFile(two, out, 0o644); err != nil {
		t.Fatal(err)
	}
	url := defaultURL("orders0001", "prod", "/orders")
	if code, _, errOut := run(t, "explain", url, "--snapshot", two); code != cli.ExitUsage || !strings.Contains(errOut, "the snapshot holds 2 accounts (123456789012, 222222222222): pass --account") {
		t.Errorf("two accounts, no --account: exit %d, %q", code, errOut)
	}
	if code, d, _ := explained(t, url, "--snapshot", two, "--account", "123456789012"); code != cli.ExitOK || d.Outcome != explain.Served || d.AccountID != "123456789012" {
		t.Errorf("--account 123456789012: exit %d, %+v", code, d)
	}
	if code, _, errOut := run(t, "explain", url, "--snapshot", two, "--account", "333333333333"); code != cli.ExitUsage || !strings.Contains(errOut, "holds no account 333333333333") {
		t.Errorf("--account of no region: exit %d, %q", code, errOut)
	}
	// A WebSocket API is not explained: a usage-level answer.
	ws := "https://ws00000001.execute-api.us-east-1.amazonaws.com/prod"
	if code, out, errOut := run(t, "explain", ws, "--snapshot", two, "--account", "222222222222"); code != cli.ExitUsage || out != "" || !strings.Contains(errOut, "WebSocket APIs are not explained") {
		t.Errorf("WebSocket: exit %d, %q %q", code, out, errOut)
	}
}

func reflectEqual(a, b explain.Decision) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

func TestExplainUsageErrors(t *testing.T) {
	url := defaultURL("orders0001", "prod", "/orders")
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no URL", []string{"explain"}, "the URL to explain is missing"},
		{"no URL, flags only", []string{"explain", "--method", "POST"}, "the URL to explain is missing"},
		{"two URLs", []string{"explain", url, url}, "unexpected argument"},
		{"http", []string{"explain", "http://api.example.com/x"}, "API Gateway serves HTTPS only"},
		{"not a URL", []string{"explain", "orders"}, "is not an https URL"},
		{"an AWS host that is no API", []string{"explain", "https://s3.amazonaws.com/x"}, "not an API Gateway invoke URL"},
		{"bad method", []string{"explain", url, "--method", "BREW"}, `method "BREW" is not one API Gateway serves`},
		{"bad header", []string{"explain", url, "--header", "x-api-key=SECRET-VALUE"}, "is not 'Name: value'"},
		{"bad origin", []string{"explain", url, "--origin", "shop.example.com"}, "is not scheme://host[:port]"},
		{"bad format", []string{"explain", url, "--format", "yaml"}, "must be one of text, json"},
		{"empty region", []string{"explain", "https://api.example.com/x", "--region", ""}, "--region is empty"},
		{"account without snapshot", []string{"explain", url, "--account", "123456789012"}, "--account picks an account of a --snapshot"},
		{"snapshot with endpoint", []string{"explain", url, "--snapshot", "x.json", "--endpoint-url", "http://127.0.0.1:9"}, "takes no --endpoint-url"},
		{"missing snapshot", []string{"explain", url, "--snapshot", "/nonexistent/inv.json"}, "read snapshot"},
		{"region against the URL", []string{"explain", url, "--region", "eu-west-1", "--endpoint-url", "http://127.0.0.1:9"}, "--region eu-west-1, but the URL is in us-east-1"},
		{"bad region", []string{"explain", "https://api.example.com/x", "--region", "Frankfurt"}, `region "Frankfurt" is not a region name`},
		{"custom domain without region", []string{"explain", "https://api.example.com/x", "--endpoint-url", "http://127.0.0.1:9"}, "no region"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := run(t, tc.args...)
			if code != cli.ExitUsage || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr %q: want %d saying %q", code, stderr, cli.ExitUsage, tc.want)
			}
			if stdout != "" || strings.Count(strings.TrimSpace(stderr), "\n") > 1 || strings.Contains(stderr, "SECRET") {
				t.Errorf("a usage error is one line on stderr, no credential, nothing on stdout; got stdout %q stderr %q", stdout, stderr)
			}
		})
	}
}

// TestExplainWhatCouldNotBeRead: a part the decision needs that cannot be read is said, never
// guessed (exit 1); when nothing at all could be read, exit 2 with one line.
func TestExplainWhatCouldNotBeRead(t *testing.T) {
	shim := demoShim(t)
	url := defaultURL("orders0001", "prod", "/orders")
	shim.AddFault(awsemu.Fault{Service: "apigateway", Operation: "GetStages", APIID: "orders0001", Kind: awsemu.FaultStatus, Status: 403, ErrorType: "AccessDeniedException", Message: "not allowed"})
	code, d, _ := explained(t, url, "--endpoint-url", shim.URL)
	if code != cli.ExitFindings || d.Outcome != explain.Undecided || d.Cause != explain.CauseCannotDecide ||
		!strings.Contains(d.Explanation, "cannot decide: the stages of API orders0001 could not be read: ") || !strings.Contains(d.Explanation, "not allowed") {
		t.Errorf("stages denied: exit %d, %+v", code, d)
	}
	shim.ClearFaults()
	shim.AddFault(awsemu.Fault{Service: "apigateway", Operation: "GetRestApis", Kind: awsemu.FaultStatus, Status: 403, ErrorType: "AccessDeniedException", Message: "not allowed"})
	code, stdout, stderr := run(t, "explain", url, "--endpoint-url", shim.URL)
	if code != cli.ExitUsage || stdout != "" || !strings.Contains(stderr, "explain could not read anything in us-east-1: cannot decide: the REST API list of us-east-1 could not be read") ||
		strings.Count(strings.TrimSpace(stderr), "\n") > 0 {
		t.Errorf("nothing read: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

// TestExplainAuthorizerOnTheWire: a Lambda authorizer's identity source is read with
// GetAuthorizers (paged, through the shim) and decides the request.
func TestExplainAuthorizerOnTheWire(t *testing.T) {
	ctx := context.Background()
	shim := freshShim(t)
	c := apigateway.NewFromConfig(awsemu.AWSConfig(shim.URL, demoRegion))
	api, err := c.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("guarded"), Tags: map[string]string{"_custom_id_": "guarded001"}})
	if err != nil {
		t.Fatal(err)
	}
	var authorizerID string
	for i, name := range []string{"other", "tokens"} {
		a, err := c.CreateAuthorizer(ctx, &apigateway.CreateAuthorizerInput{RestApiId: api.Id, Name: aws.String(name), Type: types.AuthorizerTypeToken,
			IdentitySource: aws.String("method.request.header.X-Token"),
			AuthorizerUri:  aws.String("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:auth/invocations")})
		if err != nil {
			t.Fatal(err)
		}
		if i == 1 {
			authorizerID = aws.ToString(a.Id)
		}
	}
	if _, err := c.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: api.Id, ResourceId: api.RootResourceId, HttpMethod: aws.String("GET"),
		AuthorizationType: aws.String("CUSTOM"), AuthorizerId: aws.String(authorizerID)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutIntegration(ctx, &apigateway.PutIntegrationInput{RestApiId: api.Id, ResourceId: api.RootResourceId, HttpMethod: aws.String("GET"), Type: types.IntegrationTypeMock}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: api.Id, StageName: aws.String("prod")}); err != nil {
		t.Fatal(err)
	}
	shim.SetMaxPageSize(1) // two pages of authorizers
	url := defaultURL("guarded001", "prod", "/")
	shim.ResetLog()
	code, d, errOut := explained(t, url, "--endpoint-url", shim.URL)
	if code != cli.ExitFindings || d.Cause != explain.CauseAuthorizerIdentityMissing || d.Status != 401 || !strings.Contains(d.Explanation, `"tokens"`) || !strings.Contains(d.Explanation, "header X-Token") {
		t.Errorf("without the token: exit %d (%s), %+v", code, errOut, d)
	}
	if n := shim.Counts()["GetAuthorizers"]; n != 2 {
		t.Errorf("%d GetAuthorizers calls, want 2 pages", n)
	}
	if code, d, _ := explained(t, url, "--endpoint-url", shim.URL, "--header", "X-Token: t"); code != cli.ExitOK || d.Outcome != explain.Served {
		t.Errorf("with the token: exit %d, %+v", code, d)
	}
}
