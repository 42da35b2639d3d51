// Package cli is the driftaudit command line: it parses flags into an audit.Config, calls the
// audit core, prints the result and chooses the exit status. The commands and their help are
// built with cobra (the library of kubectl, gh and helm); the help texts are tested as golden
// files and the README's command reference is generated from them.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/cobra"
)

// Exit statuses; scripts depend on them.
const (
	ExitOK       = 0 // no finding at or above --fail-on, and the scan read everything
	ExitFindings = 1 // a finding at or above --fail-on, or an incomplete scan
	ExitUsage    = 2 // a usage error, or the scan could not run at all
	// ExitInterrupted and ExitTerminated are 128 plus the signal's number, as shells report a
	// process a signal ended: the run printed what it had read, marked interrupted.
	ExitInterrupted = 128 + int(syscall.SIGINT)  // 130
	ExitTerminated  = 128 + int(syscall.SIGTERM) // 143
)

// Env is what the command reads from and writes to, so tests can run it in-process.
type Env struct {
	Stdout, Stderr io.Writer
	Now            func() time.Time
}

// Main runs driftaudit with args (without the program name) and returns the exit status. When
// ctx ends with an Interrupt as its cause (WatchSignals), the command reports what it read,
// marked interrupted, and the status is the signal's.
func Main(ctx context.Context, args []string, env Env) int {
	if env.Now == nil {
		env.Now = time.Now
	}
	st := &state{env: env, ctx: ctx}
	root := newRoot(st)
	root.SetArgs(append([]string{}, args...)) // never nil: cobra would read os.Args
	err := root.ExecuteContext(ctx)
	code := st.code
	if err != nil {
		fmt.Fprintf(env.Stderr, "driftaudit: %s\n", oneLine(err.Error()))
		var u usageError
		if errors.As(err, &u) {
			fmt.Fprintf(env.Stderr, "run '%s --help' for usage\n", u.commandPath())
			return ExitUsage
		}
		if code == ExitOK {
			code = ExitUsage
		}
		// A signal that stopped a command before it could report anything.
		if i, ok := interrupted(ctx); ok {
			return i.ExitCode()
		}
	}
	return code
}

// state carries the run's environment into the commands and their exit status out.
type state struct {
	env  Env
	ctx  context.Context
	code int
}

// usageError marks an error the user can fix by changing the command line; cmd names the
// command whose help to point to.
type usageError struct {
	error
	cmd *cobra.Command
}

func (u usageError) Unwrap() error { return u.error }

func (u usageError) commandPath() string {
	if u.cmd == nil {
		return "driftaudit"
	}
	return u.cmd.CommandPath()
}

func usageErr(cmd *cobra.Command, format string, a ...any) error {
	return usageError{fmt.Errorf(format, a...), cmd}
}

// oneLine folds a message onto one line.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// Interrupt is the cause WatchSignals gives the context when a signal arrives.
type Interrupt struct{ Signal os.Signal }

func (i Interrupt) Error() string { return "interrupted by " + signalName(i.Signal) }

// ExitCode is 130 for SIGINT and 143 for SIGTERM.
func (i Interrupt) ExitCode() int {
	if i.Signal == syscall.SIGTERM {
		return ExitTerminated
	}
	return ExitInterrupted
}

func signalName(s os.Signal) string {
	switch s {
	case syscall.SIGINT:
		return "SIGINT"
	case syscall.SIGTERM:
		return "SIGTERM"
	}
	return s.String()
}

func interrupted(ctx context.Context) (Interrupt, bool) {
	var i Interrupt
	ok := errors.As(context.Cause(ctx), &i)
	return i, ok
}

// WatchSignals turns the first signal from sigs into the cancellation of the returned context,
// with an Interrupt as its cause: the scan stops starting calls and the command prints what it
// read. A second signal calls exit at once with that signal's status, after a line on stderr.
// stop ends the watch.
func WatchSignals(parent context.Context, sigs <-chan os.Signal, stderr io.Writer, exit func(int)) (ctx context.Context, stop func()) {
	ctx, cancel := context.WithCancelCause(parent)
	done := make(chan struct{})
	go func() {
		var first os.Signal
		select {
		case first = <-sigs:
		case <-done:
			return
		}
		cancel(Interrupt{first}) // first, so that a blocked stderr cannot delay it
		fmt.Fprintf(stderr, "driftaudit: %s: stopping; the report will hold what was read (again to quit at once)\n", signalName(first))
		select {
		case second := <-sigs:
			fmt.Fprintf(stderr, "driftaudit: %s again: quitting without a report\n", signalName(second))
			removePartial() // exit runs no deferred cleanup
			exit(Interrupt{second}.ExitCode())
		case <-done:
		}
	}()
	var once sync.Once
	return ctx, func() {
		once.Do(func() {
			close(done)
			cancel(nil)
		})
	}
}
