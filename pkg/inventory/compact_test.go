package inventory_test

import (
	"context"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"

	"github.com/apigw-drift/driftaudit/pkg/inventory"
)

// twoStages serves one API whose stages prod and dev are on two deployments with the same
// snapshot (recordingClient's GetDeployment answers one snapshot for any id).
type twoStages struct{ recordingClient }

func (f *twoStages) GetStages(_ context.Context, in *apigateway.GetStagesInput, _ ...func(*apigateway.Options)) (*apigateway.GetStagesOutput, error) {
	f.record(inventory.OpGetStages, *in)
	return &apigateway.GetStagesOutput{Item: []types.Stage{
		{StageName: aws.String("prod"), DeploymentId: aws.String("d1"), TracingEnabled: true},
		{StageName: aws.String("dev"), DeploymentId: aws.String("d2")}}}, nil
}

func (f *twoStages) GetDeployments(_ context.Context, in *apigateway.GetDeploymentsInput, _ ...func(*apigateway.Options)) (*apigateway.GetDeploymentsOutput, error) {
	f.record(inventory.OpGetDeployments, *in)
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	return &apigateway.GetDeploymentsOutput{Items: []types.Deployment{
		{Id: aws.String("d0"), CreatedDate: aws.Time(t0)},
		{Id: aws.String("d1"), CreatedDate: aws.Time(t0.Add(time.Hour))},
		{Id: aws.String("d2"), CreatedDate: aws.Time(t0.Add(2 * time.Hour))}}}, nil
}

// TestEqualSnapshotsShareOneMap: two stages on two deployments of the same definition hold one
// snapshot, not two; and OnAPI sees the API whole, its deployments newest first, once.
func TestEqualSnapshotsShareOneMap(t *testing.T) {
	var seen []inventory.API
	fake := &twoStages{}
	region := inventory.CollectRegion(t.Context(), clients(fake, &fake.recordingClient), "eu-west-1", inventory.Options{
		OnAPI: func(region string, api *inventory.API) {
			if region != "eu-west-1" {
				t.Errorf("OnAPI for region %q", region)
			}
			seen = append(seen, *api)
		},
	})
	if len(region.Errors) != 0 {
		t.Fatalf("scan errors: %+v", region.Errors)
	}
	deps := region.APIs[0].Deployments
	if len(deps) != 3 || deps[0].ID != "d2" || deps[1].ID != "d1" || deps[0].Summary == nil {
		t.Fatalf("deployments %+v", deps)
	}
	if reflect.ValueOf(deps[0].Summary).UnsafePointer() != reflect.ValueOf(deps[1].Summary).UnsafePointer() {
		t.Errorf("two equal snapshots are held as two maps")
	}
	if len(seen) != 1 || len(seen[0].Resources) != 1 || seen[0].Deployments[0].ID != "d2" {
		t.Errorf("OnAPI saw %+v, want the whole API once, newest deployment first", seen)
	}
}

// TestSlim: a slimmed API keeps what the region-wide checks and the report read, and nothing
// else.
func TestSlim(t *testing.T) {
	snap := map[string]map[string]inventory.MethodSnapshot{
		"/a": {"GET": {AuthorizationType: "NONE", APIKeyRequired: true}, "POST": {AuthorizationType: "AWS_IAM"}},
		"/b": {"DELETE": {AuthorizationType: "NONE", APIKeyRequired: true}, "GET": {AuthorizationType: "NONE", APIKeyRequired: true}},
		"/c": {"PUT": {AuthorizationType: "NONE", APIKeyRequired: true}},
	}
	api := inventory.API{
		ID: "a1", Name: "orders", Tags: map[string]string{"team": "x"}, EndpointTypes: []string{"EDGE"},
		Resources: []inventory.Resource{{ID: "r1", Path: "/a", Methods: map[string]inventory.Method{"GET": {AuthorizationType: "NONE"}}}},
		Stages: []inventory.Stage{
			{Name: "prod", DeploymentID: "d1", TracingEnabled: true, Variables: []inventory.StageVariable{{Name: "v"}}, MethodSettings: map[string]inventory.MethodSetting{"*/*": {}}},
			{Name: "dev", DeploymentID: "d2"},
		},
		Deployments: []inventory.Deployment{{ID: "d3"}, {ID: "d2", Summary: map[string]map[string]inventory.MethodSnapshot{}}, {ID: "d1", Summary: snap}},
		Unread:      []string{inventory.OpGetDeployments},
	}
	api.Slim()
	want := inventory.API{
		ID: "a1", Name: "orders", Tags: map[string]string{"team": "x"}, EndpointTypes: []string{"EDGE"},
		Stages: []inventory.Stage{{Name: "prod", DeploymentID: "d1"}, {Name: "dev", DeploymentID: "d2"}},
		Deployments: []inventory.Deployment{
			{ID: "d2", KeyRequired: &inventory.KeyRequired{Total: 0, First: []string{}}},
			{ID: "d1", KeyRequired: &inventory.KeyRequired{Total: 4, First: []string{"GET /a", "DELETE /b", "GET /b"}}},
		},
		Unread: []string{inventory.OpGetDeployments},
	}
	for i := range api.Deployments {
		if k := api.Deployments[i].KeyRequired; k != nil && k.First == nil {
			k.First = []string{}
		}
	}
	if !reflect.DeepEqual(api, want) {
		t.Errorf("slimmed:\n%+v\nwant\n%+v", api, want)
	}
	if got := inventory.KeyRequiredMethods(snap); !slices.Equal(got, []string{"GET /a", "DELETE /b", "GET /b", "PUT /c"}) {
		t.Errorf("KeyRequiredMethods = %v", got)
	}
}
