package cli

import (
	"github.com/spf13/cobra"

	"github.com/apigw-drift/driftaudit/pkg/audit"
	"github.com/apigw-drift/driftaudit/pkg/progress"
)

// progressFlags are --progress and --quiet.
type progressFlags struct {
	mode  *choiceFlag
	quiet bool
}

func (p *progressFlags) register(cmd *cobra.Command) {
	p.mode = newChoice(progress.ModeAuto, progress.Modes...)
	fs := cmd.Flags()
	fs.Var(p.mode, "progress", "show progress on stderr: auto (a live line on a terminal), always (on a terminal, or a plain line every few seconds that a CI log keeps) or never")
	fs.BoolVarP(&p.quiet, "quiet", "q", false, "no progress and no warnings on stderr: only errors")
	group(cmd, groupOutput, "progress", "quiet")
	p.mode.complete(cmd, "progress")
}

func (p *progressFlags) validate(cmd *cobra.Command) error {
	if p.quiet && cmd.Flags().Changed("progress") && p.mode.value != progress.ModeNever {
		return usageErr(cmd, "--quiet silences --progress %s: pass one of them", p.mode.value)
	}
	return nil
}

// start shows the progress of the scan cfg describes on stderr, and returns what stops it:
// call it before anything else is written to stderr.
func (p *progressFlags) start(st *state, cfg *audit.Config) (stop func()) {
	r := progress.New(st.env.Stderr, progress.Options{Mode: p.mode.value, Terminal: isTerminal(st.env.Stderr), Quiet: p.quiet, Heartbeat: true})
	cfg.Progress = r.Observer()
	return r.Stop
}
