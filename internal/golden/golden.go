// Package golden compares test output with files under testdata, and makes reports of accounts
// built in moto comparable across runs by naming the ids moto draws at random.
package golden

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/apigw-drift/driftaudit/pkg/inventory"
)

// Compare checks got against testdata/name, or rewrites the file when update is set.
func Compare(t testing.TB, name string, got []byte, update bool) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run the test with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		actual := filepath.Join(os.TempDir(), "driftaudit-actual-"+name)
		_ = os.WriteFile(actual, got, 0o644)
		t.Errorf("%s differs from this run (run with -update to accept it); this run's output is in %s", path, actual)
	}
}

var fingerprint = regexp.MustCompile(`"id": "[0-9a-f]{32}(-\d+)?"`)

var timestamp = regexp.MustCompile(`\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2})?(Z| UTC)`)

// Normalize replaces the ids moto draws at random (resources, deployments, usage plans, keys)
// with names derived from what they are, and times with <time>.
func Normalize(inv *inventory.Inventory, doc []byte) []byte {
	type pair struct{ from, to string }
	var pairs []pair
	add := func(from, to string) {
		if from != "" {
			pairs = append(pairs, pair{from, to})
		}
	}
	for _, r := range inv.Regions {
		for _, api := range r.APIs {
			for _, res := range api.Resources {
				add(res.ID, "<resource "+api.Name+" "+res.Path+">")
			}
			known := map[string]bool{}
			for i, d := range api.Deployments {
				known[d.ID] = true
				add(d.ID, fmt.Sprintf("<deployment %s #%d>", api.Name, len(api.Deployments)-i))
			}
			for _, st := range api.Stages {
				if st.DeploymentID != "" && !known[st.DeploymentID] {
					add(st.DeploymentID, "<deleted deployment of "+api.Name+" "+st.Name+">")
				}
			}
		}
		for _, api := range r.V2APIs {
			add(api.ID, "<"+strings.ToLower(api.Type())+" api "+api.Name+">")
			// v2 deployment ids are random and carry no date: each is named by the stages
			// that serve it, the others alike.
			named := map[string]bool{}
			for _, st := range api.Stages {
				switch {
				case st.DeploymentID == "" || named[st.DeploymentID]:
				case slices.Contains(api.DeploymentIDs, st.DeploymentID):
					add(st.DeploymentID, "<deployment of "+api.Name+" "+st.Name+">")
				default:
					add(st.DeploymentID, "<deleted deployment of "+api.Name+" "+st.Name+">")
				}
				named[st.DeploymentID] = true
			}
			for _, id := range api.DeploymentIDs {
				if !named[id] {
					add(id, "<deployment of "+api.Name+" on no stage>")
				}
			}
		}
		for _, d := range r.Domains {
			for _, m := range d.Mappings {
				add(m.MappingID, "<mapping "+d.Name+" "+m.BasePath+">")
			}
		}
		for _, p := range r.UsagePlans {
			add(p.ID, "<plan "+p.Name+">")
		}
		for _, k := range r.APIKeys {
			add(k.ID, "<key "+k.Name+">")
		}
	}
	// Longer ids first, so that no id is replaced inside another.
	sort.SliceStable(pairs, func(i, j int) bool { return len(pairs[i].from) > len(pairs[j].from) })
	for _, p := range pairs {
		doc = bytes.ReplaceAll(doc, []byte(p.from), []byte(p.to))
	}
	// Fingerprints hash the random ids too; TestFingerprint pins what they are made of.
	doc = fingerprint.ReplaceAll(doc, []byte(`"id": "<fingerprint>"`))
	return timestamp.ReplaceAll(doc, []byte("<time>"))
}
