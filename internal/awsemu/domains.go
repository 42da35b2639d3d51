package awsemu

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
)

// In AWS a custom domain name is one object, whichever API made it: v1 GetDomainNames lists the
// domains made with v2 CreateDomainName and the other way round, and a domain's API mappings are
// its base path mappings. moto keeps two backends that know nothing of each other, refuses v2
// API mappings to REST APIs, and checks no stage. This file makes the two answer as one:
//
//   - a domain lives in the moto backend of the API that made it; reads through the other API
//     convert it to that API's shape, and both create calls refuse a name either backend holds;
//   - a v1 domain's base path mappings are its API mappings in v2 (ApiMappingKey "" for the base
//     path "(none)", and an apiMappingId derived from the base path);
//   - an API mapping moto cannot hold (to a REST API, or on a v1 domain, or made through v1 on a
//     v2 domain) is kept by the shim, per account, region and domain, and merged into both APIs'
//     answers;
//   - mappings outlive the stages and APIs they point to, as in AWS: they dangle.

// domainKey names a custom domain across accounts and regions.
type domainKey struct{ account, region, domain string }

func (s *Shim) domainKeyOf(in *inbound, domain string) domainKey {
	return domainKey{in.call.Account, in.call.Region, domain}
}

// apiMapping is a mapping the shim keeps because moto cannot.
type apiMapping struct {
	id, apiID, key, stage string
	rest                  bool // the API is a REST API
}

func (m apiMapping) v2Shape() map[string]any {
	return map[string]any{"apiId": m.apiID, "apiMappingId": m.id, "apiMappingKey": m.key, "stage": m.stage}
}

func (m apiMapping) v1Shape() map[string]any {
	out := map[string]any{"basePath": basePathOf(m.key), "restApiId": m.apiID}
	if m.stage != "" {
		out["stage"] = m.stage
	}
	return out
}

// v1Visible tells whether AWS's v1 API shows the mapping as a base path mapping. The v1 API
// reference describes a BasePathMapping as a restApiId, a stage and a basePath, and the developer
// guide says that a mapping of several levels must be made with the v2 API (v1 refuses a slash in
// a base path). That v1 does not show those either, nor mappings to HTTP or WebSocket APIs, which
// a restApiId cannot name, is what the v1 documentation implies rather than states: v1
// GetBasePathMappings shows the mappings to REST APIs whose key has no slash, and nothing else.
func (m apiMapping) v1Visible() bool { return m.rest && !strings.Contains(m.key, "/") }

// basePathOf is the v1 base path of a v2 mapping key, and keyOf the reverse.
func basePathOf(key string) string {
	if key == "" {
		return "(none)"
	}
	return key
}

func keyOf(basePath string) string {
	if basePath == "(none)" {
		return ""
	}
	return basePath
}

// v1MappingID is the apiMappingId under which v2 shows a v1 base path mapping. It is derived from
// the domain and base path, so it is the same in every answer; AWS would give a mapping
// recreated on the same base path a new id, which the shim does not.
func v1MappingID(domain, basePath string) string {
	return base36(sha256.Sum256([]byte("basepath\x00"+domain+"\x00"+basePath)), 10)
}

type domainSide int

const (
	noDomain domainSide = iota
	v1Domain            // made with v1 CreateDomainName: moto's apigateway backend holds it
	v2Domain            // made with v2 CreateDomainName: moto's apigatewayv2 backend holds it
)

// domainOf tells which moto backend holds a domain, and returns it as that backend answers it.
func (s *Shim) domainOf(ctx context.Context, in *inbound, name string) (domainSide, map[string]json.RawMessage, error) {
	if name == "" {
		return noDomain, nil, nil
	}
	rep, err := s.side(ctx, in, http.MethodGet, "/v2/domainnames/"+url.PathEscape(name), "", nil)
	if err != nil {
		return noDomain, nil, err
	}
	if rep.status == http.StatusOK {
		return v2Domain, decodeObject(rep.body), nil
	}
	rep, err = s.side(ctx, in, http.MethodGet, "/domainnames/"+url.PathEscape(name), "", nil)
	if err != nil {
		return noDomain, nil, err
	}
	if rep.status == http.StatusOK {
		return v1Domain, decodeObject(rep.body), nil
	}
	return noDomain, nil, nil
}

func partitionOf(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	}
	return "aws"
}

