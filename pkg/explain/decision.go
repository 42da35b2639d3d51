// Package explain replays API Gateway's routing and authorization decision for one request
// against what an inventory holds, and says which step rejects it, why, and the fix. It makes no
// AWS call: Decide is a pure function of an inventory region and a request, and says which
// parts it still needs (Decision.Wants), so that a caller can read exactly those and ask again.
//
// Where API Gateway's behaviour comes from is cited where it is encoded. The sources are AWS's
// developer guide and knowledge-center articles and, where those are silent, what users report;
// a behaviour no source confirms is said to be so.
package explain

import (
	"fmt"
	"strings"

	"github.com/apigw-drift/driftaudit/pkg/inventory"
)

// Outcomes of a decision.
const (
	// Served: the request reaches its integration; its answer is then the backend's.
	Served = "served"
	// Rejected: API Gateway answers it itself, with Status and ErrorMessage when they are known.
	Rejected = "rejected"
	// Undecided: something the decision rests on could not be read, or is not explained.
	Undecided = "undecided"
)

// Causes name the step that decides.
const (
	CauseNoSuchDomain              = "no-such-domain"
	CauseNoBasePathMapping         = "no-base-path-mapping"
	CauseBasePathGap               = "base-path-gap"
	CauseNoSuchAPI                 = "no-such-api"
	CauseNoSuchStage               = "no-such-stage"
	CauseStageWithoutDeployment    = "stage-without-deployment"
	CauseNoSuchResource            = "no-such-resource"
	CauseNoSuchMethod              = "no-such-method"
	CauseUndeployed                = "undeployed"
	CauseMissingOptions            = "missing-options"
	CauseOptionsRequiresAuth       = "options-requires-auth"
	CauseIAMSignatureRequired      = "iam-signature-required"
	CauseAuthorizerIdentityMissing = "authorizer-identity-missing"
	CauseAPIKeyRequired            = "api-key-required"
	CauseServed                    = "served"
	// CauseCannotDecide: a part the decision needs could not be read (Undecided).
	CauseCannotDecide = "cannot-decide"
	// CauseNotExplained: the request reaches an API of a type that is not explained (WebSocket).
	CauseNotExplained = "not-explained"
)

// Decision is the gateway's decision for one request, step by step.
type Decision struct {
	URL          string `json:"url"`
	Method       string `json:"method"`
	AccountID    string `json:"account_id,omitempty"`
	Region       string `json:"region"`
	Domain       string `json:"domain,omitempty"`
	BasePath     string `json:"base_path,omitempty"`
	APIID        string `json:"api_id,omitempty"`
	APIName      string `json:"api_name,omitempty"`
	APIType      string `json:"api_type,omitempty"`
	Stage        string `json:"stage,omitempty"`
	ResourcePath string `json:"resource_path,omitempty"`
	Outcome      string `json:"outcome"`
	// Status and ErrorMessage are what API Gateway answers a rejected request with; both are
	// left out where no source says what it answers.
	Status       int    `json:"status,omitempty"`
	ErrorMessage string `json:"error_message,omitempty"`
	Cause        string `json:"cause"`
	Explanation  string `json:"explanation"`
	Fix          string `json:"fix,omitempty"`
	// Integration names what a served request reaches (the integration type, as the working
	// definition has it: a deployment does not record it).
	Integration string `json:"integration,omitempty"`
	// Notes are what else is true of the request: drift between the stage and the working
	// definition, what the decision assumes (a valid signature, a resource policy not read).
	Notes       []string `json:"notes,omitempty"`
	Suggestions []string `json:"suggestions,omitempty"`
	Steps       []Step   `json:"steps"`
	// Wants lists the parts that were not read and would decide the request or add to its
	// explanation; a caller that can read them does, and decides again.
	Wants []inventory.Part `json:"-"`
}

// Step is one step of the decision: the domain, the base path mapping, the API, the stage, its
// deployment, the preflight, the route, the authorization, the API key.
type Step struct {
	Step   string `json:"step"`
	OK     bool   `json:"ok"`
	Detail string `json:"detail"`
}

// answer is what API Gateway sends back when it rejects a request itself.
type answer struct {
	status  int
	message string
}

