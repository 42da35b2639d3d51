package suppress_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/apigw-drift/driftaudit/pkg/checks"
	"github.com/apigw-drift/driftaudit/pkg/suppress"
)

var now = time.Date(2026, 11, 27, 3, 0, 0, 0, time.UTC)

func parse(t *testing.T, doc string) *suppress.Set {
	t.Helper()
	s, err := suppress.Parse("test.yaml", strings.NewReader(doc), checks.All())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestParseErrors: every error names the file, and where an entry is at fault its number
// (1-based) and line, the key, and what was expected in words; none names a Go type.
func TestParseErrors(t *testing.T) {
	const keys = "check, api, stage, account, reason, expires"
	for _, tc := range []struct{ name, doc, want string }{
		{"unknown check", "suppressions:\n  - check: nope\n    api: x\n    reason: r\n", `test.yaml: entry 1 (line 2): unknown check "nope" (see driftaudit checks)`},
		{"no check", "suppressions:\n  - api: x\n    reason: r\n", "test.yaml: entry 1 (line 2): check is required (a check id, or all)"},
		{"no reason", "suppressions:\n  - check: missing-options\n    api: x\n", "test.yaml: entry 1 (line 2): reason is required (a sentence saying why)"},
		{"blank reason", "suppressions:\n  - {check: missing-options, api: x, reason: '  '}\n", "test.yaml: entry 1 (line 2): reason is required (a sentence saying why)"},
		{"no api", "suppressions:\n  - check: missing-options\n    reason: r\n", "test.yaml: entry 1 (line 2): api is required (an API id or name, globs allowed, or * for all)"},
		{"bad date", "suppressions:\n  - {check: missing-options, api: x, reason: r, expires: 31/12/2026}\n", `test.yaml: entry 1 (line 2): expires "31/12/2026" is not a date (YYYY-MM-DD)`},
		{"number for a date", "suppressions:\n  - check: missing-options\n    api: x\n    reason: r\n    expires: 5\n", `test.yaml: entry 1 (line 5): expires "5" is not a date (YYYY-MM-DD)`},
		{"bad glob", "suppressions:\n  - {check: missing-options, api: '[x', reason: r}\n", `test.yaml: entry 1 (line 2): api: bad pattern "[x": syntax error in pattern`},
		{"unknown key", "suppressions:\n  - {check: missing-options, api: x, reason: r}\n  - {check: missing-options, api: x, reason: r}\n  - check: missing-options\n    api: x\n    stages: prod\n    reason: r\n",
			`test.yaml: entry 3 (line 6): unknown key "stages"; valid keys: ` + keys},
		{"list where a string goes", "suppressions:\n  - check: missing-options\n    api: [a1, a2]\n    reason: r\n", "test.yaml: entry 1 (line 3): api must be an API id or name, globs allowed, or * for all, found a list"},
		{"mapping where a string goes", `{"suppressions": [{"check": "all", "api": "x", "reason": {"why": "r"}}]}`, "test.yaml: entry 1 (line 1): reason must be a sentence saying why, found a mapping"},
		{"key twice", "suppressions:\n  - check: all\n    api: x\n    api: y\n    reason: r\n", "test.yaml: entry 1 (line 4): key api given twice (first on line 3)"},
		{"entry not a mapping", "suppressions:\n  - {check: all, api: x, reason: r}\n  - missing-options\n", `test.yaml: entry 2 (line 3): expected an entry with keys ` + keys + `, found the text "missing-options"`},
		{"null entry", "suppressions: [null]\n", "test.yaml: entry 1 (line 1): expected an entry with keys " + keys + ", found null"},
		{"unknown top-level key", "supressions:\n  - {check: all, api: x, reason: r}\n", `test.yaml: line 1: unknown key "supressions"; valid keys: suppressions`},
		{"suppressions twice", "suppressions: []\nsuppressions: [{check: all, api: x, reason: r}]\n", "test.yaml: line 2: key suppressions given twice (first on line 1); put every entry under one suppressions: list"},
		{"scalar where the list goes", "suppressions: 7\n", "test.yaml: line 1: suppressions must be a list of entries (each with " + keys + "), found a number"},
		{"a list at the top", "- {check: all, api: x, reason: r}\n", "test.yaml: line 1: expected suppressions: followed by a list of entries, found a list"},
		{"null document", "null\n", "test.yaml: line 1: expected suppressions: followed by a list of entries, found null"},
		{"empty", "", "test.yaml: the file is empty; write suppressions: followed by a list of entries (" + keys + ")"},
		{"only comments", "# nothing yet\n\n", "test.yaml: the file is empty; write suppressions: followed by a list of entries (" + keys + ")"},
		{"not yaml", "suppressions: [", "test.yaml: not YAML or JSON: yaml: line 1: did not find expected node content"},
		{"two documents", "suppressions: []\n---\nsuppressions:\n  - {check: missing-options, api: x, reason: r}\n", "test.yaml: more than one YAML document; put every entry under one suppressions: list"},
		{"second entry", "suppressions:\n  - {check: missing-options, api: x, reason: r}\n  - {check: missing-options, api: x}\n", "test.yaml: entry 2 (line 3): reason is required (a sentence saying why)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := suppress.Parse("test.yaml", strings.NewReader(tc.doc), checks.All())
			if err == nil || err.Error() != tc.want {
				t.Errorf("error\n%v, want\n%s", err, tc.want)
			}
			if s != nil {
				t.Errorf("a set with the error")
			}
			if err != nil && strings.Contains(err.Error(), "suppress.") || err != nil && strings.Contains(err.Error(), "[]") {
				t.Errorf("the error names a Go type: %v", err)
			}
		})
	}
}

