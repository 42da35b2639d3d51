package explain

import (
	"fmt"
	"slices"
	"strings"

	"github.com/apigw-drift/driftaudit/pkg/inventory"
)

// Decide replays API Gateway's decision for req against reg: the region of one account that the
// URL's default endpoint names, or that serves its custom domain. It reads nothing: a part it
// needs and reg does not hold makes the decision Undecided, and is in Wants unless its read
// already failed (then the explanation says why).
//
// The steps, in API Gateway's order: the custom domain and its base path mapping (the longest
// key that prefixes the path, multi-level keys included, else (none)), the API, the stage, the
// stage's deployment, the CORS preflight when the request is cross-origin and not simple, the
// route (against what the stage's deployment serves, never the working definition), then
// authorization (AWS_IAM, a Lambda or Cognito authorizer's identity sources) and the API key.
func Decide(reg *inventory.Region, req Request) Decision {
	x := &decider{reg: reg, req: req, d: Decision{URL: req.URL, Method: req.Method, AccountID: reg.Account, Region: reg.Name}}
	if req.Kind == DefaultEndpoint {
		return x.defaultEndpoint()
	}
	return x.customDomain()
}

// target is where the request goes inside an API: the stage and the path after it.
type target struct {
	stage string
	// fromPath: the stage name is the path's first segment (the default endpoint, or a base path
	// mapping that names no stage), not the mapping's.
	fromPath bool
	segs     []string
	// mapping is the base path mapping the request went through; nil on the default endpoint.
	mapping *inventory.BasePathMapping
	// prefix is the URL up to the stage: https://{host} and the base path, if any.
	prefix string
}

// url is the URL of path on stage, through the same endpoint as the request.
func (t target) url(stage string, segs []string) string {
	u := t.prefix
	if t.fromPath {
		u += "/" + stage
	}
	return u + "/" + strings.Join(segs, "/")
}

func (x *decider) defaultEndpoint() Decision {
	rest, v2, done := x.findAPI(x.req.APIID, "api")
	if done != nil {
		return *done
	}
	t := target{fromPath: true, prefix: "https://" + x.req.Host}
	if len(x.req.Segments) > 0 {
		t.stage, t.segs = x.req.Segments[0], x.req.Segments[1:]
	}
	switch {
	case rest != nil:
		return x.restAPI(rest, t)
	case v2 != nil:
		return x.httpAPI(v2, t)
	}
	for _, id := range x.apiIDs() {
		if nearName(id, x.req.APIID) {
			x.suggest("https://%s.execute-api.%s.amazonaws.com%s (API %s)", id, x.reg.Name, x.req.Path(), id)
		}
	}
	// What API Gateway answers an id that no API has is not documented (reports differ between
	// 403 Forbidden and 403 Missing Authentication Token): the status is left out.
	return x.reject("api", CauseNoSuchAPI, unknown,
		fmt.Sprintf("no REST, HTTP or WebSocket API has id %s in %s%s", x.req.APIID, x.reg.Name, x.ofAccount()),
		fmt.Sprintf("check the API id: aws apigateway get-rest-apis --query 'items[].[id,name]' --region %s", x.reg.Name))
}

func (x *decider) ofAccount() string {
	if x.reg.Account == "" {
		return ""
	}
	return " (account " + x.reg.Account + ")"
}

// findAPI finds the REST, HTTP or WebSocket API of id. It asks for the REST API list first and
// for the v2 list only when the id is not a REST API's. done is set when a list it needs is
// unread; neither API is set when the id is nobody's.
func (x *decider) findAPI(id, step string) (rest *inventory.API, v2 *inventory.V2API, done *Decision) {
	if slices.Contains(x.reg.Unread, inventory.OpGetRestApis) {
		d := x.unread(step, inventory.Part{Op: inventory.OpGetRestApis}, "the REST API list of "+x.reg.Name)
		return nil, nil, &d
	}
	for i := range x.reg.APIs {
		if x.reg.APIs[i].ID == id {
			return &x.reg.APIs[i], nil, nil
		}
	}
	if slices.Contains(x.reg.Unread, inventory.OpGetApis) {
		d := x.unread(step, inventory.Part{Op: inventory.OpGetApis}, "the HTTP and WebSocket API list of "+x.reg.Name)
		return nil, nil, &d
	}
	for i := range x.reg.V2APIs {
		if x.reg.V2APIs[i].ID == id {
			return nil, &x.reg.V2APIs[i], nil
		}
	}
	return nil, nil, nil
}

