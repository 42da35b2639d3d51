package awsemu

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// serveAPIGatewayV2 fills moto's API Gateway v2 gaps: deployments and ExportApi (moto has
// neither), UpdateStage (moto answers 500), the deployment a stage points to, paging of every list,
// and the one custom domain namespace that v1 and v2 share in AWS (domains.go).
func (s *Shim) serveAPIGatewayV2(ctx context.Context, in *inbound) (*reply, error) {
	switch op := in.call.Operation; op {
	case "CreateDeployment":
		return s.createDeploymentV2(ctx, in)
	case "GetDeployments":
		return s.getDeploymentsV2(ctx, in)
	case "GetDeployment", "UpdateDeployment", "DeleteDeployment":
		return s.deploymentV2(ctx, in)
	case "ExportApi":
		return s.exportAPI(ctx, in)
	case "CreateStage":
		return s.createStageV2(ctx, in)
	case "GetStage":
		return s.getStageV2(ctx, in)
	case "GetStages":
		return s.getStagesV2(ctx, in)
	case "UpdateStage":
		return s.updateStageV2(ctx, in)
	case "DeleteStage":
		return s.deleteStageV2(ctx, in)
	case "DeleteApi":
		return s.deleteAPIV2(ctx, in)
	case "CreateDomainName", "DeleteDomainName":
		return s.domainWrite(ctx, in)
	case "GetDomainName":
		return s.getDomainNameV2(ctx, in)
	case "GetDomainNames":
		return s.getDomainNamesV2(ctx, in)
	case "CreateApiMapping":
		return s.createAPIMapping(ctx, in)
	case "GetApiMappings":
		return s.getAPIMappings(ctx, in)
	case "GetApiMapping", "DeleteApiMapping":
		return s.apiMapping(ctx, in)
	default:
		if pagedV2Ops[op] {
			return s.pagedV2(ctx, in)
		}
	}
	return s.forward(ctx, in)
}

// apiKey names an API across accounts and regions.
type apiKey struct{ account, region, apiID string }

// v2Stage is what the shim keeps of a v2 stage beside moto's: the deployment it points to and
// the settings of UpdateStage, which moto does not implement.
type v2Stage struct {
	deploymentID string
	overrides    map[string]json.RawMessage
	updated      time.Time
}

// statusKey names a stage for SetLastDeploymentStatusMessage, in every account.
type statusKey struct{ region, apiID, stage string }

// v2Deployment is a deployment of an HTTP or WebSocket API, which only the shim keeps: the
// definition it froze and the Deployment fields AWS answers.
type v2Deployment struct {
	id          string
	description string
	created     time.Time
	definition  *apiDefinition
}

func (d *v2Deployment) shape() map[string]any {
	m := map[string]any{
		"deploymentId":     d.id,
		"deploymentStatus": "DEPLOYED",
		"createdDate":      isoTime(d.created),
		"autoDeployed":     false,
	}
	if d.description != "" {
		m["description"] = d.description
	}
	return m
}

// SetLastDeploymentStatusMessage makes GetStage and GetStages of an API Gateway v2 stage carry
// lastDeploymentStatusMessage, as AWS reports the outcome of an automatic deployment: the shim
// deploys nothing by itself, so a test of the auditor's reading of a failed auto-deployment sets
// the message here. It applies in every account of the region; an empty msg removes it, and so
// does deleting the stage or the API.
func (s *Shim) SetLastDeploymentStatusMessage(region, apiID, stage, msg string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := statusKey{region, apiID, stage}
	if msg == "" {
		delete(s.v2status, k)
		return
	}
	s.v2status[k] = msg
}

// base36 renders the first n bytes of a digest as lowercase letters and digits.
func base36(sum [32]byte, n int) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	id := make([]byte, n)
	for i := range id {
		id[i] = alphabet[int(sum[i%len(sum)])%len(alphabet)]
	}
	return string(id)
}

func isoTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// newID makes an id of n lowercase letters and digits, like AWS's. It is derived from a sequence,
// so a test run makes the same ids every time.
func (s *Shim) newID(n int) string {
	s.mu.Lock()
	s.idSeq++
	seq := s.idSeq
	s.mu.Unlock()
	return base36(sha256.Sum256([]byte("awsemu-id-"+strconv.Itoa(seq))), n)
}

// side sends a request of the shim's own to moto, in the account and region of the client's
// request it serves. It is not logged, counted, throttled or faulted: it is not a client call.
func (s *Shim) side(ctx context.Context, in *inbound, method, path, rawQuery string, body any) (*reply, error) {
	h := identityHeaders(in.r)
	var b []byte
	if body != nil {
		var err error
		if b, err = json.Marshal(body); err != nil {
			return nil, err
		}
		h.Set("Content-Type", "application/json")
	}
	return s.upstreamDo(ctx, method, path, rawQuery, h, b)
}

// jsonReply is an answer the shim makes up, in API Gateway's REST JSON.
func (s *Shim) jsonReply(status int, v any) (*reply, error) {
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("X-Amzn-Requestid", s.nextRequestID())
	var body []byte
	if v != nil {
		var err error
		if body, err = json.Marshal(v); err != nil {
			return nil, err
		}
	}
	return &reply{status: status, header: h, body: body}, nil
}

func (s *Shim) notFound(in *inbound, msg string) *reply {
	return s.errorReply(&in.call, http.StatusNotFound, "NotFoundException", msg)
}

func (s *Shim) badRequest(in *inbound, msg string) *reply {
	return s.errorReply(&in.call, http.StatusBadRequest, "BadRequestException", msg)
}

func (s *Shim) conflict(in *inbound, msg string) *reply {
	return s.errorReply(&in.call, http.StatusConflict, "ConflictException", msg)
}

func apiPath(apiID string) string { return "/v2/apis/" + url.PathEscape(apiID) }

func stagePath(apiID, stage string) string {
	return apiPath(apiID) + "/stages/" + url.PathEscape(stage)
}

// decodeObject reads a JSON object answer; a nil map means the body was not one.
func decodeObject(body []byte) map[string]json.RawMessage {
	var m map[string]json.RawMessage
	if json.Unmarshal(body, &m) != nil {
		return nil
	}
	return m
}

func stringField(m map[string]json.RawMessage, k string) string {
	var v string
	_ = json.Unmarshal(m[k], &v)
	return v
}

// ---- paging ----

// pagedV2Ops are the v2 list operations the shim pages and moto answers all at once; GetStages,
// GetDeployments, GetDomainNames and GetApiMappings are paged by their own handlers.
var pagedV2Ops = map[string]bool{
	"GetApis":                 true,
	"GetAuthorizers":          true,
	"GetIntegrations":         true,
	"GetIntegrationResponses": true,
	"GetModels":               true,
	"GetRoutes":               true,
	"GetRouteResponses":       true,
	"GetVpcLinks":             true,
}

// v2Page is what maxResults and nextToken select. AWS documents neither a default nor a largest
// maxResults for v2 lists: the shim takes v1's (25 and 500), and a larger maxResults is cut to 500
// rather than refused, so a client that follows nextToken works either way and one that does
// not is caught.
type v2Page struct{ size, offset int }

func (s *Shim) v2PageOf(in *inbound) (v2Page, *reply) {
	q := in.r.URL.Query()
	p := v2Page{size: defaultPageSize}
	if v := q.Get("maxResults"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return p, s.badRequest(in, "Invalid maxResults: must be a positive integer")
		}
		p.size = min(n, maxLimit)
	}
	s.mu.Lock()
	if s.maxPage > 0 {
		p.size = min(p.size, s.maxPage)
	}
	s.mu.Unlock()
	if v := q.Get("nextToken"); v != "" {
		var ok bool
		if p.offset, ok = decodePosition(v2TokenOp(in), v); !ok {
			return p, s.badRequest(in, "Invalid nextToken")
		}
	}
	return p, nil
}

