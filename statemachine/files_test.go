package statemachine_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

const (
	definitionFile = "org-audit.asl.json"
	templateFile   = "../template.yaml"
	memberRoleFile = "../deploy/member-role.yaml"
)

// placeholder is a DefinitionSubstitutions placeholder as CloudFormation finds them.
var placeholder = regexp.MustCompile(`\$\{([^}]*)\}`)

func readFile(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.FromSlash(name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// substitute fills the definition's placeholders as CloudFormation does, as text, and fails on a
// placeholder subs does not name.
func substitute(definition string, subs map[string]string) (string, error) {
	var missing []string
	out := placeholder.ReplaceAllStringFunc(definition, func(m string) string {
		key := m[2 : len(m)-1]
		v, ok := subs[key]
		if !ok {
			missing = append(missing, key)
		}
		return v
	})
	if len(missing) > 0 {
		return "", fmt.Errorf("no substitution for %s", strings.Join(missing, ", "))
	}
	return out, nil
}

// decodeJSON decodes with json.Number, so that a test can tell 5 from 5.0 as Step Functions'
// parser does.
func decodeJSON(data []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v map[string]any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

// template is a CloudFormation template read with yaml.v3, short-form intrinsics kept as tags.
type template struct{ root *yaml.Node }

func loadTemplate(t *testing.T, name string) template {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal(readFile(t, name), &doc); err != nil {
		t.Fatal(err)
	}
	return template{root: doc.Content[0]}
}

func child(n *yaml.Node, path ...string) *yaml.Node {
	for _, key := range path {
		if n == nil || n.Kind != yaml.MappingNode {
			return nil
		}
		var next *yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == key {
				next = n.Content[i+1]
			}
		}
		n = next
	}
	return n
}

func keys(n *yaml.Node) []string {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	var out []string
	for i := 0; i+1 < len(n.Content); i += 2 {
		out = append(out, n.Content[i].Value)
	}
	return out
}

// render writes a value the way the tests compare them: !Sub text with the pseudo parameters
// filled in, "ref:NAME" for !Ref, "getatt:X.Y" for !GetAtt, plain scalars as they are, "" for
// nothing.
func render(n *yaml.Node) string {
	pseudo := strings.NewReplacer("${AWS::Partition}", "aws", "${AWS::Region}", "us-east-1",
		"${AWS::AccountId}", "123456789012", "${AWS::URLSuffix}", "amazonaws.com")
	if n == nil {
		return ""
	}
	switch n.Tag {
	case "!Sub":
		return pseudo.Replace(n.Value)
	case "!Ref":
		return "ref:" + n.Value
	case "!GetAtt":
		return "getatt:" + n.Value
	}
	return n.Value
}

func list(n *yaml.Node) []string {
	if n == nil {
		return nil
	}
	if n.Kind == yaml.SequenceNode {
		var out []string
		for _, c := range n.Content {
			out = append(out, render(c))
		}
		return out
	}
	return []string{render(n)}
}

// params are a deployment's parameter values: the template's defaults, then overrides.
func (tm template) params(overrides map[string]string) map[string]string {
	p := map[string]string{}
	ps := child(tm.root, "Parameters")
	for _, name := range keys(ps) {
		if d := child(ps, name, "Default"); d != nil {
			p[name] = d.Value
		}
	}
	for k, v := range overrides {
		p[k] = v
	}
	return p
}

// condition evaluates the template's condition name with the parameters p: the functions the
// template uses (Equals, Not, And, Or, Condition, Ref of a parameter).
func (tm template) condition(t *testing.T, name string, p map[string]string) bool {
	t.Helper()
	n := child(tm.root, "Conditions", name)
	if n == nil {
		t.Fatalf("no condition %s", name)
	}
	return tm.eval(t, n, p)
}

func (tm template) eval(t *testing.T, n *yaml.Node, p map[string]string) bool {
	t.Helper()
	value := func(v *yaml.Node) string {
		if v.Tag == "!Ref" {
			return p[v.Value]
		}
		return v.Value
	}
	switch n.Tag {
	case "!Equals":
		return value(n.Content[0]) == value(n.Content[1])
	case "!Not":
		return !tm.eval(t, n.Content[0], p)
	case "!And":
		for _, c := range n.Content {
			if !tm.eval(t, c, p) {
				return false
			}
		}
		return true
	case "!Or":
		for _, c := range n.Content {
			if tm.eval(t, c, p) {
				return true
			}
		}
		return false
	case "!Condition":
		return tm.condition(t, n.Value, p)
	}
	t.Fatalf("condition function %s not understood", n.Tag)
	return false
}

// present lists the sections' (Resources or Outputs) entries that a deployment with parameters p
// creates.
func (tm template) present(t *testing.T, section string, p map[string]string) []string {
	t.Helper()
	var out []string
	s := child(tm.root, section)
	for _, name := range keys(s) {
		c := child(s, name, "Condition")
		if c == nil || tm.condition(t, c.Value, p) {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// resolve returns n with the !If it is, if any, decided for parameters p (nil for AWS::NoValue).
func (tm template) resolve(t *testing.T, n *yaml.Node, p map[string]string) *yaml.Node {
	t.Helper()
	for n != nil && n.Tag == "!If" {
		if tm.condition(t, n.Content[0].Value, p) {
			n = n.Content[1]
		} else {
			n = n.Content[2]
		}
		if n.Tag == "!Ref" && n.Value == "AWS::NoValue" {
			return nil
		}
	}
	return n
}

// statement is an IAM policy statement with its values rendered.
type statement struct {
	Sid       string
	Effect    string
	Actions   []string
	Resources []string
	Condition map[string]map[string][]string
}

func parseStatement(n *yaml.Node) statement {
	st := statement{Sid: child(n, "Sid").Value, Effect: child(n, "Effect").Value,
		Actions: list(child(n, "Action")), Resources: list(child(n, "Resource"))}
	if c := child(n, "Condition"); c != nil {
		st.Condition = map[string]map[string][]string{}
		for _, op := range keys(c) {
			st.Condition[op] = map[string][]string{}
			for _, k := range keys(child(c, op)) {
				st.Condition[op][k] = list(child(c, op, k))
			}
		}
	}
	return st
}

// roleStatements are the statements of a role's inline policies and of the RolePolicy resources
// attached to it.
func (tm template) roleStatements(t *testing.T, role string) []statement {
	t.Helper()
	res := child(tm.root, "Resources")
	policies := child(res, role, "Properties", "Policies")
	if policies == nil {
		t.Fatalf("no policies on %s", role)
	}
	var docs []*yaml.Node
	for _, p := range policies.Content {
		docs = append(docs, child(p, "PolicyDocument"))
	}
	for _, name := range keys(res) {
		r := child(res, name)
		if child(r, "Type").Value == "AWS::IAM::RolePolicy" && render(child(r, "Properties", "RoleName")) == "ref:"+role {
			docs = append(docs, child(r, "Properties", "PolicyDocument"))
		}
	}
	var out []statement
	for _, d := range docs {
		for _, s := range child(d, "Statement").Content {
			// A statement under !If [condition, statement, AWS::NoValue] (the Security Hub
			// grant) is taken as granted: the table lists what a role may do at most.
			if s.Tag == "!If" && len(s.Content) == 3 {
				s = s.Content[1]
			}
			out = append(out, parseStatement(s))
		}
	}
	return out
}

// grants maps "action resource" to the statements that grant it.
func grants(stmts []statement) map[string]statement {
	out := map[string]statement{}
	for _, st := range stmts {
		for _, a := range st.Actions {
			for _, r := range st.Resources {
				out[a+" "+r] = st
			}
		}
	}
	return out
}
