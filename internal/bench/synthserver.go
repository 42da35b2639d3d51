package bench

import (
	"bufio"
	"encoding/json"
	"fmt"
	"html"
	"maps"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Synthetic is an API Gateway (REST, v1) and STS endpoint on loopback that serves the account
// a SyntheticSpec describes, drawing every answer when it is asked for: the server's memory does
// not grow with the account. It answers the read calls a scan makes, in the shapes of the API
// Gateway reference, as aws-sdk-go-v2 decodes them, and counts them by operation; anything
// else is a 404 in AWS's error shape.
type Synthetic struct {
	URL  string
	spec SyntheticSpec
	srv  *http.Server
	mux  *http.ServeMux
	// served counts the bytes of API Gateway answer bodies.
	served atomic.Int64

	mu    sync.Mutex
	calls map[string]int
}

type countingWriter struct {
	http.ResponseWriter
	n int64
}

func (c *countingWriter) Write(b []byte) (int, error) {
	n, err := c.ResponseWriter.Write(b)
	c.n += int64(n)
	return n, err
}

// NewSynthetic starts a server for spec on a free loopback port.
func NewSynthetic(spec SyntheticSpec) (*Synthetic, error) {
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	s := &Synthetic{spec: spec, mux: http.NewServeMux(), calls: map[string]int{}}
	for _, r := range []struct {
		pattern, op string
		h           func(http.ResponseWriter, *http.Request)
	}{
		{"GET /restapis", "GetRestApis", s.getRestApis},
		{"GET /restapis/{restapi_id}/resources", "GetResources", s.getResources},
		{"GET /restapis/{restapi_id}/stages", "GetStages", s.getStages},
		{"GET /restapis/{restapi_id}/deployments", "GetDeployments", s.getDeployments},
		{"GET /restapis/{restapi_id}/deployments/{deployment_id}", "GetDeployment", s.getDeployment},
		{"GET /usageplans", "GetUsagePlans", s.getUsagePlans},
		{"GET /usageplans/{usageplanId}/keys", "GetUsagePlanKeys", s.getUsagePlanKeys},
		{"GET /apikeys", "GetApiKeys", s.getAPIKeys},
		{"GET /domainnames", "GetDomainNames", s.getDomainNames},
		{"GET /domainnames/{domain_name}/basepathmappings", "GetBasePathMappings", s.getBasePathMappings},
		// API Gateway v2: the synthetic accounts hold REST APIs only, mapped with v2.
		{"GET /v2/apis", "GetApis", s.getV2APIs},
		{"GET /v2/domainnames/{domain_name}/apimappings", "GetApiMappings", s.getAPIMappings},
	} {
		s.mux.HandleFunc(r.pattern, func(w http.ResponseWriter, req *http.Request) {
			s.count(r.op)
			cw := &countingWriter{ResponseWriter: w}
			r.h(cw, req)
			s.served.Add(cw.n)
		})
	}
	s.mux.HandleFunc("POST /{$}", s.sts)
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.count(r.Method + " " + r.URL.Path)
		restError(w, http.StatusNotFound, "NotFoundException", "No operation matches "+r.Method+" "+r.URL.Path+" in this synthetic API Gateway")
	})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("synthetic API Gateway: listen on loopback: %w", err)
	}
	s.URL = "http://" + l.Addr().String()
	s.srv = &http.Server{Handler: s.mux, ReadHeaderTimeout: 30 * time.Second}
	go func() { _ = s.srv.Serve(l) }()
	return s, nil
}

// Close stops the server.
func (s *Synthetic) Close() { _ = s.srv.Close() }

func (s *Synthetic) count(op string) {
	s.mu.Lock()
	s.calls[op]++
	s.mu.Unlock()
}

// Calls returns the requests seen by operation since the last reset: API Gateway operations,
// GetCallerIdentity, and "METHOD /path" for anything unknown.
func (s *Synthetic) Calls() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.calls)
}

// Served returns the bytes of API Gateway answers sent since the last reset.
func (s *Synthetic) Served() int64 { return s.served.Load() }

// Reset forgets the counts and the bytes served.
func (s *Synthetic) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.calls)
	s.served.Store(0)
}

