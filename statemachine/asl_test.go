package statemachine_test

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/apigw-drift/driftaudit/internal/cfn"
)

// cfn-lint does not read the definition of an AWS::Serverless::StateMachine, and statelint both
// misses fields Step Functions refuses and refuses ReaderConfig.InputType, which it accepts. This
// linter knows the Amazon States Language (JSONPath) as Step Functions documents it, narrowed to
// what this project uses and moto 5.2.5 runs, so that a definition it passes also deploys and runs
// in the tests.

var (
	topFields = []string{"Comment", "StartAt", "States", "TimeoutSeconds", "Version", "QueryLanguage"}

	commonFields = []string{"Type", "Comment", "QueryLanguage"}
	// The fields each state type accepts besides the common ones (JSONPath; not JSONata's
	// Arguments and Output, which moto cannot evaluate). Map has no ItemBatcher: moto 5.2.5's
	// parser refuses it.
	stateFields = map[string][]string{
		"Task": {"Resource", "Parameters", "ResultSelector", "ResultPath", "InputPath", "OutputPath", "Retry", "Catch",
			"TimeoutSeconds", "TimeoutSecondsPath", "HeartbeatSeconds", "HeartbeatSecondsPath", "Credentials", "Assign", "Next", "End"},
		"Parallel": {"Branches", "Parameters", "ResultSelector", "ResultPath", "InputPath", "OutputPath", "Retry", "Catch", "Assign", "Next", "End"},
		"Map": {"ItemProcessor", "Iterator", "ItemReader", "ItemSelector", "Parameters", "ItemsPath", "MaxConcurrency",
			"MaxConcurrencyPath", "ToleratedFailurePercentage", "ToleratedFailurePercentagePath", "ToleratedFailureCount",
			"ToleratedFailureCountPath", "ResultWriter", "Label", "ResultSelector", "ResultPath", "InputPath", "OutputPath",
			"Retry", "Catch", "Assign", "Next", "End"},
		"Pass":    {"Result", "ResultPath", "Parameters", "InputPath", "OutputPath", "Assign", "Next", "End"},
		"Wait":    {"Seconds", "SecondsPath", "Timestamp", "TimestampPath", "InputPath", "OutputPath", "Assign", "Next", "End"},
		"Choice":  {"Choices", "Default", "InputPath", "OutputPath", "Assign"},
		"Succeed": {"InputPath", "OutputPath"},
		"Fail":    {"Error", "ErrorPath", "Cause", "CausePath"},
	}
	retrierFields = []string{"ErrorEquals", "IntervalSeconds", "MaxAttempts", "BackoffRate", "MaxDelaySeconds", "JitterStrategy", "Comment"}
	catcherFields = []string{"ErrorEquals", "Next", "ResultPath", "Comment"}

	// The service integrations the definition may call, with the API parameters each accepts.
	taskParameters = map[string][]string{
		"arn:aws:states:::lambda:invoke": {"FunctionName", "Payload", "Qualifier", "ClientContext", "InvocationType", "LogType"},
	}
	itemReaderResources = []string{"arn:aws:states:::s3:getObject", "arn:aws:states:::s3:listObjectsV2"}
	// JSONL is valid in AWS, but moto 5.2.5's parser refuses it.
	readerInputTypes = []string{"JSON", "CSV", "MANIFEST"}

	intrinsic = regexp.MustCompile(`^States\.(Format|StringToJson|JsonToString|Array|ArrayPartition|ArrayContains|ArrayRange|ArrayGetItem|ArrayLength|ArrayUnique|Base64Encode|Base64Decode|Hash|JsonMerge|MathRandom|MathAdd|StringSplit|UUID)\(.*\)$`)
)

func TestDefinitionIsValidASL(t *testing.T) {
	def, err := decodeJSON(readFile(t, definitionFile))
	if err != nil {
		t.Fatalf("%s is not JSON: %v", definitionFile, err)
	}
	l := &linter{names: map[string]string{}}
	l.fields("", def, topFields)
	if v, ok := def["TimeoutSeconds"]; ok && !positiveInt(v) {
		l.errorf("TimeoutSeconds", "want a positive integer, got %v", v)
	}
	l.machine("", def)
	for _, e := range l.errs {
		t.Error(e)
	}
}

