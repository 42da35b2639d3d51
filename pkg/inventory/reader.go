package inventory

import (
	"context"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
)

// AuthorizersClient reads a REST API's authorizers. Only a Reader asks for them: no check
// judges authorizers, so a scan never calls it.
type AuthorizersClient interface {
	GetAuthorizers(context.Context, *apigateway.GetAuthorizersInput, ...func(*apigateway.Options)) (*apigateway.GetAuthorizersOutput, error)
}

var _ AuthorizersClient = (*apigateway.Client)(nil)

// Part names one read of a region: an operation and the scope it fills. Region-wide lists
// (GetRestApis, GetApis, GetUsagePlans, GetApiKeys, GetDomainNames) name no scope; a REST API's
// reads name the API (GetDeployment also the deployment); GetUsagePlanKeys names the plan;
// GetApiMappings and GetBasePathMappings name the domain. V2 marks the whole read of an HTTP or
// WebSocket API (its stages, deployments and routes), named by its GetStages.
type Part struct {
	Op           string `json:"operation"`
	APIID        string `json:"api_id,omitempty"`
	DeploymentID string `json:"deployment_id,omitempty"`
	UsagePlanID  string `json:"usage_plan_id,omitempty"`
	Domain       string `json:"domain,omitempty"`
	V2           bool   `json:"v2,omitempty"`
}

// A Reader reads one region part by part, for a question about one request rather than an audit
// of the account: the parts it is asked for and nothing else, with the same clients, pages and
// rules as a scan. Its region starts with every list unread and no API known; each part is
// marked read only when its call succeeds, and a failure is a ScanError naming its scope, so
// that what could not be read never looks empty. A Reader is not safe for concurrent use.
type Reader struct {
	s           *regionScan
	authorizers AuthorizersClient
	succeeded   int
}

// NewReader returns a Reader of region in account (empty when unknown) with clients.
func NewReader(clients Clients, account, region string) *Reader {
	reg := Region{Account: account, Name: region, APIs: []API{}, Unread: RegionLists()}
	return &Reader{s: &regionScan{client: clients.REST, v2: clients.V2, region: reg}, authorizers: clients.Authorizers}
}

// Region is what has been read so far; it changes with every Read.
func (r *Reader) Region() *Region { return &r.s.region }

// Succeeded is the number of reads that succeeded.
func (r *Reader) Succeeded() int { return r.succeeded }

// Read reads one part into the region. A part the region cannot hold yet (an API or a domain
// that is not listed) is not read.
func (r *Reader) Read(ctx context.Context, p Part) {
	reg := &r.s.region
	errorsBefore := len(reg.Errors)
	switch {
	case p.V2:
		api := findV2(reg, p.APIID)
		if api == nil {
			return
		}
		r.s.readV2API(ctx, api)
	case p.APIID != "":
		api := findREST(reg, p.APIID)
		if api == nil {
			return
		}
		r.readAPIPart(ctx, api, p)
	case p.UsagePlanID != "":
		i := slices.IndexFunc(reg.UsagePlans, func(u UsagePlan) bool { return u.ID == p.UsagePlanID })
		if i < 0 {
			return
		}
		r.readPlanKeys(ctx, &reg.UsagePlans[i])
	case p.Domain != "":
		i := slices.IndexFunc(reg.Domains, func(d DomainName) bool { return d.Name == p.Domain })
		if i < 0 {
			return
		}
		if err := r.s.readMappings(ctx, &reg.Domains[i]); err != nil {
			r.s.fail(ScanError{Domain: p.Domain, Operation: p.Op}, err)
		}
	default:
		r.readList(ctx, p.Op)
	}
	if len(reg.Errors) == errorsBefore {
		r.succeeded++
	}
	for i := errorsBefore; i < len(reg.Errors); i++ {
		reg.Errors[i].AccountID = reg.Account
	}
}

func (r *Reader) readAPIPart(ctx context.Context, api *API, p Part) {
	switch p.Op {
	case OpGetResources:
		r.s.readResources(ctx, api)
	case OpGetStages:
		r.s.readStages(ctx, api)
	case OpGetDeployments:
		r.s.readDeploymentList(ctx, api)
	case OpGetDeployment:
		r.s.readSnapshot(ctx, api, p.DeploymentID, nil)
	case OpGetAuthorizers:
		authorizers, err := r.readAuthorizers(ctx, api.ID)
		if err != nil {
			r.s.fail(apiScope(api, OpGetAuthorizers), fmt.Errorf("get authorizers of API %s: %w", api.ID, err))
			return
		}
		api.Authorizers, api.AuthorizersRead = authorizers, true
	}
}

// readAuthorizers pages through GetAuthorizers, which the SDK has no paginator for.
func (r *Reader) readAuthorizers(ctx context.Context, apiID string) ([]Authorizer, error) {
	if r.authorizers == nil {
		return nil, fmt.Errorf("no client to read authorizers with")
	}
	out, err := Pages(ctx, func(position *string) ([]Authorizer, *string, error) {
		page, err := r.authorizers.GetAuthorizers(ctx, &apigateway.GetAuthorizersInput{RestApiId: &apiID, Limit: aws.Int32(pageSize), Position: position})
		if err != nil {
			return nil, nil, err
		}
		items := make([]Authorizer, 0, len(page.Items))
		for _, a := range page.Items {
			items = append(items, Authorizer{ID: aws.ToString(a.Id), Name: aws.ToString(a.Name), Type: string(a.Type),
				IdentitySource: aws.ToString(a.IdentitySource), IdentityValidationExpression: aws.ToString(a.IdentityValidationExpression)})
		}
		return items, page.Position, nil
	})
	return nonNil(out), err
}

// readList reads one region-wide list.
func (r *Reader) readList(ctx context.Context, op string) {
	reg := &r.s.region
	var err error
	switch op {
	case OpGetRestApis:
		var apis []API
		if apis, err = r.s.listAPIs(ctx); err == nil {
			reg.APIs = append([]API{}, apis...)
		}
	case OpGetApis:
		reg.V2APIs, err = r.s.listV2APIs(ctx)
	case OpGetUsagePlans:
		reg.UsagePlans, err = r.s.listUsagePlans(ctx)
	case OpGetAPIKeys:
		reg.APIKeys, err = r.s.listAPIKeys(ctx)
	case OpGetDomainNames:
		reg.Domains, err = r.s.listDomains(ctx)
	default:
		return
	}
	if err != nil {
		r.s.fail(ScanError{Operation: op}, err)
		return
	}
	reg.Unread = withoutOp(reg.Unread, op)
}

func (r *Reader) readPlanKeys(ctx context.Context, plan *UsagePlan) {
	ids, err := r.s.usagePlanKeys(ctx, plan.ID)
	if err != nil {
		r.s.fail(ScanError{UsagePlanID: plan.ID, Operation: OpGetUsagePlanKeys}, fmt.Errorf("usage plan %s: %w", plan.ID, err))
		return
	}
	plan.KeyIDs, plan.KeysUnread = ids, false
}

func findREST(reg *Region, id string) *API {
	for i := range reg.APIs {
		if reg.APIs[i].ID == id {
			return &reg.APIs[i]
		}
	}
	return nil
}

func findV2(reg *Region, id string) *V2API {
	for i := range reg.V2APIs {
		if reg.V2APIs[i].ID == id {
			return &reg.V2APIs[i]
		}
	}
	return nil
}
