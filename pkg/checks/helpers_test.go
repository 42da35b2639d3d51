package checks

import (
	"fmt"
	"os/exec"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/apigw-drift/driftaudit/pkg/inventory"
)

const testRegion = "eu-west-1"

var (
	t0 = time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	t1 = t0.Add(24 * time.Hour)
	t2 = t1.Add(24 * time.Hour)
)

type regionOpt func(*inventory.Region)

func region(opts ...regionOpt) *inventory.Region {
	r := &inventory.Region{Name: testRegion, APIs: []inventory.API{}}
	for _, o := range opts {
		o(r)
	}
	return r
}

func regionUnread(ops ...string) regionOpt {
	return func(r *inventory.Region) { r.Unread = append(r.Unread, ops...) }
}

type apiOpt func(*inventory.API)

// api adds a REST API; its deployments end up newest first, as the collector leaves them.
func api(id, name string, opts ...apiOpt) regionOpt {
	return func(r *inventory.Region) {
		a := inventory.API{ID: id, Name: name, Resources: []inventory.Resource{}, Stages: []inventory.Stage{}, Deployments: []inventory.Deployment{}}
		for _, o := range opts {
			o(&a)
		}
		sort.SliceStable(a.Deployments, func(i, j int) bool { return a.Deployments[i].CreatedDate.After(a.Deployments[j].CreatedDate) })
		r.APIs = append(r.APIs, a)
	}
}

func withTag(k, v string) apiOpt {
	return func(a *inventory.API) {
		if a.Tags == nil {
			a.Tags = map[string]string{}
		}
		a.Tags[k] = v
	}
}

func apiUnread(ops ...string) apiOpt {
	return func(a *inventory.API) { a.Unread = append(a.Unread, ops...) }
}

type namedMethod struct {
	name string
	m    inventory.Method
}

type methodOpt func(*inventory.Method)

func method(name string, opts ...methodOpt) namedMethod {
	m := inventory.Method{AuthorizationType: "NONE", IntegrationType: "AWS"}
	for _, o := range opts {
		o(&m)
	}
	return namedMethod{name, m}
}

func get(opts ...methodOpt) namedMethod  { return method("GET", opts...) }
func post(opts ...methodOpt) namedMethod { return method("POST", opts...) }
func del(opts ...methodOpt) namedMethod  { return method("DELETE", opts...) }
func anyM(opts ...methodOpt) namedMethod { return method("ANY", opts...) }

// options is an OPTIONS method with a MOCK integration that answers a correct preflight unless
// opts say otherwise.
func options(opts ...methodOpt) namedMethod {
	return method("OPTIONS", append([]methodOpt{integration("MOCK"), preflightHeaders("'*'", "'GET,POST,OPTIONS'", "'Content-Type'")}, opts...)...)
}

func auth(authorizationType string) methodOpt {
	return func(m *inventory.Method) { m.AuthorizationType = authorizationType }
}

func keyRequired() methodOpt { return func(m *inventory.Method) { m.APIKeyRequired = true } }

func integration(t string) methodOpt { return func(m *inventory.Method) { m.IntegrationType = t } }

// allowOriginDeclared declares Access-Control-Allow-Origin in the 200 method response only.
func allowOriginDeclared() methodOpt {
	return func(m *inventory.Method) {
		m.MethodResponseHeaders = map[string][]string{"200": {"Access-Control-Allow-Origin"}}
	}
}

// allowOriginSet sets Access-Control-Allow-Origin in the 200 integration response only.
func allowOriginSet(value string) methodOpt {
	return intResponse("200", "Access-Control-Allow-Origin", value)
}

// preflightHeaders sets the three Access-Control-Allow-* headers of the 200 integration response;
// an empty value leaves that header out.
func preflightHeaders(origin, methods, headers string) methodOpt {
	return func(m *inventory.Method) {
		m.IntegrationResponseHeaders = map[string]map[string]string{"200": {}}
		for h, v := range map[string]string{allowOrigin: origin, allowMethods: methods, allowHeaders: headers} {
			if v != "" {
				m.IntegrationResponseHeaders["200"][h] = v
			}
		}
	}
}

func intResponse(code, header, value string) methodOpt {
	return func(m *inventory.Method) {
		if m.IntegrationResponseHeaders == nil {
			m.IntegrationResponseHeaders = map[string]map[string]string{}
		}
		if m.IntegrationResponseHeaders[code] == nil {
			m.IntegrationResponseHeaders[code] = map[string]string{}
		}
		m.IntegrationResponseHeaders[code][header] = value
	}
}