// v2TokenOp is the operation a v2 token is bound to; the prefix keeps a v1 GetDeployments
// position from passing for a v2 GetDeployments token.
func v2TokenOp(in *inbound) string { return "v2:" + in.call.Operation }

// pageV2 answers one page of items in the v2 list shape, {"items": [...], "nextToken": "..."}.
func (s *Shim) pageV2(in *inbound, p v2Page, items []json.RawMessage) (*reply, error) {
	offset := min(p.offset, len(items))
	end := min(offset+p.size, len(items))
	doc := map[string]any{"items": append([]json.RawMessage{}, items[offset:end]...)}
	if end < len(items) {
		doc["nextToken"] = encodePosition(v2TokenOp(in), end)
	}
	return s.jsonReply(http.StatusOK, doc)
}

// listV2 reads a whole v2 list from moto, without the client's paging parameters. A nil list with
// a reply is moto's refusal, to pass on.
func (s *Shim) listV2(ctx context.Context, in *inbound) ([]json.RawMessage, *reply, error) {
	q := in.r.URL.Query()
	q.Del("maxResults")
	q.Del("nextToken")
	rep, err := s.upstreamDo(ctx, http.MethodGet, in.r.URL.EscapedPath(), q.Encode(), in.r.Header, nil)
	if err != nil {
		return nil, nil, err
	}
	if rep.status != http.StatusOK {
		return nil, rep, nil
	}
	items, err := itemsOf(rep.body, "items")
	if err != nil {
		return nil, rep, nil
	}
	return items, nil, nil
}

// itemsOf reads the list under key (items in v2, item in v1); a missing key is an empty list.
func itemsOf(body []byte, key string) ([]json.RawMessage, error) {
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, err
	}
	var items []json.RawMessage
	if raw, ok := doc[key]; ok && string(raw) != "null" {
		if err := json.Unmarshal(raw, &items); err != nil {
			return nil, err
		}
	}
	return items, nil
}

func (s *Shim) pagedV2(ctx context.Context, in *inbound) (*reply, error) {
	return s.pagedV2With(ctx, in, nil)
}

// pagedV2With asks moto for the whole list, lets edit change it (nil: no change; a reply it
// returns is the answer), and returns the page the request selects.
func (s *Shim) pagedV2With(ctx context.Context, in *inbound, edit func([]json.RawMessage) ([]json.RawMessage, *reply, error)) (*reply, error) {
	p, bad := s.v2PageOf(in)
	if bad != nil {
		return bad, nil
	}
	items, rep, err := s.listV2(ctx, in)
	if items == nil && (err != nil || rep != nil) {
		return rep, err
	}
	if edit != nil {
		if items, rep, err = edit(items); rep != nil || err != nil {
			return rep, err
		}
	}
	return s.pageV2(in, p, items)
}

// ---- stages ----

func (s *Shim) stageKeyOf(in *inbound, stage string) stageKey {
	return stageKey{in.call.Account, in.call.Region, in.call.apiID(), stage}
}

// decorateStage adds to one of moto's v2 stages what the shim keeps: UpdateStage's settings, the
// deployment, lastUpdatedDate after an update, and a status message a test set.
func (s *Shim) decorateStage(in *inbound, raw json.RawMessage) json.RawMessage {
	st := decodeObject(raw)
	if st == nil {
		return raw
	}
	name := stringField(st, "stageName")
	s.mu.Lock()
	rec := s.v2stages[s.stageKeyOf(in, name)]
	msg := s.v2status[statusKey{in.call.Region, in.call.apiID(), name}]
	if rec != nil {
		for k, v := range rec.overrides {
			st[k] = v
		}
		if rec.deploymentID != "" {
			st["deploymentId"], _ = json.Marshal(rec.deploymentID)
		}
		if !rec.updated.IsZero() {
			st["lastUpdatedDate"], _ = json.Marshal(isoTime(rec.updated))
		}
	}
	s.mu.Unlock()
	if msg != "" {
		st["lastDeploymentStatusMessage"], _ = json.Marshal(msg)
	}
	out, err := json.Marshal(st)
	if err != nil {
		return raw
	}
	return out
}