// restError answers in API Gateway's error shape: the type in a header, the message in the body.
func restError(w http.ResponseWriter, status int, errType, message string) {
	w.Header().Set("X-Amzn-ErrorType", errType)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"message": message})
}

func notFound(w http.ResponseWriter, what, id string) {
	restError(w, http.StatusNotFound, "NotFoundException", fmt.Sprintf("Invalid %s identifier specified %s:%s", what, accountID, id))
}

// sts answers GetCallerIdentity in the query protocol; any other action is a 404 in its error shape.
func (s *Synthetic) sts(w http.ResponseWriter, r *http.Request) {
	action := ""
	if err := r.ParseForm(); err == nil {
		action = r.PostForm.Get("Action")
	}
	w.Header().Set("Content-Type", "text/xml")
	if action != "GetCallerIdentity" {
		s.count("POST / Action=" + action)
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprintf(w, `<ErrorResponse><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>Action %s is not served by this synthetic endpoint</Message></Error><RequestId>synthetic</RequestId></ErrorResponse>`, html.EscapeString(action))
		return
	}
	s.count("GetCallerIdentity")
	fmt.Fprintf(w, `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>`+
		`<Arn>arn:aws:iam::%[1]s:user/driftaudit-bench</Arn><UserId>AIDASYNTHETICBENCH0001</UserId><Account>%[1]s</Account>`+
		`</GetCallerIdentityResult><ResponseMetadata><RequestId>synthetic</RequestId></ResponseMetadata></GetCallerIdentityResponse>`, accountID)
}

// page reads limit and position; position is the index of the page's first item.
func page(w http.ResponseWriter, r *http.Request, total int) (from, to int, ok bool) {
	q := r.URL.Query()
	limit := defaultLimit
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > pageSize {
			restError(w, http.StatusBadRequest, "BadRequestException", "Invalid limit: must be between 1 and 500")
			return 0, 0, false
		}
		limit = n
	}
	if v := q.Get("position"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > total {
			restError(w, http.StatusBadRequest, "BadRequestException", "Invalid position parameter")
			return 0, 0, false
		}
		from = n
	}
	return from, min(total, from+limit), true
}

// list writes {"item": [...], "position": ...} item by item; position is left out on the last page.
func list(w http.ResponseWriter, from, to, total int, item func(i int) any) {
	w.Header().Set("Content-Type", "application/json")
	b := bufio.NewWriterSize(w, 64<<10)
	enc := json.NewEncoder(b)
	b.WriteString(`{"item":[`)
	for i := from; i < to; i++ {
		if i > from {
			b.WriteByte(',')
		}
		_ = enc.Encode(item(i))
	}
	b.WriteString("]")
	if to < total {
		fmt.Fprintf(b, `,"position":"%d"`, to)
	}
	b.WriteString("}")
	_ = b.Flush()
}

func embeds(r *http.Request, what string) bool {
	for _, v := range r.URL.Query()["embed"] {
		for _, e := range strings.Split(v, ",") {
			if strings.TrimSpace(e) == what {
				return true
			}
		}
	}
	return false
}

func (s *Synthetic) apiOf(w http.ResponseWriter, r *http.Request) (synthAPI, bool) {
	id := r.PathValue("restapi_id")
	i, ok := s.spec.apiIndex(id)
	if !ok {
		notFound(w, "API", id)
		return synthAPI{}, false
	}
	return s.spec.api(i), true
}

type synthEndpointConfiguration struct {
	Types []string `json:"types"`
}

type synthRestAPI struct {
	ID                    string                     `json:"id"`
	Name                  string                     `json:"name"`
	Description           string                     `json:"description"`
	CreatedDate           int64                      `json:"createdDate"`
	Version               string                     `json:"version"`
	APIKeySource          string                     `json:"apiKeySource"`
	EndpointConfiguration synthEndpointConfiguration `json:"endpointConfiguration"`
	DisableExecuteAPI     bool                       `json:"disableExecuteApiEndpoint"`
	RootResourceID        string                     `json:"rootResourceId"`
	Tags                  map[string]string          `json:"tags"`
}