func noIntegrationResponses() methodOpt {
	return func(m *inventory.Method) { m.IntegrationResponseHeaders = nil }
}

func withResource(id, path string, methods ...namedMethod) apiOpt {
	return func(a *inventory.API) {
		res := inventory.Resource{ID: id, Path: path}
		for _, nm := range methods {
			if res.Methods == nil {
				res.Methods = map[string]inventory.Method{}
			}
			res.Methods[nm.name] = nm.m
		}
		a.Resources = append(a.Resources, res)
	}
}

func withStage(name, deploymentID string) apiOpt {
	return func(a *inventory.API) {
		a.Stages = append(a.Stages, inventory.Stage{Name: name, DeploymentID: deploymentID})
	}
}

// endpoint sets the API's endpoint types (EDGE, REGIONAL, PRIVATE).
func endpoint(types ...string) apiOpt {
	return func(a *inventory.API) { a.EndpointTypes = append([]string{}, types...) }
}

type stageOpt func(*inventory.Stage)

// withStageSettings adds a stage like withStage, with the settings opts give it.
func withStageSettings(name, deploymentID string, opts ...stageOpt) apiOpt {
	return func(a *inventory.API) {
		st := inventory.Stage{Name: name, DeploymentID: deploymentID}
		for _, o := range opts {
			o(&st)
		}
		a.Stages = append(a.Stages, st)
	}
}

func accessLog(arn string) stageOpt {
	return func(st *inventory.Stage) { st.AccessLogDestination = arn }
}

func tracing(on bool) stageOpt { return func(st *inventory.Stage) { st.TracingEnabled = on } }

func webACL(arn string) stageOpt { return func(st *inventory.Stage) { st.WebACLArn = arn } }

func clientCert(id string) stageOpt {
	return func(st *inventory.Stage) { st.ClientCertificateID = id }
}

func cacheCluster(on bool) stageOpt {
	return func(st *inventory.Stage) { st.CacheClusterEnabled = on }
}

// methodSetting sets (replaces) the stage's method settings for one key ("*/*" or
// "resource/METHOD").
func methodSetting(key string, ms inventory.MethodSetting) stageOpt {
	return func(st *inventory.Stage) {
		if st.MethodSettings == nil {
			st.MethodSettings = map[string]inventory.MethodSetting{}
		}
		st.MethodSettings[key] = ms
	}
}

// noMethodSettings drops every method setting of the stage.
func noMethodSettings() stageOpt { return func(st *inventory.Stage) { st.MethodSettings = nil } }

// variable adds a stage variable; its value is only ever known as whether it looked secret.
func variable(name string, valueLooksSecret bool) stageOpt {
	return func(st *inventory.Stage) {
		st.Variables = append(st.Variables, inventory.StageVariable{Name: name, ValueLooksSecret: valueLooksSecret})
	}
}

// hygienic gives a stage every setting the hygiene checks look for: access logs, execution
// logging at ERROR and detailed metrics on */*, X-Ray, a web ACL and a client certificate.
// Options after it take something away.
func hygienic() stageOpt {
	return func(st *inventory.Stage) {
		st.AccessLogDestination = "arn:aws:logs:" + testRegion + ":123456789012:log-group:orders-access"
		st.TracingEnabled = true
		st.WebACLArn = "arn:aws:wafv2:" + testRegion + ":123456789012:regional/webacl/orders/1f2e3d4c"
		st.ClientCertificateID = "cc1abc"
		methodSetting("*/*", inventory.MethodSetting{LoggingLevel: "ERROR", MetricsEnabled: true})(st)
	}
}

type snapPath struct {
	path    string
	methods []string
}

// at is one path of a deployed snapshot. Each method is "VERB", optionally followed by an
// authorization type and/or "key": "GET", "POST key", "DELETE AWS_IAM key".
func at(path string, methods ...string) snapPath { return snapPath{path, methods} }

