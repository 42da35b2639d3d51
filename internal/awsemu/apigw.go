package awsemu

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// serveAPIGateway fills moto's API Gateway gaps: apiSummary on deployments, paging of list
// operations, the empty base path mapping list, and the custom domains and mappings v1 shares
// with v2 (domains.go). It also takes away what moto answers and AWS does not: method bodies on
// resources read without embed=methods. v2 requests go to serveAPIGatewayV2.
func (s *Shim) serveAPIGateway(ctx context.Context, in *inbound) (*reply, error) {
	if in.call.V2 {
		return s.serveAPIGatewayV2(ctx, in)
	}
	switch op := in.call.Operation; {
	case op == "CreateDeployment" && s.apiSummary:
		return s.createDeployment(ctx, in)
	case op == "GetDeployment" && s.apiSummary:
		return s.getDeployment(ctx, in)
	case pagedOps[op]:
		return s.paged(ctx, in)
	case op == "GetResource":
		return s.getResource(ctx, in)
	case op == "UpdateStage":
		return s.updateStage(ctx, in)
	case op == "GetStages" || op == "GetStage":
		return s.getStages(ctx, in)
	case op == "CreateDomainName" || op == "DeleteDomainName":
		return s.domainWrite(ctx, in)
	case op == "GetDomainName":
		return s.getDomainNameV1(ctx, in)
	case op == "CreateBasePathMapping":
		return s.createBasePathMapping(ctx, in)
	case op == "GetBasePathMapping" || op == "DeleteBasePathMapping":
		return s.basePathMapping(ctx, in)
	}
	return s.forward(ctx, in)
}

// stageKey names a stage across accounts and regions.
type stageKey struct {
	account, region, apiID, stage string
}

// stageExtraFields are the stage settings moto's UpdateStage silently ignores; the shim keeps
// them and adds them to GetStage and GetStages answers, as AWS returns them.
var stageExtraFields = map[string]string{"/webAclArn": "webAclArn", "/clientCertificateId": "clientCertificateId"}

// updateStage records the settings moto ignores, then forwards the call.
func (s *Shim) updateStage(ctx context.Context, in *inbound) (*reply, error) {
	var patch struct {
		PatchOperations []struct {
			Op, Path, Value string
		} `json:"patchOperations"`
	}
	if json.Unmarshal(in.body, &patch) == nil {
		key := stageKey{in.call.Account, in.call.Region, in.call.apiID(), in.call.Labels["stageName"]}
		s.mu.Lock()
		for _, op := range patch.PatchOperations {
			field, ok := stageExtraFields[op.Path]
			if !ok {
				continue
			}
			if s.stageExtras[key] == nil {
				s.stageExtras[key] = map[string]string{}
			}
			if op.Op == "remove" || op.Value == "" {
				delete(s.stageExtras[key], field)
			} else {
				s.stageExtras[key][field] = op.Value
			}
		}
		s.mu.Unlock()
	}
	rep, err := s.forward(ctx, in)
	if err != nil || rep.status != http.StatusOK {
		return rep, err
	}
	rep.body = s.withStageExtras(in, rep.body, false)
	return rep, nil
}

func (s *Shim) getStages(ctx context.Context, in *inbound) (*reply, error) {
	rep, err := s.forward(ctx, in)
	if err != nil || rep.status != http.StatusOK {
		return rep, err
	}
	rep.body = s.withStageExtras(in, rep.body, in.call.Operation == "GetStages")
	return rep, nil
}

// withStageExtras adds the recorded settings to one stage, or to each item of a stage list.
func (s *Shim) withStageExtras(in *inbound, body []byte, list bool) []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	add := func(stage map[string]json.RawMessage) {
		var name string
		if json.Unmarshal(stage["stageName"], &name) != nil {
			return
		}
		for field, v := range s.stageExtras[stageKey{in.call.Account, in.call.Region, in.call.apiID(), name}] {
			stage[field], _ = json.Marshal(v)
		}
	}
	if !list {
		var stage map[string]json.RawMessage
		if json.Unmarshal(body, &stage) != nil {
			return body
		}
		add(stage)
		out, err := json.Marshal(stage)
		if err != nil {
			return body
		}
		return out
	}
	var doc struct {
		Item []map[string]json.RawMessage `json:"item"`
	}
	if json.Unmarshal(body, &doc) != nil {
		return body
	}
	for _, st := range doc.Item {
		add(st)
	}
	out, err := json.Marshal(doc)
	if err != nil {
		return body
	}
	return out
}