// v1DomainToV2 shows a domain made with v1 in the v2 DomainName shape: one configuration per
// endpoint type, with the certificate, target domain name and hosted zone of that type, each
// field only when the v1 domain has it. PRIVATE endpoints have no v2 form and are left out.
func v1DomainToV2(d map[string]json.RawMessage, region string) map[string]any {
	var v1 struct {
		DomainName               string
		CertificateArn           string
		CertificateName          string
		CertificateUploadDate    *float64
		RegionalCertificateArn   string
		RegionalCertificateName  string
		DistributionDomainName   string
		DistributionHostedZoneID string `json:"distributionHostedZoneId"`
		RegionalDomainName       string
		RegionalHostedZoneID     string `json:"regionalHostedZoneId"`
		DomainNameStatus         string
		DomainNameStatusMessage  string
		SecurityPolicy           string
		EndpointConfiguration    struct{ Types []string }
		Tags                     map[string]string
		MutualTLSAuthentication  json.RawMessage `json:"mutualTlsAuthentication"`
	}
	raw, _ := json.Marshal(d)
	_ = json.Unmarshal(raw, &v1)
	types := v1.EndpointConfiguration.Types
	if len(types) == 0 {
		types = []string{"EDGE"} // v1's default endpoint type
	}
	configs := []map[string]any{}
	for _, t := range types {
		c := map[string]any{"endpointType": t, "domainNameStatus": "AVAILABLE"}
		put := func(k, v string) {
			if v != "" {
				c[k] = v
			}
		}
		switch t {
		case "EDGE":
			put("apiGatewayDomainName", v1.DistributionDomainName)
			put("hostedZoneId", v1.DistributionHostedZoneID)
			put("certificateArn", v1.CertificateArn)
			put("certificateName", v1.CertificateName)
		case "REGIONAL":
			put("apiGatewayDomainName", v1.RegionalDomainName)
			put("hostedZoneId", v1.RegionalHostedZoneID)
			put("certificateArn", v1.RegionalCertificateArn)
			put("certificateName", v1.RegionalCertificateName)
		default:
			continue
		}
		put("domainNameStatus", v1.DomainNameStatus)
		put("domainNameStatusMessage", v1.DomainNameStatusMessage)
		put("securityPolicy", v1.SecurityPolicy)
		if v1.CertificateUploadDate != nil {
			c["certificateUploadDate"] = isoTime(time.Unix(int64(*v1.CertificateUploadDate), 0))
		}
		configs = append(configs, c)
	}
	out := map[string]any{
		"domainName":                    v1.DomainName,
		"domainNameArn":                 "arn:" + partitionOf(region) + ":apigateway:" + region + "::/domainnames/" + v1.DomainName,
		"apiMappingSelectionExpression": "$request.basepath",
		"domainNameConfigurations":      configs,
	}
	if len(v1.Tags) > 0 {
		out["tags"] = v1.Tags
	}
	if len(v1.MutualTLSAuthentication) > 0 && string(v1.MutualTLSAuthentication) != "null" {
		out["mutualTlsAuthentication"] = v1.MutualTLSAuthentication
	}
	return out
}

// v2Configs reads the domain name configurations of a v2 domain.
type v2Config struct {
	APIGatewayDomainName    string `json:"apiGatewayDomainName"`
	CertificateArn          string
	CertificateName         string
	CertificateUploadDate   string
	DomainNameStatus        string
	DomainNameStatusMessage string
	EndpointType            string
	HostedZoneID            string `json:"hostedZoneId"`
	SecurityPolicy          string
}

func v2Configs(d map[string]json.RawMessage) []v2Config {
	var configs []v2Config
	_ = json.Unmarshal(d["domainNameConfigurations"], &configs)
	return configs
}

