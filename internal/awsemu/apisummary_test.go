package awsemu

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
)

// buildPetstore makes / GET (open), /pets GET (API key required) and /pets POST (AWS_IAM).
func buildPetstore(t *testing.T, c *apigateway.Client) (apiID string, resources map[string]string) {
	t.Helper()
	ctx := t.Context()
	apiID = newAPI(t, c, "petstore")
	resources = map[string]string{"/": rootID(t, c, apiID)}
	pets, err := c.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: &apiID,
		ParentId: aws.String(resources["/"]), PathPart: aws.String("pets")})
	check(t, err)
	resources["/pets"] = aws.ToString(pets.Id)
	pet, err := c.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: &apiID,
		ParentId: pets.Id, PathPart: aws.String("{id}")})
	check(t, err)
	resources["/pets/{id}"] = aws.ToString(pet.Id)

	addMethod(t, c, apiID, resources["/"], "GET", "NONE", false)
	addMethod(t, c, apiID, resources["/pets"], "GET", "NONE", true)
	addMethod(t, c, apiID, resources["/pets"], "POST", "AWS_IAM", false)
	return apiID, resources
}

// addMethod puts a method with a MOCK integration: moto, like AWS, refuses to deploy an API
// without integrations.
func addMethod(t *testing.T, c *apigateway.Client, apiID, resourceID, verb, auth string, keyRequired bool) {
	t.Helper()
	_, err := c.PutMethod(t.Context(), &apigateway.PutMethodInput{RestApiId: &apiID, ResourceId: &resourceID,
		HttpMethod: &verb, AuthorizationType: &auth, ApiKeyRequired: keyRequired})
	check(t, err)
	_, err = c.PutIntegration(t.Context(), &apigateway.PutIntegrationInput{RestApiId: &apiID, ResourceId: &resourceID,
		HttpMethod: &verb, Type: types.IntegrationTypeMock})
	check(t, err)
}

func deploy(t *testing.T, c *apigateway.Client, apiID, stage string) string {
	t.Helper()
	in := &apigateway.CreateDeploymentInput{RestApiId: &apiID}
	if stage != "" {
		in.StageName = &stage
	}
	out, err := c.CreateDeployment(t.Context(), in)
	check(t, err)
	return aws.ToString(out.Id)
}

func getSummary(t *testing.T, c *apigateway.Client, apiID, deploymentID string, embed ...string) map[string]map[string]types.MethodSnapshot {
	t.Helper()
	out, err := c.GetDeployment(t.Context(), &apigateway.GetDeploymentInput{RestApiId: &apiID, DeploymentId: &deploymentID, Embed: embed})
	check(t, err)
	if aws.ToString(out.Id) != deploymentID {
		t.Fatalf("GetDeployment returned %q, want %q", aws.ToString(out.Id), deploymentID)
	}
	return out.ApiSummary
}

