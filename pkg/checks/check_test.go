package checks

import (
	"encoding/json"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/apigw-drift/driftaudit/pkg/inventory"
)

func TestRegistry(t *testing.T) {
	catalogue := []struct {
		id, family string
		levels     []Severity
	}{
		{"undeployed-changes", "deployment", []Severity{Critical, Warning}},
		{"stage-behind-latest", "deployment", []Severity{Info}},
		{"stage-without-deployment", "deployment", []Severity{Critical}},
		{"never-deployed", "deployment", []Severity{Info}},
		{"missing-options", "cors", []Severity{Critical, Warning}},
		{"options-requires-auth", "cors", []Severity{Critical}},
		{"options-missing-cors-headers", "cors", []Severity{Warning}},
		{"unkeyed-usage-plan", "usage-plans", []Severity{Critical, Warning}},
		{"api-key-without-plan", "usage-plans", []Severity{Critical}},
		{"usage-plan-dangling-stage", "usage-plans", []Severity{Warning}},
		{"base-path-gap", "custom-domains", []Severity{Critical, Warning, Info}},
		{"access-logging-disabled", "hygiene", []Severity{Warning}},
		{"execution-logging-disabled", "hygiene", []Severity{Info}},
		{"detailed-metrics-disabled", "hygiene", []Severity{Info}},
		{"tracing-disabled", "hygiene", []Severity{Info}},
		{"waf-not-attached", "hygiene", []Severity{Info}},
		{"client-certificate-missing", "hygiene", []Severity{Info}},
		{"cache-not-encrypted", "hygiene", []Severity{Warning}},
		{"public-method-without-auth", "hygiene", []Severity{Warning}},
		{"secrets-in-stage-variables", "hygiene", []Severity{Critical}},
		{"endpoint-type-not-allowed", "hygiene", []Severity{Warning}},
		{"domain-tls-outdated", "hygiene", []Severity{Warning, Info}},
	}
	all := All()
	if len(all) != len(catalogue) {
		t.Fatalf("All() has %d checks, the catalogue has %d", len(all), len(catalogue))
	}
	kebab := regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	seen := map[string]bool{}
	for i, c := range all {
		want := catalogue[i]
		t.Run(want.id, func(t *testing.T) {
			if c.ID != want.id {
				t.Fatalf("check %d is %q, want %q (the order of CHECKS.md)", i, c.ID, want.id)
			}
			if seen[c.ID] {
				t.Errorf("id %q is registered twice", c.ID)
			}
			seen[c.ID] = true
			if !kebab.MatchString(c.ID) {
				t.Errorf("id %q is not kebab-case", c.ID)
			}
			if c.Family != want.family {
				t.Errorf("family %q, want %q", c.Family, want.family)
			}
			for field, v := range map[string]string{"title": c.Title, "levels": c.Levels, "looks at": c.LooksAt, "remediation": c.Remediation} {
				if strings.TrimSpace(v) == "" {
					t.Errorf("%s is empty", field)
				}
			}
			if want.family == "hygiene" && strings.TrimSpace(c.Peers) == "" {
				t.Error("a hygiene check names the peers that check the same thing (CHECKS.md's \"also checked by\")")
			}
			if c.run == nil {
				t.Fatal("no run function")
			}
			if c.Severity != slices.Max(want.levels) {
				t.Errorf("severity %v, want the most severe level %v", c.Severity, slices.Max(want.levels))
			}
			for _, sev := range []Severity{Critical, Warning, Info} {
				mentioned := regexp.MustCompile(`\b` + sev.String() + `\b`).MatchString(c.Levels)
				if mentioned != slices.Contains(want.levels, sev) {
					t.Errorf("levels %q: mentions %v = %t, want %t", c.Levels, sev, mentioned, !mentioned)
				}
			}
		})
	}
}

func TestAllReturnsAFreshSlice(t *testing.T) {
	a := All()
	a[0] = Check{ID: "changed"}
	if All()[0].ID != "undeployed-changes" {
		t.Error("All() shares its slice between calls")
	}
}

