package cfn_test

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"github.com/apigw-drift/driftaudit/internal/cfn"
)

const sample = `Parameters:
  Mode:
    Type: String
    Default: account
  Email:
    Type: String
    Default: ""
Conditions:
  IsOrg: !Equals [!Ref Mode, organization]
  HasEmail: !Not [!Equals [!Ref Email, ""]]
  OrgWithEmail: !And [!Condition IsOrg, !Condition HasEmail]
Resources:
  Topic:
    Type: AWS::SNS::Topic
  Subscription:
    Type: AWS::SNS::Subscription
    Condition: OrgWithEmail
  Role:
    Type: AWS::IAM::Role
    Properties:
      Policies:
        - PolicyName: inline
          PolicyDocument:
            Statement:
              - Sid: Publish
                Effect: Allow
                Action: sns:Publish
                Resource: !Ref Topic
                Condition:
                  StringEquals:
                    aws:SourceAccount: !Sub ${AWS::AccountId}
                    kms:ViaService:
                      - !Sub sns.${AWS::Region}.${AWS::URLSuffix}
              - !If
                - IsOrg
                - Sid: Org
                  Effect: Allow
                  Action: [organizations:ListAccounts, organizations:DescribeOrganization]
                  Resource: "*"
                - !Ref AWS::NoValue
  Attached:
    Type: AWS::IAM::RolePolicy
    Properties:
      RoleName: !Ref Role
      PolicyDocument:
        Statement:
          - Sid: Logs
            Effect: Deny
            Action: logs:PutLogEvents
            Resource: !GetAtt Group.Arn
`

func load(t *testing.T, text string) cfn.Template {
	t.Helper()
	path := filepath.Join(t.TempDir(), "template.yaml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return cfn.Load(t, path)
}

func TestRenderAndList(t *testing.T) {
	tm := load(t, sample)
	policies := cfn.Child(tm.Root, "Resources", "Role", "Properties", "Policies")
	if cfn.Child(policies, "PolicyName") != nil {
		t.Error("Child went into a list")
	}
	tests := []struct {
		path []string
		want string
	}{
		{[]string{"Parameters", "Mode", "Default"}, "account"},
		{[]string{"Resources", "Subscription", "Condition"}, "OrgWithEmail"},
		{[]string{"Resources", "Attached", "Properties", "RoleName"}, "ref:Role"},
		{[]string{"Resources", "Nothing"}, ""},
	}
	for _, tt := range tests {
		if got := cfn.Render(cfn.Child(tm.Root, tt.path...)); got != tt.want {
			t.Errorf("Render(%v) = %q, want %q", tt.path, got, tt.want)
		}
	}
	if got, want := cfn.Keys(cfn.Child(tm.Root, "Resources")), []string{"Topic", "Subscription", "Role", "Attached"}; !slices.Equal(got, want) {
		t.Errorf("Keys = %v, want %v", got, want)
	}
	if got := cfn.List(nil); got != nil {
		t.Errorf("List(nil) = %v", got)
	}
}

func TestConditions(t *testing.T) {
	tm := load(t, sample)
	tests := []struct {
		params map[string]string
		want   []string
	}{
		{nil, []string{"Attached", "Role", "Topic"}},
		{map[string]string{"Mode": "organization"}, []string{"Attached", "Role", "Topic"}},
		{map[string]string{"Mode": "organization", "Email": "a@example.com"}, []string{"Attached", "Role", "Subscription", "Topic"}},
	}
	for _, tt := range tests {
		if got := tm.Present(t, "Resources", tm.Params(tt.params)); !slices.Equal(got, tt.want) {
			t.Errorf("Present(%v) = %v, want %v", tt.params, got, tt.want)
		}
	}
	stmts := cfn.Child(tm.Root, "Resources", "Role", "Properties", "Policies").Content[0]
	org := cfn.Child(stmts, "PolicyDocument", "Statement").Content[1]
	if tm.Resolve(t, org, tm.Params(nil)) != nil {
		t.Error("the !If statement resolves to something in account mode")
	}
	if got := tm.Resolve(t, org, tm.Params(map[string]string{"Mode": "organization"})); cfn.Render(cfn.Child(got, "Sid")) != "Org" {
		t.Error("the !If statement is not the Org statement in organization mode")
	}
}

func TestRoleStatements(t *testing.T) {
	stmts := load(t, sample).RoleStatements(t, "Role")
	want := []cfn.Statement{
		{Sid: "Publish", Effect: "Allow", Actions: []string{"sns:Publish"}, Resources: []string{"ref:Topic"},
			Condition: map[string]map[string][]string{"StringEquals": {
				"aws:SourceAccount": {"123456789012"},
				"kms:ViaService":    {"sns.us-east-1.amazonaws.com"},
			}}},
		{Sid: "Org", Effect: "Allow", Actions: []string{"organizations:ListAccounts", "organizations:DescribeOrganization"},
			Resources: []string{"*"}, If: "IsOrg"},
		{Sid: "Logs", Effect: "Deny", Actions: []string{"logs:PutLogEvents"}, Resources: []string{"getatt:Group.Arn"}},
	}
	if len(stmts) != len(want) {
		t.Fatalf("%d statements, want %d", len(stmts), len(want))
	}
	for i, st := range stmts {
		w := want[i]
		if st.Sid != w.Sid || st.Effect != w.Effect || st.If != w.If || !slices.Equal(st.Actions, w.Actions) ||
			!slices.Equal(st.Resources, w.Resources) || !reflect.DeepEqual(st.Condition, w.Condition) {
			t.Errorf("statement %d:\n got %+v\nwant %+v", i, st, w)
		}
	}

	// The single-valued reading: a list reads as "", a statement without a Condition as empty.
	scalar := map[string]map[string]string{"StringEquals": {"aws:SourceAccount": "123456789012", "kms:ViaService": ""}}
	if got := stmts[0].ScalarCondition(); !reflect.DeepEqual(got, scalar) {
		t.Errorf("ScalarCondition = %v, want %v", got, scalar)
	}
	if got := stmts[1].ScalarCondition(); got == nil || len(got) != 0 {
		t.Errorf("ScalarCondition without a Condition = %#v, want empty", got)
	}

	grants := cfn.Grants(stmts)
	if len(grants) != 4 || grants["logs:PutLogEvents getatt:Group.Arn"].Sid != "Logs" {
		t.Errorf("Grants = %v", grants)
	}
}