// v2DomainToV1 shows a domain made with v2 in the v1 DomainName shape: endpointConfiguration.types
// from the configurations' endpoint types (REGIONAL when one names none, v2's default), and the
// certificate, target domain name and hosted zone under v1's regional or distribution names.
func v2DomainToV1(d map[string]json.RawMessage) map[string]any {
	out := map[string]any{"domainName": stringField(d, "domainName")}
	put := func(k, v string) {
		if v != "" {
			out[k] = v
		}
	}
	types := []string{}
	for _, c := range v2Configs(d) {
		t := c.EndpointType
		if t == "" {
			t = "REGIONAL"
		}
		types = append(types, t)
		if t == "EDGE" {
			put("distributionDomainName", c.APIGatewayDomainName)
			put("distributionHostedZoneId", c.HostedZoneID)
			put("certificateArn", c.CertificateArn)
			put("certificateName", c.CertificateName)
			if ts, err := time.Parse(time.RFC3339, c.CertificateUploadDate); err == nil {
				out["certificateUploadDate"] = ts.Unix()
			}
		} else {
			put("regionalDomainName", c.APIGatewayDomainName)
			put("regionalHostedZoneId", c.HostedZoneID)
			put("regionalCertificateArn", c.CertificateArn)
			put("regionalCertificateName", c.CertificateName)
		}
		put("securityPolicy", c.SecurityPolicy)
		put("domainNameStatus", c.DomainNameStatus)
		put("domainNameStatusMessage", c.DomainNameStatusMessage)
	}
	out["endpointConfiguration"] = map[string]any{"types": types}
	var tags map[string]string
	if json.Unmarshal(d["tags"], &tags) == nil && len(tags) > 0 {
		out["tags"] = tags
	}
	var mtls map[string]json.RawMessage
	if json.Unmarshal(d["mutualTlsAuthentication"], &mtls) == nil && len(mtls) > 0 {
		out["mutualTlsAuthentication"] = mtls
	}
	return out
}

// modernDomain tells whether a domain is regional with a TLS 1.2 policy, which the developer
// guide requires for mapping an HTTP API and for a mapping key of several levels. A domain that
// states no security policy is given the benefit of the doubt, since moto stores none unless the
// client sent one; one that states no endpoint type has its API's default (v1 EDGE, v2 REGIONAL).
func modernDomain(side domainSide, d map[string]json.RawMessage) bool {
	regional, policy := false, ""
	switch side {
	case v2Domain:
		configs := v2Configs(d)
		regional = len(configs) == 0
		for _, c := range configs {
			regional = regional || c.EndpointType == "" || c.EndpointType == "REGIONAL"
			policy = c.SecurityPolicy
		}
	case v1Domain:
		var v1 struct {
			SecurityPolicy        string
			EndpointConfiguration struct{ Types []string }
		}
		raw, _ := json.Marshal(d)
		_ = json.Unmarshal(raw, &v1)
		regional = slices.Contains(v1.EndpointConfiguration.Types, "REGIONAL")
		policy = v1.SecurityPolicy
	}
	return regional && policy != "TLS_1_0"
}

// ---- domain names ----

// domainWrite answers CreateDomainName and DeleteDomainName of either API over the one namespace.
func (s *Shim) domainWrite(ctx context.Context, in *inbound) (*reply, error) {
	if in.call.Operation == "CreateDomainName" {
		var body struct {
			DomainName string `json:"domainName"`
		}
		_ = json.Unmarshal(in.body, &body)
		side, _, err := s.domainOf(ctx, in, body.DomainName)
		if err != nil {
			return nil, err
		}
		if side != noDomain {
			// moto v2's message; v1's is not documented, and moto v1 replaces the domain.
			return s.conflict(in, "The domain name resource already exists."), nil
		}
		return s.forward(ctx, in)
	}

	name := in.call.Labels["domainName"]
	side, _, err := s.domainOf(ctx, in, name)
	if err != nil {
		return nil, err
	}
	var rep *reply
	switch {
	case side == noDomain:
		return s.forward(ctx, in)
	case side == v2Domain:
		// moto v2 fails with 500 deleting a domain that has mappings, so they go first. AWS
		// deletes a domain's mappings with it.
		if rep, err := s.dropMotoMappings(ctx, in, name); rep != nil || err != nil {
			return rep, err
		}
		if in.call.V2 {
			rep, err = s.forward(ctx, in)
		} else {
			rep, err = s.side(ctx, in, http.MethodDelete, "/v2/domainnames/"+url.PathEscape(name), "", nil)
		}
	default:
		// moto v1 keeps a deleted domain's base path mappings, and gives them to a new domain of
		// the same name; AWS deletes them with the domain.
		if rep, err := s.dropMotoBasePaths(ctx, in, name); rep != nil || err != nil {
			return rep, err
		}
		if in.call.V2 {
			rep, err = s.side(ctx, in, http.MethodDelete, "/domainnames/"+url.PathEscape(name), "", nil)
		} else {
			rep, err = s.forward(ctx, in)
		}
	}
	if err != nil || rep.status/100 != 2 {
		return rep, err
	}
	s.mu.Lock()
	delete(s.mappings, s.domainKeyOf(in, name))
	s.mu.Unlock()
	if in.call.V2 {
		return s.jsonReply(http.StatusNoContent, nil)
	}
	return s.jsonReply(http.StatusAccepted, map[string]any{})
}

