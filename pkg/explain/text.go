package explain

import (
	"fmt"
	"io"
	"strings"
)

// WriteText writes the decision for people: the request, the outcome, each step, why, the fix,
// notes and suggestions.
func WriteText(w io.Writer, d Decision) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s\n", d.Method, d.URL)
	switch d.Outcome {
	case Served:
		b.WriteString("SERVED")
		if d.Integration != "" {
			fmt.Fprintf(&b, ": reaches its %s integration", d.Integration)
		}
	case Rejected:
		b.WriteString("REJECTED")
		if d.Status != 0 {
			fmt.Fprintf(&b, ": %d {\"message\":%q}", d.Status, d.ErrorMessage)
		} else {
			b.WriteString(" (what API Gateway answers here is not documented)")
		}
		fmt.Fprintf(&b, ", cause %s", d.Cause)
	default:
		fmt.Fprintf(&b, "CANNOT DECIDE (%s)", d.Cause)
	}
	b.WriteString("\n")
	var where []string
	if d.APIID != "" {
		where = append(where, fmt.Sprintf("%s API %q (%s)", d.APIType, d.APIName, d.APIID))
	}
	if d.Stage != "" {
		where = append(where, "stage "+d.Stage)
	}
	if d.ResourcePath != "" {
		where = append(where, d.ResourcePath)
	}
	if d.AccountID != "" {
		where = append(where, "account "+d.AccountID)
	}
	where = append(where, d.Region)
	fmt.Fprintf(&b, "%s\n\n", strings.Join(where, ", "))
	for _, s := range d.Steps {
		mark := "ok  "
		if !s.OK {
			mark = "FAIL"
			if d.Outcome == Undecided {
				mark = "??  "
			}
		}
		fmt.Fprintf(&b, "  %s %-13s %s\n", mark, s.Step, s.Detail)
	}
	b.WriteString("\n")
	switch {
	case d.Outcome == Served:
		fmt.Fprintf(&b, "So:   %s\n", d.Explanation)
	case len(d.Steps) == 0 || d.Steps[len(d.Steps)-1].Detail != d.Explanation:
		fmt.Fprintf(&b, "Why:  %s\n", d.Explanation)
	}
	if d.Fix != "" {
		fmt.Fprintf(&b, "Fix:  %s\n", d.Fix)
	}
	for _, n := range d.Notes {
		fmt.Fprintf(&b, "Note: %s\n", n)
	}
	if len(d.Suggestions) > 0 {
		b.WriteString("Did you mean:\n")
		for _, s := range d.Suggestions {
			fmt.Fprintf(&b, "  %s\n", s)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
