// Package inventory collects, for one account and a set of regions, everything the checks need to
// know about API Gateway REST APIs, and holds it as a plain value that round-trips through JSON.
//
// Nothing in an Inventory is a secret: API key values are never requested, and stage variable
// values are reduced to a flag at collection time.
package inventory

import (
	"maps"
	"slices"
	"time"
)

// SchemaVersion is bumped when what a saved inventory means changes. Version 2 added HTTP and
// WebSocket APIs and mappings read with v2; version 3 gave each region its account, so that one
// inventory holds an organization. Older files are still read (Decode): a version 1 file with
// what it could not know marked unread, and both with every region in the file's one account.
const SchemaVersion = 3

// Inventory is what one scan read from API Gateway, in one account or in several.
type Inventory struct {
	SchemaVersion int `json:"schema_version"`
	// AccountID is the account when the inventory holds one; empty for several (each region
	// names its own) or when the account could not be read.
	AccountID   string    `json:"account_id,omitempty"`
	CollectedAt time.Time `json:"collected_at"`
	// Regions lists each (account, region) scope once, by account then region.
	Regions []Region `json:"regions"`
	// Warnings are notices about the collection that judge nothing, such as an account id that
	// could not be read.
	Warnings []string `json:"warnings,omitempty"`
}

// Region is one region's API Gateway inventory: REST APIs (v1), HTTP and WebSocket APIs (v2),
// usage plans, keys and custom domains.
type Region struct {
	// Account is the AWS account the region was read in; empty when it could not be read.
	Account string `json:"account_id,omitempty"`
	Name    string `json:"name"`
	APIs    []API  `json:"apis"`
	// V2APIs are the region's HTTP and WebSocket APIs.
	V2APIs     []V2API      `json:"v2_apis,omitempty"`
	UsagePlans []UsagePlan  `json:"usage_plans"`
	APIKeys    []APIKey     `json:"api_keys"`
	Domains    []DomainName `json:"domains"`
	// Unread lists the region-level operations whose data is missing (GetRestApis, GetApis,
	// GetUsagePlans, GetApiKeys, GetDomainNames): checks that need it stay silent rather than
	// guess.
	Unread []string    `json:"unread,omitempty"`
	Errors []ScanError `json:"errors,omitempty"`
}

// Operation names, as API Gateway calls them; they name what is missing when a call fails.
const (
	OpGetRestApis         = "GetRestApis"
	OpGetResources        = "GetResources"
	OpGetStages           = "GetStages"
	OpGetDeployments      = "GetDeployments"
	OpGetDeployment       = "GetDeployment"
	OpGetUsagePlans       = "GetUsagePlans"
	OpGetUsagePlanKeys    = "GetUsagePlanKeys"
	OpGetAPIKeys          = "GetApiKeys"
	OpGetDomainNames      = "GetDomainNames"
	OpGetBasePathMappings = "GetBasePathMappings"
	// OpGetAuthorizers reads a REST API's authorizers; only `driftaudit explain` calls it.
	OpGetAuthorizers = "GetAuthorizers"
	// OpAssumeRole is the sts:AssumeRole into a member account: when it fails, nothing of the
	// account is read.
	OpAssumeRole = "AssumeRole"
	// OpScan and OpPlan name, in an organization run's joined report, an (account, region)
	// whose scanner left no report, and a run whose planner failed: nothing of it was read.
	OpScan = "Scan"
	OpPlan = "Plan"
)

// LeavesRegionUnread reports whether e leaves its whole (account, region) unread, the API list
// included.
func (e ScanError) LeavesRegionUnread() bool {
	if e.APIID != "" || e.UsagePlanID != "" || e.Domain != "" {
		return false
	}
	switch e.Operation {
	case OpGetRestApis, OpAssumeRole, OpScan, OpPlan:
		return true
	}
	return false
}

// ScanError records one thing that could not be read, and the scope it leaves unread: a region
// list (no API, plan or domain named), one API, one usage plan's keys or one domain's mappings.
// The scan goes on without it.
type ScanError struct {
	// AccountID is the account of the scope; empty when the account could not be read.
	AccountID   string `json:"account_id"`
	Region      string `json:"region"`
	APIID       string `json:"api_id,omitempty"`
	UsagePlanID string `json:"usage_plan_id,omitempty"`
	Domain      string `json:"domain,omitempty"`
	Operation   string `json:"operation"`
	Message     string `json:"message"`
}