// dropMotoMappings deletes a v2 domain's mappings from moto; a reply is moto's refusal.
func (s *Shim) dropMotoMappings(ctx context.Context, in *inbound, name string) (*reply, error) {
	base := "/v2/domainnames/" + url.PathEscape(name) + "/apimappings"
	rep, err := s.side(ctx, in, http.MethodGet, base, "", nil)
	if err != nil || rep.status != http.StatusOK {
		return rep, err
	}
	items, err := itemsOf(rep.body, "items")
	if err != nil {
		return nil, err
	}
	for _, it := range items {
		id := stringField(decodeObject(it), "apiMappingId")
		rep, err := s.side(ctx, in, http.MethodDelete, base+"/"+url.PathEscape(id), "", nil)
		if err != nil || rep.status/100 != 2 {
			return rep, err
		}
	}
	return nil, nil
}

// dropMotoBasePaths deletes a v1 domain's base path mappings from moto; a reply is moto's refusal.
func (s *Shim) dropMotoBasePaths(ctx context.Context, in *inbound, name string) (*reply, error) {
	base := "/domainnames/" + url.PathEscape(name) + "/basepathmappings"
	rep, err := s.side(ctx, in, http.MethodGet, base, "", nil)
	if err != nil {
		return nil, err
	}
	if rep.status != http.StatusOK {
		return nil, nil // moto's 500 for a domain that never had a mapping
	}
	items, err := itemsOf(rep.body, "item")
	if err != nil {
		return nil, err
	}
	for _, it := range items {
		bp := stringField(decodeObject(it), "basePath")
		rep, err := s.side(ctx, in, http.MethodDelete, base+"/"+url.PathEscape(bp), "", nil)
		if err != nil || rep.status/100 != 2 {
			return rep, err
		}
	}
	return nil, nil
}

// getDomainNameV2 answers a v1 domain too, in the v2 shape.
func (s *Shim) getDomainNameV2(ctx context.Context, in *inbound) (*reply, error) {
	rep, err := s.forward(ctx, in)
	if err != nil || rep.status != http.StatusNotFound {
		return rep, err
	}
	v1, err := s.side(ctx, in, http.MethodGet, "/domainnames/"+url.PathEscape(in.call.Labels["domainName"]), "", nil)
	if err != nil || v1.status != http.StatusOK {
		return rep, err
	}
	return s.jsonReply(http.StatusOK, v1DomainToV2(decodeObject(v1.body), in.call.Region))
}

// getDomainNameV1 answers a v2 domain too, in the v1 shape.
func (s *Shim) getDomainNameV1(ctx context.Context, in *inbound) (*reply, error) {
	rep, err := s.forward(ctx, in)
	if err != nil || rep.status != http.StatusNotFound {
		return rep, err
	}
	v2, err := s.side(ctx, in, http.MethodGet, "/v2/domainnames/"+url.PathEscape(in.call.Labels["domainName"]), "", nil)
	if err != nil || v2.status != http.StatusOK {
		return rep, err
	}
	return s.jsonReply(http.StatusOK, v2DomainToV1(decodeObject(v2.body)))
}

// getDomainNamesV2 lists moto's v2 domains, then the v1 ones in the v2 shape, and pages them.
func (s *Shim) getDomainNamesV2(ctx context.Context, in *inbound) (*reply, error) {
	return s.pagedV2With(ctx, in, func(items []json.RawMessage) ([]json.RawMessage, *reply, error) {
		v1, err := s.side(ctx, in, http.MethodGet, "/domainnames", "", nil)
		if err != nil {
			return nil, nil, err
		}
		if v1.status != http.StatusOK {
			return nil, v1, nil
		}
		others, err := itemsOf(v1.body, "item")
		if err != nil {
			return nil, nil, err
		}
		seen := map[string]bool{}
		for _, it := range items {
			seen[stringField(decodeObject(it), "domainName")] = true
		}
		for _, it := range others {
			d := decodeObject(it)
			if name := stringField(d, "domainName"); !seen[name] {
				b, _ := json.Marshal(v1DomainToV2(d, in.call.Region))
				items = append(items, b)
			}
		}
		return items, nil, nil
	})
}