// snapshotKey keeps deployments of different accounts and regions apart even when a test fixes
// API ids with the _custom_id_ tag.
type snapshotKey struct {
	account, region, apiID, deploymentID string
}

type methodSnapshot struct {
	AuthorizationType string `json:"authorizationType"`
	APIKeyRequired    bool   `json:"apiKeyRequired"`
}

// createDeployment records what the working definition looked like when the deployment was
// made, since moto keeps no such snapshot and the auditor's undeployed-change check compares the
// two. The snapshot is taken just before the deployment is forwarded; a test that changes the API
// concurrently with deploying it gets no guarantee which side the change lands on.
func (s *Shim) createDeployment(ctx context.Context, in *inbound) (*reply, error) {
	snap, snapErr := s.summarize(ctx, in)
	rep, err := s.forward(ctx, in)
	if err != nil || snapErr != nil || rep.status/100 != 2 {
		return rep, err
	}
	var created struct {
		ID string `json:"id"`
	}
	if json.Unmarshal(rep.body, &created) != nil || created.ID == "" {
		return rep, nil
	}
	key := snapshotKey{in.call.Account, in.call.Region, in.call.apiID(), created.ID}
	s.mu.Lock()
	s.snapshots[key] = snap
	s.mu.Unlock()
	return rep, nil
}

// summarize reads the API's resources from moto as the deploying client's account and region
// (moto checks no signature, so the Authorization header is reused as it is) and returns the
// apiSummary AWS would store: path -> HTTP method -> {authorizationType, apiKeyRequired}.
func (s *Shim) summarize(ctx context.Context, in *inbound) ([]byte, error) {
	h := identityHeaders(in.r)
	path := "/restapis/" + url.PathEscape(in.call.apiID()) + "/resources"
	rep, err := s.upstreamDo(ctx, http.MethodGet, path, "embed=methods", h, nil)
	if err != nil {
		return nil, err
	}
	if rep.status != http.StatusOK {
		return nil, errStatus(rep.status)
	}
	var resources struct {
		Item []struct {
			Path            string `json:"path"`
			ResourceMethods map[string]struct {
				AuthorizationType *string `json:"authorizationType"`
				APIKeyRequired    *bool   `json:"apiKeyRequired"`
			} `json:"resourceMethods"`
		} `json:"item"`
	}
	if err := json.Unmarshal(rep.body, &resources); err != nil {
		return nil, err
	}
	summary := make(map[string]map[string]methodSnapshot)
	for _, res := range resources.Item {
		if len(res.ResourceMethods) == 0 {
			continue
		}
		methods := make(map[string]methodSnapshot, len(res.ResourceMethods))
		for verb, m := range res.ResourceMethods {
			ms := methodSnapshot{AuthorizationType: "NONE"}
			if m.AuthorizationType != nil {
				ms.AuthorizationType = *m.AuthorizationType
			}
			if m.APIKeyRequired != nil {
				ms.APIKeyRequired = *m.APIKeyRequired
			}
			methods[verb] = ms
		}
		summary[res.Path] = methods
	}
	return json.Marshal(summary)
}

// identityHeaders are what moto needs to put a side request of the shim's in the same account and
// region as the client's request it serves.
func identityHeaders(r *http.Request) http.Header {
	h := http.Header{}
	for _, k := range []string{"Authorization", "X-Moto-Account-Id"} {
		if v := r.Header.Get(k); v != "" {
			h.Set(k, v)
		}
	}
	return h
}

type errStatus int

func (e errStatus) Error() string { return "upstream answered HTTP " + strconv.Itoa(int(e)) }

