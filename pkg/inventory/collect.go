package inventory

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"golang.org/x/sync/errgroup"
)

// Client is the part of the API Gateway client the collector reads with: GET operations only.
type Client interface {
	GetRestApis(context.Context, *apigateway.GetRestApisInput, ...func(*apigateway.Options)) (*apigateway.GetRestApisOutput, error)
	GetResources(context.Context, *apigateway.GetResourcesInput, ...func(*apigateway.Options)) (*apigateway.GetResourcesOutput, error)
	GetStages(context.Context, *apigateway.GetStagesInput, ...func(*apigateway.Options)) (*apigateway.GetStagesOutput, error)
	GetDeployments(context.Context, *apigateway.GetDeploymentsInput, ...func(*apigateway.Options)) (*apigateway.GetDeploymentsOutput, error)
	GetDeployment(context.Context, *apigateway.GetDeploymentInput, ...func(*apigateway.Options)) (*apigateway.GetDeploymentOutput, error)
	GetUsagePlans(context.Context, *apigateway.GetUsagePlansInput, ...func(*apigateway.Options)) (*apigateway.GetUsagePlansOutput, error)
	GetUsagePlanKeys(context.Context, *apigateway.GetUsagePlanKeysInput, ...func(*apigateway.Options)) (*apigateway.GetUsagePlanKeysOutput, error)
	GetApiKeys(context.Context, *apigateway.GetApiKeysInput, ...func(*apigateway.Options)) (*apigateway.GetApiKeysOutput, error)
	GetDomainNames(context.Context, *apigateway.GetDomainNamesInput, ...func(*apigateway.Options)) (*apigateway.GetDomainNamesOutput, error)
	GetBasePathMappings(context.Context, *apigateway.GetBasePathMappingsInput, ...func(*apigateway.Options)) (*apigateway.GetBasePathMappingsOutput, error)
}

var _ Client = (*apigateway.Client)(nil)

// pageSize is API Gateway's largest page.
const pageSize = 500

// Options tune a collection.
type Options struct {
	// Concurrency bounds the calls in flight per region; the quota limiter, not this, sets the
	// pace, so it only needs to cover the latency of a call.
	Concurrency int
	// SkipDeploymentList leaves out GetDeployments, which only stage-behind-latest and
	// stage-without-deployment need.
	SkipDeploymentList bool
	// OnAPI, when set, is called with each API once its reads have ended (each read either
	// succeeded or is marked unread), from the goroutine that read it; it may judge the API and
	// Slim it, so that a large account is never held whole. APIs whose reads never started
	// (the context ended first) are not passed to it.
	OnAPI func(region string, api *API)
	// Progress, when set, watches the collection (see Progress for the events); Collect names
	// the account in its events, CollectRegion names none.
	Progress Progress
}

// DefaultConcurrency covers API Gateway's 10 calls per second at up to about 0.8 s a call.
const DefaultConcurrency = 8

// Clients are the two API Gateway clients one region is read with: v1 for REST APIs, usage
// plans, keys and domain names; v2 for HTTP and WebSocket APIs and API mappings.
type Clients struct {
	REST Client
	V2   V2Client
	// Authorizers reads REST APIs' authorizers: only a Reader uses it, and only when it is set.
	Authorizers AuthorizersClient
}

// Collect reads every region, in parallel, with the clients clientsFor returns for it.
func Collect(ctx context.Context, accountID string, regions []string, clientsFor func(region string) Clients, opts Options) *Inventory {
	inv := &Inventory{SchemaVersion: SchemaVersion, AccountID: accountID, CollectedAt: time.Now().UTC(), Regions: make([]Region, len(regions))}
	var wg sync.WaitGroup
	for i, region := range regions {
		wg.Add(1)
		go func() {
			defer wg.Done()
			reg := collectRegion(ctx, clientsFor(region), accountID, region, opts)
			reg.Account = accountID
			for j := range reg.Errors {
				reg.Errors[j].AccountID = accountID
			}
			inv.Regions[i] = reg
		}()
	}
	wg.Wait()
	return inv
}