// withDeployment adds a deployment whose snapshot was read (possibly empty).
func withDeployment(id string, created time.Time, paths ...snapPath) apiOpt {
	return func(a *inventory.API) {
		summary := map[string]map[string]inventory.MethodSnapshot{}
		for _, p := range paths {
			if summary[p.path] == nil {
				summary[p.path] = map[string]inventory.MethodSnapshot{}
			}
			for _, spec := range p.methods {
				f := strings.Fields(spec)
				ms := inventory.MethodSnapshot{AuthorizationType: "NONE"}
				for _, w := range f[1:] {
					if w == "key" {
						ms.APIKeyRequired = true
					} else {
						ms.AuthorizationType = w
					}
				}
				summary[p.path][f[0]] = ms
			}
		}
		a.Deployments = append(a.Deployments, inventory.Deployment{ID: id, CreatedDate: created, Summary: summary})
	}
}

// withListedDeployment adds a deployment known only from the list: its snapshot is unread.
func withListedDeployment(id string, created time.Time) apiOpt {
	return func(a *inventory.API) {
		a.Deployments = append(a.Deployments, inventory.Deployment{ID: id, CreatedDate: created})
	}
}

type planOpt func(*inventory.UsagePlan)

func plan(id, name string, opts ...planOpt) regionOpt {
	return func(r *inventory.Region) {
		p := inventory.UsagePlan{ID: id, Name: name, KeyIDs: []string{}}
		for _, o := range opts {
			o(&p)
		}
		r.UsagePlans = append(r.UsagePlans, p)
	}
}

func covers(apiID, stage string) planOpt {
	return func(p *inventory.UsagePlan) {
		p.APIStages = append(p.APIStages, inventory.APIStage{APIID: apiID, Stage: stage})
	}
}

func planKeys(ids ...string) planOpt {
	return func(p *inventory.UsagePlan) { p.KeyIDs = append(p.KeyIDs, ids...) }
}

func planKeysUnread() planOpt {
	return func(p *inventory.UsagePlan) { p.KeyIDs, p.KeysUnread = nil, true }
}

func apiKey(id string, enabled bool) regionOpt {
	return func(r *inventory.Region) {
		r.APIKeys = append(r.APIKeys, inventory.APIKey{ID: id, Name: id + "-name", Enabled: enabled})
	}
}

// domain adds a public custom domain whose mappings were read with v2 GetApiMappings.
func domain(name string, mappings ...inventory.BasePathMapping) regionOpt {
	return func(r *inventory.Region) {
		r.Domains = append(r.Domains, inventory.DomainName{Name: name, MappingsSource: inventory.OpGetApiMappings, Mappings: append([]inventory.BasePathMapping{}, mappings...)})
	}
}

// domainRead adds a custom domain as given.
func domainRead(d inventory.DomainName) regionOpt {
	return func(r *inventory.Region) { r.Domains = append(r.Domains, d) }
}

// v2API adds an HTTP or WebSocket API with the named stages (all read).
func v2API(id, name, protocol string, stages ...string) regionOpt {
	return func(r *inventory.Region) {
		a := inventory.V2API{ID: id, Name: name, ProtocolType: protocol}
		for _, st := range stages {
			a.Stages = append(a.Stages, inventory.V2Stage{Name: st})
		}
		r.V2APIs = append(r.V2APIs, a)
	}
}

func domainMappingsUnread(name string) regionOpt {
	return func(r *inventory.Region) {
		r.Domains = append(r.Domains, inventory.DomainName{Name: name, MappingsUnread: true})
	}
}

func mapping(basePath, apiID, stage string) inventory.BasePathMapping {
	return inventory.BasePathMapping{BasePath: basePath, APIID: apiID, Stage: stage}
}

// expect is one finding a case wants: its severity and location, exactly, and phrases its
// message and remediation contain.
type expect struct {
	Finding
	msg    []string
	notMsg []string
	fix    []string
	// placeholders are the stand-ins for unknown values the remediation may keep.
	placeholders []string
}

type checkCase struct {
	name   string
	region *inventory.Region
	cfg    *Config
	want   []expect
}

func location(f Finding) Finding {
	f.Message, f.Remediation = "", ""
	return f
}