// getDeployment adds the stored snapshot when the client asks for it with embed=apisummary, as
// AWS does. Without a snapshot moto's answer passes unchanged: that is what the auditor sees from
// an emulator without apiSummary, and it must cope.
func (s *Shim) getDeployment(ctx context.Context, in *inbound) (*reply, error) {
	rep, err := s.forward(ctx, in)
	if err != nil || rep.status != http.StatusOK || !wantsEmbed(in.r.URL.Query(), "apisummary") {
		return rep, err
	}
	key := snapshotKey{in.call.Account, in.call.Region, in.call.apiID(), in.call.Labels["deploymentId"]}
	s.mu.Lock()
	snap, ok := s.snapshots[key]
	s.mu.Unlock()
	if !ok {
		return rep, nil
	}
	var doc map[string]json.RawMessage
	if json.Unmarshal(rep.body, &doc) != nil {
		return rep, nil
	}
	doc["apiSummary"] = snap
	body, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	rep.body = body
	return rep, nil
}

// wantsEmbed tells whether the query asks for name with embed, repeated (as the SDK sends a
// list) or comma-separated (as the AWS CLI documentation writes it).
func wantsEmbed(q url.Values, name string) bool {
	for _, v := range q["embed"] {
		for _, e := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(e), name) {
				return true
			}
		}
	}
	return false
}

// getResource answers GetResource as AWS does: method bodies only with embed=methods.
func (s *Shim) getResource(ctx context.Context, in *inbound) (*reply, error) {
	rep, err := s.forward(ctx, in)
	if err != nil || rep.status != http.StatusOK || wantsEmbed(in.r.URL.Query(), "methods") {
		return rep, err
	}
	var res map[string]json.RawMessage
	if json.Unmarshal(rep.body, &res) != nil {
		return rep, nil
	}
	if stripMethodBodies(res) {
		body, err := json.Marshal(res)
		if err != nil {
			return nil, err
		}
		rep.body = body
	}
	return rep, nil
}

// stripMethodBodies replaces each method of a resource by an empty object, keeping its name,
// and reports whether it changed anything. moto embeds whole methods (integration, responses)
// whether or not embed=methods is asked; AWS, without it, names the methods only, as in the AWS
// CLI's documented get-resources output: "resourceMethods": {"POST": {}}. That shape is
// documented for GetResources; GetResource is taken to answer alike (the API reference describes
// embed=methods identically for both), which is not confirmed against AWS. A resource without
// methods keeps no resourceMethods key, as moto sends it.
func stripMethodBodies(res map[string]json.RawMessage) bool {
	raw, ok := res["resourceMethods"]
	if !ok {
		return false
	}
	var methods map[string]json.RawMessage
	if json.Unmarshal(raw, &methods) != nil || methods == nil {
		return false
	}
	for name := range methods {
		methods[name] = json.RawMessage("{}")
	}
	res["resourceMethods"], _ = json.Marshal(methods)
	return true
}

// pagedOps are the list operations the auditor pages through and moto answers all at once.
var pagedOps = map[string]bool{
	"GetRestApis":         true,
	"GetResources":        true,
	"GetDeployments":      true,
	"GetUsagePlans":       true,
	"GetUsagePlanKeys":    true,
	"GetApiKeys":          true,
	"GetDomainNames":      true,
	"GetBasePathMappings": true,
	"GetAuthorizers":      true,
}

const (
	defaultPageSize = 25  // AWS's page when no limit is given
	maxLimit        = 500 // AWS's largest accepted limit
)

// pageToken is what a position encodes. The operation is kept so that a token is refused by
// another list, as a real service's tokens would be.
type pageToken struct {
	Op     string `json:"op"`
	Offset int    `json:"o"`
}

