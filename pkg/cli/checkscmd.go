package cli

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/apigw-drift/driftaudit/pkg/checks"
)

func newChecks(st *state) *cobra.Command {
	format := newChoice("text", "text", "json", "markdown")
	cmd := &cobra.Command{
		Use:   "checks [ID|FAMILY] [flags]",
		Short: "List the checks, or show one: its levels, what it reads and its fix",
		Long: `List the catalogue of checks, or show one check (its id, family, severity and when it reports at
each level, what it reads, which other tools check the same, and its fix), or the checks of one
family. --enable, --disable and --severity of 'driftaudit scan' take these ids.`,
		Example: "  driftaudit checks\n  driftaudit checks undeployed-changes\n  driftaudit checks cors\n  driftaudit checks --format markdown   # the README's table",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 {
				return usageErr(cmd, "checks: one check id or family at a time, not %d", len(args))
			}
			return nil
		},
		ValidArgsFunction: func(_ *cobra.Command, args []string, prefix string) ([]string, cobra.ShellCompDirective) {
			if len(args) > 0 {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			return withPrefix(checkNames(true), prefix), cobra.ShellCompDirectiveNoFileComp
		},
		Annotations: map[string]string{"exit": "  0    listed\n  2    a usage error: an unknown id or family, a bad flag\n"},
		RunE: func(cmd *cobra.Command, args []string) error {
			all := checks.All()
			if len(args) == 1 {
				var picked []checks.Check
				for _, c := range all {
					if c.ID == args[0] || c.Family == args[0] {
						picked = append(picked, c)
					}
				}
				if len(picked) == 0 {
					return usageErr(cmd, "checks: no check or family %q%s", args[0], didYouMean(args[0], checkNames(true), ""))
				}
				if len(picked) == 1 && picked[0].ID == args[0] && format.value == "text" {
					return describeCheck(st.env.Stdout, picked[0], all)
				}
				all = picked
			}
			switch format.value {
			case "json":
				return writeJSON(st.env.Stdout, all)
			case "markdown":
				_, err := io.WriteString(st.env.Stdout, checks.MarkdownTable(all))
				return err
			}
			tw := tabwriter.NewWriter(st.env.Stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tSEVERITY\tFAMILY\tTITLE")
			for _, c := range all {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", c.ID, c.Severity, c.Family, c.Title)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().Var(format, "format", "output `FORMAT`: text, json or markdown (the README's table)")
	group(cmd, groupOutput, "format")
	format.complete(cmd, "format")
	return cmd
}

// describeCheck is `driftaudit checks ID`: all the catalogue says of one check.
func describeCheck(w io.Writer, c checks.Check, all []checks.Check) error {
	var family []string
	for _, o := range all {
		if o.Family == c.Family && o.ID != c.ID {
			family = append(family, o.ID)
		}
	}
	peers := c.Peers
	if peers == "" {
		peers = "none: Prowler, Cloud Custodian and AWS Config do not check this"
	}
	const label = 14 // "Other tools:  "
	var b strings.Builder
	line := func(name, text string) {
		fmt.Fprintf(&b, "%-*s%s\n", label, name, wrap(text, helpWidth, label))
	}
	fmt.Fprintf(&b, "%s: %s\n", c.ID, c.Title)
	line("Family:", fmt.Sprintf("%s (with %s)", c.Family, orNone(strings.Join(family, ", "))))
	line("Severity:", fmt.Sprintf("%s at most; %s", c.Severity, c.Levels))
	line("Reads:", c.LooksAt)
	line("Other tools:", peers)
	// The fix is a command to paste: never wrapped.
	fmt.Fprintf(&b, "%-*s%s\n", label, "Fix:", c.Remediation)
	line("Run only it:", "driftaudit scan --enable "+c.ID)
	_, err := io.WriteString(w, b.String())
	return err
}

func orNone(s string) string {
	if s == "" {
		return "no other check"
	}
	return s
}