// withV2Domains adds moto's v2 domains, in the v1 shape, to a v1 domain list.
func (s *Shim) withV2Domains(ctx context.Context, in *inbound, items []json.RawMessage) ([]json.RawMessage, error) {
	rep, err := s.side(ctx, in, http.MethodGet, "/v2/domainnames", "", nil)
	if err != nil {
		return nil, err
	}
	if rep.status != http.StatusOK {
		return nil, errStatus(rep.status)
	}
	others, err := itemsOf(rep.body, "items")
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, it := range items {
		seen[stringField(decodeObject(it), "domainName")] = true
	}
	for _, it := range others {
		d := decodeObject(it)
		if name := stringField(d, "domainName"); !seen[name] {
			b, _ := json.Marshal(v2DomainToV1(d))
			items = append(items, b)
		}
	}
	return items, nil
}

// ---- API mappings (v2) ----

const (
	domainNotFoundV2  = "The domain name resource specified in the request was not found."
	mappingNotFoundV2 = "The api mapping resource specified in the request was not found."
	invalidStage      = "Invalid stage identifier specified"
)

// mappingsOf lists a domain's mappings in the v2 shape: moto's (its v2 API mappings, or a v1
// domain's base path mappings), then the shim's. A nil list with a reply is moto's refusal.
func (s *Shim) mappingsOf(ctx context.Context, in *inbound, name string, side domainSide) ([]json.RawMessage, *reply, error) {
	var items []json.RawMessage
	switch side {
	case v2Domain:
		rep, err := s.side(ctx, in, http.MethodGet, "/v2/domainnames/"+url.PathEscape(name)+"/apimappings", "", nil)
		if err != nil || rep.status != http.StatusOK {
			return nil, rep, err
		}
		if items, err = itemsOf(rep.body, "items"); err != nil {
			return nil, nil, err
		}
	case v1Domain:
		rep, err := s.side(ctx, in, http.MethodGet, "/domainnames/"+url.PathEscape(name)+"/basepathmappings", "", nil)
		if err != nil {
			return nil, nil, err
		}
		// moto answers 500 for a domain that never had a mapping: none.
		if rep.status != http.StatusOK && rep.status != http.StatusInternalServerError {
			return nil, rep, nil
		}
		var v1 []json.RawMessage
		if rep.status == http.StatusOK {
			if v1, err = itemsOf(rep.body, "item"); err != nil {
				return nil, nil, err
			}
		}
		for _, it := range v1 {
			var bpm struct {
				BasePath  string `json:"basePath"`
				RestAPIID string `json:"restApiId"`
				Stage     string `json:"stage"`
			}
			_ = json.Unmarshal(it, &bpm)
			m := map[string]any{
				"apiId":         bpm.RestAPIID,
				"apiMappingId":  v1MappingID(name, bpm.BasePath),
				"apiMappingKey": keyOf(bpm.BasePath),
			}
			if bpm.Stage != "" {
				m["stage"] = bpm.Stage
			}
			b, _ := json.Marshal(m)
			items = append(items, b)
		}
	}
	s.mu.Lock()
	for _, m := range s.mappings[s.domainKeyOf(in, name)] {
		b, _ := json.Marshal(m.v2Shape())
		items = append(items, b)
	}
	s.mu.Unlock()
	if items == nil {
		items = []json.RawMessage{}
	}
	return items, nil, nil
}

func (s *Shim) getAPIMappings(ctx context.Context, in *inbound) (*reply, error) {
	p, bad := s.v2PageOf(in)
	if bad != nil {
		return bad, nil
	}
	name := in.call.Labels["domainName"]
	side, _, err := s.domainOf(ctx, in, name)
	if err != nil {
		return nil, err
	}
	if side == noDomain {
		return s.notFound(in, domainNotFoundV2), nil
	}
	items, rep, err := s.mappingsOf(ctx, in, name, side)
	if items == nil {
		return rep, err
	}
	return s.pageV2(in, p, items)
}