// runCases runs the check on each case and matches its findings to the expected ones in any
// order; every finding also passes the properties all findings share.
func runCases(t *testing.T, c Check, cases []checkCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := DefaultConfig()
			if tc.cfg != nil {
				cfg = *tc.cfg
			}
			got := c.Run(tc.region, cfg)
			matched := make([]bool, len(got))
			for _, w := range tc.want {
				i := -1
				for j := range got {
					if !matched[j] && location(got[j]) == w.Finding {
						i = j
						break
					}
				}
				if i < 0 {
					t.Errorf("missing finding %+v\ngot:\n%s", w.Finding, dump(got))
					continue
				}
				matched[i] = true
				assertContains(t, "message", got[i].Message, w.msg)
				for _, p := range w.notMsg {
					if strings.Contains(got[i].Message, p) {
						t.Errorf("message %q contains %q", got[i].Message, p)
					}
				}
				assertContains(t, "remediation", got[i].Remediation, w.fix)
				assertPlaceholders(t, got[i].Remediation, w.placeholders)
			}
			for i, f := range got {
				if !matched[i] {
					t.Errorf("unexpected finding %+v", f)
				}
				if f.Check != "" || f.Region != "" {
					t.Errorf("the check fills Check/Region (%q, %q) itself; Run does that", f.Check, f.Region)
				}
				assertWellFormed(t, f, tc.region.Name)
			}
		})
	}
}

func dump(fs []Finding) string {
	var b strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&b, "  %s api=%s stage=%s path=%s method=%s domain=%s base=%s plan=%s: %s\n",
			f.Severity, f.APIID, f.Stage, f.Path, f.Method, f.Domain, f.BasePath, f.UsagePlanID, f.Message)
	}
	return b.String()
}

func assertContains(t *testing.T, what, s string, phrases []string) {
	t.Helper()
	for _, p := range phrases {
		if !strings.Contains(s, p) {
			t.Errorf("%s %q does not contain %q", what, s, p)
		}
	}
}

var (
	angleHolder   = regexp.MustCompile(`<[a-z-]+>`)
	upperHolder   = regexp.MustCompile(`(?:--[a-z-]+ |[=:])(API|STAGE|REGION|PLAN|KEY|RESOURCE|DOMAIN|PATH|NEWEST)\b`)
	regionFlagArg = regexp.MustCompile(`--region (\S+)`)
)

func placeholdersIn(s string) []string {
	holders := angleHolder.FindAllString(s, -1)
	for _, m := range upperHolder.FindAllStringSubmatch(s, -1) {
		holders = append(holders, m[1])
	}
	return holders
}

func assertPlaceholders(t *testing.T, remediation string, allowed []string) {
	t.Helper()
	for _, p := range placeholdersIn(remediation) {
		if !slices.Contains(allowed, p) {
			t.Errorf("remediation %q keeps placeholder %s for a value that was known", remediation, p)
		}
	}
}

// assertWellFormed holds for every finding of every check: it says something, and its
// remediation is a command for the region that a shell can parse.
func assertWellFormed(t *testing.T, f Finding, regionName string) {
	t.Helper()
	if strings.TrimSpace(f.Message) == "" {
		t.Errorf("finding %+v has no message", f)
	}
	if f.Severity < Info || f.Severity > Critical {
		t.Errorf("finding %+v has severity %v", f, f.Severity)
	}
	if !strings.HasPrefix(f.Remediation, "aws apigateway ") && !strings.HasPrefix(f.Remediation, "aws apigatewayv2 ") && !strings.HasPrefix(f.Remediation, "aws wafv2 ") {
		t.Errorf("remediation %q is not an AWS CLI command", f.Remediation)
	}
	for _, m := range regionFlagArg.FindAllStringSubmatch(f.Remediation, -1) {
		if strings.TrimRight(m[1], ")") != regionName {
			t.Errorf("remediation %q passes --region %q, want %q", f.Remediation, m[1], regionName)
		}
	}
	if !strings.Contains(f.Remediation, "--region "+regionName) {
		t.Errorf("remediation %q does not name region %s", f.Remediation, regionName)
	}
	assertShell(t, f.Remediation)
}

// assertShell parses cmd with bash -n, after quoting <placeholders> so that they read as words
// rather than redirections.
func assertShell(t *testing.T, cmd string) {
	t.Helper()
	bash, err := exec.LookPath("bash")
	if err != nil {
		return
	}
	quoted := angleHolder.ReplaceAllStringFunc(cmd, func(p string) string { return "'" + p + "'" })
	if out, err := exec.Command(bash, "-n", "-c", quoted).CombinedOutput(); err != nil {
		t.Errorf("remediation is not valid shell: %v\n%s\n%s", err, quoted, out)
	}
}