// TestLinterCatchesMistakes: each mutation of the definition is one the linter must refuse.
func TestLinterCatchesMistakes(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(def map[string]any)
		want   string
	}{
		{"missing Next target", func(d map[string]any) { state(d, "Plan")["Next"] = "Scan" }, `Next "Scan"`},
		{"missing Catch target", func(d map[string]any) {
			state(d, "Plan")["Catch"].([]any)[0].(map[string]any)["Next"] = "Joins"
		}, `Next "Joins"`},
		{"missing target inside the ItemProcessor", func(d map[string]any) {
			scan := mapState(d)["ItemProcessor"].(map[string]any)["States"].(map[string]any)["Scan"].(map[string]any)
			delete(scan, "End")
			scan["Next"] = "Gone"
		}, `Next "Gone"`},
		{"StartAt names nothing", func(d map[string]any) { d["StartAt"] = "Planning" }, `StartAt "Planning"`},
		{"unreachable state", func(d map[string]any) {
			d["States"].(map[string]any)["Orphan"] = map[string]any{"Type": "Succeed"}
		}, "Orphan is unreachable"},
		{"ItemBatcher", func(d map[string]any) {
			mapState(d)["ItemBatcher"] = map[string]any{"MaxItemsPerBatch": json.Number("10")}
		}, "field ItemBatcher"},
		{"integer ToleratedFailurePercentage", func(d map[string]any) {
			m := mapState(d)
			delete(m, "ToleratedFailurePercentagePath")
			m["ToleratedFailurePercentage"] = json.Number("5")
		}, "write 5.0"},
		{"EXPRESS children", func(d map[string]any) {
			mapState(d)["ItemProcessor"].(map[string]any)["ProcessorConfig"].(map[string]any)["ExecutionType"] = "EXPRESS"
		}, "ExecutionType"},
		{"JSONL reader", func(d map[string]any) {
			mapState(d)["ItemReader"].(map[string]any)["ReaderConfig"].(map[string]any)["InputType"] = "JSONL"
		}, "InputType"},
		{"unknown Lambda parameter", func(d map[string]any) {
			state(d, "Join")["Parameters"].(map[string]any)["Input"] = "x"
		}, "parameter Input"},
		{"unknown integration", func(d map[string]any) { state(d, "Join")["Resource"] = "arn:aws:states:::lambda:invoke.sync" }, "Resource"},
		{"path that is not one", func(d map[string]any) { state(d, "Plan")["ResultPath"] = "plan" }, "ResultPath"},
		{"dynamic value that is not a path", func(d map[string]any) {
			state(d, "Plan")["Parameters"].(map[string]any)["Payload"].(map[string]any)["input.$"] = "input"
		}, "input.$"},
		{"States.ALL not last", func(d map[string]any) {
			p := state(d, "Plan")
			p["Catch"] = append(p["Catch"].([]any), map[string]any{"ErrorEquals": []any{"Lambda.Unknown"}, "Next": "Join"})
		}, "States.ALL"},
		{"dynamic ResultWriter prefix", func(d map[string]any) {
			p := mapState(d)["ResultWriter"].(map[string]any)["Parameters"].(map[string]any)
			delete(p, "Prefix")
			p["Prefix.$"] = "$.plan.run_id"
		}, "ResultWriter"},
		{"state name used twice", func(d map[string]any) {
			d["States"].(map[string]any)["Done"].(map[string]any)["Type"] = "Pass"
			d["States"].(map[string]any)["Done"].(map[string]any)["Next"] = "Scan"
			d["States"].(map[string]any)["Scan"] = map[string]any{"Type": "Succeed"}
		}, "Scan is declared twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			def, err := decodeJSON(readFile(t, definitionFile))
			if err != nil {
				t.Fatal(err)
			}
			tt.mutate(def)
			l := &linter{names: map[string]string{}}
			l.fields("", def, topFields)
			l.machine("", def)
			if !slices.ContainsFunc(l.errs, func(e string) bool { return strings.Contains(e, tt.want) }) {
				t.Errorf("the linter did not report %q; it reported %q", tt.want, l.errs)
			}
		})
	}
}

func state(def map[string]any, name string) map[string]any {
	return def["States"].(map[string]any)[name].(map[string]any)
}