func TestParseJSONAndEmptyList(t *testing.T) {
	s := parse(t, `{"suppressions": [{"check": "never-deployed", "api": "draft*", "reason": "prototypes"}]}`)
	if s.Len() != 1 {
		t.Errorf("JSON file: %d entries", s.Len())
	}
	if parse(t, "suppressions: []\n").Len() != 0 || parse(t, "suppressions:\n").Len() != 0 {
		t.Error("an empty list suppresses nothing")
	}
	aliased := parse(t, "suppressions: [&e {check: all, api: '*', reason: shared}, *e]\n")
	if aliased.Len() != 2 {
		t.Errorf("entries by alias: %d, want 2", aliased.Len())
	}
}

func finding(check, apiID, apiName, stage string) checks.Finding {
	return checks.Finding{Check: check, Severity: checks.Critical, Region: "eu-west-1", APIID: apiID, APIName: apiName, Stage: stage, Message: "m", Remediation: "r"}
}

func TestApply(t *testing.T) {
	set := parse(t, `
suppressions:
  - {check: missing-options, api: "legacy-*", reason: "server to server only"}
  - {check: undeployed-changes, api: a1, stage: dev, reason: "dev drifts on purpose", expires: 2027-01-01}
  - {check: never-deployed, api: "*", reason: "drafts are fine", expires: 2026-11-27}
  - {check: base-path-gap, api: "*", reason: "domains owned by another team"}
`)
	tags := map[string]map[string]string{
		suppress.TagKey("", "eu-west-1", "t1"): {suppress.TagName: "stage-behind-latest, options-requires-auth"},
		suppress.TagKey("", "eu-west-1", "t2"): {suppress.TagName: "all"},
		suppress.TagKey("", "us-east-1", "t1"): {suppress.TagName: "all"}, // same id in another region: no effect
	}
	in := []checks.Finding{
		finding("missing-options", "l1", "legacy-orders", ""),                                                          // file, by name glob
		finding("missing-options", "o1", "orders", ""),                                                                 // stays
		finding("undeployed-changes", "a1", "api", "dev"),                                                              // file, by id and stage
		finding("undeployed-changes", "a1", "api", "prod"),                                                             // stays: other stage
		finding("never-deployed", "d1", "draft", ""),                                                                   // stays: expired today
		finding("stage-behind-latest", "t1", "tagged", "prod"),                                                         // tag
		finding("missing-options", "t1", "tagged", ""),                                                                 // stays: not in the tag
		finding("api-key-without-plan", "t2", "all-tagged", "prod"),                                                    // tag all
		{Check: "base-path-gap", Severity: checks.Warning, Region: "eu-west-1", Domain: "x.example.com", Message: "m"}, // file, * matches no API
		{Check: "unkeyed-usage-plan", Severity: checks.Warning, Region: "eu-west-1", UsagePlanID: "p1", Message: "m"},  // stays
	}
	out := suppress.Apply(in, tags, set, now)
	var kept, gone []string
	for _, f := range out.Findings {
		kept = append(kept, f.Check+"/"+f.APIID+f.Domain+f.UsagePlanID)
	}
	for _, s := range out.Suppressed {
		gone = append(gone, s.Check+"/"+s.APIID+s.Domain+": "+s.Suppression)
	}
	wantKept := "missing-options/o1 undeployed-changes/a1 never-deployed/d1 missing-options/t1 unkeyed-usage-plan/p1"
	if strings.Join(kept, " ") != wantKept {
		t.Errorf("kept %v\nwant %s", kept, wantKept)
	}
	for i, want := range []string{
		"missing-options/l1: test.yaml entry 1: server to server only",
		"undeployed-changes/a1: test.yaml entry 2: dev drifts on purpose (until 2027-01-01)",
		"stage-behind-latest/t1: tag drift-auditor:ignore=stage-behind-latest, options-requires-auth on the API",
		"api-key-without-plan/t2: tag drift-auditor:ignore=all on the API",
		"base-path-gap/x.example.com: test.yaml entry 4: domains owned by another team",
	} {
		if i >= len(gone) || gone[i] != want {
			t.Errorf("suppressed[%d] = %q, want %q", i, at(gone, i), want)
		}
	}
	if len(out.Warnings) != 1 || !strings.Contains(out.Warnings[0], "entry 3 (check never-deployed, api *) expired on 2026-11-27") {
		t.Errorf("warnings %q", out.Warnings)
	}
	for _, f := range out.Findings {
		if f.Check == "never-deployed" && !strings.Contains(f.Message, "[the suppression of this finding expired on 2026-11-27: drafts are fine]") {
			t.Errorf("an expired suppression's finding does not say so: %q", f.Message)
		}
	}
}

