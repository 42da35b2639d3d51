package cli

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/spf13/cobra"

	"github.com/apigw-drift/driftaudit/pkg/checks"
	"github.com/apigw-drift/driftaudit/pkg/report"
)

// outputFlags are --format, --output and --color: in which formats the report goes where.
type outputFlags struct {
	format  *choiceFlag
	color   *choiceFlag
	outputs []string
}

// output is one destination: a format and a file ("-": stdout).
type output struct{ format, path string }

func (o *outputFlags) register(cmd *cobra.Command, def string, formats ...string) {
	o.format = newChoice(def, formats...)
	o.color = newChoice("auto", "auto", "always", "never")
	fs := cmd.Flags()
	fs.Var(o.format, "format", "the report's `FORMAT`: "+formatList(formats))
	fs.StringArrayVarP(&o.outputs, "output", "o", nil, "write the report to `[FORMAT=]FILE` instead of stdout (repeatable: one run, several files; FILE - is stdout); without FORMAT, .json and .md files get JSON and Markdown, others --format")
	fs.Var(o.color, "color", "colour the text report: auto (when stdout is a terminal and NO_COLOR is unset), always or never")
	group(cmd, groupOutput, "format", "output", "color")
	o.format.complete(cmd, "format")
	o.color.complete(cmd, "color")
}

func formatList(formats []string) string {
	words := map[string]string{"text": "text", "json": "json", "markdown": "markdown (a pull-request comment)", "asff": "asff (AWS Security Finding Format, for Security Hub)"}
	var out []string
	for _, f := range formats {
		out = append(out, words[f])
	}
	return strings.Join(out, ", ")
}

// resolve turns the flags into destinations: stdout in --format without --output.
func (o *outputFlags) resolve(cmd *cobra.Command) ([]output, error) {
	if len(o.outputs) == 0 {
		return []output{{o.format.value, "-"}}, nil
	}
	var outs []output
	seen := map[string]bool{}
	for _, spec := range o.outputs {
		format, path, explicit := strings.Cut(spec, "=")
		if !explicit {
			format, path = o.format.value, spec
			if !cmd.Flags().Changed("format") {
				switch strings.ToLower(filepath.Ext(path)) {
				case ".json":
					format = "json"
				case ".md", ".markdown":
					format = "markdown"
				}
			}
		}
		switch {
		case !slices.Contains(o.format.allowed, format):
			return nil, usageErr(cmd, "--output %s: %q is not a format (%s)%s", spec, format, strings.Join(o.format.allowed, ", "), didYouMean(format, o.format.allowed, ""))
		case path == "":
			return nil, usageErr(cmd, "--output %s: the file is missing (FORMAT=FILE, or - for stdout)", spec)
		case seen[path]:
			return nil, usageErr(cmd, "--output %s: %s is named twice", spec, path)
		}
		if path != "-" {
			if err := checkOutputPath(cmd, spec, path); err != nil {
				return nil, err
			}
		}
		seen[path] = true
		outs = append(outs, output{format, path})
	}
	return outs, nil
}

// checkOutputPath refuses, before anything is read, a file that cannot be written: one in a
// directory that does not exist, or a directory. spec is the --output value that names path.
func checkOutputPath(cmd *cobra.Command, spec, path string) error {
	if st, err := os.Stat(filepath.Dir(path)); err != nil || !st.IsDir() {
		return usageErr(cmd, "--output %s: directory %s does not exist", spec, filepath.Dir(path))
	}
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return usageErr(cmd, "--output %s: %s is a directory: name a file in it", spec, path)
	}
	return nil
}

// writeReports renders the report once per destination, straight into it: a report of 100,000
// findings is some 100 MB of JSON, which a buffer would hold, and grow, on top of the report
// itself. A regular file is written whole or not at all (writeFile), so a CI step never reads
// half a report.
func writeReports(st *state, outs []output, rep *report.Report, minSeverity checks.Severity, colorMode string) error {
	for _, o := range outs {
		colour := o.path == "-" && useColor(colorMode, st.env)
		write := func(w io.Writer) error { return render(w, o.format, rep, minSeverity, colour) }
		if o.path == "-" {
			if err := buffered(st.env.Stdout, write); err != nil {
				return fmt.Errorf("write the %s report: %w", o.format, err)
			}
			continue
		}
		if err := writeFile(o.path, write); err != nil {
			return fmt.Errorf("write the %s report to %s: %w", o.format, o.path, err)
		}
	}
	return nil
}

func render(w io.Writer, format string, rep *report.Report, minSeverity checks.Severity, colour bool) error {
	switch format {
	case "json":
		return rep.WriteJSON(w)
	case "markdown":
		return rep.WriteMarkdownOptions(w, report.MarkdownOptions{MinSeverity: minSeverity})
	case "asff":
		return writeASFF(w, rep)
	}
	return rep.WriteTextLimited(w, report.TextOptions{MaxFindings: -1, MaxErrors: -1, Color: colour, MinSeverity: minSeverity})
}

// buffered runs write on w through a buffer of its own, so that renderers that write in small
// pieces make few system calls.
func buffered(w io.Writer, write func(io.Writer) error) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	if err := write(bw); err != nil {
		return err
	}
	return bw.Flush()
}

// writeFile writes a regular file (new or replaced) through a temporary file renamed into place.
// Anything else that exists (/dev/null, /dev/stdout, a named pipe) is written to as it is:
// renaming over a device would replace it.
func writeFile(path string, write func(io.Writer) error) error {
	if st, err := os.Stat(path); err == nil && !st.Mode().IsRegular() {
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			return err
		}
		if err := buffered(f, write); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	partial.Store(tmp.Name(), struct{}{})
	defer func() {
		os.Remove(tmp.Name()) // after the rename, nothing to remove
		partial.Delete(tmp.Name())
	}()
	if err := buffered(tmp, write); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// partial holds the temporary files being written, so that a second Ctrl-C, which exits at
// once without running deferred calls, can remove them first (removePartial).
var partial sync.Map

func removePartial() {
	partial.Range(func(name, _ any) bool {
		os.Remove(name.(string))
		partial.Delete(name)
		return true
	})
}

// useColor decides whether the text report is coloured: "auto" colours only a terminal, and
// never when NO_COLOR is set (https://no-color.org).
func useColor(mode string, env Env) bool {
	switch mode {
	case "always":
		return true
	case "never":
		return false
	}
	if _, set := os.LookupEnv("NO_COLOR"); set {
		return false
	}
	return isTerminal(env.Stdout)
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