var (
	// A REST API request to a path or method the stage does not serve, or to a stage that does
	// not exist, and an AWS_IAM method called without a signature, all get 403 "Missing
	// Authentication Token" (https://repost.aws/knowledge-center/api-gateway-authentication-token-errors;
	// on custom domains, https://repost.aws/knowledge-center/api-gateway-403-custom-domain).
	missingAuthToken = answer{403, "Missing Authentication Token"}
	// A custom domain with no base path mapping for the request answers 403 "Forbidden"
	// (Miserlou/Zappa#1248: "comes from API Gateway when it has no place to point an event");
	// so does a key-required method without a valid key of a usage plan covering the stage
	// (https://repost.aws/knowledge-center/api-gateway-troubleshoot-403-forbidden).
	forbidden = answer{403, "Forbidden"}
	// A Lambda or Cognito authorizer whose identity source is missing, empty or not validated
	// answers 401 "Unauthorized" without being called
	// (https://repost.aws/knowledge-center/api-gateway-401-error-lambda-authorizer).
	unauthorized = answer{401, "Unauthorized"}
	// An HTTP API request no route matches, or to a stage that does not exist with no $default
	// stage, answers 404 "Not Found" (developer guide, "Routing API requests" in
	// https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-routes.html).
	notFound = answer{404, "Not Found"}
	// unknown: no source says what API Gateway answers (a mapping to an API or stage that does
	// not exist, an API id that does not exist): the decision says rejected without a status.
	unknown = answer{}
)

// decider accumulates one decision.
type decider struct {
	reg *inventory.Region
	req Request
	d   Decision
}

func (x *decider) step(name string, ok bool, format string, args ...any) {
	x.d.Steps = append(x.d.Steps, Step{Step: name, OK: ok, Detail: fmt.Sprintf(format, args...)})
}

func (x *decider) note(format string, args ...any) {
	x.d.Notes = append(x.d.Notes, fmt.Sprintf(format, args...))
}

func (x *decider) suggest(format string, args ...any) {
	s := fmt.Sprintf(format, args...)
	for _, have := range x.d.Suggestions {
		if have == s {
			return
		}
	}
	x.d.Suggestions = append(x.d.Suggestions, s)
}

// want asks for a part that would add to the decision; the decision stands without it.
func (x *decider) want(p inventory.Part) {
	for _, have := range x.d.Wants {
		if have == p {
			return
		}
	}
	x.d.Wants = append(x.d.Wants, p)
}

// reject ends the decision: API Gateway answers the request itself.
func (x *decider) reject(step, cause string, a answer, explanation, fix string) Decision {
	x.step(step, false, "%s", explanation)
	x.d.Outcome, x.d.Cause, x.d.Status, x.d.ErrorMessage = Rejected, cause, a.status, a.message
	x.d.Explanation, x.d.Fix = explanation, fix
	return x.d
}

// serve ends the decision: the request reaches its integration.
func (x *decider) serve(explanation string) Decision {
	x.d.Outcome, x.d.Cause, x.d.Explanation = Served, CauseServed, explanation
	return x.d
}

// unread ends the decision undecided: part is needed and was not read. When its read failed,
// the scan error says why; when it was never attempted, the part is wanted.
func (x *decider) unread(step string, p inventory.Part, what string) Decision {
	explanation := "cannot decide: " + what + " was not read"
	if e := scanErrorFor(x.reg, p); e != nil {
		explanation = "cannot decide: " + what + " could not be read: " + e.Message
	} else {
		x.want(p)
	}
	x.step(step, false, "%s", explanation)
	x.d.Outcome, x.d.Cause, x.d.Explanation = Undecided, CauseCannotDecide, explanation
	return x.d
}

// notExplained ends the decision undecided: the API is of a type that is not explained.
func (x *decider) notExplained(step, explanation string) Decision {
	x.step(step, false, "%s", explanation)
	x.d.Outcome, x.d.Cause, x.d.Explanation = Undecided, CauseNotExplained, explanation
	return x.d
}

// scanErrorFor finds the scan error that left part p unread, if its read failed.
func scanErrorFor(reg *inventory.Region, p inventory.Part) *inventory.ScanError {
	var cutShort *inventory.ScanError
	for i := range reg.Errors {
		e := &reg.Errors[i]
		if e.APIID != p.APIID || e.UsagePlanID != p.UsagePlanID || e.Domain != p.Domain {
			continue
		}
		// An HTTP or WebSocket API is read in one go: any of its reads failing leaves it unread.
		if p.V2 || e.Operation == p.Op || e.Operation == inventory.OpAssumeRole {
			return e
		}
		// A scan cut short records an API whose reads never started once, under GetResources.
		if strings.HasPrefix(e.Message, "not read: ") {
			cutShort = e
		}
	}
	return cutShort
}