// RegionLists are the region-wide lists every region's collection starts with.
func RegionLists() []string {
	return []string{OpGetRestApis, OpGetApis, OpGetUsagePlans, OpGetAPIKeys, OpGetDomainNames}
}

// UnreadRegion is a region of which nothing could be read, for the reason err gives: every list
// unread, so that no check judges it.
func UnreadRegion(account, name string, err ScanError) Region {
	return Region{Account: account, Name: name, Unread: RegionLists(), Errors: []ScanError{err}}
}

// regionScan gathers one region's results from concurrent workers.
type regionScan struct {
	client Client
	v2     V2Client
	opts   Options
	mu     sync.Mutex
	region Region
}

// fail records what could not be read; scope names the region, API, plan or domain it leaves
// unread and the operation that failed.
func (s *regionScan) fail(scope ScanError, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	scope.Region, scope.Message = s.region.Name, errorLine(err)
	s.region.Errors = append(s.region.Errors, scope)
}

// CollectRegion reads one region. It never fails as a whole: what cannot be read is recorded in
// Region.Errors, and the scope it would have filled stays marked unread (Region.Unread,
// API.Unread, UsagePlan.KeysUnread, DomainName.MappingsUnread). Every scope starts unread and is
// marked read only when its call succeeds, so that a collection cut short at any point (deadline,
// cancellation, an error after the last retry) leaves nothing that looks read and empty.
func CollectRegion(ctx context.Context, clients Clients, region string, opts Options) Region {
	return collectRegion(ctx, clients, "", region, opts)
}

func collectRegion(ctx context.Context, clients Clients, account, region string, opts Options) Region {
	progress := opts.Progress
	if progress != nil {
		progress.RegionStarted(account, region)
		defer progress.RegionDone(account, region)
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = DefaultConcurrency
	}
	s := &regionScan{client: clients.REST, v2: clients.V2, opts: opts, region: Region{Name: region}}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(opts.Concurrency)
	// run starts a task unless the context has ended; a task never started is recorded, so that
	// a scan cut short by its deadline says what it did not read.
	run := func(scope ScanError, task func(context.Context) error) {
		if err := ctx.Err(); err != nil {
			s.fail(scope, fmt.Errorf("not read: %w", err))
			return
		}
		g.Go(func() error {
			if err := ctx.Err(); err != nil {
				s.fail(scope, fmt.Errorf("not read: %w", err))
				return nil
			}
			if err := task(gctx); err != nil {
				s.fail(scope, err)
			}
			return nil
		})
	}

	var plans []UsagePlan
	var keys []APIKey
	var domains []DomainName
	var apis []API
	var v2APIs []V2API
	var plansErr, keysErr, domainsErr, apisErr, v2Err error
	var listWG sync.WaitGroup
	listWG.Add(5)
	// The five region-wide lists are independent; each then fans out its own follow-up calls.
	go func() { defer listWG.Done(); apis, apisErr = s.listAPIs(ctx) }()
	go func() { defer listWG.Done(); v2APIs, v2Err = s.listV2APIs(ctx) }()
	go func() { defer listWG.Done(); plans, plansErr = s.listUsagePlans(ctx) }()
	go func() { defer listWG.Done(); keys, keysErr = s.listAPIKeys(ctx) }()
	go func() { defer listWG.Done(); domains, domainsErr = s.listDomains(ctx) }()
	listWG.Wait()
	if progress != nil {
		progress.APIsListed(account, region, len(apis)+len(v2APIs))
	}
	for _, e := range []struct {
		op  string
		err error
	}{{OpGetRestApis, apisErr}, {OpGetApis, v2Err}, {OpGetUsagePlans, plansErr}, {OpGetAPIKeys, keysErr}, {OpGetDomainNames, domainsErr}} {
		if e.err != nil {
			s.fail(ScanError{Operation: e.op}, e.err)
			s.region.Unread = append(s.region.Unread, e.op)
		}
	}

	for i := range apis {
		api := &apis[i]
		run(ScanError{APIID: api.ID, Operation: OpGetResources}, func(ctx context.Context) error {
			s.readAPI(ctx, api)
			if opts.OnAPI != nil {
				sortAPI(api)
				opts.OnAPI(region, api)
			}
			if progress != nil {
				progress.APIRead(account, region)
			}
			return nil
		})
	}
	for i := range v2APIs {
		api := &v2APIs[i]
		run(ScanError{APIID: api.ID, Operation: OpGetStages}, func(ctx context.Context) error {
			s.readV2API(ctx, api)
			if progress != nil {
				progress.APIRead(account, region)
			}
			return nil
		})
	}
	for i := range plans {
		plan := &plans[i]
		run(ScanError{UsagePlanID: plan.ID, Operation: OpGetUsagePlanKeys}, func(ctx context.Context) error {
			ids, err := s.usagePlanKeys(ctx, plan.ID)
			if err != nil {
				return fmt.Errorf("usage plan %s: %w", plan.ID, err)
			}
			plan.KeyIDs, plan.KeysUnread = ids, false
			return nil
		})
	}
	for i := range domains {
		domain := &domains[i]
		op := OpGetApiMappings
		if domain.Private() {
			op = OpGetBasePathMappings
		}
		run(ScanError{Domain: domain.Name, Operation: op}, func(ctx context.Context) error { return s.readMappings(ctx, domain) })
	}
	_ = g.Wait()

	s.region.APIs, s.region.V2APIs, s.region.UsagePlans, s.region.APIKeys, s.region.Domains = apis, v2APIs, plans, keys, domains
	if s.region.APIs == nil {
		s.region.APIs = []API{}
	}
	sortRegion(&s.region)
	return s.region
}

