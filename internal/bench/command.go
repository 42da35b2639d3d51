package bench

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
)

// Command is what the benchmark commands (internal/benchcmd, internal/benchorg) share: a
// command line with the -driftaudit flag, the start of a run and the way out of one. A command
// defines its own flags on Flags, then calls Start.
type Command struct {
	name  string
	Flags *flag.FlagSet
	// Driftaudit is the -driftaudit flag: the binary to measure.
	Driftaudit *string
}

// NewCommand is the command line of the command named name (in its error messages).
func NewCommand(name string) *Command {
	fs := flag.NewFlagSet(os.Args[0], flag.ExitOnError)
	return &Command{name: name, Flags: fs, Driftaudit: fs.String("driftaudit", "bin/driftaudit", "the driftaudit binary to measure")}
}

// Start parses the command line (exiting on a bad flag or -h, as flag.Parse does), keeps the
// AWS SDK off the EC2 instance metadata service, and returns a context an interrupt cancels.
func (c *Command) Start() (context.Context, context.CancelFunc) {
	_ = c.Flags.Parse(os.Args[1:]) // ExitOnError: it exits instead of returning an error
	os.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	return signal.NotifyContext(context.Background(), os.Interrupt)
}

// Fail writes "NAME: err" to stderr and exits with code.
func (c *Command) Fail(code int, err error) {
	fmt.Fprintf(os.Stderr, "%s: %s\n", c.name, err)
	os.Exit(code)
}

// Positives parses a comma-separated list of positive numbers.
func Positives[T int | float64](list string, parse func(string) (T, error)) ([]T, error) {
	var out []T
	for _, s := range strings.Split(list, ",") {
		n, err := parse(strings.TrimSpace(s))
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("%q is not a positive number", s)
		}
		out = append(out, n)
	}
	return out, nil
}