// TestCheckJSON pins what `driftaudit checks --format json` lists of each check: exactly its
// metadata under these keys, with the struct's values, severity by name, and peers only when
// there are some.
func TestCheckJSON(t *testing.T) {
	withPeers, withoutPeers := 0, 0
	for _, c := range All() {
		b, err := json.Marshal(c)
		if err != nil {
			t.Fatalf("%s: %v", c.ID, err)
		}
		var got map[string]any
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatalf("%s: %v", c.ID, err)
		}
		want := map[string]any{
			"id":          c.ID,
			"family":      c.Family,
			"title":       c.Title,
			"severity":    severityNames[c.Severity],
			"levels":      c.Levels,
			"looks_at":    c.LooksAt,
			"remediation": c.Remediation,
		}
		if c.Peers != "" {
			want["peers"] = c.Peers
			withPeers++
		} else {
			withoutPeers++
		}
		if gotKeys, wantKeys := slices.Sorted(maps.Keys(got)), slices.Sorted(maps.Keys(want)); !slices.Equal(gotKeys, wantKeys) {
			t.Errorf("%s: keys %v, want %v", c.ID, gotKeys, wantKeys)
		}
		for k, w := range want {
			if !reflect.DeepEqual(got[k], w) {
				t.Errorf("%s: %s = %#v, want %#v", c.ID, k, got[k], w)
			}
		}
	}
	if withPeers == 0 || withoutPeers == 0 {
		t.Errorf("%d checks with peers and %d without: both kinds are needed for this test to mean anything", withPeers, withoutPeers)
	}
}

// everyCheckFires is an inventory in which each check of the catalogue finds something.
func everyCheckFires() *inventory.Inventory {
	eu := region(
		api("a1", "orders", withTag("cors", "true"),
			withResource("r1", "/orders", get(keyRequired()), post()),
			withResource("r2", "/items", get(), options(auth("AWS_IAM"), noIntegrationResponses())),
			withStage("dev", "d2"), withStage("prod", "d1"), withStage("test", ""),
			withDeployment("d1", t0, at("/orders", "GET key")),
			withDeployment("d2", t1, at("/orders", "GET key", "POST"), at("/items", "GET", "OPTIONS AWS_IAM"))),
		api("a2", "drafts", withResource("r9", "/x", get())),
		api("a3", "payments", endpoint("REGIONAL"),
			withResource("r5", "/pay", post(auth("AWS_IAM"), integration("HTTP_PROXY"))),
			withStageSettings("live", "d5", hygienic(), clientCert(""), cacheCluster(true),
				methodSetting("*/*", inventory.MethodSetting{LoggingLevel: "INFO", MetricsEnabled: true, CachingEnabled: true}),
				variable("dbPassword", false)),
			withDeployment("d5", t0, at("/pay", "POST AWS_IAM"))),
		plan("p1", "gold", covers("a1", "dev"), covers("a9", "prod")),
		domain("api.example.com"),
		httpAPI("h1", "carts", routes("GET /carts", "POST /carts"), deployedStage("prod", "hd1", routes("GET /carts")), inventory.V2Stage{Name: "dev", DeploymentID: "gone"}),
		domainRead(inventory.DomainName{Name: "old.example.com", SecurityPolicy: "TLS_1_0", MappingsSource: inventory.OpGetApiMappings, Mappings: []inventory.BasePathMapping{}}),
	)
	us := region(domain("us.example.com", mapping("(none)", "a7", "prod")))
	us.Name = "us-east-1"
	return &inventory.Inventory{SchemaVersion: inventory.SchemaVersion, Regions: []inventory.Region{*eu, *us}}
}