// markRead removes op from the API's unread operations.
func (api *API) markRead(op string) { api.Unread = withoutOp(api.Unread, op) }

// withoutOp removes op from a list of unread operations; an empty list is nil, as it is saved.
func withoutOp(unread []string, op string) []string {
	unread = slices.DeleteFunc(unread, func(u string) bool { return u == op })
	if len(unread) == 0 {
		return nil
	}
	return unread
}

// readAPI reads one API's resources, stages, deployments and the snapshots its stages serve.
// Each read that succeeds marks its part read; a failure is recorded and does not stop the
// reads that do not depend on it.
func (s *regionScan) readAPI(ctx context.Context, api *API) {
	s.readResources(ctx, api)
	if !s.readStages(ctx, api) || len(api.Stages) == 0 {
		return
	}
	if !s.opts.SkipDeploymentList {
		s.readDeploymentList(ctx, api)
	}
	shared := map[string]map[string]map[string]MethodSnapshot{} // equal snapshots share one map
	for _, id := range liveDeploymentIDs(api.Stages) {
		s.readSnapshot(ctx, api, id, shared)
	}
}

func apiScope(api *API, op string) ScanError { return ScanError{APIID: api.ID, Operation: op} }

// readResources reads the API's working definition.
func (s *regionScan) readResources(ctx context.Context, api *API) {
	resources, err := s.resources(ctx, api.ID)
	if err != nil {
		s.fail(apiScope(api, OpGetResources), fmt.Errorf("get resources of API %s: %w", api.ID, err))
		return
	}
	api.Resources = resources
	api.markRead(OpGetResources)
}

// readStages reads the API's stages and reports whether it could. An API without stages serves
// no deployment: its deployments are then marked read too, as there is nothing of them to judge.
func (s *regionScan) readStages(ctx context.Context, api *API) bool {
	out, err := s.client.GetStages(ctx, &apigateway.GetStagesInput{RestApiId: &api.ID})
	if err != nil {
		s.fail(apiScope(api, OpGetStages), fmt.Errorf("get stages of API %s: %w", api.ID, err))
		return false
	}
	for _, st := range out.Item {
		api.Stages = append(api.Stages, stageFrom(st))
	}
	api.markRead(OpGetStages)
	if len(api.Stages) == 0 {
		api.markRead(OpGetDeployments)
	}
	return true
}

