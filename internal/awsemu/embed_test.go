package awsemu

import (
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
)

// TestResourcesEmbedMethods: moto embeds whole methods in every resource; the shim, like AWS,
// names the methods only unless embed=methods is asked, in GetResources and GetResource alike.
func TestResourcesEmbedMethods(t *testing.T) {
	_, c := setup(t)
	ctx := t.Context()
	apiID, res := buildPetstore(t, c)
	wantVerbs := map[string][]string{"/": {"GET"}, "/pets": {"GET", "POST"}, "/pets/{id}": nil}

	list := func(embed ...string) map[string]map[string]types.Method {
		t.Helper()
		out, err := c.GetResources(ctx, &apigateway.GetResourcesInput{RestApiId: &apiID, Limit: aws.Int32(500), Embed: embed})
		check(t, err)
		got := map[string]map[string]types.Method{}
		for _, r := range out.Items {
			got[aws.ToString(r.Path)] = r.ResourceMethods
		}
		return got
	}
	one := func(path string, embed ...string) map[string]types.Method {
		t.Helper()
		out, err := c.GetResource(ctx, &apigateway.GetResourceInput{RestApiId: &apiID, ResourceId: aws.String(res[path]), Embed: embed})
		check(t, err)
		return out.ResourceMethods
	}

	for _, tc := range []struct {
		name   string
		embed  []string
		bodies bool
	}{
		{"without embed", nil, false},
		{"embed of something else", []string{"apisummary"}, false},
		{"embed=methods", []string{"methods"}, true},
		{"embed repeated", []string{"foo", "methods"}, true},
		{"embed comma-separated", []string{"foo,methods"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resources := list(tc.embed...)
			if got := slices.Sorted(maps.Keys(resources)); !slices.Equal(got, []string{"/", "/pets", "/pets/{id}"}) {
				t.Fatalf("GetResources paths = %v", got)
			}
			for path, verbs := range wantVerbs {
				for op, methods := range map[string]map[string]types.Method{"GetResources": resources[path], "GetResource": one(path, tc.embed...)} {
					if got := slices.Sorted(maps.Keys(methods)); !slices.Equal(got, verbs) {
						t.Errorf("%s %s: methods %v, want %v", op, path, got, verbs)
					}
					for verb, m := range methods {
						if tc.bodies {
							assertMethodBody(t, op+" "+path+" "+verb, m)
						} else if m.HttpMethod != nil || m.AuthorizationType != nil || m.ApiKeyRequired != nil || m.MethodIntegration != nil || m.MethodResponses != nil {
							t.Errorf("%s %s %s: body %+v, want none without embed=methods", op, path, verb, m)
						}
					}
				}
			}
			if tc.bodies {
				if m := resources["/pets"]["GET"]; !aws.ToBool(m.ApiKeyRequired) {
					t.Errorf("GET /pets embedded without its key requirement: %+v", m)
				}
			}
		})
	}
}

// TestResourcesWithoutEmbedWireShape reads the answer as bytes, where the SDK's decoding would
// hide the difference between a missing method and an empty one: each method is exactly {}.
func TestResourcesWithoutEmbedWireShape(t *testing.T) {
	s, c := setup(t)
	apiID, res := buildPetstore(t, c)
	for _, path := range []string{"/restapis/" + apiID + "/resources", "/restapis/" + apiID + "/resources/" + res["/pets"]} {
		resp, err := newSignedGet(s.URL+path, "apigateway")
		check(t, err)
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		check(t, err)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: HTTP %d %s", path, resp.StatusCode, body)
		}
		type resource struct {
			Path            string                     `json:"path"`
			ResourceMethods map[string]json.RawMessage `json:"resourceMethods"`
		}
		var doc struct {
			Item []resource `json:"item"`
			resource
		}
		check(t, json.Unmarshal(body, &doc))
		items := doc.Item
		if items == nil {
			items = []resource{doc.resource}
		}
		i := slices.IndexFunc(items, func(r resource) bool { return r.Path == "/pets" })
		if i < 0 {
			t.Errorf("%s: no /pets in %s", path, body)
			continue
		}
		if m := items[i].ResourceMethods; len(m) != 2 || string(m["GET"]) != "{}" || string(m["POST"]) != "{}" {
			t.Errorf("%s: /pets resourceMethods = %s, want {\"GET\": {}, \"POST\": {}}", path, body)
		}
	}
}

func assertMethodBody(t *testing.T, name string, m types.Method) {
	t.Helper()
	if m.HttpMethod == nil || m.AuthorizationType == nil || m.MethodIntegration == nil || m.MethodIntegration.Type != types.IntegrationTypeMock {
		t.Errorf("%s: method body missing with embed=methods: %+v", name, m)
	}
}
