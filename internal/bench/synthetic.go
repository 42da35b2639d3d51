package bench

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// SyntheticSpec describes a synthetic account. Every API, resource, method, stage and deployment
// follows from it and its seed, so the server answers any page without holding the account.
type SyntheticSpec struct {
	Name string
	APIs int
	// Resources per API, "/" included; "/" has no methods.
	Resources int
	// MinMethods to MaxMethods methods on every other resource, drawn per resource.
	MinMethods, MaxMethods int
	// Public makes every method open (authorizationType NONE, no API key) and every stage bare
	// (no logs, metrics, tracing or WAF); otherwise most methods are AWS_IAM and prod stages
	// are configured.
	Public bool
	// DriftEvery APIs, one has a method the stages' newest deployment lacks (0: none).
	DriftEvery int
	Seed       uint64
}

// The synthetic shapes `make bench` measures, and a small one for tests. Heavy is the tail of a
// large account: every API at 300 resources, most methods AWS_IAM, stages partly configured, one
// API in ten with an undeployed method, CORS on one in 25 with OPTIONS on half its resources.
// Public has every method open and every stage bare, for tens of thousands of findings.
var (
	HeavySpec  = SyntheticSpec{Name: "heavy", APIs: 600, Resources: 300, MinMethods: 2, MaxMethods: 4, DriftEvery: 10, Seed: 1}
	PublicSpec = SyntheticSpec{Name: "public", APIs: 600, Resources: 60, MinMethods: 1, MaxMethods: 3, Public: true, Seed: 2}
	SmallSpec  = SyntheticSpec{Name: "small", APIs: 5, Resources: 20, MinMethods: 2, MaxMethods: 4, DriftEvery: 2, Seed: 3}
)

// ParseSpec reads a shape: heavy, public, small, or APIS x RESOURCES with an optional /public,
// such as 100x300 or 600x60/public (2 to 4 methods per resource).
func ParseSpec(s string) (SyntheticSpec, error) {
	for _, spec := range []SyntheticSpec{HeavySpec, PublicSpec, SmallSpec} {
		if s == spec.Name {
			return spec, nil
		}
	}
	dims, public := strings.CutSuffix(s, "/public")
	a, r, ok := strings.Cut(dims, "x")
	apis, err1 := strconv.Atoi(a)
	resources, err2 := strconv.Atoi(r)
	if !ok || err1 != nil || err2 != nil || apis < 1 || resources < 1 {
		return SyntheticSpec{}, fmt.Errorf("shape %q: want heavy, public, small or APISxRESOURCES[/public] (e.g. 100x300)", s)
	}
	spec := SyntheticSpec{Name: s, APIs: apis, Resources: resources, MinMethods: 2, MaxMethods: 4, Public: public, Seed: uint64(apis*1000 + resources)}
	if !public {
		spec.DriftEvery = 10
	}
	return spec, nil
}

// Validate reports a spec the server cannot serve.
func (s SyntheticSpec) Validate() error {
	switch {
	case s.APIs < 1 || s.APIs > 9_999_999:
		return fmt.Errorf("shape %s: %d APIs, want 1 to 9999999", s.Name, s.APIs)
	case s.Resources < 1:
		return fmt.Errorf("shape %s: %d resources per API, want at least 1", s.Name, s.Resources)
	case s.MinMethods < 1 || s.MaxMethods < s.MinMethods || s.MaxMethods > len(httpMethods):
		return fmt.Errorf("shape %s: %d to %d methods per resource, want 1 <= min <= max <= %d", s.Name, s.MinMethods, s.MaxMethods, len(httpMethods))
	case s.DriftEvery < 0:
		return fmt.Errorf("shape %s: drift every %d APIs, want 0 or more", s.Name, s.DriftEvery)
	}
	return nil
}

func (s SyntheticSpec) String() string {
	kind := "mostly AWS_IAM"
	if s.Public {
		kind = "all open"
	}
	return fmt.Sprintf("%s: %d APIs x %d resources, %d-%d methods each, %s", s.Name, s.APIs, s.Resources, s.MinMethods, s.MaxMethods, kind)
}

// usagePlans and domains: a couple per fifty APIs, at least one.
func (s SyntheticSpec) usagePlans() int { return max(1, s.APIs/50) }
func (s SyntheticSpec) domains() int    { return max(1, s.APIs/50) }