// readStage reads a decorated stage as the client would see it; a nil map comes with moto's
// refusal.
func (s *Shim) readStage(ctx context.Context, in *inbound, stage string) (map[string]json.RawMessage, *reply, error) {
	rep, err := s.side(ctx, in, http.MethodGet, stagePath(in.call.apiID(), stage), "", nil)
	if err != nil || rep.status != http.StatusOK {
		return nil, rep, err
	}
	st := decodeObject(s.decorateStage(in, rep.body))
	if st == nil {
		return nil, rep, nil
	}
	return st, nil, nil
}

func (s *Shim) getStageV2(ctx context.Context, in *inbound) (*reply, error) {
	rep, err := s.forward(ctx, in)
	if err != nil || rep.status != http.StatusOK {
		return rep, err
	}
	rep.body = s.decorateStage(in, rep.body)
	return rep, nil
}

func (s *Shim) getStagesV2(ctx context.Context, in *inbound) (*reply, error) {
	return s.pagedV2With(ctx, in, func(items []json.RawMessage) ([]json.RawMessage, *reply, error) {
		for i, st := range items {
			items[i] = s.decorateStage(in, st)
		}
		return items, nil, nil
	})
}

// deploymentExists tells whether the shim holds a deployment of the request's API.
func (s *Shim) deploymentExists(in *inbound, id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, d := range s.v2deployments[apiKey{in.call.Account, in.call.Region, in.call.apiID()}] {
		if d.id == id {
			return true
		}
	}
	return false
}

const deploymentNotFound = "Invalid Deployment identifier specified"

// createStageV2 refuses a stage that exists (moto would replace it) and a deployment the shim
// does not know, then keeps the deploymentId that moto drops.
func (s *Shim) createStageV2(ctx context.Context, in *inbound) (*reply, error) {
	var body struct {
		StageName    string `json:"stageName"`
		DeploymentID string `json:"deploymentId"`
	}
	if json.Unmarshal(in.body, &body) != nil || body.StageName == "" {
		return s.forward(ctx, in)
	}
	existing, err := s.side(ctx, in, http.MethodGet, stagePath(in.call.apiID(), body.StageName), "", nil)
	if err != nil {
		return nil, err
	}
	if existing.status == http.StatusOK {
		return s.conflict(in, "Stage already exists"), nil
	}
	if body.DeploymentID != "" && !s.deploymentExists(in, body.DeploymentID) {
		return s.notFound(in, deploymentNotFound), nil
	}
	rep, err := s.forward(ctx, in)
	if err != nil || rep.status/100 != 2 {
		return rep, err
	}
	key := s.stageKeyOf(in, body.StageName)
	s.mu.Lock()
	delete(s.v2stages, key)
	if body.DeploymentID != "" {
		s.v2stages[key] = &v2Stage{deploymentID: body.DeploymentID}
	}
	s.mu.Unlock()
	rep.body = s.decorateStage(in, rep.body)
	return rep, nil
}

// stageSettings are the members of UpdateStage's request, which the shim applies over moto's stage.
var stageSettings = map[string]bool{
	"accessLogSettings": true, "autoDeploy": true, "clientCertificateId": true,
	"defaultRouteSettings": true, "deploymentId": true, "description": true,
	"routeSettings": true, "stageVariables": true,
}

