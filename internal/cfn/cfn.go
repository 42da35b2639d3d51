// Package cfn reads the repository's CloudFormation templates for tests: a template parsed with
// yaml.v3 (short-form intrinsics kept as tags), its values rendered as text, its conditions
// evaluated for given parameters, and its roles' IAM policy statements.
//
// It is test support: only tests import it.
package cfn

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// Template is a CloudFormation template; Root is its top-level mapping.
type Template struct{ Root *yaml.Node }

// Load reads the template at path (slash-separated, relative to the test's directory).
func Load(t testing.TB, path string) Template {
	t.Helper()
	data, err := os.ReadFile(filepath.FromSlash(path))
	if err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	return Template{Root: doc.Content[0]}
}

// Child follows path through nested mappings from n; nil where a key is missing or a value on
// the way is not a mapping.
func Child(n *yaml.Node, path ...string) *yaml.Node {
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

// Keys lists a mapping's keys in the template's order; nil for anything else.
func Keys(n *yaml.Node) []string {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	var out []string
	for i := 0; i+1 < len(n.Content); i += 2 {
		out = append(out, n.Content[i].Value)
	}
	return out
}

// pseudo fills the pseudo parameters of a !Sub as a deployment to account 123456789012 in
// us-east-1 would.
var pseudo = strings.NewReplacer("${AWS::Partition}", "aws", "${AWS::Region}", "us-east-1",
	"${AWS::AccountId}", "123456789012", "${AWS::URLSuffix}", "amazonaws.com")

// Render writes a value the way the tests compare them: !Sub text with the pseudo parameters
// filled in, "ref:NAME" for !Ref, "getatt:X.Y" for !GetAtt, plain scalars as they are, "" for
// nothing (and for a list or mapping).
func Render(n *yaml.Node) string {
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

// List renders a list's items, or a single value as a list of one; nil for nothing.
func List(n *yaml.Node) []string {
	if n == nil {
		return nil
	}
	if n.Kind == yaml.SequenceNode {
		var out []string
		for _, c := range n.Content {
			out = append(out, Render(c))
		}
		return out
	}
	return []string{Render(n)}
}

// Params are a deployment's parameter values: the template's defaults, then overrides.
func (tm Template) Params(overrides map[string]string) map[string]string {
	p := map[string]string{}
	ps := Child(tm.Root, "Parameters")
	for _, name := range Keys(ps) {
		if d := Child(ps, name, "Default"); d != nil {
			p[name] = d.Value
		}
	}
	for k, v := range overrides {
		p[k] = v
	}
	return p
}

// Condition evaluates the template's condition name with the parameters p: the functions the
// templates use (Equals, Not, And, Or, Condition, Ref of a parameter).
func (tm Template) Condition(t testing.TB, name string, p map[string]string) bool {
	t.Helper()
	n := Child(tm.Root, "Conditions", name)
	if n == nil {
		t.Fatalf("no condition %s", name)
	}
	return tm.eval(t, n, p)
}

func (tm Template) eval(t testing.TB, n *yaml.Node, p map[string]string) bool {
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
		return tm.Condition(t, n.Value, p)
	}
	t.Fatalf("condition function %s not understood", n.Tag)
	return false
}

// Present lists, sorted, the section's (Resources or Outputs) entries that a deployment with
// parameters p creates.
func (tm Template) Present(t testing.TB, section string, p map[string]string) []string {
	t.Helper()
	var out []string
	s := Child(tm.Root, section)
	for _, name := range Keys(s) {
		c := Child(s, name, "Condition")
		if c == nil || tm.Condition(t, c.Value, p) {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// Resolve returns n with the !If it is, if any, decided for parameters p (nil for AWS::NoValue).
func (tm Template) Resolve(t testing.TB, n *yaml.Node, p map[string]string) *yaml.Node {
	t.Helper()
	for n != nil && n.Tag == "!If" {
		if tm.Condition(t, n.Content[0].Value, p) {
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