// apiKeys: one per usage plan but the first (a plan without a key), and two in no plan, one of
// them disabled.
func (s SyntheticSpec) apiKeys() int { return s.usagePlans() - 1 + 2 }

// Shape counts what the spec holds, in the terms ExpectedCalls prices.
func (s SyntheticSpec) Shape() Shape {
	sh := Shape{APIs: s.APIs, UsagePlans: s.usagePlans(), Domains: s.domains()}
	for i := range s.APIs {
		a := s.api(i)
		sh.Resources += s.Resources
		sh.ResourcePages += (s.Resources + pageSize - 1) / pageSize
		for j := range s.Resources {
			sh.Methods += len(s.methods(a, j))
		}
		sh.Stages += len(a.stages)
		sh.Deployments += a.deployments
		sh.LiveDeployments += a.live
		sh.StagedAPIs++
	}
	return sh
}

// pageSize is the largest page API Gateway serves; limit defaults to 25.
const (
	pageSize     = 500
	defaultLimit = 25
	accountID    = "123456789012"
)

var (
	httpMethods = []string{"GET", "POST", "PUT", "DELETE", "PATCH"}
	stageNames  = []string{"prod", "dev", "test"}
	// epoch dates every createdDate; deployment k of an API is k days older than the newest.
	epoch = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
)

// hash draws a deterministic number for the parts (an API index, a resource index, ...) from the
// seed: splitmix64 over each part in turn.
func hash(seed uint64, parts ...int) uint64 {
	x := seed
	for _, p := range parts {
		x += 0x9e3779b97f4a7c15 ^ uint64(p)
		x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
		x = (x ^ (x >> 27)) * 0x94d049bb133111eb
		x ^= x >> 31
	}
	return x
}

// idFrom spells a drawn number as an API Gateway id: n lowercase letters and digits. Twelve
// base-36 digits use up a draw; longer ids draw again.
func idFrom(h uint64, n int) string {
	const digits = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	x := h
	for i := range b {
		if i > 0 && i%12 == 0 {
			x = hash(h, i)
		}
		b[i] = digits[x%36]
		x /= 36
	}
	return string(b)
}

// synthAPI is what is drawn for one API; its resources are drawn when asked for.
type synthAPI struct {
	index       int
	id          string
	stages      []synthStageRef
	deployments int // listed by GetDeployments, newest (0) first
	live        int // distinct deployments the stages serve: 0 and, when 2, 1
	drift       bool
	cors        bool
	endpoint    string
}

type synthStageRef struct {
	name       string
	deployment int
}

func apiID(i int) string { return fmt.Sprintf("syn%07d", i) }

func (s SyntheticSpec) apiIndex(id string) (int, bool) {
	n, err := strconv.Atoi(strings.TrimPrefix(id, "syn"))
	if !strings.HasPrefix(id, "syn") || len(id) != 10 || err != nil || n < 0 || n >= s.APIs {
		return 0, false
	}
	return n, true
}

// api draws API i: 1 to 3 stages (prod, dev, test) on 1 or 2 deployments, up to 3 older ones.
func (s SyntheticSpec) api(i int) synthAPI {
	h := hash(s.Seed, 1, i)
	a := synthAPI{index: i, id: apiID(i), endpoint: "REGIONAL"}
	n := 1 + int(h%3)
	a.live = min(n, 1+int(h>>8%2))
	a.deployments = a.live + int(h>>16%4)
	for _, name := range stageNames[:n] {
		dep := 0
		if name == "dev" {
			dep = a.live - 1 // on the older deployment when there are two: behind the latest
		}
		a.stages = append(a.stages, synthStageRef{name: name, deployment: dep})
	}
	a.drift = s.DriftEvery > 0 && int(h>>24)%s.DriftEvery == 0
	if !s.Public {
		a.cors = h>>32%25 == 0
		switch h >> 40 % 20 {
		case 0:
			a.endpoint = "PRIVATE"
		case 1, 2, 3:
			a.endpoint = "EDGE"
		}
	}
	return a
}

func (a synthAPI) deploymentID(k int) string { return idFrom(hash(uint64(a.index), 2, k), 6) }