// API is one REST API with its working definition, stages and deployments.
type API struct {
	ID            string            `json:"id"`
	Name          string            `json:"name"`
	EndpointTypes []string          `json:"endpoint_types,omitempty"`
	Tags          map[string]string `json:"tags,omitempty"`
	Resources     []Resource        `json:"resources"`
	Stages        []Stage           `json:"stages"`
	// Deployments lists every deployment of the API, newest first; only ID and CreatedDate are
	// filled from the list, Summary only for deployments a stage points to.
	Deployments []Deployment `json:"deployments"`
	// Unread lists the operations whose data is missing for this API (GetResources, GetStages,
	// GetDeployments). A collection starts with all three and removes each once its read
	// succeeds, so that an API whose reads never ran is unread, never empty.
	Unread []string `json:"unread,omitempty"`
	// KeyFromAuthorizer is true when the API's apiKeySource is AUTHORIZER: a Lambda authorizer,
	// not the x-api-key header, supplies the API key.
	KeyFromAuthorizer bool `json:"key_from_authorizer,omitempty"`
	// Authorizers are the API's Lambda and Cognito authorizers (GetAuthorizers). A scan does not
	// read them (no check judges them); `driftaudit explain` does, when a method needs one.
	Authorizers []Authorizer `json:"authorizers,omitempty"`
	// AuthorizersRead is true once Authorizers was read: false means unread, never "none".
	AuthorizersRead bool `json:"authorizers_read,omitempty"`
}

// Authorizer is a REST API's Lambda (TOKEN or REQUEST) or Cognito (COGNITO_USER_POOLS)
// authorizer, with what decides whether API Gateway calls it at all: its identity sources.
type Authorizer struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
	Type string `json:"type"`
	// IdentitySource is as API Gateway holds it: "method.request.header.Authorization", or for
	// a REQUEST authorizer a comma-separated list of header, query string, stage variable and
	// context sources (empty when caching is off and none is required).
	IdentitySource string `json:"identity_source,omitempty"`
	// IdentityValidationExpression is a TOKEN authorizer's regular expression for the token.
	IdentityValidationExpression string `json:"identity_validation_expression,omitempty"`
}

// Resource is one path of the working definition.
type Resource struct {
	ID      string            `json:"id"`
	Path    string            `json:"path"`
	Methods map[string]Method `json:"methods,omitempty"`
}

// Method is one HTTP method of a resource in the working definition.
type Method struct {
	AuthorizationType string `json:"authorization_type"`
	APIKeyRequired    bool   `json:"api_key_required,omitempty"`
	// MethodResponseHeaders maps a status code to the headers its method response declares.
	MethodResponseHeaders map[string][]string `json:"method_response_headers,omitempty"`
	// IntegrationResponseHeaders maps a status code to the header values its integration
	// response sets (header name to mapping expression, e.g. "'*'").
	IntegrationResponseHeaders map[string]map[string]string `json:"integration_response_headers,omitempty"`
	IntegrationType            string                       `json:"integration_type,omitempty"`
	// AuthorizerID names the authorizer of a CUSTOM or COGNITO_USER_POOLS method.
	AuthorizerID string `json:"authorizer_id,omitempty"`
}

// Stage is one stage of an API. Stage variable values are never kept.
type Stage struct {
	Name                 string                   `json:"name"`
	DeploymentID         string                   `json:"deployment_id,omitempty"`
	CanaryDeploymentID   string                   `json:"canary_deployment_id,omitempty"`
	AccessLogDestination string                   `json:"access_log_destination,omitempty"`
	TracingEnabled       bool                     `json:"tracing_enabled,omitempty"`
	WebACLArn            string                   `json:"web_acl_arn,omitempty"`
	ClientCertificateID  string                   `json:"client_certificate_id,omitempty"`
	CacheClusterEnabled  bool                     `json:"cache_cluster_enabled,omitempty"`
	MethodSettings       map[string]MethodSetting `json:"method_settings,omitempty"`
	Variables            []StageVariable          `json:"variables,omitempty"`
	Tags                 map[string]string        `json:"tags,omitempty"`
}

// MethodSetting is a stage's setting for one "resource/method" key ("*/*" for all).
type MethodSetting struct {
	LoggingLevel       string `json:"logging_level,omitempty"`
	MetricsEnabled     bool   `json:"metrics_enabled,omitempty"`
	CachingEnabled     bool   `json:"caching_enabled,omitempty"`
	CacheDataEncrypted bool   `json:"cache_data_encrypted,omitempty"`
}

// StageVariable keeps a stage variable's name and whether its value looks like a credential;
// the value itself is dropped when it is read.
type StageVariable struct {
	Name             string `json:"name"`
	ValueLooksSecret bool   `json:"value_looks_secret,omitempty"`
}

