package inventory_test

import (
	"context"
	"errors"
	"maps"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"

	"github.com/apigw-drift/driftaudit/pkg/inventory"
)

// pagedAuthorizers answers GetAuthorizers in two pages, or fails.
type pagedAuthorizers struct {
	inputs []apigateway.GetAuthorizersInput
	err    error
}

func (f *pagedAuthorizers) GetAuthorizers(_ context.Context, in *apigateway.GetAuthorizersInput, _ ...func(*apigateway.Options)) (*apigateway.GetAuthorizersOutput, error) {
	f.inputs = append(f.inputs, *in)
	if f.err != nil {
		return nil, f.err
	}
	if in.Position == nil {
		return &apigateway.GetAuthorizersOutput{Position: aws.String("p2"), Items: []types.Authorizer{{Id: aws.String("a1"), Name: aws.String("tokens"), Type: types.AuthorizerTypeToken,
			IdentitySource: aws.String("method.request.header.Authorization"), IdentityValidationExpression: aws.String("Bearer .+")}}}, nil
	}
	return &apigateway.GetAuthorizersOutput{Items: []types.Authorizer{{Id: aws.String("c1"), Type: types.AuthorizerTypeCognitoUserPools}}}, nil
}

// TestReaderReadsOnlyWhatItIsAskedFor: a Reader's region starts with every list unread and no
// API; each Read makes the calls of its part, and no other.
func TestReaderReadsOnlyWhatItIsAskedFor(t *testing.T) {
	fake := &recordingClient{}
	auth := &pagedAuthorizers{}
	c := clients(fake, fake)
	c.Authorizers = auth
	r := inventory.NewReader(c, "111122223333", "eu-west-1")
	if reg := r.Region(); !slices.Equal(reg.Unread, inventory.RegionLists()) || len(reg.APIs) != 0 {
		t.Fatalf("a new reader's region: unread %v, %d APIs; want every list unread and no API", reg.Unread, len(reg.APIs))
	}
	steps := []struct {
		part inventory.Part
		ops  []string
	}{
		{inventory.Part{Op: inventory.OpGetRestApis}, []string{inventory.OpGetRestApis}},
		{inventory.Part{Op: inventory.OpGetStages, APIID: "a1"}, []string{inventory.OpGetRestApis, inventory.OpGetStages}},
		{inventory.Part{Op: inventory.OpGetDeployment, APIID: "a1", DeploymentID: "d1"}, []string{inventory.OpGetDeployment, inventory.OpGetRestApis, inventory.OpGetStages}},
		{inventory.Part{Op: inventory.OpGetAuthorizers, APIID: "a1"}, []string{inventory.OpGetDeployment, inventory.OpGetRestApis, inventory.OpGetStages}},
		{inventory.Part{Op: inventory.OpGetStages, APIID: "not-listed"}, []string{inventory.OpGetDeployment, inventory.OpGetRestApis, inventory.OpGetStages}},
	}
	for _, s := range steps {
		r.Read(t.Context(), s.part)
		if got := slices.Sorted(maps.Keys(fake.inputs)); !slices.Equal(got, s.ops) {
			t.Errorf("after reading %+v the calls made are %v, want %v", s.part, got, s.ops)
		}
	}
	reg := r.Region()
	api := reg.APIs[0]
	if slices.Contains(reg.Unread, inventory.OpGetRestApis) || len(reg.Unread) != len(inventory.RegionLists())-1 {
		t.Errorf("region unread %v: want only GetRestApis read", reg.Unread)
	}
	if !slices.Equal(slices.Sorted(slices.Values(api.Unread)), []string{inventory.OpGetDeployments, inventory.OpGetResources}) {
		t.Errorf("API unread %v: want the stages read, the deployment list and resources not", api.Unread)
	}
	if len(api.Deployments) != 1 || api.Deployments[0].ID != "d1" || api.Deployments[0].Summary == nil {
		t.Errorf("deployments %+v: want d1 with its snapshot, read without the list", api.Deployments)
	}
	if !api.AuthorizersRead || len(api.Authorizers) != 2 || api.Authorizers[0].IdentityValidationExpression != "Bearer .+" || api.Authorizers[1].Type != "COGNITO_USER_POOLS" {
		t.Errorf("authorizers %+v (read %t): want both pages", api.Authorizers, api.AuthorizersRead)
	}
	if len(auth.inputs) != 2 || aws.ToInt32(auth.inputs[0].Limit) != 500 || aws.ToString(auth.inputs[1].Position) != "p2" {
		t.Errorf("GetAuthorizers inputs %+v: want pages of 500, the second at the first's position", auth.inputs)
	}
	if r.Succeeded() != 4 || len(reg.Errors) != 0 {
		t.Errorf("%d reads succeeded, errors %+v: want 4 and none", r.Succeeded(), reg.Errors)
	}
}

// TestReaderFailureLeavesItUnread: a part whose read fails stays unread, with a scan error
// naming its scope and account.
func TestReaderFailureLeavesItUnread(t *testing.T) {
	fake := &recordingClient{}
	c := clients(fake, fake)
	c.Authorizers = &pagedAuthorizers{err: errors.New("AccessDeniedException: not allowed")}
	r := inventory.NewReader(c, "111122223333", "eu-west-1")
	r.Read(t.Context(), inventory.Part{Op: inventory.OpGetRestApis})
	r.Read(t.Context(), inventory.Part{Op: inventory.OpGetAuthorizers, APIID: "a1"})
	reg := r.Region()
	want := inventory.ScanError{AccountID: "111122223333", Region: "eu-west-1", APIID: "a1", Operation: inventory.OpGetAuthorizers, Message: "get authorizers of API a1: AccessDeniedException: not allowed"}
	if reg.APIs[0].AuthorizersRead || len(reg.Errors) != 1 || reg.Errors[0] != want || r.Succeeded() != 1 {
		t.Errorf("read %t, errors %+v, %d succeeded: want unread, %+v, 1", reg.APIs[0].AuthorizersRead, reg.Errors, r.Succeeded(), want)
	}
}