func TestRun(t *testing.T) {
	inv := everyCheckFires()
	cfg := DefaultConfig()
	cfg.AllowedEndpointTypes = []string{"REGIONAL"}
	got := Run(inv, All(), cfg)
	fired := map[string]bool{}
	for _, f := range got {
		fired[f.Check] = true
		if f.Region != "eu-west-1" && f.Region != "us-east-1" {
			t.Errorf("finding %+v names region %q", f, f.Region)
		}
		assertWellFormed(t, f, f.Region)
	}
	for _, c := range All() {
		if !fired[c.ID] {
			t.Errorf("check %s found nothing in the inventory built to trigger it", c.ID)
		}
	}
	if !slices.IsSortedFunc(got, func(a, b Finding) int { return int(b.Severity) - int(a.Severity) }) {
		t.Errorf("findings are not worst first:\n%s", dump(got))
	}
	again := slices.Clone(got)
	Sort(again)
	if !slices.Equal(again, got) {
		t.Error("Run's order is not Sort's order")
	}
	if Run(everyCheckFires(), All(), cfg)[0] != got[0] {
		t.Error("Run is not deterministic")
	}

	only := Run(inv, []Check{neverDeployed}, DefaultConfig())
	if len(only) != 1 || only[0].Check != "never-deployed" || only[0].APIID != "a2" || only[0].Region != "eu-west-1" {
		t.Errorf("Run with one check: %+v", only)
	}

	empty := Run(&inventory.Inventory{}, All(), DefaultConfig())
	if empty == nil || len(empty) != 0 {
		t.Errorf("Run on an empty inventory = %#v, want an empty, non-nil slice", empty)
	}
}

func TestSort(t *testing.T) {
	fs := []Finding{
		{Severity: Info, Region: "eu-west-1", APIName: "a"},
		{Severity: Warning, Region: "us-east-1", APIName: "a"},
		{Severity: Critical, Region: "us-east-1", APIName: "b"},
		{Severity: Warning, Region: "eu-west-1", APIName: "b", Stage: "prod"},
		{Severity: Warning, Region: "eu-west-1", APIName: "b", Stage: "dev"},
		{Severity: Critical, Region: "eu-west-1", APIName: "z", Check: "b-check"},
		{Severity: Critical, Region: "eu-west-1", APIName: "z", Check: "a-check"},
	}
	Sort(fs)
	var order []string
	for _, f := range fs {
		order = append(order, f.Severity.String()+" "+f.Region+" "+f.APIName+" "+f.Stage+" "+f.Check)
	}
	want := []string{
		"critical eu-west-1 z  a-check",
		"critical eu-west-1 z  b-check",
		"critical us-east-1 b  ",
		"warning eu-west-1 b dev ",
		"warning eu-west-1 b prod ",
		"warning us-east-1 a  ",
		"info eu-west-1 a  ",
	}
	if !slices.Equal(order, want) {
		t.Errorf("order\n%s\nwant\n%s", strings.Join(order, "\n"), strings.Join(want, "\n"))
	}
}

func TestChecksOnEmptyAndUnreadData(t *testing.T) {
	allUnread := region(
		regionUnread(inventory.OpGetRestApis, inventory.OpGetUsagePlans, inventory.OpGetAPIKeys, inventory.OpGetDomainNames),
	)
	apisUnread := region(
		api("a1", "orders", withTag("cors", "true"), apiUnread(inventory.OpGetResources, inventory.OpGetStages, inventory.OpGetDeployments)),
		plan("p1", "gold", covers("a1", "prod"), planKeysUnread()),
		domainMappingsUnread("api.example.com"),
	)
	snapshotsUnread := region(
		api("a1", "orders", withTag("cors", "true"),
			withResource("r1", "/orders", get(keyRequired()), options()),
			withStageSettings("prod", "d1", hygienic()), withListedDeployment("d1", t0)),
		plan("p1", "gold", covers("a1", "prod"), planKeys("k1")),
	)
	// The ragged stage has what the hygiene checks want, except what lives in its nil maps.
	raggedStage := inventory.Stage{Name: "prod", DeploymentID: "d1", AccessLogDestination: "arn:aws:logs:eu-west-1:123456789012:log-group:a",
		TracingEnabled: true, WebACLArn: "arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/a/b"}
	ragged := &inventory.Region{
		Name: "eu-west-1",
		APIs: []inventory.API{{ID: "a1", Stages: []inventory.Stage{raggedStage},
			Deployments: []inventory.Deployment{{ID: "d1"}}, Resources: []inventory.Resource{{ID: "r1", Path: "/"}}}},
		UsagePlans: []inventory.UsagePlan{{ID: "p1", Name: "gold", KeyIDs: []string{"k1"}}},
		Domains:    []inventory.DomainName{{Name: "api.example.com", Mappings: []inventory.BasePathMapping{{BasePath: "(none)", APIID: "a1", Stage: "prod"}}}},
	}
	for _, tc := range []struct {
		name string
		r    *inventory.Region
		// saysWrong are the checks for which the data does say something is wrong: they must
		// find it, without tripping on the nil maps.
		saysWrong []string
	}{
		{name: "zero region", r: &inventory.Region{}},
		{name: "empty region", r: region()},
		{name: "region lists unread", r: allUnread},
		{name: "API, plan keys and mappings unread", r: apisUnread},
		{name: "snapshots unread", r: snapshotsUnread},
		{name: "nil maps and slices everywhere", r: ragged, saysWrong: []string{"execution-logging-disabled", "detailed-metrics-disabled"}},
	} {
		for _, c := range All() {
			t.Run(tc.name+"/"+c.ID, func(t *testing.T) {
				got := c.Run(tc.r, DefaultConfig())
				if slices.Contains(tc.saysWrong, c.ID) {
					if len(got) != 1 || got[0].Stage != "prod" {
						t.Errorf("want one finding on stage prod, got:\n%s", dump(got))
					}
					for _, f := range got {
						assertWellFormed(t, f, tc.r.Name)
					}
					return
				}
				if len(got) != 0 {
					t.Errorf("findings on data that says nothing is wrong, or nothing was read:\n%s", dump(got))
				}
			})
		}
	}
}