func (x *decider) apiIDs() []string {
	var ids []string
	for _, a := range x.reg.APIs {
		ids = append(ids, a.ID)
	}
	for _, a := range x.reg.V2APIs {
		ids = append(ids, a.ID)
	}
	return ids
}

func (x *decider) customDomain() Decision {
	host := x.req.Host
	if slices.Contains(x.reg.Unread, inventory.OpGetDomainNames) {
		return x.unread("domain", inventory.Part{Op: inventory.OpGetDomainNames}, "the custom domain names of "+x.reg.Name)
	}
	d := x.findDomain(host)
	if d == nil {
		return x.reject("domain", CauseNoSuchDomain, unknown,
			fmt.Sprintf("%s%s has no custom domain name %s: the request does not reach API Gateway there (DNS leads elsewhere, or the domain is set up in another region or account)", x.reg.Name, x.ofAccount(), host),
			"pass --region with the region the domain is set up in, or check where DNS for "+host+" points")
	}
	x.d.Domain = d.Name
	x.step("domain", true, "custom domain name %s%s", d.Name, endpointTypes(d.EndpointTypes))
	if d.MappingsUnread {
		op := inventory.OpGetApiMappings
		if d.Private() {
			op = inventory.OpGetBasePathMappings
		}
		return x.unread("mapping", inventory.Part{Op: op, Domain: d.Name}, "the API mappings of "+d.Name)
	}
	m, rest := matchMapping(d.Mappings, x.req.Segments)
	if m == nil {
		if d.RESTOnly() {
			return x.undecided("mapping", fmt.Sprintf("cannot decide: no base path mapping of %s matches %s, but its mappings were read with v1 GetBasePathMappings (v2 GetApiMappings was denied), which shows neither mappings to HTTP APIs nor multi-level ones", d.Name, x.req.Path()))
		}
		return x.noMapping(d)
	}
	x.d.BasePath = m.BasePath
	t := target{mapping: m, segs: rest, prefix: "https://" + host}
	if m.BasePath != "(none)" {
		t.prefix += "/" + m.BasePath
	}
	stageText := "stage " + quote(m.Stage)
	if m.Stage == "" {
		stageText = "no stage (the first path segment names it)"
	}
	x.step("mapping", true, "base path %s maps to API %s, %s", m.BasePath, m.APIID, stageText)
	restAPI, v2, done := x.findAPI(m.APIID, "api")
	if done != nil {
		return *done
	}
	if restAPI == nil && v2 == nil {
		return x.reject("api", CauseBasePathGap, unknown,
			fmt.Sprintf("base path %s of %s maps to API %s, which does not exist in %s (no REST, HTTP or WebSocket API has that id): the mapping leads nowhere", m.BasePath, d.Name, m.APIID, x.reg.Name),
			mappingFix(d, m, x.reg.Name))
	}
	t.stage = m.Stage
	if m.Stage == "" {
		t.fromPath = true
		t.stage = ""
		if len(rest) > 0 {
			t.stage, t.segs = rest[0], rest[1:]
		}
	}
	if restAPI != nil {
		return x.restAPI(restAPI, t)
	}
	return x.httpAPI(v2, t)
}

// findDomain finds the custom domain name serving host: its own, else a wildcard one
// (*.example.com serves a.example.com).
func (x *decider) findDomain(host string) *inventory.DomainName {
	wildcard := ""
	if _, parent, ok := strings.Cut(host, "."); ok {
		wildcard = "*." + parent
	}
	var found *inventory.DomainName
	for i := range x.reg.Domains {
		switch x.reg.Domains[i].Name {
		case host:
			return &x.reg.Domains[i]
		case wildcard:
			found = &x.reg.Domains[i]
		}
	}
	return found
}