func mapState(def map[string]any) map[string]any {
	for _, b := range state(def, "ScanAll")["Branches"].([]any) {
		for _, s := range b.(map[string]any)["States"].(map[string]any) {
			if s.(map[string]any)["Type"] == "Map" {
				return s.(map[string]any)
			}
		}
	}
	panic("no Map state in ScanAll")
}

type linter struct {
	errs []string
	// names records where each state name is declared: Step Functions wants them unique across
	// the whole definition, branches and item processors included.
	names map[string]string
}

func (l *linter) errorf(at, format string, args ...any) {
	l.errs = append(l.errs, at+": "+fmt.Sprintf(format, args...))
}

func (l *linter) fields(at string, obj map[string]any, allowed []string) {
	for k := range obj {
		if !slices.Contains(allowed, k) {
			l.errorf(at, "field %s is not one Step Functions (or moto) accepts here", k)
		}
	}
}

// machine checks a state machine or a nested one (a Parallel branch, a Map's ItemProcessor).
func (l *linter) machine(at string, m map[string]any) {
	states, ok := m["States"].(map[string]any)
	if !ok || len(states) == 0 {
		l.errorf(at, "no States")
		return
	}
	start, _ := m["StartAt"].(string)
	if _, ok := states[start]; !ok {
		l.errorf(at, "StartAt %q is not a state", start)
	}
	edges := map[string][]string{}
	names := make([]string, 0, len(states))
	for name := range states {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		where := at + "/" + name
		if prev, dup := l.names[name]; dup {
			l.errorf(where, "state %s is declared twice (also at %s)", name, prev)
		}
		l.names[name] = where
		if len(name) > 80 {
			l.errorf(where, "state name longer than 80 characters")
		}
		s, ok := states[name].(map[string]any)
		if !ok {
			l.errorf(where, "not an object")
			continue
		}
		for _, next := range l.state(where, s) {
			if _, ok := states[next]; !ok {
				l.errorf(where, "Next %q is not a state of this scope", next)
			}
			edges[name] = append(edges[name], next)
		}
	}
	reached := map[string]bool{}
	var visit func(string)
	visit = func(n string) {
		if reached[n] {
			return
		}
		reached[n] = true
		for _, e := range edges[n] {
			visit(e)
		}
	}
	visit(start)
	for _, name := range names {
		if !reached[name] {
			l.errorf(at+"/"+name, "%s is unreachable from %s", name, start)
		}
	}
}

// state checks one state and returns the states it may go to.
func (l *linter) state(at string, s map[string]any) []string {
	typ, _ := s["Type"].(string)
	allowed, ok := stateFields[typ]
	if !ok {
		l.errorf(at, "Type %q is not a state type", typ)
		return nil
	}
	l.fields(at, s, append(slices.Clone(commonFields), allowed...))
	for _, f := range []string{"InputPath", "OutputPath", "ResultPath", "ItemsPath", "MaxConcurrencyPath",
		"ToleratedFailurePercentagePath", "ToleratedFailureCountPath", "TimeoutSecondsPath", "HeartbeatSecondsPath",
		"SecondsPath", "TimestampPath"} {
		if v, ok := s[f]; ok {
			if p, _ := v.(string); !strings.HasPrefix(p, "$") {
				l.errorf(at, "%s %v is not a path", f, v)
			}
		}
	}
	for _, f := range []string{"Parameters", "ResultSelector", "ItemSelector"} {
		if v, ok := s[f]; ok {
			l.template(at+"/"+f, v)
		}
	}

	var next []string
	switch typ {
	case "Choice":
		for _, c := range asList(s["Choices"]) {
			if n, ok := asObject(c)["Next"].(string); ok {
				next = append(next, n)
			}
		}
		if d, ok := s["Default"].(string); ok {
			next = append(next, d)
		}
	case "Succeed", "Fail":
	default:
		n, hasNext := s["Next"].(string)
		end, _ := s["End"].(bool)
		switch {
		case hasNext && end, !hasNext && !end:
			l.errorf(at, "want exactly one of Next and End: true")
		case hasNext:
			next = append(next, n)
		}
	}
	if r, ok := s["Retry"]; ok {
		l.retry(at+"/Retry", asList(r))
	}
	if c, ok := s["Catch"]; ok {
		next = append(next, l.catch(at+"/Catch", asList(c))...)
	}

	switch typ {
	case "Task":
		l.task(at, s)
	case "Parallel":
		branches := asList(s["Branches"])
		if len(branches) == 0 {
			l.errorf(at, "a Parallel state needs Branches")
		}
		for i, b := range branches {
			l.machine(fmt.Sprintf("%s/Branches[%d]", at, i), asObject(b))
		}
	case "Map":
		l.mapState(at, s)
	}
	return next
}

