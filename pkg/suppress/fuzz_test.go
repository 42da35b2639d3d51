package suppress_test

import (
	"bytes"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/apigw-drift/driftaudit/pkg/checks"
	"github.com/apigw-drift/driftaudit/pkg/suppress"
)

// quoted is a Go-quoted string (%q) in an error: a key or value of the file, echoed.
var quoted = regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)

func FuzzParseSuppressions(f *testing.F) {
	for _, seed := range []string{
		"",
		"suppressions: []\n",
		"suppressions:\n  - check: missing-options\n    api: 'legacy-*'\n    reason: server to server only\n" +
			"  - {check: undeployed-changes, api: a1, stage: dev, reason: dev drifts on purpose, expires: 2027-01-01}\n",
		`{"suppressions": [{"check": "all", "api": "*", "reason": "sandbox account", "expires": "2026-12-31"}]}`,
		"suppressions:\n  - {check: nope, api: x, reason: r}\n",
		"suppressions: [",
		"suppressions: 7\n",
		"# nothing yet\n",
		"suppressions:\n  - {check: all, api: x, reason: r}\n  - chek: missing-options\n    api: x\n    reason: r\n",
		"suppressions:\n  - {check: all, api: [a1, a2], reason: r}\n",
		"suppressions:\n  - {check: all, api: x, reason: r, expires: 5}\n",
		`{"suppressions": [{"check": "all", "api": "x", "reason": {"why": 1}}, null]}`,
		"suppressions:\n  - {check: all, api: x, api: y, reason: r}\n",
	} {
		f.Add([]byte(seed))
	}
	findings := []checks.Finding{
		finding("missing-options", "l1", "legacy-orders", ""),
		finding("undeployed-changes", "a1", "api", "dev"),
		finding("undeployed-changes", "a1", "api", "prod"),
		finding("never-deployed", "d1", "draft", ""),
		finding("stage-behind-latest", "t1", "tagged", "prod"),
		{Check: "unkeyed-usage-plan", Severity: checks.Warning, Region: "eu-west-1", UsagePlanID: "p1", Message: "m", Remediation: "r"},
		{Check: "base-path-gap", Severity: checks.Critical, Region: "eu-west-1", Domain: "api.example.com", Message: "m", Remediation: "r"},
		finding("missing-options", "ü*?[", "{proxy+}", "*"),
	}
	tags := map[string]map[string]string{suppress.TagKey("", "eu-west-1", "t1"): {suppress.TagName: "stage-behind-latest"}}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := suppress.Parse("fuzz.yaml", bytes.NewReader(data), checks.All())
		if err != nil {
			if msg := err.Error(); !strings.Contains(msg, "fuzz.yaml") || strings.ContainsAny(msg, "\n\r") {
				t.Fatalf("error does not name the file in one line: %q", msg)
			}
			own := quoted.ReplaceAllString(err.Error(), `""`) // what the file itself says is quoted
			for _, goish := range []string{"suppress.", "[]", "!!", "unmarshal", "yaml.Node"} {
				if strings.Contains(own, goish) {
					t.Fatalf("error speaks Go or YAML internals (%s): %q", goish, err)
				}
			}
			if s != nil {
				t.Fatalf("error %v with a set of %d entries", err, s.Len())
			}
			return
		}
		again, err := suppress.Parse("fuzz.yaml", bytes.NewReader(data), checks.All())
		if err != nil || !reflect.DeepEqual(s, again) {
			t.Fatalf("a second Parse of the same file differs: %v", err)
		}
		in := append([]checks.Finding(nil), findings...)
		out := suppress.Apply(in, tags, s, now)
		if len(out.Findings)+len(out.Suppressed) != len(findings) {
			t.Fatalf("%d findings in, %d out and %d suppressed", len(findings), len(out.Findings), len(out.Suppressed))
		}
		if !reflect.DeepEqual(in, findings) {
			t.Fatal("Apply changed its input")
		}
		for _, sf := range out.Suppressed {
			if sf.Suppression == "" {
				t.Fatalf("%s suppressed without a reason", sf.Check)
			}
		}
		if len(out.Warnings) > s.Len() {
			t.Fatalf("%d warnings from %d entries", len(out.Warnings), s.Len())
		}
		if !reflect.DeepEqual(out, suppress.Apply(in, tags, s, now)) {
			t.Fatal("Apply is not deterministic")
		}
	})
}