// readDeploymentList reads the API's deployments (ids and dates, no snapshots).
func (s *regionScan) readDeploymentList(ctx context.Context, api *API) {
	deps, err := s.deployments(ctx, api.ID)
	if err != nil {
		s.fail(apiScope(api, OpGetDeployments), fmt.Errorf("get deployments of API %s: %w", api.ID, err))
		return
	}
	api.Deployments = deps
	api.markRead(OpGetDeployments)
}

// readSnapshot reads what deployment id froze (GetDeployment embed=apisummary) and keeps it on
// the API's deployment of that id. When the deployment list was read, a deployment missing from
// it no longer exists and is not asked for; when it was not, a NotFound answer says the same.
// shared, when not nil, lets equal snapshots of the API share one map.
func (s *regionScan) readSnapshot(ctx context.Context, api *API, id string, shared map[string]map[string]map[string]MethodSnapshot) {
	listed := !slices.Contains(api.Unread, OpGetDeployments)
	if listed && !slices.ContainsFunc(api.Deployments, func(d Deployment) bool { return d.ID == id }) {
		return // the stage points to a deployment that no longer exists: nothing to read
	}
	summary, created, err := s.deploymentSummary(ctx, api.ID, id)
	if err != nil {
		var nf *types.NotFoundException
		if !listed && errors.As(err, &nf) {
			return
		}
		s.fail(apiScope(api, OpGetDeployment), fmt.Errorf("get deployment %s of API %s (stages %s): %w", id, api.ID, strings.Join(stagesOn(api.Stages, id), ", "), err))
		return
	}
	if shared != nil {
		key := snapshotKey(summary)
		if same, ok := shared[key]; ok {
			summary = same
		} else {
			shared[key] = summary
		}
	}
	if !listed {
		api.Deployments = append(api.Deployments, Deployment{ID: id, CreatedDate: created})
	}
	for i := range api.Deployments {
		if api.Deployments[i].ID == id {
			api.Deployments[i].Summary = summary
		}
	}
}

func (s *regionScan) listAPIs(ctx context.Context) ([]API, error) {
	apis, err := Pages(ctx, func(position *string) ([]API, *string, error) {
		out, err := s.client.GetRestApis(ctx, &apigateway.GetRestApisInput{Limit: aws.Int32(pageSize), Position: position})
		if err != nil {
			return nil, nil, err
		}
		var page []API
		for _, a := range out.Items {
			api := API{ID: aws.ToString(a.Id), Name: aws.ToString(a.Name), Tags: a.Tags,
				Unread: []string{OpGetResources, OpGetStages, OpGetDeployments}, KeyFromAuthorizer: a.ApiKeySource == types.ApiKeySourceTypeAuthorizer}
			if a.EndpointConfiguration != nil {
				for _, t := range a.EndpointConfiguration.Types {
					api.EndpointTypes = append(api.EndpointTypes, string(t))
				}
			}
			page = append(page, api)
		}
		return page, out.Position, nil
	})
	if err != nil {
		return nil, fmt.Errorf("list REST APIs in %s: %w", s.region.Name, err)
	}
	return apis, nil
}

func (s *regionScan) resources(ctx context.Context, apiID string) ([]Resource, error) {
	resources, err := Pages(ctx, func(position *string) ([]Resource, *string, error) {
		out, err := s.client.GetResources(ctx, &apigateway.GetResourcesInput{RestApiId: &apiID, Embed: []string{"methods"}, Limit: aws.Int32(pageSize), Position: position})
		if err != nil {
			return nil, nil, err
		}
		page := make([]Resource, 0, len(out.Items))
		for _, r := range out.Items {
			page = append(page, resourceFrom(r))
		}
		return page, out.Position, nil
	})
	return nonNil(resources), err
}

