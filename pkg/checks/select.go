package checks

import (
	"fmt"
	"slices"
	"strings"
)

// Selection chooses which checks run and at what severity.
type Selection struct {
	// Enable, when not empty, runs only these checks; Disable leaves these out. Each entry is a
	// check id or a family name (deployment, cors, usage-plans, custom-domains, hygiene).
	Enable, Disable []string
	// Severity overrides a check's severity: every finding of that check gets it.
	Severity map[string]Severity
}

// Select applies sel to the catalogue; an unknown id or family is an error that names it.
func Select(all []Check, sel Selection) ([]Check, error) {
	known := func(name string) bool {
		return slices.ContainsFunc(all, func(c Check) bool { return c.ID == name || c.Family == name })
	}
	for _, list := range [][]string{sel.Enable, sel.Disable, keys(sel.Severity)} {
		for _, name := range list {
			if !known(name) {
				return nil, fmt.Errorf("unknown check or family %q (see driftaudit checks)", name)
			}
		}
	}
	for id := range sel.Severity {
		if !slices.ContainsFunc(all, func(c Check) bool { return c.ID == id }) {
			return nil, fmt.Errorf("a severity override names a check id, not a family: %q", id)
		}
	}
	in := func(list []string, c Check) bool {
		return slices.Contains(list, c.ID) || slices.Contains(list, c.Family)
	}
	var out []Check
	for _, c := range all {
		if (len(sel.Enable) == 0 || in(sel.Enable, c)) && !in(sel.Disable, c) {
			out = append(out, c)
		}
	}
	if len(out) == 0 && len(all) > 0 {
		// A report of no check would read "all clear" having judged nothing.
		return nil, fmt.Errorf("the checks enabled (%s) and disabled (%s) leave no check to run", listOrAll(sel.Enable), listOrAll(sel.Disable))
	}
	return out, nil
}

// SelectFor is Select, less the selected checks that cfg leaves off (endpoint-type-not-allowed
// without allowed endpoint types): such a check would judge nothing, so it does not run, and the
// report names it among the checks not run rather than counting it as run and clear. A
// selection left with no check is an error that says why.
func SelectFor(all []Check, sel Selection, cfg Config) ([]Check, error) {
	selected, err := Select(all, sel)
	if err != nil {
		return nil, err
	}
	var on []Check
	var off []string
	for _, c := range selected {
		if c.offWithout != nil {
			if why := c.offWithout(cfg); why != "" {
				off = append(off, c.ID+" is off without "+why)
				continue
			}
		}
		on = append(on, c)
	}
	if len(on) == 0 && len(selected) > 0 {
		return nil, fmt.Errorf("the checks enabled (%s) leave no check to run: %s", listOrAll(sel.Enable), strings.Join(off, "; "))
	}
	return on, nil
}

func listOrAll(names []string) string {
	if len(names) == 0 {
		return "all"
	}
	return strings.Join(names, ", ")
}

// Apply overrides the severity of findings as sel says.
func (sel Selection) Apply(fs []Finding) {
	for i := range fs {
		if s, ok := sel.Severity[fs[i].Check]; ok {
			fs[i].Severity = s
		}
	}
}

// ParseSeverityOverrides reads "id=level,id=level".
func ParseSeverityOverrides(s string) (map[string]Severity, error) {
	out := map[string]Severity{}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		id, level, ok := strings.Cut(part, "=")
		if !ok {
			return nil, fmt.Errorf("severity override %q: want CHECK=critical|warning|info", part)
		}
		sev, err := ParseSeverity(strings.TrimSpace(level))
		if err != nil {
			return nil, fmt.Errorf("severity override %q: %w", part, err)
		}
		out[strings.TrimSpace(id)] = sev
	}
	return out, nil
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
