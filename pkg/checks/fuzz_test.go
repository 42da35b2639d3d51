package checks

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/apigw-drift/driftaudit/pkg/inventory"
)

// fzReader hands out the fuzzed bytes as choices; once they run out every choice is the first.
type fzReader struct{ b []byte }

func (r *fzReader) next() int {
	if len(r.b) == 0 {
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return int(c)
}

func (r *fzReader) intn(n int) int         { return r.next() % n }
func (r *fzReader) flag() bool             { return r.next()&1 == 1 }
func (r *fzReader) one(of []string) string { return of[r.intn(len(of))] }

// fzRegion is a fuzzed region with what the properties need to know about it.
type fzRegion struct {
	region inventory.Region
	// same is the snapshot of deployment "same" of each API, equal to its working definition.
	same []map[string]map[string]inventory.MethodSnapshot
	// uniquePaths is, per API, whether no two resources share a path.
	uniquePaths []bool
}

// fzBuild makes a region from data; word stands for any string the mutator likes (unicode, NUL,
// invalid UTF-8). The same data always builds the same region.
func fzBuild(data []byte, word string) fzRegion {
	r := &fzReader{b: data}
	long := strings.Repeat("segment-", 64)
	segments := []string{"users", "{id}", "{proxy+}", "ünïcødé", "日本語", "", "a b", "%2F", "..", "{", "\x00", "\xff", long, word}
	methodNames := []string{"GET", "POST", "OPTIONS", "ANY", "DELETE", "get", "options", "Options", "", word}
	authTypes := []string{"", "NONE", "none", "AWS_IAM", "CUSTOM", "COGNITO_USER_POOLS", word}
	headers := []string{allowOrigin, strings.ToLower(allowOrigin), allowMethods, strings.ToUpper(allowMethods), allowHeaders, "X-Other", word}
	values := []string{"'*'", "'https://example.com'", "'GET,POST'", "'GET,OPTIONS,POST,PUT,DELETE'", "'*", "'", "''", "method.request.header.Origin", word}
	codes := []string{"200", "204", "500", "", word}
	integrations := []string{"MOCK", "AWS_PROXY", "HTTP_PROXY", "AWS", "", word}
	deploymentIDs := []string{"same", "drift", "", "gone", "dup", "nosummary", word}
	stageNames := []string{"prod", "dev", "prod", "", "ステージ", word}

	out := fzRegion{region: inventory.Region{Name: r.one([]string{"eu-west-1", "", word})}}
	reg := &out.region
	if r.intn(8) == 0 {
		reg.Unread = []string{inventory.OpGetUsagePlans, inventory.OpGetRestApis}[:1+r.intn(2)]
	}
	for range 1 + r.intn(3) {
		api := inventory.API{ID: r.one([]string{"a1", "a2", "a1", "", word}), Name: r.one([]string{"orders", "", word})}
		switch r.intn(5) {
		case 1:
			api.Tags = map[string]string{"cors": "true"}
		case 2:
			api.Tags = map[string]string{"cors": " TRUE ", "team": word}
		case 3:
			api.Tags = map[string]string{}
		}
		if r.intn(4) == 0 {
			api.EndpointTypes = []string{r.one([]string{"EDGE", "REGIONAL", "PRIVATE", "", word})}
		}
		for _, op := range []string{inventory.OpGetResources, inventory.OpGetStages, inventory.OpGetDeployments} {
			if r.intn(10) == 0 {
				api.Unread = append(api.Unread, op)
			}
		}
		// The working definition: a few resources, copied up to thousands of times, with paths
		// up to thousands of segments deep.
		var resources []inventory.Resource
		for range r.intn(8) {
			parts := make([]string, r.intn(6))
			for i := range parts {
				parts[i] = r.one(segments)
			}
			path := "/" + strings.Join(parts, "/")
			if times := 100 * (1 + r.intn(20)); r.intn(8) == 0 {
				path = strings.Repeat(path, min(times, 256<<10/len(path)))
			}
			res := inventory.Resource{ID: r.one([]string{"r1", "r2", "", word}), Path: path}
			switch r.intn(6) {
			case 0:
				res.Path = r.one([]string{"", "/", "//", word})
			case 1: // no methods, as GetResources returns a bare path
			case 2:
				res.Methods = map[string]inventory.Method{}
			default:
				res.Methods = map[string]inventory.Method{}
				for range 1 + r.intn(4) {
					m := inventory.Method{AuthorizationType: r.one(authTypes), APIKeyRequired: r.flag(), IntegrationType: r.one(integrations)}
					if r.flag() {
						m.MethodResponseHeaders = map[string][]string{}
						for range r.intn(3) {
							code := r.one(codes)
							m.MethodResponseHeaders[code] = append(m.MethodResponseHeaders[code], r.one(headers))
						}
					}
					if r.flag() {
						m.IntegrationResponseHeaders = map[string]map[string]string{}
						for range r.intn(3) {
							code := r.one(codes)
							if m.IntegrationResponseHeaders[code] == nil && r.intn(4) > 0 {
								m.IntegrationResponseHeaders[code] = map[string]string{}
							}
							if h := m.IntegrationResponseHeaders[code]; h != nil {
								h[r.one(headers)] = r.one(values)
							}
						}
					}
					res.Methods[r.one(methodNames)] = m
				}
			}
			resources = append(resources, res)
		}
		if r.intn(16) == 0 && len(resources) > 0 {
			n, distinct := 1+r.intn(8)*250/len(resources), r.flag()
			if size := len(fmt.Sprint(resources)); distinct && n*size > 4<<20 {
				n = max(1, (4<<20)/size) // thousands of copies of a megabyte path is a test of memory, not of the checks
			}
			for c := range n {
				for _, res := range resources {
					if distinct {
						res.Path = fmt.Sprintf("%s/copy%d", res.Path, c)
					}
					api.Resources = append(api.Resources, res)
				}
			}
		} else {
			api.Resources = resources
		}

		// What the stages serve: "same" is the working definition, written down on its own
		// with the variations API Gateway allows ("" or NONE for an open method, paths without
		// methods); "drift" is it with a few changes; "dup" exists twice.
		same := map[string]map[string]inventory.MethodSnapshot{}
		for _, res := range api.Resources {
			if _, ok := same[res.Path]; !ok && len(res.Methods) == 0 {
				switch r.intn(4) {
				case 0:
					same[res.Path] = nil
				case 1:
					same[res.Path] = map[string]inventory.MethodSnapshot{}
				}
			}
			for name, m := range res.Methods {
				auth := m.AuthorizationType
				if auth == "" || auth == "NONE" {
					auth = []string{"", "NONE"}[(len(name)+len(res.Path))%2]
				}
				if same[res.Path] == nil {
					same[res.Path] = map[string]inventory.MethodSnapshot{}
				}
				same[res.Path][name] = inventory.MethodSnapshot{AuthorizationType: auth, APIKeyRequired: m.APIKeyRequired}
			}
		}
		drift := map[string]map[string]inventory.MethodSnapshot{}
		for p, ms := range same {
			drift[p] = map[string]inventory.MethodSnapshot{}
			for name, m := range ms {
				drift[p][name] = m
			}
		}
		for range r.intn(4) {
			p := "/" + r.one(segments)
			if len(api.Resources) > 0 && r.flag() {
				p = api.Resources[r.intn(len(api.Resources))].Path
			}
			name := r.one(methodNames)
			switch r.intn(3) {
			case 0:
				delete(drift[p], name)
			case 1:
				if drift[p] == nil {
					drift[p] = map[string]inventory.MethodSnapshot{}
				}
				drift[p][name] = inventory.MethodSnapshot{AuthorizationType: r.one(authTypes), APIKeyRequired: r.flag()}
			default:
				if m, ok := drift[p][name]; ok {
					m.APIKeyRequired = !m.APIKeyRequired
					drift[p][name] = m
				}
			}
		}
		created := func() time.Time { return time.Date(2026, 1, 1+r.intn(30), 0, 0, 0, 0, time.UTC) }
		deployments := []inventory.Deployment{
			{ID: "same", CreatedDate: created(), Summary: same},
			{ID: "drift", CreatedDate: created(), Summary: drift},
			{ID: "nosummary", CreatedDate: created()},
			{ID: "dup", CreatedDate: created(), Summary: drift},
			{ID: "dup", CreatedDate: created(), Summary: same},
		}
		for range r.intn(6) {
			i, j := r.intn(len(deployments)), r.intn(len(deployments))
			deployments[i], deployments[j] = deployments[j], deployments[i]
		}
		api.Deployments = deployments[:1+r.intn(len(deployments))]
		if r.intn(8) == 0 {
			api.Deployments = nil
		}
		for range r.intn(4) {
			st := inventory.Stage{Name: r.one(stageNames), DeploymentID: r.one(deploymentIDs), TracingEnabled: r.flag(), AccessLogDestination: r.one([]string{"", "arn:aws:logs:eu-west-1:123456789012:log-group:x", word})}
			if r.flag() {
				st.MethodSettings = map[string]inventory.MethodSetting{
					r.one([]string{"*/*", "users/GET", "~1{proxy+}/ANY", "", word}): {LoggingLevel: r.one([]string{"", "OFF", "ERROR", "INFO", word}), MetricsEnabled: r.flag(), CachingEnabled: r.flag()},
				}
			}
			if r.flag() {
				st.Variables = []inventory.StageVariable{{Name: r.one([]string{"password", "url", "", word}), ValueLooksSecret: r.flag()}}
			}
			api.Stages = append(api.Stages, st)
		}
		reg.APIs = append(reg.APIs, api)
		out.same = append(out.same, same)
		seen, unique := map[string]bool{}, true
		for _, res := range api.Resources {
			unique = unique && !seen[res.Path]
			seen[res.Path] = true
		}
		out.uniquePaths = append(out.uniquePaths, unique)
	}
	for range r.intn(3) {
		plan := inventory.UsagePlan{ID: r.one([]string{"p1", "p2", "", word}), Name: r.one([]string{"basic", "", word}), KeysUnread: r.intn(8) == 0}
		for range r.intn(3) {
			plan.APIStages = append(plan.APIStages, inventory.APIStage{APIID: r.one([]string{"a1", "a2", "zz", word}), Stage: r.one(stageNames)})
		}
		if r.flag() {
			plan.KeyIDs = []string{r.one([]string{"k1", "k2", word})}
		}
		reg.UsagePlans = append(reg.UsagePlans, plan)
	}
	if r.flag() {
		reg.APIKeys = []inventory.APIKey{{ID: "k1", Enabled: r.flag()}, {ID: r.one([]string{"k2", word})}}
	}
	for range r.intn(3) {
		d := inventory.DomainName{Name: r.one([]string{"api.example.com", "", word}), MappingsUnread: r.intn(8) == 0}
		for range r.intn(3) {
			d.Mappings = append(d.Mappings, inventory.BasePathMapping{BasePath: r.one([]string{"(none)", "v1", "", word}), APIID: r.one([]string{"a1", "a2", "zz", ""}), Stage: r.one(stageNames)})
		}
		reg.Domains = append(reg.Domains, d)
	}
	return out
}

// fzDiffCount counts, independently of diffSnapshots, the methods that differ between the
// working definition and a deployed snapshot.
func fzDiffCount(api *inventory.API, deployed map[string]map[string]inventory.MethodSnapshot) int {
	open := func(a string) string {
		if a == "" {
			return "NONE"
		}
		return a
	}
	type key struct{ path, method string }
	working := map[key]inventory.MethodSnapshot{}
	for _, res := range api.Resources {
		for name, m := range res.Methods {
			working[key{res.Path, name}] = inventory.MethodSnapshot{AuthorizationType: open(m.AuthorizationType), APIKeyRequired: m.APIKeyRequired}
		}
	}
	n := 0
	for p, ms := range deployed {
		for name, d := range ms {
			d.AuthorizationType = open(d.AuthorizationType)
			if w, ok := working[key{p, name}]; !ok || w != d {
				n++
			}
		}
	}
	for k := range working {
		if _, ok := deployed[k.path][k.method]; !ok {
			n++
		}
	}
	return n
}

func FuzzStageDrift(f *testing.F) {
	f.Add([]byte{}, "")
	f.Add([]byte("\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f"), "{proxy+}")
	f.Add([]byte("\x00\x01\x03\x00\x05\x03\x05\x03\x01\x01\x03\x01\x00\x00\x01\x01\x02\x00\x03\x00\x01"), "ünïcødé")
	f.Add([]byte("\x10\x20\x30\x40\x50\x60\x70\x80\x90\xa0\xb0\xc0\xd0\xe0\xf0\xff\xfe\xfd"), "\xff\x00")
	f.Add([]byte(strings.Repeat("\x03\x07\x00\x05\x01\x02", 20)), "Access-Control-Allow-Methods")
	cfg := DefaultConfig()
	cfg.AllowedEndpointTypes = []string{"REGIONAL"}
	f.Fuzz(func(t *testing.T, data []byte, word string) {
		built := fzBuild(data, word)
		inv := &inventory.Inventory{SchemaVersion: inventory.SchemaVersion, Regions: []inventory.Region{built.region}}
		ran := All()
		findings := Run(inv, ran, cfg)

		ids := map[string]bool{}
		for _, c := range ran {
			ids[c.ID] = true
		}
		for _, fd := range findings {
			if !ids[fd.Check] || fd.Message == "" || fd.Remediation == "" || fd.Severity < Info || fd.Severity > Critical {
				t.Fatalf("incomplete finding %+v", fd)
			}
		}

		// Checks are pure: a second run, and a run over the same region built afresh (its maps
		// iterate in another order), find the same, and neither run changes the inventory.
		if again := Run(inv, ran, cfg); !reflect.DeepEqual(findings, again) {
			t.Fatalf("two runs differ:\n%v\n%v", findings, again)
		}
		fresh := &inventory.Inventory{SchemaVersion: inventory.SchemaVersion, Regions: []inventory.Region{fzBuild(data, word).region}}
		if !reflect.DeepEqual(inv, fresh) {
			t.Fatal("running the checks changed the inventory")
		}
		if again := Run(fresh, ran, cfg); !reflect.DeepEqual(findings, again) {
			t.Fatalf("runs over the same region differ:\n%v\n%v", findings, again)
		}
		// Judged API by API and slimmed, as audit.Audit does, the region finds the same.
		if got := streamed(fzBuild(data, word).region, ran, cfg); !reflect.DeepEqual(findings, got) {
			t.Fatalf("API by API, then slimmed, differs from the whole region:\n%v\n%v", findings, got)
		}

		reg := &inv.Regions[0]
		// Where an (API id, stage) pair is unambiguous, undeployed-changes reports exactly the
		// methods that differ, so nothing when the stage serves the working definition; and
		// no CORS check blames such a stage for what the working definition already says.
		type apiStage struct{ api, stage string }
		instances := map[apiStage]int{}
		for i := range reg.APIs {
			for _, st := range reg.APIs[i].Stages {
				instances[apiStage{reg.APIs[i].ID, st.Name}]++
			}
		}
		byStage := map[apiStage][]Finding{}
		for _, fd := range findings {
			byStage[apiStage{fd.APIID, fd.Stage}] = append(byStage[apiStage{fd.APIID, fd.Stage}], fd)
		}
		for i := range reg.APIs {
			api := &reg.APIs[i]
			if unread(api.Unread, inventory.OpGetResources) {
				continue
			}
			if d := diffSnapshots(workingSnapshot(api), built.same[i]); len(d) > 0 {
				t.Fatalf("the working definition differs from itself: %+v", d)
			}
			for j := range api.Stages {
				st := &api.Stages[j]
				key := apiStage{api.ID, st.Name}
				deployed := stageSnapshot(api, st)
				if instances[key] != 1 || deployed == nil {
					continue
				}
				var undeployed, cors []Finding
				for _, fd := range byStage[key] {
					switch fd.Check {
					case undeployedChanges.ID:
						undeployed = append(undeployed, fd)
					case missingOptions.ID, optionsRequiresAuth.ID:
						cors = append(cors, fd)
					}
				}
				if want := fzDiffCount(api, deployed); len(undeployed) != want {
					t.Fatalf("stage %q of %q: %d undeployed-changes findings, want %d: %v", st.Name, api.ID, len(undeployed), want, undeployed)
				}
				// Findings on the working definition have no stage: a stage named "" cannot be told apart.
				if st.Name != "" && reflect.DeepEqual(deployed, built.same[i]) && built.uniquePaths[i] && len(cors) > 0 {
					t.Fatalf("stage %q serves the working definition, yet %v", st.Name, cors)
				}
			}
		}
	})
}
