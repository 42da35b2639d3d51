package cfn

import (
	"testing"

	"gopkg.in/yaml.v3"
)

// Statement is an IAM policy statement with its values rendered (Render).
type Statement struct {
	Sid       string
	Effect    string
	Actions   []string
	Resources []string
	// Condition maps an operator and a condition key to the key's values; nil for a statement
	// without a Condition.
	Condition map[string]map[string][]string
	// If is the template condition a statement written !If [CONDITION, STATEMENT, !Ref
	// AWS::NoValue] exists under; empty for a statement that always does.
	If string

	condition *yaml.Node
}

// ParseStatement reads one statement (not one under !If).
func ParseStatement(n *yaml.Node) Statement {
	st := Statement{Sid: Child(n, "Sid").Value, Effect: Child(n, "Effect").Value,
		Actions: List(Child(n, "Action")), Resources: List(Child(n, "Resource")),
		condition: Child(n, "Condition")}
	if c := st.condition; c != nil {
		st.Condition = map[string]map[string][]string{}
		for _, op := range Keys(c) {
			st.Condition[op] = map[string][]string{}
			for _, k := range Keys(Child(c, op)) {
				st.Condition[op][k] = List(Child(c, op, k))
			}
		}
	}
	return st
}

// ScalarCondition is Condition for a test that evaluates single-valued conditions only: each
// value rendered as one string, so that a value written as a list reads as "". It is never nil.
func (st Statement) ScalarCondition() map[string]map[string]string {
	out := map[string]map[string]string{}
	for _, op := range Keys(st.condition) {
		out[op] = map[string]string{}
		for _, k := range Keys(Child(st.condition, op)) {
			out[op][k] = Render(Child(st.condition, op, k))
		}
	}
	return out
}

// RoleStatements are the statements of the role's inline policies, then of the
// AWS::IAM::RolePolicy resources attached to it. A statement under !If must be written
// [CONDITION, STATEMENT, !Ref AWS::NoValue]; it is taken as granted, with If set: what a role
// may do at most.
func (tm Template) RoleStatements(t testing.TB, role string) []Statement {
	t.Helper()
	res := Child(tm.Root, "Resources")
	policies := Child(res, role, "Properties", "Policies")
	if policies == nil {
		t.Fatalf("template has no %s policies", role)
	}
	var docs []*yaml.Node
	for _, p := range policies.Content {
		docs = append(docs, Child(p, "PolicyDocument"))
	}
	for _, name := range Keys(res) {
		r := Child(res, name)
		if Render(Child(r, "Type")) == "AWS::IAM::RolePolicy" && Render(Child(r, "Properties", "RoleName")) == "ref:"+role {
			docs = append(docs, Child(r, "Properties", "PolicyDocument"))
		}
	}
	var out []Statement
	for _, d := range docs {
		for _, s := range Child(d, "Statement").Content {
			cond := ""
			if s.Tag == "!If" {
				if len(s.Content) != 3 || Render(s.Content[2]) != "ref:AWS::NoValue" {
					t.Fatalf("%s: a statement under !If is [CONDITION, STATEMENT, !Ref AWS::NoValue]", role)
				}
				cond, s = s.Content[0].Value, s.Content[1]
			}
			st := ParseStatement(s)
			st.If = cond
			out = append(out, st)
		}
	}
	return out
}

// Grants maps "action resource" to the statement that grants it (the last, where several do).
func Grants(stmts []Statement) map[string]Statement {
	out := map[string]Statement{}
	for _, st := range stmts {
		for _, a := range st.Actions {
			for _, r := range st.Resources {
				out[a+" "+r] = st
			}
		}
	}
	return out
}