func TestAPISummary(t *testing.T) {
	s, c := setup(t)
	ctx := t.Context()
	apiID, res := buildPetstore(t, c)
	first := deploy(t, c, apiID, "prod")

	// Change the working definition after the first deployment: drop the key requirement, make
	// POST open, add DELETE /pets/{id}. moto has no UpdateMethod (it answers 500), so methods are
	// replaced.
	replace := func(verb, auth string) {
		_, err := c.DeleteMethod(ctx, &apigateway.DeleteMethodInput{RestApiId: &apiID, ResourceId: aws.String(res["/pets"]), HttpMethod: &verb})
		check(t, err)
		addMethod(t, c, apiID, res["/pets"], verb, auth, false)
	}
	replace("GET", "NONE")
	replace("POST", "NONE")
	addMethod(t, c, apiID, res["/pets/{id}"], "DELETE", "AWS_IAM", false)
	second := deploy(t, c, apiID, "")

	snap := func(auth string, key bool) types.MethodSnapshot {
		return types.MethodSnapshot{AuthorizationType: aws.String(auth), ApiKeyRequired: key}
	}
	wantFirst := map[string]map[string]types.MethodSnapshot{
		"/":     {"GET": snap("NONE", false)},
		"/pets": {"GET": snap("NONE", true), "POST": snap("AWS_IAM", false)},
	}
	wantSecond := map[string]map[string]types.MethodSnapshot{
		"/":          {"GET": snap("NONE", false)},
		"/pets":      {"GET": snap("NONE", false), "POST": snap("NONE", false)},
		"/pets/{id}": {"DELETE": snap("AWS_IAM", false)},
	}
	assertSummary(t, "first", getSummary(t, c, apiID, first, "apisummary"), wantFirst)
	assertSummary(t, "second", getSummary(t, c, apiID, second, "apisummary"), wantSecond)
	// The CLI's comma-separated form is accepted too.
	assertSummary(t, "comma", getSummary(t, c, apiID, first, "foo,apisummary"), wantFirst)

	if sum := getSummary(t, c, apiID, first); sum != nil {
		t.Errorf("apiSummary without embed: %v", sum)
	}
	if got := s.Counts()["GetResources"]; got != 1 {
		// The shim's own snapshot reads go straight to moto and are not client requests.
		t.Errorf("GetResources counted %d times, want only the client's 1", got)
	}

	// Deployments listed and fetched one by one keep their ids; the list is not decorated.
	list, err := c.GetDeployments(ctx, &apigateway.GetDeploymentsInput{RestApiId: &apiID})
	check(t, err)
	if len(list.Items) != 2 || list.Items[0].ApiSummary != nil {
		t.Errorf("GetDeployments = %d items, first summary %v", len(list.Items), list.Items[0].ApiSummary)
	}

	// Another region with the same API id (fixed with moto's _custom_id_ tag) has its own
	// snapshots.
	other := apigw(s, "eu-west-1")
	for _, cl := range []*apigateway.Client{c, other} {
		_, err := cl.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("fixed"), Tags: map[string]string{"_custom_id_": "fixedid"}})
		check(t, err)
	}
	addMethod(t, c, "fixedid", rootID(t, c, "fixedid"), "GET", "NONE", false)
	addMethod(t, other, "fixedid", rootID(t, other, "fixedid"), "PUT", "AWS_IAM", false)
	east := deploy(t, c, "fixedid", "")
	west := deploy(t, other, "fixedid", "")
	assertSummary(t, "east", getSummary(t, c, "fixedid", east, "apisummary"),
		map[string]map[string]types.MethodSnapshot{"/": {"GET": snap("NONE", false)}})
	assertSummary(t, "west", getSummary(t, other, "fixedid", west, "apisummary"),
		map[string]map[string]types.MethodSnapshot{"/": {"PUT": snap("AWS_IAM", false)}})
}

func TestAPISummaryDisabled(t *testing.T) {
	_, c := setup(t, WithoutAPISummary())
	apiID, _ := buildPetstore(t, c)
	d := deploy(t, c, apiID, "prod")
	if sum := getSummary(t, c, apiID, d, "apisummary"); sum != nil {
		t.Errorf("apiSummary present with WithoutAPISummary: %v", sum)
	}
}

func assertSummary(t *testing.T, name string, got, want map[string]map[string]types.MethodSnapshot) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: summary has paths %v, want %v", name, keys(got), keys(want))
	}
	for path, methods := range want {
		if len(got[path]) != len(methods) {
			t.Errorf("%s: %s has %d methods, want %d", name, path, len(got[path]), len(methods))
		}
		for verb, w := range methods {
			g, ok := got[path][verb]
			if !ok {
				t.Errorf("%s: %s %s missing", name, verb, path)
				continue
			}
			if aws.ToString(g.AuthorizationType) != aws.ToString(w.AuthorizationType) || g.ApiKeyRequired != w.ApiKeyRequired {
				t.Errorf("%s: %s %s = {%s %v}, want {%s %v}", name, verb, path,
					aws.ToString(g.AuthorizationType), g.ApiKeyRequired, aws.ToString(w.AuthorizationType), w.ApiKeyRequired)
			}
		}
	}
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
