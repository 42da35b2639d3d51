package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
)

const rootLong = `driftaudit finds the API Gateway configuration drift behind 403 "Missing Authentication Token":
changes never deployed to a stage, cross-origin resources without a CORS preflight, usage plans
without keys and key-required stages no plan covers, and custom-domain mappings that lead nowhere.
It reads REST, HTTP and WebSocket APIs in one account, several, or a whole organization.`

const exitScan = `  0    no finding at or above --fail-on, and the scan read everything
  1    a finding at or above --fail-on, or the scan is incomplete (some part could not be read);
       never with --fail-on none
  2    a usage error, or the scan could not run at all
  130  interrupted by Ctrl-C (SIGINT), 143 by SIGTERM: the report of what was read, so marked
`

// newRoot builds the command tree; st carries the environment in and the exit status out.
func newRoot(st *state) *cobra.Command {
	root := &cobra.Command{
		Use:           "driftaudit",
		Short:         "Find API Gateway configuration drift",
		Long:          rootLong,
		Version:       buildVersion().String(),
		SilenceErrors: true,
		SilenceUsage:  true,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageErr(cmd, "unknown command %q%s", args[0], didYouMean(args[0], commandNames(cmd), ""))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, _ []string) error {
			// No command: the help, on stderr, as a usage error.
			writeHelp(st.env.Stderr, cmd)
			st.code = ExitUsage
			return nil
		},
		Annotations: map[string]string{"exit": `  0    scan and inventory: everything read and, for scan, no finding at or above --fail-on;
       explain: the request is served
  1    scan: a finding at or above --fail-on, or something could not be read; explain: rejected
  2    a usage error, or nothing could run (each command's help says more)
  130  interrupted by Ctrl-C (SIGINT), 143 by SIGTERM: what was read, so marked
`},
		Example: `  driftaudit scan --region eu-west-1                      # audit one region, text report
  driftaudit scan --region us-east-1 --output json=report.json --output markdown=report.md
  driftaudit explain https://abc123.execute-api.eu-west-1.amazonaws.com/prod/orders
  driftaudit checks undeployed-changes                    # one check, its levels and its fix`,
	}
	root.SetOut(st.env.Stdout)
	root.SetErr(st.env.Stderr)
	root.SetVersionTemplate("{{.Version}}\n")
	root.SetFlagErrorFunc(flagError)
	root.SetHelpFunc(func(cmd *cobra.Command, _ []string) { writeHelp(cmd.OutOrStdout(), cmd) })
	root.SetHelpCommand(&cobra.Command{
		Use:   "help [COMMAND]",
		Short: "Help about any command",
		Long:  "Help about any command: what it does, its flags by purpose with their defaults, examples and exit statuses.",
		Args:  cobra.MaximumNArgs(1),
		ValidArgsFunction: func(cmd *cobra.Command, _ []string, prefix string) ([]string, cobra.ShellCompDirective) {
			return withPrefix(commandNames(cmd.Root()), prefix), cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			target := cmd.Root()
			if len(args) == 1 {
				c, _, err := cmd.Root().Find(args)
				if err != nil || c == cmd.Root() {
					return usageErr(cmd.Root(), "help: no command %q%s", args[0], didYouMean(args[0], commandNames(cmd.Root()), ""))
				}
				target = c
			}
			writeHelp(cmd.OutOrStdout(), target)
			return nil
		},
	})
	root.CompletionOptions.HiddenDefaultCmd = false
	root.AddCommand(newScan(st), newInventory(st), newChecks(st), newExplain(st), newVersion(st))
	root.InitDefaultCompletionCmd()
	// --version without -v, which kubectl users know as verbosity.
	root.Flags().Bool("version", false, "print the version, and the commit it was built from (as 'driftaudit version')")
	for _, c := range append(root.Commands(), root) {
		// Help lists flags in the order they are defined, by purpose, not alphabetically.
		c.Flags().SortFlags = false
		c.InitDefaultHelpFlag()
		if c.Name() == "completion" {
			c.Short = "Print a shell completion script (bash, zsh, fish or powershell)"
		}
	}
	return root
}

// choiceFlag is a flag whose value must be one of a few words.
type choiceFlag struct {
	value   string
	allowed []string
}

func newChoice(value string, allowed ...string) *choiceFlag {
	return &choiceFlag{value: value, allowed: allowed}
}

func (c *choiceFlag) String() string { return c.value }
func (c *choiceFlag) Type() string   { return strings.Join(c.allowed, "|") }
func (c *choiceFlag) Set(v string) error {
	for _, a := range c.allowed {
		if v == a {
			c.value = v
			return nil
		}
	}
	return fmt.Errorf("must be one of %s", strings.Join(c.allowed, ", "))
}

// complete registers the choice's words as the flag's shell completions.
func (c *choiceFlag) complete(cmd *cobra.Command, name string) {
	_ = cmd.RegisterFlagCompletionFunc(name, cobra.FixedCompletions(c.allowed, cobra.ShellCompDirectiveNoFileComp))
}

// listFlag is a repeatable flag whose values may also be comma-separated. An empty value (a
// --region "" from an unset shell variable) is refused rather than read as no value.
type listFlag struct {
	values []string
	what   string
}

func (l *listFlag) String() string { return strings.Join(l.values, ",") }
func (l *listFlag) Type() string   { return "strings" }
func (l *listFlag) Set(v string) error {
	if strings.TrimSpace(v) == "" {
		return fmt.Errorf("empty %s: name one", l.what)
	}
	for _, part := range strings.Split(v, ",") {
		p := strings.TrimSpace(part)
		if p == "" {
			return fmt.Errorf("empty %s in %q", l.what, v)
		}
		l.values = append(l.values, p)
	}
	return nil
}

// withPrefix keeps the words that start with prefix, for shell completion.
func withPrefix(words []string, prefix string) []string {
	var out []string
	for _, w := range words {
		if strings.HasPrefix(w, prefix) {
			out = append(out, w)
		}
	}
	return out
}