func resourceFrom(r types.Resource) Resource {
	res := Resource{ID: aws.ToString(r.Id), Path: intern(aws.ToString(r.Path))}
	for name, m := range r.ResourceMethods {
		if res.Methods == nil {
			res.Methods = make(map[string]Method, len(r.ResourceMethods))
		}
		method := Method{AuthorizationType: intern(aws.ToString(m.AuthorizationType)), APIKeyRequired: aws.ToBool(m.ApiKeyRequired), AuthorizerID: aws.ToString(m.AuthorizerId)}
		if method.AuthorizationType == "" {
			method.AuthorizationType = "NONE"
		}
		for code, mr := range m.MethodResponses {
			for param := range mr.ResponseParameters {
				if h, ok := strings.CutPrefix(param, "method.response.header."); ok {
					if method.MethodResponseHeaders == nil {
						method.MethodResponseHeaders = map[string][]string{}
					}
					method.MethodResponseHeaders[intern(code)] = append(method.MethodResponseHeaders[code], intern(h))
				}
			}
			sort.Strings(method.MethodResponseHeaders[code])
		}
		if in := m.MethodIntegration; in != nil {
			method.IntegrationType = intern(string(in.Type))
			for code, ir := range in.IntegrationResponses {
				for param, value := range ir.ResponseParameters {
					if h, ok := strings.CutPrefix(param, "method.response.header."); ok {
						if method.IntegrationResponseHeaders == nil {
							method.IntegrationResponseHeaders = map[string]map[string]string{}
						}
						if method.IntegrationResponseHeaders[code] == nil {
							method.IntegrationResponseHeaders[intern(code)] = map[string]string{}
						}
						method.IntegrationResponseHeaders[code][intern(h)] = intern(value)
					}
				}
			}
		}
		res.Methods[intern(strings.ToUpper(name))] = method
	}
	return res
}

func stageFrom(st types.Stage) Stage {
	stage := Stage{
		Name:                aws.ToString(st.StageName),
		DeploymentID:        aws.ToString(st.DeploymentId),
		TracingEnabled:      st.TracingEnabled,
		WebACLArn:           aws.ToString(st.WebAclArn),
		ClientCertificateID: aws.ToString(st.ClientCertificateId),
		CacheClusterEnabled: st.CacheClusterEnabled,
		Tags:                st.Tags,
	}
	if st.CanarySettings != nil {
		stage.CanaryDeploymentID = aws.ToString(st.CanarySettings.DeploymentId)
	}
	if st.AccessLogSettings != nil {
		stage.AccessLogDestination = aws.ToString(st.AccessLogSettings.DestinationArn)
	}
	for key, ms := range st.MethodSettings {
		if stage.MethodSettings == nil {
			stage.MethodSettings = map[string]MethodSetting{}
		}
		stage.MethodSettings[key] = MethodSetting{
			LoggingLevel:       aws.ToString(ms.LoggingLevel),
			MetricsEnabled:     ms.MetricsEnabled,
			CachingEnabled:     ms.CachingEnabled,
			CacheDataEncrypted: ms.CacheDataEncrypted,
		}
	}
	for name, value := range st.Variables {
		stage.Variables = append(stage.Variables, StageVariable{Name: name, ValueLooksSecret: LooksLikeSecret(value)})
	}
	sort.Slice(stage.Variables, func(i, j int) bool { return stage.Variables[i].Name < stage.Variables[j].Name })
	return stage
}

// liveDeploymentIDs are the distinct deployments the stages serve, in order. Canary
// deployments are left out: no check judges them yet, so reading them would be a wasted call.
func liveDeploymentIDs(stages []Stage) []string {
	var ids []string
	seen := map[string]bool{}
	for _, st := range stages {
		if st.DeploymentID != "" && !seen[st.DeploymentID] {
			seen[st.DeploymentID] = true
			ids = append(ids, st.DeploymentID)
		}
	}
	return ids
}

func stagesOn(stages []Stage, deploymentID string) []string {
	var names []string
	for _, st := range stages {
		if st.DeploymentID == deploymentID {
			names = append(names, st.Name)
		}
	}
	return names
}

func (s *regionScan) deployments(ctx context.Context, apiID string) ([]Deployment, error) {
	deps, err := Pages(ctx, func(position *string) ([]Deployment, *string, error) {
		out, err := s.client.GetDeployments(ctx, &apigateway.GetDeploymentsInput{RestApiId: &apiID, Limit: aws.Int32(pageSize), Position: position})
		if err != nil {
			return nil, nil, err
		}
		page := make([]Deployment, 0, len(out.Items))
		for _, d := range out.Items {
			page = append(page, Deployment{ID: aws.ToString(d.Id), CreatedDate: aws.ToTime(d.CreatedDate).UTC()})
		}
		return page, out.Position, nil
	})
	return nonNil(deps), err
}

