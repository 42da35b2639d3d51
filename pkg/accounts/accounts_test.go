package accounts_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/aws/smithy-go"

	"github.com/apigw-drift/driftaudit/pkg/accounts"
)

type fakeOrgs struct {
	pages [][]orgtypes.Account
	calls int
	err   error
	// loopTo, when set, is the page the last page names as the next one, as a list that loops.
	loopTo string
}

func (f *fakeOrgs) ListAccounts(_ context.Context, in *organizations.ListAccountsInput, _ ...func(*organizations.Options)) (*organizations.ListAccountsOutput, error) {
	f.calls++
	if f.err != nil {
		return nil, f.err
	}
	i := 0
	if in.NextToken != nil {
		i = int(aws.ToString(in.NextToken)[0] - '0')
	}
	out := &organizations.ListAccountsOutput{Accounts: f.pages[i]}
	if i+1 < len(f.pages) {
		out.NextToken = aws.String(string(rune('0' + i + 1)))
	}
	if f.loopTo != "" && i+1 == len(f.pages) {
		out.NextToken = aws.String(f.loopTo)
	}
	return out, nil
}

func acct(id string, state orgtypes.AccountState) orgtypes.Account {
	return orgtypes.Account{Id: aws.String(id), State: state}
}

// TestOrganization reads every page and keeps only ACTIVE accounts: suspended, closed and
// pending ones cannot be read.
func TestOrganization(t *testing.T) {
	f := &fakeOrgs{pages: [][]orgtypes.Account{
		{acct("333333333333", orgtypes.AccountStateActive), acct("444444444444", orgtypes.AccountStateSuspended)},
		{acct("111111111111", orgtypes.AccountStateActive), acct("555555555555", orgtypes.AccountStateClosed), acct("666666666666", orgtypes.AccountStatePendingClosure)},
		{{Id: aws.String("222222222222"), Status: orgtypes.AccountStatusActive}}, // only the retired Status field
	}}
	ids, err := accounts.Organization(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"111111111111", "222222222222", "333333333333"}; !slices.Equal(ids, want) || f.calls != 3 {
		t.Errorf("accounts %v in %d calls, want %v in 3", ids, f.calls, want)
	}
	f = &fakeOrgs{err: &smithy.GenericAPIError{Code: "AWSOrganizationsNotInUseException", Message: "Your account is not a member of an organization."}}
	if _, err := accounts.Organization(context.Background(), f); err == nil || !strings.Contains(err.Error(), "organizations:ListAccounts") || !strings.Contains(err.Error(), "not a member") {
		t.Errorf("error %v, want it to name the call and say why", err)
	}
	f = &fakeOrgs{pages: [][]orgtypes.Account{{acct("444444444444", orgtypes.AccountStateSuspended)}}}
	if _, err := accounts.Organization(context.Background(), f); err == nil {
		t.Error("an organization without an ACTIVE account gave no error")
	}
	// A list that names the same next page again ends, but as an error: the accounts after it
	// were never listed, and a shorter organization must not pass for the whole one.
	// The same next page at once, or after others.
	for _, loopTo := range []string{"2", "1"} {
		f = &fakeOrgs{loopTo: loopTo, pages: [][]orgtypes.Account{{acct("111111111111", orgtypes.AccountStateActive)}, {acct("222222222222", orgtypes.AccountStateActive)}, {acct("333333333333", orgtypes.AccountStateActive)}}}
		if ids, err := accounts.Organization(context.Background(), f); err == nil || !strings.Contains(err.Error(), "organizations:ListAccounts") || !strings.Contains(err.Error(), "the rest of the list was never read") || f.calls != 3 {
			t.Errorf("loop to page %s: accounts %v, error %v after %d calls: want an error that says the list repeated itself, after 3", loopTo, ids, err, f.calls)
		}
	}
}

type fakeSTS struct {
	inputs  []*sts.AssumeRoleInput
	expires time.Time
	err     error
}

func (f *fakeSTS) AssumeRole(_ context.Context, in *sts.AssumeRoleInput, _ ...func(*sts.Options)) (*sts.AssumeRoleOutput, error) {
	f.inputs = append(f.inputs, in)
	if f.err != nil {
		return nil, f.err
	}
	return &sts.AssumeRoleOutput{Credentials: &ststypes.Credentials{AccessKeyId: aws.String("ASIA" + strings.Split(aws.ToString(in.RoleArn), ":")[4]),
		SecretAccessKey: aws.String("s"), SessionToken: aws.String("t"), Expiration: aws.Time(f.expires)}}, nil
}

