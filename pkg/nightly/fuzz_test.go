package nightly

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// checkError fails unless err is a message a person can read in one log line.
func checkError(t *testing.T, err error) {
	t.Helper()
	if msg := err.Error(); strings.TrimSpace(msg) == "" || strings.ContainsAny(msg, "\n\r") {
		t.Fatalf("error is empty or not one line: %q", msg)
	}
}

func FuzzParseEvent(f *testing.F) {
	for _, seed := range []string{
		`{"dry_run":true}`,
		`{"regions":["eu-west-1","us-east-1"],"dry_run":true}`,
		`{"source":"aws.scheduler","detail-type":"Scheduled Event","detail":"{}"}`,
		`{"source":"aws.scheduler","detail-type":"Scheduled Event","detail":"{\"regions\":[\"eu-west-1\"]}"}`,
		`{"source":"aws.events","detail-type":"Scheduled Event","detail":{"dry_run":true}}`,
		`{"source":"aws.events","detail":null}`,
		`null`,
		"",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		in, err := ParseEvent(payload)
		if err != nil {
			checkError(t, err)
			if !reflect.DeepEqual(in, Input{}) {
				t.Fatalf("error %v with a half-filled input %+v", err, in)
			}
			return
		}
		for _, r := range in.Regions {
			if strings.TrimSpace(r) == "" {
				t.Fatalf("accepted an empty region: %q", in.Regions)
			}
		}
		// The same input, by hand, from a Scheduler (detail as a string) and from a rule
		// (detail as an object), reads back the same.
		bare, err := json.Marshal(in)
		if err != nil {
			t.Fatal(err)
		}
		detail, err := json.Marshal(string(bare))
		if err != nil {
			t.Fatal(err)
		}
		for _, again := range []string{
			string(bare),
			`{"source":"aws.scheduler","detail-type":"Scheduled Event","detail":` + string(detail) + `}`,
			`{"source":"aws.events","detail-type":"Scheduled Event","detail":` + string(bare) + `}`,
		} {
			got, err := ParseEvent([]byte(again))
			if err != nil {
				t.Fatalf("ParseEvent(%s) of the marshalled %+v: %v", again, in, err)
			}
			if got.DryRun != in.DryRun || !slices.Equal(got.Regions, in.Regions) {
				t.Fatalf("ParseEvent(%s) = %+v, want %+v", again, got, in)
			}
		}
	})
}

// configVars lists the variables FuzzLoadConfig sets from its string arguments, in their order;
// SUPPRESSIONS_FILE and LAMBDA_TASK_ROOT point at a file written from the fuzzed bytes.
var configVars = []string{
	EnvRegions, EnvAWSRegion, EnvNamespace, EnvReportTopicARN, EnvPerAPIMetrics, EnvReportOnlyWithFindings,
	EnvCORSTag, EnvPublishReserve, EnvQuotaRate, EnvQuotaBurst, EnvGetResourcesRate, EnvGetResourcesBurst,
	EnvEnabledChecks, EnvDisabledChecks, EnvSeverityOverrides, EnvAllowedEndpointTypes,
}

func FuzzLoadConfig(f *testing.F) {
	f.Add("eu-west-1,us-east-1", "", "", testTopic, "", "", "", "", "", "", "", "", "", "", "", "", []byte(nil), false)
	f.Add("", "eu-west-1", "Team/Drift", testTopic, "TRUE", "no", "browser", "1m", "2.5", "5", "0.5", "1",
		"deployment,cors", "never-deployed", "missing-options=info", "REGIONAL,PRIVATE",
		[]byte("suppressions:\n  - {check: never-deployed, api: 'draft-*', reason: prototypes, expires: 2027-01-01}\n"), false)
	f.Add(" , ", "us-east-1", "AWS/ApiGateway", testTopic, "maybe", "", " ", "-1s", "NaN", "0", "+Inf", "99999999999999999999",
		"nope", "", "cors=info", "edge", []byte(`{"suppressions": [{"check": "all", "api": "[", "reason": "x"}]}`), true)
	dir := f.TempDir()
	file := filepath.Join(dir, "suppressions.yaml")
	f.Fuzz(func(t *testing.T, regions, awsRegion, namespace, topic, perAPI, onlyWithFindings, corsTag, reserve,
		rate, burst, getResourcesRate, getResourcesBurst, enabled, disabled, severities, endpointTypes string,
		suppressions []byte, bundled bool) {
		env := map[string]string{}
		for i, v := range []string{regions, awsRegion, namespace, topic, perAPI, onlyWithFindings, corsTag, reserve,
			rate, burst, getResourcesRate, getResourcesBurst, enabled, disabled, severities, endpointTypes} {
			env[configVars[i]] = v
		}
		if len(suppressions) > 0 {
			if err := os.WriteFile(file, suppressions, 0o600); err != nil {
				t.Fatal(err)
			}
			if bundled {
				env[EnvTaskRoot] = dir
			} else {
				env[EnvSuppressionsFile] = file
			}
		}
		c, err := LoadConfig(func(k string) string { return env[k] })
		if err != nil {
			checkError(t, err)
			if !reflect.DeepEqual(c, Config{}) {
				t.Fatalf("error %v with a half-filled config %+v", err, c)
			}
			return
		}
		if err := c.Audit.Validate(); err != nil {
			t.Fatalf("LoadConfig accepted a config that does not validate: %v", err)
		}
		if len(c.Audit.Regions) == 0 || !validNamespace(c.Namespace) || !topicARN.MatchString(c.ReportTopicARN) || c.PublishReserve < 0 {
			t.Fatalf("LoadConfig accepted %+v", c)
		}
		again, err := LoadConfig(func(k string) string { return env[k] })
		if err != nil || !reflect.DeepEqual(c, again) {
			t.Fatalf("a second LoadConfig of the same environment differs: %+v, %v", again, err)
		}
	})
}