// errNoSummary is what an emulator without deployment snapshots produces; AWS always answers.
var errNoSummary = errors.New("the deployment came back without apiSummary, so what the stage serves is unknown and its drift is not judged")

func (s *regionScan) deploymentSummary(ctx context.Context, apiID, deploymentID string) (map[string]map[string]MethodSnapshot, time.Time, error) {
	out, err := s.client.GetDeployment(ctx, &apigateway.GetDeploymentInput{RestApiId: &apiID, DeploymentId: &deploymentID, Embed: []string{"apisummary"}})
	if err != nil {
		return nil, time.Time{}, err
	}
	if out.ApiSummary == nil {
		return nil, time.Time{}, errNoSummary
	}
	summary := make(map[string]map[string]MethodSnapshot, len(out.ApiSummary))
	for path, methods := range out.ApiSummary {
		path = intern(path)
		summary[path] = make(map[string]MethodSnapshot, len(methods))
		for name, m := range methods {
			auth := aws.ToString(m.AuthorizationType)
			if auth == "" {
				auth = "NONE"
			}
			summary[path][intern(strings.ToUpper(name))] = MethodSnapshot{AuthorizationType: intern(auth), APIKeyRequired: m.ApiKeyRequired}
		}
	}
	return summary, aws.ToTime(out.CreatedDate).UTC(), nil
}

func (s *regionScan) listUsagePlans(ctx context.Context) ([]UsagePlan, error) {
	plans, err := Pages(ctx, func(position *string) ([]UsagePlan, *string, error) {
		out, err := s.client.GetUsagePlans(ctx, &apigateway.GetUsagePlansInput{Limit: aws.Int32(pageSize), Position: position})
		if err != nil {
			return nil, nil, err
		}
		var page []UsagePlan
		for _, up := range out.Items {
			plan := UsagePlan{ID: aws.ToString(up.Id), Name: aws.ToString(up.Name), KeysUnread: true}
			for _, as := range up.ApiStages {
				plan.APIStages = append(plan.APIStages, APIStage{APIID: aws.ToString(as.ApiId), Stage: aws.ToString(as.Stage)})
			}
			page = append(page, plan)
		}
		return page, out.Position, nil
	})
	if err != nil {
		return nil, fmt.Errorf("list usage plans in %s: %w", s.region.Name, err)
	}
	return plans, nil
}

// usagePlanKeys returns the ids of a plan's keys. The answer also carries each key's value,
// which GetUsagePlanKeys cannot be told to leave out: it is dropped here and never kept.
func (s *regionScan) usagePlanKeys(ctx context.Context, planID string) ([]string, error) {
	ids, err := Pages(ctx, func(position *string) ([]string, *string, error) {
		out, err := s.client.GetUsagePlanKeys(ctx, &apigateway.GetUsagePlanKeysInput{UsagePlanId: &planID, Limit: aws.Int32(pageSize), Position: position})
		if err != nil {
			return nil, nil, err
		}
		page := make([]string, 0, len(out.Items))
		for _, k := range out.Items {
			page = append(page, aws.ToString(k.Id))
		}
		return page, out.Position, nil
	})
	if err != nil {
		return nil, err
	}
	sort.Strings(ids)
	return nonNil(ids), nil
}

func (s *regionScan) listAPIKeys(ctx context.Context) ([]APIKey, error) {
	keys, err := Pages(ctx, func(position *string) ([]APIKey, *string, error) {
		// IncludeValues stays unset: the auditor never asks for a key's value.
		out, err := s.client.GetApiKeys(ctx, &apigateway.GetApiKeysInput{Limit: aws.Int32(pageSize), Position: position})
		if err != nil {
			return nil, nil, err
		}
		page := make([]APIKey, 0, len(out.Items))
		for _, k := range out.Items {
			page = append(page, APIKey{ID: aws.ToString(k.Id), Name: aws.ToString(k.Name), Enabled: k.Enabled})
		}
		return page, out.Position, nil
	})
	if err != nil {
		return nil, fmt.Errorf("list API keys in %s: %w", s.region.Name, err)
	}
	return nonNil(keys), nil
}