// mappingKeyChars are the characters the developer guide allows in a mapping key.
var mappingKeyChars = regexp.MustCompile(`^[A-Za-z0-9$\-_.+!*'()/]*$`)

// checkMappingKey applies the developer guide's rules on mapping keys (characters, 300 at most)
// and moto's messages for the slashes, whose AWS wording is not documented.
func (s *Shim) checkMappingKey(in *inbound, key string) *reply {
	switch {
	case len(key) > 300:
		return s.badRequest(in, "API mapping key must be at most 300 characters long.")
	case !mappingKeyChars.MatchString(key):
		return s.badRequest(in, "API mapping key may contain only letters, numbers and the characters $-_.+!*'()/.")
	case strings.HasPrefix(key, "/") || strings.Contains(key, "//"):
		return s.badRequest(in, "API mapping key should not start with a '/' or have consecutive '/'s.")
	case strings.HasSuffix(key, "/"):
		return s.badRequest(in, "API mapping key should not end with a '/'.")
	}
	return nil
}

// apiKind tells what an API id names in the client's account and region: HTTP or WEBSOCKET (v2),
// REST (v1), or "" for nothing.
func (s *Shim) apiKind(ctx context.Context, in *inbound, apiID string) (string, error) {
	rep, err := s.side(ctx, in, http.MethodGet, apiPath(apiID), "", nil)
	if err != nil {
		return "", err
	}
	if rep.status == http.StatusOK {
		return stringField(decodeObject(rep.body), "protocolType"), nil
	}
	rep, err = s.side(ctx, in, http.MethodGet, "/restapis/"+url.PathEscape(apiID), "", nil)
	if err != nil {
		return "", err
	}
	if rep.status == http.StatusOK {
		return "REST", nil
	}
	return "", nil
}

// stageExists asks the API's own backend, since moto v2 checks no stage when it maps one.
func (s *Shim) stageExists(ctx context.Context, in *inbound, kind, apiID, stage string) (bool, error) {
	path := stagePath(apiID, stage)
	if kind == "REST" {
		path = "/restapis/" + url.PathEscape(apiID) + "/stages/" + url.PathEscape(stage)
	}
	rep, err := s.side(ctx, in, http.MethodGet, path, "", nil)
	if err != nil {
		return false, err
	}
	return rep.status == http.StatusOK, nil
}

// keyTaken tells whether a domain already maps key.
func keyTaken(items []json.RawMessage, key string) bool {
	for _, it := range items {
		if stringField(decodeObject(it), "apiMappingKey") == key {
			return true
		}
	}
	return false
}

// createAPIMapping accepts what AWS accepts and moto does not (a REST API, a v1 domain, a key of
// several levels) and refuses what AWS refuses and moto accepts (a stage that does not exist, a
// key the domain already maps). moto keeps the mappings of HTTP and WebSocket APIs on v2 domains;
// the shim keeps the rest. The messages of the refusals moto never makes are the shim's own:
// only "Invalid stage identifier specified" is AWS's, as seen in AWS error reports.
func (s *Shim) createAPIMapping(ctx context.Context, in *inbound) (*reply, error) {
	var body struct {
		APIID string `json:"apiId"`
		Key   string `json:"apiMappingKey"`
		Stage string `json:"stage"`
	}
	if json.Unmarshal(in.body, &body) != nil {
		return s.badRequest(in, "Invalid request body"), nil
	}
	name := in.call.Labels["domainName"]
	side, domain, err := s.domainOf(ctx, in, name)
	if err != nil {
		return nil, err
	}
	if side == noDomain {
		return s.notFound(in, domainNotFoundV2), nil
	}
	if body.APIID == "" || body.Stage == "" {
		return s.badRequest(in, "ApiId and Stage are required"), nil
	}
	if bad := s.checkMappingKey(in, body.Key); bad != nil {
		return bad, nil
	}
	kind, err := s.apiKind(ctx, in, body.APIID)
	if err != nil {
		return nil, err
	}
	if kind == "" {
		return s.notFound(in, "Invalid API identifier specified "+body.APIID), nil
	}
	ok, err := s.stageExists(ctx, in, kind, body.APIID, body.Stage)
	if err != nil {
		return nil, err
	}
	if !ok {
		return s.badRequest(in, invalidStage), nil
	}
	if !modernDomain(side, domain) {
		switch {
		case kind == "HTTP":
			return s.badRequest(in, "HTTP APIs can be mapped only to a regional custom domain name with the TLS 1.2 security policy."), nil
		case strings.Contains(body.Key, "/"):
			return s.badRequest(in, "API mappings with multiple levels require a regional custom domain name with the TLS 1.2 security policy."), nil
		}
	}
	items, rep, err := s.mappingsOf(ctx, in, name, side)
	if items == nil {
		return rep, err
	}
	if keyTaken(items, body.Key) {
		return s.conflict(in, "An API mapping with key '"+body.Key+"' already exists for this domain name."), nil
	}
	if side == v2Domain && kind != "REST" {
		return s.forward(ctx, in)
	}
	m := apiMapping{id: s.newID(10), apiID: body.APIID, key: body.Key, stage: body.Stage, rest: kind == "REST"}
	k := s.domainKeyOf(in, name)
	s.mu.Lock()
	s.mappings[k] = append(s.mappings[k], m)
	s.mu.Unlock()
	return s.jsonReply(http.StatusCreated, m.v2Shape())
}