func TestSeverityText(t *testing.T) {
	for _, tc := range []struct {
		sev  Severity
		name string
	}{{Info, "info"}, {Warning, "warning"}, {Critical, "critical"}} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.sev.String() != tc.name {
				t.Errorf("String() = %q", tc.sev.String())
			}
			b, err := json.Marshal(tc.sev)
			if err != nil || string(b) != `"`+tc.name+`"` {
				t.Fatalf("json.Marshal = %s, %v", b, err)
			}
			var back Severity
			if err := json.Unmarshal(b, &back); err != nil || back != tc.sev {
				t.Errorf("round trip gave %v, %v", back, err)
			}
			f := Finding{Check: "x", Severity: tc.sev, Region: "eu-west-1", APIID: "a1", Message: "m", Remediation: "r"}
			fb, err := json.Marshal(f)
			if err != nil || !strings.Contains(string(fb), `"severity":"`+tc.name+`"`) {
				t.Fatalf("finding JSON %s, %v", fb, err)
			}
			var fback Finding
			if err := json.Unmarshal(fb, &fback); err != nil || fback != f {
				t.Errorf("finding round trip gave %+v, %v", fback, err)
			}
		})
	}
	for _, sev := range []Severity{0, 4, -1} {
		if _, err := json.Marshal(sev); err == nil {
			t.Errorf("json.Marshal(Severity(%d)) succeeded", int(sev))
		}
		if !strings.HasPrefix(sev.String(), "severity(") {
			t.Errorf("Severity(%d).String() = %q", int(sev), sev.String())
		}
	}
	if _, err := json.Marshal(Finding{Check: "x"}); err == nil {
		t.Error("a finding without a severity marshals")
	}
	for _, in := range []string{`"urgent"`, `""`, `3`, `null`} {
		var s Severity
		err := json.Unmarshal([]byte(in), &s)
		if in == `null` {
			if err != nil || s != 0 {
				t.Errorf("json null: %v, %v", s, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("json.Unmarshal(%s) succeeded with %v", in, s)
		}
	}
}

func TestParseSeverity(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Severity
		err  bool
	}{
		{in: "critical", want: Critical},
		{in: "CRITICAL", want: Critical},
		{in: "Warning", want: Warning},
		{in: "info", want: Info},
		{in: "", err: true},
		{in: "high", err: true},
		{in: " info", err: true},
		{in: "information", err: true},
		{in: "warn", err: true},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseSeverity(tc.in)
			if tc.err {
				if err == nil {
					t.Fatalf("ParseSeverity(%q) = %v, want an error", tc.in, got)
				}
				for _, p := range []string{`"` + tc.in + `"`, "critical, warning or info"} {
					if !strings.Contains(err.Error(), p) {
						t.Errorf("error %q does not contain %q", err, p)
					}
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("ParseSeverity(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
			}
		})
	}
}