func (s *Synthetic) getRestApis(w http.ResponseWriter, r *http.Request) {
	from, to, ok := page(w, r, s.spec.APIs)
	if !ok {
		return
	}
	list(w, from, to, s.spec.APIs, func(i int) any {
		a := s.spec.api(i)
		tags := map[string]string{"team": fmt.Sprintf("team-%d", i%7), "cost-center": "cc-1234"}
		if a.cors {
			tags["cors"] = "true"
		}
		return synthRestAPI{ID: a.id, Name: fmt.Sprintf("%s-api-%04d", s.spec.Name, i), Description: "synthetic API for the driftaudit benchmark",
			CreatedDate: a.deploymentDate(a.deployments), Version: "1.0", APIKeySource: "HEADER",
			EndpointConfiguration: synthEndpointConfiguration{Types: []string{a.endpoint}}, RootResourceID: s.spec.resourceID(a, 0), Tags: tags}
	})
}

type synthResource struct {
	ID              string `json:"id"`
	ParentID        string `json:"parentId,omitempty"`
	PathPart        string `json:"pathPart,omitempty"`
	Path            string `json:"path"`
	ResourceMethods any    `json:"resourceMethods,omitempty"`
}

// getResources answers GetResources; method bodies only with embed=methods, as AWS does: without
// it, each method maps to {}.
func (s *Synthetic) getResources(w http.ResponseWriter, r *http.Request) {
	a, ok := s.apiOf(w, r)
	if !ok {
		return
	}
	from, to, ok := page(w, r, s.spec.Resources)
	if !ok {
		return
	}
	withMethods := embeds(r, "methods")
	list(w, from, to, s.spec.Resources, func(j int) any {
		path, _, parent := resourcePath(j)
		res := synthResource{ID: s.spec.resourceID(a, j), Path: path}
		if parent >= 0 {
			res.ParentID = s.spec.resourceID(a, parent)
			res.PathPart = path[strings.LastIndexByte(path, '/')+1:]
		}
		methods := s.spec.methods(a, j)
		switch {
		case len(methods) == 0:
		case withMethods:
			bodies := make(map[string]synthMethod, len(methods))
			for m, name := range methods {
				bodies[name] = s.spec.method(a, j, m, name, res.ID)
			}
			res.ResourceMethods = bodies
		default:
			empty := make(map[string]struct{}, len(methods))
			for _, name := range methods {
				empty[name] = struct{}{}
			}
			res.ResourceMethods = empty
		}
		return res
	})
}

type synthMethodSetting struct {
	MetricsEnabled                         bool    `json:"metricsEnabled"`
	LoggingLevel                           string  `json:"loggingLevel"`
	DataTraceEnabled                       bool    `json:"dataTraceEnabled"`
	ThrottlingBurstLimit                   int     `json:"throttlingBurstLimit"`
	ThrottlingRateLimit                    float64 `json:"throttlingRateLimit"`
	CachingEnabled                         bool    `json:"cachingEnabled"`
	CacheTTLInSeconds                      int     `json:"cacheTtlInSeconds"`
	CacheDataEncrypted                     bool    `json:"cacheDataEncrypted"`
	RequireAuthorizationForCacheControl    bool    `json:"requireAuthorizationForCacheControl"`
	UnauthorizedCacheControlHeaderStrategy string  `json:"unauthorizedCacheControlHeaderStrategy"`
}

type synthAccessLogSettings struct {
	Format         string `json:"format"`
	DestinationArn string `json:"destinationArn"`
}

type synthStage struct {
	DeploymentID        string                        `json:"deploymentId"`
	StageName           string                        `json:"stageName"`
	Description         string                        `json:"description,omitempty"`
	CacheClusterEnabled bool                          `json:"cacheClusterEnabled"`
	CacheClusterSize    string                        `json:"cacheClusterSize,omitempty"`
	CacheClusterStatus  string                        `json:"cacheClusterStatus"`
	MethodSettings      map[string]synthMethodSetting `json:"methodSettings"`
	TracingEnabled      bool                          `json:"tracingEnabled"`
	AccessLogSettings   *synthAccessLogSettings       `json:"accessLogSettings,omitempty"`
	WebACLArn           string                        `json:"webAclArn,omitempty"`
	Variables           map[string]string             `json:"variables,omitempty"`
	Tags                map[string]string             `json:"tags,omitempty"`
	CreatedDate         int64                         `json:"createdDate"`
	LastUpdatedDate     int64                         `json:"lastUpdatedDate"`
}