func (f *fakeSTS) GetCallerIdentity(context.Context, *sts.GetCallerIdentityInput, ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error) {
	return &sts.GetCallerIdentityOutput{Account: aws.String("999999999999"), Arn: aws.String("arn:aws-cn:sts::999999999999:assumed-role/scanner/x")}, nil
}

// TestRoles: the caller's own account is read with its own credentials; another account
// through AssumeRole of the member role in the caller's partition, session driftaudit, one
// hour (role chaining's limit), with the external id; credentials are renewed before they
// expire, not after.
func TestRoles(t *testing.T) {
	ctx := context.Background()
	f := &fakeSTS{expires: time.Now().Add(time.Hour)}
	caller, err := accounts.WhoAmI(ctx, f)
	if err != nil || caller.Account != "999999999999" || caller.Partition != "aws-cn" {
		t.Fatalf("caller %+v, %v", caller, err)
	}
	own := credentials.NewStaticCredentialsProvider("AKIAOWN", "s", "")
	roles := accounts.Roles{Caller: caller, RoleName: "DriftAuditorReadOnly", ExternalID: "ext-1", STS: f, Own: own}

	if p, assumed := roles.For("999999999999"); assumed {
		t.Error("the caller's own account is assumed")
	} else if c, err := p.Retrieve(ctx); err != nil || c.AccessKeyID != "AKIAOWN" {
		t.Errorf("the caller's own account is read with %q, not its own credentials", c.AccessKeyID)
	}
	p, assumed := roles.For("111111111111")
	if !assumed {
		t.Fatal("another account is not assumed")
	}
	c, err := p.Retrieve(ctx)
	if err != nil || c.AccessKeyID != "ASIA111111111111" {
		t.Fatalf("credentials %+v, %v", c, err)
	}
	in := f.inputs[0]
	if aws.ToString(in.RoleArn) != "arn:aws-cn:iam::111111111111:role/DriftAuditorReadOnly" || aws.ToString(in.RoleSessionName) != "driftaudit" ||
		aws.ToInt32(in.DurationSeconds) != 3600 || aws.ToString(in.ExternalId) != "ext-1" {
		t.Errorf("AssumeRole input: arn %s, session %s, duration %d, external id %s", aws.ToString(in.RoleArn), aws.ToString(in.RoleSessionName),
			aws.ToInt32(in.DurationSeconds), aws.ToString(in.ExternalId))
	}
	if _, err := p.Retrieve(ctx); err != nil || len(f.inputs) != 1 {
		t.Errorf("fresh credentials were assumed again (%d calls)", len(f.inputs))
	}

	// Credentials within the expiry window are renewed before use.
	f2 := &fakeSTS{expires: time.Now().Add(accounts.ExpiryWindow - time.Minute)}
	roles.STS = f2
	p, _ = roles.For("222222222222")
	if _, err := p.Retrieve(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Retrieve(ctx); err != nil || len(f2.inputs) != 2 {
		t.Errorf("credentials about to expire were not renewed: %d AssumeRole calls, want 2", len(f2.inputs))
	}

	denied := &fakeSTS{err: &smithy.GenericAPIError{Code: "AccessDenied", Message: "not authorized to perform: sts:AssumeRole"}}
	roles.STS = denied
	p, _ = roles.For("333333333333")
	_, err = p.Retrieve(ctx)
	msg := roles.AssumeError("333333333333", err)
	if err == nil || !strings.Contains(msg, "cannot assume arn:aws-cn:iam::333333333333:role/DriftAuditorReadOnly: AccessDenied") || strings.Contains(msg, "\n") {
		t.Errorf("AssumeError %q", msg)
	}
	if !errors.As(err, new(smithy.APIError)) {
		t.Errorf("the STS error is lost: %v", err)
	}
}

func TestValidate(t *testing.T) {
	for _, id := range []string{"12345678901", "1234567890123", "12345678901a", ""} {
		if accounts.ValidateID(id) == nil {
			t.Errorf("account id %q accepted", id)
		}
	}
	if accounts.ValidateID("012345678901") != nil {
		t.Error("a valid account id with a leading zero refused")
	}
	for _, name := range []string{"", "a b", "role/path", strings.Repeat("r", 65)} {
		if accounts.ValidateRoleName(name) == nil {
			t.Errorf("role name %q accepted", name)
		}
	}
	if accounts.ValidateRoleName("Drift_Auditor+=,.@-1") != nil {
		t.Error("a valid role name refused")
	}
}
