package seed

import (
	"context"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// Organization makes the caller the management account of a new organization with members
// new member accounts, and returns the members' ids, sorted. moto lists the management
// account too, as AWS does.
func Organization(ctx context.Context, cfg aws.Config, members int) ([]string, error) {
	org := organizations.NewFromConfig(cfg)
	if _, err := org.CreateOrganization(ctx, &organizations.CreateOrganizationInput{}); err != nil {
		return nil, fmt.Errorf("seed: create organization: %w", err)
	}
	var ids []string
	for i := range members {
		out, err := org.CreateAccount(ctx, &organizations.CreateAccountInput{
			AccountName: aws.String(fmt.Sprintf("member-%d", i+1)),
			Email:       aws.String(fmt.Sprintf("member-%d@example.com", i+1)),
		})
		if err != nil {
			return nil, fmt.Errorf("seed: create member account %d: %w", i+1, err)
		}
		ids = append(ids, aws.ToString(out.CreateAccountStatus.AccountId))
	}
	slices.Sort(ids)
	return ids, nil
}

// Member returns cfg with credentials that land in account: moto lets any AssumeRole succeed
// and routes the assumed keys to the role's account, as a member's own admin would be.
func Member(ctx context.Context, cfg aws.Config, account string) (aws.Config, error) {
	out, err := sts.NewFromConfig(cfg).AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn:         aws.String("arn:aws:iam::" + account + ":role/OrganizationAccountAccessRole"),
		RoleSessionName: aws.String("seed"),
	})
	if err != nil {
		return aws.Config{}, fmt.Errorf("seed: assume a role in %s: %w", account, err)
	}
	c := cfg.Copy()
	k := out.Credentials
	c.Credentials = aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider(aws.ToString(k.AccessKeyId), aws.ToString(k.SecretAccessKey), aws.ToString(k.SessionToken)))
	return c, nil
}

// OrgFixture is an organization with different drift in each account, in two regions.
type OrgFixture struct {
	Management string
	// Members are the member accounts, sorted; Denied is one of them, whose member role the
	// test is to deny (it holds drift that must never be reported).
	Members []string
	Denied  string
	Regions []string
	// Want lists the drift findings each readable account must have, as "region check".
	Want map[string][]string
}

// OrgDemo seeds an organization of a management account and four members in regions (two):
//
//   - management: a healthy API in each region, and nothing else;
//   - member 1: an undeployed POST in the first region, a healthy API in the second;
//   - member 2: a CORS API without OPTIONS in the first region, a usage plan without keys in the
//     second;
//   - member 3: a custom domain mapping to a stage that does not exist, in the second region;
//   - member 4: an undeployed change in each region; its role is the one to deny.
func OrgDemo(ctx context.Context, cfg aws.Config, regions []string) (OrgFixture, error) {
	if len(regions) != 2 {
		return OrgFixture{}, fmt.Errorf("seed: the organization fixture takes two regions, not %d", len(regions))
	}
	members, err := Organization(ctx, cfg, 4)
	if err != nil {
		return OrgFixture{}, err
	}
	f := OrgFixture{Management: "123456789012", Members: members, Denied: members[3], Regions: regions, Want: map[string][]string{}}
	r1, r2 := regions[0], regions[1]
	in := func(account, region string) (*Builder, error) {
		c := cfg
		if account != f.Management {
			if c, err = Member(ctx, cfg, account); err != nil {
				return nil, err
			}
		}
		c.Region = region
		return ForConfig(ctx, c), nil
	}
	recipes := []struct {
		account, region string
		build           func(b *Builder)
		want            []string
	}{
		{f.Management, r1, healthy, nil},
		{f.Management, r2, healthy, nil},
		{members[0], r1, undeployedPost, []string{"undeployed-changes"}},
		{members[0], r2, healthy, nil},
		{members[1], r1, corsWithoutOptions, []string{"missing-options"}},
		{members[1], r2, unkeyedPlan, []string{"unkeyed-usage-plan"}},
		{members[2], r2, brokenMapping, []string{"base-path-gap"}},
		{members[3], r1, undeployedPost, nil},
		{members[3], r2, undeployedPost, nil},
	}
	for _, rc := range recipes {
		b, err := in(rc.account, rc.region)
		if err != nil {
			return f, err
		}
		rc.build(b)
		if err := b.Err(); err != nil {
			return f, fmt.Errorf("account %s, %s: %w", rc.account, rc.region, err)
		}
		for _, check := range rc.want {
			f.Want[rc.account] = append(f.Want[rc.account], rc.region+" "+check)
		}
	}
	for _, a := range append([]string{f.Management}, members...) {
		slices.Sort(f.Want[a])
	}
	return f, nil
}

// healthy is an API with one IAM-authorized method, deployed.
func healthy(b *Builder) {
	b.API("healthy", APIOptions{}).Method("/items", "GET", Method{Auth: "AWS_IAM"}).Deploy("prod")
}

// undeployedPost is an API whose POST was added after its last deployment.
func undeployedPost(b *Builder) {
	api := b.API("orders", APIOptions{})
	api.Method("/orders", "GET", Method{Auth: "AWS_IAM"}).Deploy("prod")
	api.Method("/orders", "POST", Method{Auth: "AWS_IAM"})
}

// corsWithoutOptions is a browser API (CORS tag) whose resource has no OPTIONS method.
func corsWithoutOptions(b *Builder) {
	b.API("web", APIOptions{Tags: map[string]string{"cors": "true"}}).Method("/users", "GET", Method{Auth: "AWS_IAM"}).Deploy("prod")
}

// unkeyedPlan is a usage plan that covers a stage but has no API key.
func unkeyedPlan(b *Builder) {
	api := b.API("metered", APIOptions{}).Method("/data", "GET", Method{Auth: "AWS_IAM"})
	api.Deploy("prod")
	b.UsagePlan("metered-plan", api.ID+":prod")
}

// brokenMapping is a custom domain whose only mapping names a stage since deleted.
func brokenMapping(b *Builder) {
	api := b.API("partners", APIOptions{}).Method("/partners", "GET", Method{Auth: "AWS_IAM"})
	api.Deploy("prod")
	api.Deploy("staging")
	b.Domain("partners.member.example.com").APIMapping("partners.member.example.com", "", api.ID, "staging")
	api.DeleteStage("staging")
}