// apiMapping answers GetApiMapping and DeleteApiMapping for mappings the shim keeps and for a v1
// domain's base path mappings; moto answers its own.
func (s *Shim) apiMapping(ctx context.Context, in *inbound) (*reply, error) {
	name, id := in.call.Labels["domainName"], in.call.Labels["apiMappingId"]
	side, _, err := s.domainOf(ctx, in, name)
	if err != nil {
		return nil, err
	}
	if side == noDomain {
		return s.notFound(in, domainNotFoundV2), nil
	}
	del := in.call.Operation == "DeleteApiMapping"
	k := s.domainKeyOf(in, name)
	s.mu.Lock()
	for i, m := range s.mappings[k] {
		if m.id != id {
			continue
		}
		if del {
			s.mappings[k] = slices.Delete(slices.Clone(s.mappings[k]), i, i+1)
		}
		s.mu.Unlock()
		if del {
			return s.jsonReply(http.StatusNoContent, nil)
		}
		return s.jsonReply(http.StatusOK, m.v2Shape())
	}
	s.mu.Unlock()
	if side == v2Domain {
		rep, err := s.forward(ctx, in)
		// moto finds a mapping by id alone, whatever domain the request names.
		if err == nil && !del && rep.status == http.StatusOK && stringField(decodeObject(rep.body), "domainName") != name {
			return s.notFound(in, mappingNotFoundV2), nil
		}
		return rep, err
	}
	items, rep, err := s.mappingsOf(ctx, in, name, side)
	if items == nil {
		return rep, err
	}
	for _, it := range items {
		m := decodeObject(it)
		if stringField(m, "apiMappingId") != id {
			continue
		}
		if !del {
			return s.jsonReply(http.StatusOK, m)
		}
		path := "/domainnames/" + url.PathEscape(name) + "/basepathmappings/" + url.PathEscape(basePathOf(stringField(m, "apiMappingKey")))
		rep, err := s.side(ctx, in, http.MethodDelete, path, "", nil)
		if err != nil || rep.status/100 != 2 {
			return rep, err
		}
		return s.jsonReply(http.StatusNoContent, nil)
	}
	return s.notFound(in, mappingNotFoundV2), nil
}

// ---- base path mappings (v1) ----

// v1Mappings are the mappings the shim keeps on a domain that v1 shows, in the v1 shape.
func (s *Shim) v1Mappings(in *inbound, name string) []json.RawMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []json.RawMessage
	for _, m := range s.mappings[s.domainKeyOf(in, name)] {
		if m.v1Visible() {
			b, _ := json.Marshal(m.v1Shape())
			out = append(out, b)
		}
	}
	return out
}

// basePathMappingsReply makes moto's GetBasePathMappings answer AWS's for any existing domain:
// moto answers 500 for a v1 domain that never had a mapping, and 404 for a v2 domain.
func (s *Shim) basePathMappingsReply(ctx context.Context, in *inbound, rep *reply) (*reply, error) {
	switch rep.status {
	case http.StatusInternalServerError:
		return s.emptyBasePathMappings(ctx, in, rep), nil
	case http.StatusNotFound:
		side, _, err := s.domainOf(ctx, in, in.call.Labels["domainName"])
		if err != nil || side != v2Domain {
			return rep, err
		}
		return s.jsonReply(http.StatusOK, map[string]any{"item": []any{}})
	}
	return rep, nil
}