func (a synthAPI) deploymentIndex(id string) (int, bool) {
	for k := range a.deployments {
		if a.deploymentID(k) == id {
			return k, true
		}
	}
	return 0, false
}

func (a synthAPI) deploymentDate(k int) int64 {
	return epoch.Add(-time.Duration(k)*24*time.Hour - time.Duration(a.index)*time.Minute).Unix()
}

// resourcePath lays resources out in groups of ten: /svc7 and under it /svc7/item1 to /svc7/item9.
func resourcePath(j int) (path, parentPath string, parent int) {
	if j == 0 {
		return "/", "", -1
	}
	g, k := (j-1)/10, (j-1)%10
	if k == 0 {
		return fmt.Sprintf("/svc%d", g), "/", 0
	}
	return fmt.Sprintf("/svc%d/item%d", g, k), fmt.Sprintf("/svc%d", g), j - k
}

func (s SyntheticSpec) resourceID(a synthAPI, j int) string {
	return idFrom(hash(s.Seed, 3, a.index, j), 10)
}

// methods draws resource j's methods: MinMethods to MaxMethods distinct verbs, and OPTIONS on
// every other resource of an API that declares CORS.
func (s SyntheticSpec) methods(a synthAPI, j int) []string {
	if j == 0 {
		return nil
	}
	h := hash(s.Seed, 4, a.index, j)
	n := s.MinMethods + int(h%uint64(s.MaxMethods-s.MinMethods+1))
	start := int(h >> 8 % uint64(len(httpMethods)))
	out := make([]string, 0, n+1)
	for m := range n {
		out = append(out, httpMethods[(start+m)%len(httpMethods)])
	}
	if a.cors && j%2 == 0 {
		out = append(out, "OPTIONS")
	}
	return out
}

// The method body, as GetResources embeds it: the shapes of the API Gateway reference
// (Method, MethodResponse, Integration, IntegrationResponse).
type synthMethod struct {
	HTTPMethod        string                         `json:"httpMethod"`
	AuthorizationType string                         `json:"authorizationType"`
	AuthorizerID      string                         `json:"authorizerId,omitempty"`
	APIKeyRequired    bool                           `json:"apiKeyRequired"`
	RequestParameters map[string]bool                `json:"requestParameters,omitempty"`
	MethodResponses   map[string]synthMethodResponse `json:"methodResponses,omitempty"`
	MethodIntegration *synthIntegration              `json:"methodIntegration,omitempty"`
}

type synthMethodResponse struct {
	StatusCode         string            `json:"statusCode"`
	ResponseParameters map[string]bool   `json:"responseParameters,omitempty"`
	ResponseModels     map[string]string `json:"responseModels,omitempty"`
}

type synthIntegration struct {
	Type                 string                          `json:"type"`
	HTTPMethod           string                          `json:"httpMethod,omitempty"`
	URI                  string                          `json:"uri,omitempty"`
	ConnectionType       string                          `json:"connectionType,omitempty"`
	PassthroughBehavior  string                          `json:"passthroughBehavior"`
	TimeoutInMillis      int                             `json:"timeoutInMillis"`
	CacheNamespace       string                          `json:"cacheNamespace"`
	CacheKeyParameters   []string                        `json:"cacheKeyParameters"`
	RequestTemplates     map[string]string               `json:"requestTemplates,omitempty"`
	IntegrationResponses map[string]synthIntegrationResp `json:"integrationResponses,omitempty"`
}

type synthIntegrationResp struct {
	StatusCode         string            `json:"statusCode"`
	SelectionPattern   string            `json:"selectionPattern,omitempty"`
	ResponseParameters map[string]string `json:"responseParameters,omitempty"`
	ResponseTemplates  map[string]string `json:"responseTemplates,omitempty"`
}

// auth draws a method's authorization: open in a public spec; else 90% AWS_IAM, 5% a Lambda
// authorizer, 4% open behind an API key and 1% open.
func (s SyntheticSpec) auth(a synthAPI, j, m int, name string) (authType, authorizer string, key bool) {
	if s.Public || name == "OPTIONS" {
		return "NONE", "", false
	}
	switch v := hash(s.Seed, 5, a.index, j, m) % 100; {
	case v < 90:
		return "AWS_IAM", "", false
	case v < 95:
		return "CUSTOM", idFrom(hash(s.Seed, 6, a.index), 6), false
	case v < 99:
		return "NONE", "", true
	default:
		return "NONE", "", false
	}
}