// updateStageV2 implements UpdateStage, which moto lacks (it answers 500): each member sent
// replaces the stage's, a deploymentId must name a deployment of the API, and the answer is the
// updated stage.
func (s *Shim) updateStageV2(ctx context.Context, in *inbound) (*reply, error) {
	stage := in.call.Labels["stageName"]
	rep, err := s.side(ctx, in, http.MethodGet, stagePath(in.call.apiID(), stage), "", nil)
	if err != nil || rep.status != http.StatusOK {
		return rep, err
	}
	patch := decodeObject(in.body)
	if patch == nil && len(in.body) > 0 {
		return s.badRequest(in, "Invalid request body"), nil
	}
	var depID string
	if raw, ok := patch["deploymentId"]; ok {
		if json.Unmarshal(raw, &depID) != nil || !s.deploymentExists(in, depID) {
			return s.notFound(in, deploymentNotFound), nil
		}
	}
	key := s.stageKeyOf(in, stage)
	s.mu.Lock()
	rec := s.v2stages[key]
	if rec == nil {
		rec = &v2Stage{}
		s.v2stages[key] = rec
	}
	for k, v := range patch {
		switch {
		case k == "deploymentId":
			rec.deploymentID = depID
		case stageSettings[k]:
			if rec.overrides == nil {
				rec.overrides = map[string]json.RawMessage{}
			}
			rec.overrides[k] = v
		}
	}
	rec.updated = time.Now()
	s.mu.Unlock()
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("X-Amzn-Requestid", s.nextRequestID())
	return &reply{status: http.StatusOK, header: h, body: s.decorateStage(in, rep.body)}, nil
}

func (s *Shim) deleteStageV2(ctx context.Context, in *inbound) (*reply, error) {
	rep, err := s.forward(ctx, in)
	if err != nil || rep.status/100 != 2 {
		return rep, err
	}
	stage := in.call.Labels["stageName"]
	s.mu.Lock()
	delete(s.v2stages, s.stageKeyOf(in, stage))
	delete(s.v2status, statusKey{in.call.Region, in.call.apiID(), stage})
	s.mu.Unlock()
	return rep, nil
}

// deleteAPIV2 forgets the API's deployments and stages with it. API mappings to it are kept, as
// AWS keeps them: they dangle.
func (s *Shim) deleteAPIV2(ctx context.Context, in *inbound) (*reply, error) {
	rep, err := s.forward(ctx, in)
	if err != nil || rep.status/100 != 2 {
		return rep, err
	}
	p, r, id := in.call.Account, in.call.Region, in.call.apiID()
	s.mu.Lock()
	delete(s.v2deployments, apiKey{p, r, id})
	for k := range s.v2stages {
		if k.account == p && k.region == r && k.apiID == id {
			delete(s.v2stages, k)
		}
	}
	for k := range s.v2status {
		if k.region == r && k.apiID == id {
			delete(s.v2status, k)
		}
	}
	s.mu.Unlock()
	return rep, nil
}

// ---- deployments ----

// noRoutes is what AWS answers a deployment of an API without routes, as its console reports it;
// the API reference does not document the message.
const noRoutes = "Unable to deploy API because no routes exist in this API"

// createDeploymentV2 freezes the API's routes, integrations and the authorizers the routes use,
// which is what a stage that points to the deployment serves and exports, and points the stage
// named in the request at it.
func (s *Shim) createDeploymentV2(ctx context.Context, in *inbound) (*reply, error) {
	var body struct {
		Description string `json:"description"`
		StageName   string `json:"stageName"`
	}
	if len(in.body) > 0 && json.Unmarshal(in.body, &body) != nil {
		return s.badRequest(in, "Invalid request body"), nil
	}
	apiID := in.call.apiID()
	rep, err := s.side(ctx, in, http.MethodGet, apiPath(apiID), "", nil)
	if err != nil || rep.status != http.StatusOK {
		return rep, err
	}
	if body.StageName != "" {
		rep, err := s.side(ctx, in, http.MethodGet, stagePath(apiID, body.StageName), "", nil)
		if err != nil || rep.status != http.StatusOK {
			return rep, err
		}
	}
	def, rep, err := s.readDefinition(ctx, in)
	if def == nil {
		return rep, err
	}
	if len(def.Routes) == 0 {
		return s.badRequest(in, noRoutes), nil
	}
	d := &v2Deployment{id: s.newID(6), description: body.Description, created: time.Now(), definition: def}
	shape := d.shape()
	key := apiKey{in.call.Account, in.call.Region, apiID}
	s.mu.Lock()
	s.v2deployments[key] = append(s.v2deployments[key], d)
	if body.StageName != "" {
		sk := s.stageKeyOf(in, body.StageName)
		if s.v2stages[sk] == nil {
			s.v2stages[sk] = &v2Stage{}
		}
		s.v2stages[sk].deploymentID = d.id
	}
	s.mu.Unlock()
	return s.jsonReply(http.StatusCreated, shape)
}