// basePathMapping answers v1 GetBasePathMapping and DeleteBasePathMapping for the mappings the
// shim keeps, when moto does not know them.
func (s *Shim) basePathMapping(ctx context.Context, in *inbound) (*reply, error) {
	rep, err := s.forward(ctx, in)
	// moto answers 500 (a KeyError) on a domain that never had a mapping.
	if err != nil || (rep.status != http.StatusNotFound && rep.status != http.StatusInternalServerError) {
		return rep, err
	}
	name, key := in.call.Labels["domainName"], keyOf(in.call.Labels["basePath"])
	k := s.domainKeyOf(in, name)
	del := in.call.Operation == "DeleteBasePathMapping"
	s.mu.Lock()
	for i, m := range s.mappings[k] {
		if !m.v1Visible() || m.key != key {
			continue
		}
		if del {
			s.mappings[k] = slices.Delete(slices.Clone(s.mappings[k]), i, i+1)
		}
		s.mu.Unlock()
		if del {
			return s.jsonReply(http.StatusAccepted, nil)
		}
		return s.jsonReply(http.StatusOK, m.v1Shape())
	}
	s.mu.Unlock()
	// moto's own answer stands when it is its JSON NotFoundException about a v1 domain. It is
	// not for a v2 domain (moto v1 does not know it), nor when moto failed (500), nor when it
	// answered its web server's HTML page (a base path with a slash matches no moto route).
	side, _, err := s.domainOf(ctx, in, name)
	if err != nil {
		return nil, err
	}
	motoJSON := rep.status == http.StatusNotFound && decodeObject(rep.body) != nil
	switch {
	case side == v2Domain || (side == v1Domain && !motoJSON):
		return s.notFound(in, "Invalid base path mapping identifier specified"), nil
	case side == noDomain && !motoJSON:
		return s.notFound(in, "Invalid domain name identifier specified"), nil
	}
	return rep, nil
}

// createBasePathMapping refuses a base path the domain already maps through either API (moto lets
// "(none)" be replaced) and keeps the mappings made through v1 on a v2 domain, which moto's v1
// backend cannot see. The checks moto v1 makes are made for those too, with its messages.
func (s *Shim) createBasePathMapping(ctx context.Context, in *inbound) (*reply, error) {
	var body struct {
		BasePath  string `json:"basePath"`
		RestAPIID string `json:"restApiId"`
		Stage     string `json:"stage"`
	}
	if json.Unmarshal(in.body, &body) != nil {
		return s.forward(ctx, in)
	}
	name := in.call.Labels["domainName"]
	side, _, err := s.domainOf(ctx, in, name)
	if err != nil {
		return nil, err
	}
	if side == noDomain {
		return s.forward(ctx, in)
	}
	key := keyOf(body.BasePath)
	items, rep, err := s.mappingsOf(ctx, in, name, side)
	if items == nil {
		return rep, err
	}
	if keyTaken(items, key) {
		return s.conflict(in, "Base path already exists for this domain name"), nil
	}
	if side == v1Domain {
		return s.forward(ctx, in)
	}
	if strings.Contains(key, "/") {
		return s.badRequest(in, "API Gateway V1 doesn't support the slash character (/) in base path mappings. "+
			"To create a multi-level base path mapping, use API Gateway V2."), nil
	}
	kind, err := s.apiKind(ctx, in, body.RestAPIID)
	if err != nil {
		return nil, err
	}
	if kind != "REST" {
		return s.badRequest(in, "Invalid REST API identifier specified"), nil
	}
	if body.Stage != "" {
		ok, err := s.stageExists(ctx, in, "REST", body.RestAPIID, body.Stage)
		if err != nil {
			return nil, err
		}
		if !ok {
			return s.badRequest(in, invalidStage), nil
		}
	}
	m := apiMapping{id: s.newID(10), apiID: body.RestAPIID, key: key, stage: body.Stage, rest: true}
	k := s.domainKeyOf(in, name)
	s.mu.Lock()
	s.mappings[k] = append(s.mappings[k], m)
	s.mu.Unlock()
	return s.jsonReply(http.StatusCreated, m.v1Shape())
}