func TestApplyWithoutFile(t *testing.T) {
	out := suppress.Apply([]checks.Finding{finding("missing-options", "o1", "orders", "")}, nil, nil, now)
	if len(out.Findings) != 1 || len(out.Suppressed) != 0 || out.Warnings != nil {
		t.Errorf("%+v", out)
	}
}

func TestSuppressedJSONIsFlat(t *testing.T) {
	b, err := json.Marshal(suppress.Suppressed{Finding: finding("missing-options", "o1", "orders", ""), Suppression: "why"})
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if m["check"] != "missing-options" || m["api_id"] != "o1" || m["suppression"] != "why" || m["severity"] != "critical" {
		t.Errorf("%s", b)
	}
}

func at(s []string, i int) string {
	if i < len(s) {
		return s[i]
	}
	return "(none)"
}

// An entry with an account applies in that account only; a tag applies to its API in its own
// account, never to an API of the same id elsewhere.
func TestSuppressByAccount(t *testing.T) {
	set := parse(t, `
suppressions:
  - {check: missing-options, api: "*", account: "1111*", reason: "sandbox accounts"}
`)
	tags := map[string]map[string]string{suppress.TagKey("222222222222", "eu-west-1", "t1"): {suppress.TagName: "all"}}
	in := []checks.Finding{
		finding("missing-options", "o1", "orders", ""),
		finding("missing-options", "o1", "orders", ""),
		finding("never-deployed", "t1", "tagged", ""),
		finding("never-deployed", "t1", "tagged", ""),
	}
	in[0].AccountID, in[1].AccountID = "111111111111", "222222222222"
	in[2].AccountID, in[3].AccountID = "111111111111", "222222222222"
	out := suppress.Apply(in, tags, set, now)
	var kept []string
	for _, f := range out.Findings {
		kept = append(kept, f.Check+"@"+f.AccountID)
	}
	if want := "missing-options@222222222222 never-deployed@111111111111"; strings.Join(kept, " ") != want {
		t.Errorf("kept %v, want %s", kept, want)
	}
	if _, err := suppress.Parse("bad.yaml", strings.NewReader(`suppressions: [{check: all, api: "*", account: "[", reason: r}]`), checks.All()); err == nil {
		t.Error("a bad account pattern was accepted")
	}
}

// TestStale: an entry that matches no finding of a complete scan, standing or suppressed (by
// the file, by an earlier entry's match, or by the tag), is stale, said with its number, line
// and file; an entry of a check that did not run is not.
func TestStale(t *testing.T) {
	set := parse(t, `suppressions:
  - {check: missing-options, api: "legacy-*", reason: "server to server only"}
  - {check: missing-options, api: "*", reason: "shadowed by entry 1, still matching"}
  - check: undeployed-changes
    api: a1
    stage: dev
    reason: "dev drifts on purpose"
  - {check: never-deployed, api: tagged, reason: "also tagged"}
  - {check: never-deployed, api: "d*", reason: "expired but matching", expires: 2026-01-01}
  - {check: waf-not-attached, api: "*", reason: "the check does not run"}
  - {check: all, api: gone, account: "1111*", reason: "an API deleted long ago"}
`)
	in := []checks.Finding{
		finding("missing-options", "l1", "legacy-orders", ""),
		finding("undeployed-changes", "a1", "api", "prod"), // not dev: entry 3 matches nothing
		finding("never-deployed", "t1", "tagged", ""),
		finding("never-deployed", "d1", "draft", ""),
	}
	tags := map[string]map[string]string{suppress.TagKey("", "eu-west-1", "t1"): {suppress.TagName: "all"}}
	out := suppress.Apply(in, tags, set, now)
	var ran []checks.Check
	for _, c := range checks.All() {
		if c.ID != "waf-not-attached" {
			ran = append(ran, c)
		}
	}
	got := set.Stale(out.Findings, out.Suppressed, ran)
	want := []string{
		"stale suppression: entry 3 (line 4) in test.yaml matched no finding (check undeployed-changes, api a1, stage dev); remove it if what it silenced is gone",
		"stale suppression: entry 7 (line 11) in test.yaml matched no finding (check all, api gone, account 1111*); remove it if what it silenced is gone",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("stale\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if got := set.Stale(out.Findings, out.Suppressed, checks.All()); len(got) != 3 || !strings.Contains(got[1], "entry 6 (line 10)") {
		t.Errorf("with waf-not-attached run, entry 6 is stale too: %q", got)
	}
	var none *suppress.Set
	if got := none.Stale(in, nil, checks.All()); got != nil {
		t.Errorf("no file, no stale entry: %q", got)
	}
}