// apiExists answers moto's refusal when the request's API does not exist, and nil when it does.
func (s *Shim) apiExists(ctx context.Context, in *inbound) (*reply, error) {
	rep, err := s.side(ctx, in, http.MethodGet, apiPath(in.call.apiID()), "", nil)
	if err != nil {
		return nil, err
	}
	if rep.status != http.StatusOK {
		return rep, nil
	}
	return nil, nil
}

func (s *Shim) getDeploymentsV2(ctx context.Context, in *inbound) (*reply, error) {
	p, bad := s.v2PageOf(in)
	if bad != nil {
		return bad, nil
	}
	if rep, err := s.apiExists(ctx, in); rep != nil || err != nil {
		return rep, err
	}
	s.mu.Lock()
	deps := s.v2deployments[apiKey{in.call.Account, in.call.Region, in.call.apiID()}]
	items := make([]json.RawMessage, 0, len(deps))
	for _, d := range deps {
		b, _ := json.Marshal(d.shape())
		items = append(items, b)
	}
	s.mu.Unlock()
	return s.pageV2(in, p, items)
}

// deploymentV2 answers GetDeployment, UpdateDeployment (its description) and DeleteDeployment.
// DeleteDeployment is allowed while a stage points to the deployment: AWS refuses that for REST
// APIs ("Active stages pointing to this deployment must be moved or deleted") but documents no
// such rule for v2, and a stage whose deployment is gone is a state the auditor must meet.
func (s *Shim) deploymentV2(ctx context.Context, in *inbound) (*reply, error) {
	if rep, err := s.apiExists(ctx, in); rep != nil || err != nil {
		return rep, err
	}
	var desc *string
	if in.call.Operation == "UpdateDeployment" {
		var body struct {
			Description *string `json:"description"`
		}
		if len(in.body) > 0 && json.Unmarshal(in.body, &body) != nil {
			return s.badRequest(in, "Invalid request body"), nil
		}
		desc = body.Description
	}
	key := apiKey{in.call.Account, in.call.Region, in.call.apiID()}
	id := in.call.Labels["deploymentId"]
	s.mu.Lock()
	var found map[string]any
	deps := s.v2deployments[key]
	for i, d := range deps {
		if d.id != id {
			continue
		}
		switch in.call.Operation {
		case "DeleteDeployment":
			s.v2deployments[key] = append(deps[:i:i], deps[i+1:]...)
		case "UpdateDeployment":
			if desc != nil {
				d.description = *desc
			}
		}
		found = d.shape()
		break
	}
	s.mu.Unlock()
	switch {
	case found == nil:
		return s.notFound(in, deploymentNotFound), nil
	case in.call.Operation == "DeleteDeployment":
		return s.jsonReply(http.StatusNoContent, nil)
	}
	return s.jsonReply(http.StatusOK, found)
}

// findDeployment returns a deployment of the request's API, or nil.
func (s *Shim) findDeployment(in *inbound, id string) *v2Deployment {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, d := range s.v2deployments[apiKey{in.call.Account, in.call.Region, in.call.apiID()}] {
		if d.id == id {
			return d
		}
	}
	return nil
}

// ---- the definition a deployment freezes and an export shows ----

type v2Route struct {
	RouteID             string   `json:"routeId"`
	RouteKey            string   `json:"routeKey"`
	AuthorizationType   string   `json:"authorizationType"`
	AuthorizerID        string   `json:"authorizerId"`
	AuthorizationScopes []string `json:"authorizationScopes"`
	APIKeyRequired      bool     `json:"apiKeyRequired"`
	Target              string   `json:"target"`
}