// Deployment is one deployment of an API.
type Deployment struct {
	ID          string    `json:"id"`
	CreatedDate time.Time `json:"created_date"`
	// Summary is the deployed snapshot: path to method to what was deployed. Nil means the
	// snapshot was not read (the deployment is not live on any stage, or the read failed).
	Summary map[string]map[string]MethodSnapshot `json:"summary,omitempty"`
	// KeyRequired is what Slim keeps of Summary (which it then drops): the key-required methods
	// of the snapshot. Nil unless the API was slimmed; never saved.
	KeyRequired *KeyRequired `json:"-"`
}

// KeyRequired counts a snapshot's key-required methods and keeps the first KeyRequiredShown of
// them, as "METHOD /path" in path and method order: what a report names of them.
type KeyRequired struct {
	Total int
	First []string
}

// KeyRequiredShown is how many key-required methods a slimmed snapshot keeps by name.
const KeyRequiredShown = 3

// KeyRequiredMethods lists, as "METHOD /path" in path and method order, the methods a snapshot
// serves only with an API key.
func KeyRequiredMethods(summary map[string]map[string]MethodSnapshot) []string {
	var out []string
	for _, path := range slices.Sorted(maps.Keys(summary)) {
		for _, m := range slices.Sorted(maps.Keys(summary[path])) {
			if summary[path][m].APIKeyRequired {
				out = append(out, m+" "+path)
			}
		}
	}
	return out
}

// MethodSnapshot is what a deployment froze of one method.
type MethodSnapshot struct {
	AuthorizationType string `json:"authorization_type"`
	APIKeyRequired    bool   `json:"api_key_required,omitempty"`
}

// UsagePlan is a usage plan with the API stages it covers and the ids of its keys.
type UsagePlan struct {
	ID        string     `json:"id"`
	Name      string     `json:"name"`
	APIStages []APIStage `json:"api_stages,omitempty"`
	KeyIDs    []string   `json:"key_ids"`
	// KeysUnread is true until GetUsagePlanKeys succeeds: the plan's keys are unknown.
	KeysUnread bool `json:"keys_unread,omitempty"`
}

// APIStage is one (API, stage) pair a usage plan covers.
type APIStage struct {
	APIID string `json:"api_id"`
	Stage string `json:"stage"`
}

// APIKey is an API key without its value.
type APIKey struct {
	ID      string `json:"id"`
	Name    string `json:"name,omitempty"`
	Enabled bool   `json:"enabled"`
}

// DomainName is a custom domain with its mappings: one namespace for REST, HTTP and WebSocket
// APIs.
type DomainName struct {
	Name          string   `json:"name"`
	EndpointTypes []string `json:"endpoint_types,omitempty"`
	// DomainNameID identifies a private custom domain name (with its name, it is the key of
	// its mappings); empty for public ones.
	DomainNameID   string            `json:"domain_name_id,omitempty"`
	SecurityPolicy string            `json:"security_policy,omitempty"`
	Mappings       []BasePathMapping `json:"mappings"`
	// MappingsUnread is true until the mappings are read.
	MappingsUnread bool `json:"mappings_unread,omitempty"`
	// MappingsSource is the operation the mappings were read with: GetApiMappings (v2, every
	// API type and multi-level keys), or GetBasePathMappings (v1: private domain names, which
	// v2 does not serve, or the fallback when v2 is denied, which sees only REST mappings).
	MappingsSource string `json:"mappings_source,omitempty"`
}

// RESTOnly reports whether the domain's mappings were read with v1 although v2 serves the
// domain: mappings to HTTP and WebSocket APIs, and multi-level ones, may be missing from them.
func (d *DomainName) RESTOnly() bool {
	return d.MappingsSource == OpGetBasePathMappings && !d.Private()
}

// Private reports whether the domain is a private custom domain name.
func (d *DomainName) Private() bool {
	return d.DomainNameID != "" || slices.Contains(d.EndpointTypes, "PRIVATE")
}

// BasePathMapping maps a base path of a custom domain (an API mapping key in v2, multi-level
// keys included) to an API of any type and, optionally, a stage. BasePath "(none)" is the
// domain's root.
type BasePathMapping struct {
	BasePath string `json:"base_path"`
	APIID    string `json:"api_id"`
	Stage    string `json:"stage,omitempty"`
	// MappingID is the v2 API mapping's id (empty when read with v1).
	MappingID string `json:"mapping_id,omitempty"`
}
