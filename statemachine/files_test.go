package statemachine_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
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