// stage draws a stage: in a public spec bare; else prod has access logs, tracing, metrics and
// INFO logging (and a WAF on every other API), the others have none; one API in fifty keeps a
// credential in a stage variable, one in thirty caches a method unencrypted.
func (s *Synthetic) stage(a synthAPI, ref synthStageRef) synthStage {
	created := a.deploymentDate(ref.deployment)
	st := synthStage{DeploymentID: a.deploymentID(ref.deployment), StageName: ref.name, CacheClusterStatus: "NOT_AVAILABLE",
		MethodSettings: map[string]synthMethodSetting{}, CreatedDate: created, LastUpdatedDate: created + 60,
		Variables: map[string]string{"backendHost": fmt.Sprintf("backend-%d.internal.example.com", a.index), "lambdaAlias": ref.name},
		Tags:      map[string]string{"stage": ref.name}}
	if s.spec.Public {
		return st
	}
	h := hash(s.spec.Seed, 8, a.index)
	if ref.name == "prod" {
		st.TracingEnabled = true
		st.AccessLogSettings = &synthAccessLogSettings{Format: `{"requestId":"$context.requestId","status":"$context.status"}`,
			DestinationArn: fmt.Sprintf("arn:aws:logs:eu-west-1:%s:log-group:apigw-access-%s", accountID, a.id)}
		st.MethodSettings["*/*"] = synthMethodSetting{MetricsEnabled: true, LoggingLevel: "INFO", ThrottlingBurstLimit: 5000, ThrottlingRateLimit: 10000,
			CacheTTLInSeconds: 300, RequireAuthorizationForCacheControl: true, UnauthorizedCacheControlHeaderStrategy: "SUCCEED_WITH_RESPONSE_HEADER"}
		if a.index%2 == 0 {
			st.WebACLArn = fmt.Sprintf("arn:aws:wafv2:eu-west-1:%s:regional/webacl/apigw/%s", accountID, idFrom(h, 8))
		}
		if h%30 == 0 {
			st.CacheClusterEnabled, st.CacheClusterSize, st.CacheClusterStatus = true, "0.5", "AVAILABLE"
			st.MethodSettings["svc0/item1/GET"] = synthMethodSetting{MetricsEnabled: true, LoggingLevel: "INFO", ThrottlingBurstLimit: 5000,
				ThrottlingRateLimit: 10000, CachingEnabled: true, CacheTTLInSeconds: 300, UnauthorizedCacheControlHeaderStrategy: "SUCCEED_WITH_RESPONSE_HEADER"}
		}
	}
	if h>>8%50 == 0 {
		st.Variables["dbPassword"] = "synthetic-not-a-secret-" + idFrom(h, 12)
	}
	return st
}

func (s *Synthetic) getStages(w http.ResponseWriter, r *http.Request) {
	a, ok := s.apiOf(w, r)
	if !ok {
		return
	}
	list(w, 0, len(a.stages), len(a.stages), func(i int) any { return s.stage(a, a.stages[i]) })
}

type synthDeployment struct {
	ID          string `json:"id"`
	Description string `json:"description,omitempty"`
	CreatedDate int64  `json:"createdDate"`
}

func (s *Synthetic) getDeployments(w http.ResponseWriter, r *http.Request) {
	a, ok := s.apiOf(w, r)
	if !ok {
		return
	}
	from, to, ok := page(w, r, a.deployments)
	if !ok {
		return
	}
	list(w, from, to, a.deployments, func(k int) any {
		return synthDeployment{ID: a.deploymentID(k), Description: fmt.Sprintf("release %d", a.deployments-k), CreatedDate: a.deploymentDate(k)}
	})
}