func (s *regionScan) listDomains(ctx context.Context) ([]DomainName, error) {
	domains, err := Pages(ctx, func(position *string) ([]DomainName, *string, error) {
		out, err := s.client.GetDomainNames(ctx, &apigateway.GetDomainNamesInput{Limit: aws.Int32(pageSize), Position: position})
		if err != nil {
			return nil, nil, err
		}
		var page []DomainName
		for _, d := range out.Items {
			domain := DomainName{Name: aws.ToString(d.DomainName), DomainNameID: aws.ToString(d.DomainNameId), SecurityPolicy: string(d.SecurityPolicy), MappingsUnread: true}
			if d.EndpointConfiguration != nil {
				for _, t := range d.EndpointConfiguration.Types {
					domain.EndpointTypes = append(domain.EndpointTypes, string(t))
				}
			}
			page = append(page, domain)
		}
		return page, out.Position, nil
	})
	if err != nil {
		return nil, fmt.Errorf("list custom domain names in %s: %w", s.region.Name, err)
	}
	return domains, nil
}

// readMappings reads a domain's mappings. Public domains are read with v2 GetApiMappings, which
// lists mappings to every API type, multi-level keys included. Private custom domain names, which
// v2 does not serve, are read with v1 and their domainNameId.
//
// When v2 is denied, v1 GetBasePathMappings still shows the domain's REST mappings, and they are
// kept (RESTOnly) so that checks can judge them; but mappings to HTTP and WebSocket APIs and
// multi-level ones stay unread, so the denial is returned as the domain's scan error all the
// same. A run that could not see every mapping is incomplete: its count of mapping findings may
// be short, and it must not resolve a finding or move an alarm back to OK.
func (s *regionScan) readMappings(ctx context.Context, domain *DomainName) error {
	if domain.Private() {
		mappings, err := s.basePathMappings(ctx, domain)
		if err != nil {
			return fmt.Errorf("mappings of private custom domain %s (%s): %w", domain.Name, OpGetBasePathMappings, err)
		}
		domain.Mappings, domain.MappingsSource, domain.MappingsUnread = mappings, OpGetBasePathMappings, false
		return nil
	}
	mappings, err := s.apiMappings(ctx, domain.Name)
	if err == nil {
		domain.Mappings, domain.MappingsSource, domain.MappingsUnread = mappings, OpGetApiMappings, false
		return nil
	}
	denied, ok := accessDenied(err)
	if !ok {
		return fmt.Errorf("mappings of custom domain %s (%s): %w", domain.Name, OpGetApiMappings, err)
	}
	rest, v1Err := s.basePathMappings(ctx, domain)
	if v1Err != nil {
		return fmt.Errorf("mappings of custom domain %s: %s was denied (%s), and %s failed: %w", domain.Name, OpGetApiMappings, denied, OpGetBasePathMappings, v1Err)
	}
	domain.Mappings, domain.MappingsSource, domain.MappingsUnread = rest, OpGetBasePathMappings, false
	return fmt.Errorf("mappings of custom domain %s: %s was denied (%s): its REST mappings were read with v1 %s, "+
		"but mappings to HTTP and WebSocket APIs and multi-level mappings are unread (grant apigateway:GET on /domainnames/*/apimappings)",
		domain.Name, OpGetApiMappings, denied, OpGetBasePathMappings)
}

