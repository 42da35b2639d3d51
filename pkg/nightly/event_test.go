package nightly

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func testdata(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func replaceOnce(t *testing.T, s, old, repl string) string {
	t.Helper()
	if strings.Count(s, old) != 1 {
		t.Fatalf("%q is not once in the sample event", old)
	}
	return strings.Replace(s, old, repl, 1)
}

func TestParseEvent(t *testing.T) {
	schedulerDefault := testdata(t, "scheduler-default.json")
	rule := testdata(t, "rule-scheduled.json")
	tests := []struct {
		name    string
		payload string
		want    Input
	}{
		{"Scheduler default, detail \"{}\"", schedulerDefault, Input{}},
		{"Scheduler with a dry-run detail string", testdata(t, "scheduler-dry-run.json"), Input{DryRun: true}},
		{"Scheduler detail string with line breaks", replaceOnce(t, schedulerDefault, `"detail": "{}"`, `"detail": "\n{}\n"`), Input{}},
		{"Scheduler detail string null", replaceOnce(t, schedulerDefault, `"detail": "{}"`, `"detail": "null"`), Input{}},
		{"rule scheduled event, detail {}", rule, Input{}},
		{"rule event with regions in detail", replaceOnce(t, rule, `"detail": {}`, `"detail": {"regions": ["us-east-1", "eu-west-1"]}`),
			Input{Regions: []string{"us-east-1", "eu-west-1"}}},
		{"rule event without detail", replaceOnce(t, rule, `,
    "detail": {}`, ""), Input{}},
		{"event with detail null", replaceOnce(t, rule, `"detail": {}`, `"detail": null`), Input{}},
		{"manual input", testdata(t, "manual-dry-run.json"), Input{Regions: []string{"eu-west-1"}, DryRun: true}},
		{"manual regions only", `{"regions": ["eu-west-1", "us-east-1"]}`, Input{Regions: []string{"eu-west-1", "us-east-1"}}},
		{"manual dry run false", `{"dry_run": false}`, Input{}},
		{"manual empty region list", `{"regions": []}`, Input{Regions: []string{}}},
		{"empty payload", "", Input{}},
		{"blank payload", " \n\t", Input{}},
		{"null", "null", Input{}},
		{"empty object", "{}", Input{}},
		{"empty object with spaces", "{ }", Input{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseEvent([]byte(tt.payload))
			if err != nil {
				t.Fatal(err)
			}
			if got.DryRun != tt.want.DryRun || !slices.Equal(got.Regions, tt.want.Regions) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestParseEventErrors(t *testing.T) {
	schedulerDefault := testdata(t, "scheduler-default.json")
	rule := testdata(t, "rule-scheduled.json")
	const known = "known fields: regions, dry_run"
	tests := []struct {
		name    string
		payload string
		want    []string
	}{
		{"typo in manual input", `{"dryrun": true}`, []string{"invocation payload", `"dryrun"`, known}},
		{"dry run beside an event envelope", `{"source": "me", "dry_run": true}`, []string{"invocation payload", `"dry_run" beside an event's source`}},
		{"regions beside an event envelope", `{"detail-type": "Scheduled Event", "detail": {}, "regions": ["eu-west-1"]}`, []string{`"regions" beside`}},
		{"typo beside a known field", `{"regions": ["eu-west-1"], "region": "us-east-1"}`, []string{`"region"`, known}},
		{"typo in Scheduler detail", replaceOnce(t, schedulerDefault, `"detail": "{}"`, `"detail": "{\"dryRun\": true}"`),
			[]string{"event detail", `"dryRun"`, known}},
		{"typo in rule detail", replaceOnce(t, rule, `"detail": {}`, `"detail": {"dry-run": true}`),
			[]string{"event detail", `"dry-run"`, known}},
		{"dry run as a string", `{"dry_run": "yes"}`, []string{"invocation payload", "dry_run", known}},
		{"regions as a string", `{"regions": "eu-west-1"}`, []string{"invocation payload", "regions"}},
		{"JSON array", `[{"dry_run": true}]`, []string{"want a JSON object", `[{"dry_run": true}]`}},
		{"number", "42", []string{"want a JSON object", "got 42"}},
		{"string", `"{}"`, []string{"want a JSON object"}},
		{"long array is cut in the message", "[" + strings.Repeat(`"eu-west-1",`, 20) + "]", []string{"want a JSON object", "…"}},
		{"malformed JSON", `{"dry_run": tru}`, []string{"invocation payload", "invalid character"}},
		{"truncated JSON", `{"regions": ["eu-west-1"`, []string{"invocation payload", "unexpected end of JSON input"}},
		{"two JSON values", `{"dry_run": true} {"dry_run": false}`, []string{"invocation payload"}},
		{"Scheduler detail string with malformed JSON", testdata(t, "scheduler-bad-detail.json"), []string{"event detail"}},
		{"detail is an array", replaceOnce(t, rule, `"detail": {}`, `"detail": [true]`), []string{"event detail"}},
		{"detail is a number", replaceOnce(t, rule, `"detail": {}`, `"detail": 1`), []string{"event detail"}},
		{"detail string holding two values", replaceOnce(t, schedulerDefault, `"detail": "{}"`, `"detail": "{} {}"`),
			[]string{"event detail", "more than one JSON value"}},
		{"empty region", `{"regions": [""], "dry_run": true}`, []string{"invocation payload", "empty region name"}},
		{"blank region among others", `{"regions": ["eu-west-1", " "]}`, []string{"invocation payload", "empty region name"}},
		{"empty region in Scheduler detail", replaceOnce(t, schedulerDefault, `"detail": "{}"`, `"detail": "{\"regions\": [\"\"]}"`),
			[]string{"event detail", "empty region name"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseEvent([]byte(tt.payload))
			if err == nil {
				t.Fatalf("no error; got %+v", got)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

// TestDecodeStrict: an organization step's payload is decoded as strictly as a hand-written
// Input, without the Input's list of known fields.
func TestDecodeStrict(t *testing.T) {
	const ok = `{"run_id": "r1", "account_id": "111111111111", "region": "us-east-1"}`
	got, err := decodeStrict[ScanInput]([]byte(ok), "invocation payload", "")
	if want := (ScanInput{RunID: "r1", AccountID: "111111111111", Region: "us-east-1"}); err != nil || got != want {
		t.Errorf("decodeStrict(%s) = %+v, %v; want %+v", ok, got, err, want)
	}
	tests := []struct {
		name, payload, want string
	}{
		{"unknown field", `{"run_id": "r1", "acount_id": "1"}`, `invocation payload: json: unknown field "acount_id"`},
		{"wrong type", `{"run_id": 1}`, "invocation payload: json: cannot unmarshal number"},
		{"two JSON values", ok + " " + ok, "invocation payload: more than one JSON value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decodeStrict[ScanInput]([]byte(tt.payload), "invocation payload", "")
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) || strings.Contains(err.Error(), "known fields") {
				t.Errorf("error %v, want one starting %q", err, tt.want)
			}
			if got != (ScanInput{}) {
				t.Errorf("decoded %+v on error, want nothing", got)
			}
		})
	}
}