// matchMapping picks the mapping whose key is the longest prefix of the path's segments, keys of
// several levels included (orders/v2), else the (none) mapping; it returns the segments after
// the key. Keys are compared case-sensitively, as paths are.
func matchMapping(mappings []inventory.BasePathMapping, segs []string) (*inventory.BasePathMapping, []string) {
	var best *inventory.BasePathMapping
	bestLen := -1
	for i := range mappings {
		m := &mappings[i]
		if m.BasePath == "(none)" || m.BasePath == "" {
			if bestLen < 0 {
				best, bestLen = m, 0
			}
			continue
		}
		key := strings.Split(strings.Trim(m.BasePath, "/"), "/")
		if len(key) > len(segs) || len(key) <= bestLen || !slices.Equal(key, segs[:len(key)]) {
			continue
		}
		best, bestLen = m, len(key)
	}
	if best == nil {
		return nil, nil
	}
	return best, segs[bestLen:]
}

func (x *decider) noMapping(d *inventory.DomainName) Decision {
	var keys []string
	for _, m := range d.Mappings {
		keys = append(keys, m.BasePath)
	}
	slices.Sort(keys)
	explanation := fmt.Sprintf("no base path mapping of %s matches %s", d.Name, x.req.Path())
	if len(keys) == 0 {
		explanation = fmt.Sprintf("custom domain name %s has no API mapping at all: every request to it is refused", d.Name)
	} else {
		explanation += " (its base paths: " + strings.Join(keys, ", ") + ")"
	}
	if len(x.req.Segments) > 0 {
		first := x.req.Segments[0]
		for _, k := range keys {
			if k != "(none)" && !strings.Contains(k, "/") && nearName(first, k) {
				x.suggest("https://%s/%s (base path %s)", d.Name, strings.Join(append([]string{k}, x.req.Segments[1:]...), "/"), k)
			}
		}
	}
	basePath := "BASE-PATH"
	if len(x.req.Segments) > 0 {
		basePath = x.req.Segments[0]
	}
	return x.reject("mapping", CauseNoBasePathMapping, forbidden, explanation,
		fmt.Sprintf("map the base path to an API's stage: aws apigatewayv2 create-api-mapping --domain-name %s --api-mapping-key %s --api-id API-ID --stage STAGE --region %s", d.Name, basePath, x.reg.Name))
}

// mappingFix repoints or removes a mapping that leads nowhere.
func mappingFix(d *inventory.DomainName, m *inventory.BasePathMapping, region string) string {
	if m.MappingID != "" {
		return fmt.Sprintf("point the mapping at an API and stage that exist: aws apigatewayv2 update-api-mapping --domain-name %s --api-mapping-id %s --api-id API-ID --stage STAGE --region %s (or delete it: aws apigatewayv2 delete-api-mapping --domain-name %s --api-mapping-id %s --region %s)",
			d.Name, m.MappingID, region, d.Name, m.MappingID, region)
	}
	return fmt.Sprintf("aws apigateway delete-base-path-mapping --domain-name %s --base-path %s --region %s, then map the base path to an API and stage that exist", d.Name, shellWord(m.BasePath), region)
}

// undecided ends the decision undecided for a reason other than an unread part.
func (x *decider) undecided(step, explanation string) Decision {
	x.step(step, false, "%s", explanation)
	x.d.Outcome, x.d.Cause, x.d.Explanation = Undecided, CauseCannotDecide, explanation
	return x.d
}

// endpointTypes names endpoint types after a name: ", EDGE".
func endpointTypes(types []string) string {
	if len(types) == 0 {
		return ""
	}
	return ", " + strings.Join(types, ", ")
}

func quote(s string) string { return fmt.Sprintf("%q", s) }

// shellWord quotes s for a POSIX shell when it needs it.
func shellWord(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:=,@", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