func (l *linter) task(at string, s map[string]any) {
	res, _ := s["Resource"].(string)
	params, ok := taskParameters[res]
	if !ok {
		l.errorf(at, "Resource %q is not an integration this definition may use", res)
		return
	}
	p := asObject(s["Parameters"])
	for k := range p {
		if !slices.Contains(params, strings.TrimSuffix(k, ".$")) {
			l.errorf(at, "%s takes no parameter %s", res, k)
		}
	}
	if _, ok := p["FunctionName"]; !ok && res == "arn:aws:states:::lambda:invoke" {
		l.errorf(at, "lambda:invoke needs FunctionName")
	}
}

func (l *linter) mapState(at string, s map[string]any) {
	if _, ok := s["Iterator"]; ok {
		l.errorf(at, "Iterator is the old name of ItemProcessor; use ItemProcessor")
	}
	proc := asObject(s["ItemProcessor"])
	l.fields(at+"/ItemProcessor", proc, []string{"ProcessorConfig", "StartAt", "States", "Comment"})
	cfg := asObject(proc["ProcessorConfig"])
	l.fields(at+"/ItemProcessor/ProcessorConfig", cfg, []string{"Mode", "ExecutionType"})
	// Distributed, with STANDARD children: moto refuses EXPRESS ones, and a scan may outlast
	// EXPRESS's five minutes.
	if cfg["Mode"] != "DISTRIBUTED" || cfg["ExecutionType"] != "STANDARD" {
		l.errorf(at, "want ProcessorConfig Mode DISTRIBUTED, ExecutionType STANDARD, got %v", cfg)
	}
	l.machine(at+"/ItemProcessor", proc)

	if _, ok := s["MaxConcurrency"]; ok {
		if _, ok := s["MaxConcurrencyPath"]; ok {
			l.errorf(at, "MaxConcurrency and MaxConcurrencyPath together")
		}
	}
	if v, ok := s["ToleratedFailurePercentage"]; ok {
		if n, _ := v.(json.Number); !strings.ContainsAny(string(n), ".eE") {
			l.errorf(at, "ToleratedFailurePercentage %v: moto's parser wants a number with a fraction (write 5.0)", v)
		}
	}
	if r, ok := s["ItemReader"]; ok {
		reader := asObject(r)
		l.fields(at+"/ItemReader", reader, []string{"Resource", "ReaderConfig", "Parameters"})
		if res, _ := reader["Resource"].(string); !slices.Contains(itemReaderResources, res) {
			l.errorf(at+"/ItemReader", "Resource %q is not an item reader", res)
		}
		rc := asObject(reader["ReaderConfig"])
		l.fields(at+"/ItemReader/ReaderConfig", rc, []string{"InputType", "CSVHeaderLocation", "CSVHeaders", "MaxItems", "MaxItemsPath"})
		if it, _ := rc["InputType"].(string); reader["Resource"] == "arn:aws:states:::s3:getObject" && !slices.Contains(readerInputTypes, it) {
			l.errorf(at+"/ItemReader", "ReaderConfig InputType %q is not one of %v", it, readerInputTypes)
		}
		l.template(at+"/ItemReader/Parameters", reader["Parameters"])
	}
	if w, ok := s["ResultWriter"]; ok {
		writer := asObject(w)
		l.fields(at+"/ResultWriter", writer, []string{"Resource", "Parameters"})
		if writer["Resource"] != "arn:aws:states:::s3:putObject" {
			l.errorf(at+"/ResultWriter", "Resource %v: want arn:aws:states:::s3:putObject", writer["Resource"])
		}
		// Static: moto evaluates ResultWriter paths against the children's results rather than
		// the state's input, and Step Functions documents a static prefix.
		l.fields(at+"/ResultWriter/Parameters", asObject(writer["Parameters"]), []string{"Bucket", "Prefix"})
	}
}