func (s SyntheticSpec) method(a synthAPI, j, m int, name, resourceID string) synthMethod {
	auth, authorizer, key := s.auth(a, j, m, name)
	out := synthMethod{HTTPMethod: name, AuthorizationType: auth, AuthorizerID: authorizer, APIKeyRequired: key}
	in := &synthIntegration{PassthroughBehavior: "WHEN_NO_MATCH", TimeoutInMillis: 29000, CacheNamespace: resourceID, CacheKeyParameters: []string{}}
	out.MethodIntegration = in
	if name == "OPTIONS" {
		allow := func(h string) string { return "method.response.header.Access-Control-Allow-" + h }
		out.MethodResponses = map[string]synthMethodResponse{"200": {StatusCode: "200",
			ResponseParameters: map[string]bool{allow("Headers"): false, allow("Methods"): false, allow("Origin"): false},
			ResponseModels:     map[string]string{"application/json": "Empty"}}}
		in.Type = "MOCK"
		in.RequestTemplates = map[string]string{"application/json": `{"statusCode": 200}`}
		in.IntegrationResponses = map[string]synthIntegrationResp{"200": {StatusCode: "200", ResponseParameters: map[string]string{
			allow("Headers"): "'Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token'",
			allow("Methods"): "'GET,POST,PUT,DELETE,PATCH,OPTIONS'",
			allow("Origin"):  "'*'",
		}, ResponseTemplates: map[string]string{"application/json": ""}}}
		return out
	}
	out.MethodResponses = map[string]synthMethodResponse{"200": {StatusCode: "200", ResponseModels: map[string]string{"application/json": "Empty"}}}
	switch v := hash(s.Seed, 7, a.index, j, m) % 20; {
	case v < 15:
		in.Type, in.HTTPMethod = "AWS_PROXY", "POST"
		in.URI = fmt.Sprintf("arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:%s:function:svc-%s-%d/invocations", accountID, a.id, (j-1)/10)
		in.IntegrationResponses = map[string]synthIntegrationResp{"200": {StatusCode: "200", ResponseTemplates: map[string]string{"application/json": ""}}}
	case v < 17:
		in.Type, in.HTTPMethod, in.ConnectionType = "HTTP_PROXY", name, "INTERNET"
		in.URI = fmt.Sprintf("https://backend-%d.internal.example.com/v1/item/{id}", a.index)
		out.RequestParameters = map[string]bool{"method.request.path.id": true}
		in.IntegrationResponses = map[string]synthIntegrationResp{"200": {StatusCode: "200"}}
	case v < 19:
		in.Type, in.HTTPMethod, in.ConnectionType = "HTTP", name, "INTERNET"
		in.URI = fmt.Sprintf("https://backend-%d.internal.example.com/v1/item", a.index)
		out.MethodResponses["200"] = synthMethodResponse{StatusCode: "200", ResponseParameters: map[string]bool{"method.response.header.X-Request-Id": false},
			ResponseModels: map[string]string{"application/json": "Empty"}}
		out.MethodResponses["500"] = synthMethodResponse{StatusCode: "500", ResponseModels: map[string]string{"application/json": "Error"}}
		in.RequestTemplates = map[string]string{"application/json": `{"id": "$input.params('id')"}`}
		in.IntegrationResponses = map[string]synthIntegrationResp{
			"200": {StatusCode: "200", ResponseParameters: map[string]string{"method.response.header.X-Request-Id": "integration.response.header.X-Request-Id"},
				ResponseTemplates: map[string]string{"application/json": "$input.json('$')"}},
			"500": {StatusCode: "500", SelectionPattern: "5\\d{2}"},
		}
	default:
		in.Type = "MOCK"
		in.RequestTemplates = map[string]string{"application/json": `{"statusCode": 200}`}
		in.IntegrationResponses = map[string]synthIntegrationResp{"200": {StatusCode: "200", ResponseTemplates: map[string]string{"application/json": `{"ok": true}`}}}
	}
	return out
}