// getDeployment answers GetDeployment, with apiSummary only when embed=apisummary is asked for.
// A deployment froze the working definition, but the newest deployment of a drifting API lacks
// the first method of its last resource: a change made since and never deployed.
func (s *Synthetic) getDeployment(w http.ResponseWriter, r *http.Request) {
	a, ok := s.apiOf(w, r)
	if !ok {
		return
	}
	id := r.PathValue("deployment_id")
	k, ok := a.deploymentIndex(id)
	if !ok {
		notFound(w, "Deployment", id)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	b := bufio.NewWriterSize(w, 64<<10)
	head, _ := json.Marshal(synthDeployment{ID: id, Description: fmt.Sprintf("release %d", a.deployments-k), CreatedDate: a.deploymentDate(k)})
	b.Write(head[:len(head)-1])
	if embeds(r, "apisummary") {
		type snapshot struct {
			AuthorizationType string `json:"authorizationType"`
			APIKeyRequired    bool   `json:"apiKeyRequired"`
		}
		b.WriteString(`,"apiSummary":{`)
		first := true
		for j := range s.spec.Resources {
			methods := s.spec.methods(a, j)
			snap := make(map[string]snapshot, len(methods))
			for m, name := range methods {
				if a.drift && k == 0 && j == s.spec.Resources-1 && m == 0 {
					continue
				}
				auth, _, key := s.spec.auth(a, j, m, name)
				snap[name] = snapshot{AuthorizationType: auth, APIKeyRequired: key}
			}
			if len(snap) == 0 {
				continue
			}
			path, _, _ := resourcePath(j)
			if !first {
				b.WriteByte(',')
			}
			first = false
			p, _ := json.Marshal(path)
			v, _ := json.Marshal(snap)
			b.Write(p)
			b.WriteByte(':')
			b.Write(v)
		}
		b.WriteString("}")
	}
	b.WriteString("}")
	_ = b.Flush()
}

type synthAPIStage struct {
	APIID string `json:"apiId"`
	Stage string `json:"stage"`
}

type synthUsagePlan struct {
	ID        string          `json:"id"`
	Name      string          `json:"name"`
	APIStages []synthAPIStage `json:"apiStages"`
	Throttle  map[string]any  `json:"throttle"`
	Quota     map[string]any  `json:"quota"`
}

// Usage plans: plan p covers the prod stages of APIs 3p to 3p+2 (modulo the APIs); the first
// plan has no key, and the last lists a stage that does not exist.
func (s *Synthetic) getUsagePlans(w http.ResponseWriter, r *http.Request) {
	n := s.spec.usagePlans()
	from, to, ok := page(w, r, n)
	if !ok {
		return
	}
	list(w, from, to, n, func(p int) any {
		var stages []synthAPIStage
		for i := range 3 {
			st := "prod"
			if p == n-1 && i == 2 {
				st = "gone"
			}
			stages = append(stages, synthAPIStage{APIID: apiID((3*p + i) % s.spec.APIs), Stage: st})
		}
		return synthUsagePlan{ID: usagePlanID(p), Name: fmt.Sprintf("%s-plan-%d", s.spec.Name, p), APIStages: stages,
			Throttle: map[string]any{"burstLimit": 100, "rateLimit": 50.0}, Quota: map[string]any{"limit": 100000, "offset": 0, "period": "MONTH"}}
	})
}

func usagePlanID(p int) string { return fmt.Sprintf("up%04d", p) }
func apiKeyID(k int) string    { return fmt.Sprintf("key%07d", k) }

func (s *Synthetic) getUsagePlanKeys(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("usageplanId")
	p, err := strconv.Atoi(strings.TrimPrefix(id, "up"))
	if !strings.HasPrefix(id, "up") || err != nil || p < 0 || p >= s.spec.usagePlans() {
		notFound(w, "Usage Plan", id)
		return
	}
	n := 1
	if p == 0 {
		n = 0
	}
	from, to, ok := page(w, r, n)
	if !ok {
		return
	}
	list(w, from, to, n, func(int) any {
		// GetUsagePlanKeys always carries the key's value; the collector drops it.
		return map[string]string{"id": apiKeyID(p - 1), "type": "API_KEY", "name": fmt.Sprintf("%s-key-%d", s.spec.Name, p-1),
			"value": "synthetic0value0" + idFrom(hash(s.spec.Seed, 9, p), 24)}
	})
}

type synthAPIKey struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Enabled     bool     `json:"enabled"`
	CreatedDate int64    `json:"createdDate"`
	StageKeys   []string `json:"stageKeys"`
}