func (s *regionScan) apiMappings(ctx context.Context, domain string) ([]BasePathMapping, error) {
	if s.v2 == nil {
		return nil, errors.New("no API Gateway v2 client")
	}
	mappings, err := Pages(ctx, func(token *string) ([]BasePathMapping, *string, error) {
		out, err := s.v2.GetApiMappings(ctx, &apigatewayv2.GetApiMappingsInput{DomainName: &domain, MaxResults: aws.String(v2PageSize), NextToken: token})
		if err != nil {
			return nil, nil, err
		}
		var page []BasePathMapping
		for _, m := range out.Items {
			key := aws.ToString(m.ApiMappingKey)
			if key == "" {
				key = "(none)"
			}
			page = append(page, BasePathMapping{BasePath: key, APIID: aws.ToString(m.ApiId), Stage: aws.ToString(m.Stage), MappingID: aws.ToString(m.ApiMappingId)})
		}
		return page, out.NextToken, nil
	})
	return nonNil(mappings), err
}

func (s *regionScan) basePathMappings(ctx context.Context, domain *DomainName) ([]BasePathMapping, error) {
	mappings, err := Pages(ctx, func(position *string) ([]BasePathMapping, *string, error) {
		in := &apigateway.GetBasePathMappingsInput{DomainName: &domain.Name, Limit: aws.Int32(pageSize), Position: position}
		if domain.DomainNameID != "" {
			in.DomainNameId = &domain.DomainNameID
		}
		out, err := s.client.GetBasePathMappings(ctx, in)
		if err != nil {
			return nil, nil, err
		}
		page := make([]BasePathMapping, 0, len(out.Items))
		for _, m := range out.Items {
			page = append(page, BasePathMapping{BasePath: aws.ToString(m.BasePath), APIID: aws.ToString(m.RestApiId), Stage: aws.ToString(m.Stage)})
		}
		return page, out.Position, nil
	})
	return nonNil(mappings), err
}

// sortRegion puts everything in a stable order, so that two scans of the same account produce
// the same inventory, byte for byte.
func sortRegion(r *Region) {
	sort.Slice(r.APIs, func(i, j int) bool { return r.APIs[i].ID < r.APIs[j].ID })
	for i := range r.APIs {
		sortAPI(&r.APIs[i])
	}
	sort.Slice(r.V2APIs, func(i, j int) bool { return r.V2APIs[i].ID < r.V2APIs[j].ID })
	for i := range r.V2APIs {
		a := &r.V2APIs[i]
		sort.Slice(a.Stages, func(i, j int) bool { return a.Stages[i].Name < a.Stages[j].Name })
		sort.Strings(a.Unread)
	}
	sort.Slice(r.UsagePlans, func(i, j int) bool { return r.UsagePlans[i].ID < r.UsagePlans[j].ID })
	sort.Slice(r.APIKeys, func(i, j int) bool { return r.APIKeys[i].ID < r.APIKeys[j].ID })
	sort.Slice(r.Domains, func(i, j int) bool { return r.Domains[i].Name < r.Domains[j].Name })
	for i := range r.Domains {
		m := r.Domains[i].Mappings
		sort.Slice(m, func(i, j int) bool { return m[i].BasePath < m[j].BasePath })
	}
	sort.Strings(r.Unread)
	sort.SliceStable(r.Errors, func(i, j int) bool {
		a, b := r.Errors[i], r.Errors[j]
		if a.APIID != b.APIID {
			return a.APIID < b.APIID
		}
		if a.Operation != b.Operation {
			return a.Operation < b.Operation
		}
		return a.Message < b.Message
	})
}

// sortAPI puts one API in the order the checks expect (deployments newest first) and a stable
// one for the rest; it runs before OnAPI sees the API, and again over the whole region.
func sortAPI(a *API) {
	sort.Slice(a.Resources, func(i, j int) bool { return a.Resources[i].Path < a.Resources[j].Path })
	sort.Slice(a.Stages, func(i, j int) bool { return a.Stages[i].Name < a.Stages[j].Name })
	sort.SliceStable(a.Deployments, func(i, j int) bool {
		if !a.Deployments[i].CreatedDate.Equal(a.Deployments[j].CreatedDate) {
			return a.Deployments[i].CreatedDate.After(a.Deployments[j].CreatedDate)
		}
		return a.Deployments[i].ID < a.Deployments[j].ID
	})
	sort.Strings(a.Unread)
}

// errorLine makes an error fit on one line of a report.
func errorLine(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}
