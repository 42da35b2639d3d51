package awsemu

import (
	"encoding/xml"
	"net/url"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/arn"
)

// DefaultAccount is the account moto puts a request in when nothing else names one: the test
// credentials of AWSConfig land there.
const DefaultAccount = "123456789012"

// accountOf names the account a request is about: for sts:AssumeRole, the account of the role
// asked for; else the account its credentials land in. moto isolates accounts by credentials
// (an X-Moto-Account-Id header, else the access key: the keys of an assumed role land in the
// role's account), so the shim learns each assumed key's account from the AssumeRole answers
// it forwards (learnAssumedKey).
func (s *Shim) accountOf(c *call, body []byte) string {
	if c.Service == "sts" && c.Operation == "AssumeRole" {
		return roleAccount(body)
	}
	if acct, ok := strings.CutPrefix(c.Principal, "account:"); ok {
		return acct
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if acct, ok := s.keyAccounts[c.Principal]; ok {
		return acct
	}
	return DefaultAccount
}

// roleAccount is the account of the RoleArn of an AssumeRole form body.
func roleAccount(body []byte) string {
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return ""
	}
	a, err := arn.Parse(form.Get("RoleArn"))
	if err != nil {
		return ""
	}
	return a.AccountID
}

// assumedRole is the RoleArn of an sts:AssumeRole request, else "".
func assumedRole(c *call, body []byte) string {
	if c.Service != "sts" || c.Operation != "AssumeRole" {
		return ""
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return ""
	}
	return form.Get("RoleArn")
}

// learnAssumedKey records the account of the access key an AssumeRole answer hands out.
func (s *Shim) learnAssumedKey(c *call, rep *reply) {
	if c.Service != "sts" || c.Operation != "AssumeRole" || rep.status != 200 || c.Account == "" {
		return
	}
	var out struct {
		Key string `xml:"AssumeRoleResult>Credentials>AccessKeyId"`
	}
	if err := xml.Unmarshal(rep.body, &out); err != nil || out.Key == "" {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keyAccounts[out.Key] = c.Account
}

// DeniedRole is the Fault of a member role that cannot be assumed: STS's AccessDenied for role
// roleName in account, as IAM answers when the role is missing or does not trust the caller.
func DeniedRole(account, roleName string) Fault {
	return Fault{Service: "sts", Operation: "AssumeRole", Account: account, Kind: FaultStatus, Status: 403, ErrorType: "AccessDenied",
		Message: "User: arn:aws:iam::" + DefaultAccount + ":user/auditor is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::" + account + ":role/" + roleName}
}