// getAPIKeys lists the keys without values: includeValues is never honoured here, so a scan that
// asked for values would get none.
func (s *Synthetic) getAPIKeys(w http.ResponseWriter, r *http.Request) {
	n := s.spec.apiKeys()
	from, to, ok := page(w, r, n)
	if !ok {
		return
	}
	list(w, from, to, n, func(k int) any {
		return synthAPIKey{ID: apiKeyID(k), Name: fmt.Sprintf("%s-key-%d", s.spec.Name, k), Enabled: k != n-1, CreatedDate: epoch.Unix(), StageKeys: []string{}}
	})
}

type synthDomainName struct {
	DomainName             string                     `json:"domainName"`
	RegionalDomainName     string                     `json:"regionalDomainName"`
	RegionalHostedZoneID   string                     `json:"regionalHostedZoneId"`
	RegionalCertificateArn string                     `json:"regionalCertificateArn"`
	EndpointConfiguration  synthEndpointConfiguration `json:"endpointConfiguration"`
	DomainNameStatus       string                     `json:"domainNameStatus"`
	SecurityPolicy         string                     `json:"securityPolicy"`
}

func domainName(d int) string { return fmt.Sprintf("api-%d.bench.example.com", d) }

func (s *Synthetic) getDomainNames(w http.ResponseWriter, r *http.Request) {
	n := s.spec.domains()
	from, to, ok := page(w, r, n)
	if !ok {
		return
	}
	list(w, from, to, n, func(d int) any {
		return synthDomainName{DomainName: domainName(d), RegionalDomainName: fmt.Sprintf("d-%s.execute-api.eu-west-1.amazonaws.com", idFrom(hash(s.spec.Seed, 10, d), 10)),
			RegionalHostedZoneID:   "ZLY8HYME6SFDD",
			RegionalCertificateArn: fmt.Sprintf("arn:aws:acm:eu-west-1:%s:certificate/%s", accountID, idFrom(hash(s.spec.Seed, 11, d), 12)),
			EndpointConfiguration:  synthEndpointConfiguration{Types: []string{"REGIONAL"}}, DomainNameStatus: "AVAILABLE", SecurityPolicy: "TLS_1_2"}
	})
}

// getV2APIs answers that the account has no HTTP or WebSocket API.
func (s *Synthetic) getV2APIs(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(`{"items":[]}`))
}

// getAPIMappings answers, as v2 API mappings, the mappings getBasePathMappings describes.
func (s *Synthetic) getAPIMappings(w http.ResponseWriter, r *http.Request) {
	d, ok := s.domainOf(w, r)
	if !ok {
		return
	}
	var items []map[string]string
	for m := range 2 {
		key, api, stage := s.mapping(d, m)
		items = append(items, map[string]string{"apiMappingKey": key, "apiId": api, "stage": stage, "apiMappingId": idFrom(hash(s.spec.Seed, 12, d, m), 6)})
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"items": items})
}

// getBasePathMappings answers domain d's two mappings (see mapping).
func (s *Synthetic) getBasePathMappings(w http.ResponseWriter, r *http.Request) {
	d, ok := s.domainOf(w, r)
	if !ok {
		return
	}
	from, to, ok := page(w, r, 2)
	if !ok {
		return
	}
	list(w, from, to, 2, func(m int) any {
		key, api, stage := s.mapping(d, m)
		return map[string]string{"basePath": key, "restApiId": api, "stage": stage}
	})
}

// domainOf is the index of the request's domain, or answers NotFound.
func (s *Synthetic) domainOf(w http.ResponseWriter, r *http.Request) (int, bool) {
	name := r.PathValue("domain_name")
	d := -1
	if _, err := fmt.Sscanf(name, "api-%d.bench.example.com", &d); err != nil || d < 0 || d >= s.spec.domains() || domainName(d) != name {
		restError(w, http.StatusNotFound, "NotFoundException", "Invalid domain name identifier specified")
		return 0, false
	}
	return d, true
}

// mapping m of domain d: orders to API 7d's prod and v2 to API 7d+1's prod; on every fifth
// domain v2 names a stage that does not exist.
func (s *Synthetic) mapping(d, m int) (key, api, stage string) {
	stage = "prod"
	if m == 1 && d%5 == 0 {
		stage = "gone"
	}
	return []string{"orders", "v2"}[m], apiID((7*d + m) % s.spec.APIs), stage
}
