package checks

import (
	"slices"
	"strings"
	"testing"
)

// TestSelectForLeavesOffWhatConfigTurnsOff: a check that judges nothing without its config is
// not run (so the report names it as not run, never as run and clear), and a selection of only
// such checks is an error that says why.
func TestSelectForLeavesOffWhatConfigTurnsOff(t *testing.T) {
	ids := func(cs []Check) []string {
		var out []string
		for _, c := range cs {
			out = append(out, c.ID)
		}
		return out
	}
	all, err := SelectFor(All(), Selection{}, Config{})
	if err != nil || len(all) != len(All())-1 || slices.Contains(ids(all), endpointTypeNotAllowed.ID) {
		t.Errorf("default selection without allowed endpoint types: %v, %v", ids(all), err)
	}
	on, err := SelectFor(All(), Selection{}, Config{AllowedEndpointTypes: []string{"REGIONAL"}})
	if err != nil || len(on) != len(All()) {
		t.Errorf("with allowed endpoint types every check runs: %d of %d, %v", len(on), len(All()), err)
	}
	_, err = SelectFor(All(), Selection{Enable: []string{endpointTypeNotAllowed.ID}}, Config{})
	if err == nil || !strings.Contains(err.Error(), "leave no check to run: endpoint-type-not-allowed is off without allowed endpoint types") {
		t.Errorf("only an off check enabled: %v", err)
	}
	if _, err := SelectFor(All(), Selection{Enable: []string{"nosuch"}}, Config{}); err == nil || !strings.Contains(err.Error(), `"nosuch"`) {
		t.Errorf("an unknown check is still an error: %v", err)
	}
}