func (l *linter) retry(at string, retriers []any) {
	for i, r := range retriers {
		where := fmt.Sprintf("%s[%d]", at, i)
		retrier := asObject(r)
		l.fields(where, retrier, retrierFields)
		l.errorEquals(where, retrier, i == len(retriers)-1)
		if v, ok := retrier["BackoffRate"]; ok {
			if f, err := v.(json.Number).Float64(); err != nil || f < 1 {
				l.errorf(where, "BackoffRate %v: want a number of at least 1.0", v)
			}
		}
		for _, f := range []string{"IntervalSeconds", "MaxDelaySeconds"} {
			if v, ok := retrier[f]; ok && !positiveInt(v) {
				l.errorf(where, "%s %v: want a positive integer", f, v)
			}
		}
		if v, ok := retrier["JitterStrategy"]; ok && v != "FULL" && v != "NONE" {
			l.errorf(where, "JitterStrategy %v: want FULL or NONE", v)
		}
	}
}

func (l *linter) catch(at string, catchers []any) []string {
	var next []string
	for i, c := range catchers {
		where := fmt.Sprintf("%s[%d]", at, i)
		catcher := asObject(c)
		l.fields(where, catcher, catcherFields)
		l.errorEquals(where, catcher, i == len(catchers)-1)
		if p, ok := catcher["ResultPath"]; ok {
			if s, _ := p.(string); !strings.HasPrefix(s, "$") {
				l.errorf(where, "ResultPath %v is not a path", p)
			}
		}
		n, _ := catcher["Next"].(string)
		next = append(next, n)
	}
	return next
}

func (l *linter) errorEquals(at string, obj map[string]any, last bool) {
	names := asList(obj["ErrorEquals"])
	if len(names) == 0 {
		l.errorf(at, "ErrorEquals is empty")
	}
	for _, n := range names {
		if n == "States.ALL" && (len(names) > 1 || !last) {
			l.errorf(at, "States.ALL must be alone in the last retrier or catcher")
		}
	}
}

// template checks a payload template (Parameters, ResultSelector, ItemSelector, nested objects):
// every field ending in .$ holds a path, a context path or an intrinsic function.
func (l *linter) template(at string, v any) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if strings.HasSuffix(k, ".$") {
				s, _ := x.(string)
				if !strings.HasPrefix(s, "$") && !intrinsic.MatchString(s) {
					l.errorf(at, "%s: %v is neither a path nor an intrinsic function", k, x)
				}
				continue
			}
			l.template(at+"/"+k, x)
		}
	case []any:
		for i, x := range v {
			l.template(fmt.Sprintf("%s[%d]", at, i), x)
		}
	}
}

func asObject(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

func positiveInt(v any) bool {
	n, ok := v.(json.Number)
	if !ok {
		return false
	}
	i, err := n.Int64()
	return err == nil && i > 0
}

// TestPlaceholdersAreTheTemplatesSubstitutions: every ${...} of the definition is a key of the
// state machine's DefinitionSubstitutions in template.yaml, and every key is used; with them all
// filled in, the definition is JSON.
func TestPlaceholdersAreTheTemplatesSubstitutions(t *testing.T) {
	def := string(readFile(t, definitionFile))
	used := map[string]bool{}
	for _, m := range placeholder.FindAllStringSubmatch(def, -1) {
		used[m[1]] = true
	}
	subs := cfn.Child(cfn.Load(t, templateFile).Root, "Resources", "OrgAuditStateMachine", "Properties", "DefinitionSubstitutions")
	if subs == nil {
		t.Fatal("OrgAuditStateMachine has no DefinitionSubstitutions")
	}
	values := map[string]string{}
	for _, k := range cfn.Keys(subs) {
		values[k] = "x"
		if !used[k] {
			t.Errorf("DefinitionSubstitutions has %s, which the definition does not use", k)
		}
	}
	for k := range used {
		if _, ok := values[k]; !ok {
			t.Errorf("the definition uses ${%s}, which DefinitionSubstitutions does not fill", k)
		}
	}
	filled, err := substitute(def, values)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := decodeJSON([]byte(filled)); err != nil {
		t.Errorf("the substituted definition is not JSON: %v", err)
	}
	if uri := cfn.Child(cfn.Load(t, templateFile).Root, "Resources", "OrgAuditStateMachine", "Properties", "DefinitionUri"); uri == nil || uri.Value != "statemachine/"+definitionFile {
		t.Errorf("OrgAuditStateMachine's DefinitionUri is not statemachine/%s", definitionFile)
	}
}
