package cli

import (
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// groupKey annotates a flag with the heading it is listed under in help.
const groupKey = "driftaudit-group"

// The flag groups, in the order help lists them.
const (
	groupScope    = "Scope"
	groupAccounts = "Accounts"
	groupChecks   = "Checks"
	groupOutput   = "Output"
	groupVerdict  = "Verdict"
	groupPace     = "Quotas and time"
	groupRequest  = "Request"
)

var groupOrder = []string{groupScope, groupAccounts, groupRequest, groupChecks, groupOutput, groupVerdict, groupPace}

// helpWidth is the column help wraps flag descriptions at, fixed so that help reads the same
// on every terminal (and in the golden files and the README).
const helpWidth = 100

// group puts the named flags of cmd under a help heading.
func group(cmd *cobra.Command, heading string, names ...string) {
	for _, n := range names {
		if err := cmd.Flags().SetAnnotation(n, groupKey, []string{heading}); err != nil {
			panic(fmt.Sprintf("help group of %s: %v", cmd.Name(), err)) // a programming error, caught by every test
		}
	}
}

// writeHelp is every command's help: what it does, its usage, its subcommands, examples, its
// flags by group with their defaults, and its exit statuses.
func writeHelp(w io.Writer, cmd *cobra.Command) {
	var b strings.Builder
	desc := cmd.Long
	if desc == "" {
		desc = cmd.Short
	}
	b.WriteString(strings.TrimSpace(desc) + "\n\n")
	b.WriteString("Usage:\n")
	if !cmd.HasAvailableSubCommands() {
		b.WriteString("  " + cmd.UseLine() + "\n")
	} else {
		b.WriteString("  " + cmd.CommandPath() + " COMMAND [flags]\n")
		b.WriteString("\nCommands:\n")
		for _, c := range cmd.Commands() {
			if c.IsAvailableCommand() || c.Name() == "help" {
				fmt.Fprintf(&b, "  %-11s %s\n", c.Name(), c.Short)
			}
		}
	}
	if cmd.Example != "" {
		b.WriteString("\nExamples:\n" + strings.TrimRight(cmd.Example, "\n") + "\n")
	}
	groups := map[string]*pflag.FlagSet{}
	add := func(heading string, f *pflag.Flag) {
		if groups[heading] == nil {
			groups[heading] = pflag.NewFlagSet(heading, pflag.ContinueOnError)
			groups[heading].SortFlags = false
		}
		groups[heading].AddFlag(f)
	}
	cmd.LocalFlags().VisitAll(func(f *pflag.Flag) {
		if f.Hidden {
			return
		}
		heading := "Other"
		if g := f.Annotations[groupKey]; len(g) > 0 {
			heading = g[0]
		}
		add(heading, f)
	})
	cmd.InheritedFlags().VisitAll(func(f *pflag.Flag) {
		if !f.Hidden {
			add("Other", f)
		}
	})
	for _, heading := range append(slices.Clone(groupOrder), "Other") {
		if fs := groups[heading]; fs != nil {
			fmt.Fprintf(&b, "\n%s flags:\n%s", heading, fs.FlagUsagesWrapped(helpWidth))
		}
	}
	if exit := cmd.Annotations["exit"]; exit != "" {
		b.WriteString("\nExit status:\n" + exit)
	}
	if cmd.HasParent() {
		fmt.Fprintf(&b, "\nRun 'driftaudit help' for every command.\n")
	} else {
		fmt.Fprintf(&b, "\nRun 'driftaudit help COMMAND' (or 'driftaudit COMMAND --help') for a command's flags.\n")
	}
	io.WriteString(w, b.String())
}

// flagError is cobra's flag-error hook: a bad flag is a usage error naming the command, and an
// unknown flag comes with the nearest flag that exists.
func flagError(cmd *cobra.Command, err error) error {
	msg := err.Error()
	switch {
	case strings.HasPrefix(msg, "unknown flag: --"):
		name := strings.TrimPrefix(msg, "unknown flag: --")
		return usageErr(cmd, "%s: unknown flag --%s%s", cmd.Name(), name, didYouMean(name, flagNames(cmd), "--"))
	case strings.HasPrefix(msg, "unknown shorthand flag:"):
		// -region is read as the shorthands -r -e -g ...: say what was meant.
		if m := singleDash.FindStringSubmatch(msg); m != nil && cmd.Flags().Lookup(m[1]) != nil {
			return usageErr(cmd, "%s: unknown flag -%s: long flags take two dashes, --%s", cmd.Name(), m[1], m[1])
		}
	}
	if m := badNumber.FindStringSubmatch(msg); m != nil {
		want := map[string]string{"Float": "a number", "Int": "a whole number", "Bool": "true or false"}[m[3]]
		return usageErr(cmd, "%s: %s %q is not %s", cmd.Name(), m[2], m[1], want)
	}
	return usageErr(cmd, "%s: %s", cmd.Name(), msg)
}

// badNumber is pflag's report of a value strconv could not parse, which names Go's parser.
var badNumber = regexp.MustCompile(`^invalid argument "(.*)" for "(?:-\w, )?(--[a-z-]+)" flag: strconv\.Parse(Float|Int|Bool)`)

var singleDash = regexp.MustCompile(`in -([a-z][a-z0-9-]+)`)

func flagNames(cmd *cobra.Command) []string {
	var names []string
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		if !f.Hidden {
			names = append(names, f.Name)
		}
	})
	return names
}

// didYouMean is " (did you mean PREFIX+x?)" for the candidate nearest to word, when one is
// close: within a third of its length in edits (at least 1, at most 3), or has it as a prefix.
func didYouMean(word string, candidates []string, prefix string) string {
	best, bestD := "", 1<<30
	for _, c := range candidates {
		d := editDistance(word, c)
		if strings.HasPrefix(c, word) && len(word) >= 3 {
			d = min(d, 1)
		}
		if d < bestD {
			best, bestD = c, d
		}
	}
	if best == "" || bestD > min(3, max(1, len(word)/3)) {
		return ""
	}
	return fmt.Sprintf(" (did you mean %s%s?)", prefix, best)
}

// editDistance is the Damerau–Levenshtein distance (optimal string alignment): a swap of two
// neighbours, the commonest typo, counts one.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range rb {
		d[0][j+1] = j + 1
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}

// wrap breaks text that starts at column indent into lines of at most width columns, each
// after the first indented by indent spaces.
func wrap(text string, width, indent int) string {
	var b strings.Builder
	col := indent
	for i, word := range strings.Fields(text) {
		if i > 0 && col+1+len(word) > width {
			b.WriteString("\n" + strings.Repeat(" ", indent))
			col = indent
		} else if i > 0 {
			b.WriteString(" ")
			col++
		}
		b.WriteString(word)
		col += len(word)
	}
	return b.String()
}

// noArgs refuses positional arguments, naming the first.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usageErr(cmd, "%s: unexpected argument %q", cmd.Name(), args[0])
	}
	return nil
}

// commandNames are the root's commands, for suggestions.
func commandNames(root *cobra.Command) []string {
	var names []string
	for _, c := range root.Commands() {
		if c.IsAvailableCommand() {
			names = append(names, c.Name())
		}
	}
	return names
}