func TestDefaultConfig(t *testing.T) {
	if got := DefaultConfig().CORSTag; got != "cors" {
		t.Errorf("CORSTag = %q, want the cors tag of CHECKS.md", got)
	}
}

// streamed runs the checks as audit.Audit does: the per-API ones on each API alone, which is
// then slimmed, and the others on the slimmed region.
func streamed(r inventory.Region, ran []Check, cfg Config) []Finding {
	var out []Finding
	for i := range r.APIs {
		out = append(out, RunAPI(r.Account, r.Name, &r.APIs[i], ran, cfg)...)
		r.APIs[i].Slim()
	}
	perAPI, regionWide := SplitByScope(ran)
	out = append(out, Run(&inventory.Inventory{Regions: []inventory.Region{r}}, regionWide, cfg)...)
	out = append(out, Run(&inventory.Inventory{Regions: []inventory.Region{{Name: r.Name, V2APIs: r.V2APIs}}}, perAPI, cfg)...)
	Sort(out)
	if out == nil {
		out = []Finding{}
	}
	return out
}

// TestPerAPIChecksNeedOnlyTheirAPI: every check marked per-API finds, API by API, what it finds
// on the whole region, and the region-wide checks find on slimmed APIs what they find on whole
// ones. A check that looks at another API, a plan or a domain must not be marked per-API.
func TestPerAPIChecksNeedOnlyTheirAPI(t *testing.T) {
	cfg := DefaultConfig()
	cfg.AllowedEndpointTypes = []string{"REGIONAL"}
	inv := everyCheckFires()
	want := Run(inv, All(), cfg)
	var got []Finding
	for _, r := range inv.Regions {
		got = append(got, streamed(r, All(), cfg)...)
	}
	Sort(got)
	if !reflect.DeepEqual(want, got) {
		t.Errorf("streamed findings differ from the whole run:\nwant %v\ngot  %v", want, got)
	}
	perAPI, _ := SplitByScope(All())
	if len(perAPI) != 17 {
		t.Errorf("%d per-API checks, want the 17 that read one API only", len(perAPI))
	}
}

// TestFingerprint: a finding's id is made of its account, region, check and location, never
// its message or severity; any one of those changed gives another id.
func TestFingerprint(t *testing.T) {
	base := Finding{Check: "undeployed-changes", Severity: Critical, AccountID: "111111111111", Region: "eu-west-1", APIID: "a1", Stage: "prod",
		Path: "/orders", Method: "POST", Message: "m", Remediation: "r"}
	id := Fingerprint(base)
	if len(id) != 32 || strings.Trim(id, "0123456789abcdef") != "" {
		t.Fatalf("fingerprint %q is not 32 hex digits", id)
	}
	same := base
	same.Message, same.Severity, same.Remediation, same.APIName, same.UsagePlanName = "another message", Warning, "another fix", "renamed", "renamed plan"
	if Fingerprint(same) != id {
		t.Error("the message, severity, remediation, API name or usage plan name changed the fingerprint")
	}
	for name, change := range map[string]func(*Finding){
		"account": func(f *Finding) { f.AccountID = "222222222222" }, "region": func(f *Finding) { f.Region = "us-east-1" },
		"check": func(f *Finding) { f.Check = "missing-options" }, "api": func(f *Finding) { f.APIID = "a2" },
		"stage": func(f *Finding) { f.Stage = "dev" }, "path": func(f *Finding) { f.Path = "/order" }, "method": func(f *Finding) { f.Method = "GET" },
		"domain": func(f *Finding) { f.Domain = "x.example.com" }, "base path": func(f *Finding) { f.BasePath = "v1" },
		"usage plan":     func(f *Finding) { f.UsagePlanID = "p1" },
		"field boundary": func(f *Finding) { f.APIID, f.Stage = "a1prod", "" },
	} {
		f := base
		change(&f)
		if Fingerprint(f) == id {
			t.Errorf("a finding of another %s has the same fingerprint", name)
		}
	}
}
