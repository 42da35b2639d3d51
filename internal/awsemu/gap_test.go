package awsemu

import (
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
)

// TestBasePathMappingsOfNewDomain: moto answers 500 for a domain that never had a mapping; the
// shim answers AWS's empty list, and only for a domain that exists.
func TestBasePathMappingsOfNewDomain(t *testing.T) {
	s, c := setup(t)
	ctx := t.Context()
	nr := apigw(s, region, noRetry)
	domain := "api.example.com"
	_, err := c.CreateDomainName(ctx, &apigateway.CreateDomainNameInput{DomainName: &domain,
		CertificateArn: aws.String("arn:aws:acm:us-east-1:123456789012:certificate/fake")})
	check(t, err)

	out, err := nr.GetBasePathMappings(ctx, &apigateway.GetBasePathMappingsInput{DomainName: &domain})
	check(t, err)
	if len(out.Items) != 0 || out.Position != nil {
		t.Errorf("new domain: %d mappings, position %v", len(out.Items), out.Position)
	}

	_, err = nr.GetBasePathMappings(ctx, &apigateway.GetBasePathMappingsInput{DomainName: aws.String("missing.example.com")})
	var nf *types.NotFoundException
	if !errors.As(err, &nf) {
		t.Errorf("missing domain: err = %v, want NotFoundException", err)
	}

	apiID := newAPI(t, c, "mapped")
	addMethod(t, c, apiID, rootID(t, c, apiID), "GET", "NONE", false)
	deploy(t, c, apiID, "prod")
	_, err = c.CreateBasePathMapping(ctx, &apigateway.CreateBasePathMappingInput{DomainName: &domain, RestApiId: &apiID, Stage: aws.String("prod")})
	check(t, err)
	out, err = nr.GetBasePathMappings(ctx, &apigateway.GetBasePathMappingsInput{DomainName: &domain})
	check(t, err)
	if len(out.Items) != 1 || aws.ToString(out.Items[0].BasePath) != "(none)" {
		t.Fatalf("mappings = %+v", out.Items)
	}
	// The empty base path travels escaped and is still recognised.
	one, err := nr.GetBasePathMapping(ctx, &apigateway.GetBasePathMappingInput{DomainName: &domain, BasePath: aws.String("(none)")})
	check(t, err)
	if aws.ToString(one.RestApiId) != apiID {
		t.Errorf("mapping points at %q", aws.ToString(one.RestApiId))
	}
	if got := s.Counts()["GetBasePathMapping"]; got != 1 {
		t.Errorf("GetBasePathMapping counted %d, counts %v", got, s.Counts())
	}
}

// TestOther5xxPassThrough: the fix is for GetBasePathMappings alone; moto's other 500s reach the
// client as they are.
func TestOther5xxPassThrough(t *testing.T) {
	s, c := setup(t)
	apiID := newAPI(t, c, "x")
	_, err := apigw(s, region, noRetry).GetDeployment(t.Context(), &apigateway.GetDeploymentInput{RestApiId: &apiID, DeploymentId: aws.String("nope")})
	var re *awshttp.ResponseError
	if !errors.As(err, &re) || re.HTTPStatusCode() != 500 {
		t.Errorf("err = %v, want moto's 500", err)
	}
}

// TestStageSettingsMotoIgnores: moto's UpdateStage drops the web ACL and the client
// certificate; the shim keeps them and returns them with the stage, as AWS does.
func TestStageSettingsMotoIgnores(t *testing.T) {
	s, c := setup(t)
	ctx := t.Context()
	apiID := newAPI(t, c, "guarded")
	addMethod(t, c, apiID, rootID(t, c, apiID), "GET", "NONE", false)
	deploy(t, c, apiID, "prod")
	deploy(t, c, apiID, "dev")
	acl := "arn:aws:wafv2:us-east-1:123456789012:regional/webacl/guard/1"
	_, err := c.UpdateStage(ctx, &apigateway.UpdateStageInput{RestApiId: &apiID, StageName: aws.String("prod"), PatchOperations: []types.PatchOperation{
		{Op: types.OpReplace, Path: aws.String("/webAclArn"), Value: aws.String(acl)},
		{Op: types.OpReplace, Path: aws.String("/clientCertificateId"), Value: aws.String("cert01")},
		{Op: types.OpReplace, Path: aws.String("/tracingEnabled"), Value: aws.String("true")},
	}})
	check(t, err)
	out, err := c.GetStages(ctx, &apigateway.GetStagesInput{RestApiId: &apiID})
	check(t, err)
	for _, st := range out.Item {
		got := aws.ToString(st.WebAclArn) + "|" + aws.ToString(st.ClientCertificateId)
		want := "|"
		if aws.ToString(st.StageName) == "prod" {
			want = acl + "|cert01"
			if !st.TracingEnabled {
				t.Errorf("moto's own settings are kept too")
			}
		}
		if got != want {
			t.Errorf("stage %s: %q, want %q", aws.ToString(st.StageName), got, want)
		}
	}
	one, err := c.GetStage(ctx, &apigateway.GetStageInput{RestApiId: &apiID, StageName: aws.String("prod")})
	check(t, err)
	if aws.ToString(one.WebAclArn) != acl {
		t.Errorf("GetStage: web ACL %q", aws.ToString(one.WebAclArn))
	}
	_, err = c.UpdateStage(ctx, &apigateway.UpdateStageInput{RestApiId: &apiID, StageName: aws.String("prod"), PatchOperations: []types.PatchOperation{
		{Op: types.OpRemove, Path: aws.String("/webAclArn")},
	}})
	check(t, err)
	one, err = c.GetStage(ctx, &apigateway.GetStageInput{RestApiId: &apiID, StageName: aws.String("prod")})
	check(t, err)
	if one.WebAclArn != nil || aws.ToString(one.ClientCertificateId) != "cert01" {
		t.Errorf("after removing the web ACL: %v %v", one.WebAclArn, one.ClientCertificateId)
	}
	_ = s
}
