// Package accounts says which AWS accounts an audit reads and with which credentials: the
// caller's own account with its own credentials, every other account through sts:AssumeRole of
// a read-only member role, and the accounts of an organization from organizations:ListAccounts.
package accounts

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/apigw-drift/driftaudit/pkg/inventory"
)

// DefaultRoleName is the member role that deploy/member-role.yaml creates in every account.
const DefaultRoleName = "DriftAuditorReadOnly"

// SessionName names the tool in the member accounts' CloudTrail.
const SessionName = "driftaudit"

// SessionDuration is how long one set of assumed credentials lives. One hour is the most that
// role chaining allows (the caller is itself a role in Lambda), and the member role's default
// maximum; the credentials cache renews them ExpiryWindow before they end, so a scan of any
// length never runs on expired credentials.
const (
	SessionDuration = time.Hour
	ExpiryWindow    = 5 * time.Minute
)

var (
	accountID = regexp.MustCompile(`^\d{12}$`)
	// roleName is IAM's rule for a role name (no path): 1 to 64 of these characters.
	roleName = regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)
)

// ValidateID reports whether id is an AWS account id: twelve digits.
func ValidateID(id string) error {
	if !accountID.MatchString(id) {
		return fmt.Errorf("account %q is not an AWS account id (12 digits)", id)
	}
	return nil
}

// ValidateRoleName reports whether name can be an IAM role name.
func ValidateRoleName(name string) error {
	if !roleName.MatchString(name) {
		return fmt.Errorf("role name %q is not an IAM role name (1 to 64 letters, digits and +=,.@_-)", name)
	}
	return nil
}

// Caller is who the audit runs as.
type Caller struct {
	Account   string
	Partition string // aws, aws-cn, aws-us-gov, ...
}

// CallerIdentityAPI is the STS call that names the caller.
type CallerIdentityAPI interface {
	GetCallerIdentity(ctx context.Context, in *sts.GetCallerIdentityInput, opts ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error)
}

var _ CallerIdentityAPI = (*sts.Client)(nil)

// WhoAmI reads the caller's account and partition.
func WhoAmI(ctx context.Context, client CallerIdentityAPI) (Caller, error) {
	out, err := client.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return Caller{}, fmt.Errorf("sts:GetCallerIdentity: %w", err)
	}
	c := Caller{Account: aws.ToString(out.Account), Partition: "aws"}
	if a, err := arn.Parse(aws.ToString(out.Arn)); err == nil && a.Partition != "" {
		c.Partition = a.Partition
	}
	return c, nil
}

// ListAccountsAPI is the Organizations call that lists the organization's accounts.
type ListAccountsAPI interface {
	ListAccounts(ctx context.Context, in *organizations.ListAccountsInput, opts ...func(*organizations.Options)) (*organizations.ListAccountsOutput, error)
}

var _ ListAccountsAPI = (*organizations.Client)(nil)

// Organization lists the ACTIVE accounts of the caller's organization, sorted, every page read.
// Suspended and closed accounts cannot be audited and are left out; the caller must be the
// management account or a delegated administrator.
func Organization(ctx context.Context, client ListAccountsAPI) ([]string, error) {
	ids, err := inventory.Pages(ctx, func(token *string) ([]string, *string, error) {
		page, err := client.ListAccounts(ctx, &organizations.ListAccountsInput{NextToken: token})
		if err != nil {
			return nil, nil, err
		}
		var active []string
		for _, a := range page.Accounts {
			if a.State == orgtypes.AccountStateActive || (a.State == "" && a.Status == orgtypes.AccountStatusActive) {
				active = append(active, aws.ToString(a.Id))
			}
		}
		return active, page.NextToken, nil
	})
	if err != nil {
		return nil, fmt.Errorf("organizations:ListAccounts: %w", err)
	}
	if len(ids) == 0 {
		return nil, errors.New("organizations:ListAccounts: the organization has no ACTIVE account")
	}
	slices.Sort(ids)
	return slices.Compact(ids), nil
}

// Roles makes the credentials each account is read with.
type Roles struct {
	Caller     Caller
	RoleName   string
	ExternalID string
	// STS is the client AssumeRole is called with (the caller's credentials).
	STS stscreds.AssumeRoleAPIClient
	// Own are the caller's credentials, used for the caller's own account.
	Own aws.CredentialsProvider
}

// RoleARN is the member role of account.
func (r Roles) RoleARN(account string) string {
	return fmt.Sprintf("arn:%s:iam::%s:role/%s", r.Caller.Partition, account, r.RoleName)
}

// For returns the credentials account is read with and whether they come from AssumeRole. The
// caller's own account is read with the caller's credentials: a StackSet never puts the member
// role in the management account, and the caller can read its own account anyway.
func (r Roles) For(account string) (aws.CredentialsProvider, bool) {
	if account == r.Caller.Account {
		return r.Own, false
	}
	provider := stscreds.NewAssumeRoleProvider(r.STS, r.RoleARN(account), func(o *stscreds.AssumeRoleOptions) {
		o.RoleSessionName = SessionName
		o.Duration = SessionDuration
		if r.ExternalID != "" {
			o.ExternalID = aws.String(r.ExternalID)
		}
	})
	return aws.NewCredentialsCache(provider, func(o *aws.CredentialsCacheOptions) { o.ExpiryWindow = ExpiryWindow }), true
}

// AssumeError says, in one line, why the role of account could not be assumed.
func (r Roles) AssumeError(account string, err error) string {
	msg := strings.Join(strings.Fields(err.Error()), " ")
	// The SDK wraps the STS error as "failed to refresh cached credentials, operation error
	// STS: AssumeRole, https response error ...": keep what STS said.
	if i := strings.Index(msg, "api error "); i >= 0 {
		msg = msg[i+len("api error "):]
	}
	out := fmt.Sprintf("cannot assume %s: %s", r.RoleARN(account), msg)
	var ae smithy.APIError
	if errors.As(err, &ae) && ae.ErrorCode() == "AccessDenied" {
		out += " (is the member role deployed in the account, and does it trust this caller with this external id?)"
	}
	return out
}