func encodePosition(op string, offset int) string {
	b, _ := json.Marshal(pageToken{Op: op, Offset: offset})
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodePosition(op, pos string) (int, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(pos)
	if err != nil {
		return 0, false
	}
	var t pageToken
	if err := json.Unmarshal(raw, &t); err != nil || t.Op != op || t.Offset < 0 {
		return 0, false
	}
	return t.Offset, true
}

// paged asks moto for the whole list and returns the page that limit and position select, so
// that paging code meets real pages.
func (s *Shim) paged(ctx context.Context, in *inbound) (*reply, error) {
	op := in.call.Operation
	q := in.r.URL.Query()
	size := defaultPageSize
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxLimit {
			return s.errorReply(&in.call, http.StatusBadRequest, "BadRequestException",
				"Invalid limit: must be between 1 and 500"), nil
		}
		size = n
	}
	s.mu.Lock()
	if s.maxPage > 0 {
		size = min(size, s.maxPage)
	}
	s.mu.Unlock()
	offset := 0
	if v := q.Get("position"); v != "" {
		var ok bool
		if offset, ok = decodePosition(op, v); !ok {
			return s.errorReply(&in.call, http.StatusBadRequest, "BadRequestException",
				"Invalid position parameter"), nil
		}
	}
	q.Del("limit")
	q.Del("position")

	rep, err := s.upstreamDo(ctx, in.r.Method, in.r.URL.EscapedPath(), q.Encode(), in.r.Header, in.body)
	if err != nil {
		return nil, err
	}
	if op == "GetBasePathMappings" {
		if rep, err = s.basePathMappingsReply(ctx, in, rep); err != nil {
			return nil, err
		}
	}
	if rep.status != http.StatusOK {
		return rep, nil
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(rep.body, &doc); err != nil {
		return rep, nil
	}
	var items []json.RawMessage
	if raw, ok := doc["item"]; ok {
		if err := json.Unmarshal(raw, &items); err != nil {
			return rep, nil
		}
	}
	// The one domain namespace of v1 and v2, see domains.go.
	switch op {
	case "GetDomainNames":
		if items, err = s.withV2Domains(ctx, in, items); err != nil {
			return nil, err
		}
	case "GetBasePathMappings":
		items = append(items, s.v1Mappings(in, in.call.Labels["domainName"])...)
	}
	offset = min(offset, len(items))
	end := min(offset+size, len(items))
	page := items[offset:end]
	if page == nil {
		page = []json.RawMessage{}
	}
	if op == "GetResources" && !wantsEmbed(q, "methods") {
		if page, err = withoutMethodBodies(page); err != nil {
			return nil, err
		}
	}
	doc["item"], _ = json.Marshal(page)
	delete(doc, "position")
	if end < len(items) {
		doc["position"], _ = json.Marshal(encodePosition(op, end))
	}
	body, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	rep.body = body
	return rep, nil
}

// withoutMethodBodies strips the method bodies of each resource of a GetResources page.
func withoutMethodBodies(items []json.RawMessage) ([]json.RawMessage, error) {
	out := make([]json.RawMessage, len(items))
	for i, item := range items {
		var res map[string]json.RawMessage
		if json.Unmarshal(item, &res) != nil || !stripMethodBodies(res) {
			out[i] = item
			continue
		}
		b, err := json.Marshal(res)
		if err != nil {
			return nil, err
		}
		out[i] = b
	}
	return out, nil
}

// emptyBasePathMappings works around moto answering 500 for a domain that never had a mapping,
// where AWS answers an empty list. It only does so when the domain exists, so that a real
// moto failure or a missing domain is not hidden.
func (s *Shim) emptyBasePathMappings(ctx context.Context, in *inbound, failed *reply) *reply {
	h := identityHeaders(in.r)
	path := "/domainnames/" + url.PathEscape(in.call.Labels["domainName"])
	rep, err := s.upstreamDo(ctx, http.MethodGet, path, "", h, nil)
	if err != nil || rep.status != http.StatusOK {
		return failed
	}
	hdr := http.Header{}
	hdr.Set("Content-Type", "application/json")
	if id := failed.header.Get("X-Amzn-Requestid"); id != "" {
		hdr.Set("X-Amzn-Requestid", id)
	}
	return &reply{status: http.StatusOK, header: hdr, body: []byte(`{"item":[]}`)}
}