type v2Integration struct {
	IntegrationID        string            `json:"integrationId"`
	IntegrationType      string            `json:"integrationType"`
	IntegrationSubtype   string            `json:"integrationSubtype"`
	IntegrationMethod    string            `json:"integrationMethod"`
	IntegrationURI       string            `json:"integrationUri"`
	PayloadFormatVersion string            `json:"payloadFormatVersion"`
	ConnectionType       string            `json:"connectionType"`
	ConnectionID         string            `json:"connectionId"`
	CredentialsArn       string            `json:"credentialsArn"`
	TimeoutInMillis      int               `json:"timeoutInMillis"`
	RequestParameters    map[string]string `json:"requestParameters"`
	TLSConfig            json.RawMessage   `json:"tlsConfig"`
}

type v2Authorizer struct {
	AuthorizerID                   string          `json:"authorizerId"`
	Name                           string          `json:"name"`
	AuthorizerType                 string          `json:"authorizerType"`
	IdentitySource                 []string        `json:"identitySource"`
	JWTConfiguration               json.RawMessage `json:"jwtConfiguration"`
	AuthorizerURI                  string          `json:"authorizerUri"`
	AuthorizerCredentialsArn       string          `json:"authorizerCredentialsArn"`
	AuthorizerPayloadFormatVersion string          `json:"authorizerPayloadFormatVersion"`
	AuthorizerResultTTLInSeconds   *int            `json:"authorizerResultTtlInSeconds"`
	EnableSimpleResponses          *bool           `json:"enableSimpleResponses"`
}

// apiDefinition is an API's routes with their integrations and authorizers.
type apiDefinition struct {
	Routes       []v2Route
	Integrations map[string]v2Integration
	Authorizers  map[string]v2Authorizer
}

// readDefinition reads the request's API's current definition from moto. moto has no
// GetAuthorizers, so the authorizers are read one by one from the routes that name them; an
// authorizer no route uses is not part of the definition.
func (s *Shim) readDefinition(ctx context.Context, in *inbound) (*apiDefinition, *reply, error) {
	apiID := in.call.apiID()
	def := &apiDefinition{Integrations: map[string]v2Integration{}, Authorizers: map[string]v2Authorizer{}}
	rep, err := s.side(ctx, in, http.MethodGet, apiPath(apiID)+"/routes", "", nil)
	if err != nil || rep.status != http.StatusOK {
		return nil, rep, err
	}
	var routes struct{ Items []v2Route }
	if err := json.Unmarshal(rep.body, &routes); err != nil {
		return nil, nil, fmt.Errorf("decoding routes of API %s: %w", apiID, err)
	}
	def.Routes = routes.Items
	rep, err = s.side(ctx, in, http.MethodGet, apiPath(apiID)+"/integrations", "", nil)
	if err != nil || rep.status != http.StatusOK {
		return nil, rep, err
	}
	var integrations struct{ Items []v2Integration }
	if err := json.Unmarshal(rep.body, &integrations); err != nil {
		return nil, nil, fmt.Errorf("decoding integrations of API %s: %w", apiID, err)
	}
	for _, it := range integrations.Items {
		def.Integrations[it.IntegrationID] = it
	}
	for _, rt := range def.Routes {
		if rt.AuthorizerID == "" {
			continue
		}
		if _, ok := def.Authorizers[rt.AuthorizerID]; ok {
			continue
		}
		rep, err := s.side(ctx, in, http.MethodGet, apiPath(apiID)+"/authorizers/"+url.PathEscape(rt.AuthorizerID), "", nil)
		if err != nil {
			return nil, nil, err
		}
		if rep.status != http.StatusOK {
			continue // a route may name an authorizer that is gone
		}
		var a v2Authorizer
		if err := json.Unmarshal(rep.body, &a); err != nil {
			return nil, nil, fmt.Errorf("decoding authorizer %s of API %s: %w", rt.AuthorizerID, apiID, err)
		}
		def.Authorizers[a.AuthorizerID] = a
	}
	return def, nil, nil
}
